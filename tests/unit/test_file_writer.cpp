#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unistd.h>
#include <vector>

#include "daemon/util/atomic_file.hpp"
#include "daemon/util/file_writer.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using seedd::util::FileWriter;
using seedd::util::read_file;

namespace {
using seedd::test::fresh_dir;
}  // namespace

TEST_CASE("the file writer writes in order: the last write or removal of a path wins") {
  const auto dir = fresh_dir("writer-order");
  std::vector<std::string> errors;
  std::mutex m;
  FileWriter writer(0644, [&](const fs::path& p, const std::string& e) {
    std::lock_guard lock(m);
    errors.push_back(p.string() + ": " + e);
  });
  for (int i = 0; i < 2000; ++i) writer.write(dir / ("f" + std::to_string(i % 100)), std::to_string(i));
  writer.write(dir / "gone", "x");
  writer.remove(dir / "gone");
  writer.remove(dir / "back");
  writer.write(dir / "back", "again");
  writer.flush();
  CHECK(writer.backlog() == 0);
  for (int i = 0; i < 100; ++i) CHECK(read_file(dir / ("f" + std::to_string(i))).value() == std::to_string(1900 + i));
  CHECK_FALSE(fs::exists(dir / "gone"));
  CHECK(read_file(dir / "back").value() == "again");
  // Nothing but the files: no temp file left behind.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 101);
  CHECK(errors.empty());
}

TEST_CASE("the file writer reports a file it cannot write and still writes the others") {
  const auto dir = fresh_dir("writer-errors");
  std::vector<std::string> errors;
  std::mutex m;
  {
    FileWriter writer(0600, [&](const fs::path& p, const std::string&) {
      std::lock_guard lock(m);
      errors.push_back(p.filename().string());
    });
    writer.write(dir / "missing-dir" / "state", "lost");
    writer.write(dir / "state", "kept");
    // The destructor writes what is still queued.
  }
  CHECK(errors == std::vector<std::string>{"state"});
  CHECK(read_file(dir / "state").value() == "kept");
  CHECK((fs::status(dir / "state").permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("a producer that waits for the backlog keeps it below the limit, and everything is written") {
  const auto dir = fresh_dir("writer-backlog");
  FileWriter writer(0644, [](const fs::path&, const std::string&) {});
  size_t most = 0;
  for (int i = 0; i < 3000; ++i) {
    writer.wait_backlog_below(100);
    // Only this thread queues, so the backlog can only have shrunk since the wait returned.
    most = std::max(most, writer.backlog());
    writer.write(dir / ("f" + std::to_string(i)), std::to_string(i));
  }
  CHECK(most < 100);
  writer.flush();
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 3000);
  CHECK(read_file(dir / "f2999").value() == "2999");
}
