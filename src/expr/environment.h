// Environment: what expressions are compiled against. The variables they
// may use, with their types, and the functions they may call (the standard
// library and the chosen extensions), plus the limits that bound them.
//
// Build it once, then compile any number of Programs against it; it must
// outlive them. Not thread-safe while being built; read-only and shareable
// afterwards.

#ifndef MOTIVE_EXPR_ENVIRONMENT_H_
#define MOTIVE_EXPR_ENVIRONMENT_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "expr/functions.h"
#include "expr/type.h"

namespace motive::expr {

struct EnvironmentOptions {
  bool string_extensions = true;
  bool math_extensions = true;
  // optional.of(x), x.?field, orValue... (std_optionals.cc).
  bool optionals = true;
  Limits limits;
};

struct VariableDecl {
  std::string name;  // fully qualified: "customer", "a.b.c"
  Type type;
  int slot = 0;  // index in an Activation
};

class Environment {
 public:
  explicit Environment(const EnvironmentOptions& options = {});

  // Declares a variable. Its slot is the number of variables declared
  // before it. InvalidArgument for an empty or repeated name.
  absl::Status DeclareVariable(absl::string_view name, Type type);

  // The declaration of `name` (fully qualified), or null.
  const VariableDecl* FindVariable(absl::string_view name) const;

  // The fully qualified names that `name` may stand for under CEL's
  // resolution rules, innermost first: with container "a.b", x stands for
  // a.b.x, a.x, x; a leading dot (".x") means the root namespace only.
  // The checker and the planner both resolve variables and function names
  // through it, so they never disagree.
  std::vector<std::string> ResolutionCandidates(absl::string_view name) const;

  // The first candidate of `name` that is a declared variable, or null.
  const VariableDecl* ResolveVariable(absl::string_view name) const;
  const std::vector<VariableDecl>& variables() const { return variables_; }

  // CEL's container: the namespace that names resolve in. With container
  // "a.b", the name x is looked up as a.b.x, then a.x, then x.
  void set_container(absl::string_view container) {
    container_ = std::string(container);
  }
  const std::string& container() const { return container_; }

  FunctionRegistry& functions() { return functions_; }
  const FunctionRegistry& functions() const { return functions_; }
  const Limits& limits() const { return limits_; }

 private:
  std::vector<VariableDecl> variables_;
  absl::flat_hash_map<std::string, int> slots_;
  std::string container_;
  FunctionRegistry functions_;
  Limits limits_;
};

// The values of an Environment's variables for one evaluation, by slot.
// Unbound variables evaluate to an error. Not thread-safe; one per thread.
class Activation {
 public:
  explicit Activation(const Environment& env);

  void Bind(int slot, Value value) { values_[slot] = value; }
  // NotFound when `name` is not declared.
  absl::Status Bind(absl::string_view name, Value value);

  Value Get(int slot) const { return values_[slot]; }

 private:
  const Environment& env_;
  std::vector<Value> values_;
};

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_ENVIRONMENT_H_
