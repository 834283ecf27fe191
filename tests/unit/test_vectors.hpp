#pragma once
// The test vectors in tests/vectors/ (made by ethers.js and OpenZeppelin's Merkle tree), read
// once per file, and the readers of their hex, address and decimal fields: one loader for every
// unit test that reproduces them.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/hex.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/types.hpp"

namespace seedd::test {

/// tests/vectors/<name> (e.g. "eip712.json"), parsed once.
inline const nlohmann::json& test_vectors(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, nlohmann::json> loaded;
  std::lock_guard lock(mutex);
  auto it = loaded.find(name);
  if (it == loaded.end()) {
    const std::string path = SEEDD_SOURCE_DIR "/tests/vectors/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    it = loaded.emplace(name, nlohmann::json::parse(in)).first;
  }
  return it->second;
}

/// A vector's 0x-hex field of exactly N bytes.
template <size_t N>
std::array<uint8_t, N> hex_n(const nlohmann::json& value) {
  auto parsed = crypto::from_hex_fixed<N>(value.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

inline crypto::Address addr(const nlohmann::json& value) {
  auto parsed = crypto::parse_address(value.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

/// A vector's decimal-string field.
inline uint64_t u64(const nlohmann::json& value) {
  auto parsed = crypto::parse_decimal_u64(value.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

inline crypto::uint256 u256(const nlohmann::json& value) {
  auto parsed = crypto::parse_decimal_u256(value.get<std::string>());
  REQUIRE(parsed);
  return *parsed;
}

/// An EIP-712 domain as the vector files write it: {chainId, verifyingContract}.
inline crypto::Domain domain_of(const nlohmann::json& d) {
  return crypto::Domain{d.at("chainId").get<uint64_t>(), addr(d.at("verifyingContract"))};
}

/// eip712.json's domain, and its i-th key.
inline crypto::Domain vector_domain() { return domain_of(test_vectors("eip712.json").at("domain")); }
inline crypto::PrivateKey vector_key(size_t i) {
  auto key = crypto::PrivateKey::from_hex(test_vectors("eip712.json").at("keys").at(i).at("private_key").get<std::string>());
  REQUIRE(key);
  return *key;
}

}  // namespace seedd::test
