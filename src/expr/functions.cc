#include "expr/functions.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace motive::expr {

bool Accepts(const Type& param, const Value& value) {
  switch (param.kind()) {
    case Type::Kind::kDyn:
    case Type::Kind::kTypeParam:
      return true;
    default:
      return param.value_kind() == value.kind();
  }
}

absl::Status FunctionRegistry::Add(absl::string_view name, Overload overload) {
  // Ids are unique across the whole library, as in CEL, so that a checked
  // expression can name its overload by id alone.
  for (const auto& [function, overloads] : functions_) {
    for (const Overload& existing : overloads) {
      if (existing.id == overload.id) {
        return absl::InvalidArgumentError(
            absl::StrCat("overload id '", overload.id, "' of '", name,
                         "' is already used by '", function, "'"));
      }
    }
  }
  std::vector<Overload>& overloads = functions_[name];
  for (const Overload& existing : overloads) {
    if (existing.receiver_style == overload.receiver_style &&
        existing.params == overload.params) {
      return absl::InvalidArgumentError(
          absl::StrCat("overloads '", existing.id, "' and '", overload.id,
                       "' of '", name, "' have the same signature"));
    }
  }
  overloads.push_back(std::move(overload));
  return absl::OkStatus();
}

const std::vector<Overload>* FunctionRegistry::Find(
    absl::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

const Overload* FunctionRegistry::Match(
    absl::Span<const Overload* const> candidates,
    absl::Span<const Value> args) {
  for (const Overload* overload : candidates) {
    if (overload->params.size() != args.size()) continue;
    bool accepted = true;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!Accepts(overload->params[i], args[i])) {
        accepted = false;
        break;
      }
    }
    if (accepted) return overload;
  }
  return nullptr;
}

Value NoMatchingOverload(absl::string_view function,
                         absl::Span<const Value> args, EvalContext& context) {
  std::string message =
      absl::StrCat(kNoMatchingOverload, " for '", function, "' applied to (");
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) message.append(", ");
    absl::StrAppend(&message, KindName(args[i].kind()));
  }
  message.push_back(')');
  return Value::ErrorIn(context.arena(), message);
}

bool EvalContext::ChargeArray(size_t n, size_t size) {
  if (n > (limits_.max_evaluation_bytes - allocated_) / size) {
    if (refused_ == 0) {
      refused_ = n > SIZE_MAX / size ? SIZE_MAX : std::max<size_t>(n * size, 1);
    }
    return false;
  }
  allocated_ += n * size;
  return true;
}

Value EvalContext::CopyString(absl::string_view text) {
  char* data = Allocate<char>(text.size());
  if (data == nullptr) return TooLarge();
  if (!text.empty()) std::memcpy(data, text.data(), text.size());
  return Value::String(absl::string_view(data, text.size()));
}

Value EvalContext::TooLarge() {
  if (refused_ == 0) {
    return Value::ErrorIn(arena_,
                          absl::StrCat(kResultTooLarge, " (max_result_bytes: ",
                                       limits_.max_result_bytes, ")"));
  }
  return Value::ErrorIn(
      arena_, absl::StrCat(kEvaluationTooLarge, " (max_evaluation_bytes: ",
                           limits_.max_evaluation_bytes, "): ", allocated_,
                           " bytes built, ", refused_, " more asked for"));
}

bool IsTooLarge(const Value& value) {
  return value.is_error() &&
         (absl::StartsWith(value.text(), kResultTooLarge) ||
          absl::StartsWith(value.text(), kEvaluationTooLarge));
}

namespace {

void AddBuiltinOverload(FunctionRegistry& registry, absl::string_view name,
                        Overload overload) {
  const std::string id = overload.id;
  absl::Status status = registry.Add(name, std::move(overload));
  if (!status.ok()) {
    std::fprintf(stderr, "motive: cannot register %s (%s): %s\n",
                 std::string(name).c_str(), id.c_str(),
                 std::string(status.message()).c_str());
    std::abort();
  }
}

}  // namespace

void AddBuiltin(FunctionRegistry& registry, absl::string_view name,
                std::string id, std::vector<Type> params, Type result,
                FunctionImpl impl) {
  AddBuiltinOverload(
      registry, name,
      {std::move(id), false, std::move(params), std::move(result), impl});
}

void AddBuiltinMethod(FunctionRegistry& registry, absl::string_view name,
                      std::string id, std::vector<Type> params, Type result,
                      FunctionImpl impl) {
  AddBuiltinOverload(
      registry, name,
      {std::move(id), true, std::move(params), std::move(result), impl});
}

}  // namespace motive::expr
