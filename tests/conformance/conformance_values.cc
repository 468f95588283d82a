#include "tests/conformance/conformance_values.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace motive::conformance {
namespace {

using ::cel::expr::Type;
using ProtoValue = ::cel::expr::Value;

constexpr absl::string_view kTimestampName = "google.protobuf.Timestamp";
constexpr absl::string_view kDurationName = "google.protobuf.Duration";

// Value and MapValue::Entry are trivially destructible but not trivial
// (Value has a constexpr default constructor), which Arena::CreateArray
// refuses; so the storage is taken raw and constructed in place.
template <typename T>
T* NewArray(expr::Arena* arena, size_t n) {
  static_assert(std::is_trivially_destructible_v<T>);
  if (n == 0) return nullptr;
  T* array = static_cast<T*>(arena->AllocateAligned(n * sizeof(T), alignof(T)));
  std::uninitialized_default_construct_n(array, n);
  return array;
}

absl::string_view CopyText(expr::Arena* arena, absl::string_view text) {
  char* copy = NewArray<char>(arena, text.size());
  if (copy == nullptr) return absl::string_view();
  std::memcpy(copy, text.data(), text.size());
  return absl::string_view(copy, text.size());
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::Duration DurationFromProto(const google::protobuf::Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

google::protobuf::Timestamp TimeToProto(absl::Time t) {
  // ToUnixSeconds rounds toward the infinite past, which keeps nanos in
  // [0, 1e9) as google.protobuf.Timestamp requires.
  int64_t seconds = absl::ToUnixSeconds(t);
  google::protobuf::Timestamp proto;
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) /
                                       absl::Nanoseconds(1)));
  return proto;
}

google::protobuf::Duration DurationToProto(absl::Duration d) {
  // IDivDuration truncates toward zero: nanos take the sign of seconds.
  absl::Duration rest;
  int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rest);
  google::protobuf::Duration proto;
  proto.set_seconds(seconds);
  proto.set_nanos(static_cast<int32_t>(rest / absl::Nanoseconds(1)));
  return proto;
}

// The shortest text that reads back as the same double, always with a
// fraction or exponent so that 1.0 does not look like the int 1.
std::string FormatDouble(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  std::string text;
  for (int precision = 6; precision <= 17; ++precision) {
    text = absl::StrFormat("%.*g", precision, d);
    if (std::strtod(text.c_str(), nullptr) == d) break;
  }
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

bool AnyMatches(const google::protobuf::Any& expected,
                const google::protobuf::Any& actual) {
  if (expected.type_url() != actual.type_url()) return false;
  if (expected.Is<google::protobuf::Timestamp>()) {
    google::protobuf::Timestamp a, b;
    if (!expected.UnpackTo(&a) || !actual.UnpackTo(&b)) return false;
    return a.seconds() == b.seconds() && a.nanos() == b.nanos();
  }
  if (expected.Is<google::protobuf::Duration>()) {
    google::protobuf::Duration a, b;
    if (!expected.UnpackTo(&a) || !actual.UnpackTo(&b)) return false;
    return a.seconds() == b.seconds() && a.nanos() == b.nanos();
  }
  // Other messages never come out of src/expr; bytes are close enough.
  return expected.value() == actual.value();
}

}  // namespace

absl::StatusOr<expr::Type> TypeFromProto(const Type& type) {
  switch (type.type_kind_case()) {
    case Type::TYPE_KIND_NOT_SET:
    case Type::kDyn:
      return expr::Type::Dyn();
    case Type::kNull:
      return expr::Type::Null();
    case Type::kPrimitive:
      switch (type.primitive()) {
        case Type::BOOL:
          return expr::Type::Bool();
        case Type::INT64:
          return expr::Type::Int();
        case Type::UINT64:
          return expr::Type::Uint();
        case Type::DOUBLE:
          return expr::Type::Double();
        case Type::STRING:
          return expr::Type::String();
        case Type::BYTES:
          return expr::Type::Bytes();
        default:
          return absl::InvalidArgumentError(
              absl::StrCat("primitive type ", type.primitive()));
      }
    case Type::kWrapper:
      return absl::UnimplementedError(kNeedsMessages);
    case Type::kWellKnown:
      switch (type.well_known()) {
        case Type::TIMESTAMP:
          return expr::Type::Timestamp();
        case Type::DURATION:
          return expr::Type::Duration();
        default:  // ANY
          return absl::UnimplementedError(kNeedsMessages);
      }
    case Type::kListType: {
      absl::StatusOr<expr::Type> element =
          TypeFromProto(type.list_type().elem_type());
      if (!element.ok()) return element.status();
      return expr::Type::List(*std::move(element));
    }
    case Type::kMapType: {
      absl::StatusOr<expr::Type> key =
          TypeFromProto(type.map_type().key_type());
      if (!key.ok()) return key.status();
      absl::StatusOr<expr::Type> value =
          TypeFromProto(type.map_type().value_type());
      if (!value.ok()) return value.status();
      return expr::Type::Map(*std::move(key), *std::move(value));
    }
    case Type::kMessageType:
      if (type.message_type() == kTimestampName) {
        return expr::Type::Timestamp();
      }
      if (type.message_type() == kDurationName) return expr::Type::Duration();
      return absl::UnimplementedError(kNeedsMessages);
    case Type::kTypeParam:
      return expr::Type::Param(type.type_param());
    case Type::kType: {
      absl::StatusOr<expr::Type> denoted = TypeFromProto(type.type());
      if (!denoted.ok()) return denoted.status();
      return expr::Type::TypeOf(*std::move(denoted));
    }
    case Type::kError:
      return expr::Type::Error();
    case Type::kFunction:
      return absl::UnimplementedError("function types not supported");
    case Type::kAbstractType: {
      // optional_type(T) is the one the suite uses.
      const auto& abstract = type.abstract_type();
      if (abstract.name() != "optional_type" ||
          abstract.parameter_types_size() != 1) {
        return absl::UnimplementedError("abstract types not supported");
      }
      absl::StatusOr<expr::Type> held =
          TypeFromProto(abstract.parameter_types(0));
      if (!held.ok()) return held.status();
      return expr::Type::Optional(*std::move(held));
    }
  }
  return absl::InvalidArgumentError("unknown type kind");
}

absl::StatusOr<expr::Value> ValueFromProto(const ProtoValue& value,
                                           expr::Arena* arena) {
  switch (value.kind_case()) {
    case ProtoValue::kNullValue:
      return expr::Value::Null();
    case ProtoValue::kBoolValue:
      return expr::Value::Bool(value.bool_value());
    case ProtoValue::kInt64Value:
      return expr::Value::Int(value.int64_value());
    case ProtoValue::kUint64Value:
      return expr::Value::Uint(value.uint64_value());
    case ProtoValue::kDoubleValue:
      return expr::Value::Double(value.double_value());
    case ProtoValue::kStringValue:
      return expr::Value::String(CopyText(arena, value.string_value()));
    case ProtoValue::kBytesValue:
      return expr::Value::Bytes(CopyText(arena, value.bytes_value()));
    case ProtoValue::kTypeValue:
      return expr::Value::Type(CopyText(arena, value.type_value()));
    case ProtoValue::kListValue: {
      const auto& elements = value.list_value().values();
      expr::Value* list = NewArray<expr::Value>(arena, elements.size());
      for (int i = 0; i < elements.size(); ++i) {
        absl::StatusOr<expr::Value> element =
            ValueFromProto(elements[i], arena);
        if (!element.ok()) return element.status();
        list[i] = *element;
      }
      return expr::Value::List(
          absl::Span<const expr::Value>(list, elements.size()));
    }
    case ProtoValue::kMapValue: {
      const auto& entries = value.map_value().entries();
      expr::MapValue::Entry* map =
          NewArray<expr::MapValue::Entry>(arena, entries.size());
      for (int i = 0; i < entries.size(); ++i) {
        absl::StatusOr<expr::Value> key =
            ValueFromProto(entries[i].key(), arena);
        if (!key.ok()) return key.status();
        absl::StatusOr<expr::Value> entry_value =
            ValueFromProto(entries[i].value(), arena);
        if (!entry_value.ok()) return entry_value.status();
        map[i] = {*key, *entry_value};
      }
      expr::Value made = expr::MapValue::Make(
          arena, absl::Span<const expr::MapValue::Entry>(map, entries.size()));
      if (made.is_error()) {
        return absl::InvalidArgumentError(
            absl::StrCat("map value: ", made.text()));
      }
      return made;
    }
    case ProtoValue::kObjectValue: {
      const google::protobuf::Any& any = value.object_value();
      if (any.Is<google::protobuf::Timestamp>()) {
        google::protobuf::Timestamp t;
        if (!any.UnpackTo(&t)) {
          return absl::InvalidArgumentError("malformed Timestamp");
        }
        return expr::Value::Timestamp(TimeFromProto(t));
      }
      if (any.Is<google::protobuf::Duration>()) {
        google::protobuf::Duration d;
        if (!any.UnpackTo(&d)) {
          return absl::InvalidArgumentError("malformed Duration");
        }
        return expr::Value::Duration(DurationFromProto(d));
      }
      return absl::UnimplementedError(kNeedsMessages);
    }
    case ProtoValue::kEnumValue:
      return absl::UnimplementedError(kNeedsMessages);
    case ProtoValue::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("a value with no kind");
}

absl::StatusOr<ProtoValue> ValueToProto(const expr::Value& value) {
  ProtoValue proto;
  switch (value.kind()) {
    case expr::ValueKind::kNull:
      proto.set_null_value(google::protobuf::NULL_VALUE);
      break;
    case expr::ValueKind::kBool:
      proto.set_bool_value(value.bool_value());
      break;
    case expr::ValueKind::kInt:
      proto.set_int64_value(value.int_value());
      break;
    case expr::ValueKind::kUint:
      proto.set_uint64_value(value.uint_value());
      break;
    case expr::ValueKind::kDouble:
      proto.set_double_value(value.double_value());
      break;
    case expr::ValueKind::kString:
      proto.set_string_value(std::string(value.text()));
      break;
    case expr::ValueKind::kBytes:
      proto.set_bytes_value(std::string(value.text()));
      break;
    case expr::ValueKind::kType:
      proto.set_type_value(std::string(value.text()));
      break;
    case expr::ValueKind::kList: {
      cel::expr::ListValue* list = proto.mutable_list_value();
      for (const expr::Value& element : value.list()) {
        absl::StatusOr<ProtoValue> converted = ValueToProto(element);
        if (!converted.ok()) return converted.status();
        *list->add_values() = *std::move(converted);
      }
      break;
    }
    case expr::ValueKind::kMap: {
      cel::expr::MapValue* map = proto.mutable_map_value();
      for (const expr::MapValue::Entry& entry : value.map().entries()) {
        absl::StatusOr<ProtoValue> key = ValueToProto(entry.key);
        if (!key.ok()) return key.status();
        absl::StatusOr<ProtoValue> entry_value = ValueToProto(entry.value);
        if (!entry_value.ok()) return entry_value.status();
        cel::expr::MapValue::Entry* added = map->add_entries();
        *added->mutable_key() = *std::move(key);
        *added->mutable_value() = *std::move(entry_value);
      }
      break;
    }
    case expr::ValueKind::kTimestamp:
      proto.mutable_object_value()->PackFrom(TimeToProto(value.timestamp()));
      break;
    case expr::ValueKind::kDuration:
      proto.mutable_object_value()->PackFrom(DurationToProto(value.duration()));
      break;
    case expr::ValueKind::kOptional:
      // cel.expr.Value has no optional; no test of the suite expects one.
      return absl::InvalidArgumentError(
          absl::StrCat("an optional value: ", expr::DebugString(value)));
    case expr::ValueKind::kError:
      return absl::InvalidArgumentError(absl::StrCat("error: ", value.text()));
  }
  return proto;
}

bool ValuesMatch(const ProtoValue& expected, const ProtoValue& actual) {
  if (expected.kind_case() != actual.kind_case()) return false;
  switch (expected.kind_case()) {
    case ProtoValue::kNullValue:
    case ProtoValue::KIND_NOT_SET:
      return true;
    case ProtoValue::kBoolValue:
      return expected.bool_value() == actual.bool_value();
    case ProtoValue::kInt64Value:
      return expected.int64_value() == actual.int64_value();
    case ProtoValue::kUint64Value:
      return expected.uint64_value() == actual.uint64_value();
    case ProtoValue::kDoubleValue:
      if (std::isnan(expected.double_value())) {
        return std::isnan(actual.double_value());
      }
      return expected.double_value() == actual.double_value();
    case ProtoValue::kStringValue:
      return expected.string_value() == actual.string_value();
    case ProtoValue::kBytesValue:
      return expected.bytes_value() == actual.bytes_value();
    case ProtoValue::kTypeValue:
      return expected.type_value() == actual.type_value();
    case ProtoValue::kEnumValue:
      return expected.enum_value().type() == actual.enum_value().type() &&
             expected.enum_value().value() == actual.enum_value().value();
    case ProtoValue::kObjectValue:
      return AnyMatches(expected.object_value(), actual.object_value());
    case ProtoValue::kListValue: {
      const auto& a = expected.list_value().values();
      const auto& b = actual.list_value().values();
      if (a.size() != b.size()) return false;
      for (int i = 0; i < a.size(); ++i) {
        if (!ValuesMatch(a[i], b[i])) return false;
      }
      return true;
    }
    case ProtoValue::kMapValue: {
      // Keys are unique on both sides, so equal sizes and every expected
      // entry found make the two sets equal. Quadratic, on test-sized maps.
      const auto& a = expected.map_value().entries();
      const auto& b = actual.map_value().entries();
      if (a.size() != b.size()) return false;
      for (const auto& wanted : a) {
        bool found = false;
        for (const auto& candidate : b) {
          if (ValuesMatch(wanted.key(), candidate.key())) {
            found = ValuesMatch(wanted.value(), candidate.value());
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    }
  }
  return false;
}

std::string FormatValue(const ProtoValue& value) {
  switch (value.kind_case()) {
    case ProtoValue::kNullValue:
      return "null";
    case ProtoValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case ProtoValue::kInt64Value:
      return absl::StrCat(value.int64_value());
    case ProtoValue::kUint64Value:
      return absl::StrCat(value.uint64_value(), "u");
    case ProtoValue::kDoubleValue:
      return FormatDouble(value.double_value());
    case ProtoValue::kStringValue:
      return absl::StrCat("\"", absl::Utf8SafeCHexEscape(value.string_value()),
                          "\"");
    case ProtoValue::kBytesValue:
      return absl::StrCat("b\"", absl::CHexEscape(value.bytes_value()), "\"");
    case ProtoValue::kTypeValue:
      return value.type_value();
    case ProtoValue::kEnumValue:
      return absl::StrCat(value.enum_value().type(), "(",
                          value.enum_value().value(), ")");
    case ProtoValue::kListValue:
      return absl::StrCat(
          "[",
          absl::StrJoin(value.list_value().values(), ", ",
                        [](std::string* out, const ProtoValue& element) {
                          out->append(FormatValue(element));
                        }),
          "]");
    case ProtoValue::kMapValue:
      return absl::StrCat(
          "{",
          absl::StrJoin(
              value.map_value().entries(), ", ",
              [](std::string* out, const cel::expr::MapValue::Entry& entry) {
                absl::StrAppend(out, FormatValue(entry.key()), ": ",
                                FormatValue(entry.value()));
              }),
          "}");
    case ProtoValue::kObjectValue: {
      const google::protobuf::Any& any = value.object_value();
      google::protobuf::Timestamp t;
      if (any.Is<google::protobuf::Timestamp>() && any.UnpackTo(&t)) {
        return absl::StrCat(
            "timestamp(\"",
            absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", TimeFromProto(t),
                             absl::UTCTimeZone()),
            "\")");
      }
      google::protobuf::Duration d;
      if (any.Is<google::protobuf::Duration>() && any.UnpackTo(&d)) {
        return absl::StrCat("duration(\"",
                            absl::FormatDuration(DurationFromProto(d)), "\")");
      }
      return absl::StrCat("message(", any.type_url(), ")");
    }
    case ProtoValue::KIND_NOT_SET:
      break;
  }
  return "<no value>";
}

}  // namespace motive::conformance
