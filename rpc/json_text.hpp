#pragma once
// JSON written straight into a string, for answers too big to build as nlohmann::json first
// (torrent.list of 10,000 torrents: building the tree cost more time and heap than the rest of
// the call). The output matches nlohmann's dump() with error_handler_t::replace: the same
// escapes, invalid UTF-8 replaced by U+FFFD, doubles with a ".0" when they print as integers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seedd::rpc::json_text {

void append_string(std::string& out, std::string_view s);  // with the quotes
void append_string_array(std::string& out, const std::vector<std::string>& v);
void append_int(std::string& out, int64_t v);
void append_uint(std::string& out, uint64_t v);
void append_double(std::string& out, double v);
inline void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }
/// A decimal string, as seedd writes byte counts (they can pass 2^53).
void append_decimal_string(std::string& out, int64_t v);
void append_decimal_string(std::string& out, uint64_t v);

}  // namespace seedd::rpc::json_text
