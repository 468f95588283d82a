// motive timeline: a customer's journey, as a table or as JSON.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/event.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "timeline";

constexpr size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;
constexpr Row kHeader = {"time (UTC)", "moment", "stage",
                         "channel",    "type",   "details"};

// An enum value as the JSON mapping accepts it ("less_than_zero"), or "-"
// for the unspecified zero value.
std::string EnumText(int value, const std::string& name) {
  return value == 0 ? "-" : absl::AsciiStrToLower(name);
}

std::string MinuteText(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

// 95000 ms as "1m35s".
std::string DurationText(int64_t ms) {
  const int64_t s = (ms + 500) / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

// What the event says beyond its type: topic, outcome, sentiment, money,
// survey scores, transfers and hold.
std::string DetailsText(const v1::Event& e) {
  std::vector<std::string> parts;
  if (!e.topic().empty()) parts.push_back(e.topic());
  if (e.outcome() != v1::OUTCOME_UNSPECIFIED) {
    parts.push_back(EnumText(e.outcome(), v1::Outcome_Name(e.outcome())));
  }
  if (e.has_sentiment()) {
    parts.push_back(fmt::format("sentiment {:+.2f}", e.sentiment()));
  }
  if (e.has_value()) {
    parts.push_back(e.currency().empty()
                        ? fmt::format("{:.2f}", e.value())
                        : fmt::format("{:.2f} {}", e.value(), e.currency()));
  }
  if (e.has_csat()) parts.push_back(fmt::format("csat {}", e.csat()));
  if (e.has_nps()) parts.push_back(fmt::format("nps {}", e.nps()));
  if (e.transfers() > 0) {
    parts.push_back(fmt::format("{} transfer{}", e.transfers(),
                                e.transfers() == 1 ? "" : "s"));
  }
  if (e.hold_ms() > 0) {
    parts.push_back(fmt::format("hold {}", DurationText(e.hold_ms())));
  }
  return absl::StrJoin(parts, ", ");
}

Row EventRow(const v1::Event& e) {
  return {MinuteText(e.occurred_at()),
          EnumText(e.moment(), v1::Moment_Name(e.moment())),
          EnumText(e.stage(), v1::Stage_Name(e.stage())),
          EnumText(e.channel(), v1::Channel_Name(e.channel())),
          e.type(),
          DetailsText(e)};
}

void PrintTable(const std::vector<Row>& rows) {
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < kColumns; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i + 1 < kColumns; ++i) {
      line += fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    line += row[kColumns - 1];
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
}

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
  std::vector<Row> rows = {kHeader};
  rows.reserve(static_cast<size_t>(count) + 1);
  for (const v1::Event& e : timeline.events()) rows.push_back(EventRow(e));
  PrintTable(rows);
  return kExitOk;
}

}  // namespace

int RunTimeline(int argc, char** argv) {
  std::string db;
  bool json = false;
  uint64_t limit = 0;
  std::vector<std::string> customer;
  CommandLine cl(kCommand, "--db FILE [options] CUSTOMER",
                 "Shows a customer's events in time order: when, the moment "
                 "of truth and\nstage they belong to, the channel, the type "
                 "and what happened.");
  cl.Add({.name = "db",
          .value_name = "FILE",
          .help = "the database, which must exist",
          .required = true},
         &db);
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
  cl.Positionals("CUSTOMER", 1, 1, &customer);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // Read-only: a mistyped path is an error rather than a new database, and
  // the lookup works beside an ingest that is writing.
  options.read_only = 1;
  // A lookup should not pay for a check that reads the whole file.
  options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, options);
  if (engine == nullptr) return kExitFailure;

  mot_timeline_options timeline_options = MOT_TIMELINE_OPTIONS_INIT;
  timeline_options.format = json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF;
  timeline_options.limit = static_cast<uint32_t>(limit);
  OwnedBuf buf;
  if (mot_timeline_get(buf.get(), engine.get(), customer[0].c_str(),
                       &timeline_options) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer[0]));
  }
  if (!json) return PrintTimeline(buf.view(), customer[0], limit);
  const std::string_view text = buf.view();
  fmt::print("{}{}", text, text.ends_with('\n') ? "" : "\n");
  return kExitOk;
}

}  // namespace motive::cli
