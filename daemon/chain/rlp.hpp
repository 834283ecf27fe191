#pragma once
// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B), for transactions. Only
// encoding: seedd builds transactions and never parses someone else's.
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::chain::rlp {

/// An RLP string: a single byte below 0x80 is itself, else a length prefix and the bytes.
std::vector<uint8_t> encode_bytes(std::span<const uint8_t> bytes);

/// An RLP integer: its minimal big-endian bytes as a string (zero is the empty string, 0x80).
std::vector<uint8_t> encode_uint(const crypto::uint256& value);

/// An RLP list of items that are each already RLP-encoded.
std::vector<uint8_t> encode_list(const std::vector<std::vector<uint8_t>>& encoded_items);

}  // namespace seedd::chain::rlp
