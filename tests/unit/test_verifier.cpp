// The seeder's acceptance rules for a receipt (docs/protocol.md section 4, "Seeder"), each at
// its boundary: check_receipt() on real signatures, with the connection state it keeps.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "daemon/accountant/verifier.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/keys.hpp"

using namespace seedd;
using namespace seedd::accountant;

namespace {

constexpr int64_t kNow = 1'800'000'000;

/// s := n - s (secp256k1's group order), v := 55 - v.
void high_s_twin(crypto::Signature& sig) {
  static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
                                0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
  int borrow = 0;
  for (int i = 31; i >= 0; --i) {
    int d = n[i] - sig[32 + i] - borrow;
    borrow = d < 0;
    sig[32 + i] = static_cast<uint8_t>(d + (borrow ? 256 : 0));
  }
  sig[64] = static_cast<uint8_t>(55 - sig[64]);
}

struct Fixture {
  crypto::PrivateKey seeder = *crypto::PrivateKey::from_hex(std::string(63, '1') + "2");
  crypto::PrivateKey leecher = *crypto::PrivateKey::from_hex(std::string(63, '3') + "4");
  crypto::Domain domain{31337, {}};
  std::shared_ptr<PeerConnection> conn = std::make_shared<PeerConnection>();

  Fixture() {
    conn->infohash.fill(0xab);
    conn->peer_address = leecher.address();
    conn->is_seedd = true;
  }

  /// A receipt signed by `key` (the leecher by default) in `domain`, with `uploaded` bytes sent.
  InboundReceipt receipt(uint64_t channel, uint64_t bytes, uint64_t ts, uint64_t uploaded,
                         const crypto::PrivateKey* key = nullptr, const crypto::Domain* in = nullptr) {
    InboundReceipt r;
    r.conn = conn;
    r.channel = channel;
    r.bytes = bytes;
    r.timestamp = ts;
    r.uploaded_then = uploaded;
    const auto message = receipt_of(r, *conn, seeder.address());
    r.signature = (key ? *key : leecher).sign(crypto::receipt_digest(in ? *in : domain, message));
    return r;
  }

  std::optional<RejectReason> check(const InboundReceipt& r) {
    return check_receipt(r, *conn, domain, seeder.address(), kNow);
  }
};

}  // namespace

TEST_CASE("an honest receipt is accepted and advances the channel's state", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 1000)));
  CHECK(f.conn->has_receipt);
  CHECK(f.conn->channel == 7);
  CHECK(f.conn->last_b == 1000);
  CHECK(f.conn->last_ts == static_cast<uint64_t>(kNow));
}

TEST_CASE("rule 1: a receipt from a peer without a seedd handshake is malformed", "[verifier]") {
  Fixture f;
  f.conn->is_seedd = false;
  CHECK(f.check(f.receipt(7, 1000, kNow, 1000)) == RejectReason::malformed);
  InboundReceipt bad = f.receipt(7, 1000, kNow, 1000);
  f.conn->is_seedd = true;
  bad.malformed = true;
  CHECK(f.check(bad) == RejectReason::malformed);
  CHECK_FALSE(f.conn->has_receipt);
}

TEST_CASE("rule 2: the signature must be valid and recover the handshake's address", "[verifier]") {
  Fixture f;
  const auto other = *crypto::PrivateKey::from_hex(std::string(63, '5') + "6");
  CHECK(f.check(f.receipt(7, 1000, kNow, 1000, &other)) == RejectReason::wrong_signer);
  // Signed for another pool: recovers some other address.
  crypto::Domain elsewhere{1, {}};
  CHECK(f.check(f.receipt(7, 1000, kNow, 1000, nullptr, &elsewhere)) == RejectReason::wrong_signer);
  // v outside 27/28.
  auto r = f.receipt(7, 1000, kNow, 1000);
  r.signature[64] = 29;
  CHECK(f.check(r) == RejectReason::bad_signature);
  // The high-s twin of a valid signature (s' = n - s, v flipped) recovers the same address in
  // plain ECDSA; section 2 makes it invalid.
  r = f.receipt(7, 1000, kNow, 1000);
  high_s_twin(r.signature);
  CHECK(f.check(r) == RejectReason::bad_signature);
  CHECK_FALSE(f.conn->has_receipt);
}

TEST_CASE("rule 3: the channel is non-zero and never changes on a connection", "[verifier]") {
  Fixture f;
  CHECK(f.check(f.receipt(0, 1000, kNow, 1000)) == RejectReason::malformed);
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 2000)));
  CHECK(f.check(f.receipt(8, 2000, kNow, 2000)) == RejectReason::channel_changed);
  CHECK(f.conn->channel == 7);
}

TEST_CASE("rule 4: bytes and timestamp never decrease; equal is fine", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 5000)));
  CHECK_FALSE(f.check(f.receipt(7, 1000, kNow, 5000)));  // the same figures again
  CHECK(f.check(f.receipt(7, 999, kNow, 5000)) == RejectReason::not_monotonic);
  CHECK(f.check(f.receipt(7, 2000, kNow - 1, 5000)) == RejectReason::not_monotonic);
  CHECK(f.conn->last_b == 1000);
}

TEST_CASE("rule 4: the timestamp is within 300 s of now, both ways", "[verifier]") {
  Fixture f;
  CHECK(f.check(f.receipt(7, 10, kNow + kMaxClockSkewSeconds + 1, 100)) == RejectReason::stale_timestamp);
  CHECK(f.check(f.receipt(7, 10, kNow - kMaxClockSkewSeconds - 1, 100)) == RejectReason::stale_timestamp);
  CHECK_FALSE(f.check(f.receipt(7, 10, kNow - kMaxClockSkewSeconds, 100)));
  CHECK_FALSE(f.check(f.receipt(7, 20, kNow + kMaxClockSkewSeconds, 100)));
}

TEST_CASE("rule 5: bytes may pass what was sent by 16 KiB, not one byte more", "[verifier]") {
  Fixture f;
  const uint64_t sent = 1 << 20;
  CHECK(f.check(f.receipt(7, sent + kOverClaimSlackBytes + 1, kNow, sent)) == RejectReason::over_claim);
  CHECK_FALSE(f.check(f.receipt(7, sent + kOverClaimSlackBytes, kNow, sent)));
}

TEST_CASE("a rejected receipt leaves the channel's state as it was", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 1000)));
  CHECK(f.check(f.receipt(7, 100'000, kNow, 1000)) == RejectReason::over_claim);
  CHECK(f.conn->last_b == 1000);
  REQUIRE_FALSE(f.check(f.receipt(7, 1000 + kOverClaimSlackBytes, kNow, 1000)));
}

TEST_CASE("the protocol's two limits: 300 s of clock skew and 16 KiB of over-claim", "[verifier]") {
  // The cases above use the constants; these pin them to docs/protocol.md section 4.
  CHECK(kMaxClockSkewSeconds == 300);
  CHECK(kOverClaimSlackBytes == 16384);
}

TEST_CASE("rule 2: v is 27 or 28, and r or s of zero is no signature", "[verifier]") {
  Fixture f;
  const auto good = f.receipt(7, 1000, kNow, 1000);
  REQUIRE((good.signature[64] == 27 || good.signature[64] == 28));
  auto r = good;
  r.signature[64] = 26;
  CHECK(f.check(r) == RejectReason::bad_signature);
  // The other valid v recovers another key: a valid signature of someone else.
  r = good;
  r.signature[64] = static_cast<uint8_t>(55 - good.signature[64]);
  CHECK(f.check(r) == RejectReason::wrong_signer);
  r = good;
  std::fill(r.signature.begin(), r.signature.begin() + 32, uint8_t{0});
  CHECK(f.check(r) == RejectReason::bad_signature);
  r = good;
  std::fill(r.signature.begin() + 32, r.signature.begin() + 64, uint8_t{0});
  CHECK(f.check(r) == RejectReason::bad_signature);
  CHECK_FALSE(f.conn->has_receipt);
  CHECK_FALSE(f.check(good));
}

TEST_CASE("rule 2 comes first: a forged receipt is refused for its signature, whatever else it breaks", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 1000)));
  const auto other = *crypto::PrivateKey::from_hex(std::string(63, '5') + "6");
  // Another channel, fewer bytes, an old timestamp and an over-claim: still only wrong_signer.
  CHECK(f.check(f.receipt(8, 1, kNow - 10 * kMaxClockSkewSeconds, 0, &other)) == RejectReason::wrong_signer);
  auto r = f.receipt(8, 1, kNow, 1000);
  r.signature[64] = 29;
  CHECK(f.check(r) == RejectReason::bad_signature);
}

TEST_CASE("rule 3: the largest channel is fine, and 0 stays malformed after an accepted receipt", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(UINT64_MAX, 1000, kNow, 1000)));
  CHECK(f.conn->channel == UINT64_MAX);
  CHECK(f.check(f.receipt(0, 1000, kNow, 1000)) == RejectReason::malformed);
  CHECK(f.check(f.receipt(UINT64_MAX - 1, 1000, kNow, 1000)) == RejectReason::channel_changed);
  CHECK_FALSE(f.check(f.receipt(UINT64_MAX, 1000, kNow, 1000)));
}

TEST_CASE("rule 4: bytes and timestamp are checked apart: either may stay while the other grows", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 5000)));
  CHECK_FALSE(f.check(f.receipt(7, 1000, kNow + 1, 5000)));
  CHECK(f.conn->last_ts == static_cast<uint64_t>(kNow + 1));
  CHECK_FALSE(f.check(f.receipt(7, 1001, kNow + 1, 5000)));
  CHECK(f.conn->last_b == 1001);
  // More bytes do not make up for a timestamp one second back.
  CHECK(f.check(f.receipt(7, 4000, kNow, 5000)) == RejectReason::not_monotonic);
}

TEST_CASE("rule 4: a timestamp of 0, or past 2^63 (negative as a signed number), is stale", "[verifier]") {
  Fixture f;
  CHECK(f.check(f.receipt(7, 10, UINT64_MAX, 100)) == RejectReason::stale_timestamp);
  CHECK(f.check(f.receipt(7, 10, static_cast<uint64_t>(INT64_MAX) + 1, 100)) == RejectReason::stale_timestamp);
  CHECK(f.check(f.receipt(7, 10, 0, 100)) == RejectReason::stale_timestamp);
  CHECK_FALSE(f.conn->has_receipt);
}

TEST_CASE("rule 5: with nothing sent, 16 KiB is the most a receipt may say", "[verifier]") {
  Fixture f;
  CHECK(f.check(f.receipt(7, kOverClaimSlackBytes + 1, kNow, 0)) == RejectReason::over_claim);
  CHECK_FALSE(f.check(f.receipt(7, kOverClaimSlackBytes, kNow, 0)));
}

TEST_CASE("every kind of rejection leaves the channel's state as it was", "[verifier]") {
  Fixture f;
  REQUIRE_FALSE(f.check(f.receipt(7, 1000, kNow, 1000)));
  const auto other = *crypto::PrivateKey::from_hex(std::string(63, '5') + "6");
  auto bad_v = f.receipt(7, 1500, kNow, 2000);
  bad_v.signature[64] = 29;
  auto malformed = f.receipt(7, 1500, kNow, 2000);
  malformed.malformed = true;
  const std::vector<std::pair<InboundReceipt, RejectReason>> rejected = {
      {malformed, RejectReason::malformed},
      {bad_v, RejectReason::bad_signature},
      {f.receipt(7, 1500, kNow, 2000, &other), RejectReason::wrong_signer},
      {f.receipt(9, 1500, kNow, 2000), RejectReason::channel_changed},
      {f.receipt(7, 999, kNow, 2000), RejectReason::not_monotonic},
      {f.receipt(7, 1500, kNow + kMaxClockSkewSeconds + 1, 2000), RejectReason::stale_timestamp},
      {f.receipt(7, 2000 + kOverClaimSlackBytes + 1, kNow, 2000), RejectReason::over_claim},
  };
  for (const auto& [r, reason] : rejected) {
    CAPTURE(static_cast<int>(reason));
    CHECK(f.check(r) == reason);
    CHECK(f.conn->has_receipt);
    CHECK(f.conn->channel == 7);
    CHECK(f.conn->last_b == 1000);
    CHECK(f.conn->last_ts == static_cast<uint64_t>(kNow));
  }
}
