// Ruleset: a compiled v1::Ruleset (ruleset.proto), ready to decide.
//
// Compile parses the text (protobuf text format, or JSON when it starts with
// '{'), checks every reference (rules name declared actions, names are
// unique, windows and times parse) and compiles every expression and
// template against the rule environment: `event`, `now`, `customer`,
// `contacts`, `last_contact`, `metrics` (state/context_variables.h) and
// `situation`. An error names the file, the line and column of the field
// (text format), its path and what is wrong:
//   rules.textproto:42:5: playbooks[1].rules[0].eligibility: undeclared ...
//
// A decision (Decide), step by step:
//  1. The context is bound as of the situation's time, with `situation` a
//     map: channel, topic, agent_id, direction (lower-case names) and time.
//     `now` is the situation's time; `event` is unbound (a rule reading it
//     does not match).
//  2. Each playbook that is not proactive is tried in order: its channels,
//     topics and directions must contain the situation's (when not empty),
//     then its condition must be true. Each matching playbook's rules are
//     candidates, checked in this order, the first failure dropping them
//     with its stage: validity (the action's dates), channel (the action's
//     channels), eligibility, applicability, suitability (false, or an
//     error: a rule over a value the customer does not have does not
//     match), weight (not a number >= 0), lever (0), then contact policy
//     (decide/policy.h): cap, cool_off, quiet_hours.
//  3. A candidate's score is propensity x context weight x value x lever
//     (ruleset.proto, Arbitration). When several rules propose one action,
//     the best (higher tier, then higher score, then earlier in the file)
//     stays and the others are dropped as "duplicate".
//  4. Candidates are ranked by tier (Rule.priority), then score, then order
//     in the file; the first max_results are the answer, the rest are
//     dropped as "max_results". The answer's scripts and reasons are filled.
// Every step is a function of the state, the ruleset and the situation: the
// same log, ruleset and time give the same decision, id included.
//
// Proactive playbooks are evaluated on ingest (Proactive, Alerts): a rule is
// *on* for a customer when its playbook matches the situation of the event
// (direction proactive, the event's channel and topic, the event's time) and
// its three conditions hold; the engine raises an alert when an event turns
// a rule on.
//
// Immutable after Compile; Decide may run on many threads at once.

#ifndef MOTIVE_DECIDE_RULESET_H_
#define MOTIVE_DECIDE_RULESET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "decide/feedback.h"
#include "decide/policy.h"
#include "decide/script.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/context_variables.h"
#include "state/customer_state.h"
#include "state/interner.h"
#include "state/state_store.h"

namespace motive::decide {

class Ruleset : public std::enable_shared_from_this<Ruleset> {
 public:
  static constexpr double kDefaultPrior = 1.0;
  class Trace;

  // Parses and compiles `text`; `origin` (a file name) prefixes errors.
  // Interns the action ids and groups in `strings` (the engine's table).
  // Errors: ParseError for syntax, InvalidArgument for the rest, both
  // located as above.
  static absl::StatusOr<std::shared_ptr<const Ruleset>> Compile(
      absl::string_view text, absl::string_view origin,
      state::Interner& strings);
  ~Ruleset();

  // Only parses (no checks, nothing interned): for reading the metrics
  // before the state that Compile's string ids must follow is built.
  // Errors: Compile's syntax errors.
  static absl::StatusOr<v1::Ruleset> Parse(absl::string_view text,
                                           absl::string_view origin);

  // `origin` as errors name it ("ruleset" when empty).
  static std::string Origin(absl::string_view origin);

  // Ruleset.version, else "sha-" and 16 hex digits of the text's digest.
  const std::string& version() const { return version_; }
  // The metrics the ruleset declares, for the context configuration.
  const google::protobuf::RepeatedPtrField<v1::MetricDefinition>& metrics()
      const {
    return proto_.metrics();
  }
  bool has_proactive() const { return !proactive_.empty(); }
  size_t action_count() const;
  size_t rule_count() const { return rule_count_; }

  // The action's group ("" when it has none or is unknown), for feedback.
  absl::string_view GroupOf(absl::string_view action) const;
  bool HasAction(absl::string_view action) const;

  // How much of a decision Decide writes. kFull: all the API promises.
  // kRanking: what a replay compares: the ranked actions without their
  // scripts, titles and reasons, and of the dropped candidates only those
  // contact policy dropped (stages cap, cool_off, quiet_hours).
  enum class Detail { kFull, kRanking };

  // Decides for `customer` (its state, or an empty one for an unknown
  // customer) as of situation.time, which must be set. `store` gives the
  // configuration, the string table and the learned propensities.
  // Errors: only the binding's (Internal), which a valid state never has.
  absl::Status Decide(absl::string_view customer_id,
                      const v1::Situation& situation,
                      const state::CustomerState& customer,
                      const state::StateStore& store, v1::Decision* out,
                      Detail detail = Detail::kFull) const;
  // The same, with the dropped candidates in `trace` (Trace, below) and
  // `out`'s `dropped` left empty: what a caller that may not read them
  // calls. `detail` is then only about the ranked actions.
  absl::Status Decide(absl::string_view customer_id,
                      const v1::Situation& situation,
                      const state::CustomerState& customer,
                      const state::StateStore& store, v1::Decision* out,
                      Trace* trace, Detail detail = Detail::kFull) const;

  // Which proactive rules are on for the customer as of `now_us`, in the
  // situation of `event` (the event being ingested: its channel and topic,
  // direction proactive), with `seen` bound as `event` (null before the
  // event is folded in: rules reading `event` are then off, so that each
  // matching event is an edge). Bit i for proactive rule i (Compile refuses
  // more than 64).
  uint64_t Proactive(absl::string_view customer_id, const v1::Event& event,
                     const v1::Event* seen, int64_t now_us,
                     const state::CustomerState& customer,
                     const state::StateStore& store) const;

  // The alerts for the rules in `turned_on` (bits as above), each checked
  // against contact policy (a dropped one is not raised) and given its
  // delivery time (quiet hours). Appends to `out`.
  void Alerts(absl::string_view customer_id, const v1::Event& event,
              int64_t now_us, uint64_t turned_on,
              const state::CustomerState& customer,
              const state::StateStore& store,
              std::vector<v1::Alert>* out) const;

  // Folds `event` into `store` and appends to `out` the alerts it raises:
  // the proactive rules before it (the state without it, `event` unbound)
  // against after it, as of the event's time (of the customer's newest
  // event when it comes late), so that alerts follow from the log, not from
  // when it was ingested. Each event is an edge or not. The caller keeps
  // other folds of the same customer away meanwhile.
  // `body`: see state::CustomerState::Apply.
  void Fold(const v1::Event& event, state::StateStore& store,
            std::vector<v1::Alert>* out, absl::string_view body = {}) const;

 private:
  struct Action;
  struct Condition;
  struct Rule;
  struct Playbook;
  struct Candidate;
  class Evaluation;
  class Compiler;

  Ruleset();

  v1::Ruleset proto_;
  std::string version_;
  std::unique_ptr<expr::Environment> env_;
  int event_slot_ = 0;
  int now_slot_ = 0;
  int situation_slot_ = 0;
  uint64_t scratch_owner_;
  static constexpr int32_t kNoCondition = -1;
  std::vector<Action> actions_;
  std::vector<Condition> conditions_;
  std::vector<Playbook> playbooks_;
  // (playbook, rule) of each proactive rule, in file order.
  std::vector<std::pair<uint32_t, uint32_t>> proactive_;
  // Interned ids of the service actions, sorted.
  std::vector<uint32_t> service_actions_;
  ContactPolicy policy_;
  std::unique_ptr<expr::Program> time_zone_;  // null without quiet hours
  // What the ruleset's expressions read of the context: all a decision
  // binds.
  state::ContextFields context_fields_;
  double prior_accepts_ = kDefaultPrior;
  double prior_rejects_ = kDefaultPrior;
  size_t rule_count_ = 0;
};

// The candidates a decision dropped, in the order it dropped them, kept as
// numbers: the texts of each v1::DroppedCandidate (action, playbook, rule,
// stage, detail) are made only when the trace is read. Writing them is a
// third of a decision's time, and a desktop that shows the ranked actions
// never reads them. Holds the ruleset its names come from until Clear or
// its next decision. Reuse one (a thread's): its memory stays. Not
// thread-safe.
class Ruleset::Trace {
 public:
  size_t size() const { return entries_.size(); }

  // Empties the trace and lets go of its ruleset: what a trace kept for
  // reuse does once read, so that an engine that swapped the ruleset out
  // can free it (Engine::LoadRuleset waits until nothing holds it).
  void Clear();

  // Appends the dropped candidates to `out`.
  void AppendTo(
      google::protobuf::RepeatedPtrField<v1::DroppedCandidate>* out) const;

  // `decision` (the one Decide wrote with this trace: its `dropped` is
  // empty) serialized with this trace as its `dropped`, to `out`: the bytes
  // of the decision after AppendTo, without making its messages. Errors:
  // FailedPrecondition when `decision` has dropped candidates; Internal,
  // when protobuf cannot serialize it.
  absl::Status Serialize(const v1::Decision& decision, std::string* out) const;

  // Defined where the trace is written and read (ruleset.cc).
  enum class Stage : uint8_t;
  enum class Why : uint8_t;

 private:
  friend class Ruleset;
  struct Entry {
    uint32_t playbook;
    uint32_t rule;
    Stage stage;
    Why why;
    // The condition, channel or max_results the detail names.
    int32_t arg;
    // A text the detail quotes (an error, contact policy's reason), in
    // text_.
    uint32_t text_begin;
    uint32_t text_size;
  };

  // Empties the trace for a decision of `rules`.
  void Reset(const Ruleset& rules);
  void Add(uint32_t playbook, uint32_t rule, Stage stage, Why why,
           int32_t arg = 0, absl::string_view text = {});
  // AppendTo, of contact policy's drops alone when `policy_only`.
  void AppendDropped(
      google::protobuf::RepeatedPtrField<v1::DroppedCandidate>* out,
      bool policy_only) const;
  void AppendDetail(const Entry& entry, std::string* out) const;

  std::shared_ptr<const Ruleset> rules_;
  std::vector<Entry> entries_;
  std::string text_;
};

}  // namespace motive::decide

#endif  // MOTIVE_DECIDE_RULESET_H_
