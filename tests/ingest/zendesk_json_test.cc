// The Zendesk Support API's JSON under the Zendesk formats: the same ticket,
// comment or field change read from the warehouse CSV and from the API
// gives the same events; pages, single responses and JSON Lines all read;
// kAuto recognises each shape.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/importer.h"
#include "tests/ingest/ingest_testing.h"
#include "tests/ingest/zendesk_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Cells;
using ::motive::ingest::testing::CsvOf;
using ::motive::ingest::testing::Describe;
using ::motive::ingest::testing::ExpectValid;
using ::motive::ingest::testing::Has;
using ::motive::ingest::testing::Import;
using ::motive::ingest::testing::OneLine;
using ::motive::ingest::testing::ReadResult;
using ::motive::ingest::testing::Text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// A ticket as Fivetran's ticket table holds it ...
const Cells kTicketCells = {
    {"id", "4242"},
    {"created_at", "2024-05-01 10:00:00"},
    {"updated_at", "2024-05-02 09:30:00"},
    {"status", "open"},
    {"requester_id", "9001"},
    {"submitter_id", "9002"},
    {"assignee_id", "77"},
    {"group_id", "360006965034"},
    {"brand_id", "360003529474"},
    {"organization_id", "370295712714"},
    {"priority", "high"},
    {"type", "question"},
    {"subject", "Refund for order 1234"},
    {"description", "Where is my refund?"},
    {"via_channel", "email"},
    {"via_source_from_address", "Ann@Example.com"},
    {"ticket_form_id", "360002048693"},
    {"due_at", "2024-05-10 17:00:00"},
    {"merged_ticket_ids", "[]"},
    {"followup_ids", "[4300]"},
    {"external_id", "ext-1"},
    {"problem_id", ""},
};

// ... and as GET /api/v2/tickets/4242 returns it (the Tickets API's
// ticket object, every field of the reference).
constexpr absl::string_view kTicketJson = R"({
  "id": 4242,
  "url": "https://example.zendesk.com/api/v2/tickets/4242.json",
  "external_id": "ext-1",
  "via": {"channel": "email",
          "source": {"from": {"address": "Ann@Example.com", "name": "Ann"},
                     "to": {"address": "support@example.com",
                            "name": "Example"},
                     "rel": null}},
  "created_at": "2024-05-01T10:00:00Z",
  "updated_at": "2024-05-02T09:30:00Z",
  "generated_timestamp": 1714642200,
  "type": "question",
  "subject": "Refund for order 1234",
  "raw_subject": "Refund for order 1234",
  "description": "Where is my refund?",
  "priority": "high",
  "status": "open",
  "recipient": "support@example.com",
  "requester_id": 9001,
  "submitter_id": 9002,
  "assignee_id": 77,
  "organization_id": 370295712714,
  "group_id": 360006965034,
  "collaborator_ids": [],
  "follower_ids": [],
  "email_cc_ids": [],
  "forum_topic_id": null,
  "problem_id": null,
  "has_incidents": false,
  "is_public": true,
  "due_at": "2024-05-10T17:00:00Z",
  "tags": [],
  "custom_fields": [],
  "satisfaction_rating": null,
  "sharing_agreement_ids": [],
  "custom_status_id": 1,
  "fields": [],
  "followup_ids": [4300],
  "ticket_form_id": 360002048693,
  "brand_id": 360003529474,
  "allow_channelback": false,
  "allow_attachments": true,
  "from_messaging_channel": false
})";

std::vector<std::string> Events(const ReadResult& result) {
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(result.Rejected(), SizeIs(0))
      << absl::StrJoin(Describe(result), "\n");
  std::vector<std::string> events;
  for (const v1::Event& event : result.Events()) {
    events.push_back(event.ShortDebugString());
  }
  return events;
}

std::string Replace(absl::string_view text, absl::string_view from,
                    absl::string_view to) {
  std::string out(text);
  const size_t at = absl::string_view(out).find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    out.replace(at, from.size(), to.data(), to.size());
  return out;
}

TEST(ZendeskJsonTest, TicketFromCsvAndFromApiIsOneEvent) {
  const std::vector<std::string> csv =
      Events(Import(Platform::kZendeskTicket, CsvOf(kTicketCells)));
  ASSERT_THAT(csv, SizeIs(1));
  EXPECT_THAT(
      csv[0],
      HasSubstr("event_id: \"zendesk:ticket:4242@2024-05-02T09:30:00Z\""));
  for (const std::string& json :
       {std::string(kTicketJson),
        absl::StrCat("{\"ticket\": ", kTicketJson, "}"),
        absl::StrCat("{\"tickets\": [", kTicketJson,
                     "], \"next_page\": null, \"count\": 1}"),
        absl::StrCat("[", kTicketJson, "]")}) {
    for (const Platform platform :
         {Platform::kZendeskTicket, Platform::kAuto}) {
      EXPECT_EQ(Events(Import(platform, json, 9)), csv);
    }
  }
  ExpectValid(
      Import(Platform::kZendeskTicket, std::string(kTicketJson)).Events());
}

TEST(ZendeskJsonTest, IncrementalExportPageIsOneRecordOfManyTickets) {
  const std::string second =
      Replace(Replace(kTicketJson, "\"id\": 4242", "\"id\": 4243"),
              "\"status\": \"open\"", "\"status\": \"solved\"");
  const std::string page = absl::StrCat(
      R"({"tickets": [)", kTicketJson, ",", second,
      R"(], "after_cursor": "MTU3", "end_of_stream": true, "end_time": 1714642200})");
  const ReadResult result = Import(Platform::kAuto, page);
  ASSERT_THAT(result.records, SizeIs(2));
  EXPECT_EQ(result.records[1].number, 1u);
  ASSERT_THAT(result.Events(), SizeIs(2));
  EXPECT_EQ(result.Events()[1].outcome(), v1::RESOLVED);

  // JSON Lines of pages: an empty page holds nothing to import.
  const ReadResult lines =
      Import(Platform::kZendeskTicket,
             absl::StrCat(OneLine(page), "\n", R"({"tickets": [], "count": 0})",
                          "\n", OneLine(std::string(kTicketJson)), "\n"),
             5);
  EXPECT_THAT(lines.Skipped(), ElementsAre(2u));
  EXPECT_THAT(lines.Events(), SizeIs(3));
}

TEST(ZendeskJsonTest, BadTicketRejectsItsPageNamingIt) {
  const std::string bad = Replace(kTicketJson, "\"requester_id\": 9001,", "");
  const ReadResult result =
      Import(Platform::kZendeskTicket,
             absl::StrCat(R"({"tickets": [)", kTicketJson, ",", bad, "]}"));
  ASSERT_THAT(result.records, SizeIs(1));
  ASSERT_FALSE(result.records[0].event.ok());
  EXPECT_EQ(base::ErrorField(result.records[0].event.status()),
            "tickets[1].requester_id");
}

TEST(ZendeskJsonTest, TagsAndCustomFieldsOfTheApi) {
  const std::string json = Replace(
      Replace(kTicketJson, R"("tags": [])", R"("tags": ["refund", "vip"])"),
      R"("custom_fields": [])",
      R"("custom_fields": [{"id": 360011, "value": "gold"},
                                   {"id": 360012, "value": null},
                                   {"id": 360013, "value": true},
                                   {"id": 360014, "value": ["a", "b"]}])");
  const ReadResult result = Import(Platform::kZendeskTicket, json);
  const std::vector<v1::Event> events = result.Events();
  ASSERT_THAT(events, SizeIs(1));
  const v1::Event& event = events[0];
  EXPECT_EQ(Text(event, "tags"), "refund vip");
  EXPECT_EQ(Text(event, "custom_field_360011"), "gold");
  EXPECT_FALSE(Has(event, "custom_field_360012"));
  EXPECT_TRUE(event.attributes().at("custom_field_360013").bool_value());
  EXPECT_FALSE(Has(event, "custom_field_360014"));
  EXPECT_EQ(event.attributes().at("attributes_dropped").number_value(), 1);
}

TEST(ZendeskJsonTest, CommentFromCsvAndFromApiIsOneEvent) {
  const std::string csv =
      "id,ticket_id,user_id,created,public,body,voice_comment\n"
      "1030820361033,4242,9001,2024-05-01 10:00:00,TRUE,where is it,FALSE\n"
      "1030820361034,4242,77,2024-05-01 11:00:00,FALSE,a call,TRUE\n";
  constexpr absl::string_view kPage = R"({"comments": [
    {"id": 1030820361033, "type": "Comment", "author_id": 9001,
     "body": "where is it", "html_body": "<p>where is it</p>",
     "plain_body": "where is it", "public": true, "attachments": [],
     "audit_id": 5001, "via": {"channel": "web", "source": {}},
     "created_at": "2024-05-01T10:00:00Z", "metadata": {}},
    {"id": 1030820361034, "type": "VoiceComment", "author_id": 77,
     "body": "a call", "public": false,
     "data": {"from": "+14155550100", "call_duration": 60},
     "created_at": "2024-05-01T11:00:00Z"}
  ], "next_page": null, "previous_page": null, "count": 2})";
  const std::vector<std::string> from_csv =
      Events(Import(Platform::kZendeskComment, csv));
  ASSERT_THAT(from_csv, SizeIs(2));
  ImportOptions options;
  options.source_name = "exports/api/v2/tickets/4242/comments.json";
  for (const Platform platform : {Platform::kZendeskComment, Platform::kAuto}) {
    EXPECT_EQ(Events(Import(platform, std::string(kPage), 11, options)),
              from_csv);
  }
  // A comment that names its ticket needs no source name.
  const std::string flat =
      OneLine(R"({"id": 1030820361033, "ticket_id": 4242, "type": "Comment",
                  "author_id": 9001, "body": "where is it", "public": true,
                  "created_at": "2024-05-01T10:00:00Z"})");
  EXPECT_EQ(Events(Import(Platform::kAuto, flat)).front(), from_csv[0]);

  // Without either, the ticket is missing.
  const ReadResult orphan =
      Import(Platform::kZendeskComment, std::string(kPage));
  ASSERT_THAT(orphan.Rejected(), SizeIs(1));
  EXPECT_EQ(base::ErrorField(orphan.Rejected()[0].event.status()),
            "comments[0].ticket_id");
}

constexpr absl::string_view kHistoryCsv =
    "field_name,ticket_id,updated,user_id,value\n"
    "status,4242,2024-05-01 10:00:00,,new\n"
    "status,4242,2024-05-01 15:00:00,77,on-hold\n"
    "assignee_id,4242,2024-05-02 11:00:00,77,78\n"
    "360011,4242,2024-05-02 11:00:00,77,gold\n"
    "status,4242,2024-05-03 12:00:00,78,solved\n";

// The same changes as GET /api/v2/tickets/4242/audits returns them: the
// creation audit (its Create events and first comment), then changes with
// notifications between them.
constexpr absl::string_view kAuditsJson = R"({"audits": [
  {"id": 1, "ticket_id": 4242, "created_at": "2024-05-01T10:00:00Z",
   "author_id": null, "metadata": {}, "via": {"channel": "web"},
   "events": [
     {"id": 11, "type": "Comment", "body": "where is it", "public": true,
      "author_id": 9001},
     {"id": 12, "type": "Create", "field_name": "status", "value": "new"}]},
  {"id": 2, "ticket_id": 4242, "created_at": "2024-05-01T15:00:00Z",
   "author_id": 77, "events": [
     {"id": 21, "type": "Change", "field_name": "status", "value": "hold",
      "previous_value": "new"}]},
  {"id": 3, "ticket_id": 4242, "created_at": "2024-05-02T11:00:00Z",
   "author_id": 77, "events": [
     {"id": 31, "type": "Change", "field_name": "assignee_id", "value": "78",
      "previous_value": "77"},
     {"id": 32, "type": "Change", "field_name": "360011", "value": "gold",
      "previous_value": null},
     {"id": 33, "type": "Notification", "subject": "Assigned",
      "recipients": [78]}]},
  {"id": 4, "ticket_id": 4242, "created_at": "2024-05-03T12:00:00Z",
   "author_id": 78, "events": [
     {"id": 41, "type": "Change", "field_name": "status", "value": "solved",
      "previous_value": "hold"}]}
], "next_page": null, "count": 4})";

TEST(ZendeskJsonTest, FieldChangesFromCsvAndFromAuditsAreOneEach) {
  std::vector<std::string> from_csv =
      Events(Import(Platform::kZendeskFieldHistory, std::string(kHistoryCsv)));
  ASSERT_THAT(from_csv, SizeIs(5));
  for (const Platform platform :
       {Platform::kZendeskFieldHistory, Platform::kAuto}) {
    EXPECT_EQ(Events(Import(platform, std::string(kAuditsJson), 13)), from_csv);
  }
}

TEST(ZendeskJsonTest, AuditWithoutChangesIsSkipped) {
  const ReadResult result =
      Import(Platform::kZendeskFieldHistory,
             R"({"ticket_id": 4242, "created_at": "2024-05-01T10:00:00Z",
          "events": [{"id": 1, "type": "Comment", "body": "hi"}]})");
  EXPECT_THAT(Describe(result), ElementsAre("1 skipped", "OK"));
  const ReadResult bad = Import(
      Platform::kZendeskFieldHistory,
      R"({"audit": {"ticket_id": 4242, "created_at": "2024-05-01T10:00:00Z",
          "events": [{"type": "Change", "field_name": "status",
                      "value": ""}]}})");
  ASSERT_THAT(bad.Rejected(), SizeIs(1));
  EXPECT_EQ(base::ErrorField(bad.Rejected()[0].event.status()),
            "audit.events[0].value");
}

TEST(ZendeskJsonTest, CsvFormatsStillReadCsv) {
  // A format that reads both framings finds the framing from the first
  // byte, after any byte order mark and blank lines.
  const std::vector<std::string> csv =
      Events(Import(Platform::kZendeskTicket, CsvOf(kTicketCells)));
  EXPECT_EQ(
      Events(Import(Platform::kZendeskTicket,
                    absl::StrCat("\xEF\xBB\xBF\n", CsvOf(kTicketCells)), 1)),
      csv);
  EXPECT_EQ(Events(Import(Platform::kZendeskTicket,
                          absl::StrCat("\xEF\xBB\xBF\n ", kTicketJson), 1)),
            csv);
}

}  // namespace
}  // namespace motive::ingest
