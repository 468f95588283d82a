#include "ingest/zendesk_comment.h"

#include <string>

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
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr absl::string_view kSample =
    "zendesk_ticket_comment_fivetran_seed.csv";

// A comment row in the warehouse shape.
const Cells& CommentCells() {
  static const Cells* const cells = new Cells{
      {"id", "1030820361033"},
      {"_fivetran_synced", "2020-03-05 04:47:57.580"},
      {"body", "Thanks, that fixed it"},
      {"created", "2024-05-01 10:00:00"},
      {"facebook_comment", "FALSE"},
      {"public", "TRUE"},
      {"ticket_id", "4242"},
      {"tweet", "FALSE"},
      {"user_id", "9001"},
      {"voice_comment", "FALSE"},
  };
  return *cells;
}

std::string Comment(const Cells& changes = {}) {
  return CsvOf(CommentCells(), changes);
}

v1::Event MapOne(const Cells& changes = {},
                 const ImportOptions& options = ImportOptions()) {
  return OneEvent(Platform::kZendeskComment, Comment(changes), options);
}

TEST(ZendeskCommentTest, MapsEveryField) {
  const v1::Event event = MapOne();
  EXPECT_EQ(event.event_id(), "zendesk:comment:1030820361033");
  EXPECT_EQ(event.interaction_id(), "zendesk:ticket:4242");
  EXPECT_TRUE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.identifiers_size(), 0);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);
  EXPECT_EQ(event.updated_at().seconds(), 1714557600);
  EXPECT_EQ(event.type(), "ticket_comment");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::CHANNEL_UNSPECIFIED);
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(event.topic().empty());
  EXPECT_TRUE(event.agent_id().empty());

  EXPECT_EQ(Text(event, "last_comment_at"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(Text(event, "last_public_comment_at"), "2024-05-01T10:00:00Z");
  EXPECT_EQ(Text(event, "last_comment_user_id"), "9001");
  EXPECT_TRUE(event.attributes().at("last_comment_public").bool_value());
  EXPECT_FALSE(Has(event, "last_voice_comment_at"));
  EXPECT_FALSE(Has(event, "body"));
  EXPECT_EQ(event.attributes_size(), 4);
}

TEST(ZendeskCommentTest, PrivateAndVoiceComments) {
  const v1::Event note = MapOne({{"public", "false"}});
  EXPECT_FALSE(note.attributes().at("last_comment_public").bool_value());
  EXPECT_FALSE(Has(note, "last_public_comment_at"));
  EXPECT_EQ(Text(note, "last_comment_at"), "2024-05-01T10:00:00Z");

  const v1::Event call = MapOne({{"voice_comment", "t"}});
  EXPECT_EQ(Text(call, "last_voice_comment_at"), "2024-05-01T10:00:00Z");

  const v1::Event unknown = MapOne({{"public", ""}, {"user_id", ""}});
  EXPECT_FALSE(Has(unknown, "last_comment_public"));
  EXPECT_FALSE(Has(unknown, "last_public_comment_at"));
  EXPECT_FALSE(Has(unknown, "last_comment_user_id"));
}

TEST(ZendeskCommentTest, WithoutAnIdTheIdComesFromTicketAuthorAndTime) {
  const v1::Event event =
      OneEvent(Platform::kZendeskComment,
               "ticket_id,user_id,created,public,body,voice_comment\n"
               "4242,9001,2024-05-01 10:00:00,true,hello,false\n");
  EXPECT_EQ(event.event_id(), "zendesk:comment:4242:9001@2024-05-01T10:00:00Z");
  EXPECT_EQ(event.interaction_id(), "zendesk:ticket:4242");
}

TEST(ZendeskCommentTest, NaiveTimesTakeTheImportTimeZone) {
  ImportOptions options;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &options.timezone));
  const v1::Event event = MapOne({}, options);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600 - 2 * 3600);
  EXPECT_EQ(Text(event, "last_comment_at"), "2024-05-01T08:00:00Z");
  const v1::Event utc =
      MapOne({{"created", "2024-05-01T10:00:00+00:00"}}, options);
  EXPECT_EQ(utc.occurred_at().seconds(), 1714557600);
}

struct BadCase {
  std::string column, cell, reason;
};

TEST(ZendeskCommentTest, BadRowsNameTheColumnAndTheReason) {
  const BadCase cases[] = {
      {"ticket_id", "", "required, but empty"},
      {"ticket_id", "#4242", "must be a whole number, got \"#4242\""},
      {"created", "", "required, but empty"},
      {"created", "2024-02-30 10:00:00", "must be a timestamp"},
      {"id", "c-1", "must be a whole number"},
      {"user_id", "agent", "must be a whole number"},
      {"public", "maybe", "must be true or false, got \"maybe\""},
      {"voice_comment", "2", "must be true or false, got \"2\""},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.column + "=" + c.cell);
    const absl::Status status =
        OneRejection(Platform::kZendeskComment, Comment({{c.column, c.cell}}));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.column);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(ZendeskCommentTest, BadRowsAreRejectedAndTheRestImports) {
  const std::string input =
      "id,ticket_id,user_id,created,public,body\n"
      "1,10,7,2024-05-01 10:00:00,true,\"a, b\"\n"
      "2,,7,2024-05-01 10:01:00,true,no ticket\n"
      "3,10,7,2024-05-01 10:02:00,true,\"unterminated\n";
  const ReadResult result = Import(Platform::kZendeskComment, input, 5);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(3));
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "ticket_id");
  EXPECT_EQ(result.records[2].number, 3u);
  EXPECT_FALSE(result.records[2].event.ok());
}

TEST(ZendeskCommentTest, SampleRowsMapFieldByField) {
  MOTIVE_SHARED_FILE_OR_SKIP(csv, std::string(kSample));
  const ReadResult result = Import(Platform::kZendeskComment, csv);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_THAT(result.records, SizeIs(20));
  EXPECT_THAT(result.Rejected(), SizeIs(0));
  const std::vector<v1::Event> events = result.Events();
  const v1::Event& first = events[0];
  EXPECT_EQ(first.event_id(), "zendesk:comment:1030820361033");
  EXPECT_EQ(first.interaction_id(), "zendesk:ticket:1077");
  EXPECT_TRUE(first.enrichment());
  EXPECT_EQ(first.occurred_at().seconds(), 1581407354);  // 07:49:14Z
  EXPECT_EQ(Text(first, "last_comment_at"), "2020-02-11T07:49:14Z");
  EXPECT_EQ(Text(first, "last_public_comment_at"), "2020-02-11T07:49:14Z");
  EXPECT_EQ(Text(first, "last_comment_user_id"), "402935450113");
  EXPECT_FALSE(Has(first, "last_voice_comment_at"));
  ExpectValid(events);
  // Six comments on ticket 7367, each its own enrichment.
  int on_7367 = 0;
  for (const v1::Event& event : events) {
    if (event.interaction_id() == "zendesk:ticket:7367") ++on_7367;
    EXPECT_TRUE(event.enrichment());
    EXPECT_EQ(event.type(), "ticket_comment");
  }
  EXPECT_EQ(on_7367, 6);
}

TEST(ZendeskCommentTest, SampleIsSniffedAndReadsTheSameInChunks) {
  MOTIVE_SHARED_FILE_OR_SKIP(csv, std::string(kSample));
  const ReadResult whole = Import(Platform::kZendeskComment, csv);
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv)), Describe(whole));
  EXPECT_EQ(Describe(Import(Platform::kAuto, csv, 3)), Describe(whole));
}

TEST(ZendeskCommentTest, LooksLike) {
  EXPECT_TRUE(LooksLikeZendeskComment(
      CsvHeader({"id", "body", "created", "ticket_id", "user_id"})));
  // A ticket table has created_at, not created.
  EXPECT_FALSE(LooksLikeZendeskComment(
      CsvHeader({"id", "created_at", "ticket_id", "body"})));
}

}  // namespace
}  // namespace motive::ingest
