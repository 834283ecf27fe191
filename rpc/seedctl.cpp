#include "rpc/seedctl.hpp"

#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "daemon/util/atomic_file.hpp"
#include "daemon/util/base64.hpp"
#include "rpc/http_client.hpp"

namespace seedd::rpc {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kUsage = R"(usage: seedctl [options] COMMAND [key=value ...]

Commands:
  METHOD [key=value ...]   call a JSON-RPC method (e.g. node.info, torrent.get info_hash=...)
                           key=value sends a string, or a number/boolean/array when the value
                           is valid JSON; key:=JSON always sends raw JSON
  list                     the torrents as a table
  methods                  the methods the daemon offers

Options:
  --rpc=URL          the daemon's RPC endpoint (default $SEEDD_RPC_URL or http://127.0.0.1:8421/rpc)
  --data-dir=DIR     where to find the cookie (default $SEEDD_DATA_DIR, $STATE_DIRECTORY or
                     ~/.local/share/seedd)
  --user=U --password=P   an rpc_auth user instead of the cookie
  --json             print raw JSON results (also for list)
  -h, --help         this text

Exit codes: 0 ok, 1 the daemon answered with an error, 2 usage, 3 no connection or refused.
)";

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

std::string human_bytes(int64_t n) {
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

int64_t as_int(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  return 0;
}

void print_table(const json& torrents) {
  std::cout << std::left << std::setw(10) << "HASH" << std::setw(28) << "NAME" << std::setw(22) << "STATE"
            << std::right << std::setw(7) << "DONE" << std::setw(12) << "UP/s" << std::setw(12) << "UPLOADED" << "\n";
  for (const auto& t : torrents) {
    std::string name = t.value("name", "");
    if (name.size() > 26) name = name.substr(0, 25) + "~";
    std::ostringstream done;
    done << std::fixed << std::setprecision(1) << t.value("progress", 0.0) * 100 << "%";
    std::cout << std::left << std::setw(10) << t.value("info_hash", "").substr(0, 8) << std::setw(28) << name
              << std::setw(22) << t.value("state", "") << std::right << std::setw(7) << done.str() << std::setw(12)
              << human_bytes(as_int(t.value("upload_rate", json(0)))) << std::setw(12)
              << human_bytes(as_int(t.value("uploaded_bytes", json("0")))) << "\n";
  }
}

}  // namespace

int seedctl_main(std::vector<std::string> args) {
  std::string url = env_or("SEEDD_RPC_URL", "http://127.0.0.1:8421/rpc");
  fs::path data_dir = default_data_dir();
  std::string user, password;
  bool raw_json = false;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value_of = [&](const std::string& flag) -> std::optional<std::string> {
      if (a.rfind(flag + "=", 0) == 0) return a.substr(flag.size() + 1);
      if (a == flag && i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
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
    } else if (rest.empty() && a.rfind("--", 0) == 0) {
      std::cerr << "seedctl: unknown option " << a << "\n" << kUsage;
      return seedctl_exit::usage;
    } else {
      rest.push_back(a);
    }
  }
  if (rest.empty()) {
    std::cerr << kUsage;
    return seedctl_exit::usage;
  }
  std::string command = rest[0];
  json params = json::object();
  for (size_t i = 1; i < rest.size(); ++i) {
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
      params[kv.substr(0, eq)] = parse_value(kv.substr(eq + 1));
    } else {
      std::cerr << "seedctl: '" << kv << "' is not key=value\n";
      return seedctl_exit::usage;
    }
  }
  std::string method = command;
  if (command == "list") method = "torrent.list";
  else if (command == "methods") method = "rpc.discover";
  else if (command.find('.') == std::string::npos) {
    std::cerr << "seedctl: unknown command '" << command << "'\n" << kUsage;
    return seedctl_exit::usage;
  }

  std::string credentials;
  if (!user.empty()) {
    credentials = user + ":" + password;
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
    credentials = *cookie;
    while (!credentials.empty() && std::isspace(static_cast<unsigned char>(credentials.back()))) credentials.pop_back();
  }

  const json request = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", method}, {"params", params}};
  HttpClientResponse resp;
  try {
    resp = http_post(url, request.dump(), {{"Authorization", "Basic " + util::base64_encode(credentials)}});
  } catch (const std::exception& e) {
    std::cerr << "seedctl: " << e.what() << "\n";
    return seedctl_exit::connection;
  }
  if (resp.status != 200) {
    std::cerr << "seedctl: HTTP " << resp.status << ": " << resp.body << "\n";
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
  const auto& result = reply["result"];
  if (command == "list" && !raw_json) {
    print_table(result["torrents"]);
  } else if (command == "methods" && !raw_json) {
    for (const auto& m : result["methods"]) std::cout << std::left << std::setw(24) << m["name"].get<std::string>() << " "
                                                      << m["description"].get<std::string>() << "\n";
  } else {
    std::cout << result.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  }
  return seedctl_exit::ok;
}

}  // namespace seedd::rpc
