#include "ingest/twilio_taskrouter.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/importer.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Number;
using ::motive::ingest::testing::OneLine;
using ::motive::ingest::testing::Text;

using ::motive::ingest::testing::ChunkSource;
using ::motive::ingest::testing::Describe;
using ::motive::ingest::testing::Import;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// The EventCallbackUrl fields of the TaskRouter event reference, as JSON:
// an inbound Flex call's task created, then completed.
constexpr absl::string_view kCreated = R"({
  "EventType": "task.created",
  "AccountSid": "AC00000000000000000000000000000001",
  "WorkspaceSid": "WS00000000000000000000000000000001",
  "WorkspaceName": "Flex Task Assignment",
  "EventDescription": "Task WT00000000000000000000000000000001 created",
  "ResourceType": "Task",
  "ResourceSid": "WT00000000000000000000000000000001",
  "Timestamp": "1714557600",
  "TimestampMs": "1714557600250",
  "TaskSid": "WT00000000000000000000000000000001",
  "TaskAttributes": "{\"from\": \"+14155550100\", \"to\": \"+18005550199\", \"direction\": \"inbound\", \"name\": \"Ann Smith\", \"call_sid\": \"CA00000000000000000000000000000001\", \"language\": \"en\", \"vip\": true, \"conversations\": {\"abandoned\": \"No\"}}",
  "TaskAge": "0",
  "TaskPriority": "0",
  "TaskAssignmentStatus": "pending",
  "TaskQueueSid": "WQ00000000000000000000000000000001",
  "TaskQueueName": "Everyone",
  "TaskChannelSid": "TC00000000000000000000000000000001",
  "TaskChannelUniqueName": "voice",
  "WorkflowSid": "WW00000000000000000000000000000001",
  "WorkflowName": "Assign to Anyone",
  "TaskDateCreated": "1714557600"
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

std::string Completed() {
  std::string text = Edit(kCreated, R"("task.created")", R"("task.completed")");
  text = Edit(text, R"("TimestampMs": "1714557600250")",
              R"("TimestampMs": "1714557900000")");
  text = Edit(text, R"("TaskAge": "0")", R"("TaskAge": "300")");
  return Edit(text, R"("TaskAssignmentStatus": "pending")",
              R"("TaskAssignmentStatus": "completed",
                 "TaskCompletedReason": "Task completed")");
}

// Event Streams delivers the same events as CloudEvents with snake_case
// data, here in a schema with the payload envelope.
constexpr absl::string_view kStreamCanceled = R"({
  "specversion": "1.0",
  "type": "com.twilio.taskrouter.task.canceled",
  "source": "/v1/Workspaces/WS00000000000000000000000000000001/Tasks/WT2",
  "id": "EV00000000000000000000000000000009",
  "dataschema": "https://events-schemas.twilio.com/TaskRouter.WDSEvent/4",
  "datacontenttype": "application/json",
  "time": "2024-05-01T11:00:00.000Z",
  "data": {
    "sid": "EV00000000000000000000000000000009",
    "timestamp": "2024-05-01T11:00:00.000Z",
    "product_name": "TaskRouter",
    "payload": {
      "eventtype": "task.canceled",
      "timestamp": "2024-05-01T11:00:00.000Z",
      "task_sid": "WT00000000000000000000000000000002",
      "task_attributes": "{\"channelType\": \"whatsapp\", \"customerAddress\": \"whatsapp:+447700900123\", \"from\": \"whatsapp:+447700900123\", \"customerName\": \"Bo\"}",
      "task_age": 95,
      "task_date_created": "2024-05-01T10:58:25.000Z",
      "task_priority": 1,
      "task_assignment_status": "canceled",
      "task_canceled_reason": "Task TTL Exceeded",
      "task_channel_unique_name": "chat",
      "task_queue_name": "Messaging",
      "workflow_name": "Assign to Anyone"
    }
  }
})";

v1::Event MapOne(const std::string& json) {
  return testing::MapOne(Platform::kTwilioTaskRouter, json);
}
absl::Status Rejection(const std::string& json) {
  return testing::Rejection(Platform::kTwilioTaskRouter, json);
}

TEST(TwilioTaskRouterTest, WebhookTaskCreated) {
  const v1::Event event = MapOne(std::string(kCreated));
  EXPECT_EQ(event.event_id(),
            "twilio:task:WT00000000000000000000000000000001:task.created@"
            "1714557600250");
  EXPECT_EQ(event.interaction_id(),
            "twilio:task:WT00000000000000000000000000000001");
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.updated_at().seconds(), 1714557600);
  EXPECT_EQ(event.updated_at().nanos(), 250000000);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);  // TaskDateCreated
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::VOICE);
  ASSERT_EQ(event.identifiers_size(), 1);  // the caller, not the number called
  EXPECT_EQ(event.identifiers(0).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(0).value(), "+14155550100");
  EXPECT_EQ(event.queue(), "Everyone");
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_EQ(event.duration_ms(), 0);
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);

  EXPECT_EQ(Text(event, "event_type"), "task.created");
  EXPECT_EQ(Text(event, "assignment_status"), "pending");
  EXPECT_EQ(Text(event, "workflow_name"), "Assign to Anyone");
  EXPECT_EQ(Number(event, "priority"), 0);
  EXPECT_EQ(Text(event, "customer_name"), "Ann Smith");
  EXPECT_EQ(Text(event, "twilio.from"), "+14155550100");
  EXPECT_EQ(Text(event, "twilio.language"), "en");
  EXPECT_TRUE(event.attributes().at("twilio.vip").bool_value());
  // event_type, assignment_status, workflow_name, priority, customer_name,
  // 7 scalar task attributes, and attributes_dropped (conversations{}).
  EXPECT_EQ(Number(event, "attributes_dropped"), 1);
  EXPECT_EQ(event.attributes_size(), 13);
}

TEST(TwilioTaskRouterTest, CompletedIsALaterVersionOfTheSameTask) {
  const v1::Event created = MapOne(std::string(kCreated));
  const v1::Event completed = MapOne(Completed());
  EXPECT_EQ(completed.interaction_id(), created.interaction_id());
  EXPECT_NE(completed.event_id(), created.event_id());
  EXPECT_GT(completed.updated_at().seconds(), created.updated_at().seconds());
  EXPECT_EQ(completed.occurred_at().seconds(), created.occurred_at().seconds());
  EXPECT_EQ(completed.duration_ms(), 300000);
  EXPECT_EQ(completed.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(Text(completed, "completed_reason"), "Task completed");
  EXPECT_EQ(MapOne(Completed()).event_id(), completed.event_id());

  const v1::Event transferred = MapOne(
      Edit(Completed(), R"("Task completed")", R"("Transferred to billing")"));
  EXPECT_EQ(transferred.outcome(), v1::TRANSFERRED);
}

TEST(TwilioTaskRouterTest, WithoutDateCreatedTheAgeDatesTheTask) {
  std::string text = Edit(Completed(), R"(,
  "TaskDateCreated": "1714557600")",
                          "");
  text = Edit(text, R"("TimestampMs": "1714557900000",)", "");
  text =
      Edit(text, R"("Timestamp": "1714557600")", R"("Timestamp": 1714557900)");
  const v1::Event event = MapOne(text);
  EXPECT_EQ(event.updated_at().seconds(), 1714557900);
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);
  EXPECT_EQ(event.event_id(),
            "twilio:task:WT00000000000000000000000000000001:task.completed@"
            "1714557900000");
}

TEST(TwilioTaskRouterTest, ReservationAcceptedEnrichesWithTheWorker) {
  std::string text =
      Edit(kCreated, R"("task.created")", R"("reservation.accepted")");
  text = Edit(text, R"("ResourceType": "Task")",
              R"("ResourceType": "Reservation",
                 "ReservationSid": "WR00000000000000000000000000000001",
                 "WorkerSid": "WK00000000000000000000000000000001",
                 "WorkerName": "alice")");
  const v1::Event event = MapOne(text);
  EXPECT_TRUE(event.enrichment());
  EXPECT_EQ(event.interaction_id(),
            "twilio:task:WT00000000000000000000000000000001");
  EXPECT_EQ(event.event_id(),
            "twilio:task:WT00000000000000000000000000000001:"
            "reservation.accepted@1714557600250");
  EXPECT_EQ(event.agent_id(), "alice");
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.channel(), v1::VOICE);
  EXPECT_EQ(event.queue(), "Everyone");
  EXPECT_THAT(event.identifiers(), IsEmpty());
  EXPECT_EQ(Text(event, "reservation_accepted_at"), "2024-05-01T10:00:00.250Z");
  EXPECT_EQ(event.attributes_size(), 1);

  // An offer the worker let time out names no agent.
  const v1::Event timeout = MapOne(
      Edit(text, R"("reservation.accepted")", R"("reservation.timeout")"));
  EXPECT_TRUE(timeout.agent_id().empty());
  EXPECT_EQ(Text(timeout, "reservation_timeout_at"),
            "2024-05-01T10:00:00.250Z");
}

TEST(TwilioTaskRouterTest, EventStreamsCanceledTask) {
  const v1::Event event = MapOne(std::string(kStreamCanceled));
  EXPECT_EQ(event.interaction_id(),
            "twilio:task:WT00000000000000000000000000000002");
  EXPECT_EQ(event.event_id(),
            "twilio:task:WT00000000000000000000000000000002:task.canceled@"
            "1714561200000");
  EXPECT_EQ(event.updated_at().seconds(), 1714561200);
  EXPECT_EQ(event.occurred_at().seconds(), 1714561200 - 95);
  EXPECT_EQ(event.channel(), v1::CHAT);    // a WhatsApp chat
  ASSERT_EQ(event.identifiers_size(), 1);  // customerAddress and from agree
  EXPECT_EQ(event.identifiers(0).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(0).value(), "+447700900123");
  EXPECT_EQ(event.outcome(), v1::ABANDONED);
  EXPECT_EQ(event.duration_ms(), 95000);
  EXPECT_EQ(event.queue(), "Messaging");
  EXPECT_EQ(Text(event, "canceled_reason"), "Task TTL Exceeded");
  EXPECT_EQ(Text(event, "customer_name"), "Bo");
  EXPECT_EQ(Number(event, "priority"), 1);
}

TEST(TwilioTaskRouterTest, EventStreamsWithoutThePayloadEnvelope) {
  std::string text = Edit(kStreamCanceled, R"("payload": {)", "");
  text = Edit(text, R"("workflow_name": "Assign to Anyone"
    })",
              R"("workflow_name": "Assign to Anyone")");
  text = Edit(text, R"("timestamp": "2024-05-01T11:00:00.000Z",
    "product_name")",
              R"("product_name")");
  text = Edit(text, R"("timestamp": "2024-05-01T11:00:00.000Z")",
              R"("timestamp": 1714561200000)");
  const v1::Event event = MapOne(text);
  EXPECT_EQ(event.interaction_id(),
            "twilio:task:WT00000000000000000000000000000002");
  EXPECT_EQ(event.updated_at().seconds(), 1714561200);
  EXPECT_EQ(event.outcome(), v1::ABANDONED);
}

TEST(TwilioTaskRouterTest, CustomerByChannel) {
  auto identifiers = [](absl::string_view attributes,
                        absl::string_view channel) {
    std::string text =
        Edit(kCreated, R"("TaskChannelUniqueName": "voice")",
             absl::StrCat(R"("TaskChannelUniqueName": ")", channel, "\""));
    const size_t start = text.find(R"("TaskAttributes": ")");
    const size_t end = text.find("\n", start);
    text.replace(start, end - start,
                 absl::StrCat(R"("TaskAttributes": ")", attributes, "\","));
    const v1::Event event = MapOne(text);
    std::string out = absl::StrCat(v1::Channel_Name(event.channel()), ":");
    for (const auto& id : event.identifiers()) {
      absl::StrAppend(&out, " ", id.namespace_(), "=", id.value());
    }
    return out;
  };
  // Web chat: "from" is a chat identity, a name: no identifier.
  EXPECT_EQ(
      identifiers(R"({\"from\": \"Ann\", \"channelType\": \"web\"})", "chat"),
      "CHAT:");
  EXPECT_EQ(
      identifiers(R"({\"from\": \"+14155550100\", \"channelType\": \"sms\"})",
                  "chat"),
      "SMS: phone=+14155550100");
  EXPECT_EQ(identifiers(R"({\"from\": \"ann@example.com\"})", "email"),
            "EMAIL: email=ann@example.com");
  EXPECT_EQ(
      identifiers(
          R"({\"direction\": \"outbound\", \"from\": \"+18005550199\", \"outbound_to\": \"+14155550100\"})",
          "voice"),
      "VOICE: phone=+14155550100");
  EXPECT_EQ(
      identifiers(
          R"({\"customers\": {\"phone\": \"+14155550100\", \"email\": \"ann@example.com\", \"external_id\": \"cust-9\", \"name\": \"Ann\"}})",
          "video"),
      "OTHER: phone=+14155550100 email=ann@example.com "
      "twilio_customer=cust-9");
  EXPECT_EQ(
      identifiers(
          R"({\"channelType\": \"facebook\", \"from\": \"messenger:123\"})",
          "chat"),
      "SOCIAL:");  // a Messenger id is digits, but no phone
}

struct BadCase {
  absl::string_view from, to, field, reason;
};

TEST(TwilioTaskRouterTest, BadRecordsNameTheFieldAndTheReason) {
  const BadCase cases[] = {
      {R"("TaskSid": "WT00000000000000000000000000000001",)", "", "TaskSid",
       "required, but missing"},
      {R"("EventType": "task.created",)", "", "EventType",
       "required, but missing"},
      {R"("TimestampMs": "1714557600250")", R"("TimestampMs": "soon")",
       "TimestampMs", "must be a timestamp like 2024-05-01T10:00:00Z"},
      {R"("TimestampMs": "1714557600250")", R"("TimestampMs": true)",
       "TimestampMs",
       "must be a timestamp like 2024-05-01T10:00:00Z or a "
       "Unix time, got a bool"},
      {R"("TaskAge": "0")", R"("TaskAge": "-3")", "TaskAge",
       "must not be negative"},
      {R"("TaskAttributes": "{\"from\":)", R"("TaskAttributes": "{from\":)",
       "TaskAttributes", "must hold a JSON object"},
      {R"("TaskAttributes": "{\"from\":)",
       R"("TaskAttributes": "[1]", "X": "{\"from\":)", "TaskAttributes",
       "must hold a JSON object, got an array"},
      {R"(\"name\": \"Ann Smith\")", R"(\"name\": 7)", "TaskAttributes.name",
       "must be a string, got a number"},
      {R"(\"from\": \"+14155550100\")", R"(\"customers\": [])",
       "TaskAttributes.customers", "must be an object, got an array"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.to);
    const absl::Status status = Rejection(Edit(kCreated, c.from, c.to));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
  const absl::Status stream = Rejection(
      Edit(kStreamCanceled,
           R"("task_sid": "WT00000000000000000000000000000002",)", ""));
  EXPECT_EQ(base::ErrorField(stream), "data.payload.task_sid");
}

// A workspace's whole event stream: worker, activity and task-queue events
// and a reservation that names no task, between a task's events. Those
// describe no contact: they are skipped, keeping their numbers, and nothing
// is rejected.
std::string MixedStream() {
  const std::string worker = OneLine(R"({
      "EventType": "worker.activity.update",
      "WorkspaceSid": "WS00000000000000000000000000000001",
      "ResourceType": "Worker", "ResourceSid": "WK0001",
      "Timestamp": "1714557590", "WorkerSid": "WK0001",
      "WorkerName": "jdoe", "WorkerActivityName": "Available",
      "WorkerPreviousActivityName": "Offline"})");
  return absl::StrCat(worker, "\n", OneLine(std::string(kCreated)), "\n",
                      Edit(worker, "worker.activity.update", "worker.created"),
                      "\n", OneLine(R"({"specversion": "1.0",
          "type": "com.twilio.taskrouter.task-queue.entered",
          "time": "2024-05-01T10:00:01Z", "data": {"task_queue_sid": "WQ1"}})"),
                      "\n", OneLine(R"({"EventType": "reservation.created",
          "WorkspaceSid": "WS00000000000000000000000000000001",
          "Timestamp": "1714557601", "WorkerSid": "WK0001"})"),
                      "\n", OneLine(Completed()), "\n");
}

TEST(TwilioTaskRouterTest, EventsAboutNoContactAreSkipped) {
  for (const Platform platform :
       {Platform::kTwilioTaskRouter, Platform::kAuto}) {
    const auto result = Import(platform, MixedStream(), 5);
    EXPECT_THAT(
        Describe(result),
        ElementsAre("1 skipped", HasSubstr("2 event_id:"), "3 skipped",
                    "4 skipped", "5 skipped", HasSubstr("6 event_id:"), "OK"));
  }
}

TEST(TwilioTaskRouterTest, EngineCountsSkippedRecordsWithoutRejecting) {
  auto opened = engine::Engine::Open(":memory:", engine::EngineOptions());
  ASSERT_TRUE(opened.ok()) << opened.status();
  auto source = NewImporter(Platform::kTwilioTaskRouter,
                            ChunkSource(MixedStream(), 7), ImportOptions());
  engine::IngestOptions options;
  options.batch_size = 2;
  engine::IngestCounts counts;
  ASSERT_TRUE((*opened)->Ingest(*source, options, &counts).ok());
  EXPECT_EQ(counts.records, 6u);
  EXPECT_EQ(counts.skipped, 4u);
  EXPECT_EQ(counts.rejected, 0u);
  EXPECT_EQ(counts.accepted, 2u);
}

TEST(TwilioTaskRouterTest, StreamIsSniffedAndBadRecordsRejectedAlone) {
  const std::string bad = Edit(kCreated, R"("TimestampMs": "1714557600250")",
                               R"("TimestampMs": "soon")");
  const auto result =
      Import(Platform::kAuto,
             absl::StrCat(OneLine(std::string(kCreated)), "\n", OneLine(bad),
                          "\n", OneLine(Completed()), "\n",
                          OneLine(std::string(kStreamCanceled)), "\n"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 4u);
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_FALSE(result.records[1].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "TimestampMs");
  EXPECT_TRUE(result.records[2].event.ok());
  EXPECT_TRUE(result.records[3].event.ok());

  // A stream that starts with a CloudEvent is recognised too.
  const auto streamed = Import(Platform::kAuto, std::string(kStreamCanceled));
  ASSERT_TRUE(streamed.status.ok()) << streamed.status;
  EXPECT_EQ(streamed.Events().size(), 1u);
}

TEST(TwilioTaskRouterTest, LooksLike) {
  simdjson::dom::parser parser;
  auto looks = [&](const std::string& json) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(json).get(element), simdjson::SUCCESS);
    return LooksLikeTwilioTaskRouter(JsonValue::Root(element));
  };
  EXPECT_TRUE(looks(std::string(kCreated)));
  EXPECT_TRUE(looks(std::string(kStreamCanceled)));
  EXPECT_FALSE(looks(R"({"specversion": "1.0", "type": "com.example.x"})"));
  EXPECT_FALSE(looks(R"({"EventType": "task.created"})"));
}

}  // namespace
}  // namespace motive::ingest
