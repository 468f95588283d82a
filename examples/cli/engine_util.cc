#include "engine_util.h"

#include <cstdio>

#include "command_line.h"
#include "fmt/format.h"

namespace motive::cli {

EnginePtr OpenEngine(std::string_view command, const std::string& path,
                     const mot_engine_options& options) {
  mot_engine* engine = nullptr;
  if (mot_engine_open(&engine, path.c_str(), &options) != MOT_OK) {
    fmt::print(stderr, "motive {}: {}\n", command,
               AboutPath(path, mot_error_last()));
    return nullptr;
  }
  return EnginePtr(engine);
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
