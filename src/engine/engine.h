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
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "expr/environment.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
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
};

struct IngestCounts {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
};

struct IngestOptions {
  // Records read per transaction (rejected ones count too).
  uint32_t batch_size = 4096;
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
  absl::Status Ingest(model::RecordReader& reader, const IngestOptions& options,
                      IngestCounts* counts);

  // A customer's events in event-time order.
  absl::StatusOr<std::vector<v1::Event>> Timeline(
      absl::string_view customer_id, const store::TimeRange& range);

  // Makes everything recorded so far durable.
  absl::Status Flush();

  // The customer's summary as of `as_of_us` (microseconds since the epoch;
  // 0 for the clock's now). Allocates nothing when as_of is not before the
  // customer's newest event (the live case); earlier as-of times replay the
  // customer's events from the log. An unknown customer is not an error: the
  // summary says known = 0. Errors: InvalidArgument (empty id), the log's.
  absl::Status Summarize(absl::string_view customer_id, int64_t as_of_us,
                         state::Summary* out);

  // The full context: summary, metrics, attributes and recent events.
  absl::Status Describe(absl::string_view customer_id, int64_t as_of_us,
                        v1::Context* out);

  // Replaces the context configuration and rebuilds every customer's state
  // from the log under it; queries meanwhile see the old state. Errors: the
  // configuration's (nothing changes), the log's.
  absl::Status LoadContextConfig(absl::string_view text);

  // Writes the state to the snapshot file (atomically: a crash leaves the
  // previous one), so that the next Open reads it and replays only the log
  // after it. FailedPrecondition when the engine has no snapshot path or is
  // read-only.
  absl::Status WriteSnapshot();

  // How the state was built when the engine opened: from a snapshot (and
  // how many log events after it), or by replaying the whole log, and why.
  struct OpenReport {
    bool from_snapshot = false;
    uint64_t events_replayed = 0;
    std::string snapshot_note;  // why a snapshot was not used, if one exists
  };
  const OpenReport& open_report() const { return open_report_; }

  state::StoreStats StateStats() const;

  store::EventLog& log() { return *log_; }

  // What rules are checked against: the variables of the context schema,
  // listed with their keys in state/context_variables.h: `event`, `now`,
  // `customer`, `contacts`, `last_contact` and `metrics`.
  const expr::Environment& rule_environment() const { return *rules_; }

 private:
  Engine(std::unique_ptr<store::EventLog> log, model::JourneyMap map,
         std::function<absl::Time()> clock, std::string snapshot_path,
         bool read_only);

  // Appends a batch of prepared events, folds the appended ones into the
  // state and adds the outcome to `counts`.
  absl::Status AppendBatch(std::vector<v1::Event>& batch, IngestCounts* counts);

  // Builds the state under `config` from the snapshot, if one fits, and the
  // log after it.
  absl::StatusOr<std::unique_ptr<state::StateStore>> BuildState(
      const v1::ContextConfig& config, bool use_snapshot);
  int64_t AsOf(int64_t as_of_us) const;
  // One query: `live` asks the state; when the as-of time is before the
  // customer's newest event, `replayed` answers from the customer's events
  // replayed from the log instead.
  absl::Status Query(absl::string_view customer_id, int64_t as_of_us,
                     absl::FunctionRef<state::StateStore::Found(
                         const state::StateStore&, int64_t)>
                         live,
                     absl::FunctionRef<void(const state::CustomerState&,
                                            const state::StateStore&, int64_t)>
                         replayed);
  // A customer's state as of a time before its newest event, from the log.
  absl::StatusOr<state::CustomerState> Replay(absl::string_view customer_id,
                                              int64_t as_of_us,
                                              state::StateStore& store);

  const std::unique_ptr<store::EventLog> log_;
  const std::unique_ptr<expr::Environment> rules_;
  const model::JourneyMap journey_map_;
  const std::function<absl::Time()> clock_;
  const std::string snapshot_path_;  // "" for none
  const bool read_only_;
  // One string table for the engine's life: every state uses it, so that
  // the strings a summary hands out stay valid until the engine closes.
  const std::shared_ptr<state::Interner> strings_;
  OpenReport open_report_;

  // Serializes appends with their folding into the state, so that the state
  // folds events in log order (what a rebuild does), and keeps snapshots
  // and configuration changes away from both.
  std::mutex ingest_mu_;
  // Held shared by every query and fold, exclusively only to swap in the
  // state of a new configuration: queries do not wait on each other.
  mutable std::shared_mutex state_mu_;
  std::unique_ptr<state::StateStore> state_;
  uint64_t config_fingerprint_ = 0;
};

}  // namespace motive::engine

#endif  // MOTIVE_ENGINE_ENGINE_H_
