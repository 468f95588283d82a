#include "base/csv.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errors.h"

namespace motive::base {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr int kBomBytes = 3;

bool IsLineEnd(char c) { return c == '\n' || c == '\r'; }

}  // namespace

CsvTokenizer::CsvTokenizer() = default;

bool CsvTokenizer::Consume(absl::string_view* input, CsvRow* row) {
  size_t i = 0;
  bool done = false;
  while (i < input->size() && !done) done = Step((*input)[i++]);
  input->remove_prefix(i);
  if (done) TakeRow(row);
  return done;
}

bool CsvTokenizer::Finish(CsvRow* row) {
  // An input that is only the beginning of a byte order mark is data.
  for (int i = 0; i < bom_matched_; ++i) Advance(kBom[i]);
  bom_matched_ = -1;

  bool done = false;
  switch (state_) {
    case State::kRowStart:
    case State::kSkipLine:
      break;
    case State::kQuoted:
      done =
          Fail(absl::StrCat("unterminated quote: quoted field ", cells_.size(),
                            " is still open at the end of input"));
      break;
    case State::kFieldStart:
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      done = true;  // the last row has no line end
      break;
  }
  state_ = State::kRowStart;
  if (done) TakeRow(row);
  return done;
}

bool CsvTokenizer::Step(char c) {
  if (bom_matched_ >= 0) {
    if (c == kBom[bom_matched_]) {
      if (++bom_matched_ == kBomBytes) bom_matched_ = -1;
      return false;
    }
    // Not a mark after all: what looked like one is data. Those bytes are
    // neither separators, quotes nor line ends, so they cannot end a row.
    int matched = bom_matched_;
    bom_matched_ = -1;
    for (int i = 0; i < matched; ++i) Advance(kBom[i]);
  }
  return Advance(c);
}

bool CsvTokenizer::Advance(char c) {
  const uint64_t byte_line = line_;
  if (c == '\r' || (c == '\n' && !after_cr_)) ++line_;
  after_cr_ = c == '\r';

  if (state_ == State::kRowStart) {
    if (IsLineEnd(c)) return false;  // an empty line, or the LF of a CRLF
    state_ = State::kFieldStart;
    row_line_ = byte_line;
    row_bytes_ = 0;
    row_status_ = absl::OkStatus();
    cells_.clear();
    cells_.emplace_back();
  }
  // The line end that closes a row is not part of it.
  const bool ends_row = IsLineEnd(c) && state_ != State::kQuoted;
  if (state_ != State::kSkipLine && !ends_row &&
      ++row_bytes_ > kMaxCsvRowBytes) {
    return Fail("row is longer than 1 MiB");
  }

  switch (state_) {
    case State::kRowStart:  // handled above
    case State::kFieldStart:
      if (c == '"') {
        state_ = State::kQuoted;
        return false;
      }
      state_ = State::kUnquoted;
      [[fallthrough]];
    case State::kUnquoted:
      switch (c) {
        case ',':
          cells_.emplace_back();
          state_ = State::kFieldStart;
          return false;
        case '\r':
        case '\n':
          state_ = State::kRowStart;
          return true;
        case '"':
          return Fail(absl::StrCat("quote inside unquoted field ",
                                   cells_.size(),
                                   "; a field containing quotes must be "
                                   "enclosed in quotes, with each quote "
                                   "doubled"));
        default:
          cells_.back().push_back(c);
          return false;
      }
    case State::kQuoted:
      if (c == '"') {
        state_ = State::kQuoteInQuoted;
      } else {
        cells_.back().push_back(c);
      }
      return false;
    case State::kQuoteInQuoted:
      switch (c) {
        case '"':  // "" inside quotes
          cells_.back().push_back('"');
          state_ = State::kQuoted;
          return false;
        case ',':
          cells_.emplace_back();
          state_ = State::kFieldStart;
          return false;
        case '\r':
        case '\n':
          state_ = State::kRowStart;
          return true;
        default:
          return Fail(absl::StrCat("text after the closing quote of field ",
                                   cells_.size(),
                                   "; a quote inside a quoted field must be "
                                   "doubled"));
      }
    case State::kSkipLine:
      if (IsLineEnd(c)) state_ = State::kRowStart;
      return false;
  }
  return false;
}

bool CsvTokenizer::Fail(absl::string_view message) {
  row_status_ = ParseError("", message);
  cells_.clear();
  state_ = State::kSkipLine;
  return true;
}

void CsvTokenizer::TakeRow(CsvRow* row) {
  row->line = row_line_;
  row->status = std::move(row_status_);
  row_status_ = absl::OkStatus();
  // Swapping hands the caller this row and takes back the caller's previous
  // vector, whose capacity the next row reuses.
  row->cells.swap(cells_);
  cells_.clear();
}

}  // namespace motive::base
