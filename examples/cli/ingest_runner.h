// What `motive ingest` and `motive import` share: one file after another
// through mot_ingest_file(), with a progress bar on a terminal, Ctrl-C
// stopping cleanly, rejected records printed as FILE:RECORD: field: reason
// (the first ones; the rest counted, and grouped by field and reason), then
// the flush and the state snapshot. The commands differ only in how the
// format is chosen (the ingest options they pass) and in how they print
// the figures (the FileReports they get back).

#ifndef MOTIVE_EXAMPLES_CLI_INGEST_RUNNER_H_
#define MOTIVE_EXAMPLES_CLI_INGEST_RUNNER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "engine_util.h"
#include "motive/motive.h"

namespace motive::cli {

// The flags both commands take, and the engine they open. Not thread-safe;
// the CommandLine holds pointers into it, so it must outlive Parse().
struct IngestFlags {
  std::string db;
  std::string durability = "full";
  EngineFiles files;  // --rules, --identity-config
  std::vector<std::string> inputs;

  // --db and --durability.
  void AddDatabase(CommandLine& cl);
  // --rules, --identity-config and the INPUT files.
  void AddRest(CommandLine& cl);
  // Opens (or creates) the database; on failure prints why and returns null.
  EnginePtr Open(std::string_view command) const;
};

// Rejections of one (field, reason) kind: the field path with its indices
// as [*] ("participants[*].sessions[*].segmentEnd") and the reason without
// the value quoted in it ("must be RFC 3339, got …"), so that a thousand
// bad timestamps make one line.
struct RejectGroup {
  std::string field;
  std::string reason;
  uint64_t count = 0;
};

// One rejected record, as the library reported it.
struct Rejection {
  uint64_t record = 0;
  std::string field;
  std::string message;
};

// The figures of one file's ingest, or of several added up.
struct FileReport {
  std::string path;  // "total" for a sum
  mot_ingest_report counts = MOT_INGEST_REPORT_INIT;
  double seconds = 0;
  std::vector<Rejection> first_rejections;  // the first kMaxRejectsShown
  std::vector<RejectGroup> reject_groups;   // most frequent first
  int status = MOT_OK;                      // of mot_ingest_file()
  std::string error;                        // its message, when it failed

  // Whether the file failed (not for rejected records, nor interrupted).
  bool failed() const;
  double records_per_second() const;
  // Adds `other`'s counts, time and reject groups (not its rejections).
  void Add(const FileReport& other);
};

// Rejections printed (and kept in FileReport) per file.
inline constexpr uint64_t kMaxRejectsShown = 20;

struct IngestRun {
  std::string_view command;  // "ingest", "import": for messages
  // The format, time zone, ...; the callbacks are the runner's.
  mot_ingest_options options = MOT_INGEST_OPTIONS_INIT;
  // A progress bar on stderr for large files, when it is a terminal.
  bool progress = true;
  // Rejections printed to stderr as they come.
  bool print_rejections = true;
  // Called after each file, before its failure (if any) is printed.
  std::function<void(const FileReport&)> on_file;
};

// Ingests `inputs` in turn, into `reports` (one per file ingested). Ctrl-C
// stops the file under way at the end of a batch (what was committed
// stays). Returns kExitOk, kExitRejected, kExitInterrupted or kExitFailure
// (after printing why, as "motive COMMAND: FILE: reason"; the files after
// a failure are not read).
int IngestFiles(mot_engine* engine, const std::vector<std::string>& inputs,
                const IngestRun& run, std::vector<FileReport>* reports);

// The sum of `reports`, named "total".
FileReport TotalOf(const std::vector<FileReport>& reports);

// Prints the proactive alerts the ingest raised (--rules): how many, and
// the first ones that are due (the others wait for the end of quiet hours).
// Returns false after printing why it could not.
bool PrintAlerts(std::string_view command, mot_engine* engine);

// Flushes, then writes the state snapshot so that the next commands open
// fast. Returns kExitOk, or kExitFailure after printing why.
int FinishIngest(std::string_view command, mot_engine* engine);

// What both commands do once the files are read (`status`, IngestFiles'):
// unless it failed, prints the alerts --rules raised (`with_rules`; not with
// `json`) and finishes the ingest; with `json`, prints the JSON report
// (`from`: the format). Returns the exit status.
int CloseIngest(std::string_view command, mot_engine* engine, int status,
                const std::vector<FileReport>& reports, bool with_rules,
                bool json, std::string_view from);

// The figures of an ingest as one JSON object on stdout (--json): where
// they came from (`from`: the format), the status of `exit_code`, each
// file's figures with its first rejections, and the total; `with_rules`,
// the proactive alerts the ruleset raised in `engine`.
void PrintIngestJson(std::string_view from,
                     const std::vector<FileReport>& reports, int exit_code,
                     mot_engine* engine, bool with_rules);

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_INGEST_RUNNER_H_
