// IdTable: values by string id, laid out so that a lookup among millions of
// ids costs two dependent memory misses, and a lookup of many ids at once
// can start all of its misses before waiting on any.
//
// Why not absl::node_hash_map: its control bytes, slots and nodes are three
// places, and the only way to learn which node an id may be in is find(),
// which compares the id and so waits on the node. Here a slot holds the id's
// whole 64-bit hash beside the node's address: the slot alone names the
// candidate node (a false match needs two ids of one table with equal 64-bit
// hashes, and is then caught by comparing the ids), so a batch can fetch
// every slot, then every node, and only then compare.
//
// Open addressing with linear probing over 16-byte slots (four to a cache
// line), at most 3/4 full, so that a probe rarely leaves the first line; a
// removal shifts the following slots back instead of leaving a tombstone.
// Each value lives in its own node, which never moves: references stay valid
// across growth until the value is erased. Nodes come from a NodePool, which
// tables may share (the state store's shards do).
//
// The caller computes hashes with Hash() (so that one hash of an id serves
// both the caller's sharding and the table) and passes them back in.
//
// Not thread-safe: the caller's lock guards it.

#ifndef MOTIVE_STATE_ID_TABLE_H_
#define MOTIVE_STATE_ID_TABLE_H_

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "state/node_pool.h"

namespace motive::state {

template <typename Value>
class IdTable {
 public:
  struct Node {
    std::string id;
    Value value;
  };

  // Nodes come from `pool`, whose cells must hold a Node (NewPool makes
  // one) and which must outlive the table.
  explicit IdTable(NodePool& pool) : pool_(pool) {
    assert(pool.cell_size() >= sizeof(Node));
  }
  static NodePool NewPool() { return NodePool(sizeof(Node)); }
  IdTable(const IdTable&) = delete;
  IdTable& operator=(const IdTable&) = delete;
  ~IdTable() { Clear(); }

  static uint64_t Hash(absl::string_view id) { return absl::HashOf(id); }

  size_t size() const { return size_; }
  // Slots allocated (each sizeof(Slot) bytes).
  size_t capacity() const { return slots_.size(); }
  static constexpr size_t kSlotBytes = 2 * sizeof(uint64_t);

  // Starts fetching the slots where `hash` is looked for.
  void PrefetchSlot(uint64_t hash) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Home(hash)]);
  }

  // Starts fetching the whole of `node`.
  static void Prefetch(const Node* node) {
    const char* bytes = reinterpret_cast<const char*>(node);
    for (size_t offset = 0; offset < sizeof(Node); offset += 64) {
      __builtin_prefetch(bytes + offset);
    }
  }

  // The first node whose hash is `hash`, without reading any node: the
  // node of the id hashed, but for a collision of 64-bit hashes (see the
  // top). Null when no id of that hash is here.
  const Node* Candidate(uint64_t hash) const {
    if (slots_.empty()) return nullptr;
    for (size_t i = Home(hash);; i = Next(i)) {
      const Slot& slot = slots_[i];
      if (slot.node == nullptr) return nullptr;
      if (slot.hash == hash) return slot.node;
    }
  }

  // The value of `id` (whose Hash is `hash`), or null.
  Value* Find(absl::string_view id, uint64_t hash) {
    const size_t i = IndexOf(id, hash);
    return i == kNone ? nullptr : &slots_[i].node->value;
  }
  const Value* Find(absl::string_view id, uint64_t hash) const {
    const size_t i = IndexOf(id, hash);
    return i == kNone ? nullptr : &slots_[i].node->value;
  }

  // The value of `id`, default-constructed first when absent.
  Value& FindOrInsert(absl::string_view id, uint64_t hash) {
    if (Value* value = Find(id, hash)) return *value;
    return Add(std::string(id), hash, Value())->value;
  }
  // Sets the value of `id`, replacing any.
  void InsertOrAssign(std::string id, uint64_t hash, Value value) {
    if (Value* existing = Find(id, hash)) {
      *existing = std::move(value);
      return;
    }
    Add(std::move(id), hash, std::move(value));
  }

  // Removes `id`; false when it was absent.
  bool Erase(absl::string_view id, uint64_t hash) {
    size_t hole = IndexOf(id, hash);
    if (hole == kNone) return false;
    Delete(slots_[hole].node);
    --size_;
    // Backward shift: each following slot of the run moves into the hole
    // unless its home lies cyclically in (hole, slot], where it must stay
    // for a probe from its home to reach it.
    for (size_t i = Next(hole); slots_[i].node != nullptr; i = Next(i)) {
      const size_t home = Home(slots_[i].hash);
      const bool stays = hole < i ? (hole < home && home <= i)
                                  : (hole < home || home <= i);
      if (stays) continue;
      slots_[hole] = slots_[i];
      hole = i;
    }
    slots_[hole] = Slot{};
    return true;
  }

  // Calls fn(const std::string& id, const Value&) for every value, in no
  // particular order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.node != nullptr) fn(slot.node->id, slot.node->value);
    }
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    Node* node = nullptr;  // null: empty
  };
  static_assert(sizeof(Slot) == kSlotBytes);
  static constexpr size_t kNone = ~size_t{0};
  static constexpr size_t kMinCapacity = 16;

  size_t Home(uint64_t hash) const { return hash & (slots_.size() - 1); }
  size_t Next(size_t i) const { return (i + 1) & (slots_.size() - 1); }

  size_t IndexOf(absl::string_view id, uint64_t hash) const {
    if (slots_.empty()) return kNone;
    for (size_t i = Home(hash);; i = Next(i)) {
      const Slot& slot = slots_[i];
      if (slot.node == nullptr) return kNone;
      if (slot.hash == hash && slot.node->id == id) return i;
    }
  }

  Node* Add(std::string id, uint64_t hash, Value value) {
    if ((size_ + 1) * 4 > slots_.size() * 3) {
      Rehash(std::max(kMinCapacity, slots_.size() * 2));
    }
    static_assert(alignof(Node) <= alignof(std::max_align_t));
    Node* node = new (pool_.Allocate()) Node{std::move(id), std::move(value)};
    Place(Slot{hash, node});
    ++size_;
    return node;
  }

  void Place(Slot slot) {
    size_t i = Home(slot.hash);
    while (slots_[i].node != nullptr) i = Next(i);
    slots_[i] = slot;
  }

  void Rehash(size_t capacity) {
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    for (const Slot& slot : old) {
      if (slot.node != nullptr) Place(slot);
    }
  }

  void Delete(Node* node) {
    node->~Node();
    pool_.Free(node);
  }

  void Clear() {
    for (Slot& slot : slots_) {
      if (slot.node != nullptr) Delete(slot.node);
    }
    slots_.clear();
    size_ = 0;
  }

  NodePool& pool_;
  std::vector<Slot> slots_;  // a power of two of them, or none
  size_t size_ = 0;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_ID_TABLE_H_
