// The fast lane's arithmetic (daemon/accountant/lanes.hpp): lane_weights parsing, the per-peer
// upload caps that divide the upload limit among the lanes, and the upload slots.
#include <catch2/catch.hpp>

#include <numeric>

#include "daemon/accountant/lanes.hpp"

using namespace seedd::accountant;

namespace {

constexpr uint64_t MiB = 1024 * 1024;

LanePeer wanting(Lane lane, uint64_t rate = 0, uint64_t cap = 0) { return {lane, true, rate, cap}; }

uint64_t sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t{0}); }

}  // namespace

TEST_CASE("lane_weights takes three integers from 1 to 1000 separated by colons", "[lanes]") {
  CHECK(parse_lane_weights("6:3:1") == LaneWeights{6, 3, 1});
  CHECK(parse_lane_weights(" 10 : 5 : 1 ") == LaneWeights{10, 5, 1});
  CHECK(parse_lane_weights("1000:1:1") == LaneWeights{1000, 1, 1});
  CHECK(to_string(LaneWeights{6, 3, 1}) == "6:3:1");
  for (const char* bad : {"", "6:3", "6:3:1:1", "6:0:1", "0:0:0", "6:-3:1", "6:3:x", "6::1", "1001:1:1", "6:3:1.5",
                          ":6:3:1", "6:3:1:", "99999999999:1:1"})
    CHECK_FALSE(parse_lane_weights(bad).has_value());
}

TEST_CASE("one saturated peer per lane: the upload limit is divided 6:3:1", "[lanes]") {
  const std::vector<LanePeer> peers = {wanting(Lane::pass), wanting(Lane::receipt), wanting(Lane::vanilla)};
  const auto caps = lane_caps(4 * MiB, kDefaultLaneWeights, peers);
  REQUIRE(caps.size() == 3);
  CHECK(caps[0] == 4 * MiB * 6 / 10);
  CHECK(caps[1] == 4 * MiB * 3 / 10);
  CHECK(caps[2] == 4 * MiB * 1 / 10);
}

TEST_CASE("an empty lane's share goes to the lanes that have peers", "[lanes]") {
  // Receipt and vanilla only (no pass holder): 3:1.
  const std::vector<LanePeer> peers = {wanting(Lane::receipt), wanting(Lane::vanilla)};
  const auto caps = lane_caps(4 * MiB, kDefaultLaneWeights, peers);
  CHECK(caps[0] == 3 * MiB);
  CHECK(caps[1] == 1 * MiB);
}

TEST_CASE("weights are per lane: two peers of one lane share its part", "[lanes]") {
  const std::vector<LanePeer> peers = {wanting(Lane::pass), wanting(Lane::pass), wanting(Lane::vanilla)};
  const auto caps = lane_caps(7 * MiB, LaneWeights{6, 3, 1}, peers);
  CHECK(caps[0] == 3 * MiB);
  CHECK(caps[1] == 3 * MiB);
  CHECK(caps[2] == 1 * MiB);
}

TEST_CASE("a peer that cannot use its share leaves the rest to the others", "[lanes]") {
  // The pass holder took 100 KiB/s of a 2.4 MiB/s cap: it keeps what it took and some headroom,
  // the receipt and vanilla lanes divide the rest 3:1.
  const uint64_t cap = 4 * MiB * 6 / 10;
  const std::vector<LanePeer> peers = {wanting(Lane::pass, 100 * 1024, cap), wanting(Lane::receipt),
                                       wanting(Lane::vanilla)};
  const auto caps = lane_caps(4 * MiB, kDefaultLaneWeights, peers);
  const uint64_t pass_demand = 100 * 1024 + std::max<uint64_t>(50 * 1024, kProbeBytesPerSecond);
  CHECK(caps[0] == pass_demand);
  const uint64_t rest = 4 * MiB - pass_demand;
  CHECK(caps[1] == rest * 3 / 4);
  CHECK(caps[2] == rest / 4);
  // A peer that used its cap (80 % or more of it) may want more: it gets its full share again.
  const std::vector<LanePeer> at_cap = {wanting(Lane::pass, cap * 9 / 10, cap), wanting(Lane::receipt),
                                        wanting(Lane::vanilla)};
  CHECK(lane_caps(4 * MiB, kDefaultLaneWeights, at_cap)[0] == cap);
  // So may a peer the pacer holds now, though it took nothing in the last second (it was paying
  // off bytes that were queued when it was choked).
  const std::vector<LanePeer> held = {wanting(Lane::pass), wanting(Lane::receipt), {Lane::vanilla, true, 0, 64 * 1024, true}};
  CHECK(lane_caps(4 * MiB, kDefaultLaneWeights, held)[2] == 4 * MiB / 10);
}

TEST_CASE("while the upload limit is in full use, a peer below its cap keeps its whole share", "[lanes]") {
  // Under libtorrent's limiter a peer falls below its cap for a second when the others won the
  // race: that is no sign it cannot take more, and its share must not drift to them.
  const std::vector<LanePeer> peers = {wanting(Lane::receipt, 2600 * 1024, 2 * MiB),
                                       wanting(Lane::vanilla, 1100 * 1024, 2 * MiB)};
  const auto caps = lane_caps(4 * MiB, LaneWeights{1, 1, 1}, peers);
  CHECK(caps[0] == 2 * MiB);
  CHECK(caps[1] == 2 * MiB);
}

TEST_CASE("no lane is starved: the smallest weight still gets its share", "[lanes]") {
  const std::vector<LanePeer> peers = {wanting(Lane::pass), wanting(Lane::pass), wanting(Lane::pass),
                                       wanting(Lane::receipt), wanting(Lane::vanilla)};
  const auto caps = lane_caps(4 * MiB, LaneWeights{1000, 1, 1}, peers);
  CHECK(caps[3] >= 4 * MiB / 1002);
  CHECK(caps[4] >= 4 * MiB / 1002);
  CHECK(sum(caps) <= 4 * MiB);
}

TEST_CASE("peers that do not want upload get the cap they would have, and take nothing from the others", "[lanes]") {
  LanePeer idle_pass{Lane::pass, false, 0, 0};
  const std::vector<LanePeer> peers = {idle_pass, wanting(Lane::receipt), wanting(Lane::vanilla)};
  const auto caps = lane_caps(4 * MiB, kDefaultLaneWeights, peers);
  CHECK(caps[1] == 3 * MiB);
  CHECK(caps[2] == 1 * MiB);
  // As one more lane among the lanes in use: 6 of 6 + 3 + 1.
  CHECK(caps[0] == 4 * MiB * 6 / 10);
}

TEST_CASE("no upload limit: no caps", "[lanes]") {
  const std::vector<LanePeer> peers = {wanting(Lane::pass), wanting(Lane::vanilla)};
  CHECK(lane_caps(0, kDefaultLaneWeights, peers) == std::vector<uint64_t>{0, 0});
}

TEST_CASE("a tiny upload limit still leaves every peer a cap of at least kMinLaneCap", "[lanes]") {
  const std::vector<LanePeer> peers = {wanting(Lane::pass), wanting(Lane::receipt), wanting(Lane::vanilla)};
  for (auto c : lane_caps(100, kDefaultLaneWeights, peers)) CHECK(c == kMinLaneCap);
}

TEST_CASE("a lane is left unpaced only while it is the one lane in use", "[lanes]") {
  const std::vector<LanePeer> three = {wanting(Lane::vanilla), wanting(Lane::receipt), wanting(Lane::pass)};
  CHECK_FALSE(unpaced_lane(three).has_value());
  // Peers of other lanes that want nothing now do not count.
  const std::vector<LanePeer> one = {wanting(Lane::receipt), wanting(Lane::receipt), {Lane::pass, false, 0, 0}};
  CHECK(unpaced_lane(one) == Lane::receipt);
  const std::vector<LanePeer> none = {{Lane::pass, false, 0, 0}};
  CHECK_FALSE(unpaced_lane(none).has_value());
  // A peer that asks without a slot now still puts its lane in use: two lanes, both paced.
  LanePeer choked_pass{Lane::pass, false, 0, 0};
  choked_pass.asking = true;
  const std::vector<LanePeer> two = {wanting(Lane::receipt), choked_pass};
  CHECK_FALSE(unpaced_lane(two).has_value());
  // One lane that asks, with none of its peers served at this moment (the choker is handing the
  // one slot over): still the one lane in use, so still unpaced.
  LanePeer choked_receipt{Lane::receipt, false, 0, 0};
  choked_receipt.asking = true;
  const std::vector<LanePeer> handing_over = {choked_receipt, choked_receipt, choked_receipt};
  CHECK(unpaced_lane(handing_over) == Lane::receipt);
}

TEST_CASE("the pacer holds the capped peers outside the one lane in use, and nobody while no lane asks", "[lanes]") {
  LanePeer idle_pass{Lane::pass, false, 0, 0};
  LanePeer idle_receipt{Lane::receipt, false, 0, 0};
  // No lane asks: nobody is paced, whatever the caps.
  const std::vector<LanePeer> quiet = {idle_pass, idle_receipt};
  CHECK(paced_peers(quiet, std::vector<uint64_t>{1000, 1000}) == std::vector<bool>{false, false});
  // One lane asks: it is left alone; a capped peer of another lane is paced.
  const std::vector<LanePeer> one = {wanting(Lane::receipt), idle_pass};
  CHECK(paced_peers(one, std::vector<uint64_t>{1000, 1000}) == std::vector<bool>{false, true});
  // Two lanes ask: every capped peer is paced; one without a cap (no upload limit) is not.
  const std::vector<LanePeer> two = {wanting(Lane::receipt), wanting(Lane::pass), wanting(Lane::vanilla)};
  CHECK(paced_peers(two, std::vector<uint64_t>{1000, 1000, 0}) == std::vector<bool>{true, true, false});
}

TEST_CASE("upload slots go one to each asking lane first, the rest by weight", "[lanes]") {
  CHECK(lane_slot_counts(8, kDefaultLaneWeights, {10, 10, 10}) == std::array<int, 3>{4, 3, 1});
  CHECK(lane_slot_counts(10, kDefaultLaneWeights, {10, 10, 10}) == std::array<int, 3>{5, 3, 2});
  CHECK(lane_slot_counts(3, kDefaultLaneWeights, {10, 10, 10}) == std::array<int, 3>{1, 1, 1});
  // A lane with fewer peers than its part passes the rest down the lanes.
  CHECK(lane_slot_counts(8, kDefaultLaneWeights, {1, 10, 10}) == std::array<int, 3>{1, 6, 1});
  // One lane asking: nothing to divide, libtorrent's choker alone decides (all may hold one).
  CHECK(lane_slot_counts(8, kDefaultLaneWeights, {0, 0, 10}) == std::array<int, 3>{0, 0, 10});
  CHECK(lane_slot_counts(8, kDefaultLaneWeights, {0, 10, 10}) == std::array<int, 3>{0, 6, 2});
  CHECK(lane_slot_counts(8, kDefaultLaneWeights, {1, 1, 1}) == std::array<int, 3>{1, 1, 1});
  // Fewer slots than lanes asking: in lane order.
  CHECK(lane_slot_counts(2, kDefaultLaneWeights, {5, 5, 5}) == std::array<int, 3>{1, 1, 0});
  CHECK(lane_slot_counts(1, kDefaultLaneWeights, {0, 5, 5}) == std::array<int, 3>{0, 1, 0});
  // No slot limit: every asking peer.
  CHECK(lane_slot_counts(0, kDefaultLaneWeights, {2, 3, 4}) == std::array<int, 3>{2, 3, 4});
}

TEST_CASE("inside a lane the peers that hold a slot keep it", "[lanes]") {
  const std::vector<SlotPeer> peers = {{Lane::vanilla, false, 0}, {Lane::vanilla, true, 5}, {Lane::pass, false, 0},
                                       {Lane::receipt, false, 0}, {Lane::receipt, true, 9}};
  // 3 slots, three lanes asking: one each; the vanilla and receipt slots stay with the unchoked.
  CHECK(lane_slots(lane_slot_counts(3, kDefaultLaneWeights, slots_asked(peers)), peers) ==
        std::vector<bool>{false, true, true, false, true});
}

TEST_CASE("a free slot of a lane goes to its least served peer, so the choker's rotation goes on", "[lanes]") {
  // libtorrent's choker took the slot from the first peer and gave it to the second; seedd
  // choked the second back (it had no grant then). Both are choked now: the less served one
  // (the choker's choice) gets the slot.
  const std::vector<SlotPeer> peers = {{Lane::receipt, false, 50 << 20}, {Lane::receipt, false, 0},
                                       {Lane::vanilla, true, 0}};
  CHECK(lane_slots(lane_slot_counts(2, kDefaultLaneWeights, slots_asked(peers)), peers) ==
        std::vector<bool>{false, true, true});
}

TEST_CASE("with fewer slots than lanes asking, the lanes take turns by weight and none is starved", "[lanes]") {
  SlotRounds rounds;
  std::array<int, 3> seconds_held{};
  const int turns = 20;
  for (int s = 0; s < turns * kSlotRoundTicks; ++s) {
    const auto c = rounds.counts(1, kDefaultLaneWeights, {2, 2, 2});
    REQUIRE(c[0] + c[1] + c[2] == 1);
    for (size_t l = 0; l < 3; ++l) seconds_held[l] += c[l];
  }
  // 6:3:1 of 20 turns: 12, 6 and 2, each turn kSlotRoundTicks seconds long.
  CHECK(seconds_held == std::array<int, 3>{12 * kSlotRoundTicks, 6 * kSlotRoundTicks, 2 * kSlotRoundTicks});
  // A turn lasts kSlotRoundTicks seconds, unless its lane leaves.
  SlotRounds r2;
  CHECK(r2.counts(1, kDefaultLaneWeights, {1, 1, 0}) == std::array<int, 3>{1, 0, 0});
  CHECK(r2.counts(1, kDefaultLaneWeights, {1, 1, 0}) == std::array<int, 3>{1, 0, 0});
  CHECK(r2.counts(1, kDefaultLaneWeights, {0, 1, 1}) == std::array<int, 3>{0, 1, 0});
  // Enough slots again: every lane asking holds some at once.
  CHECK(r2.counts(3, kDefaultLaneWeights, {1, 1, 1}) == std::array<int, 3>{1, 1, 1});
}
