// motive ingest: stores the events of JSONL or CSV files in a database.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "event_table.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/ruleset.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "ingest";
// Rejections printed per file, and alerts printed; the rest are only
// counted.
constexpr uint64_t kMaxRejectsShown = 20;
constexpr size_t kMaxAlertsShown = 20;
// Smaller files go by too fast for a progress bar to help.
constexpr uintmax_t kProgressMinBytes = uintmax_t{1} << 20;

// Set by Ctrl-C; the progress callback then asks the ingest to stop, so that
// the database is closed cleanly with every committed batch kept.
volatile std::sig_atomic_t g_interrupted = 0;

void OnInterrupt(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// Routes Ctrl-C to OnInterrupt while it lives.
class InterruptGuard {
 public:
  InterruptGuard() : previous_(std::signal(SIGINT, OnInterrupt)) {}
  ~InterruptGuard() { std::signal(SIGINT, previous_); }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_)(int);
};

// A one-line progress bar on stderr, redrawn in place. Does nothing when
// disabled.
class ProgressBar {
 public:
  ProgressBar(std::string_view label, bool enabled)
      : label_(label), enabled_(enabled) {}
  ~ProgressBar() { Clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, uint64_t total) {
    if (!enabled_ || total == 0) return;
    const int permille = static_cast<int>(std::min(done, total) * 1000 / total);
    if (permille == permille_) return;
    permille_ = permille;
    constexpr int kWidth = 30;
    const int filled = permille * kWidth / 1000;
    constexpr double kMiB = 1024.0 * 1024.0;
    fmt::print(
        stderr, "\r{} [{:#<{}}{:-<{}}] {:5.1f}%  {:.1f}/{:.1f} MiB\x1b[K",
        label_, "", filled, "", kWidth - filled, permille / 10.0,
        static_cast<double>(done) / kMiB, static_cast<double>(total) / kMiB);
    visible_ = true;
  }

  // Erases the bar, so that a message can take its line.
  void Clear() {
    if (!visible_) return;
    fmt::print(stderr, "\r\x1b[K");
    visible_ = false;
    permille_ = -1;
  }

 private:
  const std::string label_;
  const bool enabled_;
  bool visible_ = false;
  int permille_ = -1;  // what the bar shows, in tenths of a percent
};

// What the callbacks of one file's ingest share.
struct FileIngest {
  FileIngest(const std::string& path, bool show_progress)
      : path(path), bar(path, show_progress) {}

  const std::string& path;
  ProgressBar bar;
  uint64_t rejects_shown = 0;
};

void OnReject(void* user_data, uint64_t record, const char* field,
              const char* message) {
  auto* file = static_cast<FileIngest*>(user_data);
  if (file->rejects_shown == kMaxRejectsShown) return;
  ++file->rejects_shown;
  file->bar.Clear();
  if (*field != '\0') {
    fmt::print(stderr, "{}:{}: {}: {}\n", file->path, record, field, message);
  } else {
    fmt::print(stderr, "{}:{}: {}\n", file->path, record, message);
  }
}

int OnProgress(void* user_data, uint64_t bytes_done, uint64_t bytes_total) {
  static_cast<FileIngest*>(user_data)->bar.Update(bytes_done, bytes_total);
  return g_interrupted;
}

struct Counts {
  uint64_t accepted = 0;
  uint64_t duplicates = 0;
  uint64_t rejected = 0;
  double seconds = 0;

  uint64_t records() const { return accepted + duplicates + rejected; }
  void Add(const Counts& other) {
    accepted += other.accepted;
    duplicates += other.duplicates;
    rejected += other.rejected;
    seconds += other.seconds;
  }
};

void PrintSummary(std::string_view label, const Counts& counts) {
  const double rate =
      counts.seconds > 0
          ? static_cast<double>(counts.records()) / counts.seconds
          : 0;
  fmt::print(
      "{}: {} accepted, {} duplicates, {} rejected in {:.2f} s ({} "
      "events/s)\n",
      label, Grouped(counts.accepted), Grouped(counts.duplicates),
      Grouped(counts.rejected), counts.seconds,
      Grouped(static_cast<uint64_t>(rate)));
}

int32_t FormatCode(std::string_view name) {
  if (name == "jsonl") return MOT_FORMAT_JSONL;
  if (name == "csv") return MOT_FORMAT_CSV;
  return MOT_FORMAT_AUTO;
}

// Ingests one file, printing its rejections and its summary. Returns the
// status code of mot_ingest_file(), after printing the error of a failure.
int IngestFile(mot_engine* engine, const std::string& path, int32_t format,
               Counts* counts) {
  std::error_code size_error;
  const uintmax_t size = std::filesystem::file_size(path, size_error);
  FileIngest file(
      path, isatty(STDERR_FILENO) && !size_error && size > kProgressMinBytes);
  mot_ingest_options options = MOT_INGEST_OPTIONS_INIT;
  options.format = format;
  options.on_reject = OnReject;
  options.reject_user_data = &file;
  options.on_progress = OnProgress;
  options.progress_user_data = &file;
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;

  const auto start = std::chrono::steady_clock::now();
  const int rc = mot_ingest_file(&report, engine, path.c_str(), &options);
  const std::string error = mot_error_last();
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  file.bar.Clear();
  *counts = {report.accepted, report.duplicates, report.rejected,
             elapsed.count()};

  const bool failed =
      rc != MOT_OK && rc != MOT_EREJECTED && rc != MOT_ECANCELED;
  if (report.rejected > file.rejects_shown) {
    fmt::print(stderr, "{}: ... and {} more rejected records\n", path,
               Grouped(report.rejected - file.rejects_shown));
  }
  if (!failed || counts->records() > 0) PrintSummary(path, *counts);
  if (failed) {
    fmt::print(stderr, "motive {}: {}\n", kCommand, AboutPath(path, error));
  }
  return rc;
}

// Prints the proactive alerts the ingest raised: how many, and the first
// ones that are due (the others wait for the end of quiet hours). Returns
// false after printing why it could not.
bool PrintAlerts(mot_engine* engine) {
  mot_engine_stats stats = MOT_ENGINE_STATS_INIT;
  OwnedBuf buf;
  // Polled first: what stays queued then is what is not due yet.
  if (mot_alerts_poll(buf.get(), engine, 0, MOT_FORMAT_PROTOBUF) != MOT_OK ||
      mot_engine_stats_get(&stats, engine) != MOT_OK) {
    ReportFailure(kCommand, "cannot read the alerts");
    return false;
  }
  v1::AlertList list;
  if (!list.ParseFromArray(buf.view().data(),
                           static_cast<int>(buf.view().size()))) {
    fmt::print(stderr,
               "motive {}: the library returned alerts that do not parse\n",
               kCommand);
    return false;
  }
  const uint64_t waiting = stats.alerts_queued;
  fmt::print("alerts: {} raised", Grouped(stats.alerts_raised));
  if (stats.alerts_dropped > 0) {
    fmt::print(", {} dropped (too many waiting)",
               Grouped(stats.alerts_dropped));
  }
  if (waiting > 0) {
    fmt::print(", {} waiting for the end of quiet hours", Grouped(waiting));
  }
  fmt::print("\n");
  const size_t shown = std::min<size_t>(list.alerts_size(), kMaxAlertsShown);
  for (size_t i = 0; i < shown; ++i) {
    const v1::Alert& alert = list.alerts(static_cast<int>(i));
    fmt::print("  {}  {}/{}  {}  deliver after {} UTC\n", alert.customer_id(),
               alert.playbook(), alert.rule(), alert.action().action(),
               MinuteText(alert.deliver_after()));
  }
  if (static_cast<size_t>(list.alerts_size()) > shown) {
    fmt::print("  ... and {} more\n",
               Grouped(static_cast<uint64_t>(list.alerts_size()) - shown));
  }
  return true;
}

}  // namespace

int RunIngest(int argc, char** argv) {
  std::string db;
  std::string durability = "full";
  std::string format;
  EngineFiles files;
  std::vector<std::string> inputs;
  CommandLine cl(
      kCommand, "--db FILE [options] INPUT...",
      "Stores the events of JSONL or CSV files in a motive database, creating "
      "the\ndatabase when missing. Each file's format follows its extension "
      "(.jsonl,\n.ndjson, .csv) unless --format names it. Invalid records are "
      "reported\nas FILE:LINE: field: reason and skipped; the others are "
      "stored, and\nevents already stored are counted as duplicates. A "
      "snapshot of the customers'\nstate is written beside the database "
      "(FILE-snapshot) so that later\ncommands open fast. With --rules, the "
      "ruleset's proactive rules are evaluated\nas events come in, and the "
      "alerts they raise are printed at the end.\n\n"
      "Exit status: 0 when every record was stored or a duplicate, 1 when "
      "some\nwere rejected, 2 for a usage error, 3 for any other failure, 130 "
      "when\ninterrupted (what was stored before stays).");
  cl.Add({.name = "db",
          .value_name = "FILE",
          .help = "the database",
          .required = true},
         &db);
  cl.Add({.name = "durability",
          .value_name = "full|group",
          .help = "full: each batch is on disk when written; group: synced "
                  "in groups, faster, a crash may lose the last 50 ms",
          .choices = {"full", "group"}},
         &durability);
  cl.Add({.name = "format",
          .value_name = "jsonl|csv",
          .help = "read every INPUT as this format, whatever its extension",
          .choices = {"jsonl", "csv"}},
         &format);
  cl.Add({.name = "rules",
          .value_name = "FILE",
          .help = "a ruleset (motive.v1.Ruleset) whose proactive rules raise "
                  "alerts; its metrics go into the snapshot"},
         &files.rules);
  AddIdentityConfigFlag(cl, &files.identity_config);
  cl.Positionals("INPUT", 1, std::numeric_limits<size_t>::max(), &inputs);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.durability =
      durability == "group" ? MOT_DURABILITY_GROUP : MOT_DURABILITY_FULL;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;

  InterruptGuard interrupt_guard;
  Counts total;
  for (const std::string& input : inputs) {
    Counts counts;
    const int rc = IngestFile(engine.get(), input, FormatCode(format), &counts);
    total.Add(counts);
    if (rc == MOT_ECANCELED) {
      fmt::print(stderr, "motive {}: interrupted; what was stored stays\n",
                 kCommand);
      return kExitInterrupted;
    }
    if (rc != MOT_OK && rc != MOT_EREJECTED) return kExitFailure;
  }
  if (inputs.size() > 1) PrintSummary("total", total);
  if (!files.rules.empty() && !PrintAlerts(engine.get())) return kExitFailure;
  if (mot_engine_flush(engine.get()) != MOT_OK) {
    return ReportFailure(kCommand, "cannot flush the database");
  }
  // So that the commands after this one open in seconds, not by replaying
  // the whole log (under the default context configuration).
  if (mot_engine_snapshot(engine.get()) != MOT_OK) {
    return ReportFailure(kCommand, "cannot write the state snapshot");
  }
  return total.rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace motive::cli
