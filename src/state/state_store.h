// StateStore: every customer's CustomerState, sharded by a hash of the
// customer id so that queries and ingest on different customers do not meet.
//
// Each shard is a hash map guarded by a reader-writer lock: queries take it
// shared, Apply exclusively, and nobody holds it across I/O, so readers never
// wait on the disk. Apply calls must come in log order for the state to be a
// deterministic function of the log (the engine serializes them); queries may
// come from any number of threads at any time.
//
// Learning: the store also counts the responses of decision feedback events
// (customer_state.h) per action across all customers, for the decide layer's
// propensities. They are folded from the log like the rest, so a store
// rebuilt by replay learns the same, and a snapshot carries them. The
// counters have their own lock, never held together with a shard's.
//
// Thread-safe.

#ifndef MOTIVE_STATE_STATE_STORE_H_
#define MOTIVE_STATE_STATE_STORE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/mutex.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "state/customer_state.h"
#include "state/id_table.h"
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
  // Decision responses the customers keep (customer_state.h).
  uint64_t responses = 0;
  uint64_t strings = 0;
};

// What the responses to one action taught, across all customers: how many
// responses of each outcome were folded (every well-formed feedback event
// counts once, whether or not its customer still keeps it).
struct ActionStats {
  uint64_t offered = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t ignored = 0;
  uint64_t converted = 0;

  // Counts one response; FEEDBACK_UNSPECIFIED counts nothing.
  void Count(v1::FeedbackOutcome outcome);
  // Takes back a response counted before (an erased customer's).
  void Uncount(v1::FeedbackOutcome outcome);
  bool operator==(const ActionStats&) const = default;

 private:
  uint64_t* CounterOf(v1::FeedbackOutcome outcome);
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
  // state, and a feedback event's response into the learning counters.
  // `body`: see CustomerState::Apply.
  void Apply(const v1::Event& event, absl::string_view body = {});
  // Folding many events in a row would wait on each customer's memory in
  // turn. A caller applying `events` in order calls this before applying
  // events[next]: it starts fetching the table slots of the customers some
  // events on, and the states of those a few events on, whose slots have
  // arrived meanwhile, so that their misses overlap the work in between.
  // For the applying thread only: it reads the table without the lock,
  // which is sound because only that thread changes it (Apply's callers are
  // serialized, see the top), and harmless for a customer not yet in the
  // table or one the table moved meanwhile (a prefetch never faults).
  void PrefetchAhead(absl::Span<const v1::Event> events, size_t next) const;
  // Only Apply's second half: for an event whose customer is rebuilt from
  // the log (CustomerState::Apply, which teaches nothing) instead.
  void Learn(const v1::Event& event);

  // Forgets a customer (erasure): its state, and what the responses among
  // `events`, which must be every event of that customer Apply folded,
  // taught the learning counters, so that the store is what a replay of the
  // log without them would build. Returns whether the customer was known.
  bool Erase(absl::string_view customer_id, absl::Span<const v1::Event> events);
  // What a query found.
  enum class Found {
    kAnswered,     // `out` is filled
    kUnknown,      // no event of this customer; `out` says so
    kNeedsReplay,  // as_of is before the customer's newest event
  };

  // Calls `fn` with the customer's state, holding the shard's lock shared
  // meanwhile: kAnswered. With an empty state (as if the customer had no
  // event) when the customer is unknown: kUnknown. Without calling `fn` when
  // `as_of_us` is before the customer's newest event: kNeedsReplay. The state
  // is valid only during the call. `fn` may read the learning counters
  // (Learned: another lock, which Apply never holds with a shard's) but
  // must not Visit, query or Apply (a writer waiting on the shard would
  // deadlock it).
  Found Visit(absl::string_view customer_id, int64_t as_of_us,
              absl::FunctionRef<void(const CustomerState&)> fn) const;

  // Visit with CustomerState's Summarize and Describe.
  Found Summarize(absl::string_view customer_id, int64_t as_of_us,
                  Summary* out) const;
  Found Describe(absl::string_view customer_id, int64_t as_of_us,
                 v1::Context* out) const;
  // Summarize for each of `customer_ids` into out[i], found[i] (both have
  // customer_ids.size() elements). Faster than one call each: the table
  // slots and states of a group of customers are all fetched before any is
  // read, so that their memory misses overlap instead of adding up. Holds
  // the group's shards shared meanwhile, taken in shard order (so that no
  // two callers wait on each other).
  void SummarizeMany(absl::Span<const absl::string_view> customer_ids,
                     int64_t as_of_us, Summary* out, Found* found) const;

  StoreStats Stats() const;

  // The learning counters of `action` (an Interner id; all zero for an
  // action no response named).
  ActionStats Learned(uint32_t action) const;
  // The same for each of `actions` into `out[i]` (out has actions.size()
  // elements), consistent with each other: one lock for all.
  void Learned(absl::Span<const uint32_t> actions, ActionStats* out) const;
  // Every action's counters, by action id (snapshots).
  std::vector<std::pair<uint32_t, ActionStats>> AllLearned() const;
  // Sets an action's counters (snapshot loading; not concurrent with Apply).
  void RestoreLearned(uint32_t action, const ActionStats& stats);

  // Calls `fn` for every customer, shard by shard, holding each shard's lock
  // shared meanwhile (for snapshots).
  void ForEach(absl::FunctionRef<void(const std::string& customer_id,
                                      const CustomerState& state)>
                   fn) const;
  // Adds a restored customer (snapshot loading; not concurrent with queries).
  void Insert(std::string customer_id, CustomerState state);

 private:
  struct Shard {
    explicit Shard(NodePool& nodes) : customers(nodes) {}
    mutable base::SharedMutex mu;
    IdTable<CustomerState> customers ABSL_GUARDED_BY(mu);
  };
  using Shards = std::array<Shard, kShards>;
  template <size_t... kIndex>
  static Shards MakeShards(NodePool& nodes, std::index_sequence<kIndex...>) {
    return {{(static_cast<void>(kIndex), Shard(nodes))...}};
  }
  // The shard of an id whose IdTable::Hash is `hash`.
  static size_t ShardIndex(uint64_t hash);
  Shard& ShardOf(uint64_t hash) const;
  // The table of the shard of `hash`, to be read without its lock: for
  // PrefetchAhead only (see there why that is sound).
  const IdTable<CustomerState>& UnlockedTableOf(uint64_t hash) const;
  // SummarizeMany for at most kShards customers.
  void SummarizeGroup(absl::Span<const absl::string_view> customer_ids,
                      int64_t as_of_us, Summary* out, Found* found) const;

  const StateConfig config_;
  const std::shared_ptr<Interner> strings_;
  // Every shard's nodes: one pool, so that a million customers fill whole
  // huge pages and only one block is ever partly used.
  NodePool nodes_;
  mutable Shards shards_;
  mutable base::SharedMutex learned_mu_;
  // Keyed by action id.
  absl::flat_hash_map<uint32_t, ActionStats> learned_
      ABSL_GUARDED_BY(learned_mu_);
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_STATE_STORE_H_
