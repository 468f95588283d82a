#include "ingest/zendesk_chat_event.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"
#include "model/event_validation.h"
#include "simdjson.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kOriginal = "original_message";

// "ChatDepartmentTransfer" as "chat_department_transfer"; characters that
// are neither letters nor digits become '_'.
std::string SnakeName(absl::string_view name) {
  std::string snake;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (absl::ascii_isupper(c)) {
      if (i > 0 && !snake.empty() && snake.back() != '_') snake += '_';
      snake += absl::ascii_tolower(c);
    } else {
      snake += absl::ascii_isalnum(c) ? c : '_';
    }
  }
  return snake;
}

// What a chat step's original_message tells, for the steps that use it.
struct Original {
  std::string email;
  std::string department_name;
  std::string department_id;
};

// Reads original_message (a JSON object, or empty) into `original`; an
// error of `fields` naming the column (or the member) otherwise.
void ReadOriginal(CsvFields& fields, const CsvRecord& row,
                  const absl::TimeZone& zone, Original* original) {
  const absl::string_view cell = ZendeskText(fields, row, kOriginal);
  if (cell.empty()) return;
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  const simdjson::error_code error =
      parser.parse(cell.data(), cell.size()).get(element);
  if (error != simdjson::SUCCESS) {
    fields.Fail(kOriginal, absl::StrCat("must be a JSON object: ",
                                        simdjson::error_message(error)));
    return;
  }
  if (element.type() != simdjson::dom::element_type::OBJECT) {
    fields.Fail(kOriginal, absl::StrCat("must be a JSON object, got ",
                                        JsonFields::TypeName(element)));
    return;
  }
  const FieldPath root;
  const FieldPath path = root.Key(kOriginal);
  const JsonValue object{element, path, true};
  JsonFields json(zone);
  absl::string_view email = json.String(object, "email");
  if (email.empty()) email = json.String(object, "new_email");
  original->email = std::string(absl::StripAsciiWhitespace(email));
  original->department_name =
      std::string(json.String(object, "department_name"));
  const JsonValue id = json.Member(object, "department_id");
  if (id.present) original->department_id = AsWritten(id);
  if (!json.ok()) {
    fields.Fail(base::ErrorField(json.status()),
                base::ErrorReason(json.status()));
  }
}

}  // namespace

absl::Status MapZendeskChatEvent(const CsvRecord& row,
                                 const MapContext& context,
                                 std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  const absl::string_view chat =
      ZendeskText(fields, row, "chat_id", Need::kRequired);
  const auto created = fields.Time(row, "created_at", Need::kRequired);
  const absl::string_view step =
      ZendeskText(fields, row, "type", Need::kRequired);
  const absl::string_view actor = ZendeskText(fields, row, "actor_id");
  const bool email_changed = absl::EqualsIgnoreCase(step, "ChatEmailChanged");
  const bool transfer = absl::EqualsIgnoreCase(step, "ChatDepartmentTransfer");
  Original original;
  if (email_changed || transfer) {
    ReadOriginal(fields, row, context.options.timezone, &original);
  }
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  std::string id = absl::StrCat("zendesk:chat:", chat, ":", step, "@",
                                ZendeskText(fields, row, "created_at"));
  if (!actor.empty()) absl::StrAppend(&id, ":", actor);
  event.set_event_id(BoundedId(id));
  event.set_interaction_id(BoundedId(absl::StrCat("zendesk:chat:", chat)));
  SetTimestamp(*created, event.mutable_occurred_at());
  SetTimestamp(*created, event.mutable_updated_at());
  event.set_type("chat");
  event.set_channel(v1::CHAT);
  event.set_moment(v1::INTERIM);
  if (email_changed && !original.email.empty()) {
    v1::Identifier* identifier = event.add_identifiers();
    identifier->set_namespace_("email");
    identifier->set_value(original.email);
  } else {
    event.set_enrichment(true);
  }

  AttributeWriter attributes(&event);
  if (transfer) {
    event.set_transfers(1);
    if (!original.department_name.empty()) {
      event.set_queue(std::string(
          TruncateUtf8(original.department_name, model::kMaxIdBytes)));
    } else if (!original.department_id.empty()) {
      event.set_queue(BoundedId(original.department_id));
    }
    if (!original.department_id.empty()) {
      attributes.String("department_id", original.department_id);
    }
  }
  const std::string name = SnakeName(step);
  attributes.String(absl::StrCat(name, "_at"), ZendeskTimeText(*created));
  if (!actor.empty()) attributes.String(absl::StrCat(name, "_by"), actor);
  attributes.Finish();
  return fields.status();
}

bool LooksLikeZendeskChatEvent(const CsvHeader& header) {
  return HasColumns(header, {"chat_id", "actor_id", "type"});
}

}  // namespace motive::ingest
