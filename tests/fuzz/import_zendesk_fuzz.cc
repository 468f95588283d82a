// The Zendesk importers (ingest/importer.h): tickets, comments, field
// history and chat events, behind the shared CSV framing.
//
// Input: a byte whose low three bits pick the platform (modulo 5: auto,
// zendesk-ticket, zendesk-comment, zendesk-field-history,
// zendesk-chat-event) and whose fourth bit reads naive times in
// America/New_York instead of UTC; a byte setting the chunk size (1 to 256
// bytes); then the file. Seeds start with printable bytes: "1@" is
// zendesk-ticket in chunks of 65, "9@" the same in New York.
//
// Beyond not crashing: every row comes out as an event or as an error with
// a reason; rows are numbered 1, 2, ...; every event has an id and an
// interaction within the id limit, carries identifiers unless it is an
// enrichment, and keeps the attribute and topic limits; and the input read
// in chunks gives exactly what it gives whole.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "ingest/importer.h"
#include "model/errors.h"
#include "model/event_validation.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/record_reader_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kZendeskTicket,
    ingest::Platform::kZendeskComment, ingest::Platform::kZendeskFieldHistory,
    ingest::Platform::kZendeskChatEvent};

void CheckEvent(const v1::Event& event) {
  MOTIVE_FUZZ_CHECK(!event.event_id().empty(), "an event without an id");
  MOTIVE_FUZZ_CHECK(event.event_id().size() <= model::kMaxIdBytes,
                    "an event id over the limit");
  MOTIVE_FUZZ_CHECK(!event.interaction_id().empty() &&
                        event.interaction_id().size() <= model::kMaxIdBytes,
                    "an interaction id missing or over the limit");
  MOTIVE_FUZZ_CHECK(event.customer_id().empty(), "an importer set customer_id");
  MOTIVE_FUZZ_CHECK(event.enrichment() || event.identifiers_size() > 0,
                    "a version without identifiers");
  MOTIVE_FUZZ_CHECK(event.topic().size() <= model::kMaxIdBytes &&
                        event.queue().size() <= model::kMaxIdBytes &&
                        event.agent_id().size() <= model::kMaxIdBytes,
                    "a topic, queue or agent over the limit");
  MOTIVE_FUZZ_CHECK(event.attributes_size() <= model::kMaxAttributes,
                    "attributes over the limit");
  MOTIVE_FUZZ_CHECK(event.ByteSizeLong() <= model::kMaxEventBytes,
                    "an event over the size limit");
}

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
      CheckEvent(*record.event);
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
