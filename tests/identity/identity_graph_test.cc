#include "identity/identity_graph.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "model/event_id.h"

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

TEST(IdentityGraphTest, ASplitInTheObservationKeepsItsOtherMerges) {
  IdentityGraph g(Rules(/*max_profiles=*/2));
  g.Observe("c0", 1, {Phone("+1"), Phone("+5")});
  g.Observe("c5", 2, {Phone("+1")});
  ASSERT_EQ(g.ProfileOf("c5"), "c0");
  // +1 is now on three customers: shared, so c5 splits off; +5 still ties
  // c3 to c0, and that merge must be reported, not folded into the split.
  Change c = g.Observe("c3", 3, {Phone("+1"), Phone("+5")});
  EXPECT_THAT(c.shared, ElementsAre(Phone("+1")));
  ASSERT_THAT(c.splits, SizeIs(1));
  EXPECT_EQ(c.splits[0].from, "c0");
  EXPECT_THAT(c.splits[0].into, ElementsAre("c0", "c5"));
  ASSERT_THAT(c.merges, SizeIs(1));
  EXPECT_EQ(c.merges[0].from, "c3");
  EXPECT_EQ(c.merges[0].into, "c0");
  EXPECT_EQ(c.merges[0].by, Phone("+5"));
  EXPECT_EQ(g.ProfileOf("c3"), "c0");
  EXPECT_EQ(g.ProfileOf("c5"), "c5");
}

// Everything the graph answers about `anchors` and `ids`, as text.
std::string AnswersOf(const IdentityGraph& g,
                      const std::vector<std::string>& anchors,
                      const std::vector<Identifier>& ids) {
  std::string out = absl::StrCat(g.anchor_count(), " anchors, ",
                                 g.identifier_count(), " identifiers\n");
  for (const std::string& anchor : anchors) {
    std::string redirect = "-";
    g.Redirect(anchor, &redirect);
    absl::StrAppend(&out, anchor, ": ", g.Knows(anchor), " ",
                    g.ProfileOf(anchor), " ", redirect, " [",
                    absl::StrJoin(g.Anchors(anchor), ","), "]");
    for (const IdentifierInfo& info : g.Identifiers(anchor)) {
      absl::StrAppend(&out, " ", info.id.ns, ":", info.id.value, "/",
                      info.id.valid, info.shared, info.unlinked, info.merges);
    }
    out += "\n";
  }
  for (const Identifier& id : ids) {
    absl::StatusOr<std::string> profile = g.Resolve(id);
    std::optional<bool> valid = g.IsValid(id);
    absl::StrAppend(&out, id.ns, ":", id.value, " -> ",
                    profile.ok() ? *profile : profile.status().ToString(),
                    valid ? (*valid ? " valid" : " invalid") : " unknown",
                    "\n");
  }
  return out;
}

std::string Describe(const Change& c) {
  std::string out;
  for (const Merge& m : c.merges) {
    absl::StrAppend(&out, "merge ", m.from, ">", m.into, " by ", m.by.ns, ":",
                    m.by.value, "; ");
  }
  for (const Change::Split& s : c.splits) {
    absl::StrAppend(&out, "split ", s.from, ">", absl::StrJoin(s.into, ","),
                    " by ", s.by.ns, ":", s.by.value, "; ");
  }
  for (const Identifier& id : c.shared) {
    absl::StrAppend(&out, "shared ", id.ns, ":", id.value, "; ");
  }
  return out;
}

std::unique_ptr<IdentityGraph> RoundTrip(const IdentityGraph& g,
                                         int max_profiles = 2) {
  absl::StatusOr<std::unique_ptr<IdentityGraph>> parsed =
      IdentityGraph::Parse(g.Serialize(), Rules(max_profiles));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *std::move(parsed) : nullptr;
}

// Random observations and instructions over a small world, so that values
// get shared, profiles merge and split, and erased slots are reused.
class World {
 public:
  explicit World(uint32_t seed) : rng_(seed) {
    for (int i = 0; i < 6; ++i) anchors_.push_back(absl::StrCat("c", i));
    for (int i = 0; i < 5; ++i) ids_.push_back(Email(absl::StrCat("e", i)));
    for (int i = 0; i < 4; ++i) ids_.push_back(Phone(absl::StrCat("+", i)));
    for (int i = 0; i < 2; ++i) {
      ids_.push_back({"device", absl::StrCat("d", i)});
    }
    ids_.push_back({"phone", "garbage", /*valid=*/false});
  }

  // Applies one random step to each graph; they must answer alike.
  std::string Step(std::vector<IdentityGraph*> graphs) {
    const uint32_t kind = rng_() % 20;
    const Identifier id = ids_[rng_() % ids_.size()];
    const std::string anchor = anchors_[rng_() % anchors_.size()];
    std::vector<Identifier> seen;
    for (int k = 1 + static_cast<int>(rng_() % 3); k > 0; --k) {
      seen.push_back(ids_[rng_() % ids_.size()]);
    }
    const bool anonymous = rng_() % 2 == 0;
    const int64_t at = static_cast<int64_t>(rng_() % 50);
    std::string out;
    for (IdentityGraph* g : graphs) {
      Change c;
      if (kind == 0) {
        c = g->Unlink(id);
      } else if (kind == 1) {
        c = g->Relink(id);
      } else if (kind == 2) {
        g->Erase(g->ProfileOf(anonymous ? IdentityGraph::DerivedAnchor(seen)
                                        : anchor));
      } else {
        c = g->Observe(anonymous ? IdentityGraph::DerivedAnchor(seen) : anchor,
                       at, seen);
        if (anonymous) derived_.push_back(IdentityGraph::DerivedAnchor(seen));
      }
      const std::string now = Describe(c);
      if (g != graphs[0]) {
        EXPECT_EQ(now, out);
      }
      out = now;
    }
    return out;
  }

  std::string Answers(const IdentityGraph& g) const {
    std::vector<std::string> anchors = anchors_;
    anchors.insert(anchors.end(), derived_.begin(), derived_.end());
    return AnswersOf(g, anchors, ids_);
  }

 private:
  std::mt19937 rng_;
  std::vector<std::string> anchors_;
  std::vector<std::string> derived_;
  std::vector<Identifier> ids_;
};

TEST(IdentityGraphSerializationTest, ARoundTripAnswersAndContinuesAlike) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    World world(seed);
    IdentityGraph g(Rules(/*max_profiles=*/2));
    for (int i = 0; i < 40; ++i) world.Step({&g});
    std::unique_ptr<IdentityGraph> parsed = RoundTrip(g);
    ASSERT_NE(parsed, nullptr);
    ASSERT_EQ(world.Answers(*parsed), world.Answers(g)) << "seed " << seed;
    // The same bytes again: nothing is lost or reordered.
    ASSERT_EQ(parsed->Serialize(), g.Serialize());
    for (int i = 0; i < 40; ++i) {
      world.Step({&g, parsed.get()});
      ASSERT_EQ(world.Answers(*parsed), world.Answers(g))
          << "seed " << seed << " step " << i;
    }
  }
}

TEST(IdentityGraphSerializationTest, AnEmptyGraphRoundTrips) {
  IdentityGraph g(Rules());
  std::unique_ptr<IdentityGraph> parsed = RoundTrip(g);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(parsed->anchor_count(), 0u);
  EXPECT_EQ(parsed->Serialize(), g.Serialize());
}

TEST(IdentityGraphSerializationTest, ErasedNodesAreNotWritten) {
  IdentityGraph g(Rules());
  g.Observe("c2", 2, {Phone("+2"), Email("b@x.com")});
  const std::string before = g.Serialize();
  g.Observe("c1", 1, {Email("a@x.com"), Phone("+1")});
  g.Erase("c1");
  EXPECT_EQ(g.Serialize(), before);
}

// Serialize's format 1 ends with this checksum (identity_graph.cc).
std::string WithChecksum(std::string body) {
  const uint64_t checksum = model::Murmur3x64_128(body, 0x6a7b1e51).low;
  for (int i = 0; i < 8; ++i)
    body.push_back(static_cast<char>(checksum >> (8 * i)));
  return body;
}

TEST(IdentityGraphSerializationTest, DamagedBytesAreRejected) {
  World world(3);
  IdentityGraph g(Rules(/*max_profiles=*/2));
  for (int i = 0; i < 60; ++i) world.Step({&g});
  const std::string bytes = g.Serialize();
  ASSERT_GT(g.identifier_count(), 5u);
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_EQ(
        IdentityGraph::Parse(bytes.substr(0, size), Rules()).status().code(),
        absl::StatusCode::kDataLoss)
        << size;
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] ^= 0x10;
    EXPECT_EQ(IdentityGraph::Parse(damaged, Rules()).status().code(),
              absl::StatusCode::kDataLoss)
        << i;
  }
  EXPECT_EQ(IdentityGraph::Parse(WithChecksum("\x02"), Rules()).status().code(),
            absl::StatusCode::kDataLoss);
  // A structure Serialize did not write, even with a right checksum, is
  // rejected or, where it still makes a graph, makes a usable one.
  const std::string body = bytes.substr(0, bytes.size() - 8);
  ASSERT_TRUE(IdentityGraph::Parse(WithChecksum(body), Rules()).ok());
  int rejected = 0;
  for (size_t i = 0; i < body.size(); ++i) {
    for (char damage : {'\x00', '\x01', '\x7f', '\x80', '\xff'}) {
      std::string damaged = body;
      damaged[i] = damage;
      auto parsed = IdentityGraph::Parse(WithChecksum(damaged), Rules());
      if (!parsed.ok()) {
        EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
        ++rejected;
        continue;
      }
      world.Answers(**parsed);
      world.Step({parsed->get()});
      (*parsed)->Serialize();
    }
    std::string shorter = body;
    shorter.erase(i, 1);
    auto parsed = IdentityGraph::Parse(WithChecksum(shorter), Rules());
    if (parsed.ok()) world.Answers(**parsed);
  }
  EXPECT_GT(rejected, 0);
}

TEST(IdentityGraphTest, ErasedSlotsAreReusedAndForgotten) {
  IdentityGraph g(Rules());
  std::string emptied;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 1000; ++i) {
      const std::string c = absl::StrCat("c", round, "-", i);
      g.Observe(c, i, {Email(absl::StrCat(c, "@x.com")), Phone("+1")});
    }
    for (int i = 0; i < 1000; ++i) g.Erase(absl::StrCat("c", round, "-", i));
    EXPECT_EQ(g.anchor_count(), 0u);
    EXPECT_EQ(g.identifier_count(), 0u);
    // Only the namespaces stay.
    if (round == 0) emptied = g.Serialize();
    EXPECT_EQ(g.Serialize(), emptied);
  }
  g.Observe("c", 1, {Email("a@x.com")});
  EXPECT_EQ(*g.Resolve(Email("a@x.com")), "c");
  EXPECT_EQ(g.Resolve(Email("c0-1@x.com")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(IdentityGraphTest, BigProfiles) {
  IdentityGraph g(Rules());
  // One customer with many identifiers.
  std::vector<Identifier> many;
  for (int i = 0; i < 5000; ++i) many.push_back(Email(absl::StrCat(i, "@x")));
  for (const Identifier& id : many) g.Observe("big", 1, {id});
  EXPECT_THAT(g.Identifiers("big"), SizeIs(5000));
  for (const Identifier& id : many) ASSERT_EQ(*g.Resolve(id), "big");
  // A chain of anonymous events, each tying two neighbouring emails: one
  // profile named by its oldest part, which an unlink splits in two.
  std::string first;
  for (int i = 0; i < 2000; ++i) {
    std::vector<Identifier> ids = {Email(absl::StrCat("n", i)),
                                   Email(absl::StrCat("n", i + 1))};
    Anonymous(g, 1000 + i, ids);
    if (i == 0) first = IdentityGraph::DerivedAnchor(ids);
  }
  EXPECT_THAT(g.Anchors(first), SizeIs(2000));
  EXPECT_EQ(*g.Resolve(Email("n1999")), first);
  Change c = g.Unlink(Email("n1000"));
  ASSERT_THAT(c.splits, SizeIs(1));
  EXPECT_THAT(c.splits[0].into, SizeIs(2));
  EXPECT_EQ(*g.Resolve(Email("n999")), first);
  EXPECT_NE(*g.Resolve(Email("n1999")), first);
  std::unique_ptr<IdentityGraph> parsed = RoundTrip(g, 3);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(*parsed->Resolve(Email("n1999")), *g.Resolve(Email("n1999")));
  EXPECT_THAT(parsed->Identifiers("big"), SizeIs(5000));
}

TEST(IdentityGraphTest, KeysLongerThanTheArenasBlocks) {
  IdentityGraph g(Rules());
  // The arena's blocks hold 1 MiB; these straddle and exceed them.
  std::vector<std::string> anchors;
  for (size_t size : {size_t{1000}, size_t{1} << 20, size_t{3} << 20,
                      size_t{700000}, size_t{5}}) {
    anchors.push_back(std::string(size, static_cast<char>('a' + size % 26)));
    g.Observe(anchors.back(), 1, {Email(anchors.back())});
  }
  for (const std::string& anchor : anchors) {
    EXPECT_EQ(*g.Resolve(Email(anchor)), anchor);
    EXPECT_THAT(g.Anchors(anchor), ElementsAre(anchor));
  }
  std::unique_ptr<IdentityGraph> parsed = RoundTrip(g);
  ASSERT_NE(parsed, nullptr);
  EXPECT_EQ(*parsed->Resolve(Email(anchors[2])), anchors[2]);
}

}  // namespace
}  // namespace motive::identity
