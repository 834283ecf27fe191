#pragma once
// HTTP Basic authentication: the cookie (user __cookie__) and rpc_auth entries
// `user:salt$hmac` (hex HMAC-SHA256 of the password keyed with the salt, as bitcoind's
// rpcauth), optionally followed by `:read` or `:admin` (the default).
#include <optional>
#include <string>
#include <vector>

#include "rpc/context.hpp"

namespace seedd::rpc {

constexpr const char* kCookieUser = "__cookie__";

struct RpcAuthEntry {
  std::string user;
  std::string salt;
  std::string hmac_hex;
  Scope scope = Scope::admin;
  /// nullopt when `text` is not of the form above.
  static std::optional<RpcAuthEntry> parse(const std::string& text);
};

/// hex(HMAC-SHA256(key = salt, message = password)).
std::string rpc_auth_hmac(const std::string& salt, const std::string& password);
/// A new entry line for `user` with a random salt; the caller shows the password once.
std::string make_rpc_auth_entry(const std::string& user, const std::string& password, Scope scope);
/// 32 random bytes as 64 hex characters (cookie secrets, passwords, salts).
std::string random_hex(size_t bytes);

class Authenticator {
 public:
  Authenticator(std::string cookie_password, std::vector<RpcAuthEntry> users);
  /// The caller's scope for an Authorization header, or nullopt. Comparisons are constant-time.
  std::optional<Scope> check(const std::string& authorization_header) const;
  /// The user name in an Authorization header (for logs), or "".
  static std::string user_of(const std::string& authorization_header);

 private:
  std::string m_cookie_password;
  std::string m_cookie_header;  // "Basic " and the base64 of the cookie's credentials, made once
  std::vector<RpcAuthEntry> m_users;
};

}  // namespace seedd::rpc
