// What the Zendesk mappers (zendesk_ticket.h, zendesk_comment.h,
// zendesk_field_history.h, zendesk_chat_event.h) share: the ticket's
// interaction id, Zendesk's channel and status words, and the form in which
// their attributes write times.

#ifndef MOTIVE_INGEST_ZENDESK_COMMON_H_
#define MOTIVE_INGEST_ZENDESK_COMMON_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/csv_fields.h"
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

// A time as the Zendesk mappers write it into attributes: RFC 3339 in UTC
// ("2020-02-19T01:54:52Z"), whatever zone the source wrote it in, so that
// attribute times compare as text.
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

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_COMMON_H_
