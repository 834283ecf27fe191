#include "daemon/accountant/verifier.hpp"

namespace seedd::accountant {

crypto::Receipt receipt_of(const InboundReceipt& r, const PeerConnection& conn, const crypto::Address& self) {
  crypto::Receipt out;
  out.infohash = conn.infohash;
  out.seeder = self;
  out.leecher = conn.peer_address;
  out.channel = r.channel;
  out.bytes = r.bytes;
  out.timestamp = r.timestamp;
  return out;
}

std::optional<RejectReason> check_receipt(const InboundReceipt& r, PeerConnection& conn, const crypto::Domain& domain,
                                          const crypto::Address& self, int64_t now) {
  // Rule 1 (a seedd handshake with an address) is part of "malformed": without it there is no
  // leecher to check the signature against.
  if (r.malformed || !conn.is_seedd.load(std::memory_order_acquire) || r.channel == 0) return RejectReason::malformed;
  // Rule 2 first: nothing else in an unauthenticated message is worth believing.
  const auto receipt = receipt_of(r, conn, self);
  const auto signer = crypto::recover_signer(crypto::receipt_digest(domain, receipt), r.signature);
  if (!signer) return RejectReason::bad_signature;
  if (*signer != conn.peer_address) return RejectReason::wrong_signer;
  // Rule 3.
  if (conn.has_receipt && r.channel != conn.channel) return RejectReason::channel_changed;
  // Rule 4.
  if (conn.has_receipt && (r.bytes < conn.last_b || r.timestamp < conn.last_ts)) return RejectReason::not_monotonic;
  const int64_t skew = static_cast<int64_t>(r.timestamp) - now;
  if (r.timestamp > static_cast<uint64_t>(INT64_MAX) || skew > kMaxClockSkewSeconds || skew < -kMaxClockSkewSeconds)
    return RejectReason::stale_timestamp;
  // Rule 5: a seeder never books what it did not send.
  if (r.bytes > r.uploaded_then + kOverClaimSlackBytes) return RejectReason::over_claim;
  conn.has_receipt = true;
  conn.channel = r.channel;
  conn.last_b = r.bytes;
  conn.last_ts = r.timestamp;
  return std::nullopt;
}

}  // namespace seedd::accountant
