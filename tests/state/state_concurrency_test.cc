// Many threads ingest and query at once (run under ThreadSanitizer by
// `make tsan`): queries see whole events, never torn state, and what the
// threads built equals a single-threaded rebuild of the log they wrote.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

constexpr int64_t kDay = int64_t{86400} * 1000 * 1000;
const absl::Time kNow = absl::FromUnixSeconds(1748736000);
const int64_t kNowUs = absl::ToUnixMicros(kNow);
constexpr int kCustomers = 50;
constexpr int kWriters = 3;
constexpr int kEventsPerWriter = 400;

EngineOptions Options() {
  EngineOptions options;
  options.clock = [] { return kNow; };
  options.log.durability = store::Durability::kGroup;
  return options;
}

v1::Event EventOf(int writer, int i) {
  v1::Event event;
  event.set_customer_id("c" + std::to_string((writer * 7 + i) % kCustomers));
  event.set_event_id("w" + std::to_string(writer) + "-" + std::to_string(i));
  event.set_type(i % 5 == 0 ? "purchase" : "contact");
  event.set_channel(static_cast<v1::Channel>(1 + i % 4));
  event.set_topic("t" + std::to_string(i % 3));
  event.set_outcome(static_cast<v1::Outcome>(i % 7));
  event.set_sentiment((i % 21 - 10) / 10.0);
  if (i % 5 == 0) {
    event.set_value(10);
    event.set_currency("EUR");
  }
  // Out of order on purpose: times jump back and forth.
  *event.mutable_occurred_at() =
      model::FromUnixMicros(kNowUs - ((i * 7919) % 80) * kDay - writer);
  return event;
}

TEST(StateConcurrencyTest, IngestAndQueriesTogetherEqualARebuild) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<motive::testing::OwnedSummary> live;
  {
    auto opened = Engine::Open(path, Options());
    ASSERT_TRUE(opened.ok()) << opened.status();
    Engine& engine = **opened;
    std::atomic<bool> writing{true};
    std::atomic<int> writers_left{kWriters};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
      threads.emplace_back([&, w] {
        for (int i = 0; i < kEventsPerWriter; ++i) {
          EXPECT_TRUE(engine.Record(EventOf(w, i)).ok());
        }
        if (--writers_left == 0) writing = false;
      });
    }
    for (int r = 0; r < 3; ++r) {
      threads.emplace_back([&, r] {
        uint64_t queries = 0;
        while (writing || queries < 100) {
          const std::string id =
              "c" + std::to_string((queries + r) % kCustomers);
          state::Summary summary;
          ASSERT_TRUE(engine.Summarize(id, kNowUs, &summary).ok());
          // Whole events only: the 90-day count never exceeds the events.
          EXPECT_LE(summary.contacts[2].total, summary.events);
          if (queries % 16 == 0) {
            v1::Context context;
            ASSERT_TRUE(engine.Describe(id, kNowUs, &context).ok());
          }
          ++queries;
        }
      });
    }
    // A configuration change in the middle of it all.
    threads.emplace_back([&] {
      EXPECT_TRUE(engine.LoadContextConfig("signals { window_days: 60 }").ok());
    });
    for (std::thread& t : threads) t.join();
    for (int c = 0; c < kCustomers; ++c) {
      state::Summary summary;
      ASSERT_TRUE(
          engine.Summarize("c" + std::to_string(c), kNowUs, &summary).ok());
      live.emplace_back(summary);
    }
  }
  EngineOptions options = Options();
  options.snapshot_path = "-";
  options.context_config_text = "signals { window_days: 60 }";
  auto rebuilt = Engine::Open(path, options);
  ASSERT_TRUE(rebuilt.ok()) << rebuilt.status();
  uint64_t events = 0;
  for (int c = 0; c < kCustomers; ++c) {
    state::Summary summary;
    ASSERT_TRUE(
        (*rebuilt)->Summarize("c" + std::to_string(c), kNowUs, &summary).ok());
    motive::testing::ExpectSameSummary(live[c].get(), summary,
                                       "c" + std::to_string(c));
    events += summary.events;
  }
  EXPECT_EQ(events, uint64_t{kWriters} * kEventsPerWriter);
}

}  // namespace
}  // namespace motive::engine
