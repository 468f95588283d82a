#include "model/event_validation.h"

#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errors.h"
#include "model/event_id.h"

namespace motive::model {

using base::FieldError;

namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMaxDurationMs = int64_t{30} * 24 * 3600 * 1000;
// 1990-01-01T00:00:00Z: nothing on a customer journey is older.
constexpr int64_t kEarliestSeconds = 631152000;
constexpr absl::Duration kClockSkew = absl::Hours(24);

// Well-formed UTF-8 without control characters (C0, DEL).
bool IsCleanUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

absl::Status CheckId(absl::string_view field, absl::string_view value,
                     bool required) {
  if (value.empty()) {
    return required ? FieldError(field, "is required") : absl::OkStatus();
  }
  if (value.size() > kMaxIdBytes) {
    return FieldError(field,
                      absl::StrCat("is ", value.size(), " bytes long, at most ",
                                   kMaxIdBytes, " are allowed"));
  }
  if (!IsCleanUtf8(value)) {
    return FieldError(field, "must be UTF-8 without control characters");
  }
  return absl::OkStatus();
}

absl::Status CheckTimestamp(absl::string_view field,
                            const google::protobuf::Timestamp& ts,
                            absl::Time latest) {
  if (ts.nanos() < 0 || ts.nanos() > 999999999) {
    return FieldError(field, "nanos must be within [0, 999999999]");
  }
  if (ts.seconds() < kEarliestSeconds) {
    return FieldError(field, "is before 1990-01-01, which no journey is");
  }
  absl::Time t =
      absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  if (t > latest) {
    return FieldError(
        field, absl::StrCat(
                   "is in the future (",
                   absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone()),
                   "), more than a day past the time of recording"));
  }
  return absl::OkStatus();
}

// absl::StrCat rounds doubles to six digits, which would show a value just
// past a bound as the bound itself; this is the shortest exact text.
template <typename T>
std::string NumberText(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    char buffer[32];
    return std::string(
        buffer, std::to_chars(buffer, buffer + sizeof buffer, value).ptr);
  } else {
    return absl::StrCat(value);
  }
}

template <typename T>
absl::Status CheckRange(absl::string_view field, T value, T low, T high) {
  if (value < low || value > high) {
    return FieldError(
        field, absl::StrCat("must be within [", NumberText(low), ", ",
                            NumberText(high), "], got ", NumberText(value)));
  }
  return absl::OkStatus();
}

// NaN would slip through CheckRange (it compares false with everything), and
// infinities deserve their own words.
absl::Status CheckNumber(absl::string_view field, double value, double low,
                         double high) {
  if (!std::isfinite(value)) {
    return FieldError(field, absl::StrCat("must be a finite number, got ",
                                          NumberText(value)));
  }
  return CheckRange(field, value, low, high);
}

// A name of motive's vocabulary (an event type, an identifier namespace):
// 1 to `max_bytes` bytes of [a-z0-9_.-].
absl::Status CheckName(absl::string_view field, absl::string_view name,
                       size_t max_bytes) {
  if (name.empty()) return FieldError(field, "is required");
  if (name.size() > max_bytes) {
    return FieldError(field,
                      absl::StrCat("is ", name.size(), " bytes long, at most ",
                                   max_bytes, " are allowed"));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) {
      return FieldError(
          field, absl::StrCat("'", name, "' may hold only a-z, 0-9, _ . -"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckType(absl::string_view type) {
  return CheckName("type", type, kMaxTypeBytes);
}

absl::Status CheckIdentifiers(const v1::Event& event) {
  if (event.identifiers_size() > kMaxIdentifiers) {
    return FieldError(
        "identifiers",
        absl::StrCat("has ", event.identifiers_size(), " entries, at most ",
                     kMaxIdentifiers, " are allowed"));
  }
  for (int i = 0; i < event.identifiers_size(); ++i) {
    const v1::Identifier& identifier = event.identifiers(i);
    const std::string path = absl::StrCat("identifiers[", i, "]");
    if (absl::Status s = CheckName(absl::StrCat(path, ".namespace"),
                                   identifier.namespace_(), kMaxNamespaceBytes);
        !s.ok()) {
      return s;
    }
    const std::string field = absl::StrCat(path, ".value");
    const std::string& value = identifier.value();
    if (absl::StripAsciiWhitespace(value).empty()) {
      return FieldError(field, value.empty() ? "is required"
                                             : "is required, not only "
                                               "whitespace");
    }
    if (value.size() > kMaxIdentifierValueBytes) {
      return FieldError(
          field, absl::StrCat("is ", value.size(), " bytes long, at most ",
                              kMaxIdentifierValueBytes, " are allowed"));
    }
    if (!IsCleanUtf8(value)) {
      return FieldError(field, "must be UTF-8 without control characters");
    }
  }
  return absl::OkStatus();
}

// The fields that tie an event to an interaction's versions and
// enrichments. `latest` bounds updated_at as it bounds occurred_at.
absl::Status CheckInteraction(const v1::Event& event, absl::Time latest) {
  if (absl::Status s = CheckId("interaction_id", event.interaction_id(), false);
      !s.ok()) {
    return s;
  }
  if (event.has_updated_at()) {
    if (absl::Status s =
            CheckTimestamp("updated_at", event.updated_at(), latest);
        !s.ok()) {
      return s;
    }
  }
  if (event.enrichment() && event.interaction_id().empty()) {
    return FieldError("enrichment", "needs an interaction_id");
  }
  return absl::OkStatus();
}

absl::Status CheckAttributes(const v1::Event& event) {
  if (event.attributes_size() > kMaxAttributes) {
    return FieldError(
        "attributes",
        absl::StrCat("has ", event.attributes_size(), " entries, at most ",
                     kMaxAttributes, " are allowed"));
  }
  for (const auto& [key, value] : event.attributes()) {
    std::string field = absl::StrCat("attributes.", key);
    if (key.empty() || key.size() > kMaxAttributeKeyBytes) {
      // The key itself may be what is too long: quote only its start.
      return FieldError(
          "attributes",
          absl::StrCat(
              "key '", key.substr(0, kMaxAttributeKeyBytes),
              key.size() > kMaxAttributeKeyBytes ? "...' is " : "' is ",
              key.size(), " bytes long; keys must be 1 to ",
              kMaxAttributeKeyBytes, " bytes long"));
    }
    if (!IsCleanUtf8(key)) {
      return FieldError("attributes",
                        "keys must be UTF-8 without control characters");
    }
    switch (value.kind_case()) {
      case google::protobuf::Value::kStringValue:
        if (value.string_value().size() > kMaxAttributeStringBytes) {
          return FieldError(
              field, absl::StrCat("is ", value.string_value().size(),
                                  " bytes long, at most ",
                                  kMaxAttributeStringBytes, " are allowed"));
        }
        break;
      case google::protobuf::Value::kNumberValue:
        if (absl::Status s =
                CheckNumber(field, value.number_value(), -kMaxAttributeNumber,
                            kMaxAttributeNumber);
            !s.ok()) {
          return s;
        }
        break;
      case google::protobuf::Value::kBoolValue:
        break;
      default:
        return FieldError(field, "must be a string, a number or a bool");
    }
  }
  return absl::OkStatus();
}

// Who and what: the ids, the identifiers and the type.
absl::Status CheckWho(const v1::Event& event) {
  if (absl::Status s = CheckId("event_id", event.event_id(), false); !s.ok()) {
    return s;
  }
  // An event without a customer_id joins the profile its identifiers
  // resolve to (src/identity), or an enrichment the profile of the
  // interaction it enriches.
  if (event.customer_id().empty() && event.identifiers_size() == 0 &&
      !(event.enrichment() && !event.interaction_id().empty())) {
    return FieldError("customer_id",
                      "required unless the event has identifiers or enriches "
                      "an interaction");
  }
  if (absl::Status s = CheckId("customer_id", event.customer_id(), false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckIdentifiers(event); !s.ok()) return s;
  return CheckType(event.type());
}

// When: recorded_at bounds occurred_at and updated_at, and `now` bounds
// recorded_at, or stands for it when the event has none.
absl::Status CheckTimes(const v1::Event& event, absl::Time now) {
  absl::Time recorded = now;
  if (event.has_recorded_at()) {
    if (absl::Status s = CheckTimestamp("recorded_at", event.recorded_at(),
                                        now + kClockSkew);
        !s.ok()) {
      return s;
    }
    recorded = absl::FromUnixMicros(ToUnixMicros(event.recorded_at()));
  }
  if (!event.has_occurred_at()) return FieldError("occurred_at", "is required");
  if (absl::Status s = CheckTimestamp("occurred_at", event.occurred_at(),
                                      recorded + kClockSkew);
      !s.ok()) {
    return s;
  }
  return CheckInteraction(event, recorded + kClockSkew);
}

absl::Status CheckEnums(const v1::Event& event) {
  if (!v1::Channel_IsValid(event.channel())) {
    return FieldError("channel",
                      absl::StrCat("unknown value ", event.channel()));
  }
  if (!v1::Moment_IsValid(event.moment())) {
    return FieldError("moment", absl::StrCat("unknown value ", event.moment()));
  }
  if (!v1::Stage_IsValid(event.stage())) {
    return FieldError("stage", absl::StrCat("unknown value ", event.stage()));
  }
  if (!v1::Outcome_IsValid(event.outcome())) {
    return FieldError("outcome",
                      absl::StrCat("unknown value ", event.outcome()));
  }
  return absl::OkStatus();
}

// Contact details.
absl::Status CheckContact(const v1::Event& event) {
  if (absl::Status s = CheckId("topic", event.topic(), false); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckId("agent_id", event.agent_id(), false); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckId("queue", event.queue(), false); !s.ok()) {
    return s;
  }
  if (event.has_sentiment()) {
    if (absl::Status s = CheckNumber("sentiment", event.sentiment(), -1.0, 1.0);
        !s.ok()) {
      return s;
    }
  }
  if (event.has_duration_ms()) {
    if (absl::Status s = CheckRange<int64_t>("duration_ms", event.duration_ms(),
                                             0, kMaxDurationMs);
        !s.ok()) {
      return s;
    }
  }
  if (event.has_hold_ms()) {
    if (absl::Status s =
            CheckRange<int64_t>("hold_ms", event.hold_ms(), 0, kMaxDurationMs);
        !s.ok()) {
      return s;
    }
    if (event.has_duration_ms() && event.hold_ms() > event.duration_ms()) {
      return FieldError("hold_ms", absl::StrCat("(", event.hold_ms(),
                                                ") exceeds duration_ms (",
                                                event.duration_ms(), ")"));
    }
  }
  if (event.has_transfers()) {
    return CheckRange("transfers", event.transfers(), 0, kMaxTransfers);
  }
  return absl::OkStatus();
}

// Commerce and surveys.
absl::Status CheckCommerce(const v1::Event& event) {
  if (event.has_value()) {
    if (absl::Status s =
            CheckNumber("value", event.value(), -kMaxValue, kMaxValue);
        !s.ok()) {
      return s;
    }
  }
  if (!event.currency().empty()) {
    const std::string& c = event.currency();
    if (c.size() != 3 || !absl::ascii_isupper(c[0]) ||
        !absl::ascii_isupper(c[1]) || !absl::ascii_isupper(c[2])) {
      return FieldError("currency", absl::StrCat("'", c,
                                                 "' is not an ISO 4217 code "
                                                 "(three upper-case letters)"));
    }
  }
  if (event.has_csat()) {
    if (absl::Status s = CheckRange("csat", event.csat(), 1, 5); !s.ok()) {
      return s;
    }
  }
  if (event.has_nps()) return CheckRange("nps", event.nps(), 0, 10);
  return absl::OkStatus();
}

}  // namespace

int64_t ToUnixMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * kMicrosPerSecond + ts.nanos() / 1000;
}

google::protobuf::Timestamp FromUnixMicros(int64_t micros) {
  google::protobuf::Timestamp ts;
  int64_t seconds = micros / kMicrosPerSecond;
  int64_t rest = micros % kMicrosPerSecond;
  if (rest < 0) {
    rest += kMicrosPerSecond;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rest * 1000));
  return ts;
}

absl::Status ValidateEvent(const v1::Event& event, absl::Time now) {
  if (absl::Status s = CheckWho(event); !s.ok()) return s;
  if (absl::Status s = CheckTimes(event, now); !s.ok()) return s;
  for (auto check :
       {CheckEnums, CheckContact, CheckCommerce, CheckAttributes}) {
    if (absl::Status s = check(event); !s.ok()) return s;
  }
  size_t size = event.ByteSizeLong();
  if (size > kMaxEventBytes) {
    return FieldError("", absl::StrCat("event is ", size, " bytes, at most ",
                                       kMaxEventBytes, " are allowed"));
  }
  return absl::OkStatus();
}

absl::Status PrepareEvent(v1::Event* event, const JourneyMap& map,
                          absl::Time now) {
  absl::AsciiStrToLower(event->mutable_type());
  if (absl::Status s = ValidateEvent(*event, now); !s.ok()) return s;
  if (event->event_id().empty()) event->set_event_id(ContentEventId(*event));
  if (!event->has_recorded_at()) {
    *event->mutable_recorded_at() = FromUnixMicros(absl::ToUnixMicros(now));
  }
  map.Infer(event);
  return absl::OkStatus();
}

}  // namespace motive::model
