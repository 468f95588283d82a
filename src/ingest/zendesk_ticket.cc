#include "ingest/zendesk_ticket.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

// Columns kept as attributes as written, under the attribute key.
constexpr std::pair<absl::string_view, absl::string_view> kTextAttributes[] = {
    {"priority", "priority"},
    {"type", "ticket_type"},
    {"group_id", "group_id"},
    {"brand_id", "brand_id"},
    {"organization_id", "organization_id"},
    {"ticket_form_id", "ticket_form_id"},
    {"submitter_id", "submitter_id"},
    {"via_channel", "via_channel"},
    {"external_id", "external_id"},
    {"problem_id", "problem_id"},
};

// Lists Fivetran writes as JSON arrays; "[]" says nothing.
constexpr absl::string_view kListAttributes[] = {"merged_ticket_ids",
                                                 "followup_ids"};

void AddIdentifier(absl::string_view name, absl::string_view value,
                   v1::Event* event) {
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(std::string(name));
  identifier->set_value(std::string(value));
}

void MapAttributes(CsvFields& fields, const CsvRecord& row,
                   absl::string_view status, v1::Event* event) {
  AttributeWriter attributes(event);
  if (!status.empty()) attributes.String("status", status);
  for (const auto& [column, key] : kTextAttributes) {
    const absl::string_view value = ZendeskText(fields, row, column);
    if (!value.empty()) attributes.String(key, value);
  }
  if (const auto due = fields.Time(row, "due_at")) {
    attributes.String("due_at", ZendeskTimeText(*due));
  }
  for (const absl::string_view column : kListAttributes) {
    const absl::string_view value = ZendeskText(fields, row, column);
    if (!value.empty() && value != "[]") attributes.String(column, value);
  }
  attributes.Finish();
}

}  // namespace

absl::Status MapZendeskTicket(const CsvRecord& row, const MapContext& context,
                              std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  const auto id = fields.Int(row, "id", Need::kRequired);
  const auto created = fields.Time(row, "created_at", Need::kRequired);
  const auto updated = fields.Time(row, "updated_at");
  const auto requester = fields.Int(row, "requester_id", Need::kRequired);
  const auto assignee = fields.Int(row, "assignee_id");
  const auto group = fields.Int(row, "group_id");
  const std::string status = ZendeskStatus(fields.String(row, "status"));
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  const absl::string_view version =
      ZendeskText(fields, row, updated ? "updated_at" : "created_at");
  event.set_event_id(
      BoundedId(absl::StrCat("zendesk:ticket:", *id, "@", version)));
  event.set_interaction_id(ZendeskTicketInteractionId(*id));
  SetTimestamp(*created, event.mutable_occurred_at());
  SetTimestamp(updated ? *updated : *created, event.mutable_updated_at());
  event.set_type("ticket");
  event.set_moment(v1::INTERIM);
  const absl::string_view via = fields.String(row, "via_channel");
  event.set_channel(ZendeskChannel(via));
  event.set_outcome(ZendeskOutcome(status));
  AddIdentifier("zendesk_user", absl::StrCat(*requester), &event);
  if (event.channel() == v1::EMAIL) {
    const absl::string_view from =
        ZendeskText(fields, row, "via_source_from_address");
    if (!from.empty()) AddIdentifier("email", from, &event);
  }
  event.set_topic(std::string(
      TruncateUtf8(fields.String(row, "subject"), model::kMaxIdBytes)));
  if (assignee) event.set_agent_id(absl::StrCat(*assignee));
  if (group) event.set_queue(absl::StrCat(*group));
  MapAttributes(fields, row, status, &event);
  return fields.status();
}

bool LooksLikeZendeskTicket(const CsvHeader& header) {
  return HasColumns(header, {"id", "created_at", "status", "requester_id"});
}

}  // namespace motive::ingest
