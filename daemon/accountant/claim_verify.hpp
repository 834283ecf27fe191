#pragma once
// Offline claim verification (docs/protocol.md section 7): what a pool, or anyone holding a claim
// file, checks before paying. Pure: no database, no clock, no network; the verifier's memory of
// earlier claims comes in as a VerifierState.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::accountant {

/// What a verifier remembers of ONE claimant's earlier, accepted claims (rule 5).
///
/// As a JSON state file (verifier_state_from_json / to_json):
/// ```
/// { "last_nonce": "7",            // decimal string, or null before the first claim
///   "paid": [ { "leecher": "0x…",   // address (EIP-55 or all one case)
///               "infohash": "0x…",  // 20 bytes, 0x hex
///               "channel": "…",     // decimal uint64
///               "bytes": "…" } ] }  // decimal uint64: bytes already paid on that channel
/// ```
/// A missing "last_nonce" means null and a missing "paid" an empty list.
struct VerifierState {
  /// Of this claimant; std::nullopt = no earlier claim known => the next nonce must be 1.
  std::optional<uint64_t> last_nonce;
  /// What was already paid per (leecher, infohash, channel); absent = 0.
  std::map<std::tuple<crypto::Address /*leecher*/, crypto::InfoHash20, uint64_t /*channel*/>,
           uint64_t>
      paid;
};

/// One failed rule: `rule` is one of kVerifyRules, `detail` names the receipt index and field.
struct VerifyFailure {
  std::string rule;
  std::string detail;
};

/// valid is true exactly when failures is empty.
struct VerifyResult {
  bool valid = false;
  std::vector<VerifyFailure> failures;
};

/// Every rule name verify_claim reports, in docs/protocol.md order.
inline constexpr std::string_view kVerifyRules[] = {
    "claim_signature",   "domain",        "receipt_signature", "seeder_is_claimant",
    "leecher_is_seeder", "zero_channel",  "bytes_below_prev_claimed", "duplicate_receipt",
    "receipts_root",     "receipt_count", "total_bytes",       "amount",
    "receipt_proof",     "nonce",         "prev_claimed_bytes", "pass",
    "malformed"};

/// Checks a claim file (docs/protocol.md 6) against every rule of docs/protocol.md 7 and reports each one
/// that fails, not only the first. Signatures and the Merkle root are computed in the file's own
/// domain when it parses (so a claim for another pool fails "domain" and nothing else), else in
/// `verifier_domain`. A malformed file reports "malformed" for each bad field and still checks
/// what it can. The domain's chainId may be a decimal string (what seedd writes) or a JSON
/// integer (what ethers.js writes).
VerifyResult verify_claim(const nlohmann::json& claim_file, const crypto::Domain& verifier_domain,
                          const VerifierState& state);

/// Reads a state file (format above). Throws std::invalid_argument naming the bad field.
VerifierState verifier_state_from_json(const nlohmann::json& json);

/// Writes a state file (format above); "paid" entries in (leecher, infohash, channel) order.
nlohmann::json to_json(const VerifierState& state);

/// Advances `state` past an accepted claim: last_nonce = its nonce, and each receipt's channel
/// paid up to its bytes. Throws std::invalid_argument when the file is malformed (the state is
/// then unchanged).
void apply_claim(VerifierState& state, const nlohmann::json& valid_claim_file);

}  // namespace seedd::accountant
