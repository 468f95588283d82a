// Zendesk tickets as Fivetran's Zendesk connector writes its `ticket` table
// to a warehouse (fivetran/dbt_zendesk, integration_tests/seeds/
// ticket_data.csv), exported as CSV: one row, one event of type "ticket".
//
// The table holds a ticket's current state; each sync that finds the ticket
// changed writes it again with a later updated_at. So a row is a version of
// the ticket's interaction, and the engine keeps the one with the latest
// updated_at: importing Monday's export and then Tuesday's counts each
// ticket once, in Tuesday's state.
//
// Mapping (columns by name, any case; empty cells are absent; naive times
// are read in ImportOptions.timezone, UTC by default):
//   id (required, whole number)     interaction_id "zendesk:ticket:<id>"
//   id, updated_at                  event_id "zendesk:ticket:<id>@<updated_at
//                                   as written>" (created_at when updated_at
//                                   is empty), so a re-import is a duplicate
//                                   and a later state a new version
//   created_at (required)           occurred_at
//   updated_at                      updated_at (else created_at)
//   (constant)                      type "ticket", moment INTERIM
//   requester_id (required, whole)  identifier "zendesk_user"
//   via_source_from_address         identifier "email" when via_channel is
//                                   email (the address the requester wrote
//                                   from); ignored on other channels, where
//                                   it is not always an email address
//   via_channel                     channel (zendesk_common.h)
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
//   merged_ticket_ids, followup_ids as written, unless "[]"
//   attributes_dropped              as in connect_ctr.h
// Not mapped: description (the first comment's text, which the comment
// table has), recipient and the other via_source_* columns, url, the
// _fivetran_* bookkeeping.
//
// CSV only. The Zendesk API's JSON ({"ticket": {...}}, {"tickets": [...]})
// is not read: a platform has one framing in the table of platforms.h.

#ifndef MOTIVE_INGEST_ZENDESK_TICKET_H_
#define MOTIVE_INGEST_ZENDESK_TICKET_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapZendeskTicket(const CsvRecord& row, const MapContext& context,
                              std::vector<v1::Event>* out);

// Columns id, created_at, status and requester_id.
bool LooksLikeZendeskTicket(const CsvHeader& header);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_TICKET_H_
