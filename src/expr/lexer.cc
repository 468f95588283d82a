#include "expr/lexer.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace motive::expr {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsOctalDigit(char c) { return c >= '0' && c <= '7'; }

bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexValue(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsIdentStart(char c) { return IsLetter(c) || c == '_'; }

bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

// What langdef allows between backquotes: ESC_IDENTIFIER.
bool IsQuotedIdentChar(char c) {
  return IsIdentChar(c) || c == '.' || c == '-' || c == '/' || c == ' ';
}

// Length of the UTF-8 sequence that `lead` starts. The source is valid
// UTF-8 (Parse checks before lexing), so the lead byte says it all.
size_t Utf8Length(char lead) {
  unsigned char c = static_cast<unsigned char>(lead);
  if (c < 0x80) return 1;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  return 4;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// A character for an error message: control characters as U+XXXX, so that
// messages stay printable, anything else as itself in quotes.
std::string QuoteChar(absl::string_view character) {
  unsigned char c = static_cast<unsigned char>(character[0]);
  if (c < 0x20 || c == 0x7F) return absl::StrFormat("U+%04X", c);
  return absl::StrCat("'", character, "'");
}

// "string literal" or "bytes literal", as errors name them.
const char* LiteralName(bool bytes) {
  return bytes ? "bytes literal" : "string literal";
}

// The character that a one-character escape such as \n stands for, or -1
// when `e` does not make one.
int SimpleEscape(char e) {
  switch (e) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    case '\\':
    case '\'':
    case '"':
    case '`':
    case '?':
      return e;
    default:
      return -1;
  }
}

}  // namespace

Token Lexer::Make(TokenKind kind, size_t start) {
  Token token;
  token.kind = kind;
  token.offset = static_cast<int32_t>(start);
  token.text = source_.substr(start, pos_ - start);
  return token;
}

Token Lexer::Error(size_t start, size_t at, std::string message) {
  if (pos_ <= start) pos_ = start + 1;
  if (pos_ > source_.size()) pos_ = source_.size();
  Token token = Make(TokenKind::kError, start);
  token.value = std::move(message);
  token.error_offset = static_cast<int32_t>(at);
  return token;
}

void Lexer::SkipSpaceAndComments() {
  while (pos_ < source_.size()) {
    char c = source_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < source_.size() &&
               source_[pos_ + 1] == '/') {
      // A comment runs to the end of the line; langdef's NEWLINE includes a
      // lone '\r'.
      while (pos_ < source_.size() && source_[pos_] != '\n' &&
             source_[pos_] != '\r') {
        ++pos_;
      }
    } else {
      return;
    }
  }
}

Token Lexer::Next() {
  SkipSpaceAndComments();
  size_t start = pos_;
  if (pos_ >= source_.size()) return Make(TokenKind::kEnd, start);
  char c = source_[pos_];
  auto peek = [&](size_t ahead) {
    return pos_ + ahead < source_.size() ? source_[pos_ + ahead] : '\0';
  };
  if (IsDigit(c) || (c == '.' && IsDigit(peek(1)))) return LexNumber(start);
  if (IsIdentStart(c)) return LexIdentOrPrefixedString(start);
  if (c == '"' || c == '\'') {
    return LexString(start, start, /*raw=*/false, /*bytes=*/false);
  }
  if (c == '`') return LexQuotedIdent(start);

  auto one = [&](TokenKind kind) {
    pos_ += 1;
    return Make(kind, start);
  };
  auto two = [&](TokenKind kind) {
    pos_ += 2;
    return Make(kind, start);
  };
  switch (c) {
    case '(':
      return one(TokenKind::kLParen);
    case ')':
      return one(TokenKind::kRParen);
    case '[':
      return one(TokenKind::kLBracket);
    case ']':
      return one(TokenKind::kRBracket);
    case '{':
      return one(TokenKind::kLBrace);
    case '}':
      return one(TokenKind::kRBrace);
    case '.':
      return one(TokenKind::kDot);
    case ',':
      return one(TokenKind::kComma);
    case ':':
      return one(TokenKind::kColon);
    case '?':
      return one(TokenKind::kQuestion);
    case '+':
      return one(TokenKind::kPlus);
    case '-':
      return one(TokenKind::kMinus);
    case '*':
      return one(TokenKind::kStar);
    case '/':
      return one(TokenKind::kSlash);
    case '%':
      return one(TokenKind::kPercent);
    case '!':
      return peek(1) == '=' ? two(TokenKind::kNotEqual) : one(TokenKind::kNot);
    case '<':
      return peek(1) == '=' ? two(TokenKind::kLessEqual)
                            : one(TokenKind::kLess);
    case '>':
      return peek(1) == '=' ? two(TokenKind::kGreaterEqual)
                            : one(TokenKind::kGreater);
    case '=':
      if (peek(1) == '=') return two(TokenKind::kEqual);
      pos_ += 1;
      return Error(start, start, "unexpected '=' (did you mean '=='?)");
    case '&':
      if (peek(1) == '&') return two(TokenKind::kAnd);
      pos_ += 1;
      return Error(start, start, "unexpected '&' (did you mean '&&'?)");
    case '|':
      if (peek(1) == '|') return two(TokenKind::kOr);
      pos_ += 1;
      return Error(start, start, "unexpected '|' (did you mean '||'?)");
    default:
      break;
  }
  pos_ += Utf8Length(c);
  if (pos_ > source_.size()) pos_ = source_.size();
  return Error(start, start,
               absl::StrCat("unexpected character ",
                            QuoteChar(source_.substr(start, pos_ - start))));
}

Token Lexer::LexNumber(size_t start) {
  const size_t size = source_.size();
  auto at = [&](size_t i) { return i < size ? source_[i] : '\0'; };
  // Hex: only a lowercase 0x, as in langdef.
  if (at(pos_) == '0' && at(pos_ + 1) == 'x') {
    if (!IsHexDigit(at(pos_ + 2))) {
      pos_ += 2;
      return Error(start, start, "expected hex digits after '0x'");
    }
    pos_ += 2;
    while (IsHexDigit(at(pos_))) ++pos_;
    if (at(pos_) == 'u' || at(pos_) == 'U') {
      ++pos_;
      return Make(TokenKind::kUint, start);
    }
    return Make(TokenKind::kInt, start);
  }
  while (IsDigit(at(pos_))) ++pos_;
  bool is_double = false;
  // DIGIT* "." DIGIT+: "1." is not a double (it is 1 followed by '.'), ".5"
  // is.
  if (at(pos_) == '.' && IsDigit(at(pos_ + 1))) {
    pos_ += 1;
    while (IsDigit(at(pos_))) ++pos_;
    is_double = true;
  }
  if (at(pos_) == 'e' || at(pos_) == 'E') {
    size_t p = pos_ + 1;
    if (at(p) == '+' || at(p) == '-') ++p;
    if (IsDigit(at(p))) {
      pos_ = p;
      while (IsDigit(at(pos_))) ++pos_;
      is_double = true;
    }
  }
  if (is_double) return Make(TokenKind::kDouble, start);
  if (at(pos_) == 'u' || at(pos_) == 'U') {
    ++pos_;
    return Make(TokenKind::kUint, start);
  }
  return Make(TokenKind::kInt, start);
}

Token Lexer::LexIdentOrPrefixedString(size_t start) {
  const size_t size = source_.size();
  // String prefixes: r or R (raw), b or B (bytes), and b or B then r or R.
  size_t p = pos_;
  bool raw = false;
  bool bytes = false;
  if (source_[p] == 'b' || source_[p] == 'B') {
    bytes = true;
    ++p;
    if (p < size && (source_[p] == 'r' || source_[p] == 'R')) {
      raw = true;
      ++p;
    }
  } else if (source_[p] == 'r' || source_[p] == 'R') {
    raw = true;
    ++p;
  }
  if ((raw || bytes) && p < size && (source_[p] == '"' || source_[p] == '\'')) {
    return LexString(start, p, raw, bytes);
  }
  while (pos_ < size && IsIdentChar(source_[pos_])) ++pos_;
  Token token = Make(TokenKind::kIdent, start);
  if (token.text == "true") {
    token.kind = TokenKind::kTrue;
  } else if (token.text == "false") {
    token.kind = TokenKind::kFalse;
  } else if (token.text == "null") {
    token.kind = TokenKind::kNull;
  } else if (token.text == "in") {
    token.kind = TokenKind::kIn;
  }
  return token;
}

Token Lexer::LexString(size_t start, size_t quote, bool raw, bool bytes) {
  const size_t size = source_.size();
  const char q = source_[quote];
  const bool triple =
      quote + 2 < size && source_[quote + 1] == q && source_[quote + 2] == q;
  pos_ = quote + (triple ? 3 : 1);
  std::string value;
  const char* what = LiteralName(bytes);
  while (true) {
    if (pos_ >= size) {
      return Error(
          start, start,
          absl::StrCat("unterminated ", triple ? "triple-quoted " : "", what));
    }
    char c = source_[pos_];
    if (c == q) {
      if (!triple) {
        ++pos_;
        break;
      }
      if (pos_ + 2 < size && source_[pos_ + 1] == q && source_[pos_ + 2] == q) {
        pos_ += 3;
        break;
      }
      value.push_back(c);
      ++pos_;
      continue;
    }
    if (!triple && (c == '\n' || c == '\r')) {
      size_t at = pos_;
      ++pos_;
      return Error(start, at,
                   absl::StrCat("unterminated ", what,
                                ": the line ends before the closing quote "
                                "(triple quotes allow several lines)"));
    }
    if (c != '\\' || raw) {
      value.push_back(c);
      ++pos_;
      continue;
    }
    if (std::optional<Token> error = LexEscape(start, bytes, &value)) {
      return *std::move(error);
    }
  }
  Token token = Make(bytes ? TokenKind::kBytes : TokenKind::kString, start);
  token.value = std::move(value);
  return token;
}

std::optional<Token> Lexer::LexEscape(size_t start, bool bytes,
                                      std::string* value) {
  const size_t size = source_.size();
  const size_t escape = pos_;
  if (pos_ + 1 >= size) {
    pos_ = size;
    return Error(start, start,
                 absl::StrCat("unterminated ", LiteralName(bytes)));
  }
  const char e = source_[pos_ + 1];
  pos_ += 2;
  if (const int c = SimpleEscape(e); c >= 0) {
    value->push_back(static_cast<char>(c));
    return std::nullopt;
  }
  uint32_t code = 0;
  switch (e) {
    case 'x':
    case 'X':
      if (!ReadDigits(2, /*hex=*/true, &code)) {
        return Error(start, escape,
                     absl::StrCat("invalid escape sequence: '\\",
                                  absl::string_view(&e, 1),
                                  "' must be followed by two hex digits"));
      }
      break;
    case 'u':
    case 'U':
      return LexUnicodeEscape(start, escape, bytes, value);
    case '0':
    case '1':
    case '2':
    case '3':
      pos_ -= 1;  // the first octal digit is part of the value
      if (!ReadDigits(3, /*hex=*/false, &code)) {
        return Error(start, escape,
                     "invalid escape sequence: an octal escape is three "
                     "octal digits, from \\000 to \\377");
      }
      break;
    default:
      return InvalidEscape(start, escape);
  }
  // \x and octal escapes: an octet in bytes, a code point in strings.
  if (bytes) {
    value->push_back(static_cast<char>(code));
  } else {
    AppendUtf8(code, value);
  }
  return std::nullopt;
}

std::optional<Token> Lexer::LexUnicodeEscape(size_t start, size_t escape,
                                             bool bytes, std::string* value) {
  const char e = source_[escape + 1];
  const size_t count = e == 'u' ? 4 : 8;
  if (bytes) {
    return Error(
        start, escape,
        absl::StrCat("invalid escape sequence: '\\", absl::string_view(&e, 1),
                     "' is allowed in strings, not in bytes"));
  }
  uint32_t code = 0;
  if (!ReadDigits(count, /*hex=*/true, &code)) {
    return Error(
        start, escape,
        absl::StrCat("invalid escape sequence: '\\", absl::string_view(&e, 1),
                     "' must be followed by ", count, " hex digits"));
  }
  if ((code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
    return Error(start, escape,
                 absl::StrFormat("invalid escape sequence: U+%04X is "
                                 "not a valid code point",
                                 code));
  }
  AppendUtf8(code, value);
  return std::nullopt;
}

Token Lexer::InvalidEscape(size_t start, size_t escape) {
  // Show the whole character after the backslash, however long.
  const char e = source_[escape + 1];
  const size_t size = source_.size();
  size_t length = Utf8Length(e);
  pos_ = std::min(escape + 1 + length, size);
  absl::string_view shown = source_.substr(escape + 1, pos_ - escape - 1);
  if (static_cast<unsigned char>(e) < 0x20 || e == 0x7F) {
    return Error(start, escape,
                 absl::StrCat("invalid escape sequence: backslash "
                              "followed by ",
                              QuoteChar(shown)));
  }
  return Error(start, escape,
               absl::StrCat("invalid escape sequence '\\", shown, "'"));
}

bool Lexer::ReadDigits(size_t count, bool hex, uint32_t* out) {
  const size_t size = source_.size();
  uint32_t v = 0;
  for (size_t i = 0; i < count; ++i) {
    if (pos_ >= size) return false;
    char d = source_[pos_];
    if (hex ? !IsHexDigit(d) : !IsOctalDigit(d)) return false;
    v = hex ? v * 16 + HexValue(d) : v * 8 + (d - '0');
    ++pos_;
  }
  *out = v;
  return true;
}

Token Lexer::LexQuotedIdent(size_t start) {
  const size_t size = source_.size();
  ++pos_;  // the opening backquote
  const size_t name_start = pos_;
  while (pos_ < size && IsQuotedIdentChar(source_[pos_])) ++pos_;
  if (pos_ >= size) {
    return Error(start, start, "unterminated quoted identifier");
  }
  if (source_[pos_] != '`') {
    size_t at = pos_;
    pos_ += Utf8Length(source_[pos_]);
    if (pos_ > size) pos_ = size;
    return Error(start, at,
                 absl::StrCat("unexpected character ",
                              QuoteChar(source_.substr(at, pos_ - at)),
                              " in a quoted identifier (allowed: letters, "
                              "digits, '_', '.', '-', '/' and space)"));
  }
  if (pos_ == name_start) {
    ++pos_;
    return Error(start, start, "empty quoted identifier");
  }
  std::string name(source_.substr(name_start, pos_ - name_start));
  ++pos_;  // the closing backquote
  Token token = Make(TokenKind::kQuotedIdent, start);
  token.value = std::move(name);
  return token;
}

std::string DescribeToken(const Token& token) {
  if (token.kind == TokenKind::kEnd) return "end of input";
  // Long tokens (strings) are cut, at a line end or after 24 bytes, on a
  // code point boundary.
  absl::string_view text = token.text;
  bool cut = false;
  size_t newline = text.find_first_of("\r\n");
  if (newline != absl::string_view::npos) {
    text = text.substr(0, newline);
    cut = true;
  }
  if (text.size() > 24) {
    size_t end = 20;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    text = text.substr(0, end);
    cut = true;
  }
  std::string shown = absl::StrCat(text, cut ? "..." : "");
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  // String and bytes tokens carry their own quotes.
  if (token.kind == TokenKind::kString || token.kind == TokenKind::kBytes) {
    return shown;
  }
  return absl::StrCat("'", shown, "'");
}

}  // namespace motive::expr
