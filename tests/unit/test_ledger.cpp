// The SQLite ledger on real files in temporary directories: what a batch commit stores, what
// survives a reopen (and a kill -9), and what the read queries make of it.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon/accountant/ledger.hpp"
#include "daemon/crypto/hex.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace seedd::accountant;
using seedd::crypto::Address;
using seedd::crypto::InfoHash20;
using seedd::crypto::Receipt;
using seedd::crypto::Signature;
using seedd::crypto::uint256;

namespace {

using seedd::test::ScratchDir;

fs::path ledger_file(const ScratchDir& dir) { return dir / "ledger.sqlite"; }

// Distinct, recognisable 20-byte values; the ledger stores receipts the caller has verified, so
// these tests need no real keys (test_claims.cpp signs real ones).
std::array<uint8_t, 20> bytes20(uint8_t tag) {
  std::array<uint8_t, 20> out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>(tag + i);
  return out;
}

const InfoHash20 kTorrentA = bytes20(0xa0);
const InfoHash20 kTorrentB = bytes20(0xb0);
const Address kSeeder = bytes20(0x10);
const Address kLeecher1 = bytes20(0x30);
const Address kLeecher2 = bytes20(0x50);

// The hours used below (2026-11-23 08:00 UTC and later).
constexpr int64_t kHour0 = 1795420800;
static_assert(kHour0 % 3600 == 0);

Signature sig(uint8_t tag) {
  Signature s{};
  s.fill(tag);
  return s;
}

Receipt receipt(const InfoHash20& infohash, const Address& leecher, uint64_t channel,
                uint64_t bytes, uint64_t timestamp = kHour0) {
  return Receipt{infohash, kSeeder, leecher, channel, bytes, timestamp};
}

LedgerBatch batch_at(int64_t now) {
  LedgerBatch batch;
  batch.now = now;
  return batch;
}

uint256 pow2(unsigned n) { return uint256(1) << n; }

}  // namespace

TEST_CASE("every reject reason has its snake_case name and reads back from it", "[ledger]") {
  const std::vector<std::string> names = {"bad_signature",   "wrong_signer", "channel_changed",
                                          "not_monotonic",   "stale_timestamp", "over_claim",
                                          "malformed",       "pass_malformed", "pass_bad_signature",
                                          "pass_expired",    "pass_unknown_signer"};
  REQUIRE(std::size(kAllRejectReasons) == names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    CHECK(to_string(kAllRejectReasons[i]) == names[i]);
    CHECK(reject_reason_from_string(names[i]) == kAllRejectReasons[i]);
  }
  CHECK_FALSE(reject_reason_from_string("Bad_Signature"));
}

TEST_CASE("a committed batch is all there after the ledger is reopened", "[ledger]") {
  ScratchDir dir("reopen");
  {
    Ledger ledger(ledger_file(dir));
    LedgerBatch batch = batch_at(kHour0 + 10);
    batch.receipts.push_back({receipt(kTorrentA, kLeecher1, 7, 1000), sig(1)});
    batch.receipts.push_back({receipt(kTorrentB, kLeecher2, 8, 2000), sig(2)});
    batch.unverified.push_back({kTorrentA, 500});
    batch.rejections = {RejectReason::over_claim, RejectReason::over_claim,
                        RejectReason::bad_signature};
    const CommitResult result = ledger.commit(batch);
    CHECK(result.verified_delta == std::vector<uint64_t>{1000, 2000});
  }
  Ledger reopened(ledger_file(dir));
  const auto rows = reopened.receipts(std::nullopt, std::nullopt, 0, 100);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].receipt.infohash == kTorrentA);
  CHECK(rows[0].receipt.leecher == kLeecher1);
  CHECK(rows[0].receipt.seeder == kSeeder);
  CHECK(rows[0].receipt.channel == 7);
  CHECK(rows[0].receipt.bytes == 1000);
  CHECK(rows[0].receipt.timestamp == static_cast<uint64_t>(kHour0));
  CHECK(rows[0].signature == sig(1));
  CHECK(rows[0].claimed_bytes == 0);
  CHECK(rows[0].updated_at == kHour0 + 10);
  CHECK(rows[1].receipt.bytes == 2000);
  CHECK(rows[1].signature == sig(2));

  const auto totals = reopened.totals_by_torrent();
  REQUIRE(totals.size() == 2);
  CHECK(totals.at(kTorrentA).verified_bytes == 1000);
  CHECK(totals.at(kTorrentA).unverified_bytes == 500);
  CHECK(totals.at(kTorrentB).verified_bytes == 2000);
  CHECK(totals.at(kTorrentB).unverified_bytes == 0);

  const auto s = reopened.summary(0, std::numeric_limits<int64_t>::max(), 0);
  CHECK(s.verified_bytes == 3000);
  CHECK(s.unverified_bytes == 500);
  CHECK(s.receipts == 2);
  CHECK(s.rejected.at("over_claim") == 2);
  CHECK(s.rejected.at("bad_signature") == 1);
}

TEST_CASE("the ledger file is in WAL mode with the current schema version", "[ledger]") {
  ScratchDir dir("pragmas");
  { Ledger ledger(ledger_file(dir)); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(ledger_file(dir).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  auto scalar = [db](const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    std::string out(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    return out;
  };
  CHECK(scalar("PRAGMA journal_mode") == "wal");
  CHECK(scalar("PRAGMA user_version") == std::to_string(Ledger::kSchemaVersion));
  sqlite3_close(db);
}

TEST_CASE("a file that is not a ledger is refused with a message naming it", "[ledger]") {
  ScratchDir dir("garbage");
  {
    std::ofstream out(dir / "ledger.sqlite");
    out << std::string(4096, 'x');
  }
  try {
    Ledger ledger(ledger_file(dir));
    FAIL("opened a file of garbage");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(ledger_file(dir).string()));
  }
  CHECK_THROWS_AS(Ledger(dir / "missing-dir" / "ledger.sqlite"), std::runtime_error);
}

TEST_CASE("a ledger with a newer schema version is refused", "[ledger]") {
  ScratchDir dir("newer");
  { Ledger ledger(ledger_file(dir)); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(ledger_file(dir).c_str(), &db) == SQLITE_OK);
  const std::string newer = std::to_string(Ledger::kSchemaVersion + 1);
  REQUIRE(sqlite3_exec(db, ("PRAGMA user_version = " + newer).c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(Ledger(ledger_file(dir)), Catch::Contains("schema version " + newer));
}

TEST_CASE("only a higher cumulative count replaces a channel's receipt", "[ledger]") {
  ScratchDir dir("upsert");
  Ledger ledger(ledger_file(dir));

  LedgerBatch first = batch_at(kHour0);
  first.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 100, kHour0), sig(1)});
  CHECK(ledger.commit(first).verified_delta == std::vector<uint64_t>{100});
  const int64_t id = ledger.receipts(std::nullopt, std::nullopt, 0, 10).at(0).id;

  // Lower, then equal: nothing changes, not even the signature or the timestamp.
  LedgerBatch lower = batch_at(kHour0 + 5);
  lower.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 50, kHour0 + 5), sig(2)});
  lower.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 100, kHour0 + 6), sig(3)});
  CHECK(ledger.commit(lower).verified_delta == std::vector<uint64_t>{0, 0});
  auto row = ledger.receipts(std::nullopt, std::nullopt, 0, 10).at(0);
  CHECK(row.receipt.bytes == 100);
  CHECK(row.signature == sig(1));
  CHECK(row.receipt.timestamp == static_cast<uint64_t>(kHour0));
  CHECK(row.updated_at == kHour0);

  // Higher: the delta is what it adds; in one batch, each receipt is measured against the one
  // before it.
  LedgerBatch higher = batch_at(kHour0 + 60);
  higher.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 300, kHour0 + 60), sig(4)});
  higher.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 450, kHour0 + 61), sig(5)});
  higher.receipts.push_back({receipt(kTorrentA, kLeecher1, 42, 400, kHour0 + 62), sig(6)});
  CHECK(ledger.commit(higher).verified_delta == std::vector<uint64_t>{200, 150, 0});
  const auto rows = ledger.receipts(std::nullopt, std::nullopt, 0, 10);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].id == id);  // the channel keeps its row, so receipts.list cursors stay valid
  CHECK(rows[0].receipt.bytes == 450);
  CHECK(rows[0].signature == sig(5));
  CHECK(rows[0].receipt.timestamp == static_cast<uint64_t>(kHour0 + 61));
  CHECK(rows[0].updated_at == kHour0 + 60);
  CHECK(ledger.totals_by_torrent().at(kTorrentA).verified_bytes == 450);

  // The same channel number of another leecher or torrent is another channel.
  LedgerBatch others = batch_at(kHour0 + 70);
  others.receipts.push_back({receipt(kTorrentA, kLeecher2, 42, 10), sig(7)});
  others.receipts.push_back({receipt(kTorrentB, kLeecher1, 42, 20), sig(8)});
  CHECK(ledger.commit(others).verified_delta == std::vector<uint64_t>{10, 20});
  CHECK(ledger.receipts(std::nullopt, std::nullopt, 0, 10).size() == 3);
}

TEST_CASE("channel ids above INT64_MAX are stored and read back exactly", "[ledger]") {
  ScratchDir dir("channels");
  const std::vector<uint64_t> channels = {1, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
                                          0xffffffffffffffffULL, 0x0123456789abcdefULL};
  {
    Ledger ledger(ledger_file(dir));
    LedgerBatch batch = batch_at(kHour0);
    for (uint64_t ch : channels) batch.receipts.push_back({receipt(kTorrentA, kLeecher1, ch, 1), sig(1)});
    ledger.commit(batch);
  }
  Ledger ledger(ledger_file(dir));
  const auto rows = ledger.receipts(std::nullopt, std::nullopt, 0, 100);
  REQUIRE(rows.size() == channels.size());
  for (size_t i = 0; i < channels.size(); ++i) CHECK(rows[i].receipt.channel == channels[i]);
  // and they stay distinct channels: a second receipt on the top one updates only that one
  LedgerBatch again = batch_at(kHour0);
  again.receipts.push_back({receipt(kTorrentA, kLeecher1, 0xffffffffffffffffULL, 5), sig(2)});
  CHECK(ledger.commit(again).verified_delta == std::vector<uint64_t>{4});
  CHECK(ledger.receipted_bytes(kTorrentA, kLeecher1) == channels.size() + 4);
}

TEST_CASE("a batch with a count above INT64_MAX or a zero channel is refused whole", "[ledger]") {
  ScratchDir dir("refuse");
  Ledger ledger(ledger_file(dir));
  const uint64_t too_big = static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1;

  LedgerBatch good = batch_at(kHour0);
  good.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 10), sig(1)});
  good.rejections.push_back(RejectReason::malformed);
  good.unverified.push_back({kTorrentB, 3});

  SECTION("receipt bytes") {
    LedgerBatch bad = good;
    bad.receipts.push_back({receipt(kTorrentA, kLeecher2, 2, too_big), sig(2)});
    CHECK_THROWS_AS(ledger.commit(bad), std::invalid_argument);
  }
  SECTION("receipt timestamp") {
    LedgerBatch bad = good;
    bad.receipts.push_back({receipt(kTorrentA, kLeecher2, 2, 5, too_big), sig(2)});
    CHECK_THROWS_AS(ledger.commit(bad), std::invalid_argument);
  }
  SECTION("unverified bytes") {
    LedgerBatch bad = good;
    bad.unverified.push_back({kTorrentA, too_big});
    CHECK_THROWS_AS(ledger.commit(bad), std::invalid_argument);
  }
  SECTION("channel 0") {
    LedgerBatch bad = good;
    bad.receipts.push_back({receipt(kTorrentA, kLeecher2, 0, 5), sig(2)});
    CHECK_THROWS_AS(ledger.commit(bad), std::invalid_argument);
  }
  // Nothing of the refused batch is in the ledger...
  CHECK(ledger.receipts(std::nullopt, std::nullopt, 0, 10).empty());
  CHECK(ledger.totals_by_torrent().empty());
  CHECK(ledger.summary(0, std::numeric_limits<int64_t>::max(), 0).rejected.at("malformed") == 0);
  // ...and exactly INT64_MAX is still accepted.
  LedgerBatch edge = batch_at(kHour0);
  edge.receipts.push_back({receipt(kTorrentA, kLeecher2, 2, too_big - 1), sig(2)});
  CHECK(ledger.commit(edge).verified_delta == std::vector<uint64_t>{too_big - 1});
  CHECK(ledger.totals_by_torrent().at(kTorrentA).verified_bytes == too_big - 1);
}

TEST_CASE("verified and unverified bytes roll up into the hour of their batch", "[ledger]") {
  ScratchDir dir("rollup");
  Ledger ledger(ledger_file(dir));
  // Hour 0: two batches; hour 1: one; hour 25 (the next UTC day): one.
  LedgerBatch a = batch_at(kHour0 + 1);
  a.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 100), sig(1)});
  a.unverified.push_back({kTorrentA, 7});
  ledger.commit(a);
  LedgerBatch b = batch_at(kHour0 + 3599);
  b.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 150), sig(1)});
  b.receipts.push_back({receipt(kTorrentB, kLeecher2, 2, 40), sig(1)});
  b.unverified.push_back({kTorrentA, 3});
  ledger.commit(b);
  LedgerBatch c = batch_at(kHour0 + 3600);
  c.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 1150), sig(1)});
  ledger.commit(c);
  LedgerBatch d = batch_at(kHour0 + 25 * 3600 + 30);
  d.unverified.push_back({kTorrentB, 9});
  ledger.commit(d);

  const auto hourly = ledger.history(0, std::numeric_limits<int64_t>::max(), 3600);
  REQUIRE(hourly.size() == 3);
  CHECK(hourly[0].bucket_start == kHour0);
  CHECK(hourly[0].verified_bytes == 190);
  CHECK(hourly[0].unverified_bytes == 10);
  CHECK(hourly[1].bucket_start == kHour0 + 3600);
  CHECK(hourly[1].verified_bytes == 1000);
  CHECK(hourly[1].unverified_bytes == 0);
  CHECK(hourly[2].bucket_start == kHour0 + 25 * 3600);
  CHECK(hourly[2].unverified_bytes == 9);

  const int64_t day0 = kHour0 - kHour0 % 86400;
  const auto daily = ledger.history(0, std::numeric_limits<int64_t>::max(), 86400);
  REQUIRE(daily.size() == 2);
  CHECK(daily[0].bucket_start == day0);
  CHECK(daily[0].verified_bytes == 1190);
  CHECK(daily[0].unverified_bytes == 10);
  CHECK(daily[1].bucket_start == day0 + 86400);
  CHECK(daily[1].verified_bytes == 0);
  CHECK(daily[1].unverified_bytes == 9);

  // [since, until) selects whole hours by their start.
  const auto second_hour = ledger.history(kHour0 + 3600, kHour0 + 7200, 3600);
  REQUIRE(second_hour.size() == 1);
  CHECK(second_hour[0].verified_bytes == 1000);
  const auto first = ledger.summary(kHour0, kHour0 + 3600, 0);
  CHECK(first.verified_bytes == 190);
  CHECK(first.unverified_bytes == 10);
  CHECK(ledger.summary(kHour0 + 1, kHour0 + 3600, 0).verified_bytes == 0);

  CHECK_THROWS_AS(ledger.history(0, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(ledger.history(0, 1, 1800), std::invalid_argument);
}

TEST_CASE("rejections are counted per hour and reason, and every reason is in the summary",
          "[ledger]") {
  ScratchDir dir("rejections");
  Ledger ledger(ledger_file(dir));
  LedgerBatch a = batch_at(kHour0 + 100);
  a.rejections = {RejectReason::wrong_signer, RejectReason::stale_timestamp,
                  RejectReason::wrong_signer};
  ledger.commit(a);
  LedgerBatch b = batch_at(kHour0 + 200);
  b.rejections = {RejectReason::wrong_signer};
  ledger.commit(b);
  LedgerBatch c = batch_at(kHour0 + 3600);
  c.rejections = {RejectReason::channel_changed};
  ledger.commit(c);

  const auto all = ledger.summary(0, std::numeric_limits<int64_t>::max(), 0).rejected;
  REQUIRE(all.size() == std::size(kAllRejectReasons));
  for (RejectReason reason : kAllRejectReasons) REQUIRE(all.count(std::string(to_string(reason))));
  CHECK(all.at("wrong_signer") == 3);
  CHECK(all.at("stale_timestamp") == 1);
  CHECK(all.at("channel_changed") == 1);
  CHECK(all.at("bad_signature") == 0);
  CHECK(all.at("not_monotonic") == 0);
  CHECK(all.at("over_claim") == 0);
  CHECK(all.at("malformed") == 0);

  const auto first_hour = ledger.summary(kHour0, kHour0 + 3600, 0).rejected;
  CHECK(first_hour.at("wrong_signer") == 3);
  CHECK(first_hour.at("channel_changed") == 0);
}

TEST_CASE("pending amounts are exact uint256 sums of per-channel floors", "[ledger]") {
  ScratchDir dir("amounts");
  Ledger ledger(ledger_file(dir));
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  // A rate of 2^200 + 1 per GiB: a double would lose the +1, a uint64 product would overflow.
  const uint256 huge_rate = pow2(200) + 1;
  ledger.set_reward_rate(kTorrentA, huge_rate);

  LedgerBatch batch = batch_at(kHour0);
  batch.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 3 * (kGiB / 2)), sig(1)});  // 1.5 GiB
  // Torrent B uses the default rate 2^29 per GiB = half a unit per byte... of 1 byte: floor 0.
  batch.receipts.push_back({receipt(kTorrentB, kLeecher1, 2, 1), sig(1)});
  batch.receipts.push_back({receipt(kTorrentB, kLeecher2, 3, 1), sig(1)});
  batch.receipts.push_back({receipt(kTorrentB, kLeecher2, 4, 3), sig(1)});
  ledger.commit(batch);

  const uint256 default_rate = pow2(29);
  // 1.5 × (2^200 + 1) = 3·2^199 + 1.5 -> floor 3·2^199 + 1
  const uint256 a_amount = uint256(3) * pow2(199) + 1;
  // 1 byte -> 0.5 -> 0, twice; 3 bytes -> 1.5 -> 1. A sum before the floor would give 2.
  const uint256 b_amount = 1;

  const auto s = ledger.summary(0, std::numeric_limits<int64_t>::max(), default_rate);
  CHECK(s.unclaimed_bytes == 3 * (kGiB / 2) + 5);
  CHECK(s.pending_amount == a_amount + b_amount);
  CHECK(s.claimed_amount == 0);
  CHECK(s.claimed_bytes == 0);

  const auto rows = ledger.by_torrent(0, std::numeric_limits<int64_t>::max(), default_rate);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].infohash == kTorrentA);
  CHECK(rows[0].rate_per_gib == huge_rate);
  CHECK(rows[0].pending_amount == a_amount);
  CHECK(rows[0].unclaimed_bytes == 3 * (kGiB / 2));
  CHECK(rows[0].verified_bytes == 3 * (kGiB / 2));
  CHECK(rows[0].receipts == 1);
  CHECK(rows[1].infohash == kTorrentB);
  CHECK(rows[1].rate_per_gib == default_rate);
  CHECK(rows[1].pending_amount == b_amount);
  CHECK(rows[1].unclaimed_bytes == 5);
  CHECK(rows[1].receipts == 3);

  // Changing the default moves the pending amount of torrents without an override only.
  const auto doubled = ledger.summary(0, std::numeric_limits<int64_t>::max(), pow2(30));
  CHECK(doubled.pending_amount == a_amount + 5);
}

TEST_CASE("reward rate overrides persist across a restart and can be cleared", "[ledger]") {
  ScratchDir dir("rates");
  const uint256 big = (pow2(255) - 1) + pow2(255);  // 2^256 - 1: the largest rate there is
  {
    Ledger ledger(ledger_file(dir));
    ledger.set_reward_rate(kTorrentA, uint256(12345));
    ledger.set_reward_rate(kTorrentB, big);
    ledger.set_reward_rate(kTorrentA, uint256(777));  // replaces
  }
  {
    Ledger ledger(ledger_file(dir));
    const auto rates = ledger.reward_rates();
    REQUIRE(rates.size() == 2);
    CHECK(rates.at(kTorrentA) == 777);
    CHECK(rates.at(kTorrentB) == big);
    ledger.set_reward_rate(kTorrentA, std::nullopt);
  }
  Ledger ledger(ledger_file(dir));
  const auto rates = ledger.reward_rates();
  REQUIRE(rates.size() == 1);
  CHECK(rates.count(kTorrentA) == 0);
  CHECK(rates.at(kTorrentB) == big);
}

TEST_CASE("summary and by_torrent count the channels stored in the window", "[ledger]") {
  ScratchDir dir("window");
  Ledger ledger(ledger_file(dir));
  LedgerBatch early = batch_at(kHour0);
  early.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 10), sig(1)});
  early.receipts.push_back({receipt(kTorrentA, kLeecher2, 2, 10), sig(1)});
  ledger.commit(early);
  LedgerBatch late = batch_at(kHour0 + 7200);
  late.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 30), sig(1)});  // moves to late
  late.receipts.push_back({receipt(kTorrentB, kLeecher1, 3, 10), sig(1)});
  ledger.commit(late);

  CHECK(ledger.summary(kHour0, kHour0 + 3600, 0).receipts == 1);
  CHECK(ledger.summary(kHour0 + 7200, kHour0 + 10800, 0).receipts == 2);
  const auto early_rows = ledger.by_torrent(kHour0, kHour0 + 3600, 0);
  // Torrent B appears although it had nothing in the window: it has a channel (pending bytes).
  REQUIRE(early_rows.size() == 2);
  CHECK(early_rows[0].receipts == 1);
  CHECK(early_rows[0].verified_bytes == 20);
  CHECK(early_rows[0].unclaimed_bytes == 40);  // not time-filtered
  CHECK(early_rows[1].infohash == kTorrentB);
  CHECK(early_rows[1].receipts == 0);
  CHECK(early_rows[1].verified_bytes == 0);
  CHECK(early_rows[1].unclaimed_bytes == 10);
}

TEST_CASE("receipts are listed in id order, filtered, and paged with a cursor", "[ledger]") {
  ScratchDir dir("paging");
  Ledger ledger(ledger_file(dir));
  LedgerBatch batch = batch_at(kHour0);
  for (uint64_t ch = 1; ch <= 10; ++ch) {
    batch.receipts.push_back({receipt(ch % 2 ? kTorrentA : kTorrentB, ch <= 5 ? kLeecher1 : kLeecher2,
                                      ch, ch * 100),
                              sig(static_cast<uint8_t>(ch))});
  }
  ledger.commit(batch);

  std::vector<uint64_t> seen;
  int64_t cursor = 0;
  int pages = 0;
  while (true) {
    const auto page = ledger.receipts(std::nullopt, std::nullopt, cursor, 3);
    if (page.empty()) break;
    ++pages;
    CHECK(page.size() <= 3);
    for (const auto& row : page) {
      CHECK(row.id > cursor);
      cursor = row.id;
      seen.push_back(row.receipt.channel);
    }
  }
  CHECK(pages == 4);
  CHECK(seen == std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});

  std::vector<uint64_t> a_channels;
  for (const auto& row : ledger.receipts(kTorrentA, std::nullopt, 0, 100)) {
    CHECK(row.receipt.infohash == kTorrentA);
    a_channels.push_back(row.receipt.channel);
  }
  CHECK(a_channels == std::vector<uint64_t>{1, 3, 5, 7, 9});

  std::vector<uint64_t> both;
  for (const auto& row : ledger.receipts(kTorrentB, kLeecher2, 0, 100)) both.push_back(row.receipt.channel);
  CHECK(both == std::vector<uint64_t>{6, 8, 10});

  CHECK(ledger.receipts(std::nullopt, kLeecher1, 0, 2).size() == 2);
  CHECK(ledger.receipts(std::nullopt, std::nullopt, 0, 0).empty());
  CHECK_THROWS_AS(ledger.receipts(std::nullopt, std::nullopt, 0, -1), std::invalid_argument);
}

TEST_CASE("receipted bytes add up a leecher's channels of one torrent", "[ledger]") {
  ScratchDir dir("receipted");
  Ledger ledger(ledger_file(dir));
  LedgerBatch batch = batch_at(kHour0);
  batch.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 100), sig(1)});
  batch.receipts.push_back({receipt(kTorrentA, kLeecher1, 2, 250), sig(1)});
  batch.receipts.push_back({receipt(kTorrentA, kLeecher2, 3, 999), sig(1)});
  batch.receipts.push_back({receipt(kTorrentB, kLeecher1, 4, 999), sig(1)});
  ledger.commit(batch);
  CHECK(ledger.receipted_bytes(kTorrentA, kLeecher1) == 350);
  CHECK(ledger.receipted_bytes(kTorrentA, kLeecher2) == 999);
  CHECK(ledger.receipted_bytes(kTorrentB, kLeecher2) == 0);
}

TEST_CASE("readers on other threads only ever see whole batches", "[ledger]") {
  ScratchDir dir("concurrent");
  Ledger ledger(ledger_file(dir));
  constexpr int kBatches = 150;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> torn{0};
  auto reader = [&] {
    while (!done.load()) {
      // Every batch adds 10 verified bytes to A and 10 to B, plus 5 unverified to A: a snapshot
      // that saw half a batch would break one of these.
      const auto s = ledger.summary(0, std::numeric_limits<int64_t>::max(), 0);
      const auto totals = ledger.totals_by_torrent();
      const uint64_t a = totals.count(kTorrentA) ? totals.at(kTorrentA).verified_bytes : 0;
      const uint64_t b = totals.count(kTorrentB) ? totals.at(kTorrentB).verified_bytes : 0;
      if (s.verified_bytes % 20 != 0 || s.unverified_bytes * 4 != s.verified_bytes || a != b) {
        ++torn;
      }
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader), r3(reader);
  for (int i = 1; i <= kBatches; ++i) {
    LedgerBatch batch = batch_at(kHour0 + i);
    batch.receipts.push_back({receipt(kTorrentA, kLeecher1, 1, 10 * static_cast<uint64_t>(i)), sig(1)});
    batch.receipts.push_back({receipt(kTorrentB, kLeecher1, 2, 10 * static_cast<uint64_t>(i)), sig(1)});
    batch.unverified.push_back({kTorrentA, 5});
    ledger.commit(batch);
  }
  done = true;
  r1.join();
  r2.join();
  r3.join();
  CHECK(torn == 0);
  CHECK(reads > 0);
  CHECK(ledger.summary(0, std::numeric_limits<int64_t>::max(), 0).verified_bytes ==
        20 * static_cast<uint64_t>(kBatches));
}

TEST_CASE("a writer killed with SIGKILL mid-stream leaves only whole batches", "[ledger]") {
  ScratchDir dir("kill9");
  { Ledger ledger(ledger_file(dir)); }  // schema in place before the child starts
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child writes batches as fast as it can until it is killed; _exit skips Catch2.
    try {
      Ledger ledger(ledger_file(dir));
      for (uint64_t i = 1;; ++i) {
        LedgerBatch batch = batch_at(kHour0 + static_cast<int64_t>(i % 7200));
        for (uint64_t k = 0; k < 4; ++k) {
          batch.receipts.push_back({receipt(kTorrentA, kLeecher1, i * 4 + k, 1000 + k), sig(1)});
        }
        batch.unverified.push_back({kTorrentB, 7});
        batch.rejections.push_back(RejectReason::not_monotonic);
        ledger.commit(batch);
      }
    } catch (...) {
    }
    ::_exit(1);
  }
  // Whatever happens here, the child does not outlive the test: it would go on writing, and
  // holding the test's output pipe open, forever.
  struct KillChild {
    pid_t pid;
    int status = 0;
    void now() {
      if (pid <= 0) return;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      pid = 0;
    }
    ~KillChild() { now(); }
  } killer{child};
  // Let it commit a good number of batches, then kill it wherever it is.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    try {
      Ledger probe(ledger_file(dir));  // opening takes the write lock, which the child holds most of the time
      if (probe.summary(0, std::numeric_limits<int64_t>::max(), 0).rejected.at("not_monotonic") >= 20) break;
    } catch (const std::exception&) {
      // Busy for longer than the busy timeout (a slow disk): look again.
    }
  }
  killer.now();
  const int status = killer.status;
  REQUIRE(WIFSIGNALED(status));

  Ledger ledger(ledger_file(dir));
  const auto rows = ledger.receipts(std::nullopt, std::nullopt, 0, 1000000);
  const auto s = ledger.summary(0, std::numeric_limits<int64_t>::max(), 0);
  const uint64_t batches = s.rejected.at("not_monotonic");
  CHECK(batches >= 20);
  CHECK(rows.size() == 4 * batches);
  CHECK(s.verified_bytes == batches * (1000 + 1001 + 1002 + 1003));
  CHECK(s.unverified_bytes == batches * 7);
  CHECK(ledger.receipted_bytes(kTorrentA, kLeecher1) == s.verified_bytes);
}
