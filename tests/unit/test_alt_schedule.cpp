// alt_schedule: the text users write, and which minutes of the week it covers (Transmission's
// alt-speed-time-day/-begin/-end rules: past midnight when the end is before the begin, the
// whole day when they are equal).
#include <catch2/catch.hpp>

#include "config/alt_schedule.hpp"

using namespace seedd::config;

namespace {
constexpr int kSunday = 0, kMonday = 1, kFriday = 5, kSaturday = 6;
int at(int wday, int hour, int minute) { return wday * kMinutesPerDay + hour * 60 + minute; }
}  // namespace

TEST_CASE("alt_schedule text is read and written back in one canonical form", "[alt_schedule]") {
  CHECK(alt_schedule_rule("weekdays 09:00-17:00") == "weekdays 09:00-17:00");
  CHECK(alt_schedule_rule("MON-FRI 09:00-17:00") == "weekdays 09:00-17:00");
  CHECK(alt_schedule_rule("sat,sun 22:30-06:00") == "weekends 22:30-06:00");
  CHECK(alt_schedule_rule("mon-sun 00:00-00:00") == "all 00:00-00:00");
  CHECK(alt_schedule_rule("fri-mon 01:00-02:00") == "mon,fri,sat,sun 01:00-02:00");
  CHECK(alt_schedule_rule("wed   23:59-00:01") == "wed 23:59-00:01");
  const auto s = parse_alt_schedule("tue,thu 08:15-12:45");
  REQUIRE(s);
  CHECK(s->days == (4 | 16));
  CHECK(s->begin_minute == 8 * 60 + 15);
  CHECK(s->end_minute == 12 * 60 + 45);
}

TEST_CASE("alt_schedule text that is not DAYS HH:MM-HH:MM is refused", "[alt_schedule]") {
  for (const char* bad : {"", "weekdays", "weekdays 9:00-17:00", "weekdays 09:00", "weekdays 24:00-01:00",
                          "weekdays 09:60-10:00", "someday 09:00-10:00", "mon-xyz 09:00-10:00", "mon,,tue 09:00-10:00",
                          "weekdays 09:00-17:00 extra", "weekdays "})
    CHECK_FALSE(alt_schedule_rule(bad));
}

TEST_CASE("a daytime span covers its days from the begin minute up to, not including, the end", "[alt_schedule]") {
  const auto s = *parse_alt_schedule("weekdays 09:00-17:00");
  CHECK_FALSE(in_alt_window(s, at(kMonday, 8, 59)));
  CHECK(in_alt_window(s, at(kMonday, 9, 0)));
  CHECK(in_alt_window(s, at(kFriday, 16, 59)));
  CHECK_FALSE(in_alt_window(s, at(kFriday, 17, 0)));
  CHECK_FALSE(in_alt_window(s, at(kSaturday, 12, 0)));
  CHECK_FALSE(in_alt_window(s, at(kSunday, 12, 0)));
}

TEST_CASE("a span whose end is before its begin runs into the next day, across Saturday night too", "[alt_schedule]") {
  const auto s = *parse_alt_schedule("sat 22:00-06:00");
  CHECK(in_alt_window(s, at(kSaturday, 22, 0)));
  CHECK(in_alt_window(s, at(kSunday, 5, 59)));  // the week wraps: Sunday is minute 0
  CHECK_FALSE(in_alt_window(s, at(kSunday, 6, 0)));
  CHECK_FALSE(in_alt_window(s, at(kFriday, 23, 0)));
  CHECK_FALSE(in_alt_window(s, at(kSaturday, 5, 0)));  // Friday has no span to run into Saturday
}

TEST_CASE("a span whose end equals its begin is the whole day", "[alt_schedule]") {
  const auto s = *parse_alt_schedule("sun 00:00-00:00");
  CHECK(in_alt_window(s, at(kSunday, 0, 0)));
  CHECK(in_alt_window(s, at(kSunday, 23, 59)));
  CHECK_FALSE(in_alt_window(s, at(kMonday, 0, 0)));
  CHECK_FALSE(in_alt_window(AltSchedule{0, 0, 0}, at(kSunday, 12, 0)));  // no days: never
}
