#pragma once
// seedctl's one command table. `seedctl --help` and the dispatch in seedctl_main() are made from
// it, and so are (by tests/tools/gen_docs.cpp, checked by tests/docs_check.sh) the table in
// scripts/seedctl.bash-completion, the man page and docs/seedctl.md: a command that is not in
// it does not exist.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/seedctl_internal.hpp"

namespace seedd::cli {

/// One way to call a command, as --help shows it: synopsis lines, then the description (lines
/// separated by '\n', as wrapped in --help).
struct CommandForm {
  std::vector<std::string_view> synopsis;
  std::string_view description;
};

/// A command line for docs/seedctl.md's examples, and what it does.
struct CommandExample {
  std::string_view command;
  std::string_view comment;  // lines separated by '\n'; may be empty
};

/// What bash completes a command's positional arguments to.
enum class CommandArgs {
  none,
  hash,           // the daemon's info-hashes
  hash_then_dir,  // an info-hash, then a directory
  torrent_file,   // .torrent files
  file,           // any file
  options,        // the command's own option words (key=value for the METHOD form)
  keys,           // KEY=VALUE of a settings table (the script knows the keys)
  pass,           // issue HASH..., add FILE, list [HASH]
};

using DaemonCommand = int (*)(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
using OfflineCommand = int (*)(const std::vector<std::string>& args, bool raw_json);
using ResultPrinter = void (*)(const nlohmann::json& result);

/// One command. Exactly one of run, run_offline, method or any_method says how it runs.
struct Command {
  std::string_view name = {};
  std::vector<CommandForm> forms = {};
  DaemonCommand run = nullptr;          // talks to the daemon
  OfflineCommand run_offline = nullptr;  // needs no daemon
  std::string_view method = {};         // the METHOD form under a name: params are key=value
  ResultPrinter print = nullptr;        // how `method`'s result is shown without --json
  bool any_method = false;              // the METHOD form itself (usage only)
  std::vector<std::string_view> options = {};  // completion words: "--flag", "--name=", "key="
  CommandArgs args = CommandArgs::none;
  std::vector<CommandExample> examples = {};
  std::string_view notes = {};  // docs/seedctl.md's paragraph on the command, markdown
};

/// Every command, in --help's order.
const std::vector<Command>& command_table();
/// The command called `name`; nullptr for none (or for the METHOD form's placeholder).
const Command* find_command(std::string_view name);
/// `seedctl --help`.
std::string usage_text();
/// The table scripts/seedctl.bash-completion reads: one line per command, tab-separated: name,
/// what its arguments complete to (CommandArgs' name), and its option words separated by spaces.
std::string completion_table();
/// CommandArgs' name as completion_table() writes it: "hash", "hash_then_dir", ...
std::string_view to_string(CommandArgs args);

// The commands (commands.cpp, torrent_commands.cpp, chain_commands.cpp, pass_commands.cpp,
// seedctl.cpp).
int cmd_add(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_create(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_list(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
/// info, pause, resume, remove, peers, files, trackers, recheck, reannounce and move: `command`
/// says which.
int cmd_one_torrent(const SeedctlClient& client, const std::string& command, const std::vector<std::string>& args,
                    bool raw_json);
int cmd_earnings(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_watch(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_session(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_ui(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_set(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_rpcauth(const std::vector<std::string>& args, bool raw_json);
int cmd_set_torrent(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_export(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_settle(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_bounties(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_fund(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_top_up(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_withdraw(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_balance(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_pass(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json);
int cmd_verify_claim(const std::vector<std::string>& args, bool raw_json);
void print_claim(const nlohmann::json& result);
void print_methods(const nlohmann::json& result);

}  // namespace seedd::cli
