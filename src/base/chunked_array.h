// ChunkedArray: an array that grows by whole chunks and never moves its
// elements.
//
// Why not std::vector for large tables that grow for as long as a process
// runs: doubling leaves up to half the capacity unused, and each regrowth
// copies everything and frees the old block, which malloc may keep resident.
// Here growth allocates one chunk (kChunk elements) and copies nothing, at
// the price of one more (well cached) load per access.
//
// T must be trivially copyable: chunks are allocated uninitialized, and
// pages are touched only as elements are added.

#ifndef MOTIVE_BASE_CHUNKED_ARRAY_H_
#define MOTIVE_BASE_CHUNKED_ARRAY_H_

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

namespace motive::base {

template <typename T, int kChunkBits = 12>
class ChunkedArray {
 public:
  static_assert(std::is_trivially_copyable_v<T>);
  static constexpr size_t kChunk = size_t{1} << kChunkBits;

  size_t size() const { return size_; }

  T& operator[](size_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const {
    return chunks_[i >> kChunkBits][i & (kChunk - 1)];
  }

  void push_back(const T& value) {
    if (size_ == chunks_.size() * kChunk) {
      chunks_.push_back(std::make_unique_for_overwrite<T[]>(kChunk));
    }
    (*this)[size_++] = value;
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  size_t size_ = 0;
};

}  // namespace motive::base

#endif  // MOTIVE_BASE_CHUNKED_ARRAY_H_
