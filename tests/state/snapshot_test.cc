#include "state/snapshot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::state {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::ExpectSameSummary;
using ::motive::testing::ReadFile;
using ::testing::HasSubstr;

// --- SnapshotWriter and SnapshotReader
// ----------------------------------------

TEST(SnapshotCodecTest, RoundTripsEveryKind) {
  std::string bytes;
  SnapshotWriter out(&bytes);
  out.U8(0xab);
  out.U32(0xdeadbeef);
  out.U64(0x0123456789abcdefULL);
  out.I64(-42);
  out.F64(-0.25);
  out.F64(std::numeric_limits<double>::quiet_NaN());
  out.Bytes("");
  out.Bytes(std::string(100000, 'x'));
  out.Bytes(absl::string_view("a\0b", 3));
  const int64_t raw[2] = {7, -7};
  out.Raw(raw, sizeof(raw));

  SnapshotReader in(bytes);
  EXPECT_EQ(in.U8(), 0xab);
  EXPECT_EQ(in.U32(), 0xdeadbeef);
  EXPECT_EQ(in.U64(), 0x0123456789abcdefULL);
  EXPECT_EQ(in.I64(), -42);
  EXPECT_EQ(in.F64(), -0.25);
  EXPECT_TRUE(std::isnan(in.F64()));
  EXPECT_EQ(in.Bytes(), "");
  EXPECT_EQ(in.Bytes(), std::string(100000, 'x'));
  EXPECT_EQ(in.Bytes(), absl::string_view("a\0b", 3));
  int64_t back[2] = {};
  EXPECT_TRUE(in.Raw(back, sizeof(back)));
  EXPECT_EQ(back[0], 7);
  EXPECT_EQ(back[1], -7);
  EXPECT_TRUE(in.ok());
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(SnapshotCodecTest, IsLittleEndianFixedWidth) {
  std::string bytes;
  SnapshotWriter out(&bytes);
  out.U32(0x04030201);
  out.Bytes("hi");
  out.U64(1);
  EXPECT_EQ(bytes, std::string("\x01\x02\x03\x04\x02\x00\x00\x00hi"
                               "\x01\x00\x00\x00\x00\x00\x00\x00",
                               18));
}

TEST(SnapshotCodecTest, ReadsPastTheEndFailSoftAndStayFailed) {
  std::string bytes;
  SnapshotWriter out(&bytes);
  out.U32(5);
  out.U8(9);

  SnapshotReader in(bytes);
  EXPECT_EQ(in.U32(), 5u);
  EXPECT_TRUE(in.ok());
  EXPECT_EQ(in.U64(), 0u);  // one byte left: not enough
  EXPECT_FALSE(in.ok());
  // The byte that was left is not handed out after a failure.
  EXPECT_EQ(in.U8(), 0u);
  EXPECT_EQ(in.F64(), 0.0);
  EXPECT_EQ(in.Bytes(), "");
  char raw[4] = {1, 2, 3, 4};
  EXPECT_FALSE(in.Raw(raw, sizeof(raw)));
  EXPECT_EQ(raw[0] | raw[1] | raw[2] | raw[3], 0);
  EXPECT_FALSE(in.ok());
}

TEST(SnapshotCodecTest, BytesLongerThanTheInputFail) {
  std::string bytes;
  SnapshotWriter out(&bytes);
  out.Bytes("hello");
  bytes.pop_back();
  SnapshotReader in(bytes);
  EXPECT_EQ(in.Bytes(), "");
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.remaining(), 0u);
}

TEST(SnapshotCodecTest, EmptyInput) {
  SnapshotReader in("");
  EXPECT_TRUE(in.ok());
  EXPECT_EQ(in.U8(), 0u);
  EXPECT_FALSE(in.ok());
  int64_t raw = 0;
  SnapshotReader empty("");
  EXPECT_TRUE(empty.Raw(&raw, 0));
  EXPECT_TRUE(empty.ok());
}

// --- ConfigFingerprint ------------------------------------------------------

v1::ContextConfig ParseConfig(const std::string& text) {
  v1::ContextConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config;
}

TEST(ConfigFingerprintTest, FollowsTheConfigurationNotItsSpelling) {
  const uint64_t empty = ConfigFingerprint(v1::ContextConfig());
  EXPECT_EQ(empty, ConfigFingerprint(ParseConfig("")));
  const uint64_t a = ConfigFingerprint(
      ParseConfig("recent_events: 3 signals { window_days: 30 }"));
  const uint64_t b = ConfigFingerprint(
      ParseConfig("signals { window_days: 30 } recent_events: 3"));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, empty);
  EXPECT_NE(a, ConfigFingerprint(ParseConfig(
                   "recent_events: 3 signals { window_days: 31 }")));
  EXPECT_NE(empty, ConfigFingerprint(ParseConfig(
                       "metrics { name: 'n' aggregation: COUNT window: '1d' "
                       "}")));
}

// --- the state
// ----------------------------------------------------------------

constexpr int64_t kDayUs = 86400LL * 1000000;
constexpr int64_t kStartUs = 1700000000LL * 1000000;  // 2023-11-14

constexpr char kConfigText[] = R"pb(
  signals { window_days: 30 repeat_window_days: 5 }
  recent_events: 4
  metrics {
    name: "voice_calls"
    aggregation: COUNT
    filter: "event.channel == 'voice'"
    window: "30d"
  }
  metrics { name: "spend" aggregation: SUM field: "value" window: "60d" }
  metrics {
    name: "topics"
    aggregation: DISTINCT_COUNT
    field: "topic"
    window: "90d"
  }
  metrics {
    name: "plan"
    aggregation: LAST
    field: "attributes.plan"
    window: "90d"
  }
  metrics {
    name: "worst_mood"
    aggregation: MIN
    field: "sentiment"
    window: "7d"
  }
  metrics { name: "mood" aggregation: AVG field: "sentiment" window: "14d" }
)pb";

StateConfig TestConfig(const char* text = kConfigText) {
  absl::StatusOr<StateConfig> config = StateConfig::FromText(text);
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : StateConfig();
}

// A varied, deterministic stream: several customers, contacts on a few
// topics with every outcome, purchases and returns, surveys, reviews,
// attributes, spread over two years so that events leave the windows, and
// about one in six arriving late (up to 20 days before the one before it).
std::vector<v1::Event> MakeEvents(int count, uint64_t seed,
                                  int64_t start_us = kStartUs) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  auto chance = [&](int percent) { return pick(100) < percent; };
  static const char* const kTopics[] = {"billing", "delivery", "login",
                                        "refund", "upgrade"};
  static const char* const kAgents[] = {"agent-1", "agent-2", "agent-3"};
  static const char* const kPlans[] = {"basic", "plus", "pro"};
  static const v1::Channel kContactChannels[] = {v1::VOICE, v1::CHAT, v1::EMAIL,
                                                 v1::SMS};

  std::vector<v1::Event> events;
  int64_t time_us = start_us;
  for (int i = 0; i < count; ++i) {
    time_us += pick(4 * 3600) * 1000000LL * pick(12);  // up to ~2 days
    v1::Event e;
    e.set_customer_id(absl::StrCat("customer-", pick(7)));
    int64_t occurred = time_us;
    if (chance(16)) occurred -= pick(20 * 86400) * 1000000LL;
    *e.mutable_occurred_at() = model::FromUnixMicros(occurred);
    switch (pick(11)) {
      case 0:
      case 1:
      case 2:
      case 3:
        e.set_type("contact");
        e.set_channel(kContactChannels[pick(4)]);
        if (!chance(10)) e.set_topic(kTopics[pick(5)]);
        e.set_outcome(static_cast<v1::Outcome>(pick(7)));
        if (chance(70)) e.set_sentiment((pick(201) - 100) / 100.0);
        if (chance(60)) {
          e.set_duration_ms(1000LL * (60 + pick(1800)));
          e.set_hold_ms(pick(static_cast<int>(e.duration_ms())));
        }
        if (chance(40)) e.set_transfers(pick(4));
        if (chance(80)) e.set_agent_id(kAgents[pick(3)]);
        break;
      case 4:
        e.set_type(chance(80) ? "purchase" : "renewal");
        e.set_value(pick(50000) / 100.0);
        e.set_currency("EUR");
        break;
      case 5:
        e.set_type("return");
        e.set_value(pick(10000) / 100.0);
        e.set_currency("EUR");
        break;
      case 6:
        e.set_type("survey");
        e.set_channel(v1::SURVEY);
        if (chance(50)) e.set_nps(pick(11));
        if (chance(60)) e.set_csat(1 + pick(5));
        break;
      case 7:
        e.set_type(chance(50) ? "review" : "social_mention");
        e.set_sentiment((pick(201) - 100) / 100.0);
        break;
      case 8:
        e.set_type("web_visit");
        e.set_channel(v1::WEB);
        break;
      case 9: {
        static const char* const kActions[] = {"upgrade", "apology", "refund"};
        static const char* const kOutcomes[] = {
            "offered",   "accepted",  "rejected", "ignored",
            "converted", "unheard-of"};  // The last one is malformed.
        e.set_type(std::string(kFeedbackEventType));
        e.set_channel(kContactChannels[pick(4)]);
        auto& attributes = *e.mutable_attributes();
        attributes["decision_id"].set_string_value(absl::StrCat("d-", i));
        attributes["action"].set_string_value(kActions[pick(3)]);
        attributes["outcome"].set_string_value(kOutcomes[pick(6)]);
        if (chance(50)) attributes["group"].set_string_value("retention");
        break;
      }
      default:
        e.set_type("delivery");
        break;
    }
    if (chance(30)) {
      auto& attributes = *e.mutable_attributes();
      attributes["plan"].set_string_value(kPlans[pick(3)]);
      if (chance(50)) attributes["seats"].set_number_value(pick(100));
      if (chance(30)) attributes["vip"].set_bool_value(chance(50));
    }
    EXPECT_TRUE(model::PrepareEvent(&e, model::JourneyMap::Default(),
                                    absl::FromUnixMicros(time_us + kDayUs))
                    .ok());
    events.push_back(std::move(e));
  }
  return events;
}

int64_t NewestUs(const std::vector<v1::Event>& events) {
  int64_t newest = 0;
  for (const v1::Event& e : events) {
    newest = std::max(newest, model::ToUnixMicros(e.occurred_at()));
  }
  return newest;
}

std::vector<std::string> CustomerIds(const StateStore& store) {
  std::vector<std::string> ids;
  store.ForEach(
      [&](const std::string& id, const CustomerState&) { ids.push_back(id); });
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The learning counters of `store`, by action name (two stores may have
// interned the names in another order).
std::map<std::string, ActionStats> LearnedByName(const StateStore& store) {
  std::map<std::string, ActionStats> learned;
  for (const auto& [action, stats] : store.AllLearned()) {
    learned[store.strings().Get(action)] = stats;
  }
  return learned;
}

// A customer's responses, with names for ids.
std::string ResponsesOf(const StateStore& store, const std::string& id) {
  std::string text;
  const auto found = store.Visit(
      id, std::numeric_limits<int64_t>::max(), [&](const CustomerState& state) {
        for (const Response& r : state.responses()) {
          absl::StrAppend(&text, r.time_us, " ", r.decision, " ",
                          store.strings().Get(r.action), " ",
                          store.strings().Get(r.group), " ", r.channel, " ",
                          r.outcome, "\n");
        }
      });
  EXPECT_EQ(found, StateStore::Found::kAnswered) << id;
  return text;
}

// Every customer of `a` answers the same in `b`, summary and full context,
// now and later (when windows have moved on), with the same responses and
// learning counters.
void ExpectSameStores(const StateStore& a, const StateStore& b,
                      int64_t as_of_us) {
  const std::vector<std::string> ids = CustomerIds(a);
  ASSERT_EQ(ids, CustomerIds(b));
  ASSERT_FALSE(ids.empty());
  const StoreStats sa = a.Stats();
  const StoreStats sb = b.Stats();
  EXPECT_EQ(sa.customers, sb.customers);
  // Not held_events: events past the horizon are dropped at different times
  // (a loaded state has none), and no answer depends on them.
  EXPECT_EQ(sa.metric_samples, sb.metric_samples);
  // Not strings: a snapshot keeps only the strings its states name, at the
  // ids they had, so a restored table may be smaller or have gaps.
  EXPECT_EQ(sa.responses, sb.responses);
  EXPECT_EQ(LearnedByName(a), LearnedByName(b));
  for (const std::string& id : ids) {
    EXPECT_EQ(ResponsesOf(a, id), ResponsesOf(b, id)) << id;
  }
  for (const int64_t later : {int64_t{0}, 10 * kDayUs, 200 * kDayUs}) {
    for (const std::string& id : ids) {
      SCOPED_TRACE(absl::StrCat(id, " +", later / kDayUs, "d"));
      Summary x, y;
      ASSERT_EQ(a.Summarize(id, as_of_us + later, &x),
                StateStore::Found::kAnswered);
      ASSERT_EQ(b.Summarize(id, as_of_us + later, &y),
                StateStore::Found::kAnswered);
      ExpectSameSummary(x, y);
      v1::Context cx, cy;
      ASSERT_EQ(a.Describe(id, as_of_us + later, &cx),
                StateStore::Found::kAnswered);
      ASSERT_EQ(b.Describe(id, as_of_us + later, &cy),
                StateStore::Found::kAnswered);
      MessageDifferencer differencer;
      std::string diff;
      differencer.ReportDifferencesToString(&diff);
      EXPECT_TRUE(differencer.Compare(cx, cy)) << diff;
    }
  }
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

class SnapshotTest : public ::testing::Test {
 protected:
  SnapshotTest()
      : config_proto_(ParseConfig(kConfigText)),
        fingerprint_(ConfigFingerprint(config_proto_)),
        events_(MakeEvents(400, 7)),
        path_(dir_.File("state.snapshot")) {}

  std::unique_ptr<StateStore> NewStore() {
    return std::make_unique<StateStore>(TestConfig());
  }

  std::unique_ptr<StateStore> StoreOf(size_t from, size_t to) {
    auto store = NewStore();
    for (size_t i = from; i < to; ++i) store->Apply(events_[i]);
    return store;
  }

  LogPosition Position(size_t applied) const {
    return {static_cast<int64_t>(applied), events_[applied - 1].event_id()};
  }

  absl::StatusOr<LogPosition> Read(StateStore* store) {
    return ReadSnapshot(path_, fingerprint_, store);
  }

  testing::TempDir dir_;
  const v1::ContextConfig config_proto_;
  const uint64_t fingerprint_;
  const std::vector<v1::Event> events_;
  const std::string path_;
};

TEST_F(SnapshotTest, RestoredStateAnswersLikeTheOriginal) {
  auto original = StoreOf(0, events_.size());
  ASSERT_TRUE(
      WriteSnapshot(*original, Position(events_.size()), fingerprint_, path_)
          .ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));

  auto restored = NewStore();
  absl::StatusOr<LogPosition> position = Read(restored.get());
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->seq, static_cast<int64_t>(events_.size()));
  EXPECT_EQ(position->event_id, events_.back().event_id());
  ExpectSameStores(*original, *restored, NewestUs(events_));
}

TEST_F(SnapshotTest, KeepsTheIdentityGraphBytes) {
  auto original = StoreOf(0, events_.size());
  // Any bytes, NULs included: the snapshot does not interpret them.
  const std::string graph("graph\0bytes\xff", 13);
  ASSERT_TRUE(WriteSnapshot(*original, Position(events_.size()), fingerprint_,
                            path_, base::FileIo::Default(), graph)
                  .ok());
  auto restored = NewStore();
  std::string read = "left over";
  ASSERT_TRUE(ReadSnapshot(path_, fingerprint_, restored.get(),
                           base::FileIo::Default(), &read)
                  .ok());
  EXPECT_EQ(read, graph);
  ExpectSameStores(*original, *restored, NewestUs(events_));

  // None written reads as none.
  ASSERT_TRUE(
      WriteSnapshot(*original, Position(events_.size()), fingerprint_, path_)
          .ok());
  auto again = NewStore();
  ASSERT_TRUE(ReadSnapshot(path_, fingerprint_, again.get(),
                           base::FileIo::Default(), &read)
                  .ok());
  EXPECT_EQ(read, "");
}

TEST_F(SnapshotTest, AnIdentityGraphLargerThanAPieceOfTheFileIsReadWhole) {
  // The reader holds a few MiB of the file at a time; a section larger
  // than that (here the graph, 20 MiB, starting mid-piece) is read whole,
  // and the customers after it still load.
  auto original = StoreOf(0, events_.size());
  std::string graph(20 << 20, '\0');
  for (size_t i = 0; i < graph.size(); ++i) {
    graph[i] = static_cast<char>(i * 2654435761u >> 24);
  }
  ASSERT_TRUE(WriteSnapshot(*original, Position(events_.size()), fingerprint_,
                            path_, base::FileIo::Default(), graph)
                  .ok());
  auto restored = NewStore();
  std::string read;
  ASSERT_TRUE(ReadSnapshot(path_, fingerprint_, restored.get(),
                           base::FileIo::Default(), &read)
                  .ok());
  EXPECT_TRUE(read == graph);
  ExpectSameStores(*original, *restored, NewestUs(events_));

  // Damage in the graph is found by the checksum, once all is read.
  std::string bytes = ReadFile(path_);
  bytes[bytes.size() / 3] ^= 0x04;
  WriteFile(path_, bytes);
  auto damaged = NewStore();
  absl::Status status = Read(damaged.get()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
}

TEST_F(SnapshotTest, SnapshotPlusTailEqualsReplay) {
  // The tail holds late events (before the snapshot's newest) and new
  // customers' first events alike.
  const size_t cut = 250;
  auto replayed = StoreOf(0, events_.size());
  auto head = StoreOf(0, cut);
  ASSERT_TRUE(WriteSnapshot(*head, Position(cut), fingerprint_, path_).ok());

  auto restored = NewStore();
  ASSERT_TRUE(Read(restored.get()).ok());
  for (size_t i = cut; i < events_.size(); ++i) {
    restored->Apply(events_[i]);
    head->Apply(events_[i]);
  }
  ExpectSameStores(*replayed, *restored, NewestUs(events_));
  ExpectSameStores(*head, *restored, NewestUs(events_));
}

TEST_F(SnapshotTest, SnapshotOfARestoredStoreIsStable) {
  // The first load compacts (see CustomerState::Load); from then on a
  // snapshot of a restored store restores to the same snapshot.
  auto original = StoreOf(0, events_.size());
  ASSERT_TRUE(
      WriteSnapshot(*original, Position(events_.size()), fingerprint_, path_)
          .ok());
  auto once = NewStore();
  ASSERT_TRUE(Read(once.get()).ok());
  const std::string again = dir_.File("again.snapshot");
  ASSERT_TRUE(
      WriteSnapshot(*once, Position(events_.size()), fingerprint_, again).ok());
  auto twice = NewStore();
  ASSERT_TRUE(ReadSnapshot(again, fingerprint_, twice.get()).ok());
  const std::string third = dir_.File("third.snapshot");
  ASSERT_TRUE(
      WriteSnapshot(*twice, Position(events_.size()), fingerprint_, third)
          .ok());
  // Customers may come in another order (shard tables grew differently), so
  // sizes, not bytes, must agree.
  EXPECT_LE(ReadFile(again).size(), ReadFile(path_).size());
  EXPECT_EQ(ReadFile(again).size(), ReadFile(third).size());
  EXPECT_EQ(once->Stats().held_events, twice->Stats().held_events);
  ExpectSameStores(*original, *twice, NewestUs(events_));
}

TEST_F(SnapshotTest, LearningSurvivesASnapshotAndEqualsAReplay) {
  auto replayed = StoreOf(0, events_.size());
  const std::map<std::string, ActionStats> learned = LearnedByName(*replayed);
  ASSERT_EQ(learned.size(), 3u);  // upgrade, apology, refund
  uint64_t offered = 0;
  for (const auto& [name, stats] : learned) offered += stats.offered;
  ASSERT_GT(offered, 0u);
  ASSERT_GT(replayed->Stats().responses, 0u);

  const size_t cut = 200;
  auto head = StoreOf(0, cut);
  ASSERT_TRUE(WriteSnapshot(*head, Position(cut), fingerprint_, path_).ok());
  auto restored = NewStore();
  ASSERT_TRUE(Read(restored.get()).ok());
  EXPECT_EQ(LearnedByName(*restored), LearnedByName(*head));
  for (size_t i = cut; i < events_.size(); ++i) restored->Apply(events_[i]);
  EXPECT_EQ(LearnedByName(*restored), learned);
}

// A customer whose strings nobody else uses: a topic, an agent, an
// attribute value, and feedback on an action of their own and on a shared
// one.
std::vector<v1::Event> SecretEvents() {
  std::vector<v1::Event> events(3);
  events[0].set_type("contact");
  events[0].set_channel(v1::VOICE);
  events[0].set_topic("topic-of-zebulon");
  events[0].set_agent_id("agent-of-zebulon");
  (*events[0].mutable_attributes())["nickname"].set_string_value("Zebulon");
  for (int i = 1; i < 3; ++i) {
    events[i].set_type(std::string(kFeedbackEventType));
    auto& attributes = *events[i].mutable_attributes();
    attributes["decision_id"].set_string_value(absl::StrCat("dz-", i));
    attributes["action"].set_string_value(i == 1 ? "action-of-zebulon"
                                                 : "upgrade");
    attributes["outcome"].set_string_value("accepted");
  }
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].set_customer_id("customer-zebulon");
    *events[i].mutable_occurred_at() =
        model::FromUnixMicros(kStartUs + static_cast<int64_t>(i) * kDayUs);
    EXPECT_TRUE(model::PrepareEvent(&events[i], model::JourneyMap::Default(),
                                    absl::FromUnixMicros(kStartUs + kDayUs))
                    .ok());
  }
  return events;
}

TEST_F(SnapshotTest, AnErasedCustomerLeavesNoTraceAndTheRestIsAReplay) {
  const std::vector<v1::Event> secret = SecretEvents();
  auto store = NewStore();
  for (size_t i = 0; i < events_.size(); ++i) {
    store->Apply(events_[i]);
    if (i % 100 == 0) store->Apply(secret[i / 100 % secret.size()]);
  }
  ASSERT_EQ(store->Erase("customer-zebulon", secret), true);
  EXPECT_EQ(store->Erase("customer-zebulon", {}), false);
  auto replayed = StoreOf(0, events_.size());
  EXPECT_EQ(LearnedByName(*store), LearnedByName(*replayed));
  EXPECT_EQ(CustomerIds(*store), CustomerIds(*replayed));

  ASSERT_TRUE(
      WriteSnapshot(*store, Position(events_.size()), fingerprint_, path_)
          .ok());
  const std::string bytes = ReadFile(path_);
  for (const char* trace : {"zebulon", "Zebulon"}) {
    EXPECT_EQ(bytes.find(trace), std::string::npos) << trace;
  }
  // Still in memory (pointers to them may be out), but in no file.
  const uint32_t strings = store->strings().size();
  store->strings().Intern("Zebulon");
  EXPECT_EQ(store->strings().size(), strings);
  auto restored = NewStore();
  ASSERT_TRUE(Read(restored.get()).ok());
  ExpectSameStores(*replayed, *restored, NewestUs(events_));
}

TEST_F(SnapshotTest, EmptyStore) {
  auto empty = NewStore();
  ASSERT_TRUE(WriteSnapshot(*empty, LogPosition{}, fingerprint_, path_).ok());
  auto restored = NewStore();
  absl::StatusOr<LogPosition> position = Read(restored.get());
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->seq, 0);
  EXPECT_EQ(position->event_id, "");
  EXPECT_EQ(restored->Stats().customers, 0u);
  EXPECT_EQ(restored->strings().size(), 1u);
  EXPECT_TRUE(restored->AllLearned().empty());
}

TEST_F(SnapshotTest, OneEvent) {
  auto original = StoreOf(0, 1);
  ASSERT_TRUE(WriteSnapshot(*original, Position(1), fingerprint_, path_).ok());
  auto restored = NewStore();
  ASSERT_TRUE(Read(restored.get()).ok());
  ExpectSameStores(*original, *restored, NewestUs({events_[0]}));
}

TEST_F(SnapshotTest, NoMetricsConfigured) {
  const StateConfig plain = TestConfig("");
  StateStore original(plain);
  for (const v1::Event& e : events_) original.Apply(e);
  const uint64_t fingerprint = ConfigFingerprint(v1::ContextConfig());
  ASSERT_TRUE(
      WriteSnapshot(original, Position(events_.size()), fingerprint, path_)
          .ok());
  StateStore restored(plain);
  ASSERT_TRUE(ReadSnapshot(path_, fingerprint, &restored).ok());
  ExpectSameStores(original, restored, NewestUs(events_));
}

TEST_F(SnapshotTest, LargeSnapshotSpanningManyChecksumChunks) {
  // Enough customers, each with a string of its own, to make the file
  // several megabytes, so that the writer streams it in pieces (the string
  // table too) and the checksum covers many chunks.
  auto original = StoreOf(0, events_.size());
  for (int i = 0; i < 2000; ++i) {
    v1::Event e = events_[i % events_.size()];
    e.set_customer_id(absl::StrCat("many-", i));
    e.set_topic(absl::StrCat("a long topic #", i, std::string(5000, '.')));
    original->Apply(e);
  }
  ASSERT_TRUE(
      WriteSnapshot(*original, Position(events_.size()), fingerprint_, path_)
          .ok());
  std::string bytes = ReadFile(path_);
  ASSERT_GT(bytes.size(), 9u << 20);

  auto restored = NewStore();
  ASSERT_TRUE(Read(restored.get()).ok());
  ExpectSameStores(*original, *restored, NewestUs(events_));

  // Damage among the customers: the states after it may decode, or not;
  // either way the checksum, known at the end, names it.
  bytes[bytes.size() / 2] ^= 0x10;
  WriteFile(path_, bytes);
  auto damaged = NewStore();
  const absl::Status status = Read(damaged.get()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("checksum mismatch"));
}

TEST_F(SnapshotTest, MissingFileIsNotFound) {
  auto store = NewStore();
  absl::Status status = Read(store.get()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << status;
}

TEST_F(SnapshotTest, NeedsAnEmptyStore) {
  auto original = StoreOf(0, 50);
  ASSERT_TRUE(WriteSnapshot(*original, Position(50), fingerprint_, path_).ok());
  auto busy = StoreOf(0, 1);
  EXPECT_EQ(Read(busy.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

class DamagedSnapshotTest : public SnapshotTest {
 protected:
  void SetUp() override {
    auto original = StoreOf(0, events_.size());
    ASSERT_TRUE(
        WriteSnapshot(*original, Position(events_.size()), fingerprint_, path_)
            .ok());
    bytes_ = ReadFile(path_);
    ASSERT_GT(bytes_.size(), 1000u);
  }

  absl::Status ReadBytes(const std::string& bytes) {
    return ReadBytes(bytes, fingerprint_);
  }
  absl::Status ReadBytes(const std::string& bytes, uint64_t fingerprint) {
    WriteFile(path_, bytes);
    auto store = NewStore();
    return ReadSnapshot(path_, fingerprint, store.get()).status();
  }

  std::string bytes_;
};

TEST_F(DamagedSnapshotTest, TruncatedIsDataLoss) {
  for (size_t size :
       {size_t{0}, size_t{5}, size_t{8}, size_t{30}, bytes_.size() / 2,
        bytes_.size() - 9, bytes_.size() - 1}) {
    absl::Status status = ReadBytes(bytes_.substr(0, size));
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss)
        << size << ": " << status;
  }
}

TEST_F(DamagedSnapshotTest, AnyFlippedByteAfterTheHeaderIsDataLoss) {
  // Bytes 8..11 are the format version, 12..19 the fingerprint: checked
  // after the checksum, so flipping them is damage too.
  for (size_t at = 12; at < bytes_.size(); at += 97) {
    std::string bytes = bytes_;
    bytes[at] ^= 0x01;
    absl::Status status = ReadBytes(bytes);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << at << status;
  }
  std::string last = bytes_;
  last.back() ^= 0x80;
  absl::Status status = ReadBytes(last);
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(status.message(), HasSubstr("checksum"));
  EXPECT_THAT(status.message(), HasSubstr(path_));
}

TEST_F(DamagedSnapshotTest, ExtraBytesAreDataLoss) {
  EXPECT_EQ(ReadBytes(bytes_ + "x").code(), absl::StatusCode::kDataLoss);
}

TEST_F(DamagedSnapshotTest, OtherConfigurationIsFailedPrecondition) {
  const uint64_t other = ConfigFingerprint(ParseConfig("recent_events: 2"));
  absl::Status status = ReadBytes(bytes_, other);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("configuration"));
}

TEST_F(DamagedSnapshotTest, WrongMagicIsFailedPrecondition) {
  std::string bytes = bytes_;
  bytes[0] = 'X';
  absl::Status status = ReadBytes(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("not a motive snapshot"));
  status = ReadBytes("SQLite format 3");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
}

TEST_F(DamagedSnapshotTest, OtherFormatVersionIsFailedPrecondition) {
  // Version 1, before responses and learning: ignored, with the reason.
  std::string bytes = bytes_;
  bytes[8] = 1;
  absl::Status status = ReadBytes(bytes);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_THAT(status.message(), HasSubstr("format version 1"));
  EXPECT_THAT(status.message(), HasSubstr("reads version 6"));
}

TEST_F(SnapshotTest, FailedWriteLeavesThePreviousSnapshot) {
  auto first = StoreOf(0, 100);
  ASSERT_TRUE(WriteSnapshot(*first, Position(100), fingerprint_, path_).ok());
  const std::string before = ReadFile(path_);

  // Nowhere to write the temporary file: a missing directory.
  auto second = StoreOf(0, 200);
  const std::string elsewhere = dir_.File("missing/state.snapshot");
  absl::Status status =
      WriteSnapshot(*second, Position(200), fingerprint_, elsewhere);
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("missing/state.snapshot.tmp"));

  // A directory that cannot be written to (meaningless as root).
  if (::geteuid() != 0) {
    const std::string dir = std::filesystem::path(path_).parent_path();
    ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
    status = WriteSnapshot(*second, Position(200), fingerprint_, path_);
    ::chmod(dir.c_str(), 0755);
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(ReadFile(path_), before);
    EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  }

  // A stale temporary file from a crash is overwritten, and a successful
  // write replaces the snapshot.
  WriteFile(path_ + ".tmp", "left over by a crash");
  ASSERT_TRUE(WriteSnapshot(*second, Position(200), fingerprint_, path_).ok());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  auto restored = NewStore();
  absl::StatusOr<LogPosition> position = Read(restored.get());
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->seq, 200);
  ExpectSameStores(*second, *restored, NewestUs(events_));
}

// --- CustomerState::Save and Load
// ---------------------------------------------

class CustomerStateSnapshotTest : public ::testing::Test {
 protected:
  CustomerStateSnapshotTest() : config_(TestConfig()) {
    for (const v1::Event& e : MakeEvents(300, 11)) {
      if (e.customer_id() == "customer-3") state_.Apply(e, config_, strings_);
    }
    SnapshotWriter out(&bytes_);
    state_.Save(out);
  }

  StateConfig config_;
  Interner strings_;
  CustomerState state_;
  std::string bytes_;
};

CustomerState LoadOrDie(absl::string_view bytes, const StateConfig& config) {
  SnapshotReader in(bytes);
  CustomerState state;
  EXPECT_TRUE(state.Load(in, config));
  EXPECT_EQ(in.remaining(), 0u);
  return state;
}

std::string SaveOf(const CustomerState& state) {
  std::string bytes;
  SnapshotWriter out(&bytes);
  state.Save(out);
  return bytes;
}

bool Refused(absl::string_view damaged, const StateConfig& config) {
  SnapshotReader in(damaged);
  CustomerState loaded;
  return !loaded.Load(in, config);
}

// `bytes` with the times (8 bytes) at `first` and `second` swapped.
std::string TimesSwapped(std::string bytes, size_t first, size_t second) {
  std::swap_ranges(bytes.begin() + first, bytes.begin() + first + 8,
                   bytes.begin() + second);
  return bytes;
}

TEST_F(CustomerStateSnapshotTest, LoadsWhatSaveWrote) {
  ASSERT_GT(state_.held_events(), 0u);
  const CustomerState loaded = LoadOrDie(bytes_, config_);
  EXPECT_EQ(loaded.newest_us(), state_.newest_us());
  // Loading drops what has left the horizon, once: after that, saving and
  // loading changes nothing.
  EXPECT_LE(loaded.held_events(), state_.held_events());
  const std::string again = SaveOf(loaded);
  EXPECT_EQ(SaveOf(LoadOrDie(again, config_)), again);
  Summary a, b;
  state_.Summarize(state_.newest_us(), config_, strings_, &a);
  loaded.Summarize(state_.newest_us(), config_, strings_, &b);
  ExpectSameSummary(a, b);
}

TEST_F(CustomerStateSnapshotTest, ResponsesRoundTrip) {
  ASSERT_GT(state_.responses().size(), 1u);
  const CustomerState loaded = LoadOrDie(bytes_, config_);
  ASSERT_EQ(loaded.responses().size(), state_.responses().size());
  for (size_t i = 0; i < loaded.responses().size(); ++i) {
    const Response& a = state_.responses()[i];
    const Response& b = loaded.responses()[i];
    EXPECT_EQ(a.time_us, b.time_us) << i;
    EXPECT_EQ(a.decision, b.decision) << i;
    EXPECT_EQ(a.action, b.action) << i;
    EXPECT_EQ(a.group, b.group) << i;
    EXPECT_EQ(a.channel, b.channel) << i;
    EXPECT_EQ(a.outcome, b.outcome) << i;
  }
}

TEST_F(CustomerStateSnapshotTest, ResponsesOutOfOrderOrOfNoOutcomeAreRefused) {
  // A state holding two responses and nothing else, so that their bytes sit
  // at known places at the end of the state's.
  const StateConfig plain = TestConfig("recent_events: 0");
  Interner strings;
  CustomerState two;
  for (const char* decision : {"d-1", "d-2"}) {
    v1::Event e;
    e.set_customer_id("c");
    e.set_type(std::string(kFeedbackEventType));
    e.set_channel(v1::CHAT);
    auto& attributes = *e.mutable_attributes();
    attributes["decision_id"].set_string_value(decision);
    attributes["action"].set_string_value("upgrade");
    attributes["outcome"].set_string_value("offered");
    *e.mutable_occurred_at() =
        model::FromUnixMicros(kStartUs + (decision[2] - '0') * kDayUs);
    two.Apply(e, plain, strings);
  }
  ASSERT_EQ(two.responses().size(), 2u);
  const std::string bytes = SaveOf(two);
  LoadOrDie(bytes, plain);
  // The responses are followed by the strike count (4, none), base (48
  // bytes), the held count (4, none held) and the metric count (4); each
  // response is 26 bytes, its outcome last.
  const size_t end = bytes.size() - 4 - 48 - 4 - 4;
  const size_t second = end - 26;
  const size_t first = second - 26;
  EXPECT_TRUE(Refused(TimesSwapped(bytes, first, second), plain));
  for (const uint8_t outcome : {0, 6, 255}) {
    std::string bad = bytes;
    bad[end - 1] = static_cast<char>(outcome);
    EXPECT_TRUE(Refused(bad, plain)) << int{outcome};
  }
  std::string channel = bytes;
  channel[end - 2] = static_cast<char>(kChannelCount);
  EXPECT_TRUE(Refused(channel, plain));
}

// A customer with two detractor surveys (NPS 2, ids s1 and s2) on days 1 and
// 2: two held events and two strikes.
CustomerState TwoDetractorSurveys(const StateConfig& config) {
  Interner strings;
  CustomerState two;
  for (int day : {1, 2}) {
    v1::Event e;
    e.set_customer_id("c");
    e.set_event_id(day == 1 ? "s1" : "s2");
    e.set_type("survey");
    e.set_channel(v1::SURVEY);
    e.set_nps(2);
    *e.mutable_occurred_at() = model::FromUnixMicros(kStartUs + day * kDayUs);
    two.Apply(e, config, strings);
  }
  return two;
}

// Times come from events (1990 on) or are 0 for none. A damaged one outside
// [0, 9999-12-31] is refused: found by fuzzing, where a negative purchase
// time made Summarize overflow subtracting it from as_of.
TEST_F(CustomerStateSnapshotTest, StrikesOutOfOrderOrOfNoCauseAreRefused) {
  // Two strikes and nothing else held but them.
  const StateConfig plain = TestConfig("recent_events: 0");
  const std::string bytes = SaveOf(TwoDetractorSurveys(plain));
  LoadOrDie(bytes, plain);
  // Base (48 bytes), the two held events (4 + 2 x 64) and the metric count
  // (4) follow the strikes; each strike is 51 bytes (its 2-byte id
  // included), its time first and its causes 19 bytes in.
  const size_t end = bytes.size() - 48 - 4 - 2 * 64 - 4;
  const size_t second = end - 51;
  const size_t first = second - 51;
  EXPECT_TRUE(Refused(TimesSwapped(bytes, first, second), plain));
  for (const uint8_t causes : {0, 1}) {
    std::string bad = bytes;
    bad[first + 19] = static_cast<char>(causes);
    EXPECT_TRUE(Refused(bad, plain)) << int{causes};
  }
  std::string channel = bytes;
  channel[first + 18] = static_cast<char>(kChannelCount);
  EXPECT_TRUE(Refused(channel, plain));
}

// The state keeps the last contact's channel and outcome in a byte each, an
// attribute's kind beside its key, and its base first among the held events:
// a value that no saved state holds would not survive, so it is refused.
TEST_F(CustomerStateSnapshotTest, ValuesTheStateCannotHoldAreRefused) {
  // The last contact's channel and outcome, after the all-time signals
  // (events, first, newest, 7 moments, stage, stage time) and its time.
  constexpr size_t kChannelAt = 8 + 8 + 8 + 7 * 4 + 4 + 8 + 8;
  constexpr size_t kOutcomeAt = kChannelAt + 4;
  for (const auto& [at, value] :
       {std::pair{kChannelAt, uint32_t{kChannelCount}},
        std::pair{kChannelAt, uint32_t{256}},
        std::pair{kOutcomeAt, uint32_t{v1::Outcome_ARRAYSIZE}}}) {
    std::string bad = bytes_;
    std::memcpy(&bad[at], &value, sizeof(value));
    EXPECT_TRUE(Refused(bad, config_)) << at << " " << value;
  }
  std::string good = bytes_;
  const uint32_t chat = v1::CHAT;
  std::memcpy(&good[kChannelAt], &chat, sizeof(chat));
  LoadOrDie(good, config_);

  // One attribute and nothing else held: its kind is followed by the empty
  // recent events (4), the response and strike counts (4 + 4), the base
  // (48), the held count (4) and the metric count (4).
  const StateConfig plain = TestConfig("recent_events: 0");
  Interner strings;
  CustomerState one;
  v1::Event e;
  e.set_customer_id("c");
  e.set_type("web_visit");
  (*e.mutable_attributes())["plan"].set_string_value("gold");
  *e.mutable_occurred_at() = model::FromUnixMicros(kStartUs);
  one.Apply(e, plain, strings);
  const std::string bytes = SaveOf(one);
  LoadOrDie(bytes, plain);
  const size_t kind = bytes.size() - 4 - 4 - 4 - 48 - 4 - 4 - 4;
  ASSERT_EQ(bytes[kind], google::protobuf::Value::kStringValue);
  for (const uint8_t other :
       {google::protobuf::Value::KIND_NOT_SET,
        google::protobuf::Value::kNullValue,
        google::protobuf::Value::kListValue}) {
    std::string bad = bytes;
    bad[kind] = static_cast<char>(other);
    EXPECT_TRUE(Refused(bad, plain)) << int{other};
  }
}

TEST_F(CustomerStateSnapshotTest, AHeldEventMarkedAsTheBaseIsRefused) {
  // Two events held and nothing else: their flags are 14 bytes into each
  // of their 64, before the metric count (4).
  const StateConfig plain = TestConfig("recent_events: 0");
  const std::string bytes = SaveOf(TwoDetractorSurveys(plain));
  LoadOrDie(bytes, plain);
  const size_t held = bytes.size() - 4 - 2 * 64;
  for (const size_t event : {size_t{0}, size_t{1}}) {
    std::string bad = bytes;
    bad[held + event * 64 + 14] |= HeldEvent::kBase;
    EXPECT_TRUE(Refused(bad, plain)) << event;
  }
}

TEST_F(CustomerStateSnapshotTest, TimesOutsideTheCalendarAreRefused) {
  // The first two times, after the event count: first_us and newest_us.
  for (const size_t at : {size_t{8}, size_t{16}}) {
    for (const int64_t t : {int64_t{-1}, std::numeric_limits<int64_t>::min(),
                            int64_t{253402300800} * 1000000}) {
      std::string bad = bytes_;
      std::memcpy(&bad[at], &t, sizeof(t));
      SnapshotReader in(bad);
      CustomerState loaded;
      EXPECT_FALSE(loaded.Load(in, config_)) << at << " " << t;
    }
  }
}

TEST_F(CustomerStateSnapshotTest, EveryTruncationIsRefused) {
  for (size_t size = 0; size < bytes_.size(); ++size) {
    SnapshotReader in(absl::string_view(bytes_).substr(0, size));
    CustomerState loaded;
    EXPECT_FALSE(loaded.Load(in, config_) && in.ok()) << size;
  }
}

TEST_F(CustomerStateSnapshotTest, HugeCountsAreRefusedWithoutAllocating) {
  // A huge number written at every position, counts included: where it
  // lands on a count, Load must refuse rather than try to allocate billions
  // of elements (which would throw or exhaust memory here).
  int refused = 0;
  for (size_t at = 0; at + 4 <= bytes_.size(); ++at) {
    std::string bytes = bytes_;
    const uint32_t huge = 0xfffffff0;
    std::memcpy(bytes.data() + at, &huge, sizeof(huge));
    SnapshotReader in(bytes);
    CustomerState loaded;
    if (!loaded.Load(in, config_)) ++refused;
  }
  EXPECT_GT(refused, 0);
}

TEST_F(CustomerStateSnapshotTest, OtherMetricCountIsRefused) {
  const StateConfig fewer = TestConfig(R"pb(
    signals { window_days: 30 repeat_window_days: 5 }
    recent_events: 4
    metrics { name: "spend" aggregation: SUM field: "value" window: "60d" }
  )pb");
  SnapshotReader in(bytes_);
  CustomerState loaded;
  EXPECT_FALSE(loaded.Load(in, fewer));
}

}  // namespace
}  // namespace motive::state
