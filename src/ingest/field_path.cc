#include "ingest/field_path.h"

#include "absl/strings/str_cat.h"

namespace motive::ingest {

std::string FieldPath::ToString() const {
  std::string out;
  AppendTo(&out);
  return out;
}

void FieldPath::AppendTo(std::string* out) const {
  if (parent_ == nullptr) return;
  parent_->AppendTo(out);
  if (index_ != kNoIndex) {
    absl::StrAppend(out, "[", index_, "]");
  } else {
    if (!out->empty()) out->push_back('.');
    out->append(key_.data(), key_.size());
  }
}

}  // namespace motive::ingest
