// Identity resolution through the engine: events known by different
// identifiers become one profile whose state, timeline and decisions equal
// those of one customer who had all the events, whatever their arrival
// order; shared values, unlink and erasure split and forget as they say.

#include <algorithm>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "tests/testing/summary_testing.h"
#include "tests/testing/temp_dir.h"

namespace motive::engine {
namespace {

using ::motive::testing::ExpectSameSummary;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr int64_t kDayUs = 86400LL * 1000000;
const absl::Time kNow = absl::FromUnixSeconds(1767225600);
const int64_t kNowUs = absl::ToUnixMicros(kNow);

EngineOptions Options() {
  EngineOptions options;
  options.clock = [] { return kNow; };
  options.identity_config_text = R"(
    default_region: "US"
    max_profiles: 2
    namespaces { name: "device" never_merges: true }
  )";
  return options;
}

std::unique_ptr<Engine> Open(const std::string& path,
                             EngineOptions options = Options()) {
  auto engine = Engine::Open(path, std::move(options));
  EXPECT_TRUE(engine.ok()) << engine.status();
  return engine.ok() ? *std::move(engine) : nullptr;
}

v1::Event Contact(int day, v1::Channel channel,
                  std::vector<std::pair<std::string, std::string>> ids,
                  std::string customer = "") {
  v1::Event e;
  e.set_customer_id(customer);
  e.set_type("contact");
  e.set_channel(channel);
  e.set_topic(absl::StrCat("topic-", day % 3));
  e.set_outcome(day % 2 ? v1::UNRESOLVED : v1::RESOLVED);
  e.set_sentiment(day % 4 == 0 ? -0.6 : 0.3);
  e.set_transfers(day % 3);
  *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - day * kDayUs);
  for (auto& [ns, value] : ids) {
    v1::Identifier* id = e.add_identifiers();
    id->set_namespace_(ns);
    id->set_value(value);
  }
  return e;
}

// Ana, known four ways, and Bob.
std::vector<v1::Event> Journey() {
  return {
      Contact(60, v1::VOICE, {{"phone", "+1 (415) 555-0100"}}),
      Contact(50, v1::CHAT, {{"email", "Ana.Silva@Example.com"}}),
      Contact(45, v1::VOICE, {{"phone", "(212) 555-0199"}}),  // Bob
      Contact(40, v1::EMAIL, {{"zendesk_user", "42"}}),
      Contact(30, v1::VOICE, {{"phone", "415.555.0100"}}),
      Contact(20, v1::WEB,
              {{"crm_contact", "003A"},
               {"email", "ana.silva@example.com"},
               {"phone", "4155550100"}}),
      Contact(10, v1::EMAIL,
              {{"zendesk_user", "42"}, {"phone", "+14155550100"}}),
      Contact(5, v1::VOICE, {{"phone", "+12125550199"}}),  // Bob
  };
}

bool IsBob(const v1::Event& e) {
  return e.identifiers(0).value().find("555-0199") != std::string::npos ||
         e.identifiers(0).value() == "+12125550199";
}

// What one customer with all of Ana's events has. The engine stays alive
// with the summary, whose strings it owns.
struct Reference {
  std::unique_ptr<Engine> engine;
  state::Summary summary;
};
Reference AnaAlone(const std::vector<v1::Event>& events, int64_t as_of) {
  auto engine = Open(":memory:");
  for (v1::Event e : events) {
    if (IsBob(e)) continue;
    e.set_customer_id("ana");
    e.clear_identifiers();
    EXPECT_TRUE(engine->Record(e).ok());
  }
  state::Summary s;
  EXPECT_TRUE(engine->Summarize("ana", as_of, &s).ok());
  return {std::move(engine), s};
}

TEST(EngineIdentityTest, OnePersonKnownFourWaysIsOneProfile) {
  auto engine = Open(":memory:");
  for (const v1::Event& e : Journey()) ASSERT_TRUE(engine->Record(e).ok());
  absl::StatusOr<std::string> ana = engine->Resolve("phone", "415-555-0100");
  ASSERT_TRUE(ana.ok()) << ana.status();
  EXPECT_EQ(*engine->Resolve("email", " ANA.SILVA@example.com"), *ana);
  EXPECT_EQ(*engine->Resolve("zendesk_user", "42"), *ana);
  EXPECT_EQ(*engine->Resolve("crm_contact", "003A"), *ana);
  absl::StatusOr<std::string> bob = engine->Resolve("phone", "+12125550199");
  ASSERT_TRUE(bob.ok());
  EXPECT_NE(*bob, *ana);

  state::Summary summary;
  ASSERT_TRUE(engine->Summarize(*ana, 0, &summary).ok());
  ExpectSameSummary(summary, AnaAlone(Journey(), kNowUs).summary);
  EXPECT_EQ(summary.events, 6u);

  auto timeline = engine->Timeline(*ana, {});
  ASSERT_TRUE(timeline.ok());
  ASSERT_THAT(*timeline, SizeIs(6));
  for (const v1::Event& e : *timeline) EXPECT_EQ(e.customer_id(), *ana);
  // Stored normalized.
  EXPECT_EQ((*timeline)[0].identifiers(0).value(), "+14155550100");

  // whois: the profile, its identifiers and why it merged.
  absl::StatusOr<v1::Profile> profile = engine->DescribeProfile(*ana);
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->customer_id(), *ana);
  EXPECT_THAT(profile->identifiers(), SizeIs(4));
  ASSERT_FALSE(profile->merges().empty());
  EXPECT_THAT(profile->merges(0).attributes().at("reason").string_value(),
              HasSubstr(" seen on event "));
}

TEST(EngineIdentityTest, ProfilesAndStatesDoNotDependOnArrivalOrder) {
  std::mt19937 rng(11);
  std::vector<v1::Event> events = Journey();
  auto first = Open(":memory:");
  for (const v1::Event& e : events) ASSERT_TRUE(first->Record(e).ok());
  const std::string ana = *first->Resolve("phone", "+14155550100");
  state::Summary expected;
  ASSERT_TRUE(first->Summarize(ana, 0, &expected).ok());
  for (int trial = 0; trial < 20; ++trial) {
    std::shuffle(events.begin(), events.end(), rng);
    auto engine = Open(":memory:");
    for (const v1::Event& e : events) ASSERT_TRUE(engine->Record(e).ok());
    ASSERT_EQ(*engine->Resolve("email", "ana.silva@example.com"), ana);
    state::Summary summary;
    ASSERT_TRUE(engine->Summarize(ana, 0, &summary).ok());
    // Sums folded in another order differ in their last bits, no more.
    ExpectSameSummary(summary, expected, absl::StrCat("trial ", trial), 1e-12);
  }
}

TEST(EngineIdentityTest, AsOfQueriesAcrossAMergeSeeTheWholeHistory) {
  auto engine = Open(":memory:");
  for (const v1::Event& e : Journey()) ASSERT_TRUE(engine->Record(e).ok());
  const std::string ana = *engine->Resolve("phone", "+14155550100");
  const int64_t as_of = kNowUs - 35 * kDayUs;
  state::Summary summary;
  ASSERT_TRUE(engine->Summarize(ana, as_of, &summary).ok());
  ExpectSameSummary(summary, AnaAlone(Journey(), as_of).summary);
  EXPECT_EQ(summary.events, 3u);
}

TEST(EngineIdentityTest, ReplayAndSnapshotGiveWhatIngestGave) {
  testing::TempDir dir;
  const std::string path = dir.File("log.db");
  std::unique_ptr<testing::KeptSummary> live;
  std::string ana;
  {
    auto engine = Open(path);
    for (const v1::Event& e : Journey()) ASSERT_TRUE(engine->Record(e).ok());
    ana = *engine->Resolve("phone", "+14155550100");
    state::Summary summary;
    ASSERT_TRUE(engine->Summarize(ana, 0, &summary).ok());
    live = std::make_unique<testing::KeptSummary>(summary);
  }
  for (bool snapshot : {false, true}) {
    {
      auto engine = Open(path);
      ASSERT_EQ(*engine->Resolve("zendesk_user", "42"), ana);
      state::Summary replayed;
      ASSERT_TRUE(engine->Summarize(ana, 0, &replayed).ok());
      ExpectSameSummary(replayed, live->get(),
                        snapshot ? "snapshot" : "replay");
      if (!snapshot) {
        ASSERT_TRUE(engine->WriteSnapshot().ok());
      } else {
        EXPECT_TRUE(engine->open_report().from_snapshot);
      }
    }
  }
  // Events after the snapshot that merge profiles the snapshot held apart.
  {
    auto engine = Open(path);
    ASSERT_TRUE(engine->WriteSnapshot().ok());
    ASSERT_TRUE(engine
                    ->Record(Contact(1, v1::CHAT,
                                     {{"phone", "+12125550199"},
                                      {"email", "ana.silva@example.com"}}))
                    .ok());
  }
  auto engine = Open(path);
  EXPECT_TRUE(engine->open_report().from_snapshot);
  EXPECT_EQ(*engine->Resolve("phone", "+12125550199"), ana);
  state::Summary merged;
  ASSERT_TRUE(engine->Summarize(ana, 0, &merged).ok());
  EXPECT_EQ(merged.events, 9u);
}

TEST(EngineIdentityTest, TwoCustomerIdsTiedByAnEmailMergeUnderTheLesser) {
  auto engine = Open(":memory:");
  ASSERT_TRUE(engine->Record(Contact(9, v1::VOICE, {}, "crm-9")).ok());
  ASSERT_TRUE(
      engine->Record(Contact(8, v1::CHAT, {{"email", "a@x.com"}}, "crm-10"))
          .ok());
  ASSERT_TRUE(
      engine->Record(Contact(7, v1::EMAIL, {{"email", "a@x.com"}}, "crm-9"))
          .ok());
  state::Summary by_old, by_new;
  ASSERT_TRUE(engine->Summarize("crm-9", 0, &by_old).ok());
  ASSERT_TRUE(engine->Summarize("crm-10", 0, &by_new).ok());
  EXPECT_EQ(by_new.events, 3u);
  ExpectSameSummary(by_old, by_new);
  auto timeline = engine->Timeline("crm-9", {});
  ASSERT_TRUE(timeline.ok());
  ASSERT_THAT(*timeline, SizeIs(3));
  EXPECT_EQ((*timeline)[0].customer_id(), "crm-10");
}

TEST(EngineIdentityTest, ASharedNumberSplitsWhatItJoined) {
  auto engine = Open(":memory:");
  const std::pair<std::string, std::string> switchboard = {"phone",
                                                           "+18005550000"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(engine
                    ->Record(Contact(10 + i, v1::VOICE, {switchboard},
                                     absl::StrCat("c", i)))
                    .ok());
  }
  // max_profiles 2: the third customer makes it shared, and c0 and c1,
  // merged by it, are apart again.
  EXPECT_EQ(engine->Resolve("phone", "+18005550000").status().code(),
            absl::StatusCode::kFailedPrecondition);
  for (int i = 0; i < 3; ++i) {
    state::Summary s;
    ASSERT_TRUE(engine->Summarize(absl::StrCat("c", i), 0, &s).ok());
    EXPECT_EQ(s.events, 1u) << i;
  }
  auto profile = engine->DescribeProfile("c1");
  ASSERT_TRUE(profile.ok());
  ASSERT_THAT(profile->identifiers(), SizeIs(1));
  EXPECT_TRUE(profile->identifiers(0).shared());
}

TEST(EngineIdentityTest, UnlinkSplitsAndRebuildsBothStates) {
  auto engine = Open(":memory:");
  ASSERT_TRUE(
      engine
          ->Record(Contact(9, v1::VOICE,
                           {{"phone", "+14155550100"}, {"email", "a@x.com"}}))
          .ok());
  ASSERT_TRUE(
      engine->Record(Contact(8, v1::CHAT, {{"email", "a@x.com"}}, "crm-1"))
          .ok());
  const std::string profile = *engine->Resolve("phone", "+14155550100");
  ASSERT_EQ(profile, "crm-1");
  ASSERT_TRUE(engine->Unlink({{"email", "a@x.com"}}).ok());
  const std::string phone = *engine->Resolve("phone", "+14155550100");
  EXPECT_NE(phone, "crm-1");
  state::Summary a, b;
  ASSERT_TRUE(engine->Summarize(phone, 0, &a).ok());
  ASSERT_TRUE(engine->Summarize("crm-1", 0, &b).ok());
  EXPECT_EQ(a.events, 1u);
  EXPECT_EQ(b.events, 1u);
  // Linked by hand again.
  ASSERT_TRUE(engine->Link("crm-1", {{"email", "a@x.com"}}).ok());
  EXPECT_EQ(*engine->Resolve("phone", "+14155550100"), "crm-1");
  ASSERT_TRUE(engine->Summarize("crm-1", 0, &b).ok());
  EXPECT_EQ(b.events, 2u);
}

TEST(EngineIdentityTest, ErasureByAnyIdentifierForgetsTheWholeProfile) {
  testing::TempDir dir;
  auto engine = Open(dir.File("log.db"));
  for (const v1::Event& e : Journey()) ASSERT_TRUE(engine->Record(e).ok());
  const std::string ana = *engine->Resolve("zendesk_user", "42");
  absl::StatusOr<uint64_t> erased = engine->EraseCustomer(ana);
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_GE(*erased, 6u);
  EXPECT_EQ(engine->Resolve("phone", "+14155550100").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(engine->Resolve("email", "ana.silva@example.com").status().code(),
            absl::StatusCode::kNotFound);
  state::Summary s;
  ASSERT_TRUE(engine->Summarize(ana, 0, &s).ok());
  EXPECT_EQ(s.known, 0);
  EXPECT_TRUE(engine->Resolve("phone", "+12125550199").ok());
  engine.reset();
  engine = Open(dir.File("log.db"));
  EXPECT_EQ(engine->Resolve("zendesk_user", "42").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(EngineIdentityTest, ReservedAndMissingIdsAreRejected) {
  auto engine = Open(":memory:");
  v1::Event e = Contact(1, v1::VOICE, {});
  absl::StatusOr<bool> r = engine->Record(e);
  EXPECT_FALSE(r.ok());
  e.set_customer_id("~abc");
  r = engine->Record(e);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("'~'"));
  // An id motive derived, given back (feedback on a decision for a
  // customer known only by identifiers), is the caller's to use.
  ASSERT_TRUE(
      engine->Record(Contact(2, v1::VOICE, {{"phone", "+14155550100"}})).ok());
  const std::string derived = *engine->Resolve("phone", "+14155550100");
  e.set_customer_id(derived);
  ASSERT_TRUE(engine->Record(e).ok());
  state::Summary s;
  ASSERT_TRUE(engine->Summarize(derived, 0, &s).ok());
  EXPECT_EQ(s.events, 2u);
}

TEST(EngineIdentityTest, ASnapshotOfOtherIdentityRulesIsNotUsed) {
  testing::TempDir dir;
  const std::string path = dir.File("log.db");
  {
    auto engine = Open(path);
    for (const v1::Event& e : Journey()) ASSERT_TRUE(engine->Record(e).ok());
    ASSERT_TRUE(engine->WriteSnapshot().ok());
  }
  EXPECT_TRUE(Open(path)->open_report().from_snapshot);
  EngineOptions other = Options();
  other.identity_config_text = "default_region: \"US\" max_profiles: 5";
  auto engine = Open(path, std::move(other));
  EXPECT_FALSE(engine->open_report().from_snapshot);
  EXPECT_THAT(engine->open_report().snapshot_note, HasSubstr("configuration"));
}

}  // namespace
}  // namespace motive::engine

namespace motive::engine {
namespace {

// A contact of Amazon Connect as its records and analyses arrive: two
// versions of the record and an analysis, in every order.
v1::Event Version(int minute, v1::Outcome outcome) {
  v1::Event e = Contact(3, v1::VOICE, {{"phone", "+14155550100"}});
  e.set_event_id(absl::StrCat("ctr-1@", minute));
  e.set_interaction_id("connect:ctr-1");
  *e.mutable_updated_at() =
      model::FromUnixMicros(kNowUs - 3 * kDayUs + minute * 60000000LL);
  e.set_outcome(outcome);
  e.clear_sentiment();
  return e;
}

v1::Event Analysis() {
  v1::Event e;
  e.set_event_id("lens-1");
  e.set_type("contact_analysis");
  e.set_interaction_id("connect:ctr-1");
  e.set_enrichment(true);
  e.set_sentiment(-0.8);
  (*e.mutable_attributes())["category"].set_string_value("billing");
  *e.mutable_occurred_at() = model::FromUnixMicros(kNowUs - 2 * kDayUs);
  return e;
}

TEST(EngineInteractionTest, TheLatestVersionWithItsEnrichmentsCountsOnce) {
  std::vector<v1::Event> events = {Version(1, v1::UNRESOLVED),
                                   Version(5, v1::RESOLVED), Analysis()};
  std::sort(events.begin(), events.end(),
            [](const v1::Event& a, const v1::Event& b) {
              return a.event_id() < b.event_id();
            });
  std::unique_ptr<testing::KeptSummary> first;
  do {
    auto engine = Open(":memory:");
    for (const v1::Event& e : events) {
      absl::StatusOr<bool> r = engine->Record(e);
      ASSERT_TRUE(r.ok()) << r.status();
    }
    const std::string customer = *engine->Resolve("phone", "+14155550100");
    state::Summary s;
    ASSERT_TRUE(engine->Summarize(customer, 0, &s).ok());
    EXPECT_EQ(s.events, 1u);
    EXPECT_EQ(s.contacts[0].total, 1u);
    EXPECT_EQ(s.last_contact.outcome, v1::RESOLVED);
    EXPECT_DOUBLE_EQ(s.sentiment_last, -0.8);
    auto timeline = engine->Timeline(customer, {});
    ASSERT_TRUE(timeline.ok());
    ASSERT_THAT(*timeline, SizeIs(1));
    EXPECT_EQ((*timeline)[0].event_id(), "ctr-1@5");
    EXPECT_EQ((*timeline)[0].attributes().at("category").string_value(),
              "billing");
    EXPECT_EQ((*timeline)[0].type(), "contact");
    if (first) ExpectSameSummary(s, first->get());
    first = std::make_unique<testing::KeptSummary>(s);
  } while (std::next_permutation(events.begin(), events.end(),
                                 [](const v1::Event& a, const v1::Event& b) {
                                   return a.event_id() < b.event_id();
                                 }));
}

TEST(EngineInteractionTest, AnEnrichmentAloneCountsForNothingUntilItsVersion) {
  testing::TempDir dir;
  const std::string path = dir.File("log.db");
  {
    auto engine = Open(path);
    ASSERT_TRUE(engine->Record(Analysis()).ok());
    EXPECT_EQ(engine->Resolve("phone", "+14155550100").status().code(),
              absl::StatusCode::kNotFound);
    ASSERT_TRUE(engine->WriteSnapshot().ok());
  }
  auto engine = Open(path);
  ASSERT_TRUE(engine->Record(Version(1, v1::UNRESOLVED)).ok());
  const std::string customer = *engine->Resolve("phone", "+14155550100");
  state::Summary summary;
  ASSERT_TRUE(engine->Summarize(customer, 0, &summary).ok());
  const testing::KeptSummary live(summary);
  EXPECT_EQ(summary.events, 1u);
  EXPECT_DOUBLE_EQ(summary.sentiment_last, -0.8);
  // Re-sent: duplicates change nothing.
  ASSERT_FALSE(*engine->Record(Version(1, v1::UNRESOLVED)));
  ASSERT_FALSE(*engine->Record(Analysis()));
  state::Summary again;
  ASSERT_TRUE(engine->Summarize(customer, 0, &again).ok());
  ExpectSameSummary(again, live.get());
  engine.reset();
  // Replayed from the snapshot's tail, and from the whole log.
  for (bool keep_snapshot : {true, false}) {
    if (!keep_snapshot) std::filesystem::remove(path + "-snapshot");
    engine = Open(path);
    state::Summary replayed;
    ASSERT_TRUE(engine->Summarize(customer, 0, &replayed).ok());
    ExpectSameSummary(replayed, live.get(), keep_snapshot ? "tail" : "whole");
    engine.reset();
  }
}

}  // namespace
}  // namespace motive::engine
