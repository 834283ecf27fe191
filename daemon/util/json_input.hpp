#pragma once
// JSON that comes from outside (request bodies, claim files) is parsed here and only here, with
// a bound on nesting checked while parsing: nlohmann's parser is iterative, but copying,
// comparing, dumping and destroying a value recurse, so 100,000 nested '[' in a request used
// to overflow the stack (issue 16, item 6). Parsing stops at the first level past the bound,
// so a 16 MiB body of '[' costs a few bytes of work, not 650 MB; a bound on the number of
// values does the same for a body that is wide instead of deep.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace seedd::util {

/// Deepest nesting of arrays and objects accepted in JSON from outside. seedd's deepest
/// legitimate input is a claim file inside claim.verify's params (about 6 levels).
constexpr size_t kMaxJsonDepth = 64;

/// Most values (scalars, arrays and objects, counted as they are parsed) accepted in JSON from
/// outside. Each costs 16 bytes and an allocation or more once parsed: without a bound, 16 MiB of
/// `[],` made 5.6 million arrays, 12 s of CPU and a 676 MB peak. A real body averages far more
/// than 17 bytes a value (a claim file's receipts ~40), so no 16 MiB one reaches it.
constexpr size_t kMaxJsonValues = 1'000'000;

/// What parse_untrusted_json() made of a text.
struct JsonInput {
  enum class Status { ok, invalid, too_deep, too_many_values };
  Status status = Status::invalid;
  nlohmann::json value;  // discarded unless status is ok
  bool ok() const { return status == Status::ok; }
};

/// Parses `text` as one JSON value (RFC 8259, nothing after it but whitespace), refusing it
/// as too_deep as soon as arrays and objects nest deeper than `max_depth`, and as
/// too_many_values as soon as it holds more than `max_values` values.
JsonInput parse_untrusted_json(std::string_view text, size_t max_depth = kMaxJsonDepth,
                               size_t max_values = kMaxJsonValues);

/// What is wrong with a refused text, to follow its subject: "is not valid JSON", "nests
/// arrays and objects deeper than 64 levels", "holds more than 1000000 values".
std::string json_input_problem(const JsonInput& in, size_t max_depth = kMaxJsonDepth,
                               size_t max_values = kMaxJsonValues);

}  // namespace seedd::util
