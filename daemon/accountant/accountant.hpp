#pragma once
// The accountant: owns the ledger, the receipt extension's shared state and the worker thread
// that verifies receipts and commits them in batches. rpc/ talks to it through this interface.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "daemon/accountant/claims.hpp"
#include "daemon/accountant/ledger.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/util/log_throttle.hpp"

namespace libtorrent {
struct plugin;
}

namespace seedd {

class Accountant {
 public:
  /// Opens (or creates) <data_dir>/ledger.sqlite; throws std::runtime_error on failure.
  Accountant(accountant::AccountingPolicy policy, crypto::PrivateKey key, std::filesystem::path data_dir);
  ~Accountant();
  Accountant(const Accountant&) = delete;
  Accountant& operator=(const Accountant&) = delete;

  /// The session plugin; add it to the engine before the engine starts.
  std::shared_ptr<libtorrent::plugin> plugin();
  void start();
  /// Books what is queued (one last batch) and stops the worker.
  void stop();

  struct Books {
    uint64_t verified_bytes = 0;
    uint64_t unverified_bytes = 0;
  };
  /// All-time booked upload of a torrent (committed only), from memory.
  Books books(const crypto::InfoHash20& infohash) const;
  /// Changes the policies that may change while peers are connected (SIGHUP); new values
  /// apply to the next message of every connection.
  void apply_runtime_policy(uint64_t credit_window, accountant::VanillaPolicy vanilla, uint64_t vanilla_upload_limit,
                            const accountant::LaneWeights& lane_weights);
  struct RuntimePolicy {
    uint64_t credit_window;
    accountant::VanillaPolicy vanilla;
    uint64_t vanilla_upload_limit;
    accountant::LaneWeights lane_weights;
  };
  RuntimePolicy runtime_policy() const;
  /// The network settings the lanes work within (docs/architecture.md "Lanes"): the upload limit
  /// in force that they divide (0: none, no caps), whether it covers LAN peers (rate_limit_lan),
  /// and the upload slots (0: no limit). Called whenever the engine's network settings change.
  void set_lane_limits(uint64_t upload_limit, bool rate_limit_lan, int upload_slots);

  /// Every torrent's books (committed only), from memory.
  std::map<crypto::InfoHash20, Books> all_books() const;

  struct PeerView {
    std::string endpoint;
    std::string client;
    std::optional<crypto::Address> address;  // a seedd peer's node address
    uint64_t sent_bytes = 0;
    uint64_t received_bytes = 0;
    uint64_t receipted_bytes = 0;  // the latest accepted receipt on this connection
    bool choked = true;            // we choke it: it may not download from us now
    bool interested = false;       // it wants pieces we have
    bool is_seedd = false;         // it signs receipts (or may: a seedd peer not yet found silent)
    bool pass_holder = false;      // its pass counts: the first lane
    accountant::PassState pass_state = accountant::PassState::none;
    uint64_t pass_expires_at = 0;  // of a valid pass
    accountant::Lane lane = accountant::Lane::vanilla;  // the lane it is served in now
    int violations = 0;  // receipts and passes it broke a rule with (three close the connection)
  };
  std::vector<PeerView> peers(const crypto::InfoHash20& infohash) const;

  /// All-time payload bytes sent to and received from each peer of a torrent since this process
  /// started, closed connections included (torrent.peers shows live connections only, so a
  /// peer's figures vanish when it disconnects). One row per seedd address (every connection
  /// of that node), and one without an address for all vanilla peers together.
  struct PeerTotal {
    std::optional<crypto::Address> address;
    uint64_t sent_bytes = 0;
    uint64_t received_bytes = 0;
    uint64_t connections = 0;
  };
  std::vector<PeerTotal> peer_totals(const crypto::InfoHash20& infohash) const;
  /// The rows of closed connections kept for peer_totals, over all torrents (~100 bytes each):
  /// when full, the row that moved the fewest bytes makes room for a new peer's.
  static constexpr size_t kMaxPeerTotalRows = 16384;
  using PeerTotalKey = std::pair<crypto::InfoHash20, std::optional<crypto::Address>>;
  using PeerTotalRows = std::map<PeerTotalKey, PeerTotal>;
  /// Adds one connection's bytes to its row of `rows`, which holds at most `max_rows`
  /// (0: no bound).
  static void fold_peer_total(PeerTotalRows& rows, const PeerTotalKey& key, uint64_t sent, uint64_t received,
                              size_t max_rows);

  /// The torrent's reward rate (its override, else the default) in base units per GiB.
  crypto::uint256 reward_rate(const crypto::InfoHash20& infohash) const;
  void set_reward_rate(const crypto::InfoHash20& infohash, std::optional<crypto::uint256> rate);

  /// Who else may sign passes that count (docs/protocol.md 9), besides `trusted_pass_signers`:
  /// true when `signer` is the passSigner of a live bounty of `infohash` at `now`. Set it before
  /// start() (the worker calls it); main wires it to the chain client's bounty cache.
  using PassSignerCheck = std::function<bool(const crypto::InfoHash20& infohash, const crypto::Address& signer, int64_t now)>;
  void set_pass_signer_check(PassSignerCheck check) { m_pass_signer_check = std::move(check); }

  /// Checks a pass document for this node as its leecher (accountant::pass_problem) and keeps it
  /// in the ledger; from then on this node shows it in its handshakes for that torrent. Throws
  /// accountant::PassRefused naming what is wrong. Returns false when an equal or longer pass of
  /// the same signer was held already (kept as it was).
  bool add_pass(const accountant::PassDocument& doc);
  /// The passes this node holds as a leecher.
  std::vector<accountant::HeldPass> passes(std::optional<crypto::InfoHash20> infohash = std::nullopt) const;

  /// Makes a claim (docs/protocol.md 6); throws accountant::NothingToClaim.
  accountant::MadeClaim claim(const crypto::Address& payout, bool dry_run);

  /// Called after each claim is recorded and its file written (never for a dry run), on the
  /// thread that claimed (an RPC worker or the settler's auto_settle); daemon/events publishes
  /// claim.created from it. Set before anything claims: before the RPC server and the settler
  /// start.
  using ClaimObserver = std::function<void(const accountant::MadeClaim& made, const std::filesystem::path& file)>;
  void on_claim(ClaimObserver observer) { m_on_claim = std::move(observer); }

  const accountant::Ledger& ledger() const { return *m_ledger; }
  const accountant::AccountingPolicy& policy() const { return m_ctx->policy; }
  const crypto::Address& address() const { return m_ctx->address; }
  const crypto::PrivateKey& key() const { return m_ctx->key; }
  std::filesystem::path claims_dir() const { return m_data_dir / "claims"; }

  /// Counters for metrics and tests.
  uint64_t receipts_accepted() const { return m_accepted; }
  uint64_t receipts_rejected() const { return m_rejected; }
  /// Receipts not verified because a newer one of the same channel came in the same batch.
  uint64_t receipts_superseded() const { return m_superseded; }
  /// Ledger transactions (batches of receipts, claims) that failed to commit since start.
  uint64_t ledger_commit_failures() const { return m_commit_failures; }
  /// Why the ledger cannot commit (its last commit failed, not long ago), for /healthz;
  /// nullopt while it commits.
  std::optional<std::string> ledger_problem() const;

 private:
  void run();
  void book_unverified(accountant::LedgerBatch& batch, int64_t now);
  void check_pass(const accountant::InboundPass& item, accountant::LedgerBatch& batch, int64_t now);
  bool pass_signer_counts(const crypto::InfoHash20& infohash, const crypto::Address& signer, int64_t now) const;
  void load_held_passes();
  void commit_failed(const std::string& error);
  void commit_succeeded();

  std::filesystem::path m_data_dir;
  std::shared_ptr<accountant::ExtensionContext> m_ctx;
  std::unique_ptr<accountant::Ledger> m_ledger;
  PassSignerCheck m_pass_signer_check;  // set before start(); called by the worker only
  ClaimObserver m_on_claim;             // set before anything claims; called by claim()
  std::mutex m_write_mutex;  // one writer at a time: the worker's commits and claims
  mutable std::mutex m_books_mutex;
  std::map<crypto::InfoHash20, Books> m_books;  // guarded by m_books_mutex
  // Closed connections' counters, folded in by the worker as it drops each from the registry
  // (under this mutex, so that a reader sees every connection exactly once).
  mutable std::mutex m_totals_mutex;
  PeerTotalRows m_closed_totals;  // guarded by m_totals_mutex
  std::thread m_thread;
  std::atomic<bool> m_stopping{false};
  std::atomic<uint64_t> m_accepted{0}, m_rejected{0}, m_superseded{0};
  std::atomic<uint64_t> m_commit_failures{0};
  mutable std::mutex m_problem_mutex;
  std::string m_commit_error;  // guarded by m_problem_mutex; "" while commits succeed
  std::chrono::steady_clock::time_point m_failing_since;  // guarded by m_problem_mutex
  std::chrono::steady_clock::time_point m_last_failure;   // guarded by m_problem_mutex
  uint64_t m_failures_in_row = 0;                         // guarded by m_problem_mutex
  std::unique_ptr<util::LogThrottle> m_commit_log;
};

}  // namespace seedd
