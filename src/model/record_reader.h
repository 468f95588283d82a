// Streaming reader of input files for bulk ingest: turns JSONL, CSV, or a
// JSON or protobuf EventBatch into motive.v1 events, one record at a time.
//
// A bad record does not stop the reading: it comes out as a record whose
// event is an error naming the field (base/errors.h) and the line where the
// record starts, so that an ingest tool can report every rejection at once.
// Only what makes the rest of the input unreadable stops it: a failing
// source, an unusable CSV header, a batch that does not parse as a whole.
//
// The reader parses and converts; it does not validate. Ranges, required
// fields and limits are ValidateEvent's job (model/event_validation.h).
//
// Formats:
//   JSONL   One motive.v1.Event in protobuf's JSON mapping per line (see
//           model/event_codec.h). Blank lines are skipped, a CR before the LF
//           is ignored, and a line longer than 1 MiB is rejected without
//           being buffered.
//   CSV     RFC 4180 (base/csv.h). The first row is a header naming, for
//           each column, an Event field by its .proto name (customer_id,
//           occurred_at, interaction_id, ...), a free attribute as
//           attributes.KEY, or an identifier as identifiers.NAMESPACE:
//             customer_id,occurred_at,type,identifiers.email,identifiers.phone
//           Names are trimmed and case-insensitive, KEY and NAMESPACE
//           excepted (they are data, kept as written: validation rejects
//           a namespace that is not lower case). One column per attribute
//           key and per namespace. An empty cell leaves the field absent,
//           or adds no identifier. Cells convert by the field's type, in
//           the text forms the JSON decoder also reads (model/field_text.h):
//             strings      verbatim;
//             timestamps   RFC 3339 ("2024-05-01T10:00:00Z");
//             enums        by value name, in any case ("voice");
//             bools        true/false, t/f, yes/no, y/n, 1/0, in any case;
//             numbers      the whole cell must parse;
//             attributes   "true"/"false" (any case) as bool, a finite
//                          number as number, anything else as string;
//             identifiers  the value, verbatim; identifiers come out in
//                          the order of their columns.
//           Surrounding whitespace is trimmed except in strings and
//           identifier values.
//   JSON batch, protobuf batch
//           One motive.v1.EventBatch, read whole, then its events one by one.
//           An empty JSON input is an empty batch.
//
// A UTF-8 byte order mark at the start of JSONL, CSV or JSON input is
// ignored.

#ifndef MOTIVE_MODEL_RECORD_READER_H_
#define MOTIVE_MODEL_RECORD_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/csv.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

enum class InputFormat { kJsonl, kCsv, kJsonBatch, kProtobufBatch };

// The format a file name's extension announces, in any case: .jsonl and
// .ndjson for JSONL, .csv, .json for a JSON batch, .pb and .binpb for a
// protobuf batch. Otherwise InvalidArgument naming the extension and the
// accepted ones.
absl::StatusOr<InputFormat> InputFormatFromPath(absl::string_view path);

// JSONL lines longer than this are rejected.
inline constexpr size_t kMaxJsonlLineBytes = size_t{1} << 20;

struct InputRecord {
  // 1-based line where the record starts (JSONL, CSV), or 1-based index of
  // the event in a batch.
  uint64_t number = 0;
  // The parsed event, or why the record was rejected: a FieldError or
  // ParseError (base/errors.h) naming the field when one is to blame.
  absl::StatusOr<v1::Event> event;
  // The source record holds nothing to import: a platform record about an
  // agent rather than a customer (a TaskRouter worker's activity change).
  // It is neither stored nor rejected, only counted; it still takes its
  // number. `event` then holds an error that says so, so that a reader
  // unaware of skipping rejects the record rather than storing a stale
  // event. Only the platform importers (src/ingest) skip.
  bool skipped = false;
};

// What bulk ingest reads records from: this file's readers of motive's own
// formats, and the platform importers (src/ingest). One source record may
// give several events (a conversation's segments): they come out as
// consecutive records with the same number; or none, as one skipped record.
class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Reads the next record into `*record`. Returns false at the end of input
  // or when a fatal error stopped the reading (see status()), and from then
  // on.
  virtual bool Next(InputRecord* record) = 0;

  // OK, or the fatal error that stopped the reading.
  virtual absl::Status status() const = 0;

  // Bytes received from the input so far, for progress reports.
  virtual uint64_t bytes_read() const = 0;
};

// Returns the next chunk of input, an empty view at the end, or an error
// (I/O). The view must stay valid until the next call; a reader copies what
// it keeps longer, and stops calling after the end or an error.
using InputSource = std::function<absl::StatusOr<absl::string_view>()>;

// A source that hands out `input` whole, once: for input already in memory.
// `input` must outlive the reader.
InputSource WholeBuffer(absl::string_view input);

// Not thread-safe: one reader per input, used from one thread at a time. It
// can be neither copied nor moved, because its position points into the
// buffer of the source it owns.
class RecordReader final : public RecordSource {
 public:
  using Source = InputSource;

  RecordReader(InputFormat format, Source source);
  ~RecordReader() override;

  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  bool Next(InputRecord* record) override;

  // Also: a CSV header that cannot be used, a batch that does not parse.
  absl::Status status() const override { return status_; }

  uint64_t bytes_read() const override { return bytes_read_; }

 private:
  // What a CSV column holds: an Event field, a free attribute or an
  // identifier.
  struct CsvColumn {
    enum class Kind { kField, kAttribute, kIdentifier };
    Kind kind = Kind::kField;
    // The field, for kField.
    const google::protobuf::FieldDescriptor* field = nullptr;
    // The attribute's key or the identifier's namespace, as written.
    std::string key;
  };

  // Makes `chunk_` non-empty. False at the end of input or when the source
  // failed, which `status_` then tells apart.
  bool Refill();

  bool NextJsonl(InputRecord* record);
  // Appends part of a line, or only notes its length once it is too long.
  void AppendToLine(absl::string_view piece);
  // Turns a whole line into a record; false for a blank line.
  bool JsonlRecord(absl::string_view line, InputRecord* record);

  bool NextCsv(InputRecord* record);
  bool NextCsvRow();
  absl::Status ParseCsvHeader(const base::CsvRow& header);
  absl::StatusOr<v1::Event> CsvRowToEvent(const base::CsvRow& row) const;

  bool NextBatchEvent(InputRecord* record);

  const InputFormat format_;
  Source source_;
  absl::Status status_;
  uint64_t bytes_read_ = 0;
  bool at_end_ = false;  // the source said end or failed: do not call it
  bool done_ = false;    // Next has returned false
  // The unread part of the source's last chunk.
  absl::string_view chunk_;

  // JSONL: the start of a line that spans chunks, the line's number, and
  // whether it has outgrown kMaxJsonlLineBytes (then `line_` stays empty).
  std::string line_;
  uint64_t line_number_ = 1;
  bool line_started_ = false;
  bool line_too_long_ = false;

  // CSV: the header's columns, in order, once read.
  base::CsvTokenizer csv_;
  base::CsvRow csv_row_;
  bool csv_header_read_ = false;
  std::vector<CsvColumn> csv_columns_;

  // Batches: the batch, parsed whole on the first call, and the next index.
  bool batch_read_ = false;
  v1::EventBatch batch_;
  int batch_next_ = 0;
};

}  // namespace motive::model

#endif  // MOTIVE_MODEL_RECORD_READER_H_
