// Check: types a ParsedExpr against an Environment before it ever runs.
//
// An identifier nobody declared, a function nobody defined, or arguments no
// overload accepts is an error here, with the position in the source, so
// that a rule is refused when it is loaded rather than failing when a
// customer calls. Types only known at run time (dyn) pass, and the evaluator
// dispatches on the values.
//
// Names resolve as CEL says: a qualified name a.b.c is the longest declared
// variable prefix (then field selections), looked up in the environment's
// container from the innermost namespace out; a leading dot (.x) means the
// root namespace.

#ifndef MOTIVE_EXPR_CHECKER_H_
#define MOTIVE_EXPR_CHECKER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "expr/ast.h"
#include "expr/environment.h"
#include "expr/type.h"

namespace motive::expr {

// What a node refers to.
struct Reference {
  // An identifier, or a selection chain that names a qualified variable.
  const VariableDecl* variable = nullptr;
  // A call: the overloads that may apply, in registry order. One when the
  // argument types pick it; several when some are dyn. Empty for the logic
  // operators (&&, ||, ?:, @not_strictly_false), which are in no registry,
  // and for == and != between types that no overload's signature takes
  // (1 == 1u), which CEL's heterogeneous equality allows all the same.
  std::vector<const Overload*> overloads;
  // A call (always set): the function's name in the registry, which may
  // differ from the name written: qualified by the container (encode() in
  // container "base64" is "base64.encode"), or a namespaced function (see
  // below).
  // An identifier or selection chain naming a type (int, list,
  // google.protobuf.Timestamp): the type's CEL name; its value is that type.
  std::string name;
  // A call written receiver-style whose target is a namespace, not a value:
  // math.greatest(1, 2) is the global function "math.greatest" applied to
  // (1, 2); the target is not an argument and is not checked.
  bool namespaced = false;
};

struct CheckedExpr {
  ParsedExpr parsed;
  // Every node's type, by id; except the nodes inside a qualified name,
  // which are part of the name rather than values: the `a` and `a.b` of a
  // variable a.b.c, and the target of a namespaced call.
  absl::flat_hash_map<int64_t, Type> types;
  // Identifiers, variable-naming selections and calls, by id. Comprehension
  // variables (the x of all(x, ...), and __result__) have none: an
  // identifier without a reference names the innermost one.
  absl::flat_hash_map<int64_t, Reference> references;

  const Type& result_type() const { return types.at(parsed.root->id); }
};

// Errors: InvalidArgument whose message lists the problems as
// "line L, column C: ...", one a line, in source order: the first five,
// then "(and N more errors)". Positions are where the offending node starts
// (Expr::offset). Thread-safe: `env` is only read.
absl::StatusOr<CheckedExpr> Check(ParsedExpr parsed, const Environment& env);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_CHECKER_H_
