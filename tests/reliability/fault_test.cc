// I/O faults at every position of a scripted workload: SQLite's writes,
// syncs and reads (through a failing VFS) and motive's own (the snapshot
// file, the WAL's sync), failing once or from then on. For each:
//
//   - every call either succeeds or fails with a clear status (a code that
//     says I/O, data loss or busy, and a message), never a crash;
//   - after a fault that passed, the engine records again, unless it said
//     it refuses writes until reopened (a failed WAL sync);
//   - once the fault clears, the database opens clean, holds every event
//     that was acknowledged (and nothing of an erased customer), and the
//     state it opens with equals a rebuild from the log.
//
// MOTIVE_FAULT_POSITIONS (default 12) bounds how many positions of each
// fault are tried, spread over the workload; 0 tries every one.

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"
#include "model/event_validation.h"
#include "model/record_reader.h"
#include "tests/testing/fault_injection.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive {
namespace {

using testing::Fault;
using testing::FaultInjector;

const absl::Time kNow = absl::FromUnixSeconds(1767225600);
constexpr int kCustomers = 5;
constexpr char kErased[] = "customer-3";

engine::EngineOptions Options(store::Durability durability, bool faulty) {
  engine::EngineOptions options;
  options.clock = [] { return kNow; };
  options.log.durability = durability;
  options.log.group_commit_delay = absl::Milliseconds(1);
  if (faulty) {
    options.log.file_io = FaultInjector::Get().file_io();
    options.log.sqlite_vfs = FaultInjector::kVfsName;
  }
  return options;
}

v1::Event MakeEvent(int i) {
  v1::Event e;
  e.set_event_id(absl::StrCat("event-", i));
  e.set_customer_id(absl::StrCat("customer-", i % kCustomers));
  e.set_type(i % 4 == 0 ? "purchase" : "contact");
  e.set_channel(static_cast<v1::Channel>(1 + i % 3));
  if (i % 4 == 0) e.set_value(20 + i);
  e.set_sentiment((i % 7 - 3) / 3.0);
  *e.mutable_occurred_at() =
      model::FromUnixMicros((1760000000LL + i * 3600LL) * 1000000);
  return e;
}

// What a run of the workload did.
struct Run {
  std::set<std::string> acked;
  bool erased = false;          // the erasure was acknowledged
  bool refuses_writes = false;  // the engine said so
  int failures = 0;
  // Whether a call succeeded after the first failure, and whether there was
  // a call after it at all.
  bool ok_after_failure = false;
  bool call_after_failure = false;
};

// A failed call must say what is wrong, with a code a caller can act on.
void ExpectClear(const absl::Status& status, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_FALSE(status.message().empty()) << status;
  EXPECT_TRUE(base::KindOf(status) == base::ErrorKind::kIo ||
              absl::IsDataLoss(status) || absl::IsUnavailable(status) ||
              absl::IsResourceExhausted(status) ||
              absl::IsFailedPrecondition(status) || absl::IsInternal(status))
      << status;
}

// The script: an open, single events, a batch, an erasure, a snapshot, a
// flush, more events; every call's outcome noted.
Run Workload(const std::string& path, store::Durability durability) {
  Run run;
  auto opened = engine::Engine::Open(path, Options(durability, true));
  if (!opened.ok()) {
    ExpectClear(opened.status(), "open");
    ++run.failures;
    return run;
  }
  engine::Engine& engine = **opened;
  auto note = [&](const absl::Status& status, const std::string& what) {
    if (run.failures > 0) {
      run.call_after_failure = true;
      run.ok_after_failure |= status.ok();
    }
    if (status.ok()) return true;
    ExpectClear(status, what);
    ++run.failures;
    if (absl::StrContains(status.message(), "refuses writes")) {
      run.refuses_writes = true;
    }
    return false;
  };
  int next = 0;
  auto record = [&](int n) {
    for (int i = 0; i < n; ++i, ++next) {
      absl::StatusOr<bool> stored = engine.Record(MakeEvent(next));
      if (note(stored.status(), absl::StrCat("record ", next))) {
        run.acked.insert(MakeEvent(next).event_id());
      }
    }
  };
  record(20);
  {
    std::string jsonl;
    std::vector<std::string> ids;
    for (int i = 0; i < 15; ++i, ++next) {
      std::string line;
      EXPECT_TRUE(
          model::Encode(model::WireFormat::kJson, MakeEvent(next), &line).ok());
      jsonl += line + "\n";
      ids.push_back(MakeEvent(next).event_id());
    }
    model::RecordReader reader(model::InputFormat::kJsonl,
                               model::WholeBuffer(jsonl));
    engine::IngestCounts counts;
    if (note(engine.Ingest(reader, {}, &counts), "ingest")) {
      run.acked.insert(ids.begin(), ids.end());
    }
  }
  run.erased = note(engine.EraseCustomer(kErased).status(), "erase");
  note(engine.WriteSnapshot(), "snapshot");
  note(engine.Flush(), "flush");
  record(10);
  return run;
}

// Opens the database with nothing failing and checks what survived.
void CheckAfter(const std::string& path, const Run& run,
                store::Durability durability) {
  FaultInjector::Get().Disarm();
  auto engine = engine::Engine::Open(path, Options(durability, false));
  ASSERT_TRUE(engine.ok()) << "the database does not open clean: "
                           << engine.status();
  std::set<std::string> stored;
  for (int c = 0; c < kCustomers; ++c) {
    const std::string customer = absl::StrCat("customer-", c);
    auto events = (*engine)->Timeline(customer, {});
    ASSERT_TRUE(events.ok()) << events.status();
    for (const v1::Event& e : *events) stored.insert(e.event_id());
  }
  // The erased customer's events from before the erasure (events 0 to 34):
  // gone when it was acknowledged; all or none when it failed, since a
  // failed erasure may have deleted them before it failed (and says to call
  // it again).
  int before_erasure = 0;
  int before_erasure_kept = 0;
  for (const std::string& id : run.acked) {
    const int i = std::atoi(id.c_str() + std::string("event-").size());
    if (MakeEvent(i).customer_id() == kErased && i < 35) {
      ++before_erasure;
      before_erasure_kept += static_cast<int>(stored.count(id));
      continue;
    }
    EXPECT_TRUE(stored.count(id)) << "acknowledged " << id << " is lost";
  }
  if (run.erased) {
    EXPECT_EQ(before_erasure_kept, 0);
  } else {
    EXPECT_TRUE(before_erasure_kept == 0 ||
                before_erasure_kept == before_erasure)
        << before_erasure_kept << " of " << before_erasure;
  }
  engine::EngineOptions options = Options(durability, false);
  options.snapshot_path = "-";
  options.log.read_only = true;
  auto rebuild = engine::Engine::Open(path, options);
  ASSERT_TRUE(rebuild.ok()) << rebuild.status();
  for (int c = 0; c < kCustomers; ++c) {
    const std::string customer = absl::StrCat("customer-", c);
    state::Summary opened_summary, rebuilt_summary;
    ASSERT_TRUE((*engine)->Summarize(customer, 0, &opened_summary).ok());
    ASSERT_TRUE((*rebuild)->Summarize(customer, 0, &rebuilt_summary).ok());
    testing::ExpectSameSummary(opened_summary, rebuilt_summary, customer);
  }
}

int PositionsToTry() {
  const char* env = std::getenv("MOTIVE_FAULT_POSITIONS");
  return env != nullptr ? std::atoi(env) : 12;
}

struct Tally {
  int runs = 0;
  int injected = 0;
  int failed_calls = 0;
};

void TryEveryPosition(Fault fault, bool sticky, store::Durability durability,
                      Tally* tally) {
  FaultInjector& faults = FaultInjector::Get();
  // Count the positions: the workload with the fault armed but never hit.
  int64_t positions = 0;
  {
    testing::TempDir dir;
    faults.Arm(fault, 0, false);
    Workload(dir.File("count.db"), durability);
    positions = faults.calls();
    faults.Disarm();
  }
  ASSERT_GT(positions, 0) << testing::FaultName(fault);
  const int wanted = PositionsToTry();
  const int64_t stride =
      wanted <= 0 || positions <= wanted ? 1 : positions / wanted;
  for (int64_t at = 1; at <= positions; at += stride) {
    SCOPED_TRACE(absl::StrCat(
        testing::FaultName(fault), sticky ? " from" : " at", " call ", at,
        " of ", positions,
        durability == store::Durability::kFull ? ", full durability"
                                               : ", group commit"));
    testing::TempDir dir;
    const std::string path = dir.File("log.db");
    faults.Arm(fault, at, sticky);
    Run run = Workload(path, durability);
    tally->injected += static_cast<int>(faults.injected());
    faults.Disarm();
    ++tally->runs;
    tally->failed_calls += run.failures;
    if (!sticky && !run.refuses_writes && run.call_after_failure) {
      EXPECT_TRUE(run.ok_after_failure)
          << "the engine did not recover from a fault that passed";
    }
    CheckAfter(path, run, durability);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

class FaultTest : public ::testing::TestWithParam<std::tuple<Fault, bool>> {};

TEST_P(FaultTest, EveryPosition) {
  const auto [fault, sticky] = GetParam();
  Tally tally;
  for (store::Durability durability :
       {store::Durability::kFull, store::Durability::kGroup}) {
    TryEveryPosition(fault, sticky, durability, &tally);
    if (HasFatalFailure()) return;
  }
  std::printf(
      "[ %s, %s ] %d runs, %d faults injected, %d calls failed "
      "clearly\n",
      testing::FaultName(fault), sticky ? "sticky" : "once", tally.runs,
      tally.injected, tally.failed_calls);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FaultTest,
    ::testing::Combine(::testing::Values(Fault::kDiskFull, Fault::kShortWrite,
                                         Fault::kWriteError, Fault::kSyncError,
                                         Fault::kReadError),
                       ::testing::Bool()),
    [](const auto& info) {
      std::string name =
          absl::StrCat(testing::FaultName(std::get<0>(info.param)),
                       std::get<1>(info.param) ? "_sticky" : "_once");
      for (char& c : name) {
        if (c == ' ') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace motive
