#pragma once
#include <string>

namespace seedd::util {

/// Creates the loggers of every category (main, engine, rpc, auth, ledger, accountant) on one
/// stderr sink. `format` is "text" or "json"; `level` a spdlog level name.
void setup_logging(const std::string& level, const std::string& format);
/// Changes the level of every category (SIGHUP, session.set).
void set_log_level(const std::string& level);
/// Cuts and cleans a string that came from the network before it is logged.
std::string printable(std::string_view s, size_t max = 80);

}  // namespace seedd::util
