// Engine::JourneyPicture and Engine::Journeys: journey maps from the log
// (engine.h).

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "base/errors.h"
#include "engine/engine.h"
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
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (int i = 0; i < std::min<int>(limit, sorted.size()); ++i) {
    v1::HotSpot* spot = out->Add();
    spot->set_channel(static_cast<v1::Channel>(sorted[i].first.first));
    spot->set_topic(sorted[i].first.second);
    spot->set_count(sorted[i].second);
  }
}

}  // namespace

absl::StatusOr<std::string> Engine::JourneyPicture(
    absl::string_view customer_id, const store::TimeRange& range) {
  if (customer_id.empty()) return base::FieldError("customer_id", "is required");
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

absl::StatusOr<v1::JourneyFigures> Engine::Journeys(int64_t from_us,
                                                   int64_t to_us) {
  state::SignalOptions options;
  std::vector<std::string> customers;
  {
    base::ReaderLock state(&state_mu_);
    options = state_->config().signals;
    state_->ForEach([&](const std::string& id, const state::CustomerState&) {
      customers.push_back(id);
    });
  }
  std::sort(customers.begin(), customers.end());
  v1::JourneyFigures figures;
  if (from_us) *figures.mutable_from() = model::FromUnixMicros(from_us);
  if (to_us) *figures.mutable_to() = model::FromUnixMicros(to_us);
  std::map<std::pair<int, int>, uint64_t> flows;
  Spots bad, repeats, transfers;
  const int64_t repeat_window_us =
      int64_t{options.repeat_window_days} * 86400 * 1000000;
  store::TimeRange range;
  range.since_us = from_us;
  range.until_us = to_us;
  for (const std::string& customer : customers) {
    absl::StatusOr<std::vector<v1::Event>> events =
        ProfileEvents(customer, range);
    if (!events.ok()) return events.status();
    absl::flat_hash_set<int> stages;
    v1::Stage previous = v1::STAGE_UNSPECIFIED;
    // The last contact on each topic, for repeats.
    std::map<std::string, int64_t> last_contact;
    int strikes = 0;
    bool after_third = false, came_back = false, churned = false;
    uint64_t shown = 0;
    for (const v1::Event& event : *events) {
      if (!Shown(event)) continue;
      ++shown;
      if (after_third) {
        (event.type() == "churn" ? churned : came_back) = true;
      }
      ++(*figures.mutable_moment_events())[v1::Moment_Name(event.moment())];
      if (event.stage() != v1::STAGE_UNSPECIFIED) {
        stages.insert(event.stage());
        if (previous != v1::STAGE_UNSPECIFIED && previous != event.stage()) {
          ++flows[{previous, event.stage()}];
        }
        previous = event.stage();
      }
      const SpotKey spot{event.channel(), event.topic()};
      if (state::IsStrike(event, options)) {
        ++bad[spot];
        if (++strikes == 3) after_third = true;
      }
      if (event.moment() == v1::INTERIM) {
        const int64_t at = model::ToUnixMicros(event.occurred_at());
        if (!event.topic().empty()) {
          auto it = last_contact.find(event.topic());
          if (it != last_contact.end() && at - it->second <= repeat_window_us) {
            ++repeats[spot];
          }
          last_contact[event.topic()] = at;
        }
        if (event.transfers() > 0) ++transfers[spot];
      }
    }
    if (shown == 0) continue;
    figures.set_customers(figures.customers() + 1);
    figures.set_events(figures.events() + shown);
    for (int stage : stages) {
      ++(*figures.mutable_stage_customers())[v1::Stage_Name(stage)];
    }
    if (after_third) {
      figures.set_third_strike(figures.third_strike() + 1);
      // Left: churned, or never heard of again.
      if (churned || !came_back) {
        figures.set_third_strike_left(figures.third_strike_left() + 1);
      } else {
        figures.set_third_strike_came_back(figures.third_strike_came_back() +
                                           1);
      }
    }
  }
  std::vector<std::pair<std::pair<int, int>, uint64_t>> sorted(flows.begin(),
                                                               flows.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [stages, count] : sorted) {
    v1::StageFlow* flow = figures.add_flows();
    flow->set_from(static_cast<v1::Stage>(stages.first));
    flow->set_to(static_cast<v1::Stage>(stages.second));
    flow->set_count(count);
  }
  TopSpots(bad, kHotSpots, figures.mutable_bad_experiences());
  TopSpots(repeats, kHotSpots, figures.mutable_repeat_contacts());
  TopSpots(transfers, kHotSpots, figures.mutable_transfers());
  return figures;
}

}  // namespace motive::engine
