#include "command_line.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

#include "fmt/format.h"

namespace motive::cli {
namespace {

// Whether the whole of `text` parses as a T.
template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && !text.empty();
}

// Splits `text` into lines of at most `columns` characters, at spaces (a
// longer word gets a line of its own).
std::vector<std::string> Wrap(std::string_view text, size_t columns) {
  std::vector<std::string> lines(1);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(start, end - start);
    if (!lines.back().empty() &&
        lines.back().size() + 1 + word.size() > columns) {
      lines.emplace_back();
    }
    if (!lines.back().empty()) lines.back() += ' ';
    lines.back() += word;
    start = end + 1;
  }
  return lines;
}

std::string DefaultText(const FlagTarget& target) {
  struct Visitor {
    std::string operator()(bool*) const { return ""; }
    std::string operator()(std::string* s) const { return *s; }
    std::string operator()(uint64_t* n) const {
      return *n == 0 ? "" : fmt::format("{}", *n);
    }
    std::string operator()(double* x) const {
      return *x == 0 ? "" : fmt::format("{}", *x);
    }
    std::string operator()(std::vector<std::string>*) const { return ""; }
  };
  return std::visit(Visitor{}, target);
}

}  // namespace

CommandLine::CommandLine(std::string_view command, std::string_view synopsis,
                         std::string_view description)
    : command_(command), synopsis_(synopsis), description_(description) {}

void CommandLine::Add(FlagSpec spec, FlagTarget target) {
  std::string default_text = spec.required ? "" : DefaultText(target);
  flags_.push_back({std::move(spec), target, std::move(default_text)});
}

void CommandLine::Positionals(std::string_view name, size_t min, size_t max,
                              std::vector<std::string>* out) {
  positional_name_ = name;
  positional_min_ = min;
  positional_max_ = max;
  positionals_ = out;
}

CommandLine::Flag* CommandLine::Find(std::string_view name) {
  for (Flag& flag : flags_) {
    if (flag.spec.name == name) return &flag;
  }
  return nullptr;
}

std::optional<int> CommandLine::Parse(int argc, char** argv) {
  std::vector<std::string> positionals;
  bool flags_ended = false;
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (flags_ended || arg == "-" || !arg.starts_with("-")) {
      positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      PrintHelp();
      return kExitOk;
    }
    if (!arg.starts_with("--")) {
      return UsageError(fmt::format("unknown option {}", arg));
    }
    const std::string_view body = arg.substr(2);
    const size_t equals = body.find('=');
    const std::string_view name = body.substr(0, equals);
    Flag* flag = Find(name);
    if (flag == nullptr) {
      return UsageError(fmt::format("unknown option --{}", name));
    }
    if (std::holds_alternative<bool*>(flag->target)) {
      if (equals != std::string_view::npos) {
        return UsageError(fmt::format("--{} takes no value", name));
      }
      *std::get<bool*>(flag->target) = true;
    } else {
      std::string_view value;
      if (equals != std::string_view::npos) {
        value = body.substr(equals + 1);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return UsageError(fmt::format("--{} needs a value ({})", name,
                                      flag->spec.value_name));
      }
      if (!Assign(*flag, value)) return kExitUsage;
    }
    flag->seen = true;
  }

  for (const Flag& flag : flags_) {
    if (flag.spec.required && !flag.seen) {
      return UsageError(fmt::format("--{} {} is required", flag.spec.name,
                                    flag.spec.value_name));
    }
  }
  if (positionals.size() < positional_min_) {
    return UsageError(fmt::format("missing {}", positional_name_));
  }
  if (positionals.size() > positional_max_) {
    return UsageError(
        fmt::format("unexpected argument '{}'", positionals[positional_max_]));
  }
  if (positionals_ != nullptr) *positionals_ = std::move(positionals);
  return std::nullopt;
}

bool CommandLine::Assign(Flag& flag, std::string_view value) {
  const FlagSpec& spec = flag.spec;
  if (auto* text = std::get_if<std::string*>(&flag.target)) {
    if (!spec.choices.empty() &&
        std::find(spec.choices.begin(), spec.choices.end(), value) ==
            spec.choices.end()) {
      UsageError(fmt::format("--{} must be one of {}, got '{}'", spec.name,
                             fmt::join(spec.choices, ", "), value));
      return false;
    }
    **text = value;
    return true;
  }
  if (auto* repeated = std::get_if<std::vector<std::string>*>(&flag.target)) {
    (*repeated)->emplace_back(value);
    return true;
  }
  if (auto* number = std::get_if<uint64_t*>(&flag.target)) {
    if (!ParseNumber(value, *number)) {
      UsageError(fmt::format("--{} expects a whole number, got '{}'", spec.name,
                             value));
      return false;
    }
    return CheckRange(flag, static_cast<double>(**number), value);
  }
  double* real = std::get<double*>(flag.target);
  if (!ParseNumber(value, real)) {
    UsageError(
        fmt::format("--{} expects a number, got '{}'", spec.name, value));
    return false;
  }
  return CheckRange(flag, *real, value);
}

bool CommandLine::CheckRange(const Flag& flag, double value,
                             std::string_view text) {
  const FlagSpec& spec = flag.spec;
  if (value >= spec.min && value <= spec.max) return true;  // false for NaN
  std::string range;
  if (spec.max == std::numeric_limits<double>::infinity()) {
    range = fmt::format("at least {}", spec.min);
  } else if (spec.min == -std::numeric_limits<double>::infinity()) {
    range = fmt::format("at most {}", spec.max);
  } else {
    range = fmt::format("between {} and {}", spec.min, spec.max);
  }
  UsageError(fmt::format("--{} must be {}, got {}", spec.name, range, text));
  return false;
}

int CommandLine::UsageError(std::string_view message) const {
  fmt::print(stderr, "motive {}: {}\nTry 'motive {} --help'.\n", command_,
             message, command_);
  return kExitUsage;
}

void CommandLine::PrintHelp() const {
  fmt::print("Usage: motive {} {}\n\n{}\n\nOptions:\n", command_, synopsis_,
             description_);
  std::vector<std::pair<std::string, std::string>> rows;
  for (const Flag& flag : flags_) {
    const FlagSpec& spec = flag.spec;
    std::string left = fmt::format("--{}", spec.name);
    if (!spec.value_name.empty()) left += fmt::format(" {}", spec.value_name);
    std::string right(spec.help);
    if (spec.required) right += " (required)";
    if (!flag.default_text.empty()) {
      right += fmt::format(" (default: {})", flag.default_text);
    }
    rows.emplace_back(std::move(left), std::move(right));
  }
  rows.emplace_back("-h, --help", "show this help and exit");
  constexpr size_t kScreenColumns = 79;
  size_t width = 0;
  for (const auto& [left, right] : rows) width = std::max(width, left.size());
  const size_t help_columns = std::max<size_t>(kScreenColumns - width - 4, 30);
  for (const auto& [left, right] : rows) {
    const std::vector<std::string> lines = Wrap(right, help_columns);
    fmt::print("  {:<{}}  {}\n", left, width, lines[0]);
    for (size_t i = 1; i < lines.size(); ++i) {
      fmt::print("  {:<{}}  {}\n", "", width, lines[i]);
    }
  }
}

}  // namespace motive::cli
