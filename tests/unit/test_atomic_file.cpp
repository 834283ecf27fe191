#include <catch2/catch.hpp>

#include <filesystem>
#include <sys/stat.h>

#include "daemon/util/atomic_file.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using seedd::util::read_file;
using seedd::util::write_file_atomic;

namespace {
fs::path temp_dir() { return seedd::test::fresh_dir("atomic-file"); }
}  // namespace

TEST_CASE("an atomic write replaces the file and leaves no temp file behind") {
  const auto dir = temp_dir() / "atomic";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_file_atomic(dir / "state", "one");
  write_file_atomic(dir / "state", "two");
  CHECK(read_file(dir / "state").value() == "two");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("a secret is written with exactly the mode asked for, whatever the umask") {
  const auto dir = temp_dir();
  const auto old = ::umask(0);
  write_file_atomic(dir / "secret", "x", 0600);
  ::umask(old);
  struct stat st {};
  REQUIRE(::stat((dir / "secret").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("reading a missing file gives nullopt, a write into a missing directory throws") {
  const auto dir = temp_dir();
  CHECK_FALSE(read_file(dir / "nope").has_value());
  CHECK_THROWS_AS(write_file_atomic(dir / "no-such-dir" / "f", "x"), std::system_error);
}

TEST_CASE("many files at once: each is written whole with its mode, bad ones are reported, no temp file stays") {
  // 600 files: three rounds of open files, each synced by several threads at once.
  const auto dir = temp_dir() / "many";
  fs::create_directories(dir);
  std::vector<seedd::util::FileWrite> files;
  for (int i = 0; i < 600; ++i) files.push_back({dir / ("f" + std::to_string(i)), std::string(100 + i, 'a' + i % 26)});
  files.push_back({dir / "no-such-dir" / "lost", "x"});
  std::vector<std::string> errors;
  const auto written = seedd::util::write_files_atomic(
      files, 0600, [&](const fs::path& p, const std::string&) { errors.push_back(p.filename().string()); });
  CHECK(written == 600);
  CHECK(errors == std::vector<std::string>{"lost"});
  for (int i = 0; i < 600; ++i) {
    const auto path = dir / ("f" + std::to_string(i));
    REQUIRE(read_file(path).value() == std::string(100 + i, 'a' + i % 26));
    REQUIRE((fs::status(path).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
  }
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 600);
}
