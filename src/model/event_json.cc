#include "model/event_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "base/json.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "model/field_text.h"

namespace motive::model {

using base::Annotate;
using base::JsonNumber;
using base::JsonNumberToDouble;
using base::JsonNumberToInt64;
using base::JsonReader;
using base::ParseError;

namespace {

using google::protobuf::FieldDescriptor;
using Type = JsonReader::Type;

// How a field's JSON value is read.
enum class Kind : uint8_t {
  kString,
  kInt32,
  kInt64,
  kDouble,
  kEnum,
  kBool,
  kTimestamp,
  kAttributes,   // map<string, google.protobuf.Value>
  kIdentifiers,  // repeated motive.v1.Identifier
};

struct FieldInfo {
  const FieldDescriptor* field;
  Kind kind;
  uint64_t bit;  // this field's bit in the set of fields already read
};

// motive.v1.Event's fields by .proto name and by JSON name, and the list of
// names for unknown-field errors. Keys view the descriptors' names, which
// live as long as the generated pool, that is for good.
class EventFields {
 public:
  static const EventFields& Get() {
    static const EventFields* const kFields = new EventFields;
    return *kFields;
  }

  const FieldInfo* Find(absl::string_view name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : &it->second;
  }

  const std::string& names() const { return names_; }

 private:
  EventFields() {
    const google::protobuf::Descriptor* event = v1::Event::descriptor();
    for (int i = 0; i < event->field_count(); ++i) {
      const FieldDescriptor* field = event->field(i);
      Kind kind;
      if (!KindOf(field, &kind) || i >= 64) continue;  // see the test
      FieldInfo info{field, kind, uint64_t{1} << i};
      by_name_.emplace(field->name(), info);
      by_name_.emplace(field->json_name(), info);
      absl::StrAppend(&names_, names_.empty() ? "" : ", ", field->name());
    }
  }

  static bool KindOf(const FieldDescriptor* field, Kind* kind) {
    if (field->number() == v1::Event::kAttributesFieldNumber) {
      *kind = Kind::kAttributes;
      return true;
    }
    if (field->number() == v1::Event::kIdentifiersFieldNumber) {
      *kind = Kind::kIdentifiers;
      return true;
    }
    if (!IsTextField(field)) return false;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        *kind = Kind::kString;
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        *kind = Kind::kInt32;
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        *kind = Kind::kInt64;
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        *kind = Kind::kDouble;
        return true;
      case FieldDescriptor::CPPTYPE_ENUM:
        *kind = Kind::kEnum;
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        *kind = Kind::kBool;
        return true;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        *kind = Kind::kTimestamp;
        return true;
      default:
        return false;
    }
  }

  absl::flat_hash_map<absl::string_view, FieldInfo> by_name_;
  std::string names_;
};

// motive.v1.Identifier's fields, all strings, by .proto and JSON name, with
// their bits in the set of fields already read; and the list of names for
// unknown-field errors.
class IdentifierFields {
 public:
  static const IdentifierFields& Get() {
    static const IdentifierFields* const kFields = new IdentifierFields;
    return *kFields;
  }

  // The field and its bit, or null.
  const FieldDescriptor* Find(absl::string_view name, uint64_t* bit) const {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return nullptr;
    *bit = uint64_t{1} << it->second->index();
    return it->second;
  }

  const std::string& names() const { return names_; }

 private:
  IdentifierFields() {
    const google::protobuf::Descriptor* identifier =
        v1::Identifier::descriptor();
    for (int i = 0; i < identifier->field_count() && i < 64; ++i) {
      const FieldDescriptor* field = identifier->field(i);
      // Only strings are read; see the test.
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_STRING ||
          field->is_repeated()) {
        continue;
      }
      by_name_.emplace(field->name(), field);
      by_name_.emplace(field->json_name(), field);
      absl::StrAppend(&names_, names_.empty() ? "" : ", ", field->name());
    }
  }

  absl::flat_hash_map<absl::string_view, const FieldDescriptor*> by_name_;
  std::string names_;
};

// Long enough to recognise a number, short enough for one line of a report.
constexpr size_t kMaxNumberBytes = 40;

std::string Shorten(absl::string_view number) {
  if (number.size() <= kMaxNumberBytes) return std::string(number);
  return absl::StrCat(number.substr(0, kMaxNumberBytes), "...");
}

// How a value that was not of the expected type is shown: "true", "12",
// "\"abc\"", "an object". Reads strings and numbers to show them.
std::string Describe(JsonReader& reader, Type type) {
  switch (type) {
    case Type::kObject:
      return "an object";
    case Type::kArray:
      return "an array";
    case Type::kTrue:
      return "true";
    case Type::kFalse:
      return "false";
    case Type::kNull:
      return "null";
    case Type::kString: {
      absl::string_view text;
      if (!reader.ReadString(&text).ok()) return "a malformed string";
      return QuoteText(text);
    }
    case Type::kNumber: {
      JsonNumber number;
      if (!reader.ReadNumber(&number).ok()) return "a malformed number";
      return Shorten(number.text);
    }
  }
  return "a value";
}

absl::Status Mismatch(JsonReader& reader, const FieldDescriptor* field,
                      Type type) {
  return ParseError(field->name(),
                    absl::StrCat("must be ", ExpectedForm(field), ", got ",
                                 Describe(reader, type)));
}

// Why `number` does not fit `field`.
absl::Status NumberError(const FieldDescriptor* field,
                         const JsonNumber& number) {
  double value;
  if (!JsonNumberToDouble(number, &value)) {
    return ParseError(field->name(),
                      absl::StrCat("number ", Shorten(number.text),
                                   " is out of the range of a double"));
  }
  std::string expected = ExpectedForm(field);
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_INT64 &&
      value == std::trunc(value)) {
    expected =
        absl::StrCat(expected, " between ", std::numeric_limits<int64_t>::min(),
                     " and ", std::numeric_limits<int64_t>::max());
  }
  return ParseError(field->name(), absl::StrCat("must be ", expected, ", got ",
                                                Shorten(number.text)));
}

absl::Status SetNumber(const FieldInfo& info, const JsonNumber& number,
                       v1::Event* event) {
  const google::protobuf::Reflection* reflection = v1::Event::GetReflection();
  switch (info.kind) {
    case Kind::kInt32:
    case Kind::kEnum: {  // any number: proto3 enums keep unknown values
      int64_t value;
      if (!JsonNumberToInt64(number, &value) ||
          value < std::numeric_limits<int32_t>::min() ||
          value > std::numeric_limits<int32_t>::max()) {
        return NumberError(info.field, number);
      }
      if (info.kind == Kind::kEnum) {
        reflection->SetEnumValue(event, info.field, static_cast<int>(value));
      } else {
        reflection->SetInt32(event, info.field, static_cast<int32_t>(value));
      }
      return absl::OkStatus();
    }
    case Kind::kInt64: {
      int64_t value;
      if (!JsonNumberToInt64(number, &value)) {
        return NumberError(info.field, number);
      }
      reflection->SetInt64(event, info.field, value);
      return absl::OkStatus();
    }
    case Kind::kDouble: {
      double value;
      if (!JsonNumberToDouble(number, &value)) {
        return NumberError(info.field, number);
      }
      reflection->SetDouble(event, info.field, value);
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("SetNumber on a field that is no number");
  }
}

// Reads any JSON value into `value`. `attribute` is the attribute's key,
// for errors.
absl::Status DecodeValue(JsonReader& reader, absl::string_view attribute,
                         google::protobuf::Value* value) {
  absl::StatusOr<Type> type = reader.Peek();
  if (!type.ok()) return type.status();
  switch (*type) {
    case Type::kNull:
      value->set_null_value(google::protobuf::NULL_VALUE);
      return reader.ReadNull();
    case Type::kTrue:
    case Type::kFalse: {
      bool b = false;
      absl::Status status = reader.ReadBool(&b);
      value->set_bool_value(b);
      return status;
    }
    case Type::kString: {
      absl::string_view text;
      if (absl::Status s = reader.ReadString(&text); !s.ok()) return s;
      value->set_string_value(std::string(text));
      return absl::OkStatus();
    }
    case Type::kNumber: {
      JsonNumber number;
      if (absl::Status s = reader.ReadNumber(&number); !s.ok()) return s;
      double d;
      if (!JsonNumberToDouble(number, &d)) {
        return ParseError(absl::StrCat("attributes.", attribute),
                          absl::StrCat("number ", Shorten(number.text),
                                       " is out of the range of a double"));
      }
      value->set_number_value(d);
      return absl::OkStatus();
    }
    case Type::kArray: {
      if (absl::Status s = reader.BeginArray(); !s.ok()) return s;
      google::protobuf::ListValue* list = value->mutable_list_value();
      while (true) {
        absl::StatusOr<bool> more = reader.NextElement();
        if (!more.ok()) return more.status();
        if (!*more) return absl::OkStatus();
        absl::Status s = DecodeValue(reader, attribute, list->add_values());
        if (!s.ok()) return s;
      }
    }
    case Type::kObject: {
      if (absl::Status s = reader.BeginObject(); !s.ok()) return s;
      auto* fields = value->mutable_struct_value()->mutable_fields();
      absl::string_view key;
      while (true) {
        absl::StatusOr<bool> more = reader.NextMember(&key);
        if (!more.ok()) return more.status();
        if (!*more) return absl::OkStatus();
        auto [it, inserted] = fields->try_emplace(std::string(key));
        if (!inserted) {
          return ParseError(absl::StrCat("attributes.", attribute),
                            absl::StrCat("key ", QuoteText(key),
                                         " appears twice in a nested object"));
        }
        absl::Status s = DecodeValue(reader, attribute, &it->second);
        if (!s.ok()) return s;
      }
    }
  }
  return absl::InternalError("unreachable JSON type");
}

absl::Status DecodeAttributes(JsonReader& reader, v1::Event* event) {
  if (absl::Status s = reader.BeginObject(); !s.ok()) return s;
  auto* attributes = event->mutable_attributes();
  absl::string_view key;
  while (true) {
    absl::StatusOr<bool> more = reader.NextMember(&key);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    auto [it, inserted] = attributes->try_emplace(std::string(key));
    if (!inserted) {
      return ParseError(absl::StrCat("attributes.", key), "appears twice");
    }
    // `key` may be overwritten by nested keys: use the map's copy.
    absl::Status s = DecodeValue(reader, it->first, &it->second);
    if (!s.ok()) return s;
  }
}

// "identifiers[3]", the name errors give the element at `index`.
std::string IdentifierPath(int index) {
  return absl::StrCat("identifiers[", index, "]");
}

// Reads one identifier's object; `index` is its place in the array.
absl::Status DecodeIdentifier(JsonReader& reader, int index,
                              v1::Identifier* identifier) {
  if (absl::Status s = reader.BeginObject(); !s.ok()) return s;
  const IdentifierFields& fields = IdentifierFields::Get();
  uint64_t seen = 0;
  absl::string_view key;
  while (true) {
    absl::StatusOr<bool> more = reader.NextMember(&key);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    uint64_t bit = 0;
    const FieldDescriptor* field = fields.Find(key, &bit);
    if (field == nullptr) {
      return ParseError(absl::StrCat(IdentifierPath(index), ".", key),
                        absl::StrCat("unknown field; motive.v1.Identifier has ",
                                     fields.names()));
    }
    // Built only for an error: the common case allocates nothing here.
    const auto path = [&] {
      return absl::StrCat(IdentifierPath(index), ".", field->name());
    };
    if ((seen & bit) != 0) {
      return ParseError(path(), "appears twice (by its .proto or JSON name)");
    }
    seen |= bit;
    absl::StatusOr<Type> type = reader.Peek();
    if (!type.ok()) return type.status();
    if (*type == Type::kNull) {
      if (absl::Status s = reader.ReadNull(); !s.ok()) return s;
      continue;
    }
    if (*type != Type::kString) {
      return ParseError(path(), absl::StrCat("must be a string, got ",
                                             Describe(reader, *type)));
    }
    absl::string_view text;
    if (absl::Status s = reader.ReadString(&text); !s.ok()) return s;
    v1::Identifier::GetReflection()->SetString(identifier, field,
                                               std::string(text));
  }
}

// Reads the identifiers array (null was handled by the caller).
absl::Status DecodeIdentifiers(JsonReader& reader, Type type,
                               v1::Event* event) {
  if (type != Type::kArray) {
    return ParseError("identifiers",
                      absl::StrCat("must be an array of motive.v1.Identifier "
                                   "objects, got ",
                                   Describe(reader, type)));
  }
  if (absl::Status s = reader.BeginArray(); !s.ok()) return s;
  for (int index = 0;; ++index) {
    absl::StatusOr<bool> more = reader.NextElement();
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    absl::StatusOr<Type> element = reader.Peek();
    if (!element.ok()) return element.status();
    if (*element != Type::kObject) {
      return ParseError(IdentifierPath(index),
                        absl::StrCat("must be a motive.v1.Identifier object, "
                                     "got ",
                                     Describe(reader, *element)));
    }
    absl::Status s = DecodeIdentifier(reader, index, event->add_identifiers());
    if (!s.ok()) return s;
  }
}

absl::Status DecodeField(JsonReader& reader, const FieldInfo& info,
                         v1::Event* event) {
  absl::StatusOr<Type> type = reader.Peek();
  if (!type.ok()) return type.status();
  if (*type == Type::kNull) return reader.ReadNull();  // absent
  const FieldDescriptor* field = info.field;
  switch (info.kind) {
    case Kind::kAttributes:
      if (*type != Type::kObject) return Mismatch(reader, field, *type);
      return DecodeAttributes(reader, event);
    case Kind::kIdentifiers:
      return DecodeIdentifiers(reader, *type, event);
    case Kind::kString: {
      if (*type != Type::kString) return Mismatch(reader, field, *type);
      absl::string_view text;
      if (absl::Status s = reader.ReadString(&text); !s.ok()) return s;
      v1::Event::GetReflection()->SetString(event, field, std::string(text));
      return absl::OkStatus();
    }
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kDouble:
    case Kind::kEnum:
      if (*type == Type::kNumber) {
        JsonNumber number;
        if (absl::Status s = reader.ReadNumber(&number); !s.ok()) return s;
        return SetNumber(info, number, event);
      }
      [[fallthrough]];
    case Kind::kBool:
      if (info.kind == Kind::kBool &&
          (*type == Type::kTrue || *type == Type::kFalse)) {
        bool value = false;
        if (absl::Status s = reader.ReadBool(&value); !s.ok()) return s;
        v1::Event::GetReflection()->SetBool(event, field, value);
        return absl::OkStatus();
      }
      // Otherwise a string in the field's text form, as protobuf allows for
      // numbers, enums and bools ("12", "voice", "yes").
      [[fallthrough]];
    case Kind::kTimestamp: {
      if (*type != Type::kString) return Mismatch(reader, field, *type);
      absl::string_view text;
      if (absl::Status s = reader.ReadString(&text); !s.ok()) return s;
      if (!SetFieldFromText(field, text, event)) {
        return ParseError(field->name(), TextValueError(field, text));
      }
      return absl::OkStatus();
    }
  }
  return absl::InternalError("unreachable field kind");
}

std::string DescribeTop(JsonReader& reader, Type type) {
  return type == Type::kObject ? "an object" : Describe(reader, type);
}

// Enters the top-level object that holds a `message` (motive.v1.Event, ...).
absl::Status BeginTopObject(JsonReader& reader, absl::string_view message) {
  absl::StatusOr<Type> type = reader.Peek();
  if (!type.ok()) return type.status();
  if (*type != Type::kObject) {
    const size_t at = reader.offset();
    return ParseError("", absl::StrCat("expected a JSON object holding a ",
                                       message, " at byte ", at, ", got ",
                                       DescribeTop(reader, *type)));
  }
  return reader.BeginObject();
}

absl::Status DecodeEventObject(JsonReader& reader, v1::Event* event) {
  if (absl::Status s = BeginTopObject(reader, "motive.v1.Event"); !s.ok()) {
    return s;
  }
  const EventFields& fields = EventFields::Get();
  uint64_t seen = 0;
  absl::string_view key;
  while (true) {
    absl::StatusOr<bool> more = reader.NextMember(&key);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
    const FieldInfo* info = fields.Find(key);
    if (info == nullptr) {
      return ParseError(key, absl::StrCat("unknown field; motive.v1.Event has ",
                                          fields.names()));
    }
    if ((seen & info->bit) != 0) {
      return ParseError(info->field->name(),
                        "appears twice (by its .proto or JSON name)");
    }
    seen |= info->bit;
    if (absl::Status s = DecodeField(reader, *info, event); !s.ok()) return s;
  }
}

}  // namespace

absl::Status DecodeEventJson(absl::string_view json, v1::Event* event) {
  JsonReader reader(json);
  if (absl::Status s = DecodeEventObject(reader, event); !s.ok()) return s;
  return reader.Finish();
}

absl::Status DecodeEventBatchJson(absl::string_view json,
                                  v1::EventBatch* batch) {
  JsonReader reader(json);
  if (absl::Status s = BeginTopObject(reader, "motive.v1.EventBatch");
      !s.ok()) {
    return s;
  }
  bool seen = false;
  absl::string_view key;
  while (true) {
    absl::StatusOr<bool> more = reader.NextMember(&key);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (key != "events") {
      return ParseError(key,
                        "unknown field; motive.v1.EventBatch has only events");
    }
    if (seen) return ParseError("events", "appears twice");
    seen = true;
    absl::StatusOr<Type> value = reader.Peek();
    if (!value.ok()) return value.status();
    if (*value == Type::kNull) {
      if (absl::Status s = reader.ReadNull(); !s.ok()) return s;
      continue;
    }
    if (*value != Type::kArray) {
      return ParseError("events",
                        absl::StrCat("must be an array of motive.v1.Event "
                                     "objects, got ",
                                     Describe(reader, *value)));
    }
    if (absl::Status s = reader.BeginArray(); !s.ok()) return s;
    for (int index = 0;; ++index) {
      absl::StatusOr<bool> element = reader.NextElement();
      if (!element.ok()) return element.status();
      if (!*element) break;
      absl::Status s = DecodeEventObject(reader, batch->add_events());
      if (!s.ok()) return Annotate(s, absl::StrCat("events[", index, "]"));
    }
  }
  return reader.Finish();
}

}  // namespace motive::model
