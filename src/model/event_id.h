// Deterministic event ids for events that arrive without one.
//
// The id is the idempotency key, so it must be the same for the same event
// whenever and wherever it is sent again: it is a 128-bit hash of the
// caller's content (before motive fills recorded_at, moment or stage, which
// differ between sends or between journey maps), serialized deterministically.
// The hash is MurmurHash3 x64-128 with a fixed seed; changing it would make
// re-sent events look new, so tests pin its output.

#ifndef MOTIVE_MODEL_EVENT_ID_H_
#define MOTIVE_MODEL_EVENT_ID_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

struct Hash128 {
  uint64_t low;
  uint64_t high;
};

// MurmurHash3 x64-128 of `data`.
Hash128 Murmur3x64_128(absl::string_view data, uint32_t seed);

// "h-" followed by 32 lower-case hex digits. Ignores event_id and
// recorded_at. Call it before motive fills in moment and stage.
std::string ContentEventId(const v1::Event& event);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_EVENT_ID_H_
