#include "state/id_table.h"

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace motive::state {
namespace {

using Table = IdTable<int>;

// Every id of `model` is found with its value, and nothing else is there.
void ExpectHolds(const Table& table, const std::map<std::string, int>& model,
                 uint64_t (*hash)(const std::string&)) {
  ASSERT_EQ(table.size(), model.size());
  for (const auto& [id, value] : model) {
    const int* found = table.Find(id, hash(id));
    ASSERT_NE(found, nullptr) << id;
    EXPECT_EQ(*found, value) << id;
  }
  size_t visited = 0;
  table.ForEach([&](const std::string& id, int value) {
    ++visited;
    auto it = model.find(id);
    ASSERT_NE(it, model.end()) << id;
    EXPECT_EQ(value, it->second);
  });
  EXPECT_EQ(visited, model.size());
}

uint64_t RealHash(const std::string& id) { return Table::Hash(id); }
// Four hashes for all ids: ids of one length share a whole 64-bit hash, and
// whatever the table's size, their runs start at its first two and last two
// slots, so that runs wrap around its end onto others.
uint64_t FewHashes(const std::string& id) {
  static constexpr uint64_t kHashes[] = {0, ~uint64_t{1}, ~uint64_t{0}, 1};
  return kHashes[id.size() % 4];
}

TEST(IdTableTest, EmptyTableFindsNothing) {
  NodePool pool = Table::NewPool();
  Table table(pool);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find("a", Table::Hash("a")), nullptr);
  EXPECT_EQ(table.Candidate(Table::Hash("a")), nullptr);
  EXPECT_FALSE(table.Erase("a", Table::Hash("a")));
  table.PrefetchSlot(Table::Hash("a"));  // no slots: must not touch any
}

TEST(IdTableTest, FindOrInsertDefaultsOnceThenFinds) {
  NodePool pool = Table::NewPool();
  Table table(pool);
  table.FindOrInsert("c1", Table::Hash("c1")) = 7;
  EXPECT_EQ(table.FindOrInsert("c1", Table::Hash("c1")), 7);
  EXPECT_EQ(table.size(), 1u);
  table.InsertOrAssign("c1", Table::Hash("c1"), 9);
  EXPECT_EQ(*table.Find("c1", Table::Hash("c1")), 9);
  EXPECT_EQ(table.size(), 1u);
}

TEST(IdTableTest, CandidateNamesTheNodeWithoutComparingIds) {
  NodePool pool = Table::NewPool();
  Table table(pool);
  table.InsertOrAssign("x", 42, 1);
  table.InsertOrAssign("y", 42, 2);  // the same 64-bit hash
  const Table::Node* candidate = table.Candidate(42);
  ASSERT_NE(candidate, nullptr);
  EXPECT_EQ(candidate->id, "x");
  // Find compares the ids, so it tells the two apart.
  EXPECT_EQ(*table.Find("y", 42), 2);
  EXPECT_EQ(table.Candidate(43), nullptr);
}

TEST(IdTableTest, ValuesDoNotMoveWhenTheTableGrows) {
  NodePool pool = Table::NewPool();
  Table table(pool);
  int& first = table.FindOrInsert("first", Table::Hash("first"));
  first = 5;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = absl::StrCat("c", i);
    table.InsertOrAssign(id, Table::Hash(id), i);
  }
  EXPECT_EQ(&first, table.Find("first", Table::Hash("first")));
  EXPECT_EQ(first, 5);
  // At most 3/4 full.
  EXPECT_LE(table.size() * 4, table.capacity() * 3);
}

// Random inserts, updates and erasures against a std::map, with real hashes
// and with a few colliding ones (where backward-shift deletion must keep
// every run reachable, also across the table's end).
void RandomOperations(uint64_t (*hash)(const std::string&), int ids) {
  NodePool pool = Table::NewPool();
  Table table(pool);
  std::map<std::string, int> model;
  std::mt19937 random(17);
  for (int step = 0; step < 20000; ++step) {
    // Ids of different lengths, so that FewHashes spreads them.
    const int n = static_cast<int>(random() % ids);
    const std::string id = absl::StrCat(std::string(n % 5, 'x'), n);
    switch (random() % 3) {
      case 0:
      case 1:
        table.InsertOrAssign(id, hash(id), step);
        model[id] = step;
        break;
      case 2:
        EXPECT_EQ(table.Erase(id, hash(id)), model.erase(id) == 1) << id;
        break;
    }
    if (step % 997 == 0) ExpectHolds(table, model, hash);
  }
  ExpectHolds(table, model, hash);
  for (auto it = model.begin(); it != model.end();) {
    ASSERT_TRUE(table.Erase(it->first, hash(it->first)));
    it = model.erase(it);
    if (model.size() % 50 == 0) ExpectHolds(table, model, hash);
  }
  EXPECT_EQ(table.size(), 0u);
}

TEST(IdTableTest, MatchesAMapUnderRandomOperations) {
  RandomOperations(RealHash, 3000);
}

TEST(IdTableTest, MatchesAMapWhenHashesCollide) {
  RandomOperations(FewHashes, 40);
}

}  // namespace
}  // namespace motive::state
