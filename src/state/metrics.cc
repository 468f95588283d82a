#include "state/metrics.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "expr/environment.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/scratch.h"
#include "model/event_validation.h"
#include "state/event_value.h"

namespace motive::state {

namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr int64_t kMinuteUs = int64_t{60} * 1000 * 1000;
constexpr int64_t kDayUs = 24 * 60 * kMinuteUs;
constexpr int64_t kMaxWindowUs = 10 * 365 * kDayUs;

bool IsNumericAggregation(v1::Aggregation aggregation) {
  return aggregation == v1::SUM || aggregation == v1::MIN ||
         aggregation == v1::MAX || aggregation == v1::AVG;
}

bool IsValidName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes) return false;
  if (!absl::ascii_islower(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

// Why `path` cannot be aggregated by `aggregation`, or OK.
absl::Status CheckField(const EventFieldPath& path,
                        v1::Aggregation aggregation) {
  const absl::string_view name = EventFieldName(path.field);
  if (path.field == EventField::kOccurredAt ||
      path.field == EventField::kRecordedAt) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", name,
                     "\" is a timestamp; metrics aggregate numbers and text"));
  }
  if (path.field == EventField::kAttributes && path.attribute.empty()) {
    return absl::InvalidArgumentError(
        "field \"attributes\" is a map; name one attribute, as "
        "\"attributes.<key>\"");
  }
  if (IsNumericAggregation(aggregation) &&
      path.field != EventField::kAttributes && !IsNumericField(path.field)) {
    return absl::InvalidArgumentError(absl::StrCat(
        v1::Aggregation_Name(aggregation), " needs a numeric field (",
        "sentiment, duration_ms, hold_ms, transfers, value, csat, nps or "
        "attributes.<key>); \"",
        name, "\" is text"));
  }
  return absl::OkStatus();
}

// A field's value as a sample. Numbers, and booleans as 1 and 0, for every
// aggregation; non-empty text only for those that take text (LAST,
// DISTINCT_COUNT): an event with an empty topic does not carry a topic.
bool ToSample(const expr::Value& value, bool numeric, Interner& strings,
              MetricSample* sample) {
  switch (value.kind()) {
    case expr::ValueKind::kInt:
      sample->number = static_cast<double>(value.int_value());
      return true;
    case expr::ValueKind::kDouble:
      sample->number = value.double_value();
      return true;
    case expr::ValueKind::kBool:
      sample->number = value.bool_value() ? 1 : 0;
      return true;
    case expr::ValueKind::kString:
      if (numeric || value.text().empty()) return false;
      sample->text = strings.Intern(value.text());
      sample->is_text = true;
      return true;
    default:
      return false;
  }
}

// A metric's filter, which must be a bool; adds the event fields it reads
// to `fields`. Errors are annotated with `context` (the metric).
absl::StatusOr<std::unique_ptr<expr::Program>> CompileFilter(
    const std::string& source, const expr::Environment& env,
    const std::string& context, EventFieldMask* fields) {
  absl::StatusOr<std::unique_ptr<expr::Program>> filter =
      expr::Program::Compile(source, env);
  if (!filter.ok()) {
    // Annotated, not rewrapped: a parse error stays one.
    return base::Annotate(filter.status(), absl::StrCat(context, ": filter"));
  }
  const expr::Type& type = (*filter)->result_type();
  if (type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
    return base::Annotate(
        absl::InvalidArgumentError(absl::StrCat(
            "filter must be a bool expression, not ", type.DebugString())),
        context);
  }
  // Parsed again (it parsed above) to see which fields it reads.
  absl::StatusOr<expr::ParsedExpr> parsed = expr::Parse(source);
  *fields |= parsed.ok() ? EventFieldsRead(*parsed->root) : kAllEventFields;
  return filter;
}

}  // namespace

absl::StatusOr<int64_t> ParseWindow(absl::string_view text) {
  const absl::Status malformed = absl::InvalidArgumentError(absl::StrCat(
      "window \"", text,
      "\" must be a whole number and a unit (m, h, d, w or y), such as "
      "\"30d\""));
  if (text.size() < 2) return malformed;
  const absl::string_view digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit)) {
    return malformed;
  }
  int64_t unit_us;
  switch (text.back()) {
    case 'm':
      unit_us = kMinuteUs;
      break;
    case 'h':
      unit_us = 60 * kMinuteUs;
      break;
    case 'd':
      unit_us = kDayUs;
      break;
    case 'w':
      unit_us = 7 * kDayUs;
      break;
    case 'y':
      unit_us = 365 * kDayUs;
      break;
    default:
      return malformed;
  }
  const absl::Status out_of_range = absl::InvalidArgumentError(
      absl::StrCat("window \"", text, "\" must be from 1m to 10y"));
  int64_t count;
  // Too many digits to parse means too long a window.
  if (!absl::SimpleAtoi(digits, &count)) return out_of_range;
  if (count < 1 || count > kMaxWindowUs / unit_us) return out_of_range;
  return count * unit_us;
}

struct MetricSet::Compiled {
  v1::MetricDefinition definition;
  EventFieldPath field;  // Unused by COUNT.
  int64_t window_us = 0;
  bool numeric = false;  // Takes numbers only: SUM, MIN, MAX, AVG.
  std::unique_ptr<expr::Program> filter;  // Null: every event.
};

MetricSet::MetricSet()
    : env_(std::make_unique<expr::Environment>()),
      id_(expr::NewScratchOwner()) {}

MetricSet::~MetricSet() {
  // The filters were compiled against env_: let them go first.
  metrics_.clear();
}

absl::StatusOr<std::unique_ptr<MetricSet>> MetricSet::Compile(
    const google::protobuf::RepeatedPtrField<v1::MetricDefinition>&
        definitions) {
  std::unique_ptr<MetricSet> set(new MetricSet());
  // The rules' declaration, so that a filter means what the same
  // expression means in a rule.
  if (absl::Status s = DeclareEventVariable(set->env_.get()); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<absl::string_view> names;
  set->metrics_.reserve(definitions.size());
  for (int i = 0; i < definitions.size(); ++i) {
    const v1::MetricDefinition& definition = definitions[i];
    const std::string& name = definition.name();
    if (!IsValidName(name)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metrics[", i, "]: name \"", absl::CHexEscape(name),
          "\" must match [a-z][a-z0-9_]* and be at most 64 bytes"));
    }
    const std::string context = absl::StrCat("metric ", name);
    auto error = [&context](const absl::Status& status) {
      return base::Annotate(status, context);
    };
    if (!names.insert(name).second) {
      return error(absl::InvalidArgumentError("declared twice"));
    }

    Compiled metric;
    metric.definition = definition;
    const v1::Aggregation aggregation = definition.aggregation();
    if (aggregation == v1::AGGREGATION_UNSPECIFIED ||
        !v1::Aggregation_IsValid(aggregation)) {
      return error(absl::InvalidArgumentError(
          "aggregation must be one of COUNT, SUM, MIN, MAX, AVG, LAST, "
          "DISTINCT_COUNT"));
    }
    metric.numeric = IsNumericAggregation(aggregation);
    if (aggregation == v1::COUNT) {
      if (!definition.field().empty()) {
        return error(absl::InvalidArgumentError(
            "COUNT takes no field; to count the events that carry one, "
            "filter on it, as has(event.sentiment)"));
      }
    } else {
      if (definition.field().empty()) {
        return error(absl::InvalidArgumentError(
            absl::StrCat(v1::Aggregation_Name(aggregation), " needs a field")));
      }
      absl::StatusOr<EventFieldPath> field =
          EventFieldPath::Parse(definition.field());
      if (!field.ok()) return error(field.status());
      if (absl::Status s = CheckField(*field, aggregation); !s.ok()) {
        return error(s);
      }
      metric.field = *std::move(field);
    }

    if (definition.window().empty()) {
      return error(absl::InvalidArgumentError(
          "needs a window, such as \"30d\" (m, h, d, w or y)"));
    }
    absl::StatusOr<int64_t> window = ParseWindow(definition.window());
    if (!window.ok()) return error(window.status());
    metric.window_us = *window;

    if (!definition.filter().empty()) {
      absl::StatusOr<std::unique_ptr<expr::Program>> filter = CompileFilter(
          definition.filter(), *set->env_, context, &set->event_fields_);
      if (!filter.ok()) return filter.status();
      metric.filter = *std::move(filter);
    }
    set->max_window_us_ = std::max(set->max_window_us_, metric.window_us);
    set->metrics_.push_back(std::move(metric));
  }
  return set;
}

size_t MetricSet::size() const { return metrics_.size(); }

const v1::MetricDefinition& MetricSet::definition(size_t metric) const {
  return metrics_[metric].definition;
}

int64_t MetricSet::window_us(size_t metric) const {
  return metrics_[metric].window_us;
}

int64_t MetricSet::max_window_us() const { return max_window_us_; }

void MetricSet::Extract(
    const v1::Event& event, Interner& strings,
    absl::FunctionRef<void(size_t metric, const MetricSample&)> fn) const {
  thread_local expr::Scratch scratch;
  expr::Arena& arena = scratch.FreshArena();
  expr::Activation* activation = nullptr;
  const int64_t time_us = model::ToUnixMicros(event.occurred_at());
  // Built on the first filter that needs it, then shared by the others.
  bool event_bound = false;
  for (size_t i = 0; i < metrics_.size(); ++i) {
    const Compiled& metric = metrics_[i];
    if (metric.filter != nullptr) {
      if (!event_bound) {
        activation = &scratch.ActivationFor(id_, *env_);
        // `event` is the environment's only variable: slot 0.
        activation->Bind(0, EventToValue(event, &arena, event_fields_));
        event_bound = true;
      }
      const expr::Value accepted = metric.filter->Evaluate(*activation, &arena);
      // Errors (a missing field, a type mismatch) reject, as false does.
      if (accepted.kind() != expr::ValueKind::kBool || !accepted.bool_value()) {
        continue;
      }
    }
    MetricSample sample;
    sample.time_us = time_us;
    if (metric.definition.aggregation() != v1::COUNT) {
      expr::Value value;
      if (!ReadEventField(event, metric.field, &arena, &value) ||
          !ToSample(value, metric.numeric, strings, &sample)) {
        continue;
      }
    }
    fn(i, sample);
  }
}

// --- MetricSeries ----------------------------------------------------------

namespace {

bool TimeBefore(int64_t time_us, const MetricSample& sample) {
  return time_us < sample.time_us;
}

// The index of the first sample whose time is after `time_us`.
size_t FirstAfter(const std::vector<MetricSample>& samples, int64_t time_us) {
  return std::upper_bound(samples.begin(), samples.end(), time_us, TimeBefore) -
         samples.begin();
}

}  // namespace

void MetricSeries::Add(const MetricSample& sample, int64_t newest_us,
                       int64_t window_us) {
  const int64_t edge_us = newest_us - window_us;
  // Already out of every window a query can ask for (as_of >= newest).
  if (sample.time_us <= edge_us) return;

  // After every sample at the same time: equal times keep arrival order.
  const size_t at =
      samples_.empty() || samples_.back().time_us <= sample.time_us
          ? samples_.size()
          : FirstAfter(samples_, sample.time_us);
  samples_.insert(samples_.begin() + at, sample);
  if (!totals_.empty()) {
    totals_.insert(totals_.begin() + at, 0.0);
    RebuildTotals(at);
  } else if (sample.number != 0) {
    totals_.resize(samples_.size());
    RebuildTotals(0);
  }

  // Expired samples never count in a query (they are before every window
  // it can ask for), so they are dropped in batches of at least an eighth
  // of the series: eviction then costs O(1) per sample amortized instead of
  // a shift of the whole series per event. A small series drops them at
  // once.
  if (samples_.front().time_us > edge_us) return;
  const size_t expired = FirstAfter(samples_, edge_us);
  if (expired * 8 < samples_.size()) return;
  samples_.erase(samples_.begin(), samples_.begin() + expired);
  if (!totals_.empty()) {
    totals_.resize(samples_.size());
    RebuildTotals(0);
  }
  if (samples_.capacity() > 4 * samples_.size() + 16) {
    samples_.shrink_to_fit();
    totals_.shrink_to_fit();
  }
}

void MetricSeries::RebuildTotals(size_t from) {
  double total = from == 0 ? 0 : totals_[from - 1];
  for (size_t i = from; i < samples_.size(); ++i) {
    total += samples_[i].number;
    totals_[i] = total;
  }
}

MetricResult MetricSeries::Query(v1::Aggregation aggregation, int64_t window_us,
                                 int64_t as_of_us) const {
  const size_t begin = FirstAfter(samples_, as_of_us - window_us);
  const size_t end = FirstAfter(samples_, as_of_us);
  const size_t count = end > begin ? end - begin : 0;
  MetricResult result;
  if (count == 0) {
    if (aggregation == v1::COUNT || aggregation == v1::DISTINCT_COUNT) {
      result.kind = MetricResult::Kind::kNumber;
    }
    return result;
  }
  auto sum = [&] {
    if (totals_.empty()) return 0.0;
    return totals_[end - 1] - (begin == 0 ? 0.0 : totals_[begin - 1]);
  };
  result.kind = MetricResult::Kind::kNumber;
  switch (aggregation) {
    case v1::COUNT:
      result.number = static_cast<double>(count);
      break;
    case v1::SUM:
      result.number = sum();
      break;
    case v1::AVG:
      result.number = sum() / static_cast<double>(count);
      break;
    case v1::MIN:
    case v1::MAX: {
      const bool min = aggregation == v1::MIN;
      double best = samples_[begin].number;
      for (size_t i = begin + 1; i < end; ++i) {
        const double number = samples_[i].number;
        if (min ? number < best : number > best) best = number;
      }
      result.number = best;
      break;
    }
    case v1::LAST: {
      const MetricSample& last = samples_[end - 1];
      if (last.is_text) {
        result.kind = MetricResult::Kind::kText;
        result.text = last.text;
      } else {
        result.number = last.number;
      }
      break;
    }
    case v1::DISTINCT_COUNT: {
      // Text ids and number bits, told apart by the flag; -0.0 is 0.
      absl::InlinedVector<std::pair<bool, uint64_t>, 32> keys;
      keys.reserve(count);
      for (size_t i = begin; i < end; ++i) {
        const MetricSample& sample = samples_[i];
        uint64_t bits = sample.text;
        if (!sample.is_text) {
          const double number = sample.number == 0 ? 0.0 : sample.number;
          std::memcpy(&bits, &number, sizeof(bits));
        }
        keys.emplace_back(sample.is_text, bits);
      }
      std::sort(keys.begin(), keys.end());
      result.number = static_cast<double>(
          std::unique(keys.begin(), keys.end()) - keys.begin());
      break;
    }
    default:
      result.kind = MetricResult::Kind::kNull;
      break;
  }
  return result;
}

size_t MetricSeries::bytes() const {
  return sizeof(*this) + samples_.capacity() * sizeof(MetricSample) +
         totals_.capacity() * sizeof(double);
}

void MetricSeries::Restore(std::vector<MetricSample> samples) {
  samples_ = std::move(samples);
  // A snapshot holds them in order; a damaged one must not break the
  // binary searches.
  auto by_time = [](const MetricSample& a, const MetricSample& b) {
    return a.time_us < b.time_us;
  };
  if (!std::is_sorted(samples_.begin(), samples_.end(), by_time)) {
    std::stable_sort(samples_.begin(), samples_.end(), by_time);
  }
  totals_.clear();
  const bool any_number =
      std::any_of(samples_.begin(), samples_.end(),
                  [](const MetricSample& s) { return s.number != 0; });
  if (any_number) {
    totals_.resize(samples_.size());
    RebuildTotals(0);
  }
}

}  // namespace motive::state
