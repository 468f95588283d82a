#include "ingest/json_fields.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "ingest/time_text.h"
#include "model/field_text.h"

namespace motive::ingest {
namespace {

using simdjson::dom::element_type;

// A number's text for messages, as JSON would write it.
std::string NumberText(const simdjson::dom::element& element) {
  switch (element.type()) {
    case element_type::INT64:
      return absl::StrCat(int64_t(element.get_int64().value_unsafe()));
    case element_type::UINT64:
      return absl::StrCat(uint64_t(element.get_uint64().value_unsafe()));
    default:
      return absl::StrCat(element.get_double().value_unsafe());
  }
}

bool IsNumber(element_type type) {
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

}  // namespace

std::string AsWritten(const JsonValue& value) {
  if (!value.present) return "";
  std::string_view text;
  if (value.element.get_string().get(text) == simdjson::SUCCESS) {
    return std::string(text);
  }
  return simdjson::minify(value.element);
}

absl::string_view JsonFields::TypeName(const simdjson::dom::element& element) {
  switch (element.type()) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a bool";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

void JsonFields::Fail(const FieldPath& path, absl::string_view reason) {
  if (status_.ok()) status_ = base::FieldError(path.ToString(), reason);
}

void JsonFields::Missing(const FieldPath& path) {
  Fail(path, "required, but missing");
}

bool JsonFields::Expect(const JsonValue& value, element_type type,
                        absl::string_view expected) {
  if (value.element.type() == type) return true;
  Fail(value.path,
       absl::StrCat("must be ", expected, ", got ", TypeName(value.element)));
  return false;
}

JsonValue JsonFields::Member(const JsonValue& object, absl::string_view key,
                             Need need) {
  JsonValue member{simdjson::dom::element(), object.path.Key(key), false};
  if (!ok() || !object.present) {
    if (ok() && need == Need::kRequired) Missing(member.path);
    return member;
  }
  simdjson::dom::object members;
  if (object.element.get_object().get(members) != simdjson::SUCCESS) {
    Expect(object, element_type::OBJECT, "an object");
    return member;
  }
  const std::string_view name(key.data(), key.size());
  if (members.at_key(name).get(member.element) != simdjson::SUCCESS &&
      members.at_key_case_insensitive(name).get(member.element) !=
          simdjson::SUCCESS) {
    if (need == Need::kRequired) Missing(member.path);
    return member;
  }
  member.present = !member.element.is_null();
  if (!member.present && need == Need::kRequired) Missing(member.path);
  return member;
}

JsonValue JsonFields::Object(const JsonValue& parent, absl::string_view key,
                             Need need) {
  JsonValue value = Member(parent, key, need);
  if (value.present && !Expect(value, element_type::OBJECT, "an object")) {
    value.present = false;
  }
  return value;
}

JsonValue JsonFields::Array(const JsonValue& parent, absl::string_view key,
                            Need need) {
  JsonValue value = Member(parent, key, need);
  if (value.present && !Expect(value, element_type::ARRAY, "an array")) {
    value.present = false;
  }
  return value;
}

absl::string_view JsonFields::String(const JsonValue& parent,
                                     absl::string_view key, Need need) {
  return AsString(Member(parent, key, need), need);
}

std::optional<int64_t> JsonFields::Int(const JsonValue& parent,
                                       absl::string_view key, Need need) {
  const JsonValue value = Member(parent, key, need);
  if (!value.present) return std::nullopt;
  const simdjson::dom::element& e = value.element;
  int64_t result = 0;
  switch (e.type()) {
    case element_type::INT64:
      return e.get_int64().value_unsafe();
    case element_type::DOUBLE: {
      const double d = e.get_double().value_unsafe();
      if (std::trunc(d) == d && std::abs(d) < 9.2e18) {
        return static_cast<int64_t>(d);
      }
      break;
    }
    case element_type::STRING: {
      const std::string_view text = e.get_string().value_unsafe();
      if (model::ParseInt64Text(View(text), &result)) {
        return result;
      }
      Fail(value.path, absl::StrCat("must be a whole number, got ",
                                    model::QuoteText(View(text))));
      return std::nullopt;
    }
    case element_type::UINT64:
      break;
    default:
      Expect(value, element_type::INT64, "a whole number");
      return std::nullopt;
  }
  Fail(value.path, absl::StrCat("must be a whole number within 64 bits, got ",
                                NumberText(e)));
  return std::nullopt;
}

std::optional<double> JsonFields::Number(const JsonValue& parent,
                                         absl::string_view key, Need need) {
  return AsNumber(Member(parent, key, need), need);
}

std::optional<absl::Duration> JsonFields::Duration(const JsonValue& parent,
                                                   absl::string_view key,
                                                   absl::Duration unit,
                                                   Need need) {
  const JsonValue value = Member(parent, key, need);
  const std::optional<double> count = AsNumber(value, need);
  if (!count) return std::nullopt;
  if (*count < 0) {
    Fail(value.path, absl::StrCat("must not be negative, got ", *count));
    return std::nullopt;
  }
  return unit * *count;
}

std::optional<absl::Time> JsonFields::Time(const JsonValue& parent,
                                           absl::string_view key, Need need) {
  return AsTime(Member(parent, key, need), need);
}

absl::string_view JsonFields::AsString(const JsonValue& value, Need need) {
  if (!value.present) {
    if (need == Need::kRequired) Missing(value.path);
    return {};
  }
  std::string_view text;
  if (value.element.get_string().get(text) != simdjson::SUCCESS) {
    Expect(value, element_type::STRING, "a string");
    return {};
  }
  if (text.empty() && need == Need::kRequired) {
    Fail(value.path, "required, but empty");
  }
  return View(text);
}

std::optional<double> JsonFields::AsNumber(const JsonValue& value, Need need) {
  if (!value.present) {
    if (need == Need::kRequired) Missing(value.path);
    return std::nullopt;
  }
  const simdjson::dom::element& e = value.element;
  if (IsNumber(e.type())) return e.get_double().value_unsafe();
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    Expect(value, element_type::DOUBLE, "a number");
    return std::nullopt;
  }
  double result = 0;
  if (!model::ParseDoubleText(View(text), &result) || !std::isfinite(result)) {
    Fail(value.path,
         absl::StrCat("must be a number, got ", model::QuoteText(View(text))));
    return std::nullopt;
  }
  return result;
}

std::optional<absl::Time> JsonFields::AsTime(const JsonValue& value,
                                             Need need) {
  if (!value.present) {
    if (need == Need::kRequired) Missing(value.path);
    return std::nullopt;
  }
  const simdjson::dom::element& e = value.element;
  if (e.type() == element_type::INT64) {
    return FromEpochMillis(e.get_int64().value_unsafe());
  }
  std::string_view text;
  if (e.get_string().get(text) != simdjson::SUCCESS) {
    Fail(value.path, absl::StrCat("must be ", kTimeForm,
                                  " or epoch milliseconds, got ", TypeName(e)));
    return std::nullopt;
  }
  absl::Time time;
  if (!ParseSourceTime(View(text), zone_, &time)) {
    Fail(value.path, absl::StrCat("must be ", kTimeForm, ", got ",
                                  model::QuoteText(View(text))));
    return std::nullopt;
  }
  return time;
}

void CopyScalarMembers(JsonFields& fields, const JsonValue& object,
                       absl::string_view prefix, AttributeWriter& attributes,
                       bool (*keep)(absl::string_view key)) {
  std::string key;
  fields.ForEachMember(
      object, [&](absl::string_view name, const JsonValue& value) {
        if (!value.present || (keep != nullptr && !keep(name))) return;
        key.assign(prefix.data(), prefix.size());
        key.append(name.data(), name.size());
        switch (value.element.type()) {
          case simdjson::dom::element_type::STRING:
            attributes.String(key, fields.AsString(value));
            break;
          case simdjson::dom::element_type::BOOL:
            attributes.Bool(key, value.element.get_bool().value_unsafe());
            break;
          case simdjson::dom::element_type::ARRAY:
          case simdjson::dom::element_type::OBJECT:
            attributes.Drop();
            break;
          default:
            attributes.Number(key, *fields.AsNumber(value));
            break;
        }
      });
}

}  // namespace motive::ingest
