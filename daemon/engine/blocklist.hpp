#pragma once
// The ip_filter file: a blocklist in the PeerGuardian text (p2p) or eMule ipfilter.dat (dat)
// format, the two that blocklist sites publish. Plain C++ so the parser is unit-tested alone.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace seedd {

/// One blocked range, both ends included, both of one family.
struct BlockedRange {
  boost::asio::ip::address first, last;
};

/// What a blocklist held.
struct Blocklist {
  std::vector<BlockedRange> ranges;
  int64_t bad_lines = 0;  // lines that are neither blank, a comment, nor a range
  // The first few bad lines (1-based number, text cut and cleaned for a log line).
  std::vector<std::pair<int64_t, std::string>> bad_samples;
};

/// How many bad lines parse_blocklist() keeps as samples for the log.
constexpr size_t kBlocklistBadSamples = 5;

/// Parses a blocklist, line by line, in either format (a file may even mix them):
///   p2p:  `some description:1.2.3.0-1.2.3.255` (IPv4; the description may hold ':')
///   dat:  `001.002.003.000 - 001.002.003.255 , 000 , some description` (IPv4 or IPv6; the
///         access level is optional, and a range with a level above 127 is allowed, as eMule
///         and qBittorrent read it, so it is skipped, not counted as bad)
/// Blank lines and lines starting with '#' or "//" are skipped. A line that does not parse,
/// or whose range runs backwards or mixes families, counts as bad and is skipped.
Blocklist parse_blocklist(std::string_view text);

}  // namespace seedd
