#pragma once
// The schedule of the alternative speed limits (alt_schedule), as Transmission's
// alt-speed-time-day/-begin/-end: days of the week and a span of local time. A span whose end
// is before its begin runs past midnight into the next day; begin == end is the whole day.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace seedd::config {

/// Transmission's day bits (tr_sched_day): Sunday 1, Monday 2, ... Saturday 64.
constexpr int kAltDaysAll = 127;
constexpr int kAltDaysWeekdays = 62;
constexpr int kAltDaysWeekends = 65;
constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMinutesPerWeek = 7 * kMinutesPerDay;

struct AltSchedule {
  int days = kAltDaysAll;    // bit (1 << wday), wday 0 = Sunday
  int begin_minute = 540;    // minutes after local midnight, 0..1439 (Transmission's default 09:00)
  int end_minute = 1020;     // 17:00
  bool operator==(const AltSchedule&) const = default;
};

/// Parses "DAYS HH:MM-HH:MM": DAYS is all, weekdays, weekends, or a comma list of day names
/// (mon, tue, ... sun) and ranges (mon-fri, fri-mon). nullopt when it is not one.
std::optional<AltSchedule> parse_alt_schedule(std::string_view text);
/// The canonical text parse_alt_schedule() reads back ("weekdays 09:00-17:00"); days 0 is "".
std::string to_string(const AltSchedule& schedule);
/// The option's rule: the canonical text, or nullopt.
std::optional<std::string> alt_schedule_rule(std::string_view text);

/// Whether `minute_of_week` (0 = Sunday 00:00, local time) is inside the schedule.
bool in_alt_window(const AltSchedule& schedule, int minute_of_week);
/// The local minute of the week of `t` (0 = Sunday 00:00).
int local_minute_of_week(std::chrono::system_clock::time_point t);

}  // namespace seedd::config
