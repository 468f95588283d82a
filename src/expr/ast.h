// The parsed form of a CEL expression, as the CEL specification defines it
// (cel.expr.Expr): constants, identifiers, field selections, calls, list and
// map literals, and comprehensions, into which the parser expands the
// macros (has, all, exists, exists_one, map, filter; the two-variable all,
// exists, existsOne, transformList and transformMap; cel.bind).
//
// Operators are calls with CEL's reserved names: `_+_`, `_-_`, `_*_`, `_/_`,
// `_%_`, `-_`, `!_`, `_==_`, `_!=_`, `_<_`, `_<=_`, `_>_`, `_>=_`, `@in`,
// `_[_]`, `_&&_`, `_||_`, `_?_:_`, and `@not_strictly_false` in the loop
// condition of expanded macros.
//
// Every node has an id, unique within the expression, and a byte offset in
// the source, so that the checker and the evaluator can point at the text:
// where the node starts, except for binary operators, which point at the
// operator (`1 + 'a'` is wrong at the `+`).

#ifndef MOTIVE_EXPR_AST_H_
#define MOTIVE_EXPR_AST_H_

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/string_view.h"

namespace motive::expr {

inline constexpr absl::string_view kAdd = "_+_";
inline constexpr absl::string_view kSubtract = "_-_";
inline constexpr absl::string_view kMultiply = "_*_";
inline constexpr absl::string_view kDivide = "_/_";
inline constexpr absl::string_view kModulo = "_%_";
inline constexpr absl::string_view kNegate = "-_";
inline constexpr absl::string_view kNot = "!_";
inline constexpr absl::string_view kEqual = "_==_";
inline constexpr absl::string_view kNotEqual = "_!=_";
inline constexpr absl::string_view kLess = "_<_";
inline constexpr absl::string_view kLessEqual = "_<=_";
inline constexpr absl::string_view kGreater = "_>_";
inline constexpr absl::string_view kGreaterEqual = "_>=_";
inline constexpr absl::string_view kIn = "@in";
inline constexpr absl::string_view kIndex = "_[_]";
inline constexpr absl::string_view kAnd = "_&&_";
inline constexpr absl::string_view kOr = "_||_";
inline constexpr absl::string_view kConditional = "_?_:_";
inline constexpr absl::string_view kNotStrictlyFalse = "@not_strictly_false";

// The accumulator variable of expanded macros.
inline constexpr absl::string_view kAccumulator = "__result__";
// accumulator with key -> value added: the step of transformMap, which has
// no operator of its own (cel-go's cel.@mapInsert).
inline constexpr absl::string_view kMapInsert = "@mapInsert";
// Optional values (std_optionals.cc): a.?f and a[?k], and the two methods
// whose alternative is evaluated only when needed.
inline constexpr absl::string_view kSelectOptional = "_?._";
inline constexpr absl::string_view kIndexOptional = "_[?_]";
inline constexpr absl::string_view kOptionalOr = "or";
inline constexpr absl::string_view kOptionalOrValue = "orValue";

// A literal. Strings and bytes hold their decoded content.
struct NullConstant {};
struct BytesConstant {
  std::string bytes;
  friend bool operator==(const BytesConstant&, const BytesConstant&) = default;
};
using Constant = std::variant<NullConstant, bool, int64_t, uint64_t, double,
                              std::string, BytesConstant>;

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct ConstExpr {
  Constant value;
};

// A name, possibly qualified (a.b.c is parsed as selections; the checker
// resolves which prefix is a variable).
struct IdentExpr {
  std::string name;
};

// operand.field; with test_only, has(operand.field).
struct SelectExpr {
  ExprPtr operand;
  std::string field;
  bool test_only = false;
};

// function(args) or target.function(args).
struct CallExpr {
  ExprPtr target;  // null for a global call
  std::string function;
  std::vector<ExprPtr> args;
};

struct ListExpr {
  std::vector<ExprPtr> elements;
  // [?e]: per element, whether it is optional (an optional that adds its
  // value, or nothing when none). Empty when none is.
  std::vector<bool> optional;
};

struct MapExpr {
  struct Entry {
    int64_t id = 0;
    ExprPtr key;
    ExprPtr value;
    // {?k: v}: v is an optional; the entry is there only when it has a
    // value.
    bool optional = false;
  };
  std::vector<Entry> entries;
};

// A message construction, Name{field: value}: parsed so that errors can name
// it, but motive's subset has no message types.
struct StructExpr {
  std::string message_name;
  struct Field {
    int64_t id = 0;
    std::string name;
    ExprPtr value;
  };
  std::vector<Field> fields;
};

// The loop every macro expands into:
//   accu_var = accu_init
//   for iter_var in iter_range:       (list elements, or map keys)
//     if !loop_condition: break
//     accu_var = loop_step
//   result
// The two-variable macros (all(i, v, p), transformList...) name a second
// variable: then iter_var is a list's index or a map's key, and iter_var2
// the element or the key's value.
struct ComprehensionExpr {
  std::string iter_var;
  std::string iter_var2;  // empty: a one-variable comprehension
  ExprPtr iter_range;
  std::string accu_var;
  ExprPtr accu_init;
  ExprPtr loop_condition;
  ExprPtr loop_step;
  ExprPtr result;
};

struct Expr {
  int64_t id = 0;
  // Byte offset in the source (see the file comment).
  int32_t offset = 0;
  std::variant<ConstExpr, IdentExpr, SelectExpr, CallExpr, ListExpr, MapExpr,
               StructExpr, ComprehensionExpr>
      kind;
};

// A parsed expression and what is needed to point into its source.
struct ParsedExpr {
  ExprPtr root;
  std::string source;
  // Byte offsets where lines 2, 3, ... start, for line:column positions.
  std::vector<int32_t> line_offsets;
  int64_t next_id = 1;  // ids below this are taken

  // 1-based line and column (in code points) of a byte offset.
  struct Position {
    int line;
    int column;
  };
  Position PositionOf(int32_t offset) const;
};

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_AST_H_
