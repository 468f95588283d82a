#include "state/node_pool.h"

#include <sanitizer/asan_interface.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace motive::state {
namespace {

size_t RoundUp(size_t n, size_t to) { return (n + to - 1) / to * to; }

// `bytes` of fresh memory, or null; with `huge`, aligned to a huge page (the
// kernel only promises page alignment, so the mapping is made larger and
// trimmed) and advised to be backed by huge pages.
char* Map(size_t bytes, bool huge) {
  const size_t mapped = huge ? bytes + NodePool::kHugePageBytes : bytes;
  void* p = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  char* const start = static_cast<char*>(p);
  if (!huge) return start;
  char* const aligned = reinterpret_cast<char*>(
      RoundUp(reinterpret_cast<uintptr_t>(start), NodePool::kHugePageBytes));
  if (aligned != start) ::munmap(start, aligned - start);
  char* const end = aligned + bytes;
  if (end != start + mapped) ::munmap(end, start + mapped - end);
  // Only advice: without transparent huge pages the block still works.
  ::madvise(aligned, bytes, MADV_HUGEPAGE);
  return aligned;
}

}  // namespace

NodePool::NodePool(size_t cell_size)
    : cell_size_(RoundUp(std::max(cell_size, sizeof(void*)),
                         alignof(std::max_align_t))) {}

NodePool::~NodePool() {
  base::MutexLock lock(&mu_);
  for (const Block& block : blocks_) {
    ASAN_UNPOISON_MEMORY_REGION(block.data, block.bytes);
    ::munmap(block.data, block.bytes);
  }
}

void* NodePool::Allocate() {
  base::MutexLock lock(&mu_);
  void* cell;
  if (free_ != nullptr) {
    cell = free_;
    ASAN_UNPOISON_MEMORY_REGION(cell, cell_size_);
    free_ = *static_cast<void**>(cell);
  } else {
    if (carve_end_ - carve_ < static_cast<ptrdiff_t>(cell_size_)) Grow();
    cell = carve_;
    carve_ += cell_size_;
    ASAN_UNPOISON_MEMORY_REGION(cell, cell_size_);
  }
  return cell;
}

void NodePool::Free(void* cell) {
  base::MutexLock lock(&mu_);
  *static_cast<void**>(cell) = free_;
  free_ = cell;
  // Under AddressSanitizer a freed cell is poisoned, as freed heap memory
  // is, so that a use after Free is reported.
  ASAN_POISON_MEMORY_REGION(cell, cell_size_);
}

size_t NodePool::mapped_bytes() const {
  base::MutexLock lock(&mu_);
  size_t bytes = 0;
  for (const Block& block : blocks_) bytes += block.bytes;
  return bytes;
}

void NodePool::Grow() {
  const size_t bytes = std::max(
      RoundUp(cell_size_, kFirstBlockBytes),
      blocks_.empty() ? kFirstBlockBytes
                      : std::min(blocks_.back().bytes * 2, kHugePageBytes));
  char* data = Map(bytes, bytes >= kHugePageBytes);
  if (data == nullptr) {
    // What operator new does without exceptions: the caller cannot go on.
    std::fprintf(stderr, "motive: out of memory mapping %zu bytes\n", bytes);
    std::abort();
  }
  ASAN_POISON_MEMORY_REGION(data, bytes);
  blocks_.push_back({data, bytes});
  carve_ = data;
  carve_end_ = data + bytes;
}

}  // namespace motive::state
