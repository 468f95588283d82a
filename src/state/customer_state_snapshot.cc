// CustomerState::Save and Load: one customer's state in a snapshot
// (snapshot.h). Apart from CustomerState's other code because it touches
// every field and nothing else does.
//
// Layout (little-endian; i32 written as u32; Bytes = u32 length + bytes;
// a change here bumps kFormatVersion in snapshot.cc):
//   all time   events u64, first_us i64, newest_us i64,
//              moments u32 x kMomentCount, stage i32, stage_us i64
//   last       time_us i64, channel i32, outcome i32, topic id u32,
//              agent id u32, transfers u32, hold_ms i64, sentiment f64,
//              repeat u8 (the topic and agent strings are not written: the
//              summary resolves the ids through the interner)
//   sentiment  last f64, last_us i64, weighted_sum f64, weight_total f64,
//              weight_ref_us i64
//   commerce   purchases u32, lifetime_value f64, last_purchase_us i64,
//              csat i32, csat_us i64, nps i32, nps_us i64
//   topics     count u32, then topic id u32, outcome i32, time_us i64 each
//   attributes count u32, then key id u32, text id u32, time_us i64,
//              number f64, kind i32 each
//   recent     RecentEvents::block() as Bytes (recent_events.h has its
//              layout)
//   responses  count u32, then time_us i64, decision u64, action id u32,
//              group id u32, channel u8, outcome u8 each
//   strikes    count u32, then time_us i64, event id Bytes, topic id u32,
//              channel u8, causes u32, sentiment f64, transfers u32,
//              hold_ms i64, nps i32, csat i32 each
//   base       WindowTotals, raw (48 bytes)
//   held       count u32, then the HeldEvents, raw (64 bytes each)
//   metrics    count u32 (the configuration's metric count), then for each
//              series: sample count u32, then time_us i64, number f64,
//              text id u32, is_text u8 each
//
// Ids are the interner's, written with SnapshotWriter::Id (or noted with
// Refer) so that the snapshot keeps their strings, and restored identically
// before any customer; Load refuses an id whose string is not there. Load
// bounds every count by the bytes left, so that a damaged count cannot ask for
// a huge allocation, refuses a time outside the calendar (GetTime), and drops
// the held events that have left the horizon (so a loaded state may hold fewer
// than the saved one, with the same answers).

#include <cstring>
#include <type_traits>

#include "expr/std_time.h"
#include "state/customer_state.h"
#include "state/snapshot.h"

namespace motive::state {
namespace {

static_assert(std::is_trivially_copyable_v<WindowTotals>);
// Compared as bytes, so without padding.
static_assert(std::has_unique_object_representations_v<WindowTotals>);
static_assert(std::is_trivially_copyable_v<HeldEvent>);

// The smallest number of bytes one element of each list takes.
constexpr size_t kTopicBytes = 4 + 4 + 8;
constexpr size_t kAttributeBytes = 4 + 4 + 8 + 8 + 4;
constexpr size_t kSampleBytes = 8 + 8 + 4 + 1;
constexpr size_t kResponseBytes = 8 + 8 + 4 + 4 + 1 + 1;
constexpr size_t kStrikeBytes = 8 + 4 + 4 + 1 + 4 + 8 + 4 + 8 + 4 + 4;

void PutI32(SnapshotWriter& out, int32_t v) {
  out.U32(static_cast<uint32_t>(v));
}

int32_t GetI32(SnapshotReader& in) { return static_cast<int32_t>(in.U32()); }

// The latest time a state may hold: events carry times from 1990 on (or 0
// for none), and none past CEL's last timestamp, 9999-12-31T23:59:59Z.
constexpr int64_t kMaxTimeUs =
    expr::kMaxTimestampSeconds * int64_t{1000000} + 999999;

// Reads a time, clearing `*valid` when it lies outside [0, kMaxTimeUs]: the
// windows subtract times from each other and from as_of, which a damaged
// one near the ends of int64 would overflow.
int64_t GetTime(SnapshotReader& in, bool* valid) {
  const int64_t t = in.I64();
  if (t < 0 || t > kMaxTimeUs) *valid = false;
  return t;
}

// A count of elements taking at least `bytes` each, or false when the bytes
// left cannot hold that many.
bool GetCount(SnapshotReader& in, size_t bytes, uint32_t* count) {
  *count = in.U32();
  return in.ok() && *count <= in.remaining() / bytes;
}

}  // namespace

void CustomerState::Save(SnapshotWriter& out) const {
  out.U64(events_);
  out.I64(first_us_);
  out.I64(newest_us_);
  for (uint32_t moment : moments_) out.U32(moment);
  PutI32(out, stage_);
  out.I64(stage_us_);

  out.I64(last_contact_.time_us);
  PutI32(out, last_contact_.channel);
  PutI32(out, last_contact_.outcome);
  out.Id(last_contact_.topic);
  out.Id(last_contact_.agent);
  out.U32(last_contact_.transfers);
  out.I64(last_contact_.hold_ms);
  out.F64(last_contact_.sentiment);
  out.U8(last_contact_.repeat);

  out.F64(sentiment_last_);
  out.I64(sentiment_last_us_);
  out.F64(weighted_sum_);
  out.F64(weight_total_);
  out.I64(weight_ref_us_);

  out.U32(purchases_);
  out.F64(lifetime_value_);
  out.I64(last_purchase_us_);
  PutI32(out, csat_);
  out.I64(csat_us_);
  PutI32(out, nps_);
  out.I64(nps_us_);

  out.U32(static_cast<uint32_t>(topics_.size()));
  for (const Topic& topic : topics_) {
    out.Id(topic.topic);
    PutI32(out, topic.outcome);
    out.I64(topic.time_us);
  }
  out.U32(static_cast<uint32_t>(attributes_.size()));
  for (const Attribute& attribute : attributes_) {
    const bool text = attribute.kind == google::protobuf::Value::kStringValue;
    out.Id(attribute.key);
    out.Id(text ? attribute.text : Interner::kEmpty);
    out.I64(attribute.time_us);
    out.F64(text ? 0 : attribute.number);
    PutI32(out, static_cast<int32_t>(attribute.kind));
  }
  out.Bytes(recent_.block());
  // Field by field rather than raw: Response has padding, whose bytes are
  // unspecified.
  out.U32(static_cast<uint32_t>(responses_.size()));
  for (const Response& response : responses_) {
    out.I64(response.time_us);
    out.U64(response.decision);
    out.Id(response.action);
    out.Id(response.group);
    out.U8(response.channel);
    out.U8(response.outcome);
  }
  out.U32(static_cast<uint32_t>(strikes_.size()));
  for (const HeldStrike& strike : strikes_) {
    out.I64(strike.time_us);
    out.Bytes(strike.event_id);
    out.Id(strike.topic);
    out.U8(strike.channel);
    out.U32(strike.causes);
    out.F64(strike.sentiment);
    out.U32(strike.transfers);
    out.I64(strike.hold_ms);
    PutI32(out, strike.nps);
    PutI32(out, strike.csat);
  }

  // held_'s base is written apart, as the base, and only its events as
  // held (zeros and all of held_ without one).
  const size_t first = HasBase() ? 1 : 0;
  const WindowTotals base = first == 1 ? held_.front().totals : WindowTotals{};
  out.Raw(&base, sizeof(base));
  out.U32(static_cast<uint32_t>(held_.size() - first));
  out.Raw(held_.data() + first, (held_.size() - first) * sizeof(HeldEvent));
  for (size_t i = first; i < held_.size(); ++i) out.Refer(held_[i].topic);

  out.U32(static_cast<uint32_t>(metrics_.size()));
  for (const MetricSeries& series : metrics_) {
    const std::vector<MetricSample>& samples = series.samples();
    out.U32(static_cast<uint32_t>(samples.size()));
    for (const MetricSample& sample : samples) {
      out.I64(sample.time_us);
      out.F64(sample.number);
      out.Id(sample.text);
      out.U8(sample.is_text ? 1 : 0);
    }
  }
}

bool CustomerState::Load(SnapshotReader& in, const StateConfig& config) {
  return LoadScalars(in) && LoadLists(in, config) && LoadWindows(in, config) &&
         in.ok();
}

bool CustomerState::LoadScalars(SnapshotReader& in) {
  // Every time read so far is in range (GetTime), every enum one of its
  // values.
  bool valid = true;
  events_ = in.U64();
  first_us_ = GetTime(in, &valid);
  newest_us_ = GetTime(in, &valid);
  for (uint32_t& moment : moments_) moment = in.U32();
  stage_ = GetI32(in);
  stage_us_ = GetTime(in, &valid);

  last_contact_ = Contact{};
  last_contact_.time_us = GetTime(in, &valid);
  // The state keeps them in a byte each: only the enums' values fit.
  const int32_t channel = GetI32(in);
  const int32_t outcome = GetI32(in);
  if (channel < 0 || channel >= kChannelCount ||
      !v1::Outcome_IsValid(outcome)) {
    valid = false;
  }
  last_contact_.channel = static_cast<uint8_t>(channel);
  last_contact_.outcome = static_cast<uint8_t>(outcome);
  last_contact_.topic = in.Id();
  last_contact_.agent = in.Id();
  last_contact_.transfers = in.U32();
  last_contact_.hold_ms = in.I64();
  last_contact_.sentiment = in.F64();
  last_contact_.repeat = in.U8();

  sentiment_last_ = in.F64();
  sentiment_last_us_ = GetTime(in, &valid);
  weighted_sum_ = in.F64();
  weight_total_ = in.F64();
  weight_ref_us_ = GetTime(in, &valid);

  purchases_ = in.U32();
  lifetime_value_ = in.F64();
  last_purchase_us_ = GetTime(in, &valid);
  csat_ = GetI32(in);
  csat_us_ = GetTime(in, &valid);
  nps_ = GetI32(in);
  nps_us_ = GetTime(in, &valid);
  return valid;
}

bool CustomerState::LoadLists(SnapshotReader& in, const StateConfig& config) {
  bool valid = true;  // every time read is in range (GetTime)
  uint32_t count;
  if (!GetCount(in, kTopicBytes, &count) || count > kMaxTopics) return false;
  topics_.resize(count);
  for (Topic& topic : topics_) {
    topic.topic = in.Id();
    topic.outcome = GetI32(in);
    topic.time_us = GetTime(in, &valid);
  }
  CountOpenIssues();
  if (!GetCount(in, kAttributeBytes, &count)) return false;
  attributes_.resize(count);
  for (Attribute& attribute : attributes_) {
    attribute.key = in.Id();
    const uint32_t text = in.Id();
    attribute.time_us = GetTime(in, &valid);
    const double number = in.F64();
    // The kinds NoteAttributes keeps, and so the only ones saved.
    const int32_t kind = GetI32(in);
    switch (kind) {
      case google::protobuf::Value::kStringValue:
        attribute.text = text;
        break;
      case google::protobuf::Value::kNumberValue:
      case google::protobuf::Value::kBoolValue:
        attribute.number = number;
        break;
      default:
        return false;
    }
    attribute.kind = static_cast<uint32_t>(kind);
  }
  if (!recent_.Restore(in.Bytes(), config.recent_events, newest_us_)) {
    return false;
  }
  if (!GetCount(in, kResponseBytes, &count) || count > kMaxResponses) {
    return false;
  }
  responses_.resize(count);
  // The decide layer indexes by channel and outcome and relies on the order.
  for (size_t i = 0; i < responses_.size(); ++i) {
    Response& response = responses_[i];
    response.time_us = GetTime(in, &valid);
    response.decision = in.U64();
    response.action = in.Id();
    response.group = in.Id();
    response.channel = in.U8();
    response.outcome = in.U8();
    if (response.channel >= kChannelCount ||
        response.outcome == v1::FEEDBACK_UNSPECIFIED ||
        response.outcome >= v1::FeedbackOutcome_ARRAYSIZE ||
        response.time_us > newest_us_ ||
        (i > 0 && response.time_us < responses_[i - 1].time_us)) {
      return false;
    }
  }
  return LoadStrikes(in) && valid;
}

bool CustomerState::LoadStrikes(SnapshotReader& in) {
  bool valid = true;  // every time read is in range (GetTime)
  uint32_t count;
  if (!GetCount(in, kStrikeBytes, &count) || count > kMaxStrikesListed) {
    return false;
  }
  strikes_.resize(count);
  // Describe names each cause and channel, and the list keeps time order.
  for (size_t i = 0; i < strikes_.size(); ++i) {
    HeldStrike& strike = strikes_[i];
    strike.time_us = GetTime(in, &valid);
    strike.event_id = std::string(in.Bytes());
    strike.topic = in.Id();
    strike.channel = in.U8();
    const uint32_t causes = in.U32();
    strike.causes = static_cast<uint16_t>(causes);
    strike.sentiment = in.F64();
    strike.transfers = in.U32();
    strike.hold_ms = in.I64();
    strike.nps = GetI32(in);
    strike.csat = GetI32(in);
    if (strike.channel >= kChannelCount || causes == 0 ||
        causes >= (1u << v1::StrikeCause_ARRAYSIZE) || (causes & 1) ||
        strike.time_us > newest_us_ ||
        (i > 0 && strike.time_us < strikes_[i - 1].time_us)) {
      return false;
    }
  }
  return valid;
}

bool CustomerState::LoadWindows(SnapshotReader& in, const StateConfig& config) {
  bool valid = true;  // every time read is in range (GetTime)
  uint32_t count;
  WindowTotals base{};
  in.Raw(&base, sizeof(base));
  if (!GetCount(in, sizeof(HeldEvent), &count)) return false;
  held_.resize(count);
  in.Raw(held_.data(), held_.size() * sizeof(HeldEvent));
  // Windows binary-search held_ and index totals by channel, and only its
  // first element may be a base: check what they rely on.
  for (size_t i = 0; i < held_.size(); ++i) {
    const HeldEvent& held = held_[i];
    if (held.channel >= kChannelCount || !in.Known(held.topic) ||
        (held.flags & HeldEvent::kBase) || held.time_us < 0 ||
        held.time_us > newest_us_ ||
        (i > 0 && held.time_us < held_[i - 1].time_us)) {
      return false;
    }
  }
  // A base of zeros is none (nothing dropped, or totals that wrapped to
  // zero: either way a window subtracts nothing).
  static constexpr WindowTotals kZero{};
  if (std::memcmp(&base, &kZero, sizeof(base)) != 0) {
    held_.insert(held_.begin(), Base(base));
  }
  // Apply forgets events past the horizon only when held_ must grow, so a
  // saved state may still hold some; no answer depends on them.
  Forget(newest_us_ - config.horizon_us());

  const size_t metric_count = config.metrics ? config.metrics->size() : 0;
  if (in.U32() != metric_count) return false;
  metrics_.resize(metric_count);
  for (MetricSeries& series : metrics_) {
    if (!GetCount(in, kSampleBytes, &count)) return false;
    std::vector<MetricSample> samples(count);
    for (size_t i = 0; i < samples.size(); ++i) {
      MetricSample& sample = samples[i];
      sample.time_us = GetTime(in, &valid);
      sample.number = in.F64();
      sample.text = in.Id();
      sample.is_text = in.U8() != 0;
      if (sample.time_us > newest_us_ ||
          (i > 0 && sample.time_us < samples[i - 1].time_us)) {
        return false;
      }
    }
    series.Restore(std::move(samples));
  }
  return valid;
}

}  // namespace motive::state
