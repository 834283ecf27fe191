#include "daemon/crypto/keys.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <sys/random.h>

#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keccak.hpp"

namespace seedd::crypto {

namespace {

// secp256k1 group order n and n/2, big-endian: for the range and low-s checks that
// ecrecover-style verification needs and libsecp256k1's recovery does not enforce.
constexpr std::array<uint8_t, 32> kCurveOrder = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41};
constexpr std::array<uint8_t, 32> kHalfCurveOrder = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};

void fill_random(uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::getrandom(out + done, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    done += static_cast<size_t>(n);
  }
}

// One context for the process. After creation (and randomization, which mutates it) it is only
// read, which libsecp256k1 documents as safe from any number of threads.
const secp256k1_context* context() {
  static const secp256k1_context* const ctx = [] {
    secp256k1_context* c = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    if (c == nullptr) throw std::runtime_error("secp256k1_context_create failed");
    // Blinding against side channels on signing; not needed for correctness.
    std::array<uint8_t, 32> seed{};
    fill_random(seed.data(), seed.size());
    if (secp256k1_context_randomize(c, seed.data()) != 1) {
      throw std::runtime_error("secp256k1_context_randomize failed");
    }
    return c;
  }();
  return ctx;
}

bool is_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// a < b for two 32-byte big-endian unsigned numbers.
bool less_than(std::span<const uint8_t, 32> a, std::span<const uint8_t, 32> b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
}

bool is_hex_letter_lower(char c) { return c >= 'a' && c <= 'f'; }
bool is_hex_letter_upper(char c) { return c >= 'A' && c <= 'F'; }

}  // namespace

PrivateKey PrivateKey::generate() {
  std::array<uint8_t, 32> secret{};
  do {
    fill_random(secret.data(), secret.size());
  } while (secp256k1_ec_seckey_verify(context(), secret.data()) != 1);
  PrivateKey key(secret);
  std::fill(secret.begin(), secret.end(), uint8_t{0});
  return key;
}

std::optional<PrivateKey> PrivateKey::from_hex(std::string_view text) {
  auto secret = from_hex_fixed<32>(text);
  if (!secret) return std::nullopt;
  if (secp256k1_ec_seckey_verify(context(), secret->data()) != 1) return std::nullopt;
  return PrivateKey(*secret);
}

PrivateKey::~PrivateKey() {
  // volatile so the compiler cannot drop the stores as dead.
  volatile uint8_t* p = m_secret.data();
  for (size_t i = 0; i < m_secret.size(); ++i) p[i] = 0;
}

std::string PrivateKey::to_hex() const { return crypto::to_hex(m_secret, false); }

std::array<uint8_t, 65> PrivateKey::public_key_uncompressed() const {
  secp256k1_pubkey pubkey;
  if (secp256k1_ec_pubkey_create(context(), &pubkey, m_secret.data()) != 1) {
    throw std::logic_error("secp256k1_ec_pubkey_create failed on a verified key");
  }
  std::array<uint8_t, 65> out{};
  size_t len = out.size();
  secp256k1_ec_pubkey_serialize(context(), out.data(), &len, &pubkey, SECP256K1_EC_UNCOMPRESSED);
  return out;
}

Address PrivateKey::address() const { return address_from_public_key(public_key_uncompressed()); }

Signature PrivateKey::sign(const Bytes32& digest) const {
  secp256k1_ecdsa_recoverable_signature sig;
  // nullptr nonce function = RFC 6979, which is what makes signatures match ethers.js.
  if (secp256k1_ecdsa_sign_recoverable(context(), &sig, digest.data(), m_secret.data(), nullptr,
                                       nullptr) != 1) {
    throw std::runtime_error("secp256k1_ecdsa_sign_recoverable failed");
  }
  Signature out{};
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(context(), out.data(), &recid, &sig);
  out[64] = static_cast<uint8_t>(27 + recid);
  return out;
}

std::optional<Address> recover_signer(const Bytes32& digest, const Signature& signature) {
  const std::span<const uint8_t, 32> r(signature.data(), 32);
  const std::span<const uint8_t, 32> s(signature.data() + 32, 32);
  const uint8_t v = signature[64];
  if (v != 27 && v != 28) return std::nullopt;
  if (is_zero(r) || is_zero(s)) return std::nullopt;
  if (!less_than(r, kCurveOrder)) return std::nullopt;  // r ≥ n
  // s > n/2: the malleated twin of a valid signature; only one of the pair is accepted, so the
  // same receipt cannot be booked twice under two signature encodings.
  if (less_than(kHalfCurveOrder, s)) return std::nullopt;

  secp256k1_ecdsa_recoverable_signature sig;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(context(), &sig, signature.data(),
                                                          v - 27) != 1) {
    return std::nullopt;
  }
  secp256k1_pubkey pubkey;
  if (secp256k1_ecdsa_recover(context(), &pubkey, &sig, digest.data()) != 1) return std::nullopt;
  std::array<uint8_t, 65> serialized{};
  size_t len = serialized.size();
  secp256k1_ec_pubkey_serialize(context(), serialized.data(), &len, &pubkey,
                                SECP256K1_EC_UNCOMPRESSED);
  return address_from_public_key(serialized);
}

std::optional<Address> recover_signer(const Bytes32& digest, std::span<const uint8_t> signature) {
  if (signature.size() != 65) return std::nullopt;
  Signature fixed{};
  std::copy(signature.begin(), signature.end(), fixed.begin());
  return recover_signer(digest, fixed);
}

Address address_from_public_key(const std::array<uint8_t, 65>& public_key) {
  const Bytes32 hash = keccak256(std::span<const uint8_t>(public_key.data() + 1, 64));
  Address out{};
  std::copy(hash.end() - 20, hash.end(), out.begin());
  return out;
}

std::string to_checksum_address(const Address& address) {
  const std::string lower = to_hex(address, false);
  const Bytes32 hash = keccak256(std::string_view(lower));
  std::string out = "0x";
  out.reserve(42);
  for (size_t i = 0; i < lower.size(); ++i) {
    const uint8_t nibble = (i % 2 == 0) ? (hash[i / 2] >> 4) : (hash[i / 2] & 0x0f);
    const char c = lower[i];
    out += (is_hex_letter_lower(c) && nibble >= 8) ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

std::optional<Address> parse_address(std::string_view text) {
  if (text.size() != 42 || text[0] != '0' || text[1] != 'x') return std::nullopt;
  auto address = from_hex_fixed<20>(text);
  if (!address) return std::nullopt;
  const std::string_view digits = text.substr(2);
  const bool has_lower = std::any_of(digits.begin(), digits.end(), is_hex_letter_lower);
  const bool has_upper = std::any_of(digits.begin(), digits.end(), is_hex_letter_upper);
  if (has_lower && has_upper && to_checksum_address(*address) != text) return std::nullopt;
  return address;
}

}  // namespace seedd::crypto
