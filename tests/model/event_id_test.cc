#include "model/event_id.h"

#include "gtest/gtest.h"

namespace motive::model {
namespace {

// Published MurmurHash3_x64_128 test vectors (seed 0), low word first.
TEST(Murmur3Test, MatchesReferenceVectors) {
  Hash128 empty = Murmur3x64_128("", 0);
  EXPECT_EQ(empty.low, 0u);
  EXPECT_EQ(empty.high, 0u);
  Hash128 fox = Murmur3x64_128("The quick brown fox jumps over the lazy dog", 0);
  EXPECT_EQ(fox.low, 0xe34bbc7bbc071b6cULL);
  EXPECT_EQ(fox.high, 0x7a433ca9c49a9347ULL);
}

v1::Event SampleEvent() {
  v1::Event event;
  event.set_customer_id("c1");
  event.set_type("contact");
  event.mutable_occurred_at()->set_seconds(1740823200);
  event.set_channel(v1::VOICE);
  (*event.mutable_attributes())["b"].set_string_value("2");
  (*event.mutable_attributes())["a"].set_number_value(1);
  return event;
}

// The id is the idempotency key of events sent without one: if it changed
// between versions, re-sent events would be stored twice. Pin it.
TEST(ContentEventIdTest, IsPinned) {
  EXPECT_EQ(ContentEventId(SampleEvent()), "h-89fe41c9a8d1837afafad8539d405478");
}

TEST(ContentEventIdTest, IgnoresRecordedAtAndEventId) {
  v1::Event a = SampleEvent();
  v1::Event b = SampleEvent();
  b.mutable_recorded_at()->set_seconds(1800000000);
  b.set_event_id("given");
  EXPECT_EQ(ContentEventId(a), ContentEventId(b));
}

TEST(ContentEventIdTest, DependsOnContent) {
  v1::Event a = SampleEvent();
  v1::Event b = SampleEvent();
  b.mutable_occurred_at()->set_nanos(1000);
  EXPECT_NE(ContentEventId(a), ContentEventId(b));
  v1::Event c = SampleEvent();
  (*c.mutable_attributes())["a"].set_number_value(2);
  EXPECT_NE(ContentEventId(a), ContentEventId(c));
}

TEST(ContentEventIdTest, HasTheDocumentedShape) {
  std::string id = ContentEventId(SampleEvent());
  ASSERT_EQ(id.size(), 34u);
  EXPECT_EQ(id.substr(0, 2), "h-");
  for (char c : id.substr(2)) EXPECT_TRUE(isxdigit(c) && !isupper(c)) << id;
}

}  // namespace
}  // namespace motive::model
