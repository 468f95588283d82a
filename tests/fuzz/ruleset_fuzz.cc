// Rulesets (text format, or JSON when they start with '{', as
// mot_ruleset_load() takes them): they compile or are refused, never crash.
// One that compiles decides, inbound and proactively, over a journey under
// the metrics it declares, as the engine would; a valid state never makes a
// decision fail.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "decide/ruleset.h"
#include "motive/v1/context.pb.h"
#include "state/customer_state.h"
#include "state/state_store.h"
#include "tests/fuzz/journey.h"

namespace motive::fuzz {
namespace {

void DecideOverJourney(const decide::Ruleset& rules,
                       const state::StateStore& store) {
  const int64_t now_us = AfterJourneyUs();
  store.Visit(kCustomer, now_us, [&](const state::CustomerState& customer) {
    for (v1::Direction direction : {v1::INBOUND, v1::PROACTIVE}) {
      v1::Situation situation;
      situation.set_channel(v1::VOICE);
      situation.set_topic("billing");
      situation.set_direction(direction);
      *situation.mutable_time() = model::FromUnixMicros(now_us);
      v1::Decision decision;
      MOTIVE_FUZZ_CHECK(
          rules.Decide(kCustomer, situation, customer, store, &decision).ok(),
          "a decision over a valid state failed");
    }
    const v1::Event& last = Journey().back();
    (void)rules.Proactive(kCustomer, last, &last, now_us, customer, store);
  });
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fuzz = motive::fuzz;
  const absl::string_view text = fuzz::AsText(data, size);
  absl::StatusOr<motive::v1::Ruleset> parsed =
      motive::decide::Ruleset::Parse(text, "fuzz");
  if (!parsed.ok()) return 0;
  // The engine's state computes the metrics the ruleset declares.
  motive::v1::ContextConfig proto;
  *proto.mutable_metrics() = parsed->metrics();
  absl::StatusOr<motive::state::StateConfig> config =
      motive::state::StateConfig::FromProto(proto);
  if (!config.ok()) return 0;
  motive::state::StateStore store(*std::move(config));
  absl::StatusOr<std::shared_ptr<const motive::decide::Ruleset>> rules =
      motive::decide::Ruleset::Compile(text, "fuzz", store.strings());
  if (!rules.ok()) return 0;
  fuzz::ApplyJourney(store);
  fuzz::DecideOverJourney(**rules, store);
  return 0;
}
