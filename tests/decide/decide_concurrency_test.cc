// Decisions while everything else happens at once: events and feedback
// recorded, rulesets reloaded (swapped, and rebuilt for new metrics),
// alerts polled. Every decision is made whole by one ruleset, and the end
// state decides exactly as an engine that replays the log. Run under TSan
// by `make tsan` (label `concurrency`).

#include <atomic>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kNowUs = int64_t{1749988800} * 1000 * 1000;  // 2025-06-15
constexpr int kCustomers = 40;

// Two versions that propose different actions, so that a decision mixing
// them would show; `window` changes the metric (and forces a rebuild).
std::string Rules(const std::string& version, const std::string& action,
                  const std::string& window) {
  // Substituted into a template ("pb" raw strings would be reformatted).
  return absl::StrReplaceAll(
      R"(
    version: "$VERSION"
    metrics { name: "unresolved" aggregation: COUNT window: "$WINDOW"
              filter: "event.outcome == 'unresolved'" }
    actions { id: "$ACTION" group: "g" }
    actions { id: "apology" service: true script: "{customer.strikes} strikes" }
    playbooks {
      name: "p"
      rules { action: "$ACTION" suitability: "customer.strikes < 3" }
      rules { action: "apology" eligibility: "metrics.unresolved >= 1.0"
              priority: 1 }
    }
    playbooks {
      name: "alerts"
      proactive: true
      rules { action: "apology" eligibility: "customer.strikes >= 2" }
    }
    contact_policy { caps { group: "g" max: 2 window: "30d" } }
  )",
      {{"$VERSION", version}, {"$ACTION", action}, {"$WINDOW", window}});
}

TEST(DecideConcurrencyTest, DecisionsStayWholeWhileRulesReloadUnderLoad) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  EngineOptions options;
  options.clock = [] { return absl::FromUnixMicros(kNowUs); };
  options.log.durability = store::Durability::kGroup;
  options.ruleset_text = Rules("v1", "offer_one", "30d");
  auto opened = Engine::Open(path, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  Engine& engine = **opened;

  std::atomic<bool> stop{false};
  std::atomic<int> decisions{0};
  std::atomic<int> torn{0};
  std::atomic<int> failures{0};
  auto decide_loop = [&](int seed) {
    std::mt19937 random(seed);
    v1::Situation situation;
    situation.set_channel(v1::VOICE);
    *situation.mutable_time() = model::FromUnixMicros(kNowUs);
    while (!stop.load()) {
      const std::string customer = absl::StrCat("c-", random() % kCustomers);
      v1::Decision d;
      if (!engine.Decide(customer, situation, &d).ok()) {
        ++failures;
        continue;
      }
      ++decisions;
      const std::string expected =
          d.ruleset_version() == "v1" ? "offer_one" : "offer_two";
      for (const v1::RankedAction& a : d.actions()) {
        if (a.action() != expected && a.action() != "apology") ++torn;
      }
      for (const v1::DroppedCandidate& c : d.dropped()) {
        if (c.action() != expected && c.action() != "apology") ++torn;
      }
    }
  };
  auto write_loop = [&] {
    std::mt19937 random(7);
    for (int i = 0; i < 600; ++i) {
      const std::string customer = absl::StrCat("c-", random() % kCustomers);
      v1::Event e;
      e.set_customer_id(customer);
      e.set_type("contact");
      e.set_channel(v1::VOICE);
      e.set_topic("billing");
      e.set_outcome(random() % 3 == 0 ? v1::UNRESOLVED : v1::RESOLVED);
      // Late and out of order.
      *e.mutable_occurred_at() =
          model::FromUnixMicros(kNowUs - (random() % 500) * kHourUs);
      if (!engine.Record(e).ok()) ++failures;
      if (i % 5 == 0) {
        decide::Feedback f;
        f.customer_id = customer;
        f.decision_id = absl::StrCat("d-", i);
        f.action = i % 2 ? "offer_one" : "offer_two";
        f.outcome = static_cast<v1::FeedbackOutcome>(1 + random() % 5);
        f.time_us = kNowUs - (random() % 100) * kHourUs;
        if (!engine.RecordFeedback(f).ok()) ++failures;
      }
    }
  };
  std::atomic<int> reloads{0};
  auto reload_loop = [&] {
    for (int i = 0; !stop.load(); ++i, ++reloads) {
      const bool two = i % 2 == 0;
      // Every fourth load changes the metric's window: a rebuild.
      const std::string window = i % 4 == 3 ? "20d" : "30d";
      if (!engine
               .LoadRuleset(Rules(two ? "v2" : "v1",
                                  two ? "offer_two" : "offer_one", window),
                            "reload")
               .ok()) {
        ++failures;
      }
      std::this_thread::yield();
    }
  };
  std::atomic<int> alerts{0};
  auto poll_loop = [&] {
    while (!stop.load()) {
      std::vector<v1::Alert> out;
      alerts += engine.PollAlerts(10, &out);
      std::this_thread::yield();
    }
  };

  std::vector<std::thread> threads;
  threads.emplace_back(decide_loop, 1);
  threads.emplace_back(decide_loop, 2);
  threads.emplace_back(reload_loop);
  threads.emplace_back(poll_loop);
  std::thread writer(write_loop);
  writer.join();
  // Enough reloads, rebuilds among them, to have overlapped the rest.
  while (reloads.load() < 12 || decisions.load() < 100)
    std::this_thread::yield();
  stop = true;
  for (std::thread& t : threads) t.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(decisions.load(), 0);

  // The final state decides as a replay of the log does.
  const std::string final_rules = Rules("v3", "offer_one", "30d");
  ASSERT_TRUE(engine.LoadRuleset(final_rules, "final").ok());
  options.ruleset_text = final_rules;
  options.snapshot_path = "-";
  options.log.read_only = true;
  ASSERT_TRUE(engine.Flush().ok());
  auto replayed = Engine::Open(path, options);
  ASSERT_TRUE(replayed.ok()) << replayed.status();
  v1::Situation situation;
  situation.set_channel(v1::VOICE);
  *situation.mutable_time() = model::FromUnixMicros(kNowUs);
  for (int c = 0; c < kCustomers; ++c) {
    const std::string customer = absl::StrCat("c-", c);
    v1::Decision live;
    v1::Decision again;
    ASSERT_TRUE(engine.Decide(customer, situation, &live).ok());
    ASSERT_TRUE((*replayed)->Decide(customer, situation, &again).ok());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(live, again))
        << customer << "\n"
        << live.DebugString() << "\n"
        << again.DebugString();
  }
}

}  // namespace
}  // namespace motive::engine
