#include "engine_util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "command_line.h"
#include "fmt/format.h"

namespace motive::cli {

void AddExistingDatabaseFlag(CommandLine& cl, std::string* db) {
  cl.Add({.name = "db",
          .value_name = "FILE",
          .help = "the database, which must exist",
          .required = true},
         db);
}

namespace {

// Reads the whole file at `path` into `out`. On failure prints why, as
// "motive COMMAND: path: reason", and returns false.
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

}  // namespace

EnginePtr OpenEngine(std::string_view command, const std::string& path,
                     mot_engine_options options,
                     const std::string& config_path) {
  std::string config;
  if (!config_path.empty()) {
    if (!ReadTextFile(command, config_path, &config)) return nullptr;
    options.context_config = config.c_str();
  }
  mot_engine* engine = nullptr;
  const int rc = mot_engine_open(&engine, path.c_str(), &options);
  if (rc == MOT_OK) return EnginePtr(engine);
  // The database's own failures have other codes (not found, corrupt,
  // version, busy, I/O): with the CLI's options, these two are the
  // configuration's.
  const bool config_at_fault =
      !config_path.empty() && (rc == MOT_EPARSE || rc == MOT_EINVALID);
  fmt::print(stderr, "motive {}: {}\n", command,
             AboutPath(config_at_fault ? config_path : path, mot_error_last()));
  return nullptr;
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

}  // namespace motive::cli
