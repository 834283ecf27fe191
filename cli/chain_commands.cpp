// seedctl's chain commands (issue 13): settle, bounties, fund, balance. Tables by default, the
// daemon's JSON with --json. Amounts stay decimal strings end to end: never a float.
#include <ctime>
#include <iostream>

#include "daemon/crypto/hex.hpp"
#include "cli/seedctl.hpp"
#include "cli/command_table.hpp"
#include "cli/seedctl_internal.hpp"

namespace seedd::cli {
namespace {

using json = nlohmann::json;

// A settlement waits for its receipt (up to a minute on the daemon's side).
constexpr int kChainCommandTimeoutMs = 90000;


std::string utc_date(int64_t unix_s) {
  std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  return buf;
}

std::string str(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

}  // namespace

int cmd_settle(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("settle", in, 1, {"claim", "dry-run", "print-tx"}, {});
  if (!a) return seedctl_exit::usage;
  json result;
  uint64_t nonce = 0;
  if (!a->pos.empty()) {
    auto n = crypto::parse_decimal_u64(a->pos[0]);
    if (!n || *n == 0) {
      std::cerr << "seedctl: settle: NONCE must be a claim's nonce (1, 2, ...), got '" << a->pos[0] << "'\n";
      return seedctl_exit::usage;
    }
    nonce = *n;
  } else if (a->flags.count("claim")) {
    if (int rc = client.call("rewards.claim", json::object(), result); rc != seedctl_exit::ok) return rc;
    nonce = result["nonce"].get<uint64_t>();
    if (!raw_json) std::cout << "claim " << nonce << ": " << str(result["claim"]["receiptCount"]) << " receipts, "
                             << str(result["claim"]["totalBytes"]) << " bytes\n";
  } else {
    if (int rc = client.call("rewards.list", {{"limit", 1000}}, result); rc != seedctl_exit::ok) return rc;
    if (result["claims"].empty()) {
      std::cerr << "seedctl: settle: no claim yet: make one with seedctl settle --claim (or seedctl claim)\n";
      return seedctl_exit::rpc_error;
    }
    nonce = std::stoull(str(result["claims"].back()["nonce"]));
  }
  json params = {{"nonce", nonce}};
  if (a->flags.count("dry-run")) params["dry_run"] = true;
  if (a->flags.count("print-tx")) params["send"] = false;
  if (int rc = client.call("rewards.settle", params, result, kChainCommandTimeoutMs); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
    return seedctl_exit::ok;
  }
  json rows = json::array();
  for (const auto& item : result["items"])
    rows.push_back({{"item", item["index"]},
                    {"info_hash", str(item["info_hash"]).substr(0, 8)},
                    {"leecher", str(item["leecher"]).substr(0, 10)},
                    {"bytes", item["bytes"]},
                    {"bounty", item["bounty_id"]},
                    {"rate_per_gib", item["rate_per_gib"]},
                    {"amount", item["amount"]},
                    {"skipped", item["skip_reason_name"]}});
  if (result.contains("settlement")) {
    const auto& s = result["settlement"];
    std::cout << "claim " << nonce << " settlement " << str(s["state"]) << ": paid " << str(s["paid"]) << " to "
              << str(result["payout"]) << " (" << str(s["items_paid"]) << " items paid, " << str(s["items_skipped"])
              << " skipped)\n"
              << "tx " << str(s["tx"]) << (s["block"].is_null() ? std::string(" (not mined yet)") : " in block " + str(s["block"])) << "\n";
    for (const auto& k : s["skipped"]) std::cout << "  item " << str(k["index"]) << " skipped: " << str(k["reason_name"]) << "\n";
  } else if (result.contains("data")) {
    std::cout << "claim " << nonce << ": send this transaction from any wallet (it would pay " << str(result["would_pay"])
              << " to " << str(result["payout"]) << ")\nto   " << str(result["to"]) << "\ndata " << str(result["data"]) << "\n";
    return seedctl_exit::ok;
  } else {
    std::cout << "claim " << nonce << " (dry run): would pay " << str(result["would_pay"]) << " to " << str(result["payout"])
              << " (" << str(result["items_paid"]) << " items paid, " << str(result["items_skipped"]) << " skipped)\n";
  }
  seedctl_print_rows(rows, {"item", "info_hash", "leecher", "bytes", "bounty", "rate_per_gib", "amount", "skipped"});
  return seedctl_exit::ok;
}

int cmd_bounties(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("bounties", in, 1, {}, {});
  if (!a) return seedctl_exit::usage;
  json params = json::object();
  if (!a->pos.empty()) params["info_hash"] = a->pos[0];
  json result;
  if (int rc = client.call("bounty.list", params, result, kChainCommandTimeoutMs); rc != seedctl_exit::ok) return rc;
  if (raw_json) {
    std::cout << result.dump(2) << "\n";
    return seedctl_exit::ok;
  }
  json rows = json::array();
  for (const auto& b : result["bounties"])
    rows.push_back({{"id", b["bounty_id"]},
                    {"info_hash", str(b["info_hash"]).substr(0, 8)},
                    {"balance", b["balance"]},
                    {"rate_per_gib", b["rate_per_gib"]},
                    {"cap_bytes", b["max_bytes_per_leecher"]},
                    {"pass", b["pass_signer"].is_null() ? "open" : str(b["pass_signer"]).substr(0, 10)},
                    {"expires_utc", utc_date(b["expires_at"].get<int64_t>())},
                    {"live", b["live"].get<bool>() ? "yes" : "no"},
                    {"seeding", b["seeding"].get<bool>() ? "yes" : "no"}});
  seedctl_print_rows(rows, {"id", "info_hash", "balance", "rate_per_gib", "cap_bytes", "pass", "expires_utc", "live", "seeding"});
  return seedctl_exit::ok;
}

int cmd_fund(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("fund", in, 1, {}, {"amount", "rate", "expires", "days", "cap", "pass-signer"});
  if (!a) return seedctl_exit::usage;
  if (a->pos.size() != 1 || !a->values.count("amount") || !a->values.count("rate") ||
      (!a->values.count("expires") && !a->values.count("days"))) {
    std::cerr << "seedctl: fund: usage: fund HASH --amount=UNITS --rate=UNITS_PER_GIB --expires=UNIX|--days=N "
                 "[--cap=BYTES] [--pass-signer=ADDR]\n";
    return seedctl_exit::usage;
  }
  std::string problem;
  const auto expiry = seedctl_expiry(*a, problem);
  if (!expiry) {
    std::cerr << "seedctl: fund: " << problem << "\n";
    return seedctl_exit::usage;
  }
  const int64_t expires = *expiry;
  json params = {{"info_hash", a->pos[0]}, {"amount", a->values["amount"]}, {"rate_per_gib", a->values["rate"]},
                 {"expires_at", expires}};
  if (a->values.count("cap")) params["max_bytes_per_leecher"] = a->values["cap"];
  if (a->values.count("pass-signer")) params["pass_signer"] = a->values["pass-signer"];
  json result;
  if (int rc = client.call("bounty.fund", params, result, kChainCommandTimeoutMs); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else
    std::cout << "bounty " << str(result["bounty_id"]) << " funded with " << a->values["amount"] << " at "
              << a->values["rate"] << " per GiB until " << utc_date(expires) << " UTC\ntx " << str(result["tx"])
              << " in block " << str(result["block"]) << "\n";
  return seedctl_exit::ok;
}

int cmd_top_up(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("top-up", in, 1, {}, {"amount"});
  if (!a) return seedctl_exit::usage;
  if (a->pos.size() != 1 || !a->values.count("amount")) {
    std::cerr << "seedctl: top-up: usage: top-up BOUNTY_ID --amount=UNITS\n";
    return seedctl_exit::usage;
  }
  json result;
  if (int rc = client.call("bounty.top_up", {{"bounty_id", a->pos[0]}, {"amount", a->values["amount"]}}, result,
                           kChainCommandTimeoutMs);
      rc != seedctl_exit::ok)
    return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else
    std::cout << "bounty " << str(result["bounty_id"]) << " topped up with " << a->values["amount"] << "\ntx "
              << str(result["tx"]) << " in block " << str(result["block"]) << "\n";
  return seedctl_exit::ok;
}

int cmd_withdraw(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("withdraw", in, 1, {}, {});
  if (!a) return seedctl_exit::usage;
  if (a->pos.size() != 1) {
    std::cerr << "seedctl: withdraw: usage: withdraw BOUNTY_ID\n";
    return seedctl_exit::usage;
  }
  json result;
  if (int rc = client.call("bounty.withdraw", {{"bounty_id", a->pos[0]}}, result, kChainCommandTimeoutMs);
      rc != seedctl_exit::ok)
    return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else
    std::cout << "bounty " << str(result["bounty_id"]) << ": the rest went back to the node account\ntx "
              << str(result["tx"]) << " in block " << str(result["block"]) << "\n";
  return seedctl_exit::ok;
}

int cmd_balance(const SeedctlClient& client, const std::vector<std::string>& in, bool raw_json) {
  auto a = seedctl_parse_args("balance", in, 0, {}, {});
  if (!a) return seedctl_exit::usage;
  json result;
  if (int rc = client.call("chain.info", json::object(), result, kChainCommandTimeoutMs); rc != seedctl_exit::ok) return rc;
  if (raw_json) std::cout << result.dump(2) << "\n";
  else seedctl_print_fields(result);
  return seedctl_exit::ok;
}


}  // namespace seedd::cli
