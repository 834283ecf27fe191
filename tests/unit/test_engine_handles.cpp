// on_live_handle(): a call on a torrent's handle that libtorrent refuses because the torrent
// was removed meanwhile is the engine's not_found, and nothing else is changed by it.
#include <catch2/catch.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/torrent_handle.hpp>

#include "daemon/engine/engine_impl.hpp"

namespace {
struct Looked {
  lt::torrent_handle handle;  // default: a handle whose torrent is gone
};
const std::string kId(40, 'a');
}  // namespace

TEST_CASE("a call on the handle of a torrent removed meanwhile is not found, naming the torrent", "[engine_handles]") {
  const Looked gone;
  for (int call = 0; call < 3; ++call) {
    try {
      seedd::on_live_handle(kId, gone, [call](const Looked& l) {
        // What the engine asks: libtorrent throws invalid_torrent_handle for each.
        if (call == 0) return l.handle.trackers().size();
        if (call == 1) {
          l.handle.force_reannounce();
          return size_t{0};
        }
        std::vector<lt::peer_info> peers;
        l.handle.get_peer_info(peers);
        return peers.size();
      });
      FAIL("libtorrent did not refuse the dead handle");
    } catch (const seedd::EngineError& e) {
      CHECK(e.kind == seedd::EngineError::Kind::not_found);
      CHECK(std::string(e.what()).find(kId) != std::string::npos);
    }
  }
}

TEST_CASE("other failures and answers of a live call pass through unchanged", "[engine_handles]") {
  const Looked gone;
  CHECK(seedd::on_live_handle(kId, gone, [](const Looked&) { return 7; }) == 7);
  CHECK_THROWS_MATCHES(seedd::on_live_handle(kId, gone,
                                             [](const Looked&) -> int {
                                               throw lt::system_error(lt::errors::make_error_code(lt::errors::timed_out));
                                             }),
                       lt::system_error, Catch::Predicate<lt::system_error>([](const lt::system_error& e) {
                         return e.code() == lt::errors::timed_out;
                       }));
  CHECK_THROWS_AS(seedd::on_live_handle(kId, gone,
                                        [](const Looked&) -> int {
                                          throw seedd::EngineError(seedd::EngineError::Kind::invalid_argument, "files: x");
                                        }),
                  seedd::EngineError);
}
