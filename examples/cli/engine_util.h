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

namespace motive::cli {

// Adds the required --db FILE of the commands that read an existing
// database.
void AddExistingDatabaseFlag(CommandLine& cl, std::string* db);

// Adds --config FILE, the context configuration, into `path`.
void AddContextConfigFlag(CommandLine& cl, std::string* path);

struct EngineCloser {
  void operator()(mot_engine* engine) const { mot_engine_close(engine); }
};
using EnginePtr = std::unique_ptr<mot_engine, EngineCloser>;

// Opens the database at `path`, with the context configuration read from
// the file `config_path` and the ruleset from `rules_path` (named by its path
// in messages), each unless empty. On failure prints why, as
// "motive COMMAND: reason" naming the database, or the file at fault when
// one cannot be read or does not load, and returns null.
EnginePtr OpenEngine(std::string_view command, const std::string& path,
                     mot_engine_options options,
                     const std::string& config_path = "",
                     const std::string& rules_path = "");

// Parses `text`, the value of the flag --`flag`, as an RFC 3339 time into
// microseconds since the Unix epoch; empty is 0 (now). Returns nothing on
// success, else the exit code after printing a usage error.
std::optional<int> ParseTimeFlag(const CommandLine& cl, std::string_view flag,
                                 const std::string& text, int64_t* micros);

// The channels' names as flags take them ("voice", "mobile_app"), and the
// MOT_CHANNEL_* of one of them.
const std::vector<std::string_view>& ChannelNames();
int32_t ChannelCode(std::string_view name);

// A mot_buf that disposes of itself.
class OwnedBuf {
 public:
  OwnedBuf() = default;
  OwnedBuf(const OwnedBuf&) = delete;
  OwnedBuf& operator=(const OwnedBuf&) = delete;
  ~OwnedBuf() { mot_buf_dispose(&buf_); }

  mot_buf* get() { return &buf_; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(buf_.data), buf_.size};
  }

 private:
  mot_buf buf_{};
};

// `message` about the file `path`, as "path: message" unless the message
// names the path already (the library's messages mostly do).
std::string AboutPath(std::string_view path, std::string_view message);

// Prints "motive COMMAND: context: <the last motive error>" to stderr and
// returns kExitFailure. Call it right after the failing call.
int ReportFailure(std::string_view command, std::string_view context);

// 1234567 as "1,234,567".
std::string Grouped(uint64_t n);

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_ENGINE_UTIL_H_
