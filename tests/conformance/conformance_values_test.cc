#include "tests/conformance/conformance_values.h"

#include <cmath>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/wrappers.pb.h"
#include "gtest/gtest.h"

namespace motive::conformance {
namespace {

using ::testing::HasSubstr;
using ProtoType = ::cel::expr::Type;
using ProtoValue = ::cel::expr::Value;

ProtoType ParseType(const std::string& text) {
  ProtoType type;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &type))
      << text;
  return type;
}

ProtoValue ParseValue(const std::string& text) {
  ProtoValue value;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &value))
      << text;
  return value;
}

// --- TypeFromProto ----------------------------------------------------------

TEST(TypeFromProtoTest, Primitives) {
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: BOOL")), expr::Type::Bool());
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: INT64")), expr::Type::Int());
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: UINT64")), expr::Type::Uint());
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: DOUBLE")),
            expr::Type::Double());
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: STRING")),
            expr::Type::String());
  EXPECT_EQ(*TypeFromProto(ParseType("primitive: BYTES")), expr::Type::Bytes());
  EXPECT_EQ(*TypeFromProto(ParseType("null: NULL_VALUE")), expr::Type::Null());
  EXPECT_EQ(*TypeFromProto(ParseType("dyn {}")), expr::Type::Dyn());
  // Nothing set: proto3's default, read as dyn.
  EXPECT_EQ(*TypeFromProto(ProtoType()), expr::Type::Dyn());
  EXPECT_FALSE(
      TypeFromProto(ParseType("primitive: PRIMITIVE_TYPE_UNSPECIFIED")).ok());
}

TEST(TypeFromProtoTest, Containers) {
  EXPECT_EQ(*TypeFromProto(ParseType("list_type { elem_type { primitive: "
                                     "STRING } }")),
            expr::Type::List(expr::Type::String()));
  EXPECT_EQ(*TypeFromProto(ParseType(
                "map_type { key_type { primitive: STRING } "
                "value_type { list_type { elem_type { dyn {} } } } }")),
            expr::Type::Map(expr::Type::String(),
                            expr::Type::List(expr::Type::Dyn())));
  EXPECT_EQ(*TypeFromProto(ParseType("type { primitive: INT64 }")),
            expr::Type::TypeOf(expr::Type::Int()));
  // A list whose element type is a message cannot be declared either.
  absl::StatusOr<expr::Type> messages = TypeFromProto(
      ParseType("list_type { elem_type { message_type: 'a.B' } }"));
  EXPECT_TRUE(IsSkip(messages.status()));
}

TEST(TypeFromProtoTest, TimestampAndDurationEitherWay) {
  EXPECT_EQ(*TypeFromProto(ParseType("well_known: TIMESTAMP")),
            expr::Type::Timestamp());
  EXPECT_EQ(*TypeFromProto(ParseType("well_known: DURATION")),
            expr::Type::Duration());
  EXPECT_EQ(
      *TypeFromProto(ParseType("message_type: 'google.protobuf.Timestamp'")),
      expr::Type::Timestamp());
  EXPECT_EQ(
      *TypeFromProto(ParseType("message_type: 'google.protobuf.Duration'")),
      expr::Type::Duration());
}

TEST(TypeFromProtoTest, WhatSrcExprLeavesOutIsASkip) {
  for (const char* text : {
           "wrapper: INT64",
           "well_known: ANY",
           "message_type: 'cel.expr.conformance.proto3.TestAllTypes'",
           "function { result_type { primitive: INT64 } }",
           "abstract_type { name: 'optional_type' }",
       }) {
    absl::StatusOr<expr::Type> type = TypeFromProto(ParseType(text));
    ASSERT_FALSE(type.ok()) << text;
    EXPECT_TRUE(IsSkip(type.status())) << text << ": " << type.status();
  }
  EXPECT_EQ(TypeFromProto(ParseType("wrapper: INT64")).status().message(),
            kNeedsMessages);
}

// --- ValueFromProto ---------------------------------------------------------

TEST(ValueFromProtoTest, Scalars) {
  expr::Arena arena;
  expr::Value v = *ValueFromProto(ParseValue("null_value: NULL_VALUE"), &arena);
  EXPECT_EQ(v.kind(), expr::ValueKind::kNull);
  v = *ValueFromProto(ParseValue("bool_value: true"), &arena);
  ASSERT_EQ(v.kind(), expr::ValueKind::kBool);
  EXPECT_TRUE(v.bool_value());
  v = *ValueFromProto(ParseValue("int64_value: -9223372036854775808"), &arena);
  ASSERT_EQ(v.kind(), expr::ValueKind::kInt);
  EXPECT_EQ(v.int_value(), std::numeric_limits<int64_t>::min());
  v = *ValueFromProto(ParseValue("uint64_value: 18446744073709551615"), &arena);
  ASSERT_EQ(v.kind(), expr::ValueKind::kUint);
  EXPECT_EQ(v.uint_value(), std::numeric_limits<uint64_t>::max());
  v = *ValueFromProto(ParseValue("double_value: -0.5"), &arena);
  ASSERT_EQ(v.kind(), expr::ValueKind::kDouble);
  EXPECT_EQ(v.double_value(), -0.5);
  v = *ValueFromProto(ParseValue("type_value: 'int'"), &arena);
  ASSERT_EQ(v.kind(), expr::ValueKind::kType);
  EXPECT_EQ(v.text(), "int");
}

TEST(ValueFromProtoTest, TextIsCopiedIntoTheArena) {
  expr::Arena arena;
  expr::Value s, b;
  {
    ProtoValue text = ParseValue("string_value: 'caf\\303\\251'");
    ProtoValue bytes = ParseValue("bytes_value: '\\000\\377'");
    s = *ValueFromProto(text, &arena);
    b = *ValueFromProto(bytes, &arena);
    text.set_string_value("overwritten");
  }  // The protos are gone; the values must not have pointed into them.
  ASSERT_EQ(s.kind(), expr::ValueKind::kString);
  EXPECT_EQ(s.text(), "caf\xc3\xa9");
  ASSERT_EQ(b.kind(), expr::ValueKind::kBytes);
  EXPECT_EQ(b.text(), std::string("\0\xff", 2));

  expr::Value empty = *ValueFromProto(ParseValue("string_value: ''"), &arena);
  ASSERT_EQ(empty.kind(), expr::ValueKind::kString);
  EXPECT_TRUE(empty.text().empty());
}

TEST(ValueFromProtoTest, ListsAndMaps) {
  expr::Arena arena;
  expr::Value list = *ValueFromProto(
      ParseValue("list_value { values { int64_value: 1 } "
                 "values { list_value { values { string_value: 'x' } } } }"),
      &arena);
  ASSERT_EQ(list.kind(), expr::ValueKind::kList);
  ASSERT_EQ(list.list().size(), 2u);
  EXPECT_EQ(list.list()[0].int_value(), 1);
  ASSERT_EQ(list.list()[1].kind(), expr::ValueKind::kList);
  EXPECT_EQ(list.list()[1].list()[0].text(), "x");

  expr::Value empty = *ValueFromProto(ParseValue("list_value {}"), &arena);
  ASSERT_EQ(empty.kind(), expr::ValueKind::kList);
  EXPECT_TRUE(empty.list().empty());

  expr::Value map = *ValueFromProto(
      ParseValue(
          "map_value { "
          "entries { key { string_value: 'a' } value { int64_value: 1 } }"
          "entries { key { int64_value: 2 } value { bool_value: true } }"
          "}"),
      &arena);
  ASSERT_EQ(map.kind(), expr::ValueKind::kMap);
  EXPECT_EQ(map.map().size(), 2u);
  const expr::Value* a = map.map().Find(expr::Value::String("a"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->int_value(), 1);
  const expr::Value* two = map.map().Find(expr::Value::Int(2));
  ASSERT_NE(two, nullptr);
  EXPECT_TRUE(two->bool_value());
}

TEST(ValueFromProtoTest, RepeatedMapKeyIsBadData) {
  expr::Arena arena;
  absl::StatusOr<expr::Value> map = ValueFromProto(
      ParseValue("map_value { "
                 "entries { key { int64_value: 1 } value { int64_value: 1 } }"
                 "entries { key { int64_value: 1 } value { int64_value: 2 } }"
                 "}"),
      &arena);
  ASSERT_FALSE(map.ok());
  EXPECT_FALSE(IsSkip(map.status()));
}

TEST(ValueFromProtoTest, TimestampAndDurationFromAny) {
  expr::Arena arena;
  expr::Value t = *ValueFromProto(
      ParseValue("object_value { [type.googleapis.com/"
                 "google.protobuf.Timestamp] { seconds: -1 nanos: 5 } }"),
      &arena);
  ASSERT_EQ(t.kind(), expr::ValueKind::kTimestamp);
  EXPECT_EQ(t.timestamp(), absl::FromUnixNanos(-999999995));
  expr::Value d = *ValueFromProto(
      ParseValue("object_value { [type.googleapis.com/"
                 "google.protobuf.Duration] { seconds: 123 nanos: 321456789 }"
                 " }"),
      &arena);
  ASSERT_EQ(d.kind(), expr::ValueKind::kDuration);
  EXPECT_EQ(d.duration(), absl::Nanoseconds(123321456789));
}

TEST(ValueFromProtoTest, MessagesAndEnumsAreSkips) {
  expr::Arena arena;
  ProtoValue wrapped;
  google::protobuf::Int64Value int_value;
  int_value.set_value(3);
  wrapped.mutable_object_value()->PackFrom(int_value);
  absl::StatusOr<expr::Value> v = ValueFromProto(wrapped, &arena);
  ASSERT_FALSE(v.ok());
  EXPECT_TRUE(IsSkip(v.status()));
  EXPECT_EQ(v.status().message(), kNeedsMessages);

  v = ValueFromProto(ParseValue("enum_value { type: 'E' value: 1 }"), &arena);
  EXPECT_TRUE(IsSkip(v.status()));
  // Inside a list too.
  v = ValueFromProto(
      ParseValue("list_value { values { enum_value { value: 1 } } }"), &arena);
  EXPECT_TRUE(IsSkip(v.status()));

  v = ValueFromProto(ProtoValue(), &arena);
  ASSERT_FALSE(v.ok());
  EXPECT_FALSE(IsSkip(v.status()));
}

// --- ValueToProto -----------------------------------------------------------

TEST(ValueToProtoTest, RoundTripsWhatTheSuiteWrites) {
  for (const char* text : {
           "null_value: NULL_VALUE",
           "bool_value: false",
           "int64_value: -7",
           "uint64_value: 7",
           "double_value: 2.5",
           "string_value: 'x\\n'",
           "bytes_value: '\\001'",
           "type_value: 'google.protobuf.Duration'",
           "list_value { values { int64_value: 1 } values { null_value: "
           "NULL_VALUE } }",
           "map_value { entries { key { bool_value: true } value { "
           "list_value {} } } }",
           "object_value { [type.googleapis.com/google.protobuf.Timestamp] "
           "{ seconds: 1700000000 nanos: 1 } }",
           "object_value { [type.googleapis.com/google.protobuf.Duration] "
           "{ seconds: -3 nanos: -500000000 } }",
       }) {
    expr::Arena arena;
    ProtoValue original = ParseValue(text);
    absl::StatusOr<expr::Value> value = ValueFromProto(original, &arena);
    ASSERT_TRUE(value.ok()) << text << ": " << value.status();
    absl::StatusOr<ProtoValue> back = ValueToProto(*value);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    EXPECT_TRUE(ValuesMatch(original, *back))
        << text << " came back as " << FormatValue(*back);
  }
}

TEST(ValueToProtoTest, TimesBeforeTheEpochKeepNanosPositive) {
  absl::StatusOr<ProtoValue> proto =
      ValueToProto(expr::Value::Timestamp(absl::FromUnixMillis(-1500)));
  ASSERT_TRUE(proto.ok());
  google::protobuf::Timestamp t;
  ASSERT_TRUE(proto->object_value().UnpackTo(&t));
  EXPECT_EQ(t.seconds(), -2);
  EXPECT_EQ(t.nanos(), 500000000);
}

TEST(ValueToProtoTest, NegativeDurationsKeepOneSign) {
  absl::StatusOr<ProtoValue> proto =
      ValueToProto(expr::Value::Duration(absl::Milliseconds(-1500)));
  ASSERT_TRUE(proto.ok());
  google::protobuf::Duration d;
  ASSERT_TRUE(proto->object_value().UnpackTo(&d));
  EXPECT_EQ(d.seconds(), -1);
  EXPECT_EQ(d.nanos(), -500000000);
}

TEST(ValueToProtoTest, ErrorsHaveNoProtoForm) {
  absl::StatusOr<ProtoValue> proto =
      ValueToProto(expr::Value::Error("division by zero"));
  ASSERT_FALSE(proto.ok());
  EXPECT_THAT(proto.status().message(), HasSubstr("division by zero"));
  // Nor does a list holding one.
  expr::Value elements[] = {expr::Value::Int(1),
                            expr::Value::Error("no such key")};
  EXPECT_FALSE(ValueToProto(expr::Value::List(elements)).ok());
}

// --- ValuesMatch ------------------------------------------------------------

bool Match(const std::string& expected, const std::string& actual) {
  return ValuesMatch(ParseValue(expected), ParseValue(actual));
}

TEST(ValuesMatchTest, KindsMustAgree) {
  EXPECT_TRUE(Match("int64_value: 1", "int64_value: 1"));
  EXPECT_FALSE(Match("int64_value: 1", "int64_value: 2"));
  EXPECT_FALSE(Match("int64_value: 1", "uint64_value: 1"));
  EXPECT_FALSE(Match("int64_value: 1", "double_value: 1"));
  EXPECT_FALSE(Match("string_value: 'a'", "bytes_value: 'a'"));
  EXPECT_FALSE(Match("null_value: NULL_VALUE", "bool_value: false"));
  EXPECT_TRUE(Match("type_value: 'int'", "type_value: 'int'"));
  EXPECT_FALSE(Match("type_value: 'int'", "type_value: 'uint'"));
}

TEST(ValuesMatchTest, Doubles) {
  EXPECT_TRUE(Match("double_value: nan", "double_value: nan"));
  EXPECT_FALSE(Match("double_value: nan", "double_value: 1"));
  EXPECT_FALSE(Match("double_value: 1", "double_value: nan"));
  EXPECT_TRUE(Match("double_value: 0", "double_value: -0"));
  EXPECT_TRUE(Match("double_value: inf", "double_value: inf"));
  EXPECT_FALSE(Match("double_value: inf", "double_value: -inf"));
  EXPECT_FALSE(Match("double_value: 0.1", "double_value: 0.1000000001"));
}

TEST(ValuesMatchTest, ListsInOrder) {
  EXPECT_TRUE(
      Match("list_value { values { int64_value: 1 } values { "
            "int64_value: 2 } }",
            "list_value { values { int64_value: 1 } values { "
            "int64_value: 2 } }"));
  EXPECT_FALSE(
      Match("list_value { values { int64_value: 1 } values { "
            "int64_value: 2 } }",
            "list_value { values { int64_value: 2 } values { "
            "int64_value: 1 } }"));
  EXPECT_FALSE(Match("list_value { values { int64_value: 1 } }",
                     "list_value { values { int64_value: 1 } values { "
                     "int64_value: 1 } }"));
  EXPECT_TRUE(Match("list_value {}", "list_value {}"));
  EXPECT_FALSE(Match("list_value {}", "map_value {}"));
}

TEST(ValuesMatchTest, MapsInAnyOrder) {
  const std::string ab =
      "map_value { entries { key { string_value: 'a' } value { int64_value: 1 "
      "} } entries { key { string_value: 'b' } value { int64_value: 2 } } }";
  const std::string ba =
      "map_value { entries { key { string_value: 'b' } value { int64_value: 2 "
      "} } entries { key { string_value: 'a' } value { int64_value: 1 } } }";
  const std::string a_only =
      "map_value { entries { key { string_value: 'a' } value { int64_value: 1 "
      "} } }";
  const std::string b3 =
      "map_value { entries { key { string_value: 'a' } value { int64_value: 1 "
      "} } entries { key { string_value: 'b' } value { int64_value: 3 } } }";
  EXPECT_TRUE(Match(ab, ba));
  EXPECT_FALSE(Match(ab, a_only));
  EXPECT_FALSE(Match(a_only, ab));
  EXPECT_FALSE(Match(ab, b3));
  // Keys match strictly too: 1 is not 1u.
  EXPECT_FALSE(Match(
      "map_value { entries { key { int64_value: 1 } value { int64_value: 1 } } "
      "}",
      "map_value { entries { key { uint64_value: 1 } value { int64_value: 1 } "
      "} }"));
}

TEST(ValuesMatchTest, TimesCompareByValue) {
  const std::string t1 =
      "object_value { [type.googleapis.com/google.protobuf.Timestamp] { "
      "seconds: 1 } }";
  const std::string t2 =
      "object_value { [type.googleapis.com/google.protobuf.Timestamp] { "
      "seconds: 1 nanos: 1 } }";
  const std::string d1 =
      "object_value { [type.googleapis.com/google.protobuf.Duration] { "
      "seconds: 1 } }";
  EXPECT_TRUE(Match(t1, t1));
  EXPECT_FALSE(Match(t1, t2));
  EXPECT_FALSE(Match(t1, d1));
}

// --- FormatValue ------------------------------------------------------------

TEST(FormatValueTest, ReadsLikeCel) {
  EXPECT_EQ(FormatValue(ParseValue("null_value: NULL_VALUE")), "null");
  EXPECT_EQ(FormatValue(ParseValue("int64_value: -3")), "-3");
  EXPECT_EQ(FormatValue(ParseValue("uint64_value: 3")), "3u");
  EXPECT_EQ(FormatValue(ParseValue("double_value: 1")), "1.0");
  EXPECT_EQ(FormatValue(ParseValue("double_value: 0.1")), "0.1");
  EXPECT_EQ(FormatValue(ParseValue("double_value: 1e300")), "1e+300");
  EXPECT_EQ(FormatValue(ParseValue("double_value: -inf")), "-Inf");
  EXPECT_EQ(FormatValue(ParseValue("double_value: nan")), "NaN");
  EXPECT_EQ(FormatValue(ParseValue("string_value: 'a\"\\n\\303\\251'")),
            "\"a\\\"\\n\xc3\xa9\"");
  EXPECT_EQ(FormatValue(ParseValue("bytes_value: '\\000z'")), "b\"\\x00z\"");
  EXPECT_EQ(FormatValue(ParseValue("type_value: 'list'")), "list");
  EXPECT_EQ(FormatValue(ParseValue(
                "map_value { entries { key { string_value: 'k' } value { "
                "list_value { values { bool_value: true } values { "
                "uint64_value: 2 } } } } }")),
            "{\"k\": [true, 2u]}");
  EXPECT_EQ(
      FormatValue(ParseValue(
          "object_value { [type.googleapis.com/google.protobuf.Timestamp] { "
          "seconds: 0 nanos: 500000000 } }")),
      "timestamp(\"1970-01-01T00:00:00.5Z\")");
  EXPECT_EQ(
      FormatValue(ParseValue(
          "object_value { [type.googleapis.com/google.protobuf.Duration] { "
          "seconds: 90 } }")),
      "duration(\"1m30s\")");
}

}  // namespace
}  // namespace motive::conformance
