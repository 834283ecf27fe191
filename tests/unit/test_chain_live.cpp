// The chain client against a real chain and the real contracts/RewardPool.sol: a creator
// approves and funds a bounty, the bounty cache finds it, a seeder settles a two-receipt claim
// (signed with seedd's own EIP-712 code) with a transaction seedd built and signed, and the
// Settled, ItemSkipped and balances are what docs/protocol.md 8 says. Hidden ([.]): it needs a local
// Hardhat node with the pool and TestToken deployed (contracts/README.md), named by
//   SEEDD_TEST_CHAIN_RPC=http://127.0.0.1:PORT SEEDD_TEST_POOL=0x... SEEDD_TEST_TOKEN=0x...
//   SEEDD_TEST_DEPLOY_BLOCK=N  build/tests/seedd_unit_tests "[chain-live]"
// The keys are Hardhat's well-known accounts 1 and 2 (10,000 ETH each on its node).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "daemon/chain/abi.hpp"
#include "daemon/chain/bounty_cache.hpp"
#include "daemon/chain/pool_codec.hpp"
#include "daemon/chain/rpc_client.hpp"
#include "daemon/chain/tx_builder.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/merkle.hpp"

using namespace seedd;
using namespace seedd::chain;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

CallRequest view(const Address& to, std::vector<uint8_t> data, std::optional<Address> from = std::nullopt) {
  CallRequest c;
  c.from = from;
  c.to = to;
  c.data = std::move(data);
  return c;
}

crypto::PrivateKey key(const char* hex) { return crypto::PrivateKey::from_hex(hex).value(); }

TxReceipt send_and_wait(Client& client, TxBuilder& builder, const Address& to, std::vector<uint8_t> data) {
  const PreparedTx p = builder.build(to, std::move(data));
  CHECK(client.send_raw_transaction(p.signed_tx.raw) == p.signed_tx.hash);
  for (int i = 0; i < 200; ++i) {
    if (auto r = client.get_transaction_receipt(p.signed_tx.hash)) return *r;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  FAIL("no receipt for " << crypto::to_hex(p.signed_tx.hash));
  return {};
}

}  // namespace

TEST_CASE("a bounty funded and a claim settled on a real chain by seedd's own transactions", "[.][chain-live]") {
  const std::string rpc = env("SEEDD_TEST_CHAIN_RPC");
  if (rpc.empty()) {
    WARN("SEEDD_TEST_CHAIN_RPC is not set: skipped");
    return;
  }
  const Address pool_address = crypto::parse_address(env("SEEDD_TEST_POOL")).value();
  const Address token = crypto::parse_address(env("SEEDD_TEST_TOKEN")).value();
  const uint64_t deploy_block = std::stoull(env("SEEDD_TEST_DEPLOY_BLOCK"));

  ClientOptions o;
  o.url = rpc;
  Client client(o);
  const uint64_t chain_id = client.chain_id();
  REQUIRE_FALSE(check_chain_and_pool(client, chain_id, pool_address));
  REQUIRE(check_chain_and_pool(client, chain_id + 1, pool_address));
  REQUIRE(check_chain_and_pool(client, chain_id, Address{}));  // no code at the zero address
  CHECK(pool::decode_address(client.call(view(pool_address, pool::token_calldata()))) == token);

  const auto creator = key("59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
  const auto seeder = key("5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
  const auto leecher = key(std::string(63, '0').append("9").c_str());
  TxBuilder as_creator(client, creator, chain_id, FeePolicy{});
  TxBuilder as_seeder(client, seeder, chain_id, FeePolicy{});

  // The creator mints test tokens, approves the pool and funds an open bounty.
  const uint256 amount = uint256(1000) * 1000000000000000000ull;
  const uint256 rate = 1000000000000000000ull;  // one token (18 decimals) per GiB
  // A fresh infohash and channel on each run, so that the test can run again on the same chain.
  const auto run = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  crypto::InfoHash20 infohash{};
  for (size_t i = 0; i < 8; ++i) infohash[i] = static_cast<uint8_t>(run >> (8 * i));
  const uint64_t channel = run | 1;
  const uint256 seeder_tokens_before =
      pool::decode_uint256(client.call(view(token, erc20::balance_of_calldata(seeder.address()))));
  REQUIRE(send_and_wait(client, as_creator, token,
                        abi::encode_call("mint(address,uint256)", {abi::Value::address(creator.address()), abi::Value::uint(amount)}))
              .success);
  REQUIRE(send_and_wait(client, as_creator, token, erc20::approve_calldata(pool_address, amount)).success);
  const uint64_t expires_at = 4102444800;  // 2100-01-01
  const TxReceipt funded =
      send_and_wait(client, as_creator, pool_address, pool::fund_calldata(infohash, amount, rate, 0, Address{}, expires_at));
  REQUIRE(funded.success);
  std::optional<pool::BountyFunded> event;
  for (const auto& log : funded.logs)
    if (!event) event = pool::decode_bounty_funded(log);
  REQUIRE(event);
  CHECK(event->infohash == infohash);
  CHECK(event->funder == creator.address());
  CHECK(event->amount == amount);

  BountyCache cache(client, {pool_address, deploy_block, 1, kBountyRescanBlocks});  // one block a range
  cache.refresh();
  const auto picked = cache.pick(infohash, 1700000000, 1);
  REQUIRE(picked);
  CHECK(picked->id == event->bounty_id);
  CHECK(picked->state.balance == amount);

  // The seeder settles a claim of two receipts from one leecher; the second repeats the first's
  // channel with fewer bytes, so the pool pays the first and skips the second ("nothing new").
  crypto::Domain domain{chain_id, pool_address};
  const uint64_t delta = 3ull << 30;  // 3 GiB
  crypto::Receipt r1{infohash, seeder.address(), leecher.address(), channel, delta, 1700000000};
  crypto::Receipt r2{infohash, seeder.address(), leecher.address(), channel, delta - 1, 1700000001};
  const auto d1 = crypto::receipt_digest(domain, r1), d2 = crypto::receipt_digest(domain, r2);
  const auto tree = crypto::MerkleTree::of({d1, d2});
  crypto::Claim claim;
  claim.claimant = seeder.address();
  claim.payout = seeder.address();
  claim.receipts_root = tree.root();
  claim.receipt_count = 2;
  claim.total_bytes = 2 * delta - 1;
  claim.amount = 3 * rate;
  claim.nonce = 1;
  claim.created_at = 1700000100;
  std::vector<pool::SettleItem> items(2);
  items[0].receipt = r1;
  items[0].signature = leecher.sign(d1);
  items[0].proof = tree.proof(d1);
  items[0].bounty_id = event->bounty_id;
  items[1].receipt = r2;
  items[1].signature = leecher.sign(d2);
  items[1].proof = tree.proof(d2);
  items[1].bounty_id = event->bounty_id;
  const auto calldata = pool::settle_calldata(claim, seeder.sign(crypto::claim_digest(domain, claim)), items);

  // Simulated first, as rewards.settle does with dry_run.
  CHECK(pool::decode_settle_return(client.call(view(pool_address, calldata, seeder.address()))) == 3 * rate);
  const TxReceipt settled = send_and_wait(client, as_seeder, pool_address, calldata);
  REQUIRE(settled.success);
  std::optional<pool::Settled> s;
  std::vector<pool::ItemSkipped> skipped;
  for (const auto& log : settled.logs) {
    if (auto e = pool::decode_settled(log)) s = e;
    if (auto e = pool::decode_item_skipped(log)) skipped.push_back(*e);
  }
  REQUIRE(s);
  CHECK(s->claimant == seeder.address());
  CHECK(s->nonce == 1);
  CHECK(s->paid == 3 * rate);  // floor(3 GiB × rate / 2^30)
  CHECK(s->bytes_paid == delta);
  CHECK(s->items_paid == 1);
  CHECK(s->items_skipped == 1);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].index == 1);
  CHECK(skipped[0].reason == static_cast<uint8_t>(pool::SkipReason::NothingNew));
  CHECK(pool::decode_uint256(client.call(view(token, erc20::balance_of_calldata(seeder.address())))) ==
        seeder_tokens_before + 3 * rate);

  cache.refresh();
  CHECK(cache.pick(infohash, 1700000000, 1)->state.balance == amount - 3 * rate);

  // Sent again, it pays nothing: both items are "nothing new".
  CHECK(pool::decode_settle_return(client.call(view(pool_address, calldata, seeder.address()))) == 0);
}
