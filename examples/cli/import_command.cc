// motive import: stores the records of contact-center platforms (Amazon
// Connect contact records, Contact Lens analyses, ...) in a database, as
// `motive ingest` stores motive's own events (ingest_runner.h), and shows
// what came of them: records, events, updates, rejections by reason,
// profiles created and merged.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
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

constexpr char kCommand[] = "import";
// Reject groups shown in the table; --json gives them all.
constexpr size_t kMaxGroupsShown = 10;

// The platform format --from names, into `format`. Returns nothing on
// success, else the exit code after printing a usage error.
std::optional<int> PlatformFormat(const CommandLine& cl,
                                  const std::string& name, int32_t* format) {
  if (mot_format_from_name(format, name.c_str()) != MOT_OK) {
    return cl.UsageError(fmt::format("--from: {}", mot_error_last()));
  }
  if (*format < MOT_FORMAT_PLATFORM_AUTO) {
    return cl.UsageError(fmt::format(
        "--from {}: motive's own formats go through 'motive ingest'; "
        "--from takes a platform's (connect-ctr, contact-lens, ..., auto)",
        name));
  }
  return std::nullopt;
}

// Whether the library takes `timezone`: asked of an empty import into an
// in-memory engine, so that a bad zone is a usage error found before the
// database is touched. Returns nothing when it does, else the exit code
// after printing why.
std::optional<int> CheckTimezone(const CommandLine& cl,
                                 const std::string& timezone) {
  if (timezone.empty()) return std::nullopt;
  mot_engine* probe = nullptr;
  if (mot_engine_open(&probe, ":memory:", nullptr) != MOT_OK) {
    return ReportFailure(kCommand, "cannot open an engine");
  }
  EnginePtr owned(probe);
  mot_ingest_options options = MOT_INGEST_OPTIONS_INIT;
  options.format = MOT_FORMAT_CONNECT_CTR;
  options.timezone = timezone.c_str();
  if (mot_ingest_buffer(nullptr, probe, "", 0, &options) == MOT_EINVALID) {
    return cl.UsageError(fmt::format("--{}", mot_error_last()));
  }
  return std::nullopt;
}

// The closing table: a row per file, a total when there are several, then
// the most frequent reasons for rejection.
void PrintTable(const std::vector<FileReport>& reports) {
  std::vector<FileReport> rows;
  for (const FileReport& report : reports) {
    // A file that failed before its first record has no figures to show.
    if (!report.failed() || report.counts.records > 0) rows.push_back(report);
  }
  if (rows.empty()) return;
  const FileReport total = TotalOf(reports);
  if (reports.size() > 1) rows.push_back(total);
  size_t width = 4;
  for (const FileReport& row : rows) width = std::max(width, row.path.size());
  fmt::print(
      "{:<{}}  {:>9}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}  {:>12}  {:>6}"
      "  {:>8}  {:>9}\n",
      "file", width, "records", "stored", "updated", "duplicates", "rejected",
      "skipped", "new profiles", "merged", "seconds", "records/s");
  for (const FileReport& r : rows) {
    const mot_ingest_report& c = r.counts;
    fmt::print(
        "{:<{}}  {:>9}  {:>9}  {:>9}  {:>10}  {:>9}  {:>9}  {:>12}  {:>6}"
        "  {:>8.2f}  {:>9}\n",
        r.path, width, Grouped(c.records), Grouped(c.accepted),
        Grouped(c.updated), Grouped(c.duplicates), Grouped(c.rejected),
        Grouped(c.skipped), Grouped(c.profiles_created),
        Grouped(c.profiles_merged), r.seconds,
        Grouped(static_cast<uint64_t>(r.records_per_second())));
  }
  if (total.reject_groups.empty()) return;
  fmt::print("\nrejected, by field and reason:\n");
  const size_t shown = std::min(total.reject_groups.size(), kMaxGroupsShown);
  for (size_t i = 0; i < shown; ++i) {
    const RejectGroup& g = total.reject_groups[i];
    fmt::print("  {:>9}  {}{}{}\n", Grouped(g.count), g.field,
               g.field.empty() ? "" : ": ", g.reason);
  }
  if (total.reject_groups.size() > shown) {
    fmt::print("  ... and {} other reasons\n",
               Grouped(total.reject_groups.size() - shown));
  }
}

}  // namespace

int RunImport(int argc, char** argv) {
  IngestFlags flags;
  std::string from;
  std::string timezone;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE --from FORMAT [options] INPUT...",
      "Imports the records of a contact-center platform, as it exports them, "
      "into a\nmotive database (created when missing): each record becomes "
      "events that carry\nthe identifiers the platform knows (phone, email, "
      "...), which motive resolves\nto customer profiles. A later version of "
      "a contact supersedes the earlier one,\nand an analysis enriches its "
      "contact whichever arrives first; importing a file\nagain stores "
      "nothing twice. Records that cannot be mapped are rejected, "
      "reported as\nFILE:RECORD: field.path: reason; records about agents "
      "rather than\ncustomers (TaskRouter worker events) are skipped. A table "
      "of the figures closes\nthe run (--json: one JSON object instead). "
      "README \"Importers\" lists the\nformats and their mapping tables.\n\n"
      "Exit status: 0 when every record was imported or a duplicate, 1 when "
      "some\nwere rejected, 2 for a usage error, 3 for any other failure, 130 "
      "when\ninterrupted (what was stored before stays).");
  flags.AddDatabase(cl);
  cl.Add({.name = "from",
          .value_name = "FORMAT",
          .help = "the records' format: connect-ctr, connect-contact-event, "
                  "contact-lens, genesys-conversation, zendesk-ticket, "
                  "zendesk-comment, zendesk-field-history, "
                  "zendesk-chat-event, intercom-conversation, "
                  "salesforce-case, twilio-taskrouter, or auto (found from "
                  "the first record)",
          .required = true},
         &from);
  cl.Add({.name = "timezone",
          .value_name = "ZONE",
          .help = "the IANA time zone (such as Europe/Lisbon) of timestamps "
                  "written without an offset, as warehouse CSVs write them; "
                  "default UTC"},
         &timezone);
  cl.Add({.name = "json",
          .help = "print the figures as one JSON object on stdout, without "
                  "the table, the progress bar or the rejected records (the "
                  "first ones are in it); with --rules, the number of alerts "
                  "raised instead of the alerts"},
         &json);
  flags.AddRest(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  int32_t format = MOT_FORMAT_PLATFORM_AUTO;
  if (auto exit_code = PlatformFormat(cl, from, &format)) return *exit_code;
  if (auto exit_code = CheckTimezone(cl, timezone)) return *exit_code;

  EnginePtr engine = flags.Open(kCommand);
  if (engine == nullptr) return kExitFailure;
  IngestRun run;
  run.command = kCommand;
  run.options.format = format;
  run.options.timezone = timezone.empty() ? nullptr : timezone.c_str();
  run.progress = !json;
  run.print_rejections = !json;
  std::vector<FileReport> reports;
  const int status = IngestFiles(engine.get(), flags.inputs, run, &reports);
  if (!json) PrintTable(reports);
  return CloseIngest(kCommand, engine.get(), status, reports,
                     !flags.files.rules.empty(), json, from);
}

}  // namespace motive::cli
