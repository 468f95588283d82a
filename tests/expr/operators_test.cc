// The standard operators, called through the registry as the evaluator
// calls them: overload matched on the argument values, then invoked.

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "expr/ast.h"
#include "expr/functions.h"
#include "expr/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/expr/stdlib_test_support.h"

namespace motive::expr {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
constexpr uint64_t kUintMax = std::numeric_limits<uint64_t>::max();
const double kNaN = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();

class OperatorsTest : public ::testing::Test {
 protected:
  OperatorsTest() : context_(&arena_, limits_) { AddOperators(registry_); }

  // The overload `args` select, or "" when none does.
  std::string OverloadId(absl::string_view function, std::vector<Value> args,
                         bool receiver = false) {
    const Overload* overload = Select(function, args, receiver);
    return overload == nullptr ? "" : overload->id;
  }

  Value Call(absl::string_view function, std::vector<Value> args,
             bool receiver = false) {
    const Overload* overload = Select(function, args, receiver);
    if (overload == nullptr) {
      return NoMatchingOverload(function, args, context_);
    }
    return overload->impl(args, context_);
  }

  // A list of `values`, kept alive by the fixture.
  Value List(std::vector<Value> values) {
    lists_.push_back(std::move(values));
    return Value::List(lists_.back());
  }

  Value Map(std::vector<MapValue::Entry> entries) {
    maps_.push_back(std::move(entries));
    Value map = MapValue::Make(&arena_, maps_.back());
    EXPECT_EQ(map.kind(), ValueKind::kMap) << DebugString(map);
    return map;
  }

  bool IsBool(const Value& v, bool expected) {
    return v.kind() == ValueKind::kBool && v.bool_value() == expected;
  }

  Arena arena_;
  Limits limits_;
  EvalContext context_;
  FunctionRegistry registry_;
  std::deque<std::vector<Value>> lists_;
  std::deque<std::vector<MapValue::Entry>> maps_;

 private:
  const Overload* Select(absl::string_view function,
                         const std::vector<Value>& args, bool receiver) {
    const std::vector<Overload>* overloads = registry_.Find(function);
    if (overloads == nullptr) return nullptr;
    std::vector<const Overload*> candidates;
    for (const Overload& overload : *overloads) {
      if (overload.receiver_style == receiver) candidates.push_back(&overload);
    }
    return FunctionRegistry::Match(candidates, args);
  }
};

// ---------------------------------------------------------------------------
// Integer arithmetic.

TEST_F(OperatorsTest, IntArithmetic) {
  EXPECT_TRUE(HoldsInt(Call(kAdd, {Value::Int(40), Value::Int(2)}), 42));
  EXPECT_TRUE(
      HoldsInt(Call(kSubtract, {Value::Int(-42), Value::Int(-12)}), -30));
  EXPECT_TRUE(HoldsInt(Call(kMultiply, {Value::Int(40), Value::Int(-2)}), -80));
  EXPECT_TRUE(HoldsInt(Call(kDivide, {Value::Int(-20), Value::Int(2)}), -10));
  // Division truncates toward zero; the remainder has the dividend's sign.
  EXPECT_TRUE(HoldsInt(Call(kDivide, {Value::Int(-7), Value::Int(2)}), -3));
  EXPECT_TRUE(HoldsInt(Call(kModulo, {Value::Int(43), Value::Int(-5)}), 3));
  EXPECT_TRUE(HoldsInt(Call(kModulo, {Value::Int(-42), Value::Int(-5)}), -2));
  EXPECT_TRUE(HoldsInt(Call(kModulo, {Value::Int(-3), Value::Int(5)}), -3));
  EXPECT_TRUE(HoldsInt(Call(kNegate, {Value::Int(-42)}), 42));
  EXPECT_TRUE(HoldsInt(Call(kNegate, {Value::Int(0)}), 0));
}

TEST_F(OperatorsTest, IntOverflowIsAnError) {
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::Int(kIntMax), Value::Int(1)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::Int(kIntMin), Value::Int(-1)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kSubtract, {Value::Int(kIntMin), Value::Int(1)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kSubtract, {Value::Int(1), Value::Int(-kIntMax)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kSubtract, {Value::Int(0), Value::Int(kIntMin)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(
      Call(kMultiply, {Value::Int(5000000000), Value::Int(5000000000)}),
      kIntegerOverflow));
  EXPECT_TRUE(HoldsError(
      Call(kMultiply, {Value::Int(-5000000000), Value::Int(5000000000)}),
      kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kMultiply, {Value::Int(kIntMin), Value::Int(-1)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kMultiply, {Value::Int(-1), Value::Int(kIntMin)}),
                         kIntegerOverflow));
  EXPECT_TRUE(
      HoldsError(Call(kNegate, {Value::Int(kIntMin)}), kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kDivide, {Value::Int(kIntMin), Value::Int(-1)}),
                         kIntegerOverflow));
  // CEL makes the remainder of that division an overflow too (in C++ it
  // would trap).
  EXPECT_TRUE(HoldsError(Call(kModulo, {Value::Int(kIntMin), Value::Int(-1)}),
                         kIntegerOverflow));
}

TEST_F(OperatorsTest, IntBoundariesThatDoNotOverflow) {
  EXPECT_TRUE(
      HoldsInt(Call(kAdd, {Value::Int(kIntMax), Value::Int(0)}), kIntMax));
  EXPECT_TRUE(
      HoldsInt(Call(kAdd, {Value::Int(kIntMax), Value::Int(kIntMin)}), -1));
  EXPECT_TRUE(HoldsInt(Call(kSubtract, {Value::Int(-1), Value::Int(kIntMax)}),
                       kIntMin));
  EXPECT_TRUE(
      HoldsInt(Call(kMultiply, {Value::Int(kIntMin), Value::Int(1)}), kIntMin));
  EXPECT_TRUE(HoldsInt(Call(kMultiply, {Value::Int(-1), Value::Int(kIntMax)}),
                       -kIntMax));
  EXPECT_TRUE(
      HoldsInt(Call(kDivide, {Value::Int(kIntMin), Value::Int(1)}), kIntMin));
  EXPECT_TRUE(
      HoldsInt(Call(kDivide, {Value::Int(kIntMax), Value::Int(-1)}), -kIntMax));
  EXPECT_TRUE(
      HoldsInt(Call(kModulo, {Value::Int(kIntMin), Value::Int(kIntMax)}), -1));
  EXPECT_TRUE(HoldsInt(Call(kNegate, {Value::Int(kIntMax)}), -kIntMax));
}

TEST_F(OperatorsTest, IntDivisionByZero) {
  EXPECT_TRUE(HoldsError(Call(kDivide, {Value::Int(15), Value::Int(0)}),
                         kDivisionByZero));
  EXPECT_TRUE(HoldsError(Call(kModulo, {Value::Int(34), Value::Int(0)}),
                         kDivisionByZero));
  EXPECT_TRUE(HoldsError(Call(kDivide, {Value::Int(0), Value::Int(0)}),
                         kDivisionByZero));
}

TEST_F(OperatorsTest, UintArithmetic) {
  EXPECT_TRUE(HoldsUint(Call(kAdd, {Value::Uint(42), Value::Uint(2)}), 44u));
  EXPECT_TRUE(
      HoldsUint(Call(kSubtract, {Value::Uint(42), Value::Uint(12)}), 30u));
  EXPECT_TRUE(
      HoldsUint(Call(kMultiply, {Value::Uint(40), Value::Uint(2)}), 80u));
  EXPECT_TRUE(HoldsUint(Call(kDivide, {Value::Uint(60), Value::Uint(2)}), 30u));
  EXPECT_TRUE(HoldsUint(Call(kModulo, {Value::Uint(42), Value::Uint(5)}), 2u));
  EXPECT_TRUE(
      HoldsUint(Call(kAdd, {Value::Uint(kUintMax), Value::Uint(0)}), kUintMax));
  EXPECT_TRUE(HoldsUint(Call(kSubtract, {Value::Uint(5), Value::Uint(5)}), 0u));
  EXPECT_TRUE(HoldsUint(
      Call(kDivide, {Value::Uint(kUintMax), Value::Uint(kUintMax)}), 1u));
}

TEST_F(OperatorsTest, UintOverflowAndDivisionByZero) {
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::Uint(kUintMax), Value::Uint(1)}),
                         kIntegerOverflow));
  // Below zero is out of range for uint.
  EXPECT_TRUE(HoldsError(Call(kSubtract, {Value::Uint(0), Value::Uint(1)}),
                         kIntegerOverflow));
  EXPECT_TRUE(HoldsError(
      Call(kMultiply, {Value::Uint(5000000000), Value::Uint(5000000000)}),
      kIntegerOverflow));
  EXPECT_TRUE(HoldsError(Call(kDivide, {Value::Uint(15), Value::Uint(0)}),
                         kDivisionByZero));
  EXPECT_TRUE(HoldsError(Call(kModulo, {Value::Uint(34), Value::Uint(0)}),
                         kDivisionByZero));
}

TEST_F(OperatorsTest, NoArithmeticAcrossNumericKinds) {
  // CEL has no implicit conversions: 1 + 1u and 1 + 1.0 match nothing.
  EXPECT_TRUE(
      HoldsError(Call(kAdd, {Value::Int(1), Value::Uint(1)}),
                 "no matching overload for '_+_' applied to (int, uint)"));
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::Int(1), Value::Double(1)}),
                         kNoMatchingOverload));
  // No unary minus on uint or bool, no modulo on doubles.
  EXPECT_TRUE(HoldsError(Call(kNegate, {Value::Uint(5)}), kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call(kNegate, {Value::Bool(false)}), kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call(kModulo, {Value::Double(47.5), Value::Double(5.5)}),
                 "applied to (double, double)"));
}

// ---------------------------------------------------------------------------
// Doubles: IEEE 754, no errors.

TEST_F(OperatorsTest, DoubleArithmetic) {
  auto d = [this](absl::string_view op, double a, double b) {
    Value v = Call(op, {Value::Double(a), Value::Double(b)});
    EXPECT_EQ(v.kind(), ValueKind::kDouble);
    return v.double_value();
  };
  EXPECT_EQ(d(kAdd, 4.25, 15.25), 19.5);
  EXPECT_EQ(d(kSubtract, -4.875, -0.125), -4.75);
  EXPECT_EQ(d(kMultiply, 40.75, -2.25), -91.6875);
  EXPECT_EQ(d(kDivide, -8.875, -0.0625), 142);
  EXPECT_EQ(d(kDivide, 15.75, 0.0), kInf);
  EXPECT_EQ(d(kDivide, -1.0, 0.0), -kInf);
  EXPECT_TRUE(std::isnan(d(kDivide, 0.0, 0.0)));
  EXPECT_EQ(d(kMultiply, 2.0, 8.988466e+307), kInf);
  EXPECT_EQ(d(kDivide, 1e-323, 4.0), 0.0);

  Value negated = Call(kNegate, {Value::Double(0.0)});
  ASSERT_EQ(negated.kind(), ValueKind::kDouble);
  EXPECT_EQ(negated.double_value(), 0.0);
  EXPECT_TRUE(std::signbit(negated.double_value()));
}

// ---------------------------------------------------------------------------
// Concatenation.

TEST_F(OperatorsTest, StringAndBytesConcatenation) {
  Value v = Call(kAdd, {Value::String("he"), Value::String("llo")});
  ASSERT_EQ(v.kind(), ValueKind::kString);
  EXPECT_EQ(v.text(), "hello");

  v = Call(kAdd,
           {Value::String("a\xc3\xbf"), Value::String("\xf0\x9f\x90\xb1")});
  EXPECT_EQ(v.text(), "a\xc3\xbf\xf0\x9f\x90\xb1");

  v = Call(kAdd,
           {Value::Bytes(absl::string_view("\0a", 2)), Value::Bytes("\xff")});
  ASSERT_EQ(v.kind(), ValueKind::kBytes);
  EXPECT_EQ(v.text(), absl::string_view("\0a\xff", 3));

  // The empty side costs nothing: the other value comes back as it is.
  absl::string_view abc = "abc";
  EXPECT_EQ(Call(kAdd, {Value::String(abc), Value::String("")}).text().data(),
            abc.data());
  EXPECT_EQ(Call(kAdd, {Value::String(""), Value::String(abc)}).text().data(),
            abc.data());
  EXPECT_EQ(Call(kAdd, {Value::String(""), Value::String("")}).text(), "");

  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::String("a"), Value::Bytes("b")}),
                         "applied to (string, bytes)"));
}

TEST_F(OperatorsTest, ConcatenationRespectsTheSizeLimit) {
  limits_.max_result_bytes = 8;
  std::string four(4, 'x'), five(5, 'y');
  EXPECT_EQ(Call(kAdd, {Value::String(four), Value::String(four)}).text(),
            "xxxxxxxx");
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::String(four), Value::String(five)}),
                         "size limit"));
  EXPECT_TRUE(HoldsError(Call(kAdd, {Value::Bytes(four), Value::Bytes(five)}),
                         "size limit"));

  // Lists count their elements' bytes.
  limits_.max_result_bytes = 3 * sizeof(Value);
  Value two = List({Value::Int(1), Value::Int(2)});
  Value one = List({Value::Int(3)});
  EXPECT_EQ(Call(kAdd, {two, one}).kind(), ValueKind::kList);
  EXPECT_TRUE(HoldsError(Call(kAdd, {two, two}), "size limit"));
}

TEST_F(OperatorsTest, ListConcatenation) {
  Value a = List({Value::Int(0), Value::Int(1)});
  Value b = List({Value::String("x")});
  Value empty = List({});
  Value v = Call(kAdd, {a, b});
  ASSERT_EQ(v.kind(), ValueKind::kList);
  EXPECT_EQ(DebugString(v), "[0, 1, \"x\"]");
  EXPECT_EQ(DebugString(Call(kAdd, {b, a})), "[\"x\", 0, 1]");
  EXPECT_EQ(Call(kAdd, {a, empty}).list().data(), a.list().data());
  EXPECT_EQ(Call(kAdd, {empty, a}).list().data(), a.list().data());
  EXPECT_EQ(Call(kAdd, {empty, empty}).list().size(), 0u);
}

// ---------------------------------------------------------------------------
// Ordering.

TEST_F(OperatorsTest, SameKindComparisons) {
  EXPECT_TRUE(HoldsBool(Call(kLess, {Value::Int(-1), Value::Int(0)}), true));
  EXPECT_TRUE(HoldsBool(Call(kLess, {Value::Int(0), Value::Int(0)}), false));
  EXPECT_TRUE(
      HoldsBool(Call(kLessEqual, {Value::Int(0), Value::Int(0)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kGreater, {Value::Uint(48), Value::Uint(46)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kGreaterEqual, {Value::Uint(1), Value::Uint(10)}), false));
  EXPECT_TRUE(
      HoldsBool(Call(kLess, {Value::Double(-0.0), Value::Double(0.0)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kLessEqual, {Value::Double(-0.0), Value::Double(0.0)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kLess, {Value::Bool(false), Value::Bool(true)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kGreaterEqual, {Value::Bool(true), Value::Bool(true)}), true));
  EXPECT_TRUE(HoldsBool(Call(kGreater, {Value::Bool(false), Value::Bool(true)}),
                        false));
}

TEST_F(OperatorsTest, StringsAndBytesCompareBytewise) {
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::String("Abc"), Value::String("aBC")}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::String("abc"), Value::String("abcd")}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kLess, {Value::String("a"), Value::String("AB")}), false));
  EXPECT_TRUE(
      HoldsBool(Call(kLess, {Value::String(""), Value::String("")}), false));
  // Bytes above 0x7f sort after ASCII (unsigned), which for UTF-8 is code
  // point order: 'a' < 'á' < 'α'.
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::String("a"), Value::String("\xc3\xa1")}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kGreater, {Value::String("\xce\xb1"), Value::String("omega")}),
      true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::String("f"), Value::String("\xe1\xba\xbf")}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Bytes("\xc3\xa1"), Value::Bytes("b")}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kGreater,
           {Value::Bytes(absl::string_view("\0\1", 2)), Value::Bytes("\1")}),
      false));
  EXPECT_TRUE(HoldsBool(
      Call(kGreaterEqual,
           {Value::Bytes(absl::string_view("\0", 1)), Value::Bytes("")}),
      true));
}

TEST_F(OperatorsTest, MixedNumericComparisons) {
  EXPECT_TRUE(HoldsBool(Call(kLess, {Value::Int(1), Value::Uint(2)}), true));
  EXPECT_TRUE(HoldsBool(Call(kLess, {Value::Int(-1), Value::Uint(0)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kGreater, {Value::Int(-1), Value::Uint(0)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Int(1), Value::Uint(9223372036854775808u)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kGreater, {Value::Uint(9223372036854775808u), Value::Int(1)}),
      true));
  EXPECT_TRUE(HoldsBool(Call(kLessEqual, {Value::Uint(1), Value::Int(kIntMin)}),
                        false));
  EXPECT_TRUE(
      HoldsBool(Call(kGreater, {Value::Uint(1), Value::Int(-1)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kGreaterEqual, {Value::Uint(0), Value::Int(0)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Uint(kUintMax), Value::Int(kIntMax)}), false));

  EXPECT_TRUE(
      HoldsBool(Call(kLess, {Value::Int(1), Value::Double(1.5)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kGreater, {Value::Double(2.0), Value::Uint(1)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kGreaterEqual, {Value::Double(0.0), Value::Uint(1)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Uint(kUintMax), Value::Double(-1.0)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kGreater, {Value::Uint(9223372036854775807u), Value::Double(-1.0)}),
      true));
}

TEST_F(OperatorsTest, IntegersAgainstDoublesCompareAsDoubles) {
  // CEL's number line converts the integer to double: 2^63 - 1 becomes
  // 2^63, so it is not less than 2^63.0 (conformance: lt_dyn_int_big_...).
  const double two63 = 9223372036854775808.0;
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Int(kIntMax), Value::Double(two63)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kGreaterEqual, {Value::Int(kIntMax), Value::Double(two63)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kLessEqual, {Value::Double(two63), Value::Int(kIntMax)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Int(kIntMax), Value::Double(9223372036854777856.0)}),
      true));
  EXPECT_TRUE(HoldsBool(Call(kGreater, {Value::Int(kIntMin),
                                        Value::Double(-9223372036854777856.0)}),
                        true));
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Int(kIntMin), Value::Double(-two63)}), false));
  EXPECT_TRUE(HoldsBool(Call(kLess, {Value::Uint(kUintMax),
                                     Value::Double(18446744073709590000.0)}),
                        true));
  EXPECT_TRUE(HoldsBool(Call(kGreater, {Value::Double(18446744073709553665.0),
                                        Value::Uint(kUintMax)}),
                        true));
}

TEST_F(OperatorsTest, NaNIsUnordered) {
  for (absl::string_view op : {kLess, kLessEqual, kGreater, kGreaterEqual}) {
    EXPECT_TRUE(
        HoldsBool(Call(op, {Value::Double(kNaN), Value::Double(kNaN)}), false));
    EXPECT_TRUE(
        HoldsBool(Call(op, {Value::Double(kNaN), Value::Double(1)}), false));
    EXPECT_TRUE(
        HoldsBool(Call(op, {Value::Int(1), Value::Double(kNaN)}), false));
    EXPECT_TRUE(
        HoldsBool(Call(op, {Value::Double(kNaN), Value::Uint(1)}), false));
  }
  EXPECT_TRUE(HoldsBool(
      Call(kLess, {Value::Double(-kInf), Value::Int(kIntMin)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kGreater, {Value::Double(kInf), Value::Uint(kUintMax)}), true));
}

TEST_F(OperatorsTest, UnorderedKindsHaveNoComparison) {
  EXPECT_TRUE(HoldsError(Call(kLess, {Value::Null(), Value::Null()}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(
      Call(kLessEqual, {List({Value::Int(0)}), List({Value::Int(1)})}),
      kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call(kGreater, {Value::String("foo"), Value::Int(1024)}),
                 "applied to (string, int)"));
  EXPECT_TRUE(
      HoldsError(Call(kGreaterEqual, {Value::String("foo"), Value::Double(1)}),
                 kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call(kLess, {Value::Bool(false), Value::Int(1)}),
                         kNoMatchingOverload));
}

TEST_F(OperatorsTest, ComparisonOverloadIds) {
  EXPECT_EQ(OverloadId(kLess, {Value::Int(1), Value::Uint(1)}),
            "less_int64_uint64");
  EXPECT_EQ(OverloadId(kLessEqual, {Value::Double(1), Value::Int(1)}),
            "less_equals_double_int64");
  EXPECT_EQ(OverloadId(kGreater, {Value::Uint(1), Value::Double(1)}),
            "greater_uint64_double");
  EXPECT_EQ(OverloadId(kGreaterEqual, {Value::Bytes(""), Value::Bytes("")}),
            "greater_equals_bytes");
  EXPECT_EQ(OverloadId(kLess, {Value::Bool(true), Value::Bool(true)}),
            "less_bool");
}

// ---------------------------------------------------------------------------
// Equality.

TEST_F(OperatorsTest, EqualityAcrossKinds) {
  EXPECT_TRUE(HoldsBool(Call(kEqual, {Value::Int(1), Value::Uint(1)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kEqual, {Value::Uint(2), Value::Double(2.0)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kNotEqual, {Value::Int(24), Value::Double(24.1)}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kEqual, {Value::Double(kNaN), Value::Double(kNaN)}), false));
  EXPECT_TRUE(HoldsBool(
      Call(kNotEqual, {Value::Double(kNaN), Value::Double(kNaN)}), true));
  EXPECT_TRUE(
      HoldsBool(Call(kNotEqual, {Value::Int(1), Value::Double(kNaN)}), true));
  // Unrelated kinds are unequal, not an error.
  EXPECT_TRUE(
      HoldsBool(Call(kEqual, {Value::String("1"), Value::Int(1)}), false));
  EXPECT_TRUE(
      HoldsBool(Call(kNotEqual, {Value::Null(), Value::Bool(false)}), true));
  EXPECT_TRUE(HoldsBool(Call(kEqual, {Value::Null(), Value::Null()}), true));
  EXPECT_TRUE(HoldsBool(Call(kEqual, {Value::Type("int"), Value::Type("uint")}),
                        false));
  EXPECT_EQ(OverloadId(kEqual, {Value::Int(1), Value::String("")}), "equals");
  EXPECT_EQ(OverloadId(kNotEqual, {Value::Int(1), Value::String("")}),
            "not_equals");
}

TEST_F(OperatorsTest, EqualityOfAggregates) {
  Value a = List({Value::Double(1.0), Value::Double(2.0), Value::Int(3)});
  Value b = List({Value::Uint(1), Value::Int(2), Value::Uint(3)});
  EXPECT_TRUE(HoldsBool(Call(kEqual, {a, b}), true));
  EXPECT_TRUE(HoldsBool(Call(kNotEqual, {a, b}), false));
  Value m1 = Map(
      {{Value::Int(1), Value::Double(1.0)}, {Value::Uint(2), Value::Uint(3)}});
  Value m2 = Map(
      {{Value::Uint(1), Value::Int(1)}, {Value::Int(2), Value::Double(3.0)}});
  EXPECT_TRUE(HoldsBool(Call(kEqual, {m1, m2}), true));
  EXPECT_TRUE(HoldsBool(Call(kEqual, {m1, a}), false));

  // An error inside an aggregate comes out of != too.
  Value with_error = List({Value::Error("boom")});
  EXPECT_TRUE(
      HoldsError(Call(kNotEqual, {with_error, List({Value::Int(1)})}), "boom"));
}

// ---------------------------------------------------------------------------
// Membership.

TEST_F(OperatorsTest, InList) {
  Value ints = List({Value::Int(5), Value::Int(4), Value::Int(3)});
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(3), ints}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(7), ints}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Double(3.0), ints}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Uint(3), ints}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Double(3.5), ints}), false));
  EXPECT_TRUE(
      HoldsBool(Call(kIn, {Value::Int(3), List({Value::Double(3.0)})}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kIn, {Value::Double(kNaN), List({Value::Double(kNaN)})}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(7), List({})}), false));
  Value mixed = List({Value::Uint(1), Value::String("str"), Value::Int(2),
                      Value::Bytes("elem")});
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::String("elem"), mixed}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::String("str"), mixed}), true));
  EXPECT_TRUE(HoldsBool(
      Call(kIn, {List({Value::Int(1)}), List({List({Value::Uint(1)})})}),
      true));
  EXPECT_EQ(OverloadId(kIn, {Value::Int(1), ints}), "in_list");
}

TEST_F(OperatorsTest, InListFindsPastNestedErrors) {
  // [1] against [error] is an error, but a later equal element wins.
  Value broken = List({Value::Error("boom")});
  Value one = List({Value::Int(1)});
  EXPECT_TRUE(HoldsBool(Call(kIn, {one, List({broken, one})}), true));
  EXPECT_TRUE(HoldsError(Call(kIn, {one, List({broken, List({})})}), "boom"));
  // An int is simply unequal to a list, whatever the list holds.
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(1), List({broken})}), false));
}

TEST_F(OperatorsTest, InMap) {
  Value map = Map({{Value::Int(1), Value::Int(1)},
                   {Value::Int(2), Value::Int(2)},
                   {Value::Uint(3), Value::Int(3)}});
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Double(3.0), map}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Double(3.1), map}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Uint(2), map}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(3), map}), true));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::String("3"), map}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {List({}), map}), false));
  EXPECT_TRUE(HoldsBool(Call(kIn, {Value::Int(7), Map({})}), false));
  EXPECT_EQ(OverloadId(kIn, {Value::Int(1), map}), "in_map");
}

// ---------------------------------------------------------------------------
// Indexing.

TEST_F(OperatorsTest, ListIndex) {
  Value list = List({Value::Int(7), Value::Int(8), Value::Int(9)});
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Int(0)}), 7));
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Int(2)}), 9));
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Uint(1)}), 8));
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Double(0.0)}), 7));
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Double(-0.0)}), 7));
  EXPECT_TRUE(HoldsInt(Call(kIndex, {list, Value::Double(2.0)}), 9));
  EXPECT_EQ(OverloadId(kIndex, {list, Value::Int(0)}), "index_list");
}

TEST_F(OperatorsTest, ListIndexErrors) {
  Value list = List({Value::Int(1), Value::Int(2), Value::Int(3)});
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Int(3)}), kIndexOutOfRange));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Int(-1)}), kIndexOutOfRange));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Int(kIntMin)}), kIndexOutOfRange));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Uint(3)}), kIndexOutOfRange));
  EXPECT_TRUE(HoldsError(Call(kIndex, {list, Value::Uint(kUintMax)}),
                         kIndexOutOfRange));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Double(3.0)}), kIndexOutOfRange));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Double(0.1)}), "not an integer"));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Double(kNaN)}), "not an integer"));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Double(kInf)}), "not an integer"));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::Double(1e300)}), "not an integer"));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {list, Value::String("")}), kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {List({}), Value::Int(0)}), kIndexOutOfRange));
}

TEST_F(OperatorsTest, MapIndex) {
  Value map = Map({{Value::Uint(1), Value::Double(1.0)},
                   {Value::Int(2), Value::Double(2.0)},
                   {Value::Uint(3), Value::Double(3.0)},
                   {Value::Bool(true), Value::String("yes")},
                   {Value::String("name"), Value::Uint(100)}});
  EXPECT_EQ(Call(kIndex, {map, Value::Double(3.0)}).double_value(), 3.0);
  EXPECT_EQ(Call(kIndex, {map, Value::Uint(2)}).double_value(), 2.0);
  EXPECT_EQ(Call(kIndex, {map, Value::Int(1)}).double_value(), 1.0);
  EXPECT_EQ(Call(kIndex, {map, Value::Bool(true)}).text(), "yes");
  EXPECT_TRUE(HoldsUint(Call(kIndex, {map, Value::String("name")}), 100u));
  EXPECT_TRUE(HoldsError(Call(kIndex, {map, Value::Double(3.1)}), kNoSuchKey));
  EXPECT_TRUE(
      HoldsError(Call(kIndex, {map, Value::Int(-1)}), "no such key: -1"));
  EXPECT_TRUE(HoldsError(Call(kIndex, {map, Value::String("Name")}),
                         "no such key: \"Name\""));
  EXPECT_TRUE(HoldsError(Call(kIndex, {map, Value::Bool(false)}), kNoSuchKey));
  // A key of a kind no map holds is simply absent.
  EXPECT_TRUE(HoldsError(Call(kIndex, {map, Value::Bytes("")}), kNoSuchKey));
  EXPECT_TRUE(HoldsError(Call(kIndex, {map, Value::Null()}), kNoSuchKey));
  EXPECT_EQ(OverloadId(kIndex, {map, Value::Int(1)}), "index_map");
}

TEST_F(OperatorsTest, IndexOnOtherKindsHasNoOverload) {
  EXPECT_TRUE(HoldsError(Call(kIndex, {Value::String("abc"), Value::Int(0)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call(kIndex, {Value::Int(1), Value::Int(0)}),
                         kNoMatchingOverload));
}

// ---------------------------------------------------------------------------
// size, !

TEST_F(OperatorsTest, SizeCountsCodePointsElementsAndEntries) {
  for (bool receiver : {false, true}) {
    SCOPED_TRACE(receiver);
    EXPECT_TRUE(HoldsInt(Call("size", {Value::String("")}, receiver), 0));
    EXPECT_TRUE(HoldsInt(Call("size", {Value::String("four")}, receiver), 4));
    EXPECT_TRUE(
        HoldsInt(Call("size", {Value::String("\xc3\xbf")}, receiver), 1));
    // "πέντε" is five code points in ten bytes.
    EXPECT_TRUE(HoldsInt(Call("size",
                              {Value::String("\xcf\x80\xce\xad\xce\xbd\xcf\x84"
                                             "\xce\xb5")},
                              receiver),
                         5));
    EXPECT_TRUE(HoldsInt(
        Call("size", {Value::String("\xf0\x9f\x90\xb1!")}, receiver), 2));
    EXPECT_TRUE(
        HoldsInt(Call("size", {Value::Bytes("\xc3\xbf")}, receiver), 2));
    EXPECT_TRUE(HoldsInt(
        Call("size", {List({Value::Int(1), Value::Null()})}, receiver), 2));
    EXPECT_TRUE(HoldsInt(
        Call("size", {Map({{Value::Int(1), Value::Int(1)}})}, receiver), 1));
    EXPECT_TRUE(HoldsError(Call("size", {Value::Int(1)}, receiver),
                           kNoMatchingOverload));
  }
  EXPECT_EQ(OverloadId("size", {Value::String("")}), "size_string");
  EXPECT_EQ(OverloadId("size", {Value::String("")}, true), "string_size");
  EXPECT_EQ(OverloadId("size", {List({})}, true), "list_size");
  EXPECT_EQ(OverloadId("size", {Map({})}), "size_map");
}

TEST_F(OperatorsTest, LogicalNot) {
  EXPECT_TRUE(HoldsBool(Call(kNot, {Value::Bool(true)}), false));
  EXPECT_TRUE(HoldsBool(Call(kNot, {Value::Bool(false)}), true));
  EXPECT_TRUE(HoldsError(Call(kNot, {Value::Int(0)}), kNoMatchingOverload));
}

// ---------------------------------------------------------------------------
// Signatures, for the checker.

TEST_F(OperatorsTest, SignaturesTypeTheResults) {
  auto find = [this](absl::string_view name,
                     absl::string_view id) -> const Overload* {
    for (const Overload& overload : *registry_.Find(name)) {
      if (overload.id == id) return &overload;
    }
    return nullptr;
  };
  const Overload* add_list = find(kAdd, "add_list");
  ASSERT_NE(add_list, nullptr);
  EXPECT_EQ(add_list->result.DebugString(), "list(A)");
  EXPECT_EQ(add_list->params[0].DebugString(), "list(A)");

  const Overload* index_map = find(kIndex, "index_map");
  ASSERT_NE(index_map, nullptr);
  EXPECT_EQ(index_map->params[0].DebugString(), "map(A, B)");
  EXPECT_EQ(index_map->params[1].DebugString(), "A");
  EXPECT_EQ(index_map->result.DebugString(), "B");

  const Overload* less = find(kLess, "less_uint64_double");
  ASSERT_NE(less, nullptr);
  EXPECT_EQ(less->params[0], Type::Uint());
  EXPECT_EQ(less->params[1], Type::Double());
  EXPECT_EQ(less->result, Type::Bool());

  const Overload* size = find("size", "map_size");
  ASSERT_NE(size, nullptr);
  EXPECT_TRUE(size->receiver_style);
  EXPECT_EQ(size->result, Type::Int());

  // Every overload can be called and has as many parameters as its
  // operator takes.
  for (absl::string_view name :
       {kAdd, kSubtract, kMultiply, kDivide, kModulo, kLess, kLessEqual,
        kGreater, kGreaterEqual, kEqual, kNotEqual, kIn, kIndex}) {
    for (const Overload& overload : *registry_.Find(name)) {
      EXPECT_NE(overload.impl, nullptr) << overload.id;
      EXPECT_EQ(overload.params.size(), 2u) << overload.id;
    }
  }
}

}  // namespace
}  // namespace motive::expr
