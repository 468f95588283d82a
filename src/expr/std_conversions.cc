// The standard conversions: int() uint() double() string() bytes() bool()
// dyn() type(). Conversions from and to timestamps and durations live in
// std_time.cc.
//
// Numbers convert with range checks (a double truncates toward zero and
// must fit), strings parse strictly (no spaces, base 10), and doubles
// print as CEL's reference implementation does (Go's shortest %g).

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "expr/functions.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {
namespace {

using Args = absl::Span<const Value>;

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

Value Identity(Args args, EvalContext&) { return args[0]; }

// ---------------------------------------------------------------------------
// Parsing.

// Go's strconv rules, which CEL's conformance suite follows: an optional
// sign (none for uint), then the number and nothing else.
bool ParseInt(absl::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return false;
  }
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool ParseUint(absl::string_view s, uint64_t* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

// Accepts decimal notation, "inf", "infinity" and "nan" in any case, with
// an optional sign. Too large is an error; too small rounds to zero or a
// subnormal, as in Go.
bool ParseDouble(absl::string_view s, double* out) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s[0] == '-') return false;
  }
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out);
  if (ptr != end) return false;
  if (ec == std::errc()) return true;
  if (ec != std::errc::result_out_of_range) return false;
  // from_chars reports underflow and overflow alike; strtod tells them
  // apart. Rare, so the copy for its terminating NUL is fine.
  std::string copy(s);
  double value = std::strtod(copy.c_str(), nullptr);
  if (std::isinf(value)) return false;
  *out = value;
  return true;
}

bool IsValidUtf8(absl::string_view s) {
  static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t code_point;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code_point = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code_point = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i < length) return false;
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = s[i + k];
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8.
    if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Formatting.

// Writes `d` as Go's strconv.FormatFloat(d, 'g', -1, 64) does, which is
// what CEL's string(double) gives: the shortest digits that read back as
// the same double, in %e form when the exponent is below -4 or at least 6
// (123.456, -0.0045, 1e+06, 1e-05, -0, NaN, +Inf). Returns the length;
// `out` holds at least 32 bytes.
size_t FormatDouble(double d, char* out) {
  char* p = out;
  if (std::isnan(d)) {
    std::memcpy(out, "NaN", 3);
    return 3;
  }
  if (std::isinf(d)) {
    std::memcpy(out, d > 0 ? "+Inf" : "-Inf", 4);
    return 4;
  }
  // Shortest round-trip digits in scientific form: "-1.2345e+02".
  char sci[32];
  char* sci_end =
      std::to_chars(sci, sci + sizeof(sci), d, std::chars_format::scientific)
          .ptr;
  const char* q = sci;
  bool negative = *q == '-';
  if (negative) ++q;
  char digits[20];
  int count = 0;
  for (; q < sci_end && *q != 'e'; ++q) {
    if (*q != '.') digits[count++] = *q;
  }
  int exponent = 0;
  std::from_chars(q + 1 + (q[1] == '+'), sci_end, exponent);

  if (negative) *p++ = '-';
  if (exponent < -4 || exponent >= 6) {
    *p++ = digits[0];
    if (count > 1) {
      *p++ = '.';
      for (int i = 1; i < count; ++i) *p++ = digits[i];
    }
    *p++ = 'e';
    *p++ = exponent < 0 ? '-' : '+';
    int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude >= 100) *p++ = static_cast<char>('0' + magnitude / 100);
    *p++ = static_cast<char>('0' + magnitude / 10 % 10);
    *p++ = static_cast<char>('0' + magnitude % 10);
    return p - out;
  }
  // Fixed notation: the decimal point sits after `point` digits.
  int point = exponent + 1;
  if (point > 0) {
    for (int i = 0; i < point; ++i) *p++ = i < count ? digits[i] : '0';
  } else {
    *p++ = '0';
  }
  if (count > point) {
    *p++ = '.';
    for (int i = point; i < count; ++i) *p++ = i < 0 ? '0' : digits[i];
  }
  return p - out;
}

// ---------------------------------------------------------------------------
// int()

Value UintToInt(Args args, EvalContext&) {
  uint64_t u = args[0].uint_value();
  if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Value::Error("range error: uint value does not fit in int");
  }
  return Value::Int(static_cast<int64_t>(u));
}

// Truncates toward zero. The bounds are exclusive at both ends, as in CEL:
// -2^63 is representable, but a double that rounds there may have come
// from below, so int(-9223372036854775808.0) is a range error.
Value DoubleToInt(Args args, EvalContext&) {
  double d = args[0].double_value();
  if (!(d > -kTwoTo63 && d < kTwoTo63)) {  // NaN fails too
    return Value::Error("range error: double value does not fit in int");
  }
  return Value::Int(static_cast<int64_t>(d));
}

Value StringToInt(Args args, EvalContext& context) {
  int64_t i;
  if (!ParseInt(args[0].text(), &i)) {
    return Value::ErrorIn(
        context.arena(),
        absl::StrCat("cannot convert string '", args[0].text(), "' to int"));
  }
  return Value::Int(i);
}

// ---------------------------------------------------------------------------
// uint()

Value IntToUint(Args args, EvalContext&) {
  int64_t i = args[0].int_value();
  if (i < 0) {
    return Value::Error("range error: negative int does not fit in uint");
  }
  return Value::Uint(static_cast<uint64_t>(i));
}

Value DoubleToUint(Args args, EvalContext&) {
  double d = args[0].double_value();
  if (!(d >= 0 && d < kTwoTo64)) {  // NaN fails too
    return Value::Error("range error: double value does not fit in uint");
  }
  return Value::Uint(static_cast<uint64_t>(d));
}

Value StringToUint(Args args, EvalContext& context) {
  uint64_t u;
  if (!ParseUint(args[0].text(), &u)) {
    return Value::ErrorIn(
        context.arena(),
        absl::StrCat("cannot convert string '", args[0].text(), "' to uint"));
  }
  return Value::Uint(u);
}

// ---------------------------------------------------------------------------
// double()

Value IntToDouble(Args args, EvalContext&) {
  return Value::Double(static_cast<double>(args[0].int_value()));
}

Value UintToDouble(Args args, EvalContext&) {
  return Value::Double(static_cast<double>(args[0].uint_value()));
}

Value StringToDouble(Args args, EvalContext& context) {
  double d;
  if (!ParseDouble(args[0].text(), &d)) {
    return Value::ErrorIn(
        context.arena(),
        absl::StrCat("cannot convert string '", args[0].text(), "' to double"));
  }
  return Value::Double(d);
}

// ---------------------------------------------------------------------------
// string()

Value IntToString(Args args, EvalContext& context) {
  char buffer[24];
  char* end =
      std::to_chars(buffer, buffer + sizeof(buffer), args[0].int_value()).ptr;
  return context.CopyString(absl::string_view(buffer, end - buffer));
}

Value UintToString(Args args, EvalContext& context) {
  char buffer[24];
  char* end =
      std::to_chars(buffer, buffer + sizeof(buffer), args[0].uint_value()).ptr;
  return context.CopyString(absl::string_view(buffer, end - buffer));
}

Value DoubleToString(Args args, EvalContext& context) {
  char buffer[32];
  size_t size = FormatDouble(args[0].double_value(), buffer);
  return context.CopyString(absl::string_view(buffer, size));
}

Value BoolToString(Args args, EvalContext&) {
  return Value::String(args[0].bool_value() ? "true" : "false");
}

// Shares the bytes' storage: nothing to copy once they are valid UTF-8.
Value BytesToString(Args args, EvalContext&) {
  if (!IsValidUtf8(args[0].text())) {
    return Value::Error("invalid UTF-8 in bytes converted to string");
  }
  return Value::String(args[0].text());
}

// ---------------------------------------------------------------------------
// bytes(), bool(), type()

Value StringToBytes(Args args, EvalContext&) {
  return Value::Bytes(args[0].text());
}

// Exactly the spellings Go's strconv.ParseBool takes.
Value StringToBool(Args args, EvalContext& context) {
  absl::string_view s = args[0].text();
  if (s == "true" || s == "True" || s == "TRUE" || s == "t" || s == "T" ||
      s == "1") {
    return Value::Bool(true);
  }
  if (s == "false" || s == "False" || s == "FALSE" || s == "f" || s == "F" ||
      s == "0") {
    return Value::Bool(false);
  }
  return Value::ErrorIn(context.arena(),
                        absl::StrCat("type conversion error: cannot convert "
                                     "string '",
                                     s, "' to bool"));
}

Value TypeOfValue(Args args, EvalContext&) {
  return Value::Type(KindName(args[0].kind()));
}

}  // namespace

void AddConversions(FunctionRegistry& registry) {
  const Type a = Type::Param("A");
  const Type i = Type::Int(), u = Type::Uint(), d = Type::Double();
  const Type s = Type::String(), y = Type::Bytes(), t = Type::Bool();

  AddBuiltin(registry, "int", "int64_to_int64", {i}, i, &Identity);
  AddBuiltin(registry, "int", "uint64_to_int64", {u}, i, &UintToInt);
  AddBuiltin(registry, "int", "double_to_int64", {d}, i, &DoubleToInt);
  AddBuiltin(registry, "int", "string_to_int64", {s}, i, &StringToInt);

  AddBuiltin(registry, "uint", "uint64_to_uint64", {u}, u, &Identity);
  AddBuiltin(registry, "uint", "int64_to_uint64", {i}, u, &IntToUint);
  AddBuiltin(registry, "uint", "double_to_uint64", {d}, u, &DoubleToUint);
  AddBuiltin(registry, "uint", "string_to_uint64", {s}, u, &StringToUint);

  AddBuiltin(registry, "double", "double_to_double", {d}, d, &Identity);
  AddBuiltin(registry, "double", "int64_to_double", {i}, d, &IntToDouble);
  AddBuiltin(registry, "double", "uint64_to_double", {u}, d, &UintToDouble);
  AddBuiltin(registry, "double", "string_to_double", {s}, d, &StringToDouble);

  AddBuiltin(registry, "string", "string_to_string", {s}, s, &Identity);
  AddBuiltin(registry, "string", "int64_to_string", {i}, s, &IntToString);
  AddBuiltin(registry, "string", "uint64_to_string", {u}, s, &UintToString);
  AddBuiltin(registry, "string", "double_to_string", {d}, s, &DoubleToString);
  AddBuiltin(registry, "string", "bool_to_string", {t}, s, &BoolToString);
  AddBuiltin(registry, "string", "bytes_to_string", {y}, s, &BytesToString);

  AddBuiltin(registry, "bytes", "bytes_to_bytes", {y}, y, &Identity);
  AddBuiltin(registry, "bytes", "string_to_bytes", {s}, y, &StringToBytes);

  AddBuiltin(registry, "bool", "bool_to_bool", {t}, t, &Identity);
  AddBuiltin(registry, "bool", "string_to_bool", {s}, t, &StringToBool);

  AddBuiltin(registry, "dyn", "to_dyn", {a}, Type::Dyn(), &Identity);
  AddBuiltin(registry, "type", "type", {a}, Type::TypeOf(a), &TypeOfValue);
}

}  // namespace motive::expr
