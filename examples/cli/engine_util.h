// What the CLI's commands share around the C ABI: owning handles, error
// reports, number formatting.

#ifndef MOTIVE_EXAMPLES_CLI_ENGINE_UTIL_H_
#define MOTIVE_EXAMPLES_CLI_ENGINE_UTIL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "motive/motive.h"
#include "owned_buf.h"

namespace motive::cli {

// Adds the required --db FILE of the commands that read an existing
// database.
void AddExistingDatabaseFlag(CommandLine& cl, std::string* db);

// Adds --config FILE, the context configuration, into `path`.
void AddContextConfigFlag(CommandLine& cl, std::string* path);

// Adds --identity-config FILE, the identity configuration (the region of
// national phone numbers, when a value counts as shared, namespaces that
// never merge), into `path`.
void AddIdentityConfigFlag(CommandLine& cl, std::string* path);

// Reads the whole file at `path` into `out`. On failure prints why, as
// "motive COMMAND: path: reason", and returns false.
bool ReadTextFile(std::string_view command, const std::string& path,
                  std::string* out);

struct EngineFiles;
// Adds --cluster URLS, --tenant NAME and --partitions LIST: the NATS
// JetStream cluster to share the history with (see "Clusters" in motive.h).
void AddClusterFlags(CommandLine& cl, EngineFiles* files);

struct EngineCloser {
  void operator()(mot_engine* engine) const { mot_engine_close(engine); }
};
using EnginePtr = std::unique_ptr<mot_engine, EngineCloser>;

// The files an engine is opened with, each by its path, unless empty, and
// the cluster it joins.
struct EngineFiles {
  std::string context_config;   // --config: motive.v1.ContextConfig
  std::string rules;            // --rules: motive.v1.Ruleset
  std::string identity_config;  // --identity-config: motive.v1.IdentityConfig
  std::string cluster;          // --cluster: nats://HOST:PORT,...
  std::string tenant;           // --tenant
  std::string partitions;       // --partitions: the ones this node holds
};

// Opens the database at `path` with `files` read into `options` (the
// ruleset named by its path in messages). On failure prints why, as
// "motive COMMAND: reason" naming the database, or the file at fault when
// one cannot be read or does not load, and returns null.
EnginePtr OpenEngine(std::string_view command, const std::string& path,
                     mot_engine_options options, const EngineFiles& files = {});

// An identifier as the command line writes it, NAMESPACE:VALUE ("phone:+1
// 415 555 0100", "email:ana@example.com"), split at the first ':'.
struct Identifier {
  std::string ns;
  std::string value;
};

// Splits `text` into `out`; false when it has no ':' or an empty namespace.
bool ParseIdentifier(std::string_view text, Identifier* out);

// The customer `id` belongs to, into `customer` (mot_identity_resolve). On
// failure prints the library's message, which names the identifier and why
// ("motive COMMAND: phone +14155550100 belongs to no profile", "... is
// shared by several profiles; ..."), and returns false.
bool ResolveIdentifier(std::string_view command, mot_engine* engine,
                       const Identifier& id, std::string* customer);

// The customer a command is about: its CUSTOMER argument, or the customer
// that --identity NAMESPACE:VALUE resolves to (mot_identity_resolve), so
// that every command taking a customer takes an identifier alike. Use:
//
//   CustomerArgument customer;
//   customer.Add(cl);                      // before cl.Parse()
//   if (auto e = customer.Check(cl)) ...;  // after it: usage errors
//   if (auto e = customer.Resolve(kCommand, engine)) ...;  // once open
//   ... customer.id() ...
//
// Not thread-safe; the CommandLine holds pointers into it, so it must
// outlive Parse() and not move.
class CustomerArgument {
 public:
  // Declares --identity and, when `positional`, the one positional
  // argument CUSTOMER (optional on the command line, since --identity may
  // stand in for it). A command with other positional arguments declares
  // them itself and passes the CUSTOMER it finds to set_argument().
  void Add(CommandLine& cl, bool positional = true);
  void set_argument(std::string customer);

  // After parsing: a usage error (its exit code) unless exactly one of
  // CUSTOMER and --identity was given (or neither, when not `required`),
  // or when --identity is not NAMESPACE:VALUE.
  std::optional<int> Check(const CommandLine& cl, bool required = true);

  // Resolves --identity in `engine` (ResolveIdentifier). Returns nothing on
  // success (also when a CUSTOMER was given, or none), else kExitFailure
  // after printing why.
  std::optional<int> Resolve(std::string_view command, mot_engine* engine);

  bool has_identity() const { return !identity_text_.empty(); }
  // --identity as given, split (valid once Check() has passed).
  const std::string& identity_text() const { return identity_text_; }
  const Identifier& identity() const { return identity_; }
  // The customer id: CUSTOMER, or once resolved the --identity's customer.
  const std::string& id() const { return id_; }
  const char* c_str() const { return id_.c_str(); }

 private:
  std::vector<std::string> positionals_;
  std::string identity_text_;
  Identifier identity_;
  std::string id_;
};

// Parses `text`, the value of the flag --`flag`, as an RFC 3339 time into
// microseconds since the Unix epoch; empty is 0 (now). Returns nothing on
// success, else the exit code after printing a usage error.
std::optional<int> ParseTimeFlag(const CommandLine& cl, std::string_view flag,
                                 const std::string& text, int64_t* micros);

// The channels' names as flags take them ("voice", "mobile_app"), and the
// MOT_CHANNEL_* of one of them.
const std::vector<std::string_view>& ChannelNames();
int32_t ChannelCode(std::string_view name);

using examples::OwnedBuf;

// `message` about the file `path`, as "path: message" unless the message
// names the path already (the library's messages mostly do).
std::string AboutPath(std::string_view path, std::string_view message);

// Prints "motive COMMAND: context: <the last motive error>" to stderr and
// returns kExitFailure. Call it right after the failing call.
int ReportFailure(std::string_view command, std::string_view context);

// Adds --json: print `what` as one JSON object instead of text.
void AddJsonFlag(CommandLine& cl, std::string_view what, bool* json);

// `text` as a JSON string, quotes included, for the --json outputs.
std::string JsonQuote(std::string_view text);

// 1234567 as "1,234,567".
std::string Grouped(uint64_t n);

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_ENGINE_UTIL_H_
