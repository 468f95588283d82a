#include "store/event_log.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/temp_dir.h"

namespace motive::store {
namespace {

using ::motive::testing::ReadFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Event MakeEvent(const std::string& id, const std::string& customer,
                    int64_t occurred_s) {
  v1::Event e;
  e.set_event_id(id);
  e.set_customer_id(customer);
  e.set_type("contact");
  *e.mutable_occurred_at() = model::FromUnixMicros(occurred_s * 1000000);
  *e.mutable_recorded_at() = model::FromUnixMicros(1750000000LL * 1000000);
  return e;
}

std::vector<std::string> Ids(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.event_id());
  return ids;
}

std::unique_ptr<EventLog> OpenOrDie(const std::string& path,
                                    EventLogOptions options = {}) {
  auto log = EventLog::Open(path, options);
  EXPECT_TRUE(log.ok()) << log.status();
  return log.ok() ? *std::move(log) : nullptr;
}

// Runs SQL on a database file behind motive's back, as another program would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

int64_t RawCount(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &stmt, nullptr);
  int64_t n =
      sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

TEST(EventLogTest, EmptyLogReadsEmpty) {
  auto log = OpenOrDie(":memory:");
  auto events = log->ReadCustomer("nobody", {});
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
  EXPECT_EQ(*log->CountEvents(), 0);
  EXPECT_EQ(log->schema_version(), EventLog::kSchemaVersion);
}

TEST(EventLogTest, OneEventRoundTrips) {
  auto log = OpenOrDie(":memory:");
  v1::Event e = MakeEvent("e1", "c1", 1700000000);
  e.set_sentiment(-0.25);
  auto result = log->Append({e});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->appended_count, 1u);
  auto events = log->ReadCustomer("c1", {});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].SerializeAsString(), e.SerializeAsString());
}

TEST(EventLogTest, OutOfOrderArrivalsReadInEventTimeOrder) {
  auto log = OpenOrDie(":memory:");
  ASSERT_TRUE(log->Append({MakeEvent("late", "c1", 300)}).ok());
  ASSERT_TRUE(log->Append({MakeEvent("early", "c1", 100)}).ok());
  ASSERT_TRUE(log->Append({MakeEvent("other", "c2", 200)}).ok());
  ASSERT_TRUE(log->Append({MakeEvent("middle", "c1", 200)}).ok());
  // Same event time: append order breaks the tie.
  ASSERT_TRUE(log->Append({MakeEvent("tie", "c1", 200)}).ok());
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {})),
              ElementsAre("early", "middle", "tie", "late"));
}

TEST(EventLogTest, DuplicatesAreCountedNotStored) {
  auto log = OpenOrDie(":memory:");
  ASSERT_TRUE(log->Append({MakeEvent("e1", "c1", 100)}).ok());
  v1::Event changed = MakeEvent("e1", "c1", 999);  // same id, other content
  auto again = log->Append(
      {changed, MakeEvent("e2", "c1", 200), MakeEvent("e2", "c1", 200)});
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->appended, ElementsAre(false, true, false));
  EXPECT_EQ(again->appended_count, 1u);
  EXPECT_EQ(again->duplicate_count, 2u);
  auto events = log->ReadCustomer("c1", {});
  EXPECT_THAT(Ids(*events), ElementsAre("e1", "e2"));
  EXPECT_EQ((*events)[0].occurred_at().seconds(), 100);  // first one kept
}

TEST(EventLogTest, TimeRangeBoundsAndLimit) {
  auto log = OpenOrDie(":memory:");
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(
        log->Append({MakeEvent(absl::StrCat("e", i), "c1", i * 100)}).ok());
  }
  // since is inclusive, until exclusive.
  TimeRange range{200 * 1000000LL, 400 * 1000000LL, 0};
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", range)), ElementsAre("e2", "e3"));
  // limit keeps the most recent, still in time order.
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {0, 0, 2})),
              ElementsAre("e4", "e5"));
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {0, 400 * 1000000LL, 2})),
              ElementsAre("e2", "e3"));
  EXPECT_EQ(log->ReadCustomer("c1", {0, 0, 100})->size(), 5u);
}

TEST(EventLogTest, ScanVisitsEverythingInAppendOrder) {
  auto log = OpenOrDie(":memory:");
  ASSERT_TRUE(
      log->Append({MakeEvent("a", "c1", 300), MakeEvent("b", "c2", 100)}).ok());
  ASSERT_TRUE(log->Append({MakeEvent("c", "c1", 200)}).ok());
  std::vector<std::string> seen;
  std::vector<int64_t> seqs;
  ASSERT_TRUE(log->Scan(0,
                        [&](int64_t seq, const v1::Event& e) {
                          seen.push_back(e.event_id());
                          seqs.push_back(seq);
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("a", "b", "c"));
  seen.clear();
  ASSERT_TRUE(log->Scan(seqs[0],
                        [&](int64_t, const v1::Event& e) {
                          seen.push_back(e.event_id());
                          return absl::OkStatus();
                        })
                  .ok());
  EXPECT_THAT(seen, ElementsAre("b", "c"));
  // An error from the callback stops the scan and comes back.
  int calls = 0;
  absl::Status stop = log->Scan(0, [&](int64_t, const v1::Event&) {
    ++calls;
    return absl::CancelledError("enough");
  });
  EXPECT_TRUE(absl::IsCancelled(stop));
  EXPECT_EQ(calls, 1);
}

TEST(EventLogTest, ReopenKeepsEverything) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto log = OpenOrDie(path);
    ASSERT_TRUE(
        log->Append({MakeEvent("e1", "c1", 100), MakeEvent("e2", "c2", 50)})
            .ok());
  }
  auto log = OpenOrDie(path);
  EXPECT_EQ(*log->CountEvents(), 2);
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {})), ElementsAre("e1"));
  // Dedupe survives the reopen.
  auto again = log->Append({MakeEvent("e1", "c1", 100)});
  EXPECT_EQ(again->duplicate_count, 1u);
}

TEST(EventLogTest, FailedBatchWritesNothingAndKeepsWhatCameBefore) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  { OpenOrDie(path); }
  // A trigger makes one customer's insert fail, as a full disk would.
  RawExec(path,
          "CREATE TRIGGER poison BEFORE INSERT ON events "
          "WHEN NEW.customer_id = 'poison' "
          "BEGIN SELECT RAISE(ABORT, 'poisoned'); END;");
  EventLogOptions group;
  group.durability = Durability::kGroup;
  group.group_commit_delay = absl::Hours(1);
  auto log = OpenOrDie(path, group);
  ASSERT_TRUE(log->Append({MakeEvent("kept", "c1", 100)}).ok());
  auto failed =
      log->Append({MakeEvent("a", "c1", 200), MakeEvent("b", "poison", 200),
                   MakeEvent("c", "c1", 300)});
  EXPECT_FALSE(failed.ok());
  EXPECT_THAT(std::string(failed.status().message()), HasSubstr("poisoned"));
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {})), ElementsAre("kept"));
  EXPECT_EQ(RawCount(path), 1);
  // The log goes on working, and the failed batch's seqs are not skipped.
  ASSERT_TRUE(log->Append({MakeEvent("after", "c1", 400)}).ok());
  EXPECT_EQ(*log->CountEvents(), 2);
  EXPECT_EQ(*log->LastSeq(), 2);
}

// The promise of both modes: what Append acknowledged is committed, so
// another connection (or the next process, after a crash) sees it at once,
// however long the group's sync is away.
TEST(EventLogTest, GroupCommitCommitsBeforeAppendReturns) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  EventLogOptions group;
  group.durability = Durability::kGroup;
  group.group_commit_delay = absl::Hours(1);
  auto log = OpenOrDie(path, group);
  ASSERT_TRUE(log->Append({MakeEvent("e1", "c1", 100)}).ok());
  EXPECT_EQ(RawCount(path), 1);
  ASSERT_TRUE(log->Append({MakeEvent("e2", "c1", 200)}).ok());
  EXPECT_EQ(RawCount(path), 2);
  ASSERT_TRUE(log->Flush().ok());
}

// Ends this process as a crash would: no destructor runs, nothing closes.
[[noreturn]] void KillSelf() {
  ::kill(::getpid(), SIGKILL);
  ::_exit(99);  // not reached
}

// Runs `child` in a forked process, which must end with KillSelf() (before
// its locals' destructors could close anything), and waits for it.
void RunAndKill(const std::function<void()>& child) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    child();
    ::_exit(98);  // returned instead of being killed
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
}

TEST(EventLogTest, GroupCommitKeepsAcknowledgedEventsWhenKilled) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  RunAndKill([&] {
    EventLogOptions group;
    group.durability = Durability::kGroup;
    group.group_commit_delay = absl::Hours(1);
    auto log = EventLog::Open(path, group);
    if (!log.ok()) ::_exit(1);
    for (int i = 0; i < 500; ++i) {
      if (!(*log)->Append({MakeEvent(absl::StrCat("e", i), "c1", i)}).ok()) {
        ::_exit(2);
      }
    }
    KillSelf();
  });
  auto log = OpenOrDie(path);
  EXPECT_EQ(*log->CountEvents(), 500);
  // The next writer carries on after them.
  ASSERT_TRUE(log->Append({MakeEvent("after", "c1", 1000)}).ok());
  EXPECT_EQ(*log->LastSeq(), 501);
}

TEST(EventLogTest, ASecondWriterIsRefusedNamingTheHolder) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  auto writer = OpenOrDie(path);
  auto second = EventLog::Open(path, {});
  ASSERT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr(absl::StrCat("pid ", ::getpid())));
  EventLogOptions read_only;
  read_only.read_only = true;
  EXPECT_TRUE(EventLog::Open(path, read_only).ok());
  writer.reset();
  EXPECT_TRUE(EventLog::Open(path, {}).ok());
}

// Many processes creating one new database at once: one creates it, the
// others are refused as second writers or open what it made; none finds a
// half-made database, and none fails otherwise.
TEST(EventLogTest, ConcurrentCreationIsAtomic) {
  for (int trial = 0; trial < 10; ++trial) {
    testing::TempDir dir;
    const std::string path = dir.File("new.db");
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        auto log = EventLog::Open(path, {});
        if (log.ok()) {
          bool appended =
              (*log)->Append({MakeEvent(absl::StrCat("e", i), "c", i)}).ok();
          log->reset();
          ::_exit(appended ? 0 : 3);
        }
        ::_exit(absl::IsUnavailable(log.status()) ? 10 : 4);
      }
      children.push_back(pid);
    }
    int opened = 0;
    for (pid_t pid : children) {
      int status = 0;
      ASSERT_EQ(::waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status));
      const int code = WEXITSTATUS(status);
      ASSERT_TRUE(code == 0 || code == 10) << "trial " << trial << ": " << code;
      if (code == 0) ++opened;
    }
    EXPECT_GE(opened, 1);
    EXPECT_EQ(*OpenOrDie(path)->CountEvents(), opened);
  }
}

TEST(EventLogTest, FilesArePrivate) {
  testing::TempDir dir;
  const std::string path = dir.File("private.db");
  ::umask(022);
  auto log = OpenOrDie(path);
  ASSERT_TRUE(log->Append({MakeEvent("e1", "c1", 100)}).ok());
  for (const std::string& file :
       {path, path + "-wal", path + "-shm", path + "-lock"}) {
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << file;
  }
}

// A writer killed after its group was synced leaves the WAL holding events
// the database file does not: without it, they are gone, and the open says
// so instead of serving what is left.
TEST(EventLogTest, ALostWalIsReportedNotServed) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  RunAndKill([&] {
    EventLogOptions group;
    group.durability = Durability::kGroup;
    auto log = EventLog::Open(path, group);
    if (!log.ok()) ::_exit(1);
    for (int i = 0; i < 10; ++i) {
      (*log)->Append({MakeEvent(absl::StrCat("e", i), "c1", i)}).IgnoreError();
    }
    if (!(*log)->Flush().ok()) ::_exit(2);
    KillSelf();
  });
  ASSERT_TRUE(std::filesystem::remove(path + "-wal"));
  auto refused = EventLog::Open(path, {});
  ASSERT_TRUE(absl::IsDataLoss(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("lost committed events"));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("seq 10"));
  // Removing the lock file accepts the loss, as the message says.
  ASSERT_TRUE(std::filesystem::remove(path + "-lock"));
  EXPECT_TRUE(EventLog::Open(path, {}).ok());
}

TEST(EventLogTest, AnEmptiedFileIsReportedNotRecreated) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto log = OpenOrDie(path);
    ASSERT_TRUE(log->Append({MakeEvent("e1", "c1", 100)}).ok());
  }
  std::filesystem::resize_file(path, 0);
  auto refused = EventLog::Open(path, {});
  ASSERT_TRUE(absl::IsDataLoss(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("lost committed events: it ends at seq 0"));
  EXPECT_EQ(std::filesystem::file_size(path), 0u);
}

TEST(EventLogTest, ADatabaseRemovedAndCreatedAgainStartsAfresh) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto log = OpenOrDie(path);
    ASSERT_TRUE(log->Append({MakeEvent("e1", "c1", 100)}).ok());
  }
  std::filesystem::remove(path);
  auto log = OpenOrDie(path);
  EXPECT_EQ(*log->CountEvents(), 0);
}

// Erasing the last events lowers the last seq but not the high water: the
// reopened log is not taken for one that lost its tail, and seqs are never
// given twice.
TEST(EventLogTest, ErasingTheTailIsNotALoss) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto log = OpenOrDie(path);
    ASSERT_TRUE(
        log->Append({MakeEvent("e1", "c1", 100), MakeEvent("e2", "c2", 100)})
            .ok());
    ASSERT_EQ(log->EraseCustomer("c2")->events, 1u);
  }
  auto log = OpenOrDie(path);
  EXPECT_EQ(*log->LastSeq(), 1);
  EXPECT_EQ(*log->HighWater(), 2);
  ASSERT_TRUE(log->Append({MakeEvent("e3", "c1", 300)}).ok());
  EXPECT_EQ(*log->LastSeq(), 3);
}

// Damage behind motive's back, row by row: each damaged event is left out
// and listed by seq, and the others are served.
TEST(EventLogTest, DamagedEventsAreNeverServedChanged) {
  struct Case {
    const char* name;
    const char* sql;       // damages the event at seq 2 (customer c1, id e2)
    const char* moved_to;  // where the damage would show it, if served
  };
  const Case cases[] = {
      {"body",
       "UPDATE events SET body = substr(body, 1, 3) || x'ff' || "
       "substr(body, 5) WHERE seq = 2",
       "c1"},
      {"customer", "UPDATE events SET customer_id = 'c7' WHERE seq = 2", "c7"},
      {"time", "UPDATE events SET occurred_us = 5 WHERE seq = 2", "c1"},
      {"seq", "UPDATE events SET seq = 9 WHERE seq = 2", "c1"},
      {"checksum", "UPDATE events SET crc = crc + 1 WHERE seq = 2", "c1"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    testing::TempDir dir;
    std::string path = dir.File("log.db");
    {
      auto log = OpenOrDie(path);
      ASSERT_TRUE(
          log->Append({MakeEvent("e1", "c1", 100), MakeEvent("e2", "c1", 200),
                       MakeEvent("e3", "c1", 300)})
              .ok());
    }
    RawExec(path, c.sql);
    auto log = OpenOrDie(path);
    EXPECT_THAT(Ids(*log->ReadCustomer(c.moved_to, {})),
                ::testing::Not(::testing::Contains("e2")));
    EXPECT_THAT(Ids(*log->ReadCustomer("c1", {})), ElementsAre("e1", "e3"));
    std::vector<std::string> scanned;
    ASSERT_TRUE(log->Scan(0,
                          [&](int64_t, const v1::Event& e) {
                            scanned.push_back(e.event_id());
                            return absl::OkStatus();
                          })
                    .ok());
    EXPECT_THAT(scanned, ElementsAre("e1", "e3"));
    const LogDamage damage = log->damage();
    EXPECT_EQ(damage.events, 1u);
    ASSERT_EQ(damage.seqs.size(), 1u);
    EXPECT_EQ(damage.seqs[0], std::string(c.name) == "seq" ? 9 : 2);
  }
}

TEST(EventLogTest, FullCheckFindsDamageAtOpen) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto log = OpenOrDie(path);
    ASSERT_TRUE(
        log->Append({MakeEvent("e1", "c1", 100), MakeEvent("e2", "c1", 200)})
            .ok());
  }
  RawExec(path, "UPDATE events SET customer_id = 'c7' WHERE seq = 1");
  EXPECT_EQ(OpenOrDie(path)->damage().events, 0u);  // nothing read yet
  EventLogOptions full;
  full.integrity_check = IntegrityCheck::kFull;
  auto log = OpenOrDie(path, full);
  EXPECT_EQ(log->damage().events, 1u);
  EXPECT_THAT(log->damage().seqs, ElementsAre(1));
}

TEST(EventLogTest, MissingFileWithoutCreateIsNotFound) {
  testing::TempDir dir;
  EventLogOptions options;
  options.create_if_missing = false;
  auto log = EventLog::Open(dir.File("missing.db"), options);
  EXPECT_TRUE(absl::IsNotFound(log.status())) << log.status();
  EXPECT_FALSE(std::filesystem::exists(dir.File("missing.db")));
}

TEST(EventLogTest, NonSqliteFileIsRefusedUntouched) {
  testing::TempDir dir;
  std::string path = dir.File("notes.txt");
  std::ofstream(path) << "these are my notes, not a database\n"
                      << std::string(5000, 'x');
  std::string before = ReadFile(path);
  auto log = EventLog::Open(path, {});
  EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
  EXPECT_THAT(std::string(log.status().message()),
              HasSubstr("not a motive database"));
  EXPECT_EQ(ReadFile(path), before);
}

TEST(EventLogTest, ForeignSqliteDatabaseIsRefusedUntouched) {
  testing::TempDir dir;
  std::string path = dir.File("crm.db");
  RawExec(path,
          "CREATE TABLE contacts (id INTEGER, name TEXT);"
          "INSERT INTO contacts VALUES (1, 'Ada');");
  std::string before = ReadFile(path);
  auto log = EventLog::Open(path, {});
  EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
  EXPECT_THAT(std::string(log.status().message()),
              HasSubstr("another application"));
  EXPECT_EQ(ReadFile(path), before);
}

TEST(EventLogTest, NewerSchemaIsRefusedUntouched) {
  testing::TempDir dir;
  std::string path = dir.File("future.db");
  { OpenOrDie(path); }
  RawExec(path, "PRAGMA user_version = 99;");
  std::string before = ReadFile(path);
  auto log = EventLog::Open(path, {});
  EXPECT_EQ(base::KindOf(log.status()), base::ErrorKind::kVersion)
      << log.status();
  EXPECT_THAT(std::string(log.status().message()), HasSubstr("newer motive"));
  EXPECT_EQ(ReadFile(path), before);
}

// A damaged header may hold a negative user_version (found by fuzzing: it
// indexed the migrations with it).
TEST(EventLogTest, NegativeSchemaIsDamageRefusedUntouched) {
  testing::TempDir dir;
  std::string path = dir.File("negative.db");
  { OpenOrDie(path); }
  RawExec(path, "PRAGMA user_version = -1056964606;");
  const std::string before = ReadFile(path);
  for (bool read_only : {false, true}) {
    EventLogOptions options;
    options.read_only = read_only;
    auto log = EventLog::Open(path, options);
    EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
    EXPECT_THAT(std::string(log.status().message()),
                HasSubstr("schema version -1056964606"));
  }
  EXPECT_EQ(ReadFile(path), before);
}

// Scribbles over pages in the middle of the file; the header stays valid.
void Damage(const std::string& path) {
  std::string bytes = ReadFile(path);
  ASSERT_GT(bytes.size(), 64u * 1024);
  for (size_t i = bytes.size() / 3; i < bytes.size() / 3 + 20000; ++i) {
    bytes[i] = static_cast<char>(i * 7);
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void FillForDamage(EventLog& log) {
  std::vector<v1::Event> batch;
  for (int i = 0; i < 2000; ++i) {
    batch.push_back(
        MakeEvent(absl::StrCat("e", i), absl::StrCat("c", i % 97), i));
  }
  ASSERT_TRUE(log.Append(batch).ok());
}

TEST(EventLogTest, DamagedFileIsRefusedUntouched) {
  testing::TempDir dir;
  std::string path = dir.File("damaged.db");
  {
    auto log = OpenOrDie(path);
    FillForDamage(*log);
  }
  Damage(path);
  const std::string bytes = ReadFile(path);
  auto log = EventLog::Open(path, {});
  EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
  EXPECT_EQ(ReadFile(path), bytes);
}

TEST(EventLogTest, AfterCrashCheckSkipsALogClosedCleanly) {
  testing::TempDir dir;
  std::string path = dir.File("clean.db");
  {
    auto log = OpenOrDie(path);
    FillForDamage(*log);
  }
  Damage(path);
  // The damage is there (a quick check finds it), but the last writer
  // closed cleanly: kAfterCrash trusts the file, as SQLite itself does.
  EXPECT_TRUE(absl::IsDataLoss(EventLog::Open(path, {}).status()));
  EventLogOptions options;
  options.integrity_check = IntegrityCheck::kAfterCrash;
  options.read_only = true;
  EXPECT_TRUE(EventLog::Open(path, options).ok());
}

TEST(EventLogTest, AfterCrashCheckChecksALogNotClosedCleanly) {
  testing::TempDir dir;
  std::string path = dir.File("crashed.db");
  {
    auto log = OpenOrDie(path);
    FillForDamage(*log);
  }
  // What a writer that never reached its close leaves: the mark it set when
  // it opened.
  RawExec(path,
          "UPDATE motive_meta SET value = '0' WHERE key = 'closed_cleanly'");
  Damage(path);
  EventLogOptions options;
  options.integrity_check = IntegrityCheck::kAfterCrash;
  auto log = EventLog::Open(path, options);
  EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
}

TEST(EventLogTest, MigratesVersionOneKeepingEvents) {
  testing::TempDir dir;
  std::string path = dir.File("v1.db");
  v1::Event e = MakeEvent("old", "c1", 100);
  // What motive 0.1's schema version 1 wrote, verbatim.
  RawExec(path,
          absl::StrCat(
              "PRAGMA application_id = ", EventLog::kApplicationId,
              ";"
              "CREATE TABLE events (seq INTEGER PRIMARY KEY,"
              " event_id TEXT NOT NULL UNIQUE, customer_id TEXT NOT NULL,"
              " occurred_us INTEGER NOT NULL, recorded_us INTEGER NOT NULL,"
              " body BLOB NOT NULL);"
              "CREATE INDEX events_by_customer ON events"
              " (customer_id, occurred_us, seq);"
              "INSERT INTO events VALUES (1, 'old', 'c1', 100000000,"
              " 1750000000000000, x'",
              absl::BytesToHexString(e.SerializeAsString()),
              "');"
              "PRAGMA user_version = 1;"));
  auto log = OpenOrDie(path);
  EXPECT_EQ(log->schema_version(), EventLog::kSchemaVersion);
  // The checksum filled in by the migration holds.
  EXPECT_THAT(Ids(*log->ReadCustomer("c1", {})), ElementsAre("old"));
  EXPECT_EQ(log->damage().events, 0u);
  log.reset();
  RawExec(path, "SELECT value FROM motive_meta WHERE key = 'migrated_by';");
  // Opening again does not migrate twice.
  EXPECT_EQ(OpenOrDie(path)->schema_version(), EventLog::kSchemaVersion);
}

TEST(EventLogTest, StreamPositionsCommitWithTheirEvents) {
  testing::TempDir dir;
  const std::string path = dir.File("node.db");
  {
    auto log = OpenOrDie(path);
    EXPECT_TRUE(log->ReadStreamPositions()->empty());
    ASSERT_TRUE(log->Append({MakeEvent("a", "c1", 100)}, {},
                            {{"S0", 7}, {"S1", 3}})
                    .ok());
    // A batch of duplicates still moves the place on.
    ASSERT_TRUE(log->Append({MakeEvent("a", "c1", 100)}, {}, {{"S0", 9}})
                    .ok());
  }
  auto log = OpenOrDie(path);
  absl::StatusOr<StreamPositions> positions = log->ReadStreamPositions();
  ASSERT_TRUE(positions.ok()) << positions.status();
  EXPECT_EQ(*positions, (StreamPositions{{"S0", 9}, {"S1", 3}}));
}

TEST(EventLogTest, EventsOfOneInteractionAreFoundTogether) {
  auto log = OpenOrDie(":memory:");
  std::vector<v1::Event> events = {
      MakeEvent("v1", "c1", 100), MakeEvent("other", "c1", 150),
      MakeEvent("lens", "~held", 200), MakeEvent("v2", "c1", 300)};
  for (const char* id : {"v1", "lens", "v2"}) {
    for (v1::Event& e : events) {
      if (e.event_id() == id) e.set_interaction_id("connect:1");
    }
  }
  ASSERT_TRUE(log->Append(events).ok());
  ASSERT_TRUE(log->Append({MakeEvent("alone", "c2", 400)}).ok());
  auto found = log->InteractionEvents({"connect:1", "connect:2", "connect:1"});
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->contains("connect:2"));
  ASSERT_EQ(found->size(), 1u);
  const auto& versions = found->at("connect:1");
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].customer_id, "c1");
  EXPECT_EQ(versions[1].customer_id, "~held");
  EXPECT_LT(versions[1].seq, versions[2].seq);
  EXPECT_TRUE(log->InteractionEvents({})->empty());
  auto repeated = log->RepeatedInteractions();
  ASSERT_TRUE(repeated.ok());
  EXPECT_THAT(*repeated, ElementsAre("connect:1"));
}

TEST(EventLogTest, ReadOnlyReaderBesideAWriter) {
  testing::TempDir dir;
  std::string path = dir.File("shared.db");
  EventLogOptions read_only;
  read_only.read_only = true;
  EXPECT_TRUE(absl::IsNotFound(EventLog::Open(path, read_only).status()));
  EXPECT_FALSE(std::filesystem::exists(path));

  auto writer = OpenOrDie(path);
  ASSERT_TRUE(writer->Append({MakeEvent("e1", "c1", 100)}).ok());
  auto reader = OpenOrDie(path, read_only);
  EXPECT_THAT(Ids(*reader->ReadCustomer("c1", {})), ElementsAre("e1"));
  ASSERT_TRUE(writer->Append({MakeEvent("e2", "c1", 200)}).ok());
  EXPECT_THAT(Ids(*reader->ReadCustomer("c1", {})), ElementsAre("e1", "e2"));

  auto refused = reader->Append({MakeEvent("e3", "c1", 300)});
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("read-only"));
  EXPECT_TRUE(reader->Flush().ok());
  EXPECT_EQ(*writer->CountEvents(), 2);
}

// The database file and its write-ahead log, as a disk reader would see them.
std::string FileAndWal(const std::string& path) {
  return ReadFile(path) + ReadFile(path + "-wal");
}

TEST(EventLogTest, EraseCustomerLeavesNoByteOfThemInTheFiles) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  EventLogOptions group;
  group.durability = Durability::kGroup;
  group.group_commit_delay = absl::Hours(1);
  auto log = OpenOrDie(path, group);
  std::vector<v1::Event> events;
  for (int i = 0; i < 2000; ++i) {
    const bool secret = i % 100 == 7;
    v1::Event e =
        MakeEvent(absl::StrCat(secret ? "zebulon-event-" : "e", i),
                  secret ? "zebulon" : absl::StrCat("c", i % 50), 1000 + i);
    e.set_topic(secret ? "zebulon-topic" : "billing");
    events.push_back(std::move(e));
  }
  // In two transactions, each synced.
  ASSERT_TRUE(log->Append(absl::MakeConstSpan(events).subspan(0, 1500)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_TRUE(log->Append(absl::MakeConstSpan(events).subspan(1500)).ok());
  ASSERT_TRUE(log->Flush().ok());
  ASSERT_NE(FileAndWal(path).find("zebulon"), std::string::npos);

  absl::StatusOr<EventLog::Erased> erased = log->EraseCustomer("zebulon");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->events, 20u);
  EXPECT_TRUE(erased->wal.ok()) << erased->wal;
  EXPECT_EQ(FileAndWal(path).find("zebulon"), std::string::npos);
  EXPECT_TRUE(log->ReadCustomer("zebulon", {})->empty());
  EXPECT_EQ(*log->CountEvents(), 1980);
  EXPECT_EQ(log->ReadCustomer("c8", {})->size(), 40u);
  EXPECT_EQ(log->EraseCustomer("zebulon")->events, 0u);
  EXPECT_EQ(log->EraseCustomer("nobody")->events, 0u);
  // Their event ids are forgotten too: a later event starts afresh.
  auto again = log->Append({events[7]});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->appended_count, 1u);
  log.reset();
  EXPECT_EQ(RawCount(path), 1981);
}

TEST(EventLogTest, EraseWhileAReaderHoldsTheWalFinishesOnTheNextCall) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  auto log = OpenOrDie(path);
  ASSERT_TRUE(log->Append({MakeEvent("zebulon-1", "zebulon", 100),
                           MakeEvent("e2", "c2", 200)})
                  .ok());
  // Another program in the middle of a read: its snapshot needs the WAL.
  sqlite3* reader = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &reader), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM events;", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  absl::StatusOr<EventLog::Erased> erased = log->EraseCustomer("zebulon");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->events, 1u);
  EXPECT_TRUE(absl::IsUnavailable(erased->wal)) << erased->wal;
  EXPECT_THAT(std::string(erased->wal.message()), HasSubstr("erase again"));
  EXPECT_TRUE(log->ReadCustomer("zebulon", {})->empty());
  ASSERT_EQ(sqlite3_exec(reader, "COMMIT;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(reader);
  erased = log->EraseCustomer("zebulon");
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->events, 0u);
  EXPECT_TRUE(erased->wal.ok()) << erased->wal;
  EXPECT_EQ(FileAndWal(path).find("zebulon"), std::string::npos);
}

TEST(EventLogTest, EraseOnALockedDatabaseDeletesNothing) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  auto log = OpenOrDie(path);
  ASSERT_TRUE(log->Append({MakeEvent("zebulon-1", "zebulon", 100)}).ok());
  // Another program holds the write lock past the busy timeout.
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "BEGIN IMMEDIATE;", nullptr, nullptr, nullptr),
            SQLITE_OK);
  absl::StatusOr<EventLog::Erased> erased = log->EraseCustomer("zebulon");
  EXPECT_TRUE(absl::IsUnavailable(erased.status())) << erased.status();
  sqlite3_exec(writer, "ROLLBACK;", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  EXPECT_EQ(log->ReadCustomer("zebulon", {})->size(), 1u);
  EXPECT_EQ(log->EraseCustomer("zebulon")->events, 1u);
}

TEST(EventLogTest, EraseNeedsAWritableLogAndWorksInMemory) {
  testing::TempDir dir;
  std::string path = dir.File("log.db");
  {
    auto writer = OpenOrDie(path);
    ASSERT_TRUE(writer->Append({MakeEvent("e1", "c1", 100)}).ok());
  }
  EventLogOptions read_only;
  read_only.read_only = true;
  auto reader = OpenOrDie(path, read_only);
  EXPECT_TRUE(absl::IsInvalidArgument(reader->EraseCustomer("c1").status()));
  EXPECT_EQ(*reader->CountEvents(), 1);

  auto memory = OpenOrDie(":memory:");
  ASSERT_TRUE(
      memory->Append({MakeEvent("e1", "c1", 100), MakeEvent("e2", "c2", 100)})
          .ok());
  EXPECT_EQ(memory->EraseCustomer("c1")->events, 1u);
  EXPECT_EQ(*memory->CountEvents(), 1);
}

TEST(EventLogTest, ReadOnlyDoesNotMigrate) {
  testing::TempDir dir;
  std::string path = dir.File("old.db");
  { OpenOrDie(path); }
  RawExec(path, "PRAGMA user_version = 1;");
  EventLogOptions read_only;
  read_only.read_only = true;
  auto log = EventLog::Open(path, read_only);
  EXPECT_EQ(base::KindOf(log.status()), base::ErrorKind::kVersion)
      << log.status();
  EXPECT_THAT(std::string(log.status().message()), HasSubstr("open it once"));
  EXPECT_TRUE(
      absl::IsInvalidArgument(EventLog::Open(":memory:", read_only).status()));
}

TEST(EventLogTest, InMemoryLogsAreSeparate) {
  auto a = OpenOrDie(":memory:");
  auto b = OpenOrDie(":memory:");
  ASSERT_TRUE(a->Append({MakeEvent("e1", "c1", 100)}).ok());
  EXPECT_EQ(*b->CountEvents(), 0);
}

}  // namespace
}  // namespace motive::store
