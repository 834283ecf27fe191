#include "daemon/engine/torrent_status.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "daemon/crypto/hex.hpp"

namespace seedd {

static_assert(sizeof(TorrentId) == 20);
static_assert(sizeof(SharedText) == sizeof(void*) && sizeof(SharedLabels) == sizeof(void*));
// One per torrent: a field added in the wrong place costs 8 bytes of padding at each.
static_assert(sizeof(TorrentStatus) == 224, "one per torrent: keep it packed");

std::optional<TorrentId> TorrentId::from_hex(std::string_view hex) {
  std::array<uint8_t, 20> bytes{};
  if (hex.size() != 2 * bytes.size()) return std::nullopt;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const int hi = crypto::hex_value(hex[2 * i]), lo = crypto::hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return TorrentId(bytes);
}

std::string TorrentId::hex() const {
  std::string out;
  append_hex(out);
  return out;
}

void TorrentId::append_hex(std::string& out) const {
  if (empty()) return;
  static constexpr char kDigits[] = "0123456789abcdef";
  const size_t at = out.size();
  out.resize(at + 2 * m_bytes.size());
  for (size_t i = 0; i < m_bytes.size(); ++i) {
    out[at + 2 * i] = kDigits[m_bytes[i] >> 4];
    out[at + 2 * i + 1] = kDigits[m_bytes[i] & 0xf];
  }
}

SharedText intern(std::string_view text) {
  if (text.empty()) return {};
  struct Table {
    std::mutex mutex;
    // Keyed by a view of the value's own characters; the table holds one reference of each.
    std::unordered_map<std::string_view, SharedText> texts;
    size_t prune_at = 64;
  };
  static auto* table = new Table;  // never destroyed: a SharedText may outlive every static
  std::lock_guard lock(table->mutex);
  if (auto it = table->texts.find(text); it != table->texts.end()) return it->second;
  if (table->texts.size() >= table->prune_at) {
    // Drop the texts that only the table holds: nobody else can reach them but through it.
    for (auto it = table->texts.begin(); it != table->texts.end();)
      it = it->second.m_block->refs.load(std::memory_order_acquire) == 1 ? table->texts.erase(it) : std::next(it);
    table->prune_at = std::max<size_t>(64, 2 * table->texts.size());
  }
  SharedText out{std::string(text)};
  table->texts.emplace(std::string_view(out.get()), out);
  return out;
}

}  // namespace seedd
