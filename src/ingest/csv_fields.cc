#include "ingest/csv_fields.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "ingest/time_text.h"
#include "model/field_text.h"

namespace motive::ingest {

CsvHeader::CsvHeader(const std::vector<std::string>& names)
    : size_(names.size()) {
  for (size_t i = 0; i < names.size(); ++i) {
    // The first of two equal names wins, as a reader scanning left would.
    index_.emplace(absl::AsciiStrToLower(absl::StripAsciiWhitespace(names[i])),
                   static_cast<int>(i));
  }
}

int CsvHeader::Find(absl::string_view name) const {
  auto it = index_.find(absl::AsciiStrToLower(name));
  return it == index_.end() ? -1 : it->second;
}

std::optional<absl::string_view> CsvRecord::Cell(
    absl::string_view column) const {
  const int index = header_.Find(column);
  if (index < 0 || static_cast<size_t>(index) >= cells_.size()) {
    return std::nullopt;
  }
  return absl::string_view(cells_[index]);
}

void CsvFields::Fail(absl::string_view column, absl::string_view reason) {
  if (status_.ok()) status_ = base::FieldError(column, reason);
}

std::optional<absl::string_view> CsvFields::Cell(const CsvRecord& row,
                                                 absl::string_view column,
                                                 Need need, bool verbatim) {
  if (!ok()) return std::nullopt;
  std::optional<absl::string_view> cell = row.Cell(column);
  if (cell && !verbatim) cell = absl::StripAsciiWhitespace(*cell);
  if (!cell || cell->empty()) {
    if (need == Need::kRequired) {
      Fail(column, cell ? "required, but empty" : "required, but missing");
    }
    return std::nullopt;
  }
  return cell;
}

absl::string_view CsvFields::String(const CsvRecord& row,
                                    absl::string_view column, Need need) {
  return Cell(row, column, need, /*verbatim=*/true).value_or("");
}

std::optional<int64_t> CsvFields::Int(const CsvRecord& row,
                                      absl::string_view column, Need need) {
  const auto cell = Cell(row, column, need, /*verbatim=*/false);
  if (!cell) return std::nullopt;
  int64_t value = 0;
  if (!model::ParseInt64Text(*cell, &value)) {
    Fail(column,
         absl::StrCat("must be a whole number, got ", model::QuoteText(*cell)));
    return std::nullopt;
  }
  return value;
}

std::optional<double> CsvFields::Number(const CsvRecord& row,
                                        absl::string_view column, Need need) {
  const auto cell = Cell(row, column, need, /*verbatim=*/false);
  if (!cell) return std::nullopt;
  double value = 0;
  if (!model::ParseDoubleText(*cell, &value) || !std::isfinite(value)) {
    Fail(column,
         absl::StrCat("must be a number, got ", model::QuoteText(*cell)));
    return std::nullopt;
  }
  return value;
}

std::optional<absl::Time> CsvFields::Time(const CsvRecord& row,
                                          absl::string_view column, Need need) {
  const auto cell = Cell(row, column, need, /*verbatim=*/false);
  if (!cell) return std::nullopt;
  absl::Time time;
  if (!ParseSourceTime(*cell, zone_, &time)) {
    Fail(column, absl::StrCat("must be ", kTimeForm, ", got ",
                              model::QuoteText(*cell)));
    return std::nullopt;
  }
  return time;
}

}  // namespace motive::ingest
