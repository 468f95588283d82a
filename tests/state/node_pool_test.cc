#include "state/node_pool.h"

#include <cstdint>
#include <cstring>
#include <set>
#include <vector>

#include "gtest/gtest.h"

namespace motive::state {
namespace {

constexpr size_t kCellSize = 456;  // about a customer's node

// Fills `cell` with `mark`, so that cells that overlap are found.
void Mark(void* cell, size_t size, uint32_t mark) {
  for (size_t at = 0; at + sizeof(mark) <= size; at += sizeof(mark)) {
    std::memcpy(static_cast<char*>(cell) + at, &mark, sizeof(mark));
  }
}

bool Marked(const void* cell, size_t size, uint32_t mark) {
  for (size_t at = 0; at + sizeof(mark) <= size; at += sizeof(mark)) {
    uint32_t got;
    std::memcpy(&got, static_cast<const char*>(cell) + at, sizeof(got));
    if (got != mark) return false;
  }
  return true;
}

TEST(NodePoolTest, CellsAreAlignedAndDoNotOverlapAcrossManyBlocks) {
  NodePool pool(kCellSize);
  EXPECT_GE(pool.cell_size(), kCellSize);
  EXPECT_EQ(pool.cell_size() % alignof(std::max_align_t), 0u);
  EXPECT_EQ(pool.mapped_bytes(), 0u);
  // Enough cells for the small blocks and several huge ones.
  constexpr uint32_t kCells = 20000;
  std::vector<void*> cells;
  for (uint32_t i = 0; i < kCells; ++i) {
    void* cell = pool.Allocate();
    ASSERT_EQ(reinterpret_cast<uintptr_t>(cell) % alignof(std::max_align_t),
              0u);
    Mark(cell, pool.cell_size(), i);
    cells.push_back(cell);
  }
  for (uint32_t i = 0; i < kCells; ++i) {
    ASSERT_TRUE(Marked(cells[i], pool.cell_size(), i)) << i;
  }
  // What is mapped beyond the cells is at most the newest block's tail.
  const size_t used = size_t{kCells} * pool.cell_size();
  EXPECT_GE(pool.mapped_bytes(), used);
  EXPECT_LT(pool.mapped_bytes() - used, NodePool::kHugePageBytes);
}

TEST(NodePoolTest, AFewCellsMapAFewPages) {
  NodePool pool(kCellSize);
  pool.Allocate();
  EXPECT_EQ(pool.mapped_bytes(), NodePool::kFirstBlockBytes);
  // The next block doubles.
  const size_t per_block = NodePool::kFirstBlockBytes / pool.cell_size();
  for (size_t i = 0; i < per_block; ++i) pool.Allocate();
  EXPECT_EQ(pool.mapped_bytes(), 3 * NodePool::kFirstBlockBytes);
}

TEST(NodePoolTest, FreedCellsAreReusedBeforeNewMemory) {
  NodePool pool(kCellSize);
  void* a = pool.Allocate();
  void* b = pool.Allocate();
  const size_t mapped = pool.mapped_bytes();
  pool.Free(a);
  pool.Free(b);
  // Last freed, first reused.
  EXPECT_EQ(pool.Allocate(), b);
  EXPECT_EQ(pool.Allocate(), a);
  EXPECT_NE(pool.Allocate(), a);
  EXPECT_EQ(pool.mapped_bytes(), mapped);
}

TEST(NodePoolTest, CellsLargerThanTheFirstBlock) {
  NodePool pool(3 * NodePool::kFirstBlockBytes + 1);
  void* a = pool.Allocate();
  void* b = pool.Allocate();
  Mark(a, pool.cell_size(), 1);
  Mark(b, pool.cell_size(), 2);
  EXPECT_TRUE(Marked(a, pool.cell_size(), 1));
  EXPECT_TRUE(Marked(b, pool.cell_size(), 2));
}

TEST(NodePoolTest, TinyCellsStillHoldTheFreeList) {
  NodePool pool(1);
  EXPECT_GE(pool.cell_size(), sizeof(void*));
  std::set<void*> cells;
  for (int i = 0; i < 100; ++i) cells.insert(pool.Allocate());
  EXPECT_EQ(cells.size(), 100u);
  for (void* cell : cells) pool.Free(cell);
  std::set<void*> again;
  for (int i = 0; i < 100; ++i) again.insert(pool.Allocate());
  EXPECT_EQ(again, cells);
}

}  // namespace
}  // namespace motive::state
