#include "expr/program.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/errors.h"
#include "expr/parser.h"

namespace motive::expr {

// A list that a comprehension builds by appending (map, filter): the arena
// buffer behind its accumulator, so that appending is amortised O(1) rather
// than a copy of the whole list per element.
struct AppendBuffer {
  Value* data = nullptr;
  size_t capacity = 0;
};

// The state of one evaluation: where variables, comprehension variables and
// append buffers live.
struct Frame {
  const Activation& activation;
  EvalContext& context;
  Value* locals;
  AppendBuffer* buffers;
};

// One node of the evaluation tree. Steps are immutable after planning, so a
// Program can be evaluated by many threads at once.
class Program::Step {
 public:
  virtual ~Step() = default;
  virtual Value Eval(Frame& frame) const = 0;
  // The value of a step known when planning, or null.
  virtual const Value* constant() const { return nullptr; }
  // True when every input is a constant, so that the planner may replace
  // the step by its value. Comprehensions and variables never are.
  virtual bool Foldable() const { return false; }
};

namespace {

using Step = Program::Step;
using StepPtr = std::unique_ptr<Step>;

bool AllConstant(const std::vector<StepPtr>& steps) {
  for (const StepPtr& step : steps) {
    if (step->constant() == nullptr) return false;
  }
  return true;
}

// The error for a comprehension past Limits::max_iterations.
Value IterationLimit(EvalContext& context) {
  return Value::ErrorIn(
      context.arena(),
      absl::StrCat("comprehension iteration limit reached (max_iterations: ",
                   context.limits().max_iterations, ")"));
}
constexpr absl::string_view kNotBool = "no matching overload: expected a bool";

// --- Leaves
// -------------------------------------------------------------------

class ConstStep final : public Step {
 public:
  explicit ConstStep(Value value) : value_(value) {}
  Value Eval(Frame&) const override { return value_; }
  const Value* constant() const override { return &value_; }

 private:
  Value value_;
};

class VariableStep final : public Step {
 public:
  explicit VariableStep(int slot) : slot_(slot) {}
  Value Eval(Frame& frame) const override {
    return frame.activation.Get(slot_);
  }
  int slot() const { return slot_; }

 private:
  int slot_;
};

class LocalStep final : public Step {
 public:
  explicit LocalStep(int index) : index_(index) {}
  Value Eval(Frame& frame) const override { return frame.locals[index_]; }
  int index() const { return index_; }

 private:
  int index_;
};

// --- Selection, calls
// ---------------------------------------------------------

// operand.field on a map (motive has no message types), or has(operand.field).
// On an optional: none stays none (has() is false), and a value gives the
// field as an optional, none when absent.
class SelectStep final : public Step {
 public:
  SelectStep(StepPtr operand, std::string field, bool test_only)
      : operand_(std::move(operand)),
        field_(std::move(field)),
        field_hash_(MapValue::StringKeyHash(field_)),
        missing_(absl::StrCat(kNoSuchKey, ": ", field_)),
        test_only_(test_only) {
    if (const auto* variable =
            dynamic_cast<const VariableStep*>(operand_.get())) {
      variable_slot_ = variable->slot();
    }
  }

  Value Eval(Frame& frame) const override {
    // Most selections read a field of a variable (customer.strikes): its
    // slot is read here, without a call through the operand step.
    Value operand = variable_slot_ >= 0 ? frame.activation.Get(variable_slot_)
                                        : operand_->Eval(frame);
    if (operand.is_error()) return operand;
    const bool optional = operand.kind() == ValueKind::kOptional;
    if (optional) {
      if (!operand.has_optional_value()) {
        return test_only_ ? Value::Bool(false) : operand;
      }
      operand = operand.optional_value();
    }
    if (operand.kind() != ValueKind::kMap) {
      return Value::Error(test_only_ ? "has() applies to map fields only"
                                     : "no such field: selection applies to "
                                       "maps only");
    }
    const Value* found = operand.map().FindString(field_, field_hash_);
    if (test_only_) return Value::Bool(found != nullptr);
    if (optional) {
      return found ? Value::OptionalOf(frame.context.arena(), *found)
                   : Value::OptionalNone();
    }
    return found ? *found : Value::Error(missing_);
  }
  bool Foldable() const override { return operand_->constant() != nullptr; }

 private:
  StepPtr operand_;
  int variable_slot_ = -1;  // the operand's slot when it is a variable
  std::string field_;
  size_t field_hash_;
  std::string missing_;
  bool test_only_;
};

// A strict call: errors among the arguments are returned, not passed on.
class CallStep final : public Step {
 public:
  CallStep(std::string function, std::vector<const Overload*> candidates,
           std::vector<StepPtr> args, bool must_match)
      : function_(std::move(function)),
        candidates_(std::move(candidates)),
        args_(std::move(args)),
        must_match_(must_match) {}

  Value Eval(Frame& frame) const override {
    // Most calls take one to three arguments: keep them on the stack.
    constexpr size_t kOnStack = 4;
    Value on_stack[kOnStack];
    std::vector<Value> on_heap;
    Value* values = on_stack;
    if (args_.size() > kOnStack) {
      on_heap.resize(args_.size());
      values = on_heap.data();
    }
    for (size_t i = 0; i < args_.size(); ++i) {
      values[i] = args_[i]->Eval(frame);
      if (values[i].is_error()) return values[i];
    }
    absl::Span<const Value> span(values, args_.size());
    const Overload* overload = must_match_
                                   ? FunctionRegistry::Match(candidates_, span)
                                   : candidates_.front();
    if (overload == nullptr) {
      return NoMatchingOverload(function_, span, frame.context);
    }
    return overload->impl(span, frame.context);
  }
  bool Foldable() const override { return AllConstant(args_); }

 private:
  std::string function_;
  std::vector<const Overload*> candidates_;
  std::vector<StepPtr> args_;
  // False when planning proved the first candidate accepts the arguments.
  bool must_match_;
};

// o.or(p) and o.orValue(v): the alternative is evaluated only when o is
// none, as cel-go does (optional.of(1).orValue(1 / 0) is 1).
class OptionalOrStep final : public Step {
 public:
  OptionalOrStep(StepPtr optional, StepPtr alternative, bool or_value)
      : optional_(std::move(optional)),
        alternative_(std::move(alternative)),
        or_value_(or_value) {}

  Value Eval(Frame& frame) const override {
    Value optional = optional_->Eval(frame);
    if (optional.is_error()) return optional;
    absl::string_view function = or_value_ ? kOptionalOrValue : kOptionalOr;
    if (optional.kind() != ValueKind::kOptional) {
      return NoMatchingOverload(function, {optional}, frame.context);
    }
    if (optional.has_optional_value()) {
      return or_value_ ? optional.optional_value() : optional;
    }
    Value alternative = alternative_->Eval(frame);
    if (!or_value_ && !alternative.is_error() &&
        alternative.kind() != ValueKind::kOptional) {
      return NoMatchingOverload(function, {optional, alternative},
                                frame.context);
    }
    return alternative;
  }
  bool Foldable() const override {
    return optional_->constant() != nullptr &&
           alternative_->constant() != nullptr;
  }

 private:
  StepPtr optional_;
  StepPtr alternative_;
  bool or_value_;
};

// `x in [constant strings]`: a hash lookup instead of a scan.
class InStringSetStep final : public Step {
 public:
  InStringSetStep(StepPtr needle, absl::flat_hash_set<absl::string_view> set)
      : needle_(std::move(needle)), set_(std::move(set)) {}

  Value Eval(Frame& frame) const override {
    Value needle = needle_->Eval(frame);
    if (needle.is_error()) return needle;
    // CEL equality: a value of another kind equals no string.
    return Value::Bool(needle.kind() == ValueKind::kString &&
                       set_.contains(needle.text()));
  }
  bool Foldable() const override { return needle_->constant() != nullptr; }

 private:
  StepPtr needle_;
  absl::flat_hash_set<absl::string_view> set_;
};

// A comparison whose operands the checker typed as the same primitive kind:
// compared inline, with no dispatch. Mixed kinds (1 < 2.0) keep the
// standard overloads, which know CEL's heterogeneous rules. The kind, the
// operator and whether the right side is a constant are template arguments,
// so that each instantiation is a handful of instructions.
enum class Comparison {
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual
};

template <Comparison kOp, typename T>
bool Compare(const T& a, const T& b) {
  if constexpr (kOp == Comparison::kEqual) return a == b;
  if constexpr (kOp == Comparison::kNotEqual) return !(a == b);
  if constexpr (kOp == Comparison::kLess) return a < b;
  if constexpr (kOp == Comparison::kLessEqual) return a <= b;
  if constexpr (kOp == Comparison::kGreater) return a > b;
  if constexpr (kOp == Comparison::kGreaterEqual) return a >= b;
}

template <ValueKind kKind, Comparison kOp>
bool CompareValues(const Value& a, const Value& b) {
  if constexpr (kKind == ValueKind::kBool) {
    return Compare<kOp>(a.bool_value(), b.bool_value());
  } else if constexpr (kKind == ValueKind::kInt) {
    return Compare<kOp>(a.int_value(), b.int_value());
  } else if constexpr (kKind == ValueKind::kUint) {
    return Compare<kOp>(a.uint_value(), b.uint_value());
  } else if constexpr (kKind == ValueKind::kDouble) {
    return Compare<kOp>(a.double_value(), b.double_value());
  } else {
    return Compare<kOp>(a.text(), b.text());
  }
}

// A test of one comprehension variable against a constant (t == 'vip'),
// which a quantifier can apply to each element directly.
class ElementTest {
 public:
  virtual ~ElementTest() = default;
  // The local the test reads, or -1 when it reads something else.
  virtual int element_local() const = 0;
  virtual Value Test(const Value& element) const = 0;
};

template <ValueKind kKind, Comparison kOp>
Value CompareChecked(const Value& a, const Value& b) {
  // Operands of the checked kind are the rule; anything else (an error, or a
  // binding of another kind) takes the slow path.
  if (a.kind() == kKind && b.kind() == kKind) [[likely]] {
    return Value::Bool(CompareValues<kKind, kOp>(a, b));
  }
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  return Value::Error(kNoMatchingOverload);
}

template <ValueKind kKind, Comparison kOp, bool kConstantRight>
class CompareStep final : public Step, public ElementTest {
 public:
  CompareStep(StepPtr left, StepPtr right, int left_local)
      : left_(std::move(left)),
        left_select_(dynamic_cast<const SelectStep*>(left_.get())),
        right_(std::move(right)),
        right_value_(kConstantRight ? *right_->constant() : Value()),
        left_local_(kConstantRight ? left_local : -1) {}

  Value Eval(Frame& frame) const override {
    // The common rule compares a field with a constant (customer.strikes
    // >= 2): SelectStep being final, its Eval is called directly.
    Value a = left_select_ != nullptr ? left_select_->Eval(frame)
                                      : left_->Eval(frame);
    Value b = kConstantRight ? right_value_ : right_->Eval(frame);
    return CompareChecked<kKind, kOp>(a, b);
  }
  int element_local() const override { return left_local_; }
  Value Test(const Value& element) const override {
    return CompareChecked<kKind, kOp>(element, right_value_);
  }
  bool Foldable() const override {
    return left_->constant() != nullptr && right_->constant() != nullptr;
  }

 private:
  StepPtr left_;
  const SelectStep* left_select_;  // left_, when it is a selection
  StepPtr right_;
  Value right_value_;
  int left_local_;
};

template <ValueKind kKind, Comparison kOp>
StepPtr MakeCompare(StepPtr left, StepPtr right) {
  const auto* local = dynamic_cast<const LocalStep*>(left.get());
  int left_local = local ? local->index() : -1;
  if (right->constant() != nullptr) {
    return std::make_unique<CompareStep<kKind, kOp, true>>(
        std::move(left), std::move(right), left_local);
  }
  return std::make_unique<CompareStep<kKind, kOp, false>>(
      std::move(left), std::move(right), left_local);
}

template <ValueKind kKind>
StepPtr MakeCompare(Comparison op, StepPtr left, StepPtr right) {
  switch (op) {
    case Comparison::kEqual:
      return MakeCompare<kKind, Comparison::kEqual>(std::move(left),
                                                    std::move(right));
    case Comparison::kNotEqual:
      return MakeCompare<kKind, Comparison::kNotEqual>(std::move(left),
                                                       std::move(right));
    case Comparison::kLess:
      return MakeCompare<kKind, Comparison::kLess>(std::move(left),
                                                   std::move(right));
    case Comparison::kLessEqual:
      return MakeCompare<kKind, Comparison::kLessEqual>(std::move(left),
                                                        std::move(right));
    case Comparison::kGreater:
      return MakeCompare<kKind, Comparison::kGreater>(std::move(left),
                                                      std::move(right));
    case Comparison::kGreaterEqual:
      return MakeCompare<kKind, Comparison::kGreaterEqual>(std::move(left),
                                                           std::move(right));
  }
  return nullptr;
}

StepPtr MakeCompare(ValueKind kind, Comparison op, StepPtr left,
                    StepPtr right) {
  switch (kind) {
    case ValueKind::kBool:
      return MakeCompare<ValueKind::kBool>(op, std::move(left),
                                           std::move(right));
    case ValueKind::kInt:
      return MakeCompare<ValueKind::kInt>(op, std::move(left),
                                          std::move(right));
    case ValueKind::kUint:
      return MakeCompare<ValueKind::kUint>(op, std::move(left),
                                           std::move(right));
    case ValueKind::kDouble:
      return MakeCompare<ValueKind::kDouble>(op, std::move(left),
                                             std::move(right));
    case ValueKind::kString:
      return MakeCompare<ValueKind::kString>(op, std::move(left),
                                             std::move(right));
    case ValueKind::kBytes:
      return MakeCompare<ValueKind::kBytes>(op, std::move(left),
                                            std::move(right));
    default:
      return nullptr;
  }
}

// e.exists(x, p) and e.all(x, p) over a list, without the accumulator the
// macro expands into: the first element that decides ends the loop. Errors
// are kept and returned only when nothing decides, as CEL says.
class QuantifierStep final : public Step {
 public:
  QuantifierStep(StepPtr range, int iter_local, StepPtr predicate, bool exists,
                 StepPtr general)
      : range_(std::move(range)),
        iter_local_(iter_local),
        predicate_(std::move(predicate)),
        exists_(exists),
        general_(std::move(general)) {
    const auto* test = dynamic_cast<const ElementTest*>(predicate_.get());
    if (test != nullptr && test->element_local() == iter_local_) test_ = test;
  }

  Value Eval(Frame& frame) const override {
    Value range = range_->Eval(frame);
    if (range.is_error()) return range;
    // Maps and wrong kinds take the general path, which knows them.
    if (range.kind() != ValueKind::kList) return general_->Eval(frame);
    absl::Span<const Value> list = range.list();
    // When the whole list fits in the iteration budget, count once after
    // the loop instead of at each element; otherwise count as we go.
    const bool fits = frame.context.HasIterations(list.size());
    Value error;
    bool have_error = false;
    size_t i = 0;
    for (; i < list.size(); ++i) {
      if (!fits && !frame.context.CountIteration()) {
        return IterationLimit(frame.context);
      }
      Value v;
      if (test_ != nullptr) {
        v = test_->Test(list[i]);
      } else {
        frame.locals[iter_local_] = list[i];
        v = predicate_->Eval(frame);
      }
      if (v.kind() == ValueKind::kBool) {
        if (v.bool_value() == exists_) break;
      } else if (!have_error) {
        error = v.is_error() ? v : Value::Error(kNotBool);
        have_error = true;
      }
    }
    if (fits) frame.context.CountIterations(std::min(i + 1, list.size()));
    if (i < list.size()) return Value::Bool(exists_);
    return have_error ? error : Value::Bool(!exists_);
  }

 private:
  StepPtr range_;
  int iter_local_;
  StepPtr predicate_;
  bool exists_;
  // The plain comprehension, for ranges that are not lists.
  StepPtr general_;
  // The predicate, when it tests the element alone against a constant.
  const ElementTest* test_ = nullptr;
};

// --- Logic: not strict, errors absorbed as CEL defines
// -------------------------

// a && b is false if either side is false, whatever the other is (an error
// included); otherwise an error on either side is the result.
class AndStep final : public Step {
 public:
  AndStep(StepPtr left, StepPtr right, bool is_and)
      : left_(std::move(left)), right_(std::move(right)), is_and_(is_and) {}

  Value Eval(Frame& frame) const override {
    // For ||, the deciding value is true; for &&, false.
    const bool decides = !is_and_;
    Value left = left_->Eval(frame);
    if (left.kind() == ValueKind::kBool && left.bool_value() == decides) {
      return left;
    }
    Value right = right_->Eval(frame);
    if (right.kind() == ValueKind::kBool && right.bool_value() == decides) {
      return right;
    }
    if (left.is_error()) return left;
    if (right.is_error()) return right;
    if (left.kind() != ValueKind::kBool || right.kind() != ValueKind::kBool) {
      return Value::Error(kNotBool);
    }
    return Value::Bool(!decides);
  }
  bool Foldable() const override {
    return left_->constant() != nullptr && right_->constant() != nullptr;
  }

 private:
  StepPtr left_;
  StepPtr right_;
  bool is_and_;
};

class ConditionalStep final : public Step {
 public:
  ConditionalStep(StepPtr condition, StepPtr then, StepPtr otherwise)
      : condition_(std::move(condition)),
        then_(std::move(then)),
        otherwise_(std::move(otherwise)) {}

  Value Eval(Frame& frame) const override {
    Value condition = condition_->Eval(frame);
    if (condition.kind() != ValueKind::kBool) {
      return condition.is_error() ? condition : Value::Error(kNotBool);
    }
    return condition.bool_value() ? then_->Eval(frame)
                                  : otherwise_->Eval(frame);
  }
  bool Foldable() const override {
    return condition_->constant() != nullptr && then_->constant() != nullptr &&
           otherwise_->constant() != nullptr;
  }

 private:
  StepPtr condition_;
  StepPtr then_;
  StepPtr otherwise_;
};

// @not_strictly_false: true unless the value is false (errors included), so
// that all() and exists() keep looking past an error.
class NotStrictlyFalseStep final : public Step {
 public:
  explicit NotStrictlyFalseStep(StepPtr operand)
      : operand_(std::move(operand)) {}

  Value Eval(Frame& frame) const override {
    Value v = operand_->Eval(frame);
    return Value::Bool(v.kind() != ValueKind::kBool || v.bool_value());
  }
  bool Foldable() const override { return operand_->constant() != nullptr; }

 private:
  StepPtr operand_;
};

// --- Literals
// -----------------------------------------------------------------

// An optional element or entry ([?e], {?k: e}): false when `value` is none
// (nothing to add), else true with `value` unwrapped, or an error in it.
bool TakeOptional(Value& value) {
  if (value.kind() != ValueKind::kOptional) {
    value = Value::Error(
        "no matching overload: an optional element or entry needs an "
        "optional value");
    return true;
  }
  if (!value.has_optional_value()) return false;
  value = value.optional_value();
  return true;
}

class ListStep final : public Step {
 public:
  // `optional`: per element, whether it is optional; empty when none is.
  ListStep(std::vector<StepPtr> elements, std::vector<bool> optional)
      : elements_(std::move(elements)), optional_(std::move(optional)) {}

  Value Eval(Frame& frame) const override {
    Value* data = frame.context.Allocate<Value>(elements_.size());
    if (data == nullptr) return frame.context.TooLarge();
    size_t size = 0;
    for (size_t i = 0; i < elements_.size(); ++i) {
      Value element = elements_[i]->Eval(frame);
      if (element.is_error()) return element;
      if (i < optional_.size() && optional_[i] && !TakeOptional(element)) {
        continue;
      }
      if (element.is_error()) return element;
      data[size++] = element;
    }
    return Value::List(absl::MakeConstSpan(data, size));
  }
  bool Foldable() const override { return AllConstant(elements_); }

 private:
  std::vector<StepPtr> elements_;
  std::vector<bool> optional_;
};

class MapStep final : public Step {
 public:
  // `optional`: per entry, whether it is optional; empty when none is.
  MapStep(std::vector<StepPtr> keys, std::vector<StepPtr> values,
          std::vector<bool> optional)
      : keys_(std::move(keys)),
        values_(std::move(values)),
        optional_(std::move(optional)) {}

  Value Eval(Frame& frame) const override {
    auto* entries = frame.context.Allocate<MapValue::Entry>(keys_.size());
    if (entries == nullptr ||
        !frame.context.Charge(MapValue::OverheadBytes(keys_.size()))) {
      return frame.context.TooLarge();
    }
    size_t size = 0;
    for (size_t i = 0; i < keys_.size(); ++i) {
      MapValue::Entry& entry = entries[size];
      entry.key = keys_[i]->Eval(frame);
      if (entry.key.is_error()) return entry.key;
      entry.value = values_[i]->Eval(frame);
      if (entry.value.is_error()) return entry.value;
      if (i < optional_.size() && optional_[i] && !TakeOptional(entry.value)) {
        continue;
      }
      if (entry.value.is_error()) return entry.value;
      ++size;
    }
    return MapValue::Make(frame.context.arena(),
                          absl::MakeConstSpan(entries, size));
  }
  bool Foldable() const override {
    return AllConstant(keys_) && AllConstant(values_);
  }

 private:
  std::vector<StepPtr> keys_;
  std::vector<StepPtr> values_;
  std::vector<bool> optional_;
};

// --- Comprehensions
// -----------------------------------------------------------

class ComprehensionStep final : public Step {
 public:
  struct Parts {
    StepPtr range, init, condition, step, result;
    int iter_local = 0;
    // The second variable of a two-variable comprehension, or -1; the
    // first is then a list's index or a map's key.
    int iter_local2 = -1;
    int accu_local = 0;
  };
  explicit ComprehensionStep(Parts parts) : p_(std::move(parts)) {}

  Value Eval(Frame& frame) const override {
    Value range = p_.range->Eval(frame);
    if (range.is_error()) return range;
    frame.locals[p_.accu_local] = p_.init->Eval(frame);
    Loop loop = Loop::kNext;
    const bool two = p_.iter_local2 >= 0;
    if (range.kind() == ValueKind::kList) {
      absl::Span<const Value> elements = range.list();
      for (size_t i = 0; i < elements.size(); ++i) {
        loop = two ? Iterate(Value::Int(static_cast<int64_t>(i)), elements[i],
                             frame)
                   : Iterate(elements[i], Value(), frame);
        if (loop != Loop::kNext) break;
      }
    } else if (range.kind() == ValueKind::kMap) {
      for (const MapValue::Entry& entry : range.map().entries()) {
        if ((loop = Iterate(entry.key, entry.value, frame)) != Loop::kNext) {
          break;
        }
      }
    } else {
      return Value::Error(
          "no matching overload: comprehensions range over lists and maps");
    }
    if (loop == Loop::kLimit) return IterationLimit(frame.context);
    return p_.result->Eval(frame);
  }

 private:
  enum class Loop { kNext, kStop, kLimit };

  // `second` is only read by a two-variable comprehension.
  Loop Iterate(const Value& first, const Value& second, Frame& frame) const {
    if (!frame.context.CountIteration()) return Loop::kLimit;
    frame.locals[p_.iter_local] = first;
    if (p_.iter_local2 >= 0) frame.locals[p_.iter_local2] = second;
    Value go_on = p_.condition->Eval(frame);
    if (go_on.kind() != ValueKind::kBool || !go_on.bool_value()) {
      return Loop::kStop;
    }
    frame.locals[p_.accu_local] = p_.step->Eval(frame);
    return Loop::kNext;
  }

  Parts p_;
};

// accumulator + [element] inside a comprehension that builds a list.
class AppendStep final : public Step {
 public:
  AppendStep(int accu_local, int buffer, StepPtr element)
      : accu_local_(accu_local),
        buffer_(buffer),
        element_(std::move(element)) {}

  Value Eval(Frame& frame) const override {
    Value accu = frame.locals[accu_local_];
    if (accu.is_error()) return accu;
    if (accu.kind() != ValueKind::kList) {
      return Value::Error("no matching overload: + of a list");
    }
    Value element = element_->Eval(frame);
    if (element.is_error()) return element;
    AppendBuffer& buffer = frame.buffers[buffer_];
    const size_t size = accu.list().size();
    // The accumulator owns the buffer's first `size` values when it points
    // at the buffer; otherwise (first append, a restarted loop) copy it.
    if (accu.list().data() != buffer.data || size == buffer.capacity) {
      if ((size + 1) * sizeof(Value) >
          frame.context.limits().max_result_bytes) {
        return frame.context.TooLarge();
      }
      size_t capacity = std::max<size_t>(8, size * 2);
      Value* data = frame.context.Allocate<Value>(capacity);
      if (data == nullptr) return frame.context.TooLarge();
      std::copy(accu.list().begin(), accu.list().end(), data);
      buffer = {data, capacity};
    }
    buffer.data[size] = element;
    return Value::List(absl::MakeConstSpan(buffer.data, size + 1));
  }

 private:
  int accu_local_;
  int buffer_;
  StepPtr element_;
};

// --- Planning
// -----------------------------------------------------------------

bool IsFunction(const CallExpr& call, absl::string_view name) {
  return call.function == name;
}

// The dotted name an identifier or a chain of selections spells ("a.b.c"),
// or nullopt.
std::optional<std::string> DottedName(const Expr& expr) {
  if (const auto* ident = std::get_if<IdentExpr>(&expr.kind)) {
    return ident->name;
  }
  if (const auto* select = std::get_if<SelectExpr>(&expr.kind)) {
    if (select->test_only) return std::nullopt;
    auto prefix = DottedName(*select->operand);
    if (!prefix) return std::nullopt;
    return absl::StrCat(*prefix, ".", select->field);
  }
  return std::nullopt;
}

Value ConstantValue(const Constant& constant) {
  struct Visitor {
    Value operator()(NullConstant) const { return Value::Null(); }
    Value operator()(bool b) const { return Value::Bool(b); }
    Value operator()(int64_t i) const { return Value::Int(i); }
    Value operator()(uint64_t u) const { return Value::Uint(u); }
    Value operator()(double d) const { return Value::Double(d); }
    // The AST outlives the program's steps: the Program keeps it.
    Value operator()(const std::string& s) const { return Value::String(s); }
    Value operator()(const BytesConstant& b) const {
      return Value::Bytes(b.bytes);
    }
  };
  return std::visit(Visitor{}, constant);
}

bool IsDynamic(const Type& type) {
  return type.kind() == Type::Kind::kDyn ||
         type.kind() == Type::Kind::kTypeParam ||
         type.kind() == Type::Kind::kError;
}

class Planner {
 public:
  Planner(const Environment& env, const ParsedExpr& parsed,
          const CheckedExpr* checked, Arena* constants)
      : env_(env),
        parsed_(parsed),
        checked_(checked),
        constants_(constants),
        folding_(constants, env.limits()) {}

  absl::StatusOr<StepPtr> Plan(const Expr& expr) {
    absl::StatusOr<StepPtr> step = PlanNode(expr);
    if (!step.ok() || (*step)->constant() != nullptr || !(*step)->Foldable()) {
      return step;
    }
    // Every input is constant: compute the value once, into the program's
    // arena, and keep only that.
    Activation none(env_);
    Frame frame{none, folding_, nullptr, nullptr};
    Value value = (*step)->Eval(frame);
    // A constant past a size limit would fail every evaluation: refuse it
    // now, with the limit it reached. Other errors stay run-time errors, as
    // CEL has them.
    if (IsTooLarge(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Where(expr), value.text()));
    }
    return std::make_unique<ConstStep>(value);
  }

  int locals() const { return max_locals_; }
  int buffers() const { return buffers_; }

  // What the plan reads of the environment's variables, by slot.
  std::vector<Program::VariableRead> reads() const {
    std::vector<Program::VariableRead> reads;
    for (const auto& [slot, read] : reads_) {
      reads.push_back({env_.variables()[slot].name,
                       read.whole_reads > 0,
                       {read.fields.begin(), read.fields.end()}});
    }
    return reads;
  }

 private:
  struct Local {
    std::string name;
    int index;
    int buffer = -1;  // the append buffer of a list accumulator
  };

  // How a variable is read so far: each reference counts as a whole read
  // until a selection of a field takes it as its operand.
  struct Read {
    int whole_reads = 0;
    std::set<std::string> fields;
  };

  StepPtr ReadWhole(const VariableDecl& variable) {
    ++reads_[variable.slot].whole_reads;
    return std::make_unique<VariableStep>(variable.slot);
  }

  absl::StatusOr<StepPtr> PlanNode(const Expr& expr) {
    return std::visit([&](const auto& kind) { return PlanKind(expr, kind); },
                      expr.kind);
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr&, const ConstExpr& c) {
    return std::make_unique<ConstStep>(ConstantValue(c.value));
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr& expr, const IdentExpr& ident) {
    if (const Local* local = FindLocal(ident.name)) {
      return std::make_unique<LocalStep>(local->index);
    }
    if (const VariableDecl* variable = CheckedVariable(expr)) {
      return ReadWhole(*variable);
    }
    if (StepPtr type = CheckedTypeName(expr)) return type;
    if (const VariableDecl* variable = env_.ResolveVariable(ident.name)) {
      return ReadWhole(*variable);
    }
    if (std::optional<Value> type = TypeConstant(ident.name)) {
      return std::make_unique<ConstStep>(*type);
    }
    // Only unchecked programs get here (the checker refuses unknown names);
    // as in CEL, the reference is then an error when evaluated.
    return std::make_unique<ConstStep>(Value::ErrorIn(
        constants_, absl::StrCat(Where(expr), "undeclared reference to '",
                                 ident.name, "'")));
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr& expr, const SelectExpr& select) {
    // A chain that names a qualified variable (a.b.c declared as such), or a
    // type (google.protobuf.Timestamp).
    if (const VariableDecl* variable = CheckedVariable(expr)) {
      return ReadWhole(*variable);
    }
    if (StepPtr type = CheckedTypeName(expr)) return type;
    // Unchecked: the longest prefix of a.b.c that is declared wins, so try
    // the whole chain here before its operand.
    if (checked_ == nullptr && !select.test_only) {
      std::optional<std::string> name = DottedName(expr);
      if (name && FindLocal(name->substr(0, name->find('.'))) == nullptr) {
        if (const VariableDecl* variable = env_.ResolveVariable(*name)) {
          return ReadWhole(*variable);
        }
        if (std::optional<Value> type = TypeConstant(*name)) {
          return std::make_unique<ConstStep>(*type);
        }
      }
    }
    absl::StatusOr<StepPtr> operand = PlanNode(*select.operand);
    if (!operand.ok()) return operand;
    if (const auto* variable =
            dynamic_cast<const VariableStep*>(operand->get())) {
      // Of this variable, only the field is read here.
      Read& read = reads_[variable->slot()];
      --read.whole_reads;
      read.fields.insert(select.field);
    }
    return std::make_unique<SelectStep>(*std::move(operand), select.field,
                                        select.test_only);
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr& expr, const CallExpr& call) {
    if (IsFunction(call, kAnd) || IsFunction(call, kOr)) {
      if (call.args.size() != 2) return Arity(expr, call);
      auto left = Plan(*call.args[0]);
      if (!left.ok()) return left;
      auto right = Plan(*call.args[1]);
      if (!right.ok()) return right;
      return std::make_unique<AndStep>(*std::move(left), *std::move(right),
                                       IsFunction(call, kAnd));
    }
    if (IsFunction(call, kConditional)) {
      if (call.args.size() != 3) return Arity(expr, call);
      std::vector<StepPtr> parts;
      for (const ExprPtr& arg : call.args) {
        auto part = Plan(*arg);
        if (!part.ok()) return part;
        parts.push_back(*std::move(part));
      }
      return std::make_unique<ConditionalStep>(
          std::move(parts[0]), std::move(parts[1]), std::move(parts[2]));
    }
    if (IsFunction(call, kNotStrictlyFalse)) {
      if (call.args.size() != 1) return Arity(expr, call);
      auto operand = Plan(*call.args[0]);
      if (!operand.ok()) return operand;
      return std::make_unique<NotStrictlyFalseStep>(*std::move(operand));
    }
    if (StepPtr append = PlanAppend(call)) return append;
    if (call.target != nullptr && call.args.size() == 1 &&
        (IsFunction(call, kOptionalOr) || IsFunction(call, kOptionalOrValue))) {
      auto optional = Plan(*call.target);
      if (!optional.ok()) return optional;
      auto alternative = Plan(*call.args[0]);
      if (!alternative.ok()) return alternative;
      return std::make_unique<OptionalOrStep>(
          *std::move(optional), *std::move(alternative),
          IsFunction(call, kOptionalOrValue));
    }

    // Which function, with which arguments: a receiver call on a namespace
    // (math.greatest(x, y)) is a global call of the qualified name.
    std::string function = call.function;
    bool receiver = call.target != nullptr;
    std::vector<const Overload*> candidates;
    if (const Reference* ref = CheckedReference(expr);
        ref != nullptr && !ref->overloads.empty()) {
      candidates = ref->overloads;
      if (!ref->name.empty()) function = ref->name;
      if (ref->namespaced) receiver = false;
    } else {
      if (receiver) {
        if (std::optional<std::string> qualified = NamespacedFunction(call)) {
          function = *qualified;
          receiver = false;
        }
      }
      candidates = Candidates(function, receiver, call.args.size());
    }
    if (candidates.empty()) {
      // Only unchecked programs get here; as in CEL, calling an unknown
      // function is then an error when evaluated (`f(1) || true` is true).
      return std::make_unique<ConstStep>(Value::ErrorIn(
          constants_,
          absl::StrCat(Where(expr), "undeclared reference to function '",
                       function, "'")));
    }

    std::vector<StepPtr> args;
    std::vector<const Expr*> arg_exprs;
    if (receiver) arg_exprs.push_back(call.target.get());
    for (const ExprPtr& arg : call.args) arg_exprs.push_back(arg.get());
    for (const Expr* arg : arg_exprs) {
      auto step = Plan(*arg);
      if (!step.ok()) return step;
      args.push_back(*std::move(step));
    }
    if (IsFunction(call, kIn) && !receiver && args.size() == 2) {
      if (StepPtr set = PlanInStringSet(args)) return set;
    }
    if (!receiver && args.size() == 2) {
      if (StepPtr compare = PlanComparison(call.function, arg_exprs, args)) {
        return compare;
      }
    }
    bool must_match = candidates.size() > 1 || !StaticallyTyped(arg_exprs);
    return std::make_unique<CallStep>(function, std::move(candidates),
                                      std::move(args), must_match);
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr&, const ListExpr& list) {
    std::vector<StepPtr> elements;
    for (const ExprPtr& element : list.elements) {
      auto step = Plan(*element);
      if (!step.ok()) return step;
      elements.push_back(*std::move(step));
    }
    return std::make_unique<ListStep>(std::move(elements), list.optional);
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr&, const MapExpr& map) {
    std::vector<StepPtr> keys, values;
    std::vector<bool> optional;
    for (const MapExpr::Entry& entry : map.entries) {
      optional.push_back(entry.optional);
      auto key = Plan(*entry.key);
      if (!key.ok()) return key;
      auto value = Plan(*entry.value);
      if (!value.ok()) return value;
      keys.push_back(*std::move(key));
      values.push_back(*std::move(value));
    }
    return std::make_unique<MapStep>(std::move(keys), std::move(values),
                                     std::move(optional));
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr& expr, const StructExpr& s) {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(expr), "unknown type '", s.message_name,
                     "': motive expressions have no message types"));
  }

  absl::StatusOr<StepPtr> PlanKind(const Expr&, const ComprehensionExpr& c) {
    ComprehensionStep::Parts parts;
    auto range = Plan(*c.iter_range);
    if (!range.ok()) return range;
    parts.range = *std::move(range);
    auto init = Plan(*c.accu_init);
    if (!init.ok()) return init;
    parts.init = *std::move(init);

    // The accumulator is in scope for the condition, the step and the
    // result; the iteration variable for the condition and the step.
    const auto* init_list = std::get_if<ListExpr>(&c.accu_init->kind);
    bool appendable = init_list != nullptr && init_list->elements.empty();
    parts.accu_local = Push(c.accu_var, appendable ? buffers_++ : -1);
    parts.iter_local = Push(c.iter_var, -1);
    const bool two = !c.iter_var2.empty();
    if (two) parts.iter_local2 = Push(c.iter_var2, -1);
    auto condition = Plan(*c.loop_condition);
    if (!condition.ok()) return condition;
    auto step = Plan(*c.loop_step);
    if (!step.ok()) return step;
    if (two) Pop();
    Pop();  // the iteration variable
    auto result = Plan(*c.result);
    if (!result.ok()) return result;
    Pop();
    parts.condition = *std::move(condition);
    parts.step = *std::move(step);
    parts.result = *std::move(result);
    std::optional<bool> exists = Quantifier(c);
    if (!exists) return std::make_unique<ComprehensionStep>(std::move(parts));
    // The predicate is the step's right operand: plan it again on its own,
    // with the iteration variable in the same local.
    const auto& predicate_expr = *std::get<CallExpr>(c.loop_step->kind).args[1];
    Push(c.accu_var, -1);
    int iter_local = Push(c.iter_var, -1);
    auto predicate = Plan(predicate_expr);
    Pop();
    Pop();
    if (!predicate.ok()) return predicate;
    StepPtr range_again = nullptr;
    auto range_step = Plan(*c.iter_range);
    if (!range_step.ok()) return range_step;
    range_again = *std::move(range_step);
    return std::make_unique<QuantifierStep>(
        std::move(range_again), iter_local, *std::move(predicate), *exists,
        std::make_unique<ComprehensionStep>(std::move(parts)));
  }

  // Whether `c` is what exists() (true) or all() (false) expand into, with
  // a predicate that does not read the accumulator.
  static std::optional<bool> Quantifier(const ComprehensionExpr& c) {
    // QuantifierStep binds one variable: the elements, or the keys.
    if (!c.iter_var2.empty()) return std::nullopt;
    const auto* init = std::get_if<ConstExpr>(&c.accu_init->kind);
    const auto* step = std::get_if<CallExpr>(&c.loop_step->kind);
    const auto* result = std::get_if<IdentExpr>(&c.result->kind);
    if (init == nullptr || step == nullptr || result == nullptr ||
        result->name != c.accu_var || step->target || step->args.size() != 2) {
      return std::nullopt;
    }
    const bool* start = std::get_if<bool>(&init->value);
    if (start == nullptr) return std::nullopt;
    const bool exists = !*start;
    if (step->function != (exists ? kOr : kAnd)) return std::nullopt;
    const auto* accu = std::get_if<IdentExpr>(&step->args[0]->kind);
    if (accu == nullptr || accu->name != c.accu_var ||
        Mentions(*step->args[1], c.accu_var)) {
      return std::nullopt;
    }
    return exists;
  }

  // Whether `expr` refers to the identifier `name` anywhere.
  static bool Mentions(const Expr& expr, absl::string_view name) {
    struct Visitor {
      absl::string_view name;
      bool operator()(const ConstExpr&) const { return false; }
      bool operator()(const IdentExpr& e) const { return e.name == name; }
      bool operator()(const SelectExpr& e) const {
        return Mentions(*e.operand, name);
      }
      bool operator()(const CallExpr& e) const {
        if (e.target && Mentions(*e.target, name)) return true;
        for (const ExprPtr& arg : e.args) {
          if (Mentions(*arg, name)) return true;
        }
        return false;
      }
      bool operator()(const ListExpr& e) const {
        for (const ExprPtr& el : e.elements) {
          if (Mentions(*el, name)) return true;
        }
        return false;
      }
      bool operator()(const MapExpr& e) const {
        for (const auto& entry : e.entries) {
          if (Mentions(*entry.key, name) || Mentions(*entry.value, name)) {
            return true;
          }
        }
        return false;
      }
      bool operator()(const StructExpr& e) const {
        for (const auto& field : e.fields) {
          if (Mentions(*field.value, name)) return true;
        }
        return false;
      }
      bool operator()(const ComprehensionExpr& e) const {
        return Mentions(*e.iter_range, name) || Mentions(*e.accu_init, name) ||
               Mentions(*e.loop_condition, name) ||
               Mentions(*e.loop_step, name) || Mentions(*e.result, name);
      }
    };
    return std::visit(Visitor{name}, expr.kind);
  }

  // accu + [element], where accu is a list accumulator: appends in place.
  StepPtr PlanAppend(const CallExpr& call) {
    if (!IsFunction(call, kAdd) || call.target || call.args.size() != 2) {
      return nullptr;
    }
    const auto* accu = std::get_if<IdentExpr>(&call.args[0]->kind);
    const auto* list = std::get_if<ListExpr>(&call.args[1]->kind);
    if (accu == nullptr || list == nullptr || list->elements.size() != 1) {
      return nullptr;
    }
    const Local* local = FindLocal(accu->name);
    if (local == nullptr || local->buffer < 0) return nullptr;
    // Copied now: planning the element may grow the scope and move it.
    const int accu_local = local->index;
    const int buffer = local->buffer;
    absl::StatusOr<StepPtr> element = Plan(*list->elements[0]);
    if (!element.ok()) return nullptr;
    return std::make_unique<AppendStep>(accu_local, buffer,
                                        *std::move(element));
  }

  // A comparison of two operands the checker typed as one primitive kind.
  StepPtr PlanComparison(absl::string_view function,
                         const std::vector<const Expr*>& arg_exprs,
                         std::vector<StepPtr>& args) {
    static constexpr std::pair<absl::string_view, Comparison> kOps[] = {
        {kEqual, Comparison::kEqual},
        {kNotEqual, Comparison::kNotEqual},
        {kLess, Comparison::kLess},
        {kLessEqual, Comparison::kLessEqual},
        {kGreater, Comparison::kGreater},
        {kGreaterEqual, Comparison::kGreaterEqual}};
    const Comparison* op = nullptr;
    for (const auto& [name, comparison] : kOps) {
      if (name == function) op = &comparison;
    }
    if (op == nullptr || checked_ == nullptr) return nullptr;
    auto left = checked_->types.find(arg_exprs[0]->id);
    auto right = checked_->types.find(arg_exprs[1]->id);
    if (left == checked_->types.end() || right == checked_->types.end() ||
        left->second != right->second) {
      return nullptr;
    }
    switch (left->second.kind()) {
      case Type::Kind::kBool:
      case Type::Kind::kInt:
      case Type::Kind::kUint:
      case Type::Kind::kDouble:
      case Type::Kind::kString:
      case Type::Kind::kBytes:
        return MakeCompare(left->second.value_kind(), *op, std::move(args[0]),
                           std::move(args[1]));
      default:
        return nullptr;
    }
  }

  StepPtr PlanInStringSet(std::vector<StepPtr>& args) {
    const Value* list = args[1]->constant();
    if (list == nullptr || list->kind() != ValueKind::kList) return nullptr;
    absl::flat_hash_set<absl::string_view> set;
    for (const Value& element : list->list()) {
      if (element.kind() != ValueKind::kString) return nullptr;
      set.insert(element.text());
    }
    return std::make_unique<InStringSetStep>(std::move(args[0]),
                                             std::move(set));
  }

  std::vector<const Overload*> Candidates(absl::string_view function,
                                          bool receiver, size_t args) {
    std::vector<const Overload*> candidates;
    for (const std::string& name : env_.ResolutionCandidates(function)) {
      const std::vector<Overload>* overloads = env_.functions().Find(name);
      if (overloads == nullptr) continue;
      for (const Overload& overload : *overloads) {
        if (overload.receiver_style == receiver &&
            overload.params.size() == args + (receiver ? 1 : 0)) {
          candidates.push_back(&overload);
        }
      }
      if (!candidates.empty()) break;
    }
    return candidates;
  }

  // target.f(...) where target names a namespace, not a value: the
  // qualified global function, if there is one.
  std::optional<std::string> NamespacedFunction(const CallExpr& call) {
    std::optional<std::string> prefix = DottedName(*call.target);
    if (!prefix) return std::nullopt;
    std::string root = prefix->substr(0, prefix->find('.'));
    if (FindLocal(root) != nullptr || env_.ResolveVariable(*prefix) ||
        env_.ResolveVariable(root)) {
      return std::nullopt;
    }
    std::string qualified = absl::StrCat(*prefix, ".", call.function);
    for (const std::string& name : env_.ResolutionCandidates(qualified)) {
      if (env_.functions().Find(name) != nullptr) return name;
    }
    return std::nullopt;
  }

  // True when the checker typed every argument precisely, so that its one
  // overload needs no runtime check.
  bool StaticallyTyped(const std::vector<const Expr*>& args) const {
    if (checked_ == nullptr) return false;
    for (const Expr* arg : args) {
      auto it = checked_->types.find(arg->id);
      if (it == checked_->types.end() || IsDynamic(it->second)) return false;
      if ((it->second.kind() == Type::Kind::kList &&
           IsDynamic(it->second.element())) ||
          (it->second.kind() == Type::Kind::kMap &&
           (IsDynamic(it->second.key()) || IsDynamic(it->second.value())))) {
        return false;
      }
    }
    return true;
  }

  const Reference* CheckedReference(const Expr& expr) const {
    if (checked_ == nullptr) return nullptr;
    auto it = checked_->references.find(expr.id);
    return it == checked_->references.end() ? nullptr : &it->second;
  }

  // A checked identifier or selection chain that names a type: its value.
  StepPtr CheckedTypeName(const Expr& expr) const {
    const Reference* ref = CheckedReference(expr);
    if (ref == nullptr || ref->variable != nullptr || ref->name.empty() ||
        std::holds_alternative<CallExpr>(expr.kind)) {
      return nullptr;
    }
    // The name lives in the CheckedExpr, which the Program keeps.
    return std::make_unique<ConstStep>(Value::Type(ref->name));
  }

  const VariableDecl* CheckedVariable(const Expr& expr) const {
    const Reference* ref = CheckedReference(expr);
    return ref ? ref->variable : nullptr;
  }

  static std::optional<Value> TypeConstant(absl::string_view name) {
    static constexpr absl::string_view kTypeNames[] = {
        "bool",
        "int",
        "uint",
        "double",
        "string",
        "bytes",
        "list",
        "map",
        "null_type",
        "type",
        "google.protobuf.Timestamp",
        "google.protobuf.Duration"};
    absl::ConsumePrefix(&name, ".");
    for (absl::string_view type : kTypeNames) {
      if (name == type) return Value::Type(type);
    }
    return std::nullopt;
  }

  int Push(const std::string& name, int buffer) {
    int index = static_cast<int>(scope_.size());
    scope_.push_back({name, index, buffer});
    max_locals_ = std::max(max_locals_, index + 1);
    return index;
  }
  void Pop() { scope_.pop_back(); }

  const Local* FindLocal(absl::string_view name) const {
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }

  std::string Where(const Expr& expr) const {
    ParsedExpr::Position p = parsed_.PositionOf(expr.offset);
    return absl::StrCat("line ", p.line, ", column ", p.column, ": ");
  }

  absl::Status Arity(const Expr& expr, const CallExpr& call) const {
    return absl::InvalidArgumentError(
        absl::StrCat(Where(expr), "'", call.function,
                     "' takes a different number of "
                     "arguments"));
  }

  const Environment& env_;
  const ParsedExpr& parsed_;
  const CheckedExpr* checked_;
  Arena* constants_;
  // Every fold of one program shares this context, so that the program's
  // constants take no more than one evaluation may build.
  EvalContext folding_;
  std::vector<Local> scope_;
  int max_locals_ = 0;
  int buffers_ = 0;
  std::map<int, Read> reads_;  // by slot
};

}  // namespace

struct Program::Impl {
  // The steps go first, while what they point into (constants, the
  // expression's strings) still lives.
  ~Impl() { root.reset(); }

  // What Evaluate reads, first: one cache line.
  StepPtr root;
  int locals = 0;
  int buffers = 0;
  const Environment* env = nullptr;
  std::vector<VariableRead> reads;
  // The checked or parsed expression: constant strings point into it.
  std::optional<CheckedExpr> checked;
  std::optional<ParsedExpr> parsed;
  Type result_type;
  // Folded constants that needed storage (strings, lists, maps).
  Arena constants;
};

Program::Program() : impl_(std::make_unique<Impl>()) {}
Program::~Program() = default;

absl::StatusOr<std::unique_ptr<Program>> Program::Compile(
    absl::string_view source, const Environment& env,
    const CompileOptions& options) {
  ParseOptions parse_options;
  parse_options.macros = options.macros;
  parse_options.limits = env.limits();
  absl::StatusOr<ParsedExpr> parsed = Parse(source, parse_options);
  if (!parsed.ok()) return parsed.status();

  std::unique_ptr<Program> program(new Program());
  Impl& impl = *program->impl_;
  impl.env = &env;
  if (options.check) {
    absl::StatusOr<CheckedExpr> checked = Check(*std::move(parsed), env);
    if (!checked.ok()) return checked.status();
    impl.checked.emplace(*std::move(checked));
    impl.result_type = impl.checked->result_type();
  } else {
    impl.parsed.emplace(*std::move(parsed));
  }
  const ParsedExpr& ast = impl.checked ? impl.checked->parsed : *impl.parsed;
  Planner planner(env, ast, impl.checked ? &*impl.checked : nullptr,
                  &impl.constants);
  absl::StatusOr<StepPtr> step = planner.Plan(*ast.root);
  if (!step.ok()) return step.status();
  impl.root = *std::move(step);
  impl.locals = planner.locals();
  impl.buffers = planner.buffers();
  impl.reads = planner.reads();
  return program;
}

Value Program::Evaluate(const Activation& activation, Arena* arena) const {
  EvalContext context(arena, impl_->env->limits());
  absl::InlinedVector<Value, 8> locals(impl_->locals);
  absl::InlinedVector<AppendBuffer, 2> buffers(impl_->buffers);
  Frame frame{activation, context, locals.data(), buffers.data()};
  return impl_->root->Eval(frame);
}

const Type& Program::result_type() const { return impl_->result_type; }

absl::Span<const Program::VariableRead> Program::reads() const {
  return impl_->reads;
}

absl::StatusOr<std::string> EvaluateOnce(
    absl::string_view expression,
    absl::Span<const std::pair<std::string, std::string>> variables) {
  Environment constants;
  Environment env;
  Arena arena;
  // The values may point into their programs' constants: keep them.
  std::vector<std::unique_ptr<Program>> value_programs;
  std::vector<Value> bound;
  for (const auto& [name, text] : variables) {
    if (absl::Status s = env.DeclareVariable(name, Type::Dyn()); !s.ok()) {
      return s;
    }
    auto value = Program::Compile(text, constants);
    if (!value.ok()) {
      return base::Annotate(value.status(),
                            absl::StrCat("the value of ", name));
    }
    value_programs.push_back(*std::move(value));
    bound.push_back(
        value_programs.back()->Evaluate(Activation(constants), &arena));
    if (bound.back().is_error()) {
      return absl::InvalidArgumentError(
          absl::StrCat("the value of ", name, ": ", bound.back().text()));
    }
  }
  auto program = Program::Compile(expression, env);
  if (!program.ok()) return program.status();
  Activation activation(env);
  for (size_t i = 0; i < bound.size(); ++i) {
    activation.Bind(static_cast<int>(i), bound[i]);
  }
  Value result = (*program)->Evaluate(activation, &arena);
  if (result.is_error()) {
    return absl::InvalidArgumentError(
        absl::StrCat("evaluation error: ", result.text()));
  }
  const size_t max_bytes = env.limits().max_result_bytes;
  std::optional<std::string> text = DebugString(result, max_bytes);
  if (!text) {
    return absl::InvalidArgumentError(
        absl::StrCat("evaluation error: ", kResultTooLarge,
                     " (max_result_bytes: ", max_bytes, ") once written out"));
  }
  return *std::move(text);
}

}  // namespace motive::expr
