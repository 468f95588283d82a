#include "state/state_store.h"

#include <mutex>
#include <utility>

#include "absl/hash/hash.h"

namespace motive::state {

StateStore::StateStore(StateConfig config, std::shared_ptr<Interner> strings)
    : config_(std::move(config)),
      strings_(strings ? std::move(strings) : std::make_shared<Interner>()) {}

StateStore::Shard& StateStore::ShardFor(absl::string_view customer_id) const {
  // The high bits: absl::flat_hash_map indexes its slots with the low ones,
  // and a shard's customers should still spread over the whole table.
  const size_t hash = absl::HashOf(customer_id);
  return shards_[(hash >> 40) % kShards];
}

void StateStore::Apply(const v1::Event& event) {
  Shard& shard = ShardFor(event.customer_id());
  std::unique_lock lock(shard.mu);
  shard.customers[event.customer_id()].Apply(event, config_, *strings_);
}

StateStore::Found StateStore::Summarize(absl::string_view customer_id,
                                        int64_t as_of_us, Summary* out) const {
  const Shard& shard = ShardFor(customer_id);
  std::shared_lock lock(shard.mu);
  auto it = shard.customers.find(customer_id);
  if (it == shard.customers.end()) {
    CustomerState().Summarize(as_of_us, config_, *strings_, out);
    return Found::kUnknown;
  }
  if (as_of_us < it->second.newest_us()) return Found::kNeedsReplay;
  it->second.Summarize(as_of_us, config_, *strings_, out);
  return Found::kAnswered;
}

StateStore::Found StateStore::Describe(absl::string_view customer_id,
                                       int64_t as_of_us,
                                       v1::Context* out) const {
  const Shard& shard = ShardFor(customer_id);
  std::shared_lock lock(shard.mu);
  auto it = shard.customers.find(customer_id);
  if (it == shard.customers.end()) {
    CustomerState().Describe(customer_id, as_of_us, config_, *strings_, out);
    return Found::kUnknown;
  }
  if (as_of_us < it->second.newest_us()) return Found::kNeedsReplay;
  it->second.Describe(customer_id, as_of_us, config_, *strings_, out);
  return Found::kAnswered;
}

StoreStats StateStore::Stats() const {
  StoreStats stats;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    stats.customers += shard.customers.size();
    // The table's slots (a pointer and a control byte each), and the nodes.
    stats.state_bytes +=
        shard.customers.capacity() * (sizeof(void*) + 1) +
        shard.customers.size() *
            sizeof(std::pair<const std::string, CustomerState>);
    for (const auto& [id, state] : shard.customers) {
      stats.held_events += state.held_events();
      stats.metric_samples += state.metric_samples();
      stats.state_bytes += state.bytes() - sizeof(CustomerState);
      stats.recent_event_bytes += state.recent_event_bytes();
      if (id.capacity() > 15) stats.state_bytes += id.capacity() + 1;
    }
  }
  stats.strings = strings_->size();
  return stats;
}

void StateStore::ForEach(absl::FunctionRef<void(const std::string& customer_id,
                                                const CustomerState& state)>
                             fn) const {
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    for (const auto& [id, state] : shard.customers) fn(id, state);
  }
}

void StateStore::Insert(std::string customer_id, CustomerState state) {
  Shard& shard = ShardFor(customer_id);
  std::unique_lock lock(shard.mu);
  shard.customers.insert_or_assign(std::move(customer_id), std::move(state));
}

}  // namespace motive::state
