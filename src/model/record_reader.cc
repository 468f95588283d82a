#include "model/record_reader.h"

#include <cmath>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "base/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "model/event_codec.h"
#include "model/field_text.h"

namespace motive::model {

using base::CsvRow;
using base::FieldError;
using base::ParseError;

namespace {

using google::protobuf::FieldDescriptor;

constexpr absl::string_view kBom = "\xEF\xBB\xBF";
constexpr absl::string_view kAttributesPrefix = "attributes.";
constexpr absl::string_view kIdentifiersPrefix = "identifiers.";

// The fields a CSV column may name: single values with a text form
// (model/field_text.h). A field added to the schema with another type is not
// accepted until field_text learns it.
const FieldDescriptor* CsvField(absl::string_view lower_name) {
  const FieldDescriptor* field =
      v1::Event::descriptor()->FindFieldByName(std::string(lower_name));
  return IsTextField(field) ? field : nullptr;
}

// "event_id, customer_id, ..., attributes.KEY, identifiers.NAMESPACE", for
// header errors.
const std::string& AcceptedColumns() {
  static const std::string* const kNames = [] {
    auto* names = new std::string;
    const google::protobuf::Descriptor* event = v1::Event::descriptor();
    for (int i = 0; i < event->field_count(); ++i) {
      if (CsvField(event->field(i)->name()) != nullptr) {
        absl::StrAppend(names, event->field(i)->name(), ", ");
      }
    }
    absl::StrAppend(names, kAttributesPrefix, "KEY, ", kIdentifiersPrefix,
                    "NAMESPACE");
    return names;
  }();
  return *kNames;
}

std::string Cells(size_t n) {
  return absl::StrCat(n, n == 1 ? " cell" : " cells");
}

absl::Status SetField(const FieldDescriptor* field, absl::string_view cell,
                      v1::Event* event) {
  // Strings are verbatim; typed values tolerate the padding spreadsheets add
  // around them. Empty cells leave the field absent.
  absl::string_view text = field->cpp_type() == FieldDescriptor::CPPTYPE_STRING
                               ? cell
                               : absl::StripAsciiWhitespace(cell);
  if (text.empty()) return absl::OkStatus();
  if (!SetFieldFromText(field, text, event)) {
    return FieldError(field->name(), TextValueError(field, text));
  }
  return absl::OkStatus();
}

// Identifiers that look like numbers (zip code 02134, phone +441234567890)
// must stay strings: only a number written as numbers are (no sign but a
// minus, no leading zero) becomes one.
bool WrittenAsNumber(absl::string_view text) {
  absl::string_view digits = text;
  absl::ConsumePrefix(&digits, "-");
  if (digits.empty() || !absl::ascii_isdigit(digits[0])) return false;
  return !(digits.size() > 1 && digits[0] == '0' &&
           absl::ascii_isdigit(digits[1]));
}

void SetAttribute(const std::string& key, absl::string_view cell,
                  v1::Event* event) {
  if (cell.empty()) return;
  google::protobuf::Value value;
  absl::string_view text = absl::StripAsciiWhitespace(cell);
  double number;
  if (absl::EqualsIgnoreCase(text, "true")) {
    value.set_bool_value(true);
  } else if (absl::EqualsIgnoreCase(text, "false")) {
    value.set_bool_value(false);
  } else if (WrittenAsNumber(text) && absl::SimpleAtod(text, &number) &&
             std::isfinite(number)) {
    value.set_number_value(number);
  } else {
    value.set_string_value(std::string(cell));
  }
  (*event->mutable_attributes())[key] = std::move(value);
}

void AddIdentifier(const std::string& name, absl::string_view cell,
                   v1::Event* event) {
  if (cell.empty()) return;
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(name);
  identifier->set_value(std::string(cell));
}

}  // namespace

absl::StatusOr<InputFormat> InputFormatFromPath(absl::string_view path) {
  static constexpr struct {
    absl::string_view extension;
    InputFormat format;
  } kFormats[] = {
      {".jsonl", InputFormat::kJsonl},
      {".ndjson", InputFormat::kJsonl},
      {".csv", InputFormat::kCsv},
      {".json", InputFormat::kJsonBatch},
      {".pb", InputFormat::kProtobufBatch},
      {".binpb", InputFormat::kProtobufBatch},
  };
  constexpr absl::string_view kAccepted =
      "accepted are .jsonl and .ndjson (one JSON event per line), .csv, "
      ".json (a JSON EventBatch), .pb and .binpb (a protobuf EventBatch)";

  // npos + 1 is 0: a bare file name is its own base name.
  absl::string_view name = path.substr(path.find_last_of("/\\") + 1);
  size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot tell the input format of ", QuoteText(path),
                     ": it has no file extension; ", kAccepted));
  }
  absl::string_view extension = name.substr(dot);
  const std::string lower = absl::AsciiStrToLower(extension);
  for (const auto& known : kFormats) {
    if (lower == known.extension) return known.format;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": unknown input file extension ",
                   QuoteText(extension), "; ", kAccepted));
}

RecordReader::RecordReader(InputFormat format, Source source)
    : format_(format), source_(std::move(source)) {
  if (!source_) {
    status_ = absl::InvalidArgumentError("RecordReader needs a source");
    at_end_ = true;
  }
}

RecordReader::~RecordReader() = default;

bool RecordReader::Next(InputRecord* record) {
  if (done_) return false;
  record->skipped = false;  // motive's own formats hold nothing to skip
  bool got = false;
  switch (format_) {
    case InputFormat::kJsonl:
      got = NextJsonl(record);
      break;
    case InputFormat::kCsv:
      got = NextCsv(record);
      break;
    case InputFormat::kJsonBatch:
    case InputFormat::kProtobufBatch:
      got = NextBatchEvent(record);
      break;
  }
  if (!got) done_ = true;
  return got;
}

InputSource WholeBuffer(absl::string_view input) {
  return [input, given = false]() mutable -> absl::StatusOr<absl::string_view> {
    if (given) return absl::string_view();
    given = true;
    return input;
  };
}

bool RecordReader::Refill() {
  if (!chunk_.empty()) return true;
  if (at_end_) return false;
  absl::StatusOr<absl::string_view> chunk = source_();
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
  bytes_read_ += chunk_.size();
  return true;
}

// --- JSONL ------------------------------------------------------------------

bool RecordReader::NextJsonl(InputRecord* record) {
  while (true) {
    if (!Refill()) {
      // A last line without a line end is still a line; after a source
      // error it is probably cut short, so it is dropped.
      if (!status_.ok() || !line_started_) return false;
      return JsonlRecord(line_, record);
    }
    const size_t end = chunk_.find('\n');
    if (end == absl::string_view::npos) {
      AppendToLine(chunk_);
      chunk_ = {};
      continue;
    }
    absl::string_view piece = chunk_.substr(0, end);
    chunk_.remove_prefix(end + 1);
    bool got;
    if (line_started_) {
      AppendToLine(piece);
      got = JsonlRecord(line_, record);
    } else {
      // Most lines lie within one chunk: parse them in place, uncopied.
      got = JsonlRecord(piece, record);
    }
    if (got) return true;
  }
}

void RecordReader::AppendToLine(absl::string_view piece) {
  line_started_ = true;
  if (line_too_long_) return;
  // Room for a CR and a byte order mark, which JsonlRecord strips before it
  // measures the line.
  constexpr size_t kMaxBuffered = kMaxJsonlLineBytes + 1 + kBom.size();
  if (line_.size() + piece.size() > kMaxBuffered) {
    line_too_long_ = true;
    line_.clear();
    return;
  }
  line_.append(piece.data(), piece.size());
}

bool RecordReader::JsonlRecord(absl::string_view line, InputRecord* record) {
  const uint64_t number = line_number_++;
  absl::ConsumeSuffix(&line, "\r");
  if (number == 1) absl::ConsumePrefix(&line, kBom);
  bool got = true;
  if (line_too_long_ || line.size() > kMaxJsonlLineBytes) {
    record->event = ParseError("", "line is longer than 1 MiB");
  } else if (absl::StripAsciiWhitespace(line).empty()) {
    got = false;
  } else {
    v1::Event event;
    absl::Status status = Decode(WireFormat::kJson, line, &event);
    if (status.ok()) {
      record->event = std::move(event);
    } else {
      record->event = std::move(status);
    }
  }
  if (got) record->number = number;
  // `line` may point into line_: it is not used past this point.
  line_.clear();
  line_started_ = false;
  line_too_long_ = false;
  return got;
}

// --- CSV --------------------------------------------------------------------

bool RecordReader::NextCsvRow() {
  while (true) {
    if (csv_.Consume(&chunk_, &csv_row_)) return true;
    if (!Refill()) return status_.ok() && csv_.Finish(&csv_row_);
  }
}

bool RecordReader::NextCsv(InputRecord* record) {
  if (!csv_header_read_) {
    // No header at all is an empty input, not an error.
    if (!NextCsvRow()) return false;
    csv_header_read_ = true;
    status_ = ParseCsvHeader(csv_row_);
    if (!status_.ok()) return false;
  }
  if (!NextCsvRow()) return false;
  record->number = csv_row_.line;
  record->event = CsvRowToEvent(csv_row_);
  return true;
}

absl::Status RecordReader::ParseCsvHeader(const CsvRow& header) {
  if (!header.status.ok()) {
    return ParseError("",
                      absl::StrCat("the CSV header on line ", header.line,
                                   " is malformed: ", header.status.message()));
  }
  // Column number of each field, attribute or namespace already named.
  absl::flat_hash_map<std::string, size_t> seen;
  csv_columns_.clear();
  csv_columns_.reserve(header.cells.size());
  for (size_t i = 0; i < header.cells.size(); ++i) {
    const absl::string_view name = absl::StripAsciiWhitespace(header.cells[i]);
    const std::string lower = absl::AsciiStrToLower(name);
    CsvColumn column;
    std::string key;  // what two columns naming the same thing share
    if (name.empty()) {
      return ParseError("", absl::StrCat("CSV header column ", i + 1,
                                         " has no name; accepted columns "
                                         "are ",
                                         AcceptedColumns()));
    }
    const bool attribute = absl::StartsWith(lower, kAttributesPrefix);
    if (attribute || absl::StartsWith(lower, kIdentifiersPrefix)) {
      // Attribute keys and namespaces are data and keep their case.
      const absl::string_view prefix =
          attribute ? kAttributesPrefix : kIdentifiersPrefix;
      column.kind = attribute ? CsvColumn::Kind::kAttribute
                              : CsvColumn::Kind::kIdentifier;
      column.key = std::string(name.substr(prefix.size()));
      if (column.key.empty()) {
        return ParseError(
            name, absl::StrCat("CSV header column ", i + 1, " needs ",
                               attribute ? "a key" : "a namespace", " after \"",
                               prefix, "\""));
      }
      key = absl::StrCat(prefix, column.key);
    } else {
      column.field = CsvField(lower);
      if (column.field == nullptr) {
        return ParseError(
            name, absl::StrCat("unknown CSV header column ", i + 1,
                               "; accepted columns are ", AcceptedColumns()));
      }
      key = lower;
    }
    auto [it, inserted] = seen.emplace(std::move(key), i);
    if (!inserted) {
      return ParseError(name, absl::StrCat("duplicate CSV header column: "
                                           "columns ",
                                           it->second + 1, " and ", i + 1,
                                           " name the same field"));
    }
    csv_columns_.push_back(std::move(column));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Event> RecordReader::CsvRowToEvent(const CsvRow& row) const {
  if (!row.status.ok()) return row.status;
  if (row.cells.size() != csv_columns_.size()) {
    return ParseError(
        "", absl::StrCat("row has ", Cells(row.cells.size()),
                         ", the header has ", Cells(csv_columns_.size())));
  }
  v1::Event event;
  for (size_t i = 0; i < row.cells.size(); ++i) {
    const CsvColumn& column = csv_columns_[i];
    switch (column.kind) {
      case CsvColumn::Kind::kAttribute:
        SetAttribute(column.key, row.cells[i], &event);
        break;
      case CsvColumn::Kind::kIdentifier:
        AddIdentifier(column.key, row.cells[i], &event);
        break;
      case CsvColumn::Kind::kField:
        if (absl::Status s = SetField(column.field, row.cells[i], &event);
            !s.ok()) {
          return s;
        }
        break;
    }
  }
  return event;
}

// --- Batches ----------------------------------------------------------------

bool RecordReader::NextBatchEvent(InputRecord* record) {
  if (!batch_read_) {
    batch_read_ = true;
    std::string data;
    while (Refill()) {
      data.append(chunk_.data(), chunk_.size());
      chunk_ = {};
    }
    if (!status_.ok()) return false;
    absl::string_view text = data;
    WireFormat wire = WireFormat::kProtobuf;
    if (format_ == InputFormat::kJsonBatch) {
      wire = WireFormat::kJson;
      absl::ConsumePrefix(&text, kBom);
      // As for the line formats, an empty file holds no events.
      if (absl::StripAsciiWhitespace(text).empty()) return false;
    }
    status_ = Decode(wire, text, &batch_);
    if (!status_.ok()) return false;
  }
  if (batch_next_ >= batch_.events_size()) return false;
  record->number = static_cast<uint64_t>(batch_next_) + 1;
  record->event = std::move(*batch_.mutable_events(batch_next_++));
  return true;
}

}  // namespace motive::model
