// The four Zendesk tables through the engine: the ticket rows are versions
// of one interaction, comments and field history overlay it, a chat joins
// the requester's profile through the email the ticket carries, and the
// timeline counts each ticket once, whatever order the tables arrive in.

#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/importer.h"
#include "tests/ingest/ingest_testing.h"
#include "tests/ingest/zendesk_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::ChunkSource;
using ::motive::ingest::testing::Text;
using ::testing::SizeIs;

constexpr absl::string_view kTickets =
    "id,created_at,updated_at,status,requester_id,assignee_id,group_id,"
    "subject,via_channel,via_source_from_address\n"
    // Monday's export, then Tuesday's: ticket 4242 solved in between.
    "4242,2024-05-01 10:00:00,2024-05-02 09:00:00,open,9001,77,360,"
    "Refund,email,ann@example.com\n"
    "4243,2024-05-02 08:00:00,2024-05-02 08:00:00,new,9001,,360,"
    "Invoice copy,web,\n"
    "4242,2024-05-01 10:00:00,2024-05-03 12:00:00,solved,9001,78,360,"
    "Refund,email,ann@example.com\n";

constexpr absl::string_view kComments =
    "id,ticket_id,user_id,created,public,body,voice_comment\n"
    "1,4242,9001,2024-05-01 10:00:00,true,where is it,false\n"
    "3,4242,77,2024-05-02 09:00:00,false,checking,false\n"
    "2,4242,78,2024-05-01 15:00:00,true,on its way,false\n";

constexpr absl::string_view kHistory =
    "field_name,ticket_id,updated,user_id,value\n"
    "status,4242,2024-05-03 12:00:00,78,solved\n"
    "status,4242,2024-05-01 10:00:00,,new\n"
    "status,4242,2024-05-01 15:00:00,77,on-hold\n"
    "assignee_id,4242,2024-05-02 11:00:00,77,78\n";

constexpr absl::string_view kChat =
    "chat_id,created_at,actor_id,type,message,original_message\n"
    "c-1,2024-05-04 18:00:00,9001,ChatMessage,hello,\n"
    "c-1,2024-05-04 18:01:00,500,ChatDepartmentTransfer,,"
    "\"{\"\"department_name\"\": \"\"Billing\"\"}\"\n"
    "c-1,2024-05-04 18:00:30,9001,ChatEmailChanged,,"
    "\"{\"\"email\"\": \"\"Ann@Example.com\"\"}\"\n";

// The same tickets, comments and history as the Support API returns them:
// an incremental export page, a ticket's comments, a ticket's audits.
constexpr absl::string_view kTicketsJson = R"({"tickets": [
  {"id": 4242, "created_at": "2024-05-01T10:00:00Z",
   "updated_at": "2024-05-02T09:00:00Z", "status": "open",
   "requester_id": 9001, "assignee_id": 77, "group_id": 360,
   "subject": "Refund", "via": {"channel": "email", "source": {
     "from": {"address": "ann@example.com"}, "to": {}, "rel": null}}},
  {"id": 4243, "created_at": "2024-05-02T08:00:00Z",
   "updated_at": "2024-05-02T08:00:00Z", "status": "new",
   "requester_id": 9001, "assignee_id": null, "group_id": 360,
   "subject": "Invoice copy", "via": {"channel": "web", "source": {
     "from": {}, "to": {}, "rel": null}}},
  {"id": 4242, "created_at": "2024-05-01T10:00:00Z",
   "updated_at": "2024-05-03T12:00:00Z", "status": "solved",
   "requester_id": 9001, "assignee_id": 78, "group_id": 360,
   "subject": "Refund", "via": {"channel": "email", "source": {
     "from": {"address": "ann@example.com"}, "to": {}, "rel": null}}}
], "end_of_stream": true})";

constexpr absl::string_view kCommentsJson = R"({"comments": [
  {"id": 1, "type": "Comment", "author_id": 9001, "public": true,
   "body": "where is it", "created_at": "2024-05-01T10:00:00Z"},
  {"id": 3, "type": "Comment", "author_id": 77, "public": false,
   "body": "checking", "created_at": "2024-05-02T09:00:00Z"},
  {"id": 2, "type": "Comment", "author_id": 78, "public": true,
   "body": "on its way", "created_at": "2024-05-01T15:00:00Z"}
]})";

constexpr absl::string_view kAuditsJson = R"({"audits": [
  {"ticket_id": 4242, "created_at": "2024-05-01T10:00:00Z", "author_id": null,
   "events": [{"type": "Create", "field_name": "status", "value": "new"}]},
  {"ticket_id": 4242, "created_at": "2024-05-01T15:00:00Z", "author_id": 77,
   "events": [{"type": "Change", "field_name": "status", "value": "hold"}]},
  {"ticket_id": 4242, "created_at": "2024-05-02T11:00:00Z", "author_id": 77,
   "events": [{"type": "Change", "field_name": "assignee_id",
               "value": "78"}]},
  {"ticket_id": 4242, "created_at": "2024-05-03T12:00:00Z", "author_id": 78,
   "events": [{"type": "Change", "field_name": "status", "value": "solved"}]}
]})";

class ZendeskEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto engine = engine::Engine::Open(":memory:", engine::EngineOptions());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
  }

  engine::IngestCounts Ingest(absl::string_view csv,
                              const ImportOptions& import = ImportOptions()) {
    auto source =
        NewImporter(Platform::kAuto, ChunkSource(std::string(csv), 17), import);
    engine::IngestOptions options;
    options.on_reject = [](uint64_t record, const std::string& field,
                           const std::string& reason) {
      ADD_FAILURE() << "record " << record << ": " << field << ": " << reason;
    };
    engine::IngestCounts counts;
    const absl::Status status = engine_->Ingest(*source, options, &counts);
    EXPECT_TRUE(status.ok()) << status;
    return counts;
  }

  std::vector<v1::Event> TimelineOf(absl::string_view ns,
                                    absl::string_view value) {
    auto profile = engine_->Resolve(ns, value);
    EXPECT_TRUE(profile.ok()) << profile.status();
    if (!profile.ok()) return {};
    auto timeline = engine_->Timeline(*profile, store::TimeRange{});
    EXPECT_TRUE(timeline.ok()) << timeline.status();
    return timeline.ok() ? *timeline : std::vector<v1::Event>();
  }

  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(ZendeskEngineTest, EachTicketCountsOnceWithItsOverlays) {
  // Enrichments first: they wait for the versions.
  EXPECT_EQ(Ingest(kHistory).accepted, 4u);
  EXPECT_EQ(Ingest(kComments).accepted, 3u);
  EXPECT_EQ(Ingest(kChat).accepted, 3u);
  EXPECT_EQ(Ingest(kTickets).accepted, 3u);

  const std::vector<v1::Event> timeline = TimelineOf("zendesk_user", "9001");
  ASSERT_THAT(timeline, SizeIs(3));  // 4242 once, 4243, the chat

  const v1::Event& ticket = timeline[0];
  EXPECT_EQ(ticket.interaction_id(), "zendesk:ticket:4242");
  EXPECT_EQ(ticket.type(), "ticket");
  EXPECT_EQ(ticket.channel(), v1::EMAIL);
  EXPECT_EQ(ticket.topic(), "Refund");
  EXPECT_EQ(ticket.outcome(), v1::RESOLVED);
  EXPECT_EQ(ticket.agent_id(), "78");
  EXPECT_EQ(Text(ticket, "status"), "solved");
  EXPECT_EQ(Text(ticket, "solved_at"), "2024-05-03T12:00:00Z");
  EXPECT_EQ(Text(ticket, "hold_at"), "2024-05-01T15:00:00Z");
  EXPECT_EQ(Text(ticket, "last_comment_at"), "2024-05-02T09:00:00Z");
  EXPECT_EQ(Text(ticket, "last_public_comment_at"), "2024-05-01T15:00:00Z");
  EXPECT_EQ(Text(ticket, "last_comment_user_id"), "77");

  EXPECT_EQ(timeline[1].interaction_id(), "zendesk:ticket:4243");
  EXPECT_EQ(timeline[1].outcome(), v1::UNRESOLVED);

  // The chat reached the requester through the ticket's email.
  const v1::Event& chat = timeline[2];
  EXPECT_EQ(chat.interaction_id(), "zendesk:chat:c-1");
  EXPECT_EQ(chat.channel(), v1::CHAT);
  EXPECT_EQ(chat.transfers(), 1);
  EXPECT_EQ(chat.queue(), "Billing");
  EXPECT_EQ(Text(chat, "chat_message_at"), "2024-05-04T18:00:00Z");
}

TEST_F(ZendeskEngineTest, ImportingAgainChangesNothing) {
  for (absl::string_view csv : {kTickets, kComments, kHistory, kChat}) {
    Ingest(csv);
  }
  const std::vector<v1::Event> before = TimelineOf("zendesk_user", "9001");
  for (absl::string_view csv : {kTickets, kComments, kHistory, kChat}) {
    const engine::IngestCounts again = Ingest(csv);
    EXPECT_EQ(again.accepted, 0u);
    EXPECT_GT(again.duplicates, 0u);
  }
  const std::vector<v1::Event> after = TimelineOf("zendesk_user", "9001");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].ShortDebugString(), before[i].ShortDebugString());
  }
}

TEST_F(ZendeskEngineTest, ApiJsonAfterTheCsvIsAllDuplicates) {
  for (absl::string_view csv : {kTickets, kComments, kHistory}) Ingest(csv);
  const std::vector<v1::Event> before = TimelineOf("zendesk_user", "9001");
  ImportOptions comments;
  comments.source_name = "api/v2/tickets/4242/comments.json";
  EXPECT_EQ(Ingest(kTicketsJson).duplicates, 3u);
  EXPECT_EQ(Ingest(kCommentsJson, comments).duplicates, 3u);
  EXPECT_EQ(Ingest(kAuditsJson).duplicates, 4u);
  const std::vector<v1::Event> after = TimelineOf("zendesk_user", "9001");
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].ShortDebugString(), before[i].ShortDebugString());
  }
}

TEST_F(ZendeskEngineTest, SharedSamplesIngestWithoutRejections) {
  MOTIVE_SHARED_FILE_OR_SKIP(tickets, "zendesk_ticket_fivetran_seed.csv");
  MOTIVE_SHARED_FILE_OR_SKIP(comments,
                             "zendesk_ticket_comment_fivetran_seed.csv");
  EXPECT_EQ(Ingest(tickets).accepted, 10u);
  EXPECT_EQ(Ingest(comments).accepted, 20u);
  const std::vector<v1::Event> timeline =
      TimelineOf("zendesk_user", "1500656884401");
  ASSERT_THAT(timeline, SizeIs(1));
  EXPECT_EQ(timeline[0].interaction_id(), "zendesk:ticket:16988");
  EXPECT_EQ(timeline[0].outcome(), v1::RESOLVED);
}

}  // namespace
}  // namespace motive::ingest
