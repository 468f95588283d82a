// Scratch: what evaluating expressions over and over on one thread reuses,
// so that the hot paths (metric filters on ingest, rules on decide) allocate
// nothing in the common case: an arena whose first block survives Reset, and
// an activation for the environment last used.
//
// Each user keeps its own thread_local Scratch (a metric filter and a rule
// evaluated alternately on one thread do not evict each other's
// activation), and names its environment by an id from NewScratchOwner(), so
// that an activation is never used with an environment it was not made for,
// even one at a recycled address.
//
// Not thread-safe: one per thread.

#ifndef MOTIVE_EXPR_SCRATCH_H_
#define MOTIVE_EXPR_SCRATCH_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "expr/environment.h"
#include "expr/value.h"

namespace motive::expr {

// A process-unique id for an owner of an environment.
inline uint64_t NewScratchOwner() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

class Scratch {
 public:
  static constexpr size_t kBlockBytes = 16 << 10;

  Scratch() : block_(new char[kBlockBytes]), arena_(Options(block_.get())) {}
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  // The arena, emptied: whatever the previous evaluation left is dead.
  Arena& FreshArena() {
    arena_.Reset();
    return arena_;
  }
  Arena& arena() { return arena_; }

  // An activation of `env`, owned by `owner`: the cached one when this
  // thread last used the same owner (its bindings are stale: rebind every
  // variable the evaluation reads).
  Activation& ActivationFor(uint64_t owner, const Environment& env) {
    if (owner_ != owner) {
      activation_.emplace(env);
      owner_ = owner;
    }
    return *activation_;
  }

 private:
  static google::protobuf::ArenaOptions Options(char* block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block;
    options.initial_block_size = kBlockBytes;
    return options;
  }

  std::unique_ptr<char[]> block_;
  Arena arena_;
  uint64_t owner_ = 0;
  std::optional<Activation> activation_;
};

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_SCRATCH_H_
