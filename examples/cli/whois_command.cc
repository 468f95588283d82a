// motive whois: what motive knows of a customer's identity: the ids merged
// into it, its identifiers and the merges and splits that made it, and why.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "event_table.h"
#include "fmt/format.h"
#include "motive/motive.h"
#include "motive/v1/identity.pb.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "whois";

// The flags of an identifier, "" for one that links as any other does.
std::string FlagsText(const v1::ProfileIdentifier& id) {
  std::vector<std::string_view> flags;
  if (id.invalid()) flags.push_back("invalid");
  if (id.shared()) flags.push_back("shared");
  if (id.unlinked()) flags.push_back("unlinked");
  if (id.never_merges()) flags.push_back("never merges");
  return fmt::format("{}", fmt::join(flags, ", "));
}

std::string AttributeText(const v1::Event& e, const std::string& key) {
  const auto it = e.attributes().find(key);
  return it == e.attributes().end() ? "" : it->second.string_value();
}

void PrintIdentifiers(const v1::Profile& p) {
  if (p.identifiers().empty()) {
    fmt::print("no identifiers\n");
    return;
  }
  fmt::print("identifiers:\n");
  size_t width = 0;
  for (const v1::ProfileIdentifier& id : p.identifiers()) {
    width = std::max(width, id.identifier().namespace_().size());
  }
  for (const v1::ProfileIdentifier& id : p.identifiers()) {
    const std::string flags = FlagsText(id);
    fmt::print("  {:<{}}  {}{}\n", id.identifier().namespace_(), width,
               id.identifier().value(),
               flags.empty() ? "" : fmt::format("  ({})", flags));
  }
}

// What an identity event did: "merge  FROM -> INTO" for the engine's
// merges and splits, "link  NS:VALUE to ID" for the instructions.
std::string ChangeText(const v1::Event& e) {
  std::string_view kind = e.type();  // "identity.merge" as "merge"
  kind.remove_prefix(std::min(kind.find('.') + 1, kind.size()));
  const std::string from = AttributeText(e, "from");
  const std::string into = AttributeText(e, "into");
  if (!from.empty() || !into.empty()) {
    return fmt::format("{:<6}  {} -> {}", kind, from, into);
  }
  std::vector<std::string> ids;
  for (const v1::Identifier& id : e.identifiers()) {
    ids.push_back(fmt::format("{}:{}", id.namespace_(), id.value()));
  }
  std::string text = fmt::format("{:<6}  {}", kind, fmt::join(ids, ", "));
  if (kind == "link") {
    text += e.customer_id().empty() ? " to each other"
                                    : fmt::format(" to {}", e.customer_id());
  }
  return text;
}

void PrintMerges(const v1::Profile& p) {
  if (p.merges().empty()) {
    fmt::print("no links, merges or splits\n");
    return;
  }
  fmt::print("links, merges and splits:\n");
  for (const v1::Event& e : p.merges()) {
    fmt::print("  {}  {}\n", MinuteText(e.occurred_at()), ChangeText(e));
    const std::string reason = AttributeText(e, "reason");
    if (!reason.empty()) fmt::print("    {}\n", reason);
  }
}

int PrintProfile(std::string_view bytes) {
  v1::Profile p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    fmt::print(stderr,
               "motive {}: the library returned a profile that does not "
               "parse\n",
               kCommand);
    return kExitFailure;
  }
  fmt::print("customer {}\n", p.customer_id());
  std::vector<std::string_view> others;
  for (const std::string& anchor : p.anchors()) {
    if (anchor != p.customer_id()) others.push_back(anchor);
  }
  if (!others.empty()) {
    fmt::print("merged ids: {}\n", fmt::join(others, ", "));
  }
  PrintIdentifiers(p);
  PrintMerges(p);
  return kExitOk;
}

}  // namespace

int RunWhois(int argc, char** argv) {
  std::string db;
  EngineFiles files;
  bool json = false;
  std::string customer_id;
  std::vector<std::string> identifier;
  CommandLine cl(
      kCommand, "--db FILE [options] {NAMESPACE:VALUE | --customer ID}",
      "Shows what motive knows of a customer's identity: the customer an "
      "identifier\n(phone:+14155550100, email:ana@example.com) belongs to, "
      "every customer id\nmerged into it, its normalized identifiers (flagged "
      "invalid, shared,\nunlinked or never merges) and the merges and splits "
      "that made it, each with\nits time and reason.\n\n"
      "Exit status: 0, 2 for a usage error, 3 for any other failure (an "
      "identifier\nthat belongs to no customer, or is shared by several, among "
      "them).");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "customer",
          .value_name = "ID",
          .help = "instead of an identifier: the customer id (any of its "
                  "merged ids)"},
         &customer_id);
  cl.Add({.name = "json",
          .help = "print the motive.v1.Profile as JSON, as the library "
                  "returns it"},
         &json);
  AddIdentityConfigFlag(cl, &files.identity_config);
  AddClusterFlags(cl, &files);
  cl.Positionals("NAMESPACE:VALUE", 0, 1, &identifier);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  Identifier id;
  if (identifier.empty() == customer_id.empty()) {
    return cl.UsageError(identifier.empty()
                             ? "missing NAMESPACE:VALUE (or --customer ID)"
                             : "give NAMESPACE:VALUE or --customer, not both");
  }
  if (!identifier.empty() && !ParseIdentifier(identifier[0], &id)) {
    return cl.UsageError(
        fmt::format("'{}' is not NAMESPACE:VALUE, such as phone:+14155550100",
                    identifier[0]));
  }

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // A lookup, as timeline's.
  options.read_only = 1;
  options.integrity_check = MOT_CHECK_NONE;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;
  if (customer_id.empty() &&
      !ResolveIdentifier(kCommand, engine.get(), id, &customer_id)) {
    return kExitFailure;
  }
  OwnedBuf buf;
  if (mot_identity_profile(buf.get(), engine.get(), customer_id.c_str(),
                           json ? MOT_FORMAT_JSON : MOT_FORMAT_PROTOBUF) !=
      MOT_OK) {
    return ReportFailure(kCommand, fmt::format("customer {}", customer_id));
  }
  if (!json) return PrintProfile(buf.view());
  const std::string_view text = buf.view();
  fmt::print("{}{}", text, text.ends_with('\n') ? "" : "\n");
  return kExitOk;
}

}  // namespace motive::cli
