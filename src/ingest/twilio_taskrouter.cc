#include "ingest/twilio_taskrouter.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/address_text.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "model/field_text.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kCloudEventPrefix = "com.twilio.taskrouter.";
constexpr absl::string_view kAttributePrefix = "twilio.";

// A field's name in each form.
struct Name {
  absl::string_view webhook;
  absl::string_view stream;
};

constexpr Name kEventType{"EventType", "eventtype"};
constexpr Name kTaskSid{"TaskSid", "task_sid"};
constexpr Name kTaskAttributes{"TaskAttributes", "task_attributes"};
constexpr Name kTaskChannel{"TaskChannelUniqueName",
                            "task_channel_unique_name"};
constexpr Name kTaskQueueName{"TaskQueueName", "task_queue_name"};
constexpr Name kTaskQueueSid{"TaskQueueSid", "task_queue_sid"};
constexpr Name kWorkerName{"WorkerName", "worker_name"};
constexpr Name kWorkerSid{"WorkerSid", "worker_sid"};
constexpr Name kTaskAge{"TaskAge", "task_age"};
constexpr Name kTaskDateCreated{"TaskDateCreated", "task_date_created"};

// Text fields kept as attributes as they are.
constexpr std::pair<Name, absl::string_view> kTextAttributes[] = {
    {{"TaskAssignmentStatus", "task_assignment_status"}, "assignment_status"},
    {{"TaskCanceledReason", "task_canceled_reason"}, "canceled_reason"},
    {{"TaskCompletedReason", "task_completed_reason"}, "completed_reason"},
    {{"WorkflowName", "workflow_name"}, "workflow_name"},
};

// The record in one of its two forms: where the fields are, and how they
// are named.
struct Form {
  const JsonValue& fields;
  bool stream;

  absl::string_view operator()(const Name& name) const {
    return stream ? name.stream : name.webhook;
  }
};

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// A time written as a count of `unit`s since the Unix epoch (a number or
// digits in a string, as the webhook writes them) or as text.
std::optional<absl::Time> EpochOrText(JsonFields& fields,
                                      const JsonValue& value,
                                      absl::Duration unit) {
  if (!value.present) return std::nullopt;
  std::string_view text;
  int64_t count = 0;
  if (value.element.get_string().get(text) == simdjson::SUCCESS) {
    if (!AllDigits(View(text))) return fields.AsTime(value);
    if (!model::ParseInt64Text(View(text), &count)) {
      fields.Fail(value.path, "must be a time, got too many digits");
      return std::nullopt;
    }
  } else if (value.element.get_int64().get(count) != simdjson::SUCCESS) {
    fields.Fail(value.path,
                absl::StrCat("must be ", kTimeForm, " or a Unix time, got ",
                             JsonFields::TypeName(value.element)));
    return std::nullopt;
  }
  return absl::UnixEpoch() + unit * count;
}

// The event's time, by the rules of the header.
std::optional<absl::Time> EventTime(JsonFields& fields, const JsonValue& root,
                                    const Form& form) {
  if (form.stream) {
    const JsonValue stamp = fields.Member(form.fields, "timestamp");
    if (stamp.present) return EpochOrText(fields, stamp, absl::Milliseconds(1));
    return fields.Time(root, "time", Need::kRequired);
  }
  const JsonValue millis = fields.Member(form.fields, "TimestampMs");
  if (millis.present) return EpochOrText(fields, millis, absl::Milliseconds(1));
  return EpochOrText(fields,
                     fields.Member(form.fields, "Timestamp", Need::kRequired),
                     absl::Seconds(1));
}

v1::Channel TaskChannel(absl::string_view channel, absl::string_view type) {
  v1::Channel result = v1::OTHER;
  if (channel.empty()) result = v1::CHANNEL_UNSPECIFIED;
  if (absl::EqualsIgnoreCase(channel, "voice")) result = v1::VOICE;
  if (absl::EqualsIgnoreCase(channel, "chat")) result = v1::CHAT;
  if (absl::EqualsIgnoreCase(channel, "sms")) result = v1::SMS;
  if (absl::EqualsIgnoreCase(channel, "email")) result = v1::EMAIL;
  if (result != v1::CHAT && result != v1::SMS) return result;
  if (absl::EqualsIgnoreCase(type, "sms")) return v1::SMS;
  if (absl::EqualsIgnoreCase(type, "facebook") ||
      absl::EqualsIgnoreCase(type, "messenger") ||
      absl::EqualsIgnoreCase(type, "instagram")) {
    return v1::SOCIAL;
  }
  if (absl::EqualsIgnoreCase(type, "whatsapp") ||
      absl::EqualsIgnoreCase(type, "web")) {
    return v1::CHAT;
  }
  return result;
}

void SetText(AttributeWriter& attributes, absl::string_view key,
             absl::string_view value) {
  if (!value.empty()) attributes.String(key, value);
}

// The customer's identifiers and name from the task attributes.
void MapCustomer(JsonFields& fields, const JsonValue& task, v1::Event* event,
                 AttributeWriter& attributes) {
  const JsonValue customers = fields.Object(task, "customers");
  AddIdentifier("phone", fields.String(customers, "phone"), event);
  AddIdentifier("email", fields.String(customers, "email"), event);
  AddIdentifier("twilio_customer", fields.String(customers, "external_id"),
                event);
  AddIdentifier("email", fields.String(task, "email"), event);
  AddAddress(fields.String(task, "customerAddress"), event);
  AddAddress(fields.String(task, "customer_address"), event);
  if (absl::EqualsIgnoreCase(fields.String(task, "direction"), "outbound")) {
    absl::string_view to = fields.String(task, "to");
    if (to.empty()) to = fields.String(task, "outbound_to");
    AddAddress(to, event);
  } else {
    AddAddress(fields.String(task, "from"), event);
  }
  for (const absl::string_view key : {"name", "customerName"}) {
    SetText(attributes, "customer_name", fields.String(task, key));
  }
  if (!event->attributes().count("customer_name")) {
    SetText(attributes, "customer_name", fields.String(customers, "name"));
  }
}

// Each scalar at the top of the task attributes, after the mapping's own.
void CopyTaskAttributes(JsonFields& fields, const JsonValue& task,
                        AttributeWriter& attributes) {
  CopyScalarMembers(fields, task, kAttributePrefix, attributes);
}

// The fields every event of a task gets: ids, times, channel, queue, agent.
void MapTask(JsonFields& fields, const Form& form, absl::string_view sid,
             absl::string_view type, absl::Time time,
             absl::string_view channel_type, v1::Event* event) {
  event->set_event_id(BoundedId(absl::StrCat("twilio:task:", sid, ":", type,
                                             "@", absl::ToUnixMillis(time))));
  event->set_interaction_id(BoundedId(absl::StrCat("twilio:task:", sid)));
  SetTimestamp(time, event->mutable_updated_at());
  event->set_type("contact");
  event->set_moment(v1::INTERIM);
  event->set_channel(TaskChannel(fields.String(form.fields, form(kTaskChannel)),
                                 channel_type));
  absl::string_view queue = fields.String(form.fields, form(kTaskQueueName));
  if (queue.empty()) queue = fields.String(form.fields, form(kTaskQueueSid));
  event->set_queue(std::string(queue));
}

absl::string_view Worker(JsonFields& fields, const Form& form) {
  absl::string_view worker = fields.String(form.fields, form(kWorkerName));
  if (worker.empty()) worker = fields.String(form.fields, form(kWorkerSid));
  return worker;
}

void MapVersion(JsonFields& fields, const Form& form, absl::string_view type,
                absl::Time time, const JsonValue& task, v1::Event* event) {
  const auto age =
      fields.Duration(form.fields, form(kTaskAge), absl::Seconds(1));
  const auto created =
      EpochOrText(fields, fields.Member(form.fields, form(kTaskDateCreated)),
                  absl::Seconds(1));
  absl::Time occurred = time;
  if (created) {
    occurred = *created;
  } else if (age) {
    occurred = time - *age;
  }
  SetTimestamp(occurred, event->mutable_occurred_at());
  if (age) event->set_duration_ms(absl::ToInt64Milliseconds(*age));
  event->set_agent_id(std::string(Worker(fields, form)));
  if (type == "task.canceled") {
    event->set_outcome(v1::ABANDONED);
  } else if (type == "task.completed" &&
             absl::StrContains(
                 absl::AsciiStrToLower(fields.String(
                     form.fields,
                     form({"TaskCompletedReason", "task_completed_reason"}))),
                 "transfer")) {
    event->set_outcome(v1::TRANSFERRED);
  }
  AttributeWriter attributes(event);
  SetText(attributes, "event_type", type);
  for (const auto& [name, key] : kTextAttributes) {
    SetText(attributes, key, fields.String(form.fields, form(name)));
  }
  if (const auto priority =
          fields.Number(form.fields, form({"TaskPriority", "task_priority"}))) {
    attributes.Number("priority", *priority);
  }
  MapCustomer(fields, task, event, attributes);
  CopyTaskAttributes(fields, task, attributes);
  attributes.Finish();
}

void MapReservation(JsonFields& fields, const Form& form,
                    absl::string_view type, absl::Time time, v1::Event* event) {
  event->set_enrichment(true);
  SetTimestamp(time, event->mutable_occurred_at());
  const absl::string_view step = type.substr(type.find('.') + 1);
  if (step == "accepted" || step == "wrapup" || step == "completed") {
    event->set_agent_id(std::string(Worker(fields, form)));
  }
  AttributeWriter attributes(event);
  std::string key = absl::StrCat("reservation_", step, "_at");
  for (char& c : key) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  attributes.String(
      key, absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()));
  attributes.Finish();
}

}  // namespace

absl::Status MapTwilioTaskRouter(const JsonValue& record,
                                 const MapContext& context,
                                 std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  const bool stream = HasKeys(record, {"specversion"});
  const JsonValue data =
      fields.Object(record, "data", stream ? Need::kRequired : Need::kOptional);
  const JsonValue payload = fields.Object(data, "payload");
  const Form form{stream ? (payload.present ? payload : data) : record, stream};

  // The event type: the CloudEvent's type, else the field.
  const JsonValue type_value = fields.Member(form.fields, form(kEventType));
  const JsonValue cloud_type = fields.Member(record, "type");
  const JsonValue* type_source = &type_value;
  absl::string_view type_text = fields.AsString(type_value);
  if (stream) {
    const absl::string_view name = fields.AsString(cloud_type);
    if (absl::StartsWith(name, kCloudEventPrefix)) {
      type_text = name.substr(kCloudEventPrefix.size());
      type_source = &cloud_type;
    }
  }
  const std::string type = absl::AsciiStrToLower(type_text);
  const bool task_event = absl::StartsWith(type, "task.");
  if (type.empty()) {
    fields.Fail(type_source->path, "required, but missing");
  }
  const JsonValue sid_value = fields.Member(form.fields, form(kTaskSid));
  if (!fields.ok()) return fields.status();
  if (!task_event &&
      !(absl::StartsWith(type, "reservation.") && sid_value.present)) {
    return absl::OkStatus();  // not about a contact: skipped
  }
  const absl::string_view sid =
      fields.String(form.fields, form(kTaskSid), Need::kRequired);
  const auto time = EventTime(fields, record, form);
  if (!fields.ok()) return fields.status();

  // TaskAttributes: a JSON object in a string (or, in some exports, the
  // object itself). `parser` holds it while the event is mapped.
  simdjson::dom::parser parser;
  const JsonValue attributes_value =
      fields.Member(form.fields, form(kTaskAttributes));
  JsonValue task{simdjson::dom::element(), attributes_value.path, false};
  std::string_view text;
  if (attributes_value.present &&
      attributes_value.element.get_string().get(text) == simdjson::SUCCESS) {
    if (!text.empty()) {
      const simdjson::padded_string padded(text);
      simdjson::dom::element element;
      const auto error = parser.parse(padded).get(element);
      if (error != simdjson::SUCCESS || !element.is_object()) {
        fields.Fail(attributes_value.path,
                    error != simdjson::SUCCESS
                        ? absl::StrCat("must hold a JSON object: ",
                                       simdjson::error_message(error))
                        : absl::StrCat("must hold a JSON object, got ",
                                       JsonFields::TypeName(element)));
        return fields.status();
      }
      task.element = element;
      task.present = true;
    }
  } else if (attributes_value.present) {
    task = fields.Object(form.fields, form(kTaskAttributes));
  }
  const absl::string_view channel_type = fields.String(task, "channelType");
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  MapTask(fields, form, sid, type, *time, channel_type, &event);
  if (task_event) {
    MapVersion(fields, form, type, *time, task, &event);
  } else {
    MapReservation(fields, form, type, *time, &event);
  }
  return fields.status();
}

bool LooksLikeTwilioTaskRouter(const JsonValue& record) {
  if (HasKeys(record, {"EventType", "TaskSid"}) ||
      HasKeys(record, {"EventType", "WorkspaceSid"})) {
    return true;
  }
  if (!HasKeys(record, {"specversion", "type"})) return false;
  const absl::TimeZone utc = absl::UTCTimeZone();
  JsonFields fields(utc);
  return absl::StartsWith(fields.String(record, "type"), kCloudEventPrefix);
}

}  // namespace motive::ingest
