#include "state/customer_state.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "state/context_variables.h"
#include "state/snapshot.h"

namespace motive::state {
namespace {

constexpr int64_t kDay = int64_t{86400} * 1000 * 1000;
constexpr int64_t kHour = kDay / 24;
// 2025-06-01T00:00:00Z.
constexpr int64_t kNow = int64_t{1748736000} * 1000 * 1000;

// Builds events as the engine hands them over: moment and stage inferred.
class EventBuilder {
 public:
  EventBuilder(std::string type, int64_t time_us) {
    event_.set_customer_id("c1");
    event_.set_type(std::move(type));
    *event_.mutable_occurred_at() = model::FromUnixMicros(time_us);
  }
  EventBuilder& Channel(v1::Channel channel) {
    event_.set_channel(channel);
    return *this;
  }
  EventBuilder& Topic(std::string topic) {
    event_.set_topic(std::move(topic));
    return *this;
  }
  EventBuilder& Outcome(v1::Outcome outcome) {
    event_.set_outcome(outcome);
    return *this;
  }
  EventBuilder& Sentiment(double sentiment) {
    event_.set_sentiment(sentiment);
    return *this;
  }
  EventBuilder& Transfers(int32_t transfers) {
    event_.set_transfers(transfers);
    return *this;
  }
  EventBuilder& Hold(int64_t hold_ms) {
    event_.set_duration_ms(hold_ms + 1000);
    event_.set_hold_ms(hold_ms);
    return *this;
  }
  EventBuilder& Agent(std::string agent) {
    event_.set_agent_id(std::move(agent));
    return *this;
  }
  EventBuilder& Value(double value) {
    event_.set_value(value);
    event_.set_currency("EUR");
    return *this;
  }
  EventBuilder& Csat(int32_t csat) {
    event_.set_csat(csat);
    return *this;
  }
  EventBuilder& Nps(int32_t nps) {
    event_.set_nps(nps);
    return *this;
  }
  EventBuilder& Attribute(const std::string& key, const std::string& value) {
    (*event_.mutable_attributes())[key].set_string_value(value);
    return *this;
  }
  EventBuilder& NumberAttribute(const std::string& key, double value) {
    (*event_.mutable_attributes())[key].set_number_value(value);
    return *this;
  }
  EventBuilder& Erase(const std::string& key) {
    event_.mutable_attributes()->erase(key);
    return *this;
  }
  operator v1::Event() const {  // NOLINT: a builder converts implicitly.
    v1::Event event = event_;
    model::JourneyMap::Default().Infer(&event);
    return event;
  }

 private:
  v1::Event event_;
};

EventBuilder Contact(int64_t time_us, v1::Channel channel = v1::VOICE) {
  EventBuilder b("contact", time_us);
  b.Channel(channel);
  return b;
}

// A decision feedback event, well formed unless changed afterwards.
EventBuilder Feedback(int64_t time_us, const std::string& decision,
                      const std::string& action, const std::string& outcome,
                      v1::Channel channel = v1::VOICE) {
  EventBuilder b(std::string(kFeedbackEventType), time_us);
  b.Channel(channel)
      .Attribute("decision_id", decision)
      .Attribute("action", action)
      .Attribute("outcome", outcome);
  return b;
}

class CustomerStateTest : public ::testing::Test {
 protected:
  void Apply(const v1::Event& event) { state_.Apply(event, config_, strings_); }
  Summary Summarize(int64_t as_of = kNow) {
    Summary s;
    state_.Summarize(as_of, config_, strings_, &s);
    return s;
  }

  StateConfig config_;
  Interner strings_;
  CustomerState state_;
};

TEST_F(CustomerStateTest, EmptyStateIsUnknownWithAbsentValues) {
  Summary s = Summarize();
  EXPECT_EQ(s.known, 0);
  EXPECT_EQ(s.as_of_us, kNow);
  EXPECT_EQ(s.events, 0u);
  EXPECT_EQ(s.contacts[2].total, 0u);
  EXPECT_TRUE(std::isnan(s.sentiment_last));
  EXPECT_TRUE(std::isnan(s.sentiment_average));
  EXPECT_EQ(s.csat, -1);
  EXPECT_EQ(s.nps, -1);
  EXPECT_EQ(s.days_since_purchase, -1);
  EXPECT_STREQ(s.last_contact.topic, "");
  EXPECT_EQ(s.churn_risk, 0);
}

TEST_F(CustomerStateTest, OneContactFillsContactsAndLastContact) {
  Apply(Contact(kNow - kHour, v1::CHAT)
            .Topic("billing")
            .Outcome(v1::RESOLVED)
            .Agent("a7")
            .Transfers(1)
            .Hold(30000)
            .Sentiment(0.25));
  Summary s = Summarize();
  EXPECT_EQ(s.known, 1);
  EXPECT_EQ(s.events, 1u);
  for (int w = 0; w < 3; ++w) {
    EXPECT_EQ(s.contacts[w].total, 1u);
    EXPECT_EQ(s.contacts[w].by_channel[v1::CHAT], 1u);
    EXPECT_EQ(s.contacts[w].by_channel[v1::VOICE], 0u);
  }
  EXPECT_EQ(s.last_contact.time_us, kNow - kHour);
  EXPECT_EQ(s.last_contact.channel, v1::CHAT);
  EXPECT_EQ(s.last_contact.outcome, v1::RESOLVED);
  EXPECT_STREQ(s.last_contact.topic, "billing");
  EXPECT_STREQ(s.last_contact.agent_id, "a7");
  EXPECT_EQ(s.last_contact.transfers, 1u);
  EXPECT_EQ(s.last_contact.hold_ms, 30000);
  EXPECT_DOUBLE_EQ(s.last_contact.sentiment, 0.25);
  EXPECT_EQ(s.last_contact.repeat, 0);
  EXPECT_EQ(s.transfers, 1u);
  EXPECT_EQ(s.hold_ms, 30000);
  EXPECT_DOUBLE_EQ(s.sentiment_last, 0.25);
  EXPECT_DOUBLE_EQ(s.sentiment_average, 0.25);
  EXPECT_EQ(s.stage, v1::EXPERIENCE);
  EXPECT_EQ(s.moments[v1::INTERIM], 1u);
}

TEST_F(CustomerStateTest, WindowsExcludeAnEventExactlyAtTheirEdge) {
  Apply(Contact(kNow - 7 * kDay));       // Out of 7 days, in 30.
  Apply(Contact(kNow - 7 * kDay + 1));   // In 7 days.
  Apply(Contact(kNow - 30 * kDay));      // Out of 30, in 90.
  Apply(Contact(kNow - 90 * kDay + 1));  // In 90.
  Summary s = Summarize();
  EXPECT_EQ(s.contacts[0].total, 1u);
  EXPECT_EQ(s.contacts[1].total, 2u);
  EXPECT_EQ(s.contacts[2].total, 4u);
  // A microsecond later the youngest leaves the 7-day window too.
  s = Summarize(kNow + 1);
  EXPECT_EQ(s.contacts[0].total, 0u);
  EXPECT_EQ(s.contacts[2].total, 3u);
}

TEST_F(CustomerStateTest, RepeatContactsFollowTheirDefinition) {
  Apply(Contact(kNow - 60 * kDay).Topic("billing").Outcome(v1::RESOLVED));
  // Same topic 7 days later (exactly the repeat window): a repeat.
  Apply(Contact(kNow - 53 * kDay).Topic("billing").Outcome(v1::RESOLVED));
  // Same topic, 8 days after a resolved one: not a repeat.
  Apply(Contact(kNow - 45 * kDay).Topic("billing").Outcome(v1::UNRESOLVED));
  // 20 days after an unresolved one: a repeat (first-contact resolution
  // failed).
  Apply(Contact(kNow - 25 * kDay).Topic("billing").Outcome(v1::RESOLVED));
  // Another topic, or none: never a repeat.
  Apply(Contact(kNow - 24 * kDay).Topic("delivery"));
  Apply(Contact(kNow - 24 * kDay + 1));
  Apply(Contact(kNow - 24 * kDay + 2));
  Summary s = Summarize();
  EXPECT_EQ(s.repeat_contacts, 2u);
  EXPECT_EQ(s.last_contact.repeat, 0);
}

TEST_F(CustomerStateTest, ALateContactChangesTheRepeatOfTheNextOnItsTopic) {
  Apply(Contact(kNow - 30 * kDay).Topic("router").Outcome(v1::RESOLVED));
  Apply(Contact(kNow - 10 * kDay).Topic("router").Outcome(v1::RESOLVED));
  Apply(EventBuilder("web_visit", kNow - kDay).Channel(v1::WEB));
  Summary s = Summarize();
  EXPECT_EQ(s.repeat_contacts, 0u);
  EXPECT_EQ(s.last_contact.repeat, 0);
  // Arrives late: three days before the last one, which becomes a repeat.
  Apply(Contact(kNow - 13 * kDay).Topic("router").Outcome(v1::RESOLVED));
  s = Summarize();
  EXPECT_EQ(s.repeat_contacts, 1u);
  EXPECT_EQ(s.last_contact.repeat, 1);
  EXPECT_EQ(s.last_contact.time_us, kNow - 10 * kDay);
  EXPECT_EQ(s.contacts[1].total, 2u);  // The one 30 days old is out.
}

TEST_F(CustomerStateTest, EachBadExperienceCountsOneStrike) {
  Apply(EventBuilder("survey", kNow - 50 * kDay).Nps(9));  // Not one.
  Apply(Contact(kNow - 40 * kDay).Sentiment(-0.6));
  Apply(Contact(kNow - 39 * kDay).Outcome(v1::ABANDONED));
  Apply(Contact(kNow - 38 * kDay).Transfers(2));
  Apply(Contact(kNow - 37 * kDay).Hold(600000));
  Apply(EventBuilder("survey", kNow - 36 * kDay).Nps(6));
  Apply(EventBuilder("survey", kNow - 35 * kDay).Csat(2));
  Apply(EventBuilder("review", kNow - 34 * kDay).Sentiment(-0.3));
  // Several criteria at once still make one strike.
  Apply(Contact(kNow - 33 * kDay)
            .Outcome(v1::UNRESOLVED)
            .Transfers(3)
            .Sentiment(-0.9));
  // Just short of every threshold.
  Apply(Contact(kNow - 32 * kDay).Sentiment(-0.5).Transfers(1).Hold(599999));
  Apply(EventBuilder("review", kNow - 31 * kDay).Sentiment(-0.2));
  Summary s = Summarize();
  EXPECT_EQ(s.strikes, 8u);
  EXPECT_EQ(s.at_risk, 1);
  EXPECT_EQ(s.negative_zero_moment, 1u);
  // 91 days on, the window is empty again.
  s = Summarize(kNow + 60 * kDay);
  EXPECT_EQ(s.strikes, 0u);
  EXPECT_EQ(s.at_risk, 0);
}

// The list of strikes follows the count: in event-time order whatever the
// arrival order, the newest kMaxStrikesListed of them, and a snapshot keeps
// it (snapshot_test compares whole states).
TEST_F(CustomerStateTest, StrikesAreListedInTimeOrderTheNewestKept) {
  constexpr int kStrikes = static_cast<int>(kMaxStrikesListed) + 6;
  for (int i = 0; i < kStrikes; ++i) {
    // Every other one late: 10 hours apart, arriving out of order.
    const int n = i % 2 == 0 ? i + 1 : i - 1;
    EventBuilder contact = Contact(kNow - kDay - (kStrikes - n) * 10 * kHour);
    v1::Event event = contact.Transfers(2);
    event.set_event_id(absl::StrCat("e", n));
    Apply(event);
  }
  Apply(Contact(kNow - kHour).Sentiment(0.9));  // Not one.
  v1::Context context;
  state_.Describe("c1", kNow, config_, strings_, &context);
  EXPECT_EQ(context.strikes(), static_cast<uint32_t>(kStrikes));
  ASSERT_EQ(context.strike_events_size(), static_cast<int>(kMaxStrikesListed));
  for (int i = 0; i < context.strike_events_size(); ++i) {
    EXPECT_EQ(context.strike_events(i).event_id(),
              absl::StrCat("e", kStrikes - kMaxStrikesListed + i));
    EXPECT_THAT(context.strike_events(i).causes(),
                ::testing::ElementsAre(v1::STRIKE_TRANSFERS));
  }
}

TEST_F(CustomerStateTest, TheThirdStrikeMarksTheCustomerAtRisk) {
  Apply(Contact(kNow - 3 * kDay).Outcome(v1::UNRESOLVED));
  Apply(Contact(kNow - 2 * kDay).Outcome(v1::UNRESOLVED));
  EXPECT_EQ(Summarize().at_risk, 0);
  Apply(Contact(kNow - kDay).Outcome(v1::UNRESOLVED));
  Summary s = Summarize();
  EXPECT_EQ(s.strikes, 3u);
  EXPECT_EQ(s.at_risk, 1);
}

TEST_F(CustomerStateTest, SentimentLastAverageAndTrend) {
  // Old and happy, then recent and unhappy: the trend points down.
  Apply(Contact(kNow - 80 * kDay).Sentiment(0.8));
  Apply(Contact(kNow - 70 * kDay).Sentiment(0.6));
  Apply(Contact(kNow - 2 * kDay).Sentiment(-0.4));
  Apply(Contact(kNow - 1 * kDay).Sentiment(-0.2));
  Summary s = Summarize();
  EXPECT_DOUBLE_EQ(s.sentiment_last, -0.2);
  EXPECT_NEAR(s.sentiment_average, 0.2, 1e-9);
  EXPECT_LT(s.sentiment_trend, -0.3);
  // A late, older event does not replace the last sentiment.
  Apply(EventBuilder("review", kNow - 5 * kDay).Sentiment(0.9));
  EXPECT_DOUBLE_EQ(Summarize().sentiment_last, -0.2);
}

TEST_F(CustomerStateTest, CommerceAndVoiceOfTheCustomer) {
  Apply(EventBuilder("purchase", kNow - 200 * kDay).Value(100));
  Apply(EventBuilder("renewal", kNow - 10 * kDay).Value(20));
  Apply(EventBuilder("return", kNow - 5 * kDay).Value(30));
  Apply(EventBuilder("survey", kNow - 4 * kDay).Nps(10).Csat(5));
  // Late and older: does not replace the answers above.
  Apply(EventBuilder("survey", kNow - 6 * kDay).Nps(2).Csat(1));
  Summary s = Summarize();
  EXPECT_EQ(s.purchases, 2u);
  EXPECT_DOUBLE_EQ(s.lifetime_value, 90);
  EXPECT_EQ(s.last_purchase_us, kNow - 10 * kDay);
  EXPECT_EQ(s.days_since_purchase, 10);
  EXPECT_EQ(s.nps, 10);
  EXPECT_EQ(s.csat, 5);
  EXPECT_EQ(s.nps_category, NpsCategory::kPromoter);
}

TEST_F(CustomerStateTest, OpenIssuesAreTopicsWhoseLatestContactIsUnresolved) {
  Apply(Contact(kNow - 9 * kDay).Topic("a").Outcome(v1::UNRESOLVED));
  Apply(Contact(kNow - 8 * kDay).Topic("b").Outcome(v1::CALLBACK));
  Apply(Contact(kNow - 7 * kDay).Topic("c").Outcome(v1::RESOLVED));
  EXPECT_EQ(Summarize().open_issues, 2u);
  Apply(Contact(kNow - 6 * kDay).Topic("a").Outcome(v1::RESOLVED));
  EXPECT_EQ(Summarize().open_issues, 1u);
  // A late contact older than the latest on its topic changes nothing.
  Apply(Contact(kNow - 20 * kDay).Topic("c").Outcome(v1::ESCALATED));
  EXPECT_EQ(Summarize().open_issues, 1u);
}

TEST_F(CustomerStateTest, ChurnRiskIsTheSumOfItsFactors) {
  Apply(EventBuilder("purchase", kNow - 400 * kDay).Value(10));
  Apply(Contact(kNow - 3 * kDay).Topic("x").Outcome(v1::UNRESOLVED));
  Apply(Contact(kNow - 2 * kDay).Topic("x").Outcome(v1::UNRESOLVED));
  Apply(EventBuilder("survey", kNow - kDay).Nps(3).Sentiment(-0.5));
  Summary s = Summarize();
  // strikes 3/3, one repeat, detractor, average -0.5, one open issue,
  // purchase 400 days ago.
  const double expected[kChurnFactorCount] = {0.35,  0.05, 0.15,
                                              0.075, 0.05, 0.10};
  double sum = 0;
  for (int f = 0; f < kChurnFactorCount; ++f) {
    EXPECT_NEAR(s.churn_factors[f], expected[f], 1e-9) << kChurnFactorNames[f];
    sum += s.churn_factors[f];
  }
  EXPECT_NEAR(s.churn_risk, sum, 1e-12);
  EXPECT_NEAR(s.churn_risk, 0.775, 1e-9);
}

TEST_F(CustomerStateTest, OldEventsLeaveMemoryButNotTheAllTimeSignals) {
  for (int d = 0; d < 400; ++d) {
    Apply(Contact(kNow - (400 - d) * kDay).Topic("t").Sentiment(0.1));
  }
  EXPECT_LE(state_.held_events(), 2u * 91);
  Summary s = Summarize();
  EXPECT_EQ(s.events, 400u);
  EXPECT_EQ(s.moments[v1::INTERIM], 400u);
  // One a day, the latest a day old.
  EXPECT_EQ(s.contacts[0].total, 6u);
  EXPECT_EQ(s.contacts[2].total, 89u);
  EXPECT_EQ(s.repeat_contacts, 89u);
}

TEST_F(CustomerStateTest, DescribeFillsTheFullContext) {
  config_.recent_events = 2;
  Apply(Contact(kNow - 3 * kDay, v1::EMAIL)
            .Topic("billing")
            .Attribute("plan", "gold"));
  Apply(Contact(kNow - kDay, v1::CHAT)
            .Topic("billing")
            .Attribute("plan", "silver"));
  // Late and older: neither its attribute nor its place among the recent.
  Apply(EventBuilder("web_visit", kNow - 5 * kDay).Attribute("plan", "bronze"));
  v1::Context context;
  state_.Describe("c1", kNow, config_, strings_, &context);
  EXPECT_EQ(context.customer_id(), "c1");
  EXPECT_TRUE(context.known());
  EXPECT_EQ(context.events(), 3u);
  EXPECT_EQ(context.contacts_7d().total(), 2u);
  EXPECT_EQ(context.contacts_7d().by_channel().at("email"), 1u);
  EXPECT_EQ(context.contacts_7d().by_channel().at("chat"), 1u);
  EXPECT_EQ(context.last_contact().topic(), "billing");
  EXPECT_TRUE(context.last_contact().repeat());
  EXPECT_EQ(context.moments().at("interim"), 2u);
  EXPECT_EQ(context.attributes().at("plan").string_value(), "silver");
  ASSERT_EQ(context.recent_events_size(), 2);
  EXPECT_EQ(context.recent_events(0).channel(), v1::EMAIL);
  EXPECT_EQ(context.recent_events(1).channel(), v1::CHAT);
  EXPECT_EQ(context.churn_factors_size(), kChurnFactorCount);
}

// Checks the windows of `state` as of `as_of` against counts made the slow
// way from `events`: contacts by channel in each window, and transfers and
// the sentiment average in the signals' window.
void ExpectWindowsOf(const CustomerState& state,
                     const std::vector<v1::Event>& events, int64_t as_of,
                     const StateConfig& config, const Interner& strings,
                     int round) {
  Summary s;
  state.Summarize(as_of, config, strings, &s);
  for (int w = 0; w < 3; ++w) {
    uint32_t by_channel[kChannelCount] = {};
    for (const v1::Event& e : events) {
      if (e.moment() == v1::INTERIM &&
          model::ToUnixMicros(e.occurred_at()) >
              as_of - kContactWindowDays[w] * kDay) {
        ++by_channel[e.channel()];
      }
    }
    for (int c = 0; c < kChannelCount; ++c) {
      ASSERT_EQ(s.contacts[w].by_channel[c], by_channel[c])
          << "round " << round << " window " << w << " channel " << c;
    }
  }
  uint32_t transfers = 0, sentiments = 0;
  double sentiment = 0;
  for (const v1::Event& e : events) {
    if (model::ToUnixMicros(e.occurred_at()) <=
        as_of - int64_t{config.signals.window_days} * kDay) {
      continue;
    }
    if (e.moment() == v1::INTERIM) transfers += e.transfers();
    if (e.has_sentiment()) {
      ++sentiments;
      sentiment += std::lround(e.sentiment() * 1000) / 1000.0;
    }
  }
  EXPECT_EQ(s.transfers, transfers) << "round " << round;
  if (sentiments > 0) {
    EXPECT_NEAR(s.sentiment_average, sentiment / sentiments, 1e-9);
  }
}

// Random journeys, folded in a random order, against counts made the slow
// way from the same events.
TEST_F(CustomerStateTest, WindowsMatchABruteForceCountInAnyArrivalOrder) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<v1::Event> events;
    const int n = 1 + static_cast<int>(random() % 300);
    for (int i = 0; i < n; ++i) {
      // Distinct times within 85 days, so that every event stays held.
      const int64_t t =
          kNow - static_cast<int64_t>(random() % (85 * kDay)) - i % 1000;
      EventBuilder b =
          random() % 4 == 0
              ? EventBuilder("review", t)
              : Contact(t, static_cast<v1::Channel>(1 + random() % 4));
      b.Topic(std::string(1, static_cast<char>('a' + random() % 3)));
      b.Outcome(static_cast<v1::Outcome>(random() % 7));
      if (random() % 2)
        b.Sentiment((static_cast<int>(random() % 2001) - 1000) / 1000.0);
      if (random() % 3 == 0) b.Transfers(static_cast<int32_t>(random() % 4));
      events.push_back(b);
    }
    std::vector<v1::Event> order = events;
    std::shuffle(order.begin(), order.end(), random);
    state_ = CustomerState();
    for (const v1::Event& e : order) Apply(e);
    // Every event is inside the signals' window (90 days): the windows'
    // transfers and sentiment are all the events'.
    ExpectWindowsOf(state_, events, kNow, config_, strings_, round);
    const Summary s = Summarize();
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
      return model::ToUnixMicros(a.occurred_at()) <
             model::ToUnixMicros(b.occurred_at());
    });
    uint32_t repeats = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      const v1::Event& e = events[i];
      const int64_t t = model::ToUnixMicros(e.occurred_at());
      if (e.moment() != v1::INTERIM) continue;
      for (size_t j = i; j-- > 0;) {
        const v1::Event& p = events[j];
        if (p.moment() != v1::INTERIM || p.topic() != e.topic()) continue;
        const int64_t pt = model::ToUnixMicros(p.occurred_at());
        const bool unresolved =
            p.outcome() == v1::UNRESOLVED || p.outcome() == v1::ESCALATED ||
            p.outcome() == v1::ABANDONED || p.outcome() == v1::CALLBACK;
        if (t - pt <= 7 * kDay || unresolved) ++repeats;
        break;
      }
    }
    EXPECT_EQ(s.repeat_contacts, repeats) << "round " << round;
  }
}

// A year of events, some late, folded once straight and once through a
// snapshot every so often, against counts made the slow way: events leave
// the horizon (so that windows subtract from a base) and late ones are
// inserted after it.
TEST_F(CustomerStateTest, WindowsMatchABruteForceCountAfterEventsLeave) {
  std::mt19937_64 random(19);
  for (int round = 0; round < 10; ++round) {
    std::vector<v1::Event> arrivals;
    for (int day = 400; day > 0; --day) {
      const int64_t t =
          kNow - day * kDay + static_cast<int64_t>(random() % 1000);
      // Late by up to 20 days, one in four.
      const int64_t late =
          random() % 4 == 0 ? static_cast<int64_t>(random() % (20 * kDay)) : 0;
      EventBuilder b =
          Contact(t - late, static_cast<v1::Channel>(1 + random() % 4));
      b.Topic(std::string(1, static_cast<char>('a' + random() % 3)));
      if (random() % 2)
        b.Sentiment((static_cast<int>(random() % 2001) - 1000) / 1000.0);
      if (random() % 3 == 0) b.Transfers(static_cast<int32_t>(random() % 4));
      arrivals.push_back(b);
    }
    state_ = CustomerState();
    CustomerState reloaded;
    for (size_t i = 0; i < arrivals.size(); ++i) {
      Apply(arrivals[i]);
      reloaded.Apply(arrivals[i], config_, strings_);
      // Every so often and at the end, twice: the first load drops what has
      // left the horizon, so that the second restores a base with no such
      // event after it (which a window as of the newest event reaches).
      const bool reload = i % 37 == 36 || i + 1 == arrivals.size();
      for (int load = 0; reload && load < 2; ++load) {
        std::string bytes;
        SnapshotWriter out(&bytes);
        reloaded.Save(out);
        SnapshotReader in(bytes, &strings_);
        reloaded = CustomerState();
        ASSERT_TRUE(reloaded.Load(in, config_)) << "round " << round;
      }
    }
    // Events left: far fewer held than the 400 folded.
    EXPECT_LT(state_.held_events(), 200u);
    EXPECT_LT(reloaded.held_events(), 200u);
    // As of the newest event, the longest window is the horizon: it reaches
    // back to the first event held, and so subtracts the base.
    for (const int64_t as_of : {state_.newest_us(), kNow}) {
      for (const CustomerState* state : {&state_, &reloaded}) {
        ASSERT_NO_FATAL_FAILURE(
            ExpectWindowsOf(*state, arrivals, as_of, config_, strings_, round));
      }
    }
    Summary a, b;
    state_.Summarize(kNow, config_, strings_, &a);
    reloaded.Summarize(kNow, config_, strings_, &b);
    EXPECT_EQ(a.repeat_contacts, b.repeat_contacts) << "round " << round;
    EXPECT_EQ(a.strikes, b.strikes) << "round " << round;
  }
}

// --- responses ---------------------------------------------------------------

TEST(FeedbackOutcomeTest, NamesRoundTripAndOnlyTheFiveParse) {
  for (int i = v1::OFFERED; i <= v1::CONVERTED; ++i) {
    const auto outcome = static_cast<v1::FeedbackOutcome>(i);
    const absl::string_view name = FeedbackOutcomeName(outcome);
    ASSERT_FALSE(name.empty()) << i;
    v1::FeedbackOutcome parsed = v1::FEEDBACK_UNSPECIFIED;
    EXPECT_TRUE(ParseFeedbackOutcome(name, &parsed)) << name;
    EXPECT_EQ(parsed, outcome);
  }
  EXPECT_EQ(FeedbackOutcomeName(v1::ACCEPTED), "accepted");
  EXPECT_EQ(FeedbackOutcomeName(v1::FEEDBACK_UNSPECIFIED), "");
  EXPECT_EQ(FeedbackOutcomeName(static_cast<v1::FeedbackOutcome>(99)), "");
  v1::FeedbackOutcome parsed = v1::OFFERED;
  for (const char* bad : {"", "ACCEPTED", "Accepted", "accepted ",
                          "feedback_unspecified", "maybe"}) {
    EXPECT_FALSE(ParseFeedbackOutcome(bad, &parsed)) << bad;
  }
  EXPECT_EQ(parsed, v1::OFFERED);  // Untouched on failure.
}

TEST(FeedbackOutcomeTest, DecisionIdHashIsStableAcrossRuns) {
  // Pinned: snapshots hold these hashes, and the decide layer compares them
  // with the hashes of the ids it hands out after a restart.
  EXPECT_EQ(DecisionIdHash("d-1"), DecisionIdHash(std::string("d-1")));
  EXPECT_NE(DecisionIdHash("d-1"), DecisionIdHash("d-2"));
  EXPECT_EQ(DecisionIdHash("d-1"), uint64_t{6817348038134249179u});
  EXPECT_EQ(DecisionIdHash(""), uint64_t{12806814086236093591u});
}

TEST_F(CustomerStateTest, ResponsesAreFoldedInEventTimeOrder) {
  std::optional<Response> r = state_.Apply(
      Feedback(kNow - 3 * kHour, "d-1", "upgrade", "offered", v1::CHAT)
          .Attribute("group", "upsell"),
      config_, strings_);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->outcome, v1::OFFERED);
  Apply(Feedback(kNow - kHour, "d-1", "upgrade", "accepted", v1::CHAT)
            .Attribute("group", "upsell"));
  // Late: between the two.
  Apply(Feedback(kNow - 2 * kHour, "d-2", "apology", "rejected"));
  // A tie with the late one: after it, in arrival order.
  Apply(Feedback(kNow - 2 * kHour, "d-2", "apology", "ignored"));

  const absl::Span<const Response> responses = state_.responses();
  ASSERT_EQ(responses.size(), 4u);
  EXPECT_EQ(responses[0].time_us, kNow - 3 * kHour);
  EXPECT_EQ(responses[0].decision, DecisionIdHash("d-1"));
  EXPECT_STREQ(strings_.Get(responses[0].action), "upgrade");
  EXPECT_STREQ(strings_.Get(responses[0].group), "upsell");
  EXPECT_EQ(responses[0].channel, v1::CHAT);
  EXPECT_EQ(responses[0].outcome, v1::OFFERED);
  EXPECT_EQ(responses[1].time_us, kNow - 2 * kHour);
  EXPECT_EQ(responses[1].outcome, v1::REJECTED);
  EXPECT_EQ(responses[1].group, Interner::kEmpty);
  EXPECT_EQ(responses[1].decision, DecisionIdHash("d-2"));
  EXPECT_EQ(responses[1].channel, v1::VOICE);
  EXPECT_EQ(responses[2].outcome, v1::IGNORED);
  EXPECT_EQ(responses[3].outcome, v1::ACCEPTED);

  // Feedback events are events like any other.
  const Summary s = Summarize();
  EXPECT_EQ(s.events, 4u);
  EXPECT_EQ(s.last_seen_us, kNow - kHour);
  EXPECT_EQ(s.first_seen_us, kNow - 3 * kHour);
  // But no signal: feedback on a voice offer is not another contact, nor a
  // moment or a stage.
  EXPECT_EQ(s.contacts[0].total, 0u);
  EXPECT_EQ(s.last_contact.time_us, 0);
  EXPECT_EQ(s.stage, v1::STAGE_UNSPECIFIED);
  EXPECT_EQ(s.moments[v1::INTERIM], 0u);
  // Their attributes describe decisions, not the customer.
  v1::Context context;
  state_.Describe("c1", kNow, config_, strings_, &context);
  EXPECT_TRUE(context.attributes().empty());
  EXPECT_GT(state_.bytes(), sizeof(CustomerState) + 3 * sizeof(Response));
}

TEST_F(CustomerStateTest, MalformedFeedbackCountsAsAnEventOnly) {
  const v1::Event malformed[] = {
      Feedback(kNow - 9 * kHour, "d", "a", "accepted").Erase("decision_id"),
      Feedback(kNow - 8 * kHour, "", "a", "accepted"),
      Feedback(kNow - 7 * kHour, "d", "a", "accepted").Erase("action"),
      Feedback(kNow - 6 * kHour, "d", "", "accepted"),
      Feedback(kNow - 5 * kHour, "d", "a", "maybe"),
      Feedback(kNow - 4 * kHour, "d", "a", "ACCEPTED"),
      Feedback(kNow - 3 * kHour, "d", "a", "x").Erase("outcome"),
      Feedback(kNow - 2 * kHour, "d", "a", "x").NumberAttribute("outcome", 2),
      Feedback(kNow - kHour, "d", "a", "accepted").NumberAttribute("group", 1),
  };
  for (const v1::Event& event : malformed) {
    EXPECT_FALSE(state_.Apply(event, config_, strings_).has_value())
        << event.DebugString();
  }
  EXPECT_TRUE(state_.responses().empty());
  const Summary s = Summarize();
  EXPECT_EQ(s.events, std::size(malformed));
  EXPECT_EQ(s.last_seen_us, kNow - kHour);
  // Only the table's empty string: a malformed event interns nothing.
  EXPECT_EQ(strings_.size(), 1u);

  // The attributes of another type of event are not feedback, and are the
  // customer's.
  EXPECT_FALSE(state_
                   .Apply(EventBuilder("web_visit", kNow)
                              .Attribute("outcome", "offered")
                              .Attribute("action", "a")
                              .Attribute("decision_id", "d"),
                          config_, strings_)
                   .has_value());
  EXPECT_TRUE(state_.responses().empty());
  v1::Context context;
  state_.Describe("c1", kNow, config_, strings_, &context);
  EXPECT_EQ(context.attributes().at("outcome").string_value(), "offered");
}

TEST_F(CustomerStateTest, ResponsesKeepTheNewestUpToTheirCount) {
  const int64_t start = kNow - 400 * kHour;
  for (size_t i = 0; i < kMaxResponses + 10; ++i) {
    Apply(Feedback(start + static_cast<int64_t>(i) * kHour,
                   "d-" + std::to_string(i), "a", "offered"));
  }
  ASSERT_EQ(state_.responses().size(), kMaxResponses);
  EXPECT_EQ(state_.responses().front().time_us, start + 10 * kHour);
  EXPECT_EQ(state_.responses().front().decision, DecisionIdHash("d-10"));
  EXPECT_EQ(state_.responses().back().decision,
            DecisionIdHash("d-" + std::to_string(kMaxResponses + 9)));

  // Full: a late response older than all is the one that would leave, and
  // is not kept (but is still returned, for learning).
  EXPECT_TRUE(
      state_.Apply(Feedback(start, "old", "a", "rejected"), config_, strings_)
          .has_value());
  EXPECT_EQ(state_.responses().front().time_us, start + 10 * kHour);
  // A late one among them goes in its place, and the oldest leaves.
  Apply(Feedback(start + 20 * kHour + 1, "late", "a", "rejected"));
  ASSERT_EQ(state_.responses().size(), kMaxResponses);
  EXPECT_EQ(state_.responses().front().time_us, start + 11 * kHour);
  EXPECT_EQ(state_.responses()[10].decision, DecisionIdHash("late"));
  EXPECT_TRUE(std::is_sorted(state_.responses().begin(),
                             state_.responses().end(),
                             [](const Response& a, const Response& b) {
                               return a.time_us < b.time_us;
                             }));
  EXPECT_EQ(Summarize().events, kMaxResponses + 12);
}

TEST_F(CustomerStateTest, ResponsesLeaveAtTheHorizon) {
  const int64_t t0 = kNow - kResponseHorizonUs;
  Apply(Feedback(t0, "d-0", "a", "offered"));
  Apply(Feedback(t0 + 1, "d-1", "a", "offered"));
  // Any event moves the horizon; exactly at it, the first has left.
  Apply(Contact(kNow));
  ASSERT_EQ(state_.responses().size(), 1u);
  EXPECT_EQ(state_.responses()[0].decision, DecisionIdHash("d-1"));
  // A response already past the horizon is not kept, but is returned.
  EXPECT_TRUE(
      state_.Apply(Feedback(t0, "d-2", "a", "accepted"), config_, strings_)
          .has_value());
  EXPECT_EQ(state_.responses().size(), 1u);
  Apply(Contact(kNow + 1));
  EXPECT_TRUE(state_.responses().empty());
  EXPECT_EQ(Summarize(kNow + 1).events, 5u);
}

// --- Bind
// ----------------------------------------------------------------------

class CustomerStateBindTest : public CustomerStateTest {
 protected:
  CustomerStateBindTest() {
    EXPECT_TRUE(DeclareContextVariables(&env_).ok());
    absl::StatusOr<StateConfig> config = StateConfig::FromText(R"pb(
      metrics {
        name: "calls"
        aggregation: COUNT
        filter: "event.channel == 'voice'"
        window: "30d"
      }
      metrics { name: "spend" aggregation: SUM field: "value" window: "90d" }
      metrics {
        name: "plan"
        aggregation: LAST
        field: "attributes.plan"
        window: "90d"
      }
    )pb");
    EXPECT_TRUE(config.ok()) << config.status();
    config_ = *std::move(config);
  }

  // `rule` over `state` bound as of kNow; the state is gone before the rule
  // runs, as when the caller has released the shard lock.
  std::string Eval(const std::string& rule, CustomerState state) {
    auto program = expr::Program::Compile(rule, env_);
    EXPECT_TRUE(program.ok()) << rule << ": " << program.status();
    if (!program.ok()) return "did not compile";
    expr::Activation activation(env_);
    {
      const CustomerState gone = std::move(state);
      absl::Status bound =
          gone.Bind("c1", kNow, config_, strings_, &activation, &arena_);
      EXPECT_TRUE(bound.ok()) << bound;
    }
    return DebugString((*program)->Evaluate(activation, &arena_));
  }

  expr::Environment env_;
  expr::Arena arena_;
};

TEST_F(CustomerStateBindTest, BindsAKnownCustomer) {
  Apply(Contact(kNow - 2 * kDay).Topic("billing").Attribute("tier", "gold"));
  Apply(Contact(kNow - kDay).Topic("billing").NumberAttribute("seats", 4));
  Apply(EventBuilder("purchase", kNow - kDay)
            .Value(120)
            .Attribute("plan", "pro"));
  EXPECT_EQ(Eval("customer.known", state_), "true");
  EXPECT_EQ(Eval("customer.id", state_), "\"c1\"");
  EXPECT_EQ(Eval("customer.events", state_), "3");
  EXPECT_EQ(Eval("contacts.d7", state_), "2");
  EXPECT_EQ(Eval("last_contact.topic", state_), "\"billing\"");
  EXPECT_EQ(Eval("customer.attributes.tier", state_), "\"gold\"");
  EXPECT_EQ(Eval("customer.attributes.seats", state_), "4.0");
  EXPECT_EQ(Eval("metrics.calls", state_), "2.0");
  EXPECT_EQ(Eval("metrics.spend", state_), "120.0");
  EXPECT_EQ(Eval("metrics.plan", state_), "\"pro\"");

  // The same values as Describe shows.
  v1::Context context;
  state_.Describe("c1", kNow, config_, strings_, &context);
  EXPECT_EQ(context.metrics().at("calls").number_value(), 2);
  EXPECT_EQ(context.metrics().at("plan").string_value(), "pro");
}

TEST_F(CustomerStateBindTest, MetricsWithNothingInTheirWindow) {
  Apply(Contact(kNow - 40 * kDay));
  EXPECT_EQ(Eval("metrics.calls", state_), "0.0");
  EXPECT_EQ(Eval("has(metrics.plan)", state_), "false");
  EXPECT_EQ(Eval("customer.attributes", state_), "{}");
}

TEST_F(CustomerStateBindTest, BindsAnUnknownCustomer) {
  const CustomerState unknown;
  EXPECT_EQ(Eval("customer.known", unknown), "false");
  EXPECT_EQ(Eval("customer.events", unknown), "0");
  EXPECT_EQ(Eval("metrics", unknown), "{}");
  EXPECT_EQ(Eval("customer.attributes", unknown), "{}");
  EXPECT_EQ(Eval("last_contact", unknown), "{}");
  EXPECT_EQ(Eval("contacts.d90", unknown), "0");
}

TEST_F(CustomerStateBindTest, AnUndeclaredVariableIsNotFound) {
  expr::Environment bare;
  expr::Activation activation(bare);
  EXPECT_EQ(
      state_.Bind("c1", kNow, config_, strings_, &activation, &arena_).code(),
      absl::StatusCode::kNotFound);
}

TEST(StateConfigTest, DefaultsAndOverrides) {
  absl::StatusOr<StateConfig> config = StateConfig::FromText("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->signals.window_days, 90u);
  EXPECT_EQ(config->recent_events, 3u);
  EXPECT_EQ(config->horizon_us(), 90 * kDay);

  config = StateConfig::FromText(
      "signals { window_days: 120 strikes_to_leave: 2 } recent_events: 0");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->signals.window_days, 120u);
  EXPECT_EQ(config->signals.strikes_to_leave, 2u);
  EXPECT_EQ(config->recent_events, 0u);
  EXPECT_EQ(config->horizon_us(), 120 * kDay);
}

TEST(StateConfigTest, ErrorsNameTheLineOrTheField) {
  absl::StatusOr<StateConfig> config =
      StateConfig::FromText("signals {\n  window_dayz: 3 }");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), ::testing::HasSubstr("line 2"));

  config = StateConfig::FromText("signals { window_days: 0 }");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(base::ErrorField(config.status()), "signals.window_days");

  config = StateConfig::FromText("signals { strike_sentiment_below: -3 }");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(base::ErrorField(config.status()),
            "signals.strike_sentiment_below");

  config = StateConfig::FromText("recent_events: 65");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(base::ErrorField(config.status()), "recent_events");
}

}  // namespace
}  // namespace motive::state
