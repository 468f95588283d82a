// motive context: a customer's context as an agent's desktop would show it
// when the customer calls, or as JSON.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "event_table.h"
#include "fmt/format.h"
#include "google/protobuf/struct.pb.h"
#include "motive/motive.h"
#include "motive/v1/context.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "context";

// "s" when `n` calls for a plural.
std::string_view Plural(uint64_t n) { return n == 1 ? "" : "s"; }

// Prints one line of the layout: the label in a column, then the text.
void Line(std::string_view label, std::string_view text) {
  fmt::print("{:<18}{}\n", label, text);
}

// "2 (voice 1, chat 1)": a count and its channels, in the schema's order.
std::string CountsText(const v1::ContactCounts& counts) {
  std::vector<std::string> parts;
  for (int c = v1::Channel_MIN + 1; c <= v1::Channel_MAX; ++c) {
    const std::string name = absl::AsciiStrToLower(v1::Channel_Name(c));
    auto it = counts.by_channel().find(name);
    if (it != counts.by_channel().end() && it->second > 0) {
      parts.push_back(fmt::format("{} {}", name, it->second));
    }
  }
  if (parts.empty()) return fmt::format("{}", counts.total());
  return fmt::format("{} ({})", counts.total(), absl::StrJoin(parts, ", "));
}

std::string SignedText(double x) { return fmt::format("{:+.2f}", x); }

// A metric or attribute value: numbers as short as they stay exact.
std::string ValueText(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue:
      return fmt::format("{}", value.number_value());
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    default:
      return "-";
  }
}

// A map's entries sorted by key: proto maps have no order.
template <typename Map>
std::vector<std::pair<std::string, std::string>> SortedValues(const Map& map) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [key, value] : map) {
    entries.emplace_back(key, ValueText(value));
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

void PrintValues(std::string_view title,
                 const std::vector<std::pair<std::string, std::string>>& v) {
  if (v.empty()) return;
  size_t width = 0;
  for (const auto& entry : v) width = std::max(width, entry.first.size());
  fmt::print("\n{}\n", title);
  for (const auto& [key, value] : v) {
    fmt::print("  {:<{}}  {}\n", key, width, value);
  }
}

std::string LastContactText(const v1::LastContact& c) {
  std::vector<std::string> parts = {
      fmt::format("{} {}", MinuteText(c.time()),
                  EnumText(c.channel(), v1::Channel_Name(c.channel())))};
  if (!c.topic().empty()) parts.push_back(c.topic());
  if (c.outcome() != v1::OUTCOME_UNSPECIFIED) {
    parts.push_back(EnumText(c.outcome(), v1::Outcome_Name(c.outcome())));
  }
  if (!c.agent_id().empty()) parts.push_back("agent " + c.agent_id());
  if (c.transfers() > 0) {
    parts.push_back(
        fmt::format("{} transfer{}", c.transfers(), Plural(c.transfers())));
  }
  if (c.hold_ms() > 0) parts.push_back("hold " + DurationText(c.hold_ms()));
  if (c.has_sentiment()) {
    parts.push_back("sentiment " + SignedText(c.sentiment()));
  }
  if (c.repeat()) parts.push_back("a repeat contact");
  return absl::StrJoin(parts, ", ");
}

std::string SentimentText(const v1::Context& c) {
  if (!c.has_sentiment_last()) return "none";
  std::vector<std::string> parts = {"last " + SignedText(c.sentiment_last())};
  if (c.has_sentiment_average()) {
    parts.push_back(fmt::format("average {} over {} days",
                                SignedText(c.sentiment_average()),
                                c.window_days()));
  }
  if (c.has_sentiment_trend()) {
    const double trend = c.sentiment_trend();
    parts.push_back(fmt::format("trend {} ({})", SignedText(trend),
                                trend > 0   ? "improving"
                                : trend < 0 ? "worsening"
                                            : "steady"));
  }
  return absl::StrJoin(parts, ", ");
}

std::string JourneyText(const v1::Context& c) {
  std::vector<std::string> moments;
  for (int m = v1::Moment_MIN + 1; m <= v1::Moment_MAX; ++m) {
    const std::string name = absl::AsciiStrToLower(v1::Moment_Name(m));
    auto it = c.moments().find(name);
    if (it != c.moments().end() && it->second > 0) {
      moments.push_back(fmt::format("{} {}", name, it->second));
    }
  }
  return fmt::format(
      "stage {}; moments: {}; {} negative review{} or mention{} in {} days",
      EnumText(c.stage(), v1::Stage_Name(c.stage())),
      moments.empty() ? "none" : absl::StrJoin(moments, ", "),
      c.negative_zero_moment(), Plural(c.negative_zero_moment()),
      Plural(c.negative_zero_moment()), c.window_days());
}

std::string CommerceText(const v1::Context& c) {
  if (c.purchases() == 0) return "no purchases";
  std::string text =
      fmt::format("{} purchase{}, lifetime value {:.2f}", c.purchases(),
                  Plural(c.purchases()), c.lifetime_value());
  if (c.has_last_purchase()) {
    text += fmt::format(", last {}", MinuteText(c.last_purchase()));
    if (c.has_days_since_purchase()) {
      text += fmt::format(" ({} day{} ago)", c.days_since_purchase(),
                          Plural(c.days_since_purchase()));
    }
  }
  return text;
}

std::string VoiceText(const v1::Context& c) {
  if (!c.has_nps() && !c.has_csat()) return "no survey answers";
  std::vector<std::string> parts;
  if (c.has_nps()) {
    parts.push_back(fmt::format("NPS {} ({})", c.nps(), c.nps_category()));
  }
  if (c.has_csat()) parts.push_back(fmt::format("CSAT {}", c.csat()));
  return absl::StrJoin(parts, ", ");
}

std::string ChurnText(const v1::Context& c) {
  std::vector<std::string> factors;
  for (const v1::ChurnFactor& f : c.churn_factors()) {
    if (f.contribution() > 0) {
      factors.push_back(fmt::format("{} {:.2f}", f.name(), f.contribution()));
    }
  }
  if (factors.empty()) return fmt::format("{:.2f}", c.churn_risk());
  return fmt::format("{:.2f} = {}", c.churn_risk(),
                     absl::StrJoin(factors, " + "));
}

int PrintContext(std::string_view bytes) {
  v1::Context c;
  if (!c.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fmt::print(stderr,
               "motive {}: the library returned a context that does not "
               "parse\n",
               kCommand);
    return kExitFailure;
  }
  const std::string as_of = MinuteText(c.as_of());
  if (!c.known()) {
    fmt::print("no events for customer {} as of {} UTC\n", c.customer_id(),
               as_of);
    return kExitOk;
  }
  fmt::print("customer {} as of {} UTC: {} event{}, {} to {}\n\n",
             c.customer_id(), as_of, Grouped(c.events()), Plural(c.events()),
             MinuteText(c.first_seen()), MinuteText(c.last_seen()));

  Line("contacts",
       fmt::format("7d {}; 30d {}; 90d {}", CountsText(c.contacts_7d()),
                   CountsText(c.contacts_30d()), CountsText(c.contacts_90d())));
  Line("last contact", c.has_last_contact() ? LastContactText(c.last_contact())
                                            : std::string("none"));
  Line("friction",
       fmt::format("{} repeat contact{}, {} transfer{}, hold {} in {} days",
                   c.repeat_contacts(), Plural(c.repeat_contacts()),
                   c.transfers(), Plural(c.transfers()),
                   DurationText(c.hold_ms()), c.window_days()));
  Line("open issues", c.open_issues().empty()
                          ? std::string("none")
                          : absl::StrJoin(c.open_issues(), ", "));
  Line("bad experiences",
       fmt::format("{} strike{} in {} days{}", c.strikes(), Plural(c.strikes()),
                   c.window_days(), c.at_risk() ? ": AT RISK of leaving" : ""));
  Line("sentiment", SentimentText(c));
  Line("journey", JourneyText(c));
  Line("commerce", CommerceText(c));
  Line("voice", VoiceText(c));
  Line("churn risk", ChurnText(c));

  PrintValues("metrics", SortedValues(c.metrics()));
  PrintValues("attributes", SortedValues(c.attributes()));
  if (c.recent_events_size() > 0) {
    fmt::print("\nrecent events\n");
    PrintEventTable(c.recent_events());
  }
  return kExitOk;
}

}  // namespace

int RunContext(int argc, char** argv) {
  std::string db;
  bool json = false;
  std::string as_of;
  EngineFiles files;
  CustomerArgument customer;
  CommandLine cl(
      kCommand, "--db FILE [options] {CUSTOMER | --identity NAMESPACE:VALUE}",
      "Shows a customer's context as the agent's desktop gets it when the "
      "customer\ncalls: contacts over 7, 30 and 90 days, the last contact, "
      "friction, bad\nexperiences, sentiment, the journey, commerce, the voice "
      "of the customer,\nthe churn risk and its factors, the user-defined "
      "metrics, the customer's\nattributes and latest events. The whole log "
      "is read when the database opens,\nunless a snapshot made by 'motive "
      "snapshot' (with the same --config) is there.\n\n"
      "Exit status: 0 (also for a customer with no events), 2 for a usage "
      "error,\n3 for any other failure.");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "json",
          .help = "print the motive.v1.Context as JSON, as the library "
                  "returns it"},
         &json);
  cl.Add({.name = "as-of",
          .value_name = "TIME",
          .help = "the context at TIME, in RFC 3339 (2025-03-05T00:00:00Z); "
                  "default now"},
         &as_of);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;

  int64_t as_of_us = 0;  // now
  if (auto exit_code = ParseTimeFlag(cl, "as-of", as_of, &as_of_us)) {
    return *exit_code;
  }

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // As for timeline: a mistyped path is an error rather than a new database,
  // the lookup works beside an ingest, and skips the whole-file check.
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }

  OwnedBuf buf;
  if (mot_context_get(buf.get(), engine.get(), customer.c_str(), as_of_us,
                      json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (!json) return PrintContext(buf.view());
  const std::string_view text = buf.view();
  fmt::print("{}{}", text, text.ends_with('\n') ? "" : "\n");
  return kExitOk;
}

}  // namespace motive::cli
