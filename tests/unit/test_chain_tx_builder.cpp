// From a call to a signed transaction: fees chosen from a fee history under the max_fee_per_gas
// cap, gas with its margin, the pending nonce, an account too poor for gas named in the error,
// and the start check of the chain id and the pool's code; against a JSON-RPC stub.
#include "daemon/chain/tx_builder.hpp"
#include "daemon/crypto/keccak.hpp"
#include "chain_stub_test.hpp"  // last: it opens namespaces

namespace {

FeeHistory history(std::vector<uint256> base, std::vector<uint256> rewards) {
  FeeHistory h;
  h.base_fee_per_gas = std::move(base);
  for (const auto& r : rewards) h.reward.push_back({r});
  return h;
}

crypto::PrivateKey test_key() { return crypto::PrivateKey::from_hex(std::string(63, '0') + "7").value(); }

}  // namespace

TEST_CASE("fees: the median priority fee over twice the next base fee, and the cap", "[chain]") {
  const FeeHistory h = history({100, 110, 120}, {5, 1, 9});
  Fees f = choose_fees(h, {});
  CHECK(f.max_priority_fee_per_gas == 5);
  CHECK(f.max_fee_per_gas == 2 * 120 + 5);

  FeePolicy floor;
  floor.min_priority_fee = 7;
  CHECK(choose_fees(h, floor).max_priority_fee_per_gas == 7);

  FeePolicy cap;
  cap.max_fee_per_gas_cap = 200;  // above base + priority, below 2 × base + priority
  f = choose_fees(h, cap);
  CHECK(f.max_fee_per_gas == 200);
  CHECK(f.max_priority_fee_per_gas == 5);
  cap.max_fee_per_gas_cap = 124;  // room for only 4 of the 5 priority
  f = choose_fees(h, cap);
  CHECK(f.max_fee_per_gas == 124);
  CHECK(f.max_priority_fee_per_gas == 4);
  cap.max_fee_per_gas_cap = 119;  // below the next base fee: nothing can be sent
  CHECK_THROWS_AS(choose_fees(h, cap), FeeCapError);
  CHECK_THROWS_WITH(choose_fees(h, cap), Catch::Contains("120 wei") && Catch::Contains("max_fee_per_gas (119 wei)"));

  CHECK(choose_fees(history({1000}, {}), {}).max_priority_fee_per_gas == 0);  // empty blocks: no priority
  CHECK_THROWS_AS(choose_fees(FeeHistory{}, {}), BadResponse);
}

TEST_CASE("a transaction is built from the estimate, the fee history and the pending nonce, and signed by the node key",
          "[chain]") {
  uint256 balance = uint256(1) << 70;
  RpcStub stub([&](const StubRequest& r) -> StubReply {
    if (r.method == "eth_estimateGas") return StubReply::ok("0x186a0");  // 100,000
    if (r.method == "eth_feeHistory")
      return StubReply::ok({{"oldestBlock", "0x1"}, {"baseFeePerGas", {"0x3b9aca00", "0x77359400"}},  // next: 2 gwei
                            {"reward", {{"0x5f5e100"}}}});                                          // 0.1 gwei
    if (r.method == "eth_getTransactionCount") return StubReply::ok("0x9");
    if (r.method == "eth_getBalance") return StubReply::ok(to_quantity(balance));
    return StubReply::fail(-32601, "method not found");
  });
  ClientOptions o;
  o.url = stub.url();
  Client client(o);
  const auto key = test_key();
  TxBuilder builder(client, key, 31337, FeePolicy{});
  crypto::Address pool{};
  pool.fill(0x50);

  const PreparedTx p = builder.build(pool, {0x12, 0x34});
  CHECK(p.tx.chain_id == 31337);
  CHECK(p.tx.nonce == 9);
  CHECK(p.tx.gas_limit == 120000);
  CHECK(p.tx.max_priority_fee_per_gas == 100000000);
  CHECK(p.tx.max_fee_per_gas == 4100000000);
  CHECK(p.max_cost_wei == uint256(120000) * 4100000000u);
  CHECK(p.signed_tx.from == key.address());
  CHECK(p.signed_tx.hash == crypto::keccak256(p.signed_tx.raw));
  // The signature recovers the node address over the signing hash.
  crypto::Signature sig{};
  std::copy(p.signed_tx.r.begin(), p.signed_tx.r.end(), sig.begin());
  std::copy(p.signed_tx.s.begin(), p.signed_tx.s.end(), sig.begin() + 32);
  sig[64] = static_cast<uint8_t>(27 + p.signed_tx.y_parity);
  CHECK(crypto::recover_signer(signing_hash(p.tx), sig) == key.address());

  const auto sent = stub.requests();
  CHECK(sent[0].params.at(0).at("from") == crypto::to_hex(key.address()));  // estimated as the node account
  CHECK(sent[2].params.at(1) == "pending");

  CHECK(builder.build(pool, {}, 0, 77).tx.nonce == 77);  // a nonce the ledger committed is kept

  balance = 1000;
  try {
    builder.build(pool, {0x12, 0x34});
    FAIL("no InsufficientFunds");
  } catch (const InsufficientFunds& e) {
    CHECK(e.account() == key.address());
    CHECK(e.balance_wei() == 1000);
    CHECK_THAT(e.what(), Catch::Contains("send ETH to " + crypto::to_checksum_address(key.address())) &&
                             Catch::Contains("holds 1000 wei"));
  }
}

TEST_CASE("a call that would revert fails at the estimate with the contract's reason", "[chain]") {
  const auto revert = abi::encode_call("Error(string)", {abi::Value::string("ERC20: insufficient allowance")});
  RpcStub stub([&](const StubRequest&) { return StubReply::fail(3, "execution reverted", crypto::to_hex(revert)); });
  ClientOptions o;
  o.url = stub.url();
  Client client(o);
  TxBuilder builder(client, test_key(), 1, FeePolicy{});
  CHECK_THROWS_WITH(builder.build(crypto::Address{}, {}), Catch::Contains("ERC20: insufficient allowance"));
  CHECK(stub.requests().size() == 1);  // nothing signed, nothing else asked
}

TEST_CASE("the start check names a wrong chain id and a pool address without code", "[chain]") {
  std::string code = "0x";
  RpcStub stub([&](const StubRequest& r) {
    if (r.method == "eth_chainId") return StubReply::ok("0x7a69");
    return StubReply::ok(code);
  });
  ClientOptions o;
  o.url = stub.url();
  Client client(o);
  crypto::Address pool{};
  pool.fill(0xab);
  const auto wrong = check_chain_and_pool(client, 1, pool);
  REQUIRE(wrong);
  CHECK_THAT(*wrong, Catch::Contains("chain id 31337") && Catch::Contains("pool_chain_id is 1"));
  const auto empty = check_chain_and_pool(client, 31337, pool);
  REQUIRE(empty);
  CHECK_THAT(*empty, Catch::Contains(crypto::to_checksum_address(pool)) && Catch::Contains("has no code"));
  code = "0x6080604052";
  CHECK_FALSE(check_chain_and_pool(client, 31337, pool));
}
