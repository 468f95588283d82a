// CEL's optional values, as cel-go's OptionalTypes library has them: a
// value that may be absent, for rules over sparse data
// (`customer.attributes.?plan.orValue('basic')`).
//
//   optional.of(x), optional.none(), optional.ofNonZeroValue(x)
//   o.hasValue(), o.value() (an error when absent), o.orValue(x), o.or(o2)
//   m.?f and m[?k], which the parser writes as calls of `_?._` and `_[?_]`:
//   the field or entry when present, else none
//   o.f and o[k] on an optional o: none stays none, a value is selected or
//   indexed, an absent field or key gives none
//
// orValue and or are planned apart (program.cc) so that the alternative is
// only evaluated when needed, as in cel-go; their overloads here give the
// checker their signatures.

#include <cstdint>
#include <vector>

#include "expr/ast.h"
#include "expr/functions.h"

namespace motive::expr {
namespace {

using Args = absl::Span<const Value>;

// Wraps `value` unless it is an error, which propagates.
Value Of(const Value& value, EvalContext& context) {
  if (value.is_error()) return value;
  return Value::OptionalOf(context.arena(), value);
}

Value OptionalOfValue(Args args, EvalContext& context) {
  return Of(args[0], context);
}

Value OptionalNoneValue(Args, EvalContext&) { return Value::OptionalNone(); }

// cel-go's zero values: null, false, 0, 0u, 0.0, "", b"", [], {}, a zero
// duration, the Unix epoch, and an absent optional.
bool IsZeroValue(const Value& value) {
  switch (value.kind()) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return !value.bool_value();
    case ValueKind::kInt:
      return value.int_value() == 0;
    case ValueKind::kUint:
      return value.uint_value() == 0;
    case ValueKind::kDouble:
      return value.double_value() == 0;
    case ValueKind::kString:
    case ValueKind::kBytes:
      return value.text().empty();
    case ValueKind::kList:
      return value.list().empty();
    case ValueKind::kMap:
      return value.map().size() == 0;
    case ValueKind::kDuration:
      return value.duration() == absl::ZeroDuration();
    case ValueKind::kTimestamp:
      return value.timestamp() == absl::UnixEpoch();
    case ValueKind::kOptional:
      return !value.has_optional_value();
    default:
      return false;
  }
}

Value OptionalOfNonZeroValue(Args args, EvalContext& context) {
  if (IsZeroValue(args[0])) return Value::OptionalNone();
  return Of(args[0], context);
}

Value HasValue(Args args, EvalContext&) {
  return Value::Bool(args[0].has_optional_value());
}

Value OptionalValue(Args args, EvalContext&) {
  if (!args[0].has_optional_value()) {
    return Value::Error("optional.none() dereference");
  }
  return args[0].optional_value();
}

Value OrValue(Args args, EvalContext&) {
  return args[0].has_optional_value() ? args[0].optional_value() : args[1];
}

Value Or(Args args, EvalContext&) {
  return args[0].has_optional_value() ? args[0] : args[1];
}

// m.?f: the field when present, else none.
Value SelectOptional(Args args, EvalContext& context) {
  Value operand = args[0];
  if (operand.kind() == ValueKind::kOptional) {
    if (!operand.has_optional_value()) return operand;
    operand = operand.optional_value();
  }
  if (operand.kind() != ValueKind::kMap) {
    return Value::Error("no such field: selection applies to maps only");
  }
  const Value* found = operand.map().Find(args[1]);
  return found ? Of(*found, context) : Value::OptionalNone();
}

// l[?i] and m[?k]: the element or entry when there is one, else none.
Value IndexOptional(Args args, EvalContext& context) {
  Value operand = args[0];
  if (operand.kind() == ValueKind::kOptional) {
    if (!operand.has_optional_value()) return operand;
    operand = operand.optional_value();
  }
  if (operand.kind() == ValueKind::kMap) {
    const Value* found = operand.map().Find(args[1]);
    return found ? Of(*found, context) : Value::OptionalNone();
  }
  if (operand.kind() == ValueKind::kList) {
    const Value& index = args[1];
    int64_t i = -1;
    if (index.kind() == ValueKind::kInt) {
      i = index.int_value();
    } else if (index.kind() == ValueKind::kUint &&
               index.uint_value() <= static_cast<uint64_t>(INT64_MAX)) {
      i = static_cast<int64_t>(index.uint_value());
    } else {
      return NoMatchingOverload("_[?_]", args, context);
    }
    if (i < 0 || static_cast<uint64_t>(i) >= operand.list().size()) {
      return Value::OptionalNone();
    }
    return Of(operand.list()[i], context);
  }
  return NoMatchingOverload("_[?_]", args, context);
}

}  // namespace

void AddOptionals(FunctionRegistry& registry) {
  const Type a = Type::Param("A");
  const Type b = Type::Param("B");
  const Type opt_a = Type::Optional(a);
  const Type opt_b = Type::Optional(b);
  const Type list_a = Type::List(a);
  const Type map_ab = Type::Map(a, b);
  const Type s = Type::String(), i = Type::Int(), t = Type::Bool();

  AddBuiltin(registry, "optional.of", "optional_of", {a}, opt_a,
             &OptionalOfValue);
  AddBuiltin(registry, "optional.ofNonZeroValue", "optional_ofNonZeroValue",
             {a}, opt_a, &OptionalOfNonZeroValue);
  AddBuiltin(registry, "optional.none", "optional_none", {}, opt_a,
             &OptionalNoneValue);
  AddBuiltinMethod(registry, "hasValue", "optional_hasValue", {opt_a}, t,
                   &HasValue);
  AddBuiltinMethod(registry, "value", "optional_value", {opt_a}, a,
                   &OptionalValue);
  AddBuiltinMethod(registry, kOptionalOrValue, "optional_orValue", {opt_a, a},
                   a, &OrValue);
  AddBuiltinMethod(registry, kOptionalOr, "optional_or", {opt_a, opt_a}, opt_a,
                   &Or);

  AddBuiltin(registry, kSelectOptional, "select_optional_field", {map_ab, s},
             opt_b, &SelectOptional);
  AddBuiltin(registry, kSelectOptional, "select_optional_optional_field",
             {Type::Optional(map_ab), s}, opt_b, &SelectOptional);
  AddBuiltin(registry, kIndexOptional, "list_optindex_optional_int",
             {list_a, i}, opt_a, &IndexOptional);
  AddBuiltin(registry, kIndexOptional, "optional_list_optindex_optional_int",
             {Type::Optional(list_a), i}, opt_a, &IndexOptional);
  AddBuiltin(registry, kIndexOptional, "map_optindex_optional_value",
             {map_ab, a}, opt_b, &IndexOptional);
  AddBuiltin(registry, kIndexOptional, "optional_map_optindex_optional_value",
             {Type::Optional(map_ab), a}, opt_b, &IndexOptional);
  // o[k] on an optional o (optional.of(m)['k']) is o[?k].
  AddBuiltin(registry, kIndex, "optional_list_index_int",
             {Type::Optional(list_a), i}, opt_a, &IndexOptional);
  AddBuiltin(registry, kIndex, "optional_map_index_value",
             {Type::Optional(map_ab), a}, opt_b, &IndexOptional);
}

}  // namespace motive::expr
