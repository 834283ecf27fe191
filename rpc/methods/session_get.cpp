// session.get : the settings in force right now, read back from where they act (libtorrent's
// live settings, the loggers), so a test or an operator sees what a SIGHUP really changed.
#include <spdlog/spdlog.h>

#include "daemon/accountant/accountant.hpp"
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
             "and download limits in bytes per second (0 = unlimited), the connection limit, "
             "the log level, and the receipt policies from the accountant (vanilla_peers, "
             "vanilla_upload_limit, credit_window).",
             {},
             "{upload_limit, download_limit, max_connections, log_level, vanilla_peers, "
             "vanilla_upload_limit, credit_window}",
             false,
             [](const json&, Context& ctx) {
               const auto limits = ctx.engine->rate_limits();
               json out{{"upload_limit", limits.upload},
                           {"download_limit", limits.download},
                           {"max_connections", limits.max_connections},
                           {"log_level", log_level_name()}};
               if (ctx.accountant) {
                 const auto p = ctx.accountant->runtime_policy();
                 out["vanilla_peers"] = p.vanilla == accountant::VanillaPolicy::refuse     ? "refuse"
                                        : p.vanilla == accountant::VanillaPolicy::throttle ? "throttle"
                                                                                            : "serve";
                 out["vanilla_upload_limit"] = p.vanilla_upload_limit;
                 out["credit_window"] = p.credit_window;
               }
               return out;
             }});
}

}  // namespace seedd::rpc
