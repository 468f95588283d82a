// Agent scripts and reasons: placeholders compile at load, fill at decision
// time, and a placeholder without a value never breaks the script.

#include "decide/script.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "expr/environment.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "state/context_variables.h"

namespace motive::decide {
namespace {

using expr::MapValue;
using expr::Value;
using ::testing::HasSubstr;

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() : activation_(Env()) {
    // customer: {first_name absent at top level, attributes: {first_name:
    // 'Ada'}, strikes: 2, lifetime_value: 1234.5, known: true}
    static const MapValue::Entry kAttributes[] = {
        {Value::String("first_name"), Value::String("Ada")},
        {Value::String("plan"), Value::String("pro")},
        {Value::String("survey_topic"), Value::String("")}};
    const Value attributes = MapValue::Make(&arena_, kAttributes);
    entries_[0] = {Value::String("attributes"), attributes};
    entries_[1] = {Value::String("strikes"), Value::Int(2)};
    entries_[2] = {Value::String("lifetime_value"), Value::Double(1234.5)};
    entries_[3] = {Value::String("known"), Value::Bool(true)};
    entries_[4] = {Value::String("last_purchase"),
                   Value::Timestamp(absl::FromUnixSeconds(1714557600))};
    entries_[5] = {Value::String("churn_risk"), Value::Double(0.25)};
    EXPECT_TRUE(
        activation_.Bind("customer", MapValue::Make(&arena_, entries_)).ok());
  }

  static const expr::Environment& Env() {
    static const expr::Environment* env = [] {
      auto* e = new expr::Environment();
      state::DeclareContextVariables(e).IgnoreError();
      return e;
    }();
    return *env;
  }

  std::string Fill(const std::string& text) {
    absl::StatusOr<Template> compiled = Template::Compile(text, Env());
    EXPECT_TRUE(compiled.ok()) << text << ": " << compiled.status();
    if (!compiled.ok()) return "<did not compile>";
    return compiled->Fill(activation_, &arena_);
  }

  expr::Arena arena_;
  MapValue::Entry entries_[6];
  expr::Activation activation_;
};

TEST_F(TemplateTest, PlainTextIsItself) {
  EXPECT_EQ(Fill(""), "");
  EXPECT_EQ(Fill("Apologize for the wait."), "Apologize for the wait.");
  EXPECT_TRUE(Template::Compile("", Env())->empty());
}

TEST_F(TemplateTest, FillsPlaceholdersAndWritesValuesForPeople) {
  EXPECT_EQ(Fill("Hello {customer.attributes.first_name}!"), "Hello Ada!");
  EXPECT_EQ(Fill("{customer.strikes} strikes"), "2 strikes");
  EXPECT_EQ(Fill("spent {customer.lifetime_value}"), "spent 1234.50");
  EXPECT_EQ(Fill("{customer.lifetime_value * 2.0}"), "2469");
  EXPECT_EQ(Fill("known: {customer.known}"), "known: yes");
  EXPECT_EQ(Fill("since {customer.last_purchase}"), "since 2024-05-01");
  EXPECT_EQ(Fill("{customer.churn_risk * 100.0}%"), "25%");
  EXPECT_EQ(Fill("{ customer.strikes + 1 }"), "3");
}

TEST_F(TemplateTest, CustomerNamesThatAreNotBuiltInReadAttributes) {
  EXPECT_EQ(Fill("Hi {customer.first_name}, on {customer.plan}"),
            "Hi Ada, on pro");
  // A built-in key stays the built-in key.
  EXPECT_EQ(Fill("{customer.strikes}"), "2");
}

TEST_F(TemplateTest, MissingValuesUseTheFallbackOrNothing) {
  EXPECT_EQ(Fill("Hi {customer.nickname|there}!"), "Hi there!");
  EXPECT_EQ(Fill("Hi {customer.nickname}!"), "Hi !");
  EXPECT_EQ(Fill("{customer.strikes / 0|n/a}"), "n/a");
  // Lists and maps have no written form.
  EXPECT_EQ(Fill("[{customer.attributes|-}]"), "[-]");
  // The fallback is text, not an expression, and may be empty.
  EXPECT_EQ(Fill("{customer.nickname|}."), ".");
  // An empty string is no value either.
  EXPECT_EQ(Fill("about their {customer.survey_topic|last contact}"),
            "about their last contact");
  EXPECT_EQ(Fill("on {customer.attributes.survey_topic}:"), "on :");
}

TEST_F(TemplateTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(Fill("{{not a placeholder}} {customer.strikes}"),
            "{not a placeholder} 2");
}

TEST_F(TemplateTest, ErrorsSayWhatIsWrong) {
  auto error = [](const std::string& text) {
    absl::StatusOr<Template> t = Template::Compile(text, Env());
    EXPECT_FALSE(t.ok()) << text;
    return std::string(t.status().message());
  };
  EXPECT_THAT(error("Hi {customer.first_name"), HasSubstr("unmatched '{'"));
  EXPECT_THAT(error("Hi }"), HasSubstr("unmatched '}'"));
  EXPECT_THAT(error("Hi {}"), HasSubstr("empty placeholder"));
  EXPECT_THAT(error("Hi { | x}"), HasSubstr("empty placeholder"));
  EXPECT_THAT(error("{custmer.first_name}"), HasSubstr("custmer"));
  EXPECT_THAT(error("{customer.strikes +}"), HasSubstr("{customer.strikes +}"));
}

TEST(AppendForPeopleTest, NumbersAndTheUnwritable) {
  std::string out;
  EXPECT_TRUE(AppendForPeople(Value::Double(-3.0), &out));
  EXPECT_TRUE(AppendForPeople(Value::Double(0.126), &out));
  EXPECT_TRUE(AppendForPeople(Value::Uint(7), &out));
  EXPECT_EQ(out, "-30.137");
  EXPECT_FALSE(AppendForPeople(Value::Double(std::nan("")), &out));
  EXPECT_FALSE(AppendForPeople(Value::Null(), &out));
  EXPECT_FALSE(AppendForPeople(Value::Error("boom"), &out));
  EXPECT_EQ(out, "-30.137");
}

// Doubles are written as printf's "%.0f" (whole numbers under 1e15) or
// "%.2f": exact ties round to even, the binary value decides the rest.
TEST(AppendForPeopleTest, DoublesAreWrittenAsPrintfWritesThem) {
  for (double d : {0.0, -0.0, 0.125, 0.375, 2.675, -2.675, 199.9, 1e15 - 1,
                   1e15, 1e15 + 0.5, 123456789.005, 1e300, -1.7976931348623157e308,
                   5e-324}) {
    std::string out;
    ASSERT_TRUE(AppendForPeople(Value::Double(d), &out));
    char expected[400];
    std::snprintf(expected, sizeof(expected),
                  d == std::trunc(d) && std::fabs(d) < 1e15 ? "%.0f" : "%.2f",
                  d);
    EXPECT_EQ(out, expected) << d;
  }
  std::string out;
  ASSERT_TRUE(AppendForPeople(Value::Double(0.125), &out));
  EXPECT_EQ(out, "0.12");
}

}  // namespace
}  // namespace motive::decide
