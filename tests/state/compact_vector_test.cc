#include "state/compact_vector.h"

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace motive::state {
namespace {

// Holds what `model` holds, in the same order.
template <typename T>
void ExpectEqual(const CompactVector<T>& v, const std::vector<T>& model) {
  ASSERT_EQ(v.size(), model.size());
  EXPECT_EQ(v.empty(), model.empty());
  EXPECT_GE(v.capacity(), v.size());
  for (size_t i = 0; i < model.size(); ++i) EXPECT_EQ(v[i], model[i]) << i;
  EXPECT_EQ(std::vector<T>(v.begin(), v.end()), model);
}

TEST(CompactVectorTest, IsOnePointer) {
  EXPECT_EQ(sizeof(CompactVector<int64_t>), sizeof(void*));
  EXPECT_EQ(sizeof(CompactVector<std::string>), sizeof(void*));
}

TEST(CompactVectorTest, EmptyHasNoBlock) {
  CompactVector<int> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.size(), 0u);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_EQ(v.bytes(), 0u);
  EXPECT_EQ(v.data(), nullptr);
  EXPECT_EQ(v.begin(), v.end());
  EXPECT_TRUE(absl::Span<const int>(v).empty());
  v.Prefetch();  // no block: must not touch any
  v.resize(0);
  v.clear();
  EXPECT_EQ(v.erase(v.begin(), v.end()), nullptr);
  EXPECT_EQ(v.bytes(), 0u);
  const CompactVector<int> copy = v;
  EXPECT_TRUE(copy.empty());
  EXPECT_EQ(copy.bytes(), 0u);
}

TEST(CompactVectorTest, OneElement) {
  CompactVector<int64_t> v;
  v.push_back(7);
  ExpectEqual(v, {7});
  EXPECT_EQ(v.capacity(), 1u);
  EXPECT_EQ(v.bytes(), 8 + sizeof(int64_t));
  EXPECT_EQ(v.front(), 7);
  EXPECT_EQ(v.back(), 7);
  const auto after = v.erase(v.begin());
  EXPECT_EQ(after, v.end());
  ExpectEqual(v, {});
  // An emptied vector keeps its block, as std::vector keeps its capacity.
  EXPECT_EQ(v.capacity(), 1u);
  v.push_back(8);
  ExpectEqual(v, {8});
  EXPECT_EQ(v.capacity(), 1u);
}

TEST(CompactVectorTest, GrowsByAnEighth) {
  CompactVector<int> v;
  std::vector<size_t> capacities;
  for (int i = 0; i < 100; ++i) {
    const size_t before = v.capacity();
    v.push_back(i);
    if (v.capacity() != before) capacities.push_back(v.capacity());
  }
  // One at a time up to 8, then size + 1 + size / 8.
  const std::vector<size_t> expected = {1,  2,  3,  4,  5,  6,  7,  8,  10,
                                        12, 14, 16, 19, 22, 25, 29, 33, 38,
                                        43, 49, 56, 64, 73, 83, 94, 106};
  EXPECT_EQ(capacities, expected);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(v[i], i);
  EXPECT_EQ(v.bytes(), 8 + 106 * sizeof(int));
}

TEST(CompactVectorTest, ReserveAndResizeAreExact) {
  CompactVector<int> v;
  v.reserve(5);
  EXPECT_EQ(v.capacity(), 5u);
  EXPECT_TRUE(v.empty());
  v.reserve(3);  // never shrinks
  EXPECT_EQ(v.capacity(), 5u);
  v.push_back(1);
  v.resize(9);  // past the capacity: exactly 9, the new ones zero
  EXPECT_EQ(v.capacity(), 9u);
  ExpectEqual(v, {1, 0, 0, 0, 0, 0, 0, 0, 0});
  v[8] = 4;
  v.resize(2);
  ExpectEqual(v, {1, 0});
  EXPECT_EQ(v.capacity(), 9u);
  v.resize(4);  // within the capacity: the new ones zero again
  ExpectEqual(v, {1, 0, 0, 0});
}

TEST(CompactVectorTest, InsertAtEveryPosition) {
  for (size_t at = 0; at <= 9; ++at) {
    CompactVector<int> v;
    std::vector<int> model;
    for (int i = 0; i < 9; ++i) {
      v.push_back(i);
      model.push_back(i);
    }
    // Full (9 of 9) and not: both ways of making room.
    for (int round = 0; round < 2; ++round) {
      const auto it = v.insert(v.begin() + at, 100 + round);
      EXPECT_EQ(it, v.begin() + at);
      model.insert(model.begin() + static_cast<std::ptrdiff_t>(at),
                   100 + round);
      ExpectEqual(v, model);
    }
  }
}

TEST(CompactVectorTest, EraseRanges) {
  for (size_t first = 0; first <= 6; ++first) {
    for (size_t last = first; last <= 6; ++last) {
      CompactVector<int> v;
      std::vector<int> model;
      for (int i = 0; i < 6; ++i) {
        v.push_back(i);
        model.push_back(i);
      }
      const auto it = v.erase(v.begin() + first, v.begin() + last);
      EXPECT_EQ(it, v.begin() + first);
      model.erase(model.begin() + static_cast<std::ptrdiff_t>(first),
                  model.begin() + static_cast<std::ptrdiff_t>(last));
      ExpectEqual(v, model);
    }
  }
}

// Elements that own memory are moved on growth, insertion and erasure, and
// destroyed once: ASan reports a leak or a double free otherwise.
TEST(CompactVectorTest, OwningElementsAgainstStdVector) {
  std::mt19937 random(11);
  CompactVector<std::string> v;
  std::vector<std::string> model;
  for (int step = 0; step < 2000; ++step) {
    // Longer than any inline string, so that each one owns a heap block.
    const std::string s = std::to_string(step) + std::string(40, 'x');
    const size_t at = model.empty() ? 0 : random() % (model.size() + 1);
    switch (random() % 5) {
      case 0:
      case 1:
        v.push_back(s);
        model.push_back(s);
        break;
      case 2:
        v.insert(v.begin() + at, s);
        model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), s);
        break;
      case 3: {
        const size_t last = std::min(model.size(), at + random() % 3);
        v.erase(v.begin() + std::min(at, last), v.begin() + last);
        model.erase(
            model.begin() + static_cast<std::ptrdiff_t>(std::min(at, last)),
            model.begin() + static_cast<std::ptrdiff_t>(last));
        break;
      }
      case 4: {
        const size_t n = random() % (model.size() + 4);
        v.resize(n);
        model.resize(n);
        break;
      }
    }
    ASSERT_NO_FATAL_FAILURE(ExpectEqual(v, model)) << "step " << step;
  }
}

TEST(CompactVectorTest, CopyAndMove) {
  CompactVector<std::string> v;
  for (int i = 0; i < 5; ++i) v.push_back(std::string(30, 'a' + i));
  CompactVector<std::string> copy = v;
  ExpectEqual(copy, std::vector<std::string>(v.begin(), v.end()));
  EXPECT_NE(copy.data(), v.data());
  EXPECT_EQ(copy.capacity(), 5u);  // exactly what it holds
  copy[0] = "changed";
  EXPECT_EQ(v[0], std::string(30, 'a'));

  CompactVector<std::string> assigned;
  assigned.push_back("old");
  assigned = v;
  EXPECT_EQ(assigned[4], std::string(30, 'e'));
  EXPECT_EQ(assigned.size(), 5u);
  assigned = CompactVector<std::string>();  // empty over full
  EXPECT_TRUE(assigned.empty());
  const CompactVector<std::string>& self = v;
  v = self;
  EXPECT_EQ(v.size(), 5u);

  const std::string* elements = v.data();
  CompactVector<std::string> moved = std::move(v);
  EXPECT_EQ(moved.data(), elements);  // the block changed hands
  EXPECT_TRUE(v.empty());             // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(v.bytes(), 0u);
  v = std::move(moved);
  EXPECT_EQ(v.data(), elements);
  EXPECT_EQ(v.size(), 5u);
}

TEST(CompactVectorTest, SpanViewsTheElements) {
  CompactVector<int> v;
  v.push_back(3);
  v.push_back(4);
  const absl::Span<const int> span = v;
  EXPECT_EQ(span.data(), v.data());
  EXPECT_EQ(span.size(), 2u);
}

}  // namespace
}  // namespace motive::state
