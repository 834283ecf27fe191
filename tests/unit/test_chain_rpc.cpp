// chain::Client against a JSON-RPC stub on 127.0.0.1 (rpc_stub.hpp): what each call sends, how
// it reads the answer, and how every kind of failure reaches the caller (an endpoint error with
// its message and revert reason, an HTTP error, a malformed answer, a timeout, a refused or
// unverifiable TLS certificate), plus the bounded eth_getLogs walk.
#include <chrono>
#include <cstdlib>
#include <limits>
#include <string>

#include "daemon/chain/pool_codec.hpp"
#include "daemon/chain/rpc_client.hpp"
#include "scratch_dir.hpp"
#include "chain_stub_test.hpp"  // last: it opens namespaces

namespace {

Client client_for(const std::string& url, int timeout_ms = 5000, const std::string& ca_file = {}) {
  ClientOptions o;
  o.url = url;
  o.transport.timeout_ms = timeout_ms;
  o.transport.ca_file = ca_file;
  return Client(std::move(o));
}

crypto::Address address_of(uint8_t fill) {
  crypto::Address a{};
  a.fill(fill);
  return a;
}

std::string hex(std::span<const uint8_t> b) { return crypto::to_hex(b); }

// A certificate for 127.0.0.1 (or for `san`) made with the openssl CLI, as test_rpc_tls.py does.
struct Certificate {
  std::string cert, key;
};
Certificate make_certificate(const std::filesystem::path& dir, const std::string& san) {
  Certificate c{(dir / "stub.crt").string(), (dir / "stub.key").string()};
  const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout '" + c.key +
                          "' -out '" + c.cert + "' -days 2 -subj /CN=stub -addext 'subjectAltName=" + san +
                          "' >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return c;
}

}  // namespace

TEST_CASE("each chain call sends its JSON-RPC method and params and reads the result", "[chain]") {
  const auto big = std::numeric_limits<uint256>::max();
  RpcStub stub([&](const StubRequest& r) -> StubReply {
    if (r.method == "eth_chainId") return StubReply::ok("0x7a69");
    if (r.method == "eth_blockNumber") return StubReply::ok("0x10");
    if (r.method == "eth_getCode") return StubReply::ok("0x6080");
    if (r.method == "eth_getBalance") return StubReply::ok(to_quantity(big));
    if (r.method == "eth_getTransactionCount") return StubReply::ok("0x2a");
    if (r.method == "eth_call") return StubReply::ok("0x" + std::string(62, '0') + "07");
    if (r.method == "eth_estimateGas") return StubReply::ok("0x5208");
    if (r.method == "eth_feeHistory")
      return StubReply::ok({{"oldestBlock", "0xe"}, {"baseFeePerGas", {"0x1", "0x2", "0x3"}},
                            {"gasUsedRatio", {0.5, 0.25}}, {"reward", {{"0x64"}, {"0xc8"}}}});
    if (r.method == "eth_sendRawTransaction") return StubReply::ok("0x" + std::string(64, 'a'));
    return StubReply::fail(-32601, "method not found");
  });
  Client c = client_for(stub.url());
  CHECK(c.chain_id() == 31337);
  CHECK(c.block_number() == 16);
  CHECK(c.get_code(address_of(1)) == std::vector<uint8_t>{0x60, 0x80});
  CHECK(c.get_balance(address_of(2), BlockTag::at(5)) == big);
  CHECK(c.get_transaction_count(address_of(3), BlockTag::pending_state()) == 42);
  CallRequest call;
  call.from = address_of(4);
  call.to = address_of(5);
  call.data = {0xde, 0xad};
  CHECK(pool::decode_uint256(c.call(call)) == 7);
  call.value = 1000;
  call.gas = 90000;
  CHECK(c.estimate_gas(call) == 21000);
  const FeeHistory h = c.fee_history(2, BlockTag::latest(), {50.0});
  CHECK(h.oldest_block == 14);
  CHECK(h.base_fee_per_gas == std::vector<uint256>{1, 2, 3});
  REQUIRE(h.reward.size() == 2);
  CHECK(h.reward[1] == std::vector<uint256>{200});
  CHECK(c.send_raw_transaction(std::vector<uint8_t>{0x02, 0xc0}) == crypto::from_hex_fixed<32>(std::string(64, 'a')).value());

  const auto reqs = stub.requests();
  REQUIRE(reqs.size() == 9);
  for (const auto& r : reqs) CHECK(r.params.is_array());  // JSON-RPC params by position, always
  CHECK(reqs[0].params == json::array());
  CHECK(reqs[2].params == json::array({hex(address_of(1)), "latest"}));
  CHECK(reqs[3].params == json::array({hex(address_of(2)), "0x5"}));
  CHECK(reqs[4].params == json::array({hex(address_of(3)), "pending"}));
  CHECK(reqs[5].params ==
        json::array({{{"from", hex(address_of(4))}, {"to", hex(address_of(5))}, {"data", "0xdead"}}, "latest"}));
  CHECK(reqs[6].params == json::array({{{"from", hex(address_of(4))}, {"to", hex(address_of(5))}, {"data", "0xdead"},
                                 {"value", "0x3e8"}, {"gas", "0x15f90"}}}));
  CHECK(reqs[7].params == json::array({"0x2", "latest", {50.0}}));
  CHECK(reqs[8].params == json::array({"0x02c0"}));
}

TEST_CASE("eth_getLogs sends the filter with null topic wildcards and reads logs the pool codec decodes", "[chain]") {
  const std::string topic1 = "0x" + std::string(64, '1');
  json log = {{"address", hex(address_of(9))},
              {"topics", {hex(pool::item_skipped_topic()), "0x000000000000000000000000" + std::string(40, 'b'),
                          "0x" + std::string(63, '0') + "3"}},
              {"data", "0x" + std::string(63, '0') + "1" + std::string(63, '0') + "6"},
              {"blockNumber", "0x20"},
              {"blockHash", topic1},
              {"transactionHash", topic1},
              {"logIndex", "0x0"},
              {"removed", false}};
  RpcStub stub([&](const StubRequest&) { return StubReply::ok(json::array({log})); });
  Client c = client_for(stub.url());
  LogFilter f;
  f.address = address_of(9);
  f.from_block = 1;
  f.to_block = 0x20;
  f.topics = {pool::item_skipped_topic(), std::nullopt, crypto::from_hex_fixed<32>(topic1)};
  const auto logs = c.get_logs(f);
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].block_number == 32);
  CHECK(logs[0].address == address_of(9));
  const auto skipped = pool::decode_item_skipped(logs[0]);
  REQUIRE(skipped);
  CHECK(skipped->claimant == address_of(0xbb));
  CHECK(skipped->nonce == 3);
  CHECK(skipped->index == 1);
  CHECK(skipped->reason == 6);
  const auto sent = stub.requests().at(0).params.at(0);
  CHECK(sent == json({{"address", hex(address_of(9))}, {"fromBlock", "0x1"}, {"toBlock", "0x20"},
                      {"topics", {hex(pool::item_skipped_topic()), nullptr, topic1}}}));
}

TEST_CASE("a transaction receipt is read with its status and logs, and a pending one is std::nullopt", "[chain]") {
  const std::string h = "0x" + std::string(64, 'c');
  RpcStub stub([&](const StubRequest& r) {
    if (r.params.at(0) == h)
      return StubReply::ok({{"transactionHash", h}, {"blockNumber", "0x99"}, {"blockHash", h}, {"status", "0x0"},
                            {"gasUsed", "0x5208"}, {"effectiveGasPrice", "0x3b9aca00"}, {"contractAddress", nullptr},
                            {"logs", json::array()}});
    return StubReply::ok(nullptr);
  });
  Client c = client_for(stub.url());
  const auto r = c.get_transaction_receipt(crypto::from_hex_fixed<32>(h).value());
  REQUIRE(r);
  CHECK(r->block_number == 0x99);
  CHECK_FALSE(r->success);
  CHECK(r->gas_used == 21000);
  CHECK(r->effective_gas_price == 1000000000);
  CHECK_FALSE(r->contract_address);
  CHECK(r->logs.empty());
  CHECK_FALSE(c.get_transaction_receipt(crypto::Bytes32{}));
}

TEST_CASE("an endpoint's error reaches the caller with its code, message and the contract's revert reason", "[chain]") {
  const auto revert = abi::encode_call("Error(string)", {abi::Value::string("bounty expired")});
  RpcStub stub([&](const StubRequest& r) {
    if (r.method == "eth_call") return StubReply::fail(3, "execution reverted", hex(revert));
    return StubReply::fail(-32000, "insufficient funds for gas * price + value");
  });
  Client c = client_for(stub.url());
  try {
    c.call(CallRequest{});
    FAIL("no RpcError");
  } catch (const RpcError& e) {
    CHECK(e.code() == 3);
    CHECK(e.method() == "eth_call");
    CHECK(e.endpoint_message() == "execution reverted");
    CHECK(e.revert_reason() == "bounty expired");
    CHECK(e.data() == revert);
    CHECK_THAT(e.what(), Catch::Contains("execution reverted") && Catch::Contains("bounty expired") &&
                             Catch::Contains(stub.url().substr(0, stub.url().size() - 1)));
  }
  try {
    c.send_raw_transaction(std::vector<uint8_t>{1});
    FAIL("no RpcError");
  } catch (const RpcError& e) {
    CHECK(e.code() == -32000);
    CHECK_THAT(e.what(), Catch::Contains("insufficient funds for gas"));
    CHECK_FALSE(e.revert_reason());
  }
}

TEST_CASE("an HTTP error, a body that is not JSON-RPC and another request's id are refused by type", "[chain]") {
  int mode = 0;
  RpcStub stub([&](const StubRequest&) -> StubReply {
    switch (mode) {
      case 0: return StubReply::raw(503, "upstream overloaded\r\n\x1b[31m");
      case 1: return StubReply::raw(200, "<html>not json</html>");
      case 2: return StubReply::raw(200, R"({"jsonrpc":"2.0","id":999999,"result":"0x1"})");
      case 3: return StubReply::raw(200, R"({"jsonrpc":"2.0","id":4})");
      case 4: return StubReply::raw(200, std::string(100, '[') + std::string(100, ']'));
      case 5: return StubReply::ok("0x" + std::string(65, '1'));  // a chain id above 2^256
      case 6: return StubReply::ok(12);                            // a number where a hex string belongs
      default: return StubReply::raw(429, R"({"jsonrpc":"2.0","id":8,"error":{"code":-32005,"message":"rate limited"}})");
    }
  });
  Client c = client_for(stub.url());
  mode = 0;
  try {
    c.chain_id();
    FAIL("no TransportError");
  } catch (const TransportError& e) {
    CHECK_FALSE(e.timed_out());
    CHECK_THAT(e.what(), Catch::Contains("HTTP 503") && Catch::Contains("upstream overloaded??"));
  }
  for (mode = 1; mode <= 6; ++mode) {
    INFO(mode);
    CHECK_THROWS_AS(c.chain_id(), BadResponse);
  }
  CHECK_THROWS_WITH(c.chain_id(), Catch::Contains("rate limited"));  // an error object in a 429 is still the endpoint's
}

TEST_CASE("a slow endpoint times out within the deadline and a closed port is refused at once", "[chain]") {
  RpcStub stub([](const StubRequest&) {
    StubReply r = StubReply::ok("0x1");
    r.delay_ms = 1500;
    return r;
  });
  Client c = client_for(stub.url(), 300);
  const auto start = std::chrono::steady_clock::now();
  try {
    c.block_number();
    FAIL("no timeout");
  } catch (const TransportError& e) {
    CHECK(e.timed_out());
    CHECK_THAT(e.what(), Catch::Contains("timed out after 0.3 s waiting for the answer from http://127.0.0.1:"));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200));

  uint16_t closed_port = 0;
  {
    RpcStub gone([](const StubRequest&) { return StubReply::ok("0x1"); });
    closed_port = gone.port();
  }
  Client refused = client_for("http://127.0.0.1:" + std::to_string(closed_port) + "/", 2000);
  try {
    refused.chain_id();
    FAIL("connected to a closed port");
  } catch (const TransportError& e) {
    CHECK_FALSE(e.timed_out());
    CHECK_THAT(e.what(), Catch::Contains("connecting to http://127.0.0.1:" + std::to_string(closed_port)));
  }
}

TEST_CASE("an endpoint URL's API key and credentials stay out of messages; credentials become Basic auth",
          "[chain]") {
  RpcStub stub([](const StubRequest&) { return StubReply::raw(401, "unauthorized"); });
  const std::string url = "http://alice:s3cret@127.0.0.1:" + std::to_string(stub.port()) + "/v3/APIKEY123?x=1";
  Client c = client_for(url);
  CHECK(c.endpoint() == "http://127.0.0.1:" + std::to_string(stub.port()));
  try {
    c.chain_id();
    FAIL("no error");
  } catch (const TransportError& e) {
    const std::string what = e.what();
    CHECK(what.find("APIKEY123") == std::string::npos);
    CHECK(what.find("s3cret") == std::string::npos);
    CHECK_THAT(what, Catch::Contains("HTTP 401"));
  }
  const auto r = stub.requests().at(0);
  CHECK(r.target == "/v3/APIKEY123?x=1");
  CHECK(r.authorization == "Basic YWxpY2U6czNjcmV0");

  CHECK(parse_endpoint("https://rpc.example.org").port == "443");
  CHECK(parse_endpoint("https://rpc.example.org").target == "/");
  CHECK(parse_endpoint("http://[::1]:8545/rpc").host == "::1");
  CHECK(parse_endpoint("http://[::1]:8545/rpc").port == "8545");
  for (const char* bad : {"ws://127.0.0.1:8545", "127.0.0.1:8545", "http://", "http://host:port/", "http://h:123456"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_endpoint(bad), std::invalid_argument);
  }
}

TEST_CASE("HTTPS: a certificate the client trusts works; an unknown one or one for another host is refused",
          "[chain]") {
  test::ScratchDir dir("chain-tls");
  const Certificate good = make_certificate(dir.path(), "IP:127.0.0.1");
  {
    RpcStub stub([](const StubRequest&) { return StubReply::ok("0x1"); }, good.cert, good.key);
    CHECK(client_for(stub.url(), 5000, good.cert).chain_id() == 1);
    stub.keep_alive_requests(2);  // over TLS too: one handshake for two requests, then a stale one replaced
    const int before = stub.connections();
    {
      Client kept = client_for(stub.url(), 5000, good.cert);
      for (int i = 0; i < 3; ++i) CHECK(kept.chain_id() == 1);
    }
    CHECK(stub.connections() - before == 2);
    stub.keep_alive_requests(1);
    // The system store does not know a self-signed certificate.
    CHECK_THROWS_WITH(client_for(stub.url(), 5000).chain_id(),
                      Catch::Contains("TLS handshake with https://127.0.0.1") && Catch::Contains("certificate verify failed"));
  }
  test::ScratchDir other_dir("chain-tls-other");
  const Certificate other = make_certificate(other_dir.path(), "DNS:rpc.example.invalid");
  RpcStub stub([](const StubRequest&) { return StubReply::ok("0x1"); }, other.cert, other.key);
  // Trusted, but issued for another name than the one connected to.
  CHECK_THROWS_WITH(client_for(stub.url(), 5000, other.cert).chain_id(), Catch::Contains("certificate verify failed"));
  // Plain HTTP to a TLS port gets no answer, not a hang.
  CHECK_THROWS_AS(client_for("http://127.0.0.1:" + std::to_string(stub.port()) + "/", 2000).chain_id(), TransportError);
}

TEST_CASE("for_each_log_range walks the whole range in bounded pieces and halves a piece the endpoint refuses",
          "[chain]") {
  std::vector<std::pair<uint64_t, uint64_t>> asked;
  RpcStub stub([&](const StubRequest& r) {
    const auto& f = r.params.at(0);
    const uint64_t from = parse_quantity_u64(f.at("fromBlock").get<std::string>());
    const uint64_t to = parse_quantity_u64(f.at("toBlock").get<std::string>());
    asked.emplace_back(from, to);
    if (to - from + 1 > 300) return StubReply::fail(-32005, "query returned more than 10000 results");
    return StubReply::ok(json::array());
  });
  Client c = client_for(stub.url());
  LogFilter f;
  f.from_block = 100;
  f.to_block = 2099;
  std::vector<std::pair<uint64_t, uint64_t>> covered;
  for_each_log_range(c, f, 1000, [&](const std::vector<Log>&, uint64_t from, uint64_t to) { covered.emplace_back(from, to); });
  REQUIRE_FALSE(covered.empty());
  CHECK(covered.front().first == 100);
  CHECK(covered.back().second == 2099);
  for (size_t i = 0; i < covered.size(); ++i) {
    CHECK(covered[i].second - covered[i].first + 1 <= 300);
    if (i) CHECK(covered[i].first == covered[i - 1].second + 1);  // no gap, no overlap
  }
  for (const auto& [from, to] : asked) CHECK(to - from + 1 <= 1000);

  // One block the endpoint refuses is an error for the caller, not an endless loop.
  RpcStub never([](const StubRequest&) { return StubReply::fail(-32000, "no logs for you"); });
  Client n = client_for(never.url());
  CHECK_THROWS_AS(for_each_log_range(n, f, 8, [](const std::vector<Log>&, uint64_t, uint64_t) {}), RpcError);
  CHECK(never.requests().size() == 4);  // 8, 4, 2, 1 blocks
}

TEST_CASE("eth_sendRawTransaction errors of the common nodes are told apart", "[chain]") {
  auto kind = [](const std::string& message) {
    return send_error_kind(RpcError(message, "eth_sendRawTransaction", -32000, message, {}, std::nullopt));
  };
  CHECK(kind("already known") == SendErrorKind::AlreadyKnown);                                  // geth, Erigon
  CHECK(kind("Known transaction: 0x1234") == SendErrorKind::AlreadyKnown);                      // Hardhat
  CHECK(kind("transaction already imported") == SendErrorKind::AlreadyKnown);                   // anvil
  CHECK(kind("AlreadyKnown") == SendErrorKind::AlreadyKnown);                                   // Nethermind
  CHECK(kind("nonce too low: next nonce 5, tx nonce 4") == SendErrorKind::NonceTooLow);         // geth
  CHECK(kind("Nonce too low. Expected nonce to be 5 but got 4.") == SendErrorKind::NonceTooLow);  // Hardhat
  CHECK(kind("OldNonce") == SendErrorKind::NonceTooLow);                                        // Nethermind
  CHECK(kind("insufficient funds for gas * price + value: balance 0") == SendErrorKind::InsufficientFunds);
  CHECK(kind("Sender doesn't have enough funds to send tx.") == SendErrorKind::InsufficientFunds);  // Hardhat
  CHECK(kind("replacement transaction underpriced") == SendErrorKind::Underpriced);
  CHECK(kind("max fee per gas less than block base fee") == SendErrorKind::Underpriced);
  CHECK(kind("Transaction gas price 1 is too low. Replacing... price too low") == SendErrorKind::Underpriced);
  CHECK(kind("intrinsic gas too low") == SendErrorKind::Other);  // the gas limit, not the fees
  CHECK(kind("execution reverted") == SendErrorKind::Other);
}

TEST_CASE("requests share a kept-alive connection, and one the server closed meanwhile is replaced unseen", "[chain]") {
  RpcStub stub([](const StubRequest&) { return StubReply::ok("0x1"); });
  stub.keep_alive_requests(1000);
  {
    Client c = client_for(stub.url());
    for (int i = 0; i < 5; ++i) CHECK(c.block_number() == 1);
    CHECK(stub.connections() == 1);
  }  // the client's kept connection closes with it: the stub goes back to accepting

  stub.keep_alive_requests(2);  // then the stub drops the connection without saying so
  const int before = stub.connections();
  Client c = client_for(stub.url());
  for (int i = 0; i < 5; ++i) CHECK(c.block_number() == 1);
  CHECK(stub.connections() - before == 3);
  CHECK(stub.requests().size() == 10);  // every request answered once
}
