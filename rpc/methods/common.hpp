#pragma once
// Helpers the namespace files share (not methods): the accountant or its error, info-hash and
// time-range params, and the result declarations more than one namespace answers with.
#include <string>
#include <utility>
#include <vector>

#include "daemon/crypto/types.hpp"
#include "rpc/method_table.hpp"

namespace seedd {
class Accountant;
}

namespace seedd::rpc {

/// receipts.list and rewards.list answer at most this many rows per call.
constexpr int kMaxListLimit = 1000;

/// The accountant, or the "not running" error.
Accountant& accountant_of(Context& ctx);

/// A validated info-hash param as bytes.
crypto::InfoHash20 info_hash_bytes(const json& params, const char* name = "info_hash");

/// A string_array param as strings (empty when absent).
std::vector<std::string> string_list(const json& params, const char* name);

/// The since/until params (unix seconds): [since, until), until after since.
std::pair<int64_t, int64_t> time_range(const json& params);

/// 16384 as "16,384", for limits written into descriptions.
std::string with_commas(uint64_t n);

/// The required info_hash param of a method about one torrent.
extern const ParamSpec kInfoHashParam;
extern const ParamSpec kSinceParam;
extern const ParamSpec kUntilParam;

/// A receipt's signed message (receipts.list, claim files).
std::vector<Result> receipt_message_fields();
/// The members of a claim's summary row (rewards.list, the claim.created event).
std::vector<Result> claim_summary_fields();
/// A claim file document (rewards.get, rewards.claim): docs/protocol.md 6.
std::vector<Result> claim_document_fields();
/// A chain settlement row (settlement_store.hpp's settlement_json).
Result settlement_result(std::string name);

}  // namespace seedd::rpc
