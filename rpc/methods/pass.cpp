// pass.*: passes (docs/protocol.md 9). A creator issues them to its viewers with its node key; a viewer
// loads them and shows them to seeders in its handshakes.
#include <chrono>

#include "daemon/accountant/accountant.hpp"
#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/method_table.hpp"
#include "rpc/methods/common.hpp"

namespace seedd::rpc {
namespace {

/// pass.issue signs at most this many passes in one call (a bigger list: several calls).
constexpr size_t kMaxPassesPerIssue = 1000;

using util::unix_now;

crypto::Address leecher_param(const std::string& text, const std::string& name) {
  auto a = crypto::parse_address(text);
  if (!a) throw invalid_params("param '" + name + "' must be a 0x address (EIP-55 when mixed case), got \"" + text.substr(0, 50) + "\"");
  return *a;
}

json pass_issue(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  const auto infohash = info_hash_bytes(params);
  std::vector<crypto::Address> leechers;
  if (has_param(params, "leecher") == has_param(params, "leechers"))
    throw invalid_params("give one of 'leecher' (an address) or 'leechers' (a list of addresses)");
  if (has_param(params, "leecher")) {
    leechers.push_back(leecher_param(param_string(params, "leecher"), "leecher"));
  } else {
    const auto& list = params.at("leechers");
    if (list.empty()) throw invalid_params("param 'leechers' must hold at least one address");
    if (list.size() > kMaxPassesPerIssue)
      throw invalid_params("param 'leechers' holds " + std::to_string(list.size()) + " addresses, at most " +
                           std::to_string(kMaxPassesPerIssue) + " per call");
    for (size_t i = 0; i < list.size(); ++i)
      leechers.push_back(leecher_param(list[i].get<std::string>(), "leechers[" + std::to_string(i) + "]"));
  }
  const int64_t expires_at = param_int(params, "expires_at", 0);
  if (expires_at <= unix_now())
    throw invalid_params("param 'expires_at' must be a unix time in the future, got " + std::to_string(expires_at));
  json passes = json::array();
  for (const auto& leecher : leechers) {
    const crypto::Pass pass{infohash, leecher, static_cast<uint64_t>(expires_at)};
    passes.push_back(accountant::pass_to_json(accountant::issue_pass(acc.policy().domain, pass, acc.key())));
  }
  return {{"passes", passes}};
}

json pass_add(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  accountant::PassDocument doc;
  try {
    doc = accountant::pass_from_json(params.at("pass"));
  } catch (const accountant::PassFormatError& e) {
    throw invalid_params(e.what());
  }
  bool added = false;
  try {
    added = acc.add_pass(doc);
  } catch (const accountant::PassRefused& e) {
    throw invalid_params(std::string("pass refused: ") + e.what());
  }
  json out = accountant::pass_to_json(doc);
  out["added"] = added;  // false: a pass of that signer lasting as long or longer was held already
  return out;
}

json pass_list(const json& params, Context& ctx) {
  auto& acc = accountant_of(ctx);
  std::optional<crypto::InfoHash20> only;
  if (has_param(params, "info_hash")) {
    only = info_hash_bytes(params);
  }
  const int64_t now = unix_now();
  json rows = json::array();
  for (const auto& held : acc.passes(only)) {
    json row = accountant::pass_to_json(held.document);
    row["info_hash"] = crypto::to_hex(held.document.pass.infohash, false);
    row["added_at"] = held.added_at;
    row["expired"] = now < 0 || held.document.pass.expires_at < static_cast<uint64_t>(now);
    rows.push_back(std::move(row));
  }
  return {{"passes", rows}};
}

std::vector<Result> pass_fields() {
  return {res::str("infohash"), res::str("leecher"), res::dec("expiresAt"), res::str("signer"), res::str("signature")};
}

}  // namespace

void register_pass_methods(MethodTable& table) {
  table.add({.name = "pass.issue",
             .description =
                 "Issues passes (docs/protocol.md 9): signs Pass(infohash, leecher, expiresAt) in the pool's domain "
                 "with the node key, for one leecher or a list. A creator gives each viewer its pass document; a "
                 "bounty whose pass_signer is this node's address, or a seeder that lists it in "
                 "trusted_pass_signers, counts them.",
             .params = {{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash (v1)"},
                        {"leecher", ParamType::string, false, "the viewer's node address"},
                        {"leechers", ParamType::string_array, false,
                         "several viewers' node addresses (at most " + std::to_string(kMaxPassesPerIssue) +
                             "), instead of leecher"},
                        {"expires_at", ParamType::integer, true, "unix time until which the pass counts"}},
             .result = res::obj("", {res::arr("passes", res::obj("", pass_fields()))}),
             // Signs with the node key: not for read-scope callers, though it writes nothing.
             .changes_state = true,
             .handler = pass_issue});
  table.add({.name = "pass.add",
             .description =
                 "Loads a pass document for this node as the leecher, kept in the ledger: from then on this node "
                 "shows it to seeders of that torrent in its extended handshake (seedd.pass). Refused when the "
                 "signature does not recover its signer in this node's pool domain, when it names another leecher, "
                 "or when it has expired.",
             .params = {{"pass", ParamType::object, true,
                         "the pass document {infohash, leecher, expiresAt, signer, signature}"}},
             .result = res::obj("", [] {
               auto out = pass_fields();
               out.push_back(res::boolean("added", "false: a pass of that signer lasting as long was held already"));
               return out;
             }()),
             .changes_state = true,
             .handler = pass_add});
  table.add({.name = "pass.list",
             .description = "The passes this node holds as a leecher, by torrent, with whether each has expired.",
             .params = {{"info_hash", ParamType::info_hash, false, "only this torrent's"}},
             .result = res::obj("", {res::arr("passes", res::obj("", [] {
                                                auto out = pass_fields();
                                                out.push_back(res::str("info_hash"));
                                                out.push_back(res::integer("added_at"));
                                                out.push_back(res::boolean("expired"));
                                                return out;
                                              }()))}),
             .handler = pass_list});
}

}  // namespace seedd::rpc
