#include "daemon/crypto/hex.hpp"

#include <limits>

namespace seedd::crypto {

namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string to_hex(std::span<const uint8_t> bytes, bool prefix) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2 + 2);
  if (prefix) out += "0x";
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0f];
  }
  return out;
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_value(text[i]);
    const int lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>((hi << 4) | lo));
  }
  return out;
}

std::string to_decimal(const uint256& value) { return value.str(); }

std::optional<uint256> parse_decimal_u256(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  // Leading zeros are harmless; after them, 2^256-1 has 78 digits, so a longer string is out of
  // range and never reaches the (unbounded) accumulator below.
  const auto first = text.find_first_not_of('0');
  if (first == std::string_view::npos) return uint256{0};
  text.remove_prefix(first);
  if (text.size() > 78) return std::nullopt;
  // Accumulate unchecked so that "too big" is a nullopt rather than an exception half-way.
  boost::multiprecision::cpp_int acc = 0;
  for (char c : text) acc = acc * 10 + (c - '0');
  const boost::multiprecision::cpp_int max = (boost::multiprecision::cpp_int(1) << 256) - 1;
  if (acc > max) return std::nullopt;
  return uint256(acc);
}

std::optional<uint64_t> parse_decimal_u64(std::string_view text) {
  if (!all_digits(text)) return std::nullopt;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : text) {
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (kMax - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

}  // namespace seedd::crypto
