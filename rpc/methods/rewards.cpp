// rewards.* : claims of this node's receipted bytes, and their settlement on the pool's chain.
#include "daemon/accountant/accountant.hpp"
#include "daemon/accountant/claims.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/chain_errors.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

json rewards_claim(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  std::string payout_text = param_string(params, "payout", ctx.node->payout_address);
  auto payout = crypto::parse_address(payout_text);
  if (!payout) throw invalid_params("param 'payout' must be a 0x address (EIP-55 when mixed case)");
  try {
    auto made = acc.claim(*payout, param_bool(params, "dry_run"));
    json out = made.document;
    out["nonce"] = made.nonce;
    out["dry_run"] = param_bool(params, "dry_run");
    // claim.created is published by daemon/events from the accountant's on_claim hook.
    if (!param_bool(params, "dry_run")) out["file"] = (acc.claims_dir() / (std::to_string(made.nonce) + ".json")).string();
    return out;
  } catch (const accountant::NothingToClaim& e) {
    throw RpcError(code::nothing_to_claim, "nothing to claim: no receipted bytes are unclaimed");
  }
}

// The claim's latest on-chain settlement (settlement_store.hpp), null when none or when
// settlement is off.
json settlement_of(Context& ctx, const json& doc) {
  if (!ctx.settler) return nullptr;
  const auto nonce = crypto::parse_decimal_u64(doc.at("claim").at("nonce").get<std::string>());
  if (!nonce) return nullptr;
  const auto row = ctx.settler->settlement(*nonce);
  return row ? chain::settlement_json(*row) : json(nullptr);
}

json rewards_list(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const int64_t after = param_int(params, "after", 0);
  const int64_t limit = param_int(params, "limit", 100);
  if (limit < 1 || limit > kMaxListLimit) throw invalid_params("param 'limit' must be from 1 to " + std::to_string(kMaxListLimit));
  json rows = json::array();
  for (const auto& doc : acc.ledger().claims(after, static_cast<int>(limit))) {
    auto row = accountant::claim_summary(doc);
    if (ctx.settler) row["settlement"] = settlement_of(ctx, doc);  // with a chain configured only
    rows.push_back(std::move(row));
  }
  return {{"claims", rows}};
}

json rewards_get(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const int64_t nonce = param_int(params, "nonce", 0);
  if (nonce < 1) throw invalid_params("param 'nonce' must be >= 1");
  auto doc = acc.ledger().claim(static_cast<uint64_t>(nonce));
  if (!doc) throw RpcError(code::not_found, "nonce: no claim " + std::to_string(nonce));
  // With a chain configured only: otherwise rewards.get is the claim file, byte for byte.
  if (ctx.settler) (*doc)["settlement"] = settlement_of(ctx, *doc);
  return *doc;
}

json rewards_settle(const json& params, Context& ctx) {
  auto& s = settler_of(ctx);
  const int64_t nonce = param_int(params, "nonce", 0);
  if (nonce < 1) throw invalid_params("param 'nonce' must be >= 1");
  try {
    return s.settle(static_cast<uint64_t>(nonce), param_bool(params, "dry_run"), param_bool(params, "send", true));
  } catch (const chain::ChainError& e) {
    throw to_rpc_error(e);
  }
}

/// A claim document with what rewards.claim adds.
std::vector<Result> made_claim_fields() {
  auto out = claim_document_fields();
  out.push_back(res::integer("nonce"));
  out.push_back(res::boolean("dry_run"));
  out.push_back(res::str("file", "claims/<nonce>.json; not with dry_run").opt());
  return out;
}

std::vector<Result> recorded_claim_fields() {
  auto out = claim_document_fields();
  out.push_back(settlement_result("settlement").or_null().opt());
  out.back().description = "with a chain configured: the latest settlement, null before the first rewards.settle";
  return out;
}

}  // namespace

void register_rewards_methods(MethodTable& table) {
  table.add({.name = "rewards.claim",
             .description = "Claims every unclaimed receipted byte: a signed, Merkle-rooted claim (docs/protocol.md 6) "
                            "written to claims/<nonce>.json. dry_run shows it without recording it.",
             .params = {{"payout", ParamType::string, false,
                         "payout address (default payout_address, else the node address)"},
                        {"dry_run", ParamType::boolean, false, "build and show the claim, record nothing"}},
             .result = res::obj("", made_claim_fields(), "the claim document, with nonce and file"),
             .changes_state = true,
             .handler = rewards_claim});
  table.add({.name = "rewards.list",
             .description = "Past claims, oldest first; with a chain configured each has `settlement` (null before "
                            "the first rewards.settle): state, tx, block, paid, items_paid, items_skipped, skipped "
                            "reasons.",
             .params = {{"after", ParamType::integer, false, "only nonces above this"},
                        {"limit", ParamType::integer, false,
                         "1 to " + std::to_string(kMaxListLimit) + " (default 100)"}},
             .result = res::obj("", {res::arr("claims", res::obj("", [] {
                                                auto row = claim_summary_fields();
                                                row.push_back(settlement_result("settlement").or_null().opt());
                                                return row;
                                              }()))}),
             .handler = rewards_list});
  table.add({.name = "rewards.get",
             .description = "One past claim document; with a chain configured also its `settlement`.",
             .params = {{"nonce", ParamType::integer, true, "the claim's nonce"}},
             .result = res::obj("", recorded_claim_fields(), "the claim document"),
             .handler = rewards_get});
  table.add({.name = "rewards.settle",
             .description =
                 "Settles a claim on the pool (docs/protocol.md 8): each receipt is paid from the live bounty of its "
                 "info-hash with the best rate and a balance. Simulates with eth_call first: dry_run stops there and "
                 "answers what would be paid and each item's skip reason. send: false answers {to, data} for any "
                 "wallet to send. Otherwise the node signs, commits the transaction to the ledger, broadcasts it and "
                 "follows it to its receipt (settlement: state, tx, block, paid, items_paid, items_skipped).",
             .params = {{"nonce", ParamType::integer, true, "the claim's nonce"},
                        {"dry_run", ParamType::boolean, false, "simulate only"},
                        {"send", ParamType::boolean, false, "false: answer {to, data} instead of sending (default true)"}},
             .result = res::obj(
                 "", {res::integer("nonce"), res::boolean("dry_run"), res::str("pool"), res::str("payout"),
                      res::dec("would_pay"), res::integer("items_paid"), res::integer("items_skipped"),
                      res::arr("items",
                               res::obj("", {res::integer("index"), res::str("info_hash"), res::str("leecher"),
                                             res::dec("channel"), res::dec("bytes"), res::dec("paid_bytes_before"),
                                             res::dec("bounty_id").or_null(), res::dec("rate_per_gib"), res::dec("amount"),
                                             res::dec("delta_bytes"), res::integer("skip_reason").or_null(),
                                             res::str("skip_reason_name").or_null()})),
                      res::str("to", "with send: false").opt(), res::str("data", "with send: false").opt(),
                      settlement_result("settlement").opt()}),
             .changes_state = true,
             .handler = rewards_settle});
}

}  // namespace seedd::rpc
