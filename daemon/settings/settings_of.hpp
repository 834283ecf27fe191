#pragma once
// Settings of the parts, taken from the configuration: what main() hands them at start and
// what LiveSettings hands them again when a runtime option changes.
#include <chrono>
#include <string>

#include "config/config.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd {

/// The engine's runtime settings as `cfg` has them; with `alt_limits`, the rate limits are
/// alt_upload_limit and alt_download_limit (alt_speed or alt_schedule says they are on).
NetworkSettings network_settings_of(const config::Config& cfg, bool alt_limits = false);

/// Whether the alternative limits are on at `now`: alt_speed, or alt_schedule's window.
bool alt_limits_on(const config::Config& cfg, std::chrono::system_clock::time_point now);

/// vanilla_peers' value as the accountant's policy.
accountant::VanillaPolicy vanilla_policy_of(const std::string& name);

/// An option's value as text, whatever its type, to compare two configurations (print() masks
/// secrets, so it cannot tell whether one changed). Holds secrets: never log it for those.
std::string option_text(const config::Config& cfg, const config::OptionDef& def);

}  // namespace seedd
