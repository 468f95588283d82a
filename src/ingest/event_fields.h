// Filling motive.v1 events from source records within the event limits
// (model/event_validation.h), shared by every mapper: what a source carries
// beyond a limit is cut or left out here, in one way, instead of making the
// whole record fail validation later.

#ifndef MOTIVE_INGEST_EVENT_FIELDS_H_
#define MOTIVE_INGEST_EVENT_FIELDS_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"

namespace motive::ingest {

// An id (event_id, interaction_id) made of source ids, at most
// model::kMaxIdBytes long: `id` itself when it fits, else its first bytes, a
// '~' and a hash of the whole, so that distinct long ids stay distinct and
// the same id always maps to the same result.
std::string BoundedId(absl::string_view id);

// `text` cut to at most `max_bytes` at a UTF-8 character boundary.
absl::string_view TruncateUtf8(absl::string_view text, size_t max_bytes);

// Adds free attributes to one event within the limits: at most
// model::kMaxAttributes of them, keys of at most kMaxAttributeKeyBytes,
// numbers within +-kMaxAttributeNumber, and a byte budget that keeps the
// whole event under kMaxEventBytes. String values longer than
// kMaxAttributeStringBytes are truncated (at a character boundary);
// anything else over a limit is left out and counted. Adding a key again
// replaces its value. Finish then records how many were left out, as the
// number attribute "attributes_dropped", for which one place is kept.
//
// Mappers add their own attributes first and copy a source's free
// attribute map last, so that what the mapping promises is never crowded
// out by what a source happens to carry.
class AttributeWriter {
 public:
  // Bytes of attributes an event may hold, leaving the rest of
  // kMaxEventBytes to its other fields.
  static constexpr size_t kByteBudget = 12 * 1024;
  static constexpr absl::string_view kDroppedKey = "attributes_dropped";

  explicit AttributeWriter(v1::Event* event);

  // Each returns false when the attribute was left out.
  bool String(absl::string_view key, absl::string_view value);
  bool Number(absl::string_view key, double value);
  bool Bool(absl::string_view key, bool value);

  // Counts a source attribute that no event can hold (an object, an array).
  void Drop() { ++dropped_; }

  // Adds kDroppedKey when anything was left out.
  void Finish();

  int dropped() const { return dropped_; }

 private:
  // The value to fill for `key`, or null (counted as dropped) when a limit
  // refuses an attribute of about `value_bytes`.
  google::protobuf::Value* Slot(absl::string_view key, size_t value_bytes);

  v1::Event* event_;
  size_t bytes_ = 0;
  int dropped_ = 0;
};

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_EVENT_FIELDS_H_
