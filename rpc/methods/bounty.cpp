// bounty.*: creators fund the availability of their content from the node account (docs/protocol.md 8).
#include <algorithm>

#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/chain_errors.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

// A uint256 param: a decimal string, or a JSON integer for small values (seedctl's key=value
// sends digits as a number). Never a float.
crypto::uint256 amount_param(const json& params, const char* name, bool positive) {
  const auto& raw = params.at(name);
  const std::string text = raw.is_number_unsigned() ? std::to_string(raw.get<uint64_t>())
                           : raw.is_string()         ? raw.get<std::string>()
                                                     : std::string("-");
  auto v = crypto::parse_decimal_u256(text);
  if (!v || (positive && *v == 0))
    throw invalid_params("param '" + std::string(name) + "' must be a decimal integer of base units" +
                         (positive ? " above 0" : ""));
  return *v;
}

json bounty_fund(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  const auto ih = info_hash_bytes(params);
  const auto amount = amount_param(params, "amount", true);
  const auto rate = amount_param(params, "rate_per_gib", true);
  uint64_t cap = 0;
  if (has_param(params, "max_bytes_per_leecher")) {
    const auto& raw = params.at("max_bytes_per_leecher");
    auto v = raw.is_number_unsigned() ? std::optional<uint64_t>(raw.get<uint64_t>())
             : raw.is_string()       ? crypto::parse_decimal_u64(raw.get<std::string>())
                                     : std::nullopt;
    if (!v) throw invalid_params("param 'max_bytes_per_leecher' must be a decimal uint64 (0 = no cap)");
    cap = *v;
  }
  crypto::Address signer{};
  if (has_param(params, "pass_signer")) {
    auto a = crypto::parse_address(param_string(params, "pass_signer"));
    if (!a) throw invalid_params("param 'pass_signer' must be a 0x address (EIP-55 when mixed case)");
    signer = *a;
  }
  const int64_t expires_at = param_int(params, "expires_at", 0);
  const int64_t now = util::unix_now();
  if (expires_at <= now) throw invalid_params("param 'expires_at' must be a unix time in the future, got " + std::to_string(expires_at));
  try {
    return s.fund(ih, amount, rate, cap, signer, static_cast<uint64_t>(expires_at));
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

// The bounty_id param, which must name a bounty the cache knows.
crypto::uint256 known_bounty(chain::Settler& s, const json& params) {
  const auto id = amount_param(params, "bounty_id", true);
  const auto all = s.bounties();
  const auto it = std::find_if(all.begin(), all.end(), [&](const chain::KnownBounty& b) { return b.id == id; });
  if (it == all.end()) throw RpcError(code::bounty_unavailable, "bounty_id: no bounty " + crypto::to_decimal(id) + " on the pool");
  return id;
}

json bounty_top_up(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  const auto id = known_bounty(s, params);
  const auto amount = amount_param(params, "amount", true);
  try {
    return s.top_up(id, amount);
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

json bounty_withdraw(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  const auto id = known_bounty(s, params);
  const auto all = s.bounties();
  const auto b = *std::find_if(all.begin(), all.end(), [&](const chain::KnownBounty& k) { return k.id == id; });
  const int64_t now = util::unix_now();
  if (b.state.funder != s.account())
    throw RpcError(code::bounty_unavailable, "bounty_id: bounty " + crypto::to_decimal(id) + " was funded by " +
                                                 crypto::to_checksum_address(b.state.funder) + ", not this node");
  if (static_cast<uint64_t>(now) <= b.state.expires_at)
    throw RpcError(code::bounty_unavailable, "bounty_id: bounty " + crypto::to_decimal(id) + " expires at " +
                                                 std::to_string(b.state.expires_at) + ": withdraw only after that");
  try {
    return s.withdraw(id);
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

json bounty_list(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  std::optional<crypto::InfoHash20> only;
  if (has_param(params, "info_hash")) only = info_hash_bytes(params);
  const int64_t now = util::unix_now();
  json rows = json::array();
  for (const auto& b : s.bounties()) {
    if (only && b.state.infohash != *only) continue;
    auto row = chain::bounty_to_json(b);
    row["seeding"] = ctx.engine && ctx.engine->get(crypto::to_hex(b.state.infohash, false)).has_value();
    row["live"] = b.state.balance > 0 && b.state.expires_at >= static_cast<uint64_t>(now);
    row["funded_by_this_node"] = b.state.funder == s.account();
    rows.push_back(std::move(row));
  }
  return {{"bounties", rows}};
}

// What a transaction of the node account answers: its hash and block (null while unmined), and
// with `approve` the approve transaction sent first when the pool's allowance was too small.
std::vector<Result> tx_fields(bool approve) {
  std::vector<Result> out{res::str("tx"), res::integer("block").or_null(), res::dec("bounty_id").or_null()};
  if (approve) out.push_back(res::any("approve", "the approve transaction {tx, block, ...}, when one was needed").opt());
  return out;
}

}  // namespace

void register_bounty_methods(MethodTable& table) {
  table.add({.name = "bounty.fund",
             .description = "Funds a bounty for a torrent from the node account's tokens: approves the pool for the "
                            "amount when needed, then calls fund(). Amounts are decimal strings of token base units.",
             .params = {{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash (v1)"},
                        {"amount", ParamType::any, true, "tokens to put in, base units"},
                        {"rate_per_gib", ParamType::any, true, "tokens paid per GiB served, base units"},
                        {"max_bytes_per_leecher", ParamType::any, false,
                         "bytes paid per leecher at most (default 0 = no cap)"},
                        {"pass_signer", ParamType::string, false,
                         "only leechers with a pass by this address count (default: open)"},
                        {"expires_at", ParamType::integer, true,
                         "unix time after which receipts are not paid and the rest may be withdrawn"}},
             .result = res::obj("", tx_fields(true)),
             .changes_state = true,
             .handler = bounty_fund});
  table.add({.name = "bounty.top_up",
             .description = "Adds tokens to a bounty from the node account (approving when needed).",
             .params = {{"bounty_id", ParamType::any, true, "the bounty's id"},
                        {"amount", ParamType::any, true, "tokens to add, base units"}},
             .result = res::obj("", tx_fields(true)),
             .changes_state = true,
             .handler = bounty_top_up});
  table.add({.name = "bounty.withdraw",
             .description = "Takes the rest of an expired bounty this node funded back to the node account.",
             .params = {{"bounty_id", ParamType::any, true, "the bounty's id"}},
             .result = res::obj("", tx_fields(false)),
             .changes_state = true,
             .handler = bounty_withdraw});
  table.add({.name = "bounty.list",
             .description = "The pool's bounties as last read (BountyFunded logs, then bounty() for balances), and "
                            "whether this node seeds each one's torrent.",
             .params = {{"info_hash", ParamType::info_hash, false, "only this torrent's"}},
             .result = res::obj(
                 "", {res::arr("bounties",
                               res::obj("", {res::dec("bounty_id"), res::str("info_hash"), res::str("funder"),
                                             res::dec("balance"), res::dec("rate_per_gib"),
                                             res::dec("max_bytes_per_leecher", "0 = no cap"),
                                             res::str("pass_signer", "null: open to every leecher").or_null(),
                                             res::integer("expires_at"), res::integer("funded_block"),
                                             res::boolean("seeding"), res::boolean("live"),
                                             res::boolean("funded_by_this_node")}))}),
             .handler = bounty_list});
}

}  // namespace seedd::rpc
