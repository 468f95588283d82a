// Journey maps from the engine: a customer's picture and the figures of
// many (Engine::JourneyPicture, Engine::Journeys).

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"

namespace motive::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr int64_t kDayUs = int64_t{86400} * 1000000;
// 2025-06-15 12:00 UTC.
constexpr int64_t kNowUs = int64_t{1749988800} * 1000 * 1000;

class EngineJourneysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.clock = [] { return absl::FromUnixMicros(kNowUs); };
    auto engine = Engine::Open(":memory:", std::move(options));
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  // An event `days_ago`; the journey map gives it its stage and moment.
  v1::Event& Add(const std::string& customer, const std::string& type,
                 int64_t days_ago) {
    v1::Event& e = pending_;
    e.Clear();
    e.set_event_id(absl::StrCat("e", ++events_));
    e.set_customer_id(customer);
    e.set_type(type);
    *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - days_ago * kDayUs);
    return e;
  }
  static Engine::JourneysOptions Window(int64_t from_us, int64_t to_us,
                                       std::string segment = "") {
    Engine::JourneysOptions options;
    options.from_us = from_us;
    options.to_us = to_us;
    options.segment = std::move(segment);
    return options;
  }
  static Engine::JourneysOptions Progress(
      std::function<bool(uint64_t, uint64_t)> on_progress) {
    Engine::JourneysOptions options;
    options.on_progress = std::move(on_progress);
    return options;
  }

  void Record() { ASSERT_TRUE(engine_->Record(pending_).ok()); }
  void Call(const std::string& customer, int64_t days_ago, v1::Outcome outcome,
            int transfers = 0) {
    v1::Event& e = Add(customer, "contact", days_ago);
    e.set_channel(v1::VOICE);
    e.set_topic("billing");
    e.set_outcome(outcome);
    if (transfers) e.set_transfers(transfers);
    Record();
  }

  // bo has three bad calls and leaves; cy only buys.
  void BoLeavesAndCyBuys() {
    Call("bo", 20, v1::UNRESOLVED);
    Call("bo", 15, v1::ABANDONED);
    Call("bo", 12, v1::UNRESOLVED);
    Add("bo", "churn", 5);
    Record();
    Add("cy", "purchase", 40).set_channel(v1::STORE);
    Record();
  }

  std::unique_ptr<Engine> engine_;
  v1::Event pending_;
  int events_ = 0;
};

TEST_F(EngineJourneysTest, AnEmptyLogHasAnEmptyMap) {
  absl::StatusOr<v1::JourneyFigures> figures = engine_->Journeys({});
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(figures->customers(), 0u);
  EXPECT_EQ(figures->flows_size(), 0);
}

TEST_F(EngineJourneysTest, CountsFlowsBadExperiencesAndTheThirdStrike) {
  // ana researches, buys, has three bad calls and calls again: she came back.
  Add("ana", "web_visit", 60).set_channel(v1::WEB);
  Record();
  Add("ana", "purchase", 50).set_channel(v1::WEB);
  Record();
  Call("ana", 30, v1::UNRESOLVED);
  Call("ana", 28, v1::UNRESOLVED);  // a repeat: same topic within 7 days
  Call("ana", 10, v1::RESOLVED, 3);  // three transfers: a strike
  Call("ana", 2, v1::RESOLVED);
  BoLeavesAndCyBuys();

  absl::StatusOr<v1::JourneyFigures> figures = engine_->Journeys({});
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ(figures->customers(), 3u);
  EXPECT_EQ(figures->events(), 11u);
  EXPECT_EQ(figures->stage_customers().at("PURCHASE"), 2u);
  EXPECT_EQ(figures->stage_customers().at("EXPERIENCE"), 2u);
  EXPECT_EQ(figures->moment_events().at("INTERIM"), 7u);
  ASSERT_GE(figures->flows_size(), 2);
  bool consideration_to_purchase = false;
  for (const v1::StageFlow& flow : figures->flows()) {
    if (flow.from() == v1::CONSIDERATION && flow.to() == v1::PURCHASE) {
      EXPECT_EQ(flow.count(), 1u);
      consideration_to_purchase = true;
    }
  }
  EXPECT_TRUE(consideration_to_purchase);
  EXPECT_EQ(figures->third_strike(), 2u);
  EXPECT_EQ(figures->third_strike_came_back(), 1u);
  EXPECT_EQ(figures->third_strike_left(), 1u);
  ASSERT_EQ(figures->bad_experiences_size(), 1);
  EXPECT_EQ(figures->bad_experiences(0).channel(), v1::VOICE);
  EXPECT_EQ(figures->bad_experiences(0).topic(), "billing");
  EXPECT_EQ(figures->bad_experiences(0).count(), 6u);
  ASSERT_EQ(figures->repeat_contacts_size(), 1);
  // ana's second call, bo's second and third (within 7 days of the one
  // before).
  EXPECT_EQ(figures->repeat_contacts(0).count(), 3u);
  ASSERT_EQ(figures->transfers_size(), 1);
  EXPECT_EQ(figures->transfers(0).count(), 1u);

  // A window counts only the events inside it.
  figures = engine_->Journeys(
      Window(kNowUs - 45 * kDayUs, kNowUs - 11 * kDayUs));
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->customers(), 3u);
  EXPECT_EQ(figures->events(), 6u);
  EXPECT_EQ(figures->third_strike(), 1u);  // bo's three calls
}

TEST_F(EngineJourneysTest, ASegmentCountsOnlyItsCustomers) {
  // ana: two bad calls; bo: three and churns; cy: a purchase, nothing bad.
  Call("ana", 30, v1::UNRESOLVED);
  Call("ana", 20, v1::UNRESOLVED);
  BoLeavesAndCyBuys();

  absl::StatusOr<v1::JourneyFigures> all = engine_->Journeys({});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->customers(), 3u);
  EXPECT_EQ(all->events(), 7u);
  EXPECT_EQ(all->segment(), "");

  // Those with a bad call: ana and bo, their six events; the figures say
  // which segment they cover.
  absl::StatusOr<v1::JourneyFigures> troubled =
      engine_->Journeys(Window(0, 0, "customer.strikes >= 2"));
  ASSERT_TRUE(troubled.ok()) << troubled.status();
  EXPECT_EQ(troubled->customers(), 2u);
  EXPECT_EQ(troubled->events(), 6u);
  EXPECT_EQ(troubled->moment_events().at("INTERIM"), 5u);
  EXPECT_EQ(troubled->third_strike(), 1u);
  EXPECT_EQ(troubled->bad_experiences(0).count(), 5u);
  EXPECT_EQ(troubled->segment(), "customer.strikes >= 2");

  // Seen as of the end of the range: 25 days ago only ana had a strike.
  absl::StatusOr<v1::JourneyFigures> then = engine_->Journeys(
      Window(0, kNowUs - 25 * kDayUs, "customer.strikes >= 1"));
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ(then->customers(), 1u);
  EXPECT_EQ(then->events(), 1u);

  // A value the customer lacks leaves them out, as it fails a rule: only
  // cy has a purchase.
  absl::StatusOr<v1::JourneyFigures> buyers =
      engine_->Journeys(Window(0, 0, "customer.days_since_purchase < 100"));
  ASSERT_TRUE(buyers.ok()) << buyers.status();
  EXPECT_EQ(buyers->customers(), 1u);

  // A bad segment is refused before any work, located as the checker
  // locates a rule's fault.
  absl::Status wrong_type =
      engine_->Journeys(Window(0, 0, "customer.strikes >= 'two'")).status();
  EXPECT_EQ(wrong_type.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong_type.message(), HasSubstr("segment: line 1, column 18"));
  absl::Status unknown =
      engine_->Journeys(Window(0, 0, "customer.strike > 1")).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.message(), HasSubstr("strike"));
  EXPECT_FALSE(engine_->Journeys(Window(0, 0, "customer.strikes >=")).ok());
  absl::Status not_bool =
      engine_->Journeys(Window(0, 0, "customer.strikes")).status();
  EXPECT_THAT(not_bool.message(), HasSubstr("must be a bool expression"));
}

TEST_F(EngineJourneysTest, ProgressCanStopTheMap) {
  Call("ana", 3, v1::RESOLVED);
  std::vector<uint64_t> seen;
  absl::StatusOr<v1::JourneyFigures> figures =
      engine_->Journeys(Progress([&](uint64_t done, uint64_t total) {
        seen.push_back(done);
        EXPECT_EQ(total, 1u);
        return true;
      }));
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_THAT(seen, ::testing::ElementsAre(0u, 1u));
  EXPECT_EQ(
      engine_
          ->Journeys(Progress([](uint64_t, uint64_t) { return false; }))
          .status()
          .code(),
      absl::StatusCode::kCancelled);
}

TEST_F(EngineJourneysTest, ACustomersPictureMarksTheirBadExperiences) {
  Add("ana", "purchase", 50).set_channel(v1::WEB);
  Record();
  Call("ana", 30, v1::UNRESOLVED);
  Call("ana", 2, v1::RESOLVED);
  absl::StatusOr<std::string> svg = engine_->JourneyPicture("ana", {});
  ASSERT_TRUE(svg.ok()) << svg.status();
  EXPECT_THAT(*svg, HasSubstr("Journey of ana: 3 events, 1 bad experience"));
  EXPECT_THAT(*svg, HasSubstr("contact (voice): billing, unresolved"));
  EXPECT_EQ(engine_->JourneyPicture("", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> nobody = engine_->JourneyPicture("nobody", {});
  ASSERT_TRUE(nobody.ok());
  EXPECT_THAT(*nobody, HasSubstr("no events"));
}

}  // namespace
}  // namespace motive::engine
