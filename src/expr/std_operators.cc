// The standard operators: checked arithmetic, comparison (with CEL's
// heterogeneous numeric ordering), equality, `in`, indexing, size, ! and
// unary minus. Time arithmetic and comparison live in std_time.cc.
//
// Every implementation here is called with arguments its overload accepts
// (the evaluator matched them), never with errors, and allocates only to
// build a new string, bytes or list.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "expr/ast.h"
#include "expr/functions.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {
namespace {

using Args = absl::Span<const Value>;

constexpr double kTwoTo63 = 9223372036854775808.0;

constexpr absl::string_view kNotAnIntegerIndex =
    "invalid list index: not an integer";

// ---------------------------------------------------------------------------
// Arithmetic. Integers are checked: overflow and division by zero are
// errors, never wrap-around or a trap.

Value Overflow() { return Value::Error(kIntegerOverflow); }
Value DivisionByZero() { return Value::Error(kDivisionByZero); }

Value AddInt(Args args, EvalContext&) {
  int64_t r;
  if (__builtin_add_overflow(args[0].int_value(), args[1].int_value(), &r)) {
    return Overflow();
  }
  return Value::Int(r);
}

Value SubtractInt(Args args, EvalContext&) {
  int64_t r;
  if (__builtin_sub_overflow(args[0].int_value(), args[1].int_value(), &r)) {
    return Overflow();
  }
  return Value::Int(r);
}

Value MultiplyInt(Args args, EvalContext&) {
  int64_t r;
  if (__builtin_mul_overflow(args[0].int_value(), args[1].int_value(), &r)) {
    return Overflow();
  }
  return Value::Int(r);
}

Value DivideInt(Args args, EvalContext&) {
  int64_t x = args[0].int_value(), y = args[1].int_value();
  if (y == 0) return DivisionByZero();
  // -2^63 / -1 is 2^63, one past the largest int.
  if (y == -1 && x == INT64_MIN) return Overflow();
  return Value::Int(x / y);
}

Value ModuloInt(Args args, EvalContext&) {
  int64_t x = args[0].int_value(), y = args[1].int_value();
  if (y == 0) return DivisionByZero();
  // Mathematically 0, but CEL (and C++, where it traps) treat it as the
  // overflow of the matching division.
  if (y == -1 && x == INT64_MIN) return Overflow();
  return Value::Int(x % y);
}

Value NegateInt(Args args, EvalContext&) {
  int64_t x = args[0].int_value();
  if (x == INT64_MIN) return Overflow();
  return Value::Int(-x);
}

Value AddUint(Args args, EvalContext&) {
  uint64_t r;
  if (__builtin_add_overflow(args[0].uint_value(), args[1].uint_value(), &r)) {
    return Overflow();
  }
  return Value::Uint(r);
}

Value SubtractUint(Args args, EvalContext&) {
  uint64_t r;
  if (__builtin_sub_overflow(args[0].uint_value(), args[1].uint_value(), &r)) {
    return Overflow();
  }
  return Value::Uint(r);
}

Value MultiplyUint(Args args, EvalContext&) {
  uint64_t r;
  if (__builtin_mul_overflow(args[0].uint_value(), args[1].uint_value(), &r)) {
    return Overflow();
  }
  return Value::Uint(r);
}

Value DivideUint(Args args, EvalContext&) {
  if (args[1].uint_value() == 0) return DivisionByZero();
  return Value::Uint(args[0].uint_value() / args[1].uint_value());
}

Value ModuloUint(Args args, EvalContext&) {
  if (args[1].uint_value() == 0) return DivisionByZero();
  return Value::Uint(args[0].uint_value() % args[1].uint_value());
}

// Doubles follow IEEE 754: 1.0 / 0.0 is +infinity, 0.0 / 0.0 is NaN.
Value AddDouble(Args args, EvalContext&) {
  return Value::Double(args[0].double_value() + args[1].double_value());
}
Value SubtractDouble(Args args, EvalContext&) {
  return Value::Double(args[0].double_value() - args[1].double_value());
}
Value MultiplyDouble(Args args, EvalContext&) {
  return Value::Double(args[0].double_value() * args[1].double_value());
}
Value DivideDouble(Args args, EvalContext&) {
  return Value::Double(args[0].double_value() / args[1].double_value());
}
Value NegateDouble(Args args, EvalContext&) {
  return Value::Double(-args[0].double_value());
}

// Concatenation of two texts of the same kind. An empty side returns the
// other without copying.
Value ConcatText(Args args, EvalContext& context) {
  absl::string_view a = args[0].text(), b = args[1].text();
  if (b.empty()) return args[0];
  if (a.empty()) return args[1];
  size_t size = a.size() + b.size();
  char* data = size > context.limits().max_result_bytes
                   ? nullptr
                   : context.Allocate<char>(size);
  if (data == nullptr) return context.TooLarge();
  std::memcpy(data, a.data(), a.size());
  std::memcpy(data + a.size(), b.data(), b.size());
  absl::string_view text(data, size);
  return args[0].kind() == ValueKind::kString ? Value::String(text)
                                              : Value::Bytes(text);
}

Value ConcatList(Args args, EvalContext& context) {
  absl::Span<const Value> a = args[0].list(), b = args[1].list();
  if (b.empty()) return args[0];
  if (a.empty()) return args[1];
  size_t size = a.size() + b.size();
  Value* elements = size > context.limits().max_result_bytes / sizeof(Value)
                        ? nullptr
                        : context.Allocate<Value>(size);
  if (elements == nullptr) return context.TooLarge();
  std::copy(a.begin(), a.end(), elements);
  std::copy(b.begin(), b.end(), elements + a.size());
  return Value::List(absl::Span<const Value>(elements, size));
}

// The map with `more`'s entries added; a key in both is an error (CEL's
// "repeated key"). Copies the map, so building one entry by entry costs
// O(n^2) entries, held to the evaluation's budget.
Value ExtendMap(absl::Span<const MapValue::Entry> old,
                absl::Span<const MapValue::Entry> more, EvalContext& context) {
  const size_t size = old.size() + more.size();
  MapValue::Entry* entries =
      size > context.limits().max_result_bytes / sizeof(MapValue::Entry) ||
              !context.Charge(MapValue::OverheadBytes(size))
          ? nullptr
          : context.Allocate<MapValue::Entry>(size);
  if (entries == nullptr) return context.TooLarge();
  std::copy(old.begin(), old.end(), entries);
  std::copy(more.begin(), more.end(), entries + old.size());
  return MapValue::Make(context.arena(), absl::MakeConstSpan(entries, size));
}

// transformMap's step: the map with key -> value added.
Value MapInsert(Args args, EvalContext& context) {
  const MapValue::Entry entry{args[1], args[2]};
  return ExtendMap(args[0].map().entries(), absl::MakeConstSpan(&entry, 1),
                   context);
}

// transformMapEntry's step: the map with another map's entries added.
Value MapInsertMap(Args args, EvalContext& context) {
  return ExtendMap(args[0].map().entries(), args[1].map().entries(), context);
}

Value Not(Args args, EvalContext&) {
  return Value::Bool(!args[0].bool_value());
}

// ---------------------------------------------------------------------------
// Ordering. Numbers of different kinds compare on one number line: int
// against uint exactly, an integer against a double as that integer
// converted to double (CEL's rule; the conformance suite pins that
// 9223372036854775807 and 2^63 compare equal). NaN is unordered: every
// comparison with it is false.

enum class Order { kLess, kEqual, kGreater, kUnordered };

template <typename T>
Order Three(T a, T b) {
  return a < b ? Order::kLess : (b < a ? Order::kGreater : Order::kEqual);
}

Order ThreeDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return Order::kUnordered;
  return Three(a, b);
}

Order Invert(Order order) {
  switch (order) {
    case Order::kLess:
      return Order::kGreater;
    case Order::kGreater:
      return Order::kLess;
    default:
      return order;
  }
}

Order CmpBool(const Value& a, const Value& b) {
  return Three<int>(a.bool_value(), b.bool_value());
}
Order CmpInt(const Value& a, const Value& b) {
  return Three(a.int_value(), b.int_value());
}
Order CmpUint(const Value& a, const Value& b) {
  return Three(a.uint_value(), b.uint_value());
}
Order CmpDouble(const Value& a, const Value& b) {
  return ThreeDouble(a.double_value(), b.double_value());
}
// Bytewise (string_view compares as unsigned char), which for UTF-8 is
// code point order.
Order CmpText(const Value& a, const Value& b) {
  int c = a.text().compare(b.text());
  return c < 0 ? Order::kLess : (c > 0 ? Order::kGreater : Order::kEqual);
}
Order CmpIntUint(const Value& a, const Value& b) {
  if (a.int_value() < 0) return Order::kLess;
  return Three(static_cast<uint64_t>(a.int_value()), b.uint_value());
}
Order CmpUintInt(const Value& a, const Value& b) {
  return Invert(CmpIntUint(b, a));
}
Order CmpIntDouble(const Value& a, const Value& b) {
  return ThreeDouble(static_cast<double>(a.int_value()), b.double_value());
}
Order CmpDoubleInt(const Value& a, const Value& b) {
  return ThreeDouble(a.double_value(), static_cast<double>(b.int_value()));
}
Order CmpUintDouble(const Value& a, const Value& b) {
  return ThreeDouble(static_cast<double>(a.uint_value()), b.double_value());
}
Order CmpDoubleUint(const Value& a, const Value& b) {
  return ThreeDouble(a.double_value(), static_cast<double>(b.uint_value()));
}

bool IsLess(Order o) { return o == Order::kLess; }
bool IsLessEqual(Order o) { return o == Order::kLess || o == Order::kEqual; }
bool IsGreater(Order o) { return o == Order::kGreater; }
bool IsGreaterEqual(Order o) {
  return o == Order::kGreater || o == Order::kEqual;
}

using Comparer = Order (*)(const Value&, const Value&);
using Predicate = bool (*)(Order);

template <Comparer kCompare, Predicate kTest>
Value Compare(Args args, EvalContext&) {
  return Value::Bool(kTest(kCompare(args[0], args[1])));
}

template <Predicate kTest>
void RegisterComparison(FunctionRegistry& registry, absl::string_view name,
                        const std::string& id_prefix) {
  struct Pair {
    const char* suffix;
    Type left;
    Type right;
    FunctionImpl impl;
  };
  const Pair pairs[] = {
      {"bool", Type::Bool(), Type::Bool(), &Compare<CmpBool, kTest>},
      {"int64", Type::Int(), Type::Int(), &Compare<CmpInt, kTest>},
      {"uint64", Type::Uint(), Type::Uint(), &Compare<CmpUint, kTest>},
      {"double", Type::Double(), Type::Double(), &Compare<CmpDouble, kTest>},
      {"string", Type::String(), Type::String(), &Compare<CmpText, kTest>},
      {"bytes", Type::Bytes(), Type::Bytes(), &Compare<CmpText, kTest>},
      {"int64_uint64", Type::Int(), Type::Uint(), &Compare<CmpIntUint, kTest>},
      {"int64_double", Type::Int(), Type::Double(),
       &Compare<CmpIntDouble, kTest>},
      {"uint64_int64", Type::Uint(), Type::Int(), &Compare<CmpUintInt, kTest>},
      {"uint64_double", Type::Uint(), Type::Double(),
       &Compare<CmpUintDouble, kTest>},
      {"double_int64", Type::Double(), Type::Int(),
       &Compare<CmpDoubleInt, kTest>},
      {"double_uint64", Type::Double(), Type::Uint(),
       &Compare<CmpDoubleUint, kTest>},
  };
  for (const Pair& pair : pairs) {
    std::string id = absl::StrCat(id_prefix, pair.suffix);
    AddBuiltin(registry, name, id.c_str(), {pair.left, pair.right},
               Type::Bool(), pair.impl);
  }
}

// ---------------------------------------------------------------------------
// Equality, membership, indexing, size.

Value Equals(Args args, EvalContext&) { return Equal(args[0], args[1]); }

Value NotEquals(Args args, EvalContext&) {
  Value eq = Equal(args[0], args[1]);
  if (eq.is_error()) return eq;
  return Value::Bool(!eq.bool_value());
}

// True when any element equals the value; otherwise an error met on the
// way (only possible inside nested aggregates); otherwise false.
Value InList(Args args, EvalContext&) {
  const Value& needle = args[0];
  Value error;
  bool has_error = false;
  for (const Value& element : args[1].list()) {
    Value eq = Equal(needle, element);
    if (eq.is_error()) {
      if (!has_error) error = eq;
      has_error = true;
    } else if (eq.bool_value()) {
      return eq;
    }
  }
  return has_error ? error : Value::Bool(false);
}

Value InMap(Args args, EvalContext&) {
  return Value::Bool(args[1].map().Find(args[0]) != nullptr);
}

Value ListAt(absl::Span<const Value> list, int64_t index,
             EvalContext& context) {
  if (index < 0 || static_cast<uint64_t>(index) >= list.size()) {
    return Value::ErrorIn(context.arena(),
                          absl::StrCat(kIndexOutOfRange, ": index ", index,
                                       ", size ", list.size()));
  }
  return list[index];
}

Value IndexListInt(Args args, EvalContext& context) {
  return ListAt(args[0].list(), args[1].int_value(), context);
}

Value IndexListUint(Args args, EvalContext& context) {
  uint64_t index = args[1].uint_value();
  absl::Span<const Value> list = args[0].list();
  if (index >= list.size()) {
    return Value::ErrorIn(context.arena(),
                          absl::StrCat(kIndexOutOfRange, ": index ", index,
                                       "u, size ", list.size()));
  }
  return list[index];
}

// A double index must hold an integer exactly: [7, 8][1.0] is 8, [7][0.5]
// an error.
Value IndexListDouble(Args args, EvalContext& context) {
  double d = args[1].double_value();
  if (!(std::trunc(d) == d) || d < -kTwoTo63 || d >= kTwoTo63) {
    return Value::Error(kNotAnIntegerIndex);
  }
  return ListAt(args[0].list(), static_cast<int64_t>(d), context);
}

Value IndexMap(Args args, EvalContext& context) {
  const Value* value = args[0].map().Find(args[1]);
  if (value == nullptr) {
    return Value::ErrorIn(context.arena(),
                          absl::StrCat(kNoSuchKey, ": ", DebugString(args[1])));
  }
  return *value;
}

// Strings count code points: the bytes that do not continue a UTF-8
// sequence.
Value SizeString(Args args, EvalContext&) {
  int64_t count = 0;
  for (unsigned char c : args[0].text()) count += (c & 0xC0) != 0x80;
  return Value::Int(count);
}
Value SizeBytes(Args args, EvalContext&) {
  return Value::Int(static_cast<int64_t>(args[0].text().size()));
}
Value SizeList(Args args, EvalContext&) {
  return Value::Int(static_cast<int64_t>(args[0].list().size()));
}
Value SizeMap(Args args, EvalContext&) {
  return Value::Int(static_cast<int64_t>(args[0].map().size()));
}

}  // namespace

void AddOperators(FunctionRegistry& registry) {
  const Type a = Type::Param("A");
  const Type b = Type::Param("B");
  const Type list_a = Type::List(a);
  const Type map_ab = Type::Map(a, b);
  const Type i = Type::Int(), u = Type::Uint(), d = Type::Double();
  const Type s = Type::String(), y = Type::Bytes(), t = Type::Bool();

  AddBuiltin(registry, kAdd, "add_int64", {i, i}, i, &AddInt);
  AddBuiltin(registry, kAdd, "add_uint64", {u, u}, u, &AddUint);
  AddBuiltin(registry, kAdd, "add_double", {d, d}, d, &AddDouble);
  AddBuiltin(registry, kAdd, "add_string", {s, s}, s, &ConcatText);
  AddBuiltin(registry, kAdd, "add_bytes", {y, y}, y, &ConcatText);
  AddBuiltin(registry, kAdd, "add_list", {list_a, list_a}, list_a, &ConcatList);

  AddBuiltin(registry, kSubtract, "subtract_int64", {i, i}, i, &SubtractInt);
  AddBuiltin(registry, kSubtract, "subtract_uint64", {u, u}, u, &SubtractUint);
  AddBuiltin(registry, kSubtract, "subtract_double", {d, d}, d,
             &SubtractDouble);

  AddBuiltin(registry, kMultiply, "multiply_int64", {i, i}, i, &MultiplyInt);
  AddBuiltin(registry, kMultiply, "multiply_uint64", {u, u}, u, &MultiplyUint);
  AddBuiltin(registry, kMultiply, "multiply_double", {d, d}, d,
             &MultiplyDouble);

  AddBuiltin(registry, kDivide, "divide_int64", {i, i}, i, &DivideInt);
  AddBuiltin(registry, kDivide, "divide_uint64", {u, u}, u, &DivideUint);
  AddBuiltin(registry, kDivide, "divide_double", {d, d}, d, &DivideDouble);

  AddBuiltin(registry, kModulo, "modulo_int64", {i, i}, i, &ModuloInt);
  AddBuiltin(registry, kModulo, "modulo_uint64", {u, u}, u, &ModuloUint);

  AddBuiltin(registry, kNegate, "negate_int64", {i}, i, &NegateInt);
  AddBuiltin(registry, kNegate, "negate_double", {d}, d, &NegateDouble);

  AddBuiltin(registry, kNot, "logical_not", {t}, t, &Not);

  RegisterComparison<IsLess>(registry, kLess, "less_");
  RegisterComparison<IsLessEqual>(registry, kLessEqual, "less_equals_");
  RegisterComparison<IsGreater>(registry, kGreater, "greater_");
  RegisterComparison<IsGreaterEqual>(registry, kGreaterEqual,
                                     "greater_equals_");

  AddBuiltin(registry, kEqual, "equals", {a, a}, t, &Equals);
  AddBuiltin(registry, kNotEqual, "not_equals", {a, a}, t, &NotEquals);

  AddBuiltin(registry, kMapInsert, "map_insert", {map_ab, a, b}, map_ab,
             &MapInsert);
  AddBuiltin(registry, kMapInsert, "map_insert_map", {map_ab, map_ab}, map_ab,
             &MapInsertMap);

  AddBuiltin(registry, kIn, "in_list", {a, list_a}, t, &InList);
  AddBuiltin(registry, kIn, "in_map", {a, map_ab}, t, &InMap);

  AddBuiltin(registry, kIndex, "index_list", {list_a, i}, a, &IndexListInt);
  // Not in CEL's declarations, which index lists by int only; they serve
  // dyn indexes at run time, which CEL allows when the number is an
  // integer ([7, 8, 9][dyn(0u)] and [dyn(0.0)] are 7).
  AddBuiltin(registry, kIndex, "index_list_uint64", {list_a, u}, a,
             &IndexListUint);
  AddBuiltin(registry, kIndex, "index_list_double", {list_a, d}, a,
             &IndexListDouble);
  AddBuiltin(registry, kIndex, "index_map", {map_ab, a}, b, &IndexMap);

  AddBuiltin(registry, "size", "size_string", {s}, i, &SizeString);
  AddBuiltin(registry, "size", "size_bytes", {y}, i, &SizeBytes);
  AddBuiltin(registry, "size", "size_list", {list_a}, i, &SizeList);
  AddBuiltin(registry, "size", "size_map", {map_ab}, i, &SizeMap);
  AddBuiltinMethod(registry, "size", "string_size", {s}, i, &SizeString);
  AddBuiltinMethod(registry, "size", "bytes_size", {y}, i, &SizeBytes);
  AddBuiltinMethod(registry, "size", "list_size", {list_a}, i, &SizeList);
  AddBuiltinMethod(registry, "size", "map_size", {map_ab}, i, &SizeMap);
}

}  // namespace motive::expr
