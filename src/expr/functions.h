// Functions and operators: their overloads, the registry the checker and
// the evaluator consult, and the context an implementation runs in.
//
// An overload has a signature (parameter and result types, with type
// parameters for generic ones such as size(list(A)) -> int) and an
// implementation. Overloads are strict: the evaluator never passes an error
// argument; it returns the first error instead of calling. The logic
// operators (&&, ||, ?:), which are not strict, are the evaluator's own and
// live in no registry.
//
// The standard library is added by the std_*.cc files, one area each:
//   std_operators.cc    arithmetic (checked), comparison, equality, in,
//                       index, size, !_, -_
//   std_conversions.cc  int() uint() double() string() bytes() bool() dyn()
//                       type()
//   std_strings.cc      contains, startsWith, endsWith, matches (RE2), and
//                       the strings extension (lowerAscii, split, ...)
//   std_time.cc         timestamp(), duration(), accessors with time zones,
//                       timestamp and duration arithmetic and comparison
//   std_math.cc         the math extension (math.greatest, math.least, ...)
//   std_optionals.cc    optional values (optional.of, orValue, a.?b, ...)

#ifndef MOTIVE_EXPR_FUNCTIONS_H_
#define MOTIVE_EXPR_FUNCTIONS_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "expr/type.h"
#include "expr/value.h"

namespace motive::expr {

// Bounds that keep a hostile expression from hanging or exhausting the host.
// The first two are checked when an expression is compiled, the others while
// it runs, where reaching one makes the evaluation's value an error.
struct Limits {
  size_t max_source_bytes = 64 * 1024;
  // Nesting of the source (parentheses, calls, lists...): the parser's
  // recursion depth.
  int max_nesting_depth = 100;
  // Comprehension iterations in one evaluation, all loops together.
  uint64_t max_iterations = 100000;
  // Size of a string, bytes or list that an evaluation builds.
  size_t max_result_bytes = 1 << 20;
  // Bytes of every string, bytes, list and map that one evaluation builds,
  // together, kept or dropped. Each result within max_result_bytes is not
  // enough: `xs.map(x, s + s)` builds len(xs) of them.
  size_t max_evaluation_bytes = 4 << 20;
};

// What a function implementation may use while it runs. One per evaluation;
// not thread-safe.
class EvalContext {
 public:
  EvalContext(Arena* arena, const Limits& limits)
      : arena_(arena), limits_(limits) {}

  // For what is not charged to the budget: error messages, and what
  // Allocate or Charge already paid for.
  Arena* arena() const { return arena_; }
  const Limits& limits() const { return limits_; }

  // Room for `n` T (char, Value, MapValue::Entry) in the arena, charged to
  // the evaluation's budget (Limits::max_evaluation_bytes). Null when they
  // do not fit; the evaluation is then over budget.
  template <typename T>
  T* Allocate(size_t n) {
    return ChargeArray(n, sizeof(T)) ? NewArray<T>(arena_, n) : nullptr;
  }
  // Charges `bytes` allocated some other way (MapValue::Make's index);
  // false, charging nothing, when they do not fit.
  bool Charge(size_t bytes) { return ChargeArray(bytes, 1); }

  // A copy of `text` in the arena, charged, or TooLarge().
  Value CopyString(absl::string_view text);

  // The error for a result that did not fit: the evaluation's budget when
  // an allocation was refused, else max_result_bytes. Names the limit, its
  // value and, for the budget, what was asked.
  Value TooLarge();

  // Counts one comprehension iteration; false once past the limit.
  bool CountIteration() { return ++iterations_ <= limits_.max_iterations; }

  // Whether `n` more iterations fit within the limit, without counting them.
  bool HasIterations(uint64_t n) const {
    return n <= limits_.max_iterations -
                    std::min(iterations_, limits_.max_iterations);
  }
  // Counts `n` iterations already made (after HasIterations said they fit).
  void CountIterations(uint64_t n) { iterations_ += n; }

 private:
  // Charges `n` objects of `size` bytes, or records the refusal.
  bool ChargeArray(size_t n, size_t size);

  Arena* arena_;
  const Limits& limits_;
  uint64_t iterations_ = 0;
  // Bytes charged; never more than limits_.max_evaluation_bytes.
  size_t allocated_ = 0;
  // What the first refused allocation asked for; 0 while none was.
  size_t refused_ = 0;
};

// Whether `value` is an error that EvalContext::TooLarge made.
bool IsTooLarge(const Value& value);

// `args` holds the receiver first for receiver-style calls. Returns an error
// Value for errors; never throws.
using FunctionImpl = Value (*)(absl::Span<const Value> args,
                               EvalContext& context);

struct Overload {
  // CEL's standard overload id where there is one ("add_int64"), else
  // "<function>_<param kinds>".
  std::string id;
  // target.f(args) rather than f(args).
  bool receiver_style = false;
  // Receiver first.
  std::vector<Type> params;
  Type result;
  FunctionImpl impl = nullptr;
};

// Does a runtime value fit a parameter type? dyn and type parameters accept
// anything; list(T) accepts any list (elements are not inspected), and so on.
bool Accepts(const Type& param, const Value& value);

// Not thread-safe while being filled; read-only and shareable afterwards.
class FunctionRegistry {
 public:
  // Adds an overload of `name`. InvalidArgument if an overload with the same
  // id, or the same style and parameter types, is already there.
  absl::Status Add(absl::string_view name, Overload overload);

  // Every overload of `name`, or null when nothing is called that.
  const std::vector<Overload>* Find(absl::string_view name) const;

  // The first of `candidates` whose parameters accept `args`, or null.
  static const Overload* Match(absl::Span<const Overload* const> candidates,
                               absl::Span<const Value> args);

 private:
  absl::flat_hash_map<std::string, std::vector<Overload>> functions_;
};

// For the standard library (std_*.cc): adds one of motive's own overloads.
// A clash there is a bug in motive that any test run shows at once, so it
// aborts with the reason instead of returning a status.
void AddBuiltin(FunctionRegistry& registry, absl::string_view name,
                std::string id, std::vector<Type> params, Type result,
                FunctionImpl impl);
// The same, receiver-style: target.name(args), the target first in params.
void AddBuiltinMethod(FunctionRegistry& registry, absl::string_view name,
                      std::string id, std::vector<Type> params, Type result,
                      FunctionImpl impl);

// The standard library, by area (see the file comment).
void AddOperators(FunctionRegistry& registry);
void AddConversions(FunctionRegistry& registry);
void AddStringFunctions(FunctionRegistry& registry);
void AddStringExtensions(FunctionRegistry& registry);
void AddTimeFunctions(FunctionRegistry& registry);
void AddMathExtensions(FunctionRegistry& registry);
void AddOptionals(FunctionRegistry& registry);

// A typed error value for a call no overload accepts: "no matching overload
// for 'f' applied to (int, string)".
Value NoMatchingOverload(absl::string_view function,
                         absl::Span<const Value> args, EvalContext& context);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_FUNCTIONS_H_
