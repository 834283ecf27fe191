#pragma once
// Passes (docs/protocol.md section 9): a creator's signed word that a leecher is a real viewer of
// a torrent until a time. The pass document is what a creator hands a viewer and the viewer
// loads with pass.add:
// ```
// { "infohash": "0x…",      // 20 bytes, 0x hex (the torrent's v1 info-hash)
//   "leecher": "0x…",       // the viewer's node address, EIP-55
//   "expiresAt": "…",       // unix seconds, a decimal string
//   "signer": "0x…",        // the pass signer's address, EIP-55
//   "signature": "0x…" }    // 65 bytes r ‖ s ‖ v over the EIP-712 Pass digest in the pool's domain
// ```
// Pure: no database, no clock, no network (the caller passes `now`).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::accountant {

/// A pass document, parsed.
struct PassDocument {
  crypto::Pass pass;
  crypto::Address signer{};
  crypto::Signature signature{};
};

/// What a seeder keeps with a channel, and puts beside the receipts of that channel in a claim
/// (`passExp`, `passSig`, `passSigner`): the pass the leecher showed on that connection.
struct ChannelPass {
  uint64_t expires_at = 0;
  crypto::Signature signature{};
  crypto::Address signer{};
};

/// A pass document that is not well formed; the message names the field and the value.
class PassFormatError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A pass document this node does not take (pass.add): the message says why.
class PassRefused : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Signs `pass` with `key` in `domain`: the document a creator hands a viewer.
PassDocument issue_pass(const crypto::Domain& domain, const crypto::Pass& pass, const crypto::PrivateKey& key);

/// The document as JSON (the format at the top of this header).
nlohmann::json pass_to_json(const PassDocument& doc);

/// Reads a pass document; expiresAt may also be a JSON integer. Throws PassFormatError naming
/// the bad field. Checks the form only, not the signature.
PassDocument pass_from_json(const nlohmann::json& json);

/// The address whose signature `signature` is over the Pass (infohash, leecher, expires_at) in
/// `domain`; std::nullopt when the signature is invalid (docs/protocol.md 2: 65 bytes, v 27/28,
/// low s). Any valid signature recovers some address: whether it is a signer that counts is the
/// caller's question.
std::optional<crypto::Address> recover_pass_signer(const crypto::Domain& domain, const crypto::Pass& pass,
                                                   const crypto::Signature& signature);

/// Why a pass document does not hold for the leecher `self` at `now`, or std::nullopt when it
/// does: its signature recovers its `signer` in `domain`, it names `self`, and it has not
/// expired (now ≤ expiresAt). The message names the field and the value.
std::optional<std::string> pass_problem(const PassDocument& doc, const crypto::Domain& domain,
                                        const crypto::Address& self, int64_t now);

}  // namespace seedd::accountant
