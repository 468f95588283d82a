// Interner: the engine's table of strings that many customers share (topics,
// agent ids, attribute keys and values), each stored once and named by a small
// id, so that per-customer state holds 4-byte ids instead of strings.
//
// Strings are never removed: a C caller may keep a `const char*` from a
// summary for as long as the engine is open. The table grows with the number
// of distinct strings, which in practice is small (topics, agents, plans).
//
// Thread-safe. Intern may be called from any thread: each thread keeps a
// small cache of the strings it interned lately, so that the common case (a
// topic, agent or attribute seen before) takes no lock. Get is lock-free and
// returns what Intern stored before the id reached the caller (through the
// lock that published the state holding it).

#ifndef MOTIVE_STATE_INTERNER_H_
#define MOTIVE_STATE_INTERNER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"

namespace motive::state {

class Interner {
 public:
  // Id 0 is the empty string.
  static constexpr uint32_t kEmpty = 0;
  // At most this many distinct strings; Intern returns kEmpty beyond it.
  static constexpr uint32_t kCapacity = 1u << 24;

  Interner();
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  uint32_t Intern(absl::string_view text);
  // Puts `text` back at the id it had when a snapshot was written (which
  // keeps only the strings its states name). Ids must come in increasing
  // order, on a table nothing was interned in yet; the ids skipped stay
  // unused (View gives ""). False for an id out of order or too large, an
  // empty or repeated text.
  bool Restore(uint32_t id, absl::string_view text);

  // NUL-terminated; "" for kEmpty and for ids never handed out.
  const char* Get(uint32_t id) const;
  absl::string_view View(uint32_t id) const;

  // The number of ids handed out, kEmpty included: ids are 0 to size() - 1.
  uint32_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  // The slow path of Intern, under the lock.
  uint32_t InternLocked(absl::string_view text) ABSL_LOCKS_EXCLUDED(mu_);
  // Stores `text` as `id` (size_ <= id < kCapacity, not yet interned).
  void StoreLocked(uint32_t id, absl::string_view text)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr uint32_t kChunkBits = 12;
  static constexpr uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr uint32_t kChunks = kCapacity / kChunkSize;

  // Tells one table's ids from another's in the threads' caches.
  const uint64_t instance_;
  base::Mutex mu_;
  // Keys view the strings owned by chunks_, which never move.
  absl::flat_hash_map<absl::string_view, uint32_t> ids_ ABSL_GUARDED_BY(mu_);
  // chunks_[id >> kChunkBits][id & (kChunkSize - 1)] owns string `id`.
  // Written under mu_; read without it below size_, which publishes them.
  std::unique_ptr<std::unique_ptr<std::string[]>[]> chunks_;
  std::atomic<uint32_t> size_{1};
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_INTERNER_H_
