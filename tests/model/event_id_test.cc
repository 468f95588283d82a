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

v1::Identifier* AddIdentifier(v1::Event* event, const char* name,
                              const char* value) {
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(name);
  identifier->set_value(value);
  return identifier;
}

TEST(ContentEventIdTest, IsPinnedWithTheInteractionFields) {
  v1::Event event = SampleEvent();
  AddIdentifier(&event, "email", "a@example.com");
  AddIdentifier(&event, "phone", "+14155550100");
  event.set_interaction_id("connect:c-1");
  event.mutable_updated_at()->set_seconds(1740823300);
  event.set_enrichment(true);
  EXPECT_EQ(ContentEventId(event), "h-9c004ee16fdfb51647d866512b2bf5de");
}

TEST(ContentEventIdTest, DependsOnIdentifiers) {
  v1::Event a = SampleEvent();
  v1::Event b = SampleEvent();
  AddIdentifier(&b, "email", "a@example.com");
  EXPECT_NE(ContentEventId(a), ContentEventId(b));
  v1::Event c = SampleEvent();
  AddIdentifier(&c, "email", "b@example.com");
  EXPECT_NE(ContentEventId(b), ContentEventId(c));
  v1::Event d = SampleEvent();
  AddIdentifier(&d, "crm", "a@example.com");
  EXPECT_NE(ContentEventId(b), ContentEventId(d));
  // Namespace and value do not run together.
  v1::Event e = SampleEvent();
  AddIdentifier(&e, "ab", "c");
  v1::Event f = SampleEvent();
  AddIdentifier(&f, "a", "bc");
  EXPECT_NE(ContentEventId(e), ContentEventId(f));
  // The same identifier twice is not the same content as once.
  AddIdentifier(&b, "email", "a@example.com");
  EXPECT_NE(ContentEventId(b), ContentEventId(c));
  EXPECT_NE(ContentEventId(b), ContentEventId(SampleEvent()));
}

TEST(ContentEventIdTest, IdentifiersInAnotherOrderAreTheSameEvent) {
  v1::Event a = SampleEvent();
  AddIdentifier(&a, "email", "a@example.com");
  AddIdentifier(&a, "phone", "+14155550100");
  AddIdentifier(&a, "email", "alias@example.com");
  v1::Event b = SampleEvent();
  AddIdentifier(&b, "email", "alias@example.com");
  AddIdentifier(&b, "email", "a@example.com");
  AddIdentifier(&b, "phone", "+14155550100");
  EXPECT_EQ(ContentEventId(a), ContentEventId(b));
  // The event itself is left as sent.
  EXPECT_EQ(b.identifiers(0).value(), "alias@example.com");
}

TEST(ContentEventIdTest, DependsOnTheInteraction) {
  const v1::Event a = SampleEvent();
  v1::Event b = SampleEvent();
  b.set_interaction_id("connect:c-1");
  EXPECT_NE(ContentEventId(a), ContentEventId(b));
  v1::Event c = SampleEvent();
  c.set_interaction_id("connect:c-2");
  EXPECT_NE(ContentEventId(b), ContentEventId(c));
  // Two versions of one interaction are two events.
  v1::Event d = b;
  d.mutable_updated_at()->set_seconds(1740823300);
  v1::Event e = b;
  e.mutable_updated_at()->set_seconds(1740823400);
  EXPECT_NE(ContentEventId(b), ContentEventId(d));
  EXPECT_NE(ContentEventId(d), ContentEventId(e));
  // An enrichment is not the version it enriches.
  v1::Event f = b;
  f.set_enrichment(true);
  EXPECT_NE(ContentEventId(b), ContentEventId(f));
}

TEST(ContentEventIdTest, HasTheDocumentedShape) {
  std::string id = ContentEventId(SampleEvent());
  ASSERT_EQ(id.size(), 34u);
  EXPECT_EQ(id.substr(0, 2), "h-");
  for (char c : id.substr(2)) EXPECT_TRUE(isxdigit(c) && !isupper(c)) << id;
}

}  // namespace
}  // namespace motive::model
