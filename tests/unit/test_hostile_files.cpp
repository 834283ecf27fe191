// Issue 16, items 7-10: files that are not what they seem, links that lead out, a full disk.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <system_error>

#include <libtorrent/file_storage.hpp>
#include <nlohmann/json.hpp>

#include "daemon/engine/engine.hpp"
#include "daemon/engine/path_guard.hpp"
#include "daemon/util/bounded_read.hpp"
#include "daemon/util/io_error.hpp"
#include "daemon/util/log_throttle.hpp"
#include "rpc/jsonrpc.hpp"
#include "rpc/method_table.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using seedd::util::FileRefused;
using seedd::util::read_regular_file;

namespace {
void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }
}  // namespace

TEST_CASE("read_regular_file reads a file at the limit and refuses one a byte past it") {
  seedd::test::ScratchDir dir("bounded_read_limit");
  write(dir.path() / "ten", "0123456789");
  CHECK(read_regular_file(dir.path() / "ten", 10).value() == "0123456789");
  CHECK_THROWS_AS(read_regular_file(dir.path() / "ten", 9), FileRefused);
  CHECK_FALSE(read_regular_file(dir.path() / "missing", 10).has_value());
}

TEST_CASE("read_regular_file refuses a 1 GiB sparse file without reading it") {
  seedd::test::ScratchDir dir("bounded_read_big");
  const auto big = dir.path() / "big";
  { std::ofstream(big).close(); }
  fs::resize_file(big, 1ull << 30);
  fs::create_symlink(big, dir.path() / "link");
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(read_regular_file(big, 100 << 20), Catch::Contains("more than the limit"));
  CHECK_THROWS_AS(read_regular_file(dir.path() / "link", 100 << 20), FileRefused);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(200));
}

TEST_CASE("read_regular_file refuses a FIFO at once instead of blocking, and a directory") {
  seedd::test::ScratchDir dir("bounded_read_fifo");
  const auto fifo = dir.path() / "f.torrent";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(read_regular_file(fifo, 1000), Catch::Contains("a FIFO, not a regular file"));
  CHECK_THROWS_WITH(read_regular_file(dir.path(), 1000), Catch::Contains("a directory"));
}

TEST_CASE("is_under compares whole path components") {
  using seedd::path_guard::is_under;
  CHECK(is_under("/a/b/c", "/a/b"));
  CHECK(is_under("/a/b", "/a/b"));
  CHECK(is_under("/a/b/c", "/a/b/"));
  CHECK_FALSE(is_under("/a/bc", "/a/b"));
  CHECK_FALSE(is_under("/a", "/a/b"));
}

TEST_CASE("confine follows a dangling link out of the roots and refuses it") {
  seedd::test::ScratchDir dir("confine_dangling");
  const auto root = dir.path() / "root";
  fs::create_directories(root);
  fs::create_symlink(dir.path() / "outside" / "nothing-yet", root / "dangling");
  const auto roots = seedd::path_guard::resolve_roots(root, {});
  CHECK_THROWS_AS(seedd::path_guard::confine(root / "dangling", root, roots, false, "save_path"), seedd::EngineError);
  CHECK(seedd::path_guard::confine(root / "plain" / "new", root, roots, false, "save_path") ==
        fs::weakly_canonical(root) / "plain" / "new");
}

TEST_CASE("a torrent whose top folder, a folder inside or a file is a link out of the roots is found") {
  seedd::test::ScratchDir dir("confine_files");
  const auto root = dir.path() / "root";
  const auto outside = dir.path() / "outside";
  fs::create_directories(root / "t" / "sub");
  fs::create_directories(outside);
  const auto roots = seedd::path_guard::resolve_roots(root, {});
  lt::file_storage files;
  files.add_file("t/sub/a.bin", 10);
  files.add_file("t/b.bin", 10);
  CHECK(seedd::path_guard::link_leaving_roots(root, files, roots).empty());
  fs::create_symlink(outside / "b.bin", root / "t" / "b.bin");  // a file, dangling
  CHECK_THAT(seedd::path_guard::link_leaving_roots(root, files, roots), Catch::Contains("t/b.bin"));
  fs::remove(root / "t" / "b.bin");
  fs::create_symlink(root / "t" / "sub", root / "t" / "b.bin");  // a link that stays inside
  CHECK(seedd::path_guard::link_leaving_roots(root, files, roots).empty());
  fs::remove_all(root / "t");
  fs::create_symlink(outside, root / "t");  // the top folder
  CHECK_THAT(seedd::path_guard::link_leaving_roots(root, files, roots), Catch::Contains("is a symbolic link to"));
}

TEST_CASE("LogThrottle lets one line through per interval and counts the ones held back") {
  using Clock = seedd::util::LogThrottle::Clock;
  seedd::util::LogThrottle t(std::chrono::seconds(60));
  const auto t0 = Clock::now();
  CHECK(t.allow(t0) == 0u);
  CHECK_FALSE(t.allow(t0 + std::chrono::seconds(1)));
  CHECK_FALSE(t.allow(t0 + std::chrono::seconds(59)));
  CHECK(t.allow(t0 + std::chrono::seconds(60)) == 2u);
  t.reset();
  CHECK(t.allow(t0 + std::chrono::seconds(61)) == 0u);
}

TEST_CASE("a full disk answers -32004 with its cause, not -32603") {
  seedd::rpc::MethodTable table;
  table.add({"disk.full", "", {}, "", false, [](const nlohmann::json&, seedd::rpc::Context&) -> nlohmann::json {
               throw seedd::util::IoError("ledger: COMMIT: database or disk is full");
             }});
  table.add({"disk.enospc", "", {}, "", false, [](const nlohmann::json&, seedd::rpc::Context&) -> nlohmann::json {
               throw std::system_error(ENOSPC, std::generic_category(), "cannot write x");
             }});
  seedd::rpc::Context ctx;
  for (const char* method : {"disk.full", "disk.enospc"}) {
    const auto answer = seedd::rpc::handle_jsonrpc(
        std::string(R"({"jsonrpc":"2.0","id":1,"method":")") + method + "\"}", ctx, table);
    const auto j = nlohmann::json::parse(answer.value());
    CHECK(j["error"]["code"] == -32004);
    const auto message = j["error"]["message"].get<std::string>();
    CHECK_THAT(message, Catch::StartsWith("I/O error: ") &&
                            (Catch::Contains("disk is full") || Catch::Contains("No space left on device")));
  }
}
