#include "model/event_validation.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::model {

using base::ErrorField;

namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1750000000);  // 2025-06-15

v1::Event ValidEvent() {
  v1::Event event;
  event.set_customer_id("c1");
  event.set_type("contact");
  event.mutable_occurred_at()->set_seconds(1749990000);
  return event;
}

// Expects `event` to be rejected for `field`, with `reason` in the message.
void ExpectRejected(const v1::Event& event, const std::string& field,
                    const std::string& reason = "") {
  absl::Status s = ValidateEvent(event, kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  EXPECT_EQ(ErrorField(s), field) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr(field));
  EXPECT_THAT(std::string(s.message()), HasSubstr(reason));
}

v1::Event WithIdentifier(v1::Event event, const std::string& name,
                         const std::string& value) {
  v1::Identifier* identifier = event.add_identifiers();
  identifier->set_namespace_(name);
  identifier->set_value(value);
  return event;
}

TEST(ValidateEventTest, MinimalEventIsValid) {
  EXPECT_TRUE(ValidateEvent(ValidEvent(), kNow).ok());
}

TEST(ValidateEventTest, RequiredFields) {
  v1::Event e = ValidEvent();
  e.clear_customer_id();
  ExpectRejected(e, "customer_id");
  e = ValidEvent();
  e.clear_type();
  ExpectRejected(e, "type");
  e = ValidEvent();
  e.clear_occurred_at();
  ExpectRejected(e, "occurred_at");
}

TEST(ValidateEventTest, CustomerIdIsOptionalWithIdentifiers) {
  v1::Event e = ValidEvent();
  e.clear_customer_id();
  ExpectRejected(
      e, "customer_id",
      "customer_id: required unless the event has identifiers or enriches "
      "an interaction");
  e = WithIdentifier(e, "email", "a@example.com");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  // Both is fine too.
  e.set_customer_id("c1");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  // An identifier that breaks a rule does not stand in for a customer_id.
  e = ValidEvent();
  e.clear_customer_id();
  e = WithIdentifier(e, "email", "");
  ExpectRejected(e, "identifiers[0].value", "is required");
}

TEST(ValidateEventTest, IdentifierCount) {
  v1::Event e = ValidEvent();
  for (int i = 0; i < kMaxIdentifiers; ++i) {
    e = WithIdentifier(e, "crm", absl::StrCat("id", i));
  }
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e = WithIdentifier(e, "crm", "one too many");  // the 17th
  ExpectRejected(e, "identifiers", "has 17 entries, at most 16 are allowed");
}

TEST(ValidateEventTest, IdentifierNamespace) {
  for (const char* good :
       {"email", "phone", "crm_contact", "zendesk.user-2", "a", "0"}) {
    EXPECT_TRUE(
        ValidateEvent(WithIdentifier(ValidEvent(), good, "v"), kNow).ok())
        << good;
  }
  const std::string at_limit(kMaxNamespaceBytes, 'n');
  EXPECT_TRUE(
      ValidateEvent(WithIdentifier(ValidEvent(), at_limit, "v"), kNow).ok());
  ExpectRejected(WithIdentifier(ValidEvent(), at_limit + "n", "v"),
                 "identifiers[0].namespace",
                 "is 33 bytes long, at most 32 are allowed");
  ExpectRejected(WithIdentifier(ValidEvent(), "", "v"),
                 "identifiers[0].namespace", "is required");
  ExpectRejected(WithIdentifier(ValidEvent(), "Email", "v"),
                 "identifiers[0].namespace", "may hold only a-z, 0-9, _ . -");
  for (const char* bad : {"EMAIL", "e mail", "e:mail", "é", "email\n", "a/b"}) {
    ExpectRejected(WithIdentifier(ValidEvent(), bad, "v"),
                   "identifiers[0].namespace");
  }
  // The error names the identifier that broke the rule.
  v1::Event e = WithIdentifier(ValidEvent(), "email", "a@b.c");
  ExpectRejected(WithIdentifier(e, "Phone", "+1"), "identifiers[1].namespace");
}

TEST(ValidateEventTest, IdentifierValue) {
  for (const char* good :
       {"a@example.com", "+14155550100", "0031", " padded ", "Zoë-東京", "x"}) {
    EXPECT_TRUE(
        ValidateEvent(WithIdentifier(ValidEvent(), "crm", good), kNow).ok())
        << good;
  }
  const std::string at_limit(kMaxIdentifierValueBytes, 'v');
  EXPECT_TRUE(
      ValidateEvent(WithIdentifier(ValidEvent(), "crm", at_limit), kNow).ok());
  ExpectRejected(WithIdentifier(ValidEvent(), "crm", at_limit + "v"),
                 "identifiers[0].value",
                 "is 257 bytes long, at most 256 are allowed");
  ExpectRejected(WithIdentifier(ValidEvent(), "crm", ""),
                 "identifiers[0].value", "is required");
  ExpectRejected(WithIdentifier(ValidEvent(), "crm", "   "),
                 "identifiers[0].value", "not only whitespace");
  for (const char* bad : {"\xc3", "\xc3\x28", "\xe0\x80\xaf", "\xed\xa0\x80",
                          "\xf4\x90\x80\x80", "a\xff"}) {
    ExpectRejected(WithIdentifier(ValidEvent(), "crm", bad),
                   "identifiers[0].value", "must be UTF-8");
  }
  for (const char* bad : {"a\tb", "line\n", "a\x7f", "\x01"}) {
    ExpectRejected(WithIdentifier(ValidEvent(), "crm", bad),
                   "identifiers[0].value", "without control characters");
  }
  ExpectRejected(WithIdentifier(ValidEvent(), "crm", std::string("a\0b", 3)),
                 "identifiers[0].value");
  v1::Event e = WithIdentifier(ValidEvent(), "email", "a@b.c");
  e = WithIdentifier(e, "phone", "+1");
  ExpectRejected(WithIdentifier(e, "crm", ""), "identifiers[2].value");
}

TEST(ValidateEventTest, InteractionId) {
  v1::Event e = ValidEvent();
  e.set_interaction_id(std::string(kMaxIdBytes, 'i'));
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_interaction_id("connect:Zoë-東京");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_interaction_id(std::string(kMaxIdBytes + 1, 'i'));
  ExpectRejected(e, "interaction_id", "at most 128 are allowed");
  for (const char* bad : {"a\tb", "\xc3\x28", "a\x7f"}) {
    e.set_interaction_id(bad);
    ExpectRejected(e, "interaction_id", "UTF-8 without control characters");
  }
}

TEST(ValidateEventTest, UpdatedAtHasTheBoundsOfOccurredAt) {
  v1::Event e = ValidEvent();
  e.mutable_updated_at()->set_seconds(631152000);  // 1990-01-01: allowed
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.mutable_updated_at()->set_seconds(631151999);
  ExpectRejected(e, "updated_at", "before 1990-01-01");
  e.mutable_updated_at()->set_seconds(absl::ToUnixSeconds(kNow) + 86400);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.mutable_updated_at()->set_seconds(absl::ToUnixSeconds(kNow) + 86401);
  ExpectRejected(e, "updated_at", "in the future");
  e.mutable_updated_at()->set_seconds(absl::ToUnixSeconds(kNow));
  e.mutable_updated_at()->set_nanos(1000000000);
  ExpectRejected(e, "updated_at", "nanos");
  // Measured from recorded_at when the caller sets it, as occurred_at is.
  e = ValidEvent();
  e.mutable_recorded_at()->set_seconds(1749990000);
  e.mutable_updated_at()->set_seconds(1749990000 + 86401);
  ExpectRejected(e, "updated_at");
  e.mutable_updated_at()->set_seconds(1749990000 + 86400);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
}

TEST(ValidateEventTest, EnrichmentNeedsAnInteraction) {
  v1::Event e = ValidEvent();
  e.set_enrichment(true);
  ExpectRejected(e, "enrichment", "enrichment: needs an interaction_id");
  e.set_interaction_id("connect:c-1");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  // A version (not an enrichment) may have one too, or none.
  e.set_enrichment(false);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.clear_interaction_id();
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
}

TEST(ValidateEventTest, IdLimits) {
  v1::Event e = ValidEvent();
  e.set_customer_id(std::string(kMaxIdBytes, 'x'));
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_customer_id(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRejected(e, "customer_id");
  e = ValidEvent();
  e.set_event_id(std::string(kMaxIdBytes + 1, 'x'));
  ExpectRejected(e, "event_id");
  e = ValidEvent();
  e.set_agent_id("tab\there");
  ExpectRejected(e, "agent_id");
}

TEST(ValidateEventTest, Utf8IsCheckedStrictly) {
  v1::Event e = ValidEvent();
  e.set_customer_id("Zoë-東京");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  for (const char* bad :
       {"\xc3", "\xc3\x28", "\xe0\x80\xaf" /* overlong */,
        "\xed\xa0\x80" /* surrogate */, "\xf4\x90\x80\x80", "a\x7f"}) {
    e.set_customer_id(bad);
    ExpectRejected(e, "customer_id");
  }
}

TEST(ValidateEventTest, TypeCharacters) {
  v1::Event e = ValidEvent();
  e.set_type("social_mention.v2-x");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_type("has space");
  ExpectRejected(e, "type");
  e.set_type(std::string(kMaxTypeBytes, 'a'));
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_type(std::string(kMaxTypeBytes + 1, 'a'));
  ExpectRejected(e, "type");
  EXPECT_THAT(ValidateEvent(e, kNow).message(),
              HasSubstr("is 65 bytes long, at most 64 are allowed"));
}

TEST(ValidateEventTest, TimeSanity) {
  v1::Event e = ValidEvent();
  e.mutable_occurred_at()->set_seconds(631152000);  // 1990-01-01: allowed
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.mutable_occurred_at()->set_seconds(631151999);
  ExpectRejected(e, "occurred_at");
  // One day of clock skew is tolerated, not more.
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(kNow) + 86400);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(kNow) + 86401);
  ExpectRejected(e, "occurred_at");
  e = ValidEvent();
  e.mutable_occurred_at()->set_nanos(-1);
  ExpectRejected(e, "occurred_at");
  // Skew is measured from recorded_at when the caller sets it (replays).
  e = ValidEvent();
  e.mutable_recorded_at()->set_seconds(1000000000);  // 2001
  ExpectRejected(e, "occurred_at");
  e.mutable_occurred_at()->set_seconds(999999000);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(kNow) + 90000);
  ExpectRejected(e, "recorded_at");
}

TEST(ValidateEventTest, UnknownEnumNumbersAreRejected) {
  v1::Event e = ValidEvent();
  e.set_channel(static_cast<v1::Channel>(99));
  ExpectRejected(e, "channel");
  e = ValidEvent();
  e.set_moment(static_cast<v1::Moment>(-1));
  ExpectRejected(e, "moment");
  e = ValidEvent();
  e.set_stage(static_cast<v1::Stage>(42));
  ExpectRejected(e, "stage");
  e = ValidEvent();
  e.set_outcome(static_cast<v1::Outcome>(7));
  ExpectRejected(e, "outcome");
}

TEST(ValidateEventTest, NumericRangesAtTheirEdges) {
  struct Case {
    const char* field;
    void (*set)(v1::Event&, double);
    double ok_low, ok_high, bad_low, bad_high;
  };
  const Case cases[] = {
      {"sentiment", [](v1::Event& e, double v) { e.set_sentiment(v); }, -1, 1,
       -1.0000001, 1.0000001},
      {"csat", [](v1::Event& e, double v) { e.set_csat(int(v)); }, 1, 5, 0, 6},
      {"nps", [](v1::Event& e, double v) { e.set_nps(int(v)); }, 0, 10, -1, 11},
      {"transfers", [](v1::Event& e, double v) { e.set_transfers(int(v)); }, 0,
       100, -1, 101},
      {"duration_ms",
       [](v1::Event& e, double v) { e.set_duration_ms(int64_t(v)); }, 0,
       30.0 * 86400 * 1000, -1, 30.0 * 86400 * 1000 + 1},
      {"value", [](v1::Event& e, double v) { e.set_value(v); }, -kMaxValue,
       kMaxValue, std::nextafter(-kMaxValue, -HUGE_VAL),
       std::nextafter(kMaxValue, HUGE_VAL)},
      {"attributes.x",
       [](v1::Event& e, double v) {
         (*e.mutable_attributes())["x"].set_number_value(v);
       },
       -kMaxAttributeNumber, kMaxAttributeNumber,
       std::nextafter(-kMaxAttributeNumber, -HUGE_VAL),
       std::nextafter(kMaxAttributeNumber, HUGE_VAL)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    for (double ok : {c.ok_low, c.ok_high}) {
      v1::Event e = ValidEvent();
      c.set(e, ok);
      EXPECT_TRUE(ValidateEvent(e, kNow).ok()) << ok;
    }
    for (double bad : {c.bad_low, c.bad_high}) {
      v1::Event e = ValidEvent();
      c.set(e, bad);
      ExpectRejected(e, c.field);
    }
  }
}

TEST(ValidateEventTest, NonFiniteNumbers) {
  v1::Event e = ValidEvent();
  e.set_sentiment(std::nan(""));
  ExpectRejected(e, "sentiment");
  e = ValidEvent();
  e.set_value(HUGE_VAL);
  ExpectRejected(e, "value");
  e = ValidEvent();
  (*e.mutable_attributes())["x"].set_number_value(-HUGE_VAL);
  ExpectRejected(e, "attributes.x");
}

// Two purchases of 1.7e308 used to make the lifetime value Infinity.
TEST(ValidateEventTest, HugeValuesAreRejectedAtIngest) {
  v1::Event e = ValidEvent();
  e.set_type("purchase");
  e.set_value(1.7e308);
  ExpectRejected(e, "value");
  EXPECT_EQ(ValidateEvent(e, kNow).message(),
            "value: must be within [-1e+12, 1e+12], got 1.7e+308");
  e.set_value(-1.7e308);
  ExpectRejected(e, "value");
  // Just past the bound, and shown so: not rounded to the bound.
  e.set_value(std::nextafter(kMaxValue, HUGE_VAL));
  EXPECT_EQ(ValidateEvent(e, kNow).message(),
            "value: must be within [-1e+12, 1e+12], got 1000000000000.0001");
  e.set_value(kMaxValue);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  // The sum the bound allows stays exact far past any real history.
  EXPECT_EQ(kMaxValue * 1e9 / 1e9, kMaxValue);
}

TEST(ValidateEventTest, HoldCannotExceedDuration) {
  v1::Event e = ValidEvent();
  e.set_duration_ms(1000);
  e.set_hold_ms(1000);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  e.set_hold_ms(1001);
  ExpectRejected(e, "hold_ms");
}

TEST(ValidateEventTest, Currency) {
  v1::Event e = ValidEvent();
  e.set_value(19.99);
  e.set_currency("EUR");
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  for (const char* bad : {"eur", "EURO", "E1R", "€"}) {
    e.set_currency(bad);
    ExpectRejected(e, "currency");
  }
}

TEST(ValidateEventTest, Attributes) {
  v1::Event e = ValidEvent();
  for (int i = 0; i < kMaxAttributes; ++i) {
    (*e.mutable_attributes())[absl::StrCat("k", i)].set_bool_value(true);
  }
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  (*e.mutable_attributes())["one_too_many"].set_bool_value(true);
  ExpectRejected(e, "attributes");

  e = ValidEvent();
  (*e.mutable_attributes())[std::string(kMaxAttributeKeyBytes, 'k')]
      .set_bool_value(true);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  (*e.mutable_attributes())[std::string(kMaxAttributeKeyBytes + 1, 'k')]
      .set_bool_value(true);
  ExpectRejected(e, "attributes");
  EXPECT_THAT(ValidateEvent(e, kNow).message(),
              HasSubstr("...' is 65 bytes long; keys must be 1 to 64 bytes"));

  e = ValidEvent();
  (*e.mutable_attributes())["note"].set_string_value(
      std::string(kMaxAttributeStringBytes, 'x'));
  EXPECT_TRUE(ValidateEvent(e, kNow).ok());
  (*e.mutable_attributes())["note"].set_string_value(
      std::string(kMaxAttributeStringBytes + 1, 'x'));
  ExpectRejected(e, "attributes.note");
  EXPECT_THAT(ValidateEvent(e, kNow).message(),
              HasSubstr("is 1025 bytes long, at most 1024 are allowed"));

  e = ValidEvent();
  (*e.mutable_attributes())["nested"].mutable_list_value();
  ExpectRejected(e, "attributes.nested");

  e = ValidEvent();
  (*e.mutable_attributes())["nothing"];  // a Value with no kind set
  ExpectRejected(e, "attributes.nothing");
}

TEST(ValidateEventTest, WholeEventAtItsSizeLimit) {
  // Attributes short enough to pass on their own, padded so that the whole
  // event is exactly kMaxEventBytes.
  v1::Event e = ValidEvent();
  int i = 0;
  const size_t piece = kMaxAttributeStringBytes / 2;
  // Stops with room for one more entry's framing and a pad of at most
  // `piece` bytes.
  while (e.ByteSizeLong() + piece + 64 < kMaxEventBytes) {
    (*e.mutable_attributes())[absl::StrCat("key", i++)].set_string_value(
        std::string(piece, 'x'));
  }
  std::string& pad = *(*e.mutable_attributes())["pad"].mutable_string_value();
  while (e.ByteSizeLong() < kMaxEventBytes) pad.push_back('x');
  ASSERT_EQ(e.ByteSizeLong(), kMaxEventBytes);
  EXPECT_TRUE(ValidateEvent(e, kNow).ok()) << ValidateEvent(e, kNow);
  pad.push_back('x');
  absl::Status s = ValidateEvent(e, kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(ErrorField(s), "");
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("event is 16385 bytes, at most 16384 are allowed"));
}

TEST(ValidateEventTest, WholeEventSizeLimit) {
  v1::Event e = ValidEvent();
  for (int i = 0; i < kMaxAttributes; ++i) {
    (*e.mutable_attributes())[absl::StrCat("key", i)].set_string_value(
        std::string(kMaxAttributeStringBytes, 'x'));
  }
  absl::Status s = ValidateEvent(e, kNow);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(ErrorField(s), "");
  EXPECT_THAT(std::string(s.message()), HasSubstr("bytes"));
}

TEST(PrepareEventTest, CompletesTheEvent) {
  v1::Event e = ValidEvent();
  e.set_type("Contact");
  e.set_channel(v1::VOICE);
  ASSERT_TRUE(PrepareEvent(&e, JourneyMap::Default(), kNow).ok());
  EXPECT_EQ(e.type(), "contact");
  EXPECT_EQ(e.event_id().substr(0, 2), "h-");
  EXPECT_EQ(e.recorded_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_EQ(e.moment(), v1::INTERIM);
  EXPECT_EQ(e.stage(), v1::EXPERIENCE);
}

TEST(PrepareEventTest, KeepsWhatTheCallerSet) {
  v1::Event e = ValidEvent();
  e.set_event_id("mine");
  e.mutable_recorded_at()->set_seconds(1749999999);
  e.set_moment(v1::THIRD);
  ASSERT_TRUE(PrepareEvent(&e, JourneyMap::Default(), kNow).ok());
  EXPECT_EQ(e.event_id(), "mine");
  EXPECT_EQ(e.recorded_at().seconds(), 1749999999);
  EXPECT_EQ(e.moment(), v1::THIRD);
  EXPECT_EQ(e.stage(), v1::EXPERIENCE);  // filled, as it was unspecified
}

TEST(PrepareEventTest, SameContentSameIdWhateverTheIngestTime) {
  v1::Event a = ValidEvent();
  v1::Event b = ValidEvent();
  ASSERT_TRUE(PrepareEvent(&a, JourneyMap::Default(), kNow).ok());
  ASSERT_TRUE(
      PrepareEvent(&b, JourneyMap::Default(), kNow + absl::Hours(5)).ok());
  EXPECT_EQ(a.event_id(), b.event_id());
}

TEST(PrepareEventTest, EventWithIdentifiersAndNoCustomerIdIsAccepted) {
  v1::Event e = ValidEvent();
  e.clear_customer_id();
  e = WithIdentifier(e, "email", "a@example.com");
  e = WithIdentifier(e, "phone", "+14155550100");
  e.set_interaction_id("connect:c-1");
  e.mutable_updated_at()->set_seconds(1749990100);
  e.set_enrichment(true);
  const v1::Event sent = e;
  ASSERT_TRUE(PrepareEvent(&e, JourneyMap::Default(), kNow).ok());
  EXPECT_EQ(e.customer_id(), "");
  EXPECT_EQ(e.event_id().substr(0, 2), "h-");
  // The identifiers are kept as sent: normalization is the identity
  // layer's.
  ASSERT_EQ(e.identifiers_size(), 2);
  EXPECT_EQ(e.identifiers(0).value(), "a@example.com");
  EXPECT_EQ(e.identifiers(1).namespace_(), "phone");
  EXPECT_EQ(e.interaction_id(), "connect:c-1");
  EXPECT_EQ(e.updated_at().seconds(), 1749990100);
  EXPECT_TRUE(e.enrichment());
}

TEST(TimeConversionTest, MicrosRoundTripIncludingBeforeEpoch) {
  for (int64_t us : {int64_t{0}, int64_t{1}, int64_t{-1},
                     int64_t{1750000000123456}, int64_t{-1500001}}) {
    google::protobuf::Timestamp ts = FromUnixMicros(us);
    EXPECT_GE(ts.nanos(), 0);
    EXPECT_EQ(ToUnixMicros(ts), us);
  }
}

}  // namespace
}  // namespace motive::model
