#pragma once
// The bounties of one pool (docs/protocol.md 8), as settlement and bounty.list need them: found from
// BountyFunded logs (from the pool's deploy block, in bounded eth_getLogs ranges), with their
// live balance from bounty(). refresh() runs on the chain worker; the readers are for any thread.
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "daemon/chain/pool_codec.hpp"
#include "daemon/chain/rpc_client.hpp"

namespace seedd::chain {

/// Blocks scanned again on each refresh, so that a BountyFunded log that a reorg moved into a
/// block already scanned is still found (bounties are keyed by id: a second sighting is harmless).
inline constexpr uint64_t kBountyRescanBlocks = 64;

struct BountyCacheOptions {
  Address pool{};
  uint64_t deploy_block = 0;  // pool_deploy_block: no log of the pool is older
  uint64_t log_range_blocks = kDefaultLogRangeBlocks;
  uint64_t rescan_blocks = kBountyRescanBlocks;
};

/// A bounty as last read: its id, bounty()'s state, and the block of its BountyFunded log.
struct KnownBounty {
  uint256 id = 0;
  pool::Bounty state;
  uint64_t funded_block = 0;
};

class BountyCache {
 public:
  /// `client` must outlive the cache.
  BountyCache(Client& client, BountyCacheOptions options);

  /// Scans BountyFunded logs from where the last refresh stopped (less rescan_blocks) to the
  /// head, then reads bounty() for every known bounty. A bounty that bounty() no longer knows
  /// (funder 0: its funding block was reorged away) is dropped. Throws the client's errors;
  /// what was read before the error is kept, and the next refresh goes on from there.
  void refresh();

  /// Every known bounty, ordered by id.
  std::vector<KnownBounty> all() const;
  /// The known bounties of `infohash`, ordered by id.
  std::vector<KnownBounty> for_infohash(const crypto::InfoHash20& infohash) const;

  /// The bounty to pay a receipt of `infohash` signed at `timestamp` from: among those not
  /// expired at `timestamp` (timestamp ≤ expiresAt), holding at least `min_balance`, and open
  /// (passSigner 0) or with a passSigner in `pass_signers` (the signers of the passes the leecher
  /// showed), the one with the best rate, then the largest balance, then the lowest id.
  std::optional<KnownBounty> pick(const crypto::InfoHash20& infohash, uint64_t timestamp, const uint256& min_balance,
                                  const std::vector<Address>& pass_signers = {}) const;

  /// The last block whose logs have been read; std::nullopt before the first range is read.
  std::optional<uint64_t> scanned_to() const;

 private:
  Client& m_client;            // its calls run on the caller's (chain worker's) thread
  const BountyCacheOptions m_options;
  mutable std::mutex m_mutex;  // guards the two members below; never held across a chain call
  std::vector<KnownBounty> m_bounties;  // by id
  std::optional<uint64_t> m_scanned_to;
};

}  // namespace seedd::chain
