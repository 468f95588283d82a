// A fast, strict decoder of motive.v1.Event and motive.v1.EventBatch from
// protobuf's JSON mapping: the path model::Decode (model/event_codec.h) takes
// for these two messages. Protobuf's own parser (3.21) rebuilds type
// information on every call and costs about 17 us per event; this one walks
// the text once against a field table built on first use.
//
// What it accepts, and the message it builds, match protobuf's parser with
// motive's options (unknown fields rejected, enum names in any case):
//   - fields by .proto name (customer_id) or JSON name (customerId); null
//     for a field leaves it absent;
//   - strings for strings; for numbers a JSON number or a string holding
//     one, integers only where the field is an integer (1.0 and 1e2 count,
//     1.5 does not), NaN/Infinity/-Infinity as strings for doubles; for
//     enums a name or a known number as a string, or any integer; for
//     bools true and false, or a string holding one of protobuf's words
//     for them ("true", "t", "yes", "y", "1" and "false", "f", "no", "n",
//     "0", in any case; not a number); timestamps as RFC 3339 strings;
//     attributes as an object whose values become google.protobuf.Value
//     (lists and objects too, which validation then rejects); identifiers
//     as an array of objects with namespace and value, each a string or
//     null, and no other key. Text forms are model/field_text.h's, shared
//     with the CSV reader.
// Deliberate differences, each a rejection of input that protobuf lets
// through, except the first:
//   - RFC 3339 allows a lower-case 't' and 'z' in timestamps; so does this
//     decoder (and the CSV reader), protobuf does not.
//   - JSON must be RFC 8259 (base/json.h): protobuf also takes single
//     quotes, bare keys, trailing commas, unknown escapes such as \a, raw
//     control characters in strings, and numbers like 5. or -.5.
//   - A field may appear once, in an event and in an identifier;
//     customer_id and customerId are the same field. Protobuf keeps the
//     last of repeated strings, enums, bools and timestamps, and joins the
//     arrays of identifiers given twice (it rejects repeated optional
//     numbers and attribute keys, as this decoder does).
//   - A timestamp must be a string with two-digit fields: protobuf also
//     takes an object ({"seconds": 5}) and 2025-3-1.
//   - Numbers in strings follow model/field_text.h: no hexadecimal
//     ("0x10") and no surrounding whitespace for doubles.
//   - "events" and "identifiers" must be arrays of objects: protobuf also
//     takes one object for the array, and skips null elements.
//   - Objects and arrays nest at most 64 deep (protobuf's limit on the
//     protobuf binary it transcodes to rejects nesting past about 50 in
//     attributes anyway).
//
// Errors are parse errors (base/errors.h). Where a field is to blame they
// name it, as attributes.KEY for an attribute and identifiers[INDEX].FIELD
// for an identifier's, and say what was expected:
//   sentiment: must be a number, got "bad"
//   identifiers[1].value: must be a string, got 5
//   colour: unknown field; motive.v1.Event has event_id, customer_id, ...
// JSON syntax errors name no field and give the byte offset (base/json.h).
// In a batch the message starts with the event's index: "events[3]: ...".
//
// Thread-safe: the field table is built once and then only read.

#ifndef MOTIVE_MODEL_EVENT_JSON_H_
#define MOTIVE_MODEL_EVENT_JSON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

// Merges the event that `json` holds into `*event`, which callers clear
// first. On error `*event` may hold part of the input.
absl::Status DecodeEventJson(absl::string_view json, v1::Event* event);

// The same for a batch, {"events": [...]}.
absl::Status DecodeEventBatchJson(absl::string_view json,
                                  v1::EventBatch* batch);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_EVENT_JSON_H_
