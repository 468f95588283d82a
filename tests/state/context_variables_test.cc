// The context as rules see it: declared so that rules check at load time,
// bound from a Summary so that they evaluate, absent values absent.

#include "state/context_variables.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "expr/program.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::state {
namespace {

using expr::Value;
using ::testing::HasSubstr;

constexpr int64_t kDayUs = int64_t{86400} * 1000 * 1000;
constexpr int64_t kNowUs = int64_t{1714557600} * 1000 * 1000;  // 2024-05-01
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A customer who has called about billing four times this month.
Summary Caller() {
  Summary s{};
  s.as_of_us = kNowUs;
  s.known = 1;
  s.events = 12;
  s.first_seen_us = kNowUs - 200 * kDayUs;
  s.last_seen_us = kNowUs - kDayUs;
  s.contacts[0].total = 2;
  s.contacts[1].total = 4;
  s.contacts[1].by_channel[v1::VOICE] = 3;
  s.contacts[1].by_channel[v1::CHAT] = 1;
  s.contacts[2].total = 5;
  s.last_contact.time_us = kNowUs - kDayUs;
  s.last_contact.channel = v1::VOICE;
  s.last_contact.outcome = v1::UNRESOLVED;
  s.last_contact.topic = "billing";
  s.last_contact.agent_id = "a-7";
  s.last_contact.transfers = 2;
  s.last_contact.hold_ms = 720000;
  s.last_contact.sentiment = -0.7;
  s.last_contact.repeat = 1;
  s.window_days = 90;
  s.repeat_contacts = 3;
  s.transfers = 4;
  s.hold_ms = 900000;
  s.open_issues = 1;
  s.strikes = 3;
  s.at_risk = 1;
  s.sentiment_last = -0.7;
  s.sentiment_average = -0.4;
  s.sentiment_trend = -0.1;
  s.stage = v1::EXPERIENCE;
  s.purchases = 2;
  s.lifetime_value = 250.5;
  s.last_purchase_us = kNowUs - 40 * kDayUs;
  s.days_since_purchase = 40;
  s.csat = 2;
  s.nps = 4;
  s.nps_category = NpsCategory::kDetractor;
  s.churn_risk = 0.72;
  s.negative_zero_moment = 1;
  return s;
}

// Someone motive has never seen.
Summary Stranger() {
  Summary s{};
  s.as_of_us = kNowUs;
  s.window_days = 90;
  s.last_contact.sentiment = kNaN;
  s.sentiment_last = kNaN;
  s.sentiment_average = kNaN;
  s.sentiment_trend = kNaN;
  s.days_since_purchase = -1;
  s.csat = -1;
  s.nps = -1;
  return s;
}

class ContextVariablesTest : public ::testing::Test {
 protected:
  ContextVariablesTest() { EXPECT_TRUE(DeclareContextVariables(&env_).ok()); }

  absl::StatusOr<std::unique_ptr<expr::Program>> Compile(
      const std::string& rule) {
    return expr::Program::Compile(rule, env_);
  }

  // `rule` evaluated over `summary` bound with `metrics` and `attributes`:
  // every field bound, and only those the rule reads, which must give the
  // same value.
  std::string Eval(const std::string& rule, const Summary& summary,
                   absl::Span<const NamedMetric> metrics = {},
                   absl::Span<const expr::MapValue::Entry> attributes = {}) {
    auto program = Compile(rule);
    EXPECT_TRUE(program.ok()) << rule << ": " << program.status();
    if (!program.ok()) return "did not compile";
    ContextFields read;
    read.Add(**program);
    std::string values[2];
    for (int i = 0; i < 2; ++i) {
      expr::Activation activation(env_);
      absl::Status bound = BindContext(
          summary, "c-1", strings_, metrics, attributes,
          i == 0 ? ContextFields::All() : read, &activation, &arena_);
      EXPECT_TRUE(bound.ok()) << bound;
      values[i] = DebugString((*program)->Evaluate(activation, &arena_));
    }
    EXPECT_EQ(values[0], values[1]) << rule << " with only what it reads";
    return values[0];
  }

  expr::Environment env_;
  expr::Arena arena_;
  Interner strings_;
};

TEST_F(ContextVariablesTest, DeclaresTheFourVariables) {
  for (const char* name : {"customer", "contacts", "last_contact", "metrics"}) {
    const expr::VariableDecl* decl = env_.FindVariable(name);
    ASSERT_NE(decl, nullptr) << name;
    // A record: a map at run time, with typed fields for the checker.
    EXPECT_TRUE(decl->type.is_record()) << name;
    EXPECT_EQ(decl->type.DebugString(), name);
  }
  // Twice into one environment is an error.
  EXPECT_EQ(DeclareContextVariables(&env_).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ContextVariablesTest, RulesCheckAtLoadTime) {
  for (const char* rule :
       {"contacts.d30 > 2 && customer.at_risk",
        "last_contact.topic == 'billing'",
        "metrics.angry_calls >= 2.0 || customer.churn_risk > 0.5",
        "has(customer.csat) && customer.csat <= 2",
        "contacts.by_channel_30d.voice > 1",
        "customer.attributes.plan == 'gold'",
        "last_contact.time > customer.first_seen"}) {
    auto program = Compile(rule);
    EXPECT_TRUE(program.ok()) << rule << ": " << program.status();
  }
  // A variable the context does not declare is refused with its position.
  auto unknown = Compile("contacts.d30 > 2 && customr.at_risk");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("column 21"));
}

TEST_F(ContextVariablesTest, WrongTypesAndFieldsAreRefusedAtLoadTime) {
  auto error = [&](const std::string& rule) {
    auto program = Compile(rule);
    EXPECT_FALSE(program.ok()) << rule;
    return program.ok() ? "" : std::string(program.status().message());
  };
  EXPECT_EQ(error("customer.strikes >= 'two'"),
            "line 1, column 18: found no matching overload for '_>=_' "
            "applied to '(int, string)'");
  EXPECT_EQ(error("contacts.d30 > 1 &&\n  last_contact.topic > 3"),
            "line 2, column 22: found no matching overload for '_>_' applied "
            "to '(string, int)'");
  EXPECT_THAT(error("customer.strike > 1"),
              HasSubstr("undefined field 'strike' of customer"));
  EXPECT_THAT(error("has(last_contact.topc)"),
              HasSubstr("undefined field 'topc' of last_contact"));
  EXPECT_THAT(error("contacts.by_channel_30d.voice > 'many'"),
              HasSubstr("applied to '(int, string)'"));
  // Attributes are whatever the events bound: any type, known at run time.
  for (const char* rule :
       {"customer.attributes.plan == 'gold'", "customer.attributes.age > 30",
        "customer.attributes.vip"}) {
    EXPECT_TRUE(Compile(rule).ok()) << rule;
  }
  // Metrics nobody declared may come from the engine's configuration.
  EXPECT_TRUE(Compile("metrics.anything == 'x'").ok());
}

TEST(ContextVariablesTypedMetricsTest, DeclaredMetricsAreTyped) {
  v1::MetricDefinition spend, plan;
  spend.set_name("spend_30d");
  spend.set_aggregation(v1::SUM);
  plan.set_name("last_plan");
  plan.set_aggregation(v1::LAST);
  const v1::MetricDefinition* metrics[] = {&spend, &plan};
  std::unique_ptr<expr::Environment> env = NewRuleEnvironment(metrics);
  EXPECT_TRUE(expr::Program::Compile("metrics.spend_30d > 100.0", *env).ok());
  auto wrong = expr::Program::Compile("metrics.spend_30d < 'high'", *env);
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.status().message(), HasSubstr("(double, string)"));
  // LAST keeps its field's kind: number or text, known at run time.
  EXPECT_TRUE(expr::Program::Compile("metrics.last_plan == 'gold'", *env).ok());
}

TEST_F(ContextVariablesTest, EvaluatesRulesOverASummary) {
  const Summary caller = Caller();
  EXPECT_EQ(Eval("contacts.d30 > 2 && customer.at_risk", caller), "true");
  EXPECT_EQ(Eval("last_contact.topic == 'billing'", caller), "true");
  EXPECT_EQ(Eval("contacts.d7 == 2 && contacts.d90 == 5", caller), "true");
  EXPECT_EQ(Eval("contacts.by_channel_30d", caller),
            "{\"voice\": 3, \"chat\": 1}");
  EXPECT_EQ(
      Eval("[contacts.repeats, contacts.transfers, contacts.hold_ms]", caller),
      "[3, 4, 900000]");
  EXPECT_EQ(Eval("[last_contact.channel, last_contact.outcome, "
                 "last_contact.agent_id]",
                 caller),
            "[\"voice\", \"unresolved\", \"a-7\"]");
  EXPECT_EQ(Eval("[last_contact.transfers, last_contact.hold_ms, "
                 "last_contact.sentiment, last_contact.repeat]",
                 caller),
            "[2, 720000, -0.7, true]");
  EXPECT_EQ(
      Eval("last_contact.time == timestamp('2024-04-30T10:00:00Z')", caller),
      "true");
  EXPECT_EQ(
      Eval("[customer.id, customer.stage, customer.nps_category]", caller),
      "[\"c-1\", \"experience\", \"detractor\"]");
  EXPECT_EQ(Eval("[customer.known, customer.events, customer.strikes, "
                 "customer.open_issues, customer.purchases, "
                 "customer.days_since_purchase, customer.csat, customer.nps, "
                 "customer.negative_zero_moment]",
                 caller),
            "[true, 12, 3, 1, 2, 40, 2, 4, 1]");
  EXPECT_EQ(Eval("[customer.sentiment, customer.sentiment_average, "
                 "customer.sentiment_trend, customer.lifetime_value, "
                 "customer.churn_risk]",
                 caller),
            "[-0.7, -0.4, -0.1, 250.5, 0.72]");
  EXPECT_EQ(Eval("customer.first_seen < customer.last_seen && "
                 "customer.last_purchase < customer.last_seen",
                 caller),
            "true");
  EXPECT_EQ(Eval("customer.attributes", caller), "{}");
  EXPECT_EQ(Eval("metrics", caller), "{}");
}

// The records are bound with their keys' hashes computed once, found by
// walking the declared fields in step with the keys bound: that holds only
// while every record binds its keys in its declared order, all of them for
// a customer who has everything.
TEST_F(ContextVariablesTest, RecordsBindEveryDeclaredKeyInItsOrder) {
  expr::Activation activation(env_);
  ASSERT_TRUE(
      BindContext(Caller(), "c-1", strings_, &activation, &arena_).ok());
  for (const char* name : {"customer", "contacts", "last_contact"}) {
    const expr::VariableDecl* decl = env_.FindVariable(name);
    ASSERT_NE(decl, nullptr) << name;
    const expr::Value bound = activation.Get(decl->slot);
    ASSERT_EQ(bound.kind(), expr::ValueKind::kMap) << name;
    const auto entries = bound.map().entries();
    const auto fields = decl->type.fields();
    ASSERT_EQ(entries.size(), fields.size()) << name;
    for (size_t i = 0; i < fields.size(); ++i) {
      EXPECT_EQ(entries[i].key.text(), fields[i].first) << name << " " << i;
    }
  }
}

// Binding only what programs read: the rest is absent, which the programs
// that read nothing of it cannot tell (Eval checks that for every rule of
// these tests), and a variable read whole is bound whole.
TEST_F(ContextVariablesTest, BindsOnlyTheFieldsItsProgramsRead) {
  MetricResult calls;
  calls.kind = MetricResult::Kind::kNumber;
  calls.number = 3;
  const NamedMetric metrics[] = {{"angry_calls", calls}};
  const expr::MapValue::Entry attributes[] = {
      {Value::String("plan"), Value::String("gold")}};
  auto bound_with = [&](std::initializer_list<const char*> rules) {
    ContextFields fields;
    for (const char* rule : rules) {
      auto program = Compile(rule);
      EXPECT_TRUE(program.ok()) << rule << ": " << program.status();
      if (program.ok()) fields.Add(**program);
    }
    expr::Activation activation(env_);
    EXPECT_TRUE(BindContext(Caller(), "c-1", strings_, metrics, attributes,
                            fields, &activation, &arena_)
                    .ok());
    // Their keys, in declared order, shown by a program that reads them
    // whole, on the same binding.
    auto shown = Compile(
        "[customer, contacts, last_contact, metrics].map(m, "
        "m.map(k, k))");
    EXPECT_TRUE(shown.ok()) << shown.status();
    return DebugString((*shown)->Evaluate(activation, &arena_));
  };
  EXPECT_EQ(bound_with({}), "[[], [], [], []]");
  EXPECT_EQ(bound_with({"customer.strikes > 1 && has(customer.csat)",
                        "last_contact.topic == 'billing'"}),
            "[[\"strikes\", \"csat\"], [], [\"topic\"], []]");
  EXPECT_EQ(bound_with({"customer.attributes.plan == 'gold'",
                        "metrics.angry_calls > 1", "contacts.d7 > 0"}),
            "[[\"attributes\"], [\"d7\"], [], [\"angry_calls\"]]");
  EXPECT_EQ(bound_with({"size(last_contact) > 0"}),
            "[[], [], [\"time\", \"channel\", \"topic\", \"outcome\", "
            "\"agent_id\", \"transfers\", \"hold_ms\", \"sentiment\", "
            "\"repeat\"], []]");
  // What CustomerState::Bind asks before building attributes and metrics.
  ContextFields fields;
  fields.Add(**Compile("customer.attributes.plan == 'gold'"));
  EXPECT_TRUE(fields.reads_attributes());
  EXPECT_FALSE(fields.reads_metrics());
  EXPECT_TRUE(ContextFields::All().reads_attributes());
  EXPECT_TRUE(ContextFields::All().reads_metrics());
}

TEST_F(ContextVariablesTest, AbsentValuesAreAbsentKeys) {
  const Summary stranger = Stranger();
  EXPECT_EQ(Eval("last_contact", stranger), "{}");
  EXPECT_EQ(Eval("has(last_contact.topic)", stranger), "false");
  // A rule that reads what is absent fails rather than matching.
  EXPECT_THAT(Eval("last_contact.topic == 'billing'", stranger),
              HasSubstr("error"));
  for (const char* key :
       {"first_seen", "last_seen", "stage", "sentiment", "sentiment_average",
        "sentiment_trend", "last_purchase", "days_since_purchase", "csat",
        "nps", "nps_category"}) {
    EXPECT_EQ(Eval(absl::StrCat("has(customer.", key, ")"), stranger), "false")
        << key;
  }
  EXPECT_EQ(Eval("[customer.known, customer.events, customer.at_risk, "
                 "contacts.d30, contacts.by_channel_30d]",
                 stranger),
            "[false, 0, false, 0, {}]");

  // A contact without a sentiment has no sentiment key.
  Summary caller = Caller();
  caller.last_contact.sentiment = kNaN;
  caller.last_contact.topic = nullptr;
  EXPECT_EQ(Eval("has(last_contact.sentiment)", caller), "false");
  EXPECT_EQ(Eval("last_contact.topic", caller), "\"\"");
}

TEST_F(ContextVariablesTest, BindsMetricsAndAttributes) {
  const uint32_t billing = strings_.Intern("billing");
  MetricResult calls;
  calls.kind = MetricResult::Kind::kNumber;
  calls.number = 3;
  MetricResult topic;
  topic.kind = MetricResult::Kind::kText;
  topic.text = billing;
  const NamedMetric metrics[] = {
      {"angry_calls", calls}, {"last_topic", topic}, {"avg_spend", {}}};
  const expr::MapValue::Entry attributes[] = {
      {Value::String("plan"), Value::String("gold")},
      {Value::String("seats"), Value::Double(12)}};
  const Summary caller = Caller();
  EXPECT_EQ(Eval("metrics.angry_calls >= 2 && metrics.last_topic == "
                 "last_contact.topic",
                 caller, metrics, attributes),
            "true");
  // A metric with nothing in its window is absent.
  EXPECT_EQ(Eval("has(metrics.avg_spend)", caller, metrics, attributes),
            "false");
  EXPECT_EQ(Eval("customer.attributes.plan == 'gold' && "
                 "customer.attributes.seats > 10",
                 caller, metrics, attributes),
            "true");
}

TEST_F(ContextVariablesTest, BindErrors) {
  expr::Activation activation(env_);
  const Summary caller = Caller();
  MetricResult one;
  one.kind = MetricResult::Kind::kNumber;
  const NamedMetric twice[] = {{"m", one}, {"m", one}};
  absl::Status status = BindContext(caller, "c-1", strings_, twice, {},
                                    ContextFields::All(), &activation, &arena_);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("metrics"));

  const expr::MapValue::Entry attributes[] = {
      {Value::String("plan"), Value::String("gold")},
      {Value::String("plan"), Value::String("silver")}};
  status = BindContext(caller, "c-1", strings_, {}, attributes,
                       ContextFields::All(), &activation, &arena_);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("customer.attributes"));

  // An environment without the context's variables.
  expr::Environment bare;
  expr::Activation bare_activation(bare);
  EXPECT_EQ(
      BindContext(caller, "c-1", strings_, &bare_activation, &arena_).code(),
      absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace motive::state
