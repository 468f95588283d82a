// Timestamps and durations: parsing, printing, accessors with time zones,
// arithmetic and ordering, called through the registry as the evaluator
// calls them.

#include "absl/time/time.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "expr/ast.h"
#include "expr/functions.h"
#include "expr/std_time.h"
#include "expr/type.h"
#include "expr/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/expr/stdlib_test_support.h"

namespace motive::expr {
namespace {


using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

AssertionResult HoldsTimestamp(const Value& v, absl::Time expected) {
  if (v.kind() == ValueKind::kTimestamp && v.timestamp() == expected) {
    return AssertionSuccess();
  }
  return AssertionFailure()
         << DebugString(v) << " is not " << absl::FormatTime(expected);
}

AssertionResult HoldsDuration(const Value& v, absl::Duration expected) {
  if (v.kind() == ValueKind::kDuration && v.duration() == expected) {
    return AssertionSuccess();
  }
  return AssertionFailure()
         << DebugString(v) << " is not " << absl::FormatDuration(expected);
}

class TimeTest : public ::testing::Test {
 protected:
  TimeTest() : context_(&arena_, limits_) { AddTimeFunctions(registry_); }

  Value Method(absl::string_view function, std::vector<Value> args) {
    return Call(function, std::move(args), true);
  }
  Value Global(absl::string_view function, std::vector<Value> args) {
    return Call(function, std::move(args), false);
  }

  Value Str(std::string text) {
    strings_.push_back(std::move(text));
    return Value::String(strings_.back());
  }

  // timestamp('text'), which must parse.
  Value Ts(absl::string_view text) {
    Value v = Global("timestamp", {Str(std::string(text))});
    EXPECT_EQ(v.kind(), ValueKind::kTimestamp)
        << text << ": " << DebugString(v);
    return v;
  }
  // duration('text'), which must parse.
  Value Dur(absl::string_view text) {
    Value v = Global("duration", {Str(std::string(text))});
    EXPECT_EQ(v.kind(), ValueKind::kDuration) << text << ": " << DebugString(v);
    return v;
  }
  Value TsError(absl::string_view text) {
    return Global("timestamp", {Str(std::string(text))});
  }
  Value DurError(absl::string_view text) {
    return Global("duration", {Str(std::string(text))});
  }

  // ts.accessor() or ts.accessor(zone).
  Value Get(absl::string_view accessor, absl::string_view ts,
            absl::string_view zone = "") {
    if (zone.empty()) return Method(accessor, {Ts(ts)});
    return Method(accessor, {Ts(ts), Str(std::string(zone))});
  }

  const Overload* FindOverload(absl::string_view function,
                               absl::string_view id) {
    return FindOverloadById(registry_, function, id);
  }

  Arena arena_;
  Limits limits_;
  EvalContext context_;
  FunctionRegistry registry_;

 private:
  Value Call(absl::string_view function, std::vector<Value> args,
             bool receiver) {
    return CallFunction(registry_, function, args, receiver, context_);
  }

  std::deque<std::string> strings_;
};

absl::Time Unix(int64_t seconds, int64_t nanos = 0) {
  return absl::FromUnixSeconds(seconds) + absl::Nanoseconds(nanos);
}

// ---------------------------------------------------------------------------
// Signatures.

TEST_F(TimeTest, OverloadsCarryCelIdsAndTypes) {
  struct Expected {
    const char* function;
    const char* id;
    bool receiver;
    std::vector<Type> params;
    Type result;
  };
  const Type ts = Type::Timestamp();
  const Type dur = Type::Duration();
  const Expected expected[] = {
      {"timestamp", "string_to_timestamp", false, {Type::String()}, ts},
      {"timestamp", "int64_to_timestamp", false, {Type::Int()}, ts},
      {"duration", "string_to_duration", false, {Type::String()}, dur},
      {"int", "timestamp_to_int64", false, {ts}, Type::Int()},
      {"string", "timestamp_to_string", false, {ts}, Type::String()},
      {"string", "duration_to_string", false, {dur}, Type::String()},
      {"getDate", "timestamp_to_day_of_month_1_based", true, {ts}, Type::Int()},
      {"getHours",
       "timestamp_to_hours_with_tz",
       true,
       {ts, Type::String()},
       Type::Int()},
      {"getHours", "duration_to_hours", true, {dur}, Type::Int()},
      {"_+_", "add_timestamp_duration", false, {ts, dur}, ts},
      {"_-_", "subtract_timestamp_timestamp", false, {ts, ts}, dur},
      {"_<_", "less_timestamp", false, {ts, ts}, Type::Bool()},
      {"_>=_", "greater_equals_duration", false, {dur, dur}, Type::Bool()},
  };
  for (const Expected& e : expected) {
    const Overload* overload = FindOverload(e.function, e.id);
    ASSERT_NE(overload, nullptr) << e.id;
    EXPECT_EQ(overload->receiver_style, e.receiver) << e.id;
    EXPECT_EQ(overload->params, e.params) << e.id;
    EXPECT_EQ(overload->result, e.result) << e.id;
  }
  // The operator names are the parser's.
  EXPECT_NE(registry_.Find(kAdd), nullptr);
  EXPECT_NE(registry_.Find(kGreaterEqual), nullptr);
}

// ---------------------------------------------------------------------------
// timestamp() and string(timestamp).

TEST_F(TimeTest, TimestampParsesRfc3339) {
  EXPECT_TRUE(HoldsTimestamp(Ts("2009-02-13T23:31:30Z"), Unix(1234567890)));
  EXPECT_TRUE(HoldsTimestamp(Ts("1970-01-01T00:00:00Z"), Unix(0)));
  EXPECT_TRUE(HoldsTimestamp(Ts("2009-02-13T23:31:30.5Z"),
                             Unix(1234567890, 500000000)));
  EXPECT_TRUE(HoldsTimestamp(Ts("2009-02-13T23:31:30.000000001Z"),
                             Unix(1234567890, 1)));
  // Digits past nanoseconds are dropped, not rounded.
  EXPECT_TRUE(HoldsTimestamp(Ts("2009-02-13T23:31:30.1234567899Z"),
                             Unix(1234567890, 123456789)));
  // Offsets say how far local time is ahead of UTC.
  EXPECT_TRUE(
      HoldsTimestamp(Ts("2009-02-14T00:31:30+01:00"), Unix(1234567890)));
  EXPECT_TRUE(
      HoldsTimestamp(Ts("2009-02-13T18:01:30-05:30"), Unix(1234567890)));
  EXPECT_TRUE(
      HoldsTimestamp(Ts("2023-02-03T23:31:20+00:00"), Unix(1675467080)));
  // Before the epoch.
  EXPECT_TRUE(
      HoldsTimestamp(Ts("1969-12-31T23:59:59.5Z"), Unix(-1, 500000000)));
  EXPECT_TRUE(HoldsTimestamp(Ts("1945-05-07T02:41:00Z"), Unix(-778022340)));
}

TEST_F(TimeTest, TimestampChecksTheCalendar) {
  EXPECT_TRUE(HoldsTimestamp(Ts("2024-02-29T00:00:00Z"), Unix(1709164800)));
  EXPECT_TRUE(HoldsTimestamp(Ts("2000-02-29T12:00:00Z"), Unix(951825600)));
  EXPECT_TRUE(HoldsError(TsError("2023-02-29T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("1900-02-29T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-04-31T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-13-01T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-00-01T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-01-00T00:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-01-01T24:00:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-01-01T00:60:00Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-01-01T23:59:60Z"), "invalid"));
  EXPECT_TRUE(HoldsError(TsError("2024-01-01T00:00:00+24:00"), "invalid"));
}

TEST_F(TimeTest, TimestampRejectsOtherSyntax) {
  for (const char* text :
       {"", "2009-02-13", "2009-02-13T23:31:30", "2009-02-13 23:31:30Z",
        "2009-2-13T23:31:30Z", "2009-02-13T23:31Z", "2009-02-13T23:31:30.Z",
        "2009-02-13T23:31:30Zjunk", "2009-02-13T23:31:30+0100",
        "2009-02-13T23:31:30+01", "-2009-02-13T23:31:30Z", "1234567890",
        "2009-02-13t23:31:30z", " 2009-02-13T23:31:30Z"}) {
    EXPECT_TRUE(HoldsError(TsError(text), "invalid timestamp")) << text;
  }
  // The text is in the message, cut short when long.
  EXPECT_TRUE(HoldsError(TsError("yesterday"), "\"yesterday\""));
  Value long_error = TsError(std::string(1000, 'x'));
  ASSERT_TRUE(long_error.is_error());
  EXPECT_LT(long_error.text().size(), 200u);
}

TEST_F(TimeTest, TimestampRange) {
  EXPECT_TRUE(
      HoldsTimestamp(Ts("0001-01-01T00:00:00Z"), Unix(kMinTimestampSeconds)));
  EXPECT_TRUE(HoldsTimestamp(Ts("9999-12-31T23:59:59.999999999Z"),
                             Unix(kMaxTimestampSeconds, 999999999)));
  EXPECT_TRUE(HoldsError(TsError("0000-01-01T00:00:00Z"), "range"));
  EXPECT_TRUE(HoldsError(TsError("10000-01-01T00:00:00Z"), "range"));
  // In range as local time, out of range in UTC.
  EXPECT_TRUE(HoldsError(TsError("0001-01-01T00:00:00+01:00"), "range"));
  EXPECT_TRUE(HoldsError(TsError("9999-12-31T23:00:00-01:00"), "range"));

  EXPECT_TRUE(HoldsTimestamp(Global("timestamp", {Value::Int(1234567890)}),
                             Unix(1234567890)));
  EXPECT_TRUE(
      HoldsTimestamp(Global("timestamp", {Value::Int(kMinTimestampSeconds)}),
                     Unix(kMinTimestampSeconds)));
  EXPECT_TRUE(
      HoldsTimestamp(Global("timestamp", {Value::Int(kMaxTimestampSeconds)}),
                     Unix(kMaxTimestampSeconds)));
  EXPECT_TRUE(
      HoldsError(Global("timestamp", {Value::Int(-62135596801)}), "range"));
  EXPECT_TRUE(
      HoldsError(Global("timestamp", {Value::Int(253402300800)}), "range"));
  EXPECT_TRUE(HoldsError(
      Global("timestamp", {Value::Int(std::numeric_limits<int64_t>::min())}),
      "range"));
  // timestamp(timestamp) is the identity.
  Value ts = Ts("2009-02-13T23:31:30.25Z");
  EXPECT_TRUE(HoldsTimestamp(Global("timestamp", {ts}), ts.timestamp()));
}

TEST_F(TimeTest, TimestampToIntAndString) {
  EXPECT_TRUE(
      HoldsInt(Global("int", {Ts("2009-02-13T23:31:30Z")}), 1234567890));
  EXPECT_TRUE(
      HoldsInt(Global("int", {Ts("2004-09-16T23:59:59Z")}), 1095379199));
  // Unix seconds round down, before the epoch too.
  EXPECT_TRUE(HoldsInt(Global("int", {Ts("1969-12-31T23:59:59.5Z")}), -1));
  EXPECT_TRUE(HoldsInt(Global("int", {Ts("0001-01-01T00:00:00Z")}),
                       kMinTimestampSeconds));

  for (const char* text :
       {"2009-02-13T23:31:30Z", "9999-12-31T23:59:59.999999999Z",
        "0001-01-01T00:00:00Z", "2009-02-13T23:31:30.5Z",
        "2009-02-13T23:31:30.000000001Z", "2009-02-13T23:31:30.12Z",
        "1969-12-31T23:59:59.999Z", "0099-03-01T00:00:00Z"}) {
    EXPECT_TRUE(HoldsString(Global("string", {Ts(text)}), text)) << text;
  }
  EXPECT_TRUE(HoldsString(Global("string", {Ts("2023-02-03T23:31:20+00:00")}),
                          "2023-02-03T23:31:20Z"));
  EXPECT_TRUE(HoldsString(Global("string", {Ts("2023-02-04T01:01:20+01:30")}),
                          "2023-02-03T23:31:20Z"));
}

// ---------------------------------------------------------------------------
// duration() and string(duration).

TEST_F(TimeTest, DurationParsesGoSyntax) {
  EXPECT_TRUE(HoldsDuration(Dur("1000000s"), absl::Seconds(1000000)));
  EXPECT_TRUE(HoldsDuration(Dur("1h2m3.5s"), absl::Hours(1) + absl::Minutes(2) +
                                                 absl::Milliseconds(3500)));
  EXPECT_TRUE(HoldsDuration(Dur("-1.5s"), absl::Milliseconds(-1500)));
  EXPECT_TRUE(HoldsDuration(Dur("+3s"), absl::Seconds(3)));
  EXPECT_TRUE(HoldsDuration(Dur("0"), absl::ZeroDuration()));
  EXPECT_TRUE(HoldsDuration(Dur("-0"), absl::ZeroDuration()));
  EXPECT_TRUE(HoldsDuration(Dur("0s"), absl::ZeroDuration()));
  EXPECT_TRUE(HoldsDuration(Dur("1.5h"), absl::Minutes(90)));
  EXPECT_TRUE(HoldsDuration(Dur(".5s"), absl::Milliseconds(500)));
  EXPECT_TRUE(HoldsDuration(Dur("5.s"), absl::Seconds(5)));
  EXPECT_TRUE(HoldsDuration(Dur("300ms"), absl::Milliseconds(300)));
  EXPECT_TRUE(HoldsDuration(Dur("7us"), absl::Microseconds(7)));
  EXPECT_TRUE(HoldsDuration(Dur("7µs"), absl::Microseconds(7)));  // U+00B5
  EXPECT_TRUE(HoldsDuration(Dur("7μs"), absl::Microseconds(7)));  // U+03BC
  EXPECT_TRUE(HoldsDuration(Dur("999999999ns"), absl::Nanoseconds(999999999)));
  EXPECT_TRUE(
      HoldsDuration(Dur("-999999999ns"), absl::Nanoseconds(-999999999)));
  EXPECT_TRUE(HoldsDuration(Dur("2h45m"), absl::Minutes(165)));
  EXPECT_TRUE(HoldsDuration(Dur("1m1m1m"), absl::Minutes(3)));
  EXPECT_TRUE(HoldsDuration(Dur("30m2s"), absl::Seconds(1802)));
  // Fractions finer than a nanosecond are dropped.
  EXPECT_TRUE(HoldsDuration(Dur("1.0000000019s"),
                            absl::Seconds(1) + absl::Nanoseconds(1)));
  EXPECT_TRUE(HoldsDuration(Dur("0.5ns"), absl::ZeroDuration()));
  // duration(duration) is the identity.
  Value d = Dur("100s");
  EXPECT_TRUE(HoldsDuration(Global("duration", {d}), absl::Seconds(100)));
}

TEST_F(TimeTest, DurationRejectsOtherSyntax) {
  for (const char* text :
       {"", "-", "+", "1", "1.5", "s", ".s", "1x", "1 s", "1h 2m", "--1s",
        "1s-1s", "1S", "one second", "1h2", "inf", "1e3s", "0x10s"}) {
    EXPECT_TRUE(HoldsError(DurError(text), "invalid duration")) << text;
  }
}

TEST_F(TimeTest, DurationRange) {
  EXPECT_TRUE(
      HoldsDuration(Dur("315576000000s"), absl::Seconds(kMaxDurationSeconds)));
  EXPECT_TRUE(HoldsDuration(
      Dur("-315576000000.999999999s"),
      -absl::Seconds(kMaxDurationSeconds) - absl::Nanoseconds(999999999)));
  EXPECT_TRUE(HoldsDuration(Dur("87660000h"),
                            absl::Hours(87660000)));  // 315576000000s
  EXPECT_TRUE(HoldsError(DurError("315576000001s"), "range"));
  EXPECT_TRUE(HoldsError(DurError("320000000000s"), "range"));
  EXPECT_TRUE(HoldsError(DurError("-320000000000s"), "range"));
  EXPECT_TRUE(HoldsError(DurError("87660001h"), "range"));
  EXPECT_TRUE(HoldsError(DurError("315575999999s1s1s"), "range"));
  // Far more digits than any unit allows: no overflow, a range error.
  EXPECT_TRUE(HoldsError(
      DurError("99999999999999999999999999999999999999999999999999s"),
      "range"));
  EXPECT_TRUE(HoldsError(DurError(std::string(10000, '9') + "ns"), "range"));
}

TEST_F(TimeTest, DurationToString) {
  EXPECT_TRUE(HoldsString(Global("string", {Dur("1000000s")}), "1000000s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("1.5s")}), "1.5s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("-1.5s")}), "-1.5s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("-0.5s")}), "-0.5s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("0")}), "0s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("1ns")}), "0.000000001s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("1h")}), "3600s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("1h45m47s")}), "6347s"));
  EXPECT_TRUE(HoldsString(Global("string", {Dur("-315576000000.999999999s")}),
                          "-315576000000.999999999s"));
}

// ---------------------------------------------------------------------------
// Accessors.

TEST_F(TimeTest, AccessorsInUtc) {
  const char* ts = "2009-02-13T23:31:30Z";  // a Friday
  EXPECT_TRUE(HoldsInt(Get("getFullYear", ts), 2009));
  EXPECT_TRUE(HoldsInt(Get("getMonth", ts), 1));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", ts), 43));
  EXPECT_TRUE(HoldsInt(Get("getDayOfMonth", ts), 12));
  EXPECT_TRUE(HoldsInt(Get("getDate", ts), 13));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", ts), 5));
  EXPECT_TRUE(HoldsInt(Get("getHours", ts), 23));
  EXPECT_TRUE(HoldsInt(Get("getMinutes", ts), 31));
  EXPECT_TRUE(HoldsInt(Get("getSeconds", ts), 30));
  EXPECT_TRUE(
      HoldsInt(Get("getMilliseconds", "2009-02-13T23:31:20.123456789Z"), 123));
  // Sunday is 0; the first of January is day 0 of the year.
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", "2024-06-30T12:00:00Z"), 0));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", "2024-07-06T12:00:00Z"), 6));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", "2024-01-01T00:00:00Z"), 0));
  // Leap years have a day 365.
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", "2024-12-31T23:59:59Z"), 365));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", "2023-12-31T23:59:59Z"), 364));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", "2000-12-31T00:00:00Z"), 365));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", "1900-12-31T00:00:00Z"), 364));
  EXPECT_TRUE(HoldsInt(Get("getDate", "2024-02-29T10:00:00Z"), 29));
  EXPECT_TRUE(HoldsInt(Get("getMonth", "2024-12-01T00:00:00Z"), 11));
  // Before the epoch, the fraction still counts up from the second.
  EXPECT_TRUE(HoldsInt(Get("getMilliseconds", "1969-12-31T23:59:59.5Z"), 500));
  EXPECT_TRUE(HoldsInt(Get("getSeconds", "1969-12-31T23:59:59.5Z"), 59));
  EXPECT_TRUE(HoldsInt(Get("getFullYear", "0001-01-01T00:00:00Z"), 1));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", "0001-01-01T00:00:00Z"), 1));
  EXPECT_TRUE(HoldsInt(Get("getFullYear", "9999-12-31T23:59:59Z"), 9999));
}

TEST_F(TimeTest, AccessorsInNamedZones) {
  const char* ts = "2009-02-13T23:31:30Z";
  EXPECT_TRUE(HoldsInt(Get("getDate", ts, "Australia/Sydney"), 14));
  EXPECT_TRUE(HoldsInt(Get("getDayOfMonth", ts, "US/Central"), 12));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", ts, "UTC"), 5));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", ts, "US/Central"), 43));
  EXPECT_TRUE(HoldsInt(Get("getMinutes", ts, "Asia/Kathmandu"), 16));
  EXPECT_TRUE(HoldsInt(Get("getMonth", ts, "UTC"), 1));
  EXPECT_TRUE(HoldsInt(
      Get("getDayOfMonth", "2009-02-13T02:00:00Z", "America/St_Johns"), 11));
  // Midnight in Paris is still the previous day in UTC.
  const char* late = "2024-06-30T22:30:00Z";
  EXPECT_TRUE(HoldsInt(Get("getDate", late, "Europe/Paris"), 1));
  EXPECT_TRUE(HoldsInt(Get("getMonth", late, "Europe/Paris"), 6));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", late, "Europe/Paris"), 1));
  EXPECT_TRUE(HoldsInt(Get("getHours", late, "Europe/Paris"), 0));
  EXPECT_TRUE(HoldsInt(Get("getDayOfYear", late, "Europe/Paris"), 182));
  EXPECT_TRUE(HoldsInt(Get("getDate", late), 30));
  // New Year comes earlier in the east.
  EXPECT_TRUE(HoldsInt(
      Get("getFullYear", "2023-12-31T13:30:00Z", "Pacific/Auckland"), 2024));
  EXPECT_TRUE(HoldsInt(
      Get("getFullYear", "2024-01-01T04:59:00Z", "America/New_York"), 2023));
}

TEST_F(TimeTest, AccessorsAcrossDaylightSavingTime) {
  // New York springs forward at 02:00 EST on 2024-03-10 (07:00 UTC).
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-03-10T06:59:59Z", "America/New_York"), 1));
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-03-10T07:00:00Z", "America/New_York"), 3));
  // And falls back at 02:00 EDT on 2024-11-03 (06:00 UTC): 01:xx twice.
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-11-03T05:30:00Z", "America/New_York"), 1));
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-11-03T06:30:00Z", "America/New_York"), 1));
  // Paris: winter is UTC+1, summer UTC+2.
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-01-15T12:00:00Z", "Europe/Paris"), 13));
  EXPECT_TRUE(
      HoldsInt(Get("getHours", "2024-07-15T12:00:00Z", "Europe/Paris"), 14));
  // Sydney's summer is January.
  EXPECT_TRUE(HoldsInt(
      Get("getHours", "2024-01-15T00:00:00Z", "Australia/Sydney"), 11));
  EXPECT_TRUE(HoldsInt(
      Get("getHours", "2024-07-15T00:00:00Z", "Australia/Sydney"), 10));
}

TEST_F(TimeTest, AccessorsWithFixedOffsets) {
  const char* ts = "2009-02-13T23:31:30Z";
  EXPECT_TRUE(HoldsInt(Get("getDayOfMonth", ts, "+11:00"), 13));
  EXPECT_TRUE(
      HoldsInt(Get("getDayOfMonth", "2009-02-13T02:00:00Z", "-02:30"), 11));
  EXPECT_TRUE(HoldsInt(Get("getFullYear", ts, "-09:30"), 2009));
  // No sign means east.
  EXPECT_TRUE(HoldsInt(Get("getHours", ts, "02:00"), 1));
  EXPECT_TRUE(HoldsInt(Get("getSeconds", ts, "-00:00"), 30));
  EXPECT_TRUE(HoldsInt(Get("getMinutes", ts, "+05:45"), 16));
  EXPECT_TRUE(HoldsInt(Get("getHours", ts, "+05:30"), 5));
  EXPECT_TRUE(HoldsInt(Get("getDayOfWeek", ts, "+05:30"), 6));
  EXPECT_TRUE(HoldsInt(Get("getMonth", "2024-12-31T20:00:00Z", "+04:00"), 0));
  EXPECT_TRUE(
      HoldsInt(Get("getDayOfYear", "2024-12-31T20:00:00Z", "+04:00"), 0));
  EXPECT_TRUE(HoldsInt(
      Get("getMilliseconds", "2009-02-13T23:31:30.987Z", "-08:00"), 987));
  // CEL's first instant seen from the west is in year 0.
  EXPECT_TRUE(
      HoldsInt(Get("getFullYear", "0001-01-01T00:00:00Z", "-01:00"), 0));
  EXPECT_TRUE(
      HoldsInt(Get("getFullYear", "9999-12-31T23:59:59Z", "+01:00"), 10000));
}

TEST_F(TimeTest, BadTimeZonesAreErrors) {
  const char* ts = "2009-02-13T23:31:30Z";
  for (const char* zone :
       {"Mars/Olympus_Mons", "+25:00", "+05:60", "5:30", "+05:3", "+0530x",
        "../../etc/passwd", "/etc/localtime", "localtime", "Europe/Paris ",
        "Europe/../UTC", ":"}) {
    EXPECT_TRUE(HoldsError(Get("getHours", ts, zone), "unknown time zone"))
        << zone;
  }
  EXPECT_TRUE(
      HoldsError(Method("getHours", {Ts(ts), Str("")}), "unknown time zone"));
  EXPECT_TRUE(HoldsError(Get("getHours", ts, std::string(100, 'A')),
                         "unknown time zone"));
  // Asked again, still an error (unknown names are remembered too).
  EXPECT_TRUE(HoldsError(Get("getHours", ts, "Mars/Olympus_Mons"),
                         "unknown time zone 'Mars/Olympus_Mons'"));
}

TEST_F(TimeTest, ZonesFromManyThreads) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  const absl::Time t = Unix(1234567890);  // 23:31:30 UTC
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&wrong, t, i] {
      Arena arena;
      Limits limits;
      EvalContext context(&arena, limits);
      FunctionRegistry registry;
      AddTimeFunctions(registry);
      const Overload* get_hours = nullptr;
      for (const Overload& o : *registry.Find("getHours")) {
        if (o.id == "timestamp_to_hours_with_tz") get_hours = &o;
      }
      const struct {
        const char* zone;
        int64_t hours;
      } zones[] = {{"Europe/Paris", 0},
                   {"America/New_York", 18},
                   {"Asia/Tokyo", 8},
                   {"Australia/Sydney", 10},
                   {"America/Los_Angeles", 15},
                   {"Asia/Kolkata", 5},
                   {"UTC", 23}};
      for (int k = 0; k < 700; ++k) {
        const auto& z = zones[(k + i) % 7];
        const Value args[] = {Value::Timestamp(t), Value::String(z.zone)};
        Value v = get_hours->impl(absl::MakeConstSpan(args), context);
        if (v.kind() != ValueKind::kInt || v.int_value() != z.hours) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(TimeTest, DurationAccessorsAreTotals) {
  EXPECT_TRUE(HoldsInt(Method("getHours", {Dur("10000s")}), 2));
  EXPECT_TRUE(HoldsInt(Method("getMinutes", {Dur("3730s")}), 62));
  EXPECT_TRUE(HoldsInt(Method("getSeconds", {Dur("3730s")}), 3730));
  EXPECT_TRUE(HoldsInt(Method("getSeconds", {Dur("1.9s")}), 1));
  // Truncated toward zero.
  EXPECT_TRUE(HoldsInt(Method("getHours", {Dur("-90m")}), -1));
  EXPECT_TRUE(HoldsInt(Method("getMinutes", {Dur("-90m")}), -90));
  EXPECT_TRUE(HoldsInt(Method("getSeconds", {Dur("-1.9s")}), -1));
  // getMilliseconds() is the milliseconds within the second.
  EXPECT_TRUE(
      HoldsInt(Method("getMilliseconds", {Dur("123.321456789s")}), 321));
  EXPECT_TRUE(HoldsInt(Method("getMilliseconds", {Dur("-1.5s")}), -500));
  EXPECT_TRUE(HoldsInt(Method("getMilliseconds", {Dur("999us")}), 0));
  EXPECT_TRUE(HoldsInt(Method("getHours", {Dur("315576000000s")}), 87660000));
}

// ---------------------------------------------------------------------------
// Arithmetic and ordering.

TEST_F(TimeTest, Arithmetic) {
  EXPECT_TRUE(
      HoldsTimestamp(Global(kAdd, {Ts("2009-02-13T23:00:00Z"), Dur("240s")}),
                     Ts("2009-02-13T23:04:00Z").timestamp()));
  EXPECT_TRUE(
      HoldsTimestamp(Global(kAdd, {Dur("120s"), Ts("2009-02-13T23:01:00Z")}),
                     Ts("2009-02-13T23:03:00Z").timestamp()));
  EXPECT_TRUE(HoldsDuration(Global(kAdd, {Dur("600s"), Dur("50s")}),
                            absl::Seconds(650)));
  EXPECT_TRUE(HoldsTimestamp(
      Global(kAdd, {Ts("0001-01-01T00:00:01.000000001Z"), Dur("-999999999ns")}),
      Ts("0001-01-01T00:00:00.000000002Z").timestamp()));
  EXPECT_TRUE(HoldsTimestamp(
      Global(kAdd, {Ts("0001-01-01T00:00:01.999999999Z"), Dur("999999999ns")}),
      Ts("0001-01-01T00:00:02.999999998Z").timestamp()));
  EXPECT_TRUE(HoldsTimestamp(
      Global(kSubtract, {Ts("2009-02-13T23:10:00Z"), Dur("600s")}),
      Ts("2009-02-13T23:00:00Z").timestamp()));
  EXPECT_TRUE(HoldsDuration(Global(kSubtract, {Ts("2009-02-13T23:31:00Z"),
                                               Ts("2009-02-13T23:29:00Z")}),
                            absl::Seconds(120)));
  EXPECT_TRUE(HoldsDuration(Global(kSubtract, {Ts("2009-02-13T23:29:00Z"),
                                               Ts("2009-02-13T23:31:00.5Z")}),
                            absl::Milliseconds(-120500)));
  EXPECT_TRUE(HoldsDuration(Global(kSubtract, {Dur("900s"), Dur("42s")}),
                            absl::Seconds(858)));
  // Across a leap day.
  EXPECT_TRUE(HoldsDuration(Global(kSubtract, {Ts("2024-03-01T00:00:00Z"),
                                               Ts("2024-02-28T00:00:00Z")}),
                            absl::Hours(48)));
  // A long duration still moves a timestamp within range.
  EXPECT_TRUE(HoldsTimestamp(
      Global(kAdd, {Ts("0001-01-01T00:00:00Z"), Dur("315537897599s")}),
      Unix(kMaxTimestampSeconds)));
}

TEST_F(TimeTest, ArithmeticRange) {
  EXPECT_TRUE(HoldsError(Global(kAdd, {Ts("0001-01-01T00:00:00Z"), Dur("-1s")}),
                         "range"));
  EXPECT_TRUE(HoldsError(Global(kAdd, {Ts("9999-12-31T23:59:59Z"), Dur("1s")}),
                         "range"));
  EXPECT_TRUE(HoldsError(
      Global(kAdd, {Ts("9999-12-31T23:59:59.999999999Z"), Dur("1ns")}),
      "range"));
  EXPECT_TRUE(HoldsError(
      Global(kAdd, {Ts("0001-01-01T00:00:00Z"), Dur("-1ns")}), "range"));
  EXPECT_TRUE(HoldsError(
      Global(kAdd, {Dur("1ns"), Ts("9999-12-31T23:59:59.999999999Z")}),
      "range"));
  EXPECT_TRUE(HoldsError(
      Global(kSubtract, {Ts("0001-01-01T00:00:00Z"), Dur("1ns")}), "range"));
  // Differences of timestamps are held to int64 nanoseconds (~292 years).
  EXPECT_TRUE(HoldsError(Global(kSubtract, {Ts("9999-12-31T23:59:59Z"),
                                            Ts("0001-01-01T00:00:00Z")}),
                         "range"));
  EXPECT_TRUE(HoldsError(Global(kSubtract, {Ts("0001-01-01T00:00:00Z"),
                                            Ts("9999-12-31T23:59:59Z")}),
                         "range"));
  EXPECT_TRUE(
      HoldsDuration(Global(kSubtract, {Ts("2262-04-11T23:47:16.854775807Z"),
                                       Ts("1970-01-01T00:00:00Z")}),
                    absl::Nanoseconds(std::numeric_limits<int64_t>::max())));
  EXPECT_TRUE(
      HoldsError(Global(kSubtract, {Ts("2262-04-11T23:47:16.854775808Z"),
                                    Ts("1970-01-01T00:00:00Z")}),
                 "range"));
  // And so are sums and differences of durations.
  EXPECT_TRUE(HoldsError(
      Global(kAdd, {Dur("-200000000000s"), Dur("-200000000000s")}), "range"));
  EXPECT_TRUE(HoldsError(
      Global(kAdd, {Dur("200000000000s"), Dur("200000000000s")}), "range"));
  EXPECT_TRUE(HoldsError(
      Global(kSubtract, {Dur("-200000000000s"), Dur("200000000000s")}),
      "range"));
  EXPECT_TRUE(HoldsError(
      Global(kSubtract, {Dur("200000000000s"), Dur("-200000000000s")}),
      "range"));
  EXPECT_TRUE(
      HoldsDuration(Global(kAdd, {Dur("9223372036s"), Dur("854775807ns")}),
                    absl::Nanoseconds(std::numeric_limits<int64_t>::max())));
  EXPECT_TRUE(HoldsError(Global(kAdd, {Dur("9223372036s"), Dur("854775808ns")}),
                         "range"));
}

TEST_F(TimeTest, Ordering) {
  Value early = Ts("2009-02-13T23:00:00Z");
  Value late = Ts("2009-02-13T23:00:00.000000001Z");
  EXPECT_TRUE(HoldsBool(Global(kLess, {early, late}), true));
  EXPECT_TRUE(HoldsBool(Global(kLess, {late, early}), false));
  EXPECT_TRUE(HoldsBool(Global(kLess, {early, early}), false));
  EXPECT_TRUE(HoldsBool(Global(kLessEqual, {early, early}), true));
  EXPECT_TRUE(HoldsBool(Global(kLessEqual, {late, early}), false));
  EXPECT_TRUE(HoldsBool(Global(kGreater, {late, early}), true));
  EXPECT_TRUE(HoldsBool(Global(kGreater, {early, early}), false));
  EXPECT_TRUE(HoldsBool(Global(kGreaterEqual, {early, early}), true));
  EXPECT_TRUE(HoldsBool(Global(kGreaterEqual, {early, late}), false));
  // Before the epoch with a fraction.
  EXPECT_TRUE(HoldsBool(Global(kLess, {Ts("1969-12-31T23:59:59.1Z"),
                                       Ts("1969-12-31T23:59:59.2Z")}),
                        true));

  Value short_d = Dur("-1.5s");
  Value long_d = Dur("200s");
  EXPECT_TRUE(HoldsBool(Global(kLess, {short_d, long_d}), true));
  EXPECT_TRUE(HoldsBool(Global(kLessEqual, {long_d, long_d}), true));
  EXPECT_TRUE(HoldsBool(Global(kGreater, {long_d, short_d}), true));
  EXPECT_TRUE(HoldsBool(Global(kGreaterEqual, {short_d, long_d}), false));
  EXPECT_TRUE(HoldsBool(Global(kLess, {Dur("-1.5s"), Dur("-1.4s")}), true));
  // A timestamp and a duration don't compare.
  EXPECT_TRUE(HoldsError(Global(kLess, {early, long_d}), kNoMatchingOverload));
}

TEST_F(TimeTest, EqualityIsValueEquality) {
  // value.cc's Equal, which the evaluator uses for == on times.
  EXPECT_TRUE(HoldsBool(
      Equal(Ts("2009-02-13T23:31:30Z"), Ts("2009-02-14T00:31:30+01:00")),
      true));
  EXPECT_TRUE(HoldsBool(
      Equal(Ts("2009-02-13T23:31:30Z"), Ts("2009-02-13T23:31:30.1Z")), false));
  EXPECT_TRUE(HoldsBool(Equal(Dur("1h"), Dur("3600s")), true));
  EXPECT_TRUE(HoldsBool(Equal(Dur("-1.5s"), Dur("-1500ms")), true));
  EXPECT_TRUE(HoldsBool(Equal(Dur("1s"), Dur("1000000001ns")), false));
}

// ---------------------------------------------------------------------------
// The text functions std_time.h shares.

TEST(TimeText, FormatsAndParsesRoundTrip) {
  char text[kMaxTimeTextSize];
  absl::Time t = absl::FromUnixSeconds(kMaxTimestampSeconds) +
                 absl::Nanoseconds(999999999);
  EXPECT_EQ(absl::string_view(text, FormatTimestamp(t, text)),
            "9999-12-31T23:59:59.999999999Z");
  const absl::Duration d =
      -absl::Seconds(kMaxDurationSeconds) - absl::Nanoseconds(999999999);
  EXPECT_EQ(absl::string_view(text, FormatDuration(d, text)),
            "-315576000000.999999999s");
  EXPECT_TRUE(IsValidDuration(d));
  EXPECT_FALSE(IsValidDuration(d - absl::Nanoseconds(1)));
  EXPECT_TRUE(IsValidTimestamp(t));
  EXPECT_FALSE(IsValidTimestamp(t + absl::Nanoseconds(1)));
  EXPECT_FALSE(IsValidTimestamp(absl::FromUnixSeconds(kMinTimestampSeconds) -
                                absl::Nanoseconds(1)));

  // Every day of a few centuries, leap days included, round trips.
  absl::string_view error;
  for (int64_t s = -5000000000; s < 5000000000; s += 86400 * 7 + 3607) {
    const absl::Time in = absl::FromUnixSeconds(s) + absl::Nanoseconds(s % 7);
    absl::Time out;
    const absl::string_view formatted(text, FormatTimestamp(in, text));
    ASSERT_TRUE(ParseTimestamp(formatted, &out, &error)) << formatted;
    ASSERT_EQ(in, out) << formatted;
    ASSERT_EQ(formatted, absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", in,
                                          absl::UTCTimeZone()));
  }
}

}  // namespace
}  // namespace motive::expr
