#include "model/field_text.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "motive/v1/event.pb.h"

namespace motive::model {
namespace {

using ::testing::HasSubstr;

const google::protobuf::FieldDescriptor* Field(const char* name) {
  return v1::Event::descriptor()->FindFieldByName(name);
}

TEST(FieldTextTest, Int32) {
  const struct {
    const char* text;
    int32_t value;
  } good[] = {{"12", 12},
              {"+1", 1},
              {"-7", -7},
              {"007", 7},
              {"-0", 0},
              {"2147483647", 2147483647},
              {"-2147483648", -2147483647 - 1}};
  for (const auto& c : good) {
    int32_t value = -1;
    EXPECT_TRUE(ParseInt32Text(c.text, &value)) << c.text;
    EXPECT_EQ(value, c.value) << c.text;
  }
  for (const char* bad :
       {"", " 1", "1 ", "\t1", "1\n", "1.0", "1e2", "0x10", "2147483648",
        "-2147483649", "1_000", "one", "-", "+", "--1"}) {
    int32_t value;
    EXPECT_FALSE(ParseInt32Text(bad, &value)) << bad;
  }
}

TEST(FieldTextTest, Int64) {
  int64_t value;
  EXPECT_TRUE(ParseInt64Text("9223372036854775807", &value));
  EXPECT_EQ(value, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseInt64Text("-9223372036854775808", &value));
  EXPECT_EQ(value, std::numeric_limits<int64_t>::min());
  for (const char* bad : {"9223372036854775808", "1e3", " 5", "12x", ""}) {
    EXPECT_FALSE(ParseInt64Text(bad, &value)) << bad;
  }
}

TEST(FieldTextTest, Double) {
  const struct {
    const char* text;
    double value;
  } good[] = {{"0.5", 0.5},  {".5", 0.5},       {"5.", 5},     {"+0.5", 0.5},
              {"-.5", -0.5}, {"-1.5e3", -1500}, {"1E+2", 100}, {"007", 7},
              {"1e-400", 0}, {"12", 12}};
  for (const auto& c : good) {
    double value = -1;
    EXPECT_TRUE(ParseDoubleText(c.text, &value)) << c.text;
    EXPECT_EQ(value, c.value) << c.text;
  }
  double value;
  ASSERT_TRUE(ParseDoubleText("NaN", &value));
  EXPECT_TRUE(std::isnan(value));
  ASSERT_TRUE(ParseDoubleText("Infinity", &value));
  EXPECT_EQ(value, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(ParseDoubleText("-Infinity", &value));
  EXPECT_EQ(value, -std::numeric_limits<double>::infinity());
  for (const char* bad :
       {"",          "nan",   "inf",   "-inf", "infinity", "+Infinity",
        "Infinity ", "0x10",  "0x1p3", " 0.5", "0.5 ",     "1e400",
        "-1e400",    "-",     ".",     "e5",   "1e",       "1e+",
        "1,5",       "1.2.3", "++1",   "+-1",  "abc"}) {
    EXPECT_FALSE(ParseDoubleText(bad, &value)) << bad;
  }
}

TEST(FieldTextTest, Enum) {
  const google::protobuf::EnumDescriptor* channel = v1::Channel_descriptor();
  const struct {
    const char* text;
    int value;
  } good[] = {{"VOICE", v1::VOICE},
              {"voice", v1::VOICE},
              {"Voice", v1::VOICE},
              {"mobile_app", v1::MOBILE_APP},
              {"Mobile-App", v1::MOBILE_APP},
              {"CHANNEL_UNSPECIFIED", 0},
              {"channel_unspecified", 0},
              {"1", v1::VOICE},  // the number of a known value
              {"+1", v1::VOICE},
              {"11", v1::OTHER}};
  for (const auto& c : good) {
    int value = -1;
    EXPECT_TRUE(ParseEnumText(channel, c.text, &value)) << c.text;
    EXPECT_EQ(value, c.value) << c.text;
  }
  for (const char* bad :
       {"", "pigeon", "mobileapp", "mobileApp", " voice", "99", "-1", "1.0",
        "VOI\xC4\xB0"
        "CE"}) {
    int value;
    EXPECT_FALSE(ParseEnumText(channel, bad, &value)) << bad;
  }
  int value;
  EXPECT_FALSE(ParseEnumText(channel, std::string(1000, 'A'), &value));
  // Enums outside motive.v1 are looked up through their descriptors.
  const google::protobuf::EnumDescriptor* null_value =
      google::protobuf::NullValue_descriptor();
  EXPECT_TRUE(ParseEnumText(null_value, "null_value", &value));
  EXPECT_EQ(value, 0);
  EXPECT_FALSE(ParseEnumText(null_value, "nothing", &value));
}

TEST(FieldTextTest, Timestamp) {
  const struct {
    const char* text;
    int64_t seconds;
    int32_t nanos;
  } good[] = {
      {"2025-03-01T10:00:00Z", 1740823200, 0},
      {"2025-03-01t10:00:00z", 1740823200, 0},  // RFC 3339 section 5.6
      {"2025-03-01T10:00:00.5Z", 1740823200, 500000000},
      {"2025-03-01T10:00:00.000Z", 1740823200, 0},
      {"2025-03-01T10:00:00.123456789Z", 1740823200, 123456789},
      {"2025-03-01T10:00:00.1234567891Z", 1740823200, 123456789},  // dropped
      {"2025-03-01T10:00:00+02:00", 1740816000, 0},
      {"2025-03-01T10:00:00-02:30", 1740832200, 0},
      {"2025-03-01T10:00:00+23:59", 1740736860, 0},
      {"2024-02-29T10:00:00Z", 1709200800, 0},
      {"2000-02-29T00:00:00Z", 951782400, 0},
      {"1970-01-01T00:00:00Z", 0, 0},
      {"1969-12-31T23:59:59.5Z", -1, 500000000},
      {"0001-01-01T00:00:00Z", -62135596800, 0},
      {"9999-12-31T23:59:59.999999999Z", 253402300799, 999999999},
      {"0001-01-01T00:00:00+01:00", -62135600400, 0},
  };
  for (const auto& c : good) {
    google::protobuf::Timestamp ts;
    ASSERT_TRUE(ParseTimestampText(c.text, &ts)) << c.text;
    EXPECT_EQ(ts.seconds(), c.seconds) << c.text;
    EXPECT_EQ(ts.nanos(), c.nanos) << c.text;
  }
  for (const char* bad : {
           "",
           "yesterday",
           "2025-03-01",
           "2025-03-01T10:00:00",        // no offset
           "2025-03-01T10:00Z",          // no seconds
           "2025-03-01 10:00:00Z",       // space for T
           "2025-3-1T10:00:00Z",         // one-digit fields
           "2025-03-01T10:00:60Z",       // leap second
           "2025-02-30T10:00:00Z",       // no such day
           "2023-02-29T10:00:00Z",       // not a leap year
           "1900-02-29T10:00:00Z",       // nor is 1900
           "2025-13-01T10:00:00Z",       // no such month
           "2025-00-01T10:00:00Z",       // nor this one
           "2025-03-00T10:00:00Z",       // nor this day
           "2025-03-01T24:00:00Z",       // no such hour
           "2025-03-01T10:60:00Z",       // no such minute
           "0000-12-31T23:59:59Z",       // year 0
           "10000-01-01T00:00:00Z",      // year 10000
           "+2025-03-01T10:00:00Z",      // signed year
           "2025-03-01T10:00:00.Z",      // empty fraction
           "2025-03-01T10:00:00.-5Z",    // signed fraction
           "2025-03-01T10:00:00+0200",   // offset without colon
           "2025-03-01T10:00:00+02",     // offset without minutes
           "2025-03-01T10:00:00+24:00",  // offset out of range
           "2025-03-01T10:00:00+02:60",  // offset out of range
           " 2025-03-01T10:00:00Z",      // padded
           "2025-03-01T10:00:00Z ",      // padded
           "2025-03-01T10:00:00ZZ",      // trailing text
           "infinite-future",
           "2025-03-01T1a:00:00Z",
       }) {
    google::protobuf::Timestamp ts;
    EXPECT_FALSE(ParseTimestampText(bad, &ts)) << bad;
  }
}

// The same instants as absl::ParseTime, which the CSV reader used before.
TEST(FieldTextTest, TimestampAgreesWithAbsl) {
  for (const char* text :
       {"1990-01-01T00:00:00Z", "2024-05-01T12:00:00.25+02:00",
        "2031-12-31T23:59:59.999-11:45", "1999-12-31T23:59:59+00:00",
        "2100-03-01T00:00:00.000001Z", "1600-02-29T12:00:00Z"}) {
    absl::Time time;
    ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &time, nullptr))
        << text;
    google::protobuf::Timestamp ts;
    ASSERT_TRUE(ParseTimestampText(text, &ts)) << text;
    EXPECT_EQ(
        absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos()),
        time)
        << text;
  }
}

TEST(FieldTextTest, Bool) {
  // protobuf's JSON parser (3.21) takes exactly these strings for a bool.
  for (const char* text :
       {"true", "TRUE", "True", "t", "T", "yes", "YES", "yEs", "y", "Y", "1"}) {
    bool value = false;
    EXPECT_TRUE(ParseBoolText(text, &value)) << text;
    EXPECT_TRUE(value) << text;
  }
  for (const char* text :
       {"false", "FALSE", "False", "f", "F", "no", "No", "n", "N", "0"}) {
    bool value = true;
    EXPECT_TRUE(ParseBoolText(text, &value)) << text;
    EXPECT_FALSE(value) << text;
  }
  for (const char* bad : {"", " true", "true ", "\ttrue", "tru", "on", "off",
                          "01", "2", "-1", "1.0", "yess", "nope"}) {
    bool value;
    EXPECT_FALSE(ParseBoolText(bad, &value)) << bad;
  }
}

TEST(FieldTextTest, SetFieldFromText) {
  v1::Event event;
  EXPECT_TRUE(SetFieldFromText(Field("customer_id"), " c 1 ", &event));
  EXPECT_TRUE(SetFieldFromText(Field("csat"), "4", &event));
  EXPECT_TRUE(SetFieldFromText(Field("hold_ms"), "5", &event));
  EXPECT_TRUE(SetFieldFromText(Field("sentiment"), "-0.5", &event));
  EXPECT_TRUE(SetFieldFromText(Field("channel"), "chat", &event));
  EXPECT_TRUE(
      SetFieldFromText(Field("occurred_at"), "2025-03-01T10:00:00Z", &event));
  EXPECT_TRUE(SetFieldFromText(Field("enrichment"), "Yes", &event));
  EXPECT_TRUE(SetFieldFromText(Field("interaction_id"), "connect:1", &event));
  EXPECT_TRUE(
      SetFieldFromText(Field("updated_at"), "2025-03-01T10:05:00Z", &event));
  EXPECT_EQ(event.customer_id(), " c 1 ");
  EXPECT_TRUE(event.enrichment());
  EXPECT_EQ(event.interaction_id(), "connect:1");
  EXPECT_EQ(event.updated_at().seconds(), 1740823500);
  EXPECT_EQ(event.csat(), 4);
  EXPECT_EQ(event.hold_ms(), 5);
  EXPECT_EQ(event.sentiment(), -0.5);
  EXPECT_EQ(event.channel(), v1::CHAT);
  EXPECT_EQ(event.occurred_at().seconds(), 1740823200);

  // A failure leaves the field as it was.
  EXPECT_FALSE(SetFieldFromText(Field("csat"), "high", &event));
  EXPECT_FALSE(SetFieldFromText(Field("occurred_at"), "today", &event));
  EXPECT_FALSE(SetFieldFromText(Field("enrichment"), "on", &event));
  EXPECT_EQ(event.csat(), 4);
  EXPECT_TRUE(event.enrichment());
  EXPECT_EQ(event.occurred_at().seconds(), 1740823200);
  // Fields without a text form.
  EXPECT_FALSE(SetFieldFromText(Field("attributes"), "x", &event));
  EXPECT_FALSE(SetFieldFromText(Field("identifiers"), "x", &event));
  EXPECT_FALSE(IsTextField(Field("attributes")));
  EXPECT_FALSE(IsTextField(Field("identifiers")));
  EXPECT_TRUE(IsTextField(Field("enrichment")));
  EXPECT_FALSE(IsTextField(nullptr));
}

TEST(FieldTextTest, Messages) {
  EXPECT_EQ(TextValueError(Field("sentiment"), "bad"),
            "must be a number, got \"bad\"");
  EXPECT_EQ(TextValueError(Field("csat"), "high"),
            "must be a whole number between -2147483648 and 2147483647, got "
            "\"high\"");
  EXPECT_EQ(TextValueError(Field("duration_ms"), "12x"),
            "must be a whole number, got \"12x\"");
  EXPECT_THAT(TextValueError(Field("occurred_at"), "today"),
              HasSubstr("must be an RFC 3339 timestamp like "
                        "2024-05-01T10:00:00Z, got \"today\""));
  EXPECT_THAT(TextValueError(Field("channel"), "fax"),
              HasSubstr("unknown value \"fax\"; expected one of voice, chat, "
                        "email, sms, web, mobile_app"));
  EXPECT_EQ(TextValueError(Field("enrichment"), "on"),
            "must be true or false, got \"on\"");
  EXPECT_EQ(ExpectedForm(Field("customer_id")), "a string");
  EXPECT_EQ(ExpectedForm(Field("identifiers")), "an array");
  EXPECT_EQ(ExpectedForm(Field("attributes")), "an object");
  EXPECT_EQ(QuoteText("a\"b\n"), "\"a\\\"b\\n\"");
  // Long text is cut at a character boundary.
  std::string long_text = std::string(63, 'x') + "\xC3\xA9" + "tail";
  EXPECT_EQ(QuoteText(long_text), "\"" + std::string(63, 'x') + "...\"");
}

}  // namespace
}  // namespace motive::model
