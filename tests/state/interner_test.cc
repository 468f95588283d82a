#include "state/interner.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace motive::state {
namespace {

TEST(InternerTest, SameTextSameIdAndStablePointers) {
  Interner strings;
  EXPECT_EQ(strings.Intern(""), Interner::kEmpty);
  EXPECT_STREQ(strings.Get(Interner::kEmpty), "");
  const uint32_t billing = strings.Intern("billing");
  const char* pointer = strings.Get(billing);
  // Enough strings to need several chunks; the first pointer stays put.
  for (int i = 0; i < 10000; ++i) strings.Intern("topic " + std::to_string(i));
  EXPECT_EQ(strings.Intern("billing"), billing);
  EXPECT_EQ(strings.Get(billing), pointer);
  EXPECT_STREQ(pointer, "billing");
  EXPECT_EQ(strings.size(), 10002u);
  EXPECT_EQ(strings.View(strings.Intern("topic 9999")), "topic 9999");
}

TEST(InternerTest, RestorePutsStringsBackAtTheirIdsAndSkipsTheRest) {
  Interner strings;
  ASSERT_TRUE(strings.Restore(2, "billing"));
  // Beyond the first chunk: the chunks in between exist for Get.
  ASSERT_TRUE(strings.Restore(9000, "refund"));
  EXPECT_EQ(strings.size(), 9001u);
  EXPECT_STREQ(strings.Get(1), "");
  EXPECT_STREQ(strings.Get(5000), "");
  EXPECT_STREQ(strings.Get(9000), "refund");
  EXPECT_EQ(strings.Intern("billing"), 2u);
  EXPECT_EQ(strings.Intern("refund"), 9000u);
  // New strings come after the last id restored; skipped ids stay unused.
  EXPECT_EQ(strings.Intern("login"), 9001u);
  // Out of order, repeated, empty or too large: refused, nothing changes.
  EXPECT_FALSE(strings.Restore(8000, "late"));
  EXPECT_FALSE(strings.Restore(9500, "billing"));
  EXPECT_FALSE(strings.Restore(9500, ""));
  EXPECT_FALSE(strings.Restore(Interner::kCapacity, "huge"));
  EXPECT_EQ(strings.size(), 9002u);
  EXPECT_EQ(strings.Intern("late"), 9002u);
}

// Each thread caches what it interned lately; the cache must never hand one
// table's id out for another's.
TEST(InternerTest, TwoTablesOnOneThreadKeepTheirOwnIds) {
  Interner first;
  Interner second;
  EXPECT_EQ(first.Intern("x"), 1u);
  EXPECT_EQ(second.Intern("y"), 1u);
  EXPECT_EQ(second.Intern("x"), 2u);
  EXPECT_EQ(first.Intern("y"), 2u);
  EXPECT_EQ(first.Intern("x"), 1u);
  EXPECT_EQ(second.View(2), "x");
  EXPECT_EQ(first.View(2), "y");
}

TEST(InternerTest, ManyDistinctStringsOutgrowTheCacheAndStayCorrect) {
  Interner strings;
  for (int i = 0; i < 10000; ++i) strings.Intern("v" + std::to_string(i));
  for (int i = 0; i < 10000; i += 997) {
    const std::string text = "v" + std::to_string(i);
    EXPECT_EQ(strings.View(strings.Intern(text)), text);
    EXPECT_EQ(strings.Intern(text), static_cast<uint32_t>(i + 1));
  }
}

TEST(InternerTest, UnknownIdsReadAsEmpty) {
  Interner strings;
  EXPECT_STREQ(strings.Get(5), "");
  EXPECT_STREQ(strings.Get(Interner::kCapacity + 1), "");
}

TEST(InternerTest, ConcurrentInternsAgree) {
  Interner strings;
  std::vector<std::vector<uint32_t>> ids(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        ids[t].push_back(strings.Intern("s" + std::to_string(i)));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(ids[t], ids[0]);
  EXPECT_EQ(strings.size(), 2001u);
}

}  // namespace
}  // namespace motive::state
