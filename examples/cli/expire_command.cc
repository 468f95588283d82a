// motive expire: retention, events older than a number of days leave.

#include <cstdint>
#include <string>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {

int RunExpire(int argc, char** argv) {
  constexpr char kCommand[] = "expire";
  std::string db;
  EngineFiles files;
  uint64_t days = 0;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE --days N [options]",
      "Applies a retention period: every event that occurred more than N "
      "days ago\nleaves the database file and its write-ahead log, the "
      "customers' contexts\n(rebuilt from the events they keep) and the "
      "snapshot, which is rewritten.\nAn event exactly N days old stays. "
      "Prints how many events left.\n\n"
      "Exit status: 0 when applied (also when nothing was old enough), 2 for "
      "a\nusage error, 3 for any other failure (for example another program "
      "reading\nthe database kept its write-ahead log: run it again once that "
      "one is done).");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "days",
          .value_name = "N",
          .help = "how many days events are kept, from when they occurred",
          .required = true,
          .min = 1,
          .max = 1000000},
         &days);
  AddJsonFlag(cl, "the period and the events removed", &json);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.create_if_missing = 0;
  options.retention_days = static_cast<uint32_t>(days);
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  uint64_t removed = 0;
  if (mot_retention_apply(&removed, engine.get()) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("retention of {} days", days));
  }
  if (json) {
    fmt::print("{{\"days\":{},\"events_removed\":{}}}\n", days, removed);
  } else {
    fmt::print("{} event{} older than {} days left the database\n",
               Grouped(removed), removed == 1 ? "" : "s", days);
  }
  return kExitOk;
}

}  // namespace motive::cli
