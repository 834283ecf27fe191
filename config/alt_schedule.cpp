#include "config/alt_schedule.hpp"

#include <array>
#include <cctype>
#include <ctime>
#include <vector>

namespace seedd::config {
namespace {

// Monday first, as people write weeks; the bit is Transmission's (Sunday = bit 0).
constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
int day_bit(size_t monday_index) { return 1 << ((monday_index + 1) % 7); }

std::optional<size_t> day_index(std::string_view name) {
  for (size_t i = 0; i < kDayNames.size(); ++i)
    if (name == kDayNames[i]) return i;
  return std::nullopt;
}

std::optional<int> parse_days(std::string_view text) {
  if (text == "all") return kAltDaysAll;
  if (text == "weekdays") return kAltDaysWeekdays;
  if (text == "weekends") return kAltDaysWeekends;
  int days = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const auto comma = std::min(text.find(',', pos), text.size());
    const auto item = text.substr(pos, comma - pos);
    pos = comma + 1;
    const auto dash = item.find('-');
    const auto first = day_index(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : day_index(item.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    for (size_t i = *first;; i = (i + 1) % 7) {  // fri-mon wraps over the weekend
      days |= day_bit(i);
      if (i == *last) break;
    }
  }
  return days;
}

std::optional<int> parse_time(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (hours > 23 || minutes > 59) return std::nullopt;
  return hours * 60 + minutes;
}

std::string time_text(int minute) {
  char out[16];
  std::snprintf(out, sizeof out, "%02d:%02d", minute / 60, minute % 60);
  return out;
}

}  // namespace

std::optional<AltSchedule> parse_alt_schedule(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto space = lower.find(' ');
  if (space == std::string::npos) return std::nullopt;
  const std::string_view all(lower);
  const auto days = parse_days(all.substr(0, space));
  const auto span_at = all.find_first_not_of(' ', space);
  if (span_at == std::string_view::npos) return std::nullopt;
  const auto span = all.substr(span_at);
  const auto dash = span.find('-');
  if (!days || dash == std::string_view::npos) return std::nullopt;
  const auto begin = parse_time(span.substr(0, dash));
  const auto end = parse_time(span.substr(dash + 1));
  if (!begin || !end) return std::nullopt;
  return AltSchedule{*days, *begin, *end};
}

std::string to_string(const AltSchedule& s) {
  if (s.days == 0) return {};
  std::string days;
  if (s.days == kAltDaysAll) days = "all";
  else if (s.days == kAltDaysWeekdays) days = "weekdays";
  else if (s.days == kAltDaysWeekends) days = "weekends";
  else
    for (size_t i = 0; i < kDayNames.size(); ++i)
      if (s.days & day_bit(i)) days += (days.empty() ? "" : ",") + std::string(kDayNames[i]);
  return days + " " + time_text(s.begin_minute) + "-" + time_text(s.end_minute);
}

std::optional<std::string> alt_schedule_rule(std::string_view text) {
  const auto s = parse_alt_schedule(text);
  if (!s) return std::nullopt;
  return to_string(*s);
}

bool in_alt_window(const AltSchedule& s, int minute_of_week) {
  // As Transmission builds its week of minutes: each scheduled day from begin for the length
  // of the span (a day when begin == end), wrapping past midnight and past Saturday.
  const int length = s.end_minute > s.begin_minute ? s.end_minute - s.begin_minute
                                                   : s.end_minute - s.begin_minute + kMinutesPerDay;
  for (int day = 0; day < 7; ++day) {
    if (!(s.days & (1 << day))) continue;
    const int start = day * kMinutesPerDay + s.begin_minute;
    const int offset = ((minute_of_week - start) % kMinutesPerWeek + kMinutesPerWeek) % kMinutesPerWeek;
    if (offset < length) return true;
  }
  return false;
}

int local_minute_of_week(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::localtime_r(&tt, &tm);
  return tm.tm_wday * kMinutesPerDay + tm.tm_hour * 60 + tm.tm_min;
}

}  // namespace seedd::config
