#include "daemon/accountant/lanes.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <numeric>

namespace seedd::accountant {
namespace {

constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Weighted max-min fair division of `capacity` among claims with weights and demands
/// (kUnbounded: takes whatever it is given): a claim that wants less than its weighted share
/// gets its demand, and what it leaves is divided again among the others.
std::vector<uint64_t> water_fill(uint64_t capacity, std::span<const uint64_t> weights, std::span<const uint64_t> demands) {
  const size_t n = weights.size();
  std::vector<uint64_t> out(n, 0);
  std::vector<bool> done(n, false);
  uint64_t left = capacity;
  for (;;) {
    uint64_t total_weight = 0;
    for (size_t i = 0; i < n; ++i)
      if (!done[i]) total_weight += weights[i];
    if (total_weight == 0) return out;
    // Anyone whose demand fits in its share is served in full; then divide again.
    bool settled_one = false;
    for (size_t i = 0; i < n; ++i) {
      if (done[i]) continue;
      const auto share = static_cast<uint64_t>(static_cast<long double>(left) * weights[i] / total_weight);
      if (demands[i] != kUnbounded && demands[i] <= share) {
        out[i] = demands[i];
        done[i] = true;
        settled_one = true;
      }
    }
    if (settled_one) {
      left = capacity;
      for (size_t i = 0; i < n; ++i)
        if (done[i]) left -= std::min(left, out[i]);
      continue;
    }
    for (size_t i = 0; i < n; ++i)
      if (!done[i]) out[i] = static_cast<uint64_t>(static_cast<long double>(left) * weights[i] / total_weight);
    return out;
  }
}

/// What a peer wants for the next period, from what it took in the last one. While the upload
/// limit is in full use, every peer may want its whole share: a peer below its cap then is one
/// that lost to the others in libtorrent's rate limiter for a moment, not one that cannot take more.
uint64_t demand_of(const LanePeer& p, bool limit_in_use) {
  if (limit_in_use || p.held || p.cap == 0 || p.rate * 100 >= p.cap * kSaturatedPercent) return kUnbounded;
  return p.rate + std::max(p.rate * kHeadroomPercent / 100, kProbeBytesPerSecond);
}

}  // namespace

const char* lane_name(Lane lane) {
  switch (lane) {
    case Lane::pass:
      return "pass";
    case Lane::receipt:
      return "receipt";
    case Lane::vanilla:
      return "vanilla";
  }
  return "vanilla";
}

std::optional<LaneWeights> parse_lane_weights(std::string_view text) {
  LaneWeights w{};
  for (size_t i = 0; i < kLaneCount; ++i) {
    const auto colon = text.find(':');
    if ((colon == std::string_view::npos) != (i == kLaneCount - 1)) return std::nullopt;
    const auto item = trim(text.substr(0, colon));
    uint32_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < 1 || v > kMaxLaneWeight)
      return std::nullopt;
    w[i] = v;
    if (colon != std::string_view::npos) text.remove_prefix(colon + 1);
  }
  return w;
}

std::string to_string(const LaneWeights& w) {
  return std::to_string(w[0]) + ":" + std::to_string(w[1]) + ":" + std::to_string(w[2]);
}

std::vector<uint64_t> lane_caps(uint64_t capacity, const LaneWeights& weights, std::span<const LanePeer> peers) {
  std::vector<uint64_t> caps(peers.size(), 0);
  if (capacity == 0) return caps;

  uint64_t total_rate = 0;
  for (const auto& p : peers) total_rate += p.rate;
  const bool limit_in_use = total_rate * 100 >= capacity * kSaturatedPercent;

  // The lanes' demands: unbounded as soon as one of its peers is.
  std::array<uint64_t, kLaneCount> lane_demand{}, wanting{};
  for (const auto& p : peers) {
    if (!p.wants) continue;
    const auto l = static_cast<size_t>(p.lane);
    ++wanting[l];
    const auto d = demand_of(p, limit_in_use);
    lane_demand[l] = (d == kUnbounded || lane_demand[l] == kUnbounded) ? kUnbounded : lane_demand[l] + d;
  }
  std::vector<uint64_t> lane_w, lane_d;
  std::vector<size_t> lane_of;
  for (size_t l = 0; l < kLaneCount; ++l) {
    if (wanting[l] == 0) continue;
    lane_w.push_back(weights[l]);
    lane_d.push_back(lane_demand[l]);
    lane_of.push_back(l);
  }
  std::array<uint64_t, kLaneCount> lane_share{};
  const auto shares = water_fill(capacity, lane_w, lane_d);
  for (size_t i = 0; i < shares.size(); ++i) lane_share[lane_of[i]] = shares[i];

  // Inside each lane, equal shares by the same rule.
  uint64_t active_weight = 0;
  for (size_t l = 0; l < kLaneCount; ++l)
    if (wanting[l] > 0) active_weight += weights[l];
  for (size_t l = 0; l < kLaneCount; ++l) {
    std::vector<size_t> members;
    std::vector<uint64_t> ones, demands;
    for (size_t i = 0; i < peers.size(); ++i) {
      if (!peers[i].wants || static_cast<size_t>(peers[i].lane) != l) continue;
      members.push_back(i);
      ones.push_back(1);
      demands.push_back(demand_of(peers[i], limit_in_use));
    }
    const auto inside = water_fill(lane_share[l], ones, demands);
    for (size_t k = 0; k < members.size(); ++k) caps[members[k]] = inside[k];
    // A peer that does not want upload now: what it would get as one more peer of its lane.
    const uint64_t weight_with = active_weight + (wanting[l] == 0 ? weights[l] : 0);
    const auto idle_cap = static_cast<uint64_t>(static_cast<long double>(capacity) * weights[l] / weight_with /
                                                static_cast<long double>(wanting[l] + 1));
    for (size_t i = 0; i < peers.size(); ++i)
      if (!peers[i].wants && static_cast<size_t>(peers[i].lane) == l) caps[i] = idle_cap;
  }
  for (auto& c : caps) c = std::max(c, kMinLaneCap);
  return caps;
}

std::optional<Lane> unpaced_lane(std::span<const LanePeer> peers) {
  std::optional<Lane> only;
  for (const auto& p : peers) {
    if (!p.wants && !p.asking) continue;
    if (only && *only != p.lane) return std::nullopt;
    only = p.lane;
  }
  return only;
}

std::vector<bool> paced_peers(std::span<const LanePeer> peers, std::span<const uint64_t> caps) {
  std::vector<bool> paced(peers.size(), false);
  const bool anyone_asks = std::any_of(peers.begin(), peers.end(), [](const LanePeer& p) { return p.wants || p.asking; });
  if (!anyone_asks) return paced;
  const auto free_lane = unpaced_lane(peers);
  for (size_t i = 0; i < peers.size(); ++i) paced[i] = caps[i] > 0 && peers[i].lane != free_lane;
  return paced;
}

std::array<int, kLaneCount> lane_slot_counts(int slots, const LaneWeights& weights,
                                             const std::array<int, kLaneCount>& asking) {
  std::array<int, kLaneCount> out{};
  int lanes_asking = 0;
  for (size_t l = 0; l < kLaneCount; ++l) lanes_asking += asking[l] > 0 ? 1 : 0;
  if (slots <= 0 || lanes_asking <= 1) return asking;
  int left = slots;
  if (lanes_asking > slots) {
    for (size_t l = 0; l < kLaneCount && left > 0; ++l)
      if (asking[l] > 0) out[l] = 1, --left;
    return out;
  }
  // One each, then the rest by weight (largest remainder, ties to the higher lane).
  for (size_t l = 0; l < kLaneCount; ++l)
    if (asking[l] > 0) out[l] = 1, --left;
  uint64_t total_weight = 0;
  for (size_t l = 0; l < kLaneCount; ++l)
    if (asking[l] > 0) total_weight += weights[l];
  const int to_divide = left;
  std::array<uint64_t, kLaneCount> remainder{};
  for (size_t l = 0; l < kLaneCount && total_weight > 0; ++l) {
    if (asking[l] == 0) continue;
    const uint64_t exact = static_cast<uint64_t>(to_divide) * weights[l];
    const int whole = static_cast<int>(exact / total_weight);
    out[l] += whole;
    left -= whole;
    remainder[l] = exact % total_weight;
  }
  while (left > 0) {
    size_t best = kLaneCount;
    for (size_t l = 0; l < kLaneCount; ++l)
      if (asking[l] > 0 && (best == kLaneCount || remainder[l] > remainder[best])) best = l;
    if (best == kLaneCount) break;
    ++out[best];
    --left;
    remainder[best] = 0;
    if (std::all_of(remainder.begin(), remainder.end(), [](uint64_t r) { return r == 0; })) break;
  }
  // A lane gets no more slots than it has peers asking; the excess goes down the lanes in order.
  for (size_t l = 0; l < kLaneCount; ++l) {
    if (out[l] > asking[l]) {
      left += out[l] - asking[l];
      out[l] = asking[l];
    }
  }
  for (size_t l = 0; l < kLaneCount && left > 0; ++l) {
    const int more = std::min(left, asking[l] - out[l]);
    out[l] += more;
    left -= more;
  }
  return out;
}

std::array<int, kLaneCount> SlotRounds::counts(int slots, const LaneWeights& weights,
                                               const std::array<int, kLaneCount>& asking) {
  int lanes_asking = 0;
  int64_t total_weight = 0;
  for (size_t l = 0; l < kLaneCount; ++l) {
    if (asking[l] == 0) continue;
    ++lanes_asking;
    total_weight += weights[l];
  }
  if (slots <= 0 || lanes_asking <= slots) {
    m_ticks_left = 0;
    return lane_slot_counts(slots, weights, asking);
  }
  bool turn_valid = m_ticks_left > 0;
  for (size_t l = 0; l < kLaneCount; ++l)
    if (m_turn[l] > 0 && asking[l] == 0) turn_valid = false;  // a lane of the turn has left
  if (!turn_valid) {
    for (size_t l = 0; l < kLaneCount; ++l)
      if (asking[l] > 0) m_credit[l] += weights[l];
    m_turn = {};
    for (int k = 0; k < slots; ++k) {
      size_t best = kLaneCount;
      for (size_t l = 0; l < kLaneCount; ++l)
        if (asking[l] > 0 && m_turn[l] == 0 && (best == kLaneCount || m_credit[l] > m_credit[best])) best = l;
      m_turn[best] = 1;
      m_credit[best] -= total_weight;
    }
    m_ticks_left = kSlotRoundTicks;
  }
  --m_ticks_left;
  return m_turn;
}

std::array<int, kLaneCount> slots_asked(std::span<const SlotPeer> peers) {
  std::array<int, kLaneCount> asking{};
  for (const auto& p : peers) ++asking[static_cast<size_t>(p.lane)];
  return asking;
}

std::vector<bool> lane_slots(std::array<int, kLaneCount> counts, std::span<const SlotPeer> peers) {
  std::vector<size_t> order(peers.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (peers[a].unchoked != peers[b].unchoked) return peers[a].unchoked;
    return peers[a].served < peers[b].served;
  });
  std::vector<bool> granted(peers.size(), false);
  for (const size_t i : order) {
    auto& left = counts[static_cast<size_t>(peers[i].lane)];
    if (left > 0) {
      granted[i] = true;
      --left;
    }
  }
  return granted;
}

}  // namespace seedd::accountant
