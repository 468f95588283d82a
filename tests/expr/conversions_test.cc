// The standard conversions, called through the registry as the evaluator
// calls them.

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "expr/functions.h"
#include "expr/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/expr/stdlib_test_support.h"

namespace motive::expr {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kIntMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kIntMin = std::numeric_limits<int64_t>::min();
constexpr uint64_t kUintMax = std::numeric_limits<uint64_t>::max();
const double kNaN = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();

class ConversionsTest : public ::testing::Test {
 protected:
  ConversionsTest() : context_(&arena_, limits_) { AddConversions(registry_); }

  const Overload* Select(absl::string_view function, const Value& arg) {
    const std::vector<Overload>* overloads = registry_.Find(function);
    if (overloads == nullptr) return nullptr;
    std::vector<const Overload*> candidates;
    for (const Overload& overload : *overloads) {
      candidates.push_back(&overload);
    }
    return FunctionRegistry::Match(candidates, {arg});
  }

  Value Call(absl::string_view function, Value arg) {
    const Overload* overload = Select(function, arg);
    if (overload == nullptr)
      return NoMatchingOverload(function, {arg}, context_);
    return overload->impl({arg}, context_);
  }

  std::string OverloadId(absl::string_view function, Value arg) {
    const Overload* overload = Select(function, arg);
    return overload == nullptr ? "" : overload->id;
  }

  // string(double), as text.
  std::string Format(double d) {
    Value v = Call("string", Value::Double(d));
    EXPECT_EQ(v.kind(), ValueKind::kString) << DebugString(v);
    return std::string(v.text());
  }

  Arena arena_;
  Limits limits_;
  EvalContext context_;
  FunctionRegistry registry_;
};

// ---------------------------------------------------------------------------
// int()

TEST_F(ConversionsTest, IntFromUint) {
  EXPECT_TRUE(HoldsInt(Call("int", Value::Uint(42)), 42));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Uint(0)), 0));
  EXPECT_TRUE(
      HoldsInt(Call("int", Value::Uint(9223372036854775807u)), kIntMax));
  EXPECT_TRUE(
      HoldsError(Call("int", Value::Uint(9223372036854775808u)), "range"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Uint(kUintMax)), "range"));
}

TEST_F(ConversionsTest, IntFromDoubleTruncatesTowardZero) {
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(-123.456)), -123));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(1.9)), 1));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(-7.9)), -7));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(11.5)), 11));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(-3.5)), -3));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(-0.0)), 0));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(36028797018963968.0)),
                       36028797018963968));
  // The largest doubles below 2^63 in magnitude still fit.
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(9223372036854774784.0)),
                       9223372036854774784));
  EXPECT_TRUE(HoldsInt(Call("int", Value::Double(-9223372036854774784.0)),
                       -9223372036854774784));
}

TEST_F(ConversionsTest, IntFromDoubleOutOfRange) {
  // 2^63 is one past the largest int; -2^63 is refused as CEL does.
  EXPECT_TRUE(
      HoldsError(Call("int", Value::Double(9223372036854775807.0)), "range"));
  EXPECT_TRUE(
      HoldsError(Call("int", Value::Double(-9223372036854775808.0)), "range"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Double(1e99)), "range"));
  EXPECT_TRUE(
      HoldsError(Call("int", Value::Double(18446744073709551615.0)), "range"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Double(kInf)), "range"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Double(-kInf)), "range"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Double(kNaN)), "range"));
}

TEST_F(ConversionsTest, IntFromString) {
  EXPECT_TRUE(HoldsInt(Call("int", Value::String("987")), 987));
  EXPECT_TRUE(HoldsInt(Call("int", Value::String("-987")), -987));
  EXPECT_TRUE(HoldsInt(Call("int", Value::String("+5")), 5));
  EXPECT_TRUE(HoldsInt(Call("int", Value::String("007")), 7));
  EXPECT_TRUE(
      HoldsInt(Call("int", Value::String("-9223372036854775808")), kIntMin));
  EXPECT_TRUE(
      HoldsInt(Call("int", Value::String("9223372036854775807")), kIntMax));
  for (const char* bad :
       {"", "-", "+", " 5", "5 ", "0x10", "1.0", "1e3", "+-1", "--1",
        "9223372036854775808", "-9223372036854775809", "12a"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(HoldsError(Call("int", Value::String(bad)), "cannot convert"));
  }
}

TEST_F(ConversionsTest, IntIdentityAndNoOverload) {
  EXPECT_TRUE(HoldsInt(Call("int", Value::Int(kIntMin)), kIntMin));
  EXPECT_TRUE(HoldsError(Call("int", Value::Bool(true)),
                         "no matching overload for 'int' applied to (bool)"));
  EXPECT_TRUE(HoldsError(Call("int", Value::Bytes("1")), kNoMatchingOverload));
}

// ---------------------------------------------------------------------------
// uint()

TEST_F(ConversionsTest, UintFromNumbers) {
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Int(1729)), 1729u));
  EXPECT_TRUE(
      HoldsUint(Call("uint", Value::Int(kIntMax)), 9223372036854775807u));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Int(-1)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Int(kIntMin)), "range"));
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Uint(kUintMax)), kUintMax));

  EXPECT_TRUE(HoldsUint(Call("uint", Value::Double(3.14159265)), 3u));
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Double(25.5)), 25u));
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Double(-0.0)), 0u));
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Double(36028797018963968.0)),
                        36028797018963968u));
  EXPECT_TRUE(HoldsUint(Call("uint", Value::Double(18446744073709549568.0)),
                        18446744073709549568u));
  EXPECT_TRUE(
      HoldsError(Call("uint", Value::Double(18446744073709551615.0)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Double(6.022e23)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Double(-0.5)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Double(-1)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Double(kNaN)), "range"));
  EXPECT_TRUE(HoldsError(Call("uint", Value::Double(kInf)), "range"));
}

TEST_F(ConversionsTest, UintFromString) {
  EXPECT_TRUE(HoldsUint(Call("uint", Value::String("300")), 300u));
  EXPECT_TRUE(
      HoldsUint(Call("uint", Value::String("18446744073709551615")), kUintMax));
  for (const char* bad :
       {"", "-1", "+1", "-0", " 1", "18446744073709551616", "1u", "0x1"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(HoldsError(Call("uint", Value::String(bad)), "cannot convert"));
  }
}

// ---------------------------------------------------------------------------
// double()

TEST_F(ConversionsTest, DoubleFromIntegers) {
  EXPECT_TRUE(HoldsDouble(Call("double", Value::Int(0)), 0.0));
  EXPECT_TRUE(
      HoldsDouble(Call("double", Value::Int(-1000000000000000)), -1e15));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::Int(9007199254740992)),
                          9.007199254740992e15));
  // Rounds to the nearest double.
  EXPECT_TRUE(HoldsDouble(Call("double", Value::Int(kIntMax)),
                          9.223372036854775807e18));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::Uint(kUintMax)),
                          1.8446744073709551615e19));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::Double(5.5)), 5.5));
}

TEST_F(ConversionsTest, DoubleFromString) {
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("0")), 0.0));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("123")), 123.0));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("-987.654")), -987.654));
  EXPECT_TRUE(
      HoldsDouble(Call("double", Value::String("6.02214e23")), 6.02214e23));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("1.38e-23")), 1.38e-23));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("-84.32e7")), -8.432e8));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("+1.5")), 1.5));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String(".5")), 0.5));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("inf")), kInf));
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("-Infinity")), -kInf));
  // Too small to represent rounds to zero, as Go's ParseFloat does.
  EXPECT_TRUE(HoldsDouble(Call("double", Value::String("1e-400")), 0.0));

  Value negative_zero = Call("double", Value::String("-0.0"));
  ASSERT_EQ(negative_zero.kind(), ValueKind::kDouble);
  EXPECT_TRUE(std::signbit(negative_zero.double_value()));
  Value nan = Call("double", Value::String("NaN"));
  ASSERT_EQ(nan.kind(), ValueKind::kDouble);
  EXPECT_TRUE(std::isnan(nan.double_value()));

  for (const char* bad :
       {"", "abc", " 1", "1 ", "1.5x", "1e400", "-1e400", "+-1", "1,5"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(
        HoldsError(Call("double", Value::String(bad)), "cannot convert"));
  }
}

// ---------------------------------------------------------------------------
// string()

TEST_F(ConversionsTest, StringFromIntegersAndBools) {
  EXPECT_TRUE(
      HoldsText(Call("string", Value::Int(123)), ValueKind::kString, "123"));
  EXPECT_TRUE(
      HoldsText(Call("string", Value::Int(-456)), ValueKind::kString, "-456"));
  EXPECT_TRUE(HoldsText(Call("string", Value::Int(kIntMin)), ValueKind::kString,
                        "-9223372036854775808"));
  EXPECT_TRUE(
      HoldsText(Call("string", Value::Uint(9876)), ValueKind::kString, "9876"));
  EXPECT_TRUE(HoldsText(Call("string", Value::Uint(kUintMax)),
                        ValueKind::kString, "18446744073709551615"));
  EXPECT_TRUE(
      HoldsText(Call("string", Value::Bool(true)), ValueKind::kString, "true"));
  EXPECT_TRUE(HoldsText(Call("string", Value::Bool(false)), ValueKind::kString,
                        "false"));
  EXPECT_TRUE(HoldsText(Call("string", Value::String("hello")),
                        ValueKind::kString, "hello"));
}

TEST_F(ConversionsTest, StringFromDoubleMatchesCel) {
  EXPECT_EQ(Format(123.456), "123.456");
  EXPECT_EQ(Format(-4.5e-3), "-0.0045");
  EXPECT_EQ(Format(1.0), "1");
  EXPECT_EQ(Format(100.0), "100");
  EXPECT_EQ(Format(0.0), "0");
  EXPECT_EQ(Format(-0.0), "-0");
  EXPECT_EQ(Format(0.1), "0.1");
  EXPECT_EQ(Format(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(Format(0.0001), "0.0001");
  EXPECT_EQ(Format(0.00001), "1e-05");
  EXPECT_EQ(Format(123456.0), "123456");
  EXPECT_EQ(Format(1e6), "1e+06");
  EXPECT_EQ(Format(1234567.0), "1.234567e+06");
  EXPECT_EQ(Format(-1e21), "-1e+21");
  EXPECT_EQ(Format(1e100), "1e+100");
  EXPECT_EQ(Format(5e-324), "5e-324");
  EXPECT_EQ(Format(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(Format(kNaN), "NaN");
  EXPECT_EQ(Format(kInf), "+Inf");
  EXPECT_EQ(Format(-kInf), "-Inf");
}

TEST_F(ConversionsTest, StringFromDoubleReadsBack) {
  for (double d : {1.0 / 3, -2.0 / 7, 6.02214076e23, 1e-7, 123456.789,
                   9007199254740993.0, 4.9406564584124654e-324}) {
    std::string text = Format(d);
    Value back = Call("double", Value::String(text));
    ASSERT_EQ(back.kind(), ValueKind::kDouble) << text;
    EXPECT_EQ(back.double_value(), d) << text;
  }
}

TEST_F(ConversionsTest, StringFromBytesMustBeUtf8) {
  EXPECT_TRUE(HoldsText(Call("string", Value::Bytes("abc")), ValueKind::kString,
                        "abc"));
  EXPECT_TRUE(HoldsText(Call("string", Value::Bytes("\xc3\xbf")),
                        ValueKind::kString, "\xc3\xbf"));
  EXPECT_TRUE(HoldsText(Call("string", Value::Bytes("\xf0\x9f\x90\xb1")),
                        ValueKind::kString, "\xf0\x9f\x90\xb1"));
  EXPECT_TRUE(
      HoldsText(Call("string", Value::Bytes(absl::string_view("a\0b", 3))),
                ValueKind::kString, absl::string_view("a\0b", 3)));
  for (absl::string_view bad : {
           absl::string_view("\0\xff", 2),
           absl::string_view("\xc0\xaf"),          // overlong '/'
           absl::string_view("\xe0\x80\xaf"),      // overlong, 3 bytes
           absl::string_view("\xed\xa0\x80"),      // UTF-16 surrogate
           absl::string_view("\xf4\x90\x80\x80"),  // past U+10FFFF
           absl::string_view("\xe2\x82"),          // truncated
           absl::string_view("\x80"),              // stray continuation
           absl::string_view("\xf8\x88\x80\x80\x80"),
       }) {
    SCOPED_TRACE(DebugString(Value::Bytes(bad)));
    EXPECT_TRUE(HoldsError(Call("string", Value::Bytes(bad)), "invalid UTF-8"));
  }
}

// ---------------------------------------------------------------------------
// bytes(), bool()

TEST_F(ConversionsTest, Bytes) {
  EXPECT_TRUE(
      HoldsText(Call("bytes", Value::String("")), ValueKind::kBytes, ""));
  EXPECT_TRUE(HoldsText(Call("bytes", Value::String("\xc3\xbf")),
                        ValueKind::kBytes, "\xc3\xbf"));
  EXPECT_TRUE(
      HoldsText(Call("bytes", Value::Bytes("abc")), ValueKind::kBytes, "abc"));
  EXPECT_TRUE(HoldsError(Call("bytes", Value::Int(1)), kNoMatchingOverload));
}

TEST_F(ConversionsTest, BoolFromString) {
  for (const char* yes : {"1", "t", "T", "true", "TRUE", "True"}) {
    Value v = Call("bool", Value::String(yes));
    ASSERT_EQ(v.kind(), ValueKind::kBool) << yes;
    EXPECT_TRUE(v.bool_value()) << yes;
  }
  for (const char* no : {"0", "f", "F", "false", "FALSE", "False"}) {
    Value v = Call("bool", Value::String(no));
    ASSERT_EQ(v.kind(), ValueKind::kBool) << no;
    EXPECT_FALSE(v.bool_value()) << no;
  }
  for (const char* bad : {"TrUe", "FaLsE", "", "yes", " true", "2", "tr"}) {
    EXPECT_TRUE(
        HoldsError(Call("bool", Value::String(bad)), "type conversion error"));
  }
  EXPECT_TRUE(Call("bool", Value::Bool(true)).bool_value());
  EXPECT_TRUE(HoldsError(Call("bool", Value::Int(1)), kNoMatchingOverload));
}

// ---------------------------------------------------------------------------
// dyn(), type()

TEST_F(ConversionsTest, DynIsIdentity) {
  std::vector<Value> elements = {Value::Int(1), Value::String("one")};
  Value list = Value::List(elements);
  Value v = Call("dyn", list);
  ASSERT_EQ(v.kind(), ValueKind::kList);
  EXPECT_EQ(v.list().data(), elements.data());
  EXPECT_EQ(OverloadId("dyn", Value::Null()), "to_dyn");
}

TEST_F(ConversionsTest, TypeNamesTheKind) {
  auto type_name = [this](Value v) {
    Value t = Call("type", v);
    EXPECT_EQ(t.kind(), ValueKind::kType);
    return std::string(t.text());
  };
  EXPECT_EQ(type_name(Value::Bool(true)), "bool");
  EXPECT_EQ(type_name(Value::Int(0)), "int");
  EXPECT_EQ(type_name(Value::Uint(64)), "uint");
  EXPECT_EQ(type_name(Value::Double(-0.0)), "double");
  EXPECT_EQ(type_name(Value::Null()), "null_type");
  EXPECT_EQ(type_name(Value::String("")), "string");
  EXPECT_EQ(type_name(Value::Bytes("")), "bytes");
  EXPECT_EQ(type_name(Value::List({})), "list");
  Value map = MapValue::Make(&arena_, {});
  EXPECT_EQ(type_name(map), "map");
  EXPECT_EQ(type_name(Value::Timestamp(absl::UnixEpoch())),
            "google.protobuf.Timestamp");
  EXPECT_EQ(type_name(Value::Duration(absl::Seconds(1))),
            "google.protobuf.Duration");
  EXPECT_EQ(type_name(Value::Type("int")), "type");
  // type(type(7)) == type(type(7u)), but type(7) != type(7u).
  EXPECT_TRUE(Equal(Call("type", Call("type", Value::Int(7))),
                    Call("type", Call("type", Value::Uint(7))))
                  .bool_value());
  EXPECT_FALSE(Equal(Call("type", Value::Int(7)), Call("type", Value::Uint(7)))
                   .bool_value());
}

// ---------------------------------------------------------------------------
// Ids and signatures.

TEST_F(ConversionsTest, OverloadIds) {
  EXPECT_EQ(OverloadId("int", Value::Double(1)), "double_to_int64");
  EXPECT_EQ(OverloadId("int", Value::String("")), "string_to_int64");
  EXPECT_EQ(OverloadId("uint", Value::Int(1)), "int64_to_uint64");
  EXPECT_EQ(OverloadId("double", Value::Uint(1)), "uint64_to_double");
  EXPECT_EQ(OverloadId("string", Value::Bytes("")), "bytes_to_string");
  EXPECT_EQ(OverloadId("string", Value::Double(1)), "double_to_string");
  EXPECT_EQ(OverloadId("bytes", Value::String("")), "string_to_bytes");
  EXPECT_EQ(OverloadId("bool", Value::String("")), "string_to_bool");
  EXPECT_EQ(OverloadId("type", Value::Int(1)), "type");
}

TEST_F(ConversionsTest, Signatures) {
  const Overload* type = Select("type", Value::Int(1));
  ASSERT_NE(type, nullptr);
  EXPECT_EQ(type->result.DebugString(), "type(A)");
  const Overload* dyn = Select("dyn", Value::Int(1));
  ASSERT_NE(dyn, nullptr);
  EXPECT_TRUE(dyn->result.is_dyn());
  const Overload* to_int = Select("int", Value::String("1"));
  ASSERT_NE(to_int, nullptr);
  EXPECT_EQ(to_int->params, std::vector<Type>{Type::String()});
  EXPECT_EQ(to_int->result, Type::Int());
  for (absl::string_view name :
       {"int", "uint", "double", "string", "bytes", "bool", "dyn", "type"}) {
    for (const Overload& overload : *registry_.Find(name)) {
      EXPECT_FALSE(overload.receiver_style) << overload.id;
      EXPECT_EQ(overload.params.size(), 1u) << overload.id;
      EXPECT_NE(overload.impl, nullptr) << overload.id;
    }
  }
}

}  // namespace
}  // namespace motive::expr
