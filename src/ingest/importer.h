// Platform importers: contact-center records (Amazon Connect contact
// records, Contact Lens analyses, Genesys conversations, Zendesk tables, ...)
// read as motive.v1 events, one record at a time, for bulk ingest
// (engine::Engine::Ingest reads any model::RecordSource).
//
// What every importer promises:
//   - Each source record becomes one or more events, as consecutive
//     InputRecords with the record's number: its 1-based index in the input
//     (for CSV, among the data rows, the header not counted).
//   - A record that cannot be mapped comes out as an InputRecord whose event
//     is a base::FieldError (or ParseError) naming the source field path,
//     such as "Agent.CustomerHoldDuration", and the reason; the records after
//     it are still read. Only a failing input, an unusable CSV header or an
//     input whose format kAuto cannot recognise stop the reading (status()).
//   - A record that is not about a customer (a TaskRouter worker's event, an
//     empty page) comes out as one InputRecord marked skipped, with its
//     number: counted, neither stored nor rejected.
//   - Event ids derive from source ids, so importing the same input twice
//     gives the same ids and the engine stores each event once.
//   - Events leave customer_id empty: they carry the identifiers the source
//     knows (phone, email, ...), which the engine resolves to a profile.
//     Records that carry no identity (analyses, contact events) become
//     enrichments of their interaction (see Event.enrichment).
//   - Importers map; they do not validate. Limits that the mapping can keep
//     are kept (ingest/event_fields.h); the rest is ValidateEvent's job.
//
// JSON input may be JSON Lines, concatenated objects (as Kinesis Data
// Firehose writes them), one array of records or a single object, found from
// the content (ingest/json_splitter.h). Memory stays bounded by the longest
// record whatever the input's size.
//
// Each platform's mapping table is in its mapper's header
// (ingest/connect_ctr.h, ...); ingest/platforms.h tells how to add one.

#ifndef MOTIVE_INGEST_IMPORTER_H_
#define MOTIVE_INGEST_IMPORTER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "model/record_reader.h"

namespace motive::ingest {

enum class Platform {
  kAuto,
  kConnectCtr,
  kConnectContactEvent,
  kContactLens,
  kGenesysConversation,
  kZendeskTicket,
  kZendeskComment,
  kZendeskFieldHistory,
  kZendeskChatEvent,
  kIntercomConversation,
  kSalesforceCase,
  kTwilioTaskRouter,
};

// By the names the CLI takes: "connect-ctr", "connect-contact-event",
// "contact-lens", "genesys-conversation", "zendesk-ticket",
// "zendesk-comment", "zendesk-field-history", "zendesk-chat-event",
// "intercom-conversation", "salesforce-case", "twilio-taskrouter", "auto";
// in any case. Otherwise InvalidArgument listing them.
absl::StatusOr<Platform> PlatformFromName(absl::string_view name);
absl::string_view PlatformName(Platform platform);

struct ImportOptions {
  // Reads timestamps written without an offset (warehouse CSVs).
  absl::TimeZone timezone = absl::UTCTimeZone();
  // The name of the file or object the input came from, such as an S3 key.
  // Contact Lens names its analyses after the contact
  // ("<ContactId>_analysis_<time>.json"); the voice analyses carry the
  // contact id nowhere else (ingest/contact_lens.h). Zendesk's API comments
  // carry no ticket id: a name after their endpoint gives it
  // (".../tickets/<id>/comments.json", ingest/zendesk_comment.h).
  std::string source_name;
};

// A source of the platform's records as events. `input` is read in chunks as
// Next asks. kAuto finds the platform from the input's first record (JSON:
// its keys; CSV: its header) and fails, with a status naming what it tried,
// when none matches. The Zendesk ticket, comment and field history formats
// read both the warehouse CSV and the Support API's JSON, told apart by the
// input's first byte as kAuto tells them.
//
// The source is not thread-safe: one reader per input, used from one thread
// at a time.
std::unique_ptr<model::RecordSource> NewImporter(Platform platform,
                                                 model::InputSource input,
                                                 const ImportOptions& options);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_IMPORTER_H_
