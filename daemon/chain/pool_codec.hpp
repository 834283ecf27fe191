#pragma once
// The RewardPool contract of docs/protocol.md section 8 and the ERC-20 calls beside it, as calldata
// to send and as return data and logs to read. The signatures below are the protocol's, written
// once: the selectors, event topics and encodings all come from these strings.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "daemon/chain/types.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::chain::pool {

inline constexpr std::string_view kClaimTuple = "(address,address,bytes32,uint64,uint64,uint256,uint64,uint64)";
inline constexpr std::string_view kReceiptTuple = "(bytes20,address,address,uint64,uint64,uint64)";

inline constexpr std::string_view kSettleSignature =
    "settle((address,address,bytes32,uint64,uint64,uint256,uint64,uint64),bytes,"
    "((bytes20,address,address,uint64,uint64,uint64),bytes,bytes32[],uint256,uint64,bytes)[])";
inline constexpr std::string_view kFundSignature = "fund(bytes20,uint256,uint256,uint64,address,uint64)";
inline constexpr std::string_view kTopUpSignature = "topUp(uint256,uint256)";
inline constexpr std::string_view kWithdrawSignature = "withdraw(uint256)";
inline constexpr std::string_view kBountySignature = "bounty(uint256)";
inline constexpr std::string_view kTokenSignature = "token()";
/// Not in docs/protocol.md 8; contracts/RewardPool.sol has it: the highest bounty id so far.
inline constexpr std::string_view kLastBountyIdSignature = "lastBountyId()";
/// bounty()'s return tuple: funder, infohash, balance, ratePerGiB, maxBytesPerLeecher,
/// passSigner, expiresAt.
inline constexpr std::string_view kBountyReturn = "(address,bytes20,uint256,uint256,uint64,address,uint64)";

inline constexpr std::string_view kBountyFundedEvent =
    "BountyFunded(uint256,bytes20,address,uint256,uint256,uint64,address,uint64)";
inline constexpr std::string_view kSettledEvent = "Settled(address,uint64,address,uint256,uint64,uint32,uint32)";
inline constexpr std::string_view kItemSkippedEvent = "ItemSkipped(address,uint64,uint32,uint8)";
/// Not in docs/protocol.md 8; contracts/RewardPool.sol emits them so that balances can be followed.
inline constexpr std::string_view kBountyToppedUpEvent = "BountyToppedUp(uint256,address,uint256)";
inline constexpr std::string_view kBountyWithdrawnEvent = "BountyWithdrawn(uint256,address,uint256)";

/// ItemSkipped reason codes (docs/protocol.md 8).
enum class SkipReason : uint8_t {
  Proof = 1,
  Parties = 2,
  Signature = 3,
  Bounty = 4,
  Pass = 5,
  NothingNew = 6,
  Exhausted = 7,
};
/// "proof", "parties", "signature", "bounty", "pass", "nothing_new", "exhausted"; "unknown"
/// for a code the protocol does not define.
std::string_view skip_reason_name(uint8_t code);

/// One Item of settle(): a receipt of the claim, paid from bounty `bounty_id`.
struct SettleItem {
  crypto::Receipt receipt;
  crypto::Signature signature{};  // the leecher's, r ‖ s ‖ v
  std::vector<crypto::Bytes32> proof;
  uint256 bounty_id = 0;
  uint64_t pass_exp = 0;              // 0 with no pass
  std::vector<uint8_t> pass_sig;      // empty with no pass, else 65 bytes
};

/// settle(claim, claimSig, items) calldata.
std::vector<uint8_t> settle_calldata(const crypto::Claim& claim, const crypto::Signature& claim_signature,
                                     const std::vector<SettleItem>& items);

/// fund(infohash, amount, ratePerGiB, maxBytesPerLeecher, passSigner, expiresAt) calldata.
std::vector<uint8_t> fund_calldata(const crypto::InfoHash20& infohash, const uint256& amount,
                                   const uint256& rate_per_gib, uint64_t max_bytes_per_leecher,
                                   const Address& pass_signer, uint64_t expires_at);
std::vector<uint8_t> top_up_calldata(const uint256& bounty_id, const uint256& amount);
std::vector<uint8_t> withdraw_calldata(const uint256& bounty_id);
std::vector<uint8_t> bounty_calldata(const uint256& bounty_id);
std::vector<uint8_t> token_calldata();
std::vector<uint8_t> last_bounty_id_calldata();

/// A bounty as bounty() returns it. A funder of zero means no such bounty.
struct Bounty {
  Address funder{};
  crypto::InfoHash20 infohash{};
  uint256 balance = 0;
  uint256 rate_per_gib = 0;
  uint64_t max_bytes_per_leecher = 0;
  Address pass_signer{};
  uint64_t expires_at = 0;
};
/// Decodes bounty()'s return data; abi::AbiError when malformed.
Bounty decode_bounty(std::span<const uint8_t> data);
/// Decodes settle()'s return data (paid) as eth_call gives it.
uint256 decode_settle_return(std::span<const uint8_t> data);
/// Decodes a single uint256 return (balanceOf, allowance, fund's bountyId).
uint256 decode_uint256(std::span<const uint8_t> data);
/// Decodes a single address return (token()).
Address decode_address(std::span<const uint8_t> data);

/// BountyFunded(uint256 indexed bountyId, bytes20 indexed infohash, address indexed funder,
/// uint256 amount, uint256 ratePerGiB, uint64 maxBytesPerLeecher, address passSigner, uint64 expiresAt)
struct BountyFunded {
  uint256 bounty_id = 0;
  crypto::InfoHash20 infohash{};
  Address funder{};
  uint256 amount = 0;
  uint256 rate_per_gib = 0;
  uint64_t max_bytes_per_leecher = 0;
  Address pass_signer{};
  uint64_t expires_at = 0;
};
/// Settled(address indexed claimant, uint64 indexed nonce, address payout, uint256 paid,
/// uint64 bytesPaid, uint32 itemsPaid, uint32 itemsSkipped)
struct Settled {
  Address claimant{};
  uint64_t nonce = 0;
  Address payout{};
  uint256 paid = 0;
  uint64_t bytes_paid = 0;
  uint32_t items_paid = 0;
  uint32_t items_skipped = 0;
};
/// ItemSkipped(address indexed claimant, uint64 indexed nonce, uint32 index, uint8 reason)
struct ItemSkipped {
  Address claimant{};
  uint64_t nonce = 0;
  uint32_t index = 0;
  uint8_t reason = 0;
};

/// BountyToppedUp(uint256 indexed bountyId, address indexed from, uint256 amount)
struct BountyToppedUp {
  uint256 bounty_id = 0;
  Address from{};
  uint256 amount = 0;
};
/// BountyWithdrawn(uint256 indexed bountyId, address indexed funder, uint256 amount)
struct BountyWithdrawn {
  uint256 bounty_id = 0;
  Address funder{};
  uint256 amount = 0;
};

/// topic 0 of each event, for eth_getLogs filters and to tell logs apart.
Bytes32 bounty_funded_topic();
Bytes32 settled_topic();
Bytes32 item_skipped_topic();
Bytes32 bounty_topped_up_topic();
Bytes32 bounty_withdrawn_topic();

/// Each decoder returns std::nullopt for a log of another event (topic 0 differs) and throws
/// abi::AbiError for a log of this event that is malformed (a pool that does not follow the
/// protocol, or an endpoint that mangles logs). The log's address is not checked: filter on it.
std::optional<BountyFunded> decode_bounty_funded(const Log& log);
std::optional<Settled> decode_settled(const Log& log);
std::optional<ItemSkipped> decode_item_skipped(const Log& log);
std::optional<BountyToppedUp> decode_bounty_topped_up(const Log& log);
std::optional<BountyWithdrawn> decode_bounty_withdrawn(const Log& log);

}  // namespace seedd::chain::pool

namespace seedd::chain::erc20 {

inline constexpr std::string_view kApproveSignature = "approve(address,uint256)";
inline constexpr std::string_view kAllowanceSignature = "allowance(address,address)";
inline constexpr std::string_view kBalanceOfSignature = "balanceOf(address)";

std::vector<uint8_t> approve_calldata(const Address& spender, const uint256& amount);
std::vector<uint8_t> allowance_calldata(const Address& owner, const Address& spender);
std::vector<uint8_t> balance_of_calldata(const Address& owner);

}  // namespace seedd::chain::erc20
