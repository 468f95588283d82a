#include "ingest/connect_ctr.h"

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/connect_common.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kAttributePrefix = "connect.";

// Top-level text fields kept as attributes as they are.
constexpr std::pair<absl::string_view, absl::string_view> kTextAttributes[] = {
    {"InitiationMethod", "initiation_method"},
    {"DisconnectReason", "disconnect_reason"},
    {"InitialContactId", "initial_contact_id"},
    {"PreviousContactId", "previous_contact_id"},
    {"NextContactId", "next_contact_id"},
};

void SetMillis(AttributeWriter& attributes, absl::string_view key,
               std::optional<absl::Duration> duration) {
  if (duration) {
    attributes.Number(key, absl::ToDoubleMilliseconds(*duration));
  }
}

void SetText(AttributeWriter& attributes, absl::string_view key,
             absl::string_view value) {
  if (!value.empty()) attributes.String(key, value);
}

// The `name_key` member of an Agent or a Queue, else its ARN, within what
// agent_id and queue hold.
absl::string_view NameOrArn(JsonFields& fields, const JsonValue& parent,
                            absl::string_view name_key) {
  absl::string_view key = name_key;
  absl::string_view value = fields.String(parent, key);
  if (value.empty()) {
    key = "ARN";
    value = fields.String(parent, key);
  }
  if (value.size() > model::kMaxIdBytes) {
    fields.Fail(parent.path.Key(key),
                absl::StrCat("must be at most ", model::kMaxIdBytes,
                             " bytes, got ", value.size()));
    return {};
  }
  return value;
}

void MapCustomerEndpoint(JsonFields& fields, const JsonValue& record,
                         v1::Event* event) {
  const JsonValue endpoint = fields.Object(record, "CustomerEndpoint");
  const absl::string_view address = fields.String(endpoint, "Address");
  const absl::string_view type = fields.String(endpoint, "Type");
  if (address.empty()) return;
  if (address.size() > model::kMaxIdentifierValueBytes) {
    fields.Fail(
        endpoint.path.Key("Address"),
        absl::StrCat("must be at most ", model::kMaxIdentifierValueBytes,
                     " bytes, got ", address.size()));
    return;
  }
  absl::string_view name;
  if (absl::EqualsIgnoreCase(type, "TELEPHONE_NUMBER")) {
    name = "phone";
  } else if (absl::EqualsIgnoreCase(type, "EMAIL_ADDRESS")) {
    name = "email";
  } else {
    return;
  }
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(std::string(name));
  identifier->set_value(std::string(address));
}

// Agent and its durations; false when the contact reached no agent.
bool MapAgent(JsonFields& fields, const JsonValue& record, v1::Event* event,
              AttributeWriter& attributes) {
  const JsonValue agent = fields.Object(record, "Agent");
  if (!agent.present) return false;
  event->set_agent_id(std::string(NameOrArn(fields, agent, "Username")));
  const auto hold =
      fields.Duration(agent, "CustomerHoldDuration", absl::Seconds(1));
  if (hold) event->set_hold_ms(absl::ToInt64Milliseconds(*hold));
  if (const auto holds = fields.Int(agent, "NumberOfHolds")) {
    attributes.Number("number_of_holds", static_cast<double>(*holds));
  }
  SetMillis(attributes, "longest_hold_ms",
            fields.Duration(agent, "LongestHoldDuration", absl::Seconds(1)));
  SetMillis(
      attributes, "agent_interaction_ms",
      fields.Duration(agent, "AgentInteractionDuration", absl::Seconds(1)));
  SetMillis(
      attributes, "after_contact_work_ms",
      fields.Duration(agent, "AfterContactWorkDuration", absl::Seconds(1)));
  const JsonValue profile = fields.Object(agent, "RoutingProfile");
  SetText(attributes, "routing_profile", fields.String(profile, "Name"));
  return true;
}

// Queue; false when the contact was never queued.
bool MapQueue(JsonFields& fields, const JsonValue& record, v1::Event* event,
              AttributeWriter& attributes) {
  const JsonValue queue = fields.Object(record, "Queue");
  if (!queue.present) return false;
  event->set_queue(std::string(NameOrArn(fields, queue, "Name")));
  SetMillis(attributes, "queue_wait_ms",
            fields.Duration(queue, "Duration", absl::Seconds(1)));
  return true;
}

// Attributes{}, after the mapping's own attributes.
void MapContactAttributes(JsonFields& fields, const JsonValue& record,
                          AttributeWriter& attributes) {
  CopyScalarMembers(fields, fields.Object(record, "Attributes"),
                    kAttributePrefix, attributes);
}

}  // namespace

absl::Status MapConnectCtr(const JsonValue& record, const MapContext& context,
                           std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  const absl::string_view contact_id =
      fields.String(record, "ContactId", Need::kRequired);
  const JsonValue updated_value =
      fields.Member(record, "LastUpdateTimestamp", Need::kRequired);
  const auto updated = fields.AsTime(updated_value);
  const auto initiated =
      fields.Time(record, "InitiationTimestamp", Need::kRequired);
  const auto disconnected = fields.Time(record, "DisconnectTimestamp");
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  event.set_event_id(BoundedId(
      absl::StrCat("connect:", contact_id, "@", AsWritten(updated_value))));
  event.set_interaction_id(ConnectInteractionId(contact_id));
  SetTimestamp(*updated, event.mutable_updated_at());
  SetTimestamp(*initiated, event.mutable_occurred_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_channel(ConnectChannel(fields.String(record, "Channel")));
  if (disconnected) {
    if (*disconnected < *initiated) {
      fields.Fail(FieldPath().Key("DisconnectTimestamp"),
                  "must not be before InitiationTimestamp");
    } else {
      event.set_duration_ms(
          absl::ToInt64Milliseconds(*disconnected - *initiated));
    }
  }
  MapCustomerEndpoint(fields, record, &event);

  AttributeWriter attributes(&event);
  const bool had_agent = MapAgent(fields, record, &event, attributes);
  // Connect counts hold in whole seconds and the contact from its own
  // timestamps, so a contact held to its end can show more hold than
  // length: the hold is the contact's at most (the record stays).
  if (event.has_hold_ms() && event.has_duration_ms() &&
      event.hold_ms() > event.duration_ms()) {
    event.set_hold_ms(event.duration_ms());
  }
  const bool queued = MapQueue(fields, record, &event, attributes);
  const JsonValue transfer = fields.Object(record, "TransferredToEndpoint");
  if (transfer.present) {
    event.set_transfers(1);
    event.set_outcome(v1::TRANSFERRED);
    SetText(attributes, "transferred_to", fields.String(transfer, "Address"));
  } else if (queued && !had_agent && disconnected) {
    event.set_outcome(v1::ABANDONED);
  }
  for (const auto& [source, key] : kTextAttributes) {
    SetText(attributes, key, fields.String(record, source));
  }
  MapContactAttributes(fields, record, attributes);
  attributes.Finish();
  return fields.status();
}

bool LooksLikeConnectCtr(const JsonValue& record) {
  return HasKeys(record, {"ContactId", "InitiationTimestamp"}) &&
         (HasKeys(record, {"CustomerEndpoint"}) || HasKeys(record, {"Agent"}) ||
          HasKeys(record, {"Queue"}));
}

}  // namespace motive::ingest
