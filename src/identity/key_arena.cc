#include "identity/key_arena.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/varint.h"

namespace motive::identity {
namespace {

constexpr uint64_t kMaxEnd = uint64_t{1} << 32;

}  // namespace

uint32_t KeyArena::Add(absl::string_view key) {
  const uint64_t size = base::VarintSize(key.size()) + key.size();
  uint64_t in_block = end_ & (kBlockSize - 1);
  if (in_block != 0 && in_block + size > kBlockSize) {
    end_ += kBlockSize - in_block;
    in_block = 0;
  }
  if (in_block == 0) {
    const uint64_t blocks = (size + kBlockSize - 1) / kBlockSize;
    if (end_ + blocks * kBlockSize > kMaxEnd) {
      std::fputs("motive: the identity graph's keys exceed 4 GiB\n", stderr);
      std::abort();
    }
    // Not value-initialized: pages are touched only as keys fill them.
    buffers_.emplace_back(new char[blocks * kBlockSize]);
    for (uint64_t i = 0; i < blocks; ++i) {
      blocks_.push_back(buffers_.back().get() + i * kBlockSize);
    }
  }
  const uint32_t offset = static_cast<uint32_t>(end_);
  char* out =
      base::EncodeVarint(key.size(), blocks_[end_ >> kBlockBits] + in_block);
  if (!key.empty()) std::memcpy(out, key.data(), key.size());
  end_ += size;
  return offset;
}

absl::string_view KeyArena::Get(uint32_t offset) const {
  // The record is whole, so the varint ends before the view does.
  absl::string_view in(
      blocks_[offset >> kBlockBits] + (offset & (kBlockSize - 1)),
      base::kMaxVarintBytes);
  uint64_t size = 0;
  base::GetVarint(&in, &size);
  return absl::string_view(in.data(), size);
}

}  // namespace motive::identity
