// Amazon Connect contact events (EventBridge, "Amazon Connect Contact
// Event"): the live steps of a contact, INITIATED, QUEUED,
// CONNECTED_TO_AGENT, DISCONNECTED, ... Accepted as the whole EventBridge
// envelope (detail-type, time, detail) or as the detail alone.
//
// A contact event names no customer: no phone, no email, only the contact.
// So each becomes an enrichment of its contact (interaction
// "connect:<contactId>"), which the engine overlays on the contact's record
// (connect_ctr.h) once that arrives, whichever comes first. What it adds is
// the live timeline, one attribute per step, so that the steps of one
// contact never overwrite each other: when the contact was queued, reached
// an agent, was put on hold, ended.
//
// The enrichment's type is "contact", the type of the interaction it
// enriches, so that an overlay never changes what the interaction is; the
// step is in its attributes and in its event_id.
//
// Mapping (paths in the detail; with an envelope, "detail." before them):
//   detail-type (envelope)          must be "Amazon Connect Contact Event"
//   contactId (required)            interaction_id "connect:<contactId>",
//                                   enrichment true
//   eventType (required)            event_id "connect:<contactId>:<eventType>
//                                   @<time as written>"; attribute
//                                   "<event_type>_at" (lower case): the time
//   the step's time                 occurred_at and updated_at:
//     CONNECTED_TO_AGENT              agentInfo.connectedToAgentTimestamp
//     QUEUED                          queueInfo.enqueueTimestamp
//     DISCONNECTED                    disconnectTimestamp
//     otherwise, or when missing      the envelope's time, else
//                                     initiationTimestamp (one is required)
//   (constant)                      type "contact", moment INTERIM
//   channel                         channel, as in connect_ctr.h
// Attributes, set when present:
//   initiation_method               initiationMethod
//   initial_contact_id, previous_contact_id
//                                   initialContactId, previousContactId
//   agent_arn                       agentInfo.agentArn (ARNs only: contact
//                                   events carry no agent or queue names, so
//                                   they do not set agent_id or queue and
//                                   cannot overwrite the record's names)
//   queue_arn, queue_type           queueInfo.queueArn, queueInfo.queueType
//   queue_wait_ms                   connectedToAgentTimestamp -
//                                   enqueueTimestamp, when both are present
//   disconnect_reason               disconnectReason

#ifndef MOTIVE_INGEST_CONNECT_CONTACT_EVENT_H_
#define MOTIVE_INGEST_CONNECT_CONTACT_EVENT_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapConnectContactEvent(const JsonValue& record,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out);

// An envelope whose detail-type is "Amazon Connect Contact Event", or a
// detail with contactId and eventType.
bool LooksLikeConnectContactEvent(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_CONNECT_CONTACT_EVENT_H_
