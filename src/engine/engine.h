// Engine: the facade that the C ABI wraps. It owns the event log and the
// journey map, completes and validates events on their way in, and answers
// reads. Later layers (state, decide) hang off it.
//
// Time is injected (EngineOptions::clock) and never read behind the caller's
// back, so tests and replays are deterministic.
//
// Thread-safe: every method may be called from any number of threads.

#ifndef MOTIVE_ENGINE_ENGINE_H_
#define MOTIVE_ENGINE_ENGINE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/mutex.h"
#include "cluster/replicator.h"
#include "decide/feedback.h"
#include "decide/ruleset.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "identity/identities.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/signals.h"
#include "state/state_store.h"
#include "store/event_log.h"

namespace motive::engine {

struct EngineOptions {
  store::EventLogOptions log;
  // The journey map in protobuf text format; empty for the built-in one.
  std::string journey_map_text;
  // The time of ingest (recorded_at) and of queries without an as-of time;
  // absl::Now when empty.
  std::function<absl::Time()> clock;
  // The context configuration (v1::ContextConfig, protobuf text format): the
  // signals' settings and the user-defined metrics. Empty for the defaults.
  std::string context_config_text;
  // Where the state snapshot lives: "" for beside the log (path +
  // "-snapshot"; none for ":memory:"), "-" for no snapshot at all.
  std::string snapshot_path;
  // The next-best-action ruleset (v1::Ruleset, text format or JSON); empty
  // for none (LoadRuleset loads one later). Loading it at open lets its
  // metrics be part of the state the snapshot holds. `ruleset_origin` names
  // it in errors (a file name).
  std::string ruleset_text;
  std::string ruleset_origin;
  // How long events are kept (by when they occurred), for ApplyRetention;
  // zero keeps them forever.
  absl::Duration retention = absl::ZeroDuration();
  // How identifiers resolve to profiles (v1::IdentityConfig, protobuf text
  // format): the phone region, the shared-value limits, namespaces that
  // never merge. Empty for the defaults.
  std::string identity_config_text;
  // A cluster to share the history with (cluster/topology.h); without
  // servers, none: the engine keeps its history to itself. See "Clusters"
  // below.
  cluster::ClusterOptions cluster;
  // Called on the opening thread while Open replays the log into the state,
  // every 65536 events and at the end, with (events replayed,
  // events to replay: the log's seqs after the snapshot, which counts the
  // erased ones too); false stops the open (Cancelled). May be empty.
  std::function<bool(uint64_t done, uint64_t total)> on_open_progress;
};

struct IngestCounts {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  uint64_t records = 0;  // source records (Ingest only)
  // Source records that hold nothing to import (a platform record about an
  // agent, not a customer; model::InputRecord::skipped): counted in
  // `records`, neither stored nor rejected.
  uint64_t skipped = 0;
  // Accepted events that are a later version or an enrichment of an
  // interaction already stored.
  uint64_t updated = 0;
  // Profiles first known by the events' identifiers, and merges.
  uint64_t profiles_created = 0;
  uint64_t profiles_merged = 0;
};

struct IngestOptions {
  // Records read per transaction (rejected ones count too). The next batch
  // is read, on a thread of the ingest's own, while this one is stored.
  // Bulk imports of new contacts are bound by SQLite rewriting the pages of
  // indexes on random keys (event, customer, interaction ids) at each
  // commit: 16384 takes about a third off 4096's time, for some 40 MB more
  // per batch in memory.
  uint32_t batch_size = 16384;
  // Called for each rejected record with its number (line or index), the
  // field at fault ("" for the whole record) and the reason.
  std::function<void(uint64_t record, const std::string& field,
                     const std::string& reason)>
      on_reject;
  // Called after each batch is committed, and at the end, with the bytes
  // read so far; returning false stops the ingest (Cancelled), keeping what
  // was committed.
  std::function<bool(uint64_t bytes_read)> on_progress;
};

// Clusters. With EngineOptions::cluster set, the engine is one node of many
// that share one history through NATS JetStream (cluster/replicator.h).
// Every write (Record, Ingest, RecordFeedback, Link, Unlink) is validated
// and completed here, published, and acknowledged to its caller once the
// cluster holds it (a majority of the stream's replicas) and this node
// applied it, so a caller reads its own writes. Every node applies every
// event, its own included, through the same path: the log, then the state.
// Queries never leave the process. A node that cannot reach the cluster
// refuses writes (Unavailable: nothing is recorded anywhere) and goes on
// answering queries from what it applied; cluster_stats() says how stale.
// A node's log syncs in groups whatever EngineOptions::log says: the stream
// is the durable copy, and a log that lost its last group to a power loss
// lost the positions with it, so it applies those events again.
//
// What one node writes is in another's state after the freshness delay
// (milliseconds on one site; see the README's figures). Contact-policy caps
// count the offers and feedback every node recorded, so two nodes deciding
// for one customer within that delay may each allow the last offer the cap
// leaves. Proactive alerts are raised by every node that applies the event.
// A node may hold only some partitions (cluster::ClusterOptions::
// held_partitions): it applies only their events, and queries for other
// customers are refused with FailedPrecondition naming the partition, so a
// router sends each customer to a node that holds it
// (cluster::PartitionOf).
// Erasure on a node is an instruction every node applies (each erases the
// profile from its log, state and snapshot), and then the streams erase
// their copies of its events, so that a node joining later never sees them.
// Retention runs on each node over its own log; the streams keep messages
// for their own maximum age, which operators set at least as long.
class Engine {
 public:
  // Opens the log at `path` (":memory:" for an ephemeral one); see
  // store::EventLog::Open for the errors. A bad journey map is a parse error
  // naming its line.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(const std::string& path,
                                                      EngineOptions options);

  // Validates, completes (model::PrepareEvent) and appends one event.
  // Returns true when it was appended, false when it was a duplicate.
  absl::StatusOr<bool> Record(v1::Event event);

  // Reads every record from `reader` and appends the valid ones in batches,
  // reporting each rejected one. `counts` is filled as far as it got, also
  // on error. Errors: the reader's fatal status, the log's, Cancelled.
  absl::Status Ingest(model::RecordSource& reader, const IngestOptions& options,
                      IngestCounts* counts);

  // A customer's events in event-time order: those of every customer id
  // and identifier merged into the customer's profile, each with the
  // profile's id as its customer_id. Identity events are left out.
  absl::StatusOr<std::vector<v1::Event>> Timeline(
      absl::string_view customer_id, const store::TimeRange& range);

  // Identity resolution (identity/identity_graph.h has the rules). Every
  // query takes a customer id that any customer id merged into a profile
  // answers for; these give the profile of an identifier, and change links.
  //
  // The profile `ns`:`value` (normalized first) belongs to. NotFound when
  // unseen; FailedPrecondition when it is shared or sits on several
  // profiles without linking them.
  absl::StatusOr<std::string> Resolve(absl::string_view ns,
                                      absl::string_view value) const;
  // The profile's id, anchors, identifiers, and the merges and splits that
  // made it (identity events from the log, oldest first).
  absl::StatusOr<v1::Profile> DescribeProfile(absl::string_view customer_id);
  // Writes an identity.link event: `ids` belong to `customer_id` (to each
  // other when it is empty), unlinked ones link again. Merges follow as
  // for any event. Errors: the event's (InvalidArgument), the log's.
  absl::Status Link(absl::string_view customer_id,
                    const std::vector<identity::Identifier>& ids);
  // Writes an identity.unlink event: `ids` link nothing any more, and the
  // profiles they tied split, each rebuilt from the log.
  absl::Status Unlink(const std::vector<identity::Identifier>& ids);

  // Makes everything recorded so far durable.
  absl::Status Flush();

  // The customer's summary as of `as_of_us` (microseconds since the epoch;
  // 0 for the clock's now). Allocates nothing when as_of is not before the
  // customer's newest event (the live case); earlier as-of times replay the
  // customer's events from the log. An unknown customer is not an error: the
  // summary says known = 0. Errors: InvalidArgument (empty id), the log's.
  absl::Status Summarize(absl::string_view customer_id, int64_t as_of_us,
                         state::Summary* out);
  // Summarize for each of `customer_ids` into out[i] (customer_ids.size()
  // of them), faster than one call each: the customers' states are fetched
  // together (StateStore::SummarizeMany). On an error nothing after the
  // customer it names (by index) is filled.
  absl::Status SummarizeMany(absl::Span<const absl::string_view> customer_ids,
                             int64_t as_of_us, state::Summary* out);

  // The full context: summary, metrics, attributes and recent events.
  absl::Status Describe(absl::string_view customer_id, int64_t as_of_us,
                        v1::Context* out);

  // Replaces the context configuration and rebuilds every customer's state
  // from the log under it; queries meanwhile see the old state. Errors: the
  // configuration's (nothing changes), the log's.
  absl::Status LoadContextConfig(absl::string_view text);

  // Compiles a ruleset (see decide/ruleset.h) and swaps it in while
  // decisions run: a decision sees the old ruleset or the new one, whole.
  // When the ruleset's metrics differ from the current ones the state is
  // rebuilt under them first (as LoadContextConfig does); otherwise the
  // swap is all the pause there is. Errors (nothing changes): the
  // ruleset's, located in `origin`; a metric named in both the ruleset and
  // the context configuration; the log's.
  absl::Status LoadRuleset(absl::string_view text, absl::string_view origin);
  // What LoadRuleset would say of the ruleset, without loading it: its
  // errors, or OK. Nothing changes (its ids are interned, as any string).
  absl::Status CheckRuleset(absl::string_view text, absl::string_view origin);
  // The loaded ruleset's version; "" when none is loaded.
  std::string RulesetVersion() const;

  // Compiles a rule expression against the variables rules are checked
  // against (the context schema, state/context_variables.h: `event`, `now`,
  // `customer`, `contacts`, `last_contact` and `metrics`, those the state
  // folds typed) without running it, and gives its result type as CEL
  // writes it ("bool", "dyn").
  // Errors: ParseError for syntax, InvalidArgument for the rest (unknown
  // name or function, wrong types, a limit), with line and column.
  absl::StatusOr<std::string> CheckExpression(
      absl::string_view expression) const;
  // Evaluates `expression` once, for trying rules out: needs no engine. Each
  // variable (name, value) is declared dyn and valued by its own CEL
  // expression (a literal). Gives the result written as a CEL literal.
  // Errors: expr::EvaluateOnce's (expr/program.h).
  static absl::StatusOr<std::string> EvaluateExpression(
      absl::string_view expression,
      absl::Span<const std::pair<std::string, std::string>> variables);

  // The next-best actions for the customer in `situation` (its time, now
  // when absent, is the as-of time of the context: earlier times replay the
  // customer's events). Errors: InvalidArgument (empty id), FailedPrecondition
  // (no ruleset loaded), the log's.
  absl::Status Decide(absl::string_view customer_id, v1::Situation situation,
                      v1::Decision* out);
  // The same with the dropped candidates in `trace`, formatted only when
  // the caller reads it (decide::Ruleset::Trace), and `out`'s `dropped`
  // left empty. Clear the trace once read: until then it holds the
  // ruleset, which LoadRuleset waits for when it replaces it.
  absl::Status Decide(absl::string_view customer_id, v1::Situation situation,
                      v1::Decision* out, decide::Ruleset::Trace* trace);

  // What-if replay: every contact (an event of moment INTERIM, decision
  // feedback aside, as the state counts them; each an inbound contact on
  // its channel and topic) that
  // occurred in [options.from_us, options.to_us) (0 leaves an end open) is
  // decided again at its own time, on the customer's context as it was
  // then (their earlier events, so contact policy counts the offers and
  // feedback recorded before it), with `rules` and with `against` (empty:
  // no ruleset, which decides nothing), and the differences are counted.
  // Learned propensities are today's, the same for both. Deterministic:
  // customers in byte order, each one's events in time order. Reads the log
  // and the live state; changes nothing. `on_progress(done, total)`
  // (customers) may stop it by returning false (Cancelled). Errors: the
  // rulesets' (located in their origins), the log's.
  struct WhatIfOptions {
    int64_t from_us = 0;
    int64_t to_us = 0;
    std::function<bool(uint64_t done, uint64_t total)> on_progress;
  };
  static constexpr size_t kWhatIfExamples = 3;  // per kind of change
  absl::StatusOr<v1::WhatIfReport> WhatIf(absl::string_view rules,
                                          absl::string_view rules_origin,
                                          absl::string_view against,
                                          absl::string_view against_origin,
                                          const WhatIfOptions& options);

  // Journey maps (journey/journey_svg.h). The picture of a customer's
  // journey: their events with since_us <= occurred < until_us (0 leaves an
  // end open) as SVG. Errors: InvalidArgument (empty id), the log's.
  absl::StatusOr<std::string> JourneyPicture(absl::string_view customer_id,
                                             const store::TimeRange& range);
  // The journey map of the customers of `segment` (every customer when
  // empty), over their events in [from_us, to_us) (0: open): see
  // v1::JourneyFigures. The segment is a bool expression over the context
  // variables CheckExpression compiles against (`event` unbound), evaluated
  // on each customer's context as of the end of the range (now when open):
  // a customer is in when it is true (an error, such as reading an absent
  // key, leaves them out, as it fails a rule). A bad experience is a strike
  // under the context configuration's thresholds. Reads the log; changes
  // nothing. `on_progress(done, total)` (customers) may stop it by returning
  // false (Cancelled). Errors: the segment's, before any work (ParseError,
  // or InvalidArgument with line and column, or when it is not a bool), the
  // log's.
  struct JourneysOptions {
    int64_t from_us = 0;
    int64_t to_us = 0;
    std::string segment;
    std::function<bool(uint64_t done, uint64_t total)> on_progress;
  };
  static constexpr int kHotSpots = 20;  // listed of each kind
  absl::StatusOr<v1::JourneyFigures> Journeys(const JourneysOptions& options);

  // Records feedback on a decision as an event (see decide/feedback.h):
  // true when appended, false for a duplicate (the same feedback twice).
  // The next decision sees it. Errors: the fields' (InvalidArgument), the
  // log's.
  absl::StatusOr<bool> RecordFeedback(const decide::Feedback& feedback);

  // Proactive alerts. Ingest (Record, Ingest, RecordFeedback) evaluates the
  // proactive rules of each appended event's customer just before and just
  // after folding the event in: a rule raises an alert when the event turns
  // it on (an edge, not a level), and contact policy allows it. Rules are
  // evaluated as of the event's time (see decide/ruleset.h), so alerts
  // follow from the log; alerts raised inside the customer's quiet hours
  // wait until they end (deliver_after, compared with the clock).
  //
  // Without a callback, alerts queue (at most kMaxQueuedAlerts; the oldest
  // are dropped and counted) until PollAlerts takes them. With one, each
  // alert that is due goes to it on the ingesting thread after the ingest
  // call has released its locks, and waiting ones when a later ingest finds
  // them due (the C ABI asks its callbacks not to call back into the
  // engine; here it is safe).
  static constexpr size_t kMaxQueuedAlerts = 10000;
  // Moves up to `max` alerts that are due (deliver_after <= now) to `out`,
  // oldest first.
  size_t PollAlerts(size_t max, std::vector<v1::Alert>* out);
  void SetAlertCallback(std::function<void(const v1::Alert&)> callback);
  struct AlertCounts {
    uint64_t raised = 0;
    uint64_t dropped = 0;  // queue overflow
    uint64_t queued = 0;   // waiting now
  };
  AlertCounts alert_counts() const;

  // Writes the state to the snapshot file (atomically: a crash leaves the
  // previous one), so that the next Open reads it and replays only the log
  // after it. FailedPrecondition when the engine has no snapshot path or is
  // read-only.
  absl::Status WriteSnapshot();

  // Erases a customer: every event of theirs from the log (and the copies
  // SQLite keeps, see EventLog::EraseCustomer), their state, what their
  // feedback taught the learning counters, their queued alerts, and the
  // snapshot, which is rewritten without them. Afterwards the engine is what
  // opening the log without their events would build. Ingest waits
  // meanwhile. Strings they shared through the string table (topics,
  // attribute values) stay in memory until close, since pointers to them may
  // have been handed out, but are written to no file again. Returns the
  // number of events erased (0 for an unknown customer). Errors:
  // InvalidArgument (empty id, read-only engine), Unavailable (erased, but a
  // reader of the database kept the write-ahead log; erase again to finish),
  // the log's and the snapshot's.
  absl::StatusOr<uint64_t> EraseCustomer(absl::string_view customer_id);

  // Retention: every event that occurred more than EngineOptions::retention
  // before the clock's now leaves the log (with the copies SQLite keeps, as
  // erasure does), the state (each customer's is rebuilt from the events
  // they keep, and what the leaving feedback taught is taken back) and the
  // snapshot, which is rewritten. An event exactly `retention` old stays.
  // Returns how many left. Ingest waits meanwhile; queries wait only for the
  // swap of the rebuilt states. Errors: InvalidArgument (read-only),
  // FailedPrecondition (no retention set), Unavailable and the others as
  // EraseCustomer.
  absl::StatusOr<uint64_t> ApplyRetention();

  // How the state was built when the engine opened: from a snapshot (and
  // how many log events after it), or by replaying the whole log, and why.
  struct OpenReport {
    bool from_snapshot = false;
    uint64_t events_replayed = 0;
    std::string snapshot_note;  // why a snapshot was not used, if one exists
  };
  const OpenReport& open_report() const { return open_report_; }

  state::StoreStats StateStats() const;

  // The cluster link's state; connected = false and the rest empty for an
  // engine without a cluster.
  cluster::Replicator::Stats cluster_stats() const;

  store::EventLog& log() { return *log_; }

 private:
  Engine(std::unique_ptr<store::EventLog> log,
         std::unique_ptr<identity::Identities> identities,
         model::JourneyMap map, std::function<absl::Time()> clock,
         std::string snapshot_path, base::FileIo* file_io,
         absl::Duration retention, bool read_only);

  // Events leaving the log, by customer.
  using Leaving = absl::flat_hash_map<std::string, std::vector<v1::Event>>;
  // Takes `leaving` out of the log (through `erase`), the state, the
  // snapshot and, when the customers leave `whole`, their queued alerts.
  // Returns the number of events erased.
  absl::StatusOr<uint64_t> Forget(
      const Leaving& leaving, bool whole,
      absl::FunctionRef<absl::StatusOr<store::EventLog::Erased>()> erase)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);
  // Forget's part in the state: the customers dropped (whole), or rebuilt
  // from the events they keep.
  absl::Status ForgetInState(const Leaving& leaving, bool whole)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);

  // Normalizes the event's identifiers, gives it its anchor, validates and
  // completes it (model::PrepareEvent).
  absl::Status Prepare(v1::Event* event) const;
  // Appends a batch of prepared events, folds the appended ones into the
  // state, raises the alerts they turn on and adds the outcome to `counts`.
  // `bodies`, when given, are the events serialized (ReadAhead does it on
  // its thread); events changed here are serialized again.
  // `per_event`, when given, gets each event's own counts. `positions`
  // are a cluster node's place in the streams after the batch, written
  // with it (store::EventLog::Append).
  absl::Status AppendBatch(std::vector<v1::Event>& batch,
                           std::vector<std::string>* bodies,
                           IngestCounts* counts,
                           std::vector<IngestCounts>* per_event = nullptr,
                           const store::StreamPositions& positions = {});
  // Stores a batch of prepared events: appended here, or on a cluster node
  // published and waited for until applied here. `bodies` may be null.
  absl::Status Store(std::vector<v1::Event>& batch,
                     std::vector<std::string>* bodies, IngestCounts* counts);
  // A cluster node's writes: publishes `batch` and waits until this node
  // applied it, counting what applying did to each event.
  absl::Status Share(std::vector<v1::Event>& batch,
                     std::vector<std::string>* bodies, IngestCounts* counts);
  // The replicator's apply callback: the cluster's events into the log and
  // the state.
  absl::Status ApplyShared(std::vector<v1::Event>& events,
                           std::vector<std::string>& bodies,
                           const store::StreamPositions& positions);
  // Starts the replicator and catches up with the streams (Open).
  absl::Status JoinCluster(const cluster::ClusterOptions& options);
  // FailedPrecondition, naming the partition, for a customer of a
  // partition this cluster node does not hold; else OK.
  absl::Status CheckHeld(absl::string_view customer_id) const;
  // Erasure on this node alone, and on a cluster node: an instruction
  // every node applies (kEraseType), then the streams' copies erased.
  absl::StatusOr<uint64_t> EraseHere(absl::string_view customer_id);
  absl::StatusOr<uint64_t> EraseShared(absl::string_view customer_id);
  // The type of the instruction to erase its customer_id's profile.
  static constexpr absl::string_view kEraseType = "motive.erase";
  // Profiles whose merges and splits the state has yet to follow.
  using Touched = absl::flat_hash_set<std::string>;
  // Gives the batch's enrichments without a customer the anchor of their
  // interaction (or holds them under the interaction until its version
  // comes, linking the two then), and notes in `touched` the profiles
  // whose interactions gain a version or an enrichment: their folds are
  // rebuilt.
  // `updates` is set to which events do so. The `bodies` (or null) of the
  // events changed are serialized again.
  absl::Status PlaceInInteractions(std::vector<v1::Event>& batch,
                                   std::vector<std::string>* bodies,
                                   Touched* touched, std::vector<bool>* updates)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);
  // Takes an appended event into the identity graph; notes the profiles it
  // merged or split in `touched`, and adds the events that explain them to
  // `explanations` when given.
  // Counts created and merged profiles in `counts` when given.
  void Observe(const v1::Event& event, Touched* touched,
               std::vector<v1::Event>* explanations, IngestCounts* counts);
  // How an appended event reaches the state.
  enum class Folding {
    kNone,     // identity events, and enrichments (through their version)
    kRebuilt,  // of a touched profile: Reshape folds it, it only teaches
    kOne,      // folded alone
  };
  // For kOne, the profile it folds into is `*profile`, left empty when it
  // is the event's own customer_id.
  Folding FoldTarget(const v1::Event& event, const Touched& touched,
                     std::string* profile) const;
  // Rebuilds the touched profiles' states in `store` from the log and drops
  // those that ended.
  absl::Status Reshape(const Touched& touched, state::StateStore& store);
  // A profile's state folded from its events, identity events left out.
  static state::CustomerState Fold(absl::Span<const v1::Event> events,
                                   state::StateStore& store);
  // The events of a profile (all its anchors').
  absl::StatusOr<std::vector<v1::Event>> ProfileEvents(
      absl::string_view profile, const store::TimeRange& range);
  // Gives the alerts that are due to the callback, if there is one.
  void DeliverAlerts();

  // The context configuration with a ruleset's metrics added (none for a
  // null ruleset). InvalidArgument when a name is in both.
  static absl::StatusOr<v1::ContextConfig> WithRulesetMetrics(
      const v1::ContextConfig& config,
      const google::protobuf::RepeatedPtrField<v1::MetricDefinition>& metrics);
  static absl::StatusOr<v1::ContextConfig> WithRulesetMetrics(
      const v1::ContextConfig& config, const decide::Ruleset* rules);
  // Builds the state under `config` from the snapshot, if one fits, and the
  // log after it.
  absl::Status WriteSnapshotLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);
  // The context configuration with `rules`' metrics added; errors located
  // in `origin`.
  absl::StatusOr<v1::ContextConfig> ConfigFor(const decide::Ruleset& rules,
                                              absl::string_view origin) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);
  // What a snapshot must have been taken under to be read: the context
  // configuration `config` and the identity rules.
  uint64_t Fingerprint(const v1::ContextConfig& config) const;
  // The state under `config`: read from the snapshot and the log after it
  // when `use_snapshot` (at open), else replayed from the whole log.
  // `on_progress` as EngineOptions::on_open_progress.
  absl::StatusOr<std::unique_ptr<state::StateStore>> BuildState(
      const v1::ContextConfig& config, bool use_snapshot,
      const std::function<bool(uint64_t done, uint64_t total)>& on_progress =
          {});
  // Builds the identity graph from the whole log, when it has any
  // identifiers (opening without a snapshot).
  absl::Status LoadIdentities();
  // Rebuilds the state under `config` and swaps it in with `rules`.
  absl::Status Rebuild(const v1::ContextConfig& config,
                       std::shared_ptr<const decide::Ruleset> rules)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ingest_mu_);
  std::shared_ptr<const decide::Ruleset> CurrentRuleset() const;
  int64_t AsOf(int64_t as_of_us) const;
  // One query: calls `fn` with the customer's profile id, its state as of
  // `as_of_us` (0: now), the store and the as-of time, holding state_mu_
  // shared. The live state when the as-of time is not before the
  // customer's newest event; else the profile's events replayed from the
  // log.
  absl::Status Query(absl::string_view customer_id, int64_t as_of_us,
                     absl::FunctionRef<void(absl::string_view profile,
                                            const state::CustomerState&,
                                            const state::StateStore&, int64_t)>
                         fn);
  // Whether `segment` (Journeys) holds on the customer's context as of
  // `as_of_us` (0: now), bound in `activation` (of rules_) and `arena`.
  // Errors: Query's.
  absl::StatusOr<bool> InSegment(const expr::Program& segment,
                                 absl::string_view customer_id,
                                 int64_t as_of_us, expr::Activation* activation,
                                 expr::Arena* arena);
  // A customer's state as of a time before its newest event, from the log.
  absl::StatusOr<state::CustomerState> Replay(absl::string_view customer_id,
                                              int64_t as_of_us,
                                              state::StateStore& store);

  // What a query about `customer_id` starts with: refuses an empty id and
  // one of a partition this node does not hold, and points it at the
  // profile it was merged into (held in `merged`).
  absl::Status Resolve(absl::string_view* customer_id,
                       std::string* merged) const;

  // The variables rules are checked against (state::NewRuleEnvironment),
  // with the metrics the state folds (the configuration's and the loaded
  // ruleset's) typed, as a ruleset loading now would see them.
  std::unique_ptr<expr::Environment> RuleEnvironment() const;

  const std::unique_ptr<store::EventLog> log_;
  const std::unique_ptr<identity::Identities> identities_;
  const model::JourneyMap journey_map_;
  const std::function<absl::Time()> clock_;
  const std::string snapshot_path_;  // "" for none
  const absl::Duration retention_;
  base::FileIo& file_io_;  // the snapshot's file calls
  const bool read_only_;
  // One string table for the engine's life: every state uses it, so that
  // the strings a summary hands out stay valid until the engine closes.
  const std::shared_ptr<state::Interner> strings_;
  OpenReport open_report_;

  // Serializes appends with their folding into the state, so that the state
  // folds events in log order (what a rebuild does), and keeps snapshots
  // and configuration changes away from both. Taken before state_mu_ and
  // ruleset_mu_ when more than one is held.
  base::Mutex ingest_mu_;
  // Held shared by every query and fold, exclusively only to swap in the
  // state of a new configuration: queries do not wait on each other. (The
  // state's own shards lock each customer for a fold.)
  mutable base::SharedMutex state_mu_;
  std::unique_ptr<state::StateStore> state_ ABSL_GUARDED_BY(state_mu_);
  // The fingerprint of the configuration state_ was built under; changed
  // with it, with both locks held.
  uint64_t config_fingerprint_ ABSL_GUARDED_BY(ingest_mu_) = 0;
  // Held only to copy or swap the pointer, so that a reload that keeps the
  // metrics waits for no query. A reload that changes them swaps the
  // ruleset with the state built for it, holding state_mu_ too: a reader
  // that takes the ruleset under state_mu_ shared gets the one the state
  // was built for.
  mutable base::Mutex ruleset_mu_;
  std::shared_ptr<const decide::Ruleset> ruleset_ ABSL_GUARDED_BY(ruleset_mu_);
  // The caller's context configuration, without the ruleset's metrics.
  v1::ContextConfig context_config_ ABSL_GUARDED_BY(ingest_mu_);

  mutable base::Mutex alerts_mu_;
  std::deque<v1::Alert> alerts_ ABSL_GUARDED_BY(alerts_mu_);
  std::function<void(const v1::Alert&)> alert_callback_
      ABSL_GUARDED_BY(alerts_mu_);
  AlertCounts alert_counts_ ABSL_GUARDED_BY(alerts_mu_);

  // A cluster node's writes waiting to be applied here, by event id, and
  // what applying did to each (Share and ApplyShared).
  struct Outcome {
    int writers = 0;
    bool applied = false;
    IngestCounts counts;
  };
  base::Mutex outcomes_mu_;
  absl::flat_hash_map<std::string, Outcome> outcomes_
      ABSL_GUARDED_BY(outcomes_mu_);
  // Last, so that it stops (and stops calling ApplyShared) first.
  std::unique_ptr<cluster::Replicator> replicator_;
};

}  // namespace motive::engine

#endif  // MOTIVE_ENGINE_ENGINE_H_
