// Damaged files: a database, its write-ahead log and its snapshot, closed
// and then damaged as disks, copies and people damage them (truncated at
// many offsets, bits flipped at random places, the WAL deleted, emptied or
// garbled, the file replaced by a foreign one). Each open must either refuse
// with a clear status and message, or serve exactly the undamaged events:
// every event it serves is byte for byte one that was recorded, under its
// own customer.
//
// MOTIVE_CORRUPTION_TRIALS (default 40) sets how many damaged opens each
// kind of damage gets; `make torture` runs many more.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

int Trials() {
  const char* env = std::getenv("MOTIVE_CORRUPTION_TRIALS");
  return env != nullptr ? std::atoi(env) : 40;
}

engine::EngineOptions Options(store::IntegrityCheck check) {
  engine::EngineOptions options;
  options.clock = [] { return kNow; };
  options.log.integrity_check = check;
  return options;
}

v1::Event MakeEvent(int i) {
  v1::Event e;
  e.set_event_id(absl::StrCat("event-", i));
  e.set_customer_id(absl::StrCat("customer-", i % 23));
  e.set_type(i % 5 == 0 ? "purchase" : "contact");
  e.set_channel(static_cast<v1::Channel>(1 + i % 4));
  e.set_topic(i % 3 == 0 ? "billing" : "delivery");
  if (i % 5 == 0) e.set_value(10 + i % 90);
  e.set_sentiment((i % 11 - 5) / 5.0);
  *e.mutable_occurred_at() =
      model::FromUnixMicros((1750000000LL + i * 600LL) * 1000000);
  return e;
}

std::string Read(const std::string& path) { return testing::ReadFile(path); }

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The files of one database, kept as bytes so that each trial starts from
// the same undamaged state.
struct Files {
  std::map<std::string, std::string> bytes;  // suffix ("", "-wal", ...)

  static Files Take(const std::string& path) {
    Files files;
    for (const char* suffix : {"", "-wal", "-snapshot", "-lock"}) {
      if (std::filesystem::exists(path + suffix)) {
        files.bytes[suffix] = Read(path + suffix);
      }
    }
    return files;
  }
  void Lay(const std::string& path) const {
    for (const char* suffix : {"", "-wal", "-shm", "-snapshot", "-lock"}) {
      std::filesystem::remove(path + suffix);
    }
    for (const auto& [suffix, bytes] : bytes) Write(path + suffix, bytes);
  }
};

// What was recorded: every event by id, and the customers.
struct Recorded {
  std::map<std::string, v1::Event> by_id;
  std::vector<std::string> customers;
};

// Builds a database whose log is partly in the database file and partly in
// a WAL that a killed writer left, with a snapshot taken half way.
Recorded Build(const std::string& path) {
  Recorded recorded;
  std::vector<v1::Event> events;
  for (int i = 0; i < 400; ++i) events.push_back(MakeEvent(i));
  {
    auto engine =
        engine::Engine::Open(path, Options(store::IntegrityCheck::kQuick));
    EXPECT_TRUE(engine.ok()) << engine.status();
    for (int i = 0; i < 250; ++i) {
      EXPECT_TRUE((*engine)->Record(events[i]).ok());
    }
    EXPECT_TRUE((*engine)->WriteSnapshot().ok());
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto engine =
        engine::Engine::Open(path, Options(store::IntegrityCheck::kQuick));
    if (!engine.ok()) ::_exit(1);
    for (int i = 250; i < 400; ++i) {
      if (!(*engine)->Record(events[i]).ok()) ::_exit(2);
    }
    if (!(*engine)->Flush().ok()) ::_exit(3);
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status)) << status;
  for (const v1::Event& e : events) {
    recorded.by_id[e.event_id()] = e;
  }
  for (int c = 0; c < 23; ++c) {
    recorded.customers.push_back(absl::StrCat("customer-", c));
  }
  return recorded;
}

struct Tally {
  int refused = 0;
  int served = 0;
  uint64_t events_served = 0;
  uint64_t events_left_out = 0;
};

// Opens the damaged database and holds it to the promise above.
void OpenAndCheck(const std::string& path, const Recorded& recorded,
                  store::IntegrityCheck check, const std::string& what,
                  Tally* tally) {
  SCOPED_TRACE(what);
  auto opened = engine::Engine::Open(path, Options(check));
  if (!opened.ok()) {
    const absl::Status& s = opened.status();
    EXPECT_TRUE(absl::IsDataLoss(s) || absl::IsUnavailable(s) ||
                base::KindOf(s) == base::ErrorKind::kVersion ||
                absl::IsNotFound(s) ||
                base::KindOf(s) == base::ErrorKind::kIo)
        << s;
    EXPECT_FALSE(s.message().empty());
    ++tally->refused;
    return;
  }
  ++tally->served;
  engine::Engine& engine = **opened;
  for (const std::string& customer : recorded.customers) {
    absl::StatusOr<std::vector<v1::Event>> events =
        engine.Timeline(customer, {});
    if (!events.ok()) {
      // A read that fails on damage the open did not see must say so.
      EXPECT_TRUE(absl::IsDataLoss(events.status()) ||
                  base::KindOf(events.status()) == base::ErrorKind::kIo)
          << events.status();
      continue;
    }
    for (const v1::Event& event : *events) {
      auto it = recorded.by_id.find(event.event_id());
      ASSERT_NE(it, recorded.by_id.end())
          << "an event never recorded is served: " << event.ShortDebugString();
      v1::Event expected = it->second;
      // Recording completes these; the rest must be as recorded.
      expected.set_moment(event.moment());
      expected.set_stage(event.stage());
      *expected.mutable_recorded_at() = event.recorded_at();
      EXPECT_EQ(event.SerializeAsString(), expected.SerializeAsString())
          << "a changed event is served: " << event.ShortDebugString();
      EXPECT_EQ(event.customer_id(), customer);
      ++tally->events_served;
    }
  }
  tally->events_left_out += engine.log().damage().events;
}

// One kind of damage, `trials` times, each on a fresh copy of the files.
void Torture(const std::string& name,
             const std::function<void(std::mt19937_64&, Files*)>& damage) {
  testing::TempDir dir;
  const std::string path = dir.File("log.db");
  const Recorded recorded = Build(path);
  const Files pristine = Files::Take(path);
  ASSERT_TRUE(pristine.bytes.count("-wal")) << "no WAL to damage";
  std::mt19937_64 rng(std::hash<std::string>()(name));
  Tally tally;
  const int trials = Trials();
  for (int trial = 0; trial < trials; ++trial) {
    Files files = pristine;
    damage(rng, &files);
    files.Lay(path);
    const store::IntegrityCheck check = trial % 2 == 0
                                            ? store::IntegrityCheck::kQuick
                                            : store::IntegrityCheck::kFull;
    OpenAndCheck(path, recorded, check, absl::StrCat(name, " trial ", trial),
                 &tally);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf(
      "[ %s ] %d damaged opens: %d refused, %d served (%llu events served "
      "as recorded, %llu damaged ones left out)\n",
      name.c_str(), trials, tally.refused, tally.served,
      static_cast<unsigned long long>(tally.events_served),
      static_cast<unsigned long long>(tally.events_left_out));
}

void FlipBit(std::mt19937_64& rng, std::string* bytes) {
  if (bytes->empty()) return;
  const size_t at = rng() % bytes->size();
  (*bytes)[at] = static_cast<char>((*bytes)[at] ^ (1 << (rng() % 8)));
}

void Truncate(std::mt19937_64& rng, std::string* bytes) {
  bytes->resize(bytes->empty() ? 0 : rng() % bytes->size());
}

TEST(CorruptionTest, BitFlipsInTheDatabase) {
  Torture("db bit flips", [](std::mt19937_64& rng, Files* files) {
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < flips; ++i) FlipBit(rng, &files->bytes[""]);
  });
}

TEST(CorruptionTest, TruncatedDatabase) {
  Torture("db truncated", [](std::mt19937_64& rng, Files* files) {
    Truncate(rng, &files->bytes[""]);
  });
}

TEST(CorruptionTest, BitFlipsInTheWal) {
  Torture("wal bit flips", [](std::mt19937_64& rng, Files* files) {
    FlipBit(rng, &files->bytes["-wal"]);
  });
}

TEST(CorruptionTest, TruncatedWal) {
  Torture("wal truncated", [](std::mt19937_64& rng, Files* files) {
    Truncate(rng, &files->bytes["-wal"]);
  });
}

TEST(CorruptionTest, DeletedOrGarbledWal) {
  Torture("wal deleted or garbled", [](std::mt19937_64& rng, Files* files) {
    if (rng() % 2) {
      files->bytes.erase("-wal");
    } else {
      std::string& wal = files->bytes["-wal"];
      for (char& c : wal) c = static_cast<char>(rng());
    }
  });
}

TEST(CorruptionTest, DamagedSnapshot) {
  Torture("snapshot damaged", [](std::mt19937_64& rng, Files* files) {
    if (rng() % 2) {
      FlipBit(rng, &files->bytes["-snapshot"]);
    } else {
      Truncate(rng, &files->bytes["-snapshot"]);
    }
  });
}

TEST(CorruptionTest, ForeignFile) {
  Torture("foreign file", [](std::mt19937_64& rng, Files* files) {
    std::string& db = files->bytes[""];
    if (rng() % 2) {
      db = "SQLite format 3";
      db.push_back('\0');
      db.resize(4096, '\x5a');
    } else {
      for (char& c : db) c = static_cast<char>(rng());
    }
    files->bytes.erase("-wal");
  });
}

}  // namespace
}  // namespace motive
