// The Connect importers through the engine: a contact's record, its update,
// its live steps and its Contact Lens analysis, in any order, come out as one
// contact on the customer's timeline, found by the phone number.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/importer.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::ChunkSource;
using ::testing::DoubleNear;
using ::testing::SizeIs;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01

std::string Ctr(absl::string_view updated, absl::string_view extra) {
  return absl::StrCat(
      R"({"ContactId": "c-1", "Channel": "VOICE",
          "InitiationTimestamp": "2024-05-01T10:00:00Z",
          "DisconnectTimestamp": "2024-05-01T10:10:00Z",
          "LastUpdateTimestamp": ")",
      updated, R"(",
          "CustomerEndpoint": {"Address": "+14155550100", "Type": "TELEPHONE_NUMBER"},
          "Agent": {"Username": "jdoe", "CustomerHoldDuration": 30},
          "Queue": {"Name": "Billing"},
          "Attributes": {)",
      extra, "}}\n");
}

engine::IngestCounts Ingest(engine::Engine& engine, Platform platform,
                            const std::string& input,
                            const ImportOptions& options = ImportOptions()) {
  auto source = NewImporter(platform, ChunkSource(input, 7), options);
  engine::IngestOptions ingest;
  std::vector<std::string> rejected;
  ingest.on_reject = [&](uint64_t record, const std::string& field,
                         const std::string& reason) {
    rejected.push_back(absl::StrCat(record, " ", field, ": ", reason));
  };
  engine::IngestCounts counts;
  EXPECT_TRUE(engine.Ingest(*source, ingest, &counts).ok());
  EXPECT_THAT(rejected, SizeIs(0)) << rejected[0];
  return counts;
}

TEST(ConnectEngineTest, OneContactFromEveryRecordAboutIt) {
  engine::EngineOptions options;
  options.clock = [] { return kNow; };
  auto opened = engine::Engine::Open(":memory:", std::move(options));
  ASSERT_TRUE(opened.ok()) << opened.status();
  engine::Engine& engine = **opened;

  // The analysis first: an enrichment waits for its contact.
  // It is held: neither an update nor a customer of its own.
  ImportOptions lens_options;
  lens_options.source_name = "c-1_analysis_2024-05-01T10:20:00Z.json";
  const engine::IngestCounts lens =
      Ingest(engine, Platform::kContactLens,
             R"({"Version": "VOICE-2022-11-30", "Channel": "VOICE",
                 "JobStatus": "COMPLETED",
                 "ConversationCharacteristics": {
                   "Sentiment": {"OverallSentiment": {"CUSTOMER": -4}}},
                 "Categories": {"MatchedCategories": ["Cancellation"]}})",
             lens_options);
  EXPECT_EQ(lens.accepted, 1u);
  EXPECT_EQ(lens.updated, 0u);
  EXPECT_EQ(lens.profiles_created, 0u);
  // The record, delivered twice, then updated.
  const engine::IngestCounts records = Ingest(
      engine, Platform::kAuto,
      absl::StrCat(Ctr("2024-05-01T10:11:00Z", R"("tier": "gold")"),
                   Ctr("2024-05-01T10:11:00Z", R"("tier": "gold")"),
                   Ctr("2024-05-01T11:00:00Z", R"("tier": "platinum")")));
  EXPECT_EQ(records.accepted, 2u);
  EXPECT_EQ(records.duplicates, 1u);
  // The first version is no update of the held analysis; the second is.
  EXPECT_EQ(records.updated, 1u);
  EXPECT_EQ(records.profiles_created, 1u);
  EXPECT_EQ(Ingest(engine, Platform::kConnectContactEvent,
                   R"({"contactId": "c-1", "eventType": "CONNECTED_TO_AGENT",
                       "initiationTimestamp": "2024-05-01T10:00:00Z",
                       "agentInfo": {"connectedToAgentTimestamp": "2024-05-01T10:02:00Z"},
                       "queueInfo": {"enqueueTimestamp": "2024-05-01T10:00:30Z"}})")
                .accepted,
            1u);

  auto customer = engine.Resolve("phone", "+14155550100");
  ASSERT_TRUE(customer.ok()) << customer.status();
  auto timeline = engine.Timeline(*customer, store::TimeRange());
  ASSERT_TRUE(timeline.ok()) << timeline.status();
  ASSERT_THAT(*timeline, SizeIs(1));
  const v1::Event& contact = (*timeline)[0];
  EXPECT_EQ(contact.interaction_id(), "connect:c-1");
  EXPECT_EQ(contact.event_id(), "connect:c-1@2024-05-01T11:00:00Z");
  EXPECT_EQ(contact.type(), "contact");
  EXPECT_EQ(contact.agent_id(), "jdoe");
  EXPECT_EQ(contact.duration_ms(), 600000);
  EXPECT_EQ(contact.attributes().at("connect.tier").string_value(), "platinum");
  // Laid over it: the analysis and the live step.
  EXPECT_THAT(contact.sentiment(), DoubleNear(-0.8, 1e-12));
  EXPECT_TRUE(contact.attributes().at("category.Cancellation").bool_value());
  EXPECT_EQ(contact.attributes().at("queue_wait_ms").number_value(), 90000);
}

}  // namespace
}  // namespace motive::ingest
