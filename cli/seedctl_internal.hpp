#pragma once
// seedctl's pieces the command files share: the client, argument parsing, tables and info-hash
// prefixes. The commands themselves are declared in command_table.hpp.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace seedd::cli {

/// A connection to the daemon's RPC endpoint.
struct SeedctlClient {
  std::string url;
  std::string credentials;  // "user:password" for HTTP Basic
  int timeout_ms = 30000;
  /// Calls `method`; on success stores the result and returns seedctl_exit::ok, else prints why
  /// on stderr and returns rpc_error (a JSON-RPC error) or connection (no answer, HTTP error).
  int call(const std::string& method, const nlohmann::json& params, nlohmann::json& result,
           int timeout_ms_override = 0) const;
};

std::string seedctl_human_bytes(int64_t n);
int64_t seedctl_as_int(const nlohmann::json& v);
void seedctl_print_torrent_table(const nlohmann::json& torrents);

/// `key: value` lines of an object; a table of an array of objects (`preferred` columns first).
void seedctl_print_fields(const nlohmann::json& obj);
void seedctl_print_rows(const nlohmann::json& rows, const std::vector<std::string>& preferred = {});

/// A command's arguments: positional ones, `--flag`s, and `--name=value` (or `--name value`).
struct SeedctlArgs {
  std::vector<std::string> pos;
  std::set<std::string> flags;
  std::map<std::string, std::string> values;
};
/// Splits `in` by the flags `cmd` takes; prints why not (naming `cmd`) and returns nullopt on an
/// unknown option, a value missing, or more than `max_pos` positional arguments.
std::optional<SeedctlArgs> seedctl_parse_args(const std::string& cmd, const std::vector<std::string>& in,
                                              size_t max_pos, const std::set<std::string>& bool_flags,
                                              const std::set<std::string>& value_flags);
/// `--expires=UNIX` or `--days=N` (1 to 36500, from now) as unix seconds. nullopt with `error`
/// empty when neither is given, or with `error` saying what is wrong with the one given.
std::optional<int64_t> seedctl_expiry(const SeedctlArgs& args, std::string& error);

/// A full 40-hex info-hash from `arg`: itself, or the one torrent whose hash starts with it
/// (the table shows 8 characters). Prints why not (naming `cmd`), sets `exit_code` and returns
/// nullopt otherwise.
std::optional<std::string> seedctl_resolve_hash(const SeedctlClient& client, const std::string& cmd,
                                                const std::string& arg, int& exit_code);

}  // namespace seedd::cli
