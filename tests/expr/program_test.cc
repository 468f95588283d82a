// The planner and evaluator: CEL's evaluation semantics end to end, and the
// promises program.h makes (no allocation on scalar paths, bounded cost,
// thread safety).

#include "expr/program.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::expr {
namespace {

using ::testing::AllOf;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class ProgramTest : public ::testing::Test {
 protected:
  ProgramTest() {
    EXPECT_TRUE(env_.DeclareVariable("n", Type::Int()).ok());
    EXPECT_TRUE(env_.DeclareVariable("x", Type::Double()).ok());
    EXPECT_TRUE(env_.DeclareVariable("s", Type::String()).ok());
    EXPECT_TRUE(env_.DeclareVariable("tags", Type::List(Type::String())).ok());
    EXPECT_TRUE(
        env_.DeclareVariable("m", Type::Map(Type::String(), Type::Int())).ok());
    EXPECT_TRUE(env_.DeclareVariable("d", Type::Dyn()).ok());
    EXPECT_TRUE(env_.DeclareVariable("customer.tier", Type::String()).ok());
  }

  // Compiles `source` (checked unless told otherwise) and evaluates it with
  // the fixture's bindings.
  Value Eval(const std::string& source, bool check = true) {
    CompileOptions options;
    options.check = check;
    auto program = Program::Compile(source, env_, options);
    EXPECT_TRUE(program.ok()) << source << ": " << program.status();
    if (!program.ok()) return Value::Error("did not compile");
    programs_.push_back(*std::move(program));
    return programs_.back()->Evaluate(Bindings(), &arena_);
  }

  Activation Bindings() {
    Activation activation(env_);
    activation.Bind(0, Value::Int(7));
    activation.Bind(1, Value::Double(-0.5));
    activation.Bind(2, Value::String("voice"));
    activation.Bind(3, Value::List(tags_));
    activation.Bind(5, Value::Int(1));
    activation.Bind(6, Value::String("gold"));
    MapValue::Entry entries[] = {{Value::String("a"), Value::Int(1)},
                                 {Value::String("b"), Value::Int(2)}};
    std::copy(std::begin(entries), std::end(entries), map_entries_);
    activation.Bind(4, MapValue::Make(&arena_, map_entries_));
    return activation;
  }

  void ExpectBool(const std::string& source, bool expected, bool check = true) {
    Value v = Eval(source, check);
    ASSERT_EQ(v.kind(), ValueKind::kBool) << source << " -> " << DebugString(v);
    EXPECT_EQ(v.bool_value(), expected) << source;
  }

  void ExpectInt(const std::string& source, int64_t expected) {
    Value v = Eval(source);
    ASSERT_EQ(v.kind(), ValueKind::kInt) << source << " -> " << DebugString(v);
    EXPECT_EQ(v.int_value(), expected) << source;
  }

  void ExpectError(const std::string& source, absl::string_view text = "",
                   bool check = true) {
    Value v = Eval(source, check);
    ASSERT_TRUE(v.is_error()) << source << " -> " << DebugString(v);
    EXPECT_THAT(std::string(v.text()), HasSubstr(std::string(text))) << source;
  }

  Environment env_;
  Arena arena_;
  Value tags_[3] = {Value::String("new"), Value::String("vip"),
                    Value::String("late")};
  MapValue::Entry map_entries_[2];
  std::vector<std::unique_ptr<Program>> programs_;
};

TEST_F(ProgramTest, ScalarsAndVariables) {
  ExpectBool("n == 7 && x < 0.0 && s == 'voice'", true);
  ExpectInt("n * 2 + 1", 15);
  ExpectBool("customer.tier == 'gold'", true);
  ExpectInt("m['b'] + m.a", 3);
}

TEST_F(ProgramTest, LogicAbsorbsErrorsBothWays) {
  ExpectBool("false && (1 / 0 > 1)", false);
  ExpectBool("(1 / 0 > 1) && false", false);
  ExpectBool("true || (1 / 0 > 1)", true);
  ExpectBool("(1 / 0 > 1) || true", true);
  ExpectError("(1 / 0 > 1) && true", kDivisionByZero);
  ExpectError("true || false ? 1 / 0 : 2", kDivisionByZero);
  ExpectInt("false ? 1 / 0 : 2", 2);
}

TEST_F(ProgramTest, NonBoolOperandsOfLogicAreErrorsUnlessAbsorbed) {
  ExpectError("d && true", "", /*check=*/false);
  ExpectBool("d && false", false, /*check=*/false);
  ExpectError("d ? 1 : 2", "", /*check=*/false);
}

TEST_F(ProgramTest, Macros) {
  ExpectBool("tags.exists(t, t == 'vip')", true);
  ExpectBool("tags.all(t, size(t) >= 3)", true);
  ExpectBool("tags.exists_one(t, t.startsWith('l'))", true);
  ExpectBool("tags.map(t, size(t)) == [3, 3, 4]", true);
  ExpectBool("tags.map(t, t != 'vip', t + '!') == ['new!', 'late!']", true);
  ExpectBool("tags.filter(t, t != 'vip') == ['new', 'late']", true);
  ExpectBool("m.all(k, m[k] > 0)", true);
  ExpectBool("has(m.a) && !has(m.z)", true);
  ExpectBool("[].all(x, false) && ![].exists(x, true)", true);
}

// The two-variable macros as cel-spec's language definition gives them: over
// a list the first variable is the index and the second the element; over a
// map, the key and its value.
TEST_F(ProgramTest, TwoVariableQuantifiersSeeIndexAndValue) {
  ExpectBool("[1, 2, 3].exists(i, v, i == 1 && v == 2)", true);
  ExpectBool("[1, 2, 3].exists(i, v, i == 1 && v == 1)", false);
  ExpectBool("[1, 2, 3].all(i, v, v == i + 1)", true);
  ExpectBool("[1, 2, 3].all(i, v, i < v && v < 3)", false);
  ExpectBool("tags.existsOne(i, t, i > 0 && t.startsWith('l'))", true);
  ExpectBool("[5, 5].existsOne(i, v, v == 5)", false);
  ExpectBool("m.all(k, v, k in ['a', 'b'] && v > 0)", true);
  ExpectBool("m.exists(k, v, k == 'b' && v == 2)", true);
  ExpectBool("m.existsOne(k, v, v >= 2)", true);
  ExpectBool("[].all(i, v, false) && !{}.exists(k, v, true)", true);
  // An error in one element does not decide when another does.
  ExpectBool("[0, 1].exists(i, v, 1 / v == 1)", true);
  ExpectError("[0, 1].all(i, v, 1 / v == 1)", kDivisionByZero);
}

TEST_F(ProgramTest, TransformListAndTransformMap) {
  ExpectBool("[1, 2, 3].transformList(i, v, i * v) == [0, 2, 6]", true);
  ExpectBool("[1, 2, 3].transformList(i, v, i > 0, v * 10) == [20, 30]", true);
  ExpectBool("m.transformList(k, v, k + string(v)) == ['a1', 'b2']", true);
  ExpectBool("tags.transformMap(i, t, size(t)) == {0: 3, 1: 3, 2: 4}", true);
  ExpectBool("m.transformMap(k, v, v * 10) == {'a': 10, 'b': 20}", true);
  ExpectBool("m.transformMap(k, v, v > 1, v) == {'b': 2}", true);
  ExpectBool("[].transformMap(i, v, v) == {}", true);
  // Typed by the checker: a list of ints, a map from string to string.
  ExpectInt("[1, 2].transformList(i, v, v + i)[1]", 3);
  ExpectBool("m.transformMap(k, v, k + k)['b'] == 'bb'", true);
}

TEST_F(ProgramTest, TransformMapEntryBuildsAMapOfTheGivenEntries) {
  // Inverting a map: each element gives the entries it adds.
  ExpectBool("m.transformMapEntry(k, v, {v: k}) == {1: 'a', 2: 'b'}", true);
  ExpectBool(
      "['a', 'b', 'c'].transformMapEntry(i, t, i > 0, {t: i}) == "
      "{'b': 1, 'c': 2}",
      true);
  ExpectBool("[].transformMapEntry(i, v, {v: i}) == {}", true);
  ExpectBool("m.transformMapEntry(k, v, {}) == {}", true);
  // Two elements giving one key: an error, as a map literal's.
  ExpectError("[1, 1].transformMapEntry(i, v, {v: i})", "repeated key");
}

TEST_F(ProgramTest, TwoVariableMacrosShadowAndNest) {
  // The variables hide declarations inside the macro only.
  ExpectBool("[7].all(n, s, n == 0 && s == 7) && n == 7 && s == 'voice'", true);
  ExpectBool(
      "[[1], [2, 3]].transformList(i, l, l.transformList(j, v, i + j + v)) "
      "== [[1], [3, 5]]",
      true);
}

// Optional values, for rules over sparse data: an attribute a customer may
// not have reads as a default instead of failing the rule.
TEST_F(ProgramTest, OptionalsReadSparseValues) {
  ExpectBool("m.?a.orValue(0) == 1 && m.?z.orValue(0) == 0", true);
  ExpectBool("m.?z.hasValue() || m[?'z'].hasValue()", false);
  ExpectInt("m[?'b'].value()", 2);
  ExpectBool("tags[?1] == optional.of('vip') && !tags[?3].hasValue()", true);
  ExpectError("m.?z.value()", "optional.none() dereference");
  ExpectBool("m.?z.or(m.?b).value() == 2", true);
  ExpectBool("optional.ofNonZeroValue('') == optional.none()", true);
  ExpectBool("optional.of(m).b.orValue(0) == 2", true);
  ExpectBool("!has(optional.none().a) && has(optional.of(m).a)", true);
  ExpectBool("m.?a.optMap(v, v * 10) == optional.of(10)", true);
  ExpectBool("m.?z.optMap(v, v * 10) == optional.none()", true);
  ExpectBool("[?m.?a, ?m.?z, 3] == [1, 3]", true);
  ExpectBool("{?'x': m.?a, ?'y': m.?z} == {'x': 1}", true);
  // The alternative is only evaluated when needed, as in cel-go.
  ExpectInt("m.?a.orValue(1 / 0)", 1);
  ExpectError("m.?z.orValue(1 / 0)", kDivisionByZero);
  // An optional has no text: format it through value() or orValue().
  ExpectError("'%s'.format([m.?a])", "optional value has no text");
}

// What reads() reports is what a caller may leave unbound: a field or
// variable missing from it must be one the program cannot see.
TEST_F(ProgramTest, ReadsNameTheFieldsSelectedOfEachVariableOrTheWhole) {
  auto reads_of = [&](const std::string& source, bool check = true) {
    CompileOptions options;
    options.check = check;
    auto program = Program::Compile(source, env_, options);
    EXPECT_TRUE(program.ok()) << source << ": " << program.status();
    std::vector<std::string> reads;
    if (!program.ok()) return reads;
    for (const Program::VariableRead& read : (*program)->reads()) {
      reads.push_back(absl::StrCat(read.name, read.whole ? " whole" : "",
                                   read.fields.empty() ? "" : " ",
                                   absl::StrJoin(read.fields, ",")));
    }
    return reads;
  };
  using ::testing::ElementsAre;
  using ::testing::IsEmpty;
  EXPECT_THAT(reads_of("1 + 2 == 3"), IsEmpty());
  EXPECT_THAT(reads_of("n > 1"), ElementsAre("n whole"));
  // Selections and has() read a field; each field once, sorted.
  EXPECT_THAT(reads_of("m.b > 1 && has(m.a) && m.b < 9 && n > 0"),
              ElementsAre("n whole", "m a,b"));
  // Any other use reads the whole map, whatever else selects from it.
  EXPECT_THAT(reads_of("m.a > 0 && size(m) > 1"), ElementsAre("m whole a"));
  EXPECT_THAT(reads_of("m['a'] > 0"), ElementsAre("m whole"));
  EXPECT_THAT(reads_of("'a' in m"), ElementsAre("m whole"));
  EXPECT_THAT(reads_of("m.exists(k, k == 'a')"), ElementsAre("m whole"));
  EXPECT_THAT(reads_of("m.?a.orValue(0) == 1"), ElementsAre("m whole"));
  EXPECT_THAT(reads_of("d.x.y == 1"), ElementsAre("d x"));
  // A comprehension's variable shadows the declared one of its name.
  EXPECT_THAT(reads_of("[1, 2].exists(n, n > 1)"), IsEmpty());
  EXPECT_THAT(reads_of("[m].exists(n, n.a > 1) && m.b > 0"),
              ElementsAre("m whole b"));
  // A qualified variable is a variable of its own, read whole.
  EXPECT_THAT(reads_of("customer.tier == 'gold'"),
              ElementsAre("customer.tier whole"));
  // Unchecked programs resolve names alike.
  EXPECT_THAT(reads_of("m.a + n", /*check=*/false),
              ElementsAre("n whole", "m a"));
}

TEST_F(ProgramTest, ReservedWordsAreFieldNames) {
  ExpectInt("{'as': 1, 'if': 2}.as + {'as': 1, 'if': 2}.if", 3);
  ExpectBool("has({'while': true}.while) && !has({'as': 1}.for)", true);
  // A reserved word as a method name parses; no such function exists.
  EXPECT_THAT(
      std::string(Program::Compile("s.break()", env_).status().message()),
      HasSubstr("undeclared reference to 'break'"));
}

TEST_F(ProgramTest, BindNamesAValueOnce) {
  ExpectInt("cel.bind(t, n * 2, t + t)", 28);
  ExpectBool("cel.bind(v, tags, v.exists(x, x == 'vip') && size(v) == 3)",
             true);
  // Nested, and shadowing a declared variable inside its body only.
  ExpectInt("cel.bind(a, 1, cel.bind(b, a + 1, a + b))", 3);
  ExpectBool("cel.bind(n, 'x', n + n) == 'xx' && n == 7", true);
}

TEST_F(ProgramTest, ExistsAndAllKeepLookingPastErrors) {
  // An error in one element does not decide when another does.
  ExpectBool("[0, 1].exists(i, 1 / i == 1)", true);
  ExpectBool("[0, 1].all(i, 1 / i == 2)", false);
  ExpectError("[0, 1].all(i, 1 / i == 1)", kDivisionByZero);
}

TEST_F(ProgramTest, QuantifierFastPathsKeepCelSemantics) {
  // Element tests against a constant, over lists and (the general path)
  // maps; errors are returned only when nothing decides.
  ExpectBool("tags.exists(t, t == 'late')", true);
  ExpectBool("tags.all(t, t != 'gone')", true);
  ExpectBool("tags.exists(t, t == 'gone')", false);
  ExpectBool("m.exists(k, k == 'b')", true);
  ExpectBool("[1, 'a', 2].exists(e, e == 2)", true, /*check=*/false);
  ExpectBool("[dyn(1), dyn(2)].exists(e, e > 1)", true);
  ExpectError("[dyn('a'), dyn(2)].all(e, e > 1)", kNoMatchingOverload);
  ExpectBool("[dyn('a'), dyn(2)].exists(e, e > 1)", true);
}

TEST_F(ProgramTest, TypedComparisonsRefuseBindingsOfAnotherKind) {
  auto program = Program::Compile("n > 3", env_);
  ASSERT_TRUE(program.ok());
  Activation activation(env_);
  activation.Bind(0, Value::String("seven"));  // declared int
  Value v = (*program)->Evaluate(activation, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v);
  EXPECT_THAT(std::string(v.text()),
              HasSubstr(std::string(kNoMatchingOverload)));
}

TEST_F(ProgramTest, NestedComprehensionsAndShadowing) {
  ExpectBool("[[1, 2], [3]].map(l, l.map(x, x * 10)) == [[10, 20], [30]]",
             true);
  // The inner x shadows the variable x; outside the macro x is the double.
  ExpectBool("[1, 2].exists(x, x == 2) && x == -0.5", true);
  ExpectInt("[1, 2, 3].filter(n, n > 1).map(n, n * n)[1]", 9);
}

TEST_F(ProgramTest, AppendingAccumulatorsDoNotShareStorage) {
  // The same comprehension runs once per outer element: results must not
  // overwrite each other.
  ExpectBool(
      "[1, 2, 3].map(i, [4, 5].map(j, i * j)) == [[4, 5], [8, 10], [12, 15]]",
      true);
  ExpectBool("[1, 2].map(i, [3].filter(j, j > i)) == [[3], [3]]", true);
}

TEST_F(ProgramTest, InOverConstantStringsUsesCelEquality) {
  ExpectBool("s in ['chat', 'voice', 'email']", true);
  ExpectBool("s in ['chat', 'email']", false);
  ExpectBool("d in ['1', 'one']", false, /*check=*/false);  // int vs strings
  ExpectError("(1 / 0 == 1) in [true]", kDivisionByZero, /*check=*/false);
  ExpectBool("'b' in m && !('z' in m)", true);
}

TEST_F(ProgramTest, ConstantsAreFoldedButStillRight) {
  ExpectInt("1 + 2 * 3", 7);
  ExpectError("1 / 0", kDivisionByZero);
  ExpectBool("[1, 2] + [3] == [1, 2, 3]", true);
  ExpectBool("{'a': 1}['a'] == 1", true);
}

TEST_F(ProgramTest, UncheckedProgramsResolveAtRunTime) {
  ExpectInt("d + 1 == 2 ? 10 : 20", 10);
  ExpectError("nobody + 1", "undeclared reference", /*check=*/false);
  ExpectBool("customer.tier == 'gold'", true, /*check=*/false);
  ExpectError("d + 'x'", kNoMatchingOverload, /*check=*/false);
}

TEST_F(ProgramTest, CheckerErrorsStopCompilation) {
  auto program = Program::Compile("nobody + 1", env_);
  ASSERT_FALSE(program.ok());
  EXPECT_THAT(std::string(program.status().message()), HasSubstr("nobody"));
  EXPECT_THAT(std::string(program.status().message()), HasSubstr("column"));
  auto syntax = Program::Compile("1 +", env_);
  EXPECT_TRUE(base::IsParseError(syntax.status())) << syntax.status();
}

TEST_F(ProgramTest, UnboundVariablesAreErrorsAtRunTime) {
  auto program = Program::Compile("n + 1", env_);
  ASSERT_TRUE(program.ok());
  Activation empty(env_);
  EXPECT_TRUE((*program)->Evaluate(empty, &arena_).is_error());
}

TEST_F(ProgramTest, ScalarRulesAllocateNothing) {
  auto program = Program::Compile(
      "n > 3 && x < 0.0 && s in ['voice', 'chat'] && tags.exists(t, t == "
      "'vip')",
      env_);
  ASSERT_TRUE(program.ok()) << program.status();
  Activation activation = Bindings();
  Arena fresh;
  Value v = (*program)->Evaluate(activation, &fresh);
  ASSERT_EQ(v.kind(), ValueKind::kBool);
  EXPECT_TRUE(v.bool_value());
  EXPECT_EQ(fresh.SpaceAllocated(), 0u);
}

TEST_F(ProgramTest, IterationLimitStopsRunawayRules) {
  EnvironmentOptions options;
  options.limits.max_iterations = 1000;
  Environment small(options);
  auto program = Program::Compile(
      "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(a, [1, 2, 3, 4, 5, 6, 7, 8, 9, "
      "10].all(b, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].all(c, [1, 2].all(e, "
      "true))))",
      small);
  ASSERT_TRUE(program.ok()) << program.status();
  Activation none(small);
  Value v = (*program)->Evaluate(none, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v);
  EXPECT_THAT(std::string(v.text()), HasSubstr("limit"));
}

// "[e, e, ..., e]" with `n` elements.
std::string ListOf(int n, absl::string_view element) {
  return absl::StrCat(
      "[", absl::StrJoin(std::vector<absl::string_view>(n, element), ", "),
      "]");
}

TEST_F(ProgramTest, IterationLimitAtItsEdge) {
  EnvironmentOptions options;
  options.limits.max_iterations = 1000;
  Environment small(options);
  Activation none(small);
  // all() has a fast path of its own; map() takes the general one.
  for (const char* loop : {".all(i, i == 1)", ".map(i, i).size() > 0"}) {
    SCOPED_TRACE(loop);
    auto at = Program::Compile(ListOf(1000, "1") + loop, small);
    ASSERT_TRUE(at.ok()) << at.status();
    Value v = (*at)->Evaluate(none, &arena_);
    ASSERT_EQ(v.kind(), ValueKind::kBool) << DebugString(v);
    EXPECT_TRUE(v.bool_value());
    auto past = Program::Compile(ListOf(1001, "1") + loop, small);
    ASSERT_TRUE(past.ok()) << past.status();
    v = (*past)->Evaluate(none, &arena_);
    ASSERT_TRUE(v.is_error()) << DebugString(v);
    EXPECT_EQ(v.text(),
              "comprehension iteration limit reached (max_iterations: 1000)");
  }
}

// Every string `s + s` builds is within max_result_bytes; a thousand of them
// are not within reason, and the evaluation's budget cuts them short.
TEST_F(ProgramTest, EvaluationBudgetCutsRunawayResults) {
  const std::string big(60 * 1024, 'x');
  Activation activation = Bindings();
  activation.Bind(2, Value::String(big));  // s
  auto doubled = Program::Compile(ListOf(1000, "1") + ".map(i, s + s)", env_);
  ASSERT_TRUE(doubled.ok()) << doubled.status();
  Value v = (*doubled)->Evaluate(activation, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v).substr(0, 100);
  EXPECT_THAT(std::string(v.text()),
              HasSubstr("evaluation exceeds its memory limit "
                        "(max_evaluation_bytes: 4194304): "));
  EXPECT_LT(arena_.SpaceAllocated(), 6u << 20);
  // Lists of the same string only refer to it, and cost little.
  auto shared = Program::Compile(ListOf(1000, "1") + ".map(i, s)", env_);
  ASSERT_TRUE(shared.ok()) << shared.status();
  v = (*shared)->Evaluate(activation, &arena_);
  ASSERT_EQ(v.kind(), ValueKind::kList) << DebugString(v).substr(0, 100);
  EXPECT_EQ(v.list().size(), 1000u);
}

TEST_F(ProgramTest, EvaluationBudgetAtItsEdge) {
  EnvironmentOptions options;
  options.limits.max_evaluation_bytes = 10;
  Environment small(options);
  ASSERT_TRUE(small.DeclareVariable("s", Type::String()).ok());
  Activation activation(small);
  activation.Bind(0, Value::String("voice"));
  auto at = Program::Compile("s + s", small);
  ASSERT_TRUE(at.ok()) << at.status();
  Value v = (*at)->Evaluate(activation, &arena_);
  ASSERT_EQ(v.kind(), ValueKind::kString) << DebugString(v);
  EXPECT_EQ(v.text(), "voicevoice");
  auto past = Program::Compile("s + s + '!'", small);
  ASSERT_TRUE(past.ok()) << past.status();
  v = (*past)->Evaluate(activation, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v);
  EXPECT_EQ(v.text(),
            "evaluation exceeds its memory limit (max_evaluation_bytes: 10): "
            "10 bytes built, 11 more asked for");
  // Lists and maps count too.
  v = (*Program::Compile("[s] == [s]", small))->Evaluate(activation, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v);
  EXPECT_THAT(std::string(v.text()), HasSubstr("max_evaluation_bytes"));
  v = (*Program::Compile("{s: 1}.size()", small))
          ->Evaluate(activation, &arena_);
  ASSERT_TRUE(v.is_error()) << DebugString(v);
  EXPECT_THAT(std::string(v.text()), HasSubstr("max_evaluation_bytes"));
}

// A constant that reaches a size limit would fail every evaluation: it is
// refused when the rule is compiled.
TEST_F(ProgramTest, ConstantsPastASizeLimitAreRefusedAtCompile) {
  const std::string x17 = ".replace('', 'xxxxxxxxxxxxxxxx')";  // 17 times
  // 17^4 = 83521 bytes, folded.
  const std::string big = absl::StrCat("'x'", x17, x17, x17, x17);
  ASSERT_TRUE(Program::Compile(big + ".size() > 0", env_).ok());
  auto one = Program::Compile(big + x17 + ".size() > 0", env_);
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(std::string(one.status().message()),
              AllOf(StartsWith("line 1, column "),
                    EndsWith(": result exceeds the size limit "
                             "(max_result_bytes: 1048576)")));
  // 60 of them, 5 MB of constants, pass the evaluation's budget.
  auto many = Program::Compile(ListOf(60, big) + ".size() > 0", env_);
  ASSERT_FALSE(many.ok());
  EXPECT_THAT(std::string(many.status().message()),
              HasSubstr("evaluation exceeds its memory limit "
                        "(max_evaluation_bytes: 4194304)"));
}

TEST_F(ProgramTest, ManyThreadsEvaluateOneProgram) {
  auto program = Program::Compile(
      "tags.filter(t, t != 'vip').map(t, t + s).size() == 2 && n * 2 == 14",
      env_);
  ASSERT_TRUE(program.ok()) << program.status();
  const Activation activation = Bindings();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      Arena arena;
      for (int i = 0; i < 2000; ++i) {
        Value v = (*program)->Evaluate(activation, &arena);
        if (v.kind() != ValueKind::kBool || !v.bool_value()) ++wrong;
        arena.Reset();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong, 0);
}

TEST(EvaluateOnceTest, VariablesAreCelLiterals) {
  using Vars = std::vector<std::pair<std::string, std::string>>;
  auto result = EvaluateOnce("tags.exists(t, t == 'vip') ? n * 2 : 0",
                             Vars{{"n", "21"}, {"tags", "['vip', 'new']"}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(*result, "42");
  EXPECT_TRUE(
      base::IsParseError(EvaluateOnce("n", Vars{{"n", "'open"}}).status()));
  EXPECT_THAT(
      std::string(EvaluateOnce("n", Vars{{"n", "1 / 0"}}).status().message()),
      HasSubstr("the value of n"));
  EXPECT_THAT(
      std::string(EvaluateOnce("n / 0", Vars{{"n", "1"}}).status().message()),
      HasSubstr("evaluation error: division by zero"));
  EXPECT_FALSE(EvaluateOnce("n", Vars{{"n", "1"}, {"n", "2"}}).ok());
}

// A list may refer to one string many times: small in memory, and larger
// than any limit once written out.
TEST(EvaluateOnceTest, ResultIsWrittenWithinMaxResultBytes) {
  using Vars = std::vector<std::pair<std::string, std::string>>;
  const Vars s = {{"s", absl::StrCat("'", std::string(60 * 1024, 'x'), "'")}};
  auto at = EvaluateOnce("[s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s]", s);
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->size(), 16 * (60 * 1024 + 2) + 15 * 2 + 2);
  auto past = EvaluateOnce(ListOf(1000, "1") + ".map(i, s)", s);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().message(),
            "evaluation error: result exceeds the size limit "
            "(max_result_bytes: 1048576) once written out");
}

}  // namespace
}  // namespace motive::expr
