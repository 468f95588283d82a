#include "ingest/zendesk_ticket.h"

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

// Fields kept as attributes as written: the CSV column, the API's key (the
// same name but for type) and the attribute's key.
struct TextAttribute {
  absl::string_view column;
  absl::string_view key;
};
constexpr TextAttribute kTextAttributes[] = {
    {"priority", "priority"},
    {"type", "ticket_type"},
    {"group_id", "group_id"},
    {"brand_id", "brand_id"},
    {"organization_id", "organization_id"},
    {"ticket_form_id", "ticket_form_id"},
    {"submitter_id", "submitter_id"},
    {"external_id", "external_id"},
    {"problem_id", "problem_id"},
};

// Lists Fivetran writes as JSON arrays; "[]" says nothing. The API's
// ticket has followup_ids only.
constexpr absl::string_view kListAttributes[] = {"merged_ticket_ids",
                                                 "followup_ids"};

// A ticket as either source holds it; strings trimmed, "" when absent.
struct Ticket {
  int64_t id = 0;
  absl::Time created;
  std::optional<absl::Time> updated;
  int64_t requester = 0;
  std::optional<int64_t> assignee;
  std::optional<int64_t> group;
  std::optional<absl::Time> due;
  std::string status;  // as ZendeskStatus writes it
  std::string via;
  std::string from_address;
  std::string subject;  // verbatim
  std::string text[std::size(kTextAttributes)];
  std::string lists[std::size(kListAttributes)];
};

// The fields the warehouse table and the API's ticket name alike, read
// with either's accessors. A required one that is missing leaves its zero
// here and the error in `fields`, which the caller checks.
template <typename Fields, typename Record>
void ReadSharedFields(Fields& fields, const Record& record, Ticket* ticket) {
  ticket->id = fields.Int(record, "id", Need::kRequired).value_or(0);
  ticket->created =
      fields.Time(record, "created_at", Need::kRequired).value_or(absl::Time());
  ticket->updated = fields.Time(record, "updated_at");
  ticket->requester =
      fields.Int(record, "requester_id", Need::kRequired).value_or(0);
  ticket->assignee = fields.Int(record, "assignee_id");
  ticket->group = fields.Int(record, "group_id");
  ticket->due = fields.Time(record, "due_at");
  ticket->status = ZendeskStatus(fields.String(record, "status"));
}

void AddIdentifier(absl::string_view name, absl::string_view value,
                   v1::Event* event) {
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(std::string(name));
  identifier->set_value(std::string(value));
}

// The one mapping of a ticket, whichever source it came from. `more` adds
// what only one source has, after the common attributes.
template <typename More>
void TicketEvent(const Ticket& ticket, More&& more, v1::Event* event) {
  const absl::Time updated = ticket.updated.value_or(ticket.created);
  event->set_event_id(BoundedId(absl::StrCat("zendesk:ticket:", ticket.id, "@",
                                             ZendeskTimeText(updated))));
  event->set_interaction_id(ZendeskTicketInteractionId(ticket.id));
  SetTimestamp(ticket.created, event->mutable_occurred_at());
  SetTimestamp(updated, event->mutable_updated_at());
  event->set_type("ticket");
  event->set_moment(v1::INTERIM);
  event->set_channel(ZendeskChannel(ticket.via));
  event->set_outcome(ZendeskOutcome(ticket.status));
  AddIdentifier("zendesk_user", absl::StrCat(ticket.requester), event);
  if (event->channel() == v1::EMAIL && !ticket.from_address.empty()) {
    AddIdentifier("email", ticket.from_address, event);
  }
  event->set_topic(
      std::string(TruncateUtf8(ticket.subject, model::kMaxIdBytes)));
  if (ticket.assignee) event->set_agent_id(absl::StrCat(*ticket.assignee));
  if (ticket.group) event->set_queue(absl::StrCat(*ticket.group));

  AttributeWriter attributes(event);
  if (!ticket.status.empty()) attributes.String("status", ticket.status);
  for (size_t i = 0; i < std::size(kTextAttributes); ++i) {
    if (!ticket.text[i].empty()) {
      attributes.String(kTextAttributes[i].key, ticket.text[i]);
    }
  }
  if (!ticket.via.empty()) attributes.String("via_channel", ticket.via);
  if (ticket.due) attributes.String("due_at", ZendeskTimeText(*ticket.due));
  for (size_t i = 0; i < std::size(kListAttributes); ++i) {
    if (!ticket.lists[i].empty() && ticket.lists[i] != "[]") {
      attributes.String(kListAttributes[i], ticket.lists[i]);
    }
  }
  more(attributes);
  attributes.Finish();
}

// A ticket of the API (the Tickets API's ticket object).
void MapJsonTicket(JsonFields& fields, const JsonValue& object,
                   std::vector<v1::Event>* out) {
  Ticket ticket;
  ReadSharedFields(fields, object, &ticket);
  const JsonValue via = fields.Object(object, "via");
  ticket.via = ZendeskJsonText(fields, via, "channel");
  ticket.from_address = ZendeskJsonText(
      fields, fields.Object(fields.Object(via, "source"), "from"), "address");
  ticket.subject = std::string(fields.String(object, "subject"));
  for (size_t i = 0; i < std::size(kTextAttributes); ++i) {
    ticket.text[i] = ZendeskJsonText(fields, object, kTextAttributes[i].column);
  }
  for (size_t i = 0; i < std::size(kListAttributes); ++i) {
    ticket.lists[i] = ZendeskJsonText(fields, object, kListAttributes[i]);
  }
  const JsonValue tags = fields.Array(object, "tags");
  const JsonValue custom = fields.Array(object, "custom_fields");
  if (!fields.ok()) return;

  // Tags and custom fields: the warehouse keeps them in tables of their own
  // (ticket_tag, the custom field columns); the API's ticket carries them.
  auto more = [&](AttributeWriter& attributes) {
    std::string tag_list;
    fields.ForEachItem(tags, [&](const JsonValue& tag) {
      const absl::string_view text = fields.AsString(tag);
      if (text.empty()) return;
      absl::StrAppend(&tag_list, tag_list.empty() ? "" : " ", text);
    });
    if (!tag_list.empty()) attributes.String("tags", tag_list);
    fields.ForEachItem(custom, [&](const JsonValue& field) {
      const std::string id_text = ZendeskJsonText(fields, field, "id");
      const JsonValue value = fields.Member(field, "value");
      if (id_text.empty() || !value.present) return;
      const std::string key = absl::StrCat("custom_field_", id_text);
      if (value.element.is_array() || value.element.is_object()) {
        attributes.Drop();  // a multi-select's list
      } else if (value.element.is_bool()) {
        attributes.Bool(key, value.element.get_bool().value_unsafe());
      } else {
        attributes.String(key, ZendeskJsonText(fields, field, "value"));
      }
    });
  };
  TicketEvent(ticket, more, &out->emplace_back());
}

}  // namespace

absl::Status MapZendeskTicket(const CsvRecord& row, const MapContext& context,
                              std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  Ticket ticket;
  ReadSharedFields(fields, row, &ticket);
  ticket.via = std::string(ZendeskText(fields, row, "via_channel"));
  ticket.from_address =
      std::string(ZendeskText(fields, row, "via_source_from_address"));
  ticket.subject = std::string(fields.String(row, "subject"));
  for (size_t i = 0; i < std::size(kTextAttributes); ++i) {
    ticket.text[i] =
        std::string(ZendeskText(fields, row, kTextAttributes[i].column));
  }
  for (size_t i = 0; i < std::size(kListAttributes); ++i) {
    ticket.lists[i] = std::string(ZendeskText(fields, row, kListAttributes[i]));
  }
  if (!fields.ok()) return fields.status();
  TicketEvent(
      ticket, [](AttributeWriter&) {}, &out->emplace_back());
  return fields.status();
}

absl::Status MapZendeskTicketJson(const JsonValue& record,
                                  const MapContext& context,
                                  std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  ForEachZendeskObject(
      fields, record, "tickets", "ticket",
      [&](const JsonValue& ticket) { MapJsonTicket(fields, ticket, out); });
  return fields.status();
}

bool LooksLikeZendeskTicket(const CsvHeader& header) {
  return HasColumns(header, {"id", "created_at", "status", "requester_id"});
}

bool LooksLikeZendeskTicketJson(const JsonValue& record) {
  return HasKeys(record, {"tickets"}) || HasKeys(record, {"ticket"}) ||
         HasKeys(record, {"id", "created_at", "status", "requester_id"});
}

}  // namespace motive::ingest
