// Engines as nodes of one cluster (issue 17), against three real nats-server
// processes on loopback: what one node records, the others apply; a retry is
// stored once; a restarted node catches up from its stored place; a server
// killed under load loses nothing acknowledged; without the cluster, writes
// fail and reads go on.

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/decision_testing.h"
#include "tests/testing/event_source.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::motive::testing::Dropped;
using ::motive::testing::EventSource;
using ::motive::testing::NatsCluster;
using ::motive::testing::Ranked;
using ::testing::ElementsAre;

constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
// 2025-06-15 12:00 UTC.
constexpr int64_t kStartUs = int64_t{1749988800} * 1000 * 1000;

constexpr char kRules[] = R"pb(
  version: "r1"
  actions { id: "upgrade" group: "upsell" value: 2 }
  playbooks {
    name: "inbound"
    rules { action: "upgrade" }
  }
  contact_policy { caps { group: "upsell" max: 1 window: "30d" } }
)pb";

class EngineClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
    absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = *std::move(cluster);
  }

  EngineOptions Options() {
    EngineOptions options;
    options.clock = [] { return absl::FromUnixMicros(kStartUs); };
    options.log.durability = store::Durability::kGroup;
    options.ruleset_text = kRules;
    options.cluster.servers = cluster_->urls();
    options.cluster.tenant = "test";
    options.cluster.partitions = 16;
    options.cluster.streams = 2;
    options.cluster.open_timeout = absl::Seconds(30);
    return options;
  }
  std::unique_ptr<Engine> OpenNode(const std::string& name) {
    auto engine = Engine::Open(dir_.File(name + ".db"), Options());
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  }

  static v1::Event Contact(const std::string& id, const std::string& customer,
                           int64_t age_us = kHourUs) {
    v1::Event e;
    e.set_event_id(id);
    e.set_customer_id(customer);
    e.set_type("contact");
    e.set_channel(v1::VOICE);
    e.set_topic("billing");
    e.set_outcome(v1::UNRESOLVED);
    *e.mutable_occurred_at() = model::FromUnixMicros(kStartUs - age_us);
    return e;
  }

  static uint64_t Events(Engine& engine, const std::string& customer) {
    state::Summary summary;
    EXPECT_TRUE(engine.Summarize(customer, 0, &summary).ok());
    return summary.known ? summary.events : 0;
  }

  // Waits (up to `wait`) until `engine` holds `events` events of
  // `customer`. Generous: a test run beside a sanitizer build may wait
  // seconds for a core.
  static bool Reaches(Engine& engine, const std::string& customer,
                      uint64_t events,
                      absl::Duration wait = absl::Seconds(30)) {
    const absl::Time deadline = absl::Now() + wait;
    while (Events(engine, customer) != events) {
      if (absl::Now() > deadline) return false;
      absl::SleepFor(absl::Milliseconds(5));
    }
    return true;
  }

  static std::string Context(Engine& engine, const std::string& customer) {
    v1::Context context;
    EXPECT_TRUE(engine.Describe(customer, 0, &context).ok());
    return context.SerializeAsString();
  }

  // The messages the tenant's streams hold, read through a connection of
  // the test's own.
  uint64_t StreamMessages() {
    absl::StatusOr<motive::testing::NatsConnectionPtr> connection =
        motive::testing::ConnectNats(cluster_->urls());
    EXPECT_TRUE(connection.ok()) << connection.status();
    if (!connection.ok()) return 0;
    jsCtx* js = nullptr;
    EXPECT_EQ(natsConnection_JetStream(&js, connection->get(), nullptr),
              NATS_OK);
    motive::testing::JsCtxPtr owned(js);
    uint64_t messages = 0;
    for (const char* stream : {"MOTIVE_test_0", "MOTIVE_test_1"}) {
      jsStreamInfo* info = nullptr;
      EXPECT_EQ(js_GetStreamInfo(&info, js, stream, nullptr, nullptr),
                NATS_OK);
      motive::testing::JsStreamInfoPtr owned_info(info);
      if (info != nullptr) messages += info->State.Msgs;
    }
    return messages;
  }

  motive::testing::TempDir dir_;
  std::unique_ptr<NatsCluster> cluster_;
};

TEST_F(EngineClusterTest, WhatOneNodeRecordsTheOtherApplies) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  absl::StatusOr<bool> recorded = a->Record(Contact("e1", "c1"));
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_TRUE(*recorded);
  // The writer reads its own write at once; the other node within the
  // freshness delay.
  EXPECT_EQ(Events(*a, "c1"), 1u);
  ASSERT_TRUE(Reaches(*b, "c1", 1));
  ASSERT_TRUE(b->Record(Contact("e2", "c1", 2 * kHourUs)).ok());
  ASSERT_TRUE(Reaches(*a, "c1", 2));
  EXPECT_EQ(Context(*a, "c1"), Context(*b, "c1"));
  // As-of queries replay each node's own log, and agree.
  state::Summary past_a, past_b;
  ASSERT_TRUE(a->Summarize("c1", kStartUs - 90 * 60 * 1000000ll, &past_a).ok());
  ASSERT_TRUE(b->Summarize("c1", kStartUs - 90 * 60 * 1000000ll, &past_b).ok());
  EXPECT_EQ(past_a.events, 1u);
  EXPECT_EQ(past_b.events, 1u);

  const cluster::Replicator::Stats stats = b->cluster_stats();
  EXPECT_TRUE(stats.connected);
  EXPECT_EQ(stats.applied, 2u);
  EXPECT_EQ(stats.lag, 0u);
}

TEST_F(EngineClusterTest, EveryNodeResolvesIdentitiesAlike) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  auto with = [](v1::Event e,
                 std::vector<std::pair<std::string, std::string>> ids) {
    e.clear_customer_id();
    for (auto& [ns, value] : ids) {
      v1::Identifier* id = e.add_identifiers();
      id->set_namespace_(ns);
      id->set_value(value);
    }
    return e;
  };
  // A call known by its phone on A, a chat by its email on B, then an email
  // that carries both on A: the two profiles merge on every node.
  ASSERT_TRUE(a->Record(with(Contact("p1", ""), {{"phone", "+14155550100"}})).ok());
  ASSERT_TRUE(
      b->Record(with(Contact("m1", "", 2 * kHourUs), {{"email", "ana@example.com"}}))
          .ok());
  ASSERT_TRUE(a->Record(with(Contact("pm", "", 3 * kHourUs),
                             {{"phone", "+14155550100"},
                              {"email", "ana@example.com"}}))
                  .ok());
  absl::StatusOr<std::string> on_a = a->Resolve("email", "ana@example.com");
  ASSERT_TRUE(on_a.ok()) << on_a.status();
  ASSERT_TRUE(Reaches(*b, *on_a, 3));
  absl::StatusOr<std::string> on_b = b->Resolve("phone", "+14155550100");
  ASSERT_TRUE(on_b.ok()) << on_b.status();
  EXPECT_EQ(*on_a, *on_b);
  EXPECT_EQ(Context(*a, *on_a), Context(*b, *on_b));
}

TEST_F(EngineClusterTest, AnOfferOnOneNodeCountsAgainstTheCapOnAnother) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Record(Contact("e1", "c1")).ok());
  v1::Situation situation;
  situation.set_channel(v1::VOICE);
  v1::Decision decision;
  ASSERT_TRUE(a->Decide("c1", situation, &decision).ok());
  ASSERT_THAT(Ranked(decision), ElementsAre("upgrade"));
  decide::Feedback feedback;
  feedback.customer_id = "c1";
  feedback.decision_id = decision.decision_id();
  feedback.action = "upgrade";
  feedback.outcome = v1::OFFERED;
  feedback.channel = v1::VOICE;
  ASSERT_TRUE(a->RecordFeedback(feedback).ok());
  ASSERT_TRUE(Reaches(*b, "c1", Events(*a, "c1")));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  v1::Decision on_b;
  do {
    ASSERT_TRUE(b->Decide("c1", situation, &on_b).ok());
    if (Ranked(on_b).empty()) break;
    absl::SleepFor(absl::Milliseconds(5));
  } while (absl::Now() < deadline);
  EXPECT_THAT(Ranked(on_b), ElementsAre());
  EXPECT_THAT(Dropped(on_b), ElementsAre("upgrade/cap"));
}

TEST_F(EngineClusterTest, ARetryIsStoredOnceOnEveryNode) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a->Record(Contact("e1", "c1")));
  // The same event again, from the writer and from another node: the
  // stream's duplicate window answers.
  EXPECT_FALSE(*a->Record(Contact("e1", "c1")));
  EXPECT_FALSE(*b->Record(Contact("e1", "c1")));
  ASSERT_TRUE(Reaches(*b, "c1", 1));
  EXPECT_EQ(*a->log().CountEvents(), 1);
  EXPECT_EQ(*b->log().CountEvents(), 1);

  // A batch with a duplicate inside it and one already stored.
  std::vector<v1::Event> batch = {Contact("e2", "c2"), Contact("e2", "c2"),
                                  Contact("e1", "c1")};
  EventSource source(std::move(batch));
  IngestCounts counts;
  ASSERT_TRUE(a->Ingest(source, IngestOptions(), &counts).ok());
  EXPECT_EQ(counts.accepted, 1u);
  EXPECT_EQ(counts.duplicates, 2u);
  ASSERT_TRUE(Reaches(*b, "c2", 1));
  EXPECT_EQ(*b->log().CountEvents(), 2);
}

TEST_F(EngineClusterTest, ARestartedNodeCatchesUpFromItsPlace) {
  auto a = OpenNode("a");
  ASSERT_TRUE(a != nullptr);
  {
    auto b = OpenNode("b");
    ASSERT_TRUE(b != nullptr);
    ASSERT_TRUE(a->Record(Contact("e1", "c1")).ok());
    ASSERT_TRUE(Reaches(*b, "c1", 1));
  }
  // Written while b is away.
  for (int i = 2; i <= 50; ++i) {
    ASSERT_TRUE(a->Record(Contact(absl::StrCat("e", i), "c1", i * kHourUs)).ok());
  }
  auto b = OpenNode("b");
  ASSERT_TRUE(b != nullptr);
  // Open returns caught up; nothing was applied twice.
  EXPECT_EQ(Events(*b, "c1"), 50u);
  EXPECT_EQ(*b->log().CountEvents(), 50);
  EXPECT_EQ(b->cluster_stats().applied, 49u);
  EXPECT_EQ(Context(*a, "c1"), Context(*b, "c1"));
}

TEST_F(EngineClusterTest, ANewNodeStartsFromACopyOfAnother) {
  auto a = OpenNode("a");
  ASSERT_TRUE(a != nullptr);
  for (int i = 1; i <= 30; ++i) {
    ASSERT_TRUE(a->Record(Contact(absl::StrCat("e", i), "c1", i * kHourUs)).ok());
  }
  {
    auto b = OpenNode("b");
    ASSERT_TRUE(b != nullptr);
    ASSERT_TRUE(b->WriteSnapshot().ok());
  }
  // A database and its snapshot, copied while their node is closed, hold
  // its place in the streams: the new node applies only what came after.
  for (const char* suffix : {"", "-snapshot"}) {
    std::filesystem::copy_file(dir_.File(absl::StrCat("b.db", suffix)),
                               dir_.File(absl::StrCat("c.db", suffix)));
  }
  for (int i = 31; i <= 40; ++i) {
    ASSERT_TRUE(a->Record(Contact(absl::StrCat("e", i), "c1", i * kHourUs)).ok());
  }
  auto c = OpenNode("c");
  ASSERT_TRUE(c != nullptr);
  EXPECT_TRUE(c->open_report().from_snapshot);
  EXPECT_EQ(c->cluster_stats().applied, 10u);
  EXPECT_EQ(Events(*c, "c1"), 40u);
  EXPECT_EQ(Context(*a, "c1"), Context(*c, "c1"));
}

TEST_F(EngineClusterTest, AnErasureReachesEveryNodeAndTheStreams) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(a->Record(Contact(absl::StrCat("x", i), "gone", i * kHourUs)).ok());
    ASSERT_TRUE(a->Record(Contact(absl::StrCat("y", i), "kept", i * kHourUs)).ok());
  }
  ASSERT_TRUE(Reaches(*b, "gone", 5));
  // Asked on b; a erases it too, before b's call returns on b.
  absl::StatusOr<uint64_t> erased = b->EraseCustomer("gone");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(*erased, 5u);
  EXPECT_EQ(Events(*b, "gone"), 0u);
  ASSERT_TRUE(Reaches(*a, "gone", 0));
  EXPECT_EQ(*a->log().CountEvents(), 5);
  EXPECT_EQ(*b->log().CountEvents(), 5);
  EXPECT_EQ(Events(*a, "kept"), 5u);
  // The streams hold the ten events less the five erased, and the
  // instruction.
  EXPECT_EQ(StreamMessages(), 6u);
  // A node that joins later never sees the erased events.
  auto c = OpenNode("c");
  ASSERT_TRUE(c != nullptr);
  EXPECT_EQ(Events(*c, "gone"), 0u);
  EXPECT_EQ(Events(*c, "kept"), 5u);
  EXPECT_EQ(*c->log().CountEvents(), 5);
}

TEST_F(EngineClusterTest, AServerKilledUnderLoadLosesNothingAcknowledged) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 100000; ++i) {
      const std::string id = absl::StrCat("w", i);
      // A write the cluster did not acknowledge is retried, as a caller
      // would: it is stored once however often it is sent.
      for (int attempt = 0; attempt < 50; ++attempt) {
        absl::StatusOr<bool> recorded =
            a->Record(Contact(id, absl::StrCat("c", i % 20), i + 1));
        if (recorded.ok()) {
          acknowledged.push_back(id);
          break;
        }
        absl::SleepFor(absl::Milliseconds(50));
      }
    }
  });
  absl::SleepFor(absl::Milliseconds(300));
  cluster_->Kill(1);
  absl::SleepFor(absl::Milliseconds(700));
  stop = true;
  writer.join();
  ASSERT_GT(acknowledged.size(), 20u);
  ASSERT_TRUE(cluster_->Restart(1).ok());
  // Every node converges to the same state, and holds every acknowledged
  // event once.
  for (int c = 0; c < 20; ++c) {
    const std::string customer = absl::StrCat("c", c);
    const uint64_t expected = Events(*a, customer);
    // A node whose consumer was on the killed server gets a new one after
    // a few missed heartbeats; a loaded machine may take longer.
    EXPECT_TRUE(Reaches(*b, customer, expected, absl::Seconds(60)))
        << customer;
    EXPECT_EQ(Context(*a, customer), Context(*b, customer)) << customer;
  }
  EXPECT_EQ(*a->log().CountEvents(),
            static_cast<int64_t>(acknowledged.size()));
  EXPECT_EQ(*b->log().CountEvents(),
            static_cast<int64_t>(acknowledged.size()));
}

// The supervisor asks the server about quiet feeds, and leaves a consumer
// that delivers everything alone.
TEST_F(EngineClusterTest, AQuietHealthyNodeKeepsItsConsumers) {
  auto a = OpenNode("a");
  auto b = OpenNode("b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Record(Contact("e1", "c1")).ok());
  ASSERT_TRUE(Reaches(*b, "c1", 1));
  // Longer than a feed may stay quiet before it is checked (5 s).
  absl::SleepFor(absl::Seconds(7));
  EXPECT_EQ(a->cluster_stats().resubscribed, 0u);
  EXPECT_EQ(b->cluster_stats().resubscribed, 0u);
  ASSERT_TRUE(a->Record(Contact("e2", "c1", 2 * kHourUs)).ok());
  EXPECT_TRUE(Reaches(*b, "c1", 2));
}

TEST_F(EngineClusterTest, WithoutTheClusterWritesFailAndReadsGoOn) {
  auto a = OpenNode("a");
  ASSERT_TRUE(a != nullptr);
  ASSERT_TRUE(a->Record(Contact("e1", "c1")).ok());
  cluster_->Stop();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (a->cluster_stats().connected && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const cluster::Replicator::Stats stats = a->cluster_stats();
  EXPECT_FALSE(stats.connected);
  EXPECT_LE(stats.last_contact, absl::Now());
  absl::StatusOr<bool> recorded = a->Record(Contact("e2", "c1"));
  ASSERT_FALSE(recorded.ok());
  EXPECT_EQ(base::KindOf(recorded.status()), base::ErrorKind::kUnreachable)
      << recorded.status();
  // Nothing was recorded here either, and the state still answers.
  EXPECT_EQ(Events(*a, "c1"), 1u);
  EXPECT_EQ(*a->log().CountEvents(), 1);
}

TEST_F(EngineClusterTest, ANodeHoldingSomePartitionsAnswersForTheirCustomers) {
  // Of 16 partitions, c1 is in 9 and c2 in 0 (FNV-1a 64).
  ASSERT_EQ(cluster::PartitionOf("c1", 16), 9u);
  ASSERT_EQ(cluster::PartitionOf("c2", 16), 0u);
  auto a = OpenNode("a");
  ASSERT_TRUE(a != nullptr);
  EngineOptions options = Options();
  options.cluster.held_partitions = {9};
  absl::StatusOr<std::unique_ptr<Engine>> h =
      Engine::Open(dir_.File("h.db"), std::move(options));
  ASSERT_TRUE(h.ok()) << h.status();
  ASSERT_TRUE(a->Record(Contact("e1", "c1")).ok());
  ASSERT_TRUE(a->Record(Contact("e2", "c2")).ok());
  ASSERT_TRUE(Reaches(**h, "c1", 1));
  state::Summary summary;
  const absl::Status refused = (*h)->Summarize("c2", 0, &summary);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition) << refused;
  EXPECT_THAT(refused.message(), ::testing::HasSubstr("partition 0"));
  EXPECT_EQ((*h)->Timeline("c2", {}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A write for a partition it does not hold goes to the cluster, and
  // returns without waiting to apply it here.
  ASSERT_TRUE((*h)->Record(Contact("e3", "c2", 2 * 3600000000ll)).ok());
  ASSERT_TRUE(Reaches(*a, "c2", 2));
  EXPECT_EQ(*(*h)->log().CountEvents(), 1);
  EXPECT_EQ((*h)->cluster_stats().positions.count("motive.test.ev.9"), 1u);
}

TEST_F(EngineClusterTest, NodesMustAgreeOnTheLayout) {
  auto a = OpenNode("a");
  ASSERT_TRUE(a != nullptr);
  EngineOptions options = Options();
  options.cluster.partitions = 32;
  absl::StatusOr<std::unique_ptr<Engine>> other =
      Engine::Open(dir_.File("other.db"), std::move(options));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition)
      << other.status();
}

}  // namespace
}  // namespace motive::engine
