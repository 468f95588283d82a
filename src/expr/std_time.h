// The text forms of CEL timestamps and durations, and their ranges.
//
// std_time.cc uses these for timestamp(), duration() and string(); the
// strings extension's format() uses them to print times as string() does,
// and the planner may use them to fold constant timestamp('...') calls.
// None of them allocates.
//
// Thread-safe: all functions are pure.

#ifndef MOTIVE_EXPR_STD_TIME_H_
#define MOTIVE_EXPR_STD_TIME_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace motive::expr {

// CEL's timestamps run from 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, in Unix seconds:
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;
// and its durations are protobuf's, +-10000 years:
inline constexpr int64_t kMaxDurationSeconds = 315576000000;

bool IsValidTimestamp(absl::Time t);
bool IsValidDuration(absl::Duration d);

// Parses RFC 3339 text ("2009-02-13T23:31:30.5+01:00"): a four-digit year,
// 'T', seconds with an optional fraction (digits past nanoseconds are
// dropped) and 'Z' or a numeric offset. On failure returns false and sets
// `error` to a static message, "timestamp out of range" when the text is
// well formed but outside CEL's range.
bool ParseTimestamp(absl::string_view text, absl::Time* out,
                    absl::string_view* error);

// Parses Go's duration syntax, as CEL does: an optional sign, then one or
// more decimal numbers with a unit each (h, m, s, ms, us or µs, ns), as in
// "1h2m3.5s" or "-1.5s"; "0" alone needs no unit. Errors as ParseTimestamp,
// "duration out of range" past +-315576000000 s.
bool ParseDuration(absl::string_view text, absl::Duration* out,
                   absl::string_view* error);

// Room for the longest text either formatter writes.
inline constexpr size_t kMaxTimeTextSize = 32;

// Writes `t` as RFC 3339 in UTC with the fraction's trailing zeros dropped
// ("2009-02-13T23:31:30Z", "...:30.25Z") and returns the length. `t` must
// be valid.
size_t FormatTimestamp(absl::Time t, char (&out)[kMaxTimeTextSize]);

// Writes `d` as seconds with the fraction's trailing zeros dropped ("1.5s",
// "-0.000000001s", "3600s") and returns the length. `d` must be valid.
size_t FormatDuration(absl::Duration d, char (&out)[kMaxTimeTextSize]);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_STD_TIME_H_
