#include "ingest/time_text.h"

#include <cstddef>
#include <cstdint>

#include "absl/time/civil_time.h"

namespace motive::ingest {
namespace {

// Reads exactly `n` digits at `*pos`.
bool Digits(absl::string_view text, size_t* pos, int n, int* value) {
  if (text.size() < *pos + n) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *value = v;
  return true;
}

bool Expect(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// days_from_civil), so that offset times need no time zone lookup.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Fraction digits after the '.', as nanoseconds; digits past the ninth are
// dropped.
bool Fraction(absl::string_view text, size_t* pos, int64_t* nanos) {
  size_t n = 0;
  int64_t value = 0;
  while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
    if (n < 9) value = value * 10 + (text[*pos] - '0');
    ++n;
    ++*pos;
  }
  if (n == 0) return false;
  for (size_t i = n; i < 9; ++i) value *= 10;
  *nanos = value;
  return true;
}

// Z, or a sign then hh, hh:mm or hhmm; `*offset_seconds` east of UTC.
bool Offset(absl::string_view text, size_t* pos, int* offset_seconds) {
  const char c = text[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    *offset_seconds = 0;
    return true;
  }
  if (c != '+' && c != '-') return false;
  ++*pos;
  int hours = 0, minutes = 0;
  if (!Digits(text, pos, 2, &hours) || hours > 23) return false;
  if (*pos < text.size()) {
    if (text[*pos] == ':') ++*pos;
    if (!Digits(text, pos, 2, &minutes) || minutes > 59) return false;
  }
  *offset_seconds = (c == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

}  // namespace

bool ParseSourceTime(absl::string_view text, const absl::TimeZone& zone,
                     absl::Time* time) {
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &month) || !Expect(text, &pos, '-') ||
      !Digits(text, &pos, 2, &day)) {
    return false;
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    return false;
  }
  int64_t nanos = 0;
  bool has_offset = false;
  int offset_seconds = 0;
  if (pos < text.size()) {
    const char sep = text[pos++];
    if (sep != 'T' && sep != 't' && sep != ' ') return false;
    if (!Digits(text, &pos, 2, &hour) || hour > 23 ||
        !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &minute) ||
        minute > 59 || !Expect(text, &pos, ':') ||
        !Digits(text, &pos, 2, &second) || second > 59) {
      return false;
    }
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      if (!Fraction(text, &pos, &nanos)) return false;
    }
    if (pos < text.size()) {
      if (!Offset(text, &pos, &offset_seconds)) return false;
      has_offset = true;
    }
    if (pos != text.size()) return false;
  }
  if (has_offset) {
    const int64_t seconds = DaysFromCivil(year, month, day) * 86400 +
                            hour * 3600 + minute * 60 + second - offset_seconds;
    *time = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  } else {
    *time =
        absl::FromCivil(
            absl::CivilSecond(year, month, day, hour, minute, second), zone) +
        absl::Nanoseconds(nanos);
  }
  return true;
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

}  // namespace motive::ingest
