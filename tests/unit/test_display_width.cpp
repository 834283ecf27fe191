// seedctl's tables measure text in terminal columns (issue 19 item 5).
#include <catch2/catch.hpp>

#include "cli/display_width.hpp"

using namespace seedd::cli;

TEST_CASE("CJK characters take two columns, accents and ASCII one, combining marks none") {
  CHECK(display_width("abc") == 3);
  CHECK(display_width("\xC3\xA9t\xC3\xA9") == 3);                       // été
  CHECK(display_width("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") == 6);     // 日本語
  CHECK(display_width("e\xCC\x81") == 1);                                // e + combining acute
  CHECK(display_width("\xF0\x9F\x8E\xB5") == 2);                         // 🎵
  CHECK(display_width("\xEF\xBC\xA1") == 2);                             // fullwidth A
}

TEST_CASE("bytes that are not UTF-8 count one column each and do not swallow the next character") {
  CHECK(display_width("\xFF" "a") == 2);
  CHECK(display_width("\xE6\x97") == 2);  // a cut sequence: two stray bytes
  CHECK(display_width("\xC0\xAF") == 2);  // overlong '/'
}

TEST_CASE("a cut lands on a character boundary and the result never exceeds the width") {
  const std::string cjk = "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE6\x97\xA5\xE6\x9C\xAC";  // 日本語日本 (10 columns)
  CHECK(fit_to_width(cjk, 10) == cjk);
  // 6 columns: two characters (4) fit before the "~"; the third (2 more) would make 7.
  CHECK(fit_to_width(cjk, 6) == "\xE6\x97\xA5\xE6\x9C\xAC~");
  CHECK(display_width(fit_to_width(cjk, 6)) == 5);
  CHECK(fit_to_width(cjk, 7) == "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E~");
  for (size_t w = 1; w <= 12; ++w) CHECK(display_width(fit_to_width(cjk, w)) <= w);
  // é is two bytes: a byte cut would split it.
  CHECK(fit_to_width("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9\xC3\xA9~");
  // A combining mark stays with its letter.
  CHECK(fit_to_width("e\xCC\x81" "e\xCC\x81" "e\xCC\x81", 2) == "e\xCC\x81~");
  CHECK(fit_to_width("abc", 0).empty());
}

TEST_CASE("padding counts columns, so a wide name and an ASCII one end at the same column") {
  CHECK(pad_to_width("\xE6\x97\xA5", 4) == "\xE6\x97\xA5  ");
  CHECK(pad_to_width("ab", 4) == "ab  ");
  CHECK(pad_to_width("ab", 4, true) == "  ab");
  CHECK(pad_to_width("abcdef", 4) == "abcdef");
  CHECK(display_width(pad_to_width(fit_to_width("\xE6\x97\xA5\xE6\x97\xA5\xE6\x97\xA5", 4), 6)) == 6);
}
