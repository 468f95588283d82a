// motive: the command-line tool of the motive engine. Every command talks to
// the engine through the C ABI (motive/motive.h).

#include <string_view>

#include "command_line.h"
#include "commands.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {
namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
};

constexpr Command kCommands[] = {
    {"generate", "write synthetic customer journeys as JSON Lines",
     RunGenerate},
    {"ingest", "store the events of JSONL or CSV files in a database",
     RunIngest},
    {"import", "import contact-center records: Amazon Connect, Zendesk, ...",
     RunImport},
    {"timeline", "show a customer's journey", RunTimeline},
    {"journey", "draw a customer's journey (SVG)", RunJourney},
    {"journeys", "the journey map of every customer: flows, bad experiences",
     RunJourneys},
    {"context", "show a customer's context: signals, metrics, risk",
     RunContext},
    {"next", "show the next-best actions for a customer, and why", RunNext},
    {"desktop", "serve the agent desktop: a web page over a database",
     RunDesktop},
    {"whatif", "replay the log's contacts with a new ruleset: what changes",
     RunWhatIf},
    {"feedback", "record what came of an action 'next' proposed", RunFeedback},
    {"whois", "show who an identifier is: the customer, its ids, merges",
     RunWhois},
    {"link", "link identifiers to a customer, or to each other", RunLink},
    {"unlink", "make an identifier link nothing any more", RunUnlink},
    {"snapshot", "write the state snapshot, for faster opens", RunSnapshot},
    {"erase", "forget a customer: their events, context and traces", RunErase},
    {"expire", "apply a retention period: old events leave", RunExpire},
    {"expr", "evaluate a rule expression (CEL)", RunExpr},
};

void PrintUsage(std::FILE* out) {
  fmt::print(out,
             "Usage: motive COMMAND [options] [arguments]\n\n"
             "motive {}: the agent-assist engine for the moments of truth.\n\n"
             "Quick start:\n"
             "  motive generate --customers 1000 --out journeys.jsonl\n"
             "  motive ingest --db journeys.db journeys.jsonl\n"
             "  motive context --db journeys.db C0000001   "
             "(then: journey, next, whatif)\n\n"
             "Commands:\n",
             mot_version());
  for (const Command& command : kCommands) {
    fmt::print(out, "  {:<10}  {}\n", command.name, command.summary);
  }
  fmt::print(out,
             "\nOptions:\n"
             "  -h, --help  show this help and exit\n"
             "  --version   show the library's version and exit\n\n"
             "'motive COMMAND --help' tells more about a command.\n");
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  if (name == "--version") {
    fmt::print("motive {}\n", mot_version());
    return kExitOk;
  }
  for (const Command& command : kCommands) {
    if (command.name == name) return command.run(argc - 2, argv + 2);
  }
  fmt::print(stderr, "motive: unknown {} '{}'\nTry 'motive --help'.\n",
             name.starts_with("-") ? "option" : "command", name);
  return kExitUsage;
}

}  // namespace
}  // namespace motive::cli

int main(int argc, char** argv) { return motive::cli::Main(argc, argv); }
