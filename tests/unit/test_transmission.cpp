// The pure parts of the Transmission RPC: the id registry, the envelope and handshake, and the
// field arithmetic. The integration test drives the rest with transmission-remote.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "daemon/engine/engine.hpp"
#include "rpc/transmission/fields.hpp"
#include "rpc/transmission/methods.hpp"
#include "rpc/transmission/registry.hpp"
#include "rpc/transmission/server.hpp"

using namespace seedd;
using namespace seedd::rpc::transmission;
using nlohmann::json;

namespace {

TorrentStatus torrent(char c, int64_t added) {
  TorrentStatus t;
  t.info_hash = TorrentId::from_hex(std::string(40, c)).value();
  t.name = std::string("t") + c;
  t.state = TorrentState::seeding;
  t.added_time = added;
  return t;
}

std::vector<int64_t> ids_of(const Selection& s) {
  std::vector<int64_t> out;
  for (const auto& t : s.torrents) out.push_back(t.id);
  return out;
}

}  // namespace

TEST_CASE("integer ids follow the order torrents were added and are never given twice", "[transmission]") {
  Registry r;
  auto now = Registry::Clock::now();
  // 'b' was added first: it gets id 1 even though it sorts second.
  auto s = r.select({torrent('a', 200), torrent('b', 100)}, nullptr, now);
  REQUIRE(ids_of(s) == std::vector<int64_t>{1, 2});
  CHECK(s.torrents[0].status.info_hash.hex() == std::string(40, 'b'));
  // 'b' goes away and comes back: a new id, and 1 names nothing any more.
  r.select({torrent('a', 200)}, nullptr, now);
  s = r.select({torrent('a', 200), torrent('b', 100)}, nullptr, now);
  CHECK(ids_of(s) == std::vector<int64_t>{2, 3});
  CHECK(r.select({torrent('a', 200), torrent('b', 100)}, 1, now).torrents.empty());
}

TEST_CASE("ids: an integer, a list of ids and hashes of either case, one hash, or none for all", "[transmission]") {
  Registry r;
  const auto now = Registry::Clock::now();
  const std::vector<TorrentStatus> snap = {torrent('a', 1), torrent('b', 2), torrent('c', 3)};
  CHECK(ids_of(r.select(snap, nullptr, now)) == std::vector<int64_t>{1, 2, 3});
  CHECK(ids_of(r.select(snap, 2, now)) == std::vector<int64_t>{2});
  CHECK(ids_of(r.select(snap, json::array({3, std::string(40, 'A')}), now)) == std::vector<int64_t>{1, 3});
  CHECK(ids_of(r.select(snap, std::string(40, 'B'), now)) == std::vector<int64_t>{2});
  CHECK(r.select(snap, json::array(), now).torrents.empty());
  CHECK(r.select(snap, 99, now).torrents.empty());                       // unknown: skipped
  CHECK(r.select(snap, std::string(40, 'd'), now).torrents.empty());     // unknown hash: skipped
  CHECK_THROWS_WITH(r.select(snap, "abc", now), Catch::Contains("ids") && Catch::Contains("info-hash"));
  CHECK_THROWS_WITH(r.select(snap, json::array({1.5}), now), Catch::Contains("neither an integer id"));
  CHECK_THROWS_AS(r.select(snap, json::object(), now), std::invalid_argument);
  CHECK_THROWS_AS(r.select(snap, true, now), std::invalid_argument);
}

TEST_CASE("recently-active: changed within 60 s, plus the ids removed within 60 s", "[transmission]") {
  Registry r;
  auto now = Registry::Clock::now();
  auto a = torrent('a', 1), b = torrent('b', 2);
  r.select({a, b}, nullptr, now);
  now += std::chrono::seconds(61);
  auto s = r.select({a, b}, "recently-active", now);
  CHECK(s.recently_active);
  CHECK(s.torrents.empty());
  a.uploaded_bytes = 1000;  // a changed; b was removed
  s = r.select({a}, "recently-active", now);
  CHECK(ids_of(s) == std::vector<int64_t>{1});
  CHECK(s.removed == std::vector<int64_t>{2});
  now += std::chrono::seconds(61);
  s = r.select({a}, "recently-active", now);
  CHECK(s.torrents.empty());
  CHECK(s.removed.empty());
  a.upload_rate = 5;  // moving bytes right now counts too
  CHECK(ids_of(r.select({a}, "recently-active", now)) == std::vector<int64_t>{1});
}

TEST_CASE("the handshake answers 409 with the session id to any method without it", "[transmission]") {
  Server server("abc123");
  rpc::Context ctx;
  for (const char* method : {"GET", "POST", "HEAD", "PUT"}) {
    rpc::HttpRequest req;
    req.method = method;
    req.body = R"({"method":"session-get"})";
    const auto r = server.handle(req, ctx);
    CHECK(r.status == 409);
    REQUIRE(r.headers.size() == 1);
    CHECK(r.headers[0].first == "X-Transmission-Session-Id");
    CHECK(r.headers[0].second == "abc123");
  }
  rpc::HttpRequest req;
  req.method = "GET";
  req.headers["x-transmission-session-id"] = "abc123";
  CHECK(server.handle(req, ctx).status == 405);
  req.headers["x-transmission-session-id"] = "abc124";
  CHECK(server.handle(req, ctx).status == 409);
  CHECK(Server().session_id() != Server().session_id());
  CHECK(Server().session_id().size() == 48);
}

TEST_CASE("the envelope: tag echoed, errors as result text", "[transmission]") {
  Server server("x");
  rpc::Context ctx;
  auto ask = [&](const std::string& body) { return json::parse(server.answer(body, ctx)); };
  auto r = ask(R"({"method":"no-such-thing","tag":77})");
  CHECK(r["result"] == "method name not recognized");
  CHECK(r["tag"] == 77);
  CHECK(r["arguments"].is_object());
  CHECK(ask(R"({"tag":5})")["result"] == "no method name");
  CHECK(ask(R"({"method":"torrent-get","arguments":[1]})")["result"] == "arguments must be an object");
  CHECK(ask("{not json")["result"] == "request is not valid JSON");
  CHECK(ask("[1,2]")["result"] == "request must be a JSON object");
  CHECK_FALSE(ask(R"({"method":"x","tag":"seven"})").contains("tag"));
  CHECK_FALSE(ask(R"({"method":"x"})").contains("tag"));
}

TEST_CASE("a read-only user may not call a method that changes state", "[transmission]") {
  Server server("x");
  rpc::Context ctx;
  ctx.scope = rpc::Scope::read;
  const auto r = json::parse(server.answer(R"({"method":"torrent-stop","tag":1})", ctx));
  CHECK(r["result"].get<std::string>().find("forbidden") == 0);
}

TEST_CASE("numbers are written as Transmission writes them", "[transmission]") {
  CHECK(real(-1.0).is_number_integer());
  CHECK(real(-1.0) == -1);
  CHECK(real(2.0).dump() == "2");
  CHECK(real(0.5).dump() == "0.5");
  CHECK(real(1.0 / 3).get<double>() == Approx(0.3333));
  CHECK(real(std::nan("")) == 0);
}

TEST_CASE("status, eta and ratio follow Transmission's rules", "[transmission]") {
  auto t = torrent('a', 1);
  t.total_size = 1000;
  t.total_done = 1000;
  CHECK(activity_of(t) == Activity::seed);
  CHECK(eta_of(t) == kEtaNotAvailable);                 // seeding, no ratio goal
  CHECK(upload_ratio_of(t) == 0);                        // nothing uploaded of what we have
  t.uploaded_bytes = 500;
  CHECK(upload_ratio_of(t) == Approx(0.5));
  t.seed_ratio_limit_permille = 1000;
  t.upload_rate = 100;
  CHECK(eta_of(t) == 5);                                  // 500 more bytes at 100 B/s
  t.paused = true;
  CHECK(activity_of(t) == Activity::stopped);
  t = torrent('b', 1);
  t.state = TorrentState::downloading;
  t.total_size = 1000;
  CHECK(upload_ratio_of(t) == kRatioNotAvailable);
  CHECK(eta_of(t) == kEtaNotAvailable);                 // no seed: nothing to wait for
  t.num_seeds = 1;
  t.num_peers = 1;
  CHECK(eta_of(t) == kEtaUnknown);                       // a seed, no speed yet
  t.download_rate = 250;
  CHECK(eta_of(t) == 4);
  t.state = TorrentState::checking;
  CHECK(activity_of(t) == Activity::check);
  t.state = TorrentState::error;
  CHECK(activity_of(t) == Activity::stopped);
  CHECK(tr_priority(0) == 0);
  CHECK(tr_priority(1) == -1);
  CHECK(tr_priority(4) == 0);
  CHECK(tr_priority(7) == 1);
  for (int p : {-1, 0, 1}) CHECK(tr_priority(lt_priority(p)) == p);
}

TEST_CASE("a peer's flagStr has Transmission's letters", "[transmission]") {
  PeerStatus p;  // choked both ways, nobody interested
  CHECK(flag_str(p) == "");
  p.interested = true;  // it wants our pieces and we choke it
  CHECK(flag_str(p) == "u");
  p.choked = false;  // now we upload to it
  p.incoming = p.encrypted = true;
  CHECK(flag_str(p) == "UEI");
  p.remote_choked = false;  // it unchoked us but we want nothing
  p.optimistic_unchoke = p.utp = p.from_dht = p.from_pex = true;
  CHECK(flag_str(p) == "OUKEHXIT");
  p.we_are_interested = true;
  CHECK(flag_str(p) == "ODUEHXIT");
  p.remote_choked = true;
  p.interested = false;
  CHECK(flag_str(p) == "Od?EHXIT");
}

TEST_CASE("docs/transmission-rpc.md names every method and every torrent-get field", "[transmission]") {
  std::ifstream f(std::string(SEEDD_SOURCE_DIR) + "/docs/transmission-rpc.md");
  REQUIRE(f.good());
  const std::string page((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (const auto& m : method_list()) {
    INFO("method " << m.name);
    CHECK(page.find("`" + m.name + "`") != std::string::npos);
  }
  for (const auto& name : torrent_field_names()) {
    INFO("field " << name);
    CHECK(page.find("`" + name + "`") != std::string::npos);
  }
}
