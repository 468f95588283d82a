// Reading the fields of a vendor JSON record (a simdjson DOM element) with
// errors that name the source field path, for every JSON mapper.
//
// A mapper reads what it needs through one JsonFields, then checks ok() once:
// the first error is kept (sticky) and every later read returns "absent", so
// the mapping code stays a straight list of reads with no error plumbing.
//
// Absent means: the parent is absent, the member is missing, or it is JSON
// null (real feeds write null for "none"). Keys match exactly or, failing
// that, in any case: tools that re-serialise vendor records change the
// casing. A value of the wrong type is an error ("Agent: must be an object,
// got string"), not an absence. Numbers may also arrive as strings ("12"), as
// warehouse exports write them.
//
// Values are views into the simdjson document: they live as long as it does.
// Not thread-safe; one per record.

#ifndef MOTIVE_INGEST_JSON_FIELDS_H_
#define MOTIVE_INGEST_JSON_FIELDS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/event_fields.h"
#include "ingest/field_path.h"
#include "simdjson.h"

namespace motive::ingest {

enum class Need { kOptional, kRequired };

// A value and where it sits. `present` is false for an absent value, whose
// element must not be used. The path points at the parent's path (see
// field_path.h): a JsonValue must not outlive the one it was read from.
struct JsonValue {
  simdjson::dom::element element;
  FieldPath path;
  bool present = false;

  // The whole record.
  static JsonValue Root(simdjson::dom::element element) {
    return JsonValue{element, FieldPath(), true};
  }
};

// simdjson's views as Abseil's (distinct types in Debian's Abseil).
inline absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// A value as the source wrote it, for ids made of source values: a string's
// text, anything else as minified JSON.
std::string AsWritten(const JsonValue& value);

class JsonFields {
 public:
  // `zone` reads timestamps that carry no offset (time_text.h).
  explicit JsonFields(const absl::TimeZone& zone) : zone_(zone) {}

  JsonFields(const JsonFields&) = delete;
  JsonFields& operator=(const JsonFields&) = delete;

  // Member `key` of `object`, of any type. An error if `object` is present
  // but not an object.
  JsonValue Member(const JsonValue& object, absl::string_view key,
                   Need need = Need::kOptional);

  // Member `key`, which must be an object (or array) when present.
  JsonValue Object(const JsonValue& parent, absl::string_view key,
                   Need need = Need::kOptional);
  JsonValue Array(const JsonValue& parent, absl::string_view key,
                  Need need = Need::kOptional);

  // Member `key` as a string; "" when absent. A required string must not be
  // empty.
  absl::string_view String(const JsonValue& parent, absl::string_view key,
                           Need need = Need::kOptional);
  // Member `key` as a whole number (a number with no fraction, or such a
  // number as a string).
  std::optional<int64_t> Int(const JsonValue& parent, absl::string_view key,
                             Need need = Need::kOptional);
  // Member `key` as a finite number, or such a number as a string.
  std::optional<double> Number(const JsonValue& parent, absl::string_view key,
                               Need need = Need::kOptional);
  // Member `key` as a duration: a number of `unit`s (seconds, milliseconds)
  // that is not negative.
  std::optional<absl::Duration> Duration(const JsonValue& parent,
                                         absl::string_view key,
                                         absl::Duration unit,
                                         Need need = Need::kOptional);
  // Member `key` as a time: text in a form of time_text.h, or a whole number
  // of milliseconds since the Unix epoch.
  std::optional<absl::Time> Time(const JsonValue& parent, absl::string_view key,
                                 Need need = Need::kOptional);

  // The same conversions of a value already at hand (an array's item).
  absl::string_view AsString(const JsonValue& value,
                             Need need = Need::kOptional);
  std::optional<double> AsNumber(const JsonValue& value,
                                 Need need = Need::kOptional);
  std::optional<absl::Time> AsTime(const JsonValue& value,
                                   Need need = Need::kOptional);

  // Calls fn(const JsonValue& item) for each item of `array` (absent: none),
  // with paths "key[i]"; stops at the first error.
  template <typename Fn>
  void ForEachItem(const JsonValue& array, Fn&& fn);

  // Calls fn(absl::string_view key, const JsonValue& value) for each member
  // of `object` (absent: none), in the record's order, null members
  // included (absent); stops at the first error.
  template <typename Fn>
  void ForEachMember(const JsonValue& object, Fn&& fn);

  // Records a mapper's own error about the value at `path`, unless an error
  // is already kept. `reason` says what is wrong: "must be ..., got ...".
  void Fail(const FieldPath& path, absl::string_view reason);

  bool ok() const { return status_.ok(); }
  // OK, or the first error: a FieldError (base/errors.h) naming the path.
  const absl::Status& status() const { return status_; }

  // The JSON type of `element` for messages: "an object", "a string", ...
  static absl::string_view TypeName(const simdjson::dom::element& element);

 private:
  // Checks a present value's type; false (with an error) when it differs.
  bool Expect(const JsonValue& value, simdjson::dom::element_type type,
              absl::string_view expected);
  void Missing(const FieldPath& path);

  const absl::TimeZone& zone_;
  absl::Status status_;
};

template <typename Fn>
void JsonFields::ForEachItem(const JsonValue& array, Fn&& fn) {
  if (!ok() || !array.present) return;
  simdjson::dom::array items;
  if (array.element.get_array().get(items) != simdjson::SUCCESS) {
    Expect(array, simdjson::dom::element_type::ARRAY, "an array");
    return;
  }
  size_t index = 0;
  for (simdjson::dom::element item : items) {
    const JsonValue value{item, array.path.Index(index++), !item.is_null()};
    fn(value);
    if (!ok()) return;
  }
}

template <typename Fn>
void JsonFields::ForEachMember(const JsonValue& object, Fn&& fn) {
  if (!ok() || !object.present) return;
  simdjson::dom::object members;
  if (object.element.get_object().get(members) != simdjson::SUCCESS) {
    Expect(object, simdjson::dom::element_type::OBJECT, "an object");
    return;
  }
  for (simdjson::dom::key_value_pair member : members) {
    const absl::string_view key = View(member.key);
    const JsonValue value{member.value, object.path.Key(key),
                          !member.value.is_null()};
    fn(key, value);
    if (!ok()) return;
  }
}

// Copies the members of `object` that `keep` accepts into attributes named
// `prefix` + their key: strings, numbers and bools as they are; a nested
// array or object is dropped and counted (attributes hold scalars only).
// For the free-form bags vendors attach (Connect's Attributes{}, custom
// fields), after the mapping's own attributes.
void CopyScalarMembers(JsonFields& fields, const JsonValue& object,
                       absl::string_view prefix, AttributeWriter& attributes,
                       bool (*keep)(absl::string_view key) = nullptr);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_JSON_FIELDS_H_
