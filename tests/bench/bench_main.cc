// motive_bench: Google Benchmark's main, plus --short and the shared data.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "benchmark/benchmark.h"
#include "datagen/journey_generator.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

bool short_mode = false;
std::map<std::string, double> baselines;
std::vector<std::pair<std::string, std::string>> notes;  // in order of arrival

// The generator's skewed counts average a little under the mean asked for:
// 24.1 gives 20.05M events for 1M customers.
constexpr double kMeanEvents = 24.1;

datagen::GeneratorOptions Generator(uint64_t customers) {
  datagen::GeneratorOptions options;
  options.customers = customers;
  options.seed = 42;
  options.events_per_customer = kMeanEvents;
  return options;
}

}  // namespace

int64_t AnonymousRss() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0, shared = 0;
  statm >> size >> resident >> shared;
  return (resident - shared) * ::sysconf(_SC_PAGESIZE);
}

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
                               model::WholeBuffer(set->jsonl));
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

uint64_t Customers() { return short_mode ? 2000 : 1000000; }

absl::Time Clock() { return absl::FromUnixMicros(kAsOfUs); }

void Progress(const std::string& what) {
  std::fprintf(stderr, "motive_bench: %s\n", what.c_str());
}

void Fail(const std::string& what) {
  Progress(what);
  std::abort();
}

engine::EngineOptions EngineOptionsFor(store::Durability durability) {
  engine::EngineOptions options;
  options.log.durability = durability;
  options.clock = Clock;
  return options;
}

uint64_t ForEachCustomer(
    uint64_t customers,
    absl::FunctionRef<void(std::vector<v1::Event>& events)> fn) {
  datagen::JourneyGenerator generator(Generator(customers));
  const model::JourneyMap& map = model::JourneyMap::Default();
  std::string jsonl;
  std::vector<v1::Event> events;
  uint64_t rejected = 0;
  while (true) {
    jsonl.clear();
    if (!generator.NextCustomer(&jsonl)) break;
    model::RecordReader reader(model::InputFormat::kJsonl,
                               model::WholeBuffer(jsonl));
    events.clear();
    model::InputRecord record;
    while (reader.Next(&record)) {
      if (record.event.ok() &&
          model::PrepareEvent(&*record.event, map, Clock()).ok()) {
        events.push_back(*std::move(record.event));
      } else {
        ++rejected;
      }
    }
    fn(events);
  }
  return rejected;
}

std::vector<std::string> RandomIds(uint64_t customers) {
  std::mt19937_64 random(7);
  std::vector<std::string> ids(kRandomIds);
  for (std::string& id : ids) {
    id = datagen::CustomerId(1 + random() % customers);
  }
  return ids;
}

std::unique_ptr<Population> BuildPopulation(
    state::StateConfig config,
    absl::FunctionRef<void(std::vector<v1::Event>& events)> extend) {
  auto p = std::make_unique<Population>();
  Progress(absl::StrCat("folding ", Customers(), " customers' journeys"));
  const int64_t rss_before = AnonymousRss();
  p->store = std::make_unique<state::StateStore>(std::move(config));
  const absl::Time start = absl::Now();
  p->rejected =
      ForEachCustomer(Customers(), [&](std::vector<v1::Event>& events) {
        extend(events);
        const absl::Time apply_start = absl::Now();
        for (const v1::Event& event : events) p->store->Apply(event);
        p->apply += absl::Now() - apply_start;
        p->events += events.size();
      });
  p->build = absl::Now() - start;
  p->rss_bytes = AnonymousRss() - rss_before;
  Progress(absl::StrFormat("%d events folded in %.1f s, %d rejected", p->events,
                           absl::ToDoubleSeconds(p->build), p->rejected));
  return p;
}

const std::string& DataDir() {
  static const std::string* const dir = new std::string(ScratchDir());
  return *dir;
}

const DiskLog& Log() {
  static const DiskLog* const log = [] {
    auto* d = new DiskLog;
    d->path = DataDir() + "/context.db";
    Progress("writing the log to disk");
    auto engine = engine::Engine::Open(
        d->path, EngineOptionsFor(store::Durability::kGroup));
    if (!engine.ok()) Fail(engine.status().ToString());
    datagen::JourneyGenerator generator(Generator(Customers()));
    std::string chunk;
    model::RecordReader reader(model::InputFormat::kJsonl,
                               [&]() -> absl::StatusOr<absl::string_view> {
                                 chunk.clear();
                                 while (chunk.size() < (size_t{1} << 20) &&
                                        generator.NextCustomer(&chunk)) {
                                 }
                                 return absl::string_view(chunk);
                               });
    engine::IngestOptions options;
    options.batch_size = 1 << 16;
    engine::IngestCounts counts;
    const absl::Time start = absl::Now();
    absl::Status status = (*engine)->Ingest(reader, options, &counts);
    if (status.ok()) status = (*engine)->Flush();
    if (!status.ok()) Fail(status.ToString());
    d->write_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    d->events = counts.accepted;
    Progress(absl::StrFormat("%d events written in %.1f s (%.0f events/s)",
                             d->events, d->write_seconds,
                             d->events / d->write_seconds));
    return d;
  }();
  return *log;
}

int OpenInChild(const char* path, int check) {
  engine::EngineOptions options = EngineOptionsFor(store::Durability::kGroup);
  options.log.integrity_check = static_cast<store::IntegrityCheck>(check);
  const absl::Time start = absl::Now();
  auto engine = engine::Engine::Open(path, std::move(options));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!engine.ok() || !(*engine)->open_report().from_snapshot) return 1;
  std::printf("%.6f\n", seconds);
  std::fflush(stdout);
  // What is timed is the open: the state's teardown is left to the exit.
  std::_Exit(0);
}

absl::StatusOr<double> TimeOpenInFreshProcess(const std::string& path,
                                              store::IntegrityCheck check) {
  const std::string command =
      absl::StrCat("/proc/", ::getpid(), "/exe ", kOpenInChild, " '", path,
                   "' ", static_cast<int>(check));
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) return absl::InternalError("popen failed");
  double seconds = 0;
  const bool read = std::fscanf(child, "%lf", &seconds) == 1;
  if (::pclose(child) != 0 || !read) {
    return absl::InternalError(
        absl::StrCat("the child process could not open ", path,
                     " from its snapshot"));
  }
  return seconds;
}

double Latencies::Percentile(double q) {
  if (samples_.empty()) return 0;
  std::sort(samples_.begin(), samples_.end());
  return samples_[std::min(samples_.size() - 1,
                           static_cast<size_t>(q * samples_.size()))];
}

void Latencies::Report(benchmark::State& state) {
  if (samples_.empty()) return;
  state.counters["p50_us"] =
      benchmark::Counter(Percentile(0.50), benchmark::Counter::kAvgThreads);
  state.counters["p99_us"] =
      benchmark::Counter(Percentile(0.99), benchmark::Counter::kAvgThreads);
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

double Baseline(const std::string& name) {
  auto it = baselines.find(name);
  return it != baselines.end() ? it->second : 0;
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
  if (argc == 4 && std::strcmp(argv[1], motive::bench::kOpenInChild) == 0) {
    return motive::bench::OpenInChild(argv[2], std::atoi(argv[3]));
  }
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
