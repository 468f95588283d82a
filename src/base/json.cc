#include "base/json.h"

#include <cmath>
#include <system_error>

#include "absl/strings/charconv.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errors.h"

namespace motive::base {
namespace {

// What a string byte is to the scanner. Plain bytes (printable ASCII but '"'
// and '\\') are the common case and need no work.
enum ByteClass : uint8_t { kPlain, kQuote, kBackslash, kControl, kHigh };

constexpr auto kByteClasses = [] {
  struct Table {
    ByteClass of[256];
  } table{};
  for (int c = 0; c < 256; ++c) {
    table.of[c] = c < 0x20    ? kControl
                  : c == '"'  ? kQuote
                  : c == '\\' ? kBackslash
                  : c < 0x80  ? kPlain
                              : kHigh;
  }
  return table;
}();

inline ByteClass ClassOf(char c) {
  return kByteClasses.of[static_cast<unsigned char>(c)];
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0.
size_t Utf8SequenceLength(const char* p, const char* end) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(p[i]); };
  const auto continuation = [&](size_t i, unsigned char low = 0x80,
                                unsigned char high = 0xbf) {
    return p + i < end && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const unsigned char low = lead == 0xe0 ? 0xa0 : 0x80;
    const unsigned char high = lead == 0xed ? 0x9f : 0xbf;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const unsigned char low = lead == 0xf0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xf4 ? 0x8f : 0xbf;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4
                                                                            : 0;
  }
  return 0;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3f)));
  }
}

// The four hex digits at `p` (at least four bytes before `end`), or -1.
int32_t Hex4(const char* p) {
  int32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = p[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

// 2^63, the first double past the int64 range.
constexpr double kTwoTo63 = 9223372036854775808.0;

}  // namespace

bool JsonNumberToDouble(const JsonNumber& number, double* value) {
  int64_t integer;
  if (number.integer && absl::SimpleAtoi(number.text, &integer)) {
    *value = static_cast<double>(integer);
    return true;
  }
  const char* begin = number.text.data();
  const char* end = begin + number.text.size();
  double parsed = 0;
  absl::from_chars_result result = absl::from_chars(begin, end, parsed);
  if (result.ptr != end) return false;  // not from a JsonReader
  // Out of range is an overflow when the magnitude is large (from_chars then
  // gives the largest double), an underflow to zero otherwise.
  if (result.ec == std::errc::result_out_of_range && std::fabs(parsed) > 1) {
    return false;
  }
  if (result.ec != std::errc() && result.ec != std::errc::result_out_of_range) {
    return false;
  }
  *value = parsed;
  return true;
}

bool JsonNumberToInt64(const JsonNumber& number, int64_t* value) {
  if (number.integer && absl::SimpleAtoi(number.text, value)) return true;
  double parsed;
  if (!JsonNumberToDouble(number, &parsed)) return false;
  if (parsed != std::trunc(parsed) || parsed < -kTwoTo63 ||
      parsed >= kTwoTo63) {
    return false;
  }
  *value = static_cast<int64_t>(parsed);
  return true;
}

absl::Status JsonReader::ErrorAt(size_t pos, absl::string_view what) const {
  return ParseError("", absl::StrCat("invalid JSON at byte ", pos, ": ", what));
}

absl::Status JsonReader::Unexpected(size_t pos,
                                    absl::string_view expected) const {
  std::string got;
  if (pos >= input_.size()) {
    got = "the end of the input";
  } else {
    const char c = input_[pos];
    if (c > 0x20 && c < 0x7f) {
      got = absl::StrFormat("'%c'", c);
    } else {
      got = absl::StrFormat("byte 0x%02x", static_cast<unsigned char>(c));
    }
  }
  return ErrorAt(pos, absl::StrCat("expected ", expected, ", got ", got));
}

void JsonReader::SkipWhitespace() {
  while (pos_ < input_.size()) {
    const char c = input_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
    ++pos_;
  }
}

absl::StatusOr<JsonReader::Type> JsonReader::Peek() {
  SkipWhitespace();
  if (pos_ < input_.size()) {
    switch (input_[pos_]) {
      case '{':
        return Type::kObject;
      case '[':
        return Type::kArray;
      case '"':
        return Type::kString;
      case 't':
        return Type::kTrue;
      case 'f':
        return Type::kFalse;
      case 'n':
        return Type::kNull;
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        return Type::kNumber;
      default:
        break;
    }
  }
  return Unexpected(pos_, "a value");
}

absl::Status JsonReader::Open(char bracket) {
  SkipWhitespace();
  if (pos_ >= input_.size() || input_[pos_] != bracket) {
    return Unexpected(pos_, bracket == '{' ? "'{'" : "'['");
  }
  if (depth_ == kMaxDepth) {
    return ErrorAt(pos_, absl::StrCat("objects and arrays nest deeper than ",
                                      kMaxDepth, " levels"));
  }
  ++depth_;
  ++pos_;
  first_ = true;
  return absl::OkStatus();
}

absl::Status JsonReader::BeginObject() { return Open('{'); }

absl::StatusOr<bool> JsonReader::NextMember(absl::string_view* key) {
  SkipWhitespace();
  if (pos_ < input_.size() && input_[pos_] == '}') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (pos_ >= input_.size() || input_[pos_] != ',') {
      return Unexpected(pos_, "',' or '}' after an object member");
    }
    ++pos_;
    SkipWhitespace();
  }
  if (pos_ >= input_.size() || input_[pos_] != '"') {
    return Unexpected(pos_, first_ ? "a string key or '}'" : "a string key");
  }
  if (absl::Status s = ScanString(&key_buffer_, key); !s.ok()) return s;
  SkipWhitespace();
  if (pos_ >= input_.size() || input_[pos_] != ':') {
    return Unexpected(pos_, "':' after an object key");
  }
  ++pos_;
  first_ = false;
  return true;
}

absl::Status JsonReader::BeginArray() { return Open('['); }

absl::StatusOr<bool> JsonReader::NextElement() {
  SkipWhitespace();
  if (pos_ < input_.size() && input_[pos_] == ']') {
    ++pos_;
    --depth_;
    first_ = false;
    return false;
  }
  if (!first_) {
    if (pos_ >= input_.size() || input_[pos_] != ',') {
      return Unexpected(pos_, "',' or ']' after an array element");
    }
    ++pos_;
    SkipWhitespace();
    // "[1,]": the ',' promised an element.
    if (pos_ < input_.size() && input_[pos_] == ']') {
      return Unexpected(pos_, "a value after ','");
    }
  }
  first_ = false;
  return true;
}

absl::Status JsonReader::ReadString(absl::string_view* value) {
  SkipWhitespace();
  if (pos_ >= input_.size() || input_[pos_] != '"') {
    return Unexpected(pos_, "a string");
  }
  return ScanString(&value_buffer_, value);
}

absl::Status JsonReader::ScanString(std::string* buffer,
                                    absl::string_view* value) {
  const char* const begin = input_.data();
  const char* const end = begin + input_.size();
  const char* const start = begin + pos_ + 1;  // after the opening quote
  const char* p = start;
  // The unescaped text so far is [start, p) until the first escape; from
  // then on it is `buffer`, and [run, p) is a stretch still to append.
  bool escaped = false;
  const char* run = start;
  while (true) {
    if (p == end) {
      return ErrorAt(pos_, "the string starting here is not terminated");
    }
    switch (ClassOf(*p)) {
      case kPlain:
        ++p;
        continue;
      case kQuote:
        if (escaped) {
          buffer->append(run, p);
          *value = *buffer;
        } else {
          *value = absl::string_view(start, static_cast<size_t>(p - start));
        }
        pos_ = static_cast<size_t>(p + 1 - begin);
        return absl::OkStatus();
      case kControl:
        return ErrorAt(static_cast<size_t>(p - begin),
                       absl::StrFormat("control character 0x%02x in a string "
                                       "must be escaped",
                                       static_cast<unsigned char>(*p)));
      case kHigh: {
        const size_t n = Utf8SequenceLength(p, end);
        if (n == 0) {
          return ErrorAt(static_cast<size_t>(p - begin),
                         "a string holds bytes that are not valid UTF-8");
        }
        p += n;
        continue;
      }
      case kBackslash:
        break;
    }
    // An escape.
    if (!escaped) {
      escaped = true;
      buffer->assign(start, p);
    } else {
      buffer->append(run, p);
    }
    const size_t escape_pos = static_cast<size_t>(p - begin);
    if (end - p < 2) {
      return ErrorAt(pos_, "the string starting here is not terminated");
    }
    char simple = 0;
    switch (p[1]) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return ErrorAt(escape_pos,
                       "invalid escape; expected one of \\\" \\\\ \\/ \\b \\f "
                       "\\n \\r \\t \\uXXXX");
    }
    if (simple != 0) {
      buffer->push_back(simple);
      p += 2;
      run = p;
      continue;
    }
    const int32_t unit = end - p >= 6 ? Hex4(p + 2) : -1;
    if (unit < 0) {
      return ErrorAt(escape_pos, "\\u must be followed by four hex digits");
    }
    p += 6;
    uint32_t code_point = static_cast<uint32_t>(unit);
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      return ErrorAt(escape_pos,
                     "\\u escape is a low surrogate without a high one");
    }
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const int32_t low =
          end - p >= 6 && p[0] == '\\' && p[1] == 'u' ? Hex4(p + 2) : -1;
      if (low < 0xdc00 || low > 0xdfff) {
        return ErrorAt(escape_pos,
                       "\\u escape is a high surrogate not followed by a "
                       "\\u escape of a low one");
      }
      p += 6;
      code_point = 0x10000 + ((static_cast<uint32_t>(unit) - 0xd800) << 10) +
                   (static_cast<uint32_t>(low) - 0xdc00);
    }
    AppendUtf8(code_point, buffer);
    run = p;
  }
}

absl::Status JsonReader::ReadNumber(JsonNumber* number) {
  SkipWhitespace();
  const size_t start = pos_;
  const size_t size = input_.size();
  size_t p = pos_;
  if (p < size && input_[p] == '-') ++p;
  if (p >= size || !IsDigit(input_[p])) {
    return Unexpected(p, start == p ? "a number" : "a digit after '-'");
  }
  if (input_[p] == '0') {
    ++p;
    if (p < size && IsDigit(input_[p])) {
      return ErrorAt(start, "numbers must not have leading zeros");
    }
  } else {
    while (p < size && IsDigit(input_[p])) ++p;
  }
  bool integer = true;
  if (p < size && input_[p] == '.') {
    integer = false;
    ++p;
    if (p >= size || !IsDigit(input_[p])) {
      return Unexpected(p, "a digit after the decimal point");
    }
    while (p < size && IsDigit(input_[p])) ++p;
  }
  if (p < size && (input_[p] == 'e' || input_[p] == 'E')) {
    integer = false;
    ++p;
    if (p < size && (input_[p] == '+' || input_[p] == '-')) ++p;
    if (p >= size || !IsDigit(input_[p])) {
      return Unexpected(p, "a digit in the exponent");
    }
    while (p < size && IsDigit(input_[p])) ++p;
  }
  number->text = input_.substr(start, p - start);
  number->integer = integer;
  pos_ = p;
  return absl::OkStatus();
}

absl::Status JsonReader::Literal(absl::string_view word) {
  if (input_.substr(pos_, word.size()) != word) {
    return ErrorAt(pos_, absl::StrCat("invalid literal; expected ", word));
  }
  pos_ += word.size();
  return absl::OkStatus();
}

absl::Status JsonReader::ReadBool(bool* value) {
  SkipWhitespace();
  if (pos_ < input_.size() && input_[pos_] == 't') {
    *value = true;
    return Literal("true");
  }
  if (pos_ < input_.size() && input_[pos_] == 'f') {
    *value = false;
    return Literal("false");
  }
  return Unexpected(pos_, "true or false");
}

absl::Status JsonReader::ReadNull() {
  SkipWhitespace();
  if (pos_ < input_.size() && input_[pos_] == 'n') return Literal("null");
  return Unexpected(pos_, "null");
}

absl::Status JsonReader::Skip() {
  absl::StatusOr<Type> type = Peek();
  if (!type.ok()) return type.status();
  switch (*type) {
    case Type::kObject: {
      if (absl::Status s = BeginObject(); !s.ok()) return s;
      absl::string_view key;
      while (true) {
        absl::StatusOr<bool> more = NextMember(&key);
        if (!more.ok()) return more.status();
        if (!*more) return absl::OkStatus();
        if (absl::Status s = Skip(); !s.ok()) return s;
      }
    }
    case Type::kArray: {
      if (absl::Status s = BeginArray(); !s.ok()) return s;
      while (true) {
        absl::StatusOr<bool> more = NextElement();
        if (!more.ok()) return more.status();
        if (!*more) return absl::OkStatus();
        if (absl::Status s = Skip(); !s.ok()) return s;
      }
    }
    case Type::kString: {
      absl::string_view ignored;
      return ReadString(&ignored);
    }
    case Type::kNumber: {
      JsonNumber ignored;
      return ReadNumber(&ignored);
    }
    case Type::kTrue:
    case Type::kFalse: {
      bool ignored;
      return ReadBool(&ignored);
    }
    case Type::kNull:
      return ReadNull();
  }
  return absl::InternalError("unreachable JSON type");
}

absl::Status JsonReader::Finish() {
  SkipWhitespace();
  if (pos_ < input_.size()) {
    return Unexpected(pos_, "the end of the input after the JSON value");
  }
  return absl::OkStatus();
}

}  // namespace motive::base
