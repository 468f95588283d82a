// Many threads ingest and query at once (run under ThreadSanitizer by
// `make tsan`): queries see whole events, never torn state, and what the
// threads built equals a single-threaded rebuild of the log they wrote.

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "state/node_pool.h"
#include "state/snapshot.h"
#include "state/state_store.h"
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

// A snapshot large enough to load on several threads (runs of customers
// decoded at once into the store's shards, the next piece of the file read
// meanwhile) loads as the store it was taken of: every customer, each with
// its context.
TEST(StateConcurrencyTest, ASnapshotLoadsOnSeveralThreadsAsTheStoreItWas) {
  constexpr int kManyCustomers = 36000;
  state::StateStore original{state::StateConfig{}};
  for (int c = 0; c < kManyCustomers; ++c) {
    for (int i = 0; i < 1 + c % 3; ++i) {
      v1::Event event = EventOf(c % kWriters, i);
      event.set_customer_id("customer-" + std::to_string(c));
      event.set_event_id("e" + std::to_string(c) + "-" + std::to_string(i));
      original.Apply(event);
    }
  }
  motive::testing::TempDir dir;
  const std::string path = dir.File("state.snapshot");
  ASSERT_TRUE(state::WriteSnapshot(original, {}, 1, path).ok());
  // Larger than one 8 MiB piece of the reader's, and than 64 KiB a thread.
  ASSERT_GT(std::filesystem::file_size(path), 9u << 20)
      << "too small to load in several pieces";

  state::StateStore restored{state::StateConfig{}};
  ASSERT_TRUE(state::ReadSnapshot(path, 1, &restored).ok());
  EXPECT_EQ(restored.Stats().customers, uint64_t{kManyCustomers});
  for (int c = 0; c < kManyCustomers; ++c) {
    const std::string id = "customer-" + std::to_string(c);
    v1::Context expected, actual;
    ASSERT_EQ(original.Describe(id, kNowUs, &expected),
              state::StateStore::Found::kAnswered);
    ASSERT_EQ(restored.Describe(id, kNowUs, &actual),
              state::StateStore::Found::kAnswered)
        << id;
    EXPECT_EQ(expected.SerializeAsString(), actual.SerializeAsString()) << id;
  }
}

// The store's shards share one NodePool: cells taken and given back on
// several threads at once are never handed to two of them.
TEST(StateConcurrencyTest, ThreadsSharingANodePoolGetCellsOfTheirOwn) {
  state::NodePool pool(64);
  constexpr int kThreads = 4;
  constexpr int kRounds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&pool, t] {
      std::vector<uint64_t*> held;
      for (int i = 0; i < kRounds; ++i) {
        auto* cell = static_cast<uint64_t*>(pool.Allocate());
        const uint64_t mark = uint64_t(t) << 32 | uint32_t(i);
        cell[0] = cell[7] = mark;
        held.push_back(cell);
        // Give some back, so that the free list is shared too.
        if (i % 3 == 2) {
          for (uint64_t* c : held) {
            EXPECT_EQ(c[0], c[7]);
            EXPECT_EQ(c[0] >> 32, uint64_t(t));
            pool.Free(c);
          }
          held.clear();
        }
      }
      for (uint64_t* c : held) pool.Free(c);
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// Learning counters and responses read while feedback folds: every read sees
// whole counts, and the end equals what was applied.
TEST(StateConcurrencyTest, LearningReadsWhileFeedbackFolds) {
  state::StateStore store{state::StateConfig{}};
  const uint32_t actions[2] = {store.strings().Intern("upgrade"),
                               store.strings().Intern("apology")};
  constexpr int kFeedbackPerWriter = 2000;
  std::atomic<int> writers_left{2};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kFeedbackPerWriter; ++i) {
        v1::Event event;
        event.set_customer_id("c" + std::to_string(w * 100 + i % 20));
        event.set_type(std::string(state::kFeedbackEventType));
        auto& attributes = *event.mutable_attributes();
        attributes["decision_id"].set_string_value(std::to_string(i));
        attributes["action"].set_string_value(i % 2 ? "upgrade" : "apology");
        attributes["outcome"].set_string_value(i % 3 ? "offered" : "accepted");
        *event.mutable_occurred_at() =
            model::FromUnixMicros(kNowUs - (i % 50) * kDay);
        store.Apply(event);
      }
      --writers_left;
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      uint64_t last = 0;
      while (writers_left > 0) {
        state::ActionStats stats[2];
        store.Learned(actions, stats);
        const uint64_t total = stats[0].offered + stats[0].accepted +
                               stats[1].offered + stats[1].accepted;
        EXPECT_GE(total, last);  // Counters only grow.
        last = total;
        store.Visit("c5", kNowUs, [](const state::CustomerState& customer) {
          EXPECT_LE(customer.responses().size(), state::kMaxResponses);
        });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  state::ActionStats stats[2];
  store.Learned(actions, stats);
  uint64_t total = 0;
  for (const state::ActionStats& s : stats) total += s.offered + s.accepted;
  EXPECT_EQ(total, uint64_t{2} * kFeedbackPerWriter);
  EXPECT_EQ(store.Stats().responses, uint64_t{2} * kFeedbackPerWriter);
}

}  // namespace
}  // namespace motive::engine
