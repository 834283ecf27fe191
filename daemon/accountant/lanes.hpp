#pragma once
// The fast lane (issue 14, docs/architecture.md "Lanes"): peers are served in three lanes, pass
// holders first, then other receipting peers, then vanilla peers, with weights a user sets
// (`lane_weights`). This file is the arithmetic only, with no libtorrent in it: which share of
// the upload limit each peer may take, and which peers hold the upload slots. The receipt
// extension measures the peers, calls these once a second and applies the results.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seedd::accountant {

enum class Lane : uint8_t { pass = 0, receipt = 1, vanilla = 2 };
constexpr size_t kLaneCount = 3;

/// "pass", "receipt" or "vanilla": the `lane` field of torrent.peers.
const char* lane_name(Lane lane);

/// Relative weights of the lanes, in lane order. Every weight is at least 1: a lane with weight
/// 0 would be starved, which the issue rules out.
using LaneWeights = std::array<uint32_t, kLaneCount>;
constexpr LaneWeights kDefaultLaneWeights = {6, 3, 1};
constexpr uint32_t kMaxLaneWeight = 1000;

/// "P:R:V", three integers from 1 to kMaxLaneWeight (spaces around them allowed); nullopt
/// otherwise.
std::optional<LaneWeights> parse_lane_weights(std::string_view text);
std::string to_string(const LaneWeights& w);

/// No per-peer cap goes below this (bytes per second): a peer whose lane share rounds to nothing
/// still moves, and libtorrent treats a limit of 0 as "no limit".
constexpr uint64_t kMinLaneCap = 1024;
/// While the peers together take less than this fraction (percent) of the upload limit, a peer
/// that used less than this fraction of its cap over the last second is not held back by it: its
/// demand is what it took (plus headroom), and the rest of its share goes to the peers that can
/// use it. A peer at its cap may want more: its demand is unbounded. While the limit is in full
/// use, every peer's demand is unbounded and the shares are the weights'.
constexpr uint64_t kSaturatedPercent = 80;
/// Headroom over the last second's rate that a peer below its cap keeps (percent of the rate,
/// and at least kProbeBytesPerSecond), so a peer speeding up reaches its cap within a second
/// or two and is then seen as wanting more.
constexpr uint64_t kHeadroomPercent = 50;
constexpr uint64_t kProbeBytesPerSecond = 64 * 1024;

/// One connection as the bandwidth allocator sees it.
struct LanePeer {
  Lane lane = Lane::vanilla;
  bool wants = false;  // unchoked and interested: it can take upload now
  uint64_t rate = 0;   // bytes per second sent to it over the last period
  uint64_t cap = 0;    // the cap it had over that period; 0: none yet
  bool held = false;   // paused by the pacer now: it wants more than its cap, whatever it took
  bool asking = false; // interested, whether or not it holds an upload slot now
};

/// Per-peer upload caps in bytes per second, in the order of `peers`, dividing `capacity` (the
/// upload limit in force) among the lanes by weight and inside a lane equally. Only lanes with a
/// peer that wants upload take part, so an empty lane's share goes to the others; a peer that
/// cannot use its share (below its cap) leaves the rest to the others (weighted max-min
/// fairness). A peer that does not want upload now gets the cap it would have as one more peer
/// of its lane, so that it does not burst when it is unchoked before the next period.
/// `capacity` 0 (no upload limit): every cap is 0, which libtorrent reads as none.
std::vector<uint64_t> lane_caps(uint64_t capacity, const LaneWeights& weights, std::span<const LanePeer> peers);

/// The lane whose peers are left unpaced: the only lane with a peer that asks for upload
/// (interested, served now or not), if there is one lane such; nullopt otherwise. Asking, not
/// served: with fewer upload slots than peers, the one served peer is choked now and then (the
/// choker hands its slot over), and a lane judged by its served peers alone looked empty at that
/// moment, so the lone lane was paced for a second and its served peer choked at its cap. With one lane in use there is nothing to divide among
/// lanes, and libtorrent's rate limiter already shares the limit equally inside it, so those
/// peers are spared the pacer's choke cycles. (Leaving the heaviest lane of several unpaced was
/// tried: a paced peer whose cap is near its equal part of libtorrent's limiter cannot make up a
/// pause, so at 1:1 it got 30 % instead of 50 %.)
std::optional<Lane> unpaced_lane(std::span<const LanePeer> peers);

/// Which peers the pacer holds to their cap (`caps` from lane_caps, one per peer): those with a
/// cap, outside the unpaced lane, while some lane asks. While no lane asks nobody is paced:
/// there is nothing to divide, and a peer that turned interested between two allocations would
/// be held at a cap it does not need, choked by the pacer, and wait for libtorrent's choker.
std::vector<bool> paced_peers(std::span<const LanePeer> peers, std::span<const uint64_t> caps);

/// One peer that asks for an upload slot (it is interested) as the slot allocator sees it.
struct SlotPeer {
  Lane lane = Lane::vanilla;
  bool unchoked = false;  // it holds a slot now: kept first inside its lane, so slots do not churn
  uint64_t served = 0;    // bytes sent to it so far: among the others, the least served go first
};

/// How many slots each lane gets out of `slots` (the upload_slots limit; <= 0: no limit, every
/// peer gets one; one lane asking: every peer too, since there is nothing to divide among lanes
/// and libtorrent's choker, optimistic unchokes included, alone decides as it would without lanes). When there are at least as many slots as lanes asking, every such lane gets
/// one first (no lane is starved of slots), the rest go by weight (largest remainder; ties to
/// the higher lane); a lane never gets more than it has peers, and what it cannot use goes to
/// the other lanes in lane order. With fewer slots than lanes asking, they go in lane order.
std::array<int, kLaneCount> lane_slot_counts(int slots, const LaneWeights& weights,
                                             const std::array<int, kLaneCount>& asking);

/// How long (in allocations, one a second) the lanes chosen to hold the slots stay chosen while
/// there are fewer slots than lanes asking: about libtorrent's unchoke interval (15 s), so that
/// turns do not churn the choker.
constexpr int kSlotRoundTicks = 15;

/// The slot counts over time. With at least as many slots as lanes asking, lane_slot_counts.
/// With fewer, the slots go to lanes in turns (smooth weighted round robin, one turn every
/// kSlotRoundTicks calls): over many turns each lane asking holds a slot in proportion to its
/// weight, so even then no lane is starved. One instance per session, network thread only.
class SlotRounds {
 public:
  /// The counts for the next second; call once a second.
  std::array<int, kLaneCount> counts(int slots, const LaneWeights& weights, const std::array<int, kLaneCount>& asking);

 private:
  std::array<int64_t, kLaneCount> m_credit{};
  std::array<int, kLaneCount> m_turn{};  // the lanes holding the slots this turn
  int m_ticks_left = 0;
};

/// Which of `peers` may hold an upload slot, in their order: each lane's count from
/// SlotRounds (or lane_slot_counts), given inside a lane to the peers unchoked now first, then to the least
/// served. When libtorrent's choker moves a slot inside a lane (it chokes one peer and unchokes
/// another), the peer it chose is the less served one and gets the slot: the lanes do not stop
/// the choker's rotation, they bound how many slots each lane holds.
std::vector<bool> lane_slots(std::array<int, kLaneCount> counts, std::span<const SlotPeer> peers);
/// How many of `peers` ask in each lane.
std::array<int, kLaneCount> slots_asked(std::span<const SlotPeer> peers);

}  // namespace seedd::accountant
