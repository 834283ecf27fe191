#pragma once
// The seeder's acceptance rules for a receipt (docs/protocol.md section 4, "Seeder").
#include <optional>

#include "daemon/accountant/ledger.hpp"
#include "daemon/accountant/peer_state.hpp"

namespace seedd::accountant {

/// Checks `r` against the rules; nullopt = accept. On acceptance the connection's channel,
/// last b and last ts advance. Runs on the accountant's worker thread only.
std::optional<RejectReason> check_receipt(const InboundReceipt& r, PeerConnection& conn, const crypto::Domain& domain,
                                          const crypto::Address& self, int64_t now);

/// The receipt `r` stands for, with the fields the wire leaves out filled in from the connection.
crypto::Receipt receipt_of(const InboundReceipt& r, const PeerConnection& conn, const crypto::Address& self);

}  // namespace seedd::accountant
