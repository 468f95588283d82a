#include "state/interner.h"

namespace motive::state {

Interner::Interner()
    : chunks_(std::make_unique<std::unique_ptr<std::string[]>[]>(kChunks)) {
  chunks_[0] = std::make_unique<std::string[]>(kChunkSize);
}

uint32_t Interner::Intern(absl::string_view text) {
  if (text.empty()) return kEmpty;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  const uint32_t id = size_.load(std::memory_order_relaxed);
  if (id >= kCapacity) return kEmpty;
  std::unique_ptr<std::string[]>& chunk = chunks_[id >> kChunkBits];
  if (!chunk) chunk = std::make_unique<std::string[]>(kChunkSize);
  std::string& slot = chunk[id & (kChunkSize - 1)];
  slot.assign(text.data(), text.size());
  ids_.emplace(absl::string_view(slot), id);
  size_.store(id + 1, std::memory_order_release);
  return id;
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
