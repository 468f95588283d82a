// The math extension, called through the registry as the evaluator calls
// it: the overload is matched on the argument values, then invoked.

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "expr/functions.h"
#include "expr/type.h"
#include "expr/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/expr/stdlib_test_support.h"

namespace motive::expr {
namespace {


using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
constexpr uint64_t kUintMax = std::numeric_limits<uint64_t>::max();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

// Exact, so that -0.0 and 0.0 differ and NaN equals NaN.
class MathTest : public ::testing::Test {
 protected:
  MathTest() : context_(&arena_, limits_) { AddMathExtensions(registry_); }

  // The math extension has global functions only.
  Value Call(absl::string_view function, std::vector<Value> args) {
    return CallFunction(registry_, function, args, /*receiver=*/false,
                        context_);
  }

  // The overload the checker would choose for these parameter types.
  const Overload* Declared(absl::string_view function,
                           const std::vector<Type>& params) {
    const std::vector<Overload>* overloads = registry_.Find(function);
    if (overloads == nullptr) return nullptr;
    for (const Overload& overload : *overloads) {
      if (overload.params == params) return &overload;
    }
    return nullptr;
  }

  Value List(std::vector<Value> values) {
    lists_.push_back(std::move(values));
    return Value::List(lists_.back());
  }

  Arena arena_;
  Limits limits_;
  EvalContext context_;
  FunctionRegistry registry_;

 private:
  std::deque<std::vector<Value>> lists_;
};

Value I(int64_t i) { return Value::Int(i); }
Value U(uint64_t u) { return Value::Uint(u); }
Value D(double d) { return Value::Double(d); }

// ---------------------------------------------------------------------------
// Registration.

TEST_F(MathTest, TheWholeLibraryRegistersWithoutClashes) {
  // Ids are unique across the library and signatures within a function:
  // any clash aborts, so getting here is the test.
  FunctionRegistry all;
  AddOperators(all);
  AddConversions(all);
  AddStringFunctions(all);
  AddStringExtensions(all);
  AddTimeFunctions(all);
  AddMathExtensions(all);
  EXPECT_NE(all.Find("math.greatest"), nullptr);
  EXPECT_NE(all.Find("strings.quote"), nullptr);
  EXPECT_NE(all.Find("getDayOfWeek"), nullptr);
}

TEST_F(MathTest, GreatestAndLeastSignatures) {
  const Type i = Type::Int();
  const Type u = Type::Uint();
  const Type d = Type::Double();
  const Type dyn = Type::Dyn();
  for (const char* name : {"math.greatest", "math.least"}) {
    SCOPED_TRACE(name);
    // One kind keeps its type; mixed kinds are dyn.
    ASSERT_NE(Declared(name, {i}), nullptr);
    EXPECT_EQ(Declared(name, {i})->result, i);
    EXPECT_EQ(Declared(name, {d, d})->result, d);
    EXPECT_EQ(Declared(name, {i, u})->result, dyn);
    EXPECT_EQ(Declared(name, {u, u, u})->result, u);
    EXPECT_EQ(Declared(name, {Type::List(d)})->result, d);
    EXPECT_EQ(Declared(name, {Type::List(dyn)})->result, dyn);
    ASSERT_NE(Declared(name, std::vector<Type>(8, dyn)), nullptr);
    EXPECT_EQ(Declared(name, std::vector<Type>(9, dyn)), nullptr);
    EXPECT_EQ(Declared(name, {}), nullptr);
    EXPECT_FALSE(Declared(name, {i})->receiver_style);
  }
  EXPECT_EQ(Declared("math.greatest", {i, u})->id, "math_greatest_int_uint");
  EXPECT_EQ(Declared("math.sqrt", {i})->result, Type::Double());
  EXPECT_EQ(Declared("math.bitShiftLeft", {u, i})->result, u);
  EXPECT_EQ(Declared("math.ceil", {i}), nullptr);
}

// ---------------------------------------------------------------------------
// math.greatest and math.least.

TEST_F(MathTest, GreatestKeepsTheKindOfTheWinner) {
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(-5)}), -5));
  EXPECT_TRUE(HoldsDouble(Call("math.greatest", {D(5.0)}), 5.0));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {U(5)}), 5));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(3), I(-3)}), 3));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(-7), I(5)}), 5));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(kIntMax), I(1)}), kIntMax));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(kIntMin), I(1)}), 1));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {U(5), I(-7)}), 5));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {I(-3), U(3)}), 3));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {U(kUintMax), U(1)}), kUintMax));
  EXPECT_TRUE(HoldsDouble(Call("math.greatest", {D(1.797693e308), I(1)}),
                          1.797693e308));
  EXPECT_TRUE(
      HoldsDouble(Call("math.greatest", {D(-1.797693e308), D(1.5)}), 1.5));
  EXPECT_TRUE(HoldsInt(
      Call("math.greatest", {D(5.4), I(10), U(3), D(-5.0), I(kIntMax)}),
      kIntMax));
  EXPECT_TRUE(HoldsUint(
      Call("math.greatest", {D(5.4), I(10), U(3), D(-5.0), U(kUintMax)}),
      kUintMax));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(1), I(3), I(10)}), 10));
  EXPECT_TRUE(HoldsInt(
      Call("math.greatest", {I(1), I(2), I(3), I(4), I(5), I(6), I(7), I(8)}),
      8));
}

TEST_F(MathTest, TiesKeepTheFirst) {
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(1), D(1.0)}), 1));
  EXPECT_TRUE(HoldsDouble(Call("math.greatest", {D(1.0), I(1)}), 1.0));
  EXPECT_TRUE(HoldsUint(Call("math.least", {U(1), I(1), D(1.0)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.least", {I(1), U(1)}), 1));
}

TEST_F(MathTest, MixedKindsCompareExactly) {
  // 2^53 + 1 is not a double: as a double it would tie with 2^53.
  const int64_t big = (int64_t{1} << 53) + 1;
  EXPECT_TRUE(
      HoldsInt(Call("math.greatest", {D(9007199254740992.0), I(big)}), big));
  EXPECT_TRUE(HoldsDouble(Call("math.least", {I(big), D(9007199254740992.0)}),
                          9007199254740992.0));
  // A double just past INT64_MAX is greater than any int, and -2^63 ties.
  EXPECT_TRUE(
      HoldsDouble(Call("math.greatest", {I(kIntMax), D(0x1p63)}), 0x1p63));
  EXPECT_TRUE(HoldsInt(Call("math.least", {I(kIntMin), D(-0x1p63)}), kIntMin));
  EXPECT_TRUE(
      HoldsDouble(Call("math.greatest", {U(kUintMax), D(0x1p64)}), 0x1p64));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {D(-0.5), U(0)}), 0));
  EXPECT_TRUE(HoldsDouble(Call("math.least", {U(0), D(-0.5)}), -0.5));
  EXPECT_TRUE(HoldsDouble(Call("math.greatest", {I(1), D(1.5)}), 1.5));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {I(2), D(1.5)}), 2));
  EXPECT_TRUE(HoldsDouble(Call("math.least", {I(-1), D(-1.5)}), -1.5));
  EXPECT_TRUE(HoldsInt(Call("math.least", {U(1), I(-1)}), -1));
  EXPECT_TRUE(HoldsUint(Call("math.greatest", {I(kIntMax), U(1ULL << 63)}),
                        1ULL << 63));
  EXPECT_TRUE(HoldsInt(Call("math.greatest", {D(-kInf), I(kIntMin)}), kIntMin));
  EXPECT_TRUE(HoldsDouble(Call("math.greatest", {D(kInf), I(kIntMax)}), kInf));
}

TEST_F(MathTest, LeastMirrorsGreatest) {
  EXPECT_TRUE(HoldsInt(Call("math.least", {I(-3), I(3)}), -3));
  EXPECT_TRUE(HoldsInt(Call("math.least", {I(kIntMin), I(1)}), kIntMin));
  EXPECT_TRUE(HoldsDouble(
      Call("math.least", {D(5.4), I(10), U(3), D(-5.0), I(kIntMax)}), -5.0));
  EXPECT_TRUE(HoldsUint(
      Call("math.least", {D(5.4), I(10), U(3), U(1), U(kUintMax)}), 1));
  EXPECT_TRUE(HoldsDouble(Call("math.least", {D(-1.797693e308), D(1.5)}),
                          -1.797693e308));
  EXPECT_TRUE(HoldsUint(Call("math.least", {U(10), U(3), U(1)}), 1));
}

TEST_F(MathTest, ListForms) {
  EXPECT_TRUE(HoldsInt(
      Call("math.greatest", {List({D(5.4), I(10), U(3), D(-5.0), D(3.5)})}),
      10));
  EXPECT_TRUE(HoldsDouble(
      Call("math.greatest", {List({D(5.4), D(10.5), U(3), D(-5.0)})}), 10.5));
  EXPECT_TRUE(HoldsUint(
      Call("math.greatest", {List({D(5.4), U(10), U(3), D(-5.0)})}), 10));
  EXPECT_TRUE(HoldsDouble(
      Call("math.least", {List({D(5.4), I(10), U(3), D(-5.0), D(3.5)})}),
      -5.0));
  EXPECT_TRUE(HoldsInt(Call("math.least", {List({I(7)})}), 7));
  EXPECT_TRUE(HoldsError(Call("math.greatest", {List({})}), "empty list"));
  EXPECT_TRUE(HoldsError(Call("math.least", {List({})}), "empty list"));
  EXPECT_TRUE(
      HoldsError(Call("math.greatest", {List({I(1), Value::String("2")})}),
                 kNoMatchingOverload));
}

TEST_F(MathTest, GreatestRefusesWhatIsNotANumber) {
  // Bools and strings reach the dyn overloads; the implementation refuses.
  EXPECT_TRUE(HoldsError(Call("math.greatest", {Value::Bool(true)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call("math.greatest", {I(1), Value::String("a"), I(2)}),
                 kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call("math.least", {I(1), Value::Null()}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call("math.greatest", {I(1), I(2), I(3), I(4), I(5),
                                                I(6), I(7), I(8), I(9)}),
                         kNoMatchingOverload));
  // NaN has no place in an order.
  EXPECT_TRUE(HoldsError(Call("math.greatest", {D(kNaN), I(1)}), "NaN"));
  EXPECT_TRUE(HoldsError(Call("math.least", {List({I(1), D(kNaN)})}), "NaN"));
}

// ---------------------------------------------------------------------------
// Rounding, abs, sign, classification, sqrt.

TEST_F(MathTest, Rounding) {
  EXPECT_TRUE(HoldsDouble(Call("math.ceil", {D(-1.2)}), -1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.ceil", {D(1.2)}), 2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.ceil", {D(-0.5)}), -0.0));
  EXPECT_TRUE(HoldsDouble(Call("math.floor", {D(-1.2)}), -2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.floor", {D(1.2)}), 1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(-1.6)}), -2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(-1.4)}), -1.0));
  // Halves round away from zero.
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(-1.5)}), -2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(1.5)}), 2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(2.5)}), 3.0));
  EXPECT_TRUE(HoldsDouble(Call("math.round", {D(1.2)}), 1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.trunc", {D(-1.2)}), -1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.trunc", {D(1.8)}), 1.0));
  for (const char* name :
       {"math.ceil", "math.floor", "math.round", "math.trunc"}) {
    EXPECT_TRUE(HoldsDouble(Call(name, {D(kNaN)}), kNaN)) << name;
    EXPECT_TRUE(HoldsDouble(Call(name, {D(-kInf)}), -kInf)) << name;
    EXPECT_TRUE(HoldsDouble(Call(name, {D(1e300)}), 1e300)) << name;
    // Only doubles: an int is no match, even through dyn.
    EXPECT_TRUE(HoldsError(Call(name, {I(1)}), kNoMatchingOverload)) << name;
  }
}

TEST_F(MathTest, AbsAndSign) {
  EXPECT_TRUE(HoldsUint(Call("math.abs", {U(1)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.abs", {I(1)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.abs", {I(-11)}), 11));
  EXPECT_TRUE(HoldsInt(Call("math.abs", {I(kIntMax)}), kIntMax));
  EXPECT_TRUE(HoldsInt(Call("math.abs", {I(kIntMin + 1)}), kIntMax));
  EXPECT_TRUE(HoldsError(Call("math.abs", {I(kIntMin)}), kIntegerOverflow));
  EXPECT_TRUE(HoldsDouble(Call("math.abs", {D(-11.5)}), 11.5));
  EXPECT_TRUE(HoldsDouble(Call("math.abs", {D(-0.0)}), 0.0));
  EXPECT_TRUE(HoldsDouble(Call("math.abs", {D(-kInf)}), kInf));

  EXPECT_TRUE(HoldsUint(Call("math.sign", {U(100)}), 1));
  EXPECT_TRUE(HoldsUint(Call("math.sign", {U(0)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.sign", {I(100)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.sign", {I(-11)}), -1));
  EXPECT_TRUE(HoldsInt(Call("math.sign", {I(kIntMin)}), -1));
  EXPECT_TRUE(HoldsInt(Call("math.sign", {I(0)}), 0));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(100.5)}), 1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(-32.0)}), -1.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(0.0)}), 0.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(-0.0)}), -0.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(kNaN)}), kNaN));
  EXPECT_TRUE(HoldsDouble(Call("math.sign", {D(-kInf)}), -1.0));
  EXPECT_TRUE(
      HoldsError(Call("math.sign", {Value::Bool(true)}), kNoMatchingOverload));
}

TEST_F(MathTest, Classification) {
  EXPECT_TRUE(HoldsBool(Call("math.isNaN", {D(kNaN)}), true));
  EXPECT_TRUE(HoldsBool(Call("math.isNaN", {D(kInf)}), false));
  EXPECT_TRUE(HoldsBool(Call("math.isInf", {D(kInf)}), true));
  EXPECT_TRUE(HoldsBool(Call("math.isInf", {D(-kInf)}), true));
  EXPECT_TRUE(HoldsBool(Call("math.isInf", {D(kNaN)}), false));
  EXPECT_TRUE(HoldsBool(Call("math.isFinite", {D(1.0 / 1.5)}), true));
  EXPECT_TRUE(HoldsBool(Call("math.isFinite", {D(kNaN)}), false));
  EXPECT_TRUE(HoldsBool(Call("math.isFinite", {D(-kInf)}), false));
  EXPECT_TRUE(
      HoldsError(Call("math.isNaN", {Value::Bool(true)}), kNoMatchingOverload));
}

TEST_F(MathTest, Sqrt) {
  EXPECT_TRUE(HoldsDouble(Call("math.sqrt", {D(49.0)}), 7.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sqrt", {I(81)}), 9.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sqrt", {U(4)}), 2.0));
  EXPECT_TRUE(HoldsDouble(Call("math.sqrt", {D(-0.0)}), -0.0));
  EXPECT_TRUE(
      HoldsBool(Call("math.isNaN", {Call("math.sqrt", {I(-1)})}), true));
  EXPECT_TRUE(HoldsDouble(Call("math.sqrt", {D(kInf)}), kInf));
}

// ---------------------------------------------------------------------------
// Bits.

TEST_F(MathTest, BitwiseOperations) {
  EXPECT_TRUE(HoldsInt(Call("math.bitAnd", {I(1), I(2)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitAnd", {I(1), I(3)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.bitAnd", {I(1), I(-1)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.bitAnd", {I(kIntMin), I(-1)}), kIntMin));
  EXPECT_TRUE(HoldsUint(Call("math.bitAnd", {U(1), U(3)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.bitOr", {I(1), I(2)}), 3));
  EXPECT_TRUE(HoldsInt(Call("math.bitOr", {I(4), I(-2)}), -2));
  EXPECT_TRUE(HoldsUint(Call("math.bitOr", {U(1), U(4)}), 5));
  EXPECT_TRUE(HoldsInt(Call("math.bitXor", {I(1), I(3)}), 2));
  EXPECT_TRUE(HoldsInt(Call("math.bitXor", {I(4), I(-2)}), -6));
  EXPECT_TRUE(HoldsUint(Call("math.bitXor", {U(1), U(3)}), 2));
  EXPECT_TRUE(HoldsInt(Call("math.bitNot", {I(1)}), -2));
  EXPECT_TRUE(HoldsInt(Call("math.bitNot", {I(-1)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitNot", {I(0)}), -1));
  EXPECT_TRUE(HoldsInt(Call("math.bitNot", {I(kIntMax)}), kIntMin));
  EXPECT_TRUE(HoldsUint(Call("math.bitNot", {U(1)}), 18446744073709551614u));
  EXPECT_TRUE(HoldsUint(Call("math.bitNot", {U(0)}), kUintMax));
  // Mixed kinds do not match.
  EXPECT_TRUE(
      HoldsError(Call("math.bitAnd", {U(2), I(1)}), kNoMatchingOverload));
  EXPECT_TRUE(
      HoldsError(Call("math.bitOr", {D(1.2), I(1)}), kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call("math.bitNot", {Value::String("")}),
                         kNoMatchingOverload));
}

TEST_F(MathTest, Shifts) {
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(1), I(2)}), 4));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(1), I(63)}), kIntMin));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(1), I(64)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(1), I(200)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(-1), I(200)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftLeft", {I(-1), I(1)}), -2));
  EXPECT_TRUE(HoldsUint(Call("math.bitShiftLeft", {U(1), I(2)}), 4));
  EXPECT_TRUE(HoldsUint(Call("math.bitShiftLeft", {U(1), I(200)}), 0));
  EXPECT_TRUE(
      HoldsUint(Call("math.bitShiftLeft", {U(kUintMax), I(63)}), 1ULL << 63));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(1024), I(2)}), 256));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(1024), I(64)}), 0));
  // Logical, not arithmetic, for ints too.
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(-1024), I(3)}),
                       2305843009213693824));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(-1), I(63)}), 1));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(-1024), I(64)}), 0));
  EXPECT_TRUE(HoldsUint(Call("math.bitShiftRight", {U(1024), I(2)}), 256));
  EXPECT_TRUE(HoldsUint(Call("math.bitShiftRight", {U(1024), I(200)}), 0));
  EXPECT_TRUE(HoldsInt(Call("math.bitShiftRight", {I(5), I(0)}), 5));
  EXPECT_TRUE(
      HoldsError(Call("math.bitShiftLeft", {U(1), I(-1)}), "negative offset"));
  EXPECT_TRUE(HoldsError(Call("math.bitShiftRight", {I(1), I(kIntMin)}),
                         "negative offset"));
  EXPECT_TRUE(HoldsError(Call("math.bitShiftLeft", {D(4.3), I(1)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Call("math.bitShiftRight", {I(4), U(1)}),
                         kNoMatchingOverload));
}

}  // namespace
}  // namespace motive::expr
