#include "ingest/connect_contact_event.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Import;
using ::testing::HasSubstr;

constexpr absl::string_view kSample =
    "amazon_connect_contact_event_connected_to_agent_docs.json";

std::string Attribute(const v1::Event& event, const std::string& key) {
  auto it = event.attributes().find(key);
  if (it == event.attributes().end()) return "<absent>";
  return it->second.has_number_value() ? absl::StrCat(it->second.number_value())
                                       : it->second.string_value();
}

void ExpectConnectedToAgent(const v1::Event& event) {
  EXPECT_EQ(event.event_id(),
            "connect:11111111-1111-1111-1111-111111111111:CONNECTED_TO_AGENT@"
            "2021-08-04T17:29:09.000Z");
  EXPECT_EQ(event.interaction_id(),
            "connect:11111111-1111-1111-1111-111111111111");
  EXPECT_TRUE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.identifiers_size(), 0);
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::VOICE);
  EXPECT_EQ(event.occurred_at().seconds(), 1628098149);  // 17:29:09Z
  EXPECT_EQ(event.updated_at().seconds(), 1628098149);
  // ARNs only: no agent or queue name to overlay on the contact record's.
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_TRUE(event.queue().empty());
  EXPECT_EQ(Attribute(event, "connected_to_agent_at"),
            "2021-08-04T17:29:09.000Z");
  EXPECT_EQ(Attribute(event, "initiation_method"), "INBOUND");
  EXPECT_THAT(Attribute(event, "agent_arn"), HasSubstr("/agent/"));
  EXPECT_THAT(Attribute(event, "queue_arn"), HasSubstr("/queue/"));
  EXPECT_EQ(Attribute(event, "queue_type"), "type");
  EXPECT_EQ(Attribute(event, "queue_wait_ms"), "5000");  // 17:29:04 to :09
}

TEST(ConnectContactEventTest, SampleDetail) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, std::string(kSample));
  auto result = Import(Platform::kConnectContactEvent, sample);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_TRUE(result.records[0].event.ok()) << result.records[0].event.status();
  ExpectConnectedToAgent(*result.records[0].event);
}

TEST(ConnectContactEventTest, SampleInsideItsEventBridgeEnvelope) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, std::string(kSample));
  const std::string envelope = absl::StrCat(
      R"({"version": "0", "id": "5c6b9a8e-0000-0000-0000-000000000000",)",
      R"("detail-type": "Amazon Connect Contact Event", "source": "aws.connect",)",
      R"("account": "123456789012", "time": "2021-08-04T17:29:10Z",)",
      R"("region": "us-west-2", "resources": [], "detail": )", sample, "}");
  auto result = Import(Platform::kConnectContactEvent, envelope);
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_TRUE(result.records[0].event.ok()) << result.records[0].event.status();
  ExpectConnectedToAgent(*result.records[0].event);
}

TEST(ConnectContactEventTest, EachStepHasItsOwnIdTimeAndAttribute) {
  const std::string queued = R"({"contactId": "c-1", "channel": "CHAT",
      "eventType": "QUEUED", "initiationTimestamp": "2024-05-01T10:00:00Z",
      "queueInfo": {"queueArn": "arn:q", "enqueueTimestamp": "2024-05-01T10:00:05Z"}})";
  const std::string disconnected = R"({"contactId": "c-1", "channel": "CHAT",
      "eventType": "DISCONNECTED", "initiationTimestamp": "2024-05-01T10:00:00Z",
      "disconnectTimestamp": "2024-05-01T10:09:00Z",
      "disconnectReason": "CUSTOMER_DISCONNECT"})";
  const std::string initiated =
      R"({"contactId": "c-1", "eventType": "INITIATED",
      "initiationTimestamp": "2024-05-01T10:00:00Z"})";
  auto result =
      Import(Platform::kConnectContactEvent,
             absl::StrCat(queued, "\n", disconnected, "\n", initiated));
  const auto events = result.Events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].event_id(), "connect:c-1:QUEUED@2024-05-01T10:00:05Z");
  EXPECT_EQ(Attribute(events[0], "queued_at"), "2024-05-01T10:00:05Z");
  EXPECT_EQ(events[0].channel(), v1::CHAT);
  EXPECT_EQ(events[1].event_id(),
            "connect:c-1:DISCONNECTED@2024-05-01T10:09:00Z");
  EXPECT_EQ(Attribute(events[1], "disconnected_at"), "2024-05-01T10:09:00Z");
  EXPECT_EQ(Attribute(events[1], "disconnect_reason"), "CUSTOMER_DISCONNECT");
  EXPECT_EQ(events[2].event_id(), "connect:c-1:INITIATED@2024-05-01T10:00:00Z");
  EXPECT_EQ(Attribute(events[2], "initiated_at"), "2024-05-01T10:00:00Z");
  for (const auto& event : events) {
    EXPECT_EQ(event.interaction_id(), "connect:c-1");
    EXPECT_TRUE(event.enrichment());
  }
}

TEST(ConnectContactEventTest, BadRecordsNameTheFieldAndTheReason) {
  struct Case {
    std::string json;
    std::string field, reason;
  } cases[] = {
      {R"({"contactId": "c", "eventType": "QUEUED"})", "initiationTimestamp",
       "required, but missing"},
      {R"({"eventType": "QUEUED", "initiationTimestamp": "2024-05-01T10:00:00Z"})",
       "contactId", "required, but missing"},
      {R"({"contactId": "c", "eventType": "QUEUED", "queueInfo": {"enqueueTimestamp": "soon"}})",
       "queueInfo.enqueueTimestamp", "must be a timestamp"},
      {R"({"detail-type": "Something Else", "detail": {"contactId": "c", "eventType": "QUEUED", "initiationTimestamp": "2024-05-01T10:00:00Z"}})",
       "detail-type", "must be \"Amazon Connect Contact Event\""},
      {R"({"detail-type": "Amazon Connect Contact Event", "detail": {"contactId": "c", "eventType": "QUEUED"}})",
       "detail.initiationTimestamp", "required, but missing"},
      {R"({"detail-type": "Amazon Connect Contact Event", "detail": []})",
       "detail", "must be an object, got an array"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto result = Import(Platform::kConnectContactEvent, c.json);
    ASSERT_EQ(result.records.size(), 1u);
    ASSERT_FALSE(result.records[0].event.ok());
    const absl::Status& status = result.records[0].event.status();
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(ConnectContactEventTest, EnvelopeTimeServesStepsWithoutTheirOwn) {
  auto result = Import(
      Platform::kConnectContactEvent,
      R"({"detail-type": "Amazon Connect Contact Event", "time": "2024-05-01T10:05:00Z",
          "detail": {"contactId": "c", "eventType": "CONTACT_DATA_UPDATED",
                     "initiationTimestamp": "2024-05-01T10:00:00Z"}})");
  const auto events = result.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id(),
            "connect:c:CONTACT_DATA_UPDATED@2024-05-01T10:05:00Z");
  EXPECT_EQ(Attribute(events[0], "contact_data_updated_at"),
            "2024-05-01T10:05:00Z");
}

}  // namespace
}  // namespace motive::ingest
