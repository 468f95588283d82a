// What the benchmarks share: the data sets (small journeys in memory; at
// scale, the state of every customer and the log on disk), latency
// percentiles, a scratch folder, and the short mode that CI runs.

#ifndef MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_
#define MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "datagen/journey_generator.h"
#include "engine/engine.h"
#include "model/record_reader.h"
#include "motive/v1/event.pb.h"
#include "state/customer_state.h"
#include "state/state_store.h"
#include "store/event_log.h"

namespace motive::bench {

// True with --short: small data, so that the whole run takes seconds.
bool ShortMode();

// Synthetic journeys (examples/datagen), parsed once and shared: about 20
// events per customer, skewed.
struct DataSet {
  std::string jsonl;              // as a file would hold them
  std::vector<v1::Event> events;  // parsed, as callers would send them
  std::string protobuf_batch;     // one motive.v1.EventBatch
};
const DataSet& Journeys();

// A fresh folder for database files, emptied on each call.
std::string ScratchDir();

// --- the data set at scale: datagen's journeys of Customers() customers ------
//
// About 20 events each (20.05M for 1M customers), skewed, decoded and
// completed (model::PrepareEvent) as Engine::Ingest would, streamed customer
// by customer. Queries ask as of kAsOfUs: the live case, no replay.

inline constexpr int64_t kDayUs = int64_t{86400} * 1000 * 1000;
// One day after the generator's year: every customer's newest event is
// before it.
inline constexpr int64_t kAsOfUs =
    (datagen::kDefaultStartUnixSeconds + 366 * 86400) * int64_t{1000000};

// 1M customers; 2,000 with --short.
uint64_t Customers();

// Anonymous resident memory (resident minus file-backed pages), in bytes.
int64_t AnonymousRss();

// kAsOfUs: the engines' clock, and the time events are completed at.
absl::Time Clock();

// A line of progress on stderr (the setup of the big data takes minutes).
void Progress(const std::string& what);
// Setup that cannot go on (a benchmark cannot report it otherwise).
[[noreturn]] void Fail(const std::string& what);

// Engine options with Clock() and the log's `durability`.
engine::EngineOptions EngineOptionsFor(store::Durability durability);

// Decodes and completes the generated journeys of customers 1 to
// `customers`, calling `fn` with each customer's events in turn, in the
// order the log would hold them. Returns how many records were rejected.
uint64_t ForEachCustomer(
    uint64_t customers,
    absl::FunctionRef<void(std::vector<v1::Event>& events)> fn);

// kRandomIds uniformly random customer ids among the first `customers`, the
// same on every call.
inline constexpr size_t kRandomIds = 1 << 16;
std::vector<std::string> RandomIds(uint64_t customers);

// The state of every customer of the data set.
struct Population {
  std::unique_ptr<state::StateStore> store;
  uint64_t events = 0;
  uint64_t rejected = 0;
  absl::Duration apply;  // in Apply calls
  absl::Duration build;  // decoding and completing included
  // The process's anonymous RSS growth while it was built: the state's
  // memory when nothing else was built meanwhile.
  int64_t rss_bytes = 0;
};

// Folds the Customers() customers' journeys into a store under `config`.
// `extend` may add events to each customer's (prepared, in log order) before
// they are applied; it is not timed apart.
std::unique_ptr<Population> BuildPopulation(
    state::StateConfig config,
    absl::FunctionRef<void(std::vector<v1::Event>& events)> extend =
        [](std::vector<v1::Event>&) {});

// The folder of the databases that outlive one benchmark (the disk log, the
// context benchmarks' SQL baseline), made once per process.
const std::string& DataDir();

// The whole data set's log on disk, written once per process with group
// commit in big batches, streamed from the generator (minutes at 1M
// customers).
struct DiskLog {
  std::string path;
  uint64_t events = 0;
  double write_seconds = 0;
};
const DiskLog& Log();

// Opening an engine in a process of its own: what a service starting up
// sees, with none of this process's freed memory to reuse. The bench runs
// itself as `motive_bench kOpenInChild PATH CHECK`, which prints the
// seconds Engine::Open took (from the snapshot, or it fails) and exits.
inline constexpr char kOpenInChild[] = "--open-in-child";
int OpenInChild(const char* path, int check);
absl::StatusOr<double> TimeOpenInFreshProcess(const std::string& path,
                                              store::IntegrityCheck check);

// Latencies of single operations, summarised as benchmark counters.
class Latencies {
 public:
  void Reserve(size_t n) { samples_.reserve(n); }
  void Add(absl::Duration d) {
    samples_.push_back(absl::ToDoubleMicroseconds(d));
  }
  // The q-quantile (0 to 1) of the samples, in microseconds; 0 when none.
  double Percentile(double q);
  // Sets p50_us and p99_us on `state`, averaged over the benchmark's threads
  // when it has several (each keeps its own Latencies).
  void Report(benchmark::State& state);

 private:
  std::vector<double> samples_;
};

// Remembers a baseline's throughput so that later benchmarks in the same
// process report their ratio to it: machines here are noisy, ratios less so.
// Also any other figure (a latency) that a later benchmark reads back with
// Baseline.
void SetBaseline(const std::string& name, double events_per_second);
// The figure remembered under `name`; 0 when none was (its benchmark was
// filtered out, or has not run yet).
double Baseline(const std::string& name);
// Sets "x_<name>" on `state`: this benchmark's events/s over the baseline's.
void ReportRatio(benchmark::State& state, const std::string& name,
                 double events_per_second);

// Sets, or replaces, the line under `key` of the summary that motive_bench
// prints on stderr once every benchmark has run: a few figures side by side
// with their budgets read more easily than the counters. Keyed so that the
// last of Google Benchmark's runs of a benchmark is the one printed.
void Note(const std::string& key, const std::string& line);

// Hands out `input` in 1 MiB chunks, as a file reader would, without a copy:
// for importers timed over input already in memory. `input` must outlive it.
inline model::InputSource MiBChunks(absl::string_view input) {
  return [input]() mutable -> absl::StatusOr<absl::string_view> {
    const absl::string_view chunk = input.substr(0, size_t{1} << 20);
    input.remove_prefix(chunk.size());
    return chunk;
  };
}

}  // namespace motive::bench

#endif  // MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_
