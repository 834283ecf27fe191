#pragma once
// keccak256 as Ethereum uses it: original Keccak padding (0x01), not NIST SHA3-256 (0x06).
#include <cstdint>
#include <span>
#include <string_view>

#include "daemon/crypto/types.hpp"

namespace seedd::crypto {

/// keccak256 of `data` (Ethereum's hash).
Bytes32 keccak256(std::span<const uint8_t> data);

/// keccak256 of the bytes of `text` (no terminator).
Bytes32 keccak256(std::string_view text);

}  // namespace seedd::crypto
