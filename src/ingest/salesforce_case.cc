#include "ingest/salesforce_case.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/address_text.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kCustomPrefix = "salesforce.";
constexpr size_t kMaxTopicBytes = 128;

// Text fields kept as attributes as they are.
constexpr std::pair<absl::string_view, absl::string_view> kTextAttributes[] = {
    {"CaseNumber", "case_number"},
    {"Status", "status"},
    {"Priority", "priority"},
    {"Origin", "origin"},
    {"Type", "case_type"},
    {"Reason", "reason"},
    {"Subject", "subject"},
    {"AccountId", "account_id"},
    {"ParentId", "parent_id"},
    {"OwnerId", "owner_id"},
    {"SuppliedName", "supplied_name"},
    {"SuppliedCompany", "supplied_company"},
};

// Origin's first word, lower case, against the channels.
v1::Channel CaseChannel(absl::string_view origin) {
  if (origin.empty()) return v1::CHANNEL_UNSPECIFIED;
  const std::string word =
      absl::AsciiStrToLower(origin.substr(0, origin.find_first_of(" -_/")));
  if (word == "phone" || word == "call" || word == "voice") return v1::VOICE;
  if (word == "email" || word == "e") return v1::EMAIL;
  if (word == "web") return v1::WEB;
  if (word == "chat") return v1::CHAT;
  if (word == "sms" || word == "text") return v1::SMS;
  if (word == "social" || word == "facebook" || word == "twitter") {
    return v1::SOCIAL;
  }
  if (word == "mobile" || word == "app") return v1::MOBILE_APP;
  return v1::OTHER;
}

// Whether `status` holds `word` (lower case), in any case.
bool Says(absl::string_view status, absl::string_view word) {
  return absl::StrContains(absl::AsciiStrToLower(status), word);
}

v1::Outcome CaseOutcome(absl::string_view status, std::optional<bool> closed,
                        bool escalated) {
  const bool is_closed =
      closed ? *closed : absl::StartsWithIgnoreCase(status, "closed");
  if (!is_closed) {
    return escalated || Says(status, "escalated") ? v1::ESCALATED
                                                  : v1::OUTCOME_UNSPECIFIED;
  }
  if (Says(status, "unresolved") || Says(status, "not resolved")) {
    return v1::UNRESOLVED;
  }
  for (const absl::string_view word :
       {"duplicate", "spam", "cancel", "invalid", "no response"}) {
    if (Says(status, word)) return v1::OUTCOME_UNSPECIFIED;
  }
  return v1::RESOLVED;
}

// A boolean field: JSON true/false, or "true"/"false" as exports write it.
std::optional<bool> Bool(JsonFields& fields, const JsonValue& record,
                         absl::string_view key) {
  const JsonValue value = fields.Member(record, key);
  if (!value.present) return std::nullopt;
  bool result = false;
  if (value.element.get_bool().get(result) == simdjson::SUCCESS) return result;
  const absl::string_view text = fields.AsString(value);
  if (absl::EqualsIgnoreCase(text, "true")) return true;
  if (absl::EqualsIgnoreCase(text, "false")) return false;
  fields.Fail(value.path, "must be true or false");
  return std::nullopt;
}

void SetText(AttributeWriter& attributes, absl::string_view key,
             absl::string_view value) {
  if (!value.empty()) attributes.String(key, value);
}

void MapIdentity(JsonFields& fields, const JsonValue& record,
                 v1::Event* event) {
  AddIdentifier("salesforce_contact", fields.String(record, "ContactId"),
                event);
  for (const absl::string_view key : {"SuppliedEmail", "ContactEmail"}) {
    AddIdentifier("email", fields.String(record, key), event);
  }
  for (const absl::string_view key :
       {"SuppliedPhone", "ContactPhone", "ContactMobile"}) {
    AddIdentifier("phone", fields.String(record, key), event);
  }
}

bool IsCustomField(absl::string_view name) {
  return absl::EndsWithIgnoreCase(name, "__c");
}

// Custom fields (Name__c), after the mapping's own attributes.
void MapCustomFields(JsonFields& fields, const JsonValue& record,
                     AttributeWriter& attributes) {
  CopyScalarMembers(fields, record, kCustomPrefix, attributes, &IsCustomField);
}

void MapAttributes(JsonFields& fields, const JsonValue& record,
                   absl::Time created, v1::Event* event) {
  AttributeWriter attributes(event);
  for (const auto& [source, key] : kTextAttributes) {
    SetText(attributes, key, fields.String(record, source));
  }
  if (const auto escalated = Bool(fields, record, "IsEscalated")) {
    attributes.Bool("is_escalated", *escalated);
  }
  const JsonValue closed_value = fields.Member(record, "ClosedDate");
  if (const auto closed = fields.AsTime(closed_value)) {
    SetText(attributes, "closed_at", AsWritten(closed_value));
    if (*closed < created) {
      fields.Fail(closed_value.path, "must not be before CreatedDate");
    } else {
      attributes.Number("resolution_ms",
                        absl::ToDoubleMilliseconds(*closed - created));
    }
  }
  MapCustomFields(fields, record, attributes);
  attributes.Finish();
}

absl::Status MapCase(JsonFields& fields, const JsonValue& record,
                     std::vector<v1::Event>* out) {
  const JsonValue type_info = fields.Object(record, "attributes");
  const JsonValue type_value = fields.Member(type_info, "type");
  const absl::string_view type = fields.AsString(type_value);
  if (type_value.present && type != "Case") {
    fields.Fail(type_value.path,
                absl::StrCat("must be \"Case\", got \"", type, "\""));
  }
  const absl::string_view id = fields.String(record, "Id", Need::kRequired);
  const auto created = fields.Time(record, "CreatedDate", Need::kRequired);
  JsonValue modified = fields.Member(record, "LastModifiedDate");
  if (!modified.present) modified = fields.Member(record, "SystemModstamp");
  if (!modified.present) modified = fields.Member(record, "CreatedDate");
  const auto updated = fields.AsTime(modified);
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  event.set_event_id(BoundedId(
      absl::StrCat("salesforce:case:", id, "@", AsWritten(modified))));
  event.set_interaction_id(BoundedId(absl::StrCat("salesforce:case:", id)));
  SetTimestamp(*updated, event.mutable_updated_at());
  SetTimestamp(*created, event.mutable_occurred_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_channel(CaseChannel(fields.String(record, "Origin")));
  MapIdentity(fields, record, &event);

  absl::string_view topic = fields.String(record, "Reason");
  if (topic.empty()) topic = fields.String(record, "Subject");
  event.set_topic(std::string(TruncateUtf8(topic, kMaxTopicBytes)));
  const absl::string_view owner = fields.String(record, "OwnerId");
  if (absl::StartsWith(owner, "005")) event.set_agent_id(std::string(owner));
  if (absl::StartsWith(owner, "00G")) event.set_queue(std::string(owner));
  const auto closed = Bool(fields, record, "IsClosed");
  const auto escalated = Bool(fields, record, "IsEscalated");
  event.set_outcome(CaseOutcome(fields.String(record, "Status"), closed,
                                escalated.value_or(false)));
  MapAttributes(fields, record, *created, &event);
  return fields.status();
}

}  // namespace

absl::Status MapSalesforceCase(const JsonValue& record,
                               const MapContext& context,
                               std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  // A query page's records, or absent when `record` is a case. (Paths point
  // at their parents, so `result` stays in scope while `records` is used.)
  const JsonValue result = fields.Object(record, "result");
  const JsonValue direct = fields.Array(record, "records");
  const JsonValue& records =
      direct.present ? direct : fields.Array(result, "records");
  if (!fields.ok()) return fields.status();
  if (!records.present) return MapCase(fields, record, out);
  fields.ForEachItem(records, [&](const JsonValue& item) {
    if (!item.present) {
      fields.Fail(item.path, "must be an object, got null");
      return;
    }
    (void)MapCase(fields, item, out);
  });
  return fields.status();
}

bool LooksLikeSalesforceCase(const JsonValue& record) {
  if (HasKeys(record, {"CaseNumber"})) return true;
  const absl::TimeZone utc = absl::UTCTimeZone();
  JsonFields fields(utc);
  if (fields.String(fields.Object(record, "attributes"), "type") == "Case") {
    return true;
  }
  const JsonValue result = fields.Object(record, "result");
  const JsonValue direct = fields.Array(record, "records");
  const JsonValue& records =
      direct.present ? direct : fields.Array(result, "records");
  if (!fields.ok() || !records.present) return false;
  bool first = true, looks = false;
  fields.ForEachItem(records, [&](const JsonValue& item) {
    if (std::exchange(first, false)) {
      looks =
          HasKeys(item, {"CaseNumber"}) ||
          fields.String(fields.Object(item, "attributes"), "type") == "Case";
    }
  });
  return looks;
}

}  // namespace motive::ingest
