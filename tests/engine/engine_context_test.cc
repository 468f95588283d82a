// The customer context through the engine: the state follows the log (built
// incrementally, rebuilt on open, restored from a snapshot: the same
// answers), duplicates count once, and as-of queries replay the past.

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/errors.h"
#include "datagen/journey_generator.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"
#include "model/event_validation.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::ExpectSameSummary;
using ::testing::HasSubstr;

// After the generator's default window (the year 2025).
const absl::Time kNow = absl::FromUnixSeconds(1767225600 + 86400);
const int64_t kNowUs = absl::ToUnixMicros(kNow);

EngineOptions Options() {
  EngineOptions options;
  options.clock = [] { return kNow; };
  options.log.durability = store::Durability::kGroup;
  return options;
}

std::unique_ptr<Engine> Open(const std::string& path,
                             EngineOptions options = Options()) {
  auto engine = Engine::Open(path, std::move(options));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

// Generated journeys, one JSON line each, in a shuffled arrival order so
// that many events arrive late.
std::vector<v1::Event> Journeys(int customers, uint64_t seed) {
  datagen::GeneratorOptions options;
  options.customers = customers;
  options.seed = seed;
  datagen::JourneyGenerator generator(options);
  std::string jsonl;
  while (generator.NextCustomer(&jsonl)) {
  }
  std::vector<v1::Event> events;
  for (absl::string_view line :
       absl::StrSplit(jsonl, '\n', absl::SkipEmpty())) {
    v1::Event event;
    absl::Status s = model::Decode(model::WireFormat::kJson, line, &event);
    EXPECT_TRUE(s.ok()) << s;
    events.push_back(std::move(event));
  }
  std::mt19937_64 random(seed);
  // Shuffle within blocks: late by up to a few hundred events.
  for (size_t i = 0; i < events.size(); i += 200) {
    std::shuffle(events.begin() + i,
                 events.begin() + std::min(i + 200, events.size()), random);
  }
  return events;
}

std::vector<std::string> CustomerIds(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  for (const v1::Event& e : events) ids.push_back(e.customer_id());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

state::Summary SummaryOf(Engine& engine, const std::string& customer,
                         int64_t as_of_us = kNowUs) {
  state::Summary summary;
  absl::Status s = engine.Summarize(customer, as_of_us, &summary);
  EXPECT_TRUE(s.ok()) << s;
  return summary;
}

void RecordAll(Engine& engine, const std::vector<v1::Event>& events) {
  for (const v1::Event& e : events) {
    absl::StatusOr<bool> stored = engine.Record(e);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }
}

TEST(EngineContextTest, UnknownCustomerIsNotAnError) {
  auto engine = Open(":memory:");
  state::Summary summary = SummaryOf(*engine, "nobody");
  EXPECT_EQ(summary.known, 0);
  EXPECT_EQ(summary.as_of_us, kNowUs);
  v1::Context context;
  ASSERT_TRUE(engine->Describe("nobody", 0, &context).ok());
  EXPECT_FALSE(context.known());
  EXPECT_EQ(context.customer_id(), "nobody");
}

TEST(EngineContextTest, EmptyCustomerIdIsRejected) {
  auto engine = Open(":memory:");
  state::Summary summary;
  absl::Status s = engine->Summarize("", 0, &summary);
  EXPECT_EQ(base::ErrorField(s), "customer_id");
  v1::Context context;
  EXPECT_EQ(base::ErrorField(engine->Describe("", 0, &context)),
            "customer_id");
}

TEST(EngineContextTest, DuplicatesCountOnce) {
  auto engine = Open(":memory:");
  std::vector<v1::Event> events = Journeys(3, 5);
  RecordAll(*engine, events);
  std::vector<state::Summary> before;
  for (const std::string& id : CustomerIds(events)) {
    before.push_back(SummaryOf(*engine, id));
  }
  RecordAll(*engine, events);  // All again: every one a duplicate.
  std::vector<std::string> ids = CustomerIds(events);
  for (size_t i = 0; i < ids.size(); ++i) {
    ExpectSameSummary(SummaryOf(*engine, ids[i]), before[i], ids[i]);
  }
}

TEST(EngineContextTest, RebuildAndSnapshotEqualIncremental) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<v1::Event> events = Journeys(40, 11);
  std::vector<std::string> ids = CustomerIds(events);
  std::vector<motive::testing::OwnedSummary> incremental;
  std::vector<v1::Context> contexts;
  {
    auto engine = Open(path);
    // Half one at a time, half in one ingest, as callers mix them.
    const size_t half = events.size() / 2;
    RecordAll(*engine, {events.begin(), events.begin() + half});
    std::string tail;
    for (size_t i = half; i < events.size(); ++i) {
      std::string json;
      ASSERT_TRUE(
          model::Encode(model::WireFormat::kJson, events[i], &json).ok());
      tail += json + "\n";
    }
    model::RecordReader reader(model::InputFormat::kJsonl,
                               model::WholeBuffer(tail));
    IngestCounts counts;
    ASSERT_TRUE(engine->Ingest(reader, {}, &counts).ok());
    ASSERT_EQ(counts.rejected, 0u);
    for (const std::string& id : ids) {
      incremental.emplace_back(SummaryOf(*engine, id));
      ASSERT_TRUE(engine->Describe(id, kNowUs, &contexts.emplace_back()).ok());
    }
    ASSERT_TRUE(engine->WriteSnapshot().ok());
  }
  for (bool snapshot : {false, true}) {
    EngineOptions options = Options();
    if (!snapshot) options.snapshot_path = "-";
    auto engine = Open(path, options);
    EXPECT_EQ(engine->open_report().from_snapshot, snapshot);
    EXPECT_EQ(engine->open_report().events_replayed,
              snapshot ? 0u : events.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      ExpectSameSummary(SummaryOf(*engine, ids[i]), incremental[i].get(),
                        (snapshot ? "snapshot " : "rebuild ") + ids[i]);
      v1::Context context;
      ASSERT_TRUE(engine->Describe(ids[i], kNowUs, &context).ok());
      EXPECT_TRUE(MessageDifferencer::Equals(context, contexts[i]))
          << ids[i] << "\n"
          << context.DebugString() << "\nvs\n"
          << contexts[i].DebugString();
    }
  }
}

// Records the first `half` of `events` into the log at `path`, writes a
// snapshot, then records the rest.
void RecordAroundASnapshot(const std::string& path,
                           const std::vector<v1::Event>& events, size_t half) {
  auto engine = Open(path);
  RecordAll(*engine, {events.begin(), events.begin() + half});
  ASSERT_TRUE(engine->WriteSnapshot().ok());
  RecordAll(*engine, {events.begin() + half, events.end()});
}

TEST(EngineContextTest, SnapshotPlusTheLogAfterItEqualsReplay) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<v1::Event> events = Journeys(20, 3);
  const size_t half = events.size() / 2;
  RecordAroundASnapshot(path, events, half);
  auto from_snapshot = Open(path);
  EXPECT_TRUE(from_snapshot->open_report().from_snapshot);
  EXPECT_EQ(from_snapshot->open_report().events_replayed, events.size() - half);
  EngineOptions options = Options();
  options.snapshot_path = "-";
  options.log.read_only = true;  // beside the writer
  auto replayed = Open(path, options);
  for (const std::string& id : CustomerIds(events)) {
    ExpectSameSummary(SummaryOf(*from_snapshot, id), SummaryOf(*replayed, id),
                      id);
  }
}

// Opening reports its replay: the events after the snapshot, and may be
// stopped.
TEST(EngineContextTest, OpeningReportsItsReplay) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<v1::Event> events = Journeys(20, 3);
  const size_t half = events.size() / 2;
  RecordAroundASnapshot(path, events, half);
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  EngineOptions options = Options();
  options.log.read_only = true;
  options.on_open_progress = [&](uint64_t done, uint64_t total) {
    seen.emplace_back(done, total);
    return true;
  };
  auto engine = Open(path, options);
  const uint64_t after = events.size() - half;
  using Progress = std::pair<uint64_t, uint64_t>;
  EXPECT_THAT(
      seen, ::testing::ElementsAre(Progress{0, after}, Progress{after, after}));

  options.snapshot_path = "-";
  options.on_open_progress = [](uint64_t, uint64_t) { return false; };
  EXPECT_TRUE(absl::IsCancelled(Engine::Open(path, options).status()));
}

// A snapshot taken further than the log reaches means the log lost
// committed events (its WAL deleted, say): the open says so, rather than
// answering from a state the log cannot back, or dropping them silently.
TEST(EngineContextTest, ASnapshotAheadOfTheLogIsReportedNotServed) {
  motive::testing::TempDir dir;
  std::vector<v1::Event> events = Journeys(5, 4);
  const size_t half = events.size() / 2;
  {
    auto whole = Open(dir.File("whole.db"));
    RecordAll(*whole, events);
    ASSERT_TRUE(whole->WriteSnapshot().ok());
    auto shorter = Open(dir.File("short.db"));
    RecordAll(*shorter, {events.begin(), events.begin() + half});
  }
  std::filesystem::copy_file(dir.File("whole.db-snapshot"),
                             dir.File("short.db-snapshot"));
  auto refused = Engine::Open(dir.File("short.db"), Options());
  ASSERT_TRUE(absl::IsDataLoss(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr(absl::StrCat("the log ends at seq ", half)));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("remove the snapshot"));
  // As the message says: without the snapshot, the log opens as it is.
  std::filesystem::remove(dir.File("short.db-snapshot"));
  EXPECT_NE(Open(dir.File("short.db")), nullptr);
}

// An append that fails (here a trigger, as a full disk would) stores
// nothing, and the state folds nothing either: memory and log agree.
TEST(EngineContextTest, AFailedAppendLeavesTheStateAsItWas) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<v1::Event> events = Journeys(2, 6);
  { RecordAll(*Open(path), events); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TRIGGER poison BEFORE INSERT ON events "
                         "BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  auto engine = Open(path);
  const std::string customer = events[0].customer_id();
  const state::Summary before = SummaryOf(*engine, customer);
  v1::Event more = events[0];
  more.set_event_id("one-more");
  absl::StatusOr<bool> stored = engine->Record(more);
  EXPECT_FALSE(stored.ok());
  ExpectSameSummary(SummaryOf(*engine, customer), before, customer);
  EngineOptions options = Options();
  options.snapshot_path = "-";
  options.log.read_only = true;
  ExpectSameSummary(SummaryOf(*Open(path, options), customer), before,
                    customer);
}

// A snapshot holds personal data: private to the user, whatever the umask
// and whatever mode a snapshot left before had.
TEST(EngineContextTest, TheSnapshotIsPrivate) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  ::umask(022);
  auto engine = Open(path);
  RecordAll(*engine, Journeys(2, 5));
  std::filesystem::path snapshot(path + "-snapshot");
  { std::ofstream(snapshot) << "old"; }
  std::filesystem::permissions(snapshot, std::filesystem::perms(0644));
  ASSERT_TRUE(engine->WriteSnapshot().ok());
  EXPECT_EQ(
      std::filesystem::status(snapshot).permissions() &
          std::filesystem::perms::all,
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(EngineContextTest, SnapshotOfAnotherConfigurationIsNotUsed) {
  motive::testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::vector<v1::Event> events = Journeys(5, 8);
  {
    auto engine = Open(path);
    RecordAll(*engine, events);
    ASSERT_TRUE(engine->WriteSnapshot().ok());
  }
  EngineOptions options = Options();
  options.context_config_text = "signals { window_days: 30 }";
  auto engine = Open(path, options);
  EXPECT_FALSE(engine->open_report().from_snapshot);
  EXPECT_THAT(engine->open_report().snapshot_note, HasSubstr("config"));
  EXPECT_EQ(engine->open_report().events_replayed, events.size());
  EXPECT_EQ(SummaryOf(*engine, events[0].customer_id()).window_days, 30u);
}

TEST(EngineContextTest, AsOfInThePastReplaysTheLog) {
  std::vector<v1::Event> events = Journeys(10, 21);
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return model::ToUnixMicros(a.occurred_at()) <
           model::ToUnixMicros(b.occurred_at());
  });
  // As of mid-year: the same answer as an engine that only saw the events
  // up to then, in event-time order.
  const int64_t as_of =
      model::ToUnixMicros(events[events.size() / 2].occurred_at());
  // Both in event-time order, so that events of the same time tie alike.
  auto engine = Open(":memory:");
  RecordAll(*engine, events);
  auto past = Open(":memory:");
  for (const v1::Event& e : events) {
    if (model::ToUnixMicros(e.occurred_at()) <= as_of) {
      ASSERT_TRUE(past->Record(e).ok());
    }
  }
  for (const std::string& id : CustomerIds(events)) {
    ExpectSameSummary(SummaryOf(*engine, id, as_of),
                      SummaryOf(*past, id, as_of), id);
  }
}

// `json` (one event) with WHEN replaced by the time `days_ago` before kNow.
v1::Event EventOf(std::string json, int days_ago) {
  const std::string when =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", kNow - absl::Hours(24 * days_ago),
                       absl::UTCTimeZone());
  json.replace(json.find("WHEN"), 4, when);
  v1::Event event;
  absl::Status s = model::Decode(model::WireFormat::kJson, json, &event);
  EXPECT_TRUE(s.ok()) << s << json;
  return event;
}

TEST(EngineContextTest, ListsTheStrikesOfTheWindowWithWhatCausedThem) {
  auto engine = Open(":memory:");
  const struct {
    const char* json;
    int days_ago;
  } kEvents[] = {
      // Before the 90-day window: counted nowhere, listed nowhere.
      {R"({"event_id":"old","customer_id":"S","type":"contact",
           "channel":"voice","occurred_at":"WHEN","outcome":"unresolved"})",
       100},
      {R"({"event_id":"s1","customer_id":"S","type":"contact",
           "channel":"voice","occurred_at":"WHEN","topic":"billing",
           "outcome":"resolved","sentiment":-0.7,"transfers":3})",
       40},
      {R"({"event_id":"fine","customer_id":"S","type":"contact",
           "channel":"chat","occurred_at":"WHEN","topic":"billing",
           "outcome":"resolved","sentiment":0.5,"transfers":1})",
       30},
      {R"({"event_id":"s2","customer_id":"S","type":"contact",
           "channel":"voice","occurred_at":"WHEN","outcome":"abandoned",
           "duration_ms":800000,"hold_ms":700000})",
       20},
      {R"({"event_id":"s3","customer_id":"S","type":"survey",
           "channel":"survey","occurred_at":"WHEN","nps":3,"csat":2})",
       10},
      {R"({"event_id":"s4","customer_id":"S","type":"review",
           "channel":"web","occurred_at":"WHEN","sentiment":-0.3})",
       5},
  };
  for (const auto& e : kEvents) {
    ASSERT_TRUE(engine->Record(EventOf(e.json, e.days_ago)).ok());
  }
  v1::Context context;
  ASSERT_TRUE(engine->Describe("S", 0, &context).ok());
  EXPECT_EQ(context.strikes(), 4u);
  ASSERT_EQ(context.strike_events_size(), 4);
  const v1::Strike& s1 = context.strike_events(0);
  EXPECT_EQ(s1.event_id(), "s1");
  EXPECT_EQ(model::ToUnixMicros(s1.time()),
            absl::ToUnixMicros(kNow - absl::Hours(24 * 40)));
  EXPECT_EQ(s1.channel(), v1::VOICE);
  EXPECT_EQ(s1.topic(), "billing");
  EXPECT_THAT(s1.causes(), ::testing::ElementsAre(v1::STRIKE_NEGATIVE_SENTIMENT,
                                                  v1::STRIKE_TRANSFERS));
  EXPECT_THAT(s1.reasons(),
              ::testing::ElementsAre("sentiment -0.70, below -0.5",
                                     "3 transfers, 2 or more"));
  const v1::Strike& s2 = context.strike_events(1);
  EXPECT_EQ(s2.event_id(), "s2");
  EXPECT_EQ(s2.topic(), "");
  EXPECT_THAT(s2.causes(), ::testing::ElementsAre(v1::STRIKE_ABANDONED,
                                                  v1::STRIKE_LONG_HOLD));
  EXPECT_THAT(s2.reasons(), ::testing::ElementsAre(
                                "abandoned", "on hold 700 s, 600 s or more"));
  const v1::Strike& s3 = context.strike_events(2);
  EXPECT_EQ(s3.channel(), v1::SURVEY);
  EXPECT_THAT(s3.causes(), ::testing::ElementsAre(v1::STRIKE_DETRACTOR,
                                                  v1::STRIKE_POOR_CSAT));
  EXPECT_THAT(s3.reasons(),
              ::testing::ElementsAre("NPS 3, a detractor (6 or less)",
                                     "CSAT 2, 2 or less"));
  const v1::Strike& s4 = context.strike_events(3);
  EXPECT_EQ(s4.event_id(), "s4");
  EXPECT_THAT(s4.causes(), ::testing::ElementsAre(v1::STRIKE_NEGATIVE_REVIEW));
  EXPECT_THAT(s4.reasons(),
              ::testing::ElementsAre(
                  "a review or mention with sentiment -0.30, below -0.2"));

  // As of 15 days ago (a replay of the log) the window reaches back to the
  // one 100 days old, and not yet to the two after then.
  const int64_t earlier = absl::ToUnixMicros(kNow - absl::Hours(24 * 15));
  ASSERT_TRUE(engine->Describe("S", earlier, &context).ok());
  EXPECT_EQ(context.strikes(), 3u);
  ASSERT_EQ(context.strike_events_size(), 3);
  EXPECT_EQ(context.strike_events(0).event_id(), "old");
  EXPECT_THAT(context.strike_events(0).causes(),
              ::testing::ElementsAre(v1::STRIKE_UNRESOLVED));
  EXPECT_EQ(context.strike_events(2).event_id(), "s2");

  // No bad experience, or no history at all: nothing listed.
  const v1::Event happy = EventOf(R"({"event_id":"h1","customer_id":"H",
      "type":"contact","channel":"chat","occurred_at":"WHEN",
      "outcome":"resolved","sentiment":0.4})",
                                  1);
  ASSERT_TRUE(engine->Record(happy).ok());
  ASSERT_TRUE(engine->Describe("H", 0, &context).ok());
  EXPECT_TRUE(context.known());
  EXPECT_EQ(context.strikes(), 0u);
  EXPECT_EQ(context.strike_events_size(), 0);
  ASSERT_TRUE(engine->Describe("nobody", 0, &context).ok());
  EXPECT_EQ(context.strike_events_size(), 0);
}

TEST(EngineContextTest, NewConfigurationRebuildsAndABadOneChangesNothing) {
  auto engine = Open(":memory:");
  std::vector<v1::Event> events = Journeys(5, 2);
  RecordAll(*engine, events);
  const std::string id = events[0].customer_id();
  const state::Summary before = SummaryOf(*engine, id);
  EXPECT_EQ(before.window_days, 90u);

  absl::Status bad = engine->LoadContextConfig("signals { window_days: 0 }");
  EXPECT_EQ(base::ErrorField(bad), "signals.window_days");
  ExpectSameSummary(SummaryOf(*engine, id), before);

  ASSERT_TRUE(engine->LoadContextConfig("signals { window_days: 7 }").ok());
  state::Summary after = SummaryOf(*engine, id);
  EXPECT_EQ(after.window_days, 7u);
  EXPECT_EQ(after.events, before.events);
  EXPECT_LE(after.strikes, before.strikes);
}

TEST(EngineContextTest, BadConfigurationFailsOpen) {
  EngineOptions options = Options();
  options.context_config_text = "signals {";
  auto engine = Engine::Open(":memory:", options);
  ASSERT_FALSE(engine.ok());
  EXPECT_TRUE(base::IsParseError(engine.status())) << engine.status();
}

TEST(EngineContextTest, InMemoryEngineHasNoSnapshot) {
  auto engine = Open(":memory:");
  EXPECT_EQ(engine->WriteSnapshot().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace motive::engine
