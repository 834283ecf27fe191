#include "rpc/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <string_view>

#include "daemon/util/base64.hpp"

namespace seedd::rpc {
namespace {

std::string to_hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

bool is_hex(const std::string& s) {
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

/// Whether `given` equals `secret`, in a time that depends on `given`'s length only: every byte
/// of `given` is compared (with the secret repeated), so neither the secret's contents nor its
/// length leak through timing. Cheaper than comparing two HMACs, which cost a third of a cookie
/// request's CPU (issue 18).
bool equal_secret(std::string_view given, std::string_view secret) {
  if (secret.empty()) return false;
  unsigned diff = given.size() != secret.size() ? 1U : 0U;
  for (size_t i = 0, j = 0; i < given.size(); ++i, j = j + 1 == secret.size() ? 0 : j + 1)
    diff |= static_cast<unsigned char>(given[i]) ^ static_cast<unsigned char>(secret[j]);
  return diff == 0;
}

std::optional<std::pair<std::string, std::string>> parse_basic(const std::string& header) {
  if (header.size() < 6 || header.compare(0, 6, "Basic ") != 0) return std::nullopt;
  auto decoded = util::base64_decode(std::string_view(header).substr(6));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::make_pair(decoded->substr(0, colon), decoded->substr(colon + 1));
}

}  // namespace

std::string random_hex(size_t bytes) {
  std::string buf(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(buf.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("no randomness from OpenSSL");
  return to_hex(reinterpret_cast<const unsigned char*>(buf.data()), bytes);
}

std::string rpc_auth_hmac(const std::string& salt, const std::string& password) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(password.data()), password.size(), out, &len);
  return to_hex(out, len);
}

std::optional<RpcAuthEntry> RpcAuthEntry::parse(const std::string& text) {
  RpcAuthEntry e;
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  e.user = text.substr(0, colon);
  std::string rest = text.substr(colon + 1);
  if (auto scope_colon = rest.find(':'); scope_colon != std::string::npos) {
    const auto scope = rest.substr(scope_colon + 1);
    if (scope == "read") e.scope = Scope::read;
    else if (scope == "admin") e.scope = Scope::admin;
    else return std::nullopt;
    rest = rest.substr(0, scope_colon);
  }
  const auto dollar = rest.find('$');
  if (dollar == std::string::npos) return std::nullopt;
  e.salt = rest.substr(0, dollar);
  e.hmac_hex = rest.substr(dollar + 1);
  if (e.salt.empty() || e.hmac_hex.size() != 64 || !is_hex(e.hmac_hex)) return std::nullopt;
  return e;
}

std::string make_rpc_auth_entry(const std::string& user, const std::string& password, Scope scope) {
  const auto salt = random_hex(16);
  return user + ":" + salt + "$" + rpc_auth_hmac(salt, password) + (scope == Scope::read ? ":read" : "");
}

Authenticator::Authenticator(std::string cookie_password, std::vector<RpcAuthEntry> users)
    : m_cookie_password(std::move(cookie_password)),
      m_cookie_header(m_cookie_password.empty()
                          ? std::string()
                          : "Basic " + util::base64_encode(std::string(kCookieUser) + ":" + m_cookie_password)),
      m_users(std::move(users)) {}

std::optional<Scope> Authenticator::check(const std::string& header) const {
  // The cookie as every client encodes it: no decoding, no copies. Other spellings of the same
  // credentials (whitespace inside the base64, say) take the way below.
  if (equal_secret(header, m_cookie_header)) return Scope::admin;
  auto creds = parse_basic(header);
  if (!creds) return std::nullopt;
  const auto& [user, password] = *creds;
  if (user == kCookieUser)
    return equal_secret(password, m_cookie_password) ? std::optional(Scope::admin) : std::nullopt;
  for (const auto& e : m_users)
    if (e.user == user && CRYPTO_memcmp(rpc_auth_hmac(e.salt, password).data(), e.hmac_hex.data(), 64) == 0)
      return e.scope;
  return std::nullopt;
}

std::string Authenticator::user_of(const std::string& header) {
  auto creds = parse_basic(header);
  return creds ? creds->first.substr(0, 64) : std::string();
}

}  // namespace seedd::rpc
