#include "ingest/genesys_conversation.h"

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

constexpr char kSample[] = "genesys_conversation_detail_chat_1.json";

// An inbound call as the analytics API documents one: IVR, queue, a first
// agent who holds and transfers to a second queue, a second agent who holds
// and wraps up. The customer's session shows the holds too (overlapping the
// agents' by a second), so that their union is what counts.
constexpr absl::string_view kCall = R"({
  "conversationId": "c0ffee00-0000-4000-8000-000000000001",
  "conversationStart": "2024-05-01T10:00:00.000Z",
  "conversationEnd": "2024-05-01T10:20:00.000Z",
  "originatingDirection": "inbound",
  "divisionIds": ["d1", "d2"],
  "participants": [
    {"participantId": "p-cust", "participantName": "Ann Smith",
     "purpose": "customer", "externalContactId": "ext-42",
     "sessions": [{"mediaType": "voice", "direction": "inbound",
       "ani": "tel:+14155550100", "dnis": "tel:+18005550199",
       "segments": [
         {"segmentStart": "2024-05-01T10:00:00.000Z",
          "segmentEnd": "2024-05-01T10:05:00.000Z", "segmentType": "interact"},
         {"segmentStart": "2024-05-01T10:05:00.000Z",
          "segmentEnd": "2024-05-01T10:06:01.000Z", "segmentType": "hold"},
         {"segmentStart": "2024-05-01T10:06:01.000Z",
          "segmentEnd": "2024-05-01T10:20:00.000Z", "segmentType": "interact",
          "disconnectType": "endpoint"}]}]},
    {"participantId": "p-ivr", "purpose": "ivr",
     "sessions": [{"mediaType": "voice", "segments": [
         {"segmentStart": "2024-05-01T10:00:00.000Z",
          "segmentEnd": "2024-05-01T10:01:00.000Z", "segmentType": "interact",
          "disconnectType": "transfer"}]}]},
    {"participantId": "p-acd1", "purpose": "acd",
     "sessions": [{"mediaType": "voice", "segments": [
         {"segmentStart": "2024-05-01T10:01:00.000Z",
          "segmentEnd": "2024-05-01T10:02:00.000Z", "segmentType": "interact",
          "queueId": "queue-billing", "disconnectType": "transfer"}],
       "metrics": [{"name": "tAcd", "value": 60000,
                    "emitDate": "2024-05-01T10:02:00.000Z"}]}]},
    {"participantId": "p-agent1", "userId": "agent-1", "purpose": "agent",
     "sessions": [{"mediaType": "voice", "segments": [
         {"segmentStart": "2024-05-01T10:02:00.000Z",
          "segmentEnd": "2024-05-01T10:05:00.000Z", "segmentType": "interact",
          "queueId": "queue-billing"},
         {"segmentStart": "2024-05-01T10:05:00.000Z",
          "segmentEnd": "2024-05-01T10:06:00.000Z", "segmentType": "hold",
          "queueId": "queue-billing", "disconnectType": "transfer"}],
       "metrics": [{"name": "tHandle", "value": 240000,
                    "emitDate": "2024-05-01T10:06:00.000Z"},
                   {"name": "tTalk", "value": 180000,
                    "emitDate": "2024-05-01T10:06:00.000Z"}]}]},
    {"participantId": "p-acd2", "purpose": "acd",
     "sessions": [{"mediaType": "voice", "segments": [
         {"segmentStart": "2024-05-01T10:06:00.000Z",
          "segmentEnd": "2024-05-01T10:07:00.000Z", "segmentType": "interact",
          "queueId": "queue-retention", "disconnectType": "transfer"}],
       "metrics": [{"name": "tAcd", "value": 60000,
                    "emitDate": "2024-05-01T10:07:00.000Z"}]}]},
    {"participantId": "p-agent2", "userId": "agent-2", "purpose": "agent",
     "sessions": [{"mediaType": "voice", "segments": [
         {"segmentStart": "2024-05-01T10:07:00.000Z",
          "segmentEnd": "2024-05-01T10:10:00.000Z", "segmentType": "interact",
          "queueId": "queue-retention"},
         {"segmentStart": "2024-05-01T10:10:00.000Z",
          "segmentEnd": "2024-05-01T10:12:00.000Z", "segmentType": "hold",
          "queueId": "queue-retention"},
         {"segmentStart": "2024-05-01T10:12:00.000Z",
          "segmentEnd": "2024-05-01T10:20:00.000Z", "segmentType": "interact",
          "queueId": "queue-retention", "disconnectType": "peer"},
         {"segmentStart": "2024-05-01T10:20:00.000Z",
          "segmentEnd": "2024-05-01T10:21:00.000Z", "segmentType": "wrapup",
          "queueId": "queue-retention", "wrapUpCode": "Billing dispute",
          "wrapUpNote": "refund promised"}],
       "metrics": [{"name": "tHandle", "value": 840000,
                    "emitDate": "2024-05-01T10:21:00.000Z"},
                   {"name": "tAcw", "value": 60000,
                    "emitDate": "2024-05-01T10:21:00.000Z"}]}]}
  ]
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
  return testing::MapOne(Platform::kGenesysConversation, json);
}
absl::Status Rejection(const std::string& json) {
  return testing::Rejection(Platform::kGenesysConversation, json);
}

TEST(GenesysConversationTest, MapsTheSharedSampleChat) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, kSample);
  const v1::Event event = MapOne(sample);
  EXPECT_EQ(event.event_id(),
            "genesys:1bc96a39-6725-40c4-9345-db72aa67b8c6@"
            "2021-04-01T12:43:23.306Z");
  EXPECT_EQ(event.interaction_id(),
            "genesys:1bc96a39-6725-40c4-9345-db72aa67b8c6");
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.occurred_at().seconds(), 1617280073);  // 12:27:53.386
  EXPECT_EQ(event.occurred_at().nanos(), 386000000);
  EXPECT_EQ(event.updated_at().seconds(), 1617281003);  // 12:43:23.306
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::CHAT);
  // A web chat's customer has a display name only: known by this
  // conversation's participant, which merges with nothing.
  ASSERT_EQ(event.identifiers_size(), 1);
  EXPECT_EQ(event.identifiers(0).namespace_(), "genesys_participant");
  EXPECT_FALSE(event.identifiers(0).value().empty());
  EXPECT_EQ(event.agent_id(), "50fcd33c-f432-4726-abc9-979f3ca01555");
  EXPECT_EQ(event.queue(), "a623d83c-96d7-4baa-af1f-d46ad6700d8b");
  EXPECT_EQ(event.duration_ms(), 918737);  // the agent's tHandle
  EXPECT_EQ(event.hold_ms(), 544176);      // the agent's hold segment
  // The acd's "transfer" is the queue delivering the chat: no transfer.
  EXPECT_FALSE(event.has_transfers());
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(event.topic().empty());

  EXPECT_EQ(Text(event, "direction"), "inbound");
  EXPECT_EQ(Text(event, "customer_name"), "John Doe");
  EXPECT_EQ(Text(event, "disconnect_type"), "timeout");
  EXPECT_EQ(Text(event, "division_id"), "1b6b98a6-3d70-47be-9406-61a5aa8cc570");
  EXPECT_EQ(Number(event, "number_of_holds"), 1);
  EXPECT_EQ(Number(event, "agents"), 1);
  EXPECT_EQ(Number(event, "queue_wait_ms"), 11179);
  EXPECT_EQ(Number(event, "talk_ms"), 374561);
  EXPECT_EQ(Number(event, "held_ms"), 544176);
  EXPECT_EQ(Number(event, "alert_ms"), 11050);
  EXPECT_EQ(Number(event, "conversation_ms"), 929920);
  EXPECT_DOUBLE_EQ(Number(event, "min_mos"), 4.882874965667725);
  EXPECT_EQ(event.attributes_size(), 12);
}

TEST(GenesysConversationTest, SampleIsSniffedAndIdempotent) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, kSample);
  const auto first = Import(Platform::kAuto, sample);
  ASSERT_TRUE(first.status.ok()) << first.status;
  ASSERT_EQ(first.Events().size(), 1u);
  const auto again = Import(Platform::kAuto, sample, 7);
  ASSERT_EQ(again.Events().size(), 1u);
  // Text format writes map entries in key order.
  EXPECT_EQ(again.Events()[0].ShortDebugString(),
            first.Events()[0].ShortDebugString());
}

TEST(GenesysConversationTest, CallWithHoldsTransferAndWrapUp) {
  const v1::Event event = MapOne(std::string(kCall));
  EXPECT_EQ(event.channel(), v1::VOICE);
  ASSERT_EQ(event.identifiers_size(), 2);
  EXPECT_EQ(event.identifiers(0).namespace_(), "genesys_external_contact");
  EXPECT_EQ(event.identifiers(0).value(), "ext-42");
  EXPECT_EQ(event.identifiers(1).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(1).value(), "+14155550100");  // "tel:" off
  EXPECT_EQ(event.agent_id(), "agent-2");           // who ended with her
  EXPECT_EQ(event.queue(), "queue-retention");      // where she was last routed
  EXPECT_EQ(event.duration_ms(), 240000 + 840000);  // tHandle of both agents
  // 10:05:00-10:06:01 (agent 1 and the customer's view) and 10:10-10:12.
  EXPECT_EQ(event.hold_ms(), 61000 + 120000);
  EXPECT_EQ(Number(event, "number_of_holds"), 2);
  EXPECT_EQ(event.transfers(), 1);
  EXPECT_EQ(event.topic(), "Billing dispute");
  EXPECT_EQ(Text(event, "wrap_up_code"), "Billing dispute");
  EXPECT_EQ(Text(event, "wrap_up_note"), "refund promised");
  EXPECT_EQ(Text(event, "disconnect_type"), "endpoint");
  EXPECT_EQ(Text(event, "customer_name"), "Ann Smith");
  EXPECT_EQ(Text(event, "division_id"), "d1");
  EXPECT_EQ(Number(event, "agents"), 2);
  EXPECT_EQ(Number(event, "queue_wait_ms"), 120000);
  EXPECT_EQ(Number(event, "acw_ms"), 60000);
  EXPECT_EQ(Number(event, "conversation_ms"), 1200000);
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
  // The wrap-up ends after the call: the latest time is the version's.
  EXPECT_EQ(event.updated_at().seconds(), 1714557600 + 21 * 60);
  EXPECT_EQ(event.event_id(),
            "genesys:c0ffee00-0000-4000-8000-000000000001@"
            "2024-05-01T10:21:00.000Z");
}

TEST(GenesysConversationTest, OutboundCustomerIsTheDnis) {
  const v1::Event event = MapOne(
      Edit(kCall, R"("direction": "inbound")", R"("direction": "outbound")"));
  ASSERT_EQ(event.identifiers_size(), 2);
  EXPECT_EQ(event.identifiers(1).value(), "+18005550199");
}

TEST(GenesysConversationTest, EmailAddressesAndTimeoutWrapUp) {
  std::string call = Edit(kCall, R"("ani": "tel:+14155550100")",
                          R"("addressFrom": "mailto:Ann@Example.com")");
  call = Edit(call, R"("mediaType": "voice")", R"("mediaType": "email")");
  call = Edit(call, R"("wrapUpCode": "Billing dispute")",
              R"("wrapUpCode": "ININ-WRAP-UP-TIMEOUT")");
  const v1::Event event = MapOne(call);
  EXPECT_EQ(event.channel(), v1::EMAIL);
  ASSERT_EQ(event.identifiers_size(), 2);
  EXPECT_EQ(event.identifiers(1).namespace_(), "email");
  EXPECT_EQ(event.identifiers(1).value(), "Ann@Example.com");
  EXPECT_TRUE(event.topic().empty());
  EXPECT_EQ(Text(event, "wrap_up_code"), "ININ-WRAP-UP-TIMEOUT");
}

TEST(GenesysConversationTest, LastAgentTransferringOutIsTransferred) {
  const v1::Event event =
      MapOne(Edit(kCall, R"("disconnectType": "peer")",
                  R"("disconnectType": "transfer.forward")"));
  EXPECT_EQ(event.outcome(), v1::TRANSFERRED);
  EXPECT_EQ(event.transfers(), 2);
}

TEST(GenesysConversationTest, QueuedWithoutAnAgentIsAbandoned) {
  constexpr absl::string_view kAbandoned = R"({
    "conversationId": "c2", "conversationStart": "2024-05-01T10:00:00Z",
    "conversationEnd": "2024-05-01T10:03:00Z",
    "participants": [
      {"purpose": "customer", "sessions": [{"mediaType": "voice",
        "ani": "+14155550100", "segments": [
          {"segmentStart": "2024-05-01T10:00:00Z",
           "segmentEnd": "2024-05-01T10:03:00Z", "segmentType": "interact",
           "disconnectType": "endpoint"}]}]},
      {"purpose": "acd", "sessions": [{"mediaType": "voice", "segments": [
          {"segmentStart": "2024-05-01T10:00:01Z",
           "segmentEnd": "2024-05-01T10:03:00Z", "segmentType": "interact",
           "queueId": "q1", "disconnectType": "peer"}],
        "metrics": [{"name": "tAbandon", "value": 179000,
                     "emitDate": "2024-05-01T10:03:00Z"}]}]}]})";
  const v1::Event event = MapOne(std::string(kAbandoned));
  EXPECT_EQ(event.outcome(), v1::ABANDONED);
  EXPECT_EQ(event.queue(), "q1");
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_EQ(event.duration_ms(), 180000);  // no tHandle: end - start
  EXPECT_FALSE(event.has_hold_ms());
  // Without the metric, a queue left with no agent is still abandoned...
  EXPECT_EQ(MapOne(Edit(kAbandoned, R"("tAbandon")", R"("tOther")")).outcome(),
            v1::ABANDONED);
  // ...but not while the conversation goes on.
  std::string ongoing = Edit(kAbandoned, R"("tAbandon")", R"("tOther")");
  ongoing = Edit(ongoing, R"("conversationEnd": "2024-05-01T10:03:00Z",)", "");
  EXPECT_EQ(MapOne(ongoing).outcome(), v1::OUTCOME_UNSPECIFIED);
}

TEST(GenesysConversationTest, LaterReadingIsANewVersion) {
  const v1::Event first = MapOne(std::string(kCall));
  // A metric emitted later (after-call work ending) makes a new reading.
  const v1::Event later = MapOne(Edit(kCall, R"({"name": "tAcw")",
                                      R"({"name": "tWait", "value": 1,
               "emitDate": "2024-05-01T10:25:00.000Z"}, {"name": "tAcw")"));
  EXPECT_EQ(later.interaction_id(), first.interaction_id());
  EXPECT_NE(later.event_id(), first.event_id());
  EXPECT_GT(later.updated_at().seconds(), first.updated_at().seconds());
  EXPECT_EQ(MapOne(std::string(kCall)).event_id(), first.event_id());
}

struct BadCase {
  absl::string_view from, to, field, reason;
};

TEST(GenesysConversationTest, BadRecordsNameTheFieldAndTheReason) {
  const BadCase cases[] = {
      {R"("conversationId": "c0ffee00-0000-4000-8000-000000000001",)", "",
       "conversationId", "required, but missing"},
      {R"("conversationStart": "2024-05-01T10:00:00.000Z")",
       R"("conversationStart": "soon")", "conversationStart",
       "must be a timestamp like 2024-05-01T10:00:00Z"},
      {R"("conversationEnd": "2024-05-01T10:20:00.000Z")",
       R"("conversationEnd": "2024-05-01T09:00:00.000Z")", "conversationEnd",
       "must not be before conversationStart"},
      {R"("segmentEnd": "2024-05-01T10:06:00.000Z", "segmentType": "hold")",
       R"("segmentEnd": "2024-05-01T10:04:00.000Z", "segmentType": "hold")",
       "participants[3].sessions[0].segments[1].segmentEnd",
       "must not be before segmentStart"},
      {R"({"segmentStart": "2024-05-01T10:00:00.000Z",
          "segmentEnd": "2024-05-01T10:01:00.000Z")",
       R"({"segmentEnd": "2024-05-01T10:01:00.000Z")",
       "participants[1].sessions[0].segments[0].segmentStart",
       "required, but missing"},
      {R"("tHandle", "value": 240000)", R"("tHandle", "value": "long")",
       "participants[3].sessions[0].metrics[0].value",
       "must be a number, got \"long\""},
      {R"("tAcd", "value": 60000)", R"("tAcd", "value": -1)",
       "participants[2].sessions[0].metrics[0].value", "must not be negative"},
      {R"("sessions": [{"mediaType": "voice", "direction": "inbound")",
       R"("sessions": {"mediaType": "voice", "direction": "inbound")",
       "participants[0].sessions", "must be an array, got an object"},
      {R"("ani": "tel:+14155550100")", R"("ani": 14155550100)",
       "participants[0].sessions[0].ani", "must be a string, got a number"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.to);
    std::string call(kCall);
    if (c.from ==
        R"("sessions": [{"mediaType": "voice", "direction": "inbound")") {
      // Keep the JSON valid: close the object instead of the array.
      call = Edit(call, R"("disconnectType": "endpoint"}]}]},)",
                  R"("disconnectType": "endpoint"}]}},)");
    }
    const absl::Status status = Rejection(Edit(call, c.from, c.to));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(GenesysConversationTest, BadRecordIsRejectedAndTheRestImported) {
  std::string bad = Edit(kCall, R"("segmentEnd": "2024-05-01T10:06:00.000Z")",
                         R"("segmentEnd": "2024-05-01T10:04:00.000Z")");
  std::string good(kCall);
  absl::StrReplaceAll({{"\n", " "}}, &good);
  absl::StrReplaceAll({{"\n", " "}}, &bad);
  const auto result =
      Import(Platform::kAuto, absl::StrCat(good, "\n", bad, "\n", good, "\n"));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()),
            "participants[3].sessions[0].segments[1].segmentEnd");
  EXPECT_TRUE(result.records[2].event.ok());
  EXPECT_EQ(result.records[2].number, 3u);
}

TEST(GenesysConversationTest, LooksLike) {
  simdjson::dom::parser parser;
  auto looks = [&](const std::string& json) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(json).get(element), simdjson::SUCCESS);
    return LooksLikeGenesysConversation(JsonValue::Root(element));
  };
  EXPECT_TRUE(looks(std::string(kCall)));
  EXPECT_FALSE(looks(R"({"conversationId": "a"})"));
}

}  // namespace
}  // namespace motive::ingest
