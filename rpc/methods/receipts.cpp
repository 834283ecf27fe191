// receipts.* : the receipts the ledger accepted.
#include <climits>

#include "daemon/accountant/accountant.hpp"
#include "daemon/accountant/claims.hpp"
#include "daemon/crypto/hex.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

std::string dec(uint64_t v) { return std::to_string(v); }

json receipts_list(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  std::optional<crypto::InfoHash20> ih;
  if (has_param(params, "info_hash")) ih = info_hash_bytes(params);
  std::optional<crypto::Address> leecher;
  if (has_param(params, "leecher")) {
    leecher = crypto::parse_address(param_string(params, "leecher"));
    if (!leecher) throw invalid_params("param 'leecher' must be a 0x address (EIP-55 when mixed case)");
  }
  const int64_t limit = param_int(params, "limit", 100);
  if (limit < 1 || limit > kMaxListLimit) throw invalid_params("param 'limit' must be from 1 to " + std::to_string(kMaxListLimit));
  int64_t after = 0;
  if (has_param(params, "cursor")) {
    auto c = crypto::parse_decimal_u64(param_string(params, "cursor"));
    if (!c || *c > static_cast<uint64_t>(INT64_MAX)) throw invalid_params("param 'cursor' is not a cursor from receipts.list");
    after = static_cast<int64_t>(*c);
  }
  json rows = json::array();
  const auto found = acc.ledger().receipts(ih, leecher, after, static_cast<int>(limit));
  for (const auto& r : found)
    rows.push_back({{"id", r.id},
                    {"message", accountant::receipt_to_json(r.receipt)},
                    {"signature", crypto::to_hex(r.signature)},
                    {"claimed_bytes", dec(r.claimed_bytes)},
                    {"updated_at", r.updated_at},
                    {"pass", r.pass ? json{{"expires_at", r.pass->expires_at},
                                           {"signer", crypto::to_checksum_address(r.pass->signer)}}
                                    : json(nullptr)}});
  json next = nullptr;
  if (static_cast<int64_t>(found.size()) == limit) next = std::to_string(found.back().id);
  return {{"receipts", rows}, {"next_cursor", next}};
}

}  // namespace

void register_receipts_methods(MethodTable& table) {
  table.add({.name = "receipts.list",
             .description = "Accepted receipts (the latest per channel), oldest first, a page at a time; pass is the "
                            "pass the leecher showed on the channel ({expires_at, signer}), null when none.",
             .params = {{"info_hash", ParamType::info_hash, false, "only this torrent"},
                        {"leecher", ParamType::string, false, "only this leecher's address"},
                        {"limit", ParamType::integer, false,
                         "page size, 1 to " + std::to_string(kMaxListLimit) + " (default 100)"},
                        {"cursor", ParamType::string, false, "next_cursor of the previous page"}},
             .result = res::obj(
                 "", {res::arr("receipts",
                               res::obj("", {res::integer("id"), res::obj("message", receipt_message_fields()),
                                             res::str("signature"), res::dec("claimed_bytes"), res::integer("updated_at"),
                                             res::obj("pass", {res::integer("expires_at"), res::str("signer")}).or_null()})),
                      res::dec("next_cursor", "null on the last page").or_null()}),
             .handler = receipts_list});
}

}  // namespace seedd::rpc
