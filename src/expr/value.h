// Value: a CEL value at run time.
//
// A Value is 24 bytes and trivially copyable, so that evaluating a rule over
// scalars copies words and never allocates. It does not own what it points
// to: string and bytes data, list elements, map entries and error messages
// live in the evaluation's Arena, in a Program's constants, or in data the
// caller bound to variables, and must outlive every Value that refers to
// them. Each evaluation has an arena; the values it returns are valid until
// that arena is reset.
//
// Errors are values (kind kError), as in CEL: `false && (1/0 > 1)` is false,
// and `&&`, `||` and `?:` absorb errors as the language defines.
//
// Thread-safety: Values are immutable; share them freely, but not longer
// than their storage lives.

#ifndef MOTIVE_EXPR_VALUE_H_
#define MOTIVE_EXPR_VALUE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/arena.h"

namespace motive::expr {

using Arena = google::protobuf::Arena;

enum class ValueKind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kList,
  kMap,
  kTimestamp,
  kDuration,
  kType,
  kOptional,  // a value that may be absent: optional.of(x), optional.none()
  kError,
};

// CEL's name of a kind's type: "int", "google.protobuf.Timestamp", ...
absl::string_view KindName(ValueKind kind);

class Value;
class MapValue;

// The canonical error messages. Tests and callers compare errors by kind;
// messages are for people, and may carry detail after these.
inline constexpr absl::string_view kNoMatchingOverload = "no matching overload";
inline constexpr absl::string_view kNoSuchKey = "no such key";
inline constexpr absl::string_view kDivisionByZero = "division by zero";
inline constexpr absl::string_view kIntegerOverflow = "integer overflow";
inline constexpr absl::string_view kIndexOutOfRange = "index out of range";
// Limits (functions.h): one result, and everything one evaluation builds.
inline constexpr absl::string_view kResultTooLarge =
    "result exceeds the size limit";
inline constexpr absl::string_view kEvaluationTooLarge =
    "evaluation exceeds its memory limit";

class Value {
 public:
  // Null.
  constexpr Value() : kind_(ValueKind::kNull), scalar_{.i = 0} {}

  static constexpr Value Null() { return Value(); }
  static constexpr Value Bool(bool b) {
    Value v(ValueKind::kBool);
    v.scalar_.b = b;
    return v;
  }
  static constexpr Value Int(int64_t i) {
    Value v(ValueKind::kInt);
    v.scalar_.i = i;
    return v;
  }
  static constexpr Value Uint(uint64_t u) {
    Value v(ValueKind::kUint);
    v.scalar_.u = u;
    return v;
  }
  static constexpr Value Double(double d) {
    Value v(ValueKind::kDouble);
    v.scalar_.d = d;
    return v;
  }
  // Refers to `s`, which must outlive the value (see the file comment).
  static constexpr Value String(absl::string_view s) {
    return Text(ValueKind::kString, s);
  }
  static constexpr Value Bytes(absl::string_view s) {
    return Text(ValueKind::kBytes, s);
  }
  // Refers to `elements`, which must outlive the value.
  static Value List(absl::Span<const Value> elements) {
    Value v(ValueKind::kList);
    v.list_ = {elements.data(), elements.size()};
    return v;
  }
  static Value Map(const MapValue* map) {
    Value v(ValueKind::kMap);
    v.map_ = map;
    return v;
  }
  // Times are kept as seconds and nanoseconds, CEL's range being
  // 0001-01-01 to 9999-12-31 and durations +-10000 years (checked where
  // they are made: see timestamp functions).
  static Value Timestamp(absl::Time t);
  static Value Duration(absl::Duration d);
  // A type value, such as the result of type(1): `name` is CEL's type name
  // ("int", "list", "google.protobuf.Duration") with static storage.
  static constexpr Value Type(absl::string_view name) {
    return Text(ValueKind::kType, name);
  }
  // An absent optional value, and one holding `value` (copied into `arena`;
  // an error is never held: it propagates instead).
  static constexpr Value OptionalNone() {
    Value v(ValueKind::kOptional);
    v.optional_ = nullptr;
    return v;
  }
  static Value OptionalOf(Arena* arena, const Value& value);
  // An error; `message` must outlive the value (a literal, or arena text).
  static constexpr Value Error(absl::string_view message) {
    return Text(ValueKind::kError, message);
  }
  // An error whose message is copied into `arena`.
  static Value ErrorIn(Arena* arena, absl::string_view message);

  constexpr ValueKind kind() const { return kind_; }
  constexpr bool is_error() const { return kind_ == ValueKind::kError; }

  // Accessors: the value must be of the matching kind.
  constexpr bool bool_value() const { return scalar_.b; }
  constexpr int64_t int_value() const { return scalar_.i; }
  constexpr uint64_t uint_value() const { return scalar_.u; }
  constexpr double double_value() const { return scalar_.d; }
  // kString, kBytes, kType (the type's name) and kError (the message).
  constexpr absl::string_view text() const {
    return absl::string_view(text_.data, text_.size);
  }
  absl::Span<const Value> list() const {
    return absl::Span<const Value>(list_.data, list_.size);
  }
  const MapValue& map() const { return *map_; }
  // kOptional: whether it holds a value, and the value it holds.
  bool has_optional_value() const { return optional_ != nullptr; }
  const Value& optional_value() const { return *optional_; }
  absl::Time timestamp() const;
  absl::Duration duration() const;

 private:
  explicit constexpr Value(ValueKind kind) : kind_(kind), scalar_{.i = 0} {}
  static constexpr Value Text(ValueKind kind, absl::string_view s) {
    Value v(kind);
    v.text_ = {s.data(), s.size()};
    return v;
  }

  struct TextRep {
    const char* data;
    size_t size;
  };
  struct ListRep {
    const Value* data;
    size_t size;
  };
  struct TimeRep {
    int64_t seconds;
    int32_t nanos;  // [0, 1e9) for timestamps; same sign as seconds for
                    // durations
  };

  ValueKind kind_;
  union {
    union {
      bool b;
      int64_t i;
      uint64_t u;
      double d;
    } scalar_;
    TextRep text_;
    ListRep list_;
    const MapValue* map_;
    const Value* optional_;  // null: none
    TimeRep time_;
  };
};

static_assert(sizeof(Value) == 24);
static_assert(std::is_trivially_copyable_v<Value>);

// A map with CEL's key semantics: keys are bool, int, uint or string, and
// numeric keys compare by value across kinds ({1u: 'a'}[1] is 'a', and so is
// [1.0]). Entries keep the order they were made in. Immutable once built.
class MapValue {
 public:
  struct Entry {
    Value key;
    Value value;
  };

  // Builds a map over `entries` (which must outlive it) in `arena`. Returns
  // an error Value for a key of another kind or a repeated key.
  static Value Make(Arena* arena, absl::Span<const Entry> entries);
  // The same for entries whose keys are distinct strings, with each key's
  // StringKeyHash in `hashes` (one per entry): what Make checks and hashes
  // is skipped. For maps bound over and over with keys known ahead, such as
  // the context's records.
  static Value MakeOfDistinctStrings(Arena* arena,
                                     absl::Span<const Entry> entries,
                                     const size_t* hashes);
  // What Make takes from the arena for a map of `entries`, besides the
  // entries themselves: for evaluations held to a budget.
  static size_t OverheadBytes(size_t entries);

  size_t size() const { return entries_.size(); }
  absl::Span<const Entry> entries() const { return entries_; }

  // The value for `key`, or nullptr. A double key finds an int or uint key
  // only when it holds that integer exactly.
  const Value* Find(const Value& key) const;

  // The same for a string key whose StringKeyHash is `hash`: a step that
  // selects the same field over and over (`customer.strikes`) hashes its
  // name once, when it is planned.
  const Value* FindString(absl::string_view key, size_t hash) const;
  static size_t StringKeyHash(absl::string_view key);

 private:
  explicit MapValue(absl::Span<const Entry> entries) : entries_(entries) {}
  struct Index;
  template <typename HashOf, typename IsRepeated>
  static const Index* NewIndex(Arena* arena, size_t entries, HashOf&& hash_of,
                               IsRepeated&& is_repeated);
  static Value New(Arena* arena, absl::Span<const Entry> entries,
                   const Index* index);

  absl::Span<const Entry> entries_;
  // Maps larger than a cache line of entries get a hash index.
  const Index* index_ = nullptr;
};

// CEL equality (==): numeric across int, uint and double; lists and maps
// element by element; values of unrelated kinds are unequal (not an error).
// NaN is unequal to everything. Errors propagate: returns an error Value or
// a bool Value.
Value Equal(const Value& a, const Value& b);

// A value for people and tests: 1, 2u, 3.5, "s", b"\x01", [1, 2], {"a": 1},
// timestamp("2025-01-01T00:00:00Z"), duration("1.5s"), int, error("...").
std::string DebugString(const Value& value);
// The same when it is at most `max_bytes` long, else nullopt, found without
// writing much past `max_bytes` (a value may be small and its text huge:
// a list holding one long string many times).
std::optional<std::string> DebugString(const Value& value, size_t max_bytes);

// Copies `text` into `arena` and returns a string Value over the copy.
Value StringIn(Arena* arena, absl::string_view text);

// `n` default-constructed T (Value, MapValue::Entry) in `arena`. Arena's own
// CreateArray wants trivial types, and Value has a constructor; it is
// trivially destructible, so the arena never runs destructors for it.
template <typename T>
T* NewArray(Arena* arena, size_t n) {
  static_assert(std::is_trivially_destructible_v<T>);
  T* data = static_cast<T*>(arena->AllocateAligned(n * sizeof(T), alignof(T)));
  std::uninitialized_default_construct_n(data, n);
  return data;
}

}  // namespace motive::expr

#endif  // MOTIVE_EXPR_VALUE_H_
