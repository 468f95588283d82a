// The C ABI (include/motive/motive.h) over motive::engine::Engine.
//
// This file owns every conversion between the two worlds, as LevelDB's c.cc
// does: C structs to C++ options, absl::Status to status codes and the
// thread-local message (Fail), and C++ exceptions to MOT_ENOMEM or
// MOT_EINTERNAL (Guard). No logic of its own lives here.

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "base/errors.h"
#include "cluster/topology.h"
#include "decide/feedback.h"
#include "engine/engine.h"
#include "google/protobuf/message.h"
#include "ingest/importer.h"
#include "journey/journey_svg.h"
#include "model/event_codec.h"
#include "model/event_validation.h"
#include "model/proto_log.h"
#include "model/record_reader.h"
#include "motive/motive.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/signals.h"

struct mot_engine {
  std::unique_ptr<motive::engine::Engine> engine;
};

namespace {

using motive::base::ErrorKind;

thread_local std::string last_error;

// Text handed out as a C string. Messages and field names quote the
// caller's input, whose NUL bytes would cut them short (to nothing, for a
// field named by one), so each becomes the two characters \0.
std::string CText(absl::string_view text) {
  return absl::StrReplaceAll(text, {{absl::string_view("\0", 1), "\\0"}});
}

// Records `message` as this thread's last error and returns `code`.
int Fail(int code, absl::string_view message) {
  last_error = CText(message);
  return code;
}

int StatusCode(const absl::Status& status) {
  switch (motive::base::KindOf(status)) {
    case ErrorKind::kParse:
      return MOT_EPARSE;
    case ErrorKind::kIo:
      return MOT_EIO;
    case ErrorKind::kVersion:
      return MOT_EVERSION;
    case ErrorKind::kAmbiguous:
      return MOT_EAMBIGUOUS;
    case ErrorKind::kUnreachable:
      return MOT_EUNREACHABLE;
    case ErrorKind::kOther:
      break;
  }
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return MOT_OK;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
    // The engine cannot do that as it was opened (a snapshot without a
    // snapshot file): the caller's arguments, in the C ABI's terms.
    case absl::StatusCode::kFailedPrecondition:
      return MOT_EINVALID;
    case absl::StatusCode::kNotFound:
      return MOT_ENOTFOUND;
    case absl::StatusCode::kDataLoss:
      return MOT_ECORRUPT;
    case absl::StatusCode::kUnavailable:
      return MOT_EBUSY;
    case absl::StatusCode::kResourceExhausted:
      return MOT_ENOMEM;
    case absl::StatusCode::kCancelled:
      return MOT_ECANCELED;
    case absl::StatusCode::kUnimplemented:
      return MOT_EUNSUPPORTED;
    default:
      return MOT_EINTERNAL;
  }
}

int Fail(const absl::Status& status) {
  return Fail(StatusCode(status), status.message());
}

// Runs `body`, turning any exception into a status code: nothing crosses.
template <typename Body>
int Guard(Body&& body) noexcept {
  try {
    // What protobuf logs during the call stays out of the host's stderr.
    motive::model::ProtobufLogCapture protobuf_log;
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(MOT_ENOMEM, "out of memory");
  } catch (const std::exception& e) {
    return Fail(MOT_EINTERNAL, absl::StrCat("internal error: ", e.what()));
  } catch (...) {
    return Fail(MOT_EINTERNAL, "internal error: unknown exception");
  }
}

// Copies a caller's options struct over `defaults`, honouring the caller's
// struct_size so that callers built against an older, smaller struct work.
template <typename T>
int ReadOptions(const T* in, T* out, const char* name) {
  if (in == nullptr) return MOT_OK;
  if (in->struct_size < sizeof(uint32_t)) {
    return Fail(MOT_EINVALID,
                absl::StrCat(name, ".struct_size is ", in->struct_size,
                             "; set it with ", name, "_init"));
  }
  if (in->struct_size > sizeof(T)) {
    return Fail(MOT_EVERSION,
                absl::StrCat(name, " has struct_size ", in->struct_size,
                             ", larger than this library's ", sizeof(T),
                             ": the library is older than the header"));
  }
  std::memcpy(out, in, in->struct_size);
  out->struct_size = sizeof(T);
  return MOT_OK;
}

// The _init functions: fills the prefix of `*out` that a caller built
// against a header of `struct_size` knows. `older_sizes` are the sizes the
// struct had in earlier releases (an offsetof: the struct only grows).
template <typename T>
int InitStruct(T* out, uint32_t struct_size, const T& defaults,
               const char* name,
               std::initializer_list<size_t> older_sizes = {}) {
  if (out == nullptr) return Fail(MOT_EINVALID, absl::StrCat(name, " is NULL"));
  bool known = struct_size == sizeof(T);
  for (size_t size : older_sizes) known = known || struct_size == size;
  if (!known) {
    return Fail(
        struct_size > sizeof(T) ? MOT_EVERSION : MOT_EINVALID,
        absl::StrCat(name, ": struct_size ", struct_size,
                     " is not a size this library knows (", sizeof(T), ")"));
  }
  std::memcpy(out, &defaults, struct_size);
  out->struct_size = struct_size;
  return MOT_OK;
}

// Checks a struct the library fills: the caller's struct_size says how much
// of it the caller has (an older caller has less; it gets that prefix).
template <typename T>
int CheckOutput(const T* out, const char* name) {
  if (out == nullptr) return Fail(MOT_EINVALID, absl::StrCat(name, " is NULL"));
  if (out->struct_size < sizeof(uint32_t)) {
    return Fail(MOT_EINVALID,
                absl::StrCat(name, "->struct_size is ", out->struct_size,
                             "; set it with ", name, "_init"));
  }
  if (out->struct_size > sizeof(T)) {
    return Fail(MOT_EVERSION,
                absl::StrCat(name, "->struct_size is ", out->struct_size,
                             ", larger than this library's ", sizeof(T),
                             ": the library is older than the header"));
  }
  return MOT_OK;
}

// Copies the prefix of `full` that the caller's struct holds, keeping its
// struct_size. `out` passed CheckOutput.
template <typename T>
void CopyOutput(const T& full, T* out) {
  const uint32_t size = out->struct_size;
  std::memcpy(out, &full, size);
  out->struct_size = size;
}

constexpr mot_engine_options kEngineDefaults = MOT_ENGINE_OPTIONS_INIT;
constexpr mot_ingest_options kIngestDefaults = MOT_INGEST_OPTIONS_INIT;
constexpr mot_timeline_options kTimelineDefaults = MOT_TIMELINE_OPTIONS_INIT;
constexpr mot_whatif_options kWhatIfDefaults = MOT_WHATIF_OPTIONS_INIT;
constexpr mot_journeys_options kJourneysDefaults = MOT_JOURNEYS_OPTIONS_INIT;
constexpr mot_context_summary kEmptySummary = MOT_CONTEXT_SUMMARY_INIT;
constexpr mot_engine_stats kEmptyStats = MOT_ENGINE_STATS_INIT;
constexpr mot_situation kSituationDefaults = MOT_SITUATION_INIT;

// A caller's progress callback as the engine takes them (empty for none):
// non-zero from the caller stops the call.
std::function<bool(uint64_t, uint64_t)> Progress(mot_progress_fn fn,
                                                 void* user_data) {
  if (fn == nullptr) return {};
  return [fn, user_data](uint64_t done, uint64_t total) {
    return fn(user_data, done, total) == 0;
  };
}

// mot_engine_options as release 0.1 had it, before the context settings,
// and as 0.2 had it, before the ruleset.
constexpr size_t kEngineOptionsSizeV1 =
    offsetof(mot_engine_options, context_config);
constexpr size_t kEngineOptionsSizeV2 = offsetof(mot_engine_options, ruleset);
// ... and as 0.3 and 0.4 had it, before the retention period.
constexpr size_t kEngineOptionsSizeV4 =
    offsetof(mot_engine_options, retention_days);
// ... and as 0.5 had it, before the identity configuration.
constexpr size_t kEngineOptionsSizeV5 =
    offsetof(mot_engine_options, identity_config);
// ... and as 0.6 had it, before the cluster settings.
constexpr size_t kEngineOptionsSizeV6 =
    offsetof(mot_engine_options, cluster_servers);
// ... and as 0.7 first had it, before the progress callback.
constexpr size_t kEngineOptionsSizeV7 =
    offsetof(mot_engine_options, on_progress);
// mot_ingest_options as 0.1 to 0.5 had it, before the platform settings;
// mot_ingest_report, before the records and identity counts.
constexpr size_t kIngestOptionsSizeV5 = offsetof(mot_ingest_options, timezone);
constexpr size_t kIngestReportSizeV5 = offsetof(mot_ingest_report, records);
// mot_ingest_report as 0.6 first had it, before the skipped count.
constexpr size_t kIngestReportSizeV6 = offsetof(mot_ingest_report, skipped);
// mot_engine_stats as release 0.2 had it, before the alert counts.
constexpr size_t kEngineStatsSizeV2 = offsetof(mot_engine_stats, alerts_raised);
// ... and as 0.3 and 0.4 had it, before the damage counts.
constexpr size_t kEngineStatsSizeV4 =
    offsetof(mot_engine_stats, damaged_events);
// ... and as 0.5 and 0.6 had it, before the cluster link.
constexpr size_t kEngineStatsSizeV6 =
    offsetof(mot_engine_stats, cluster_connected);

// The header's numbers are the schema's and the state layer's.
static_assert(MOT_CHANNEL_COUNT == motive::state::kChannelCount);
static_assert(MOT_CHANNEL_COUNT == motive::v1::Channel_ARRAYSIZE);
static_assert(MOT_CHANNEL_VOICE == motive::v1::VOICE);
static_assert(MOT_CHANNEL_OTHER == motive::v1::OTHER);
static_assert(MOT_MOMENT_COUNT == motive::state::kMomentCount);
static_assert(MOT_MOMENT_COUNT == motive::v1::Moment_ARRAYSIZE);
static_assert(MOT_MOMENT_INTERIM == motive::v1::INTERIM);
static_assert(MOT_STAGE_ADVOCACY == motive::v1::ADVOCACY);
static_assert(MOT_OUTCOME_CALLBACK == motive::v1::CALLBACK);
static_assert(MOT_CHURN_FACTOR_COUNT == motive::state::kChurnFactorCount);
static_assert(MOT_NPS_DETRACTOR ==
              static_cast<int>(motive::state::NpsCategory::kDetractor));
static_assert(MOT_NPS_PROMOTER ==
              static_cast<int>(motive::state::NpsCategory::kPromoter));
static_assert(MOT_DIRECTION_UNSPECIFIED == motive::v1::DIRECTION_UNSPECIFIED);
static_assert(MOT_DIRECTION_INBOUND == motive::v1::INBOUND);
static_assert(MOT_DIRECTION_OUTBOUND == motive::v1::OUTBOUND);
static_assert(MOT_DIRECTION_PROACTIVE == motive::v1::PROACTIVE);
static_assert(MOT_DIRECTION_PROACTIVE == motive::v1::Direction_MAX);
static_assert(MOT_FEEDBACK_OFFERED == motive::v1::OFFERED);
static_assert(MOT_FEEDBACK_ACCEPTED == motive::v1::ACCEPTED);
static_assert(MOT_FEEDBACK_REJECTED == motive::v1::REJECTED);
static_assert(MOT_FEEDBACK_IGNORED == motive::v1::IGNORED);
static_assert(MOT_FEEDBACK_CONVERTED == motive::v1::CONVERTED);
static_assert(MOT_FEEDBACK_CONVERTED == motive::v1::FeedbackOutcome_MAX);

int CheckEngine(const mot_engine* engine) {
  return engine ? MOT_OK : Fail(MOT_EINVALID, "engine is NULL");
}

int CheckPayload(const void* data, size_t size) {
  if (data == nullptr && size != 0) {
    return Fail(MOT_EINVALID, "data is NULL but size is not 0");
  }
  return MOT_OK;
}

int CheckChannel(int32_t channel, const char* name) {
  if (motive::v1::Channel_IsValid(channel)) return MOT_OK;
  return Fail(MOT_EINVALID,
              absl::StrCat(name, " ", channel, " is not a MOT_CHANNEL_*"));
}

absl::string_view View(const void* data, size_t size) {
  return size ? absl::string_view(static_cast<const char*>(data), size)
              : absl::string_view();
}

int WireFormat(int32_t format, motive::model::WireFormat* out) {
  switch (format) {
    case MOT_FORMAT_PROTOBUF:
      *out = motive::model::WireFormat::kProtobuf;
      return MOT_OK;
    case MOT_FORMAT_JSON:
      *out = motive::model::WireFormat::kJson;
      return MOT_OK;
    default:
      return Fail(
          MOT_EINVALID,
          absl::StrCat("format ", format,
                       " is not MOT_FORMAT_PROTOBUF or MOT_FORMAT_JSON"));
  }
}

int InputFormat(int32_t format, motive::model::InputFormat* out) {
  switch (format) {
    case MOT_FORMAT_PROTOBUF:
      *out = motive::model::InputFormat::kProtobufBatch;
      return MOT_OK;
    case MOT_FORMAT_JSON:
      *out = motive::model::InputFormat::kJsonBatch;
      return MOT_OK;
    case MOT_FORMAT_JSONL:
      *out = motive::model::InputFormat::kJsonl;
      return MOT_OK;
    case MOT_FORMAT_CSV:
      *out = motive::model::InputFormat::kCsv;
      return MOT_OK;
    default:
      return Fail(MOT_EINVALID,
                  absl::StrCat("format ", format, " is not an ingest format"));
  }
}

// Hands `bytes` to the caller as a mot_buf, NUL-terminated.
int Emit(const std::string& bytes, mot_buf* out) {
  auto* data = static_cast<uint8_t*>(std::malloc(bytes.size() + 1));
  if (data == nullptr) return Fail(MOT_ENOMEM, "out of memory");
  std::memcpy(data, bytes.data(), bytes.size());
  data[bytes.size()] = 0;
  out->data = data;
  out->size = bytes.size();
  return MOT_OK;
}

// Hands `message` to the caller encoded as `wire`.
int EmitMessage(motive::model::WireFormat wire,
                const google::protobuf::Message& message, mot_buf* out) {
  std::string bytes;
  if (absl::Status s = motive::model::Encode(wire, message, &bytes); !s.ok()) {
    return Fail(s);
  }
  return Emit(bytes, out);
}

// The situation of a decision; a zero direction is an inbound contact, as a
// NULL situation is.
int ToSituation(const mot_situation& c, motive::v1::Situation* out) {
  if (int rc = CheckChannel(c.channel, "situation channel")) return rc;
  if (!motive::v1::Direction_IsValid(c.direction)) {
    return Fail(MOT_EINVALID, absl::StrCat("situation direction ", c.direction,
                                           " is not a MOT_DIRECTION_*"));
  }
  out->set_channel(static_cast<motive::v1::Channel>(c.channel));
  if (c.topic != nullptr) out->set_topic(c.topic);
  if (c.agent_id != nullptr) out->set_agent_id(c.agent_id);
  out->set_direction(c.direction == MOT_DIRECTION_UNSPECIFIED
                         ? motive::v1::INBOUND
                         : static_cast<motive::v1::Direction>(c.direction));
  if (c.time_us != 0) {
    *out->mutable_time() = motive::model::FromUnixMicros(c.time_us);
  }
  out->set_max_results(c.max_results);
  return MOT_OK;
}

// The platform formats' numbers, in ingest::Platform's order.
constexpr std::pair<int32_t, motive::ingest::Platform> kPlatformFormats[] = {
    {MOT_FORMAT_PLATFORM_AUTO, motive::ingest::Platform::kAuto},
    {MOT_FORMAT_CONNECT_CTR, motive::ingest::Platform::kConnectCtr},
    {MOT_FORMAT_CONNECT_CONTACT_EVENT,
     motive::ingest::Platform::kConnectContactEvent},
    {MOT_FORMAT_CONTACT_LENS, motive::ingest::Platform::kContactLens},
    {MOT_FORMAT_GENESYS_CONVERSATION,
     motive::ingest::Platform::kGenesysConversation},
    {MOT_FORMAT_ZENDESK_TICKET, motive::ingest::Platform::kZendeskTicket},
    {MOT_FORMAT_ZENDESK_COMMENT, motive::ingest::Platform::kZendeskComment},
    {MOT_FORMAT_ZENDESK_FIELD_HISTORY,
     motive::ingest::Platform::kZendeskFieldHistory},
    {MOT_FORMAT_ZENDESK_CHAT_EVENT,
     motive::ingest::Platform::kZendeskChatEvent},
    {MOT_FORMAT_INTERCOM_CONVERSATION,
     motive::ingest::Platform::kIntercomConversation},
    {MOT_FORMAT_SALESFORCE_CASE, motive::ingest::Platform::kSalesforceCase},
    {MOT_FORMAT_TWILIO_TASKROUTER, motive::ingest::Platform::kTwilioTaskRouter},
};

// motive's own formats by name, for mot_format_from_name.
constexpr std::pair<absl::string_view, int32_t> kOwnFormats[] = {
    {"jsonl", MOT_FORMAT_JSONL},
    {"csv", MOT_FORMAT_CSV},
    {"json", MOT_FORMAT_JSON},
    {"protobuf", MOT_FORMAT_PROTOBUF},
};

int32_t FormatOf(motive::model::InputFormat format) {
  switch (format) {
    case motive::model::InputFormat::kJsonl:
      return MOT_FORMAT_JSONL;
    case motive::model::InputFormat::kCsv:
      return MOT_FORMAT_CSV;
    case motive::model::InputFormat::kJsonBatch:
      return MOT_FORMAT_JSON;
    case motive::model::InputFormat::kProtobufBatch:
      return MOT_FORMAT_PROTOBUF;
  }
  return MOT_FORMAT_AUTO;
}

// The reader of `opts.format` over `input`: motive's own formats, or a
// platform's importer (`file_name` names the input when opts has no
// source_name).
absl::StatusOr<std::unique_ptr<motive::model::RecordSource>> NewReader(
    const mot_ingest_options& opts, const std::string& file_name,
    motive::model::InputSource input) {
  for (const auto& [format, platform] : kPlatformFormats) {
    if (format != opts.format) continue;
    motive::ingest::ImportOptions options;
    if (opts.timezone != nullptr &&
        !absl::LoadTimeZone(opts.timezone, &options.timezone)) {
      return absl::InvalidArgumentError(
          absl::StrCat("timezone: \"", opts.timezone,
                       "\" is not an IANA time zone (such as Europe/Lisbon)"));
    }
    options.source_name =
        opts.source_name != nullptr ? opts.source_name : file_name;
    return motive::ingest::NewImporter(platform, std::move(input), options);
  }
  motive::model::InputFormat format = motive::model::InputFormat::kJsonl;
  if (InputFormat(opts.format, &format) != MOT_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat("format ", opts.format, " is not an ingest format"));
  }
  return std::make_unique<motive::model::RecordReader>(format,
                                                       std::move(input));
}

// Runs an ingest over `reader` and fills the report, whatever happens.
int RunIngest(mot_ingest_report* report, mot_engine* engine,
              motive::model::RecordSource& reader, uint64_t bytes_total,
              const mot_ingest_options& opts) {
  motive::engine::IngestOptions options;
  options.batch_size = opts.batch_size;
  if (opts.on_reject != nullptr) {
    options.on_reject = [&opts](uint64_t record, const std::string& field,
                                const std::string& reason) {
      opts.on_reject(opts.reject_user_data, record, CText(field).c_str(),
                     CText(reason).c_str());
    };
  }
  if (opts.on_progress != nullptr) {
    options.on_progress = [&opts, bytes_total](uint64_t done) {
      return opts.on_progress(opts.progress_user_data, done, bytes_total) == 0;
    };
  }
  motive::engine::IngestCounts counts;
  absl::Status status = engine->engine->Ingest(reader, options, &counts);
  if (report != nullptr) {
    report->accepted = counts.accepted;
    report->duplicates = counts.duplicates;
    report->rejected = counts.rejected;
    if (report->struct_size >= kIngestReportSizeV6) {
      report->records = counts.records;
      report->updated = counts.updated;
      report->profiles_created = counts.profiles_created;
      report->profiles_merged = counts.profiles_merged;
    }
    if (report->struct_size == sizeof(mot_ingest_report)) {
      report->skipped = counts.skipped;
    }
  }
  if (!status.ok()) return Fail(status);
  if (counts.rejected > 0) {
    return Fail(MOT_EREJECTED,
                absl::StrCat(counts.rejected, " records were rejected; ",
                             counts.accepted, " stored, ", counts.duplicates,
                             " duplicates"));
  }
  return MOT_OK;
}

int StartReport(mot_ingest_report* report) {
  if (report == nullptr) return MOT_OK;
  if (report->struct_size != sizeof(mot_ingest_report) &&
      report->struct_size != kIngestReportSizeV6 &&
      report->struct_size != kIngestReportSizeV5) {
    return Fail(report->struct_size > sizeof(mot_ingest_report) ? MOT_EVERSION
                                                                : MOT_EINVALID,
                "report->struct_size is not sizeof(mot_ingest_report); "
                "initialise it with MOT_INGEST_REPORT_INIT");
  }
  const uint32_t size = report->struct_size;
  std::memset(report, 0, size);
  report->struct_size = size;
  return MOT_OK;
}

// The one conversion of a summary into its C form. Allocates nothing: the
// hot path runs through it.
void ToC(const motive::state::Summary& s, mot_context_summary* c) {
  c->known = s.known;
  c->as_of_us = s.as_of_us;
  c->events = s.events;
  c->first_seen_us = s.first_seen_us;
  c->last_seen_us = s.last_seen_us;

  uint32_t* totals[3] = {&c->contacts_7d, &c->contacts_30d, &c->contacts_90d};
  uint32_t* by_channel[3] = {c->contacts_7d_by_channel,
                             c->contacts_30d_by_channel,
                             c->contacts_90d_by_channel};
  for (int w = 0; w < 3; ++w) {
    *totals[w] = s.contacts[w].total;
    std::memcpy(by_channel[w], s.contacts[w].by_channel,
                sizeof(s.contacts[w].by_channel));
  }

  const motive::state::LastContact& last = s.last_contact;
  c->last_contact_channel = last.channel;
  c->last_contact_us = last.time_us;
  // The C contract says never NULL; state::Summary does not promise it.
  c->last_contact_topic = last.topic ? last.topic : "";
  c->last_contact_agent_id = last.agent_id ? last.agent_id : "";
  c->last_contact_outcome = last.outcome;
  c->last_contact_transfers = last.transfers;
  c->last_contact_hold_ms = last.hold_ms;
  c->last_contact_sentiment = last.sentiment;
  c->last_contact_repeat = last.repeat;

  c->window_days = s.window_days;
  c->repeat_contacts = s.repeat_contacts;
  c->transfers = s.transfers;
  c->hold_ms = s.hold_ms;
  c->open_issues = s.open_issues;
  c->strikes = s.strikes;
  c->at_risk = s.at_risk;

  c->stage = s.stage;
  std::memcpy(c->moments, s.moments, sizeof(s.moments));
  c->negative_zero_moment = s.negative_zero_moment;

  c->sentiment_last = s.sentiment_last;
  c->sentiment_average = s.sentiment_average;
  c->sentiment_trend = s.sentiment_trend;

  c->purchases = s.purchases;
  c->days_since_purchase = s.days_since_purchase;
  c->lifetime_value = s.lifetime_value;
  c->last_purchase_us = s.last_purchase_us;

  c->csat = s.csat;
  c->nps = s.nps;
  c->nps_category = static_cast<int32_t>(s.nps_category);
  c->reserved = 0;

  c->churn_risk = s.churn_risk;
  std::memcpy(c->churn_factors, s.churn_factors, sizeof(s.churn_factors));
}

// The summary query in full, into `out` (all of it, struct_size included).
int Summarize(mot_engine* engine, const char* customer_id, int64_t as_of_us,
              mot_context_summary* out) {
  if (int rc = CheckEngine(engine)) return rc;
  if (customer_id == nullptr) return Fail(MOT_EINVALID, "customer_id is NULL");
  motive::state::Summary summary;
  absl::Status status =
      engine->engine->Summarize(customer_id, as_of_us, &summary);
  if (!status.ok()) return Fail(status);
  out->struct_size = sizeof(*out);
  ToC(summary, out);
  return MOT_OK;
}

// Engine::LoadRuleset or Engine::CheckRuleset.
using RulesetAction = absl::Status (motive::engine::Engine::*)(
    absl::string_view text, absl::string_view origin);

// mot_ruleset_load and mot_ruleset_check, which differ only in what the
// engine does with the ruleset.
int WithRuleset(mot_engine* engine, const char* text, size_t size,
                const char* origin, RulesetAction act) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    if (int rc = CheckPayload(text, size)) return rc;
    absl::Status status = (engine->engine.get()->*act)(
        View(text, size), origin != nullptr ? origin : "");
    return status.ok() ? MOT_OK : Fail(status);
  });
}

// An alert callback's user data, freed with the last copy of the callback.
struct UserData {
  UserData() = default;
  UserData(const UserData&) = delete;
  UserData& operator=(const UserData&) = delete;
  ~UserData() {
    if (free != nullptr) free(data);
  }
  void* data = nullptr;
  mot_free_fn free = nullptr;
};

}  // namespace

extern "C" {

const char* mot_version(void) { return MOTIVE_VERSION_STRING; }

int mot_version_number(void) { return MOT_VERSION_NUMBER; }

const char* mot_error_last(void) { return last_error.c_str(); }

const char* mot_strerror(int code) {
  switch (code) {
    case MOT_OK:
      return "ok";
    case MOT_EINVALID:
      return "invalid argument";
    case MOT_ENOTFOUND:
      return "not found";
    case MOT_EPARSE:
      return "parse error";
    case MOT_EIO:
      return "I/O error";
    case MOT_ECORRUPT:
      return "corrupt or foreign database";
    case MOT_EBUSY:
      return "busy";
    case MOT_ETOOSMALL:
      return "buffer too small";
    case MOT_EVERSION:
      return "version mismatch";
    case MOT_ENOMEM:
      return "out of memory";
    case MOT_EINTERNAL:
      return "internal error";
    case MOT_EREJECTED:
      return "some records rejected";
    case MOT_ECANCELED:
      return "canceled";
    case MOT_EUNSUPPORTED:
      return "unsupported";
    case MOT_EAMBIGUOUS:
      return "ambiguous";
    case MOT_EUNREACHABLE:
      return "cluster unreachable";
    default:
      return "unknown status code";
  }
}

int mot_cluster_partition(uint32_t* partition, const char* customer_id,
                          uint32_t partitions) {
  return Guard([&] {
    if (partition == nullptr) return Fail(MOT_EINVALID, "partition is NULL");
    if (customer_id == nullptr) {
      return Fail(MOT_EINVALID, "customer_id is NULL");
    }
    *partition = motive::cluster::PartitionOf(
        customer_id,
        partitions ? partitions : motive::cluster::ClusterOptions().partitions);
    return MOT_OK;
  });
}

void mot_buf_dispose(mot_buf* buf) {
  if (buf == nullptr) return;
  std::free(buf->data);
  buf->data = nullptr;
  buf->size = 0;
}

int mot_engine_options_init(mot_engine_options* opts, uint32_t struct_size) {
  return InitStruct(
      opts, struct_size, kEngineDefaults, "mot_engine_options",
      {kEngineOptionsSizeV1, kEngineOptionsSizeV2, kEngineOptionsSizeV4,
       kEngineOptionsSizeV5, kEngineOptionsSizeV6, kEngineOptionsSizeV7});
}

int mot_ingest_options_init(mot_ingest_options* opts, uint32_t struct_size) {
  return InitStruct(opts, struct_size, kIngestDefaults, "mot_ingest_options",
                    {kIngestOptionsSizeV5});
}

int mot_timeline_options_init(mot_timeline_options* opts,
                              uint32_t struct_size) {
  return InitStruct(opts, struct_size, kTimelineDefaults,
                    "mot_timeline_options");
}

int mot_context_summary_init(mot_context_summary* summary,
                             uint32_t struct_size) {
  return InitStruct(summary, struct_size, kEmptySummary, "mot_context_summary");
}

int mot_engine_stats_init(mot_engine_stats* stats, uint32_t struct_size) {
  return InitStruct(stats, struct_size, kEmptyStats, "mot_engine_stats",
                    {kEngineStatsSizeV2, kEngineStatsSizeV4,
                     kEngineStatsSizeV6});
}

int mot_situation_init(mot_situation* situation, uint32_t struct_size) {
  return InitStruct(situation, struct_size, kSituationDefaults,
                    "mot_situation");
}

int mot_engine_open(mot_engine** out, const char* path,
                    const mot_engine_options* opts) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = nullptr;
    if (path == nullptr) return Fail(MOT_EINVALID, "path is NULL");
    mot_engine_options o = kEngineDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_engine_options")) return rc;

    motive::engine::EngineOptions options;
    switch (o.durability) {
      case MOT_DURABILITY_FULL:
        options.log.durability = motive::store::Durability::kFull;
        break;
      case MOT_DURABILITY_GROUP:
        options.log.durability = motive::store::Durability::kGroup;
        break;
      default:
        return Fail(MOT_EINVALID, absl::StrCat("durability ", o.durability,
                                               " is not a MOT_DURABILITY_*"));
    }
    options.log.group_commit_delay = absl::Milliseconds(o.group_commit_ms);
    switch (o.integrity_check) {
      case MOT_CHECK_QUICK:
        options.log.integrity_check = motive::store::IntegrityCheck::kQuick;
        break;
      case MOT_CHECK_FULL:
        options.log.integrity_check = motive::store::IntegrityCheck::kFull;
        break;
      case MOT_CHECK_NONE:
        options.log.integrity_check = motive::store::IntegrityCheck::kNone;
        break;
      case MOT_CHECK_AFTER_CRASH:
        options.log.integrity_check =
            motive::store::IntegrityCheck::kAfterCrash;
        break;
      default:
        return Fail(MOT_EINVALID,
                    absl::StrCat("integrity_check ", o.integrity_check,
                                 " is not a MOT_CHECK_*"));
    }
    options.log.create_if_missing = o.create_if_missing != 0;
    options.log.read_only = o.read_only != 0;
    if (o.journey_map != nullptr) options.journey_map_text = o.journey_map;
    if (o.context_config != nullptr) {
      options.context_config_text = o.context_config;
    }
    if (o.snapshot_path != nullptr) options.snapshot_path = o.snapshot_path;
    if (o.ruleset != nullptr) options.ruleset_text = o.ruleset;
    if (o.ruleset_origin != nullptr) {
      options.ruleset_origin = o.ruleset_origin;
    }
    options.retention = absl::Hours(24) * o.retention_days;
    if (o.identity_config != nullptr) {
      options.identity_config_text = o.identity_config;
    }
    if (o.cluster_servers != nullptr) {
      motive::cluster::ClusterOptions& cluster = options.cluster;
      cluster.servers = o.cluster_servers;
      if (o.cluster_tenant != nullptr) cluster.tenant = o.cluster_tenant;
      if (o.cluster_partitions) cluster.partitions = o.cluster_partitions;
      if (o.cluster_streams) cluster.streams = o.cluster_streams;
      if (o.cluster_replicas) cluster.replicas = o.cluster_replicas;
      if (o.cluster_write_timeout_ms) {
        cluster.write_timeout = absl::Milliseconds(o.cluster_write_timeout_ms);
      }
      if (o.cluster_open_timeout_ms) {
        cluster.open_timeout = absl::Milliseconds(o.cluster_open_timeout_ms);
      }
      if (o.cluster_credentials != nullptr) {
        cluster.credentials_file = o.cluster_credentials;
      }
      if (o.cluster_tls_ca != nullptr) cluster.tls_ca_file = o.cluster_tls_ca;
      if (o.cluster_tls_cert != nullptr) {
        cluster.tls_cert_file = o.cluster_tls_cert;
      }
      if (o.cluster_tls_key != nullptr) cluster.tls_key_file = o.cluster_tls_key;
      if (o.cluster_held_partitions != nullptr) {
        absl::StatusOr<std::vector<uint32_t>> held =
            motive::cluster::ParsePartitionList(o.cluster_held_partitions,
                                                cluster.partitions);
        if (!held.ok()) return Fail(held.status());
        cluster.held_partitions = *std::move(held);
      }
    }

    options.on_open_progress = Progress(o.on_progress, o.progress_user_data);
    auto engine = motive::engine::Engine::Open(path, std::move(options));
    if (!engine.ok()) return Fail(engine.status());
    *out = new mot_engine{*std::move(engine)};
    return MOT_OK;
  });
}

void mot_engine_close(mot_engine* engine) {
  Guard([&] {
    delete engine;
    return MOT_OK;
  });
}

int mot_engine_flush(mot_engine* engine) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    absl::Status status = engine->engine->Flush();
    return status.ok() ? MOT_OK : Fail(status);
  });
}

int mot_event_record(int32_t* stored, mot_engine* engine, int32_t format,
                     const void* data, size_t size) {
  return Guard([&] {
    if (stored != nullptr) *stored = 0;
    if (int rc = CheckEngine(engine)) return rc;
    if (int rc = CheckPayload(data, size)) return rc;
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    motive::v1::Event event;
    if (absl::Status s = motive::model::Decode(wire, View(data, size), &event);
        !s.ok()) {
      return Fail(s);
    }
    absl::StatusOr<bool> appended = engine->engine->Record(std::move(event));
    if (!appended.ok()) return Fail(appended.status());
    if (stored != nullptr) *stored = *appended ? 1 : 0;
    return MOT_OK;
  });
}

int mot_ingest_buffer(mot_ingest_report* report, mot_engine* engine,
                      const void* data, size_t size,
                      const mot_ingest_options* opts) {
  return Guard([&] {
    if (int rc = StartReport(report)) return rc;
    if (int rc = CheckEngine(engine)) return rc;
    if (int rc = CheckPayload(data, size)) return rc;
    if (opts == nullptr) {
      return Fail(MOT_EINVALID, "opts is NULL: a buffer must name its format");
    }
    mot_ingest_options o = kIngestDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_ingest_options")) return rc;
    if (o.format == MOT_FORMAT_AUTO) {
      return Fail(
          MOT_EINVALID,
          "MOT_FORMAT_AUTO needs a file name; name the buffer's format");
    }
    absl::StatusOr<std::unique_ptr<motive::model::RecordSource>> reader =
        NewReader(o, "", motive::model::WholeBuffer(View(data, size)));
    if (!reader.ok()) return Fail(reader.status());
    return RunIngest(report, engine, **reader, size, o);
  });
}

int mot_ingest_file(mot_ingest_report* report, mot_engine* engine,
                    const char* path, const mot_ingest_options* opts) {
  return Guard([&] {
    if (int rc = StartReport(report)) return rc;
    if (int rc = CheckEngine(engine)) return rc;
    if (path == nullptr) return Fail(MOT_EINVALID, "path is NULL");
    mot_ingest_options o = kIngestDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_ingest_options")) return rc;
    if (o.format == MOT_FORMAT_AUTO) {
      auto inferred = motive::model::InputFormatFromPath(path);
      if (!inferred.ok()) return Fail(inferred.status());
      o.format = FormatOf(*inferred);
    }

    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path, "rb"),
                                               &std::fclose);
    if (!file) {
      int err = errno;
      return Fail(err == ENOENT ? MOT_ENOTFOUND : MOT_EIO,
                  absl::StrCat("cannot open ", path, ": ", std::strerror(err)));
    }
    uint64_t total = 0;
    if (std::fseek(file.get(), 0, SEEK_END) == 0) {
      long end = std::ftell(file.get());
      total = end > 0 ? static_cast<uint64_t>(end) : 0;
      std::rewind(file.get());
    }
    std::vector<char> chunk(1 << 20);
    absl::StatusOr<std::unique_ptr<motive::model::RecordSource>> reader =
        NewReader(o, std::filesystem::path(path).filename().string(),
                  [&]() -> absl::StatusOr<absl::string_view> {
                    size_t n =
                        std::fread(chunk.data(), 1, chunk.size(), file.get());
                    if (n == 0 && std::ferror(file.get())) {
                      return motive::base::IoError(
                          absl::StrCat("reading ", path, " failed"));
                    }
                    return absl::string_view(chunk.data(), n);
                  });
    if (!reader.ok()) return Fail(reader.status());
    return RunIngest(report, engine, **reader, total, o);
  });
}

int mot_timeline_get(mot_buf* out, mot_engine* engine, const char* customer_id,
                     const mot_timeline_options* opts) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    out->data = nullptr;
    out->size = 0;
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr)
      return Fail(MOT_EINVALID, "customer_id is NULL");
    mot_timeline_options o = kTimelineDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_timeline_options")) return rc;
    motive::model::WireFormat wire;
    if (int rc = WireFormat(o.format, &wire)) return rc;

    motive::store::TimeRange range{o.since_us, o.until_us, o.limit};
    auto events = engine->engine->Timeline(customer_id, range);
    if (!events.ok()) return Fail(events.status());
    motive::v1::Timeline timeline;
    timeline.set_customer_id(customer_id);
    for (auto& event : *events) *timeline.add_events() = std::move(event);
    return EmitMessage(wire, timeline, out);
  });
}

int mot_customer_erase(uint64_t* erased, mot_engine* engine,
                       const char* customer_id) {
  return Guard([&] {
    if (erased != nullptr) *erased = 0;
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr) {
      return Fail(MOT_EINVALID, "customer_id is NULL");
    }
    absl::StatusOr<uint64_t> count = engine->engine->EraseCustomer(customer_id);
    if (!count.ok()) return Fail(count.status());
    if (erased != nullptr) *erased = *count;
    return MOT_OK;
  });
}

int mot_format_from_name(int32_t* format, const char* name) {
  return Guard([&] {
    if (format == nullptr || name == nullptr) {
      return Fail(MOT_EINVALID, "format or name is NULL");
    }
    const std::string lower = absl::AsciiStrToLower(name);
    for (const auto& [own, value] : kOwnFormats) {
      if (lower == own) {
        *format = value;
        return MOT_OK;
      }
    }
    absl::StatusOr<motive::ingest::Platform> platform =
        motive::ingest::PlatformFromName(lower);
    if (!platform.ok()) {
      return Fail(MOT_EINVALID,
                  absl::StrCat(platform.status().message(),
                               "; or one of motive's own: jsonl, csv, json, "
                               "protobuf"));
    }
    for (const auto& [value, p] : kPlatformFormats) {
      if (p == *platform) {
        *format = value;
        return MOT_OK;
      }
    }
    return Fail(MOT_EINTERNAL, "a platform without a format number");
  });
}

int mot_identity_resolve(char* out, size_t size, size_t* length,
                         mot_engine* engine, const char* ns,
                         const char* value) {
  return Guard([&] {
    if (length != nullptr) *length = 0;
    if (out == nullptr && size > 0) return Fail(MOT_EINVALID, "out is NULL");
    if (int rc = CheckEngine(engine)) return rc;
    if (ns == nullptr || value == nullptr) {
      return Fail(MOT_EINVALID, "ns or value is NULL");
    }
    absl::StatusOr<std::string> id = engine->engine->Resolve(ns, value);
    if (!id.ok()) return Fail(id.status());
    if (length != nullptr) *length = id->size();
    if (id->size() + 1 > size) {
      return Fail(MOT_ETOOSMALL,
                  absl::StrCat("the customer id needs ", id->size() + 1,
                               " bytes, the buffer has ", size));
    }
    std::memcpy(out, id->c_str(), id->size() + 1);
    return MOT_OK;
  });
}

int mot_identity_profile(mot_buf* out, mot_engine* engine,
                         const char* customer_id, int32_t format) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr) {
      return Fail(MOT_EINVALID, "customer_id is NULL");
    }
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    absl::StatusOr<motive::v1::Profile> profile =
        engine->engine->DescribeProfile(customer_id);
    if (!profile.ok()) return Fail(profile.status());
    return EmitMessage(wire, *profile, out);
  });
}

int mot_whatif_options_init(mot_whatif_options* opts, uint32_t struct_size) {
  return InitStruct(opts, struct_size, kWhatIfDefaults, "mot_whatif_options");
}

int mot_whatif_run(mot_buf* report, mot_engine* engine, const char* ruleset,
                   const mot_whatif_options* opts) {
  return Guard([&] {
    if (report == nullptr) return Fail(MOT_EINVALID, "report is NULL");
    *report = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (ruleset == nullptr) return Fail(MOT_EINVALID, "ruleset is NULL");
    mot_whatif_options o = kWhatIfDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_whatif_options")) return rc;
    motive::model::WireFormat wire;
    if (int rc = WireFormat(o.format, &wire)) return rc;
    motive::engine::Engine::WhatIfOptions options;
    options.from_us = o.from_us;
    options.to_us = o.to_us;
    options.on_progress = Progress(o.on_progress, o.progress_user_data);
    absl::StatusOr<motive::v1::WhatIfReport> result = engine->engine->WhatIf(
        ruleset, o.origin != nullptr ? o.origin : "",
        o.against != nullptr ? o.against : "",
        o.against_origin != nullptr ? o.against_origin : "", options);
    if (!result.ok()) return Fail(result.status());
    return EmitMessage(wire, *result, report);
  });
}

int mot_journey_svg(mot_buf* out, mot_engine* engine, const char* customer_id,
                    int64_t since_us, int64_t until_us) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr) return Fail(MOT_EINVALID, "customer_id is NULL");
    motive::store::TimeRange range;
    range.since_us = since_us;
    range.until_us = until_us;
    absl::StatusOr<std::string> svg =
        engine->engine->JourneyPicture(customer_id, range);
    if (!svg.ok()) return Fail(svg.status());
    return Emit(*svg, out);
  });
}

int mot_journeys_get(mot_buf* out, mot_engine* engine, int64_t from_us,
                     int64_t to_us, int32_t format) {
  mot_journeys_options opts = kJourneysDefaults;
  opts.format = format;
  opts.from_us = from_us;
  opts.to_us = to_us;
  return mot_journeys_get_v2(out, engine, &opts);
}

int mot_journeys_options_init(mot_journeys_options* opts,
                              uint32_t struct_size) {
  return InitStruct(opts, struct_size, kJourneysDefaults,
                    "mot_journeys_options");
}

int mot_journeys_get_v2(mot_buf* out, mot_engine* engine,
                        const mot_journeys_options* opts) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    mot_journeys_options o = kJourneysDefaults;
    if (int rc = ReadOptions(opts, &o, "mot_journeys_options")) return rc;
    motive::model::WireFormat wire = motive::model::WireFormat::kJson;
    if (o.format != MOT_FORMAT_SVG && o.format != MOT_FORMAT_JSON &&
        o.format != MOT_FORMAT_PROTOBUF) {
      return Fail(MOT_EINVALID,
                  absl::StrCat("format ", o.format,
                               " is not MOT_FORMAT_JSON, _PROTOBUF or _SVG"));
    }
    if (o.format != MOT_FORMAT_SVG) WireFormat(o.format, &wire);
    motive::engine::Engine::JourneysOptions options;
    options.from_us = o.from_us;
    options.to_us = o.to_us;
    if (o.segment != nullptr) options.segment = o.segment;
    options.on_progress = Progress(o.on_progress, o.progress_user_data);
    absl::StatusOr<motive::v1::JourneyFigures> figures =
        engine->engine->Journeys(options);
    if (!figures.ok()) return Fail(figures.status());
    if (o.format == MOT_FORMAT_SVG) {
      return Emit(motive::journey::JourneyMapSvg(*figures), out);
    }
    return EmitMessage(wire, *figures, out);
  });
}

int mot_identity_link(mot_engine* engine, const char* customer_id,
                      const char* const* namespaces, const char* const* values,
                      size_t count) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    if (count == 0 || namespaces == nullptr || values == nullptr) {
      return Fail(MOT_EINVALID, "no identifiers to link");
    }
    std::vector<motive::identity::Identifier> ids;
    for (size_t i = 0; i < count; ++i) {
      if (namespaces[i] == nullptr || values[i] == nullptr) {
        return Fail(MOT_EINVALID,
                    absl::StrCat("identifier ", i, " has a NULL part"));
      }
      ids.push_back({namespaces[i], values[i]});
    }
    absl::Status s =
        engine->engine->Link(customer_id != nullptr ? customer_id : "", ids);
    return s.ok() ? MOT_OK : Fail(s);
  });
}

int mot_identity_unlink(mot_engine* engine, const char* ns, const char* value) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    if (ns == nullptr || value == nullptr) {
      return Fail(MOT_EINVALID, "ns or value is NULL");
    }
    absl::Status s = engine->engine->Unlink({{ns, value}});
    return s.ok() ? MOT_OK : Fail(s);
  });
}

int mot_retention_apply(uint64_t* removed, mot_engine* engine) {
  return Guard([&] {
    if (removed != nullptr) *removed = 0;
    if (int rc = CheckEngine(engine)) return rc;
    absl::StatusOr<uint64_t> count = engine->engine->ApplyRetention();
    if (!count.ok()) return Fail(count.status());
    if (removed != nullptr) *removed = *count;
    return MOT_OK;
  });
}

int mot_context_summary_get(mot_context_summary* out, mot_engine* engine,
                            const char* customer_id, int64_t as_of_us) {
  return Guard([&] {
    if (int rc = CheckOutput(out, "mot_context_summary")) return rc;
    mot_context_summary full;
    const int rc = Summarize(engine, customer_id, as_of_us, &full);
    CopyOutput(rc == MOT_OK ? full : kEmptySummary, out);
    return rc;
  });
}

int mot_context_summary_get_many(mot_context_summary* out, mot_engine* engine,
                                 const char* const* customer_ids, size_t count,
                                 int64_t as_of_us) {
  return Guard([&] {
    if (count == 0) return MOT_OK;
    if (int rc = CheckOutput(out, "mot_context_summary")) return rc;
    // The caller's array steps by the caller's struct.
    const uint32_t stride = out->struct_size;
    auto element = [&](size_t i) {
      return reinterpret_cast<mot_context_summary*>(
          reinterpret_cast<char*>(out) + i * stride);
    };
    for (size_t i = 1; i < count; ++i) {
      if (element(i)->struct_size != stride) {
        return Fail(MOT_EINVALID,
                    absl::StrCat("out[", i, "].struct_size is ",
                                 element(i)->struct_size, ", not out[0]'s ",
                                 stride));
      }
    }
    auto fail = [&](int rc) {
      for (size_t i = 0; i < count; ++i) CopyOutput(kEmptySummary, element(i));
      return rc;
    };
    if (int rc = CheckEngine(engine)) return fail(rc);
    if (customer_ids == nullptr) {
      return fail(Fail(MOT_EINVALID, "customer_ids is NULL"));
    }
    std::vector<absl::string_view> ids(count);
    for (size_t i = 0; i < count; ++i) {
      if (customer_ids[i] == nullptr) {
        return fail(
            Fail(MOT_EINVALID, absl::StrCat("customer_ids[", i, "] is NULL")));
      }
      ids[i] = customer_ids[i];
    }
    std::vector<motive::state::Summary> summaries(count);
    absl::Status status =
        engine->engine->SummarizeMany(ids, as_of_us, summaries.data());
    if (!status.ok()) return fail(Fail(status));
    for (size_t i = 0; i < count; ++i) {
      mot_context_summary full;
      full.struct_size = sizeof(full);
      ToC(summaries[i], &full);
      CopyOutput(full, element(i));
    }
    return MOT_OK;
  });
}

int mot_context_get(mot_buf* out, mot_engine* engine, const char* customer_id,
                    int64_t as_of_us, int32_t format) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr)
      return Fail(MOT_EINVALID, "customer_id is NULL");
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    motive::v1::Context context;
    if (absl::Status s =
            engine->engine->Describe(customer_id, as_of_us, &context);
        !s.ok()) {
      return Fail(s);
    }
    return EmitMessage(wire, context, out);
  });
}

int mot_context_config_load(mot_engine* engine, const char* text, size_t size) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    if (int rc = CheckPayload(text, size)) return rc;
    absl::Status status = engine->engine->LoadContextConfig(View(text, size));
    return status.ok() ? MOT_OK : Fail(status);
  });
}

int mot_engine_snapshot(mot_engine* engine) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    absl::Status status = engine->engine->WriteSnapshot();
    return status.ok() ? MOT_OK : Fail(status);
  });
}

int mot_engine_stats_get(mot_engine_stats* out, mot_engine* engine) {
  return Guard([&] {
    if (int rc = CheckOutput(out, "mot_engine_stats")) return rc;
    mot_engine_stats full = kEmptyStats;
    if (int rc = CheckEngine(engine)) {
      CopyOutput(full, out);
      return rc;
    }
    const motive::engine::Engine::OpenReport& report =
        engine->engine->open_report();
    const motive::state::StoreStats stats = engine->engine->StateStats();
    full.from_snapshot = report.from_snapshot ? 1 : 0;
    full.events_replayed = report.events_replayed;
    full.customers = stats.customers;
    full.held_events = stats.held_events;
    full.metric_samples = stats.metric_samples;
    full.state_bytes = stats.state_bytes;
    full.strings = stats.strings;
    full.snapshot_note = report.snapshot_note.c_str();
    const motive::engine::Engine::AlertCounts alerts =
        engine->engine->alert_counts();
    full.alerts_raised = alerts.raised;
    full.alerts_dropped = alerts.dropped;
    full.alerts_queued = alerts.queued;
    const motive::store::LogDamage damage = engine->engine->log().damage();
    full.damaged_events = damage.events;
    full.first_damaged_seq = damage.seqs.empty() ? 0 : damage.seqs.front();
    const motive::cluster::Replicator::Stats link =
        engine->engine->cluster_stats();
    full.cluster_connected = link.connected ? 1 : 0;
    full.cluster_last_contact_us = absl::ToUnixMicros(link.last_contact);
    full.cluster_applied = link.applied;
    full.cluster_lag = link.lag;
    CopyOutput(full, out);
    return MOT_OK;
  });
}

int mot_expr_check(mot_buf* result_type, mot_engine* engine,
                   const char* expression) {
  return Guard([&] {
    if (result_type != nullptr) *result_type = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (expression == nullptr) return Fail(MOT_EINVALID, "expression is NULL");
    absl::StatusOr<std::string> type =
        engine->engine->CheckExpression(expression);
    if (!type.ok()) return Fail(type.status());
    if (result_type == nullptr) return MOT_OK;
    return Emit(*type, result_type);
  });
}

int mot_expr_eval(mot_buf* out, const char* expression,
                  const char* const* names, const char* const* values,
                  size_t count) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (expression == nullptr) return Fail(MOT_EINVALID, "expression is NULL");
    if (count > 0 && (names == nullptr || values == nullptr)) {
      return Fail(MOT_EINVALID, "names or values is NULL");
    }
    std::vector<std::pair<std::string, std::string>> variables;
    for (size_t i = 0; i < count; ++i) {
      if (names[i] == nullptr || values[i] == nullptr) {
        return Fail(MOT_EINVALID, absl::StrCat("variable ", i, " is NULL"));
      }
      variables.emplace_back(names[i], values[i]);
    }
    absl::StatusOr<std::string> result =
        motive::engine::Engine::EvaluateExpression(expression, variables);
    if (!result.ok()) return Fail(result.status());
    return Emit(*result, out);
  });
}

int mot_ruleset_load(mot_engine* engine, const char* text, size_t size,
                     const char* origin) {
  return WithRuleset(engine, text, size, origin,
                     &motive::engine::Engine::LoadRuleset);
}

int mot_ruleset_check(mot_engine* engine, const char* text, size_t size,
                      const char* origin) {
  return WithRuleset(engine, text, size, origin,
                     &motive::engine::Engine::CheckRuleset);
}

int mot_decide(mot_buf* out, mot_engine* engine, const char* customer_id,
               const mot_situation* situation, int32_t format) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    if (customer_id == nullptr) {
      return Fail(MOT_EINVALID, "customer_id is NULL");
    }
    mot_situation s = kSituationDefaults;
    if (int rc = ReadOptions(situation, &s, "mot_situation")) return rc;
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    motive::v1::Situation proto;
    if (int rc = ToSituation(s, &proto)) return rc;
    // Reused by the thread's next decision: their messages and strings
    // keep their memory, so that a warm decision allocates little.
    thread_local motive::v1::Decision decision;
    thread_local motive::decide::Ruleset::Trace trace;
    if (absl::Status status = engine->engine->Decide(
            customer_id, std::move(proto), &decision, &trace);
        !status.ok()) {
      trace.Clear();
      return Fail(status);
    }
    // Read, the trace lets go of the ruleset (Engine::Decide).
    int rc = MOT_OK;
    if (wire == motive::model::WireFormat::kProtobuf) {
      // Straight from the trace to the bytes: no message per drop.
      thread_local std::string bytes;
      absl::Status s = trace.Serialize(decision, &bytes);
      rc = s.ok() ? Emit(bytes, out) : Fail(s);
    } else {
      trace.AppendTo(decision.mutable_dropped());
      rc = EmitMessage(wire, decision, out);
    }
    trace.Clear();
    return rc;
  });
}

int mot_feedback(mot_engine* engine, const char* customer_id,
                 const char* decision_id, const char* action_id,
                 int32_t outcome, int32_t channel, int64_t time_us) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    for (const auto& [name, value] : {std::pair{"customer_id", customer_id},
                                      std::pair{"decision_id", decision_id},
                                      std::pair{"action_id", action_id}}) {
      if (value == nullptr)
        return Fail(MOT_EINVALID, absl::StrCat(name, " is NULL"));
    }
    if (int rc = CheckChannel(channel, "channel")) return rc;
    motive::decide::Feedback feedback;
    feedback.customer_id = customer_id;
    feedback.decision_id = decision_id;
    feedback.action = action_id;
    // Any int32 is a value of an open (proto3) enum; the engine refuses
    // those that are not outcomes, naming the field.
    feedback.outcome = static_cast<motive::v1::FeedbackOutcome>(outcome);
    feedback.channel = static_cast<motive::v1::Channel>(channel);
    feedback.time_us = time_us;
    absl::StatusOr<bool> recorded = engine->engine->RecordFeedback(feedback);
    return recorded.ok() ? MOT_OK : Fail(recorded.status());
  });
}

int mot_alerts_poll(mot_buf* out, mot_engine* engine, size_t max,
                    int32_t format) {
  return Guard([&] {
    if (out == nullptr) return Fail(MOT_EINVALID, "out is NULL");
    *out = mot_buf{};
    if (int rc = CheckEngine(engine)) return rc;
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    std::vector<motive::v1::Alert> alerts;
    engine->engine->PollAlerts(
        max == 0 ? std::numeric_limits<size_t>::max() : max, &alerts);
    motive::v1::AlertList list;
    for (motive::v1::Alert& alert : alerts) {
      *list.add_alerts() = std::move(alert);
    }
    return EmitMessage(wire, list, out);
  });
}

int mot_alerts_set_callback(mot_engine* engine, mot_alert_fn fn,
                            void* user_data, mot_free_fn user_data_free,
                            int32_t format) {
  return Guard([&] {
    if (int rc = CheckEngine(engine)) return rc;
    if (fn == nullptr) {
      engine->engine->SetAlertCallback(nullptr);
      if (user_data_free != nullptr) user_data_free(user_data);
      return MOT_OK;
    }
    motive::model::WireFormat wire;
    if (int rc = WireFormat(format, &wire)) return rc;
    // Every copy of the callback (a delivery in progress holds one) shares
    // the user data; the last to go frees it. It is handed over only once
    // nothing can fail any more: a call that fails (out of memory) must
    // leave user_data with the caller.
    auto data = std::make_shared<UserData>();
    std::function<void(const motive::v1::Alert&)> callback =
        [fn, data, wire](const motive::v1::Alert& alert) noexcept {
          // It runs inside whichever engine call delivers the alert, where
          // nothing may unwind: an alert that cannot be encoded (out of
          // memory) is lost rather than thrown into the caller's call.
          try {
            std::string bytes;
            if (!motive::model::Encode(wire, alert, &bytes).ok()) return;
            fn(data->data, reinterpret_cast<const uint8_t*>(bytes.c_str()),
               bytes.size());
          } catch (...) {
          }
        };
    data->data = user_data;
    data->free = user_data_free;
    engine->engine->SetAlertCallback(std::move(callback));
    return MOT_OK;
  });
}

}  // extern "C"
