// Next-best action through the engine: rulesets at open and reloaded,
// feedback that survives a restart, ruleset metrics in the state, and
// proactive alerts raised once per edge, held through quiet hours.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "model/record_reader.h"
#include "tests/testing/decision_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::Dropped;
using ::motive::testing::Ranked;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kDayUs = 24 * kHourUs;
// 2025-06-15 12:00 UTC.
constexpr int64_t kStartUs = int64_t{1749988800} * 1000 * 1000;

constexpr char kRules[] = R"pb(
  version: "r1"
  metrics {
    name: "unresolved_30d"
    aggregation: COUNT
    window: "30d"
    filter: "event.outcome == 'unresolved'"
  }
  actions {
    id: "apology"
    group: "service_recovery"
    service: true
    script: "Sorry about {last_contact.topic}."
  }
  actions { id: "upgrade" group: "upsell" value: 2 }
  actions {
    id: "call_back"
    group: "service_recovery"
    service: true
    channels: [ VOICE ]
  }
  playbooks {
    name: "inbound"
    rules {
      action: "apology"
      eligibility: "metrics.unresolved_30d >= 1.0"
      priority: 1
    }
    rules { action: "upgrade" suitability: "customer.strikes == 0" }
  }
  playbooks {
    name: "recovery"
    proactive: true
    rules { action: "call_back" eligibility: "customer.strikes >= 2" }
  }
  contact_policy {
    caps { group: "upsell" max: 1 window: "30d" }
    quiet_hours { start: "21:00" end: "08:00" time_zone_attribute: "tz" }
  }
)pb";

class EngineDecideTest : public ::testing::Test {
 protected:
  EngineOptions Options(bool with_rules = true) {
    EngineOptions options;
    options.clock = [this] { return absl::FromUnixMicros(now_us_.load()); };
    options.log.durability = store::Durability::kGroup;
    if (with_rules) {
      options.ruleset_text = kRules;
      options.ruleset_origin = "rules.textproto";
    }
    return options;
  }
  std::unique_ptr<Engine> Open(const std::string& path, EngineOptions options) {
    auto engine = Engine::Open(path, std::move(options));
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  }

  // A voice contact `age_us` before now.
  void Contact(Engine& engine, const std::string& customer, v1::Outcome outcome,
               int64_t age_us = kHourUs, const std::string& tz = "") {
    v1::Event e;
    e.set_event_id(absl::StrCat("e-", ++events_));
    e.set_customer_id(customer);
    e.set_type("contact");
    e.set_channel(v1::VOICE);
    e.set_topic("billing");
    e.set_outcome(outcome);
    if (!tz.empty()) (*e.mutable_attributes())["tz"].set_string_value(tz);
    *e.mutable_occurred_at() = model::FromUnixMicros(now_us_ - age_us);
    absl::StatusOr<bool> recorded = engine.Record(std::move(e));
    ASSERT_TRUE(recorded.ok()) << recorded.status();
  }

  v1::Decision Decide(Engine& engine, const std::string& customer) {
    v1::Situation situation;
    situation.set_channel(v1::VOICE);
    situation.set_topic("billing");
    situation.set_direction(v1::INBOUND);
    v1::Decision decision;
    absl::Status s = engine.Decide(customer, situation, &decision);
    EXPECT_TRUE(s.ok()) << s;
    return decision;
  }
  std::vector<v1::Alert> Poll(Engine& engine) {
    std::vector<v1::Alert> alerts;
    engine.PollAlerts(100, &alerts);
    return alerts;
  }

  std::atomic<int64_t> now_us_{kStartUs};
  int events_ = 0;
  motive::testing::TempDir dir_;
};

TEST_F(EngineDecideTest, NoRulesetNoDecision) {
  auto engine = Open(":memory:", Options(/*with_rules=*/false));
  v1::Decision decision;
  absl::Status s = engine->Decide("c-1", v1::Situation(), &decision);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("no ruleset is loaded"));
  EXPECT_EQ(engine->RulesetVersion(), "");
  EXPECT_EQ(engine->Decide("", v1::Situation(), &decision).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(engine->LoadRuleset(kRules, "rules.textproto").ok());
  EXPECT_EQ(engine->RulesetVersion(), "r1");
  EXPECT_THAT(Ranked(Decide(*engine, "c-1")), ElementsAre("upgrade"));
}

TEST_F(EngineDecideTest, ABadRulesetChangesNothing) {
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED);
  const v1::Decision before = Decide(*engine, "c-1");
  absl::Status s = engine->LoadRuleset(
      "actions { id: \"a\" }\nplaybooks { name: \"p\" rules { action: \"nope\" "
      "} }",
      "new.textproto");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("new.textproto:2:"));
  // A metric the context configuration already has clashes.
  ASSERT_TRUE(engine
                  ->LoadContextConfig(R"pb(metrics {
                                             name: "unresolved_30d"
                                             aggregation: COUNT
                                             window: "1d"
                                           })pb")
                  .code() != absl::StatusCode::kOk);
  EXPECT_EQ(engine->RulesetVersion(), "r1");
  EXPECT_TRUE(MessageDifferencer::Equals(Decide(*engine, "c-1"), before));
  EXPECT_THAT(Ranked(before), ElementsAre("apology"));
  EXPECT_EQ(before.actions(0).script(), "Sorry about billing.");
}

TEST_F(EngineDecideTest, CheckingARulesetSaysWhatLoadingWouldAndLoadsNothing) {
  auto engine = Open(":memory:", Options(/*with_rules=*/false));
  ASSERT_TRUE(engine
                  ->LoadContextConfig("metrics { name: \"unresolved_30d\" "
                                      "aggregation: COUNT window: \"1d\" }")
                  .ok());
  // The ruleset declares a metric the context configuration has too.
  absl::Status s = engine->CheckRuleset(kRules, "rules.textproto");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("unresolved_30d"));
  EXPECT_THAT(s.message(), HasSubstr("rules.textproto"));
  EXPECT_EQ(s, engine->LoadRuleset(kRules, "rules.textproto"));
  ASSERT_TRUE(engine->LoadContextConfig("").ok());
  EXPECT_TRUE(engine->CheckRuleset(kRules, "rules.textproto").ok());
  EXPECT_EQ(engine->RulesetVersion(), "");
}

TEST_F(EngineDecideTest, ReloadingSwapsRulesAndRebuildsForNewMetrics) {
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED, 10 * kDayUs);
  EXPECT_THAT(Ranked(Decide(*engine, "c-1")), ElementsAre("apology"));
  // The same metric, another rule: a swap.
  std::string swapped(kRules);
  swapped.replace(swapped.find("version: \"r1\""), 13, "version: \"r2\"");
  swapped.replace(swapped.find("priority: 1"), 11, "priority: 0");
  ASSERT_TRUE(engine->LoadRuleset(swapped, "r2").ok());
  v1::Decision d = Decide(*engine, "c-1");
  EXPECT_EQ(d.ruleset_version(), "r2");
  // A 7-day window: the state is rebuilt and the contact is outside it.
  std::string rebuilt(swapped);
  rebuilt.replace(rebuilt.find("window: \"30d\""), 13, "window: \"7d\" ");
  ASSERT_TRUE(engine->LoadRuleset(rebuilt, "r3").ok());
  d = Decide(*engine, "c-1");
  EXPECT_THAT(Ranked(d), ElementsAre());
  EXPECT_EQ(d.dropped(0).action(), "apology");
  EXPECT_EQ(d.dropped(0).stage(), "eligibility");
  EXPECT_EQ(d.dropped(1).stage(), "suitability");
}

TEST_F(EngineDecideTest, ANewContextConfigKeepsTheRuleset) {
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED);
  const v1::Decision before = Decide(*engine, "c-1");
  // Rebuilds the state under the ruleset already loaded, which stays.
  absl::Status s = engine->LoadContextConfig(
      "metrics { name: \"calls_1d\" aggregation: COUNT window: \"1d\" }");
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(engine->RulesetVersion(), "r1");
  EXPECT_TRUE(MessageDifferencer::Equals(Decide(*engine, "c-1"), before));
}

TEST_F(EngineDecideTest, FeedbackIsDurableAndTheSameAfterARestart) {
  const std::string path = dir_.File("log.db");
  v1::Decision first;
  {
    auto engine = Open(path, Options());
    Contact(*engine, "c-1", v1::RESOLVED);
    first = Decide(*engine, "c-1");
    ASSERT_THAT(Ranked(first), ElementsAre("upgrade"));
    decide::Feedback feedback;
    feedback.customer_id = "c-1";
    feedback.decision_id = first.decision_id();
    feedback.action = "upgrade";
    feedback.outcome = v1::OFFERED;
    feedback.channel = v1::VOICE;
    absl::StatusOr<bool> recorded = engine->RecordFeedback(feedback);
    ASSERT_TRUE(recorded.ok()) << recorded.status();
    EXPECT_TRUE(*recorded);
    // The same feedback again is a duplicate.
    EXPECT_FALSE(*engine->RecordFeedback(feedback));
    feedback.outcome = v1::ACCEPTED;
    EXPECT_TRUE(*engine->RecordFeedback(feedback));
    feedback.outcome = v1::FEEDBACK_UNSPECIFIED;
    absl::StatusOr<bool> bad = engine->RecordFeedback(feedback);
    EXPECT_EQ(base::ErrorField(bad.status()), "outcome");
    feedback.outcome = v1::REJECTED;
    feedback.decision_id.clear();
    EXPECT_EQ(base::ErrorField(engine->RecordFeedback(feedback).status()),
              "decision_id");
    // The upsell cap now holds; the acceptance raised the propensity.
    const v1::Decision capped = Decide(*engine, "c-1");
    EXPECT_THAT(Ranked(capped), ElementsAre());
    EXPECT_THAT(Dropped(capped),
                ElementsAre("apology/eligibility", "upgrade/cap"));
    const v1::Decision other = Decide(*engine, "c-2");
    EXPECT_DOUBLE_EQ(other.actions(0).score().propensity(), 2.0 / 3);
    ASSERT_TRUE(engine->WriteSnapshot().ok());
  }
  auto expect_same = [&](EngineOptions options) {
    auto engine = Open(path, std::move(options));
    EXPECT_THAT(Dropped(Decide(*engine, "c-1")),
                ElementsAre("apology/eligibility", "upgrade/cap"));
    EXPECT_DOUBLE_EQ(Decide(*engine, "c-2").actions(0).score().propensity(),
                     2.0 / 3);
    EXPECT_EQ(engine->open_report().snapshot_note, "");
    return engine->open_report().from_snapshot;
  };
  EXPECT_TRUE(expect_same(Options()));
  EngineOptions replay = Options();
  replay.snapshot_path = "-";
  EXPECT_FALSE(expect_same(std::move(replay)));
}

TEST_F(EngineDecideTest, AlertsFireOncePerEdge) {
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED);
  EXPECT_TRUE(Poll(*engine).empty());  // One strike: off.
  Contact(*engine, "c-1", v1::UNRESOLVED);
  std::vector<v1::Alert> alerts = Poll(*engine);
  ASSERT_EQ(alerts.size(), 1u);  // Two: it turned on.
  EXPECT_EQ(alerts[0].customer_id(), "c-1");
  EXPECT_EQ(alerts[0].playbook(), "recovery");
  EXPECT_EQ(alerts[0].rule(), "call_back");
  EXPECT_EQ(alerts[0].action().action(), "call_back");
  // Raised as of the event that turned it on.
  EXPECT_EQ(model::ToUnixMicros(alerts[0].raised_at()), now_us_ - kHourUs);
  EXPECT_EQ(model::ToUnixMicros(alerts[0].deliver_after()), now_us_ - kHourUs);
  EXPECT_EQ(alerts[0].event_id(), absl::StrCat("e-", events_));
  // Still on: no new alert, however many events.
  Contact(*engine, "c-1", v1::UNRESOLVED);
  Contact(*engine, "c-1", v1::RESOLVED);
  EXPECT_TRUE(Poll(*engine).empty());
  // Another customer has an edge of its own.
  Contact(*engine, "c-2", v1::ABANDONED);
  Contact(*engine, "c-2", v1::ABANDONED);
  ASSERT_EQ(Poll(*engine).size(), 1u);
  // Three months on the strikes have left the window: off (no alert), then
  // on again with two new ones: a second edge.
  now_us_ += 100 * kDayUs;
  Contact(*engine, "c-1", v1::RESOLVED);
  EXPECT_TRUE(Poll(*engine).empty());
  Contact(*engine, "c-1", v1::UNRESOLVED);
  Contact(*engine, "c-1", v1::UNRESOLVED);
  EXPECT_EQ(Poll(*engine).size(), 1u);
  const Engine::AlertCounts counts = engine->alert_counts();
  EXPECT_EQ(counts.raised, 3u);
  EXPECT_EQ(counts.queued, 0u);
  EXPECT_EQ(counts.dropped, 0u);
}

TEST_F(EngineDecideTest, AnErasedCustomersAlertsAndLearningGo) {
  auto engine = Open(":memory:", Options());
  for (const char* id : {"c-1", "c-2"}) {
    Contact(*engine, id, v1::UNRESOLVED);
    Contact(*engine, id, v1::UNRESOLVED);
  }
  ASSERT_EQ(engine->alert_counts().queued, 2u);
  const v1::Decision decision = Decide(*engine, "c-1");
  ASSERT_GT(decision.actions_size(), 0);
  decide::Feedback feedback;
  feedback.customer_id = "c-1";
  feedback.decision_id = decision.decision_id();
  feedback.action = decision.actions(0).action();
  feedback.outcome = v1::ACCEPTED;
  ASSERT_TRUE(engine->RecordFeedback(feedback).ok());
  ASSERT_NE(Decide(*engine, "c-2").actions(0).score().propensity(),
            decision.actions(0).score().propensity());

  absl::StatusOr<uint64_t> erased = engine->EraseCustomer("c-1");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 3u);
  const std::vector<v1::Alert> alerts = Poll(*engine);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].customer_id(), "c-2");
  // What c-1's feedback taught is forgotten with them.
  EXPECT_EQ(Decide(*engine, "c-2").actions(0).score().propensity(),
            decision.actions(0).score().propensity());
}

TEST_F(EngineDecideTest, EveryEventOfABatchIsChecked) {
  auto engine = Open(":memory:", Options());
  // Three unresolved contacts in one batch: the second turns the rule on.
  std::string jsonl;
  for (int i = 0; i < 3; ++i) {
    absl::StrAppend(
        &jsonl, R"({"event_id": "b-)", i,
        R"(", "customer_id": "c-9", "type": "contact", )",
        R"("channel": "voice", "outcome": "unresolved", )",
        R"("occurred_at": ")",
        absl::FormatTime(absl::RFC3339_full,
                         absl::FromUnixMicros(now_us_ - (3 - i) * kHourUs),
                         absl::UTCTimeZone()),
        "\"}\n");
  }
  model::RecordReader reader(model::InputFormat::kJsonl,
                             model::WholeBuffer(jsonl));
  IngestCounts counts;
  ASSERT_TRUE(engine->Ingest(reader, {}, &counts).ok());
  EXPECT_EQ(counts.accepted, 3u);
  const std::vector<v1::Alert> alerts = Poll(*engine);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].event_id(), "b-1");
}

TEST_F(EngineDecideTest, RulesOnTheEventFireForEachMatchingEvent) {
  auto engine = Open(":memory:", Options(/*with_rules=*/false));
  ASSERT_TRUE(
      engine
          ->LoadRuleset(
              R"pb(
                actions {
                  id: "respond"
                  script: "Reply to the {event.channel} review"
                }
                playbooks {
                  name: "zero_moment"
                  proactive: true
                  rules {
                    action: "respond"
                    eligibility: "event.type == 'review' && event.sentiment < -0.2"
                  }
                }
              )pb",
              "reviews")
          .ok());
  auto review = [&](const std::string& id, double sentiment) {
    v1::Event e;
    e.set_event_id(id);
    e.set_customer_id("c-1");
    e.set_type("review");
    e.set_channel(v1::REVIEW_SITE);
    e.set_sentiment(sentiment);
    *e.mutable_occurred_at() = model::FromUnixMicros(now_us_ - kHourUs);
    ASSERT_TRUE(engine->Record(e).ok());
  };
  review("r-1", -0.8);
  review("r-2", 0.9);
  review("r-3", -0.5);
  const std::vector<v1::Alert> alerts = Poll(*engine);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].event_id(), "r-1");
  EXPECT_EQ(alerts[1].event_id(), "r-3");
  EXPECT_EQ(alerts[1].action().script(), "Reply to the review_site review");
}

TEST_F(EngineDecideTest, QuietHoursHoldAnAlertUntilMorning) {
  // The contacts at 12:59 and 13:00 UTC are at 20:59 and 21:00 in
  // Singapore: the second turns the rule on as quiet hours begin.
  now_us_ = kStartUs + 2 * kHourUs;
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED, kHourUs + 60 * 1000 * 1000,
          "Asia/Singapore");
  Contact(*engine, "c-1", v1::UNRESOLVED, kHourUs);
  EXPECT_TRUE(Poll(*engine).empty());
  EXPECT_EQ(engine->alert_counts().queued, 1u);
  // 08:00 in Singapore is 00:00 UTC the next day.
  const int64_t morning = kStartUs + 12 * kHourUs;
  now_us_ = morning - 1;
  EXPECT_TRUE(Poll(*engine).empty());
  now_us_ = morning;
  std::vector<v1::Alert> alerts = Poll(*engine);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(model::ToUnixMicros(alerts[0].deliver_after()), morning);
  EXPECT_EQ(model::ToUnixMicros(alerts[0].raised_at()), kStartUs + kHourUs);
}

TEST_F(EngineDecideTest, AnAlertJustBeforeQuietHoursIsDueAtOnce) {
  now_us_ = kStartUs + 2 * kHourUs;
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED, kHourUs + 120 * 1000 * 1000,
          "Asia/Singapore");
  // 20:59 in Singapore.
  Contact(*engine, "c-1", v1::UNRESOLVED, kHourUs + 60 * 1000 * 1000);
  EXPECT_EQ(Poll(*engine).size(), 1u);
}

TEST_F(EngineDecideTest, ACallbackTakesAlertsAsTheyAreDue) {
  auto engine = Open(":memory:", Options());
  std::vector<std::string> seen;
  engine->SetAlertCallback(
      [&](const v1::Alert& alert) { seen.push_back(alert.customer_id()); });
  Contact(*engine, "c-1", v1::UNRESOLVED);
  Contact(*engine, "c-1", v1::UNRESOLVED);
  EXPECT_THAT(seen, ElementsAre("c-1"));
  EXPECT_TRUE(Poll(*engine).empty());
  engine->SetAlertCallback(nullptr);
  Contact(*engine, "c-2", v1::UNRESOLVED);
  Contact(*engine, "c-2", v1::UNRESOLVED);
  EXPECT_THAT(seen, ElementsAre("c-1"));
  EXPECT_EQ(Poll(*engine).size(), 1u);
}

TEST_F(EngineDecideTest, DecisionsInThePastReplayTheLog) {
  auto engine = Open(":memory:", Options());
  Contact(*engine, "c-1", v1::UNRESOLVED, 2 * kDayUs);
  Contact(*engine, "c-1", v1::RESOLVED, kHourUs);
  v1::Situation situation;
  situation.set_channel(v1::VOICE);
  *situation.mutable_time() = model::FromUnixMicros(now_us_ - 3 * kDayUs);
  v1::Decision past;
  ASSERT_TRUE(engine->Decide("c-1", situation, &past).ok());
  // Before the unresolved contact: no apology, and the upgrade is suitable.
  EXPECT_THAT(Ranked(past), ElementsAre("upgrade"));
  EXPECT_THAT(Ranked(Decide(*engine, "c-1")), ElementsAre("apology"));
}

}  // namespace
}  // namespace motive::engine
