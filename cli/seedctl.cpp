#include "cli/seedctl.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "daemon/accountant/claim_verify.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
#include "cli/display_width.hpp"
#include "daemon/util/http_client.hpp"
#include "daemon/util/json_input.hpp"
#include "cli/command_table.hpp"
#include "cli/seedctl_internal.hpp"

namespace seedd::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

fs::path default_data_dir() {
  if (const char* d = std::getenv("SEEDD_DATA_DIR"); d && *d) return d;
  if (const char* d = std::getenv("STATE_DIRECTORY"); d && *d) return d;
  return fs::path(env_or("HOME", "/root")) / ".local/share/seedd";
}

json parse_value(const std::string& v) {
  // Short integers, booleans, null, arrays and objects go as JSON; anything else (a 40-hex
  // hash made of digits only included: more than 15 digits) as a string.
  if (!v.empty() && (v.front() == '[' || v.front() == '{' || v == "true" || v == "false" || v == "null" ||
                     (v.size() <= 15 && v.find_first_not_of("0123456789-") == std::string::npos))) {
    auto j = json::parse(v, nullptr, false);
    if (!j.is_discarded()) return j;
  }
  return v;
}

}  // namespace

std::string seedctl_human_bytes(int64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::ostringstream o;
  o << std::fixed << std::setprecision(u ? 1 : 0) << v << " " << units[u];
  return o.str();
}

int64_t seedctl_as_int(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  return 0;
}

void seedctl_print_torrent_table(const json& torrents) {
  // Columns by display width, not bytes: a name in CJK or with accents keeps the columns after
  // it in place, and a cut lands between characters (display_width.hpp).
  std::cout << std::left << std::setw(10) << "HASH" << std::setw(28) << "NAME" << std::setw(22) << "STATE"
            << std::right << std::setw(7) << "DONE" << std::setw(12) << "UP/s" << std::setw(12) << "UPLOADED" << "\n";
  for (const auto& t : torrents) {
    const std::string name = pad_to_width(fit_to_width(t.value("name", ""), 26), 28);
    std::ostringstream done;
    done << std::fixed << std::setprecision(1) << t.value("progress", 0.0) * 100 << "%";
    std::cout << std::left << std::setw(10) << t.value("info_hash", "").substr(0, 8) << name
              << std::setw(22) << t.value("state", "") << std::right << std::setw(7) << done.str() << std::setw(12)
              << seedctl_human_bytes(seedctl_as_int(t.value("upload_rate", json(0)))) << std::setw(12)
              << seedctl_human_bytes(seedctl_as_int(t.value("uploaded_bytes", json("0")))) << "\n";
  }
}

namespace {

/// Reads and parses a JSON file for verify-claim; on failure prints why and returns nullopt.
std::optional<json> read_json_file(const std::string& what, const fs::path& path) {
  std::optional<std::string> text;
  try {
    text = util::read_file(path);
  } catch (const std::exception& e) {
    std::cerr << "seedctl: cannot read the " << what << " " << path.string() << ": " << e.what() << "\n";
    return std::nullopt;
  }
  if (!text) {
    std::cerr << "seedctl: no " << what << " at " << path.string() << "\n";
    return std::nullopt;
  }
  // A claim file is the user's own and may be far larger than an RPC body: the depth bound
  // (the stack) applies, not the bound on values.
  auto in = util::parse_untrusted_json(*text, util::kMaxJsonDepth, SIZE_MAX);
  if (!in.ok()) {
    std::cerr << "seedctl: the " << what << " " << path.string() << " " << util::json_input_problem(in) << "\n";
    return std::nullopt;
  }
  return std::move(in.value);
}

}  // namespace

/// `seedctl verify-claim FILE [--state F] [--chain-id N] [--pool ADDR]`: docs/protocol.md 7 offline.
int cmd_verify_claim(const std::vector<std::string>& args, bool raw_json) {
  std::optional<std::string> file, state_file, chain_text, pool_text;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    bool matched = false;
    for (auto [flag, target] : {std::pair{"--state", &state_file}, {"--chain-id", &chain_text}, {"--pool", &pool_text}}) {
      const std::string f = flag;
      if (a.rfind(f + "=", 0) == 0) {
        *target = a.substr(f.size() + 1);
        matched = true;
      } else if (a == f) {
        if (i + 1 >= args.size()) {
          std::cerr << "seedctl: verify-claim: " << f << " needs a value\n";
          return seedctl_exit::usage;
        }
        *target = args[++i];
        matched = true;
      }
      if (matched) break;
    }
    if (matched) continue;
    if (a.rfind("--", 0) == 0 || file) {
      std::cerr << "seedctl: verify-claim: unexpected argument '" << a << "'\n" << usage_text();
      return seedctl_exit::usage;
    }
    file = a;
  }
  if (!file) {
    std::cerr << "seedctl: verify-claim needs a claim FILE\n" << usage_text();
    return seedctl_exit::usage;
  }
  crypto::Domain domain;  // 31337 and the zero pool: "no pool configured yet"
  if (chain_text) {
    auto chain = crypto::parse_decimal_u64(*chain_text);
    if (!chain) {
      std::cerr << "seedctl: --chain-id must be a decimal integer, got '" << *chain_text << "'\n";
      return seedctl_exit::usage;
    }
    domain.chain_id = *chain;
  }
  if (pool_text) {
    auto pool = crypto::parse_address(*pool_text);
    if (!pool) {
      std::cerr << "seedctl: --pool must be a 0x address (EIP-55 when mixed case), got '" << *pool_text << "'\n";
      return seedctl_exit::usage;
    }
    domain.verifying_contract = *pool;
  }
  accountant::VerifierState state;
  if (state_file) {
    auto j = read_json_file("state file", *state_file);
    if (!j) return seedctl_exit::usage;
    try {
      state = accountant::verifier_state_from_json(*j);
    } catch (const std::exception& e) {
      std::cerr << "seedctl: the state file " << *state_file << " is not a verifier state: " << e.what() << "\n";
      return seedctl_exit::usage;
    }
  }
  auto claim = read_json_file("claim file", *file);
  if (!claim) return seedctl_exit::usage;

  const auto result = accountant::verify_claim(*claim, domain, state);
  if (raw_json) {
    json failures = json::array();
    for (const auto& f : result.failures) failures.push_back({{"rule", f.rule}, {"detail", f.detail}});
    std::cout << json{{"valid", result.valid}, {"failures", failures}}.dump(2) << "\n";
  } else if (result.valid) {
    std::cout << "valid\n";
  } else {
    std::cout << "invalid: " << result.failures.size() << " failed check" << (result.failures.size() == 1 ? "" : "s") << "\n";
    for (const auto& f : result.failures) std::cout << "  " << f.rule << ": " << f.detail << "\n";
  }
  return result.valid ? seedctl_exit::ok : seedctl_exit::rpc_error;
}

/// What `seedctl claim` prints of a rewards.claim result.
void print_claim(const json& result) {
  const auto& c = result.at("claim");
  const bool dry_run = result.value("dry_run", false);
  const std::string total = c.at("totalBytes").get<std::string>();
  std::cout << (dry_run ? "dry run: claim not recorded, nothing written\n" : "claimed\n");
  std::cout << "  nonce        " << c.at("nonce").get<std::string>() << "\n"
            << "  amount       " << c.at("amount").get<std::string>() << " base units\n"
            << "  total bytes  " << total << " (" << seedctl_human_bytes(seedctl_as_int(c.at("totalBytes"))) << ")\n"
            << "  receipts     " << c.at("receiptCount").get<std::string>() << "\n"
            << "  payout       " << c.at("payout").get<std::string>() << "\n";
  if (!dry_run) std::cout << "  file         " << result.value("file", std::string("?")) << "\n";
}

/// What `seedctl methods` prints of rpc.discover's result: one method a line.
void print_methods(const json& result) {
  for (const auto& m : result["methods"])
    std::cout << std::left << std::setw(24) << m["name"].get<std::string>() << " " << m["description"].get<std::string>()
              << "\n";
}

int seedctl_main(std::vector<std::string> args) {
  std::string url = env_or("SEEDD_RPC_URL", "http://127.0.0.1:8421/rpc");
  fs::path data_dir = default_data_dir();
  std::string user, password;
  bool raw_json = false;
  int timeout_ms = util::kDefaultHttpTimeoutMs;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value_of = [&](const std::string& flag) -> std::optional<std::string> {
      if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      std::cout << usage_text();
      return seedctl_exit::ok;
    } else if (a == "--json") {
      raw_json = true;
    } else if (auto v = value_of("--rpc")) {
      url = *v;
    } else if (auto v = value_of("--data-dir")) {
      data_dir = *v;
    } else if (auto v = value_of("--user")) {
      user = *v;
    } else if (auto v = value_of("--password")) {
      password = *v;
    } else if (auto v = value_of("--timeout-ms")) {
      const auto ms = crypto::parse_decimal_u64(*v);
      if (!ms || *ms < 1 || *ms > 24ull * 3600 * 1000) {
        std::cerr << "seedctl: --timeout-ms must be from 1 to 86400000, got '" << *v << "'\n";
        return seedctl_exit::usage;
      }
      timeout_ms = static_cast<int>(*ms);
    } else if (rest.empty() && a.rfind("--", 0) == 0) {
      std::cerr << "seedctl: unknown option " << a << "\n" << usage_text();
      return seedctl_exit::usage;
    } else {
      rest.push_back(a);
    }
  }
  if (rest.empty()) {
    std::cerr << usage_text();
    return seedctl_exit::usage;
  }
  const std::string command = rest[0];
  const std::vector<std::string> command_args(rest.begin() + 1, rest.end());
  const Command* named = find_command(command);
  // Offline: needs no daemon, no cookie, and takes its own --flags.
  if (named && named->run_offline) return named->run_offline(command_args, raw_json);
  const bool for_people = named && named->run;
  json params = json::object();
  for (size_t i = 1; !for_people && i < rest.size(); ++i) {
    const auto& kv = rest[i];
    const auto raw = kv.find(":=");
    const auto eq = kv.find('=');
    if (raw != std::string::npos && raw < eq) {
      auto j = json::parse(kv.substr(raw + 2), nullptr, false);
      if (j.is_discarded()) {
        std::cerr << "seedctl: '" << kv << "': the value after := is not valid JSON\n";
        return seedctl_exit::usage;
      }
      params[kv.substr(0, raw)] = j;
    } else if (eq != std::string::npos && eq > 0) {
      // An info-hash (or its prefix) stays text even when it is all digits.
      const auto key = kv.substr(0, eq);
      params[key] = key == "info_hash" ? json(kv.substr(eq + 1)) : parse_value(kv.substr(eq + 1));
    } else {
      std::cerr << "seedctl: '" << kv << "' is not key=value\n";
      return seedctl_exit::usage;
    }
  }
  const std::string method = named && !named->method.empty() ? std::string(named->method) : command;
  if (!named && command.find('.') == std::string::npos) {
    std::cerr << "seedctl: unknown command '" << command << "'\n" << usage_text();
    return seedctl_exit::usage;
  }

  SeedctlClient client{url, "", timeout_ms};
  if (!user.empty()) {
    client.credentials = user + ":" + password;
  } else {
    std::optional<std::string> cookie;
    try {
      cookie = util::read_file(data_dir / ".cookie");
    } catch (const std::exception& e) {
      std::cerr << "seedctl: cannot read the cookie: " << e.what() << "\n";
      return seedctl_exit::connection;
    }
    if (!cookie) {
      std::cerr << "seedctl: no cookie at " << (data_dir / ".cookie").string()
                << " (is seedd running? use --data-dir, or --user/--password)\n";
      return seedctl_exit::connection;
    }
    client.credentials = *cookie;
    while (!client.credentials.empty() && std::isspace(static_cast<unsigned char>(client.credentials.back())))
      client.credentials.pop_back();
  }
  if (for_people) return named->run(client, command_args, raw_json);
  // The named commands take a prefix of an info-hash (list shows 8 characters); so does
  // info_hash=PREFIX in the METHOD form.
  if (params.contains("info_hash") && params["info_hash"].is_string()) {
    const auto text = params["info_hash"].get<std::string>();
    if (!text.empty() && text.size() < 40 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
      int rc = seedctl_exit::ok;
      auto ih = seedctl_resolve_hash(client, method, text, rc);
      if (!ih) return rc;
      params["info_hash"] = *ih;
    }
  }

  json result;
  if (int rc = client.call(method, params, result); rc != seedctl_exit::ok) return rc;
  if (named && named->print && !raw_json) named->print(result);
  else std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  return seedctl_exit::ok;
}

int SeedctlClient::call(const std::string& method, const json& params, json& result, int timeout_ms_override) const {
  const json request = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  util::HttpClientResponse resp;
  try {
    resp = util::http_post(url, request.dump(), {{"Authorization", "Basic " + util::base64_encode(credentials)}},
                           timeout_ms_override > 0 ? timeout_ms_override : timeout_ms);
  } catch (const util::HttpTimeout& e) {
    std::cerr << "seedctl: " << e.what() << " (is the daemon stuck? --timeout-ms sets the limit)\n";
    return seedctl_exit::connection;
  } catch (const std::exception& e) {
    std::cerr << "seedctl: " << e.what() << "\n";
    return seedctl_exit::connection;
  }
  if (resp.status != 200) {
    std::cerr << "seedctl: HTTP " << resp.status << ": " << resp.body << "\n";
    if (resp.status == 401) std::cerr << "seedctl: wrong or missing credentials (--user/--password, or the cookie)\n";
    return seedctl_exit::connection;
  }
  const auto reply = json::parse(resp.body, nullptr, false);
  if (reply.is_discarded() || !reply.is_object()) {
    std::cerr << "seedctl: the daemon's answer is not JSON\n";
    return seedctl_exit::connection;
  }
  if (reply.contains("error")) {
    const auto& err = reply["error"];
    std::cerr << "seedctl: " << err.value("message", std::string("error")) << " (code " << err.value("code", 0) << ")\n";
    return seedctl_exit::rpc_error;
  }
  result = reply.value("result", json());
  return seedctl_exit::ok;
}

}  // namespace seedd::cli
