#pragma once
// Settings of the parts, taken from the configuration: what main() hands them at start and
// what LiveSettings hands them again when a runtime option changes.
#include <string>

#include "config/config.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd {

/// The engine's runtime settings as `cfg` has them.
NetworkSettings network_settings_of(const config::Config& cfg);

/// vanilla_peers' value as the accountant's policy.
accountant::VanillaPolicy vanilla_policy_of(const std::string& name);

/// An option's value as text, whatever its type, to compare two configurations (print() masks
/// secrets, so it cannot tell whether one changed). Holds secrets: never log it for those.
std::string option_text(const config::Config& cfg, const config::OptionDef& def);

}  // namespace seedd
