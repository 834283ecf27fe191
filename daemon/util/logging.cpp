#include "daemon/util/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace seedd::util {
namespace {
constexpr const char* kCategories[] = {"main", "engine", "rpc", "auth", "ledger", "accountant", "chain"};
}

void setup_logging(const std::string& level, const std::string& format) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (format == "json")
    sink->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","category":"%n","message":"%v"})");
  else
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %-5l %-7n %v");
  for (const char* name : kCategories) {
    spdlog::drop(name);
    auto logger = std::make_shared<spdlog::logger>(name, sink);
    spdlog::register_logger(logger);
  }
  set_log_level(level);
  spdlog::flush_on(spdlog::level::info);
}

void set_log_level(const std::string& level) {
  const auto lvl = spdlog::level::from_str(level);
  for (const char* name : kCategories)
    if (auto l = spdlog::get(name)) l->set_level(lvl);
}

std::string printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f && c != '"' && c != '\\') ? c : '?';
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace seedd::util
