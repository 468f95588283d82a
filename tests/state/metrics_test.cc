// User-defined metrics: configuration checks, what Extract samples, and the
// sliding-window answers of MetricSeries at their edges, with late samples
// and eviction, against a brute-force reference.

#include "state/metrics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace motive::state {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr int64_t kMinute = int64_t{60} * 1000 * 1000;
constexpr int64_t kDay = 24 * 60 * kMinute;
constexpr int64_t kT0 = int64_t{1714557600} * 1000 * 1000;  // 2024-05-01

v1::ContextConfig Config(const std::string& text) {
  v1::ContextConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &config))
      << text;
  return config;
}

absl::StatusOr<std::unique_ptr<MetricSet>> Compile(const std::string& text) {
  return MetricSet::Compile(Config(text).metrics());
}

std::string Show(const MetricResult& result, const Interner& strings) {
  switch (result.kind) {
    case MetricResult::Kind::kNull:
      return "null";
    case MetricResult::Kind::kNumber:
      return absl::StrCat(result.number);
    case MetricResult::Kind::kText:
      return absl::StrCat("'", strings.View(result.text), "'");
  }
  return "?";
}

MetricSample Number(int64_t time_us, double number) {
  MetricSample sample;
  sample.time_us = time_us;
  sample.number = number;
  return sample;
}

MetricSample Text(int64_t time_us, uint32_t text) {
  MetricSample sample;
  sample.time_us = time_us;
  sample.text = text;
  sample.is_text = true;
  return sample;
}

// --- configuration ----------------------------------------------------------

TEST(MetricSetTest, CompilesDefinitions) {
  auto set = Compile(R"pb(
    metrics { name: "calls_30d" aggregation: COUNT window: "30d" }
    metrics { name: "spend_1y" aggregation: SUM field: "value" window: "1y" }
    metrics { name: "m15" aggregation: MAX field: "hold_ms" window: "15m" }
    metrics { name: "h12" aggregation: MIN field: "sentiment" window: "12h" }
    metrics { name: "w2" aggregation: LAST field: "topic" window: "2w" }
    metrics {
      name: "plans"
      aggregation: DISTINCT_COUNT
      field: "attributes.plan"
      window: "10y"
    }
  )pb");
  ASSERT_TRUE(set.ok()) << set.status();
  ASSERT_EQ((*set)->size(), 6);
  EXPECT_EQ((*set)->definition(1).name(), "spend_1y");
  EXPECT_EQ((*set)->window_us(0), 30 * kDay);
  EXPECT_EQ((*set)->window_us(1), 365 * kDay);
  EXPECT_EQ((*set)->window_us(2), 15 * kMinute);
  EXPECT_EQ((*set)->window_us(3), 12 * 60 * kMinute);
  EXPECT_EQ((*set)->window_us(4), 14 * kDay);
  EXPECT_EQ((*set)->window_us(5), 3650 * kDay);
  EXPECT_EQ((*set)->max_window_us(), 3650 * kDay);
}

TEST(MetricSetTest, EmptySet) {
  auto set = Compile("");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->size(), 0);
  EXPECT_EQ((*set)->max_window_us(), 0);
  Interner strings;
  int calls = 0;
  (*set)->Extract(v1::Event(), strings,
                  [&](size_t, const MetricSample&) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(MetricSetTest, AcceptsLongestNameAndWindowLimits) {
  const std::string name(64, 'a');
  auto set = Compile(absl::StrCat(
      "metrics { name: '", name, "' aggregation: COUNT window: '1m' }",
      "metrics { name: 'b' aggregation: COUNT window: '3650d' }",
      "metrics { name: 'c9_x' aggregation: COUNT window: '0010y' }",
      // A filter of type dyn is checked when it runs.
      "metrics { name: 'd' aggregation: COUNT window: '1d' ",
      "filter: 'event.attributes.vip' }"));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ((*set)->window_us(0), kMinute);
  EXPECT_EQ((*set)->window_us(1), 3650 * kDay);
  EXPECT_EQ((*set)->window_us(2), 3650 * kDay);
}

struct BadConfig {
  std::string definition;  // the inside of metrics { }
  std::vector<std::string> message_parts;
};

TEST(MetricSetTest, ConfigErrorsNameTheMetricAndTheProblem) {
  const std::vector<BadConfig> cases = {
      {"name: 'Calls' aggregation: COUNT window: '1d'",
       {"metrics[0]", "\"Calls\"", "[a-z][a-z0-9_]*"}},
      {"name: '' aggregation: COUNT window: '1d'", {"metrics[0]", "name"}},
      {"name: '1x' aggregation: COUNT window: '1d'", {"metrics[0]", "\"1x\""}},
      {"name: 'a-b' aggregation: COUNT window: '1d'", {"metrics[0]", "a-b"}},
      {absl::StrCat("name: '", std::string(65, 'a'),
                    "' aggregation: COUNT window: '1d'"),
       {"metrics[0]", "64 bytes"}},
      {"name: 'm' window: '1d'", {"metric m:", "aggregation"}},
      {"name: 'm' aggregation: 42 window: '1d'", {"metric m:", "aggregation"}},
      {"name: 'm' aggregation: SUM window: '1d'",
       {"metric m:", "SUM needs a field"}},
      {"name: 'm' aggregation: LAST window: '1d'",
       {"metric m:", "LAST needs a field"}},
      {"name: 'm' aggregation: COUNT field: 'value' window: '1d'",
       {"metric m:", "COUNT takes no field"}},
      {"name: 'm' aggregation: LAST field: 'colour' window: '1d'",
       {"metric m:", "unknown event field \"colour\""}},
      {"name: 'm' aggregation: LAST field: 'attributes.' window: '1d'",
       {"metric m:", "unknown event field"}},
      {"name: 'm' aggregation: SUM field: 'topic' window: '1d'",
       {"metric m:", "SUM needs a numeric field", "\"topic\" is text"}},
      {"name: 'm' aggregation: AVG field: 'channel' window: '1d'",
       {"metric m:", "AVG needs a numeric field"}},
      {"name: 'm' aggregation: LAST field: 'occurred_at' window: '1d'",
       {"metric m:", "timestamp"}},
      {"name: 'm' aggregation: DISTINCT_COUNT field: 'attributes' "
       "window: '1d'",
       {"metric m:", "attributes.<key>"}},
      {"name: 'm' aggregation: COUNT", {"metric m:", "needs a window"}},
      {"name: 'm' aggregation: COUNT window: '30x'",
       {"metric m:", "window \"30x\"", "unit"}},
      {"name: 'm' aggregation: COUNT window: '30'", {"metric m:", "\"30\""}},
      {"name: 'm' aggregation: COUNT window: 'd'", {"metric m:", "\"d\""}},
      {"name: 'm' aggregation: COUNT window: '+5d'", {"metric m:", "\"+5d\""}},
      {"name: 'm' aggregation: COUNT window: '5 d'", {"metric m:", "\"5 d\""}},
      {"name: 'm' aggregation: COUNT window: '30s'", {"metric m:", "\"30s\""}},
      {"name: 'm' aggregation: COUNT window: '30D'", {"metric m:", "\"30D\""}},
      {"name: 'm' aggregation: COUNT window: '0m'",
       {"metric m:", "from 1m to 10y"}},
      {"name: 'm' aggregation: COUNT window: '3651d'",
       {"metric m:", "from 1m to 10y"}},
      {"name: 'm' aggregation: COUNT window: '11y'",
       {"metric m:", "from 1m to 10y"}},
      {"name: 'm' aggregation: COUNT window: '99999999999999999999999m'",
       {"metric m:", "from 1m to 10y"}},
      {"name: 'm' aggregation: COUNT window: '1d' filter: 'event.channel =='",
       {"metric m: filter: ", "line 1, column"}},
      {"name: 'm' aggregation: COUNT window: '1d' filter: 'customer.vip'",
       {"metric m: filter: ", "line 1, column 1", "customer"}},
      {"name: 'm' aggregation: COUNT window: '1d' filter: '1 + 2'",
       {"metric m:", "filter must be a bool expression", "int"}},
  };
  for (const BadConfig& bad : cases) {
    auto set = Compile(absl::StrCat("metrics { ", bad.definition, " }"));
    ASSERT_FALSE(set.ok()) << bad.definition;
    EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& part : bad.message_parts) {
      EXPECT_THAT(set.status().message(), HasSubstr(part)) << bad.definition;
    }
  }
}

TEST(MetricSetTest, DuplicateNames) {
  auto set = Compile(R"pb(
    metrics { name: "a" aggregation: COUNT window: "1d" }
    metrics { name: "b" aggregation: COUNT window: "1d" }
    metrics { name: "a" aggregation: SUM field: "value" window: "2d" }
  )pb");
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(),
              AllOf(HasSubstr("metric a:"), HasSubstr("declared twice")));
}

TEST(MetricSetTest, ErrorNamesTheFailingMetricAmongGoodOnes) {
  auto set = Compile(R"pb(
    metrics { name: "good" aggregation: COUNT window: "1d" }
    metrics { name: "bad" aggregation: MAX field: "queue" window: "1d" }
  )pb");
  ASSERT_FALSE(set.ok());
  EXPECT_THAT(set.status().message(), HasSubstr("metric bad:"));
}

// --- Extract -----------------------------------------------------------------

v1::Event Contact(int64_t time_us, v1::Channel channel) {
  v1::Event event;
  event.set_customer_id("c");
  event.set_type("contact");
  event.set_channel(channel);
  event.mutable_occurred_at()->set_seconds(time_us / 1000000);
  event.mutable_occurred_at()->set_nanos((time_us % 1000000) * 1000);
  return event;
}

class ExtractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = Compile(R"pb(
      metrics {
        name: "angry_calls"
        aggregation: COUNT
        window: "30d"
        filter: "event.channel == 'voice' && event.sentiment < -0.3"
      }
      metrics { name: "spend" aggregation: SUM field: "value" window: "1y" }
      metrics {
        name: "last_topic"
        aggregation: LAST
        field: "topic"
        window: "90d"
      }
      metrics {
        name: "seats"
        aggregation: MAX
        field: "attributes.seats"
        window: "90d"
      }
      metrics {
        name: "plan"
        aggregation: LAST
        field: "attributes.plan"
        window: "90d"
        filter: "event.type == 'purchase'"
      }
      metrics { name: "all" aggregation: COUNT window: "1d" }
    )pb");
    ASSERT_TRUE(set.ok()) << set.status();
    set_ = *std::move(set);
  }

  // The (metric, sample) pairs Extract calls back with.
  std::vector<std::pair<size_t, MetricSample>> Extract(const v1::Event& e) {
    std::vector<std::pair<size_t, MetricSample>> out;
    set_->Extract(e, strings_, [&](size_t metric, const MetricSample& s) {
      out.emplace_back(metric, s);
    });
    return out;
  }

  std::vector<size_t> Metrics(const v1::Event& e) {
    std::vector<size_t> out;
    for (const auto& [metric, sample] : Extract(e)) out.push_back(metric);
    return out;
  }

  std::unique_ptr<MetricSet> set_;
  Interner strings_;
};

TEST_F(ExtractTest, FilterSelectsEvents) {
  v1::Event angry = Contact(kT0 + 123, v1::VOICE);
  angry.set_sentiment(-0.6);
  auto samples = Extract(angry);
  ASSERT_EQ(samples.size(), 2);
  EXPECT_EQ(samples[0].first, 0);
  EXPECT_EQ(samples[0].second.time_us, kT0 + 123);
  EXPECT_FALSE(samples[0].second.is_text);
  EXPECT_EQ(samples[1].first, 5);

  v1::Event calm = angry;
  calm.set_sentiment(-0.3);  // not below -0.3
  EXPECT_EQ(Metrics(calm), std::vector<size_t>({5}));
  v1::Event chat = angry;
  chat.set_channel(v1::CHAT);
  EXPECT_EQ(Metrics(chat), std::vector<size_t>({5}));
  // No sentiment: the filter fails at run time, which rejects the event for
  // that metric only.
  v1::Event unknown = Contact(kT0, v1::VOICE);
  EXPECT_EQ(Metrics(unknown), std::vector<size_t>({5}));
}

TEST_F(ExtractTest, FieldsBecomeNumbersOrText) {
  v1::Event purchase = Contact(kT0, v1::WEB);
  purchase.set_type("purchase");
  purchase.set_value(49.5);
  purchase.set_topic("upgrade");
  (*purchase.mutable_attributes())["seats"].set_number_value(12);
  (*purchase.mutable_attributes())["plan"].set_string_value("gold");
  auto samples = Extract(purchase);
  ASSERT_EQ(samples.size(), 5);
  EXPECT_EQ(samples[0].first, 1);
  EXPECT_EQ(samples[0].second.number, 49.5);
  EXPECT_EQ(samples[1].first, 2);
  EXPECT_TRUE(samples[1].second.is_text);
  EXPECT_EQ(strings_.View(samples[1].second.text), "upgrade");
  EXPECT_EQ(samples[2].first, 3);
  EXPECT_EQ(samples[2].second.number, 12);
  EXPECT_EQ(samples[3].first, 4);
  EXPECT_EQ(strings_.View(samples[3].second.text), "gold");
  EXPECT_EQ(samples[4].first, 5);
}

TEST_F(ExtractTest, MissingAndUnusableFieldsAreSkipped) {
  v1::Event event = Contact(kT0, v1::EMAIL);
  // No value, an empty topic, a text seats attribute (MAX needs a number),
  // not a purchase.
  (*event.mutable_attributes())["seats"].set_string_value("many");
  EXPECT_EQ(Metrics(event), std::vector<size_t>({5}));

  // A boolean counts as 1 or 0.
  (*event.mutable_attributes())["seats"].set_bool_value(true);
  auto samples = Extract(event);
  ASSERT_EQ(samples.size(), 2);
  EXPECT_EQ(samples[0].first, 3);
  EXPECT_EQ(samples[0].second.number, 1);
}

TEST_F(ExtractTest, ManyThreadsAtOnce) {
  v1::Event angry = Contact(kT0, v1::VOICE);
  angry.set_sentiment(-0.9);
  angry.set_topic("billing");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::vector<size_t> metrics;
        set_->Extract(angry, strings_, [&](size_t metric, const MetricSample&) {
          metrics.push_back(metric);
        });
        if (metrics != std::vector<size_t>({0, 2, 5})) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(MetricSetExtractTest, FilterUsingTheWholeEvent) {
  // Indexing `event` rather than selecting its fields sees every field.
  auto set = Compile(
      "metrics { name: 'm' aggregation: COUNT window: '1d' "
      "filter: \"event['channel'] == 'voice' && size(event) > 10\" }");
  ASSERT_TRUE(set.ok()) << set.status();
  Interner strings;
  int count = 0;
  auto add = [&](size_t, const MetricSample&) { ++count; };
  (*set)->Extract(Contact(kT0, v1::VOICE), strings, add);
  (*set)->Extract(Contact(kT0, v1::CHAT), strings, add);
  EXPECT_EQ(count, 1);
}

// A filter that would build more than one evaluation may is cut, and the
// event is left out of that metric, as for any filter error.
TEST(MetricSetExtractTest, RunawayFilterLeavesTheEventOut) {
  auto filter = [](int n) {
    return absl::StrCat(
        "metrics { name: 'm' aggregation: COUNT window: '1d' filter: \"[",
        absl::StrJoin(std::vector<int>(n, 1), ","),
        "].map(i, event.attributes.note + 'x').size() > 0\" }");
  };
  v1::Event event = Contact(kT0, v1::VOICE);
  (*event.mutable_attributes())["note"].set_string_value(
      std::string(1000, 'n'));
  Interner strings;
  int count = 0;
  auto add = [&](size_t, const MetricSample&) { ++count; };
  auto fits = Compile(filter(10));
  ASSERT_TRUE(fits.ok()) << fits.status();
  (*fits)->Extract(event, strings, add);
  EXPECT_EQ(count, 1);
  // 5000 strings of 1001 bytes: past the 4 MiB an evaluation may build.
  auto runaway = Compile(filter(5000));
  ASSERT_TRUE(runaway.ok()) << runaway.status();
  (*runaway)->Extract(event, strings, add);
  EXPECT_EQ(count, 1);
}

TEST(MetricSetExtractTest, TwoSetsOnOneThread) {
  // Each set binds `event` in its own environment, even when a thread
  // alternates between sets.
  auto voice = Compile(
      "metrics { name: 'm' aggregation: COUNT window: '1d' "
      "filter: \"event.channel == 'voice'\" }");
  auto chat = Compile(
      "metrics { name: 'm' aggregation: COUNT window: '1d' "
      "filter: \"event.channel == 'chat'\" }");
  ASSERT_TRUE(voice.ok() && chat.ok());
  Interner strings;
  for (int i = 0; i < 3; ++i) {
    int count = 0;
    auto add = [&](size_t, const MetricSample&) { ++count; };
    (*voice)->Extract(Contact(kT0, v1::VOICE), strings, add);
    (*chat)->Extract(Contact(kT0, v1::VOICE), strings, add);
    (*chat)->Extract(Contact(kT0, v1::CHAT), strings, add);
    EXPECT_EQ(count, 2);
  }
}

// --- MetricSeries ------------------------------------------------------------

TEST(MetricSeriesTest, EmptyGivesZeroCountsAndNull) {
  MetricSeries series;
  Interner strings;
  EXPECT_EQ(Show(series.Query(v1::COUNT, kDay, kT0), strings), "0");
  EXPECT_EQ(Show(series.Query(v1::DISTINCT_COUNT, kDay, kT0), strings), "0");
  for (v1::Aggregation a : {v1::SUM, v1::MIN, v1::MAX, v1::AVG, v1::LAST}) {
    EXPECT_EQ(Show(series.Query(a, kDay, kT0), strings), "null")
        << v1::Aggregation_Name(a);
  }
}

TEST(MetricSeriesTest, EveryAggregation) {
  MetricSeries series;
  Interner strings;
  const double values[] = {4, -2, 7.5, 4, 1};
  for (int i = 0; i < 5; ++i) {
    series.Add(Number(kT0 + i * kMinute, values[i]), kT0 + i * kMinute, kDay);
  }
  const int64_t now = kT0 + 10 * kMinute;
  EXPECT_EQ(Show(series.Query(v1::COUNT, kDay, now), strings), "5");
  EXPECT_EQ(Show(series.Query(v1::SUM, kDay, now), strings), "14.5");
  EXPECT_EQ(Show(series.Query(v1::MIN, kDay, now), strings), "-2");
  EXPECT_EQ(Show(series.Query(v1::MAX, kDay, now), strings), "7.5");
  EXPECT_EQ(Show(series.Query(v1::AVG, kDay, now), strings), "2.9");
  EXPECT_EQ(Show(series.Query(v1::LAST, kDay, now), strings), "1");
  EXPECT_EQ(Show(series.Query(v1::DISTINCT_COUNT, kDay, now), strings), "4");
  // A narrower window over the same samples: the last three.
  const int64_t w = 9 * kMinute;
  EXPECT_EQ(Show(series.Query(v1::COUNT, w, now), strings), "3");
  EXPECT_EQ(Show(series.Query(v1::SUM, w, now), strings), "12.5");
  EXPECT_EQ(Show(series.Query(v1::MIN, w, now), strings), "1");
  EXPECT_EQ(Show(series.Query(v1::MAX, w, now), strings), "7.5");
  EXPECT_EQ(Show(series.Query(v1::DISTINCT_COUNT, w, now), strings), "3");
}

TEST(MetricSeriesTest, TextSamples) {
  MetricSeries series;
  Interner strings;
  const uint32_t billing = strings.Intern("billing");
  const uint32_t outage = strings.Intern("outage");
  series.Add(Text(kT0, billing), kT0, kDay);
  series.Add(Text(kT0 + 1, outage), kT0 + 1, kDay);
  series.Add(Text(kT0 + 2, billing), kT0 + 2, kDay);
  EXPECT_EQ(Show(series.Query(v1::LAST, kDay, kT0 + 2), strings), "'billing'");
  EXPECT_EQ(Show(series.Query(v1::DISTINCT_COUNT, kDay, kT0 + 2), strings),
            "2");
  EXPECT_EQ(Show(series.Query(v1::COUNT, kDay, kT0 + 2), strings), "3");
  // Text ids and numbers are distinct values even with equal bits.
  series.Add(Number(kT0 + 3, 0), kT0 + 3, kDay);
  series.Add(Number(kT0 + 4, -0.0), kT0 + 4, kDay);
  EXPECT_EQ(Show(series.Query(v1::DISTINCT_COUNT, kDay, kT0 + 4), strings),
            "3");
  EXPECT_EQ(Show(series.Query(v1::LAST, kDay, kT0 + 4), strings), "-0");
}

TEST(MetricSeriesTest, WindowEdges) {
  MetricSeries series;
  Interner strings;
  const int64_t window = 30 * kDay;
  series.Add(Number(kT0, 5), kT0, window);
  // Exactly a window old: out. One microsecond younger: in.
  EXPECT_EQ(Show(series.Query(v1::COUNT, window, kT0 + window), strings), "0");
  EXPECT_EQ(Show(series.Query(v1::SUM, window, kT0 + window), strings), "null");
  EXPECT_EQ(Show(series.Query(v1::COUNT, window, kT0 + window - 1), strings),
            "1");
  EXPECT_EQ(Show(series.Query(v1::SUM, window, kT0 + window - 1), strings),
            "5");
  // At the sample's own time it is in.
  EXPECT_EQ(Show(series.Query(v1::LAST, window, kT0), strings), "5");

  // The same edge for eviction: a sample exactly a window before the newest
  // is gone; one a microsecond younger stays.
  MetricSeries evicted;
  evicted.Add(Number(kT0, 1), kT0, window);
  evicted.Add(Number(kT0 + 1, 2), kT0 + 1, window);
  evicted.Add(Number(kT0 + window, 4), kT0 + window, window);
  EXPECT_EQ(evicted.sample_count(), 2);
  EXPECT_EQ(Show(evicted.Query(v1::SUM, window, kT0 + window), strings), "6");
}

TEST(MetricSeriesTest, LateSamplesAreInsertedInOrder) {
  MetricSeries series;
  Interner strings;
  const int64_t window = kDay;
  series.Add(Number(kT0 + 10, 1), kT0 + 10, window);
  series.Add(Number(kT0 + 30, 3), kT0 + 30, window);
  series.Add(Number(kT0 + 20, 2), kT0 + 30, window);  // late
  series.Add(Number(kT0 + 5, 9), kT0 + 30, window);   // later still
  ASSERT_EQ(series.sample_count(), 4);
  std::vector<int64_t> times;
  for (const MetricSample& s : series.samples()) times.push_back(s.time_us);
  EXPECT_EQ(times,
            std::vector<int64_t>({kT0 + 5, kT0 + 10, kT0 + 20, kT0 + 30}));
  // LAST is the latest by time, not by arrival.
  EXPECT_EQ(Show(series.Query(v1::LAST, window, kT0 + 30), strings), "3");
  EXPECT_EQ(Show(series.Query(v1::SUM, window, kT0 + 30), strings), "15");
  // A window that starts between late samples.
  EXPECT_EQ(Show(series.Query(v1::SUM, window, kT0 + window + 10), strings),
            "5");
  EXPECT_EQ(Show(series.Query(v1::MIN, window, kT0 + window + 10), strings),
            "2");

  // A late sample already out of the window is not kept.
  series.Add(Number(kT0 + 30 - window, 100), kT0 + 30, window);
  EXPECT_EQ(series.sample_count(), 4);
}

TEST(MetricSeriesTest, EqualTimesKeepArrivalOrder) {
  MetricSeries series;
  Interner strings;
  series.Add(Number(kT0, 1), kT0, kDay);
  series.Add(Number(kT0 + 5, 2), kT0 + 5, kDay);
  series.Add(Number(kT0, 3), kT0 + 5, kDay);  // late, ties with the first
  series.Add(Number(kT0 + 5, 4), kT0 + 5, kDay);
  std::vector<double> numbers;
  for (const MetricSample& s : series.samples()) numbers.push_back(s.number);
  EXPECT_EQ(numbers, std::vector<double>({1, 3, 2, 4}));
  EXPECT_EQ(Show(series.Query(v1::LAST, kDay, kT0 + 5), strings), "4");
  // A window that ends before the newest time sees the tie's later arrival.
  EXPECT_EQ(Show(series.Query(v1::LAST, 5, kT0 + 5), strings), "4");
  EXPECT_EQ(Show(series.Query(v1::SUM, 1, kT0 + 5), strings), "6");
}

TEST(MetricSeriesTest, MemoryFollowsTheWindow) {
  MetricSeries series;
  const int64_t window = 60 * kMinute;
  for (int i = 0; i < 10000; ++i) {
    const int64_t t = kT0 + i * kMinute;
    series.Add(Number(t, i), t, window);
    // 60 samples in the window, and at most an eighth more held.
    ASSERT_LE(series.sample_count(), 60 + 60 / 7 + 1) << i;
  }
  EXPECT_GE(series.sample_count(), 60);
  EXPECT_LT(series.bytes(), 200 * (sizeof(MetricSample) + sizeof(double)));
  Interner strings;
  const int64_t newest = kT0 + 9999 * kMinute;
  // 9940 + ... + 9999.
  EXPECT_EQ(Show(series.Query(v1::SUM, window, newest), strings), "598170");
  EXPECT_EQ(Show(series.Query(v1::COUNT, window, newest), strings), "60");
}

// The window's samples, brute force: `all` in arrival order.
MetricResult Reference(const std::vector<MetricSample>& all,
                       v1::Aggregation aggregation, int64_t window,
                       int64_t as_of) {
  std::vector<MetricSample> in;
  for (const MetricSample& s : all) {
    if (s.time_us > as_of - window && s.time_us <= as_of) in.push_back(s);
  }
  std::stable_sort(in.begin(), in.end(), [](const auto& a, const auto& b) {
    return a.time_us < b.time_us;
  });
  MetricResult r;
  if (in.empty()) {
    if (aggregation == v1::COUNT || aggregation == v1::DISTINCT_COUNT) {
      r.kind = MetricResult::Kind::kNumber;
    }
    return r;
  }
  r.kind = MetricResult::Kind::kNumber;
  double sum = 0, min = in[0].number, max = in[0].number;
  std::set<std::pair<bool, double>> distinct;
  for (const MetricSample& s : in) {
    sum += s.number;
    min = std::min(min, s.number);
    max = std::max(max, s.number);
    distinct.emplace(s.is_text, s.is_text ? s.text : s.number);
  }
  switch (aggregation) {
    case v1::COUNT:
      r.number = in.size();
      break;
    case v1::SUM:
      r.number = sum;
      break;
    case v1::AVG:
      r.number = sum / in.size();
      break;
    case v1::MIN:
      r.number = min;
      break;
    case v1::MAX:
      r.number = max;
      break;
    case v1::DISTINCT_COUNT:
      r.number = distinct.size();
      break;
    case v1::LAST:
      if (in.back().is_text) {
        r.kind = MetricResult::Kind::kText;
        r.text = in.back().text;
      } else {
        r.number = in.back().number;
      }
      break;
    default:
      break;
  }
  return r;
}

TEST(MetricSeriesTest, OutOfOrderStreamMatchesBruteForce) {
  std::mt19937_64 random(7);
  Interner strings;
  for (int text : {0, 1}) {
    MetricSeries series;
    std::vector<MetricSample> all;
    const int64_t window = 3 * kDay;
    int64_t newest = 0;
    for (int i = 0; i < 3000; ++i) {
      // Mostly forward, sometimes up to two days late, often on the same
      // minute; small integers so that sums are exact.
      int64_t t = kT0 + i * 20 * kMinute;
      if (random() % 4 == 0) t -= (random() % (2 * 24 * 3)) * 20 * kMinute;
      const int value = static_cast<int>(random() % 21) - 10;
      MetricSample sample =
          text ? Text(t, strings.Intern(absl::StrCat("v", value)))
               : Number(t, value);
      newest = std::max(newest, t);
      series.Add(sample, newest, window);
      all.push_back(sample);
      if (i % 37 != 0) continue;
      for (int64_t as_of : {newest, newest + kMinute, newest + window / 2,
                            newest + window - 1, newest + window}) {
        for (int64_t w : {window, window / 3, int64_t{20} * kMinute}) {
          for (v1::Aggregation a : {v1::COUNT, v1::SUM, v1::MIN, v1::MAX,
                                    v1::AVG, v1::LAST, v1::DISTINCT_COUNT}) {
            if (text && a != v1::COUNT && a != v1::LAST &&
                a != v1::DISTINCT_COUNT) {
              continue;
            }
            ASSERT_EQ(Show(series.Query(a, w, as_of), strings),
                      Show(Reference(all, a, w, as_of), strings))
                << "event " << i << " " << v1::Aggregation_Name(a) << " window "
                << w << " as of " << as_of - newest;
          }
        }
      }
    }
  }
}

TEST(MetricSeriesTest, SumsDoNotDriftOverALongHistory) {
  // Running totals over the whole history would reach 1e11 here, where a
  // double's resolution is about 1e-5; rebuilt as samples leave, they stay
  // near the window's own sum.
  MetricSeries series;
  Interner strings;
  const int64_t window = 10 * kMinute;
  for (int i = 0; i < 100000; ++i) {
    const int64_t t = kT0 + i * kMinute;
    series.Add(Number(t, 1e6 + 0.01), t, window);
  }
  const MetricResult sum = series.Query(v1::SUM, window, kT0 + 99999 * kMinute);
  ASSERT_EQ(sum.kind, MetricResult::Kind::kNumber);
  EXPECT_NEAR(sum.number, 1e7 + 0.1, 1e-7);
}

TEST(MetricSeriesTest, RestoreEqualsTheOriginal) {
  MetricSeries series;
  Interner strings;
  for (int i = 0; i < 50; ++i) {
    const int64_t t = kT0 + (i % 2 ? i : 100 - i) * kMinute;
    series.Add(Number(t, i), kT0 + 100 * kMinute, 90 * kMinute);
  }
  MetricSeries restored;
  restored.Restore(series.samples());
  EXPECT_EQ(restored.sample_count(), series.sample_count());
  for (v1::Aggregation a : {v1::COUNT, v1::SUM, v1::MIN, v1::MAX, v1::AVG,
                            v1::LAST, v1::DISTINCT_COUNT}) {
    for (int64_t w : {90 * kMinute, 30 * kMinute}) {
      const int64_t as_of = kT0 + 100 * kMinute;
      EXPECT_EQ(Show(restored.Query(a, w, as_of), strings),
                Show(series.Query(a, w, as_of), strings));
    }
  }
  // Out-of-order input (a damaged snapshot) is put back in order.
  MetricSeries shuffled;
  shuffled.Restore({Number(kT0 + 2, 2), Number(kT0 + 1, 1)});
  EXPECT_EQ(Show(shuffled.Query(v1::LAST, kDay, kT0 + 2), strings), "2");
  EXPECT_EQ(Show(shuffled.Query(v1::SUM, 1, kT0 + 1), strings), "1");
}

TEST(MetricSeriesTest, CountSamplesHoldNoTotals) {
  MetricSeries counts;
  MetricSeries sums;
  for (int i = 0; i < 100; ++i) {
    counts.Add(Number(kT0 + i, 0), kT0 + i, kDay);
    sums.Add(Number(kT0 + i, 1), kT0 + i, kDay);
  }
  EXPECT_LT(counts.bytes(), sums.bytes());
  Interner strings;
  EXPECT_EQ(Show(counts.Query(v1::SUM, kDay, kT0 + 99), strings), "0");
  EXPECT_EQ(Show(counts.Query(v1::COUNT, kDay, kT0 + 99), strings), "100");
  // A first non-zero number after zeros starts the totals.
  counts.Add(Number(kT0 + 50, 5), kT0 + 99, kDay);
  EXPECT_EQ(Show(counts.Query(v1::SUM, kDay, kT0 + 99), strings), "5");
  EXPECT_EQ(Show(counts.Query(v1::SUM, 49, kT0 + 99), strings), "0");
}

}  // namespace
}  // namespace motive::state
