// Conversions between the CEL conformance suite's values and types
// (cel.expr.Value, cel.expr.Type) and src/expr's, and the strict comparison
// the suite's result matchers call for.
//
// What src/expr does not model (messages, enums, wrappers, abstract types)
// is reported as absl::UnimplementedError whose message is the reason the
// test is skipped; any other error means the test data itself is malformed.
//
// Stateless functions; thread-safe.

#ifndef MOTIVE_TESTS_CONFORMANCE_CONFORMANCE_VALUES_H_
#define MOTIVE_TESTS_CONFORMANCE_CONFORMANCE_VALUES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cel/expr/checked.pb.h"
#include "cel/expr/value.pb.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::conformance {

// Skip reasons, counted by the runner: keep them few and stable.
inline constexpr absl::string_view kNeedsMessages = "needs protobuf messages";

// True for a status that means "skip the test" (its message is the reason).
inline bool IsSkip(const absl::Status& status) {
  return absl::IsUnimplemented(status);
}

// A declared type. dyn when nothing is set, as protobuf's defaults imply.
// google.protobuf.Timestamp and Duration, named as messages or as well-known
// types, are src/expr's timestamp and duration.
absl::StatusOr<expr::Type> TypeFromProto(const cel::expr::Type& type);

// A value to bind, built in `arena` (strings, lists and maps are copied
// there, so the result does not refer to `value`).
absl::StatusOr<expr::Value> ValueFromProto(const cel::expr::Value& value,
                                           expr::Arena* arena);

// An evaluation result in the suite's form; timestamps and durations become
// google.protobuf.Timestamp/Duration in object_value, as the suite writes
// them. InvalidArgument for an error value, which has no such form.
absl::StatusOr<cel::expr::Value> ValueToProto(const expr::Value& value);

// The suite's `value` matcher: same kind and value; lists in order, maps as
// unordered sets of entries; NaN matches NaN; 0.0 matches -0.0.
bool ValuesMatch(const cel::expr::Value& expected,
                 const cel::expr::Value& actual);

// Compact, CEL-like text for reports: 1, 2u, 3.5, "s", b"\x01", [1, 2],
// {"a": 1}, int (a type), timestamp("..."), duration("1.5s").
std::string FormatValue(const cel::expr::Value& value);

}  // namespace motive::conformance

#endif  // MOTIVE_TESTS_CONFORMANCE_CONFORMANCE_VALUES_H_
