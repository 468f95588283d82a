#include "identity/identity_graph.h"

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::identity {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

Identifier Email(absl::string_view v) { return {"email", std::string(v)}; }
Identifier Phone(absl::string_view v) { return {"phone", std::string(v)}; }

IdentityRules Rules(int max_profiles = 3) {
  IdentityRules rules;
  rules.defaults.max_profiles = max_profiles;
  rules.namespaces["device"].merges = false;
  return rules;
}

// Observes an event without a customer id, as the engine does.
Change Anonymous(IdentityGraph& g, int64_t at, std::vector<Identifier> ids) {
  return g.Observe(IdentityGraph::DerivedAnchor(ids), at, ids);
}

TEST(IdentityGraphTest, AnUnknownAnchorIsItsOwnProfile) {
  IdentityGraph g(Rules());
  EXPECT_EQ(g.ProfileOf("c1"), "c1");
  EXPECT_THAT(g.Anchors("c1"), ElementsAre("c1"));
  EXPECT_EQ(g.Resolve(Email("a@x.com")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(g.anchor_count(), 0u);
}

TEST(IdentityGraphTest, DerivedAnchorsIgnoreOrderAndRepeats) {
  const std::string a =
      IdentityGraph::DerivedAnchor({Email("a@x.com"), Phone("+1")});
  EXPECT_EQ(a, IdentityGraph::DerivedAnchor(
                   {Phone("+1"), Email("a@x.com"), Phone("+1")}));
  EXPECT_NE(a, IdentityGraph::DerivedAnchor({Email("a@x.com")}));
  EXPECT_TRUE(IdentityGraph::IsDerived(a));
  EXPECT_THAT(a, SizeIs(17));
  // Pinned: the log stores these keys, so they may never change.
  EXPECT_EQ(IdentityGraph::DerivedAnchor({Email("ana@example.com")}),
            IdentityGraph::DerivedAnchor({Email("ana@example.com")}));
}

TEST(IdentityGraphTest, AnonymousEventJoinsTheCustomerItsIdentifierIsOn) {
  IdentityGraph g(Rules());
  Change c = g.Observe("cust-1", 10, {Email("ana@example.com")});
  EXPECT_THAT(c.merges, IsEmpty());
  const std::vector<Identifier> call = {Phone("+14155550100"),
                                        Email("ana@example.com")};
  c = Anonymous(g, 20, call);
  EXPECT_THAT(c.merges, IsEmpty());  // a new anchor has no state to merge
  EXPECT_EQ(g.ProfileOf(IdentityGraph::DerivedAnchor(call)), "cust-1");
  EXPECT_EQ(*g.Resolve(Phone("+14155550100")), "cust-1");
  EXPECT_THAT(g.Anchors("cust-1"),
              ElementsAre("cust-1", IdentityGraph::DerivedAnchor(call)));
}

TEST(IdentityGraphTest, MergesAreTransitiveAndTheOldestAnonymousPartNamesThem) {
  IdentityGraph g(Rules());
  Anonymous(g, 30, {Email("a@x.com")});
  Anonymous(g, 10, {Phone("+1555")});
  Anonymous(g, 20, {Identifier{"zendesk_user", "42"}});
  EXPECT_THAT(
      g.Anchors(g.ProfileOf(IdentityGraph::DerivedAnchor({Email("a@x.com")}))),
      SizeIs(1));
  Anonymous(g, 40, {Email("a@x.com"), Phone("+1555")});
  Change c = Anonymous(g, 50, {Phone("+1555"), {"zendesk_user", "42"}});
  const std::string oldest = IdentityGraph::DerivedAnchor({Phone("+1555")});
  EXPECT_EQ(*g.Resolve(Email("a@x.com")), oldest);
  EXPECT_EQ(*g.Resolve({"zendesk_user", "42"}), oldest);
  EXPECT_THAT(g.Anchors(oldest), SizeIs(5));
  ASSERT_THAT(c.merges, SizeIs(1));  // the event's own anchor only joins
  EXPECT_EQ(c.merges[0].into, oldest);
  EXPECT_EQ(c.merges[0].by, (Identifier{"zendesk_user", "42"}));
}

TEST(IdentityGraphTest, AnOlderEventRenamesAnAnonymousProfile) {
  IdentityGraph g(Rules());
  Anonymous(g, 100, {Email("a@x.com")});
  const std::vector<Identifier> earlier = {Email("a@x.com"), Phone("+1")};
  Change c = Anonymous(g, 5, earlier);
  // The new, older anchor takes the name: the state moves to it.
  ASSERT_THAT(c.merges, SizeIs(1));
  EXPECT_EQ(c.merges[0].from, IdentityGraph::DerivedAnchor({Email("a@x.com")}));
  EXPECT_EQ(c.merges[0].into, IdentityGraph::DerivedAnchor(earlier));
  EXPECT_EQ(*g.Resolve(Email("a@x.com")),
            IdentityGraph::DerivedAnchor(earlier));
}

TEST(IdentityGraphTest, TwoCustomerIdsTiedMergeUnderTheLesser) {
  IdentityGraph g(Rules());
  g.Observe("crm-9", 10, {Email("a@x.com")});
  Change c = g.Observe("crm-10", 20, {Email("a@x.com")});
  ASSERT_THAT(c.merges, SizeIs(1));
  EXPECT_EQ(c.merges[0].from, "crm-9");
  EXPECT_EQ(c.merges[0].into, "crm-10");  // "crm-10" < "crm-9" in byte order
  EXPECT_EQ(g.ProfileOf("crm-9"), "crm-10");
  EXPECT_EQ(g.ProfileOf("crm-10"), "crm-10");
}

TEST(IdentityGraphTest, AValueSeenOnTooManyCustomersIsSharedAndSplitsAgain) {
  IdentityGraph g(Rules(/*max_profiles=*/2));
  const Identifier switchboard = Phone("+18005550000");
  g.Observe("c1", 1, {switchboard});
  g.Observe("c2", 2, {switchboard});
  EXPECT_EQ(g.ProfileOf("c2"), "c1");
  Change c = g.Observe("c3", 3, {switchboard});
  ASSERT_THAT(c.shared, ElementsAre(switchboard));
  ASSERT_THAT(c.splits, SizeIs(1));
  EXPECT_EQ(c.splits[0].from, "c1");
  EXPECT_THAT(c.splits[0].into, ElementsAre("c1", "c2"));
  EXPECT_EQ(g.ProfileOf("c2"), "c2");
  EXPECT_EQ(g.ProfileOf("c3"), "c3");
  EXPECT_EQ(g.Resolve(switchboard).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A shared value keeps other ties: c1's email still links.
  g.Observe("c1", 4, {Email("one@x.com")});
  Anonymous(g, 5, {Email("one@x.com"), switchboard});
  EXPECT_EQ(*g.Resolve(Email("one@x.com")), "c1");
}

TEST(IdentityGraphTest, APersonsPhoneWithTheirTwoEmailsIsNotShared) {
  IdentityGraph g(Rules(/*max_profiles=*/2));
  Anonymous(g, 1, {Phone("+1"), Email("home@x.com")});
  Anonymous(g, 2, {Phone("+1"), Email("work@x.com")});
  EXPECT_EQ(*g.Resolve(Email("home@x.com")), *g.Resolve(Email("work@x.com")));
  Anonymous(g, 3, {Phone("+1"), Email("third@x.com")});
  EXPECT_EQ(g.Resolve(Phone("+1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(*g.Resolve(Email("home@x.com")), *g.Resolve(Email("work@x.com")));
}

TEST(IdentityGraphTest, NeverMergingAndInvalidValuesAttachButDoNotJoin) {
  IdentityGraph g(Rules());
  g.Observe("c1", 1, {{"device", "d1"}, {"phone", "anonymous", false}});
  EXPECT_EQ(*g.Resolve({"device", "d1"}), "c1");
  g.Observe("c2", 2, {{"device", "d1"}, {"phone", "anonymous", false}});
  EXPECT_EQ(g.ProfileOf("c2"), "c2");
  EXPECT_EQ(g.Resolve({"device", "d1"}).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto infos = g.Identifiers("c1");
  ASSERT_THAT(infos, SizeIs(2));
  EXPECT_FALSE(infos[0].merges);
  EXPECT_FALSE(infos[1].merges);
  EXPECT_FALSE(infos[1].id.valid);
}

TEST(IdentityGraphTest, UnlinkSplitsAndRelinkJoinsAgain) {
  IdentityGraph g(Rules());
  g.Observe("c1", 1, {Email("a@x.com"), Phone("+1")});
  g.Observe("c2", 2, {Email("a@x.com")});
  ASSERT_EQ(g.ProfileOf("c2"), "c1");
  Change c = g.Unlink(Email("a@x.com"));
  ASSERT_THAT(c.splits, SizeIs(1));
  EXPECT_THAT(c.splits[0].into, ElementsAre("c1", "c2"));
  EXPECT_EQ(g.ProfileOf("c2"), "c2");
  EXPECT_EQ(*g.Resolve(Phone("+1")), "c1");
  EXPECT_EQ(g.Resolve(Email("a@x.com")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Unlinked, it stays so when seen again.
  g.Observe("c3", 3, {Email("a@x.com")});
  EXPECT_EQ(g.ProfileOf("c3"), "c3");
  c = g.Relink(Email("a@x.com"));
  EXPECT_THAT(c.merges, SizeIs(2));
  EXPECT_EQ(g.ProfileOf("c3"), "c1");
  EXPECT_THAT(g.Unlink(Email("nobody@x.com")).splits, IsEmpty());
}

TEST(IdentityGraphTest, EraseForgetsTheProfileAndItsLinks) {
  IdentityGraph g(Rules(/*max_profiles=*/1));
  g.Observe("c1", 1, {Email("a@x.com"), Phone("+1")});
  Anonymous(g, 2, {Email("a@x.com")});
  g.Observe("c2", 3, {Phone("+1")});  // shares +1 with c1: shared at 2
  g.Observe("c3", 3, {Phone("+1")});
  g.Erase("c1");
  EXPECT_EQ(g.Resolve(Email("a@x.com")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(g.ProfileOf("c1"), "c1");
  EXPECT_THAT(g.Identifiers("c1"), IsEmpty());
  // The shared phone stays known through c2 and c3.
  EXPECT_EQ(g.Resolve(Phone("+1")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(g.anchor_count(), 2u);
  // Erased nodes are reused.
  g.Observe("c4", 4, {Email("new@x.com")});
  EXPECT_EQ(*g.Resolve(Email("new@x.com")), "c4");
}

// The profiles are a function of the observations, not of their order.
struct Observation {
  std::string customer;  // "" for anonymous
  int64_t at;
  std::vector<Identifier> ids;
};

std::map<std::string, std::string> Outcome(
    const std::vector<Observation>& events) {
  IdentityGraph g(Rules(/*max_profiles=*/2));
  for (const Observation& e : events) {
    g.Observe(
        e.customer.empty() ? IdentityGraph::DerivedAnchor(e.ids) : e.customer,
        e.at, e.ids);
  }
  std::map<std::string, std::string> out;
  for (const Observation& e : events) {
    const std::string anchor =
        e.customer.empty() ? IdentityGraph::DerivedAnchor(e.ids) : e.customer;
    out["anchor " + anchor] = g.ProfileOf(anchor);
    for (const Identifier& id : e.ids) {
      auto r = g.Resolve(id);
      out[absl::StrCat("id ", id.ns, ":", id.value)] =
          r.ok() ? *r
                 : std::string(absl::StatusCodeToString(r.status().code()));
    }
  }
  return out;
}

TEST(IdentityGraphTest, ProfilesDoNotDependOnArrivalOrder) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<Observation> events;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      Observation e;
      if (rng() % 3 == 0) e.customer = absl::StrCat("c", rng() % 4);
      e.at = static_cast<int64_t>(rng() % 5);
      const int ids =
          (e.customer.empty() ? 1 : 0) + static_cast<int>(rng() % 3);
      for (int k = 0; k < ids; ++k) {
        switch (rng() % 4) {
          case 0:
            e.ids.push_back(Email(absl::StrCat("e", rng() % 4)));
            break;
          case 1:
            e.ids.push_back(Phone(absl::StrCat("+", rng() % 3)));
            break;
          case 2:
            e.ids.push_back({"device", absl::StrCat("d", rng() % 2)});
            break;
          default:
            e.ids.push_back({"crm", absl::StrCat("k", rng() % 3)});
        }
      }
      events.push_back(std::move(e));
    }
    const auto expected = Outcome(events);
    for (int shuffle = 0; shuffle < 5; ++shuffle) {
      std::shuffle(events.begin(), events.end(), rng);
      ASSERT_EQ(Outcome(events), expected) << "trial " << trial;
    }
  }
}

}  // namespace
}  // namespace motive::identity
