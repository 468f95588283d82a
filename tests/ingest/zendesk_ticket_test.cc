#include "ingest/zendesk_ticket.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
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
using ::motive::ingest::testing::OneEvent;
using ::motive::ingest::testing::OneRejection;
using ::motive::ingest::testing::ReadResult;
using ::motive::ingest::testing::Text;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr absl::string_view kSample = "zendesk_ticket_fivetran_seed.csv";

// A ticket row in the warehouse shape, with every mapped column.
const Cells& TicketCells() {
  static const Cells* const cells = new Cells{
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
      {"due_at", ""},
      {"merged_ticket_ids", "[]"},
      {"followup_ids", "[4300]"},
      {"external_id", "ext-1"},
      {"problem_id", ""},
  };
  return *cells;
}

std::string Ticket(const Cells& changes = {}) {
  return CsvOf(TicketCells(), changes);
}

v1::Event MapOne(const Cells& changes = {},
                 const ImportOptions& options = ImportOptions()) {
  return OneEvent(Platform::kZendeskTicket, Ticket(changes), options);
}

TEST(ZendeskTicketTest, MapsEveryField) {
  const v1::Event event = MapOne();
  EXPECT_EQ(event.event_id(), "zendesk:ticket:4242@2024-05-02T09:30:00Z");
  EXPECT_EQ(event.interaction_id(), "zendesk:ticket:4242");
  EXPECT_FALSE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);  // 10:00:00Z
  EXPECT_EQ(event.updated_at().seconds(), 1714557600 + 84600);
  EXPECT_EQ(event.type(), "ticket");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::EMAIL);
  EXPECT_EQ(event.outcome(), v1::UNRESOLVED);
  ASSERT_EQ(event.identifiers_size(), 2);
  EXPECT_EQ(event.identifiers(0).namespace_(), "zendesk_user");
  EXPECT_EQ(event.identifiers(0).value(), "9001");
  EXPECT_EQ(event.identifiers(1).namespace_(), "email");
  EXPECT_EQ(event.identifiers(1).value(), "Ann@Example.com");
  EXPECT_EQ(event.topic(), "Refund for order 1234");
  EXPECT_EQ(event.agent_id(), "77");
  EXPECT_EQ(event.queue(), "360006965034");
  EXPECT_FALSE(event.has_duration_ms());
  EXPECT_FALSE(event.has_transfers());

  EXPECT_EQ(Text(event, "status"), "open");
  EXPECT_EQ(Text(event, "priority"), "high");
  EXPECT_EQ(Text(event, "ticket_type"), "question");
  EXPECT_EQ(Text(event, "group_id"), "360006965034");
  EXPECT_EQ(Text(event, "brand_id"), "360003529474");
  EXPECT_EQ(Text(event, "organization_id"), "370295712714");
  EXPECT_EQ(Text(event, "ticket_form_id"), "360002048693");
  EXPECT_EQ(Text(event, "submitter_id"), "9002");
  EXPECT_EQ(Text(event, "via_channel"), "email");
  EXPECT_EQ(Text(event, "external_id"), "ext-1");
  EXPECT_EQ(Text(event, "followup_ids"), "[4300]");
  EXPECT_FALSE(Has(event, "merged_ticket_ids"));  // "[]" says nothing
  EXPECT_FALSE(Has(event, "problem_id"));
  EXPECT_FALSE(Has(event, "due_at"));
  EXPECT_FALSE(Has(event, "description"));
  EXPECT_FALSE(Has(event, "attributes_dropped"));
  EXPECT_EQ(event.attributes_size(), 11);
  ExpectValid({event});
}

TEST(ZendeskTicketTest, StatusGivesTheOutcome) {
  const std::pair<const char*, v1::Outcome> cases[] = {
      {"new", v1::UNRESOLVED},       {"open", v1::UNRESOLVED},
      {"pending", v1::UNRESOLVED},   {"hold", v1::UNRESOLVED},
      {"on-hold", v1::UNRESOLVED},   {"solved", v1::RESOLVED},
      {"Closed", v1::RESOLVED},      {"deleted", v1::OUTCOME_UNSPECIFIED},
      {"", v1::OUTCOME_UNSPECIFIED}, {"archived", v1::OUTCOME_UNSPECIFIED},
  };
  for (const auto& [status, outcome] : cases) {
    SCOPED_TRACE(status);
    EXPECT_EQ(MapOne({{"status", status}}).outcome(), outcome);
  }
  EXPECT_EQ(Text(MapOne({{"status", "On-Hold"}}), "status"), "hold");
  EXPECT_FALSE(Has(MapOne({{"status", ""}}), "status"));
}

TEST(ZendeskTicketTest, ViaChannelGivesTheChannel) {
  const std::pair<const char*, v1::Channel> cases[] = {
      {"web", v1::WEB},
      {"Web_Widget", v1::WEB},
      {"email", v1::EMAIL},
      {"chat", v1::CHAT},
      {"native_messaging", v1::CHAT},
      {"voice", v1::VOICE},
      {"sms", v1::SMS},
      {"twitter", v1::SOCIAL},
      {"mobile_sdk", v1::MOBILE_APP},
      {"api", v1::OTHER},
      {"rule", v1::OTHER},
      {"", v1::CHANNEL_UNSPECIFIED},
  };
  for (const auto& [via, channel] : cases) {
    SCOPED_TRACE(via);
    EXPECT_EQ(MapOne({{"via_channel", via}}).channel(), channel);
  }
}

TEST(ZendeskTicketTest, SenderAddressIsAnEmailOnlyOnEmailTickets) {
  const v1::Event web = MapOne({{"via_channel", "web"}});
  ASSERT_EQ(web.identifiers_size(), 1);
  EXPECT_EQ(web.identifiers(0).namespace_(), "zendesk_user");
  EXPECT_EQ(MapOne({{"via_source_from_address", ""}}).identifiers_size(), 1);
}

TEST(ZendeskTicketTest, OptionalCellsMayBeEmpty) {
  const v1::Event event = MapOne({{"updated_at", ""},
                                  {"assignee_id", ""},
                                  {"group_id", ""},
                                  {"subject", ""},
                                  {"via_channel", ""},
                                  {"priority", ""},
                                  {"followup_ids", ""}});
  // Without updated_at the ticket's version is its creation.
  EXPECT_EQ(event.event_id(), "zendesk:ticket:4242@2024-05-01T10:00:00Z");
  EXPECT_EQ(event.updated_at().seconds(), event.occurred_at().seconds());
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_TRUE(event.queue().empty());
  EXPECT_TRUE(event.topic().empty());
  EXPECT_EQ(event.channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_FALSE(Has(event, "priority"));
  EXPECT_FALSE(Has(event, "group_id"));
  EXPECT_FALSE(Has(event, "followup_ids"));
}

TEST(ZendeskTicketTest, LongSubjectIsCutAtACharacterBoundary) {
  std::string subject(127, 'x');
  subject += "\xC3\xA9 and more";  // an 'é' across byte 128
  const v1::Event event = MapOne({{"subject", subject}});
  EXPECT_EQ(event.topic(), std::string(127, 'x'));
}

TEST(ZendeskTicketTest, DueAtIsWrittenInUtc) {
  ImportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &options.timezone));
  const v1::Event event = MapOne({{"due_at", "2024-05-10 17:00:00"}}, options);
  EXPECT_EQ(Text(event, "due_at"), "2024-05-10T21:00:00Z");
}

TEST(ZendeskTicketTest, NaiveTimesTakeTheImportTimeZone) {
  ImportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &options.timezone));
  const v1::Event event = MapOne({}, options);
  // 10:00 in New York (EDT, UTC-4) is 14:00Z.
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600 + 4 * 3600);
  EXPECT_EQ(event.updated_at().seconds(), 1714557600 + 84600 + 4 * 3600);
  // The id holds the time in UTC, as the API writes it
  // (zendesk_json_test.cc): 09:30 in New York is 13:30Z.
  EXPECT_EQ(event.event_id(), "zendesk:ticket:4242@2024-05-02T13:30:00Z");
  // A time with an offset ignores the zone.
  const v1::Event offset =
      MapOne({{"created_at", "2024-05-01T10:00:00Z"}}, options);
  EXPECT_EQ(offset.occurred_at().seconds(), 1714557600);
}

TEST(ZendeskTicketTest, LaterRowsAreNewVersionsReimportsDuplicates) {
  const v1::Event first = MapOne();
  EXPECT_EQ(MapOne().event_id(), first.event_id());
  const v1::Event later =
      MapOne({{"updated_at", "2024-05-03 12:00:00"}, {"status", "solved"}});
  EXPECT_NE(later.event_id(), first.event_id());
  EXPECT_EQ(later.interaction_id(), first.interaction_id());
  EXPECT_GT(later.updated_at().seconds(), first.updated_at().seconds());
  EXPECT_EQ(later.outcome(), v1::RESOLVED);
  // Ids are whole numbers, so "0042" and "42" are one ticket.
  EXPECT_EQ(MapOne({{"id", "0042"}}).interaction_id(), "zendesk:ticket:42");
}

struct BadCase {
  std::string column, cell, field, reason;
};

TEST(ZendeskTicketTest, BadRowsNameTheColumnAndTheReason) {
  const BadCase cases[] = {
      {"id", "", "id", "required, but empty"},
      {"id", "T-17", "id", "must be a whole number, got \"T-17\""},
      {"created_at", "", "created_at", "required, but empty"},
      {"created_at", "yesterday", "created_at",
       "must be a timestamp like 2024-05-01T10:00:00Z, got \"yesterday\""},
      {"updated_at", "2024-13-01", "updated_at", "must be a timestamp"},
      {"requester_id", "", "requester_id", "required, but empty"},
      {"requester_id", "ann@example.com", "requester_id",
       "must be a whole number"},
      {"assignee_id", "jdoe", "assignee_id", "must be a whole number"},
      {"group_id", "1.5", "group_id", "must be a whole number"},
      {"due_at", "soon", "due_at", "must be a timestamp"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.column + "=" + c.cell);
    const absl::Status status =
        OneRejection(Platform::kZendeskTicket, Ticket({{c.column, c.cell}}));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
  const absl::Status missing =
      OneRejection(Platform::kZendeskTicket,
                   "id,created_at,status\n5,2024-05-01 10:00:00,open\n");
  EXPECT_EQ(base::ErrorField(missing), "requester_id");
  EXPECT_EQ(base::ErrorReason(missing), "required, but missing");
}

TEST(ZendeskTicketTest, BadRowsAreRejectedAndTheRestImports) {
  const std::string good = Ticket();
  const std::string header = good.substr(0, good.find('\n') + 1);
  const std::string row = good.substr(header.size());
  std::string bad_id = Ticket({{"id", "x"}});
  bad_id = bad_id.substr(bad_id.find('\n') + 1);
  const std::string input = header + row + bad_id + "1,2\n" +
                            Ticket({{"id", "4243"}}).substr(header.size());
  const ReadResult result = Import(Platform::kZendeskTicket, input, 7);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(4));
  EXPECT_EQ(result.records[0].number, 1u);
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "id");
  EXPECT_EQ(result.records[2].number, 3u);
  EXPECT_THAT(result.records[2].event.status().message(),
              HasSubstr("the row has 2 cells where the header has"));
  EXPECT_EQ(result.records[3].number, 4u);
  ASSERT_TRUE(result.records[3].event.ok());
  EXPECT_EQ(result.records[3].event->interaction_id(), "zendesk:ticket:4243");
}

TEST(ZendeskTicketTest, SampleRowsMapFieldByField) {
  MOTIVE_SHARED_FILE_OR_SKIP(csv, std::string(kSample));
  const ReadResult result = Import(Platform::kZendeskTicket, csv);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(10));
  EXPECT_THAT(result.Rejected(), SizeIs(0));
  const std::vector<v1::Event> events = result.Events();

  // 1595: a deleted web ticket, no assignee, type incident.
  const v1::Event& deleted = events[0];
  EXPECT_EQ(deleted.event_id(), "zendesk:ticket:1595@2020-02-19T01:55:11Z");
  EXPECT_EQ(deleted.interaction_id(), "zendesk:ticket:1595");
  EXPECT_EQ(deleted.occurred_at().seconds(), 1582077292);
  EXPECT_EQ(deleted.updated_at().seconds(), 1582077311);
  EXPECT_EQ(deleted.channel(), v1::WEB);
  EXPECT_EQ(deleted.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(deleted.agent_id().empty());
  EXPECT_EQ(deleted.queue(), "360006965034");
  EXPECT_EQ(deleted.topic(), "subject1");
  EXPECT_EQ(Text(deleted, "status"), "deleted");
  EXPECT_EQ(Text(deleted, "ticket_type"), "incident");
  EXPECT_EQ(Text(deleted, "submitter_id"), "396331237134");
  ASSERT_EQ(deleted.identifiers_size(), 1);
  EXPECT_EQ(deleted.identifiers(0).namespace_(), "zendesk_user");
  EXPECT_EQ(deleted.identifiers(0).value(), "396331237134");

  // 16988: a solved email ticket.
  const v1::Event& solved = events[1];
  EXPECT_EQ(solved.event_id(), "zendesk:ticket:16988@2021-01-13T18:42:39Z");
  EXPECT_EQ(solved.occurred_at().seconds(), 1608596363);
  EXPECT_EQ(solved.updated_at().seconds(), 1610563359);
  EXPECT_EQ(solved.type(), "ticket");
  EXPECT_EQ(solved.moment(), v1::INTERIM);
  EXPECT_EQ(solved.channel(), v1::EMAIL);
  EXPECT_EQ(solved.outcome(), v1::RESOLVED);
  EXPECT_EQ(solved.agent_id(), "418284131934");
  EXPECT_EQ(solved.queue(), "360013366274");
  ASSERT_EQ(solved.identifiers_size(), 1);  // no sender address in the seed
  EXPECT_EQ(solved.identifiers(0).value(), "1500656884401");
  EXPECT_EQ(Text(solved, "brand_id"), "360003529474");
  EXPECT_EQ(Text(solved, "organization_id"), "370469077513");
  EXPECT_EQ(Text(solved, "ticket_form_id"), "360002048693");
  EXPECT_EQ(Text(solved, "via_channel"), "email");
  EXPECT_FALSE(Has(solved, "followup_ids"));  // "[]"
  EXPECT_FALSE(Has(solved, "priority"));

  // 11071: urgent, no organization.
  EXPECT_EQ(Text(events[3], "priority"), "urgent");
  EXPECT_FALSE(Has(events[3], "organization_id"));
  EXPECT_EQ(events[3].outcome(), v1::RESOLVED);  // closed
  // 1966: merged into another ticket.
  EXPECT_EQ(Text(events[4], "merged_ticket_ids"), "[1967]");

  ExpectValid(events);
  for (const v1::Event& event : events) {
    EXPECT_TRUE(event.customer_id().empty());
    EXPECT_FALSE(event.enrichment());
    EXPECT_FALSE(Has(event, "attributes_dropped"));
  }
}

TEST(ZendeskTicketTest, SampleIsSniffedAndReadsTheSameInChunks) {
  MOTIVE_SHARED_FILE_OR_SKIP(csv, std::string(kSample));
  const ReadResult whole = Import(Platform::kZendeskTicket, csv);
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv)), Describe(whole));
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv, 13)), Describe(whole));
  EXPECT_EQ(Describe(Import(Platform::kZendeskTicket, csv, 1)),
            Describe(whole));
}

TEST(ZendeskTicketTest, SampleWithByteOrderMarkAndCrlfReadsTheSame) {
  MOTIVE_SHARED_FILE_OR_SKIP(csv, std::string(kSample));
  std::string windows = "\xEF\xBB\xBF";
  for (const char c : csv) {
    if (c == '\n') windows += '\r';
    windows += c;
  }
  EXPECT_EQ(Describe(Import(Platform::kAuto, windows, 2)),
            Describe(Import(Platform::kZendeskTicket, csv)));
}

TEST(ZendeskTicketTest, HandWrittenHeaderIsSniffed) {
  const ReadResult result = Import(Platform::kAuto, Ticket());
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(1));
  ASSERT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[0].event->type(), "ticket");
}

TEST(ZendeskTicketTest, LooksLike) {
  EXPECT_TRUE(LooksLikeZendeskTicket(
      CsvHeader({"ID", "Created_At", "status", " requester_id "})));
  EXPECT_FALSE(
      LooksLikeZendeskTicket(CsvHeader({"id", "created_at", "status"})));
}

}  // namespace
}  // namespace motive::ingest
