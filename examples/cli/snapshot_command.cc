// motive snapshot: writes the state snapshot of a database, so that engines
// (and `motive context`) open it without replaying the whole log.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "snapshot";

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

void PrintStats(const mot_engine_stats& stats, double open_seconds) {
  if (stats.from_snapshot) {
    fmt::print(
        "opened in {:.2f} s from the previous snapshot and {} newer "
        "event{}\n",
        open_seconds, Grouped(stats.events_replayed),
        stats.events_replayed == 1 ? "" : "s");
  } else {
    fmt::print("opened in {:.2f} s by replaying {} event{}{}\n", open_seconds,
               Grouped(stats.events_replayed),
               stats.events_replayed == 1 ? "" : "s",
               *stats.snapshot_note != '\0'
                   ? fmt::format(" (previous snapshot not used: {})",
                                 stats.snapshot_note)
                   : "");
  }
  constexpr double kMiB = 1024.0 * 1024.0;
  fmt::print(
      "state: {} customers, {} events held, {} metric samples, {} strings, "
      "{:.1f} MiB\n",
      Grouped(stats.customers), Grouped(stats.held_events),
      Grouped(stats.metric_samples), Grouped(stats.strings),
      static_cast<double>(stats.state_bytes) / kMiB);
}

}  // namespace

int RunSnapshot(int argc, char** argv) {
  std::string db;
  EngineFiles files;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE [options]",
      "Writes the state snapshot of a database beside it (FILE-snapshot): "
      "every\ncustomer's context as it stands, so that the next open reads it "
      "and replays\nonly the events recorded after it instead of the whole "
      "log. A snapshot is\nonly a cache: one that no longer matches the log "
      "or the configuration is\nignored. Prints how long opening and writing "
      "took and the size of the state.\n\n"
      "Exit status: 0 when written, 2 for a usage error, 3 for any other "
      "failure.");
  AddExistingDatabaseFlag(cl, &db);
  AddJsonFlag(cl, "the times and the state's size", &json);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // The snapshot is for an existing database; writing it needs a writer.
  options.create_if_missing = 0;
  const auto open_start = std::chrono::steady_clock::now();
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  const double open_seconds = SecondsSince(open_start);

  mot_engine_stats stats = MOT_ENGINE_STATS_INIT;
  if (mot_engine_stats_get(&stats, engine.get()) != MOT_OK) {
    return ReportFailure(kCommand, "cannot read the state's statistics");
  }
  if (!json) PrintStats(stats, open_seconds);

  const auto write_start = std::chrono::steady_clock::now();
  if (mot_engine_snapshot(engine.get()) != MOT_OK) {
    return ReportFailure(kCommand, "cannot write the snapshot");
  }
  const double write_seconds = SecondsSince(write_start);
  if (json) {
    fmt::print(
        "{{\"open_seconds\":{:.3f},\"from_snapshot\":{},"
        "\"events_replayed\":{},\"customers\":{},\"state_bytes\":{},"
        "\"write_seconds\":{:.3f}}}\n",
        open_seconds, stats.from_snapshot ? "true" : "false",
        stats.events_replayed, stats.customers, stats.state_bytes,
        write_seconds);
  } else {
    fmt::print("snapshot written in {:.2f} s\n", write_seconds);
  }
  return kExitOk;
}

}  // namespace motive::cli
