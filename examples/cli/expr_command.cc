// motive expr: evaluates a rule expression from the shell, for trying rules
// out before they go into a ruleset.

#include <string>
#include <vector>

#include "command_line.h"
#include "commands.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {

int RunExpr(int argc, char** argv) {
  constexpr std::string_view kCommand = "expr";
  std::vector<std::string> vars;
  std::vector<std::string> expression;
  CommandLine cl(
      kCommand, "[--var NAME=VALUE]... EXPRESSION",
      "Evaluates EXPRESSION, written in motive's rule language (a subset of "
      "Google's Common Expression Language), and prints the result as a CEL "
      "literal. Each --var binds a variable to a value written in CEL: 3, "
      "2.5, 'gold', ['a', 'b'], {'plan': 'pro'}, "
      "timestamp('2025-01-01T00:00:00Z').\n\n"
      "Example: motive expr --var tags=\"['vip', 'new']\" --var spend=250.0 "
      "\"spend > 100.0 && tags.exists(t, t == 'vip')\"\n\n"
      "Exit status: 0 with the result, 1 when the expression refers to "
      "something unknown or fails to evaluate (division by zero, no such "
      "key), 2 for a usage or syntax error.");
  cl.Add({.name = "var",
          .value_name = "NAME=VALUE",
          .help = "bind variable NAME to VALUE, a CEL expression (repeatable)"},
         &vars);
  bool json = false;
  AddJsonFlag(cl, "the expression and its result (a CEL literal)", &json);
  cl.Positionals("EXPRESSION", 1, 1, &expression);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;

  std::vector<std::string> names;
  std::vector<std::string> values;
  for (const std::string& var : vars) {
    size_t equals = var.find('=');
    if (equals == std::string::npos || equals == 0) {
      return cl.UsageError(
          fmt::format("--var expects NAME=VALUE, got '{}'", var));
    }
    names.push_back(var.substr(0, equals));
    values.push_back(var.substr(equals + 1));
  }
  std::vector<const char*> name_ptrs, value_ptrs;
  for (size_t i = 0; i < names.size(); ++i) {
    name_ptrs.push_back(names[i].c_str());
    value_ptrs.push_back(values[i].c_str());
  }

  OwnedBuf result;
  int rc = mot_expr_eval(result.get(), expression[0].c_str(), name_ptrs.data(),
                         value_ptrs.data(), names.size());
  if (rc == MOT_OK && json) {
    fmt::print("{{\"expression\":{},\"result\":{}}}\n",
               JsonQuote(expression[0]), JsonQuote(result.view()));
    return kExitOk;
  }
  if (rc == MOT_OK) {
    fmt::print("{}\n", result.view());
    return kExitOk;
  }
  fmt::print(stderr, "motive {}: {}\n", kCommand, mot_error_last());
  // kExitRejected: the expression was read, and refused or failed.
  return rc == MOT_EPARSE ? kExitUsage : kExitRejected;
}

}  // namespace motive::cli
