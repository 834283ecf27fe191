#pragma once
// JSON that comes from outside (request bodies, claim files) is parsed here and only here, with
// a bound on nesting checked while parsing: nlohmann's parser is iterative, but copying,
// comparing, dumping and destroying a value recurse, so 100,000 nested '[' in a request used
// to overflow the stack (issue 16, item 6). Parsing stops at the first level past the bound,
// so a 16 MiB body of '[' costs a few bytes of work, not 650 MB.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace seedd::rpc {

/// Deepest nesting of arrays and objects accepted in JSON from outside. seedd's deepest
/// legitimate input is a claim file inside claim.verify's params (about 6 levels).
constexpr size_t MAX_JSON_DEPTH = 64;

/// What parse_untrusted_json() made of a text.
struct JsonInput {
  enum class Status { ok, invalid, too_deep };
  Status status = Status::invalid;
  nlohmann::json value;  // discarded unless status is ok
  bool ok() const { return status == Status::ok; }
};

/// Parses `text` as one JSON value (RFC 8259, nothing after it but whitespace), refusing it
/// as too_deep as soon as arrays and objects nest deeper than `max_depth`.
JsonInput parse_untrusted_json(std::string_view text, size_t max_depth = MAX_JSON_DEPTH);

/// What is wrong with a refused text, to follow its subject: "is not valid JSON", "nests
/// arrays and objects deeper than 64 levels".
std::string json_input_problem(const JsonInput& in, size_t max_depth = MAX_JSON_DEPTH);

}  // namespace seedd::rpc
