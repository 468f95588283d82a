// Erasure of one customer through the engine: afterwards the engine, the
// database and the snapshot are what recording everybody else's events
// alone would have made, no file holds a byte of theirs, and the engine
// keeps serving the others meanwhile.

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::ExpectSameSummary;
using ::motive::testing::ReadFile;
using ::testing::HasSubstr;

constexpr int64_t kDayUs = 86400LL * 1000000;
const absl::Time kNow = absl::FromUnixSeconds(1767225600);
const int64_t kNowUs = absl::ToUnixMicros(kNow);
constexpr char kConfig[] = R"(
  recent_events: 3
  metrics { name: "plans" aggregation: DISTINCT_COUNT field: "attributes.plan"
            window: "90d" }
)";

EngineOptions Options() {
  EngineOptions options;
  options.clock = [] { return kNow; };
  options.context_config_text = kConfig;
  return options;
}

std::unique_ptr<Engine> Open(const std::string& path,
                             EngineOptions options = Options()) {
  auto engine = Engine::Open(path, std::move(options));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

// Contacts, purchases and feedback of five customers over 60 days; the
// victim, "zebulon", has a plan, a topic and an action nobody else has, and
// feedback on a shared action too.
std::vector<v1::Event> Events() {
  std::vector<v1::Event> events;
  for (int i = 0; i < 300; ++i) {
    const bool victim = i % 5 == 0;
    v1::Event e;
    e.set_customer_id(victim ? "zebulon" : absl::StrCat("c", i % 5));
    *e.mutable_occurred_at() =
        model::FromUnixMicros(kNowUs - (300 - i) * kDayUs / 5);
    switch (i % 3) {
      case 0:
        e.set_type("contact");
        e.set_channel(v1::VOICE);
        e.set_topic(victim ? "zebulon-topic" : "billing");
        e.set_outcome(i % 2 ? v1::UNRESOLVED : v1::RESOLVED);
        break;
      case 1:
        e.set_type("purchase");
        e.set_value(10 + i);
        (*e.mutable_attributes())["plan"].set_string_value(
            victim ? "zebulon-plan" : "basic");
        break;
      default: {
        e.set_type("decision_feedback");
        e.set_channel(v1::VOICE);
        auto& attributes = *e.mutable_attributes();
        attributes["decision_id"].set_string_value(absl::StrCat("d", i));
        attributes["action"].set_string_value(victim && i % 2 ? "zebulon-action"
                                                              : "upgrade");
        attributes["outcome"].set_string_value(i % 4 ? "accepted" : "rejected");
        break;
      }
    }
    events.push_back(std::move(e));
  }
  return events;
}

void Record(Engine& engine, const std::vector<v1::Event>& events,
            bool with_victim) {
  for (const v1::Event& e : events) {
    if (!with_victim && e.customer_id() == "zebulon") continue;
    absl::StatusOr<bool> stored = engine.Record(e);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }
}

// Every customer answers the same in both engines, and the states hold as
// much (not the same bytes: containers' capacities follow their history).
void ExpectSameEngines(Engine& a, Engine& b) {
  for (const char* id : {"c1", "c2", "c3", "c4", "zebulon"}) {
    state::Summary x, y;
    ASSERT_TRUE(a.Summarize(id, kNowUs, &x).ok());
    ASSERT_TRUE(b.Summarize(id, kNowUs, &y).ok());
    ExpectSameSummary(x, y, id);
    v1::Context cx, cy;
    ASSERT_TRUE(a.Describe(id, kNowUs, &cx).ok());
    ASSERT_TRUE(b.Describe(id, kNowUs, &cy).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(cx, cy)) << id;
  }
  const state::StoreStats sa = a.StateStats();
  const state::StoreStats sb = b.StateStats();
  EXPECT_EQ(sa.customers, sb.customers);
  EXPECT_EQ(sa.metric_samples, sb.metric_samples);
  EXPECT_EQ(sa.responses, sb.responses);
}

TEST(EngineEraseTest, AfterwardsAllIsAsIfTheyHadNeverBeenRecorded) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  const std::vector<v1::Event> events = Events();
  auto without = Open(":memory:");
  Record(*without, events, /*with_victim=*/false);

  auto engine = Open(path);
  Record(*engine, events, /*with_victim=*/true);
  ASSERT_TRUE(engine->WriteSnapshot().ok());
  const std::string files = ReadFile(path) + ReadFile(path + "-wal");
  ASSERT_NE(files.find("zebulon-plan"), std::string::npos);
  ASSERT_NE(ReadFile(path + "-snapshot").find("zebulon"), std::string::npos);

  absl::StatusOr<uint64_t> erased = engine->EraseCustomer("zebulon");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 60u);
  ExpectSameEngines(*engine, *without);
  EXPECT_TRUE(engine->Timeline("zebulon", {})->empty());
  for (const std::string& file : {path, path + "-wal", path + "-snapshot"}) {
    EXPECT_EQ(ReadFile(file).find("zebulon"), std::string::npos) << file;
  }
  EXPECT_EQ(*engine->EraseCustomer("zebulon"), 0u);

  // Reopened, from the snapshot rewritten without them and by replay.
  engine.reset();
  auto reopened = Open(path);
  EXPECT_TRUE(reopened->open_report().from_snapshot)
      << reopened->open_report().snapshot_note;
  EXPECT_EQ(reopened->open_report().events_replayed, 0u);
  ExpectSameEngines(*reopened, *without);
  EngineOptions replay = Options();
  replay.snapshot_path = "-";
  reopened.reset();
  ExpectSameEngines(*Open(path, replay), *without);
}

TEST(EngineEraseTest, WithoutASnapshotNoneIsWritten) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  auto engine = Open(path);
  Record(*engine, Events(), /*with_victim=*/true);
  EXPECT_EQ(*engine->EraseCustomer("c1"), 60u);
  EXPECT_FALSE(std::filesystem::exists(path + "-snapshot"));
}

TEST(EngineEraseTest, AnEmptyIdOrAReadOnlyEngineIsRefused) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  {
    auto engine = Open(path);
    Record(*engine, Events(), /*with_victim=*/true);
    EXPECT_TRUE(absl::IsInvalidArgument(engine->EraseCustomer("").status()));
  }
  EngineOptions read_only = Options();
  read_only.log.read_only = true;
  auto reader = Open(path, read_only);
  absl::StatusOr<uint64_t> refused = reader->EraseCustomer("zebulon");
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("read-only"));
  EXPECT_EQ(reader->Timeline("zebulon", {})->size(), 60u);
}

TEST(EngineEraseTest, OnALockedDatabaseNothingIsErased) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  auto engine = Open(path);
  Record(*engine, Events(), /*with_victim=*/true);
  ASSERT_TRUE(engine->WriteSnapshot().ok());
  // Another program holds the write lock past the busy timeout.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  absl::StatusOr<uint64_t> erased = engine->EraseCustomer("zebulon");
  EXPECT_TRUE(absl::IsUnavailable(erased.status())) << erased.status();
  sqlite3_exec(writer, "ROLLBACK;", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  state::Summary summary;
  ASSERT_TRUE(engine->Summarize("zebulon", kNowUs, &summary).ok());
  EXPECT_EQ(summary.events, 60u);
  EXPECT_NE(ReadFile(path + "-snapshot").find("zebulon"), std::string::npos);
  // Whole again: the erasure, retried, is complete.
  EXPECT_EQ(*engine->EraseCustomer("zebulon"), 60u);
  engine.reset();
  EXPECT_EQ(Open(path)->Timeline("zebulon", {})->size(), 0u);
}

TEST(EngineEraseTest, AReaderKeepingTheWalDelaysOnlyItsTruncation) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  auto engine = Open(path);
  Record(*engine, Events(), /*with_victim=*/true);
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  absl::StatusOr<uint64_t> erased = engine->EraseCustomer("zebulon");
  EXPECT_TRUE(absl::IsUnavailable(erased.status())) << erased.status();
  // Erased all the same, from the log and the state.
  state::Summary summary;
  ASSERT_TRUE(engine->Summarize("zebulon", kNowUs, &summary).ok());
  EXPECT_EQ(summary.known, 0);
  EXPECT_TRUE(engine->Timeline("zebulon", {})->empty());
  sqlite3_exec(reader, "COMMIT;", nullptr, nullptr, nullptr);
  sqlite3_close(reader);
  EXPECT_EQ(*engine->EraseCustomer("zebulon"), 0u);
  EXPECT_EQ(ReadFile(path + "-wal").find("zebulon"), std::string::npos);
  EXPECT_EQ(ReadFile(path).find("zebulon"), std::string::npos);
}

// Erasure waits for no query, and queries and ingest of other customers go
// on while it runs (TSan checks the locking).
TEST(EngineEraseTest, OthersAreServedWhileACustomerIsErased) {
  motive::testing::TempDir dir;
  auto engine = Open(dir.File("log.db"));
  const std::vector<v1::Event> events = Events();
  Record(*engine, events, /*with_victim=*/false);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      state::Summary summary;
      ASSERT_TRUE(engine->Summarize("c1", kNowUs, &summary).ok());
      ASSERT_EQ(summary.events, 60u);
    }
  });
  std::thread writer([&] {
    for (int i = 0; i < 200 && !done.load(); ++i) {
      v1::Event e = events[1];
      e.set_customer_id("c9");
      e.set_event_id(absl::StrCat("w", i));
      ASSERT_TRUE(engine->Record(e).ok());
    }
  });
  for (int round = 0; round < 20; ++round) {
    v1::Event e = events[round];
    e.set_customer_id("zebulon");
    e.clear_event_id();
    ASSERT_TRUE(engine->Record(e).ok());
    absl::StatusOr<uint64_t> erased = engine->EraseCustomer("zebulon");
    ASSERT_TRUE(erased.ok()) << erased.status();
    EXPECT_EQ(*erased, 1u);
  }
  done = true;
  reader.join();
  writer.join();
  state::Summary summary;
  ASSERT_TRUE(engine->Summarize("zebulon", kNowUs, &summary).ok());
  EXPECT_EQ(summary.known, 0);
}

// Retention: the events that occurred more than 30 days before now leave
// (the 150 of the first 30 days; the one exactly 30 days old stays), and
// the engine, its snapshot and a reopen are what recording only the others
// would have made, what the leaving feedback taught included.
TEST(EngineEraseTest, RetentionKeepsWhatIsRecentAsIfTheRestHadNeverBeen) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  const std::vector<v1::Event> events = Events();
  const int64_t cutoff_us = kNowUs - 30 * kDayUs;
  ASSERT_EQ(model::ToUnixMicros(events[150].occurred_at()), cutoff_us);
  auto recent = Open(":memory:");
  Record(*recent, {events.begin() + 150, events.end()}, /*with_victim=*/true);

  EngineOptions options = Options();
  options.retention = absl::Hours(24 * 30);
  auto engine = Open(path, options);
  Record(*engine, events, /*with_victim=*/true);
  ASSERT_TRUE(engine->WriteSnapshot().ok());
  absl::StatusOr<uint64_t> removed = engine->ApplyRetention();
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 150u);
  ExpectSameEngines(*engine, *recent);
  const std::vector<v1::Event> kept = *engine->Timeline("c1", {});
  ASSERT_FALSE(kept.empty());
  for (const v1::Event& e : kept) {
    EXPECT_GE(model::ToUnixMicros(e.occurred_at()), cutoff_us);
  }
  EXPECT_EQ(*engine->ApplyRetention(), 0u);

  engine.reset();
  auto reopened = Open(path, options);
  EXPECT_TRUE(reopened->open_report().from_snapshot)
      << reopened->open_report().snapshot_note;
  EXPECT_EQ(reopened->open_report().events_replayed, 0u);
  ExpectSameEngines(*reopened, *recent);
  reopened.reset();
  EngineOptions replay = options;
  replay.snapshot_path = "-";
  ExpectSameEngines(*Open(path, replay), *recent);
}

// The snapshot keeps the identity graph: what erasure or retention took away
// must not come back with it.
TEST(EngineEraseTest, ForgottenIdentifiersStayForgottenAfterReopening) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  EngineOptions options = Options();
  options.retention = absl::Hours(24 * 30);
  auto contact = [](const char* customer, int64_t days_ago, const char* ns,
                    const char* value) {
    v1::Event e;
    e.set_customer_id(customer);
    *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - days_ago * kDayUs);
    e.set_type("contact");
    e.set_channel(v1::VOICE);
    v1::Identifier* id = e.add_identifiers();
    id->set_namespace_(ns);
    id->set_value(value);
    return e;
  };
  {
    auto engine = Open(path, options);
    for (const v1::Event& e :
         {contact("erased", 1, "email", "gone@example.com"),
          contact("old", 40, "email", "old@example.com"),
          contact("old", 1, "phone", "+14155550100")}) {
      ASSERT_TRUE(engine->Record(e).ok());
    }
    ASSERT_TRUE(engine->WriteSnapshot().ok());
    ASSERT_TRUE(engine->EraseCustomer("erased").ok());
  }
  {
    // Erasure wrote the snapshot again, without the erased profile.
    auto reopened = Open(path, options);
    EXPECT_TRUE(reopened->open_report().from_snapshot);
    EXPECT_TRUE(absl::IsNotFound(
        reopened->Resolve("email", "gone@example.com").status()));
    EXPECT_EQ(*reopened->Resolve("email", "old@example.com"), "old");
    ASSERT_EQ(*reopened->ApplyRetention(), 1u);
  }
  // Retention left no snapshot: the graph is rebuilt from the log, without
  // the identifier only the expired event carried.
  auto reopened = Open(path, options);
  EXPECT_FALSE(reopened->open_report().from_snapshot);
  EXPECT_TRUE(absl::IsNotFound(
      reopened->Resolve("email", "old@example.com").status()));
  EXPECT_EQ(*reopened->Resolve("phone", "+14155550100"), "old");
}

TEST(EngineEraseTest, RetentionNeedsAPeriodAndAWritableEngine) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  {
    auto engine = Open(path);
    Record(*engine, Events(), /*with_victim=*/true);
    absl::StatusOr<uint64_t> refused = engine->ApplyRetention();
    EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
    EXPECT_THAT(std::string(refused.status().message()),
                HasSubstr("retention_days"));
  }
  EngineOptions read_only = Options();
  read_only.log.read_only = true;
  read_only.retention = absl::Hours(24);
  EXPECT_TRUE(absl::IsInvalidArgument(
      Open(path, read_only)->ApplyRetention().status()));
}

}  // namespace
}  // namespace motive::engine
