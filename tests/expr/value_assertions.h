// Assertions on expression values shared by the standard library's tests:
// each says what the value was when it is not what was expected.

#ifndef MOTIVE_TESTS_EXPR_VALUE_ASSERTIONS_H_
#define MOTIVE_TESTS_EXPR_VALUE_ASSERTIONS_H_

#include <cmath>
#include <cstdint>

#include "absl/strings/string_view.h"
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

}  // namespace motive::expr

#endif  // MOTIVE_TESTS_EXPR_VALUE_ASSERTIONS_H_
