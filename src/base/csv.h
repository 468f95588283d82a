// An incremental RFC 4180 CSV tokenizer, for bulk ingest of CSV files.
//
// Input arrives in chunks of any size, down to one byte: a quoted field, a
// CRLF or the byte order mark may be split between chunks. The tokenizer
// copies what it keeps, so a chunk only has to live for the call that reads
// it, and memory stays bounded by the longest row.
//
// The dialect is RFC 4180 with the leniencies real exports need:
//   - fields are separated by commas; a field is quoted when it starts with
//     '"', and inside quotes "" stands for one '"' and line ends are data;
//   - a row ends at CRLF, LF or a lone CR (old spreadsheet exports), and the
//     last row may lack its line end;
//   - a UTF-8 byte order mark at the start of the input is ignored;
//   - empty lines are skipped: they carry no row, not even one empty field.
// Whitespace is data: the tokenizer trims nothing.
//
// A malformed row (a quote inside an unquoted field, text after a closing
// quote, a quoted field still open at the end of input, a row longer than
// 1 MiB) is reported as a row with a parse error (base/errors.h), and the
// tokenizer resynchronises at the next line end so that the rows after it
// still parse.

#ifndef MOTIVE_BASE_CSV_H_
#define MOTIVE_BASE_CSV_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace motive::base {

// Longer rows are rejected, so that one unterminated quote cannot make the
// tokenizer buffer a whole file.
inline constexpr size_t kMaxCsvRowBytes = size_t{1} << 20;

struct CsvRow {
  // 1-based line where the row starts. Lines end at CRLF, LF or a lone CR,
  // including those inside quoted fields, so numbers match a text editor's.
  uint64_t line = 0;
  // OK, or why the row is malformed (a parse error); `cells` is then empty.
  absl::Status status;
  std::vector<std::string> cells;
};

// Not thread-safe: one tokenizer per input, used from one thread at a time.
class CsvTokenizer {
 public:
  CsvTokenizer();

  // Reads bytes from the front of `*input` until a row is complete or the
  // input is used up, and removes what it read. Returns true when `*row`
  // holds the completed row; the rest of `*input` is then still unread.
  // Returns false, with `*input` empty, when more input is needed.
  //
  // `*row` is overwritten; passing the same row each time lets the tokenizer
  // reuse its storage.
  bool Consume(absl::string_view* input, CsvRow* row);

  // Signals the end of input. Returns true when the input ended inside a row,
  // which `*row` then holds: a last row without a line end, or an error for a
  // quoted field that was never closed. Later calls return false.
  bool Finish(CsvRow* row);

 private:
  enum class State {
    kRowStart,       // between rows: line ends here are empty lines
    kFieldStart,     // after a comma
    kUnquoted,       // inside a field that did not start with a quote
    kQuoted,         // inside quotes
    kQuoteInQuoted,  // a quote inside quotes: an escape or the closing one
    kSkipLine,       // after an error, until the next line end
  };

  // Feeds one byte; true when it completed a row (good or bad).
  bool Step(char c);
  bool Advance(char c);
  // Makes the current row an error and skips the rest of its line.
  bool Fail(absl::string_view message);
  void TakeRow(CsvRow* row);

  State state_ = State::kRowStart;
  // Bytes of a byte order mark matched at the start of the input, or -1 once
  // the start is behind us. Needed because the mark can span chunks.
  int bom_matched_ = 0;
  // Line of the next byte; `after_cr_` keeps CRLF one line end when the CR
  // and the LF arrive in different chunks.
  uint64_t line_ = 1;
  bool after_cr_ = false;

  // The row being read. Invariant: outside kRowStart and kSkipLine, `cells_`
  // is non-empty and its last element is the field being read.
  uint64_t row_line_ = 0;
  size_t row_bytes_ = 0;
  std::vector<std::string> cells_;
  absl::Status row_status_;
};

}  // namespace motive::base

#endif  // MOTIVE_BASE_CSV_H_
