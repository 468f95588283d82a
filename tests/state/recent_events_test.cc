#include "state/recent_events.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"

namespace motive::state {
namespace {

using google::protobuf::util::MessageDifferencer;

// 2025-06-01T00:00:00Z.
constexpr int64_t kNow = int64_t{1748736000} * 1000 * 1000;

v1::Event Event(const std::string& id, int64_t time_us) {
  v1::Event event;
  event.set_event_id(id);
  event.set_customer_id("c1");
  *event.mutable_occurred_at() = model::FromUnixMicros(time_us);
  event.set_type("contact");
  event.set_channel(v1::CHAT);
  event.set_topic("billing");
  event.set_sentiment(-0.5);
  (*event.mutable_attributes())["plan"].set_string_value("gold");
  return event;
}

int64_t TimeOf(const v1::Event& event) {
  return model::ToUnixMicros(event.occurred_at());
}

void Note(RecentEvents& recent, const v1::Event& event, uint32_t keep = 3) {
  recent.Note(event, "", TimeOf(event), keep);
}

std::vector<v1::Event> Described(const RecentEvents& recent,
                                 const std::string& customer_id = "c1") {
  google::protobuf::RepeatedPtrField<v1::Event> out;
  recent.Describe(customer_id, &out);
  return {out.begin(), out.end()};
}

std::vector<std::string> Ids(const RecentEvents& recent) {
  std::vector<std::string> ids;
  for (const v1::Event& event : Described(recent)) {
    ids.push_back(event.event_id());
  }
  return ids;
}

TEST(RecentEventsTest, KeepsTheNewestInEventTimeOrder) {
  RecentEvents recent;
  EXPECT_TRUE(Ids(recent).empty());
  EXPECT_EQ(recent.bytes(), 0u);
  Note(recent, Event("b", kNow - 20));
  Note(recent, Event("d", kNow - 10));
  Note(recent, Event("a", kNow - 30));  // late, still among the newest 3
  EXPECT_THAT(Ids(recent), testing::ElementsAre("a", "b", "d"));
  Note(recent, Event("c", kNow - 20));  // a tie goes after the earlier one
  EXPECT_THAT(Ids(recent), testing::ElementsAre("b", "c", "d"));
  Note(recent, Event("old", kNow - 40));  // older than all kept: not kept
  EXPECT_THAT(Ids(recent), testing::ElementsAre("b", "c", "d"));
  Note(recent, Event("e", kNow));
  EXPECT_THAT(Ids(recent), testing::ElementsAre("c", "d", "e"));
}

TEST(RecentEventsTest, GivesTheEventsBackAsTheyWereWithoutKeepingTheKnown) {
  const v1::Event event = Event("e1", kNow - 1);
  RecentEvents recent;
  Note(recent, event);
  const std::vector<v1::Event> back = Described(recent);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(back[0], event))
      << back[0].DebugString();
  // Header, time, a two-byte varint of length and bits, and the event
  // without its customer id and time.
  v1::Event rest = event;
  rest.clear_customer_id();
  rest.clear_occurred_at();
  ASSERT_GE(rest.ByteSizeLong() << 2, 128u);
  ASSERT_LT(rest.ByteSizeLong() << 2, 16384u);
  EXPECT_EQ(recent.bytes(), 4 + 8 + 2 + rest.ByteSizeLong());

  // The log's copy gives the same block.
  RecentEvents from_body;
  from_body.Note(event, event.SerializeAsString(), TimeOf(event), 3);
  EXPECT_EQ(from_body.block(), recent.block());
}

TEST(RecentEventsTest, KeepsWhatTheStateCannotGiveBack) {
  // Nanoseconds that are not whole microseconds, and no customer id.
  v1::Event event = Event("e1", kNow);
  event.mutable_occurred_at()->set_nanos(1500);
  event.clear_customer_id();
  RecentEvents recent;
  Note(recent, event);
  const std::vector<v1::Event> back = Described(recent, "c9");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(back[0], event))
      << back[0].DebugString();
}

TEST(RecentEventsTest, GivesBackFieldsThatComeAgainOutOfOrder) {
  // Two messages one after the other parse as one: customer_id and
  // occurred_at come again after later fields, the last customer_id wins
  // and occurred_at merges.
  v1::Event again;
  again.set_customer_id("c2");
  again.mutable_occurred_at()->set_nanos(7000);
  const std::string body =
      Event("e1", kNow).SerializeAsString() + again.SerializeAsString();
  v1::Event event;
  ASSERT_TRUE(event.ParseFromString(body));
  ASSERT_EQ(TimeOf(event), kNow + 7);
  RecentEvents recent;
  recent.Note(event, body, TimeOf(event), 3);
  const std::vector<v1::Event> back = Described(recent, "c2");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_TRUE(MessageDifferencer::Equals(back[0], event))
      << back[0].DebugString();
}

TEST(RecentEventsTest, CopiesAndRestoresItsBlock) {
  RecentEvents recent;
  for (int i = 0; i < 3; ++i) Note(recent, Event(std::to_string(i), kNow - i));
  const RecentEvents copy = recent;
  EXPECT_EQ(copy.block(), recent.block());
  EXPECT_NE(copy.block().data(), recent.block().data());

  const std::string block(recent.block());
  RecentEvents restored;
  ASSERT_TRUE(restored.Restore(block, 3, kNow));
  EXPECT_THAT(Ids(restored), testing::ElementsAre("2", "1", "0"));
  EXPECT_TRUE(restored.Restore("", 3, kNow));
  EXPECT_TRUE(Ids(restored).empty());

  EXPECT_FALSE(restored.Restore(block, 2, kNow));      // more than kept
  EXPECT_FALSE(restored.Restore(block, 3, kNow - 1));  // newer than newest
  EXPECT_FALSE(restored.Restore(block.substr(0, block.size() - 1), 3, kNow));
  std::string longer = block;
  longer[0] = static_cast<char>(longer[0] + 1);  // the size says one more
  longer.push_back('\0');
  EXPECT_FALSE(restored.Restore(longer, 3, kNow));
  EXPECT_TRUE(Ids(restored).empty());
}

}  // namespace
}  // namespace motive::state
