#pragma once
// What the parts start with, taken from the configuration (app/main.cpp hands it to them).
// The options that can change while running are in settings_of.hpp and live_settings.hpp.
#include <optional>
#include <string>

#include "config/config.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/engine/engine.hpp"

namespace seedd {

/// The engine's settings at start: directories, listen endpoints, the network options.
EngineSettings engine_settings_of(const config::Config& cfg);

/// The accountant's policy: credit and receipts, vanilla peers, lanes, rates, the signing domain
/// (pool_chain_id and pool_contract) and the trusted pass signers.
accountant::AccountingPolicy accounting_policy_of(const config::Config& cfg);

/// The address rewards are paid to (EIP-55): payout_address, or the node's own when unset.
std::string payout_address_of(const config::Config& cfg, const std::string& node_address);

/// The settler's options, or nullopt when chain_rpc is unset (no settlement). Throws
/// config::ConfigError when chain_rpc is set and pool_contract is the zero address.
std::optional<chain::SettlerOptions> settler_options_of(const config::Config& cfg, const crypto::Address& payout);

}  // namespace seedd
