#pragma once
// What /healthz says (issue 16, item 10): "ok"; "degraded" while seedd runs but cannot do part
// of its job (the ledger cannot commit, state files cannot be written, the data directory is
// full), with the reasons; "unhealthy" when the engine loop has stalled.
#include <string>
#include <vector>

#include "rpc/context.hpp"

namespace seedd::rpc {

struct Health {
  bool alive = true;                  // false: 503 "unhealthy"
  std::vector<std::string> problems;  // none: "ok"; some: "degraded" (still 200)
};

/// Looks at the engine loop, the ledger, the state file writes and the free space in data_dir.
Health check_health(const Context& ctx);

/// The /healthz body: {"status": "ok" | "degraded" | "unhealthy", "problems": [...]} (problems
/// only when there are some).
std::string health_body(const Health& health);

}  // namespace seedd::rpc
