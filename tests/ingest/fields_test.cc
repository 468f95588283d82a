// The helpers every mapper uses: times, field paths, ids, attributes within
// the limits, and reading JSON and CSV fields with errors naming the path.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest/csv_fields.h"
#include "ingest/event_fields.h"
#include "ingest/field_path.h"
#include "ingest/json_fields.h"
#include "ingest/time_text.h"
#include "model/event_validation.h"

namespace motive::ingest {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s),
                         absl::UTCTimeZone());
}

TEST(TimeTextTest, AcceptedForms) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  const absl::Time ten = Utc(2024, 5, 1, 10, 0, 0);
  struct Case {
    const char* text;
    const absl::TimeZone& zone;
    absl::Time want;
  } cases[] = {
      {"2024-05-01T10:00:00Z", utc, ten},
      {"2024-05-01t10:00:00z", utc, ten},
      {"2024-05-01T12:00:00+02:00", utc, ten},
      {"2024-05-01T12:00:00+0200", utc, ten},
      {"2024-05-01T12:00:00+02", utc, ten},
      {"2024-05-01T07:30:00-02:30", utc, ten},
      {"2024-05-01T10:00:00.250Z", utc, ten + absl::Milliseconds(250)},
      {"2024-05-01T10:00:00.123456789123Z", utc,
       ten + absl::Nanoseconds(123456789)},
      {"2024-05-01 10:00:00", utc, ten},
      {"2024-05-01 12:00:00", paris, ten},  // naive: in the zone given
      {"2024-05-01T12:00:00Z", paris, ten + absl::Hours(2)},  // not naive
      {"2024-05-01", utc, Utc(2024, 5, 1, 0, 0, 0)},
      {"2024-02-29T00:00:00Z", utc, Utc(2024, 2, 29, 0, 0, 0)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    absl::Time time;
    ASSERT_TRUE(ParseSourceTime(c.text, c.zone, &time));
    EXPECT_EQ(time, c.want);
  }
}

TEST(TimeTextTest, RejectedForms) {
  for (const char* text :
       {"", "2024", "2024-05-01T", "2024-05-01T10:00", "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T10:00:60Z",
        "2024-05-01T10:00:00.Z", "2024-05-01T10:00:00+2",
        "2024-05-01T10:00:00 Z", "2024-05-01T10:00:00Zjunk",
        "0000-01-01T00:00:00Z", "1714557600", "2024/05/01 10:00:00"}) {
    SCOPED_TRACE(text);
    absl::Time time;
    EXPECT_FALSE(ParseSourceTime(text, absl::UTCTimeZone(), &time));
  }
}

TEST(TimeTextTest, SetTimestampBeforeTheEpoch) {
  google::protobuf::Timestamp ts;
  SetTimestamp(absl::FromUnixMillis(-1500), &ts);
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(FieldPathTest, Text) {
  const FieldPath root;
  EXPECT_EQ(root.ToString(), "");
  const FieldPath participants = root.Key("participants");
  const FieldPath first = participants.Index(0);
  const FieldPath sessions = first.Key("sessions");
  EXPECT_EQ(sessions.Index(2).Key("segmentEnd").ToString(),
            "participants[0].sessions[2].segmentEnd");
  EXPECT_EQ(root.Index(3).Key("a").ToString(), "[3].a");
}

TEST(BoundedIdTest, ShortIdsStayLongOnesAreCutAndHashed) {
  EXPECT_EQ(BoundedId("connect:abc"), "connect:abc");
  const std::string long_a = "connect:" + std::string(200, 'a');
  const std::string long_b = "connect:" + std::string(199, 'a') + "b";
  EXPECT_EQ(BoundedId(long_a).size(), model::kMaxIdBytes);
  EXPECT_NE(BoundedId(long_a), BoundedId(long_b));
  EXPECT_EQ(BoundedId(long_a), BoundedId(long_a));
  EXPECT_EQ(BoundedId(long_a).substr(0, 20), long_a.substr(0, 20));
}

TEST(TruncateUtf8Test, NeverSplitsACharacter) {
  EXPECT_EQ(TruncateUtf8("héllo", 2), "h");  // é is two bytes
  EXPECT_EQ(TruncateUtf8("héllo", 3), "hé");
  EXPECT_EQ(TruncateUtf8("abc", 10), "abc");
}

TEST(AttributeWriterTest, Limits) {
  v1::Event event;
  AttributeWriter writer(&event);
  EXPECT_TRUE(writer.String("long", std::string(2000, 'x')));
  EXPECT_EQ(event.attributes().at("long").string_value().size(),
            model::kMaxAttributeStringBytes);
  EXPECT_FALSE(writer.String(std::string(65, 'k'), "v"));
  EXPECT_FALSE(writer.String("", "v"));
  EXPECT_FALSE(writer.Number("huge", 1e16));
  EXPECT_TRUE(writer.Number("n", 1e15));
  EXPECT_TRUE(writer.Bool("b", true));
  for (int i = 0; i < 100; ++i) writer.Number(absl::StrCat("k", i), i);
  writer.Finish();
  EXPECT_EQ(event.attributes_size(), model::kMaxAttributes);
  // 3 refused above; 60 of the k's fit beside long, n and b.
  EXPECT_EQ(event.attributes().at("attributes_dropped").number_value(), 3 + 40);
}

TEST(AttributeWriterTest, ByteBudgetKeepsTheEventUnderItsLimit) {
  v1::Event event;
  AttributeWriter writer(&event);
  for (int i = 0; i < 60; ++i) {
    writer.String(absl::StrCat("key", i), std::string(1000, 'v'));
  }
  writer.Finish();
  EXPECT_LE(event.attributes_size(), 13);
  EXPECT_LT(event.ByteSizeLong(), model::kMaxEventBytes);
  EXPECT_GT(event.attributes().at("attributes_dropped").number_value(), 40);
}

class JsonFieldsTest : public ::testing::Test {
 protected:
  JsonValue Parse(const std::string& json) {
    json_ = json;
    simdjson::dom::element element;
    EXPECT_EQ(parser_.parse(json_).get(element), simdjson::SUCCESS);
    return JsonValue::Root(element);
  }
  simdjson::dom::parser parser_;
  std::string json_;
};

TEST_F(JsonFieldsTest, AbsentAndNullAreTheSame) {
  const JsonValue root = Parse(R"({"a": null, "o": {"b": null}})");
  JsonFields fields(absl::UTCTimeZone());
  EXPECT_EQ(fields.String(root, "a"), "");
  EXPECT_EQ(fields.String(root, "missing"), "");
  EXPECT_FALSE(fields.Int(fields.Object(root, "o"), "b"));
  EXPECT_FALSE(fields.Object(root, "a").present);
  EXPECT_TRUE(fields.ok());
  fields.Int(fields.Object(root, "o"), "b", Need::kRequired);
  EXPECT_EQ(base::ErrorField(fields.status()), "o.b");
}

TEST_F(JsonFieldsTest, RequiredItemsOfAnArray) {
  const JsonValue root = Parse(R"({"list": ["a", null]})");
  JsonFields fields(absl::UTCTimeZone());
  std::vector<std::string> seen;
  fields.ForEachItem(fields.Array(root, "list"), [&](const JsonValue& item) {
    seen.emplace_back(fields.AsString(item, Need::kRequired));
  });
  EXPECT_EQ(seen, std::vector<std::string>({"a", ""}));
  EXPECT_EQ(base::ErrorField(fields.status()), "list[1]");
  EXPECT_EQ(base::ErrorReason(fields.status()), "required, but missing");
}

TEST_F(JsonFieldsTest, NumbersAsStringsAndWholeDoubles) {
  const JsonValue root = Parse(
      R"({"i": "12", "d": "1.5", "w": 3.0, "big": 18446744073709551615})");
  JsonFields fields(absl::UTCTimeZone());
  EXPECT_EQ(fields.Int(root, "i"), 12);
  EXPECT_EQ(fields.Number(root, "d"), 1.5);
  EXPECT_EQ(fields.Int(root, "w"), 3);
  EXPECT_TRUE(fields.ok());
  EXPECT_FALSE(fields.Int(root, "big"));
  EXPECT_EQ(base::ErrorField(fields.status()), "big");
}

TEST_F(JsonFieldsTest, FirstErrorIsKept) {
  const JsonValue root = Parse(R"({"a": 1, "b": true, "list": [1, "x"]})");
  JsonFields fields(absl::UTCTimeZone());
  fields.String(root, "a");
  fields.String(root, "b");
  EXPECT_EQ(base::ErrorField(fields.status()), "a");
  EXPECT_EQ(base::ErrorReason(fields.status()),
            "must be a string, got a number");

  JsonFields items(absl::UTCTimeZone());
  std::vector<double> seen;
  items.ForEachItem(items.Array(root, "list"), [&](const JsonValue& item) {
    if (auto n = items.AsNumber(item)) seen.push_back(*n);
  });
  EXPECT_EQ(seen, std::vector<double>{1});
  EXPECT_EQ(base::ErrorField(items.status()), "list[1]");
}

TEST_F(JsonFieldsTest, DurationsAndTimes) {
  const JsonValue root =
      Parse(R"({"s": 1.5, "neg": -1, "t": 1714557600000, "bad": true})");
  JsonFields fields(absl::UTCTimeZone());
  EXPECT_EQ(fields.Duration(root, "s", absl::Seconds(1)),
            absl::Milliseconds(1500));
  EXPECT_EQ(fields.Time(root, "t"), Utc(2024, 5, 1, 10, 0, 0));
  EXPECT_TRUE(fields.ok());
  fields.Time(root, "bad");
  EXPECT_THAT(base::ErrorReason(fields.status()),
              HasSubstr("or epoch milliseconds, got a bool"));
}

TEST_F(JsonFieldsTest, AsWritten) {
  const JsonValue root = Parse(R"({"s": "x y", "n": 17, "o": {"a": [1]}})");
  JsonFields fields(absl::UTCTimeZone());
  EXPECT_EQ(AsWritten(fields.Member(root, "s")), "x y");
  EXPECT_EQ(AsWritten(fields.Member(root, "n")), "17");
  EXPECT_EQ(AsWritten(fields.Member(root, "o")), R"({"a":[1]})");
}

TEST(CsvFieldsTest, ReadsByColumnNameWithErrorsNamingTheColumn) {
  const CsvHeader header({" Id ", "created_at", "Score", "name"});
  const std::vector<std::string> cells = {"7", "2024-05-01 12:00:00", "x",
                                          " Ann "};
  const CsvRecord row(header, cells);
  absl::TimeZone paris;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Paris", &paris));
  CsvFields fields(paris);
  EXPECT_EQ(fields.Int(row, "ID"), 7);
  EXPECT_EQ(fields.Time(row, "created_at"), Utc(2024, 5, 1, 10, 0, 0));
  EXPECT_EQ(fields.String(row, "name"), " Ann ");  // strings verbatim
  EXPECT_EQ(fields.String(row, "missing"), "");
  EXPECT_TRUE(fields.ok());
  fields.Number(row, "score");
  EXPECT_EQ(base::ErrorField(fields.status()), "score");
  EXPECT_EQ(base::ErrorReason(fields.status()), "must be a number, got \"x\"");

  CsvFields required(paris);
  required.String(row, "missing", Need::kRequired);
  EXPECT_EQ(base::ErrorReason(required.status()), "required, but missing");
}

}  // namespace
}  // namespace motive::ingest
