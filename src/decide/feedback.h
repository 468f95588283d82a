// Feedback on decisions: what happened when an action was presented, kept as
// an event in the log (type state::kFeedbackEventType, see
// state/customer_state.h), so that it is durable, replayed with everything
// else, and folded into the customer's responses (contact policy) and the
// engine's learned propensities (arbitration).
//
// Propensity learns online as a Beta posterior per action over every
// customer's feedback: with a prior of Beta(a, b) (a = b = 1 by default: a
// mean of 0.5 that one response moves visibly and a hundred move firmly),
//   propensity = (a + accepted) / (a + b + accepted + rejected + ignored).
// "offered" is not a trial (the outcome is still to come) and "converted"
// counts apart (it usually follows an acceptance, which already counted).

#ifndef MOTIVE_DECIDE_FEEDBACK_H_
#define MOTIVE_DECIDE_FEEDBACK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/state_store.h"

namespace motive::decide {

// Action ids, groups, playbook and rule names: 1 to 64 of [a-z0-9_.-].
bool IsValidId(absl::string_view id);

struct Feedback {
  std::string customer_id;
  std::string decision_id;
  std::string action;
  v1::FeedbackOutcome outcome = v1::FEEDBACK_UNSPECIFIED;
  // Where the action was presented (for channel caps).
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  // When; 0 for the engine's now.
  int64_t time_us = 0;
};

// The event recording `feedback`, with `group` (the action's group in the
// ruleset, "" when none). Errors: InvalidArgument naming the field (a
// missing customer, decision or action, an action id that is not one, an
// unspecified outcome).
absl::StatusOr<v1::Event> FeedbackEvent(const Feedback& feedback,
                                        absl::string_view group,
                                        int64_t now_us);

double Propensity(const state::ActionStats& stats, double prior_accepts,
                  double prior_rejects);

}  // namespace motive::decide

#endif  // MOTIVE_DECIDE_FEEDBACK_H_
