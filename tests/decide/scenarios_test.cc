// The sample rulesets of examples/rules/ (telecom, retail, bank), each
// played through the engine as its scenarios describe: events recorded at
// explicit times under an injected clock, then the decisions, alerts and
// contact policy that follow. Also checks that each sample compiles and that
// a broken copy fails with its file, line and field.

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "decide/ruleset.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"
#include "model/event_validation.h"
#include "state/interner.h"

namespace motive {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// The source tree's root: tests know MOTIVE_SHARED_DIR, "<root>/../shared".
std::string SourceRoot() {
  std::string shared = MOTIVE_SHARED_DIR;
  constexpr absl::string_view kSuffix = "/../shared";
  if (absl::EndsWith(shared, kSuffix)) {
    shared.resize(shared.size() - kSuffix.size());
  }
  return shared;
}

std::string ReadSample(absl::string_view name) {
  const std::string path = absl::StrCat(SourceRoot(), "/examples/rules/", name);
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Time At(absl::string_view rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error))
      << rfc3339 << ": " << error;
  return t;
}

std::vector<std::string> ActionIds(const v1::Decision& decision) {
  std::vector<std::string> ids;
  for (const v1::RankedAction& a : decision.actions()) {
    ids.push_back(a.action());
  }
  return ids;
}

const v1::RankedAction* FindAction(const v1::Decision& decision,
                                   absl::string_view action) {
  for (const v1::RankedAction& a : decision.actions()) {
    if (a.action() == action) return &a;
  }
  return nullptr;
}

// The trace entry that dropped `action`, or null.
const v1::DroppedCandidate* FindDropped(const v1::Decision& decision,
                                        absl::string_view action) {
  for (const v1::DroppedCandidate& d : decision.dropped()) {
    if (d.action() == action) return &d;
  }
  return nullptr;
}

// One sample ruleset in an in-memory engine whose clock the test moves.
class Scenario : public ::testing::Test {
 protected:
  void Open(absl::string_view sample) {
    engine::EngineOptions options;
    options.clock = [this] { return now_; };
    options.ruleset_text = ReadSample(sample);
    options.ruleset_origin = std::string(sample);
    auto engine = engine::Engine::Open(":memory:", std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  // Records one event (JSON) at its occurred_at, moving the clock there.
  void Record(const std::string& json) {
    v1::Event event;
    const absl::Status decoded =
        model::Decode(model::WireFormat::kJson, json, &event);
    ASSERT_TRUE(decoded.ok()) << decoded << "\n" << json;
    now_ = absl::FromUnixMicros(model::ToUnixMicros(event.occurred_at()));
    absl::StatusOr<bool> recorded = engine_->Record(std::move(event));
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    EXPECT_TRUE(*recorded) << "duplicate: " << json;
  }

  // Decides at `time`, moving the clock there.
  v1::Decision Decide(absl::string_view customer, absl::string_view time,
                      v1::Channel channel, absl::string_view topic,
                      v1::Direction direction = v1::INBOUND) {
    now_ = At(time);
    v1::Situation situation;
    situation.set_channel(channel);
    situation.set_topic(std::string(topic));
    situation.set_direction(direction);
    *situation.mutable_time() = model::FromUnixMicros(absl::ToUnixMicros(now_));
    v1::Decision decision;
    const absl::Status s = engine_->Decide(customer, situation, &decision);
    EXPECT_TRUE(s.ok()) << s;
    return decision;
  }

  void Feedback(const v1::Decision& decision, absl::string_view action,
                v1::FeedbackOutcome outcome, v1::Channel channel,
                absl::string_view time) {
    now_ = At(time);
    decide::Feedback feedback;
    feedback.customer_id = decision.customer_id();
    feedback.decision_id = decision.decision_id();
    feedback.action = std::string(action);
    feedback.outcome = outcome;
    feedback.channel = channel;
    feedback.time_us = absl::ToUnixMicros(now_);
    absl::StatusOr<bool> recorded = engine_->RecordFeedback(feedback);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    EXPECT_TRUE(*recorded);
  }

  // The alerts due at `time` (the clock moves there).
  std::vector<v1::Alert> Poll(absl::string_view time) {
    now_ = At(time);
    std::vector<v1::Alert> alerts;
    engine_->PollAlerts(100, &alerts);
    return alerts;
  }

  absl::Time now_ = At("2025-01-01T00:00:00Z");
  std::unique_ptr<engine::Engine> engine_;
};

// --- every sample compiles; broken copies fail where they break -------------

TEST(SampleRulesets, EachCompiles) {
  for (const char* name :
       {"telecom.textproto", "retail.textproto", "bank.textproto"}) {
    SCOPED_TRACE(name);
    state::Interner strings;
    auto rules = decide::Ruleset::Compile(ReadSample(name), name, strings);
    ASSERT_TRUE(rules.ok()) << rules.status();
    EXPECT_GE((*rules)->rule_count(), 4u);
    EXPECT_GE((*rules)->action_count(), 5u);
    EXPECT_FALSE((*rules)->version().empty());
    EXPECT_FALSE((*rules)->metrics().empty());
  }
}

TEST(SampleRulesets, ProactivePlaybooksWhereTheScenariosNeedThem) {
  state::Interner strings;
  auto telecom = decide::Ruleset::Compile(ReadSample("telecom.textproto"),
                                          "telecom.textproto", strings);
  auto retail = decide::Ruleset::Compile(ReadSample("retail.textproto"),
                                         "retail.textproto", strings);
  auto bank = decide::Ruleset::Compile(ReadSample("bank.textproto"),
                                       "bank.textproto", strings);
  ASSERT_TRUE(telecom.ok() && retail.ok() && bank.ok());
  EXPECT_TRUE((*telecom)->has_proactive());
  EXPECT_TRUE((*retail)->has_proactive());
  EXPECT_FALSE((*bank)->has_proactive());
}

// The 1-based line of the first occurrence of `needle` in `text`.
int LineOf(absl::string_view text, absl::string_view needle) {
  const size_t at = text.find(needle);
  EXPECT_NE(at, absl::string_view::npos) << needle;
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

TEST(SampleRulesets, UnknownActionNamesFileLineAndField) {
  std::string text = ReadSample("telecom.textproto");
  // The rule of the second playbook (repeat_unresolved); actions declare
  // theirs with `id:`, so this is the rule's reference.
  const std::string reference = "    action: \"senior_agent_handoff\"";
  const int line = LineOf(text, reference);
  text.replace(text.find(reference), reference.size(),
               "    action: \"senior_agent\"");
  state::Interner strings;
  auto rules = decide::Ruleset::Compile(text, "telecom.textproto", strings);
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr(absl::StrCat("telecom.textproto:", line, ":5: ")));
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr("playbooks[1].rules[0].action"));
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr("no action \"senior_agent\""));
}

TEST(SampleRulesets, BrokenConditionNamesFileLineAndField) {
  std::string text = ReadSample("bank.textproto");
  const std::string condition = "metrics.card_spend_30d >= 1500.0";
  const int line = LineOf(text, condition);
  text.replace(text.find(condition), condition.size(),
               "metrics.card_spend_30d >= ");
  state::Interner strings;
  auto rules = decide::Ruleset::Compile(text, "bank.textproto", strings);
  ASSERT_FALSE(rules.ok());
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr(absl::StrCat("bank.textproto:", line, ":")));
  EXPECT_THAT(std::string(rules.status().message()),
              HasSubstr("playbooks[2].rules[0].applicability"));
}

TEST(SampleRulesets, BadPolicyNamesTheField) {
  std::string text = ReadSample("retail.textproto");
  const std::string zone = "default_time_zone: \"Europe/Paris\"";
  const int line = LineOf(text, zone);
  text.replace(text.find(zone), zone.size(),
               "default_time_zone: \"Europe/Atlantis\"");
  state::Interner strings;
  auto rules = decide::Ruleset::Compile(text, "retail.textproto", strings);
  ASSERT_FALSE(rules.ok());
  const std::string message(rules.status().message());
  EXPECT_THAT(message,
              HasSubstr("contact_policy.quiet_hours.default_time_zone"));
  EXPECT_THAT(message, HasSubstr("Europe/Atlantis"));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("retail.textproto:", line, ":")));
}

TEST_F(Scenario, FailedReloadKeepsTheSample) {
  Open("bank.textproto");
  EXPECT_EQ(engine_->RulesetVersion(), "bank-2025.1");
  std::string broken = ReadSample("bank.textproto");
  absl::StrReplaceAll({{"action: \"reassure\"", "action: \"calm\""}}, &broken);
  const absl::Status s = engine_->LoadRuleset(broken, "bank.textproto");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("no action \"calm\""));
  EXPECT_EQ(engine_->RulesetVersion(), "bank-2025.1");
}

// --- telecom -----------------------------------------------------------------

// A customer with a basic plan whose contract ends on 2025-04-15.
constexpr absl::string_view kAnaSignup =
    R"({"customer_id":"ana","type":"signup","channel":"web",
        "occurred_at":"2024-12-01T10:00:00Z","value":9.99,"currency":"EUR",
        "attributes":{"first_name":"Ana","plan":"basic","billing":"monthly",
                      "contract_end":"2025-04-15T00:00:00Z",
                      "time_zone":"Europe/Madrid"}})";

TEST_F(Scenario, TelecomSecondBadExperienceRecoversBeforeTheThird) {
  Open("telecom.textproto");
  Record(std::string(kAnaSignup));
  // First bad experience: a very negative call.
  Record(R"({"customer_id":"ana","type":"contact","channel":"voice",
             "occurred_at":"2025-01-20T10:00:00Z","topic":"billing",
             "outcome":"resolved","sentiment":-0.7})");

  // One strike: no service recovery yet, but no upgrade either.
  v1::Decision one =
      Decide("ana", "2025-02-01T10:00:00Z", v1::VOICE, "account");
  EXPECT_EQ(FindAction(one, "service_recovery_credit"), nullptr);
  EXPECT_THAT(one.playbooks(), Not(Contains("second_bad_experience")));

  // The second: an unresolved chat about another topic.
  Record(R"({"customer_id":"ana","type":"contact","channel":"chat",
             "occurred_at":"2025-02-20T10:00:00Z","topic":"technical_issue",
             "outcome":"unresolved"})");

  v1::Decision d = Decide("ana", "2025-03-03T10:00:00Z", v1::VOICE, "billing");
  EXPECT_EQ(d.ruleset_version(), "telecom-2025.1");
  EXPECT_THAT(d.playbooks(), ElementsAre("second_bad_experience",
                                         "contract_ending", "billing_help"));
  // Service recovery first (tier 100), whatever the offers score.
  EXPECT_THAT(ActionIds(d), ElementsAre("service_recovery_credit",
                                        "loyalty_renewal", "app_bill_view"));
  const v1::RankedAction& recovery = d.actions(0);
  EXPECT_EQ(recovery.tier(), 100);
  EXPECT_TRUE(recovery.service());
  EXPECT_EQ(recovery.playbook(), "second_bad_experience");
  EXPECT_EQ(recovery.rule(), "recover_before_third");
  EXPECT_THAT(recovery.script(), StartsWith("Before anything else, Ana: "));
  EXPECT_THAT(recovery.script(), HasSubstr("(2 problems in the last 90 days)"));
  EXPECT_THAT(recovery.script(), HasSubstr("on the basic plan"));
  ASSERT_GE(recovery.reasons_size(), 2);
  EXPECT_EQ(recovery.reasons(0),
            "2 bad experiences in 90 days (last contact: technical_issue): a "
            "third is the one that makes customers leave");
  EXPECT_EQ(recovery.reasons(1),
            "playbook second_bad_experience: customer.strikes >= 2");

  // The upgrade is planned for this moment (the contract ends in 43 days)
  // but not after a bad experience: the trace names the rule and stage.
  const v1::DroppedCandidate* upgrade = FindDropped(d, "upgrade_offer");
  ASSERT_NE(upgrade, nullptr);
  EXPECT_EQ(upgrade->playbook(), "contract_ending");
  EXPECT_EQ(upgrade->rule(), "upgrade");
  EXPECT_EQ(upgrade->stage(), "suitability");
  EXPECT_EQ(upgrade->detail(), "customer.strikes == 0 is false");

  // Past the third (an abandoned call), recovery still comes first.
  Record(R"({"customer_id":"ana","type":"contact","channel":"voice",
             "occurred_at":"2025-03-05T10:00:00Z","topic":"billing",
             "outcome":"abandoned"})");
  v1::Decision third =
      Decide("ana", "2025-03-06T10:00:00Z", v1::VOICE, "account");
  ASSERT_FALSE(third.actions().empty());
  EXPECT_EQ(third.actions(0).action(), "service_recovery_credit");
  EXPECT_THAT(third.actions(0).script(),
              HasSubstr("(3 problems in the last 90 days)"));
  EXPECT_EQ(third.actions(0).reasons(0),
            "3 bad experiences in 90 days (last contact: billing): at risk of "
            "leaving now");
}

TEST_F(Scenario, TelecomRepeatContactGoesToASeniorAgentWithAnApology) {
  Open("telecom.textproto");
  Record(R"({"customer_id":"ben","type":"signup","channel":"web",
             "occurred_at":"2025-01-05T10:00:00Z","value":39.99,
             "currency":"EUR",
             "attributes":{"first_name":"Ben","plan":"premium"}})");
  Record(R"({"customer_id":"ben","type":"contact","channel":"chat",
             "occurred_at":"2025-03-01T15:00:00Z","topic":"technical_issue",
             "outcome":"unresolved","agent_id":"a17"})");

  v1::Decision d =
      Decide("ben", "2025-03-03T09:30:00Z", v1::VOICE, "technical_issue");
  ASSERT_FALSE(d.actions().empty());
  const v1::RankedAction& handoff = d.actions(0);
  EXPECT_EQ(handoff.action(), "senior_agent_handoff");
  EXPECT_EQ(handoff.tier(), 50);
  EXPECT_THAT(handoff.script(),
              HasSubstr("\"Ben, I am sorry that your technical_issue problem "
                        "was not solved when you contacted us on 2025-03-01. "
                        "I have the notes of that chat contact"));
  EXPECT_EQ(handoff.reasons(0),
            "second contact about technical_issue; the last one ended "
            "unresolved");

  // Another topic is not a repeat; e-mail is not where the handoff happens.
  EXPECT_EQ(
      FindAction(Decide("ben", "2025-03-03T09:31:00Z", v1::VOICE, "billing"),
                 "senior_agent_handoff"),
      nullptr);
  v1::Decision by_mail =
      Decide("ben", "2025-03-03T09:32:00Z", v1::EMAIL, "technical_issue");
  EXPECT_THAT(by_mail.playbooks(), Not(Contains("repeat_unresolved")));

  // Once the issue is resolved, the next contact on it is ordinary.
  Record(R"({"customer_id":"ben","type":"contact","channel":"voice",
             "occurred_at":"2025-03-03T10:00:00Z","topic":"technical_issue",
             "outcome":"resolved","sentiment":0.4})");
  EXPECT_EQ(FindAction(Decide("ben", "2025-03-05T10:00:00Z", v1::VOICE,
                              "technical_issue"),
                       "senior_agent_handoff"),
            nullptr);
}

// A plus customer since 2023 whose contract ends on 2025-04-30.
constexpr absl::string_view kChloeSignup =
    R"({"customer_id":"chloe","type":"signup","channel":"store",
        "occurred_at":"2023-04-10T10:00:00Z","value":199.9,"currency":"EUR",
        "attributes":{"first_name":"Chloe","plan":"plus","billing":"annual",
                      "contract_end":"2025-04-30T00:00:00Z"}})";
constexpr absl::string_view kChloeRenewal =
    R"({"customer_id":"chloe","type":"renewal","channel":"other",
        "occurred_at":"2024-04-10T10:00:00Z","value":199.9,"currency":"EUR",
        "attributes":{"plan":"plus"}})";

TEST_F(Scenario, TelecomUpgradeNearContractEndIsArbitratedAndCapped) {
  Open("telecom.textproto");
  Record(std::string(kChloeSignup));
  Record(std::string(kChloeRenewal));

  // 88 days before the end: not yet.
  v1::Decision early =
      Decide("chloe", "2025-02-01T10:00:00Z", v1::CHAT, "account");
  ASSERT_NE(FindDropped(early, "upgrade_offer"), nullptr);
  EXPECT_EQ(FindDropped(early, "upgrade_offer")->stage(), "applicability");
  EXPECT_THAT(ActionIds(early), IsEmpty());

  // 58 days before: renewal (tier 10) then upgrade (tier 0).
  v1::Decision d = Decide("chloe", "2025-03-03T10:00:00Z", v1::CHAT, "account");
  EXPECT_THAT(ActionIds(d), ElementsAre("loyalty_renewal", "upgrade_offer"));
  const v1::RankedAction* upgrade = FindAction(d, "upgrade_offer");
  ASSERT_NE(upgrade, nullptr);
  EXPECT_EQ(upgrade->script(),
            "Offer Premium to Chloe (now on plus): 24 months, the first three "
            "at today's price. They spent 199.90 with us this year.");
  EXPECT_EQ(upgrade->reasons(0),
            "the contract ends on 2025-04-30; no bad experience in 90 days");
  // priority = propensity x context weight x value x lever, with the
  // sample's prior of 1 accept in 4 and no weight for upsell.
  EXPECT_DOUBLE_EQ(upgrade->score().propensity(), 0.25);
  EXPECT_DOUBLE_EQ(upgrade->score().context_weight(), 1.0);
  EXPECT_DOUBLE_EQ(upgrade->score().value(), 3.0);
  EXPECT_DOUBLE_EQ(upgrade->score().lever(), 1.0);
  EXPECT_DOUBLE_EQ(upgrade->score().priority(), 0.75);
  const v1::RankedAction* renewal = FindAction(d, "loyalty_renewal");
  ASSERT_NE(renewal, nullptr);
  // The rule's weight expression (1 + 2 x churn risk) replaces the group's
  // context weight; the group's lever stays.
  EXPECT_GT(renewal->score().context_weight(), 1.0);
  EXPECT_DOUBLE_EQ(renewal->score().lever(), 1.2);
  EXPECT_DOUBLE_EQ(renewal->score().priority(),
                   0.25 * renewal->score().context_weight() * 2.0 * 1.2);

  // Asked about an upgrade, two playbooks propose it: the first rule in the
  // file stays, the other is traced as a duplicate.
  v1::Decision asked =
      Decide("chloe", "2025-03-03T10:01:00Z", v1::CHAT, "upgrade");
  EXPECT_THAT(asked.playbooks(),
              ElementsAre("contract_ending", "upgrade_request"));
  EXPECT_THAT(ActionIds(asked),
              ElementsAre("loyalty_renewal", "upgrade_offer"));
  EXPECT_EQ(FindAction(asked, "upgrade_offer")->playbook(), "contract_ending");
  const v1::DroppedCandidate* duplicate = FindDropped(asked, "upgrade_offer");
  ASSERT_NE(duplicate, nullptr);
  EXPECT_EQ(duplicate->playbook(), "upgrade_request");
  EXPECT_EQ(duplicate->rule(), "asked");
  EXPECT_EQ(duplicate->stage(), "duplicate");

  // The agent offers both at 10:05; a week later both groups are capped.
  Feedback(d, "upgrade_offer", v1::OFFERED, v1::CHAT, "2025-03-03T10:05:00Z");
  Feedback(d, "loyalty_renewal", v1::OFFERED, v1::CHAT, "2025-03-03T10:05:00Z");
  v1::Decision capped =
      Decide("chloe", "2025-03-10T10:00:00Z", v1::CHAT, "account");
  EXPECT_THAT(ActionIds(capped), IsEmpty());
  const v1::DroppedCandidate* cap = FindDropped(capped, "upgrade_offer");
  ASSERT_NE(cap, nullptr);
  EXPECT_EQ(cap->stage(), "cap");
  EXPECT_EQ(cap->rule(), "upgrade");
  EXPECT_EQ(cap->detail(), "at most 1 offer of group upsell in 30d: 1 already");
  EXPECT_EQ(FindDropped(capped, "loyalty_renewal")->stage(), "cap");

  // The window is 30 days back from the decision, exclusive.
  EXPECT_EQ(
      FindDropped(Decide("chloe", "2025-04-02T10:04:59Z", v1::CHAT, "account"),
                  "upgrade_offer")
          ->stage(),
      "cap");
  EXPECT_NE(
      FindAction(Decide("chloe", "2025-04-02T10:05:00Z", v1::CHAT, "account"),
                 "upgrade_offer"),
      nullptr);

  // Never after a bad experience.
  Record(R"({"customer_id":"chloe","type":"contact","channel":"voice",
             "occurred_at":"2025-04-03T10:00:00Z","topic":"billing",
             "outcome":"resolved","hold_ms":900000,"duration_ms":1500000})");
  v1::Decision after =
      Decide("chloe", "2025-04-04T10:00:00Z", v1::CHAT, "account");
  ASSERT_NE(FindDropped(after, "upgrade_offer"), nullptr);
  EXPECT_EQ(FindDropped(after, "upgrade_offer")->stage(), "suitability");
  EXPECT_NE(FindAction(after, "loyalty_renewal"), nullptr);
}

TEST_F(Scenario, TelecomCoolOffAfterTwoRejections) {
  Open("telecom.textproto");
  Record(R"({"customer_id":"dev","type":"signup","channel":"web",
             "occurred_at":"2025-01-01T10:00:00Z",
             "attributes":{"first_name":"Dev","plan":"basic"}})");
  Record(R"({"customer_id":"dev","type":"contact","channel":"voice",
             "occurred_at":"2025-02-01T10:00:00Z","topic":"billing",
             "outcome":"resolved"})");

  v1::Decision first =
      Decide("dev", "2025-03-03T10:00:00Z", v1::VOICE, "billing");
  const v1::RankedAction* tip = FindAction(first, "app_bill_view");
  ASSERT_NE(tip, nullptr);
  EXPECT_THAT(tip->script(), HasSubstr("(1 about billing in 90 days)"));
  EXPECT_DOUBLE_EQ(tip->score().lever(), 0.8);
  Feedback(first, "app_bill_view", v1::OFFERED, v1::VOICE,
           "2025-03-03T10:05:00Z");
  Feedback(first, "app_bill_view", v1::REJECTED, v1::VOICE,
           "2025-03-03T10:05:00Z");

  // One rejection: still offered, and learning has lowered its propensity
  // from the prior's 1/4 to 1/5.
  v1::Decision second =
      Decide("dev", "2025-03-10T10:00:00Z", v1::VOICE, "billing");
  tip = FindAction(second, "app_bill_view");
  ASSERT_NE(tip, nullptr);
  EXPECT_DOUBLE_EQ(tip->score().propensity(), 0.2);
  Feedback(second, "app_bill_view", v1::REJECTED, v1::VOICE,
           "2025-03-10T10:05:00Z");

  // Two within 30 days: suppressed for 60 days after the second.
  v1::Decision third =
      Decide("dev", "2025-03-12T10:00:00Z", v1::VOICE, "billing");
  const v1::DroppedCandidate* cool = FindDropped(third, "app_bill_view");
  ASSERT_NE(cool, nullptr);
  EXPECT_EQ(cool->stage(), "cool_off");
  EXPECT_EQ(cool->playbook(), "billing_help");
  EXPECT_THAT(cool->detail(), HasSubstr("until 2025-05-09T10:05:00Z"));
  // Another billing call in April keeps the tip applicable in May.
  Record(R"({"customer_id":"dev","type":"contact","channel":"voice",
             "occurred_at":"2025-04-20T10:00:00Z","topic":"billing",
             "outcome":"resolved"})");
  EXPECT_EQ(
      FindDropped(Decide("dev", "2025-05-09T10:04:59Z", v1::VOICE, "billing"),
                  "app_bill_view")
          ->stage(),
      "cool_off");
  EXPECT_NE(
      FindAction(Decide("dev", "2025-05-09T10:05:00Z", v1::VOICE, "billing"),
                 "app_bill_view"),
      nullptr);
}

TEST_F(Scenario, TelecomDetractorCallWaitsForMorningAndFiresOncePerEdge) {
  Open("telecom.textproto");
  Record(R"({"customer_id":"eva","type":"signup","channel":"web",
             "occurred_at":"2025-01-10T15:00:00Z",
             "attributes":{"first_name":"Eva","plan":"basic",
                           "time_zone":"America/New_York"}})");
  // 20:00 in New York (UTC-5 until 9 March).
  Record(R"({"customer_id":"eva","type":"contact","channel":"voice",
             "occurred_at":"2025-03-04T01:00:00Z","topic":"billing",
             "outcome":"resolved","sentiment":0.1})");
  EXPECT_EQ(engine_->alert_counts().raised, 0u);

  // 20:30 in New York: a detractor survey, inside the quiet hours.
  Record(R"({"event_id":"survey-1","customer_id":"eva","type":"survey",
             "channel":"survey","occurred_at":"2025-03-04T01:30:00Z",
             "topic":"billing","nps":3,"csat":2})");
  EXPECT_EQ(engine_->alert_counts().raised, 1u);
  EXPECT_EQ(engine_->alert_counts().queued, 1u);
  EXPECT_THAT(Poll("2025-03-04T01:30:00Z"), IsEmpty());
  // 09:00 in New York is 14:00 UTC.
  EXPECT_THAT(Poll("2025-03-04T13:59:59Z"), IsEmpty());
  std::vector<v1::Alert> due = Poll("2025-03-04T14:00:00Z");
  ASSERT_EQ(due.size(), 1u);
  const v1::Alert& alert = due[0];
  EXPECT_EQ(alert.customer_id(), "eva");
  EXPECT_EQ(alert.playbook(), "detractor_follow_up");
  EXPECT_EQ(alert.rule(), "care_call");
  EXPECT_EQ(alert.event_id(), "survey-1");
  EXPECT_EQ(model::ToUnixMicros(alert.raised_at()),
            absl::ToUnixMicros(At("2025-03-04T01:30:00Z")));
  EXPECT_EQ(model::ToUnixMicros(alert.deliver_after()),
            absl::ToUnixMicros(At("2025-03-04T14:00:00Z")));
  EXPECT_EQ(alert.action().action(), "detractor_callback");
  EXPECT_EQ(alert.action().script(),
            "Call Eva about their survey (NPS 3) on billing: listen first, "
            "then agree on one concrete fix and a date.");
  EXPECT_EQ(alert.action().reasons(0),
            "answered NPS 3 after a billing contact");
  EXPECT_THAT(Poll("2025-03-04T14:00:00Z"), IsEmpty());

  // Still a detractor: other events and another poor survey raise nothing.
  Record(R"({"customer_id":"eva","type":"product_usage","channel":"mobile_app",
             "occurred_at":"2025-03-04T14:30:00Z"})");
  Record(R"({"customer_id":"eva","type":"survey","channel":"survey",
             "occurred_at":"2025-03-04T15:00:00Z","topic":"billing",
             "nps":2})");
  EXPECT_EQ(engine_->alert_counts().raised, 1u);
  // A promoter answer turns the rule off; the next detractor answer is a
  // new edge, raised in the daytime and due at once.
  Record(R"({"customer_id":"eva","type":"survey","channel":"survey",
             "occurred_at":"2025-03-05T15:00:00Z","topic":"account",
             "nps":9})");
  EXPECT_EQ(engine_->alert_counts().raised, 1u);
  Record(R"({"customer_id":"eva","type":"survey","channel":"survey",
             "occurred_at":"2025-03-06T17:00:00Z","topic":"account",
             "nps":4})");
  EXPECT_EQ(engine_->alert_counts().raised, 2u);
  due = Poll("2025-03-06T17:00:00Z");
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].deliver_after().seconds(), due[0].raised_at().seconds());
  EXPECT_THAT(due[0].action().script(), HasSubstr("(NPS 4) on account"));
}

// --- retail ------------------------------------------------------------------

class RetailScenario : public Scenario {
 protected:
  void SetUp() override { Open("retail.textproto"); }

  // Tyres fitted at 12,000 km; 36,000 km on them by 1 March 2025.
  void RecordTyreCustomer(absl::string_view id, absl::string_view name) {
    const std::string customer(id);
    Record(absl::StrCat(R"({"customer_id":")", customer, R"(","type":"purchase",
             "channel":"store","occurred_at":"2024-03-01T10:00:00Z",
             "value":480,"currency":"EUR",
             "attributes":{"category":"tyres","tyres_fitted_km":12000,
                           "tyre_size":"205/55 R16","first_name":")",
                        name, R"(","time_zone":"Europe/Paris"}})"));
    Record(absl::StrCat(R"({"customer_id":")", customer, R"(",
             "type":"product_usage","channel":"mobile_app",
             "occurred_at":"2025-01-15T18:00:00Z",
             "attributes":{"odometer_km":41000,"km_driven":3000}})"));
    Record(absl::StrCat(R"({"customer_id":")", customer, R"(",
             "type":"product_usage","channel":"mobile_app",
             "occurred_at":"2025-02-15T18:00:00Z",
             "attributes":{"odometer_km":44000,"km_driven":3000}})"));
    Record(absl::StrCat(R"({"customer_id":")", customer, R"(",
             "type":"product_usage","channel":"mobile_app",
             "occurred_at":"2025-03-01T18:00:00Z",
             "attributes":{"odometer_km":48000,"km_driven":4000}})"));
  }
};

TEST_F(RetailScenario, ReplenishmentFromMileageIsCappedAfterAnOffer) {
  RecordTyreCustomer("farid", "Farid");
  // 10:00 in Paris: an outbound e-mail campaign asks what to send.
  v1::Decision d =
      Decide("farid", "2025-03-03T09:00:00Z", v1::EMAIL, "", v1::OUTBOUND);
  EXPECT_THAT(ActionIds(d), ElementsAre("tyre_replenishment",
                                        "wiper_replenishment", "tread_check"));
  const v1::RankedAction& tyres = d.actions(0);
  EXPECT_EQ(tyres.script(),
            "Farid, your 205/55 R16 tyres have covered 36000 km since we "
            "fitted them, and at 10000 km per quarter they will reach the "
            "legal tread soon. Book a fitting this month and we recycle the "
            "old set for free.");
  EXPECT_EQ(tyres.reasons(0), "36000 km since fitting");
  // 1,000 km past the threshold: weight 1 + 1000 / 5000.
  EXPECT_DOUBLE_EQ(tyres.score().context_weight(), 1.2);
  EXPECT_DOUBLE_EQ(tyres.score().propensity(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(tyres.score().priority(), 1.0 / 3.0 * 1.2 * 5.0);
  // The winter campaign has not started.
  ASSERT_NE(FindDropped(d, "winter_tyres"), nullptr);
  EXPECT_EQ(FindDropped(d, "winter_tyres")->stage(), "validity");

  // The tyre offer goes out; the next day nothing of the group may follow,
  // nor another e-mail that week.
  Feedback(d, "tyre_replenishment", v1::OFFERED, v1::EMAIL,
           "2025-03-03T09:05:00Z");
  v1::Decision next =
      Decide("farid", "2025-03-04T09:00:00Z", v1::EMAIL, "", v1::OUTBOUND);
  EXPECT_THAT(ActionIds(next), IsEmpty());
  EXPECT_EQ(FindDropped(next, "tyre_replenishment")->detail(),
            "at most 1 offer of group replenishment in 30d: 1 already");
  EXPECT_EQ(FindDropped(next, "wiper_replenishment")->stage(), "cap");
  EXPECT_EQ(FindDropped(next, "tread_check")->detail(),
            "at most 1 offer of channel email in 7d: 1 already");

  // In the store the tread check is fine (two marketing offers a month).
  v1::Decision store = Decide("farid", "2025-03-04T10:00:00Z", v1::STORE, "");
  EXPECT_THAT(ActionIds(store), ElementsAre("tread_check"));
  Feedback(store, "tread_check", v1::OFFERED, v1::STORE,
           "2025-03-04T10:05:00Z");
  // Two marketing offers this month: nothing more, anywhere.
  v1::Decision full = Decide("farid", "2025-03-20T10:00:00Z", v1::STORE, "");
  EXPECT_THAT(ActionIds(full), IsEmpty());
  EXPECT_EQ(FindDropped(full, "tread_check")->detail(),
            "at most 2 offers of marketing actions in 30d: 2 already");
}

TEST_F(RetailScenario, QuietHoursHoldOutboundButNotInbound) {
  RecordTyreCustomer("gus", "Gus");
  // 22:30 in Paris.
  v1::Decision night =
      Decide("gus", "2025-03-03T21:30:00Z", v1::EMAIL, "", v1::OUTBOUND);
  EXPECT_THAT(ActionIds(night), IsEmpty());
  const v1::DroppedCandidate* held = FindDropped(night, "tyre_replenishment");
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(held->stage(), "quiet_hours");
  EXPECT_EQ(held->detail(),
            "quiet hours in Europe/Paris until 2025-03-04 08:00");
  // The customer calling at that hour is answered.
  v1::Decision call =
      Decide("gus", "2025-03-03T21:31:00Z", v1::VOICE, "", v1::INBOUND);
  EXPECT_NE(FindAction(call, "tyre_replenishment"), nullptr);
}

// A one-star review at 15:00 in Paris.
constexpr absl::string_view kGinaReview =
    R"({"event_id":"review-1","customer_id":"gina","type":"review",
        "channel":"review_site","occurred_at":"2025-03-03T14:00:00Z",
        "sentiment":-0.7,"attributes":{"rating":1}})";

TEST_F(RetailScenario, NegativeReviewComesBeforeAnyOffer) {
  RecordTyreCustomer("gina", "Gina");
  Record(std::string(kGinaReview));
  // When Gina calls, making it right comes first and no tyre is sold.
  v1::Decision d = Decide("gina", "2025-03-05T10:00:00Z", v1::VOICE, "");
  ASSERT_FALSE(d.actions().empty());
  EXPECT_EQ(d.actions(0).action(), "review_recovery");
  EXPECT_EQ(d.actions(0).tier(), 100);
  EXPECT_EQ(d.actions(0).script(),
            "Gina posted a very negative review: apologise, ask what "
            "happened, and offer a free re-fitting or a refund.");
  const v1::DroppedCandidate* tyres = FindDropped(d, "tyre_replenishment");
  ASSERT_NE(tyres, nullptr);
  EXPECT_EQ(tyres->stage(), "suitability");
  EXPECT_EQ(tyres->rule(), "tyres_worn");
}

// The zero moment of truth: each negative review or mention raises an alert
// as it arrives (the rule reads only `event`).
TEST_F(RetailScenario, NegativeReviewRaisesAnAlert) {
  RecordTyreCustomer("gina", "Gina");
  Record(std::string(kGinaReview));
  std::vector<v1::Alert> alerts = Poll("2025-03-03T14:00:00Z");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].playbook(), "negative_review");
  EXPECT_EQ(alerts[0].rule(), "answer_review");
  EXPECT_EQ(alerts[0].event_id(), "review-1");
  EXPECT_EQ(alerts[0].action().action(), "review_response");
  EXPECT_THAT(alerts[0].action().script(),
              HasSubstr("Reply to Gina within the day"));
  EXPECT_THAT(alerts[0].action().script(), HasSubstr("the 1 star experience"));
  EXPECT_EQ(alerts[0].action().reasons(0), "a review with sentiment -0.70");

  // A positive review raises nothing.
  Record(R"({"customer_id":"gina","type":"review","channel":"review_site",
             "occurred_at":"2025-03-04T14:00:00Z","sentiment":0.6,
             "attributes":{"rating":5}})");
  EXPECT_THAT(Poll("2025-03-04T14:00:00Z"), IsEmpty());

  // A negative mention at 23:00 in Paris: a new alert, held until 08:00.
  Record(R"({"event_id":"mention-1","customer_id":"gina",
             "type":"social_mention","channel":"social",
             "occurred_at":"2025-03-05T22:00:00Z","sentiment":-0.5})");
  EXPECT_THAT(Poll("2025-03-05T22:00:00Z"), IsEmpty());
  EXPECT_THAT(Poll("2025-03-06T06:59:59Z"), IsEmpty());
  alerts = Poll("2025-03-06T07:00:00Z");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event_id(), "mention-1");
  EXPECT_EQ(model::ToUnixMicros(alerts[0].deliver_after()),
            absl::ToUnixMicros(At("2025-03-06T07:00:00Z")));
}

// --- bank --------------------------------------------------------------------

class BankScenario : public Scenario {
 protected:
  void SetUp() override {
    Open("bank.textproto");
    Record(R"({"customer_id":"hana","type":"signup","channel":"store",
               "occurred_at":"2024-06-01T10:00:00Z",
               "attributes":{"first_name":"Hana","card_last4":"4242",
                             "address_city":"Leeds","segment":"standard"}})");
    for (const char* day : {"2024-12-28", "2025-01-28", "2025-02-28"}) {
      Record(absl::StrCat(R"({"customer_id":"hana","type":"deposit",
               "channel":"other","occurred_at":")",
                          day, R"(T08:00:00Z","value":3200,"currency":"GBP",
               "attributes":{"kind":"salary"}})"));
    }
    Record(R"({"customer_id":"hana","type":"purchase","channel":"other",
               "occurred_at":"2025-02-10T12:00:00Z","value":1200,
               "currency":"GBP"})");
    Record(R"({"customer_id":"hana","type":"purchase","channel":"other",
               "occurred_at":"2025-02-20T12:00:00Z","value":600,
               "currency":"GBP"})");
  }
};

TEST_F(BankScenario, EverydayContactGetsTheOffers) {
  v1::Decision d = Decide("hana", "2025-03-03T10:00:00Z", v1::VOICE, "general");
  EXPECT_THAT(ActionIds(d), ElementsAre("premium_card", "savings_account"));
  EXPECT_DOUBLE_EQ(d.actions(0).score().context_weight(), 1.2);
  EXPECT_EQ(d.actions(0).script(),
            "Hana spent 1800 on the card this month: the premium card pays 1% "
            "back on that, and travel insurance.");
}

TEST_F(BankScenario, LostCardIsBlockReplaceReassureWithNoSalesPitch) {
  v1::Decision d =
      Decide("hana", "2025-03-03T10:00:00Z", v1::VOICE, "lost_card");
  EXPECT_THAT(d.playbooks(), ElementsAre("lost_card", "everyday_banking"));
  EXPECT_THAT(ActionIds(d),
              ElementsAre("block_card", "replace_card", "reassure"));
  EXPECT_EQ(d.actions(0).tier(), 300);
  EXPECT_EQ(d.actions(1).tier(), 200);
  EXPECT_EQ(d.actions(2).tier(), 100);
  for (const v1::RankedAction& a : d.actions()) EXPECT_TRUE(a.service());
  EXPECT_EQ(d.actions(0).script(),
            "Block the card ending 4242 now, while Hana is on the line, and "
            "confirm it is blocked before anything else.");
  EXPECT_THAT(d.actions(1).script(), HasSubstr("the address in Leeds"));
  EXPECT_EQ(d.actions(0).reasons(0),
            "card reported lost: every minute it stays active is a risk");

  // Both offers were candidates (this customer qualifies for them) and the
  // trace shows suitability dropping them.
  for (const char* offer : {"premium_card", "savings_account"}) {
    SCOPED_TRACE(offer);
    const v1::DroppedCandidate* pitch = FindDropped(d, offer);
    ASSERT_NE(pitch, nullptr);
    EXPECT_EQ(pitch->playbook(), "everyday_banking");
    EXPECT_EQ(pitch->stage(), "suitability");
    EXPECT_THAT(pitch->detail(), HasSubstr("lost_card"));
    EXPECT_THAT(pitch->detail(), HasSubstr("is false"));
  }

  v1::Decision stolen =
      Decide("hana", "2025-03-03T10:01:00Z", v1::CHAT, "stolen_card");
  EXPECT_THAT(ActionIds(stolen),
              ElementsAre("block_card", "replace_card", "reassure"));
  EXPECT_THAT(stolen.actions(0).reasons(0), StartsWith("card reported stolen"));
}

TEST_F(BankScenario, DecisionsAreDeterministic) {
  v1::Decision a =
      Decide("hana", "2025-03-03T10:00:00Z", v1::VOICE, "lost_card");
  v1::Decision b =
      Decide("hana", "2025-03-03T10:00:00Z", v1::VOICE, "lost_card");
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  EXPECT_EQ(a.decision_id(), b.decision_id());
  v1::Decision c =
      Decide("hana", "2025-03-03T10:00:01Z", v1::VOICE, "lost_card");
  EXPECT_NE(a.decision_id(), c.decision_id());
}

}  // namespace
}  // namespace motive
