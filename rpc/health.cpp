#include "rpc/health.hpp"

#include <nlohmann/json.hpp>

#include "daemon/accountant/accountant.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/util/disk_space.hpp"

namespace seedd::rpc {

Health check_health(const Context& ctx) {
  Health h;
  if (ctx.engine) {
    h.alive = ctx.engine->healthy();
    if (!h.alive) h.problems.push_back("engine: its loop has stalled");
    if (auto p = ctx.engine->state_files_problem()) h.problems.push_back(std::move(*p));
  }
  if (ctx.accountant)
    if (auto p = ctx.accountant->ledger_problem()) h.problems.push_back(std::move(*p));
  if (ctx.node && !ctx.node->data_dir.empty()) {
    const auto free = util::free_bytes(ctx.node->data_dir);
    if (free && *free < util::kMinFreeDataDirBytes)
      h.problems.push_back("data_dir: " + std::to_string(*free) + " bytes free in " + ctx.node->data_dir.string() +
                           ", less than " + std::to_string(util::kMinFreeDataDirBytes));
  }
  return h;
}

std::string health_body(const Health& health) {
  nlohmann::json j{{"status", !health.alive ? "unhealthy" : health.problems.empty() ? "ok" : "degraded"}};
  if (!health.problems.empty()) j["problems"] = health.problems;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seedd::rpc
