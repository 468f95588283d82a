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
// Beyond not crashing: every record comes out as an event or as an error
// with a reason; records are numbered 1, 2, ... with the events of one
// record sharing its number; every event keeps the limits the mapping can
// keep (ids, attributes, topic); and the input read in chunks gives exactly
// what it gives whole.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ingest/importer.h"
#include "model/errors.h"
#include "model/event_validation.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/record_reader_fuzz.h"

namespace motive::fuzz {
namespace {

constexpr ingest::Platform kPlatforms[] = {
    ingest::Platform::kAuto, ingest::Platform::kGenesysConversation,
    ingest::Platform::kSalesforceCase, ingest::Platform::kTwilioTaskRouter,
    ingest::Platform::kIntercomConversation};

void CheckLimits(const v1::Event& event) {
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
}

std::vector<std::string> Read(ingest::Platform platform,
                              model::InputSource input) {
  auto source =
      ingest::NewImporter(platform, std::move(input), ingest::ImportOptions());
  std::vector<std::string> lines;
  uint64_t last = 0;
  model::InputRecord record;
  while (source->Next(&record)) {
    MOTIVE_FUZZ_CHECK(record.number == last || record.number == last + 1,
                      "records are not numbered 1, 2, ...");
    MOTIVE_FUZZ_CHECK(record.number >= 1, "record number 0");
    last = record.number;
    if (record.event.ok()) {
      CheckLimits(*record.event);
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
  const ingest::Platform platform =
      fuzz::kPlatforms[(selector & 7) % std::size(fuzz::kPlatforms)];
  const std::vector<std::string> whole =
      fuzz::Read(platform, model::WholeBuffer(file));
  absl::string_view unread = file;
  const std::vector<std::string> chunked = fuzz::Read(
      platform, [&unread, chunk]() -> absl::StatusOr<absl::string_view> {
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
