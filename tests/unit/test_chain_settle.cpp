// The settlement queue's durability (settlement_store.hpp) and the off-chain replay of the
// pool's item rules that a dry run reports (settle_items.hpp).
#include <catch2/catch.hpp>

#include "daemon/accountant/ledger.hpp"
#include "daemon/chain/settle_items.hpp"
#include "daemon/chain/settlement_store.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"
#include "scratch_dir.hpp"

using namespace seedd;
using crypto::PrivateKey;

namespace {

PrivateKey key(char c) { return *PrivateKey::from_hex(std::string(63, '0') + c); }

struct Fixture {
  crypto::Domain domain{31337, *crypto::parse_address("0x5FbDB2315678afecb367f032d93F642f64180aa3")};
  PrivateKey seeder = key('1'), leecher = key('2');
  crypto::InfoHash20 ih{};
  chain::ParsedClaim claim;

  explicit Fixture(std::vector<uint64_t> bytes) {
    ih.fill(0xab);
    std::vector<crypto::Bytes32> leaves;
    uint64_t channel = 1;
    for (auto b : bytes) {
      chain::pool::SettleItem item;
      item.receipt = {ih, seeder.address(), leecher.address(), channel++, b, 1000};
      item.signature = leecher.sign(crypto::receipt_digest(domain, item.receipt));
      leaves.push_back(crypto::receipt_digest(domain, item.receipt));
      claim.items.push_back(item);
      claim.pass_signers.push_back({});
      claim.prev_claimed.push_back(0);
    }
    const auto tree = crypto::MerkleTree::of(leaves);
    for (size_t i = 0; i < leaves.size(); ++i) claim.items[i].proof = tree.proof(leaves[i]);
    claim.domain = domain;
    claim.claim.claimant = seeder.address();
    claim.claim.receipts_root = tree.root();
  }

  chain::pool::Bounty bounty(crypto::uint256 balance, crypto::uint256 rate) const {
    chain::pool::Bounty b;
    b.funder = leecher.address();
    b.infohash = ih;
    b.balance = balance;
    b.rate_per_gib = rate;
    b.expires_at = 2000;
    return b;
  }
};

}  // namespace

TEST_CASE("a settlement committed as pending is there, with its raw transaction, after the store is opened again") {
  const auto dir = test::fresh_dir("settlement_store");
  { accountant::Ledger ledger(dir / "ledger.sqlite"); }
  chain::SettlementRow row;
  row.claim_nonce = 7;
  row.items = nlohmann::json::array({{{"index", 0}, {"bounty_id", "1"}}});
  row.account_nonce = 42;
  row.raw_tx = {0x02, 0xf8, 0x01};
  row.tx_hash.fill(0x11);
  int64_t id = 0;
  {
    chain::SettlementStore store(dir / "ledger.sqlite");
    id = store.insert_pending(row);
  }  // as a kill -9 would leave it: committed, never broadcast
  chain::SettlementStore store(dir / "ledger.sqlite");
  const auto pending = store.pending();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].raw_tx == row.raw_tx);
  CHECK(pending[0].tx_hash == row.tx_hash);
  CHECK(pending[0].account_nonce == 42);
  CHECK(store.max_pending_account_nonce() == 42u);
  CHECK(store.pending_count() == 1);

  chain::SettlementRow done = pending[0];
  done.state = "confirmed";
  done.block = 9;
  done.paid = crypto::uint256("123456789012345678901234567890");
  done.items_paid = 1;
  store.finish(id, done);
  CHECK(store.pending().empty());
  CHECK(store.latest(7)->state == "confirmed");
  CHECK(store.total_paid() == crypto::uint256("123456789012345678901234567890"));
  CHECK(chain::settlement_json(*store.latest(7))["paid"] == "123456789012345678901234567890");
  CHECK_FALSE(store.latest(8).has_value());
}

TEST_CASE("the dry-run forecast pays floor(delta x rate / 2^30) and names each skipped item's reason as the pool does") {
  Fixture f({3 * (1u << 20), 5000, 7000, 9000});
  // Item 1: its bytes raised after the claim was made: not in the root (reason 1).
  f.claim.items[1].receipt.bytes += 1;
  // Item 2: already paid on chain up to its bytes (reason 6).
  const auto b = f.bounty(crypto::uint256(1) << 100, 1000000007);
  const std::vector<std::optional<chain::pool::Bounty>> bounties(4, b);
  auto out = chain::forecast_items(f.claim, {0, 0, 7000, 100}, bounties, {0, 0, 0, 0});
  CHECK(out[0].reason == 0);
  CHECK(out[0].amount == crypto::uint256(3 * (1u << 20)) * 1000000007 / (crypto::uint256(1) << 30));
  CHECK(out[1].reason == 1);
  CHECK(out[2].reason == 6);
  CHECK(out[3].reason == 0);
  CHECK(out[3].delta_bytes == 8900);

  // No bounty: reason 4; a bounty that expired before the receipt: reason 4; a dry one: 7.
  auto expired = b;
  expired.expires_at = 999;
  auto dry = b;
  dry.balance = 0;
  out = chain::forecast_items(f.claim, {0, 0, 0, 0}, {std::nullopt, expired, dry, b}, {0, 0, 0, 0});
  CHECK(out[0].reason == 4);
  CHECK(out[1].reason == 1);  // the proof comes first
  CHECK(out[2].reason == 7);
  CHECK(out[3].reason == 0);
}

TEST_CASE("the forecast cuts the last paid item to what the balance still pays for") {
  Fixture f({1u << 30, 1u << 30});
  const auto b = f.bounty(1500, 1000);  // pays one GiB (1000) and half of the next
  const std::vector<std::optional<chain::pool::Bounty>> bounties(2, b);
  const auto out = chain::forecast_items(f.claim, {0, 0}, bounties, {0, 0});
  CHECK(out[0].amount == 1000);
  CHECK(out[1].amount == 500);
  CHECK(out[1].delta_bytes == (1u << 29));
}

TEST_CASE("the forecast pays an item under a pass bounty only with a pass its passSigner signed that covers the receipt") {
  Fixture f({1000, 2000, 3000, 4000});
  const PrivateKey creator = key('3'), stranger = key('4');
  auto b = f.bounty(crypto::uint256(1) << 100, 1u << 30);
  b.pass_signer = creator.address();
  auto give = [&](size_t i, const PrivateKey& signer, uint64_t exp) {
    auto& item = f.claim.items[i];
    const auto sig = signer.sign(crypto::pass_digest(f.domain, {item.receipt.infohash, item.receipt.leecher, exp}));
    item.pass_exp = exp;
    item.pass_sig.assign(sig.begin(), sig.end());
    f.claim.pass_signers[i] = signer.address();
  };
  give(0, creator, 1000);   // covers the receipt (timestamp 1000 ≤ passExp)
  give(1, stranger, 5000);  // by another key
  give(2, creator, 999);    // expired before the receipt
  // Item 3: no pass at all.
  // The file naming the creator as signer does not make a stranger's pass count: the signature does.
  f.claim.pass_signers[1] = creator.address();
  const std::vector<std::optional<chain::pool::Bounty>> bounties(4, b);
  const auto out = chain::forecast_items(f.claim, {0, 0, 0, 0}, bounties, {0, 0, 0, 0});
  CHECK(out[0].reason == 0);
  CHECK(out[0].amount == 1000);
  CHECK(out[1].reason == 5);
  CHECK(out[2].reason == 5);
  CHECK(out[3].reason == 5);
  // An open bounty pays them all, pass or not.
  const std::vector<std::optional<chain::pool::Bounty>> open(4, f.bounty(crypto::uint256(1) << 100, 1u << 30));
  for (const auto& o : chain::forecast_items(f.claim, {0, 0, 0, 0}, open, {0, 0, 0, 0})) CHECK(o.reason == 0);
}
