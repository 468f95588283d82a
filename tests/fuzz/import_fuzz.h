// What the platform importers' fuzz targets share: reading one input under
// one platform whole and in chunks, checking every record on the way, and
// requiring both readings to agree.

#ifndef MOTIVE_TESTS_FUZZ_IMPORT_FUZZ_H_
#define MOTIVE_TESTS_FUZZ_IMPORT_FUZZ_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "ingest/importer.h"
#include "model/event_validation.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/record_reader_fuzz.h"

namespace motive::fuzz {

// The limits every importer keeps in the events it makes (importer.h).
inline void CheckImportedEvent(const v1::Event& event) {
  MOTIVE_FUZZ_CHECK(!event.event_id().empty() &&
                        event.event_id().size() <= model::kMaxIdBytes,
                    "an event id empty or over the limit");
  MOTIVE_FUZZ_CHECK(!event.interaction_id().empty() &&
                        event.interaction_id().size() <= model::kMaxIdBytes,
                    "an interaction id empty or over the limit");
  MOTIVE_FUZZ_CHECK(event.customer_id().empty(), "an importer set customer_id");
  MOTIVE_FUZZ_CHECK(event.attributes_size() <= model::kMaxAttributes,
                    "more attributes than an event holds");
  MOTIVE_FUZZ_CHECK(event.topic().size() <= 128, "a topic over 128 bytes");
  MOTIVE_FUZZ_CHECK(
      !event.has_transfers() ||
          (event.transfers() >= 0 && event.transfers() <= model::kMaxTransfers),
      "transfers out of range");
  MOTIVE_FUZZ_CHECK(event.ByteSizeLong() <= model::kMaxEventBytes,
                    "an event over the size limit");
}

// Each record as a line: "number event", "number error" or "number
// skipped". Every record is an event, an error with a reason or a skip,
// numbered 1, 2, ... (the events of one record share its number; a skipped
// record takes its number too); `check` sees every event.
inline std::vector<std::string> ReadImport(ingest::Platform platform,
                                           const ingest::ImportOptions& options,
                                           model::InputSource input,
                                           void (*check)(const v1::Event&)) {
  auto source = ingest::NewImporter(platform, std::move(input), options);
  std::vector<std::string> lines;
  uint64_t last = 0;
  model::InputRecord record;
  while (source->Next(&record)) {
    MOTIVE_FUZZ_CHECK(record.number == last || record.number == last + 1,
                      "records are not numbered 1, 2, ...");
    MOTIVE_FUZZ_CHECK(record.number >= 1, "record number 0");
    last = record.number;
    if (record.skipped) {
      MOTIVE_FUZZ_CHECK(!record.event.ok(), "a skipped record with an event");
      lines.push_back(absl::StrCat(record.number, " skipped"));
    } else if (record.event.ok()) {
      check(*record.event);
      lines.push_back(
          absl::StrCat(record.number, " ", record.event->ShortDebugString()));
    } else {
      const absl::Status& status = record.event.status();
      MOTIVE_FUZZ_CHECK(!base::ErrorReason(status).empty(),
                        "a rejected record without a reason");
      lines.push_back(absl::StrCat(record.number, " ", StatusText(status)));
    }
  }
  lines.push_back(StatusText(source->status()));
  return lines;
}

// Reads `file` whole and in chunks of `chunk` bytes; both must agree.
inline void CheckImport(ingest::Platform platform,
                        const ingest::ImportOptions& options,
                        absl::string_view file, size_t chunk,
                        void (*check)(const v1::Event&)) {
  const std::vector<std::string> whole =
      ReadImport(platform, options, model::WholeBuffer(file), check);
  absl::string_view unread = file;
  const std::vector<std::string> chunked = ReadImport(
      platform, options,
      [&unread, chunk]() -> absl::StatusOr<absl::string_view> {
        const absl::string_view piece = unread.substr(0, chunk);
        unread.remove_prefix(piece.size());
        return piece;
      },
      check);
  if (whole != chunked) {
    size_t i = 0;
    while (i < whole.size() && i < chunked.size() && whole[i] == chunked[i]) {
      ++i;
    }
    std::fprintf(stderr, "whole:   %s\nchunked: %s\n",
                 i < whole.size() ? whole[i].c_str() : "(none)",
                 i < chunked.size() ? chunked[i].c_str() : "(none)");
  }
  MOTIVE_FUZZ_CHECK(whole == chunked,
                    "records differ when the input comes in chunks");
}

}  // namespace motive::fuzz

#endif  // MOTIVE_TESTS_FUZZ_IMPORT_FUZZ_H_
