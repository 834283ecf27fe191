#pragma once
// Reward claims (docs/protocol.md sections 5 and 6): the amount a receipt earns, and the signed claim
// file a pool pays from. The pure parts live here so that the ledger (which picks the channels
// in one transaction), the verifier and the tests build and read claims through the same code.
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::accountant {

/// The version written in, and the only one accepted from, a claim file.
inline constexpr int kClaimFileVersion = 1;
/// Rates are per GiB: amount = floor(delta × rate / 2^30).
inline constexpr unsigned kBytesPerGiBShift = 30;

/// What `Ledger::make_claim` needs besides the ledger: the pool the claim is for, where the
/// tokens go, the claim's time, the rate of torrents without an override, and whether to write.
struct ClaimRequest {
  crypto::Domain domain;
  crypto::Address payout{};
  int64_t created_at = 0;  // unix seconds
  crypto::uint256 default_rate = 0;  // token base units per GiB
  bool dry_run = false;
};

/// A claim as made: its nonce and the claim file document of docs/protocol.md section 6.
struct MadeClaim {
  uint64_t nonce = 0;
  /// Exactly the claim file JSON: integers as decimal strings, addresses EIP-55, hashes and
  /// signatures 0x lowercase hex.
  nlohmann::json document;
};

/// Thrown when no channel holds unclaimed bytes: an empty claim is refused (docs/protocol.md 6).
class NothingToClaim : public std::runtime_error {
 public:
  NothingToClaim() : std::runtime_error("nothing to claim") {}
};

/// One receipt in a claim: the latest receipt of a channel, its leecher's signature, what that
/// channel had already been paid for, and the rate this claim pays it at.
struct ClaimEntry {
  crypto::Receipt receipt;
  crypto::Signature signature{};
  uint64_t prev_claimed_bytes = 0;
  crypto::uint256 rate_per_gib = 0;
  /// The pass the leecher showed on the channel, where it covers the receipt (timestamp ≤
  /// expiresAt): written as passExp, passSig and passSigner (docs/protocol.md 6, 9).
  std::optional<ChannelPass> pass;
};

/// floor(delta_bytes × rate_per_gib / 2^30), exact (the product is formed in 512 bits, so a
/// huge rate cannot overflow midway). Throws std::overflow_error when the result itself does not
/// fit in uint256.
crypto::uint256 amount_for(uint64_t delta_bytes, const crypto::uint256& rate_per_gib);

/// The Merkle tree over the entries' EIP-712 receipt digests in `domain`. Throws
/// std::invalid_argument when `entries` is empty.
crypto::MerkleTree receipts_tree(const crypto::Domain& domain, std::span<const ClaimEntry> entries);

/// The Claim message of `entries`: receiptCount, totalBytes = Σ(bytes − prev), amount =
/// Σ amount_for(...), receiptsRoot = the root of `tree`. Throws std::invalid_argument when an
/// entry's bytes are below its prev_claimed_bytes, std::overflow_error when a sum does not fit.
crypto::Claim claim_message(std::span<const ClaimEntry> entries, const crypto::MerkleTree& tree,
                            const crypto::Address& claimant, const crypto::Address& payout,
                            uint64_t nonce, uint64_t created_at);

/// The claimant's signature over the Claim digest (equal to ethers.js signTypedData's).
crypto::Signature sign_claim(const crypto::Domain& domain, const crypto::Claim& claim,
                             const crypto::PrivateKey& key);

/// {"name","version","chainId","verifyingContract"}; chainId as a decimal string.
nlohmann::json domain_to_json(const crypto::Domain& domain);
/// The Receipt message as JSON (integers as decimal strings, addresses EIP-55).
nlohmann::json receipt_to_json(const crypto::Receipt& receipt);
/// The Claim message as JSON (integers as decimal strings, addresses EIP-55).
nlohmann::json claim_to_json(const crypto::Claim& claim);

/// The whole claim file document; each entry gets its Merkle proof from `tree`.
nlohmann::json claim_document(const crypto::Domain& domain, const crypto::Claim& claim,
                              const crypto::Signature& signature,
                              std::span<const ClaimEntry> entries,
                              const crypto::MerkleTree& tree);

/// Builds and signs a claim over `entries` (in the given order) with `key` as claimant. Throws
/// NothingToClaim when `entries` is empty; otherwise as claim_message.
MadeClaim build_claim(const crypto::Domain& domain, std::span<const ClaimEntry> entries,
                      const crypto::Address& payout, uint64_t nonce, uint64_t created_at,
                      const crypto::PrivateKey& key);

/// A claim's summary row (rewards.list, the claim.created event): nonce, created_at, payout,
/// amount, total_bytes, receipt_count and receipts_root of the document's `claim`.
nlohmann::json claim_summary(const nlohmann::json& document);

/// The text a claim file holds (and the ledger stores): the document, 2-space indented, with a
/// trailing newline. One function so that "file differs from the ledger" compares like with like.
std::string claim_file_text(const nlohmann::json& document);

}  // namespace seedd::accountant
