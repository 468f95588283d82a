// StateStore: every customer's CustomerState, sharded by a hash of the
// customer id so that queries and ingest on different customers do not meet.
//
// Each shard is a hash map guarded by a reader-writer lock: queries take it
// shared, Apply exclusively, and nobody holds it across I/O, so readers never
// wait on the disk. Apply calls must come in log order for the state to be a
// deterministic function of the log (the engine serializes them); queries may
// come from any number of threads at any time.
//
// Thread-safe.

#ifndef MOTIVE_STATE_STATE_STORE_H_
#define MOTIVE_STATE_STATE_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "state/customer_state.h"
#include "state/interner.h"

namespace motive::state {

struct StoreStats {
  uint64_t customers = 0;
  uint64_t held_events = 0;
  uint64_t metric_samples = 0;
  // Customer states and their containers; the string table is apart.
  uint64_t state_bytes = 0;
  // Of state_bytes: the latest events kept for the full context
  // (ContextConfig.recent_events).
  uint64_t recent_event_bytes = 0;
  uint64_t strings = 0;
};

class StateStore {
 public:
  static constexpr int kShards = 64;

  // `strings` may be shared with an earlier store (the engine keeps one
  // table for its whole life, so that strings handed to callers stay valid
  // across configuration changes); a new table when null.
  explicit StateStore(StateConfig config,
                      std::shared_ptr<Interner> strings = nullptr);
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  const StateConfig& config() const { return config_; }
  Interner& strings() { return *strings_; }
  const Interner& strings() const { return *strings_; }
  const std::shared_ptr<Interner>& shared_strings() const { return strings_; }

  // Folds an event appended to the log (not a duplicate) into its customer's
  // state.
  void Apply(const v1::Event& event);

  // What a query found.
  enum class Found {
    kAnswered,     // `out` is filled
    kUnknown,      // no event of this customer; `out` says so
    kNeedsReplay,  // as_of is before the customer's newest event
  };

  Found Summarize(absl::string_view customer_id, int64_t as_of_us,
                  Summary* out) const;
  Found Describe(absl::string_view customer_id, int64_t as_of_us,
                 v1::Context* out) const;

  StoreStats Stats() const;

  // Calls `fn` for every customer, shard by shard, holding each shard's lock
  // shared meanwhile (for snapshots).
  void ForEach(absl::FunctionRef<void(const std::string& customer_id,
                                      const CustomerState& state)>
                   fn) const;
  // Adds a restored customer (snapshot loading; not concurrent with queries).
  void Insert(std::string customer_id, CustomerState state);

 private:
  struct Shard {
    mutable std::shared_mutex mu;
    // One node per customer holding its id and state together: a lookup
    // reads the control bytes, one pointer and the node, and the table's
    // empty slots cost a pointer each, not a whole state (with 1M
    // customers, 0.9 KiB each in a flat table at its usual load).
    absl::node_hash_map<std::string, CustomerState> customers;
  };
  Shard& ShardFor(absl::string_view customer_id) const;

  const StateConfig config_;
  const std::shared_ptr<Interner> strings_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_STATE_STORE_H_
