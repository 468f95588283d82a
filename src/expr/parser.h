// Parse: CEL source text to a ParsedExpr (ast.h).
//
// The grammar is CEL's (github.com/google/cel-spec, doc/langdef.md):
//   Expr    = ConditionalOr ["?" ConditionalOr ":" Expr]
//   ConditionalOr  = [ConditionalOr "||"] ConditionalAnd
//   ConditionalAnd = [ConditionalAnd "&&"] Relation
//   Relation = [Relation Relop] Addition   (< <= >= > == != in)
//   Addition = [Addition ("+" | "-")] Multiplication
//   Multiplication = [Multiplication ("*" | "/" | "%")] Unary
//   Unary   = Member | "!" {"!"} Member | "-" {"-"} Member
//   Member  = Primary | Member "." IDENT ["(" [ExprList] ")"]
//           | Member "[" Expr "]"
//   Primary = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")"
//           | "[" [ExprList] [","] "]" | "{" [MapInits] [","] "}"
//           | ["."] IDENT { "." IDENT } "{" [FieldInits] [","] "}"
//           | LITERAL
// with every literal form (ints, 1u, doubles, strings with all escapes, raw
// r"..." and triple-quoted strings, b"..." bytes, true, false, null), and the
// macros has, all, exists, exists_one, map and filter expanded into
// comprehensions as the specification gives them; so are cel-go's
// two-variable macros (all, exists, existsOne, transformList, transformMap
// with an index or key and a value) and cel.bind(x, init, e). Reserved
// words (as, break, ...) are refused as identifiers, but are field and
// method names after a '.'.
//
// Errors are parse errors (base/errors.h) that give the line, the column and
// what was expected, with the line of source and a caret:
//   line 1, column 7: expected an expression, found ')'
//    | a + (b )
//    | ......^
// The limits (functions.h) bound the source size and the nesting depth, so
// that hostile input is refused rather than overflowing the stack.

#ifndef MOTIVE_EXPR_PARSER_H_
#define MOTIVE_EXPR_PARSER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "expr/ast.h"
#include "expr/functions.h"

namespace motive::expr {

struct ParseOptions {
  // Expand has, all, exists, exists_one, map and filter.
  bool macros = true;
  Limits limits;
};

absl::StatusOr<ParsedExpr> Parse(absl::string_view source,
                                 const ParseOptions& options = {});

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_PARSER_H_
