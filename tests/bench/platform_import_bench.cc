// Import/<format>: every platform importer alone (framing, parsing, mapping,
// handing out records, as Import/ctr_jsonl measures connect-ctr), in source
// records per second, with x_ctr_jsonl its ratio to Import/ctr_jsonl run
// earlier in the same process (import_bench.cc is linked first, so its
// benchmarks register, and run, first). The issue's budget: every importer
// within 3x of connect-ctr per record, so x_ctr_jsonl >= 0.33.
//
// Each input holds 20,000 generated records (1,000 with --short), in the
// shape the vendor documents and about its usual size, varied where the
// mapping branches or ids must differ: an EventBridge contact event
// (~0.8 KB), a Contact Lens chat analysis with a 24-turn transcript
// (~6 KB), a Genesys conversation with six participants (~4 KB), Fivetran's
// Zendesk rows (0.1 to 0.5 KB) and the Support API's ticket (~1.6 KB),
// comment (~0.5 KB) and audit (~0.6 KB) objects, an Intercom conversation
// (~2.5 KB), a Salesforce Case (~1.6 KB) and a TaskRouter callback
// (~1.4 KB), as JSON Lines or CSV with a header.

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "ingest/importer.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

// A record in a template, with these placeholders replaced per record:
//   @N@     the record's index plus 100000 (ids, ticket numbers)
//   @C@     a customer number of 7 digits (no leading zero: JSON numbers)
//   @U@     a UUID-like id
//   @S@     Unix seconds; @MS@ the same in milliseconds
//   @T0@ @T1@ @T2@  RFC 3339 times at @S@, +300 s and +900 s
//   @D0@ @D1@       the same as naive "YYYY-MM-DD HH:MM:SS" (warehouse CSV)
struct Format {
  const char* name;
  ingest::Platform platform;
  const char* header;  // CSV: the header line; JSON: null
  std::string (*record)();
};

std::string Fill(absl::string_view text, size_t index,
                 std::mt19937_64& random) {
  const int64_t seconds = 1714521600 + random() % (90 * 86400);
  auto iso = [&](int64_t s) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(s),
                            absl::UTCTimeZone());
  };
  auto naive = [&](int64_t s) {
    return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(s),
                            absl::UTCTimeZone());
  };
  const uint64_t a = random(), b = random();
  return absl::StrReplaceAll(
      text, {{"@N@", absl::StrCat(100000 + index)},
             {"@C@", absl::StrCat(1000000 + random() % 9000000)},
             {"@U@",
              absl::StrFormat("%08x-%04x-4%03x-%04x-%012x", a >> 32, a & 0xffff,
                              (a >> 16) & 0xfff, b >> 48, b & 0xffffffffffff)},
             {"@S@", absl::StrCat(seconds)},
             {"@MS@", absl::StrCat(seconds * 1000 + 250)},
             {"@T0@", iso(seconds)},
             {"@T1@", iso(seconds + 300)},
             {"@T2@", iso(seconds + 900)},
             {"@D0@", naive(seconds)},
             {"@D1@", naive(seconds + 300)}});
}

std::string ContactEvent() {
  return R"({"version": "0", "id": "@U@", "detail-type": "Amazon Connect Contact Event", "source": "aws.connect", "account": "123456789012", "time": "@T1@", "region": "us-west-2", "resources": ["arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012"], "detail": {"initiationTimestamp": "@T0@", "contactId": "@U@", "channel": "VOICE", "instanceArn": "arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012", "initiationMethod": "INBOUND", "eventType": "CONNECTED_TO_AGENT", "agentInfo": {"agentArn": "arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012/agent/12345678-1234-1234-1234-123456789012", "connectedToAgentTimestamp": "@T1@"}, "queueInfo": {"queueType": "STANDARD", "queueArn": "arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012/queue/12345678-1234-1234-1234-123456789012", "enqueueTimestamp": "@T0@"}}})";
}

std::string ContactLens() {
  std::string transcript;
  for (int i = 0; i < 24; ++i) {
    absl::StrAppend(
        &transcript, i ? ", " : "",
        absl::StrFormat(
            R"({"AbsoluteTime": "@T0@", "Content": "%s", "Id": "id-%d-@N@", "ParticipantId": "%s", "ParticipantRole": "%s", "Type": "MESSAGE", "ContentType": "text/plain"})",
            i % 2 ? "We are refunding the kit and sending a new one today."
                  : "Hi! I would like a refund for my herb kit, please.",
            i, i % 2 ? "agent-@N@" : "customer-@N@",
            i % 2 ? "AGENT" : "CUSTOMER"));
  }
  return absl::StrCat(
      R"({"AccountId": "123456789012", "Categories": {"MatchedCategories": ["agent-intro", "refund"], "MatchedDetails": {"refund": {"PointsOfInterest": [{"TranscriptItems": [{"Id": "id-0-@N@"}]}]}}}, "Channel": "CHAT", "ChatTranscriptVersion": "2019-08-26", "ContentMetadata": {"Output": "Raw"}, "ConversationCharacteristics": {"ContactSummary": {"SummaryItemsDetected": [{"ActionItemsDetected": [], "IssuesDetected": [{"TranscriptItems": [{"CharacterOffsets": {"BeginOffsetChar": 4, "EndOffsetChar": 28}, "Id": "id-0-@N@"}]}], "OutcomesDetected": [{"TranscriptItems": [{"CharacterOffsets": {"BeginOffsetChar": 0, "EndOffsetChar": 22}, "Id": "id-1-@N@"}]}]}]}, "Sentiment": {"OverallSentiment": {"DetailsByInteraction": {"DetailsByParticipantRole": {"CUSTOMER": {"WithAgent": 0}}}, "DetailsByParticipantRole": {"AGENT": 1.15, "CUSTOMER": -2.5}}}}, "CustomerMetadata": {"ContactId": "@U@", "InputS3Uri": "s3://bucket/connect/chat/@U@.json", "InstanceId": "f23fc323-3d6d-48aa-95dc-0123456789ab"}, "JobStatus": "COMPLETED", "LanguageCode": "en-US", "Participants": [{"ParticipantId": "customer-@N@", "ParticipantRole": "CUSTOMER"}, {"ParticipantId": "agent-@N@", "ParticipantRole": "AGENT"}], "Transcript": [)",
      transcript, R"(], "Version": "CHAT-2022-11-30"})");
}

std::string Genesys() {
  return R"({"conversationId": "@U@", "conversationStart": "@T0@", "conversationEnd": "@T2@", "originatingDirection": "inbound", "divisionIds": ["1b6b98a6-3d70-47be-9406-61a5aa8cc570"], "participants": [{"participantId": "p-cust-@N@", "participantName": "Customer @C@", "purpose": "customer", "externalContactId": "ext-@C@", "sessions": [{"mediaType": "voice", "direction": "inbound", "sessionId": "@U@", "ani": "tel:+1415@C@", "dnis": "tel:+18005550199", "segments": [{"segmentStart": "@T0@", "segmentEnd": "@T1@", "segmentType": "interact"}, {"segmentStart": "@T1@", "segmentEnd": "@T2@", "segmentType": "interact", "disconnectType": "endpoint"}]}]}, {"participantId": "p-ivr-@N@", "purpose": "ivr", "sessions": [{"mediaType": "voice", "segments": [{"segmentStart": "@T0@", "segmentEnd": "@T0@", "segmentType": "interact", "disconnectType": "transfer"}]}]}, {"participantId": "p-acd-@N@", "purpose": "acd", "sessions": [{"mediaType": "voice", "segments": [{"segmentStart": "@T0@", "segmentEnd": "@T1@", "segmentType": "interact", "queueId": "queue-billing", "disconnectType": "transfer"}], "metrics": [{"name": "tAcd", "value": 60000, "emitDate": "@T1@"}]}]}, {"participantId": "p-agent-@N@", "userId": "agent-1", "purpose": "agent", "sessions": [{"mediaType": "voice", "segments": [{"segmentStart": "@T1@", "segmentEnd": "@T2@", "segmentType": "interact", "queueId": "queue-billing"}, {"segmentStart": "@T2@", "segmentEnd": "@T2@", "segmentType": "wrapup", "queueId": "queue-billing", "wrapUpCode": "Billing dispute", "wrapUpNote": "refund promised"}], "metrics": [{"name": "tHandle", "value": 600000, "emitDate": "@T2@"}, {"name": "tTalk", "value": 540000, "emitDate": "@T2@"}, {"name": "tAcw", "value": 60000, "emitDate": "@T2@"}]}]}]})";
}

constexpr const char* kZendeskTicketHeader =
    "id,_fivetran_synced,allow_channelback,assignee_id,brand_id,created_at,"
    "description,due_at,external_id,forum_topic_id,group_id,has_incidents,"
    "is_public,organization_id,priority,problem_id,recipient,requester_id,"
    "status,subject,submitter_id,system_client,ticket_form_id,type,"
    "updated_at,url,via_channel,via_source_from_id,via_source_from_title,"
    "via_source_rel,via_source_to_address,via_source_to_name,"
    "merged_ticket_ids,via_source_from_address,followup_ids,"
    "via_followup_source_id";

std::string ZendeskTicketCsv() {
  return "@N@,2024-08-01 02:32:49.426,FALSE,418284131934,360003529474,@D0@,"
         "Where is my refund for order @N@?,,,,360006965034,FALSE,TRUE,"
         "370295712714,high,,support@example.com,@C@,open,Refund for order "
         "@N@,@C@,,360002048693,question,@D1@,"
         "https://example.zendesk.com/api/v2/tickets/@N@.json,email,,,,"
         "support@example.com,Support,[],customer@C@@example.com,[],";
}

std::string ZendeskTicketJson() {
  return R"({"id": @N@, "url": "https://example.zendesk.com/api/v2/tickets/@N@.json", "external_id": null, "via": {"channel": "email", "source": {"from": {"address": "customer@C@@example.com", "name": "Customer @C@"}, "to": {"address": "support@example.com", "name": "Support"}, "rel": null}}, "created_at": "@T0@", "updated_at": "@T1@", "generated_timestamp": @S@, "type": "question", "subject": "Refund for order @N@", "raw_subject": "Refund for order @N@", "description": "Where is my refund for order @N@?", "priority": "high", "status": "open", "recipient": "support@example.com", "requester_id": @C@, "submitter_id": @C@, "assignee_id": 418284131934, "organization_id": 370295712714, "group_id": 360006965034, "collaborator_ids": [], "follower_ids": [], "email_cc_ids": [], "forum_topic_id": null, "problem_id": null, "has_incidents": false, "is_public": true, "due_at": null, "tags": ["refund", "vip"], "custom_fields": [{"id": 360011, "value": "gold"}, {"id": 360012, "value": null}], "satisfaction_rating": null, "sharing_agreement_ids": [], "custom_status_id": 1, "fields": [{"id": 360011, "value": "gold"}, {"id": 360012, "value": null}], "followup_ids": [], "ticket_form_id": 360002048693, "brand_id": 360003529474, "allow_channelback": false, "allow_attachments": true, "from_messaging_channel": false})";
}

constexpr const char* kZendeskCommentHeader =
    "id,_fivetran_synced,body,created,facebook_comment,public,ticket_id,"
    "tweet,user_id,voice_comment";

std::string ZendeskCommentCsv() {
  return "@N@,2024-08-01 04:47:57.580,Thanks - the refund for order @N@ "
         "arrived.,@D0@,FALSE,TRUE,@C@,FALSE,@C@,FALSE";
}

std::string ZendeskCommentJson() {
  return R"({"id": @N@, "ticket_id": @C@, "type": "Comment", "author_id": @C@, "body": "Thanks - the refund for order @N@ arrived.", "html_body": "<div class=\"zd-comment\"><p>Thanks - the refund for order @N@ arrived.</p></div>", "plain_body": "Thanks - the refund for order @N@ arrived.", "public": true, "attachments": [], "audit_id": @N@1, "via": {"channel": "email", "source": {"from": {"address": "customer@C@@example.com"}, "to": {}, "rel": null}}, "created_at": "@T0@", "metadata": {"system": {"client": "Mail", "ip_address": null}, "custom": {}}})";
}

constexpr const char* kZendeskHistoryHeader =
    "field_name,ticket_id,updated,user_id,value,_fivetran_synced";

std::string ZendeskHistoryCsv() {
  return "status,@N@,@D0@,418284131934,solved,2024-08-01 02:32:49.426";
}

std::string ZendeskAuditJson() {
  return R"({"id": @N@1, "ticket_id": @N@, "created_at": "@T0@", "author_id": 418284131934, "metadata": {"system": {"client": "Mozilla/5.0", "ip_address": "192.0.2.1", "location": "Lisbon, Portugal"}, "custom": {}}, "via": {"channel": "web", "source": {"from": {}, "to": {}, "rel": null}}, "events": [{"id": @N@2, "type": "Change", "field_name": "status", "value": "solved", "previous_value": "open"}, {"id": @N@3, "type": "Change", "field_name": "assignee_id", "value": "418284131934", "previous_value": null}, {"id": @N@4, "type": "Notification", "subject": "[Example] Re: {{ticket.title}}", "body": "Your request has been solved.", "recipients": [@C@], "via": {"channel": "rule", "source": {"from": {"id": 1, "title": "Notify requester of solved request"}}}}]})";
}

constexpr const char* kZendeskChatHeader =
    "chat_id,created_at,_fivetran_synced,actor_id,chat_index,message,"
    "original_message,type";

std::string ZendeskChatCsv() {
  return "7781.2200.@N@,@D0@.125000,2024-08-01 00:00:00.000000,502,3,,"
         "\"{\"\"department_name\"\": \"\"Billing\"\", \"\"department_id\"\": "
         "7}\",ChatDepartmentTransfer";
}

std::string Intercom() {
  return R"({"type": "conversation", "id": "@N@", "title": "Refund for order @N@", "created_at": @S@, "updated_at": @S@, "waiting_since": null, "snoozed_until": null, "open": false, "state": "closed", "read": true, "priority": "not_priority", "admin_assignee_id": 991267, "team_assignee_id": "5017691", "tags": {"type": "tag.list", "tags": [{"type": "tag", "id": "123456", "name": "refund"}]}, "conversation_rating": {"rating": 4, "remark": "quick", "created_at": @S@, "contact": {"type": "contact", "id": "c-@C@"}, "teammate": {"type": "contact", "id": "1a2b3c"}}, "source": {"type": "conversation", "id": "@N@", "delivered_as": "customer_initiated", "subject": "", "body": "<p>Hi, I want a refund for order @N@</p>", "author": {"type": "user", "id": "c-@C@", "name": "Customer @C@", "email": "customer@C@@example.com"}, "attachments": [], "url": null, "redacted": false}, "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": "c-@C@", "external_id": "@C@"}]}, "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": "991267"}]}, "custom_attributes": {"Order": "@N@", "Amount": 42.5}, "first_contact_reply": {"created_at": @S@, "type": "conversation", "url": null}, "sla_applied": null, "statistics": {"type": "conversation_statistics", "time_to_assignment": 60, "time_to_admin_reply": 120, "time_to_first_close": 3000, "time_to_last_close": 3600, "median_time_to_reply": 90, "first_contact_reply_at": @S@, "first_assignment_at": @S@, "first_admin_reply_at": @S@, "first_close_at": @S@, "last_assignment_at": @S@, "last_assignment_admin_reply_at": @S@, "last_contact_reply_at": @S@, "last_admin_reply_at": @S@, "last_close_at": @S@, "last_closed_by_id": 991267, "count_reopens": 0, "count_assignments": 1, "count_conversation_parts": 6}, "conversation_parts": {"type": "conversation_part.list", "conversation_parts": [], "total_count": 6}})";
}

std::string Salesforce() {
  return R"({"attributes": {"type": "Case", "url": "/services/data/v60.0/sobjects/Case/500Hs0000@C@AAA"}, "Id": "500Hs0000@C@AAA", "IsDeleted": false, "MasterRecordId": null, "CaseNumber": "00@N@", "ContactId": "003Hs0000@C@AAV", "AccountId": "001Hs00003FgHiJIAV", "AssetId": null, "ParentId": null, "SuppliedName": "Customer @C@", "SuppliedEmail": "customer@C@@example.com", "SuppliedPhone": "(415) @C@", "SuppliedCompany": "Example Inc", "Type": "Electrical", "Status": "Closed", "Reason": "Equipment Complexity", "Origin": "Web", "Subject": "Generator will not start", "Priority": "High", "Description": "Since the storm the generator will not start.", "IsClosed": true, "ClosedDate": "@T2@", "IsEscalated": false, "OwnerId": "005Hs00000AgEnTIAV", "CreatedDate": "@T0@", "CreatedById": "005Hs00000AgEnTIAV", "LastModifiedDate": "@T2@", "LastModifiedById": "005Hs00000AgEnTIAV", "SystemModstamp": "@T2@", "ContactPhone": "+1 415 @C@", "ContactMobile": null, "ContactEmail": "customer@C@@example.com", "ContactFax": null, "Comments": null, "LastViewedDate": null, "LastReferencedDate": null, "EngineeringReqNumber__c": "765676", "SLAViolation__c": "No", "PotentialLiability__c": "Yes", "Product__c": "GC5060"})";
}

std::string Twilio() {
  return R"({"EventType": "task.completed", "AccountSid": "AC00000000000000000000000000000001", "WorkspaceSid": "WS00000000000000000000000000000001", "WorkspaceName": "Flex Task Assignment", "EventDescription": "Task WT@N@ completed", "ResourceType": "Task", "ResourceSid": "WT@N@", "Timestamp": "@S@", "TimestampMs": "@MS@", "TaskSid": "WT@N@", "TaskAttributes": "{\"from\": \"+1415@C@\", \"to\": \"+18005550199\", \"direction\": \"inbound\", \"name\": \"Customer @C@\", \"call_sid\": \"CA@N@\", \"language\": \"en\", \"vip\": true, \"conversations\": {\"abandoned\": \"No\"}}", "TaskAge": "300", "TaskPriority": "0", "TaskAssignmentStatus": "completed", "TaskCompletedReason": "Task completed", "TaskQueueSid": "WQ00000000000000000000000000000001", "TaskQueueName": "Everyone", "TaskChannelSid": "TC00000000000000000000000000000001", "TaskChannelUniqueName": "voice", "WorkflowSid": "WW00000000000000000000000000000001", "WorkflowName": "Assign to Anyone", "TaskDateCreated": "@S@"})";
}

const Format kFormats[] = {
    {"connect-contact-event", ingest::Platform::kConnectContactEvent, nullptr,
     &ContactEvent},
    {"contact-lens", ingest::Platform::kContactLens, nullptr, &ContactLens},
    {"genesys-conversation", ingest::Platform::kGenesysConversation, nullptr,
     &Genesys},
    {"zendesk-ticket_csv", ingest::Platform::kZendeskTicket,
     kZendeskTicketHeader, &ZendeskTicketCsv},
    {"zendesk-ticket_json", ingest::Platform::kZendeskTicket, nullptr,
     &ZendeskTicketJson},
    {"zendesk-comment_csv", ingest::Platform::kZendeskComment,
     kZendeskCommentHeader, &ZendeskCommentCsv},
    {"zendesk-comment_json", ingest::Platform::kZendeskComment, nullptr,
     &ZendeskCommentJson},
    {"zendesk-field-history_csv", ingest::Platform::kZendeskFieldHistory,
     kZendeskHistoryHeader, &ZendeskHistoryCsv},
    {"zendesk-field-history_json", ingest::Platform::kZendeskFieldHistory,
     nullptr, &ZendeskAuditJson},
    {"zendesk-chat-event_csv", ingest::Platform::kZendeskChatEvent,
     kZendeskChatHeader, &ZendeskChatCsv},
    {"intercom-conversation", ingest::Platform::kIntercomConversation, nullptr,
     &Intercom},
    {"salesforce-case", ingest::Platform::kSalesforceCase, nullptr,
     &Salesforce},
    {"twilio-taskrouter", ingest::Platform::kTwilioTaskRouter, nullptr,
     &Twilio},
};

struct Input {
  std::string text;
  size_t records = 0;
};

const Input& InputOf(const Format& format) {
  static auto* const inputs = new std::vector<Input>(std::size(kFormats));
  Input& input = (*inputs)[&format - kFormats];
  if (input.records > 0) return input;
  std::mt19937_64 random(17);
  const std::string record = format.record();
  if (format.header != nullptr)
    absl::StrAppend(&input.text, format.header, "\n");
  input.records = ShortMode() ? 1000 : 20000;
  for (size_t i = 0; i < input.records; ++i) {
    absl::StrAppend(&input.text, Fill(record, i, random), "\n");
  }
  return input;
}

void BM_PlatformImport(benchmark::State& state, const Format& format) {
  const Input& input = InputOf(format);
  absl::Duration timed;
  uint64_t records = 0;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    auto source = ingest::NewImporter(format.platform, MiBChunks(input.text),
                                      ingest::ImportOptions());
    model::InputRecord record;
    uint64_t n = 0, last = 0;
    while (source->Next(&record)) {
      if (!record.event.ok()) {
        state.SkipWithError(absl::StrCat(format.name, " record ", record.number,
                                         ": ", record.event.status().ToString())
                                .c_str());
        return;
      }
      if (record.number != last) ++n;
      last = record.number;
    }
    timed += absl::Now() - start;
    if (n != input.records || !source->status().ok()) {
      state.SkipWithError("records went missing");
      return;
    }
    records += n;
  }
  const double seconds = absl::ToDoubleSeconds(timed);
  const double rate = records / seconds;
  state.counters["records/s"] = rate;
  state.counters["ns/record"] = seconds * 1e9 / records;
  state.counters["MB/s"] = static_cast<double>(input.text.size()) *
                           (records / input.records) / seconds / 1e6;
  ReportRatio(state, "ctr_jsonl", rate);
  const double ctr = Baseline("ctr_jsonl");
  Note(absl::StrCat("7 import ", format.name),
       absl::StrFormat("%s import: %.0f records/s, %.2fx connect-ctr's "
                       "(budget >= 0.33x)",
                       format.name, rate, ctr > 0 ? rate / ctr : 0));
}

const bool kRegistered = [] {
  for (const Format& format : kFormats) {
    benchmark::RegisterBenchmark(absl::StrCat("Import/", format.name).c_str(),
                                 [&format](benchmark::State& state) {
                                   BM_PlatformImport(state, format);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  return true;
}();

}  // namespace
}  // namespace motive::bench
