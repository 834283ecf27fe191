#pragma once
// Integers as the chain carries them: 32-byte big-endian words (ABI), minimal big-endian bytes
// (RLP) and JSON-RPC "quantities" (0x-prefixed hex without leading zeros). Amounts stay
// crypto::uint256 everywhere: no floating point near a token amount.
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::chain {

using crypto::uint256;

/// Thrown when a value from the endpoint or the caller is not the integer it should be; the
/// message names what was parsed and the text that was wrong.
class ValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// 32-byte big-endian word of `value` (an ABI uint256).
crypto::Bytes32 to_word(const uint256& value);

/// `value` from at most 32 big-endian bytes (an ABI word, an RLP integer).
uint256 from_be_bytes(std::span<const uint8_t> bytes);

/// Big-endian bytes of `value` without leading zeros; zero gives no bytes (RLP's integer form).
std::vector<uint8_t> to_minimal_be(const uint256& value);

/// A JSON-RPC quantity: "0x0", "0x1a", ... (lowercase, no leading zeros).
std::string to_quantity(const uint256& value);

/// Parses a JSON-RPC quantity. Leading zeros are tolerated (some endpoints send them); a missing
/// "0x", an empty digit string, a non-hex digit or more than 256 bits throws ValueError naming
/// `what` and the text.
uint256 parse_quantity(std::string_view text, std::string_view what = "quantity");

/// As parse_quantity, for values that must fit in 64 bits (block numbers, nonces, gas).
uint64_t parse_quantity_u64(std::string_view text, std::string_view what = "quantity");

/// Narrows `value` to 64 bits or throws ValueError naming `what`.
uint64_t to_u64(const uint256& value, std::string_view what);

}  // namespace seedd::chain
