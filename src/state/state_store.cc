#include "state/state_store.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/hash/hash.h"

namespace motive::state {

StateStore::StateStore(StateConfig config, std::shared_ptr<Interner> strings)
    : config_(std::move(config)),
      strings_(strings ? std::move(strings) : std::make_shared<Interner>()),
      nodes_(IdTable<CustomerState>::NewPool()),
      shards_(MakeShards(nodes_, std::make_index_sequence<kShards>())) {}

size_t StateStore::ShardIndex(uint64_t hash) {
  // The high bits: IdTable indexes its slots with the low ones, and a
  // shard's customers should still spread over the whole table.
  return (hash >> 40) % kShards;
}

StateStore::Shard& StateStore::ShardOf(uint64_t hash) const {
  return shards_[ShardIndex(hash)];
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
    const uint64_t hash = IdTable<CustomerState>::Hash(event.customer_id());
    Shard& shard = ShardOf(hash);
    base::WriterLock lock(&shard.mu);
    response = shard.customers.FindOrInsert(event.customer_id(), hash)
                   .Apply(event, config_, *strings_, body);
  }
  if (response) {
    base::WriterLock lock(&learned_mu_);
    learned_[response->action].Count(
        static_cast<v1::FeedbackOutcome>(response->outcome));
  }
}

const IdTable<CustomerState>& StateStore::UnlockedTableOf(uint64_t hash) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  return ShardOf(hash).customers;
}

void StateStore::PrefetchAhead(absl::Span<const v1::Event> events,
                               size_t next) const {
  // Each stage far enough ahead for the previous one's miss to complete in
  // the time of applying the events between, near enough to stay in cache
  // until used: the slot, then the state it names, then the state's lists.
  constexpr size_t kSlotsAhead = 12;
  constexpr size_t kStatesAhead = 6;
  constexpr size_t kListsAhead = 2;
  const auto hash_of = [&](size_t ahead) {
    return IdTable<CustomerState>::Hash(events[next + ahead].customer_id());
  };
  if (next + kSlotsAhead < events.size()) {
    const uint64_t hash = hash_of(kSlotsAhead);
    UnlockedTableOf(hash).PrefetchSlot(hash);
  }
  if (next + kStatesAhead < events.size()) {
    const uint64_t hash = hash_of(kStatesAhead);
    if (const auto* node = UnlockedTableOf(hash).Candidate(hash)) {
      IdTable<CustomerState>::Prefetch(node);
    }
  }
  if (next + kListsAhead < events.size()) {
    const uint64_t hash = hash_of(kListsAhead);
    if (const auto* node = UnlockedTableOf(hash).Candidate(hash)) {
      node->value.PrefetchApply();
    }
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
    const uint64_t hash = IdTable<CustomerState>::Hash(customer_id);
    Shard& shard = ShardOf(hash);
    base::WriterLock lock(&shard.mu);
    found = shard.customers.Erase(customer_id, hash);
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
  const uint64_t hash = IdTable<CustomerState>::Hash(customer_id);
  const Shard& shard = ShardOf(hash);
  base::ReaderLock lock(&shard.mu);
  const CustomerState* state = shard.customers.Find(customer_id, hash);
  if (state == nullptr) {
    fn(CustomerState());
    return Found::kUnknown;
  }
  if (as_of_us < state->newest_us()) return Found::kNeedsReplay;
  fn(*state);
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

void StateStore::SummarizeMany(absl::Span<const absl::string_view> customer_ids,
                               int64_t as_of_us, Summary* out,
                               Found* found) const {
  // In groups: a caller asking for thousands holds few locks at a time.
  for (size_t begin = 0; begin < customer_ids.size(); begin += kShards) {
    const size_t n = std::min<size_t>(kShards, customer_ids.size() - begin);
    SummarizeGroup(customer_ids.subspan(begin, n), as_of_us, out + begin,
                   found + begin);
  }
}

// The analysis cannot follow a set of locks taken in a loop: each shard's
// table is read only between its LockShared and UnlockShared below.
void StateStore::SummarizeGroup(absl::Span<const absl::string_view> ids,
                                int64_t as_of_us, Summary* out,
                                Found* found) const
    ABSL_NO_THREAD_SAFETY_ANALYSIS {
  const size_t n = ids.size();
  std::array<uint64_t, kShards> hashes;
  std::array<uint8_t, kShards> shard_of;
  std::array<uint8_t, kShards> order;
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = IdTable<CustomerState>::Hash(ids[i]);
    shard_of[i] = static_cast<uint8_t>(ShardIndex(hashes[i]));
    order[i] = static_cast<uint8_t>(i);
  }
  std::sort(order.begin(), order.begin() + n,
            [&](uint8_t a, uint8_t b) { return shard_of[a] < shard_of[b]; });
  std::array<const Shard*, kShards> locked;
  size_t locks = 0;
  for (size_t k = 0; k < n; ++k) {
    const Shard* shard = &shards_[shard_of[order[k]]];
    if (locks == 0 || locked[locks - 1] != shard) {
      shard->mu.LockShared();
      locked[locks++] = shard;
    }
  }
  // Each pass starts every customer's next miss before waiting on any: the
  // slots, then the nodes they name, then the held events the windows read,
  // and only then the summaries.
  for (size_t i = 0; i < n; ++i) {
    shards_[shard_of[i]].customers.PrefetchSlot(hashes[i]);
  }
  using Node = IdTable<CustomerState>::Node;
  std::array<const Node*, kShards> candidates;
  for (size_t i = 0; i < n; ++i) {
    candidates[i] = shards_[shard_of[i]].customers.Candidate(hashes[i]);
    if (candidates[i] != nullptr) IdTable<CustomerState>::Prefetch(candidates[i]);
  }
  std::array<const CustomerState*, kShards> states;
  for (size_t i = 0; i < n; ++i) {
    states[i] = candidates[i] != nullptr && candidates[i]->id == ids[i]
                    ? &candidates[i]->value
                    : shards_[shard_of[i]].customers.Find(ids[i], hashes[i]);
    if (states[i] != nullptr) states[i]->PrefetchSummary(as_of_us, config_);
  }
  const CustomerState unknown;
  for (size_t i = 0; i < n; ++i) {
    const CustomerState* state = states[i];
    if (state == nullptr) {
      unknown.Summarize(as_of_us, config_, *strings_, &out[i]);
      found[i] = Found::kUnknown;
    } else if (as_of_us < state->newest_us()) {
      found[i] = Found::kNeedsReplay;
    } else {
      state->Summarize(as_of_us, config_, *strings_, &out[i]);
      found[i] = Found::kAnswered;
    }
  }
  while (locks > 0) locked[--locks]->mu.UnlockShared();
}

StoreStats StateStore::Stats() const {
  StoreStats stats;
  for (const Shard& shard : shards_) {
    base::ReaderLock lock(&shard.mu);
    stats.customers += shard.customers.size();
    // The table's slots.
    stats.state_bytes +=
        shard.customers.capacity() * IdTable<CustomerState>::kSlotBytes;
    shard.customers.ForEach([&](const std::string& id,
                                const CustomerState& state) {
      stats.held_events += state.held_events();
      stats.metric_samples += state.metric_samples();
      stats.state_bytes += state.bytes() - sizeof(CustomerState);
      stats.recent_event_bytes += state.recent_event_bytes();
      stats.responses += state.responses().size();
      if (id.capacity() > 15) stats.state_bytes += id.capacity() + 1;
    });
  }
  // The nodes, with the pool's free cells and unused tail.
  stats.state_bytes += nodes_.mapped_bytes();
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
    shard.customers.ForEach(fn);
  }
}

void StateStore::Insert(std::string customer_id, CustomerState state) {
  const uint64_t hash = IdTable<CustomerState>::Hash(customer_id);
  Shard& shard = ShardOf(hash);
  base::WriterLock lock(&shard.mu);
  shard.customers.InsertOrAssign(std::move(customer_id), hash, std::move(state));
}

}  // namespace motive::state
