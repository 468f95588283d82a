#include "ingest/zendesk_common.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"
#include "model/field_text.h"

namespace motive::ingest {
namespace {

bool IsOneOf(absl::string_view word,
             std::initializer_list<absl::string_view> words) {
  for (const absl::string_view candidate : words) {
    if (word == candidate) return true;
  }
  return false;
}

}  // namespace

std::string ZendeskTicketInteractionId(int64_t ticket_id) {
  return BoundedId(absl::StrCat("zendesk:ticket:", ticket_id));
}

v1::Channel ZendeskChannel(absl::string_view via_channel) {
  const std::string channel =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(via_channel));
  if (channel.empty()) return v1::CHANNEL_UNSPECIFIED;
  if (IsOneOf(channel, {"web", "web_form", "web_widget", "help_center",
                        "web_service"})) {
    return v1::WEB;
  }
  if (channel == "email") return v1::EMAIL;
  if (IsOneOf(channel,
              {"chat", "chat_transcript", "native_messaging", "messaging",
               "whatsapp", "line", "wechat", "mobile_sdk_chat"})) {
    return v1::CHAT;
  }
  if (IsOneOf(channel, {"voice", "phone", "phone_call_inbound",
                        "phone_call_outbound"})) {
    return v1::VOICE;
  }
  if (IsOneOf(channel, {"sms", "text"})) return v1::SMS;
  if (IsOneOf(channel, {"twitter", "facebook", "facebook_post",
                        "facebook_message", "instagram_dm", "social"})) {
    return v1::SOCIAL;
  }
  if (IsOneOf(channel, {"mobile", "mobile_sdk"})) return v1::MOBILE_APP;
  return v1::OTHER;
}

std::string ZendeskStatus(absl::string_view status) {
  std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(status));
  if (lower == "on-hold" || lower == "on_hold") return "hold";
  return lower;
}

v1::Outcome ZendeskOutcome(absl::string_view status) {
  if (status == "solved" || status == "closed") return v1::RESOLVED;
  if (IsOneOf(status, {"new", "open", "pending", "hold"})) {
    return v1::UNRESOLVED;
  }
  return v1::OUTCOME_UNSPECIFIED;
}

std::string ZendeskTimeText(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

absl::string_view ZendeskText(CsvFields& fields, const CsvRecord& row,
                              absl::string_view column, Need need) {
  const absl::string_view cell =
      absl::StripAsciiWhitespace(fields.String(row, column, need));
  if (cell.empty() && need == Need::kRequired && fields.ok()) {
    fields.Fail(column, "required, but empty");
  }
  return cell;
}

std::optional<bool> ZendeskBool(CsvFields& fields, const CsvRecord& row,
                                absl::string_view column) {
  const absl::string_view cell = ZendeskText(fields, row, column);
  if (cell.empty()) return std::nullopt;
  const std::string word = absl::AsciiStrToLower(cell);
  if (IsOneOf(word, {"true", "t", "1", "yes"})) return true;
  if (IsOneOf(word, {"false", "f", "0", "no"})) return false;
  fields.Fail(column, absl::StrCat("must be true or false, got ",
                                   model::QuoteText(cell)));
  return std::nullopt;
}

std::string ZendeskJsonText(JsonFields& fields, const JsonValue& object,
                            absl::string_view key) {
  std::string text = AsWritten(fields.Member(object, key));
  absl::StripAsciiWhitespace(&text);
  return text;
}

}  // namespace motive::ingest
