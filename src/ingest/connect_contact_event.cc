#include "ingest/connect_contact_event.h"

#include <optional>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/connect_common.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kDetailType = "Amazon Connect Contact Event";

bool IsEnvelope(const JsonValue& record) {
  return HasKeys(record, {"detail-type", "detail"});
}

// The step's own time, when the detail has it.
JsonValue StepTime(JsonFields& fields, const JsonValue& detail,
                   absl::string_view event_type, const JsonValue& agent,
                   const JsonValue& queue) {
  if (absl::EqualsIgnoreCase(event_type, "CONNECTED_TO_AGENT")) {
    return fields.Member(agent, "connectedToAgentTimestamp");
  }
  if (absl::EqualsIgnoreCase(event_type, "QUEUED")) {
    return fields.Member(queue, "enqueueTimestamp");
  }
  if (absl::EqualsIgnoreCase(event_type, "DISCONNECTED")) {
    return fields.Member(detail, "disconnectTimestamp");
  }
  return JsonValue{};
}

void MapDetailAttributes(JsonFields& fields, const JsonValue& detail,
                         const JsonValue& agent, const JsonValue& queue,
                         AttributeWriter& attributes) {
  static constexpr std::pair<absl::string_view, absl::string_view> kText[] = {
      {"initiationMethod", "initiation_method"},
      {"initialContactId", "initial_contact_id"},
      {"previousContactId", "previous_contact_id"},
      {"disconnectReason", "disconnect_reason"},
  };
  for (const auto& [source, key] : kText) {
    const absl::string_view value = fields.String(detail, source);
    if (!value.empty()) attributes.String(key, value);
  }
  const absl::string_view agent_arn = fields.String(agent, "agentArn");
  if (!agent_arn.empty()) attributes.String("agent_arn", agent_arn);
  const absl::string_view queue_arn = fields.String(queue, "queueArn");
  if (!queue_arn.empty()) attributes.String("queue_arn", queue_arn);
  const absl::string_view queue_type = fields.String(queue, "queueType");
  if (!queue_type.empty()) attributes.String("queue_type", queue_type);
  const auto enqueued = fields.Time(queue, "enqueueTimestamp");
  const auto connected = fields.Time(agent, "connectedToAgentTimestamp");
  if (enqueued && connected && *connected >= *enqueued) {
    attributes.Number("queue_wait_ms",
                      absl::ToDoubleMilliseconds(*connected - *enqueued));
  }
}

}  // namespace

absl::Status MapConnectContactEvent(const JsonValue& record,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  JsonValue detail = record;
  JsonValue envelope_time;
  if (IsEnvelope(record)) {
    const JsonValue detail_type = fields.Member(record, "detail-type");
    if (fields.AsString(detail_type) != kDetailType) {
      fields.Fail(detail_type.path,
                  absl::StrCat("must be \"", kDetailType, "\""));
    }
    detail = fields.Object(record, "detail", Need::kRequired);
    envelope_time = fields.Member(record, "time");
  }
  const absl::string_view contact_id =
      fields.String(detail, "contactId", Need::kRequired);
  const absl::string_view event_type =
      fields.String(detail, "eventType", Need::kRequired);
  const JsonValue agent = fields.Object(detail, "agentInfo");
  const JsonValue queue = fields.Object(detail, "queueInfo");
  JsonValue when = StepTime(fields, detail, event_type, agent, queue);
  if (!when.present) when = envelope_time;
  if (!when.present) {
    when = fields.Member(detail, "initiationTimestamp", Need::kRequired);
  }
  const std::optional<absl::Time> time = fields.AsTime(when);
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  const std::string step = ConnectLowerName(event_type);
  event.set_event_id(BoundedId(absl::StrCat("connect:", contact_id, ":",
                                            event_type, "@", AsWritten(when))));
  event.set_interaction_id(ConnectInteractionId(contact_id));
  event.set_enrichment(true);
  SetTimestamp(*time, event.mutable_occurred_at());
  SetTimestamp(*time, event.mutable_updated_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_channel(ConnectChannel(fields.String(detail, "channel")));
  AttributeWriter attributes(&event);
  attributes.String(absl::StrCat(step, "_at"), AsWritten(when));
  MapDetailAttributes(fields, detail, agent, queue, attributes);
  attributes.Finish();
  return fields.status();
}

bool LooksLikeConnectContactEvent(const JsonValue& record) {
  if (IsEnvelope(record)) {
    std::string_view type;
    return record.element["detail-type"].get_string().get(type) ==
               simdjson::SUCCESS &&
           View(type) == kDetailType;
  }
  return HasKeys(record, {"contactId", "eventType"});
}

}  // namespace motive::ingest
