#include "ingest/zendesk_comment.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "ingest/zendesk_common.h"

namespace motive::ingest {
namespace {

// A comment as either source holds it.
struct Comment {
  int64_t ticket = 0;
  absl::Time created;
  std::optional<int64_t> id;
  std::optional<int64_t> user;
  std::optional<bool> is_public;
  std::optional<bool> is_voice;
};

// The one mapping of a comment, whichever source it came from.
void CommentEvent(const Comment& comment, v1::Event* event) {
  const std::string when = ZendeskTimeText(comment.created);
  if (comment.id) {
    event->set_event_id(
        BoundedId(absl::StrCat("zendesk:comment:", *comment.id)));
  } else {
    event->set_event_id(BoundedId(absl::StrCat(
        "zendesk:comment:", comment.ticket, ":",
        comment.user ? absl::StrCat(*comment.user) : "", "@", when)));
  }
  event->set_interaction_id(ZendeskTicketInteractionId(comment.ticket));
  event->set_enrichment(true);
  SetTimestamp(comment.created, event->mutable_occurred_at());
  SetTimestamp(comment.created, event->mutable_updated_at());
  event->set_type("ticket_comment");
  event->set_moment(v1::INTERIM);

  AttributeWriter attributes(event);
  attributes.String("last_comment_at", when);
  if (comment.user) {
    attributes.String("last_comment_user_id", absl::StrCat(*comment.user));
  }
  if (comment.is_public) {
    attributes.Bool("last_comment_public", *comment.is_public);
  }
  if (comment.is_public.value_or(false)) {
    attributes.String("last_public_comment_at", when);
  }
  if (comment.is_voice.value_or(false)) {
    attributes.String("last_voice_comment_at", when);
  }
  attributes.Finish();
}

// The ticket a source name such as ".../tickets/1077/comments.json" names:
// the digits after its last "tickets/", or nullopt.
std::optional<int64_t> TicketOfSourceName(absl::string_view name) {
  constexpr absl::string_view kTickets = "tickets/";
  const size_t at = name.rfind(kTickets);
  if (at == absl::string_view::npos) return std::nullopt;
  absl::string_view rest = name.substr(at + kTickets.size());
  size_t digits = 0;
  while (digits < rest.size() && absl::ascii_isdigit(rest[digits])) ++digits;
  int64_t id = 0;
  if (!absl::SimpleAtoi(rest.substr(0, digits), &id)) return std::nullopt;
  return id;
}

void MapJsonComment(JsonFields& fields, const JsonValue& object,
                    std::optional<int64_t> named_ticket,
                    std::vector<v1::Event>* out) {
  Comment comment;
  std::optional<int64_t> ticket = fields.Int(object, "ticket_id");
  if (!ticket) ticket = named_ticket;
  if (!ticket && fields.ok()) {
    fields.Fail(object.path.Key("ticket_id"),
                "required, but missing, and no source name "
                ".../tickets/<id>/comments names the ticket");
  }
  const auto created = fields.Time(object, "created_at", Need::kRequired);
  comment.id = fields.Int(object, "id");
  comment.user = fields.Int(object, "author_id");
  const JsonValue is_public = fields.Member(object, "public");
  if (is_public.present && !is_public.element.is_bool()) {
    fields.Fail(is_public.path,
                absl::StrCat("must be true or false, got ",
                             JsonFields::TypeName(is_public.element)));
  }
  const absl::string_view type = fields.String(object, "type");
  if (!fields.ok()) return;
  comment.ticket = *ticket;
  comment.created = *created;
  if (is_public.present) {
    comment.is_public = is_public.element.get_bool().value_unsafe();
  }
  if (!type.empty()) comment.is_voice = type == "VoiceComment";
  CommentEvent(comment, &out->emplace_back());
}

}  // namespace

absl::Status MapZendeskComment(const CsvRecord& row, const MapContext& context,
                               std::vector<v1::Event>* out) {
  CsvFields fields(context.options.timezone);
  Comment comment;
  const auto ticket = fields.Int(row, "ticket_id", Need::kRequired);
  const auto created = fields.Time(row, "created", Need::kRequired);
  comment.id = fields.Int(row, "id");
  comment.user = fields.Int(row, "user_id");
  comment.is_public = ZendeskBool(fields, row, "public");
  comment.is_voice = ZendeskBool(fields, row, "voice_comment");
  if (!fields.ok()) return fields.status();
  comment.ticket = *ticket;
  comment.created = *created;
  CommentEvent(comment, &out->emplace_back());
  return absl::OkStatus();
}

absl::Status MapZendeskCommentJson(const JsonValue& record,
                                   const MapContext& context,
                                   std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  const std::optional<int64_t> named =
      TicketOfSourceName(context.options.source_name);
  ForEachZendeskObject(fields, record, "comments", "comment",
                       [&](const JsonValue& comment) {
                         MapJsonComment(fields, comment, named, out);
                       });
  return fields.status();
}

bool LooksLikeZendeskComment(const CsvHeader& header) {
  return HasColumns(header, {"ticket_id", "created", "body"});
}

bool LooksLikeZendeskCommentJson(const JsonValue& record) {
  return HasKeys(record, {"comments"}) || HasKeys(record, {"comment"}) ||
         HasKeys(record, {"author_id", "body", "public", "created_at"});
}

}  // namespace motive::ingest
