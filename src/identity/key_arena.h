// KeyArena: the identity graph's keys (anchors, identifiers), each stored
// once, length-prefixed, in large blocks, and named by a 32-bit offset.
//
// Why not one std::string per key: a short key in its own heap string costs
// 32 bytes of string plus the allocation and the map's copy; here it costs its
// bytes and one length byte. Blocks never move (the arena grows by adding
// blocks, never by copying), so a view stays valid for the arena's life and
// growth touches no resident page twice.
//
// Append-only: a key is never freed. The graph forgets keys only on Erase,
// which is rare, and drops their bytes the next time it is rebuilt from its
// serialized form (IdentityGraph::Serialize writes live keys only).
//
// Not thread-safe for Add; Get writes nothing, so readers may share it.

#ifndef MOTIVE_IDENTITY_KEY_ARENA_H_
#define MOTIVE_IDENTITY_KEY_ARENA_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace motive::identity {

class KeyArena {
 public:
  KeyArena() = default;
  KeyArena(const KeyArena&) = delete;
  KeyArena& operator=(const KeyArena&) = delete;

  // Stores `key` and returns its offset. Aborts beyond 4 GiB of keys (some
  // 200 million identifiers, more memory than the graph's hosts have).
  uint32_t Add(absl::string_view key);
  // The key stored at `offset` (a value Add returned).
  absl::string_view Get(uint32_t offset) const;

 private:
  static constexpr int kBlockBits = 20;
  static constexpr uint64_t kBlockSize = uint64_t{1} << kBlockBits;

  // Owned memory; a key longer than a block gets a buffer of whole blocks.
  std::vector<std::unique_ptr<char[]>> buffers_;
  // Offset >> kBlockBits to the start of that block's memory.
  std::vector<char*> blocks_;
  uint64_t end_ = 0;  // the offset the next key starts at
};

}  // namespace motive::identity

#endif  // MOTIVE_IDENTITY_KEY_ARENA_H_
