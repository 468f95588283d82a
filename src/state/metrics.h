// User-defined metrics (calculated attributes): an aggregation of one event
// field over a sliding window, over the events a filter accepts, declared in
// a v1::ContextConfig (see context.proto for the syntax).
//
// MetricSet is the compiled configuration: filters parsed, checked against an
// environment declaring `event` (a map from field name to value, as rules see
// it) and compiled once. Immutable after Compile; safe to share between
// threads.
//
// MetricSeries is one customer's samples for one metric: the (time, value) of
// each event the filter accepted, in event-time order, kept while they are
// inside the metric's window measured from the customer's newest event. That
// bounds its memory by the events in the window, not by the history. Queries
// are exact at any as-of time not before the customer's newest event:
//   COUNT, SUM, AVG       two binary searches over running totals, O(log n);
//   LAST                  O(1);
//   MIN, MAX, DISTINCT    a scan of the samples in the window.
// Late events are inserted in order; duplicates never reach it (the event log
// drops them). Not thread-safe: the customer's shard lock guards it.

#ifndef MOTIVE_STATE_METRICS_H_
#define MOTIVE_STATE_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/event.pb.h"
#include "state/interner.h"

namespace motive::expr {
class Program;
class Environment;
}  // namespace motive::expr

namespace motive::state {

// One accepted event's value: a number, or an interned string (for LAST and
// DISTINCT_COUNT of text fields). COUNT samples carry no value.
struct MetricSample {
  int64_t time_us = 0;
  double number = 0;
  uint32_t text = Interner::kEmpty;
  bool is_text = false;
};

struct MetricResult {
  enum class Kind { kNull, kNumber, kText };
  Kind kind = Kind::kNull;
  double number = 0;
  uint32_t text = Interner::kEmpty;
};

// A window written as a whole number and one unit, m (minutes), h, d, w or
// y (365 days), such as "30d", in microseconds: 1 minute to 10 years. The
// error quotes the text and says what is wrong.
absl::StatusOr<int64_t> ParseWindow(absl::string_view text);

class MetricSet {
 public:
  // Compiles `definitions`. Errors: InvalidArgument naming the metric and
  // what is wrong (name, duplicate, aggregation, field, window, filter with
  // its position).
  static absl::StatusOr<std::unique_ptr<MetricSet>> Compile(
      const google::protobuf::RepeatedPtrField<v1::MetricDefinition>&
          definitions);
  ~MetricSet();

  size_t size() const;
  const v1::MetricDefinition& definition(size_t metric) const;
  int64_t window_us(size_t metric) const;
  // The longest window of all metrics (0 when there are none).
  int64_t max_window_us() const;

  // Runs every metric's filter on `event` and calls `fn(metric, sample)` for
  // each metric that accepts it and finds its field. A filter that fails at
  // run time (a missing field, a type error) rejects the event for that
  // metric only. Allocates in a thread-local arena; may be called from many
  // threads at once, but `fn` must not call Extract.
  void Extract(
      const v1::Event& event, Interner& strings,
      absl::FunctionRef<void(size_t metric, const MetricSample&)> fn) const;

 private:
  struct Compiled;
  MetricSet();
  std::vector<Compiled> metrics_;
  std::unique_ptr<expr::Environment> env_;
  int64_t max_window_us_ = 0;
  // The event fields the filters read (an EventFieldMask): the `event` they
  // see holds only these.
  uint32_t event_fields_ = 0;
  // Unique per set, naming the set a thread's cached activation was made
  // for.
  uint64_t id_;
};

class MetricSeries {
 public:
  // Adds a sample, then forgets samples older than `window_us` before
  // `newest_us` (the customer's newest event time, this sample's included).
  // They are forgotten in batches, once they are an eighth of the series, so
  // that eviction costs O(1) amortized; until then they are held but never
  // counted (no query reaches before newest - window). A sample already
  // that old is not added.
  void Add(const MetricSample& sample, int64_t newest_us, int64_t window_us);

  // The aggregate over samples with as_of - window < time <= as_of. Requires
  // as_of_us >= every sample's time.
  MetricResult Query(v1::Aggregation aggregation, int64_t window_us,
                     int64_t as_of_us) const;

  size_t sample_count() const { return samples_.size(); }
  size_t bytes() const;

  // Snapshot support: the samples in order, and a series rebuilt from them.
  const std::vector<MetricSample>& samples() const { return samples_; }
  void Restore(std::vector<MetricSample> samples);

 private:
  void RebuildTotals(size_t from);

  std::vector<MetricSample> samples_;
  // totals_[i]: the sum of samples_[0..i].number, for SUM and AVG; empty
  // while every number is 0 (COUNT and text samples), which saves a quarter
  // of those series' memory. Rebuilt from 0 when samples are forgotten, so
  // that rounding error does not grow with the history.
  std::vector<double> totals_;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_METRICS_H_
