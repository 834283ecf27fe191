// Which endpoint's result a tracker shows (issue 19 item 14).
#include <catch2/catch.hpp>

#include <libtorrent/error_code.hpp>

#include "daemon/engine/tracker_state.hpp"

using namespace seedd;

namespace {

lt::announce_endpoint endpoint(const char* ip, int fails, lt::error_code error, bool started) {
  lt::announce_endpoint ep;
  ep.local_endpoint = lt::tcp::endpoint(lt::make_address(ip), 6881);
  auto& ih = ep.info_hashes[lt::protocol_version::V1];
  ih.fails = static_cast<std::uint8_t>(fails);
  ih.last_error = error;
  ih.start_sent = started;
  return ep;
}

TrackerStatus status_of(std::vector<lt::announce_endpoint> eps) {
  lt::announce_entry ae("http://tracker.example/announce");
  ae.endpoints = std::move(eps);
  return tracker_status_of(ae, lt::clock_type::now(), 0);
}

const lt::error_code kSkipped = lt::errors::announce_skipped;
const lt::error_code kRefused = boost::asio::error::connection_refused;

}  // namespace

TEST_CASE("a tracker that answered on one endpoint is working, whatever the skipped ones say") {
  const auto t = status_of({endpoint("fe80::1", 1, kSkipped, false), endpoint("::1", 1, kSkipped, false),
                            endpoint("127.0.0.1", 0, {}, true)});
  CHECK(t.fails == 0);
  CHECK(t.message.empty());
  CHECK(t.endpoint == "127.0.0.1:6881");
}

TEST_CASE("a real failure is shown over skipped announces, with its endpoint") {
  const auto t = status_of({endpoint("fd00::2", 1, kSkipped, false), endpoint("192.0.2.2", 3, kRefused, false)});
  CHECK(t.fails == 3);
  CHECK(t.message == kRefused.message());
  CHECK(t.endpoint == "192.0.2.2:6881");
}

TEST_CASE("link-local endpoints count only when there is nothing else") {
  auto t = status_of({endpoint("fe80::1", 2, kRefused, false), endpoint("192.0.2.2", 0, {}, false)});
  CHECK(t.fails == 0);
  CHECK(t.message.empty());
  t = status_of({endpoint("fe80::1", 2, kRefused, false)});
  CHECK(t.fails == 2);
  CHECK(t.endpoint == "[fe80::1]:6881");
  // Every announce skipped: unreachable is the truth.
  t = status_of({endpoint("::1", 1, kSkipped, false)});
  CHECK(t.message == kSkipped.message());
}

TEST_CASE("link-local addresses") {
  CHECK(is_link_local(lt::make_address("fe80::fc:ff:fe00:1")));
  CHECK(is_link_local(lt::make_address("169.254.3.4")));
  CHECK_FALSE(is_link_local(lt::make_address("fd00::2")));
  CHECK_FALSE(is_link_local(lt::make_address("192.0.2.2")));
  CHECK_FALSE(is_link_local(lt::make_address("::1")));
}
