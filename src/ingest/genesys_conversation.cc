#include "ingest/genesys_conversation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/address_text.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kNoWrapUp = "ININ-WRAP-UP-TIMEOUT";
constexpr size_t kMaxTopicBytes = 128;

enum class Role { kCustomer, kAgent, kQueue, kOther };

Role RoleOf(absl::string_view purpose) {
  if (absl::EqualsIgnoreCase(purpose, "customer") ||
      absl::EqualsIgnoreCase(purpose, "external")) {
    return Role::kCustomer;
  }
  if (absl::EqualsIgnoreCase(purpose, "agent") ||
      absl::EqualsIgnoreCase(purpose, "user")) {
    return Role::kAgent;
  }
  if (absl::EqualsIgnoreCase(purpose, "acd")) return Role::kQueue;
  return Role::kOther;
}

bool IsTransfer(absl::string_view disconnect_type) {
  return absl::StartsWithIgnoreCase(disconnect_type, "transfer");
}

// Metric sums in milliseconds; absent until a metric of the name is met.
struct Metrics {
  std::optional<double> handle, talk, held, acw, alert, acd;
  bool abandoned = false;
};

// What the walk over participants, sessions and segments gathers.
struct Conversation {
  std::optional<absl::Time> latest;
  std::vector<std::pair<absl::Time, absl::Time>> holds;
  Metrics metrics;
  absl::string_view media_type, message_type, any_media_type;
  absl::string_view customer_name, disconnect_type;
  // The customer participant's id, for a customer known by nothing else.
  absl::string_view customer_participant;
  absl::string_view agent_id, queue, wrap_up_code, wrap_up_note;
  bool queued = false;
  bool last_agent_transferred = false;
  int agents = 0;
  int agent_transfers = 0;

  void See(std::optional<absl::Time> time) {
    if (time && (!latest || *time > *latest)) latest = time;
  }
};

void Add(std::optional<double>& sum, std::optional<absl::Duration> value) {
  if (value) sum = sum.value_or(0) + absl::ToDoubleMilliseconds(*value);
}

void MapMetrics(JsonFields& fields, const JsonValue& session, Role role,
                Conversation& c) {
  fields.ForEachItem(
      fields.Array(session, "metrics"), [&](const JsonValue& metric) {
        const absl::string_view name =
            fields.String(metric, "name", Need::kRequired);
        c.See(fields.Time(metric, "emitDate"));
        if (name == "tAbandon" || name == "tShortAbandon") {
          c.metrics.abandoned = true;
        }
        std::optional<double>* sum = nullptr;
        if (role == Role::kQueue && name == "tAcd") sum = &c.metrics.acd;
        if (role == Role::kAgent) {
          if (name == "tHandle") sum = &c.metrics.handle;
          if (name == "tTalk") sum = &c.metrics.talk;
          if (name == "tHeld") sum = &c.metrics.held;
          if (name == "tAcw") sum = &c.metrics.acw;
          if (name == "tAlert") sum = &c.metrics.alert;
        }
        if (sum != nullptr) {
          Add(*sum, fields.Duration(metric, "value", absl::Milliseconds(1),
                                    Need::kRequired));
        }
      });
}

// One participant's segments; true when an agent interacted in them.
bool MapSegments(JsonFields& fields, const JsonValue& session, Role role,
                 Conversation& c, absl::string_view* last_disconnect) {
  bool interacted = false;
  fields.ForEachItem(
      fields.Array(session, "segments"), [&](const JsonValue& segment) {
        const auto start =
            fields.Time(segment, "segmentStart", Need::kRequired);
        const auto end = fields.Time(segment, "segmentEnd");
        if (!fields.ok()) return;
        if (end && *end < *start) {
          fields.Fail(segment.path.Key("segmentEnd"),
                      "must not be before segmentStart");
          return;
        }
        c.See(start);
        c.See(end);
        const absl::string_view type = fields.String(segment, "segmentType");
        const absl::string_view disconnect =
            fields.String(segment, "disconnectType");
        const absl::string_view queue = fields.String(segment, "queueId");
        if (absl::EqualsIgnoreCase(type, "hold") && end) {
          c.holds.emplace_back(*start, *end);
        }
        if (!disconnect.empty()) *last_disconnect = disconnect;
        if (role == Role::kCustomer && !disconnect.empty()) {
          c.disconnect_type = disconnect;
        }
        if ((role == Role::kAgent || role == Role::kQueue) && !queue.empty()) {
          c.queue = queue;
        }
        if (role != Role::kAgent) return;
        if (absl::EqualsIgnoreCase(type, "interact")) interacted = true;
        if (IsTransfer(disconnect)) ++c.agent_transfers;
        const absl::string_view code = fields.String(segment, "wrapUpCode");
        if (!code.empty()) {
          c.wrap_up_code = code;
          c.wrap_up_note = fields.String(segment, "wrapUpNote");
        }
      });
  return interacted;
}

// The customer's addresses: the far end's, which is the ani of an inbound
// session and the dnis of an outbound one.
void MapCustomerSession(JsonFields& fields, const JsonValue& session,
                        v1::Event* event) {
  const bool outbound =
      absl::EqualsIgnoreCase(fields.String(session, "direction"), "outbound");
  AddAddress(fields.String(session, outbound ? "dnis" : "ani"), event);
  AddAddress(fields.String(session, outbound ? "addressTo" : "addressFrom"),
             event);
}

void MapParticipant(JsonFields& fields, const JsonValue& participant,
                    Conversation& c, v1::Event* event) {
  const Role role = RoleOf(fields.String(participant, "purpose"));
  if (role == Role::kCustomer) {
    AddIdentifier("genesys_external_contact",
                  fields.String(participant, "externalContactId"), event);
    if (c.customer_participant.empty()) {
      c.customer_participant = fields.String(participant, "participantId");
    }
    if (c.customer_name.empty()) {
      c.customer_name = fields.String(participant, "participantName");
    }
  }
  if (role == Role::kQueue) c.queued = true;
  bool interacted = false;
  absl::string_view last_disconnect;
  fields.ForEachItem(
      fields.Array(participant, "sessions"), [&](const JsonValue& session) {
        const absl::string_view media = fields.String(session, "mediaType");
        if (c.any_media_type.empty()) c.any_media_type = media;
        if (role == Role::kCustomer) {
          if (c.media_type.empty()) {
            c.media_type = media;
            c.message_type = fields.String(session, "messageType");
          }
          MapCustomerSession(fields, session, event);
        }
        interacted |= MapSegments(fields, session, role, c, &last_disconnect);
        MapMetrics(fields, session, role, c);
      });
  if (role == Role::kAgent && interacted) {
    ++c.agents;
    c.agent_id = fields.String(participant, "userId");
    c.last_agent_transferred = IsTransfer(last_disconnect);
  }
}

v1::Channel GenesysChannel(absl::string_view media, absl::string_view message) {
  if (media.empty()) return v1::CHANNEL_UNSPECIFIED;
  if (absl::EqualsIgnoreCase(media, "voice") ||
      absl::EqualsIgnoreCase(media, "callback")) {
    return v1::VOICE;
  }
  if (absl::EqualsIgnoreCase(media, "chat")) return v1::CHAT;
  if (absl::EqualsIgnoreCase(media, "email")) return v1::EMAIL;
  if (absl::EqualsIgnoreCase(media, "message")) {
    if (absl::EqualsIgnoreCase(message, "sms")) return v1::SMS;
    if (absl::EqualsIgnoreCase(message, "webmessaging") ||
        absl::EqualsIgnoreCase(message, "open")) {
      return v1::CHAT;
    }
    if (absl::EqualsIgnoreCase(message, "facebook") ||
        absl::EqualsIgnoreCase(message, "twitter") ||
        absl::EqualsIgnoreCase(message, "instagram")) {
      return v1::SOCIAL;
    }
  }
  return v1::OTHER;
}

// The union of the hold intervals: {total, count}.
std::pair<absl::Duration, int> MergeHolds(
    std::vector<std::pair<absl::Time, absl::Time>>& holds) {
  std::sort(holds.begin(), holds.end());
  absl::Duration total = absl::ZeroDuration();
  int count = 0;
  for (size_t i = 0; i < holds.size();) {
    absl::Time start = holds[i].first, end = holds[i].second;
    for (++i; i < holds.size() && holds[i].first <= end; ++i) {
      end = std::max(end, holds[i].second);
    }
    total += end - start;
    ++count;
  }
  return {total, count};
}

void SetMillis(AttributeWriter& attributes, absl::string_view key,
               std::optional<double> millis) {
  if (millis) attributes.Number(key, *millis);
}

void SetText(AttributeWriter& attributes, absl::string_view key,
             absl::string_view value) {
  if (!value.empty()) attributes.String(key, value);
}

// Duration, hold, transfers, outcome, topic and attributes from the walk.
void MapSummary(JsonFields& fields, const JsonValue& record, absl::Time start,
                std::optional<absl::Time> end, Conversation& c,
                v1::Event* event) {
  std::optional<absl::Duration> length;
  if (end) length = *end - start;
  if (c.metrics.handle) {
    event->set_duration_ms(static_cast<int64_t>(*c.metrics.handle));
  } else if (length) {
    event->set_duration_ms(absl::ToInt64Milliseconds(*length));
  }
  const auto [hold, holds] = MergeHolds(c.holds);
  if (holds > 0) {
    int64_t hold_ms = absl::ToInt64Milliseconds(hold);
    if (event->has_duration_ms()) {
      hold_ms = std::min(hold_ms, event->duration_ms());
    }
    event->set_hold_ms(hold_ms);
  }
  const int transfers = std::max(c.agent_transfers, c.agents - 1);
  if (transfers > 0) event->set_transfers(std::min(transfers, 100));
  if (c.metrics.abandoned || (c.queued && c.agents == 0 && end)) {
    event->set_outcome(v1::ABANDONED);
  } else if (c.last_agent_transferred) {
    event->set_outcome(v1::TRANSFERRED);
  }
  if (!c.wrap_up_code.empty() && c.wrap_up_code != kNoWrapUp) {
    event->set_topic(std::string(TruncateUtf8(c.wrap_up_code, kMaxTopicBytes)));
  }
  event->set_agent_id(std::string(c.agent_id));
  event->set_queue(std::string(c.queue));

  AttributeWriter attributes(event);
  SetText(attributes, "direction",
          fields.String(record, "originatingDirection"));
  SetText(attributes, "customer_name", c.customer_name);
  SetText(attributes, "disconnect_type", c.disconnect_type);
  SetText(attributes, "wrap_up_code", c.wrap_up_code);
  SetText(attributes, "wrap_up_note", c.wrap_up_note);
  if (holds > 0) attributes.Number("number_of_holds", holds);
  if (c.agents > 0) attributes.Number("agents", c.agents);
  SetMillis(attributes, "queue_wait_ms", c.metrics.acd);
  SetMillis(attributes, "talk_ms", c.metrics.talk);
  SetMillis(attributes, "held_ms", c.metrics.held);
  SetMillis(attributes, "acw_ms", c.metrics.acw);
  SetMillis(attributes, "alert_ms", c.metrics.alert);
  if (length) {
    attributes.Number("conversation_ms", absl::ToDoubleMilliseconds(*length));
  }
  const JsonValue divisions = fields.Array(record, "divisionIds");
  bool first = true;
  fields.ForEachItem(divisions, [&](const JsonValue& division) {
    const absl::string_view id = fields.AsString(division);
    if (std::exchange(first, false)) SetText(attributes, "division_id", id);
  });
  if (const auto mos = fields.Number(record, "mediaStatsMinConversationMos")) {
    attributes.Number("min_mos", *mos);
  }
  attributes.Finish();
}

}  // namespace

absl::Status MapGenesysConversation(const JsonValue& record,
                                    const MapContext& context,
                                    std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  const absl::string_view id =
      fields.String(record, "conversationId", Need::kRequired);
  const auto start = fields.Time(record, "conversationStart", Need::kRequired);
  const auto end = fields.Time(record, "conversationEnd");
  const JsonValue participants =
      fields.Array(record, "participants", Need::kRequired);
  if (!fields.ok()) return fields.status();
  if (end && *end < *start) {
    fields.Fail(FieldPath().Key("conversationEnd"),
                "must not be before conversationStart");
    return fields.status();
  }

  v1::Event& event = out->emplace_back();
  Conversation c;
  c.See(start);
  c.See(end);
  fields.ForEachItem(participants, [&](const JsonValue& participant) {
    MapParticipant(fields, participant, c, &event);
  });
  if (!fields.ok()) return fields.status();
  if (event.identifiers().empty() && !c.customer_participant.empty()) {
    // An anonymous visitor (a web chat's display name is no identity: two
    // Johns are not one customer) is known by this conversation only.
    AddIdentifier("genesys_participant", c.customer_participant, &event);
  }
  const absl::Time updated = *c.latest;

  event.set_event_id(BoundedId(absl::StrCat(
      "genesys:", id, "@",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", updated, absl::UTCTimeZone()))));
  event.set_interaction_id(BoundedId(absl::StrCat("genesys:", id)));
  SetTimestamp(updated, event.mutable_updated_at());
  SetTimestamp(*start, event.mutable_occurred_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_channel(GenesysChannel(
      c.media_type.empty() ? c.any_media_type : c.media_type, c.message_type));
  MapSummary(fields, record, *start, end, c, &event);
  return fields.status();
}

bool LooksLikeGenesysConversation(const JsonValue& record) {
  return HasKeys(record, {"conversationId", "participants"});
}

}  // namespace motive::ingest
