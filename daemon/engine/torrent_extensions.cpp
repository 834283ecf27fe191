#include "daemon/engine/torrent_extensions.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/extensions.hpp>
#include <libtorrent/peer_connection_handle.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_status.hpp>

namespace seedd {
namespace {

struct Inner {
  std::vector<std::shared_ptr<lt::plugin>> plugins;
  std::vector<lt::feature_flags_t> features;  // each plugin's implemented_features(), read once

  template <class F>
  void each_with(lt::feature_flags_t feature, F&& f) const {
    for (size_t i = 0; i < plugins.size(); ++i)
      if (features[i] & feature) f(*plugins[i]);
  }
};

/// A torrent's one torrent plugin: 40 bytes until the torrent's first connection.
class LazyTorrent final : public lt::torrent_plugin {
 public:
  LazyTorrent(const Inner* inner, lt::torrent_handle handle) : m_inner(inner), m_handle(std::move(handle)) {}

  std::shared_ptr<lt::peer_plugin> new_connection(lt::peer_connection_handle const& pc) override {
    if (!m_made) {
      m_made = std::make_unique<std::vector<std::shared_ptr<lt::torrent_plugin>>>();
      // (client data: seedd sets none on its torrents)
      for (const auto& p : m_inner->plugins)
        if (auto tp = p->new_torrent(m_handle, {})) m_made->push_back(std::move(tp));
    }
    // Attached here, in order, rather than returned: libtorrent takes one peer plugin per
    // torrent plugin, and adds it to the connection's list just as add_extension does.
    lt::peer_connection_handle connection = pc;
    for (const auto& tp : *m_made)
      if (auto pp = tp->new_connection(pc)) connection.add_extension(std::move(pp));
    return {};
  }

  void on_piece_pass(lt::piece_index_t piece) override {
    for (const auto& tp : made()) tp->on_piece_pass(piece);
  }
  void on_piece_failed(lt::piece_index_t piece) override {
    for (const auto& tp : made()) tp->on_piece_failed(piece);
  }
  void tick() override {
    for (const auto& tp : made()) tp->tick();
  }
  // As libtorrent asks its list: the first plugin that takes over the pause (or resume) ends it.
  bool on_pause() override {
    return std::any_of(made().begin(), made().end(), [](const auto& tp) { return tp->on_pause(); });
  }
  bool on_resume() override {
    return std::any_of(made().begin(), made().end(), [](const auto& tp) { return tp->on_resume(); });
  }
  void on_files_checked() override {
    for (const auto& tp : made()) tp->on_files_checked();
  }
  void on_state(lt::torrent_status::state_t state) override {
    for (const auto& tp : made()) tp->on_state(state);
  }
  void on_add_peer(lt::tcp::endpoint const& endpoint, lt::peer_source_flags_t source,
                   lt::add_peer_flags_t flags) override {
    for (const auto& tp : made()) tp->on_add_peer(endpoint, source, flags);
  }

 private:
  const std::vector<std::shared_ptr<lt::torrent_plugin>>& made() const {
    static const std::vector<std::shared_ptr<lt::torrent_plugin>> kNone;
    return m_made ? *m_made : kNone;
  }

  // Owned by the session plugin, which its owner keeps until the session is gone (the engine:
  // Engine::Impl::extensions).
  const Inner* m_inner;
  lt::torrent_handle m_handle;
  // The inner plugins' torrent plugins, made at the first connection (network thread only).
  std::unique_ptr<std::vector<std::shared_ptr<lt::torrent_plugin>>> m_made;
};

static_assert(sizeof(LazyTorrent) == 40, "one per torrent: keep it small");

class TorrentExtensions final : public lt::plugin {
 public:
  explicit TorrentExtensions(std::vector<std::shared_ptr<lt::plugin>> plugins) {
    m_inner.plugins = std::move(plugins);
    for (const auto& p : m_inner.plugins) m_inner.features.push_back(p->implemented_features());
  }

  lt::feature_flags_t implemented_features() override {
    lt::feature_flags_t all{};
    for (auto f : m_inner.features) all |= f;
    return all;
  }

  std::shared_ptr<lt::torrent_plugin> new_torrent(lt::torrent_handle const& h, lt::client_data_t) override {
    return std::make_shared<LazyTorrent>(&m_inner, h);
  }

  void added(lt::session_handle const& s) override {
    for (const auto& p : m_inner.plugins) p->added(s);
  }
  void abort() override {
    for (const auto& p : m_inner.plugins) p->abort();
  }
  bool on_dht_request(lt::string_view query, lt::udp::endpoint const& source, lt::bdecode_node const& message,
                      lt::entry& response) override {
    bool handled = false;
    m_inner.each_with(dht_request_feature, [&](lt::plugin& p) {
      if (!handled) handled = p.on_dht_request(query, source, message, response);
    });
    return handled;
  }
  void on_alert(lt::alert const* a) override {
    m_inner.each_with(alert_feature, [&](lt::plugin& p) { p.on_alert(a); });
  }
  bool on_unknown_torrent(lt::info_hash_t const& ih, lt::peer_connection_handle const& pc,
                          lt::add_torrent_params& params) override {
    for (const auto& p : m_inner.plugins)
      if (p->on_unknown_torrent(ih, pc, params)) return true;
    return false;
  }
  void on_tick() override {
    m_inner.each_with(tick_feature, [](lt::plugin& p) { p.on_tick(); });
  }
  uint64_t get_unchoke_priority(lt::peer_connection_handle const& peer) override {
    uint64_t priority = std::numeric_limits<uint64_t>::max();
    m_inner.each_with(optimistic_unchoke_feature,
                      [&](lt::plugin& p) { priority = std::min(priority, p.get_unchoke_priority(peer)); });
    return priority;
  }
  std::map<std::string, std::string> save_state() const override {
    std::map<std::string, std::string> all;
    for (const auto& p : m_inner.plugins) {
      auto state = p->save_state();
      all.merge(state);
    }
    return all;
  }
  void load_state(std::map<std::string, std::string> const& state) override {
    for (const auto& p : m_inner.plugins) p->load_state(state);
  }

 private:
  Inner m_inner;
};

}  // namespace

std::shared_ptr<lt::plugin> make_torrent_extensions(std::vector<std::shared_ptr<lt::plugin>> inner) {
  return std::make_shared<TorrentExtensions>(std::move(inner));
}

}  // namespace seedd
