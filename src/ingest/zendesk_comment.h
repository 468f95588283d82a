// Zendesk ticket comments, one enrichment of the comment's ticket each,
// from either
//   - CSV, as Fivetran writes its `ticket_comment` table (fivetran/
//     dbt_zendesk, integration_tests/seeds/ticket_comment_data.csv); or
//   - JSON, the Support API's comment object (Ticket Comments API): a page
//     {"comments": [...]} of GET /api/v2/tickets/{id}/comments, a
//     {"comment": {...}}, or comment objects as JSON Lines or an array
//     (pages as in zendesk_ticket.h).
// The API's comment does not hold its ticket's id: the endpoint's URL
// does. So the ticket is the comment's ticket_id when present (exporters
// that flatten comments add it), else the one the source name
// (ImportOptions.source_name) names after its last "tickets/", as a file or
// object named after the endpoint does (".../tickets/1077/comments.json");
// without either the comment is rejected at ticket_id.
//
// Why enrichments and not events of their own: a customer's reply is a
// contact, an agent's comment is not, and a comment row cannot tell them
// apart. It names its author (user_id) but not the ticket's requester nor
// the author's role; that takes a join with the ticket or user table, which
// a row-at-a-time mapper does not see. Taking every author for a customer
// would give each agent a profile holding thousands of "contacts". Nor does
// the row need to be an event for the customer's reply to count: Zendesk
// moves the ticket's updated_at with every comment, so the ticket table
// (zendesk_ticket.h) already holds a version for it. What comments add is
// when the conversation last moved, and whether publicly; as enrichments
// they reach the requester's profile through the ticket, and stay invisible
// until the ticket's version arrives.
//
// Every comment of a ticket writes the same attribute keys, and its
// updated_at is its creation time: the engine lays enrichments over the
// version in updated_at order, so the latest comment is the one that shows.
//
// Mapping (columns by name, any case; naive times in ImportOptions.timezone;
// the API's names after the slash):
//   ticket_id (required, whole)     interaction_id "zendesk:ticket:<id>",
//                                   enrichment true
//   id                              event_id "zendesk:comment:<id>"; without
//                                   an id "zendesk:comment:<ticket_id>:
//                                   <user_id>@<created in UTC, RFC 3339>"
//   created / created_at (required) occurred_at and updated_at
//   user_id / author_id, public     as below
//   voice_comment / type            true when type is "VoiceComment"
//   (constant)                      type "ticket_comment", moment INTERIM
//                                   (neither is laid over the ticket, see
//                                   model/interactions.h: they name the
//                                   record in the log); channel unset
// Attributes (times RFC 3339, UTC):
//   last_comment_at                 created
//   last_comment_user_id            user_id, when present
//   last_comment_public             public (true/false), when present
//   last_public_comment_at          created, on public comments only
//   last_voice_comment_at           created, when voice_comment is true
// Not mapped: body (free text, often personal data), facebook_comment,
// tweet, _fivetran_synced.
// Booleans are read as true/false, t/f, 1/0 or yes/no in any case; anything
// else in public or voice_comment rejects the row. The API's public must be
// a JSON bool. Of the API's comment, body, html_body, plain_body,
// attachments, via, metadata and audit_id are not mapped.

#ifndef MOTIVE_INGEST_ZENDESK_COMMENT_H_
#define MOTIVE_INGEST_ZENDESK_COMMENT_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapZendeskComment(const CsvRecord& row, const MapContext& context,
                               std::vector<v1::Event>* out);

absl::Status MapZendeskCommentJson(const JsonValue& record,
                                   const MapContext& context,
                                   std::vector<v1::Event>* out);

// Columns ticket_id, created and body.
bool LooksLikeZendeskComment(const CsvHeader& header);
// Keys comments, or comment, or author_id, body, public and created_at.
bool LooksLikeZendeskCommentJson(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_COMMENT_H_
