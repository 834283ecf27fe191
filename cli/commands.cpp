// seedctl's commands for people: add, create, list, info, pause, resume, remove, peers, files,
// trackers, recheck, reannounce, move, earnings, watch (events.poll), session, ui, set
// (session.get/set), rpcauth. Tables by default, the daemon's JSON with --json. The command
// table (command_table.cpp) names them.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "daemon/crypto/hex.hpp"
#include "daemon/engine/torrent_states.hpp"
#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/auth.hpp"
#include "cli/display_width.hpp"
#include "cli/seedctl.hpp"
#include "cli/command_table.hpp"
#include "cli/seedctl_internal.hpp"

namespace seedd::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

/// A command's own arguments: positionals and --flags (boolean, or with a value that may repeat).
struct Args {
  std::vector<std::string> pos;
  std::set<std::string> flags;
  std::map<std::string, std::vector<std::string>> values;
  std::optional<std::string> value(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional(it->second.back());
  }
};

std::optional<Args> parse_args(const std::string& cmd, const std::vector<std::string>& in, size_t min_pos,
                               size_t max_pos, const std::set<std::string>& bool_flags,
                               const std::set<std::string>& value_flags) {
  Args out;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& a = in[i];
    if (a.rfind("--", 0) == 0) {
      const auto eq = a.find('=');
      const auto name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (bool_flags.count(name) && eq == std::string::npos) {
        out.flags.insert(name);
      } else if (value_flags.count(name)) {
        if (eq != std::string::npos) {
          out.values[name].push_back(a.substr(eq + 1));
        } else if (i + 1 < in.size()) {
          out.values[name].push_back(in[++i]);
        } else {
          std::cerr << "seedctl: " << cmd << ": --" << name << " needs a value\n";
          return std::nullopt;
        }
      } else {
        std::cerr << "seedctl: " << cmd << ": unknown option " << a << " (seedctl --help)\n";
        return std::nullopt;
      }
    } else {
      out.pos.push_back(a);
    }
  }
  if (out.pos.size() < min_pos || out.pos.size() > max_pos) {
    std::cerr << "seedctl: " << cmd << ": expected " << (min_pos == max_pos ? "" : "at most ") << max_pos
              << " argument" << (max_pos == 1 ? "" : "s") << ", got " << out.pos.size() << " (seedctl --help)\n";
    return std::nullopt;
  }
  return out;
}

std::string scalar_text(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// `key: value` lines for an object (nested values as compact JSON).
void print_fields(const json& obj) {
  size_t width = 0;
  for (const auto& [k, v] : obj.items()) width = std::max(width, k.size());
  for (const auto& [k, v] : obj.items())
    std::cout << std::left << std::setw(static_cast<int>(width + 2)) << k << scalar_text(v) << "\n";
}

/// A table of an array of objects: the scalar fields of the first row as columns.
void print_rows(const json& rows, const std::vector<std::string>& preferred = {}) {
  if (!rows.is_array() || rows.empty()) {
    std::cout << "(none)\n";
    return;
  }
  std::vector<std::string> cols;
  for (const auto& c : preferred)
    if (rows[0].contains(c)) cols.push_back(c);
  for (const auto& [k, v] : rows[0].items())
    if (!v.is_structured() && std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  std::vector<size_t> width;
  for (const auto& c : cols) {
    size_t w = c.size();
    for (const auto& r : rows) w = std::max(w, display_width(scalar_text(r.value(c, json()))));
    width.push_back(std::min<size_t>(w, 42));
  }
  // By display width: a peer's client or a file's path may be CJK (display_width.hpp).
  auto cell = [](const std::string& s, size_t w) { return pad_to_width(fit_to_width(s, w), w + 2); };
  for (size_t i = 0; i < cols.size(); ++i) {
    std::string head = cols[i];
    std::transform(head.begin(), head.end(), head.begin(), ::toupper);
    std::cout << cell(head, width[i]);
  }
  std::cout << "\n";
  for (const auto& r : rows) {
    for (size_t i = 0; i < cols.size(); ++i)
      std::cout << cell(scalar_text(r.value(cols[i], json())), width[i]);
    std::cout << "\n";
  }
}

bool is_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::optional<SeedctlArgs> seedctl_parse_args(const std::string& cmd, const std::vector<std::string>& in,
                                              size_t max_pos, const std::set<std::string>& bool_flags,
                                              const std::set<std::string>& value_flags) {
  auto a = parse_args(cmd, in, 0, max_pos, bool_flags, value_flags);
  if (!a) return std::nullopt;
  SeedctlArgs out{std::move(a->pos), std::move(a->flags), {}};
  for (auto& [name, values] : a->values) out.values[name] = std::move(values.back());  // the last one given
  return out;
}

std::optional<int64_t> seedctl_expiry(const SeedctlArgs& args, std::string& error) {
  error.clear();
  if (auto it = args.values.find("expires"); it != args.values.end()) {
    const auto n = crypto::parse_decimal_u64(it->second);
    if (!n || *n > static_cast<uint64_t>(INT64_MAX)) {
      error = "--expires must be unix seconds, got '" + it->second + "'";
      return std::nullopt;
    }
    return static_cast<int64_t>(*n);
  }
  if (auto it = args.values.find("days"); it != args.values.end()) {
    const auto d = crypto::parse_decimal_u64(it->second);
    if (!d || *d == 0 || *d > 36500) {
      error = "--days must be 1 to 36500, got '" + it->second + "'";
      return std::nullopt;
    }
    return util::unix_now() + static_cast<int64_t>(*d) * 86400;
  }
  return std::nullopt;
}

std::optional<std::string> seedctl_resolve_hash(const SeedctlClient& client, const std::string& cmd,
                                                const std::string& arg, int& exit_code) {
  exit_code = seedctl_exit::usage;
  if (!is_hex(arg) || arg.size() > 40) {
    std::cerr << "seedctl: " << cmd << ": '" << arg << "' is not an info-hash (40 hex digits, or a prefix)\n";
    return std::nullopt;
  }
  if (arg.size() == 40) return arg;
  json result;
  if (int rc = client.call("torrent.list", {{"fields", json::array({"info_hash"})}}, result); rc != seedctl_exit::ok) {
    exit_code = rc;
    return std::nullopt;
  }
  std::string lower = arg;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  std::vector<std::string> found;
  for (const auto& t : result["torrents"]) {
    const auto ih = t.value("info_hash", std::string());
    if (ih.rfind(lower, 0) == 0) found.push_back(ih);
  }
  if (found.size() == 1) return found[0];
  exit_code = seedctl_exit::rpc_error;
  std::cerr << "seedctl: " << cmd << ": " << (found.empty() ? "no torrent" : "more than one torrent")
            << " has an info-hash starting with " << arg << "\n";
  return std::nullopt;
}

int cmd_add(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("add", in, 0, 1, {"paused"}, {"torrent-base64", "save-path", "peer", "remote-path"});
  if (!a) return seedctl_exit::usage;
  json params = json::object();
  const int sources = static_cast<int>(a->pos.size()) + (a->value("torrent-base64") ? 1 : 0) + (a->value("remote-path") ? 1 : 0);
  if (sources != 1) {
    std::cerr << "seedctl: add: give exactly one of a magnet URI, a .torrent file, --torrent-base64=B64 or "
                 "--remote-path=PATH (a .torrent on the daemon's side)\n";
    return seedctl_exit::usage;
  }
  if (auto b = a->value("torrent-base64")) {
    params["torrent"] = *b;
  } else if (auto p = a->value("remote-path")) {
    params["path"] = *p;
  } else if (a->pos[0].rfind("magnet:", 0) == 0) {
    params["magnet"] = a->pos[0];
  } else {
    std::optional<std::string> data;
    try {
      data = util::read_file(a->pos[0]);
    } catch (const std::exception& e) {
      std::cerr << "seedctl: add: cannot read " << a->pos[0] << ": " << e.what() << "\n";
      return seedctl_exit::usage;
    }
    if (!data) {
      std::cerr << "seedctl: add: " << a->pos[0] << " is neither a magnet URI nor a file\n";
      return seedctl_exit::usage;
    }
    params["torrent"] = util::base64_encode(*data);
  }
  if (a->flags.count("paused")) params["paused"] = true;
  if (auto s = a->value("save-path")) params["save_path"] = *s;
  if (a->values.count("peer")) params["peers"] = a->values.at("peer");
  json result;
  if (int rc = client.call("torrent.add", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else std::cout << (result.value("existed", false) ? "already present " : "added ")
                 << result.value("info_hash", std::string("?")) << "\n";
  return seedctl_exit::ok;
}

int cmd_create(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("create", in, 1, 1, {"v1", "v2", "hybrid"}, {"tracker", "comment", "out"});
  if (!a) return seedctl_exit::usage;
  json params = {{"path", a->pos[0]}};
  if (a->flags.size() > 1) {
    std::cerr << "seedctl: create: give at most one of --v1, --v2 and --hybrid\n";
    return seedctl_exit::usage;
  }
  if (!a->flags.empty()) params["version"] = *a->flags.begin();
  if (a->values.count("tracker")) params["trackers"] = a->values.at("tracker");
  if (auto c = a->value("comment")) params["comment"] = *c;
  json result;
  if (int rc = client.call("torrent.create", params, result); rc != seedctl_exit::ok) return rc;
  if (auto out = a->value("out")) {
    auto data = util::base64_decode(result.value("torrent", std::string()));
    if (!data) {
      std::cerr << "seedctl: create: the daemon's .torrent is not base64\n";
      return seedctl_exit::connection;
    }
    try {
      util::write_file_atomic(*out, *data);
    } catch (const std::exception& e) {
      std::cerr << "seedctl: create: cannot write " << *out << ": " << e.what() << "\n";
      return seedctl_exit::usage;
    }
  }
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
  } else {
    const auto ih = result.value("info_hash", std::string("?"));
    if (result.value("existed", false)) std::cout << "already present " << ih << " (nothing added)\n";
    else std::cout << "created " << ih << " (now seeding)\n";
    std::cout << "magnet  " << result.value("magnet", std::string()) << "\n";
    if (auto out = a->value("out")) std::cout << "torrent " << *out << "\n";
  }
  return seedctl_exit::ok;
}

int cmd_list(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("list", in, 0, 0, {}, {"state", "label"});
  if (!a) return seedctl_exit::usage;
  json params = json::object();
  if (auto s = a->value("state")) {
    if (!is_torrent_state(*s)) {
      std::cerr << "seedctl: list: --state must be one of " << torrent_states_text() << ", got '" << *s << "'\n";
      return seedctl_exit::usage;
    }
    params["state"] = *s;
  }
  if (auto l = a->value("label")) params["label"] = *l;
  json result;
  if (int rc = client.call("torrent.list", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else seedctl_print_torrent_table(result["torrents"]);
  return seedctl_exit::ok;
}

/// One info-hash (and for move, a path): info, pause, resume, remove, peers, files, trackers,
/// recheck, reannounce, move.
int cmd_one_torrent(const SeedctlClient& client, const std::string& cmd, const std::vector<std::string>& in,
                    bool raw_json) {
  static const std::map<std::string, std::string> method = {
      {"info", "torrent.get"},          {"pause", "torrent.pause"},       {"resume", "torrent.resume"},
      {"remove", "torrent.remove"},     {"peers", "torrent.peers"},       {"files", "torrent.files"},
      {"trackers", "torrent.trackers"}, {"recheck", "torrent.recheck"},   {"reannounce", "torrent.reannounce"},
      {"move", "torrent.move"}};
  static const std::map<std::string, std::set<std::string>> flags = {
      {"remove", {"delete-data"}}, {"recheck", {"redownload"}}, {"move", {"no-move-data"}}};
  const auto f = flags.find(cmd);
  const size_t positionals = cmd == "move" ? 2 : 1;
  auto a = parse_args(cmd, in, positionals, positionals, f == flags.end() ? std::set<std::string>{} : f->second, {});
  if (!a) return seedctl_exit::usage;
  int rc = seedctl_exit::ok;
  auto ih = seedctl_resolve_hash(client, cmd, a->pos[0], rc);
  if (!ih) return rc;
  json params = {{"info_hash", *ih}};
  if (a->flags.count("delete-data")) params["delete_data"] = true;
  if (a->flags.count("redownload")) params["redownload"] = true;
  if (cmd == "move") {
    params["location"] = a->pos[1];
    if (a->flags.count("no-move-data")) params["move_data"] = false;
  }
  json result;
  if (rc = client.call(method.at(cmd), params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  } else if (cmd == "info") {
    print_fields(result);
  } else if (cmd == "peers") {
    // Rates and totals for people; --json has the numbers.
    json rows = json::array();
    for (const auto& p : result["peers"]) {
      std::ostringstream progress;
      progress << std::fixed << std::setprecision(1) << p.value("progress", 0.0) * 100 << "%";
      const auto dir = p.value("direction", json());
      rows.push_back({{"endpoint", p.value("endpoint", json())},
                      {"client", p.value("client", json())},
                      {"progress", progress.str()},
                      {"up/s", seedctl_human_bytes(seedctl_as_int(p.value("upload_rate", json(0))))},
                      {"down/s", seedctl_human_bytes(seedctl_as_int(p.value("download_rate", json(0))))},
                      {"conn", p.value("connection", json())},
                      {"enc", p.value("encrypted", false) ? "yes" : "no"},
                      {"dir", dir.is_string() ? json(dir.get<std::string>() == "incoming" ? "in" : "out") : dir},
                      {"sent", seedctl_human_bytes(seedctl_as_int(p.value("sent_bytes", json("0"))))},
                      {"received", seedctl_human_bytes(seedctl_as_int(p.value("received_bytes", json("0"))))},
                      {"receipted", seedctl_human_bytes(seedctl_as_int(p.value("receipted_bytes", json("0"))))},
                      {"lane", p.value("lane", json())},
                      {"pass", p.value("pass", json())},
                      {"seedd_address", p.value("seedd_address", json())}});
    }
    print_rows(rows, {"endpoint", "client", "progress", "up/s", "down/s", "conn", "enc", "dir", "sent", "received",
                      "receipted", "lane", "pass", "seedd_address"});
  } else if (cmd == "files") {
    print_rows(result["files"], {"index", "priority", "size_bytes", "done_bytes", "path"});
  } else if (cmd == "trackers") {
    print_rows(result["trackers"], {"tier", "url"});
  } else if (cmd == "move") {
    std::cout << "moving " << *ih << " to " << a->pos[1] << "\n";
  } else {
    static const std::map<std::string, std::string> done = {{"pause", "paused"},         {"resume", "resumed"},
                                                            {"remove", "removed"},       {"recheck", "checking"},
                                                            {"reannounce", "announced"}};
    std::cout << done.at(cmd) << " " << *ih << (a->flags.count("delete-data") ? " and deleted its data" : "")
              << (a->flags.count("redownload") ? " (its data will be downloaded again where missing)" : "") << "\n";
  }
  return seedctl_exit::ok;
}

int cmd_earnings(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("earnings", in, 0, 0, {"by-torrent"}, {"since", "until"});
  if (!a) return seedctl_exit::usage;
  json params = json::object();
  for (const char* k : {"since", "until"}) {
    if (auto v = a->value(k)) {
      auto n = crypto::parse_decimal_u64(*v);
      if (!n) {
        std::cerr << "seedctl: earnings: --" << k << " must be unix seconds, got '" << *v << "'\n";
        return seedctl_exit::usage;
      }
      params[k] = *n;
    }
  }
  const bool by_torrent = a->flags.count("by-torrent") > 0;
  json result;
  if (int rc = client.call(by_torrent ? "earnings.by_torrent" : "earnings.summary", params, result); rc != seedctl_exit::ok)
    return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else if (by_torrent) print_rows(result["torrents"], {"info_hash", "name"});
  else print_fields(result);
  return seedctl_exit::ok;
}

namespace {

std::string utc_time(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::ostringstream o;
  o << std::put_time(&tm, "%Y-%m-%dT%H:%M:%SZ");
  return o.str();
}

}  // namespace

/// `watch`: follows events.poll (long poll), one line per event.
int cmd_watch(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("watch", in, 0, 0, {}, {"since", "count", "poll-ms"});
  if (!a) return seedctl_exit::usage;
  std::optional<uint64_t> since, count;
  uint64_t poll_ms = 25000;
  for (auto [name, target] : {std::pair{"since", &since}, {"count", &count}}) {
    if (auto v = a->value(name)) {
      *target = crypto::parse_decimal_u64(*v);
      if (!*target) {
        std::cerr << "seedctl: watch: --" << name << " must be a non-negative integer, got '" << *v << "'\n";
        return seedctl_exit::usage;
      }
    }
  }
  if (auto v = a->value("poll-ms")) {
    auto n = crypto::parse_decimal_u64(*v);
    if (!n || *n < 1 || *n > 60000) {
      std::cerr << "seedctl: watch: --poll-ms must be from 1 to 60000, got '" << *v << "'\n";
      return seedctl_exit::usage;
    }
    poll_ms = *n;
  }
  uint64_t shown = 0;
  while (!count || shown < *count) {
    json params = {{"timeout_ms", poll_ms}};
    if (since) params["since"] = *since;
    json result;
    if (int rc = client.call("events.poll", params, result, static_cast<int>(poll_ms) + client.timeout_ms);
        rc != seedctl_exit::ok)
      return rc;
    if (result.value("missed", false))
      std::cerr << "seedctl: watch: events were missed (dropped from the daemon's history, or it restarted); "
                   "re-read the state you follow\n";
    for (const auto& e : result["events"]) {
      if (count && shown >= *count) break;
      ++shown;
      if (raw_json) {
        std::cout << e.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
        continue;
      }
      json p = e.value("params", json::object());
      std::cout << std::left << std::setw(6) << seedctl_as_int(p.value("seq", json(0))) << " "
                << utc_time(seedctl_as_int(p.value("time", json(0)))) << "  " << std::setw(18)
                << e.value("method", std::string("?"));
      p.erase("seq");
      p.erase("time");
      for (const auto& [k, v] : p.items()) std::cout << " " << k << "=" << scalar_text(v);
      std::cout << std::endl;
    }
    if (result.contains("next")) since = static_cast<uint64_t>(seedctl_as_int(result["next"]));
  }
  return seedctl_exit::ok;
}

/// `session`: the runtime settings in force (session.get).
int cmd_session(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("session", in, 0, 0, {}, {});
  if (!a) return seedctl_exit::usage;
  json result;
  if (int rc = client.call("session.get", json::object(), result); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else print_fields(result);
  return seedctl_exit::ok;
}

/// `ui`: a one-time login link to the web page (ui.login_link), on the endpoint seedctl uses.
int cmd_ui(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("ui", in, 0, 0, {}, {});
  if (!a) return seedctl_exit::usage;
  json result;
  if (int rc = client.call("ui.login_link", json::object(), result); rc != seedctl_exit::ok) return rc;
  auto base = client.url;
  if (base.ends_with("/rpc")) base.resize(base.size() - 4);
  const auto url = base + result.value("path", std::string());
  if (raw_json) {
    std::cout << json{{"url", url}, {"expires_in_s", result.value("expires_in_s", 0)}}.dump(2) << "\n";
  } else {
    std::cout << "Open this link in a browser to log in to seedd's web page as the admin (it works once, within "
              << result.value("expires_in_s", 0) / 60 << " minutes):\n"
              << url << "\n";
  }
  return seedctl_exit::ok;
}

/// `set KEY=VALUE ...`: changes runtime settings of the running daemon (session.set), all at
/// once or none. A value that reads as a JSON number or boolean is sent as one, anything else
/// as a string ("2MiB", "forced", a path); names may use dashes.
int cmd_set(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  if (in.empty()) {
    std::cerr << "seedctl: set: expected KEY=VALUE ... (seedctl session shows the keys)\n";
    return seedctl_exit::usage;
  }
  json params = json::object();
  for (const auto& kv : in) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0 || kv.rfind("--", 0) == 0) {
      std::cerr << "seedctl: set: '" << kv << "' is not KEY=VALUE\n";
      return seedctl_exit::usage;
    }
    std::string key = kv.substr(0, eq);
    std::replace(key.begin(), key.end(), '-', '_');
    const std::string text = kv.substr(eq + 1);
    json value = text;
    const auto parsed = json::parse(text, nullptr, false);
    if (!parsed.is_discarded() && (parsed.is_number_integer() || parsed.is_boolean())) value = parsed;
    params[key] = value;
  }
  json result;
  if (int rc = client.call("session.set", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else print_fields(result);
  return seedctl_exit::ok;
}

/// `rpcauth USER [--scope read|admin]`: a new rpc_auth entry and its random password.
int cmd_rpcauth(const std::vector<std::string>& in, bool raw_json) {
  auto a = parse_args("rpcauth", in, 1, 1, {}, {"scope"});
  if (!a) return seedctl_exit::usage;
  const std::string user = a->pos[0];
  if (user.empty() || user.find_first_of(": \t\r\n#\"") != std::string::npos || user == rpc::kCookieUser) {
    std::cerr << "seedctl: rpcauth: the user name must be non-empty, not " << rpc::kCookieUser
              << ", and contain no ':', '#', quote or whitespace\n";
    return seedctl_exit::usage;
  }
  const std::string scope_text = a->value("scope").value_or("admin");
  if (scope_text != "read" && scope_text != "admin") {
    std::cerr << "seedctl: rpcauth: --scope must be read or admin, got '" << scope_text << "'\n";
    return seedctl_exit::usage;
  }
  const auto scope = scope_text == "read" ? rpc::Scope::read : rpc::Scope::admin;
  const std::string password = rpc::random_hex(24);
  const std::string entry = rpc::make_rpc_auth_entry(user, password, scope);
  if (!rpc::RpcAuthEntry::parse(entry)) {  // the daemon's own parser must accept what we print
    std::cerr << "seedctl: rpcauth: made an entry the daemon would not accept\n";
    return seedctl_exit::rpc_error;
  }
  if (raw_json) {
    std::cout << json{{"user", user}, {"scope", scope_text}, {"rpc_auth", entry}, {"password", password}}.dump(2) << "\n";
  } else {
    std::cout << "# add to seedd.conf (or pass --rpc-auth=...); several rpc_auth entries may be given\n"
              << "rpc_auth = " << entry << "\n"
              << "# the password for " << user << " (shown once, not stored anywhere):\n"
              << "password: " << password << "\n";
  }
  return seedctl_exit::ok;
}

void seedctl_print_fields(const json& obj) { print_fields(obj); }
void seedctl_print_rows(const json& rows, const std::vector<std::string>& preferred) { print_rows(rows, preferred); }

}  // namespace seedd::cli
