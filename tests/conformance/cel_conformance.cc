// cel_conformance: runs the CEL specification's conformance files
// (cel.expr.conformance.test.SimpleTestFile, in text format) against
// src/expr and prints, per file, how many tests passed, failed and were
// skipped, with the reason for each skip.
//
//   cel_conformance [--verbose] [--floors FILE] [--shared DIR]
//                   [--no-file-skips] [FILE...]
//
// Without FILE, runs every *.textproto in DIR/conformance/cel-spec/tests/
// simple/testdata (DIR defaults to the MOTIVE_SHARED_DIR it was built with).
// The last line is always "N passed, N failed, N skipped".
//
// Exit codes: 0; 1 when --floors is given and a file passed fewer tests than
// its floor; 2 for a usage error or a file that cannot be read or parsed;
// 77 (ctest's skip) when the shared folder is absent and no FILE was given.

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "base/text_proto.h"
#include "cel/expr/conformance/test/simple.pb.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "expr/type.h"
#include "expr/value.h"
#include "google/protobuf/arena.h"
#include "tests/conformance/conformance_values.h"

namespace motive::conformance {
namespace {

using ::cel::expr::conformance::test::SimpleTest;
using ::cel::expr::conformance::test::SimpleTestFile;

constexpr int kExitFloors = 1;
constexpr int kExitUnreadable = 2;
constexpr int kExitSkipped = 77;

constexpr char kTestdata[] = "conformance/cel-spec/tests/simple/testdata";

constexpr absl::string_view kExtensionNotSupported = "extension not supported";

// Files skipped whole, with the reason: what src/expr leaves out by design.
// type_deduction is not among them: its typed results check the checker's
// deduced types, test by test, skipping those that need messages.
struct FileSkip {
  absl::string_view file;
  absl::string_view reason;
};
constexpr FileSkip kFileSkips[] = {
    {"dynamic", kNeedsMessages},
    {"enums", kNeedsMessages},
    {"wrappers", kNeedsMessages},
    {"proto2", kNeedsMessages},
    {"proto2_ext", kNeedsMessages},
    {"proto3", kNeedsMessages},
    {"block_ext", kExtensionNotSupported},
    {"encoders_ext", kExtensionNotSupported},
    {"network_ext", kExtensionNotSupported},
    {"unknowns", "unknowns not supported"},
};

absl::string_view FileSkipReason(absl::string_view file) {
  for (const FileSkip& skip : kFileSkips) {
    if (skip.file == file) return skip.reason;
  }
  return "";
}

// --- crash note --------------------------------------------------------------
// The library under test is young; when it crashes, say in which test, so
// that the report points at the expression rather than at the runner.

char g_current_test[1024];

void OnFatalSignal(int signal_number) {
  static constexpr char kPrefix[] = "\ncel_conformance: crashed in ";
  // write() is async-signal-safe; stdio is not.
  ssize_t ignored = write(STDERR_FILENO, kPrefix, sizeof(kPrefix) - 1);
  ignored = write(STDERR_FILENO, g_current_test, strlen(g_current_test));
  ignored = write(STDERR_FILENO, "\n", 1);
  (void)ignored;
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

void InstallCrashNote() {
  for (int signal_number : {SIGSEGV, SIGABRT, SIGFPE, SIGBUS, SIGILL}) {
    std::signal(signal_number, OnFatalSignal);
  }
}

void NoteCurrentTest(absl::string_view file, absl::string_view test,
                     absl::string_view expr) {
  std::string note = absl::StrCat(file, " ", test, ": ", expr);
  size_t size = std::min(note.size(), sizeof(g_current_test) - 1);
  std::memcpy(g_current_test, note.data(), size);
  g_current_test[size] = '\0';
}

// --- one test ----------------------------------------------------------------

struct Outcome {
  enum Kind { kPassed, kFailed, kSkipped };
  Kind kind;
  // kFailed: what went wrong. kSkipped: the reason. kPassed: a note for
  // --verbose (an expected error met at compile time), or empty.
  std::string detail;
};

Outcome Passed(std::string note = "") {
  return {Outcome::kPassed, std::move(note)};
}
Outcome Failed(std::string why) { return {Outcome::kFailed, std::move(why)}; }
Outcome Skipped(absl::string_view reason) {
  return {Outcome::kSkipped, std::string(reason)};
}

// A conversion status: a skip, or malformed data (a failure).
Outcome FromStatus(const absl::Status& status, absl::string_view what) {
  if (IsSkip(status)) return Skipped(status.message());
  return Failed(
      absl::StrCat("bad test data in ", what, ": ", status.message()));
}

// Whether the expression builds or reads protobuf messages, which src/expr
// has no notion of: the suite's TestAllTypes, its fields, and the
// google.protobuf types other than Timestamp and Duration (the wrappers,
// Value, Struct, Any...).
bool UsesMessages(const SimpleTest& test) {
  const std::string& expr = test.expr();
  if (absl::StrContains(expr, "TestAllTypes") ||
      absl::StrContains(expr, ".single_") ||
      absl::StrContains(expr, "conformance.proto") ||
      absl::StrContains(test.container(), "conformance.proto")) {
    return true;
  }
  constexpr absl::string_view kPackage = "google.protobuf.";
  const absl::string_view text = expr;
  for (size_t at = text.find(kPackage); at != absl::string_view::npos;
       at = text.find(kPackage, at + 1)) {
    absl::string_view rest = text.substr(at + kPackage.size());
    if (!absl::StartsWith(rest, "Timestamp") &&
        !absl::StartsWith(rest, "Duration")) {
      return true;
    }
  }
  return false;
}

std::string Quoted(absl::string_view expr) {
  std::string flat = absl::StrReplaceAll(expr, {{"\n", "\\n"}});
  constexpr size_t kMax = 160;
  if (flat.size() > kMax) flat = absl::StrCat(flat.substr(0, kMax), "...");
  return absl::StrCat("`", flat, "`");
}

std::string Describe(const expr::Value& value) {
  if (value.is_error()) return absl::StrCat("error \"", value.text(), "\"");
  absl::StatusOr<cel::expr::Value> proto = ValueToProto(value);
  if (!proto.ok()) return std::string(proto.status().message());
  return FormatValue(*proto);
}

Outcome RunTest(const SimpleTest& test) {
  switch (test.result_matcher_case()) {
    case SimpleTest::kUnknown:
    case SimpleTest::kAnyUnknowns:
      return Skipped("unknowns not supported");
    default:
      break;
  }
  if (UsesMessages(test)) return Skipped(kNeedsMessages);

  expr::Environment env;  // strings and math extensions on
  for (const cel::expr::Decl& decl : test.type_env()) {
    if (decl.has_function()) {
      return Skipped("function declarations not supported");
    }
    absl::StatusOr<expr::Type> type = TypeFromProto(decl.ident().type());
    if (!type.ok()) {
      return FromStatus(type.status(), absl::StrCat("type_env ", decl.name()));
    }
    if (absl::Status s = env.DeclareVariable(decl.name(), *std::move(type));
        !s.ok()) {
      return Failed(absl::StrCat("declaring ", decl.name(), ": ", s.message()));
    }
  }
  env.set_container(test.container());

  // Bindings in name order, so that slots (and reports) do not depend on
  // the proto map's iteration order.
  std::vector<std::string> names;
  for (const auto& [name, unused] : test.bindings()) names.push_back(name);
  std::sort(names.begin(), names.end());

  google::protobuf::Arena arena;
  std::vector<std::pair<std::string, expr::Value>> bound;
  for (const std::string& name : names) {
    const cel::expr::ExprValue& binding = test.bindings().at(name);
    switch (binding.kind_case()) {
      case cel::expr::ExprValue::kValue: {
        absl::StatusOr<expr::Value> value =
            ValueFromProto(binding.value(), &arena);
        if (!value.ok()) {
          return FromStatus(value.status(), absl::StrCat("binding ", name));
        }
        bound.emplace_back(name, *value);
        break;
      }
      case cel::expr::ExprValue::kError:
        return Skipped("error bindings not supported");
      case cel::expr::ExprValue::kUnknown:
        return Skipped("unknowns not supported");
      default:
        return Failed(absl::StrCat("binding ", name, " has no value"));
    }
    // Bound but not declared: only known at run time.
    if (env.FindVariable(name) == nullptr) {
      if (absl::Status s = env.DeclareVariable(name, expr::Type::Dyn());
          !s.ok()) {
        return Failed(absl::StrCat("declaring ", name, ": ", s.message()));
      }
    }
  }

  // Some tests expect an evaluation error that a checker finds before
  // evaluation (a call no overload accepts): refusing the expression at
  // compile time meets the expectation.
  const bool expects_error =
      test.result_matcher_case() == SimpleTest::kEvalError ||
      test.result_matcher_case() == SimpleTest::kAnyEvalErrors;

  expr::CompileOptions options;
  options.check = !test.disable_check();
  options.macros = !test.disable_macros();
  absl::StatusOr<std::unique_ptr<expr::Program>> program =
      expr::Program::Compile(test.expr(), env, options);
  if (!program.ok()) {
    std::string message =
        absl::StrReplaceAll(program.status().message(), {{"\n", "; "}});
    if (expects_error) {
      return Passed(absl::StrCat("error at compile time: ", message));
    }
    return Failed(absl::StrCat("compile error: ", message));
  }

  if (test.has_typed_result() && test.typed_result().has_deduced_type() &&
      options.check) {
    absl::StatusOr<expr::Type> expected =
        TypeFromProto(test.typed_result().deduced_type());
    if (!expected.ok()) return FromStatus(expected.status(), "deduced_type");
    const expr::Type& deduced = (*program)->result_type();
    if (deduced != *expected) {
      return Failed(absl::StrCat("deduced type ", deduced.DebugString(),
                                 ", expected ", expected->DebugString()));
    }
  }
  if (test.check_only()) return Passed();

  expr::Activation activation(env);
  for (const auto& [name, value] : bound) {
    if (absl::Status s = activation.Bind(name, value); !s.ok()) {
      return Failed(absl::StrCat("binding ", name, ": ", s.message()));
    }
  }
  const expr::Value result = (*program)->Evaluate(activation, &arena);

  if (expects_error) {
    if (result.is_error()) return Passed();
    return Failed(absl::StrCat("expected an error, got ", Describe(result)));
  }

  cel::expr::Value expected;
  switch (test.result_matcher_case()) {
    case SimpleTest::kValue:
      expected = test.value();
      break;
    case SimpleTest::kTypedResult:
      if (!test.typed_result().has_result()) return Passed();
      expected = test.typed_result().result();
      break;
    default:  // no matcher: true
      expected.set_bool_value(true);
      break;
  }
  if (result.is_error()) {
    return Failed(absl::StrCat("expected ", FormatValue(expected), ", got ",
                               Describe(result)));
  }
  absl::StatusOr<cel::expr::Value> actual = ValueToProto(result);
  if (!actual.ok()) {
    return Failed(absl::StrCat("expected ", FormatValue(expected), ", got ",
                               actual.status().message()));
  }
  if (!ValuesMatch(expected, *actual)) {
    return Failed(absl::StrCat("expected ", FormatValue(expected), ", got ",
                               FormatValue(*actual)));
  }
  return Passed();
}

// --- one file ----------------------------------------------------------------

struct FileReport {
  std::string name;  // the file's stem: "basic"
  int passed = 0;
  int failed = 0;
  int skipped = 0;
  std::map<std::string, int> skip_reasons;
  std::vector<std::string> lines;  // printed under the counts
};

absl::StatusOr<SimpleTestFile> ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));

  SimpleTestFile file;
  if (absl::Status s = base::ParseTextProto(text.str(), path, &file);
      !s.ok()) {
    return s;
  }
  return file;
}

int CountTests(const SimpleTestFile& file) {
  int count = 0;
  for (const auto& section : file.section()) count += section.test_size();
  return count;
}

struct RunOptions {
  bool verbose = false;
  bool file_skips = true;
};

// Runs one file. False when it cannot be read or parsed (the report then
// says why).
bool RunFile(const std::string& path, const RunOptions& options,
             FileReport& report) {
  report.name = std::filesystem::path(path).stem().string();
  absl::string_view skip_reason =
      options.file_skips ? FileSkipReason(report.name) : "";

  absl::StatusOr<SimpleTestFile> file = ReadTestFile(path);
  if (!file.ok()) {
    report.lines.push_back(absl::StrCat("  ", file.status().message()));
    // A file skipped whole needs no parsing but its count; failing to count
    // it is no reason to fail the run.
    if (!skip_reason.empty()) {
      report.skip_reasons[std::string(skip_reason)] += 0;
      return true;
    }
    return false;
  }
  if (!skip_reason.empty()) {
    report.skipped = CountTests(*file);
    report.skip_reasons[std::string(skip_reason)] = report.skipped;
    return true;
  }

  for (const auto& section : file->section()) {
    for (const SimpleTest& test : section.test()) {
      std::string name = absl::StrCat(section.name(), "/", test.name());
      NoteCurrentTest(report.name, name, test.expr());
      Outcome outcome = RunTest(test);
      switch (outcome.kind) {
        case Outcome::kPassed:
          ++report.passed;
          if (options.verbose) {
            report.lines.push_back(
                outcome.detail.empty()
                    ? absl::StrCat("  PASS ", name)
                    : absl::StrCat("  PASS ", name, " (", outcome.detail, ")"));
          }
          break;
        case Outcome::kFailed:
          ++report.failed;
          report.lines.push_back(absl::StrCat("  FAIL ", name, ": ",
                                              Quoted(test.expr()), ": ",
                                              outcome.detail));
          break;
        case Outcome::kSkipped:
          ++report.skipped;
          ++report.skip_reasons[outcome.detail];
          if (options.verbose) {
            report.lines.push_back(
                absl::StrCat("  SKIP ", name, ": ", outcome.detail));
          }
          break;
      }
    }
  }
  return true;
}

void PrintReport(const FileReport& report) {
  std::printf("%s: %d passed, %d failed, %d skipped\n", report.name.c_str(),
              report.passed, report.failed, report.skipped);
  for (const std::string& line : report.lines) {
    std::printf("%s\n", line.c_str());
  }
  // Most frequent reason first.
  std::vector<std::pair<int, std::string>> reasons;
  for (const auto& [reason, count] : report.skip_reasons) {
    reasons.emplace_back(count, reason);
  }
  std::stable_sort(
      reasons.begin(), reasons.end(),
      [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [count, reason] : reasons) {
    std::printf("  skipped %d: %s\n", count, reason.c_str());
  }
  std::fflush(stdout);
}

// --- floors ------------------------------------------------------------------

// "file passed_floor" per line; '#' starts a comment.
absl::StatusOr<std::map<std::string, int>> ReadFloors(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::map<std::string, int> floors;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view content = line;
    if (size_t hash = content.find('#'); hash != absl::string_view::npos) {
      content = content.substr(0, hash);
    }
    std::vector<absl::string_view> words =
        absl::StrSplit(content, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    int floor = 0;
    if (words.size() != 2 || !absl::SimpleAtoi(words[1], &floor) || floor < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number,
                       ": expected `file passed_floor`, got `", line, "`"));
    }
    if (!floors.emplace(std::string(words[0]), floor).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", number, ": ", words[0], " listed twice"));
    }
  }
  return floors;
}

// --- main --------------------------------------------------------------------

int Usage(absl::string_view problem) {
  std::fprintf(stderr,
               "cel_conformance: %.*s\n"
               "usage: cel_conformance [--verbose] [--floors FILE] "
               "[--shared DIR] [--no-file-skips] [FILE...]\n",
               static_cast<int>(problem.size()), problem.data());
  return kExitUnreadable;
}

int Main(int argc, char** argv) {
  RunOptions options;
  std::string floors_path;
  std::string shared = MOTIVE_SHARED_DIR;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--verbose" || arg == "-v") {
      options.verbose = true;
    } else if (arg == "--no-file-skips") {
      options.file_skips = false;
    } else if (arg == "--floors" || arg == "--shared") {
      if (i + 1 == argc) return Usage(absl::StrCat(arg, " needs a value"));
      (arg == "--floors" ? floors_path : shared) = argv[++i];
    } else if (absl::StartsWith(arg, "-") && arg != "-") {
      return Usage(absl::StrCat("unknown option ", arg));
    } else {
      paths.emplace_back(arg);
    }
  }

  std::map<std::string, int> floors;
  if (!floors_path.empty()) {
    absl::StatusOr<std::map<std::string, int>> read = ReadFloors(floors_path);
    if (!read.ok()) {
      std::fprintf(stderr, "cel_conformance: %s\n",
                   std::string(read.status().message()).c_str());
      return kExitUnreadable;
    }
    floors = *std::move(read);
  }

  if (paths.empty()) {
    std::filesystem::path folder = std::filesystem::path(shared) / kTestdata;
    std::error_code error;
    if (!std::filesystem::is_directory(folder, error)) {
      std::printf("skipped: ../shared/conformance not found (%s)\n",
                  folder.string().c_str());
      return kExitSkipped;
    }
    for (const auto& entry :
         std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".textproto") {
        paths.push_back(entry.path().string());
      }
    }
    if (error) {
      std::fprintf(stderr, "cel_conformance: cannot list %s: %s\n",
                   folder.string().c_str(), error.message().c_str());
      return kExitUnreadable;
    }
    std::sort(paths.begin(), paths.end());
  }

  InstallCrashNote();
  int exit_code = 0;
  int passed = 0, failed = 0, skipped = 0;
  std::vector<std::string> below_floor;
  for (const std::string& path : paths) {
    FileReport report;
    if (!RunFile(path, options, report)) exit_code = kExitUnreadable;
    PrintReport(report);
    passed += report.passed;
    failed += report.failed;
    skipped += report.skipped;
    auto floor = floors.find(report.name);
    if (floor != floors.end() && report.passed < floor->second) {
      below_floor.push_back(absl::StrCat(report.name, " passed ", report.passed,
                                         ", below its floor ", floor->second));
    }
  }
  for (const std::string& line : below_floor) {
    std::printf("below floor: %s\n", line.c_str());
  }
  if (!below_floor.empty() && exit_code == 0) exit_code = kExitFloors;
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  return exit_code;
}

}  // namespace
}  // namespace motive::conformance

int main(int argc, char** argv) {
  return motive::conformance::Main(argc, argv);
}
