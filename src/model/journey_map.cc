#include "model/journey_map.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "base/text_proto.h"

namespace motive::model {

using base::FieldError;
using base::ParseTextProto;

namespace {

// Specific rules (type and channel) first, then types, then channels alone.
constexpr absl::string_view kDefaultJourneyMapText = R"pb(
  rules { type: "word_of_mouth" moment: LESS_THAN_ZERO stage: DISCOVERY }
  rules { type: "churn" moment: LESS_THAN_ZERO stage: LOYALTY }
  rules { type: "web_visit" moment: ZERO stage: CONSIDERATION }
  rules { type: "help_search" moment: ZERO stage: CONSIDERATION }
  rules { type: "review" moment: ZERO stage: CONSIDERATION }
  rules { type: "social_mention" moment: ZERO stage: CONSIDERATION }
  rules { type: "purchase" moment: FIRST stage: PURCHASE }
  rules { type: "signup" moment: FIRST stage: PURCHASE }
  rules { type: "delivery" moment: SECOND stage: EXPERIENCE }
  rules { type: "activation" moment: SECOND stage: EXPERIENCE }
  rules { type: "product_usage" moment: SECOND stage: EXPERIENCE }
  rules { type: "return" moment: SECOND stage: EXPERIENCE }
  rules { type: "contact" moment: INTERIM stage: EXPERIENCE }
  rules { type: "survey" moment: THIRD stage: LOYALTY }
  rules { type: "feedback" moment: THIRD stage: LOYALTY }
  rules { type: "renewal" moment: THIRD stage: LOYALTY }
  rules { type: "offer" moment: THIRD stage: LOYALTY }
  rules { type: "referral" moment: THIRD stage: ADVOCACY }
  rules { channel: VOICE moment: INTERIM stage: EXPERIENCE }
  rules { channel: CHAT moment: INTERIM stage: EXPERIENCE }
  rules { channel: EMAIL moment: INTERIM stage: EXPERIENCE }
  rules { channel: SMS moment: INTERIM stage: EXPERIENCE }
  rules { channel: WEB moment: ZERO stage: CONSIDERATION }
  rules { channel: SOCIAL moment: ZERO stage: CONSIDERATION }
  rules { channel: REVIEW_SITE moment: ZERO stage: CONSIDERATION }
  rules { channel: STORE moment: FIRST stage: PURCHASE }
  rules { channel: SURVEY moment: THIRD stage: LOYALTY }
)pb";

}  // namespace

const JourneyMap& JourneyMap::Default() {
  static const JourneyMap* const kDefault = [] {
    auto map = FromText(kDefaultJourneyMapText);
    // The built-in text is part of the code; a failure here is a bug that the
    // journey map tests catch.
    return new JourneyMap(map.ok() ? *std::move(map) : JourneyMap({}));
  }();
  return *kDefault;
}

absl::StatusOr<JourneyMap> JourneyMap::FromText(absl::string_view text) {
  v1::JourneyMap proto;
  if (absl::Status s = ParseTextProto(text, "journey_map", &proto); !s.ok()) {
    return s;
  }
  return FromProto(std::move(proto));
}

absl::StatusOr<JourneyMap> JourneyMap::FromProto(v1::JourneyMap proto) {
  for (int i = 0; i < proto.rules_size(); ++i) {
    const auto& rule = proto.rules(i);
    std::string where = absl::StrCat("journey_map.rules[", i, "]");
    if (!v1::Channel_IsValid(rule.channel()) ||
        !v1::Moment_IsValid(rule.moment()) ||
        !v1::Stage_IsValid(rule.stage())) {
      return FieldError(where, "unknown enum value");
    }
    for (char c : rule.type()) {
      if (c >= 'A' && c <= 'Z') {
        return FieldError(where, "type must be lower case, as events' types are");
      }
    }
    if (rule.moment() == v1::MOMENT_UNSPECIFIED &&
        rule.stage() == v1::STAGE_UNSPECIFIED) {
      return FieldError(where, "sets neither moment nor stage");
    }
  }
  return JourneyMap(std::move(proto));
}

void JourneyMap::Infer(v1::Event* event) const {
  for (const auto& rule : proto_.rules()) {
    if (event->moment() != v1::MOMENT_UNSPECIFIED &&
        event->stage() != v1::STAGE_UNSPECIFIED) {
      return;
    }
    if (!rule.type().empty() && rule.type() != event->type()) continue;
    if (rule.channel() != v1::CHANNEL_UNSPECIFIED &&
        rule.channel() != event->channel()) {
      continue;
    }
    if (event->moment() == v1::MOMENT_UNSPECIFIED) {
      event->set_moment(rule.moment());
    }
    if (event->stage() == v1::STAGE_UNSPECIFIED) event->set_stage(rule.stage());
  }
}

}  // namespace motive::model
