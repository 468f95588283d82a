#include "engine_util.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "command_line.h"
#include "fmt/format.h"
#include "motive/v1/event.pb.h"
#include "progress_bar.h"

namespace motive::cli {

void AddExistingDatabaseFlag(CommandLine& cl, std::string* db) {
  cl.Add({.name = "db",
          .value_name = "FILE",
          .help = "the database, which must exist",
          .required = true},
         db);
}

void AddContextConfigFlag(CommandLine& cl, std::string* path) {
  cl.Add({.name = "config",
          .value_name = "FILE",
          .help = "the context configuration: signal settings and metrics "
                  "(motive.v1.ContextConfig, protobuf text format); the "
                  "snapshot is used only under the one it was written with"},
         path);
}

void AddIdentityConfigFlag(CommandLine& cl, std::string* path) {
  cl.Add({.name = "identity-config",
          .value_name = "FILE",
          .help = "the identity configuration: the region of national phone "
                  "numbers (such as default_region: \"US\"; none by "
                  "default), when a value counts as shared, namespaces that "
                  "never merge "
                  "(motive.v1.IdentityConfig, protobuf text format); give "
                  "every command on a database the same one"},
         path);
}

void AddJsonFlag(CommandLine& cl, std::string_view what, bool* json) {
  cl.Add({.name = "json",
          .help = fmt::format("print {} as one JSON object", what)},
         json);
}

void AddClusterFlags(CommandLine& cl, EngineFiles* files) {
  cl.Add({.name = "cluster",
          .value_name = "URLS",
          .help = "share the history with the other nodes of a NATS "
                  "JetStream cluster: its servers, "
                  "nats://HOST:PORT[,nats://HOST:PORT...] (the streams are "
                  "created when missing); the database is this node's copy, "
                  "created when missing and brought up to date first"},
         &files->cluster);
  cl.Add({.name = "tenant",
          .value_name = "NAME",
          .help = "with --cluster: the shared history's name (letters, "
                  "digits, '-', '_'); default \"default\""},
         &files->tenant);
  cl.Add({.name = "partitions",
          .value_name = "LIST",
          .help = "with --cluster: the partitions this node holds, such as "
                  "0-63,128 (of 256); default all. Customers of others are "
                  "refused, naming their partition"},
         &files->partitions);
}

bool ReadTextFile(std::string_view command, const std::string& path,
                  std::string* out) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(
      std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file != nullptr) {
    char chunk[1 << 16];
    out->clear();
    while (size_t n = std::fread(chunk, 1, sizeof(chunk), file.get())) {
      out->append(chunk, n);
    }
    if (!std::ferror(file.get())) return true;
  }
  fmt::print(stderr, "motive {}: {}: {}\n", command, path,
             std::strerror(errno));
  return false;
}

namespace {

// Replays shorter than this open too fast for a bar to be worth drawing.
constexpr uint64_t kOpeningBarEvents = 200000;

// mot_engine_options.on_progress: draws the ProgressBar `bar` for a long
// replay.
int ReportOpening(void* bar, uint64_t done, uint64_t total) {
  return total < kOpeningBarEvents ? 0 : ProgressBar::Report(bar, done, total);
}

}  // namespace

EnginePtr OpenEngine(std::string_view command, const std::string& path,
                     mot_engine_options options, const EngineFiles& files) {
  std::string config;
  if (!files.context_config.empty()) {
    if (!ReadTextFile(command, files.context_config, &config)) return nullptr;
    options.context_config = config.c_str();
  }
  std::string rules;
  if (!files.rules.empty()) {
    if (!ReadTextFile(command, files.rules, &rules)) return nullptr;
    options.ruleset = rules.c_str();
    options.ruleset_origin = files.rules.c_str();
  }
  std::string identity_config;
  if (!files.identity_config.empty()) {
    if (!ReadTextFile(command, files.identity_config, &identity_config)) {
      return nullptr;
    }
    options.identity_config = identity_config.c_str();
  }
  if (!files.cluster.empty()) {
    // The database is this node's copy of the shared history: created when
    // missing and brought up to date at open, by a writer, whatever the
    // command (a read-only engine cannot apply the cluster's events).
    options.cluster_servers = files.cluster.c_str();
    options.read_only = 0;
    options.create_if_missing = 1;
  }
  if (!files.tenant.empty()) options.cluster_tenant = files.tenant.c_str();
  if (!files.partitions.empty()) {
    options.cluster_held_partitions = files.partitions.c_str();
  }
  // Opening replays the log after the snapshot (all of it without one): a
  // bar on a terminal for every command that waits for it.
  ProgressBar bar("opening", isatty(STDERR_FILENO) != 0,
                  ProgressBar::Counting::kItems, "events");
  options.on_progress = ReportOpening;
  options.progress_user_data = &bar;
  mot_engine* engine = nullptr;
  const int rc = mot_engine_open(&engine, path.c_str(), &options);
  bar.Clear();
  if (rc == MOT_OK) return EnginePtr(engine);
  // The database's own failures have other codes (not found, corrupt,
  // version, busy, I/O): with the CLI's options, these two are a file's.
  // The ruleset's messages start with its origin, its path; the identity
  // configuration's name the option, identity_config.
  const std::string_view message = mot_error_last();
  std::string_view at_fault = path;
  if (rc == MOT_EPARSE || rc == MOT_EINVALID) {
    if (!files.identity_config.empty() &&
        message.find("identity_config") != std::string_view::npos) {
      at_fault = files.identity_config;
    } else if (!files.rules.empty() && (files.context_config.empty() ||
                                        message.starts_with(files.rules))) {
      at_fault = files.rules;
    } else if (!files.context_config.empty()) {
      at_fault = files.context_config;
    }
  }
  fmt::print(stderr, "motive {}: {}\n", command, AboutPath(at_fault, message));
  return nullptr;
}

bool ParseIdentifier(std::string_view text, Identifier* out) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  out->ns = std::string(text.substr(0, colon));
  out->value = std::string(text.substr(colon + 1));
  return true;
}

bool ResolveIdentifier(std::string_view command, mot_engine* engine,
                       const Identifier& id, std::string* customer) {
  char out[MOT_CUSTOMER_ID_MAX + 1];
  if (mot_identity_resolve(out, sizeof(out), nullptr, engine, id.ns.c_str(),
                           id.value.c_str()) != MOT_OK) {
    fmt::print(stderr, "motive {}: {}\n", command, mot_error_last());
    return false;
  }
  *customer = out;
  return true;
}

void CustomerArgument::Add(CommandLine& cl, bool positional) {
  cl.Add({.name = "identity",
          .value_name = "NAMESPACE:VALUE",
          .help = "instead of CUSTOMER: the customer this identifier belongs "
                  "to (phone:+14155550100, email:ana@example.com; split at "
                  "the first ':', normalized as events' identifiers are)"},
         &identity_text_);
  if (positional) cl.Positionals("CUSTOMER", 0, 1, &positionals_);
}

void CustomerArgument::set_argument(std::string customer) {
  positionals_.assign(1, std::move(customer));
}

std::optional<int> CustomerArgument::Check(const CommandLine& cl,
                                           bool required) {
  const bool has_argument = !positionals_.empty();
  if (has_argument && has_identity()) {
    return cl.UsageError(
        fmt::format("give CUSTOMER '{}' or --identity '{}', not both",
                    positionals_[0], identity_text_));
  }
  if (has_identity() && !ParseIdentifier(identity_text_, &identity_)) {
    return cl.UsageError(fmt::format(
        "--identity '{}' is not NAMESPACE:VALUE, such as phone:+14155550100",
        identity_text_));
  }
  if (required && !has_argument && !has_identity()) {
    return cl.UsageError("missing CUSTOMER (or --identity NAMESPACE:VALUE)");
  }
  if (has_argument) id_ = positionals_[0];
  return std::nullopt;
}

std::optional<int> CustomerArgument::Resolve(std::string_view command,
                                             mot_engine* engine) {
  if (!has_identity() || ResolveIdentifier(command, engine, identity_, &id_)) {
    return std::nullopt;
  }
  return kExitFailure;
}

std::optional<int> ParseTimeFlag(const CommandLine& cl, std::string_view flag,
                                 const std::string& text, int64_t* micros) {
  *micros = 0;
  if (text.empty()) return std::nullopt;
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return cl.UsageError(
        fmt::format("--{} '{}' is not an RFC 3339 time such as "
                    "2025-03-05T00:00:00Z: {}",
                    flag, text, error));
  }
  *micros = absl::ToUnixMicros(time);
  return std::nullopt;
}

const std::vector<std::string_view>& ChannelNames() {
  // From the schema, so that a new channel needs no edit here; never freed,
  // as function-local statics of non-trivial types should not be.
  static const auto* const storage = [] {
    auto* names = new std::vector<std::string>;
    for (int c = v1::Channel_MIN + 1; c <= v1::Channel_MAX; ++c) {
      if (v1::Channel_IsValid(c)) {
        names->push_back(absl::AsciiStrToLower(v1::Channel_Name(c)));
      }
    }
    return names;
  }();
  static const auto* const views =
      new std::vector<std::string_view>(storage->begin(), storage->end());
  return *views;
}

int32_t ChannelCode(std::string_view name) {
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  v1::Channel_Parse(absl::AsciiStrToUpper(std::string(name)), &channel);
  return channel;
}

std::string AboutPath(std::string_view path, std::string_view message) {
  if (message.find(path) != std::string_view::npos) return std::string(message);
  return fmt::format("{}: {}", path, message);
}

int ReportFailure(std::string_view command, std::string_view context) {
  fmt::print(stderr, "motive {}: {}: {}\n", command, context, mot_error_last());
  return kExitFailure;
}

std::string Grouped(uint64_t n) {
  std::string digits = fmt::format("{}", n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string JsonQuote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace motive::cli
