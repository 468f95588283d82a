// The platform table behind NewImporter, and what a mapper is.
//
// Adding a platform is one mapper file pair and one line in the table
// (platforms.cc):
//
//   1. ingest/<platform>.h/.cc with
//        // JSON records (one element of the input):
//        absl::Status MapX(const JsonValue& record, const MapContext& context,
//                          std::vector<v1::Event>* out);
//        // or CSV rows (one data row under the header):
//        absl::Status MapX(const CsvRecord& row, const MapContext& context,
//                          std::vector<v1::Event>* out);
//        // and what kAuto recognises it by:
//        bool LooksLikeX(const JsonValue& record);  // or (const CsvHeader&)
//      The header comment holds the mapping table (source field -> event
//      field or identifier). A mapper reads through JsonFields or CsvFields
//      (sticky errors naming the path), sets times with SetTimestamp
//      (time_text.h), ids with BoundedId and attributes with AttributeWriter
//      (event_fields.h), appends one event or more to `out` and returns OK,
//      or returns the first error (what it appended is then discarded). A
//      record that is not about a customer (a TaskRouter worker's activity
//      change) holds nothing to import: the mapper appends nothing and
//      returns OK, and the importer hands the record out as skipped
//      (model::InputRecord::skipped), counted but neither stored nor
//      rejected. A record about a customer that maps to nothing is an
//      error, not a skip. It never throws and keeps no state between
//      records.
//   2. Its line in kPlatforms: the Platform, its name, its sniffers and the
//      rule they check (for kAuto's error message), and its mappers: one
//      framing's, or both when the platform exports both (the framing of
//      an input is then found from its first byte, as kAuto finds it).
//   3. Tests in tests/ingest/<platform>_test.cc, a seed in the fuzz corpus.
//
// The importers (JsonImporter, CsvImporter) do the framing, parsing, record
// numbering, sniffing and error reporting for every platform.

#ifndef MOTIVE_INGEST_PLATFORMS_H_
#define MOTIVE_INGEST_PLATFORMS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ingest/csv_fields.h"
#include "ingest/importer.h"
#include "ingest/json_fields.h"
#include "model/record_reader.h"
#include "motive/v1/event.pb.h"

namespace motive::ingest {

// What a mapper knows besides the record.
struct MapContext {
  const ImportOptions& options;
  // 1-based index of the record in the input.
  uint64_t record_number;
};

using JsonMapper = absl::Status (*)(const JsonValue& record,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out);
using CsvMapper = absl::Status (*)(const CsvRecord& row,
                                   const MapContext& context,
                                   std::vector<v1::Event>* out);

// A platform reads JSON, CSV or both (Zendesk: the warehouse connectors'
// CSV and the API's JSON): each framing it reads has a sniffer and a
// mapper, each it does not has neither (null).
struct PlatformSpec {
  Platform platform;
  absl::string_view name;
  // Whether a first record (JSON) or a header (CSV) is this platform's, for
  // kAuto; `sniff_rule` says what they check, in words.
  bool (*looks_like_json)(const JsonValue& record);
  bool (*looks_like_csv)(const CsvHeader& header);
  absl::string_view sniff_rule;
  JsonMapper map_json;
  CsvMapper map_csv;
};

// Every platform but kAuto, in the order kAuto tries them.
absl::Span<const PlatformSpec> Platforms();

// The spec of `platform`, or null for kAuto.
const PlatformSpec* FindPlatform(Platform platform);

// The importers. With a null spec they find it among the Platforms() that
// read their framing, from the first record or the header. Exposed for tests,
// which also run mappers of their own through them.
std::unique_ptr<model::RecordSource> NewJsonImporter(
    const PlatformSpec* spec, model::InputSource input,
    const ImportOptions& options);
std::unique_ptr<model::RecordSource> NewCsvImporter(
    const PlatformSpec* spec, model::InputSource input,
    const ImportOptions& options);

// What both importers do with a mapper's result: `mapped` and the events
// the mapper appended to `*events` become `*record` (already numbered): the
// first event; or the error, `*events` then cleared; or, OK with no event,
// a skipped record. True when `record` took (*events)[0], and the events
// after it are the record's others, still to hand out.
bool TakeMapped(absl::Status mapped, std::vector<v1::Event>* events,
                model::InputRecord* record);

// Whether `object` has every key in `keys` (exact case): the usual sniffer.
bool HasKeys(const JsonValue& object,
             std::initializer_list<absl::string_view> keys);
// Whether `header` has every column in `columns` (any case).
bool HasColumns(const CsvHeader& header,
                std::initializer_list<absl::string_view> columns);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_PLATFORMS_H_
