#pragma once
// From a claim file (docs/protocol.md 6) to settle()'s arguments (docs/protocol.md 8), and the pool's item
// rules replayed off chain, so that a dry run can say each item's skip reason (eth_call returns
// only the total; the reasons are in logs, which a call does not keep).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/chain/pool_codec.hpp"
#include "daemon/crypto/eip712.hpp"

namespace seedd::chain {

/// A claim file that cannot be turned into settle() arguments; the message names the field.
class ClaimFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A claim file read for settlement.
struct ParsedClaim {
  crypto::Domain domain;
  crypto::Claim claim;
  crypto::Signature signature{};
  std::vector<pool::SettleItem> items;   // bounty_id still 0
  std::vector<crypto::Address> pass_signers;  // per item: the passSigner the leecher showed, or zero
  std::vector<uint64_t> prev_claimed;    // per item: prevClaimedBytes
};

/// Parses a claim document; ClaimFileError naming the bad field.
ParsedClaim parse_claim_file(const nlohmann::json& doc);

/// keccak256(abi.encode(leecher, seeder, infohash, channel)): the pool's paidBytes key.
crypto::Bytes32 channel_key(const crypto::Receipt& receipt);

/// What the pool would do with one item, as far as the caller's view of the chain goes.
struct ItemForecast {
  uint8_t reason = 0;         // 0 = paid, else the docs/protocol.md 8 reason code
  uint64_t delta_bytes = 0;   // bytes it would pay
  crypto::uint256 amount = 0; // tokens it would pay
};

/// Replays rules 1-7 in order for every item. `paid_bytes[i]` is paidBytes of item i's channel
/// on chain, `bounties[i]` the state of item i's bounty (std::nullopt: none), `leecher_paid` per
/// item what its (bounty, leecher) was paid already (caps). Balances fall as items are paid, as
/// on chain.
std::vector<ItemForecast> forecast_items(const ParsedClaim& claim, const std::vector<uint64_t>& paid_bytes,
                                         const std::vector<std::optional<pool::Bounty>>& bounties,
                                         const std::vector<uint64_t>& leecher_paid);

}  // namespace seedd::chain
