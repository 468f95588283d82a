// What the Zendesk importer tests share: CSV inputs written by hand, one
// event read back, the rejection of one row, attribute lookups.

#ifndef MOTIVE_TESTS_INGEST_ZENDESK_TESTING_H_
#define MOTIVE_TESTS_INGEST_ZENDESK_TESTING_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "base/errors.h"
#include "gtest/gtest.h"
#include "ingest/importer.h"
#include "model/event_validation.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest::testing {

// A CSV input: the header line, then the rows, each ended by "\n".
inline std::string Csv(const std::string& header,
                       const std::vector<std::string>& rows) {
  std::string csv = header + "\n";
  for (const std::string& row : rows) csv += row + "\n";
  return csv;
}

// `cell` as a CSV cell: quoted when it holds a comma, a quote or a line end.
inline std::string CsvCell(const std::string& cell) {
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

// A header and one row from columns and their cells, in order; `changes`
// replace cells by column name (a column not there is added at the end).
using Cells = std::vector<std::pair<std::string, std::string>>;
inline std::string CsvOf(Cells cells, const Cells& changes = {}) {
  for (const auto& [column, cell] : changes) {
    bool found = false;
    for (auto& [name, value] : cells) {
      if (name == column) {
        value = cell;
        found = true;
      }
    }
    if (!found) cells.emplace_back(column, cell);
  }
  std::vector<std::string> header, row;
  for (const auto& [name, value] : cells) {
    header.push_back(name);
    row.push_back(CsvCell(value));
  }
  return Csv(absl::StrJoin(header, ","), {absl::StrJoin(row, ",")});
}

// The only event `csv` (one data row) gives as `platform`; a test failure
// when it gives anything else.
inline v1::Event OneEvent(Platform platform, const std::string& csv,
                          const ImportOptions& options = ImportOptions()) {
  const ReadResult result = Import(platform, csv, 0, options);
  EXPECT_TRUE(result.status.ok()) << result.status;
  if (result.records.size() != 1 || !result.records[0].event.ok()) {
    ADD_FAILURE() << absl::StrJoin(Describe(result), "\n");
    return v1::Event();
  }
  EXPECT_EQ(result.records[0].number, 1u);
  return *result.records[0].event;
}

// Why the only row of `csv` was rejected.
inline absl::Status OneRejection(Platform platform, const std::string& csv) {
  const ReadResult result = Import(platform, csv);
  EXPECT_TRUE(result.status.ok()) << result.status;
  if (result.records.size() != 1 || result.records[0].event.ok()) {
    ADD_FAILURE() << absl::StrJoin(Describe(result), "\n");
    return absl::OkStatus();
  }
  return result.records[0].event.status();
}

// That every event of `events` would be accepted as it is (the importers
// keep the limits; ValidateEvent checks the rest).
inline void ExpectValid(const std::vector<v1::Event>& events) {
  for (const v1::Event& event : events) {
    const absl::Status status = model::ValidateEvent(event, absl::Now());
    EXPECT_TRUE(status.ok()) << status << "\n" << event.ShortDebugString();
  }
}

inline bool Has(const v1::Event& event, const std::string& key) {
  return event.attributes().contains(key);
}

}  // namespace motive::ingest::testing

#endif  // MOTIVE_TESTS_INGEST_ZENDESK_TESTING_H_
