#include "engine/engine.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"

namespace motive::engine {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

const absl::Time kNow = absl::FromUnixSeconds(1750000000);

std::unique_ptr<Engine> OpenMemory(EngineOptions options = {}) {
  if (!options.clock) options.clock = [] { return kNow; };
  auto engine = Engine::Open(":memory:", std::move(options));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

v1::Event Parse(const std::string& json) {
  v1::Event event;
  absl::Status s = model::Decode(model::WireFormat::kJson, json, &event);
  EXPECT_TRUE(s.ok()) << s;
  return event;
}

std::string Line(const std::string& customer, const std::string& day,
                 const std::string& extra = "") {
  return absl::StrCat(R"({"customer_id":")", customer,
                      R"(","type":"contact","channel":"chat","occurred_at":"2025-01-)",
                      day, R"(T10:00:00Z")", extra, "}\n");
}

// A reader over `text`, handed out `chunk` bytes at a time.
model::RecordReader ReaderOver(const std::string& text, model::InputFormat format,
                               size_t chunk = 7) {
  auto pos = std::make_shared<size_t>(0);
  return model::RecordReader(
      format, [&text, pos, chunk]() -> absl::StatusOr<absl::string_view> {
        absl::string_view rest = absl::string_view(text).substr(*pos, chunk);
        *pos += rest.size();
        return rest;
      });
}

TEST(EngineTest, RecordUsesTheInjectedClock) {
  auto engine = OpenMemory();
  auto stored = engine->Record(Parse(Line("c1", "05")));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(*stored);
  auto timeline = engine->Timeline("c1", {});
  ASSERT_EQ(timeline->size(), 1u);
  EXPECT_EQ((*timeline)[0].recorded_at().seconds(), 1750000000);
  EXPECT_EQ((*timeline)[0].moment(), v1::INTERIM);
}

TEST(EngineTest, SameEventWithoutIdIsStoredOnce) {
  auto engine = OpenMemory();
  EXPECT_TRUE(*engine->Record(Parse(Line("c1", "05"))));
  EXPECT_FALSE(*engine->Record(Parse(Line("c1", "05"))));
  EXPECT_TRUE(*engine->Record(Parse(Line("c1", "06"))));
  EXPECT_EQ(engine->Timeline("c1", {})->size(), 2u);
}

TEST(EngineTest, InvalidEventIsRejectedAndNothingStored) {
  auto engine = OpenMemory();
  auto stored = engine->Record(Parse(Line("c1", "05", R"(,"csat":9)")));
  EXPECT_TRUE(absl::IsInvalidArgument(stored.status()));
  EXPECT_EQ(base::ErrorField(stored.status()), "csat");
  EXPECT_TRUE(engine->Timeline("c1", {})->empty());
}

TEST(EngineTest, CustomJourneyMapApplies) {
  EngineOptions options;
  options.journey_map_text = R"pb(rules { channel: CHAT moment: ZERO })pb";
  auto engine = OpenMemory(std::move(options));
  ASSERT_TRUE(engine->Record(Parse(Line("c1", "05"))).ok());
  EXPECT_EQ((*engine->Timeline("c1", {}))[0].moment(), v1::ZERO);
}

TEST(EngineTest, BadJourneyMapFailsOpen) {
  EngineOptions options;
  options.journey_map_text = "rules {";
  auto engine = Engine::Open(":memory:", std::move(options));
  EXPECT_TRUE(base::IsParseError(engine.status())) << engine.status();
}

TEST(EngineTest, IngestReportsEachRejectionAndStoresTheRest) {
  auto engine = OpenMemory();
  std::string text = Line("c1", "01") + "not json\n" + Line("c1", "02") +
                     Line("c1", "03", R"(,"sentiment":-2)") + Line("c1", "01") +
                     "\n" + Line("", "04");
  auto reader = ReaderOver(text, model::InputFormat::kJsonl);
  std::vector<std::pair<uint64_t, std::string>> rejected;
  IngestOptions options;
  options.batch_size = 2;  // several batches, one straddling a rejection
  options.on_reject = [&](uint64_t record, const std::string& field,
                          const std::string& reason) {
    EXPECT_FALSE(reason.empty());
    rejected.emplace_back(record, field);
  };
  IngestCounts counts;
  ASSERT_TRUE(engine->Ingest(reader, options, &counts).ok());
  EXPECT_EQ(counts.accepted, 2u);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.rejected, 3u);
  EXPECT_THAT(rejected, ElementsAre(Pair(2, ""), Pair(4, "sentiment"),
                                    Pair(7, "customer_id")));
  EXPECT_EQ(engine->Timeline("c1", {})->size(), 2u);
}

TEST(EngineTest, ProgressCanCancelBetweenBatches) {
  auto engine = OpenMemory();
  std::string text;
  for (int day = 1; day <= 9; ++day) text += Line("c1", absl::StrCat("0", day));
  auto reader = ReaderOver(text, model::InputFormat::kJsonl, 1 << 20);
  IngestOptions options;
  options.batch_size = 4;
  std::vector<uint64_t> progress;
  options.on_progress = [&](uint64_t bytes) {
    progress.push_back(bytes);
    return progress.size() < 2;
  };
  IngestCounts counts;
  EXPECT_TRUE(absl::IsCancelled(engine->Ingest(reader, options, &counts)));
  EXPECT_EQ(counts.accepted, 8u);  // two whole batches, nothing partial
  EXPECT_EQ(engine->Timeline("c1", {})->size(), 8u);
}

TEST(EngineTest, ProgressComesEvenWhenEverythingIsRejected) {
  auto engine = OpenMemory();
  std::string text;
  for (int i = 0; i < 10; ++i) text += "{broken\n";
  auto reader = ReaderOver(text, model::InputFormat::kJsonl);
  IngestOptions options;
  options.batch_size = 3;
  int calls = 0;
  options.on_progress = [&](uint64_t) { return ++calls < 100; };
  IngestCounts counts;
  ASSERT_TRUE(engine->Ingest(reader, options, &counts).ok());
  EXPECT_EQ(counts.rejected, 10u);
  EXPECT_EQ(calls, 4);  // after records 3, 6 and 9, and at the end
}

TEST(EngineTest, FailingSourceKeepsWhatWasReadBefore) {
  auto engine = OpenMemory();
  std::string first = Line("c1", "01") + Line("c1", "02");
  int calls = 0;
  model::RecordReader reader(
      model::InputFormat::kJsonl,
      [&]() -> absl::StatusOr<absl::string_view> {
        if (calls++ == 0) return absl::string_view(first);
        return base::IoError("disk went away");
      });
  IngestCounts counts;
  absl::Status s = engine->Ingest(reader, {}, &counts);
  EXPECT_EQ(base::KindOf(s), base::ErrorKind::kIo) << s;
  EXPECT_EQ(counts.accepted, 2u);
  EXPECT_EQ(engine->Timeline("c1", {})->size(), 2u);
}

TEST(EngineTest, TimelineNeedsACustomer) {
  auto engine = OpenMemory();
  auto timeline = engine->Timeline("", {});
  EXPECT_EQ(base::ErrorField(timeline.status()), "customer_id");
}

}  // namespace
}  // namespace motive::engine
