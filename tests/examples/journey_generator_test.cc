// The synthetic journeys must be valid motive input, deterministic, skewed,
// and walk through the moments of truth: demos and benchmarks rely on it.

#include "datagen/journey_generator.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/record_reader.h"

namespace motive::datagen {
namespace {

std::string Generate(const GeneratorOptions& options) {
  JourneyGenerator generator(options);
  std::string jsonl;
  while (generator.NextCustomer(&jsonl)) {
  }
  return jsonl;
}

std::string CustomerLines(const std::string& jsonl, const std::string& id) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(jsonl, '\n')) {
    if (absl::StrContains(line, "\"customer_id\":\"" + id + "\"")) {
      absl::StrAppend(&out, line, "\n");
    }
  }
  return out;
}

TEST(JourneyGeneratorTest, SameOptionsSameBytes) {
  GeneratorOptions options;
  options.customers = 50;
  options.seed = 7;
  EXPECT_EQ(Generate(options), Generate(options));
  GeneratorOptions other = options;
  other.seed = 8;
  EXPECT_NE(Generate(options), Generate(other));
}

TEST(JourneyGeneratorTest, ACustomerDoesNotDependOnHowManyAreGenerated) {
  GeneratorOptions small;
  small.customers = 10;
  GeneratorOptions large = small;
  large.customers = 200;
  std::string id = CustomerId(7);
  EXPECT_EQ(id, "C0000007");
  std::string in_small = CustomerLines(Generate(small), id);
  EXPECT_FALSE(in_small.empty());
  EXPECT_EQ(in_small, CustomerLines(Generate(large), id));
}

TEST(JourneyGeneratorTest, EveryEventIsAcceptedInTimeOrderAcrossMoments) {
  GeneratorOptions options;
  options.customers = 300;
  options.seed = 3;
  JourneyGenerator generator(options);
  std::string jsonl;
  std::map<uint64_t, int> events_per_customer;
  while (true) {
    size_t before = jsonl.size();
    if (!generator.NextCustomer(&jsonl)) break;
    events_per_customer[generator.customers_written()] =
        std::count(jsonl.begin() + before, jsonl.end(), '\n');
  }
  EXPECT_EQ(generator.customers_written(), 300u);

  auto engine = engine::Engine::Open(":memory:", {});
  ASSERT_TRUE(engine.ok()) << engine.status();
  model::RecordReader reader(model::InputFormat::kJsonl,
                             model::WholeBuffer(jsonl));
  engine::IngestOptions ingest;
  std::string first_rejection;
  ingest.on_reject = [&](uint64_t line, const std::string& field,
                         const std::string& reason) {
    if (first_rejection.empty()) {
      first_rejection = absl::StrCat("line ", line, ": ", field, ": ", reason);
    }
  };
  engine::IngestCounts counts;
  ASSERT_TRUE((*engine)->Ingest(reader, ingest, &counts).ok());
  EXPECT_EQ(counts.rejected, 0u) << first_rejection;
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(counts.accepted, generator.events_written());

  // Skewed: the busiest customer has many times the mean.
  int most = 0;
  for (const auto& [customer, n] : events_per_customer)
    most = std::max(most, n);
  double mean = static_cast<double>(counts.accepted) / 300;
  EXPECT_GT(most, 4 * mean);

  // The journeys reach every moment of truth, and each customer's lines come
  // in event-time order.
  std::map<v1::Moment, int> moments;
  for (uint64_t n = 1; n <= 300; ++n) {
    auto timeline = (*engine)->Timeline(CustomerId(n), {});
    ASSERT_TRUE(timeline.ok());
    for (const auto& event : *timeline) ++moments[event.moment()];
  }
  for (v1::Moment m : {v1::LESS_THAN_ZERO, v1::ZERO, v1::FIRST, v1::SECOND,
                       v1::INTERIM, v1::THIRD}) {
    EXPECT_GT(moments[m], 0) << v1::Moment_Name(m);
  }
  EXPECT_EQ(moments[v1::MOMENT_UNSPECIFIED], 0);
}

TEST(JourneyGeneratorTest, WrittenInEventTimeOrderPerCustomer) {
  GeneratorOptions options;
  options.customers = 40;
  std::string jsonl = Generate(options);
  std::map<std::string, std::string> last_time;
  for (absl::string_view line :
       absl::StrSplit(jsonl, '\n', absl::SkipEmpty())) {
    auto field = [&](absl::string_view name) {
      size_t at = line.find(absl::StrCat("\"", name, "\":\""));
      EXPECT_NE(at, absl::string_view::npos) << line;
      absl::string_view rest = line.substr(at + name.size() + 4);
      return std::string(rest.substr(0, rest.find('"')));
    };
    std::string customer = field("customer_id");
    std::string time = field("occurred_at");
    // RFC 3339 in UTC with a fixed width sorts as text.
    EXPECT_LE(last_time[customer], time) << line;
    last_time[customer] = time;
  }
}

}  // namespace
}  // namespace motive::datagen
