// Contact policy at its edges: caps and cool-offs at their window
// boundaries, service actions exempt, quiet hours across midnight in the
// customer's time zone.

#include "decide/policy.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "base/text_proto.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::decide {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kSecondUs = 1000 * 1000;
constexpr int64_t kDayUs = 86400 * kSecondUs;
constexpr int64_t kNowUs = int64_t{1750000000} * kSecondUs;  // 2025-06-15

class PolicyTest : public ::testing::Test {
 protected:
  ContactPolicy Compile(const std::string& text) {
    v1::ContactPolicy proto;
    EXPECT_TRUE(base::ParseTextProto(text, "policy", &proto).ok()) << text;
    absl::StatusOr<ContactPolicy> policy =
        ContactPolicy::Compile(proto, strings_);
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? *std::move(policy) : ContactPolicy();
  }
  std::string Error(const std::string& text) {
    v1::ContactPolicy proto;
    EXPECT_TRUE(base::ParseTextProto(text, "policy", &proto).ok()) << text;
    absl::StatusOr<ContactPolicy> policy =
        ContactPolicy::Compile(proto, strings_);
    EXPECT_FALSE(policy.ok()) << text;
    return std::string(policy.status().message());
  }

  PolicyAction Action(const std::string& id, const std::string& group,
                      bool service = false) {
    return {strings_.Intern(id), strings_.Intern(group), service};
  }

  // A response `age_us` before now.
  state::Response At(int64_t age_us, const std::string& action,
                     const std::string& group, v1::FeedbackOutcome outcome,
                     uint64_t decision, v1::Channel channel = v1::VOICE) {
    state::Response r{};
    r.time_us = kNowUs - age_us;
    r.decision = decision;
    r.action = strings_.Intern(action);
    r.group = strings_.Intern(group);
    r.channel = static_cast<uint8_t>(channel);
    r.outcome = static_cast<uint8_t>(outcome);
    return r;
  }

  Verdict Check(const ContactPolicy& policy, const PolicyAction& action,
                std::vector<state::Response> responses,
                v1::Channel channel = v1::VOICE,
                std::vector<uint32_t> service = {}) {
    std::sort(responses.begin(), responses.end(),
              [](const state::Response& a, const state::Response& b) {
                return a.time_us < b.time_us;
              });
    return policy.Check(action, channel, responses, service, kNowUs);
  }

  state::Interner strings_;
};

TEST_F(PolicyTest, NoPolicyAllowsEverything) {
  const ContactPolicy policy = Compile("");
  EXPECT_TRUE(Check(policy, Action("upgrade", "upsell"),
                    {At(kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
                     At(kDayUs, "upgrade", "upsell", v1::REJECTED, 2)})
                  .allowed());
  EXPECT_FALSE(policy.has_quiet_hours());
  EXPECT_EQ(policy.max_results(), 3u);
}

TEST_F(PolicyTest, GroupCapCountsOffersInsideTheWindowOnly) {
  const ContactPolicy policy =
      Compile(R"pb(caps { group: "retention" max: 1 window: "30d" })pb");
  const PolicyAction offer = Action("discount", "retention");
  // Exactly 30 days old: out of the window.
  EXPECT_TRUE(
      Check(policy, offer,
            {At(30 * kDayUs, "loyalty_bonus", "retention", v1::OFFERED, 1)})
          .allowed());
  // One microsecond younger: in it, and another action of the group counts.
  const Verdict capped = Check(
      policy, offer,
      {At(30 * kDayUs - 1, "loyalty_bonus", "retention", v1::OFFERED, 1)});
  EXPECT_EQ(capped.stage, "cap");
  EXPECT_THAT(capped.detail,
              HasSubstr("at most 1 offer of group retention in 30d"));
  // Another group does not count; nor does a response after now.
  EXPECT_TRUE(Check(policy, offer,
                    {At(kDayUs, "upgrade", "upsell", v1::OFFERED, 1),
                     At(-kDayUs, "discount", "retention", v1::OFFERED, 2)})
                  .allowed());
}

TEST_F(PolicyTest, AnOfferIsADecisionAndActionWhateverItsOutcomes) {
  const ContactPolicy policy =
      Compile(R"pb(caps { action: "upgrade" max: 2 window: "7d" })pb");
  const PolicyAction upgrade = Action("upgrade", "upsell");
  // Offered, then accepted and converted, in one decision: one offer.
  EXPECT_TRUE(Check(policy, upgrade,
                    {At(3 * kDayUs, "upgrade", "upsell", v1::OFFERED, 7),
                     At(3 * kDayUs - 10, "upgrade", "upsell", v1::ACCEPTED, 7),
                     At(2 * kDayUs, "upgrade", "upsell", v1::CONVERTED, 7)})
                  .allowed());
  // A second decision makes two.
  EXPECT_EQ(Check(policy, upgrade,
                  {At(3 * kDayUs, "upgrade", "upsell", v1::OFFERED, 7),
                   At(3 * kDayUs - 10, "upgrade", "upsell", v1::ACCEPTED, 7),
                   At(kDayUs, "upgrade", "upsell", v1::REJECTED, 8)})
                .stage,
            "cap");
}

TEST_F(PolicyTest, TheLargestCapCountsEveryOffer) {
  const ContactPolicy policy = Compile(R"pb(caps { max: 64 window: "30d" })pb");
  std::vector<state::Response> offers;
  for (int i = 0; i < 63; ++i) {
    offers.push_back(At(kDayUs + i, "tip", "", v1::OFFERED, i));
    // Feedback on the same offer does not count again.
    offers.push_back(At(kDayUs + i, "tip", "", v1::IGNORED, i));
  }
  EXPECT_TRUE(Check(policy, Action("tip", ""), offers).allowed());
  offers.push_back(At(kDayUs, "tip", "", v1::OFFERED, 1000));
  EXPECT_EQ(Check(policy, Action("tip", ""), offers).stage, "cap");
}

TEST_F(PolicyTest, ServiceActionsAreExemptAndDoNotCount) {
  const ContactPolicy policy = Compile(R"pb(caps { max: 1 window: "30d" })pb");
  const PolicyAction apology = Action("apology", "service_recovery", true);
  const PolicyAction upgrade = Action("upgrade", "upsell");
  const std::vector<uint32_t> service = {apology.action};
  // A marketing offer caps marketing, never a service action.
  EXPECT_EQ(
      Check(policy, upgrade, {At(kDayUs, "bundle", "upsell", v1::OFFERED, 1)},
            v1::VOICE, service)
          .stage,
      "cap");
  EXPECT_TRUE(Check(policy, apology,
                    {At(kDayUs, "bundle", "upsell", v1::OFFERED, 1),
                     At(kDayUs, "apology", "service_recovery", v1::OFFERED, 2)},
                    v1::VOICE, service)
                  .allowed());
  // Service offers leave marketing's count alone.
  EXPECT_TRUE(Check(policy, upgrade,
                    {At(kDayUs, "apology", "service_recovery", v1::OFFERED, 2)},
                    v1::VOICE, service)
                  .allowed());
}

TEST_F(PolicyTest, ChannelCapsCountThatChannelOnly) {
  const ContactPolicy policy =
      Compile(R"pb(caps { channel: SMS max: 1 window: "1d" })pb");
  const PolicyAction tip = Action("tip", "education");
  const std::vector<state::Response> sms = {
      At(kDayUs / 2, "other", "", v1::OFFERED, 1, v1::SMS)};
  EXPECT_EQ(Check(policy, tip, sms, v1::SMS).stage, "cap");
  EXPECT_TRUE(Check(policy, tip, sms, v1::VOICE).allowed());
  EXPECT_TRUE(Check(policy, tip,
                    {At(kDayUs / 2, "other", "", v1::OFFERED, 1, v1::EMAIL)},
                    v1::SMS)
                  .allowed());
}

TEST_F(PolicyTest, CoolOffAfterTwoRejectionsWithinThirtyDaysForSixty) {
  const ContactPolicy policy = Compile(
      R"pb(cool_offs { rejections: 2 within: "30d" suppress_for: "60d" })pb");
  const PolicyAction upgrade = Action("upgrade", "upsell");
  // Two rejections 10 days apart, the last 59 days ago: suppressed.
  const Verdict suppressed =
      Check(policy, upgrade,
            {At(69 * kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
             At(59 * kDayUs, "upgrade", "upsell", v1::REJECTED, 2)});
  EXPECT_EQ(suppressed.stage, "cool_off");
  EXPECT_THAT(suppressed.detail, HasSubstr("2 rejections of the action within "
                                           "30d suppress it for 60d"));
  // The last exactly 60 days ago: over.
  EXPECT_TRUE(Check(policy, upgrade,
                    {At(70 * kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
                     At(60 * kDayUs, "upgrade", "upsell", v1::REJECTED, 2)})
                  .allowed());
  // Exactly 30 days apart: not within 30 days; a microsecond less is.
  EXPECT_TRUE(Check(policy, upgrade,
                    {At(40 * kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
                     At(10 * kDayUs, "upgrade", "upsell", v1::REJECTED, 2)})
                  .allowed());
  EXPECT_EQ(Check(policy, upgrade,
                  {At(40 * kDayUs - 1, "upgrade", "upsell", v1::REJECTED, 1),
                   At(10 * kDayUs, "upgrade", "upsell", v1::REJECTED, 2)})
                .stage,
            "cool_off");
  // One rejection, acceptances, or another action's rejections: no.
  EXPECT_TRUE(Check(policy, upgrade,
                    {At(5 * kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
                     At(4 * kDayUs, "upgrade", "upsell", v1::ACCEPTED, 2),
                     At(3 * kDayUs, "bundle", "upsell", v1::REJECTED, 3)})
                  .allowed());
  // An older pair counts while a later lone rejection does not hide it.
  EXPECT_EQ(Check(policy, upgrade,
                  {At(50 * kDayUs, "upgrade", "upsell", v1::REJECTED, 1),
                   At(45 * kDayUs, "upgrade", "upsell", v1::REJECTED, 2),
                   At(2 * kDayUs, "upgrade", "upsell", v1::REJECTED, 3)})
                .stage,
            "cool_off");
}

TEST_F(PolicyTest, GroupCoolOffCoversTheGroupAndServiceToo) {
  const ContactPolicy policy = Compile(R"pb(cool_offs {
                                              group: "service_recovery"
                                              rejections: 1
                                              within: "1d"
                                              suppress_for: "7d"
                                            })pb");
  const PolicyAction callback = Action("callback", "service_recovery", true);
  EXPECT_EQ(
      Check(policy, callback,
            {At(3 * kDayUs, "apology", "service_recovery", v1::REJECTED, 1)})
          .stage,
      "cool_off");
  EXPECT_TRUE(
      Check(policy, Action("upgrade", "upsell"),
            {At(3 * kDayUs, "apology", "service_recovery", v1::REJECTED, 1)})
          .allowed());
}

// The local time `minutes` after midnight of 2025-06-15 in `zone`.
int64_t LocalMinute(const absl::TimeZone& zone, int minutes) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(2025, 6, 15, 0, 0) + minutes, zone));
}

TEST_F(PolicyTest, QuietHoursAcrossMidnightInTheCustomersZone) {
  const ContactPolicy policy =
      Compile(R"pb(quiet_hours {
                     start: "21:00"
                     end: "08:00"
                     time_zone_attribute: "time_zone"
                     default_time_zone: "America/New_York"
                   })pb");
  ASSERT_TRUE(policy.has_quiet_hours());
  EXPECT_EQ(policy.time_zone_attribute(), "time_zone");
  const absl::TimeZone paris = policy.ZoneFor("Europe/Paris");
  EXPECT_EQ(paris.name(), "Europe/Paris");
  const int64_t next_morning = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(2025, 6, 16, 8, 0), paris));
  EXPECT_EQ(policy.QuietUntil(LocalMinute(paris, 20 * 60 + 59), paris), 0);
  EXPECT_EQ(policy.QuietUntil(LocalMinute(paris, 21 * 60), paris),
            next_morning);
  EXPECT_EQ(policy.QuietUntil(LocalMinute(paris, 23 * 60 + 59), paris),
            next_morning);
  // After midnight the end is the same day's morning.
  EXPECT_EQ(policy.QuietUntil(LocalMinute(paris, 24 * 60 + 7 * 60 + 59), paris),
            next_morning);
  EXPECT_EQ(policy.QuietUntil(LocalMinute(paris, 24 * 60 + 8 * 60), paris), 0);
  // The same instant is quiet in Paris (22:00) and not in New York (16:00).
  const int64_t instant = LocalMinute(paris, 22 * 60);
  EXPECT_NE(policy.QuietUntil(instant, paris), 0);
  EXPECT_EQ(policy.QuietUntil(instant, policy.ZoneFor("")), 0);
  // An unknown zone name falls back to the default.
  EXPECT_EQ(policy.ZoneFor("Mars/Olympus").name(), "America/New_York");
}

TEST_F(PolicyTest, QuietHoursWithinOneDay) {
  const ContactPolicy policy =
      Compile(R"pb(quiet_hours { start: "12:00" end: "13:30" })pb");
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(policy.QuietUntil(LocalMinute(utc, 11 * 60 + 59), utc), 0);
  EXPECT_EQ(policy.QuietUntil(LocalMinute(utc, 12 * 60), utc),
            LocalMinute(utc, 13 * 60 + 30));
  EXPECT_EQ(policy.QuietUntil(LocalMinute(utc, 13 * 60 + 30), utc), 0);
  EXPECT_EQ(policy.QuietUntil(LocalMinute(utc, 23 * 60), utc), 0);
}

TEST_F(PolicyTest, QuietHoursEndOnTheDayDaylightSavingChanges) {
  // Europe/Paris moves to summer time at 02:00 on 2025-03-30: the night
  // is an hour shorter, and the end is still 08:00 local.
  const ContactPolicy policy =
      Compile(R"pb(quiet_hours { start: "22:00" end: "08:00" })pb");
  const absl::TimeZone paris = policy.ZoneFor("Europe/Paris");
  const int64_t evening = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(2025, 3, 29, 23, 0), paris));
  const int64_t morning = absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(2025, 3, 30, 8, 0), paris));
  EXPECT_EQ(policy.QuietUntil(evening, paris), morning);
  EXPECT_EQ(morning - evening, 8 * 3600 * kSecondUs);
}

TEST_F(PolicyTest, ErrorsNameTheField) {
  EXPECT_THAT(Error(R"pb(caps { max: 1 window: "30x" })pb"),
              HasSubstr("caps[0].window"));
  EXPECT_THAT(Error(R"pb(caps { max: 0 window: "30d" })pb"),
              HasSubstr("caps[0].max"));
  EXPECT_THAT(Error(R"pb(caps { max: 65 window: "30d" })pb"),
              HasSubstr("caps[0].max: must be 1 to 64"));
  EXPECT_THAT(
      Error(R"pb(caps { max: 1 window: "1d" }
                 caps { action: "a" group: "g" max: 1 window: "1d" })pb"),
      HasSubstr("caps[1]: names at most one"));
  EXPECT_THAT(
      Error(
          R"pb(cool_offs { rejections: 0 within: "1d" suppress_for: "1d" })pb"),
      HasSubstr("cool_offs[0].rejections"));
  EXPECT_THAT(Error(R"pb(cool_offs { rejections: 1 within: "1d" })pb"),
              HasSubstr("cool_offs[0].suppress_for"));
  EXPECT_THAT(Error(R"pb(quiet_hours { start: "25:00" end: "08:00" })pb"),
              HasSubstr("quiet_hours.start"));
  EXPECT_THAT(Error(R"pb(quiet_hours { start: "21:00" end: "8" })pb"),
              HasSubstr("quiet_hours.end"));
  EXPECT_THAT(Error(R"pb(quiet_hours { start: "21:00" end: "21:00" })pb"),
              HasSubstr("the same time"));
  EXPECT_THAT(Error(R"pb(quiet_hours {
                           start: "21:00"
                           end: "08:00"
                           default_time_zone: "Nowhere/City"
                         })pb"),
              HasSubstr("unknown time zone \"Nowhere/City\""));
  EXPECT_THAT(Error("max_results: 0"), HasSubstr("max_results"));
  EXPECT_THAT(Error("max_results: 51"), HasSubstr("must be 1 to 50"));
  EXPECT_EQ(Compile("max_results: 50").max_results(), 50u);
}

}  // namespace
}  // namespace motive::decide
