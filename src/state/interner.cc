#include "state/interner.h"

#include <string>

namespace motive::state {
namespace {

std::atomic<uint64_t> next_instance{1};

// A thread's recently interned strings, for one table at a time. Bounded:
// cleared when full, since values such as free-text attributes may never
// repeat.
struct ThreadCache {
  static constexpr size_t kMaxEntries = 4096;
  uint64_t instance = 0;
  absl::flat_hash_map<std::string, uint32_t> ids;
};

ThreadCache& LocalCache(uint64_t instance) {
  thread_local ThreadCache cache;
  if (cache.instance != instance || cache.ids.size() >= cache.kMaxEntries) {
    cache.instance = instance;
    cache.ids.clear();
  }
  return cache;
}

}  // namespace

Interner::Interner()
    : instance_(next_instance.fetch_add(1, std::memory_order_relaxed)),
      chunks_(std::make_unique<std::unique_ptr<std::string[]>[]>(kChunks)) {
  chunks_[0] = std::make_unique<std::string[]>(kChunkSize);
}

uint32_t Interner::Intern(absl::string_view text) {
  if (text.empty()) return kEmpty;
  ThreadCache& cache = LocalCache(instance_);
  if (auto it = cache.ids.find(text); it != cache.ids.end()) return it->second;
  const uint32_t id = InternLocked(text);
  if (id != kEmpty) cache.ids.emplace(text, id);
  return id;
}

uint32_t Interner::InternLocked(absl::string_view text) {
  base::MutexLock lock(&mu_);
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  const uint32_t id = size_.load(std::memory_order_relaxed);
  if (id >= kCapacity) return kEmpty;
  StoreLocked(id, text);
  return id;
}

bool Interner::Restore(uint32_t id, absl::string_view text) {
  base::MutexLock lock(&mu_);
  if (text.empty() || id < size_.load(std::memory_order_relaxed) ||
      id >= kCapacity || ids_.contains(text)) {
    return false;
  }
  StoreLocked(id, text);
  return true;
}

void Interner::StoreLocked(uint32_t id, absl::string_view text) {
  // Chunks the ids skipped by Restore need, too: Get reads any id below
  // size().
  for (uint32_t c = size_.load(std::memory_order_relaxed) >> kChunkBits;
       c <= id >> kChunkBits; ++c) {
    if (!chunks_[c]) chunks_[c] = std::make_unique<std::string[]>(kChunkSize);
  }
  std::string& slot = chunks_[id >> kChunkBits][id & (kChunkSize - 1)];
  slot.assign(text.data(), text.size());
  ids_.emplace(absl::string_view(slot), id);
  size_.store(id + 1, std::memory_order_release);
}

const char* Interner::Get(uint32_t id) const {
  if (id >= size()) return "";
  return chunks_[id >> kChunkBits][id & (kChunkSize - 1)].c_str();
}

absl::string_view Interner::View(uint32_t id) const {
  if (id >= size()) return "";
  return chunks_[id >> kChunkBits][id & (kChunkSize - 1)];
}

}  // namespace motive::state
