#include "daemon/accountant/claims.hpp"

#include <limits>

#include "daemon/crypto/hex.hpp"

namespace seedd::accountant {

namespace {

namespace mp = boost::multiprecision;
// Wide enough for any uint64 × uint256 product, so the division by 2^30 happens before the
// range check, as in exact arithmetic.
using Wide = mp::number<mp::cpp_int_backend<512, 512, mp::unsigned_magnitude, mp::checked, void>>;

std::string dec(uint64_t value) { return std::to_string(value); }

}  // namespace

crypto::uint256 amount_for(uint64_t delta_bytes, const crypto::uint256& rate_per_gib) {
  const Wide product = Wide(delta_bytes) * Wide(rate_per_gib);
  const Wide amount = product >> kBytesPerGiBShift;
  if (amount > Wide(std::numeric_limits<crypto::uint256>::max())) {
    throw std::overflow_error("amount of " + dec(delta_bytes) + " bytes at rate " +
                              crypto::to_decimal(rate_per_gib) + " per GiB exceeds uint256");
  }
  return crypto::uint256(amount);
}

crypto::MerkleTree receipts_tree(const crypto::Domain& domain,
                                 std::span<const ClaimEntry> entries) {
  std::vector<crypto::Bytes32> leaves;
  leaves.reserve(entries.size());
  for (const ClaimEntry& entry : entries) {
    leaves.push_back(crypto::receipt_digest(domain, entry.receipt));
  }
  return crypto::MerkleTree::of(std::move(leaves));
}

crypto::Claim claim_message(std::span<const ClaimEntry> entries, const crypto::MerkleTree& tree,
                            const crypto::Address& claimant, const crypto::Address& payout,
                            uint64_t nonce, uint64_t created_at) {
  crypto::Claim claim;
  claim.claimant = claimant;
  claim.payout = payout;
  claim.receipts_root = tree.root();
  claim.receipt_count = entries.size();
  claim.nonce = nonce;
  claim.created_at = created_at;
  uint64_t total = 0;
  crypto::uint256 amount = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ClaimEntry& entry = entries[i];
    if (entry.receipt.bytes < entry.prev_claimed_bytes) {
      throw std::invalid_argument("receipt " + dec(i) + ": bytes " + dec(entry.receipt.bytes) +
                                  " below prevClaimedBytes " + dec(entry.prev_claimed_bytes));
    }
    const uint64_t delta = entry.receipt.bytes - entry.prev_claimed_bytes;
    if (delta > std::numeric_limits<uint64_t>::max() - total) {
      throw std::overflow_error("totalBytes of the claim exceeds uint64");
    }
    total += delta;
    // uint256 is `checked`: a sum past 2^256 throws std::overflow_error rather than wrapping.
    amount += amount_for(delta, entry.rate_per_gib);
  }
  claim.total_bytes = total;
  claim.amount = amount;
  return claim;
}

crypto::Signature sign_claim(const crypto::Domain& domain, const crypto::Claim& claim,
                             const crypto::PrivateKey& key) {
  return key.sign(crypto::claim_digest(domain, claim));
}

nlohmann::json domain_to_json(const crypto::Domain& domain) {
  return {{"name", std::string(crypto::kDomainName)},
          {"version", std::string(crypto::kDomainVersion)},
          {"chainId", dec(domain.chain_id)},
          {"verifyingContract", crypto::to_checksum_address(domain.verifying_contract)}};
}

nlohmann::json receipt_to_json(const crypto::Receipt& receipt) {
  return {{"infohash", crypto::to_hex(receipt.infohash)},
          {"seeder", crypto::to_checksum_address(receipt.seeder)},
          {"leecher", crypto::to_checksum_address(receipt.leecher)},
          {"channel", dec(receipt.channel)},
          {"bytes", dec(receipt.bytes)},
          {"timestamp", dec(receipt.timestamp)}};
}

nlohmann::json claim_to_json(const crypto::Claim& claim) {
  return {{"claimant", crypto::to_checksum_address(claim.claimant)},
          {"payout", crypto::to_checksum_address(claim.payout)},
          {"receiptsRoot", crypto::to_hex(claim.receipts_root)},
          {"receiptCount", dec(claim.receipt_count)},
          {"totalBytes", dec(claim.total_bytes)},
          {"amount", crypto::to_decimal(claim.amount)},
          {"nonce", dec(claim.nonce)},
          {"createdAt", dec(claim.created_at)}};
}

nlohmann::json claim_document(const crypto::Domain& domain, const crypto::Claim& claim,
                              const crypto::Signature& signature,
                              std::span<const ClaimEntry> entries,
                              const crypto::MerkleTree& tree) {
  nlohmann::json receipts = nlohmann::json::array();
  for (const ClaimEntry& entry : entries) {
    nlohmann::json proof = nlohmann::json::array();
    for (const crypto::Bytes32& node : tree.proof(crypto::receipt_digest(domain, entry.receipt))) {
      proof.push_back(crypto::to_hex(node));
    }
    receipts.push_back({{"message", receipt_to_json(entry.receipt)},
                        {"signature", crypto::to_hex(entry.signature)},
                        {"prevClaimedBytes", dec(entry.prev_claimed_bytes)},
                        {"ratePerGiB", crypto::to_decimal(entry.rate_per_gib)},
                        {"proof", std::move(proof)}});
    if (entry.pass) {
      auto& row = receipts.back();
      row["passExp"] = dec(entry.pass->expires_at);
      row["passSig"] = crypto::to_hex(entry.pass->signature);
      row["passSigner"] = crypto::to_checksum_address(entry.pass->signer);
    }
  }
  return {{"version", kClaimFileVersion},
          {"domain", domain_to_json(domain)},
          {"claim", claim_to_json(claim)},
          {"signature", crypto::to_hex(signature)},
          {"receipts", std::move(receipts)}};
}

MadeClaim build_claim(const crypto::Domain& domain, std::span<const ClaimEntry> entries,
                      const crypto::Address& payout, uint64_t nonce, uint64_t created_at,
                      const crypto::PrivateKey& key) {
  if (entries.empty()) throw NothingToClaim();
  const crypto::MerkleTree tree = receipts_tree(domain, entries);
  const crypto::Claim claim =
      claim_message(entries, tree, key.address(), payout, nonce, created_at);
  const crypto::Signature signature = sign_claim(domain, claim, key);
  return MadeClaim{nonce, claim_document(domain, claim, signature, entries, tree)};
}

std::string claim_file_text(const nlohmann::json& document) { return document.dump(2) + "\n"; }

nlohmann::json claim_summary(const nlohmann::json& document) {
  const auto& c = document.at("claim");
  return {{"nonce", c.at("nonce")},          {"created_at", c.at("createdAt")},
          {"payout", c.at("payout")},        {"amount", c.at("amount")},
          {"total_bytes", c.at("totalBytes")}, {"receipt_count", c.at("receiptCount")},
          {"receipts_root", c.at("receiptsRoot")}};
}

}  // namespace seedd::accountant
