// The type checker: the types it infers, how it resolves names and
// overloads, the errors it reports (with their positions), and a sweep over
// the CEL conformance files, which it must check without crashing and
// should accept wherever the reference checker does.

#include "expr/checker.h"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "expr/ast.h"
#include "expr/environment.h"
#include "expr/parser.h"
#include "expr/type.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::expr {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

absl::StatusOr<CheckedExpr> CheckSource(absl::string_view source,
                                        const Environment& env) {
  absl::StatusOr<ParsedExpr> parsed = Parse(source);
  if (!parsed.ok()) {
    return absl::InternalError(
        absl::StrCat("parse failed: ", parsed.status().message()));
  }
  return Check(*std::move(parsed), env);
}

// Visits every node under `expr`, with the node that holds it (null for
// the root).
void Walk(const Expr& expr,
          const std::function<void(const Expr&, const Expr*)>& visit,
          const Expr* parent = nullptr) {
  visit(expr, parent);
  struct Children {
    std::vector<const Expr*> out;
    void operator()(const ConstExpr&) {}
    void operator()(const IdentExpr&) {}
    void operator()(const SelectExpr& e) { out.push_back(e.operand.get()); }
    void operator()(const CallExpr& e) {
      if (e.target) out.push_back(e.target.get());
      for (const auto& a : e.args) out.push_back(a.get());
    }
    void operator()(const ListExpr& e) {
      for (const auto& a : e.elements) out.push_back(a.get());
    }
    void operator()(const MapExpr& e) {
      for (const auto& entry : e.entries) {
        out.push_back(entry.key.get());
        out.push_back(entry.value.get());
      }
    }
    void operator()(const StructExpr& e) {
      for (const auto& f : e.fields) out.push_back(f.value.get());
    }
    void operator()(const ComprehensionExpr& e) {
      for (const Expr* c :
           {e.iter_range.get(), e.accu_init.get(), e.loop_condition.get(),
            e.loop_step.get(), e.result.get()}) {
        out.push_back(c);
      }
    }
  } children;
  std::visit(children, expr.kind);
  for (const Expr* child : children.out) {
    if (child != nullptr) Walk(*child, visit, &expr);
  }
}

// The first node (in pre-order) for which `match` holds.
const Expr* FindNode(const Expr& root,
                     const std::function<bool(const Expr&)>& match) {
  const Expr* found = nullptr;
  Walk(root, [&](const Expr& e, const Expr*) {
    if (found == nullptr && match(e)) found = &e;
  });
  return found;
}

const Expr* FindCall(const Expr& root, absl::string_view function) {
  return FindNode(root, [&](const Expr& e) {
    const auto* call = std::get_if<CallExpr>(&e.kind);
    return call != nullptr && call->function == function;
  });
}

const Expr* FindIdent(const Expr& root, absl::string_view name) {
  return FindNode(root, [&](const Expr& e) {
    const auto* ident = std::get_if<IdentExpr>(&e.kind);
    return ident != nullptr && ident->name == name;
  });
}

const Expr* FindSelect(const Expr& root, absl::string_view field) {
  return FindNode(root, [&](const Expr& e) {
    const auto* select = std::get_if<SelectExpr>(&e.kind);
    return select != nullptr && select->field == field;
  });
}

class CheckerTest : public ::testing::Test {
 protected:
  CheckerTest() {
    Declare("b", Type::Bool());
    Declare("i", Type::Int());
    Declare("u", Type::Uint());
    Declare("d", Type::Double());
    Declare("s", Type::String());
    Declare("by", Type::Bytes());
    Declare("nul", Type::Null());
    Declare("ts", Type::Timestamp());
    Declare("du", Type::Duration());
    Declare("li", Type::List(Type::Int()));
    Declare("ls", Type::List(Type::String()));
    Declare("lli", Type::List(Type::List(Type::Int())));
    Declare("m", Type::Map(Type::String(), Type::Int()));
    Declare("mm", Type::Map(Type::String(),
                            Type::Map(Type::String(), Type::Double())));
    Declare("mi", Type::Map(Type::Int(), Type::String()));
    Declare("dy", Type::Dyn());
    Declare("ld", Type::List(Type::Dyn()));
    Declare("md", Type::Map(Type::String(), Type::Dyn()));
    Declare("ty", Type::TypeOf(Type::Int()));
    // Qualified names: x is a map, and x.y is a variable of its own.
    Declare("x",
            Type::Map(Type::String(), Type::Map(Type::String(), Type::Bool())));
    Declare("x.y", Type::Map(Type::String(), Type::Int()));
    Declare("customer.tier", Type::String());
  }

  void Declare(absl::string_view name, Type type) {
    ASSERT_TRUE(env_.DeclareVariable(name, std::move(type)).ok()) << name;
  }

  // The result type of `source`, or the error text.
  std::string TypeOf(absl::string_view source) { return TypeIn(source, env_); }

  static std::string TypeIn(absl::string_view source, const Environment& env) {
    absl::StatusOr<CheckedExpr> checked = CheckSource(source, env);
    if (!checked.ok()) return std::string(checked.status().message());
    return checked->result_type().DebugString();
  }

  // The error text of `source`, which must not check.
  std::string ErrorOf(absl::string_view source) {
    absl::StatusOr<CheckedExpr> checked = CheckSource(source, env_);
    EXPECT_FALSE(checked.ok())
        << source << " checked as " << checked->result_type().DebugString();
    if (checked.ok()) return "";
    EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument)
        << checked.status();
    return std::string(checked.status().message());
  }

  CheckedExpr MustCheck(absl::string_view source) {
    absl::StatusOr<CheckedExpr> checked = CheckSource(source, env_);
    EXPECT_TRUE(checked.ok()) << source << ": " << checked.status();
    if (!checked.ok()) return CheckedExpr{};
    return *std::move(checked);
  }

  // The ids of the overloads a call node resolved to.
  static std::vector<std::string> OverloadIds(const CheckedExpr& checked,
                                              const Expr* call) {
    std::vector<std::string> ids;
    if (call == nullptr) return ids;
    auto it = checked.references.find(call->id);
    if (it == checked.references.end()) return ids;
    for (const Overload* overload : it->second.overloads) {
      ids.push_back(overload->id);
    }
    return ids;
  }

  Environment env_;
};

// ---------------------------------------------------------------------------
// Literals.

TEST_F(CheckerTest, Constants) {
  EXPECT_EQ(TypeOf("1"), "int");
  EXPECT_EQ(TypeOf("-1"), "int");
  EXPECT_EQ(TypeOf("1u"), "uint");
  EXPECT_EQ(TypeOf("1.5"), "double");
  EXPECT_EQ(TypeOf("'a'"), "string");
  EXPECT_EQ(TypeOf("r'\\d'"), "string");
  EXPECT_EQ(TypeOf("b'a'"), "bytes");
  EXPECT_EQ(TypeOf("true"), "bool");
  EXPECT_EQ(TypeOf("null"), "null_type");
}

TEST_F(CheckerTest, ListLiterals) {
  EXPECT_EQ(TypeOf("[]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[1, 2, 3]"), "list(int)");
  EXPECT_EQ(TypeOf("[1, 'a']"), "list(dyn)");
  EXPECT_EQ(TypeOf("[1, 1u]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[1, null]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[[1], [2, 3]]"), "list(list(int))");
  EXPECT_EQ(TypeOf("[[1], ['a']]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[[], [1]]"), "list(list(int))");
  EXPECT_EQ(TypeOf("[[1], []]"), "list(list(int))");
  // dyn is the more general element type, whichever comes first.
  EXPECT_EQ(TypeOf("[1, dyn(2)]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[dyn(1), 2]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[li, ld]"), "list(list(dyn))");
  EXPECT_EQ(TypeOf("[{'a': 1}, {'b': 2}]"), "list(map(string, int))");
  // Empty lists inside take their type from their siblings, in any order
  // (type_deduction.textproto: flexible_type_parameter_assignment).
  EXPECT_EQ(TypeOf("[[], [[]], [[[]]], [[[[]]]]]"),
            "list(list(list(list(list(dyn)))))");
  EXPECT_EQ(TypeOf("[[[[[]]]], [], [[[]]]]"),
            "list(list(list(list(list(dyn)))))");
}

TEST_F(CheckerTest, MapLiterals) {
  EXPECT_EQ(TypeOf("{}"), "map(dyn, dyn)");
  EXPECT_EQ(TypeOf("{'a': 1}"), "map(string, int)");
  EXPECT_EQ(TypeOf("{'a': 1, 'b': 'x'}"), "map(string, dyn)");
  EXPECT_EQ(TypeOf("{1: 2u, 2: 3u}"), "map(int, uint)");
  EXPECT_EQ(TypeOf("{1: 2u, 2u: 3}"), "map(dyn, dyn)");
  EXPECT_EQ(TypeOf("{'a': [1], 'b': []}"), "map(string, list(int))");
  EXPECT_EQ(TypeOf("{'a': {'b': 1.5}}"), "map(string, map(string, double))");
  EXPECT_EQ(TypeOf("{true: null}"), "map(bool, null_type)");
}

TEST_F(CheckerTest, MessageConstructionIsRefused) {
  EXPECT_EQ(ErrorOf("Foo{a: 1}"),
            "line 1, column 1: unknown type 'Foo': motive expressions have "
            "no message types");
  EXPECT_THAT(ErrorOf("google.protobuf.Int64Value{value: 1}"),
              HasSubstr("unknown type 'google.protobuf.Int64Value'"));
  // Its fields are still checked.
  EXPECT_THAT(ErrorOf("Foo{a: nope}"),
              HasSubstr("undeclared reference to 'nope'"));
}

// ---------------------------------------------------------------------------
// Identifiers.

TEST_F(CheckerTest, VariablesOfEveryType) {
  const std::pair<const char*, const char*> cases[] = {
      {"b", "bool"},
      {"i", "int"},
      {"u", "uint"},
      {"d", "double"},
      {"s", "string"},
      {"by", "bytes"},
      {"nul", "null_type"},
      {"ts", "google.protobuf.Timestamp"},
      {"du", "google.protobuf.Duration"},
      {"li", "list(int)"},
      {"lli", "list(list(int))"},
      {"m", "map(string, int)"},
      {"mm", "map(string, map(string, double))"},
      {"dy", "dyn"},
      {"ty", "type(int)"},
  };
  for (const auto& [name, type] : cases) {
    CheckedExpr checked = MustCheck(name);
    EXPECT_EQ(checked.result_type().DebugString(), type) << name;
    auto ref = checked.references.find(checked.parsed.root->id);
    ASSERT_NE(ref, checked.references.end()) << name;
    ASSERT_NE(ref->second.variable, nullptr) << name;
    EXPECT_EQ(ref->second.variable, env_.FindVariable(name)) << name;
  }
}

TEST_F(CheckerTest, UndeclaredIdentifier) {
  EXPECT_EQ(ErrorOf("nope"),
            "line 1, column 1: undeclared reference to 'nope' (in container "
            "'')");
  EXPECT_EQ(ErrorOf("1 + nope"),
            "line 1, column 5: undeclared reference to 'nope' (in container "
            "'')");
  // A qualified name that names nothing is reported at its first part.
  EXPECT_EQ(ErrorOf("a.b.c"),
            "line 1, column 1: undeclared reference to 'a' (in container "
            "'')");
  // The accumulator of macros is not a name outside them.
  EXPECT_THAT(ErrorOf("__result__"), HasSubstr("undeclared reference"));
}

TEST_F(CheckerTest, TypeNamesAreTypeValues) {
  const std::pair<const char*, const char*> cases[] = {
      {"int", "type(int)"},
      {"uint", "type(uint)"},
      {"double", "type(double)"},
      {"bool", "type(bool)"},
      {"string", "type(string)"},
      {"bytes", "type(bytes)"},
      {"list", "type(list(dyn))"},
      {"map", "type(map(dyn, dyn))"},
      {"null_type", "type(null_type)"},
      {"type", "type(type(dyn))"},
      {"dyn", "type(dyn)"},
      {"google.protobuf.Timestamp", "type(google.protobuf.Timestamp)"},
      {"google.protobuf.Duration", "type(google.protobuf.Duration)"},
      {".int", "type(int)"},
  };
  for (const auto& [name, type] : cases) {
    CheckedExpr checked = MustCheck(name);
    EXPECT_EQ(checked.result_type().DebugString(), type) << name;
    auto ref = checked.references.find(checked.parsed.root->id);
    ASSERT_NE(ref, checked.references.end()) << name;
    EXPECT_EQ(ref->second.variable, nullptr) << name;
    absl::string_view expected_name(name);
    absl::ConsumePrefix(&expected_name, ".");
    EXPECT_EQ(ref->second.name, expected_name) << name;
  }
  EXPECT_EQ(TypeOf("type(1) == int"), "bool");
  EXPECT_EQ(TypeOf("type(1)"), "type(int)");
  EXPECT_EQ(TypeOf("[int, string]"), "list(type(dyn))");
  EXPECT_EQ(TypeOf("type(null) == null_type"), "bool");
  EXPECT_EQ(TypeOf("type(type) == type"), "bool");
  EXPECT_THAT(ErrorOf("google.protobuf.Any"),
              HasSubstr("undeclared reference to 'google'"));
}

TEST_F(CheckerTest, QualifiedVariables) {
  CheckedExpr checked = MustCheck("customer.tier");
  EXPECT_EQ(checked.result_type().DebugString(), "string");
  // The reference is on the node that completes the name; the identifier
  // under it is part of the name, not a value.
  const Expr& root = *checked.parsed.root;
  ASSERT_TRUE(std::holds_alternative<SelectExpr>(root.kind));
  EXPECT_EQ(checked.references.at(root.id).variable,
            env_.FindVariable("customer.tier"));
  const Expr* customer = FindIdent(root, "customer");
  ASSERT_NE(customer, nullptr);
  EXPECT_FALSE(checked.types.contains(customer->id));
  EXPECT_FALSE(checked.references.contains(customer->id));

  EXPECT_EQ(TypeOf("customer.tier + '!'"), "string");
  EXPECT_EQ(TypeOf("customer.tier.size()"), "int");
  EXPECT_THAT(ErrorOf("customer"),
              HasSubstr("undeclared reference to 'customer'"));
  EXPECT_THAT(ErrorOf("customer.other"),
              HasSubstr("undeclared reference to 'customer'"));
}

TEST_F(CheckerTest, LongestDeclaredPrefixWins) {
  // x.y is declared, so x.y.z is the field z of x.y, not x['y']['z'].
  CheckedExpr checked = MustCheck("x.y.z");
  EXPECT_EQ(checked.result_type().DebugString(), "int");
  const Expr* xy = FindSelect(*checked.parsed.root, "y");
  ASSERT_NE(xy, nullptr);
  EXPECT_EQ(checked.references.at(xy->id).variable, env_.FindVariable("x.y"));
  EXPECT_FALSE(checked.references.contains(checked.parsed.root->id));
  EXPECT_EQ(checked.types.at(xy->id).DebugString(), "map(string, int)");
  EXPECT_EQ(TypeOf("x.w"), "map(string, bool)");
  EXPECT_EQ(TypeOf("x.w.z"), "bool");
}

TEST_F(CheckerTest, ContainerResolution) {
  // namespace.textproto, self_eval_container_lookup.
  {
    Environment env;
    env.set_container("x");
    ASSERT_TRUE(env.DeclareVariable("x.y", Type::Bool()).ok());
    ASSERT_TRUE(env.DeclareVariable("y", Type::String()).ok());
    EXPECT_EQ(TypeIn("y", env), "bool");
    EXPECT_EQ(TypeIn(".y", env), "string");
    EXPECT_EQ(TypeIn("x.y", env), "bool");
  }
  // Innermost namespace first: a.b.v, then a.v, then v.
  {
    Environment env;
    env.set_container("a.b");
    ASSERT_TRUE(env.DeclareVariable("a.b.v", Type::Int()).ok());
    ASSERT_TRUE(env.DeclareVariable("a.v", Type::String()).ok());
    ASSERT_TRUE(env.DeclareVariable("v", Type::Bool()).ok());
    ASSERT_TRUE(env.DeclareVariable("a.w", Type::Double()).ok());
    ASSERT_TRUE(env.DeclareVariable("z", Type::Uint()).ok());
    ASSERT_TRUE(env.DeclareVariable("q.r", Type::Bytes()).ok());
    EXPECT_EQ(TypeIn("v", env), "int");
    EXPECT_EQ(TypeIn("w", env), "double");
    EXPECT_EQ(TypeIn("z", env), "uint");
    EXPECT_EQ(TypeIn(".v", env), "bool");
    EXPECT_EQ(TypeIn("q.r", env), "bytes");
    EXPECT_EQ(TypeIn("int", env), "type(int)");
    EXPECT_EQ(TypeIn("nope", env),
              "line 1, column 1: undeclared reference to 'nope' (in "
              "container 'a.b')");
    EXPECT_EQ(TypeIn(".w", env),
              "line 1, column 1: undeclared reference to '.w' (in "
              "container 'a.b')");
    absl::StatusOr<CheckedExpr> checked = CheckSource("v", env);
    ASSERT_TRUE(checked.ok());
    EXPECT_EQ(checked->references.at(checked->parsed.root->id).variable,
              env.FindVariable("a.b.v"));
  }
  // namespace.textproto, disambiguation.
  {
    Environment env;
    env.set_container("com.example");
    ASSERT_TRUE(env.DeclareVariable("com.example.y", Type::Bool()).ok());
    ASSERT_TRUE(env.DeclareVariable("y", Type::String()).ok());
    EXPECT_EQ(TypeIn("y", env), "bool");
    EXPECT_EQ(TypeIn(".y", env), "string");
    EXPECT_EQ(TypeIn("com.example.y", env), "bool");
  }
}

TEST_F(CheckerTest, ComprehensionVariablesShadowDeclarations) {
  Environment env;
  env.set_container("com.example");
  ASSERT_TRUE(env.DeclareVariable("com.example.y", Type::String()).ok());
  ASSERT_TRUE(env.DeclareVariable("y", Type::String()).ok());
  ASSERT_TRUE(env.DeclareVariable("com.example.y.z", Type::String()).ok());
  // namespace.textproto, comprehension_shadowing: y is the loop's int.
  absl::StatusOr<CheckedExpr> checked =
      CheckSource("[0].exists(y, y == 0 && y + 1 > 0)", env);
  ASSERT_TRUE(checked.ok()) << checked.status();
  const Expr* add = FindCall(*checked->parsed.root, kAdd);
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(checked->types.at(add->id).DebugString(), "int");
  const auto& add_call = std::get<CallExpr>(add->kind);
  EXPECT_FALSE(checked->references.contains(add_call.args[0]->id));
  // A leading dot reaches past the loop variable to the root.
  EXPECT_EQ(TypeIn("['compre'].exists(y, .y == 'y')", env), "bool");
  EXPECT_EQ(TypeIn("[1].exists(y, .y + 1 == 2)", env),
            "line 1, column 18: found no matching overload for '_+_' "
            "applied to '(string, int)'");
  // y.z is the field of the loop's map, not the declared com.example.y.z.
  checked = CheckSource("[{'z': 0}].exists(y, y.z == 0)", env);
  ASSERT_TRUE(checked.ok()) << checked.status();
  const Expr* z = FindSelect(*checked->parsed.root, "z");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(checked->types.at(z->id).DebugString(), "int");
  EXPECT_FALSE(checked->references.contains(z->id));
  EXPECT_EQ(TypeIn("[{'z': 0}].exists(y, y.z + 1 > 0)", env), "bool");
  // Nested loops: the innermost y wins.
  EXPECT_EQ(TypeIn("['a'].exists(y, [0].exists(y, y + 1 == 1))", env), "bool");
  EXPECT_EQ(TypeIn("['a'].exists(y, [0].exists(x, y + 1 == x))", env),
            "line 1, column 33: found no matching overload for '_+_' "
            "applied to '(string, int)'");
  // A loop variable shadows a variable of the fixture too.
  EXPECT_EQ(TypeOf("ls.exists(i, i.startsWith('a'))"), "bool");
  EXPECT_EQ(TypeOf("li.map(s, s + 1)"), "list(int)");
}

// ---------------------------------------------------------------------------
// Field selection.

TEST_F(CheckerTest, FieldSelection) {
  EXPECT_EQ(TypeOf("m.a"), "int");
  EXPECT_EQ(TypeOf("mm.a.b"), "double");
  EXPECT_EQ(TypeOf("md.a"), "dyn");
  EXPECT_EQ(TypeOf("dy.a"), "dyn");
  EXPECT_EQ(TypeOf("dy.a.b.c"), "dyn");
  EXPECT_EQ(TypeOf("{'a': 1}.a"), "int");
  EXPECT_EQ(TypeOf("[m][0].a"), "int");
  EXPECT_EQ(TypeOf("([].map(x, x))[0].foo"), "dyn");
  EXPECT_EQ(TypeOf("m.`a-b`"), "int");
  EXPECT_EQ(ErrorOf("i.a"),
            "line 1, column 1: type 'int' does not support field selection");
  EXPECT_EQ(ErrorOf("li.a"),
            "line 1, column 1: type 'list(int)' does not support field "
            "selection");
  EXPECT_EQ(ErrorOf("mi.a"),
            "line 1, column 1: type 'map(int, string)' does not support "
            "field selection (its keys are not strings)");
  EXPECT_THAT(ErrorOf("ts.seconds"),
              HasSubstr("type 'google.protobuf.Timestamp' does not support "
                        "field selection"));
  EXPECT_THAT(ErrorOf("[].length"),
              HasSubstr("type 'list(dyn)' does not support field selection"));
  // An error is reported once, not again by every selection above it.
  EXPECT_EQ(ErrorOf("i.a.b.c"),
            "line 1, column 1: type 'int' does not support field selection");
}

TEST_F(CheckerTest, Has) {
  EXPECT_EQ(TypeOf("has(m.a)"), "bool");
  EXPECT_EQ(TypeOf("has(mm.a.b)"), "bool");
  EXPECT_EQ(TypeOf("has(dy.a)"), "bool");
  EXPECT_EQ(TypeOf("has(x.y.z)"), "bool");
  EXPECT_EQ(TypeOf("has(x.w)"), "bool");
  EXPECT_EQ(TypeOf("has(customer.tier)"),
            "line 1, column 5: undeclared reference to 'customer' (in "
            "container '')");
  EXPECT_THAT(ErrorOf("has(i.a)"),
              HasSubstr("type 'int' does not support field selection"));
  EXPECT_THAT(ErrorOf("has(m.a).b"),
              HasSubstr("type 'bool' does not support field selection"));
  CheckedExpr checked = MustCheck("has(x.y.z)");
  const Expr* xy = FindSelect(*checked.parsed.root, "y");
  ASSERT_NE(xy, nullptr);
  EXPECT_EQ(checked.references.at(xy->id).variable, env_.FindVariable("x.y"));
}

// ---------------------------------------------------------------------------
// Calls and overloads.

TEST_F(CheckerTest, ArithmeticOverloads) {
  EXPECT_EQ(TypeOf("1 + 2"), "int");
  EXPECT_EQ(TypeOf("1u * 2u"), "uint");
  EXPECT_EQ(TypeOf("1.5 / d"), "double");
  EXPECT_EQ(TypeOf("'a' + s"), "string");
  EXPECT_EQ(TypeOf("b'a' + by"), "bytes");
  EXPECT_EQ(TypeOf("-i"), "int");
  EXPECT_EQ(TypeOf("!b"), "bool");
  EXPECT_EQ(TypeOf("i % 2 == 0"), "bool");
  EXPECT_EQ(TypeOf("[1] + [2]"), "list(int)");
  EXPECT_EQ(TypeOf("[] + [1, 2, 3] + [4]"), "list(int)");
  EXPECT_EQ(TypeOf("[1, 2u] + []"), "list(dyn)");
  EXPECT_EQ(TypeOf("[1] + [dyn('a')]"), "list(dyn)");
  EXPECT_EQ(TypeOf("[dyn('a')] + [1]"), "list(dyn)");
  EXPECT_EQ(TypeOf("li + ld"), "list(dyn)");
  EXPECT_EQ(TypeOf("size([] + [1])"), "int");

  CheckedExpr checked = MustCheck("1 + 2");
  EXPECT_THAT(OverloadIds(checked, checked.parsed.root.get()),
              ElementsAre("add_int64"));
  EXPECT_EQ(checked.references.at(checked.parsed.root->id).name, "_+_");
  EXPECT_FALSE(checked.references.at(checked.parsed.root->id).namespaced);
}

TEST_F(CheckerTest, MixedArithmeticIsAnError) {
  // Positions are where the node starts in the source (ast.h): for an
  // operator, its left operand.
  EXPECT_EQ(ErrorOf("1 + 1u"),
            "line 1, column 3: found no matching overload for '_+_' applied "
            "to '(int, uint)'");
  EXPECT_EQ(ErrorOf("i * d"),
            "line 1, column 3: found no matching overload for '_*_' applied "
            "to '(int, double)'");
  EXPECT_EQ(ErrorOf("li + ls"),
            "line 1, column 4: found no matching overload for '_+_' applied "
            "to '(list(int), list(string))'");
  EXPECT_EQ(ErrorOf("-'a'"),
            "line 1, column 1: found no matching overload for '-_' applied "
            "to '(string)'");
  EXPECT_EQ(ErrorOf("!1"),
            "line 1, column 1: found no matching overload for '!_' applied "
            "to '(int)'");
}

TEST_F(CheckerTest, DynArgumentsKeepTheCandidates) {
  // dyn + int: only int + int takes an int on the right.
  CheckedExpr checked = MustCheck("dy + 1");
  EXPECT_EQ(checked.result_type().DebugString(), "int");
  EXPECT_THAT(OverloadIds(checked, checked.parsed.root.get()),
              ElementsAre("add_int64"));
  // dyn + dyn: every overload remains, in registry order, and the result
  // is dyn because they disagree.
  checked = MustCheck("dy + dy");
  EXPECT_EQ(checked.result_type().DebugString(), "dyn");
  std::vector<std::string> ids =
      OverloadIds(checked, checked.parsed.root.get());
  std::vector<std::string> registry_order;
  for (const Overload& overload : *env_.functions().Find(kAdd)) {
    registry_order.push_back(overload.id);
  }
  EXPECT_EQ(ids, registry_order);
  EXPECT_GT(ids.size(), 5u);
  // All candidates agree on int: the result is int.
  EXPECT_EQ(TypeOf("int(dy)"), "int");
  EXPECT_EQ(TypeOf("size(dy)"), "int");
  EXPECT_EQ(TypeOf("dy < 1"), "bool");
  EXPECT_EQ(TypeOf("dy[0]"), "dyn");
  EXPECT_EQ(TypeOf("ld[0]"), "dyn");
  EXPECT_EQ(TypeOf("li[dy]"), "int");
  EXPECT_EQ(TypeOf("dyn(1) + 1"), "int");
  EXPECT_EQ(TypeOf("dyn(i)"), "dyn");
}

TEST_F(CheckerTest, GenericOverloads) {
  EXPECT_EQ(TypeOf("size(ls)"), "int");
  EXPECT_EQ(TypeOf("ls.size()"), "int");
  EXPECT_EQ(TypeOf("size(m) + size('a') + size(b'a')"), "int");
  EXPECT_EQ(TypeOf("li[0]"), "int");
  EXPECT_EQ(TypeOf("lli[0]"), "list(int)");
  EXPECT_EQ(TypeOf("lli[0][1]"), "int");
  EXPECT_EQ(TypeOf("m['a']"), "int");
  EXPECT_EQ(TypeOf("mm['a']['b']"), "double");
  EXPECT_EQ(TypeOf("mi[1]"), "string");
  EXPECT_EQ(TypeOf("1 in li"), "bool");
  EXPECT_EQ(TypeOf("'a' in m"), "bool");
  EXPECT_EQ(TypeOf("1 in dyn([1, 2])"), "bool");
  EXPECT_EQ(TypeOf("[1, 2][0]"), "int");
  EXPECT_EQ(TypeOf("{'a': [1]}['a'][0]"), "int");
  EXPECT_EQ(TypeOf("([[[1]], [[2]], [[3]]][0][0] + [2, 3, {'four': "
                   "{'five': 'six'}}])[3]"),
            "dyn");
  EXPECT_THAT(ErrorOf("m[1]"),
              HasSubstr("found no matching overload for '_[_]' applied to "
                        "'(map(string, int), int)'"));
  EXPECT_THAT(ErrorOf("'a' in li"),
              HasSubstr("found no matching overload for '@in' applied to "
                        "'(string, list(int))'"));
  // Two calls of one generic overload do not share its type parameter.
  EXPECT_EQ(TypeOf("size(li) + size(ls)"), "int");
  EXPECT_EQ(TypeOf("[li[0], ls[0]]"), "list(dyn)");
  // A parameter bound by one argument constrains the next.
  EXPECT_THAT(ErrorOf("li + ['a']"),
              HasSubstr("found no matching overload for '_+_'"));
}

TEST_F(CheckerTest, ConversionsAndLibraryFunctions) {
  EXPECT_EQ(TypeOf("int('1') + int(1u) + int(1.5)"), "int");
  EXPECT_EQ(TypeOf("uint(1)"), "uint");
  EXPECT_EQ(TypeOf("double(1)"), "double");
  EXPECT_EQ(TypeOf("string(1)"), "string");
  EXPECT_EQ(TypeOf("bytes('a')"), "bytes");
  EXPECT_EQ(TypeOf("bool('true')"), "bool");
  EXPECT_EQ(TypeOf("timestamp('2024-01-01T00:00:00Z')"),
            "google.protobuf.Timestamp");
  EXPECT_EQ(TypeOf("duration('1s')"), "google.protobuf.Duration");
  EXPECT_EQ(TypeOf("ts + du"), "google.protobuf.Timestamp");
  EXPECT_EQ(TypeOf("ts - ts"), "google.protobuf.Duration");
  EXPECT_EQ(TypeOf("ts.getHours('Europe/Paris')"), "int");
  EXPECT_EQ(TypeOf("ts < ts"), "bool");
  EXPECT_EQ(TypeOf("s.contains('a') && s.startsWith('b')"), "bool");
  EXPECT_EQ(TypeOf("s.matches('^a+$')"), "bool");
  EXPECT_EQ(TypeOf("s.lowerAscii()"), "string");
  EXPECT_EQ(TypeOf("s.split(',')"), "list(string)");
  EXPECT_EQ(ErrorOf("'a'.contains(1)"),
            "line 1, column 1: found no matching overload for 'contains' "
            "applied to 'string.(int)'");
  EXPECT_EQ(ErrorOf("int(li)"),
            "line 1, column 1: found no matching overload for 'int' applied "
            "to '(list(int))'");
  // The receiver style matters: contains is a method.
  EXPECT_THAT(ErrorOf("contains('a', 'b')"),
              HasSubstr("found no matching overload for 'contains' applied "
                        "to '(string, string)'"));
}

TEST_F(CheckerTest, UndeclaredFunctions) {
  EXPECT_EQ(ErrorOf("foo(1)"),
            "line 1, column 1: undeclared reference to 'foo' (in container "
            "'')");
  EXPECT_EQ(ErrorOf("'a'.foo()"),
            "line 1, column 1: undeclared reference to 'foo' (in container "
            "'')");
  // A namespace that names nothing: its first part is unknown, and so is
  // the function as a method.
  EXPECT_EQ(ErrorOf("nomath.greatest(1, 2)"),
            "line 1, column 1: undeclared reference to 'nomath' (in "
            "container '')\n"
            "line 1, column 1: undeclared reference to 'greatest' (in "
            "container '')");
}

TEST_F(CheckerTest, NamespacedFunctions) {
  CheckedExpr checked = MustCheck("math.greatest(1, 2)");
  EXPECT_EQ(checked.result_type().DebugString(), "int");
  const Reference& ref = checked.references.at(checked.parsed.root->id);
  EXPECT_TRUE(ref.namespaced);
  EXPECT_EQ(ref.name, "math.greatest");
  ASSERT_FALSE(ref.overloads.empty());
  for (const Overload* overload : ref.overloads) {
    EXPECT_FALSE(overload->receiver_style) << overload->id;
    EXPECT_EQ(overload->params.size(), 2u) << overload->id;
  }
  // The namespace is not a value: it has no type.
  const Expr* math = FindIdent(*checked.parsed.root, "math");
  ASSERT_NE(math, nullptr);
  EXPECT_FALSE(checked.types.contains(math->id));

  EXPECT_EQ(TypeOf("math.least(1.5, 2.5)"), "double");
  EXPECT_EQ(TypeOf("math.greatest(1, 2) + 1"), "int");
  EXPECT_EQ(TypeOf(".math.greatest(1, 2)"), "int");
  EXPECT_EQ(TypeOf("math.greatest(dy, 1) == 1"), "bool");
  EXPECT_THAT(ErrorOf("math.greatest('a', 'b')"),
              HasSubstr("found no matching overload for 'math.greatest' "
                        "applied to '(string, string)'"));
  EXPECT_EQ(ErrorOf("math.nothing(1)"),
            "line 1, column 1: undeclared reference to 'math' (in container "
            "'')\n"
            "line 1, column 1: undeclared reference to 'nothing' (in "
            "container '')");
  // The container applies to function names: greatest is math.greatest.
  Environment env;
  env.set_container("math");
  absl::StatusOr<CheckedExpr> in_math = CheckSource("greatest(1, 2)", env);
  ASSERT_TRUE(in_math.ok()) << in_math.status();
  EXPECT_EQ(in_math->result_type().DebugString(), "int");
  const Reference& qualified = in_math->references.at(in_math->parsed.root->id);
  EXPECT_EQ(qualified.name, "math.greatest");
  EXPECT_FALSE(qualified.namespaced);
  EXPECT_EQ(TypeIn("size('abc')", env), "int");
}

TEST_F(CheckerTest, LogicOperators) {
  EXPECT_EQ(TypeOf("b && true"), "bool");
  EXPECT_EQ(TypeOf("b || dy"), "bool");
  EXPECT_EQ(TypeOf("dy && dy"), "bool");
  EXPECT_EQ(TypeOf("!(b || false) && i > 0"), "bool");
  EXPECT_EQ(ErrorOf("1 && true"),
            "line 1, column 1: found no matching overload for '_&&_' "
            "applied to '(int, bool)'");
  EXPECT_EQ(ErrorOf("b || 's'"),
            "line 1, column 1: found no matching overload for '_||_' "
            "applied to '(bool, string)'");
  CheckedExpr checked = MustCheck("b && b");
  const Reference& ref = checked.references.at(checked.parsed.root->id);
  EXPECT_EQ(ref.name, "_&&_");
  EXPECT_TRUE(ref.overloads.empty());
}

TEST_F(CheckerTest, Conditional) {
  EXPECT_EQ(TypeOf("b ? 1 : 2"), "int");
  EXPECT_EQ(TypeOf("b ? 1 : 'a'"), "dyn");
  EXPECT_EQ(TypeOf("b ? [] : [1]"), "list(int)");
  EXPECT_EQ(TypeOf("b ? dy : 1"), "dyn");
  EXPECT_EQ(TypeOf("dy ? 1 : 2"), "int");
  EXPECT_EQ(TypeOf("false && !true || false ? 2 : 3"), "int");
  EXPECT_EQ(TypeOf("b ? null : null"), "null_type");
  EXPECT_EQ(ErrorOf("1 ? 1 : 2"),
            "line 1, column 1: found no matching overload for '_?_:_' "
            "applied to '(int, int, int)'");
}

TEST_F(CheckerTest, EqualityAcceptsAnyTypes) {
  EXPECT_EQ(TypeOf("1 == 1u"), "bool");
  EXPECT_EQ(TypeOf("1 != 'a'"), "bool");
  EXPECT_EQ(TypeOf("null == i"), "bool");
  EXPECT_EQ(TypeOf("li == [1]"), "bool");
  EXPECT_EQ(TypeOf("li == ls"), "bool");
  EXPECT_EQ(TypeOf("m == {}"), "bool");
  EXPECT_EQ(TypeOf("type(i) == int"), "bool");
  // Where the registry's overload fits, it is recorded.
  CheckedExpr checked = MustCheck("i == 1");
  EXPECT_THAT(OverloadIds(checked, checked.parsed.root.get()),
              ElementsAre("equals"));
}

TEST_F(CheckerTest, ComparisonAcrossNumericTypes) {
  EXPECT_EQ(TypeOf("1 < 1.5 && 1u <= 2 && 2.0 > 1u"), "bool");
  EXPECT_THAT(ErrorOf("'a' < 1"),
              HasSubstr("found no matching overload for '_<_' applied to "
                        "'(string, int)'"));
}

// ---------------------------------------------------------------------------
// Comprehensions.

TEST_F(CheckerTest, Macros) {
  EXPECT_EQ(TypeOf("li.all(x, x > 0)"), "bool");
  EXPECT_EQ(TypeOf("li.exists(x, x > 0)"), "bool");
  EXPECT_EQ(TypeOf("li.exists_one(x, x > 0)"), "bool");
  EXPECT_EQ(TypeOf("li.map(x, x * 2)"), "list(int)");
  EXPECT_EQ(TypeOf("li.map(x, double(x))"), "list(double)");
  EXPECT_EQ(TypeOf("li.map(x, x > 1, string(x))"), "list(string)");
  EXPECT_EQ(TypeOf("ls.filter(x, x.startsWith('a'))"), "list(string)");
  EXPECT_EQ(TypeOf("lli.map(l, l.map(x, x + 1))"), "list(list(int))");
  EXPECT_EQ(TypeOf("lli.all(l, l.all(x, x > 0))"), "bool");
  EXPECT_EQ(TypeOf("[1].map(x, [x, x]).map(x, [x, x])"),
            "list(list(list(int)))");
  // Maps range over their keys.
  EXPECT_EQ(TypeOf("m.exists(k, k.startsWith('a'))"), "bool");
  EXPECT_EQ(TypeOf("m.map(k, m[k])"), "list(int)");
  EXPECT_EQ(TypeOf("mi.map(k, k + 1)"), "list(int)");
  // dyn ranges give dyn elements.
  EXPECT_EQ(TypeOf("dy.map(x, x)"), "list(dyn)");
  EXPECT_EQ(TypeOf("dy.filter(x, x > 1.5)"), "list(dyn)");
  EXPECT_EQ(TypeOf("dy.all(x, x)"), "bool");
  EXPECT_EQ(TypeOf("[].map(x, x)"), "list(dyn)");
  EXPECT_EQ(TypeOf("[].exists(x, x == 1)"), "bool");
  EXPECT_EQ(TypeOf("md.a.map(x, x)"), "list(dyn)");
}

TEST_F(CheckerTest, TwoVariableMacrosAndBind) {
  // Over a list: the index (int) and the element; over a map: the key and
  // the value.
  EXPECT_EQ(TypeOf("ls.transformList(i, v, i)"), "list(int)");
  EXPECT_EQ(TypeOf("ls.transformList(i, v, v)"), "list(string)");
  EXPECT_EQ(TypeOf("mi.transformList(k, v, v)"), "list(string)");
  EXPECT_EQ(TypeOf("ls.transformMap(i, v, size(v))"), "map(int, int)");
  EXPECT_EQ(TypeOf("m.transformMap(k, v, v > 0, double(v))"),
            "map(string, double)");
  EXPECT_EQ(TypeOf("m.transformMapEntry(k, v, {v: k})"), "map(int, string)");
  EXPECT_EQ(TypeOf("m.all(k, v, k.startsWith('a') && v > 0)"), "bool");
  EXPECT_EQ(TypeOf("li.existsOne(i, v, i == v)"), "bool");
  EXPECT_EQ(TypeOf("dy.exists(a, b, a == b)"), "bool");
  EXPECT_THAT(ErrorOf("ls.all(i, v, v > 1)"),
              HasSubstr("found no matching overload for '_>_' applied to "
                        "'(string, int)'"));
  EXPECT_EQ(TypeOf("cel.bind(x, 'a', x + x)"), "string");
  EXPECT_EQ(TypeOf("cel.bind(x, li, x.map(e, e * 2 > 1))"), "list(bool)");
}

TEST_F(CheckerTest, Optionals) {
  EXPECT_EQ(TypeOf("optional.of(1)"), "optional_type(int)");
  EXPECT_EQ(TypeOf("optional.none()"), "optional_type(dyn)");
  EXPECT_EQ(TypeOf("m.?a"), "optional_type(int)");
  EXPECT_EQ(TypeOf("m[?'a']"), "optional_type(int)");
  EXPECT_EQ(TypeOf("li[?0]"), "optional_type(int)");
  EXPECT_EQ(TypeOf("mm.?a.b"), "optional_type(double)");
  EXPECT_EQ(TypeOf("mm.?a.?b.orValue(0.0)"), "double");
  EXPECT_EQ(TypeOf("m.?a.hasValue()"), "bool");
  EXPECT_EQ(TypeOf("m.?a.value()"), "int");
  EXPECT_EQ(TypeOf("m.?a.or(m.?b)"), "optional_type(int)");
  EXPECT_EQ(TypeOf("m.?a.optMap(v, string(v))"), "optional_type(string)");
  EXPECT_EQ(TypeOf("[?m.?a, 2]"), "list(int)");
  EXPECT_EQ(TypeOf("{?'k': m.?a}"), "map(string, int)");
  EXPECT_EQ(TypeOf("type(optional.none()) == optional_type"), "bool");
  EXPECT_THAT(ErrorOf("m.?a.orValue('none')"),
              HasSubstr("found no matching overload for 'orValue'"));
  EXPECT_THAT(ErrorOf("[?1]"),
              HasSubstr("expected type 'optional_type' but found 'int'"));
}

TEST_F(CheckerTest, ComprehensionErrors) {
  EXPECT_EQ(ErrorOf("i.all(x, true)"),
            "line 1, column 1: expression of type 'int' cannot be range of a "
            "comprehension (must be list, map, or dynamic)");
  EXPECT_THAT(ErrorOf("li.all(x, x)"),
              HasSubstr("found no matching overload for '_&&_' applied to "
                        "'(bool, int)'"));
  EXPECT_THAT(ErrorOf("li.map(x, x) + ['a']"),
              HasSubstr("found no matching overload for '_+_' applied to "
                        "'(list(int), list(string))'"));
  // The loop variable is not visible after the loop.
  EXPECT_EQ(ErrorOf("li.exists(y, y > 10) && y < 5"),
            "line 1, column 25: undeclared reference to 'y' (in container "
            "'')");
  // Errors inside a loop carry their own position.
  EXPECT_EQ(ErrorOf("li.all(x,\n  x + 'a' > 0)"),
            "line 2, column 5: found no matching overload for '_+_' applied "
            "to '(int, string)'");
}

TEST_F(CheckerTest, IterationVariableIsNotVisibleInTheResult) {
  // The macros never use it there; build such a loop by hand.
  absl::StatusOr<ParsedExpr> parsed = Parse("li.all(e, e > 0)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto* loop = std::get_if<ComprehensionExpr>(&parsed->root->kind);
  ASSERT_NE(loop, nullptr);
  auto result = std::make_unique<Expr>();
  result->id = parsed->next_id++;
  result->offset = 10;
  result->kind = IdentExpr{loop->iter_var};
  loop->result = std::move(result);
  absl::StatusOr<CheckedExpr> checked = Check(*std::move(parsed), env_);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().message(),
            "line 1, column 11: undeclared reference to 'e' (in container "
            "'')");
}

TEST_F(CheckerTest, LoopConditionAndStepMustFitTheLoop) {
  // The macros always build well-typed loops; build others by hand.
  absl::StatusOr<ParsedExpr> parsed = Parse("li.all(e, e > 0)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto* loop = std::get_if<ComprehensionExpr>(&parsed->root->kind);
  ASSERT_NE(loop, nullptr);
  auto constant = [&](Constant value, int32_t offset) {
    auto e = std::make_unique<Expr>();
    e->id = parsed->next_id++;
    e->offset = offset;
    e->kind = ConstExpr{std::move(value)};
    return e;
  };
  loop->loop_condition = constant(int64_t{1}, 7);
  loop->loop_step = constant(std::string("s"), 10);
  absl::StatusOr<CheckedExpr> checked = Check(*std::move(parsed), env_);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.status().message(),
            "line 1, column 8: expected type 'bool' but found 'int'\n"
            "line 1, column 11: expected type 'bool' but found 'string'");
}

TEST_F(CheckerTest, AccumulatorIsVisibleInTheResult) {
  absl::StatusOr<CheckedExpr> checked =
      CheckSource("li.exists(x, x > 0)", env_);
  ASSERT_TRUE(checked.ok()) << checked.status();
  const auto& loop = std::get<ComprehensionExpr>(checked->parsed.root->kind);
  EXPECT_EQ(checked->types.at(loop.result->id).DebugString(), "bool");
  EXPECT_EQ(checked->types.at(loop.accu_init->id).DebugString(), "bool");
  EXPECT_FALSE(checked->references.contains(loop.result->id));
}

// ---------------------------------------------------------------------------
// What the result holds.

TEST_F(CheckerTest, EveryNodeIsTypedAndCallsAreResolved) {
  const char* sources[] = {
      "li.map(x, x * 2).filter(y, y > 3).size() + m.a - size(ls)",
      "{'k': [1, 2u], 'l': []}['k'].exists(e, e == 1) ? dy.a : x.y.z",
      "has(mm.a.b) && [ts, ts].all(t, t < timestamp('2030-01-01T00:00:00Z'))",
      "math.greatest(1, 2) in [1, 2, 3] || 'a' in {'a': 1}",
  };
  for (const char* source : sources) {
    CheckedExpr checked = MustCheck(source);
    // The nodes under a select chain that names a variable, and the target
    // of a namespaced call, are parts of names, not values.
    std::set<int64_t> name_parts;
    auto add_subtree = [&](const Expr& top) {
      Walk(top, [&](const Expr& e, const Expr*) { name_parts.insert(e.id); });
    };
    Walk(*checked.parsed.root, [&](const Expr& e, const Expr*) {
      auto ref = checked.references.find(e.id);
      if (ref == checked.references.end()) return;
      if (const auto* select = std::get_if<SelectExpr>(&e.kind);
          select != nullptr && ref->second.variable != nullptr) {
        add_subtree(*select->operand);
      }
      if (const auto* call = std::get_if<CallExpr>(&e.kind);
          call != nullptr && ref->second.namespaced) {
        add_subtree(*call->target);
      }
    });
    Walk(*checked.parsed.root, [&](const Expr& e, const Expr*) {
      if (name_parts.contains(e.id)) {
        EXPECT_FALSE(checked.types.contains(e.id)) << source;
        return;
      }
      ASSERT_TRUE(checked.types.contains(e.id)) << source << " node " << e.id;
      const Type& type = checked.types.at(e.id);
      // No type variable survives the check.
      EXPECT_THAT(type.DebugString(), ::testing::Not(HasSubstr("_var")))
          << source;
      EXPECT_NE(type.kind(), Type::Kind::kError) << source;
      if (const auto* call = std::get_if<CallExpr>(&e.kind)) {
        ASSERT_TRUE(checked.references.contains(e.id)) << source;
        const Reference& ref = checked.references.at(e.id);
        EXPECT_FALSE(ref.name.empty()) << source;
        bool logic = call->function == kAnd || call->function == kOr ||
                     call->function == kConditional ||
                     call->function == kNotStrictlyFalse ||
                     call->function == kEqual || call->function == kNotEqual;
        if (!logic) {
          EXPECT_FALSE(ref.overloads.empty())
              << source << ": " << call->function;
        }
      }
    });
  }
}

// ---------------------------------------------------------------------------
// Errors.

TEST_F(CheckerTest, ErrorsAreSortedByPositionAndCapped) {
  EXPECT_EQ(ErrorOf("q1 + 1u\n  + q2"),
            "line 1, column 1: undeclared reference to 'q1' (in container "
            "'')\n"
            "line 2, column 5: undeclared reference to 'q2' (in container "
            "'')");
  EXPECT_EQ(ErrorOf("[1 + 1u, 2 + 'a', i.x]"),
            "line 1, column 4: found no matching overload for '_+_' applied "
            "to '(int, uint)'\n"
            "line 1, column 12: found no matching overload for '_+_' applied "
            "to '(int, string)'\n"
            "line 1, column 19: type 'int' does not support field selection");
  std::string many = ErrorOf("[a1, a2, a3, a4, a5, a6, a7]");
  std::vector<std::string> lines = absl::StrSplit(many, '\n');
  ASSERT_EQ(lines.size(), 6u) << many;
  EXPECT_THAT(lines[0], StartsWith("line 1, column 2: "));
  EXPECT_THAT(lines[4], StartsWith("line 1, column 18: "));
  EXPECT_EQ(lines[5], "(and 2 more errors)");
  // Unicode columns count code points.
  EXPECT_EQ(ErrorOf("'日本' == s && i + 'a' > 0"),
            "line 1, column 16: found no matching overload for '_+_' applied "
            "to '(int, string)'");
}

TEST_F(CheckerTest, ManyErrorsStayBounded) {
  std::string source = "[";
  for (int k = 0; k < 500; ++k) absl::StrAppend(&source, k ? ", " : "", "q", k);
  source += "]";
  std::string message = ErrorOf(source);
  EXPECT_THAT(message, HasSubstr("(and 495 more errors)"));
  EXPECT_LT(message.size(), 1000u);
}

TEST_F(CheckerTest, DeepTreesAreRefusedNotOverflowed) {
  // The parser bounds nesting by default; a caller that raises its limit
  // still cannot make the checker recurse without end.
  std::string source = "1";
  for (int k = 0; k < 5000; ++k) source += " + 1";
  ParseOptions options;
  options.limits.max_nesting_depth = 100000;
  absl::StatusOr<ParsedExpr> parsed = Parse(source, options);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  absl::StatusOr<CheckedExpr> checked = Check(*std::move(parsed), env_);
  ASSERT_FALSE(checked.ok());
  EXPECT_THAT(checked.status().message(),
              HasSubstr("expression is nested too deeply to check"));
  // Within the environment's limits it checks.
  std::string fine = "1";
  for (int k = 0; k < 90; ++k) fine += " + 1";
  EXPECT_EQ(TypeOf(fine), "int");
}

TEST_F(CheckerTest, LongSelectChainsAreCheap) {
  // Resolving a.b.c... tries only prefixes as long as a declared name.
  std::string source = "dy";
  for (int k = 0; k < 90; ++k) absl::StrAppend(&source, ".f", k);
  EXPECT_EQ(TypeOf(source), "dyn");
}

TEST_F(CheckerTest, EmptyParsedExprIsAnError) {
  absl::StatusOr<CheckedExpr> checked = Check(ParsedExpr{}, env_);
  EXPECT_EQ(checked.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// The conformance files: every expression is checked (none may crash the
// checker), and those the reference checker accepts should be accepted.

// A small reader of protobuf text format, enough for the conformance files:
// fields, nested messages, lists and strings with escapes. The conformance
// runner (tests/conformance) reads them with protobuf itself; this test
// must not depend on it.
struct TextNode {
  std::string name;
  std::string scalar;  // decoded text of a scalar field
  bool message = false;
  std::vector<TextNode> fields;

  const TextNode* Get(absl::string_view field) const {
    for (const TextNode& f : fields) {
      if (f.name == field) return &f;
    }
    return nullptr;
  }
  std::vector<const TextNode*> All(absl::string_view field) const {
    std::vector<const TextNode*> all;
    for (const TextNode& f : fields) {
      if (f.name == field) all.push_back(&f);
    }
    return all;
  }
  std::string Scalar(absl::string_view field) const {
    const TextNode* f = Get(field);
    return f == nullptr ? "" : f->scalar;
  }
};

class TextReader {
 public:
  explicit TextReader(absl::string_view text) : text_(text) {}

  bool ReadFile(TextNode* root) {
    root->message = true;
    return ReadFields(root, '\0') && pos_ >= text_.size();
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(absl::string_view what) {
    if (error_.empty()) error_ = absl::StrCat(what, " at byte ", pos_);
    return false;
  }

  void Skip() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (absl::ascii_isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else {
        return;
      }
    }
  }

  bool Peek(char c) {
    Skip();
    return pos_ < text_.size() && text_[pos_] == c;
  }

  bool ReadFields(TextNode* node, char close) {
    while (true) {
      Skip();
      if (pos_ >= text_.size()) return close == '\0' || Fail("unclosed");
      if (text_[pos_] == close) {
        ++pos_;
        return true;
      }
      TextNode field;
      if (!ReadName(&field.name)) return false;
      bool colon = Peek(':');
      if (colon) ++pos_;
      if (!ReadValue(&field, node)) return false;
      if (Peek(',') || Peek(';')) ++pos_;
    }
  }

  bool ReadName(std::string* name) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '[') {  // an extension or Any
      size_t end = text_.find(']', pos_);
      if (end == absl::string_view::npos) return Fail("unclosed '['");
      *name = std::string(text_.substr(pos_, end + 1 - pos_));
      pos_ = end + 1;
      return true;
    }
    size_t start = pos_;
    while (pos_ < text_.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) ||
            text_[pos_] == '_' || text_[pos_] == '.')) {
      ++pos_;
    }
    if (start == pos_) return Fail("expected a field name");
    *name = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  // One value, or a list of them (each added to `parent` under the name).
  bool ReadValue(TextNode* field, TextNode* parent) {
    Skip();
    if (pos_ >= text_.size()) return Fail("expected a value");
    char c = text_[pos_];
    if (c == '[') {
      ++pos_;
      while (!Peek(']')) {
        TextNode element;
        element.name = field->name;
        if (!ReadValue(&element, parent)) return false;
        if (Peek(',')) ++pos_;
      }
      ++pos_;
      return true;
    }
    if (c == '{' || c == '<') {
      ++pos_;
      field->message = true;
      if (!ReadFields(field, c == '{' ? '}' : '>')) return false;
    } else if (c == '"' || c == '\'') {
      while (Peek('"') || Peek('\'')) {
        if (!ReadString(&field->scalar)) return false;
      }
    } else {
      size_t start = pos_;
      while (pos_ < text_.size() &&
             !absl::ascii_isspace(static_cast<unsigned char>(text_[pos_])) &&
             std::string_view("{}[]<>:,;#").find(text_[pos_]) ==
                 std::string_view::npos) {
        ++pos_;
      }
      field->scalar = std::string(text_.substr(start, pos_ - start));
    }
    parent->fields.push_back(std::move(*field));
    return true;
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  // Up to `most` digits in base 8 or 16 (at least one).
  bool ReadDigits(int base, size_t most, uint32_t* code) {
    *code = 0;
    size_t read = 0;
    for (; read < most && pos_ < text_.size(); ++read) {
      char c = absl::ascii_tolower(text_[pos_]);
      int digit = absl::ascii_isdigit(static_cast<unsigned char>(c))
                      ? c - '0'
                      : (c >= 'a' && c <= 'f' ? c - 'a' + 10 : base);
      if (digit >= base) break;
      *code = *code * base + digit;
      ++pos_;
    }
    return read > 0 || Fail("bad escape");
  }

  bool ReadString(std::string* out) {
    static constexpr absl::string_view kLetters = "ntrabfv";
    static constexpr absl::string_view kControls = "\n\t\r\a\b\f\v";
    char quote = text_[pos_++];
    while (true) {
      if (pos_ >= text_.size()) return Fail("unclosed string");
      char c = text_[pos_++];
      if (c == quote) return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Fail("unclosed string");
      char e = text_[pos_];
      uint32_t code;
      if (size_t k = kLetters.find(e); k != absl::string_view::npos) {
        out->push_back(kControls[k]);
        ++pos_;
      } else if (e == 'x' || e == 'X') {
        ++pos_;
        if (!ReadDigits(16, 2, &code)) return false;
        out->push_back(static_cast<char>(code));
      } else if (e == 'u' || e == 'U') {
        ++pos_;
        if (!ReadDigits(16, e == 'u' ? 4 : 8, &code)) return false;
        AppendUtf8(code, out);
      } else if (e >= '0' && e <= '7') {
        if (!ReadDigits(8, 3, &code)) return false;
        out->push_back(static_cast<char>(code));
      } else {
        out->push_back(e);  // \\ \' \" \?
        ++pos_;
      }
    }
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

TEST(TextReaderTest, ReadsWhatTheConformanceFilesUse) {
  TextNode root;
  TextReader reader(
      "# comment\nname: \"n\"\nsection {\n test: { expr: 'a\\x41\\101\\u00e9' "
      "\"b\" disable_check: true }\n test < expr: \"\\\"q\\\"\" > }\n"
      "values: [1, 2] [type.googleapis.com/x.Y] { a: 1 }");
  ASSERT_TRUE(reader.ReadFile(&root)) << reader.error();
  EXPECT_EQ(root.Scalar("name"), "n");
  const TextNode* section = root.Get("section");
  ASSERT_NE(section, nullptr);
  std::vector<const TextNode*> tests = section->All("test");
  ASSERT_EQ(tests.size(), 2u);
  EXPECT_EQ(tests[0]->Scalar("expr"),
            "aAA\xC3\xA9"
            "b");
  EXPECT_EQ(tests[0]->Scalar("disable_check"), "true");
  EXPECT_EQ(tests[1]->Scalar("expr"), "\"q\"");
  EXPECT_EQ(root.All("values").size(), 2u);
  EXPECT_NE(root.Get("[type.googleapis.com/x.Y]"), nullptr);
}

// The checker type of a cel.expr.Type in text form; nullopt for what
// motive has no type for (messages, wrappers, abstract types).
std::optional<Type> DeclaredType(const TextNode& type) {
  if (const TextNode* p = type.Get("primitive")) {
    static const std::map<std::string, Type> kPrimitives = {
        {"BOOL", Type::Bool()},     {"INT64", Type::Int()},
        {"UINT64", Type::Uint()},   {"DOUBLE", Type::Double()},
        {"STRING", Type::String()}, {"BYTES", Type::Bytes()}};
    auto it = kPrimitives.find(p->scalar);
    if (it == kPrimitives.end()) return std::nullopt;
    return it->second;
  }
  if (type.Get("dyn") != nullptr) return Type::Dyn();
  if (type.Get("null") != nullptr) return Type::Null();
  if (const TextNode* w = type.Get("well_known")) {
    if (w->scalar == "TIMESTAMP") return Type::Timestamp();
    if (w->scalar == "DURATION") return Type::Duration();
    return std::nullopt;
  }
  if (const TextNode* list = type.Get("list_type")) {
    const TextNode* element = list->Get("elem_type");
    if (element == nullptr) return std::nullopt;
    std::optional<Type> e = DeclaredType(*element);
    if (!e) return std::nullopt;
    return Type::List(*e);
  }
  if (const TextNode* map = type.Get("map_type")) {
    const TextNode* key = map->Get("key_type");
    const TextNode* value = map->Get("value_type");
    if (key == nullptr || value == nullptr) return std::nullopt;
    std::optional<Type> k = DeclaredType(*key);
    std::optional<Type> v = DeclaredType(*value);
    if (!k || !v) return std::nullopt;
    return Type::Map(*k, *v);
  }
  if (const TextNode* message = type.Get("message_type")) {
    if (message->scalar == "google.protobuf.Timestamp") {
      return Type::Timestamp();
    }
    if (message->scalar == "google.protobuf.Duration") {
      return Type::Duration();
    }
  }
  return std::nullopt;
}

std::filesystem::path ConformanceDir() {
  return std::filesystem::path(MOTIVE_SHARED_DIR) / "conformance" / "cel-spec" /
         "tests" / "simple" / "testdata";
}

struct SweepResult {
  int tests = 0;
  int skipped_disable_check = 0;
  int skipped_declarations = 0;
  int parse_failures = 0;
  int accepted = 0;
  int types_compared = 0;  // against the reference checker's deduction
  std::vector<std::string> rejected;  // "file/section/test: message"
  std::vector<std::string> unparsed;
  std::map<std::string, int> reasons;  // message without position
};

// Checks every test of `file`, counting into `result`.
void Sweep(const std::filesystem::path& file, SweepResult& result) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  TextNode root;
  std::string content = text.str();
  TextReader reader(content);
  ASSERT_TRUE(reader.ReadFile(&root)) << file << ": " << reader.error();
  std::string stem = file.stem().string();
  for (const TextNode* section : root.All("section")) {
    for (const TextNode* test : section->All("test")) {
      ++result.tests;
      std::string label = absl::StrCat(stem, "/", section->Scalar("name"), "/",
                                       test->Scalar("name"));
      EnvironmentOptions options;
      Environment env(options);
      env.set_container(test->Scalar("container"));
      bool declarable = true;
      for (const TextNode* decl : test->All("type_env")) {
        const TextNode* ident = decl->Get("ident");
        const TextNode* type = ident ? ident->Get("type") : nullptr;
        std::optional<Type> t =
            type ? DeclaredType(*type) : std::optional<Type>();
        if (!t.has_value() ||
            !env.DeclareVariable(decl->Scalar("name"), *t).ok()) {
          declarable = false;
        }
      }
      ParseOptions parse_options;
      parse_options.macros = test->Scalar("disable_macros") != "true";
      absl::StatusOr<ParsedExpr> parsed =
          Parse(test->Scalar("expr"), parse_options);
      bool disabled = test->Scalar("disable_check") == "true";
      // Whatever the test says, checking must not crash.
      std::optional<absl::StatusOr<CheckedExpr>> checked;
      if (parsed.ok()) checked = Check(*std::move(parsed), env);
      if (disabled) {
        ++result.skipped_disable_check;
        continue;
      }
      if (!declarable) {
        ++result.skipped_declarations;
        continue;
      }
      if (!checked.has_value()) {
        ++result.parse_failures;
        result.unparsed.push_back(
            absl::StrCat(label, ": ", parsed.status().message()));
        continue;
      }
      if (checked->ok()) {
        ++result.accepted;
        // Where the test gives the type the reference checker deduced (and
        // motive has that type), it must be the same.
        const TextNode* typed = test->Get("typed_result");
        const TextNode* deduced = typed ? typed->Get("deduced_type") : nullptr;
        std::optional<Type> expected =
            deduced ? DeclaredType(*deduced) : std::optional<Type>();
        if (expected.has_value()) {
          ++result.types_compared;
          EXPECT_EQ((*checked)->result_type().DebugString(),
                    expected->DebugString())
              << label;
        }
        continue;
      }
      std::string message(checked->status().message());
      result.rejected.push_back(absl::StrCat(label, ": ", message));
      for (absl::string_view line : absl::StrSplit(message, '\n')) {
        size_t colon = line.find(": ");
        if (absl::StartsWith(line, "line ") && colon != line.npos) {
          line.remove_prefix(colon + 2);
        }
        ++result.reasons[std::string(line)];
      }
    }
  }
}

TEST(CheckerConformanceTest, ChecksEveryConformanceExpression) {
  std::filesystem::path dir = ConformanceDir();
  if (!std::filesystem::exists(dir)) {
    GTEST_SKIP() << "no conformance files at " << dir
                 << " (the shared folder is absent)";
  }
  const std::set<std::string> in_scope = {
      "basic",        "comparisons", "conversions", "fields",     "fp_math",
      "integer_math", "lists",       "logic",       "macros",     "namespace",
      "plumbing",     "string",      "timestamps",  "string_ext", "math_ext"};
  SweepResult scope, others;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".textproto") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& file : files) {
    bool counted = in_scope.contains(file.stem().string());
    Sweep(file, counted ? scope : others);
  }

  std::cout << "In scope: " << scope.tests << " tests, "
            << scope.skipped_disable_check << " disable_check, "
            << scope.skipped_declarations
            << " with declarations motive has no type for, "
            << scope.parse_failures << " not parsed, " << scope.accepted
            << " accepted, " << scope.rejected.size() << " rejected\n";
  for (const std::string& rejected : scope.rejected) {
    std::cout << "  rejected " << rejected.substr(0, rejected.find('\n'))
              << "\n";
  }
  for (const std::string& unparsed : scope.unparsed) {
    std::cout << "  not parsed " << unparsed << "\n";
  }
  std::cout << "Reasons:\n";
  for (const auto& [reason, count] : scope.reasons) {
    std::cout << "  " << count << "x " << reason << "\n";
  }
  std::cout << "Other files (checked for robustness only): " << others.tests
            << " tests, " << others.accepted << " accepted, "
            << others.rejected.size() << " rejected; " << others.types_compared
            << " result types compared with cel-go's deduction\n";
  EXPECT_GE(others.types_compared, 10);

  EXPECT_GT(scope.accepted, 1000);
  // Every in-scope test that the reference checker accepts, motive's does
  // too: the rejections left are expressions that need message types.
  for (const std::string& rejected : scope.rejected) {
    EXPECT_THAT(rejected, HasSubstr("motive expressions have no message "
                                    "types"));
  }
}

}  // namespace
}  // namespace motive::expr
