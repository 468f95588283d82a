// The cluster's figures (issue 17), against three nats-server processes on
// loopback, with a single-node engine measured in the same run as the
// yardstick: `make bench-cluster` (about a minute). Prints
//
//   freshness   from Record returning on node A to the event being in node
//               B's summary: p50, p99
//   writes      events/s acknowledged: one at a time (Record) and in batches
//               (Ingest), each against the single-node engine doing the same
//   catch-up    a new node opening on the streams: events/s applied
//   reads       B's summary and decision p50/p99 while it applies A's
//               ingest, and idle
//   reopen      B closed with a snapshot and opened again: the time to
//               serve
//
// EVENTS (default 20000) sets the size of the batch runs.

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/event_source.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::motive::testing::EventSource;
using ::motive::testing::NatsCluster;

constexpr int64_t kStartUs = int64_t{1749988800} * 1000 * 1000;

constexpr char kRules[] = R"pb(
  version: "bench"
  actions { id: "apology" group: "service_recovery" service: true }
  actions { id: "upgrade" group: "upsell" value: 2 }
  playbooks {
    name: "inbound"
    rules { action: "apology" eligibility: "customer.strikes >= 1" }
    rules { action: "upgrade" suitability: "customer.strikes == 0" }
  }
  contact_policy { caps { group: "upsell" max: 1 window: "30d" } }
)pb";

v1::Event Contact(const std::string& prefix, int i) {
  v1::Event e;
  e.set_event_id(absl::StrCat(prefix, i));
  e.set_customer_id(absl::StrCat("c", i % 5000));
  e.set_type("contact");
  e.set_channel(v1::VOICE);
  e.set_topic("billing");
  *e.mutable_occurred_at() =
      model::FromUnixMicros(kStartUs - int64_t{1000000} * (i % 86400));
  return e;
}

std::vector<v1::Event> Contacts(const std::string& prefix, int n) {
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) events.push_back(Contact(prefix, i));
  return events;
}

struct Percentiles {
  double p50_us, p99_us;
};
Percentiles Of(std::vector<absl::Duration> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return absl::ToDoubleMicroseconds(
        samples[std::min(samples.size() - 1,
                         static_cast<size_t>(q * samples.size()))]);
  };
  return {at(0.50), at(0.99)};
}

uint64_t Events(Engine& engine, const std::string& customer) {
  state::Summary summary;
  engine.Summarize(customer, 0, &summary).IgnoreError();
  return summary.known ? summary.events : 0;
}

TEST(ClusterBench, Figures) {
  if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
  const char* env = std::getenv("EVENTS");
  const int n = env != nullptr ? std::max(100, std::atoi(env)) : 20000;
  absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  motive::testing::TempDir dir;
  auto options = [&](bool clustered) {
    EngineOptions o;
    o.clock = [] { return absl::FromUnixMicros(kStartUs); };
    o.log.durability = store::Durability::kFull;
    o.ruleset_text = kRules;
    if (clustered) {
      o.cluster.servers = (*cluster)->urls();
      o.cluster.tenant = "bench";
    }
    return o;
  };
  auto open = [&](const std::string& name, bool clustered) {
    auto engine = Engine::Open(dir.File(name), options(clustered));
    EXPECT_TRUE(engine.ok()) << engine.status();
    return engine.ok() ? *std::move(engine) : nullptr;
  };
  auto single = open("single.db", false);
  auto a = open("a.db", true);
  auto b = open("b.db", true);
  ASSERT_TRUE(single && a && b);

  // Freshness, and one-at-a-time writes.
  const int singles = std::min(n, 2000);
  std::vector<absl::Duration> freshness;
  absl::Duration a_writes, single_writes;
  for (int i = 0; i < singles; ++i) {
    v1::Event event = Contact("f", i);
    const std::string customer = event.customer_id();
    const uint64_t before = Events(*b, customer);
    absl::Time start = absl::Now();
    ASSERT_TRUE(a->Record(event).ok());
    const absl::Time returned = absl::Now();
    a_writes += returned - start;
    while (Events(*b, customer) == before) {
      ASSERT_LT(absl::Now() - returned, absl::Seconds(10));
    }
    freshness.push_back(absl::Now() - returned);
    start = absl::Now();
    ASSERT_TRUE(single->Record(std::move(event)).ok());
    single_writes += absl::Now() - start;
  }
  const Percentiles fresh = Of(freshness);
  const double a_rate = singles / absl::ToDoubleSeconds(a_writes);
  const double single_rate = singles / absl::ToDoubleSeconds(single_writes);

  // Batches, with B's summaries measured meanwhile.
  const std::vector<v1::Event> batch = Contacts("b", n);
  std::atomic<bool> ingesting{true};
  std::vector<absl::Duration> busy_reads, busy_decisions;
  v1::Situation situation;
  situation.set_channel(v1::VOICE);
  std::thread reader([&] {
    int i = 0;
    while (ingesting.load()) {
      const std::string customer = absl::StrCat("c", i++ % 5000);
      state::Summary summary;
      absl::Time start = absl::Now();
      b->Summarize(customer, 0, &summary).IgnoreError();
      busy_reads.push_back(absl::Now() - start);
      v1::Decision decision;
      start = absl::Now();
      b->Decide(customer, situation, &decision).IgnoreError();
      busy_decisions.push_back(absl::Now() - start);
    }
  });
  IngestCounts counts;
  EventSource source(batch);
  absl::Time start = absl::Now();
  ASSERT_TRUE(a->Ingest(source, IngestOptions(), &counts).ok());
  const double a_batch = n / absl::ToDoubleSeconds(absl::Now() - start);
  // B has applied it all once it holds the last customer's last event.
  while (b->cluster_stats().lag > 0 ||
         b->cluster_stats().applied < static_cast<uint64_t>(singles + n)) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ingesting = false;
  reader.join();
  EventSource single_source(batch);
  start = absl::Now();
  ASSERT_TRUE(single->Ingest(single_source, IngestOptions(), &counts).ok());
  const double single_batch = n / absl::ToDoubleSeconds(absl::Now() - start);
  std::vector<absl::Duration> idle_reads, idle_decisions;
  for (int i = 0; i < 20000; ++i) {
    const std::string customer = absl::StrCat("c", i % 5000);
    state::Summary summary;
    absl::Time t = absl::Now();
    b->Summarize(customer, 0, &summary).IgnoreError();
    idle_reads.push_back(absl::Now() - t);
    v1::Decision decision;
    t = absl::Now();
    b->Decide(customer, situation, &decision).IgnoreError();
    idle_decisions.push_back(absl::Now() - t);
  }
  const Percentiles busy = Of(busy_reads), idle = Of(idle_reads);
  const Percentiles busy_decide = Of(busy_decisions),
                    idle_decide = Of(idle_decisions);

  // B closed with a snapshot, and opened again.
  ASSERT_TRUE(b->WriteSnapshot().ok());
  b.reset();
  start = absl::Now();
  b = open("b.db", true);
  ASSERT_TRUE(b != nullptr);
  const double reopen_ms = absl::ToDoubleMilliseconds(absl::Now() - start);
  EXPECT_TRUE(b->open_report().from_snapshot);

  // Catch-up: a new node applies everything the streams hold.
  start = absl::Now();
  auto c = open("c.db", true);
  ASSERT_TRUE(c != nullptr);
  const double catch_up_s = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_EQ(c->cluster_stats().applied, static_cast<uint64_t>(singles + n));

  std::printf(
      "cluster figures (3 servers on loopback, R3; durability full):\n"
      "  freshness A->B: p50 %.0f us, p99 %.0f us (%d events)\n"
      "  writes one at a time: %.0f events/s acknowledged; single node %.0f "
      "(%.2fx)\n"
      "  writes in batches: %.0f events/s acknowledged; single node %.0f "
      "(%.2fx)\n"
      "  catch-up of a new node: %d events in %.2f s (%.0f events/s)\n"
      "  B's summary while applying: p50 %.2f us, p99 %.2f us; idle p50 "
      "%.2f us, p99 %.2f us\n"
      "  B's decision while applying: p50 %.2f us, p99 %.2f us; idle p50 "
      "%.2f us, p99 %.2f us\n"
      "  B reopened with its snapshot: %.0f ms\n",
      fresh.p50_us, fresh.p99_us, singles, a_rate, single_rate,
      a_rate / single_rate, a_batch, single_batch, a_batch / single_batch,
      singles + n, catch_up_s, (singles + n) / catch_up_s, busy.p50_us,
      busy.p99_us, idle.p50_us, idle.p99_us, busy_decide.p50_us,
      busy_decide.p99_us, idle_decide.p50_us, idle_decide.p99_us, reopen_ms);
}

}  // namespace
}  // namespace motive::engine
