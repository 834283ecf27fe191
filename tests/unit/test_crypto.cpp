// The crypto layer against vectors/eip712.json (made with ethers.js and
// @openzeppelin/merkle-tree): every value in that file is reproduced here, so a seedd receipt or
// claim checks out with standard Ethereum tools.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keccak.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"
#include "daemon/crypto/node_key.hpp"
#include "daemon/crypto/types.hpp"
#include "daemon/util/atomic_file.hpp"
#include "scratch_dir.hpp"
#include "test_vectors.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;
using namespace seedd::crypto;

using namespace seedd::test;

namespace {

Bytes32 b32(const json& value) { return hex_n<32>(value); }
Signature sig65(const json& value) { return hex_n<65>(value); }

Receipt receipt_from(const json& m) {
  return Receipt{hex_n<20>(m.at("infohash")), addr(m.at("seeder")), addr(m.at("leecher")),
                 u64(m.at("channel")),        u64(m.at("bytes")),   u64(m.at("timestamp"))};
}

Claim claim_from(const json& m) {
  auto amount = parse_decimal_u256(m.at("amount").get<std::string>());
  REQUIRE(amount);
  return Claim{addr(m.at("claimant")),    addr(m.at("payout")),    b32(m.at("receiptsRoot")),
               u64(m.at("receiptCount")), u64(m.at("totalBytes")), *amount,
               u64(m.at("nonce")),        u64(m.at("createdAt"))};
}

// The vectors' key whose address is `who`.
PrivateKey key_of(const Address& who) {
  for (const auto& k : test_vectors("eip712.json").at("keys")) {
    if (addr(k.at("address")) == who) {
      auto key = PrivateKey::from_hex(k.at("private_key").get<std::string>());
      REQUIRE(key);
      return *key;
    }
  }
  FAIL("no key in the vectors for " << to_checksum_address(who));
  throw std::logic_error("unreachable");
}

// secp256k1 group order: a curve parameter, not an expected answer.
const uint256 kCurveOrder("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

uint256 to_u256(std::span<const uint8_t> be) {
  uint256 v = 0;
  for (uint8_t b : be) v = (v << 8) | b;
  return v;
}

void put_u256(const uint256& v, uint8_t* out) {
  for (int i = 0; i < 32; ++i)
    out[31 - i] = static_cast<uint8_t>(static_cast<unsigned>((v >> (8 * i)) & 0xff));
}

// The other half of the malleable pair: (r, n-s) with the recovery id flipped. Mathematically a
// valid signature of the same key, which is exactly why it must be refused.
Signature malleate(const Signature& sig) {
  Signature out = sig;
  const uint256 s = to_u256(std::span<const uint8_t>(sig.data() + 32, 32));
  put_u256(kCurveOrder - s, out.data() + 32);
  out[64] = sig[64] == 27 ? 28 : 27;
  return out;
}


unsigned file_mode(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

std::string exception_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// keccak256 and text forms

TEST_CASE("keccak256 is Ethereum's original Keccak, not NIST SHA3", "[crypto]") {
  // The check docs/protocol.md section 1 gives.
  const std::string empty = to_hex(keccak256(std::string_view{}));
  CHECK(empty.substr(0, 6) == "0xc5d2");
  CHECK(empty.substr(empty.size() - 4) == "a470");

  const json& cases = test_vectors("eip712.json").at("keccak256");
  REQUIRE(cases.size() >= 2);
  for (const auto& [name, expected] : cases.items()) {
    const std::string input = name == "empty" ? std::string{} : name;
    INFO("keccak256(\"" << input << "\")");
    CHECK(keccak256(input) == b32(expected));
    CHECK(keccak256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(input.data()),
                                             input.size())) == b32(expected));
  }
}

TEST_CASE("hex round-trips in lowercase and rejects odd lengths and stray characters", "[crypto]") {
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0xab, 0xff};
  CHECK(to_hex(bytes) == "0x0001abff");
  CHECK(to_hex(bytes, false) == "0001abff");
  CHECK(from_hex("0x0001abff") == bytes);
  CHECK(from_hex("0X0001ABFF") == bytes);
  CHECK(from_hex("0001AbFf") == bytes);
  CHECK(from_hex("0x")->empty());
  CHECK_FALSE(from_hex("0x0001abf"));
  CHECK_FALSE(from_hex("0x0001abfg"));
  CHECK_FALSE(from_hex("0x 001abff"));
  CHECK_FALSE(from_hex("00x1"));

  CHECK(from_hex_fixed<4>("0x0001abff"));
  CHECK_FALSE(from_hex_fixed<4>("0x0001ab"));
  CHECK_FALSE(from_hex_fixed<4>("0x0001abff00"));
}

TEST_CASE("decimal amounts parse up to 2^256-1 and no further", "[crypto]") {
  namespace mp = boost::multiprecision;
  const std::string max_text = ((mp::cpp_int(1) << 256) - 1).str();
  CHECK(to_decimal(std::numeric_limits<uint256>::max()) == max_text);
  CHECK(parse_decimal_u256(max_text) == std::numeric_limits<uint256>::max());
  CHECK_FALSE(parse_decimal_u256((mp::cpp_int(1) << 256).str()));
  CHECK_FALSE(parse_decimal_u256(max_text + "0"));
  CHECK(parse_decimal_u256("0") == uint256(0));
  CHECK(parse_decimal_u256("000" + max_text) == std::numeric_limits<uint256>::max());
  for (const char* bad : {"", "+1", "-1", " 1", "1 ", "1a", "0x10", "1.5", "1e3"}) {
    INFO(bad);
    CHECK_FALSE(parse_decimal_u256(bad));
    CHECK_FALSE(parse_decimal_u64(bad));
  }

  const std::string u64_max = std::to_string(std::numeric_limits<uint64_t>::max());
  CHECK(parse_decimal_u64(u64_max) == std::numeric_limits<uint64_t>::max());
  CHECK_FALSE(parse_decimal_u64((mp::cpp_int(std::numeric_limits<uint64_t>::max()) + 1).str()));

  // The claim's amount does not fit in 64 bits; it must survive the round trip exactly.
  const std::string amount = test_vectors("eip712.json").at("claim").at("message").at("amount").get<std::string>();
  REQUIRE(parse_decimal_u256(amount));
  CHECK(to_decimal(*parse_decimal_u256(amount)) == amount);
  CHECK_FALSE(parse_decimal_u64(amount));
}

TEST_CASE("uint256 arithmetic throws on overflow instead of wrapping", "[crypto]") {
  const uint256 max = std::numeric_limits<uint256>::max();
  CHECK_THROWS_AS(uint256(max + 1), std::overflow_error);
  CHECK_THROWS_AS(uint256(uint256(0) - 1), std::range_error);
}

// ---------------------------------------------------------------------------------------------
// keys and addresses

TEST_CASE("each vector key derives ethers.js's public keys and checksummed address", "[crypto]") {
  const json& keys = test_vectors("eip712.json").at("keys");
  REQUIRE_FALSE(keys.empty());
  for (const auto& k : keys) {
    INFO(k.at("address").get<std::string>());
    auto key = PrivateKey::from_hex(k.at("private_key").get<std::string>());
    REQUIRE(key);
    CHECK("0x" + key->to_hex() == k.at("private_key").get<std::string>());

    const auto pub = key->public_key_uncompressed();
    CHECK(to_hex(pub) == k.at("public_key").get<std::string>());
    // Compressed form: parity of Y in the prefix, then X.
    std::vector<uint8_t> compressed(pub.begin(), pub.begin() + 33);
    compressed[0] = (pub[64] & 1) ? 0x03 : 0x02;
    CHECK(to_hex(compressed) == k.at("compressed_public_key").get<std::string>());

    CHECK(key->address() == address_from_public_key(pub));
    CHECK(to_checksum_address(key->address()) == k.at("address").get<std::string>());
  }
}

TEST_CASE("a private key must be 32 bytes of a valid secp256k1 scalar", "[crypto]") {
  CHECK_FALSE(PrivateKey::from_hex(std::string(64, '0')));
  std::array<uint8_t, 32> order{};
  put_u256(kCurveOrder, order.data());
  CHECK_FALSE(PrivateKey::from_hex(to_hex(order)));
  CHECK_FALSE(PrivateKey::from_hex(std::string(62, '1')));
  CHECK_FALSE(PrivateKey::from_hex(std::string(66, '1')));
  CHECK_FALSE(PrivateKey::from_hex(std::string(63, '1') + "g"));
  CHECK(PrivateKey::from_hex(std::string(64, '1')));
}

TEST_CASE("generated keys are distinct and sign what they recover to", "[crypto]") {
  const PrivateKey a = PrivateKey::generate();
  const PrivateKey b = PrivateKey::generate();
  CHECK(a.to_hex() != b.to_hex());
  CHECK(a.to_hex().size() == 64);
  const Bytes32 digest = keccak256(std::string_view("seedd"));
  CHECK(recover_signer(digest, a.sign(digest)) == a.address());
  CHECK(recover_signer(digest, b.sign(digest)) == b.address());
  CHECK(a.sign(digest) == a.sign(digest));  // RFC 6979: deterministic
}

TEST_CASE("addresses parse in lower, upper and correct EIP-55 case only", "[crypto]") {
  for (const auto& k : test_vectors("eip712.json").at("keys")) {
    const std::string checksummed = k.at("address").get<std::string>();
    INFO(checksummed);
    const auto expected = parse_address(checksummed);
    REQUIRE(expected);
    CHECK(to_checksum_address(*expected) == checksummed);

    std::string lower = checksummed, upper = checksummed;
    std::transform(lower.begin() + 2, lower.end(), lower.begin() + 2, ::tolower);
    std::transform(upper.begin() + 2, upper.end(), upper.begin() + 2, ::toupper);
    CHECK(parse_address(lower) == expected);
    CHECK(parse_address(upper) == expected);

    // Flip the case of one letter: still mixed case, but no longer the checksum.
    std::string typo = checksummed;
    const auto letter = std::find_if(typo.begin() + 2, typo.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c));
    });
    REQUIRE(letter != typo.end());
    *letter = std::isupper(static_cast<unsigned char>(*letter)) ? std::tolower(*letter)
                                                                : std::toupper(*letter);
    if (typo.find_first_of("abcdef", 2) != std::string::npos &&
        typo.find_first_of("ABCDEF", 2) != std::string::npos) {
      CHECK_FALSE(parse_address(typo));
    }

    CHECK_FALSE(parse_address(lower.substr(2)));      // no 0x
    CHECK_FALSE(parse_address(lower.substr(0, 41)));  // 39 digits
    CHECK_FALSE(parse_address(lower + "0"));          // 41 digits
    CHECK_FALSE(parse_address("0x" + std::string(39, '0') + "g"));
  }
}

// ---------------------------------------------------------------------------------------------
// EIP-712

TEST_CASE("the type strings and type hashes are ethers.js's", "[crypto]") {
  const json& v = test_vectors("eip712.json");
  CHECK(v.at("type_strings").at("Receipt").get<std::string>() == kReceiptTypeString);
  CHECK(v.at("type_strings").at("Claim").get<std::string>() == kClaimTypeString);
  CHECK(receipt_type_hash() == b32(v.at("type_hashes").at("Receipt")));
  CHECK(claim_type_hash() == b32(v.at("type_hashes").at("Claim")));
}

TEST_CASE("the domain separator is ethers.js's and depends on chain and pool", "[crypto]") {
  const Domain domain = vector_domain();
  CHECK(domain_separator(domain) == b32(test_vectors("eip712.json").at("domain_separator")));

  Domain other_chain = domain;
  other_chain.chain_id += 1;
  Domain other_pool = domain;
  other_pool.verifying_contract[19] ^= 1;
  CHECK(domain_separator(other_chain) != domain_separator(domain));
  CHECK(domain_separator(other_pool) != domain_separator(domain));
  CHECK(domain_separator(Domain{}) != domain_separator(domain));
  CHECK(domain_separator(domain) == b32(test_vectors("eip712.json").at("domain_separator")));  // no stale cache
}

TEST_CASE("each receipt's struct hash and digest equal ethers.js's", "[crypto]") {
  const Domain domain = vector_domain();
  const json& receipts = test_vectors("eip712.json").at("receipts");
  REQUIRE_FALSE(receipts.empty());
  for (const auto& r : receipts) {
    const Receipt receipt = receipt_from(r.at("message"));
    INFO("receipt digest " << r.at("digest").get<std::string>());
    CHECK(receipt_struct_hash(receipt) == b32(r.at("struct_hash")));
    CHECK(receipt_digest(domain, receipt) == b32(r.at("digest")));
  }
}

TEST_CASE("a receipt signature equals ethers.js byte for byte", "[crypto]") {
  const Domain domain = vector_domain();
  for (const auto& r : test_vectors("eip712.json").at("receipts")) {
    const Receipt receipt = receipt_from(r.at("message"));
    INFO("receipt digest " << r.at("digest").get<std::string>());
    // The leecher signs; the vectors say who the signer is.
    REQUIRE(addr(r.at("signer")) == receipt.leecher);
    const PrivateKey leecher = key_of(receipt.leecher);
    const Signature sig = leecher.sign(receipt_digest(domain, receipt));
    CHECK(to_hex(sig) == r.at("signature").get<std::string>());
  }
}

TEST_CASE("each vector receipt signature recovers its signer", "[crypto]") {
  const Domain domain = vector_domain();
  for (const auto& r : test_vectors("eip712.json").at("receipts")) {
    const Receipt receipt = receipt_from(r.at("message"));
    INFO("receipt digest " << r.at("digest").get<std::string>());
    const Signature sig = sig65(r.at("signature"));
    CHECK(recover_signer(receipt_digest(domain, receipt), sig) == addr(r.at("signer")));
    const std::vector<uint8_t> as_bytes(sig.begin(), sig.end());
    CHECK(recover_signer(receipt_digest(domain, receipt), std::span<const uint8_t>(as_bytes)) ==
          addr(r.at("signer")));
  }
}

TEST_CASE("the vectors' invalid receipts do not verify as their leecher's", "[crypto]") {
  const Domain domain = vector_domain();
  const json& invalid = test_vectors("eip712.json").at("invalid_receipts");
  REQUIRE_FALSE(invalid.empty());
  for (const auto& r : invalid) {
    INFO(r.at("why").get<std::string>());
    const Receipt receipt = receipt_from(r.at("message"));
    const auto signer = recover_signer(receipt_digest(domain, receipt), sig65(r.at("signature")));
    CHECK(signer != std::optional<Address>(receipt.leecher));
  }
}

TEST_CASE("the malleated twin of a valid signature (n-s, v flipped) is rejected", "[crypto]") {
  const Domain domain = vector_domain();
  for (const auto& r : test_vectors("eip712.json").at("receipts")) {
    INFO("receipt digest " << r.at("digest").get<std::string>());
    const Bytes32 digest = receipt_digest(domain, receipt_from(r.at("message")));
    const Signature good = sig65(r.at("signature"));
    REQUIRE(recover_signer(digest, good));
    CHECK_FALSE(recover_signer(digest, malleate(good)));
  }
  // Our malleation is the one the vectors' high-s case was made with.
  const json& high_s = test_vectors("eip712.json").at("invalid_receipts").at(0);
  REQUIRE(high_s.at("why").get<std::string>().find("high-s") != std::string::npos);
  CHECK(malleate(sig65(test_vectors("eip712.json").at("receipts").at(0).at("signature"))) ==
        sig65(high_s.at("signature")));
}

TEST_CASE("a signature with v other than 27 or 28, or a length other than 65, is rejected",
          "[crypto]") {
  const Domain domain = vector_domain();
  const json& r = test_vectors("eip712.json").at("receipts").at(0);
  const Bytes32 digest = receipt_digest(domain, receipt_from(r.at("message")));
  const Signature good = sig65(r.at("signature"));
  REQUIRE(recover_signer(digest, good) == addr(r.at("signer")));

  for (int v : {0, 1, 2, 3, 26, 29, 35, 36, 255}) {
    INFO("v = " << v);
    Signature bad = good;
    bad[64] = static_cast<uint8_t>(v);
    CHECK_FALSE(recover_signer(digest, bad));
  }

  const std::vector<uint8_t> bytes(good.begin(), good.end());
  CHECK(recover_signer(digest, std::span<const uint8_t>(bytes)) == addr(r.at("signer")));
  CHECK_FALSE(recover_signer(digest, std::span<const uint8_t>(bytes).first(64)));
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  CHECK_FALSE(recover_signer(digest, std::span<const uint8_t>(longer)));
  CHECK_FALSE(recover_signer(digest, std::span<const uint8_t>()));
}

TEST_CASE("a signature with r or s zero or not below the curve order is rejected", "[crypto]") {
  const Domain domain = vector_domain();
  const json& r = test_vectors("eip712.json").at("receipts").at(0);
  const Bytes32 digest = receipt_digest(domain, receipt_from(r.at("message")));
  const Signature good = sig65(r.at("signature"));

  Signature zero_r = good;
  std::fill(zero_r.begin(), zero_r.begin() + 32, uint8_t{0});
  CHECK_FALSE(recover_signer(digest, zero_r));
  Signature zero_s = good;
  std::fill(zero_s.begin() + 32, zero_s.begin() + 64, uint8_t{0});
  CHECK_FALSE(recover_signer(digest, zero_s));
  Signature r_is_n = good;
  put_u256(kCurveOrder, r_is_n.data());
  CHECK_FALSE(recover_signer(digest, r_is_n));
  Signature r_above_n = good;
  put_u256(kCurveOrder + 1, r_above_n.data());
  CHECK_FALSE(recover_signer(digest, r_above_n));
}

TEST_CASE("a receipt signed for one pool does not verify in another", "[crypto]") {
  const Domain domain = vector_domain();
  const json& r = test_vectors("eip712.json").at("receipts").at(0);
  const Receipt receipt = receipt_from(r.at("message"));
  const Signature sig = sig65(r.at("signature"));
  Domain other = domain;
  other.chain_id = domain.chain_id + 1;
  CHECK(recover_signer(receipt_digest(other, receipt), sig) !=
        std::optional<Address>(receipt.leecher));
  Receipt more = receipt;
  more.bytes += 1;
  CHECK(recover_signer(receipt_digest(domain, more), sig) !=
        std::optional<Address>(receipt.leecher));
}

TEST_CASE("a claim's digest and signature equal ethers.js's and recover the claimant", "[crypto]") {
  const Domain domain = vector_domain();
  const json& c = test_vectors("eip712.json").at("claim");
  const Claim claim = claim_from(c.at("message"));
  if (c.contains("struct_hash")) CHECK(claim_struct_hash(claim) == b32(c.at("struct_hash")));
  CHECK(claim_digest(domain, claim) == b32(c.at("digest")));

  REQUIRE(addr(c.at("signer")) == claim.claimant);
  const Signature sig = key_of(claim.claimant).sign(claim_digest(domain, claim));
  CHECK(to_hex(sig) == c.at("signature").get<std::string>());
  CHECK(recover_signer(claim_digest(domain, claim), sig65(c.at("signature"))) ==
        addr(c.at("signer")));
  CHECK_FALSE(recover_signer(claim_digest(domain, claim), malleate(sig65(c.at("signature")))));

  // The amount is a full uint256 word: changing it by one changes the digest.
  Claim more = claim;
  more.amount += 1;
  CHECK(claim_digest(domain, more) != claim_digest(domain, claim));
}

// ---------------------------------------------------------------------------------------------
// Merkle tree

TEST_CASE("the receipts root equals @openzeppelin/merkle-tree's for the receipt digests",
          "[crypto]") {
  const json& m = test_vectors("eip712.json").at("merkle");
  std::vector<Bytes32> leaves;
  for (const auto& leaf : m.at("leaves")) leaves.push_back(b32(leaf));
  REQUIRE_FALSE(leaves.empty());

  // The leaves are the vector receipts' digests, and the claim commits to this root.
  std::vector<Bytes32> digests;
  for (const auto& r : test_vectors("eip712.json").at("receipts")) digests.push_back(b32(r.at("digest")));
  CHECK(digests == leaves);
  CHECK(b32(test_vectors("eip712.json").at("claim").at("message").at("receiptsRoot")) == b32(m.at("root")));

  const MerkleTree tree = MerkleTree::of(leaves);
  CHECK(tree.root() == b32(m.at("root")));

  // Order of the input does not matter: the leaves are sorted first.
  std::vector<Bytes32> reversed(leaves.rbegin(), leaves.rend());
  CHECK(MerkleTree::of(reversed).root() == tree.root());
  std::vector<Bytes32> rotated = leaves;
  std::rotate(rotated.begin(), rotated.begin() + 1, rotated.end());
  CHECK(MerkleTree::of(rotated).root() == tree.root());
}

TEST_CASE("merkle proofs equal getProof's and verify like MerkleProof.verify", "[crypto]") {
  const json& m = test_vectors("eip712.json").at("merkle");
  std::vector<Bytes32> leaves;
  for (const auto& leaf : m.at("leaves")) leaves.push_back(b32(leaf));
  const MerkleTree tree = MerkleTree::of(leaves);

  std::vector<Bytes32> expected;
  for (const auto& p : m.at("proof_of_leaf_0")) expected.push_back(b32(p));
  CHECK(tree.proof(leaves.at(0)) == expected);

  for (size_t i = 0; i < leaves.size(); ++i) {
    INFO("leaf " << i);
    const auto proof = tree.proof(leaves[i]);
    CHECK(verify_proof(tree.root(), leaves[i], proof));
    // A proof is for one leaf only, and for one root only.
    if (leaves.size() > 1) {
      CHECK_FALSE(verify_proof(tree.root(), leaves[(i + 1) % leaves.size()], proof));
    }
    Bytes32 other_root = tree.root();
    other_root[0] ^= 1;
    CHECK_FALSE(verify_proof(other_root, leaves[i], proof));
    if (!proof.empty()) {
      auto tampered = proof;
      tampered.back()[31] ^= 1;
      CHECK_FALSE(verify_proof(tree.root(), leaves[i], tampered));
    }
  }
  CHECK_THROWS_AS(tree.proof(keccak256(std::string_view("not a leaf"))), std::invalid_argument);
}

TEST_CASE("a one-leaf tree's root is the leaf and its proof is empty", "[crypto]") {
  const json& m = test_vectors("eip712.json").at("merkle");
  const Bytes32 leaf = b32(m.at("leaves").at(0));
  const MerkleTree tree = MerkleTree::of({leaf});
  CHECK(tree.root() == b32(m.at("single_leaf_root")));
  CHECK(tree.proof(leaf).empty());
  CHECK(verify_proof(tree.root(), leaf, {}));
}

TEST_CASE("an empty tree is refused", "[crypto]") {
  CHECK_THROWS_AS(MerkleTree::of({}), std::invalid_argument);
}

TEST_CASE("duplicate leaves are kept, as SimpleMerkleTree keeps them", "[crypto]") {
  const json& m = test_vectors("eip712.json").at("merkle");
  const Bytes32 a = b32(m.at("leaves").at(0));
  const Bytes32 b = b32(m.at("leaves").at(1));

  // Two equal leaves make a two-leaf tree, not a one-leaf one.
  std::array<uint8_t, 64> aa{};
  std::copy(a.begin(), a.end(), aa.begin());
  std::copy(a.begin(), a.end(), aa.begin() + 32);
  const MerkleTree twice = MerkleTree::of({a, a});
  CHECK(twice.root() == keccak256(aa));
  CHECK(twice.proof(a) == std::vector<Bytes32>{a});

  const MerkleTree with_dup = MerkleTree::of({a, b, a});
  CHECK(with_dup.root() != MerkleTree::of({a, b}).root());
  CHECK(verify_proof(with_dup.root(), a, with_dup.proof(a)));
  CHECK(verify_proof(with_dup.root(), b, with_dup.proof(b)));
}

// ---------------------------------------------------------------------------------------------
// node key file

TEST_CASE("a new node key file is created with mode 0600 and reloads as the same key", "[crypto]") {
  const ScratchDir dir("create");
  const fs::path file = dir / "node.key";
  const PrivateKey created = load_or_create_node_key(file);
  CHECK(file_mode(file) == 0600);

  const auto contents = seedd::util::read_file(file);
  REQUIRE(contents);
  CHECK(*contents == created.to_hex() + "\n");
  CHECK(contents->size() == 65);
  CHECK(std::all_of(contents->begin(), contents->end() - 1, [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
  }));

  const PrivateKey reloaded = load_or_create_node_key(file);
  CHECK(reloaded.to_hex() == created.to_hex());
  CHECK(reloaded.address() == created.address());
}

TEST_CASE("a node key file readable by group or others is refused with a chmod hint", "[crypto]") {
  const ScratchDir dir("mode");
  const fs::path file = dir / "node.key";
  load_or_create_node_key(file);
  for (unsigned mode : {0644u, 0640u, 0604u, 0660u}) {
    INFO("mode " << std::oct << mode);
    REQUIRE(::chmod(file.c_str(), mode) == 0);
    const std::string message = exception_message([&] { load_or_create_node_key(file); });
    CHECK_THAT(message, Catch::Contains(file.string()));
    CHECK_THAT(message, Catch::Contains("chmod 600"));
    CHECK_THROWS_AS(load_or_create_node_key(file), std::runtime_error);
  }
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  CHECK_THAT(exception_message([&] { load_or_create_node_key(file); }),
             Catch::Contains("mode 0644"));
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  CHECK_NOTHROW(load_or_create_node_key(file));
}

TEST_CASE("a node key file may carry 0x, either case and trailing whitespace", "[crypto]") {
  const ScratchDir dir("lenient");
  const fs::path file = dir / "node.key";
  for (const auto& k : test_vectors("eip712.json").at("keys")) {
    std::string text = k.at("private_key").get<std::string>();
    std::transform(text.begin() + 2, text.end(), text.begin() + 2, ::toupper);
    seedd::util::write_file_atomic(file, text + " \r\n\n", 0600);
    CHECK(to_checksum_address(load_or_create_node_key(file).address()) ==
          k.at("address").get<std::string>());
  }
}

TEST_CASE("a malformed node key file is refused, not replaced", "[crypto]") {
  const ScratchDir dir("malformed");
  const fs::path file = dir / "node.key";
  for (const std::string& bad : {std::string(""), std::string("not a key\n"),
                                 std::string(63, 'a') + "\n", std::string(65, 'a') + "\n",
                                 std::string(64, '0') + "\n", " " + std::string(64, '1') + "x\n"}) {
    INFO("contents \"" << bad << "\"");
    seedd::util::write_file_atomic(file, bad, 0600);
    const std::string message = exception_message([&] { load_or_create_node_key(file); });
    CHECK_THAT(message, Catch::Contains(file.string()));
    CHECK_THAT(message, Catch::Contains("malformed"));
    CHECK(seedd::util::read_file(file) == bad);  // the operator's file is left alone
  }
}
