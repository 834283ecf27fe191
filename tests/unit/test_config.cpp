#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/config.hpp"
#include "config/options.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace seedd::config;
using Catch::Contains;
using Env = std::map<std::string, std::string>;

namespace {

using seedd::test::fresh_dir;

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// argv as a process gets it: mutable strings, so tests can see load() blank secrets in place.
struct Argv {
  std::vector<std::string> strings;
  std::vector<char*> pointers;

  explicit Argv(std::vector<std::string> args) : strings(std::move(args)) {
    strings.insert(strings.begin(), "seedd");
    for (auto& s : strings) pointers.push_back(s.data());
    pointers.push_back(nullptr);
  }
  int argc() const { return static_cast<int>(strings.size()); }
  char** argv() { return pointers.data(); }
};

LoadResult load_args(std::vector<std::string> args, const Env& env) {
  Argv argv(std::move(args));
  return load(argv.argc(), argv.argv(), env);
}

/// An environment whose HOME is an empty test directory, so no real config file is found.
Env home_env(const std::string& test_name) { return {{"HOME", fresh_dir(test_name).string()}}; }

std::string set_error(std::string_view name, std::string_view value) {
  Config config;
  try {
    config.set(name, value, Source::cli);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("each source overrides the ones below it: default < file < environment < command line",
          "[config]") {
  const int mask = GENERATE(range(0, 8));
  const bool in_file = mask & 1, in_env = mask & 2, in_cli = mask & 4;
  CAPTURE(in_file, in_env, in_cli);

  auto env = home_env("precedence");
  std::vector<std::string> args;
  if (in_file) {
    const auto file = fresh_dir("precedence-file") / "seedd.conf";
    write_text(file, "rpc_threads = 3\n");
    args.push_back("--config=" + file.string());
  }
  if (in_env) env["SEEDD_RPC_THREADS"] = "4";
  if (in_cli) args.push_back("--rpc-threads=5");

  const auto result = load_args(args, env);
  const auto& config = result.config;
  if (in_cli) {
    CHECK(config.get_int("rpc_threads") == 5);
    CHECK(config.source("rpc_threads") == Source::cli);
  } else if (in_env) {
    CHECK(config.get_int("rpc_threads") == 4);
    CHECK(config.source("rpc_threads") == Source::env);
  } else if (in_file) {
    CHECK(config.get_int("rpc_threads") == 3);
    CHECK(config.source("rpc_threads") == Source::file);
  } else {
    CHECK(config.get_int("rpc_threads") == 2);
    CHECK(config.source("rpc_threads") == Source::default_value);
  }
  CHECK(result.config_file.empty() == !in_file);
}

TEST_CASE("a value given twice on the command line: the last one wins", "[config]") {
  const auto result = load_args({"--rpc-threads=3", "--rpc-threads", "7"}, home_env("twice"));
  CHECK(result.config.get_int("rpc_threads") == 7);
}

TEST_CASE("seedd.conf in data_dir is read when it exists, wherever data_dir was set", "[config]") {
  const auto home = fresh_dir("default-file-home");
  const Env env{{"HOME", home.string()}};

  SECTION("no file: nothing is read") {
    const auto result = load_args({}, env);
    CHECK(result.config_file.empty());
    CHECK(result.config.source("dht") == Source::default_value);
  }
  SECTION("data_dir from HOME") {
    const auto file = home / ".local/share/seedd/seedd.conf";
    write_text(file, "dht = false\n");
    const auto result = load_args({}, env);
    CHECK(result.config_file == file);
    CHECK_FALSE(result.config.get_bool("dht"));
  }
  SECTION("data_dir from the command line") {
    const auto dir = fresh_dir("default-file-cli");
    write_text(dir / "seedd.conf", "lsd = no\n");
    const auto result = load_args({"--data-dir", dir.string()}, env);
    CHECK(result.config_file == dir / "seedd.conf");
    CHECK_FALSE(result.config.get_bool("lsd"));
  }
  SECTION("data_dir from the environment") {
    const auto dir = fresh_dir("default-file-env");
    write_text(dir / "seedd.conf", "pex = off\n");
    auto with_dir = env;
    with_dir["SEEDD_DATA_DIR"] = dir.string();
    const auto result = load_args({}, with_dir);
    CHECK(result.config_file == dir / "seedd.conf");
    CHECK_FALSE(result.config.get_bool("pex"));
  }
}

TEST_CASE("a config file named by --config or SEEDD_CONFIG must exist", "[config]") {
  const auto missing = (fresh_dir("missing-config") / "nope.conf").string();
  CHECK_THROWS_WITH(load_args({"--config=" + missing}, home_env("missing-config-home")),
                    Contains(missing) && Contains("does not exist"));
  CHECK_THROWS_WITH(load_args({"--config", missing}, home_env("missing-config-home")),
                    Contains(missing));
  auto env = home_env("missing-config-home");
  env["SEEDD_CONFIG"] = missing;
  CHECK_THROWS_WITH(load_args({}, env), Contains(missing) && Contains("SEEDD_CONFIG"));
}

TEST_CASE("SEEDD_CONFIG names the file to read, and --config wins over it", "[config]") {
  const auto dir = fresh_dir("seedd-config-env");
  write_text(dir / "a.conf", "rpc_threads = 3\n");
  write_text(dir / "b.conf", "rpc_threads = 4\n");
  auto env = home_env("seedd-config-env-home");
  env["SEEDD_CONFIG"] = (dir / "a.conf").string();
  CHECK(load_args({}, env).config.get_int("rpc_threads") == 3);
  const auto result = load_args({"--config=" + (dir / "b.conf").string()}, env);
  CHECK(result.config.get_int("rpc_threads") == 4);
  CHECK(result.config_file == dir / "b.conf");
}

TEST_CASE("a bare boolean flag means true and --no-flag means false", "[config]") {
  const auto dir = fresh_dir("bool-flags");
  write_text(dir / "off.conf", "dht = false\nupnp = false\n");
  write_text(dir / "on.conf", "dht = true\n");
  const auto env = home_env("bool-flags-home");

  const auto on = load_args({"--config=" + (dir / "off.conf").string(), "--dht"}, env).config;
  CHECK(on.get_bool("dht"));
  CHECK(on.source("dht") == Source::cli);
  CHECK_FALSE(on.get_bool("upnp"));

  const auto off = load_args({"--config=" + (dir / "on.conf").string(), "--no-dht"}, env).config;
  CHECK_FALSE(off.get_bool("dht"));
  CHECK(off.source("dht") == Source::cli);

  CHECK_FALSE(load_args({"--dht=false"}, env).config.get_bool("dht"));
  CHECK_FALSE(load_args({"--sign_receipts=0"}, env).config.get_bool("sign_receipts"));
  // --no- exists only for booleans, and takes no value.
  CHECK_THROWS_AS(load_args({"--no-rpc-threads"}, env), ConfigError);
  CHECK_THROWS_AS(load_args({"--no-dht=true"}, env), ConfigError);
  // A bare boolean never swallows the next argument.
  CHECK_THROWS_AS(load_args({"--dht", "false"}, env), ConfigError);
}

TEST_CASE("a boolean takes true/false, yes/no, on/off and 1/0 in any case", "[config]") {
  Config config;
  for (const auto* yes : {"true", "TRUE", "Yes", "on", "ON", "1"}) {
    config.set("dht", "false", Source::cli);
    config.set("dht", yes, Source::cli);
    CHECK(config.get_bool("dht"));
  }
  for (const auto* no : {"false", "False", "NO", "off", "Off", "0"}) {
    config.set("dht", "true", Source::cli);
    config.set("dht", no, Source::cli);
    CHECK_FALSE(config.get_bool("dht"));
  }
}

TEST_CASE("byte counts take K, M, G, T (powers of 1000) and KiB..TiB (powers of 1024)",
          "[config]") {
  const auto [text, bytes] = GENERATE(table<std::string, uint64_t>({
      {"0", 0},
      {"1500", 1500},
      {"1K", 1000},
      {"1k", 1000},
      {"64KB", 64000},
      {"1KiB", 1024},
      {"2kib", 2048},
      {"3M", 3000000},
      {"16MiB", 16777216},
      {"16 mib", 16777216},
      {"2G", 2000000000},
      {"3GiB", 3221225472},
      {"1T", 1000000000000},
      {"1TiB", 1099511627776},
      {" 7 ", 7},
      {"18446744073709551615", UINT64_MAX},
  }));
  CAPTURE(text);
  Config config;
  config.set("upload_limit", text, Source::cli);
  CHECK(config.get_bytes("upload_limit") == bytes);
}

TEST_CASE(
    "byte counts that are fractional, negative, too large or with an unknown suffix are refused",
    "[config]") {
  const auto text = GENERATE(as<std::string>{}, "1.5M", "-1", "1X", "MiB", "1 2", "0x10",
                             "18446744073709551616", "16777216TiB", "1Kibi");
  CAPTURE(text);
  CHECK_THROWS_WITH(Config().set("credit_window", text, Source::cli),
                    Contains("option 'credit_window'") && Contains("'" + text + "'"));
}

TEST_CASE("a bad value of every option type names the option, the value and what is allowed",
          "[config]") {
  struct Bad {
    std::string_view name;
    std::string value;
    std::string_view allowed;
  };
  const std::vector<Bad> cases = {
      {"reward_rate", "12a", "decimal integer"},
      {"reward_rate", "", "decimal integer"},
      {"dht", "maybe", "true or false"},
      {"rpc_threads", "abc", "expected an integer from 1 to 64"},
      {"rpc_threads", "2.5", "from 1 to 64"},
      {"upload_limit", "10 parsecs", "KiB"},
      {"listen", "1.2.3.4", "host:port"},
      {"listen", "1.2.3.4:70000", "65535"},
      {"listen", "::1:80", "in brackets"},
      {"listen", "example.com:80", "localhost"},
      {"listen", "[::1]:", "host:port"},
      {"listen", "", "host:port"},
      {"rpc_bind", "127.0.0.1:-1", "host:port"},
      {"vanilla_peers", "sometimes", "one of serve, throttle, refuse"},
      {"log_level", "verbose", "one of trace, debug, info, warn, error, critical, off"},
      {"pool_contract", "0x1234", "0x followed by 40 hex digits"},
      {"payout_address", "0x" + std::string(39, 'a') + "g", "40 hex digits"},
      {"pool_contract", std::string(42, 'a'), "0x"},
      {"rpc_allow_ip", "banana", "CIDR"},
      {"rpc_allow_ip", "10.0.0.0/33", "CIDR"},
  };
  std::set<OptionType> covered;
  for (const auto& bad : cases) {
    CAPTURE(bad.name, bad.value);
    const auto message = set_error(bad.name, bad.value);
    CHECK_THAT(message, Contains("option '" + std::string(bad.name) + "'") &&
                            Contains("value '" + bad.value + "'") &&
                            Contains(std::string(bad.allowed)));
    CHECK(message.find('\n') == std::string::npos);
    covered.insert(find_option(bad.name)->type);
  }
  // `path` is the one type without a bad value: any text names a path, and "" means unset.
  for (const auto type :
       {OptionType::string, OptionType::boolean, OptionType::integer, OptionType::bytes,
        OptionType::endpoints, OptionType::choice, OptionType::address, OptionType::string_list})
    CHECK(covered.count(type) == 1);
}

TEST_CASE("the error for a bad item of a list names the item and the whole value", "[config]") {
  CHECK_THAT(set_error("listen", "127.0.0.1:1, nope"),
             Contains("item 'nope'") && Contains("value '127.0.0.1:1, nope'"));
}

TEST_CASE("a bad value from the file, the environment or the command line says where it was",
          "[config]") {
  const auto dir = fresh_dir("bad-value-where");
  write_text(dir / "seedd.conf", "# comment\n\nrpc_threads = 99\n");
  const auto env = home_env("bad-value-where-home");
  CHECK_THROWS_WITH(
      load_args({"--config=" + (dir / "seedd.conf").string()}, env),
      Contains("option 'rpc_threads': value '99' is not valid: expected an integer from 1 to 64") &&
          Contains("seedd.conf line 3"));
  auto bad_env = env;
  bad_env["SEEDD_MAX_CONNECTIONS"] = "1";
  CHECK_THROWS_WITH(load_args({}, bad_env),
                    Contains("option 'max_connections'") && Contains("SEEDD_MAX_CONNECTIONS"));
  CHECK_THROWS_WITH(load_args({"--log-format=xml"}, env), Contains("option 'log_format'") &&
                                                              Contains("'xml'") &&
                                                              Contains("command line"));
}

TEST_CASE("an error about a secret option never shows the secret", "[config]") {
  const std::string secret = "alice:salt$not-a-hex-hmac-hunter2";
  const auto message = set_error("rpc_auth", secret);
  CHECK_THAT(message, Contains("option 'rpc_auth'") && Contains("********"));
  CHECK(message.find("hunter2") == std::string::npos);
  CHECK(message.find("alice") == std::string::npos);
}

TEST_CASE("rpc_auth takes user:salt$hmac entries with a 64-hex HMAC and an optional scope",
          "[config]") {
  const std::string hmac(64, 'A');
  const std::string lower_hmac(64, 'a');
  Config config;
  config.set("rpc_auth",
             "alice:s4lt$" + hmac + ", bob:pepper$" + hmac + ":read,carol:x$" + hmac + ":admin",
             Source::file);
  CHECK(config.get_list("rpc_auth") ==
        std::vector<std::string>{"alice:s4lt$" + lower_hmac, "bob:pepper$" + lower_hmac + ":read",
                                 "carol:x$" + lower_hmac + ":admin"});
  for (const auto& bad :
       std::vector<std::string>{":salt$" + hmac, "alice:$" + hmac, "alice:salt$" + hmac + "0",
                                "alice:salt" + hmac, "alice:salt$" + hmac + ":write", "alice"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(config.set("rpc_auth", bad, Source::cli), ConfigError);
  }
}

TEST_CASE("ip_filter must be an absolute path: a relative one would follow the working directory",
          "[config]") {
  Config config;
  config.set("ip_filter", "/etc/seedd/../seedd/blocklist.p2p", Source::file);
  CHECK(config.get_string("ip_filter") == "/etc/seedd/blocklist.p2p");
  config.set("ip_filter", "", Source::cli);  // none
  CHECK(config.get_string("ip_filter").empty());
  CHECK_THAT(set_error("ip_filter", "blocklist.p2p"), Catch::Contains("expected an absolute path"));
  CHECK_THAT(set_error("ip_filter", "./lists/level1.p2p"), Catch::Contains("ip_filter"));
}

TEST_CASE("integer options accept their bounds and refuse one past them", "[config]") {
  int checked = 0;
  for (const auto& def : option_table()) {
    if (def.type != OptionType::integer) continue;
    CAPTURE(def.name);
    Config config;
    config.set(def.name, std::to_string(def.min), Source::cli);
    CHECK(config.get_int(def.name) == def.min);
    config.set(def.name, std::to_string(def.max), Source::cli);
    CHECK(config.get_int(def.name) == def.max);
    if (def.min != INT64_MIN)
      CHECK_THROWS_AS(config.set(def.name, std::to_string(def.min - 1), Source::cli), ConfigError);
    if (def.max != INT64_MAX)
      CHECK_THROWS_AS(config.set(def.name, std::to_string(def.max + 1), Source::cli), ConfigError);
    else
      CHECK_THROWS_AS(config.set(def.name, "9223372036854775808", Source::cli), ConfigError);
    ++checked;
  }
  CHECK(checked >= 3);
}

TEST_CASE("a refused value leaves the previous value and source in place", "[config]") {
  Config config;
  config.set("rpc_threads", "8", Source::file);
  CHECK_THROWS_AS(config.set("rpc_threads", "0", Source::cli), ConfigError);
  CHECK(config.get_int("rpc_threads") == 8);
  CHECK(config.source("rpc_threads") == Source::file);
}

TEST_CASE("endpoints take IPv4, bracketed IPv6 and localhost with ports 0 to 65535", "[config]") {
  Config config;
  config.set("listen", " 0.0.0.0:0 , [0:0::1]:65535,,LocalHost:6881 ", Source::cli);
  CHECK(config.get_list("listen") ==
        std::vector<std::string>{"0.0.0.0:0", "[::1]:65535", "localhost:6881"});
  const auto endpoints = config.get_endpoints("listen");
  REQUIRE(endpoints.size() == 3);
  CHECK(endpoints[1].host == "::1");
  CHECK(endpoints[1].port == 65535);
  CHECK(endpoints[2].host == "localhost");
  CHECK(endpoints[2].port == 6881);

  const auto defaults = Config().get_endpoints("listen");
  REQUIRE(defaults.size() == 2);
  CHECK(defaults[0].host == "0.0.0.0");
  CHECK(defaults[1].host == "::");
  CHECK(defaults[1].port == 6881);
  CHECK_THROWS_AS(config.set("listen", "1.2.3.4:65536", Source::cli), ConfigError);
  CHECK_THROWS_AS(config.set("listen", "1.2.3:80", Source::cli), ConfigError);
}

TEST_CASE("reward_rate takes a decimal integer from 0 to 2^256-1", "[config]") {
  const std::string uint256_max =
      "115792089237316195423570985008687907853269984665640564039457584007913129639935";
  const std::string two_to_256 =
      "115792089237316195423570985008687907853269984665640564039457584007913129639936";
  Config config;
  config.set("reward_rate", uint256_max, Source::cli);
  CHECK(config.get_string("reward_rate") == uint256_max);
  config.set("reward_rate", "000123", Source::cli);
  CHECK(config.get_string("reward_rate") == "123");
  config.set("reward_rate", "0", Source::cli);
  CHECK(config.get_string("reward_rate") == "0");
  CHECK_THROWS_AS(config.set("reward_rate", two_to_256, Source::cli), ConfigError);
  CHECK_THROWS_AS(config.set("reward_rate", std::string(79, '1'), Source::cli), ConfigError);
  CHECK_THROWS_AS(config.set("reward_rate", "-1", Source::cli), ConfigError);
  CHECK_THROWS_AS(config.set("reward_rate", "1e18", Source::cli), ConfigError);
}

TEST_CASE("addresses need 0x and 40 hex digits and are kept lower-case", "[config]") {
  Config config;
  config.set("payout_address", "0xb25DF5AA00000000000000000000000000000001", Source::cli);
  CHECK(config.get_string("payout_address") == "0xb25df5aa00000000000000000000000000000001");
  config.set("payout_address", "", Source::cli);
  CHECK(config.get_string("payout_address").empty());
  // pool_contract has a default, so it cannot be blank.
  CHECK_THROWS_AS(config.set("pool_contract", "", Source::cli), ConfigError);
}

TEST_CASE("rpc_allow_ip takes addresses and CIDR blocks and keeps them as blocks", "[config]") {
  Config config;
  config.set("rpc_allow_ip", "192.168.1.0/24, 10.0.0.7, fd00::/8, ::1", Source::cli);
  CHECK(config.get_list("rpc_allow_ip") ==
        std::vector<std::string>{"192.168.1.0/24", "10.0.0.7/32", "fd00::/8", "::1/128"});
  CHECK_THROWS_AS(config.set("rpc_allow_ip", "fd00::/129", Source::cli), ConfigError);
  CHECK_THROWS_AS(config.set("rpc_allow_ip", "10.0.0.0/", Source::cli), ConfigError);
}

TEST_CASE("lists are split on commas, items trimmed and empty items dropped", "[config]") {
  Config config;
  config.set("rpc_host", " seedd.lan ,, nas.local ,", Source::cli);
  CHECK(config.get_list("rpc_host") == std::vector<std::string>{"seedd.lan", "nas.local"});
  config.set("rpc_host", "  ", Source::cli);
  CHECK(config.get_list("rpc_host").empty());
}

TEST_CASE("relative paths, alone or in path lists, are made absolute against the current directory",
          "[config]") {
  Config config;
  config.set("rpc_tls_cert", "certs/../certs/rpc.pem", Source::cli);
  CHECK(config.get_string("rpc_tls_cert") == (fs::current_path() / "certs/rpc.pem").string());
  config.set("download_dir", "/srv/torrents/", Source::cli);
  CHECK(config.get_string("download_dir") == "/srv/torrents");
  config.set("watch_dir", "incoming, /srv/watch", Source::cli);
  CHECK(config.get_list("watch_dir") ==
        std::vector<std::string>{(fs::current_path() / "incoming").string(), "/srv/watch"});
}

TEST_CASE("an unknown key in the config file names the key, the file and the line", "[config]") {
  const auto file = fresh_dir("unknown-key") / "seedd.conf";
  write_text(file, "dht = true\n\nfoo = 1\n");
  CHECK_THROWS_WITH(load_args({"--config=" + file.string()}, home_env("unknown-key-home")),
                    "unknown option 'foo' (in " + file.string() + " line 3)");
}

TEST_CASE("an unknown flag, a stray argument or a missing value on the command line is an error",
          "[config]") {
  const auto env = home_env("bad-cli");
  CHECK_THROWS_WITH(load_args({"--frobnicate=1"}, env), Contains("unknown option '--frobnicate'"));
  CHECK_THROWS_WITH(load_args({"--rpc-auht=alice:secret"}, env),
                    Contains("'--rpc-auht'") && !Contains("secret"));
  CHECK_THROWS_WITH(load_args({"stray"}, env), Contains("unexpected argument 'stray'"));
  CHECK_THROWS_AS(load_args({"-x"}, env), ConfigError);
  CHECK_THROWS_WITH(load_args({"--data-dir"}, env), Contains("'--data-dir' needs a value"));
  CHECK_THROWS_WITH(load_args({"--data-dir", "--dht"}, env), Contains("needs a value"));
  CHECK_THROWS_AS(load_args({"--config="}, env), ConfigError);
}

TEST_CASE("data_dir defaults to STATE_DIRECTORY, else HOME/.local/share/seedd", "[config]") {
  SECTION("STATE_DIRECTORY wins over HOME") {
    const auto config =
        load_args({}, {{"HOME", "/home/u"}, {"STATE_DIRECTORY", "/var/lib/seedd"}}).config;
    CHECK(config.get_string("data_dir") == "/var/lib/seedd");
    CHECK(config.get_string("download_dir") == "/var/lib/seedd/downloads");
    CHECK(config.source("data_dir") == Source::default_value);
  }
  SECTION("systemd lists several state directories: the first is ours") {
    const auto config =
        load_args({}, {{"STATE_DIRECTORY", "/var/lib/seedd:/var/lib/other"}}).config;
    CHECK(config.get_string("data_dir") == "/var/lib/seedd");
  }
  SECTION("an empty STATE_DIRECTORY falls back to HOME") {
    const auto config = load_args({}, {{"HOME", "/home/u"}, {"STATE_DIRECTORY", ""}}).config;
    CHECK(config.get_string("data_dir") == "/home/u/.local/share/seedd");
    CHECK(config.get_string("download_dir") == "/home/u/.local/share/seedd/downloads");
  }
  SECTION("with neither, data_dir must be given") {
    CHECK_THROWS_WITH(load_args({}, {}), Contains("data_dir"));
    const auto config = load_args({"--data-dir=/srv/seedd"}, {}).config;
    CHECK(config.get_string("data_dir") == "/srv/seedd");
  }
}

TEST_CASE("download_dir follows data_dir wherever data_dir was set, unless set itself",
          "[config]") {
  const Env env{{"HOME", "/home/u"}};
  const auto from_cli = load_args({"--data-dir=/srv/seedd"}, env).config;
  CHECK(from_cli.get_string("download_dir") == "/srv/seedd/downloads");
  CHECK(from_cli.source("download_dir") == Source::default_value);

  const auto from_env = load_args({}, {{"HOME", "/home/u"}, {"SEEDD_DATA_DIR", "/data"}}).config;
  CHECK(from_env.get_string("download_dir") == "/data/downloads");

  const auto both = load_args({"--data-dir=/srv/seedd", "--download-dir=/mnt/media"}, env).config;
  CHECK(both.get_string("download_dir") == "/mnt/media");
  CHECK(both.source("download_dir") == Source::cli);
}

TEST_CASE("config files take comments, blank lines, quotes, dashed keys and stray spaces",
          "[config]") {
  const auto dir = fresh_dir("file-format");
  const auto file = dir / "seedd.conf";
  write_text(file,
             "\xEF\xBB\xBF# seedd settings\r\n"
             "\n"
             "   # indented comment\n"
             "  rpc-threads   =   7   \r\n"
             "log_level = \"debug\"  # quoted, then a comment\n"
             "download_dir = \"/srv/my # files\"\n"
             "data_dir = /srv/a#b\n"
             "vanilla_peers=refuse#no space before this hash, so it is part of the value?\n"
             "rpc_host = a.lan # b.lan is commented out\n"
             "payout_address = \"\"\n");
  // The vanilla_peers line above is deliberately not valid: '#' needs a space to start a comment.
  CHECK_THROWS_WITH(load_args({"--config=" + file.string()}, home_env("file-format-home")),
                    Contains("option 'vanilla_peers'") && Contains("line 8"));

  auto text = read_text(file);
  text.replace(text.find("refuse#"), 7, "refuse #");
  write_text(file, text);
  const auto config = load_args({"--config=" + file.string()}, home_env("file-format-home")).config;
  CHECK(config.get_int("rpc_threads") == 7);
  CHECK(config.get_string("log_level") == "debug");
  CHECK(config.get_string("download_dir") == "/srv/my # files");
  CHECK(config.get_string("data_dir") == "/srv/a#b");
  CHECK(config.get_string("vanilla_peers") == "refuse");
  CHECK(config.get_list("rpc_host") == std::vector<std::string>{"a.lan"});
  CHECK(config.get_string("payout_address").empty());
  CHECK(config.source("payout_address") == Source::file);
}

TEST_CASE("a malformed config file line is an error naming the file and the line", "[config]") {
  const auto file = fresh_dir("malformed") / "seedd.conf";
  const auto env = home_env("malformed-home");
  for (const auto* line :
       {"dht true", "= true", "log_level = \"debug", "log_level = \"debug\" x"}) {
    CAPTURE(line);
    write_text(file, std::string("# first\n") + line + "\n");
    CHECK_THROWS_WITH(load_args({"--config=" + file.string()}, env),
                      Contains(file.string() + " line 2"));
  }
}

TEST_CASE("print shows every option with its source and masks secrets that are set", "[config]") {
  const auto file = fresh_dir("print") / "seedd.conf";
  write_text(file, "rpc_threads = 3\n");
  const std::string auth = "alice:salt$" + std::string(64, 'c');
  const auto result = load_args({"--config=" + file.string(), "--dht=no", "--rpc-auth=" + auth},
                                {{"HOME", "/home/u"}, {"SEEDD_LOG_LEVEL", "warn"}});
  const auto printed = result.config.print();
  CHECK_THAT(printed, Contains("rpc_threads = 3  # file\n") &&
                          Contains("log_level = warn  # environment\n") &&
                          Contains("dht = false  # command line\n") &&
                          Contains("rpc_auth = ********  # command line\n") &&
                          Contains("data_dir = /home/u/.local/share/seedd  # default\n") &&
                          Contains("credit_window = 16777216  # default\n") &&
                          Contains("rpc_tls_cert = \"\"  # default\n"));
  CHECK(printed.find("alice") == std::string::npos);
  CHECK(std::count(printed.begin(), printed.end(), '\n') ==
        static_cast<long>(option_table().size()));
}

TEST_CASE("print's output read back as a config file gives the same values", "[config]") {
  const auto dir = fresh_dir("print-roundtrip");
  const Env env{{"HOME", "/home/u"}};
  const auto original =
      load_args({"--download-dir=/srv/a # b", "--data-dir=/srv/x#y", "--no-pex", "--listen=[::1]:0",
                 "--upload-limit=1MiB", "--watch-dir=/w1,/w2"},
                env)
          .config;
  write_text(dir / "printed.conf", original.print());
  const auto reread = load_args({"--config=" + (dir / "printed.conf").string()}, env).config;
  for (const auto& def : option_table()) {
    CAPTURE(def.name);
    if (def.type == OptionType::boolean)
      CHECK(reread.get_bool(def.name) == original.get_bool(def.name));
    else if (def.type == OptionType::integer)
      CHECK(reread.get_int(def.name) == original.get_int(def.name));
    else if (def.type == OptionType::bytes)
      CHECK(reread.get_bytes(def.name) == original.get_bytes(def.name));
    else if (def.type == OptionType::endpoints || def.type == OptionType::string_list)
      CHECK(reread.get_list(def.name) == original.get_list(def.name));
    else
      CHECK(reread.get_string(def.name) == original.get_string(def.name));
  }
}

TEST_CASE("secret values on the command line are blanked in argv, in both spellings", "[config]") {
  const std::string a = "alice:salt$" + std::string(64, 'a');
  const std::string b = "bob:salt$" + std::string(64, 'b');
  Argv argv({"--rpc-auth=" + a, "--dht", "--rpc_auth", b, "--rpc-threads=3"});
  const auto result = load(argv.argc(), argv.argv(), {{"HOME", "/home/u"}});
  CHECK(result.config.get_list("rpc_auth") == std::vector<std::string>{b});
  CHECK(std::string(argv.argv()[1]) == "--rpc-auth=" + std::string(a.size(), 'x'));
  CHECK(std::string(argv.argv()[2]) == "--dht");
  CHECK(std::string(argv.argv()[3]) == "--rpc_auth");
  CHECK(std::string(argv.argv()[4]) == std::string(b.size(), 'x'));
  CHECK(std::string(argv.argv()[5]) == "--rpc-threads=3");
}

TEST_CASE("help_text lists every option of the registry with its type and default", "[config]") {
  const auto help = help_text();
  for (const auto& def : option_table()) {
    CAPTURE(def.name);
    std::string flag = "--" + std::string(def.name) + "=";
    std::replace(flag.begin(), flag.end(), '_', '-');
    const auto at = help.find(flag);
    REQUIRE(at != std::string::npos);
    // An option's entry runs to the next flag or blank line; wrapping aside, it is one line.
    const auto end = std::min(help.find("\n  -", at), help.find("\n\n", at));
    const auto line = std::regex_replace(help.substr(at, end - at), std::regex("\\s+"), " ");
    CHECK_THAT(line, Contains(std::string(def.help)));
    if (def.type != OptionType::choice)
      CHECK_THAT(line, Contains("=" + std::string(to_string(def.type))));
    for (const auto choice : def.choices) CHECK_THAT(line, Contains(std::string(choice)));
    if (!def.default_value.empty())
      CHECK_THAT(line, Contains("(default: " + std::string(def.default_value) + ")"));
    if (def.runtime) CHECK_THAT(line, Contains("[runtime]"));
  }
  CHECK_THAT(help, Contains("--help") && Contains("--version") && Contains("--print-config") &&
                       Contains("--config=FILE") && Contains("SEEDD_CONFIG") &&
                       Contains("SEEDD_DATA_DIR") && Contains("--no-dht"));
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) CHECK(line.size() <= 100);
}

TEST_CASE("the flags --help, --version and --print-config choose what seedd does", "[config]") {
  const auto env = home_env("actions");
  CHECK(load_args({}, env).action == LoadResult::Action::run);
  CHECK(load_args({"--print-config"}, env).action == LoadResult::Action::print_config);
  CHECK(load_args({"-h"}, env).action == LoadResult::Action::help);
  CHECK(load_args({"--version"}, env).action == LoadResult::Action::version);
  CHECK(load_args({"-V"}, env).action == LoadResult::Action::version);
  // Asking for help must work even when the rest of the start would fail.
  CHECK(load_args({"--frobnicate", "--rpc-threads=0", "--help"}, {}).action ==
        LoadResult::Action::help);
  // --print-config still checks everything else.
  CHECK_THROWS_AS(load_args({"--print-config", "--rpc-threads=0"}, env), ConfigError);
}

TEST_CASE("unknown and empty SEEDD_ variables are ignored", "[config]") {
  auto env = home_env("env-ignored");
  env["SEEDD_NO_SUCH_OPTION"] = "1";
  env["SEEDD_RPC_THREADS"] = "";
  env["seedd_dht"] = "false";  // names are upper-case only, like every other variable
  const auto config = load_args({}, env).config;
  CHECK(config.get_int("rpc_threads") == 2);
  CHECK(config.source("rpc_threads") == Source::default_value);
  CHECK(config.get_bool("dht"));
}

TEST_CASE("every registry option has a unique snake_case name, help and a valid default",
          "[config]") {
  std::set<std::string_view> names;
  const std::regex snake_case("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  for (const auto& def : option_table()) {
    CAPTURE(def.name);
    CHECK(names.insert(def.name).second);
    CHECK(std::regex_match(std::string(def.name), snake_case));
    CHECK_FALSE(def.help.empty());
    CHECK_FALSE(def.group.empty());
    CHECK(find_option(def.name) == &def);
    CHECK((def.type == OptionType::choice) == !def.choices.empty());
    CHECK((def.rule == nullptr) == def.expected.empty());
    CHECK(def.min <= def.max);
  }
  CHECK(find_option("no_such_option") == nullptr);
  CHECK_NOTHROW(Config());  // the constructor checks every default like a user value
}

TEST_CASE("every option name that scripts and service files rely on is in the registry",
          "[config]") {
  for (const auto* name : {"data_dir",
                           "download_dir",
                           "data_roots",
                           "listen",
                           "rpc_bind",
                           "rpc_allow_ip",
                           "rpc_auth",
                           "rpc_host",
                           "rpc_tls_cert",
                           "rpc_tls_key",
                           "rpc_threads",
                           "dht",
                           "lsd",
                           "upnp",
                           "natpmp",
                           "pex",
                           "upload_limit",
                           "download_limit",
                           "max_connections",
                           "credit_window",
                           "receipt_interval",
                           "vanilla_peers",
                           "vanilla_upload_limit",
                           "sign_receipts",
                           "reward_rate",
                           "pool_chain_id",
                           "pool_contract",
                           "payout_address",
                           "watch_dir",
                           "transmission_rpc",
                           "log_level",
                           "log_format"}) {
    CAPTURE(name);
    CHECK(find_option(name) != nullptr);
  }
  CHECK(find_option("rpc_auth")->secret);
}

TEST_CASE("reading an unknown option or with the wrong getter is a programming error", "[config]") {
  const Config config;
  CHECK_THROWS_AS(config.get_string("no_such_option"), std::logic_error);
  CHECK_THROWS_AS(config.source("no_such_option"), std::logic_error);
  CHECK_THROWS_AS(config.get_int("dht"), std::logic_error);
  CHECK_THROWS_AS(config.get_bool("rpc_threads"), std::logic_error);
  CHECK_THROWS_AS(config.get_bytes("max_connections"), std::logic_error);
  CHECK_THROWS_AS(config.get_string("listen"), std::logic_error);
  CHECK_THROWS_AS(config.get_list("data_dir"), std::logic_error);
  CHECK_THROWS_AS(config.get_endpoints("rpc_host"), std::logic_error);
  // Setting an unknown name is user input (a file, session.set), so it is a ConfigError.
  Config mutable_config;
  CHECK_THROWS_AS(mutable_config.set("no_such_option", "1", Source::cli), ConfigError);
}

TEST_CASE("the example seedd.conf documents every option with its registry default", "[config]") {
  const fs::path example = fs::path(SEEDD_SOURCE_DIR) / "config/seedd.conf";
  const auto text = read_text(example);
  REQUIRE_FALSE(text.empty());

  // As shipped, everything is commented out: loading it changes nothing.
  const auto env = home_env("example-conf");
  const auto shipped = load_args({"--config=" + example.string()}, env).config;
  for (const auto& def : option_table()) CHECK(shipped.source(def.name) == Source::default_value);

  // Uncommenting every `# name = value` line must give back exactly the registry defaults.
  const std::regex setting("^# ?([a-z_]+) =(.*)$");
  std::string uncommented;
  std::set<std::string> documented;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, setting)) continue;
    documented.insert(m[1]);
    uncommented += m[1].str() + " =" + m[2].str() + "\n";
  }
  const auto file = fresh_dir("example-conf-uncommented") / "seedd.conf";
  write_text(file, uncommented);
  const auto defaults = load_args({}, env).config;
  const auto loaded = load_args({"--config=" + file.string()}, env).config;
  CHECK(loaded.print().size() > 0);
  for (const auto& def : option_table()) {
    CAPTURE(def.name);
    CHECK(documented.count(std::string(def.name)) == 1);
    // data_dir and download_dir left blank are computed, so they report a default source.
    const bool computed = def.name == "data_dir" || def.name == "download_dir";
    CHECK(loaded.source(def.name) == (computed ? Source::default_value : Source::file));
  }
  // print() lists sources too; compare values only.
  const std::regex source_comment("  # [a-z ]+\n");
  CHECK(std::regex_replace(loaded.print(), source_comment, "\n") ==
        std::regex_replace(defaults.print(), source_comment, "\n"));
}
