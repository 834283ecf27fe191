#include "config/options.hpp"

#include "config/alt_schedule.hpp"
#include "daemon/accountant/lanes.hpp"
#include "daemon/util/endpoint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>

namespace seedd::config {
namespace {

// 2^256 - 1: amounts are uint256 on chain (docs/protocol.md section 5), so a rate above it could
// never be paid.
constexpr std::string_view kUint256MaxDecimal =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<std::string> uint256_decimal(std::string_view value) {
  if (!is_digits(value)) return std::nullopt;
  // Leading zeros carry nothing; dropping them lets the length compare below decide.
  const auto first = value.find_first_not_of('0');
  const auto digits = first == std::string_view::npos ? std::string_view("0") : value.substr(first);
  if (digits.size() > kUint256MaxDecimal.size()) return std::nullopt;
  if (digits.size() == kUint256MaxDecimal.size() && digits > kUint256MaxDecimal)
    return std::nullopt;
  return std::string(digits);
}

// pass:receipt:vanilla weights, normalized to "6:3:1".
std::optional<std::string> lane_weights_rule(std::string_view value) {
  const auto w = accountant::parse_lane_weights(value);
  if (!w) return std::nullopt;
  return accountant::to_string(*w);
}

// An http(s) URL with a host; the text is kept as given (it may hold an API key).
std::optional<std::string> chain_url(std::string_view value) {
  if (value.empty()) return std::string();
  for (std::string_view scheme : {"http://", "https://"}) {
    if (value.substr(0, scheme.size()) == scheme && value.size() > scheme.size()) return std::string(value);
  }
  return std::nullopt;
}

// An address or a CIDR block; always normalized to canonical-address/prefix so the RPC layer
// parses one form only.
std::optional<std::string> cidr_block(std::string_view value) {
  const auto slash = value.find('/');
  const std::string address(value.substr(0, slash));
  unsigned char bytes[16];
  int family = AF_INET;
  unsigned max_prefix = 32;
  if (::inet_pton(AF_INET, address.c_str(), bytes) != 1) {
    if (::inet_pton(AF_INET6, address.c_str(), bytes) != 1) return std::nullopt;
    family = AF_INET6;
    max_prefix = 128;
  }
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto text = value.substr(slash + 1);
    if (!is_digits(text) || text.size() > 3) return std::nullopt;
    std::from_chars(text.data(), text.data() + text.size(), prefix);
    if (prefix > max_prefix) return std::nullopt;
  }
  char canonical[INET6_ADDRSTRLEN];
  ::inet_ntop(family, bytes, canonical, sizeof canonical);
  return std::string(canonical) + "/" + std::to_string(prefix);
}

// bitcoind's rpcauth shape, user:salt$hmac, plus an optional scope (:read or :admin, the
// RPC layer's Scope): the password itself never appears, only its HMAC-SHA256 under a
// per-user salt, as 64 hex digits. Splits as rpc::RpcAuthEntry::parse does.
std::optional<std::string> auth_entry(std::string_view value) {
  const auto colon = value.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  auto rest = value.substr(colon + 1);
  std::string_view scope;
  if (const auto scope_colon = rest.find(':'); scope_colon != std::string_view::npos) {
    scope = rest.substr(scope_colon);
    if (scope != ":read" && scope != ":admin") return std::nullopt;
    rest = rest.substr(0, scope_colon);
  }
  const auto dollar = rest.find('$');
  if (dollar == 0 || dollar == std::string_view::npos) return std::nullopt;
  const auto hmac = rest.substr(dollar + 1);
  if (hmac.size() != 64 || !is_hex(hmac)) return std::nullopt;
  // Lower-case hex, as the RPC layer computes it, so a hash pasted in upper case still matches.
  return std::string(value.substr(0, colon + 1 + dollar + 1)) + to_lower(hmac) + std::string(scope);
}

/// A path option that must be absolute (ip_filter): a relative one would be read against the
/// working directory, "/" under systemd, and session.set may name it (issue 16, item 12).
std::optional<std::string> absolute_path_only(std::string_view value) {
  if (!std::filesystem::path(value).is_absolute()) return std::nullopt;
  return absolute_path(value);
}

/// An item of an address list (trusted_pass_signers): 0x + 40 hex digits, lower-cased so that
/// addresses compare as text (EIP-55 mixed case is for display only).
std::optional<std::string> address_item(std::string_view value) {
  if (value.size() != 42 || to_lower(value.substr(0, 2)) != "0x" || !is_hex(value.substr(2))) return std::nullopt;
  return to_lower(value);
}

/// blocklist_url: http:// only (the HTTP client has no TLS), with a host; no whitespace.
std::optional<std::string> http_url(std::string_view value) {
  constexpr std::string_view scheme = "http://";
  if (value.size() <= scheme.size() || to_lower(value.substr(0, scheme.size())) != scheme) return std::nullopt;
  if (value[scheme.size()] == '/') return std::nullopt;
  for (unsigned char c : value)
    if (c <= ' ' || c == 0x7f) return std::nullopt;
  return std::string(scheme) + std::string(value.substr(scheme.size()));
}

std::optional<std::string> proxy_rule(std::string_view value) {
  auto proxy = parse_proxy_url(value);
  if (!proxy) return std::nullopt;
  return to_string(*proxy);
}

std::vector<OptionDef> make_table() {
  using T = OptionType;
  constexpr std::string_view storage = "Storage", network = "Network", rpc = "RPC",
                             receipts = "Receipts", rewards = "Rewards", logging = "Logging";
  return {
      {.name = "data_dir",
       .type = T::path,
       .default_value = "",
       .help = "directory for the node key, ledger, cookie and resume data "
               "(default: $STATE_DIRECTORY, else ~/.local/share/seedd)",
       .group = storage},
      {.name = "download_dir",
       .type = T::path,
       .default_value = "",
       .help =
           "where torrents are saved unless they name a save_path (default: <data_dir>/downloads)",
       .group = storage},
      {.name = "data_roots",
       .type = T::string_list,
       .default_value = "",
       .help = "more directories that torrent.create, and torrent.add's path and save_path, may "
               "use besides download_dir",
       .group = storage,
       .rule = absolute_path,
       .expected = "expected directory paths"},
      {.name = "watch_dir",
       .type = T::string_list,
       .default_value = "",
       .help = "directories watched, with their subdirectories, for new .torrent files, which are "
               "added and seeded; path=label gives the torrents of a folder a label (a path holding "
               "'=' needs one). An added file is renamed .added, a bad one .invalid",
       .group = storage,
       .rule = watch_entry,
       .expected = "expected directory paths, each optionally =label (no comma or control character)"},
      {.name = "watch_poll_interval",
       .type = T::integer,
       .default_value = "0",
       .help = "0: watch folders are watched with inotify; N: they are scanned every N seconds "
               "instead (NFS and CIFS mounts, where inotify misses changes made by other machines)",
       .min = 0,
       .max = 3600,
       .group = storage},
      {.name = "active_seeds",
       .type = T::integer,
       .default_value = "0",
       .help = "0: every torrent seeds (no queue); N: at most N torrents seed at once and the "
               "others wait in state queued, taking turns as libtorrent rotates them (a torrent "
               "paused by hand is never started by the queue)",
       .min = 0,
       .max = 1000000,
       .group = storage},
      {.name = "active_downloads",
       .type = T::integer,
       .default_value = "0",
       .help = "0: every unfinished torrent downloads (no queue); N: at most N download at once, "
               "the others wait in state queued",
       .min = 0,
       .max = 1000000,
       .group = storage},
      {.name = "disk_threads",
       .type = T::integer,
       .default_value = "2",
       .help = "threads that read and write torrent data (libtorrent's aio_threads). Each wakes "
               "for every batch of reads, so more threads cost CPU for every byte seeded; raise it "
               "for an array of spinning disks or network mounts that serve many peers at once",
       .min = 1,
       .max = 64,
       .group = storage},
      {.name = "missing_data_retry",
       .type = T::integer,
       .default_value = "30",
       .help = "seconds between looks for the files of a torrent in state missing_data (a volume "
               "not mounted yet); it seeds again by itself when they are back",
       .min = 1,
       .max = 86400,
       .group = storage},

      {.name = "listen",
       .type = T::endpoints,
       .default_value = "0.0.0.0:6881,[::]:6881",
       .help = "addresses to accept BitTorrent peers on (port 0: pick a free port)",
       .group = network},
      {.name = "dht",
       .type = T::boolean,
       .default_value = "true",
       .help = "find peers through the DHT (BEP 5)",
       .runtime = true,
       .group = network},
      {.name = "lsd",
       .type = T::boolean,
       .default_value = "true",
       .help = "find peers on the local network (BEP 14)",
       .runtime = true,
       .group = network},
      {.name = "upnp",
       .type = T::boolean,
       .default_value = "true",
       .help = "ask the router to forward the listen port with UPnP",
       .runtime = true,
       .group = network},
      {.name = "natpmp",
       .type = T::boolean,
       .default_value = "true",
       .help = "ask the router to forward the listen port with NAT-PMP",
       .runtime = true,
       .group = network},
      {.name = "pex",
       .type = T::boolean,
       .default_value = "true",
       .help = "swap peer lists with connected peers (BEP 11)",
       .group = network},
      {.name = "utp",
       .type = T::boolean,
       .default_value = "true",
       .help = "use uTP (BEP 29) as well as TCP for peer connections; uTP yields to other traffic on a "
               "home line but is slow on a LAN or loopback",
       .group = network},
      {.name = "upload_limit",
       .type = T::bytes,
       .default_value = "0",
       .help = "upload rate limit in bytes per second, 0 = unlimited",
       .runtime = true,
       .group = network},
      {.name = "download_limit",
       .type = T::bytes,
       .default_value = "0",
       .help = "download rate limit in bytes per second, 0 = unlimited",
       .runtime = true,
       .group = network},
      {.name = "alt_upload_limit",
       .type = T::bytes,
       .default_value = "50000",
       .help = "upload rate limit in bytes per second while the alternative limits are on (alt_speed, "
               "alt_schedule; Transmission's alt-speed-up), 0 = unlimited",
       .runtime = true,
       .group = network},
      {.name = "alt_download_limit",
       .type = T::bytes,
       .default_value = "50000",
       .help = "download rate limit in bytes per second while the alternative limits are on "
               "(Transmission's alt-speed-down), 0 = unlimited",
       .runtime = true,
       .group = network},
      {.name = "alt_speed",
       .type = T::boolean,
       .default_value = "false",
       .help = "use alt_upload_limit and alt_download_limit instead of upload_limit and download_limit "
               "now (Transmission's alt-speed-enabled, its turtle mode)",
       .runtime = true,
       .group = network},
      {.name = "alt_schedule",
       .type = T::string,
       .default_value = "",
       .help = "when the alternative limits apply by themselves besides alt_speed, in local time: "
               "DAYS HH:MM-HH:MM, DAYS being all, weekdays, weekends or a list such as mon-fri or "
               "sat,sun; an end before the begin runs past midnight, an end equal to it is the "
               "whole day; empty = no schedule",
       .runtime = true,
       .group = network,
       .rule = alt_schedule_rule,
       .expected = "expected DAYS HH:MM-HH:MM, e.g. weekdays 09:00-17:00 or sat,sun 00:00-00:00"},
      {.name = "max_connections",
       .type = T::integer,
       .default_value = "500",
       .help = "most peer connections open at once, over all torrents",
       .runtime = true,
       .min = 2,
       .max = 65535,
       .group = network},
      {.name = "upload_slots",
       .type = T::integer,
       .default_value = "8",
       .help = "peers unchoked (served) at once over all torrents, 0 = no limit",
       .runtime = true,
       .min = 0,
       .max = 65535,
       .group = network},
      {.name = "rate_limit_lan",
       .type = T::boolean,
       .default_value = "false",
       .help = "apply the rate limits to peers on loopback and the LAN too (libtorrent exempts "
               "them otherwise); acts on connections made after a change",
       .runtime = true,
       .group = network},
      {.name = "encryption",
       .type = T::choice,
       .default_value = "enabled",
       .help = "BitTorrent protocol encryption: enabled (either way, as the peer likes), forced "
               "(only encrypted connections) or disabled (only plain ones); acts on new connections",
       .runtime = true,
       .choices = {"enabled", "forced", "disabled"},
       .group = network},
      {.name = "proxy",
       .type = T::string,
       .default_value = "",
       .help = "SOCKS5 proxy for peer and tracker connections, socks5://[user:password@]host:port; "
               "acts on new connections",
       .runtime = true,
       .secret = true,
       .group = network,
       .rule = proxy_rule,
       .expected = "expected socks5://[user:password@]host:port (an IPv6 host in brackets)"},
      {.name = "ip_filter",
       .type = T::path,
       .default_value = "",
       .help = "blocklist file (p2p or dat format) of addresses no peer connection is made with or "
               "accepted from; read at start and at every SIGHUP. An absolute path: a relative one "
               "would depend on the daemon's working directory, and is refused",
       .runtime = true,
       .group = network,
       .rule = absolute_path_only,
       .expected = "expected an absolute path"},
      {.name = "blocklist_url",
       .type = T::string,
       .default_value = "",
       .help = "http:// URL of a blocklist (p2p or dat, plain or gzipped) that replaces the ip_filter file "
               "every blocklist_update_interval and at Transmission's blocklist-update, once it downloads "
               "whole and reads as a blocklist (a failed update leaves the file as it was); needs ip_filter; "
               "empty = none",
       .runtime = true,
       .group = network,
       .rule = http_url,
       .expected = "expected an http:// URL (seedd does not fetch https: use a local mirror or cron)"},
      {.name = "blocklist_update_interval",
       .type = T::integer,
       .default_value = "86400",
       .help = "seconds between downloads of blocklist_url (the first at start when the ip_filter file "
               "is missing, else one interval after start, and at once when the URL changes); "
               "0 = only on request",
       .runtime = true,
       .min = 0,
       .max = 365 * 86400,
       .group = network},

      {.name = "rpc_bind",
       .type = T::endpoints,
       .default_value = "127.0.0.1:8421",
       .help = "addresses the JSON-RPC server listens on (port 0: pick a free port)",
       .group = rpc},
      {.name = "rpc_allow_ip",
       .type = T::string_list,
       .default_value = "",
       .help = "CIDR blocks whose clients may call RPC besides loopback, e.g. 192.168.1.0/24",
       .group = rpc,
       .rule = cidr_block,
       .expected = "expected IP addresses or CIDR blocks such as 192.168.1.0/24 or fd00::/8"},
      {.name = "rpc_auth",
       .type = T::string_list,
       .default_value = "",
       .help = "RPC users besides the cookie, as user:salt$hmac[:read|:admin] (HMAC-SHA256 of the "
               "password under the salt, 64 hex digits)",
       .secret = true,
       .group = rpc,
       .rule = auth_entry,
       .expected =
           "expected entries user:salt$hmac[:read|:admin], the HMAC-SHA256 as 64 hex digits"},
      {.name = "rpc_host",
       .type = T::string_list,
       .default_value = "",
       .help = "names accepted in the HTTP Host header besides the bind address (guards against "
               "DNS rebinding)",
       .group = rpc},
      {.name = "metrics_auth",
       .type = T::choice,
       .default_value = "password",
       .help = "who may read /metrics: password (the cookie or any rpc_auth user; read scope is "
               "enough) or none (callers on loopback need none, e.g. a Prometheus on this host; "
               "every other caller still does)",
       .choices = {"password", "none"},
       .group = rpc},
      {.name = "rpc_tls_cert",
       .type = T::path,
       .default_value = "",
       .help = "PEM certificate chain; with rpc_tls_key, RPC is served over HTTPS",
       .group = rpc},
      {.name = "rpc_tls_key",
       .type = T::path,
       .default_value = "",
       .help = "PEM private key of rpc_tls_cert",
       .group = rpc},
      {.name = "rpc_threads",
       .type = T::integer,
       .default_value = "2",
       .help = "worker threads that run RPC methods (one network thread reads and writes, and answers the methods that only read memory)",
       .min = 1,
       .max = 64,
       .group = rpc},
      {.name = "transmission_rpc",
       .type = T::boolean,
       .default_value = "true",
       .help =
           "also serve Transmission's RPC at /transmission/rpc, for remote GUIs and Sonarr/Radarr",
       .group = rpc},

      {.name = "credit_window",
       .type = T::bytes,
       .default_value = "16MiB",
       .help =
           "upload a seedd peer may receive without a receipt before it is choked until one comes",
       .runtime = true,
       .group = receipts},
      {.name = "receipt_interval",
       .type = T::bytes,
       .default_value = "1MiB",
       .help = "bytes of upload after which this node asks its leechers for a receipt",
       .group = receipts},
      {.name = "sign_receipts",
       .type = T::boolean,
       .default_value = "true",
       .help = "sign receipts for what this node downloads from other seedd peers",
       .group = receipts},
      {.name = "vanilla_peers",
       .type = T::choice,
       .default_value = "serve",
       .help = "what to do with peers that lack the receipt extension: serve them, throttle them "
               "to vanilla_upload_limit, or refuse them",
       .runtime = true,
       .choices = {"serve", "throttle", "refuse"},
       .group = receipts},
      {.name = "vanilla_upload_limit",
       .type = T::bytes,
       .default_value = "0",
       .help = "upload rate limit for vanilla peers when vanilla_peers = throttle, bytes per "
               "second, 0 = unlimited",
       .runtime = true,
       .group = receipts},
      {.name = "lane_weights",
       .type = T::string,
       .default_value = "6:3:1",
       .help = "weights of the three lanes that share upload_limit and upload_slots: pass holders, "
               "other receipting peers, vanilla peers (each at least 1, so no lane is starved)",
       .runtime = true,
       .group = receipts,
       .rule = lane_weights_rule,
       .expected = "expected three whole numbers from 1 to 1000 separated by colons, pass:receipt:vanilla, "
                   "such as 6:3:1"},

      {.name = "reward_rate",
       .type = T::string,
       .default_value = "1000000000000000000",
       .help = "default reward in token base units per GiB of verified upload (torrents may "
               "override it)",
       .group = rewards,
       .rule = uint256_decimal,
       .expected = "expected a decimal integer from 0 to 2^256-1 (digits only, at most 78)"},
      {.name = "pool_chain_id",
       .type = T::integer,
       .default_value = "31337",
       .help = "chain id of the reward pool (EIP-712 domain chainId)",
       .min = 1,
       .group = rewards},
      {.name = "pool_contract",
       .type = T::address,
       .default_value = "0x0000000000000000000000000000000000000000",
       .help =
           "reward pool contract (EIP-712 verifyingContract); the zero address means no pool yet",
       .group = rewards},
      {.name = "payout_address",
       .type = T::address,
       .default_value = "",
       .help = "address that claims ask rewards to be paid to (default: the node address)",
       .group = rewards},
      {.name = "trusted_pass_signers",
       .type = T::string_list,
       .default_value = "",
       .help = "addresses whose passes count when a leecher shows one, as if they were the "
               "pass signer of a live bounty of the torrent (for use without a chain, or to "
               "serve a creator's viewers first)",
       .group = rewards,
       .rule = address_item,
       .expected = "expected 0x addresses (0x + 40 hex digits) separated by commas"},
      {.name = "chain_rpc",
       .type = T::string,
       .default_value = "",
       .help = "Ethereum JSON-RPC endpoint (http:// or https://) of the pool's chain, used to "
               "settle claims and fund bounties; empty = settlement off",
       .secret = true,
       .group = rewards,
       .rule = chain_url,
       .expected = "expected an http:// or https:// URL, or empty"},
      {.name = "pool_deploy_block",
       .type = T::integer,
       .default_value = "0",
       .help = "block the pool was deployed in: bounties are searched from here",
       .min = 0,
       .group = rewards},
      {.name = "max_fee_per_gas",
       .type = T::string,
       .default_value = "0",
       .help = "most wei per gas this node offers for its transactions; 0 = no cap",
       .group = rewards,
       .rule = uint256_decimal,
       .expected = "expected a decimal integer of wei (digits only)"},
      {.name = "auto_settle",
       .type = T::boolean,
       .default_value = "false",
       .help = "claim and settle by itself once the expected payout at the bounties' rates "
               "reaches settle_min_amount",
       .group = rewards},
      {.name = "settle_min_amount",
       .type = T::string,
       .default_value = "1000000000000000000",
       .help = "token base units an auto_settle claim must be expected to pay at least",
       .group = rewards,
       .rule = uint256_decimal,
       .expected = "expected a decimal integer from 0 to 2^256-1 (digits only, at most 78)"},

      {.name = "log_level",
       .type = T::choice,
       .default_value = "info",
       .help = "least severe messages that are logged",
       .runtime = true,
       .choices = {"trace", "debug", "info", "warn", "error", "critical", "off"},
       .group = logging},
      {.name = "log_format",
       .type = T::choice,
       .default_value = "text",
       .help = "log lines as plain text, or as one JSON object per line",
       .choices = {"text", "json"},
       .group = logging},
  };
}

}  // namespace

std::optional<std::string> absolute_path(std::string_view path) {
  if (path.empty()) return std::nullopt;
  // Relative paths are pinned at load: under systemd the working directory is "/", which is
  // rarely what the person who typed the relative path had in mind later on.
  auto p = std::filesystem::absolute(std::filesystem::path(path)).lexically_normal();
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

std::optional<std::string> watch_entry(std::string_view item) {
  const auto eq = item.rfind('=');
  if (eq == std::string_view::npos) return absolute_path(item);
  const auto label = item.substr(eq + 1);
  if (label.empty() || label.size() > 128) return std::nullopt;
  for (unsigned char c : label)
    if (c < 0x20 || c == 0x7f || c == ',') return std::nullopt;
  auto path = absolute_path(item.substr(0, eq));
  if (!path) return std::nullopt;
  return *path + "=" + std::string(label);
}

std::optional<ProxyUrl> parse_proxy_url(std::string_view text) {
  constexpr std::string_view scheme = "socks5://";
  if (text.size() <= scheme.size() || to_lower(text.substr(0, scheme.size())) != scheme) return std::nullopt;
  for (unsigned char c : text)
    if (c <= 0x20 || c == 0x7f) return std::nullopt;
  auto rest = text.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  ProxyUrl out;
  // The password may hold '@' or ':'; the host never holds '@'.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = rest.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == 0 || colon == std::string_view::npos || colon + 1 == userinfo.size()) return std::nullopt;
    out.user = std::string(userinfo.substr(0, colon));
    out.password = std::string(userinfo.substr(colon + 1));
    if (out.user.size() > 255 || out.password.size() > 255) return std::nullopt;  // SOCKS5's limits
    rest = rest.substr(at + 1);
  }
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') return std::nullopt;
    host = rest.substr(1, close - 1);
    unsigned char buf[16];
    if (::inet_pton(AF_INET6, std::string(host).c_str(), buf) != 1) return std::nullopt;
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    for (char c : host)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') return std::nullopt;
  }
  unsigned port_number = 0;
  if (!is_digits(port) || port.size() > 5) return std::nullopt;
  std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (port_number == 0 || port_number > 65535) return std::nullopt;
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port_number);
  return out;
}

std::string to_string(const ProxyUrl& proxy) {
  std::string out = "socks5://";
  if (!proxy.user.empty()) out += proxy.user + ":" + proxy.password + "@";
  return out + util::Endpoint{proxy.host, proxy.port}.to_string();
}

std::span<const OptionDef> option_table() {
  static const std::vector<OptionDef> table = make_table();
  return table;
}

const OptionDef* find_option(std::string_view name) {
  for (const auto& def : option_table())
    if (def.name == name) return &def;
  return nullptr;
}

std::string_view to_string(OptionType type) {
  switch (type) {
    case OptionType::string:
      return "STRING";
    case OptionType::boolean:
      return "BOOL";
    case OptionType::integer:
      return "INT";
    case OptionType::bytes:
      return "BYTES";
    case OptionType::endpoints:
      return "HOST:PORT,...";
    case OptionType::choice:
      return "CHOICE";
    case OptionType::path:
      return "PATH";
    case OptionType::address:
      return "ADDRESS";
    case OptionType::string_list:
      return "LIST";
  }
  return "?";
}

}  // namespace seedd::config
