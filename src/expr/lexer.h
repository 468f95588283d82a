// The lexer of CEL source text (the lexis of cel-spec's doc/langdef.md): one
// token at a time, on demand, so that the parser reports the first error in
// source order whether it is lexical or grammatical.
//
// String and bytes literals are decoded here (escapes, raw and triple-quoted
// forms); numbers are left as text because whether an int literal is in range
// depends on a leading minus sign that only the parser sees
// (-9223372036854775808 is valid, 9223372036854775808 is not).
//
// A Lexer is a small value (the source and a position): copying one is how
// the parser peeks past the next token. Not thread-safe; cheap to create.

#ifndef MOTIVE_EXPR_LEXER_H_
#define MOTIVE_EXPR_LEXER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace motive::expr {

enum class TokenKind {
  kEnd,
  kError,
  kIdent,        // reserved words included: the parser rejects them
  kQuotedIdent,  // `content-type`, allowed after '.' and in field inits
  kInt,          // 42, 0x2a
  kUint,         // 42u, 0x2aU
  kDouble,       // 1.5, .5, 1e3, 2.5E-3
  kString,
  kBytes,
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kNot,
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kAnd,
  kOr,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  // Byte offset of the token's first character.
  int32_t offset = 0;
  // The token's source text (empty for kEnd). Points into the lexer's source.
  absl::string_view text;
  // kString, kBytes: the decoded content (valid UTF-8 for kString);
  // kQuotedIdent: the name between the backquotes; kError: the message.
  std::string value;
  // kError: where the problem is, which may be inside the token (a bad
  // escape in a long string).
  int32_t error_offset = 0;
};

class Lexer {
 public:
  // `source` must outlive the lexer and its tokens, be valid UTF-8 (Parse
  // checks this first, so that strings decode to valid UTF-8) and be shorter
  // than 2^31 bytes (offsets are int32_t).
  explicit Lexer(absl::string_view source) : source_(source) {}

  // The next token, skipping whitespace and comments; kEnd at the end, and
  // again on every later call. After a kError token the position is past the
  // offending text, but callers stop at the first error.
  Token Next();

 private:
  Token Make(TokenKind kind, size_t start);
  Token Error(size_t start, size_t at, std::string message);
  void SkipSpaceAndComments();
  Token LexNumber(size_t start);
  Token LexIdentOrPrefixedString(size_t start);
  Token LexString(size_t start, size_t quote, bool raw, bool bytes);
  // Decodes the escape sequence at pos_ (its backslash) in the string or
  // bytes literal that begins at `start`, appending what it stands for to
  // `value`. Returns an error token when the escape is invalid.
  std::optional<Token> LexEscape(size_t start, bool bytes, std::string* value);
  // \u and \U, whose backslash is at `escape`.
  std::optional<Token> LexUnicodeEscape(size_t start, size_t escape, bool bytes,
                                        std::string* value);
  // The error for a backslash at `escape` followed by no valid escape.
  Token InvalidEscape(size_t start, size_t escape);
  // Reads `count` hex or octal digits into `out`; false when fewer follow.
  bool ReadDigits(size_t count, bool hex, uint32_t* out);
  Token LexQuotedIdent(size_t start);

  absl::string_view source_;
  size_t pos_ = 0;
};

// How error messages name a token: "end of input", or its source text in
// quotes, shortened when long.
std::string DescribeToken(const Token& token);

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_LEXER_H_
