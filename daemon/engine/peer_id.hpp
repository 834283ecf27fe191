#pragma once
// seedd's peer id (BEP 20, Azureus style): "-SE", four version characters, "-", then random
// bytes from libtorrent. "SE" is in neither BEP 20's list nor libtorrent 2.0.8's client table
// (identify_client), nor Transmission's or Vuze's tables: no client names seedd as another.
// seedd first sent "-SD0010-", which is Xunlei/Thunder's code, banned by anti-leech tools and
// private trackers' allow-lists.
#include <string>
#include <string_view>

namespace seedd {

inline constexpr std::string_view kPeerIdClientCode = "SE";

/// The 8-character prefix for `version` ("MAJOR.MINOR.PATCH"): "-SE0100-" for 0.1.0. Each part
/// is one character, 0-9 then A-Z for 10-35 (as libtorrent and Transmission decode them); a
/// part past 35 or missing shows as 0. The fourth character is 0.
std::string peer_id_prefix(std::string_view version = SEEDD_VERSION);

}  // namespace seedd
