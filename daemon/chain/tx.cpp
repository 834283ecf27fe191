#include "daemon/chain/tx.hpp"

#include "daemon/chain/quantity.hpp"
#include "daemon/chain/rlp.hpp"
#include "daemon/crypto/keccak.hpp"

namespace seedd::chain {

namespace {

constexpr uint8_t kTxType = 0x02;

std::vector<std::vector<uint8_t>> unsigned_fields(const Eip1559Tx& tx) {
  std::vector<std::vector<uint8_t>> f;
  f.push_back(rlp::encode_uint(tx.chain_id));
  f.push_back(rlp::encode_uint(tx.nonce));
  f.push_back(rlp::encode_uint(tx.max_priority_fee_per_gas));
  f.push_back(rlp::encode_uint(tx.max_fee_per_gas));
  f.push_back(rlp::encode_uint(tx.gas_limit));
  f.push_back(tx.to ? rlp::encode_bytes(*tx.to) : rlp::encode_bytes({}));
  f.push_back(rlp::encode_uint(tx.value));
  f.push_back(rlp::encode_bytes(tx.data));
  f.push_back(rlp::encode_list({}));  // accessList
  return f;
}

std::vector<uint8_t> typed(const std::vector<uint8_t>& rlp_list) {
  std::vector<uint8_t> out;
  out.reserve(rlp_list.size() + 1);
  out.push_back(kTxType);
  out.insert(out.end(), rlp_list.begin(), rlp_list.end());
  return out;
}

}  // namespace

std::vector<uint8_t> unsigned_payload(const Eip1559Tx& tx) { return typed(rlp::encode_list(unsigned_fields(tx))); }

crypto::Bytes32 signing_hash(const Eip1559Tx& tx) { return crypto::keccak256(unsigned_payload(tx)); }

SignedTx sign_transaction(const Eip1559Tx& tx, const crypto::PrivateKey& key) {
  const crypto::Signature sig = key.sign(signing_hash(tx));
  SignedTx out;
  std::copy(sig.begin(), sig.begin() + 32, out.r.begin());
  std::copy(sig.begin() + 32, sig.begin() + 64, out.s.begin());
  out.y_parity = static_cast<uint8_t>(sig[64] - 27);
  out.from = key.address();

  auto fields = unsigned_fields(tx);
  fields.push_back(rlp::encode_uint(out.y_parity));
  // r and s are integers in RLP: their leading zero bytes go.
  fields.push_back(rlp::encode_uint(from_be_bytes(out.r)));
  fields.push_back(rlp::encode_uint(from_be_bytes(out.s)));
  out.raw = typed(rlp::encode_list(fields));
  out.hash = crypto::keccak256(out.raw);
  return out;
}

}  // namespace seedd::chain
