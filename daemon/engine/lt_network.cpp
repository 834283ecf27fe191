#include "daemon/engine/lt_network.hpp"

#include <algorithm>
#include <limits>

#include <libtorrent/session_handle.hpp>

#include "config/options.hpp"

namespace seedd::lt_network {
namespace {

using sp = lt::settings_pack;

int to_int(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, 0, std::numeric_limits<int>::max())); }

// Send buffer bounds (bytes): the unlimited tuning, and the floor under an upload limit.
constexpr int kMaxSendBuffer = 8 * 1024 * 1024;
constexpr int kLowSendBuffer = 1024 * 1024;
constexpr int kMinSendBuffer = 64 * 1024;

constexpr uint32_t kGlobalClassBit = 1u << static_cast<uint32_t>(lt::session_handle::global_peer_class_id);

}  // namespace

void fill(lt::settings_pack& pack, const NetworkSettings& n) {
  pack.set_int(sp::upload_rate_limit, to_int(n.upload_limit));
  pack.set_int(sp::download_rate_limit, to_int(n.download_limit));
  pack.set_int(sp::connections_limit, n.max_connections);
  pack.set_bool(sp::enable_dht, n.dht);
  pack.set_bool(sp::enable_lsd, n.lsd);
  pack.set_bool(sp::enable_upnp, n.upnp);
  pack.set_bool(sp::enable_natpmp, n.natpmp);
  pack.set_int(sp::unchoke_slots_limit, n.upload_slots <= 0 ? -1 : n.upload_slots);

  // Send buffers. Big ones carry more on loopback (docs/benchmarks.md, "Send buffers"). But a
  // peer asks the rate limiter for its whole send buffer at once and sends it when granted, so
  // under an upload limit big buffers turn the rate into bursts. Limited, a buffer holds at
  // most a quarter second of the limit.
  if (n.upload_limit > 0) {
    const int high = static_cast<int>(std::clamp<int64_t>(n.upload_limit / 4, kMinSendBuffer, kMaxSendBuffer));
    pack.set_int(sp::send_buffer_watermark, high);
    pack.set_int(sp::send_buffer_low_watermark, std::min(high / 2, kLowSendBuffer));
    pack.set_int(sp::send_buffer_watermark_factor, 50);  // libtorrent's default: half a second of the peer's rate
  } else {
    pack.set_int(sp::send_buffer_watermark, kMaxSendBuffer);
    pack.set_int(sp::send_buffer_low_watermark, kLowSendBuffer);
    pack.set_int(sp::send_buffer_watermark_factor, 150);
  }

  // forced: the handshake and the payload are encrypted (RC4) or there is no connection.
  if (n.encryption == "forced") {
    pack.set_int(sp::out_enc_policy, sp::pe_forced);
    pack.set_int(sp::in_enc_policy, sp::pe_forced);
    pack.set_int(sp::allowed_enc_level, sp::pe_rc4);
    pack.set_bool(sp::prefer_rc4, true);
  } else if (n.encryption == "disabled") {
    pack.set_int(sp::out_enc_policy, sp::pe_disabled);
    pack.set_int(sp::in_enc_policy, sp::pe_disabled);
    pack.set_int(sp::allowed_enc_level, sp::pe_both);
    pack.set_bool(sp::prefer_rc4, false);
  } else {
    pack.set_int(sp::out_enc_policy, sp::pe_enabled);
    pack.set_int(sp::in_enc_policy, sp::pe_enabled);
    pack.set_int(sp::allowed_enc_level, sp::pe_both);
    pack.set_bool(sp::prefer_rc4, false);
  }

  const auto proxy = n.proxy.empty() ? std::nullopt : config::parse_proxy_url(n.proxy);
  if (!proxy) {
    pack.set_int(sp::proxy_type, sp::none);
    pack.set_str(sp::proxy_hostname, "");
    pack.set_int(sp::proxy_port, 0);
    pack.set_str(sp::proxy_username, "");
    pack.set_str(sp::proxy_password, "");
  } else {
    pack.set_int(sp::proxy_type, proxy->user.empty() ? sp::socks5 : sp::socks5_pw);
    pack.set_str(sp::proxy_hostname, proxy->host);
    pack.set_int(sp::proxy_port, proxy->port);
    pack.set_str(sp::proxy_username, proxy->user);
    pack.set_str(sp::proxy_password, proxy->password);
    // Names are resolved by the proxy, so lookups do not leak around it.
    pack.set_bool(sp::proxy_hostnames, true);
  }
  pack.set_bool(sp::proxy_peer_connections, true);
  pack.set_bool(sp::proxy_tracker_connections, true);
}

lt::ip_filter peer_class_filter(bool rate_limit_lan, const lt::ip_filter& lan_exempt) {
  if (!rate_limit_lan) return lan_exempt;
  lt::ip_filter all_global;
  all_global.add_rule(lt::make_address("0.0.0.0"), lt::make_address("255.255.255.255"), kGlobalClassBit);
  all_global.add_rule(lt::make_address("::"), lt::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                      kGlobalClassBit);
  return all_global;
}

NetworkSettings read(const lt::settings_pack& pack, const lt::ip_filter& filter) {
  NetworkSettings n;
  n.upload_limit = pack.get_int(sp::upload_rate_limit);
  n.download_limit = pack.get_int(sp::download_rate_limit);
  n.max_connections = pack.get_int(sp::connections_limit);
  n.dht = pack.get_bool(sp::enable_dht);
  n.lsd = pack.get_bool(sp::enable_lsd);
  n.upnp = pack.get_bool(sp::enable_upnp);
  n.natpmp = pack.get_bool(sp::enable_natpmp);
  const int slots = pack.get_int(sp::unchoke_slots_limit);
  n.upload_slots = slots < 0 ? 0 : slots;
  // Loopback stands for the LAN: both are in the local class unless rate_limit_lan moved them.
  n.rate_limit_lan = (filter.access(lt::make_address("127.0.0.1")) & kGlobalClassBit) != 0;
  const int in = pack.get_int(sp::in_enc_policy);
  n.encryption = in == sp::pe_forced ? "forced" : in == sp::pe_disabled ? "disabled" : "enabled";
  const int type = pack.get_int(sp::proxy_type);
  if (type == sp::socks5 || type == sp::socks5_pw) {
    config::ProxyUrl p;
    p.host = pack.get_str(sp::proxy_hostname);
    p.port = static_cast<uint16_t>(pack.get_int(sp::proxy_port));
    if (type == sp::socks5_pw) {
      p.user = pack.get_str(sp::proxy_username);
      p.password = pack.get_str(sp::proxy_password);
    }
    n.proxy = config::to_string(p);
  } else if (type != sp::none) {
    n.proxy = "(a proxy type seedd does not set: " + std::to_string(type) + ")";
  }
  return n;
}

}  // namespace seedd::lt_network
