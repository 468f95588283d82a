// What makes an event acceptable, and how motive completes one before it is
// stored. Every rule names the field it guards in its error (base/errors.h).
//
// Required: customer_id (unless the event has identifiers), occurred_at,
// type. Limits:
//   event_id, customer_id, topic, agent_id, queue,
//   interaction_id                                 <= 128 bytes, UTF-8, no
//                                                  control characters
//   type                                           1..64 bytes of [a-z0-9_.-]
//   occurred_at    >= 1990-01-01, <= recorded_at + 1 day (clock skew)
//   recorded_at    when set: >= 1990-01-01, <= now + 1 day
//   updated_at     when set: as occurred_at
//   identifiers    <= 16; namespace 1..32 bytes of [a-z0-9_.-]; value
//                  <= 256 bytes of UTF-8 without control characters, not
//                  empty or only whitespace. Errors name the identifier:
//                  identifiers[2].value
//   enrichment     only with an interaction_id
//   enums          known values only
//   sentiment      finite, [-1, 1]
//   duration_ms, hold_ms   0..30 days, hold_ms <= duration_ms
//   transfers      0..100
//   value          finite, [-1e12, 1e12]; currency: three upper-case
//                  letters (ISO 4217)
//   csat 1..5, nps 0..10
//   attributes     <= 64; keys 1..64 bytes; values string (<= 1024 bytes),
//                  finite number in [-1e15, 1e15] or bool
//   whole event    <= 16 KiB serialized

#ifndef MOTIVE_MODEL_EVENT_VALIDATION_H_
#define MOTIVE_MODEL_EVENT_VALIDATION_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "model/journey_map.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

inline constexpr size_t kMaxIdBytes = 128;
inline constexpr size_t kMaxTypeBytes = 64;
inline constexpr int kMaxAttributes = 64;
inline constexpr size_t kMaxAttributeKeyBytes = 64;
inline constexpr size_t kMaxAttributeStringBytes = 1024;
inline constexpr size_t kMaxEventBytes = 16 * 1024;
inline constexpr int kMaxTransfers = 100;
inline constexpr int kMaxIdentifiers = 16;
inline constexpr size_t kMaxNamespaceBytes = 32;
inline constexpr size_t kMaxIdentifierValueBytes = 256;

// Magnitudes of `value` (money, in the currency's units) and of number
// attributes. The state sums both (lifetime_value, SUM and AVG metrics), and
// these bounds are what keep every sum finite: even 2^64 events, more than a
// log can hold, of 1e15 each add up to under 2e34, nowhere near DBL_MAX
// (1.8e308), where two purchases of 1.7e308 used to make Infinity. 1e12 is
// more than any one purchase in any currency; 1e15 stays below 2^53, so an
// integer attribute (a count, a score, an id) is held exactly.
inline constexpr double kMaxValue = 1e12;
inline constexpr double kMaxAttributeNumber = 1e15;

// Checks `event` as the caller sent it. `now` is the ingest time, used for
// recorded_at when the event has none.
absl::Status ValidateEvent(const v1::Event& event, absl::Time now);

// Makes a caller's event ready to store: lower-cases the type, validates,
// derives the event id when missing (model/event_id.h), sets recorded_at to
// `now` when missing, and infers moment and stage from `map`. On error the
// event may be partly normalised and must not be stored.
absl::Status PrepareEvent(v1::Event* event, const JourneyMap& map,
                          absl::Time now);

// Microseconds since the Unix epoch, the log's time unit.
int64_t ToUnixMicros(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp FromUnixMicros(int64_t micros);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_EVENT_VALIDATION_H_
