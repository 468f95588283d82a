// soak_test: one engine under load for a long time, from the C ABI only.
//
// Threads share one engine, as an agent desktop's server would: recorders
// (single events, now and then one sent twice), queriers (summaries and full
// contexts), a decider, a feedback sender answering the decider's actions,
// an eraser (rarely) and a reloader swapping two rulesets (rarely; the second
// adds a metric, so every load rebuilds the state from the log). Every
// sample period it prints the calls per second of each kind since the last
// sample, their p50 and p99 latency, and the resident memory: the memory
// curve. It fails (exit 1) when
//
//   - a call returns a status other than MOT_OK (tolerated: MOT_EBUSY from
//     mot_customer_erase(), which the header allows while another connection
//     reads the database; counted and printed), or a fresh event is not
//     stored, or a summary breaks an invariant of its own;
//   - at the midpoint (writers paused) and at the end, a customer's context
//     differs from a rebuild from the log: a read-only engine opened beside
//     the writer with no snapshot, which replays the whole log (in a child
//     process, this program again with --rebuild-of);
//   - resident memory grows after the warm-up: see CheckMemory().
//
// The data set is bounded so that memory may be: recorders cycle over a fixed
// pool of customers with fixed vocabularies (topics, agents, plans), while
// event ids keep growing. Event time runs faster than the wall clock, ending
// at the present, so that windows slide: the longest window (the ruleset's
// 365 days) is full after a quarter of the run, and from then on events
// leave the state as fast as they enter it. Runs of a minute or more first
// record some history (see HistoryEvents()).
//
// It lives with the reliability tests rather than the benchmarks: it is a
// test that fails, built whenever tests are (the benchmarks are not, under
// the sanitizers), and its rates are what a mixed load held, not budgets.
//
// Usage: soak_test [--seconds S] [--sample-seconds N] [--customers N]
//                  [--recorders N] [--queriers N] [--seed S] [--dir DIR]
//                  [--rules FILE] [--max-rss-growth-mib N] [--history N]
// ctest runs 8 seconds; `make soak` runs SOAK_SECONDS (300).

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "motive/motive.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kUsPerDay = 86400LL * 1000000;
// The longest window of the rulesets below (telecom_spend_365d).
constexpr int64_t kHorizonDays = 365;

// A context configuration with a metric of its own, so that contexts always
// carry metrics, whichever ruleset is loaded.
constexpr char kConfig[] =
    "metrics { name: \"voice_30d\" aggregation: COUNT window: \"30d\" "
    "filter: \"event.channel == 'voice'\" }";
// Appended to the ruleset to make the second one: a new metric, so that
// swapping between them rebuilds every customer's state from the log.
constexpr char kExtraMetric[] =
    "\nmetrics { name: \"soak_chats_30d\" aggregation: COUNT window: \"30d\"\n"
    "  filter: \"event.channel == 'chat'\" }\n";

// The vocabularies: fixed, so that the engine's string table stops growing.
constexpr const char* kTopics[] = {
    "billing",      "technical_issue", "delivery_delay", "upgrade",
    "cancellation", "refund",          "account"};
constexpr const char* kChannels[] = {"voice", "chat", "email", "sms", "web"};
constexpr const char* kPlans[] = {"basic", "plus", "premium"};
constexpr const char* kOutcomes[] = {"RESOLVED", "UNRESOLVED", "TRANSFERRED",
                                     "ABANDONED"};

enum Kind {
  kRecord,
  kSummary,
  kContext,
  kDecide,
  kFeedback,
  kErase,
  kReload,
  kKinds
};
constexpr const char* kKindNames[kKinds] = {
    "record", "summary", "context", "decide", "feedback", "erase", "reload"};

struct Options {
  double seconds = 8;
  double sample_seconds = 0;  // 0: a twentieth of the run, 1 s to 30 s
  int customers = 2000;
  int recorders = 2;
  int queriers = 2;
  uint64_t seed = 1;
  std::string dir;
  std::string rules = MOTIVE_SOAK_RULES;
  double max_rss_growth_mib = 0;  // 0: see CheckMemory()
  int64_t history = -1;           // -1: see HistoryEvents()
  // The child that rebuilds from the log (see CompareWithRebuild()).
  std::string rebuild_of;
  int64_t as_of = 0;
  int ruleset = 0;
};

namespace harness = motive::harness;
using harness::Die;

// ---------------------------------------------------------------------------
// Latency: a histogram per thread and kind of call, written by its thread
// only (relaxed atomics, no lock prefix on x86) and read by the sampler.

class Histogram {
 public:
  // Eight buckets per power of two: a percentile is within 12.5%.
  static constexpr int kSub = 8;
  static constexpr int kBuckets = 62 * kSub;
  using Counts = std::array<uint64_t, kBuckets>;

  void Add(uint64_t ns) {
    std::atomic<uint64_t>& c = counts_[Bucket(ns)];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void AddTo(Counts* sum) const {
    for (int i = 0; i < kBuckets; ++i) {
      (*sum)[i] += counts_[i].load(std::memory_order_relaxed);
    }
  }
  // The upper end of the bucket, in nanoseconds.
  static uint64_t UpperNs(int bucket) {
    if (bucket < kSub) return static_cast<uint64_t>(bucket);
    const int shift = bucket / kSub - 1;
    return ((static_cast<uint64_t>(kSub + bucket % kSub) + 1) << shift) - 1;
  }

 private:
  static int Bucket(uint64_t ns) {
    if (ns < kSub) return static_cast<int>(ns);
    const int msb = 63 - __builtin_clzll(ns);
    return std::min(
        kBuckets - 1,
        (msb - 2) * kSub + static_cast<int>((ns >> (msb - 3)) & (kSub - 1)));
  }

  std::array<std::atomic<uint64_t>, kBuckets> counts_{};
};

uint64_t Total(const Histogram::Counts& counts) {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

// The latency at quantile q, in microseconds; -1 without calls.
double QuantileUs(const Histogram::Counts& counts, double q) {
  const uint64_t total = Total(counts);
  if (total == 0) return -1;
  const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total));
  uint64_t seen = 0;
  for (int i = 0; i < Histogram::kBuckets; ++i) {
    seen += counts[i];
    if (seen > rank) return Histogram::UpperNs(i) / 1000.0;
  }
  return Histogram::UpperNs(Histogram::kBuckets - 1) / 1000.0;
}

struct ThreadStats {
  std::array<Histogram, kKinds> kinds;
};

// ---------------------------------------------------------------------------
// Pausing and stopping the workers.

class Gate {
 public:
  explicit Gate(int workers) : workers_(workers) {}

  // Called by a worker between calls: waits while the workers are paused.
  // False once the run is over.
  bool Pass() {
    if (!pausing_.load(std::memory_order_acquire)) return !stopping();
    std::unique_lock<std::mutex> lock(mu_);
    ++parked_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !pausing_.load() || stopping(); });
    --parked_;
    return !stopping();
  }
  // Waits `duration`, waking early for a pause or the end, then Pass()es.
  bool Sleep(std::chrono::microseconds duration) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, duration,
                   [&] { return pausing_.load() || stopping(); });
    }
    return Pass();
  }
  void Exited() {
    std::lock_guard<std::mutex> lock(mu_);
    ++exited_;
    cv_.notify_all();
  }
  // Returns once every worker waits in Pass() (or has exited).
  void PauseAll() {
    std::unique_lock<std::mutex> lock(mu_);
    pausing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return parked_ + exited_ == workers_; });
  }
  void Resume() {
    std::lock_guard<std::mutex> lock(mu_);
    pausing_ = false;
    cv_.notify_all();
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

 private:
  const int workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  // Written under mu_, so that a waiter cannot miss a change; read without it
  // on the fast path.
  std::atomic<bool> pausing_{false};
  std::atomic<bool> stopping_{false};
  int parked_ = 0;  // guarded by mu_
  int exited_ = 0;  // guarded by mu_
};

// Event time: from `span_days` before the start to the present at the end of
// the run, so that it never runs ahead of the wall clock (the engine refuses
// events over a day ahead).
class SimClock {
 public:
  SimClock(double run_seconds, int64_t span_days)
      : span_us_(span_days * kUsPerDay),
        us_per_us_(static_cast<double>(span_us_) / (run_seconds * 1e6)) {
    Start();
  }
  // Starts the run now. Not thread-safe: before the workers start.
  void Start() {
    started_ = Clock::now();
    start_us_ = static_cast<int64_t>(std::time(nullptr)) * 1000000 - span_us_;
  }
  int64_t NowUs() const {
    const double elapsed_us =
        std::chrono::duration<double, std::micro>(Clock::now() - started_)
            .count();
    // Held at the end: the workers run on until they see the stop, and a
    // short run's clock moves days per millisecond.
    return start_us_ +
           std::min(span_us_, static_cast<int64_t>(elapsed_us * us_per_us_));
  }

 private:
  const int64_t span_us_;
  const double us_per_us_;
  Clock::time_point started_;
  int64_t start_us_ = 0;
};

// Decisions waiting for their feedback; the oldest go when it is full.
class FeedbackQueue {
 public:
  struct Item {
    std::string customer;
    std::string decision;
    std::string action;
  };
  void Push(Item item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.size() >= 1024) items_.pop_front();
    items_.push_back(std::move(item));
  }
  bool Pop(Item* item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return false;
    *item = std::move(items_.front());
    items_.pop_front();
    return true;
  }

 private:
  std::mutex mu_;
  std::deque<Item> items_;
};

struct Shared {
  Shared(const Options& o, int workers, int64_t span_days)
      : options(o), gate(workers), clock(o.seconds, span_days) {}

  // The first unexpected result ends the run.
  void Fail(const std::string& what) {
    {
      std::lock_guard<std::mutex> lock(failure_mu);
      if (failure.empty()) failure = what;
    }
    gate.Stop();
  }
  void FailCall(Kind kind, int rc) {
    Fail(std::string(kKindNames[kind]) + " returned " + mot_strerror(rc) +
         ": " + mot_error_last());
  }
  const std::string& customer(uint64_t r) const {
    return customers[r % customers.size()];
  }

  const Options& options;
  mot_engine* engine = nullptr;
  Gate gate;
  SimClock clock;
  std::vector<std::string> customers;
  std::array<std::string, 2> rulesets;
  std::atomic<int> ruleset{0};  // the index of the loaded one
  FeedbackQueue feedback;
  std::atomic<uint64_t> erase_busy{0};
  std::atomic<uint64_t> erased_events{0};
  std::mutex failure_mu;
  std::string failure;  // guarded by failure_mu
};

// Times one call into `stats`.
class Timed {
 public:
  Timed(ThreadStats* stats, Kind kind)
      : histogram_(&stats->kinds[kind]), started_(Clock::now()) {}
  ~Timed() {
    histogram_->Add(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() -
                                                             started_)
            .count()));
  }

 private:
  Histogram* histogram_;
  Clock::time_point started_;
};

std::string Rfc3339(int64_t us) {
  const time_t seconds = static_cast<time_t>(us / 1000000);
  std::tm tm{};
  ::gmtime_r(&seconds, &tm);
  char text[40];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(text + n, sizeof(text) - n, ".%06dZ",
                static_cast<int>(us % 1000000));
  return text;
}

std::string EventJson(const std::string& id, const std::string& customer,
                      int64_t occurred_us, std::mt19937_64& rng) {
  std::ostringstream json;
  json << "{\"event_id\":\"" << id << "\",\"customer_id\":\"" << customer
       << "\",\"occurred_at\":\"" << Rfc3339(occurred_us) << "\"";
  const unsigned what = rng() % 10;
  if (what < 6) {
    json << ",\"type\":\"contact\",\"channel\":\"" << kChannels[rng() % 5]
         << "\",\"topic\":\"" << kTopics[rng() % 7] << "\",\"agent_id\":\"a"
         << rng() % 50 << "\",\"outcome\":\"" << kOutcomes[rng() % 4]
         << "\",\"sentiment\":" << (static_cast<int>(rng() % 21) - 10) / 10.0
         << ",\"transfers\":" << rng() % 3 << ",\"duration_ms\":900000"
         << ",\"hold_ms\":" << (rng() % 900) * 1000;
  } else if (what < 8) {
    json << ",\"type\":\"" << (what == 6 ? "purchase" : "renewal")
         << "\",\"channel\":\"web\",\"value\":" << rng() % 500
         << ",\"currency\":\"EUR\",\"attributes\":{\"plan\":\""
         << kPlans[rng() % 3] << "\"}";
  } else {
    json << ",\"type\":\"survey\",\"channel\":\"email\",\"nps\":" << rng() % 11
         << ",\"csat\":" << 1 + rng() % 5;
  }
  json << "}";
  return json.str();
}

// ---------------------------------------------------------------------------
// The workers. Each returns when the run stops; a failure stops the run.

void Record(Shared& s, int index, ThreadStats* stats) {
  std::mt19937_64 rng(s.options.seed * 1000 + index);
  uint64_t next = 0;
  std::string last;
  while (s.gate.Pass()) {
    // Now and then the previous event again: stored once. (Unless its
    // customer was erased in between: then it starts a new history.)
    const bool again = !last.empty() && rng() % 50 == 0;
    if (!again) {
      last =
          EventJson("r" + std::to_string(index) + "-" + std::to_string(next++),
                    s.customer(rng()), s.clock.NowUs(), rng);
    }
    int32_t stored = -1;
    int rc;
    {
      Timed timed(stats, kRecord);
      rc = mot_event_record(&stored, s.engine, MOT_FORMAT_JSON, last.data(),
                            last.size());
    }
    if (rc != MOT_OK) return s.FailCall(kRecord, rc);
    if (!again && stored != 1) return s.Fail("a new event was not stored");
  }
}

// What a summary promises whatever the data: nested windows, bounded values.
std::string SummaryBroken(const mot_context_summary& m) {
  if (m.contacts_7d > m.contacts_30d || m.contacts_30d > m.contacts_90d) {
    return "contacts_7d <= contacts_30d <= contacts_90d";
  }
  if (m.known && m.first_seen_us > m.last_seen_us) {
    return "first_seen <= last_seen";
  }
  if (!(m.churn_risk >= 0 && m.churn_risk <= 1)) return "churn_risk in [0,1]";
  if (m.at_risk != (m.strikes >= 3)) return "at_risk == strikes >= 3";
  return "";
}

void Query(Shared& s, int index, ThreadStats* stats) {
  std::mt19937_64 rng(s.options.seed * 2000 + index);
  for (uint64_t i = 0; s.gate.Pass(); ++i) {
    const std::string& who = s.customer(rng());
    const int64_t as_of = s.clock.NowUs();
    // Three summaries (the hot call) to one full context.
    if (i % 4 != 3) {
      mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
      int rc;
      {
        Timed timed(stats, kSummary);
        rc = mot_context_summary_get(&summary, s.engine, who.c_str(), as_of);
      }
      if (rc != MOT_OK) return s.FailCall(kSummary, rc);
      const std::string broken = SummaryBroken(summary);
      if (!broken.empty()) {
        return s.Fail("the summary of " + who + " breaks " + broken);
      }
    } else {
      mot_buf out = {nullptr, 0};
      int rc;
      {
        Timed timed(stats, kContext);
        rc = mot_context_get(&out, s.engine, who.c_str(), as_of,
                             MOT_FORMAT_JSON);
      }
      mot_buf_dispose(&out);
      if (rc != MOT_OK) return s.FailCall(kContext, rc);
    }
  }
}

// The text of a JSON string field's first value at or after `from`.
std::string JsonString(const std::string& json, const std::string& key,
                       size_t from = 0) {
  const std::string quoted = "\"" + key + "\":\"";
  const size_t at = json.find(quoted, from);
  if (at == std::string::npos) return "";
  const size_t start = at + quoted.size();
  return json.substr(start, json.find('"', start) - start);
}

void Decide(Shared& s, ThreadStats* stats) {
  std::mt19937_64 rng(s.options.seed * 3000);
  while (s.gate.Pass()) {
    const std::string& who = s.customer(rng());
    mot_situation situation = MOT_SITUATION_INIT;
    situation.channel = MOT_CHANNEL_VOICE;
    situation.topic = kTopics[rng() % 7];
    situation.time_us = s.clock.NowUs();
    mot_buf out = {nullptr, 0};
    int rc;
    {
      Timed timed(stats, kDecide);
      rc = mot_decide(&out, s.engine, who.c_str(), &situation, MOT_FORMAT_JSON);
    }
    if (rc != MOT_OK) return s.FailCall(kDecide, rc);
    const std::string json(reinterpret_cast<const char*>(out.data), out.size);
    mot_buf_dispose(&out);
    // The top-ranked action: the first one in "actions" (the trace, later,
    // names dropped ones too).
    const size_t actions = json.find("\"actions\":[");
    if (actions == std::string::npos) continue;
    s.feedback.Push({who, JsonString(json, "decision_id"),
                     JsonString(json, "action", actions)});
  }
}

void SendFeedback(Shared& s, ThreadStats* stats) {
  std::mt19937_64 rng(s.options.seed * 4000);
  FeedbackQueue::Item item;
  for (;;) {
    if (!s.feedback.Pop(&item)) {
      if (!s.gate.Sleep(std::chrono::milliseconds(1))) return;
      continue;
    }
    const int32_t outcome =
        MOT_FEEDBACK_OFFERED + static_cast<int32_t>(rng() % 5);
    int rc;
    {
      Timed timed(stats, kFeedback);
      rc = mot_feedback(s.engine, item.customer.c_str(), item.decision.c_str(),
                        item.action.c_str(), outcome, MOT_CHANNEL_VOICE,
                        s.clock.NowUs());
    }
    if (rc != MOT_OK) return s.FailCall(kFeedback, rc);
    if (!s.gate.Pass()) return;
  }
}

// Events recorded before the run, as history from before its first day, so
// that SQLite's page cache (64 MiB: cache_size in src/store/event_log.cc) is
// full before the warm-up ends: the log takes about 250 bytes an event.
// Short runs skip it (it costs seconds, and every reload replays it); their
// cache grows by a few MiB, within CheckMemory()'s bound.
int64_t HistoryEvents(const Options& o) {
  if (o.history >= 0) return o.history;
  return o.seconds >= 60 ? 320000 : 0;
}

void RecordHistory(Shared& s, int64_t events) {
  std::mt19937_64 rng(s.options.seed * 6000);
  const int64_t first_day = s.clock.NowUs();
  mot_ingest_options options = MOT_INGEST_OPTIONS_INIT;
  options.format = MOT_FORMAT_JSONL;
  for (int64_t done = 0; done < events;) {
    std::string lines;
    for (int i = 0; i < 4096 && done < events; ++i, ++done) {
      const int64_t occurred =
          first_day - static_cast<int64_t>(rng() % (30 * kUsPerDay));
      lines += EventJson("h-" + std::to_string(done), s.customer(rng()),
                         occurred, rng);
      lines += '\n';
    }
    if (mot_ingest_buffer(nullptr, s.engine, lines.data(), lines.size(),
                          &options) != MOT_OK) {
      Die(std::string("history: ") + mot_error_last());
    }
  }
}

// How often the rare calls come: often enough to land a few in a short run,
// rarely enough that a long run spends its time on the common ones.
std::chrono::microseconds Every(const Options& o, double per_run,
                                double at_least_s) {
  return std::chrono::microseconds(
      static_cast<int64_t>(std::max(at_least_s, o.seconds / per_run) * 1e6));
}

void Erase(Shared& s, ThreadStats* stats) {
  std::mt19937_64 rng(s.options.seed * 5000);
  while (s.gate.Sleep(Every(s.options, 60, 0.5))) {
    const std::string& who = s.customer(rng());
    uint64_t erased = 0;
    int rc;
    {
      Timed timed(stats, kErase);
      rc = mot_customer_erase(&erased, s.engine, who.c_str());
    }
    if (rc == MOT_EBUSY) {
      s.erase_busy.fetch_add(1, std::memory_order_relaxed);
    } else if (rc != MOT_OK) {
      return s.FailCall(kErase, rc);
    }
    s.erased_events.fetch_add(erased, std::memory_order_relaxed);
  }
}

void Reload(Shared& s, ThreadStats* stats) {
  while (s.gate.Sleep(Every(s.options, 10, 2))) {
    const int next = 1 - s.ruleset.load();
    const std::string& text = s.rulesets[next];
    int rc;
    {
      Timed timed(stats, kReload);
      rc = mot_ruleset_load(s.engine, text.data(), text.size(), "soak");
    }
    if (rc != MOT_OK) return s.FailCall(kReload, rc);
    s.ruleset.store(next);
  }
}

// ---------------------------------------------------------------------------
// The checks.

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Context(mot_engine* engine, const std::string& customer,
                    int64_t as_of) {
  mot_buf out = {nullptr, 0};
  return harness::Take(
      mot_context_get(&out, engine, customer.c_str(), as_of, MOT_FORMAT_JSON),
      &out, "context of " + customer);
}

// The rulesets: the file, and the file with one metric more.
std::array<std::string, 2> Rulesets(const std::string& file) {
  std::array<std::string, 2> rulesets;
  rulesets[0] = ReadFile(file);
  rulesets[1] = rulesets[0] + kExtraMetric;
  return rulesets;
}

// The child's side of CompareWithRebuild(): opens the log read-only with no
// snapshot, which replays all of it, and prints every customer's context, one
// line each (protobuf's JSON has no raw newline).
int PrintRebuild(const Options& o) {
  const std::string ruleset = Rulesets(o.rules).at(o.ruleset);
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  options.snapshot_path = "-";
  options.context_config = kConfig;
  options.ruleset = ruleset.c_str();
  mot_engine* rebuild = nullptr;
  if (mot_engine_open(&rebuild, o.rebuild_of.c_str(), &options) != MOT_OK) {
    Die(std::string("the rebuild does not open: ") + mot_error_last());
  }
  for (int i = 0; i < o.customers; ++i) {
    std::printf("%s\n",
                Context(rebuild, "c" + std::to_string(i), o.as_of).c_str());
  }
  mot_engine_close(rebuild);
  return std::fflush(stdout) == 0 ? 0 : 1;
}

// Compares every customer's context with a rebuild from the whole log, as of
// a time after every event recorded so far (the live state, not a replay).
// The rebuild runs in a child process, so that its memory (a second state,
// SQLite's cache of the whole log) stays out of the memory curve. Returns
// the number of known customers; dies on a difference.
int CompareWithRebuild(Shared& s, const std::string& path, const char* when) {
  const int64_t as_of = s.clock.NowUs() + 1000000;
  // This program (in the shell, /proc/self/exe is the shell).
  const std::string self =
      std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string command = "'" + self + "' --rebuild-of '" + path +
                              "' --rules '" + s.options.rules + "' --ruleset " +
                              std::to_string(s.ruleset.load()) + " --as-of " +
                              std::to_string(as_of) + " --customers " +
                              std::to_string(s.customers.size());
  FILE* child = ::popen(command.c_str(), "r");
  if (child == nullptr) Die("cannot run " + command);
  int known = 0;
  char* line = nullptr;
  size_t capacity = 0;
  for (const std::string& customer : s.customers) {
    const ssize_t n = ::getline(&line, &capacity, child);
    if (n <= 0) Die(std::string(when) + ": the rebuild ended early");
    const std::string rebuilt(line, static_cast<size_t>(n) - 1);
    const std::string live = Context(s.engine, customer, as_of);
    if (live != rebuilt) {
      Die(std::string(when) + ": the state of " + customer +
          " differs from a rebuild from the log " + path +
          " (kept):\n  live:    " + live + "\n  rebuilt: " + rebuilt);
    }
    known += live.find("\"known\":true") != std::string::npos;
  }
  std::free(line);
  if (::pclose(child) != 0) Die(std::string(when) + ": the rebuild failed");
  return known;
}

int64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0;
  int64_t resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

struct Sample {
  double t;  // seconds since the start
  int64_t rss;
};

class Sampler {
 public:
  Sampler(const std::vector<std::unique_ptr<ThreadStats>>& stats,
          Clock::time_point started)
      : stats_(stats), started_(started), last_time_(started) {
    for (auto& kind : last_) kind.fill(0);
  }

  // Prints the rates and latencies since the last sample, and the memory.
  void Take() {
    const Clock::time_point now = Clock::now();
    const double interval =
        std::chrono::duration<double>(now - last_time_).count();
    const Sample sample{std::chrono::duration<double>(now - started_).count(),
                        ResidentBytes()};
    samples_.push_back(sample);
    std::printf("%7.1f s  rss %7.1f MiB ", sample.t, sample.rss / 1048576.0);
    for (int k = 0; k < kKinds; ++k) {
      Histogram::Counts now_counts = Sum(static_cast<Kind>(k));
      Histogram::Counts delta;
      for (int i = 0; i < Histogram::kBuckets; ++i) {
        delta[i] = now_counts[i] - last_[k][i];
      }
      last_[k] = now_counts;
      const double rate = static_cast<double>(Total(delta)) / interval;
      rates_[k].push_back({sample.t, rate});
      if (k >= kErase) {  // rare: a count says more than a rate
        std::printf(" %s %llu", kKindNames[k],
                    static_cast<unsigned long long>(Total(delta)));
        continue;
      }
      std::printf(" %s %6.0f/s %s/%s", kKindNames[k], rate,
                  Us(QuantileUs(delta, 0.5)).c_str(),
                  Us(QuantileUs(delta, 0.99)).c_str());
    }
    std::printf("\n");
    std::fflush(stdout);
    last_time_ = now;
  }

  // The whole run, per kind: calls, the mean rate, the lowest rate of a
  // sample after `warm` seconds (the rate held), the latencies.
  void PrintTable(double seconds, double warm) const {
    std::printf("\n%-9s %10s %10s %10s %9s %9s %9s\n", "call", "calls",
                "mean/s", "held/s", "p50 us", "p99 us", "max us");
    for (int k = 0; k < kKinds; ++k) {
      const Histogram::Counts all = Sum(static_cast<Kind>(k));
      double held = -1;
      for (const auto& [t, rate] : rates_[k]) {
        if (t >= warm && t < seconds)
          held = held < 0 ? rate : std::min(held, rate);
      }
      double max_us = 0;
      for (int i = 0; i < Histogram::kBuckets; ++i) {
        if (all[i]) max_us = Histogram::UpperNs(i) / 1000.0;
      }
      std::printf("%-9s %10llu %10.0f %10.0f %9s %9s %9.0f\n", kKindNames[k],
                  static_cast<unsigned long long>(Total(all)),
                  Total(all) / seconds, held, Us(QuantileUs(all, 0.5)).c_str(),
                  Us(QuantileUs(all, 0.99)).c_str(), max_us);
    }
  }

  const std::vector<Sample>& samples() const { return samples_; }

 private:
  Histogram::Counts Sum(Kind kind) const {
    Histogram::Counts sum;
    sum.fill(0);
    for (const auto& stats : stats_) stats->kinds[kind].AddTo(&sum);
    return sum;
  }
  static std::string Us(double us) {
    if (us < 0) return "-";
    char text[32];
    std::snprintf(text, sizeof(text), us < 10 ? "%.1fus" : "%.0fus", us);
    return text;
  }

  const std::vector<std::unique_ptr<ThreadStats>>& stats_;
  const Clock::time_point started_;
  Clock::time_point last_time_;
  std::array<Histogram::Counts, kKinds> last_;
  std::array<std::vector<std::pair<double, double>>, kKinds> rates_;
  std::vector<Sample> samples_;
};

// Resident memory must stay flat once the data set has stopped growing. After
// the warm-up (a quarter of the run: the pool of customers is full and the
// longest window has filled, see SimClock), events leave the state as fast as
// they enter, so the state's size holds. What may still move: the transient
// second state of a ruleset reload (queries see the old state while the new
// one is built), which both halves below see, and SQLite's page caches,
// which are bounded (64 MiB each). So the highest RSS of the second half may
// exceed the highest RSS between the warm-up and the midpoint by at most the
// bound: by default 16 MiB plus 10% of the latter. A leak of a few hundred
// bytes per call (hundreds of thousands of calls per minute) crosses it.
// Whether a sanitizer is built in: AddressSanitizer holds freed memory in
// its quarantine, so resident memory says nothing about the library's.
constexpr bool kSanitized =
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    true;
#else
    false;
#endif

bool CheckMemory(const std::vector<Sample>& samples, double seconds,
                 double warm, double bound_mib) {
  if (kSanitized) {
    std::printf("memory: not judged in a sanitized build\n");
    return true;
  }
  int64_t first_max = 0;
  int64_t second_max = 0;
  int64_t peak = 0;
  for (const Sample& sample : samples) {
    peak = std::max(peak, sample.rss);
    if (sample.t < warm) continue;
    int64_t& max = sample.t < seconds / 2 ? first_max : second_max;
    max = std::max(max, sample.rss);
  }
  if (first_max == 0 || second_max == 0) {
    std::printf("memory: too few samples after the warm-up to judge\n");
    return true;
  }
  const double mib = 1048576.0;
  if (bound_mib <= 0) bound_mib = 16 + 0.10 * first_max / mib;
  const double growth = (second_max - first_max) / mib;
  std::printf(
      "memory: first %.1f MiB, after warm-up (%.0f s) max %.1f MiB, second "
      "half max %.1f MiB, last %.1f MiB, peak %.1f MiB; growth %.1f MiB "
      "(bound %.1f MiB)\n",
      samples.front().rss / mib, warm, first_max / mib, second_max / mib,
      samples.back().rss / mib, peak / mib, growth, bound_mib);
  return growth <= bound_mib;
}

Options Parse(int argc, char** argv) {
  Options options;
  harness::ParseFlags(
      argc, argv, {},
      [&](const std::string& name, const std::string& value) {
        if (name == "--seconds") {
          options.seconds = std::stod(value);
        } else if (name == "--sample-seconds") {
          options.sample_seconds = std::stod(value);
        } else if (name == "--customers") {
          options.customers = std::stoi(value);
        } else if (name == "--recorders") {
          options.recorders = std::stoi(value);
        } else if (name == "--queriers") {
          options.queriers = std::stoi(value);
        } else if (name == "--seed") {
          options.seed = std::stoull(value);
        } else if (name == "--dir") {
          options.dir = value;
        } else if (name == "--rules") {
          options.rules = value;
        } else if (name == "--max-rss-growth-mib") {
          options.max_rss_growth_mib = std::stod(value);
        } else if (name == "--history") {
          options.history = std::stoll(value);
        } else if (name == "--rebuild-of") {
          options.rebuild_of = value;
        } else if (name == "--as-of") {
          options.as_of = std::stoll(value);
        } else if (name == "--ruleset") {
          options.ruleset = std::stoi(value);
        } else {
          return false;
        }
        return true;
      },
      "soak_test [--seconds S] [--sample-seconds N] [--customers N] "
      "[--recorders N] [--queriers N] [--seed S] [--dir DIR] [--rules FILE] "
      "[--max-rss-growth-mib N] [--history N]");
  if (options.seconds <= 0 || options.customers <= 0 || options.recorders < 0 ||
      options.queriers < 0) {
    Die("--seconds and --customers must be positive");
  }
  if (options.sample_seconds <= 0) {
    options.sample_seconds = std::clamp(options.seconds / 20, 1.0, 30.0);
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  harness::program = "soak_test";
  const Options options = Parse(argc, argv);
  if (!options.rebuild_of.empty()) return PrintRebuild(options);
  const std::filesystem::path dir =
      options.dir.empty() ? std::filesystem::temp_directory_path() /
                                ("motive_soak_" + std::to_string(::getpid()))
                          : std::filesystem::path(options.dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "soak.db").string();

  // Four horizons of event time at least, so that the warm-up is a quarter
  // of the run; one day per second on longer runs, so that a window holds as
  // many events as in a run of 1460 s; at most 12000 days, so that events
  // stay after 1990.
  const int64_t span_days = std::clamp<int64_t>(
      static_cast<int64_t>(options.seconds), 4 * kHorizonDays, 12000);
  const double warm = options.seconds / 4;

  std::vector<std::function<void(Shared&, ThreadStats*)>> workers;
  for (int i = 0; i < options.recorders; ++i) {
    workers.push_back([i](Shared& s, ThreadStats* t) { Record(s, i, t); });
  }
  for (int i = 0; i < options.queriers; ++i) {
    workers.push_back([i](Shared& s, ThreadStats* t) { Query(s, i, t); });
  }
  workers.push_back(Decide);
  workers.push_back(SendFeedback);
  workers.push_back(Erase);
  workers.push_back(Reload);

  Shared s(options, static_cast<int>(workers.size()), span_days);
  for (int i = 0; i < options.customers; ++i) {
    s.customers.push_back("c" + std::to_string(i));
  }
  s.rulesets = Rulesets(options.rules);

  mot_engine_options engine_options = MOT_ENGINE_OPTIONS_INIT;
  engine_options.durability = MOT_DURABILITY_GROUP;
  engine_options.context_config = kConfig;
  engine_options.ruleset = s.rulesets[0].c_str();
  engine_options.ruleset_origin = options.rules.c_str();
  if (mot_engine_open(&s.engine, path.c_str(), &engine_options) != MOT_OK) {
    Die(std::string("open: ") + mot_error_last());
  }
  std::printf(
      "soak_test: %.0f s, %d recorders, %d queriers, 1 decider, 1 feedback "
      "sender, 1 eraser, 1 reloader; %d customers; %lld days of event time; "
      "seed %llu; %s\n",
      options.seconds, options.recorders, options.queriers, options.customers,
      static_cast<long long>(span_days),
      static_cast<unsigned long long>(options.seed), path.c_str());
  std::printf("%7s    %11s  per call: calls/s p50/p99\n", "time", "resident");
  std::fflush(stdout);

  if (const int64_t history = HistoryEvents(options); history > 0) {
    const Clock::time_point began = Clock::now();
    RecordHistory(s, history);
    std::printf("history: %lld events recorded before the run in %.1f s\n",
                static_cast<long long>(history),
                std::chrono::duration<double>(Clock::now() - began).count());
  }
  s.clock.Start();

  std::vector<std::unique_ptr<ThreadStats>> stats;
  for (size_t i = 0; i < workers.size(); ++i) {
    stats.push_back(std::make_unique<ThreadStats>());
  }
  const Clock::time_point started = Clock::now();
  Sampler sampler(stats, started);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    threads.emplace_back([&, i] {
      workers[i](s, stats[i].get());
      s.gate.Exited();
    });
  }

  const auto end = started + std::chrono::microseconds(
                                 static_cast<int64_t>(options.seconds * 1e6));
  const auto period = std::chrono::microseconds(
      static_cast<int64_t>(options.sample_seconds * 1e6));
  bool checked_midpoint = false;
  for (auto next = started + period; !s.gate.stopping();) {
    const auto midpoint = started + (end - started) / 2;
    auto until = std::min(next, end);
    if (!checked_midpoint) until = std::min(until, midpoint);
    std::this_thread::sleep_until(until);
    if (s.gate.stopping()) break;
    if (!checked_midpoint && Clock::now() >= midpoint) {
      checked_midpoint = true;
      s.gate.PauseAll();
      const auto paused = Clock::now();
      const int known = CompareWithRebuild(s, path, "midpoint");
      std::printf(
          "%7.1f s  midpoint: %d customers' contexts equal to a "
          "rebuild from the log (writers paused %.1f s)\n",
          std::chrono::duration<double>(paused - started).count(), known,
          std::chrono::duration<double>(Clock::now() - paused).count());
      s.gate.Resume();
      next = Clock::now();  // a sample now, over the pause, then on time
    }
    if (Clock::now() >= next || Clock::now() >= end) {
      sampler.Take();
      // Skips the periods a late wake-up missed, so that no sample covers
      // a sliver of one.
      do {
        next += period;
      } while (next <= Clock::now());
    }
    if (Clock::now() >= end) s.gate.Stop();
  }
  for (std::thread& thread : threads) thread.join();
  if (!s.failure.empty()) {
    Die(s.failure + " (database kept in " + dir.string() + ")");
  }

  const int known = CompareWithRebuild(s, path, "end");
  std::printf("end: %d customers' contexts equal to a rebuild from the log\n",
              known);
  mot_engine_stats engine_stats = MOT_ENGINE_STATS_INIT;
  mot_engine_stats_get(&engine_stats, s.engine);
  std::printf(
      "engine: %llu customers, %llu events held, %llu metric samples, %.1f "
      "MiB of state, %llu strings; erasures: %llu events, %llu busy\n",
      static_cast<unsigned long long>(engine_stats.customers),
      static_cast<unsigned long long>(engine_stats.held_events),
      static_cast<unsigned long long>(engine_stats.metric_samples),
      engine_stats.state_bytes / 1048576.0,
      static_cast<unsigned long long>(engine_stats.strings),
      static_cast<unsigned long long>(s.erased_events.load()),
      static_cast<unsigned long long>(s.erase_busy.load()));
  sampler.PrintTable(options.seconds, warm);
  const bool flat = CheckMemory(sampler.samples(), options.seconds, warm,
                                options.max_rss_growth_mib);
  mot_engine_close(s.engine);
  // The database tells nothing about memory: it goes in both cases.
  std::filesystem::remove_all(dir);
  std::fflush(stdout);
  if (!flat) Die("resident memory grew after the warm-up beyond the bound");
  std::printf("soak_test: passed\n");
  return 0;
}
