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
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "expr/environment.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "motive/v1/event.pb.h"
#include "store/event_log.h"

namespace motive::engine {

struct EngineOptions {
  store::EventLogOptions log;
  // The journey map in protobuf text format; empty for the built-in one.
  std::string journey_map_text;
  // The time of ingest (recorded_at); absl::Now when empty.
  std::function<absl::Time()> clock;
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
  absl::StatusOr<std::vector<v1::Event>> Timeline(absl::string_view customer_id,
                                                  const store::TimeRange& range);

  // Makes everything recorded so far durable.
  absl::Status Flush();

  store::EventLog& log() { return *log_; }

  // What rules are checked against: the variables of the context schema.
  // Today `event` (an event's fields, as a map from field name to value) and
  // `now` (the time of the decision); the customer's context joins them
  // when the state layer does.
  const expr::Environment& rule_environment() const { return *rules_; }

 private:
  Engine(std::unique_ptr<store::EventLog> log, model::JourneyMap map,
         std::function<absl::Time()> clock);

  // Appends a batch of prepared events and adds the outcome to `counts`.
  absl::Status AppendBatch(std::vector<v1::Event>& batch, IngestCounts* counts);

  const std::unique_ptr<store::EventLog> log_;
  const std::unique_ptr<expr::Environment> rules_;
  const model::JourneyMap journey_map_;
  const std::function<absl::Time()> clock_;
};

}  // namespace motive::engine

#endif  // MOTIVE_ENGINE_ENGINE_H_
