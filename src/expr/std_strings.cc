// String functions: contains, startsWith, endsWith and matches, and CEL's
// strings extension (charAt, indexOf, lastIndexOf, lowerAscii, upperAscii,
// replace, split, substring, trim, join, reverse, strings.quote, format).
//
// Strings are UTF-8 and indexes count code points, as in CEL. Bytes that are
// not valid UTF-8 (possible in bound data) count as one code point each, so
// that every function is defined on every input.
//
// Results that are part of an argument (substring, trim, charAt, split's
// pieces) refer to the argument's storage, which outlives the evaluation's
// results (see value.h); new text is built in the evaluation's arena and
// held to Limits::max_result_bytes.

#include "expr/std_strings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "expr/functions.h"
#include "expr/std_time.h"
#include "expr/type.h"
#include "expr/value.h"
#include "re2/re2.h"

namespace motive::expr {
namespace {

// --- arena storage -----------------------------------------------------------

bool WithinLimit(size_t size, const EvalContext& context) {
  return size <= context.limits().max_result_bytes;
}

// Room for a result of `size` chars, or of `count` values, charged to the
// evaluation. Null past max_result_bytes or the evaluation's budget; the
// error is then context.TooLarge().
char* NewChars(EvalContext& context, size_t size) {
  return WithinLimit(size, context) ? context.Allocate<char>(size) : nullptr;
}
Value* NewValues(EvalContext& context, size_t count) {
  return count <= context.limits().max_result_bytes / sizeof(Value)
             ? context.Allocate<Value>(count)
             : nullptr;
}

// Text of unknown length built in the arena, doubling as it grows (what it
// outgrows stays in the arena until the evaluation ends: at most as much
// again as the result). Refuses to grow past the size limit.
class ArenaText {
 public:
  explicit ArenaText(EvalContext& context)
      : ArenaText(context, context.limits().max_result_bytes) {}
  ArenaText(EvalContext& context, size_t limit)
      : context_(context), limit_(limit) {}

  // Each returns false, appending nothing, once the text would pass the
  // limit.
  bool Append(absl::string_view text) {
    if (text.empty()) return true;
    char* room = Reserve(text.size());
    if (room == nullptr || !Commit(text.size())) return false;
    std::memcpy(room, text.data(), text.size());
    return true;
  }
  bool Append(char c) { return Append(absl::string_view(&c, 1)); }

  // Room for `size` (> 0) more bytes at the end, to be written and then
  // kept with Commit (which may be given fewer). Null past the limit.
  char* Reserve(size_t size) {
    if (size > kSlack && size - kSlack > limit_ - size_) return nullptr;
    if (size > capacity_ - size_) {
      const size_t capacity =
          std::max({capacity_ * 2, size_ + size, size_t{64}});
      char* data = context_.Allocate<char>(capacity);
      if (data == nullptr) return nullptr;
      if (size_ > 0) std::memcpy(data, data_, size_);
      data_ = data;
      capacity_ = capacity;
    }
    return data_ + size_;
  }
  bool Commit(size_t size) {
    if (size > limit_ - size_) return false;
    size_ += size;
    return true;
  }

  absl::string_view view() const { return absl::string_view(data_, size_); }
  // How much more the limit allows.
  size_t remaining() const { return limit_ - size_; }

 private:
  // Reserve asks for an upper bound (a number's longest text); this much
  // past the limit may be reserved but never committed.
  static constexpr size_t kSlack = 4096;

  EvalContext& context_;
  size_t limit_;  // size_ <= limit_ always
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// --- UTF-8 -------------------------------------------------------------------

constexpr char32_t kInvalidRune = 0xFFFFFFFF;

// Decodes the code point at s[i] and sets `length` to its bytes; for bytes
// that are not valid UTF-8 there (truncated, overlong, a surrogate, past
// U+10FFFF) returns kInvalidRune with length 1.
char32_t DecodeRune(absl::string_view s, size_t i, size_t* length) {
  const unsigned char lead = static_cast<unsigned char>(s[i]);
  *length = 1;
  if (lead < 0x80) return lead;
  size_t size;
  char32_t rune;
  char32_t min;
  if ((lead & 0xE0) == 0xC0) {
    size = 2, rune = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    size = 3, rune = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    size = 4, rune = lead & 0x07, min = 0x10000;
  } else {
    return kInvalidRune;
  }
  if (s.size() - i < size) return kInvalidRune;
  for (size_t k = 1; k < size; ++k) {
    const unsigned char c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return kInvalidRune;
    rune = (rune << 6) | (c & 0x3F);
  }
  if (rune < min || rune > 0x10FFFF || (rune >= 0xD800 && rune <= 0xDFFF)) {
    return kInvalidRune;
  }
  *length = size;
  return rune;
}

size_t RuneLength(absl::string_view s, size_t i) {
  if (static_cast<unsigned char>(s[i]) < 0x80) return 1;
  size_t length;
  DecodeRune(s, i, &length);
  return length;
}

int64_t CodePointCount(absl::string_view s) {
  int64_t count = 0;
  for (size_t i = 0; i < s.size(); i += RuneLength(s, i)) ++count;
  return count;
}

// The byte offset of code point `index` (s.size() for the end), or npos
// when `s` has fewer code points; `index` must not be negative.
size_t ByteOffset(absl::string_view s, int64_t index) {
  size_t i = 0;
  for (; index > 0; --index) {
    if (i >= s.size()) return absl::string_view::npos;
    i += RuneLength(s, i);
  }
  return i;
}

bool IsValidUtf8(absl::string_view s) {
  size_t length;
  for (size_t i = 0; i < s.size(); i += length) {
    if (DecodeRune(s, i, &length) == kInvalidRune) return false;
  }
  return true;
}

// Unicode's white space, as Go's unicode.IsSpace and CEL's trim() see it.
bool IsSpace(char32_t rune) {
  switch (rune) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return rune >= 0x2000 && rune <= 0x200A;
  }
}

Value IndexOutOfRange(int64_t index, EvalContext& context) {
  return Value::ErrorIn(context.arena(),
                        absl::StrCat(kIndexOutOfRange, ": ", index));
}

// --- contains, startsWith, endsWith, matches ---------------------------------

Value Contains(absl::Span<const Value> args, EvalContext&) {
  return Value::Bool(args[0].text().find(args[1].text()) !=
                     absl::string_view::npos);
}

Value StartsWith(absl::Span<const Value> args, EvalContext&) {
  const absl::string_view s = args[0].text();
  const absl::string_view prefix = args[1].text();
  return Value::Bool(s.substr(0, prefix.size()) == prefix);
}

Value EndsWith(absl::Span<const Value> args, EvalContext&) {
  const absl::string_view s = args[0].text();
  const absl::string_view suffix = args[1].text();
  return Value::Bool(s.size() >= suffix.size() &&
                     s.substr(s.size() - suffix.size()) == suffix);
}

// RE2 bounds each pattern's program and DFA cache by this (8 MiB by
// default): rule patterns need far less, and the cache below holds up to
// 256 of them. A pattern too big for it fails to compile.
constexpr int64_t kMaxRegexMemory = 1 << 20;

// Compiled patterns by pattern text. Rules use a few constant patterns, so
// a small cache holds them all; when it fills (patterns computed from
// data), it starts over rather than tracking use: whoever still runs an
// evicted pattern holds its own reference.
class RegexCache {
 public:
  static RegexCache& Instance() {
    static RegexCache* const cache = new RegexCache;
    return *cache;
  }

  std::shared_ptr<const re2::RE2> Get(absl::string_view pattern) {
    {
      absl::MutexLock lock(&mu_);
      auto it = patterns_.find(pattern);
      if (it != patterns_.end()) return it->second;
    }
    // Compiled outside the lock, so that lookups of other patterns don't
    // wait; two threads may compile the same pattern once each.
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(kMaxRegexMemory);
    auto compiled = std::make_shared<const re2::RE2>(
        re2::StringPiece(pattern.data(), pattern.size()), options);
    absl::MutexLock lock(&mu_);
    if (patterns_.size() >= kCapacity) patterns_.clear();
    return patterns_.emplace(pattern, std::move(compiled)).first->second;
  }

 private:
  static constexpr size_t kCapacity = 256;

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const re2::RE2>> patterns_
      ABSL_GUARDED_BY(mu_);
};

// The compiled pattern, from a per-thread memo of the last few patterns
// (no lock, no reference count) or else the shared cache. The reference
// is valid until this thread's next call.
const re2::RE2& FindRegex(absl::string_view pattern) {
  struct Recent {
    std::string pattern;
    std::shared_ptr<const re2::RE2> re;
  };
  thread_local std::array<Recent, 4> recent;
  thread_local size_t next = 0;
  for (const Recent& r : recent) {
    if (r.re != nullptr && r.pattern == pattern) return *r.re;
  }
  Recent& slot = recent[next++ % recent.size()];
  slot.re = RegexCache::Instance().Get(pattern);
  slot.pattern.assign(pattern.data(), pattern.size());
  return *slot.re;
}

// matches(text, pattern) and text.matches(pattern).
Value Matches(absl::Span<const Value> args, EvalContext& context) {
  return MatchRegex(FindRegex(args[1].text()), args[0].text(), context);
}

// --- the strings extension ---------------------------------------------------

Value CharAt(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  const int64_t index = args[1].int_value();
  const size_t offset =
      index < 0 ? absl::string_view::npos : ByteOffset(s, index);
  if (offset == absl::string_view::npos) {
    return IndexOutOfRange(index, context);
  }
  if (offset == s.size()) return Value::String("");
  return Value::String(s.substr(offset, RuneLength(s, offset)));
}

// The code point index of a match at byte `offset` of `s`, or -1 for none.
Value MatchIndex(absl::string_view s, size_t offset) {
  if (offset == absl::string_view::npos) return Value::Int(-1);
  return Value::Int(CodePointCount(s.substr(0, offset)));
}

// s.indexOf(sub) and s.indexOf(sub, from): from counts code points and
// must be within the string (its length included).
Value IndexOf(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  size_t from = 0;
  if (args.size() > 2) {
    const int64_t index = args[2].int_value();
    from = index < 0 ? absl::string_view::npos : ByteOffset(s, index);
    if (from == absl::string_view::npos) {
      return IndexOutOfRange(index, context);
    }
  }
  return MatchIndex(s, s.find(args[1].text(), from));
}

// s.lastIndexOf(sub) and s.lastIndexOf(sub, from): the last match that
// starts at or before code point `from`.
Value LastIndexOf(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  size_t from = absl::string_view::npos;
  if (args.size() > 2) {
    const int64_t index = args[2].int_value();
    from = index < 0 ? absl::string_view::npos : ByteOffset(s, index);
    if (from == absl::string_view::npos) {
      return IndexOutOfRange(index, context);
    }
  }
  return MatchIndex(s, s.rfind(args[1].text(), from));
}

template <bool kUpper>
Value ChangeAsciiCase(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  const char from = kUpper ? 'a' : 'A';
  auto changes = [from](char c) { return c >= from && c <= from + 25; };
  const auto first = std::find_if(s.begin(), s.end(), changes);
  if (first == s.end()) return args[0];  // nothing to change: no copy
  char* out = NewChars(context, s.size());
  if (out == nullptr) return context.TooLarge();
  std::memcpy(out, s.data(), s.size());
  for (size_t i = static_cast<size_t>(first - s.begin()); i < s.size(); ++i) {
    if (changes(out[i])) out[i] = static_cast<char>(out[i] ^ 0x20);
  }
  return Value::String(absl::string_view(out, s.size()));
}

// s.replace(old, new) and s.replace(old, new, n), as Go's
// strings.Replace: at most n replacements (all when n < 0); an empty `old`
// matches before each code point and at the end.
Value Replace(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  const absl::string_view old_text = args[1].text();
  const absl::string_view new_text = args[2].text();
  const int64_t limit = args.size() > 3 ? args[3].int_value() : -1;
  const uint64_t max_count =
      limit < 0 ? UINT64_MAX : static_cast<uint64_t>(limit);

  // First count the matches, so that the result is allocated once.
  uint64_t count = 0;
  if (old_text.empty()) {
    count = std::min<uint64_t>(max_count,
                               static_cast<uint64_t>(CodePointCount(s)) + 1);
  } else {
    for (size_t at = s.find(old_text);
         at != absl::string_view::npos && count < max_count;
         at = s.find(old_text, at + old_text.size())) {
      ++count;
    }
  }
  if (count == 0) return args[0];
  // size = s.size() + count * (new - old), checked before it is computed.
  const uint64_t limit_bytes = context.limits().max_result_bytes;
  uint64_t size = s.size();
  if (new_text.size() >= old_text.size()) {
    const uint64_t growth = new_text.size() - old_text.size();
    if (growth > 0 &&
        count > (limit_bytes - std::min(limit_bytes, size)) / growth) {
      return context.TooLarge();
    }
    size += count * growth;
  } else {
    size -= count * (old_text.size() - new_text.size());
  }
  char* out = NewChars(context, size);
  if (out == nullptr) return context.TooLarge();
  char* p = out;
  auto put = [&p](absl::string_view text) {
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    p += text.size();
  };
  size_t i = 0;
  for (uint64_t done = 0; done < count; ++done) {
    if (old_text.empty()) {
      put(new_text);
      if (i < s.size()) {
        const size_t length = RuneLength(s, i);
        put(s.substr(i, length));
        i += length;
      }
    } else {
      const size_t at = s.find(old_text, i);
      put(s.substr(i, at - i));
      put(new_text);
      i = at + old_text.size();
    }
  }
  put(s.substr(i));
  return Value::String(absl::string_view(out, size));
}

// s.split(sep) and s.split(sep, n), as Go's strings.SplitN: n == 0 gives
// no pieces, n > 0 at most n (the last holds the rest), n < 0 all; an
// empty separator splits between code points.
Value Split(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  const absl::string_view separator = args[1].text();
  const int64_t limit = args.size() > 2 ? args[2].int_value() : -1;
  if (limit == 0) return Value::List({});
  const uint64_t max_pieces =
      limit < 0 ? UINT64_MAX : static_cast<uint64_t>(limit);

  // Count, then fill an array of the exact size.
  uint64_t pieces = 1;
  if (separator.empty()) {
    pieces = std::min<uint64_t>(max_pieces,
                                static_cast<uint64_t>(CodePointCount(s)));
    if (pieces == 0) return Value::List({});
  } else {
    for (size_t at = s.find(separator);
         at != absl::string_view::npos && pieces < max_pieces;
         at = s.find(separator, at + separator.size())) {
      ++pieces;
    }
  }
  Value* values = NewValues(context, pieces);
  if (values == nullptr) return context.TooLarge();
  size_t i = 0;
  for (uint64_t k = 0; k + 1 < pieces; ++k) {
    const size_t end =
        separator.empty() ? i + RuneLength(s, i) : s.find(separator, i);
    values[k] = Value::String(s.substr(i, end - i));
    i = end + separator.size();
  }
  values[pieces - 1] = Value::String(s.substr(i));
  return Value::List(absl::Span<const Value>(values, pieces));
}

// s.substring(begin) and s.substring(begin, end), in code points.
Value Substring(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  const int64_t begin = args[1].int_value();
  const size_t begin_offset =
      begin < 0 ? absl::string_view::npos : ByteOffset(s, begin);
  if (begin_offset == absl::string_view::npos) {
    return IndexOutOfRange(begin, context);
  }
  if (args.size() < 3) return Value::String(s.substr(begin_offset));
  const int64_t end = args[2].int_value();
  const size_t end_offset =
      end < 0 ? absl::string_view::npos : ByteOffset(s, end);
  if (end_offset == absl::string_view::npos) {
    return IndexOutOfRange(end, context);
  }
  if (begin > end) {
    return Value::ErrorIn(
        context.arena(), absl::StrCat("invalid substring range. start: ", begin,
                                      ", end: ", end));
  }
  return Value::String(s.substr(begin_offset, end_offset - begin_offset));
}

Value Trim(absl::Span<const Value> args, EvalContext&) {
  const absl::string_view s = args[0].text();
  size_t length = 0;
  size_t begin = 0;
  while (begin < s.size() && IsSpace(DecodeRune(s, begin, &length))) {
    begin += length;
  }
  size_t end = begin;  // just past the last code point that is not space
  for (size_t i = begin; i < s.size(); i += length) {
    if (!IsSpace(DecodeRune(s, i, &length))) end = i + length;
  }
  return Value::String(s.substr(begin, end - begin));
}

// list.join() and list.join(separator).
Value Join(absl::Span<const Value> args, EvalContext& context) {
  const absl::Span<const Value> list = args[0].list();
  const absl::string_view separator =
      args.size() > 1 ? args[1].text() : absl::string_view();
  uint64_t size = 0;
  for (const Value& element : list) {
    if (element.kind() != ValueKind::kString) {
      return Value::ErrorIn(
          context.arena(),
          absl::StrCat(kNoMatchingOverload,
                       " for 'join' applied to a list holding ",
                       KindName(element.kind())));
    }
    size += element.text().size();
  }
  if (list.empty()) return Value::String("");
  if (list.size() == 1) return list[0];
  size += separator.size() * (list.size() - 1);
  char* out = NewChars(context, size);
  if (out == nullptr) return context.TooLarge();
  char* p = out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0 && !separator.empty()) {
      std::memcpy(p, separator.data(), separator.size());
      p += separator.size();
    }
    const absl::string_view text = list[i].text();
    if (!text.empty()) std::memcpy(p, text.data(), text.size());
    p += text.size();
  }
  return Value::String(absl::string_view(out, size));
}

Value Reverse(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  if (s.size() <= 1) return args[0];
  char* out = NewChars(context, s.size());
  if (out == nullptr) return context.TooLarge();
  for (size_t i = 0; i < s.size();) {
    const size_t length = RuneLength(s, i);
    std::memcpy(out + s.size() - i - length, s.data() + i, length);
    i += length;
  }
  return Value::String(absl::string_view(out, s.size()));
}

// strings.quote(s): a double-quoted CEL string literal of `s`. Bytes that
// are not UTF-8 become U+FFFD.
Value Quote(absl::Span<const Value> args, EvalContext& context) {
  const absl::string_view s = args[0].text();
  ArenaText out(context);
  bool ok = out.Append('"');
  size_t length;
  for (size_t i = 0; ok && i < s.size(); i += length) {
    const char32_t rune = DecodeRune(s, i, &length);
    switch (rune) {
      case '\a':
        ok = out.Append("\\a");
        break;
      case '\b':
        ok = out.Append("\\b");
        break;
      case '\f':
        ok = out.Append("\\f");
        break;
      case '\n':
        ok = out.Append("\\n");
        break;
      case '\r':
        ok = out.Append("\\r");
        break;
      case '\t':
        ok = out.Append("\\t");
        break;
      case '\v':
        ok = out.Append("\\v");
        break;
      case '\\':
        ok = out.Append("\\\\");
        break;
      case '"':
        ok = out.Append("\\\"");
        break;
      case kInvalidRune:
        ok = out.Append("\xEF\xBF\xBD");
        break;
      default:
        ok = out.Append(s.substr(i, length));
    }
  }
  if (!ok || !out.Append('"')) return context.TooLarge();
  return Value::String(out.view());
}

// --- format ------------------------------------------------------------------

// Appends the text of a number; false past the size limit.
template <typename T>
bool AppendNumber(ArenaText& out, T value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return out.Append(absl::string_view(buffer, result.ptr - buffer));
}

bool AppendInBase(ArenaText& out, uint64_t magnitude, bool negative, int base,
                  bool upper) {
  char buffer[66];
  char* end = buffer + sizeof(buffer);
  char* p = end;
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    *--p = digits[magnitude % static_cast<uint64_t>(base)];
    magnitude /= static_cast<uint64_t>(base);
  } while (magnitude != 0);
  if (negative) *--p = '-';
  return out.Append(absl::string_view(p, end - p));
}

bool AppendIntInBase(ArenaText& out, const Value& value, int base, bool upper) {
  if (value.kind() == ValueKind::kUint) {
    return AppendInBase(out, value.uint_value(), false, base, upper);
  }
  const int64_t i = value.int_value();
  // Negating in unsigned arithmetic is defined for INT64_MIN too.
  const uint64_t magnitude =
      i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
  return AppendInBase(out, magnitude, i < 0, base, upper);
}

// NaN and the infinities are written as CEL's double() reads them.
absl::string_view NonFiniteText(double d) {
  if (std::isnan(d)) return "NaN";
  return d > 0 ? "Infinity" : "-Infinity";
}

// A double as CEL's string() writes it (Go's %g: the shortest digits that
// read back to the same double, in exponent form below 1e-4 and from 1e6
// on): 3.14, 123456, 1e+06, 1.5e-05.
bool AppendShortestDouble(ArenaText& out, double d) {
  if (!std::isfinite(d)) return out.Append(NonFiniteText(d));
  char buffer[40];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), d,
                                    std::chars_format::scientific);
  const absl::string_view text(buffer, result.ptr - buffer);
  // text is [-]d[.ddd]e(+|-)dd: split it into digits and exponent.
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  char digits[24];  // at most 17
  int count = 0;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
    if (c != '.') digits[count++] = c;
  }
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1),
                  text.data() + text.size(), exponent);
  char formatted[48];
  char* p = formatted;
  if (negative) *p++ = '-';
  if (exponent < -4 || exponent >= 6) {
    *p++ = digits[0];
    if (count > 1) {
      *p++ = '.';
      for (int i = 1; i < count; ++i) *p++ = digits[i];
    }
    *p++ = 'e';
    *p++ = exponent < 0 ? '-' : '+';
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) *p++ = '0';
    p = std::to_chars(p, formatted + sizeof(formatted), magnitude).ptr;
  } else if (exponent < 0) {
    *p++ = '0';
    *p++ = '.';
    for (int i = exponent + 1; i < 0; ++i) *p++ = '0';
    for (int i = 0; i < count; ++i) *p++ = digits[i];
  } else {
    for (int i = 0; i <= exponent; ++i) *p++ = i < count ? digits[i] : '0';
    if (count > exponent + 1) {
      *p++ = '.';
      for (int i = exponent + 1; i < count; ++i) *p++ = digits[i];
    }
  }
  return out.Append(absl::string_view(formatted, p - formatted));
}

// %f and %e.
bool AppendFixedOrScientific(ArenaText& out, double d, int precision,
                             bool scientific) {
  if (!std::isfinite(d)) return out.Append(NonFiniteText(d));
  // The longest: a sign, 309 integer digits, a point, the precision, an
  // exponent.
  const size_t room = 320 + static_cast<size_t>(precision);
  char* p = out.Reserve(room);
  if (p == nullptr) return false;
  const auto result = std::to_chars(
      p, p + room, d,
      scientific ? std::chars_format::scientific : std::chars_format::fixed,
      precision);
  return out.Commit(static_cast<size_t>(result.ptr - p));
}

constexpr int kMaxFormatDepth = 32;

bool AppendValueText(ArenaText& out, const Value& value, int depth,
                     EvalContext& context, Value* error);

// {key: value, ...} with entries ordered by the keys' text, so that the
// result does not depend on how the map was built.
bool AppendMapText(ArenaText& out, const MapValue& map, int depth,
                   EvalContext& context, Value* error) {
  struct Entry {
    absl::string_view key;
    absl::string_view value;
  };
  const size_t count = map.size();
  Entry* entries = context.Allocate<Entry>(count);
  if (entries == nullptr) {
    *error = context.TooLarge();
    return false;
  }
  // Entries are written apart before they are sorted; together they must
  // fit in what `out` has left, so each gets what the others left.
  size_t budget = out.remaining();
  for (size_t i = 0; i < count; ++i) {
    const MapValue::Entry& entry = map.entries()[i];
    ArenaText key(context, budget);
    if (!AppendValueText(key, entry.key, depth + 1, context, error)) {
      return false;
    }
    budget -= key.view().size();
    ArenaText text(context, budget);
    if (!AppendValueText(text, entry.value, depth + 1, context, error)) {
      return false;
    }
    budget -= text.view().size();
    new (entries + i) Entry{key.view(), text.view()};
  }
  std::sort(entries, entries + count, [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.value < b.value;
  });
  bool ok = out.Append('{');
  for (size_t i = 0; ok && i < count; ++i) {
    ok = (i == 0 || out.Append(", ")) && out.Append(entries[i].key) &&
         out.Append(": ") && out.Append(entries[i].value);
  }
  if (!(ok && out.Append('}'))) *error = context.TooLarge();
  return ok;
}

// What %s writes for `value`. On failure sets `error` and returns false.
bool AppendValueText(ArenaText& out, const Value& value, int depth,
                     EvalContext& context, Value* error) {
  if (depth > kMaxFormatDepth) {
    *error = Value::Error("value nested too deeply to format");
    return false;
  }
  bool ok = true;
  switch (value.kind()) {
    case ValueKind::kNull:
      ok = out.Append("null");
      break;
    case ValueKind::kBool:
      ok = out.Append(value.bool_value() ? "true" : "false");
      break;
    case ValueKind::kInt:
      ok = AppendNumber(out, value.int_value());
      break;
    case ValueKind::kUint:
      ok = AppendNumber(out, value.uint_value());
      break;
    case ValueKind::kDouble:
      ok = AppendShortestDouble(out, value.double_value());
      break;
    case ValueKind::kBytes:
      // As string(bytes) would, which refuses what is not UTF-8.
      if (!IsValidUtf8(value.text())) {
        *error =
            Value::Error("error during formatting: bytes are not valid UTF-8");
        return false;
      }
      ok = out.Append(value.text());
      break;
    case ValueKind::kString:
    case ValueKind::kType:
      ok = out.Append(value.text());
      break;
    case ValueKind::kTimestamp: {
      char text[kMaxTimeTextSize];
      ok = out.Append(
          absl::string_view(text, FormatTimestamp(value.timestamp(), text)));
      break;
    }
    case ValueKind::kDuration: {
      char text[kMaxTimeTextSize];
      ok = out.Append(
          absl::string_view(text, FormatDuration(value.duration(), text)));
      break;
    }
    case ValueKind::kList: {
      ok = out.Append('[');
      const absl::Span<const Value> list = value.list();
      for (size_t i = 0; ok && i < list.size(); ++i) {
        if (i > 0) ok = out.Append(", ");
        if (ok && !AppendValueText(out, list[i], depth + 1, context, error)) {
          return false;
        }
      }
      ok = ok && out.Append(']');
      break;
    }
    case ValueKind::kMap:
      return AppendMapText(out, value.map(), depth, context, error);
    case ValueKind::kOptional:
      *error = Value::Error(
          "error during formatting: an optional value has no text (use "
          "value() or orValue())");
      return false;
    case ValueKind::kError:
      *error = value;
      return false;
  }
  if (!ok) *error = context.TooLarge();
  return ok;
}

Value ClauseError(absl::string_view what, const Value& arg,
                  EvalContext& context) {
  return Value::ErrorIn(context.arena(),
                        absl::StrCat("error during formatting: ", what,
                                     ", was given ", KindName(arg.kind())));
}

// Formats one clause's argument. On failure sets `error`, returns false.
bool FormatClause(char verb, int precision, const Value& arg, ArenaText& out,
                  EvalContext& context, Value* error) {
  const ValueKind kind = arg.kind();
  const bool integer = kind == ValueKind::kInt || kind == ValueKind::kUint;
  bool ok = true;
  switch (verb) {
    case 's':
      return AppendValueText(out, arg, 0, context, error);
    case 'd':
      if (integer) {
        ok = AppendIntInBase(out, arg, 10, false);
      } else if (kind == ValueKind::kDouble &&
                 !std::isfinite(arg.double_value())) {
        ok = out.Append(NonFiniteText(arg.double_value()));
      } else {
        *error = ClauseError("decimal clause can only be used on integers", arg,
                             context);
        return false;
      }
      break;
    case 'f':
    case 'e': {
      double d;
      if (kind == ValueKind::kDouble) {
        d = arg.double_value();
      } else if (kind == ValueKind::kInt) {
        d = static_cast<double>(arg.int_value());
      } else if (kind == ValueKind::kUint) {
        d = static_cast<double>(arg.uint_value());
      } else {
        *error =
            ClauseError(verb == 'f' ? "fixed-point clause can only be used on "
                                      "doubles"
                                    : "scientific clause can only be used on "
                                      "doubles",
                        arg, context);
        return false;
      }
      ok = AppendFixedOrScientific(out, d, precision < 0 ? 6 : precision,
                                   verb == 'e');
      break;
    }
    case 'b':
      if (integer) {
        ok = AppendIntInBase(out, arg, 2, false);
      } else if (kind == ValueKind::kBool) {
        ok = out.Append(arg.bool_value() ? '1' : '0');
      } else {
        *error = ClauseError(
            "only integers and bools can be formatted as binary", arg, context);
        return false;
      }
      break;
    case 'o':
      if (!integer) {
        *error = ClauseError("octal clause can only be used on integers", arg,
                             context);
        return false;
      }
      ok = AppendIntInBase(out, arg, 8, false);
      break;
    case 'x':
    case 'X': {
      const bool upper = verb == 'X';
      if (integer) {
        ok = AppendIntInBase(out, arg, 16, upper);
      } else if (kind == ValueKind::kString || kind == ValueKind::kBytes) {
        const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        for (unsigned char c : arg.text()) {
          const char pair[2] = {digits[c >> 4], digits[c & 0xF]};
          if (!(ok = out.Append(absl::string_view(pair, 2)))) break;
        }
      } else {
        *error = ClauseError(
            "only integers, byte buffers, and strings can be formatted as "
            "hex",
            arg, context);
        return false;
      }
      break;
    }
  }
  if (!ok) *error = context.TooLarge();
  return ok;
}

Value FormatParseError(absl::string_view detail, EvalContext& context) {
  return Value::ErrorIn(
      context.arena(),
      absl::StrCat("could not parse formatting clause: ", detail));
}

// format.format(args): printf-like, with CEL's clauses %s %d %f %e %b %o %x
// %X and %%, and a precision for %f and %e (%.3f).
Value Format(absl::Span<const Value> args, EvalContext& context) {
  constexpr int kMaxPrecision = 1000;
  const absl::string_view format = args[0].text();
  const absl::Span<const Value> values = args[1].list();
  ArenaText out(context);
  size_t next = 0;  // the next argument
  size_t i = 0;
  while (i < format.size()) {
    const size_t percent = format.find('%', i);
    if (!out.Append(format.substr(i, percent - i))) {
      return context.TooLarge();
    }
    if (percent == absl::string_view::npos) break;
    i = percent + 1;
    if (i < format.size() && format[i] == '%') {
      if (!out.Append('%')) return context.TooLarge();
      ++i;
      continue;
    }
    int precision = -1;
    if (i < format.size() && format[i] == '.') {
      precision = 0;
      for (++i; i < format.size() && format[i] >= '0' && format[i] <= '9';
           ++i) {
        precision = precision * 10 + (format[i] - '0');
        if (precision > kMaxPrecision) {
          return FormatParseError("precision too large", context);
        }
      }
    }
    if (i >= format.size()) {
      return FormatParseError("the format string ends inside a clause",
                              context);
    }
    const char verb = format[i];
    if (absl::string_view("sdfeboxX").find(verb) == absl::string_view::npos) {
      return FormatParseError(
          absl::StrCat("unrecognized formatting clause \"",
                       format.substr(i, RuneLength(format, i)), "\""),
          context);
    }
    ++i;
    if (next >= values.size()) {
      return Value::ErrorIn(context.arena(),
                            absl::StrCat("index ", next, " out of range"));
    }
    Value error;
    if (!FormatClause(verb, precision, values[next++], out, context, &error)) {
      return error;
    }
  }
  return Value::String(out.view());
}

}  // namespace

std::shared_ptr<const re2::RE2> CompileRegex(absl::string_view pattern) {
  return RegexCache::Instance().Get(pattern);
}

Value MatchRegex(const re2::RE2& re, absl::string_view text,
                 EvalContext& context) {
  if (!re.ok()) {
    constexpr size_t kShown = 64;
    const absl::string_view pattern = re.pattern();
    const absl::string_view error = re.error();
    return Value::ErrorIn(
        context.arena(),
        absl::StrCat(
            "invalid regular expression '", pattern.substr(0, kShown),
            pattern.size() > kShown ? "...': " : "': ", error.substr(0, kShown),
            re.error_code() == re2::RE2::ErrorPatternTooLarge
                ? absl::StrCat(" (the limit is ", kMaxRegexMemory,
                               " bytes of compiled program)")
                : ""));
  }
  return Value::Bool(
      re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), re));
}

void AddStringFunctions(FunctionRegistry& registry) {
  const Type string = Type::String();
  AddBuiltinMethod(registry, "contains", "contains_string", {string, string},
                   Type::Bool(), &Contains);
  AddBuiltinMethod(registry, "startsWith", "starts_with_string",
                   {string, string}, Type::Bool(), &StartsWith);
  AddBuiltinMethod(registry, "endsWith", "ends_with_string", {string, string},
                   Type::Bool(), &EndsWith);
  AddBuiltin(registry, "matches", "matches", {string, string}, Type::Bool(),
             &Matches);
  AddBuiltinMethod(registry, "matches", "matches_string", {string, string},
                   Type::Bool(), &Matches);
}

void AddStringExtensions(FunctionRegistry& registry) {
  const Type string = Type::String();
  const Type integer = Type::Int();
  AddBuiltinMethod(registry, "charAt", "string_char_at_int", {string, integer},
                   string, &CharAt);
  AddBuiltinMethod(registry, "indexOf", "string_index_of_string",
                   {string, string}, integer, &IndexOf);
  AddBuiltinMethod(registry, "indexOf", "string_index_of_string_int",
                   {string, string, integer}, integer, &IndexOf);
  AddBuiltinMethod(registry, "lastIndexOf", "string_last_index_of_string",
                   {string, string}, integer, &LastIndexOf);
  AddBuiltinMethod(registry, "lastIndexOf", "string_last_index_of_string_int",
                   {string, string, integer}, integer, &LastIndexOf);
  AddBuiltinMethod(registry, "lowerAscii", "string_lower_ascii", {string},
                   string, &ChangeAsciiCase<false>);
  AddBuiltinMethod(registry, "upperAscii", "string_upper_ascii", {string},
                   string, &ChangeAsciiCase<true>);
  AddBuiltinMethod(registry, "replace", "string_replace_string_string",
                   {string, string, string}, string, &Replace);
  AddBuiltinMethod(registry, "replace", "string_replace_string_string_int",
                   {string, string, string, integer}, string, &Replace);
  AddBuiltinMethod(registry, "split", "string_split_string", {string, string},
                   Type::List(string), &Split);
  AddBuiltinMethod(registry, "split", "string_split_string_int",
                   {string, string, integer}, Type::List(string), &Split);
  AddBuiltinMethod(registry, "substring", "string_substring_int",
                   {string, integer}, string, &Substring);
  AddBuiltinMethod(registry, "substring", "string_substring_int_int",
                   {string, integer, integer}, string, &Substring);
  AddBuiltinMethod(registry, "trim", "string_trim", {string}, string, &Trim);
  AddBuiltinMethod(registry, "join", "list_join", {Type::List(string)}, string,
                   &Join);
  AddBuiltinMethod(registry, "join", "list_join_string",
                   {Type::List(string), string}, string, &Join);
  AddBuiltinMethod(registry, "reverse", "string_reverse", {string}, string,
                   &Reverse);
  AddBuiltin(registry, "strings.quote", "strings_quote", {string}, string,
             &Quote);
  AddBuiltinMethod(registry, "format", "string_format",
                   {string, Type::List(Type::Dyn())}, string, &Format);
}

}  // namespace motive::expr
