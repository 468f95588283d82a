// The one command-line parser of the motive CLI, shared by every command.
//
// A command declares its flags, each bound to a variable of its own, and its
// positional arguments; Parse() then fills them in, converts and checks the
// values, and handles --help. Flags take "--name VALUE" or "--name=VALUE" and
// may come before, after or between positional arguments; "--" ends them.

#ifndef MOTIVE_EXAMPLES_CLI_COMMAND_LINE_H_
#define MOTIVE_EXAMPLES_CLI_COMMAND_LINE_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace motive::cli {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRejected = 1;  // some input records were rejected
inline constexpr int kExitUsage = 2;     // bad command line
inline constexpr int kExitFailure = 3;   // anything else went wrong
inline constexpr int kExitInterrupted = 130;  // stopped by Ctrl-C (128 + 2)

struct FlagSpec {
  std::string_view name = {};        // without the leading "--"
  std::string_view value_name = {};  // "N", "FILE"; empty for a switch (bool)
  std::string help = {};  // owned: some are formatted
  bool required = false;
  // String flags: the accepted values, or empty for any.
  std::vector<std::string_view> choices = {};
  // Number flags: the accepted range.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

// Where a flag's value goes. A switch needs bool*, any other flag one of the
// rest; a vector collects a flag that may be repeated. The variable's value
// when the flag is added is its default, and is shown as such in the help
// (unless empty or zero).
using FlagTarget = std::variant<bool*, std::string*, uint64_t*, double*,
                                std::vector<std::string>*>;

// Not thread-safe; the targets must outlive Parse().
class CommandLine {
 public:
  // `command` as typed after "motive"; `synopsis` what follows it in the
  // usage line ("--db FILE [options] INPUT..."); `description` a paragraph
  // for --help.
  CommandLine(std::string_view command, std::string_view synopsis,
              std::string_view description);

  void Add(FlagSpec spec, FlagTarget target);

  // Positional arguments: between `min` and `max` of them, named `name` in
  // messages.
  void Positionals(std::string_view name, size_t min, size_t max,
                   std::vector<std::string>* out);

  // Parses the arguments that follow the command's name. Returns nothing
  // when the command should run, or the exit code to stop with: kExitOk after
  // printing the help for -h/--help, kExitUsage after printing an error.
  std::optional<int> Parse(int argc, char** argv);

  // Prints "motive COMMAND: message" and a hint to stderr; returns
  // kExitUsage. For errors only the command can see (two flags that clash).
  int UsageError(std::string_view message) const;

 private:
  struct Flag {
    FlagSpec spec;
    FlagTarget target;
    std::string default_text;  // for the help; empty for none
    bool seen = false;
  };

  Flag* Find(std::string_view name);
  // Converts `value` into the flag's target; false after printing why not.
  bool Assign(Flag& flag, std::string_view value);
  bool CheckRange(const Flag& flag, double value, std::string_view text);
  void PrintHelp() const;

  std::string command_;
  std::string synopsis_;
  std::string description_;
  std::vector<Flag> flags_;
  std::string positional_name_;
  size_t positional_min_ = 0;
  size_t positional_max_ = 0;
  std::vector<std::string>* positionals_ = nullptr;
};

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_COMMAND_LINE_H_
