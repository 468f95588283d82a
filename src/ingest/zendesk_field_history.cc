#include "ingest/zendesk_field_history.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kEmptyStatus =
    "required, but empty for field_name status";

// One change of one field, as either source holds it.
struct FieldChange {
  int64_t ticket = 0;
  std::string field;  // lower case
  absl::Time updated;
  std::optional<int64_t> user;
  std::string value;  // trimmed
  // The value of assignee_id and group_id, read as a whole number.
  std::optional<int64_t> id_value;
};

// Whether a field's value is an id that agent_id or queue takes.
bool TakesId(const FieldChange& change) {
  return (change.field == "assignee_id" || change.field == "group_id") &&
         !change.value.empty();
}

// Whether a status change lacks its status.
bool LacksStatus(const FieldChange& change) {
  return change.field == "status" && ZendeskStatus(change.value).empty();
}

bool IsDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

// `text` with every character but letters, digits, '_', '.' and '-' as
// '_', so that a key made of it is one motive takes.
std::string KeyText(absl::string_view text) {
  std::string key(text);
  for (char& c : key) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') c = '_';
  }
  return key;
}

// The attribute key a field's value goes to.
std::string AttributeKey(absl::string_view field) {
  if (field == "type") return "ticket_type";
  if (IsDigits(field)) return absl::StrCat("custom_field_", field);
  return KeyText(field);
}

// The one mapping of a change, whichever source it came from.
void ChangeEvent(const FieldChange& change, v1::Event* event) {
  const std::string when = ZendeskTimeText(change.updated);
  event->set_event_id(BoundedId(absl::StrCat("zendesk:ticket:", change.ticket,
                                             ":", change.field, "@", when)));
  event->set_interaction_id(ZendeskTicketInteractionId(change.ticket));
  event->set_enrichment(true);
  SetTimestamp(change.updated, event->mutable_occurred_at());
  SetTimestamp(change.updated, event->mutable_updated_at());
  event->set_type(change.field == "status" ? "status_change" : "field_change");
  event->set_moment(v1::INTERIM);

  const std::string key = AttributeKey(change.field);
  AttributeWriter attributes(event);
  if (change.field == "status") {
    const std::string status = ZendeskStatus(change.value);
    event->set_outcome(ZendeskOutcome(status));
    attributes.String("status", status);
    attributes.String(absl::StrCat(KeyText(status), "_at"), when);
  } else {
    if (change.id_value && change.field == "assignee_id") {
      event->set_agent_id(absl::StrCat(*change.id_value));
    }
    if (change.id_value && change.field == "group_id") {
      event->set_queue(absl::StrCat(*change.id_value));
    }
    attributes.String(key, change.value);
  }
  attributes.String(absl::StrCat(key, "_changed_at"), when);
  if (change.user) {
    attributes.String(absl::StrCat(key, "_changed_by"),
                      absl::StrCat(*change.user));
  }
  attributes.Finish();
}

// An audit of the API: each of its Create and Change events that names a
// field is one change, made at the audit's time by its author.
void MapAudit(JsonFields& fields, const JsonValue& audit,
              std::vector<v1::Event>* out) {
  const auto ticket = fields.Int(audit, "ticket_id", Need::kRequired);
  const auto created = fields.Time(audit, "created_at", Need::kRequired);
  const auto author = fields.Int(audit, "author_id");
  const JsonValue events = fields.Array(audit, "events");
  if (!fields.ok()) return;
  fields.ForEachItem(events, [&](const JsonValue& item) {
    const absl::string_view type = fields.String(item, "type");
    if (type != "Change" && type != "Create") return;
    FieldChange change;
    change.field =
        absl::AsciiStrToLower(ZendeskJsonText(fields, item, "field_name"));
    if (change.field.empty()) return;
    change.value = ZendeskJsonText(fields, item, "value");
    if (TakesId(change)) change.id_value = fields.Int(item, "value");
    if (LacksStatus(change) && fields.ok()) {
      fields.Fail(item.path.Key("value"), kEmptyStatus);
    }
    if (!fields.ok()) return;
    change.ticket = *ticket;
    change.updated = *created;
    change.user = author;
    ChangeEvent(change, &out->emplace_back());
  });
}

}  // namespace

absl::Status MapZendeskFieldHistory(const CsvRecord& row,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  FieldChange change;
  const auto ticket = fields.Int(row, "ticket_id", Need::kRequired);
  change.field = absl::AsciiStrToLower(
      ZendeskText(fields, row, "field_name", Need::kRequired));
  const auto updated = fields.Time(row, "updated", Need::kRequired);
  change.user = fields.Int(row, "user_id");
  change.value = std::string(ZendeskText(fields, row, "value"));
  if (LacksStatus(change) && fields.ok()) fields.Fail("value", kEmptyStatus);
  if (TakesId(change)) change.id_value = fields.Int(row, "value");
  if (!fields.ok()) return fields.status();
  change.ticket = *ticket;
  change.updated = *updated;
  ChangeEvent(change, &out->emplace_back());
  return absl::OkStatus();
}

absl::Status MapZendeskFieldHistoryJson(const JsonValue& record,
                                        const MapContext& context,
                                        std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  ForEachZendeskObject(
      fields, record, "audits", "audit",
      [&](const JsonValue& audit) { MapAudit(fields, audit, out); });
  return fields.status();
}

bool LooksLikeZendeskFieldHistory(const CsvHeader& header) {
  return HasColumns(header, {"ticket_id", "field_name", "value", "updated"});
}

bool LooksLikeZendeskFieldHistoryJson(const JsonValue& record) {
  return HasKeys(record, {"audits"}) || HasKeys(record, {"audit"}) ||
         HasKeys(record, {"ticket_id", "events", "created_at"});
}

}  // namespace motive::ingest
