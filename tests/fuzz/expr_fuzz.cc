// The expression language (src/expr): parse, check, plan and evaluate any
// text against variables of every kind, valued from the input.
//
// Input: the expression, a newline, then the values: one byte of options
// (bit 0: skip the checker; bit 1: no macros), i (int64), u (uint64) and d
// (double) as little-endian bytes, then s and b (string and bytes) up to a
// newline each. t and du (timestamp, duration) and the list l and map m are
// made from those. Promises checked beyond not crashing: an evaluation gives
// the same value twice, and a value that is not an error has the kind of
// the checked type.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "expr/std_time.h"
#include "expr/type.h"
#include "expr/value.h"
#include "tests/fuzz/fuzz_support.h"

namespace motive::fuzz {
namespace {

using expr::Type;
using expr::Value;

const expr::Environment& Env() {
  static const expr::Environment* const env = [] {
    auto* env = new expr::Environment;
    const std::pair<absl::string_view, Type> kVariables[] = {
        {"i", Type::Int()},
        {"u", Type::Uint()},
        {"d", Type::Double()},
        {"s", Type::String()},
        {"b", Type::Bytes()},
        {"t", Type::Timestamp()},
        {"du", Type::Duration()},
        {"l", Type::List(Type::Dyn())},
        {"m", Type::Map(Type::String(), Type::Dyn())},
        {"x", Type::Dyn()},
    };
    for (const auto& [name, type] : kVariables) {
      MOTIVE_FUZZ_CHECK(env->DeclareVariable(name, type).ok(),
                        "cannot declare a variable");
    }
    return env;
  }();
  return *env;
}

// Binds every variable of Env() from `in`; what the values point to lives in
// `arena`.
void BindValues(FuzzInput& in, expr::Activation& activation,
                expr::Arena* arena) {
  const int64_t i = in.Integral<int64_t>();
  const uint64_t u = in.Integral<uint64_t>();
  const double d = in.Integral<double>();
  const Value s = expr::StringIn(arena, in.Until('\n'));
  const Value b = Value::Bytes(expr::StringIn(arena, in.Until('\n')).text());
  // Inside CEL's ranges, which values are only made in.
  const int64_t span = expr::kMaxTimestampSeconds - expr::kMinTimestampSeconds;
  const Value t = Value::Timestamp(absl::FromUnixSeconds(
      expr::kMinTimestampSeconds + static_cast<int64_t>(u % span)));
  const Value du =
      Value::Duration(absl::Seconds(i % expr::kMaxDurationSeconds));
  Value* list = expr::NewArray<Value>(arena, 4);
  list[0] = Value::Int(i);
  list[1] = Value::Double(d);
  list[2] = s;
  list[3] = Value::List(absl::MakeConstSpan(list, 3));
  auto* entries = expr::NewArray<expr::MapValue::Entry>(arena, 3);
  entries[0] = {Value::String("i"), Value::Int(i)};
  entries[1] = {Value::String("s"), s};
  entries[2] = {Value::String("l"), Value::List(absl::MakeConstSpan(list, 4))};
  const Value map =
      expr::MapValue::Make(arena, absl::MakeConstSpan(entries, 3));
  MOTIVE_FUZZ_CHECK(!map.is_error(), "cannot build the map");
  const Value values[] = {Value::Int(i),
                          Value::Uint(u),
                          Value::Double(d),
                          s,
                          b,
                          t,
                          du,
                          Value::List(absl::MakeConstSpan(list, 4)),
                          map,
                          in.Bool() ? s : Value::Int(i)};
  for (int slot = 0; slot < static_cast<int>(std::size(values)); ++slot) {
    activation.Bind(slot, values[slot]);
  }
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace expr = motive::expr;
  motive::fuzz::FuzzInput in(motive::fuzz::AsText(data, size));
  const absl::string_view source = in.Until('\n');
  const uint8_t options = in.Byte();
  expr::CompileOptions compile;
  compile.check = (options & 1) == 0;
  compile.macros = (options & 2) == 0;
  absl::StatusOr<std::unique_ptr<expr::Program>> program =
      expr::Program::Compile(source, motive::fuzz::Env(), compile);
  if (!program.ok()) return 0;

  expr::Arena arena;
  expr::Activation activation(motive::fuzz::Env());
  motive::fuzz::BindValues(in, activation, &arena);
  const expr::Value result = (*program)->Evaluate(activation, &arena);
  const std::string text = expr::DebugString(result);
  MOTIVE_FUZZ_CHECK(
      expr::DebugString((*program)->Evaluate(activation, &arena)) == text,
      "two evaluations differ");
  const expr::Type& type = (*program)->result_type();
  MOTIVE_FUZZ_CHECK(result.is_error() || !type.HasValueKind() ||
                        result.kind() == type.value_kind(),
                    "the value's kind is not the checked type's");
  return 0;
}
