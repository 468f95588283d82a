#include "ingest/contact_lens.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "ingest/connect_common.h"
#include "ingest/event_fields.h"
#include "ingest/time_text.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

// Contact Lens scores sentiment from -5 to 5.
constexpr double kScoreScale = 5;
constexpr size_t kMaxTopicBytes = 128;

// What Connect's file name for an analysis tells:
// "<dir>/<ContactId>_analysis_[redacted_]<time>.json".
struct NameFacts {
  absl::string_view contact_id;
  absl::string_view time;
};

// Nothing unless the name is that shape, its time included: another file
// that happens to hold "_analysis_" names no contact.
NameFacts FromSourceName(absl::string_view name, const absl::TimeZone& zone) {
  name = name.substr(name.find_last_of('/') + 1);
  const size_t at = name.find("_analysis_");
  if (at == absl::string_view::npos || at == 0) return {};
  absl::string_view time = name.substr(at + sizeof("_analysis_") - 1);
  absl::ConsumePrefix(&time, "redacted_");
  absl::ConsumeSuffix(&time, ".json");
  absl::Time parsed;
  if (!ParseSourceTime(time, zone, &parsed)) return {};
  return {name.substr(0, at), time};
}

// `text` from character `begin` to character `end` (code points), or "".
absl::string_view CharSlice(absl::string_view text, int64_t begin,
                            int64_t end) {
  if (begin < 0 || end < begin) return {};
  size_t from = absl::string_view::npos;
  int64_t character = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() &&
        (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) {
      continue;  // inside a character
    }
    if (character == begin) from = i;
    if (character == end) return text.substr(from, i - from);
    ++character;
  }
  return {};
}

// The detected texts of one kind (issues, outcomes, action items).
struct TextList {
  absl::string_view source_key;  // "IssuesDetected", ...
  absl::string_view attribute;
  std::string joined;
  std::string first;
  void Add(absl::string_view text) {
    if (text.empty()) return;
    if (first.empty()) first = std::string(text);
    if (!joined.empty()) joined += " | ";
    absl::StrAppend(&joined, text);
  }
};

// The text an item points at: its Text, or `content` between its
// CharacterOffsets (all of it without offsets).
absl::string_view PointedText(JsonFields& fields, const JsonValue& item,
                              absl::string_view content) {
  const absl::string_view text = fields.String(item, "Text");
  if (!text.empty()) return text;
  const JsonValue offsets = fields.Object(item, "CharacterOffsets");
  if (!offsets.present) return content;
  const auto begin = fields.Int(offsets, "BeginOffsetChar", Need::kRequired);
  const auto end = fields.Int(offsets, "EndOffsetChar", Need::kRequired);
  if (!begin || !end) return {};
  return CharSlice(content, *begin, *end);
}

struct TranscriptFacts {
  std::optional<absl::Time> first_time;
  absl::flat_hash_map<absl::string_view, absl::string_view> content_by_id;
};

// Voice turns carry their detected texts inline; chat turns are looked up
// by id from the contact summary (ChatSummaryTexts).
TranscriptFacts ReadTranscript(JsonFields& fields, const JsonValue& record,
                               TextList* lists, size_t list_count) {
  TranscriptFacts facts;
  fields.ForEachItem(
      fields.Array(record, "Transcript"), [&](const JsonValue& turn) {
        const absl::string_view content = fields.String(turn, "Content");
        const absl::string_view id = fields.String(turn, "Id");
        if (!id.empty()) facts.content_by_id.emplace(id, content);
        if (!facts.first_time) {
          facts.first_time = fields.Time(turn, "AbsoluteTime");
        }
        for (size_t k = 0; k < list_count; ++k) {
          fields.ForEachItem(fields.Array(turn, lists[k].source_key),
                             [&](const JsonValue& item) {
                               lists[k].Add(PointedText(fields, item, content));
                             });
        }
      });
  return facts;
}

void ChatSummaryTexts(JsonFields& fields, const JsonValue& characteristics,
                      const TranscriptFacts& transcript, TextList* lists,
                      size_t list_count) {
  const JsonValue summary = fields.Object(characteristics, "ContactSummary");
  fields.ForEachItem(
      fields.Array(summary, "SummaryItemsDetected"),
      [&](const JsonValue& group) {
        for (size_t k = 0; k < list_count; ++k) {
          fields.ForEachItem(
              fields.Array(group, lists[k].source_key),
              [&](const JsonValue& detected) {
                fields.ForEachItem(
                    fields.Array(detected, "TranscriptItems"),
                    [&](const JsonValue& item) {
                      auto it = transcript.content_by_id.find(
                          fields.String(item, "Id"));
                      if (it == transcript.content_by_id.end()) return;
                      lists[k].Add(PointedText(fields, item, it->second));
                    });
              });
        }
      });
}

std::optional<double> Scaled(std::optional<double> score) {
  if (!score) return std::nullopt;
  return std::clamp(*score / kScoreScale, -1.0, 1.0);
}

void MapCharacteristics(JsonFields& fields, const JsonValue& characteristics,
                        v1::Event* event, AttributeWriter& attributes) {
  const JsonValue sentiment = fields.Object(characteristics, "Sentiment");
  const JsonValue overall = fields.Object(sentiment, "OverallSentiment");
  const JsonValue by_role = fields.Object(overall, "DetailsByParticipantRole");
  const JsonValue& scores = by_role.present ? by_role : overall;
  if (const auto customer = Scaled(fields.Number(scores, "CUSTOMER"))) {
    event->set_sentiment(*customer);
  }
  if (const auto agent = Scaled(fields.Number(scores, "AGENT"))) {
    attributes.Number("agent_sentiment", *agent);
  }
  if (const auto total =
          fields.Duration(characteristics, "TotalConversationDurationMillis",
                          absl::Milliseconds(1))) {
    event->set_duration_ms(absl::ToInt64Milliseconds(*total));
  }
  if (const auto count = fields.Int(
          fields.Object(characteristics, "Interruptions"), "TotalCount")) {
    attributes.Number("interruptions", static_cast<double>(*count));
  }
  for (const auto& [source, key] :
       {std::pair<absl::string_view, absl::string_view>{"TalkTime",
                                                        "talk_time_ms"},
        {"NonTalkTime", "non_talk_time_ms"}}) {
    if (const auto millis =
            fields.Duration(fields.Object(characteristics, source),
                            "TotalTimeMillis", absl::Milliseconds(1))) {
      attributes.Number(key, absl::ToDoubleMilliseconds(*millis));
    }
  }
}

void MapCategories(JsonFields& fields, const JsonValue& record,
                   AttributeWriter& attributes) {
  std::string joined;
  fields.ForEachItem(
      fields.Array(fields.Object(record, "Categories"), "MatchedCategories"),
      [&](const JsonValue& item) {
        const absl::string_view name = fields.AsString(item);
        if (name.empty()) return;
        absl::StrAppend(&joined, joined.empty() ? "" : ", ", name);
        attributes.Bool(absl::StrCat("category.", name), true);
      });
  if (!joined.empty()) attributes.String("categories", joined);
}

}  // namespace

absl::Status MapContactLens(const JsonValue& record, const MapContext& context,
                            std::vector<v1::Event>* out) {
  JsonFields fields(context.options.timezone);
  const NameFacts name =
      FromSourceName(context.options.source_name, context.options.timezone);
  const JsonValue metadata = fields.Object(record, "CustomerMetadata");
  absl::string_view contact_id = fields.String(metadata, "ContactId");
  if (contact_id.empty()) contact_id = fields.String(record, "ContactId");
  if (contact_id.empty()) contact_id = name.contact_id;
  const JsonValue status = fields.Member(record, "JobStatus");
  if (status.present && fields.AsString(status) != "COMPLETED") {
    fields.Fail(status.path, "must be COMPLETED: the analysis has no results");
  }
  TextList lists[] = {{"IssuesDetected", "issues", {}, {}},
                      {"OutcomesDetected", "outcomes", {}, {}},
                      {"ActionItemsDetected", "action_items", {}, {}}};
  const TranscriptFacts transcript =
      ReadTranscript(fields, record, lists, std::size(lists));
  if (contact_id.empty()) {
    fields.Fail(metadata.path.Key("ContactId"),
                "required, but missing, and no source name "
                "<ContactId>_analysis_<time>.json names the contact");
  }
  absl::Time time;
  if (!ParseSourceTime(name.time, context.options.timezone, &time)) {
    if (transcript.first_time) {
      time = *transcript.first_time;
    } else {
      fields.Fail(FieldPath(),
                  "no time: a call analysis has none of its own; give its "
                  "file name (<ContactId>_analysis_<time>.json) as the "
                  "source name");
    }
  }
  if (!fields.ok()) return fields.status();

  v1::Event& event = out->emplace_back();
  event.set_event_id(
      BoundedId(absl::StrCat("connect:", contact_id, ":contact-lens")));
  event.set_interaction_id(ConnectInteractionId(contact_id));
  event.set_enrichment(true);
  SetTimestamp(time, event.mutable_occurred_at());
  SetTimestamp(time, event.mutable_updated_at());
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_channel(ConnectChannel(fields.String(record, "Channel")));

  AttributeWriter attributes(&event);
  const JsonValue characteristics =
      fields.Object(record, "ConversationCharacteristics");
  MapCharacteristics(fields, characteristics, &event, attributes);
  ChatSummaryTexts(fields, characteristics, transcript, lists,
                   std::size(lists));
  if (!lists[0].first.empty()) {
    event.set_topic(std::string(TruncateUtf8(lists[0].first, kMaxTopicBytes)));
  }
  for (const TextList& list : lists) {
    if (!list.joined.empty()) attributes.String(list.attribute, list.joined);
  }
  MapCategories(fields, record, attributes);
  const absl::string_view language = fields.String(record, "LanguageCode");
  if (!language.empty()) attributes.String("language", language);
  attributes.Finish();
  return fields.status();
}

bool LooksLikeContactLens(const JsonValue& record) {
  return HasKeys(record, {"ConversationCharacteristics"}) &&
         (HasKeys(record, {"Version"}) || HasKeys(record, {"JobStatus"}));
}

}  // namespace motive::ingest
