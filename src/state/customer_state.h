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
// horizon are dropped, so memory follows recent activity, not history; the
// totals of all dropped, from which a window reaching back to the first held
// event subtracts, stay in held_'s first element, flagged kBase, rather than
// in 48 bytes of every state (three customers in four never drop any).
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
// Responses. Feedback on next-best-action decisions is an ordinary event in
// the log (so it is durable and replays like the rest), of the type and with
// the attributes below. The state keeps the customer's recent responses,
// which the decide layer reads for contact policy (caps, cool-offs); the
// StateStore counts them across customers for learning.
//
// Not thread-safe: StateStore's shard locks guard it.

#ifndef MOTIVE_STATE_CUSTOMER_STATE_H_
#define MOTIVE_STATE_CUSTOMER_STATE_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "expr/value.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/compact_vector.h"
#include "state/context_variables.h"
#include "state/interner.h"
#include "state/metrics.h"
#include "state/recent_events.h"
#include "state/signals.h"

namespace motive::expr {
class Activation;
}  // namespace motive::expr

namespace motive::state {

// --- the feedback event ------------------------------------------------------
//
// An event of type kFeedbackEventType records what became of one action of
// one decision. Its attributes, all string values:
//   decision_id  required: the decision's id, as decide returned it
//   action       required: the action's id in the ruleset
//   outcome      required: "offered", "accepted", "rejected", "ignored" or
//                "converted" (FeedbackOutcomeName)
//   group        optional: the action's group, so that group caps need not
//                look the action up in a ruleset that may have changed since
// The event's channel is the channel the action was offered on, occurred_at
// the time of the feedback. A feedback event with a required attribute
// missing or empty, an attribute that is not a string or an unknown outcome
// records no response but is folded otherwise like a well-formed one (see
// below): the log keeps whatever callers sent, and a malformed record must
// not stop a replay.
//
// A feedback event, well formed or not, is the engine's record of what
// became of an offer, not something the customer did: it counts in events,
// first and last seen, the recent events and user metrics (whose filters can
// tell it by its type), but in no built-in signal. Otherwise the default
// journey map would make feedback on a voice offer a contact (INTERIM, stage
// EXPERIENCE), counting the same call twice and making it a repeat; and its
// attributes would become customer attributes (customer.attributes showing
// `action` and `outcome`, every decision id taking a place in the
// never-shrinking string table).
inline constexpr absl::string_view kFeedbackEventType = "decision_feedback";
inline constexpr absl::string_view kFeedbackDecisionId = "decision_id";
inline constexpr absl::string_view kFeedbackAction = "action";
inline constexpr absl::string_view kFeedbackOutcome = "outcome";
inline constexpr absl::string_view kFeedbackGroup = "group";

// The lower-case name of a FeedbackOutcome and back. Parse accepts exactly
// the five names above (not FEEDBACK_UNSPECIFIED); Name gives "" for
// FEEDBACK_UNSPECIFIED and for numbers the enum does not define. Static
// storage.
bool ParseFeedbackOutcome(absl::string_view name, v1::FeedbackOutcome* out);
absl::string_view FeedbackOutcomeName(v1::FeedbackOutcome outcome);

// A 64-bit hash of a decision id that is the same in every run and build
// (MurmurHash3, fixed seed), so that responses in a snapshot and decision
// ids handed out after a restart agree. absl::Hash is salted per process.
uint64_t DecisionIdHash(absl::string_view decision_id);

// How many responses a customer keeps, and for how long: those within
// kResponseHorizonUs before the customer's newest event (time > newest -
// horizon), the newest kMaxResponses of them. The longest contact-policy
// window must fit inside the horizon; 400 days covers a yearly cap with
// room to spare.
inline constexpr size_t kMaxResponses = 256;
inline constexpr int64_t kResponseHorizonUs =
    int64_t{400} * 86400 * 1000 * 1000;

// One response, 32 bytes, so that a customer's 256 fit in 8 KiB.
struct Response {
  int64_t time_us;    // the feedback event's occurred_at
  uint64_t decision;  // DecisionIdHash(decision_id)
  uint32_t action;    // Interner id of the action
  uint32_t group;     // Interner id of the group; Interner::kEmpty when none
  uint8_t channel;    // v1::Channel
  uint8_t outcome;    // v1::FeedbackOutcome, never FEEDBACK_UNSPECIFIED
};
static_assert(sizeof(Response) == 32);

// The response a feedback event carries (interning its action and group in
// `strings`), or nullopt when the event is not a well-formed feedback event
// (see above). Nothing is interned for a malformed one.
std::optional<Response> ReadFeedback(const v1::Event& event, Interner& strings);

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
// predecessor's (its totals, for the first).
struct HeldEvent {
  enum Flag : uint8_t {
    kContact = 1,
    kRepeat = 2,
    kStrike = 4,
    kUnresolved = 8,
    // No event: the totals of every event dropped from the front of the
    // held events, first among them, at kBaseTimeUs, with no other flag.
    kBase = 16,
  };
  // Before every event and every window: no search stops at a base.
  static constexpr int64_t kBaseTimeUs = std::numeric_limits<int64_t>::min();
  int64_t time_us;
  uint32_t topic;  // Interner id.
  uint8_t channel;
  uint8_t outcome;
  uint8_t flags;
  uint8_t unused;
  WindowTotals totals;
};
static_assert(sizeof(HeldEvent) == 64);

// Why `event` is a bad experience, a strike (signals.h has the thresholds):
// bit (1 << c) for each v1::StrikeCause c it meets under `options`, 0 when
// it is none. The one definition of a strike: what the state counts and
// lists, and what journey maps highlight.
uint16_t StrikeCauses(const v1::Event& event, const SignalOptions& options);
inline bool IsStrike(const v1::Event& event, const SignalOptions& options) {
  return StrikeCauses(event, options) != 0;
}

// How many strikes the full context lists at most (the newest), and so how
// many a customer keeps the details of: enough for any strikes_to_leave an
// agent reads through, bounded for a customer whose every event is one.
inline constexpr size_t kMaxStrikesListed = 64;

// A strike kept for the context's list: the event, and the values its
// causes are read from (each meaningful only when its cause is set).
struct HeldStrike {
  int64_t time_us;
  int64_t hold_ms;
  std::string event_id;
  double sentiment;
  uint32_t topic;  // Interner id
  uint32_t transfers;
  int32_t nps;
  int32_t csat;
  uint16_t causes;  // StrikeCauses
  uint8_t channel;
};

class CustomerState {
 public:
  CustomerState() = default;

  // Folds one event (valid and complete: model::PrepareEvent ran) into the
  // state. `strings` interns its topic, agent and attributes. Returns the
  // response a well-formed feedback event carries (ReadFeedback), whether
  // or not this state keeps it (it may be past the horizon or older than
  // the kMaxResponses kept), so that learning counts every response once.
  // `body`, when not empty, is `event` serialized (the log's copy): kept as
  // a recent event rather than serialized again.
  std::optional<Response> Apply(const v1::Event& event,
                                const StateConfig& config, Interner& strings,
                                absl::string_view body = {});

  // The newest occurred_at folded in (0 for a state with no event).
  int64_t newest_us() const { return newest_us_; }

  // Fills `out` as of `as_of_us`, which must be >= newest_us(). Allocates
  // nothing.
  void Summarize(int64_t as_of_us, const StateConfig& config,
                 const Interner& strings, Summary* out) const;

  // Starts fetching what Summarize(as_of_us) will read beyond this object
  // (the held events of its windows), for a caller summarizing many
  // customers whose misses should overlap.
  void PrefetchSummary(int64_t as_of_us, const StateConfig& config) const;

  // Starts fetching what Bind(as_of_us) with `fields` and a decision's
  // contact policy will read beyond this object (the summary's held events,
  // attributes, metrics, responses), so that their misses overlap rather
  // than come one after another.
  void PrefetchBind(int64_t as_of_us, const StateConfig& config,
                    const ContextFields& fields) const;

  // Starts fetching what Apply will touch beyond this object (the ends of
  // the held events, the lists an event adds to, the latest events), for a
  // caller folding many events whose misses should overlap.
  void PrefetchApply() const;

  // The full context (summary, metrics, attributes, recent events) as of
  // `as_of_us` >= newest_us().
  void Describe(absl::string_view customer_id, int64_t as_of_us,
                const StateConfig& config, const Interner& strings,
                v1::Context* out) const;

  // Binds the context variables (context_variables.h) as of `as_of_us` >=
  // newest_us() into `activation`, with the same metrics and attributes as
  // Describe. An unknown customer (no event) binds known = false and empty
  // metrics and attributes maps. What is bound views `customer_id`, the
  // metric names of `config`, `strings` and `arena`, never this state: the
  // caller may let go of the state (and its shard lock) right after, but
  // must keep `customer_id`, `config` and `strings` while the activation is
  // used. Only `fields` are bound. Errors as BindContext's.
  absl::Status Bind(absl::string_view customer_id, int64_t as_of_us,
                    const StateConfig& config, const Interner& strings,
                    expr::Activation* activation, expr::Arena* arena,
                    const ContextFields& fields = ContextFields::All()) const;

  // The responses kept, in event-time order (ties: arrival order), each
  // within kResponseHorizonUs of newest_us(), at most kMaxResponses.
  absl::Span<const Response> responses() const { return responses_; }

  // Bytes of memory the state holds, itself included.
  size_t bytes() const;
  size_t held_events() const { return held_.size() - (HasBase() ? 1 : 0); }
  size_t metric_samples() const;
  // Of bytes(): the latest events kept for the full context.
  size_t recent_event_bytes() const;

  void Save(SnapshotWriter& out) const;
  bool Load(SnapshotReader& in, const StateConfig& config);

 private:
  // Load's sections, in the order of the layout
  // (customer_state_snapshot.cc): all time, last contact, sentiment and
  // commerce; topics, attributes, recent events, responses and strikes;
  // base, held events and metrics. Each is false for an invalid state.
  bool LoadScalars(SnapshotReader& in);
  bool LoadLists(SnapshotReader& in, const StateConfig& config);
  bool LoadStrikes(SnapshotReader& in);
  bool LoadWindows(SnapshotReader& in, const StateConfig& config);

  struct Topic {
    uint32_t topic;
    int32_t outcome;
    int64_t time_us;
  };
  // 20 bytes rather than 32, a customer keeping several a million customers
  // over: the text and the number share their place (an attribute has one
  // of the two), the kind shares the key's, and the struct is packed to 4
  // bytes (its members are read by name, never through a pointer).
#pragma pack(push, 4)
  struct Attribute {
    int64_t time_us;
    union {
      double number;  // numbers, and booleans as 0 or 1
      uint32_t text;  // kStringValue: an Interner id
    };
    uint32_t key : 24;  // Interner id, below Interner::kCapacity
    uint32_t kind : 8;  // google::protobuf::Value::KindCase
  };
#pragma pack(pop)
  static_assert(sizeof(Attribute) == 20);
  static_assert(Interner::kCapacity <= uint32_t{1} << 24);
  // Folds the built-in signals of an event that is not feedback: everything
  // but the all-time counts, responses, recent events and metrics.
  void FoldSignals(const v1::Event& event, int64_t time_us,
                   const StateConfig& config, Interner& strings);
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
  // Drops held events at or before `horizon_start_us`, the last of them
  // becoming held_'s base (kBase).
  void Forget(int64_t horizon_start_us);
  // A base (kBase) of `totals`.
  static HeldEvent Base(const WindowTotals& totals);
  // Whether held_ starts with a base (kBase).
  bool HasBase() const {
    return !held_.empty() && (held_.front().flags & HeldEvent::kBase);
  }
  // The totals of held events with time > since_us (as_of >= newest).
  WindowTotals Since(int64_t since_us) const;
  void NoteTopic(uint32_t topic, int32_t outcome, int64_t time_us);
  void CountOpenIssues();
  void NoteAttributes(const v1::Event& event, int64_t time_us,
                      Interner& strings);
  void NoteResponse(const Response& response);
  // Keeps the details of a strike inside the horizon (see strikes_).
  void NoteStrike(const v1::Event& event, int64_t time_us, uint16_t causes,
                  const StateConfig& config, Interner& strings);
  // Drops responses at or before newest_us_ - kResponseHorizonUs.
  void ForgetResponses();
  // The value of metric `metric` of `config` as of `as_of_us`: what Describe
  // shows and Bind binds.
  MetricResult QueryMetric(size_t metric, int64_t as_of_us,
                           const StateConfig& config) const;

  // --- all time ---
  uint64_t events_ = 0;
  int64_t first_us_ = 0;
  int64_t newest_us_ = 0;
  uint32_t moments_[kMomentCount] = {};
  int32_t stage_ = 0;
  int64_t stage_us_ = 0;

  // The latest contact: the summary's LastContact without its strings
  // (ids here, which Summarize resolves) and in the narrowest fields that
  // hold what a valid event carries: 40 bytes rather than 64 and two ids.
  struct Contact {
    int64_t time_us;  // 0 when the customer has had no contact.
    int64_t hold_ms;
    double sentiment;  // NaN when the contact had none.
    uint32_t transfers;
    uint32_t topic;  // Interner ids.
    uint32_t agent;
    uint8_t channel;  // v1::Channel.
    uint8_t outcome;  // v1::Outcome.
    uint8_t repeat;
  };
  Contact last_contact_{};

  double sentiment_last_ = 0;
  int64_t sentiment_last_us_ = 0;  // 0: none yet
  // Exponentially weighted sentiment: sum of s*w and of w, with weights
  // 2^((t - weight_ref_us_) / half-life), rescaled when the reference moves.
  double weighted_sum_ = 0;
  double weight_total_ = 0;
  int64_t weight_ref_us_ = 0;

  // The 32-bit fields together, so that none leaves a hole before a 64-bit
  // one (16 bytes a customer).
  double lifetime_value_ = 0;
  int64_t last_purchase_us_ = 0;
  int64_t csat_us_ = 0;
  int64_t nps_us_ = 0;
  uint32_t purchases_ = 0;
  int32_t csat_ = -1;
  int32_t nps_ = -1;
  // Topics in topics_ with an unresolved outcome: kept apart so that a
  // summary does not read topics_ (one cache miss fewer).
  uint32_t open_issues_ = 0;

  // Lists that queries read whole or not at all, one pointer each
  // (compact_vector.h); held_ is a std::vector because a summary reads its
  // end before anything else in it.
  CompactVector<Topic> topics_;  // at most kMaxTopics, most recent last
  CompactVector<Attribute> attributes_;
  RecentEvents recent_;
  // Event-time order, ties in arrival order; see kMaxResponses.
  CompactVector<Response> responses_;
  // The strikes among held_ (those flagged kStrike), the newest
  // kMaxStrikesListed of them: the same order, the same horizon.
  CompactVector<HeldStrike> strikes_;

  // --- windows ---
  // Event-time order, after its base if it has one (kBase).
  std::vector<HeldEvent> held_;
  CompactVector<MetricSeries> metrics_;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_CUSTOMER_STATE_H_
