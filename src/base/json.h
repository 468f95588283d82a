// A small pull parser for JSON (RFC 8259), for decoders that map JSON onto a
// known schema (model/event_json.h) without building a document tree.
//
// The caller walks the input value by value: Peek tells the type of the next
// value, and the matching call consumes it. Strict RFC 8259: no comments, no
// single quotes, no bare keys, no trailing commas, no leading zeros, no '+'
// sign, no raw control characters in strings, nothing but whitespace after
// the top-level value (Finish). Strings must be valid UTF-8 and escapes must
// be well formed; \uXXXX escapes that do not pair up as UTF-16 surrogates
// are errors. Arrays and objects nest at most kMaxDepth deep, so that hostile
// input cannot exhaust the stack of a recursive caller.
//
// Errors are parse errors (base/errors.h) with no field, whose message says
// what was expected, what was found and at which byte offset:
//   invalid JSON at byte 14: expected ',' or '}' after an object member,
//   got 'x'
// After an error the reader's state is unspecified: stop using it.
//
// Nothing is allocated per token, except that a string holding escapes is
// unescaped into a buffer the reader keeps and reuses. Views handed out point
// into the input or into those buffers; each call documents how long its
// view lives. The input must outlive the reader.
//
// Not thread-safe; one reader per input.

#ifndef MOTIVE_BASE_JSON_H_
#define MOTIVE_BASE_JSON_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace motive::base {

// A JSON number as written. `text` follows RFC 8259's grammar; `integer`
// says it has neither a fraction nor an exponent ("-12", not "1.0" or
// "1e2").
struct JsonNumber {
  absl::string_view text;
  bool integer = false;
};

// The value of a JSON number as a double, correctly rounded. False when its
// magnitude is too large for a double; too small a magnitude rounds to zero.
// Integers that fit an int64 convert as that int64 would, so "-0" is +0.
bool JsonNumberToDouble(const JsonNumber& number, double* value);

// The value of a JSON number as an int64: an integer in range, or a number
// with a fraction or exponent whose value is a whole number in range ("1e3",
// "2.0"). False otherwise. This is protobuf's reading of numbers for integer
// fields.
bool JsonNumberToInt64(const JsonNumber& number, int64_t* value);

class JsonReader {
 public:
  enum class Type { kObject, kArray, kString, kNumber, kTrue, kFalse, kNull };

  // Objects and arrays nest at most this deep.
  static constexpr int kMaxDepth = 64;

  explicit JsonReader(absl::string_view input) : input_(input) {}

  JsonReader(const JsonReader&) = delete;
  JsonReader& operator=(const JsonReader&) = delete;

  // The type of the next value, after the whitespace before it, which is
  // skipped; the value itself is not consumed. A parse error when no value
  // starts there, the end of the input included.
  absl::StatusOr<Type> Peek();

  // Consumes the '{' that starts an object (error if the next value is not
  // an object, or nests too deep). Then, for each member, NextMember
  // consumes the ',' before it, its key and the ':' after it, sets `*key`
  // and returns true, leaving the member's value to be read; at the end it
  // consumes the '}' and returns false. `*key` is valid until the next
  // NextMember call on this reader.
  absl::Status BeginObject();
  absl::StatusOr<bool> NextMember(absl::string_view* key);

  // As for objects: NextElement consumes the ',' before each element and
  // returns true with the element left to be read, or consumes the ']' and
  // returns false.
  absl::Status BeginArray();
  absl::StatusOr<bool> NextElement();

  // Reads a string, unescaped. `*value` is valid until the next ReadString
  // call on this reader (NextMember keys live elsewhere and do not disturb
  // it).
  absl::Status ReadString(absl::string_view* value);
  absl::Status ReadNumber(JsonNumber* number);
  absl::Status ReadBool(bool* value);
  absl::Status ReadNull();
  // Reads and discards any value, however nested (within kMaxDepth).
  absl::Status Skip();

  // Checks that only whitespace is left.
  absl::Status Finish();

  // Byte offset of the next unread byte, or of the next value once Peek
  // has skipped the whitespace before it.
  size_t offset() const { return pos_; }

 private:
  // Enters an object ('{') or an array ('['), within the depth limit.
  absl::Status Open(char bracket);
  void SkipWhitespace();
  absl::Status ErrorAt(size_t pos, absl::string_view what) const;
  // "expected <expected>, got <what is at pos>".
  absl::Status Unexpected(size_t pos, absl::string_view expected) const;
  // Scans the string whose opening quote is at pos_, unescaping into
  // `buffer` only when it holds escapes.
  absl::Status ScanString(std::string* buffer, absl::string_view* value);
  absl::Status Literal(absl::string_view word);

  const absl::string_view input_;
  size_t pos_ = 0;
  int depth_ = 0;
  // True right after '{' or '[': no ',' is due before the next member or
  // element. Reading any value or closing a container clears it.
  bool first_ = false;
  std::string key_buffer_;
  std::string value_buffer_;
};

}  // namespace motive::base

#endif  // MOTIVE_BASE_JSON_H_
