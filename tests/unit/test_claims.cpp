// Claims (docs/protocol.md 5-7): built from a real SQLite ledger of receipts signed with the keys of
// vectors/eip712.json, checked against that file's claim, and verified offline, including every
// way a claim file can be tampered with.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/accountant/claim_verify.hpp"
#include "daemon/accountant/claims.hpp"
#include "daemon/accountant/ledger.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"
#include "daemon/util/atomic_file.hpp"
#include "scratch_dir.hpp"
#include "test_vectors.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace seedd::accountant;
using namespace seedd::crypto;

using namespace seedd::test;

namespace {

Receipt vector_receipt(size_t i) {
  const json& m = test_vectors("eip712.json").at("receipts").at(i).at("message");
  return Receipt{hex_n<20>(m.at("infohash")), addr(m.at("seeder")), addr(m.at("leecher")),
                 u64(m.at("channel")),        u64(m.at("bytes")),   u64(m.at("timestamp"))};
}

Claim vector_claim() {
  const json& m = test_vectors("eip712.json").at("claim").at("message");
  return Claim{addr(m.at("claimant")),    addr(m.at("payout")),    hex_n<32>(m.at("receiptsRoot")),
               u64(m.at("receiptCount")), u64(m.at("totalBytes")), u256(m.at("amount")),
               u64(m.at("nonce")),        u64(m.at("createdAt"))};
}


constexpr uint64_t kGiB = uint64_t{1} << 30;
const InfoHash20 kTorrentA = {0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};
const InfoHash20 kTorrentB = {0xbb, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

/// A node (vector key 0) with a ledger, and two leechers (vector keys 1 and 2) that sign
/// receipts in the vector domain.
struct Node {
  explicit Node(const std::string& name)
      : dir(name), ledger(std::make_unique<Ledger>(dir / "ledger.sqlite")) {}

  std::pair<Receipt, Signature> signed_receipt(const PrivateKey& leecher, const InfoHash20& infohash,
                                               uint64_t channel, uint64_t bytes,
                                               uint64_t timestamp = 1795305600,
                                               const Domain* in_domain = nullptr) const {
    Receipt r{infohash, seeder.address(), leecher.address(), channel, bytes, timestamp};
    return {r, leecher.sign(receipt_digest(in_domain ? *in_domain : domain, r))};
  }

  void commit(std::vector<std::pair<Receipt, Signature>> receipts, int64_t now = 1795305600) {
    LedgerBatch batch;
    for (auto& [r, signature] : receipts) batch.receipts.push_back({r, signature});
    batch.now = now;
    ledger->commit(batch);
  }

  ClaimRequest request(bool dry_run = false, int64_t created_at = 1795306000) const {
    ClaimRequest req;
    req.domain = domain;
    req.payout = payout;
    req.created_at = created_at;
    req.default_rate = default_rate;
    req.dry_run = dry_run;
    return req;
  }

  MadeClaim claim(bool dry_run = false, int64_t created_at = 1795306000) {
    return ledger->make_claim(request(dry_run, created_at), seeder);
  }

  ScratchDir dir;
  std::unique_ptr<Ledger> ledger;
  Domain domain = vector_domain();
  PrivateKey seeder = vector_key(0);
  PrivateKey leecher1 = vector_key(1);
  PrivateKey leecher2 = vector_key(2);
  Address payout = vector_key(2).address();
  uint256 default_rate = uint256(1000000000000000000ULL);  // 10^18 base units per GiB
};

std::set<std::string> rules_of(const VerifyResult& result) {
  std::set<std::string> out;
  for (const auto& f : result.failures) out.insert(f.rule);
  return out;
}

std::string describe(const VerifyResult& result) {
  std::string out;
  for (const auto& f : result.failures) out += f.rule + ": " + f.detail + "\n";
  return out;
}

/// Every leaf of a JSON document as a JSON pointer.
void leaves(const json& node, const std::string& path, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) leaves(value, path + "/" + key, out);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) leaves(node[i], path + "/" + std::to_string(i), out);
  } else {
    out.push_back(path);
  }
}

/// A changed value of the same kind: a number +1, a decimal string ±1, an address or hex string
/// with its first byte's low bit flipped (an address re-checksummed), any other string extended.
json changed(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>() + 1;
  const auto text = value.get<std::string>();
  // Down when it can (so 2^64 - 1 stays a uint64), up from 0.
  if (auto number = parse_decimal_u256(text)) return to_decimal(*number == 0 ? 1 : *number - 1);
  if (auto address = parse_address(text); address && text.size() == 42) {
    (*address)[0] ^= 1;
    return to_checksum_address(*address);
  }
  if (auto bytes = from_hex(text); bytes && !bytes->empty() && text.rfind("0x", 0) == 0) {
    (*bytes)[0] ^= 1;
    return to_hex(*bytes);
  }
  return text + "x";
}

/// The rule a change of the field at `pointer` must break (array indices written as '*').
std::string expected_rule(std::string pointer) {
  for (size_t pos = 0; (pos = pointer.find('/', pos)) != std::string::npos; ++pos) {
    const size_t end = pointer.find('/', pos + 1);
    const std::string part = pointer.substr(pos + 1, end == std::string::npos ? end : end - pos - 1);
    if (!part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
      pointer.replace(pos + 1, part.size(), "*");
    }
  }
  static const std::map<std::string, std::string> kRules = {
      {"/version", "malformed"},
      {"/domain/name", "domain"},
      {"/domain/version", "domain"},
      {"/domain/chainId", "domain"},
      {"/domain/verifyingContract", "domain"},
      {"/claim/claimant", "claim_signature"},
      {"/claim/payout", "claim_signature"},
      {"/claim/receiptsRoot", "receipts_root"},
      {"/claim/receiptCount", "receipt_count"},
      {"/claim/totalBytes", "total_bytes"},
      {"/claim/amount", "amount"},
      {"/claim/nonce", "nonce"},
      {"/claim/createdAt", "claim_signature"},
      {"/signature", "claim_signature"},
      {"/receipts/*/message/infohash", "receipt_signature"},
      {"/receipts/*/message/seeder", "seeder_is_claimant"},
      {"/receipts/*/message/leecher", "receipt_signature"},
      {"/receipts/*/message/channel", "receipt_signature"},
      {"/receipts/*/message/bytes", "total_bytes"},
      {"/receipts/*/message/timestamp", "receipt_signature"},
      {"/receipts/*/signature", "receipt_signature"},
      {"/receipts/*/prevClaimedBytes", "prev_claimed_bytes"},
      {"/receipts/*/ratePerGiB", "amount"},
      {"/receipts/*/proof/*", "receipt_proof"},
  };
  const auto it = kRules.find(pointer);
  return it == kRules.end() ? "(no rule for " + pointer + ")" : it->second;
}

// The channels of three_channel_claim; each holds more than a GiB so that a change of 1 in its
// rate changes its amount.
constexpr uint64_t kBytes11 = 3 * kGiB + 12345;
constexpr uint64_t kBytes22 = kGiB + kGiB / 3;
constexpr uint64_t kBytesFF = 2 * kGiB + 1;

/// A ledger with three channels over two torrents and two leechers, claimed once.
MadeClaim three_channel_claim(Node& node) {
  node.ledger->set_reward_rate(kTorrentB, uint256(7) * node.default_rate);
  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 11, kBytes11),
               node.signed_receipt(node.leecher2, kTorrentA, 22, kBytes22),
               node.signed_receipt(node.leecher1, kTorrentB, 0xffffffffffffffffULL, kBytesFF)});
  return node.claim();
}

}  // namespace

TEST_CASE("the claim code path reproduces the vector claim's message, digest and signature",
          "[claims]") {
  const json& v = test_vectors("eip712.json").at("claim");
  const Claim claim = vector_claim();
  CHECK(claim_to_json(claim) == v.at("message"));
  CHECK(to_hex(claim_digest(vector_domain(), claim)) == v.at("digest").get<std::string>());
  CHECK(to_hex(sign_claim(vector_domain(), claim, vector_key(0))) ==
        v.at("signature").get<std::string>());
}

TEST_CASE("the claim code path reproduces the vector receipts' Merkle root and proof",
          "[claims]") {
  std::vector<ClaimEntry> entries;
  for (size_t i = 0; i < test_vectors("eip712.json").at("receipts").size(); ++i) {
    const json& v = test_vectors("eip712.json").at("receipts").at(i);
    CHECK(receipt_to_json(vector_receipt(i)) == v.at("message"));
    entries.push_back(ClaimEntry{vector_receipt(i), hex_n<65>(v.at("signature")), 0, 0});
  }
  const MerkleTree tree = receipts_tree(vector_domain(), entries);
  CHECK(to_hex(tree.root()) == test_vectors("eip712.json").at("merkle").at("root").get<std::string>());
  CHECK(to_hex(tree.root()) ==
        test_vectors("eip712.json").at("claim").at("message").at("receiptsRoot").get<std::string>());
  const json doc =
      claim_document(vector_domain(), vector_claim(),
                     hex_n<65>(test_vectors("eip712.json").at("claim").at("signature")), entries, tree);
  CHECK(doc.at("receipts").at(0).at("proof") == test_vectors("eip712.json").at("merkle").at("proof_of_leaf_0"));
  CHECK(doc.at("claim") == test_vectors("eip712.json").at("claim").at("message"));
  CHECK(doc.at("signature") == test_vectors("eip712.json").at("claim").at("signature"));
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(doc.at("receipts").at(i).at("signature") ==
          test_vectors("eip712.json").at("receipts").at(i).at("signature"));
  }
}

TEST_CASE("the vector claim verifies its signatures and root, and fails its repeated channel "
          "and totals",
          "[claims]") {
  // The vector claim cannot come out of a ledger: receipts[0] and [1] are the same channel (a
  // ledger keeps only the later one), receipts[2] claims 2^64-1 bytes (above what a ledger
  // stores), and its totalBytes and amount are arbitrary. What it does prove: the claim
  // signature, every receipt signature, the root and the proofs check out in the verifier.
  std::vector<ClaimEntry> entries;
  for (size_t i = 0; i < 3; ++i) {
    entries.push_back(ClaimEntry{vector_receipt(i),
                                 hex_n<65>(test_vectors("eip712.json").at("receipts").at(i).at("signature")), 0, 0});
  }
  const json doc = claim_document(vector_domain(), vector_claim(),
                                  hex_n<65>(test_vectors("eip712.json").at("claim").at("signature")), entries,
                                  receipts_tree(vector_domain(), entries));
  const VerifyResult result = verify_claim(doc, vector_domain(), VerifierState{});
  INFO(describe(result));
  CHECK_FALSE(result.valid);
  CHECK(rules_of(result) == std::set<std::string>{"duplicate_receipt", "total_bytes", "amount"});
}

TEST_CASE("a claim of the ledger holding vector receipt 1 carries its signature and root",
          "[claims]") {
  Node node("vector1");
  const json& v = test_vectors("eip712.json").at("receipts").at(1);
  node.commit({{vector_receipt(1), hex_n<65>(v.at("signature"))}});
  const MadeClaim made = node.claim();
  const json& doc = made.document;
  CHECK(made.nonce == 1);
  CHECK(doc.at("version") == 1);
  CHECK(doc.at("domain").at("name") == test_vectors("eip712.json").at("domain").at("name"));
  CHECK(doc.at("domain").at("version") == test_vectors("eip712.json").at("domain").at("version"));
  CHECK(doc.at("domain").at("chainId") == std::to_string(test_vectors("eip712.json").at("domain").at("chainId").get<uint64_t>()));
  CHECK(doc.at("domain").at("verifyingContract") == test_vectors("eip712.json").at("domain").at("verifyingContract"));
  REQUIRE(doc.at("receipts").size() == 1);
  CHECK(doc.at("receipts").at(0).at("message") == v.at("message"));
  CHECK(doc.at("receipts").at(0).at("signature") == v.at("signature"));
  CHECK(doc.at("receipts").at(0).at("prevClaimedBytes") == "0");
  CHECK(doc.at("receipts").at(0).at("ratePerGiB") == to_decimal(node.default_rate));
  CHECK(doc.at("receipts").at(0).at("proof") == json::array());
  // one leaf: the root is the receipt's digest
  CHECK(doc.at("claim").at("receiptsRoot") == v.at("digest"));
  CHECK(doc.at("claim").at("claimant") == test_vectors("eip712.json").at("claim").at("message").at("claimant"));
  CHECK(doc.at("claim").at("payout") == to_checksum_address(node.payout));
  CHECK(doc.at("claim").at("receiptCount") == "1");
  CHECK(doc.at("claim").at("totalBytes") == v.at("message").at("bytes"));
  CHECK(doc.at("claim").at("nonce") == "1");
  CHECK(doc.at("claim").at("createdAt") == "1795306000");
  // 50 MiB at 10^18 per GiB: 50/1024 × 10^18, floored
  CHECK(doc.at("claim").at("amount") ==
        to_decimal(uint256(u64(v.at("message").at("bytes"))) * node.default_rate / kGiB));
  const VerifyResult result = verify_claim(doc, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK(result.valid);
}

TEST_CASE("amounts are floor(delta × rate / 2^30) in uint256, up to the last unit", "[claims]") {
  const uint256 max = std::numeric_limits<uint256>::max();
  CHECK(amount_for(0, max) == 0);
  CHECK(amount_for(kGiB, max) == max);
  CHECK(amount_for(kGiB - 1, 1) == 0);
  CHECK(amount_for(kGiB, 1) == 1);
  CHECK(amount_for(3, uint256(1) << 29) == 1);  // 1.5 -> 1
  // (2^64 - 1) × (2^200 + 3) / 2^30 needs 264 bits midway, 234 at the end
  const uint256 rate = (uint256(1) << 200) + 3;
  const uint64_t all = std::numeric_limits<uint64_t>::max();
  const uint256 expected = ((uint256(all) << 170) + ((uint256(all) * 3) >> 30));
  CHECK(amount_for(all, rate) == expected);
  CHECK_THROWS_AS(amount_for(kGiB + 1, max), std::overflow_error);
}

TEST_CASE("the first claim has nonce 1 and pays every channel's bytes", "[claims]") {
  Node node("first");
  const MadeClaim made = three_channel_claim(node);
  CHECK(made.nonce == 1);
  const json& c = made.document.at("claim");
  CHECK(c.at("nonce") == "1");
  CHECK(c.at("receiptCount") == "3");
  CHECK(c.at("totalBytes") == std::to_string(kBytes11 + kBytes22 + kBytesFF));
  const uint256 rate = node.default_rate;
  const uint256 amount = (uint256(kBytes11) * rate >> 30) +
                         (uint256(kBytes22) * rate >> 30) +
                         (uint256(kBytesFF) * (7 * rate) >> 30);
  CHECK(c.at("amount") == to_decimal(amount));
  CHECK(made.document.at("receipts").at(2).at("ratePerGiB") == to_decimal(7 * rate));

  const VerifyResult result = verify_claim(made.document, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK(result.valid);

  // the ledger now counts everything claimed, and remembers the claim
  const auto s = node.ledger->summary(0, std::numeric_limits<int64_t>::max(), rate);
  CHECK(s.unclaimed_bytes == 0);
  CHECK(s.pending_amount == 0);
  CHECK(s.claimed_bytes == kBytes11 + kBytes22 + kBytesFF);
  CHECK(s.claimed_amount == amount);
  CHECK(node.ledger->summary(0, 1795306000, rate).claimed_amount == 0);  // before createdAt
  CHECK(node.ledger->last_nonce() == 1);
  REQUIRE(node.ledger->claim(1));
  CHECK(*node.ledger->claim(1) == made.document);
  CHECK_FALSE(node.ledger->claim(2));
  const auto per_torrent = node.ledger->by_torrent(0, std::numeric_limits<int64_t>::max(), rate);
  REQUIRE(per_torrent.size() == 2);
  CHECK(per_torrent[0].claimed_bytes == kBytes11 + kBytes22);
  CHECK(per_torrent[1].claimed_bytes == kBytesFF);
  CHECK(per_torrent[1].unclaimed_bytes == 0);

  const auto paid = node.ledger->claimed_per_channel();
  REQUIRE(paid.size() == 3);
  CHECK(paid.at({node.leecher1.address(), kTorrentA, 11}) == kBytes11);
  CHECK(paid.at({node.leecher1.address(), kTorrentB, 0xffffffffffffffffULL}) == kBytesFF);
}

TEST_CASE("the second claim has nonce 2 and pays only bytes received since the first",
          "[claims]") {
  Node node("second");
  const MadeClaim first = three_channel_claim(node);
  // Channel 11 grows, channel 22 does not, a new channel 33 appears.
  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 11, 4 * kGiB),
               node.signed_receipt(node.leecher2, kTorrentA, 22, kBytes22),
               node.signed_receipt(node.leecher2, kTorrentA, 33, 5000)},
              1795309000);
  const MadeClaim second = node.claim(false, 1795310000);
  CHECK(second.nonce == 2);
  const json& doc = second.document;
  CHECK(doc.at("claim").at("nonce") == "2");
  REQUIRE(doc.at("receipts").size() == 2);
  const json& grown = doc.at("receipts").at(0);
  CHECK(grown.at("message").at("channel") == "11");
  CHECK(grown.at("message").at("bytes") == std::to_string(4 * kGiB));
  CHECK(grown.at("prevClaimedBytes") == first.document.at("receipts").at(0).at("message").at("bytes"));
  CHECK(doc.at("receipts").at(1).at("message").at("channel") == "33");
  CHECK(doc.at("receipts").at(1).at("prevClaimedBytes") == "0");
  const uint64_t new_bytes = (4 * kGiB - kBytes11) + 5000;
  CHECK(doc.at("claim").at("totalBytes") == std::to_string(new_bytes));
  CHECK(doc.at("claim").at("amount") ==
        to_decimal((uint256(4 * kGiB - kBytes11) * node.default_rate >> 30) +
                   (uint256(5000) * node.default_rate >> 30)));

  // A verifier that accepted the first claim accepts the second...
  VerifierState state;
  apply_claim(state, first.document);
  CHECK(state.last_nonce == 1);
  VerifyResult result = verify_claim(doc, node.domain, state);
  INFO(describe(result));
  CHECK(result.valid);
  // ...and its state matches the ledger's own record once both are applied.
  apply_claim(state, doc);
  CHECK(state.last_nonce == node.ledger->last_nonce());
  CHECK(state.paid == node.ledger->claimed_per_channel());

  const auto stored = node.ledger->claims(0, 10);
  REQUIRE(stored.size() == 2);
  CHECK(stored[0] == first.document);
  CHECK(stored[1] == doc);
  CHECK(node.ledger->claims(1, 10) == std::vector<json>{doc});
  CHECK(node.ledger->claims(0, 1) == std::vector<json>{first.document});
  // claimed_* of the window of the second claim only
  const auto s = node.ledger->summary(1795310000, 1795310001, node.default_rate);
  CHECK(s.claimed_bytes == new_bytes);
}

TEST_CASE("a replayed nonce and a wrong prevClaimedBytes fail rule 5 by name", "[claims]") {
  Node node("replay");
  const MadeClaim first = three_channel_claim(node);
  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 11, 4 * kGiB)}, 1795309000);
  const MadeClaim second = node.claim();

  VerifierState after_first;
  apply_claim(after_first, first.document);

  // The first claim again, to a verifier that already paid it: both parts of rule 5 fail.
  const VerifyResult replay = verify_claim(first.document, node.domain, after_first);
  INFO(describe(replay));
  CHECK(rules_of(replay) == std::set<std::string>{"nonce", "prev_claimed_bytes"});

  // The second claim to a verifier that never saw the first.
  const VerifyResult unknown = verify_claim(second.document, node.domain, VerifierState{});
  INFO(describe(unknown));
  CHECK(rules_of(unknown) == std::set<std::string>{"nonce", "prev_claimed_bytes"});

  // The right nonce but a verifier that paid a different amount on the channel.
  VerifierState other = after_first;
  other.paid[{node.leecher1.address(), kTorrentA, 11}] += 1;
  const VerifyResult wrong_prev = verify_claim(second.document, node.domain, other);
  INFO(describe(wrong_prev));
  CHECK(rules_of(wrong_prev) == std::set<std::string>{"prev_claimed_bytes"});
  REQUIRE(wrong_prev.failures.size() == 1);
  CHECK_THAT(wrong_prev.failures[0].detail, Catch::Contains("receipts[0].prevClaimedBytes"));

  // A nonce skipped ahead.
  VerifierState ahead;
  ahead.last_nonce = 0;
  const VerifyResult skipped = verify_claim(second.document, node.domain, ahead);
  CHECK(rules_of(skipped).count("nonce") == 1);
}

TEST_CASE("nothing to claim is refused with its own error", "[claims]") {
  Node node("nothing");
  CHECK_THROWS_AS(node.claim(), NothingToClaim);
  CHECK_THROWS_WITH(node.claim(), "nothing to claim");
  CHECK_THROWS_AS(node.claim(true), NothingToClaim);

  three_channel_claim(node);
  // Everything is claimed now; a receipt that adds nothing changes nothing.
  node.commit({node.signed_receipt(node.leecher2, kTorrentA, 22, kBytes22)});
  CHECK_THROWS_AS(node.claim(), NothingToClaim);
  CHECK(node.ledger->last_nonce() == 1);
}

TEST_CASE("receipts made for another pool or another seeder are left out of a claim",
          "[claims]") {
  Node node("foreign");
  const Domain other_pool{1, node.payout};
  auto foreign_domain = node.signed_receipt(node.leecher1, kTorrentA, 1, 1000, 1795305600, &other_pool);
  auto foreign_seeder = node.signed_receipt(node.leecher1, kTorrentA, 2, 1000);
  foreign_seeder.first.seeder = node.leecher2.address();
  foreign_seeder.second = node.leecher1.sign(receipt_digest(node.domain, foreign_seeder.first));
  node.commit({foreign_domain, foreign_seeder});
  CHECK_THROWS_AS(node.claim(), NothingToClaim);

  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 3, 1000)});
  const MadeClaim made = node.claim();
  REQUIRE(made.document.at("receipts").size() == 1);
  CHECK(made.document.at("receipts").at(0).at("message").at("channel") == "3");
  CHECK(verify_claim(made.document, node.domain, VerifierState{}).valid);
  // the two stay unclaimed, still counted as pending bytes
  CHECK(node.ledger->summary(0, std::numeric_limits<int64_t>::max(), 0).unclaimed_bytes == 2000);
}

TEST_CASE("a dry run returns the claim that would be made and writes nothing", "[claims]") {
  Node node("dry");
  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 11, 3 * kGiB),
               node.signed_receipt(node.leecher2, kTorrentB, 22, 12345)});
  const MadeClaim dry = node.claim(true);
  CHECK(dry.nonce == 1);
  CHECK(verify_claim(dry.document, node.domain, VerifierState{}).valid);
  CHECK(node.ledger->last_nonce() == 0);
  CHECK(node.ledger->claims(0, 10).empty());
  CHECK(node.ledger->claimed_per_channel().empty());
  CHECK(node.ledger->summary(0, std::numeric_limits<int64_t>::max(), 0).unclaimed_bytes ==
        3 * kGiB + 12345);
  node.ledger->write_missing_claim_files(node.dir / "claims");
  CHECK(fs::is_empty(node.dir / "claims"));

  // A second dry run is the same claim, and so is the real one (signatures are deterministic):
  // the nonce was not used up.
  CHECK(node.claim(true).document == dry.document);
  const MadeClaim real = node.claim(false);
  CHECK(real.nonce == 1);
  CHECK(real.document == dry.document);
}

TEST_CASE("write_missing_claim_files restores a deleted or altered claim file", "[claims]") {
  Node node("files");
  const fs::path claims_dir = node.dir / "claims";
  const MadeClaim first = three_channel_claim(node);
  node.commit({node.signed_receipt(node.leecher2, kTorrentA, 44, 77)});
  const MadeClaim second = node.claim();
  // As after a kill -9 between the commit and the file write: the ledger has the claims, the
  // directory has none. A restarted daemon opens the ledger again and heals.
  node.ledger.reset();
  node.ledger = std::make_unique<Ledger>(node.dir / "ledger.sqlite");
  node.ledger->write_missing_claim_files(claims_dir);
  const fs::path one = claims_dir / "1.json";
  const fs::path two = claims_dir / "2.json";
  REQUIRE(fs::exists(one));
  REQUIRE(fs::exists(two));
  CHECK(json::parse(*seedd::util::read_file(one)) == first.document);
  CHECK(*seedd::util::read_file(two) == claim_file_text(second.document));
  struct stat st {};
  REQUIRE(::stat(one.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);

  fs::remove(one);
  seedd::util::write_file_atomic(two, "{}");  // a damaged claim file
  node.ledger->write_missing_claim_files(claims_dir);
  CHECK(*seedd::util::read_file(one) == claim_file_text(first.document));
  CHECK(*seedd::util::read_file(two) == claim_file_text(second.document));
  // No stray temp files are left behind.
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(claims_dir)) {
    (void)entry;
    ++files;
  }
  CHECK(files == 2);
}

TEST_CASE("tidy_claims_dir removes interrupted writes and moves unrecorded claim files aside",
          "[claims]") {
  Node node("tidy");
  const fs::path claims_dir = node.dir / "claims";
  CHECK(node.ledger->tidy_claims_dir(claims_dir).empty());  // no directory yet: nothing to do
  const MadeClaim first = three_channel_claim(node);
  node.ledger->write_missing_claim_files(claims_dir);
  const auto write = [](const fs::path& path, const std::string& text) { seedd::util::write_file_atomic(path, text); };
  // What a kill -9 inside write_file_atomic leaves, a claim file of a nonce the ledger does not
  // hold (twice over the runs: an earlier orphan of nonce 2 is kept), and files that are none
  // of the daemon's business.
  write(claims_dir / "2.json.tmp.123456", "{\"version\": 1, \"cla");
  write(claims_dir / "2.json", claim_file_text(first.document));
  fs::create_directories(claims_dir / "orphaned");
  write(claims_dir / "orphaned" / "2.json", "earlier");
  write(claims_dir / "notes.txt", "mine");
  write(claims_dir / "02.json", "not a nonce of ours");

  auto touched = node.ledger->tidy_claims_dir(claims_dir);
  std::sort(touched.begin(), touched.end());
  CHECK(touched == std::vector<std::string>{"2.json", "2.json.tmp.123456"});
  CHECK_FALSE(fs::exists(claims_dir / "2.json.tmp.123456"));
  CHECK_FALSE(fs::exists(claims_dir / "2.json"));
  CHECK(*seedd::util::read_file(claims_dir / "orphaned" / "2.json") == "earlier");
  CHECK(*seedd::util::read_file(claims_dir / "orphaned" / "2.json.1") ==
        claim_file_text(first.document));
  CHECK(*seedd::util::read_file(claims_dir / "1.json") == claim_file_text(first.document));
  CHECK(fs::exists(claims_dir / "notes.txt"));
  CHECK(fs::exists(claims_dir / "02.json"));
  CHECK(node.ledger->tidy_claims_dir(claims_dir).empty());

  // The next claim takes nonce 2 and its own file.
  node.commit({node.signed_receipt(node.leecher2, kTorrentA, 44, 77)});
  const MadeClaim second = node.claim();
  CHECK(second.nonce == 2);
  node.ledger->write_missing_claim_files(claims_dir);
  CHECK(*seedd::util::read_file(claims_dir / "2.json") == claim_file_text(second.document));
}

TEST_CASE("verifier_state is the ledger's record of its claims before a nonce", "[claims]") {
  Node node("record");
  CHECK_FALSE(node.ledger->verifier_state().last_nonce.has_value());
  CHECK(node.ledger->verifier_state().paid.empty());
  const MadeClaim first = three_channel_claim(node);
  node.commit({node.signed_receipt(node.leecher1, kTorrentA, 11, 4 * kGiB),
               node.signed_receipt(node.leecher2, kTorrentA, 33, 5000)},
              1795309000);
  const MadeClaim second = node.claim();

  VerifierState after_first;
  apply_claim(after_first, first.document);
  VerifierState after_second = after_first;
  apply_claim(after_second, second.document);

  const VerifierState before_first = node.ledger->verifier_state(1);
  CHECK_FALSE(before_first.last_nonce.has_value());
  CHECK(before_first.paid.empty());
  const VerifierState before_second = node.ledger->verifier_state(2);
  CHECK(before_second.last_nonce == after_first.last_nonce);
  CHECK(before_second.paid == after_first.paid);
  const VerifierState all = node.ledger->verifier_state();
  CHECK(all.last_nonce == 2);
  CHECK(all.paid == after_second.paid);
  CHECK(all.paid == node.ledger->claimed_per_channel());
  CHECK(node.ledger->verifier_state(std::numeric_limits<uint64_t>::max()).paid == all.paid);

  // Each claim is valid against the record before it, and a replay against the whole record.
  CHECK(verify_claim(first.document, node.domain, before_first).valid);
  CHECK(verify_claim(second.document, node.domain, before_second).valid);
  CHECK(rules_of(verify_claim(first.document, node.domain, all)) ==
        std::set<std::string>{"nonce", "prev_claimed_bytes"});
}

TEST_CASE("changing any field of a claim file fails the rule that field belongs to",
          "[claims]") {
  Node node("tamper");
  const MadeClaim made = three_channel_claim(node);
  REQUIRE(verify_claim(made.document, node.domain, VerifierState{}).valid);

  std::vector<std::string> pointers;
  leaves(made.document, "", pointers);
  // version, 4 domain, 8 claim, signature, 3 × (6 message + signature + prev + rate + proof)
  REQUIRE(pointers.size() >= 1 + 4 + 8 + 1 + 3 * 10);
  for (const std::string& pointer : pointers) {
    json tampered = made.document;
    const json::json_pointer at(pointer);
    tampered[at] = changed(made.document[at]);
    REQUIRE(tampered != made.document);
    const VerifyResult result = verify_claim(tampered, node.domain, VerifierState{});
    const std::string rule = expected_rule(pointer);
    INFO(pointer << ": " << made.document[at] << " -> " << tampered[at] << "\n" << describe(result));
    CHECK_FALSE(result.valid);
    CHECK(rules_of(result).count(rule) == 1);
    // Every claim field is signed: changing one also breaks the claim signature.
    if (pointer.rfind("/claim/", 0) == 0) CHECK(rules_of(result).count("claim_signature") == 1);
  }
}

TEST_CASE("a receipt whose bytes are below its prevClaimedBytes fails its own rule",
          "[claims]") {
  Node node("below");
  const MadeClaim made = three_channel_claim(node);
  json tampered = made.document;
  tampered["receipts"][1]["prevClaimedBytes"] = std::to_string(kBytes22 + 1);
  const VerifyResult result = verify_claim(tampered, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK(rules_of(result).count("bytes_below_prev_claimed") == 1);
  CHECK(rules_of(result).count("prev_claimed_bytes") == 1);
}

TEST_CASE("a receipt that appears twice fails duplicate_receipt even in a well-signed claim",
          "[claims]") {
  Node node("duplicate");
  const auto a = node.signed_receipt(node.leecher1, kTorrentA, 11, 5000);
  const auto b = node.signed_receipt(node.leecher2, kTorrentA, 22, 6000);
  const std::vector<ClaimEntry> entries = {ClaimEntry{a.first, a.second, 0, node.default_rate},
                                           ClaimEntry{b.first, b.second, 0, node.default_rate},
                                           ClaimEntry{a.first, a.second, 0, node.default_rate}};
  const MadeClaim made = build_claim(node.domain, entries, node.payout, 1, 1795306000, node.seeder);
  const VerifyResult result = verify_claim(made.document, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK(rules_of(result) == std::set<std::string>{"duplicate_receipt"});
  REQUIRE(result.failures.size() == 1);
  CHECK_THAT(result.failures[0].detail, Catch::Contains("receipts[2]"));
  CHECK_THAT(result.failures[0].detail, Catch::Contains("receipts[0]"));

  // The same channel with a different count is the same channel.
  const auto a_later = node.signed_receipt(node.leecher1, kTorrentA, 11, 9000);
  const std::vector<ClaimEntry> twice = {ClaimEntry{a.first, a.second, 0, 0},
                                         ClaimEntry{a_later.first, a_later.second, 0, 0}};
  const MadeClaim made_twice = build_claim(node.domain, twice, node.payout, 1, 1795306000, node.seeder);
  CHECK(rules_of(verify_claim(made_twice.document, node.domain, VerifierState{})) ==
        std::set<std::string>{"duplicate_receipt"});
}

TEST_CASE("receipts of the claimant itself, of another seeder or on channel 0 fail rule 2",
          "[claims]") {
  Node node("rule2");
  // A well-signed claim whose only fault is in the receipt named by each section.
  std::pair<Receipt, Signature> receipt;
  std::string rule;
  SECTION("the leecher is the seeder") {
    receipt = node.signed_receipt(node.seeder, kTorrentA, 11, 5000);
    rule = "leecher_is_seeder";
  }
  SECTION("the seeder is not the claimant") {
    receipt = node.signed_receipt(node.leecher1, kTorrentA, 11, 5000);
    receipt.first.seeder = node.leecher2.address();
    receipt.second = node.leecher1.sign(receipt_digest(node.domain, receipt.first));
    rule = "seeder_is_claimant";
  }
  SECTION("the channel is 0") {
    receipt = node.signed_receipt(node.leecher1, kTorrentA, 0, 5000);
    rule = "zero_channel";
  }
  SECTION("the signature is by someone else") {
    receipt = node.signed_receipt(node.leecher1, kTorrentA, 11, 5000);
    receipt.second = node.leecher2.sign(receipt_digest(node.domain, receipt.first));
    rule = "receipt_signature";
  }
  const std::vector<ClaimEntry> entries = {ClaimEntry{receipt.first, receipt.second, 0, 0}};
  const MadeClaim made = build_claim(node.domain, entries, node.payout, 1, 1795306000, node.seeder);
  const VerifyResult result = verify_claim(made.document, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK(rules_of(result) == std::set<std::string>{rule});
  REQUIRE_FALSE(result.failures.empty());
  CHECK_THAT(result.failures[0].detail, Catch::Contains("receipts[0]"));
}

TEST_CASE("a claim for another pool fails only the domain rule", "[claims]") {
  Node node("pool");
  const MadeClaim made = three_channel_claim(node);
  Domain verifier = node.domain;
  verifier.chain_id = 1;
  const VerifyResult result = verify_claim(made.document, verifier, VerifierState{});
  INFO(describe(result));
  CHECK(rules_of(result) == std::set<std::string>{"domain"});
  CHECK_THAT(result.failures.at(0).detail, Catch::Contains("chainId"));
  // ethers.js writes chainId as a JSON number: the same claim then verifies unchanged.
  json numeric = made.document;
  numeric["domain"]["chainId"] = node.domain.chain_id;
  CHECK(verify_claim(numeric, node.domain, VerifierState{}).valid);
}

TEST_CASE("a malformed claim file reports each bad field and still checks the rest",
          "[claims]") {
  Node node("malformed");
  const MadeClaim made = three_channel_claim(node);

  CHECK(rules_of(verify_claim(json::array(), node.domain, VerifierState{})) ==
        std::set<std::string>{"malformed"});
  CHECK_FALSE(verify_claim(json::object(), node.domain, VerifierState{}).valid);

  json doc = made.document;
  doc["claim"].erase("payout");
  doc["receipts"][1]["message"]["bytes"] = 5;                 // a number, not a decimal string
  doc["receipts"][2]["ratePerGiB"] = "12e3";                   // not a decimal
  doc["receipts"][0]["signature"] = made.document["receipts"][1]["signature"];  // another's
  const VerifyResult result = verify_claim(doc, node.domain, VerifierState{});
  INFO(describe(result));
  CHECK_FALSE(result.valid);
  std::vector<std::string> malformed;
  for (const auto& f : result.failures) {
    if (f.rule == "malformed") malformed.push_back(f.detail);
  }
  REQUIRE(malformed.size() == 3);
  CHECK_THAT(malformed[0], Catch::Contains("claim.payout"));
  CHECK_THAT(malformed[1], Catch::Contains("receipts[1].message.bytes"));
  CHECK_THAT(malformed[2], Catch::Contains("receipts[2].ratePerGiB"));
  // What could still be checked was checked.
  CHECK(rules_of(result).count("receipt_signature") == 1);
  CHECK(rules_of(result).count("receipt_count") == 0);

  json wrong_version = made.document;
  wrong_version["version"] = "1";
  CHECK(rules_of(verify_claim(wrong_version, node.domain, VerifierState{})) ==
        std::set<std::string>{"malformed"});
  json bad_hex = made.document;
  bad_hex["claim"]["receiptsRoot"] = "0x" + std::string(64, 'g');
  CHECK(rules_of(verify_claim(bad_hex, node.domain, VerifierState{})).count("malformed") == 1);
  json short_sig = made.document;
  short_sig["signature"] = "0x1234";
  CHECK(rules_of(verify_claim(short_sig, node.domain, VerifierState{})) ==
        std::set<std::string>{"claim_signature"});
}

TEST_CASE("a verifier state file round-trips and a bad one is refused by field", "[claims]") {
  Node node("state");
  const MadeClaim made = three_channel_claim(node);
  VerifierState state;
  CHECK(to_json(state) == json{{"last_nonce", nullptr}, {"paid", json::array()}});
  apply_claim(state, made.document);
  const json file = to_json(state);
  CHECK(file.at("last_nonce") == "1");
  REQUIRE(file.at("paid").size() == 3);
  CHECK(file.at("paid").at(0).at("bytes").is_string());
  const VerifierState back = verifier_state_from_json(file);
  CHECK(back.last_nonce == state.last_nonce);
  CHECK(back.paid == state.paid);
  CHECK(back.paid == node.ledger->claimed_per_channel());
  CHECK_FALSE(verifier_state_from_json(json::object()).last_nonce);

  json bad = file;
  bad["paid"][1]["channel"] = "-1";
  CHECK_THROWS_WITH(verifier_state_from_json(bad), Catch::Contains("paid[1].channel"));
  json repeated = file;
  repeated["paid"].push_back(file["paid"][0]);
  CHECK_THROWS_AS(verifier_state_from_json(repeated), std::invalid_argument);
  json bad_nonce = file;
  bad_nonce["last_nonce"] = 1;
  CHECK_THROWS_WITH(verifier_state_from_json(bad_nonce), Catch::Contains("last_nonce"));

  // apply_claim refuses a malformed claim and leaves the state untouched.
  json broken = made.document;
  broken["receipts"][2]["message"]["leecher"] = "nope";
  VerifierState untouched;
  CHECK_THROWS_AS(apply_claim(untouched, broken), std::invalid_argument);
  CHECK_FALSE(untouched.last_nonce);
  CHECK(untouched.paid.empty());
}
