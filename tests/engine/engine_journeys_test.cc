// Journey maps from the engine: a customer's picture and the figures of
// many (Engine::JourneyPicture, Engine::Journeys).

#include <memory>
#include <string>

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

  std::unique_ptr<Engine> engine_;
  v1::Event pending_;
  int events_ = 0;
};

TEST_F(EngineJourneysTest, AnEmptyLogHasAnEmptyMap) {
  absl::StatusOr<v1::JourneyFigures> figures = engine_->Journeys(0, 0);
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
  // bo has three bad calls and leaves.
  Call("bo", 20, v1::UNRESOLVED);
  Call("bo", 15, v1::ABANDONED);
  Call("bo", 12, v1::UNRESOLVED);
  Add("bo", "churn", 5);
  Record();
  // cy only buys.
  Add("cy", "purchase", 40).set_channel(v1::STORE);
  Record();

  absl::StatusOr<v1::JourneyFigures> figures = engine_->Journeys(0, 0);
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
  figures = engine_->Journeys(kNowUs - 45 * kDayUs, kNowUs - 11 * kDayUs);
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figures->customers(), 3u);
  EXPECT_EQ(figures->events(), 6u);
  EXPECT_EQ(figures->third_strike(), 1u);  // bo's three calls
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
