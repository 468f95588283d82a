#include "ingest/json_splitter.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errors.h"

namespace motive::ingest {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bytes that matter inside a string, and outside strings within a record;
// the scanner skips every other byte in a tight loop.
struct ByteClasses {
  bool in_string[256] = {};
  bool in_value[256] = {};
  constexpr ByteClasses() {
    for (unsigned char c : {'"', '\\', '\n'}) in_string[c] = true;
    for (unsigned char c : {'"', '{', '}', '[', ']'}) in_value[c] = true;
  }
};
constexpr ByteClasses kClasses;

bool IsBomByte(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return u == 0xEF || u == 0xBB || u == 0xBF;
}

}  // namespace

bool JsonSplitter::Refill() {
  while (pos_ >= chunk_.size()) {
    if (at_end_) return false;
    absl::StatusOr<absl::string_view> chunk = input_();
    if (!chunk.ok()) {
      status_ = chunk.status();
      at_end_ = true;
      return false;
    }
    if (chunk->empty()) {
      at_end_ = true;
      return false;
    }
    chunk_ = *chunk;
    pos_ = 0;
    bytes_read_ += chunk_.size();
  }
  return true;
}

bool JsonSplitter::Next(Piece* piece) {
  if (done_) return false;
  while (true) {
    if (pos_ >= chunk_.size()) {
      if (state_ != State::kBetween) {
        Keep(chunk_.size());
        record_start_ = 0;
        spans_chunks_ = true;
      }
      if (!Refill()) {
        if (status_.ok() && state_ != State::kBetween) {
          const bool truncated = state_ == State::kValue;
          chunk_ = absl::string_view();
          Emit(0, piece);
          if (truncated && piece->error.ok()) {
            piece->text = absl::string_view();
            piece->error = base::ParseError(
                "", "the input ends inside this record (truncated)");
          }
          return true;
        }
        done_ = true;
        return false;
      }
    }
    if (Scan(piece)) return true;
  }
}

void JsonSplitter::Begin(char first) {
  ++number_;
  record_start_ = pos_;
  kept_.clear();
  record_bytes_ = 0;
  spans_chunks_ = false;
  too_long_ = false;
  depth_ = 0;
  in_string_ = false;
  escaped_ = false;
  if (first == '{' || first == '[') {
    state_ = State::kValue;
  } else {
    state_ = State::kScalar;
  }
}

bool JsonSplitter::Scan(Piece* piece) {
  const char* data = chunk_.data();
  const size_t size = chunk_.size();
  while (pos_ < size) {
    const char c = data[pos_];
    if (state_ == State::kBetween) {
      if (IsSpace(c) || (!started_ && IsBomByte(c))) {
        ++pos_;
        continue;
      }
      if (!started_) {
        started_ = true;
        if (c == '[') {
          in_array_ = true;
          ++pos_;
          continue;
        }
      }
      if (in_array_ && c == ',') {
        ++pos_;
        continue;
      }
      if (in_array_ && c == ']') {
        in_array_ = false;
        ++pos_;
        continue;
      }
      Begin(c);
      // The first byte is scanned below like any other.
      continue;
    }
    if (in_string_) {
      if (escaped_ && !kClasses.in_string[static_cast<unsigned char>(c)]) {
        escaped_ = false;
        ++pos_;
      }
      while (pos_ < size &&
             !kClasses.in_string[static_cast<unsigned char>(data[pos_])]) {
        ++pos_;
      }
      if (pos_ == size) break;
      const char s = data[pos_];
      if (escaped_) {
        escaped_ = false;
      } else if (s == '\\') {
        escaped_ = true;
      } else if (s == '"') {
        in_string_ = false;
      }
      if (s == '\n') {
        // Not valid JSON: the record ends at its line end.
        Emit(pos_, piece);
        ++pos_;
        return true;
      }
      ++pos_;
      continue;
    }
    if (state_ == State::kScalar) {
      if (c == '\n' || (in_array_ && (c == ',' || c == ']'))) {
        Emit(pos_, piece);
        if (c == '\n') ++pos_;
        return true;
      }
      if (c == '"') in_string_ = true;
      ++pos_;
      continue;
    }
    if (!kClasses.in_value[static_cast<unsigned char>(c)]) {
      ++pos_;
      while (pos_ < size &&
             !kClasses.in_value[static_cast<unsigned char>(data[pos_])]) {
        ++pos_;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++depth_;
        break;
      case '}':
      case ']':
        if (--depth_ == 0) {
          ++pos_;
          Emit(pos_, piece);
          return true;
        }
        break;
      default:
        break;
    }
    ++pos_;
  }
  return false;
}

void JsonSplitter::Keep(size_t end) {
  const size_t length = end - record_start_;
  record_bytes_ += length;
  if (too_long_) return;
  if (record_bytes_ > kMaxRecordBytes) {
    too_long_ = true;
    kept_.clear();
    kept_.shrink_to_fit();
    return;
  }
  kept_.append(chunk_.data() + record_start_, length);
}

void JsonSplitter::Emit(size_t end, Piece* piece) {
  state_ = State::kBetween;
  piece->number = number_;
  piece->error = absl::OkStatus();
  if (!spans_chunks_ && end - record_start_ <= kMaxRecordBytes &&
      end + kPadding <= chunk_.size()) {
    piece->text = chunk_.substr(record_start_, end - record_start_);
    return;
  }
  Keep(end);
  if (too_long_) {
    piece->text = absl::string_view();
    piece->error = base::ParseError(
        "", absl::StrCat("the record is longer than the limit of ",
                         kMaxRecordBytes >> 20, " MiB"));
    return;
  }
  const size_t length = kept_.size();
  kept_.append(kPadding, ' ');
  piece->text = absl::string_view(kept_.data(), length);
}

}  // namespace motive::ingest
