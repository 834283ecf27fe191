#include "daemon/crypto/eip712.hpp"

#include <algorithm>
#include <vector>

#include "daemon/crypto/keccak.hpp"

namespace seedd::crypto {

namespace {

// hashStruct input: 32-byte words appended one by one, as abi.encode lays them out.
class Encoder {
 public:
  explicit Encoder(size_t words) { m_data.reserve(words * 32); }

  void bytes32(const Bytes32& value) { m_data.insert(m_data.end(), value.begin(), value.end()); }

  // Fixed-size bytesN sit at the start of their word (bytes20 infohash).
  void bytes20(const std::array<uint8_t, 20>& value) {
    m_data.insert(m_data.end(), value.begin(), value.end());
    m_data.insert(m_data.end(), 12, uint8_t{0});
  }

  // An address is a uint160: it sits at the end of its word.
  void address(const Address& value) {
    m_data.insert(m_data.end(), 12, uint8_t{0});
    m_data.insert(m_data.end(), value.begin(), value.end());
  }

  void uint64(uint64_t value) {
    m_data.insert(m_data.end(), 24, uint8_t{0});
    for (int shift = 56; shift >= 0; shift -= 8) {
      m_data.push_back(static_cast<uint8_t>(value >> shift));
    }
  }

  void uint256(const crypto::uint256& value) {
    for (int byte = 31; byte >= 0; --byte) {
      m_data.push_back(static_cast<uint8_t>(static_cast<unsigned>((value >> (8 * byte)) & 0xff)));
    }
  }

  Bytes32 hash() const { return keccak256(m_data); }

 private:
  std::vector<uint8_t> m_data;
};

Bytes32 typed_data_digest(const Domain& domain, const Bytes32& struct_hash) {
  std::array<uint8_t, 66> buf{};
  buf[0] = 0x19;
  buf[1] = 0x01;
  const Bytes32 separator = domain_separator(domain);
  std::copy(separator.begin(), separator.end(), buf.begin() + 2);
  std::copy(struct_hash.begin(), struct_hash.end(), buf.begin() + 34);
  return keccak256(buf);
}

}  // namespace

Bytes32 domain_separator(const Domain& domain) {
  // The parts fixed by the protocol are hashed once; only chainId and the pool vary.
  static const Bytes32 type_hash = keccak256(kDomainTypeString);
  static const Bytes32 name_hash = keccak256(kDomainName);
  static const Bytes32 version_hash = keccak256(kDomainVersion);
  Encoder enc(5);
  enc.bytes32(type_hash);
  enc.bytes32(name_hash);
  enc.bytes32(version_hash);
  enc.uint64(domain.chain_id);  // uint256 on the wire; a uint64 right-aligns the same way
  enc.address(domain.verifying_contract);
  return enc.hash();
}

Bytes32 receipt_type_hash() {
  static const Bytes32 hash = keccak256(kReceiptTypeString);
  return hash;
}

Bytes32 receipt_struct_hash(const Receipt& receipt) {
  Encoder enc(7);
  enc.bytes32(receipt_type_hash());
  enc.bytes20(receipt.infohash);
  enc.address(receipt.seeder);
  enc.address(receipt.leecher);
  enc.uint64(receipt.channel);
  enc.uint64(receipt.bytes);
  enc.uint64(receipt.timestamp);
  return enc.hash();
}

Bytes32 receipt_digest(const Domain& domain, const Receipt& receipt) {
  return typed_data_digest(domain, receipt_struct_hash(receipt));
}

Bytes32 claim_type_hash() {
  static const Bytes32 hash = keccak256(kClaimTypeString);
  return hash;
}

Bytes32 claim_struct_hash(const Claim& claim) {
  Encoder enc(9);
  enc.bytes32(claim_type_hash());
  enc.address(claim.claimant);
  enc.address(claim.payout);
  enc.bytes32(claim.receipts_root);
  enc.uint64(claim.receipt_count);
  enc.uint64(claim.total_bytes);
  enc.uint256(claim.amount);
  enc.uint64(claim.nonce);
  enc.uint64(claim.created_at);
  return enc.hash();
}

Bytes32 claim_digest(const Domain& domain, const Claim& claim) {
  return typed_data_digest(domain, claim_struct_hash(claim));
}

Bytes32 pass_type_hash() {
  static const Bytes32 hash = keccak256(kPassTypeString);
  return hash;
}

Bytes32 pass_struct_hash(const Pass& pass) {
  Encoder enc(4);
  enc.bytes32(pass_type_hash());
  enc.bytes20(pass.infohash);
  enc.address(pass.leecher);
  enc.uint64(pass.expires_at);
  return enc.hash();
}

Bytes32 pass_digest(const Domain& domain, const Pass& pass) {
  return typed_data_digest(domain, pass_struct_hash(pass));
}

}  // namespace seedd::crypto
