// Splits JSON text into records, for the JSON importers: JSON Lines,
// concatenated values (Kinesis Data Firehose writes records back to back with
// no separator), pretty-printed values one after another, or one JSON array
// whose elements are the records; a single object is one record. The framing
// is found from the content: a '[' first means an array of records, anything
// else a sequence of values.
//
// The splitter only finds where each record starts and ends (brackets
// outside strings); parsing is the caller's (simdjson). It reads its input in
// chunks of any size and keeps only the record being read, so memory is
// bounded by the longest record, not by the input.
//
// Malformed input does not stop the splitting:
//   - a raw line break inside a string, which valid JSON never has, ends the
//     record there: the record fails to parse, and a JSON Lines file picks up
//     again at the next line;
//   - text between records that does not start a value ("abc") is a record
//     of its own up to the end of its line (in an array, up to the next ','
//     or ']'), which then fails to parse;
//   - a record longer than kMaxRecordBytes is reported without being kept;
//   - input that ends inside a record reports that record as truncated.
// A UTF-8 byte order mark at the start is skipped.
//
// Not thread-safe: one splitter per input.

#ifndef MOTIVE_INGEST_JSON_SPLITTER_H_
#define MOTIVE_INGEST_JSON_SPLITTER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "model/record_reader.h"

namespace motive::ingest {

class JsonSplitter {
 public:
  // Longer records are rejected (a Contact Lens analysis of a long call is a
  // few MiB).
  static constexpr size_t kMaxRecordBytes = size_t{16} << 20;
  // Bytes readable after every record's text, as simdjson requires
  // (SIMDJSON_PADDING).
  static constexpr size_t kPadding = 64;

  struct Piece {
    // 1-based index of the record in the input.
    uint64_t number = 0;
    // The record's text, when `error` is OK; valid, with kPadding readable
    // bytes after it, until the next call to Next.
    absl::string_view text;
    // Why the record could not be framed (a parse error, base/errors.h).
    absl::Status error;
  };

  explicit JsonSplitter(model::InputSource input) : input_(std::move(input)) {}

  JsonSplitter(const JsonSplitter&) = delete;
  JsonSplitter& operator=(const JsonSplitter&) = delete;

  // The next record. False at the end of input, or when the input failed
  // (see status()), and from then on.
  bool Next(Piece* piece);

  const absl::Status& status() const { return status_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  enum class State {
    kBetween,  // between records
    kValue,    // inside an object or array record
    kScalar,   // inside anything else, which ends at a line end
  };

  // Makes chunk_ hold unread bytes; false at the end or on an error.
  bool Refill();
  // Scans chunk_ from pos_; true when a record ended and `*piece` is set.
  bool Scan(Piece* piece);
  // Starts a record at pos_.
  void Begin(char first);
  // Ends the record at chunk_[end] (exclusive).
  void Emit(size_t end, Piece* piece);
  // Keeps chunk_[record_start_, end) for a record that goes on.
  void Keep(size_t end);

  model::InputSource input_;
  absl::Status status_;
  uint64_t bytes_read_ = 0;
  bool at_end_ = false;  // the input said end, or failed
  bool done_ = false;    // Next has returned false

  absl::string_view chunk_;
  size_t pos_ = 0;

  State state_ = State::kBetween;
  bool started_ = false;   // a byte other than whitespace and BOM was seen
  bool in_array_ = false;  // inside the top-level array of records
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  uint64_t number_ = 0;

  // The current record: where it starts in chunk_ (0 once it spans chunks),
  // the part kept from earlier chunks, and whether it outgrew the limit
  // (then nothing more is kept).
  size_t record_start_ = 0;
  std::string kept_;
  size_t record_bytes_ = 0;
  bool spans_chunks_ = false;
  bool too_long_ = false;
};

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_JSON_SPLITTER_H_
