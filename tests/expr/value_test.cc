#include "expr/value.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::expr {
namespace {

using ::testing::HasSubstr;
using Entry = MapValue::Entry;

const double kNaN = std::nan("");

bool IsTrue(const Value& v) {
  return v.kind() == ValueKind::kBool && v.bool_value();
}
bool IsFalse(const Value& v) {
  return v.kind() == ValueKind::kBool && !v.bool_value();
}

TEST(ValueTest, ScalarsRoundTrip) {
  EXPECT_EQ(Value().kind(), ValueKind::kNull);
  EXPECT_EQ(Value::Int(std::numeric_limits<int64_t>::min()).int_value(),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Value::Uint(std::numeric_limits<uint64_t>::max()).uint_value(),
            std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(std::signbit(Value::Double(-0.0).double_value()));
  EXPECT_EQ(Value::String("abc").text(), "abc");
  EXPECT_EQ(Value::Bytes("abc").kind(), ValueKind::kBytes);
  EXPECT_TRUE(Value::Error("x").is_error());
}

TEST(ValueTest, KindNamesAreCelTypeNames) {
  EXPECT_EQ(KindName(ValueKind::kNull), "null_type");
  EXPECT_EQ(KindName(ValueKind::kBool), "bool");
  EXPECT_EQ(KindName(ValueKind::kInt), "int");
  EXPECT_EQ(KindName(ValueKind::kUint), "uint");
  EXPECT_EQ(KindName(ValueKind::kDouble), "double");
  EXPECT_EQ(KindName(ValueKind::kString), "string");
  EXPECT_EQ(KindName(ValueKind::kBytes), "bytes");
  EXPECT_EQ(KindName(ValueKind::kList), "list");
  EXPECT_EQ(KindName(ValueKind::kMap), "map");
  EXPECT_EQ(KindName(ValueKind::kTimestamp), "google.protobuf.Timestamp");
  EXPECT_EQ(KindName(ValueKind::kDuration), "google.protobuf.Duration");
  EXPECT_EQ(KindName(ValueKind::kType), "type");
  EXPECT_EQ(KindName(ValueKind::kError), "error");
}

TEST(ValueTest, TimestampsKeepNanosecondsBeforeAndAfterTheEpoch) {
  for (absl::Time t :
       {absl::UnixEpoch(), absl::FromUnixNanos(1),
        absl::FromUnixNanos(-1),  // 1969-12-31T23:59:59.999999999Z
        absl::FromUnixSeconds(1095379199) + absl::Nanoseconds(123456789),
        absl::FromUnixSeconds(-62135596800),   // 0001-01-01
        absl::FromUnixSeconds(253402300799) +  // 9999-12-31T23:59:59.999..
            absl::Nanoseconds(999999999)}) {
    Value v = Value::Timestamp(t);
    ASSERT_EQ(v.kind(), ValueKind::kTimestamp);
    EXPECT_EQ(v.timestamp(), t) << absl::FormatTime(t);
  }
}

TEST(ValueTest, DurationsKeepTheirSign) {
  for (absl::Duration d :
       {absl::ZeroDuration(), absl::Nanoseconds(1), absl::Nanoseconds(-1),
        absl::Milliseconds(-1500), absl::Seconds(315576000000),
        -absl::Seconds(315576000000) - absl::Nanoseconds(999999999)}) {
    Value v = Value::Duration(d);
    ASSERT_EQ(v.kind(), ValueKind::kDuration);
    EXPECT_EQ(v.duration(), d) << absl::FormatDuration(d);
  }
  EXPECT_EQ(Value::Duration(absl::InfiniteDuration()).duration(),
            absl::InfiniteDuration());
  EXPECT_EQ(Value::Timestamp(absl::InfinitePast()).timestamp(),
            absl::InfinitePast());
}

TEST(ValueTest, ArenaCopies) {
  Arena arena;
  std::string text = "temporary";
  Value s = StringIn(&arena, text);
  Value e = Value::ErrorIn(&arena, text);
  text.assign("overwritten");
  EXPECT_EQ(s.kind(), ValueKind::kString);
  EXPECT_EQ(s.text(), "temporary");
  EXPECT_TRUE(e.is_error());
  EXPECT_EQ(e.text(), "temporary");
  EXPECT_EQ(StringIn(&arena, "").text(), "");
}

// ---------------------------------------------------------------------------
// Maps.

TEST(MapValueTest, KeysOfEveryKeyKind) {
  Arena arena;
  std::vector<Entry> entries = {
      {Value::Bool(true), Value::Int(1)},
      {Value::Int(2), Value::Int(2)},
      {Value::Uint(5), Value::Int(3)},
      {Value::String("name"), Value::Uint(100)},
  };
  Value map = MapValue::Make(&arena, entries);
  ASSERT_EQ(map.kind(), ValueKind::kMap) << DebugString(map);
  EXPECT_EQ(map.map().size(), 4u);
  EXPECT_EQ(map.map().entries().data(), entries.data());
  EXPECT_EQ(map.map().Find(Value::Bool(true))->int_value(), 1);
  EXPECT_EQ(map.map().Find(Value::Bool(false)), nullptr);
  EXPECT_EQ(map.map().Find(Value::String("name"))->uint_value(), 100u);
  EXPECT_EQ(map.map().Find(Value::String("nam")), nullptr);
  EXPECT_EQ(map.map().Find(Value::Bytes("name")), nullptr);
  EXPECT_EQ(map.map().Find(Value::Null()), nullptr);
}

TEST(MapValueTest, NumericKeysMatchAcrossKinds) {
  Arena arena;
  std::vector<Entry> entries = {
      {Value::Uint(1), Value::Double(1.0)},
      {Value::Int(2), Value::Double(2.0)},
      {Value::Uint(3), Value::Double(3.0)},
      {Value::Int(-4), Value::Double(-4.0)},
  };
  const MapValue& map = MapValue::Make(&arena, entries).map();
  EXPECT_EQ(map.Find(Value::Int(1))->double_value(), 1.0);
  EXPECT_EQ(map.Find(Value::Uint(2))->double_value(), 2.0);
  EXPECT_EQ(map.Find(Value::Double(3.0))->double_value(), 3.0);
  EXPECT_EQ(map.Find(Value::Double(-4.0))->double_value(), -4.0);
  EXPECT_EQ(map.Find(Value::Double(-0.0)), nullptr);
  // A double finds an integer key only when it holds it exactly.
  EXPECT_EQ(map.Find(Value::Double(3.1)), nullptr);
  EXPECT_EQ(map.Find(Value::Double(kNaN)), nullptr);
  EXPECT_EQ(map.Find(Value::Double(std::numeric_limits<double>::infinity())),
            nullptr);
  // -4 as a uint is a huge number, not -4.
  EXPECT_EQ(map.Find(Value::Uint(static_cast<uint64_t>(-4))), nullptr);
  EXPECT_EQ(map.Find(Value::String("1")), nullptr);
}

TEST(MapValueTest, LargeDoubleKeysFindUintKeys) {
  Arena arena;
  std::vector<Entry> entries = {
      {Value::Uint(9223372036854775808u), Value::Int(1)},
      {Value::Int(std::numeric_limits<int64_t>::min()), Value::Int(2)},
      {Value::Int(0), Value::Int(3)},
  };
  const MapValue& map = MapValue::Make(&arena, entries).map();
  EXPECT_EQ(map.Find(Value::Double(9223372036854775808.0))->int_value(), 1);
  EXPECT_EQ(map.Find(Value::Double(-9223372036854775808.0))->int_value(), 2);
  EXPECT_EQ(map.Find(Value::Double(-0.0))->int_value(), 3);
  EXPECT_EQ(map.Find(Value::Double(18446744073709551616.0)), nullptr);
}

TEST(MapValueTest, UnsupportedKeyTypesAreErrors) {
  Arena arena;
  std::vector<Value> list;
  for (Value key :
       {Value::Double(1.0), Value::Null(), Value::Bytes("b"), Value::List(list),
        Value::Type("int"), Value::Duration(absl::Seconds(1))}) {
    std::vector<Entry> entries = {{Value::Int(0), Value::Int(0)},
                                  {key, Value::Int(1)}};
    Value map = MapValue::Make(&arena, entries);
    ASSERT_TRUE(map.is_error()) << DebugString(key);
    EXPECT_THAT(std::string(map.text()), HasSubstr("unsupported key type"));
  }
}

TEST(MapValueTest, RepeatedKeysAreErrors) {
  Arena arena;
  std::vector<std::vector<Entry>> cases = {
      {{Value::Bool(true), Value::Int(1)},
       {Value::Bool(false), Value::Int(2)},
       {Value::Bool(true), Value::Int(3)}},
      {{Value::Int(0), Value::Int(1)}, {Value::Uint(0), Value::Int(2)}},
      {{Value::Uint(7), Value::Int(1)}, {Value::Int(7), Value::Int(2)}},
      {{Value::String("a"), Value::Int(1)},
       {Value::String("a"), Value::Int(2)}},
  };
  for (const auto& entries : cases) {
    Value map = MapValue::Make(&arena, entries);
    ASSERT_TRUE(map.is_error()) << DebugString(entries[0].key);
    EXPECT_THAT(std::string(map.text()), HasSubstr("repeated key"));
  }
  // -1 and 18446744073709551615u have the same bits but are different keys.
  std::vector<Entry> distinct = {
      {Value::Int(-1), Value::Int(1)},
      {Value::Uint(std::numeric_limits<uint64_t>::max()), Value::Int(2)}};
  EXPECT_EQ(MapValue::Make(&arena, distinct).kind(), ValueKind::kMap);
}

TEST(MapValueTest, ErrorsInEntriesPropagate) {
  Arena arena;
  std::vector<Entry> bad_key = {{Value::Error("key"), Value::Int(1)}};
  EXPECT_EQ(MapValue::Make(&arena, bad_key).text(), "key");
  std::vector<Entry> bad_value = {{Value::Int(1), Value::Error("value")}};
  EXPECT_EQ(MapValue::Make(&arena, bad_value).text(), "value");
}

// Past the index threshold, lookups go through the hash index: every key
// must still be found, by every numeric kind, and absent keys must not be.
TEST(MapValueTest, LargeMapsAreIndexed) {
  Arena arena;
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back("key" + std::to_string(i));
  std::vector<Entry> entries;
  for (int i = 0; i < 300; ++i) {
    Value key = i % 3 == 0   ? Value::Int(i)
                : i % 3 == 1 ? Value::Uint(i)
                             : Value::String(names[i]);
    entries.push_back({key, Value::Int(i)});
  }
  entries.push_back({Value::Bool(false), Value::Int(-1)});
  Value made = MapValue::Make(&arena, entries);
  ASSERT_EQ(made.kind(), ValueKind::kMap) << DebugString(made);
  const MapValue& map = made.map();
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 2) {
      const Value* v = map.Find(Value::String(names[i]));
      ASSERT_NE(v, nullptr) << i;
      EXPECT_EQ(v->int_value(), i);
      EXPECT_EQ(map.Find(Value::Int(i)), nullptr);
    } else {
      for (Value key : {Value::Int(i), Value::Uint(i), Value::Double(i)}) {
        const Value* v = map.Find(key);
        ASSERT_NE(v, nullptr) << DebugString(key);
        EXPECT_EQ(v->int_value(), i);
      }
      EXPECT_EQ(map.Find(Value::Double(i + 0.5)), nullptr);
    }
  }
  EXPECT_EQ(map.Find(Value::Bool(false))->int_value(), -1);
  EXPECT_EQ(map.Find(Value::Bool(true)), nullptr);
  EXPECT_EQ(map.Find(Value::Int(300)), nullptr);
  EXPECT_EQ(map.Find(Value::Int(-1)), nullptr);
  EXPECT_EQ(map.Find(Value::String("key300")), nullptr);

  // Repeats are caught on the indexed path too, across numeric kinds.
  entries.push_back({Value::Uint(150), Value::Int(0)});
  Value repeated = MapValue::Make(&arena, entries);
  ASSERT_TRUE(repeated.is_error());
  EXPECT_THAT(std::string(repeated.text()), HasSubstr("150"));
}

TEST(MapValueTest, DistinctStringKeysWithTheirHashesGiven) {
  // Small (scanned) and large (indexed): each key is found, by Find and by
  // FindString, and nothing else is.
  for (int size : {0, 1, 8, 9, 22, 300}) {
    Arena arena;
    std::vector<std::string> names;
    for (int i = 0; i < size; ++i)
      names.push_back("field_" + std::to_string(i));
    std::vector<Entry> entries;
    std::vector<size_t> hashes;
    for (int i = 0; i < size; ++i) {
      entries.push_back({Value::String(names[i]), Value::Int(i)});
      hashes.push_back(MapValue::StringKeyHash(names[i]));
    }
    Value made =
        MapValue::MakeOfDistinctStrings(&arena, entries, hashes.data());
    ASSERT_EQ(made.kind(), ValueKind::kMap) << size;
    const MapValue& map = made.map();
    EXPECT_EQ(map.size(), static_cast<size_t>(size));
    for (int i = 0; i < size; ++i) {
      const Value* by_find = map.Find(Value::String(names[i]));
      ASSERT_NE(by_find, nullptr) << names[i];
      EXPECT_EQ(by_find->int_value(), i);
      const Value* by_string =
          map.FindString(names[i], MapValue::StringKeyHash(names[i]));
      ASSERT_NE(by_string, nullptr) << names[i];
      EXPECT_EQ(by_string->int_value(), i);
    }
    EXPECT_EQ(map.Find(Value::String("field_")), nullptr);
    EXPECT_EQ(map.FindString("other", MapValue::StringKeyHash("other")),
              nullptr);
    // Equal to the same map made by Make.
    Value checked = MapValue::Make(&arena, entries);
    EXPECT_TRUE(IsTrue(Equal(made, checked))) << size;
  }
}

TEST(MapValueTest, FindStringComparesEveryByteOfKeysOfAnyLength) {
  // A text that differs from a key in one byte, at any place, is not the
  // key, even when asked for with the key's own hash (the probe then meets
  // the key, and only the comparison tells them apart). Lengths around the
  // comparison's 4-, 8- and 16-byte loads; maps scanned and indexed.
  for (size_t length = 0; length <= 24; ++length) {
    for (int padding : {0, 12}) {
      Arena arena;
      std::vector<std::string> names;
      names.push_back(std::string(length, 'k'));
      for (size_t i = 0; i < length; ++i) names[0][i] += i % 7;
      for (int i = 0; i < padding; ++i)
        names.push_back("pad" + std::to_string(i));
      std::vector<Entry> entries;
      for (size_t i = 0; i < names.size(); ++i) {
        entries.push_back({Value::String(names[i]), Value::Int(i)});
      }
      Value made = MapValue::Make(&arena, entries);
      ASSERT_EQ(made.kind(), ValueKind::kMap);
      const size_t hash = MapValue::StringKeyHash(names[0]);
      const Value* found = made.map().FindString(names[0], hash);
      ASSERT_NE(found, nullptr) << length;
      EXPECT_EQ(found->int_value(), 0);
      for (size_t at = 0; at < length; ++at) {
        std::string other = names[0];
        other[at] ^= 1;
        EXPECT_EQ(made.map().FindString(other, hash), nullptr)
            << length << " " << at;
      }
      EXPECT_EQ(made.map().FindString(names[0] + "x", hash), nullptr);
    }
  }
}

// ---------------------------------------------------------------------------
// Equality.

TEST(EqualTest, NumbersCompareByValueAcrossKinds) {
  EXPECT_TRUE(IsTrue(Equal(Value::Int(1), Value::Uint(1))));
  EXPECT_TRUE(IsTrue(Equal(Value::Uint(1), Value::Double(1.0))));
  EXPECT_TRUE(IsTrue(Equal(Value::Double(1.0), Value::Int(1))));
  EXPECT_TRUE(
      IsFalse(Equal(Value::Int(-1), Value::Uint(static_cast<uint64_t>(-1)))));
  EXPECT_TRUE(IsFalse(Equal(Value::Int(2), Value::Double(2.1))));
  EXPECT_TRUE(IsTrue(Equal(Value::Double(0.0), Value::Double(-0.0))));
  EXPECT_TRUE(IsTrue(Equal(Value::Int(0), Value::Double(-0.0))));
  EXPECT_TRUE(IsFalse(Equal(Value::Double(kNaN), Value::Double(kNaN))));
  EXPECT_TRUE(IsFalse(Equal(Value::Int(1), Value::Double(kNaN))));
  EXPECT_TRUE(IsFalse(Equal(Value::Double(kNaN), Value::Uint(0))));
  EXPECT_TRUE(IsTrue(Equal(Value::Uint(std::numeric_limits<uint64_t>::max()),
                           Value::Uint(std::numeric_limits<uint64_t>::max()))));
}

TEST(EqualTest, OtherKinds) {
  EXPECT_TRUE(IsTrue(Equal(Value::Null(), Value::Null())));
  EXPECT_TRUE(IsFalse(Equal(Value::Null(), Value::Int(0))));
  EXPECT_TRUE(IsFalse(Equal(Value::Bool(false), Value::Null())));
  EXPECT_TRUE(
      IsTrue(Equal(Value::String("\xc3\xbf"), Value::String("\xc3\xbf"))));
  EXPECT_TRUE(IsFalse(Equal(Value::String("abc"), Value::Bytes("abc"))));
  EXPECT_TRUE(IsFalse(
      Equal(Value::String("Am\xc3\xa9lie"), Value::String("Ame\xcc\x81lie"))));
  EXPECT_TRUE(IsTrue(Equal(Value::Type("int"), Value::Type("int"))));
  EXPECT_TRUE(IsFalse(Equal(Value::Type("int"), Value::String("int"))));
  EXPECT_TRUE(IsTrue(Equal(Value::Timestamp(absl::FromUnixSeconds(5)),
                           Value::Timestamp(absl::FromUnixSeconds(5)))));
  EXPECT_TRUE(IsFalse(Equal(Value::Timestamp(absl::FromUnixNanos(5)),
                            Value::Timestamp(absl::FromUnixNanos(6)))));
  EXPECT_TRUE(IsTrue(Equal(Value::Duration(absl::Seconds(90)),
                           Value::Duration(absl::Minutes(1.5)))));
  EXPECT_TRUE(IsFalse(Equal(Value::Duration(absl::ZeroDuration()),
                            Value::Timestamp(absl::UnixEpoch()))));
}

TEST(EqualTest, ErrorsPropagate) {
  Value e = Value::Error("boom");
  EXPECT_EQ(Equal(e, Value::Int(1)).text(), "boom");
  EXPECT_EQ(Equal(Value::Int(1), e).text(), "boom");
}

TEST(EqualTest, ListsCompareElementwise) {
  std::vector<Value> a = {Value::Double(1.0), Value::Double(2.0),
                          Value::Int(3)};
  std::vector<Value> b = {Value::Uint(1), Value::Int(2), Value::Uint(3)};
  std::vector<Value> c = {Value::Int(1), Value::Int(3), Value::Int(2)};
  std::vector<Value> shorter = {Value::Int(1), Value::Int(2)};
  std::vector<Value> empty;
  EXPECT_TRUE(IsTrue(Equal(Value::List(a), Value::List(b))));
  EXPECT_TRUE(IsFalse(Equal(Value::List(a), Value::List(c))));
  EXPECT_TRUE(IsFalse(Equal(Value::List(a), Value::List(shorter))));
  EXPECT_TRUE(IsTrue(Equal(Value::List(empty), Value::List(empty))));
  EXPECT_TRUE(IsFalse(Equal(Value::List(empty), Value::Null())));
  std::vector<Value> nested_a = {Value::List(empty)};
  std::vector<Value> nested_b = {Value::List(empty)};
  EXPECT_TRUE(IsTrue(Equal(Value::List(nested_a), Value::List(nested_b))));
  std::vector<Value> nan = {Value::Double(kNaN)};
  EXPECT_TRUE(IsFalse(Equal(Value::List(nan), Value::List(nan))));
}

TEST(EqualTest, ErrorsInsideAggregates) {
  // Unequal anywhere wins over an error (as false && error is false);
  // otherwise the error is the answer.
  std::vector<Value> with_error = {Value::Error("inner"), Value::Int(2)};
  std::vector<Value> differs = {Value::Int(1), Value::Int(3)};
  std::vector<Value> same_rest = {Value::Int(1), Value::Int(2)};
  EXPECT_TRUE(IsFalse(Equal(Value::List(with_error), Value::List(differs))));
  Value eq = Equal(Value::List(with_error), Value::List(same_rest));
  ASSERT_TRUE(eq.is_error());
  EXPECT_EQ(eq.text(), "inner");
  std::vector<Value> longer = {Value::Error("inner"), Value::Int(2),
                               Value::Int(3)};
  EXPECT_TRUE(IsFalse(Equal(Value::List(with_error), Value::List(longer))));
}

TEST(EqualTest, MapsCompareByKeyAcrossNumericKinds) {
  Arena arena;
  std::vector<Entry> a = {{Value::Int(1), Value::Double(1.0)},
                          {Value::Uint(2), Value::Uint(3)}};
  std::vector<Entry> b = {{Value::Uint(2), Value::Double(3.0)},
                          {Value::Uint(1), Value::Int(1)}};
  std::vector<Entry> other_value = {{Value::Int(1), Value::Double(1.0)},
                                    {Value::Int(2), Value::String("3")}};
  std::vector<Entry> other_key = {{Value::Int(1), Value::Double(1.0)},
                                  {Value::Int(3), Value::Uint(3)}};
  std::vector<Entry> one = {{Value::Int(1), Value::Double(1.0)}};
  Value ma = MapValue::Make(&arena, a);
  EXPECT_TRUE(IsTrue(Equal(ma, MapValue::Make(&arena, b))));
  EXPECT_TRUE(IsFalse(Equal(ma, MapValue::Make(&arena, other_value))));
  EXPECT_TRUE(IsFalse(Equal(ma, MapValue::Make(&arena, other_key))));
  EXPECT_TRUE(IsFalse(Equal(ma, MapValue::Make(&arena, one))));
  EXPECT_TRUE(IsFalse(Equal(MapValue::Make(&arena, one), ma)));
  EXPECT_TRUE(IsFalse(Equal(ma, Value::List({}))));

  // An error nested in a value: a list holding one.
  std::vector<Value> broken = {Value::Error("nested")};
  std::vector<Value> fine = {Value::Int(0)};
  std::vector<Entry> ea = {{Value::String("k"), Value::List(broken)}};
  std::vector<Entry> eb = {{Value::String("k"), Value::List(fine)}};
  Value eq = Equal(MapValue::Make(&arena, ea), MapValue::Make(&arena, eb));
  ASSERT_TRUE(eq.is_error());
  EXPECT_EQ(eq.text(), "nested");
}

// ---------------------------------------------------------------------------
// DebugString.

TEST(DebugStringTest, Scalars) {
  EXPECT_EQ(DebugString(Value::Null()), "null");
  EXPECT_EQ(DebugString(Value::Bool(true)), "true");
  EXPECT_EQ(DebugString(Value::Int(-1)), "-1");
  EXPECT_EQ(DebugString(Value::Uint(2)), "2u");
  EXPECT_EQ(DebugString(Value::Double(3.5)), "3.5");
  EXPECT_EQ(DebugString(Value::Double(1)), "1.0");
  EXPECT_EQ(DebugString(Value::Double(1e300)), "1e+300");
  EXPECT_EQ(DebugString(Value::Double(kNaN)), "NaN");
  EXPECT_EQ(DebugString(Value::String("a\"b\\c\n")), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(DebugString(Value::String("\xc3\xbf")), "\"\xc3\xbf\"");
  EXPECT_EQ(DebugString(Value::Bytes(absl::string_view("\x01\xff"
                                                       "a",
                                                       3))),
            "b\"\\x01\\xffa\"");
  EXPECT_EQ(DebugString(Value::Type("int")), "int");
  EXPECT_EQ(DebugString(Value::Error("bad")), "error(\"bad\")");
}

TEST(DebugStringTest, TimesAndAggregates) {
  absl::Time t;
  ASSERT_TRUE(
      absl::ParseTime(absl::RFC3339_full, "2025-01-01T00:00:00Z", &t, nullptr));
  EXPECT_EQ(DebugString(Value::Timestamp(t)),
            "timestamp(\"2025-01-01T00:00:00Z\")");
  EXPECT_EQ(DebugString(Value::Timestamp(t + absl::Milliseconds(250))),
            "timestamp(\"2025-01-01T00:00:00.25Z\")");
  EXPECT_EQ(DebugString(Value::Duration(absl::Milliseconds(1500))),
            "duration(\"1.5s\")");
  EXPECT_EQ(DebugString(Value::Duration(-absl::Nanoseconds(1))),
            "duration(\"-0.000000001s\")");
  EXPECT_EQ(DebugString(Value::Duration(absl::ZeroDuration())),
            "duration(\"0s\")");

  Arena arena;
  std::vector<Value> inner = {Value::Int(1), Value::String("x")};
  std::vector<Entry> entries = {{Value::String("a"), Value::List(inner)},
                                {Value::Int(2), Value::Null()}};
  EXPECT_EQ(DebugString(MapValue::Make(&arena, entries)),
            "{\"a\": [1, \"x\"], 2: null}");
  EXPECT_EQ(DebugString(Value::List({})), "[]");
}

}  // namespace
}  // namespace motive::expr
