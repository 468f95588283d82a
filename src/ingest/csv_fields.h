// Reading the cells of a vendor CSV row by column name, with errors that
// name the column, for every CSV mapper (warehouse exports such as
// Fivetran's Zendesk tables). The CSV twin of json_fields.h: one CsvFields
// per row, the first error kept (sticky), ok() checked once at the end.
//
// Column names are matched trimmed and in any case. Absent means: the header
// has no such column, or the cell is empty (exports write "" for null).
// Numbers and times are read trimmed; strings verbatim. Times take the forms
// of time_text.h, naive ones in the caller's time zone.
//
// Not thread-safe; one per row.

#ifndef MOTIVE_INGEST_CSV_FIELDS_H_
#define MOTIVE_INGEST_CSV_FIELDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ingest/json_fields.h"

namespace motive::ingest {

// The column names of a CSV input, from its first row.
class CsvHeader {
 public:
  explicit CsvHeader(const std::vector<std::string>& names);

  // The column's index, or -1.
  int Find(absl::string_view name) const;
  size_t size() const { return size_; }

 private:
  absl::flat_hash_map<std::string, int> index_;  // trimmed, lower case
  size_t size_;
};

// One data row; the views it hands out live as long as the row's cells.
class CsvRecord {
 public:
  CsvRecord(const CsvHeader& header, const std::vector<std::string>& cells)
      : header_(header), cells_(cells) {}

  // The cell under `column`, or nullopt without such a column.
  std::optional<absl::string_view> Cell(absl::string_view column) const;

 private:
  const CsvHeader& header_;
  const std::vector<std::string>& cells_;
};

class CsvFields {
 public:
  explicit CsvFields(const absl::TimeZone& zone) : zone_(zone) {}

  CsvFields(const CsvFields&) = delete;
  CsvFields& operator=(const CsvFields&) = delete;

  absl::string_view String(const CsvRecord& row, absl::string_view column,
                           Need need = Need::kOptional);
  std::optional<int64_t> Int(const CsvRecord& row, absl::string_view column,
                             Need need = Need::kOptional);
  std::optional<double> Number(const CsvRecord& row, absl::string_view column,
                               Need need = Need::kOptional);
  std::optional<absl::Time> Time(const CsvRecord& row, absl::string_view column,
                                 Need need = Need::kOptional);

  // Records a mapper's own error about `column`, unless one is kept.
  void Fail(absl::string_view column, absl::string_view reason);

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }

 private:
  // The cell, trimmed unless `verbatim`; nullopt when absent (and an error
  // when required).
  std::optional<absl::string_view> Cell(const CsvRecord& row,
                                        absl::string_view column, Need need,
                                        bool verbatim);

  const absl::TimeZone& zone_;
  absl::Status status_;
};

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_CSV_FIELDS_H_
