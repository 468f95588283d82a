#include "model/journey_map.h"

#include "base/errors.h"
#include "gtest/gtest.h"

namespace motive::model {

using base::IsParseError;

namespace {

v1::Event Make(const std::string& type, v1::Channel channel) {
  v1::Event event;
  event.set_type(type);
  event.set_channel(channel);
  return event;
}

TEST(JourneyMapTest, DefaultMapCoversTheMomentsOfTruth) {
  const JourneyMap& map = JourneyMap::Default();
  ASSERT_GT(map.proto().rules_size(), 0) << "built-in map failed to parse";
  struct Case {
    std::string type;
    v1::Channel channel;
    v1::Moment moment;
    v1::Stage stage;
  };
  const Case cases[] = {
      {"word_of_mouth", v1::SOCIAL, v1::LESS_THAN_ZERO, v1::DISCOVERY},
      {"review", v1::REVIEW_SITE, v1::ZERO, v1::CONSIDERATION},
      {"web_visit", v1::WEB, v1::ZERO, v1::CONSIDERATION},
      {"purchase", v1::WEB, v1::FIRST, v1::PURCHASE},
      {"delivery", v1::OTHER, v1::SECOND, v1::EXPERIENCE},
      {"contact", v1::VOICE, v1::INTERIM, v1::EXPERIENCE},
      {"survey", v1::EMAIL, v1::THIRD, v1::LOYALTY},
      {"referral", v1::WEB, v1::THIRD, v1::ADVOCACY},
      // Unknown types fall back on the channel.
      {"callback_request", v1::CHAT, v1::INTERIM, v1::EXPERIENCE},
      {"visit", v1::STORE, v1::FIRST, v1::PURCHASE},
      // Nothing matches: left unspecified rather than guessed.
      {"mystery", v1::OTHER, v1::MOMENT_UNSPECIFIED, v1::STAGE_UNSPECIFIED},
  };
  for (const Case& c : cases) {
    v1::Event e = Make(c.type, c.channel);
    map.Infer(&e);
    EXPECT_EQ(e.moment(), c.moment) << c.type;
    EXPECT_EQ(e.stage(), c.stage) << c.type;
  }
}

TEST(JourneyMapTest, CallerValuesWin) {
  v1::Event e = Make("contact", v1::VOICE);
  e.set_stage(v1::LOYALTY);
  JourneyMap::Default().Infer(&e);
  EXPECT_EQ(e.moment(), v1::INTERIM);
  EXPECT_EQ(e.stage(), v1::LOYALTY);
}

TEST(JourneyMapTest, CustomMapFirstMatchWinsAndFillsGaps) {
  auto map = JourneyMap::FromText(R"pb(
    rules { type: "contact" channel: SOCIAL moment: ZERO }
    rules { type: "contact" moment: INTERIM stage: EXPERIENCE }
  )pb");
  ASSERT_TRUE(map.ok()) << map.status();
  v1::Event social = Make("contact", v1::SOCIAL);
  map->Infer(&social);
  EXPECT_EQ(social.moment(), v1::ZERO);
  EXPECT_EQ(social.stage(), v1::EXPERIENCE);  // from the second rule
  v1::Event voice = Make("contact", v1::VOICE);
  map->Infer(&voice);
  EXPECT_EQ(voice.moment(), v1::INTERIM);
}

TEST(JourneyMapTest, ParseErrorsGiveLineAndColumn) {
  auto map = JourneyMap::FromText("rules {\n  type: \"x\"\n  moment: NOPE }");
  ASSERT_FALSE(map.ok());
  EXPECT_TRUE(IsParseError(map.status()));
  EXPECT_NE(map.status().message().find("line 3"), absl::string_view::npos)
      << map.status();
}

TEST(JourneyMapTest, RulesAreChecked) {
  EXPECT_FALSE(JourneyMap::FromText(R"pb(rules { type: "Contact" moment: ZERO })pb").ok());
  EXPECT_FALSE(JourneyMap::FromText(R"pb(rules { type: "contact" })pb").ok());
  v1::JourneyMap proto;
  proto.add_rules()->set_moment(static_cast<v1::Moment>(77));
  EXPECT_FALSE(JourneyMap::FromProto(proto).ok());
  EXPECT_TRUE(JourneyMap::FromText("").ok());  // an empty map infers nothing
}

}  // namespace
}  // namespace motive::model
