// Zendesk ticket field history, from either
//   - CSV, as Fivetran writes its `ticket_field_history` table (fivetran/
//     dbt_zendesk, integration_tests/seeds/ticket_field_history_data.csv):
//     each row is one change of one ticket field (ticket_id, field_name,
//     value, updated, user_id); or
//   - JSON, the Support API's ticket audits (Ticket Audits API), which
//     Fivetran's table is made from: a page {"audits": [...]} of GET
//     /api/v2/ticket_audits or /api/v2/tickets/{id}/audits, an
//     {"audit": {...}}, or audit objects as JSON Lines or an array (pages
//     as in zendesk_ticket.h). Each event of an audit of type "Change" (or
//     "Create", the ticket's first values) with a field_name is one change:
//     the audit's ticket_id, the event's field_name and value, the audit's
//     created_at as updated and its author_id as user_id. Other events
//     (Comment, Notification, ...) are left out; an audit with no change is
//     skipped (platforms.h). previous_value is not needed: the log keeps
//     every change in order.
// Each change becomes one enrichment of the ticket's interaction, with an id
// of its own, the same from either source.
// Not read: the incremental ticket events export
// (/api/v2/incremental/ticket_events), whose child_events name the field by
// their own key rather than field_name.
//
// Why enrichments and not standalone "status_change" events: a history row
// names no customer. Its user_id is whoever made the change (an agent, a
// trigger, sometimes the requester), and the requester is only in the
// ticket table. An event with neither customer_id nor identifiers does not
// pass validation; an enrichment reaches the requester's profile through the
// ticket's version (zendesk_ticket.h). The enrichment's type names the
// change ("status_change", "field_change"): the engine does not lay an
// enrichment's type, channel or times over the version
// (model/interactions.h). Its topic it would, so topic stays unset: a topic
// of "solved" would replace the ticket's subject; the new status is in the
// attributes. The log keeps every change, so the lifecycle can be read back
// in order, and the overlays leave on the ticket its latest status,
// outcome, assignee and group, and when it last entered each status.
//
// Each row's updated_at is its `updated` time: the engine lays enrichments
// over the version in updated_at order, so the latest change of a key is
// the one that shows.
//
// Mapping (columns by name, any case; naive times in ImportOptions.timezone):
//   ticket_id (required, whole)     interaction_id "zendesk:ticket:<id>",
//                                   enrichment true
//   ticket_id, field_name, updated  event_id "zendesk:ticket:<id>:<field_name>
//                                   @<updated in UTC, RFC 3339>"
//   updated (required)              occurred_at and updated_at
//   field_name (required)           which of the below
//   field_name                      type "status_change" for status,
//                                   "field_change" otherwise; moment INTERIM
// By field_name (in any case), from value:
//   status                          outcome as in the ticket table
//                                   (zendesk_common.h: a reopened ticket
//                                   goes back to UNRESOLVED); attributes
//                                   "status" (ZendeskStatus: "on-hold" is
//                                   "hold") and "<status>_at", the change's
//                                   time (RFC 3339, UTC): solved_at, ...
//                                   An empty value rejects the row.
//   assignee_id                     agent_id, and the attribute (an empty
//                                   value, unassigned, sets the attribute
//                                   to "" and leaves agent_id)
//   group_id                        queue, and the attribute, likewise
//   type                            attribute "ticket_type"
//   a number (a custom field's id)  attribute "custom_field_<id>"
//   any other (priority,            attribute of that name, lower case, as
//   organization_id, requester_id,  the ticket table's are, so the overlay
//   brand_id, ...)                  replaces the version's value
// Keys take field names and statuses with characters other than letters,
// digits, '_', '.' and '-' as '_' ("waiting parts" gives waiting_parts_at).
// Every row also sets "<field>_changed_at" (the attribute's key, then
// "_changed_at") to the change's time. Values are written as they come;
// attributes over the limits are left out and counted (AttributeWriter).
// user_id is kept as "<field>_changed_by" when present.
// Not mapped: _fivetran_synced.

#ifndef MOTIVE_INGEST_ZENDESK_FIELD_HISTORY_H_
#define MOTIVE_INGEST_ZENDESK_FIELD_HISTORY_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapZendeskFieldHistory(const CsvRecord& row,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out);

absl::Status MapZendeskFieldHistoryJson(const JsonValue& record,
                                        const MapContext& context,
                                        std::vector<v1::Event>* out);

// Columns ticket_id, field_name, value and updated.
bool LooksLikeZendeskFieldHistory(const CsvHeader& header);
// Keys audits, or audit, or ticket_id, events and created_at.
bool LooksLikeZendeskFieldHistoryJson(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_FIELD_HISTORY_H_
