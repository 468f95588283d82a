#include "state/customer_state.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errors.h"
#include "base/text_proto.h"
#include "expr/environment.h"
#include "model/event_id.h"
#include "model/event_validation.h"
#include "state/context_variables.h"
#include "state/event_value.h"

namespace motive::state {
namespace {

constexpr int64_t kDayUs = int64_t{86400} * 1000 * 1000;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint32_t kMaxAttributes = 64;
constexpr uint32_t kMaxRecentEvents = 64;
// Changing it changes every decision id hash: responses in snapshots and the
// decide layer's ids would no longer agree.
constexpr uint32_t kDecisionIdSeed = 0x64656369;  // "deci"

// Survey answers that are bad experiences: a detractor's NPS, a poor CSAT.
constexpr int32_t kDetractorNpsMax = 6;
constexpr int32_t kPoorCsatMax = 2;

// Indexed by v1::FeedbackOutcome.
constexpr absl::string_view kFeedbackOutcomeNames[] = {
    "", "offered", "accepted", "rejected", "ignored", "converted"};
static_assert(std::size(kFeedbackOutcomeNames) ==
              v1::FeedbackOutcome_ARRAYSIZE);

bool IsUnresolved(int32_t outcome) {
  return outcome == v1::UNRESOLVED || outcome == v1::ESCALATED ||
         outcome == v1::ABANDONED || outcome == v1::CALLBACK;
}

bool IsReviewOrMention(const v1::Event& event) {
  return event.type() == "review" || event.type() == "social_mention";
}

// The part of an event that windows count, before running totals.
struct Contribution {
  WindowTotals own{};
  uint8_t flags = 0;
  uint16_t strike_causes = 0;  // StrikeCauses
};

bool IsNegativeReview(const v1::Event& event, const SignalOptions& options) {
  return IsReviewOrMention(event) && event.has_sentiment() &&
         event.sentiment() < options.negative_review_below;
}

}  // namespace

uint16_t StrikeCauses(const v1::Event& event, const SignalOptions& options) {
  const bool contact = event.moment() == v1::INTERIM;
  const bool met[] = {
      false,  // STRIKE_CAUSE_UNSPECIFIED
      event.has_sentiment() &&
          event.sentiment() < options.strike_sentiment_below,
      contact && event.outcome() == v1::UNRESOLVED,
      contact && event.outcome() == v1::ABANDONED,
      event.has_transfers() &&
          static_cast<uint32_t>(event.transfers()) >= options.strike_transfers,
      event.has_hold_ms() &&
          event.hold_ms() >= int64_t{options.strike_hold_seconds} * 1000,
      event.has_nps() && event.nps() <= kDetractorNpsMax,
      event.has_csat() && event.csat() <= kPoorCsatMax,
      IsNegativeReview(event, options),
  };
  static_assert(std::size(met) == v1::StrikeCause_ARRAYSIZE);
  static_assert(v1::StrikeCause_ARRAYSIZE <= 16, "causes are 16 bits");
  uint16_t causes = 0;
  for (size_t c = 0; c < std::size(met); ++c) {
    if (met[c]) causes |= static_cast<uint16_t>(1u << c);
  }
  return causes;
}

namespace {

Contribution Contribute(const v1::Event& event, const SignalOptions& options) {
  Contribution c;
  const bool contact = event.moment() == v1::INTERIM;
  const bool negative_review = IsNegativeReview(event, options);
  c.strike_causes = StrikeCauses(event, options);
  if (contact) {
    c.flags |= HeldEvent::kContact;
    if (event.channel() >= 0 && event.channel() < kChannelCount) {
      c.own.contacts[event.channel()] = 1;
    }
    c.own.transfers = static_cast<uint32_t>(std::max(event.transfers(), 0));
    c.own.hold_ms =
        static_cast<uint64_t>(std::max<int64_t>(event.hold_ms(), 0));
    if (IsUnresolved(event.outcome())) c.flags |= HeldEvent::kUnresolved;
  }
  if (c.strike_causes != 0) {
    c.flags |= HeldEvent::kStrike;
    c.own.strikes = 1;
  }
  if (negative_review) c.own.negative_zero = 1;
  if (event.has_sentiment()) {
    c.own.sentiments = 1;
    c.own.sentiment_milli = static_cast<uint32_t>(
        static_cast<int32_t>(std::lround(event.sentiment() * 1000)));
  }
  return c;
}

bool Relevant(const Contribution& c) {
  return c.flags != 0 || c.own.sentiments != 0 || c.own.negative_zero != 0;
}

NpsCategory CategoryOf(int32_t nps) {
  if (nps < 0) return NpsCategory::kNone;
  if (nps <= kDetractorNpsMax) return NpsCategory::kDetractor;
  if (nps <= 8) return NpsCategory::kPassive;
  return NpsCategory::kPromoter;
}

// The string value of attribute `key`, or null when it is absent or holds
// another kind of value.
const std::string* StringAttribute(const v1::Event& event,
                                   absl::string_view key) {
  const auto it = event.attributes().find(std::string(key));
  if (it == event.attributes().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return nullptr;
  }
  return &it->second.string_value();
}

// Lists of what a customer keeps in event-time order (ties in arrival
// order), by the time_us of their elements: responses and strikes.

// The first element of `list` later than `time_us`.
template <typename T>
T* FirstAfter(CompactVector<T>& list, int64_t time_us) {
  return std::upper_bound(
      list.begin(), list.end(), time_us,
      [](int64_t time, const T& x) { return time < x.time_us; });
}

// Makes room for one more held event, growing held_ as a CompactVector
// grows (GrownCapacity) where push_back would double it.
void MakeRoom(std::vector<HeldEvent>& held) {
  if (held.size() < held.capacity()) return;
  held.reserve(GrownCapacity(held.size()));
}

// Inserts `item` into `list`, which keeps at most `max`: when it is full the
// oldest leaves, moving the others down (no allocation once full), or
// `item` itself when it is older than all of them.
template <typename T>
void InsertNewest(CompactVector<T>& list, T item, size_t max) {
  const bool full = list.size() >= max;
  if (full && item.time_us < list.front().time_us) return;
  T* const at = FirstAfter(list, item.time_us);
  if (full) {
    std::move(list.begin() + 1, at, list.begin());
    *(at - 1) = std::move(item);
  } else {
    list.insert(at, std::move(item));
  }
}

// Drops the elements at or before `time_us`.
template <typename T>
void DropUpTo(CompactVector<T>& list, int64_t time_us) {
  if (list.empty() || list.front().time_us > time_us) return;
  list.erase(list.begin(), FirstAfter(list, time_us));
}

}  // namespace

// --- feedback ----------------------------------------------------------------

bool ParseFeedbackOutcome(absl::string_view name, v1::FeedbackOutcome* out) {
  for (size_t i = 1; i < std::size(kFeedbackOutcomeNames); ++i) {
    if (name == kFeedbackOutcomeNames[i]) {
      *out = static_cast<v1::FeedbackOutcome>(i);
      return true;
    }
  }
  return false;
}

absl::string_view FeedbackOutcomeName(v1::FeedbackOutcome outcome) {
  const auto i = static_cast<size_t>(outcome);
  return i < std::size(kFeedbackOutcomeNames) ? kFeedbackOutcomeNames[i]
                                              : absl::string_view();
}

uint64_t DecisionIdHash(absl::string_view decision_id) {
  return model::Murmur3x64_128(decision_id, kDecisionIdSeed).low;
}

std::optional<Response> ReadFeedback(const v1::Event& event,
                                     Interner& strings) {
  if (event.type() != kFeedbackEventType) return std::nullopt;
  const std::string* decision = StringAttribute(event, kFeedbackDecisionId);
  const std::string* action = StringAttribute(event, kFeedbackAction);
  const std::string* outcome_name = StringAttribute(event, kFeedbackOutcome);
  v1::FeedbackOutcome outcome;
  if (decision == nullptr || decision->empty() || action == nullptr ||
      action->empty() || outcome_name == nullptr ||
      !ParseFeedbackOutcome(*outcome_name, &outcome)) {
    return std::nullopt;
  }
  const std::string* group = nullptr;
  if (event.attributes().contains(std::string(kFeedbackGroup))) {
    group = StringAttribute(event, kFeedbackGroup);
    if (group == nullptr) return std::nullopt;
  }
  Response response{};
  response.action = strings.Intern(*action);
  // A full string table hands out kEmpty, which names no action.
  if (response.action == Interner::kEmpty) return std::nullopt;
  response.time_us = model::ToUnixMicros(event.occurred_at());
  response.decision = DecisionIdHash(*decision);
  response.group = group == nullptr ? Interner::kEmpty : strings.Intern(*group);
  response.channel = event.channel() >= 0 && event.channel() < kChannelCount
                         ? static_cast<uint8_t>(event.channel())
                         : 0;
  response.outcome = static_cast<uint8_t>(outcome);
  return response;
}

// --- configuration -----------------------------------------------------------

absl::StatusOr<SignalOptions> SignalOptions::FromProto(
    const v1::SignalConfig& proto) {
  SignalOptions o;
  auto range = [](absl::string_view field, uint32_t value, uint32_t low,
                  uint32_t high) -> absl::Status {
    if (value < low || value > high) {
      return base::FieldError(
          absl::StrCat("signals.", field),
          absl::StrCat("must be from ", low, " to ", high, ", not ", value));
    }
    return absl::OkStatus();
  };
  auto unit = [](absl::string_view field, double value) -> absl::Status {
    if (!(value >= -1 && value <= 1)) {
      return base::FieldError(absl::StrCat("signals.", field),
                              "must be a sentiment from -1 to 1");
    }
    return absl::OkStatus();
  };
  absl::Status s;
  if (proto.has_window_days()) {
    s.Update(range("window_days", proto.window_days(), 1, 365));
    o.window_days = proto.window_days();
  }
  if (proto.has_repeat_window_days()) {
    s.Update(range("repeat_window_days", proto.repeat_window_days(), 1, 365));
    o.repeat_window_days = proto.repeat_window_days();
  }
  if (proto.has_strike_sentiment_below()) {
    s.Update(unit("strike_sentiment_below", proto.strike_sentiment_below()));
    o.strike_sentiment_below = proto.strike_sentiment_below();
  }
  if (proto.has_strike_transfers()) {
    s.Update(range("strike_transfers", proto.strike_transfers(), 1, 100));
    o.strike_transfers = proto.strike_transfers();
  }
  if (proto.has_strike_hold_seconds()) {
    s.Update(range("strike_hold_seconds", proto.strike_hold_seconds(), 1,
                   30 * 86400));
    o.strike_hold_seconds = proto.strike_hold_seconds();
  }
  if (proto.has_negative_review_below()) {
    s.Update(unit("negative_review_below", proto.negative_review_below()));
    o.negative_review_below = proto.negative_review_below();
  }
  if (proto.has_strikes_to_leave()) {
    s.Update(range("strikes_to_leave", proto.strikes_to_leave(), 1, 100));
    o.strikes_to_leave = proto.strikes_to_leave();
  }
  if (proto.has_sentiment_half_life_days()) {
    s.Update(range("sentiment_half_life_days", proto.sentiment_half_life_days(),
                   1, 365));
    o.sentiment_half_life_days = proto.sentiment_half_life_days();
  }
  if (!s.ok()) return s;
  return o;
}

absl::StatusOr<StateConfig> StateConfig::FromText(absl::string_view text) {
  v1::ContextConfig proto;
  if (absl::Status s = base::ParseTextProto(text, "context_config", &proto);
      !s.ok()) {
    return s;
  }
  return FromProto(proto);
}

absl::StatusOr<StateConfig> StateConfig::FromProto(
    const v1::ContextConfig& proto) {
  StateConfig config;
  absl::StatusOr<SignalOptions> signals =
      SignalOptions::FromProto(proto.signals());
  if (!signals.ok()) return signals.status();
  config.signals = *signals;
  if (proto.has_recent_events()) {
    if (proto.recent_events() > kMaxRecentEvents) {
      return base::FieldError(
          "recent_events", absl::StrCat("must be at most ", kMaxRecentEvents));
    }
    config.recent_events = proto.recent_events();
  }
  if (proto.metrics_size() > 0) {
    absl::StatusOr<std::unique_ptr<MetricSet>> metrics =
        MetricSet::Compile(proto.metrics());
    if (!metrics.ok()) return metrics.status();
    config.metrics = *std::move(metrics);
  }
  return config;
}

int64_t StateConfig::horizon_us() const {
  const int64_t days = std::max<int64_t>(
      {kContactWindowDays[2], signals.window_days, signals.repeat_window_days});
  return days * kDayUs;
}

// --- window totals -----------------------------------------------------------

// Unsigned arithmetic throughout: totals wrap, and only differences of two
// are ever read (see the header).
WindowTotals& WindowTotals::operator+=(const WindowTotals& o) {
  for (int c = 0; c < kChannelCount; ++c) {
    contacts[c] = static_cast<uint16_t>(contacts[c] + o.contacts[c]);
  }
  repeats = static_cast<uint16_t>(repeats + o.repeats);
  strikes = static_cast<uint16_t>(strikes + o.strikes);
  negative_zero = static_cast<uint16_t>(negative_zero + o.negative_zero);
  sentiments = static_cast<uint16_t>(sentiments + o.sentiments);
  sentiment_milli += o.sentiment_milli;
  transfers += o.transfers;
  hold_ms += o.hold_ms;
  return *this;
}

WindowTotals& WindowTotals::operator-=(const WindowTotals& o) {
  for (int c = 0; c < kChannelCount; ++c) {
    contacts[c] = static_cast<uint16_t>(contacts[c] - o.contacts[c]);
  }
  repeats = static_cast<uint16_t>(repeats - o.repeats);
  strikes = static_cast<uint16_t>(strikes - o.strikes);
  negative_zero = static_cast<uint16_t>(negative_zero - o.negative_zero);
  sentiments = static_cast<uint16_t>(sentiments - o.sentiments);
  sentiment_milli -= o.sentiment_milli;
  transfers -= o.transfers;
  hold_ms -= o.hold_ms;
  return *this;
}

// --- folding -----------------------------------------------------------------

std::optional<Response> CustomerState::Apply(const v1::Event& event,
                                             const StateConfig& config,
                                             Interner& strings,
                                             absl::string_view body) {
  const int64_t t = model::ToUnixMicros(event.occurred_at());
  ++events_;
  first_us_ = events_ == 1 ? t : std::min(first_us_, t);
  newest_us_ = events_ == 1 ? t : std::max(newest_us_, t);
  // Any event moves the horizon, feedback or not.
  ForgetResponses();
  const std::optional<Response> response = ReadFeedback(event, strings);
  if (response) NoteResponse(*response);
  if (event.type() != kFeedbackEventType) {
    FoldSignals(event, t, config, strings);
  }
  if (config.recent_events > 0) {
    recent_.Note(event, body, t, config.recent_events);
  }

  if (config.metrics) {
    metrics_.resize(config.metrics->size());
    config.metrics->Extract(
        event, strings, [&](size_t metric, const MetricSample& sample) {
          MetricSample timed = sample;
          timed.time_us = t;
          metrics_[metric].Add(timed, newest_us_,
                               config.metrics->window_us(metric));
        });
  }
  return response;
}

void CustomerState::FoldSignals(const v1::Event& event, int64_t t,
                                const StateConfig& config, Interner& strings) {
  if (event.moment() > 0 && event.moment() < kMomentCount) {
    ++moments_[event.moment()];
  }
  // "Latest" signals compare event times; on a tie the event folded last
  // wins, as it does in a replay of the log.
  if (event.stage() != v1::STAGE_UNSPECIFIED && t >= stage_us_) {
    stage_ = event.stage();
    stage_us_ = t;
  }
  if (event.has_sentiment()) {
    if (sentiment_last_us_ == 0 || t >= sentiment_last_us_) {
      sentiment_last_ = event.sentiment();
      sentiment_last_us_ = t;
    }
    const double half_life_us =
        static_cast<double>(config.signals.sentiment_half_life_days) * kDayUs;
    if (weight_total_ == 0 && weighted_sum_ == 0) weight_ref_us_ = t;
    if (t > weight_ref_us_) {
      const double decay =
          std::exp2(-static_cast<double>(t - weight_ref_us_) / half_life_us);
      weighted_sum_ *= decay;
      weight_total_ *= decay;
      weight_ref_us_ = t;
    }
    const double weight =
        std::exp2(static_cast<double>(t - weight_ref_us_) / half_life_us);
    weighted_sum_ += weight * event.sentiment();
    weight_total_ += weight;
  }
  if (event.type() == "purchase" || event.type() == "renewal") {
    ++purchases_;
    lifetime_value_ += event.value();
    last_purchase_us_ = std::max(last_purchase_us_, t);
  } else if (event.type() == "return") {
    lifetime_value_ -= event.value();
  }
  if (event.has_csat() && (csat_us_ == 0 || t >= csat_us_)) {
    csat_ = event.csat();
    csat_us_ = t;
  }
  if (event.has_nps() && (nps_us_ == 0 || t >= nps_us_)) {
    nps_ = event.nps();
    nps_us_ = t;
  }

  const Contribution contribution = Contribute(event, config.signals);
  const bool contact = contribution.flags & HeldEvent::kContact;
  const uint32_t topic = contact ? strings.Intern(event.topic()) : 0;
  bool repeat = false;
  if (Relevant(contribution)) {
    repeat =
        Hold(t, topic, event, contribution.flags, contribution.own, config);
  }
  if (contribution.strike_causes != 0) {
    NoteStrike(event, t, contribution.strike_causes, config, strings);
  }
  if (contact) {
    if (last_contact_.time_us == 0 || t >= last_contact_.time_us) {
      last_contact_.time_us = t;
      last_contact_.hold_ms = event.hold_ms();
      last_contact_.sentiment =
          event.has_sentiment() ? event.sentiment() : kNaN;
      last_contact_.transfers = contribution.own.transfers;
      last_contact_.topic = topic;
      last_contact_.agent = strings.Intern(event.agent_id());
      // Validation admits only the enums' values, all below 256.
      last_contact_.channel = static_cast<uint8_t>(event.channel());
      last_contact_.outcome = static_cast<uint8_t>(event.outcome());
      last_contact_.repeat = repeat;
    }
    if (topic != Interner::kEmpty) NoteTopic(topic, event.outcome(), t);
  }
  if (!event.attributes().empty()) NoteAttributes(event, t, strings);
}

bool CustomerState::Hold(int64_t t, uint32_t topic, const v1::Event& event,
                         uint8_t flags, WindowTotals own,
                         const StateConfig& config) {
  const int64_t horizon_start = newest_us_ - config.horizon_us();
  if (t <= horizon_start) return false;  // Too late to matter to any window.
  HeldEvent held{};
  held.time_us = t;
  held.topic = topic;
  held.channel = static_cast<uint8_t>(event.channel());
  held.outcome = static_cast<uint8_t>(event.outcome());
  held.flags = flags;

  // In order (the common case): append. Late: insert after every event of
  // the same time or earlier, so that ties keep arrival order.
  size_t at = held_.size();
  if (!held_.empty() && t < held_.back().time_us) {
    at = static_cast<size_t>(
        std::upper_bound(
            held_.begin(), held_.end(), t,
            [](int64_t time, const HeldEvent& h) { return time < h.time_us; }) -
        held_.begin());
  }
  const bool repeat =
      (held.flags & HeldEvent::kContact) && IsRepeat(topic, t, at, config);
  if (repeat) {
    held.flags |= HeldEvent::kRepeat;
    own.repeats = 1;
  }

  if (at == held_.size()) {
    if (held_.size() == held_.capacity()) Forget(horizon_start);
    MakeRoom(held_);
    held.totals = held_.empty() ? WindowTotals{} : held_.back().totals;
    held.totals += own;
    held_.push_back(held);
    return repeat;
  }
  // Late: turn the totals after `at` back into contributions, insert, fix
  // the one contact whose predecessor on the topic changed, sum again. (A
  // base, older than the horizon, is before `at`.)
  for (size_t i = held_.size() - 1; i > at; --i) {
    held_[i].totals -= held_[i - 1].totals;
  }
  if (at > 0) held_[at].totals -= held_[at - 1].totals;
  held.totals = own;
  MakeRoom(held_);
  held_.insert(held_.begin() + static_cast<std::ptrdiff_t>(at), held);
  if (held.flags & HeldEvent::kContact && topic != Interner::kEmpty) {
    for (size_t i = at + 1; i < held_.size(); ++i) {
      HeldEvent& next = held_[i];
      if (!(next.flags & HeldEvent::kContact) || next.topic != topic) continue;
      const bool was = next.flags & HeldEvent::kRepeat;
      const bool is = IsRepeat(topic, next.time_us, i, config);
      if (was != is) {
        next.flags ^= HeldEvent::kRepeat;
        next.totals.repeats = is ? 1 : 0;
        if (next.time_us == last_contact_.time_us) RefreshLastRepeat();
      }
      break;
    }
  }
  for (size_t i = std::max<size_t>(at, 1); i < held_.size(); ++i) {
    held_[i].totals += held_[i - 1].totals;
  }
  return repeat;
}

bool CustomerState::IsRepeat(uint32_t topic, int64_t t, size_t end,
                             const StateConfig& config) const {
  if (topic == Interner::kEmpty) return false;
  // Only events inside the horizon count, whether or not older ones are
  // still physically held, so that the answer does not depend on when
  // memory was last compacted (a snapshot compacts it).
  const int64_t since = newest_us_ - config.horizon_us();
  for (size_t i = end; i-- > 0;) {
    const HeldEvent& h = held_[i];
    if (h.time_us <= since) break;
    if (!(h.flags & HeldEvent::kContact) || h.topic != topic) continue;
    return t - h.time_us <=
               int64_t{config.signals.repeat_window_days} * kDayUs ||
           (h.flags & HeldEvent::kUnresolved);
  }
  return false;
}

void CustomerState::RefreshLastRepeat() {
  for (size_t i = held_.size(); i-- > 0;) {
    if (held_[i].flags & HeldEvent::kContact) {
      last_contact_.repeat = (held_[i].flags & HeldEvent::kRepeat) ? 1 : 0;
      return;
    }
  }
}

HeldEvent CustomerState::Base(const WindowTotals& totals) {
  HeldEvent base{};
  base.time_us = HeldEvent::kBaseTimeUs;
  base.flags = HeldEvent::kBase;
  base.totals = totals;
  return base;
}

void CustomerState::Forget(int64_t horizon_start_us) {
  DropUpTo(strikes_, horizon_start_us);
  size_t gone = 0;
  while (gone < held_.size() && held_[gone].time_us <= horizon_start_us) {
    ++gone;
  }
  // One gone frees nothing by becoming the base: it stays as it is, as
  // events past the horizon may (no answer reads them).
  if (gone < 2) return;
  held_.erase(held_.begin(),
              held_.begin() + static_cast<std::ptrdiff_t>(gone - 1));
  held_.front() = Base(held_.front().totals);
}

void CustomerState::NoteTopic(uint32_t topic, int32_t outcome, int64_t t) {
  auto it = std::find_if(topics_.begin(), topics_.end(),
                         [&](const Topic& x) { return x.topic == topic; });
  if (it != topics_.end()) {
    if (t < it->time_us) return;  // A late contact, older than the latest.
    topics_.erase(it);
  } else if (topics_.size() >= kMaxTopics) {
    // Forget the topic whose latest contact is the oldest.
    topics_.erase(std::min_element(
        topics_.begin(), topics_.end(),
        [](const Topic& a, const Topic& b) { return a.time_us < b.time_us; }));
  }
  topics_.push_back(Topic{topic, outcome, t});
  CountOpenIssues();
}

void CustomerState::CountOpenIssues() {
  open_issues_ = static_cast<uint32_t>(
      std::count_if(topics_.begin(), topics_.end(),
                    [](const Topic& x) { return IsUnresolved(x.outcome); }));
}

void CustomerState::NoteAttributes(const v1::Event& event, int64_t t,
                                   Interner& strings) {
  for (const auto& [key, value] : event.attributes()) {
    Attribute a{};
    a.key = strings.Intern(key);
    a.time_us = t;
    a.kind = static_cast<uint32_t>(value.kind_case());
    switch (value.kind_case()) {
      case google::protobuf::Value::kStringValue:
        a.text = strings.Intern(value.string_value());
        break;
      case google::protobuf::Value::kNumberValue:
        a.number = value.number_value();
        break;
      case google::protobuf::Value::kBoolValue:
        a.number = value.bool_value() ? 1 : 0;
        break;
      default:
        continue;  // Validation admits only the three kinds above.
    }
    auto it = std::find_if(attributes_.begin(), attributes_.end(),
                           [&](const Attribute& x) { return x.key == a.key; });
    if (it == attributes_.end()) {
      if (attributes_.size() >= kMaxAttributes) continue;
      // A new customer's first event brings most of its attributes: one
      // allocation for them rather than one per doubling.
      if (attributes_.empty()) {
        attributes_.reserve(
            std::min<size_t>(event.attributes_size(), kMaxAttributes));
      }
      attributes_.push_back(a);
    } else if (t >= it->time_us) {
      *it = a;
    }
  }
}

void CustomerState::NoteResponse(const Response& response) {
  if (response.time_us <= newest_us_ - kResponseHorizonUs) return;
  InsertNewest(responses_, response, kMaxResponses);
}

void CustomerState::ForgetResponses() {
  DropUpTo(responses_, newest_us_ - kResponseHorizonUs);
}

void CustomerState::NoteStrike(const v1::Event& event, int64_t t,
                               uint16_t causes, const StateConfig& config,
                               Interner& strings) {
  // As Hold: an event past the horizon is in no window, so in no list.
  if (t <= newest_us_ - config.horizon_us()) return;
  HeldStrike strike{};
  strike.time_us = t;
  strike.hold_ms = event.hold_ms();
  strike.event_id = event.event_id();
  strike.sentiment = event.sentiment();
  strike.topic = strings.Intern(event.topic());
  strike.transfers = static_cast<uint32_t>(std::max(event.transfers(), 0));
  strike.nps = event.nps();
  strike.csat = event.csat();
  strike.causes = causes;
  strike.channel = static_cast<uint8_t>(event.channel());
  InsertNewest(strikes_, std::move(strike), kMaxStrikesListed);
}

// --- queries -----------------------------------------------------------------

WindowTotals CustomerState::Since(int64_t since_us) const {
  // No held event is newer than newest_us_, which is in this object: most
  // customers' windows (two in three of a year's journeys, at 90 days) are
  // empty by that alone, without the cache miss of reading held_.
  if (held_.empty() || newest_us_ <= since_us ||
      held_.back().time_us <= since_us) {
    return WindowTotals{};
  }
  const auto first = std::upper_bound(
      held_.begin(), held_.end(), since_us,
      [](int64_t time, const HeldEvent& h) { return time < h.time_us; });
  WindowTotals totals = held_.back().totals;
  if (first != held_.begin()) totals -= std::prev(first)->totals;
  return totals;
}

void CustomerState::PrefetchSummary(int64_t as_of_us,
                                    const StateConfig& config) const {
  const int64_t longest_days = std::max<int64_t>(
      kContactWindowDays[2], int64_t{config.signals.window_days});
  if (held_.empty() || newest_us_ <= as_of_us - longest_days * kDayUs) return;
  // The binary searches of a short history read all of it; of a long one,
  // mostly its newest part.
  constexpr size_t kMostPrefetched = 16;
  const size_t first =
      held_.size() > kMostPrefetched ? held_.size() - kMostPrefetched : 0;
  for (size_t i = first; i < held_.size(); ++i) __builtin_prefetch(&held_[i]);
}

void CustomerState::PrefetchBind(int64_t as_of_us, const StateConfig& config,
                                 const ContextFields& fields) const {
  PrefetchSummary(as_of_us, config);
  if (fields.reads_attributes()) attributes_.Prefetch();
  if (fields.reads_metrics()) metrics_.Prefetch();
  responses_.Prefetch();
}

void CustomerState::PrefetchApply() const {
  if (!held_.empty()) {
    __builtin_prefetch(&held_.front());
    __builtin_prefetch(&held_.back());
  }
  topics_.Prefetch();
  attributes_.Prefetch();
  strikes_.Prefetch();
  recent_.Prefetch();
}

void CustomerState::Summarize(int64_t as_of_us, const StateConfig& config,
                              const Interner& strings, Summary* out) const {
  *out = Summary{};
  out->as_of_us = as_of_us;
  out->window_days = config.signals.window_days;
  out->last_contact.sentiment = kNaN;
  out->last_contact.topic = "";
  out->last_contact.agent_id = "";
  out->sentiment_last = kNaN;
  out->sentiment_average = kNaN;
  out->sentiment_trend = kNaN;
  out->days_since_purchase = -1;
  out->csat = -1;
  out->nps = -1;
  if (events_ == 0) return;

  out->known = 1;
  out->events = events_;
  out->first_seen_us = first_us_;
  out->last_seen_us = newest_us_;
  for (int w = 0; w < 3; ++w) {
    const WindowTotals totals =
        Since(as_of_us - int64_t{kContactWindowDays[w]} * kDayUs);
    ContactCounts& counts = out->contacts[w];
    for (int c = 0; c < kChannelCount; ++c) {
      counts.by_channel[c] = totals.contacts[c];
      counts.total += totals.contacts[c];
    }
  }
  if (last_contact_.time_us != 0) {
    LastContact& last = out->last_contact;
    last.time_us = last_contact_.time_us;
    last.channel = last_contact_.channel;
    last.outcome = last_contact_.outcome;
    last.topic = strings.Get(last_contact_.topic);
    last.agent_id = strings.Get(last_contact_.agent);
    last.transfers = last_contact_.transfers;
    last.hold_ms = last_contact_.hold_ms;
    last.sentiment = last_contact_.sentiment;
    last.repeat = last_contact_.repeat;
  }

  const WindowTotals window =
      Since(as_of_us - int64_t{config.signals.window_days} * kDayUs);
  out->repeat_contacts = window.repeats;
  out->transfers = window.transfers;
  out->hold_ms = static_cast<int64_t>(window.hold_ms);
  out->open_issues = open_issues_;
  out->strikes = window.strikes;
  out->at_risk = window.strikes >= config.signals.strikes_to_leave;

  if (sentiment_last_us_ != 0) out->sentiment_last = sentiment_last_;
  if (window.sentiments > 0) {
    out->sentiment_average = static_cast<int32_t>(window.sentiment_milli) /
                             1000.0 / window.sentiments;
  }
  if (weight_total_ > 0 && window.sentiments > 0) {
    out->sentiment_trend =
        weighted_sum_ / weight_total_ - out->sentiment_average;
  }

  out->stage = stage_;
  std::copy(std::begin(moments_), std::end(moments_), out->moments);
  out->negative_zero_moment = window.negative_zero;

  out->purchases = purchases_;
  out->lifetime_value = lifetime_value_;
  out->last_purchase_us = last_purchase_us_;
  if (purchases_ > 0) {
    out->days_since_purchase =
        static_cast<int32_t>((as_of_us - last_purchase_us_) / kDayUs);
  }
  out->csat = csat_;
  out->nps = nps_;
  out->nps_category = CategoryOf(nps_);

  const double levels[kChurnFactorCount] = {
      std::min(1.0, static_cast<double>(out->strikes) /
                        config.signals.strikes_to_leave),
      std::min(1.0, out->repeat_contacts / 3.0),
      (out->nps_category == NpsCategory::kDetractor ||
       (csat_ >= 0 && csat_ <= kPoorCsatMax))
          ? 1.0
          : 0.0,
      std::isnan(out->sentiment_average)
          ? 0.0
          : std::clamp(-out->sentiment_average, 0.0, 1.0),
      std::min(1.0, out->open_issues / 2.0),
      (purchases_ > 0 && as_of_us - last_purchase_us_ > 180 * kDayUs) ? 1.0
                                                                      : 0.0,
  };
  constexpr double kWeights[kChurnFactorCount] = {0.35, 0.15, 0.15,
                                                  0.15, 0.10, 0.10};
  for (int f = 0; f < kChurnFactorCount; ++f) {
    out->churn_factors[f] = kWeights[f] * levels[f];
    out->churn_risk += out->churn_factors[f];
  }
  out->churn_risk = std::min(out->churn_risk, 1.0);
}

namespace {

void SetTime(int64_t us, google::protobuf::Timestamp* out) {
  *out = model::FromUnixMicros(us);
}

void FillCounts(const ContactCounts& counts, v1::ContactCounts* out) {
  out->set_total(counts.total);
  for (int c = 0; c < kChannelCount; ++c) {
    if (counts.by_channel[c] == 0) continue;
    (*out->mutable_by_channel())[std::string(ChannelName(c))] =
        counts.by_channel[c];
  }
}

void DescribeLastContact(const LastContact& c, v1::LastContact* last) {
  SetTime(c.time_us, last->mutable_time());
  last->set_channel(static_cast<v1::Channel>(c.channel));
  last->set_topic(c.topic);
  last->set_outcome(static_cast<v1::Outcome>(c.outcome));
  last->set_agent_id(c.agent_id);
  last->set_transfers(c.transfers);
  last->set_hold_ms(c.hold_ms);
  if (!std::isnan(c.sentiment)) last->set_sentiment(c.sentiment);
  last->set_repeat(c.repeat);
}

// The derived signals of the summary: strikes, sentiment, journey,
// commerce and churn.
void DescribeSignals(const Summary& summary, v1::Context* out) {
  out->set_strikes(summary.strikes);
  out->set_at_risk(summary.at_risk);
  if (!std::isnan(summary.sentiment_last)) {
    out->set_sentiment_last(summary.sentiment_last);
  }
  if (!std::isnan(summary.sentiment_average)) {
    out->set_sentiment_average(summary.sentiment_average);
  }
  if (!std::isnan(summary.sentiment_trend)) {
    out->set_sentiment_trend(summary.sentiment_trend);
  }

  out->set_stage(static_cast<v1::Stage>(summary.stage));
  for (int m = 1; m < kMomentCount; ++m) {
    if (summary.moments[m] == 0) continue;
    (*out->mutable_moments())[std::string(MomentName(m))] = summary.moments[m];
  }
  out->set_negative_zero_moment(summary.negative_zero_moment);

  out->set_purchases(summary.purchases);
  out->set_lifetime_value(summary.lifetime_value);
  if (summary.purchases > 0) {
    SetTime(summary.last_purchase_us, out->mutable_last_purchase());
    out->set_days_since_purchase(summary.days_since_purchase);
  }
  if (summary.csat >= 0) out->set_csat(summary.csat);
  if (summary.nps >= 0) {
    out->set_nps(summary.nps);
    constexpr const char* kCategories[] = {"", "detractor", "passive",
                                           "promoter"};
    out->set_nps_category(kCategories[static_cast<int>(summary.nps_category)]);
  }
  out->set_churn_risk(summary.churn_risk);
  for (int f = 0; f < kChurnFactorCount; ++f) {
    v1::ChurnFactor* factor = out->add_churn_factors();
    factor->set_name(kChurnFactorNames[f]);
    factor->set_contribution(summary.churn_factors[f]);
  }
}

// What an event had against the threshold of `cause`, for a person.
std::string StrikeReason(v1::StrikeCause cause, const HeldStrike& strike,
                         const SignalOptions& options) {
  switch (cause) {
    case v1::STRIKE_NEGATIVE_SENTIMENT:
      return absl::StrFormat("sentiment %.2f, below %g", strike.sentiment,
                             options.strike_sentiment_below);
    case v1::STRIKE_UNRESOLVED:
      return "ended unresolved";
    case v1::STRIKE_ABANDONED:
      return "abandoned";
    case v1::STRIKE_TRANSFERS:
      return absl::StrFormat("%d transfers, %d or more", strike.transfers,
                             options.strike_transfers);
    case v1::STRIKE_LONG_HOLD:
      return absl::StrFormat("on hold %d s, %d s or more",
                             strike.hold_ms / 1000,
                             options.strike_hold_seconds);
    case v1::STRIKE_DETRACTOR:
      return absl::StrFormat("NPS %d, a detractor (%d or less)", strike.nps,
                             kDetractorNpsMax);
    case v1::STRIKE_POOR_CSAT:
      return absl::StrFormat("CSAT %d, %d or less", strike.csat, kPoorCsatMax);
    case v1::STRIKE_NEGATIVE_REVIEW:
      return absl::StrFormat(
          "a review or mention with sentiment %.2f, below %g", strike.sentiment,
          options.negative_review_below);
    default:
      return "";  // StrikeCauses sets no other bit
  }
}

void DescribeStrike(const HeldStrike& strike, const SignalOptions& options,
                    const Interner& strings, v1::Strike* out) {
  out->set_event_id(strike.event_id);
  SetTime(strike.time_us, out->mutable_time());
  out->set_channel(static_cast<v1::Channel>(strike.channel));
  out->set_topic(strings.Get(strike.topic));
  for (int c = 0; c < v1::StrikeCause_ARRAYSIZE; ++c) {
    if (!(strike.causes & (1u << c))) continue;
    const auto cause = static_cast<v1::StrikeCause>(c);
    out->add_causes(cause);
    out->add_reasons(StrikeReason(cause, strike, options));
  }
}

}  // namespace

void CustomerState::Describe(absl::string_view customer_id, int64_t as_of_us,
                             const StateConfig& config, const Interner& strings,
                             v1::Context* out) const {
  Summary summary;
  Summarize(as_of_us, config, strings, &summary);
  out->Clear();
  out->set_customer_id(std::string(customer_id));
  SetTime(as_of_us, out->mutable_as_of());
  out->set_known(summary.known);
  out->set_window_days(summary.window_days);
  if (!summary.known) return;

  out->set_events(summary.events);
  SetTime(summary.first_seen_us, out->mutable_first_seen());
  SetTime(summary.last_seen_us, out->mutable_last_seen());
  FillCounts(summary.contacts[0], out->mutable_contacts_7d());
  FillCounts(summary.contacts[1], out->mutable_contacts_30d());
  FillCounts(summary.contacts[2], out->mutable_contacts_90d());
  if (summary.last_contact.time_us != 0) {
    DescribeLastContact(summary.last_contact, out->mutable_last_contact());
  }

  out->set_repeat_contacts(summary.repeat_contacts);
  out->set_transfers(summary.transfers);
  out->set_hold_ms(summary.hold_ms);
  for (const Topic& topic : topics_) {
    if (IsUnresolved(topic.outcome))
      out->add_open_issues(strings.Get(topic.topic));
  }
  DescribeSignals(summary, out);
  // The window of Summarize's strikes: the list is what it counted.
  const int64_t window_start =
      as_of_us - int64_t{config.signals.window_days} * kDayUs;
  for (const HeldStrike& strike : strikes_) {
    if (strike.time_us <= window_start) continue;
    DescribeStrike(strike, config.signals, strings, out->add_strike_events());
  }

  if (config.metrics) {
    for (size_t m = 0; m < config.metrics->size(); ++m) {
      const MetricResult result = QueryMetric(m, as_of_us, config);
      google::protobuf::Value& value =
          (*out->mutable_metrics())[config.metrics->definition(m).name()];
      switch (result.kind) {
        case MetricResult::Kind::kNull:
          value.set_null_value(google::protobuf::NULL_VALUE);
          break;
        case MetricResult::Kind::kNumber:
          value.set_number_value(result.number);
          break;
        case MetricResult::Kind::kText:
          value.set_string_value(strings.Get(result.text));
          break;
      }
    }
  }
  for (const Attribute& a : attributes_) {
    google::protobuf::Value& value =
        (*out->mutable_attributes())[strings.Get(a.key)];
    if (a.kind == google::protobuf::Value::kStringValue) {
      value.set_string_value(strings.Get(a.text));
    } else if (a.kind == google::protobuf::Value::kBoolValue) {
      value.set_bool_value(a.number != 0);
    } else {
      value.set_number_value(a.number);
    }
  }
  recent_.Describe(customer_id, out->mutable_recent_events());
}

MetricResult CustomerState::QueryMetric(size_t metric, int64_t as_of_us,
                                        const StateConfig& config) const {
  const v1::MetricDefinition& definition = config.metrics->definition(metric);
  MetricResult result;
  if (metric < metrics_.size()) {
    result = metrics_[metric].Query(
        definition.aggregation(), config.metrics->window_us(metric), as_of_us);
  } else if (definition.aggregation() == v1::COUNT ||
             definition.aggregation() == v1::DISTINCT_COUNT) {
    // No event of this customer reached the metric: nothing counted is 0.
    result.kind = MetricResult::Kind::kNumber;
  }
  return result;
}

absl::Status CustomerState::Bind(absl::string_view customer_id,
                                 int64_t as_of_us, const StateConfig& config,
                                 const Interner& strings,
                                 expr::Activation* activation,
                                 expr::Arena* arena,
                                 const ContextFields& fields) const {
  Summary summary;
  Summarize(as_of_us, config, strings, &summary);
  // Like Describe, an unknown customer has no metrics or attributes.
  const size_t metric_count =
      summary.known && config.metrics && fields.reads_metrics()
          ? config.metrics->size()
          : 0;
  const size_t attribute_count =
      fields.reads_attributes() ? attributes_.size() : 0;
  // In the arena, like the maps BindContext builds: nothing on the heap.
  // The names view the configuration's definitions, not this state.
  NamedMetric* metrics = expr::NewArray<NamedMetric>(arena, metric_count);
  for (size_t m = 0; m < metric_count; ++m) {
    metrics[m] = {config.metrics->definition(m).name(),
                  QueryMetric(m, as_of_us, config)};
  }
  // Texts view the interner, which outlives this state.
  expr::MapValue::Entry* attributes =
      expr::NewArray<expr::MapValue::Entry>(arena, attribute_count);
  for (size_t i = 0; i < attribute_count; ++i) {
    const Attribute& a = attributes_[i];
    expr::Value value;
    if (a.kind == google::protobuf::Value::kStringValue) {
      value = expr::Value::String(strings.View(a.text));
    } else if (a.kind == google::protobuf::Value::kBoolValue) {
      value = expr::Value::Bool(a.number != 0);
    } else {
      value = expr::Value::Double(a.number);
    }
    attributes[i] = {expr::Value::String(strings.View(a.key)), value};
  }
  return BindContext(summary, customer_id, strings,
                     absl::MakeConstSpan(metrics, metric_count),
                     absl::MakeConstSpan(attributes, attribute_count), fields,
                     activation, arena);
}

size_t CustomerState::metric_samples() const {
  size_t samples = 0;
  for (const MetricSeries& m : metrics_) samples += m.sample_count();
  return samples;
}

size_t CustomerState::recent_event_bytes() const { return recent_.bytes(); }

size_t CustomerState::bytes() const {
  size_t total = sizeof(*this) + held_.capacity() * sizeof(HeldEvent) +
                 topics_.bytes() + attributes_.bytes() + recent_.bytes() +
                 responses_.bytes() + strikes_.bytes() + metrics_.bytes();
  for (const HeldStrike& s : strikes_) total += s.event_id.capacity();
  for (const MetricSeries& m : metrics_) total += m.bytes();
  return total;
}

}  // namespace motive::state
