#pragma once
// seedd's settings: one checked, normalized value per option of the registry (options.hpp),
// and the loader that layers defaults < config file < environment < command line.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/options.hpp"
#include "daemon/util/endpoint.hpp"

namespace seedd::config {

/// Where an option's current value came from (rpc: session.set, in the running process only).
enum class Source { default_value, file, env, cli, rpc };

/// "default", "file", "environment", "command line" or "session.set".
std::string_view to_string(Source source);

/// A value or argument a user gave that seedd cannot use. The message is one line that names
/// the option, the value (masked for secrets) and what is allowed, plus where it came from.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A host:port of an `endpoints` option (daemon/util/endpoint.hpp).
using Endpoint = util::Endpoint;

/// One value per registry option. A plain value type: whoever holds one decides who may
/// change it (the daemon keeps the live one on its main thread).
class Config {
 public:
  /// Every option at its registry default; computed defaults (data_dir, download_dir) stay ""
  /// until load() resolves them.
  Config();

  /// Value of a string, path, choice or address option (normalized: paths absolute, choices
  /// and addresses lower-case). Throws std::logic_error for an unknown name or another type.
  std::string get_string(std::string_view name) const;
  /// Value of a boolean option; std::logic_error for an unknown name or another type.
  bool get_bool(std::string_view name) const;
  /// Value of an integer option; std::logic_error for an unknown name or another type.
  int64_t get_int(std::string_view name) const;
  /// Value of a bytes option in bytes; std::logic_error for an unknown name or another type.
  uint64_t get_bytes(std::string_view name) const;
  /// Items of a string_list or endpoints option (endpoints as "host:port", IPv6 bracketed);
  /// std::logic_error for an unknown name or another type.
  std::vector<std::string> get_list(std::string_view name) const;
  /// Parsed items of an endpoints option; std::logic_error for an unknown name or another type.
  std::vector<Endpoint> get_endpoints(std::string_view name) const;
  /// Where the current value of `name` came from; std::logic_error for an unknown name.
  Source source(std::string_view name) const;

  /// Checks `value` against the option's type and rule, normalizes it and stores it with its
  /// source. An empty value is accepted only by lists (none) and by options whose default is
  /// empty (unset, or computed at load). Throws ConfigError for an unknown name or a bad value.
  void set(std::string_view name, std::string_view value, Source src);

  /// For --print-config: one line per option, `name = value  # source`, in registry order;
  /// the value of a secret that is set shows as ********. The output reads back as a config
  /// file (secrets aside).
  std::string print() const;

 private:
  struct Entry {
    std::string value;  // normalized text; "" = unset
    Source source = Source::default_value;
  };
  const Entry& entry(std::string_view name, std::initializer_list<OptionType> types) const;

  std::vector<Entry> m_entries;  // same order as option_table()
};

/// What load() found: the settings and what the command line asked seedd to do.
struct LoadResult {
  Config config;
  enum class Action { run, help, version, print_config } action = Action::run;
  std::filesystem::path config_file;  ///< the file that was read; empty if none
};

/// Builds the settings from the registry defaults, the config file, the environment (`env`,
/// SEEDD_<NAME>) and the command line, later winning; then resolves data_dir and download_dir.
/// Overwrites the values of secret options in `argv` with 'x' so `ps` does not show them.
/// With --help or --version nothing else is read or checked. Throws ConfigError.
LoadResult load(int argc, char** argv, const std::map<std::string, std::string>& env);

/// The text of `seedd --help`, generated from the registry.
std::string help_text();

}  // namespace seedd::config
