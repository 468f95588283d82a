#include "state/state_store.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "tests/testing/summary_testing.h"

namespace motive::state {
namespace {

constexpr int64_t kDay = int64_t{86400} * 1000 * 1000;
constexpr int64_t kNow = int64_t{1748736000} * 1000 * 1000;

v1::Event ContactOf(const std::string& customer, int64_t time_us,
                    const std::string& topic = "billing") {
  v1::Event event;
  event.set_customer_id(customer);
  event.set_type("contact");
  event.set_channel(v1::VOICE);
  event.set_topic(topic);
  *event.mutable_occurred_at() = model::FromUnixMicros(time_us);
  model::JourneyMap::Default().Infer(&event);
  return event;
}

v1::Event FeedbackOf(const std::string& customer, int64_t time_us,
                     const std::string& action, const std::string& outcome) {
  v1::Event event;
  event.set_customer_id(customer);
  event.set_type(std::string(kFeedbackEventType));
  event.set_channel(v1::CHAT);
  auto& attributes = *event.mutable_attributes();
  attributes["decision_id"].set_string_value("d-" + customer);
  attributes["action"].set_string_value(action);
  attributes["outcome"].set_string_value(outcome);
  *event.mutable_occurred_at() = model::FromUnixMicros(time_us);
  model::JourneyMap::Default().Infer(&event);
  return event;
}

TEST(StateStoreTest, CustomersAreKeptApart) {
  StateStore store{StateConfig{}};
  store.Apply(ContactOf("a", kNow - kDay));
  store.Apply(ContactOf("a", kNow - 2 * kDay));
  store.Apply(ContactOf("b", kNow - 3 * kDay, "delivery"));
  Summary a, b;
  EXPECT_EQ(store.Summarize("a", kNow, &a), StateStore::Found::kAnswered);
  EXPECT_EQ(store.Summarize("b", kNow, &b), StateStore::Found::kAnswered);
  EXPECT_EQ(a.contacts[0].total, 2u);
  EXPECT_EQ(b.contacts[0].total, 1u);
  EXPECT_STREQ(a.last_contact.topic, "billing");
  EXPECT_STREQ(b.last_contact.topic, "delivery");

  const StoreStats stats = store.Stats();
  EXPECT_EQ(stats.customers, 2u);
  EXPECT_EQ(stats.held_events, 3u);
  EXPECT_GT(stats.state_bytes, 2 * sizeof(CustomerState));
  EXPECT_EQ(stats.strings, 3u);  // "", billing, delivery
}

TEST(StateStoreTest, UnknownCustomerAndPastAsOf) {
  StateStore store{StateConfig{}};
  store.Apply(ContactOf("a", kNow - kDay));
  Summary s;
  s.known = 7;
  EXPECT_EQ(store.Summarize("z", kNow, &s), StateStore::Found::kUnknown);
  EXPECT_EQ(s.known, 0);
  EXPECT_EQ(store.Summarize("a", kNow - 2 * kDay, &s),
            StateStore::Found::kNeedsReplay);
  v1::Context context;
  EXPECT_EQ(store.Describe("a", kNow - 2 * kDay, &context),
            StateStore::Found::kNeedsReplay);
  EXPECT_EQ(store.Describe("z", kNow, &context), StateStore::Found::kUnknown);
  EXPECT_EQ(context.customer_id(), "z");
  EXPECT_FALSE(context.known());
}

TEST(StateStoreTest, ForEachVisitsEveryCustomerAndInsertRestores) {
  StateStore store{StateConfig{}};
  for (int i = 0; i < 300; ++i) {
    store.Apply(ContactOf("c" + std::to_string(i), kNow - kDay));
  }
  // States name strings by id: the copy's table must hold the same ids, as
  // a snapshot restores them.
  StateStore copy{StateConfig{}};
  for (uint32_t id = 1; id < store.strings().size(); ++id) {
    ASSERT_EQ(copy.strings().Intern(store.strings().Get(id)), id);
  }
  int visited = 0;
  store.ForEach([&](const std::string& id, const CustomerState& state) {
    ++visited;
    copy.Insert(id, state);
  });
  EXPECT_EQ(visited, 300);
  for (int i = 0; i < 300; i += 37) {
    const std::string id = "c" + std::to_string(i);
    Summary a, b;
    store.Summarize(id, kNow, &a);
    copy.Summarize(id, kNow, &b);
    motive::testing::ExpectSameSummary(a, b, id);
  }
}

TEST(StateStoreTest, VisitAnswersIsUnknownOrNeedsReplay) {
  StateStore store{StateConfig{}};
  store.Apply(ContactOf("a", kNow - kDay));
  store.Apply(FeedbackOf("a", kNow - kDay, "upgrade", "offered"));

  int calls = 0;
  EXPECT_EQ(store.Visit("a", kNow,
                        [&](const CustomerState& state) {
                          ++calls;
                          EXPECT_EQ(state.newest_us(), kNow - kDay);
                          EXPECT_EQ(state.responses().size(), 1u);
                        }),
            StateStore::Found::kAnswered);
  // As of the newest event exactly: still live.
  EXPECT_EQ(
      store.Visit("a", kNow - kDay, [&](const CustomerState&) { ++calls; }),
      StateStore::Found::kAnswered);
  EXPECT_EQ(store.Visit("z", kNow,
                        [&](const CustomerState& state) {
                          ++calls;
                          EXPECT_EQ(state.newest_us(), 0);
                          EXPECT_TRUE(state.responses().empty());
                        }),
            StateStore::Found::kUnknown);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(
      store.Visit("a", kNow - kDay - 1, [&](const CustomerState&) { ++calls; }),
      StateStore::Found::kNeedsReplay);
  EXPECT_EQ(calls, 3);
}

TEST(StateStoreTest, LearnsPerActionAcrossCustomers) {
  StateStore store{StateConfig{}};
  store.Apply(FeedbackOf("a", kNow - 3 * kDay, "upgrade", "offered"));
  store.Apply(FeedbackOf("a", kNow - 3 * kDay, "upgrade", "accepted"));
  store.Apply(FeedbackOf("b", kNow - 2 * kDay, "upgrade", "offered"));
  store.Apply(FeedbackOf("b", kNow - 2 * kDay, "upgrade", "rejected"));
  store.Apply(FeedbackOf("c", kNow - kDay, "apology", "offered"));
  store.Apply(FeedbackOf("c", kNow - kDay, "apology", "ignored"));
  store.Apply(FeedbackOf("c", kNow, "upgrade", "converted"));
  // Malformed, and not feedback: taught nothing.
  store.Apply(FeedbackOf("c", kNow, "upgrade", "perhaps"));
  store.Apply(ContactOf("c", kNow));

  const uint32_t upgrade = store.strings().Intern("upgrade");
  const uint32_t apology = store.strings().Intern("apology");
  const uint32_t never = store.strings().Intern("never-offered");
  ActionStats expected;
  expected.offered = 2;
  expected.accepted = 1;
  expected.rejected = 1;
  expected.converted = 1;
  EXPECT_EQ(store.Learned(upgrade), expected);
  EXPECT_EQ(store.Learned(never), ActionStats{});

  const std::vector<uint32_t> ids = {apology, never, upgrade};
  ActionStats batch[3];
  store.Learned(ids, batch);
  EXPECT_EQ(batch[0].offered, 1u);
  EXPECT_EQ(batch[0].ignored, 1u);
  EXPECT_EQ(batch[0].accepted, 0u);
  EXPECT_EQ(batch[1], ActionStats{});
  EXPECT_EQ(batch[2], expected);

  // By id, for snapshots.
  const auto all = store.AllLearned();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].first, std::min(upgrade, apology));
  EXPECT_EQ(all[1].first, std::max(upgrade, apology));

  const StoreStats stats = store.Stats();
  EXPECT_EQ(stats.customers, 3u);
  EXPECT_EQ(stats.responses, 7u);
}

TEST(StateStoreTest, LearningCountsResponsesItsCustomerNoLongerKeeps) {
  StateStore store{StateConfig{}};
  store.Apply(ContactOf("a", kNow));
  // Past the response horizon when it arrives: not kept, still learned.
  store.Apply(
      FeedbackOf("a", kNow - kResponseHorizonUs - kDay, "upgrade", "accepted"));
  EXPECT_EQ(store.Stats().responses, 0u);
  EXPECT_EQ(store.Learned(store.strings().Intern("upgrade")).accepted, 1u);
}

// More customers than one group (kShards), over many shards, with unknown
// and repeated ids, one asked before its newest event, and windows that
// reach the held events or not: each answer is Summarize's.
TEST(StateStoreTest, SummarizeManyAnswersAsSummarizeEach) {
  StateStore store{StateConfig{}};
  std::vector<std::string> ids;
  for (int i = 0; i < 150; ++i) {
    const std::string id = "c" + std::to_string(i);
    ids.push_back(id);
    for (int k = 0; k <= i % 4; ++k) {
      store.Apply(ContactOf(id, kNow - (1 + k * 40 + i % 7) * kDay));
    }
  }
  ids.push_back("nobody");
  ids.push_back("c3");
  store.Apply(ContactOf("late", kNow + kDay));
  ids.push_back("late");
  std::vector<absl::string_view> asked(ids.begin(), ids.end());
  std::vector<Summary> many(ids.size());
  std::vector<StateStore::Found> found(ids.size());
  store.SummarizeMany(asked, kNow, many.data(), found.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    Summary one;
    ASSERT_EQ(found[i], store.Summarize(ids[i], kNow, &one)) << ids[i];
    if (found[i] != StateStore::Found::kNeedsReplay) {
      testing::ExpectSameSummary(many[i], one, ids[i]);
    }
  }
  EXPECT_EQ(found[150], StateStore::Found::kUnknown);
  EXPECT_EQ(found[152], StateStore::Found::kNeedsReplay);
}

}  // namespace
}  // namespace motive::state
