#include "daemon/engine/tracker_state.hpp"

#include <algorithm>
#include <vector>

#include <libtorrent/error_code.hpp>

#include "daemon/engine/lt_util.hpp"

namespace seedd {

bool is_link_local(const lt::address& address) {
  if (address.is_v6()) return address.to_v6().is_link_local();
  const auto b = address.to_v4().to_bytes();
  return b[0] == 169 && b[1] == 254;
}

namespace {

struct Result {
  const lt::announce_endpoint* endpoint;
  const lt::announce_infohash* ih;
};

bool skipped(const lt::announce_infohash& ih) { return ih.last_error == lt::errors::announce_skipped; }
bool answered(const lt::announce_infohash& ih) { return !ih.last_error && ih.fails == 0 && ih.start_sent; }
bool failed(const lt::announce_infohash& ih) { return (ih.last_error || ih.fails > 0) && !skipped(ih); }

}  // namespace

TrackerStatus tracker_status_of(const lt::announce_entry& ae, lt::time_point now_lt, int64_t now_unix) {
  TrackerStatus t;
  t.url = ae.url;
  t.tier = ae.tier;
  t.verified = ae.verified;
  // Every (endpoint, info-hash version) result, link-local endpoints last.
  std::vector<Result> results, link_local;
  for (const auto& ep : ae.endpoints)
    for (const auto& ih : ep.info_hashes)
      (is_link_local(ep.local_endpoint.address()) ? link_local : results).push_back({&ep, &ih});
  const bool only_link_local = results.empty();
  if (only_link_local) results = link_local;

  for (const auto& r : results) {
    const auto& ih = *r.ih;
    t.updating = t.updating || ih.updating;
    t.seeds = std::max<int64_t>(t.seeds, ih.scrape_complete);
    t.peers = std::max<int64_t>(t.peers, ih.scrape_incomplete);
    t.downloaded = std::max<int64_t>(t.downloaded, ih.scrape_downloaded);
    if (ih.next_announce > (lt::time_point32::min)() && !skipped(ih)) {
      const auto in = std::chrono::duration_cast<std::chrono::seconds>(ih.next_announce - now_lt).count();
      const int64_t when = now_unix + in;
      if (t.next_announce_time == 0 || when < t.next_announce_time) t.next_announce_time = when;
    }
  }
  // Whose word counts: an endpoint that answered; else the ones that tried and failed; else
  // whatever there is (every announce skipped: then "unreachable" is the truth).
  auto pick = [&](auto pred) -> const Result* {
    for (const auto& r : results)
      if (pred(*r.ih)) return &r;
    return nullptr;
  };
  const Result* chosen = pick(answered);
  if (!chosen) {
    for (const auto& r : results)
      if (failed(*r.ih) && (!chosen || r.ih->fails > chosen->ih->fails)) chosen = &r;
  }
  if (!chosen) chosen = pick([](const lt::announce_infohash& ih) { return ih.last_error || !ih.message.empty(); });
  if (chosen && answered(*chosen->ih)) t.updating = chosen->ih->updating;  // others may hang on
  if (chosen) {
    const auto& ih = *chosen->ih;
    t.fails = ih.fails;
    t.message = ih.last_error ? ih.last_error.message() : ih.message;
    t.endpoint = lt_util::endpoint_string(chosen->endpoint->local_endpoint.address(),
                                          chosen->endpoint->local_endpoint.port());
  }
  return t;
}

}  // namespace seedd
