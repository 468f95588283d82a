#include "ingest/event_fields.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_format.h"
#include "model/event_id.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

// Fixed, like the content ids' seed: changing it would change the ids of
// events already stored.
constexpr uint32_t kIdSeed = 0x6d6f7469;  // "moti"

// Protobuf's framing of one map entry holding a Value, roughly.
constexpr size_t kEntryOverhead = 8;

}  // namespace

std::string BoundedId(absl::string_view id) {
  if (id.size() <= model::kMaxIdBytes) return std::string(id);
  const model::Hash128 hash = model::Murmur3x64_128(id, kIdSeed);
  const std::string suffix =
      absl::StrFormat("~%016x%016x", hash.high, hash.low);
  std::string out(TruncateUtf8(id, model::kMaxIdBytes - suffix.size()));
  out += suffix;
  return out;
}

absl::string_view TruncateUtf8(absl::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back off continuation bytes (10xxxxxx) so a character is not split.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return text.substr(0, end);
}

AttributeWriter::AttributeWriter(v1::Event* event) : event_(event) {
  for (const auto& [key, value] : event->attributes()) {
    bytes_ += key.size() + kEntryOverhead + value.string_value().size();
  }
}

google::protobuf::Value* AttributeWriter::Slot(absl::string_view key,
                                               size_t value_bytes) {
  if (key.empty() || key.size() > model::kMaxAttributeKeyBytes) {
    ++dropped_;
    return nullptr;
  }
  auto& attributes = *event_->mutable_attributes();
  std::string name(key);
  const size_t bytes = key.size() + kEntryOverhead + value_bytes;
  // One place and its bytes stay free for kDroppedKey. A key added again
  // within the limits is counted twice, which errs on the safe side and
  // saves every insertion a second lookup.
  if (attributes.size() + 1 >= static_cast<size_t>(model::kMaxAttributes) ||
      bytes_ + bytes + kDroppedKey.size() + kEntryOverhead > kByteBudget) {
    auto existing = attributes.find(name);
    if (existing != attributes.end()) return &existing->second;
    ++dropped_;
    return nullptr;
  }
  bytes_ += bytes;
  return &attributes[std::move(name)];
}

bool AttributeWriter::String(absl::string_view key, absl::string_view value) {
  value = TruncateUtf8(value, model::kMaxAttributeStringBytes);
  google::protobuf::Value* slot = Slot(key, value.size());
  if (slot == nullptr) return false;
  slot->set_string_value(std::string(value));
  return true;
}

bool AttributeWriter::Number(absl::string_view key, double value) {
  if (!std::isfinite(value) || std::abs(value) > model::kMaxAttributeNumber) {
    ++dropped_;
    return false;
  }
  google::protobuf::Value* slot = Slot(key, 0);
  if (slot == nullptr) return false;
  slot->set_number_value(value);
  return true;
}

void AttributeWriter::Finish() {
  if (dropped_ == 0) return;
  (*event_->mutable_attributes())[std::string(kDroppedKey)].set_number_value(
      dropped_);
}

bool AttributeWriter::Bool(absl::string_view key, bool value) {
  google::protobuf::Value* slot = Slot(key, 0);
  if (slot == nullptr) return false;
  slot->set_bool_value(value);
  return true;
}

}  // namespace motive::ingest
