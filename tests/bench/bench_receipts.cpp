// Benchmark (issue 3, must-show 7): how fast the seeder side of the receipt protocol is.
//   1. receipts verified per second on one core: the digest (EIP-712 + keccak256) and
//      secp256k1 public-key recovery, alone and through the seeder's full rule check;
//   2. ledger commits per second (one receipt per transaction, as a lone receipt would be
//      written) and receipts committed per second in batches (the accountant commits what
//      arrived in each 100 ms), with WAL and synchronous=FULL as the daemon uses them.
// It prints numbers and always exits 0 on success: it is not a test. Build it on demand:
//   cmake --build <build dir> --target bench_receipts && <build dir>/tests/bench_receipts [dir]
// where `dir` holds the scratch ledger (default: a new directory under $TMPDIR or /tmp; its
// file system decides what an fsync costs).
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "daemon/accountant/ledger.hpp"
#include "daemon/accountant/peer_state.hpp"
#include "daemon/accountant/verifier.hpp"
#include "daemon/crypto/eip712.hpp"
#include "daemon/crypto/keys.hpp"

namespace {

using namespace seedd;
using Clock = std::chrono::steady_clock;
constexpr auto kMinDuration = std::chrono::seconds(2);  // each measurement runs at least this long
constexpr int kRepeats = 3;  // measurements per figure; the best is shown (the machine is shared)

/// Runs `pass` (which does `per_pass` operations) until kMinDuration has gone by, kRepeats
/// times; the best rate in operations per second.
double rate(const std::function<void()>& pass, double per_pass) {
  pass();  // warm-up
  double best = 0;
  for (int i = 0; i < kRepeats; ++i) {
    const auto start = Clock::now();
    double ops = 0;
    do {
      pass();
      ops += per_pass;
    } while (Clock::now() - start < kMinDuration);
    best = std::max(best, ops / std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

crypto::InfoHash20 some_infohash() {
  crypto::InfoHash20 ih{};
  for (size_t i = 0; i < ih.size(); ++i) ih[i] = static_cast<uint8_t>(0x40 + i);
  return ih;
}

struct Signed {
  crypto::Receipt receipt;
  crypto::Signature signature;
};

/// `count` receipts of one channel with growing bytes, signed by `leecher`.
std::vector<Signed> make_receipts(const crypto::PrivateKey& leecher, const crypto::Address& seeder,
                                  const crypto::Domain& domain, int count) {
  std::vector<Signed> out;
  const auto now = static_cast<uint64_t>(unix_now());
  for (int i = 0; i < count; ++i) {
    crypto::Receipt r;
    r.infohash = some_infohash();
    r.seeder = seeder;
    r.leecher = leecher.address();
    r.channel = 0x1234567890abcdefULL;
    r.bytes = static_cast<uint64_t>(i + 1) * 1024 * 1024;
    r.timestamp = now;
    out.push_back({r, leecher.sign(crypto::receipt_digest(domain, r))});
  }
  return out;
}

void bench_verification() {
  const auto leecher = crypto::PrivateKey::generate();
  const auto seeder = crypto::PrivateKey::generate();
  const crypto::Domain domain;
  constexpr int kCount = 1000;
  const auto receipts = make_receipts(leecher, seeder.address(), domain, kCount);
  const auto leecher_address = leecher.address();
  const auto seeder_address = seeder.address();  // address() derives the public key: not per receipt

  size_t bad = 0;
  const double recover = rate(
      [&] {
        for (const auto& s : receipts) {
          const auto signer = crypto::recover_signer(crypto::receipt_digest(domain, s.receipt), s.signature);
          if (!signer || *signer != leecher_address) ++bad;
        }
      },
      kCount);

  // The seeder's rules as the accountant's worker runs them (a fresh connection per pass, so
  // the receipts of a pass are monotonic).
  const double full = rate(
      [&] {
        auto conn = std::make_shared<accountant::PeerConnection>();
        conn->infohash = some_infohash();
        conn->peer_address = leecher_address;
        conn->is_seedd = true;
        const int64_t now = unix_now();
        for (const auto& s : receipts) {
          accountant::InboundReceipt in;
          in.conn = conn;
          in.channel = s.receipt.channel;
          in.bytes = s.receipt.bytes;
          in.timestamp = s.receipt.timestamp;
          in.signature = s.signature;
          in.uploaded_then = s.receipt.bytes;
          if (accountant::check_receipt(in, *conn, domain, seeder_address, now)) ++bad;
        }
      },
      kCount);

  const double sign = rate(
      [&] {
        for (const auto& s : receipts) {
          const auto sig = leecher.sign(crypto::receipt_digest(domain, s.receipt));
          if (sig[64] != 27 && sig[64] != 28) ++bad;
        }
      },
      kCount);

  if (bad != 0) {
    std::fprintf(stderr, "bench: %zu receipts failed to verify\n", bad);
    std::exit(1);
  }
  std::printf("receipts verified per second, one core (digest + recover + compare): %.0f\n", recover);
  std::printf("receipts verified per second, one core (seeder's full rule check):    %.0f\n", full);
  std::printf("receipts signed per second, one core (leecher side, for reference):   %.0f\n", sign);
}

void bench_ledger(const std::filesystem::path& dir) {
  const auto leecher = crypto::PrivateKey::generate();
  const auto seeder = crypto::PrivateKey::generate();
  const crypto::Domain domain;
  const auto file = dir / "bench-ledger.sqlite";
  std::filesystem::remove(file);
  std::filesystem::remove(dir / "bench-ledger.sqlite-wal");
  std::filesystem::remove(dir / "bench-ledger.sqlite-shm");
  accountant::Ledger ledger(file);
  // The signature is stored, not checked, by the ledger: one real one serves every row.
  const auto one = make_receipts(leecher, seeder.address(), domain, 1).front();

  uint64_t channel = 1ULL << 32;  // apart from the 1..1000 that the update batches use
  uint64_t bytes = 0;
  auto batch_of = [&](int receipts_per_batch, bool new_channels) {
    accountant::LedgerBatch batch;
    batch.now = unix_now();
    bytes += 1024 * 1024;
    for (int i = 0; i < receipts_per_batch; ++i) {
      auto r = one.receipt;
      r.channel = new_channels ? channel++ : static_cast<uint64_t>(i + 1);
      r.bytes = bytes;
      batch.receipts.emplace_back(r, one.signature);
    }
    return batch;
  };

  // One receipt per transaction: each commit is a WAL append and an fsync.
  const double commits = rate([&] { ledger.commit(batch_of(1, false)); }, 1);
  std::printf("ledger commits per second (1 receipt each, synchronous=FULL):          %.0f\n", commits);
  for (int n : {10, 100, 1000}) {
    const double updates = rate([&] { ledger.commit(batch_of(n, false)); }, n);
    std::printf("receipts committed per second, batches of %4d (updates of %d channels): %.0f\n", n, n, updates);
  }
  const double inserts = rate([&] { ledger.commit(batch_of(100, true)); }, 100);
  std::printf("receipts committed per second, batches of  100 (new channels):          %.0f\n", inserts);
  std::filesystem::remove(file);
  std::filesystem::remove(dir / "bench-ledger.sqlite-wal");
  std::filesystem::remove(dir / "bench-ledger.sqlite-shm");
}

}  // namespace

int main(int argc, char** argv) {
  // One core: pin to the CPU we started on, so the figures are per core.
  cpu_set_t set;
  CPU_ZERO(&set);
  const int cpu = sched_getcpu();
  CPU_SET(cpu < 0 ? 0 : cpu, &set);
  sched_setaffinity(0, sizeof set, &set);

  std::filesystem::path dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/seedd-bench-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = pattern;
  }
  std::printf("bench_receipts: each figure is the best of %d runs of >= %lld s; ledger in %s\n", kRepeats,
              static_cast<long long>(kMinDuration.count()), dir.c_str());
  bench_verification();
  bench_ledger(dir);
  if (argc <= 1) std::filesystem::remove_all(dir);
  return 0;
}
