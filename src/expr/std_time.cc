// Timestamps and durations: timestamp(), duration(), their conversions to
// int and string, the accessors (getHours(), getDayOfWeek('Europe/Paris'),
// ...), arithmetic and ordering. Equality is value.cc's Equal.
//
// Times are exact: absl::Time and absl::Duration hold them with room to
// spare, so arithmetic is done there and the result checked against CEL's
// ranges (std_time.h), never wrapped or saturated.

#include "expr/std_time.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "expr/functions.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;
constexpr int64_t kSecondsPerDay = 86400;

constexpr absl::string_view kTimestampRange = "timestamp out of range";
constexpr absl::string_view kDurationRange = "duration out of range";
constexpr absl::string_view kBadTimestamp =
    "invalid timestamp: expected RFC 3339 text such as "
    "2009-02-13T23:31:30Z";
constexpr absl::string_view kBadTimestampField =
    "invalid timestamp: a date or time field is out of its range";
constexpr absl::string_view kBadDuration =
    "invalid duration: expected numbers with units, such as 1h2m3.5s";

// --- calendar arithmetic -----------------------------------------------------
// Days and civil dates convert with H. Hinnant's algorithms: exact over the
// proleptic Gregorian calendar, and cheaper than a time zone lookup for the
// UTC texts that timestamp() and string() read and write.

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

constexpr int64_t DaysFromCivil(int64_t year, int month, int day) {
  year -= month <= 2;
  const int64_t era = FloorDiv(year, 400);
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year =
      (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

struct CivilDate {
  int64_t year;
  int month;
  int day;
};

constexpr CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = FloorDiv(days, 146097);
  const int64_t day_of_era = days - era * 146097;
  const int64_t year_of_era = (day_of_era - day_of_era / 1460 +
                               day_of_era / 36524 - day_of_era / 146096) /
                              365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int day =
      static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3
                                                        : shifted_month - 9);
  return {year_of_era + era * 400 + (month <= 2), month, day};
}

static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(1, 1, 1) * kSecondsPerDay == kMinTimestampSeconds);
static_assert(CivilFromDays(-719162).year == 1);

constexpr bool IsLeapYear(int64_t year) {
  return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

constexpr int DaysInMonth(int64_t year, int month) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Unix seconds (floor) and nanoseconds in [0, 1e9) of `t`.
struct TimeParts {
  int64_t seconds;
  int64_t nanos;
};

TimeParts SplitTime(absl::Time t) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  return {seconds, (t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)};
}

// --- text --------------------------------------------------------------------

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `count` digits at text[*pos].
bool ReadDigits(absl::string_view text, size_t* pos, size_t count, int* out) {
  if (text.size() - *pos < count) return false;
  int value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  *pos += count;
  *out = value;
  return true;
}

bool ReadChar(absl::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Writes `value` with at least `width` digits; returns the end.
char* WriteNumber(char* out, uint64_t value, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n < width) digits[n++] = '0';
  while (n > 0) *out++ = digits[--n];
  return out;
}

// Writes ".fraction" with trailing zeros dropped, or nothing for 0.
char* WriteFraction(char* out, int64_t nanos) {
  if (nanos == 0) return out;
  int width = 9;
  while (nanos % 10 == 0) {
    nanos /= 10;
    --width;
  }
  *out++ = '.';
  return WriteNumber(out, static_cast<uint64_t>(nanos), width);
}

// Go's duration units, in nanoseconds.
bool UnitNanos(absl::string_view unit, int64_t* nanos) {
  static constexpr struct {
    absl::string_view name;
    int64_t nanos;
  } kUnits[] = {
      {"ns", 1},
      {"us", 1000},
      {"\xC2\xB5s", 1000},  // U+00B5 micro sign
      {"\xCE\xBCs", 1000},  // U+03BC Greek small letter mu
      {"ms", 1000000},
      {"s", kNanosPerSecond},
      {"m", 60 * kNanosPerSecond},
      {"h", 3600 * kNanosPerSecond},
  };
  for (const auto& u : kUnits) {
    if (u.name == unit) {
      *nanos = u.nanos;
      return true;
    }
  }
  return false;
}

// --- time zones --------------------------------------------------------------

// How an accessor's time zone argument turns an instant into civil time.
struct Zone {
  bool fixed = true;
  int64_t offset = 0;  // seconds east of UTC, when fixed
  absl::TimeZone tz;   // when not fixed
};

// "+05:30", "-08:00" or "02:00" (east): CEL's numeric offsets.
bool ParseOffset(absl::string_view text, int64_t* offset) {
  int sign = 1;
  size_t pos = 0;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    sign = text[0] == '-' ? -1 : 1;
    pos = 1;
  }
  int hours = 0;
  int minutes = 0;
  if (!ReadDigits(text, &pos, 2, &hours) || !ReadChar(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minutes) || pos != text.size() ||
      hours > 23 || minutes > 59) {
    return false;
  }
  *offset = sign * (hours * 3600 + minutes * 60);
  return true;
}

// IANA names are paths under the zoneinfo folder: letting only these
// characters through keeps a name from leaving it ("../../etc/passwd").
bool IsPlausibleZoneName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '/') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    IsDigit(c) || c == '/' || c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  // The host's own zone would make results depend on the machine.
  return name != "localtime";
}

enum class ZoneLookup { kFound, kUnknown, kCacheFull };

// Loaded zones by name. absl::LoadTimeZone reads and parses a file, and
// absl keeps every zone (and every unknown name) it was asked for until
// the process ends; this cache makes lookups cheap and bounds what an
// expression computing names can make absl keep. IANA has about 600
// zones, so the cap only stops names made up by the thousand.
class ZoneCache {
 public:
  static ZoneCache& Instance() {
    static ZoneCache* const cache = new ZoneCache;
    return *cache;
  }

  ZoneLookup Find(absl::string_view name, absl::TimeZone* zone) {
    // Most calls name the same few zones; a per-thread memo of the last
    // ones found avoids the lock.
    thread_local std::array<Recent, 4> recent;
    thread_local size_t next = 0;
    for (const Recent& r : recent) {
      if (r.valid && r.name == name) {
        *zone = r.zone;
        return r.known ? ZoneLookup::kFound : ZoneLookup::kUnknown;
      }
    }
    Entry entry;
    {
      absl::MutexLock lock(&mu_);
      auto it = zones_.find(name);
      if (it != zones_.end()) {
        entry = it->second;
      } else if (zones_.size() >= kCapacity) {
        return ZoneLookup::kCacheFull;
      } else {
        entry.known = absl::LoadTimeZone(std::string(name), &entry.zone);
        zones_.emplace(name, entry);
      }
    }
    Recent& slot = recent[next++ % recent.size()];
    slot.valid = true;
    slot.name.assign(name.data(), name.size());
    slot.known = entry.known;
    slot.zone = entry.zone;
    *zone = entry.zone;
    return entry.known ? ZoneLookup::kFound : ZoneLookup::kUnknown;
  }

 private:
  static constexpr size_t kCapacity = 1024;
  struct Entry {
    bool known = false;
    absl::TimeZone zone;
  };
  struct Recent {
    bool valid = false;
    bool known = false;
    std::string name;
    absl::TimeZone zone;
  };

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> zones_ ABSL_GUARDED_BY(mu_);
};

// Resolves a time zone argument; on failure sets `error` and returns false.
bool ResolveZone(absl::string_view name, EvalContext& context, Zone* zone,
                 Value* error) {
  if (name.find(':') != absl::string_view::npos) {
    if (ParseOffset(name, &zone->offset)) return true;
  } else if (name == "UTC") {
    return true;  // offset 0
  } else if (IsPlausibleZoneName(name)) {
    zone->fixed = false;
    switch (ZoneCache::Instance().Find(name, &zone->tz)) {
      case ZoneLookup::kFound:
        return true;
      case ZoneLookup::kCacheFull:
        *error = Value::Error("too many distinct time zone names");
        return false;
      case ZoneLookup::kUnknown:
        break;
    }
  }
  *error = Value::ErrorIn(
      context.arena(),
      absl::StrCat("unknown time zone '", name.substr(0, 64), "'"));
  return false;
}

// --- implementations ---------------------------------------------------------

Value CheckedTimestamp(absl::Time t) {
  return IsValidTimestamp(t) ? Value::Timestamp(t)
                             : Value::Error(kTimestampRange);
}

// Durations that arithmetic makes are held to int64 nanoseconds (about
// +-292 years), Go's time.Duration, as cel-go and cel-cpp do: the suite
// expects timestamp('9999-12-31T23:59:59Z') - timestamp('0001-01-01T00:00:00Z')
// to be out of range although protobuf's range would hold it.
Value CheckedArithmeticDuration(absl::Duration d) {
  constexpr absl::Duration kMax =
      absl::Nanoseconds(std::numeric_limits<int64_t>::max());
  constexpr absl::Duration kMin =
      absl::Nanoseconds(std::numeric_limits<int64_t>::min());
  return d >= kMin && d <= kMax ? Value::Duration(d)
                                : Value::Error(kDurationRange);
}

Value ParseError(absl::string_view error, absl::string_view text,
                 EvalContext& context) {
  if (error == kTimestampRange || error == kDurationRange) {
    return Value::Error(error);
  }
  constexpr size_t kShown = 64;
  return Value::ErrorIn(context.arena(),
                        absl::StrCat(error, ": \"", text.substr(0, kShown),
                                     text.size() > kShown ? "...\"" : "\""));
}

Value StringToTimestamp(absl::Span<const Value> args, EvalContext& context) {
  absl::Time t;
  absl::string_view error;
  if (!ParseTimestamp(args[0].text(), &t, &error)) {
    return ParseError(error, args[0].text(), context);
  }
  return Value::Timestamp(t);
}

Value IntToTimestamp(absl::Span<const Value> args, EvalContext&) {
  const int64_t seconds = args[0].int_value();
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    return Value::Error(kTimestampRange);
  }
  return Value::Timestamp(absl::FromUnixSeconds(seconds));
}

Value Identity(absl::Span<const Value> args, EvalContext&) { return args[0]; }

Value StringToDuration(absl::Span<const Value> args, EvalContext& context) {
  absl::Duration d;
  absl::string_view error;
  if (!ParseDuration(args[0].text(), &d, &error)) {
    return ParseError(error, args[0].text(), context);
  }
  return Value::Duration(d);
}

Value TimestampToInt(absl::Span<const Value> args, EvalContext&) {
  return Value::Int(absl::ToUnixSeconds(args[0].timestamp()));
}

Value TimestampToString(absl::Span<const Value> args, EvalContext& context) {
  char text[kMaxTimeTextSize];
  const size_t size = FormatTimestamp(args[0].timestamp(), text);
  return context.CopyString(absl::string_view(text, size));
}

Value DurationToString(absl::Span<const Value> args, EvalContext& context) {
  char text[kMaxTimeTextSize];
  const size_t size = FormatDuration(args[0].duration(), text);
  return context.CopyString(absl::string_view(text, size));
}

enum class Field {
  kFullYear,
  kMonth,
  kDayOfYear,
  kDayOfMonth,
  kDate,
  kDayOfWeek,
  kHours,
  kMinutes,
  kSeconds,
  kMilliseconds,
};

int64_t CivilField(Field field, const absl::CivilSecond& cs, int64_t nanos) {
  switch (field) {
    case Field::kFullYear:
      return cs.year();
    case Field::kMonth:
      return cs.month() - 1;
    case Field::kDayOfYear:
      return absl::GetYearDay(absl::CivilDay(cs)) - 1;
    case Field::kDayOfMonth:
      return cs.day() - 1;
    case Field::kDate:
      return cs.day();
    case Field::kDayOfWeek:
      // absl counts from Monday; CEL from Sunday.
      return (static_cast<int>(absl::GetWeekday(absl::CivilDay(cs))) + 1) % 7;
    case Field::kHours:
      return cs.hour();
    case Field::kMinutes:
      return cs.minute();
    case Field::kSeconds:
      return cs.second();
    case Field::kMilliseconds:
      return nanos / 1000000;
  }
  return 0;
}

// timestamp.getX() and timestamp.getX(time_zone).
template <Field kField>
Value TimestampField(absl::Span<const Value> args, EvalContext& context) {
  const absl::Time t = args[0].timestamp();
  Zone zone;
  if (args.size() > 1) {
    Value error;
    if (!ResolveZone(args[1].text(), context, &zone, &error)) return error;
  }
  // Offsets are whole seconds: the fraction is the same in every zone.
  const TimeParts parts = SplitTime(t);
  absl::CivilSecond cs;
  if (zone.fixed) {
    const int64_t local = parts.seconds + zone.offset;
    const int64_t days = FloorDiv(local, kSecondsPerDay);
    const int64_t second_of_day = local - days * kSecondsPerDay;
    const CivilDate date = CivilFromDays(days);
    cs =
        absl::CivilSecond(date.year, date.month, date.day, second_of_day / 3600,
                          second_of_day / 60 % 60, second_of_day % 60);
  } else {
    cs = absl::ToCivilSecond(t, zone.tz);
  }
  return Value::Int(CivilField(kField, cs, parts.nanos));
}

// duration.getHours() and the like: CEL's totals, truncated toward zero,
// except getMilliseconds(), the milliseconds within the second.
template <int64_t kUnitNanos>
Value DurationTotal(absl::Span<const Value> args, EvalContext&) {
  absl::Duration rest;
  return Value::Int(absl::IDivDuration(args[0].duration(),
                                       absl::Nanoseconds(kUnitNanos), &rest));
}

Value DurationMilliseconds(absl::Span<const Value> args, EvalContext&) {
  absl::Duration rest;
  return Value::Int(
      absl::IDivDuration(args[0].duration(), absl::Milliseconds(1), &rest) %
      1000);
}

Value AddTimestampDuration(absl::Span<const Value> args, EvalContext&) {
  return CheckedTimestamp(args[0].timestamp() + args[1].duration());
}

Value AddDurationTimestamp(absl::Span<const Value> args, EvalContext&) {
  return CheckedTimestamp(args[1].timestamp() + args[0].duration());
}

Value AddDurations(absl::Span<const Value> args, EvalContext&) {
  return CheckedArithmeticDuration(args[0].duration() + args[1].duration());
}

Value SubtractTimestamps(absl::Span<const Value> args, EvalContext&) {
  return CheckedArithmeticDuration(args[0].timestamp() - args[1].timestamp());
}

Value SubtractTimestampDuration(absl::Span<const Value> args, EvalContext&) {
  return CheckedTimestamp(args[0].timestamp() - args[1].duration());
}

Value SubtractDurations(absl::Span<const Value> args, EvalContext&) {
  return CheckedArithmeticDuration(args[0].duration() - args[1].duration());
}

enum class Order { kLess, kLessEqual, kGreater, kGreaterEqual };

template <Order kOrder, typename T>
bool Ordered(const T& a, const T& b) {
  switch (kOrder) {
    case Order::kLess:
      return a < b;
    case Order::kLessEqual:
      return a <= b;
    case Order::kGreater:
      return a > b;
    case Order::kGreaterEqual:
      return a >= b;
  }
  return false;
}

template <Order kOrder>
Value CompareTimestamps(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(Ordered<kOrder>(args[0].timestamp(), args[1].timestamp()));
}

template <Order kOrder>
Value CompareDurations(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(Ordered<kOrder>(args[0].duration(), args[1].duration()));
}

// --- registration ------------------------------------------------------------

template <Field kField>
void AddAccessor(FunctionRegistry& registry, absl::string_view name,
                 absl::string_view id) {
  AddBuiltinMethod(registry, name, std::string(id), {Type::Timestamp()},
                   Type::Int(), &TimestampField<kField>);
  AddBuiltinMethod(registry, name, absl::StrCat(id, "_with_tz"),
                   {Type::Timestamp(), Type::String()}, Type::Int(),
                   &TimestampField<kField>);
}

template <Order kOrder>
void AddOrdering(FunctionRegistry& registry, absl::string_view name,
                 absl::string_view id) {
  AddBuiltin(registry, name, absl::StrCat(id, "_timestamp"),
             {Type::Timestamp(), Type::Timestamp()}, Type::Bool(),
             &CompareTimestamps<kOrder>);
  AddBuiltin(registry, name, absl::StrCat(id, "_duration"),
             {Type::Duration(), Type::Duration()}, Type::Bool(),
             &CompareDurations<kOrder>);
}

}  // namespace

bool IsValidTimestamp(absl::Time t) {
  return t >= absl::FromUnixSeconds(kMinTimestampSeconds) &&
         t < absl::FromUnixSeconds(kMaxTimestampSeconds + 1);
}

bool IsValidDuration(absl::Duration d) {
  const absl::Duration max =
      absl::Seconds(kMaxDurationSeconds) + absl::Nanoseconds(999999999);
  return d >= -max && d <= max;
}

bool ParseTimestamp(absl::string_view text, absl::Time* out,
                    absl::string_view* error) {
  // A year of five digits or more is well formed, but past CEL's range.
  size_t year_digits = 0;
  while (year_digits < text.size() && IsDigit(text[year_digits])) {
    ++year_digits;
  }
  if (year_digits > 4 && year_digits < text.size() &&
      text[year_digits] == '-') {
    *error = kTimestampRange;
    return false;
  }

  size_t pos = 0;
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, &pos, 4, &year) || !ReadChar(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &month) || !ReadChar(text, &pos, '-') ||
      !ReadDigits(text, &pos, 2, &day) || !ReadChar(text, &pos, 'T') ||
      !ReadDigits(text, &pos, 2, &hour) || !ReadChar(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &minute) || !ReadChar(text, &pos, ':') ||
      !ReadDigits(text, &pos, 2, &second)) {
    *error = kBadTimestamp;
    return false;
  }
  int64_t nanos = 0;
  if (ReadChar(text, &pos, '.')) {
    const size_t start = pos;
    int64_t scale = kNanosPerSecond / 10;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;  // digits past nanoseconds add 0
    }
    if (pos == start) {
      *error = kBadTimestamp;
      return false;
    }
  }
  int64_t offset = 0;
  if (!ReadChar(text, &pos, 'Z')) {
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) {
      *error = kBadTimestamp;
      return false;
    }
    const int sign = text[pos++] == '-' ? -1 : 1;
    int offset_hours, offset_minutes;
    if (!ReadDigits(text, &pos, 2, &offset_hours) ||
        !ReadChar(text, &pos, ':') ||
        !ReadDigits(text, &pos, 2, &offset_minutes)) {
      *error = kBadTimestamp;
      return false;
    }
    if (offset_hours > 23 || offset_minutes > 59) {
      *error = kBadTimestampField;
      return false;
    }
    offset = sign * (offset_hours * 3600 + offset_minutes * 60);
  }
  if (pos != text.size()) {
    *error = kBadTimestamp;
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 59) {
    *error = kBadTimestampField;
    return false;
  }
  const int64_t seconds = DaysFromCivil(year, month, day) * kSecondsPerDay +
                          hour * 3600 + minute * 60 + second - offset;
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds) {
    *error = kTimestampRange;
    return false;
  }
  *out = absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
  return true;
}

bool ParseDuration(absl::string_view text, absl::Duration* out,
                   absl::string_view* error) {
  const absl::uint128 kMaxNanos =
      absl::uint128(kMaxDurationSeconds) * kNanosPerSecond + 999999999;
  // Numbers longer than this are out of range in any unit; stopping there
  // keeps the arithmetic below within 128 bits.
  const absl::uint128 kMaxNumber = absl::uint128(kMaxNanos) + 1;

  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text == "0") {
    *out = absl::ZeroDuration();
    return true;
  }
  if (text.empty()) {
    *error = kBadDuration;
    return false;
  }
  absl::uint128 total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // The integer part.
    absl::uint128 whole = 0;
    const size_t whole_start = pos;
    for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
      whole = whole * 10 + static_cast<uint64_t>(text[pos] - '0');
      if (whole > kMaxNumber) {
        *error = kDurationRange;
        return false;
      }
    }
    const bool has_whole = pos > whole_start;
    // The fraction: up to 18 digits count, the rest are beyond a
    // nanosecond of any unit.
    uint64_t fraction = 0;
    uint64_t scale = 1;
    bool has_fraction = false;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      const size_t fraction_start = pos;
      for (; pos < text.size() && IsDigit(text[pos]); ++pos) {
        if (scale < 1000000000000000000ULL) {
          fraction = fraction * 10 + static_cast<uint64_t>(text[pos] - '0');
          scale *= 10;
        }
      }
      has_fraction = pos > fraction_start;
    }
    if (!has_whole && !has_fraction) {
      *error = kBadDuration;
      return false;
    }
    const size_t unit_start = pos;
    while (pos < text.size() && text[pos] != '.' && !IsDigit(text[pos])) {
      ++pos;
    }
    int64_t unit = 0;
    if (!UnitNanos(text.substr(unit_start, pos - unit_start), &unit)) {
      *error = kBadDuration;
      return false;
    }
    total += whole * static_cast<uint64_t>(unit) +
             absl::uint128(fraction) * static_cast<uint64_t>(unit) / scale;
    if (total > kMaxNanos) {
      *error = kDurationRange;
      return false;
    }
  }
  const absl::Duration magnitude =
      absl::Seconds(static_cast<int64_t>(total / kNanosPerSecond)) +
      absl::Nanoseconds(static_cast<int64_t>(total % kNanosPerSecond));
  *out = negative ? -magnitude : magnitude;
  return true;
}

size_t FormatTimestamp(absl::Time t, char (&out)[kMaxTimeTextSize]) {
  const TimeParts parts = SplitTime(t);
  const int64_t days = FloorDiv(parts.seconds, kSecondsPerDay);
  const int64_t second_of_day = parts.seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  char* p = out;
  p = WriteNumber(p, static_cast<uint64_t>(date.year), 4);
  *p++ = '-';
  p = WriteNumber(p, static_cast<uint64_t>(date.month), 2);
  *p++ = '-';
  p = WriteNumber(p, static_cast<uint64_t>(date.day), 2);
  *p++ = 'T';
  p = WriteNumber(p, static_cast<uint64_t>(second_of_day / 3600), 2);
  *p++ = ':';
  p = WriteNumber(p, static_cast<uint64_t>(second_of_day / 60 % 60), 2);
  *p++ = ':';
  p = WriteNumber(p, static_cast<uint64_t>(second_of_day % 60), 2);
  p = WriteFraction(p, parts.nanos);
  *p++ = 'Z';
  return static_cast<size_t>(p - out);
}

size_t FormatDuration(absl::Duration d, char (&out)[kMaxTimeTextSize]) {
  absl::Duration rest;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rest);
  const int64_t nanos = rest / absl::Nanoseconds(1);
  char* p = out;
  if (d < absl::ZeroDuration()) *p++ = '-';
  // Within CEL's range neither part can be the most negative int64.
  p = WriteNumber(p, static_cast<uint64_t>(seconds < 0 ? -seconds : seconds),
                  1);
  p = WriteFraction(p, nanos < 0 ? -nanos : nanos);
  *p++ = 's';
  return static_cast<size_t>(p - out);
}

void AddTimeFunctions(FunctionRegistry& registry) {
  const Type timestamp = Type::Timestamp();
  const Type duration = Type::Duration();

  // Conversions.
  AddBuiltin(registry, "timestamp", "string_to_timestamp", {Type::String()},
             timestamp, &StringToTimestamp);
  AddBuiltin(registry, "timestamp", "int64_to_timestamp", {Type::Int()},
             timestamp, &IntToTimestamp);
  AddBuiltin(registry, "timestamp", "timestamp_to_timestamp", {timestamp},
             timestamp, &Identity);
  AddBuiltin(registry, "duration", "string_to_duration", {Type::String()},
             duration, &StringToDuration);
  AddBuiltin(registry, "duration", "duration_to_duration", {duration}, duration,
             &Identity);
  AddBuiltin(registry, "int", "timestamp_to_int64", {timestamp}, Type::Int(),
             &TimestampToInt);
  AddBuiltin(registry, "string", "timestamp_to_string", {timestamp},
             Type::String(), &TimestampToString);
  AddBuiltin(registry, "string", "duration_to_string", {duration},
             Type::String(), &DurationToString);

  // Accessors.
  AddAccessor<Field::kFullYear>(registry, "getFullYear", "timestamp_to_year");
  AddAccessor<Field::kMonth>(registry, "getMonth", "timestamp_to_month");
  AddAccessor<Field::kDayOfYear>(registry, "getDayOfYear",
                                 "timestamp_to_day_of_year");
  AddAccessor<Field::kDayOfMonth>(registry, "getDayOfMonth",
                                  "timestamp_to_day_of_month");
  AddAccessor<Field::kDate>(registry, "getDate",
                            "timestamp_to_day_of_month_1_based");
  AddAccessor<Field::kDayOfWeek>(registry, "getDayOfWeek",
                                 "timestamp_to_day_of_week");
  AddAccessor<Field::kHours>(registry, "getHours", "timestamp_to_hours");
  AddAccessor<Field::kMinutes>(registry, "getMinutes", "timestamp_to_minutes");
  AddAccessor<Field::kSeconds>(registry, "getSeconds", "timestamp_to_seconds");
  AddAccessor<Field::kMilliseconds>(registry, "getMilliseconds",
                                    "timestamp_to_milliseconds");
  AddBuiltinMethod(registry, "getHours", "duration_to_hours", {duration},
                   Type::Int(), &DurationTotal<3600 * kNanosPerSecond>);
  AddBuiltinMethod(registry, "getMinutes", "duration_to_minutes", {duration},
                   Type::Int(), &DurationTotal<60 * kNanosPerSecond>);
  AddBuiltinMethod(registry, "getSeconds", "duration_to_seconds", {duration},
                   Type::Int(), &DurationTotal<kNanosPerSecond>);
  AddBuiltinMethod(registry, "getMilliseconds", "duration_to_milliseconds",
                   {duration}, Type::Int(), &DurationMilliseconds);

  // Arithmetic.
  AddBuiltin(registry, "_+_", "add_timestamp_duration", {timestamp, duration},
             timestamp, &AddTimestampDuration);
  AddBuiltin(registry, "_+_", "add_duration_timestamp", {duration, timestamp},
             timestamp, &AddDurationTimestamp);
  AddBuiltin(registry, "_+_", "add_duration_duration", {duration, duration},
             duration, &AddDurations);
  AddBuiltin(registry, "_-_", "subtract_timestamp_timestamp",
             {timestamp, timestamp}, duration, &SubtractTimestamps);
  AddBuiltin(registry, "_-_", "subtract_timestamp_duration",
             {timestamp, duration}, timestamp, &SubtractTimestampDuration);
  AddBuiltin(registry, "_-_", "subtract_duration_duration",
             {duration, duration}, duration, &SubtractDurations);

  // Ordering.
  AddOrdering<Order::kLess>(registry, "_<_", "less");
  AddOrdering<Order::kLessEqual>(registry, "_<=_", "less_equals");
  AddOrdering<Order::kGreater>(registry, "_>_", "greater");
  AddOrdering<Order::kGreaterEqual>(registry, "_>=_", "greater_equals");
}

}  // namespace motive::expr
