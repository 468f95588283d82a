// Comparing summaries field by field in tests: strings by their text (two
// engines intern them at different addresses), NaNs as equal to NaNs.

#ifndef MOTIVE_TESTS_TESTING_SUMMARY_TESTING_H_
#define MOTIVE_TESTS_TESTING_SUMMARY_TESTING_H_

#include <algorithm>
#include <cmath>
#include <string>

#include "gtest/gtest.h"
#include "state/signals.h"

namespace motive::testing {

// Within `tolerance`, relative: sums folded in another order may differ in
// their last bits.
inline bool SameDouble(double a, double b, double tolerance = 0) {
  return (std::isnan(a) && std::isnan(b)) || a == b ||
         std::abs(a - b) <= tolerance * std::max(std::abs(a), std::abs(b));
}

// Reports every field that differs, named, with `where` to tell cases apart.
// Doubles within `tolerance` (relative), for states folded in different
// orders.
inline void ExpectSameSummary(const state::Summary& a, const state::Summary& b,
                              const std::string& where = "",
                              double tolerance = 0) {
  SCOPED_TRACE(where);
#define MOTIVE_EXPECT_FIELD(f) EXPECT_EQ(a.f, b.f) << #f
#define MOTIVE_EXPECT_DOUBLE(f)                \
  EXPECT_TRUE(SameDouble(a.f, b.f, tolerance)) \
      << #f << ": " << a.f << " vs " << b.f
  MOTIVE_EXPECT_FIELD(as_of_us);
  MOTIVE_EXPECT_FIELD(known);
  MOTIVE_EXPECT_FIELD(events);
  MOTIVE_EXPECT_FIELD(first_seen_us);
  MOTIVE_EXPECT_FIELD(last_seen_us);
  for (int w = 0; w < 3; ++w) {
    MOTIVE_EXPECT_FIELD(contacts[w].total);
    for (int c = 0; c < state::kChannelCount; ++c) {
      MOTIVE_EXPECT_FIELD(contacts[w].by_channel[c]);
    }
  }
  MOTIVE_EXPECT_FIELD(last_contact.time_us);
  MOTIVE_EXPECT_FIELD(last_contact.channel);
  MOTIVE_EXPECT_FIELD(last_contact.outcome);
  EXPECT_STREQ(a.last_contact.topic, b.last_contact.topic);
  EXPECT_STREQ(a.last_contact.agent_id, b.last_contact.agent_id);
  MOTIVE_EXPECT_FIELD(last_contact.transfers);
  MOTIVE_EXPECT_FIELD(last_contact.hold_ms);
  MOTIVE_EXPECT_DOUBLE(last_contact.sentiment);
  MOTIVE_EXPECT_FIELD(last_contact.repeat);
  MOTIVE_EXPECT_FIELD(window_days);
  MOTIVE_EXPECT_FIELD(repeat_contacts);
  MOTIVE_EXPECT_FIELD(transfers);
  MOTIVE_EXPECT_FIELD(hold_ms);
  MOTIVE_EXPECT_FIELD(open_issues);
  MOTIVE_EXPECT_FIELD(strikes);
  MOTIVE_EXPECT_FIELD(at_risk);
  MOTIVE_EXPECT_DOUBLE(sentiment_last);
  MOTIVE_EXPECT_DOUBLE(sentiment_average);
  MOTIVE_EXPECT_DOUBLE(sentiment_trend);
  MOTIVE_EXPECT_FIELD(stage);
  for (int m = 0; m < state::kMomentCount; ++m) MOTIVE_EXPECT_FIELD(moments[m]);
  MOTIVE_EXPECT_FIELD(negative_zero_moment);
  MOTIVE_EXPECT_FIELD(purchases);
  MOTIVE_EXPECT_DOUBLE(lifetime_value);
  MOTIVE_EXPECT_FIELD(last_purchase_us);
  MOTIVE_EXPECT_FIELD(days_since_purchase);
  MOTIVE_EXPECT_FIELD(csat);
  MOTIVE_EXPECT_FIELD(nps);
  MOTIVE_EXPECT_FIELD(nps_category);
  MOTIVE_EXPECT_DOUBLE(churn_risk);
  for (int f = 0; f < state::kChurnFactorCount; ++f) {
    MOTIVE_EXPECT_DOUBLE(churn_factors[f]);
  }
#undef MOTIVE_EXPECT_FIELD
#undef MOTIVE_EXPECT_DOUBLE
}

// A summary that owns its strings, to compare after its engine has closed.
class OwnedSummary {
 public:
  explicit OwnedSummary(const state::Summary& summary)
      : summary_(summary),
        topic_(summary.last_contact.topic),
        agent_id_(summary.last_contact.agent_id) {
    summary_.last_contact.topic = topic_.c_str();
    summary_.last_contact.agent_id = agent_id_.c_str();
  }
  OwnedSummary(const OwnedSummary& other) : OwnedSummary(other.summary_) {}
  OwnedSummary& operator=(const OwnedSummary&) = delete;

  const state::Summary& get() const { return summary_; }

 private:
  state::Summary summary_;
  std::string topic_;
  std::string agent_id_;
};

// A summary that outlives the engine it came from: a summary's strings are
// the engine's, so they are copied here and the copy points at them.
class KeptSummary {
 public:
  explicit KeptSummary(const state::Summary& summary)
      : summary_(summary),
        topic_(Text(summary.last_contact.topic)),
        agent_id_(Text(summary.last_contact.agent_id)) {
    summary_.last_contact.topic =
        summary.last_contact.topic ? topic_.c_str() : nullptr;
    summary_.last_contact.agent_id =
        summary.last_contact.agent_id ? agent_id_.c_str() : nullptr;
  }
  KeptSummary(const KeptSummary&) = delete;
  KeptSummary& operator=(const KeptSummary&) = delete;

  const state::Summary& get() const { return summary_; }

 private:
  static std::string Text(const char* s) { return s ? s : ""; }

  state::Summary summary_;
  std::string topic_;
  std::string agent_id_;
};

}  // namespace motive::testing

#endif  // MOTIVE_TESTS_TESTING_SUMMARY_TESTING_H_
