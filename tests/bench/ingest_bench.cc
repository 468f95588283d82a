// Ingest: how fast events reach the log, durable and in memory, against the
// same rows written by plain SQLite with the same schema and settings.
//
//   Baseline/sqlite_*     prepared INSERTs of pre-serialised rows, 4096 per
//                         transaction: the floor motive's log sits on.
//   IngestBatch/*         EventBatch through Engine::Ingest: decode,
//                         validate, complete, dedupe, append (4096 per
//                         transaction, each synced).
//   IngestJsonl/durable   the same from JSONL text (model/event_json.h).
//   Record/group_commit   one Engine::Record per event, group commit: the
//                         agent-desktop case of events arriving one by one.
//   Record/full_sync      one Record per event, each synced: why group
//                         commit exists (first 500 events only).

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "model/event_validation.h"
#include "model/record_reader.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

constexpr uint32_t kBatch = 4096;

std::string DatabasePath(bool in_memory) {
  return in_memory ? ":memory:" : ScratchDir() + "/bench.db";
}

// Events per second over the timed part, reported with the ratio to the
// baseline of the same storage kind.
void ReportThroughput(benchmark::State& state, uint64_t events,
                      absl::Duration timed, const std::string& baseline) {
  double rate = events / absl::ToDoubleSeconds(timed);
  state.counters["events/s"] = rate;
  ReportRatio(state, baseline, rate);
}

void Check(bool ok, const std::string& what, benchmark::State& state) {
  if (!ok) state.SkipWithError(what.c_str());
}

void BM_Baseline(benchmark::State& state, bool in_memory) {
  const DataSet& data = Journeys();
  std::vector<std::string> bodies;
  bodies.reserve(data.events.size());
  for (const auto& e : data.events) bodies.push_back(e.SerializeAsString());
  Latencies latencies;
  absl::Duration timed;
  uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string path = DatabasePath(in_memory);
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db,
                 "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                 "PRAGMA cache_size = -65536;"
                 "CREATE TABLE events (seq INTEGER PRIMARY KEY,"
                 " event_id TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL,"
                 " occurred_us INTEGER NOT NULL, recorded_us INTEGER NOT NULL,"
                 " body BLOB NOT NULL);"
                 "CREATE INDEX events_by_customer ON events"
                 " (customer_id, occurred_us, seq);",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO events (event_id, customer_id, occurred_us,"
                       " recorded_us, body) VALUES (?1, ?2, ?3, ?4, ?5)"
                       " ON CONFLICT (event_id) DO NOTHING",
                       -1, &insert, nullptr);
    state.ResumeTiming();
    absl::Time start = absl::Now();
    for (size_t i = 0; i < data.events.size(); i += kBatch) {
      absl::Time batch_start = absl::Now();
      sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      for (size_t j = i; j < std::min(data.events.size(), i + kBatch); ++j) {
        const v1::Event& e = data.events[j];
        sqlite3_bind_text(insert, 1, e.event_id().data(),
                          static_cast<int>(e.event_id().size()), SQLITE_STATIC);
        sqlite3_bind_text(insert, 2, e.customer_id().data(),
                          static_cast<int>(e.customer_id().size()),
                          SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, model::ToUnixMicros(e.occurred_at()));
        sqlite3_bind_int64(insert, 4, 1750000000000000);
        sqlite3_bind_blob(insert, 5, bodies[j].data(),
                          static_cast<int>(bodies[j].size()), SQLITE_STATIC);
        sqlite3_step(insert);
        sqlite3_reset(insert);
      }
      sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
      latencies.Add(absl::Now() - batch_start);
    }
    timed += absl::Now() - start;
    events += data.events.size();
    state.PauseTiming();
    sqlite3_finalize(insert);
    sqlite3_close(db);
    state.ResumeTiming();
  }
  double rate = events / absl::ToDoubleSeconds(timed);
  SetBaseline(in_memory ? "sqlite_memory" : "sqlite_durable", rate);
  state.counters["events/s"] = rate;
  latencies.Report(state);
}

std::unique_ptr<engine::Engine> OpenEngine(benchmark::State& state,
                                           bool in_memory,
                                           store::Durability durability) {
  engine::EngineOptions options;
  options.log.durability = durability;
  auto engine =
      engine::Engine::Open(DatabasePath(in_memory), std::move(options));
  Check(engine.ok(), engine.ok() ? "" : std::string(engine.status().message()),
        state);
  return engine.ok() ? *std::move(engine) : nullptr;
}

// Ingests `input` in `format` into a fresh engine per iteration; latencies
// are per committed batch.
void RunIngest(benchmark::State& state, bool in_memory,
               model::InputFormat format, const std::string& input) {
  const uint64_t n = Journeys().events.size();
  Latencies latencies;
  absl::Duration timed;
  uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = OpenEngine(state, in_memory, store::Durability::kFull);
    if (!engine) break;
    model::RecordReader reader(format, model::WholeBuffer(input));
    engine::IngestOptions options;
    options.batch_size = kBatch;
    absl::Time batch_start;
    options.on_progress = [&](uint64_t) {
      absl::Time now = absl::Now();
      latencies.Add(now - batch_start);
      batch_start = now;
      return true;
    };
    engine::IngestCounts counts;
    state.ResumeTiming();
    absl::Time start = batch_start = absl::Now();
    absl::Status status = engine->Ingest(reader, options, &counts);
    timed += absl::Now() - start;
    events += counts.accepted;
    Check(status.ok() && counts.accepted == n,
          absl::StrCat("ingest: ", status.ToString(), ", accepted ",
                       counts.accepted, " of ", n),
          state);
    state.PauseTiming();
    engine.reset();
    state.ResumeTiming();
  }
  ReportThroughput(state, events, timed,
                   in_memory ? "sqlite_memory" : "sqlite_durable");
  latencies.Report(state);
}

// One Record call per event; latencies are per call.
void RunRecord(benchmark::State& state, store::Durability durability,
               size_t limit) {
  const auto& all = Journeys().events;
  const size_t n = std::min(limit, all.size());
  Latencies latencies;
  latencies.Reserve(n);
  absl::Duration timed;
  uint64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = OpenEngine(state, false, durability);
    if (!engine) break;
    state.ResumeTiming();
    absl::Time start = absl::Now();
    for (size_t i = 0; i < n; ++i) {
      absl::Time call = absl::Now();
      auto stored = engine->Record(all[i]);
      latencies.Add(absl::Now() - call);
      if (!stored.ok()) {
        state.SkipWithError(std::string(stored.status().message()).c_str());
        break;
      }
    }
    // Durable means synced: the last group's commit is part of the cost.
    Check(engine->Flush().ok(), "flush failed", state);
    timed += absl::Now() - start;
    events += n;
    state.PauseTiming();
    engine.reset();
    state.ResumeTiming();
  }
  ReportThroughput(state, events, timed, "sqlite_durable");
  latencies.Report(state);
}

void BM_IngestBatch(benchmark::State& state, bool in_memory) {
  RunIngest(state, in_memory, model::InputFormat::kProtobufBatch,
            Journeys().protobuf_batch);
}

void BM_IngestJsonl(benchmark::State& state) {
  RunIngest(state, false, model::InputFormat::kJsonl, Journeys().jsonl);
}

void BM_RecordGroupCommit(benchmark::State& state) {
  RunRecord(state, store::Durability::kGroup, SIZE_MAX);
}

void BM_RecordFullSync(benchmark::State& state) {
  RunRecord(state, store::Durability::kFull, 500);
}

// Baselines first: later benchmarks report their ratio to them.
BENCHMARK_CAPTURE(BM_Baseline, sqlite_durable, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Baseline, sqlite_memory, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_IngestBatch, durable, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_IngestBatch, memory, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_IngestJsonl)
    ->Name("IngestJsonl/durable")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RecordGroupCommit)
    ->Name("Record/group_commit")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_RecordFullSync)
    ->Name("Record/full_sync")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace motive::bench
