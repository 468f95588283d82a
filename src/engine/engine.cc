#include "engine/engine.h"

#include <utility>

#include "model/errors.h"
#include "model/event_validation.h"

namespace motive::engine {

namespace {

std::unique_ptr<expr::Environment> RuleEnvironment() {
  auto env = std::make_unique<expr::Environment>();
  // Declaring into a fresh environment cannot clash.
  env->DeclareVariable("event", expr::Type::Map(expr::Type::String(),
                                                expr::Type::Dyn()))
      .IgnoreError();
  env->DeclareVariable("now", expr::Type::Timestamp()).IgnoreError();
  return env;
}

}  // namespace

Engine::Engine(std::unique_ptr<store::EventLog> log, model::JourneyMap map,
               std::function<absl::Time()> clock)
    : log_(std::move(log)),
      rules_(RuleEnvironment()),
      journey_map_(std::move(map)),
      clock_(std::move(clock)) {}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const std::string& path,
                                                     EngineOptions options) {
  model::JourneyMap map = model::JourneyMap::Default();
  if (!options.journey_map_text.empty()) {
    absl::StatusOr<model::JourneyMap> parsed =
        model::JourneyMap::FromText(options.journey_map_text);
    if (!parsed.ok()) return parsed.status();
    map = *std::move(parsed);
  }
  absl::StatusOr<std::unique_ptr<store::EventLog>> log =
      store::EventLog::Open(path, options.log);
  if (!log.ok()) return log.status();
  if (!options.clock) options.clock = [] { return absl::Now(); };
  return std::unique_ptr<Engine>(
      new Engine(*std::move(log), std::move(map), std::move(options.clock)));
}

absl::StatusOr<bool> Engine::Record(v1::Event event) {
  if (absl::Status s = model::PrepareEvent(&event, journey_map_, clock_());
      !s.ok()) {
    return s;
  }
  absl::StatusOr<store::AppendResult> result =
      log_->Append(absl::MakeConstSpan(&event, 1));
  if (!result.ok()) return result.status();
  return result->appended_count == 1;
}

absl::Status Engine::AppendBatch(std::vector<v1::Event>& batch,
                                 IngestCounts* counts) {
  if (batch.empty()) return absl::OkStatus();
  absl::StatusOr<store::AppendResult> result = log_->Append(batch);
  batch.clear();
  if (!result.ok()) return result.status();
  counts->accepted += result->appended_count;
  counts->duplicates += result->duplicate_count;
  return absl::OkStatus();
}

absl::Status Engine::Ingest(model::RecordReader& reader,
                            const IngestOptions& options,
                            IngestCounts* counts) {
  const uint32_t batch_size = options.batch_size ? options.batch_size : 4096;
  std::vector<v1::Event> batch;
  batch.reserve(batch_size);
  auto reject = [&](uint64_t record, const absl::Status& status) {
    ++counts->rejected;
    if (options.on_reject) {
      options.on_reject(record, model::ErrorField(status),
                        model::ErrorReason(status));
    }
  };

  // Every batch_size records read, valid or not, the pending batch is
  // committed and progress reported, so that input full of rejects still
  // shows progress and can be stopped.
  uint64_t records = 0;
  model::InputRecord record;
  while (reader.Next(&record)) {
    if (!record.event.ok()) {
      reject(record.number, record.event.status());
    } else if (absl::Status s = model::PrepareEvent(&*record.event,
                                                    journey_map_, clock_());
               !s.ok()) {
      reject(record.number, s);
    } else {
      batch.push_back(*std::move(record.event));
    }
    if (++records % batch_size != 0) continue;
    if (absl::Status s = AppendBatch(batch, counts); !s.ok()) return s;
    if (options.on_progress && !options.on_progress(reader.bytes_read())) {
      return absl::CancelledError("ingest stopped by the progress callback");
    }
  }
  if (absl::Status s = AppendBatch(batch, counts); !s.ok()) return s;
  if (options.on_progress) options.on_progress(reader.bytes_read());
  return reader.status();
}

absl::StatusOr<std::vector<v1::Event>> Engine::Timeline(
    absl::string_view customer_id, const store::TimeRange& range) {
  if (customer_id.empty()) {
    return model::FieldError("customer_id", "is required");
  }
  return log_->ReadCustomer(customer_id, range);
}

absl::Status Engine::Flush() { return log_->Flush(); }

}  // namespace motive::engine
