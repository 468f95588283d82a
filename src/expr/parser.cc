#include "expr/parser.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "base/errors.h"
#include "expr/ast.h"
#include "expr/lexer.h"

namespace motive::expr {
namespace {

// langdef's RESERVED words that the lexer returns as identifiers (true,
// false, null and in are tokens of their own).
bool IsReserved(absl::string_view name) {
  static constexpr absl::string_view kReserved[] = {
      "as",        "break",  "const",  "continue", "else", "for",
      "function",  "if",     "import", "let",      "loop", "package",
      "namespace", "return", "var",    "void",     "while"};
  for (absl::string_view word : kReserved) {
    if (name == word) return true;
  }
  return false;
}

// The offset of the first byte that does not belong to well-formed UTF-8
// (no overlong forms, no surrogates, nothing past U+10FFFF), or npos.
size_t FindInvalidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > s.size()) return i;
    unsigned char second = static_cast<unsigned char>(s[i + 1]);
    if (second < low || second > high) return i;
    for (size_t k = 2; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return absl::string_view::npos;
}

// Where lines 2, 3, ... start; langdef's NEWLINE is \r\n, \r or \n.
std::vector<int32_t> LineOffsets(absl::string_view s) {
  std::vector<int32_t> offsets;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
    if (s[i] == '\n' || s[i] == '\r') {
      offsets.push_back(static_cast<int32_t>(i + 1));
    }
  }
  return offsets;
}

// Moves past one code point, or one byte of invalid UTF-8.
size_t NextCodePoint(absl::string_view s, size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) {
    ++i;
  }
  return i;
}

// "line L, column C: message", then the line of source and a caret under
// the column. Long lines are shown as a window around the caret, so that a
// 64 KiB one-line expression does not make a 64 KiB message.
std::string FormatError(const ParsedExpr& parsed, int32_t offset,
                        absl::string_view message) {
  ParsedExpr::Position position = parsed.PositionOf(offset);
  absl::string_view source = parsed.source;
  size_t line_start =
      position.line == 1 ? 0 : parsed.line_offsets[position.line - 2];
  size_t line_end = line_start;
  while (line_end < source.size() && source[line_end] != '\n' &&
         source[line_end] != '\r') {
    ++line_end;
  }
  absl::string_view line = source.substr(line_start, line_end - line_start);

  constexpr int kBefore = 40;
  constexpr int kAfter = 40;
  int caret = position.column - 1;  // code points before the caret
  size_t from = 0;
  std::string shown;
  int dots = caret;
  if (caret > kBefore + 10) {
    for (int i = 0; i < caret - kBefore; ++i) from = NextCodePoint(line, from);
    shown = "...";
    dots = 3 + kBefore;
  }
  size_t to = from;
  for (int i = 0; i < kBefore + kAfter + 1 && to < line.size(); ++i) {
    to = NextCodePoint(line, to);
  }
  // Control characters (tabs included) become spaces, so that the caret
  // lines up and the message stays printable; invalid UTF-8 (only ever
  // reported, never parsed) becomes '?'.
  absl::string_view window = line.substr(from, to - from);
  if (FindInvalidUtf8(window) == absl::string_view::npos) {
    absl::StrAppend(&shown, window);
  } else {
    for (char c : window) {
      shown.push_back(static_cast<unsigned char>(c) >= 0x80 ? '?' : c);
    }
  }
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  if (to < line.size()) shown += "...";
  return absl::StrCat("line ", position.line, ", column ", position.column,
                      ": ", message, "\n | ", shown, "\n | ",
                      std::string(dots, '.'), "^");
}

template <typename... Ts>
std::vector<ExprPtr> Args(Ts... args) {
  std::vector<ExprPtr> out;
  out.reserve(sizeof...(args));
  (out.push_back(std::move(args)), ...);
  return out;
}

// Recursive descent over langdef's grammar, one function per rule.
//
// Two things bound the work on hostile input. Every recursion passes through
// ParseExpr, which counts its depth; the left-associative chains (operators
// of one precedence, member suffixes, unary operators) are loops, not
// recursion. And every node records the height of the tree under it, which
// must stay within max_nesting_depth: later passes (checker, planner,
// destructors) walk the tree recursively, and `a.b.c...` or `1 + 1 + ...`
// make trees as deep as they are long without any parenthesis. The
// operands of && and || are balanced instead (like cel-go), because long
// chains of conditions are ordinary rules and the operators are
// associative in CEL.
class Parser {
 public:
  Parser(const ParseOptions& options, ParsedExpr* out)
      : options_(options),
        limit_(options.limits.max_nesting_depth),
        out_(out),
        lexer_(out->source) {}

  absl::Status Run() {
    if (size_t bad = FindInvalidUtf8(out_->source);
        bad != absl::string_view::npos) {
      Fail(static_cast<int32_t>(bad), "invalid UTF-8 in the expression");
      return status_;
    }
    Advance();
    ExprPtr root = ParseExpr();
    if (root && tok_.kind != TokenKind::kEnd) {
      Fail(tok_.offset,
           absl::StrCat("expected an operator or the end of the expression, "
                        "found ",
                        DescribeToken(tok_)));
    }
    if (!status_.ok()) return status_;
    out_->root = std::move(root);
    out_->next_id = next_id_;
    return absl::OkStatus();
  }

 private:
  bool ok() const { return status_.ok(); }

  // Records the first error only: later ones are consequences of it.
  std::nullptr_t Fail(int32_t offset, absl::string_view message) {
    if (status_.ok()) {
      status_ = base::ParseError("", FormatError(*out_, offset, message));
    }
    return nullptr;
  }

  std::nullptr_t TooDeep(int32_t offset) {
    return Fail(offset, absl::StrCat("expression nested too deeply (more "
                                     "than ",
                                     limit_, " levels)"));
  }

  void Advance() {
    last_offset_ = tok_.offset;
    tok_ = lexer_.Next();
    // A lexical error is the first error wherever the parser is: it cannot
    // consume an error token, so it will fail on this one anyway.
    if (tok_.kind == TokenKind::kError) Fail(tok_.error_offset, tok_.value);
  }

  // The token after tok_, for the one decision that needs two (`!-5`).
  TokenKind PeekKind() const {
    Lexer copy = lexer_;
    return copy.Next().kind;
  }

  bool Expect(TokenKind kind, absl::string_view what) {
    if (tok_.kind == kind) {
      Advance();
      return true;
    }
    Fail(tok_.offset,
         absl::StrCat("expected ", what, ", found ", DescribeToken(tok_)));
    return false;
  }

  std::nullptr_t Unexpected(absl::string_view what) {
    return Fail(tok_.offset, absl::StrCat("expected ", what, ", found ",
                                          DescribeToken(tok_)));
  }

  int64_t NewId() {
    heights_.push_back(0);
    return next_id_++;
  }

  int HeightOf(const ExprPtr& expr) const {
    return expr ? heights_[expr->id] : 0;
  }

  int ChildHeight(const Expr& expr) const {
    int height = 0;
    auto take = [&](const ExprPtr& child) {
      height = std::max(height, HeightOf(child));
    };
    std::visit(
        [&](const auto& kind) {
          using Kind = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<Kind, SelectExpr>) {
            take(kind.operand);
          } else if constexpr (std::is_same_v<Kind, CallExpr>) {
            take(kind.target);
            for (const ExprPtr& arg : kind.args) take(arg);
          } else if constexpr (std::is_same_v<Kind, ListExpr>) {
            for (const ExprPtr& element : kind.elements) take(element);
          } else if constexpr (std::is_same_v<Kind, MapExpr>) {
            for (const MapExpr::Entry& entry : kind.entries) {
              take(entry.key);
              take(entry.value);
            }
          } else if constexpr (std::is_same_v<Kind, StructExpr>) {
            for (const StructExpr::Field& field : kind.fields)
              take(field.value);
          } else if constexpr (std::is_same_v<Kind, ComprehensionExpr>) {
            take(kind.iter_range);
            take(kind.accu_init);
            take(kind.loop_condition);
            take(kind.loop_step);
            take(kind.result);
          }
        },
        expr.kind);
    return height;
  }

  // Every node is made here: a fresh id, and the height check. Null (with
  // the error recorded) when the tree would be too deep.
  template <typename Kind>
  ExprPtr Make(int32_t offset, Kind kind) {
    auto expr = std::make_unique<Expr>();
    expr->offset = offset;
    expr->kind = std::move(kind);
    int height = 1 + ChildHeight(*expr);
    if (height > limit_) return TooDeep(last_offset_);
    expr->id = NewId();
    heights_[expr->id] = height;
    return expr;
  }

  ExprPtr Call(int32_t offset, absl::string_view function,
               std::vector<ExprPtr> args) {
    return Make(offset,
                CallExpr{nullptr, std::string(function), std::move(args)});
  }

  ExprPtr Const(int32_t offset, Constant value) {
    return Make(offset, ConstExpr{std::move(value)});
  }

  // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
  ExprPtr ParseExpr() {
    if (depth_ >= limit_) return TooDeep(tok_.offset);
    ++depth_;
    ExprPtr expr = ParseConditional();
    --depth_;
    return expr;
  }

  ExprPtr ParseConditional() {
    const int32_t start = tok_.offset;
    ExprPtr condition = ParseOr();
    if (!condition || tok_.kind != TokenKind::kQuestion) return condition;
    Advance();
    ExprPtr if_true = ParseOr();
    if (!if_true || !Expect(TokenKind::kColon, "':'")) return nullptr;
    ExprPtr if_false = ParseExpr();
    if (!if_false) return nullptr;
    return Call(
        start, kConditional,
        Args(std::move(condition), std::move(if_true), std::move(if_false)));
  }

  // ConditionalOr = [ConditionalOr "||"] ConditionalAnd, and the same for
  // ConditionalAnd over Relation.
  ExprPtr ParseOr() { return ParseLogical(TokenKind::kOr, kOr); }
  ExprPtr ParseAnd() { return ParseLogical(TokenKind::kAnd, kAnd); }

  ExprPtr ParseLogical(TokenKind token, absl::string_view function) {
    auto term = [&] {
      return token == TokenKind::kOr ? ParseAnd() : ParseRelation();
    };
    const int32_t start = tok_.offset;
    ExprPtr first = term();
    // Most operands are not chains: no vectors for them.
    if (!first || tok_.kind != token) return first;
    std::vector<ExprPtr> terms;
    std::vector<int32_t> starts;
    terms.push_back(std::move(first));
    starts.push_back(start);
    while (tok_.kind == token) {
      Advance();
      starts.push_back(tok_.offset);
      ExprPtr next = term();
      if (!next) return nullptr;
      terms.push_back(std::move(next));
    }
    return Balance(function, terms, starts, 0, terms.size());
  }

  // The terms [begin, end) as a balanced tree of binary calls, keeping the
  // left-to-right order of the operands. Recursion depth is log2 of the
  // number of terms.
  ExprPtr Balance(absl::string_view function, std::vector<ExprPtr>& terms,
                  const std::vector<int32_t>& starts, size_t begin,
                  size_t end) {
    if (end - begin == 1) return std::move(terms[begin]);
    // The left half gets the extra term: three terms are ((a, b), c).
    size_t middle = begin + (end - begin + 1) / 2;
    ExprPtr left = Balance(function, terms, starts, begin, middle);
    if (!left) return nullptr;
    ExprPtr right = Balance(function, terms, starts, middle, end);
    if (!right) return nullptr;
    return Call(starts[begin], function,
                Args(std::move(left), std::move(right)));
  }

  // Relation = [Relation Relop] Addition
  ExprPtr ParseRelation() {
    ExprPtr left = ParseAddition();
    while (left) {
      absl::string_view function;
      switch (tok_.kind) {
        case TokenKind::kLess:
          function = kLess;
          break;
        case TokenKind::kLessEqual:
          function = kLessEqual;
          break;
        case TokenKind::kGreater:
          function = kGreater;
          break;
        case TokenKind::kGreaterEqual:
          function = kGreaterEqual;
          break;
        case TokenKind::kEqual:
          function = kEqual;
          break;
        case TokenKind::kNotEqual:
          function = kNotEqual;
          break;
        case TokenKind::kIn:
          function = kIn;
          break;
        default:
          return left;
      }
      const int32_t at = tok_.offset;  // errors point at the operator
      Advance();
      ExprPtr right = ParseAddition();
      if (!right) return nullptr;
      left = Call(at, function, Args(std::move(left), std::move(right)));
    }
    return nullptr;
  }

  // Addition = [Addition ("+" | "-")] Multiplication
  ExprPtr ParseAddition() {
    ExprPtr left = ParseMultiplication();
    while (left) {
      absl::string_view function;
      if (tok_.kind == TokenKind::kPlus) {
        function = kAdd;
      } else if (tok_.kind == TokenKind::kMinus) {
        function = kSubtract;
      } else {
        return left;
      }
      const int32_t at = tok_.offset;  // errors point at the operator
      Advance();
      ExprPtr right = ParseMultiplication();
      if (!right) return nullptr;
      left = Call(at, function, Args(std::move(left), std::move(right)));
    }
    return nullptr;
  }

  // Multiplication = [Multiplication ("*" | "/" | "%")] Unary
  ExprPtr ParseMultiplication() {
    ExprPtr left = ParseUnary();
    while (left) {
      absl::string_view function;
      if (tok_.kind == TokenKind::kStar) {
        function = kMultiply;
      } else if (tok_.kind == TokenKind::kSlash) {
        function = kDivide;
      } else if (tok_.kind == TokenKind::kPercent) {
        function = kModulo;
      } else {
        return left;
      }
      const int32_t at = tok_.offset;  // errors point at the operator
      Advance();
      ExprPtr right = ParseUnary();
      if (!right) return nullptr;
      left = Call(at, function, Args(std::move(left), std::move(right)));
    }
    return nullptr;
  }

  static bool IsNumber(TokenKind kind) {
    return kind == TokenKind::kInt || kind == TokenKind::kDouble;
  }

  // Unary = Member | "!" {"!"} Member | "-" {"-"} Member
  //
  // As in CEL's reference grammar, a '-' right before an int or double
  // literal is the literal's sign: -9223372036854775808 is the smallest
  // int, while -(9223372036854775808) is out of range.
  ExprPtr ParseUnary() {
    const TokenKind op = tok_.kind;
    if (op != TokenKind::kNot && op != TokenKind::kMinus) {
      return ParseMember(/*negative=*/false);
    }
    std::vector<int32_t> ops;  // offsets of the operators, left to right
    while (tok_.kind == op) {
      ops.push_back(tok_.offset);
      // Past the limit the tree cannot be built anyway; stop reading.
      if (ops.size() > static_cast<size_t>(limit_)) {
        return TooDeep(tok_.offset);
      }
      Advance();
    }
    ExprPtr operand;
    if (op == TokenKind::kMinus && IsNumber(tok_.kind)) {
      int32_t sign = ops.back();
      ops.pop_back();
      operand = ParseMember(/*negative=*/true, sign);
    } else if (op == TokenKind::kNot && tok_.kind == TokenKind::kMinus &&
               IsNumber(PeekKind())) {
      int32_t sign = tok_.offset;
      Advance();
      operand = ParseMember(/*negative=*/true, sign);
    } else {
      operand = ParseMember(/*negative=*/false);
    }
    for (size_t i = ops.size(); operand && i-- > 0;) {
      operand = Call(ops[i], op == TokenKind::kNot ? kNot : kNegate,
                     Args(std::move(operand)));
    }
    return operand;
  }

  // Member = Primary | Member "." IDENT ["(" [ExprList] ")"]
  //        | Member "[" Expr "]"
  // and message construction, which needs a qualified name before '{'.
  ExprPtr ParseMember(bool negative, int32_t sign = 0) {
    const int32_t start = negative ? sign : tok_.offset;
    // While the expression is only a (possibly qualified) name, its text,
    // in case a '{' makes it a message name.
    std::string name;
    bool is_name = false;
    ExprPtr expr = ParsePrimary(negative, start, &name, &is_name);
    while (expr) {
      switch (tok_.kind) {
        case TokenKind::kDot: {
          Advance();
          if (tok_.kind == TokenKind::kQuestion) {
            Advance();
            std::string field;
            if (tok_.kind == TokenKind::kQuotedIdent) {
              field = std::move(tok_.value);
            } else if (tok_.kind == TokenKind::kIdent) {
              field = std::string(tok_.text);
            } else {
              return Unexpected("a field name after '.?'");
            }
            Advance();
            expr = Call(start, kSelectOptional,
                        Args(std::move(expr), Const(start, std::move(field))));
            is_name = false;
            break;
          }
          if (tok_.kind == TokenKind::kQuotedIdent) {
            std::string field = std::move(tok_.value);
            Advance();
            expr = Make(start, SelectExpr{std::move(expr), std::move(field)});
            is_name = false;
            break;
          }
          if (tok_.kind != TokenKind::kIdent) {
            return Unexpected("a field or method name after '.'");
          }
          // Reserved words are only reserved as identifiers: after a '.'
          // they are field and method names ({'as': 1}.as, a.break()), as
          // cel-go and cel-cpp accept them.
          std::string field(tok_.text);
          Advance();
          if (tok_.kind == TokenKind::kLParen) {
            std::vector<ExprPtr> args;
            if (!ParseArgs(&args)) return nullptr;
            expr = ReceiverCall(start, std::move(expr), std::move(field),
                                std::move(args));
            is_name = false;
          } else {
            if (is_name) absl::StrAppend(&name, ".", field);
            expr = Make(start, SelectExpr{std::move(expr), std::move(field)});
          }
          break;
        }
        case TokenKind::kLBracket: {
          Advance();
          const bool optional = tok_.kind == TokenKind::kQuestion;
          if (optional) Advance();
          ExprPtr index = ParseExpr();
          if (!index || !Expect(TokenKind::kRBracket, "']'")) return nullptr;
          expr = Call(start, optional ? kIndexOptional : kIndex,
                      Args(std::move(expr), std::move(index)));
          is_name = false;
          break;
        }
        case TokenKind::kLBrace:
          if (!is_name) return expr;
          expr = ParseStruct(start, std::move(name));
          name.clear();
          is_name = false;
          break;
        default:
          return expr;
      }
    }
    return nullptr;
  }

  std::nullptr_t ReservedWord() {
    return Fail(tok_.offset,
                absl::StrCat("'", tok_.text,
                             "' is a reserved word and cannot be used as an "
                             "identifier"));
  }

  // Primary = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")"
  //         | "[" [ExprList] [","] "]" | "{" [MapInits] [","] "}"
  //         | LITERAL
  ExprPtr ParsePrimary(bool negative, int32_t start, std::string* name,
                       bool* is_name) {
    switch (tok_.kind) {
      case TokenKind::kInt:
      case TokenKind::kUint:
      case TokenKind::kDouble:
      case TokenKind::kString:
      case TokenKind::kBytes:
      case TokenKind::kTrue:
      case TokenKind::kFalse:
      case TokenKind::kNull:
        return ParseLiteral(negative, start);
      case TokenKind::kDot:
      case TokenKind::kIdent: {
        std::string ident;
        if (tok_.kind == TokenKind::kDot) {
          Advance();
          if (tok_.kind != TokenKind::kIdent) {
            return Unexpected("an identifier after the leading '.'");
          }
          ident = ".";
        }
        if (IsReserved(tok_.text)) return ReservedWord();
        absl::StrAppend(&ident, tok_.text);
        Advance();
        if (tok_.kind == TokenKind::kLParen) {
          std::vector<ExprPtr> args;
          if (!ParseArgs(&args)) return nullptr;
          return GlobalCall(start, std::move(ident), std::move(args));
        }
        *name = ident;
        *is_name = true;
        return Make(start, IdentExpr{std::move(ident)});
      }
      case TokenKind::kQuotedIdent:
        return Fail(tok_.offset,
                    "a quoted identifier can only be a field name, after '.' "
                    "or in a message construction");
      case TokenKind::kLParen: {
        Advance();
        ExprPtr expr = ParseExpr();
        if (!expr || !Expect(TokenKind::kRParen, "')'")) return nullptr;
        return expr;
      }
      case TokenKind::kLBracket:
        return ParseList(start);
      case TokenKind::kLBrace:
        return ParseMap(start);
      default:
        return Unexpected("an expression");
    }
  }

  // "(" [Expr {"," Expr}] ")", with tok_ on the '('.
  bool ParseArgs(std::vector<ExprPtr>* args) {
    Advance();
    if (tok_.kind == TokenKind::kRParen) {
      Advance();
      return true;
    }
    while (true) {
      ExprPtr arg = ParseExpr();
      if (!arg) return false;
      args->push_back(std::move(arg));
      if (tok_.kind == TokenKind::kComma) {
        Advance();
        continue;
      }
      return Expect(TokenKind::kRParen, "',' or ')'");
    }
  }

  // Whether a list, map or message literal continues after an element:
  // a ',' (possibly trailing) or the closing token. Sets *done at the end.
  bool ElementEnd(TokenKind close, absl::string_view expected, bool* done) {
    if (tok_.kind == TokenKind::kComma) {
      Advance();
      if (tok_.kind == close) {
        Advance();
        *done = true;
      }
      return true;
    }
    if (tok_.kind == close) {
      Advance();
      *done = true;
      return true;
    }
    Unexpected(expected);
    return false;
  }

  // Whether the element at tok_ is marked optional ("?"); skips the mark.
  bool OptionalMark() {
    if (tok_.kind != TokenKind::kQuestion) return false;
    Advance();
    return true;
  }

  ExprPtr ParseList(int32_t start) {
    Advance();
    ListExpr list;
    bool done = tok_.kind == TokenKind::kRBracket;
    if (done) Advance();
    while (!done) {
      const bool optional = OptionalMark();
      ExprPtr element = ParseExpr();
      if (!element) return nullptr;
      if (optional || !list.optional.empty()) {
        list.optional.resize(list.elements.size() + 1);
        list.optional.back() = optional;
      }
      list.elements.push_back(std::move(element));
      if (!ElementEnd(TokenKind::kRBracket, "',' or ']'", &done)) {
        return nullptr;
      }
    }
    return Make(start, std::move(list));
  }

  ExprPtr ParseMap(int32_t start) {
    Advance();
    MapExpr map;
    bool done = tok_.kind == TokenKind::kRBrace;
    if (done) Advance();
    while (!done) {
      const bool optional = OptionalMark();
      ExprPtr key = ParseExpr();
      if (!key || !Expect(TokenKind::kColon, "':'")) return nullptr;
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      map.entries.push_back(
          MapExpr::Entry{NewId(), std::move(key), std::move(value), optional});
      if (!ElementEnd(TokenKind::kRBrace, "',' or '}'", &done)) {
        return nullptr;
      }
    }
    return Make(start, std::move(map));
  }

  // Name "{" [FieldInits] [","] "}", with tok_ on the '{'.
  ExprPtr ParseStruct(int32_t start, std::string name) {
    Advance();
    StructExpr message;
    message.message_name = std::move(name);
    bool done = tok_.kind == TokenKind::kRBrace;
    if (done) Advance();
    while (!done) {
      std::string field;
      if (tok_.kind == TokenKind::kQuestion) {
        return Fail(tok_.offset,
                    "optional fields ('?') need message types, which motive "
                    "expressions do not have");
      }
      if (tok_.kind == TokenKind::kQuotedIdent) {
        field = std::move(tok_.value);
      } else if (tok_.kind == TokenKind::kIdent) {
        if (IsReserved(tok_.text)) return ReservedWord();
        field = std::string(tok_.text);
      } else {
        return Unexpected("a field name");
      }
      Advance();
      if (!Expect(TokenKind::kColon, "':'")) return nullptr;
      ExprPtr value = ParseExpr();
      if (!value) return nullptr;
      message.fields.push_back(
          StructExpr::Field{NewId(), std::move(field), std::move(value)});
      if (!ElementEnd(TokenKind::kRBrace, "',' or '}'", &done)) {
        return nullptr;
      }
    }
    return Make(start, std::move(message));
  }

  // The value of an unsigned int literal's digits (decimal, or hex after
  // "0x"); false when it does not fit in 64 bits.
  static bool ParseDigits(absl::string_view text, uint64_t* out) {
    const uint64_t max = std::numeric_limits<uint64_t>::max();
    uint64_t value = 0;
    if (text.size() > 2 && text[0] == '0' && text[1] == 'x') {
      for (char c : text.substr(2)) {
        int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
        if (value > (max >> 4)) return false;
        value = value * 16 + digit;
      }
    } else {
      for (char c : text) {
        uint64_t digit = c - '0';
        if (value > (max - digit) / 10) return false;
        value = value * 10 + digit;
      }
    }
    *out = value;
    return true;
  }

  ExprPtr ParseLiteral(bool negative, int32_t start) {
    Token token = std::move(tok_);
    Advance();
    switch (token.kind) {
      case TokenKind::kInt: {
        uint64_t magnitude = 0;
        const uint64_t max_magnitude =
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) +
            (negative ? 1 : 0);
        if (!ParseDigits(token.text, &magnitude) || magnitude > max_magnitude) {
          return Fail(start,
                      absl::StrCat("integer literal ", negative ? "-" : "",
                                   token.text, " is out of range for an int"));
        }
        int64_t value = static_cast<int64_t>(magnitude - (negative ? 1 : 0));
        if (negative) value = -value - 1;  // -(m - 1) - 1 cannot overflow
        return Const(start, value);
      }
      case TokenKind::kUint: {
        uint64_t value = 0;
        if (!ParseDigits(token.text.substr(0, token.text.size() - 1), &value)) {
          return Fail(start, absl::StrCat("uint literal ", token.text,
                                          " is out of range"));
        }
        return Const(start, value);
      }
      case TokenKind::kDouble: {
        double value = 0;
        // SimpleAtod rounds underflow to zero, and overflow to infinity,
        // which no double literal means.
        if (!absl::SimpleAtod(token.text, &value) || std::isinf(value)) {
          return Fail(start, absl::StrCat("double literal ", token.text,
                                          " is out of range"));
        }
        return Const(start, negative ? -value : value);
      }
      case TokenKind::kString:
        return Const(start, std::move(token.value));
      case TokenKind::kBytes:
        return Const(start, BytesConstant{std::move(token.value)});
      case TokenKind::kTrue:
        return Const(start, true);
      case TokenKind::kFalse:
        return Const(start, false);
      default:
        return Const(start, NullConstant{});
    }
  }

  ExprPtr GlobalCall(int32_t start, std::string function,
                     std::vector<ExprPtr> args) {
    if (options_.macros && function == "has" && args.size() == 1) {
      return ExpandHas(start, std::move(args[0]));
    }
    return Make(start, CallExpr{nullptr, std::move(function), std::move(args)});
  }

  ExprPtr ReceiverCall(int32_t start, ExprPtr target, std::string function,
                       std::vector<ExprPtr> args) {
    if (options_.macros) {
      const size_t n = args.size();
      const auto* ident = std::get_if<IdentExpr>(&target->kind);
      if (ident != nullptr && ident->name == "cel" && function == "bind" &&
          n == 3) {
        return ExpandBind(start, std::move(args));
      }
      const bool quantifier = function == "all" || function == "exists";
      const bool one_variable =
          ((quantifier || function == "exists_one" || function == "filter") &&
           n == 2) ||
          (function == "map" && (n == 2 || n == 3));
      const bool two_variables =
          ((quantifier || function == "existsOne") && n == 3) ||
          ((function == "transformList" || function == "transformMap" ||
            function == "transformMapEntry") &&
           (n == 3 || n == 4));
      if (one_variable || two_variables) {
        return ExpandComprehension(start, std::move(target), function,
                                   std::move(args), two_variables ? 2 : 1);
      }
      if ((function == "optMap" || function == "optFlatMap") && n == 2) {
        return ExpandOptMap(start, std::move(target), function,
                            std::move(args));
      }
    }
    return Make(start, CallExpr{std::move(target), std::move(function),
                                std::move(args)});
  }

  // The name of a macro's variable, args[i] (i is 0 or 1), or empty with
  // the error recorded. `what` says what the variable is for.
  std::string VariableName(const std::vector<ExprPtr>& args, size_t i,
                           absl::string_view function, absl::string_view what) {
    const auto* ident = std::get_if<IdentExpr>(&args[i]->kind);
    if (ident == nullptr || ident->name[0] == '.') {
      Fail(args[i]->offset,
           absl::StrCat("the ", i == 0 ? "first" : "second", " argument of ",
                        function,
                        "() must be a simple identifier, the name of ", what));
      return "";
    }
    if (ident->name == kAccumulator) {
      Fail(args[i]->offset,
           absl::StrCat(what, " cannot be named ", kAccumulator));
      return "";
    }
    return ident->name;
  }

  // cel.bind(x, init, e): e with x bound to init, evaluated once.
  ExprPtr ExpandBind(int32_t start, std::vector<ExprPtr> args) {
    std::string name =
        VariableName(args, 0, "cel.bind", "the variable it binds");
    if (name.empty()) return nullptr;
    return Bind(start, std::move(name), std::move(args[1]), std::move(args[2]));
  }

  // `body` with `name` bound to `init`; cel-go's expansion: a loop over
  // nothing whose accumulator is the name.
  ExprPtr Bind(int32_t at, std::string name, ExprPtr init, ExprPtr body) {
    ComprehensionExpr loop;
    loop.iter_var = "#unused";
    loop.iter_range = Make(at, ListExpr{});
    loop.accu_var = name;
    loop.accu_init = std::move(init);
    loop.loop_condition = Const(at, false);
    loop.loop_step = Make(at, IdentExpr{std::move(name)});
    loop.result = std::move(body);
    if (!ok()) return nullptr;
    return Make(at, std::move(loop));
  }

  // o.optMap(x, e): optional.of(e) with x bound to o's value, or none when
  // o is none; o.optFlatMap(x, e) the same with e an optional itself. o is
  // bound to a name no source can spell, so that it is evaluated once.
  ExprPtr ExpandOptMap(int32_t at, ExprPtr target, const std::string& function,
                       std::vector<ExprPtr> args) {
    std::string name = VariableName(args, 0, function, "the variable it binds");
    if (name.empty()) return nullptr;
    constexpr absl::string_view kTarget = "@optional";
    auto held = [&](absl::string_view method) {
      return Make(at, CallExpr{Make(at, IdentExpr{std::string(kTarget)}),
                               std::string(method),
                               {}});
    };
    ExprPtr mapped =
        Bind(at, std::move(name), held("value"), std::move(args[1]));
    if (function == "optMap") {
      mapped = Call(at, "optional.of", Args(std::move(mapped)));
    }
    ExprPtr none = Make(at, CallExpr{nullptr, "optional.none", {}});
    ExprPtr choice =
        Call(at, kConditional,
             Args(held("hasValue"), std::move(mapped), std::move(none)));
    return Bind(at, std::string(kTarget), std::move(target), std::move(choice));
  }

  // has(e.f): a test-only selection.
  ExprPtr ExpandHas(int32_t start, ExprPtr arg) {
    auto* select = std::get_if<SelectExpr>(&arg->kind);
    if (select == nullptr || select->test_only) {
      return Fail(arg->offset,
                  "invalid argument to has(): expected a field selection "
                  "such as has(a.b)");
    }
    select->test_only = true;
    arg->offset = start;
    return arg;
  }

  // e.all(x, p), e.exists(x, p), e.exists_one(x, p), e.map(x, t),
  // e.map(x, p, t), e.filter(x, p), as cel-spec expands them; and with two
  // variables (`variables` 2), the index or key and the value: e.all(i, v,
  // p), e.exists(i, v, p), e.existsOne(i, v, p), e.transformList(i, v, t),
  // e.transformList(i, v, p, t), e.transformMap(k, v, t),
  // e.transformMap(k, v, p, t), e.transformMapEntry(k, v, m) and
  // e.transformMapEntry(k, v, p, m), as cel-go's comprehensions extension
  // does.
  ExprPtr ExpandComprehension(int32_t start, ExprPtr target,
                              const std::string& function,
                              std::vector<ExprPtr> args, size_t variables) {
    ComprehensionExpr loop;
    constexpr absl::string_view kIterationVariable = "the iteration variable";
    loop.iter_var = VariableName(args, 0, function, kIterationVariable);
    if (loop.iter_var.empty()) return nullptr;
    if (variables == 2) {
      loop.iter_var2 = VariableName(args, 1, function, kIterationVariable);
      if (loop.iter_var2.empty()) return nullptr;
      if (loop.iter_var2 == loop.iter_var) {
        return Fail(args[1]->offset,
                    absl::StrCat("the two variables of ", function,
                                 "() must have different names"));
      }
    }
    // What follows the variables: the predicate, or [predicate,] transform.
    std::vector<ExprPtr> body(std::make_move_iterator(args.begin() + variables),
                              std::make_move_iterator(args.end()));
    const int32_t at = start;
    auto accu = [&] { return Make(at, IdentExpr{std::string(kAccumulator)}); };
    loop.iter_range = std::move(target);
    loop.accu_var = std::string(kAccumulator);
    if (function == "all") {
      loop.accu_init = Const(at, true);
      loop.loop_condition = Call(at, kNotStrictlyFalse, Args(accu()));
      loop.loop_step = Call(at, kAnd, Args(accu(), std::move(body[0])));
      loop.result = accu();
    } else if (function == "exists") {
      loop.accu_init = Const(at, false);
      loop.loop_condition =
          Call(at, kNotStrictlyFalse, Args(Call(at, kNot, Args(accu()))));
      loop.loop_step = Call(at, kOr, Args(accu(), std::move(body[0])));
      loop.result = accu();
    } else if (function == "exists_one" || function == "existsOne") {
      loop.accu_init = Const(at, int64_t{0});
      loop.loop_condition = Const(at, true);
      loop.loop_step = Call(
          at, kConditional,
          Args(std::move(body[0]),
               Call(at, kAdd, Args(accu(), Const(at, int64_t{1}))), accu()));
      loop.result = Call(at, kEqual, Args(accu(), Const(at, int64_t{1})));
    } else {
      // map, filter and transformList: append [t] (or [x]) to a list;
      // transformMap: add k: t to a map; transformMapEntry: add the
      // entries of the map m; under p if any.
      ExprPtr predicate;
      ExprPtr element;
      if (function == "filter") {
        predicate = std::move(body[0]);
        element = Make(args[0]->offset, IdentExpr{loop.iter_var});
      } else if (body.size() == 2) {
        predicate = std::move(body[0]);
        element = std::move(body[1]);
      } else {
        element = std::move(body[0]);
      }
      loop.loop_condition = Const(at, true);
      ExprPtr append;
      if (function == "transformMap") {
        loop.accu_init = Make(at, MapExpr{});
        append = Call(at, kMapInsert,
                      Args(accu(), Make(at, IdentExpr{loop.iter_var}),
                           std::move(element)));
      } else if (function == "transformMapEntry") {
        loop.accu_init = Make(at, MapExpr{});
        append = Call(at, kMapInsert, Args(accu(), std::move(element)));
      } else {
        loop.accu_init = Make(at, ListExpr{});
        ListExpr single;
        single.elements.push_back(std::move(element));
        append = Call(at, kAdd, Args(accu(), Make(at, std::move(single))));
      }
      if (predicate) {
        loop.loop_step =
            Call(at, kConditional,
                 Args(std::move(predicate), std::move(append), accu()));
      } else {
        loop.loop_step = std::move(append);
      }
      loop.result = accu();
    }
    // Any Make above that failed left a null and recorded the error.
    if (!ok()) return nullptr;
    return Make(start, std::move(loop));
  }

  const ParseOptions& options_;
  const int limit_;
  ParsedExpr* out_;
  Lexer lexer_;
  Token tok_;
  // Offset of the token before tok_, where a too-deep tree is reported.
  int32_t last_offset_ = 0;
  absl::Status status_;
  // Recursion depth of ParseExpr.
  int depth_ = 0;
  int64_t next_id_ = 1;
  // Height of the tree under each node, by id (index 0 unused).
  std::vector<int> heights_ = std::vector<int>(1, 0);
};

}  // namespace

absl::StatusOr<ParsedExpr> Parse(absl::string_view source,
                                 const ParseOptions& options) {
  // Checked before anything is copied: the limit is what keeps hostile
  // input cheap to refuse. Offsets are int32_t whatever the limit says.
  if (source.size() > options.limits.max_source_bytes ||
      source.size() >
          static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return base::ParseError(
        "", absl::StrCat("expression of ", source.size(),
                         " bytes is over the limit of ",
                         options.limits.max_source_bytes, " bytes"));
  }
  ParsedExpr parsed;
  parsed.source = std::string(source);
  parsed.line_offsets = LineOffsets(parsed.source);
  absl::Status status = Parser(options, &parsed).Run();
  if (!status.ok()) return status;
  return parsed;
}

}  // namespace motive::expr
