#include "state/state_store.h"

#include <string>

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

}  // namespace
}  // namespace motive::state
