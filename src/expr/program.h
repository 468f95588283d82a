// Program: a compiled expression, ready to evaluate many times.
//
// Compile parses, checks (unless told not to) and plans the expression into
// a tree of evaluation steps with identifiers turned into activation slots,
// overloads resolved where the types allow, and constant sub-expressions
// folded (a literal list on the right of `in` becomes a hash set). Evaluating
// a scalar expression over bound variables allocates nothing.
//
// Thread-safe: one Program may be evaluated by many threads at once, each
// with its own Activation and Arena.

#ifndef MOTIVE_EXPR_PROGRAM_H_
#define MOTIVE_EXPR_PROGRAM_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "expr/checker.h"
#include "expr/environment.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {

struct CompileOptions {
  // Type-check against the environment. Without it, names resolve at
  // compile time against the declared variables and calls dispatch on the
  // values at run time (what CEL's conformance tests call disable_check).
  bool check = true;
  bool macros = true;
};

class Program {
 public:
  // Errors: parse errors and check errors (InvalidArgument), with positions.
  static absl::StatusOr<std::unique_ptr<Program>> Compile(
      absl::string_view source, const Environment& env,
      const CompileOptions& options = {});

  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  // The value of the expression for `activation`: possibly an error value
  // (division by zero, no such key, an unbound variable, a limit reached).
  // What the result points to lives in `arena`, the program's constants or
  // the activation's bound data.
  Value Evaluate(const Activation& activation, Arena* arena) const;

  // The checked result type; dyn when compiled without checking.
  const Type& result_type() const;

  // What the program reads of one declared variable.
  struct VariableRead {
    std::string name;
    // Read as a whole: passed to a function, compared, indexed, iterated.
    // Otherwise only `fields` are read, each selected by name
    // (customer.strikes, has(customer.csat)).
    bool whole = false;
    std::vector<std::string> fields;  // sorted, distinct
  };
  // The variables the program reads, by slot: a caller that binds large
  // maps (the context, state/context_variables.h) may bind only these
  // fields, since any other evaluates no differently.
  absl::Span<const VariableRead> reads() const;

  class Step;  // the evaluation tree (program.cc)

 private:
  Program();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Evaluates `expression` once, for trying rules out (mot_expr_eval, motive
// expr): each variable is declared dyn and valued by its own CEL expression
// (a literal such as 3, 'gold' or ['a', 'b']). Returns the result written as
// a CEL literal. Errors: parse and check errors of the expression or of a
// value (named), and InvalidArgument "evaluation error: ..." when the value
// is an error.
absl::StatusOr<std::string> EvaluateOnce(
    absl::string_view expression,
    absl::Span<const std::pair<std::string, std::string>> variables);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_PROGRAM_H_
