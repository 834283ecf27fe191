#pragma once
// secp256k1 keys, Ethereum-style signatures (r ‖ s ‖ v) and addresses (EIP-55 in text).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "daemon/crypto/types.hpp"

namespace seedd::crypto {

/// A secp256k1 private key that is always valid (non-zero, below the curve order).
class PrivateKey {
 public:
  /// A fresh key from the kernel CSPRNG (getrandom), redrawn until it is a valid scalar.
  static PrivateKey generate();

  /// Parses 64 hex digits (optional "0x"); std::nullopt when malformed or not a valid scalar.
  static std::optional<PrivateKey> from_hex(std::string_view text);

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  /// Wipes the secret so it does not linger in freed memory.
  ~PrivateKey();

  /// 64 lowercase hex digits without prefix: the node.key file format. A secret: never log it.
  std::string to_hex() const;

  /// 0x04 ‖ X ‖ Y.
  std::array<uint8_t, 65> public_key_uncompressed() const;

  /// The Ethereum address of this key.
  Address address() const;

  /// Signs a 32-byte digest with an RFC 6979 nonce: r ‖ s ‖ v, low s, v = recid + 27. The same
  /// key and digest always give the same bytes (equal to ethers.js's).
  Signature sign(const Bytes32& digest) const;

 private:
  explicit PrivateKey(const std::array<uint8_t, 32>& secret) : m_secret(secret) {}

  std::array<uint8_t, 32> m_secret;
};

/// The address that signed `digest`, or std::nullopt when the signature is invalid: v not 27/28,
/// r or s zero or not below the curve order, s above n/2 (the malleated twin), or no key
/// recovers.
std::optional<Address> recover_signer(const Bytes32& digest, const Signature& signature);

/// As above for a signature of unchecked length (from the wire or JSON); any length but 65 is
/// invalid.
std::optional<Address> recover_signer(const Bytes32& digest, std::span<const uint8_t> signature);

/// Last 20 bytes of keccak256(X ‖ Y) of an uncompressed (0x04-prefixed) public key.
Address address_from_public_key(const std::array<uint8_t, 65>& public_key);

/// "0x" + EIP-55 mixed-case hex.
std::string to_checksum_address(const Address& address);

/// Parses "0x" + 40 hex digits. All-lowercase and all-uppercase are accepted as they carry no
/// checksum; mixed case must be a correct EIP-55 checksum, so a mistyped address is caught.
std::optional<Address> parse_address(std::string_view text);

}  // namespace seedd::crypto
