// claim.* : checking claim documents, this node's or any other's.
#include "daemon/accountant/accountant.hpp"
#include "daemon/accountant/claim_verify.hpp"
#include "daemon/crypto/hex.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

json claim_verify(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const json& file = params.at("claim");
  // Rule 5 needs the verifier's own record: for this node's claims, the state before the claim.
  accountant::VerifierState state;
  auto claimant = file.contains("claim") && file["claim"].is_object() && file["claim"].contains("claimant") &&
                          file["claim"]["claimant"].is_string()
                      ? crypto::parse_address(file["claim"]["claimant"].get<std::string>())
                      : std::nullopt;
  uint64_t nonce = 0;
  if (file.contains("claim") && file["claim"].is_object() && file["claim"].contains("nonce") && file["claim"]["nonce"].is_string())
    nonce = crypto::parse_decimal_u64(file["claim"]["nonce"].get<std::string>()).value_or(0);
  if (claimant && *claimant == acc.address()) {
    // A claim the ledger holds is judged against the record before it, so each of this node's
    // claims stays valid after later ones. Any other claim of this key (one that reuses a
    // nonce, or pays a channel again) is judged against everything this node has claimed.
    const auto recorded = nonce != 0 ? acc.ledger().claim(nonce) : std::nullopt;
    const bool is_recorded = recorded && recorded->contains("claim") && (*recorded)["claim"] == file["claim"];
    state = acc.ledger().verifier_state(is_recorded ? std::optional<uint64_t>(nonce) : std::nullopt);
  }
  const auto result = accountant::verify_claim(file, acc.policy().domain, state);
  json failures = json::array();
  for (const auto& f : result.failures) failures.push_back({{"rule", f.rule}, {"detail", f.detail}});
  return {{"valid", result.valid}, {"failures", failures}};
}

}  // namespace

void register_claim_methods(MethodTable& table) {
  table.add({.name = "claim.verify",
             .description = "Checks a claim document against docs/protocol.md section 7 and reports every failed rule "
                            "by name (rule 6, passes beside receipts: \"pass\").",
             .params = {{"claim", ParamType::object, true, "the claim file's JSON"}},
             .result = res::obj("", {res::boolean("valid"),
                                     res::arr("failures", res::obj("", {res::str("rule"), res::str("detail")}))}),
             .handler = claim_verify});
}

}  // namespace seedd::rpc
