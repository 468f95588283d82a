// CEL's math extension: math.greatest and math.least over numbers of any
// kind, rounding, abs and sign, the floating-point classifiers, bitwise
// operations and sqrt.
//
// The functions are globals with qualified names ("math.greatest"): the
// checker and the planner turn a call math.greatest(...), whose target is
// the namespace `math` rather than a variable, into a call of that name.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/types/span.h"
#include "expr/functions.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {
namespace {

// --- registration ------------------------------------------------------------

// The kind's name as overload ids spell it: "int", "uint", "double".
std::string IdPart(const Type& type) {
  switch (type.kind()) {
    case Type::Kind::kInt:
      return "int";
    case Type::Kind::kUint:
      return "uint";
    case Type::Kind::kDouble:
      return "double";
    case Type::Kind::kList:
      return "list_" + IdPart(type.element());
    default:
      return "dyn";
  }
}

std::string OverloadId(absl::string_view function,
                       const std::vector<Type>& params) {
  std::string id = absl::StrCat("math_", function);
  for (const Type& param : params) absl::StrAppend(&id, "_", IdPart(param));
  return id;
}

// --- ordering numbers of different kinds -------------------------------------

bool IsNumber(const Value& v) {
  return v.kind() == ValueKind::kInt || v.kind() == ValueKind::kUint ||
         v.kind() == ValueKind::kDouble;
}

int Sign(bool less, bool greater) { return less ? -1 : greater ? 1 : 0; }

// Exact: a double is compared with the integer's value, not with the
// integer rounded to a double (2^53 + 1 > 2^53 as a double).
int CompareDoubleInt(double d, int64_t i) {
  if (d < -0x1p63) return -1;
  if (d >= 0x1p63) return 1;
  const int64_t whole = static_cast<int64_t>(d);  // toward zero, in range
  if (whole != i) return Sign(whole<i, whole> i);
  const double fraction = d - static_cast<double>(whole);  // exact
  return Sign(fraction<0, fraction> 0);
}

int CompareDoubleUint(double d, uint64_t u) {
  if (d < 0) return -1;
  if (d >= 0x1p64) return 1;
  const uint64_t whole = static_cast<uint64_t>(d);
  if (whole != u) return Sign(whole<u, whole> u);
  return Sign(false, d > static_cast<double>(whole));
}

int CompareIntUint(int64_t i, uint64_t u) {
  if (i < 0) return -1;
  const uint64_t a = static_cast<uint64_t>(i);
  return Sign(a<u, a> u);
}

// Both are numbers, neither NaN.
int CompareNumbers(const Value& a, const Value& b) {
  switch (a.kind()) {
    case ValueKind::kInt:
      switch (b.kind()) {
        case ValueKind::kInt:
          return Sign(a.int_value() < b.int_value(),
                      a.int_value() > b.int_value());
        case ValueKind::kUint:
          return CompareIntUint(a.int_value(), b.uint_value());
        default:
          return -CompareDoubleInt(b.double_value(), a.int_value());
      }
    case ValueKind::kUint:
      switch (b.kind()) {
        case ValueKind::kInt:
          return -CompareIntUint(b.int_value(), a.uint_value());
        case ValueKind::kUint:
          return Sign(a.uint_value() < b.uint_value(),
                      a.uint_value() > b.uint_value());
        default:
          return -CompareDoubleUint(b.double_value(), a.uint_value());
      }
    default:
      switch (b.kind()) {
        case ValueKind::kInt:
          return CompareDoubleInt(a.double_value(), b.int_value());
        case ValueKind::kUint:
          return CompareDoubleUint(a.double_value(), b.uint_value());
        default:
          return Sign(a.double_value() < b.double_value(),
                      a.double_value() > b.double_value());
      }
  }
}

// --- greatest and least ------------------------------------------------------

// The greatest (or least) of `values`, keeping its kind; the first of
// equal ones. `args` and `name` are for the error when one isn't a number.
template <bool kGreatest>
Value Extreme(absl::Span<const Value> values, absl::string_view name,
              absl::Span<const Value> args, EvalContext& context) {
  const Value* best = nullptr;
  for (const Value& v : values) {
    if (!IsNumber(v)) return NoMatchingOverload(name, args, context);
    if (v.kind() == ValueKind::kDouble && std::isnan(v.double_value())) {
      return Value::Error("NaN values cannot be ordered");
    }
    if (best == nullptr) {
      best = &v;
      continue;
    }
    const int order = CompareNumbers(v, *best);
    if (kGreatest ? order > 0 : order < 0) best = &v;
  }
  return *best;
}

template <bool kGreatest>
constexpr absl::string_view ExtremeName() {
  return kGreatest ? "math.greatest" : "math.least";
}

template <bool kGreatest>
Value ExtremeOfArgs(absl::Span<const Value> args, EvalContext& context) {
  return Extreme<kGreatest>(args, ExtremeName<kGreatest>(), args, context);
}

template <bool kGreatest>
Value ExtremeOfList(absl::Span<const Value> args, EvalContext& context) {
  const absl::Span<const Value> list = args[0].list();
  if (list.empty()) {
    return Value::Error(kGreatest ? "math.greatest() of an empty list"
                                  : "math.least() of an empty list");
  }
  return Extreme<kGreatest>(list, ExtremeName<kGreatest>(), args, context);
}

// The most arguments math.greatest(a, b, ...) takes; more go in a list.
constexpr int kMaxExtremeArity = 8;

// Signatures for the checker: each numeric kind alone and in lists, every
// pair of kinds (the result is dyn when they differ), and from three
// arguments on, one kind throughout or dyn (3^8 combinations would be too
// many; dyn defers the check of mixed calls to run time).
template <bool kGreatest>
void AddExtreme(FunctionRegistry& registry, absl::string_view function) {
  const absl::string_view name = ExtremeName<kGreatest>();
  const Type numbers[] = {Type::Int(), Type::Uint(), Type::Double()};
  auto add = [&](std::vector<Type> params, Type result, FunctionImpl impl) {
    std::string id = OverloadId(function, params);
    AddBuiltin(registry, name, std::move(id), std::move(params),
               std::move(result), impl);
  };
  for (const Type& type : numbers) {
    add({type}, type, &ExtremeOfArgs<kGreatest>);
  }
  for (const Type& type : numbers) {
    add({Type::List(type)}, type, &ExtremeOfList<kGreatest>);
  }
  add({Type::List(Type::Dyn())}, Type::Dyn(), &ExtremeOfList<kGreatest>);
  for (const Type& a : numbers) {
    for (const Type& b : numbers) {
      add({a, b}, a == b ? a : Type::Dyn(), &ExtremeOfArgs<kGreatest>);
    }
  }
  for (int arity = 3; arity <= kMaxExtremeArity; ++arity) {
    for (const Type& type : numbers) {
      add(std::vector<Type>(arity, type), type, &ExtremeOfArgs<kGreatest>);
    }
    add(std::vector<Type>(arity, Type::Dyn()), Type::Dyn(),
        &ExtremeOfArgs<kGreatest>);
  }
}

// --- rounding, abs, sign, classification
// ----------------------------------------

enum class Rounding { kCeil, kFloor, kRound, kTrunc };

template <Rounding kRounding>
Value RoundDouble(absl::Span<const Value> args, EvalContext&) {
  const double d = args[0].double_value();
  switch (kRounding) {
    case Rounding::kCeil:
      return Value::Double(std::ceil(d));
    case Rounding::kFloor:
      return Value::Double(std::floor(d));
    case Rounding::kRound:
      return Value::Double(std::round(d));
    case Rounding::kTrunc:
      return Value::Double(std::trunc(d));
  }
  return Value::Double(d);
}

Value AbsInt(absl::Span<const Value> args, EvalContext&) {
  const int64_t i = args[0].int_value();
  if (i == std::numeric_limits<int64_t>::min()) {
    return Value::Error(kIntegerOverflow);
  }
  return Value::Int(i < 0 ? -i : i);
}

Value Identity(absl::Span<const Value> args, EvalContext&) { return args[0]; }

Value AbsDouble(absl::Span<const Value> args, EvalContext&) {
  return Value::Double(std::fabs(args[0].double_value()));
}

Value SignInt(absl::Span<const Value> args, EvalContext&) {
  const int64_t i = args[0].int_value();
  return Value::Int(Sign(i<0, i> 0));
}

Value SignUint(absl::Span<const Value> args, EvalContext&) {
  return Value::Uint(args[0].uint_value() > 0 ? 1 : 0);
}

// NaN and zeros (of either sign) are their own sign.
Value SignDouble(absl::Span<const Value> args, EvalContext&) {
  const double d = args[0].double_value();
  return Value::Double(d < 0 ? -1.0 : d > 0 ? 1.0 : d);
}

Value IsInf(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(std::isinf(args[0].double_value()));
}

Value IsNaN(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(std::isnan(args[0].double_value()));
}

Value IsFinite(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(std::isfinite(args[0].double_value()));
}

// sqrt of a negative number is NaN, as for doubles generally.
Value Sqrt(absl::Span<const Value> args, EvalContext&) {
  const Value& v = args[0];
  const double d =
      v.kind() == ValueKind::kInt    ? static_cast<double>(v.int_value())
      : v.kind() == ValueKind::kUint ? static_cast<double>(v.uint_value())
                                     : v.double_value();
  return Value::Double(std::sqrt(d));
}

// --- bits
// ----------------------------------------------------------------------

enum class BitOp { kAnd, kOr, kXor };

template <BitOp kOp>
uint64_t ApplyBits(uint64_t a, uint64_t b) {
  switch (kOp) {
    case BitOp::kAnd:
      return a & b;
    case BitOp::kOr:
      return a | b;
    case BitOp::kXor:
      return a ^ b;
  }
  return 0;
}

// Ints are operated on as their two's complement bits.
template <BitOp kOp>
Value BitsInt(absl::Span<const Value> args, EvalContext&) {
  return Value::Int(static_cast<int64_t>(
      ApplyBits<kOp>(static_cast<uint64_t>(args[0].int_value()),
                     static_cast<uint64_t>(args[1].int_value()))));
}

template <BitOp kOp>
Value BitsUint(absl::Span<const Value> args, EvalContext&) {
  return Value::Uint(
      ApplyBits<kOp>(args[0].uint_value(), args[1].uint_value()));
}

Value BitNotInt(absl::Span<const Value> args, EvalContext&) {
  return Value::Int(~args[0].int_value());
}

Value BitNotUint(absl::Span<const Value> args, EvalContext&) {
  return Value::Uint(~args[0].uint_value());
}

// Shifts are logical on the 64 bits, ints included (-1024 >> 3 is
// 2305843009213693824); shifting by 64 or more gives 0.
template <bool kLeft>
Value Shift(absl::Span<const Value> args, EvalContext&) {
  const int64_t offset = args[1].int_value();
  if (offset < 0) {
    return Value::Error(kLeft ? "math.bitShiftLeft() negative offset"
                              : "math.bitShiftRight() negative offset");
  }
  const bool is_int = args[0].kind() == ValueKind::kInt;
  const uint64_t bits = is_int ? static_cast<uint64_t>(args[0].int_value())
                               : args[0].uint_value();
  uint64_t shifted = 0;
  if (offset < 64) shifted = kLeft ? bits << offset : bits >> offset;
  return is_int ? Value::Int(static_cast<int64_t>(shifted))
                : Value::Uint(shifted);
}

}  // namespace

void AddMathExtensions(FunctionRegistry& registry) {
  const Type integer = Type::Int();
  const Type uint = Type::Uint();
  const Type real = Type::Double();
  const Type boolean = Type::Bool();

  AddExtreme<true>(registry, "greatest");
  AddExtreme<false>(registry, "least");

  AddBuiltin(registry, "math.ceil", "math_ceil_double", {real}, real,
             &RoundDouble<Rounding::kCeil>);
  AddBuiltin(registry, "math.floor", "math_floor_double", {real}, real,
             &RoundDouble<Rounding::kFloor>);
  // Halves round away from zero: math.round(-1.5) is -2.
  AddBuiltin(registry, "math.round", "math_round_double", {real}, real,
             &RoundDouble<Rounding::kRound>);
  AddBuiltin(registry, "math.trunc", "math_trunc_double", {real}, real,
             &RoundDouble<Rounding::kTrunc>);

  AddBuiltin(registry, "math.abs", "math_abs_int", {integer}, integer, &AbsInt);
  AddBuiltin(registry, "math.abs", "math_abs_uint", {uint}, uint, &Identity);
  AddBuiltin(registry, "math.abs", "math_abs_double", {real}, real, &AbsDouble);
  AddBuiltin(registry, "math.sign", "math_sign_int", {integer}, integer,
             &SignInt);
  AddBuiltin(registry, "math.sign", "math_sign_uint", {uint}, uint, &SignUint);
  AddBuiltin(registry, "math.sign", "math_sign_double", {real}, real,
             &SignDouble);

  AddBuiltin(registry, "math.isInf", "math_isInf_double", {real}, boolean,
             &IsInf);
  AddBuiltin(registry, "math.isNaN", "math_isNaN_double", {real}, boolean,
             &IsNaN);
  AddBuiltin(registry, "math.isFinite", "math_isFinite_double", {real}, boolean,
             &IsFinite);
  AddBuiltin(registry, "math.sqrt", "math_sqrt_int", {integer}, real, &Sqrt);
  AddBuiltin(registry, "math.sqrt", "math_sqrt_uint", {uint}, real, &Sqrt);
  AddBuiltin(registry, "math.sqrt", "math_sqrt_double", {real}, real, &Sqrt);

  AddBuiltin(registry, "math.bitAnd", "math_bitAnd_int_int", {integer, integer},
             integer, &BitsInt<BitOp::kAnd>);
  AddBuiltin(registry, "math.bitAnd", "math_bitAnd_uint_uint", {uint, uint},
             uint, &BitsUint<BitOp::kAnd>);
  AddBuiltin(registry, "math.bitOr", "math_bitOr_int_int", {integer, integer},
             integer, &BitsInt<BitOp::kOr>);
  AddBuiltin(registry, "math.bitOr", "math_bitOr_uint_uint", {uint, uint}, uint,
             &BitsUint<BitOp::kOr>);
  AddBuiltin(registry, "math.bitXor", "math_bitXor_int_int", {integer, integer},
             integer, &BitsInt<BitOp::kXor>);
  AddBuiltin(registry, "math.bitXor", "math_bitXor_uint_uint", {uint, uint},
             uint, &BitsUint<BitOp::kXor>);
  AddBuiltin(registry, "math.bitNot", "math_bitNot_int", {integer}, integer,
             &BitNotInt);
  AddBuiltin(registry, "math.bitNot", "math_bitNot_uint", {uint}, uint,
             &BitNotUint);
  AddBuiltin(registry, "math.bitShiftLeft", "math_bitShiftLeft_int_int",
             {integer, integer}, integer, &Shift<true>);
  AddBuiltin(registry, "math.bitShiftLeft", "math_bitShiftLeft_uint_int",
             {uint, integer}, uint, &Shift<true>);
  AddBuiltin(registry, "math.bitShiftRight", "math_bitShiftRight_int_int",
             {integer, integer}, integer, &Shift<false>);
  AddBuiltin(registry, "math.bitShiftRight", "math_bitShiftRight_uint_int",
             {uint, integer}, uint, &Shift<false>);
}

}  // namespace motive::expr
