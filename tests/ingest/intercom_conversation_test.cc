#include "ingest/intercom_conversation.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Number;
using ::motive::ingest::testing::OneLine;
using ::motive::ingest::testing::Text;

using ::motive::ingest::testing::Import;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A conversation as the Conversations API's conversation model documents
// it: started by a user in the Messenger, assigned twice, rated, closed.
constexpr absl::string_view kConversation = R"({
  "type": "conversation",
  "id": "1295",
  "title": "Refund for order 1234",
  "created_at": 1714557600,
  "updated_at": 1714561500,
  "waiting_since": null,
  "snoozed_until": null,
  "open": false,
  "state": "closed",
  "read": true,
  "priority": "priority",
  "admin_assignee_id": 991267,
  "team_assignee_id": "5017691",
  "tags": {"type": "tag.list", "tags": [
    {"type": "tag", "id": "123456", "name": "refund"},
    {"type": "tag", "id": "123457", "name": "vip"}]},
  "conversation_rating": {"rating": 4, "remark": "quick", "created_at": 1714561400,
    "contact": {"type": "contact", "id": "5ba682d23d7cf92bef87bfd4"},
    "teammate": {"type": "contact", "id": "1a2b3c"}},
  "source": {
    "type": "conversation",
    "id": "403918330",
    "delivered_as": "customer_initiated",
    "subject": "",
    "body": "<p>Hi, I want a refund</p>",
    "author": {"type": "user", "id": "5ba682d23d7cf92bef87bfd4",
               "name": "Ann Smith", "email": "Ann@Example.com"},
    "attachments": [],
    "url": null,
    "redacted": false
  },
  "contacts": {"type": "contact.list", "contacts": [
    {"type": "contact", "id": "5ba682d23d7cf92bef87bfd4", "external_id": "70"}]},
  "teammates": {"type": "admin.list", "admins": [{"type": "admin", "id": "991267"}]},
  "custom_attributes": {"Order": "1234", "Amount": 42.5, "Gift": false,
                        "Items": ["a"]},
  "first_contact_reply": {"created_at": 1714557600, "type": "conversation", "url": null},
  "sla_applied": null,
  "statistics": {
    "type": "conversation_statistics",
    "time_to_assignment": 60,
    "time_to_admin_reply": 120,
    "time_to_first_close": 3000,
    "time_to_last_close": 3600,
    "median_time_to_reply": 90,
    "first_contact_reply_at": 1714557600,
    "first_assignment_at": 1714557660,
    "first_admin_reply_at": 1714557720,
    "first_close_at": 1714560600,
    "last_assignment_at": 1714558000,
    "last_assignment_admin_reply_at": 1714558100,
    "last_contact_reply_at": 1714559000,
    "last_admin_reply_at": 1714560000,
    "last_close_at": 1714561200,
    "last_closed_by_id": 991267,
    "count_reopens": 1,
    "count_assignments": 2,
    "count_conversation_parts": 12
  },
  "conversation_parts": {
    "type": "conversation_part.list",
    "conversation_parts": [
      {"type": "conversation_part", "id": "1", "part_type": "comment",
       "body": "<p>Sure, let me check.</p>", "created_at": 1714557720,
       "updated_at": 1714557720, "notified_at": 1714557720,
       "assigned_to": null, "author": {"id": "991267", "type": "admin"},
       "attachments": [], "external_id": null, "redacted": false}
    ],
    "total_count": 1
  }
})";

std::string Edit(absl::string_view json, absl::string_view from,
                 absl::string_view to) {
  std::string text(json);
  const size_t at = absl::string_view(text).find(from);
  EXPECT_NE(at, absl::string_view::npos) << from;
  if (at != absl::string_view::npos) {
    text.replace(at, from.size(), to.data(), to.size());
  }
  return text;
}

v1::Event MapOne(const std::string& json) {
  return testing::MapOne(Platform::kIntercomConversation, json);
}
absl::Status Rejection(const std::string& json) {
  return testing::Rejection(Platform::kIntercomConversation, json);
}

TEST(IntercomConversationTest, MapsEveryField) {
  const v1::Event event = MapOne(std::string(kConversation));
  EXPECT_EQ(event.event_id(), "intercom:conversation:1295@1714561500");
  EXPECT_EQ(event.interaction_id(), "intercom:conversation:1295");
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);
  EXPECT_EQ(event.updated_at().seconds(), 1714561500);
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::CHAT);
  ASSERT_EQ(event.identifiers_size(), 3);
  EXPECT_EQ(event.identifiers(0).namespace_(), "intercom_contact");
  EXPECT_EQ(event.identifiers(0).value(), "5ba682d23d7cf92bef87bfd4");
  EXPECT_EQ(event.identifiers(1).namespace_(), "intercom_external");
  EXPECT_EQ(event.identifiers(1).value(), "70");
  EXPECT_EQ(event.identifiers(2).namespace_(), "email");  // the author's
  EXPECT_EQ(event.identifiers(2).value(), "Ann@Example.com");
  EXPECT_EQ(event.outcome(), v1::RESOLVED);
  EXPECT_EQ(event.agent_id(), "991267");
  EXPECT_EQ(event.queue(), "5017691");
  EXPECT_EQ(event.topic(), "Refund for order 1234");
  EXPECT_EQ(event.csat(), 4);
  EXPECT_EQ(event.duration_ms(), 3600000);  // last_close_at - created_at
  EXPECT_EQ(event.transfers(), 1);          // assigned twice
  EXPECT_FALSE(event.has_hold_ms());
  EXPECT_FALSE(event.has_sentiment());

  EXPECT_EQ(Text(event, "state"), "closed");
  EXPECT_EQ(Text(event, "priority"), "priority");
  EXPECT_EQ(Text(event, "source_type"), "conversation");
  EXPECT_EQ(Text(event, "delivered_as"), "customer_initiated");
  EXPECT_EQ(Text(event, "author_type"), "user");
  EXPECT_EQ(Text(event, "tags"), "refund, vip");
  EXPECT_EQ(Text(event, "rating_remark"), "quick");
  EXPECT_EQ(Number(event, "time_to_assignment_ms"), 60000);
  EXPECT_EQ(Number(event, "time_to_admin_reply_ms"), 120000);
  EXPECT_EQ(Number(event, "time_to_first_close_ms"), 3000000);
  EXPECT_EQ(Number(event, "time_to_last_close_ms"), 3600000);
  EXPECT_EQ(Number(event, "median_time_to_reply_ms"), 90000);
  EXPECT_EQ(Number(event, "open_ms"), 3600000);
  EXPECT_EQ(Number(event, "count_reopens"), 1);
  EXPECT_EQ(Number(event, "count_assignments"), 2);
  EXPECT_EQ(Number(event, "count_conversation_parts"), 12);
  EXPECT_EQ(Text(event, "intercom.Order"), "1234");
  EXPECT_EQ(Number(event, "intercom.Amount"), 42.5);
  EXPECT_FALSE(event.attributes().at("intercom.Gift").bool_value());
  EXPECT_EQ(Number(event, "attributes_dropped"), 1);  // Items, an array
  EXPECT_EQ(event.attributes_size(), 20);
}

TEST(IntercomConversationTest, OpenConversationHasNoOutcomeNorDuration) {
  std::string text =
      Edit(kConversation, R"("state": "closed")", R"("state": "open")");
  const v1::Event event = MapOne(text);
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(event.has_duration_ms());
  EXPECT_EQ(Number(event, "open_ms"), 3600000);  // when it was last closed
}

TEST(IntercomConversationTest, AdminStartedConversationHasNoAuthorIdentity) {
  std::string text =
      Edit(kConversation, R"("type": "user", "id": "5ba682d23d7cf92bef87bfd4",
               "name": "Ann Smith", "email": "Ann@Example.com")",
           R"("type": "admin", "id": "991267",
               "name": "Operator", "email": "operator@intercom.io")");
  text = Edit(text, R"("source": {
    "type": "conversation")",
              R"("source": {
    "type": "email")");
  text = Edit(text, R"("title": "Refund for order 1234")", R"("title": null)");
  text = Edit(text, R"("subject": "")", R"("subject": "Your order")");
  const v1::Event event = MapOne(text);
  ASSERT_EQ(event.identifiers_size(), 2);  // the contacts only
  EXPECT_EQ(event.identifiers(0).namespace_(), "intercom_contact");
  EXPECT_EQ(event.channel(), v1::EMAIL);
  EXPECT_EQ(event.topic(), "Your order");
}

TEST(IntercomConversationTest, OlderContactListAndUnassigned) {
  std::string text = Edit(kConversation,
                          R"({"type": "contact.list", "contacts": [
    {"type": "contact", "id": "5ba682d23d7cf92bef87bfd4", "external_id": "70"}]})",
                          R"([{"type": "lead", "id": "5bc8f7ae2d96695c18a"}])");
  text =
      Edit(text, R"("admin_assignee_id": 991267)", R"("admin_assignee_id": 0)");
  text = Edit(text, R"("team_assignee_id": "5017691")",
              R"("team_assignee_id": null)");
  const v1::Event event = MapOne(text);
  ASSERT_EQ(event.identifiers_size(), 3);
  EXPECT_EQ(event.identifiers(0).value(), "5bc8f7ae2d96695c18a");
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_TRUE(event.queue().empty());
}

TEST(IntercomConversationTest, EachChangeIsAVersion) {
  const v1::Event first = MapOne(std::string(kConversation));
  const v1::Event later =
      MapOne(Edit(kConversation, R"("updated_at": 1714561500)",
                  R"("updated_at": "1714600000")"));
  EXPECT_EQ(later.interaction_id(), first.interaction_id());
  EXPECT_NE(later.event_id(), first.event_id());
  EXPECT_EQ(later.updated_at().seconds(), 1714600000);
  EXPECT_EQ(MapOne(std::string(kConversation)).event_id(), first.event_id());
}

TEST(IntercomConversationTest, WebhookNotification) {
  const std::string notification = absl::StrCat(
      R"({"type": "notification_event", "app_id": "abc123",
          "id": "notif_1", "topic": "conversation.admin.closed",
          "created_at": 1714561500,
          "data": {"type": "notification_event_data", "item": )",
      kConversation, "}}");
  const auto result = Import(Platform::kAuto, notification);
  ASSERT_TRUE(result.status.ok()) << result.status;
  const std::vector<v1::Event> events = result.Events();
  ASSERT_EQ(events.size(), 1u);
  const v1::Event& event = events[0];
  EXPECT_EQ(event.interaction_id(), "intercom:conversation:1295");
  EXPECT_EQ(Text(event, "webhook_topic"), "conversation.admin.closed");

  const absl::Status bad = Rejection(absl::StrReplaceAll(
      notification,
      {{R"("created_at": 1714557600)", R"("created_at": "noon")"}}));
  EXPECT_EQ(base::ErrorField(bad), "data.item.created_at");
}

struct BadCase {
  absl::string_view from, to, field, reason;
};

TEST(IntercomConversationTest, BadRecordsNameTheFieldAndTheReason) {
  const BadCase cases[] = {
      {R"("id": "1295",)", "", "id", "required, but missing"},
      {R"("id": "1295",)", R"("id": 0,)", "id", "must not be 0"},
      {R"("id": "1295",)", R"("id": [1],)", "id",
       "must be a string or a whole number, got an array"},
      {R"("created_at": 1714557600)", R"("created_at": "2024")", "created_at",
       ""},
      {R"("created_at": 1714557600)", R"("created_at": 1.5)", "created_at",
       "must be a whole number"},
      {R"("rating": 4)", R"("rating": 9)", "conversation_rating.rating",
       "must be 1 to 5, got 9"},
      {R"("time_to_admin_reply": 120)", R"("time_to_admin_reply": -1)",
       "statistics.time_to_admin_reply", "must not be negative"},
      {R"("last_close_at": 1714561200)", R"("last_close_at": 1714500000)",
       "statistics.last_close_at", "must not be before created_at"},
      {R"("email": "Ann@Example.com")", R"("email": {})", "source.author.email",
       "must be a string, got an object"},
      {R"("external_id": "70")", R"("external_id": true)",
       "contacts.contacts[0].external_id",
       "must be a string or a whole number"},
      {R"("name": "refund")", R"("name": 3)", "tags.tags[0].name",
       "must be a string, got a number"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.to);
    const std::string text = Edit(kConversation, c.from, c.to);
    if (c.reason.empty()) {
      // "2024" is a year, but also a number of seconds: read as one.
      EXPECT_EQ(MapOne(text).occurred_at().seconds(), 2024);
      continue;
    }
    const absl::Status status = Rejection(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(IntercomConversationTest, BadRecordIsRejectedAndTheRestImported) {
  const std::string bad =
      Edit(kConversation, R"("rating": 4)", R"("rating": 0)");
  const auto result = Import(
      Platform::kAuto,
      absl::StrCat(OneLine(std::string(kConversation)), "\n", OneLine(bad),
                   "\n", OneLine(std::string(kConversation))));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()),
            "conversation_rating.rating");
  EXPECT_TRUE(result.records[2].event.ok());
}

TEST(IntercomConversationTest, LooksLike) {
  simdjson::dom::parser parser;
  auto looks = [&](const std::string& json) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(json).get(element), simdjson::SUCCESS);
    return LooksLikeIntercomConversation(JsonValue::Root(element));
  };
  EXPECT_TRUE(looks(std::string(kConversation)));
  EXPECT_TRUE(looks(
      R"({"type": "notification_event", "topic": "conversation.user.created"})"));
  EXPECT_FALSE(
      looks(R"({"type": "notification_event", "topic": "contact.created"})"));
  EXPECT_FALSE(looks(R"({"type": "conversation", "id": "1"})"));
}

}  // namespace
}  // namespace motive::ingest
