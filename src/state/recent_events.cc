#include "state/recent_events.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "absl/container/fixed_array.h"
#include "absl/container/inlined_vector.h"
#include "google/protobuf/io/coded_stream.h"
#include "model/event_validation.h"

namespace motive::state {
namespace {

using google::protobuf::io::CodedOutputStream;

// The elided bits (see the header).
constexpr uint32_t kCustomerId = 1;
constexpr uint32_t kOccurredAt = 2;
constexpr uint32_t kElidedBits = 2;
constexpr uint32_t kLastElidable = std::max(v1::Event::kCustomerIdFieldNumber,
                                            v1::Event::kOccurredAtFieldNumber);

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

// The wire format is read here by hand rather than with protobuf's
// CodedInputStream and WireFormatLite::SkipField, and only as far as the
// elidable fields: Note reads every event folded, and the whole walk with
// those made Context/apply about a fifth slower than the vector of strings
// it replaces, where this is within the noise.

// Reads a varint at `*at` of `data`, moving `*at` past it; false when it
// runs past the end or is longer than 64 bits.
bool ReadVarint(absl::string_view data, size_t* at, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*at >= data.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(data[(*at)++]);
    value |= uint64_t{byte & 0x7fu} << shift;
    if (byte < 0x80) {
      *out = value;
      return true;
    }
  }
  return false;
}

// Calls fn(field number, its bytes with the tag) for the fields of the
// serialized message `body` in order, while fn returns true. Returns the
// offset of the field fn returned false for, body.size() after the last
// one, or npos when `body` is not well formed (groups, which proto3 has
// not, count as not well formed).
template <typename Fn>
size_t ForEachField(absl::string_view body, Fn fn) {
  constexpr size_t kMalformed = absl::string_view::npos;
  size_t at = 0;
  while (at < body.size()) {
    const size_t start = at;
    uint64_t tag;
    uint64_t value;
    if (!ReadVarint(body, &at, &tag)) return kMalformed;
    switch (tag & 7) {
      case 0:  // varint
        if (!ReadVarint(body, &at, &value)) return kMalformed;
        break;
      case 1:  // fixed64
        at += 8;
        break;
      case 2:  // length-delimited
        if (!ReadVarint(body, &at, &value) || value > body.size() - at) {
          return kMalformed;
        }
        at += value;
        break;
      case 5:  // fixed32
        at += 4;
        break;
      default:
        return kMalformed;
    }
    if (at > body.size()) return kMalformed;
    if (!fn(static_cast<uint32_t>(tag >> 3), body.substr(start, at - start))) {
      return start;
    }
  }
  return at;
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
  size_t at = 0;
  while (at < entries.size()) {
    uint64_t time;
    uint64_t word;
    if (entries.size() - at < kTimeBytes) return false;
    std::memcpy(&time, entries.data() + at, kTimeBytes);
    at += kTimeBytes;
    if (!ReadVarint(entries, &at, &word)) return false;
    const uint64_t length = word >> kElidedBits;
    if (length > entries.size() - at) return false;
    const size_t start = at;
    at += length;
    if (!fn(Entry{static_cast<int64_t>(time),
                  static_cast<uint32_t>(word & ((1u << kElidedBits) - 1)),
                  entries.substr(start, length), at})) {
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
    // The sizes ByteSizeLong just cached: SerializeToArray would compute
    // them again.
    event.SerializeWithCachedSizesToArray(
        reinterpret_cast<uint8_t*>(serialized.data()));
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
  // The fields kept, as runs of adjacent ones. Serializers write fields in
  // number order, so the walk stops at the first one past those elidable
  // and keeps the rest whole. Should an elided field come again there, it
  // stays, and Describe still gives back the event's values: the last
  // customer_id wins, and occurred_at, merged, is overwritten with them.
  absl::InlinedVector<absl::string_view, 4> kept;
  const auto add_run = [&kept](absl::string_view bytes) {
    if (!kept.empty() &&
        kept.back().data() + kept.back().size() == bytes.data()) {
      kept.back() = absl::string_view(kept.back().data(),
                                      kept.back().size() + bytes.size());
    } else {
      kept.push_back(bytes);
    }
  };
  uint32_t elided = 0;
  const size_t rest =
      ForEachField(body, [&](uint32_t field, absl::string_view bytes) {
        if (field > kLastElidable) return false;
        const uint32_t bit = ElidedBit(field) & elidable;
        elided |= bit;
        if (bit == 0) add_run(bytes);
        return true;
      });
  if (rest == absl::string_view::npos) {
    // Kept whole: Describe parses what it can, as it always did.
    elided = 0;
    kept.assign(1, body);
  } else if (rest < body.size()) {
    add_run(body.substr(rest));
  }
  size_t length = 0;
  for (const absl::string_view run : kept) length += run.size();

  const uint32_t word = static_cast<uint32_t>(length << kElidedBits) | elided;
  const size_t entry_bytes =
      kTimeBytes + CodedOutputStream::VarintSize32(word) + length;
  const size_t new_entries = entries.size() - drop + entry_bytes;
  auto block =
      std::make_unique_for_overwrite<char[]>(kHeaderBytes + new_entries);
  char* out = block.get();
  // memcpy's source must not be null even for no bytes, and an empty view's
  // (no entries before or after this one) may be.
  const auto put = [&out](absl::string_view bytes) {
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    out += bytes.size();
  };
  PutHeader(out, new_entries);
  out += kHeaderBytes;
  put(entries.substr(drop, at - drop));
  const uint64_t time = static_cast<uint64_t>(time_us);
  std::memcpy(out, &time, kTimeBytes);
  out += kTimeBytes;
  out = reinterpret_cast<char*>(CodedOutputStream::WriteVarint32ToArray(
      word, reinterpret_cast<uint8_t*>(out)));
  for (const absl::string_view run : kept) put(run);
  put(entries.substr(at));
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
