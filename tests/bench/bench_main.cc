// motive_bench: Google Benchmark's main, plus --short and the shared data.

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "datagen/journey_generator.h"
#include "model/record_reader.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

bool short_mode = false;
std::map<std::string, double> baselines;
std::vector<std::pair<std::string, std::string>> notes;  // in order of arrival

}  // namespace

bool ShortMode() { return short_mode; }

const DataSet& Journeys() {
  static const DataSet* const data = [] {
    auto* set = new DataSet;
    datagen::GeneratorOptions options;
    options.customers = short_mode ? 500 : 10000;
    options.seed = 42;
    datagen::JourneyGenerator generator(options);
    while (generator.NextCustomer(&set->jsonl)) {
    }
    model::RecordReader reader(model::InputFormat::kJsonl,
                               model::RecordReader::WholeBuffer(set->jsonl));
    v1::EventBatch batch;
    model::InputRecord record;
    while (reader.Next(&record)) {
      if (record.event.ok()) set->events.push_back(*record.event);
    }
    *batch.mutable_events() = {set->events.begin(), set->events.end()};
    set->protobuf_batch = batch.SerializeAsString();
    return set;
  }();
  return *data;
}

std::string ScratchDir() {
  const char* base = std::getenv("TMPDIR");
  std::filesystem::path dir = std::filesystem::path(base ? base : "/tmp") /
                              absl::StrCat("motive_bench_", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

double Latencies::Percentile(double q) {
  if (samples_.empty()) return 0;
  std::sort(samples_.begin(), samples_.end());
  return samples_[std::min(samples_.size() - 1,
                           static_cast<size_t>(q * samples_.size()))];
}

void Latencies::Report(benchmark::State& state) {
  if (samples_.empty()) return;
  state.counters["p50_us"] = Percentile(0.50);
  state.counters["p99_us"] = Percentile(0.99);
}

void Note(const std::string& key, const std::string& line) {
  for (auto& [k, l] : notes) {
    if (k == key) {
      l = line;
      return;
    }
  }
  notes.emplace_back(key, line);
}

void SetBaseline(const std::string& name, double events_per_second) {
  baselines[name] = events_per_second;
}

void ReportRatio(benchmark::State& state, const std::string& name,
                 double events_per_second) {
  auto it = baselines.find(name);
  if (it != baselines.end() && it->second > 0) {
    state.counters["x_" + name] = events_per_second / it->second;
  }
}

}  // namespace motive::bench

int main(int argc, char** argv) {
  // Take --short out before Google Benchmark sees the flags.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--short") == 0) {
      motive::bench::short_mode = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const auto& data = motive::bench::Journeys();
  std::fprintf(stderr, "data set: %zu events, %zu bytes of JSONL%s\n",
               data.events.size(), data.jsonl.size(),
               motive::bench::short_mode ? " (short mode)" : "");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (!motive::bench::notes.empty()) std::fprintf(stderr, "\nsummary:\n");
  for (const auto& [key, line] : motive::bench::notes) {
    std::fprintf(stderr, "  %s\n", line.c_str());
  }
  std::filesystem::remove_all(motive::bench::ScratchDir());
  return 0;
}
