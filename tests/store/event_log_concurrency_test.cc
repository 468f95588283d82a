// Many threads appending and reading one log at once, with group commit's
// background thread in the mix. Run under TSan by `make tsan`.

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "model/event_validation.h"
#include "store/event_log.h"
#include "tests/testing/temp_dir.h"

namespace motive::store {
namespace {

TEST(EventLogConcurrencyTest, ParallelAppendsAndReadsLoseNothing) {
  testing::TempDir dir;
  EventLogOptions options;
  options.durability = Durability::kGroup;
  options.group_commit_delay = absl::Milliseconds(2);
  auto log = EventLog::Open(dir.File("log.db"), options);
  ASSERT_TRUE(log.ok()) << log.status();

  constexpr int kWriters = 4;
  constexpr int kEventsPerWriter = 500;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kEventsPerWriter; ++i) {
        v1::Event e;
        // Writers overlap on ids half of the time: duplicates race too.
        e.set_event_id(absl::StrCat("e", (i % 2 ? w : 0), "-", i));
        e.set_customer_id(absl::StrCat("c", i % 10));
        e.set_type("contact");
        *e.mutable_occurred_at() = model::FromUnixMicros((1000 + i) * 1000000LL);
        *e.mutable_recorded_at() = model::FromUnixMicros(2000 * 1000000LL);
        if (!(*log)->Append({e}).ok()) ++failures;
      }
    });
  }
  threads.emplace_back([&] {
    while (!done) {
      auto events = (*log)->ReadCustomer("c3", {});
      if (!events.ok()) ++failures;
      for (size_t i = 1; events.ok() && i < events->size(); ++i) {
        if ((*events)[i - 1].occurred_at().seconds() >
            (*events)[i].occurred_at().seconds()) {
          ++failures;
        }
      }
    }
  });
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  threads.back().join();

  EXPECT_EQ(failures, 0);
  ASSERT_TRUE((*log)->Flush().ok());
  // Even i: one shared id per i; odd i: one id per writer.
  constexpr int kExpected = kEventsPerWriter / 2 + kWriters * kEventsPerWriter / 2;
  EXPECT_EQ(*(*log)->CountEvents(), kExpected);
}

}  // namespace
}  // namespace motive::store
