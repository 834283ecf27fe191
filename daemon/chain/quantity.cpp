#include "daemon/chain/quantity.hpp"

#include <limits>

#include "daemon/crypto/hex.hpp"

namespace seedd::chain {

namespace {

// Cut so that an endpoint cannot fill a log line or an error message.
std::string shown(std::string_view text) {
  constexpr size_t kMaxShown = 80;
  return text.size() <= kMaxShown ? std::string(text) : std::string(text.substr(0, kMaxShown)) + "…";
}

}  // namespace

crypto::Bytes32 to_word(const uint256& value) {
  crypto::Bytes32 out{};
  uint256 rest = value;
  for (int i = 31; i >= 0 && rest != 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(static_cast<unsigned>(rest & 0xff));
    rest >>= 8;
  }
  return out;
}

uint256 from_be_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() > 32) throw ValueError("an integer of " + std::to_string(bytes.size()) + " bytes exceeds 256 bits");
  uint256 out = 0;
  for (uint8_t b : bytes) out = (out << 8) | b;
  return out;
}

std::vector<uint8_t> to_minimal_be(const uint256& value) {
  const crypto::Bytes32 word = to_word(value);
  size_t first = 0;
  while (first < word.size() && word[first] == 0) ++first;
  return {word.begin() + static_cast<std::ptrdiff_t>(first), word.end()};
}

std::string to_quantity(const uint256& value) {
  if (value == 0) return "0x0";
  std::string hex = crypto::to_hex(to_minimal_be(value), false);
  if (hex[0] == '0') hex.erase(0, 1);
  return "0x" + hex;
}

uint256 parse_quantity(std::string_view text, std::string_view what) {
  const std::string_view original = text;
  auto fail = [&](const char* why) {
    return ValueError(std::string(what) + " " + why + ": \"" + shown(original) + "\"");
  };
  if (text.size() < 3 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X')) throw fail("is not a 0x-prefixed hex quantity");
  text.remove_prefix(2);
  while (text.size() > 1 && text[0] == '0') text.remove_prefix(1);
  if (text.size() > 64) throw fail("exceeds 256 bits");
  uint256 out = 0;
  for (char c : text) {
    const int d = crypto::hex_value(c);
    if (d < 0) throw fail("has a non-hex digit");
    out = (out << 4) | static_cast<unsigned>(d);
  }
  return out;
}

uint64_t parse_quantity_u64(std::string_view text, std::string_view what) {
  return to_u64(parse_quantity(text, what), what);
}

uint64_t to_u64(const uint256& value, std::string_view what) {
  if (value > std::numeric_limits<uint64_t>::max())
    throw ValueError(std::string(what) + " does not fit in 64 bits: " + crypto::to_decimal(value));
  return static_cast<uint64_t>(value);
}

}  // namespace seedd::chain
