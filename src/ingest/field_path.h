// Where a value sits in a source record, for error messages:
// "participants[0].sessions[0].segments[1].segmentEnd", or a CSV column name.
//
// A mapper builds paths as it descends, one FieldPath per level on the stack,
// each pointing at its parent; nothing is formatted or allocated until an
// error asks for the text. So a path must not outlive the path it was made
// from (its parent), nor the key it names: keep parents in named variables,
// and use a temporary child only within the expression that made it.

#ifndef MOTIVE_INGEST_FIELD_PATH_H_
#define MOTIVE_INGEST_FIELD_PATH_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace motive::ingest {

class FieldPath {
 public:
  // The record itself; its text is "".
  FieldPath() = default;

  // The member `key` of the value at this path. `key` may itself be a
  // relative dotted path ("Agent.Username").
  FieldPath Key(absl::string_view key) const { return FieldPath(this, key); }

  // The element `index` (0-based) of the array at this path.
  FieldPath Index(size_t index) const { return FieldPath(this, index); }

  std::string ToString() const;

 private:
  static constexpr size_t kNoIndex = ~size_t{0};

  FieldPath(const FieldPath* parent, absl::string_view key)
      : parent_(parent), key_(key) {}
  FieldPath(const FieldPath* parent, size_t index)
      : parent_(parent), index_(index) {}

  void AppendTo(std::string* out) const;

  const FieldPath* parent_ = nullptr;  // null at the record
  absl::string_view key_;
  size_t index_ = kNoIndex;
};

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_FIELD_PATH_H_
