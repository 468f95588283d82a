#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <thread>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "base/text_proto.h"
#include "engine/read_ahead.h"
#include "expr/program.h"
#include "model/event_validation.h"
#include "model/interactions.h"
#include "state/context_variables.h"
#include "state/snapshot.h"

namespace motive::engine {

namespace {

// How often opening reports its replay (EngineOptions::on_open_progress).
constexpr uint64_t kOpenProgressEvents = 65536;

// Frees a ruleset just swapped out, on this thread, once no decision holds
// it any more.
void Retire(std::shared_ptr<const decide::Ruleset> old) {
  // Decisions that took it before the swap still hold it; the last of them
  // would free it otherwise, adding milliseconds to that one decision. No
  // new copy can be made (ruleset_ no longer points to it), so this ends
  // as soon as those decisions do.
  while (old != nullptr && old.use_count() > 1) std::this_thread::yield();
}

}  // namespace

Engine::Engine(std::unique_ptr<store::EventLog> log,
               std::unique_ptr<identity::Identities> identities,
               model::JourneyMap map, std::function<absl::Time()> clock,
               std::string snapshot_path, base::FileIo* file_io,
               absl::Duration retention, bool read_only)
    : log_(std::move(log)),
      identities_(std::move(identities)),
      journey_map_(std::move(map)),
      clock_(std::move(clock)),
      snapshot_path_(std::move(snapshot_path)),
      retention_(retention),
      file_io_(file_io != nullptr ? *file_io : base::FileIo::Default()),
      read_only_(read_only),
      strings_(std::make_shared<state::Interner>()) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& path,
                                                     EngineOptions options) {
  model::JourneyMap map = model::JourneyMap::Default();
  if (!options.journey_map_text.empty()) {
    absl::StatusOr<model::JourneyMap> parsed =
        model::JourneyMap::FromText(options.journey_map_text);
    if (!parsed.ok()) return parsed.status();
    map = *std::move(parsed);
  }
  v1::ContextConfig config;
  if (absl::Status s = base::ParseTextProto(options.context_config_text,
                                             "context_config", &config);
      !s.ok()) {
    return s;
  }
  v1::IdentityConfig identity_config;
  if (absl::Status s = base::ParseTextProto(
          options.identity_config_text, "identity_config", &identity_config);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::unique_ptr<identity::Identities>> identities =
      identity::Identities::Create(identity_config);
  if (!identities.ok()) {
    return base::Annotate(identities.status(), "identity_config");
  }
  if (!options.cluster.servers.empty()) {
    // A node's log is a replica: what it acknowledges, a majority of the
    // stream's servers hold, and after a power loss the log resumes from
    // the positions it kept with its events. Syncing each apply would buy
    // nothing but a millisecond per write.
    options.log.durability = store::Durability::kGroup;
  }
  absl::StatusOr<std::unique_ptr<store::EventLog>> log =
      store::EventLog::Open(path, options.log);
  if (!log.ok()) return log.status();
  if (!options.clock) options.clock = [] { return absl::Now(); };
  std::string snapshot_path = options.snapshot_path;
  if (snapshot_path == "-" || (snapshot_path.empty() && path == ":memory:")) {
    snapshot_path.clear();
  } else if (snapshot_path.empty()) {
    snapshot_path = path + "-snapshot";
  }
  auto engine = std::unique_ptr<Engine>(new Engine(
      *std::move(log), *std::move(identities), std::move(map),
      std::move(options.clock), std::move(snapshot_path), options.log.file_io,
      options.retention, options.log.read_only));
  // The ruleset's metrics are part of the state; its string ids must come
  // after the snapshot's (which restores the string table as it was), so
  // it is compiled once the state is built.
  v1::Ruleset ruleset;
  if (!options.ruleset_text.empty()) {
    absl::StatusOr<v1::Ruleset> parsed =
        decide::Ruleset::Parse(options.ruleset_text, options.ruleset_origin);
    if (!parsed.ok()) return parsed.status();
    ruleset = *std::move(parsed);
  }
  absl::StatusOr<v1::ContextConfig> merged =
      WithRulesetMetrics(config, ruleset.metrics());
  if (!merged.ok()) {
    return base::Annotate(merged.status(),
                           decide::Ruleset::Origin(options.ruleset_origin));
  }
  absl::StatusOr<std::unique_ptr<state::StateStore>> state = engine->BuildState(
      *merged, /*use_snapshot=*/true, options.on_open_progress);
  if (!state.ok()) return state.status();
  std::shared_ptr<const decide::Ruleset> rules;
  if (!options.ruleset_text.empty()) {
    absl::StatusOr<std::shared_ptr<const decide::Ruleset>> compiled =
        decide::Ruleset::Compile(options.ruleset_text, options.ruleset_origin,
                                 *engine->strings_);
    if (!compiled.ok()) return compiled.status();
    rules = *std::move(compiled);
  }
  {
    // Nobody else sees the engine yet; the locks are for the analysis.
    base::MutexLock ingest(&engine->ingest_mu_);
    base::WriterLock state_lock(&engine->state_mu_);
    base::MutexLock swap(&engine->ruleset_mu_);
    engine->state_ = *std::move(state);
    engine->ruleset_ = std::move(rules);
    engine->config_fingerprint_ = engine->Fingerprint(*merged);
    engine->context_config_ = std::move(config);
  }
  if (!options.cluster.servers.empty()) {
    if (absl::Status s = engine->JoinCluster(options.cluster); !s.ok()) {
      return s;
    }
  }
  return engine;
}

absl::Status Engine::JoinCluster(const cluster::ClusterOptions& options) {
  if (read_only_) {
    return absl::InvalidArgumentError(
        "a read-only engine cannot be a node of a cluster");
  }
  absl::StatusOr<store::StreamPositions> positions =
      log_->ReadStreamPositions();
  if (!positions.ok()) return positions.status();
  absl::StatusOr<std::unique_ptr<cluster::Replicator>> replicator =
      cluster::Replicator::Start(
          options, *positions,
          [this](std::vector<v1::Event>& events,
                 std::vector<std::string>& bodies,
                 const store::StreamPositions& positions) {
            return ApplyShared(events, bodies, positions);
          });
  if (!replicator.ok()) return base::Annotate(replicator.status(), "cluster");
  replicator_ = *std::move(replicator);
  return replicator_->CatchUp(absl::Now() + options.open_timeout);
}

uint64_t Engine::Fingerprint(const v1::ContextConfig& config) const {
  // The identity rules decide which events fold together: a snapshot taken
  // under others would answer for other profiles.
  return state::ConfigFingerprint(config) ^ identities_->fingerprint();
}

absl::StatusOr<v1::ContextConfig> Engine::WithRulesetMetrics(
    const v1::ContextConfig& config,
    const google::protobuf::RepeatedPtrField<v1::MetricDefinition>& metrics) {
  v1::ContextConfig merged = config;
  for (int i = 0; i < metrics.size(); ++i) {
    const v1::MetricDefinition& metric = metrics[i];
    for (const v1::MetricDefinition& own : config.metrics()) {
      if (own.name() == metric.name()) {
        return base::FieldError(
            absl::StrCat("metrics[", i, "].name"),
            absl::StrCat("the ruleset's metric \"", metric.name(),
                         "\" is also a metric of the context configuration"));
      }
    }
    *merged.add_metrics() = metric;
  }
  return merged;
}

absl::StatusOr<v1::ContextConfig> Engine::WithRulesetMetrics(
    const v1::ContextConfig& config, const decide::Ruleset* rules) {
  if (rules == nullptr) return config;
  return WithRulesetMetrics(config, rules->metrics());
}

absl::StatusOr<std::unique_ptr<state::StateStore>> Engine::BuildState(
    const v1::ContextConfig& config, bool use_snapshot,
    const std::function<bool(uint64_t done, uint64_t total)>& on_progress) {
  absl::StatusOr<state::StateConfig> state_config =
      state::StateConfig::FromProto(config);
  if (!state_config.ok()) return state_config.status();
  auto store =
      std::make_unique<state::StateStore>(*std::move(state_config), strings_);

  OpenReport report;
  int64_t after_seq = 0;
  if (use_snapshot && !snapshot_path_.empty()) {
    std::string graph;
    absl::StatusOr<state::LogPosition> position = state::ReadSnapshot(
        snapshot_path_, Fingerprint(config), store.get(), file_io_, &graph);
    if (position.ok() && position->seq > 0) {
      absl::StatusOr<int64_t> high_water = log_->HighWater();
      if (!high_water.ok()) return high_water.status();
      // Seqs are never reused, so a log that never reached the snapshot's
      // seq lost committed events that the snapshot holds: serving the
      // snapshot would answer from events the log no longer has, and
      // replaying without it would drop them without a word.
      if (*high_water < position->seq) {
        return absl::DataLossError(absl::StrCat(
            "the log ends at seq ", *high_water, ", but the snapshot ",
            snapshot_path_, " was taken at seq ", position->seq,
            ": committed events are missing from the log (was its "
            "write-ahead log deleted or damaged?). Restore the missing file, "
            "or remove the snapshot to open the log as it is"));
      }
      // The snapshot must describe this log: the event it stopped at is
      // still there, under the same seq.
      absl::StatusOr<std::string> id = log_->EventIdAt(position->seq);
      if (!id.ok() || *id != position->event_id) {
        position = absl::FailedPreconditionError(
            "the snapshot was taken from another log");
      }
    }
    if (position.ok()) {
      if (absl::Status s = identities_->Restore(graph); !s.ok()) {
        position = absl::DataLossError(
            absl::StrCat("the snapshot's identity graph: ", s.message()));
      }
    }
    if (position.ok()) {
      report.from_snapshot = true;
      after_seq = position->seq;
    } else {
      if (!absl::IsNotFound(position.status())) {
        report.snapshot_note = std::string(position.status().message());
      }
      // The failed read may have interned strings: harmless, the table
      // only grows.
      store = std::make_unique<state::StateStore>(store->config(), strings_);
    }
  }
  // At open: the identity graph as the snapshot saw it (restored above),
  // its tail then taken in as ingest does; or, replaying everything, the
  // whole graph first, so that every event folds straight into its final
  // profile.
  if (use_snapshot && after_seq == 0) {
    if (absl::Status s = LoadIdentities(); !s.ok()) return s;
  }
  // Interactions with versions or enrichments are folded whole, once their
  // events are all in: their profiles are rebuilt at the end. After a
  // snapshot any of them may have had events before it.
  absl::flat_hash_set<std::string> repeated;
  if (after_seq == 0) {
    absl::StatusOr<absl::flat_hash_set<std::string>> found =
        log_->RepeatedInteractions();
    if (!found.ok()) return found.status();
    repeated = *std::move(found);
  }
  uint64_t to_replay = 0;
  if (on_progress) {
    absl::StatusOr<int64_t> last = log_->LastSeq();
    if (!last.ok()) return last.status();
    to_replay = static_cast<uint64_t>(std::max<int64_t>(*last - after_seq, 0));
  }
  Touched touched;
  std::string profile;
  auto fold = [&](int64_t, const v1::Event& event) {
    if (on_progress && report.events_replayed % kOpenProgressEvents == 0 &&
        !on_progress(report.events_replayed, to_replay)) {
      return absl::CancelledError("opening stopped by the progress callback");
    }
    ++report.events_replayed;
    if (after_seq > 0) Observe(event, &touched, nullptr, nullptr);
    if (!event.interaction_id().empty() &&
        (after_seq > 0 || repeated.contains(event.interaction_id()))) {
      touched.insert(identities_->ProfileOf(event.customer_id()));
    }
    switch (FoldTarget(event, touched, &profile)) {
      case Folding::kNone:
        return absl::OkStatus();
      case Folding::kRebuilt:
        store->Learn(event);
        return absl::OkStatus();
      case Folding::kOne:
        break;
    }
    if (profile.empty()) {
      store->Apply(event);
    } else {
      v1::Event copy = event;
      copy.set_customer_id(profile);
      store->Apply(copy);
    }
    return absl::OkStatus();
  };
  if (absl::Status s = log_->Scan(after_seq, fold); !s.ok()) return s;
  if (on_progress && !on_progress(report.events_replayed, to_replay)) {
    return absl::CancelledError("opening stopped by the progress callback");
  }
  if (absl::Status s = Reshape(touched, *store); !s.ok()) return s;
  if (use_snapshot) open_report_ = std::move(report);
  return store;
}

absl::Status Engine::LoadIdentities() {
  if (!log_->identified()) return absl::OkStatus();
  return log_->Scan(0, [&](int64_t, const v1::Event& event) {
    identities_->Observe(event);
    return absl::OkStatus();
  });
}

void Engine::Observe(const v1::Event& event, Touched* touched,
                     std::vector<v1::Event>* explanations,
                     IngestCounts* counts) {
  const bool known =
      event.identifiers().empty() || identities_->Knows(event.customer_id());
  const identity::Change change = identities_->Observe(event);
  if (counts != nullptr) {
    counts->profiles_merged += change.merges.size();
    // An enrichment held under its interaction is no customer yet.
    const bool held =
        absl::c_all_of(event.identifiers(), [](const v1::Identifier& id) {
          return id.namespace_() == "interaction";
        });
    if (!known && !held &&
        identities_->ProfileOf(event.customer_id()) == event.customer_id()) {
      ++counts->profiles_created;
    }
  }
  for (const identity::Merge& merge : change.merges) {
    touched->insert(merge.from);
    touched->insert(merge.into);
  }
  for (const identity::Change::Split& split : change.splits) {
    touched->insert(split.from);
    touched->insert(split.into.begin(), split.into.end());
  }
  if (explanations != nullptr) {
    for (v1::Event& e : identity::Identities::Explain(
             change, event, absl::ToUnixMicros(clock_()))) {
      explanations->push_back(std::move(e));
    }
  }
}

Engine::Folding Engine::FoldTarget(const v1::Event& event,
                                   const Touched& touched,
                                   std::string* profile) const {
  profile->clear();
  if (identity::IsIdentityEvent(event) || event.enrichment()) {
    return Folding::kNone;
  }
  if (identities_->empty() && touched.empty()) return Folding::kOne;
  std::string id = identities_->ProfileOf(event.customer_id());
  if (touched.contains(id)) return Folding::kRebuilt;
  if (id != event.customer_id()) *profile = std::move(id);
  return Folding::kOne;
}

absl::Status Engine::Reshape(const Touched& touched, state::StateStore& store) {
  for (const std::string& name : touched) {
    const std::string profile = identities_->ProfileOf(name);
    if (profile != name) {
      // Ended (merged into `profile`, rebuilt under its own name).
      store.Erase(name, {});
      continue;
    }
    absl::StatusOr<std::vector<v1::Event>> events =
        ProfileEvents(profile, store::TimeRange{});
    if (!events.ok()) return events.status();
    if (std::all_of(events->begin(), events->end(),
                    identity::IsIdentityEvent)) {
      store.Erase(name, {});
      continue;
    }
    store.Insert(profile, Fold(*events, store));
  }
  return absl::OkStatus();
}

state::CustomerState Engine::Fold(absl::Span<const v1::Event> events,
                                  state::StateStore& store) {
  state::CustomerState customer;
  // The store's string table owns what the events intern, so that the
  // strings a summary hands out outlive the call.
  for (const v1::Event& event : events) {
    if (identity::IsIdentityEvent(event)) continue;
    customer.Apply(event, store.config(), store.strings());
  }
  return customer;
}

absl::StatusOr<std::vector<v1::Event>> Engine::ProfileEvents(
    absl::string_view profile, const store::TimeRange& range) {
  const std::vector<std::string> anchors = identities_->Anchors(profile);
  absl::StatusOr<std::vector<v1::Event>> events =
      log_->ReadCustomers(anchors, range);
  if (!events.ok()) return events.status();
  return model::EffectiveEvents(*std::move(events));
}

absl::Status Engine::PlaceInInteractions(std::vector<v1::Event>& batch,
                                         std::vector<std::string>* bodies,
                                         Touched* touched,
                                         std::vector<bool>* updates) {
  updates->assign(batch.size(), false);
  std::vector<absl::string_view> interactions;
  for (const v1::Event& event : batch) {
    if (!event.interaction_id().empty()) {
      interactions.push_back(event.interaction_id());
    }
  }
  if (interactions.empty()) return absl::OkStatus();
  absl::StatusOr<store::EventLog::InteractionMap> logged =
      log_->InteractionEvents(interactions);
  if (!logged.ok()) return logged.status();
  // Where this batch's interactions first went, for the next in the batch.
  absl::flat_hash_map<std::string, std::string> in_batch;
  for (size_t i = 0; i < batch.size(); ++i) {
    v1::Event& event = batch[i];
    if (event.interaction_id().empty()) continue;
    auto earlier = logged->find(event.interaction_id());
    auto batched = in_batch.find(event.interaction_id());
    // The common case, a contact seen for the first time, needs no more.
    if (earlier == logged->end() && batched == in_batch.end() &&
        !event.customer_id().empty()) {
      in_batch.try_emplace(event.interaction_id(), event.customer_id());
      continue;
    }
    const identity::Identifier held = {"interaction", event.interaction_id()};
    const std::string held_anchor =
        identity::IdentityGraph::DerivedAnchor(absl::MakeConstSpan(&held, 1));
    // Where the interaction's events went: under a customer's anchor, or
    // (enrichments that came first) held under the interaction's.
    std::string anchor;
    if (earlier != logged->end()) {
      for (const store::EventLog::InteractionEvent& e : earlier->second) {
        if (anchor.empty() || anchor == held_anchor) anchor = e.customer_id;
      }
    }
    if (batched != in_batch.end() &&
        (anchor.empty() || anchor == held_anchor)) {
      anchor = batched->second;
    }
    const bool placed = event.customer_id().empty();
    const bool holds = placed ? anchor.empty() || anchor == held_anchor
                              : anchor == held_anchor;
    if (holds) {
      // An enrichment of nobody yet, held under the interaction itself, or
      // the version that its held enrichments wait for: the interaction's
      // identifier links the two.
      v1::Identifier* id = event.add_identifiers();
      id->set_namespace_(held.ns);
      id->set_value(held.value);
    }
    if (placed) {
      if (anchor.empty()) anchor = held_anchor;
      event.set_customer_id(anchor);
    }
    if (bodies != nullptr && (holds || placed)) {
      event.SerializeToString(&(*bodies)[i]);
    }
    if (!anchor.empty()) {
      // A later version or another enrichment: the profile's fold changes.
      touched->insert(identities_->ProfileOf(anchor));
      // An update of a contact already counted, not of one held back.
      (*updates)[i] = anchor != held_anchor;
    }
    auto [it, added] =
        in_batch.try_emplace(event.interaction_id(), event.customer_id());
    if (!added && it->second == held_anchor) it->second = event.customer_id();
  }
  return absl::OkStatus();
}

absl::Status Engine::Prepare(v1::Event* event) const {
  if (absl::Status s = identities_->Prepare(event); !s.ok()) return s;
  return model::PrepareEvent(event, journey_map_, clock_());
}

absl::StatusOr<bool> Engine::Record(v1::Event event) {
  if (absl::Status s = Prepare(&event); !s.ok()) return s;
  std::vector<v1::Event> batch;
  batch.push_back(std::move(event));
  IngestCounts counts;
  if (absl::Status s = Store(batch, nullptr, &counts); !s.ok()) return s;
  return counts.accepted == 1;
}

absl::Status Engine::Store(std::vector<v1::Event>& batch,
                           std::vector<std::string>* bodies,
                           IngestCounts* counts) {
  absl::Status stored = replicator_ != nullptr
                            ? Share(batch, bodies, counts)
                            : AppendBatch(batch, bodies, counts);
  DeliverAlerts();
  return stored;
}

absl::Status Engine::Share(std::vector<v1::Event>& batch,
                           std::vector<std::string>* given_bodies,
                           IngestCounts* counts) {
  if (batch.empty()) return absl::OkStatus();
  std::vector<std::string> serialized;
  if (given_bodies == nullptr) {
    serialized.resize(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      batch[i].SerializeToString(&serialized[i]);
    }
  }
  const std::vector<std::string>& bodies =
      given_bodies != nullptr ? *given_bodies : serialized;
  {
    // Before publishing: this node may apply an event before the cluster's
    // acknowledgement reaches its writer.
    base::MutexLock lock(&outcomes_mu_);
    for (const v1::Event& event : batch) ++outcomes_[event.event_id()].writers;
  }
  absl::StatusOr<std::vector<cluster::Replicator::Ack>> acks =
      replicator_->Publish(batch, bodies);
  absl::Status status = acks.status();
  if (status.ok()) {
    status = replicator_->WaitApplied(
        *acks, absl::Now() + replicator_->options().write_timeout);
  }
  base::MutexLock lock(&outcomes_mu_);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto it = outcomes_.find(batch[i].event_id());
    if (status.ok()) {
      // Stored once by the stream (its duplicate window) or by this
      // node's log (a retry after the window): a duplicate either way.
      if ((*acks)[i].duplicate || !it->second.applied ||
          it->second.counts.accepted == 0) {
        ++counts->duplicates;
      } else {
        const IngestCounts& c = it->second.counts;
        counts->accepted += c.accepted;
        counts->updated += c.updated;
        counts->profiles_created += c.profiles_created;
        counts->profiles_merged += c.profiles_merged;
      }
    }
    if (--it->second.writers == 0) outcomes_.erase(it);
  }
  return status;
}

absl::Status Engine::ApplyShared(std::vector<v1::Event>& events,
                                 std::vector<std::string>& bodies,
                                 const store::StreamPositions& positions) {
  // Erase instructions split the batch: what comes before one is stored
  // before it erases, what comes after it after. The positions go with the
  // last part: an erasure applied again after a crash erases nothing more.
  size_t begin = 0;
  while (true) {
    size_t end = begin;
    while (end < events.size() && events[end].type() != kEraseType) ++end;
    std::vector<v1::Event> part(std::make_move_iterator(events.begin() + begin),
                                std::make_move_iterator(events.begin() + end));
    std::vector<std::string> part_bodies(
        std::make_move_iterator(bodies.begin() + begin),
        std::make_move_iterator(bodies.begin() + end));
    const bool last = end == events.size();
    IngestCounts counts;
    std::vector<IngestCounts> per_event(part.size());
    absl::Status status =
        AppendBatch(part, &part_bodies, &counts, &per_event,
                    last ? positions : store::StreamPositions());
    if (status.ok() && !last) {
      absl::StatusOr<uint64_t> erased =
          EraseHere(events[end].customer_id());
      status = erased.status();
      part.push_back(events[end]);
      per_event.emplace_back().accepted = 1;
    }
    if (status.ok()) {
      base::MutexLock lock(&outcomes_mu_);
      for (size_t i = 0; i < part.size(); ++i) {
        auto it = outcomes_.find(part[i].event_id());
        // The first copy applied is the one stored; a later one of the
        // same id is the log's duplicate.
        if (it == outcomes_.end() || it->second.applied) continue;
        it->second.applied = true;
        it->second.counts = per_event[i];
      }
    }
    DeliverAlerts();
    if (!status.ok() || last) return status;
    begin = end + 1;
  }
}

absl::Status Engine::CheckHeld(absl::string_view customer_id) const {
  if (replicator_ == nullptr) return absl::OkStatus();
  const uint32_t partition = cluster::PartitionOf(
      customer_id, replicator_->topology().partitions());
  if (replicator_->Holds(partition)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "customer ", customer_id, " is in partition ", partition,
      ", which this node does not hold: ask the node that holds it"));
}

cluster::Replicator::Stats Engine::cluster_stats() const {
  return replicator_ != nullptr ? replicator_->stats()
                                : cluster::Replicator::Stats();
}

absl::Status Engine::AppendBatch(std::vector<v1::Event>& batch,
                                 std::vector<std::string>* bodies,
                                 IngestCounts* counts,
                                 std::vector<IngestCounts>* per_event,
                                 const store::StreamPositions& positions) {
  if (batch.empty() && positions.empty()) return absl::OkStatus();
  base::MutexLock ingest(&ingest_mu_);
  Touched touched;
  std::vector<bool> updates;
  if (absl::Status s = PlaceInInteractions(batch, bodies, &touched, &updates);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<store::AppendResult> result =
      log_->Append(batch, bodies == nullptr ? absl::Span<const std::string>()
                                            : *bodies,
                   positions);
  if (!result.ok()) {
    return result.status();
  }
  // Identities first, so that each event folds into its final profile.
  std::vector<v1::Event> explanations;
  for (size_t i = 0; i < batch.size(); ++i) {
    IngestCounts* event_counts =
        per_event != nullptr ? &(*per_event)[i] : counts;
    if (!result->appended[i]) {
      ++event_counts->duplicates;
      continue;
    }
    ++event_counts->accepted;
    Observe(batch[i], &touched, &explanations, event_counts);
    if (updates[i]) ++event_counts->updated;
  }
  if (!explanations.empty()) {
    // Were they lost to a crash, a replay would still merge as they say.
    if (absl::Status s = log_->Append(explanations).status(); !s.ok()) {
      return s;
    }
  }
  std::vector<v1::Alert> raised;
  {
    base::ReaderLock state(&state_mu_);
    std::shared_ptr<const decide::Ruleset> rules = CurrentRuleset();
    std::string profile;
    for (size_t i = 0; i < batch.size(); ++i) {
      state_->PrefetchAhead(batch, i);
      if (!result->appended[i]) continue;
      const Folding folding = FoldTarget(batch[i], touched, &profile);
      if (folding == Folding::kRebuilt) state_->Learn(batch[i]);
      if (folding != Folding::kOne) continue;
      // The log's copy serves as the state's recent event unless the
      // event folds under another id.
      absl::string_view body;
      if (!profile.empty()) {
        batch[i].set_customer_id(profile);
      } else if (bodies != nullptr) {
        body = (*bodies)[i];
      }
      if (rules == nullptr) {
        state_->Apply(batch[i], body);
      } else {
        rules->Fold(batch[i], *state_, &raised, body);
      }
    }
    // Merged and split profiles are rebuilt whole; they raise no alerts.
    if (absl::Status s = Reshape(touched, *state_); !s.ok()) {
      return s;
    }
  }
  if (!raised.empty()) {
    base::MutexLock lock(&alerts_mu_);
    for (v1::Alert& alert : raised) {
      ++alert_counts_.raised;
      if (alerts_.size() == kMaxQueuedAlerts) {
        alerts_.pop_front();
        ++alert_counts_.dropped;
      }
      alerts_.push_back(std::move(alert));
    }
  }
  if (per_event != nullptr) {
    for (const IngestCounts& c : *per_event) {
      counts->accepted += c.accepted;
      counts->duplicates += c.duplicates;
      counts->updated += c.updated;
      counts->profiles_created += c.profiles_created;
      counts->profiles_merged += c.profiles_merged;
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::Ingest(model::RecordSource& reader,
                            const IngestOptions& options,
                            IngestCounts* counts) {
  const uint32_t batch_size =
      options.batch_size ? options.batch_size : IngestOptions().batch_size;
  ReadAhead ahead(reader, batch_size,
                  [this](v1::Event* event) { return Prepare(event); });
  ReadBatch batch;
  while (ahead.Next(&batch)) {
    counts->records += batch.records;
    counts->skipped += batch.skipped;
    for (const ReadBatch::Reject& reject : batch.rejects) {
      ++counts->rejected;
      if (options.on_reject) {
        options.on_reject(reject.record, base::ErrorField(reject.status),
                          base::ErrorReason(reject.status));
      }
    }
    if (absl::Status s = Store(batch.events, &batch.bodies, counts);
        !s.ok()) {
      return s;
    }
    // The last report comes when all is stored: nothing is left to stop.
    if (options.on_progress && !options.on_progress(batch.bytes_read) &&
        !batch.last) {
      return absl::CancelledError("ingest stopped by the progress callback");
    }
  }
  return ahead.status();
}

absl::StatusOr<std::vector<v1::Event>> Engine::Timeline(
    absl::string_view customer_id, const store::TimeRange& range) {
  if (customer_id.empty()) {
    return base::FieldError("customer_id", "is required");
  }
  if (absl::Status s = CheckHeld(customer_id); !s.ok()) return s;
  const std::string profile = identities_->ProfileOf(customer_id);
  absl::StatusOr<std::vector<v1::Event>> events = ProfileEvents(profile, range);
  if (!events.ok()) return events.status();
  std::erase_if(*events, identity::IsIdentityEvent);
  for (v1::Event& event : *events) event.set_customer_id(profile);
  return events;
}

absl::StatusOr<std::string> Engine::Resolve(absl::string_view ns,
                                            absl::string_view value) const {
  return identities_->Resolve(ns, value);
}

absl::StatusOr<v1::Profile> Engine::DescribeProfile(
    absl::string_view customer_id) {
  if (customer_id.empty()) {
    return base::FieldError("customer_id", "is required");
  }
  v1::Profile profile = identities_->Describe(customer_id);
  absl::StatusOr<std::vector<v1::Event>> events =
      ProfileEvents(profile.customer_id(), store::TimeRange{});
  if (!events.ok()) return events.status();
  for (v1::Event& event : *events) {
    if (identity::IsIdentityEvent(event)) {
      *profile.add_merges() = std::move(event);
    }
  }
  return profile;
}

absl::Status Engine::Link(absl::string_view customer_id,
                          const std::vector<identity::Identifier>& ids) {
  if (ids.empty()) return base::FieldError("identifiers", "is empty");
  absl::StatusOr<bool> recorded = Record(identity::Identities::Instruction(
      identity::kLinkType, customer_id, ids, absl::ToUnixMicros(clock_())));
  return recorded.status();
}

absl::Status Engine::Unlink(const std::vector<identity::Identifier>& ids) {
  if (ids.empty()) return base::FieldError("identifiers", "is empty");
  absl::StatusOr<bool> recorded = Record(identity::Identities::Instruction(
      identity::kUnlinkType, "", ids, absl::ToUnixMicros(clock_())));
  return recorded.status();
}

absl::Status Engine::Flush() { return log_->Flush(); }

int64_t Engine::AsOf(int64_t as_of_us) const {
  return as_of_us != 0 ? as_of_us : absl::ToUnixMicros(clock_());
}

absl::StatusOr<state::CustomerState> Engine::Replay(
    absl::string_view customer_id, int64_t as_of_us, state::StateStore& store) {
  // Event-time order: the state of the customer as the events up to as_of
  // describe it, whatever order they arrived in.
  absl::StatusOr<std::vector<v1::Event>> events =
      ProfileEvents(customer_id, {.until_us = as_of_us + 1});
  if (!events.ok()) return events.status();
  return Fold(*events, store);
}

absl::Status Engine::Query(
    absl::string_view customer_id, int64_t as_of_us,
    absl::FunctionRef<void(absl::string_view, const state::CustomerState&,
                           const state::StateStore&, int64_t)>
        fn) {
  std::string merged;
  if (absl::Status s = Resolve(&customer_id, &merged); !s.ok()) return s;
  as_of_us = AsOf(as_of_us);
  base::ReaderLock lock(&state_mu_);
  const state::StateStore& store = *state_;
  if (store.Visit(customer_id, as_of_us,
                  [&](const state::CustomerState& customer) {
                    fn(customer_id, customer, store, as_of_us);
                  }) != state::StateStore::Found::kNeedsReplay) {
    return absl::OkStatus();
  }
  absl::StatusOr<state::CustomerState> customer =
      Replay(customer_id, as_of_us, *state_);
  if (!customer.ok()) return customer.status();
  fn(customer_id, *customer, store, as_of_us);
  return absl::OkStatus();
}

absl::Status Engine::Summarize(absl::string_view customer_id, int64_t as_of_us,
                               state::Summary* out) {
  return Query(customer_id, as_of_us,
               [&](absl::string_view, const state::CustomerState& customer,
                   const state::StateStore& store, int64_t as_of) {
                 customer.Summarize(as_of, store.config(), store.strings(),
                                    out);
               });
}

absl::Status Engine::Resolve(absl::string_view* customer_id,
                              std::string* merged) const {
  if (customer_id->empty()) {
    return base::FieldError("customer_id", "is required");
  }
  if (absl::Status s = CheckHeld(*customer_id); !s.ok()) return s;
  // Customers never merged, the common case, skip the copy.
  if (identities_->Redirect(*customer_id, merged)) *customer_id = *merged;
  return absl::OkStatus();
}

absl::Status Engine::SummarizeMany(
    absl::Span<const absl::string_view> customer_ids, int64_t as_of_us,
    state::Summary* out) {
  // What Query does for one, for all of them before the store is asked.
  std::vector<absl::string_view> profiles(customer_ids.begin(),
                                          customer_ids.end());
  // One string per customer, never reallocated: the views into them stay
  // valid.
  std::vector<std::string> merged(profiles.size());
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (absl::Status s = Resolve(&profiles[i], &merged[i]); !s.ok()) {
      return base::Annotate(s, absl::StrCat("customer ", i));
    }
  }
  as_of_us = AsOf(as_of_us);
  base::ReaderLock lock(&state_mu_);
  std::vector<state::StateStore::Found> found(profiles.size());
  state_->SummarizeMany(profiles, as_of_us, out, found.data());
  for (size_t i = 0; i < profiles.size(); ++i) {
    if (found[i] != state::StateStore::Found::kNeedsReplay) continue;
    absl::StatusOr<state::CustomerState> customer =
        Replay(profiles[i], as_of_us, *state_);
    if (!customer.ok()) {
      return base::Annotate(customer.status(), absl::StrCat("customer ", i));
    }
    customer->Summarize(as_of_us, state_->config(), state_->strings(),
                        &out[i]);
  }
  return absl::OkStatus();
}

absl::Status Engine::Describe(absl::string_view customer_id, int64_t as_of_us,
                              v1::Context* out) {
  return Query(
      customer_id, as_of_us,
      [&](absl::string_view profile, const state::CustomerState& customer,
          const state::StateStore& store, int64_t as_of) {
        customer.Describe(profile, as_of, store.config(), store.strings(), out);
      });
}

absl::Status Engine::Decide(absl::string_view customer_id,
                            v1::Situation situation, v1::Decision* out) {
  // This thread's: once warm, a decision allocates little.
  thread_local decide::Ruleset::Trace trace;
  absl::Status decided = Decide(customer_id, std::move(situation), out, &trace);
  if (decided.ok()) trace.AppendTo(out->mutable_dropped());
  trace.Clear();
  return decided;
}

absl::Status Engine::Decide(absl::string_view customer_id,
                            v1::Situation situation, v1::Decision* out,
                            decide::Ruleset::Trace* trace) {
  if (!situation.has_time()) {
    *situation.mutable_time() = model::FromUnixMicros(AsOf(0));
  }
  absl::Status decided = absl::OkStatus();
  absl::Status queried = Query(
      customer_id, model::ToUnixMicros(situation.time()),
      [&](absl::string_view profile, const state::CustomerState& customer,
          const state::StateStore& store, int64_t) {
        // With state_mu_ held: a ruleset compiled for this state.
        const std::shared_ptr<const decide::Ruleset> rules = CurrentRuleset();
        if (rules == nullptr) {
          decided = absl::FailedPreconditionError(
              "no ruleset is loaded (load one with mot_ruleset_load or "
              "--rules)");
          return;
        }
        decided =
            rules->Decide(profile, situation, customer, store, out, trace);
      });
  return queried.ok() ? decided : queried;
}

absl::StatusOr<bool> Engine::RecordFeedback(const decide::Feedback& feedback) {
  std::string group;
  if (const std::shared_ptr<const decide::Ruleset> rules = CurrentRuleset()) {
    group = std::string(rules->GroupOf(feedback.action));
  }
  absl::StatusOr<v1::Event> event =
      decide::FeedbackEvent(feedback, group, absl::ToUnixMicros(clock_()));
  if (!event.ok()) return event.status();
  return Record(*std::move(event));
}

size_t Engine::PollAlerts(size_t max, std::vector<v1::Alert>* out) {
  const int64_t now_us = absl::ToUnixMicros(clock_());
  base::MutexLock lock(&alerts_mu_);
  size_t taken = 0;
  for (auto it = alerts_.begin(); it != alerts_.end() && taken < max;) {
    if (model::ToUnixMicros(it->deliver_after()) > now_us) {
      ++it;
      continue;
    }
    out->push_back(std::move(*it));
    it = alerts_.erase(it);
    ++taken;
  }
  return taken;
}

void Engine::SetAlertCallback(std::function<void(const v1::Alert&)> callback) {
  {
    base::MutexLock lock(&alerts_mu_);
    alert_callback_ = std::move(callback);
  }
  DeliverAlerts();
}

void Engine::DeliverAlerts() {
  std::function<void(const v1::Alert&)> callback;
  {
    base::MutexLock lock(&alerts_mu_);
    if (!alert_callback_ || alerts_.empty()) return;
    callback = alert_callback_;
  }
  std::vector<v1::Alert> due;
  PollAlerts(kMaxQueuedAlerts, &due);
  for (const v1::Alert& alert : due) callback(alert);
}

Engine::AlertCounts Engine::alert_counts() const {
  base::MutexLock lock(&alerts_mu_);
  AlertCounts counts = alert_counts_;
  counts.queued = alerts_.size();
  return counts;
}

absl::Status Engine::LoadContextConfig(absl::string_view text) {
  v1::ContextConfig config;
  if (absl::Status s = base::ParseTextProto(text, "context_config", &config);
      !s.ok()) {
    return s;
  }
  base::MutexLock ingest(&ingest_mu_);
  std::shared_ptr<const decide::Ruleset> rules = CurrentRuleset();
  absl::StatusOr<v1::ContextConfig> merged =
      WithRulesetMetrics(config, rules.get());
  if (!merged.ok()) return merged.status();
  if (absl::Status s = Rebuild(*merged, std::move(rules)); !s.ok()) return s;
  context_config_ = std::move(config);
  return absl::OkStatus();
}

absl::Status Engine::Rebuild(const v1::ContextConfig& config,
                             std::shared_ptr<const decide::Ruleset> rules) {
  absl::StatusOr<std::unique_ptr<state::StateStore>> state =
      BuildState(config, /*use_snapshot=*/false);
  if (!state.ok()) return state.status();
  std::unique_ptr<state::StateStore> old_state;
  {
    base::WriterLock lock(&state_mu_);
    old_state = std::exchange(state_, *std::move(state));
    config_fingerprint_ = Fingerprint(config);
    base::MutexLock swap(&ruleset_mu_);
    rules = std::exchange(ruleset_, std::move(rules));
    // A new context configuration keeps the ruleset it had: nothing to
    // retire, and waiting for the last holder would wait for ruleset_.
    if (rules == ruleset_) rules.reset();
  }
  // The old state and ruleset are freed here, outside the lock.
  Retire(std::move(rules));
  return absl::OkStatus();
}

absl::StatusOr<v1::ContextConfig> Engine::ConfigFor(
    const decide::Ruleset& rules, absl::string_view origin) const {
  absl::StatusOr<v1::ContextConfig> merged =
      WithRulesetMetrics(context_config_, &rules);
  if (!merged.ok()) {
    return base::Annotate(merged.status(), decide::Ruleset::Origin(origin));
  }
  return merged;
}

absl::Status Engine::CheckRuleset(absl::string_view text,
                                  absl::string_view origin) {
  absl::StatusOr<std::shared_ptr<const decide::Ruleset>> rules =
      decide::Ruleset::Compile(text, origin, *strings_);
  if (!rules.ok()) return rules.status();
  base::MutexLock ingest(&ingest_mu_);
  return ConfigFor(**rules, origin).status();
}

std::unique_ptr<expr::Environment> Engine::RuleEnvironment() const {
  base::ReaderLock lock(&state_mu_);
  std::vector<const v1::MetricDefinition*> metrics;
  if (const auto& set = state_->config().metrics; set != nullptr) {
    for (size_t i = 0; i < set->size(); ++i) {
      metrics.push_back(&set->definition(i));
    }
  }
  return state::NewRuleEnvironment(metrics);
}

absl::StatusOr<std::string> Engine::CheckExpression(
    absl::string_view expression) const {
  const std::unique_ptr<expr::Environment> env = RuleEnvironment();
  absl::StatusOr<std::unique_ptr<expr::Program>> program =
      expr::Program::Compile(expression, *env);
  if (!program.ok()) return program.status();
  return (*program)->result_type().DebugString();
}

absl::StatusOr<std::string> Engine::EvaluateExpression(
    absl::string_view expression,
    absl::Span<const std::pair<std::string, std::string>> variables) {
  return expr::EvaluateOnce(expression, variables);
}

absl::Status Engine::LoadRuleset(absl::string_view text,
                                 absl::string_view origin) {
  // Compiled before any lock: decisions and ingest go on meanwhile.
  absl::StatusOr<std::shared_ptr<const decide::Ruleset>> rules =
      decide::Ruleset::Compile(text, origin, *strings_);
  if (!rules.ok()) return rules.status();
  base::MutexLock ingest(&ingest_mu_);
  absl::StatusOr<v1::ContextConfig> merged = ConfigFor(**rules, origin);
  if (!merged.ok()) return merged.status();
  if (Fingerprint(*merged) != config_fingerprint_) {
    return Rebuild(*merged, *std::move(rules));
  }
  // The same metrics: the state fits the new ruleset as it is, and the swap
  // waits for no query.
  std::shared_ptr<const decide::Ruleset> old;
  {
    base::MutexLock swap(&ruleset_mu_);
    old = std::exchange(ruleset_, *std::move(rules));
  }
  Retire(std::move(old));
  return absl::OkStatus();
}

std::shared_ptr<const decide::Ruleset> Engine::CurrentRuleset() const {
  base::MutexLock lock(&ruleset_mu_);
  return ruleset_;
}

std::string Engine::RulesetVersion() const {
  const std::shared_ptr<const decide::Ruleset> rules = CurrentRuleset();
  return rules != nullptr ? rules->version() : std::string();
}

absl::Status Engine::WriteSnapshot() {
  if (snapshot_path_.empty()) {
    return absl::FailedPreconditionError(
        "this engine has no snapshot file (in memory, or opened with "
        "snapshot_path \"-\")");
  }
  if (read_only_) {
    return absl::FailedPreconditionError(
        "a read-only engine does not write snapshots");
  }
  base::MutexLock ingest(&ingest_mu_);
  return WriteSnapshotLocked();
}

absl::Status Engine::WriteSnapshotLocked() {
  // A snapshot's seq is the last event's: one erased after it takes no
  // place in the state.
  absl::StatusOr<int64_t> seq = log_->LastSeq();
  if (!seq.ok()) return seq.status();
  state::LogPosition position{.seq = *seq, .event_id = {}};
  if (*seq > 0) {
    absl::StatusOr<std::string> id = log_->EventIdAt(*seq);
    if (!id.ok()) return id.status();
    position.event_id = *std::move(id);
  }
  base::ReaderLock lock(&state_mu_);
  return state::WriteSnapshot(*state_, position, config_fingerprint_,
                              snapshot_path_, file_io_,
                              identities_->Serialize());
}

absl::StatusOr<uint64_t> Engine::EraseCustomer(absl::string_view customer_id) {
  if (customer_id.empty()) {
    return absl::InvalidArgumentError("customer_id is empty");
  }
  if (read_only_) {
    return absl::InvalidArgumentError(
        "the engine was opened read-only; nothing can be erased");
  }
  return replicator_ != nullptr ? EraseShared(customer_id)
                                : EraseHere(customer_id);
}

absl::StatusOr<uint64_t> Engine::EraseShared(absl::string_view customer_id) {
  const std::string profile = identities_->ProfileOf(customer_id);
  absl::StatusOr<std::vector<v1::Event>> events =
      log_->ReadCustomers(identities_->Anchors(profile), store::TimeRange{});
  if (!events.ok()) return events.status();
  // Every node erases the profile when it applies the instruction, this
  // one before Record returns.
  v1::Event erase;
  erase.set_event_id(absl::StrCat("erase:", profile, "@",
                                  absl::ToUnixMicros(clock_())));
  erase.set_customer_id(profile);
  erase.set_type(std::string(kEraseType));
  *erase.mutable_occurred_at() = model::FromUnixMicros(
      absl::ToUnixMicros(clock_()));
  if (absl::StatusOr<bool> recorded = Record(std::move(erase));
      !recorded.ok()) {
    return recorded.status();
  }
  // Then the streams forget the events, so that no node that joins later
  // applies them.
  if (absl::Status s = replicator_->EraseMessages(*events); !s.ok()) {
    return base::Annotate(s, absl::StrCat("erased on every node, but not "
                                          "yet from the streams; erase ",
                                          profile, " again to finish"));
  }
  return events->size();
}

absl::StatusOr<uint64_t> Engine::EraseHere(absl::string_view customer_id) {
  base::MutexLock ingest(&ingest_mu_);
  // The whole profile: every customer id and identifier merged into it.
  const std::string profile = identities_->ProfileOf(customer_id);
  const std::vector<std::string> anchors = identities_->Anchors(profile);
  // What their feedback taught is taken back event by event.
  absl::StatusOr<std::vector<v1::Event>> events =
      log_->ReadCustomers(anchors, store::TimeRange{});
  if (!events.ok()) return events.status();
  Leaving leaving;
  // A customer without events is in no snapshot (the log is erased only
  // under this lock), and the call is then a retry to truncate the WAL.
  if (!events->empty()) leaving[profile] = *std::move(events);
  absl::StatusOr<uint64_t> erased =
      Forget(leaving, /*whole=*/true,
             [&]() -> absl::StatusOr<store::EventLog::Erased> {
               store::EventLog::Erased all;
               for (const std::string& anchor : anchors) {
                 absl::StatusOr<store::EventLog::Erased> one =
                     log_->EraseCustomer(anchor);
                 if (!one.ok()) return one.status();
                 all.events += one->events;
                 if (all.wal.ok()) all.wal = one->wal;
               }
               // Before the snapshot is written again: it keeps the graph.
               identities_->Erase(profile);
               return all;
             });
  return erased;
}

absl::StatusOr<uint64_t> Engine::ApplyRetention() {
  if (read_only_) {
    return absl::InvalidArgumentError(
        "the engine was opened read-only; nothing can be expired");
  }
  if (retention_ <= absl::ZeroDuration()) {
    return absl::FailedPreconditionError(
        "no retention period is set (mot_engine_options.retention_days)");
  }
  const int64_t cutoff_us = absl::ToUnixMicros(clock_() - retention_);
  base::MutexLock ingest(&ingest_mu_);
  Leaving leaving;
  if (absl::Status s = log_->Scan(
          0,
          [&](int64_t, const v1::Event& event) {
            leaving[identities_->ProfileOf(event.customer_id())].push_back(
                event);
            return absl::OkStatus();
          },
          cutoff_us);
      !s.ok()) {
    return s;
  }
  if (leaving.empty()) return 0;
  return Forget(leaving, /*whole=*/false,
                [&] { return log_->EraseBefore(cutoff_us); });
}

absl::StatusOr<uint64_t> Engine::Forget(
    const Leaving& leaving, bool whole,
    absl::FunctionRef<absl::StatusOr<store::EventLog::Erased>()> erase) {
  // The snapshot goes first: after a crash, a snapshot still holding the
  // events beside a log without them would bring them back.
  bool had_snapshot = false;
  if (!leaving.empty() && !snapshot_path_.empty()) {
    had_snapshot = ::unlink(snapshot_path_.c_str()) == 0;
    if (!had_snapshot && errno != ENOENT) {
      return base::IoError(absl::StrCat("removing the snapshot ",
                                         snapshot_path_, ": ",
                                         std::strerror(errno)));
    }
  }
  absl::StatusOr<store::EventLog::Erased> erased = erase();
  if (!erased.ok()) {
    // Nothing was deleted: the state is as it was, and so is the snapshot
    // written again (a failure here leaves none: the next open replays).
    if (had_snapshot) WriteSnapshotLocked().IgnoreError();
    return erased.status();
  }
  if (absl::Status s = ForgetInState(leaving, whole); !s.ok()) return s;
  if (whole) {
    base::MutexLock lock(&alerts_mu_);
    std::erase_if(alerts_, [&](const v1::Alert& alert) {
      return leaving.contains(alert.customer_id());
    });
  }
  // Expired events may have been the only ones to carry some identifiers,
  // which the graph in memory still holds: no snapshot keeps them, and the
  // next open rebuilds the graph from the log.
  if (had_snapshot && (whole || identities_->empty())) {
    if (absl::Status s = WriteSnapshotLocked(); !s.ok()) return s;
  }
  if (!erased->wal.ok()) return erased->wal;
  return erased->events;
}

absl::Status Engine::ForgetInState(const Leaving& leaving, bool whole) {
  if (whole) {
    base::ReaderLock lock(&state_mu_);
    for (const auto& [customer_id, events] : leaving) {
      state_->Erase(customer_id, events);
    }
    return absl::OkStatus();
  }
  // Those who keep other events get the state those events build, made
  // before any query waits, then swapped in for all at once.
  std::vector<std::pair<std::string, state::CustomerState>> kept;
  {
    base::ReaderLock lock(&state_mu_);
    for (const auto& [customer_id, events] : leaving) {
      absl::StatusOr<std::vector<v1::Event>> rest =
          ProfileEvents(customer_id, store::TimeRange{});
      if (!rest.ok()) return rest.status();
      if (std::all_of(rest->begin(), rest->end(), identity::IsIdentityEvent)) {
        continue;
      }
      kept.emplace_back(customer_id, Fold(*rest, *state_));
    }
  }
  base::WriterLock lock(&state_mu_);
  for (const auto& [customer_id, events] : leaving) {
    state_->Erase(customer_id, events);
  }
  for (auto& [customer_id, customer] : kept) {
    state_->Insert(std::move(customer_id), std::move(customer));
  }
  return absl::OkStatus();
}

state::StoreStats Engine::StateStats() const {
  base::ReaderLock lock(&state_mu_);
  return state_->Stats();
}

}  // namespace motive::engine
