// Engine::JourneyPicture and Engine::Journeys: journey maps from the log
// (engine.h).

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "expr/value.h"
#include "identity/identities.h"
#include "journey/journey_svg.h"
#include "model/event_validation.h"

namespace motive::engine {
namespace {

// Events a journey shows: the customer's own, not identity bookkeeping nor
// feedback on decisions (which the state does not count as experiences).
bool Shown(const v1::Event& event) {
  return !identity::IsIdentityEvent(event) &&
         event.type() != state::kFeedbackEventType;
}

using SpotKey = std::pair<int, std::string>;  // channel, topic
using Spots = std::map<SpotKey, uint64_t>;

// The `limit` most frequent spots into `out`, ties by channel and topic.
void TopSpots(const Spots& spots, int limit,
              google::protobuf::RepeatedPtrField<v1::HotSpot>* out) {
  std::vector<std::pair<SpotKey, uint64_t>> sorted(spots.begin(), spots.end());
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.second > b.second; });
  for (int i = 0; i < std::min<int>(limit, sorted.size()); ++i) {
    v1::HotSpot* spot = out->Add();
    spot->set_channel(static_cast<v1::Channel>(sorted[i].first.first));
    spot->set_topic(sorted[i].first.second);
    spot->set_count(sorted[i].second);
  }
}

// What the figures gather customer by customer, then sort.
class JourneyTally {
 public:
  explicit JourneyTally(const state::SignalOptions& signals)
      : signals_(signals),
        repeat_window_us_(int64_t{signals.repeat_window_days} * 86400 *
                          1000000) {}

  // Counts one customer's events (in time order) into `figures`.
  void Add(const std::vector<v1::Event>& events, v1::JourneyFigures* figures);
  // Writes the flows and the hot spots, most frequent first.
  void Finish(v1::JourneyFigures* figures) const;

 private:
  const state::SignalOptions signals_;
  const int64_t repeat_window_us_;
  std::map<std::pair<int, int>, uint64_t> flows_;
  Spots bad_, repeats_, transfers_;
};

void JourneyTally::Add(const std::vector<v1::Event>& events,
                       v1::JourneyFigures* figures) {
  absl::flat_hash_set<int> stages;
  v1::Stage previous = v1::STAGE_UNSPECIFIED;
  // The last contact on each topic, for repeats.
  std::map<std::string, int64_t> last_contact;
  int strikes = 0;
  bool after_third = false, came_back = false, churned = false;
  uint64_t shown = 0;
  for (const v1::Event& event : events) {
    if (!Shown(event)) continue;
    ++shown;
    if (after_third) {
      (event.type() == "churn" ? churned : came_back) = true;
    }
    ++(*figures->mutable_moment_events())[v1::Moment_Name(event.moment())];
    if (event.stage() != v1::STAGE_UNSPECIFIED) {
      stages.insert(event.stage());
      if (previous != v1::STAGE_UNSPECIFIED && previous != event.stage()) {
        ++flows_[{previous, event.stage()}];
      }
      previous = event.stage();
    }
    const SpotKey spot{event.channel(), event.topic()};
    if (state::IsStrike(event, signals_)) {
      ++bad_[spot];
      if (++strikes == 3) after_third = true;
    }
    if (event.moment() == v1::INTERIM) {
      const int64_t at = model::ToUnixMicros(event.occurred_at());
      if (!event.topic().empty()) {
        auto it = last_contact.find(event.topic());
        if (it != last_contact.end() && at - it->second <= repeat_window_us_) {
          ++repeats_[spot];
        }
        last_contact[event.topic()] = at;
      }
      if (event.transfers() > 0) ++transfers_[spot];
    }
  }
  if (shown == 0) return;
  figures->set_customers(figures->customers() + 1);
  figures->set_events(figures->events() + shown);
  for (int stage : stages) {
    ++(*figures->mutable_stage_customers())[v1::Stage_Name(stage)];
  }
  if (after_third) {
    figures->set_third_strike(figures->third_strike() + 1);
    // Left: churned, or never heard of again.
    if (churned || !came_back) {
      figures->set_third_strike_left(figures->third_strike_left() + 1);
    } else {
      figures->set_third_strike_came_back(figures->third_strike_came_back() +
                                          1);
    }
  }
}

void JourneyTally::Finish(v1::JourneyFigures* figures) const {
  std::vector<std::pair<std::pair<int, int>, uint64_t>> sorted(flows_.begin(),
                                                               flows_.end());
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [stages, count] : sorted) {
    v1::StageFlow* flow = figures->add_flows();
    flow->set_from(static_cast<v1::Stage>(stages.first));
    flow->set_to(static_cast<v1::Stage>(stages.second));
    flow->set_count(count);
  }
  TopSpots(bad_, Engine::kHotSpots, figures->mutable_bad_experiences());
  TopSpots(repeats_, Engine::kHotSpots, figures->mutable_repeat_contacts());
  TopSpots(transfers_, Engine::kHotSpots, figures->mutable_transfers());
}

}  // namespace

absl::StatusOr<std::string> Engine::JourneyPicture(
    absl::string_view customer_id, const store::TimeRange& range) {
  if (customer_id.empty())
    return base::FieldError("customer_id", "is required");
  if (absl::Status s = CheckHeld(customer_id); !s.ok()) return s;
  const std::string profile = identities_->ProfileOf(customer_id);
  absl::StatusOr<std::vector<v1::Event>> events = ProfileEvents(profile, range);
  if (!events.ok()) return events.status();
  state::SignalOptions options;
  {
    base::ReaderLock state(&state_mu_);
    options = state_->config().signals;
  }
  std::vector<journey::JourneyPoint> points;
  for (const v1::Event& event : *events) {
    if (!Shown(event)) continue;
    points.push_back({model::ToUnixMicros(event.occurred_at()), event.stage(),
                      event.moment(), state::IsStrike(event, options),
                      journey::DescribeEvent(event)});
  }
  return journey::CustomerJourneySvg(profile, points);
}

absl::StatusOr<v1::JourneyFigures> Engine::Journeys(
    const JourneysOptions& options) {
  // The segment is checked before any work, as CheckExpression checks.
  const std::unique_ptr<expr::Environment> env = RuleEnvironment();
  std::unique_ptr<expr::Program> segment;
  if (!options.segment.empty()) {
    absl::StatusOr<std::unique_ptr<expr::Program>> program =
        expr::Program::Compile(options.segment, *env);
    if (!program.ok()) return base::Annotate(program.status(), "segment");
    const expr::Type& type = (*program)->result_type();
    if (type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "segment: must be a bool expression, not ", type.DebugString()));
    }
    segment = *std::move(program);
  }
  state::SignalOptions signals;
  std::vector<std::string> customers;
  {
    base::ReaderLock state(&state_mu_);
    signals = state_->config().signals;
    state_->ForEach([&](const std::string& id, const state::CustomerState&) {
      customers.push_back(id);
    });
  }
  std::sort(customers.begin(), customers.end());
  v1::JourneyFigures figures;
  if (options.from_us) {
    *figures.mutable_from() = model::FromUnixMicros(options.from_us);
  }
  if (options.to_us) {
    *figures.mutable_to() = model::FromUnixMicros(options.to_us);
  }
  figures.set_segment(options.segment);
  store::TimeRange range;
  range.since_us = options.from_us;
  range.until_us = options.to_us;
  // The segment sees each customer as the range ends: as of its last
  // microsecond.
  const int64_t as_of_us = options.to_us ? options.to_us - 1 : 0;
  expr::Activation activation(*env);
  expr::Arena arena;
  JourneyTally tally(signals);
  uint64_t done = 0;
  for (const std::string& customer : customers) {
    if (options.on_progress && done % 1000 == 0 &&
        !options.on_progress(done, customers.size())) {
      return absl::CancelledError("journeys stopped by the progress callback");
    }
    ++done;
    if (segment) {
      absl::StatusOr<bool> in =
          InSegment(*segment, customer, as_of_us, &activation, &arena);
      if (!in.ok()) return in.status();
      if (!*in) continue;
    }
    absl::StatusOr<std::vector<v1::Event>> events =
        ProfileEvents(customer, range);
    if (!events.ok()) return events.status();
    tally.Add(*events, &figures);
  }
  if (options.on_progress) options.on_progress(done, customers.size());
  tally.Finish(&figures);
  return figures;
}

absl::StatusOr<bool> Engine::InSegment(const expr::Program& segment,
                                       absl::string_view customer_id,
                                       int64_t as_of_us,
                                       expr::Activation* activation,
                                       expr::Arena* arena) {
  absl::Status bound;
  bool in = false;
  state::ContextFields fields;  // only what the segment reads
  fields.Add(segment);
  absl::Status status =
      Query(customer_id, as_of_us,
            [&](absl::string_view profile, const state::CustomerState& customer,
                const state::StateStore& store, int64_t as_of) {
              // Evaluated here, while the store's strings and configuration,
              // which the bound values view, are held.
              arena->Reset();
              bound = customer.Bind(profile, as_of, store.config(),
                                    store.strings(), activation, arena, fields);
              if (bound.ok()) {
                bound = activation->Bind(
                    "now", expr::Value::Timestamp(absl::FromUnixMicros(as_of)));
              }
              if (!bound.ok()) return;
              const expr::Value value = segment.Evaluate(*activation, arena);
              in = value.kind() == expr::ValueKind::kBool && value.bool_value();
            });
  if (!status.ok()) return status;
  if (!bound.ok()) return bound;
  return in;
}

}  // namespace motive::engine
