#pragma once
#include <string>
#include <vector>

namespace seedd::cli {

/// seedctl's exit codes.
namespace seedctl_exit {
constexpr int ok = 0;
constexpr int rpc_error = 1;   // the daemon answered with a JSON-RPC error
constexpr int usage = 2;
constexpr int connection = 3;  // no daemon, or HTTP failure (401, 403, ...)
}  // namespace seedctl_exit

/// Runs seedctl with its arguments (argv[0] excluded); prints to stdout/stderr.
int seedctl_main(std::vector<std::string> args);

}  // namespace seedd::cli
