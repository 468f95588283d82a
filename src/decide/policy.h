// ContactPolicy: how often, and when, a customer may be approached, checked
// for each candidate in the same call that ranks them.
//
// Definitions (windows as everywhere in motive: a window of D before time T
// holds times t with T - D < t <= T):
// - An *offer* is a (decision, action) pair the customer's feedback names,
//   whatever the outcomes recorded for it (offered, then accepted, is one
//   offer). A cap {scope, max, window} drops a marketing candidate when the
//   offers in the window of actions in its scope already number `max`.
//   Scope: the action, the group, the channel (the feedback's channel; the
//   candidate's is the situation's), or, with none set, every marketing
//   action. Service actions are never capped, and their offers do not count
//   toward caps.
// - A cool-off {scope, n, within, suppress_for} drops a candidate in its
//   scope (the action, the group, or with none set each action on its own)
//   while some rejection R at or before T is such that T < R + suppress_for
//   and the n rejections ending with R lie within `within` (the first is
//   later than R - within). Applies to service actions too.
// - Quiet hours [start, end) in the customer's local time (the time zone
//   attribute, else the default zone) hold outbound and proactive
//   candidates: a decision drops them, an alert waits until `end`. A start
//   after the end crosses midnight.
//
// Immutable after Compile; thread-safe.

#ifndef MOTIVE_DECIDE_POLICY_H_
#define MOTIVE_DECIDE_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "motive/v1/ruleset.pb.h"
#include "state/customer_state.h"
#include "state/interner.h"

namespace motive::decide {

// An action as policy sees it: interned ids, so that a customer's responses
// are compared by integer.
struct PolicyAction {
  uint32_t action = state::Interner::kEmpty;
  uint32_t group = state::Interner::kEmpty;
  bool service = false;
};

// Why a candidate was dropped: DroppedCandidate's stage and detail.
struct Verdict {
  std::string stage;  // empty: allowed
  std::string detail;
  bool allowed() const { return stage.empty(); }
};

// Whether a DroppedCandidate's stage is contact policy's ("cap",
// "cool_off", "quiet_hours") rather than the rules'.
bool IsPolicyStage(absl::string_view stage);

class ContactPolicy {
 public:
  static constexpr uint32_t kDefaultMaxResults = 3;
  static constexpr uint32_t kMaxResults = 50;
  // The largest cap: more offers than this in a window is no cap.
  static constexpr uint32_t kMaxCap = 64;

  ContactPolicy() = default;

  // Errors: InvalidArgument naming the field ("caps[1].window: ...").
  // Interns the action ids and groups it names.
  static absl::StatusOr<ContactPolicy> Compile(const v1::ContactPolicy& proto,
                                               state::Interner& strings);

  // Caps, then cool-offs. `responses` are the customer's (in time order);
  // `service_actions` the interned ids of the ruleset's service actions,
  // sorted, whose offers caps do not count.
  Verdict Check(const PolicyAction& action, v1::Channel channel,
                absl::Span<const state::Response> responses,
                absl::Span<const uint32_t> service_actions,
                int64_t now_us) const;

  bool has_quiet_hours() const { return quiet_start_min_ >= 0; }
  // When `now_us` is inside quiet hours in `zone`, the time they end; else
  // 0.
  int64_t QuietUntil(int64_t now_us, const absl::TimeZone& zone) const;
  // The zone of a customer whose time zone attribute is `name` ("" when
  // absent): the named zone, else the default one.
  absl::TimeZone ZoneFor(absl::string_view name) const;
  const std::string& time_zone_attribute() const { return zone_attribute_; }

  uint32_t max_results() const { return max_results_; }

 private:
  struct Cap {
    uint32_t action = state::Interner::kEmpty;
    uint32_t group = state::Interner::kEmpty;
    int32_t channel = 0;
    uint32_t max = 0;
    int64_t window_us = 0;
    std::string description;
  };
  struct CoolOff {
    uint32_t action = state::Interner::kEmpty;
    uint32_t group = state::Interner::kEmpty;
    uint32_t rejections = 0;
    int64_t within_us = 0;
    int64_t suppress_us = 0;
    std::string description;
  };

  // Compile's sections; `i` is the entry's index, for errors.
  static absl::StatusOr<Cap> CompileCap(const v1::ContactCap& cap, int i,
                                        state::Interner& strings);
  static absl::StatusOr<CoolOff> CompileCoolOff(const v1::CoolOff& cool_off,
                                                int i,
                                                state::Interner& strings);
  absl::Status CompileQuietHours(const v1::QuietHours& quiet);

  std::vector<Cap> caps_;
  std::vector<CoolOff> cool_offs_;
  int quiet_start_min_ = -1;  // minutes after midnight; -1: none
  int quiet_end_min_ = -1;
  std::string zone_attribute_;
  absl::TimeZone default_zone_ = absl::UTCTimeZone();
  uint32_t max_results_ = kDefaultMaxResults;
};

}  // namespace motive::decide

#endif  // MOTIVE_DECIDE_POLICY_H_
