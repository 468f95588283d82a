#include "model/event_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"
#include "motive/v1/event.pb.h"

#if MOTIVE_HAVE_DATAGEN
#include "datagen/journey_generator.h"
#endif

namespace motive::model {

using base::ErrorField;
using base::IsParseError;

namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The reference: protobuf's own parser with the options motive has always
// used (model/event_codec.cc).
absl::Status ProtobufDecode(absl::string_view json,
                            google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  options.case_insensitive_enum_parsing = true;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message,
      options);
  if (status.ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::string_view(status.message().data(), status.message().size()));
}

// Both decoders accept `json` and build equal events.
void ExpectSameAsProtobuf(absl::string_view json) {
  v1::Event fast;
  v1::Event reference;
  absl::Status fast_status = DecodeEventJson(json, &fast);
  absl::Status reference_status = ProtobufDecode(json, &reference);
  ASSERT_TRUE(reference_status.ok())
      << "not valid for protobuf either: " << json << "\n"
      << reference_status;
  ASSERT_TRUE(fast_status.ok()) << json << "\n" << fast_status;
  EXPECT_TRUE(MessageDifferencer::Equals(fast, reference))
      << json << "\nfast:     " << fast.ShortDebugString()
      << "\nprotobuf: " << reference.ShortDebugString();
}

// Both decoders reject `json`; ours with a parse error.
void ExpectBothReject(absl::string_view json) {
  v1::Event fast;
  v1::Event reference;
  absl::Status fast_status = DecodeEventJson(json, &fast);
  EXPECT_FALSE(ProtobufDecode(json, &reference).ok())
      << "protobuf accepts " << json << " as " << reference.ShortDebugString();
  EXPECT_FALSE(fast_status.ok())
      << "accepted " << json << " as " << fast.ShortDebugString();
  EXPECT_TRUE(IsParseError(fast_status)) << fast_status;
}

absl::Status Fast(absl::string_view json) {
  v1::Event event;
  return DecodeEventJson(json, &event);
}

// --- What is accepted ------------------------------------------------------

TEST(EventJsonTest, EveryFieldKind) {
  v1::Event event;
  ASSERT_TRUE(DecodeEventJson(R"({
      "event_id": "e1", "customerId": "c\u00e9", "type": "contact",
      "occurred_at": "2025-03-01T12:00:00.25+02:00",
      "recordedAt": "2025-03-01T10:00:01Z",
      "channel": "voice", "moment": "INTERIM", "stage": 4,
      "topic": "billing", "outcome": "Resolved", "sentiment": -0.5,
      "duration_ms": "60000", "holdMs": 5000, "transfers": 2.0,
      "agent_id": "a7", "queue": "q", "value": "19.99", "currency": "EUR",
      "csat": "4", "nps": 9,
      "attributes": {"plan": "gold", "tenure": 12, "vip": true,
                     "none": null, "list": [1, "a"], "obj": {"k": false}}
    })",
                              &event)
                  .ok());
  EXPECT_EQ(event.event_id(), "e1");
  EXPECT_EQ(event.customer_id(), "c\xC3\xA9");
  EXPECT_EQ(event.occurred_at().seconds(), 1740823200);
  EXPECT_EQ(event.occurred_at().nanos(), 250000000);
  EXPECT_EQ(event.recorded_at().seconds(), 1740823201);
  EXPECT_EQ(event.channel(), v1::VOICE);
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.stage(), v1::EXPERIENCE);
  EXPECT_EQ(event.outcome(), v1::RESOLVED);
  EXPECT_EQ(event.sentiment(), -0.5);
  EXPECT_EQ(event.duration_ms(), 60000);
  EXPECT_EQ(event.hold_ms(), 5000);
  EXPECT_EQ(event.transfers(), 2);
  EXPECT_EQ(event.value(), 19.99);
  EXPECT_EQ(event.csat(), 4);
  EXPECT_EQ(event.nps(), 9);
  const auto& a = event.attributes();
  EXPECT_EQ(a.at("plan").string_value(), "gold");
  EXPECT_EQ(a.at("tenure").number_value(), 12);
  EXPECT_TRUE(a.at("vip").bool_value());
  EXPECT_TRUE(a.at("none").has_null_value());
  EXPECT_EQ(a.at("list").list_value().values_size(), 2);
  EXPECT_FALSE(a.at("obj").struct_value().fields().at("k").bool_value());
}

TEST(EventJsonTest, EveryFieldOfEventIsKnownByBothNames) {
  // A field added to motive.v1.Event with a type the decoder does not know
  // fails here: teach event_json.cc (and field_text.cc) the type.
  const google::protobuf::Descriptor* event = v1::Event::descriptor();
  for (int i = 0; i < event->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = event->field(i);
    for (const std::string& name : {field->name(), field->json_name()}) {
      absl::Status status = Fast(absl::StrCat("{\"", name, "\": null}"));
      EXPECT_TRUE(status.ok()) << name << ": " << status;
    }
  }
}

TEST(EventJsonTest, IdentifiersInteractionsAndEnrichments) {
  v1::Event event;
  ASSERT_TRUE(DecodeEventJson(R"({
      "identifiers": [{"namespace": "email", "value": "a@example.com"},
                      {"value": "+14155550100", "namespace": "phone"},
                      {"namespace": "crm", "value": null}, {}],
      "interactionId": "connect:c-1", "updated_at": "2025-03-01T12:00:00Z",
      "enrichment": "yes"
    })",
                              &event)
                  .ok());
  ASSERT_EQ(event.identifiers_size(), 4);
  EXPECT_EQ(event.identifiers(0).namespace_(), "email");
  EXPECT_EQ(event.identifiers(0).value(), "a@example.com");
  EXPECT_EQ(event.identifiers(1).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(1).value(), "+14155550100");
  EXPECT_EQ(event.identifiers(2).namespace_(), "crm");
  EXPECT_EQ(event.identifiers(2).value(), "");  // validation rejects these
  EXPECT_TRUE(
      MessageDifferencer::Equals(event.identifiers(3), v1::Identifier()));
  EXPECT_EQ(event.interaction_id(), "connect:c-1");
  EXPECT_EQ(event.updated_at().seconds(), 1740830400);
  EXPECT_TRUE(event.enrichment());

  v1::Event other;
  ASSERT_TRUE(DecodeEventJson(R"({"interaction_id":"i","updatedAt":null,
                                  "enrichment":false,"identifiers":[]})",
                              &other)
                  .ok());
  EXPECT_EQ(other.interaction_id(), "i");
  EXPECT_FALSE(other.has_updated_at());
  EXPECT_FALSE(other.enrichment());
  EXPECT_EQ(other.identifiers_size(), 0);
}

TEST(EventJsonTest, EveryFieldOfIdentifierIsKnownByBothNames) {
  // A field added to motive.v1.Identifier that is not a string fails here:
  // teach DecodeIdentifier its type.
  const google::protobuf::Descriptor* identifier = v1::Identifier::descriptor();
  for (int i = 0; i < identifier->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = identifier->field(i);
    for (const std::string& name : {field->name(), field->json_name()}) {
      v1::Event event;
      absl::Status status = DecodeEventJson(
          absl::StrCat(R"({"identifiers":[{")", name, R"(":"x"}]})"), &event);
      ASSERT_TRUE(status.ok()) << name << ": " << status;
      EXPECT_EQ(event.identifiers(0).GetReflection()->GetString(
                    event.identifiers(0), field),
                "x")
          << name;
    }
  }
}

TEST(EventJsonTest, NullLeavesFieldsAbsent) {
  v1::Event event;
  ASSERT_TRUE(DecodeEventJson(R"({"sentiment":null,"occurred_at":null,
                                  "attributes":null,"channel":null,
                                  "customer_id":null})",
                              &event)
                  .ok());
  EXPECT_FALSE(event.has_sentiment());
  EXPECT_FALSE(event.has_occurred_at());
  EXPECT_TRUE(event.attributes().empty());
  EXPECT_TRUE(MessageDifferencer::Equals(event, v1::Event()));
}

TEST(EventJsonTest, ExplicitZerosArePresent) {
  v1::Event event;
  ASSERT_TRUE(
      DecodeEventJson(
          R"({"hold_ms":0,"sentiment":-0,"occurred_at":"1970-01-01T00:00:00Z"})",
          &event)
          .ok());
  EXPECT_TRUE(event.has_hold_ms());
  EXPECT_TRUE(event.has_sentiment());
  EXPECT_FALSE(std::signbit(event.sentiment()));  // as protobuf reads -0
  EXPECT_TRUE(event.has_occurred_at());
}

TEST(EventJsonTest, NonFiniteDoublesAsProtobufWritesThem) {
  v1::Event event;
  ASSERT_TRUE(
      DecodeEventJson(R"({"sentiment":"NaN","value":"-Infinity"})", &event)
          .ok());
  EXPECT_TRUE(std::isnan(event.sentiment()));
  EXPECT_EQ(event.value(), -std::numeric_limits<double>::infinity());
}

TEST(EventJsonTest, EnumNumbersAreKept) {
  v1::Event event;
  ASSERT_TRUE(
      DecodeEventJson(R"({"channel":99,"moment":-1,"stage":"2"})", &event)
          .ok());
  EXPECT_EQ(event.channel(), 99);  // validation rejects it later
  EXPECT_EQ(event.moment(), -1);
  EXPECT_EQ(event.stage(), v1::CONSIDERATION);
}

// --- Equivalence with protobuf's parser --------------------------------------

TEST(EventJsonTest, SameAsProtobufOnValidInput) {
  const char* corpus[] = {
      "{}",
      " \t\r\n{ } \n",
      R"({"customer_id":"c1","channel":"voice","outcome":"unresolved",
          "moment":"interim","occurred_at":"2025-03-01T10:00:00Z",
          "attributes":{"plan":"gold","tenure":12,"vip":true}})",
      R"({"customerId":"c1","holdMs":"5"})",
      R"({"eventId":"e","occurredAt":"2025-03-01T10:00:00.123456789Z",
          "recordedAt":"2025-03-01T10:00:00-07:30","agentId":"a",
          "durationMs":"-12","type":"x","topic":"t","queue":"q",
          "currency":"EUR","value":1e-3,"csat":1,"nps":10,"transfers":0})",
      R"({"occurred_at":"2025-03-01T10:00:00.1234567891Z"})",
      R"({"occurred_at":"0001-01-01T00:00:00Z"})",
      R"({"occurred_at":"9999-12-31T23:59:59.999999999Z"})",
      R"({"occurred_at":"2024-02-29T23:59:59+23:59"})",
      R"({"channel":"VOICE"})",
      R"({"channel":"Mobile-App"})",
      R"({"channel":"mobile_app"})",
      R"({"channel":"channel_unspecified"})",
      R"({"channel":1})",
      R"({"channel":"11"})",
      R"({"channel":99})",
      R"({"channel":-5})",
      R"({"channel":1.0})",
      R"({"channel":2e0})",
      R"({"csat":-2147483648,"nps":2147483647})",
      R"({"csat":"+1","nps":"007"})",
      R"({"csat":1e2,"nps":-0,"transfers":1.5e1})",
      R"({"csat":"-0"})",
      R"({"duration_ms":9223372036854775807,"hold_ms":-9223372036854775808})",
      R"({"duration_ms":"9223372036854775807","hold_ms":"-9223372036854775808"})",
      R"({"duration_ms":9007199254740993})",
      R"({"duration_ms":-9223372036854775809})",
      R"({"duration_ms":1e18,"hold_ms":1.5e3})",
      R"({"sentiment":0.1,"value":123456789012345678901234567890})",
      R"({"sentiment":-0.0})",
      R"({"sentiment":-0})",
      R"({"sentiment":1e-400})",
      R"({"sentiment":4.9e-324})",
      R"({"sentiment":"0.5","value":"-1.5E3"})",
      R"({"sentiment":".5","value":"5."})",
      R"({"sentiment":"+0.25"})",
      R"({"sentiment":"Infinity","value":"-Infinity"})",
      R"({"sentiment":1.7976931348623157e308})",
      R"({"customer_id":"","type":""})",
      R"({"customer_id":"a\u0000b"})",
      R"({"customer_id":"\"\\\/\b\f\n\r\t"})",
      R"({"customer_id":"\ud83d\ude00 \u00e9 \u20ac"})",
      "{\"customer_id\":\"\xF0\x9F\x98\x80 \xC3\xA9\"}",
      R"({"customer\u005fid":"escaped key"})",
      R"({"attributes":{}})",
      R"({"attributes":{"":1,"a b":"\u00e9","n":null,"t":true,"f":false}})",
      R"({"attributes":{"x":-0,"y":1e308,"z":1e-400,"w":0.1}})",
      R"({"attributes":{"list":[1,"a",null,[true],{"k":[]}]}})",
      R"({"attributes":{"obj":{"a":{"b":{"c":"d"}},"e":[]}}})",
      R"({"attributes":{"s":"NaN","i":"Infinity"}})",
      R"({"attributes":{"a":1},"customer_id":"c","sentiment":null})",
      R"({"sentiment":null,"csat":null,"occurred_at":null,"channel":null,
          "attributes":null,"customer_id":null})",
      // Identifiers, interactions, enrichments.
      R"({"identifiers":[]})",
      R"({"identifiers":null,"interaction_id":null,"updated_at":null,
          "enrichment":null})",
      R"({"identifiers":[{"namespace":"email","value":"a@b.c"}]})",
      R"({"identifiers":[{"value":"+1415","namespace":"phone"},
                         {"namespace":"crm_contact","value":"0031"}]})",
      R"({"identifiers":[{},{"namespace":null,"value":null},{"value":""}]})",
      R"({"identifiers":[{"namespace":"\u00e9","value":"a\u0000b"}]})",
      R"({"customerId":"c","identifiers":[{"namespace":"x","value":"y"}],
          "interactionId":"connect:1","updatedAt":"2025-03-01T10:00:00.5Z",
          "enrichment":true})",
      R"({"interaction_id":"","updated_at":"1970-01-01T00:00:00Z"})",
      R"({"updated_at":"2025-03-01T10:00:00-07:30"})",
      R"({"enrichment":true})",
      R"({"enrichment":false})",
      R"({"enrichment":"true"})",
      R"({"enrichment":"false"})",
      R"({"enrichment":"TRUE"})",
      R"({"enrichment":"False"})",
      R"({"enrichment":"t"})",
      R"({"enrichment":"F"})",
      R"({"enrichment":"yes"})",
      R"({"enrichment":"No"})",
      R"({"enrichment":"Y"})",
      R"({"enrichment":"n"})",
      R"({"enrichment":"1"})",
      R"({"enrichment":"0"})",
      R"({"enrichment":"\u0074rue"})",
  };
  for (const char* json : corpus) {
    SCOPED_TRACE(json);
    ExpectSameAsProtobuf(json);
  }
}

TEST(EventJsonTest, BothRejectInvalidInput) {
  const char* corpus[] = {
      "",
      "   ",
      "{",
      "}",
      "not json",
      "[1,2]",
      "[{}]",
      "\"event\"",
      "null",
      "5",
      "{}  x",
      "{}{}",
      R"({"customer_id": 5)",
      R"({"customer_id":"c1","colour":"red"})",
      R"({"Customer_id":"a"})",
      R"({"customerid":"a"})",
      R"({"events":[]})",
      R"({"customer_id":12})",
      R"({"customer_id":true})",
      R"({"customer_id":["a"]})",
      R"({"customer_id":{"a":1}})",
      R"({"customer_id":"\ud83d"})",
      R"({"customer_id":"\ude00"})",
      R"({"customer_id":"\ud83d\u0041"})",
      R"({"customer_id":"\u00G1"})",
      "{\"customer_id\":\"a\xff\"}",
      "{\"customer_id\":\"\xed\xa0\x80\"}",
      "{\"customer_id\":\"\xc0\x80\"}",
      "{\"attributes\":{\"k\xff\":1}}",
      R"({"csat":1.5})",
      R"({"csat":"high"})",
      R"({"csat":"1.0"})",
      R"({"csat":"1e2"})",
      R"({"csat":" 1"})",
      R"({"csat":""})",
      R"({"csat":true})",
      R"({"csat":2147483648})",
      R"({"csat":-2147483649})",
      R"({"csat":1e-300})",
      R"({"csat":01})",
      R"({"csat":1,"csat":2})",
      R"({"duration_ms":9223372036854775808})",
      R"({"duration_ms":18446744073709551615})",
      R"({"duration_ms":9223372036854775807.0})",
      R"({"duration_ms":"1e3"})",
      R"({"sentiment":"bad"})",
      R"({"sentiment":"nan"})",
      R"({"sentiment":"inf"})",
      R"({"sentiment":"1e400"})",
      R"({"sentiment":1e400})",
      R"({"sentiment":-1e400})",
      R"({"sentiment":+1})",
      R"({"sentiment":true})",
      R"({"sentiment":""})",
      R"({"sentiment":" 0.5"})",
      R"({"sentiment":"Infinity "})",
      R"({"sentiment":"1,5"})",
      R"({"sentiment":NaN})",
      R"({"sentiment":.5})",
      R"({"channel":"pigeon"})",
      R"({"channel":""})",
      R"({"channel":"99"})",
      R"({"channel":"mobileApp"})",
      R"({"channel":1.5})",
      R"({"channel":true})",
      R"({"channel":2147483648})",
      R"({"channel":[1]})",
      R"({"occurred_at":"yesterday"})",
      R"({"occurred_at":""})",
      R"({"occurred_at":5})",
      R"({"occurred_at":true})",
      R"({"occurred_at":[]})",
      R"({"occurred_at":"2025-03-01T10:00:00"})",
      R"({"occurred_at":"2025-03-01T10:00Z"})",
      R"({"occurred_at":"2025-03-01 10:00:00Z"})",
      R"({"occurred_at":"2025-03-01T10:00:60Z"})",
      R"({"occurred_at":"2025-02-30T10:00:00Z"})",
      R"({"occurred_at":"2023-02-29T10:00:00Z"})",
      R"({"occurred_at":"2025-03-01T24:00:00Z"})",
      R"({"occurred_at":"0000-12-31T23:59:59Z"})",
      R"({"occurred_at":"10000-01-01T00:00:00Z"})",
      R"({"occurred_at":"2025-03-01T10:00:00.Z"})",
      R"({"occurred_at":"2025-03-01T10:00:00+0200"})",
      R"({"occurred_at":"2025-03-01T10:00:00+24:00"})",
      R"({"occurred_at":"2025-03-01T10:00:00+02:60"})",
      R"({"occurred_at":" 2025-03-01T10:00:00Z"})",
      R"({"occurred_at":"+2025-03-01T10:00:00Z"})",
      R"({"occurred_at":"infinite-future"})",
      R"({"identifiers":"email"})",
      R"({"identifiers":5})",
      R"({"identifiers":true})",
      R"({"identifiers":["email"]})",
      R"({"identifiers":[1]})",
      R"({"identifiers":[true]})",
      R"({"identifiers":[["email","a"]]})",
      R"({"identifiers":[{"namespace":"email","value":5}]})",
      R"({"identifiers":[{"namespace":5}]})",
      R"({"identifiers":[{"namespace":"a","value":true}]})",
      R"({"identifiers":[{"namespace":"a","value":["x"]}]})",
      R"({"identifiers":[{"namespace":"a","value":{"v":"x"}}]})",
      R"({"identifiers":[{"namespace":"email","colour":"x"}]})",
      R"({"identifiers":[{"Namespace":"email"}]})",
      R"({"identifiers":[{"type":"email"}]})",
      R"({"identifiers":[{"namespace":"a","value":"b"}})",
      R"({"interaction_id":5})",
      R"({"interactionId":true})",
      R"({"updated_at":"yesterday"})",
      R"({"updated_at":1740823200})",
      R"({"updatedAt":"2025-03-01T10:00:00"})",
      R"({"enrichment":1})",
      R"({"enrichment":0})",
      R"({"enrichment":1.0})",
      R"({"enrichment":""})",
      R"({"enrichment":" true"})",
      R"({"enrichment":"true "})",
      R"({"enrichment":"on"})",
      R"({"enrichment":"01"})",
      R"({"enrichment":"2"})",
      R"({"enrichment":"tru"})",
      R"({"enrichment":[]})",
      R"({"enrichment":{}})",
      R"({"enrichment":"\u0000"})",
      R"({"attributes":[]})",
      R"({"attributes":"x"})",
      R"({"attributes":5})",
      R"({"attributes":{"a":1,"a":2}})",
      R"({"attributes":{"a":{"b":1,"b":2}}})",
      R"({"attributes":{"a":1e400}})",
      R"({"attributes":{"a":}})",
      R"({"attributes":{"a" 1}})",
      R"({"type":"a" "topic":"b"})",
      R"({"type":"a",,"topic":"b"})",
      R"({"type":"a)",
      R"({"type")",
      R"({"type":)",
  };
  for (const char* json : corpus) {
    SCOPED_TRACE(json);
    ExpectBothReject(json);
  }
}

// What model/event_json.h lists as deliberate differences, kept true here:
// protobuf accepts each of these, the fast decoder rejects it.
TEST(EventJsonTest, DeliberatelyStricterThanProtobuf) {
  const char* corpus[] = {
      // Not RFC 8259 (protobuf takes 5. and -.5, not .5).
      R"({'customer_id':'a'})",
      R"({customer_id:"a"})",
      R"({"customer_id":"a",})",
      R"({"attributes":{"a":[1,],}})",
      R"({"customer_id":"\a"})",
      R"({"customer_id":"\x41"})",
      "{\"customer_id\":\"a\tb\"}",
      "{\"customer_id\":\"a\x01"
      "b\"}",
      R"({"sentiment":5.})",
      R"({"sentiment":-.5})",
      // A field given twice.
      R"({"customer_id":"a","customer_id":"b"})",
      R"({"customer_id":"a","customerId":"b"})",
      R"({"channel":"voice","channel":"chat"})",
      R"({"occurred_at":"2025-03-01T10:00:00Z","occurred_at":"2025-03-01T11:00:00Z"})",
      R"({"attributes":{"a":1},"attributes":{"b":2}})",
      R"({"enrichment":true,"enrichment":false})",
      R"({"interaction_id":"a","interactionId":"b"})",
      R"({"identifiers":[],"identifiers":[{"namespace":"b"}]})",
      R"({"identifiers":[{"namespace":"a","namespace":"b"}]})",
      // One identifier for the array, null elements.
      R"({"identifiers":{"namespace":"email","value":"a@b"}})",
      R"({"identifiers":[null]})",
      R"({"identifiers":[{"namespace":"email","value":"a@b"},null]})",
      // Timestamps as objects, or with one-digit fields.
      R"({"occurred_at":{}})",
      R"({"occurred_at":{"seconds":5}})",
      R"({"occurred_at":"2025-3-1T10:00:00Z"})",
      // Hexadecimal and padded numbers in strings.
      R"({"sentiment":"0x10"})",
      R"({"sentiment":"0x1p3"})",
      R"({"sentiment":"\t0.5"})",
      R"({"sentiment":"0.5\n"})",
  };
  for (const char* json : corpus) {
    SCOPED_TRACE(json);
    v1::Event reference;
    EXPECT_TRUE(ProtobufDecode(json, &reference).ok())
        << "protobuf now rejects it: update model/event_json.h";
    absl::Status status = Fast(json);
    EXPECT_FALSE(status.ok());
    EXPECT_TRUE(IsParseError(status)) << status;
  }
}

// The one leniency: RFC 3339 allows lower-case t and z.
TEST(EventJsonTest, LowerCaseTAndZAreAccepted) {
  v1::Event event;
  ASSERT_TRUE(
      DecodeEventJson(R"({"occurred_at":"2025-03-01t10:00:00z"})", &event)
          .ok());
  EXPECT_EQ(event.occurred_at().seconds(), 1740823200);
}

// Random events with every field, written by protobuf's printer in each of
// its styles: the fast decoder reads back what protobuf reads back, which is
// the event itself.
class RandomEvents {
 public:
  explicit RandomEvents(uint32_t seed) : rng_(seed) {}

  v1::Event Next() {
    v1::Event e;
    if (Chance(0.8)) e.set_event_id(Text());
    if (Chance(0.9)) e.set_customer_id(Text());
    if (Chance(0.9)) *e.mutable_occurred_at() = Timestamp();
    if (Chance(0.5)) *e.mutable_recorded_at() = Timestamp();
    if (Chance(0.8)) e.set_channel(static_cast<v1::Channel>(Int(-2, 14)));
    if (Chance(0.9)) e.set_type(Text());
    if (Chance(0.5)) e.set_moment(static_cast<v1::Moment>(Int(0, 6)));
    if (Chance(0.5)) e.set_stage(static_cast<v1::Stage>(Int(0, 6)));
    if (Chance(0.5)) e.set_topic(Text());
    if (Chance(0.5)) e.set_outcome(static_cast<v1::Outcome>(Int(0, 7)));
    if (Chance(0.5)) e.set_sentiment(Double());
    if (Chance(0.5)) e.set_duration_ms(Int64());
    if (Chance(0.5)) e.set_hold_ms(Int64());
    if (Chance(0.5)) e.set_transfers(static_cast<int32_t>(Int64()));
    if (Chance(0.5)) e.set_agent_id(Text());
    if (Chance(0.5)) e.set_queue(Text());
    if (Chance(0.5)) e.set_value(Double());
    if (Chance(0.5)) e.set_currency(Text());
    if (Chance(0.5)) e.set_csat(Int(-3, 9));
    if (Chance(0.5)) e.set_nps(static_cast<int32_t>(Int64()));
    const int attributes = Int(0, 6);
    for (int i = 0; i < attributes; ++i) {
      Value(2, &(*e.mutable_attributes())[Text()]);
    }
    const int identifiers = Chance(0.5) ? Int(0, 4) : 0;
    for (int i = 0; i < identifiers; ++i) {
      v1::Identifier* identifier = e.add_identifiers();
      if (Chance(0.9)) identifier->set_namespace_(Text());
      if (Chance(0.9)) identifier->set_value(Text());
    }
    if (Chance(0.5)) e.set_interaction_id(Text());
    if (Chance(0.5)) *e.mutable_updated_at() = Timestamp();
    if (Chance(0.5)) e.set_enrichment(Chance(0.5));
    return e;
  }

 private:
  bool Chance(double p) {
    return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }
  int Int(int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(rng_);
  }
  int64_t Int64() {
    switch (Int(0, 3)) {
      case 0:
        return Int(-1000, 100000);
      case 1:
        return std::numeric_limits<int64_t>::max() - Int(0, 3);
      case 2:
        return std::numeric_limits<int64_t>::min() + Int(0, 3);
      default:
        return static_cast<int64_t>(rng_());
    }
  }
  double Double() {
    switch (Int(0, 4)) {
      case 0:
        return Int(-100, 100) / 100.0;
      case 1:
        return std::uniform_real_distribution<double>(-1e300, 1e300)(rng_);
      case 2:
        return std::ldexp(std::uniform_real_distribution<double>(0, 1)(rng_),
                          Int(-1074, 1023));
      case 3:
        return Chance(0.5) ? std::numeric_limits<double>::infinity()
                           : -std::numeric_limits<double>::infinity();
      default:
        return Int(-5, 5);
    }
  }
  std::string Text() {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          "0",
                                          " ",
                                          "\"",
                                          "\\",
                                          "/",
                                          "\n",
                                          "\t",
                                          "\x01",
                                          "\x1f",
                                          "\x7f",
                                          "\xC3\xA9",
                                          "\xE2\x82\xAC",
                                          "\xF0\x9F\x98\x80",
                                          "<",
                                          "&",
                                          "",
                                          "voice"};
    std::string text;
    const int n = Int(0, 8);
    for (int i = 0; i < n; ++i) {
      const int piece = Int(0, std::size(kPieces) - 1);
      if (piece == 17) {
        text.push_back('\0');
      } else {
        text.append(kPieces[piece]);
      }
    }
    return text;
  }
  google::protobuf::Timestamp Timestamp() {
    google::protobuf::Timestamp ts;
    ts.set_seconds(std::uniform_int_distribution<int64_t>(-62135596800,
                                                          253402300799)(rng_));
    if (Chance(0.5)) ts.set_nanos(Int(0, 999999999));
    if (Chance(0.2)) ts.set_nanos(Int(0, 999) * 1000000);
    return ts;
  }
  void Value(int depth, google::protobuf::Value* value) {
    switch (Int(0, depth > 0 ? 5 : 3)) {
      case 0:
        value->set_string_value(Text());
        break;
      case 1: {
        double d = Double();
        value->set_number_value(std::isfinite(d) ? d : 1);
        break;
      }
      case 2:
        value->set_bool_value(Chance(0.5));
        break;
      case 3:
        value->set_null_value(google::protobuf::NULL_VALUE);
        break;
      case 4: {
        const int n = Int(0, 3);
        for (int i = 0; i < n; ++i) {
          Value(depth - 1, value->mutable_list_value()->add_values());
        }
        if (n == 0) value->mutable_list_value();
        break;
      }
      default: {
        const int n = Int(0, 3);
        auto* fields = value->mutable_struct_value()->mutable_fields();
        for (int i = 0; i < n; ++i) Value(depth - 1, &(*fields)[Text()]);
        break;
      }
    }
  }

  std::mt19937 rng_;
};

TEST(EventJsonTest, SameAsProtobufOnRandomEvents) {
  RandomEvents events(42);
  for (int i = 0; i < 3000; ++i) {
    const v1::Event original = events.Next();
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = i % 2 == 0;
    options.always_print_enums_as_ints = i % 3 == 0;
    options.always_print_primitive_fields = i % 5 == 0;
    options.add_whitespace = i % 7 == 0;
    std::string json;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(original, &json, options)
            .ok());
    SCOPED_TRACE(json);
    ExpectSameAsProtobuf(json);
    v1::Event fast;
    ASSERT_TRUE(DecodeEventJson(json, &fast).ok());
    EXPECT_TRUE(MessageDifferencer::Equals(fast, original))
        << "fast:     " << fast.ShortDebugString()
        << "\noriginal: " << original.ShortDebugString();
  }
}

#if MOTIVE_HAVE_DATAGEN
// The synthetic journeys of examples/datagen, as motive's demo and benchmarks
// ingest them.
TEST(EventJsonTest, SameAsProtobufOnGeneratedJourneys) {
  datagen::GeneratorOptions options;
  options.customers = 200;
  options.seed = 5;
  datagen::JourneyGenerator generator(options);
  std::string jsonl;
  while (generator.NextCustomer(&jsonl)) {
  }
  size_t lines = 0;
  for (size_t start = 0; start < jsonl.size();) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string::npos) end = jsonl.size();
    SCOPED_TRACE(absl::StrCat("line ", lines + 1));
    ExpectSameAsProtobuf(absl::string_view(jsonl).substr(start, end - start));
    ++lines;
    start = end + 1;
  }
  EXPECT_GT(lines, 1000u);
}
#endif

// --- Errors ------------------------------------------------------------------

void ExpectError(absl::string_view json, absl::string_view field,
                 absl::string_view message) {
  absl::Status status = Fast(json);
  ASSERT_FALSE(status.ok()) << json;
  EXPECT_TRUE(IsParseError(status)) << status;
  EXPECT_EQ(ErrorField(status), field) << json << " -> " << status;
  EXPECT_THAT(status.message(), HasSubstr(message)) << json;
}

TEST(EventJsonTest, ErrorsNameTheFieldAndSayWhatWasExpected) {
  ExpectError(R"({"sentiment":"bad"})", "sentiment",
              "sentiment: must be a number, got \"bad\"");
  ExpectError(R"({"sentiment":true})", "sentiment",
              "must be a number, got true");
  ExpectError(R"({"sentiment":1e400})", "sentiment",
              "number 1e400 is out of the range of a double");
  ExpectError(R"({"csat":"high"})", "csat",
              "must be a whole number between -2147483648 and 2147483647, "
              "got \"high\"");
  ExpectError(R"({"csat":1.5})", "csat", "got 1.5");
  ExpectError(R"({"transfers":2147483648})", "transfers",
              "between -2147483648 and 2147483647, got 2147483648");
  ExpectError(R"({"duration_ms":1e30})", "duration_ms",
              "must be a whole number between -9223372036854775808 and "
              "9223372036854775807, got 1e30");
  ExpectError(R"({"duration_ms":0.5})", "duration_ms",
              "must be a whole number, got 0.5");
  ExpectError(R"({"customer_id":12})", "customer_id",
              "customer_id: must be a string, got 12");
  ExpectError(R"({"customer_id":{"a":1}})", "customer_id",
              "must be a string, got an object");
  ExpectError(R"({"customer_id":[]})", "customer_id",
              "must be a string, got an array");
  ExpectError(R"({"occurred_at":"yesterday"})", "occurred_at",
              "must be an RFC 3339 timestamp like 2024-05-01T10:00:00Z, got "
              "\"yesterday\"");
  ExpectError(R"({"occurred_at":{"seconds":5}})", "occurred_at",
              "must be an RFC 3339 timestamp");
  ExpectError(R"({"channel":"pigeon"})", "channel",
              "unknown value \"pigeon\"; expected one of voice, chat");
  ExpectError(R"({"channel":false})", "channel", "must be one of voice, chat");
  ExpectError(R"({"attributes":[]})", "attributes",
              "must be an object, got an array");
  ExpectError(R"({"attributes":{"a":1,"a":2}})", "attributes.a",
              "appears twice");
  ExpectError(R"({"attributes":{"n":{"b":1,"b":2}}})", "attributes.n",
              "key \"b\" appears twice in a nested object");
  ExpectError(R"({"attributes":{"big":[1e999]}})", "attributes.big",
              "out of the range of a double");
  ExpectError(R"({"csat":1,"csat":2})", "csat", "appears twice");
  ExpectError(R"({"enrichment":1})", "enrichment",
              "enrichment: must be true or false, got 1");
  ExpectError(R"({"enrichment":"on"})", "enrichment",
              "enrichment: must be true or false, got \"on\"");
  ExpectError(R"({"updated_at":"soon"})", "updated_at",
              "updated_at: must be an RFC 3339 timestamp");
  ExpectError(R"({"interactionId":7})", "interaction_id",
              "interaction_id: must be a string, got 7");
  ExpectError(R"({"identifiers":{"namespace":"email"}})", "identifiers",
              "identifiers: must be an array of motive.v1.Identifier "
              "objects, got an object");
  ExpectError(R"({"identifiers":[{"namespace":"a","value":"b"},null]})",
              "identifiers[1]",
              "identifiers[1]: must be a motive.v1.Identifier object, got "
              "null");
  ExpectError(R"({"identifiers":["email"]})", "identifiers[0]",
              "got \"email\"");
  ExpectError(
      R"({"identifiers":[{"namespace":"email","value":"a"},
                         {"namespace":"phone","value":5}]})",
      "identifiers[1].value", "identifiers[1].value: must be a string, got 5");
  ExpectError(R"({"identifiers":[{"namespace":["email"]}]})",
              "identifiers[0].namespace", "must be a string, got an array");
  ExpectError(R"({"identifiers":[{"namespace":"email","colour":"red"}]})",
              "identifiers[0].colour",
              "identifiers[0].colour: unknown field; motive.v1.Identifier "
              "has namespace, value");
  ExpectError(R"({"identifiers":[{"namespace":"a","namespace":"b"}]})",
              "identifiers[0].namespace", "appears twice");
  ExpectError(R"({"identifiers":[],"identifiers":[]})", "identifiers",
              "appears twice");
  ExpectError(R"({"customerId":"a","customer_id":"b"})", "customer_id",
              "appears twice");
  ExpectError(R"({"customer_id":"c1","colour":"red"})", "colour",
              "colour: unknown field; motive.v1.Event has event_id, "
              "customer_id, occurred_at");
  // A long string is cut in the message.
  ExpectError(absl::StrCat(R"({"csat":")", std::string(500, '9'), "\"}"),
              "csat", "99...\"");
}

TEST(EventJsonTest, SyntaxErrorsNameNoFieldAndGiveTheOffset) {
  ExpectError(R"({"customer_id":"c1" "type":"x"})", "",
              "invalid JSON at byte 20: expected ',' or '}' after an object "
              "member, got '\"'");
  ExpectError(R"({"customer_id":"c1","sentiment":+1})", "",
              "invalid JSON at byte 32: expected a value, got '+'");
  ExpectError(R"({"attributes":{"a":"\q"}})", "",
              "invalid JSON at byte 20: invalid escape");
  ExpectError("", "",
              "invalid JSON at byte 0: expected a value, got the end "
              "of the input");
  ExpectError("{}\n{}", "",
              "invalid JSON at byte 3: expected the end of the "
              "input after the JSON value, got '{'");
  ExpectError("[{}]", "",
              "expected a JSON object holding a motive.v1.Event at byte 0, "
              "got an array");
  ExpectError("  \"x\"", "",
              "expected a JSON object holding a motive.v1.Event at byte 2, "
              "got \"x\"");
  std::string deep = R"({"attributes":{"a":)" + std::string(100, '[') +
                     std::string(100, ']') + "}}";
  ExpectError(deep, "", "nest deeper than 64 levels");
}

// --- Batches -----------------------------------------------------------------

TEST(EventJsonTest, Batch) {
  v1::EventBatch batch;
  ASSERT_TRUE(DecodeEventBatchJson(R"( {"events": [
      {"customer_id":"c1","channel":"voice"}, {},
      {"customerId":"c3","attributes":{"a":[1]}}]} )",
                                   &batch)
                  .ok());
  ASSERT_EQ(batch.events_size(), 3);
  EXPECT_EQ(batch.events(0).channel(), v1::VOICE);
  EXPECT_EQ(batch.events(2).customer_id(), "c3");

  for (const char* json : {"{}", R"({"events":[]})", R"({"events":null})"}) {
    v1::EventBatch empty;
    EXPECT_TRUE(DecodeEventBatchJson(json, &empty).ok()) << json;
    EXPECT_EQ(empty.events_size(), 0) << json;
  }
}

TEST(EventJsonTest, BatchSameAsProtobuf) {
  RandomEvents events(7);
  for (int i = 0; i < 50; ++i) {
    v1::EventBatch original;
    for (int j = i % 5; j > 0; --j) *original.add_events() = events.Next();
    std::string json;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(original, &json).ok());
    v1::EventBatch fast;
    v1::EventBatch reference;
    ASSERT_TRUE(ProtobufDecode(json, &reference).ok());
    ASSERT_TRUE(DecodeEventBatchJson(json, &fast).ok()) << json;
    EXPECT_TRUE(MessageDifferencer::Equals(fast, reference)) << json;
  }
}

TEST(EventJsonTest, BatchErrors) {
  auto error = [](absl::string_view json) {
    v1::EventBatch batch;
    absl::Status status = DecodeEventBatchJson(json, &batch);
    EXPECT_FALSE(status.ok()) << json;
    EXPECT_TRUE(IsParseError(status)) << status;
    return status;
  };
  absl::Status s = error(R"({"events":[{},{"csat":"x"}]})");
  EXPECT_EQ(ErrorField(s), "csat");
  EXPECT_THAT(std::string(s.message()),
              StartsWith("events[1]: csat: must be a whole"));
  s = error(R"({"events":[{},{"bogus":1}]})");
  EXPECT_EQ(ErrorField(s), "bogus");
  EXPECT_THAT(std::string(s.message()),
              StartsWith("events[1]: bogus: unknown field"));
  s = error(R"({"events":[{}, 1]})");
  EXPECT_THAT(s.message(),
              HasSubstr("events[1]: expected a JSON object holding a "
                        "motive.v1.Event at byte 15, got 1"));
  s = error(R"({"events":[null]})");
  EXPECT_THAT(s.message(), HasSubstr("events[0]: expected a JSON object"));
  s = error(R"({"events":{}})");
  EXPECT_EQ(ErrorField(s), "events");
  EXPECT_THAT(s.message(), HasSubstr("must be an array of motive.v1.Event "
                                     "objects, got an object"));
  s = error(R"({"events":[],"events":[]})");
  EXPECT_THAT(s.message(), HasSubstr("events: appears twice"));
  s = error(R"({"event":[]})");
  EXPECT_EQ(ErrorField(s), "event");
  s = error(R"({"events":[{}],})");
  EXPECT_THAT(s.message(), HasSubstr("invalid JSON at byte 15"));
  s = error("[{}]");
  EXPECT_THAT(s.message(), HasSubstr("motive.v1.EventBatch at byte 0"));
  s = error(R"({"events":[{"customer_id":"c1"},)");
  EXPECT_THAT(s.message(), HasSubstr("expected a value"));
  s = error("");
  EXPECT_THAT(s.message(), HasSubstr("invalid JSON at byte 0"));
}

// --- model::Decode picks the decoder
// ------------------------------------------

TEST(EventJsonTest, DecodeUsesTheFastDecoderForEventsAndBatches) {
  // A trailing comma tells the decoders apart: protobuf's parser allows it.
  v1::Event event;
  event.set_topic("stale");
  absl::Status s = Decode(WireFormat::kJson, R"({"customer_id":"a",})", &event);
  EXPECT_TRUE(IsParseError(s)) << s;
  ASSERT_TRUE(Decode(WireFormat::kJson, R"({"customer_id":"a"})", &event).ok());
  EXPECT_EQ(event.topic(), "");  // cleared first
  v1::EventBatch batch;
  EXPECT_TRUE(IsParseError(
      Decode(WireFormat::kJson, R"({"events":[{"type":"x",}]})", &batch)));
  // Other messages keep protobuf's parser.
  v1::Timeline timeline;
  EXPECT_TRUE(
      Decode(WireFormat::kJson, R"({"customer_id":"a",})", &timeline).ok());
  EXPECT_EQ(timeline.customer_id(), "a");
}

// --- Hostile input
// -------------------------------------------------------------

// Random bytes, and mutations and truncations of valid events: never a crash,
// always OK or a parse error.
TEST(EventJsonTest, FuzzNeverCrashes) {
  std::mt19937 rng(11);
  std::vector<std::string> seeds = {
      R"({"event_id":"e1","customer_id":"c1","occurred_at":"2025-03-01T10:00:00.5+02:00",)"
      R"("channel":"voice","type":"contact","sentiment":-0.25,"duration_ms":"60000",)"
      R"("csat":4,"attributes":{"plan":"gold","n":[1,{"k":null}],"t":true}})",
      R"({"identifiers":[{"namespace":"email","value":"a@b.c"},{"value":"1"}],)"
      R"("interactionId":"connect:1","updated_at":"2025-03-01T10:00:00Z",)"
      R"("enrichment":"yes"})",
  };
  RandomEvents events(3);
  for (int i = 0; i < 20; ++i) {
    std::string json;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(events.Next(), &json).ok());
    seeds.push_back(json);
  }
  const std::string alphabet = "{}[],:\"\\u0123456789abcdefEe.-+tnrlTZz \t\n";
  auto check = [](const std::string& input) {
    v1::Event event;
    absl::Status status = DecodeEventJson(input, &event);
    if (!status.ok()) {
      EXPECT_TRUE(IsParseError(status)) << status;
    }
    v1::EventBatch batch;
    status = DecodeEventBatchJson(absl::StrCat("{\"events\":[", input, "]}"),
                                  &batch);
    if (!status.ok()) {
      EXPECT_TRUE(IsParseError(status)) << status;
    }
  };
  for (const std::string& seed : seeds) {
    for (size_t n = 0; n <= seed.size(); ++n) check(seed.substr(0, n));
    for (int i = 0; i < 3000; ++i) {
      std::string input = seed;
      const int edits = 1 + static_cast<int>(rng() % 3);
      for (int e = 0; e < edits && !input.empty(); ++e) {
        const size_t at = rng() % input.size();
        switch (rng() % 3) {
          case 0:
            input[at] = static_cast<char>(rng() % 256);
            break;
          case 1:
            input[at] = alphabet[rng() % alphabet.size()];
            break;
          default:
            input.erase(at, 1 + rng() % 6);
            break;
        }
      }
      check(input);
    }
  }
  for (int i = 0; i < 20000; ++i) {
    std::string input(rng() % 48, '\0');
    for (char& c : input) {
      c = rng() % 2 ? alphabet[rng() % alphabet.size()]
                    : static_cast<char>(rng() % 256);
    }
    if (rng() % 2) input = "{\"" + input;
    check(input);
  }
}

}  // namespace
}  // namespace motive::model
