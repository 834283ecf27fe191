#include "daemon/accountant/pass.hpp"

#include "daemon/crypto/hex.hpp"

namespace seedd::accountant {

namespace {

using json = nlohmann::json;

std::string clip(const std::string& text) { return text.size() <= 80 ? text : text.substr(0, 77) + "..."; }

const json& member(const json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) throw PassFormatError(std::string("pass.") + key + ": missing");
  return *it;
}

std::string text(const json& doc, const char* key) {
  const json& v = member(doc, key);
  if (!v.is_string()) throw PassFormatError(std::string("pass.") + key + ": expected a string, got " + v.type_name());
  return v.get<std::string>();
}

crypto::Address address(const json& doc, const char* key) {
  const auto t = text(doc, key);
  auto a = crypto::parse_address(t);
  if (!a) throw PassFormatError(std::string("pass.") + key + ": expected 0x + 40 hex digits (EIP-55 when mixed case), got \"" + clip(t) + "\"");
  return *a;
}

template <size_t N>
std::array<uint8_t, N> fixed(const json& doc, const char* key) {
  const auto t = text(doc, key);
  std::optional<std::array<uint8_t, N>> b;
  if (t.size() == 2 + 2 * N && t[0] == '0' && t[1] == 'x') b = crypto::from_hex_fixed<N>(t);
  if (!b) throw PassFormatError(std::string("pass.") + key + ": expected 0x + " + std::to_string(2 * N) + " hex digits, got \"" + clip(t) + "\"");
  return *b;
}

}  // namespace

PassDocument issue_pass(const crypto::Domain& domain, const crypto::Pass& pass, const crypto::PrivateKey& key) {
  return PassDocument{pass, key.address(), key.sign(crypto::pass_digest(domain, pass))};
}

json pass_to_json(const PassDocument& doc) {
  return {{"infohash", crypto::to_hex(doc.pass.infohash)},
          {"leecher", crypto::to_checksum_address(doc.pass.leecher)},
          {"expiresAt", std::to_string(doc.pass.expires_at)},
          {"signer", crypto::to_checksum_address(doc.signer)},
          {"signature", crypto::to_hex(doc.signature)}};
}

PassDocument pass_from_json(const json& doc) {
  if (!doc.is_object()) throw PassFormatError(std::string("pass: expected a JSON object, got ") + doc.type_name());
  PassDocument out;
  out.pass.infohash = fixed<20>(doc, "infohash");
  out.pass.leecher = address(doc, "leecher");
  const json& exp = member(doc, "expiresAt");
  std::optional<uint64_t> expires;
  if (exp.is_number_unsigned()) expires = exp.get<uint64_t>();
  else if (exp.is_number_integer() && exp.get<int64_t>() >= 0) expires = static_cast<uint64_t>(exp.get<int64_t>());
  else if (exp.is_string()) expires = crypto::parse_decimal_u64(exp.get<std::string>());
  if (!expires) throw PassFormatError("pass.expiresAt: expected unix seconds as a decimal uint64, got " + clip(exp.dump()));
  out.pass.expires_at = *expires;
  out.signer = address(doc, "signer");
  out.signature = fixed<65>(doc, "signature");
  return out;
}

std::optional<crypto::Address> recover_pass_signer(const crypto::Domain& domain, const crypto::Pass& pass,
                                                   const crypto::Signature& signature) {
  return crypto::recover_signer(crypto::pass_digest(domain, pass), signature);
}

std::optional<std::string> pass_problem(const PassDocument& doc, const crypto::Domain& domain,
                                        const crypto::Address& self, int64_t now) {
  const auto signer = recover_pass_signer(domain, doc.pass, doc.signature);
  if (!signer) return "pass.signature: not a valid signature (65 bytes, v 27/28, low s)";
  if (*signer != doc.signer)
    return "pass.signature: recovers " + crypto::to_checksum_address(*signer) + ", not pass.signer " +
           crypto::to_checksum_address(doc.signer) + " (forged or altered, or signed for another pool than chain " +
           std::to_string(domain.chain_id) + ", " + crypto::to_checksum_address(domain.verifying_contract) + ")";
  if (doc.pass.leecher != self)
    return "pass.leecher: " + crypto::to_checksum_address(doc.pass.leecher) + " is not this node (" +
           crypto::to_checksum_address(self) + ")";
  if (now < 0 || doc.pass.expires_at < static_cast<uint64_t>(now))
    return "pass.expiresAt: " + std::to_string(doc.pass.expires_at) + " has passed (now " + std::to_string(now) + ")";
  return std::nullopt;
}

}  // namespace seedd::accountant
