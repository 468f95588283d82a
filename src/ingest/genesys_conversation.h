// Genesys Cloud analytics conversation details (the conversation detail
// records of /api/v2/analytics/conversations/details and its jobs and
// exports): one conversation, one event of type "contact".
//
// A conversation holds participants (customer, ivr, acd, agent, ...), each
// with sessions, each with segments (alert, interact, hold, wrapup, ...) and
// metrics. It is flattened into ONE contact event, not one event per
// segment: the engine counts contacts, and a call that met an IVR, a queue
// and two agents is still one contact. Its segments become the contact's
// hold time, transfers, wrap-up and outcome, and its metrics the durations
// (attributes below); nothing is lost that a rule can use, and the
// conversation counts once.
//
// Genesys serves a conversation again while it goes on and after it ends
// (conversationEnd appears, wrap-up codes arrive later): each reading is a
// version of the interaction "genesys:<conversationId>", and the latest
// (the greatest updated_at) wins.
//
// Mapping:
//   conversationId (required)       interaction_id "genesys:<conversationId>"
//   conversationStart (required)    occurred_at
//   the latest time in the record   updated_at: the latest of
//                                   conversationStart, conversationEnd and
//                                   every segmentStart, segmentEnd and metric
//                                   emitDate, so that a reading with a later
//                                   wrap-up or metric is a new version
//   conversationId, updated_at      event_id "genesys:<conversationId>@<updated
//                                   _at, RFC 3339 in UTC with milliseconds>"
//   (constant)                      type "contact", moment INTERIM
//   customer's first session        channel: mediaType voice and callback
//     mediaType (any participant's    VOICE, chat CHAT, email EMAIL, message
//     when no customer)               by messageType (sms SMS; webmessaging,
//                                     open CHAT; facebook, twitter,
//                                     instagram SOCIAL; else OTHER), else
//                                     OTHER
// The customer: every participant whose purpose is "customer" or
// "external":
//   sessions[].ani and .addressFrom identifier "phone" or "email" when they
//     (inbound sessions), .dnis and are one (ingest/address_text.h: "tel:"
//     .addressTo (outbound: the    and "mailto:" taken off); chat anis and
//     customer is the far end)     display names are neither and give none
//   externalContactId               identifier "genesys_external_contact"
//   participantName                 attribute customer_name only: a name is
//                                   no identity
//   participantId                   identifier "genesys_participant", only
//                                   when none of the above is there (an
//                                   anonymous visitor: one profile per
//                                   conversation, merging with nothing)
// From the agents (purpose "agent" or "user") and queues (purpose "acd"):
//   the last agent's userId         agent_id (who ended with the customer)
//   the last queueId of an acd or   queue (an id: analytics carry no queue
//     agent segment                 names)
//   hold segments (segmentType      hold_ms: the union of their intervals
//     "hold", any participant)      (the customer's and the agent's views
//                                   of one hold count once), at most
//                                   duration_ms; attribute number_of_holds
//   transfers                       the larger of: agent segments that ended
//                                   with a disconnectType "transfer..." (to
//                                   an agent or a queue), and the agents
//                                   who interacted less one. An acd
//                                   segment's "transfer" is the queue
//                                   delivering the call and is not counted
//   tHandle (agent sessions, ms)    duration_ms, summed over agents; without
//                                   it conversationEnd - conversationStart
//   wrapUpCode (the last)           topic (cut to 128 bytes) and attribute
//                                   wrap_up_code; "ININ-WRAP-UP-TIMEOUT"
//                                   (the agent chose none) is no topic
//   outcome                         ABANDONED when an acd session has a
//                                   tAbandon or tShortAbandon metric, or the
//                                   conversation ended after a queue without
//                                   an agent interacting; TRANSFERRED when
//                                   the last agent's last segment ended with
//                                   a "transfer..." disconnect (the customer
//                                   left to another system); otherwise
//                                   unspecified: a disconnectType says who
//                                   hung up, not whether the issue was solved
// Attributes, set when the source has them:
//   direction                       originatingDirection
//   customer_name                   the customer's participantName
//   disconnect_type                 the customer's last segment's
//                                   disconnectType
//   wrap_up_code, wrap_up_note      the last agent wrapup segment's
//   number_of_holds                 merged hold intervals
//   agents                          agents who interacted
//   queue_wait_ms                   tAcd, summed
//   talk_ms, held_ms, acw_ms,       tTalk, tHeld, tAcw, tAlert, summed over
//     alert_ms                      the agents' sessions (ms)
//   conversation_ms                 conversationEnd - conversationStart
//   division_id                     divisionIds[0]
//   min_mos                         mediaStatsMinConversationMos
// customer_id stays empty: the identifiers attach the contact to a profile.
// A conversation whose customer has no phone, email or external contact
// (the sample web chat) carries none, and the engine cannot place it.
//
// Errors name the path, such as participants[0].sessions[0].segments[1]
// .segmentEnd ("must not be before segmentStart").

#ifndef MOTIVE_INGEST_GENESYS_CONVERSATION_H_
#define MOTIVE_INGEST_GENESYS_CONVERSATION_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapGenesysConversation(const JsonValue& record,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out);

// conversationId and participants.
bool LooksLikeGenesysConversation(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_GENESYS_CONVERSATION_H_
