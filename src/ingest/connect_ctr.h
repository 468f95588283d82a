// Amazon Connect contact records (CTRs), as the contact record data model
// describes them (awsdocs ctr-data-model), from a Kinesis stream, a Firehose
// S3 export or the API: one record, one event of type "contact".
//
// Connect delivers a record at least once and again whenever the contact
// changes (an update-contact-attributes call, a late after-contact-work
// end): each delivery is a version of one interaction, and the engine keeps
// the one with the latest LastUpdateTimestamp.
//
// Mapping (paths as in the record; "s" fields are seconds):
//   ContactId (required)            interaction_id "connect:<ContactId>"
//   ContactId, LastUpdateTimestamp  event_id "connect:<ContactId>@<LastUpdate
//                                   Timestamp as written>", so a redelivery
//                                   is a duplicate and an update a new version
//   LastUpdateTimestamp (required)  updated_at
//   InitiationTimestamp (required)  occurred_at
//   (constant)                      type "contact", moment INTERIM
//   Channel                         channel: VOICE, CHAT, EMAIL; TASK and
//                                   newer channels OTHER
//   CustomerEndpoint.Address        identifier "phone" when Type is
//                                   TELEPHONE_NUMBER, "email" when
//                                   EMAIL_ADDRESS, as written (the engine
//                                   normalizes); other types give none
//   Queue.Name, else Queue.ARN      queue
//   Agent.Username, else Agent.ARN  agent_id
//                                   (a value longer than an event holds, 128
//                                   bytes for these, 256 for an identifier,
//                                   is an error at its source path)
//   Agent.CustomerHoldDuration (s)  hold_ms (at most duration_ms)
//   DisconnectTimestamp             duration_ms = DisconnectTimestamp -
//                                   InitiationTimestamp (an earlier
//                                   disconnect is an error)
//   TransferredToEndpoint           transfers 1 when present
//   outcome                         TRANSFERRED when TransferredToEndpoint is
//                                   present; ABANDONED when the contact was
//                                   queued (Queue) and disconnected
//                                   (DisconnectTimestamp) without an Agent;
//                                   otherwise unspecified: a CTR does not say
//                                   whether the issue was resolved, and
//                                   contacts that end in the IVR without a
//                                   queue were never waiting for an agent
// Attributes, set when the source has them:
//   initiation_method, disconnect_reason  InitiationMethod, DisconnectReason
//   initial_contact_id, previous_contact_id, next_contact_id
//                                   the contact chain (transfers, callbacks)
//   number_of_holds                 Agent.NumberOfHolds
//   longest_hold_ms                 Agent.LongestHoldDuration (s)
//   agent_interaction_ms            Agent.AgentInteractionDuration (s)
//   after_contact_work_ms           Agent.AfterContactWorkDuration (s)
//   routing_profile                 Agent.RoutingProfile.Name
//   queue_wait_ms                   Queue.Duration (s)
//   transferred_to                  TransferredToEndpoint.Address
//   connect.<key>                   each of Attributes{} (the contact
//                                   attributes set by flows and agents):
//                                   strings, numbers and bools; objects,
//                                   arrays and keys too long for the prefix
//                                   are left out
//   attributes_dropped              how many attributes the event limits left
//                                   out (AttributeWriter: at most 64, string
//                                   values cut to 1024 bytes, 12 KiB in all);
//                                   the mapping's own attributes come first
// customer_id stays empty: the identifiers attach the contact to a profile.

#ifndef MOTIVE_INGEST_CONNECT_CTR_H_
#define MOTIVE_INGEST_CONNECT_CTR_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapConnectCtr(const JsonValue& record, const MapContext& context,
                           std::vector<v1::Event>* out);

// ContactId and InitiationTimestamp, and one of CustomerEndpoint, Agent or
// Queue (which the other Connect records lack).
bool LooksLikeConnectCtr(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_CONNECT_CTR_H_
