// Passes (docs/protocol.md 9): the EIP-712 Pass against vectors/pass.json (made with ethers.js), the
// pass document, what a leecher accepts, how the ledger keeps a pass with its channel and puts
// it beside the receipt in a claim, and claim.verify's rule 6.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <fstream>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon/accountant/claim_verify.hpp"
#include "daemon/accountant/claims.hpp"
#include "daemon/accountant/ledger.hpp"
#include "daemon/accountant/ledger_schema.hpp"
#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keccak.hpp"
#include "daemon/crypto/keys.hpp"
#include "scratch_dir.hpp"
#include "test_vectors.hpp"

using json = nlohmann::json;
using namespace seedd::accountant;
using namespace seedd::crypto;
using namespace seedd::test;


namespace {

Pass pass_of(const json& m) {
  return Pass{hex_n<20>(m.at("infohash")), addr(m.at("leecher")), u64(m.at("expiresAt"))};
}

const Domain kDomain = [] {
  Domain d;
  d.chain_id = 31337;
  return d;
}();
constexpr int64_t kNow = 1795305600;
const InfoHash20 kTorrent = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

}  // namespace

TEST_CASE("the Pass type string and type hash are ethers.js's", "[passes]") {
  CHECK(std::string(kPassTypeString) == test_vectors("pass.json").at("type_string").get<std::string>());
  CHECK(pass_type_hash() == hex_n<32>(test_vectors("pass.json").at("type_hash")));
  CHECK(pass_type_hash() == keccak256(kPassTypeString));
}

TEST_CASE("each vector pass's struct hash, digest and signature equal ethers.js's byte for byte", "[passes]") {
  const Domain domain = domain_of(test_vectors("pass.json").at("domain"));
  const auto& passes = test_vectors("pass.json").at("passes");
  REQUIRE(passes.size() >= 4);
  for (const auto& v : passes) {
    const Pass pass = pass_of(v.at("message"));
    CHECK(pass_struct_hash(pass) == hex_n<32>(v.at("struct_hash")));
    CHECK(pass_digest(domain, pass) == hex_n<32>(v.at("digest")));
    const auto key = vector_key(v.at("signer_key").get<size_t>());
    const auto doc = issue_pass(domain, pass, key);
    CHECK(doc.signer == addr(v.at("signer")));
    CHECK(doc.signature == hex_n<65>(v.at("signature")));
    CHECK(recover_pass_signer(domain, pass, hex_n<65>(v.at("signature"))) == addr(v.at("signer")));
  }
}

TEST_CASE("a pass signed for one pool has another digest and recovers another signer in another", "[passes]") {
  const auto& other = test_vectors("pass.json").at("other_domain");
  const Domain domain = domain_of(test_vectors("pass.json").at("domain"));
  const Domain other_domain = domain_of(other.at("domain"));
  const auto& v = test_vectors("pass.json").at("passes").at(0);
  const Pass pass = pass_of(v.at("message"));
  CHECK(pass_digest(other_domain, pass) == hex_n<32>(other.at("digest_of_pass_0")));
  CHECK(pass_digest(other_domain, pass) != pass_digest(domain, pass));
  CHECK(recover_pass_signer(other_domain, pass, hex_n<65>(v.at("signature"))) != addr(v.at("signer")));
}

TEST_CASE("a pass document round-trips through JSON in the documented form", "[passes]") {
  const auto creator = vector_key(2);
  const auto doc = issue_pass(kDomain, Pass{kTorrent, vector_key(1).address(), 1795309200}, creator);
  const json j = pass_to_json(doc);
  CHECK(j.at("infohash") == to_hex(kTorrent));
  CHECK(j.at("leecher") == to_checksum_address(vector_key(1).address()));
  CHECK(j.at("expiresAt") == "1795309200");
  CHECK(j.at("signer") == to_checksum_address(creator.address()));
  CHECK(j.at("signature") == to_hex(doc.signature));
  const auto back = pass_from_json(j);
  CHECK(back.pass.infohash == kTorrent);
  CHECK(back.pass.leecher == vector_key(1).address());
  CHECK(back.pass.expires_at == 1795309200);
  CHECK(back.signer == creator.address());
  CHECK(back.signature == doc.signature);
  json as_number = j;
  as_number["expiresAt"] = 1795309200;
  CHECK(pass_from_json(as_number).pass.expires_at == 1795309200);
}

TEST_CASE("a malformed pass document is refused naming the field", "[passes]") {
  const json good = pass_to_json(issue_pass(kDomain, Pass{kTorrent, vector_key(1).address(), 1795309200}, vector_key(2)));
  auto without = [&](const char* key) {
    json j = good;
    j.erase(key);
    return j;
  };
  auto with = [&](const char* key, json value) {
    json j = good;
    j[key] = std::move(value);
    return j;
  };
  CHECK_THROWS_WITH(pass_from_json(json::array()), Catch::Contains("expected a JSON object"));
  CHECK_THROWS_WITH(pass_from_json(without("signature")), Catch::Contains("pass.signature: missing"));
  CHECK_THROWS_WITH(pass_from_json(with("infohash", "0x1234")), Catch::Contains("pass.infohash"));
  CHECK_THROWS_WITH(pass_from_json(with("leecher", "0xnot-an-address")), Catch::Contains("pass.leecher"));
  CHECK_THROWS_WITH(pass_from_json(with("expiresAt", "-5")), Catch::Contains("pass.expiresAt"));
  CHECK_THROWS_WITH(pass_from_json(with("expiresAt", 1.5)), Catch::Contains("pass.expiresAt"));
  CHECK_THROWS_WITH(pass_from_json(with("signature", "0x00")), Catch::Contains("pass.signature"));
  CHECK_THROWS_AS(pass_from_json(with("signer", 7)), PassFormatError);
}

TEST_CASE("a leecher takes a pass only if it recovers its signer, names it and has not expired", "[passes]") {
  const auto creator = vector_key(2);
  const auto me = vector_key(1).address();
  const auto doc = issue_pass(kDomain, Pass{kTorrent, me, kNow + 3600}, creator);
  CHECK_FALSE(pass_problem(doc, kDomain, me, kNow));
  CHECK_FALSE(pass_problem(doc, kDomain, me, kNow + 3600));  // expiresAt itself still counts

  auto forged = doc;
  forged.pass.expires_at += 1;  // a longer pass than the creator signed
  REQUIRE(pass_problem(forged, kDomain, me, kNow));
  CHECK_THAT(*pass_problem(forged, kDomain, me, kNow), Catch::Contains("not pass.signer"));

  auto other_signer = doc;
  other_signer.signer = vector_key(0).address();
  CHECK_THAT(*pass_problem(other_signer, kDomain, me, kNow), Catch::Contains("not pass.signer"));

  CHECK_THAT(*pass_problem(doc, kDomain, vector_key(0).address(), kNow), Catch::Contains("pass.leecher"));
  CHECK_THAT(*pass_problem(doc, kDomain, me, kNow + 3601), Catch::Contains("pass.expiresAt"));

  Domain other_pool = kDomain;
  other_pool.verifying_contract[19] = 0xaa;
  CHECK_THAT(*pass_problem(doc, other_pool, me, kNow), Catch::Contains("another pool"));

  auto bad_v = doc;
  bad_v.signature[64] = 29;
  CHECK_THAT(*pass_problem(bad_v, kDomain, me, kNow), Catch::Contains("not a valid signature"));
}

namespace {

/// A seeder (vector key 0) with a ledger; leecher 1 shows a pass by the creator (key 2).
struct PassNode {
  explicit PassNode(const std::string& name) : dir(name), ledger(std::make_unique<Ledger>(dir / "ledger.sqlite")) {}

  BookedReceipt booked(const PrivateKey& leecher, uint64_t channel, uint64_t bytes, uint64_t timestamp,
                       std::optional<ChannelPass> pass) const {
    Receipt r{kTorrent, seeder.address(), leecher.address(), channel, bytes, timestamp};
    return {r, leecher.sign(receipt_digest(kDomain, r)), pass};
  }

  ChannelPass pass_for(const PrivateKey& leecher, uint64_t expires_at) const {
    const auto doc = issue_pass(kDomain, Pass{kTorrent, leecher.address(), expires_at}, creator);
    return ChannelPass{expires_at, doc.signature, doc.signer};
  }

  void commit(std::vector<BookedReceipt> receipts, int64_t now = kNow) {
    LedgerBatch batch;
    batch.receipts = std::move(receipts);
    batch.now = now;
    ledger->commit(batch);
  }

  MadeClaim claim() {
    ClaimRequest req;
    req.domain = kDomain;
    req.payout = seeder.address();
    req.created_at = kNow + 10;
    req.default_rate = uint256(1) << 30;
    return ledger->make_claim(req, seeder);
  }

  ScratchDir dir;
  PrivateKey seeder = vector_key(0);
  PrivateKey leecher = vector_key(1);
  PrivateKey creator = vector_key(2);
  std::unique_ptr<Ledger> ledger;
};

/// claim.verify of `doc` fails once: by `rule`, with a detail that names `detail`.
void require_one_failure(const json& doc, const std::string& rule, const std::string& detail) {
  const auto r = verify_claim(doc, kDomain, VerifierState{});
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].rule == rule);
  CHECK_THAT(r.failures[0].detail, Catch::Contains(detail));
}

}  // namespace

TEST_CASE("a claim carries the channel's pass beside its receipt, and claim.verify checks it", "[passes][claims]") {
  PassNode node("pass-claim");
  const auto pass = node.pass_for(node.leecher, kNow + 3600);
  const auto other = vector_key(2);  // a leecher without a pass
  node.commit({node.booked(node.leecher, 7, 1000, kNow, pass), node.booked(other, 8, 500, kNow, std::nullopt)});
  // A later receipt of the channel comes with the same pass (it is the connection's).
  node.commit({node.booked(node.leecher, 7, 3000, kNow + 60, pass)});

  const auto made = node.claim();
  const auto& receipts = made.document.at("receipts");
  REQUIRE(receipts.size() == 2);
  const json& with_pass = receipts[0].at("message").at("leecher") == to_checksum_address(node.leecher.address()) ? receipts[0] : receipts[1];
  const json& without = &with_pass == &receipts[0] ? receipts[1] : receipts[0];
  CHECK(with_pass.at("message").at("bytes") == "3000");
  CHECK(with_pass.at("passExp") == std::to_string(kNow + 3600));
  CHECK(with_pass.at("passSig") == to_hex(pass.signature));
  CHECK(with_pass.at("passSigner") == to_checksum_address(node.creator.address()));
  CHECK_FALSE(without.contains("passExp"));
  CHECK_FALSE(without.contains("passSig"));

  const auto ok = verify_claim(made.document, kDomain, VerifierState{});
  for (const auto& f : ok.failures) UNSCOPED_INFO(f.rule + ": " + f.detail);
  CHECK(ok.valid);

  // Any change to the pass fails rule 6 by its name, and only it.
  auto expect_only_pass = [&](json doc, const std::string& why) {
    const auto r = verify_claim(doc, kDomain, VerifierState{});
    CAPTURE(why);
    REQUIRE_FALSE(r.valid);
    for (const auto& f : r.failures) CHECK(f.rule == "pass");
  };
  const size_t i = &with_pass == &receipts[0] ? 0 : 1;
  json longer = made.document;
  longer["receipts"][i]["passExp"] = std::to_string(kNow + 7200);
  expect_only_pass(longer, "a pass made longer");
  json other_signer = made.document;
  other_signer["receipts"][i]["passSigner"] = to_checksum_address(node.seeder.address());
  expect_only_pass(other_signer, "a pass said to be by another signer");
  json moved = made.document;
  moved["receipts"][1 - i]["passExp"] = with_pass.at("passExp");
  moved["receipts"][1 - i]["passSig"] = with_pass.at("passSig");
  moved["receipts"][1 - i]["passSigner"] = with_pass.at("passSigner");
  expect_only_pass(moved, "a pass put beside another leecher's receipt");

  json half = made.document;
  half["receipts"][i].erase("passSig");
  require_one_failure(half, "malformed", "passSig");
}

TEST_CASE("a receipt signed after its pass expired is claimed without the pass", "[passes][claims]") {
  PassNode node("pass-expired-claim");
  const auto pass = node.pass_for(node.leecher, kNow + 30);
  node.commit({node.booked(node.leecher, 7, 1000, kNow, pass)});
  node.commit({node.booked(node.leecher, 7, 2000, kNow + 31, pass)});
  const auto made = node.claim();
  REQUIRE(made.document.at("receipts").size() == 1);
  CHECK_FALSE(made.document.at("receipts")[0].contains("passExp"));
  CHECK(verify_claim(made.document, kDomain, VerifierState{}).valid);

  // And a claim file that keeps the pass beside it anyway fails rule 6: timestamp > passExp.
  json kept = made.document;
  kept["receipts"][0]["passExp"] = std::to_string(pass.expires_at);
  kept["receipts"][0]["passSig"] = to_hex(pass.signature);
  kept["receipts"][0]["passSigner"] = to_checksum_address(pass.signer);
  require_one_failure(kept, "pass", "does not cover");
}

TEST_CASE("verified bytes split into pass bytes and other receipted bytes", "[passes][ledger]") {
  PassNode node("pass-split");
  const auto other = vector_key(2);
  node.commit({node.booked(node.leecher, 7, 1000, kNow, node.pass_for(node.leecher, kNow + 3600)),
               node.booked(other, 8, 400, kNow, std::nullopt)});
  // After the pass runs out, the channel's new bytes are other receipted bytes.
  node.commit({node.booked(node.leecher, 7, 1500, kNow + 4000, node.pass_for(node.leecher, kNow + 3600))}, kNow + 4000);
  const auto s = node.ledger->summary(0, std::numeric_limits<int64_t>::max(), 0);
  CHECK(s.verified_bytes == 1900);
  CHECK(s.pass_bytes == 1000);
  const auto t = node.ledger->by_torrent(0, std::numeric_limits<int64_t>::max(), 0);
  REQUIRE(t.size() == 1);
  CHECK(t[0].verified_bytes == 1900);
  CHECK(t[0].pass_bytes == 1000);
  const auto rows = node.ledger->receipts(std::nullopt, node.leecher.address(), 0, 10);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].pass);
  CHECK(rows[0].pass->signer == node.creator.address());
  CHECK(rows[0].pass->expires_at == static_cast<uint64_t>(kNow + 3600));
}

TEST_CASE("held passes survive a reopen and a shorter pass of the same signer does not replace a longer", "[passes][ledger]") {
  ScratchDir dir("held-passes");
  const auto me = vector_key(1).address();
  const auto longer = issue_pass(kDomain, Pass{kTorrent, me, kNow + 7200}, vector_key(2));
  const auto shorter = issue_pass(kDomain, Pass{kTorrent, me, kNow + 3600}, vector_key(2));
  const auto by_other = issue_pass(kDomain, Pass{kTorrent, me, kNow + 60}, vector_key(0));
  {
    Ledger ledger(dir / "ledger.sqlite");
    CHECK(ledger.add_pass(shorter, kNow));
    CHECK(ledger.add_pass(longer, kNow + 1));
    CHECK_FALSE(ledger.add_pass(shorter, kNow + 2));
    CHECK(ledger.add_pass(by_other, kNow + 3));
  }
  Ledger reopened(dir / "ledger.sqlite");
  const auto held = reopened.passes();
  REQUIRE(held.size() == 2);
  for (const auto& h : held) {
    if (h.document.signer == vector_key(2).address()) {
      CHECK(h.document.pass.expires_at == static_cast<uint64_t>(kNow + 7200));
      CHECK(h.document.signature == longer.signature);
      CHECK(h.added_at == kNow + 1);
    } else {
      CHECK(h.document.signer == vector_key(0).address());
      CHECK(h.document.signature == by_other.signature);
    }
  }
  InfoHash20 other = kTorrent;
  other[0] = 0xbb;
  CHECK(reopened.passes(other).empty());
  CHECK(reopened.passes(kTorrent).size() == 2);
}

TEST_CASE("a version 1 ledger is migrated to the current schema with its receipts kept", "[passes][ledger]") {
  ScratchDir dir("migrate-v1");
  const auto file = dir / "ledger.sqlite";
  {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, kSchemaV1, nullptr, nullptr, nullptr) == SQLITE_OK);
    const std::string insert =
        "INSERT INTO receipts (leecher, infohash, channel, seeder, bytes, timestamp, signature, created_at, updated_at) "
        "VALUES (zeroblob(20), zeroblob(20), x'0000000000000007', zeroblob(20), 1234, 5, zeroblob(65), 1, 1);"
        "INSERT INTO upload_hourly (hour, infohash, verified_bytes, unverified_bytes) VALUES (0, zeroblob(20), 1234, 9);"
        "PRAGMA user_version = 1;";
    REQUIRE(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  Ledger ledger(file);
  const auto rows = ledger.receipts(std::nullopt, std::nullopt, 0, 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].receipt.bytes == 1234);
  CHECK(rows[0].receipt.channel == 7);
  CHECK_FALSE(rows[0].pass);
  const auto s = ledger.summary(0, std::numeric_limits<int64_t>::max(), 0);
  CHECK(s.verified_bytes == 1234);
  CHECK(s.unverified_bytes == 9);
  CHECK(s.pass_bytes == 0);
  CHECK(ledger.passes().empty());
  CHECK(ledger.add_pass(issue_pass(kDomain, Pass{kTorrent, vector_key(1).address(), kNow}, vector_key(2)), kNow));
}
