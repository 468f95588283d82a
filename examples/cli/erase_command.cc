// motive erase: forgets one customer, as a request to be forgotten asks.

#include <cstdint>
#include <string>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {

int RunErase(int argc, char** argv) {
  constexpr char kCommand[] = "erase";
  std::string db;
  EngineFiles files;
  CustomerArgument customer;
  bool json = false;
  CommandLine cl(
      kCommand, "--db FILE [options] {CUSTOMER | --identity NAMESPACE:VALUE}",
      "Erases a customer: every event of theirs, from the database file and "
      "its\nwrite-ahead log, their context, and their traces in the snapshot, "
      "which is\nrewritten without them. Afterwards the database is as if "
      "their events had\nnever been recorded. Prints how many events were "
      "erased (0 for a customer\nwith none).\n\n"
      "Exit status: 0 when erased (also for a customer with no events), 2 for "
      "a\nusage error, 3 for any other failure (for example another program "
      "reading\nthe database kept its write-ahead log: run it again once that "
      "one is done).");
  AddExistingDatabaseFlag(cl, &db);
  AddJsonFlag(cl, "the customer and the events erased", &json);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (auto exit_code = customer.Check(cl)) return *exit_code;

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.create_if_missing = 0;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }
  uint64_t erased = 0;
  if (mot_customer_erase(&erased, engine.get(), customer.c_str()) != MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer.id()));
  }
  if (json) {
    fmt::print("{{\"customer_id\":{},\"events_erased\":{}}}\n",
               JsonQuote(customer.id()), erased);
  } else {
    fmt::print("erased {} event{} of customer {}\n", Grouped(erased),
               erased == 1 ? "" : "s", customer.id());
  }
  return kExitOk;
}

}  // namespace motive::cli
