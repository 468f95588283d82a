// What the benchmarks share: the data set, latency percentiles, a scratch
// folder, and the short mode that CI runs.

#ifndef MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_
#define MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "motive/v1/event.pb.h"

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

// Latencies of single operations, summarised as benchmark counters.
class Latencies {
 public:
  void Reserve(size_t n) { samples_.reserve(n); }
  void Add(absl::Duration d) {
    samples_.push_back(absl::ToDoubleMicroseconds(d));
  }
  // The q-quantile (0 to 1) of the samples, in microseconds; 0 when none.
  double Percentile(double q);
  // Sets p50_us and p99_us on `state`.
  void Report(benchmark::State& state);

 private:
  std::vector<double> samples_;
};

// Remembers a baseline's throughput so that later benchmarks in the same
// process report their ratio to it: machines here are noisy, ratios less so.
void SetBaseline(const std::string& name, double events_per_second);
// Sets "x_<name>" on `state`: this benchmark's events/s over the baseline's.
void ReportRatio(benchmark::State& state, const std::string& name,
                 double events_per_second);

// Sets, or replaces, the line under `key` of the summary that motive_bench
// prints on stderr once every benchmark has run: a few figures side by side
// with their budgets read more easily than the counters. Keyed so that the
// last of Google Benchmark's runs of a benchmark is the one printed.
void Note(const std::string& key, const std::string& line);

}  // namespace motive::bench

#endif  // MOTIVE_TESTS_BENCH_BENCH_SUPPORT_H_
