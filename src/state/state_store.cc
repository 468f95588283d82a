#include "state/state_store.h"

#include <algorithm>
#include <mutex>
#include <optional>
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

uint64_t* ActionStats::CounterOf(v1::FeedbackOutcome outcome) {
  switch (outcome) {
    case v1::OFFERED:
      return &offered;
    case v1::ACCEPTED:
      return &accepted;
    case v1::REJECTED:
      return &rejected;
    case v1::IGNORED:
      return &ignored;
    case v1::CONVERTED:
      return &converted;
    default:
      return nullptr;
  }
}

void ActionStats::Count(v1::FeedbackOutcome outcome) {
  if (uint64_t* counter = CounterOf(outcome)) ++*counter;
}

void ActionStats::Uncount(v1::FeedbackOutcome outcome) {
  if (uint64_t* counter = CounterOf(outcome); counter && *counter > 0) {
    --*counter;
  }
}

void StateStore::Apply(const v1::Event& event, absl::string_view body) {
  std::optional<Response> response;
  {
    Shard& shard = ShardFor(event.customer_id());
    base::WriterLock lock(&shard.mu);
    response =
        shard.customers[event.customer_id()].Apply(event, config_, *strings_,
                                                   body);
  }
  if (response) {
    base::WriterLock lock(&learned_mu_);
    learned_[response->action].Count(
        static_cast<v1::FeedbackOutcome>(response->outcome));
  }
}

void StateStore::Learn(const v1::Event& event) {
  const std::optional<Response> response = ReadFeedback(event, *strings_);
  if (!response) return;
  base::WriterLock lock(&learned_mu_);
  learned_[response->action].Count(
      static_cast<v1::FeedbackOutcome>(response->outcome));
}

bool StateStore::Erase(absl::string_view customer_id,
                       absl::Span<const v1::Event> events) {
  bool found;
  {
    Shard& shard = ShardFor(customer_id);
    base::WriterLock lock(&shard.mu);
    found = shard.customers.erase(customer_id) > 0;
  }
  base::WriterLock lock(&learned_mu_);
  for (const v1::Event& event : events) {
    const std::optional<Response> response = ReadFeedback(event, *strings_);
    if (!response) continue;
    auto it = learned_.find(response->action);
    if (it == learned_.end()) continue;
    it->second.Uncount(static_cast<v1::FeedbackOutcome>(response->outcome));
    // A replay of the log without these events would have no entry at all.
    if (it->second == ActionStats{}) learned_.erase(it);
  }
  return found;
}

StateStore::Found StateStore::Visit(
    absl::string_view customer_id, int64_t as_of_us,
    absl::FunctionRef<void(const CustomerState&)> fn) const {
  const Shard& shard = ShardFor(customer_id);
  base::ReaderLock lock(&shard.mu);
  auto it = shard.customers.find(customer_id);
  if (it == shard.customers.end()) {
    fn(CustomerState());
    return Found::kUnknown;
  }
  if (as_of_us < it->second.newest_us()) return Found::kNeedsReplay;
  fn(it->second);
  return Found::kAnswered;
}

StateStore::Found StateStore::Summarize(absl::string_view customer_id,
                                        int64_t as_of_us, Summary* out) const {
  return Visit(customer_id, as_of_us, [&](const CustomerState& state) {
    state.Summarize(as_of_us, config_, *strings_, out);
  });
}

StateStore::Found StateStore::Describe(absl::string_view customer_id,
                                       int64_t as_of_us,
                                       v1::Context* out) const {
  return Visit(customer_id, as_of_us, [&](const CustomerState& state) {
    state.Describe(customer_id, as_of_us, config_, *strings_, out);
  });
}

StoreStats StateStore::Stats() const {
  StoreStats stats;
  for (const Shard& shard : shards_) {
    base::ReaderLock lock(&shard.mu);
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
      stats.responses += state.responses().size();
      if (id.capacity() > 15) stats.state_bytes += id.capacity() + 1;
    }
  }
  stats.strings = strings_->size();
  return stats;
}

ActionStats StateStore::Learned(uint32_t action) const {
  ActionStats stats;
  Learned(absl::MakeConstSpan(&action, 1), &stats);
  return stats;
}

void StateStore::Learned(absl::Span<const uint32_t> actions,
                         ActionStats* out) const {
  base::ReaderLock lock(&learned_mu_);
  for (size_t i = 0; i < actions.size(); ++i) {
    auto it = learned_.find(actions[i]);
    out[i] = it == learned_.end() ? ActionStats{} : it->second;
  }
}

std::vector<std::pair<uint32_t, ActionStats>> StateStore::AllLearned() const {
  std::vector<std::pair<uint32_t, ActionStats>> all;
  {
    base::ReaderLock lock(&learned_mu_);
    all.assign(learned_.begin(), learned_.end());
  }
  // A hash map's order varies: sorted, a snapshot is a function of the
  // state.
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return all;
}

void StateStore::RestoreLearned(uint32_t action, const ActionStats& stats) {
  base::WriterLock lock(&learned_mu_);
  learned_[action] = stats;
}

void StateStore::ForEach(absl::FunctionRef<void(const std::string& customer_id,
                                                const CustomerState& state)>
                             fn) const {
  for (const Shard& shard : shards_) {
    base::ReaderLock lock(&shard.mu);
    for (const auto& [id, state] : shard.customers) fn(id, state);
  }
}

void StateStore::Insert(std::string customer_id, CustomerState state) {
  Shard& shard = ShardFor(customer_id);
  base::WriterLock lock(&shard.mu);
  shard.customers.insert_or_assign(std::move(customer_id), std::move(state));
}

}  // namespace motive::state
