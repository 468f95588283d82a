#include "ingest/platforms.h"

#include <utility>

#include "base/errors.h"
#include "ingest/connect_contact_event.h"
#include "ingest/connect_ctr.h"
#include "ingest/contact_lens.h"
#include "ingest/genesys_conversation.h"
#include "ingest/intercom_conversation.h"
#include "ingest/salesforce_case.h"
#include "ingest/twilio_taskrouter.h"
#include "ingest/zendesk_chat_event.h"
#include "ingest/zendesk_comment.h"
#include "ingest/zendesk_field_history.h"
#include "ingest/zendesk_ticket.h"

namespace motive::ingest {
namespace {

// kAuto tries them in this order, so the stricter rules come first.
constexpr PlatformSpec kPlatforms[] = {
    {Platform::kConnectCtr, "connect-ctr", &LooksLikeConnectCtr, nullptr,
     "ContactId, InitiationTimestamp and one of CustomerEndpoint, Agent, "
     "Queue",
     &MapConnectCtr, nullptr},
    {Platform::kConnectContactEvent, "connect-contact-event",
     &LooksLikeConnectContactEvent, nullptr,
     "detail-type \"Amazon Connect Contact Event\", or contactId and "
     "eventType",
     &MapConnectContactEvent, nullptr},
    {Platform::kContactLens, "contact-lens", &LooksLikeContactLens, nullptr,
     "ConversationCharacteristics, and Version or JobStatus", &MapContactLens,
     nullptr},
    {Platform::kGenesysConversation, "genesys-conversation",
     &LooksLikeGenesysConversation, nullptr, "conversationId and participants",
     &MapGenesysConversation, nullptr},
    {Platform::kZendeskTicket, "zendesk-ticket", &LooksLikeZendeskTicketJson,
     &LooksLikeZendeskTicket,
     "columns id, created_at, status, requester_id; or keys tickets, or "
     "ticket, or id, created_at, status, requester_id",
     &MapZendeskTicketJson, &MapZendeskTicket},
    {Platform::kZendeskComment, "zendesk-comment", &LooksLikeZendeskCommentJson,
     &LooksLikeZendeskComment,
     "columns ticket_id, created, body; or keys comments, or comment, or "
     "author_id, body, public, created_at",
     &MapZendeskCommentJson, &MapZendeskComment},
    {Platform::kZendeskFieldHistory, "zendesk-field-history",
     &LooksLikeZendeskFieldHistoryJson, &LooksLikeZendeskFieldHistory,
     "columns ticket_id, field_name, value, updated; or keys audits, or "
     "audit, or ticket_id, events, created_at",
     &MapZendeskFieldHistoryJson, &MapZendeskFieldHistory},
    {Platform::kZendeskChatEvent, "zendesk-chat-event", nullptr,
     &LooksLikeZendeskChatEvent, "columns chat_id, actor_id, type", nullptr,
     &MapZendeskChatEvent},
    {Platform::kIntercomConversation, "intercom-conversation",
     &LooksLikeIntercomConversation, nullptr,
     "conversation_parts, or type, source and contacts, or a "
     "notification_event with a conversation.* topic",
     &MapIntercomConversation, nullptr},
    {Platform::kSalesforceCase, "salesforce-case", &LooksLikeSalesforceCase,
     nullptr,
     "CaseNumber or attributes.type \"Case\", or records (or result.records) "
     "whose first is one",
     &MapSalesforceCase, nullptr},
    {Platform::kTwilioTaskRouter, "twilio-taskrouter",
     &LooksLikeTwilioTaskRouter, nullptr,
     "EventType and TaskSid or WorkspaceSid, or specversion and a type "
     "com.twilio.taskrouter.*",
     &MapTwilioTaskRouter, nullptr},
};

}  // namespace

absl::Span<const PlatformSpec> Platforms() { return kPlatforms; }

const PlatformSpec* FindPlatform(Platform platform) {
  for (const PlatformSpec& spec : kPlatforms) {
    if (spec.platform == platform) return &spec;
  }
  return nullptr;
}

bool TakeMapped(absl::Status mapped, std::vector<v1::Event>* events,
                model::InputRecord* record) {
  if (!mapped.ok()) {
    // What the mapper added before it failed is not a record's.
    events->clear();
    record->event = std::move(mapped);
    return false;
  }
  if (events->empty()) {
    record->skipped = true;
    record->event =
        base::FieldError("", "skipped: the record is not about a customer");
    return false;
  }
  record->event = std::move(events->front());
  return true;
}

bool HasKeys(const JsonValue& object,
             std::initializer_list<absl::string_view> keys) {
  simdjson::dom::object members;
  if (!object.present ||
      object.element.get_object().get(members) != simdjson::SUCCESS) {
    return false;
  }
  for (const absl::string_view key : keys) {
    simdjson::dom::element ignored;
    if (members.at_key(std::string_view(key.data(), key.size())).get(ignored) !=
        simdjson::SUCCESS) {
      return false;
    }
  }
  return true;
}

bool HasColumns(const CsvHeader& header,
                std::initializer_list<absl::string_view> columns) {
  for (const absl::string_view column : columns) {
    if (header.Find(column) < 0) return false;
  }
  return true;
}

}  // namespace motive::ingest
