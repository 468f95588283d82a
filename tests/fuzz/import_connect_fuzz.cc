// The Amazon Connect importers (ingest/importer.h): contact records, contact
// events and Contact Lens analyses, behind the shared JSON framing.
//
// Input: a byte whose low two bits pick the platform (auto, connect-ctr,
// connect-contact-event, contact-lens) and whose third bit gives a Contact
// Lens file name as the source name; a byte setting the chunk size (1 to 256
// bytes); then the file. Seeds start with printable bytes: "1@" is
// connect-ctr in chunks of 65.
//
// Beyond not crashing: every record comes out as an event or as an error
// with a reason; records are numbered 1, 2, ... with the events of one
// record sharing its number; and the input read in chunks gives exactly what
// it gives whole.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ingest/importer.h"
#include "model/errors.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/record_reader_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kConnectCtr,
    ingest::Platform::kConnectContactEvent, ingest::Platform::kContactLens};

std::vector<std::string> Read(ingest::Platform platform,
                              const ingest::ImportOptions& options,
                              model::InputSource input) {
  auto source = ingest::NewImporter(platform, std::move(input), options);
  std::vector<std::string> lines;
  uint64_t last = 0;
  model::InputRecord record;
  while (source->Next(&record)) {
    MOTIVE_FUZZ_CHECK(record.number == last || record.number == last + 1,
                      "records are not numbered 1, 2, ...");
    MOTIVE_FUZZ_CHECK(record.number >= 1, "record number 0");
    last = record.number;
    if (record.event.ok()) {
      lines.push_back(
          absl::StrCat(record.number, " ", record.event->ShortDebugString()));
    } else {
      const absl::Status& status = record.event.status();
      MOTIVE_FUZZ_CHECK(!model::ErrorReason(status).empty(),
                        "a rejected record without a reason");
      lines.push_back(absl::StrCat(record.number, " ", StatusText(status)));
    }
  }
  lines.push_back(StatusText(source->status()));
  return lines;
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace motive;
  fuzz::FuzzInput in(fuzz::AsText(data, size));
  const uint8_t selector = in.Byte();
  const size_t chunk = size_t{in.Byte()} + 1;
  const absl::string_view file = in.rest();
  const ingest::Platform platform = fuzz::kPlatforms[selector & 3];
  ingest::ImportOptions options;
  if (selector & 4) {
    options.source_name =
        "Analysis/Voice/2024/05/01/c-1_analysis_2024-05-01T10:00:00Z.json";
  }
  const std::vector<std::string> whole =
      fuzz::Read(platform, options, model::WholeBuffer(file));
  absl::string_view unread = file;
  const std::vector<std::string> chunked =
      fuzz::Read(platform, options,
                 [&unread, chunk]() -> absl::StatusOr<absl::string_view> {
                   const absl::string_view piece = unread.substr(0, chunk);
                   unread.remove_prefix(piece.size());
                   return piece;
                 });
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
  return 0;
}
