// The importer of CSV platforms: base::CsvTokenizer reads rows, the first
// is the header, the platform's mapper maps each data row.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/csv.h"
#include "base/errors.h"
#include "ingest/platforms.h"

namespace motive::ingest {
namespace {

class CsvImporter final : public model::RecordSource {
 public:
  CsvImporter(const PlatformSpec* spec, model::InputSource input,
              const ImportOptions& options)
      : spec_(spec), options_(options), input_(std::move(input)) {}

  bool Next(model::InputRecord* record) override;
  absl::Status status() const override { return status_; }
  uint64_t bytes_read() const override { return bytes_read_; }

 private:
  // The next row into row_; false at the end or when the input failed.
  bool NextRow();
  // Reads the header and finds spec_ when it is not known.
  bool ReadHeader();
  bool Stop(absl::Status status) {
    status_ = std::move(status);
    done_ = true;
    return false;
  }

  const PlatformSpec* spec_;
  const ImportOptions options_;
  model::InputSource input_;
  absl::Status status_;
  uint64_t bytes_read_ = 0;
  bool at_end_ = false;
  bool done_ = false;
  absl::string_view chunk_;

  base::CsvTokenizer tokenizer_;
  base::CsvRow row_;
  std::optional<CsvHeader> header_;
  uint64_t number_ = 0;

  std::vector<v1::Event> events_;
  size_t next_event_ = 0;
};

bool CsvImporter::NextRow() {
  while (true) {
    if (!chunk_.empty() && tokenizer_.Consume(&chunk_, &row_)) return true;
    if (at_end_) return false;
    absl::StatusOr<absl::string_view> chunk = input_();
    if (!chunk.ok()) {
      at_end_ = true;
      status_ = chunk.status();
      return false;
    }
    if (chunk->empty()) {
      at_end_ = true;
      return tokenizer_.Finish(&row_);
    }
    bytes_read_ += chunk->size();
    chunk_ = *chunk;
  }
}

bool CsvImporter::ReadHeader() {
  if (!NextRow()) {
    return Stop(status_.ok() ? absl::InvalidArgumentError(
                                   "the CSV input has no header row")
                             : status_);
  }
  if (!row_.status.ok()) {
    return Stop(base::Annotate(row_.status, "the CSV header"));
  }
  header_.emplace(row_.cells);
  if (spec_ != nullptr) return true;
  std::vector<std::string> tried;
  for (const PlatformSpec& spec : Platforms()) {
    if (spec.looks_like_csv == nullptr) continue;
    if (spec.looks_like_csv(*header_)) {
      spec_ = &spec;
      return true;
    }
    tried.push_back(absl::StrCat(spec.name, " (", spec.sniff_rule, ")"));
  }
  return Stop(absl::InvalidArgumentError(
      absl::StrCat("cannot tell the platform from the CSV header; tried ",
                   absl::StrJoin(tried, "; "))));
}

bool CsvImporter::Next(model::InputRecord* record) {
  if (done_) return false;
  record->skipped = false;
  if (next_event_ < events_.size()) {
    record->number = number_;
    record->event = std::move(events_[next_event_++]);
    return true;
  }
  if (!header_ && !ReadHeader()) return false;
  if (!NextRow()) return Stop(status_);
  record->number = ++number_;
  if (!row_.status.ok()) {
    record->event = row_.status;
    return true;
  }
  if (row_.cells.size() != header_->size()) {
    record->event = base::FieldError(
        "", absl::StrCat("the row has ", row_.cells.size(),
                         " cells where the header has ", header_->size()));
    return true;
  }
  events_.clear();
  const MapContext context{options_, number_};
  absl::Status mapped =
      spec_->map_csv(CsvRecord(*header_, row_.cells), context, &events_);
  next_event_ = TakeMapped(std::move(mapped), &events_, record) ? 1 : 0;
  return true;
}

}  // namespace

std::unique_ptr<model::RecordSource> NewCsvImporter(
    const PlatformSpec* spec, model::InputSource input,
    const ImportOptions& options) {
  return std::make_unique<CsvImporter>(spec, std::move(input), options);
}

}  // namespace motive::ingest
