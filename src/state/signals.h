// The built-in signals of a customer's context, with their exact definitions.
//
// Every signal is computed "as of" a time T (the query's as-of time, now by
// default) over the customer's events whose occurred_at is <= T. A window of
// D days holds the events with T - D days < occurred_at <= T: an event exactly
// D days old has left it.
//
// Definitions (SignalOptions gives the configurable numbers, defaults in
// brackets):
//
// - A *contact* is an event whose moment is INTERIM (the journey map puts type
//   `contact` and the voice, chat, email and SMS channels there).
// - contacts[w]: contacts in the last 7, 30 and 90 days, in all and by channel.
// - last_contact: the contact with the latest occurred_at (ties: the one
//   appended last).
// - A contact is a *repeat* when the customer's previous contact on the same
//   non-empty topic (the latest before it in event time, within the horizon:
//   the longest of 90 days, window_days and repeat_window_days, back from the
//   customer's newest event) happened at most repeat_window_days [7] before
//   it, or ended unresolved. An event that arrives already older than the
//   horizon counts in the all-time signals only.
//   *Unresolved* outcomes: UNRESOLVED, ESCALATED, ABANDONED, CALLBACK.
// - repeat_contacts, transfers (sum), hold_ms (sum): over contacts in the
//   signal window (window_days [90]).
// - open_issues: topics whose latest contact ended unresolved (at most
//   kMaxTopics topics are tracked; the least recent are forgotten first).
// - A *bad experience* (strike) is one event that meets any of: sentiment <
//   strike_sentiment_below [-0.5]; a contact that ended UNRESOLVED or
//   ABANDONED; transfers >= strike_transfers [2]; hold >= strike_hold_seconds
//   [600]; a survey answer of NPS 0-6 or CSAT 1-2; a review or social mention
//   (type `review`, `social_mention`) with sentiment < negative_review_below
//   [-0.2]. strikes counts them in the window; at_risk is strikes >=
//   strikes_to_leave [3] (the third bad experience is the one that makes a
//   customer leave). The full context lists them too (strike_events, the
//   newest kMaxStrikesListed), each with every threshold it met: one
//   function, StrikeCauses, decides both what counts and why.
// - sentiment_last: the sentiment of the latest event that has one;
//   sentiment_average: the mean over the window; sentiment_trend: the
//   exponentially weighted mean over all events (half-life
//   sentiment_half_life_days [14], weights by event time) minus the window
//   mean: above 0 improving, below 0 worsening. NaN when there is none.
// - stage: the stage of the latest event that has one; moments: events per
//   moment of truth, all time; negative_zero_moment: reviews and social
//   mentions in the window with sentiment < negative_review_below.
// - purchases: events of type `purchase` or `renewal`, all time;
//   lifetime_value: their `value` minus the `value` of `return` events (in the
//   events' own currency: motive does not convert); last_purchase_us and
//   days_since_purchase (whole days from it to T, -1 when none).
// - csat, nps: the latest survey answers (-1 when none); nps_category:
//   detractor 0-6, passive 7-8, promoter 9-10.
// - churn_risk in [0, 1]: the sum of six factors, each a weight times a level
//   in [0, 1]:
//     strikes            0.35 * min(strikes / strikes_to_leave, 1)
//     repeat_contacts    0.15 * min(repeat_contacts / 3, 1)
//     detractor          0.15 * (nps_category == detractor, or csat <= 2)
//     negative_sentiment 0.15 * clamp(-sentiment_average, 0, 1)
//     open_issues        0.10 * min(open_issues / 2, 1)
//     lapsed_purchase    0.10 * (a purchase more than 180 days before T)
//   churn_factors holds each factor's contribution, in that order.

#ifndef MOTIVE_STATE_SIGNALS_H_
#define MOTIVE_STATE_SIGNALS_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "motive/v1/context.pb.h"

namespace motive::state {

inline constexpr int kChannelCount = 12;  // v1::Channel values.
inline constexpr int kMomentCount = 7;    // v1::Moment values.
inline constexpr int kChurnFactorCount = 6;
inline constexpr int kMaxTopics = 32;
// The contact windows, in days.
inline constexpr int kContactWindowDays[3] = {7, 30, 90};

inline constexpr const char* kChurnFactorNames[kChurnFactorCount] = {
    "strikes",     "repeat_contacts", "detractor", "negative_sentiment",
    "open_issues", "lapsed_purchase"};

struct SignalOptions {
  uint32_t window_days = 90;
  uint32_t repeat_window_days = 7;
  double strike_sentiment_below = -0.5;
  uint32_t strike_transfers = 2;
  uint32_t strike_hold_seconds = 600;
  double negative_review_below = -0.2;
  uint32_t strikes_to_leave = 3;
  uint32_t sentiment_half_life_days = 14;

  // Applies a configuration over the defaults; InvalidArgument naming the
  // field when a value is out of range.
  static absl::StatusOr<SignalOptions> FromProto(const v1::SignalConfig& proto);
};

enum class NpsCategory : int32_t {
  kNone = 0,
  kDetractor = 1,
  kPassive = 2,
  kPromoter = 3
};

struct ContactCounts {
  uint32_t total;
  uint32_t by_channel[kChannelCount];  // Indexed by v1::Channel.
};

struct LastContact {
  int64_t time_us;  // 0 when the customer has had no contact.
  int32_t channel;  // v1::Channel.
  int32_t outcome;  // v1::Outcome.
  // Owned by the engine's string table: valid while the engine is open.
  const char* topic;
  const char* agent_id;
  uint32_t transfers;
  int64_t hold_ms;
  double sentiment;  // NaN when the contact had none.
  uint8_t repeat;
};

// Plain data, filled without allocating. Times are microseconds since the
// Unix epoch.
struct Summary {
  int64_t as_of_us;
  uint8_t known;  // 0: no event at or before as_of.
  uint64_t events;
  int64_t first_seen_us;
  int64_t last_seen_us;

  ContactCounts contacts[3];  // 7, 30, 90 days.
  LastContact last_contact;

  uint32_t window_days;
  uint32_t repeat_contacts;
  uint32_t transfers;
  int64_t hold_ms;
  uint32_t open_issues;
  uint32_t strikes;
  uint8_t at_risk;

  double sentiment_last;
  double sentiment_average;
  double sentiment_trend;

  int32_t stage;                   // v1::Stage.
  uint32_t moments[kMomentCount];  // Indexed by v1::Moment.
  uint32_t negative_zero_moment;

  uint32_t purchases;
  double lifetime_value;
  int64_t last_purchase_us;  // 0 when none.
  int32_t days_since_purchase;

  int32_t csat;
  int32_t nps;
  NpsCategory nps_category;

  double churn_risk;
  double churn_factors[kChurnFactorCount];
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_SIGNALS_H_
