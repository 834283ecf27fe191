#include "daemon/engine/blocklist.hpp"

#include <array>
#include <cctype>
#include <optional>

namespace seedd {
namespace {

namespace ip = boost::asio::ip;

// Longest line kept as a sample for the log.
constexpr size_t kSampleChars = 120;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Dotted IPv4 with up to three digits a part: dat files pad with zeros (001.002.003.004),
// which inet_pton refuses.
std::optional<ip::address> parse_v4(std::string_view s) {
  std::array<unsigned char, 4> bytes{};
  for (size_t part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    unsigned value = 0;
    size_t digits = 0;
    while (!s.empty() && std::isdigit(static_cast<unsigned char>(s.front())) && digits < 3) {
      value = value * 10 + static_cast<unsigned>(s.front() - '0');
      s.remove_prefix(1);
      ++digits;
    }
    if (digits == 0 || value > 255) return std::nullopt;
    bytes[part] = static_cast<unsigned char>(value);
  }
  if (!s.empty()) return std::nullopt;
  return ip::address(ip::address_v4(bytes));
}

std::optional<ip::address> parse_address(std::string_view s) {
  s = trim(s);
  if (auto v4 = parse_v4(s)) return v4;
  if (s.find(':') == std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto v6 = ip::make_address_v6(std::string(s), ec);
  if (ec) return std::nullopt;
  return ip::address(v6);
}

bool ordered(const ip::address& a, const ip::address& b) {
  if (a.is_v4() != b.is_v4()) return false;
  return !(b < a);
}

// "a-b" (p2p, IPv4) or "a - b" (dat): nullopt unless both ends parse, in order.
std::optional<BlockedRange> parse_range(std::string_view s) {
  // IPv6 addresses hold no '-', so the first one splits the range.
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto first = parse_address(s.substr(0, dash));
  auto last = parse_address(s.substr(dash + 1));
  if (!first || !last || !ordered(*first, *last)) return std::nullopt;
  return BlockedRange{*first, *last};
}

std::string sample(std::string_view line) {
  std::string out;
  for (char c : line.substr(0, kSampleChars)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  if (line.size() > kSampleChars) out += "...";
  return out;
}

enum class LineKind { range, skipped, bad };

LineKind parse_line(std::string_view line, Blocklist& out) {
  line = trim(line);
  if (line.empty() || line.front() == '#' || line.rfind("//", 0) == 0) return LineKind::skipped;
  // dat: the range is the first comma-separated field; the access level, when given, the second.
  const auto comma = line.find(',');
  if (auto range = parse_range(line.substr(0, comma))) {
    if (comma != std::string_view::npos) {
      const auto rest = line.substr(comma + 1);
      const auto level_text = trim(rest.substr(0, rest.find(',')));
      if (!level_text.empty()) {
        int level = 0;
        for (char c : level_text) {
          if (!std::isdigit(static_cast<unsigned char>(c)) || level > 100000) return LineKind::bad;
          level = level * 10 + (c - '0');
        }
        if (level > 127) return LineKind::skipped;  // an "allow" entry
      }
    }
    out.ranges.push_back(*range);
    return LineKind::range;
  }
  // p2p: description:range; the description may itself hold ':', the IPv4 range never does.
  const auto colon = line.rfind(':');
  if (colon != std::string_view::npos) {
    auto range = parse_range(line.substr(colon + 1));
    if (range && range->first.is_v4()) {
      out.ranges.push_back(*range);
      return LineKind::range;
    }
  }
  return LineKind::bad;
}

}  // namespace

Blocklist parse_blocklist(std::string_view text) {
  Blocklist out;
  int64_t number = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.remove_prefix(3);  // a UTF-8 BOM
    if (parse_line(line, out) != LineKind::bad) continue;
    ++out.bad_lines;
    if (out.bad_samples.size() < kBlocklistBadSamples) out.bad_samples.emplace_back(number, sample(trim(line)));
  }
  return out;
}

}  // namespace seedd
