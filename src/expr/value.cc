#include "expr/value.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace motive::expr {

absl::string_view KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null_type";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kInt:
      return "int";
    case ValueKind::kUint:
      return "uint";
    case ValueKind::kDouble:
      return "double";
    case ValueKind::kString:
      return "string";
    case ValueKind::kBytes:
      return "bytes";
    case ValueKind::kList:
      return "list";
    case ValueKind::kMap:
      return "map";
    case ValueKind::kTimestamp:
      return "google.protobuf.Timestamp";
    case ValueKind::kDuration:
      return "google.protobuf.Duration";
    case ValueKind::kType:
      return "type";
    case ValueKind::kOptional:
      return "optional_type";
    case ValueKind::kError:
      return "error";
  }
  return "unknown";
}

// ---------------------------------------------------------------------------
// Times.

Value Value::Timestamp(absl::Time t) {
  Value v(ValueKind::kTimestamp);
  // The infinite times have no seconds-and-nanos form; they saturate so
  // that they still order correctly.
  if (t == absl::InfiniteFuture()) {
    v.time_ = {std::numeric_limits<int64_t>::max(), 0};
  } else if (t == absl::InfinitePast()) {
    v.time_ = {std::numeric_limits<int64_t>::min(), 0};
  } else {
    // ToUnixSeconds rounds toward the past, so nanos is in [0, 1e9).
    int64_t seconds = absl::ToUnixSeconds(t);
    int64_t nanos =
        absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds));
    v.time_ = {seconds, static_cast<int32_t>(nanos)};
  }
  return v;
}

Value Value::Duration(absl::Duration d) {
  Value v(ValueKind::kDuration);
  if (d == absl::InfiniteDuration()) {
    v.time_ = {std::numeric_limits<int64_t>::max(), 0};
  } else if (d == -absl::InfiniteDuration()) {
    v.time_ = {std::numeric_limits<int64_t>::min(), 0};
  } else {
    // IDivDuration truncates toward zero: the remainder has the sign of d.
    absl::Duration rem;
    int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rem);
    v.time_ = {seconds, static_cast<int32_t>(absl::ToInt64Nanoseconds(rem))};
  }
  return v;
}

absl::Time Value::timestamp() const {
  if (time_.nanos == 0) {
    if (time_.seconds == std::numeric_limits<int64_t>::max()) {
      return absl::InfiniteFuture();
    }
    if (time_.seconds == std::numeric_limits<int64_t>::min()) {
      return absl::InfinitePast();
    }
  }
  return absl::FromUnixSeconds(time_.seconds) + absl::Nanoseconds(time_.nanos);
}

absl::Duration Value::duration() const {
  if (time_.nanos == 0) {
    if (time_.seconds == std::numeric_limits<int64_t>::max()) {
      return absl::InfiniteDuration();
    }
    if (time_.seconds == std::numeric_limits<int64_t>::min()) {
      return -absl::InfiniteDuration();
    }
  }
  return absl::Seconds(time_.seconds) + absl::Nanoseconds(time_.nanos);
}

// ---------------------------------------------------------------------------
// Arena text.

namespace {

absl::string_view CopyToArena(Arena* arena, absl::string_view text) {
  if (text.empty()) return absl::string_view();
  char* data = Arena::CreateArray<char>(arena, text.size());
  std::memcpy(data, text.data(), text.size());
  return absl::string_view(data, text.size());
}

}  // namespace

Value Value::OptionalOf(Arena* arena, const Value& value) {
  Value* held = NewArray<Value>(arena, 1);
  *held = value;
  Value v(ValueKind::kOptional);
  v.optional_ = held;
  return v;
}

Value Value::ErrorIn(Arena* arena, absl::string_view message) {
  return Error(CopyToArena(arena, message));
}

Value StringIn(Arena* arena, absl::string_view text) {
  return Value::String(CopyToArena(arena, text));
}

// ---------------------------------------------------------------------------
// Maps.

namespace {

// Maps with more entries than this get a hash index; below it a linear scan
// over contiguous entries is as fast as hashing.
constexpr size_t kIndexThreshold = 8;

// Slots in the index of a map of `entries` (> kIndexThreshold).
size_t IndexCapacity(size_t entries) {
  size_t capacity = 16;
  while (capacity < 2 * entries) capacity *= 2;
  return capacity;
}

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

bool IsKeyKind(ValueKind kind) {
  return kind == ValueKind::kBool || kind == ValueKind::kInt ||
         kind == ValueKind::kUint || kind == ValueKind::kString;
}

// Equality of two map keys of the key kinds: int and uint keys are equal
// when they hold the same number.
bool KeyEquals(const Value& a, const Value& b) {
  switch (a.kind()) {
    case ValueKind::kBool:
      return b.kind() == ValueKind::kBool && a.bool_value() == b.bool_value();
    case ValueKind::kInt:
      if (b.kind() == ValueKind::kInt) return a.int_value() == b.int_value();
      return b.kind() == ValueKind::kUint && a.int_value() >= 0 &&
             static_cast<uint64_t>(a.int_value()) == b.uint_value();
    case ValueKind::kUint:
      if (b.kind() == ValueKind::kUint) return a.uint_value() == b.uint_value();
      return b.kind() == ValueKind::kInt && b.int_value() >= 0 &&
             static_cast<uint64_t>(b.int_value()) == a.uint_value();
    case ValueKind::kString:
      return b.kind() == ValueKind::kString && a.text() == b.text();
    default:
      return false;
  }
}

// Equal keys hash equally: an int and a uint holding the same number have
// the same bits, so both hash their bits as a uint64.
size_t KeyHash(const Value& key) {
  switch (key.kind()) {
    case ValueKind::kBool:
      return absl::Hash<uint64_t>{}(key.bool_value() ? 0x9e3779b97f4a7c15u
                                                     : 0x7f4a7c159e3779b9u);
    case ValueKind::kInt:
      return absl::Hash<uint64_t>{}(static_cast<uint64_t>(key.int_value()));
    case ValueKind::kUint:
      return absl::Hash<uint64_t>{}(key.uint_value());
    case ValueKind::kString:
      return absl::Hash<absl::string_view>{}(key.text());
    default:
      return 0;
  }
}

// The key a lookup by `key` should use: a double finds an int or uint key
// only when it holds that integer exactly. False when nothing can match.
bool NormalizeLookupKey(const Value& key, Value* normalized) {
  switch (key.kind()) {
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kUint:
    case ValueKind::kString:
      *normalized = key;
      return true;
    case ValueKind::kDouble: {
      double d = key.double_value();
      // NaN and infinities fail the first test.
      if (!(std::trunc(d) == d)) return false;
      if (d >= -kTwoTo63 && d < kTwoTo63) {
        *normalized = Value::Int(static_cast<int64_t>(d));
        return true;
      }
      if (d >= 0 && d < kTwoTo64) {
        *normalized = Value::Uint(static_cast<uint64_t>(d));
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

}  // namespace

// Open addressing with linear probing over a power-of-two table of entry
// positions, at most half full so that probes stay short.
struct MapValue::Index {
  size_t mask;           // table size - 1
  const int32_t* slots;  // entry position, or -1 when empty
};

size_t MapValue::OverheadBytes(size_t entries) {
  size_t bytes = sizeof(MapValue);
  if (entries > kIndexThreshold) {
    bytes += sizeof(Index) + IndexCapacity(entries) * sizeof(int32_t);
  }
  return bytes;
}

// An index for `entries` (more than kIndexThreshold) in `arena`, hashing
// entry i with hash_of(i); null when is_repeated(j, i) says entries j and i
// have the same key.
template <typename HashOf, typename IsRepeated>
const MapValue::Index* MapValue::NewIndex(Arena* arena, size_t entries,
                                          HashOf&& hash_of,
                                          IsRepeated&& is_repeated) {
  const size_t capacity = IndexCapacity(entries);
  int32_t* slots = Arena::CreateArray<int32_t>(arena, capacity);
  std::memset(slots, 0xff, capacity * sizeof(int32_t));  // all -1
  const size_t mask = capacity - 1;
  for (size_t i = 0; i < entries; ++i) {
    size_t slot = hash_of(i) & mask;
    while (slots[slot] >= 0) {
      if (is_repeated(static_cast<size_t>(slots[slot]), i)) return nullptr;
      slot = (slot + 1) & mask;
    }
    slots[slot] = static_cast<int32_t>(i);
  }
  void* memory = arena->AllocateAligned(sizeof(Index), alignof(Index));
  return new (memory) Index{mask, slots};
}

Value MapValue::New(Arena* arena, absl::Span<const Entry> entries,
                    const Index* index) {
  static_assert(std::is_trivially_destructible_v<MapValue>);
  void* memory = arena->AllocateAligned(sizeof(MapValue), alignof(MapValue));
  MapValue* map = new (memory) MapValue(entries);
  map->index_ = index;
  return Value::Map(map);
}

Value MapValue::Make(Arena* arena, absl::Span<const Entry> entries) {
  for (const Entry& entry : entries) {
    if (entry.key.is_error()) return entry.key;
    if (entry.value.is_error()) return entry.value;
    if (!IsKeyKind(entry.key.kind())) {
      return Value::ErrorIn(arena, absl::StrCat("unsupported key type: ",
                                                KindName(entry.key.kind())));
    }
  }
  auto repeated = [arena](const Value& key) {
    return Value::ErrorIn(
        arena, absl::StrCat("repeated key in map: ", DebugString(key)));
  };

  const Index* index = nullptr;
  if (entries.size() > kIndexThreshold) {
    size_t repeated_at = 0;
    index = NewIndex(
        arena, entries.size(),
        [&](size_t i) { return KeyHash(entries[i].key); },
        [&](size_t j, size_t i) {
          if (!KeyEquals(entries[j].key, entries[i].key)) return false;
          repeated_at = i;
          return true;
        });
    if (index == nullptr) return repeated(entries[repeated_at].key);
  } else {
    for (size_t i = 1; i < entries.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (KeyEquals(entries[j].key, entries[i].key)) {
          return repeated(entries[i].key);
        }
      }
    }
  }
  return New(arena, entries, index);
}

Value MapValue::MakeOfDistinctStrings(Arena* arena,
                                      absl::Span<const Entry> entries,
                                      const size_t* hashes) {
  const Index* index = nullptr;
  if (entries.size() > kIndexThreshold) {
    index = NewIndex(
        arena, entries.size(), [hashes](size_t i) { return hashes[i]; },
        [](size_t, size_t) { return false; });
  }
  return New(arena, entries, index);
}

const Value* MapValue::Find(const Value& key) const {
  Value normalized;
  if (!NormalizeLookupKey(key, &normalized)) return nullptr;
  if (index_ == nullptr) {
    for (const Entry& entry : entries_) {
      if (KeyEquals(entry.key, normalized)) return &entry.value;
    }
    return nullptr;
  }
  size_t slot = KeyHash(normalized) & index_->mask;
  while (index_->slots[slot] >= 0) {
    const Entry& entry = entries_[index_->slots[slot]];
    if (KeyEquals(entry.key, normalized)) return &entry.value;
    slot = (slot + 1) & index_->mask;
  }
  return nullptr;
}

size_t MapValue::StringKeyHash(absl::string_view key) {
  return KeyHash(Value::String(key));
}

const Value* MapValue::FindString(absl::string_view key, size_t hash) const {
  // KeyEquals for a string key, inline: rules select fields all the time.
  auto is_key = [key](const Entry& entry) {
    return entry.key.kind() == ValueKind::kString && entry.key.text() == key;
  };
  if (index_ == nullptr) {
    for (const Entry& entry : entries_) {
      if (is_key(entry)) return &entry.value;
    }
    return nullptr;
  }
  for (size_t slot = hash & index_->mask; index_->slots[slot] >= 0;
       slot = (slot + 1) & index_->mask) {
    const Entry& entry = entries_[index_->slots[slot]];
    if (is_key(entry)) return &entry.value;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Equality.

namespace {

// Numbers of different kinds compare on one number line, integers being
// converted to double against a double (CEL tolerates that rounding, and
// the conformance suite pins it: 9223372036854775807 == 2^63 as doubles).
// NaN equals nothing.
bool NumericEqual(const Value& a, const Value& b) {
  switch (a.kind()) {
    case ValueKind::kInt:
      switch (b.kind()) {
        case ValueKind::kInt:
          return a.int_value() == b.int_value();
        case ValueKind::kUint:
          return a.int_value() >= 0 &&
                 static_cast<uint64_t>(a.int_value()) == b.uint_value();
        default:
          return static_cast<double>(a.int_value()) == b.double_value();
      }
    case ValueKind::kUint:
      switch (b.kind()) {
        case ValueKind::kInt:
          return NumericEqual(b, a);
        case ValueKind::kUint:
          return a.uint_value() == b.uint_value();
        default:
          return static_cast<double>(a.uint_value()) == b.double_value();
      }
    default:
      switch (b.kind()) {
        case ValueKind::kDouble:
          return a.double_value() == b.double_value();
        default:
          return NumericEqual(b, a);
      }
  }
}

bool IsNumeric(ValueKind kind) {
  return kind == ValueKind::kInt || kind == ValueKind::kUint ||
         kind == ValueKind::kDouble;
}

// Aggregates: any unequal pair makes them unequal, even next to an error
// (as `false && error` is false); otherwise the first error is the answer.
Value ListEqual(absl::Span<const Value> a, absl::Span<const Value> b) {
  if (a.size() != b.size()) return Value::Bool(false);
  Value error;
  bool has_error = false;
  for (size_t i = 0; i < a.size(); ++i) {
    Value eq = Equal(a[i], b[i]);
    if (eq.is_error()) {
      if (!has_error) error = eq;
      has_error = true;
    } else if (!eq.bool_value()) {
      return eq;
    }
  }
  return has_error ? error : Value::Bool(true);
}

Value MapEqual(const MapValue& a, const MapValue& b) {
  if (a.size() != b.size()) return Value::Bool(false);
  Value error;
  bool has_error = false;
  for (const MapValue::Entry& entry : a.entries()) {
    const Value* other = b.Find(entry.key);
    if (other == nullptr) return Value::Bool(false);
    Value eq = Equal(entry.value, *other);
    if (eq.is_error()) {
      if (!has_error) error = eq;
      has_error = true;
    } else if (!eq.bool_value()) {
      return eq;
    }
  }
  return has_error ? error : Value::Bool(true);
}

}  // namespace

Value Equal(const Value& a, const Value& b) {
  if (a.is_error()) return a;
  if (b.is_error()) return b;
  if (a.kind() != b.kind()) {
    if (IsNumeric(a.kind()) && IsNumeric(b.kind())) {
      return Value::Bool(NumericEqual(a, b));
    }
    return Value::Bool(false);
  }
  switch (a.kind()) {
    case ValueKind::kNull:
      return Value::Bool(true);
    case ValueKind::kBool:
      return Value::Bool(a.bool_value() == b.bool_value());
    case ValueKind::kInt:
      return Value::Bool(a.int_value() == b.int_value());
    case ValueKind::kUint:
      return Value::Bool(a.uint_value() == b.uint_value());
    case ValueKind::kDouble:
      return Value::Bool(a.double_value() == b.double_value());
    case ValueKind::kString:
    case ValueKind::kBytes:
    case ValueKind::kType:
      return Value::Bool(a.text() == b.text());
    case ValueKind::kList:
      return ListEqual(a.list(), b.list());
    case ValueKind::kMap:
      return MapEqual(a.map(), b.map());
    case ValueKind::kTimestamp:
      return Value::Bool(a.timestamp() == b.timestamp());
    case ValueKind::kDuration:
      return Value::Bool(a.duration() == b.duration());
    case ValueKind::kOptional:
      // Two nones are equal; a none and a value are not.
      if (!a.has_optional_value() || !b.has_optional_value()) {
        return Value::Bool(a.has_optional_value() == b.has_optional_value());
      }
      return Equal(a.optional_value(), b.optional_value());
    case ValueKind::kError:
      break;  // handled above
  }
  return a;
}

// ---------------------------------------------------------------------------
// DebugString.

namespace {

void AppendQuoted(absl::string_view text, bool bytes, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        // Strings are UTF-8 and print as such; bytes show what is not
        // printable ASCII as hex.
        if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
          absl::StrAppendFormat(out, "\\x%02x", c);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendDouble(double d, std::string* out) {
  if (std::isnan(d)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(d)) {
    out->append(d > 0 ? "+Inf" : "-Inf");
    return;
  }
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof(buffer), d);
  absl::string_view text(buffer, result.ptr - buffer);
  out->append(text.data(), text.size());
  // Keep doubles apart from ints: 1.0, not 1.
  if (text.find_first_of(".e") == absl::string_view::npos) out->append(".0");
}

void AppendDuration(absl::Duration d, std::string* out) {
  // Seconds with only the fractional digits needed: 1.5s, -0.000000001s.
  if (d < absl::ZeroDuration()) {
    out->push_back('-');
    d = -d;
  }
  absl::Duration rem;
  int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &rem);
  int64_t nanos = absl::ToInt64Nanoseconds(rem);
  absl::StrAppend(out, seconds);
  if (nanos != 0) {
    std::string fraction = absl::StrFormat("%09d", nanos);
    while (fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(out, ".", fraction);
  }
  out->push_back('s');
}

// Stops, returning false, once `out` is past `max_bytes`: a list may hold
// the same large value many times over (`xs.map(x, s)`), and the text
// grows with every copy.
bool AppendDebug(const Value& value, size_t max_bytes, std::string* out) {
  switch (value.kind()) {
    case ValueKind::kNull:
      out->append("null");
      break;
    case ValueKind::kBool:
      out->append(value.bool_value() ? "true" : "false");
      break;
    case ValueKind::kInt:
      absl::StrAppend(out, value.int_value());
      break;
    case ValueKind::kUint:
      absl::StrAppend(out, value.uint_value(), "u");
      break;
    case ValueKind::kDouble:
      AppendDouble(value.double_value(), out);
      break;
    case ValueKind::kString:
      AppendQuoted(value.text(), /*bytes=*/false, out);
      break;
    case ValueKind::kBytes:
      out->push_back('b');
      AppendQuoted(value.text(), /*bytes=*/true, out);
      break;
    case ValueKind::kList: {
      out->push_back('[');
      bool first = true;
      for (const Value& element : value.list()) {
        if (!first) out->append(", ");
        first = false;
        if (!AppendDebug(element, max_bytes, out)) return false;
      }
      out->push_back(']');
      break;
    }
    case ValueKind::kMap: {
      out->push_back('{');
      bool first = true;
      for (const MapValue::Entry& entry : value.map().entries()) {
        if (!first) out->append(", ");
        first = false;
        if (!AppendDebug(entry.key, max_bytes, out)) return false;
        out->append(": ");
        if (!AppendDebug(entry.value, max_bytes, out)) return false;
      }
      out->push_back('}');
      break;
    }
    case ValueKind::kTimestamp:
      absl::StrAppend(out, "timestamp(\"",
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ",
                                       value.timestamp(), absl::UTCTimeZone()),
                      "\")");
      break;
    case ValueKind::kDuration:
      out->append("duration(\"");
      AppendDuration(value.duration(), out);
      out->append("\")");
      break;
    case ValueKind::kType:
      out->append(value.text().data(), value.text().size());
      break;
    case ValueKind::kOptional:
      if (!value.has_optional_value()) {
        out->append("optional.none()");
        break;
      }
      out->append("optional.of(");
      if (!AppendDebug(value.optional_value(), max_bytes, out)) return false;
      out->push_back(')');
      break;
    case ValueKind::kError:
      out->append("error(");
      AppendQuoted(value.text(), /*bytes=*/false, out);
      out->push_back(')');
      break;
  }
  return out->size() <= max_bytes;
}

}  // namespace

std::string DebugString(const Value& value) {
  std::string out;
  AppendDebug(value, std::string::npos, &out);
  return out;
}

std::optional<std::string> DebugString(const Value& value, size_t max_bytes) {
  std::string out;
  if (!AppendDebug(value, max_bytes, &out)) return std::nullopt;
  return out;
}

}  // namespace motive::expr
