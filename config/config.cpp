#include "config/config.hpp"


#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace seedd::config {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

constexpr std::string_view kSecretMask = "********";
// Values from files and the environment can be anything; an error line shows at most this much.
constexpr std::size_t kMaxShownValueChars = 120;
constexpr std::string_view kEnvPrefix = "SEEDD_";
constexpr std::string_view kConfigFileName = "seedd.conf";
// --help: descriptions start at this column and lines wrap before this width.
constexpr std::size_t kHelpIndent = 34;
constexpr std::size_t kHelpWidth = 100;

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string dashes_to_underscores(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string underscores_to_dashes(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '_', '-');
  return out;
}

/// Comma-separated items, trimmed, empty ones dropped.
std::vector<std::string_view> split_list(std::string_view s) {
  std::vector<std::string_view> items;
  while (true) {
    const auto comma = s.find(',');
    const auto item = trim(s.substr(0, comma));
    if (!item.empty()) items.push_back(item);
    if (comma == std::string_view::npos) return items;
    s.remove_prefix(comma + 1);
  }
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

// One line, bounded: the value may come from a file or the environment and end up in a log.
std::string shown(const OptionDef& def, std::string_view value) {
  if (def.secret) return std::string(kSecretMask);
  std::string out;
  for (const char c : value.substr(0, kMaxShownValueChars))
    out += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  if (value.size() > kMaxShownValueChars) out += "...";
  return out;
}

std::string expected_for(const OptionDef& def) {
  if (def.rule != nullptr) return std::string(def.expected);
  switch (def.type) {
    case OptionType::string:
      return "expected a non-empty string";
    case OptionType::boolean:
      return "expected true or false (or yes/no, on/off, 1/0)";
    case OptionType::integer:
      if (def.min == INT64_MIN && def.max == INT64_MAX) return "expected an integer";
      return "expected an integer from " + std::to_string(def.min) + " to " +
             std::to_string(def.max);
    case OptionType::bytes:
      return "expected a number of bytes, optionally with a suffix K, M, G, T (powers of 1000) or "
             "KiB, MiB, GiB, TiB (powers of 1024), at most 2^64-1 bytes";
    case OptionType::endpoints:
      return "expected host:port items separated by commas, the host an IPv4 address, an IPv6 "
             "address in brackets or localhost, the port from 0 to 65535";
    case OptionType::choice: {
      std::string out = "expected one of ";
      for (std::size_t i = 0; i < def.choices.size(); ++i)
        out += (i == 0 ? "" : ", ") + std::string(def.choices[i]);
      return out;
    }
    case OptionType::path:
      return "expected a path";
    case OptionType::address:
      return "expected 0x followed by 40 hex digits";
    case OptionType::string_list:
      return "expected items separated by commas";
  }
  return {};
}

/// Throws the one-line error for `value` of `def`; `item` names the bad item of a list value.
[[noreturn]] void reject(const OptionDef& def, std::string_view value, std::string_view item = {}) {
  std::string message = "option '" + std::string(def.name) + "': ";
  // Naming the item helps only when there are several and it is not a secret.
  if (!item.empty() && item != value && !def.secret)
    message += "item '" + shown(def, item) + "' of ";
  message += "value '" + shown(def, value) + "' is not valid: " + expected_for(def);
  throw ConfigError(message);
}

std::optional<bool> parse_bool(std::string_view text) {
  const auto s = lower(text);
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return std::nullopt;
}

template <class Int>
std::optional<Int> parse_number(std::string_view s) {
  Int value{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_bytes(std::string_view s) {
  const auto digits_end = std::min(s.find_first_not_of("0123456789"), s.size());
  const auto number = parse_number<uint64_t>(s.substr(0, digits_end));
  if (!number) return std::nullopt;
  const auto suffix = lower(trim(s.substr(digits_end)));
  constexpr uint64_t k = 1000, ki = 1024;
  struct Unit {
    std::string_view suffix;
    uint64_t bytes;
  };
  constexpr Unit units[] = {
      {"", 1},
      {"b", 1},
      {"k", k},
      {"kb", k},
      {"m", k * k},
      {"mb", k * k},
      {"g", k * k * k},
      {"gb", k * k * k},
      {"t", k * k * k * k},
      {"tb", k * k * k * k},
      {"kib", ki},
      {"mib", ki * ki},
      {"gib", ki * ki * ki},
      {"tib", ki * ki * ki * ki},
  };
  const auto* match = std::find_if(std::begin(units), std::end(units),
                                   [&](const Unit& u) { return u.suffix == suffix; });
  if (match == std::end(units)) return std::nullopt;
  const auto unit = match->bytes;
  if (*number > UINT64_MAX / unit) return std::nullopt;
  return *number * unit;
}

/// The checked, normalized text of `raw` for `def`; throws ConfigError.
std::string normalize(const OptionDef& def, std::string_view raw) {
  const auto value = trim(raw);
  // Options without a default use "" for "unset" (or "computed"), so it stays expressible,
  // e.g. `--rpc-tls-cert=` on the command line undoes a certificate set in the file.
  if (value.empty() && (def.default_value.empty() || def.type == OptionType::string_list))
    return {};
  switch (def.type) {
    case OptionType::string:
      if (def.rule != nullptr) {
        if (auto out = def.rule(value)) return *out;
        reject(def, value);
      }
      if (value.empty()) reject(def, value);
      return std::string(value);
    case OptionType::boolean:
      if (const auto b = parse_bool(value)) return *b ? "true" : "false";
      reject(def, value);
    case OptionType::integer: {
      const auto n = parse_number<int64_t>(value);
      if (!n || *n < def.min || *n > def.max) reject(def, value);
      return std::to_string(*n);
    }
    case OptionType::bytes:
      if (const auto n = parse_bytes(value)) return std::to_string(*n);
      reject(def, value);
    case OptionType::endpoints: {
      std::vector<std::string> items;
      for (const auto item : split_list(value)) {
        const auto endpoint = Endpoint::parse(item);
        if (!endpoint) reject(def, value, item);
        items.push_back(endpoint->to_string());
      }
      if (items.empty()) reject(def, value);
      return join(items, ",");
    }
    case OptionType::choice: {
      const auto wanted = lower(value);
      for (const auto choice : def.choices)
        if (choice == wanted) return std::string(choice);
      reject(def, value);
    }
    case OptionType::path:
      if (auto out = def.rule != nullptr ? def.rule(value) : absolute_path(value)) return *out;
      reject(def, value);
    case OptionType::address: {
      const auto hex = value.substr(std::min<std::size_t>(2, value.size()));
      const bool ok = value.size() == 42 && lower(value.substr(0, 2)) == "0x" &&
                      hex.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
      if (!ok) reject(def, value);
      // Lower-case so addresses compare as text; EIP-55 mixed case is for display only.
      return "0x" + lower(hex);
    }
    case OptionType::string_list: {
      std::vector<std::string> items;
      for (const auto item : split_list(value)) {
        if (def.rule == nullptr) {
          items.emplace_back(item);
        } else if (auto out = def.rule(item)) {
          items.push_back(std::move(*out));
        } else {
          reject(def, value, item);
        }
      }
      return join(items, ",");
    }
  }
  throw std::logic_error("option '" + std::string(def.name) + "' has an unknown type");
}

const OptionDef& option_or_logic_error(std::string_view name) {
  const auto* def = find_option(name);
  if (def == nullptr) throw std::logic_error("no option named '" + std::string(name) + "'");
  return *def;
}

/// Runs `apply`; a ConfigError from it gets " (where)" appended so the user can find the line.
template <class F>
void at(std::string_view where, F&& apply) {
  try {
    apply();
  } catch (const ConfigError& e) {
    throw ConfigError(std::string(e.what()) + " (" + std::string(where) + ")");
  }
}

std::string_view env_value(const Env& env, const std::string& key) {
  const auto it = env.find(key);
  return it == env.end() ? std::string_view() : std::string_view(it->second);
}

/// data_dir when nothing sets it: systemd's StateDirectory, else the XDG-style default.
std::optional<std::string> computed_data_dir(const Env& env) {
  // systemd joins several StateDirectory= entries with ':'; the first is seedd's own.
  const auto state = env_value(env, "STATE_DIRECTORY");
  const auto first_state = state.substr(0, state.find(':'));
  if (!first_state.empty()) return std::string(first_state);
  const auto home = env_value(env, "HOME");
  if (!home.empty()) return (fs::path(home) / ".local/share/seedd").string();
  return std::nullopt;
}

void resolve_computed(Config& config, const Env& env) {
  if (config.get_string("data_dir").empty()) {
    const auto dir = computed_data_dir(env);
    if (!dir)
      throw ConfigError(
          "option 'data_dir' is not set and neither STATE_DIRECTORY nor HOME is in the "
          "environment to derive it from: set data_dir");
    config.set("data_dir", *dir, Source::default_value);
  }
  if (config.get_string("download_dir").empty())
    config.set("download_dir", (fs::path(config.get_string("data_dir")) / "downloads").string(),
               Source::default_value);
}

void apply_env(Config& config, const Env& env) {
  for (const auto& def : option_table()) {
    const auto key = std::string(kEnvPrefix) + upper(def.name);
    // An empty variable counts as unset: compose files and unit files often pass `X=` for
    // "nothing", and SEEDD_X= should not turn into an error or a reset.
    const auto value = env_value(env, key);
    if (value.empty()) continue;
    at("in environment variable " + key, [&] { config.set(def.name, value, Source::env); });
  }
}

struct CommandLine {
  LoadResult::Action action = LoadResult::Action::run;
  std::optional<std::string> config_file;
  std::vector<std::pair<std::string_view, std::string>> values;  // option name, value
};

constexpr std::string_view kOnCommandLine = "on the command line";

/// The option a `--name` argument (name with dashes or underscores) refers to.
const OptionDef* find_cli_option(std::string_view name) {
  return find_option(dashes_to_underscores(name));
}

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cli;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!arg.starts_with("--") || arg.size() == 2) {
      // Only the flag's name is echoed: a mistyped secret option must not be.
      throw ConfigError("unexpected argument '" + std::string(arg.substr(0, arg.find('='))) +
                        "' (" + std::string(kOnCommandLine) + "; see seedd --help)");
    }
    const auto eq = arg.find('=');
    const auto flag = arg.substr(0, eq);
    const auto name = dashes_to_underscores(flag.substr(2));
    std::optional<std::string> value;
    if (eq != std::string_view::npos) value = std::string(arg.substr(eq + 1));
    const auto take_value = [&]() -> std::string {
      if (value) return *value;
      if (i + 1 >= args.size() || args[i + 1].starts_with("--"))
        throw ConfigError("option '" + std::string(flag) + "' needs a value (" +
                          std::string(kOnCommandLine) + ")");
      return args[++i];
    };

    if (name == "print_config" && !value) {
      cli.action = LoadResult::Action::print_config;
      continue;
    }
    if (name == "config") {
      cli.config_file = take_value();
      if (cli.config_file->empty())
        throw ConfigError("option '--config' needs a file name (" + std::string(kOnCommandLine) +
                          ")");
      continue;
    }
    const auto* def = find_option(name);
    if (def == nullptr && name.starts_with("no_") && !value) {
      const auto* negated = find_option(std::string_view(name).substr(3));
      if (negated != nullptr && negated->type == OptionType::boolean) {
        cli.values.emplace_back(negated->name, "false");
        continue;
      }
    }
    if (def == nullptr)
      throw ConfigError("unknown option '" + std::string(flag) + "' (" +
                        std::string(kOnCommandLine) + "; see seedd --help)");
    if (def->type == OptionType::boolean && !value) {
      cli.values.emplace_back(def->name, "true");
      continue;
    }
    cli.values.emplace_back(def->name, take_value());
  }
  return cli;
}

void apply_cli(Config& config, const CommandLine& cli) {
  for (const auto& [name, value] : cli.values)
    at(kOnCommandLine, [&] { config.set(name, value, Source::cli); });
}

/// The value part of a config file line: optional double quotes, `#` comment after it.
std::string parse_file_value(std::string_view text) {
  text = trim(text);
  if (text.starts_with('"')) {
    const auto close = text.find('"', 1);
    if (close == std::string_view::npos) throw ConfigError("missing closing '\"'");
    const auto rest = trim(text.substr(close + 1));
    if (!rest.empty() && !rest.starts_with('#'))
      throw ConfigError("unexpected text after the closing '\"'");
    return std::string(text.substr(1, close - 1));
  }
  // '#' starts a comment only at the start or after a space, so a '#' inside a value (a salt,
  // a path) survives without quotes.
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t'))
      return std::string(trim(text.substr(0, i)));
  return std::string(text);
}

void apply_file(Config& config, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in || in.bad()) throw ConfigError("cannot read config file '" + file.string() + "'");
  const auto contents = buffer.str();
  std::string_view rest = contents;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // editors on NAS web UIs add it
  for (int line_no = 1; !rest.empty(); ++line_no) {
    const auto newline = rest.find('\n');
    const auto line = trim(rest.substr(0, newline));
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    if (line.empty() || line.starts_with('#')) continue;
    const auto where = "in " + file.string() + " line " + std::to_string(line_no);
    const auto eq = line.find('=');
    const auto key = trim(line.substr(0, std::min(eq, line.size())));
    if (eq == std::string_view::npos || key.empty())
      throw ConfigError("expected 'name = value' (" + where + ")");
    const auto* def = find_option(dashes_to_underscores(key));
    if (def == nullptr)
      throw ConfigError("unknown option '" + std::string(key) + "' (" + where + ")");
    at(where, [&] {
      try {
        config.set(def->name, parse_file_value(line.substr(eq + 1)), Source::file);
      } catch (const ConfigError& e) {
        // Quoting errors do not know the option; the value errors from set() already say it.
        if (std::string_view(e.what()).starts_with("option '")) throw;
        throw ConfigError("option '" + std::string(def->name) + "': " + e.what());
      }
    });
  }
}

/// Overwrites, in place, the values of secret options in argv (aria2 does the same) so they do
/// not show in `ps` or /proc/<pid>/cmdline for the life of the process.
void blank_secrets(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!arg.starts_with("--")) continue;
    const auto eq = arg.find('=');
    const auto* def =
        find_cli_option(arg.substr(2, eq == std::string_view::npos ? arg.npos : eq - 2));
    if (def == nullptr || !def->secret) continue;
    if (eq != std::string_view::npos) {
      std::fill(argv[i] + eq + 1, argv[i] + arg.size(), 'x');
    } else if (i + 1 < argc) {
      ++i;
      std::fill(argv[i], argv[i] + std::string_view(argv[i]).size(), 'x');
    }
  }
}

std::string quoted_if_needed(const std::string& value) {
  const bool needs = value.empty() || value.starts_with('"') || value.starts_with('#') ||
                     value.find(" #") != std::string::npos ||
                     value.find("\t#") != std::string::npos;
  return needs ? "\"" + value + "\"" : value;
}

std::string integer_range(const OptionDef& def) {
  if (def.type != OptionType::integer || (def.min == INT64_MIN && def.max == INT64_MAX)) return {};
  if (def.max == INT64_MAX) return " (at least " + std::to_string(def.min) + ")";
  return " (" + std::to_string(def.min) + " to " + std::to_string(def.max) + ")";
}

std::string placeholder(const OptionDef& def) {
  if (def.type != OptionType::choice) return std::string(to_string(def.type));
  std::string out;
  for (const auto choice : def.choices) out += (out.empty() ? "" : "|") + std::string(choice);
  return out;
}

/// `left` (a flag) and `text` (its description), the description word-wrapped in a column.
void append_help_line(std::string& out, std::string_view left, std::string_view text) {
  out += left;
  std::size_t column = left.size();
  if (column + 2 > kHelpIndent) {  // a flag too wide for the column gets a line of its own
    out += '\n';
    column = 0;
  }
  out.append(kHelpIndent - column, ' ');
  column = kHelpIndent;
  bool first = true;
  for (std::string_view rest = text; !rest.empty();) {
    const auto space = rest.find(' ');
    const auto word = rest.substr(0, space);
    rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
    if (word.empty()) continue;
    if (!first && column + 1 + word.size() > kHelpWidth) {
      out += '\n';
      out.append(kHelpIndent, ' ');
      column = kHelpIndent;
    } else if (!first) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    first = false;
  }
  out += '\n';
}

}  // namespace

std::string_view to_string(Source source) {
  switch (source) {
    case Source::default_value:
      return "default";
    case Source::file:
      return "file";
    case Source::env:
      return "environment";
    case Source::cli:
      return "command line";
    case Source::rpc:
      return "session.set";
  }
  return "?";
}

Config::Config() {
  const auto table = option_table();
  m_entries.reserve(table.size());
  // Defaults go through the same checks as user values, so a bad registry entry cannot hide.
  for (const auto& def : table)
    m_entries.push_back({normalize(def, def.default_value), Source::default_value});
}

const Config::Entry& Config::entry(std::string_view name,
                                   std::initializer_list<OptionType> types) const {
  const auto& def = option_or_logic_error(name);
  if (types.size() != 0 && std::find(types.begin(), types.end(), def.type) == types.end())
    throw std::logic_error("option '" + std::string(name) + "' is of type " +
                           std::string(to_string(def.type)) + ", read with the wrong getter");
  return m_entries[static_cast<std::size_t>(&def - option_table().data())];
}

std::string Config::get_string(std::string_view name) const {
  return entry(name,
               {OptionType::string, OptionType::path, OptionType::choice, OptionType::address})
      .value;
}

bool Config::get_bool(std::string_view name) const {
  return entry(name, {OptionType::boolean}).value == "true";
}

int64_t Config::get_int(std::string_view name) const {
  return parse_number<int64_t>(entry(name, {OptionType::integer}).value).value();
}

uint64_t Config::get_bytes(std::string_view name) const {
  return parse_number<uint64_t>(entry(name, {OptionType::bytes}).value).value();
}

std::vector<std::string> Config::get_list(std::string_view name) const {
  std::vector<std::string> items;
  for (const auto item :
       split_list(entry(name, {OptionType::string_list, OptionType::endpoints}).value))
    items.emplace_back(item);
  return items;
}

std::vector<Endpoint> Config::get_endpoints(std::string_view name) const {
  std::vector<Endpoint> endpoints;
  for (const auto item : split_list(entry(name, {OptionType::endpoints}).value))
    endpoints.push_back(Endpoint::parse(item).value());
  return endpoints;
}

Source Config::source(std::string_view name) const { return entry(name, {}).source; }

void Config::set(std::string_view name, std::string_view value, Source src) {
  const auto* def = find_option(name);
  if (def == nullptr) throw ConfigError("unknown option '" + std::string(name) + "'");
  auto normalized = normalize(*def, value);
  auto& e = m_entries[static_cast<std::size_t>(def - option_table().data())];
  e.value = std::move(normalized);
  e.source = src;
}

std::string Config::print() const {
  std::string out;
  const auto table = option_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const auto& def = table[i];
    const auto& e = m_entries[i];
    const auto value =
        def.secret && !e.value.empty() ? std::string(kSecretMask) : quoted_if_needed(e.value);
    out += std::string(def.name) + " = " + value + "  # " + std::string(to_string(e.source)) + "\n";
  }
  return out;
}

LoadResult load(int argc, char** argv, const std::map<std::string, std::string>& env) {
  const std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  blank_secrets(argc, argv);

  LoadResult result;
  // Help and version must work even when the rest of the command line or the file is broken.
  for (const auto& arg : args) {
    if (arg == "-h" || arg == "--help")
      result.action = LoadResult::Action::help;
    else if (arg == "-V" || arg == "--version")
      result.action = LoadResult::Action::version;
    else
      continue;
    return result;
  }

  const auto cli = parse_command_line(args);
  result.action = cli.action;

  // The file is found before it is read, so only the environment and the command line can say
  // where it is; a data_dir set inside the file cannot move the file itself.
  std::optional<fs::path> file;
  bool explicit_file = true;
  std::string file_origin = "--config";
  if (cli.config_file) {
    file = *cli.config_file;
  } else if (const auto from_env = env_value(env, "SEEDD_CONFIG"); !from_env.empty()) {
    file = std::string(from_env);
    file_origin = "SEEDD_CONFIG";
  } else {
    Config probe;
    apply_env(probe, env);
    apply_cli(probe, cli);
    auto data_dir = probe.get_string("data_dir");
    if (data_dir.empty()) data_dir = computed_data_dir(env).value_or("");
    if (!data_dir.empty()) file = fs::path(data_dir) / kConfigFileName;
    explicit_file = false;
  }

  Config& config = result.config;
  if (file) {
    const auto path = fs::path(absolute_path(file->string()).value());
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (explicit_file && !exists)
      throw ConfigError("config file '" + path.string() + "' does not exist (from " + file_origin +
                        ")");
    if (exists) {
      if (!fs::is_regular_file(path, ec))
        throw ConfigError("config file '" + path.string() + "' is not a regular file");
      apply_file(config, path);
      result.config_file = path;
    }
  }
  apply_env(config, env);
  apply_cli(config, cli);
  resolve_computed(config, env);
  return result;
}

std::string help_text() {
  std::string out =
      "Usage: seedd [OPTION]...\n"
      "An always-on BitTorrent seeding daemon that earns rewards for the upload it can prove.\n"
      "Driven over JSON-RPC (curl or seedctl).\n"
      "\n"
      "Each option can be set in the config file (name = value), in the environment\n"
      "(SEEDD_NAME, e.g. SEEDD_DATA_DIR=/srv/seedd) and on the command line (--name=value or\n"
      "--name value); the command line wins over the environment, which wins over the config\n"
      "file, which wins over the defaults. Unknown SEEDD_ variables are ignored.\n"
      "Booleans: --dht means true, --no-dht false; values true/false, yes/no, on/off, 1/0.\n"
      "Byte counts take a suffix: K, M, G, T (powers of 1000) or KiB, MiB, GiB, TiB (of 1024).\n"
      "Options marked [runtime] can change while seedd runs (SIGHUP, session.set).\n"
      "\n";
  append_help_line(out, "  -h, --help", "show this help and exit");
  append_help_line(out, "  -V, --version", "show the version and exit");
  append_help_line(out, "  --print-config",
                   "print every option's value and where it came from, then exit");
  append_help_line(
      out, "  --config=FILE",
      "read options from FILE (also SEEDD_CONFIG; default: <data_dir>/seedd.conf if it exists)");

  std::string_view group;
  for (const auto& def : option_table()) {
    if (def.group != group) {
      group = def.group;
      out += "\n" + std::string(group) + ":\n";
    }
    std::string text = std::string(def.help) + integer_range(def);
    if (def.runtime) text += " [runtime]";
    if (!def.default_value.empty()) text += " (default: " + std::string(def.default_value) + ")";
    append_help_line(out, "  --" + underscores_to_dashes(def.name) + "=" + placeholder(def), text);
  }
  return out;
}

}  // namespace seedd::config
