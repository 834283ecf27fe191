// session.get : the settings in force right now, read back from where they act (libtorrent's
// live settings, the loggers), so a test or an operator sees what a SIGHUP really changed.
#include <spdlog/spdlog.h>

#include "daemon/engine/engine.hpp"
#include "rpc/method_table.hpp"

namespace seedd::rpc {
namespace {

// spdlog calls the level "warning"; the log_level option (and so this answer) says "warn".
std::string log_level_name() {
  const auto logger = spdlog::get("main");
  const auto level = logger ? logger->level() : spdlog::get_level();
  if (level == spdlog::level::warn) return "warn";
  const auto name = spdlog::level::to_string_view(level);
  return std::string(name.data(), name.size());
}

}  // namespace

void register_session_get_method(MethodTable& table) {
  table.add({"session.get",
             "Runtime settings in force now, read back from the running engine: global upload "
             "and download limits in bytes per second (0 = unlimited), the connection limit and "
             "the log level.",
             {},
             "{upload_limit, download_limit, max_connections, log_level}",
             false,
             [](const json&, Context& ctx) {
               const auto limits = ctx.engine->rate_limits();
               return json{{"upload_limit", limits.upload},
                           {"download_limit", limits.download},
                           {"max_connections", limits.max_connections},
                           {"log_level", log_level_name()}};
             }});
}

}  // namespace seedd::rpc
