// Text forms of motive.v1 field values, shared by the two readers that meet
// values as text: the CSV reader (every cell is text) and the JSON decoder
// (a JSON string where a number, an enum or a timestamp is expected, as
// protobuf's JSON mapping allows). One definition, so that "voice", "12" or
// "2024-05-01T10:00:00Z" mean the same whichever way they arrive.
//
// Forms, by field type. Nothing is trimmed: callers strip what their format
// allows to be padded.
//   string     verbatim.
//   int32/64   a whole number in range, in decimal: an optional sign ('+' or
//              '-') and digits, leading zeros allowed ("007"); no spaces,
//              fraction or exponent.
//   double     a decimal number: an optional sign, digits with an optional
//              fraction and exponent (".5", "5.", "-1.5e3"; no hex, no
//              spaces), out of range only when it underflows to zero; or
//              NaN, Infinity, -Infinity, as protobuf's JSON mapping writes
//              them (validation rejects what is not finite, and says so).
//   enum       a value's name in any case, with '-' for '_' ("voice",
//              "Mobile-App"), or the number of a known value ("1").
//   bool       in any case, true, t, yes, y or 1 for true and false, f, no,
//              n or 0 for false: the strings protobuf's JSON parser (3.21)
//              takes for a bool.
//   Timestamp  RFC 3339 with seconds and an offset:
//              2024-05-01T10:00:00Z, 2024-05-01T12:00:00.25+02:00. Years
//              0001 to 9999, no leap second (:60); 'T' and 'Z' in either
//              case (RFC 3339 section 5.6); digits past nanoseconds are
//              dropped, as protobuf does.
//
// Everything here is thread-safe; lookup tables are built once, on first
// use.

#ifndef MOTIVE_MODEL_FIELD_TEXT_H_
#define MOTIVE_MODEL_FIELD_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace motive::model {

// Whether `field` holds a single value of a type with a text form above:
// string, int32, int64, double, enum, bool or google.protobuf.Timestamp.
bool IsTextField(const google::protobuf::FieldDescriptor* field);

// Each parses the whole of `text`; false, with `*value` unspecified, when
// `text` is not of the form.
bool ParseInt32Text(absl::string_view text, int32_t* value);
bool ParseInt64Text(absl::string_view text, int64_t* value);
bool ParseDoubleText(absl::string_view text, double* value);
bool ParseBoolText(absl::string_view text, bool* value);
bool ParseEnumText(const google::protobuf::EnumDescriptor* type,
                   absl::string_view text, int* number);
bool ParseTimestampText(absl::string_view text,
                        google::protobuf::Timestamp* value);

// Sets `field` (IsTextField) of `message` from `text`. False, with `message`
// unchanged, when `text` is not of the field's form; TextValueError then
// says why.
bool SetFieldFromText(const google::protobuf::FieldDescriptor* field,
                      absl::string_view text,
                      google::protobuf::Message* message);

// What a value of `field` must be, for error messages: "a number", "a whole
// number between -2147483648 and 2147483647", "one of voice, chat, ...",
// "true or false", "an RFC 3339 timestamp like 2024-05-01T10:00:00Z".
std::string ExpectedForm(const google::protobuf::FieldDescriptor* field);

// Why `text` is not a value of `field`, without the field's name:
//   must be a number, got "abc"
//   unknown value "fax"; expected one of voice, chat, ...
std::string TextValueError(const google::protobuf::FieldDescriptor* field,
                           absl::string_view text);

// The names of an enum's values but the zero one, in lower case as people
// write them: "voice, chat, email".
std::string EnumValueNames(const google::protobuf::EnumDescriptor* type);

// `text` in double quotes for an error message, escaped and cut to a length
// one line of a report can hold.
std::string QuoteText(absl::string_view text);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_FIELD_TEXT_H_
