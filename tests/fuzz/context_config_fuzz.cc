// Context configurations (v1::ContextConfig in text format, as
// mot_context_config_load() takes them): they load or are refused, never
// crash; one that loads folds a journey and answers queries over it.

#include <cstddef>
#include <cstdint>

#include "state/customer_state.h"
#include "state/state_store.h"
#include "tests/fuzz/journey.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fuzz = motive::fuzz;
  absl::StatusOr<motive::state::StateConfig> config =
      motive::state::StateConfig::FromText(fuzz::AsText(data, size));
  if (!config.ok()) return 0;
  motive::state::StateStore store(*std::move(config));
  fuzz::ApplyJourney(store);
  motive::state::Summary summary;
  (void)store.Summarize(fuzz::kCustomer, fuzz::AfterJourneyUs(), &summary);
  motive::v1::Context context;
  (void)store.Describe(fuzz::kCustomer, fuzz::AfterJourneyUs(), &context);
  return 0;
}
