// crash_test: kills a writer at random points and checks what survives.
//
// A child process drives an engine through the C ABI only, as a vendor's
// process would: single events, batches, erasures, snapshots, context
// configuration and ruleset reloads and flushes, in a random mix. Before each
// call it tells the parent, on a pipe, what it tries; after each call that
// returned MOT_OK it says so. The parent kills it with SIGKILL at a random
// moment (during its open too), reopens the database and checks the promises:
//
//   - the engine opens;
//   - every acknowledged event is there, exactly once, under its customer;
//   - an event tried but not acknowledged is there whole or not at all, and
//     so is each batch (all of its events or none);
//   - an acknowledged erasure left none of the customer's events, and one
//     tried left all of them or none;
//   - the state the engine opened with (from a snapshot the kill may have
//     caught half written, and the log after it) equals a rebuild from the
//     whole log (a read-only engine without the snapshot), customer by
//     customer.
//
// Both durability modes make the same promise against a crash of the
// process (see MOT_DURABILITY_*), so both are held to all of it. Some trials
// also run a reader process beside the writer, killed with it.
//
// Usage: crash_test [--kills N] [--seed S] [--dir DIR] [--verbose]
// `make test` runs a few hundred kills (seconds); `make torture` 10,000.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "motive/motive.h"

namespace {

// All events happen in 2026; every query is as of this later time, so that
// the live state is what is compared.
constexpr int64_t kEpochUs = 1767225600LL * 1000000;  // 2026-01-01
constexpr int64_t kAsOfUs = kEpochUs + 400LL * 86400 * 1000000;

// Two context configurations: a reload between them rebuilds the state, and
// a snapshot taken under the second does not fit an open under the first.
constexpr char kConfigA[] =
    "metrics { name: \"voice_30d\" aggregation: COUNT window: \"30d\" "
    "filter: \"event.channel == 'voice'\" }";
constexpr char kConfigB[] =
    "metrics { name: \"spend_90d\" aggregation: SUM field: \"value\" "
    "window: \"90d\" filter: \"event.type == 'purchase'\" }";

// Two rulesets: the first raises proactive alerts as events are recorded;
// the second adds a metric, so that loading it rebuilds the state.
constexpr char kRulesA[] =
    "version: \"a\"\n"
    "actions { id: \"sorry\" title: \"Apologise\" service: true }\n"
    "playbooks { name: \"recover\" proactive: true\n"
    "  condition: \"customer.strikes >= 1\"\n"
    "  rules { action: \"sorry\" } }\n";
constexpr char kRulesB[] =
    "version: \"b\"\n"
    "metrics { name: \"chats_30d\" aggregation: COUNT window: \"30d\"\n"
    "  filter: \"event.channel == 'chat'\" }\n"
    "actions { id: \"sorry\" title: \"Apologise\" service: true }\n"
    "playbooks { name: \"recover\" channels: VOICE\n"
    "  rules { action: \"sorry\" eligibility: \"metrics.chats_30d > 2\" } }\n";

struct Options {
  int kills = 100;
  uint64_t seed = 1;
  std::string dir;
  bool verbose = false;
};

namespace harness = motive::harness;
using harness::Die;

int Durability(int trial) {
  return trial % 2 == 0 ? MOT_DURABILITY_FULL : MOT_DURABILITY_GROUP;
}

mot_engine_options EngineOptions(int trial, const char* config) {
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.durability = Durability(trial);
  options.group_commit_ms = 5;
  options.integrity_check = MOT_CHECK_AFTER_CRASH;
  options.context_config = config;
  return options;
}

// ---------------------------------------------------------------------------
// The child: a writer that reports on a pipe.

class Reporter {
 public:
  explicit Reporter(int fd) : fd_(fd) {}
  void Say(const std::string& line) {
    const std::string text = line + "\n";
    size_t at = 0;
    while (at < text.size()) {
      ssize_t n = ::write(fd_, text.data() + at, text.size() - at);
      if (n <= 0) ::_exit(3);
      at += static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
};

std::string EventJson(const std::string& id, const std::string& customer,
                      int64_t second, std::mt19937_64& rng) {
  static const char* const kChannels[] = {"voice", "chat", "email", "web"};
  static const char* const kTypes[] = {"contact", "purchase", "survey"};
  const char* type = kTypes[rng() % 3];
  char occurred[32];
  const time_t t = static_cast<time_t>(kEpochUs / 1000000 + second);
  std::strftime(occurred, sizeof(occurred), "%Y-%m-%dT%H:%M:%SZ",
                std::gmtime(&t));
  std::ostringstream json;
  json << "{\"event_id\":\"" << id << "\",\"customer_id\":\"" << customer
       << "\",\"type\":\"" << type << "\",\"channel\":\""
       << kChannels[rng() % 4] << "\",\"occurred_at\":\"" << occurred << "\"";
  if (std::strcmp(type, "purchase") == 0) {
    json << ",\"value\":" << (rng() % 500);
  } else {
    json << ",\"sentiment\":" << (static_cast<int>(rng() % 21) - 10) / 10.0;
  }
  json << "}";
  return json.str();
}

[[noreturn]] void RunWriter(const std::string& path, int trial, uint64_t seed,
                            int fd) {
  Reporter report(fd);
  std::mt19937_64 rng(seed);
  mot_engine_options options = EngineOptions(trial, kConfigA);
  mot_engine* engine = nullptr;
  if (mot_engine_open(&engine, path.c_str(), &options) != MOT_OK) {
    report.Say(std::string("F open: ") + mot_error_last());
    ::_exit(4);
  }
  std::vector<std::string> live;  // customers that may still get events
  int next_event = 0;
  int next_customer = 0;
  auto event_id = [&] {
    return "t" + std::to_string(trial) + "e" + std::to_string(next_event++);
  };
  auto customer = [&]() -> std::string {
    if (live.empty() || rng() % 8 == 0) {
      live.push_back("t" + std::to_string(trial) + "c" +
                     std::to_string(next_customer++));
    }
    return live[rng() % live.size()];
  };
  const int64_t base_second = static_cast<int64_t>(trial % 300) * 86400;
  for (;;) {
    const unsigned op = rng() % 100;
    if (op < 55) {
      const std::string id = event_id();
      const std::string who = customer();
      const std::string json =
          EventJson(id, who, base_second + next_event, rng);
      report.Say("T " + id + "@" + who);
      int rc = mot_event_record(nullptr, engine, MOT_FORMAT_JSON, json.data(),
                                json.size());
      if (rc != MOT_OK) Die(std::string("record: ") + mot_error_last());
      report.Say("A " + id);
    } else if (op < 80) {
      std::string lines;
      std::string ids;
      const int n = 2 + static_cast<int>(rng() % 19);
      for (int i = 0; i < n; ++i) {
        const std::string id = event_id();
        const std::string who = customer();
        lines += EventJson(id, who, base_second + next_event, rng);
        lines += "\n";
        ids += " " + id + "@" + who;
      }
      report.Say("T" + ids);
      mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
      opts.format = MOT_FORMAT_JSONL;
      int rc =
          mot_ingest_buffer(nullptr, engine, lines.data(), lines.size(), &opts);
      if (rc != MOT_OK) Die(std::string("ingest: ") + mot_error_last());
      report.Say("A" + ids);
    } else if (op < 85 && live.size() > 1) {
      const size_t at = rng() % live.size();
      const std::string who = live[at];
      live.erase(live.begin() + static_cast<ptrdiff_t>(at));
      report.Say("e " + who);
      int rc = mot_customer_erase(nullptr, engine, who.c_str());
      if (rc != MOT_OK) Die(std::string("erase: ") + mot_error_last());
      report.Say("E " + who);
    } else if (op < 91) {
      if (mot_engine_snapshot(engine) != MOT_OK) {
        Die(std::string("snapshot: ") + mot_error_last());
      }
    } else if (op < 94) {
      const char* config = rng() % 2 ? kConfigA : kConfigB;
      if (mot_context_config_load(engine, config, std::strlen(config)) !=
          MOT_OK) {
        Die(std::string("config: ") + mot_error_last());
      }
    } else if (op < 97) {
      const char* rules = rng() % 2 ? kRulesA : kRulesB;
      if (mot_ruleset_load(engine, rules, std::strlen(rules), "crash") !=
          MOT_OK) {
        Die(std::string("ruleset: ") + mot_error_last());
      }
    } else if (mot_engine_flush(engine) != MOT_OK) {
      Die(std::string("flush: ") + mot_error_last());
    }
  }
}

// A reader beside the writer: it opens read-only (once the database exists)
// and reads until it is killed.
[[noreturn]] void RunReader(const std::string& path) {
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  options.snapshot_path = "-";
  for (;;) {
    mot_engine* engine = nullptr;
    if (mot_engine_open(&engine, path.c_str(), &options) != MOT_OK) {
      ::usleep(1000);
      continue;
    }
    for (int i = 0; i < 200; ++i) {
      mot_buf out = {nullptr, 0};
      mot_timeline_get(&out, engine, "t0c0", nullptr);
      mot_buf_dispose(&out);
    }
    mot_engine_close(engine);
  }
}

// ---------------------------------------------------------------------------
// The parent: what it was told, and the checks.

struct Expected {
  std::map<std::string, std::string> customer_of;  // every event tried
  std::set<std::string> acked;
  std::vector<std::vector<std::string>> batches;  // each call's events
  std::set<std::string> erase_tried;
  std::set<std::string> erased;
};

// One line of the child's: "T id@customer ..." (a call tried
// with these events), "A id@customer ..." (acknowledged), "e customer" and
// "E customer" (an erasure tried, acknowledged), "F why" (failed).
void Absorb(const std::string& line, Expected* expected) {
  std::istringstream in(line);
  std::string tag;
  in >> tag;
  std::vector<std::string> ids;
  for (std::string word; in >> word;) {
    const size_t at = word.find('@');
    if (at == std::string::npos) {
      ids.push_back(word);
      continue;
    }
    ids.push_back(word.substr(0, at));
    expected->customer_of[ids.back()] = word.substr(at + 1);
  }
  if (tag == "T") {
    expected->batches.push_back(ids);
  } else if (tag == "A") {
    expected->acked.insert(ids.begin(), ids.end());
  } else if (tag == "e") {
    expected->erase_tried.insert(ids.at(0));
  } else if (tag == "E") {
    expected->erased.insert(ids.at(0));
  } else {
    Die("the writer failed: " + line);
  }
}

std::string Timeline(mot_engine* engine, const std::string& customer) {
  mot_timeline_options opts = MOT_TIMELINE_OPTIONS_INIT;
  opts.format = MOT_FORMAT_JSON;
  mot_buf out = {nullptr, 0};
  return harness::Take(mot_timeline_get(&out, engine, customer.c_str(), &opts),
                       &out, "timeline");
}

std::string Context(mot_engine* engine, const std::string& customer) {
  mot_buf out = {nullptr, 0};
  return harness::Take(
      mot_context_get(&out, engine, customer.c_str(), kAsOfUs, MOT_FORMAT_JSON),
      &out, "context");
}

// The event ids in a timeline's JSON, with how often each appears.
std::map<std::string, int> EventIds(const std::string& timeline) {
  static const std::string kKey = "\"event_id\":\"";
  std::map<std::string, int> ids;
  for (size_t at = timeline.find(kKey); at != std::string::npos;
       at = timeline.find(kKey, at)) {
    at += kKey.size();
    const size_t end = timeline.find('"', at);
    ++ids[timeline.substr(at, end - at)];
  }
  return ids;
}

struct Counts {
  uint64_t acked_checked = 0;
  uint64_t unacked_present = 0;
  uint64_t unacked_absent = 0;
  uint64_t customers_compared = 0;
};

void Check(const std::string& path, int trial, const Expected& expected,
           Counts* counts) {
  const std::string where = "trial " + std::to_string(trial) + ": ";
  mot_engine_options options = EngineOptions(trial, kConfigA);
  mot_engine* engine = nullptr;
  if (mot_engine_open(&engine, path.c_str(), &options) != MOT_OK) {
    Die(where + "the engine does not open after the kill: " + mot_error_last());
  }
  mot_engine_options rebuild_options = MOT_ENGINE_OPTIONS_INIT;
  rebuild_options.read_only = 1;
  rebuild_options.integrity_check = MOT_CHECK_NONE;
  rebuild_options.snapshot_path = "-";
  rebuild_options.context_config = kConfigA;
  mot_engine* rebuild = nullptr;
  if (mot_engine_open(&rebuild, path.c_str(), &rebuild_options) != MOT_OK) {
    Die(where + "the rebuild does not open: " + mot_error_last());
  }

  std::set<std::string> customers;
  for (const auto& [id, customer] : expected.customer_of) {
    customers.insert(customer);
  }
  std::map<std::string, int> stored;  // event id -> copies found
  for (const std::string& customer : customers) {
    for (const auto& [id, n] : EventIds(Timeline(engine, customer))) {
      auto it = expected.customer_of.find(id);
      if (it == expected.customer_of.end() || it->second != customer) {
        Die(where + "event " + id + " is served under customer " + customer);
      }
      stored[id] += n;
      if (expected.erased.count(customer)) {
        Die(where + "erased customer " + customer + " still has " + id);
      }
    }
    const std::string context = Context(engine, customer);
    if (context != Context(rebuild, customer)) {
      Die(where + "the state of " + customer +
          " differs from a rebuild from the log:\n  opened:  " + context +
          "\n  rebuilt: " + Context(rebuild, customer));
    }
    ++counts->customers_compared;
  }
  // An erasure tried but not acknowledged took all of a customer or none.
  std::map<std::string, std::pair<int, int>> kept;  // customer -> (had, kept)
  for (const auto& batch : expected.batches) {
    int present = 0;
    for (const std::string& id : batch) {
      const int n = stored.count(id) ? stored.at(id) : 0;
      if (n > 1) Die(where + id + " is stored " + std::to_string(n) + " times");
      present += n;
      const std::string& customer = expected.customer_of.at(id);
      if (!expected.acked.count(id)) continue;
      ++counts->acked_checked;
      if (expected.erase_tried.count(customer)) {
        ++kept[customer].first;
        kept[customer].second += n;
      } else if (n == 0) {
        Die(where + "acknowledged event " + id + " is lost");
      }
    }
    if (!expected.acked.count(batch.front())) {
      if (present != 0 && present != static_cast<int>(batch.size())) {
        Die(where + "a call's events are half there (" +
            std::to_string(present) + " of " + std::to_string(batch.size()) +
            ")");
      }
      ++(present ? counts->unacked_present : counts->unacked_absent);
    }
  }
  for (const auto& [customer, had_kept] : kept) {
    if (had_kept.second != 0 && had_kept.second != had_kept.first) {
      Die(where + "the erasure of " + customer + " is half done");
    }
  }
  mot_engine_close(rebuild);
  mot_engine_close(engine);
}

}  // namespace

int main(int argc, char** argv) {
  harness::program = "crash_test";
  Options options;
  harness::ParseFlags(
      argc, argv, {"--verbose"},
      [&](const std::string& name, const std::string& value) {
        if (name == "--kills") {
          options.kills = std::stoi(value);
        } else if (name == "--seed") {
          options.seed = std::stoull(value);
        } else if (name == "--dir") {
          options.dir = value;
        } else if (name == "--verbose") {
          options.verbose = true;
        } else {
          return false;
        }
        return true;
      },
      "crash_test [--kills N] [--seed S] [--dir DIR] [--verbose]");
  std::filesystem::path dir =
      options.dir.empty() ? std::filesystem::temp_directory_path() /
                                ("motive_crash_" + std::to_string(::getpid()))
                          : std::filesystem::path(options.dir);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ::signal(SIGPIPE, SIG_IGN);
  // First, so that a failure can be replayed with --seed.
  std::printf("crash_test: seed %llu\n",
              static_cast<unsigned long long>(options.seed));
  std::fflush(stdout);
  std::mt19937_64 rng(options.seed);
  Counts counts;
  const auto started = std::chrono::steady_clock::now();
  std::string path;
  for (int trial = 0; trial < options.kills; ++trial) {
    // A database grows across crashes, and starts anew now and then so
    // that long runs stay fast (and creation is killed too).
    if (trial % 50 == 0) {
      path = (dir / ("crash" + std::to_string(trial / 50) + ".db")).string();
    }
    int fds[2];
    if (::pipe(fds) != 0) Die("pipe failed");
    const uint64_t child_seed = rng();
    const pid_t writer = ::fork();
    if (writer < 0) Die("fork failed");
    if (writer == 0) {
      ::close(fds[0]);
      RunWriter(path, trial, child_seed, fds[1]);
    }
    ::close(fds[1]);
    pid_t reader = -1;
    if (rng() % 4 == 0) {
      reader = ::fork();
      if (reader == 0) RunReader(path);
    }
    // Most kills land while it works; some during its open.
    const int delay_us = rng() % 10 == 0
                             ? static_cast<int>(rng() % 3000)
                             : 5000 + static_cast<int>(rng() % 120000);
    Expected expected;
    std::string buffer;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::microseconds(delay_us);
    bool killed = false;
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      if (!killed && now >= deadline) {
        ::kill(writer, SIGKILL);
        killed = true;
      }
      const int wait_ms =
          killed ? 1000
                 : static_cast<int>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(
                           deadline - now)
                           .count()) +
                       1;
      pollfd pfd{fds[0], POLLIN, 0};
      if (::poll(&pfd, 1, wait_ms) <= 0) continue;
      char chunk[65536];
      const ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
      if (n <= 0) {
        if (!killed) {
          ::kill(writer, SIGKILL);
          killed = true;
        }
        break;
      }
      buffer.append(chunk, static_cast<size_t>(n));
      for (size_t eol; (eol = buffer.find('\n')) != std::string::npos;) {
        Absorb(buffer.substr(0, eol), &expected);
        buffer.erase(0, eol + 1);
      }
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(writer, &status, 0);
    if (!WIFSIGNALED(status)) {
      Die("trial " + std::to_string(trial) + ": the writer ended by itself (" +
          std::to_string(status) + ")");
    }
    if (reader > 0) {
      ::kill(reader, SIGKILL);
      ::waitpid(reader, nullptr, 0);
    }
    Check(path, trial, expected, &counts);
    if (options.verbose) {
      std::printf("trial %d (%s): %zu tried, %zu acknowledged\n", trial,
                  Durability(trial) == MOT_DURABILITY_FULL ? "full" : "group",
                  expected.batches.size(), expected.acked.size());
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  std::printf(
      "crash_test: %d kills (%d under full durability, %d under group "
      "commit) in %.1f s; %llu acknowledged events found exactly once; "
      "unacknowledged: %llu present whole, %llu absent; %llu customers' "
      "states equal to a rebuild\n",
      options.kills, (options.kills + 1) / 2, options.kills / 2, seconds,
      static_cast<unsigned long long>(counts.acked_checked),
      static_cast<unsigned long long>(counts.unacked_present),
      static_cast<unsigned long long>(counts.unacked_absent),
      static_cast<unsigned long long>(counts.customers_compared));
  std::filesystem::remove_all(dir);
  return 0;
}
