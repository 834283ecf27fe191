#pragma once
// The ledger's SQLite schema (ledger.cpp's only), kept apart so the code reads on its own:
// version 1, then the migrations to each later version, applied in order.

namespace seedd::accountant {

// Version 1. Byte counts carry CHECK(typeof = 'integer') because SQLite turns an integer
// overflow in `a + b` into a REAL silently: the constraint makes that a failed transaction
// instead of a float near an amount.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE receipts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  leecher BLOB NOT NULL CHECK (length(leecher) = 20),
  infohash BLOB NOT NULL CHECK (length(infohash) = 20),
  channel BLOB NOT NULL CHECK (length(channel) = 8),
  seeder BLOB NOT NULL CHECK (length(seeder) = 20),
  bytes INTEGER NOT NULL CHECK (typeof(bytes) = 'integer' AND bytes >= 0),
  timestamp INTEGER NOT NULL CHECK (typeof(timestamp) = 'integer' AND timestamp >= 0),
  signature BLOB NOT NULL CHECK (length(signature) = 65),
  claimed_bytes INTEGER NOT NULL DEFAULT 0
    CHECK (typeof(claimed_bytes) = 'integer' AND claimed_bytes >= 0 AND claimed_bytes <= bytes),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (leecher, infohash, channel)
);
CREATE INDEX receipts_by_infohash ON receipts (infohash, id);
CREATE INDEX receipts_by_updated_at ON receipts (updated_at);
CREATE INDEX receipts_unclaimed ON receipts (id) WHERE bytes > claimed_bytes;

CREATE TABLE upload_hourly (
  hour INTEGER NOT NULL,
  infohash BLOB NOT NULL CHECK (length(infohash) = 20),
  verified_bytes INTEGER NOT NULL DEFAULT 0
    CHECK (typeof(verified_bytes) = 'integer' AND verified_bytes >= 0),
  unverified_bytes INTEGER NOT NULL DEFAULT 0
    CHECK (typeof(unverified_bytes) = 'integer' AND unverified_bytes >= 0),
  PRIMARY KEY (hour, infohash)
) WITHOUT ROWID;

CREATE TABLE rejections_hourly (
  hour INTEGER NOT NULL,
  reason TEXT NOT NULL,
  count INTEGER NOT NULL CHECK (typeof(count) = 'integer' AND count >= 0),
  PRIMARY KEY (hour, reason)
) WITHOUT ROWID;

CREATE TABLE reward_rates (
  infohash BLOB PRIMARY KEY CHECK (length(infohash) = 20),
  rate_per_gib TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE claims (
  nonce INTEGER PRIMARY KEY CHECK (nonce > 0),
  created_at INTEGER NOT NULL,
  payout BLOB NOT NULL CHECK (length(payout) = 20),
  amount TEXT NOT NULL,
  receipt_count INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL CHECK (typeof(total_bytes) = 'integer' AND total_bytes >= 0),
  receipts_root BLOB NOT NULL CHECK (length(receipts_root) = 32),
  document TEXT NOT NULL
);
CREATE INDEX claims_by_created_at ON claims (created_at);

CREATE TABLE claim_receipts (
  nonce INTEGER NOT NULL REFERENCES claims (nonce),
  receipt_id INTEGER NOT NULL REFERENCES receipts (id),
  prev_claimed_bytes INTEGER NOT NULL,
  bytes INTEGER NOT NULL CHECK (bytes >= prev_claimed_bytes),
  rate_per_gib TEXT NOT NULL,
  amount TEXT NOT NULL,
  PRIMARY KEY (nonce, receipt_id)
) WITHOUT ROWID;
CREATE INDEX claim_receipts_by_receipt ON claim_receipts (receipt_id);
)sql";

// Version 1 -> 2 (passes, docs/protocol.md 9). A new ledger is made as version 1 and then
// migrated, so that every ledger, old or new, has the same schema through the same statements.
// - receipts: the pass the leecher showed on the channel (NULL when none), kept for the claim;
// - upload_hourly: the verified bytes whose receipt a pass covered (part of verified_bytes);
// - passes: the passes this node holds as a leecher (pass.add), shown in its handshakes.
constexpr const char* kMigrateV1ToV2 = R"sql(
ALTER TABLE receipts ADD COLUMN pass_exp INTEGER
  CHECK (pass_exp IS NULL OR (typeof(pass_exp) = 'integer' AND pass_exp >= 0));
ALTER TABLE receipts ADD COLUMN pass_sig BLOB CHECK (pass_sig IS NULL OR length(pass_sig) = 65);
ALTER TABLE receipts ADD COLUMN pass_signer BLOB
  CHECK (pass_signer IS NULL OR length(pass_signer) = 20);
ALTER TABLE upload_hourly ADD COLUMN pass_bytes INTEGER NOT NULL DEFAULT 0
  CHECK (typeof(pass_bytes) = 'integer' AND pass_bytes >= 0);

CREATE TABLE passes (
  infohash BLOB NOT NULL CHECK (length(infohash) = 20),
  leecher BLOB NOT NULL CHECK (length(leecher) = 20),
  signer BLOB NOT NULL CHECK (length(signer) = 20),
  expires_at INTEGER NOT NULL CHECK (typeof(expires_at) = 'integer' AND expires_at >= 0),
  signature BLOB NOT NULL CHECK (length(signature) = 65),
  added_at INTEGER NOT NULL,
  PRIMARY KEY (infohash, leecher, signer)
) WITHOUT ROWID;
)sql";

}  // namespace seedd::accountant
