#include "model/event_codec.h"

#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "motive/v1/event.pb.h"

namespace motive::model {

using base::ErrorField;
using base::IsParseError;

namespace {

TEST(EventCodecTest, JsonAcceptsLowerCaseEnumsAndProtoNames) {
  v1::Event event;
  ASSERT_TRUE(Decode(WireFormat::kJson,
                     R"({"customer_id":"c1","channel":"voice",
                         "outcome":"unresolved","moment":"interim",
                         "occurred_at":"2025-03-01T10:00:00Z",
                         "attributes":{"plan":"gold","tenure":12,"vip":true}})",
                     &event)
                  .ok());
  EXPECT_EQ(event.customer_id(), "c1");
  EXPECT_EQ(event.channel(), v1::VOICE);
  EXPECT_EQ(event.outcome(), v1::UNRESOLVED);
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.occurred_at().seconds(), 1740823200);
  EXPECT_EQ(event.attributes().at("plan").string_value(), "gold");
  EXPECT_EQ(event.attributes().at("tenure").number_value(), 12);
  EXPECT_TRUE(event.attributes().at("vip").bool_value());
}

TEST(EventCodecTest, JsonAcceptsCamelCaseNamesToo) {
  v1::Event event;
  ASSERT_TRUE(Decode(WireFormat::kJson, R"({"customerId":"c1","holdMs":"5"})",
                     &event)
                  .ok());
  EXPECT_EQ(event.customer_id(), "c1");
  EXPECT_EQ(event.hold_ms(), 5);
}

TEST(EventCodecTest, MalformedJsonIsAParseError) {
  v1::Event event;
  for (const char* bad : {"", "{", "not json", R"({"customer_id": 5)",
                          "[1,2]"}) {
    absl::Status s = Decode(WireFormat::kJson, bad, &event);
    EXPECT_TRUE(IsParseError(s)) << bad << " -> " << s;
  }
}

TEST(EventCodecTest, UnknownFieldIsRejectedByName) {
  v1::Event event;
  absl::Status s =
      Decode(WireFormat::kJson, R"({"customer_id":"c1","colour":"red"})", &event);
  EXPECT_TRUE(IsParseError(s));
  EXPECT_EQ(ErrorField(s), "colour") << s;
}

TEST(EventCodecTest, BadEnumValueNamesTheValue) {
  v1::Event event;
  absl::Status s = Decode(WireFormat::kJson, R"({"channel":"pigeon"})", &event);
  EXPECT_TRUE(IsParseError(s));
  EXPECT_NE(s.message().find("pigeon"), absl::string_view::npos) << s;
}

TEST(EventCodecTest, ProtobufRoundTrip) {
  v1::Event event;
  event.set_customer_id("c1");
  event.set_sentiment(-0.5);
  event.set_channel(v1::CHAT);
  std::string bytes;
  ASSERT_TRUE(Encode(WireFormat::kProtobuf, event, &bytes).ok());
  v1::Event back;
  ASSERT_TRUE(Decode(WireFormat::kProtobuf, bytes, &back).ok());
  EXPECT_EQ(back.customer_id(), "c1");
  EXPECT_TRUE(back.has_sentiment());
  EXPECT_EQ(back.sentiment(), -0.5);
  EXPECT_EQ(back.channel(), v1::CHAT);
}

TEST(EventCodecTest, GarbageProtobufIsAParseError) {
  v1::Event event;
  EXPECT_TRUE(IsParseError(Decode(WireFormat::kProtobuf, "\xff\xff\xff", &event)));
}

// Protobuf reports invalid UTF-8 only through its log, which a library must
// not let reach the host's stderr: the message goes into the error instead.
TEST(EventCodecTest, InvalidUtf8InProtobufIsAnErrorAndNothingOnStderr) {
  // Field 2 (customer_id), length 2, bytes that are not UTF-8.
  const std::string bytes("\x12\x02\xc3\x28", 4);
  v1::Event event;
  ::testing::internal::CaptureStderr();
  absl::Status status = Decode(WireFormat::kProtobuf, bytes, &event);
  const std::string stderr_text = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(IsParseError(status)) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("UTF-8"));
  EXPECT_EQ(stderr_text, "");
}

TEST(EventCodecTest, JsonOutputUsesProtoFieldNamesOnOneLine) {
  v1::Event event;
  event.set_customer_id("c1");
  event.set_hold_ms(0);  // presence: an explicit zero is printed
  std::string json;
  ASSERT_TRUE(Encode(WireFormat::kJson, event, &json).ok());
  EXPECT_NE(json.find("\"customer_id\":\"c1\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"hold_ms\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
  v1::Event back;
  ASSERT_TRUE(Decode(WireFormat::kJson, json, &back).ok());
  EXPECT_TRUE(back.has_hold_ms());
}

}  // namespace
}  // namespace motive::model

namespace motive::model {
namespace {

TEST(EventCodecTest, WrongTypesNameTheField) {
  struct Case {
    const char* json;
    const char* field;
  };
  const Case cases[] = {
      {R"({"csat":"high"})", "csat"},
      {R"({"sentiment":"bad"})", "sentiment"},
      {R"({"occurred_at":"yesterday"})", "occurred_at"},
      {R"({"channel":"pigeon"})", "channel"},
      {R"({"customer_id":12})", "customer_id"},
      {R"({"transfers":1.5})", "transfers"},
  };
  for (const Case& c : cases) {
    v1::Event event;
    absl::Status s = Decode(WireFormat::kJson, c.json, &event);
    EXPECT_TRUE(IsParseError(s)) << c.json;
    EXPECT_EQ(ErrorField(s), c.field) << c.json << " -> " << s;
  }
}

}  // namespace
}  // namespace motive::model
