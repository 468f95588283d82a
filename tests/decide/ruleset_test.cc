// A compiled ruleset deciding over a customer's state: arbitration
// arithmetic, tiers, every drop named in the trace, learning that moves the
// ranking, determinism, proactive rules, and load errors that point at the
// line.

#include "decide/ruleset.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/errors.h"
#include "decide/feedback.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "tests/testing/decision_testing.h"

namespace motive::decide {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::Dropped;
using ::motive::testing::Ranked;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kSecondUs = 1000 * 1000;
constexpr int64_t kDayUs = 86400 * kSecondUs;
constexpr int64_t kNowUs = int64_t{1750000000} * kSecondUs;  // 2025-06-15

class RulesetTest : public ::testing::Test {
 protected:
  RulesetTest() : store_(state::StateConfig{}) {}

  std::shared_ptr<const Ruleset> Load(const std::string& text) {
    auto rules = Ruleset::Compile(text, "test.textproto", store_.strings());
    EXPECT_TRUE(rules.ok()) << rules.status();
    return rules.ok() ? *rules : nullptr;
  }
  absl::Status LoadError(const std::string& text) {
    auto rules = Ruleset::Compile(text, "test.textproto", store_.strings());
    EXPECT_FALSE(rules.ok()) << text;
    return rules.ok() ? absl::OkStatus() : rules.status();
  }

  void Add(v1::Event event) {
    ASSERT_TRUE(model::PrepareEvent(&event, model::JourneyMap::Default(),
                                    absl::FromUnixMicros(kNowUs))
                    .ok());
    store_.Apply(event);
  }
  void Contact(const std::string& customer, int64_t age_us, v1::Outcome outcome,
               double sentiment = 0, const std::string& topic = "billing") {
    v1::Event e;
    e.set_event_id(absl::StrCat("c-", ++events_));
    e.set_customer_id(customer);
    e.set_type("contact");
    e.set_channel(v1::VOICE);
    e.set_topic(topic);
    e.set_outcome(outcome);
    e.set_sentiment(sentiment);
    *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - age_us);
    Add(std::move(e));
  }
  void Attribute(const std::string& customer, const std::string& key,
                 const std::string& value) {
    v1::Event e;
    e.set_event_id(absl::StrCat("a-", ++events_));
    e.set_customer_id(customer);
    e.set_type("profile_update");
    *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - kDayUs);
    (*e.mutable_attributes())[key].set_string_value(value);
    Add(std::move(e));
  }
  void Respond(const std::string& customer, const std::string& decision,
               const std::string& action, v1::FeedbackOutcome outcome,
               int64_t age_us = kDayUs) {
    Feedback f;
    f.customer_id = customer;
    f.decision_id = decision;
    f.action = action;
    f.outcome = outcome;
    f.channel = v1::VOICE;
    f.time_us = kNowUs - age_us;
    // The engine records the action's group from the ruleset.
    const std::string group = action == "upgrade" ? "upsell"
                              : action == "tips"  ? "education"
                                                  : "";
    absl::StatusOr<v1::Event> event = FeedbackEvent(f, group, kNowUs);
    ASSERT_TRUE(event.ok()) << event.status();
    Add(*std::move(event));
  }

  static v1::Situation Inbound(v1::Channel channel = v1::VOICE,
                               const std::string& topic = "billing") {
    v1::Situation s;
    s.set_channel(channel);
    s.set_topic(topic);
    s.set_direction(v1::INBOUND);
    return s;
  }
  v1::Decision Decide(const Ruleset& rules, const std::string& customer,
                      v1::Situation situation = Inbound(),
                      Ruleset::Detail detail = Ruleset::Detail::kFull) {
    if (!situation.has_time()) {
      *situation.mutable_time() = model::FromUnixMicros(kNowUs);
    }
    v1::Decision decision;
    v1::Decision head;  // the same decision, its drops in `trace`
    Ruleset::Trace trace;
    store_.Visit(customer, kNowUs, [&](const state::CustomerState& state) {
      EXPECT_TRUE(
          rules.Decide(customer, situation, state, store_, &decision, detail)
              .ok());
      EXPECT_TRUE(
          rules.Decide(customer, situation, state, store_, &head, &trace).ok());
    });
    // Every decision of these tests checks that the trace, read later as
    // messages or as bytes, is what Decide writes into the decision.
    EXPECT_EQ(head.dropped_size(), 0);
    std::string bytes;
    EXPECT_TRUE(trace.Serialize(head, &bytes).ok());
    trace.AppendTo(head.mutable_dropped());
    if (detail == Ruleset::Detail::kFull) {
      EXPECT_TRUE(MessageDifferencer::Equals(head, decision))
          << head.DebugString() << "\nvs\n"
          << decision.DebugString();
      std::string expected;
      EXPECT_TRUE(
          model::Encode(model::WireFormat::kProtobuf, decision, &expected)
              .ok());
      EXPECT_EQ(bytes, expected);
    }
    return decision;
  }

  state::StateStore store_;
  int events_ = 0;
};

constexpr char kTwoOffers[] = R"pb(
  version: "v1"
  actions { id: "upgrade" title: "Upgrade" group: "upsell" value: 10 }
  actions { id: "tips" title: "Tips" group: "education" value: 4 }
  playbooks {
    name: "inbound"
    rules { action: "upgrade" }
    rules { action: "tips" }
  }
)pb";

TEST_F(RulesetTest, ScoreIsPropensityTimesWeightTimesValueTimesLever) {
  auto rules = Load(R"pb(
    actions { id: "upgrade" group: "upsell" value: 10 }
    actions { id: "tips" group: "education" value: 4 }
    actions { id: "bundle" group: "upsell" value: 3 }
    arbitration {
      weights { group: "upsell" lever: 0.5 context_weight: 2 }
      weights { action: "bundle" lever: 3 }
      prior_accepts: 1
      prior_rejects: 3
    }
    playbooks {
      name: "inbound"
      rules { action: "upgrade" weight: "1.0 + customer.churn_risk" }
      rules { action: "tips" }
      rules { action: "bundle" }
    }
    contact_policy { max_results: 5 }
  )pb");
  ASSERT_NE(rules, nullptr);
  // Unknown customer: churn risk 0; no feedback: propensity 1 / (1 + 3).
  const v1::Decision d = Decide(*rules, "c-1");
  ASSERT_EQ(d.actions_size(), 3);
  auto terms = [&](const std::string& id) {
    for (const auto& a : d.actions()) {
      if (a.action() == id) return a.score();
    }
    ADD_FAILURE() << id;
    return v1::ScoreTerms();
  };
  // upgrade: 0.25 x 1 (its rule's weight beats the group's 2) x 10 x 0.5.
  EXPECT_DOUBLE_EQ(terms("upgrade").propensity(), 0.25);
  EXPECT_DOUBLE_EQ(terms("upgrade").context_weight(), 1.0);
  EXPECT_DOUBLE_EQ(terms("upgrade").value(), 10);
  EXPECT_DOUBLE_EQ(terms("upgrade").lever(), 0.5);
  EXPECT_DOUBLE_EQ(terms("upgrade").priority(), 1.25);
  // tips: 0.25 x 1 x 4 x 1.
  EXPECT_DOUBLE_EQ(terms("tips").priority(), 1.0);
  // bundle: the group's weight 2, its own lever 3: 0.25 x 2 x 3 x 3.
  EXPECT_DOUBLE_EQ(terms("bundle").context_weight(), 2);
  EXPECT_DOUBLE_EQ(terms("bundle").lever(), 3);
  EXPECT_DOUBLE_EQ(terms("bundle").priority(), 4.5);
  EXPECT_THAT(Ranked(d), ElementsAre("bundle", "upgrade", "tips"));
}

TEST_F(RulesetTest, ContextWeightFollowsTheCustomer) {
  auto rules = Load(R"pb(
    actions { id: "save" value: 1 }
    playbooks {
      name: "p"
      rules { action: "save" weight: "1.0 + double(customer.strikes)" }
    }
  )pb");
  Contact("c-1", 3 * kDayUs, v1::UNRESOLVED);
  Contact("c-1", 2 * kDayUs, v1::UNRESOLVED);
  const v1::Decision d = Decide(*rules, "c-1");
  ASSERT_EQ(d.actions_size(), 1);
  EXPECT_DOUBLE_EQ(d.actions(0).score().context_weight(), 3.0);
  EXPECT_DOUBLE_EQ(d.actions(0).score().priority(), 0.5 * 3.0);
}

TEST_F(RulesetTest, HigherTiersRankFirstWhateverTheirScores) {
  auto rules = Load(R"pb(
    actions { id: "block_card" service: true value: 1 }
    actions { id: "premium_card" value: 1000 }
    playbooks {
      name: "lost_card"
      rules { action: "premium_card" }
      rules { action: "block_card" priority: 10 }
    }
  )pb");
  const v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre("block_card", "premium_card"));
  EXPECT_EQ(d.actions(0).tier(), 10);
  EXPECT_TRUE(d.actions(0).service());
}

TEST_F(RulesetTest, EveryDropIsInTheTraceWithItsStage) {
  auto rules = Load(R"pb(
    actions {
      id: "expired"
      valid_until { seconds: 1700000000 }
    }
    actions {
      id: "future"
      valid_from { seconds: 1800000000 }
    }
    actions {
      id: "chat_only"
      channels: [ CHAT ]
    }
    actions { id: "needs_csat" }
    actions { id: "strict" }
    actions { id: "fine" }
    actions { id: "off" }
    actions { id: "negative" }
    arbitration { weights { action: "off" lever: 0 } }
    playbooks {
      name: "p"
      rules { action: "expired" }
      rules { action: "future" }
      rules { action: "chat_only" }
      rules { action: "needs_csat" eligibility: "customer.csat <= 2" }
      rules {
        action: "strict"
        applicability: "contacts.d30 >= 0"
        suitability: "customer.strikes > 5"
      }
      rules { action: "fine" eligibility: "!customer.at_risk" }
      rules { action: "off" }
      rules { action: "negative" weight: "-1.0" }
    }
  )pb");
  const v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre("fine"));
  EXPECT_THAT(
      Dropped(d),
      ElementsAre("expired/validity", "future/validity", "chat_only/channel",
                  "needs_csat/eligibility", "strict/suitability", "off/lever",
                  "negative/weight"));
  EXPECT_THAT(d.dropped(2).detail(), HasSubstr("not offered on voice"));
  // No survey answer: the key is absent, the rule does not match, and the
  // trace says why.
  EXPECT_THAT(d.dropped(3).detail(),
              HasSubstr("customer.csat <= 2: no such key"));
  EXPECT_EQ(d.dropped(4).detail(), "customer.strikes > 5 is false");
  EXPECT_EQ(d.dropped(4).playbook(), "p");
  EXPECT_EQ(d.dropped(4).rule(), "strict");
  EXPECT_THAT(d.actions(0).reasons(),
              ElementsAre("playbook p", "eligibility: !customer.at_risk"));
}

TEST_F(RulesetTest, PlaybooksMatchTheirSituation) {
  auto rules = Load(R"pb(
    actions { id: "a" }
    actions { id: "b" }
    actions { id: "c" }
    playbooks {
      name: "voice_billing"
      channels: [ VOICE ]
      topics: "billing"
      rules { action: "a" }
    }
    playbooks {
      name: "outbound"
      directions: [ OUTBOUND ]
      rules { action: "b" }
    }
    playbooks {
      name: "vip"
      condition: "customer.attributes.tier == 'gold'"
      rules { action: "c" }
    }
  )pb");
  v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(d.playbooks(), ElementsAre("voice_billing"));
  EXPECT_THAT(Ranked(d), ElementsAre("a"));
  EXPECT_EQ(d.dropped_size(), 0);
  EXPECT_EQ(Decide(*rules, "c-1", Inbound(v1::CHAT)).playbooks_size(), 0);
  EXPECT_EQ(
      Decide(*rules, "c-1", Inbound(v1::VOICE, "refund")).playbooks_size(), 0);
  Attribute("c-1", "tier", "gold");
  d = Decide(*rules, "c-1", Inbound(v1::CHAT, "refund"));
  EXPECT_THAT(d.playbooks(), ElementsAre("vip"));
  v1::Situation outbound = Inbound(v1::CHAT);
  outbound.set_direction(v1::OUTBOUND);
  EXPECT_THAT(Decide(*rules, "c-1", outbound).playbooks(),
              ElementsAre("outbound", "vip"));
}

TEST_F(RulesetTest, OneActionOnceAndAtMostMaxResults) {
  auto rules = Load(R"pb(
    actions { id: "a" value: 5 }
    actions { id: "b" value: 4 }
    actions { id: "c" value: 3 }
    playbooks {
      name: "one"
      rules { action: "a" }
      rules { action: "b" }
    }
    playbooks {
      name: "two"
      rules { name: "a_again" action: "a" priority: 1 }
      rules { action: "c" }
    }
    contact_policy { max_results: 2 }
  )pb");
  const v1::Decision d = Decide(*rules, "c-1");
  // The tier-1 rule of "two" wins the action; the one of "one" is a
  // duplicate; c is beyond the two results.
  EXPECT_THAT(Ranked(d), ElementsAre("a", "b"));
  EXPECT_EQ(d.actions(0).playbook(), "two");
  EXPECT_EQ(d.actions(0).rule(), "a_again");
  EXPECT_THAT(Dropped(d), ElementsAre("a/duplicate", "c/max_results"));
  // The situation may ask for fewer, or more up to 50.
  v1::Situation one = Inbound();
  one.set_max_results(1);
  EXPECT_THAT(Ranked(Decide(*rules, "c-1", one)), ElementsAre("a"));
  v1::Situation all = Inbound();
  all.set_max_results(10);
  EXPECT_THAT(Ranked(Decide(*rules, "c-1", all)), ElementsAre("a", "b", "c"));
}

TEST_F(RulesetTest, LearningMovesTheRanking) {
  auto rules = Load(kTwoOffers);
  // Same propensity at first: value decides.
  EXPECT_THAT(Ranked(Decide(*rules, "c-1")), ElementsAre("upgrade", "tips"));
  // Customers reject the upgrade and accept the tips; each response counts
  // for every customer.
  for (int i = 0; i < 4; ++i) {
    const std::string customer = absl::StrCat("other-", i);
    Respond(customer, absl::StrCat("d-", i), "upgrade", v1::REJECTED);
    Respond(customer, absl::StrCat("d-", i), "tips", v1::ACCEPTED);
  }
  const v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre("tips", "upgrade"));
  // upgrade (1 + 0) / (2 + 4) = 1/6; tips (1 + 4) / (2 + 4) = 5/6.
  EXPECT_DOUBLE_EQ(d.actions(0).score().propensity(), 5.0 / 6);
  EXPECT_DOUBLE_EQ(d.actions(1).score().propensity(), 1.0 / 6);
  // Offers and conversions are not trials; ignoring is a failure.
  Respond("other-9", "d-9", "tips", v1::OFFERED);
  Respond("other-9", "d-9", "tips", v1::CONVERTED);
  Respond("other-9", "d-9", "upgrade", v1::IGNORED);
  const v1::Decision later = Decide(*rules, "c-1");
  EXPECT_DOUBLE_EQ(later.actions(0).score().propensity(), 5.0 / 6);
  EXPECT_DOUBLE_EQ(later.actions(1).score().propensity(), 1.0 / 7);
}

TEST_F(RulesetTest, CapsAndCoolOffsReadTheCustomersFeedback) {
  auto rules = Load(absl::StrCat(kTwoOffers, R"pb(
    contact_policy {
      caps { group: "upsell" max: 1 window: "30d" }
      cool_offs { rejections: 2 within: "30d" suppress_for: "60d" }
    }
  )pb"));
  Respond("c-1", "d-1", "upgrade", v1::OFFERED, 10 * kDayUs);
  v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre("tips"));
  EXPECT_THAT(Dropped(d), ElementsAre("upgrade/cap"));
  // Another customer is not capped by it.
  EXPECT_THAT(Ranked(Decide(*rules, "c-2")), ElementsAre("upgrade", "tips"));
  Respond("c-1", "d-2", "tips", v1::REJECTED, 5 * kDayUs);
  Respond("c-1", "d-3", "tips", v1::REJECTED, 4 * kDayUs);
  d = Decide(*rules, "c-1");
  EXPECT_EQ(d.actions_size(), 0);
  EXPECT_THAT(Dropped(d), ElementsAre("upgrade/cap", "tips/cool_off"));
}

TEST_F(RulesetTest, TheRankingAloneKeepsTheRankAndPolicysDrops) {
  auto rules = Load(absl::StrCat(kTwoOffers, R"pb(
    actions {
      id: "bonus"
      group: "upsell"
      value: 1
      script: "Hi {customer.strikes}"
    }
    actions {
      id: "chat_only"
      channels: [ CHAT ]
    }
    playbooks {
      name: "more"
      rules { action: "bonus" reason: "because" }
      rules { action: "chat_only" }
      rules { action: "tips" }
    }
    contact_policy { caps { group: "education" max: 1 window: "30d" } }
  )pb"));
  Respond("c-1", "d-1", "tips", v1::OFFERED, 10 * kDayUs);
  const v1::Decision full = Decide(*rules, "c-1");
  const v1::Decision ranking =
      Decide(*rules, "c-1", Inbound(), Ruleset::Detail::kRanking);
  EXPECT_THAT(Ranked(full), ElementsAre("upgrade", "bonus"));
  EXPECT_THAT(Ranked(ranking), ElementsAre("upgrade", "bonus"));
  for (int i = 0; i < full.actions_size(); ++i) {
    EXPECT_EQ(full.actions(i).score().priority(),
              ranking.actions(i).score().priority());
    EXPECT_EQ(full.actions(i).service(), ranking.actions(i).service());
  }
  EXPECT_FALSE(full.actions(1).script().empty());
  EXPECT_TRUE(ranking.actions(1).script().empty());
  EXPECT_EQ(ranking.actions(1).reasons_size(), 0);
  EXPECT_THAT(Dropped(full),
              ElementsAre("tips/cap", "chat_only/channel", "tips/cap"));
  // Two rules offering one action share contact policy's verdict.
  EXPECT_EQ(full.dropped(2).detail(), full.dropped(0).detail());
  EXPECT_THAT(full.dropped(0).detail(), HasSubstr("1 already"));
  // The rules' own drops go; contact policy's stay, with their detail.
  EXPECT_THAT(Dropped(ranking), ElementsAre("tips/cap", "tips/cap"));
  EXPECT_EQ(ranking.dropped(0).detail(), full.dropped(0).detail());
  EXPECT_EQ(ranking.decision_id(), full.decision_id());
}

TEST_F(RulesetTest, QuietHoursHoldOutboundNotInbound) {
  auto rules = Load(R"pb(
    actions { id: "call" }
    playbooks {
      name: "p"
      rules { action: "call" }
    }
    contact_policy {
      quiet_hours { start: "21:00" end: "08:00" time_zone_attribute: "tz" }
    }
  )pb");
  // kNowUs is 15:06 UTC, 23:06 in Asia/Singapore.
  Attribute("c-1", "tz", "Asia/Singapore");
  v1::Situation outbound = Inbound();
  outbound.set_direction(v1::OUTBOUND);
  v1::Decision d = Decide(*rules, "c-1", outbound);
  EXPECT_THAT(Dropped(d), ElementsAre("call/quiet_hours"));
  EXPECT_THAT(
      d.dropped(0).detail(),
      HasSubstr("quiet hours in Asia/Singapore until 2025-06-16 08:00"));
  EXPECT_THAT(Ranked(Decide(*rules, "c-1")), ElementsAre("call"));
  // Without the attribute: UTC, where it is afternoon.
  EXPECT_THAT(Ranked(Decide(*rules, "c-2", outbound)), ElementsAre("call"));
}

TEST_F(RulesetTest, ScriptsAndReasonsAreFilledFromTheContext) {
  auto rules = Load(R"pb(
    actions {
      id: "apology"
      script: "I am sorry, {customer.first_name|there}: {customer.strikes} problems since {situation.topic}."
    }
    playbooks {
      name: "p"
      rules {
        action: "apology"
        reason: "{customer.strikes} strikes; last contact {last_contact.outcome}"
      }
    }
  )pb");
  Contact("c-1", kDayUs, v1::UNRESOLVED);
  Attribute("c-1", "first_name", "Ada");
  const v1::Decision d = Decide(*rules, "c-1");
  ASSERT_EQ(d.actions_size(), 1);
  EXPECT_EQ(d.actions(0).script(),
            "I am sorry, Ada: 1 problems since billing.");
  EXPECT_EQ(d.actions(0).reasons(0), "1 strikes; last contact unresolved");
  EXPECT_EQ(Decide(*rules, "c-2").actions(0).script(),
            "I am sorry, there: 0 problems since billing.");
}

TEST_F(RulesetTest, TheSameInputsGiveTheSameDecision) {
  auto rules = Load(kTwoOffers);
  Contact("c-1", kDayUs, v1::RESOLVED);
  const v1::Decision first = Decide(*rules, "c-1");
  const v1::Decision second = Decide(*rules, "c-1");
  EXPECT_TRUE(MessageDifferencer::Equals(first, second));
  EXPECT_THAT(first.decision_id(), ::testing::MatchesRegex("d-[0-9a-f]{32}"));
  EXPECT_EQ(first.ruleset_version(), "v1");
  EXPECT_EQ(first.customer_id(), "c-1");
  // Another situation, customer or time is another decision.
  EXPECT_NE(Decide(*rules, "c-2").decision_id(), first.decision_id());
  EXPECT_NE(Decide(*rules, "c-1", Inbound(v1::CHAT)).decision_id(),
            first.decision_id());
  v1::Situation later = Inbound();
  *later.mutable_time() = model::FromUnixMicros(kNowUs + 1);
  EXPECT_NE(Decide(*rules, "c-1", later).decision_id(), first.decision_id());
}

// Decide writes the trace over the entries of a Decision the caller reuses
// (the C ABI's thread-local one): what it writes must not depend on what the
// Decision held before, longer or shorter.
TEST_F(RulesetTest, AReusedDecisionEqualsAFreshOne) {
  auto rules = Load(R"pb(
    actions {
      id: "upgrade"
      group: "upsell"
      channels: [ CHAT ]
    }
    actions { id: "tips" group: "education" }
    actions { id: "sorry" }
    playbooks {
      name: "inbound"
      rules { action: "upgrade" }
      rules { action: "tips" eligibility: "customer.strikes == 0" }
      rules { name: "again" action: "tips" }
      rules { action: "sorry" suitability: "customer.strikes > 0" }
    }
    contact_policy { max_results: 1 }
  )pb");
  Contact("c-1", kDayUs, v1::UNRESOLVED, -0.8);
  Contact("c-1", 2 * kDayUs, v1::UNRESOLVED, -0.8);
  v1::Decision reused;
  for (const char* customer : {"c-1", "c-2", "c-1", "c-3"}) {
    for (v1::Channel channel : {v1::VOICE, v1::CHAT}) {
      v1::Situation situation = Inbound(channel);
      *situation.mutable_time() = model::FromUnixMicros(kNowUs);
      store_.Visit(customer, kNowUs, [&](const state::CustomerState& state) {
        ASSERT_TRUE(
            rules->Decide(customer, situation, state, store_, &reused).ok());
      });
      const v1::Decision fresh = Decide(*rules, customer, situation);
      EXPECT_GT(fresh.dropped_size(), 0);
      EXPECT_EQ(reused.SerializeAsString(), fresh.SerializeAsString())
          << customer << " on " << v1::Channel_Name(channel);
    }
  }
}

// A trace is read after its decision, maybe after the caller let go of
// the ruleset (an engine swapped in a new one): the trace keeps it until
// it is cleared or reused.
TEST_F(RulesetTest, ATraceKeepsItsRulesetUntilClearedOrReused) {
  auto rules = Load(R"pb(
    actions {
      id: "upgrade"
      channels: [ CHAT ]
    }
    playbooks {
      name: "inbound"
      rules { name: "offer" action: "upgrade" }
    }
  )pb");
  v1::Situation situation = Inbound(v1::VOICE);
  *situation.mutable_time() = model::FromUnixMicros(kNowUs);
  v1::Decision decision;
  Ruleset::Trace trace;
  store_.Visit("c-1", kNowUs, [&](const state::CustomerState& state) {
    ASSERT_TRUE(
        rules->Decide("c-1", situation, state, store_, &decision, &trace).ok());
  });
  const std::weak_ptr<const Ruleset> weak = rules;
  rules.reset();
  ASSERT_FALSE(weak.expired());
  trace.AppendTo(decision.mutable_dropped());
  EXPECT_THAT(Dropped(decision), ElementsAre("upgrade/channel"));
  std::string bytes;
  EXPECT_EQ(trace.Serialize(decision, &bytes).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(decision.dropped(0).rule(), "offer");
  EXPECT_EQ(decision.dropped(0).detail(), "not offered on voice");

  auto other = Load(R"pb(actions { id: "tips" })pb");
  store_.Visit("c-1", kNowUs, [&](const state::CustomerState& state) {
    ASSERT_TRUE(
        other->Decide("c-1", situation, state, store_, &decision, &trace).ok());
  });
  EXPECT_TRUE(weak.expired());
  EXPECT_EQ(trace.size(), 0u);

  const std::weak_ptr<const Ruleset> weak_other = other;
  other.reset();
  ASSERT_FALSE(weak_other.expired());
  trace.Clear();
  EXPECT_TRUE(weak_other.expired());
}

TEST_F(RulesetTest, VersionDefaultsToADigestOfTheText) {
  auto a = Load("actions { id: \"a\" }");
  auto b = Load("actions { id: \"b\" }");
  EXPECT_THAT(a->version(), ::testing::MatchesRegex("sha-[0-9a-f]{16}"));
  EXPECT_NE(a->version(), b->version());
  EXPECT_EQ(a->version(), Load("actions { id: \"a\" }")->version());
}

TEST_F(RulesetTest, ProactiveRulesAreOnOrOffForTheCustomer) {
  auto rules = Load(R"pb(
    actions { id: "follow_up" }
    actions { id: "listen" }
    playbooks {
      name: "inbound"
      rules { action: "listen" }
    }
    playbooks {
      name: "detractor"
      proactive: true
      rules {
        action: "follow_up"
        eligibility: "has(customer.nps) && customer.nps <= 6"
      }
      rules {
        name: "surveyed"
        action: "follow_up"
        eligibility: "event.type == 'survey'"
      }
    }
  )pb");
  ASSERT_TRUE(rules->has_proactive());
  v1::Event survey;
  survey.set_event_id("s-1");
  survey.set_customer_id("c-1");
  survey.set_type("survey");
  survey.set_channel(v1::SURVEY);
  survey.set_nps(3);
  *survey.mutable_occurred_at() = model::FromUnixMicros(kNowUs - kDayUs);
  const v1::Event* seen = &survey;
  auto bits = [&]() {
    uint64_t on = 0;
    store_.Visit("c-1", kNowUs, [&](const state::CustomerState& c) {
      on = rules->Proactive("c-1", survey, seen, kNowUs, c, store_);
    });
    return on;
  };
  EXPECT_EQ(bits(), 0b10u);  // Not a detractor yet; the event is a survey.
  Add(survey);
  EXPECT_EQ(bits(), 0b11u);
  // Before an event is folded in, `event` is unbound: rules on it are off.
  seen = nullptr;
  EXPECT_EQ(bits(), 0b01u);
  // Decide never proposes proactive rules.
  EXPECT_THAT(Ranked(Decide(*rules, "c-1")), ElementsAre("listen"));
  std::vector<v1::Alert> alerts;
  store_.Visit("c-1", kNowUs, [&](const state::CustomerState& c) {
    rules->Alerts("c-1", survey, kNowUs, 0b01, c, store_, &alerts);
  });
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].playbook(), "detractor");
  EXPECT_EQ(alerts[0].rule(), "follow_up");
  EXPECT_EQ(alerts[0].action().action(), "follow_up");
  EXPECT_EQ(alerts[0].event_id(), "s-1");
  EXPECT_EQ(model::ToUnixMicros(alerts[0].deliver_after()), kNowUs);
}

// A rule that would build more than an evaluation may is cut while it
// runs: it does not hold, and the trace names the limit. One whose
// constants alone pass a limit is refused when the ruleset loads.
TEST_F(RulesetTest, RunawayRulesAreCutWithAClearError) {
  Attribute("c-1", "note", std::string(1000, 'n'));
  // 5000 strings of 1001 bytes: 5 MB, past the 4 MiB budget.
  const std::string ones =
      absl::StrCat("[", absl::StrJoin(std::vector<int>(5000, 1), ","), "]");
  const std::string runaway =
      absl::StrCat(ones, ".map(i, customer.attributes.note + 'x').size() > 0");
  // Not a "pb" raw string: clang-format would move its lines.
  auto rules =
      Load(absl::StrCat("actions { id: \"runaway\" }\n"
                        "actions { id: \"fine\" }\n"
                        "playbooks {\n"
                        "  name: \"p\"\n"
                        "  rules { action: \"fine\" }\n"
                        "  rules { action: \"runaway\" eligibility: \"",
                        runaway, "\" }\n}\n"));
  ASSERT_NE(rules, nullptr);
  const v1::Decision d = Decide(*rules, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre("fine"));
  EXPECT_THAT(Dropped(d), ElementsAre("runaway/eligibility"));
  EXPECT_THAT(d.dropped(0).detail(),
              HasSubstr(": evaluation exceeds its memory limit "
                        "(max_evaluation_bytes: 4194304): "));

  const std::string x17 = ".replace('', 'xxxxxxxxxxxxxxxx')";
  absl::Status s = LoadError(absl::StrCat(
      "actions { id: \"a\" }\n"
      "playbooks { name: \"p\" rules { action: \"a\" eligibility: \"'x'",
      x17, x17, x17, x17, x17, ".size() > 0\" } }\n"));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("playbooks[0].rules[0].eligibility"));
  EXPECT_THAT(s.message(), HasSubstr("result exceeds the size limit "
                                     "(max_result_bytes: 1048576)"));
}

TEST_F(RulesetTest, ErrorsNameTheFileLineAndField) {
  // Not a "pb" raw string: clang-format would move its lines.
  absl::Status s = LoadError(
      "actions { id: \"a\" }\n"
      "playbooks {\n"
      "  name: \"p\"\n"
      "  rules {\n"
      "    action: \"a\"\n"
      "    eligibility: \"customer.strikes >\"\n"
      "  }\n"
      "}\n");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(
      s.message(),
      HasSubstr("test.textproto:6:5: playbooks[0].rules[0].eligibility"));
  EXPECT_EQ(base::ErrorField(s), "playbooks[0].rules[0].eligibility");

  // A wrong type is refused when the ruleset loads, not when a customer
  // calls: the context's fields have their types, the situation's too.
  s = LoadError(
      "actions { id: \"a\" }\n"
      "playbooks {\n"
      "  name: \"p\"\n"
      "  rules { action: \"a\" eligibility: \"customer.strikes >= 'two'\" "
      "}\n"
      "}\n");
  EXPECT_THAT(s.message(), HasSubstr("playbooks[0].rules[0].eligibility"));
  EXPECT_THAT(s.message(),
              HasSubstr("line 1, column 18: found no matching overload for "
                        "'_>=_' applied to '(int, string)'"));
  EXPECT_THAT(LoadError("actions { id: \"a\" }\nplaybooks { name: \"p\" "
                        "rules { action: \"a\" applicability: "
                        "\"situation.chanel == 'voice'\" } }")
                  .message(),
              HasSubstr("undefined field 'chanel' of situation"));

  s = LoadError(
      "actions { id: \"a\" }\nplaybooks { name: \"p\" rules { action: \"b\" } "
      "}");
  EXPECT_THAT(s.message(),
              HasSubstr("test.textproto:2:31: playbooks[0].rules[0].action: "
                        "no action \"b\""));
  // Syntax errors are parse errors with their position.
  s = LoadError("actions { id: \"a\" \n bogus: 1 }");
  EXPECT_TRUE(base::IsParseError(s));
  EXPECT_THAT(s.message(), HasSubstr("test.textproto:2:"));

  EXPECT_THAT(LoadError("actions { id: \"A b\" }").message(),
              HasSubstr("actions[0].id: \"A b\" is not an id"));
  EXPECT_THAT(
      LoadError("actions { id: \"a\" }\nactions { id: \"a\" }").message(),
      HasSubstr("test.textproto:2:11: actions[1].id: action \"a\" is declared "
                "twice"));
  EXPECT_THAT(LoadError("actions { id: \"a\" value: 0 }").message(),
              HasSubstr("actions[0].value: must be > 0"));
  EXPECT_THAT(LoadError("actions { id: \"a\" script: \"{nope}\" }").message(),
              HasSubstr("actions[0].script: placeholder {nope}"));
  EXPECT_THAT(
      LoadError(R"pb(actions { id: "a" }
                     playbooks {
                       name: "p"
                       rules { action: "a" suitability: "customer.strikes + 1" }
                     })pb")
          .message(),
      HasSubstr("must be a bool expression, not int"));
  EXPECT_THAT(LoadError(R"pb(actions { id: "a" }
                             playbooks {
                               name: "p"
                               rules { action: "a" weight: "'high'" }
                             })pb")
                  .message(),
              HasSubstr("weight: must be a number, not string"));
  EXPECT_THAT(LoadError(R"pb(actions { id: "a" }
                             playbooks {
                               name: "p"
                               rules { action: "a" }
                               rules { action: "a" }
                             })pb")
                  .message(),
              HasSubstr("rule \"a\" is declared twice"));
  EXPECT_THAT(
      LoadError("actions { id: \"a\" }\narbitration { weights { action: \"a\" "
                "group: \"g\" } }")
          .message(),
      HasSubstr("arbitration.weights[0]: names one action or one group"));
  EXPECT_THAT(LoadError("arbitration { weights { action: \"zz\" lever: 1 } }")
                  .message(),
              HasSubstr("arbitration.weights[0].action: no action \"zz\""));
  EXPECT_THAT(LoadError("contact_policy {\n caps { max: 1 window: \"3q\" } }")
                  .message(),
              HasSubstr("test.textproto:2:16: contact_policy.caps[0].window"));
  EXPECT_THAT(LoadError("playbooks { name: \"p\" }").message(),
              HasSubstr("playbooks[0]: has no rules"));
}

TEST_F(RulesetTest, JsonIsAcceptedAndItsErrorsNameTheFile) {
  auto rules = Load(R"({"version": "j1",
    "actions": [{"id": "a", "channels": ["voice"]}],
    "playbooks": [{"name": "p", "rules": [{"action": "a"}]}]})");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ(rules->version(), "j1");
  EXPECT_THAT(Ranked(Decide(*rules, "c-1")), ElementsAre("a"));
  absl::Status s = LoadError(R"({"actions": [{"id": 5, "bogus": 1}]})");
  EXPECT_THAT(s.message(), HasSubstr("test.textproto"));
  s = LoadError(R"({"actions": [{"id": "a"}], "playbooks": [{"name": "p",
      "rules": [{"action": "b"}]}]})");
  EXPECT_THAT(s.message(),
              HasSubstr("test.textproto: playbooks[0].rules[0].action"));
}

}  // namespace
}  // namespace motive::decide
