// What the Zendesk mappers (zendesk_ticket.h, zendesk_comment.h,
// zendesk_field_history.h, zendesk_chat_event.h) share: the ticket's
// interaction id, Zendesk's channel and status words, the form in which
// their attributes and ids write times, and the reading of the API's JSON.

#ifndef MOTIVE_INGEST_ZENDESK_COMMON_H_
#define MOTIVE_INGEST_ZENDESK_COMMON_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/csv_fields.h"
#include "ingest/json_fields.h"
#include "motive/v1/event.pb.h"

namespace motive::ingest {

// "zendesk:ticket:<id>": the interaction_id of a ticket's versions (the
// ticket table) and of its enrichments (comments, field history).
std::string ZendeskTicketInteractionId(int64_t ticket_id);

// The ticket's via_channel (via.channel in the API), in any case:
//   web, web_form, web_widget, help_center, web_service   WEB
//   email                                                 EMAIL
//   chat, chat_transcript, native_messaging, messaging,
//   whatsapp, line, wechat, mobile_sdk_chat               CHAT
//   voice, phone, phone_call_inbound, phone_call_outbound VOICE
//   sms, text                                             SMS
//   twitter, facebook, facebook_post, instagram_dm,
//   any social channel named so                           SOCIAL
//   mobile, mobile_sdk                                    MOBILE_APP
//   api, rule, system, closed_ticket, ... (anything else) OTHER
//   "" unspecified.
v1::Channel ZendeskChannel(absl::string_view via_channel);

// A status as motive writes it: lower case, and "hold" for the field
// history's "on-hold" (the ticket table says "hold"); "" stays "".
std::string ZendeskStatus(absl::string_view status);

// What a ticket status says of the contact, for the ticket table and the
// field history alike (statuses as ZendeskStatus writes them):
//   solved, closed              RESOLVED
//   new, open, pending, hold    UNRESOLVED: the ticket is still waiting on
//                               someone. A version or overlay that says so
//                               must be able to undo an earlier RESOLVED
//                               (a reopened ticket), which "unspecified"
//                               cannot, as an overlay only sets what it has.
//   deleted, anything else      unspecified (a deleted ticket is often spam;
//                               it was neither resolved nor left waiting)
v1::Outcome ZendeskOutcome(absl::string_view status);

// A time as the Zendesk mappers write it into attributes and event ids:
// RFC 3339 in UTC ("2020-02-19T01:54:52Z", as the API writes it), whatever
// zone the source wrote it in, so that attribute times compare as text and
// a record read from the CSV and from the API has one id.
std::string ZendeskTimeText(absl::Time time);

// The cell under `column` trimmed; "" when absent. A required cell of only
// spaces is "required, but empty", as an empty one is.
absl::string_view ZendeskText(CsvFields& fields, const CsvRecord& row,
                              absl::string_view column,
                              Need need = Need::kOptional);

// The cell under `column` as a boolean, as warehouses write them: true/false,
// t/f, 1/0, yes/no, in any case. nullopt when absent; anything else is an
// error of `fields` naming the column.
std::optional<bool> ZendeskBool(CsvFields& fields, const CsvRecord& row,
                                absl::string_view column);

// The Zendesk Support API's JSON (developer.zendesk.com, Ticketing API):
// the same records as objects, read by the same mappers as the CSV rows, so
// that a ticket exported both ways gives the same events (and ids).

// Member `key` of `object` as the CSV would hold it: a string trimmed, a
// number or bool as written ("360003529474", "true"), an array or object
// as minified JSON; "" when absent or null.
std::string ZendeskJsonText(JsonFields& fields, const JsonValue& object,
                            absl::string_view key);

// Calls fn(const JsonValue& object) for each object an API record holds:
// the items of its member `list`, a page as the list and incremental export
// endpoints return it ({"tickets": [...], "next_page": ...}; a bad item
// rejects the page, naming it, "tickets[3].requester_id"); else its member
// `one`, a single object's response ({"ticket": {...}}); else the record
// itself, an object of JSON Lines or of an array. Stops at the first error
// of `fields`.
template <typename Fn>
void ForEachZendeskObject(JsonFields& fields, const JsonValue& record,
                          absl::string_view list, absl::string_view one,
                          Fn&& fn) {
  const JsonValue items = fields.Array(record, list);
  if (items.present) {
    fields.ForEachItem(items, [&](const JsonValue& item) {
      if (!item.present) {
        fields.Fail(item.path, "must be an object, got null");
        return;
      }
      fn(item);
    });
    return;
  }
  const JsonValue single = fields.Object(record, one);
  if (!fields.ok()) return;
  fn(single.present ? single : record);
}

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_COMMON_H_
