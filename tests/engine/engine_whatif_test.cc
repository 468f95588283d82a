// What-if replay (Engine::WhatIf): a ruleset's decisions over the log's
// contacts at their own times, against another's.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"

namespace motive::engine {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kDayUs = 24 * kHourUs;
// 2025-06-15 12:00 UTC.
constexpr int64_t kNowUs = int64_t{1749988800} * 1000 * 1000;

// Offers the upgrade to everyone.
constexpr char kOld[] = R"pb(
  version: "old"
  actions { id: "upgrade" group: "upsell" value: 2 }
  playbooks {
    name: "inbound"
    rules { action: "upgrade" }
  }
)pb";

// Says sorry first after a bad experience, and offers the upgrade once a
// month at most.
constexpr char kNew[] = R"pb(
  version: "new"
  actions { id: "apology" group: "recovery" service: true value: 1 }
  actions { id: "upgrade" group: "upsell" value: 2 }
  playbooks {
    name: "inbound"
    rules { action: "apology" eligibility: "customer.strikes >= 1" priority: 1 }
    rules { action: "upgrade" }
  }
  contact_policy { caps { group: "upsell" max: 1 window: "30d" } }
)pb";

class EngineWhatIfTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.clock = [] { return absl::FromUnixMicros(kNowUs); };
    auto engine = Engine::Open(":memory:", std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  void Contact(const std::string& customer, int64_t days_ago,
               v1::Outcome outcome) {
    v1::Event e;
    e.set_event_id(absl::StrCat("e", ++events_));
    e.set_customer_id(customer);
    e.set_type("contact");
    e.set_moment(v1::INTERIM);
    e.set_channel(v1::VOICE);
    e.set_topic("billing");
    e.set_outcome(outcome);
    *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - days_ago * kDayUs);
    ASSERT_TRUE(engine_->Record(std::move(e)).ok());
  }
  // The upgrade offered to `customer` `days_ago` (its group from the
  // feedback: no ruleset is loaded).
  void Offered(const std::string& customer, int64_t days_ago) {
    decide::Feedback feedback;
    feedback.customer_id = customer;
    feedback.decision_id = absl::StrCat("d", ++events_);
    feedback.action = "upgrade";
    feedback.outcome = v1::OFFERED;
    feedback.channel = v1::VOICE;
    feedback.time_us = kNowUs - days_ago * kDayUs;
    absl::StatusOr<v1::Event> event =
        decide::FeedbackEvent(feedback, "upsell", kNowUs);
    ASSERT_TRUE(event.ok()) << event.status();
    absl::StatusOr<bool> recorded = engine_->Record(*std::move(event));
    ASSERT_TRUE(recorded.ok()) << recorded.status();
  }

  absl::StatusOr<v1::WhatIfReport> Run(Engine::WhatIfOptions options = {}) {
    return engine_->WhatIf(kNew, "new.textproto", kOld, "old.textproto",
                           options);
  }

  std::unique_ptr<Engine> engine_;
  int events_ = 0;
};

TEST_F(EngineWhatIfTest, AnEmptyLogDecidesNothing) {
  absl::StatusOr<v1::WhatIfReport> report = Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->decisions(), 0u);
  EXPECT_EQ(report->ruleset_version(), "new");
  EXPECT_EQ(report->against_version(), "old");
}

TEST_F(EngineWhatIfTest, CountsWhatTheNewRulesetWouldHaveDoneDifferently) {
  // ana: a bad call, then another one. bo: two good calls, the upgrade
  // offered between them.
  Contact("ana", 20, v1::UNRESOLVED);
  Contact("ana", 10, v1::RESOLVED);
  Contact("bo", 20, v1::RESOLVED);
  Offered("bo", 15);
  Contact("bo", 10, v1::RESOLVED);
  absl::StatusOr<v1::WhatIfReport> report = Run();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->customers(), 2u);
  EXPECT_EQ(report->decisions(), 4u);
  // ana's second call: the apology comes first. bo's second: the cap holds
  // the upgrade back, which the old ruleset offered.
  EXPECT_EQ(report->changed(), 2u);
  EXPECT_THAT(report->top_gained(), UnorderedElementsAre(Pair("apology", 1)));
  EXPECT_THAT(report->top_lost(), UnorderedElementsAre(Pair("upgrade", 2)));
  EXPECT_THAT(report->service_recovery(),
              UnorderedElementsAre(Pair("apology", 1)));
  ASSERT_EQ(report->newly_suppressed().size(), 1u);
  EXPECT_THAT(report->newly_suppressed().begin()->first, HasSubstr("cap"));
  EXPECT_EQ(report->newly_suppressed().begin()->second, 1u);
  // Old: four upgrades. New: two upgrades, an apology, nothing for bo.
  EXPECT_GT(report->expected_value_against(), report->expected_value());
  bool bo_example = false;
  for (const v1::WhatIfExample& example : report->examples()) {
    if (example.kind() == "suppressed") {
      EXPECT_EQ(example.customer_id(), "bo");
      EXPECT_THAT(example.detail(), HasSubstr("upgrade"));
      bo_example = true;
    }
  }
  EXPECT_TRUE(bo_example);

  // The same log and rulesets give the same report.
  absl::StatusOr<v1::WhatIfReport> again = Run();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*report, *again));
}

TEST_F(EngineWhatIfTest, TheWindowChoosesTheContactsNotTheirContext) {
  Contact("ana", 20, v1::UNRESOLVED);
  Contact("ana", 10, v1::RESOLVED);
  Engine::WhatIfOptions options;
  options.from_us = kNowUs - 15 * kDayUs;
  absl::StatusOr<v1::WhatIfReport> report = Run(options);
  ASSERT_TRUE(report.ok()) << report.status();
  // Only the second call is decided, on a context that holds the first.
  EXPECT_EQ(report->decisions(), 1u);
  EXPECT_THAT(report->top_gained(), UnorderedElementsAre(Pair("apology", 1)));
  options.from_us = 0;
  options.to_us = kNowUs - 15 * kDayUs;
  report = Run(options);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->decisions(), 1u);
  EXPECT_EQ(report->changed(), 0u);
}

TEST_F(EngineWhatIfTest, AgainstNoRulesetEveryTopIsGained) {
  Contact("ana", 10, v1::RESOLVED);
  absl::StatusOr<v1::WhatIfReport> report =
      engine_->WhatIf(kOld, "old.textproto", "", "", {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->against_version(), "");
  EXPECT_EQ(report->changed(), 1u);
  EXPECT_THAT(report->top_gained(), UnorderedElementsAre(Pair("upgrade", 1)));
}

TEST_F(EngineWhatIfTest, ABadRulesetIsRefusedNamingItsFile) {
  absl::StatusOr<v1::WhatIfReport> report =
      engine_->WhatIf("playbooks {", "broken.textproto", "", "", {});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("broken.textproto"));
}

TEST_F(EngineWhatIfTest, TheProgressCallbackMayStopIt) {
  Contact("ana", 10, v1::RESOLVED);
  Engine::WhatIfOptions options;
  options.on_progress = [](uint64_t, uint64_t) { return false; };
  EXPECT_EQ(Run(options).status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace motive::engine
