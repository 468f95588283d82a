#include "expr/functions.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::expr {
namespace {

using ::testing::HasSubstr;

Value Dummy(absl::Span<const Value>, EvalContext&) { return Value::Null(); }

Overload Make(std::string id, std::vector<Type> params,
              bool receiver_style = false) {
  Overload overload;
  overload.id = std::move(id);
  overload.receiver_style = receiver_style;
  overload.params = std::move(params);
  overload.result = Type::Bool();
  overload.impl = &Dummy;
  return overload;
}

TEST(AcceptsTest, ConcreteTypesAcceptTheirKindOnly) {
  EXPECT_TRUE(Accepts(Type::Int(), Value::Int(1)));
  EXPECT_FALSE(Accepts(Type::Int(), Value::Uint(1)));
  EXPECT_FALSE(Accepts(Type::Int(), Value::Double(1)));
  EXPECT_TRUE(Accepts(Type::Uint(), Value::Uint(1)));
  EXPECT_TRUE(Accepts(Type::Double(), Value::Double(1)));
  EXPECT_TRUE(Accepts(Type::String(), Value::String("")));
  EXPECT_FALSE(Accepts(Type::String(), Value::Bytes("")));
  EXPECT_TRUE(Accepts(Type::Null(), Value::Null()));
  EXPECT_FALSE(Accepts(Type::Null(), Value::Int(0)));
  EXPECT_TRUE(Accepts(Type::Timestamp(), Value::Timestamp(absl::UnixEpoch())));
  EXPECT_FALSE(Accepts(Type::Duration(), Value::Timestamp(absl::UnixEpoch())));
  EXPECT_TRUE(Accepts(Type::TypeOf(Type::Int()), Value::Type("uint")));
  EXPECT_FALSE(Accepts(Type::Bool(), Value::Error("e")));
}

TEST(AcceptsTest, AggregatesDoNotInspectElements) {
  std::vector<Value> strings = {Value::String("a")};
  EXPECT_TRUE(Accepts(Type::List(Type::Int()), Value::List(strings)));
  EXPECT_FALSE(Accepts(Type::List(Type::Int()), Value::Int(1)));
  Arena arena;
  Value map = MapValue::Make(&arena, {});
  EXPECT_TRUE(Accepts(Type::Map(Type::String(), Type::Int()), map));
  EXPECT_FALSE(
      Accepts(Type::Map(Type::String(), Type::Int()), Value::List(strings)));
}

TEST(AcceptsTest, DynAndParametersAcceptAnything) {
  for (Value v : {Value::Null(), Value::Int(1), Value::String("s"),
                  Value::List({}), Value::Duration(absl::Seconds(1))}) {
    EXPECT_TRUE(Accepts(Type::Dyn(), v));
    EXPECT_TRUE(Accepts(Type::Param("A"), v));
  }
}

TEST(FunctionRegistryTest, AddAndFind) {
  FunctionRegistry registry;
  EXPECT_EQ(registry.Find("f"), nullptr);
  ASSERT_TRUE(registry.Add("f", Make("f_int", {Type::Int()})).ok());
  ASSERT_TRUE(registry.Add("f", Make("f_string", {Type::String()})).ok());
  // Same parameters, other style: a different overload.
  ASSERT_TRUE(registry.Add("f", Make("string_f", {Type::String()}, true)).ok());
  const std::vector<Overload>* overloads = registry.Find("f");
  ASSERT_NE(overloads, nullptr);
  ASSERT_EQ(overloads->size(), 3u);
  EXPECT_EQ((*overloads)[0].id, "f_int");
  EXPECT_EQ((*overloads)[2].id, "string_f");
  EXPECT_TRUE((*overloads)[2].receiver_style);
  EXPECT_EQ(registry.Find("g"), nullptr);
}

TEST(FunctionRegistryTest, ClashesAreRefused) {
  FunctionRegistry registry;
  ASSERT_TRUE(registry.Add("f", Make("f_int", {Type::Int()})).ok());

  absl::Status same_id = registry.Add("f", Make("f_int", {Type::Uint()}));
  EXPECT_EQ(same_id.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(same_id.message()), HasSubstr("f_int"));
  // Ids are unique across functions, as in CEL.
  EXPECT_FALSE(registry.Add("g", Make("f_int", {Type::Int()})).ok());

  absl::Status same_signature =
      registry.Add("f", Make("f_int_again", {Type::Int()}));
  EXPECT_EQ(same_signature.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(same_signature.message()),
              HasSubstr("same signature"));
  // The same signature under another name is fine.
  EXPECT_TRUE(registry.Add("g", Make("g_int", {Type::Int()})).ok());
  // Parameterised types compare structurally.
  ASSERT_TRUE(
      registry.Add("h", Make("h_list", {Type::List(Type::Param("A"))})).ok());
  EXPECT_FALSE(
      registry.Add("h", Make("h_list2", {Type::List(Type::Param("A"))})).ok());
  EXPECT_TRUE(
      registry.Add("h", Make("h_list_int", {Type::List(Type::Int())})).ok());
  // Refused overloads were not added.
  EXPECT_EQ(registry.Find("f")->size(), 1u);
}

TEST(FunctionRegistryTest, MatchTakesTheFirstAcceptingOverload) {
  FunctionRegistry registry;
  ASSERT_TRUE(registry.Add("f", Make("f_int", {Type::Int()})).ok());
  ASSERT_TRUE(registry.Add("f", Make("f_dyn", {Type::Dyn()})).ok());
  ASSERT_TRUE(
      registry.Add("f", Make("f_int_int", {Type::Int(), Type::Int()})).ok());
  std::vector<const Overload*> candidates;
  for (const Overload& overload : *registry.Find("f")) {
    candidates.push_back(&overload);
  }
  std::vector<Value> one_int = {Value::Int(1)};
  std::vector<Value> one_string = {Value::String("s")};
  std::vector<Value> two_ints = {Value::Int(1), Value::Int(2)};
  std::vector<Value> int_string = {Value::Int(1), Value::String("s")};
  std::vector<Value> none;
  EXPECT_EQ(FunctionRegistry::Match(candidates, one_int)->id, "f_int");
  EXPECT_EQ(FunctionRegistry::Match(candidates, one_string)->id, "f_dyn");
  EXPECT_EQ(FunctionRegistry::Match(candidates, two_ints)->id, "f_int_int");
  EXPECT_EQ(FunctionRegistry::Match(candidates, int_string), nullptr);
  EXPECT_EQ(FunctionRegistry::Match(candidates, none), nullptr);
  EXPECT_EQ(FunctionRegistry::Match({}, one_int), nullptr);
}

TEST(NoMatchingOverloadTest, NamesTheFunctionAndArgumentKinds) {
  Arena arena;
  Limits limits;
  EvalContext context(&arena, limits);
  std::vector<Value> args = {Value::Int(1), Value::String("s")};
  Value error = NoMatchingOverload("f", args, context);
  ASSERT_TRUE(error.is_error());
  EXPECT_EQ(error.text(),
            "no matching overload for 'f' applied to (int, string)");
  EXPECT_EQ(NoMatchingOverload("g", {}, context).text(),
            "no matching overload for 'g' applied to ()");
  std::vector<Value> odd = {Value::Null(), Value::List({}),
                            Value::Timestamp(absl::UnixEpoch())};
  EXPECT_EQ(NoMatchingOverload("_<_", odd, context).text(),
            "no matching overload for '_<_' applied to (null_type, list, "
            "google.protobuf.Timestamp)");
}

TEST(EvalContextTest, CountsIterationsUpToTheLimit) {
  Arena arena;
  Limits limits;
  limits.max_iterations = 3;
  EvalContext context(&arena, limits);
  EXPECT_TRUE(context.CountIteration());
  EXPECT_TRUE(context.CountIteration());
  EXPECT_TRUE(context.CountIteration());
  EXPECT_FALSE(context.CountIteration());
  EXPECT_EQ(context.arena(), &arena);
}

// The operators and conversions register together without a clash, every
// overload callable, ids unique.
TEST(StandardLibraryTest, OperatorsAndConversionsRegisterCleanly) {
  FunctionRegistry registry;
  AddOperators(registry);
  AddConversions(registry);
  absl::flat_hash_set<std::string> ids;
  size_t count = 0;
  for (absl::string_view name :
       {"_+_",  "_-_",  "_*_",    "_/_",    "_%_",   "-_",   "!_",   "_==_",
        "_!=_", "_<_",  "_<=_",   "_>_",    "_>=_",  "@in",  "_[_]", "size",
        "int",  "uint", "double", "string", "bytes", "bool", "dyn",  "type"}) {
    const std::vector<Overload>* overloads = registry.Find(name);
    ASSERT_NE(overloads, nullptr) << name;
    for (const Overload& overload : *overloads) {
      EXPECT_NE(overload.impl, nullptr) << overload.id;
      EXPECT_TRUE(ids.insert(overload.id).second) << overload.id;
      ++count;
    }
  }
  EXPECT_EQ(count, ids.size());
  EXPECT_GE(count, 100u);
  // Logic operators are the evaluator's own.
  EXPECT_EQ(registry.Find("_&&_"), nullptr);
  EXPECT_EQ(registry.Find("_?_:_"), nullptr);
}

}  // namespace
}  // namespace motive::expr
