// What the standard library's tests share: assertions on values (each says
// what the value was when it is not what was expected), and calling an
// overload as the evaluator would.

#ifndef MOTIVE_TESTS_EXPR_STDLIB_TEST_SUPPORT_H_
#define MOTIVE_TESTS_EXPR_STDLIB_TEST_SUPPORT_H_

#include <cmath>
#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "expr/functions.h"
#include "expr/value.h"
#include "gtest/gtest.h"

namespace motive::expr {

using ::testing::AssertionFailure;
using ::testing::AssertionResult;
using ::testing::AssertionSuccess;

// A string, bytes or type value (their content is text()).
inline AssertionResult HoldsText(const Value& v, ValueKind kind,
                                 absl::string_view expected) {
  if (v.kind() == kind && v.text() == expected) return AssertionSuccess();
  return AssertionFailure() << DebugString(v) << " is not the "
                            << KindName(kind) << " \"" << expected << "\"";
}

inline AssertionResult HoldsString(const Value& v, absl::string_view expected) {
  return HoldsText(v, ValueKind::kString, expected);
}

inline AssertionResult HoldsInt(const Value& v, int64_t expected) {
  if (v.kind() == ValueKind::kInt && v.int_value() == expected) {
    return AssertionSuccess();
  }
  return AssertionFailure() << DebugString(v) << " is not " << expected;
}

inline AssertionResult HoldsUint(const Value& v, uint64_t expected) {
  if (v.kind() == ValueKind::kUint && v.uint_value() == expected) {
    return AssertionSuccess();
  }
  return AssertionFailure() << DebugString(v) << " is not " << expected << "u";
}

inline AssertionResult HoldsDouble(const Value& v, double expected) {
  if (v.kind() == ValueKind::kDouble &&
      ((std::isnan(expected) && std::isnan(v.double_value())) ||
       (v.double_value() == expected &&
        std::signbit(v.double_value()) == std::signbit(expected)))) {
    return AssertionSuccess();
  }
  return AssertionFailure() << DebugString(v) << " is not " << expected;
}

inline AssertionResult HoldsBool(const Value& v, bool expected) {
  if (v.kind() == ValueKind::kBool && v.bool_value() == expected) {
    return AssertionSuccess();
  }
  return AssertionFailure() << DebugString(v) << " is not " << expected;
}

inline AssertionResult HoldsError(const Value& v, absl::string_view message) {
  if (v.is_error() && v.text().find(message) != absl::string_view::npos) {
    return AssertionSuccess();
  }
  return AssertionFailure()
         << DebugString(v) << " is not an error with \"" << message << "\"";
}

// Calls `function` as the evaluator does: the first overload of the given
// style that accepts `args`, or the no-matching-overload error.
inline Value CallFunction(const FunctionRegistry& registry,
                          absl::string_view function,
                          absl::Span<const Value> args, bool receiver,
                          EvalContext& context) {
  std::vector<const Overload*> candidates;
  if (const std::vector<Overload>* overloads = registry.Find(function)) {
    for (const Overload& overload : *overloads) {
      if (overload.receiver_style == receiver) candidates.push_back(&overload);
    }
  }
  const Overload* overload = FunctionRegistry::Match(candidates, args);
  if (overload == nullptr) return NoMatchingOverload(function, args, context);
  return overload->impl(args, context);
}

// The overload of `function` with the given id, or null.
inline const Overload* FindOverloadById(const FunctionRegistry& registry,
                                        absl::string_view function,
                                        absl::string_view id) {
  const std::vector<Overload>* overloads = registry.Find(function);
  if (overloads == nullptr) return nullptr;
  for (const Overload& overload : *overloads) {
    if (overload.id == id) return &overload;
  }
  return nullptr;
}

}  // namespace motive::expr

#endif  // MOTIVE_TESTS_EXPR_STDLIB_TEST_SUPPORT_H_
