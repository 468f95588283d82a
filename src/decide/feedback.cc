#include "decide/feedback.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "model/event_validation.h"
#include "state/customer_state.h"

namespace motive::decide {
namespace {

void SetText(v1::Event* event, absl::string_view key, absl::string_view value) {
  (*event->mutable_attributes())[std::string(key)].set_string_value(
      std::string(value));
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' ||
           c == '.' || c == '-';
  });
}

absl::StatusOr<v1::Event> FeedbackEvent(const Feedback& feedback,
                                        absl::string_view group,
                                        int64_t now_us) {
  if (feedback.customer_id.empty()) {
    return base::FieldError("customer_id", "is required");
  }
  if (feedback.decision_id.empty()) {
    return base::FieldError("decision_id", "is required");
  }
  if (!IsValidId(feedback.action)) {
    return base::FieldError(
        "action", feedback.action.empty()
                      ? std::string("is required")
                      : absl::StrCat("\"", feedback.action,
                                     "\" is not an action id: 1 to 64 of "
                                     "[a-z0-9_.-]"));
  }
  if (feedback.outcome == v1::FEEDBACK_UNSPECIFIED ||
      !v1::FeedbackOutcome_IsValid(feedback.outcome)) {
    return base::FieldError("outcome",
                             "must be offered, accepted, rejected, ignored or "
                             "converted");
  }
  v1::Event event;
  event.set_customer_id(feedback.customer_id);
  event.set_type(std::string(state::kFeedbackEventType));
  event.set_channel(feedback.channel);
  *event.mutable_occurred_at() =
      model::FromUnixMicros(feedback.time_us != 0 ? feedback.time_us : now_us);
  SetText(&event, state::kFeedbackDecisionId, feedback.decision_id);
  SetText(&event, state::kFeedbackAction, feedback.action);
  SetText(&event, state::kFeedbackOutcome,
          state::FeedbackOutcomeName(feedback.outcome));
  if (!group.empty()) SetText(&event, state::kFeedbackGroup, group);
  return event;
}

double Propensity(const state::ActionStats& stats, double prior_accepts,
                  double prior_rejects) {
  const double accepted = static_cast<double>(stats.accepted);
  const double trials =
      accepted + static_cast<double>(stats.rejected + stats.ignored);
  return (prior_accepts + accepted) / (prior_accepts + prior_rejects + trials);
}

}  // namespace motive::decide
