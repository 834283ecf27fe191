#include "daemon/chain/settle_items.hpp"

#include <algorithm>
#include <map>

#include "daemon/chain/quantity.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keccak.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/merkle.hpp"

namespace seedd::chain {
namespace {

using nlohmann::json;

const json& field(const json& obj, const char* name, const std::string& where) {
  if (!obj.is_object() || !obj.contains(name)) throw ClaimFileError(where + "." + name + " is missing");
  return obj.at(name);
}

std::string text(const json& obj, const char* name, const std::string& where) {
  const auto& v = field(obj, name, where);
  if (!v.is_string()) throw ClaimFileError(where + "." + name + " must be a string");
  return v.get<std::string>();
}

uint64_t u64(const json& obj, const char* name, const std::string& where) {
  const auto& v = field(obj, name, where);
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_string())
    if (auto n = crypto::parse_decimal_u64(v.get<std::string>())) return *n;
  throw ClaimFileError(where + "." + name + " must be a decimal uint64");
}

crypto::Address address(const json& obj, const char* name, const std::string& where) {
  auto a = crypto::parse_address(text(obj, name, where));
  if (!a) throw ClaimFileError(where + "." + name + " must be a 0x address");
  return *a;
}

template <size_t N>
std::array<uint8_t, N> fixed(const json& obj, const char* name, const std::string& where) {
  auto b = crypto::from_hex_fixed<N>(text(obj, name, where));
  if (!b) throw ClaimFileError(where + "." + name + " must be " + std::to_string(N) + " bytes of 0x hex");
  return *b;
}

bool is_zero(const crypto::Address& a) {
  return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

ParsedClaim parse_claim_file(const json& doc) {
  ParsedClaim p;
  const auto& d = field(doc, "domain", "claim file");
  p.domain.chain_id = u64(d, "chainId", "domain");
  p.domain.verifying_contract = address(d, "verifyingContract", "domain");
  const auto& c = field(doc, "claim", "claim file");
  p.claim.claimant = address(c, "claimant", "claim");
  p.claim.payout = address(c, "payout", "claim");
  p.claim.receipts_root = fixed<32>(c, "receiptsRoot", "claim");
  p.claim.receipt_count = u64(c, "receiptCount", "claim");
  p.claim.total_bytes = u64(c, "totalBytes", "claim");
  auto amount = crypto::parse_decimal_u256(text(c, "amount", "claim"));
  if (!amount) throw ClaimFileError("claim.amount must be a decimal uint256");
  p.claim.amount = *amount;
  p.claim.nonce = u64(c, "nonce", "claim");
  p.claim.created_at = u64(c, "createdAt", "claim");
  p.signature = fixed<65>(doc, "signature", "claim file");
  const auto& receipts = field(doc, "receipts", "claim file");
  if (!receipts.is_array()) throw ClaimFileError("claim file.receipts must be an array");
  for (size_t i = 0; i < receipts.size(); ++i) {
    const auto& r = receipts[i];
    const std::string where = "receipts[" + std::to_string(i) + "]";
    const auto& m = field(r, "message", where);
    const std::string mw = where + ".message";
    pool::SettleItem item;
    item.receipt.infohash = fixed<20>(m, "infohash", mw);
    item.receipt.seeder = address(m, "seeder", mw);
    item.receipt.leecher = address(m, "leecher", mw);
    item.receipt.channel = u64(m, "channel", mw);
    item.receipt.bytes = u64(m, "bytes", mw);
    item.receipt.timestamp = u64(m, "timestamp", mw);
    item.signature = fixed<65>(r, "signature", where);
    const auto& proof = field(r, "proof", where);
    if (!proof.is_array()) throw ClaimFileError(where + ".proof must be an array");
    for (const auto& h : proof) {
      auto b = h.is_string() ? crypto::from_hex_fixed<32>(h.get<std::string>()) : std::nullopt;
      if (!b) throw ClaimFileError(where + ".proof must hold 32-byte 0x hex strings");
      item.proof.push_back(*b);
    }
    crypto::Address pass_signer{};
    if (r.contains("passSig") && r["passSig"].is_string()) {
      item.pass_exp = u64(r, "passExp", where);
      auto sig = crypto::from_hex(r["passSig"].get<std::string>());
      if (!sig || sig->size() != 65) throw ClaimFileError(where + ".passSig must be 65 bytes of 0x hex");
      item.pass_sig = *sig;
      pass_signer = address(r, "passSigner", where);
    }
    p.prev_claimed.push_back(r.contains("prevClaimedBytes") ? u64(r, "prevClaimedBytes", where) : 0);
    p.pass_signers.push_back(pass_signer);
    p.items.push_back(std::move(item));
  }
  return p;
}

crypto::Bytes32 channel_key(const crypto::Receipt& r) {
  std::array<uint8_t, 128> buf{};
  std::copy(r.leecher.begin(), r.leecher.end(), buf.begin() + 12);
  std::copy(r.seeder.begin(), r.seeder.end(), buf.begin() + 44);
  std::copy(r.infohash.begin(), r.infohash.end(), buf.begin() + 64);  // bytes20: left-aligned
  for (int i = 0; i < 8; ++i) buf[127 - i] = static_cast<uint8_t>(r.channel >> (8 * i));
  return crypto::keccak256(buf);
}

std::vector<ItemForecast> forecast_items(const ParsedClaim& claim, const std::vector<uint64_t>& paid_bytes,
                                         const std::vector<std::optional<pool::Bounty>>& bounties,
                                         const std::vector<uint64_t>& leecher_paid) {
  std::vector<ItemForecast> out(claim.items.size());
  std::map<crypto::Bytes32, uint64_t> channel_paid;  // raised as items are paid, as on chain
  std::map<std::pair<crypto::InfoHash20, crypto::Address>, uint64_t> cap_used;
  std::map<crypto::InfoHash20, crypto::uint256> spent;  // by bounty funder+infohash stand-in
  const crypto::uint256 gib = crypto::uint256(1) << 30;
  for (size_t i = 0; i < claim.items.size(); ++i) {
    const auto& item = claim.items[i];
    const auto& r = item.receipt;
    auto& f = out[i];
    const auto digest = crypto::receipt_digest(claim.domain, r);
    if (!crypto::verify_proof(claim.claim.receipts_root, digest, item.proof)) { f.reason = 1; continue; }
    if (r.seeder != claim.claim.claimant || r.leecher == r.seeder || r.channel == 0) { f.reason = 2; continue; }
    const auto signer = crypto::recover_signer(digest, item.signature);
    if (!signer || *signer != r.leecher) { f.reason = 3; continue; }
    const auto& b = bounties[i];
    if (!b || is_zero(b->funder) || b->infohash != r.infohash || r.timestamp > b->expires_at) { f.reason = 4; continue; }
    if (!is_zero(b->pass_signer)) {
      // Rule 5 as the pool checks it: the pass signature itself, not the passSigner the file names.
      const auto pass_signer = r.timestamp <= item.pass_exp
                                   ? crypto::recover_signer(crypto::pass_digest(claim.domain, {r.infohash, r.leecher, item.pass_exp}),
                                                            std::span<const uint8_t>(item.pass_sig))
                                   : std::nullopt;
      if (!pass_signer || *pass_signer != b->pass_signer) {
        f.reason = 5;
        continue;
      }
    }
    const auto key = channel_key(r);
    const uint64_t before = channel_paid.count(key) ? channel_paid[key] : paid_bytes[i];
    if (r.bytes <= before) { f.reason = 6; continue; }
    const crypto::uint256 left = b->balance > spent[b->infohash] ? b->balance - spent[b->infohash] : 0;
    if (left == 0) { f.reason = 7; continue; }
    uint64_t delta = r.bytes - before;
    const auto cap_key = std::make_pair(b->infohash, r.leecher);
    if (b->max_bytes_per_leecher != 0) {
      const uint64_t used = leecher_paid[i] + cap_used[cap_key];
      delta = used >= b->max_bytes_per_leecher ? 0 : std::min(delta, b->max_bytes_per_leecher - used);
    }
    if (delta == 0) { f.reason = 7; continue; }
    crypto::uint256 amount = crypto::uint256(delta) * b->rate_per_gib / gib;
    if (amount > left) {
      delta = to_u64(left * gib / b->rate_per_gib, "delta");
      if (delta == 0) { f.reason = 7; continue; }
      amount = crypto::uint256(delta) * b->rate_per_gib / gib;
    }
    channel_paid[key] = before + delta;
    cap_used[cap_key] += delta;
    spent[b->infohash] += amount;
    f.delta_bytes = delta;
    f.amount = amount;
  }
  return out;
}

}  // namespace seedd::chain
