// motive link and motive unlink: identity by hand. link says identifiers
// belong to a customer (or to each other), unlink that one links nothing
// any more; each is an event in the log, and the customers it joins or
// ties merge or split at once.

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

// Parses each of `texts` into `out`; a usage error's exit code for the first
// that is not NAMESPACE:VALUE.
std::optional<int> ParseIdentifiers(const CommandLine& cl,
                                    const std::vector<std::string>& texts,
                                    std::vector<Identifier>* out) {
  for (const std::string& text : texts) {
    if (!ParseIdentifier(text, &out->emplace_back())) {
      return cl.UsageError(fmt::format(
          "'{}' is not NAMESPACE:VALUE, such as phone:+14155550100", text));
    }
  }
  return std::nullopt;
}

// Opens the existing database at `db` to write to it.
EnginePtr OpenForWriting(std::string_view command, const std::string& db,
                         const EngineFiles& files) {
  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  options.create_if_missing = 0;
  return OpenEngine(command, db, options, files);
}

// "phone:+14155550100, email:ana@example.com"
std::string IdentifiersText(const std::vector<std::string>& texts) {
  return fmt::format("{}", fmt::join(texts, ", "));
}

}  // namespace

int RunLink(int argc, char** argv) {
  constexpr char kCommand[] = "link";
  std::string db;
  bool json = false;
  EngineFiles files;
  CustomerArgument customer;
  std::vector<std::string> arguments;
  CommandLine cl(
      kCommand, "--db FILE [options] [CUSTOMER] NAMESPACE:VALUE...",
      "Links identifiers (phone:+14155550100, email:ana@example.com; at most "
      "16) to\na customer, or to each other when no CUSTOMER is given: an "
      "identity.link\nevent in the log, which merges the customers they "
      "belonged to, as any event\ncarrying them together would. An "
      "identifier unlinked before links again.\nThe first argument is the "
      "CUSTOMER when it has no ':'. With --identity, they are\nlinked "
      "together with that identifier, into the customer it belongs to (the "
      "way\nto reach a customer known only by an id motive derived, '~...'). "
      "Prints the\ncustomer the identifiers now belong to.\n\n"
      "Exit status: 0, 2 for a usage error, 3 for any other failure.");
  AddExistingDatabaseFlag(cl, &db);
  AddJsonFlag(cl, "the identifiers and the customer they belong to", &json);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  customer.Add(cl, /*positional=*/false);
  cl.Positionals("NAMESPACE:VALUE", 1, 17, &arguments);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  if (arguments[0].find(':') == std::string::npos) {
    customer.set_argument(arguments[0]);
    arguments.erase(arguments.begin());
  }
  if (auto exit_code = customer.Check(cl, /*required=*/false)) {
    return *exit_code;
  }
  if (arguments.empty()) return cl.UsageError("missing NAMESPACE:VALUE");
  std::vector<Identifier> ids;
  if (auto exit_code = ParseIdentifiers(cl, arguments, &ids)) {
    return *exit_code;
  }

  EnginePtr engine = OpenForWriting(kCommand, db, files);
  if (engine == nullptr) return kExitFailure;
  // Resolved only to say why an identity belongs to no one customer: the
  // link goes through the identifier itself, since mot_identity_link
  // refuses the ids motive derives.
  if (auto exit_code = customer.Resolve(kCommand, engine.get())) {
    return *exit_code;
  }
  std::string to;  // the customer id given, "" to link them to each other
  if (customer.has_identity()) {
    ids.insert(ids.begin(), customer.identity());
    arguments.insert(arguments.begin(), customer.identity_text());
  } else {
    to = customer.id();
  }
  std::vector<const char*> namespaces;
  std::vector<const char*> values;
  for (const Identifier& id : ids) {
    namespaces.push_back(id.ns.c_str());
    values.push_back(id.value.c_str());
  }
  if (mot_identity_link(engine.get(), to.c_str(), namespaces.data(),
                        values.data(), ids.size()) != MOT_OK) {
    return ReportFailure(kCommand, IdentifiersText(arguments));
  }
  // What they belong to now: the customer the link merged them into, or
  // none when the first is shared (links nothing) or never merges.
  std::string now;
  char out[MOT_CUSTOMER_ID_MAX + 1];
  const bool resolved =
      mot_identity_resolve(out, sizeof(out), nullptr, engine.get(),
                           namespaces[0], values[0]) == MOT_OK;
  if (json) {
    fmt::print("{{\"linked\":{},\"customer_id\":{}}}\n",
               JsonQuote(IdentifiersText(arguments)),
               resolved ? JsonQuote(out) : "null");
    return kExitOk;
  }
  now = resolved ? fmt::format("; they belong to customer {}", out)
                 : fmt::format(" ({})", mot_error_last());
  fmt::print("linked {}{}{}\n", IdentifiersText(arguments),
             to.empty() ? "" : fmt::format(" to customer {}", to), now);
  return kExitOk;
}

int RunUnlink(int argc, char** argv) {
  constexpr char kCommand[] = "unlink";
  std::string db;
  bool json = false;
  EngineFiles files;
  std::vector<std::string> argument;
  CommandLine cl(
      kCommand, "--db FILE [options] NAMESPACE:VALUE",
      "Unlinks an identifier (phone:+14155550100): an identity.unlink event "
      "in the\nlog. From then on it links nothing, until linked again: the "
      "customers it\ntied split, each rebuilt from the log, and it resolves "
      "to no one ('motive\nwhois' shows it flagged unlinked).\n\n"
      "Exit status: 0, 2 for a usage error, 3 for any other failure.");
  AddExistingDatabaseFlag(cl, &db);
  AddJsonFlag(cl, "the identifiers and the customer they belong to", &json);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  cl.Positionals("NAMESPACE:VALUE", 1, 1, &argument);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  std::vector<Identifier> ids;
  if (auto exit_code = ParseIdentifiers(cl, argument, &ids)) {
    return *exit_code;
  }

  EnginePtr engine = OpenForWriting(kCommand, db, files);
  if (engine == nullptr) return kExitFailure;
  if (mot_identity_unlink(engine.get(), ids[0].ns.c_str(),
                          ids[0].value.c_str()) != MOT_OK) {
    return ReportFailure(kCommand, argument[0]);
  }
  if (json) {
    fmt::print("{{\"unlinked\":{}}}\n", JsonQuote(argument[0]));
  } else {
    fmt::print("unlinked {}\n", argument[0]);
  }
  return kExitOk;
}

}  // namespace motive::cli
