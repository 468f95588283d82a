// Intercom conversations as the Conversations API models them
// (developers.intercom.com, "The conversation model"), read as a history
// with one row per change: each row is the whole conversation as it was
// then, from GET /conversations/<id>, a search or list export, or a webhook
// notification (conversation.user.created, conversation.admin.closed, ...,
// {"type": "notification_event", "topic", "data": {"item": <conversation>}}).
// Notifications of other topics (contact.created, ping, ...) hold no
// conversation: they are skipped (platforms.h).
// One row, one event of type "contact".
//
// The rows of one conversation are versions of the interaction
// "intercom:conversation:<id>"; the one with the latest updated_at wins, so
// a conversation counts once, as its last row describes it.
//
// Conversation parts (the messages, notes, assignments and closes of
// conversation_parts) are not mapped one by one: statistics already sum them
// up (times to reply and close, reopens, assignments), the parts hold the
// message bodies that motive does not keep, and a list API returns no parts
// at all. Their number is kept.
//
// Mapping (times are Unix seconds, as numbers or digit strings):
//   id (required, string or number) interaction_id "intercom:conversation:<id>"
//   id, updated_at                  event_id "intercom:conversation:<id>@
//                                   <updated_at as written>"
//   created_at (required)           occurred_at
//   updated_at, else created_at     updated_at
//   (constant)                      type "contact", moment INTERIM
//   source.type                     channel: conversation and chat CHAT,
//                                   email EMAIL, push MOBILE_APP, facebook,
//                                   twitter, instagram SOCIAL, phone_call
//                                   and call VOICE, sms SMS, whatsapp CHAT;
//                                   others OTHER
//   contacts.contacts[] (or the     identifiers: id "intercom_contact",
//     older contacts[])               external_id "intercom_external"
//   source.author, when its type is identifiers: email "email", id
//     user, lead or contact           "intercom_contact" (an admin or bot
//                                   author is the company, not the customer)
//   state                           outcome: closed RESOLVED; open and
//                                   snoozed unspecified
//   admin_assignee_id               agent_id (null or 0: unassigned)
//   team_assignee_id                queue (likewise)
//   title, else source.subject      topic (cut to 128 bytes)
//   conversation_rating.rating      csat (1 to 5)
//   statistics.last_close_at -      duration_ms, for a closed conversation,
//     created_at                    when at most 30 days (the event limit;
//                                   longer ones keep only the attribute)
//   statistics.count_assignments    transfers: the assignments after the
//                                   first (reassignments), at most 100
//   hold_ms                         none: Intercom has no hold
// Attributes, set when present:
//   state, priority                 state, priority
//   delivered_as, source_type,      source.delivered_as (customer_initiated,
//     author_type                   admin_initiated, ...), source.type,
//                                   source.author.type
//   tags                            tags.tags[].name, joined with ", "
//   rating_remark                   conversation_rating.remark
//   time_to_assignment_ms, time_to_admin_reply_ms, time_to_first_close_ms,
//   time_to_last_close_ms, median_time_to_reply_ms
//                                   statistics.time_to_* (s), in ms
//   count_reopens, count_assignments  statistics
//   count_conversation_parts        statistics, else conversation_parts
//                                   .total_count
//   open_ms                         statistics.last_close_at - created_at
//                                   (also when reopened, or over 30 days)
//   webhook_topic                   the notification's topic
//   intercom.<key>                  custom_attributes: strings, numbers and
//                                   bools
// customer_id stays empty: the identifiers attach the conversation to a
// profile.

#ifndef MOTIVE_INGEST_INTERCOM_CONVERSATION_H_
#define MOTIVE_INGEST_INTERCOM_CONVERSATION_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapIntercomConversation(const JsonValue& record,
                                     const MapContext& context,
                                     std::vector<v1::Event>* out);

// conversation_parts, or type, source and contacts (a conversation), or a
// notification_event whose topic starts "conversation.".
bool LooksLikeIntercomConversation(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_INTERCOM_CONVERSATION_H_
