#include "ingest/connect_ctr.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Number;
using ::motive::ingest::testing::OneLine;
using ::motive::ingest::testing::Text;

using ::motive::ingest::testing::Import;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A voice contact as the contact record data model documents it: queued,
// answered by an agent, held twice, ended by the customer.
constexpr absl::string_view kCtr = R"({
  "AWSAccountId": "123456789012",
  "AWSContactTraceRecordFormatVersion": "2017-03-10",
  "Agent": {
    "ARN": "arn:aws:connect:us-west-2:123456789012:instance/aaaa/agent/bbbb",
    "AfterContactWorkDuration": 21,
    "AfterContactWorkEndTimestamp": "2024-05-01T10:12:51Z",
    "AfterContactWorkStartTimestamp": "2024-05-01T10:12:30Z",
    "AgentInteractionDuration": 498,
    "ConnectedToAgentTimestamp": "2024-05-01T10:04:12Z",
    "CustomerHoldDuration": 95,
    "HierarchyGroups": null,
    "LongestHoldDuration": 60,
    "NumberOfHolds": 2,
    "RoutingProfile": {"ARN": "arn:aws:connect:us-west-2:123456789012:instance/aaaa/routing-profile/dddd", "Name": "Basic Routing Profile"},
    "Username": "jdoe"
  },
  "AgentConnectionAttempts": 1,
  "Attributes": {"AccountTier": "gold", "IntentCode": "billing"},
  "Channel": "VOICE",
  "ContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",
  "CustomerEndpoint": {"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"},
  "DisconnectReason": "CUSTOMER_DISCONNECT",
  "DisconnectTimestamp": "2024-05-01T10:12:30Z",
  "InitialContactId": null,
  "InitiationMethod": "INBOUND",
  "InitiationTimestamp": "2024-05-01T10:00:00Z",
  "InstanceARN": "arn:aws:connect:us-west-2:123456789012:instance/aaaa",
  "LastUpdateTimestamp": "2024-05-01T10:13:52Z",
  "MediaStreams": [{"Type": "AUDIO"}],
  "NextContactId": null,
  "PreviousContactId": null,
  "Queue": {
    "ARN": "arn:aws:connect:us-west-2:123456789012:instance/aaaa/queue/cccc",
    "DequeueTimestamp": "2024-05-01T10:04:12Z",
    "Duration": 242,
    "EnqueueTimestamp": "2024-05-01T10:00:10Z",
    "Name": "BasicQueue"
  },
  "Recording": null,
  "References": [],
  "SystemEndpoint": {"Address": "+18005550199", "Type": "TELEPHONE_NUMBER"},
  "TransferCompletedTimestamp": null,
  "TransferredToEndpoint": null
})";

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01

std::string Ctr(absl::string_view from = "", absl::string_view to = "") {
  std::string ctr(kCtr);
  if (!from.empty()) {
    EXPECT_THAT(ctr, HasSubstr(from));
    absl::StrReplaceAll({{from, to}}, &ctr);
  }
  return ctr;
}

v1::Event MapOne(const std::string& json) {
  return testing::MapOne(Platform::kConnectCtr, json);
}
absl::Status Rejection(const std::string& json) {
  return testing::Rejection(Platform::kConnectCtr, json);
}

TEST(ConnectCtrTest, MapsEveryField) {
  const v1::Event event = MapOne(Ctr());
  EXPECT_EQ(
      event.event_id(),
      "connect:5ca32fbd-8f92-46af-92a5-6b0f970f0efe@2024-05-01T10:13:52Z");
  EXPECT_EQ(event.interaction_id(),
            "connect:5ca32fbd-8f92-46af-92a5-6b0f970f0efe");
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);  // 10:00:00Z
  EXPECT_EQ(event.updated_at().seconds(), 1714557600 + 832);
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::VOICE);
  ASSERT_EQ(event.identifiers_size(), 1);
  EXPECT_EQ(event.identifiers(0).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(0).value(), "+14155550100");
  EXPECT_EQ(event.queue(), "BasicQueue");
  EXPECT_EQ(event.agent_id(), "jdoe");
  EXPECT_EQ(event.hold_ms(), 95000);
  EXPECT_EQ(event.duration_ms(), 750000);
  EXPECT_FALSE(event.has_transfers());
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_FALSE(event.has_sentiment());

  EXPECT_EQ(Number(event, "number_of_holds"), 2);
  EXPECT_EQ(Number(event, "longest_hold_ms"), 60000);
  EXPECT_EQ(Number(event, "agent_interaction_ms"), 498000);
  EXPECT_EQ(Number(event, "after_contact_work_ms"), 21000);
  EXPECT_EQ(Number(event, "queue_wait_ms"), 242000);
  EXPECT_EQ(Text(event, "routing_profile"), "Basic Routing Profile");
  EXPECT_EQ(Text(event, "initiation_method"), "INBOUND");
  EXPECT_EQ(Text(event, "disconnect_reason"), "CUSTOMER_DISCONNECT");
  EXPECT_EQ(Text(event, "connect.AccountTier"), "gold");
  EXPECT_EQ(Text(event, "connect.IntentCode"), "billing");
  // Null contact-chain ids are absent, not empty strings.
  EXPECT_EQ(Text(event, "initial_contact_id"), "<absent>");
  EXPECT_EQ(Text(event, "attributes_dropped"), "<absent>");
  EXPECT_EQ(event.attributes_size(), 10);
  EXPECT_TRUE(model::ValidateEvent(event, kNow).ok())
      << model::ValidateEvent(event, kNow);
}

TEST(ConnectCtrTest, ChannelsMapToMotiveChannels) {
  EXPECT_EQ(
      MapOne(Ctr(R"("Channel": "VOICE")", R"("Channel": "CHAT")")).channel(),
      v1::CHAT);
  EXPECT_EQ(
      MapOne(Ctr(R"("Channel": "VOICE")", R"("Channel": "TASK")")).channel(),
      v1::OTHER);
  EXPECT_EQ(
      MapOne(Ctr(R"("Channel": "VOICE")", R"("Channel": "EMAIL")")).channel(),
      v1::EMAIL);
  EXPECT_EQ(MapOne(Ctr(R"("Channel": "VOICE",)", "")).channel(),
            v1::CHANNEL_UNSPECIFIED);
}

TEST(ConnectCtrTest, EmailEndpointIsAnEmailIdentifier) {
  const v1::Event event =
      MapOne(Ctr(R"({"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"})",
                 R"({"Address": "Ann@Example.com", "Type": "EMAIL_ADDRESS"})"));
  ASSERT_EQ(event.identifiers_size(), 1);
  EXPECT_EQ(event.identifiers(0).namespace_(), "email");
  EXPECT_EQ(event.identifiers(0).value(), "Ann@Example.com");
}

TEST(ConnectCtrTest, OtherOrMissingEndpointsGiveNoIdentifier) {
  EXPECT_THAT(
      MapOne(Ctr(R"({"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"})",
                 R"({"Address": "+14155550100", "Type": "VOIP"})"))
          .identifiers(),
      IsEmpty());
  EXPECT_THAT(
      MapOne(Ctr(R"({"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"})",
                 "null"))
          .identifiers(),
      IsEmpty());
}

TEST(ConnectCtrTest, TransferredContact) {
  const v1::Event event = MapOne(Ctr(
      R"("TransferredToEndpoint": null)",
      R"("TransferredToEndpoint": {"Address": "+18005550123", "Type": "TELEPHONE_NUMBER"})"));
  EXPECT_EQ(event.transfers(), 1);
  EXPECT_EQ(event.outcome(), v1::TRANSFERRED);
  EXPECT_EQ(Text(event, "transferred_to"), "+18005550123");
}

TEST(ConnectCtrTest, QueuedContactWithoutAgentIsAbandoned) {
  const std::string no_agent = absl::StrCat(
      "{", Ctr().substr(Ctr().find("\"AgentConnectionAttempts\"")));
  const v1::Event event = MapOne(no_agent);
  EXPECT_EQ(event.outcome(), v1::ABANDONED);
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_FALSE(event.has_hold_ms());

  // Not while it is still going on, nor when it never reached a queue.
  std::string ongoing = no_agent;
  absl::StrReplaceAll({{R"("DisconnectTimestamp": "2024-05-01T10:12:30Z")",
                        R"("DisconnectTimestamp": null)"}},
                      &ongoing);
  EXPECT_EQ(MapOne(ongoing).outcome(), v1::OUTCOME_UNSPECIFIED);
  std::string self_service = no_agent;
  self_service.replace(
      self_service.find("\"Queue\""),
      self_service.find("\"Recording\"") - self_service.find("\"Queue\""),
      "\"Queue\": null, ");
  EXPECT_EQ(MapOne(self_service).outcome(), v1::OUTCOME_UNSPECIFIED);
}

TEST(ConnectCtrTest, ContactChainIsKept) {
  const v1::Event event = MapOne(
      Ctr(R"("PreviousContactId": null)",
          R"("PreviousContactId": "11111111-2222-3333-4444-555555555555")"));
  EXPECT_EQ(Text(event, "previous_contact_id"),
            "11111111-2222-3333-4444-555555555555");
}

TEST(ConnectCtrTest, AgentAndQueueFallBackToArns) {
  std::string ctr = Ctr(R"("Username": "jdoe")", R"("Username": null)");
  absl::StrReplaceAll({{R"("Name": "BasicQueue")", R"("Name": "")"}}, &ctr);
  const v1::Event event = MapOne(ctr);
  EXPECT_EQ(event.agent_id(),
            "arn:aws:connect:us-west-2:123456789012:instance/aaaa/agent/bbbb");
  EXPECT_EQ(event.queue(),
            "arn:aws:connect:us-west-2:123456789012:instance/aaaa/queue/cccc");
}

TEST(ConnectCtrTest, UpdatesAreNewVersionsRedeliveriesDuplicates) {
  const v1::Event first = MapOne(Ctr());
  EXPECT_EQ(MapOne(Ctr()).event_id(), first.event_id());
  const v1::Event update =
      MapOne(Ctr(R"("LastUpdateTimestamp": "2024-05-01T10:13:52Z")",
                 R"("LastUpdateTimestamp": "2024-05-01T11:00:00Z")"));
  EXPECT_NE(update.event_id(), first.event_id());
  EXPECT_EQ(update.interaction_id(), first.interaction_id());
  EXPECT_GT(update.updated_at().seconds(), first.updated_at().seconds());
}

TEST(ConnectCtrTest, ContactAttributesStayWithinTheEventLimits) {
  std::string attributes = R"("Big": ")" + std::string(5000, 'x') + R"(",)";
  for (int i = 0; i < 80; ++i) {
    absl::StrAppend(&attributes, "\"k", i, "\": \"v\", ");
  }
  absl::StrAppend(&attributes, "\"", std::string(60, 'K'),
                  "\": \"key too long with the prefix\", ",
                  R"("Nested": {"a": 1}, "Flag": true, "Score": 4.5)");
  const v1::Event event = MapOne(
      Ctr(R"("AccountTier": "gold", "IntentCode": "billing")", attributes));
  EXPECT_EQ(event.attributes_size(), 64);
  EXPECT_EQ(Text(event, "connect.Big").size(), 1024u);
  EXPECT_EQ(Text(event, "initiation_method"), "INBOUND");  // ours come first
  // 8 of ours, Big and k0..k53 fill 63 places, the last is kept for
  // attributes_dropped: k54..k79 (26), the long key, Nested (an object),
  // Flag and Score are left out.
  EXPECT_EQ(Number(event, "attributes_dropped"), 30);
  EXPECT_TRUE(model::ValidateEvent(event, kNow).ok())
      << model::ValidateEvent(event, kNow);
}

TEST(ConnectCtrTest, NonStringContactAttributesKeepTheirType) {
  const v1::Event event =
      MapOne(Ctr(R"("IntentCode": "billing")", R"("Vip": true, "Score": 4.5)"));
  EXPECT_TRUE(event.attributes().at("connect.Vip").bool_value());
  EXPECT_EQ(event.attributes().at("connect.Score").number_value(), 4.5);
}

struct BadCase {
  std::string from, to, field, reason;
};

TEST(ConnectCtrTest, BadRecordsNameTheFieldAndTheReason) {
  const BadCase cases[] = {
      {R"("ContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe",)", "",
       "ContactId", "required, but missing"},
      {R"("ContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe")",
       R"("ContactId": "")", "ContactId", "required, but empty"},
      {R"("ContactId": "5ca32fbd-8f92-46af-92a5-6b0f970f0efe")",
       R"("ContactId": 17)", "ContactId", "must be a string, got a number"},
      {R"("LastUpdateTimestamp": "2024-05-01T10:13:52Z")",
       R"("LastUpdateTimestamp": "yesterday")", "LastUpdateTimestamp",
       "must be a timestamp like 2024-05-01T10:00:00Z, got \"yesterday\""},
      {R"("InitiationTimestamp": "2024-05-01T10:00:00Z")",
       R"("InitiationTimestamp": null)", "InitiationTimestamp",
       "required, but missing"},
      {R"("DisconnectTimestamp": "2024-05-01T10:12:30Z")",
       R"("DisconnectTimestamp": "2024-05-01T09:00:00Z")",
       "DisconnectTimestamp", "must not be before InitiationTimestamp"},
      {R"("CustomerHoldDuration": 95)", R"("CustomerHoldDuration": "long")",
       "Agent.CustomerHoldDuration", "must be a number, got \"long\""},
      {R"("CustomerHoldDuration": 95)", R"("CustomerHoldDuration": -5)",
       "Agent.CustomerHoldDuration", "must not be negative, got -5"},
      {R"("NumberOfHolds": 2)", R"("NumberOfHolds": 2.5)",
       "Agent.NumberOfHolds", "must be a whole number within 64 bits"},
      {R"("Duration": 242)", R"("Duration": [1])", "Queue.Duration",
       "must be a number, got an array"},
      {R"("Name": "Basic Routing Profile")", R"("Name": {})",
       "Agent.RoutingProfile.Name", "must be a string, got an object"},
      {R"({"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"})", "\"x\"",
       "CustomerEndpoint", "must be an object, got a string"},
      {R"("Address": "+14155550100")",
       absl::StrCat(R"("Address": ")", std::string(300, '1'), "\""),
       "CustomerEndpoint.Address", "must be at most 256 bytes, got 300"},
      {R"("Username": "jdoe")",
       absl::StrCat(R"("Username": ")", std::string(129, 'j'), "\""),
       "Agent.Username", "must be at most 128 bytes, got 129"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.to);
    const absl::Status status = Rejection(Ctr(c.from, c.to));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(ConnectCtrTest, TimesWithOffsetsFractionsAndEpochMillis) {
  std::string ctr =
      Ctr(R"("InitiationTimestamp": "2024-05-01T10:00:00Z")",
          R"("InitiationTimestamp": "2024-05-01T12:00:00.250+02:00")");
  const v1::Event event = MapOne(ctr);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);
  EXPECT_EQ(event.occurred_at().nanos(), 250000000);
  const v1::Event millis =
      MapOne(Ctr(R"("LastUpdateTimestamp": "2024-05-01T10:13:52Z")",
                 R"("LastUpdateTimestamp": 1714558432000)"));
  EXPECT_EQ(millis.updated_at().seconds(), 1714558432);
  EXPECT_EQ(millis.event_id(),
            "connect:5ca32fbd-8f92-46af-92a5-6b0f970f0efe@1714558432000");
}

TEST(ConnectCtrTest, KeysInAnotherCaseAreRead) {
  const v1::Event event =
      MapOne(Ctr(R"("Username": "jdoe")", R"("username": "jdoe")"));
  EXPECT_EQ(event.agent_id(), "jdoe");
}

TEST(ConnectCtrTest, LooksLike) {
  simdjson::dom::parser parser;
  auto looks = [&](const std::string& json) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(json).get(element), simdjson::SUCCESS);
    return LooksLikeConnectCtr(JsonValue::Root(element));
  };
  EXPECT_TRUE(looks(Ctr()));
  EXPECT_FALSE(looks(R"({"ContactId": "a", "InitiationTimestamp": "b"})"));
  EXPECT_FALSE(looks(R"({"contactId": "a", "eventType": "QUEUED"})"));
}

}  // namespace
}  // namespace motive::ingest
