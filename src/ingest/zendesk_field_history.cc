#include "ingest/zendesk_field_history.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"

namespace motive::ingest {
namespace {

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

}  // namespace

absl::Status MapZendeskFieldHistory(const CsvRecord& row,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  const auto ticket = fields.Int(row, "ticket_id", Need::kRequired);
  const std::string field = absl::AsciiStrToLower(
      ZendeskText(fields, row, "field_name", Need::kRequired));
  const auto updated = fields.Time(row, "updated", Need::kRequired);
  const auto user = fields.Int(row, "user_id");
  const absl::string_view value = ZendeskText(fields, row, "value");
  std::string status;
  if (field == "status") {
    status = ZendeskStatus(value);
    if (status.empty() && fields.ok()) {
      fields.Fail("value", "required, but empty for field_name status");
    }
  }
  std::optional<int64_t> id_value;  // of assignee_id and group_id
  if ((field == "assignee_id" || field == "group_id") && !value.empty()) {
    id_value = fields.Int(row, "value");
  }
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  event.set_event_id(
      BoundedId(absl::StrCat("zendesk:ticket:", *ticket, ":", field, "@",
                             ZendeskText(fields, row, "updated"))));
  event.set_interaction_id(ZendeskTicketInteractionId(*ticket));
  event.set_enrichment(true);
  SetTimestamp(*updated, event.mutable_occurred_at());
  SetTimestamp(*updated, event.mutable_updated_at());
  event.set_type(field == "status" ? "status_change" : "field_change");
  event.set_moment(v1::INTERIM);

  const std::string when = ZendeskTimeText(*updated);
  const std::string key = AttributeKey(field);
  AttributeWriter attributes(&event);
  if (field == "status") {
    event.set_outcome(ZendeskOutcome(status));
    attributes.String("status", status);
    attributes.String(absl::StrCat(KeyText(status), "_at"), when);
  } else {
    if (id_value && field == "assignee_id") {
      event.set_agent_id(absl::StrCat(*id_value));
    }
    if (id_value && field == "group_id") {
      event.set_queue(absl::StrCat(*id_value));
    }
    attributes.String(key, value);
  }
  attributes.String(absl::StrCat(key, "_changed_at"), when);
  if (user) {
    attributes.String(absl::StrCat(key, "_changed_by"), absl::StrCat(*user));
  }
  attributes.Finish();
  return fields.status();
}

bool LooksLikeZendeskFieldHistory(const CsvHeader& header) {
  return HasColumns(header, {"ticket_id", "field_name", "value", "updated"});
}

}  // namespace motive::ingest
