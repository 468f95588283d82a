// A short journey of one customer for the targets that fuzz configurations
// and rulesets: their metrics, signals and rules need events to work on.

#ifndef MOTIVE_TESTS_FUZZ_JOURNEY_H_
#define MOTIVE_TESTS_FUZZ_JOURNEY_H_

#include <cstdint>
#include <vector>

#include "model/event_json.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "motive/v1/event.pb.h"
#include "state/state_store.h"
#include "tests/fuzz/fuzz_support.h"

namespace motive::fuzz {

inline constexpr absl::string_view kCustomer = "c1";

// Every kind of event the signals count: a bad call, a purchase, a survey,
// a review, with attributes. Prepared as the engine would store them.
inline const std::vector<v1::Event>& Journey() {
  static const std::vector<v1::Event>* const events = [] {
    constexpr absl::string_view kJson[] = {
        R"({"customer_id":"c1","occurred_at":"2025-12-01T10:00:00Z",
            "type":"contact","channel":"voice","topic":"billing",
            "outcome":"unresolved","sentiment":-0.6,"duration_ms":600000,
            "hold_ms":120000,"transfers":2,"agent_id":"a7",
            "attributes":{"plan":"gold","tenure_years":4}})",
        R"({"customer_id":"c1","occurred_at":"2025-12-02T09:00:00Z",
            "type":"contact","channel":"chat","topic":"billing",
            "outcome":"resolved","sentiment":0.2})",
        R"({"customer_id":"c1","occurred_at":"2025-12-10T12:00:00Z",
            "type":"purchase","channel":"web","value":129.5,
            "currency":"EUR"})",
        R"({"customer_id":"c1","occurred_at":"2025-12-20T08:00:00Z",
            "type":"survey","channel":"email","csat":2,"nps":3})",
        R"({"customer_id":"c1","occurred_at":"2025-12-21T08:00:00Z",
            "type":"review","channel":"social","sentiment":-0.9,
            "attributes":{"vip":true}})",
    };
    auto* events = new std::vector<v1::Event>;
    for (absl::string_view json : kJson) {
      v1::Event& event = events->emplace_back();
      MOTIVE_FUZZ_CHECK(
          model::DecodeEventJson(json, &event).ok() &&
              model::PrepareEvent(&event, model::JourneyMap::Default(), kNow)
                  .ok(),
          "a journey event does not load");
    }
    return events;
  }();
  return *events;
}

// A time after the journey, for queries.
inline int64_t AfterJourneyUs() { return absl::ToUnixMicros(kNow); }

inline void ApplyJourney(state::StateStore& store) {
  for (const v1::Event& event : Journey()) store.Apply(event);
}

}  // namespace motive::fuzz

#endif  // MOTIVE_TESTS_FUZZ_JOURNEY_H_
