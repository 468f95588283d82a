#include "model/field_text.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <system_error>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/charconv.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "motive/v1/event.pb.h"

namespace motive::model {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

// Long enough to recognise a value, short enough for one line of a report.
constexpr size_t kMaxQuotedBytes = 64;

// absl::SimpleAtoi skips surrounding whitespace; the text forms have none.
bool Padded(absl::string_view text) {
  return text.empty() || absl::ascii_isspace(text.front()) ||
         absl::ascii_isspace(text.back());
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exact value names of one enum type, looked up without building a string.
struct EnumIndex {
  absl::flat_hash_map<std::string, int> numbers;
  size_t longest_name = 0;
};

// Indexes of the enums of motive.v1 (event.proto), built once. Other enums
// are looked up through their descriptors.
const EnumIndex* IndexOf(const EnumDescriptor* type) {
  using Indexes = absl::flat_hash_map<const EnumDescriptor*, EnumIndex>;
  static const Indexes* const kIndexes = [] {
    auto* indexes = new Indexes;
    const google::protobuf::FileDescriptor* file =
        v1::Event::descriptor()->file();
    for (int i = 0; i < file->enum_type_count(); ++i) {
      const EnumDescriptor* e = file->enum_type(i);
      EnumIndex& index = (*indexes)[e];
      for (int j = 0; j < e->value_count(); ++j) {
        index.numbers.emplace(e->value(j)->name(), e->value(j)->number());
        index.longest_name =
            std::max(index.longest_name, e->value(j)->name().size());
      }
    }
    return indexes;
  }();
  auto it = kIndexes->find(type);
  return it == kIndexes->end() ? nullptr : &it->second;
}

bool FindEnumName(const EnumDescriptor* type, absl::string_view name,
                  int* number) {
  if (const EnumIndex* index = IndexOf(type)) {
    auto it = index->numbers.find(name);
    if (it == index->numbers.end()) return false;
    *number = it->second;
    return true;
  }
  const google::protobuf::EnumValueDescriptor* value =
      type->FindValueByName(std::string(name));
  if (value == nullptr) return false;
  *number = value->number();
  return true;
}

// Reads `n` digits of `text` from `pos`.
bool Digits(absl::string_view text, size_t pos, size_t n, int* value) {
  if (pos + n > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(text[i])) return false;
    v = v * 10 + (text[i] - '0');
  }
  *value = v;
  return true;
}

}  // namespace

bool IsTextField(const FieldDescriptor* field) {
  if (field == nullptr || field->is_repeated()) return false;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_ENUM:
    case FieldDescriptor::CPPTYPE_BOOL:
      return true;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return field->message_type() == google::protobuf::Timestamp::descriptor();
    default:
      return false;
  }
}

bool ParseInt32Text(absl::string_view text, int32_t* value) {
  return !Padded(text) && absl::SimpleAtoi(text, value);
}

bool ParseInt64Text(absl::string_view text, int64_t* value) {
  return !Padded(text) && absl::SimpleAtoi(text, value);
}

bool ParseDoubleText(absl::string_view text, double* value) {
  if (text == "NaN") {
    *value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text == "Infinity" || text == "-Infinity") {
    *value = text[0] == '-' ? -std::numeric_limits<double>::infinity()
                            : std::numeric_limits<double>::infinity();
    return true;
  }
  // The grammar first: from_chars alone would take "inf", "nan" and hex.
  absl::string_view number = text;
  // from_chars takes no '+'.
  const bool plus = !number.empty() && number[0] == '+';
  if (plus) number.remove_prefix(1);
  size_t i = !plus && !number.empty() && number[0] == '-' ? 1 : 0;
  size_t digits = 0;
  while (i < number.size() && IsDigit(number[i])) ++i, ++digits;
  if (i < number.size() && number[i] == '.') {
    ++i;
    while (i < number.size() && IsDigit(number[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    if (i < number.size() && (number[i] == '+' || number[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < number.size() && IsDigit(number[i])) ++i, ++exponent_digits;
    if (exponent_digits == 0) return false;
  }
  if (i != number.size()) return false;
  const char* end = number.data() + number.size();
  double parsed = 0;
  absl::from_chars_result result = absl::from_chars(number.data(), end, parsed);
  if (result.ptr != end) return false;
  // Out of range: an overflow gives the largest double, an underflow zero.
  if (result.ec == std::errc::result_out_of_range && std::fabs(parsed) > 1) {
    return false;
  }
  if (result.ec != std::errc() && result.ec != std::errc::result_out_of_range) {
    return false;
  }
  *value = parsed;
  return true;
}

bool ParseBoolText(absl::string_view text, bool* value) {
  // protobuf's safe_strtob, which its JSON parser applies to strings.
  static constexpr absl::string_view kTrue[] = {"true", "t", "yes", "y", "1"};
  static constexpr absl::string_view kFalse[] = {"false", "f", "no", "n", "0"};
  for (absl::string_view word : kTrue) {
    if (absl::EqualsIgnoreCase(text, word)) {
      *value = true;
      return true;
    }
  }
  for (absl::string_view word : kFalse) {
    if (absl::EqualsIgnoreCase(text, word)) {
      *value = false;
      return true;
    }
  }
  return false;
}

bool ParseEnumText(const EnumDescriptor* type, absl::string_view text,
                   int* number) {
  if (FindEnumName(type, text, number)) return true;
  int32_t value;
  if (ParseInt32Text(text, &value)) {
    if (type->FindValueByNumber(value) == nullptr) return false;
    *number = value;
    return true;
  }
  // Names are at most a few dozen bytes: normalise on the stack.
  char normal[128];
  if (text.size() > sizeof(normal)) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    normal[i] = text[i] == '-' ? '_' : absl::ascii_toupper(text[i]);
  }
  return FindEnumName(type, absl::string_view(normal, text.size()), number);
}

bool ParseTimestampText(absl::string_view text,
                        google::protobuf::Timestamp* value) {
  // 2024-05-01T10:00:00[.fraction](Z|+hh:mm|-hh:mm)
  int year, month, day, hour, minute, second;
  if (text.size() < 20 || !Digits(text, 0, 4, &year) || text[4] != '-' ||
      !Digits(text, 5, 2, &month) || text[7] != '-' ||
      !Digits(text, 8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
      !Digits(text, 11, 2, &hour) || text[13] != ':' ||
      !Digits(text, 14, 2, &minute) || text[16] != ':' ||
      !Digits(text, 17, 2, &second)) {
    return false;
  }
  size_t pos = 19;
  int32_t nanos = 0;
  if (text[pos] == '.') {
    ++pos;
    const size_t start = pos;
    int32_t scale = 100000000;
    while (pos < text.size() && IsDigit(text[pos])) {
      nanos += (text[pos] - '0') * scale;
      scale /= 10;  // 0 past nanoseconds: further digits are dropped
      ++pos;
    }
    if (pos == start) return false;
  }
  if (pos >= text.size()) return false;
  int offset_seconds = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int offset_hours, offset_minutes;
    if (!Digits(text, pos + 1, 2, &offset_hours) || pos + 3 >= text.size() ||
        text[pos + 3] != ':' || !Digits(text, pos + 4, 2, &offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return false;
    }
    offset_seconds = (offset_hours * 60 + offset_minutes) * 60;
    if (text[pos] == '-') offset_seconds = -offset_seconds;
    pos += 6;
  } else {
    return false;
  }
  if (pos != text.size()) return false;
  // CivilSecond normalises out-of-range fields (February 30th becomes March
  // 2nd): a value that comes back changed was not a real time.
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (year < 1 || civil.year() != year || civil.month() != month ||
      civil.day() != day || civil.hour() != hour || civil.minute() != minute ||
      civil.second() != second) {
    return false;
  }
  value->set_seconds((civil - absl::CivilSecond(1970)) - offset_seconds);
  value->set_nanos(nanos);
  return true;
}

bool SetFieldFromText(const FieldDescriptor* field, absl::string_view text,
                      google::protobuf::Message* message) {
  if (!IsTextField(field)) return false;
  const google::protobuf::Reflection* reflection = message->GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      reflection->SetString(message, field, std::string(text));
      return true;
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t value;
      if (!ParseInt32Text(text, &value)) return false;
      reflection->SetInt32(message, field, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t value;
      if (!ParseInt64Text(text, &value)) return false;
      reflection->SetInt64(message, field, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double value;
      if (!ParseDoubleText(text, &value)) return false;
      reflection->SetDouble(message, field, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      int value;
      if (!ParseEnumText(field->enum_type(), text, &value)) return false;
      reflection->SetEnumValue(message, field, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool value;
      if (!ParseBoolText(text, &value)) return false;
      reflection->SetBool(message, field, value);
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {  // a Timestamp
      google::protobuf::Timestamp timestamp;
      if (!ParseTimestampText(text, &timestamp)) return false;
      google::protobuf::Message* target =
          reflection->MutableMessage(message, field);
      if (auto* generated = google::protobuf::DynamicCastToGenerated<
              google::protobuf::Timestamp>(target)) {
        *generated = timestamp;
      } else {
        target->CopyFrom(timestamp);
      }
      return true;
    }
    default:
      return false;
  }
}

std::string ExpectedForm(const FieldDescriptor* field) {
  if (field->is_map()) return "an object";
  if (field->is_repeated()) return "an array";
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return "a string";
    case FieldDescriptor::CPPTYPE_INT32:
      return "a whole number between -2147483648 and 2147483647";
    case FieldDescriptor::CPPTYPE_INT64:
      return "a whole number";
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return "a number";
    case FieldDescriptor::CPPTYPE_ENUM:
      return absl::StrCat("one of ", EnumValueNames(field->enum_type()));
    case FieldDescriptor::CPPTYPE_BOOL:
      return "true or false";
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field->message_type() == google::protobuf::Timestamp::descriptor()) {
        return "an RFC 3339 timestamp like 2024-05-01T10:00:00Z";
      }
      return absl::StrCat("a ", field->message_type()->full_name());
    default:
      return absl::StrCat("a ", field->type_name());
  }
}

std::string TextValueError(const FieldDescriptor* field,
                           absl::string_view text) {
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
    return absl::StrCat("unknown value ", QuoteText(text), "; expected one of ",
                        EnumValueNames(field->enum_type()));
  }
  return absl::StrCat("must be ", ExpectedForm(field), ", got ",
                      QuoteText(text));
}

std::string EnumValueNames(const EnumDescriptor* type) {
  std::string names;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() == 0) continue;
    if (!names.empty()) names.append(", ");
    names.append(absl::AsciiStrToLower(type->value(i)->name()));
  }
  return names;
}

std::string QuoteText(absl::string_view text) {
  bool cut = text.size() > kMaxQuotedBytes;
  if (cut) {
    size_t end = kMaxQuotedBytes;
    // Back off to a character boundary rather than split a UTF-8 sequence.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    text = text.substr(0, end);
  }
  return absl::StrCat("\"", absl::Utf8SafeCHexEscape(text),
                      cut ? "...\"" : "\"");
}

}  // namespace motive::model
