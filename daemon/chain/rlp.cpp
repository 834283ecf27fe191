#include "daemon/chain/rlp.hpp"

#include "daemon/chain/quantity.hpp"

namespace seedd::chain::rlp {

namespace {

// The prefix of a payload of `length` bytes: `short_base + length` up to 55 bytes, else
// `short_base + 55 + n` followed by the length's n big-endian bytes.
void append_prefix(std::vector<uint8_t>& out, size_t length, uint8_t short_base) {
  if (length <= 55) {
    out.push_back(static_cast<uint8_t>(short_base + length));
    return;
  }
  const std::vector<uint8_t> len = to_minimal_be(crypto::uint256(length));
  out.push_back(static_cast<uint8_t>(short_base + 55 + len.size()));
  out.insert(out.end(), len.begin(), len.end());
}

}  // namespace

std::vector<uint8_t> encode_bytes(std::span<const uint8_t> bytes) {
  if (bytes.size() == 1 && bytes[0] < 0x80) return {bytes[0]};
  std::vector<uint8_t> out;
  out.reserve(bytes.size() + 9);
  append_prefix(out, bytes.size(), 0x80);
  out.insert(out.end(), bytes.begin(), bytes.end());
  return out;
}

std::vector<uint8_t> encode_uint(const crypto::uint256& value) { return encode_bytes(to_minimal_be(value)); }

std::vector<uint8_t> encode_list(const std::vector<std::vector<uint8_t>>& encoded_items) {
  size_t payload = 0;
  for (const auto& item : encoded_items) payload += item.size();
  std::vector<uint8_t> out;
  out.reserve(payload + 9);
  append_prefix(out, payload, 0xc0);
  for (const auto& item : encoded_items) out.insert(out.end(), item.begin(), item.end());
  return out;
}

}  // namespace seedd::chain::rlp
