#include "expr/environment.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace motive::expr {

Environment::Environment(const EnvironmentOptions& options)
    : limits_(options.limits) {
  AddOperators(functions_);
  AddConversions(functions_);
  AddStringFunctions(functions_);
  AddTimeFunctions(functions_);
  if (options.string_extensions) AddStringExtensions(functions_);
  if (options.math_extensions) AddMathExtensions(functions_);
  if (options.optionals) AddOptionals(functions_);
}

absl::Status Environment::DeclareVariable(absl::string_view name, Type type) {
  if (name.empty()) {
    return absl::InvalidArgumentError("a variable needs a name");
  }
  auto [it, added] =
      slots_.emplace(std::string(name), static_cast<int>(variables_.size()));
  if (!added) {
    return absl::InvalidArgumentError(
        absl::StrCat("variable '", name, "' is declared twice"));
  }
  variables_.push_back({std::string(name), std::move(type), it->second});
  return absl::OkStatus();
}

const VariableDecl* Environment::FindVariable(absl::string_view name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? nullptr : &variables_[it->second];
}

std::vector<std::string> Environment::ResolutionCandidates(
    absl::string_view name) const {
  if (absl::ConsumePrefix(&name, ".")) return {std::string(name)};
  std::vector<std::string> candidates;
  absl::string_view scope = container_;
  while (!scope.empty()) {
    candidates.push_back(absl::StrCat(scope, ".", name));
    size_t dot = scope.rfind('.');
    scope = dot == absl::string_view::npos ? absl::string_view()
                                           : scope.substr(0, dot);
  }
  candidates.emplace_back(name);
  return candidates;
}

const VariableDecl* Environment::ResolveVariable(absl::string_view name) const {
  for (const std::string& candidate : ResolutionCandidates(name)) {
    if (const VariableDecl* variable = FindVariable(candidate)) return variable;
  }
  return nullptr;
}

Activation::Activation(const Environment& env) : env_(env) {
  values_.assign(env.variables().size(),
                 Value::Error("no value bound for a declared variable"));
}

absl::Status Activation::Bind(absl::string_view name, Value value) {
  const VariableDecl* variable = env_.FindVariable(name);
  if (variable == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no variable '", name, "' is declared"));
  }
  values_[variable->slot] = value;
  return absl::OkStatus();
}

}  // namespace motive::expr
