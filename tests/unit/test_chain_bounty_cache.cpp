// chain::BountyCache against a JSON-RPC stub playing a pool: BountyFunded logs found from the
// deploy block in bounded ranges, live balances from bounty(), the next refresh going on from
// where the last stopped, and the choice of the bounty that pays a receipt.
#include <map>

#include "daemon/chain/bounty_cache.hpp"
#include "chain_stub_test.hpp"  // last: it opens namespaces

namespace {

crypto::Address address_of(uint8_t fill) {
  crypto::Address a{};
  a.fill(fill);
  return a;
}

crypto::InfoHash20 infohash_of(uint8_t fill) {
  crypto::InfoHash20 h{};
  h.fill(fill);
  return h;
}

std::string hex(std::span<const uint8_t> b) { return crypto::to_hex(b); }

const Address kPool = address_of(0x50);
const Address kSigner = address_of(0x51);

// The chain the stub plays: BountyFunded logs by block, and bounty() state by id.
struct FakePool {
  struct Funded {
    uint64_t block;
    Address emitter;
    uint64_t id;
    pool::Bounty bounty;
  };
  uint64_t head = 0;
  std::vector<Funded> logs;
  std::map<uint64_t, pool::Bounty> state;  // what bounty(id) returns; absent = all zero
  std::vector<std::pair<uint64_t, uint64_t>> ranges;

  void fund(uint64_t block, uint64_t id, const pool::Bounty& b, Address emitter = kPool) {
    logs.push_back({block, emitter, id, b});
    state[id] = b;
  }

  json log_json(const Funded& f) const {
    using abi::Value;
    crypto::Bytes32 ih{}, funder{};
    std::copy(f.bounty.infohash.begin(), f.bounty.infohash.end(), ih.begin());
    std::copy(f.bounty.funder.begin(), f.bounty.funder.end(), funder.begin() + 12);
    const auto data = abi::encode(abi::parse_type("(uint256,uint256,uint64,address,uint64)"),
                                  Value::list({Value::uint(f.bounty.balance), Value::uint(f.bounty.rate_per_gib),
                                               Value::uint(f.bounty.max_bytes_per_leecher), Value::address(f.bounty.pass_signer),
                                               Value::uint(f.bounty.expires_at)}));
    return {{"address", hex(f.emitter)},
            {"topics", {hex(pool::bounty_funded_topic()), hex(to_word(f.id)), hex(ih), hex(funder)}},
            {"data", hex(data)},
            {"blockNumber", to_quantity(f.block)},
            {"blockHash", hex(to_word(f.block))},
            {"transactionHash", hex(to_word(f.id))},
            {"logIndex", "0x0"},
            {"removed", false}};
  }

  StubReply answer(const StubRequest& r) {
    if (r.method == "eth_blockNumber") return StubReply::ok(to_quantity(head));
    if (r.method == "eth_getLogs") {
      const auto& f = r.params.at(0);
      const uint64_t from = parse_quantity_u64(f.at("fromBlock").get<std::string>());
      const uint64_t to = parse_quantity_u64(f.at("toBlock").get<std::string>());
      ranges.emplace_back(from, to);
      json out = json::array();
      for (const auto& l : logs)
        if (l.block >= from && l.block <= to) out.push_back(log_json(l));  // any emitter: the cache must filter
      return StubReply::ok(out);
    }
    if (r.method == "eth_call") {
      const auto data = crypto::from_hex(r.params.at(0).at("data").get<std::string>()).value();
      const uint64_t id = static_cast<uint64_t>(from_be_bytes(std::span(data).subspan(4)));
      const pool::Bounty b = state.count(id) ? state[id] : pool::Bounty{};
      using abi::Value;
      return StubReply::ok(hex(abi::encode(abi::parse_type(pool::kBountyReturn),
                                           Value::list({Value::address(b.funder), Value::bytes(b.infohash),
                                                        Value::uint(b.balance), Value::uint(b.rate_per_gib),
                                                        Value::uint(b.max_bytes_per_leecher), Value::address(b.pass_signer),
                                                        Value::uint(b.expires_at)}))));
    }
    return StubReply::fail(-32601, "method not found");
  }
};

pool::Bounty bounty(uint8_t infohash, uint64_t rate, uint64_t balance, uint64_t expires_at, Address pass_signer = {}) {
  pool::Bounty b;
  b.funder = address_of(0xf0);
  b.infohash = infohash_of(infohash);
  b.balance = balance;
  b.rate_per_gib = rate;
  b.pass_signer = pass_signer;
  b.expires_at = expires_at;
  return b;
}

}  // namespace

TEST_CASE("the bounty cache finds BountyFunded logs from the deploy block in bounded ranges and reads live balances",
          "[chain]") {
  FakePool chain;
  chain.head = 5000;
  chain.fund(150, 1, bounty(0xaa, 10, 1000, 2000000000));
  chain.fund(2500, 2, bounty(0xaa, 20, 500, 1700000000, kSigner));
  chain.fund(2600, 3, bounty(0xbb, 99, 100, 2000000000), address_of(0x66));  // another contract's log
  chain.state[1].balance = 700;  // settlements since: bounty() is the truth, not the log's amount
  RpcStub stub([&](const StubRequest& r) { return chain.answer(r); });
  ClientOptions o;
  o.url = stub.url();
  Client client(o);
  BountyCache cache(client, {kPool, 100, 1000, 64});

  cache.refresh();
  REQUIRE(cache.scanned_to() == 5000);
  REQUIRE(chain.ranges.size() == 5);
  CHECK(chain.ranges.front() == std::pair<uint64_t, uint64_t>{100, 1099});
  CHECK(chain.ranges.back() == std::pair<uint64_t, uint64_t>{4100, 5000});
  const auto all = cache.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == 1);
  CHECK(all[0].state.balance == 700);
  CHECK(all[0].funded_block == 150);
  CHECK(all[1].id == 2);
  CHECK(all[1].state.pass_signer == kSigner);
  CHECK(cache.for_infohash(infohash_of(0xbb)).empty());

  SECTION("a receipt is paid from the best-rate bounty it qualifies for") {
    CHECK(cache.pick(infohash_of(0xaa), 1600000000, 1)->id == 1);             // no pass: the open bounty
    CHECK(cache.pick(infohash_of(0xaa), 1600000000, 1, {kSigner})->id == 2);  // a pass: the better rate
    CHECK(cache.pick(infohash_of(0xaa), 1700000001, 1, {kSigner})->id == 1);  // signed after bounty 2 expired
    CHECK(cache.pick(infohash_of(0xaa), 1600000000, 600, {kSigner})->id == 1);  // bounty 2 holds too little
    CHECK_FALSE(cache.pick(infohash_of(0xaa), 1600000000, 701));
    CHECK_FALSE(cache.pick(infohash_of(0xcc), 1600000000, 1));
  }

  SECTION("the next refresh reads only new blocks and the rescan window, and drops a bounty the pool no longer knows") {
    chain.ranges.clear();
    chain.head = 5100;
    chain.fund(5050, 4, bounty(0xcc, 5, 50, 2000000000));
    chain.state.erase(1);  // its funding block was reorged away
    cache.refresh();
    REQUIRE(chain.ranges.size() == 1);
    CHECK(chain.ranges[0] == std::pair<uint64_t, uint64_t>{5001 - 64, 5100});
    const auto now = cache.all();
    REQUIRE(now.size() == 2);
    CHECK(now[0].id == 2);
    CHECK(now[1].id == 4);
    CHECK(cache.scanned_to() == 5100);
  }
}
