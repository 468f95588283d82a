// The Zendesk importers (ingest/importer.h): tickets, comments, field
// history and chat events, behind the shared CSV framing, and the Support
// API's JSON (ticket, comment and audit pages and objects) behind the JSON
// one.
//
// Input: a byte whose low three bits pick the platform (modulo 5: auto,
// zendesk-ticket, zendesk-comment, zendesk-field-history,
// zendesk-chat-event), whose fourth bit reads naive times in
// America/New_York instead of UTC and whose fifth names the source
// "api/v2/tickets/42/comments.json" (the API's comments take their ticket
// from it); a byte setting the chunk size (1 to 256 bytes); then the file.
// Seeds start with printable bytes: "1@" is zendesk-ticket in chunks of 65
// with the source name (digits have the fifth bit), "9@" the same in New
// York.
//
// Beyond not crashing: every row or record comes out as an event, an error
// with a reason or a skip; they are numbered 1, 2, ...; every event has an
// id and an interaction within the id limit, carries identifiers unless it
// is an enrichment, and keeps the attribute and topic limits; and the input
// read in chunks gives exactly what it gives whole.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "base/errors.h"
#include "ingest/importer.h"
#include "model/event_validation.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/import_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kZendeskTicket,
    ingest::Platform::kZendeskComment, ingest::Platform::kZendeskFieldHistory,
    ingest::Platform::kZendeskChatEvent};

void CheckEvent(const v1::Event& event) {
  CheckImportedEvent(event);
  MOTIVE_FUZZ_CHECK(event.enrichment() || event.identifiers_size() > 0,
                    "a version without identifiers");
  MOTIVE_FUZZ_CHECK(event.queue().size() <= model::kMaxIdBytes &&
                        event.agent_id().size() <= model::kMaxIdBytes,
                    "a queue or agent over the limit");
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace motive;
  fuzz::FuzzInput in(fuzz::AsText(data, size));
  const uint8_t selector = in.Byte();
  const size_t chunk = size_t{in.Byte()} + 1;
  const absl::string_view file = in.rest();
  const ingest::Platform platform = fuzz::kPlatforms[(selector & 7) % 5];
  ingest::ImportOptions options;
  if (selector & 8) {
    static const absl::TimeZone* const new_york = [] {
      auto* zone = new absl::TimeZone();
      MOTIVE_FUZZ_CHECK(absl::LoadTimeZone("America/New_York", zone),
                        "no America/New_York time zone");
      return zone;
    }();
    options.timezone = *new_york;
  }
  if (selector & 16) options.source_name = "api/v2/tickets/42/comments.json";
  fuzz::CheckImport(platform, options, file, chunk, &fuzz::CheckEvent);
  return 0;
}
