#include "daemon/crypto/merkle.hpp"

#include <algorithm>
#include <stdexcept>

#include "daemon/crypto/keccak.hpp"

namespace seedd::crypto {

namespace {

// Sorting the pair makes the hash commutative, which is why a proof needs no left/right flags.
Bytes32 hash_pair(const Bytes32& a, const Bytes32& b) {
  std::array<uint8_t, 64> buf{};
  const auto& [lo, hi] = std::minmax(a, b);
  std::copy(lo.begin(), lo.end(), buf.begin());
  std::copy(hi.begin(), hi.end(), buf.begin() + 32);
  return keccak256(buf);
}

}  // namespace

MerkleTree MerkleTree::of(std::vector<Bytes32> leaves) {
  if (leaves.empty()) throw std::invalid_argument("a Merkle tree needs at least one leaf");
  // std::array compares lexicographically by unsigned bytes: the same order as OZ's compare().
  std::sort(leaves.begin(), leaves.end());
  const size_t n = leaves.size();
  std::vector<Bytes32> nodes(2 * n - 1);
  for (size_t k = 0; k < n; ++k) nodes[nodes.size() - 1 - k] = leaves[k];
  for (size_t i = n - 1; i-- > 0;) nodes[i] = hash_pair(nodes[2 * i + 1], nodes[2 * i + 2]);
  return MerkleTree(std::move(nodes), n);
}

const Bytes32& MerkleTree::root() const { return m_nodes.front(); }

std::vector<Bytes32> MerkleTree::proof(const Bytes32& leaf) const {
  // Leaves occupy the last n slots in descending order. SimpleMerkleTree's lookup table keeps
  // the last copy of a duplicated value in sorted order, i.e. the lowest tree index: search
  // from the front of the leaf range.
  const size_t first_leaf = m_nodes.size() - m_leaf_count;
  const auto it = std::find(m_nodes.begin() + static_cast<std::ptrdiff_t>(first_leaf),
                            m_nodes.end(), leaf);
  if (it == m_nodes.end()) throw std::invalid_argument("leaf is not in the Merkle tree");
  size_t index = static_cast<size_t>(it - m_nodes.begin());
  std::vector<Bytes32> out;
  while (index > 0) {
    // Odd indices are left children, their sibling is to the right.
    out.push_back(m_nodes[index % 2 == 1 ? index + 1 : index - 1]);
    index = (index - 1) / 2;
  }
  return out;
}

bool verify_proof(const Bytes32& root, const Bytes32& leaf, std::span<const Bytes32> proof) {
  Bytes32 computed = leaf;
  for (const Bytes32& sibling : proof) computed = hash_pair(computed, sibling);
  return computed == root;
}

}  // namespace seedd::crypto
