// motive feedback: records what came of an action that 'motive next'
// proposed, so that contact policy and the learned propensities see it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "feedback";

int32_t OutcomeCode(std::string_view name) {
  if (name == "accepted") return MOT_FEEDBACK_ACCEPTED;
  if (name == "rejected") return MOT_FEEDBACK_REJECTED;
  if (name == "ignored") return MOT_FEEDBACK_IGNORED;
  if (name == "converted") return MOT_FEEDBACK_CONVERTED;
  return MOT_FEEDBACK_OFFERED;
}

}  // namespace

int RunFeedback(int argc, char** argv) {
  std::string db;
  bool json = false;
  EngineFiles files;
  std::string decision;
  std::string action;
  std::string outcome;
  std::string channel;
  std::string at;
  CustomerArgument customer;
  CommandLine cl(
      kCommand,
      "--db FILE [--rules FILE] --decision ID --action ID --outcome OUTCOME "
      "[options] {CUSTOMER | --identity NAMESPACE:VALUE}",
      "Records what came of an action of a decision ('motive next' prints "
      "the\ndecision's id): offered (presented), accepted, rejected, ignored "
      "or converted.\nIt is stored as an event of the customer, so that the "
      "next decision counts\nit toward the contact caps and cool-offs and "
      "learns from it (the action's\npropensity). With --rules, the action's "
      "group is recorded too, for the caps\nand cool-offs that name groups. "
      "The same feedback twice is stored once.\n\n"
      "Exit status: 0, 2 for a usage error, 3 for any other failure.");
  AddExistingDatabaseFlag(cl, &db);
  AddJsonFlag(cl, "what was recorded", &json);
  cl.Add({.name = "rules",
          .value_name = "FILE",
          .help = "the ruleset the decision was made with"},
         &files.rules);
  cl.Add({.name = "decision",
          .value_name = "ID",
          .help = "the decision's id",
          .required = true},
         &decision);
  cl.Add({.name = "action",
          .value_name = "ID",
          .help = "the action's id",
          .required = true},
         &action);
  cl.Add(
      {.name = "outcome",
       .value_name = "OUTCOME",
       .help =
           "what came of it: offered, accepted, rejected, ignored or converted",
       .required = true,
       .choices = {"offered", "accepted", "rejected", "ignored", "converted"}},
      &outcome);
  cl.Add({.name = "channel",
          .value_name = "NAME",
          .help = "where the action was presented (for the channel caps)",
          .choices = ChannelNames()},
         &channel);
  cl.Add({.name = "at",
          .value_name = "TIME",
          .help = "when, in RFC 3339 (2025-03-05T00:00:00Z); default now"},
         &at);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;

  int64_t time_us = 0;
  if (auto exit_code = ParseTimeFlag(cl, "at", at, &time_us)) {
    return *exit_code;
  }

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // Feedback belongs with the decision's customer: a mistyped path is an
  // error rather than a new database.
  options.create_if_missing = 0;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }

  if (mot_feedback(
          engine.get(), customer.c_str(), decision.c_str(), action.c_str(),
          OutcomeCode(outcome),
          channel.empty() ? MOT_CHANNEL_UNSPECIFIED : ChannelCode(channel),
          time_us) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (json) {
    fmt::print(
        "{{\"customer_id\":{},\"decision_id\":{},\"action\":{},"
        "\"outcome\":{}}}\n",
        JsonQuote(customer.id()), JsonQuote(decision), JsonQuote(action),
        JsonQuote(outcome));
  } else {
    fmt::print("recorded: {} {} {} in decision {}\n", customer.id(), outcome,
               action, decision);
  }
  return kExitOk;
}

}  // namespace motive::cli
