// Base-128 varints (as protobuf writes them): 7 bits a byte, least
// significant first, the high bit set on every byte but the last. Small
// numbers, which most lengths and ids are, take one byte.

#ifndef MOTIVE_BASE_VARINT_H_
#define MOTIVE_BASE_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace motive::base {

inline constexpr size_t kMaxVarintBytes = 10;

inline size_t VarintSize(uint64_t n) {
  size_t size = 1;
  for (; n >= 0x80; n >>= 7) ++size;
  return size;
}

// Writes `n` at `out` (which has VarintSize(n) bytes) and returns the end.
inline char* EncodeVarint(uint64_t n, char* out) {
  for (; n >= 0x80; n >>= 7) *out++ = static_cast<char>((n & 0x7f) | 0x80);
  *out++ = static_cast<char>(n);
  return out;
}

inline void PutVarint(uint64_t n, std::string* out) {
  char buffer[kMaxVarintBytes];
  out->append(buffer, EncodeVarint(n, buffer));
}

// Reads a varint from the front of `*in` and consumes it. False, with `*in`
// unspecified, when `*in` ends first or the number exceeds 64 bits.
inline bool GetVarint(absl::string_view* in, uint64_t* n) {
  uint64_t result = 0;
  for (size_t i = 0; i < in->size() && i < kMaxVarintBytes; ++i) {
    const uint64_t byte = static_cast<unsigned char>((*in)[i]);
    if (i == kMaxVarintBytes - 1 && byte > 1) return false;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      in->remove_prefix(i + 1);
      *n = result;
      return true;
    }
  }
  return false;
}

}  // namespace motive::base

#endif  // MOTIVE_BASE_VARINT_H_
