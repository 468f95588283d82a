// The string functions and the strings extension, called through the
// registry as the evaluator calls them: the overload is matched on the
// argument values, then invoked with an EvalContext over a local arena.

#include <atomic>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "expr/functions.h"
#include "expr/std_strings.h"
#include "expr/type.h"
#include "expr/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/expr/stdlib_test_support.h"
#include "re2/re2.h"

namespace motive::expr {
namespace {


using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

AssertionResult HoldsStrings(const Value& v,
                             const std::vector<std::string>& expected) {
  if (v.kind() != ValueKind::kList) {
    return AssertionFailure() << DebugString(v) << " is not a list";
  }
  std::vector<std::string> actual;
  for (const Value& element : v.list()) {
    if (element.kind() != ValueKind::kString) {
      return AssertionFailure() << DebugString(v) << " holds a non-string";
    }
    actual.emplace_back(element.text());
  }
  if (actual == expected) return AssertionSuccess();
  return AssertionFailure() << DebugString(v) << " is not the expected list";
}

class StringsTest : public ::testing::Test {
 protected:
  StringsTest() : context_(&arena_, limits_) {
    AddStringFunctions(registry_);
    AddStringExtensions(registry_);
  }

  // target.function(args...).
  Value Method(absl::string_view function, std::vector<Value> args) {
    return Call(function, std::move(args), true);
  }
  // function(args...).
  Value Global(absl::string_view function, std::vector<Value> args) {
    return Call(function, std::move(args), false);
  }

  // A string Value over storage the fixture keeps.
  Value Str(std::string text) {
    strings_.push_back(std::move(text));
    return Value::String(strings_.back());
  }
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

  const Overload* FindOverload(absl::string_view function,
                               absl::string_view id) {
    return FindOverloadById(registry_, function, id);
  }

  Arena arena_;
  Limits limits_;
  EvalContext context_;
  FunctionRegistry registry_;

 private:
  Value Call(absl::string_view function, std::vector<Value> args,
             bool receiver) {
    return CallFunction(registry_, function, args, receiver, context_);
  }

  std::deque<std::string> strings_;
  std::deque<std::vector<Value>> lists_;
  std::deque<std::vector<MapValue::Entry>> maps_;
};

Value S(absl::string_view s) { return Value::String(s); }
Value I(int64_t i) { return Value::Int(i); }

// ---------------------------------------------------------------------------
// Signatures the checker sees.

TEST_F(StringsTest, OverloadsCarryCelIdsAndTypes) {
  const Overload* index_of =
      FindOverload("indexOf", "string_index_of_string_int");
  ASSERT_NE(index_of, nullptr);
  EXPECT_TRUE(index_of->receiver_style);
  EXPECT_EQ(index_of->params,
            (std::vector<Type>{Type::String(), Type::String(), Type::Int()}));
  EXPECT_EQ(index_of->result, Type::Int());

  const Overload* split = FindOverload("split", "string_split_string");
  ASSERT_NE(split, nullptr);
  EXPECT_EQ(split->result, Type::List(Type::String()));

  const Overload* join = FindOverload("join", "list_join_string");
  ASSERT_NE(join, nullptr);
  EXPECT_EQ(join->params[0], Type::List(Type::String()));

  const Overload* matches = FindOverload("matches", "matches");
  ASSERT_NE(matches, nullptr);
  EXPECT_FALSE(matches->receiver_style);
  ASSERT_NE(FindOverload("matches", "matches_string"), nullptr);
  EXPECT_TRUE(FindOverload("matches", "matches_string")->receiver_style);

  const Overload* quote = FindOverload("strings.quote", "strings_quote");
  ASSERT_NE(quote, nullptr);
  EXPECT_FALSE(quote->receiver_style);

  for (const char* id :
       {"contains_string", "starts_with_string", "ends_with_string"}) {
    bool found = false;
    for (const char* name : {"contains", "startsWith", "endsWith"}) {
      const Overload* overload = FindOverload(name, id);
      if (overload == nullptr) continue;
      found = true;
      EXPECT_TRUE(overload->receiver_style);
      EXPECT_EQ(overload->result, Type::Bool());
    }
    EXPECT_TRUE(found) << id;
  }
}

TEST_F(StringsTest, WrongArgumentKindsMatchNoOverload) {
  EXPECT_TRUE(HoldsError(Method("charAt", {I(42), I(2)}), kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Method("charAt", {S("hello"), Value::Bool(true)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Method("indexOf", {S("42"), S("4"), I(0), I(1)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Method("replace", {S("42"), S("2"), I(1)}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Method("split", {S("42"), S("2"), S("1")}),
                         kNoMatchingOverload));
  EXPECT_TRUE(HoldsError(Method("substring", {S("hello"), I(1), I(2), I(3)}),
                         kNoMatchingOverload));
}

// ---------------------------------------------------------------------------
// contains, startsWith, endsWith.

TEST_F(StringsTest, ContainsStartsWithEndsWith) {
  EXPECT_TRUE(HoldsBool(Method("contains", {S("hello"), S("he")}), true));
  EXPECT_TRUE(HoldsBool(Method("contains", {S("hello"), S("ol")}), false));
  EXPECT_TRUE(HoldsBool(Method("contains", {S("hello"), S("")}), true));
  EXPECT_TRUE(HoldsBool(Method("contains", {S(""), S("")}), true));
  EXPECT_TRUE(HoldsBool(Method("contains", {S(""), S("x")}), false));
  EXPECT_TRUE(HoldsBool(Method("contains", {S("abababc"), S("ababc")}), true));
  EXPECT_TRUE(HoldsBool(Method("contains", {S("Straße"), S("aß")}), true));

  EXPECT_TRUE(HoldsBool(Method("startsWith", {S("foobar"), S("foo")}), true));
  EXPECT_TRUE(HoldsBool(Method("startsWith", {S("foobar"), S("bar")}), false));
  EXPECT_TRUE(HoldsBool(Method("startsWith", {S(""), S("foo")}), false));
  EXPECT_TRUE(HoldsBool(Method("startsWith", {S("foo"), S("foobar")}), false));
  EXPECT_TRUE(HoldsBool(Method("startsWith", {S(""), S("")}), true));
  EXPECT_TRUE(HoldsBool(Method("startsWith", {S("завтра"), S("за")}), true));

  EXPECT_TRUE(HoldsBool(Method("endsWith", {S("foobar"), S("bar")}), true));
  EXPECT_TRUE(HoldsBool(Method("endsWith", {S("foobar"), S("foo")}), false));
  EXPECT_TRUE(HoldsBool(Method("endsWith", {S("bar"), S("foobar")}), false));
  EXPECT_TRUE(HoldsBool(Method("endsWith", {S(""), S("")}), true));
  EXPECT_TRUE(HoldsBool(Method("endsWith", {S("forté"), S("té")}), true));
  EXPECT_TRUE(HoldsBool(Method("endsWith", {S("\U0001F431\U0001F600\U0001F61B"),
                                            S("\U0001F61B")}),
                        true));
}

// ---------------------------------------------------------------------------
// matches.

TEST_F(StringsTest, MatchesSearchesAnywhereWithRe2Syntax) {
  EXPECT_TRUE(HoldsBool(Method("matches", {S("hubba"), S("ubb")}), true));
  EXPECT_TRUE(HoldsBool(Method("matches", {S(""), S("foo|bar")}), false));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("cows"), S("")}), true));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("grey"), S("gr(a|e)y")}), true));
  EXPECT_TRUE(
      HoldsBool(Method("matches", {S("banana"), S("^ba(na)*$")}), true));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("xbanana"), S("^ba")}), false));
  // Unicode: ñ is one character to the regex.
  EXPECT_TRUE(HoldsBool(Method("matches", {S("mañana"), S("a+ñ+a+")}), true));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("ñ"), S("^.$")}), true));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("\U0001F431\U0001F600\U0001F600"),
                                           S("(a|\U0001F600){2}")}),
                        true));
  // The global form takes the text first.
  EXPECT_TRUE(HoldsBool(Global("matches", {S("hubba"), S("^h")}), true));
  EXPECT_TRUE(HoldsBool(Global("matches", {S("^h"), S("hubba")}), false));
  // RE2 has no backreferences: the pattern does not compile.
  EXPECT_TRUE(HoldsError(Method("matches", {S("aa"), S("(a)\\1")}),
                         "invalid regular expression"));
}

TEST_F(StringsTest, BadRegexIsAnErrorEveryTime) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(HoldsError(Method("matches", {S("abc"), S("a(b")}),
                           "invalid regular expression 'a(b'"));
  }
  EXPECT_TRUE(HoldsError(Global("matches", {S("abc"), S("[z-a]")}),
                         "invalid regular expression"));
}

// RE2 runs in time linear in the text: a pattern that makes a backtracking
// engine take 2^n steps is as quick as any other.
TEST_F(StringsTest, MatchingTimeIsLinear) {
  const std::string text = std::string(100000, 'a') + "!";
  const absl::Time start = absl::Now();
  EXPECT_TRUE(HoldsBool(Method("matches", {Str(text), S("^(a+)+$")}), false));
  EXPECT_TRUE(HoldsBool(Method("matches", {Str(text), S("(a|aa)*b")}), false));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(StringsTest, HugePatternsAreRefused) {
  // A thousand letters of any script compile to more than the memory RE2
  // is given per pattern.
  EXPECT_TRUE(HoldsError(
      Method("matches", {S("abc"), S("\\pL{1000}")}),
      "pattern too large - compile failed (the limit is 1048576 bytes of "
      "compiled program)"));
  EXPECT_TRUE(HoldsBool(Method("matches", {S("abc"), S("^\\pL{3}$")}), true));
  // Messages show the beginning of a long pattern only.
  Value v = Method("matches", {S("a"), Str("(" + std::string(10000, 'a'))});
  EXPECT_TRUE(HoldsError(v, "invalid regular expression '(aaaa"));
  EXPECT_LT(v.text().size(), 300u);
}

TEST_F(StringsTest, ManyDistinctPatternsStayCorrectPastTheCache) {
  // More patterns than the cache and the per-thread memo hold, twice over,
  // each checked against a text it matches and one it does not.
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 600; ++i) {
      Value pattern = Str(absl::StrCat("^x", i, "$"));
      EXPECT_TRUE(HoldsBool(
          Method("matches", {Str(absl::StrCat("x", i)), pattern}), true));
      EXPECT_TRUE(HoldsBool(
          Method("matches", {Str(absl::StrCat("x", i + 1)), pattern}), false));
    }
  }
}

TEST_F(StringsTest, PrecompiledRegexMatchesLikeMatches) {
  std::shared_ptr<const re2::RE2> re = CompileRegex("^[a-z]+@example\\.com$");
  ASSERT_NE(re, nullptr);
  EXPECT_TRUE(HoldsBool(MatchRegex(*re, "ana@example.com", context_), true));
  EXPECT_TRUE(HoldsBool(MatchRegex(*re, "ana@example.org", context_), false));
  // The same pattern comes from the cache.
  EXPECT_EQ(CompileRegex("^[a-z]+@example\\.com$"), re);

  std::shared_ptr<const re2::RE2> bad = CompileRegex("(");
  ASSERT_NE(bad, nullptr);
  EXPECT_TRUE(HoldsError(MatchRegex(*bad, "(", context_),
                         "invalid regular expression"));
}

TEST_F(StringsTest, MatchesIsSafeFromManyThreads) {
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&wrong, t] {
      Arena arena;
      Limits limits;
      EvalContext context(&arena, limits);
      FunctionRegistry registry;
      AddStringFunctions(registry);
      const std::vector<Overload>& overloads = *registry.Find("matches");
      const Overload* global = nullptr;
      for (const Overload& o : overloads) {
        if (!o.receiver_style) global = &o;
      }
      for (int i = 0; i < 2000; ++i) {
        // Shared patterns and per-thread ones, enough to force evictions.
        const std::string pattern = absl::StrCat("^p", (i * 7 + t) % 300, "$");
        const std::string text = absl::StrCat("p", (i * 7 + t) % 300);
        const Value args[] = {Value::String(text), Value::String(pattern)};
        Value v = global->impl(absl::MakeConstSpan(args), context);
        if (v.kind() != ValueKind::kBool || !v.bool_value()) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

// ---------------------------------------------------------------------------
// charAt, indexOf, lastIndexOf.

TEST_F(StringsTest, CharAtCountsCodePoints) {
  EXPECT_TRUE(HoldsString(Method("charAt", {S("tacocat"), I(3)}), "o"));
  EXPECT_TRUE(HoldsString(Method("charAt", {S("tacocat"), I(0)}), "t"));
  // The end of the string is a valid index with nothing at it.
  EXPECT_TRUE(HoldsString(Method("charAt", {S("tacocat"), I(7)}), ""));
  EXPECT_TRUE(HoldsString(Method("charAt", {S(""), I(0)}), ""));
  EXPECT_TRUE(HoldsString(Method("charAt", {S("©αT"), I(0)}), "©"));
  EXPECT_TRUE(HoldsString(Method("charAt", {S("©αT"), I(1)}), "α"));
  EXPECT_TRUE(HoldsString(Method("charAt", {S("©αT"), I(2)}), "T"));
  EXPECT_TRUE(
      HoldsString(Method("charAt", {S("a\U0001F600b"), I(1)}), "\U0001F600"));
  EXPECT_TRUE(HoldsError(Method("charAt", {S("tacocat"), I(30)}),
                         "index out of range: 30"));
  EXPECT_TRUE(HoldsError(Method("charAt", {S("tacocat"), I(8)}),
                         "index out of range: 8"));
  EXPECT_TRUE(HoldsError(Method("charAt", {S("tacocat"), I(-1)}),
                         "index out of range: -1"));
  EXPECT_TRUE(
      HoldsError(Method("charAt", {S("©"), I(2)}), "index out of range: 2"));
}

TEST_F(StringsTest, IndexOf) {
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("")}), 0));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("ac")}), 1));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("none")}), -1));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S(""), I(3)}), 3));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("a"), I(3)}), 5));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("at"), I(3)}), 5));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S("t"), I(7)}), -1));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("tacocat"), S(""), I(7)}), 7));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("ta©o©αT"), S("©")}), 2));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("ta©o©αT"), S("©"), I(3)}), 4));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("ta©o©αT"), S("©αT"), I(3)}), 4));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S("ta©o©αT"), S("©α"), I(5)}), -1));
  EXPECT_TRUE(
      HoldsInt(Method("indexOf", {S("hello wello"), S("ello"), I(6)}), 7));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S(""), S("")}), 0));
  EXPECT_TRUE(HoldsInt(Method("indexOf", {S(""), S("a")}), -1));
  EXPECT_TRUE(HoldsError(Method("indexOf", {S("tacocat"), S("a"), I(30)}),
                         "index out of range: 30"));
  EXPECT_TRUE(HoldsError(Method("indexOf", {S("tacocat"), S("a"), I(8)}),
                         "index out of range: 8"));
  EXPECT_TRUE(HoldsError(Method("indexOf", {S("tacocat"), S(""), I(-1)}),
                         "index out of range: -1"));
}

TEST_F(StringsTest, LastIndexOf) {
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S(""), S("@@")}), -1));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S("")}), 7));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S("at")}), 5));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S("none")}), -1));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S(""), I(3)}), 3));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S("a"), I(3)}), 1));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("tacocat"), S("t"), I(0)}), 0));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("ta©o©αT"), S("©")}), 4));
  EXPECT_TRUE(HoldsInt(Method("lastIndexOf", {S("ta©o©αT"), S("©"), I(3)}), 2));
  EXPECT_TRUE(
      HoldsInt(Method("lastIndexOf", {S("ta©o©αT"), S("©α"), I(4)}), 4));
  EXPECT_TRUE(
      HoldsInt(Method("lastIndexOf", {S("hello wello"), S("ello"), I(6)}), 1));
  EXPECT_TRUE(
      HoldsInt(Method("lastIndexOf", {S("bananananana"), S("nana"), I(7)}), 6));
  EXPECT_TRUE(
      HoldsInt(Method("lastIndexOf", {S("hello wello"), S("hello wello")}), 0));
  EXPECT_TRUE(HoldsError(Method("lastIndexOf", {S("tacocat"), S("a"), I(-1)}),
                         "index out of range: -1"));
  EXPECT_TRUE(HoldsError(Method("lastIndexOf", {S("tacocat"), S("a"), I(30)}),
                         "index out of range: 30"));
}

// ---------------------------------------------------------------------------
// lowerAscii, upperAscii, reverse, trim.

TEST_F(StringsTest, AsciiCaseLeavesOtherLettersAlone) {
  EXPECT_TRUE(HoldsString(Method("lowerAscii", {S("TacoCat")}), "tacocat"));
  EXPECT_TRUE(
      HoldsString(Method("lowerAscii", {S("TacoCÆt Xii")}), "tacocÆt xii"));
  EXPECT_TRUE(HoldsString(Method("upperAscii", {S("tacoCαt")}), "TACOCαT"));
  EXPECT_TRUE(
      HoldsString(Method("upperAscii", {S("TacoCÆt Xii")}), "TACOCÆT XII"));
  EXPECT_TRUE(HoldsString(Method("upperAscii", {S("")}), ""));
  EXPECT_TRUE(HoldsString(Method("lowerAscii", {S("@[`{")}), "@[`{"));
  EXPECT_TRUE(HoldsString(Method("upperAscii", {S("@[`{az")}), "@[`{AZ"));
  // Nothing to change: the result is the argument itself, not a copy.
  Value already = Str("already lower ©");
  Value lowered = Method("lowerAscii", {already});
  EXPECT_EQ(lowered.text().data(), already.text().data());
}

TEST_F(StringsTest, ReverseKeepsCodePointsWhole) {
  EXPECT_TRUE(HoldsString(Method("reverse", {S("")}), ""));
  EXPECT_TRUE(HoldsString(Method("reverse", {S("☺")}), "☺"));
  EXPECT_TRUE(HoldsString(Method("reverse", {S("Ta©oCαt")}), "tαCo©aT"));
  EXPECT_TRUE(
      HoldsString(Method("reverse", {S("ab\U0001F600c")}), "c\U0001F600ba"));
  // Bytes that are not UTF-8 move one by one.
  EXPECT_TRUE(HoldsString(Method("reverse", {S("a\xff\xfe")}),
                          "\xfe\xff"
                          "a"));
}

TEST_F(StringsTest, TrimRemovesUnicodeWhiteSpaceOnly) {
  EXPECT_TRUE(HoldsString(Method("trim", {S(" \f\n\r\t\vtext  ")}), "text"));
  EXPECT_TRUE(
      HoldsString(Method("trim", {S("\u0085\u00a0\u1680text")}), "text"));
  EXPECT_TRUE(HoldsString(
      Method("trim", {S("text\u2000\u2001\u2002\u2003\u2004\u2004\u2006"
                        "\u2007\u2008\u2009")}),
      "text"));
  EXPECT_TRUE(HoldsString(
      Method("trim", {S("\u200atext\u2028\u2029\u202F\u205F\u3000")}), "text"));
  const std::string no_trim = "\u180etext\u200b\u200c\u200d\u2060\ufeff";
  EXPECT_TRUE(HoldsString(Method("trim", {S(no_trim)}), no_trim));
  EXPECT_TRUE(
      HoldsString(Method("trim", {S("  inner  space ")}), "inner  space"));
  EXPECT_TRUE(HoldsString(Method("trim", {S(" \u3000 ")}), ""));
  EXPECT_TRUE(HoldsString(Method("trim", {S("")}), ""));
}

// ---------------------------------------------------------------------------
// replace, split, substring, join.

TEST_F(StringsTest, Replace) {
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("12 days 12 hours"), S("{0}"), S("2")}),
                  "12 days 12 hours"));
  EXPECT_TRUE(HoldsString(
      Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2")}),
      "2 days 2 hours"));
  EXPECT_TRUE(HoldsString(
      Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2"), I(1)}),
      "2 days {0} hours"));
  EXPECT_TRUE(HoldsString(
      Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2"), I(0)}),
      "{0} days {0} hours"));
  EXPECT_TRUE(HoldsString(
      Method("replace", {S("{0} days {0} hours"), S("{0}"), S("2"), I(-1)}),
      "2 days 2 hours"));
  EXPECT_TRUE(HoldsString(
      Method("replace", {S("1 ©αT taco"), S("αT"), S("o©α")}), "1 ©o©α taco"));
  // Matches do not overlap and are found left to right.
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("aaaa"), S("aa"), S("b")}), "bb"));
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("aaa"), S("aa"), S("b")}), "ba"));
  // Shrinking to nothing.
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("a-b-c"), S("-"), S("")}), "abc"));
  // An empty `old` matches around every code point, as in Go.
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("a©"), S(""), S("-")}), "-a-©-"));
  EXPECT_TRUE(
      HoldsString(Method("replace", {S("a©"), S(""), S("-"), I(2)}), "-a-©"));
  EXPECT_TRUE(HoldsString(Method("replace", {S(""), S(""), S("x")}), "x"));
}

TEST_F(StringsTest, ReplaceIsHeldToTheResultLimit) {
  limits_.max_result_bytes = 64;
  Value s = Str(std::string(40, 'a'));
  EXPECT_TRUE(
      HoldsError(Method("replace", {s, S("a"), S("aa")}), "size limit"));
  EXPECT_TRUE(HoldsError(Method("replace", {s, S(""), S("x")}), "size limit"));
  EXPECT_TRUE(HoldsString(Method("replace", {s, S("a"), S("aa"), I(24)}),
                          std::string(64, 'a')));
  EXPECT_TRUE(
      HoldsError(Method("replace", {s, S("a"), S("aa"), I(25)}), "size limit"));
}

TEST_F(StringsTest, Split) {
  EXPECT_TRUE(HoldsStrings(Method("split", {S("hello world"), S(" ")}),
                           {"hello", "world"}));
  EXPECT_TRUE(HoldsStrings(
      Method("split", {S("hello world events!"), S(" "), I(0)}), {}));
  EXPECT_TRUE(
      HoldsStrings(Method("split", {S("hello world events!"), S(" "), I(1)}),
                   {"hello world events!"}));
  EXPECT_TRUE(
      HoldsStrings(Method("split", {S("hello world events!"), S(" "), I(2)}),
                   {"hello", "world events!"}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S("o©o©o©o"), S("©"), I(-1)}),
                           {"o", "o", "o", "o"}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S(",a,,b,"), S(",")}),
                           {"", "a", "", "b", ""}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S(""), S(",")}), {""}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S("abc"), S("abc")}), {"", ""}));
  // An empty separator splits between code points.
  EXPECT_TRUE(HoldsStrings(Method("split", {S("a©\U0001F600"), S("")}),
                           {"a", "©", "\U0001F600"}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S("a©\U0001F600"), S(""), I(2)}),
                           {"a", "©\U0001F600"}));
  EXPECT_TRUE(HoldsStrings(Method("split", {S(""), S("")}), {}));
}

TEST_F(StringsTest, Substring) {
  EXPECT_TRUE(HoldsString(Method("substring", {S("tacocat"), I(4)}), "cat"));
  EXPECT_TRUE(HoldsString(Method("substring", {S("tacocat"), I(7)}), ""));
  EXPECT_TRUE(
      HoldsString(Method("substring", {S("tacocat"), I(0), I(4)}), "taco"));
  EXPECT_TRUE(HoldsString(Method("substring", {S("tacocat"), I(4), I(4)}), ""));
  EXPECT_TRUE(
      HoldsString(Method("substring", {S("ta©o©αT"), I(2), I(6)}), "©o©α"));
  EXPECT_TRUE(HoldsString(Method("substring", {S("ta©o©αT"), I(7), I(7)}), ""));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(40)}),
                         "index out of range: 40"));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(-1)}),
                         "index out of range: -1"));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(1), I(50)}),
                         "index out of range: 50"));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(49), I(50)}),
                         "index out of range: 49"));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(4), I(3)}),
                         "invalid substring range. start: 4, end: 3"));
  EXPECT_TRUE(HoldsError(Method("substring", {S("tacocat"), I(2), I(-1)}),
                         "index out of range: -1"));
  // A piece of the argument, not a copy.
  Value s = Str("tacocat");
  EXPECT_EQ(Method("substring", {s, I(4)}).text().data(), s.text().data() + 4);
}

TEST_F(StringsTest, Join) {
  EXPECT_TRUE(HoldsString(Method("join", {List({S("x"), S("y")})}), "xy"));
  EXPECT_TRUE(
      HoldsString(Method("join", {List({S("x"), S("y")}), S("-")}), "x-y"));
  EXPECT_TRUE(HoldsString(
      Method("join", {List({S("a"), S(""), S("©")}), S(", ")}), "a, , ©"));
  EXPECT_TRUE(HoldsString(Method("join", {List({})}), ""));
  EXPECT_TRUE(HoldsString(Method("join", {List({}), S("-")}), ""));
  EXPECT_TRUE(HoldsString(Method("join", {List({S("only")}), S("-")}), "only"));
  // The list type is not checked at run time element by element by the
  // registry: join does it.
  EXPECT_TRUE(
      HoldsError(Method("join", {List({S("x"), I(1)})}), kNoMatchingOverload));
  limits_.max_result_bytes = 8;
  EXPECT_TRUE(HoldsError(Method("join", {List({S("abcd"), S("efgh")}), S("-")}),
                         "size limit"));
}

// ---------------------------------------------------------------------------
// strings.quote.

TEST_F(StringsTest, Quote) {
  auto quote = [this](absl::string_view s) {
    return Global("strings.quote", {Str(std::string(s))});
  };
  EXPECT_TRUE(HoldsString(quote("first\nsecond"), "\"first\\nsecond\""));
  EXPECT_TRUE(HoldsString(quote("bell\a"), "\"bell\\a\""));
  EXPECT_TRUE(HoldsString(quote("\bbackspace"), "\"\\bbackspace\""));
  EXPECT_TRUE(HoldsString(quote("\fform feed"), "\"\\fform feed\""));
  EXPECT_TRUE(
      HoldsString(quote("carriage \r return"), "\"carriage \\r return\""));
  EXPECT_TRUE(HoldsString(quote("horizontal tab\t"), "\"horizontal tab\\t\""));
  EXPECT_TRUE(HoldsString(quote("vertical \v tab"), "\"vertical \\v tab\""));
  EXPECT_TRUE(
      HoldsString(quote("double \\\\ slash"), "\"double \\\\\\\\ slash\""));
  EXPECT_TRUE(HoldsString(quote("ends with \\"), "\"ends with \\\\\""));
  EXPECT_TRUE(
      HoldsString(quote("mid string \" quote"), "\"mid string \\\" quote\""));
  EXPECT_TRUE(
      HoldsString(quote("printable unicode😀"), "\"printable unicode😀\""));
  EXPECT_TRUE(HoldsString(quote("завтра"), "\"завтра\""));
  EXPECT_TRUE(HoldsString(quote(""), "\"\""));
  // Bytes that are not UTF-8 become U+FFFD.
  EXPECT_TRUE(HoldsString(quote("a\xffz"), "\"a\xEF\xBF\xBDz\""));
  EXPECT_TRUE(HoldsString(quote("\xC3"), "\"\xEF\xBF\xBD\""));
}

// ---------------------------------------------------------------------------
// format.

class FormatTest : public StringsTest {
 protected:
  Value Format(absl::string_view format, std::vector<Value> args) {
    return Method("format", {Str(std::string(format)), List(std::move(args))});
  }
};

TEST_F(FormatTest, PlainTextAndPercentEscapes) {
  EXPECT_TRUE(HoldsString(Format("no substitution", {}), "no substitution"));
  EXPECT_TRUE(HoldsString(Format("%% and also %%", {}), "% and also %"));
  EXPECT_TRUE(HoldsString(Format("%%%s%%", {S("text")}), "%text%"));
  EXPECT_TRUE(HoldsString(Format("%s%%", {S("right")}), "right%"));
  EXPECT_TRUE(HoldsString(Format("", {}), ""));
  EXPECT_TRUE(HoldsString(Format("%d %d %d, %s %s %s, %d %d %d, %s %s %s",
                                 {I(1), I(2), I(3), S("A"), S("B"), S("C"),
                                  I(4), I(5), I(6), S("D"), S("E"), S("F")}),
                          "1 2 3, A B C, 4 5 6, D E F"));
  EXPECT_TRUE(HoldsString(Format("©%s©", {S("α")}), "©α©"));
}

TEST_F(FormatTest, Numbers) {
  EXPECT_TRUE(HoldsString(Format("%.3f", {Value::Double(1.2345)}), "1.234"));
  EXPECT_TRUE(HoldsString(Format("%f", {Value::Double(2.71828)}), "2.718280"));
  EXPECT_TRUE(HoldsString(Format("%f", {I(2)}), "2.000000"));
  EXPECT_TRUE(HoldsString(Format("%f", {Value::Uint(3)}), "3.000000"));
  EXPECT_TRUE(HoldsString(Format("%.0f", {Value::Double(123.0)}), "123"));
  EXPECT_TRUE(HoldsString(Format("%.0f", {Value::Double(3.5001)}), "4"));
  // Halves round to even.
  EXPECT_TRUE(HoldsString(Format("%.0f", {Value::Double(1.5)}), "2"));
  EXPECT_TRUE(HoldsString(Format("%.0f", {Value::Double(2.5)}), "2"));
  EXPECT_TRUE(
      HoldsString(Format("%.3f", {Value::Double(-123.4999)}), "-123.500"));
  EXPECT_TRUE(HoldsString(Format("%.5f", {Value::Double(-1.2)}), "-1.20000"));
  EXPECT_TRUE(HoldsString(Format("%.6e", {Value::Double(1052.032911275)}),
                          "1.052033e+03"));
  EXPECT_TRUE(
      HoldsString(Format("%e", {Value::Double(2.71828)}), "2.718280e+00"));
  EXPECT_TRUE(HoldsString(Format("%e", {I(2)}), "2.000000e+00"));
  EXPECT_TRUE(HoldsString(Format("%b", {I(5)}), "101"));
  EXPECT_TRUE(HoldsString(Format("%b", {Value::Uint(64)}), "1000000"));
  EXPECT_TRUE(HoldsString(Format("%b", {Value::Bool(true)}), "1"));
  EXPECT_TRUE(HoldsString(Format("%b", {I(-5)}), "-101"));
  EXPECT_TRUE(HoldsString(Format("%o", {I(11)}), "13"));
  EXPECT_TRUE(HoldsString(Format("%o", {Value::Uint(65535)}), "177777"));
  EXPECT_TRUE(HoldsString(Format("%x", {I(30)}), "1e"));
  EXPECT_TRUE(HoldsString(Format("%X", {I(30)}), "1E"));
  EXPECT_TRUE(HoldsString(Format("%X", {Value::Uint(6000)}), "1770"));
  EXPECT_TRUE(
      HoldsString(Format("%x", {I(std::numeric_limits<int64_t>::min())}),
                  "-8000000000000000"));
  EXPECT_TRUE(HoldsString(Format("%x", {S("Hello world!")}),
                          "48656c6c6f20776f726c6421"));
  EXPECT_TRUE(HoldsString(Format("%X", {Value::Bytes("byte string")}),
                          "6279746520737472696E67"));
  EXPECT_TRUE(HoldsString(Format("%d", {Value::Uint(64)}), "64"));
  EXPECT_TRUE(HoldsString(Format("%d", {I(-9223372036854775807 - 1)}),
                          "-9223372036854775808"));
}

TEST_F(FormatTest, NonFiniteDoubles) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const char* clause : {"%e", "%f", "%d", "%s"}) {
    EXPECT_TRUE(HoldsString(Format(clause, {Value::Double(nan)}), "NaN"))
        << clause;
    EXPECT_TRUE(HoldsString(Format(clause, {Value::Double(inf)}), "Infinity"))
        << clause;
    EXPECT_TRUE(HoldsString(Format(clause, {Value::Double(-inf)}), "-Infinity"))
        << clause;
  }
}

TEST_F(FormatTest, StringClauseWritesEveryKind) {
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Null()}), "null"));
  EXPECT_TRUE(HoldsString(Format("%s", {I(999999999999)}), "999999999999"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Bytes("xyz")}), "xyz"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Type("string")}), "string"));
  EXPECT_TRUE(
      HoldsString(Format("%s, %s", {Value::Bool(true), Value::Bool(false)}),
                  "true, false"));
  EXPECT_TRUE(
      HoldsString(Format("%s, %s", {I(32), Value::Double(56.8)}), "32, 56.8"));
  // Doubles as string() writes them: shortest, Go's %g thresholds.
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(123456.0)}), "123456"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(1e6)}), "1e+06"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(0.0001)}), "0.0001"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(-1.5e-5)}), "-1.5e-05"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(1e300)}), "1e+300"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Double(-0.0045)}), "-0.0045"));
  EXPECT_TRUE(HoldsString(
      Format("%s", {Value::Timestamp(absl::FromUnixSeconds(1675467080))}),
      "2023-02-03T23:31:20Z"));
  EXPECT_TRUE(HoldsString(Format("%s", {Value::Duration(absl::Seconds(6347))}),
                          "6347s"));
  EXPECT_TRUE(HoldsString(
      Format("%s",
             {List({S("abc"), Value::Double(3.14), Value::Null(),
                    List({I(9), I(8), I(7), I(6)}),
                    Value::Timestamp(absl::FromUnixSeconds(1675467080))})}),
      "[abc, 3.14, null, [9, 8, 7, 6], 2023-02-03T23:31:20Z]"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(
      HoldsString(Format("%s", {List({Value::Double(nan), Value::Double(inf),
                                      Value::Double(-inf)})}),
                  "[NaN, Infinity, -Infinity]"));
}

TEST_F(FormatTest, MapsAreOrderedByKeyText) {
  EXPECT_TRUE(HoldsString(
      Format("%s", {Map({{S("key1"), Value::Bytes("xyz")},
                         {S("key5"), Value::Null()},
                         {S("key2"), Value::Duration(absl::Hours(2))},
                         {S("key4"), Value::Bool(true)},
                         {S("key3"), Value::Double(2.71828)}})}),
      "{key1: xyz, key2: 7200s, key3: 2.71828, key4: true, key5: null}"));
  EXPECT_TRUE(HoldsString(
      Format("%s", {Map({{S("strKey"), S("x")},
                         {I(6), Value::Duration(absl::Seconds(422))},
                         {Value::Bool(true), I(42)}})}),
      "{6: 422s, strKey: x, true: 42}"));
  EXPECT_TRUE(HoldsString(
      Format("%s", {Map({{I(1), S("value1")},
                         {Value::Uint(2), S("value2")},
                         {Value::Bool(true), Value::Double(std::nan(""))}})}),
      "{1: value1, 2: value2, true: NaN}"));
  EXPECT_TRUE(HoldsString(Format("%s", {Map({})}), "{}"));
  EXPECT_TRUE(HoldsString(Format("%s", {List({})}), "[]"));
}

TEST_F(FormatTest, Errors) {
  EXPECT_TRUE(HoldsError(Format("%a", {I(1)}),
                         "could not parse formatting clause: unrecognized "
                         "formatting clause \"a\""));
  EXPECT_TRUE(HoldsError(Format("double is %E", {Value::Double(0.5)}),
                         "unrecognized formatting clause \"E\""));
  EXPECT_TRUE(
      HoldsError(Format("%©", {I(1)}), "unrecognized formatting clause \"©\""));
  EXPECT_TRUE(
      HoldsError(Format("%d %d %d", {I(0), I(1)}), "index 2 out of range"));
  EXPECT_TRUE(HoldsError(Format("%s", {}), "index 0 out of range"));
  EXPECT_TRUE(HoldsError(Format("trailing %", {I(1)}),
                         "could not parse formatting clause"));
  EXPECT_TRUE(
      HoldsError(Format("%.3", {I(1)}), "could not parse formatting clause"));
  EXPECT_TRUE(HoldsError(Format("%.99999f", {Value::Double(1)}),
                         "precision too large"));
  EXPECT_TRUE(HoldsError(
      Format("string is %b", {S("abc")}),
      "error during formatting: only integers and bools can be formatted as "
      "binary, was given string"));
  EXPECT_TRUE(HoldsError(
      Format("%d", {Value::Duration(absl::Minutes(30))}),
      "error during formatting: decimal clause can only be used on integers, "
      "was given google.protobuf.Duration"));
  EXPECT_TRUE(HoldsError(Format("%d", {Value::Double(1.5)}),
                         "decimal clause can only be used on integers"));
  EXPECT_TRUE(HoldsError(Format("octal: %o", {S("a string")}),
                         "octal clause can only be used on integers, was "
                         "given string"));
  EXPECT_TRUE(HoldsError(Format("double is %x", {Value::Double(0.5)}),
                         "only integers, byte buffers, and strings can be "
                         "formatted as hex, was given double"));
  EXPECT_TRUE(HoldsError(Format("%f", {Value::Null()}),
                         "fixed-point clause can only be used on doubles"));
  EXPECT_TRUE(HoldsError(Format("%e", {S("1")}),
                         "scientific clause can only be used on doubles"));
  EXPECT_TRUE(HoldsError(Format("%s", {Value::Bytes("\xff")}), "UTF-8"));
}

TEST_F(FormatTest, LimitsHold) {
  // Nesting deeper than format follows.
  Value nested = I(1);
  for (int i = 0; i < 40; ++i) nested = List({nested});
  EXPECT_TRUE(HoldsError(Format("%s", {nested}), "nested too deeply"));

  limits_.max_result_bytes = 16;
  EXPECT_TRUE(
      HoldsString(Format("%s", {S("sixteen bytes...")}), "sixteen bytes..."));
  EXPECT_TRUE(HoldsError(Format("%s!", {S("sixteen bytes...")}), "size limit"));
  EXPECT_TRUE(HoldsError(Format("%.20f", {Value::Double(1)}), "size limit"));
  EXPECT_TRUE(HoldsError(
      Format("%s", {List({S("0123456789"), S("0123456789")})}), "size limit"));
  EXPECT_TRUE(HoldsError(Global("strings.quote", {S("\n\n\n\n\n\n\n\n\n")}),
                         "size limit"));
}

TEST_F(FormatTest, MapsStopAtTheLimitBeforeWritingEveryEntry) {
  // A hundred entries whose values each print to 900 bytes, under a
  // 1000-byte limit: the second one already does not fit, and format
  // stops there rather than printing them all and then finding out.
  limits_.max_result_bytes = 1000;
  Value text = Str(std::string(900, 'x'));
  std::vector<MapValue::Entry> entries;
  for (int i = 0; i < 100; ++i) entries.push_back({I(i), text});
  Value map = Map(std::move(entries));
  const uint64_t before = arena_.SpaceUsed();
  EXPECT_TRUE(HoldsError(Format("%s", {map}), "size limit"));
  EXPECT_LT(arena_.SpaceUsed() - before, 10000u);
}

}  // namespace
}  // namespace motive::expr
