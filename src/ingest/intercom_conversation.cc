#include "ingest/intercom_conversation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/address_text.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kAttributePrefix = "intercom.";
constexpr size_t kMaxTopicBytes = 128;
// The event limit on duration_ms (model/event_validation.h).
constexpr absl::Duration kMaxDuration = absl::Hours(30 * 24);

// statistics durations (s) kept as attributes in ms.
constexpr std::pair<absl::string_view, absl::string_view> kDurations[] = {
    {"time_to_assignment", "time_to_assignment_ms"},
    {"time_to_admin_reply", "time_to_admin_reply_ms"},
    {"time_to_first_close", "time_to_first_close_ms"},
    {"time_to_last_close", "time_to_last_close_ms"},
    {"median_time_to_reply", "median_time_to_reply_ms"},
};

// A time in Unix seconds.
std::optional<absl::Time> UnixSeconds(JsonFields& fields,
                                      const JsonValue& parent,
                                      absl::string_view key,
                                      Need need = Need::kOptional) {
  const auto seconds = fields.Int(parent, key, need);
  if (!seconds) return std::nullopt;
  return absl::FromUnixSeconds(*seconds);
}

// An id that Intercom writes as a string or a number; "" for null and 0
// (unassigned).
std::string IdText(JsonFields& fields, const JsonValue& parent,
                   absl::string_view key, Need need = Need::kOptional) {
  const JsonValue value = fields.Member(parent, key, need);
  if (!value.present) return "";
  switch (value.element.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(fields.AsString(value, need));
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64: {
      const std::string text = AsWritten(value);
      return text == "0" ? "" : text;
    }
    default:
      fields.Fail(value.path,
                  absl::StrCat("must be a string or a whole number, got ",
                               JsonFields::TypeName(value.element)));
      return "";
  }
}

v1::Channel SourceChannel(absl::string_view type) {
  if (type.empty()) return v1::CHANNEL_UNSPECIFIED;
  auto is = [type](absl::string_view name) {
    return absl::EqualsIgnoreCase(type, name);
  };
  if (is("conversation") || is("chat") || is("whatsapp")) return v1::CHAT;
  if (is("email")) return v1::EMAIL;
  if (is("push")) return v1::MOBILE_APP;
  if (is("facebook") || is("twitter") || is("instagram")) return v1::SOCIAL;
  if (is("phone_call") || is("call")) return v1::VOICE;
  if (is("sms")) return v1::SMS;
  return v1::OTHER;
}

void MapContacts(JsonFields& fields, const JsonValue& conversation,
                 v1::Event* event) {
  auto add = [&](const JsonValue& contact) {
    AddIdentifier("intercom_contact", IdText(fields, contact, "id"), event);
    AddIdentifier("intercom_external", IdText(fields, contact, "external_id"),
                  event);
  };
  const JsonValue contacts = fields.Member(conversation, "contacts");
  if (contacts.present && contacts.element.is_array()) {
    fields.ForEachItem(contacts, add);  // the older API's list
  } else {
    const JsonValue list = fields.Object(conversation, "contacts");
    fields.ForEachItem(fields.Array(list, "contacts"), add);
  }
}

// The source (the conversation's first message): channel, and the customer
// when a customer wrote it.
void MapSource(JsonFields& fields, const JsonValue& source, v1::Event* event,
               AttributeWriter& attributes) {
  const absl::string_view type = fields.String(source, "type");
  event->set_channel(SourceChannel(type));
  if (!type.empty()) attributes.String("source_type", type);
  const absl::string_view delivered = fields.String(source, "delivered_as");
  if (!delivered.empty()) attributes.String("delivered_as", delivered);
  const JsonValue author = fields.Object(source, "author");
  const absl::string_view author_type = fields.String(author, "type");
  if (!author_type.empty()) attributes.String("author_type", author_type);
  if (absl::EqualsIgnoreCase(author_type, "user") ||
      absl::EqualsIgnoreCase(author_type, "lead") ||
      absl::EqualsIgnoreCase(author_type, "contact")) {
    AddIdentifier("email", fields.String(author, "email"), event);
    AddIdentifier("intercom_contact", IdText(fields, author, "id"), event);
  }
}

void MapStatistics(JsonFields& fields, const JsonValue& conversation,
                   absl::Time created, bool closed, v1::Event* event,
                   AttributeWriter& attributes) {
  const JsonValue statistics = fields.Object(conversation, "statistics");
  for (const auto& [source, key] : kDurations) {
    if (const auto d = fields.Duration(statistics, source, absl::Seconds(1))) {
      attributes.Number(key, absl::ToDoubleMilliseconds(*d));
    }
  }
  const JsonValue last_close = fields.Member(statistics, "last_close_at");
  if (const auto closed_at = UnixSeconds(fields, statistics, "last_close_at")) {
    if (*closed_at < created) {
      fields.Fail(last_close.path, "must not be before created_at");
      return;
    }
    const absl::Duration open = *closed_at - created;
    attributes.Number("open_ms", absl::ToDoubleMilliseconds(open));
    if (closed && open <= kMaxDuration) {
      event->set_duration_ms(absl::ToInt64Milliseconds(open));
    }
  }
  if (const auto reopens = fields.Int(statistics, "count_reopens")) {
    attributes.Number("count_reopens", *reopens);
  }
  if (const auto assignments = fields.Int(statistics, "count_assignments")) {
    attributes.Number("count_assignments", *assignments);
    if (*assignments > 1) {
      event->set_transfers(
          static_cast<int32_t>(std::min<int64_t>(*assignments - 1, 100)));
    }
  }
  auto parts = fields.Int(statistics, "count_conversation_parts");
  if (!parts) {
    const JsonValue list = fields.Object(conversation, "conversation_parts");
    parts = fields.Int(list, "total_count");
  }
  if (parts) attributes.Number("count_conversation_parts", *parts);
}

void MapRating(JsonFields& fields, const JsonValue& conversation,
               v1::Event* event, AttributeWriter& attributes) {
  const JsonValue rating = fields.Object(conversation, "conversation_rating");
  const JsonValue score = fields.Member(rating, "rating");
  if (const auto value = fields.Int(rating, "rating")) {
    if (*value < 1 || *value > 5) {
      fields.Fail(score.path, absl::StrCat("must be 1 to 5, got ", *value));
      return;
    }
    event->set_csat(static_cast<int32_t>(*value));
  }
  const absl::string_view remark = fields.String(rating, "remark");
  if (!remark.empty()) attributes.String("rating_remark", remark);
}

void MapTags(JsonFields& fields, const JsonValue& conversation,
             AttributeWriter& attributes) {
  std::string names;
  const JsonValue tags = fields.Object(conversation, "tags");
  fields.ForEachItem(fields.Array(tags, "tags"), [&](const JsonValue& tag) {
    const absl::string_view name = fields.String(tag, "name");
    if (name.empty()) return;
    if (!names.empty()) names += ", ";
    names.append(name.data(), name.size());
  });
  if (!names.empty()) attributes.String("tags", names);
}

void MapCustomAttributes(JsonFields& fields, const JsonValue& conversation,
                         AttributeWriter& attributes) {
  CopyScalarMembers(fields, fields.Object(conversation, "custom_attributes"),
                    kAttributePrefix, attributes);
}

absl::Status MapConversation(JsonFields& fields, const JsonValue& conversation,
                             absl::string_view topic_name,
                             std::vector<v1::Event>* out) {
  const std::string id = IdText(fields, conversation, "id", Need::kRequired);
  const auto created =
      UnixSeconds(fields, conversation, "created_at", Need::kRequired);
  const absl::string_view updated_key =
      fields.Member(conversation, "updated_at").present ? "updated_at"
                                                        : "created_at";
  const JsonValue updated_value = fields.Member(conversation, updated_key);
  const auto updated = UnixSeconds(fields, conversation, updated_key);
  if (!fields.ok()) return fields.status();
  if (id.empty()) {
    fields.Fail(conversation.path.Key("id"), "must not be 0");
    return fields.status();
  }

  v1::Event& event = out->emplace_back();
  event.set_event_id(BoundedId(absl::StrCat("intercom:conversation:", id, "@",
                                            AsWritten(updated_value))));
  event.set_interaction_id(
      BoundedId(absl::StrCat("intercom:conversation:", id)));
  SetTimestamp(*updated, event.mutable_updated_at());
  SetTimestamp(*created, event.mutable_occurred_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  MapContacts(fields, conversation, &event);

  AttributeWriter attributes(&event);
  const JsonValue source = fields.Object(conversation, "source");
  MapSource(fields, source, &event, attributes);
  const absl::string_view state = fields.String(conversation, "state");
  const bool closed = absl::EqualsIgnoreCase(state, "closed");
  if (closed) event.set_outcome(v1::RESOLVED);
  if (!state.empty()) attributes.String("state", state);
  const absl::string_view priority = fields.String(conversation, "priority");
  if (!priority.empty()) attributes.String("priority", priority);
  event.set_agent_id(IdText(fields, conversation, "admin_assignee_id"));
  event.set_queue(IdText(fields, conversation, "team_assignee_id"));
  absl::string_view topic = fields.String(conversation, "title");
  if (topic.empty()) topic = fields.String(source, "subject");
  event.set_topic(std::string(TruncateUtf8(topic, kMaxTopicBytes)));
  MapRating(fields, conversation, &event, attributes);
  MapStatistics(fields, conversation, *created, closed, &event, attributes);
  MapTags(fields, conversation, attributes);
  if (!topic_name.empty()) attributes.String("webhook_topic", topic_name);
  MapCustomAttributes(fields, conversation, attributes);
  attributes.Finish();
  return fields.status();
}

bool IsNotification(JsonFields& fields, const JsonValue& record) {
  return fields.String(record, "type") == "notification_event";
}

}  // namespace

absl::Status MapIntercomConversation(const JsonValue& record,
                                     const MapContext& context,
                                     std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  if (!IsNotification(fields, record)) {
    return MapConversation(fields, record, "", out);
  }
  const absl::string_view topic = fields.String(record, "topic");
  // A workspace's webhook delivers every topic it subscribed to: contacts,
  // admins, pings. Only a conversation's describe a contact.
  if (fields.ok() && !topic.empty() &&
      !absl::StartsWith(topic, "conversation.")) {
    return absl::OkStatus();  // skipped
  }
  const JsonValue data = fields.Object(record, "data", Need::kRequired);
  const JsonValue item = fields.Object(data, "item", Need::kRequired);
  if (!fields.ok()) return fields.status();
  return MapConversation(fields, item, topic, out);
}

bool LooksLikeIntercomConversation(const JsonValue& record) {
  if (HasKeys(record, {"conversation_parts"}) ||
      HasKeys(record, {"type", "source", "contacts"})) {
    return true;
  }
  const absl::TimeZone utc = absl::UTCTimeZone();
  JsonFields fields(utc);
  return IsNotification(fields, record) &&
         absl::StartsWith(fields.String(record, "topic"), "conversation.");
}

}  // namespace motive::ingest
