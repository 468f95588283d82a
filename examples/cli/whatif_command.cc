// motive whatif: what a new ruleset would have decided over the log's
// contacts, against the ruleset in use (mot_whatif_run).

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/ruleset.pb.h"
#include "progress_bar.h"

namespace motive::cli {
namespace {

// A map's entries, most frequent first (then by name: the same report
// prints the same way).
std::vector<std::pair<std::string, uint64_t>> ByCount(
    const google::protobuf::Map<std::string, uint64_t>& counts) {
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(),
                                                       counts.end());
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return sorted;
}

void PrintCounts(std::string_view title,
                 const google::protobuf::Map<std::string, uint64_t>& counts) {
  if (counts.empty()) return;
  fmt::print("\n{}\n", title);
  for (const auto& [name, count] : ByCount(counts)) {
    fmt::print("  {:<32} {:>10}\n", name, Grouped(count));
  }
}

std::string Percent(uint64_t part, uint64_t whole) {
  return whole == 0 ? "" : fmt::format(" ({:.1f}%)", 100.0 * part / whole);
}

void PrintReport(const v1::WhatIfReport& report) {
  const std::string against = report.against_version().empty()
                                  ? std::string("no ruleset")
                                  : report.against_version();
  fmt::print("what-if: {} against {}\n", report.ruleset_version(), against);
  fmt::print("  {:<32} {:>10}\n", "contacts decided again",
             Grouped(report.decisions()));
  fmt::print("  {:<32} {:>10}\n", "customers", Grouped(report.customers()));
  fmt::print("  {:<32} {:>10}{}\n", "top action changed",
             Grouped(report.changed()),
             Percent(report.changed(), report.decisions()));
  fmt::print("  {:<32} {:>10.1f} -> {:.1f}\n", "expected value",
             report.expected_value_against(), report.expected_value());
  PrintCounts("top action gained", report.top_gained());
  PrintCounts("top action lost", report.top_lost());
  PrintCounts("newly suppressed by contact policy", report.newly_suppressed());
  PrintCounts("service recovery that would have fired",
              report.service_recovery());
  if (report.examples().empty()) return;
  fmt::print("\nexamples\n");
  for (const v1::WhatIfExample& e : report.examples()) {
    const absl::Time at = absl::FromUnixSeconds(e.time().seconds());
    const std::string change =
        e.detail().empty()
            ? fmt::format("{} -> {}",
                          e.top_against().empty() ? "-" : e.top_against(),
                          e.top().empty() ? "-" : e.top())
            : e.detail();
    fmt::print("  {:<17} {:<20} {}  {}\n", e.kind(), e.customer_id(),
               absl::FormatTime("%Y-%m-%d %H:%M", at, absl::UTCTimeZone()),
               change);
  }
}

}  // namespace

int RunWhatIf(int argc, char** argv) {
  constexpr char kCommand[] = "whatif";
  std::string db, rules, against, from, to;
  EngineFiles files;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE --rules NEW [--against OLD] [options]",
      "Replays every contact in the database at its own time and decides with "
      "the\nruleset NEW, and with OLD, on the customer's context as it was "
      "then (contact\npolicy counting the offers and feedback recorded "
      "before it). Prints what\nwould have changed: decisions whose top "
      "action differs, top actions gained\nand lost, offers the new contact "
      "policy suppresses, service recovery that\nwould have fired, the "
      "expected value, and example customers. Without\n--against, NEW is "
      "compared with no ruleset. Nothing is written.\n\n"
      "Exit status: 0 when the replay ran, 2 for a usage error, 3 for any "
      "other\nfailure (a ruleset that does not load names its file, line and "
      "column).");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "rules",
          .value_name = "NEW",
          .help = "the ruleset to try (motive.v1.Ruleset, text format or JSON)",
          .required = true},
         &rules);
  cl.Add({.name = "against",
          .value_name = "OLD",
          .help = "the ruleset to compare with; default none"},
         &against);
  cl.Add({.name = "from",
          .value_name = "TIME",
          .help = "replay contacts from this time on (RFC 3339)"},
         &from);
  cl.Add({.name = "to",
          .value_name = "TIME",
          .help = "replay contacts before this time (RFC 3339)"},
         &to);
  cl.Add({.name = "json",
          .help = "print the report as JSON (motive.v1.WhatIfReport)"},
         &json);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  mot_whatif_options options = MOT_WHATIF_OPTIONS_INIT;
  if (auto exit_code = ParseTimeFlag(cl, "from", from, &options.from_us)) {
    return *exit_code;
  }
  if (auto exit_code = ParseTimeFlag(cl, "to", to, &options.to_us)) {
    return *exit_code;
  }
  std::string new_text, old_text;
  if (!ReadTextFile(kCommand, rules, &new_text)) return kExitFailure;
  if (!against.empty() && !ReadTextFile(kCommand, against, &old_text)) {
    return kExitFailure;
  }

  mot_engine_options engine_options = MOT_ENGINE_OPTIONS_INIT;
  // Beside a writer: the replay reads and changes nothing.
  engine_options.read_only = 1;
  engine_options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, engine_options, files);
  if (engine == nullptr) return kExitFailure;

  ProgressBar bar("replaying", isatty(STDERR_FILENO) != 0,
                  ProgressBar::Counting::kItems, "customers");
  options.format = json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF;
  options.origin = rules.c_str();
  if (!against.empty()) {
    options.against = old_text.c_str();
    options.against_origin = against.c_str();
  }
  options.on_progress = ProgressBar::Report;
  options.progress_user_data = &bar;
  OwnedBuf buf;
  const int rc = mot_whatif_run(buf.get(), engine.get(), new_text.c_str(),
                                &options);
  bar.Clear();
  if (rc != MOT_OK) return ReportFailure(kCommand, "what-if replay");
  if (json) {
    fmt::print("{}\n", buf.view());
    return kExitOk;
  }
  v1::WhatIfReport report;
  if (!report.ParseFromArray(buf.view().data(),
                             static_cast<int>(buf.view().size()))) {
    fmt::print(stderr, "motive {}: the library's report does not parse\n",
               kCommand);
    return kExitFailure;
  }
  PrintReport(report);
  return kExitOk;
}

}  // namespace motive::cli
