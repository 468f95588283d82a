#include "ingest/zendesk_chat_event.h"

#include <string>

#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/ingest_testing.h"
#include "tests/ingest/zendesk_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Cells;
using ::motive::ingest::testing::Csv;
using ::motive::ingest::testing::CsvOf;
using ::motive::ingest::testing::Describe;
using ::motive::ingest::testing::ExpectValid;
using ::motive::ingest::testing::Has;
using ::motive::ingest::testing::Import;
using ::motive::ingest::testing::OneEvent;
using ::motive::ingest::testing::OneRejection;
using ::motive::ingest::testing::ReadResult;
using ::testing::HasSubstr;
using ::testing::SizeIs;

using ::motive::ingest::testing::Text;

// Chat steps in Fivetran's ticket_chat_event shape (column order as its
// connector writes them, the columns it leaves empty trimmed).
constexpr absl::string_view kHeader =
    "chat_id,created_at,_fivetran_synced,actor_id,chat_index,message,"
    "original_message,type";

const std::vector<std::string>& SeedRows() {
  static const auto* const rows = new std::vector<std::string>{
      "7781.2200.Qx9Lm,2024-02-10 09:12:44.125000,"
      "2024-02-11 00:00:00.000000,502,3,,,ChatDepartmentTransfer",
      "7781.2200.Rw2Kd,2024-02-09 18:40:02.500000,"
      "2024-02-11 00:00:00.000000,502,2,,,ChatEmailChanged",
      "7781.2200.Qx9Lm,2024-02-10 09:10:31.000000,"
      "2024-02-11 00:00:00.000000,501,0,,,ChatMessage",
      "7781.2200.Tz4Pq,2024-02-10 08:55:00.750000,"
      "2024-02-11 00:00:00.000000,502,0,,,ChatJoin",
  };
  return *rows;
}

// One row with every column the mapper reads.
const Cells& ChatCells() {
  static const Cells* const cells = new Cells{
      {"chat_id", "7781.2200.Qx9Lm"},
      {"created_at", "2024-05-01 10:00:00.250"},
      {"actor_id", "9001"},
      {"type", "ChatMessage"},
      {"message", "hello, I need help"},
      {"original_message", ""},
  };
  return *cells;
}

v1::Event MapOne(const Cells& changes,
                 const ImportOptions& options = ImportOptions()) {
  return OneEvent(Platform::kZendeskChatEvent, CsvOf(ChatCells(), changes),
                  options);
}

TEST(ZendeskChatEventTest, MessageIsAnEnrichmentOfTheChat) {
  const v1::Event event = MapOne({});
  EXPECT_EQ(event.event_id(),
            "zendesk:chat:7781.2200.Qx9Lm:ChatMessage@"
            "2024-05-01 10:00:00.250:9001");
  EXPECT_EQ(event.interaction_id(), "zendesk:chat:7781.2200.Qx9Lm");
  EXPECT_TRUE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.identifiers_size(), 0);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);
  EXPECT_EQ(event.occurred_at().nanos(), 250000000);
  EXPECT_EQ(event.updated_at().seconds(), 1714557600);
  EXPECT_EQ(event.type(), "chat");
  EXPECT_EQ(event.channel(), v1::CHAT);
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_FALSE(event.has_transfers());
  EXPECT_EQ(Text(event, "chat_message_at"), "2024-05-01T10:00:00.25Z");
  EXPECT_EQ(Text(event, "chat_message_by"), "9001");
  EXPECT_FALSE(Has(event, "message"));
  EXPECT_EQ(event.attributes_size(), 2);
}

TEST(ZendeskChatEventTest, EmailChangeWithAnEmailIsTheChatsVersion) {
  const v1::Event event =
      MapOne({{"type", "ChatEmailChanged"},
              {"original_message",
               R"({"type":"ChatEmailChanged","email":" Ann@Example.com "})"}});
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.interaction_id(), "zendesk:chat:7781.2200.Qx9Lm");
  ASSERT_EQ(event.identifiers_size(), 1);
  EXPECT_EQ(event.identifiers(0).namespace_(), "email");
  EXPECT_EQ(event.identifiers(0).value(), "Ann@Example.com");
  EXPECT_EQ(event.type(), "chat");
  EXPECT_EQ(Text(event, "chat_email_changed_at"), "2024-05-01T10:00:00.25Z");
  ExpectValid({event});

  const v1::Event new_email =
      MapOne({{"type", "chatemailchanged"},
              {"original_message", R"({"new_email":"bob@example.com"})"}});
  ASSERT_EQ(new_email.identifiers_size(), 1);
  EXPECT_EQ(new_email.identifiers(0).value(), "bob@example.com");

  // Without an email (as Fivetran's seed has them), an enrichment.
  const v1::Event none = MapOne({{"type", "ChatEmailChanged"}});
  EXPECT_TRUE(none.enrichment());
  EXPECT_EQ(none.identifiers_size(), 0);
}

TEST(ZendeskChatEventTest, TransferIsCountedAndNamesTheDepartment) {
  const v1::Event event =
      MapOne({{"type", "ChatDepartmentTransfer"},
              {"original_message",
               R"({"department_id": 360001, "department_name": "Billing"})"}});
  EXPECT_TRUE(event.enrichment());
  EXPECT_EQ(event.transfers(), 1);
  EXPECT_EQ(event.queue(), "Billing");
  EXPECT_EQ(Text(event, "department_id"), "360001");
  EXPECT_EQ(Text(event, "chat_department_transfer_at"),
            "2024-05-01T10:00:00.25Z");

  const v1::Event by_id =
      MapOne({{"type", "ChatDepartmentTransfer"},
              {"original_message", R"({"department_id": "360002"})"}});
  EXPECT_EQ(by_id.queue(), "360002");
  const v1::Event bare = MapOne({{"type", "ChatDepartmentTransfer"}});
  EXPECT_EQ(bare.transfers(), 1);
  EXPECT_TRUE(bare.queue().empty());
}

TEST(ZendeskChatEventTest, OtherStepsKeepTheirTime) {
  const v1::Event join = MapOne({{"type", "ChatJoin"}, {"actor_id", ""}});
  EXPECT_EQ(Text(join, "chat_join_at"), "2024-05-01T10:00:00.25Z");
  EXPECT_FALSE(Has(join, "chat_join_by"));
  EXPECT_EQ(join.event_id(),
            "zendesk:chat:7781.2200.Qx9Lm:ChatJoin@"
            "2024-05-01 10:00:00.250");
  const v1::Event leave = MapOne({{"type", "ChatLeave"}});
  EXPECT_EQ(Text(leave, "chat_leave_at"), "2024-05-01T10:00:00.25Z");
  // original_message is read only where it is used.
  const v1::Event message = MapOne({{"original_message", "not json"}});
  EXPECT_TRUE(message.enrichment());
}

TEST(ZendeskChatEventTest, NaiveTimesTakeTheImportTimeZone) {
  ImportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("America/Los_Angeles", &options.timezone));
  const v1::Event event = MapOne({}, options);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600 + 7 * 3600);
  EXPECT_EQ(Text(event, "chat_message_at"), "2024-05-01T17:00:00.25Z");
}

struct BadCase {
  Cells changes;
  std::string field, reason;
};

TEST(ZendeskChatEventTest, BadRowsNameTheColumnAndTheReason) {
  const BadCase cases[] = {
      {{{"chat_id", " "}}, "chat_id", "required, but empty"},
      {{{"created_at", ""}}, "created_at", "required, but empty"},
      {{{"created_at", "12/12/2023"}}, "created_at", "must be a timestamp"},
      {{{"type", ""}}, "type", "required, but empty"},
      {{{"type", "ChatEmailChanged"}, {"original_message", "{\"email\":"}},
       "original_message",
       "must be a JSON object"},
      {{{"type", "ChatDepartmentTransfer"}, {"original_message", "[1]"}},
       "original_message",
       "must be a JSON object, got an array"},
      {{{"type", "ChatEmailChanged"}, {"original_message", R"({"email":7})"}},
       "original_message.email",
       "must be a string, got a number"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.field + ": " + c.reason);
    const absl::Status status = OneRejection(Platform::kZendeskChatEvent,
                                             CsvOf(ChatCells(), c.changes));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(ZendeskChatEventTest, SeedRowsMapAndBadRowsAreSkipped) {
  std::vector<std::string> rows = SeedRows();
  rows.insert(rows.begin() + 1, "7781.x,not a time,,1,0,,,ChatMessage");
  const ReadResult result =
      Import(Platform::kZendeskChatEvent, Csv(std::string(kHeader), rows), 11);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(5));
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "created_at");
  const std::vector<v1::Event> events = result.Events();
  ASSERT_THAT(events, SizeIs(4));
  ExpectValid(events);
  EXPECT_EQ(events[0].transfers(), 1);
  EXPECT_EQ(events[0].occurred_at().seconds(), 1707556364);
  EXPECT_EQ(events[0].occurred_at().nanos(), 125000000);
  EXPECT_EQ(Text(events[0], "chat_department_transfer_by"), "502");
  EXPECT_TRUE(events[1].enrichment());  // an email change without the email
  EXPECT_EQ(Text(events[2], "chat_message_by"), "501");
  EXPECT_EQ(Text(events[3], "chat_join_at"), "2024-02-10T08:55:00.75Z");
  for (const v1::Event& event : events) EXPECT_EQ(event.channel(), v1::CHAT);
}

TEST(ZendeskChatEventTest, HeaderIsSniffed) {
  const std::string csv = Csv(std::string(kHeader), SeedRows());
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv, 4)),
            Describe(Import(Platform::kZendeskChatEvent, csv)));
  EXPECT_TRUE(
      LooksLikeZendeskChatEvent(CsvHeader({"chat_id", "actor_id", "type"})));
  EXPECT_FALSE(LooksLikeZendeskChatEvent(CsvHeader({"chat_id", "type"})));
}

}  // namespace
}  // namespace motive::ingest
