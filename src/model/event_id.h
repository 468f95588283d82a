// Deterministic event ids for events that arrive without one.
//
// The id is the idempotency key, so it must be the same for the same event
// whenever and wherever it is sent again: it is a 128-bit hash of the
// caller's content (before motive fills recorded_at, moment or stage, which
// differ between sends or between journey maps), serialized deterministically.
// The hash is MurmurHash3 x64-128 with a fixed seed; changing it would make
// re-sent events look new, so tests pin its output.
//
// Every field counts but event_id and recorded_at: identifiers,
// interaction_id, updated_at (two versions of one interaction are two
// events) and enrichment among them. Identifiers count as a set: the same
// identifiers in another order give the same id, since a sender that
// rebuilds them from a map or a set may list them in any order, and the
// order means nothing (the identity layer resolves them all alike). The
// same identifier listed twice still differs from it listed once. An event
// without identifiers hashes as it did before they existed.

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

// "h-" followed by 32 lower-case hex digits. Ignores event_id, recorded_at
// and the order of identifiers. Call it before motive fills in moment and
// stage.
std::string ContentEventId(const v1::Event& event);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_EVENT_ID_H_
