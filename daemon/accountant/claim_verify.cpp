#include "daemon/accountant/claim_verify.hpp"

#include <functional>
#include <limits>
#include <stdexcept>

#include "daemon/accountant/claims.hpp"
#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"

namespace seedd::accountant {

namespace {

using json = nlohmann::json;
namespace mp = boost::multiprecision;
// Sums that must not wrap before they are compared: Σ of up to 2^64 uint64 deltas, and Σ of
// uint256 amounts of up to 2^64 receipts.
using U128 = unsigned __int128;
using Wide = mp::number<mp::cpp_int_backend<320, 320, mp::unsigned_magnitude, mp::checked, void>>;
using ChannelKey = std::tuple<crypto::Address, crypto::InfoHash20, uint64_t>;

/// Reads typed fields out of JSON; each bad field goes to `m_on_error(path, what)` and yields
/// std::nullopt, so one reader serves both the verifier (which records and goes on) and the
/// state-file loaders (which throw).
class Reader {
 public:
  explicit Reader(std::function<void(const std::string&, const std::string&)> on_error)
      : m_on_error(std::move(on_error)) {}

  void error(const std::string& path, const std::string& what) const { m_on_error(path, what); }

  const json* member(const json& object, const char* key, const std::string& path) const {
    if (!object.is_object()) return nullptr;  // the parent's own error was reported already
    const auto it = object.find(key);
    if (it == object.end()) {
      error(path, "missing");
      return nullptr;
    }
    return &*it;
  }

  const json* object(const json& parent, const char* key, const std::string& path) const {
    const json* value = member(parent, key, path);
    if (value && !value->is_object()) {
      error(path, "expected an object");
      return nullptr;
    }
    return value;
  }

  std::optional<std::string> string(const json& parent, const char* key,
                                    const std::string& path) const {
    const json* value = member(parent, key, path);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
      error(path, "expected a string, got " + std::string(value->type_name()));
      return std::nullopt;
    }
    return value->get<std::string>();
  }

  std::optional<uint64_t> u64(const json& parent, const char* key, const std::string& path) const {
    auto text = string(parent, key, path);
    if (!text) return std::nullopt;
    auto value = crypto::parse_decimal_u64(*text);
    if (!value) error(path, "expected a decimal uint64 string, got \"" + clip(*text) + "\"");
    return value;
  }

  std::optional<crypto::uint256> u256(const json& parent, const char* key,
                                      const std::string& path) const {
    auto text = string(parent, key, path);
    if (!text) return std::nullopt;
    auto value = crypto::parse_decimal_u256(*text);
    if (!value) error(path, "expected a decimal uint256 string, got \"" + clip(*text) + "\"");
    return value;
  }

  std::optional<crypto::Address> address(const json& parent, const char* key,
                                         const std::string& path) const {
    auto text = string(parent, key, path);
    if (!text) return std::nullopt;
    auto value = crypto::parse_address(*text);
    if (!value) {
      error(path, "expected 0x + 40 hex digits with a valid EIP-55 checksum, got \"" +
                      clip(*text) + "\"");
    }
    return value;
  }

  /// 0x-prefixed hex of any even length.
  std::optional<std::vector<uint8_t>> hex(const json& value, const std::string& path) const {
    if (!value.is_string()) {
      error(path, "expected a 0x hex string, got " + std::string(value.type_name()));
      return std::nullopt;
    }
    const auto& text = value.get_ref<const std::string&>();
    std::optional<std::vector<uint8_t>> bytes;
    if (text.size() >= 2 && text[0] == '0' && text[1] == 'x') bytes = crypto::from_hex(text);
    if (!bytes) error(path, "expected 0x hex, got \"" + clip(text) + "\"");
    return bytes;
  }

  std::optional<std::vector<uint8_t>> hex(const json& parent, const char* key,
                                          const std::string& path) const {
    const json* value = member(parent, key, path);
    if (!value) return std::nullopt;
    return hex(*value, path);
  }

  template <size_t N>
  std::optional<std::array<uint8_t, N>> fixed(const json& value, const std::string& path) const {
    auto bytes = hex(value, path);
    if (!bytes) return std::nullopt;
    if (bytes->size() != N) {
      error(path, "expected " + std::to_string(N) + " bytes, got " + std::to_string(bytes->size()));
      return std::nullopt;
    }
    std::array<uint8_t, N> out{};
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
  }

  template <size_t N>
  std::optional<std::array<uint8_t, N>> fixed(const json& parent, const char* key,
                                              const std::string& path) const {
    const json* value = member(parent, key, path);
    if (!value) return std::nullopt;
    return fixed<N>(*value, path);
  }

  static std::string clip(const std::string& text) {
    return text.size() <= 80 ? text : text.substr(0, 77) + "...";
  }

 private:
  std::function<void(const std::string&, const std::string&)> m_on_error;
};

std::optional<crypto::Receipt> read_receipt(const Reader& in, const json& message,
                                            const std::string& path) {
  auto infohash = in.fixed<20>(message, "infohash", path + ".infohash");
  auto seeder = in.address(message, "seeder", path + ".seeder");
  auto leecher = in.address(message, "leecher", path + ".leecher");
  auto channel = in.u64(message, "channel", path + ".channel");
  auto bytes = in.u64(message, "bytes", path + ".bytes");
  auto timestamp = in.u64(message, "timestamp", path + ".timestamp");
  if (!infohash || !seeder || !leecher || !channel || !bytes || !timestamp) return std::nullopt;
  return crypto::Receipt{*infohash, *seeder, *leecher, *channel, *bytes, *timestamp};
}

/// One receipt entry of a claim file; a field that did not parse is std::nullopt.
struct ParsedEntry {
  std::optional<crypto::Receipt> receipt;
  std::optional<std::vector<uint8_t>> signature;
  std::optional<uint64_t> prev_claimed_bytes;
  std::optional<crypto::uint256> rate_per_gib;
  std::optional<std::vector<crypto::Bytes32>> proof;
  // passExp, passSig and passSigner, where the leecher showed a pass (docs/protocol.md 6, 9).
  bool has_pass = false;
  std::optional<uint64_t> pass_exp;
  std::optional<crypto::Signature> pass_sig;
  std::optional<crypto::Address> pass_signer;
};

ParsedEntry read_entry(const Reader& in, const json& entry, const std::string& path) {
  ParsedEntry out;
  if (!entry.is_object()) {
    in.error(path, "expected an object");
    return out;
  }
  if (const json* message = in.object(entry, "message", path + ".message")) {
    out.receipt = read_receipt(in, *message, path + ".message");
  }
  out.signature = in.hex(entry, "signature", path + ".signature");
  out.prev_claimed_bytes = in.u64(entry, "prevClaimedBytes", path + ".prevClaimedBytes");
  out.rate_per_gib = in.u256(entry, "ratePerGiB", path + ".ratePerGiB");
  if (const json* proof = in.member(entry, "proof", path + ".proof")) {
    if (!proof->is_array()) {
      in.error(path + ".proof", "expected an array");
    } else {
      std::vector<crypto::Bytes32> nodes;
      bool ok = true;
      for (size_t k = 0; k < proof->size(); ++k) {
        auto node = in.fixed<32>((*proof)[k], path + ".proof[" + std::to_string(k) + "]");
        if (node) nodes.push_back(*node);
        ok = ok && node.has_value();
      }
      if (ok) out.proof = std::move(nodes);
    }
  }
  // A pass is all three fields or none: one alone is malformed (the missing ones are reported).
  if (entry.contains("passExp") || entry.contains("passSig") || entry.contains("passSigner")) {
    out.has_pass = true;
    out.pass_exp = in.u64(entry, "passExp", path + ".passExp");
    out.pass_sig = in.fixed<65>(entry, "passSig", path + ".passSig");
    out.pass_signer = in.address(entry, "passSigner", path + ".passSigner");
  }
  return out;
}

/// The claim message; fields that did not parse are std::nullopt.
struct ParsedClaim {
  std::optional<crypto::Address> claimant, payout;
  std::optional<crypto::Bytes32> receipts_root;
  std::optional<uint64_t> receipt_count, total_bytes, nonce, created_at;
  std::optional<crypto::uint256> amount;

  std::optional<crypto::Claim> whole() const {
    if (!claimant || !payout || !receipts_root || !receipt_count || !total_bytes || !nonce ||
        !created_at || !amount) {
      return std::nullopt;
    }
    return crypto::Claim{*claimant,    *payout, *receipts_root, *receipt_count,
                         *total_bytes, *amount, *nonce,         *created_at};
  }
};

ParsedClaim read_claim(const Reader& in, const json& claim) {
  ParsedClaim out;
  out.claimant = in.address(claim, "claimant", "claim.claimant");
  out.payout = in.address(claim, "payout", "claim.payout");
  out.receipts_root = in.fixed<32>(claim, "receiptsRoot", "claim.receiptsRoot");
  out.receipt_count = in.u64(claim, "receiptCount", "claim.receiptCount");
  out.total_bytes = in.u64(claim, "totalBytes", "claim.totalBytes");
  out.amount = in.u256(claim, "amount", "claim.amount");
  out.nonce = in.u64(claim, "nonce", "claim.nonce");
  out.created_at = in.u64(claim, "createdAt", "claim.createdAt");
  return out;
}

std::string receipt_path(size_t i) { return "receipts[" + std::to_string(i) + "]"; }

std::string describe_key(const ChannelKey& key) {
  return "(leecher " + crypto::to_checksum_address(std::get<0>(key)) + ", infohash " +
         crypto::to_hex(std::get<1>(key)) + ", channel " + std::to_string(std::get<2>(key)) + ")";
}

/// The verification of one file; collects failures in order of the rules.
class Verification {
 public:
  Verification(const json& file, const crypto::Domain& verifier_domain, const VerifierState& state)
      : m_file(file),
        m_verifier_domain(verifier_domain),
        m_state(state),
        m_in([this](const std::string& path, const std::string& what) {
          fail("malformed", path + ": " + what);
        }) {}

  VerifyResult run() {
    if (!m_file.is_object()) {
      fail("malformed", "the claim file is not a JSON object");
      return finish();
    }
    check_version();
    const crypto::Domain domain = check_domain();
    ParsedClaim claim;
    if (const json* c = m_in.object(m_file, "claim", "claim")) claim = read_claim(m_in, *c);
    const auto signature = m_in.hex(m_file, "signature", "signature");
    std::vector<ParsedEntry> entries;
    bool have_entries = false;
    if (const json* list = m_in.member(m_file, "receipts", "receipts")) {
      if (!list->is_array()) {
        m_in.error("receipts", "expected an array");
      } else {
        have_entries = true;
        for (size_t i = 0; i < list->size(); ++i) {
          entries.push_back(read_entry(m_in, (*list)[i], receipt_path(i)));
        }
      }
    }

    check_claim_signature(domain, claim, signature);                   // rule 1
    for (size_t i = 0; i < entries.size(); ++i) check_entry(domain, claim, entries[i], i);  // 2
    check_duplicates(entries);                                         // rule 3
    if (have_entries) check_recomputed(domain, claim, entries);       // rule 4
    check_history(claim, entries);                                     // rule 5
    for (size_t i = 0; i < entries.size(); ++i) check_pass(domain, entries[i], i);  // rule 6
    return finish();
  }

 private:
  void fail(std::string rule, std::string detail) {
    m_result.failures.push_back(VerifyFailure{std::move(rule), std::move(detail)});
  }

  VerifyResult finish() {
    m_result.valid = m_result.failures.empty();
    return std::move(m_result);
  }

  void check_version() {
    const json* version = m_in.member(m_file, "version", "version");
    if (!version) return;
    if (!version->is_number_integer() || *version != kClaimFileVersion) {
      m_in.error("version", "expected the number " + std::to_string(kClaimFileVersion) +
                                ", got " + Reader::clip(version->dump()));
    }
  }

  /// Rule 1, domain part. Returns the domain to compute digests in.
  crypto::Domain check_domain() {
    const json* d = m_in.object(m_file, "domain", "domain");
    if (!d) return m_verifier_domain;
    if (auto name = m_in.string(*d, "name", "domain.name"); name && *name != crypto::kDomainName) {
      fail("domain", "domain.name is \"" + Reader::clip(*name) + "\", the verifier's is \"" +
                         std::string(crypto::kDomainName) + "\"");
    }
    if (auto version = m_in.string(*d, "version", "domain.version");
        version && *version != crypto::kDomainVersion) {
      fail("domain", "domain.version is \"" + Reader::clip(*version) +
                         "\", the verifier's is \"" + std::string(crypto::kDomainVersion) + "\"");
    }
    std::optional<uint64_t> chain_id;
    if (const json* c = m_in.member(*d, "chainId", "domain.chainId")) {
      if (c->is_number_unsigned()) {
        chain_id = c->get<uint64_t>();
      } else if (c->is_string()) {
        chain_id = crypto::parse_decimal_u64(c->get<std::string>());
        if (!chain_id) m_in.error("domain.chainId", "expected a decimal uint64");
      } else {
        m_in.error("domain.chainId", "expected a decimal string or an unsigned integer");
      }
    }
    auto contract = m_in.address(*d, "verifyingContract", "domain.verifyingContract");
    if (chain_id && *chain_id != m_verifier_domain.chain_id) {
      fail("domain", "domain.chainId is " + std::to_string(*chain_id) + ", the verifier's is " +
                         std::to_string(m_verifier_domain.chain_id));
    }
    if (contract && *contract != m_verifier_domain.verifying_contract) {
      fail("domain", "domain.verifyingContract is " + crypto::to_checksum_address(*contract) +
                         ", the verifier's is " +
                         crypto::to_checksum_address(m_verifier_domain.verifying_contract));
    }
    if (!chain_id || !contract) return m_verifier_domain;
    return crypto::Domain{*chain_id, *contract};
  }

  void check_claim_signature(const crypto::Domain& domain, const ParsedClaim& claim,
                             const std::optional<std::vector<uint8_t>>& signature) {
    const auto whole = claim.whole();
    if (!whole || !signature) return;  // already reported as malformed
    const auto signer = crypto::recover_signer(crypto::claim_digest(domain, *whole), *signature);
    if (!signer) {
      fail("claim_signature", "signature is not a valid signature (65 bytes, v 27/28, low s)");
    } else if (*signer != *claim.claimant) {
      fail("claim_signature", "signature recovers " + crypto::to_checksum_address(*signer) +
                                  ", not claim.claimant " +
                                  crypto::to_checksum_address(*claim.claimant));
    }
  }

  void check_entry(const crypto::Domain& domain, const ParsedClaim& claim,
                   const ParsedEntry& entry, size_t i) {
    if (!entry.receipt) return;
    const crypto::Receipt& r = *entry.receipt;
    const std::string path = receipt_path(i);
    if (entry.signature) {
      const auto signer =
          crypto::recover_signer(crypto::receipt_digest(domain, r), *entry.signature);
      if (!signer) {
        fail("receipt_signature",
             path + ".signature is not a valid signature (65 bytes, v 27/28, low s)");
      } else if (*signer != r.leecher) {
        fail("receipt_signature", path + ".signature recovers " +
                                      crypto::to_checksum_address(*signer) + ", not " + path +
                                      ".message.leecher " + crypto::to_checksum_address(r.leecher));
      }
    }
    if (claim.claimant && r.seeder != *claim.claimant) {
      fail("seeder_is_claimant", path + ".message.seeder " + crypto::to_checksum_address(r.seeder) +
                                     " is not claim.claimant " +
                                     crypto::to_checksum_address(*claim.claimant));
    }
    if (r.leecher == r.seeder) {
      fail("leecher_is_seeder", path + ".message.leecher equals its seeder " +
                                    crypto::to_checksum_address(r.seeder));
    }
    if (r.channel == 0) fail("zero_channel", path + ".message.channel is 0");
    if (entry.prev_claimed_bytes && r.bytes < *entry.prev_claimed_bytes) {
      fail("bytes_below_prev_claimed", path + ".message.bytes " + std::to_string(r.bytes) +
                                           " is below " + path + ".prevClaimedBytes " +
                                           std::to_string(*entry.prev_claimed_bytes));
    }
  }

  /// Rule 6: a pass beside a receipt is the passSigner's signature over (infohash, leecher,
  /// passExp) in the claim's domain, and covers the receipt (timestamp ≤ passExp).
  void check_pass(const crypto::Domain& domain, const ParsedEntry& entry, size_t i) {
    if (!entry.has_pass || !entry.receipt || !entry.pass_exp || !entry.pass_sig || !entry.pass_signer) return;
    const crypto::Receipt& r = *entry.receipt;
    const std::string path = receipt_path(i);
    const auto signer =
        recover_pass_signer(domain, crypto::Pass{r.infohash, r.leecher, *entry.pass_exp}, *entry.pass_sig);
    if (!signer) {
      fail("pass", path + ".passSig is not a valid signature (65 bytes, v 27/28, low s)");
    } else if (*signer != *entry.pass_signer) {
      fail("pass", path + ".passSig recovers " + crypto::to_checksum_address(*signer) + " for (infohash, leecher " +
                       crypto::to_checksum_address(r.leecher) + ", passExp " + std::to_string(*entry.pass_exp) +
                       "), not " + path + ".passSigner " + crypto::to_checksum_address(*entry.pass_signer));
    }
    if (r.timestamp > *entry.pass_exp) {
      fail("pass", path + ".message.timestamp " + std::to_string(r.timestamp) + " is after " + path + ".passExp " +
                       std::to_string(*entry.pass_exp) + ": the pass does not cover the receipt");
    }
  }

  void check_duplicates(const std::vector<ParsedEntry>& entries) {
    std::map<ChannelKey, size_t> first;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (!entries[i].receipt) continue;
      const crypto::Receipt& r = *entries[i].receipt;
      const auto [it, inserted] = first.emplace(ChannelKey{r.leecher, r.infohash, r.channel}, i);
      if (!inserted) {
        fail("duplicate_receipt", receipt_path(i) + " repeats the channel of " +
                                      receipt_path(it->second) + " " + describe_key(it->first));
      }
    }
  }

  void check_recomputed(const crypto::Domain& domain, const ParsedClaim& claim,
                        const std::vector<ParsedEntry>& entries) {
    if (claim.receipt_count && *claim.receipt_count != entries.size()) {
      fail("receipt_count", "claim.receiptCount is " + std::to_string(*claim.receipt_count) +
                                ", the file holds " + std::to_string(entries.size()) +
                                " receipts");
    }

    bool all_messages = true;
    std::vector<crypto::Bytes32> digests;
    for (const ParsedEntry& entry : entries) {
      all_messages = all_messages && entry.receipt.has_value();
      digests.push_back(entry.receipt ? crypto::receipt_digest(domain, *entry.receipt)
                                      : crypto::Bytes32{});
    }
    if (entries.empty()) {
      fail("receipts_root", "the claim holds no receipts, so it has no Merkle root");
    } else if (all_messages && claim.receipts_root) {
      const auto root = crypto::MerkleTree::of(digests).root();
      if (root != *claim.receipts_root) {
        fail("receipts_root", "claim.receiptsRoot is " + crypto::to_hex(*claim.receipts_root) +
                                  ", the receipts give " + crypto::to_hex(root));
      }
    }
    // Each proof is checked against the root the claim states: that is what a pool checks on
    // chain when it pays one receipt.
    if (claim.receipts_root) {
      for (size_t i = 0; i < entries.size(); ++i) {
        if (!entries[i].receipt || !entries[i].proof) continue;
        if (!crypto::verify_proof(*claim.receipts_root, digests[i], *entries[i].proof)) {
          fail("receipt_proof",
               receipt_path(i) + ".proof does not lead from its digest to claim.receiptsRoot");
        }
      }
    }

    // Sums are taken only when every term is known; a missing term was reported as malformed
    // and a negative one as bytes_below_prev_claimed.
    bool bytes_known = true;
    bool amounts_known = true;
    U128 total = 0;
    Wide amount = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      const ParsedEntry& e = entries[i];
      if (!e.receipt || !e.prev_claimed_bytes || e.receipt->bytes < *e.prev_claimed_bytes) {
        bytes_known = amounts_known = false;
        continue;
      }
      const uint64_t delta = e.receipt->bytes - *e.prev_claimed_bytes;
      total += delta;
      if (!e.rate_per_gib) {
        amounts_known = false;
        continue;
      }
      try {
        amount += Wide(amount_for(delta, *e.rate_per_gib));
      } catch (const std::overflow_error&) {
        fail("amount", receipt_path(i) + ": the amount of " + std::to_string(delta) +
                           " bytes at ratePerGiB " + crypto::to_decimal(*e.rate_per_gib) +
                           " exceeds uint256");
        amounts_known = false;
      }
    }
    if (bytes_known && claim.total_bytes && total != *claim.total_bytes) {
      fail("total_bytes", "claim.totalBytes is " + std::to_string(*claim.total_bytes) +
                              ", the receipts give " +
                              (total > std::numeric_limits<uint64_t>::max()
                                   ? std::string("more than uint64 can hold")
                                   : std::to_string(static_cast<uint64_t>(total))));
    }
    if (amounts_known && claim.amount && amount != Wide(*claim.amount)) {
      fail("amount", "claim.amount is " + crypto::to_decimal(*claim.amount) +
                         ", the receipts give " + amount.str());
    }
  }

  void check_history(const ParsedClaim& claim, const std::vector<ParsedEntry>& entries) {
    if (claim.nonce) {
      if (!m_state.last_nonce) {
        if (*claim.nonce != 1) {
          fail("nonce", "claim.nonce is " + std::to_string(*claim.nonce) +
                            ", the verifier knows no earlier claim so expects 1");
        }
      } else if (*m_state.last_nonce == std::numeric_limits<uint64_t>::max() ||
                 *claim.nonce != *m_state.last_nonce + 1) {
        fail("nonce", "claim.nonce is " + std::to_string(*claim.nonce) +
                          ", the verifier's last nonce of this claimant is " +
                          std::to_string(*m_state.last_nonce));
      }
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      const ParsedEntry& e = entries[i];
      if (!e.receipt || !e.prev_claimed_bytes) continue;
      const auto it = m_state.paid.find(ChannelKey{e.receipt->leecher, e.receipt->infohash,
                                                   e.receipt->channel});
      const uint64_t paid = it == m_state.paid.end() ? 0 : it->second;
      if (*e.prev_claimed_bytes != paid) {
        fail("prev_claimed_bytes", receipt_path(i) + ".prevClaimedBytes is " +
                                       std::to_string(*e.prev_claimed_bytes) +
                                       ", the verifier has " + std::to_string(paid) +
                                       " bytes paid on that channel");
      }
    }
  }

  const json& m_file;
  const crypto::Domain& m_verifier_domain;
  const VerifierState& m_state;
  VerifyResult m_result;
  Reader m_in;
};

Reader throwing_reader(const std::string& what) {
  return Reader([what](const std::string& path, const std::string& problem) {
    throw std::invalid_argument(what + ": " + path + ": " + problem);
  });
}

}  // namespace

VerifyResult verify_claim(const nlohmann::json& claim_file, const crypto::Domain& verifier_domain,
                          const VerifierState& state) {
  return Verification(claim_file, verifier_domain, state).run();
}

VerifierState verifier_state_from_json(const nlohmann::json& doc) {
  const Reader in = throwing_reader("verifier state");
  if (!doc.is_object()) in.error("(top)", "expected an object");
  VerifierState state;
  if (const auto it = doc.find("last_nonce"); it != doc.end() && !it->is_null()) {
    state.last_nonce = in.u64(doc, "last_nonce", "last_nonce");
  }
  if (const auto it = doc.find("paid"); it != doc.end()) {
    if (!it->is_array()) in.error("paid", "expected an array");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& entry = (*it)[i];
      const std::string path = "paid[" + std::to_string(i) + "]";
      if (!entry.is_object()) in.error(path, "expected an object");
      const auto leecher = in.address(entry, "leecher", path + ".leecher");
      const auto infohash = in.fixed<20>(entry, "infohash", path + ".infohash");
      const auto channel = in.u64(entry, "channel", path + ".channel");
      const auto bytes = in.u64(entry, "bytes", path + ".bytes");
      const auto [slot, inserted] = state.paid.emplace(ChannelKey{*leecher, *infohash, *channel}, *bytes);
      if (!inserted) in.error(path, "repeats the channel " + describe_key(slot->first));
    }
  }
  return state;
}

nlohmann::json to_json(const VerifierState& state) {
  json paid = json::array();
  for (const auto& [key, bytes] : state.paid) {
    paid.push_back({{"leecher", crypto::to_checksum_address(std::get<0>(key))},
                    {"infohash", crypto::to_hex(std::get<1>(key))},
                    {"channel", std::to_string(std::get<2>(key))},
                    {"bytes", std::to_string(bytes)}});
  }
  return {{"last_nonce",
           state.last_nonce ? json(std::to_string(*state.last_nonce)) : json(nullptr)},
          {"paid", std::move(paid)}};
}

void apply_claim(VerifierState& state, const nlohmann::json& valid_claim_file) {
  const Reader in = throwing_reader("claim file");
  if (!valid_claim_file.is_object()) in.error("(top)", "expected an object");
  const json* claim = in.object(valid_claim_file, "claim", "claim");
  const auto nonce = in.u64(*claim, "nonce", "claim.nonce");
  const json* receipts = in.member(valid_claim_file, "receipts", "receipts");
  if (!receipts->is_array()) in.error("receipts", "expected an array");
  // Everything is read before anything changes, so a bad file leaves the state as it was.
  std::vector<std::pair<ChannelKey, uint64_t>> paid;
  for (size_t i = 0; i < receipts->size(); ++i) {
    const std::string path = receipt_path(i);
    const json& entry = (*receipts)[i];
    if (!entry.is_object()) in.error(path, "expected an object");
    const json* message = in.object(entry, "message", path + ".message");
    const auto r = read_receipt(in, *message, path + ".message");
    paid.emplace_back(ChannelKey{r->leecher, r->infohash, r->channel}, r->bytes);
  }
  state.last_nonce = *nonce;
  for (const auto& [key, bytes] : paid) state.paid[key] = bytes;
}

}  // namespace seedd::accountant
