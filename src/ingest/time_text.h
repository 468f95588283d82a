// Timestamps as source systems write them, for every importer.
//
// Accepted text (ParseSourceTime), the forms met in vendor exports and
// warehouse tables:
//   2024-05-01T10:00:00Z                RFC 3339 / ISO 8601, UTC
//   2024-05-01T12:00:00.250+02:00       any number of fraction digits (past
//   2024-05-01T12:00:00+0200            nanoseconds they are dropped), an
//   2024-05-01T12:00:00+02              offset with or without ':' or minutes
//   2024-05-01 10:00:00                 ' ' for 'T'; no offset: a naive time,
//   2024-05-01                          read in the caller's time zone (a date
//                                       alone is its midnight there)
// 'T' and 'Z' in either case. Years 0001 to 9999, seconds 00 to 59 (a leap
// second is not accepted), days valid for their month.
//
// Thread-safe; nothing is allocated.

#ifndef MOTIVE_INGEST_TIME_TEXT_H_
#define MOTIVE_INGEST_TIME_TEXT_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace motive::ingest {

// False, with `*time` unchanged, when `text` is not one of the forms above.
bool ParseSourceTime(absl::string_view text, const absl::TimeZone& zone,
                     absl::Time* time);

// What the error messages say a timestamp must look like.
inline constexpr absl::string_view kTimeForm =
    "a timestamp like 2024-05-01T10:00:00Z";

inline absl::Time FromEpochMillis(int64_t millis) {
  return absl::FromUnixMillis(millis);
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* out);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_TIME_TEXT_H_
