// motive timeline: a customer's journey, as a table or as JSON.

#include <cstdint>
#include <cstdio>
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
#include "motive/v1/event.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "timeline";

int PrintTimeline(std::string_view bytes, const std::string& customer,
                  uint64_t limit) {
  v1::Timeline timeline;
  if (!timeline.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fmt::print(stderr,
               "motive {}: the library returned a timeline that "
               "does not parse\n",
               kCommand);
    return kExitFailure;
  }
  const int count = timeline.events_size();
  if (count == 0) {
    fmt::print("no events for customer {}\n", customer);
    return kExitOk;
  }
  if (limit != 0 && static_cast<uint64_t>(count) == limit) {
    // The timeline does not say whether older events were left out.
    fmt::print("customer {}: the {}most recent event{}\n\n", customer,
               count == 1 ? "" : fmt::format("{} ", count),
               count == 1 ? "" : "s");
  } else {
    fmt::print("customer {}: {} event{}\n\n", customer, count,
               count == 1 ? "" : "s");
  }
  PrintEventTable(timeline.events());
  return kExitOk;
}

}  // namespace

int RunTimeline(int argc, char** argv) {
  std::string db;
  bool json = false;
  uint64_t limit = 0;
  EngineFiles files;
  CustomerArgument customer;
  CommandLine cl(kCommand,
                 "--db FILE [options] {CUSTOMER | --identity NAMESPACE:VALUE}",
                 "Shows a customer's events in time order: when, the moment "
                 "of truth and\nstage they belong to, the channel, the type "
                 "and what happened.");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "json",
          .help = "print the motive.v1.Timeline as JSON, as the library "
                  "returns it"},
         &json);
  cl.Add({.name = "limit",
          .value_name = "N",
          .help = "only the N most recent events (0: all)",
          .min = 0,
          .max = std::numeric_limits<uint32_t>::max()},
         &limit);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // Read-only: a mistyped path is an error rather than a new database, and
  // the lookup works beside an ingest that is writing.
  options.read_only = 1;
  // A lookup should not pay for a check that reads the whole file.
  options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }

  mot_timeline_options timeline_options = MOT_TIMELINE_OPTIONS_INIT;
  timeline_options.format = json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF;
  timeline_options.limit = static_cast<uint32_t>(limit);
  OwnedBuf buf;
  if (mot_timeline_get(buf.get(), engine.get(), customer.c_str(),
                       &timeline_options) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (!json) return PrintTimeline(buf.view(), customer.id(), limit);
  const std::string_view text = buf.view();
  fmt::print("{}{}", text, text.ends_with('\n') ? "" : "\n");
  return kExitOk;
}

}  // namespace motive::cli
