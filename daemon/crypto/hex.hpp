#pragma once
// Hex and decimal text forms of the values that cross JSON and the command line.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::crypto {

/// The value of one hex digit of either case, or -1.
inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Lowercase hex of `bytes`, with a "0x" prefix unless `prefix` is false.
std::string to_hex(std::span<const uint8_t> bytes, bool prefix = true);

/// Parses hex with an optional "0x"/"0X" prefix, digits of either case; std::nullopt on an odd
/// number of digits or a non-hex character.
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);

/// Like from_hex, but only when the text decodes to exactly N bytes.
template <size_t N>
std::optional<std::array<uint8_t, N>> from_hex_fixed(std::string_view text) {
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<uint8_t, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = (*bytes)[i];
  return out;
}

/// Base-10 text of `value` (how amounts appear in JSON).
std::string to_decimal(const uint256& value);

/// Parses a non-empty string of ASCII digits (no sign, no spaces) that fits in 256 bits.
std::optional<uint256> parse_decimal_u256(std::string_view text);

/// Parses a non-empty string of ASCII digits (no sign, no spaces) that fits in 64 bits.
std::optional<uint64_t> parse_decimal_u64(std::string_view text);

}  // namespace seedd::crypto
