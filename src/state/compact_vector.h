// CompactVector: a vector that takes one pointer in its owner, for the lists
// a customer keeps. With a million customers in memory, std::vector's three
// pointers a list add up; this is one, plus 8 bytes in the heap block of a
// list that has one.
//
// Layout. One heap block, null until the first element or reserve(): the size
// and the capacity as u32, then the elements. An emptied vector keeps its
// block, as std::vector keeps its capacity. Because the size is in the block,
// knowing where the elements end costs a read of the block, where
// std::vector's end is in its owner: fit for lists read whole or not at all,
// not for one whose last element a query reads first (a customer's held
// events).
//
// Growth. When full, push_back and insert grow the block to GrownCapacity;
// reserve() and resize() allocate exactly what they are asked for.
//
// Elements are moved, never copied, when the block is reallocated; iterators
// and references are invalidated as std::vector's are. At most 2^32 - 1
// elements (std::length_error beyond).
//
// Not thread-safe: its owner's lock guards it.

#ifndef MOTIVE_STATE_COMPACT_VECTOR_H_
#define MOTIVE_STATE_COMPACT_VECTOR_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

#include "absl/types/span.h"

namespace motive::state {

// The capacity a full list of `size` elements grows to: an eighth more (at
// least one) where std::vector doubles, because most of a customer's lists
// stay short and what a doubled one leaves unused stays allocated for as
// long as its customer is kept (a million customers over). Amortized
// constant time all the same.
constexpr size_t GrownCapacity(size_t size) { return size + 1 + size / 8; }

template <typename T>
class CompactVector {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  CompactVector() = default;
  CompactVector(const CompactVector& other) { *this = other; }
  CompactVector(CompactVector&& other) noexcept
      : block_(std::exchange(other.block_, nullptr)) {}
  CompactVector& operator=(const CompactVector& other) {
    if (this == &other) return *this;
    clear();
    reserve(other.size());
    std::uninitialized_copy(other.begin(), other.end(), begin());
    if (block_ != nullptr) block_->size = static_cast<uint32_t>(other.size());
    return *this;
  }
  CompactVector& operator=(CompactVector&& other) noexcept {
    if (this != &other) {
      Free();
      block_ = std::exchange(other.block_, nullptr);
    }
    return *this;
  }
  ~CompactVector() { Free(); }

  size_t size() const { return block_ == nullptr ? 0 : block_->size; }
  size_t capacity() const { return block_ == nullptr ? 0 : block_->capacity; }
  bool empty() const { return size() == 0; }
  // The heap block's bytes (0 while there is none).
  size_t bytes() const {
    return block_ == nullptr ? 0 : BlockBytes(block_->capacity);
  }

  T* data() { return block_ == nullptr ? nullptr : Elements(block_); }
  const T* data() const {
    return block_ == nullptr ? nullptr : Elements(block_);
  }
  iterator begin() { return data(); }
  iterator end() { return data() + size(); }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size(); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  const T& front() const { return data()[0]; }
  T& back() { return data()[size() - 1]; }
  const T& back() const { return data()[size() - 1]; }
  operator absl::Span<const T>() const { return {data(), size()}; }

  // Starts fetching the block's first cache line (the size and the first
  // elements), without reading anything.
  void Prefetch() const {
    if (block_ != nullptr) __builtin_prefetch(block_);
  }

  // Capacity for at least `n` elements: exactly `n` when it grows.
  void reserve(size_t n) {
    if (n > capacity()) Reallocate(n);
  }

  // `n` elements: value-initialized ones added at the end (reallocating to
  // exactly `n` when there is no room), or the last ones destroyed.
  void resize(size_t n) {
    const size_t old = size();
    if (n < old) {
      std::destroy(begin() + n, end());
    } else if (n > old) {
      reserve(n);
      std::uninitialized_value_construct(end(), data() + n);
    } else {
      return;
    }
    block_->size = static_cast<uint32_t>(n);
  }

  void clear() { resize(0); }

  void push_back(T value) {
    if (size() == capacity()) Reallocate(GrownCapacity(size()));
    ::new (static_cast<void*>(end())) T(std::move(value));
    ++block_->size;
  }

  // Inserts `value` before `at`; returns where it now is.
  iterator insert(const_iterator at, T value) {
    const size_t i = static_cast<size_t>(at - begin());
    if (size() == capacity()) Reallocate(GrownCapacity(size()));
    T* const position = begin() + i;
    if (position == end()) {
      ::new (static_cast<void*>(position)) T(std::move(value));
    } else {
      ::new (static_cast<void*>(end())) T(std::move(back()));
      std::move_backward(position, end() - 1, end());
      *position = std::move(value);
    }
    ++block_->size;
    return position;
  }

  // Removes [first, last); returns where the element after them now is.
  iterator erase(const_iterator first, const_iterator last) {
    T* const to = begin() + (first - begin());
    T* const from = begin() + (last - begin());
    if (to == from) return to;
    T* const new_end = std::move(from, end(), to);
    std::destroy(new_end, end());
    block_->size = static_cast<uint32_t>(new_end - begin());
    return to;
  }
  iterator erase(const_iterator at) { return erase(at, at + 1); }

 private:
  struct Header {
    uint32_t size;
    uint32_t capacity;
  };
  // The elements start right after the header.
  static_assert(sizeof(Header) % alignof(T) == 0);

  static size_t BlockBytes(size_t capacity) {
    return sizeof(Header) + capacity * sizeof(T);
  }
  static T* Elements(Header* block) { return reinterpret_cast<T*>(block + 1); }
  static const T* Elements(const Header* block) {
    return reinterpret_cast<const T*>(block + 1);
  }

  // Moves the elements to a new block of `capacity` (>= size()).
  void Reallocate(size_t capacity) {
    if (capacity > std::numeric_limits<uint32_t>::max()) {
      throw std::length_error("CompactVector: too many elements");
    }
    auto* block = static_cast<Header*>(::operator new(BlockBytes(capacity)));
    block->size = static_cast<uint32_t>(size());
    block->capacity = static_cast<uint32_t>(capacity);
    if (block_ != nullptr) {
      std::uninitialized_move(begin(), end(), Elements(block));
      Free();
    }
    block_ = block;
  }

  void Free() {
    if (block_ == nullptr) return;
    std::destroy(begin(), end());
    ::operator delete(block_);
    block_ = nullptr;
  }

  Header* block_ = nullptr;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_COMPACT_VECTOR_H_
