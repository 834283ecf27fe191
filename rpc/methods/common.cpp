#include "rpc/methods/common.hpp"

#include "daemon/accountant/accountant.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/clock.hpp"

namespace seedd::rpc {

Accountant& accountant_of(Context& ctx) {
  if (!ctx.accountant) throw RpcError(code::unavailable, "the accountant is not running");
  return *ctx.accountant;
}

crypto::InfoHash20 info_hash_bytes(const json& params, const char* name) {
  auto ih = crypto::from_hex_fixed<20>(param_string(params, name));
  if (!ih) throw invalid_params("param '" + std::string(name) + "' must be 40 hex digits");
  return *ih;
}

std::vector<std::string> string_list(const json& params, const char* name) {
  std::vector<std::string> out;
  if (has_param(params, name))
    for (const auto& v : params[name]) out.push_back(v.get<std::string>());
  return out;
}

std::pair<int64_t, int64_t> time_range(const json& params) {
  const int64_t since = param_int(params, "since", 0);
  const int64_t until = param_int(params, "until", util::unix_now() + 3600);
  if (since < 0) throw invalid_params("param 'since' must be a unix time >= 0");
  if (until <= since) throw invalid_params("param 'until' must be after 'since'");
  return {since, until};
}

std::string with_commas(uint64_t n) {
  auto digits = std::to_string(n);
  for (auto i = static_cast<std::ptrdiff_t>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return digits;
}

const ParamSpec kInfoHashParam{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash"};
const ParamSpec kSinceParam{"since", ParamType::integer, false, "unix seconds, inclusive (default: the beginning)"};
const ParamSpec kUntilParam{"until", ParamType::integer, false,
                            "unix seconds, exclusive (default: now + 3600, an hour ahead)"};

std::vector<Result> receipt_message_fields() {
  return {res::str("infohash"), res::str("seeder"),  res::str("leecher"),
          res::dec("channel"),  res::dec("bytes"),   res::dec("timestamp")};
}

std::vector<Result> claim_summary_fields() {
  return {res::dec("nonce"),       res::dec("created_at", "unix seconds"), res::str("payout"),
          res::dec("amount", "base units"), res::dec("total_bytes"), res::dec("receipt_count"),
          res::str("receipts_root")};
}

std::vector<Result> claim_document_fields() {
  return {res::integer("version", "the claim file format"),
          res::obj("domain", {res::str("name"), res::str("version"), res::dec("chainId"), res::str("verifyingContract")},
                   "the EIP-712 domain"),
          res::obj("claim",
                   {res::str("claimant"), res::str("payout"), res::str("receiptsRoot"), res::dec("receiptCount"),
                    res::dec("totalBytes"), res::dec("amount"), res::dec("nonce"), res::dec("createdAt")}),
          res::str("signature"),
          res::arr("receipts",
                   res::obj("", {res::obj("message", receipt_message_fields()), res::str("signature"),
                                 res::dec("prevClaimedBytes"), res::dec("ratePerGiB"), res::strings("proof"),
                                 res::dec("passExp").opt(), res::str("passSig").opt(), res::str("passSigner").opt()}),
                   "the receipts with their Merkle proofs; passExp, passSig and passSigner when a pass covered one")};
}

Result settlement_result(std::string name) {
  return res::obj(std::move(name),
                  {res::str("state"), res::str("tx"), res::integer("account_nonce"), res::integer("block").or_null(),
                   res::dec("paid"), res::dec("bytes_paid"), res::integer("items_paid"), res::integer("items_skipped"),
                   res::arr("skipped", res::obj("", {res::integer("index"), res::integer("reason"), res::str("reason_name")})),
                   res::integer("updated_at"), res::str("error").opt()});
}

}  // namespace seedd::rpc
