// RecentEvents: the latest events of one customer, which the full context
// lists (StateConfig::recent_events of them), kept in one allocation.
//
// Layout. One heap block, null while no event is kept: the size of the
// entries u32, then one entry per event in event-time order (ties: arrival
// order): its time (occurred_at in microseconds) as a little-endian i64, a
// varint of (length << 2 | elided), and the event serialized without what
// the state knows otherwise, which Describe puts back:
//   customer_id  every event of a state carries the id the store keys it by,
//                the one Describe is given (elided bit 1);
//   occurred_at  when the time in microseconds gives it back exactly, that
//                is when its nanoseconds are whole microseconds (bit 2).
// A bit is set only when the field was there, so an event comes back as it
// was kept. Against a vector of {time, std::string}, this saves per customer
// the vector, a 32-byte string header per event, three allocations of the
// four and the fields above; an event replaces another in one allocation
// of the exact size, so that no capacity is left unused.
//
// Not thread-safe: StateStore's shard locks guard it, as its CustomerState.

#ifndef MOTIVE_STATE_RECENT_EVENTS_H_
#define MOTIVE_STATE_RECENT_EVENTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "motive/v1/event.pb.h"

namespace motive::state {

class RecentEvents {
 public:
  RecentEvents() = default;
  RecentEvents(const RecentEvents& other);
  RecentEvents& operator=(const RecentEvents& other);
  RecentEvents(RecentEvents&&) = default;
  RecentEvents& operator=(RecentEvents&&) = default;

  // Keeps `event`, which occurred at `time_us`, among the newest `keep`
  // (> 0): the oldest leaves when there are more, and an event older than
  // all of `keep` kept ones is not kept. `body`, when not empty, is `event`
  // serialized (the log's copy), so that it is not serialized again.
  void Note(const v1::Event& event, absl::string_view body, int64_t time_us,
            uint32_t keep);

  // Appends the events kept, oldest first, with `customer_id` as theirs.
  void Describe(absl::string_view customer_id,
                google::protobuf::RepeatedPtrField<v1::Event>* out) const;

  // The block as it is laid out above ("" when empty), for a snapshot.
  absl::string_view block() const;
  // Takes a block that block() gave. False, keeping nothing, when it is not
  // well formed: entries that overrun it, more than `keep` of them, a time
  // outside [0, newest_us] or out of order.
  bool Restore(absl::string_view block, uint32_t keep, int64_t newest_us);

  // Starts fetching the block (what Note copies).
  void Prefetch() const {
    if (block_ != nullptr) {
      __builtin_prefetch(block_.get());
      __builtin_prefetch(block_.get() + 64);
    }
  }

  // Bytes of the heap block (0 when empty).
  size_t bytes() const { return block().size(); }

 private:
  std::unique_ptr<char[]> block_;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_RECENT_EVENTS_H_
