#include "ingest/zendesk_field_history.h"

#include <set>
#include <string>

#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/ingest_testing.h"
#include "tests/ingest/zendesk_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Csv;
using ::motive::ingest::testing::Describe;
using ::motive::ingest::testing::ExpectValid;
using ::motive::ingest::testing::Has;
using ::motive::ingest::testing::Import;
using ::motive::ingest::testing::OneEvent;
using ::motive::ingest::testing::OneRejection;
using ::motive::ingest::testing::ReadResult;
using ::motive::ingest::testing::Text;
using ::testing::HasSubstr;
using ::testing::SizeIs;

// Fivetran's column order (dbt_zendesk's seed, which has no shared copy).
constexpr absl::string_view kHeader =
    "field_name,ticket_id,updated,_fivetran_synced,user_id,value";

// A ticket's lifecycle in Fivetran's shape: opened, put on hold ("on-hold",
// as Fivetran's seed spells it), reopened, solved and closed, with priority
// and assignee changes and a custom field.
const std::vector<std::string>& Lifecycle() {
  static const auto* const rows = new std::vector<std::string>{
      "status,5150,2024-03-04 09:15:00,2024-03-05 02:00:00.000,,open",
      "assignee_id,5150,2024-03-04 09:15:00,2024-03-05 02:00:00.000,,1111",
      "priority,5150,2024-03-04 09:15:00,2024-03-05 02:00:00.000,,normal",
      "status,5150,2024-03-06 14:00:00,2024-03-07 02:00:00.000,,on-hold",
      "status,5150,2024-03-08 08:30:00,2024-03-09 02:00:00.000,,open",
      "status,5150,2024-03-11 16:45:10,2024-03-12 02:00:00.000,3333,solved",
      "status,5150,2024-03-15 16:45:10,2024-03-16 02:00:00.000,,closed",
      "987001,5150,2024-03-04 09:15:00,2024-03-05 02:00:00.000,,gold_tier",
      "requester_id,5150,2024-03-04 09:15:00,2024-03-05 02:00:00.000,,2222",
  };
  return *rows;
}

std::string Row(absl::string_view row) {
  return Csv(std::string(kHeader), {std::string(row)});
}

v1::Event MapOne(absl::string_view row,
                 const ImportOptions& options = ImportOptions()) {
  return OneEvent(Platform::kZendeskFieldHistory, Row(row), options);
}

TEST(ZendeskFieldHistoryTest, StatusChangeIsAnEnrichmentOfTheTicket) {
  const v1::Event event = MapOne(Lifecycle()[5]);
  EXPECT_EQ(event.event_id(),
            "zendesk:ticket:5150:status@2024-03-11T16:45:10Z");
  EXPECT_EQ(event.interaction_id(), "zendesk:ticket:5150");
  EXPECT_TRUE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.identifiers_size(), 0);
  EXPECT_EQ(event.occurred_at().seconds(), 1710175510);  // 16:45:10Z
  EXPECT_EQ(event.updated_at().seconds(), 1710175510);
  EXPECT_EQ(event.type(), "status_change");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.outcome(), v1::RESOLVED);
  // The subject stays the ticket's: an overlay sets what it carries.
  EXPECT_TRUE(event.topic().empty());
  EXPECT_EQ(event.channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(Text(event, "status"), "solved");
  EXPECT_EQ(Text(event, "solved_at"), "2024-03-11T16:45:10Z");
  EXPECT_EQ(Text(event, "status_changed_at"), "2024-03-11T16:45:10Z");
  EXPECT_EQ(Text(event, "status_changed_by"), "3333");
  EXPECT_EQ(event.attributes_size(), 4);
}

TEST(ZendeskFieldHistoryTest, StatusesGiveOutcomes) {
  const v1::Event hold = MapOne(Lifecycle()[3]);
  EXPECT_EQ(Text(hold, "status"), "hold");  // the seed's "on-hold"
  EXPECT_EQ(Text(hold, "hold_at"), "2024-03-06T14:00:00Z");
  EXPECT_EQ(hold.outcome(), v1::UNRESOLVED);
  // Reopened: the overlay takes back the earlier RESOLVED.
  EXPECT_EQ(MapOne(Lifecycle()[4]).outcome(), v1::UNRESOLVED);
  EXPECT_EQ(MapOne(Lifecycle()[6]).outcome(), v1::RESOLVED);
  const v1::Event deleted = MapOne("status,1,2020-01-01 00:00:00,,,deleted");
  EXPECT_EQ(deleted.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(Text(deleted, "deleted_at"), "2020-01-01T00:00:00Z");
  // A status with characters no key takes.
  EXPECT_EQ(Text(MapOne("STATUS,1,2020-01-01 00:00:00,,,Waiting Parts"),
                 "waiting_parts_at"),
            "2020-01-01T00:00:00Z");
}

TEST(ZendeskFieldHistoryTest, OtherFieldsAreAttributes) {
  const v1::Event assignee = MapOne(Lifecycle()[1]);
  EXPECT_EQ(assignee.event_id(),
            "zendesk:ticket:5150:assignee_id@2024-03-04T09:15:00Z");
  EXPECT_EQ(assignee.agent_id(), "1111");
  EXPECT_EQ(Text(assignee, "assignee_id"), "1111");
  EXPECT_EQ(Text(assignee, "assignee_id_changed_at"), "2024-03-04T09:15:00Z");
  EXPECT_EQ(assignee.type(), "field_change");
  EXPECT_EQ(assignee.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(Has(assignee, "status"));

  const v1::Event priority = MapOne(Lifecycle()[2]);
  EXPECT_EQ(Text(priority, "priority"), "normal");
  EXPECT_TRUE(priority.agent_id().empty());

  const v1::Event custom = MapOne(Lifecycle()[7]);
  EXPECT_EQ(Text(custom, "custom_field_987001"), "gold_tier");
  EXPECT_EQ(Text(custom, "custom_field_987001_changed_at"),
            "2024-03-04T09:15:00Z");

  EXPECT_EQ(Text(MapOne(Lifecycle()[8]), "requester_id"), "2222");

  const v1::Event group =
      MapOne("group_id,5,2020-01-01 00:00:00,,,360006965034");
  EXPECT_EQ(group.queue(), "360006965034");
  const v1::Event type = MapOne("type,5,2020-01-01 00:00:00,,,incident");
  EXPECT_EQ(Text(type, "ticket_type"), "incident");
  // Unassigned: the attribute is cleared, agent_id left alone.
  const v1::Event unassigned = MapOne("assignee_id,5,2020-01-01 00:00:00,,,");
  EXPECT_TRUE(unassigned.agent_id().empty());
  EXPECT_EQ(Text(unassigned, "assignee_id"), "");
}

TEST(ZendeskFieldHistoryTest, EachChangeIsAnEventOfItsOwn) {
  const ReadResult result = Import(Platform::kZendeskFieldHistory,
                                   Csv(std::string(kHeader), Lifecycle()));
  ASSERT_TRUE(result.status.ok()) << result.status;
  const std::vector<v1::Event> events = result.Events();
  ASSERT_THAT(events, SizeIs(Lifecycle().size()));
  ExpectValid(events);
  std::set<std::string> ids;
  for (const v1::Event& event : events) {
    ids.insert(event.event_id());
    EXPECT_EQ(event.interaction_id(), "zendesk:ticket:5150");
  }
  EXPECT_EQ(ids.size(), events.size());
  // A re-import gives the same ids.
  EXPECT_EQ(Describe(Import(Platform::kZendeskFieldHistory,
                            Csv(std::string(kHeader), Lifecycle()), 9)),
            Describe(result));
}

TEST(ZendeskFieldHistoryTest, NaiveTimesTakeTheImportTimeZone) {
  ImportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Tokyo", &options.timezone));
  const v1::Event event = MapOne(Lifecycle()[5], options);
  EXPECT_EQ(event.occurred_at().seconds(), 1710175510 - 9 * 3600);
  EXPECT_EQ(Text(event, "solved_at"), "2024-03-11T07:45:10Z");
  // The id holds the time in UTC, as the API writes it.
  EXPECT_EQ(event.event_id(),
            "zendesk:ticket:5150:status@2024-03-11T07:45:10Z");
}

struct BadCase {
  std::string row, field, reason;
};

TEST(ZendeskFieldHistoryTest, BadRowsNameTheColumnAndTheReason) {
  const BadCase cases[] = {
      {"status,,2020-01-01 00:00:00,,,open", "ticket_id",
       "required, but empty"},
      {"status,abc,2020-01-01 00:00:00,,,open", "ticket_id",
       "must be a whole number, got \"abc\""},
      {",5,2020-01-01 00:00:00,,,open", "field_name", "required, but empty"},
      {"status,5,,,,open", "updated", "required, but empty"},
      {"status,5,01/02/2020,,,open", "updated", "must be a timestamp"},
      {"status,5,2020-01-01 00:00:00,,,", "value",
       "required, but empty for field_name status"},
      {"assignee_id,5,2020-01-01 00:00:00,,,jdoe", "value",
       "must be a whole number, got \"jdoe\""},
      {"status,5,2020-01-01 00:00:00,,someone,open", "user_id",
       "must be a whole number"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.row);
    const absl::Status status =
        OneRejection(Platform::kZendeskFieldHistory, Row(c.row));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(ZendeskFieldHistoryTest, BadRowsAreRejectedAndTheRestImports) {
  const ReadResult result =
      Import(Platform::kZendeskFieldHistory,
             Csv(std::string(kHeader),
                 {Lifecycle()[0], "status,5,never,,,open", Lifecycle()[5]}));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(3));
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "updated");
  ASSERT_TRUE(result.records[2].event.ok());
  EXPECT_EQ(result.records[2].number, 3u);
  EXPECT_EQ(result.records[2].event->outcome(), v1::RESOLVED);
}

TEST(ZendeskFieldHistoryTest, HeaderIsSniffed) {
  const std::string csv = Csv(std::string(kHeader), Lifecycle());
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv)),
            Describe(Import(Platform::kZendeskFieldHistory, csv)));
  EXPECT_TRUE(LooksLikeZendeskFieldHistory(
      CsvHeader({"ticket_id", "field_name", "value", "updated", "user_id"})));
  EXPECT_FALSE(LooksLikeZendeskFieldHistory(
      CsvHeader({"ticket_id", "field_name", "value"})));
}

}  // namespace
}  // namespace motive::ingest
