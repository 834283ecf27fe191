// earnings.* : what this node's upload earned, from the ledger.
#include <algorithm>

#include "daemon/accountant/accountant.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

using crypto::to_decimal;
using util::unix_now;

std::string dec(uint64_t v) { return std::to_string(v); }

json summary(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto [since, until] = time_range(params);
  const auto s = acc.ledger().summary(since, until, acc.policy().default_rate);
  json rejected = json::object();
  for (const auto& [reason, count] : s.rejected) rejected[reason] = count;
  json out = {{"since", since},
          {"until", until},
          {"verified_bytes", dec(s.verified_bytes)},
          {"pass_bytes", dec(s.pass_bytes)},
          {"receipt_bytes", dec(s.verified_bytes - std::min(s.verified_bytes, s.pass_bytes))},
          {"unverified_bytes", dec(s.unverified_bytes)},
          {"receipts", s.receipts},
          {"unclaimed_bytes", dec(s.unclaimed_bytes)},
          {"claimed_bytes", dec(s.claimed_bytes)},
          {"pending_amount", to_decimal(s.pending_amount)},
          {"claimed_amount", to_decimal(s.claimed_amount)},
          {"default_rate_per_gib", to_decimal(acc.policy().default_rate)},
          {"rejected", rejected}};
  // Where a pool is configured: the unclaimed bytes at each torrent's best live bounty.
  if (ctx.settler) {
    crypto::uint256 expected = 0;
    for (const auto& t : acc.ledger().by_torrent(0, unix_now() + 3600, acc.policy().default_rate))
      expected += crypto::uint256(t.unclaimed_bytes) * ctx.settler->best_rate(t.infohash) / (crypto::uint256(1) << 30);
    out["expected_bounty_amount"] = to_decimal(expected);
  }
  return out;
}

json by_torrent(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto [since, until] = time_range(params);
  json rows = json::array();
  for (const auto& t : acc.ledger().by_torrent(since, until, acc.policy().default_rate)) {
    rows.push_back({{"info_hash", crypto::to_hex(t.infohash, false)},
                    {"verified_bytes", dec(t.verified_bytes)},
                    {"pass_bytes", dec(t.pass_bytes)},
                    {"receipt_bytes", dec(t.verified_bytes - std::min(t.verified_bytes, t.pass_bytes))},
                    {"unverified_bytes", dec(t.unverified_bytes)},
                    {"unclaimed_bytes", dec(t.unclaimed_bytes)},
                    {"claimed_bytes", dec(t.claimed_bytes)},
                    {"receipts", t.receipts},
                    {"rate_per_gib", to_decimal(t.rate_per_gib)},
                    {"pending_amount", to_decimal(t.pending_amount)}});
    // Where a pool is configured: what the unclaimed bytes would earn at the best live bounty.
    if (ctx.settler) {
      const auto rate = ctx.settler->best_rate(t.infohash);
      rows.back()["bounty_rate_per_gib"] = to_decimal(rate);
      rows.back()["expected_bounty_amount"] = to_decimal(crypto::uint256(t.unclaimed_bytes) * rate / (crypto::uint256(1) << 30));
    }
  }
  return {{"since", since}, {"until", until}, {"torrents", rows}};
}

json history(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto bucket = param_string(params, "bucket", "hour");
  if (bucket != "hour" && bucket != "day") throw invalid_params("param 'bucket' must be \"hour\" or \"day\", got \"" + bucket.substr(0, 20) + "\"");
  const auto [since, until] = time_range(params);
  json rows = json::array();
  for (const auto& r : acc.ledger().history(since, until, bucket == "hour" ? 3600 : 86400))
    rows.push_back({{"start", r.bucket_start}, {"verified_bytes", dec(r.verified_bytes)}, {"unverified_bytes", dec(r.unverified_bytes)}});
  return {{"bucket", bucket}, {"since", since}, {"until", until}, {"rows", rows}};
}

}  // namespace

void register_earnings_methods(MethodTable& table) {
  table.add({.name = "earnings.summary",
             .description =
                 "Verified upload (split into pass_bytes, from leechers whose pass covered the receipt, and "
                 "receipt_bytes, the other receipted bytes) and unverified upload, receipts, pending and claimed "
                 "amounts (base units, decimal strings) and rejected receipts by reason; with a chain configured also "
                 "expected_bounty_amount (the unclaimed bytes at each torrent's best live open bounty).",
             .params = {kSinceParam, kUntilParam},
             .result = res::obj(
                 "", {res::integer("since"), res::integer("until"), res::dec("verified_bytes"), res::dec("pass_bytes"),
                      res::dec("receipt_bytes"), res::dec("unverified_bytes"), res::integer("receipts"),
                      res::dec("unclaimed_bytes"), res::dec("claimed_bytes"), res::dec("pending_amount"),
                      res::dec("claimed_amount"), res::dec("default_rate_per_gib"),
                      res::map("rejected", res::integer(""), "rejected receipts by reason"),
                      res::dec("expected_bounty_amount", "with a chain configured").opt()}),
             .handler = summary});
  table.add({.name = "earnings.by_torrent",
             .description = "The same figures per torrent (verified_bytes = pass_bytes + receipt_bytes); with a "
                            "chain configured also bounty_rate_per_gib (the best live open bounty) and "
                            "expected_bounty_amount (the unclaimed bytes at that rate).",
             .params = {kSinceParam, kUntilParam},
             .result = res::obj(
                 "", {res::integer("since"), res::integer("until"),
                      res::arr("torrents",
                               res::obj("", {res::str("info_hash"), res::dec("verified_bytes"), res::dec("pass_bytes"),
                                             res::dec("receipt_bytes"), res::dec("unverified_bytes"),
                                             res::dec("unclaimed_bytes"), res::dec("claimed_bytes"),
                                             res::integer("receipts"), res::dec("rate_per_gib"),
                                             res::dec("pending_amount"),
                                             res::dec("bounty_rate_per_gib", "with a chain configured").opt(),
                                             res::dec("expected_bounty_amount", "with a chain configured").opt()}))}),
             .handler = by_torrent});
  table.add({.name = "earnings.history",
             .description = "Verified and unverified upload by hour or day.",
             .params = {{"bucket", ParamType::string, false, "\"hour\" (default) or \"day\""}, kSinceParam, kUntilParam},
             .result = res::obj("", {res::str("bucket"), res::integer("since"), res::integer("until"),
                                     res::arr("rows", res::obj("", {res::integer("start", "unix seconds"),
                                                                    res::dec("verified_bytes"),
                                                                    res::dec("unverified_bytes")}))}),
             .handler = history});
}

}  // namespace seedd::rpc
