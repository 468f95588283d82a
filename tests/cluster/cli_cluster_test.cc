// Two CLI processes on two database files share one history through the
// cluster (issue 17): `motive ingest --cluster` on one, `motive context` and
// `motive timeline` on the other.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/nats_cluster.h"
#include "tests/testing/temp_dir.h"

namespace motive {
namespace {

using ::motive::testing::NatsCluster;
using ::testing::HasSubstr;

// Runs `command` through the shell; its exit status and standard output
// (standard error joined to it).
struct Ran {
  int status;
  std::string output;
};
Ran Shell(const std::string& command) {
  Ran run{-1, ""};
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(
      popen((command + " 2>&1").c_str(), "r"), &pclose);
  if (pipe == nullptr) return run;
  char chunk[4096];
  while (size_t n = fread(chunk, 1, sizeof(chunk), pipe.get())) {
    run.output.append(chunk, n);
  }
  run.status = pclose(pipe.release());
  return run;
}

TEST(CliClusterTest, TwoProcessesShareOneHistory) {
  if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
  absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  motive::testing::TempDir dir;
  const std::string events = dir.File("events.jsonl");
  std::ofstream(events)
      << R"({"event_id":"e1","customer_id":"ana","occurred_at":"2025-06-01T10:00:00Z","channel":"chat","type":"contact","topic":"billing","outcome":"unresolved"})"
      << "\n"
      << R"({"event_id":"e2","customer_id":"ana","occurred_at":"2025-06-02T10:00:00Z","channel":"voice","type":"contact","topic":"billing"})"
      << "\n";
  const std::string shared =
      absl::StrCat(" --cluster ", (*cluster)->urls(), " --tenant cli");
  const Ran ingest = Shell(absl::StrCat(MOTIVE_CLI, " ingest --db ",
                                        dir.File("a.db"), shared, " ", events));
  ASSERT_EQ(ingest.status, 0) << ingest.output;
  // Another process, another database: the events come through the cluster.
  const Ran timeline = Shell(absl::StrCat(
      MOTIVE_CLI, " timeline --db ", dir.File("b.db"), shared, " ana"));
  ASSERT_EQ(timeline.status, 0) << timeline.output;
  EXPECT_THAT(timeline.output, HasSubstr("customer ana: 2 events"));
  EXPECT_THAT(timeline.output, HasSubstr("billing, unresolved"));
  // Without the cluster, the second node still has what it applied.
  const Ran alone =
      Shell(absl::StrCat(MOTIVE_CLI, " timeline --db ", dir.File("b.db"),
                         " ana"));
  EXPECT_EQ(alone.status, 0) << alone.output;
  EXPECT_THAT(alone.output, HasSubstr("customer ana: 2 events"));
  // A cluster that does not answer is a clear failure.
  const Ran unreachable = Shell(absl::StrCat(
      MOTIVE_CLI, " ingest --db ", dir.File("c.db"),
      " --cluster nats://127.0.0.1:1 --tenant cli ", events));
  EXPECT_NE(unreachable.status, 0);
  EXPECT_THAT(unreachable.output, HasSubstr("nats://127.0.0.1:1"));
}

// An engine killed (-9) while it ingests through the cluster: run again, the
// import completes, and every node holds each event once.
TEST(CliClusterTest, AnEngineKilledMidImportLosesNothingAndStoresNothingTwice) {
  if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
  absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  motive::testing::TempDir dir;
  const std::string journeys = dir.File("journeys.jsonl");
  const Ran generated = Shell(absl::StrCat(
      MOTIVE_CLI, " generate --customers 2000 --seed 7 --out ", journeys));
  ASSERT_EQ(generated.status, 0) << generated.output;
  int64_t lines = 0;
  {
    std::ifstream in(journeys);
    for (std::string line; std::getline(in, line);) ++lines;
  }
  const std::string a = dir.File("a.db");
  const std::string urls = (*cluster)->urls();
  const pid_t pid = fork();
  ASSERT_NE(pid, -1);
  if (pid == 0) {
    execl(MOTIVE_CLI, "motive", "ingest", "--db", a.c_str(), "--cluster",
          urls.c_str(), "--tenant", "kill", journeys.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  absl::SleepFor(absl::Milliseconds(1500));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  const Ran again =
      Shell(absl::StrCat(MOTIVE_CLI, " ingest --db ", a, " --cluster ", urls,
                         " --tenant kill ", journeys));
  ASSERT_EQ(again.status, 0) << again.output;
  engine::EngineOptions options;
  options.cluster.servers = urls;
  options.cluster.tenant = "kill";
  for (const std::string& node : {a, dir.File("b.db")}) {
    absl::StatusOr<std::unique_ptr<engine::Engine>> engine =
        engine::Engine::Open(node, options);
    ASSERT_TRUE(engine.ok()) << engine.status();
    EXPECT_EQ(*(*engine)->log().CountEvents(), lines) << node;
  }
}

}  // namespace
}  // namespace motive
