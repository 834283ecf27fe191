#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace seedd::util {

/// Standard base64 with padding.
std::string base64_encode(std::string_view data);
/// Strict decoding of standard base64 (padding optional, whitespace ignored); nullopt on any
/// other character or a bad length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace seedd::util
