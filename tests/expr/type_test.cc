#include "expr/type.h"

#include "gtest/gtest.h"

namespace motive::expr {
namespace {

TEST(TypeTest, DefaultIsDyn) {
  Type t;
  EXPECT_TRUE(t.is_dyn());
  EXPECT_EQ(t.kind(), Type::Kind::kDyn);
  EXPECT_EQ(t, Type::Dyn());
  EXPECT_FALSE(t.HasValueKind());
}

TEST(TypeTest, DebugStrings) {
  EXPECT_EQ(Type::Dyn().DebugString(), "dyn");
  EXPECT_EQ(Type::Null().DebugString(), "null_type");
  EXPECT_EQ(Type::Bool().DebugString(), "bool");
  EXPECT_EQ(Type::Int().DebugString(), "int");
  EXPECT_EQ(Type::Uint().DebugString(), "uint");
  EXPECT_EQ(Type::Double().DebugString(), "double");
  EXPECT_EQ(Type::String().DebugString(), "string");
  EXPECT_EQ(Type::Bytes().DebugString(), "bytes");
  EXPECT_EQ(Type::Timestamp().DebugString(), "google.protobuf.Timestamp");
  EXPECT_EQ(Type::Duration().DebugString(), "google.protobuf.Duration");
  EXPECT_EQ(Type::Error().DebugString(), "error");
  EXPECT_EQ(Type::List(Type::String()).DebugString(), "list(string)");
  EXPECT_EQ(Type::Map(Type::String(), Type::Dyn()).DebugString(),
            "map(string, dyn)");
  EXPECT_EQ(Type::TypeOf(Type::Int()).DebugString(), "type(int)");
  EXPECT_EQ(Type::Param("A").DebugString(), "A");
  EXPECT_EQ(Type::List(Type::Map(Type::Int(), Type::List(Type::Param("T"))))
                .DebugString(),
            "list(map(int, list(T)))");
}

TEST(TypeTest, Parameters) {
  Type map = Type::Map(Type::String(), Type::List(Type::Int()));
  EXPECT_EQ(map.kind(), Type::Kind::kMap);
  EXPECT_EQ(map.key(), Type::String());
  EXPECT_EQ(map.value(), Type::List(Type::Int()));
  EXPECT_EQ(map.value().element(), Type::Int());
  EXPECT_EQ(Type::TypeOf(Type::Bool()).denoted(), Type::Bool());
  EXPECT_EQ(Type::Param("K").param_name(), "K");
  // Types without parameters answer dyn.
  EXPECT_TRUE(Type::Int().element().is_dyn());
  EXPECT_TRUE(Type::List(Type::Int()).value().is_dyn());

  // Copies share their parameters and stay equal.
  Type copy = map;
  EXPECT_EQ(copy, map);
  EXPECT_EQ(&copy.key(), &map.key());
}

TEST(TypeTest, Equality) {
  EXPECT_EQ(Type::List(Type::Int()), Type::List(Type::Int()));
  EXPECT_NE(Type::List(Type::Int()), Type::List(Type::Uint()));
  EXPECT_NE(Type::List(Type::Int()), Type::List(Type::Dyn()));
  EXPECT_NE(Type::List(Type::Dyn()), Type::Dyn());
  EXPECT_EQ(Type::Map(Type::Int(), Type::Int()),
            Type::Map(Type::Int(), Type::Int()));
  EXPECT_NE(Type::Map(Type::Int(), Type::Int()),
            Type::Map(Type::Int(), Type::String()));
  EXPECT_NE(Type::Map(Type::Int(), Type::Int()),
            Type::Map(Type::String(), Type::Int()));
  EXPECT_EQ(Type::Param("A"), Type::Param("A"));
  EXPECT_NE(Type::Param("A"), Type::Param("B"));
  EXPECT_NE(Type::TypeOf(Type::Int()), Type::TypeOf(Type::Uint()));
  EXPECT_NE(Type::Int(), Type::Uint());
  EXPECT_NE(Type::Null(), Type::Dyn());
}

TEST(TypeTest, ValueKinds) {
  struct Case {
    Type type;
    ValueKind kind;
  };
  const Case cases[] = {
      {Type::Null(), ValueKind::kNull},
      {Type::Bool(), ValueKind::kBool},
      {Type::Int(), ValueKind::kInt},
      {Type::Uint(), ValueKind::kUint},
      {Type::Double(), ValueKind::kDouble},
      {Type::String(), ValueKind::kString},
      {Type::Bytes(), ValueKind::kBytes},
      {Type::List(Type::Int()), ValueKind::kList},
      {Type::Map(Type::Int(), Type::Int()), ValueKind::kMap},
      {Type::Timestamp(), ValueKind::kTimestamp},
      {Type::Duration(), ValueKind::kDuration},
      {Type::TypeOf(Type::Int()), ValueKind::kType},
      {Type::Error(), ValueKind::kError},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(c.type.HasValueKind()) << c.type.DebugString();
    EXPECT_EQ(c.type.value_kind(), c.kind) << c.type.DebugString();
  }
  EXPECT_FALSE(Type::Param("A").HasValueKind());
}

TEST(TypeTest, RecordsKnowTheirFieldsInOrder) {
  const Type record = Type::Record(
      "r", {{"b", Type::Int()}, {"a", Type::String()}}, /*open=*/true);
  ASSERT_EQ(record.fields().size(), 2u);
  EXPECT_EQ(record.fields()[0].first, "b");
  EXPECT_EQ(record.fields()[0].second, Type::Int());
  EXPECT_EQ(record.fields()[1].first, "a");
  EXPECT_EQ(*record.FieldType("a"), Type::String());
  EXPECT_EQ(*record.FieldType("undeclared"), Type::Dyn());
  EXPECT_TRUE(Type::Map(Type::String(), Type::Int()).fields().empty());
  EXPECT_TRUE(Type::Int().fields().empty());
}

TEST(TypeTest, TypeOfKind) {
  EXPECT_EQ(TypeOfKind(ValueKind::kInt), Type::Int());
  EXPECT_EQ(TypeOfKind(ValueKind::kNull), Type::Null());
  EXPECT_EQ(TypeOfKind(ValueKind::kList), Type::List(Type::Dyn()));
  EXPECT_EQ(TypeOfKind(ValueKind::kMap), Type::Map(Type::Dyn(), Type::Dyn()));
  EXPECT_EQ(TypeOfKind(ValueKind::kType), Type::TypeOf(Type::Dyn()));
  EXPECT_EQ(TypeOfKind(ValueKind::kTimestamp), Type::Timestamp());
  EXPECT_EQ(TypeOfKind(ValueKind::kError), Type::Error());
  // Every kind maps back to itself.
  for (int k = 0; k <= static_cast<int>(ValueKind::kError); ++k) {
    ValueKind kind = static_cast<ValueKind>(k);
    Type type = TypeOfKind(kind);
    ASSERT_TRUE(type.HasValueKind()) << k;
    EXPECT_EQ(type.value_kind(), kind);
    // Its name is the kind's CEL name, parameters aside.
    EXPECT_EQ(type.DebugString().substr(0, KindName(kind).size()),
              KindName(kind));
  }
}

}  // namespace
}  // namespace motive::expr
