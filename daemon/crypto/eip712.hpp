#pragma once
// EIP-712 typed data of the seedd protocol (docs/protocol.md sections 3 and 9): the domain, the
// Receipt a leecher signs, the Claim a seeder signs and the Pass a creator gives a viewer. Byte-compatible with ethers.js TypedDataEncoder.
#include <cstdint>
#include <string_view>

#include "daemon/crypto/types.hpp"

namespace seedd::crypto {

inline constexpr std::string_view kDomainName = "seedd";
inline constexpr std::string_view kDomainVersion = "1";
inline constexpr std::string_view kDomainTypeString =
    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)";
inline constexpr std::string_view kReceiptTypeString =
    "Receipt(bytes20 infohash,address seeder,address leecher,uint64 channel,uint64 bytes,"
    "uint64 timestamp)";
inline constexpr std::string_view kClaimTypeString =
    "Claim(address claimant,address payout,bytes32 receiptsRoot,uint64 receiptCount,"
    "uint64 totalBytes,uint256 amount,uint64 nonce,uint64 createdAt)";
inline constexpr std::string_view kPassTypeString =
    "Pass(bytes20 infohash,address leecher,uint64 expiresAt)";

/// The reward pool a signature is bound to; name and version are fixed by the protocol.
/// The defaults (31337, zero address) mean "no pool configured yet".
struct Domain {
  uint64_t chain_id = 31337;
  Address verifying_contract{};
};

/// hashStruct(EIP712Domain) for `domain`.
Bytes32 domain_separator(const Domain& domain);

/// "leecher received `bytes` bytes of `infohash` from `seeder` over `channel`, as of
/// `timestamp`"; cumulative per channel.
struct Receipt {
  InfoHash20 infohash{};
  Address seeder{};
  Address leecher{};
  uint64_t channel = 0;
  uint64_t bytes = 0;
  uint64_t timestamp = 0;
};

/// keccak256 of kReceiptTypeString.
Bytes32 receipt_type_hash();
/// hashStruct(Receipt).
Bytes32 receipt_struct_hash(const Receipt& receipt);
/// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(receipt)): what the leecher signs.
Bytes32 receipt_digest(const Domain& domain, const Receipt& receipt);

/// A seeder's claim over a Merkle root of receipt digests (docs/protocol.md section 6).
struct Claim {
  Address claimant{};
  Address payout{};
  Bytes32 receipts_root{};
  uint64_t receipt_count = 0;
  uint64_t total_bytes = 0;
  uint256 amount = 0;
  uint64_t nonce = 0;
  uint64_t created_at = 0;
};

/// keccak256 of kClaimTypeString.
Bytes32 claim_type_hash();
/// hashStruct(Claim).
Bytes32 claim_struct_hash(const Claim& claim);
/// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(claim)): what the claimant signs.
Bytes32 claim_digest(const Domain& domain, const Claim& claim);

/// A creator's word that `leecher` is a real viewer of `infohash` until `expires_at` (unix
/// seconds), signed by a bounty's passSigner (docs/protocol.md section 9).
struct Pass {
  InfoHash20 infohash{};
  Address leecher{};
  uint64_t expires_at = 0;
};

/// keccak256 of kPassTypeString (RewardPool.sol's PASS_TYPEHASH).
Bytes32 pass_type_hash();
/// hashStruct(Pass).
Bytes32 pass_struct_hash(const Pass& pass);
/// keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(pass)): what the pass signer signs, and
/// what RewardPool.passDigest returns.
Bytes32 pass_digest(const Domain& domain, const Pass& pass);

}  // namespace seedd::crypto
