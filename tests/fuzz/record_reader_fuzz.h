// The record readers (model/record_reader.h) as fuzz targets: csv_fuzz.cc
// and jsonl_fuzz.cc, and any later format, are a line each over
// FuzzRecordReader.
//
// The first byte of the input sets the size of the chunks the source hands
// out (1 to 256 bytes), the rest is the file. Every record must come out the
// same as when the file arrives whole: a line, a quoted field or a byte
// order mark split between chunks changes nothing.

#ifndef MOTIVE_TESTS_FUZZ_RECORD_READER_FUZZ_H_
#define MOTIVE_TESTS_FUZZ_RECORD_READER_FUZZ_H_

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "tests/fuzz/fuzz_support.h"

namespace motive::fuzz {

// A status as text, payloads in a fixed order (ToString's follows a hash).
inline std::string StatusText(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ",
                      status.message(), " [field ", base::ErrorField(status),
                      ", kind ", static_cast<int>(base::KindOf(status)), "]");
}

// Every record as text, then the reader's final status, for comparing two
// readings. Each event is also validated, as ingest would.
inline std::vector<std::string> ReadRecords(
    model::InputFormat format, model::RecordReader::Source source) {
  model::RecordReader reader(format, std::move(source));
  std::vector<std::string> records;
  model::InputRecord record;
  while (reader.Next(&record)) {
    std::string text = absl::StrCat(record.number, " ");
    if (record.event.ok()) {
      v1::Event& event = *record.event;
      absl::StrAppend(&text, event.ShortDebugString());
      (void)model::PrepareEvent(&event, model::JourneyMap::Default(), kNow);
    } else {
      absl::StrAppend(&text, StatusText(record.event.status()));
    }
    records.push_back(std::move(text));
  }
  records.push_back(StatusText(reader.status()));
  return records;
}

inline void FuzzRecordReader(model::InputFormat format, const uint8_t* data,
                             size_t size) {
  FuzzInput in(AsText(data, size));
  const size_t chunk = size_t{in.Byte()} + 1;
  const absl::string_view file = in.rest();
  const std::vector<std::string> whole =
      ReadRecords(format, model::WholeBuffer(file));
  absl::string_view unread = file;
  const std::vector<std::string> chunked = ReadRecords(
      format, [&unread, chunk]() -> absl::StatusOr<absl::string_view> {
        const absl::string_view piece = unread.substr(0, chunk);
        unread.remove_prefix(piece.size());
        return piece;
      });
  if (whole != chunked) {
    const size_t n = std::min(whole.size(), chunked.size());
    size_t i = 0;
    while (i < n && whole[i] == chunked[i]) ++i;
    std::fprintf(stderr, "whole:   %s\nchunked: %s\n",
                 i < whole.size() ? whole[i].c_str() : "(none)",
                 i < chunked.size() ? chunked[i].c_str() : "(none)");
  }
  MOTIVE_FUZZ_CHECK(whole == chunked,
                    "records differ when the input comes in chunks");
}

}  // namespace motive::fuzz

#endif  // MOTIVE_TESTS_FUZZ_RECORD_READER_FUZZ_H_
