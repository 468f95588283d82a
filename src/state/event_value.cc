#include "state/event_value.h"

#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/numeric/bits.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "expr/ast.h"
#include "google/protobuf/descriptor.h"

namespace motive::state {

namespace {

using expr::MapValue;
using expr::Value;

constexpr absl::string_view kFieldNames[kEventFieldCount] = {
    "event_id",  "customer_id", "occurred_at", "recorded_at", "channel",
    "type",      "moment",      "stage",       "topic",       "outcome",
    "sentiment", "duration_ms", "hold_ms",     "transfers",   "agent_id",
    "queue",     "value",       "currency",    "csat",        "nps",
    "attributes"};

constexpr absl::string_view kAttributesPrefix = "attributes.";

// The index of the field named `name`, or -1.
int FieldIndex(absl::string_view name) {
  for (int i = 0; i < kEventFieldCount; ++i) {
    if (kFieldNames[i] == name) return i;
  }
  return -1;
}

// Lower-case value names by number, built once from the descriptor so that
// they follow event.proto.
class EnumNames {
 public:
  explicit EnumNames(const google::protobuf::EnumDescriptor* type) {
    for (int i = 0; i < type->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* value = type->value(i);
      // The zero value is "unspecified" and keeps the empty name.
      if (value->number() <= 0) continue;
      if (static_cast<size_t>(value->number()) >= names_.size()) {
        names_.resize(value->number() + 1);
      }
      names_[value->number()] = absl::AsciiStrToLower(value->name());
    }
  }

  absl::string_view Get(int32_t number) const {
    if (number <= 0 || static_cast<size_t>(number) >= names_.size()) {
      return absl::string_view();
    }
    return names_[number];
  }

 private:
  std::vector<std::string> names_;
};

Value TimestampValue(const google::protobuf::Timestamp& ts) {
  return Value::Timestamp(absl::FromUnixSeconds(ts.seconds()) +
                          absl::Nanoseconds(ts.nanos()));
}

// The attribute's value, or false for a kind `event` does not show.
bool AttributeValue(const google::protobuf::Value& value, Value* out) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      *out = Value::Double(value.number_value());
      return true;
    case google::protobuf::Value::kStringValue:
      *out = Value::String(value.string_value());
      return true;
    case google::protobuf::Value::kBoolValue:
      *out = Value::Bool(value.bool_value());
      return true;
    default:
      return false;
  }
}

Value AttributesValue(const v1::Event& event, expr::Arena* arena) {
  const auto& attributes = event.attributes();
  MapValue::Entry* entries =
      expr::NewArray<MapValue::Entry>(arena, attributes.size());
  size_t n = 0;
  for (const auto& [key, value] : attributes) {
    if (AttributeValue(value, &entries[n].value)) {
      entries[n++].key = Value::String(key);
    }
  }
  // Protobuf map keys are unique, so Make cannot fail.
  return MapValue::Make(arena, absl::MakeConstSpan(entries, n));
}

// The one reader behind both ReadEventField and EventToValue.
// For kAttributes, `attribute` names one key, or is null for the whole map.
bool ReadField(const v1::Event& event, EventField field,
               const std::string* attribute, expr::Arena* arena, Value* out) {
  switch (field) {
    case EventField::kEventId:
      *out = Value::String(event.event_id());
      return true;
    case EventField::kCustomerId:
      *out = Value::String(event.customer_id());
      return true;
    case EventField::kOccurredAt:
      if (!event.has_occurred_at()) return false;
      *out = TimestampValue(event.occurred_at());
      return true;
    case EventField::kRecordedAt:
      if (!event.has_recorded_at()) return false;
      *out = TimestampValue(event.recorded_at());
      return true;
    case EventField::kChannel:
      *out = Value::String(ChannelName(event.channel()));
      return true;
    case EventField::kType:
      *out = Value::String(event.type());
      return true;
    case EventField::kMoment:
      *out = Value::String(MomentName(event.moment()));
      return true;
    case EventField::kStage:
      *out = Value::String(StageName(event.stage()));
      return true;
    case EventField::kTopic:
      *out = Value::String(event.topic());
      return true;
    case EventField::kOutcome:
      *out = Value::String(OutcomeName(event.outcome()));
      return true;
    case EventField::kSentiment:
      if (!event.has_sentiment()) return false;
      *out = Value::Double(event.sentiment());
      return true;
    case EventField::kDurationMs:
      if (!event.has_duration_ms()) return false;
      *out = Value::Int(event.duration_ms());
      return true;
    case EventField::kHoldMs:
      if (!event.has_hold_ms()) return false;
      *out = Value::Int(event.hold_ms());
      return true;
    case EventField::kTransfers:
      if (!event.has_transfers()) return false;
      *out = Value::Int(event.transfers());
      return true;
    case EventField::kAgentId:
      *out = Value::String(event.agent_id());
      return true;
    case EventField::kQueue:
      *out = Value::String(event.queue());
      return true;
    case EventField::kValue:
      if (!event.has_value()) return false;
      *out = Value::Double(event.value());
      return true;
    case EventField::kCurrency:
      *out = Value::String(event.currency());
      return true;
    case EventField::kCsat:
      if (!event.has_csat()) return false;
      *out = Value::Int(event.csat());
      return true;
    case EventField::kNps:
      if (!event.has_nps()) return false;
      *out = Value::Int(event.nps());
      return true;
    case EventField::kAttributes: {
      if (attribute == nullptr) {
        *out = AttributesValue(event, arena);
        return true;
      }
      auto it = event.attributes().find(*attribute);
      return it != event.attributes().end() && AttributeValue(it->second, out);
    }
  }
  return false;
}

constexpr absl::string_view kEventVariable = "event";

// `event`, or `.event` (the root namespace's).
bool IsEventName(absl::string_view name) {
  absl::ConsumePrefix(&name, ".");
  return name == kEventVariable;
}

bool IsEventIdent(const expr::Expr& expr) {
  const auto* ident = std::get_if<expr::IdentExpr>(&expr.kind);
  return ident != nullptr && IsEventName(ident->name);
}

EventFieldMask FieldBit(absl::string_view name) {
  const int i = FieldIndex(name);
  // Not a field: the selection fails whatever the map holds.
  return i < 0 ? 0 : EventFieldMask{1} << i;
}

void CollectFields(const expr::Expr* expr, EventFieldMask* fields) {
  if (expr == nullptr || *fields == kAllEventFields) return;
  std::visit(
      [fields](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<Kind, expr::IdentExpr>) {
          // Reached only when not directly under a selection.
          if (IsEventName(kind.name)) *fields = kAllEventFields;
        } else if constexpr (std::is_same_v<Kind, expr::SelectExpr>) {
          if (kind.operand != nullptr && IsEventIdent(*kind.operand)) {
            *fields |= FieldBit(kind.field);
          } else {
            CollectFields(kind.operand.get(), fields);
          }
        } else if constexpr (std::is_same_v<Kind, expr::CallExpr>) {
          CollectFields(kind.target.get(), fields);
          for (const expr::ExprPtr& arg : kind.args) {
            CollectFields(arg.get(), fields);
          }
        } else if constexpr (std::is_same_v<Kind, expr::ListExpr>) {
          for (const expr::ExprPtr& element : kind.elements) {
            CollectFields(element.get(), fields);
          }
        } else if constexpr (std::is_same_v<Kind, expr::MapExpr>) {
          for (const expr::MapExpr::Entry& entry : kind.entries) {
            CollectFields(entry.key.get(), fields);
            CollectFields(entry.value.get(), fields);
          }
        } else if constexpr (std::is_same_v<Kind, expr::StructExpr>) {
          for (const expr::StructExpr::Field& field : kind.fields) {
            CollectFields(field.value.get(), fields);
          }
        } else if constexpr (std::is_same_v<Kind, expr::ComprehensionExpr>) {
          // A loop variable named `event` hides the event inside the loop:
          // too subtle to follow, so take everything.
          if (kind.iter_var == kEventVariable ||
              kind.iter_var2 == kEventVariable ||
              kind.accu_var == kEventVariable) {
            *fields = kAllEventFields;
            return;
          }
          for (const expr::ExprPtr* part :
               {&kind.iter_range, &kind.accu_init, &kind.loop_condition,
                &kind.loop_step, &kind.result}) {
            CollectFields(part->get(), fields);
          }
        }
      },
      expr->kind);
}

}  // namespace

absl::string_view EventFieldName(EventField field) {
  return kFieldNames[static_cast<int>(field)];
}

bool IsNumericField(EventField field) {
  switch (field) {
    case EventField::kSentiment:
    case EventField::kDurationMs:
    case EventField::kHoldMs:
    case EventField::kTransfers:
    case EventField::kValue:
    case EventField::kCsat:
    case EventField::kNps:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<EventFieldPath> EventFieldPath::Parse(absl::string_view path) {
  EventFieldPath parsed;
  if (absl::StartsWith(path, kAttributesPrefix) &&
      path.size() > kAttributesPrefix.size()) {
    parsed.field = EventField::kAttributes;
    parsed.attribute = std::string(path.substr(kAttributesPrefix.size()));
    return parsed;
  }
  if (const int i = FieldIndex(path); i >= 0) {
    parsed.field = static_cast<EventField>(i);
    return parsed;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown event field \"", path,
      "\": expected a field of motive.v1.Event (value, sentiment, topic, ...) "
      "or attributes.<key>"));
}

bool ReadEventField(const v1::Event& event, const EventFieldPath& path,
                    expr::Arena* arena, Value* out) {
  return ReadField(event, path.field,
                   path.attribute.empty() ? nullptr : &path.attribute, arena,
                   out);
}

Value EventToValue(const v1::Event& event, expr::Arena* arena,
                   EventFieldMask fields) {
  fields &= kAllEventFields;
  MapValue::Entry* entries =
      expr::NewArray<MapValue::Entry>(arena, absl::popcount(fields));
  size_t n = 0;
  for (; fields != 0; fields &= fields - 1) {
    const int i = absl::countr_zero(fields);
    if (ReadField(event, static_cast<EventField>(i), nullptr, arena,
                  &entries[n].value)) {
      entries[n++].key = Value::String(kFieldNames[i]);
    }
  }
  return MapValue::Make(arena, absl::MakeConstSpan(entries, n));
}

EventFieldMask EventFieldsRead(const expr::Expr& expr) {
  EventFieldMask fields = 0;
  CollectFields(&expr, &fields);
  return fields;
}

absl::Status DeclareEventVariable(expr::Environment* env) {
  return env->DeclareVariable(
      "event", expr::Type::Map(expr::Type::String(), expr::Type::Dyn()));
}

absl::string_view ChannelName(int32_t channel) {
  static const EnumNames* names = new EnumNames(v1::Channel_descriptor());
  return names->Get(channel);
}

absl::string_view MomentName(int32_t moment) {
  static const EnumNames* names = new EnumNames(v1::Moment_descriptor());
  return names->Get(moment);
}

absl::string_view StageName(int32_t stage) {
  static const EnumNames* names = new EnumNames(v1::Stage_descriptor());
  return names->Get(stage);
}

absl::string_view OutcomeName(int32_t outcome) {
  static const EnumNames* names = new EnumNames(v1::Outcome_descriptor());
  return names->Get(outcome);
}

}  // namespace motive::state
