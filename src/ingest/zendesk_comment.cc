#include "ingest/zendesk_comment.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"

namespace motive::ingest {

absl::Status MapZendeskComment(const CsvRecord& row, const MapContext& context,
                               std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  const auto ticket = fields.Int(row, "ticket_id", Need::kRequired);
  const auto created = fields.Time(row, "created", Need::kRequired);
  const auto comment = fields.Int(row, "id");
  const auto user = fields.Int(row, "user_id");
  const auto is_public = ZendeskBool(fields, row, "public");
  const auto is_voice = ZendeskBool(fields, row, "voice_comment");
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  if (comment) {
    event.set_event_id(BoundedId(absl::StrCat("zendesk:comment:", *comment)));
  } else {
    event.set_event_id(BoundedId(absl::StrCat(
        "zendesk:comment:", *ticket, ":", user ? absl::StrCat(*user) : "", "@",
        ZendeskText(fields, row, "created"))));
  }
  event.set_interaction_id(ZendeskTicketInteractionId(*ticket));
  event.set_enrichment(true);
  SetTimestamp(*created, event.mutable_occurred_at());
  SetTimestamp(*created, event.mutable_updated_at());
  event.set_type("ticket_comment");
  event.set_moment(v1::INTERIM);

  const std::string when = ZendeskTimeText(*created);
  AttributeWriter attributes(&event);
  attributes.String("last_comment_at", when);
  if (user) attributes.String("last_comment_user_id", absl::StrCat(*user));
  if (is_public) attributes.Bool("last_comment_public", *is_public);
  if (is_public.value_or(false)) {
    attributes.String("last_public_comment_at", when);
  }
  if (is_voice.value_or(false)) {
    attributes.String("last_voice_comment_at", when);
  }
  attributes.Finish();
  return fields.status();
}

bool LooksLikeZendeskComment(const CsvHeader& header) {
  return HasColumns(header, {"ticket_id", "created", "body"});
}

}  // namespace motive::ingest
