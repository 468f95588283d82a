#include "state/context_variables.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "state/event_value.h"

namespace motive::state {

namespace {

using expr::MapValue;
using expr::Type;
using expr::Value;

constexpr absl::string_view kVariables[] = {"customer", "contacts",
                                            "last_contact", "metrics"};

// The keys a map may have, in the order it adds them, each with its
// MapValue::StringKeyHash computed once: the records below are bound for
// every decision, and hashing their keys each time was a measurable part of
// it.
class RecordKeys {
 public:
  explicit RecordKeys(std::vector<std::string> names)
      : names_(std::move(names)) {
    assert(names_.size() <= 64);  // a ContextFields mask has a bit for each
    for (const std::string& name : names_) {
      hashes_.push_back(MapValue::StringKeyHash(name));
    }
  }
  explicit RecordKeys(const Type& record)
      : RecordKeys([&record] {
          std::vector<std::string> names;
          for (const auto& [name, type] : record.fields()) {
            names.push_back(name);
          }
          return names;
        }()) {}

  size_t size() const { return names_.size(); }
  // The index of `key`, found from `*next` on (the key after the previous
  // one added), which it then moves past; size() when it is not there.
  size_t IndexOf(absl::string_view key, size_t* next) const {
    while (*next < names_.size() && names_[*next] != key) ++*next;
    // Keys are added in their declared order; one that is not is a bug
    // that costs only the hashing.
    assert(*next < names_.size());
    return *next == names_.size() ? *next : (*next)++;
  }
  // The index of `key`, wherever it is; size() when it is not there.
  size_t IndexOf(absl::string_view key) const {
    return std::find(names_.begin(), names_.end(), key) - names_.begin();
  }
  size_t HashAt(size_t index) const { return hashes_[index]; }

 private:
  std::vector<std::string> names_;
  std::vector<size_t> hashes_;
};

// Fills a map's entries in the arena; keys are literals or outlive the map.
class MapBuilder {
 public:
  // A map whose keys are distinct, and are those of `keys` (in its order)
  // when that is given, each added only when its bit in `wanted` is set;
  // any keys otherwise, checked when built.
  MapBuilder(expr::Arena* arena, size_t capacity,
             const RecordKeys* keys = nullptr, uint64_t wanted = ~uint64_t{0})
      : arena_(arena),
        keys_(keys),
        wanted_(wanted),
        entries_(expr::NewArray<MapValue::Entry>(arena, capacity)),
        hashes_(keys ? expr::NewArray<size_t>(arena, capacity) : nullptr) {}

  void Add(absl::string_view key, Value value) {
    if (Take(key)) entries_[size_++] = {Value::String(key), value};
  }
  // Computes the value only when the key is wanted.
  template <typename Compute>
  void AddComputed(absl::string_view key, Compute compute) {
    if (Take(key)) entries_[size_++] = {Value::String(key), compute()};
  }
  void AddInt(absl::string_view key, int64_t value) {
    Add(key, Value::Int(value));
  }
  // Absent when NaN.
  void AddDouble(absl::string_view key, double value) {
    if (!std::isnan(value)) Add(key, Value::Double(value));
  }
  // Absent when 0, which signals.h uses for "none".
  void AddTime(absl::string_view key, int64_t time_us) {
    if (time_us != 0) {
      Add(key, Value::Timestamp(absl::FromUnixMicros(time_us)));
    }
  }
  void AddText(absl::string_view key, const char* text) {
    Add(key, Value::String(text == nullptr ? "" : text));
  }

  // A map value, or an error value for a repeated key.
  Value Build() const {
    const absl::Span<const MapValue::Entry> entries(entries_, size_);
    return keys_ != nullptr
               ? MapValue::MakeOfDistinctStrings(arena_, entries, hashes_)
               : MapValue::Make(arena_, entries);
  }

 private:
  // Whether `key` goes into the map; if so, with its hash noted.
  bool Take(absl::string_view key) {
    if (keys_ == nullptr) return true;
    const size_t index = keys_->IndexOf(key, &next_key_);
    if (index == keys_->size()) {
      hashes_[size_] = MapValue::StringKeyHash(key);
      return true;
    }
    if ((wanted_ >> index & 1) == 0) return false;
    hashes_[size_] = keys_->HashAt(index);
    return true;
  }

  expr::Arena* arena_;
  const RecordKeys* keys_;
  uint64_t wanted_;
  MapValue::Entry* entries_;
  size_t* hashes_;
  size_t size_ = 0;
  size_t next_key_ = 0;
};

// The keys of the records CustomerValue, ContactsValue and LastContactValue
// bind, and of contacts.by_channel_30d.
const RecordKeys& CustomerKeys();
const RecordKeys& ContactsKeys();
const RecordKeys& LastContactKeys();
const RecordKeys& ChannelKeys();

absl::string_view NpsCategoryName(NpsCategory category) {
  switch (category) {
    case NpsCategory::kDetractor:
      return "detractor";
    case NpsCategory::kPassive:
      return "passive";
    case NpsCategory::kPromoter:
      return "promoter";
    case NpsCategory::kNone:
      break;
  }
  return absl::string_view();
}

Value ByChannel(const ContactCounts& counts, expr::Arena* arena) {
  MapBuilder map(arena, kChannelCount, &ChannelKeys());
  for (int channel = 0; channel < kChannelCount; ++channel) {
    if (counts.by_channel[channel] == 0) continue;
    absl::string_view name = ChannelName(channel);
    // Contacts on no channel are in the total only.
    if (!name.empty()) map.AddInt(name, counts.by_channel[channel]);
  }
  return map.Build();
}

Value ContactsValue(const Summary& summary, uint64_t wanted,
                    expr::Arena* arena) {
  MapBuilder map(arena, 7, &ContactsKeys(), wanted);
  map.AddInt("d7", summary.contacts[0].total);
  map.AddInt("d30", summary.contacts[1].total);
  map.AddInt("d90", summary.contacts[2].total);
  map.AddComputed("by_channel_30d",
                  [&] { return ByChannel(summary.contacts[1], arena); });
  map.AddInt("repeats", summary.repeat_contacts);
  map.AddInt("transfers", summary.transfers);
  map.AddInt("hold_ms", summary.hold_ms);
  return map.Build();
}

Value LastContactValue(const LastContact& contact, uint64_t wanted,
                       expr::Arena* arena) {
  MapBuilder map(arena, 9, &LastContactKeys(), wanted);
  if (contact.time_us != 0) {
    map.AddTime("time", contact.time_us);
    map.Add("channel", Value::String(ChannelName(contact.channel)));
    map.AddText("topic", contact.topic);
    map.Add("outcome", Value::String(OutcomeName(contact.outcome)));
    map.AddText("agent_id", contact.agent_id);
    map.AddInt("transfers", contact.transfers);
    map.AddInt("hold_ms", contact.hold_ms);
    map.AddDouble("sentiment", contact.sentiment);
    map.Add("repeat", Value::Bool(contact.repeat != 0));
  }
  return map.Build();
}

Value CustomerValue(const Summary& summary, absl::string_view customer_id,
                    Value attributes, uint64_t wanted, expr::Arena* arena) {
  MapBuilder map(arena, 22, &CustomerKeys(), wanted);  // Every key below.
  map.Add("id", Value::String(customer_id));
  map.Add("known", Value::Bool(summary.known != 0));
  map.AddInt("events", static_cast<int64_t>(summary.events));
  if (summary.known) {
    map.AddTime("first_seen", summary.first_seen_us);
    map.AddTime("last_seen", summary.last_seen_us);
  }
  if (absl::string_view stage = StageName(summary.stage); !stage.empty()) {
    map.Add("stage", Value::String(stage));
  }
  map.AddInt("strikes", summary.strikes);
  map.Add("at_risk", Value::Bool(summary.at_risk != 0));
  map.AddInt("open_issues", summary.open_issues);
  map.AddDouble("sentiment", summary.sentiment_last);
  map.AddDouble("sentiment_average", summary.sentiment_average);
  map.AddDouble("sentiment_trend", summary.sentiment_trend);
  map.AddInt("purchases", summary.purchases);
  map.Add("lifetime_value", Value::Double(summary.lifetime_value));
  map.AddTime("last_purchase", summary.last_purchase_us);
  if (summary.days_since_purchase >= 0) {
    map.AddInt("days_since_purchase", summary.days_since_purchase);
  }
  if (summary.csat >= 0) map.AddInt("csat", summary.csat);
  if (summary.nps >= 0) map.AddInt("nps", summary.nps);
  if (absl::string_view category = NpsCategoryName(summary.nps_category);
      !category.empty()) {
    map.Add("nps_category", Value::String(category));
  }
  map.Add("churn_risk", Value::Double(summary.churn_risk));
  map.AddInt("negative_zero_moment", summary.negative_zero_moment);
  map.Add("attributes", attributes);
  return map.Build();
}

Value MetricsValue(absl::Span<const NamedMetric> metrics,
                   const Interner& strings, expr::Arena* arena) {
  MapBuilder map(arena, metrics.size());
  for (const NamedMetric& metric : metrics) {
    switch (metric.result.kind) {
      case MetricResult::Kind::kNumber:
        map.Add(metric.name, Value::Double(metric.result.number));
        break;
      case MetricResult::Kind::kText:
        map.Add(metric.name, Value::String(strings.View(metric.result.text)));
        break;
      case MetricResult::Kind::kNull:
        break;
    }
  }
  return map.Build();
}

absl::Status Bind(expr::Activation* activation, absl::string_view name,
                  Value value) {
  if (value.is_error()) {
    return absl::InvalidArgumentError(
        absl::StrCat("binding ", name, ": ", value.text()));
  }
  return activation->Bind(name, value);
}

// The records below are the header's table, field for field: what
// CustomerValue, ContactsValue and LastContactValue bind.
const Type& CustomerType() {
  // Leaked on purpose: a function-local static with a trivial lifetime.
  static const Type* const kType = new Type(Type::Record(
      "customer",
      {{"id", Type::String()},
       {"known", Type::Bool()},
       {"events", Type::Int()},
       {"first_seen", Type::Timestamp()},
       {"last_seen", Type::Timestamp()},
       {"stage", Type::String()},
       {"strikes", Type::Int()},
       {"at_risk", Type::Bool()},
       {"open_issues", Type::Int()},
       {"sentiment", Type::Double()},
       {"sentiment_average", Type::Double()},
       {"sentiment_trend", Type::Double()},
       {"purchases", Type::Int()},
       {"lifetime_value", Type::Double()},
       {"last_purchase", Type::Timestamp()},
       {"days_since_purchase", Type::Int()},
       {"csat", Type::Int()},
       {"nps", Type::Int()},
       {"nps_category", Type::String()},
       {"churn_risk", Type::Double()},
       {"negative_zero_moment", Type::Int()},
       // Attributes are whatever the events bound: only known at run time.
       {"attributes", Type::Map(Type::String(), Type::Dyn())}}));
  return *kType;
}

Type ContactsType() {
  return Type::Record(
      "contacts", {{"d7", Type::Int()},
                   {"d30", Type::Int()},
                   {"d90", Type::Int()},
                   {"by_channel_30d", Type::Map(Type::String(), Type::Int())},
                   {"repeats", Type::Int()},
                   {"transfers", Type::Int()},
                   {"hold_ms", Type::Int()}});
}

Type LastContactType() {
  return Type::Record("last_contact", {{"time", Type::Timestamp()},
                                       {"channel", Type::String()},
                                       {"topic", Type::String()},
                                       {"outcome", Type::String()},
                                       {"agent_id", Type::String()},
                                       {"transfers", Type::Int()},
                                       {"hold_ms", Type::Int()},
                                       {"sentiment", Type::Double()},
                                       {"repeat", Type::Bool()}});
}

// Open: metrics of the engine's context configuration are not known when a
// ruleset is checked on its own, so an undeclared name is dyn, not an error.
Type MetricsType(absl::Span<const v1::MetricDefinition* const> metrics) {
  std::vector<std::pair<std::string, Type>> fields;
  for (const v1::MetricDefinition* metric : metrics) {
    // LAST keeps the field's own kind, number or text: known at run time.
    fields.emplace_back(metric->name(), metric->aggregation() == v1::LAST
                                            ? Type::Dyn()
                                            : Type::Double());
  }
  return Type::Record("metrics", std::move(fields), /*open=*/true);
}

// Leaked on purpose, like the types: function-local statics with a
// trivial lifetime.
const RecordKeys& CustomerKeys() {
  static const RecordKeys* const kKeys = new RecordKeys(CustomerType());
  return *kKeys;
}
const RecordKeys& ContactsKeys() {
  static const RecordKeys* const kKeys = new RecordKeys(ContactsType());
  return *kKeys;
}
const RecordKeys& LastContactKeys() {
  static const RecordKeys* const kKeys = new RecordKeys(LastContactType());
  return *kKeys;
}
const RecordKeys& ChannelKeys() {
  static const RecordKeys* const kKeys = [] {
    std::vector<std::string> names;
    for (int channel = 0; channel < kChannelCount; ++channel) {
      names.emplace_back(ChannelName(channel));
    }
    return new RecordKeys(std::move(names));
  }();
  return *kKeys;
}

}  // namespace

bool IsCustomerKey(absl::string_view key) {
  return CustomerType().FieldType(key) != nullptr;
}

absl::Status DeclareContextVariables(
    expr::Environment* env,
    absl::Span<const v1::MetricDefinition* const> metrics) {
  const Type records[] = {CustomerType(), ContactsType(), LastContactType(),
                          MetricsType(metrics)};
  static_assert(std::size(records) == std::size(kVariables));
  for (size_t i = 0; i < std::size(kVariables); ++i) {
    if (absl::Status s = env->DeclareVariable(kVariables[i], records[i]);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

std::unique_ptr<expr::Environment> NewRuleEnvironment(
    absl::Span<const v1::MetricDefinition* const> metrics) {
  auto env = std::make_unique<expr::Environment>();
  // Declaring into a fresh environment cannot clash.
  DeclareEventVariable(env.get()).IgnoreError();
  env->DeclareVariable("now", Type::Timestamp()).IgnoreError();
  DeclareContextVariables(env.get(), metrics).IgnoreError();
  return env;
}

const ContextFields& ContextFields::All() {
  static const ContextFields* const kAll = [] {
    auto* all = new ContextFields();
    for (uint64_t& record : all->records_) record = ~uint64_t{0};
    all->metrics_ = true;
    return all;
  }();
  return *kAll;
}

void ContextFields::Add(const expr::Program& program) {
  const RecordKeys* const keys[] = {&CustomerKeys(), &ContactsKeys(),
                                    &LastContactKeys()};
  static_assert(std::size(keys) == std::size(kVariables) - 1);
  for (const expr::Program::VariableRead& read : program.reads()) {
    const size_t variable =
        std::find(std::begin(kVariables), std::end(kVariables), read.name) -
        std::begin(kVariables);
    if (variable == std::size(kVariables) - 1) {  // metrics
      metrics_ = true;
      continue;
    }
    if (variable == std::size(kVariables)) continue;  // not the context's
    if (read.whole) {
      records_[variable] = ~uint64_t{0};
      continue;
    }
    for (const std::string& field : read.fields) {
      // A field the record does not have (an unchecked program's) is never
      // bound anyway.
      const size_t index = keys[variable]->IndexOf(field);
      if (index < keys[variable]->size())
        records_[variable] |= uint64_t{1} << index;
    }
  }
}

bool ContextFields::reads_attributes() const {
  static const size_t kAttributes = CustomerKeys().IndexOf("attributes");
  return (records_[0] >> kAttributes & 1) != 0;
}

absl::Status BindContext(const Summary& summary, absl::string_view customer_id,
                         const Interner& strings,
                         absl::Span<const NamedMetric> metrics,
                         absl::Span<const MapValue::Entry> attributes,
                         const ContextFields& fields,
                         expr::Activation* activation, expr::Arena* arena) {
  const Value attribute_map = MapValue::Make(arena, attributes);
  if (attribute_map.is_error()) {
    return absl::InvalidArgumentError(
        absl::StrCat("binding customer.attributes: ", attribute_map.text()));
  }
  if (absl::Status s = Bind(activation, "customer",
                            CustomerValue(summary, customer_id, attribute_map,
                                          fields.records_[0], arena));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Bind(activation, "contacts",
                            ContactsValue(summary, fields.records_[1], arena));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Bind(
          activation, "last_contact",
          LastContactValue(summary.last_contact, fields.records_[2], arena));
      !s.ok()) {
    return s;
  }
  return Bind(
      activation, "metrics",
      MetricsValue(fields.metrics_ ? metrics : absl::Span<const NamedMetric>(),
                   strings, arena));
}

absl::Status BindContext(const Summary& summary, absl::string_view customer_id,
                         const Interner& strings, expr::Activation* activation,
                         expr::Arena* arena) {
  return BindContext(summary, customer_id, strings, {}, {},
                     ContextFields::All(), activation, arena);
}

}  // namespace motive::state
