// Identity resolution under concurrent callers (run under TSan by make
// tsan): queries resolve and summarize while ingest merges, splits and
// unlinks profiles.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"

namespace motive::engine {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);

v1::Event Contact(int i, std::vector<std::pair<std::string, std::string>> ids,
                  std::string customer = "") {
  v1::Event e;
  e.set_customer_id(std::move(customer));
  e.set_type("contact");
  e.set_channel(v1::VOICE);
  *e.mutable_occurred_at() =
      model::FromUnixMicros(absl::ToUnixMicros(kNow) - (i + 1) * 60000000LL);
  for (auto& [ns, value] : ids) {
    v1::Identifier* id = e.add_identifiers();
    id->set_namespace_(ns);
    id->set_value(value);
  }
  return e;
}

TEST(EngineIdentityConcurrencyTest, QueriesGoOnWhileProfilesMergeAndSplit) {
  EngineOptions options;
  options.clock = [] { return kNow; };
  options.identity_config_text = "max_profiles: 2";
  auto opened = Engine::Open(":memory:", std::move(options));
  ASSERT_TRUE(opened.ok()) << opened.status();
  Engine& engine = **opened;
  constexpr int kPeople = 40;
  std::atomic<bool> done{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      int i = r;
      while (!done.load()) {
        const int who = i++ % kPeople;
        absl::StatusOr<std::string> id =
            engine.Resolve("email", absl::StrCat("p", who, "@x.com"));
        state::Summary summary;
        if (id.ok() && engine.Summarize(*id, 0, &summary).ok()) ++answered;
        engine.Summarize(absl::StrCat("crm-", who), 0, &summary).IgnoreError();
        engine.Timeline(absl::StrCat("crm-", who), {}).IgnoreError();
      }
    });
  }
  for (int round = 0; round < 3; ++round) {
    for (int p = 0; p < kPeople; ++p) {
      const std::string email = absl::StrCat("p", p, "@x.com");
      const std::string phone = absl::StrCat("+1415555", 1000 + p);
      ASSERT_TRUE(
          engine.Record(Contact(round * 100 + p, {{"email", email}})).ok());
      ASSERT_TRUE(engine
                      .Record(Contact(round * 100 + p + 50,
                                      {{"phone", phone}, {"email", email}},
                                      absl::StrCat("crm-", p)))
                      .ok());
      // A shared switchboard number: merges, then splits at the third.
      ASSERT_TRUE(
          engine
              .Record(Contact(round * 100 + p + 70, {{"phone", "+18005550000"}},
                              absl::StrCat("crm-", p)))
              .ok());
    }
    ASSERT_TRUE(engine.Unlink({{"email", "p0@x.com"}}).ok());
    ASSERT_TRUE(engine.Link("crm-0", {{"email", "p0@x.com"}}).ok());
    // On a loaded machine the writer may finish before a reader runs at
    // all: the later rounds wait for a first answer, so that queries do
    // overlap merges and splits.
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (round == 0 && answered.load() == 0 && absl::Now() < deadline) {
      std::this_thread::yield();
    }
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_GT(answered.load(), 0);
  // What the readers saw aside, the end state is right.
  for (int p = 0; p < kPeople; ++p) {
    absl::StatusOr<std::string> id =
        engine.Resolve("email", absl::StrCat("p", p, "@x.com"));
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(*id, absl::StrCat("crm-", p));
    state::Summary summary;
    ASSERT_TRUE(engine.Summarize(*id, 0, &summary).ok());
    EXPECT_EQ(summary.events, 9u) << p;
  }
  EXPECT_EQ(engine.Resolve("phone", "+18005550000").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace motive::engine
