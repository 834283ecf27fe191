#include "daemon/settings/start_settings.hpp"

#include <algorithm>

#include "daemon/accountant/lanes.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/settings/settings_of.hpp"
#include "daemon/util/endpoint.hpp"

namespace seedd {

EngineSettings engine_settings_of(const config::Config& cfg) {
  EngineSettings es;
  es.data_dir = cfg.get_string("data_dir");
  es.download_dir = cfg.get_string("download_dir");
  for (const auto& r : cfg.get_list("data_roots")) es.data_roots.emplace_back(r);
  es.listen = util::join_endpoints(cfg.get_endpoints("listen"));
  es.pex = cfg.get_bool("pex");
  es.utp = cfg.get_bool("utp");
  es.network = network_settings_of(cfg, alt_limits_on(cfg, std::chrono::system_clock::now()));
  es.ip_filter = cfg.get_string("ip_filter");
  es.missing_data_retry = std::chrono::seconds(cfg.get_int("missing_data_retry"));
  es.active_seeds = static_cast<int>(cfg.get_int("active_seeds"));
  es.active_downloads = static_cast<int>(cfg.get_int("active_downloads"));
  es.disk_threads = static_cast<int>(cfg.get_int("disk_threads"));
  return es;
}

accountant::AccountingPolicy accounting_policy_of(const config::Config& cfg) {
  accountant::AccountingPolicy policy;
  policy.credit_window = cfg.get_bytes("credit_window");
  policy.receipt_interval = cfg.get_bytes("receipt_interval");
  policy.vanilla = vanilla_policy_of(cfg.get_string("vanilla_peers"));
  policy.vanilla_upload_limit = cfg.get_bytes("vanilla_upload_limit");
  policy.lane_weights = accountant::parse_lane_weights(cfg.get_string("lane_weights")).value();  // checked at load
  policy.sign_receipts = cfg.get_bool("sign_receipts");
  policy.domain.chain_id = static_cast<uint64_t>(cfg.get_int("pool_chain_id"));
  policy.domain.verifying_contract = crypto::parse_address(cfg.get_string("pool_contract")).value();
  policy.default_rate = crypto::parse_decimal_u256(cfg.get_string("reward_rate")).value();
  for (const auto& signer : cfg.get_list("trusted_pass_signers"))
    policy.trusted_pass_signers.push_back(crypto::parse_address(signer).value());
  return policy;
}

std::string payout_address_of(const config::Config& cfg, const std::string& node_address) {
  const auto configured = cfg.get_string("payout_address");
  return configured.empty() ? node_address : crypto::to_checksum_address(crypto::parse_address(configured).value());
}

std::optional<chain::SettlerOptions> settler_options_of(const config::Config& cfg, const crypto::Address& payout) {
  if (cfg.get_string("chain_rpc").empty()) return std::nullopt;
  chain::SettlerOptions so;
  so.rpc_url = cfg.get_string("chain_rpc");
  so.chain_id = static_cast<uint64_t>(cfg.get_int("pool_chain_id"));
  so.pool = crypto::parse_address(cfg.get_string("pool_contract")).value();
  so.deploy_block = static_cast<uint64_t>(cfg.get_int("pool_deploy_block"));
  so.max_fee_per_gas = crypto::parse_decimal_u256(cfg.get_string("max_fee_per_gas")).value();
  so.auto_settle = cfg.get_bool("auto_settle");
  so.settle_min_amount = crypto::parse_decimal_u256(cfg.get_string("settle_min_amount")).value();
  so.payout = payout;
  if (std::all_of(so.pool.begin(), so.pool.end(), [](uint8_t b) { return b == 0; }))
    throw config::ConfigError("option 'chain_rpc': set, but pool_contract is the zero address: settlement needs the pool");
  return so;
}

}  // namespace seedd
