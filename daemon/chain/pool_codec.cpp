#include "daemon/chain/pool_codec.hpp"

#include <limits>

#include "daemon/chain/abi.hpp"

namespace seedd::chain::pool {

using abi::Value;

namespace {

Value u64(uint64_t v) { return Value::uint(uint256(v)); }

Value claim_value(const crypto::Claim& c) {
  return Value::list({Value::address(c.claimant), Value::address(c.payout), Value::bytes(c.receipts_root),
                      u64(c.receipt_count), u64(c.total_bytes), Value::uint(c.amount), u64(c.nonce),
                      u64(c.created_at)});
}

Value receipt_value(const crypto::Receipt& r) {
  return Value::list({Value::bytes(r.infohash), Value::address(r.seeder), Value::address(r.leecher),
                      u64(r.channel), u64(r.bytes), u64(r.timestamp)});
}

Value item_value(const SettleItem& item) {
  std::vector<Value> proof;
  proof.reserve(item.proof.size());
  for (const auto& p : item.proof) proof.push_back(Value::bytes(p));
  return Value::list({receipt_value(item.receipt), Value::bytes(item.signature), Value::list(std::move(proof)),
                      Value::uint(item.bounty_id), u64(item.pass_exp), Value::bytes(item.pass_sig)});
}

uint32_t u32(const Value& v) {
  const uint64_t n = v.as_u64();
  if (n > std::numeric_limits<uint32_t>::max()) throw abi::AbiError("value does not fit in 32 bits");
  return static_cast<uint32_t>(n);
}

bool is_event(const Log& log, const Bytes32& topic) { return !log.topics.empty() && log.topics[0] == topic; }

}  // namespace

std::string_view skip_reason_name(uint8_t code) {
  switch (static_cast<SkipReason>(code)) {
    case SkipReason::Proof: return "proof";
    case SkipReason::Parties: return "parties";
    case SkipReason::Signature: return "signature";
    case SkipReason::Bounty: return "bounty";
    case SkipReason::Pass: return "pass";
    case SkipReason::NothingNew: return "nothing_new";
    case SkipReason::Exhausted: return "exhausted";
  }
  return "unknown";
}

std::vector<uint8_t> settle_calldata(const crypto::Claim& claim, const crypto::Signature& claim_signature,
                                     const std::vector<SettleItem>& items) {
  std::vector<Value> list;
  list.reserve(items.size());
  for (const auto& item : items) {
    if (!item.pass_sig.empty() && item.pass_sig.size() != 65)
      throw abi::AbiError("a pass signature has 65 bytes, not " + std::to_string(item.pass_sig.size()));
    list.push_back(item_value(item));
  }
  return abi::encode_call(kSettleSignature, {claim_value(claim), Value::bytes(claim_signature), Value::list(std::move(list))});
}

std::vector<uint8_t> fund_calldata(const crypto::InfoHash20& infohash, const uint256& amount, const uint256& rate_per_gib,
                                   uint64_t max_bytes_per_leecher, const Address& pass_signer, uint64_t expires_at) {
  return abi::encode_call(kFundSignature, {Value::bytes(infohash), Value::uint(amount), Value::uint(rate_per_gib),
                                           u64(max_bytes_per_leecher), Value::address(pass_signer), u64(expires_at)});
}

std::vector<uint8_t> top_up_calldata(const uint256& bounty_id, const uint256& amount) {
  return abi::encode_call(kTopUpSignature, {Value::uint(bounty_id), Value::uint(amount)});
}

std::vector<uint8_t> withdraw_calldata(const uint256& bounty_id) {
  return abi::encode_call(kWithdrawSignature, {Value::uint(bounty_id)});
}

std::vector<uint8_t> bounty_calldata(const uint256& bounty_id) {
  return abi::encode_call(kBountySignature, {Value::uint(bounty_id)});
}

std::vector<uint8_t> token_calldata() { return abi::encode_call(kTokenSignature, {}); }

std::vector<uint8_t> last_bounty_id_calldata() { return abi::encode_call(kLastBountyIdSignature, {}); }

Bounty decode_bounty(std::span<const uint8_t> data) {
  const Value v = abi::decode(abi::parse_type(kBountyReturn), data);
  Bounty b;
  b.funder = v[0].as_address();
  b.infohash = v[1].as_fixed<20>();
  b.balance = v[2].as_uint();
  b.rate_per_gib = v[3].as_uint();
  b.max_bytes_per_leecher = v[4].as_u64();
  b.pass_signer = v[5].as_address();
  b.expires_at = v[6].as_u64();
  return b;
}

uint256 decode_settle_return(std::span<const uint8_t> data) { return decode_uint256(data); }

uint256 decode_uint256(std::span<const uint8_t> data) {
  return abi::decode(abi::parse_type("uint256"), data).as_uint();
}

Address decode_address(std::span<const uint8_t> data) {
  return abi::decode(abi::parse_type("address"), data).as_address();
}

Bytes32 bounty_funded_topic() { return abi::event_topic(kBountyFundedEvent); }
Bytes32 settled_topic() { return abi::event_topic(kSettledEvent); }
Bytes32 item_skipped_topic() { return abi::event_topic(kItemSkippedEvent); }
Bytes32 bounty_topped_up_topic() { return abi::event_topic(kBountyToppedUpEvent); }
Bytes32 bounty_withdrawn_topic() { return abi::event_topic(kBountyWithdrawnEvent); }

std::optional<BountyFunded> decode_bounty_funded(const Log& log) {
  if (!is_event(log, bounty_funded_topic())) return std::nullopt;
  const auto v = abi::decode_event(kBountyFundedEvent, {true, true, true, false, false, false, false, false}, log.topics, log.data);
  BountyFunded e;
  e.bounty_id = v[0].as_uint();
  e.infohash = v[1].as_fixed<20>();
  e.funder = v[2].as_address();
  e.amount = v[3].as_uint();
  e.rate_per_gib = v[4].as_uint();
  e.max_bytes_per_leecher = v[5].as_u64();
  e.pass_signer = v[6].as_address();
  e.expires_at = v[7].as_u64();
  return e;
}

std::optional<Settled> decode_settled(const Log& log) {
  if (!is_event(log, settled_topic())) return std::nullopt;
  const auto v = abi::decode_event(kSettledEvent, {true, true, false, false, false, false, false}, log.topics, log.data);
  Settled e;
  e.claimant = v[0].as_address();
  e.nonce = v[1].as_u64();
  e.payout = v[2].as_address();
  e.paid = v[3].as_uint();
  e.bytes_paid = v[4].as_u64();
  e.items_paid = u32(v[5]);
  e.items_skipped = u32(v[6]);
  return e;
}

std::optional<ItemSkipped> decode_item_skipped(const Log& log) {
  if (!is_event(log, item_skipped_topic())) return std::nullopt;
  const auto v = abi::decode_event(kItemSkippedEvent, {true, true, false, false}, log.topics, log.data);
  ItemSkipped e;
  e.claimant = v[0].as_address();
  e.nonce = v[1].as_u64();
  e.index = u32(v[2]);
  e.reason = static_cast<uint8_t>(v[3].as_u64());  // uint8 decoding already bounds it
  return e;
}

std::optional<BountyToppedUp> decode_bounty_topped_up(const Log& log) {
  if (!is_event(log, bounty_topped_up_topic())) return std::nullopt;
  const auto v = abi::decode_event(kBountyToppedUpEvent, {true, true, false}, log.topics, log.data);
  return BountyToppedUp{v[0].as_uint(), v[1].as_address(), v[2].as_uint()};
}

std::optional<BountyWithdrawn> decode_bounty_withdrawn(const Log& log) {
  if (!is_event(log, bounty_withdrawn_topic())) return std::nullopt;
  const auto v = abi::decode_event(kBountyWithdrawnEvent, {true, true, false}, log.topics, log.data);
  return BountyWithdrawn{v[0].as_uint(), v[1].as_address(), v[2].as_uint()};
}

}  // namespace seedd::chain::pool

namespace seedd::chain::erc20 {

using abi::Value;

std::vector<uint8_t> approve_calldata(const Address& spender, const uint256& amount) {
  return abi::encode_call(kApproveSignature, {Value::address(spender), Value::uint(amount)});
}

std::vector<uint8_t> allowance_calldata(const Address& owner, const Address& spender) {
  return abi::encode_call(kAllowanceSignature, {Value::address(owner), Value::address(spender)});
}

std::vector<uint8_t> balance_of_calldata(const Address& owner) {
  return abi::encode_call(kBalanceOfSignature, {Value::address(owner)});
}

}  // namespace seedd::chain::erc20
