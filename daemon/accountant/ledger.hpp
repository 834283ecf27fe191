#pragma once
// The ledger: every accepted receipt, hourly roll-ups of verified and unverified upload,
// rejection counts, reward rate overrides and claims, in one SQLite file (`ledger.sqlite` in
// data_dir). A receipt counts only after the transaction that stores it commits, so a kill -9
// at any moment loses at most the batch that was being written, never a count.
//
// Threads: the accountant has ONE writer thread, which calls commit(), set_reward_rate() and
// make_claim(); those run on the writer connection (guarded by a mutex anyway, so a second
// writer would wait rather than corrupt). Every read query may be called from any thread
// (RPC threads): each call borrows a connection from a small pool of read connections (mutex
// guarded; a call that finds the pool empty opens another one) and reads inside one read
// transaction, so it sees one consistent snapshot. WAL lets those reads run while the writer
// writes, and never lets them see a half-committed batch.
//
// Storage of values SQLite cannot hold as they are: channel ids (random u64) are 8-byte
// big-endian BLOBs; byte counts are INTEGERs and anything above INT64_MAX is refused; amounts
// and rates are decimal TEXT (uint256).
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/accountant/claim_verify.hpp"
#include "daemon/accountant/claims.hpp"
#include "daemon/accountant/pass.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/keys.hpp"
#include "daemon/crypto/types.hpp"

struct sqlite3;

namespace seedd::accountant {

/// Why the seeder dropped a receipt (docs/protocol.md section 4, seeder rules), or a pass a peer
/// showed in its handshake (section 9; the pass_* reasons).
enum class RejectReason {
  bad_signature,
  wrong_signer,
  channel_changed,
  not_monotonic,
  stale_timestamp,
  over_claim,
  malformed,
  pass_malformed,       // `seedd.pass` is not {exp: int >= 0, sig: 65 bytes}
  pass_bad_signature,   // not a valid signature (v 27/28, low s)
  pass_expired,         // exp is in the past
  pass_unknown_signer,  // recovers no trusted or funding signer for this peer and torrent: forged,
                        // for another torrent or leecher, replayed, or by a signer that funds nothing
};

/// The snake_case name of `reason` (as stored, and as RPC and metrics show it).
std::string_view to_string(RejectReason reason);

/// The reason named `name`, or std::nullopt for an unknown name.
std::optional<RejectReason> reject_reason_from_string(std::string_view name);

inline constexpr RejectReason kAllRejectReasons[] = {
    RejectReason::bad_signature,      RejectReason::wrong_signer, RejectReason::channel_changed,
    RejectReason::not_monotonic,      RejectReason::stale_timestamp, RejectReason::over_claim,
    RejectReason::malformed,          RejectReason::pass_malformed, RejectReason::pass_bad_signature,
    RejectReason::pass_expired,       RejectReason::pass_unknown_signer};

/// Bytes sent to a peer without the receipt extension: shown, never claimed.
struct UnverifiedUpload {
  crypto::InfoHash20 infohash{};
  uint64_t bytes = 0;
};

/// An accepted receipt, with the pass its leecher showed on the connection (if any).
struct BookedReceipt {
  crypto::Receipt receipt;
  crypto::Signature signature{};
  std::optional<ChannelPass> pass;
};

/// What the writer thread hands to one commit(): one transaction.
struct LedgerBatch {
  std::vector<BookedReceipt> receipts;  // already verified by the caller
  std::vector<RejectReason> rejections;
  std::vector<UnverifiedUpload> unverified;  // bytes sent to peers without the extension
  int64_t now = 0;                           // unix seconds; the hour bucket of everything in the batch
};

/// Per receipt of the batch, in order: the bytes it added (new b − stored b, or 0 if not higher).
struct CommitResult {
  std::vector<uint64_t> verified_delta;
};

/// A pass this node holds as a leecher, as pass.list shows it.
struct HeldPass {
  PassDocument document;
  int64_t added_at = 0;
};

/// The SQLite ledger. See the top of this header for the thread model.
class Ledger {
 public:
  /// Schema version written to PRAGMA user_version.
  static constexpr int kSchemaVersion = 2;
  /// How long a connection waits for a lock before failing (SQLite busy_timeout).
  static constexpr int kBusyTimeoutMs = 5000;
  /// Read connections kept open between calls; more may be open at once, extra ones are closed.
  static constexpr size_t kMaxIdleReaders = 4;
  /// Seconds per roll-up bucket.
  static constexpr int64_t kHourSeconds = 3600;

  /// Opens (creating if absent) the ledger file and its schema. Throws std::runtime_error naming
  /// the file when it cannot be opened, is not a ledger, or has a newer schema.
  explicit Ledger(const std::filesystem::path& file);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  /// Writes one batch in one transaction: upserts the latest receipt per (leecher, infohash,
  /// channel) keeping only a higher b (with the pass it carries, kept with the channel), adds the
  /// deltas and the unverified bytes to the hour of `batch.now` (a delta whose receipt a pass
  /// covers, timestamp ≤ expiresAt, also to the hour's pass bytes), and counts the rejections
  /// per reason. Throws std::invalid_argument (nothing
  /// written) for a receipt with channel 0, or bytes, timestamp or unverified bytes above
  /// INT64_MAX; std::runtime_error on a database error (nothing written either).
  CommitResult commit(const LedgerBatch& batch);

  /// Sets (or, with std::nullopt, clears) the reward rate override of a torrent, in token base
  /// units per GiB. Persists across restarts.
  void set_reward_rate(const crypto::InfoHash20& infohash,
                       std::optional<crypto::uint256> rate_per_gib);
  /// Every override.
  std::map<crypto::InfoHash20, crypto::uint256> reward_rates() const;

  struct TorrentTotals {
    uint64_t verified_bytes = 0, unverified_bytes = 0;
  };
  /// All-time verified and unverified bytes per torrent (to seed the in-memory counters at start).
  std::map<crypto::InfoHash20, TorrentTotals> totals_by_torrent() const;

  struct Summary {
    uint64_t verified_bytes = 0, unverified_bytes = 0;
    uint64_t pass_bytes = 0;  // of verified_bytes: from leechers whose pass covered the receipt
    uint64_t receipts = 0;  // channels whose latest receipt was stored in [since, until)
    uint64_t unclaimed_bytes = 0;  // all channels, not time-filtered (like pending_amount)
    uint64_t claimed_bytes = 0;  // by claims created in [since, until)
    crypto::uint256 pending_amount = 0, claimed_amount = 0;
    std::map<std::string, uint64_t> rejected;  // every reason present, 0 if none
  };
  /// Bytes and rejections of the hourly buckets that start in [since, until); pending = Σ over
  /// channels of floor((bytes − claimed) × rate / 2^30) with the torrent's override or
  /// `default_rate` (not time-filtered); claimed_* from claims created in [since, until).
  Summary summary(int64_t since, int64_t until, const crypto::uint256& default_rate) const;

  struct TorrentEarnings {
    crypto::InfoHash20 infohash{};
    uint64_t verified_bytes = 0, unverified_bytes = 0, unclaimed_bytes = 0, claimed_bytes = 0,
             receipts = 0;
    uint64_t pass_bytes = 0;  // of verified_bytes: from leechers whose pass covered the receipt
    crypto::uint256 rate_per_gib = 0, pending_amount = 0;
  };
  /// summary() per torrent, ordered by infohash; a torrent appears when it has a roll-up in the
  /// window, any channel, or a claimed receipt in the window.
  std::vector<TorrentEarnings> by_torrent(int64_t since, int64_t until,
                                          const crypto::uint256& default_rate) const;

  struct HistoryRow {
    int64_t bucket_start;
    uint64_t verified_bytes, unverified_bytes;
  };
  /// Verified and unverified bytes of the hours that start in [since, until), summed into UTC
  /// buckets of `bucket_seconds` (a positive multiple of 3600: 3600 or 86400 in practice),
  /// ascending; buckets without upload are left out. Throws std::invalid_argument otherwise.
  std::vector<HistoryRow> history(int64_t since, int64_t until, int64_t bucket_seconds) const;

  struct ReceiptRow {
    int64_t id;
    crypto::Receipt receipt;
    crypto::Signature signature;
    uint64_t claimed_bytes;
    int64_t updated_at;
    std::optional<ChannelPass> pass;  // the pass kept with the channel
  };
  /// The latest receipt of each channel, optionally of one torrent and/or leecher, with id >
  /// `after_id` (a cursor; 0 = from the start), ordered by id, at most `limit` rows. A channel
  /// keeps its id when a later receipt replaces its row. Throws std::invalid_argument for a
  /// negative limit.
  std::vector<ReceiptRow> receipts(std::optional<crypto::InfoHash20> infohash,
                                   std::optional<crypto::Address> leecher, int64_t after_id,
                                   int limit) const;

  /// Σ over the channels of (leecher, infohash) of their latest receipted bytes (torrent.peers).
  uint64_t receipted_bytes(const crypto::InfoHash20& infohash,
                           const crypto::Address& leecher) const;

  // --- passes this node holds as a leecher (docs/protocol.md 9) ---

  /// Stores a pass (the caller has checked it), keyed by (infohash, leecher, signer): a pass of
  /// the same key is replaced by one that expires later, and kept over one that does not.
  /// Returns false when the stored pass was kept.
  bool add_pass(const PassDocument& doc, int64_t now);
  /// The passes held, optionally of one torrent, by infohash then signer.
  std::vector<HeldPass> passes(std::optional<crypto::InfoHash20> infohash = std::nullopt) const;

  // --- claims (docs/protocol.md section 6) ---

  /// In one transaction: takes every channel whose latest receipt holds unclaimed bytes, was
  /// made for `claimant_key`'s address and verifies in `request.domain` (a receipt signed for
  /// another pool cannot be paid by this one, so it stays unclaimed); builds and signs the claim
  /// with the next nonce; unless `request.dry_run`, records it and raises each channel's claimed
  /// bytes to its bytes. A dry run writes nothing and does not use up the nonce. Throws
  /// NothingToClaim when no channel qualifies, std::invalid_argument for a negative created_at,
  /// std::overflow_error when a total does not fit its type.
  MadeClaim make_claim(const ClaimRequest& request, const crypto::PrivateKey& claimant_key);

  /// The stored claim documents with nonce > `after_nonce`, by nonce, at most `limit`.
  std::vector<nlohmann::json> claims(int64_t after_nonce, int limit) const;
  /// The stored claim document of `nonce`, if there is one.
  std::optional<nlohmann::json> claim(uint64_t nonce) const;
  /// The highest nonce claimed so far; 0 before the first claim.
  uint64_t last_nonce() const;
  /// Writes claims/<nonce>.json (atomically, 0644) for every claim whose file is missing or
  /// differs from the ledger, creating `claims_dir` if needed. The ledger is the truth: a kill -9
  /// between a claim's commit and its file write heals at the next call.
  void write_missing_claim_files(const std::filesystem::path& claims_dir) const;
  /// What a kill -9 can leave in `claims_dir` besides claim files, put right at start (call it
  /// before anything else writes there): temp files of an interrupted atomic write
  /// (`*.json.tmp.*`) are removed, and a `<nonce>.json` that the ledger does not hold (a claim
  /// that was never recorded, e.g. a ledger restored from an older backup) is moved to
  /// `claims_dir/orphaned/` so that it is never taken for a claim of this node; a later claim
  /// may then use that nonce. Returns the names moved or removed. Claims are recorded before
  /// their file is written, so a crash alone never makes an orphan.
  std::vector<std::string> tidy_claims_dir(const std::filesystem::path& claims_dir) const;
  /// The verifier record (docs/protocol.md 7, rule 5) of this node's claims with nonce < `before`
  /// (all of them when std::nullopt): the last such nonce, and per channel the bytes paid up to
  /// then. claim.verify judges a claim the ledger holds against the record before it, and any
  /// other claim of this node's key against the whole record.
  VerifierState verifier_state(std::optional<uint64_t> before = std::nullopt) const;
  /// What has been claimed on each channel so far (channels never claimed are left out): the
  /// "paid" record a verifier needs for this node's claims.
  std::map<std::tuple<crypto::Address, crypto::InfoHash20, uint64_t>, uint64_t>
  claimed_per_channel() const;

 private:
  class ReadLease;
  ReadLease read() const;
  void release_reader(sqlite3* db) const;

  std::filesystem::path m_file;
  std::mutex m_write_mutex;  // writer thread only; the mutex makes a stray second writer wait
  sqlite3* m_db = nullptr;   // the writer connection, guarded by m_write_mutex
  mutable std::mutex m_pool_mutex;
  mutable std::vector<sqlite3*> m_idle_readers;  // guarded by m_pool_mutex
};

}  // namespace seedd::accountant
