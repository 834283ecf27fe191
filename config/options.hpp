#pragma once
// The one registry of seedd's options. The loader, `seedd --help`, `--print-config`, the
// example seedd.conf and `session.get`/`session.set` all walk this table, so an option that is
// not here does not exist and its help cannot drift from what the loader accepts.
#include <climits>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seedd::config {

/// How an option's text value is checked and normalized (see config.cpp for the rules).
enum class OptionType {
  string,
  boolean,
  integer,
  bytes,
  endpoints,
  choice,
  path,
  address,
  string_list
};

/// One option: its name (snake_case; `--name-with-dashes` on the command line, SEEDD_NAME in
/// the environment), type, default text and one line of help.
struct OptionDef {
  std::string_view name;
  OptionType type;
  /// Text as a user would write it; "" means unset, or computed at load (data_dir, download_dir).
  std::string_view default_value;
  std::string_view help;
  bool runtime = false;                        ///< can change while running (SIGHUP, session.set)
  bool secret = false;                         ///< never printed, logged or left visible in argv
  std::vector<std::string_view> choices = {};  ///< allowed values of a `choice` option
  int64_t min = INT64_MIN;                     ///< bounds of an `integer` option
  int64_t max = INT64_MAX;
  std::string_view group = {};  ///< heading under which --help and seedd.conf list the option
  /// An extra rule beyond the type, applied to the value (to each item of a string_list):
  /// returns the normalized text, or nullopt when the rule is broken; `expected` then says
  /// what is allowed, for the one-line error.
  std::optional<std::string> (*rule)(std::string_view item) = nullptr;
  std::string_view expected = {};
};

/// Every option, in the order --help lists them.
std::span<const OptionDef> option_table();

/// The option called `name` (snake_case, exactly), or nullptr.
const OptionDef* find_option(std::string_view name);

/// `path` made absolute against the current directory and lexically normalized (no trailing
/// slash); nullopt for "". The rule of `path` options and of path lists such as watch_dir.
std::optional<std::string> absolute_path(std::string_view path);
/// A watch_dir item: an absolute path, optionally "=label"; nullopt when not valid.
std::optional<std::string> watch_entry(std::string_view item);

/// The parts of a `proxy` value, socks5://[user:password@]host:port (host: a name, an IPv4
/// address, or an IPv6 address in brackets, kept here without them).
struct ProxyUrl {
  std::string user, password, host;
  uint16_t port = 0;
};
/// nullopt when `text` is not such a URL (the scheme is case-insensitive; user and password are
/// both given or neither; no whitespace or control characters anywhere).
std::optional<ProxyUrl> parse_proxy_url(std::string_view text);
/// The canonical text of a proxy URL (lower-case scheme, IPv6 host bracketed).
std::string to_string(const ProxyUrl& proxy);

/// Short name of a type as --help shows it after `=`: PATH, BOOL, INT, BYTES, ...
std::string_view to_string(OptionType type);

}  // namespace seedd::config
