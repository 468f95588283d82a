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
#include "base/errors.h"
#include "ingest/importer.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/import_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kConnectCtr,
    ingest::Platform::kConnectContactEvent, ingest::Platform::kContactLens};

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
  fuzz::CheckImport(platform, options, file, chunk, &fuzz::CheckImportedEvent);
  return 0;
}
