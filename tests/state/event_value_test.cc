// The `event` variable: every field of event.proto with its type, unset
// optional fields absent, attributes by kind, and single-field reads.

#include "state/event_value.h"

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "expr/environment.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"

namespace motive::state {
namespace {

using expr::MapValue;
using expr::Value;
using expr::ValueKind;
using ::testing::HasSubstr;

v1::Event FullEvent() {
  v1::Event event;
  event.set_event_id("e-1");
  event.set_customer_id("c-1");
  event.mutable_occurred_at()->set_seconds(1714557600);  // 2024-05-01T10:00Z
  event.mutable_occurred_at()->set_nanos(250000000);
  event.mutable_recorded_at()->set_seconds(1714557660);
  event.set_channel(v1::MOBILE_APP);
  event.set_type("contact");
  event.set_moment(v1::INTERIM);
  event.set_stage(v1::LOYALTY);
  event.set_topic("billing");
  event.set_outcome(v1::UNRESOLVED);
  event.set_sentiment(-0.5);
  event.set_duration_ms(90000);
  event.set_hold_ms(30000);
  event.set_transfers(2);
  event.set_agent_id("a-7");
  event.set_queue("care");
  event.set_value(12.5);
  event.set_currency("EUR");
  event.set_csat(2);
  event.set_nps(6);
  (*event.mutable_attributes())["plan"].set_string_value("gold");
  (*event.mutable_attributes())["seats"].set_number_value(3);
  (*event.mutable_attributes())["autopay"].set_bool_value(true);
  return event;
}

const Value* Find(const Value& map, absl::string_view key) {
  EXPECT_EQ(map.kind(), ValueKind::kMap);
  return map.map().Find(Value::String(key));
}

class EventValueTest : public ::testing::Test {
 protected:
  EventValueTest() {
    EXPECT_TRUE(
        env_.DeclareVariable("event", expr::Type::Map(expr::Type::String(),
                                                      expr::Type::Dyn()))
            .ok());
  }

  // `source` evaluated with `event` bound to the event's value.
  Value Eval(const std::string& source, const v1::Event& event) {
    auto program = expr::Program::Compile(source, env_);
    EXPECT_TRUE(program.ok()) << source << ": " << program.status();
    if (!program.ok()) return Value::Error("did not compile");
    programs_.push_back(*std::move(program));
    expr::Activation activation(env_);
    activation.Bind(0, EventToValue(event, &arena_));
    return programs_.back()->Evaluate(activation, &arena_);
  }

  expr::Environment env_;
  expr::Arena arena_;
  std::vector<std::unique_ptr<expr::Program>> programs_;
};

TEST_F(EventValueTest, EveryFieldWithItsType) {
  const v1::Event event = FullEvent();
  const Value value = EventToValue(event, &arena_);
  ASSERT_EQ(value.kind(), ValueKind::kMap);
  EXPECT_EQ(value.map().size(), kEventFieldCount);

  auto text = [&](absl::string_view key) {
    const Value* v = Find(value, key);
    EXPECT_NE(v, nullptr) << key;
    if (v == nullptr) return std::string("<absent>");
    EXPECT_EQ(v->kind(), ValueKind::kString) << key;
    return std::string(v->text());
  };
  auto integer = [&](absl::string_view key) {
    const Value* v = Find(value, key);
    EXPECT_NE(v, nullptr) << key;
    if (v == nullptr) return int64_t{-999};
    EXPECT_EQ(v->kind(), ValueKind::kInt) << key;
    return v->int_value();
  };
  auto number = [&](absl::string_view key) {
    const Value* v = Find(value, key);
    EXPECT_NE(v, nullptr) << key;
    if (v == nullptr) return -999.0;
    EXPECT_EQ(v->kind(), ValueKind::kDouble) << key;
    return v->double_value();
  };

  EXPECT_EQ(text("event_id"), "e-1");
  EXPECT_EQ(text("customer_id"), "c-1");
  EXPECT_EQ(text("channel"), "mobile_app");
  EXPECT_EQ(text("type"), "contact");
  EXPECT_EQ(text("moment"), "interim");
  EXPECT_EQ(text("stage"), "loyalty");
  EXPECT_EQ(text("topic"), "billing");
  EXPECT_EQ(text("outcome"), "unresolved");
  EXPECT_EQ(text("agent_id"), "a-7");
  EXPECT_EQ(text("queue"), "care");
  EXPECT_EQ(text("currency"), "EUR");
  EXPECT_EQ(number("sentiment"), -0.5);
  EXPECT_EQ(number("value"), 12.5);
  EXPECT_EQ(integer("duration_ms"), 90000);
  EXPECT_EQ(integer("hold_ms"), 30000);
  EXPECT_EQ(integer("transfers"), 2);
  EXPECT_EQ(integer("csat"), 2);
  EXPECT_EQ(integer("nps"), 6);

  const Value* occurred = Find(value, "occurred_at");
  ASSERT_NE(occurred, nullptr);
  ASSERT_EQ(occurred->kind(), ValueKind::kTimestamp);
  EXPECT_EQ(occurred->timestamp(),
            absl::FromUnixSeconds(1714557600) + absl::Milliseconds(250));
  const Value* recorded = Find(value, "recorded_at");
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(recorded->timestamp(), absl::FromUnixSeconds(1714557660));

  const Value* attributes = Find(value, "attributes");
  ASSERT_NE(attributes, nullptr);
  ASSERT_EQ(attributes->kind(), ValueKind::kMap);
  EXPECT_EQ(attributes->map().size(), 3);
}

TEST_F(EventValueTest, UnsetOptionalsAreAbsentAndTextIsEmpty) {
  v1::Event event;
  event.set_customer_id("c-1");
  event.set_type("web_visit");
  const Value value = EventToValue(event, &arena_);
  for (absl::string_view key :
       {"occurred_at", "recorded_at", "sentiment", "duration_ms", "hold_ms",
        "transfers", "value", "csat", "nps"}) {
    EXPECT_EQ(Find(value, key), nullptr) << key;
  }
  // Fields without presence are there, empty.
  for (absl::string_view key :
       {"event_id", "topic", "agent_id", "queue", "currency", "channel",
        "moment", "stage", "outcome"}) {
    const Value* v = Find(value, key);
    ASSERT_NE(v, nullptr) << key;
    EXPECT_EQ(v->kind(), ValueKind::kString) << key;
    EXPECT_EQ(v->text(), "") << key;
  }
  const Value* attributes = Find(value, "attributes");
  ASSERT_NE(attributes, nullptr);
  EXPECT_EQ(attributes->map().size(), 0);
}

TEST_F(EventValueTest, ZeroOptionalsArePresent) {
  v1::Event event;
  event.set_sentiment(0);
  event.set_transfers(0);
  event.set_value(0);
  const Value value = EventToValue(event, &arena_);
  ASSERT_NE(Find(value, "sentiment"), nullptr);
  EXPECT_EQ(Find(value, "sentiment")->double_value(), 0);
  ASSERT_NE(Find(value, "transfers"), nullptr);
  ASSERT_NE(Find(value, "value"), nullptr);
}

TEST_F(EventValueTest, AttributeKinds) {
  v1::Event event = FullEvent();
  auto& attributes = *event.mutable_attributes();
  attributes["none"].set_null_value(google::protobuf::NULL_VALUE);
  attributes["list"].mutable_list_value()->add_values()->set_number_value(1);
  const Value value = EventToValue(event, &arena_);
  const Value* map = Find(value, "attributes");
  ASSERT_NE(map, nullptr);
  // Only strings, numbers and booleans are shown.
  EXPECT_EQ(map->map().size(), 3);
  const Value* plan = Find(*map, "plan");
  ASSERT_NE(plan, nullptr);
  EXPECT_EQ(plan->kind(), ValueKind::kString);
  EXPECT_EQ(plan->text(), "gold");
  const Value* seats = Find(*map, "seats");
  ASSERT_NE(seats, nullptr);
  EXPECT_EQ(seats->kind(), ValueKind::kDouble);
  EXPECT_EQ(seats->double_value(), 3);
  const Value* autopay = Find(*map, "autopay");
  ASSERT_NE(autopay, nullptr);
  EXPECT_EQ(autopay->kind(), ValueKind::kBool);
  EXPECT_TRUE(autopay->bool_value());
  EXPECT_EQ(Find(*map, "none"), nullptr);
  EXPECT_EQ(Find(*map, "list"), nullptr);
}

TEST_F(EventValueTest, EnumNames) {
  EXPECT_EQ(ChannelName(v1::VOICE), "voice");
  EXPECT_EQ(ChannelName(v1::REVIEW_SITE), "review_site");
  EXPECT_EQ(ChannelName(v1::CHANNEL_UNSPECIFIED), "");
  EXPECT_EQ(ChannelName(99), "");
  EXPECT_EQ(ChannelName(-1), "");
  EXPECT_EQ(MomentName(v1::LESS_THAN_ZERO), "less_than_zero");
  EXPECT_EQ(MomentName(v1::THIRD), "third");
  EXPECT_EQ(StageName(v1::ADVOCACY), "advocacy");
  EXPECT_EQ(StageName(v1::STAGE_UNSPECIFIED), "");
  EXPECT_EQ(OutcomeName(v1::CALLBACK), "callback");
  EXPECT_EQ(OutcomeName(v1::OUTCOME_UNSPECIFIED), "");

  // An enum number the proto does not define reads as unspecified.
  v1::Event event;
  event.set_channel(static_cast<v1::Channel>(42));
  const Value* channel = Find(EventToValue(event, &arena_), "channel");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->text(), "");
}

TEST_F(EventValueTest, FiltersSeeTheEvent) {
  const v1::Event event = FullEvent();
  v1::Event voice = event;
  voice.set_channel(v1::VOICE);
  const std::string filter =
      "event.channel == 'voice' && event.sentiment < -0.3";
  EXPECT_EQ(DebugString(Eval(filter, voice)), "true");
  EXPECT_EQ(DebugString(Eval(filter, event)), "false");
  EXPECT_EQ(DebugString(Eval("event.attributes.plan == 'gold' && "
                             "event.attributes.seats > 2 && "
                             "event.attributes.autopay",
                             event)),
            "true");
  EXPECT_EQ(
      DebugString(
          Eval("event.occurred_at > timestamp('2024-05-01T09:59:59Z')", event)),
      "true");
  EXPECT_EQ(DebugString(Eval("event.value > 10", event)), "true");

  v1::Event bare;
  bare.set_channel(v1::VOICE);
  EXPECT_EQ(DebugString(Eval("has(event.sentiment)", event)), "true");
  EXPECT_EQ(DebugString(Eval("has(event.sentiment)", bare)), "false");
  // Reading an absent field is an error, which filters count as no match.
  EXPECT_TRUE(Eval(filter, bare).is_error());
  EXPECT_EQ(DebugString(Eval("event.topic == 'billing'", bare)), "false");
}

TEST_F(EventValueTest, ReadsOneField) {
  const v1::Event event = FullEvent();
  auto read = [&](absl::string_view path, Value* out) {
    absl::StatusOr<EventFieldPath> parsed = EventFieldPath::Parse(path);
    EXPECT_TRUE(parsed.ok()) << path << ": " << parsed.status();
    return parsed.ok() && ReadEventField(event, *parsed, &arena_, out);
  };
  Value v;
  ASSERT_TRUE(read("value", &v));
  EXPECT_EQ(v.double_value(), 12.5);
  ASSERT_TRUE(read("topic", &v));
  EXPECT_EQ(v.text(), "billing");
  ASSERT_TRUE(read("hold_ms", &v));
  EXPECT_EQ(v.int_value(), 30000);
  ASSERT_TRUE(read("channel", &v));
  EXPECT_EQ(v.text(), "mobile_app");
  ASSERT_TRUE(read("attributes.plan", &v));
  EXPECT_EQ(v.text(), "gold");
  ASSERT_TRUE(read("attributes.seats", &v));
  EXPECT_EQ(v.double_value(), 3);
  ASSERT_TRUE(read("attributes", &v));
  EXPECT_EQ(v.kind(), ValueKind::kMap);
  EXPECT_FALSE(read("attributes.missing", &v));

  v1::Event bare;
  absl::StatusOr<EventFieldPath> sentiment = EventFieldPath::Parse("sentiment");
  ASSERT_TRUE(sentiment.ok());
  EXPECT_FALSE(ReadEventField(bare, *sentiment, &arena_, &v));
}

EventFieldMask Bit(EventField field) {
  return EventFieldMask{1} << static_cast<int>(field);
}

EventFieldMask FieldsRead(const std::string& source) {
  absl::StatusOr<expr::ParsedExpr> parsed = expr::Parse(source);
  EXPECT_TRUE(parsed.ok()) << source << ": " << parsed.status();
  return parsed.ok() ? EventFieldsRead(*parsed->root) : 0;
}

TEST(EventFieldsReadTest, SelectedFields) {
  EXPECT_EQ(FieldsRead("event.channel == 'voice' && event.sentiment < -0.3"),
            Bit(EventField::kChannel) | Bit(EventField::kSentiment));
  EXPECT_EQ(FieldsRead("has(event.value)"), Bit(EventField::kValue));
  EXPECT_EQ(FieldsRead("event.attributes.plan == 'gold'"),
            Bit(EventField::kAttributes));
  EXPECT_EQ(FieldsRead(".event.topic == 'billing'"), Bit(EventField::kTopic));
  EXPECT_EQ(FieldsRead("{'a': event.queue}.a == 'q' || [event.nps][0] > 8"),
            Bit(EventField::kQueue) | Bit(EventField::kNps));
  EXPECT_EQ(FieldsRead("[1].exists(x, x > 0) && event.type == 'a'"),
            Bit(EventField::kType));
  EXPECT_EQ(FieldsRead("event.occurred_at.getHours() > 17"),
            Bit(EventField::kOccurredAt));
  // Names that are not fields, and no event at all.
  EXPECT_EQ(FieldsRead("event.bogus == 1"), 0);
  EXPECT_EQ(FieldsRead("1 == 1"), 0);
}

TEST(EventFieldsReadTest, OtherUsesTakeEverything) {
  EXPECT_EQ(FieldsRead("size(event) > 3"), kAllEventFields);
  EXPECT_EQ(FieldsRead("event['channel'] == 'voice'"), kAllEventFields);
  EXPECT_EQ(FieldsRead("'topic' in event"), kAllEventFields);
  EXPECT_EQ(FieldsRead("[1, 2].exists(event, event > 1)"), kAllEventFields);
}

TEST_F(EventValueTest, OnlyTheFieldsAsked) {
  const v1::Event event = FullEvent();
  const Value value = EventToValue(
      event, &arena_, Bit(EventField::kTopic) | Bit(EventField::kSentiment));
  ASSERT_EQ(value.kind(), ValueKind::kMap);
  EXPECT_EQ(DebugString(value),
            "{\"topic\": \"billing\", \"sentiment\": -0.5}");
  // An absent field stays absent.
  EXPECT_EQ(DebugString(EventToValue(v1::Event(), &arena_,
                                     Bit(EventField::kSentiment))),
            "{}");
  EXPECT_EQ(EventToValue(event, &arena_, 0).map().size(), 0);
}

TEST(EventFieldPathTest, ParsesFieldsAndAttributes) {
  absl::StatusOr<EventFieldPath> path = EventFieldPath::Parse("duration_ms");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->field, EventField::kDurationMs);
  EXPECT_EQ(path->attribute, "");
  path = EventFieldPath::Parse("attributes.a.b");
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(path->field, EventField::kAttributes);
  EXPECT_EQ(path->attribute, "a.b");
  for (int i = 0; i < kEventFieldCount; ++i) {
    const EventField field = static_cast<EventField>(i);
    path = EventFieldPath::Parse(EventFieldName(field));
    ASSERT_TRUE(path.ok()) << EventFieldName(field);
    EXPECT_EQ(path->field, field);
  }
  for (absl::string_view bad :
       {"", "bogus", "attributes.", "Value", "value "}) {
    path = EventFieldPath::Parse(bad);
    EXPECT_EQ(path.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(path.status().message(), HasSubstr("unknown event field"));
  }
}

TEST(EventFieldPathTest, NumericFields) {
  for (EventField field :
       {EventField::kSentiment, EventField::kDurationMs, EventField::kHoldMs,
        EventField::kTransfers, EventField::kValue, EventField::kCsat,
        EventField::kNps}) {
    EXPECT_TRUE(IsNumericField(field)) << EventFieldName(field);
  }
  for (EventField field : {EventField::kTopic, EventField::kChannel,
                           EventField::kOccurredAt, EventField::kAttributes}) {
    EXPECT_FALSE(IsNumericField(field)) << EventFieldName(field);
  }
}

}  // namespace
}  // namespace motive::state
