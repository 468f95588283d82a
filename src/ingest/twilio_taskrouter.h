// Twilio TaskRouter events (twilio.com/docs/taskrouter/api/event/reference),
// in either of the forms Twilio delivers them:
//   - Event Streams: CloudEvents {"specversion", "type":
//     "com.twilio.taskrouter.task.completed", "time", "data": {...}} whose
//     data holds the event's fields in snake_case (task_sid,
//     task_attributes, ...), directly or, in schema versions with an
//     envelope, under data.payload;
//   - the Workspace's EventCallbackUrl webhook, whose fields (EventType,
//     TaskSid, TaskAttributes, ...) are taken as a JSON object. The webhook
//     POSTs them form-encoded; the importers frame JSON and CSV only, so a
//     receiver stores each callback as one JSON object (one per line), not
//     its raw body.
//
// A task is one contact. Its task.* events (created, updated, wrapup,
// completed, canceled, ...) are versions of the interaction
// "twilio:task:<TaskSid>", each with updated_at the event's time, so the
// task counts once, as its latest event describes it. Its reservation.*
// events (a worker offered the task, accepting it, wrapping up) are
// enrichments of that interaction: they name the worker, which task events
// do not. Worker, activity, workflow, task-queue and workspace events, and
// reservation events that name no task, describe no contact: they are
// skipped (platforms.h), so that a whole event stream imports without
// rejections.
//
// Mapping (webhook name / Event Streams name):
//   EventType / eventtype, else the  task.* a version; reservation.* an
//     CloudEvent type after          enrichment; others skipped
//     "com.twilio.taskrouter."
//   TaskSid / task_sid (required     interaction_id "twilio:task:<TaskSid>";
//     on task events)                a reservation event without it skipped
//   the event's time: TimestampMs    updated_at; event_id "twilio:task:
//     (ms), else Timestamp (Unix     <TaskSid>:<EventType>@<Unix ms>", the
//     seconds, or text) / timestamp  same whichever form delivered it
//     (text, or Unix ms), else the
//     CloudEvent time (required)
//   TaskDateCreated /                occurred_at (Unix seconds or text); else
//     task_date_created              the event's time less TaskAge
//   (constant)                       type "contact", moment INTERIM
//   TaskChannelUniqueName /          channel: voice VOICE, chat CHAT, sms SMS,
//     task_channel_unique_name       email EMAIL, others OTHER; a chat's
//                                    TaskAttributes.channelType refines it
//                                    (sms SMS; facebook, messenger, instagram
//                                    SOCIAL; whatsapp, web CHAT)
//   TaskQueueName, else TaskQueueSid queue
//   WorkerName, else WorkerSid       agent_id, on task events that carry it
//                                    and on reservation.accepted, .wrapup and
//                                    .completed (not on an offer that the
//                                    worker rejected or let time out)
//   TaskAge / task_age (s)           duration_ms (the task's age at the
//                                    event: on completion, its whole life)
//   outcome                          task.canceled ABANDONED (canceled before
//                                    a worker completed it: the customer hung
//                                    up or the task timed out); task.completed
//                                    TRANSFERRED when TaskCompletedReason
//                                    says "transfer"; otherwise unspecified
// The customer, from TaskAttributes (a JSON object in a string), as Flex
// channels write it:
//   customers.phone, .email          identifier "phone", "email" (Flex
//                                    Insights' customer block)
//   customers.external_id            identifier "twilio_customer"
//   email                            identifier "email"
//   customerAddress /                "phone" or "email" by what it is
//     customer_address               (ingest/address_text.h: "whatsapp:",
//                                    "sms:" taken off)
//   from (inbound; voice: caller's   likewise; a web chat's from is a chat
//     number, SMS and WhatsApp:      identity (a name) and gives none
//     address, email: address)
//   to, else outbound_to (when       likewise, for outbound calls
//     direction is "outbound")
//   name, customerName, customers.   attribute customer_name only: a name is
//     name                           no identity
// Attributes, set when present:
//   event_type                       the EventType
//   assignment_status                TaskAssignmentStatus
//   canceled_reason, completed_reason  TaskCanceledReason,
//                                    TaskCompletedReason
//   workflow_name, priority          WorkflowName, TaskPriority
//   reservation_<step>_at            on reservation enrichments: the time of
//                                    the step (accepted, rejected, ...), so
//                                    that steps do not overwrite each other
//   twilio.<key>                     each string, number and bool at the top
//                                    of TaskAttributes (task versions only)
// Events leave customer_id empty; enrichments carry no identifiers (the
// task's versions do).

#ifndef MOTIVE_INGEST_TWILIO_TASKROUTER_H_
#define MOTIVE_INGEST_TWILIO_TASKROUTER_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapTwilioTaskRouter(const JsonValue& record,
                                 const MapContext& context,
                                 std::vector<v1::Event>* out);

// EventType and TaskSid or WorkspaceSid (the webhook: every TaskRouter
// callback names its workspace, so a stream that starts with a worker's
// event is recognised too), or specversion and a type starting
// "com.twilio.taskrouter." (Event Streams).
bool LooksLikeTwilioTaskRouter(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_TWILIO_TASKROUTER_H_
