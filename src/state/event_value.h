// An event as the expression language sees it: the `event` variable of rules
// and metric filters, and the fields that metrics aggregate.
//
// `event` is a map from field name (as in event.proto) to value:
//   customer_id, event_id, type, topic, agent_id, queue, currency   string
//   channel, moment, stage, outcome   string: the value's name in lower case
//                                     ("voice", "interim"), "" when
//                                     unspecified
//   occurred_at, recorded_at          timestamp
//   sentiment, value                  double
//   duration_ms, hold_ms, transfers, csat, nps   int
//   attributes                        map from key to string, double or bool
// Fields without presence in proto3 (strings, enums, attributes) are always
// there, empty when unset, so that `event.topic == 'billing'` is simply false
// for an event without a topic. Optional fields and timestamps that are unset
// are absent from the map: `has(event.sentiment)` tells, and reading one is
// an error, which a filter counts as not matching. Attribute values other
// than strings, numbers and booleans (which validation rejects) are absent.
//
// Strings in the values view the event's own storage: the event must outlive
// them. Everything here is thread-safe.

#ifndef MOTIVE_STATE_EVENT_VALUE_H_
#define MOTIVE_STATE_EVENT_VALUE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "expr/environment.h"
#include "expr/value.h"
#include "motive/v1/event.pb.h"

namespace motive::expr {
struct Expr;
}  // namespace motive::expr

namespace motive::state {

// The fields of `event`, in event.proto's order.
enum class EventField : uint8_t {
  kEventId,
  kCustomerId,
  kOccurredAt,
  kRecordedAt,
  kChannel,
  kType,
  kMoment,
  kStage,
  kTopic,
  kOutcome,
  kSentiment,
  kDurationMs,
  kHoldMs,
  kTransfers,
  kAgentId,
  kQueue,
  kValue,
  kCurrency,
  kCsat,
  kNps,
  kAttributes,
};
inline constexpr int kEventFieldCount = 21;

// A set of fields: bit i is EventField i.
using EventFieldMask = uint32_t;
inline constexpr EventFieldMask kAllEventFields =
    (EventFieldMask{1} << kEventFieldCount) - 1;

// The field's name in `event` ("occurred_at").
absl::string_view EventFieldName(EventField field);

// Whether the field's values are numbers (int or double). Attributes may be
// anything; their values are only known per event.
bool IsNumericField(EventField field);

// One field of an event: a field of event.proto, or one attribute.
struct EventFieldPath {
  EventField field = EventField::kEventId;
  std::string attribute;  // The key, for kAttributes.

  // "value", "topic", "attributes.plan". A bare "attributes" names the whole
  // map. InvalidArgument naming the path when no field has that name.
  static absl::StatusOr<EventFieldPath> Parse(absl::string_view path);
};

// Reads one field as `event` would show it; false when it is absent. A
// scalar read never allocates; `arena` is only used for the attributes map.
bool ReadEventField(const v1::Event& event, const EventFieldPath& path,
                    expr::Arena* arena, expr::Value* out);

// The event as a map value, allocated in `arena`, with the fields in
// `fields` (all by default). An expression that only selects fields
// (EventFieldsRead) cannot tell the difference, and a map of a few fields is
// several times cheaper to build than the whole event.
expr::Value EventToValue(const v1::Event& event, expr::Arena* arena,
                         EventFieldMask fields = kAllEventFields);

// The fields of the event that `expr` reads as `event.<field>` (has() tests
// included). All of them when it uses `event` in any other way: whole, by
// index, or shadowed by a comprehension variable of that name.
EventFieldMask EventFieldsRead(const expr::Expr& expr);

// Declares `event` as rules and metric filters see it: a map from field
// name to value (see EventToValue).
absl::Status DeclareEventVariable(expr::Environment* env);

// The lower-case names of enum values ("voice", "mobile_app", "interim",
// "loyalty", "unresolved"), as `event` shows them and contexts name them; ""
// for the unspecified value and for numbers the enum does not define.
// Static storage.
absl::string_view ChannelName(int32_t channel);
absl::string_view MomentName(int32_t moment);
absl::string_view StageName(int32_t stage);
absl::string_view OutcomeName(int32_t outcome);

}  // namespace motive::state

#endif  // MOTIVE_STATE_EVENT_VALUE_H_
