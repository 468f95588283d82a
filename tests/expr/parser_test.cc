#include "expr/parser.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "base/errors.h"
#include "expr/ast.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::expr {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// ---------------------------------------------------------------------------
// A canonical printing of the tree: S-expressions for calls and macros, so
// that precedence and associativity show as nesting.
//   constants   1  1u  1.5  "s"  b"\xff"  true  null
//   identifiers a  .a
//   selections  a.b          has(a.b) when test_only
//   calls       (_+_ a b)    (x.size)  for target x, function size
//   literals    [a b]  {k:v}  Name{f:v}
//   loops       (loop iter range accu init condition step result), with
//               iter,iter2 for two variables

std::string Quote(absl::string_view prefix, absl::string_view bytes) {
  std::string out(prefix);
  out += '"';
  for (char c : bytes) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7F) {
      absl::StrAppendFormat(&out, "\\x%02x", u);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string PrintDouble(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // The shortest form that reads back to the same double.
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), d);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string PrintConstant(const Constant& constant) {
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, NullConstant>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return value ? "true" : "false";
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return absl::StrCat(value);
        } else if constexpr (std::is_same_v<T, uint64_t>) {
          return absl::StrCat(value, "u");
        } else if constexpr (std::is_same_v<T, double>) {
          return PrintDouble(value);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return Quote("", value);
        } else {
          return Quote("b", value.bytes);
        }
      },
      constant);
}

std::string Print(const ExprPtr& expr);

std::string PrintAll(const std::vector<ExprPtr>& exprs) {
  std::string out;
  for (const ExprPtr& e : exprs) absl::StrAppend(&out, " ", Print(e));
  return out;
}

std::string Print(const ExprPtr& expr) {
  if (expr == nullptr) return "<null>";
  return std::visit(
      [](const auto& kind) -> std::string {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, ConstExpr>) {
          return PrintConstant(kind.value);
        } else if constexpr (std::is_same_v<T, IdentExpr>) {
          return kind.name;
        } else if constexpr (std::is_same_v<T, SelectExpr>) {
          std::string select =
              absl::StrCat(Print(kind.operand), ".", kind.field);
          return kind.test_only ? absl::StrCat("has(", select, ")") : select;
        } else if constexpr (std::is_same_v<T, CallExpr>) {
          std::string head =
              kind.target == nullptr
                  ? kind.function
                  : absl::StrCat(Print(kind.target), ".", kind.function);
          return absl::StrCat("(", head, PrintAll(kind.args), ")");
        } else if constexpr (std::is_same_v<T, ListExpr>) {
          std::vector<std::string> elements;
          for (size_t i = 0; i < kind.elements.size(); ++i) {
            const bool optional = i < kind.optional.size() && kind.optional[i];
            elements.push_back(
                absl::StrCat(optional ? "?" : "", Print(kind.elements[i])));
          }
          return absl::StrCat("[", absl::StrJoin(elements, " "), "]");
        } else if constexpr (std::is_same_v<T, MapExpr>) {
          std::vector<std::string> entries;
          for (const auto& entry : kind.entries) {
            entries.push_back(absl::StrCat(entry.optional ? "?" : "",
                                           Print(entry.key), ":",
                                           Print(entry.value)));
          }
          return absl::StrCat("{", absl::StrJoin(entries, " "), "}");
        } else if constexpr (std::is_same_v<T, StructExpr>) {
          std::vector<std::string> fields;
          for (const auto& field : kind.fields) {
            fields.push_back(absl::StrCat(field.name, ":", Print(field.value)));
          }
          return absl::StrCat(kind.message_name, "{",
                              absl::StrJoin(fields, " "), "}");
        } else {
          return absl::StrCat(
              "(loop ", kind.iter_var, kind.iter_var2.empty() ? "" : ",",
              kind.iter_var2, " ", Print(kind.iter_range), " ", kind.accu_var,
              " ", Print(kind.accu_init), " ", Print(kind.loop_condition), " ",
              Print(kind.loop_step), " ", Print(kind.result), ")");
        }
      },
      expr->kind);
}

// Every id positive, below next_id and unique (map entries and message
// fields included); every offset inside the source; no null children.
void CheckInvariants(const ParsedExpr& parsed) {
  absl::flat_hash_set<int64_t> ids;
  const int32_t size = static_cast<int32_t>(parsed.source.size());
  auto id = [&](int64_t value) {
    EXPECT_GT(value, 0);
    EXPECT_LT(value, parsed.next_id);
    EXPECT_TRUE(ids.insert(value).second) << "duplicate id " << value;
  };
  std::vector<const Expr*> stack = {parsed.root.get()};
  while (!stack.empty()) {
    const Expr* e = stack.back();
    stack.pop_back();
    ASSERT_NE(e, nullptr) << parsed.source;
    id(e->id);
    EXPECT_GE(e->offset, 0);
    EXPECT_LE(e->offset, size);
    std::visit(
        [&](const auto& kind) {
          using T = std::decay_t<decltype(kind)>;
          if constexpr (std::is_same_v<T, SelectExpr>) {
            stack.push_back(kind.operand.get());
          } else if constexpr (std::is_same_v<T, CallExpr>) {
            if (kind.target) stack.push_back(kind.target.get());
            for (const auto& a : kind.args) stack.push_back(a.get());
          } else if constexpr (std::is_same_v<T, ListExpr>) {
            for (const auto& a : kind.elements) stack.push_back(a.get());
          } else if constexpr (std::is_same_v<T, MapExpr>) {
            for (const auto& entry : kind.entries) {
              id(entry.id);
              stack.push_back(entry.key.get());
              stack.push_back(entry.value.get());
            }
          } else if constexpr (std::is_same_v<T, StructExpr>) {
            for (const auto& field : kind.fields) {
              id(field.id);
              stack.push_back(field.value.get());
            }
          } else if constexpr (std::is_same_v<T, ComprehensionExpr>) {
            for (const Expr* child :
                 {kind.iter_range.get(), kind.accu_init.get(),
                  kind.loop_condition.get(), kind.loop_step.get(),
                  kind.result.get()}) {
              stack.push_back(child);
            }
          }
        },
        e->kind);
  }
}

// The printed tree, or "ERROR: <message>".
std::string P(absl::string_view source, const ParseOptions& options = {}) {
  absl::StatusOr<ParsedExpr> parsed = Parse(source, options);
  if (!parsed.ok()) {
    EXPECT_TRUE(base::IsParseError(parsed.status())) << parsed.status();
    return absl::StrCat("ERROR: ", parsed.status().message());
  }
  CheckInvariants(*parsed);
  EXPECT_EQ(parsed->source, source);
  return Print(parsed->root);
}

// The message of an expected parse error, checked to be one.
std::string Err(absl::string_view source, const ParseOptions& options = {}) {
  absl::StatusOr<ParsedExpr> parsed = Parse(source, options);
  if (parsed.ok()) {
    ADD_FAILURE() << "parsed: " << source << " as " << Print(parsed->root);
    return "";
  }
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(base::IsParseError(parsed.status()));
  EXPECT_EQ(base::ErrorField(parsed.status()), "");
  return std::string(parsed.status().message());
}

// The first line of an error message: "line L, column C: what".
std::string Head(absl::string_view source) {
  std::string message = Err(source);
  return message.substr(0, message.find('\n'));
}

Constant ConstantOf(absl::string_view source) {
  absl::StatusOr<ParsedExpr> parsed = Parse(source);
  if (!parsed.ok()) {
    ADD_FAILURE() << source << ": " << parsed.status();
    return NullConstant{};
  }
  const auto* constant = std::get_if<ConstExpr>(&parsed->root->kind);
  if (constant == nullptr) {
    ADD_FAILURE() << source << " is not a constant";
    return NullConstant{};
  }
  return constant->value;
}

std::string StringOf(absl::string_view source) {
  Constant c = ConstantOf(source);
  const auto* s = std::get_if<std::string>(&c);
  if (s == nullptr) {
    ADD_FAILURE() << source << " is not a string: " << PrintConstant(c);
    return "";
  }
  return *s;
}

std::string BytesOf(absl::string_view source) {
  Constant c = ConstantOf(source);
  const auto* b = std::get_if<BytesConstant>(&c);
  if (b == nullptr) {
    ADD_FAILURE() << source << " is not bytes: " << PrintConstant(c);
    return "";
  }
  return b->bytes;
}

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) absl::StrAppend(&out, s);
  return out;
}

// ---------------------------------------------------------------------------
// Literals

TEST(ParserLiterals, Ints) {
  EXPECT_EQ(P("0"), "0");
  EXPECT_EQ(P("42"), "42");
  EXPECT_EQ(P("0x1F"), "31");
  EXPECT_EQ(P("0x1f"), "31");
  EXPECT_EQ(P("0x55555555"), "1431655765");
  EXPECT_EQ(P("-0x55555555"), "-1431655765");
  EXPECT_EQ(P("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(P("0x7fffffffffffffff"), "9223372036854775807");
  EXPECT_EQ(P("007"), "7");

  // The smallest int is written with its sign; the sign is the literal's.
  Constant min = ConstantOf("-9223372036854775808");
  ASSERT_TRUE(std::holds_alternative<int64_t>(min));
  EXPECT_EQ(std::get<int64_t>(min), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(P("-0x8000000000000000"), "-9223372036854775808");
  EXPECT_EQ(P("[-1]"), "[-1]");
  EXPECT_EQ(P("- 1"), "-1");

  EXPECT_THAT(Head("9223372036854775808"),
              HasSubstr("integer literal 9223372036854775808 is out of "
                        "range for an int"));
  EXPECT_THAT(Head("-(9223372036854775808)"),
              StartsWith("line 1, column 3: integer literal "
                         "9223372036854775808 is out of range"));
  EXPECT_THAT(Head("-9223372036854775809"), HasSubstr("out of range"));
  EXPECT_THAT(Head("0x8000000000000000"), HasSubstr("out of range"));
  EXPECT_THAT(Head("99999999999999999999999"), HasSubstr("out of range"));
  EXPECT_THAT(Head("0x"), HasSubstr("expected hex digits after '0x'"));
  // Only a lowercase x makes a hex literal, as in langdef.
  EXPECT_THAT(Head("0X1F"), HasSubstr("found 'X1F'"));
  EXPECT_THAT(Head("123abc"), HasSubstr("found 'abc'"));
}

TEST(ParserLiterals, Uints) {
  EXPECT_EQ(P("0u"), "0u");
  EXPECT_EQ(P("0U"), "0u");
  EXPECT_EQ(P("123456789u"), "123456789u");
  EXPECT_EQ(P("0x1u"), "1u");
  EXPECT_EQ(P("0x1FU"), "31u");
  EXPECT_EQ(P("18446744073709551615u"), "18446744073709551615u");
  EXPECT_EQ(P("0xffffffffffffffffu"), "18446744073709551615u");
  EXPECT_THAT(Head("18446744073709551616u"),
              HasSubstr("uint literal 18446744073709551616u is out of range"));
  EXPECT_THAT(Head("0x10000000000000000u"), HasSubstr("out of range"));
  // No negative uint literals: the minus is an operator on 1u.
  EXPECT_EQ(P("-1u"), "(-_ 1u)");
}

TEST(ParserLiterals, Doubles) {
  EXPECT_EQ(P("0.0"), "0.0");
  EXPECT_EQ(P("1.5"), "1.5");
  EXPECT_EQ(P(".5"), "0.5");
  EXPECT_EQ(P(".99"), "0.99");
  EXPECT_EQ(P("1e3"), "1000.0");
  EXPECT_EQ(P("1E+3"), "1000.0");
  EXPECT_EQ(P("2.5e-3"), "0.0025");
  EXPECT_EQ(P("0e+0"), "0.0");
  EXPECT_EQ(P(".5e1"), "5.0");
  EXPECT_EQ(P("-2.3e+1"), "-23.0");
  EXPECT_EQ(P("-0.0"), "-0.0");
  EXPECT_EQ(P("1.7976931348623157e308"), "1.7976931348623157e+308");
  EXPECT_EQ(P("1e-400"), "0.0");  // underflow rounds to zero
  EXPECT_THAT(Head("1e400"), HasSubstr("double literal 1e400 is out of range"));
  // DIGIT* "." DIGIT+: no trailing dot.
  EXPECT_THAT(Head("1."), HasSubstr("expected a field or method name after "
                                    "'.', found end of input"));
  // An exponent needs digits: 1e is the int 1 and the identifier e.
  EXPECT_THAT(Head("1e"), HasSubstr("found 'e'"));
  EXPECT_THAT(Head("1e+"), HasSubstr("found 'e'"));
  EXPECT_THAT(Head("1.5u"), HasSubstr("found 'u'"));
  // A member call on an int literal, not a double.
  EXPECT_EQ(P("1.size()"), "(1.size)");
}

TEST(ParserLiterals, BoolsAndNull) {
  EXPECT_EQ(P("true"), "true");
  EXPECT_EQ(P("false"), "false");
  EXPECT_EQ(P("null"), "null");
  EXPECT_TRUE(std::holds_alternative<NullConstant>(ConstantOf("null")));
}

TEST(ParserLiterals, Strings) {
  EXPECT_EQ(StringOf("''"), "");
  EXPECT_EQ(StringOf("\"\""), "");
  EXPECT_EQ(StringOf("'abc'"), "abc");
  EXPECT_EQ(StringOf("\"it's\""), "it's");
  EXPECT_EQ(StringOf("'\"\"'"), "\"\"");
  EXPECT_EQ(StringOf("'πέντε'"), "πέντε");
  EXPECT_EQ(StringOf("'\xF0\x9F\x90\xB1'"), "\xF0\x9F\x90\xB1");
  // A NUL byte is a character like any other.
  EXPECT_EQ(StringOf(std::string("'a\0b'", 5)), std::string("a\0b", 3));
}

TEST(ParserLiterals, StringEscapes) {
  EXPECT_EQ(StringOf(R"('\a\b\f\n\r\t\v')"), "\a\b\f\n\r\t\v");
  EXPECT_EQ(StringOf(R"('\\\'\"\`\?')"), "\\'\"`?");
  EXPECT_EQ(StringOf(R"("\"")"), "\"");
  EXPECT_EQ(StringOf(R"('\101\102')"), "AB");
  EXPECT_EQ(StringOf(R"('\000')"), std::string(1, '\0'));
  // Octal and \x escapes are code points in strings: U+00FF is two bytes.
  EXPECT_EQ(StringOf(R"('\377')"), "\xC3\xBF");
  EXPECT_EQ(StringOf(R"('\303\277')"), "\xC3\x83\xC2\xBF");
  EXPECT_EQ(StringOf(R"('\x41')"), "A");
  EXPECT_EQ(StringOf(R"('\X41')"), "A");
  EXPECT_EQ(StringOf(R"('\xFF')"), "\xC3\xBF");
  EXPECT_EQ(StringOf(R"('\xff')"), "\xC3\xBF");
  EXPECT_EQ(StringOf(R"('\u270c')"), "\xE2\x9C\x8C");
  EXPECT_EQ(StringOf(R"('\u00e9')"), "\xC3\xA9");
  EXPECT_EQ(StringOf(R"('\u0000')"), std::string(1, '\0'));
  EXPECT_EQ(StringOf(R"('\U0001f431')"), "\xF0\x9F\x90\xB1");
  EXPECT_EQ(StringOf(R"('\U0010FFFF')"), "\xF4\x8F\xBF\xBF");
  EXPECT_EQ(StringOf(R"('\uFFFF')"), "\xEF\xBF\xBF");
  EXPECT_EQ(StringOf(R"("a\tb\\c")"), "a\tb\\c");
}

TEST(ParserLiterals, BadStringEscapes) {
  EXPECT_THAT(Head(R"('\q')"),
              StartsWith("line 1, column 2: invalid escape sequence '\\q'"));
  EXPECT_THAT(Head(R"('ab\ c')"),
              StartsWith("line 1, column 4: invalid escape sequence '\\ '"));
  EXPECT_THAT(Head(R"('\é')"), HasSubstr("invalid escape sequence '\\é'"));
  EXPECT_THAT(Head("'\\\t'"), HasSubstr("backslash followed by U+0009"));
  EXPECT_THAT(Head(R"('\x4')"), HasSubstr("two hex digits"));
  EXPECT_THAT(Head(R"('\xg0')"), HasSubstr("two hex digits"));
  EXPECT_THAT(Head(R"('\u12')"), HasSubstr("4 hex digits"));
  EXPECT_THAT(Head(R"('\u12g4')"), HasSubstr("4 hex digits"));
  EXPECT_THAT(Head(R"('\U0001F43')"), HasSubstr("8 hex digits"));
  EXPECT_THAT(Head(R"('\uD800')"),
              HasSubstr("U+D800 is not a valid code point"));
  EXPECT_THAT(Head(R"('\uDFFF')"), HasSubstr("not a valid code point"));
  EXPECT_THAT(Head(R"('\U0000D800')"), HasSubstr("not a valid code point"));
  EXPECT_THAT(Head(R"('\U00110000')"),
              HasSubstr("U+110000 is not a valid code point"));
  EXPECT_THAT(Head(R"('\400')"), HasSubstr("invalid escape sequence '\\4'"));
  EXPECT_THAT(Head(R"('\08')"), HasSubstr("octal escape"));
  EXPECT_THAT(Head(R"('\01')"), HasSubstr("octal escape"));
  EXPECT_THAT(Head(R"('\8')"), HasSubstr("invalid escape sequence '\\8'"));
  EXPECT_THAT(Head("'abc\\"), HasSubstr("unterminated string literal"));
}

TEST(ParserLiterals, UnterminatedStrings) {
  EXPECT_EQ(Head("'abc"), "line 1, column 1: unterminated string literal");
  EXPECT_EQ(Head("x + \"abc"), "line 1, column 5: unterminated string literal");
  // Quoted strings end on their line; the error points at the line end.
  EXPECT_THAT(Head("'ab\ncd'"),
              StartsWith("line 1, column 4: unterminated string literal: the "
                         "line ends before the closing quote"));
  EXPECT_THAT(Head("'ab\rcd'"), HasSubstr("line ends"));
  EXPECT_EQ(Head("'''abc''"),
            "line 1, column 1: unterminated triple-quoted string literal");
  EXPECT_EQ(Head("b'abc"), "line 1, column 1: unterminated bytes literal");
  EXPECT_EQ(Head("r'abc"), "line 1, column 1: unterminated string literal");
  // The quotes must match.
  EXPECT_THAT(Head("'abc\""), HasSubstr("unterminated"));
}

TEST(ParserLiterals, RawAndTripleQuotedStrings) {
  EXPECT_EQ(StringOf(R"(r'\n')"), "\\n");
  EXPECT_EQ(StringOf(R"(R"\d+\.")"), "\\d+\\.");
  EXPECT_EQ(StringOf(R"(r"\\")"), "\\\\");
  // In a raw string a backslash does not escape the quote.
  EXPECT_EQ(StringOf(R"(r'\')"), "\\");
  EXPECT_EQ(StringOf("r\"\""), "");
  EXPECT_EQ(StringOf("r''''''"), "");
  EXPECT_EQ(StringOf("r\"\"\"\"\"\""), "");
  EXPECT_EQ(StringOf("'''x''x'''"), "x''x");
  EXPECT_EQ(StringOf("\"\"\"a\"b\"\"c\"\"\""), "a\"b\"\"c");
  EXPECT_EQ(StringOf("'''line 1\nline 2\r\nline 3'''"),
            "line 1\nline 2\r\nline 3");
  EXPECT_EQ(StringOf(R"('''a\tb\'''')"), "a\tb'");
  EXPECT_EQ(StringOf(R"(r'''a\tb''')"), "a\\tb");
  EXPECT_EQ(StringOf("\"\"\"\"\"\""), "");
  // Triple quotes of one kind hold the other kind freely.
  EXPECT_EQ(StringOf("'''\"\"\"'''"), "\"\"\"");
}

TEST(ParserLiterals, Bytes) {
  EXPECT_EQ(BytesOf("b''"), "");
  EXPECT_EQ(BytesOf("B\"abc\""), "abc");
  // Unescaped text is its UTF-8.
  EXPECT_EQ(BytesOf("b'ÿ'"), "\xC3\xBF");
  // Octal and \x escapes are octets in bytes.
  EXPECT_EQ(BytesOf(R"(b'\377')"), "\xFF");
  EXPECT_EQ(BytesOf(R"(b'\xff')"), "\xFF");
  EXPECT_EQ(BytesOf(R"(b'\303\277')"), "\xC3\xBF");
  EXPECT_EQ(BytesOf(R"(b'\000\xff')"), std::string("\0\xFF", 2));
  EXPECT_EQ(BytesOf(R"(b'\n\t\\')"), "\n\t\\");
  EXPECT_EQ(BytesOf(R"(br'\x00')"), "\\x00");
  EXPECT_EQ(BytesOf(R"(BR"\n")"), "\\n");
  EXPECT_EQ(BytesOf(R"(bR'''a\b''')"), "a\\b");
  EXPECT_EQ(BytesOf("b'''a\nb'''"), "a\nb");
  // \u and \U are for strings only.
  EXPECT_THAT(Head(R"(b'\u00ff')"),
              HasSubstr("'\\u' is allowed in strings, not in bytes"));
  EXPECT_THAT(Head(R"(b'\U000000ff')"), HasSubstr("not in bytes"));
  EXPECT_THAT(Head(R"(b'\xf')"), HasSubstr("two hex digits"));
  // rb is not a prefix: an identifier followed by a string.
  EXPECT_THAT(Head("rb'a'"), HasSubstr("found 'a'"));
}

TEST(ParserLiterals, Identifiers) {
  EXPECT_EQ(P("a"), "a");
  EXPECT_EQ(P("_a1"), "_a1");
  EXPECT_EQ(P("rb"), "rb");
  EXPECT_EQ(P("b"), "b");
  EXPECT_EQ(P("r"), "r");
  EXPECT_EQ(P("in_"), "in_");
  EXPECT_EQ(P("nullx"), "nullx");
  EXPECT_EQ(P(".a"), ".a");
  EXPECT_EQ(P(".a.b"), ".a.b");
  EXPECT_EQ(P("a.b.c"), "a.b.c");
  EXPECT_EQ(P("a . b"), "a.b");
  EXPECT_EQ(P("a.`b-c`"), "a.b-c");
  EXPECT_EQ(P("a.`b.c/d e_1`"), "a.b.c/d e_1");
  EXPECT_EQ(P("a.`if`"), "a.if");
  EXPECT_EQ(P("{'content-type': 1}.`content-type`"),
            "{\"content-type\":1}.content-type");
  EXPECT_EQ(P("has(a.`b-c`)"), "has(a.b-c)");
}

TEST(ParserLiterals, BadIdentifiers) {
  EXPECT_THAT(Head("`a`"),
              HasSubstr("a quoted identifier can only be a field name"));
  EXPECT_THAT(Head("a.``"), HasSubstr("empty quoted identifier"));
  EXPECT_THAT(Head("a.`b"), HasSubstr("unterminated quoted identifier"));
  EXPECT_THAT(Head("a.`b@c`"),
              StartsWith("line 1, column 5: unexpected character '@' in a "
                         "quoted identifier"));
  EXPECT_THAT(Head("a.`b\tc`"), HasSubstr("unexpected character U+0009"));
  EXPECT_THAT(Head("a.`b`()"), HasSubstr("found '('"));
  EXPECT_THAT(Head("a.5"), HasSubstr("found '.5'"));
  EXPECT_THAT(Head("."), HasSubstr("expected an identifier after the leading "
                                   "'.', found end of input"));
  EXPECT_THAT(Head("a."), HasSubstr("expected a field or method name after "
                                    "'.', found end of input"));
  EXPECT_THAT(Head("a.true"), HasSubstr("found 'true'"));
  EXPECT_THAT(Head("a.in"), HasSubstr("found 'in'"));
}

TEST(ParserLiterals, ReservedWords) {
  for (const char* word : {"as", "break", "const", "continue", "else", "for",
                           "function", "if", "import", "let", "loop", "package",
                           "namespace", "return", "var", "void", "while"}) {
    SCOPED_TRACE(word);
    std::string expected = absl::StrCat(
        "'", word, "' is a reserved word and cannot be used as an identifier");
    EXPECT_EQ(Head(word), absl::StrCat("line 1, column 1: ", expected));
    EXPECT_EQ(Head(absl::StrCat("x + ", word)),
              absl::StrCat("line 1, column 5: ", expected));
    EXPECT_THAT(Head(absl::StrCat(".", word)), HasSubstr(expected));
    EXPECT_THAT(Head(absl::StrCat(word, "(1)")), HasSubstr(expected));
    // After a '.', a reserved word is a field or method name, as in cel-go.
    EXPECT_EQ(P(absl::StrCat("a.", word)), absl::StrCat("a.", word));
    EXPECT_EQ(P(absl::StrCat("a.", word, "(1)")),
              absl::StrCat("(a.", word, " 1)"));
    EXPECT_EQ(P(absl::StrCat("{'k': 1}.", word, ".x")),
              absl::StrCat("{\"k\":1}.", word, ".x"));
    EXPECT_THAT(Head(absl::StrCat("Msg{", word, ": 1}")), HasSubstr(expected));
    // Longer names that start with a reserved word are ordinary.
    EXPECT_EQ(P(absl::StrCat(word, "_x")), absl::StrCat(word, "_x"));
  }
  EXPECT_THAT(Head("in"), HasSubstr("expected an expression, found 'in'"));
  EXPECT_THAT(Head("true(1)"), HasSubstr("found '('"));
}

TEST(ParserLiterals, CommentsAndWhitespace) {
  EXPECT_EQ(P("1 + // one\n 2"), "(_+_ 1 2)");
  EXPECT_EQ(P("1 // trailing"), "1");
  EXPECT_EQ(P("// first\r1 // second\r\n+ 2 //"), "(_+_ 1 2)");
  EXPECT_EQ(P("\t1\f+\r\n2 "), "(_+_ 1 2)");
  EXPECT_EQ(P("'//not a comment'"), "\"//not a comment\"");
  EXPECT_EQ(P("4 / 2"), "(_/_ 4 2)");
  EXPECT_EQ(Head("// only a comment"),
            "line 1, column 18: expected an expression, found end of input");
  EXPECT_EQ(Head(""),
            "line 1, column 1: expected an expression, found end of input");
  EXPECT_EQ(Head("  \n  "),
            "line 2, column 3: expected an expression, found end of input");
  // \v is not whitespace in langdef.
  EXPECT_THAT(Head("1 +\v2"), HasSubstr("unexpected character U+000B"));
}

// ---------------------------------------------------------------------------
// Precedence and associativity

TEST(ParserGrammar, Precedence) {
  EXPECT_EQ(P("a || b && c"), "(_||_ a (_&&_ b c))");
  EXPECT_EQ(P("a && b || c"), "(_||_ (_&&_ a b) c)");
  EXPECT_EQ(P("a == b && c < d"), "(_&&_ (_==_ a b) (_<_ c d))");
  EXPECT_EQ(P("1 + 2 * 3"), "(_+_ 1 (_*_ 2 3))");
  EXPECT_EQ(P("1 * 2 + 3"), "(_+_ (_*_ 1 2) 3)");
  EXPECT_EQ(P("(1 + 2) * 3"), "(_*_ (_+_ 1 2) 3)");
  EXPECT_EQ(P("a + b < c - d"), "(_<_ (_+_ a b) (_-_ c d))");
  EXPECT_EQ(P("a in b == c"), "(_==_ (@in a b) c)");
  EXPECT_EQ(P("a in [1, 2] && b"), "(_&&_ (@in a [1 2]) b)");
  EXPECT_EQ(P("a || b ? c : d"), "(_?_:_ (_||_ a b) c d)");
  EXPECT_EQ(P("a ? b : c || d"), "(_?_:_ a b (_||_ c d))");
  EXPECT_EQ(P("a ? b || c : d"), "(_?_:_ a (_||_ b c) d)");
  EXPECT_EQ(P("!a && b"), "(_&&_ (!_ a) b)");
  EXPECT_EQ(P("-a * b"), "(_*_ (-_ a) b)");
  EXPECT_EQ(P("-a.b"), "(-_ a.b)");
  EXPECT_EQ(P("!a.b()"), "(!_ (a.b))");
  EXPECT_EQ(P("-x[0]"), "(-_ (_[_] x 0))");
  EXPECT_EQ(P("a + b * c % d / e"), "(_+_ a (_/_ (_%_ (_*_ b c) d) e))");
  EXPECT_EQ(P("a != b"), "(_!=_ a b)");
  EXPECT_EQ(P("a <= b"), "(_<=_ a b)");
  EXPECT_EQ(P("a >= b"), "(_>=_ a b)");
  EXPECT_EQ(P("a > b"), "(_>_ a b)");
  EXPECT_EQ(P("a<=-1"), "(_<=_ a -1)");
}

TEST(ParserGrammar, Associativity) {
  EXPECT_EQ(P("1 - 2 - 3"), "(_-_ (_-_ 1 2) 3)");
  EXPECT_EQ(P("1 - 2 + 3"), "(_+_ (_-_ 1 2) 3)");
  EXPECT_EQ(P("8 / 4 / 2"), "(_/_ (_/_ 8 4) 2)");
  EXPECT_EQ(P("8 % 4 * 2"), "(_*_ (_%_ 8 4) 2)");
  // Relations chain to the left in the grammar (the checker rejects most).
  EXPECT_EQ(P("a < b < c"), "(_<_ (_<_ a b) c)");
  EXPECT_EQ(P("a == b != c"), "(_!=_ (_==_ a b) c)");
  EXPECT_EQ(P("a in b in c"), "(@in (@in a b) c)");
  // The conditional is right-associative.
  EXPECT_EQ(P("a ? b : c ? d : e"), "(_?_:_ a b (_?_:_ c d e))");
  // && and || are binary calls; longer chains are balanced, operands kept
  // in their order.
  EXPECT_EQ(P("a && b"), "(_&&_ a b)");
  EXPECT_EQ(P("a && b && c"), "(_&&_ (_&&_ a b) c)");
  EXPECT_EQ(P("a || b || c || d"), "(_||_ (_||_ a b) (_||_ c d))");
  EXPECT_EQ(P("a || b || c || d || e"),
            "(_||_ (_||_ (_||_ a b) c) (_||_ d e))");
  // Member suffixes apply left to right.
  EXPECT_EQ(P("a[0].b"), "(_[_] a 0).b");
  EXPECT_EQ(P("a.b(c)[d]"), "(_[_] (a.b c) d)");
  EXPECT_EQ(P("a.b.c(d).e"), "(a.b.c d).e");
  EXPECT_EQ(P("a[b][c]"), "(_[_] (_[_] a b) c)");
}

TEST(ParserGrammar, UnaryOperators) {
  EXPECT_EQ(P("!true"), "(!_ true)");
  EXPECT_EQ(P("!!true"), "(!_ (!_ true))");
  EXPECT_EQ(P("!!!a"), "(!_ (!_ (!_ a)))");
  EXPECT_EQ(P("-x"), "(-_ x)");
  EXPECT_EQ(P("--x"), "(-_ (-_ x))");
  // A minus right before a number is its sign; the others are operators.
  EXPECT_EQ(P("-5"), "-5");
  EXPECT_EQ(P("--5"), "(-_ -5)");
  EXPECT_EQ(P("---5"), "(-_ (-_ -5))");
  EXPECT_EQ(P("- - 5.5"), "(-_ -5.5)");
  EXPECT_EQ(P("-(5)"), "(-_ 5)");
  EXPECT_EQ(P("1 - -2"), "(_-_ 1 -2)");
  EXPECT_EQ(P("1--2"), "(_-_ 1 -2)");
  EXPECT_EQ(P("1-2"), "(_-_ 1 2)");
  EXPECT_EQ(P("!-5"), "(!_ -5)");
  EXPECT_EQ(P("-5.abs()"), "(-5.abs)");
  EXPECT_EQ(P("--9223372036854775808"), "(-_ -9223372036854775808)");
  // The grammar does not mix them: "!" {"!"} Member | "-" {"-"} Member.
  EXPECT_EQ(Head("-!x"), "line 1, column 2: expected an expression, found '!'");
  EXPECT_EQ(Head("!-x"), "line 1, column 2: expected an expression, found '-'");
  EXPECT_EQ(Head("!"),
            "line 1, column 2: expected an expression, found end of input");
}

TEST(ParserGrammar, CallsListsMaps) {
  EXPECT_EQ(P("f()"), "(f)");
  EXPECT_EQ(P("f(a, b)"), "(f a b)");
  EXPECT_EQ(P(".f(a)"), "(.f a)");
  EXPECT_EQ(P("a.b.f(1, 2)"), "(a.b.f 1 2)");
  EXPECT_EQ(P("size([1,2,3])"), "(size [1 2 3])");
  EXPECT_EQ(P("'abc'.size()"), "(\"abc\".size)");
  EXPECT_EQ(P("[]"), "[]");
  EXPECT_EQ(P("[1]"), "[1]");
  EXPECT_EQ(P("[1, 2, 3,]"), "[1 2 3]");
  EXPECT_EQ(P("[[1], [2, [3]]]"), "[[1] [2 [3]]]");
  EXPECT_EQ(P("{}"), "{}");
  EXPECT_EQ(P("{1: 2, 'a': b,}"), "{1:2 \"a\":b}");
  EXPECT_EQ(P("{a: {b: c}}"), "{a:{b:c}}");
  EXPECT_EQ(P("{'k': 'v'}['k']"), "(_[_] {\"k\":\"v\"} \"k\")");
  EXPECT_EQ(P("[1, 2][0]"), "(_[_] [1 2] 0)");

  EXPECT_EQ(Head("f(a,)"),
            "line 1, column 5: expected an expression, found ')'");
  EXPECT_EQ(Head("f(a b)"), "line 1, column 5: expected ',' or ')', found 'b'");
  EXPECT_EQ(Head("f(a"),
            "line 1, column 4: expected ',' or ')', found end of input");
  EXPECT_EQ(Head("[,]"), "line 1, column 2: expected an expression, found ','");
  EXPECT_EQ(Head("[1,,2]"),
            "line 1, column 4: expected an expression, found ','");
  EXPECT_EQ(Head("[1 2]"), "line 1, column 4: expected ',' or ']', found '2'");
  EXPECT_EQ(Head("[1"),
            "line 1, column 3: expected ',' or ']', found end of "
            "input");
  EXPECT_EQ(Head("{1}"), "line 1, column 3: expected ':', found '}'");
  EXPECT_EQ(Head("{1: 2 3: 4}"),
            "line 1, column 7: expected ',' or '}', found '3'");
  EXPECT_EQ(Head("{,}"), "line 1, column 2: expected an expression, found ','");
  EXPECT_EQ(Head("a[1"), "line 1, column 4: expected ']', found end of input");
  EXPECT_EQ(Head("a[]"), "line 1, column 3: expected an expression, found ']'");
  EXPECT_EQ(Head("(a"), "line 1, column 3: expected ')', found end of input");
  EXPECT_EQ(Head("()"), "line 1, column 2: expected an expression, found ')'");
  EXPECT_EQ(Head("a ? b"),
            "line 1, column 6: expected ':', found end of "
            "input");
  EXPECT_EQ(Head("a ? b ? c : d : e"),
            "line 1, column 7: expected ':', found '?'");
  EXPECT_EQ(Head("1 +"),
            "line 1, column 4: expected an expression, found end of input");
  EXPECT_EQ(Head("a b"),
            "line 1, column 3: expected an operator or the end of the "
            "expression, found 'b'");
  EXPECT_EQ(Head("a)"),
            "line 1, column 2: expected an operator or the end of the "
            "expression, found ')'");
  EXPECT_EQ(Head("f(x) 'str'"),
            "line 1, column 6: expected an operator or the end of the "
            "expression, found 'str'");
}

TEST(ParserGrammar, MessageConstruction) {
  EXPECT_EQ(P("Msg{}"), "Msg{}");
  EXPECT_EQ(P("Msg{a: 1, b: 'x',}"), "Msg{a:1 b:\"x\"}");
  EXPECT_EQ(P("a.b.Msg{c: d.e}"), "a.b.Msg{c:d.e}");
  EXPECT_EQ(P(".a.Msg{x: 1}"), ".a.Msg{x:1}");
  EXPECT_EQ(P("Msg{`a-b`: 1}"), "Msg{a-b:1}");
  EXPECT_EQ(P("Msg{}.f"), "Msg{}.f");
  EXPECT_EQ(P("Msg{a: Inner{b: 1}}"), "Msg{a:Inner{b:1}}");
  EXPECT_EQ(P("[Msg{}]"), "[Msg{}]");

  absl::StatusOr<ParsedExpr> parsed = Parse("pkg.Msg{a: 1, b: 2}");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const auto* message = std::get_if<StructExpr>(&parsed->root->kind);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(message->message_name, "pkg.Msg");
  ASSERT_EQ(message->fields.size(), 2u);
  EXPECT_EQ(message->fields[0].name, "a");
  EXPECT_NE(message->fields[0].id, message->fields[1].id);
  EXPECT_EQ(parsed->root->offset, 0);

  // Only a name can be followed by field initializers.
  EXPECT_THAT(Head("a.b(){}"), HasSubstr("found '{'"));
  EXPECT_THAT(Head("(a){}"), HasSubstr("found '{'"));
  EXPECT_THAT(Head("a[0]{}"), HasSubstr("found '{'"));
  EXPECT_THAT(Head("a.`b`{}"), HasSubstr("found '{'"));
  EXPECT_EQ(Head("Msg{1: 2}"),
            "line 1, column 5: expected a field name, found '1'");
  EXPECT_EQ(Head("Msg{a 2}"), "line 1, column 7: expected ':', found '2'");
  EXPECT_EQ(Head("Msg{a: 1"),
            "line 1, column 9: expected ',' or '}', found end of input");
}

TEST(ParserGrammar, OptionalSyntax) {
  EXPECT_EQ(P("a.?b"), "(_?._ a \"b\")");
  EXPECT_EQ(P("a.?b.c"), "(_?._ a \"b\").c");
  EXPECT_EQ(P("a.?`b-c`"), "(_?._ a \"b-c\")");
  EXPECT_EQ(P("a[?0]"), "(_[?_] a 0)");
  EXPECT_EQ(P("[?a, b, ?c]"), "[?a b ?c]");
  EXPECT_EQ(P("[a, ?b]"), "[a ?b]");
  EXPECT_EQ(P("{?'a': b, 'c': d}"), "{?\"a\":b \"c\":d}");
  EXPECT_EQ(Head("a.?1"),
            "line 1, column 4: expected a field name after '.?', found '1'");
  EXPECT_THAT(Head("Msg{?a: b}"), HasSubstr("optional fields ('?') need "
                                            "message types"));
}

TEST(ParserMacros, OptMapAndOptFlatMap) {
  // The target is bound once, to a name no source can spell.
  EXPECT_EQ(P("o.optMap(x, x + 1)"),
            "(loop #unused [] @optional o false @optional (_?_:_ "
            "(@optional.hasValue) (optional.of (loop #unused [] x "
            "(@optional.value) false x (_+_ x 1))) (optional.none)))");
  EXPECT_EQ(P("o.optFlatMap(x, x.?y)"),
            "(loop #unused [] @optional o false @optional (_?_:_ "
            "(@optional.hasValue) (loop #unused [] x (@optional.value) false "
            "x (_?._ x \"y\")) (optional.none)))");
  EXPECT_EQ(P("o.optMap(x)"), "(o.optMap x)");
}

TEST(ParserGrammar, OperatorTypos) {
  EXPECT_EQ(Head("a = b"),
            "line 1, column 3: unexpected '=' (did you mean '=='?)");
  EXPECT_EQ(Head("a & b"),
            "line 1, column 3: unexpected '&' (did you mean '&&'?)");
  EXPECT_EQ(Head("a | b"),
            "line 1, column 3: unexpected '|' (did you mean '||'?)");
  EXPECT_EQ(Head("a # b"), "line 1, column 3: unexpected character '#'");
  EXPECT_EQ(Head("a ; b"), "line 1, column 3: unexpected character ';'");
  EXPECT_EQ(Head("x ≠ y"), "line 1, column 3: unexpected character '≠'");
  EXPECT_EQ(Head(std::string("a\0", 2)),
            "line 1, column 2: unexpected character U+0000");
}

// ---------------------------------------------------------------------------
// Macros

TEST(ParserMacros, Has) {
  EXPECT_EQ(P("has(a.b)"), "has(a.b)");
  EXPECT_EQ(P("has(a.b.c)"), "has(a.b.c)");
  EXPECT_EQ(P("has(.a.b)"), "has(.a.b)");
  EXPECT_EQ(P("has({'a': 1}.a)"), "has({\"a\":1}.a)");
  EXPECT_EQ(P("!has(a.b) || x"), "(_||_ (!_ has(a.b)) x)");

  absl::StatusOr<ParsedExpr> parsed = Parse("  has(a.b)");
  ASSERT_TRUE(parsed.ok());
  const auto* select = std::get_if<SelectExpr>(&parsed->root->kind);
  ASSERT_NE(select, nullptr);
  EXPECT_TRUE(select->test_only);
  EXPECT_EQ(select->field, "b");
  EXPECT_EQ(parsed->root->offset, 2);

  EXPECT_EQ(Head("has(a)"),
            "line 1, column 5: invalid argument to has(): expected a field "
            "selection such as has(a.b)");
  EXPECT_THAT(Head("has(a[0])"), HasSubstr("invalid argument to has()"));
  EXPECT_THAT(Head("has(a.b())"), HasSubstr("invalid argument to has()"));
  EXPECT_THAT(Head("has(1)"), HasSubstr("invalid argument to has()"));
  EXPECT_THAT(Head("has(has(a.b))"), HasSubstr("invalid argument to has()"));
  // Other arities, receiver style, or macros off: an ordinary call.
  EXPECT_EQ(P("has(a.b, c)"), "(has a.b c)");
  EXPECT_EQ(P("has()"), "(has)");
  EXPECT_EQ(P("x.has(a.b)"), "(x.has a.b)");
  ParseOptions no_macros;
  no_macros.macros = false;
  EXPECT_EQ(P("has(a.b)", no_macros), "(has a.b)");
  EXPECT_EQ(P("has(a)", no_macros), "(has a)");
}

TEST(ParserMacros, All) {
  EXPECT_EQ(P("[1, 2].all(x, x > 0)"),
            "(loop x [1 2] __result__ true (@not_strictly_false __result__) "
            "(_&&_ __result__ (_>_ x 0)) __result__)");
}

TEST(ParserMacros, Exists) {
  EXPECT_EQ(P("m.exists(k, k == 'a')"),
            "(loop k m __result__ false (@not_strictly_false (!_ "
            "__result__)) (_||_ __result__ (_==_ k \"a\")) __result__)");
}

TEST(ParserMacros, ExistsOne) {
  EXPECT_EQ(P("l.exists_one(e, e)"),
            "(loop e l __result__ 0 true (_?_:_ e (_+_ __result__ 1) "
            "__result__) (_==_ __result__ 1))");
}

TEST(ParserMacros, Map) {
  EXPECT_EQ(P("l.map(n, n * 2)"),
            "(loop n l __result__ [] true (_+_ __result__ [(_*_ n 2)]) "
            "__result__)");
  EXPECT_EQ(P("l.map(n, n > 0, -n)"),
            "(loop n l __result__ [] true (_?_:_ (_>_ n 0) (_+_ __result__ "
            "[(-_ n)]) __result__) __result__)");
}

TEST(ParserMacros, Filter) {
  EXPECT_EQ(P("l.filter(n, n % 2 == 1)"),
            "(loop n l __result__ [] true (_?_:_ (_==_ (_%_ n 2) 1) (_+_ "
            "__result__ [n]) __result__) __result__)");
}

TEST(ParserMacros, Nested) {
  EXPECT_EQ(P("['s'].filter(s, [1].all(a, true))"),
            "(loop s [\"s\"] __result__ [] true (_?_:_ (loop a [1] __result__ "
            "true (@not_strictly_false __result__) (_&&_ __result__ true) "
            "__result__) (_+_ __result__ [s]) __result__) __result__)");
  EXPECT_EQ(P("a.b.map(x, x).size()"),
            "((loop x a.b __result__ [] true (_+_ __result__ [x]) "
            "__result__).size)");
}

TEST(ParserMacros, StructureAndIds) {
  absl::StatusOr<ParsedExpr> parsed = Parse("  [1, 2].exists(x, x == 2)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  CheckInvariants(*parsed);
  const auto* loop = std::get_if<ComprehensionExpr>(&parsed->root->kind);
  ASSERT_NE(loop, nullptr);
  EXPECT_EQ(loop->iter_var, "x");
  EXPECT_EQ(loop->accu_var, "__result__");
  EXPECT_EQ(parsed->root->offset, 2);
  ASSERT_NE(std::get_if<ListExpr>(&loop->iter_range->kind), nullptr);
  EXPECT_EQ(loop->iter_range->offset, 2);
  // The predicate keeps its position in the source.
  const auto* step = std::get_if<CallExpr>(&loop->loop_step->kind);
  ASSERT_NE(step, nullptr);
  ASSERT_EQ(step->args.size(), 2u);
  EXPECT_EQ(step->args[1]->offset, 21);  // x == 2, at its operator
  // The accumulator is a fresh node wherever it appears.
  EXPECT_NE(loop->result->id, step->args[0]->id);
}

TEST(ParserMacros, WrongArityIsAnOrdinaryCall) {
  EXPECT_EQ(P("a.all(x)"), "(a.all x)");
  EXPECT_EQ(P("a.exists(x, y, z, w)"), "(a.exists x y z w)");
  EXPECT_EQ(P("a.existsOne(x, y)"), "(a.existsOne x y)");
  EXPECT_EQ(P("a.transformList(x, y)"), "(a.transformList x y)");
  EXPECT_EQ(P("a.transformMap(x, y, z, w, v)"), "(a.transformMap x y z w v)");
  EXPECT_EQ(P("x.bind(a, 1, a)"), "(x.bind a 1 a)");
  EXPECT_EQ(P("a.map(x)"), "(a.map x)");
  EXPECT_EQ(P("a.map(x, y, z, w)"), "(a.map x y z w)");
  EXPECT_EQ(P("a.filter(x, y, z)"), "(a.filter x y z)");
  // Global all() etc. are not macros.
  EXPECT_EQ(P("all(x, p)"), "(all x p)");
  EXPECT_EQ(P("exists_one(x, p)"), "(exists_one x p)");
  ParseOptions no_macros;
  no_macros.macros = false;
  EXPECT_EQ(P("[1].all(x, x > 0)", no_macros), "([1].all x (_>_ x 0))");
}

TEST(ParserMacros, IterationVariableMustBeASimpleName) {
  EXPECT_EQ(Head("a.all(x.y, true)"),
            "line 1, column 7: the first argument of all() must be a simple "
            "identifier, the name of the iteration variable");
  EXPECT_THAT(Head("a.exists(.x, true)"),
              HasSubstr("first argument of exists() must be a simple"));
  EXPECT_THAT(Head("a.map(1, 2)"),
              HasSubstr("first argument of map() must be a simple"));
  EXPECT_THAT(Head("a.filter(f(x), true)"),
              HasSubstr("first argument of filter() must be a simple"));
  EXPECT_THAT(Head("a.exists_one(__result__, true)"),
              HasSubstr("the iteration variable cannot be named __result__"));
  EXPECT_EQ(Head("a.all(i, v.w, true)"),
            "line 1, column 10: the second argument of all() must be a "
            "simple identifier, the name of the iteration variable");
  EXPECT_THAT(Head("a.transformList(i, i, i)"),
              HasSubstr("the two variables of transformList() must have "
                        "different names"));
  EXPECT_THAT(Head("cel.bind(1, 2, 3)"),
              HasSubstr("first argument of cel.bind() must be a simple "
                        "identifier, the name of the variable it binds"));
}

// cel-go's comprehensions extension, as the parser expands it.
TEST(ParserMacros, TwoVariables) {
  EXPECT_EQ(P("l.all(i, v, v > i)"),
            "(loop i,v l __result__ true (@not_strictly_false __result__) "
            "(_&&_ __result__ (_>_ v i)) __result__)");
  EXPECT_EQ(P("m.exists(k, v, v)"),
            "(loop k,v m __result__ false (@not_strictly_false (!_ "
            "__result__)) (_||_ __result__ v) __result__)");
  EXPECT_EQ(P("l.existsOne(i, v, v)"),
            "(loop i,v l __result__ 0 true (_?_:_ v (_+_ __result__ 1) "
            "__result__) (_==_ __result__ 1))");
  EXPECT_EQ(P("l.transformList(i, v, v * i)"),
            "(loop i,v l __result__ [] true (_+_ __result__ [(_*_ v i)]) "
            "__result__)");
  EXPECT_EQ(P("l.transformList(i, v, i > 0, v)"),
            "(loop i,v l __result__ [] true (_?_:_ (_>_ i 0) (_+_ __result__ "
            "[v]) __result__) __result__)");
  EXPECT_EQ(P("m.transformMap(k, v, v + 1)"),
            "(loop k,v m __result__ {} true (@mapInsert __result__ k (_+_ v "
            "1)) __result__)");
  EXPECT_EQ(P("m.transformMap(k, v, v > 0, v)"),
            "(loop k,v m __result__ {} true (_?_:_ (_>_ v 0) (@mapInsert "
            "__result__ k v) __result__) __result__)");
  EXPECT_EQ(P("m.transformMapEntry(k, v, {v: k})"),
            "(loop k,v m __result__ {} true (@mapInsert __result__ {v:k}) "
            "__result__)");
}

TEST(ParserMacros, Bind) {
  EXPECT_EQ(P("cel.bind(x, 1 + 1, x * x)"),
            "(loop #unused [] x (_+_ 1 1) false x (_*_ x x))");
}

// ---------------------------------------------------------------------------
// Positions

TEST(ParserPositions, NodeOffsets) {
  absl::StatusOr<ParsedExpr> parsed = Parse("a + f(b,  c)");
  ASSERT_TRUE(parsed.ok());
  const auto& add = std::get<CallExpr>(parsed->root->kind);
  EXPECT_EQ(parsed->root->offset, 2);  // binary operators: the operator
  EXPECT_EQ(add.args[0]->offset, 0);
  EXPECT_EQ(add.args[1]->offset, 4);
  const auto& f = std::get<CallExpr>(add.args[1]->kind);
  EXPECT_EQ(f.args[0]->offset, 6);
  EXPECT_EQ(f.args[1]->offset, 10);

  parsed = Parse("x.y[z] ? -1 : !w");
  ASSERT_TRUE(parsed.ok());
  const auto& conditional = std::get<CallExpr>(parsed->root->kind);
  EXPECT_EQ(conditional.args[0]->offset, 0);   // x.y[z]
  EXPECT_EQ(conditional.args[1]->offset, 9);   // -1, from its sign
  EXPECT_EQ(conditional.args[2]->offset, 14);  // !w
  const auto& index = std::get<CallExpr>(conditional.args[0]->kind);
  EXPECT_EQ(index.args[1]->offset, 4);  // z

  // A parenthesized operand starts at its parenthesis, its content inside.
  parsed = Parse("(a) + ( b )");
  ASSERT_TRUE(parsed.ok());
  const auto& sum = std::get<CallExpr>(parsed->root->kind);
  EXPECT_EQ(parsed->root->offset, 4);
  EXPECT_EQ(sum.args[0]->offset, 1);
  EXPECT_EQ(sum.args[1]->offset, 8);
}

TEST(ParserPositions, LineOffsetsAndPositionOf) {
  absl::StatusOr<ParsedExpr> parsed = Parse("ab\n+ cd\r\n+ ef\r+ gh");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->line_offsets, (std::vector<int32_t>{3, 9, 14}));
  auto at = [&](int32_t offset) {
    ParsedExpr::Position p = parsed->PositionOf(offset);
    return absl::StrCat(p.line, ":", p.column);
  };
  EXPECT_EQ(at(0), "1:1");
  EXPECT_EQ(at(2), "1:3");
  EXPECT_EQ(at(3), "2:1");
  EXPECT_EQ(at(5), "2:3");
  EXPECT_EQ(at(9), "3:1");
  EXPECT_EQ(at(14), "4:1");
  EXPECT_EQ(at(18), "4:5");  // the end of the source
  EXPECT_EQ(at(1000), "4:5");
  EXPECT_EQ(at(-5), "1:1");

  // Columns count code points, not bytes.
  parsed = Parse("'é€😀' + x");
  ASSERT_TRUE(parsed.ok());
  const auto& add = std::get<CallExpr>(parsed->root->kind);
  EXPECT_EQ(add.args[1]->offset, 14);
  EXPECT_EQ(at(14), "1:9");
  EXPECT_TRUE(parsed->line_offsets.empty());
}

TEST(ParserPositions, NextIdIsPastEveryId) {
  absl::StatusOr<ParsedExpr> parsed = Parse("{1: [a, b.c]}");
  ASSERT_TRUE(parsed.ok());
  CheckInvariants(*parsed);
  // 1, a, b, b.c, the list, the entry, the map.
  EXPECT_EQ(parsed->next_id, 8);
}

// ---------------------------------------------------------------------------
// Error messages

TEST(ParserErrors, MessageShowsTheLineAndACaret) {
  EXPECT_EQ(Err("a + ( )"),
            "line 1, column 7: expected an expression, found ')'\n"
            " | a + ( )\n"
            " | ......^");
  EXPECT_EQ(Err("a &&\n  b +\n   )"),
            "line 3, column 4: expected an expression, found ')'\n"
            " |    )\n"
            " | ...^");
  EXPECT_EQ(Err("x.exists(y,\r\n  y > 0 &&)"),
            "line 2, column 11: expected an expression, found ')'\n"
            " |   y > 0 &&)\n"
            " | ..........^");
  // Columns and carets count code points.
  EXPECT_EQ(Err("'ééé' ) "),
            "line 1, column 7: expected an operator or the end of the "
            "expression, found ')'\n"
            " | 'ééé' ) \n"
            " | ......^");
  // At the end of the input the caret is past the last character.
  EXPECT_EQ(Err("f(1,\n  2"),
            "line 2, column 4: expected ',' or ')', found end of input\n"
            " |   2\n"
            " | ...^");
  // Tabs show as spaces, so that the caret lines up.
  EXPECT_EQ(Err("\ta # b"),
            "line 1, column 4: unexpected character '#'\n"
            " |  a # b\n"
            " | ...^");
}

TEST(ParserErrors, LexicalErrorsOnLaterLines) {
  EXPECT_EQ(Head("a +\n 'abc"),
            "line 2, column 2: unterminated string "
            "literal");
  EXPECT_EQ(Head("a +\n\n  'x\\qy'"),
            "line 3, column 5: invalid escape sequence '\\q'");
  EXPECT_EQ(Head("'''line\nline\\z'''"),
            "line 2, column 5: invalid escape sequence '\\z'");
  // The first error in the source wins, lexical or not.
  EXPECT_EQ(Head("a b '\\q'"),
            "line 1, column 3: expected an operator or the end of the "
            "expression, found 'b'");
  EXPECT_EQ(Head("a + '\\q' )"),
            "line 1, column 6: invalid escape sequence '\\q'");
}

TEST(ParserErrors, LongLinesShowAWindow) {
  std::string source = absl::StrCat(Repeat("a + ", 50), "+ b");
  std::string message = Err(source);
  EXPECT_THAT(message, StartsWith("line 1, column 201: expected an expression, "
                                  "found '+'\n"));
  std::vector<std::string> lines = absl::StrSplit(message, '\n');
  ASSERT_EQ(lines.size(), 3u);
  // Both lines start with " | "; the caret sits under the '+'.
  EXPECT_THAT(lines[1], StartsWith(" | ..."));
  size_t caret = lines[2].find('^');
  ASSERT_NE(caret, std::string::npos);
  EXPECT_EQ(lines[1][caret], '+');
  EXPECT_LT(lines[1].size(), 100u);
  // And a long line cut after the caret ends with "...".
  message = Err(absl::StrCat("a ) ", Repeat("b + ", 100)));
  lines = absl::StrSplit(message, '\n');
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(lines[1], testing::EndsWith("..."));
  EXPECT_EQ(lines[2], " | ..^");
}

TEST(ParserErrors, InvalidUtf8) {
  EXPECT_EQ(Err("'a\xFF'"),
            "line 1, column 3: invalid UTF-8 in the expression\n"
            " | 'a?'\n"
            " | ..^");
  EXPECT_THAT(Head("x + '\xC3'"), HasSubstr("column 6: invalid UTF-8"));
  // Overlong forms and surrogates are not UTF-8.
  EXPECT_THAT(Head("'\xC0\xAF'"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(Head("'\xED\xA0\x80'"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(Head("'\xF4\x90\x80\x80'"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(Head("// \xFF\n1"), HasSubstr("invalid UTF-8"));
}

// ---------------------------------------------------------------------------
// Limits

TEST(ParserLimits, SourceSize) {
  ParseOptions options;
  options.limits.max_source_bytes = 10;
  EXPECT_EQ(P("1234567890", options), "1234567890");
  absl::StatusOr<ParsedExpr> parsed = Parse("12345678901", options);
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(base::IsParseError(parsed.status()));
  EXPECT_EQ(parsed.status().message(),
            "expression of 11 bytes is over the limit of 10 bytes");
  // The default limit is 64 KiB.
  std::string big = absl::StrCat("'", std::string(64 * 1024, 'x'), "'");
  EXPECT_THAT(Err(big), HasSubstr("over the limit of 65536 bytes"));
}

std::string Nest(absl::string_view open, absl::string_view middle,
                 absl::string_view close, int n) {
  return absl::StrCat(Repeat(open, n), middle, Repeat(close, n));
}

TEST(ParserLimits, NestingAtTheLimit) {
  ParseOptions options;
  options.limits.max_nesting_depth = 5;
  // The whole expression is one level: four parentheses make five.
  EXPECT_EQ(P(Nest("(", "1", ")", 4), options), "1");
  EXPECT_THAT(P(Nest("(", "1", ")", 5), options),
              HasSubstr("expression nested too deeply (more than 5 levels)"));
  EXPECT_EQ(P("a.b.c.d.e", options), "a.b.c.d.e");
  EXPECT_THAT(P("a.b.c.d.e.f", options), HasSubstr("nested too deeply"));
  EXPECT_EQ(P("!!!!true", options), "(!_ (!_ (!_ (!_ true))))");
  EXPECT_THAT(P("!!!!!true", options), HasSubstr("nested too deeply"));
  EXPECT_EQ(P("1+1+1+1+1", options), "(_+_ (_+_ (_+_ (_+_ 1 1) 1) 1) 1)");
  EXPECT_THAT(P("1+1+1+1+1+1", options), HasSubstr("nested too deeply"));
  EXPECT_THAT(P("[[[[[1]]]]]", options), HasSubstr("nested too deeply"));
  EXPECT_THAT(P("f(f(f(f(f(1)))))", options), HasSubstr("nested too deeply"));
  // Macro expansions count the levels they add: the loop, its step
  // (__result__ && p), then p = (x > 0) and x.
  EXPECT_THAT(P("[1].all(x, x > 0)", options), StartsWith("(loop"));
  options.limits.max_nesting_depth = 3;
  EXPECT_THAT(P("[1].all(x, x > 0)", options), HasSubstr("nested too deeply"));
  options.limits.max_nesting_depth = 6;
  // Balanced && and || add log2(n) levels: 16 terms make 4 more.
  std::string sixteen = absl::StrCat("a", Repeat(" && a", 15));
  EXPECT_THAT(P(sixteen, options), StartsWith("(_&&_"));
  options.limits.max_nesting_depth = 4;
  EXPECT_THAT(P(sixteen, options), HasSubstr("nested too deeply"));
}

TEST(ParserLimits, DefaultLimitAllowsOrdinaryRules) {
  // langdef asks for at least 32 of each.
  EXPECT_THAT(P(Nest("(", "1", ")", 32)), "1");
  EXPECT_THAT(P(Nest("[", "1", "]", 32)), StartsWith("[[[["));
  EXPECT_THAT(P(absl::StrCat("a", Repeat(".b", 32))), StartsWith("a.b.b"));
  EXPECT_THAT(P(absl::StrCat("a", Repeat("[0]", 32))), StartsWith("(_[_]"));
  EXPECT_THAT(P(absl::StrCat("1", Repeat(" + 1", 32))), StartsWith("(_+_"));
  EXPECT_THAT(P(absl::StrCat("1", Repeat(" < 1", 32))), StartsWith("(_<_"));
  std::vector<std::string> args(32, "a");
  EXPECT_THAT(P(absl::StrCat("f(", absl::StrJoin(args, ", "), ")")),
              StartsWith("(f a a"));
  // Long && and || chains are fine at any length.
  EXPECT_THAT(P(absl::StrCat("a", Repeat(" || a", 10000))),
              StartsWith("(_||_"));
  EXPECT_THAT(P(absl::StrCat("a", Repeat(" && a", 10000))),
              StartsWith("(_&&_"));
  // So are wide lists and maps: width is not depth.
  std::vector<std::string> elements(10000, "1");
  EXPECT_THAT(P(absl::StrCat("[", absl::StrJoin(elements, ","), "]")),
              StartsWith("[1 1 1"));
  std::vector<std::string> entries;
  for (int i = 0; i < 5000; ++i) entries.push_back(absl::StrCat(i, ":", i));
  EXPECT_THAT(P(absl::StrCat("{", absl::StrJoin(entries, ","), "}")),
              StartsWith("{0:0 1:1"));
}

TEST(ParserLimits, HostileInputIsRefusedCleanly) {
  // Deep enough to overflow the stack of a parser that recursed freely.
  const int n = 100000;
  const std::vector<std::string> hostile = {
      Nest("(", "1", ")", n),
      Nest("[", "1", "]", n),
      Nest("{1:", "1", "}", n),
      Nest("f(", "1", ")", n),
      Nest("a[", "1", "]", n),
      Nest("Msg{a:", "1", "}", n),
      Repeat("!", n) + "true",
      Repeat("-", n) + "x",
      Repeat("-", n) + "1",
      absl::StrCat("a", Repeat(".b", n)),
      absl::StrCat("a", Repeat(".f()", n)),
      absl::StrCat("a", Repeat("[0]", n)),
      absl::StrCat("1", Repeat("+1", n)),
      absl::StrCat("1", Repeat("*1", n)),
      absl::StrCat("1", Repeat("<1", n)),
      absl::StrCat(Repeat("a ? b : ", n), "c"),
      Nest("x.all(y, ", "y", ")", n),
      Nest("(", "", "", n),  // unbalanced as well
      Nest("[", "", "", n),
  };
  // The depth limit holds whatever the size limit allows.
  ParseOptions options;
  options.limits.max_source_bytes = 1 << 20;
  for (const std::string& source : hostile) {
    SCOPED_TRACE(source.substr(0, 20));
    EXPECT_THAT(Err(source, options),
                HasSubstr("nested too deeply (more than 100"));
  }
}

// ---------------------------------------------------------------------------
// Fuzz-style: random and truncated input never crashes and always gives a
// tree or a parse error.

// Valid expressions covering the grammar, for truncations and mutations.
const char* const kCorpus[] = {
    "0",
    "-9223372036854775808",
    "18446744073709551615u",
    "0x1Fu + 0x2a",
    "1.5e-3 * .25 / -2.0",
    "'single' + \"double\"",
    R"('\a\b\f\n\r\t\v\\\'\"\`\?\101\x41\u00e9\U0001F431')",
    R"(b'\000\xff\377' + B"abc")",
    "r'\\d+' + R\"\\w\"",
    "'''triple\n'quoted''' + \"\"\"and\ndouble\"\"\"",
    "br'''raw\\bytes'''",
    "true && false || !null",
    "a.b.c == .x.y",
    "a[0][1].b['k']",
    "f(1, 2u, 3.0)",
    "x.startsWith('a') && x.endsWith('z')",
    "[1, 2, 3,].size() > 2",
    "{'a': 1, 2: [3], true: {},}['a']",
    "Msg{a: 1, b: 'x'}.a",
    "pkg.Msg{`field-name`: 1}",
    "a ? b : c ? d : e",
    "a < b && b <= c || c > d && d >= e",
    "a != b ? a in [b] : !(a == b)",
    "has(a.b.c) && !has(m.`k-1`)",
    "[1, 2].all(x, x > 0)",
    "[1, 2].exists(x, x == 2)",
    "[1, 2].exists_one(x, x % 2 == 0)",
    "[1, 2].map(x, x * x)",
    "[1, 2].map(x, x > 1, x - 1)",
    "[1, 2].filter(x, x < 2).size()",
    "{'k': 1}.all(k, k != '')",
    "[[1], [2]].map(l, l.map(x, x + 1))",
    "--5 + !!true",
    "-x.y * -(1 - 2)",
    "timestamp('2024-01-01T00:00:00Z') + duration('1h')",
    "int(x) + uint(y) + double(z)",
    "string(b'abc') == 'abc'",
    "type(1) == int",
    "dyn(x) in [1, 'a', 2.0]",
    "size('héllo') == 5",
    "x // comment\n + 1",
    "  \t\r\n  a  \n",
    "'%.3f'.format([1.2345])",
    "math.greatest(1, 2, 3)",
    "'a,b'.split(',').join('-')",
    "a.?b",
    "x.all(y, y.all(z, z > 0))",
    "1 + 2 * 3 - 4 / 5 % 6",
    "[-1, -2.5, -0x10]",
    "{}.size() == 0 && [].size() == 0",
};

// The one acceptable outcome: a tree whose invariants hold, or a parse
// error with a position.
void ExpectTreeOrParseError(absl::string_view source,
                            const ParseOptions& options = {}) {
  absl::StatusOr<ParsedExpr> parsed = Parse(source, options);
  if (parsed.ok()) {
    CheckInvariants(*parsed);
    return;
  }
  EXPECT_TRUE(base::IsParseError(parsed.status()))
      << parsed.status() << " for " << testing::PrintToString(source);
  EXPECT_THAT(std::string(parsed.status().message()), StartsWith("line "))
      << testing::PrintToString(source);
}

TEST(ParserFuzz, CorpusParses) {
  int parsed = 0;
  for (const char* source : kCorpus) {
    absl::StatusOr<ParsedExpr> result = Parse(source);
    EXPECT_TRUE(result.ok()) << source << ": " << result.status();
    if (result.ok()) {
      CheckInvariants(*result);
      ++parsed;
    }
  }
  EXPECT_EQ(parsed, static_cast<int>(std::size(kCorpus)));
}

TEST(ParserFuzz, EveryPrefixAndSuffixOfTheCorpus) {
  for (const char* text : kCorpus) {
    absl::string_view source = text;
    for (size_t i = 0; i <= source.size(); ++i) {
      ExpectTreeOrParseError(source.substr(0, i));
      ExpectTreeOrParseError(source.substr(i));
    }
  }
}

TEST(ParserFuzz, MutatedCorpus) {
  std::mt19937 random(20240607);
  const std::string alphabet =
      "()[]{}.,:?!-+*/%<>=&|'\"`\\ \n0123456789abxuUeE_";
  for (const char* text : kCorpus) {
    const std::string source = text;
    for (int round = 0; round < 200; ++round) {
      std::string mutated = source;
      int edits = 1 + random() % 3;
      for (int e = 0; e < edits; ++e) {
        size_t at = mutated.empty() ? 0 : random() % (mutated.size() + 1);
        char c = alphabet[random() % alphabet.size()];
        switch (random() % 3) {
          case 0:
            mutated.insert(mutated.begin() + at, c);
            break;
          case 1:
            if (at < mutated.size()) mutated.erase(at, 1);
            break;
          default:
            if (at < mutated.size()) mutated[at] = c;
            break;
        }
      }
      ExpectTreeOrParseError(mutated);
      ParseOptions options;
      options.macros = false;
      ExpectTreeOrParseError(mutated, options);
    }
  }
}

TEST(ParserFuzz, RandomBytes) {
  std::mt19937 random(42);
  // Mostly characters that mean something to the lexer, so that the parser
  // gets past the first token; some arbitrary bytes too.
  const std::string alphabet =
      "()[]{}.,:?!-+*/%<>=&|'\"`\\ \t\n\r0123456789abcrxuUeEinthas_";
  int ok = 0;
  for (int i = 0; i < 20000; ++i) {
    size_t length = random() % 48;
    std::string source;
    for (size_t k = 0; k < length; ++k) {
      if (random() % 8 == 0) {
        source.push_back(static_cast<char>(random() % 256));
      } else {
        source.push_back(alphabet[random() % alphabet.size()]);
      }
    }
    absl::StatusOr<ParsedExpr> parsed = Parse(source);
    if (parsed.ok()) {
      ++ok;
      CheckInvariants(*parsed);
    } else {
      ASSERT_TRUE(base::IsParseError(parsed.status()))
          << testing::PrintToString(source);
      ASSERT_THAT(std::string(parsed.status().message()), StartsWith("line "));
    }
  }
  // Some random inputs are valid expressions (a digit, an identifier...).
  EXPECT_GT(ok, 0);
}

TEST(ParserFuzz, RandomTokenSequences) {
  // Sequences of valid tokens reach deeper into the grammar than bytes do.
  std::mt19937 random(7);
  const std::vector<std::string> tokens = {"a",
                                           "b",
                                           ".",
                                           "(",
                                           ")",
                                           "[",
                                           "]",
                                           "{",
                                           "}",
                                           ",",
                                           ":",
                                           "?",
                                           "!",
                                           "-",
                                           "+",
                                           "*",
                                           "/",
                                           "%",
                                           "<",
                                           "<=",
                                           "==",
                                           "!=",
                                           "in",
                                           "&&",
                                           "||",
                                           "1",
                                           "2u",
                                           "3.5",
                                           "'s'",
                                           "b'x'",
                                           "true",
                                           "null",
                                           "has",
                                           "all",
                                           "map",
                                           "filter",
                                           "exists",
                                           "exists_one",
                                           "Msg",
                                           "`q`",
                                           "if",
                                           ".5",
                                           "-9223372036854775808",
                                           "\n",
                                           "// c\n"};
  for (int i = 0; i < 20000; ++i) {
    std::string source;
    size_t length = 1 + random() % 24;
    for (size_t k = 0; k < length; ++k) {
      absl::StrAppend(&source, tokens[random() % tokens.size()], " ");
    }
    ExpectTreeOrParseError(source);
  }
}

// ---------------------------------------------------------------------------
// The expressions of CEL's conformance files in motive's scope.

// The string of a text-format string literal starting at `*i` (at the
// quote), with C-style escapes decoded; advances *i past it.
bool ReadTextprotoString(absl::string_view text, size_t* i, std::string* out) {
  const char quote = text[*i];
  size_t p = *i + 1;
  while (p < text.size() && text[p] != quote) {
    char c = text[p];
    if (c != '\\') {
      out->push_back(c);
      ++p;
      continue;
    }
    if (++p >= text.size()) return false;
    char e = text[p++];
    switch (e) {
      case 'n':
        out->push_back('\n');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case 'x': {
        int value = 0;
        int digits = 0;
        while (digits < 2 && p < text.size() && std::isxdigit(text[p])) {
          value = value * 16 + std::stoi(std::string(1, text[p]), nullptr, 16);
          ++p;
          ++digits;
        }
        out->push_back(static_cast<char>(value));
        break;
      }
      case 'u':
      case 'U': {
        int count = e == 'u' ? 4 : 8;
        if (p + count > text.size()) return false;
        uint32_t cp =
            std::stoul(std::string(text.substr(p, count)), nullptr, 16);
        p += count;
        if (cp < 0x80) {
          out->push_back(static_cast<char>(cp));
        } else if (cp < 0x800) {
          out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
          out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
          out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
          out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
          out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
          out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
          out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int value = e - '0';
          for (int k = 0;
               k < 2 && p < text.size() && text[p] >= '0' && text[p] <= '7';
               ++k) {
            value = value * 8 + (text[p++] - '0');
          }
          out->push_back(static_cast<char>(value));
        } else {
          out->push_back(e);  // \\ \' \" \?
        }
    }
  }
  if (p >= text.size()) return false;
  *i = p + 1;
  return true;
}

// The `expr:` strings of a textproto file; adjacent literals concatenate.
std::vector<std::string> ConformanceExprs(absl::string_view text) {
  std::vector<std::string> exprs;
  size_t i = 0;
  while ((i = text.find("expr:", i)) != absl::string_view::npos) {
    // Only the field itself, not e.g. "some_expr:".
    bool field_start = i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n' ||
                       text[i - 1] == '{';
    i += 5;
    if (!field_start) continue;
    std::string value;
    bool any = false;
    while (true) {
      while (i < text.size() && std::isspace(text[i])) ++i;
      if (i >= text.size() || (text[i] != '"' && text[i] != '\'')) break;
      if (!ReadTextprotoString(text, &i, &value)) break;
      any = true;
    }
    if (any) exprs.push_back(std::move(value));
  }
  return exprs;
}

TEST(ParserConformance, ExpressionsOfTheInScopeFilesParse) {
  const std::string dir = std::string(MOTIVE_SHARED_DIR) +
                          "/conformance/cel-spec/tests/simple/"
                          "testdata/";
  const char* const kFiles[] = {
      "basic",        "comparisons", "conversions", "fields",     "fp_math",
      "integer_math", "lists",       "logic",       "macros",     "namespace",
      "plumbing",     "string",      "timestamps",  "string_ext", "math_ext"};
  int total = 0;
  std::vector<std::string> failures;
  for (const char* name : kFiles) {
    std::ifstream file(dir + name + ".textproto", std::ios::binary);
    if (!file) {
      GTEST_SKIP() << "no conformance files at " << dir
                   << " (the shared folder is absent)";
    }
    std::stringstream content;
    content << file.rdbuf();
    for (const std::string& expr : ConformanceExprs(content.str())) {
      ++total;
      absl::StatusOr<ParsedExpr> parsed = Parse(expr);
      if (parsed.ok()) {
        CheckInvariants(*parsed);
      } else {
        failures.push_back(
            absl::StrCat(name, ": ", expr, "\n  ", parsed.status().message()));
      }
    }
  }
  std::cout << "conformance expressions: " << total << " parsed, "
            << failures.size() << " refused\n";
  for (const std::string& failure : failures) std::cout << failure << "\n";
  EXPECT_GT(total, 1000);
  EXPECT_TRUE(failures.empty());
}

}  // namespace
}  // namespace motive::expr
