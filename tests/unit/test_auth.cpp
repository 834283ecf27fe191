#include <catch2/catch.hpp>

#include "daemon/util/base64.hpp"
#include "rpc/auth.hpp"

using seedd::rpc::Authenticator;
using seedd::rpc::RpcAuthEntry;
using seedd::rpc::Scope;

namespace {

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + seedd::util::base64_encode(user + ":" + password);
}

const std::string kCookie = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

}  // namespace

TEST_CASE("the cookie is accepted as clients send it and in any other base64 spelling", "[auth]") {
  const Authenticator auth(kCookie, {});
  CHECK(auth.check(basic("__cookie__", kCookie)) == Scope::admin);
  // The same credentials with a space inside the base64 (the decoder skips whitespace): not the
  // precomputed header, the same answer.
  auto spaced = basic("__cookie__", kCookie);
  spaced.insert(40, " ");
  CHECK(auth.check(spaced) == Scope::admin);
}

TEST_CASE("a wrong, shortened, lengthened or empty cookie password is refused", "[auth]") {
  const Authenticator auth(kCookie, {});
  auto wrong = kCookie;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  CHECK_FALSE(auth.check(basic("__cookie__", wrong)));
  CHECK_FALSE(auth.check(basic("__cookie__", kCookie.substr(0, 63))));
  CHECK_FALSE(auth.check(basic("__cookie__", kCookie + kCookie)));  // the secret repeated
  CHECK_FALSE(auth.check(basic("__cookie__", kCookie + "0")));
  CHECK_FALSE(auth.check(basic("__cookie__", "")));
  CHECK_FALSE(auth.check(basic("__cookie__", kCookie).substr(0, 20)));
  CHECK_FALSE(auth.check(""));
  CHECK_FALSE(auth.check("Bearer " + kCookie));
  CHECK_FALSE(auth.check(basic("someone", kCookie)));  // the cookie's password under another name
}

TEST_CASE("without a cookie password no cookie header is accepted", "[auth]") {
  const Authenticator auth("", {});
  CHECK_FALSE(auth.check(basic("__cookie__", "")));
  CHECK_FALSE(auth.check("Basic "));
  CHECK_FALSE(auth.check(""));
}

TEST_CASE("rpc_auth users are checked against their salted HMAC and get their scope", "[auth]") {
  const Authenticator auth(kCookie, {*RpcAuthEntry::parse(seedd::rpc::make_rpc_auth_entry("alice", "pw-a", Scope::admin)),
                                     *RpcAuthEntry::parse(seedd::rpc::make_rpc_auth_entry("bob", "pw-b", Scope::read))});
  CHECK(auth.check(basic("alice", "pw-a")) == Scope::admin);
  CHECK(auth.check(basic("bob", "pw-b")) == Scope::read);
  CHECK_FALSE(auth.check(basic("alice", "pw-b")));
  CHECK_FALSE(auth.check(basic("carol", "pw-a")));
  CHECK(auth.check(basic("__cookie__", kCookie)) == Scope::admin);
}
