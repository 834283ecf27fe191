#pragma once
// Every value of TorrentStatus::state, for the filters that take one (torrent.list's `state`,
// `seedctl list --state`): a state that is not here is a typo, not an empty list.
#include <array>
#include <string>
#include <string_view>

namespace seedd {

inline constexpr std::array<std::string_view, 10> kTorrentStates = {
    "checking", "downloading_metadata", "downloading", "finished", "seeding",
    "paused",   "queued",               "error",       "missing_data", "unknown"};

inline bool is_torrent_state(std::string_view s) {
  for (auto t : kTorrentStates)
    if (t == s) return true;
  return false;
}

/// "checking, downloading_metadata, ..." for messages.
inline std::string torrent_states_text() {
  std::string out;
  for (auto t : kTorrentStates) (out += out.empty() ? "" : ", ") += t;
  return out;
}

}  // namespace seedd
