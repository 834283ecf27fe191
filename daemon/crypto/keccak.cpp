#include "daemon/crypto/keccak.hpp"

#include <cryptopp/keccak.h>

namespace seedd::crypto {

Bytes32 keccak256(std::span<const uint8_t> data) {
  // Keccak_256 is the pre-standard padding Ethereum kept; CryptoPP::SHA3_256 would be wrong.
  CryptoPP::Keccak_256 hash;
  static_assert(CryptoPP::Keccak_256::DIGESTSIZE == 32);
  hash.Update(data.data(), data.size());
  Bytes32 out{};
  hash.Final(out.data());
  return out;
}

Bytes32 keccak256(std::string_view text) {
  return keccak256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()),
                                            text.size()));
}

}  // namespace seedd::crypto
