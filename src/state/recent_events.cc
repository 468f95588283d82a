#include "state/recent_events.h"

#include <cstring>
#include <string>

#include "absl/container/fixed_array.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "model/event_validation.h"

namespace motive::state {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;

// The elided bits (see the header).
constexpr uint32_t kCustomerId = 1;
constexpr uint32_t kOccurredAt = 2;
constexpr uint32_t kElidedBits = 2;

constexpr size_t kHeaderBytes = sizeof(uint32_t);
constexpr size_t kTimeBytes = sizeof(int64_t);

uint32_t ElidedBit(uint32_t field) {
  switch (field) {
    case v1::Event::kCustomerIdFieldNumber:
      return kCustomerId;
    case v1::Event::kOccurredAtFieldNumber:
      return kOccurredAt;
    default:
      return 0;
  }
}

// Calls fn(field number, its bytes with the tag) for each field of the
// serialized message `body`, in order; false when `body` is not well formed.
template <typename Fn>
bool ForEachField(absl::string_view body, Fn fn) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(body.data()),
                      static_cast<int>(body.size()));
  size_t start = 0;
  while (const uint32_t tag = in.ReadTag()) {
    if (!WireFormatLite::SkipField(&in, tag)) return false;
    const size_t end = static_cast<size_t>(in.CurrentPosition());
    fn(WireFormatLite::GetTagFieldNumber(tag), body.substr(start, end - start));
    start = end;
  }
  return start == body.size();
}

struct Entry {
  int64_t time_us;
  uint32_t elided;
  absl::string_view event;  // serialized, the elided fields left out
  size_t end;               // offset just past the entry
};

// Calls fn(entry) for each entry of `entries` (a block without its header)
// in order, while fn returns true; false when an entry overruns `entries`
// or fn returned false.
template <typename Fn>
bool ForEachEntry(absl::string_view entries, Fn fn) {
  CodedInputStream in(reinterpret_cast<const uint8_t*>(entries.data()),
                      static_cast<int>(entries.size()));
  while (static_cast<size_t>(in.CurrentPosition()) < entries.size()) {
    uint64_t time;
    uint32_t word;
    if (!in.ReadLittleEndian64(&time) || !in.ReadVarint32(&word)) return false;
    const size_t start = static_cast<size_t>(in.CurrentPosition());
    const size_t length = word >> kElidedBits;
    if (length > entries.size() - start) return false;
    in.Skip(static_cast<int>(length));
    if (!fn(Entry{static_cast<int64_t>(time), word & ((1u << kElidedBits) - 1),
                  entries.substr(start, length), start + length})) {
      return false;
    }
  }
  return true;
}

void PutHeader(char* block, size_t entries) {
  const uint32_t size = static_cast<uint32_t>(entries);
  std::memcpy(block, &size, kHeaderBytes);
}

}  // namespace

RecentEvents::RecentEvents(const RecentEvents& other) { *this = other; }

RecentEvents& RecentEvents::operator=(const RecentEvents& other) {
  if (this == &other) return *this;
  const absl::string_view block = other.block();
  block_.reset();
  if (!block.empty()) {
    block_ = std::make_unique_for_overwrite<char[]>(block.size());
    std::memcpy(block_.get(), block.data(), block.size());
  }
  return *this;
}

absl::string_view RecentEvents::block() const {
  if (block_ == nullptr) return {};
  uint32_t entries;
  std::memcpy(&entries, block_.get(), kHeaderBytes);
  return absl::string_view(block_.get(), kHeaderBytes + entries);
}

void RecentEvents::Note(const v1::Event& event, absl::string_view body,
                        int64_t time_us, uint32_t keep) {
  const absl::string_view entries =
      block().substr(block_ == nullptr ? 0 : kHeaderBytes);
  // The oldest entry's end, and where the new one goes: after every entry
  // of the same time or earlier.
  size_t count = 0;
  int64_t oldest_us = 0;
  size_t oldest_end = 0;
  size_t at = 0;
  ForEachEntry(entries, [&](const Entry& entry) {
    if (count++ == 0) {
      oldest_us = entry.time_us;
      oldest_end = entry.end;
    }
    if (entry.time_us <= time_us) at = entry.end;
    return true;
  });
  const bool full = count >= keep;
  if (full && time_us < oldest_us) return;
  const size_t drop = full ? oldest_end : 0;

  absl::FixedArray<char, 512> serialized(body.empty() ? event.ByteSizeLong()
                                                      : 0);
  if (body.empty()) {
    event.SerializeToArray(serialized.data(),
                           static_cast<int>(serialized.size()));
    body = absl::string_view(serialized.data(), serialized.size());
  }
  const google::protobuf::Timestamp& occurred = event.occurred_at();
  const uint32_t elidable =
      kCustomerId |
      (event.has_occurred_at() && occurred.seconds() >= 0 &&
               occurred.nanos() >= 0 && occurred.nanos() < 1000000000 &&
               occurred.nanos() % 1000 == 0
           ? kOccurredAt
           : 0);
  uint32_t elided = 0;
  size_t length = 0;
  if (!ForEachField(body, [&](uint32_t field, absl::string_view bytes) {
        const uint32_t bit = ElidedBit(field) & elidable;
        elided |= bit;
        if (bit == 0) length += bytes.size();
      })) {
    elided = 0;  // Kept whole: Describe parses what it can, as it always did.
  }
  if (elided == 0) length = body.size();

  const uint32_t word = static_cast<uint32_t>(length << kElidedBits) | elided;
  const size_t entry_bytes =
      kTimeBytes + CodedOutputStream::VarintSize32(word) + length;
  const size_t new_entries = entries.size() - drop + entry_bytes;
  auto block =
      std::make_unique_for_overwrite<char[]>(kHeaderBytes + new_entries);
  char* out = block.get();
  PutHeader(out, new_entries);
  out += kHeaderBytes;
  const absl::string_view before = entries.substr(drop, at - drop);
  std::memcpy(out, before.data(), before.size());
  out += before.size();
  const uint64_t time = static_cast<uint64_t>(time_us);
  std::memcpy(out, &time, kTimeBytes);
  out += kTimeBytes;
  out = reinterpret_cast<char*>(CodedOutputStream::WriteVarint32ToArray(
      word, reinterpret_cast<uint8_t*>(out)));
  if (elided == 0) {
    std::memcpy(out, body.data(), body.size());
    out += body.size();
  } else {
    ForEachField(body, [&](uint32_t field, absl::string_view bytes) {
      if (ElidedBit(field) & elided) return;
      std::memcpy(out, bytes.data(), bytes.size());
      out += bytes.size();
    });
  }
  const absl::string_view after = entries.substr(at);
  std::memcpy(out, after.data(), after.size());
  block_ = std::move(block);
}

void RecentEvents::Describe(
    absl::string_view customer_id,
    google::protobuf::RepeatedPtrField<v1::Event>* out) const {
  if (block_ == nullptr) return;
  ForEachEntry(block().substr(kHeaderBytes), [&](const Entry& entry) {
    v1::Event* event = out->Add();
    event->ParseFromArray(entry.event.data(),
                          static_cast<int>(entry.event.size()));
    if (entry.elided & kCustomerId)
      event->set_customer_id(std::string(customer_id));
    if (entry.elided & kOccurredAt) {
      *event->mutable_occurred_at() = model::FromUnixMicros(entry.time_us);
    }
    return true;
  });
}

bool RecentEvents::Restore(absl::string_view block, uint32_t keep,
                           int64_t newest_us) {
  block_.reset();
  if (block.empty()) return true;
  uint32_t entries;
  if (block.size() < kHeaderBytes) return false;
  std::memcpy(&entries, block.data(), kHeaderBytes);
  if (entries != block.size() - kHeaderBytes) return false;
  uint32_t count = 0;
  int64_t previous_us = 0;
  const bool valid =
      ForEachEntry(block.substr(kHeaderBytes), [&](const Entry& entry) {
        const bool in_order = entry.time_us >= previous_us &&
                              entry.time_us <= newest_us && ++count <= keep;
        previous_us = entry.time_us;
        return in_order;
      });
  if (!valid || count == 0) return false;
  block_ = std::make_unique_for_overwrite<char[]>(block.size());
  std::memcpy(block_.get(), block.data(), block.size());
  return true;
}

}  // namespace motive::state
