// The JSON importers of other platforms than Amazon Connect (ingest/
// importer.h): Genesys Cloud conversations, Salesforce cases, Twilio
// TaskRouter events and Intercom conversations, behind the shared JSON
// framing (import_connect_fuzz.cc covers the Connect ones).
//
// Input: a byte whose low three bits, modulo 5, pick the platform (0 auto,
// 1 genesys-conversation, 2 salesforce-case, 3 twilio-taskrouter, 4
// intercom-conversation); a byte setting the chunk size (1 to 256 bytes);
// then the file. Seeds start with printable bytes: "1@" is
// genesys-conversation in chunks of 65.
//
// Beyond not crashing: every record comes out as an event, an error with a
// reason or a skip (a TaskRouter worker's event); records are numbered 1, 2,
// ... with the events of one record sharing its number; every event keeps the
// limits the mapping can keep (ids, attributes, topic); and the input read in
// chunks gives exactly what it gives whole.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "ingest/importer.h"
#include "model/event_validation.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/import_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kGenesysConversation,
    ingest::Platform::kSalesforceCase, ingest::Platform::kTwilioTaskRouter,
    ingest::Platform::kIntercomConversation};

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace motive;
  fuzz::FuzzInput in(fuzz::AsText(data, size));
  const uint8_t selector = in.Byte();
  const size_t chunk = size_t{in.Byte()} + 1;
  const absl::string_view file = in.rest();
  const ingest::Platform platform =
      fuzz::kPlatforms[(selector & 7) % std::size(fuzz::kPlatforms)];
  fuzz::CheckImport(platform, ingest::ImportOptions(), file, chunk,
                    &fuzz::CheckImportedEvent);
  return 0;
}
