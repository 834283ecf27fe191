// seedctl's commands that change or fetch one torrent beyond its state: set-torrent
// (torrent.set) and export (torrent.export).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>

#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
#include "cli/seedctl.hpp"
#include "cli/command_table.hpp"
#include "cli/seedctl_internal.hpp"

namespace seedd::cli {
namespace {

using json = nlohmann::json;

/// Bytes per second as seedd.conf writes them: digits with an optional K, M, G (1000) or KiB,
/// MiB, GiB (1024) suffix (and an optional "/s"). nullopt when it is not one.
std::optional<int64_t> parse_rate(std::string text) {
  if (text.size() > 2 && text.compare(text.size() - 2, 2, "/s") == 0) text.resize(text.size() - 2);
  const auto digits = text.find_first_not_of("0123456789");
  if (digits == 0 || text.empty() || text.size() > 24) return std::nullopt;
  static const std::map<std::string, int64_t> units = {{"", 1},          {"B", 1},           {"K", 1000},
                                                       {"M", 1000000},   {"G", 1000000000},  {"KiB", 1024},
                                                       {"MiB", 1 << 20}, {"GiB", 1 << 30}};
  const auto unit = units.find(digits == std::string::npos ? "" : text.substr(digits));
  if (unit == units.end()) return std::nullopt;
  const auto number = text.substr(0, digits);
  if (number.size() > 15) return std::nullopt;
  const int64_t n = std::stoll(number);
  if (n > INT64_MAX / unit->second) return std::nullopt;
  return n * unit->second;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (!text.empty() && pos <= text.size()) {
    const auto end = std::min(text.find(',', pos), text.size());
    if (end > pos) out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

int cmd_set_torrent(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  if (in.size() < 2 || in[0].rfind("--", 0) == 0) {
    std::cerr << "seedctl: set-torrent: expected HASH KEY=VALUE ... (seedctl --help lists the keys)\n";
    return seedctl_exit::usage;
  }
  json params = json::object();
  json labels = json::array(), trackers = json::array();
  bool set_labels = false, set_trackers = false;
  for (size_t i = 1; i < in.size(); ++i) {
    const auto& kv = in[i];
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "seedctl: set-torrent: '" << kv << "' is not KEY=VALUE\n";
      return seedctl_exit::usage;
    }
    std::string key = kv.substr(0, eq);
    std::replace(key.begin(), key.end(), '-', '_');
    const std::string value = kv.substr(eq + 1);
    auto bad = [&](const std::string& what) {
      std::cerr << "seedctl: set-torrent: " << key << " must be " << what << ", got '" << value << "'\n";
      return seedctl_exit::usage;
    };
    if (key == "label") {
      set_labels = true;
      if (!value.empty()) labels.push_back(value);
    } else if (key == "labels") {
      set_labels = true;
      for (auto& l : split_commas(value)) labels.push_back(l);
    } else if (key == "tracker") {
      set_trackers = true;
      if (!value.empty()) trackers.push_back(value);
    } else if (key == "trackers") {
      set_trackers = true;
      for (auto& t : split_commas(value)) trackers.push_back(t);
    } else if (key == "upload_limit" || key == "download_limit") {
      const auto rate = parse_rate(value);
      if (!rate) return bad("bytes per second (e.g. 500KiB, 2MiB; 0 = none)");
      params[key] = *rate;
    } else if (key == "max_connections" || key == "seed_idle_limit_minutes") {
      const auto n = json::parse(value, nullptr, false);
      if (n.is_discarded() || !n.is_number_integer()) return bad("an integer");
      params[key] = n;
    } else if (key == "seed_ratio_limit") {
      const auto n = json::parse(value, nullptr, false);
      if (n.is_discarded() || !n.is_number()) return bad("a number (e.g. 1.5; -1 = never)");
      params[key] = n;
    } else if (key == "reward_rate") {
      params[key] = value;
    } else {
      std::cerr << "seedctl: set-torrent: unknown key '" << key
                << "' (label, labels, upload_limit, download_limit, max_connections, seed_ratio_limit, "
                   "seed_idle_limit_minutes, tracker, trackers, reward_rate)\n";
      return seedctl_exit::usage;
    }
  }
  if (set_labels) params["labels"] = labels;
  if (set_trackers) params["trackers"] = trackers;
  int rc = seedctl_exit::ok;
  auto ih = seedctl_resolve_hash(client, "set-torrent", in[0], rc);
  if (!ih) return rc;
  params["info_hash"] = *ih;
  json result;
  if (rc = client.call("torrent.set", params, result); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
    return seedctl_exit::ok;
  }
  std::cout << "set " << *ih;
  for (const auto& [k, v] : params.items())
    if (k != "info_hash") std::cout << " " << k << "=" << (v.is_string() ? v.get<std::string>() : v.dump());
  std::cout << "\n";
  return seedctl_exit::ok;
}

int cmd_export(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  std::optional<std::string> hash, out, remote_out;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto& a = in[i];
    bool matched = false;
    for (auto [flag, target] : {std::pair{"--out", &out}, {"--remote-out", &remote_out}}) {
      const std::string f = flag;
      if (a.rfind(f + "=", 0) == 0) {
        *target = a.substr(f.size() + 1);
        matched = true;
      } else if (a == f) {
        if (i + 1 >= in.size()) {
          std::cerr << "seedctl: export: " << f << " needs a value\n";
          return seedctl_exit::usage;
        }
        *target = in[++i];
        matched = true;
      }
      if (matched) break;
    }
    if (matched) continue;
    if (a.rfind("--", 0) == 0 || hash) {
      std::cerr << "seedctl: export: unexpected argument '" << a << "' (seedctl export HASH [--out=FILE])\n";
      return seedctl_exit::usage;
    }
    hash = a;
  }
  if (!hash || (out && remote_out)) {
    std::cerr << "seedctl: export: expected HASH and at most one of --out=FILE and --remote-out=PATH\n";
    return seedctl_exit::usage;
  }
  int rc = seedctl_exit::ok;
  auto ih = seedctl_resolve_hash(client, "export", *hash, rc);
  if (!ih) return rc;
  json params = {{"info_hash", *ih}};
  if (remote_out) params["out"] = *remote_out;
  json result;
  if (rc = client.call("torrent.export", params, result); rc != seedctl_exit::ok) return rc;
  if (remote_out) {
    if (raw_json) std::cout << result.dump(2) << "\n";
    else std::cout << "exported " << *ih << " to " << result.value("file", *remote_out) << " (on the daemon's side)\n";
    return seedctl_exit::ok;
  }
  const auto bytes = util::base64_decode(result.value("torrent", std::string()));
  if (!bytes) {
    std::cerr << "seedctl: export: the daemon's .torrent is not base64\n";
    return seedctl_exit::connection;
  }
  // The .torrent is binary: to stdout only when asked for with --out=-.
  if (out && *out == "-") {
    std::fwrite(bytes->data(), 1, bytes->size(), stdout);
    return std::fflush(stdout) == 0 ? seedctl_exit::ok : seedctl_exit::usage;
  }
  const std::string file = out.value_or(*ih + ".torrent");
  try {
    util::write_file_atomic(file, *bytes);
  } catch (const std::exception& e) {
    std::cerr << "seedctl: export: cannot write " << file << ": " << e.what() << "\n";
    return seedctl_exit::usage;
  }
  if (raw_json) {
    result.erase("torrent");
    result["file"] = file;
    std::cout << result.dump(2) << "\n";
  } else {
    std::cout << "exported " << *ih << " to " << file << " (" << bytes->size() << " bytes)\n";
  }
  return seedctl_exit::ok;
}

}  // namespace seedd::cli
