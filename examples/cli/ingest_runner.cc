#include "ingest_runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "command_line.h"
#include "engine_util.h"
#include "event_table.h"
#include "progress_bar.h"
#include "fmt/format.h"
#include "motive/v1/ruleset.pb.h"

namespace motive::cli {
namespace {

// Smaller files go by too fast for a progress bar to help.
constexpr uintmax_t kProgressMinBytes = uintmax_t{1} << 20;
// Distinct (field, reason) groups kept per file; past it, the rest share
// one group, so that memory stays bounded whatever the input.
constexpr size_t kMaxRejectGroups = 1000;
// Alerts printed; the rest are only counted.
constexpr size_t kMaxAlertsShown = 20;

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

// "participants[0].sessions[12]" as "participants[*].sessions[*]".
std::string FieldPattern(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    out += field[i];
    if (field[i] != '[') continue;
    size_t end = i + 1;
    while (end < field.size() && field[end] >= '0' && field[end] <= '9') ++end;
    if (end > i + 1 && end < field.size() && field[end] == ']') {
      out += '*';
      i = end - 1;
    }
  }
  return out;
}

// The reason without the value it quotes: what follows ", got " (the
// library's "must be X, got Y") and quoted text become "…".
std::string ReasonPattern(std::string_view message) {
  const size_t got = message.find(", got ");
  if (got != std::string_view::npos) {
    return fmt::format("{}, got …", message.substr(0, got));
  }
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    const size_t close = (c == '"' || c == '\'') ? message.find(c, i + 1)
                                                 : std::string_view::npos;
    // An apostrophe inside a word ("contact's") opens no quote.
    const bool opens = close != std::string_view::npos &&
                       (i == 0 || message[i - 1] == ' ' || c == '"');
    if (opens) {
      out += c;
      out += "…";
      out += c;
      i = close;
    } else {
      out += c;
    }
  }
  return out;
}

// What the callbacks of one file's ingest share.
struct FileIngest {
  FileIngest(FileReport* report, bool show_progress, bool print)
      : report(*report), bar(report->path, show_progress), print(print) {}

  FileReport& report;
  ProgressBar bar;
  const bool print;
  std::map<std::pair<std::string, std::string>, uint64_t> groups;
};

void OnReject(void* user_data, uint64_t record, const char* field,
              const char* message) {
  auto* file = static_cast<FileIngest*>(user_data);
  std::pair<std::string, std::string> key(FieldPattern(field),
                                          ReasonPattern(message));
  if (file->groups.size() >= kMaxRejectGroups && !file->groups.count(key)) {
    key = {"", "(other reasons)"};
  }
  ++file->groups[key];
  std::vector<Rejection>& shown = file->report.first_rejections;
  if (shown.size() == kMaxRejectsShown) return;
  shown.push_back({record, field, message});
  if (!file->print) return;
  file->bar.Clear();
  const std::string& path = file->report.path;
  if (*field != '\0') {
    fmt::print(stderr, "{}:{}: {}: {}\n", path, record, field, message);
  } else {
    fmt::print(stderr, "{}:{}: {}\n", path, record, message);
  }
}

int OnProgress(void* user_data, uint64_t bytes_done, uint64_t bytes_total) {
  static_cast<FileIngest*>(user_data)->bar.Update(bytes_done, bytes_total);
  return g_interrupted;
}

std::vector<RejectGroup> SortedGroups(
    const std::map<std::pair<std::string, std::string>, uint64_t>& groups) {
  std::vector<RejectGroup> out;
  out.reserve(groups.size());
  for (const auto& [key, count] : groups) {
    out.push_back({key.first, key.second, count});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RejectGroup& a, const RejectGroup& b) {
                     return a.count > b.count;
                   });
  return out;
}

// Ingests one file into `report`, printing its rejections as they come.
void IngestFile(mot_engine* engine, const IngestRun& run, FileReport* report) {
  std::error_code size_error;
  const uintmax_t size = std::filesystem::file_size(report->path, size_error);
  FileIngest file(report,
                  run.progress && isatty(STDERR_FILENO) && !size_error &&
                      size > kProgressMinBytes,
                  run.print_rejections);
  mot_ingest_options options = run.options;
  options.on_reject = OnReject;
  options.reject_user_data = &file;
  options.on_progress = OnProgress;
  options.progress_user_data = &file;

  const auto start = std::chrono::steady_clock::now();
  report->status =
      mot_ingest_file(&report->counts, engine, report->path.c_str(), &options);
  if (report->status != MOT_OK) report->error = mot_error_last();
  const std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  file.bar.Clear();
  report->seconds = elapsed.count();
  report->reject_groups = SortedGroups(file.groups);
  const uint64_t shown = report->first_rejections.size();
  if (run.print_rejections && report->counts.rejected > shown) {
    fmt::print(stderr, "{}: ... and {} more rejected records\n", report->path,
               Grouped(report->counts.rejected - shown));
  }
}

}  // namespace

bool PrintAlerts(std::string_view command, mot_engine* engine) {
  mot_engine_stats stats = MOT_ENGINE_STATS_INIT;
  OwnedBuf buf;
  // Polled first: what stays queued then is what is not due yet.
  if (mot_alerts_poll(buf.get(), engine, 0, MOT_FORMAT_PROTOBUF) != MOT_OK ||
      mot_engine_stats_get(&stats, engine) != MOT_OK) {
    ReportFailure(command, "cannot read the alerts");
    return false;
  }
  v1::AlertList list;
  if (!list.ParseFromArray(buf.view().data(),
                           static_cast<int>(buf.view().size()))) {
    fmt::print(stderr,
               "motive {}: the library returned alerts that do not parse\n",
               command);
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

void IngestFlags::AddDatabase(CommandLine& cl) {
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
}

void IngestFlags::AddRest(CommandLine& cl) {
  cl.Add({.name = "rules",
          .value_name = "FILE",
          .help = "a ruleset (motive.v1.Ruleset) whose proactive rules raise "
                  "alerts; its metrics go into the snapshot"},
         &files.rules);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  cl.Positionals("INPUT", 1, std::numeric_limits<size_t>::max(), &inputs);
}

EnginePtr IngestFlags::Open(std::string_view command) const {
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.durability =
      durability == "group" ? MOT_DURABILITY_GROUP : MOT_DURABILITY_FULL;
  return OpenEngine(command, db, options, files);
}

bool FileReport::failed() const {
  return status != MOT_OK && status != MOT_EREJECTED && status != MOT_ECANCELED;
}

double FileReport::records_per_second() const {
  return seconds > 0 ? static_cast<double>(counts.records) / seconds : 0;
}

void FileReport::Add(const FileReport& other) {
  counts.records += other.counts.records;
  counts.accepted += other.counts.accepted;
  counts.updated += other.counts.updated;
  counts.duplicates += other.counts.duplicates;
  counts.rejected += other.counts.rejected;
  counts.profiles_created += other.counts.profiles_created;
  counts.profiles_merged += other.counts.profiles_merged;
  counts.skipped += other.counts.skipped;
  seconds += other.seconds;
  for (const RejectGroup& group : other.reject_groups) {
    auto same = std::find_if(
        reject_groups.begin(), reject_groups.end(), [&](const RejectGroup& g) {
          return g.field == group.field && g.reason == group.reason;
        });
    if (same == reject_groups.end()) {
      reject_groups.push_back(group);
    } else {
      same->count += group.count;
    }
  }
  std::stable_sort(reject_groups.begin(), reject_groups.end(),
                   [](const RejectGroup& a, const RejectGroup& b) {
                     return a.count > b.count;
                   });
}

FileReport TotalOf(const std::vector<FileReport>& reports) {
  FileReport total;
  total.path = "total";
  for (const FileReport& report : reports) total.Add(report);
  return total;
}

int IngestFiles(mot_engine* engine, const std::vector<std::string>& inputs,
                const IngestRun& run, std::vector<FileReport>* reports) {
  InterruptGuard interrupt_guard;
  bool rejected = false;
  for (const std::string& input : inputs) {
    FileReport& report = reports->emplace_back();
    report.path = input;
    IngestFile(engine, run, &report);
    if (run.on_file) run.on_file(report);
    if (report.status == MOT_ECANCELED) {
      fmt::print(stderr, "motive {}: interrupted; what was stored stays\n",
                 run.command);
      return kExitInterrupted;
    }
    if (report.failed()) {
      fmt::print(stderr, "motive {}: {}\n", run.command,
                 AboutPath(input, report.error));
      return kExitFailure;
    }
    rejected = rejected || report.counts.rejected > 0;
  }
  return rejected ? kExitRejected : kExitOk;
}

int FinishIngest(std::string_view command, mot_engine* engine) {
  if (mot_engine_flush(engine) != MOT_OK) {
    return ReportFailure(command, "cannot flush the database");
  }
  // So that the commands after this one open in seconds, not by replaying
  // the whole log (under the default context configuration).
  if (mot_engine_snapshot(engine) != MOT_OK) {
    return ReportFailure(command, "cannot write the state snapshot");
  }
  return kExitOk;
}

namespace {


// One file's figures (or the total's) as a JSON object.
std::string ReportJson(const FileReport& r, bool with_rejections) {
  const mot_ingest_report& c = r.counts;
  std::string out = fmt::format(
      "{{\"path\":{},\"records\":{},\"events_stored\":{},\"updated\":{},"
      "\"duplicates\":{},\"rejected\":{},\"profiles_created\":{},"
      "\"profiles_merged\":{},\"skipped\":{},\"seconds\":{:.3f},"
      "\"records_per_second\":{:.0f},\"rejected_by_reason\":[",
      JsonQuote(r.path), c.records, c.accepted, c.updated, c.duplicates,
      c.rejected, c.profiles_created, c.profiles_merged, c.skipped, r.seconds,
      r.records_per_second());
  for (size_t i = 0; i < r.reject_groups.size(); ++i) {
    const RejectGroup& g = r.reject_groups[i];
    out += fmt::format("{}{{\"field\":{},\"reason\":{},\"count\":{}}}",
                       i > 0 ? "," : "", JsonQuote(g.field),
                       JsonQuote(g.reason), g.count);
  }
  out += "]";
  if (with_rejections) {
    out += ",\"first_rejections\":[";
    for (size_t i = 0; i < r.first_rejections.size(); ++i) {
      const Rejection& x = r.first_rejections[i];
      out += fmt::format("{}{{\"record\":{},\"field\":{},\"message\":{}}}",
                         i > 0 ? "," : "", x.record, JsonQuote(x.field),
                         JsonQuote(x.message));
    }
    out += "]";
  }
  if (r.failed()) out += fmt::format(",\"error\":{}", JsonQuote(r.error));
  return out + "}";
}

std::string_view StatusName(int exit_code) {
  switch (exit_code) {
    case kExitOk:
      return "ok";
    case kExitRejected:
      return "rejected";
    case kExitInterrupted:
      return "interrupted";
    default:
      return "failed";
  }
}

}  // namespace

void PrintIngestJson(std::string_view from,
                     const std::vector<FileReport>& reports, int exit_code,
                     mot_engine* engine, bool with_rules) {
  std::optional<uint64_t> alerts_raised;
  mot_engine_stats stats = MOT_ENGINE_STATS_INIT;
  if (with_rules && mot_engine_stats_get(&stats, engine) == MOT_OK) {
    alerts_raised = stats.alerts_raised;
  }
  std::string files;
  for (const FileReport& report : reports) {
    if (!files.empty()) files += ",";
    files += ReportJson(report, true);
  }
  std::string alerts;
  if (alerts_raised)
    alerts = fmt::format(",\"alerts_raised\":{}", *alerts_raised);
  fmt::print(
      "{{\"from\":{},\"status\":\"{}\",\"files\":[{}],\"total\":{}{}}}\n",
      JsonQuote(from), StatusName(exit_code), files,
      ReportJson(TotalOf(reports), false), alerts);
}


int CloseIngest(std::string_view command, mot_engine* engine, int status,
                const std::vector<FileReport>& reports, bool with_rules,
                bool json, std::string_view from) {
  if (status == kExitOk || status == kExitRejected) {
    if (!json && with_rules && !PrintAlerts(command, engine)) {
      status = kExitFailure;
    } else if (const int finished = FinishIngest(command, engine);
               finished != kExitOk) {
      status = finished;
    }
  }
  if (json) PrintIngestJson(from, reports, status, engine, with_rules);
  return status;
}

}  // namespace motive::cli
