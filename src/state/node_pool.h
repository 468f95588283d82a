// NodePool: memory for many objects of one size (the state store's customer
// nodes), carved from large blocks that the kernel is asked to back with
// huge pages.
//
// Why not operator new: a million customers' nodes (an IdTable node with
// its CustomerState inside, about 450 bytes each), each a malloc chunk of
// its own, lie on 4 KiB pages. A lookup then misses the TLB as well as the
// cache, and opening from a snapshot faults the pages in one at a time: on
// the VMs this was measured on, touching fresh memory cost 11 us per 4 KiB
// page, against 2-6 us per 4 KiB inside a huge page. Blocks of 2 MiB,
// aligned to 2 MiB and advised MADV_HUGEPAGE, cut both, and save malloc's
// chunk header on every node.
//
// Blocks start small and double up to 2 MiB, so that a store of a few
// customers maps a few pages, not a huge one. A freed cell goes on a free
// list and is reused first; blocks return to the system only with the pool.
// Where the kernel gives no huge pages, blocks are ordinary memory.
//
// Thread-safe: one lock, held for a few instructions per call.

#ifndef MOTIVE_STATE_NODE_POOL_H_
#define MOTIVE_STATE_NODE_POOL_H_

#include <cstddef>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "base/mutex.h"

namespace motive::state {

class NodePool {
 public:
  // The largest block, and the alignment of blocks that large: one huge
  // page on x86-64 and on most arm64 kernels.
  static constexpr size_t kHugePageBytes = size_t{2} << 20;
  // The first block: a few pages.
  static constexpr size_t kFirstBlockBytes = size_t{16} << 10;

  // Cells of at least `cell_size` bytes, aligned for any object that
  // operator new would align (alignof(std::max_align_t)).
  explicit NodePool(size_t cell_size);
  // Unmaps every block, whether or not its cells were freed: the owner
  // destroys the objects in them first.
  ~NodePool();
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  size_t cell_size() const { return cell_size_; }

  // An uninitialised cell; aborts, as operator new would throw, when no
  // memory can be mapped.
  void* Allocate();
  // Gives back a cell that Allocate returned.
  void Free(void* cell);

  // Bytes mapped for blocks: the cells in use, the free ones and the
  // newest block's unused tail.
  size_t mapped_bytes() const;

 private:
  struct Block {
    char* data;
    size_t bytes;
  };
  // Maps the next block and makes it the one cells are carved from.
  void Grow() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t cell_size_;
  mutable base::Mutex mu_;
  void* free_ ABSL_GUARDED_BY(mu_) = nullptr;  // a freed cell; its first
                                               // bytes hold the next one
  char* carve_ ABSL_GUARDED_BY(mu_) = nullptr;  // the newest block's unused
  char* carve_end_ ABSL_GUARDED_BY(mu_) = nullptr;  // part
  std::vector<Block> blocks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_NODE_POOL_H_
