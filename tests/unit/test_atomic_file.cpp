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
