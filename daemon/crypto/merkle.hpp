#pragma once
// The Merkle tree of a claim's receipt digests, built exactly as @openzeppelin/merkle-tree's
// SimpleMerkleTree builds it, so that a pool can check each receipt on chain with OpenZeppelin's
// MerkleProof.verify (docs/protocol.md section 6).
#include <span>
#include <vector>

#include "daemon/crypto/types.hpp"

namespace seedd::crypto {

/// A complete binary tree in an array of 2n-1 nodes: leaves sorted ascending as bytes, the k-th
/// sorted leaf at index 2n-2-k, each inner node the keccak256 of its children in sorted order.
class MerkleTree {
 public:
  /// Builds the tree of `leaves` (kept in full, duplicates included, as SimpleMerkleTree does).
  /// Throws std::invalid_argument when `leaves` is empty.
  static MerkleTree of(std::vector<Bytes32> leaves);

  /// The root; for a single leaf, the leaf itself.
  const Bytes32& root() const;

  /// Sibling hashes from `leaf` up to the root (SimpleMerkleTree.getProof). For a leaf present
  /// more than once, the proof of the same copy SimpleMerkleTree picks. Throws
  /// std::invalid_argument when `leaf` is not in the tree.
  std::vector<Bytes32> proof(const Bytes32& leaf) const;

 private:
  explicit MerkleTree(std::vector<Bytes32> nodes, size_t leaf_count)
      : m_nodes(std::move(nodes)), m_leaf_count(leaf_count) {}

  std::vector<Bytes32> m_nodes;  // 2n-1 nodes, root at 0
  size_t m_leaf_count;
};

/// True when folding `proof` onto `leaf` with the commutative keccak256 pair hash gives `root`
/// (OpenZeppelin MerkleProof.verify).
bool verify_proof(const Bytes32& root, const Bytes32& leaf, std::span<const Bytes32> proof);

}  // namespace seedd::crypto
