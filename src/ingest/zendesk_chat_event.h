// Zendesk chat events as Fivetran writes its `ticket_chat_event` table
// (fivetran/dbt_zendesk, integration_tests/seeds/ticket_chat_event_data.csv),
// exported as CSV: each row is one step of a chat (a message, someone
// joining, a transfer to another department, the visitor's email changing)
// and becomes one event of the chat's interaction "zendesk:chat:<chat_id>".
//
// Which rows are versions and which enrichments: a row names its actor
// (actor_id) but not whether the actor is the visitor or an agent, so an
// actor is never taken for the customer (that would give every agent a
// profile of chats). The one row that says who the customer is, is a
// ChatEmailChanged that carries the new email (in original_message): it
// becomes the chat's version, a contact of type "chat" with an "email"
// identifier. Every other row (and a ChatEmailChanged without an email, as
// Fivetran's seed has them) becomes an enrichment of the chat, counted once
// a version arrives. Chats whose visitor never gave an email reach a
// profile through the ticket the chat became (zendesk_ticket.h, channel
// chat), not through this table.
//
// Transfers: each ChatDepartmentTransfer sets transfers to 1 on its
// overlay, so a transferred chat shows transfers = 1 ("was transferred");
// the number of transfers needs the whole chat, which a row-at-a-time mapper
// does not see.
//
// Mapping (columns by name, any case; naive times in ImportOptions.timezone):
//   chat_id (required)              interaction_id "zendesk:chat:<chat_id>"
//   chat_id, type, created_at,      event_id "zendesk:chat:<chat_id>:<type>@
//   actor_id                        <created_at as written>[:<actor_id>]"
//   created_at (required)           occurred_at and updated_at
//   type (required)                 what the row adds, below
//   (constant)                      type "chat", channel CHAT, moment
//                                   INTERIM
// By type (in any case):
//   ChatEmailChanged                with original_message.email (or
//                                   .new_email): identifier "email", and
//                                   the row is the chat's version; without
//                                   one an enrichment
//   ChatDepartmentTransfer          transfers 1; queue from
//                                   original_message.department_name (else
//                                   .department_id); attribute
//                                   "department_id" when present
//   ChatMessage, ChatJoin, others   nothing more
// Every row sets "<type>_at" (the type in snake case: chat_message_at,
// chat_join_at, ...; RFC 3339, UTC) and "<type>_by" (actor_id, when
// present); the latest row of a type is the one whose overlay shows.
// original_message is read only for the two types that use it; there it
// must be empty or a JSON object, or the row is rejected naming the column.
// Not mapped: message (free text), the other columns.
//
// CSV only. Fivetran builds this table from Zendesk Chat's own API, whose
// chats hold a `history` of another vocabulary (chat.msg, chat.memberjoin,
// ...), and no published JSON shape of the table's events (ChatMessage,
// ChatDepartmentTransfer, ...) exists to read: a JSON input is read as CSV
// and rejected row by row.

#ifndef MOTIVE_INGEST_ZENDESK_CHAT_EVENT_H_
#define MOTIVE_INGEST_ZENDESK_CHAT_EVENT_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapZendeskChatEvent(const CsvRecord& row,
                                 const MapContext& context,
                                 std::vector<v1::Event>* out);

// Columns chat_id, actor_id and type.
bool LooksLikeZendeskChatEvent(const CsvHeader& header);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ZENDESK_CHAT_EVENT_H_
