// CustomerState: one customer's compact projection of the event log, folded
// one event at a time, from which the signals of signals.h are read in time
// that does not grow with the customer's history.
//
// Layout. All-time signals (moments, purchases, survey answers, the latest
// contact, stage, weighted sentiment, open topics, attributes) are plain
// fields updated on each event. Windowed signals come from `held_`: one
// 64-byte HeldEvent per event inside the horizon (the longest window, from the
// customer's newest event), in event-time order, each carrying the running
// totals of everything windows count up to and including itself. A window is
// then two binary searches and one subtraction, whatever its population.
// Running totals are unsigned and wrap: a difference of two is exact as long
// as a window holds fewer than 65,536 events of a kind. Events that leave the
// horizon are dropped, so memory follows recent activity, not history.
//
// Order. Events may arrive late: a late one is inserted in order and the
// totals and repeat flags after it recomputed. Folding the same events in the
// same order always gives the same state (the engine folds in log order), so
// a state rebuilt from the log equals the one built incrementally, and one
// restored from a snapshot equals both.
//
// Queries answer as of a time not before the newest event (the live case);
// the engine replays the log for earlier times.
//
// Not thread-safe: StateStore's shard locks guard it.

#ifndef MOTIVE_STATE_CUSTOMER_STATE_H_
#define MOTIVE_STATE_CUSTOMER_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "state/interner.h"
#include "state/metrics.h"
#include "state/signals.h"

namespace motive::state {

class SnapshotWriter;
class SnapshotReader;

// What the state keeps, fixed while an engine is open.
struct StateConfig {
  SignalOptions signals;
  // Null when no metric is declared.
  std::shared_ptr<const MetricSet> metrics;
  uint32_t recent_events = 3;

  // Parses and checks a v1::ContextConfig (text format; "" gives the
  // defaults). Errors name the line or the field.
  static absl::StatusOr<StateConfig> FromText(absl::string_view text);
  static absl::StatusOr<StateConfig> FromProto(const v1::ContextConfig& proto);

  // How far back from the newest event windows reach, in microseconds.
  int64_t horizon_us() const;
};

// Running totals of what windows count. Unsigned counters wrap (see above).
struct WindowTotals {
  uint16_t contacts[kChannelCount];
  uint16_t repeats;
  uint16_t strikes;
  uint16_t negative_zero;
  uint16_t sentiments;  // events that carry a sentiment
  // Their sentiment in thousandths, two's complement (wraps like the rest).
  uint32_t sentiment_milli;
  uint32_t transfers;
  uint64_t hold_ms;

  WindowTotals& operator+=(const WindowTotals& other);
  WindowTotals& operator-=(const WindowTotals& other);
};
static_assert(sizeof(WindowTotals) == 48);

// One event inside the horizon. Its own contribution is its totals minus its
// predecessor's (or the state's base, for the first).
struct HeldEvent {
  enum Flag : uint8_t {
    kContact = 1,
    kRepeat = 2,
    kStrike = 4,
    kUnresolved = 8,
  };
  int64_t time_us;
  uint32_t topic;  // Interner id.
  uint8_t channel;
  uint8_t outcome;
  uint8_t flags;
  uint8_t unused;
  WindowTotals totals;
};
static_assert(sizeof(HeldEvent) == 64);

class CustomerState {
 public:
  CustomerState() = default;

  // Folds one event (valid and complete: model::PrepareEvent ran) into the
  // state. `strings` interns its topic, agent and attributes.
  void Apply(const v1::Event& event, const StateConfig& config,
             Interner& strings);

  // The newest occurred_at folded in (0 for a state with no event).
  int64_t newest_us() const { return newest_us_; }

  // Fills `out` as of `as_of_us`, which must be >= newest_us(). Allocates
  // nothing.
  void Summarize(int64_t as_of_us, const StateConfig& config,
                 const Interner& strings, Summary* out) const;

  // The full context (summary, metrics, attributes, recent events) as of
  // `as_of_us` >= newest_us().
  void Describe(absl::string_view customer_id, int64_t as_of_us,
                const StateConfig& config, const Interner& strings,
                v1::Context* out) const;

  // Bytes of memory the state holds, itself included.
  size_t bytes() const;
  size_t held_events() const { return held_.size(); }
  size_t metric_samples() const;
  // Of bytes(): the latest events kept for the full context.
  size_t recent_event_bytes() const;

  void Save(SnapshotWriter& out) const;
  bool Load(SnapshotReader& in, const StateConfig& config);

 private:
  struct Topic {
    uint32_t topic;
    int32_t outcome;
    int64_t time_us;
  };
  struct Attribute {
    uint32_t key;
    uint32_t text;  // kEmpty for numbers and booleans
    int64_t time_us;
    double number;
    int32_t kind;  // google::protobuf::Value::KindCase
  };
  struct Recent {
    int64_t time_us;
    std::string event;  // serialized v1::Event
  };

  // Holds an event for the windows (when it is inside the horizon) with its
  // own contribution `own`, keeping held_ in order; returns whether it is a
  // repeat contact.
  bool Hold(int64_t time_us, uint32_t topic, const v1::Event& event,
            uint8_t flags, WindowTotals own, const StateConfig& config);
  // Whether a contact on `topic` at `time_us` repeats the latest contact on
  // the same topic held before index `end`.
  bool IsRepeat(uint32_t topic, int64_t time_us, size_t end,
                const StateConfig& config) const;
  void RefreshLastRepeat();
  // Drops held events at or before `horizon_start_us`.
  void Forget(int64_t horizon_start_us);
  // The totals of held events with time > since_us (as_of >= newest).
  WindowTotals Since(int64_t since_us) const;
  void NoteTopic(uint32_t topic, int32_t outcome, int64_t time_us);
  void CountOpenIssues();
  void NoteAttributes(const v1::Event& event, int64_t time_us,
                      Interner& strings);
  void NoteRecent(const v1::Event& event, int64_t time_us, uint32_t keep);

  // --- all time ---
  uint64_t events_ = 0;
  int64_t first_us_ = 0;
  int64_t newest_us_ = 0;
  uint32_t moments_[kMomentCount] = {};
  int32_t stage_ = 0;
  int64_t stage_us_ = 0;

  LastContact last_contact_{};  // topic and agent_id unset here: see ids
  uint32_t last_topic_ = 0;
  uint32_t last_agent_ = 0;

  double sentiment_last_ = 0;
  int64_t sentiment_last_us_ = 0;  // 0: none yet
  // Exponentially weighted sentiment: sum of s*w and of w, with weights
  // 2^((t - weight_ref_us_) / half-life), rescaled when the reference moves.
  double weighted_sum_ = 0;
  double weight_total_ = 0;
  int64_t weight_ref_us_ = 0;

  uint32_t purchases_ = 0;
  double lifetime_value_ = 0;
  int64_t last_purchase_us_ = 0;
  int32_t csat_ = -1;
  int64_t csat_us_ = 0;
  int32_t nps_ = -1;
  int64_t nps_us_ = 0;

  std::vector<Topic> topics_;  // at most kMaxTopics, most recent last
  // Topics in topics_ with an unresolved outcome: kept apart so that a
  // summary does not read topics_ (one cache miss fewer).
  uint32_t open_issues_ = 0;
  std::vector<Attribute> attributes_;
  std::vector<Recent> recent_;  // event-time order

  // --- windows ---
  // The totals of everything dropped from the front of held_.
  WindowTotals base_{};
  std::vector<HeldEvent> held_;
  std::vector<MetricSeries> metrics_;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_CUSTOMER_STATE_H_
