// seedctl's pass commands (docs/protocol.md 9): `pass issue` for creators, `pass add` and
// `pass list` for viewers.
#include <chrono>
#include <iostream>
#include <iterator>

#include "daemon/crypto/hex.hpp"
#include "daemon/util/atomic_file.hpp"
#include "cli/seedctl.hpp"
#include "cli/command_table.hpp"
#include "cli/seedctl_internal.hpp"

namespace seedd::cli {
namespace {

using json = nlohmann::json;

constexpr const char* kPassUsage =
    "usage: seedctl pass issue HASH LEECHER... --expires=UNIX|--days=N\n"
    "       seedctl pass add FILE|-\n"
    "       seedctl pass list [HASH]\n";

int usage_error(const std::string& message) {
  std::cerr << "seedctl: pass: " << message << "\n" << kPassUsage;
  return seedctl_exit::usage;
}

/// `pass issue HASH LEECHER... --expires=UNIX|--days=N`: one pass document per line (JSON), so
/// that each line can go to its viewer as it is.
int pass_issue(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json) {
  const auto parsed = seedctl_parse_args("pass issue", args, SIZE_MAX, {}, {"expires", "days"});
  if (!parsed) {  // it said why
    std::cerr << kPassUsage;
    return seedctl_exit::usage;
  }
  std::string problem;
  const auto expires = seedctl_expiry(*parsed, problem);
  if (!problem.empty()) return usage_error(problem);
  const auto& pos = parsed->pos;
  if (pos.size() < 2 || !expires) return usage_error("issue needs HASH, at least one LEECHER and --expires or --days");
  int rc = seedctl_exit::ok;
  const auto hash = seedctl_resolve_hash(client, "pass issue", pos[0], rc);
  if (!hash) return rc;
  json params = {{"info_hash", *hash}, {"expires_at", *expires}};
  if (pos.size() == 2) params["leecher"] = pos[1];
  else params["leechers"] = std::vector<std::string>(pos.begin() + 1, pos.end());
  json result;
  if (rc = client.call("pass.issue", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
  } else {
    for (const auto& p : result["passes"]) std::cout << p.dump() << "\n";
  }
  return seedctl_exit::ok;
}

/// `pass add FILE|-`: a file (or stdin) holding one pass document, a JSON array of them, or one
/// document per line (what `pass issue` prints).
int pass_add(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json) {
  if (args.size() != 1) return usage_error("add needs one FILE, or - for stdin");
  std::optional<std::string> text;
  if (args[0] == "-") {
    text = std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    try {
      text = util::read_file(args[0]);
    } catch (const std::exception& e) {
      std::cerr << "seedctl: pass add: cannot read " << args[0] << ": " << e.what() << "\n";
      return seedctl_exit::usage;
    }
    if (!text) {
      std::cerr << "seedctl: pass add: no file " << args[0] << "\n";
      return seedctl_exit::usage;
    }
  }
  std::vector<json> docs;
  auto whole = json::parse(*text, nullptr, false);
  if (!whole.is_discarded()) {
    if (whole.is_array()) docs.assign(whole.begin(), whole.end());
    else if (whole.is_object() && whole.contains("passes") && whole["passes"].is_array()) docs.assign(whole["passes"].begin(), whole["passes"].end());
    else docs.push_back(whole);
  } else {
    size_t start = 0, line_no = 0;
    while (start < text->size()) {
      const auto end = std::min(text->find('\n', start), text->size());
      const auto line = text->substr(start, end - start);
      start = end + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto doc = json::parse(line, nullptr, false);
      if (doc.is_discarded()) {
        std::cerr << "seedctl: pass add: line " << line_no << " of " << args[0] << " is not JSON\n";
        return seedctl_exit::usage;
      }
      docs.push_back(std::move(doc));
    }
  }
  if (docs.empty()) return usage_error("no pass document in " + args[0]);
  int worst = seedctl_exit::ok;
  for (const auto& doc : docs) {
    json result;
    if (int rc = client.call("pass.add", {{"pass", doc}}, result); rc != seedctl_exit::ok) {
      worst = rc;
      continue;
    }
    if (raw_json) std::cout << result.dump(2) << "\n";
    else
      std::cout << (result.value("added", false) ? "added" : "kept (a pass lasting as long was held)") << ": pass for "
                << result.value("infohash", std::string("?")) << " by " << result.value("signer", std::string("?"))
                << " until " << result.value("expiresAt", std::string("?")) << "\n";
  }
  return worst;
}

int pass_list(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json) {
  if (args.size() > 1) return usage_error("list takes at most one HASH");
  json params = json::object();
  if (!args.empty()) {
    int rc = seedctl_exit::ok;
    const auto hash = seedctl_resolve_hash(client, "pass list", args[0], rc);
    if (!hash) return rc;
    params["info_hash"] = *hash;
  }
  json result;
  if (int rc = client.call("pass.list", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
    return seedctl_exit::ok;
  }
  json rows = json::array();
  for (const auto& p : result["passes"])
    rows.push_back({{"info_hash", p["info_hash"].get<std::string>().substr(0, 8)},
                    {"signer", p["signer"]},
                    {"expires_at", p["expiresAt"]},
                    {"expired", p["expired"].get<bool>() ? "yes" : "no"}});
  seedctl_print_rows(rows, {"info_hash", "signer", "expires_at", "expired"});
  return seedctl_exit::ok;
}

}  // namespace

int cmd_pass(const SeedctlClient& client, const std::vector<std::string>& args, bool raw_json) {
  if (args.empty()) return usage_error("needs issue, add or list");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "issue") return pass_issue(client, rest, raw_json);
  if (args[0] == "add") return pass_add(client, rest, raw_json);
  if (args[0] == "list") return pass_list(client, rest, raw_json);
  return usage_error("unknown pass command '" + args[0] + "'");
}

}  // namespace seedd::cli
