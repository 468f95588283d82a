// motive next: the next-best actions for a customer in a situation, as the
// agent's desktop would show them, with --why the trace of what was dropped.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_join.h"
#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "event_table.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/ruleset.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "next";

// A score term: short, and exact when it can be.
std::string Term(double x) { return fmt::format("{:.4g}", x); }

void PrintAction(int rank, const v1::RankedAction& a) {
  std::vector<std::string> tags = {fmt::format("tier {}", a.tier())};
  if (!a.group().empty()) tags.push_back(a.group());
  if (a.service()) tags.push_back("service");
  fmt::print("{}. {}  {}  ({})\n", rank, a.action(), a.title(),
             absl::StrJoin(tags, ", "));
  const v1::ScoreTerms& s = a.score();
  fmt::print(
      "   score   {} x {} x {} x {} = {}  (propensity x weight x value "
      "x lever)\n",
      Term(s.propensity()), Term(s.context_weight()), Term(s.value()),
      Term(s.lever()), Term(s.priority()));
  if (!a.script().empty()) fmt::print("   script  {}\n", a.script());
  for (const std::string& reason : a.reasons()) {
    fmt::print("   reason  {}\n", reason);
  }
  fmt::print("   from    {}/{}\n", a.playbook(), a.rule());
}

// The dropped candidates as a table: action, playbook/rule, stage, detail.
void PrintDropped(const v1::Decision& d) {
  if (d.dropped().empty()) {
    fmt::print("\nno candidate was dropped\n");
    return;
  }
  size_t action_width = std::string_view("action").size();
  size_t rule_width = std::string_view("playbook/rule").size();
  size_t stage_width = std::string_view("stage").size();
  for (const v1::DroppedCandidate& c : d.dropped()) {
    action_width = std::max(action_width, c.action().size());
    rule_width =
        std::max(rule_width, c.playbook().size() + 1 + c.rule().size());
    stage_width = std::max(stage_width, c.stage().size());
  }
  fmt::print("\ndropped\n  {:<{}}  {:<{}}  {:<{}}  {}\n", "action",
             action_width, "playbook/rule", rule_width, "stage", stage_width,
             "detail");
  for (const v1::DroppedCandidate& c : d.dropped()) {
    fmt::print("  {:<{}}  {:<{}}  {:<{}}  {}\n", c.action(), action_width,
               c.playbook() + "/" + c.rule(), rule_width, c.stage(),
               stage_width, c.detail());
  }
}

int PrintDecision(std::string_view bytes, bool why) {
  v1::Decision d;
  if (!d.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fmt::print(stderr,
               "motive {}: the library returned a decision that does not "
               "parse\n",
               kCommand);
    return kExitFailure;
  }
  fmt::print("decision {} for customer {} as of {} UTC, ruleset {}\n\n",
             d.decision_id(), d.customer_id(), MinuteText(d.time()),
             d.ruleset_version());
  if (d.actions().empty()) fmt::print("no action to take\n");
  int rank = 0;
  for (const v1::RankedAction& a : d.actions()) PrintAction(++rank, a);
  if (!why) return kExitOk;
  fmt::print("\nplaybooks matched: {}\n",
             d.playbooks().empty() ? std::string("none")
                                   : absl::StrJoin(d.playbooks(), ", "));
  PrintDropped(d);
  return kExitOk;
}

int32_t DirectionCode(std::string_view name) {
  if (name == "outbound") return MOT_DIRECTION_OUTBOUND;
  if (name == "proactive") return MOT_DIRECTION_PROACTIVE;
  return MOT_DIRECTION_INBOUND;
}

}  // namespace

int RunNext(int argc, char** argv) {
  std::string db;
  EngineFiles files;
  std::string channel;
  std::string topic;
  std::string direction = "inbound";
  std::string agent;
  std::string at;
  uint64_t max_results = 0;
  bool why = false;
  bool json = false;
  CustomerArgument customer;
  CommandLine cl(
      kCommand,
      "--db FILE --rules FILE [options] {CUSTOMER | --identity "
      "NAMESPACE:VALUE}",
      "Shows the next-best actions for a customer in a situation (the "
      "channel, topic\nand direction of the contact, at a time), ranked as "
      "the ruleset says: each\nwith its tier, its score (propensity x context "
      "weight x business value x\nlever), the agent's script and the reasons, "
      "filled from the customer's context.\nWith --why, also the playbooks "
      "that matched and every candidate that was\ndropped, with the stage and "
      "the rule or cap that dropped it. The decision id\nnames the decision "
      "in 'motive feedback'.\n\n"
      "Exit status: 0 (also when there is nothing to do), 2 for a usage "
      "error, 3 for\nany other failure (a ruleset that does not load among "
      "them).");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "rules",
          .value_name = "FILE",
          .help = "the ruleset (motive.v1.Ruleset, protobuf text format or "
                  "JSON)",
          .required = true},
         &files.rules);
  cl.Add({.name = "channel",
          .value_name = "NAME",
          .help = "the channel of the contact (voice, chat, email, ...)",
          .choices = ChannelNames()},
         &channel);
  cl.Add({.name = "topic",
          .value_name = "TEXT",
          .help = "the topic or intent of the contact"},
         &topic);
  cl.Add({.name = "direction",
          .value_name = "DIR",
          .help = "who starts the contact: inbound, outbound or proactive",
          .choices = {"inbound", "outbound", "proactive"}},
         &direction);
  cl.Add({.name = "agent", .value_name = "ID", .help = "the agent's id"},
         &agent);
  cl.Add({.name = "at",
          .value_name = "TIME",
          .help = "decide as of TIME, in RFC 3339 (2025-03-05T00:00:00Z); "
                  "default now"},
         &at);
  cl.Add({.name = "max",
          .value_name = "N",
          .help = "the most actions to show (default: the ruleset's)",
          .min = 1,
          .max = 50},
         &max_results);
  cl.Add({.name = "why",
          .help = "also show the playbooks that matched and the candidates "
                  "dropped"},
         &why);
  cl.Add({.name = "json",
          .help = "print the motive.v1.Decision as JSON, as the library "
                  "returns it"},
         &json);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;

  mot_situation situation = MOT_SITUATION_INIT;
  if (auto exit_code = ParseTimeFlag(cl, "at", at, &situation.time_us)) {
    return *exit_code;
  }
  situation.channel =
      channel.empty() ? MOT_CHANNEL_UNSPECIFIED : ChannelCode(channel);
  situation.topic = topic.c_str();
  situation.agent_id = agent.c_str();
  situation.direction = DirectionCode(direction);
  situation.max_results = static_cast<uint32_t>(max_results);

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // As for context: a mistyped path is an error rather than a new database,
  // and the decision works beside an ingest.
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }

  OwnedBuf buf;
  if (mot_decide(buf.get(), engine.get(), customer.c_str(), &situation,
                 json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (!json) return PrintDecision(buf.view(), why);
  const std::string_view text = buf.view();
  fmt::print("{}{}", text, text.ends_with('\n') ? "" : "\n");
  return kExitOk;
}

}  // namespace motive::cli
