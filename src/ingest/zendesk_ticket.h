// Zendesk tickets, one event of type "ticket" each, from either
//   - CSV, as Fivetran's Zendesk connector writes its `ticket` table to a
//     warehouse (fivetran/dbt_zendesk, integration_tests/seeds/
//     ticket_data.csv): one row, one ticket; or
//   - JSON, the Zendesk Support API's ticket object (Tickets API): a page
//     {"tickets": [...]} of GET /api/v2/tickets or of the incremental
//     export GET /api/v2/incremental/tickets (cursor or time based), a
//     {"ticket": {...}} of GET /api/v2/tickets/{id}, or ticket objects as
//     JSON Lines or an array. A page is one input record (an empty one is
//     skipped; a bad ticket rejects the page, naming it, as
//     "tickets[3].requester_id"); export one ticket per line to have bad
//     tickets rejected alone.
// The input's first byte tells them apart ('{' or '[' JSON, else CSV). The
// same ticket in the same state gives the same event from both, id
// included, so importing both is idempotent.
//
// The table holds a ticket's current state; each sync that finds the ticket
// changed writes it again with a later updated_at. So a row is a version of
// the ticket's interaction, and the engine keeps the one with the latest
// updated_at: importing Monday's export and then Tuesday's counts each
// ticket once, in Tuesday's state.
//
// Mapping (CSV columns by name, any case; empty cells are absent; naive
// times are read in ImportOptions.timezone, UTC by default). The API's
// fields have the same names, but for via.channel and
// via.source.from.address; its null is absent, its numbers are written as
// the CSV writes them:
//   id (required, whole number)     interaction_id "zendesk:ticket:<id>"
//   id, updated_at                  event_id "zendesk:ticket:<id>@<updated_at
//                                   in UTC, RFC 3339>" (created_at when
//                                   updated_at is empty), so a re-import is
//                                   a duplicate and a later state a new
//                                   version; in UTC, as the API writes it,
//                                   so that the CSV (read in the right
//                                   zone) and the API agree
//   created_at (required)           occurred_at
//   updated_at                      updated_at (else created_at)
//   (constant)                      type "ticket", moment INTERIM
//   requester_id (required, whole)  identifier "zendesk_user"
//   via_source_from_address /       identifier "email" when via_channel is
//     via.source.from.address       email (the address the requester wrote
//                                   from); ignored on other channels, where
//                                   it is not always an email address
//   via_channel / via.channel       channel (zendesk_common.h)
//   status                          outcome: solved/closed RESOLVED,
//                                   new/open/pending/hold UNRESOLVED,
//                                   deleted and others unspecified
//                                   (zendesk_common.h says why)
//   subject                         topic, cut to 128 bytes
//   assignee_id                     agent_id
//   group_id                        queue
// Attributes, set when the cell is not empty:
//   status                          as ZendeskStatus writes it ("hold")
//   priority, ticket_type           priority, type
//   group_id, brand_id, organization_id, ticket_form_id
//   submitter_id                    who opened the ticket: the requester, or
//                                   an agent on their behalf (so an
//                                   attribute, never an identifier)
//   via_channel                     as written, since channel folds several
//   external_id, problem_id, due_at (RFC 3339, UTC)
//   merged_ticket_ids, followup_ids as written, unless "[]" (the API's
//                                   ticket has followup_ids only)
// The API's ticket only (the warehouse keeps these in other tables):
//   tags                            attribute "tags": the tags, space
//                                   separated (Zendesk's own list form)
//   custom_fields [{id, value}]     attribute "custom_field_<id>", as the
//                                   field history names them: a string or
//                                   number as written, a bool as a bool; a
//                                   multi-select's list is left out and
//                                   counted
//   attributes_dropped              as in connect_ctr.h
// Not mapped: description (the first comment's text, which the comment
// table has), recipient and the other via_source_* columns, url, the
// _fivetran_* bookkeeping; of the API's, raw_subject, collaborator,
// follower and email_cc ids, satisfaction_rating, fields (custom_fields
// again), sharing_agreement_ids and the other flags.

#ifndef MOTIVE_INGEST_ZENDESK_TICKET_H_
#define MOTIVE_INGEST_ZENDESK_TICKET_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapZendeskTicket(const CsvRecord& row, const MapContext& context,
                              std::vector<v1::Event>* out);
absl::Status MapZendeskTicketJson(const JsonValue& record,
                                  const MapContext& context,
                                  std::vector<v1::Event>* out);

// Columns id, created_at, status and requester_id.
bool LooksLikeZendeskTicket(const CsvHeader& header);
// Keys tickets, or ticket, or id, created_at, status and requester_id.
bool LooksLikeZendeskTicketJson(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_TICKET_H_
