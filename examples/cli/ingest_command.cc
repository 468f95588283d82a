// motive ingest: stores the events of JSONL or CSV files in a database.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "ingest_runner.h"
#include "motive/motive.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "ingest";
void PrintSummary(const FileReport& report) {
  const mot_ingest_report& c = report.counts;
  const uint64_t events = c.accepted + c.duplicates + c.rejected;
  const double rate =
      report.seconds > 0 ? static_cast<double>(events) / report.seconds : 0;
  fmt::print(
      "{}: {} accepted, {} duplicates, {} rejected in {:.2f} s ({} "
      "events/s)\n",
      report.path, Grouped(c.accepted), Grouped(c.duplicates),
      Grouped(c.rejected), report.seconds,
      Grouped(static_cast<uint64_t>(rate)));
}

int32_t FormatCode(std::string_view name) {
  if (name == "jsonl") return MOT_FORMAT_JSONL;
  if (name == "csv") return MOT_FORMAT_CSV;
  return MOT_FORMAT_AUTO;
}

}  // namespace

int RunIngest(int argc, char** argv) {
  IngestFlags flags;
  std::string format;
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
  flags.AddDatabase(cl);
  cl.Add({.name = "format",
          .value_name = "jsonl|csv",
          .help = "read every INPUT as this format, whatever its extension",
          .choices = {"jsonl", "csv"}},
         &format);
  bool json = false;
  cl.Add({.name = "json",
          .help = "print the figures as one JSON object (per file and in "
                  "total, the first rejections of each)"},
         &json);
  flags.AddRest(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  EnginePtr engine = flags.Open(kCommand);
  if (engine == nullptr) return kExitFailure;

  IngestRun run;
  run.command = kCommand;
  run.options.format = FormatCode(format);
  run.progress = !json;
  run.print_rejections = !json;
  run.on_file = [json](const FileReport& report) {
    const mot_ingest_report& c = report.counts;
    // A failure before any record says enough by itself.
    if (!json &&
        (!report.failed() || c.accepted + c.duplicates + c.rejected > 0)) {
      PrintSummary(report);
    }
  };
  std::vector<FileReport> reports;
  const int status = IngestFiles(engine.get(), flags.inputs, run, &reports);
  if (!json && flags.inputs.size() > 1 &&
      (status == kExitOk || status == kExitRejected)) {
    PrintSummary(TotalOf(reports));
  }
  return CloseIngest(kCommand, engine.get(), status, reports,
                     !flags.files.rules.empty(), json,
                     format.empty() ? "auto" : format);
}

}  // namespace motive::cli
