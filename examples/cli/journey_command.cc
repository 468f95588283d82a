// motive journey: one customer's journey as a picture; motive journeys: the
// journey map of every customer or of a segment, as a table, JSON or a
// picture.

#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/ruleset.pb.h"
#include "progress_bar.h"

namespace motive::cli {
namespace {

// Writes `text` to `path`; on failure prints why and returns false.
bool WriteFile(std::string_view command, const std::string& path,
               std::string_view text) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(
      std::fopen(path.c_str(), "wb"), &std::fclose);
  if (file != nullptr &&
      std::fwrite(text.data(), 1, text.size(), file.get()) == text.size() &&
      std::fflush(file.get()) == 0) {
    return true;
  }
  fmt::print(stderr, "motive {}: {}: {}\n", command, path,
             std::strerror(errno));
  return false;
}

// A page that shows `svg` alone, for a browser.
std::string HtmlPage(std::string_view title, std::string_view svg) {
  std::string escaped;
  for (char c : title) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      default: escaped += c;
    }
  }
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>{}</title></head>\n<body style=\"margin:1em\">\n{}</body></html>\n",
      escaped, svg);
}

// Opens the database read-only, beside a writer, without a full check.
EnginePtr OpenForReading(std::string_view command, const std::string& db,
                         const EngineFiles& files) {
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  return OpenEngine(command, db, options, files);
}

void PrintSpots(std::string_view title,
                const google::protobuf::RepeatedPtrField<v1::HotSpot>& spots) {
  if (spots.empty()) return;
  fmt::print("\n{}\n", title);
  for (const v1::HotSpot& spot : spots) {
    const std::string where = fmt::format(
        "{}{}{}", absl::AsciiStrToLower(v1::Channel_Name(spot.channel())),
        spot.topic().empty() ? "" : " / ", spot.topic());
    fmt::print("  {:<40} {:>10}\n", where, Grouped(spot.count()));
  }
}

void PrintFigures(const v1::JourneyFigures& f) {
  fmt::print(
      "journey map{}: {} customers, {} events\n",
      f.segment().empty() ? "" : fmt::format(" (segment {})", f.segment()),
      Grouped(f.customers()), Grouped(f.events()));
  fmt::print("\ncustomers by stage\n");
  for (int s = v1::DISCOVERY; s <= v1::ADVOCACY; ++s) {
    auto it = f.stage_customers().find(v1::Stage_Name(s));
    fmt::print("  {:<40} {:>10}\n", v1::Stage_Name(s),
               Grouped(it == f.stage_customers().end() ? 0 : it->second));
  }
  if (!f.flows().empty()) {
    fmt::print("\nmoves between stages\n");
    for (const v1::StageFlow& flow : f.flows()) {
      fmt::print("  {:<40} {:>10}\n",
                 fmt::format("{} -> {}", v1::Stage_Name(flow.from()),
                             v1::Stage_Name(flow.to())),
                 Grouped(flow.count()));
    }
  }
  fmt::print("\nthird strike\n  {:<40} {:>10}\n  {:<40} {:>10}\n"
             "  {:<40} {:>10}\n",
             "customers who reached it", Grouped(f.third_strike()),
             "came back", Grouped(f.third_strike_came_back()), "left",
             Grouped(f.third_strike_left()));
  PrintSpots("bad experiences (channel / topic)", f.bad_experiences());
  PrintSpots("repeat contacts", f.repeat_contacts());
  PrintSpots("transfers", f.transfers());
}

// Whether the library takes `segment`: asked of an in-memory engine, so
// that a bad expression is a usage error found before the database is
// opened (import's --timezone is checked so too). Returns nothing when it
// does, else the exit code after printing why.
std::optional<int> CheckSegment(const CommandLine& cl,
                                const std::string& segment) {
  if (segment.empty()) return std::nullopt;
  mot_engine* probe = nullptr;
  if (mot_engine_open(&probe, ":memory:", nullptr) != MOT_OK) {
    return ReportFailure("journeys", "cannot open an engine");
  }
  EnginePtr owned(probe);
  mot_journeys_options options = MOT_JOURNEYS_OPTIONS_INIT;
  options.segment = segment.c_str();
  OwnedBuf unused;
  const int rc = mot_journeys_get_v2(unused.get(), probe, &options);
  if (rc == MOT_EINVALID || rc == MOT_EPARSE) {
    return cl.UsageError(fmt::format("--{}", mot_error_last()));
  }
  return std::nullopt;
}

// The journey map in `format` into `out`, with a progress bar on a
// terminal; on failure prints why and returns false.
bool GetJourneys(std::string_view command, mot_engine* engine,
                 mot_journeys_options options, int32_t format, OwnedBuf* out) {
  ProgressBar bar("mapping", isatty(STDERR_FILENO) != 0,
                  ProgressBar::Counting::kItems, "customers");
  options.format = format;
  options.on_progress = ProgressBar::Report;
  options.progress_user_data = &bar;
  const int rc = mot_journeys_get_v2(out->get(), engine, &options);
  bar.Clear();
  if (rc == MOT_OK) return true;
  ReportFailure(command, "the journey map");
  return false;
}

}  // namespace

int RunJourney(int argc, char** argv) {
  constexpr char kCommand[] = "journey";
  std::string db, svg, html, since, until;
  EngineFiles files;
  CustomerArgument customer;
  CommandLine cl(
      kCommand,
      "--db FILE [options] {CUSTOMER | --identity NAMESPACE:VALUE}",
      "Draws a customer's journey as a picture (SVG): their events on a time "
      "axis,\na lane per stage, each moment of truth in its colour, bad "
      "experiences ringed\nin red, each event's details in its tooltip. "
      "Without --svg or --html the\npicture goes to standard output.");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "svg", .value_name = "FILE", .help = "write the SVG here"},
         &svg);
  cl.Add({.name = "html",
          .value_name = "FILE",
          .help = "write a page showing it here"},
         &html);
  cl.Add({.name = "since",
          .value_name = "TIME",
          .help = "only events from this time on (RFC 3339)"},
         &since);
  cl.Add({.name = "until",
          .value_name = "TIME",
          .help = "only events before this time (RFC 3339)"},
         &until);
  bool json = false;
  AddJsonFlag(cl,
              "the customer and the files written (to standard error when "
              "the picture goes to standard output)",
              &json);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;
  int64_t since_us = 0, until_us = 0;
  if (auto exit_code = ParseTimeFlag(cl, "since", since, &since_us)) {
    return *exit_code;
  }
  if (auto exit_code = ParseTimeFlag(cl, "until", until, &until_us)) {
    return *exit_code;
  }
  EnginePtr engine = OpenForReading(kCommand, db, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }
  OwnedBuf buf;
  if (mot_journey_svg(buf.get(), engine.get(), customer.c_str(), since_us,
                      until_us) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (!svg.empty() && !WriteFile(kCommand, svg, buf.view())) {
    return kExitFailure;
  }
  if (!html.empty() &&
      !WriteFile(kCommand, html,
                 HtmlPage(fmt::format("Journey of {}", customer.id()),
                          buf.view()))) {
    return kExitFailure;
  }
  const bool to_stdout = svg.empty() && html.empty();
  if (to_stdout) fmt::print("{}", buf.view());
  if (json) {
    auto path = [](const std::string& p) {
      return p.empty() ? std::string("null") : JsonQuote(p);
    };
    fmt::print(to_stdout ? stderr : stdout,
               "{{\"customer_id\":{},\"svg\":{},\"html\":{},\"bytes\":{}}}\n",
               JsonQuote(customer.id()), path(svg), path(html),
               buf.view().size());
  }
  return kExitOk;
}

int RunJourneys(int argc, char** argv) {
  constexpr char kCommand[] = "journeys";
  std::string db, svg, from, to, segment;
  EngineFiles files;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE [options]",
      "The journey map of every customer, or of a segment: customers by "
      "stage, how\nthey move between stages, how many reached the third "
      "strike and whether they\ncame back or left, where bad experiences, "
      "repeat contacts and transfers happen\n(channel and topic). A table, "
      "--json, and with --svg a picture.");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "svg",
          .value_name = "FILE",
          .help = "also draw the map (SVG) into FILE"},
         &svg);
  cl.Add({.name = "from",
          .value_name = "TIME",
          .help = "count events from this time on (RFC 3339)"},
         &from);
  cl.Add({.name = "to",
          .value_name = "TIME",
          .help = "count events before this time (RFC 3339)"},
         &to);
  cl.Add({.name = "segment",
          .value_name = "EXPR",
          .help = "count only the customers for whom EXPR, a rule condition "
                  "over their context\nas the range ends (see motive expr), "
                  "is true: 'customer.strikes >= 2'"},
         &segment);
  cl.Add({.name = "json",
          .help = "print the motive.v1.JourneyFigures as JSON"},
         &json);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  mot_journeys_options options = MOT_JOURNEYS_OPTIONS_INIT;
  if (auto exit_code = ParseTimeFlag(cl, "from", from, &options.from_us)) {
    return *exit_code;
  }
  if (auto exit_code = ParseTimeFlag(cl, "to", to, &options.to_us)) {
    return *exit_code;
  }
  if (auto exit_code = CheckSegment(cl, segment)) return *exit_code;
  if (!segment.empty()) options.segment = segment.c_str();
  EnginePtr engine = OpenForReading(kCommand, db, files);
  if (engine == nullptr) return kExitFailure;
  if (!svg.empty()) {
    OwnedBuf picture;
    if (!GetJourneys(kCommand, engine.get(), options, MOT_FORMAT_SVG,
                     &picture)) {
      return kExitFailure;
    }
    if (!WriteFile(kCommand, svg, picture.view())) return kExitFailure;
  }
  OwnedBuf buf;
  if (!GetJourneys(kCommand, engine.get(), options,
                   json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF, &buf)) {
    return kExitFailure;
  }
  if (json) {
    fmt::print("{}\n", buf.view());
    return kExitOk;
  }
  v1::JourneyFigures figures;
  if (!figures.ParseFromArray(buf.view().data(),
                              static_cast<int>(buf.view().size()))) {
    fmt::print(stderr, "motive {}: the library's figures do not parse\n",
               kCommand);
    return kExitFailure;
  }
  PrintFigures(figures);
  return kExitOk;
}

}  // namespace motive::cli
