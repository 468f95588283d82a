// The type checker: CEL's gradual type checking (langdef, "Gradual Type
// Checking"), with cel-go's checker as the reference for what is accepted.
//
// Types are inferred bottom-up. Unknowns are type variables, named
// "_var<N>": the element type of an empty list literal, the key and value
// types of an empty map literal, and the type parameters of a generic
// overload (size(list(A))), which are renamed to fresh variables at each
// call so that two calls of one overload never share bindings. Unifying a
// variable with a type binds it; a variable bound to int that meets dyn is
// widened to dyn (the more general type), and one bound to int that meets
// string fails. The bindings are kept with an undo trail, so that an
// overload that does not match leaves no trace, and are applied to every
// node's type at the end, an unbound variable becoming dyn.

#include "expr/checker.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace motive::expr {
namespace {

using Kind = Type::Kind;

// The argument types of a call, receiver first. They point into the
// checker's type table, which does not change while a call is resolved.
using ArgTypes = absl::InlinedVector<const Type*, 4>;

// Errors shown to people; more are counted but not listed.
constexpr size_t kMaxShownErrors = 5;
// Errors kept at all: enough to sort and show the first few by position,
// bounded so that a hostile expression cannot grow the list without end.
constexpr size_t kMaxKeptErrors = 64;

// The types that are values under their CEL names: `int` is the value of
// type type(int). Declared in the root namespace, as cel-go does.
std::optional<Type> NamedType(absl::string_view name) {
  if (name == "int") return Type::Int();
  if (name == "uint") return Type::Uint();
  if (name == "double") return Type::Double();
  if (name == "bool") return Type::Bool();
  if (name == "string") return Type::String();
  if (name == "bytes") return Type::Bytes();
  if (name == "list") return Type::List(Type::Dyn());
  if (name == "map") return Type::Map(Type::Dyn(), Type::Dyn());
  if (name == "null_type") return Type::Null();
  if (name == "type") return Type::TypeOf(Type::Dyn());
  if (name == "optional_type") return Type::Optional(Type::Dyn());
  if (name == "dyn") return Type::Dyn();
  if (name == "google.protobuf.Timestamp") return Type::Timestamp();
  if (name == "google.protobuf.Duration") return Type::Duration();
  return std::nullopt;
}

// Segments of the longest type name above (google.protobuf.Timestamp).
constexpr size_t kMaxTypeNameSegments = 3;

size_t Segments(absl::string_view name) {
  absl::ConsumePrefix(&name, ".");
  return 1 + static_cast<size_t>(std::count(name.begin(), name.end(), '.'));
}

bool IsDynOrError(const Type& t) {
  return t.kind() == Kind::kDyn || t.kind() == Kind::kError;
}

bool IsWildcard(const Type& t) {
  return IsDynOrError(t) || t.kind() == Kind::kTypeParam;
}

// Operators (_+_, @in, !_) are not identifiers, so no container qualifies
// them: they are looked up as they are.
bool IsOperatorName(absl::string_view name) {
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' &&
        c != '.') {
      return true;
    }
  }
  return false;
}

// Whether `t` mentions a type parameter or variable anywhere.
bool HasParams(const Type& t) {
  switch (t.kind()) {
    case Kind::kTypeParam:
      return true;
    case Kind::kList:
    case Kind::kType:
    case Kind::kOptional:
      return HasParams(t.element());
    case Kind::kMap:
      return HasParams(t.key()) || HasParams(t.value());
    default:
      return false;
  }
}

// Rebuilds a parameterised type with `map` applied to its parameters,
// sharing the original when nothing changed.
template <typename Fn>
Type MapParams(const Type& t, Fn&& map) {
  switch (t.kind()) {
    case Kind::kList: {
      Type element = map(t.element());
      return element == t.element() ? t : Type::List(std::move(element));
    }
    case Kind::kType: {
      Type denoted = map(t.denoted());
      return denoted == t.denoted() ? t : Type::TypeOf(std::move(denoted));
    }
    case Kind::kOptional: {
      Type held = map(t.element());
      return held == t.element() ? t : Type::Optional(std::move(held));
    }
    case Kind::kMap: {
      Type key = map(t.key());
      Type value = map(t.value());
      if (key == t.key() && value == t.value()) return t;
      return Type::Map(std::move(key), std::move(value));
    }
    default:
      return t;
  }
}

// A select chain a.b.c as the dotted name it spells, when it is one: an
// identifier under field selections that are not has() tests.
std::optional<std::string> DottedName(const Expr& expr) {
  std::vector<const std::string*> fields;
  const Expr* node = &expr;
  while (const auto* select = std::get_if<SelectExpr>(&node->kind)) {
    if (select->test_only || select->operand == nullptr) return std::nullopt;
    fields.push_back(&select->field);
    node = select->operand.get();
  }
  const auto* ident = std::get_if<IdentExpr>(&node->kind);
  if (ident == nullptr) return std::nullopt;
  std::string name = ident->name;
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    absl::StrAppend(&name, ".", **it);
  }
  return name;
}

const IdentExpr* RootIdent(const Expr& expr) {
  const Expr* node = &expr;
  while (const auto* select = std::get_if<SelectExpr>(&node->kind)) {
    if (select->operand == nullptr) return nullptr;
    node = select->operand.get();
  }
  return std::get_if<IdentExpr>(&node->kind);
}

class Checker {
 public:
  Checker(const Environment& env, CheckedExpr& out)
      : env_(env),
        out_(out),
        // The parser bounds the tree's height by its own limits, which a
        // caller may set apart from the environment's; this bounds the
        // checker's recursion whatever tree it is given. The margin covers
        // what macros add; no more, as sanitizers make frames several
        // kilobytes large.
        max_depth_(std::max(env.limits().max_nesting_depth, 1) + 16) {
    // Ids are below next_id: sized once, the tables never grow. Capped,
    // in case a hand-built tree claims more ids than it has.
    size_t nodes = static_cast<size_t>(
        std::clamp<int64_t>(out.parsed.next_id, 1, int64_t{1} << 16));
    out_.types.reserve(nodes);
    out_.references.reserve(nodes / 2 + 1);
  }

  void Check(Expr* expr) {
    if (expr == nullptr) return;
    if (depth_ >= max_depth_) {
      if (!too_deep_) {
        too_deep_ = true;
        Error(*expr, "expression is nested too deeply to check");
      }
      SetType(*expr, Type::Error());
      return;
    }
    ++depth_;
    std::visit([&](auto& kind) { Visit(*expr, kind); }, expr->kind);
    --depth_;
  }

  absl::Status Finish() {
    if (!errors_.empty()) {
      std::stable_sort(errors_.begin(), errors_.end(),
                       [](const Problem& a, const Problem& b) {
                         return a.offset < b.offset;
                       });
      std::vector<std::string> lines;
      for (size_t i = 0; i < errors_.size() && i < kMaxShownErrors; ++i) {
        ParsedExpr::Position at = out_.parsed.PositionOf(errors_[i].offset);
        lines.push_back(absl::StrCat("line ", at.line, ", column ", at.column,
                                     ": ", errors_[i].message));
      }
      size_t total = errors_.size() + dropped_errors_;
      if (total > kMaxShownErrors) {
        lines.push_back(
            absl::StrCat("(and ", total - kMaxShownErrors, " more errors)"));
      }
      return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
    }
    for (auto& [id, type] : out_.types) {
      if (HasParams(type)) type = Substitute(type, /*params_to_dyn=*/true);
    }
    return absl::OkStatus();
  }

 private:
  struct Problem {
    int32_t offset;
    std::string message;
  };
  struct Local {
    std::string name;
    Type type;
  };
  // A binding replaced or added, to undo it.
  struct Undo {
    std::string var;
    std::optional<Type> previous;
  };

  // --- Nodes ----------------------------------------------------------------

  void Visit(Expr& expr, ConstExpr& constant) {
    struct TypeOfConstant {
      Type operator()(NullConstant) const { return Type::Null(); }
      Type operator()(bool) const { return Type::Bool(); }
      Type operator()(int64_t) const { return Type::Int(); }
      Type operator()(uint64_t) const { return Type::Uint(); }
      Type operator()(double) const { return Type::Double(); }
      Type operator()(const std::string&) const { return Type::String(); }
      Type operator()(const BytesConstant&) const { return Type::Bytes(); }
    };
    SetType(expr, std::visit(TypeOfConstant{}, constant.value));
  }

  void Visit(Expr& expr, IdentExpr& ident) {
    if (!absl::StartsWith(ident.name, ".")) {
      if (const Local* local = FindLocal(ident.name)) {
        SetType(expr, local->type);
        return;
      }
    }
    if (Resolve(expr, ident.name)) return;
    Error(expr, absl::StrCat("undeclared reference to '", ident.name,
                             "' (in container '", env_.container(), "')"));
    SetType(expr, Type::Error());
  }

  // A chain of selections a.b.c is handled from its outermost node, without
  // recursion along the chain: the longest prefix that names a declared
  // variable (or type) is that variable, and the selections after it are
  // field selections (langdef, "Name Resolution").
  void Visit(Expr& expr, SelectExpr&) {
    absl::InlinedVector<Expr*, 8> selects;  // innermost first
    Expr* base = &expr;
    while (auto* select = std::get_if<SelectExpr>(&base->kind)) {
      selects.push_back(base);
      base = select->operand.get();
      if (base == nullptr) break;
    }
    std::reverse(selects.begin(), selects.end());
    if (base == nullptr) {
      for (Expr* select : selects) SetType(*select, Type::Error());
      return;
    }

    size_t first_field = 0;  // the first select typed as a field selection
    const auto* ident = std::get_if<IdentExpr>(&base->kind);
    // A comprehension variable shadows declarations, unless the name is
    // written from the root (.y).
    bool qualifiable =
        ident != nullptr && (absl::StartsWith(ident->name, ".") ||
                             FindLocal(ident->name) == nullptr);
    if (qualifiable) {
      // Only selections that are not has() tests spell a name.
      size_t spelled = 0;
      while (spelled < selects.size() &&
             !SelectOf(*selects[spelled]).test_only) {
        ++spelled;
      }
      size_t base_segments = Segments(ident->name);
      size_t most = MaxNameSegments();
      // Longest first; k selections after the identifier.
      for (size_t k = spelled; k >= 1; --k) {
        if (base_segments + k > most) continue;
        std::string name = ident->name;
        for (size_t i = 0; i < k; ++i) {
          absl::StrAppend(&name, ".", SelectOf(*selects[i]).field);
        }
        if (Resolve(*selects[k - 1], name)) {
          first_field = k;
          break;
        }
      }
    }
    if (first_field == 0) Check(base);
    for (size_t i = first_field; i < selects.size(); ++i) {
      SelectField(*selects[i]);
    }
  }

  void Visit(Expr& expr, CallExpr& call) {
    if (call.target == nullptr) {
      const std::string& f = call.function;
      if ((f == kAnd || f == kOr) && call.args.size() == 2) {
        return CheckLogic(expr, call);
      }
      if (f == kNotStrictlyFalse && call.args.size() == 1) {
        return CheckLogic(expr, call);
      }
      if (f == kConditional && call.args.size() == 3) {
        return CheckConditional(expr, call);
      }
      if ((f == kEqual || f == kNotEqual) && call.args.size() == 2) {
        return CheckEquality(expr, call);
      }
    }

    // target.f(args) where target.f names a global function in a namespace:
    // math.greatest(1, 2). cel-go tries this before the target as a value.
    if (call.target != nullptr) {
      const IdentExpr* root = RootIdent(*call.target);
      bool shadowed = root != nullptr && !absl::StartsWith(root->name, ".") &&
                      FindLocal(root->name) != nullptr;
      std::optional<std::string> prefix = DottedName(*call.target);
      if (prefix.has_value() && !shadowed) {
        std::string name;
        if (const std::vector<Overload>* overloads = FindFunction(
                absl::StrCat(*prefix, ".", call.function), &name)) {
          for (ExprPtr& arg : call.args) Check(arg.get());
          Reference& ref = ResolveOverloads(expr, call, std::move(name),
                                            *overloads, /*receiver=*/false);
          ref.namespaced = true;
          return;
        }
      }
    }

    if (call.target != nullptr) Check(call.target.get());
    for (ExprPtr& arg : call.args) Check(arg.get());
    std::string name;
    if (const std::vector<Overload>* overloads =
            FindFunction(call.function, &name)) {
      ResolveOverloads(expr, call, std::move(name), *overloads,
                       /*receiver=*/call.target != nullptr);
      return;
    }
    Error(expr, absl::StrCat("undeclared reference to '", call.function,
                             "' (in container '", env_.container(), "')"));
    SetType(expr, Type::Error());
  }

  void Visit(Expr& expr, ListExpr& list) {
    std::optional<Type> element;
    for (size_t i = 0; i < list.elements.size(); ++i) {
      Expr* e = list.elements[i].get();
      Check(e);
      const bool optional = i < list.optional.size() && list.optional[i];
      element = Join(element, optional ? HeldType(e) : NodeType(e));
    }
    SetType(expr, Type::List(element ? *std::move(element) : NewVar()));
  }

  void Visit(Expr& expr, MapExpr& map) {
    std::optional<Type> key, value;
    for (MapExpr::Entry& entry : map.entries) {
      Check(entry.key.get());
      key = Join(key, NodeType(entry.key.get()));
      Check(entry.value.get());
      value = Join(value, entry.optional ? HeldType(entry.value.get())
                                         : NodeType(entry.value.get()));
    }
    Type key_type = key ? *std::move(key) : NewVar();
    Type value_type = value ? *std::move(value) : NewVar();
    SetType(expr, Type::Map(std::move(key_type), std::move(value_type)));
  }

  // The type an optional element ([?e], {?k: e}) adds: what `e`, which must
  // be an optional, may hold.
  Type HeldType(const Expr* e) {
    Type type = Substitute(NodeType(e), false);
    if (type.kind() == Kind::kOptional) return type.element();
    if (IsAssignable(Type::Optional(Type::Dyn()), type)) return Type::Dyn();
    Error(*e, absl::StrCat("expected type 'optional_type' but found '",
                           Show(type), "'"));
    return Type::Error();
  }

  void Visit(Expr& expr, StructExpr& message) {
    for (StructExpr::Field& field : message.fields) Check(field.value.get());
    Error(expr, absl::StrCat("unknown type '", message.message_name,
                             "': motive expressions have no message types"));
    SetType(expr, Type::Error());
  }

  void Visit(Expr& expr, ComprehensionExpr& loop) {
    Check(loop.iter_range.get());
    Check(loop.accu_init.get());
    Type accu = NodeType(loop.accu_init.get());
    Type range = Substitute(NodeType(loop.iter_range.get()), false);
    Type var;
    // Two variables: a list's index and element, a map's key and value.
    const bool two = !loop.iter_var2.empty();
    Type var2 = Type::Dyn();
    switch (range.kind()) {
      case Kind::kList:
        var = two ? Type::Int() : range.element();
        var2 = range.element();
        break;
      case Kind::kMap:
        var = range.key();  // maps range over their keys
        var2 = range.value();
        break;
      case Kind::kDyn:
      case Kind::kError:
      case Kind::kTypeParam:
        // Pin an unknown range to dyn, so that nothing later assumes a
        // narrower type for it than the loop did.
        IsAssignable(Type::Dyn(), range);
        var = Type::Dyn();
        break;
      default:
        if (loop.iter_range != nullptr) {
          Error(*loop.iter_range,
                absl::StrCat("expression of type '", Show(range),
                             "' cannot be range of a comprehension (must be "
                             "list, map, or dynamic)"));
        }
        var = Type::Error();
        var2 = Type::Error();
        break;
    }
    // The accumulator is visible in the condition, the step and the result;
    // the iteration variables only in the condition and the step.
    locals_.push_back({loop.accu_var, accu});
    locals_.push_back({loop.iter_var, std::move(var)});
    if (two) locals_.push_back({loop.iter_var2, std::move(var2)});
    Check(loop.loop_condition.get());
    ExpectType(loop.loop_condition.get(), Type::Bool());
    Check(loop.loop_step.get());
    ExpectType(loop.loop_step.get(), accu);
    if (two) locals_.pop_back();
    locals_.pop_back();
    Check(loop.result.get());
    locals_.pop_back();
    SetType(expr, Substitute(NodeType(loop.result.get()), false));
  }

  // --- Calls ----------------------------------------------------------------

  // _&&_, _||_ (both operands bool) and @not_strictly_false (bool): the
  // evaluator's own, in no registry. dyn operands are checked at run time.
  void CheckLogic(Expr& expr, CallExpr& call) {
    bool ok = true;
    for (ExprPtr& arg : call.args) {
      Check(arg.get());
      if (!IsAssignable(Type::Bool(), NodeType(arg.get()))) ok = false;
    }
    Reference& ref = out_.references[expr.id];
    ref.name = call.function;
    if (!ok) {
      NoMatchingOverload(expr, call, call.function, /*receiver=*/false);
      SetType(expr, Type::Error());
      return;
    }
    SetType(expr, Type::Bool());
  }

  // cond ? a : b: a bool condition; the branches' common type, or dyn when
  // they have none.
  void CheckConditional(Expr& expr, CallExpr& call) {
    for (ExprPtr& arg : call.args) Check(arg.get());
    Reference& ref = out_.references[expr.id];
    ref.name = call.function;
    if (!IsAssignable(Type::Bool(), NodeType(call.args[0].get()))) {
      NoMatchingOverload(expr, call, call.function, /*receiver=*/false);
      SetType(expr, Type::Error());
      return;
    }
    std::optional<Type> result = NodeType(call.args[1].get());
    result = Join(result, NodeType(call.args[2].get()));
    SetType(expr, *std::move(result));
  }

  // == and != compare values of any two types (CEL's heterogeneous
  // equality: 1 == 1u is true, 1 == 'a' is false), so they never fail to
  // check. The registry's overloads that fit are recorded for the planner.
  void CheckEquality(Expr& expr, CallExpr& call) {
    for (ExprPtr& arg : call.args) Check(arg.get());
    Reference& ref = out_.references[expr.id];
    ref.name = call.function;
    if (const std::vector<Overload>* overloads =
            env_.functions().Find(call.function)) {
      ArgTypes args = ArgTypesOf(call, /*receiver=*/false);
      for (const Overload& overload : *overloads) {
        Type result;
        if (Matches(overload, /*receiver=*/false, args, &result)) {
          ref.overloads.push_back(&overload);
        }
      }
    }
    SetType(expr, Type::Bool());
  }

  ArgTypes ArgTypesOf(const CallExpr& call, bool receiver) const {
    ArgTypes types;
    if (receiver) types.push_back(&NodeTypeRef(call.target.get()));
    for (const ExprPtr& arg : call.args) {
      types.push_back(&NodeTypeRef(arg.get()));
    }
    return types;
  }

  // A function by name, resolved in the container: its overloads and the
  // name it was found under, or null.
  const std::vector<Overload>* FindFunction(absl::string_view name,
                                            std::string* resolved) const {
    if (IsOperatorName(name) ||
        (env_.container().empty() && !absl::StartsWith(name, "."))) {
      *resolved = std::string(name);
      return env_.functions().Find(name);
    }
    for (std::string& candidate : env_.ResolutionCandidates(name)) {
      if (const std::vector<Overload>* overloads =
              env_.functions().Find(candidate)) {
        *resolved = std::move(candidate);
        return overloads;
      }
    }
    return nullptr;
  }

  // Whether `overload` accepts arguments of `args` types; if so, its
  // result type (under the bindings this made) and the bindings are kept.
  bool Matches(const Overload& overload, bool receiver, const ArgTypes& args,
               Type* result) {
    if (overload.receiver_style != receiver ||
        overload.params.size() != args.size()) {
      return false;
    }
    // Most candidates differ from the arguments in a plain kind (int for a
    // string): refused before anything is instantiated or bound.
    bool generic = HasParams(overload.result);
    for (size_t i = 0; i < args.size(); ++i) {
      if (Clash(*args[i], overload.params[i])) return false;
      generic = generic || HasParams(overload.params[i]);
    }
    size_t mark = trail_.size();
    if (!generic) {
      for (size_t i = 0; i < args.size(); ++i) {
        if (!Assignable(*args[i], overload.params[i])) {
          Rollback(mark);
          return false;
        }
      }
      *result = overload.result;
      return true;
    }
    // A generic signature gets fresh variables for its parameters, so that
    // two calls of size(list(A)) do not bind one A.
    std::vector<std::pair<std::string, Type>> fresh;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!Assignable(*args[i], Rename(overload.params[i], fresh))) {
        Rollback(mark);
        return false;
      }
    }
    *result = Substitute(Rename(overload.result, fresh), false);
    return true;
  }

  // Whether `arg` certainly cannot be passed as `param`: both have a
  // definite kind, and not the same one.
  bool Clash(const Type& arg, const Type& param) const {
    const Type& a = Follow(arg);
    if (IsWildcard(a) || IsWildcard(param)) return false;
    return a.kind() != param.kind();
  }

  Reference& ResolveOverloads(Expr& expr, const CallExpr& call,
                              std::string name,
                              const std::vector<Overload>& overloads,
                              bool receiver) {
    ArgTypes args = ArgTypesOf(call, receiver);
    Reference& ref = out_.references[expr.id];
    ref.name = std::move(name);
    std::optional<Type> result;
    for (const Overload& overload : overloads) {
      Type type;
      if (!Matches(overload, receiver, args, &type)) continue;
      ref.overloads.push_back(&overload);
      // One result type when every candidate agrees; dyn otherwise, and
      // the evaluator picks the overload from the values.
      if (!result.has_value()) {
        result = std::move(type);
      } else if (!result->is_dyn() && !(type == *result)) {
        result = Type::Dyn();
      }
    }
    if (!result.has_value()) {
      NoMatchingOverload(expr, call, ref.name, receiver);
      SetType(expr, Type::Error());
    } else {
      SetType(expr, *std::move(result));
    }
    return ref;
  }

  // cel-go's wording: "(int, string)", or "string.(int)" for a receiver.
  void NoMatchingOverload(const Expr& expr, const CallExpr& call,
                          absl::string_view name, bool receiver) {
    std::vector<std::string> shown;
    for (const ExprPtr& arg : call.args) {
      shown.push_back(Show(NodeType(arg.get())));
    }
    std::string signature = absl::StrCat("(", absl::StrJoin(shown, ", "), ")");
    if (receiver) {
      signature =
          absl::StrCat(Show(NodeType(call.target.get())), ".", signature);
    }
    Error(expr, absl::StrCat("found no matching overload for '", name,
                             "' applied to '", signature, "'"));
  }

  // --- Names and fields -----------------------------------------------------

  // Resolves a (possibly qualified) name against the declared variables and
  // the type names, from the innermost container namespace out, and types
  // `expr` as what it names.
  bool Resolve(Expr& expr, absl::string_view name) {
    if (env_.container().empty() && !absl::StartsWith(name, ".")) {
      return ResolveAs(expr, name);
    }
    for (const std::string& candidate : env_.ResolutionCandidates(name)) {
      if (ResolveAs(expr, candidate)) return true;
    }
    return false;
  }

  bool ResolveAs(Expr& expr, absl::string_view name) {
    if (const VariableDecl* variable = env_.FindVariable(name)) {
      out_.references[expr.id].variable = variable;
      SetType(expr, variable->type);
      return true;
    }
    if (std::optional<Type> type = NamedType(name)) {
      out_.references[expr.id].name = std::string(name);
      SetType(expr, Type::TypeOf(*std::move(type)));
      return true;
    }
    return false;
  }

  // operand.field: a record gives the field's declared type; a map with
  // string keys gives its values; dyn gives dyn; an optional gives an
  // optional of its value's field. has(operand.field) is a bool.
  void SelectField(Expr& expr) {
    const SelectExpr& select = SelectOf(expr);
    Type operand = Substitute(NodeType(select.operand.get()), false);
    Type result;
    if (operand.kind() == Kind::kOptional) {
      result = FieldType(expr, select.field, operand.element());
      if (result.kind() != Kind::kError) result = Type::Optional(result);
    } else {
      result = FieldType(expr, select.field, operand);
    }
    if (select.test_only && result.kind() != Kind::kError) {
      result = Type::Bool();
    }
    SetType(expr, std::move(result));
  }

  // The type of `field` of a value of type `operand`, or error (reported).
  Type FieldType(const Expr& expr, absl::string_view field,
                 const Type& operand) {
    Type result;
    switch (operand.kind()) {
      case Kind::kMap:
        if (operand.is_record()) {
          if (const Type* declared = operand.FieldType(field)) {
            result = *declared;
          } else {
            Error(expr, absl::StrCat("undefined field '", field, "' of ",
                                     Show(operand)));
            result = Type::Error();
          }
        } else if (IsAssignable(Type::String(), operand.key())) {
          result = operand.value();
        } else {
          Error(expr, absl::StrCat("type '", Show(operand),
                                   "' does not support field selection (its "
                                   "keys are not strings)"));
          result = Type::Error();
        }
        break;
      case Kind::kDyn:
        result = Type::Dyn();
        break;
      case Kind::kError:
        result = Type::Error();
        break;
      case Kind::kTypeParam:
        IsAssignable(Type::Dyn(), operand);
        result = Type::Dyn();
        break;
      default:
        Error(expr, absl::StrCat("type '", Show(operand),
                                 "' does not support field selection"));
        result = Type::Error();
        break;
    }
    return result;
  }

  static const SelectExpr& SelectOf(const Expr& expr) {
    return std::get<SelectExpr>(expr.kind);
  }

  const Local* FindLocal(absl::string_view name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it) {
      if (it->name == name) return &*it;
    }
    return nullptr;
  }

  // No declared name has more dot-separated segments than this, so longer
  // prefixes of a select chain need not be tried: a chain thousands of
  // selections long costs one pass, not thousands of lookups.
  size_t MaxNameSegments() {
    if (max_name_segments_ == 0) {
      max_name_segments_ = kMaxTypeNameSegments;
      for (const VariableDecl& variable : env_.variables()) {
        max_name_segments_ =
            std::max(max_name_segments_, Segments(variable.name));
      }
    }
    return max_name_segments_;
  }

  // --- Types of nodes -------------------------------------------------------

  void SetType(const Expr& expr, Type type) {
    out_.types.insert_or_assign(expr.id, std::move(type));
  }

  Type NodeType(const Expr* expr) const { return NodeTypeRef(expr); }

  // Valid until the next SetType.
  const Type& NodeTypeRef(const Expr* expr) const {
    // Leaked on purpose: a function-local static with a trivial lifetime.
    static const Type* const kError = new Type(Type::Error());
    if (expr == nullptr) return *kError;
    auto it = out_.types.find(expr->id);
    return it == out_.types.end() ? *kError : it->second;
  }

  void ExpectType(const Expr* expr, const Type& expected) {
    if (expr == nullptr) return;
    Type actual = NodeType(expr);
    if (IsAssignable(expected, actual)) return;
    Error(*expr, absl::StrCat("expected type '", Show(expected),
                              "' but found '", Show(actual), "'"));
  }

  // The type of a list or map literal's elements so far, given one more:
  // the more general of the two when they agree, dyn when they do not.
  std::optional<Type> Join(const std::optional<Type>& previous,
                           const Type& current) {
    if (!previous.has_value()) return current;
    if (!IsAssignable(*previous, current)) return Type::Dyn();
    if (previous->kind() == Kind::kType && current.kind() == Kind::kType &&
        !(Substitute(previous->denoted(), false) ==
          Substitute(current.denoted(), false))) {
      return Type::TypeOf(Type::Dyn());
    }
    return MostGeneral(*previous, current);
  }

  std::string Show(const Type& type) const {
    return Substitute(type, /*params_to_dyn=*/true).DebugString();
  }

  // --- Type variables and unification ---------------------------------------

  Type NewVar() { return Type::Param(absl::StrCat("_var", next_var_++)); }

  // `t` with the type parameters of an overload signature renamed to fresh
  // variables, consistently within one signature (`fresh`).
  Type Rename(const Type& t, std::vector<std::pair<std::string, Type>>& fresh) {
    if (t.kind() == Kind::kTypeParam) {
      for (const auto& [name, var] : fresh) {
        if (name == t.param_name()) return var;
      }
      fresh.emplace_back(t.param_name(), NewVar());
      return fresh.back().second;
    }
    return MapParams(t, [&](const Type& p) { return Rename(p, fresh); });
  }

  // `t`, or what the variable `t` is bound to, to the end of the chain.
  // Valid until the next Bind.
  const Type& Follow(const Type& t) const {
    const Type* at = &t;
    while (at->kind() == Kind::kTypeParam) {
      auto it = bindings_.find(at->param_name());
      if (it == bindings_.end()) break;
      at = &it->second;
    }
    return *at;
  }

  std::optional<Type> Binding(const Type& var) const {
    auto it = bindings_.find(var.param_name());
    if (it == bindings_.end()) return std::nullopt;
    return it->second;
  }

  void Bind(const Type& var, Type type) {
    auto it = bindings_.find(var.param_name());
    if (it == bindings_.end()) {
      trail_.push_back({var.param_name(), std::nullopt});
      bindings_.emplace(var.param_name(), std::move(type));
    } else {
      trail_.push_back({var.param_name(), it->second});
      it->second = std::move(type);
    }
  }

  void Rollback(size_t mark) {
    while (trail_.size() > mark) {
      Undo& undo = trail_.back();
      if (undo.previous.has_value()) {
        bindings_[undo.var] = *std::move(undo.previous);
      } else {
        bindings_.erase(undo.var);
      }
      trail_.pop_back();
    }
  }

  // `t` with bound variables replaced by their bindings; unbound ones stay,
  // or become dyn with `params_to_dyn`.
  Type Substitute(const Type& t, bool params_to_dyn) const {
    if (!HasParams(t)) return t;
    if (t.kind() == Kind::kTypeParam) {
      if (std::optional<Type> bound = Binding(t)) {
        return Substitute(*bound, params_to_dyn);
      }
      return params_to_dyn ? Type::Dyn() : t;
    }
    return MapParams(
        t, [&](const Type& p) { return Substitute(p, params_to_dyn); });
  }

  // Unifies, keeping the bindings only when it succeeds.
  bool IsAssignable(const Type& t1, const Type& t2) {
    size_t mark = trail_.size();
    if (Assignable(t1, t2)) return true;
    Rollback(mark);
    return false;
  }

  // cel-go's rules: a type parameter unifies with anything it is not part
  // of; dyn and error with anything; null only with null, or where an
  // optional is expected (NullableAccepts); lists, maps and optionals
  // parameter by parameter; any type value with any other; other types
  // with themselves. May leave partial bindings on failure (the callers
  // roll back).
  bool Assignable(const Type& t1, const Type& t2) {
    if (t2.kind() == Kind::kTypeParam) {
      auto [valid, substituted] = ValidSubstitution(t1, t2);
      if (valid) return true;
      if (substituted) return false;
    }
    if (t1.kind() == Kind::kTypeParam) return ValidSubstitution(t2, t1).first;
    if (IsDynOrError(t1) || IsDynOrError(t2)) return true;
    if (NullableAccepts(t1, t2)) return true;
    if (t1.kind() != t2.kind()) return false;
    switch (t1.kind()) {
      case Kind::kList:
      case Kind::kOptional:
        return Assignable(t1.element(), t2.element());
      case Kind::kMap:
        return Assignable(t1.key(), t2.key()) &&
               Assignable(t1.value(), t2.value());
      default:
        return true;
    }
  }

  // Whether `t` may stand for the type variable `var`: {valid, whether var
  // was already bound}. Binds or widens `var` when it may.
  std::pair<bool, bool> ValidSubstitution(const Type& t, const Type& var) {
    if (t == var) return {true, true};
    if (std::optional<Type> bound = Binding(var)) {
      if (t == *bound) return {true, true};
      if (Assignable(t, *bound)) {
        Type general = MostGeneral(t, *bound);
        if (NotReferencedIn(var, general)) Bind(var, std::move(general));
        return {true, true};
      }
      return {false, true};
    }
    if (NotReferencedIn(var, t)) {
      Bind(var, t);
      return {true, false};
    }
    return {false, false};
  }

  // The occurs check: binding `var` to `within` must not make a cycle.
  bool NotReferencedIn(const Type& var, const Type& within) const {
    if (var == within) return false;
    switch (within.kind()) {
      case Kind::kTypeParam: {
        std::optional<Type> bound = Binding(within);
        return !bound.has_value() || NotReferencedIn(var, *bound);
      }
      case Kind::kList:
      case Kind::kType:
      case Kind::kOptional:
        return NotReferencedIn(var, within.element());
      case Kind::kMap:
        return NotReferencedIn(var, within.key()) &&
               NotReferencedIn(var, within.value());
      default:
        return true;
    }
  }

  // cel-go's legacy nullable types: null where an optional is expected
  // ([optional.of(1), null] is a list of optional_type(int)).
  static bool NullableAccepts(const Type& t1, const Type& t2) {
    return t1.kind() == Kind::kOptional && t2.kind() == Kind::kNull;
  }

  static bool EqualOrLessSpecific(const Type& t1, const Type& t2) {
    if (t1.is_dyn() || t1.kind() == Kind::kTypeParam) return true;
    if (NullableAccepts(t1, t2)) return true;
    if (t2.is_dyn() || t2.kind() == Kind::kTypeParam) return false;
    if (t1.kind() != t2.kind()) return false;
    switch (t1.kind()) {
      case Kind::kList:
      case Kind::kOptional:
        return EqualOrLessSpecific(t1.element(), t2.element());
      case Kind::kMap:
        return EqualOrLessSpecific(t1.key(), t2.key()) &&
               EqualOrLessSpecific(t1.value(), t2.value());
      default:
        return true;
    }
  }

  static Type MostGeneral(const Type& a, const Type& b) {
    return EqualOrLessSpecific(a, b) ? a : b;
  }

  // --- Errors ---------------------------------------------------------------

  void Error(const Expr& at, std::string message) {
    if (errors_.size() >= kMaxKeptErrors) {
      ++dropped_errors_;
      return;
    }
    errors_.push_back({at.offset, std::move(message)});
  }

  const Environment& env_;
  CheckedExpr& out_;
  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
  size_t max_name_segments_ = 0;
  std::vector<Local> locals_;
  absl::flat_hash_map<std::string, Type> bindings_;
  std::vector<Undo> trail_;
  int next_var_ = 0;
  std::vector<Problem> errors_;
  size_t dropped_errors_ = 0;
};

}  // namespace

absl::StatusOr<CheckedExpr> Check(ParsedExpr parsed, const Environment& env) {
  CheckedExpr checked;
  checked.parsed = std::move(parsed);
  if (checked.parsed.root == nullptr) {
    return absl::InvalidArgumentError("there is no expression to check");
  }
  Checker checker(env, checked);
  checker.Check(checked.parsed.root.get());
  absl::Status status = checker.Finish();
  if (!status.ok()) return status;
  return checked;
}

}  // namespace motive::expr
