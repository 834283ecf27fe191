// earnings.*, receipts.*, rewards.*, claim.* and the accountant's torrent.* methods.
#include <algorithm>
#include <climits>
#include <cmath>
#include <chrono>

#include "daemon/accountant/accountant.hpp"
#include "daemon/accountant/claim_verify.hpp"
#include "daemon/chain/settler.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/engine/engine.hpp"
#include "daemon/events/event_bus.hpp"
#include "daemon/util/clock.hpp"
#include "rpc/method_table.hpp"
#include "rpc/peer_rows.hpp"

namespace seedd::rpc {
namespace {

using crypto::to_decimal;

Accountant& accountant(Context& ctx) {
  if (!ctx.accountant) throw RpcError(code::unavailable, "the accountant is not running");
  return *ctx.accountant;
}

crypto::InfoHash20 info_hash_bytes(const json& params, const char* name = "info_hash") {
  auto ih = crypto::from_hex_fixed<20>(param_string(params, name));
  if (!ih) throw invalid_params("param '" + std::string(name) + "' must be 40 hex digits");
  return *ih;
}

using util::unix_now;

std::pair<int64_t, int64_t> time_range(const json& params) {
  const int64_t since = param_int(params, "since", 0);
  const int64_t until = param_int(params, "until", unix_now() + 3600);
  if (since < 0) throw invalid_params("param 'since' must be a unix time >= 0");
  if (until <= since) throw invalid_params("param 'until' must be after 'since'");
  return {since, until};
}

std::string dec(uint64_t v) { return std::to_string(v); }

const ParamSpec kSince{"since", ParamType::integer, false, "unix seconds, inclusive (default: the beginning)"};
const ParamSpec kUntil{"until", ParamType::integer, false, "unix seconds, exclusive (default: now + 3600, an hour ahead)"};
const ParamSpec kInfoHash{"info_hash", ParamType::info_hash, true, "the torrent's 40-hex info-hash"};

json summary(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
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
  auto& acc = accountant(ctx);
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
  auto& acc = accountant(ctx);
  const auto bucket = param_string(params, "bucket", "hour");
  if (bucket != "hour" && bucket != "day") throw invalid_params("param 'bucket' must be \"hour\" or \"day\", got \"" + bucket.substr(0, 20) + "\"");
  const auto [since, until] = time_range(params);
  json rows = json::array();
  for (const auto& r : acc.ledger().history(since, until, bucket == "hour" ? 3600 : 86400))
    rows.push_back({{"start", r.bucket_start}, {"verified_bytes", dec(r.verified_bytes)}, {"unverified_bytes", dec(r.unverified_bytes)}});
  return {{"bucket", bucket}, {"since", since}, {"until", until}, {"rows", rows}};
}

json receipt_message_json(const crypto::Receipt& r) {
  return {{"infohash", crypto::to_hex(r.infohash)},
          {"seeder", crypto::to_checksum_address(r.seeder)},
          {"leecher", crypto::to_checksum_address(r.leecher)},
          {"channel", dec(r.channel)},
          {"bytes", dec(r.bytes)},
          {"timestamp", dec(r.timestamp)}};
}

constexpr int kMaxListLimit = 1000;

json receipts_list(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  std::optional<crypto::InfoHash20> ih;
  if (has_param(params, "info_hash")) ih = info_hash_bytes(params);
  std::optional<crypto::Address> leecher;
  if (has_param(params, "leecher")) {
    leecher = crypto::parse_address(param_string(params, "leecher"));
    if (!leecher) throw invalid_params("param 'leecher' must be a 0x address (EIP-55 when mixed case)");
  }
  const int64_t limit = param_int(params, "limit", 100);
  if (limit < 1 || limit > kMaxListLimit) throw invalid_params("param 'limit' must be from 1 to 1000");
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
                    {"message", receipt_message_json(r.receipt)},
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

json peers(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  std::vector<PeerStatus> live;
  try {
    live = ctx.engine->peers(param_string(params, "info_hash"));
  } catch (const EngineError&) {  // parked (missing_data): no connections
  }
  const json rows = peer_rows(acc.peers(ih), live);
  return {{"peers", rows}};
}

json peer_totals(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  json rows = json::array();
  for (const auto& t : acc.peer_totals(ih))
    rows.push_back({{"seedd_address", t.address ? json(crypto::to_checksum_address(*t.address)) : json(nullptr)},
                    {"sent_bytes", std::to_string(t.sent_bytes)},
                    {"received_bytes", std::to_string(t.received_bytes)},
                    {"connections", t.connections}});
  return {{"peers", rows}};
}

/// torrent.set's engine part: labels, limits, seeding limits, file priorities, trackers. Every
/// param is read and type-checked before anything changes.
void torrent_set_engine(const json& params, Context& ctx) {
  const auto id = param_string(params, "info_hash");
  TorrentSettings s;
  if (has_param(params, "labels")) s.labels = params["labels"].get<std::vector<std::string>>();
  if (has_param(params, "upload_limit")) s.upload_limit = param_int(params, "upload_limit", 0);
  if (has_param(params, "download_limit")) s.download_limit = param_int(params, "download_limit", 0);
  if (has_param(params, "max_connections")) {
    const auto v = param_int(params, "max_connections", 0);
    if (v < 0 || v > 65535) throw invalid_params("param 'max_connections' must be 0 (none) to 65535");
    s.max_connections = static_cast<int32_t>(v);
  }
  if (has_param(params, "seed_ratio_limit")) {
    const auto& v = params["seed_ratio_limit"];
    if (!v.is_number() || v.get<double>() > 1e9 || (v.get<double>() < 0 && v.get<double>() != -1))
      throw invalid_params("param 'seed_ratio_limit' must be a ratio >= 0 (e.g. 1.5) or -1 (none)");
    s.seed_ratio_limit_permille = v.get<double>() < 0 ? -1 : static_cast<int64_t>(std::llround(v.get<double>() * 1000));
  }
  if (has_param(params, "seed_idle_limit_minutes")) s.seed_idle_limit_minutes = param_int(params, "seed_idle_limit_minutes", -1);
  std::vector<std::pair<int, int>> priorities;
  if (has_param(params, "files")) {
    const auto& files = params["files"];
    if (!files.is_array()) throw invalid_params("param 'files' must be an array of {index, priority}");
    for (const auto& f : files) {
      if (!f.is_object() || !f.contains("index") || !f.contains("priority") || !f["index"].is_number_integer() ||
          !f["priority"].is_number_integer())
        throw invalid_params("param 'files' must be an array of {index, priority} with integers");
      const auto index = f["index"].get<int64_t>(), prio = f["priority"].get<int64_t>();
      if (index < 0 || index > INT32_MAX) throw invalid_params("param 'files': index out of range");
      if (prio < 0 || prio > 7) throw invalid_params("param 'files': priority must be 0 (skip) to 7");
      priorities.emplace_back(static_cast<int>(index), static_cast<int>(prio));
    }
  }
  std::optional<std::vector<std::pair<std::string, int>>> trackers;
  if (has_param(params, "trackers")) {
    const auto& list = params["trackers"];
    if (!list.is_array()) throw invalid_params("param 'trackers' must be an array of URLs or {url, tier}");
    trackers.emplace();
    for (const auto& t : list) {
      if (t.is_string()) {
        trackers->emplace_back(t.get<std::string>(), 0);
      } else if (t.is_object() && t.contains("url") && t["url"].is_string() &&
                 (!t.contains("tier") || t["tier"].is_number_integer())) {
        const auto tier = t.value("tier", int64_t{0});
        if (tier < 0 || tier > 255) throw invalid_params("param 'trackers': tier must be 0 to 255");
        trackers->emplace_back(t["url"].get<std::string>(), static_cast<int>(tier));
      } else {
        throw invalid_params("param 'trackers' must be an array of URLs or {url, tier}");
      }
    }
  }
  if (s.labels || s.upload_limit || s.download_limit || s.max_connections || s.seed_ratio_limit_permille ||
      s.seed_idle_limit_minutes)
    ctx.engine->set_torrent(id, s);
  if (!priorities.empty()) ctx.engine->set_file_priorities(id, priorities);
  if (trackers) ctx.engine->replace_trackers(id, *trackers);
}

json torrent_set(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  const auto ih = info_hash_bytes(params);
  if (!ctx.engine->get(param_string(params, "info_hash")))
    throw RpcError(code::not_found, "info_hash: no torrent " + param_string(params, "info_hash"));
  torrent_set_engine(params, ctx);
  if (has_param(params, "reward_rate")) {
    const auto text = param_string(params, "reward_rate");
    if (text == "default") {
      acc.set_reward_rate(ih, std::nullopt);
    } else {
      auto rate = crypto::parse_decimal_u256(text);
      if (!rate) throw invalid_params("param 'reward_rate' must be a decimal integer of base units per GiB, or \"default\"");
      acc.set_reward_rate(ih, *rate);
    }
  }
  return {{"info_hash", param_string(params, "info_hash")}, {"reward_rate", to_decimal(acc.reward_rate(ih))}};
}

json claim_summary(const json& doc);

json rewards_claim(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  std::string payout_text = param_string(params, "payout", ctx.node->payout_address);
  auto payout = crypto::parse_address(payout_text);
  if (!payout) throw invalid_params("param 'payout' must be a 0x address (EIP-55 when mixed case)");
  try {
    auto made = acc.claim(*payout, param_bool(params, "dry_run"));
    json out = made.document;
    out["nonce"] = made.nonce;
    out["dry_run"] = param_bool(params, "dry_run");
    if (!param_bool(params, "dry_run")) {
      out["file"] = (acc.claims_dir() / (std::to_string(made.nonce) + ".json")).string();
      if (ctx.events) {
        auto event = claim_summary(made.document);
        event["file"] = out["file"];
        ctx.events->publish("claim.created", std::move(event));
      }
    }
    return out;
  } catch (const accountant::NothingToClaim& e) {
    throw RpcError(code::nothing_to_claim, "nothing to claim: no receipted bytes are unclaimed");
  }
}

json claim_summary(const json& doc) {
  const auto& c = doc.at("claim");
  return {{"nonce", c.at("nonce")},          {"created_at", c.at("createdAt")},
          {"payout", c.at("payout")},        {"amount", c.at("amount")},
          {"total_bytes", c.at("totalBytes")}, {"receipt_count", c.at("receiptCount")},
          {"receipts_root", c.at("receiptsRoot")}};
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
  auto& acc = accountant(ctx);
  const int64_t after = param_int(params, "after", 0);
  const int64_t limit = param_int(params, "limit", 100);
  if (limit < 1 || limit > kMaxListLimit) throw invalid_params("param 'limit' must be from 1 to 1000");
  json rows = json::array();
  for (const auto& doc : acc.ledger().claims(after, static_cast<int>(limit))) {
    auto row = claim_summary(doc);
    if (ctx.settler) row["settlement"] = settlement_of(ctx, doc);  // with a chain configured only
    rows.push_back(std::move(row));
  }
  return {{"claims", rows}};
}

json rewards_get(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
  const int64_t nonce = param_int(params, "nonce", 0);
  if (nonce < 1) throw invalid_params("param 'nonce' must be >= 1");
  auto doc = acc.ledger().claim(static_cast<uint64_t>(nonce));
  if (!doc) throw RpcError(code::not_found, "nonce: no claim " + std::to_string(nonce));
  // With a chain configured only: otherwise rewards.get is the claim file, byte for byte.
  if (ctx.settler) (*doc)["settlement"] = settlement_of(ctx, *doc);
  return *doc;
}

json claim_verify(const json& params, Context& ctx) {
  auto& acc = accountant(ctx);
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

void register_accounting_methods(MethodTable& table) {
  table.add({"earnings.summary",
             "Verified upload (split into pass_bytes, from leechers whose pass covered the receipt, and "
             "receipt_bytes, the other receipted bytes) and unverified upload, receipts, pending and claimed amounts (base units, decimal strings) "
             "and rejected receipts by reason; with a chain configured also expected_bounty_amount (the unclaimed "
             "bytes at each torrent's best live open bounty).",
             {kSince, kUntil}, "summary", false, summary});
  table.add({"earnings.by_torrent", "The same figures per torrent (verified_bytes = pass_bytes + receipt_bytes); with a chain configured also bounty_rate_per_gib "
             "(the best live open bounty) and expected_bounty_amount (the unclaimed bytes at that rate).", {kSince, kUntil}, "{torrents: [...]}", false,
             by_torrent});
  table.add({"earnings.history", "Verified and unverified upload by hour or day.",
             {{"bucket", ParamType::string, false, "\"hour\" (default) or \"day\""}, kSince, kUntil},
             "{bucket, rows: [{start, verified_bytes, unverified_bytes}]}", false, history});
  table.add({"receipts.list", "Accepted receipts (the latest per channel), oldest first, a page at a time; "
             "pass is the pass the leecher showed on the channel ({expires_at, signer}), null when none.",
             {{"info_hash", ParamType::info_hash, false, "only this torrent"},
              {"leecher", ParamType::string, false, "only this leecher's address"},
              {"limit", ParamType::integer, false, "page size, 1 to 1000 (default 100)"},
              {"cursor", ParamType::string, false, "next_cursor of the previous page"}},
             "{receipts: [...], next_cursor}", false, receipts_list});
  table.add({"torrent.peers",
             "The torrent's connected peers: client, seedd address (null for vanilla peers), bytes sent and "
             "received, bytes receipted, unreceipted credit, whether we choke it (choked: it may not download "
             "from us now) and whether it is interested in our pieces; lane (pass: its pass counts, receipt: a "
             "seedd peer that signs receipts, vanilla: any other client), pass (none, checking, valid, expired "
             "or invalid: the pass it showed in its handshake) and pass_expires_at (of a valid pass); violations (receipts "
             "and passes that broke a rule on this connection; three close it); upload_rate and download_rate (bytes per "
             "second to and from it), its progress (0 to 1), connection (tcp or utp), encrypted, and direction "
             "(incoming or outgoing). The lanes share the upload by lane_weights.",
             {kInfoHash}, "{peers: [...]}", false, peers});
  table.add({"torrent.peer_totals",
             "Payload bytes sent to and received from each peer of the torrent since seedd started, closed "
             "connections included (torrent.peers lists live connections only): one row per seedd address "
             "(all of that node's connections), and one with seedd_address null for every vanilla peer together; "
             "connections is how many connections a row sums. Closed connections' rows are kept for up to 16,384 "
             "peers over all torrents; past that the row that moved the fewest bytes is dropped for a new one.",
             {kInfoHash}, "{peers: [{seedd_address, sent_bytes, received_bytes, connections}]}", false, peer_totals});
  table.add({"torrent.set",
             "Changes a torrent's settings: labels, rate and connection limits, seeding limits, file "
             "priorities, trackers, reward_rate. Each is kept across restarts; an absent param is left as it is.",
             {kInfoHash,
              {"labels", ParamType::string_array, false, "replaces the labels (no comma or control character)"},
              {"upload_limit", ParamType::integer, false, "bytes per second, 0 = none"},
              {"download_limit", ParamType::integer, false, "bytes per second, 0 = none"},
              {"max_connections", ParamType::integer, false, "peer connections of this torrent, 0 = none"},
              {"seed_ratio_limit", ParamType::any, false, "pause once uploaded/downloaded reaches it (e.g. 1.5); -1 = never"},
              {"seed_idle_limit_minutes", ParamType::integer, false, "pause after seeding this long without upload; -1 = never"},
              {"files", ParamType::any, false, "file priorities as [{index, priority}] (torrent.files' index; 0 = skip .. 7, 4 = normal)"},
              {"trackers", ParamType::any, false, "replaces the trackers: [url] or [{url, tier}]; [] removes them all"},
              {"reward_rate", ParamType::string, false, "decimal base units per GiB, or \"default\""}},
             "{info_hash, reward_rate}", true, torrent_set});
  table.add({"rewards.claim",
             "Claims every unclaimed receipted byte: a signed, Merkle-rooted claim (docs/protocol.md 6) written to "
             "claims/<nonce>.json. dry_run shows it without recording it.",
             {{"payout", ParamType::string, false, "payout address (default payout_address, else the node address)"},
              {"dry_run", ParamType::boolean, false, "build and show the claim, record nothing"}},
             "the claim document, with nonce and file", true, rewards_claim});
  table.add({"rewards.list", "Past claims, oldest first; with a chain configured each has `settlement` (null before "
             "the first rewards.settle): state, tx, block, paid, items_paid, items_skipped, skipped reasons.",
             {{"after", ParamType::integer, false, "only nonces above this"},
              {"limit", ParamType::integer, false, "1 to 1000 (default 100)"}},
             "{claims: [...]}", false, rewards_list});
  table.add({"rewards.get", "One past claim document; with a chain configured also its `settlement`.", {{"nonce", ParamType::integer, true, "the claim's nonce"}},
             "the claim document", false, rewards_get});
  table.add({"claim.verify",
             "Checks a claim document against docs/protocol.md section 7 and reports every failed rule by name "
             "(rule 6, passes beside receipts: \"pass\").",
             {{"claim", ParamType::object, true, "the claim file's JSON"}}, "{valid, failures: [{rule, detail}]}",
             false, claim_verify});
}

}  // namespace seedd::rpc
