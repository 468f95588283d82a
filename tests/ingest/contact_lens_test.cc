#include "ingest/contact_lens.h"

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

using ::motive::ingest::testing::Import;
using ::testing::DoubleNear;
using ::testing::HasSubstr;

constexpr absl::string_view kVoiceSample =
    "amazon_connect_contact_lens_voice_analysis_docs_FIXED.json";
constexpr absl::string_view kVoiceKey =
    "Analysis/Voice/2021/08/04/"
    "11111111-1111-1111-1111-111111111111_analysis_2021-08-04T17:35:00Z.json";

// A chat analysis shaped as the Contact Lens chat example output file, cut
// to two turns.
constexpr absl::string_view kChat = R"({
  "AccountId": "123456789012",
  "Categories": {
    "MatchedCategories": ["agent-intro", "refund"],
    "MatchedDetails": {}
  },
  "Channel": "CHAT",
  "ChatTranscriptVersion": "2019-08-26",
  "ContentMetadata": {"Output": "Raw"},
  "ConversationCharacteristics": {
    "ContactSummary": {
      "SummaryItemsDetected": [{
        "ActionItemsDetected": [],
        "IssuesDetected": [{"TranscriptItems": [{
          "CharacterOffsets": {"BeginOffsetChar": 4, "EndOffsetChar": 28},
          "Id": "bcc51949"}]}],
        "OutcomesDetected": [{"TranscriptItems": [{
          "CharacterOffsets": {"BeginOffsetChar": 0, "EndOffsetChar": 22},
          "Id": "72cc8c8d"}]}]
      }]
    },
    "Sentiment": {
      "OverallSentiment": {
        "DetailsByInteraction": {"DetailsByParticipantRole": {"CUSTOMER": {"WithAgent": 0}}},
        "DetailsByParticipantRole": {"AGENT": 1.1538461538461537, "CUSTOMER": -2.5}
      }
    }
  },
  "CustomerMetadata": {
    "ContactId": "b49644f6-672f-445c-b209-f76b36482830",
    "InputS3Uri": "path to the json file in s3",
    "InstanceId": "f23fc323-3d6d-48aa-95dc-EXAMPLE012"
  },
  "JobStatus": "COMPLETED",
  "LanguageCode": "en-US",
  "Participants": [],
  "Transcript": [
    {"AbsoluteTime": "2022-10-27T03:32:08.102Z",
     "Content": "Hi! I’d like a refund for my herb kit, please.",
     "Id": "bcc51949", "ParticipantRole": "CUSTOMER", "Type": "MESSAGE"},
    {"AbsoluteTime": "2022-10-27T03:34:12.562Z",
     "Content": "We are refunding the kit and sending a new one.",
     "Id": "72cc8c8d", "ParticipantRole": "AGENT", "Type": "MESSAGE"}
  ],
  "Version": "CHAT-2022-11-30"
})";

std::string Attribute(const v1::Event& event, const std::string& key) {
  auto it = event.attributes().find(key);
  if (it == event.attributes().end()) return "<absent>";
  if (it->second.has_number_value()) {
    return absl::StrCat(it->second.number_value());
  }
  if (it->second.has_bool_value()) {
    return it->second.bool_value() ? "true" : "false";
  }
  return it->second.string_value();
}

ImportOptions WithSourceName(absl::string_view name) {
  ImportOptions options;
  options.source_name = std::string(name);
  return options;
}

TEST(ContactLensTest, VoiceSampleWithItsFileName) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, std::string(kVoiceSample));
  auto result =
      Import(Platform::kContactLens, sample, 0, WithSourceName(kVoiceKey));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_TRUE(result.records[0].event.ok()) << result.records[0].event.status();
  const v1::Event& event = *result.records[0].event;
  EXPECT_EQ(event.event_id(),
            "connect:11111111-1111-1111-1111-111111111111:contact-lens");
  EXPECT_EQ(event.interaction_id(),
            "connect:11111111-1111-1111-1111-111111111111");
  EXPECT_TRUE(event.enrichment());
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_EQ(event.identifiers_size(), 0);
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.channel(), v1::VOICE);
  EXPECT_EQ(event.occurred_at().seconds(), 1628098500);  // 17:35:00Z
  EXPECT_EQ(event.updated_at().seconds(), 1628098500);
  EXPECT_THAT(event.sentiment(), DoubleNear(3.1 / 5, 1e-12));
  EXPECT_EQ(event.duration_ms(), 32110);
  EXPECT_EQ(event.topic(),
            "I need to cancel. I want to cancel my plan subscription");
  EXPECT_EQ(Attribute(event, "issues"),
            "I need to cancel. I want to cancel my plan subscription");
  EXPECT_EQ(Attribute(event, "outcomes"),
            "I made all the changes to the account and now these discounts "
            "applied");
  EXPECT_THAT(Attribute(event, "action_items"),
              HasSubstr("I will send you all the details later today"));
  EXPECT_EQ(Attribute(event, "agent_sentiment"), "0");
  EXPECT_EQ(Attribute(event, "interruptions"), "0");
  EXPECT_EQ(Attribute(event, "talk_time_ms"), "28698");
  EXPECT_EQ(Attribute(event, "non_talk_time_ms"), "0");
  EXPECT_EQ(Attribute(event, "language"), "en-US");
  EXPECT_EQ(Attribute(event, "categories"), "<absent>");  // none matched
}

TEST(ContactLensTest, VoiceSampleWithoutItsFileNameIsRejected) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, std::string(kVoiceSample));
  auto result = Import(Platform::kContactLens, sample);
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_FALSE(result.records[0].event.ok());
  const absl::Status& status = result.records[0].event.status();
  EXPECT_EQ(base::ErrorField(status), "CustomerMetadata.ContactId");
  EXPECT_THAT(base::ErrorReason(status), HasSubstr("names the contact"));

  // A name holding "_analysis_" but no time is not Connect's: it names no
  // contact (the shared sample's own file name is one).
  result =
      Import(Platform::kContactLens, sample, 0, WithSourceName(kVoiceSample));
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_FALSE(result.records[0].event.ok());
  EXPECT_EQ(base::ErrorField(result.records[0].event.status()),
            "CustomerMetadata.ContactId");

  // A ContactId field serves, but a call analysis still has no time.
  std::string with_id = absl::StrCat(R"({"ContactId": "c-9",)",
                                     sample.substr(sample.find('{') + 1));
  result = Import(Platform::kContactLens, with_id);
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_FALSE(result.records[0].event.ok());
  EXPECT_EQ(base::ErrorField(result.records[0].event.status()), "");
  EXPECT_THAT(base::ErrorReason(result.records[0].event.status()),
              HasSubstr("no time"));
}

TEST(ContactLensTest, RedactedFileNameNamesTheSameContactAndTime) {
  MOTIVE_SHARED_FILE_OR_SKIP(sample, std::string(kVoiceSample));
  auto result = Import(
      Platform::kContactLens, sample, 0,
      WithSourceName("Analysis/Voice/Redacted/2021/08/04/"
                     "11111111-1111-1111-1111-111111111111_analysis_redacted_"
                     "2021-08-04T17:35:00Z.json"));
  const auto events = result.Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event_id(),
            "connect:11111111-1111-1111-1111-111111111111:contact-lens");
  EXPECT_EQ(events[0].occurred_at().seconds(), 1628098500);
}

TEST(ContactLensTest, ChatAnalysis) {
  auto result = Import(Platform::kContactLens, std::string(kChat));
  ASSERT_EQ(result.records.size(), 1u);
  ASSERT_TRUE(result.records[0].event.ok()) << result.records[0].event.status();
  const v1::Event& event = *result.records[0].event;
  EXPECT_EQ(event.interaction_id(),
            "connect:b49644f6-672f-445c-b209-f76b36482830");
  EXPECT_TRUE(event.enrichment());
  EXPECT_EQ(event.channel(), v1::CHAT);
  // The first transcript time, as the chat analysis has no file name here.
  EXPECT_EQ(event.occurred_at().seconds(), 1666841528);
  EXPECT_EQ(event.occurred_at().nanos(), 102000000);
  EXPECT_DOUBLE_EQ(event.sentiment(), -0.5);
  EXPECT_THAT(event.attributes().at("agent_sentiment").number_value(),
              DoubleNear(1.1538461538461537 / 5, 1e-12));
  // Character offsets count characters: the ’ is three bytes.
  EXPECT_EQ(event.topic(), "I’d like a refund for my");
  EXPECT_EQ(Attribute(event, "outcomes"), "We are refunding the k");
  EXPECT_EQ(Attribute(event, "action_items"), "<absent>");
  EXPECT_EQ(Attribute(event, "categories"), "agent-intro, refund");
  EXPECT_EQ(Attribute(event, "category.refund"), "true");
  EXPECT_FALSE(event.has_duration_ms());
  const absl::Time now = absl::FromUnixSeconds(1767225600);
  EXPECT_TRUE(model::ValidateEvent(event, now).ok())
      << model::ValidateEvent(event, now);
}

TEST(ContactLensTest, SentimentIsClamped) {
  std::string chat(kChat);
  absl::StrReplaceAll({{R"("CUSTOMER": -2.5)", R"("CUSTOMER": -7)"}}, &chat);
  const auto events = Import(Platform::kContactLens, chat).Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sentiment(), -1);
}

TEST(ContactLensTest, BadRecordsNameTheFieldAndTheReason) {
  struct Case {
    std::string from, to, field, reason;
  } cases[] = {
      {R"("JobStatus": "COMPLETED")", R"("JobStatus": "FAILED")", "JobStatus",
       "must be COMPLETED"},
      {R"("CUSTOMER": -2.5)", R"("CUSTOMER": "sad")",
       "ConversationCharacteristics.Sentiment.OverallSentiment."
       "DetailsByParticipantRole.CUSTOMER",
       "must be a number, got \"sad\""},
      {R"("BeginOffsetChar": 4)", R"("BeginOffsetChar": "four")",
       "ConversationCharacteristics.ContactSummary.SummaryItemsDetected[0]."
       "IssuesDetected[0].TranscriptItems[0].CharacterOffsets."
       "BeginOffsetChar",
       "must be a whole number"},
      {R"("AbsoluteTime": "2022-10-27T03:32:08.102Z")",
       R"("AbsoluteTime": "27/10/2022")", "Transcript[0].AbsoluteTime",
       "must be a timestamp"},
      {R"("MatchedCategories": ["agent-intro", "refund"])",
       R"("MatchedCategories": ["agent-intro", 7])",
       "Categories.MatchedCategories[1]", "must be a string, got a number"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    std::string chat(kChat);
    ASSERT_THAT(chat, HasSubstr(c.from));
    absl::StrReplaceAll({{c.from, c.to}}, &chat);
    auto result = Import(Platform::kContactLens, chat);
    ASSERT_EQ(result.records.size(), 1u);
    ASSERT_FALSE(result.records[0].event.ok());
    EXPECT_EQ(base::ErrorField(result.records[0].event.status()), c.field);
    EXPECT_THAT(base::ErrorReason(result.records[0].event.status()),
                HasSubstr(c.reason));
  }
}

}  // namespace
}  // namespace motive::ingest
