// The chain client's encoders against tests/vectors/chain.json, made by ethers.js from
// docs/protocol.md 8's ABI (tests/interop/ethers/chain_vectors.mjs): every calldata, return value,
// event log, RLP string and signed transaction in that file is reproduced byte for byte here.
// Plus the ABI decoder's refusals of data an endpoint could send.
#include <catch2/catch.hpp>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/chain/abi.hpp"
#include "daemon/chain/pool_codec.hpp"
#include "daemon/chain/quantity.hpp"
#include "daemon/chain/rlp.hpp"
#include "daemon/chain/tx.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "test_vectors.hpp"

using json = nlohmann::json;
using namespace seedd;
using namespace seedd::chain;
using crypto::from_hex;
using crypto::to_hex;

using namespace seedd::test;

namespace {

std::vector<uint8_t> bytes(const json& v) {
  auto parsed = from_hex(v.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

template <size_t N>
std::array<uint8_t, N> fixed(const json& v) {
  auto parsed = crypto::from_hex_fixed<N>(v.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

std::string hex(const std::vector<uint8_t>& b) { return to_hex(b); }

crypto::Receipt receipt_of(const json& m) {
  crypto::Receipt r;
  r.infohash = fixed<20>(m.at("infohash"));
  r.seeder = addr(m.at("seeder"));
  r.leecher = addr(m.at("leecher"));
  r.channel = u64(m.at("channel"));
  r.bytes = u64(m.at("bytes"));
  r.timestamp = u64(m.at("timestamp"));
  return r;
}

crypto::Claim claim_of(const json& m) {
  crypto::Claim c;
  c.claimant = addr(m.at("claimant"));
  c.payout = addr(m.at("payout"));
  c.receipts_root = fixed<32>(m.at("receiptsRoot"));
  c.receipt_count = u64(m.at("receiptCount"));
  c.total_bytes = u64(m.at("totalBytes"));
  c.amount = u256(m.at("amount"));
  c.nonce = u64(m.at("nonce"));
  c.created_at = u64(m.at("createdAt"));
  return c;
}

Log log_of(const json& v) {
  Log log;
  for (const auto& t : v.at("topics")) log.topics.push_back(fixed<32>(t));
  log.data = bytes(v.at("data"));
  return log;
}

std::vector<uint8_t> rlp_of(const json& input) {
  if (input.is_string()) return rlp::encode_bytes(bytes(input));
  std::vector<std::vector<uint8_t>> items;
  for (const auto& i : input) items.push_back(rlp_of(i));
  return rlp::encode_list(items);
}

std::vector<uint8_t> word_bytes(const uint256& v) {
  const auto w = to_word(v);
  return {w.begin(), w.end()};
}

}  // namespace

TEST_CASE("function selectors and event topics equal ethers.js's", "[chain]") {
  for (const auto& [signature, expected] : test_vectors("chain.json").at("selectors").items()) {
    INFO(signature);
    const std::string e = expected.get<std::string>();
    if (e.size() == 10) {
      CHECK(to_hex(abi::selector(signature)) == e);
    } else {
      CHECK(to_hex(abi::event_topic(signature)) == e);
    }
  }
  // The codec's own strings are among them, so a typo in pool_codec.hpp cannot pass.
  const auto& s = test_vectors("chain.json").at("selectors");
  for (auto sig : {pool::kSettleSignature, pool::kFundSignature, pool::kTopUpSignature, pool::kWithdrawSignature,
                   pool::kBountySignature, pool::kTokenSignature, pool::kBountyFundedEvent, pool::kSettledEvent,
                   pool::kItemSkippedEvent, pool::kLastBountyIdSignature, pool::kBountyToppedUpEvent,
                   pool::kBountyWithdrawnEvent, erc20::kApproveSignature, erc20::kAllowanceSignature,
                   erc20::kBalanceOfSignature}) {
    INFO(sig);
    CHECK(s.contains(std::string(sig)));
  }
}

TEST_CASE("settle() calldata for a claim with two items, one with a pass, equals ethers.js's", "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("settle")) {
    INFO(v.at("name").get<std::string>());
    std::vector<pool::SettleItem> items;
    for (const auto& i : v.at("items")) {
      pool::SettleItem item;
      item.receipt = receipt_of(i.at("receipt"));
      item.signature = fixed<65>(i.at("sig"));
      for (const auto& p : i.at("proof")) item.proof.push_back(fixed<32>(p));
      item.bounty_id = u256(i.at("bountyId"));
      item.pass_exp = u64(i.at("passExp"));
      item.pass_sig = bytes(i.at("passSig"));
      items.push_back(item);
    }
    const auto calldata = pool::settle_calldata(claim_of(v.at("claim")), fixed<65>(v.at("claimSig")), items);
    CHECK(hex(calldata) == v.at("calldata").get<std::string>());
  }
}

TEST_CASE("a pass signature that is neither empty nor 65 bytes is refused before encoding", "[chain]") {
  pool::SettleItem item;
  item.pass_sig = std::vector<uint8_t>(64, 1);
  CHECK_THROWS_AS(pool::settle_calldata(crypto::Claim{}, crypto::Signature{}, {item}), abi::AbiError);
}

TEST_CASE("fund, topUp, withdraw, bounty, token and ERC-20 calldata equal ethers.js's", "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("fund")) {
    CHECK(hex(pool::fund_calldata(fixed<20>(v.at("infohash")), u256(v.at("amount")), u256(v.at("ratePerGiB")),
                                  u64(v.at("maxBytesPerLeecher")), addr(v.at("passSigner")), u64(v.at("expiresAt")))) ==
          v.at("calldata").get<std::string>());
  }
  const auto& c = test_vectors("chain.json").at("calls");
  CHECK(hex(pool::top_up_calldata(u256(c["top_up"]["bountyId"]), u256(c["top_up"]["amount"]))) == c["top_up"]["calldata"]);
  CHECK(hex(pool::withdraw_calldata(u256(c["withdraw"]["bountyId"]))) == c["withdraw"]["calldata"]);
  CHECK(hex(pool::bounty_calldata(u256(c["bounty"]["bountyId"]))) == c["bounty"]["calldata"]);
  CHECK(hex(pool::token_calldata()) == c["token"]["calldata"]);
  CHECK(hex(pool::last_bounty_id_calldata()) == c["last_bounty_id"]["calldata"]);
  CHECK(hex(erc20::approve_calldata(addr(c["approve"]["spender"]), u256(c["approve"]["amount"]))) == c["approve"]["calldata"]);
  CHECK(hex(erc20::allowance_calldata(addr(c["allowance"]["owner"]), addr(c["allowance"]["spender"]))) ==
        c["allowance"]["calldata"]);
  CHECK(hex(erc20::balance_of_calldata(addr(c["balance_of"]["owner"]))) == c["balance_of"]["calldata"]);
}

TEST_CASE("bounty(), uint256 and address return data decode as ethers.js encoded them", "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("returns").at("bounty")) {
    const pool::Bounty b = pool::decode_bounty(bytes(v.at("data")));
    CHECK(b.funder == addr(v.at("funder")));
    CHECK(b.infohash == fixed<20>(v.at("infohash")));
    CHECK(b.balance == u256(v.at("balance")));
    CHECK(b.rate_per_gib == u256(v.at("ratePerGiB")));
    CHECK(b.max_bytes_per_leecher == u64(v.at("maxBytesPerLeecher")));
    CHECK(b.pass_signer == addr(v.at("passSigner")));
    CHECK(b.expires_at == u64(v.at("expiresAt")));
  }
  const auto& r = test_vectors("chain.json").at("returns");
  CHECK(pool::decode_uint256(bytes(r["uint256"]["data"])) == u256(r["uint256"]["value"]));
  CHECK(pool::decode_settle_return(bytes(r["uint256"]["data"])) == u256(r["uint256"]["value"]));
  CHECK(pool::decode_address(bytes(r["address"]["data"])) == addr(r["address"]["value"]));
}

TEST_CASE("BountyFunded, Settled and ItemSkipped logs decode as ethers.js encoded them", "[chain]") {
  const auto& logs = test_vectors("chain.json").at("logs");
  for (const auto& v : logs.at("bounty_funded")) {
    const auto e = pool::decode_bounty_funded(log_of(v));
    REQUIRE(e);
    CHECK(e->bounty_id == u256(v.at("bountyId")));
    CHECK(e->infohash == fixed<20>(v.at("infohash")));
    CHECK(e->funder == addr(v.at("funder")));
    CHECK(e->amount == u256(v.at("amount")));
    CHECK(e->rate_per_gib == u256(v.at("ratePerGiB")));
    CHECK(e->max_bytes_per_leecher == u64(v.at("maxBytesPerLeecher")));
    CHECK(e->pass_signer == addr(v.at("passSigner")));
    CHECK(e->expires_at == u64(v.at("expiresAt")));
    CHECK_FALSE(pool::decode_settled(log_of(v)));  // another event's log is not this one
  }
  for (const auto& v : logs.at("settled")) {
    const auto e = pool::decode_settled(log_of(v));
    REQUIRE(e);
    CHECK(e->claimant == addr(v.at("claimant")));
    CHECK(e->nonce == u64(v.at("nonce")));
    CHECK(e->payout == addr(v.at("payout")));
    CHECK(e->paid == u256(v.at("paid")));
    CHECK(e->bytes_paid == u64(v.at("bytesPaid")));
    CHECK(e->items_paid == u64(v.at("itemsPaid")));
    CHECK(e->items_skipped == u64(v.at("itemsSkipped")));
    CHECK_FALSE(pool::decode_item_skipped(log_of(v)));
  }
  for (const auto& v : logs.at("item_skipped")) {
    const auto e = pool::decode_item_skipped(log_of(v));
    REQUIRE(e);
    CHECK(e->claimant == addr(v.at("claimant")));
    CHECK(e->nonce == u64(v.at("nonce")));
    CHECK(e->index == u64(v.at("index")));
    CHECK(e->reason == u64(v.at("reason")));
    CHECK_FALSE(pool::decode_bounty_funded(log_of(v)));
  }
  for (const auto& v : logs.at("bounty_topped_up")) {
    const auto e = pool::decode_bounty_topped_up(log_of(v));
    REQUIRE(e);
    CHECK(e->bounty_id == u256(v.at("bountyId")));
    CHECK(e->from == addr(v.at("from")));
    CHECK(e->amount == u256(v.at("amount")));
    CHECK_FALSE(pool::decode_bounty_withdrawn(log_of(v)));
  }
  for (const auto& v : logs.at("bounty_withdrawn")) {
    const auto e = pool::decode_bounty_withdrawn(log_of(v));
    REQUIRE(e);
    CHECK(e->bounty_id == u256(v.at("bountyId")));
    CHECK(e->funder == addr(v.at("funder")));
    CHECK(e->amount == u256(v.at("amount")));
    CHECK_FALSE(pool::decode_bounty_topped_up(log_of(v)));
  }
  CHECK(pool::skip_reason_name(1) == "proof");
  CHECK(pool::skip_reason_name(7) == "exhausted");
  CHECK(pool::skip_reason_name(8) == "unknown");
}

TEST_CASE("a log of the right event with a topic missing or short data is refused", "[chain]") {
  Log log = log_of(test_vectors("chain.json").at("logs").at("settled").at(0));
  Log fewer = log;
  fewer.topics.pop_back();
  CHECK_THROWS_AS(pool::decode_settled(fewer), abi::AbiError);
  Log shorter = log;
  shorter.data.resize(shorter.data.size() - 1);
  CHECK_THROWS_AS(pool::decode_settled(shorter), abi::AbiError);
  Log high_bits = log;  // the claimant topic of an address with bits above 160
  high_bits.topics[1][0] = 1;
  CHECK_THROWS_AS(pool::decode_settled(high_bits), abi::AbiError);
}

TEST_CASE("revert data gives the contract's reason", "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("revert")) {
    const auto reason = abi::decode_revert_reason(bytes(v.at("data")));
    REQUIRE(reason);
    CHECK(*reason == v.at("reason").get<std::string>());
  }
  CHECK_FALSE(abi::decode_revert_reason(std::vector<uint8_t>{}));
  CHECK_FALSE(abi::decode_revert_reason(std::vector<uint8_t>{0x08, 0xc3, 0x79, 0xa0, 0x00}));  // Error(string), cut short
}

TEST_CASE("RLP strings and lists equal ethers.js's encodeRlp, at every length boundary", "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("rlp")) {
    INFO(v.at("name").get<std::string>());
    CHECK(hex(rlp_of(v.at("input"))) == v.at("encoded").get<std::string>());
  }
  CHECK(hex(rlp::encode_uint(0)) == "0x80");
  CHECK(hex(rlp::encode_uint(127)) == "0x7f");
  CHECK(hex(rlp::encode_uint(128)) == "0x8180");
  CHECK(hex(rlp::encode_uint(1024)) == "0x820400");
}

TEST_CASE("EIP-1559 transactions signed with the node key equal ethers.js's: hash to sign, raw bytes, tx hash",
          "[chain]") {
  for (const auto& v : test_vectors("chain.json").at("transactions")) {
    INFO(v.at("name").get<std::string>());
    const auto& t = v.at("tx");
    Eip1559Tx tx;
    tx.chain_id = u64(t.at("chainId"));
    tx.nonce = u64(t.at("nonce"));
    tx.max_priority_fee_per_gas = u256(t.at("maxPriorityFeePerGas"));
    tx.max_fee_per_gas = u256(t.at("maxFeePerGas"));
    tx.gas_limit = u64(t.at("gasLimit"));
    if (!t.at("to").is_null()) tx.to = addr(t.at("to"));
    tx.value = u256(t.at("value"));
    tx.data = bytes(t.at("data"));

    CHECK(hex(unsigned_payload(tx)) == v.at("unsigned_serialized").get<std::string>());
    CHECK(to_hex(signing_hash(tx)) == v.at("unsigned_hash").get<std::string>());
    const auto key = crypto::PrivateKey::from_hex(v.at("private_key").get<std::string>());
    REQUIRE(key);
    const SignedTx signed_tx = sign_transaction(tx, *key);
    CHECK(hex(signed_tx.raw) == v.at("raw").get<std::string>());
    CHECK(to_hex(signed_tx.hash) == v.at("hash").get<std::string>());
    CHECK(signed_tx.y_parity == v.at("y_parity").get<int>());
    CHECK(signed_tx.from == addr(v.at("from")));
  }
}

TEST_CASE("ABI types parse to their canonical strings and nothing else parses", "[chain]") {
  CHECK(abi::parse_type("uint").canonical() == "uint256");
  CHECK(abi::parse_type("((bytes20,address)[],bytes,string,bool)[][]").canonical() == "((bytes20,address)[],bytes,string,bool)[][]");
  CHECK(abi::parse_type("()").canonical() == "()");
  for (const char* bad : {"int256", "uint7", "uint264", "bytes33", "bytes0", "uint08", "(uint256", "uint256[2]",
                          "(uint256,)", "address ", "", "function"}) {
    INFO(bad);
    CHECK_THROWS_AS(abi::parse_type(bad), abi::AbiError);
  }
  // A signature with spaces or names hashes to another selector: refused instead.
  CHECK_THROWS_AS(abi::selector("transfer(address to,uint256)"), abi::AbiError);
  CHECK_THROWS_AS(abi::selector("transfer(uint)"), abi::AbiError);
}

TEST_CASE("ABI encoding refuses a value that does not fit its type", "[chain]") {
  using abi::Value;
  CHECK_THROWS_AS(abi::encode(abi::parse_type("uint64"), Value::uint(uint256(1) << 64)), abi::AbiError);
  CHECK_NOTHROW(abi::encode(abi::parse_type("uint64"), Value::uint((uint256(1) << 64) - 1)));
  CHECK_THROWS_AS(abi::encode(abi::parse_type("uint8"), Value::uint(256)), abi::AbiError);
  CHECK_THROWS_AS(abi::encode(abi::parse_type("bool"), Value::uint(2)), abi::AbiError);
  CHECK_THROWS_AS(abi::encode(abi::parse_type("bytes20"), Value::bytes(std::vector<uint8_t>(32))), abi::AbiError);
  CHECK_THROWS_AS(abi::encode(abi::parse_type("address"), Value::bytes(std::vector<uint8_t>(19))), abi::AbiError);
  CHECK_THROWS_AS(abi::encode(abi::parse_type("(uint256,uint256)"), Value::list({Value::uint(1)})), abi::AbiError);
  CHECK_THROWS_AS(abi::encode(abi::parse_type("uint256"), Value::bytes(std::vector<uint8_t>(32))), abi::AbiError);
}

TEST_CASE("ABI decoding refuses offsets, lengths and counts beyond the data", "[chain]") {
  using abi::Value;
  const abi::Type items = abi::parse_type("(bytes,bytes32[])");
  const auto good = abi::encode(items, Value::list({Value::bytes(std::vector<uint8_t>{1, 2, 3}),
                                                    Value::list({Value::bytes(std::vector<uint8_t>(32, 7))})}));
  const Value round = abi::decode(items, good);
  CHECK(round[0].as_bytes() == std::vector<uint8_t>{1, 2, 3});
  CHECK(round[1][0].as_bytes() == std::vector<uint8_t>(32, 7));

  // Every truncation is refused, never read past the end.
  for (size_t n = 0; n < good.size(); ++n) {
    INFO(n);
    const std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(abi::decode(items, cut), abi::AbiError);
  }
  auto patched = [&](size_t word, const uint256& value) {
    auto out = good;
    const auto w = to_word(value);
    std::copy(w.begin(), w.end(), out.begin() + static_cast<std::ptrdiff_t>(word * 32));
    return out;
  };
  CHECK_THROWS_AS(abi::decode(items, patched(0, uint256(1) << 200)), abi::AbiError);  // offset of the bytes
  CHECK_THROWS_AS(abi::decode(items, patched(1, good.size())), abi::AbiError);        // offset of the array
  CHECK_THROWS_AS(abi::decode(items, patched(2, 1000)), abi::AbiError);               // length of the bytes
  CHECK_THROWS_AS(abi::decode(items, patched(4, uint256(1) << 60)), abi::AbiError);   // count of the array

  CHECK_THROWS_AS(abi::decode(abi::parse_type("uint32"), word_bytes(uint256(1) << 32)), abi::AbiError);
  CHECK_THROWS_AS(abi::decode(abi::parse_type("bool"), word_bytes(2)), abi::AbiError);
  auto bytes20 = word_bytes(0);
  bytes20[20] = 1;  // padding of a bytes20
  CHECK_THROWS_AS(abi::decode(abi::parse_type("bytes20"), bytes20), abi::AbiError);
}

TEST_CASE("JSON-RPC quantities parse and format as the spec writes them", "[chain]") {
  CHECK(to_quantity(0) == "0x0");
  CHECK(to_quantity(0x1a) == "0x1a");
  CHECK(to_quantity(std::numeric_limits<uint256>::max()) == "0x" + std::string(64, 'f'));
  CHECK(parse_quantity("0x0") == 0);
  CHECK(parse_quantity("0x00ff") == 255);
  CHECK(parse_quantity("0X" + std::string(64, 'F')) == std::numeric_limits<uint256>::max());
  CHECK(parse_quantity_u64("0xffffffffffffffff") == UINT64_MAX);
  for (const char* bad : {"", "0x", "12", "0xg", "-0x1", "0x1 "}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_quantity(bad), ValueError);
  }
  CHECK_THROWS_AS(parse_quantity("0x1" + std::string(64, '0')), ValueError);
  CHECK_THROWS_AS(parse_quantity_u64("0x10000000000000000"), ValueError);
}

TEST_CASE("ABI data whose offsets alias one array many times is refused before it is expanded", "[chain]") {
  // bytes32[][] with 1000 items that all point at one array of 1000 words: 32 KiB of data that
  // would decode to a million values.
  constexpr size_t n = 1000;
  std::vector<uint8_t> data;
  auto put = [&](const uint256& v) {
    const auto w = to_word(v);
    data.insert(data.end(), w.begin(), w.end());
  };
  put(32);  // the outer array's offset
  put(n);   // its count
  for (size_t i = 0; i < n; ++i) put(n * 32);  // every item at the same place, just past the heads
  put(n);
  for (size_t i = 0; i < n; ++i) put(i);
  CHECK_THROWS_WITH(abi::decode(abi::parse_type("bytes32[][]"), data), Catch::Contains("more values than the data holds"));
  // The same shape with each item its own (empty) array decodes.
  const auto fine = abi::encode(abi::parse_type("bytes32[][]"),
                                abi::Value::list(std::vector<abi::Value>(n, abi::Value::list({}))));
  CHECK(abi::decode(abi::parse_type("bytes32[][]"), fine).items().size() == n);
  CHECK(abi::decode(abi::parse_type("()[]"), abi::encode(abi::parse_type("()[]"), abi::Value::list({}))).items().empty());
}

TEST_CASE("mutated settle() calldata decodes or fails with AbiError, never anything else", "[chain]") {
  const auto& v = test_vectors("chain.json").at("settle").at(0);
  const auto calldata = bytes(v.at("calldata"));
  const abi::Type params = abi::parse_signature(pool::kSettleSignature).params;
  const std::vector<uint8_t> body(calldata.begin() + 4, calldata.end());
  // The real thing decodes back to the encoder's bytes.
  CHECK(abi::encode(params, abi::decode(params, body)) == body);

  std::mt19937_64 rng(1307);  // fixed: a failure reproduces
  size_t refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<uint8_t> m = body;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % m.size();
      switch (rng() % 4) {
        case 0: m[at] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;  // a flipped bit
        case 1: m.resize(at); break;                                      // cut short
        case 2: {                                                         // a word set to an edge value
          const size_t word = at / 32 * 32;
          const uint256 values[] = {0, 1, 31, 32, 0xffffffff, std::numeric_limits<uint256>::max(), uint256(m.size())};
          const auto w = to_word(values[rng() % 7]);
          if (word + 32 <= m.size()) std::copy(w.begin(), w.end(), m.begin() + static_cast<std::ptrdiff_t>(word));
          break;
        }
        default: m.insert(m.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng())); break;
      }
      if (m.empty()) m.push_back(0);
    }
    try {
      abi::decode(params, m);
    } catch (const abi::AbiError&) {
      ++refused;
    }
  }
  CHECK(refused > 0);
}
