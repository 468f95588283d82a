#include "model/event_id.h"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "absl/strings/str_format.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace motive::model {
namespace {

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t LoadLittleEndian64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "event ids assume a little-endian host");
  return v;
}

constexpr uint64_t kC1 = 0x87c37b91114253d5ULL;
constexpr uint64_t kC2 = 0x4cf5ad432745937fULL;
constexpr uint32_t kEventIdSeed = 0x6d6f7476;  // "motv"

}  // namespace

Hash128 Murmur3x64_128(absl::string_view data, uint32_t seed) {
  const size_t blocks = data.size() / 16;
  uint64_t h1 = seed;
  uint64_t h2 = seed;

  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k1 = LoadLittleEndian64(data.data() + i * 16);
    uint64_t k2 = LoadLittleEndian64(data.data() + i * 16 + 8);
    k1 *= kC1;
    k1 = Rotl(k1, 31);
    k1 *= kC2;
    h1 ^= k1;
    h1 = Rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= kC2;
    k2 = Rotl(k2, 33);
    k2 *= kC1;
    h2 ^= k2;
    h2 = Rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const auto* tail =
      reinterpret_cast<const uint8_t*>(data.data() + blocks * 16);
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  switch (data.size() & 15) {
    case 15: k2 ^= uint64_t{tail[14]} << 48; [[fallthrough]];
    case 14: k2 ^= uint64_t{tail[13]} << 40; [[fallthrough]];
    case 13: k2 ^= uint64_t{tail[12]} << 32; [[fallthrough]];
    case 12: k2 ^= uint64_t{tail[11]} << 24; [[fallthrough]];
    case 11: k2 ^= uint64_t{tail[10]} << 16; [[fallthrough]];
    case 10: k2 ^= uint64_t{tail[9]} << 8; [[fallthrough]];
    case 9:
      k2 ^= uint64_t{tail[8]};
      k2 *= kC2;
      k2 = Rotl(k2, 33);
      k2 *= kC1;
      h2 ^= k2;
      [[fallthrough]];
    case 8: k1 ^= uint64_t{tail[7]} << 56; [[fallthrough]];
    case 7: k1 ^= uint64_t{tail[6]} << 48; [[fallthrough]];
    case 6: k1 ^= uint64_t{tail[5]} << 40; [[fallthrough]];
    case 5: k1 ^= uint64_t{tail[4]} << 32; [[fallthrough]];
    case 4: k1 ^= uint64_t{tail[3]} << 24; [[fallthrough]];
    case 3: k1 ^= uint64_t{tail[2]} << 16; [[fallthrough]];
    case 2: k1 ^= uint64_t{tail[1]} << 8; [[fallthrough]];
    case 1:
      k1 ^= uint64_t{tail[0]};
      k1 *= kC1;
      k1 = Rotl(k1, 31);
      k1 *= kC2;
      h1 ^= k1;
  }

  h1 ^= data.size();
  h2 ^= data.size();
  h1 += h2;
  h2 += h1;
  h1 = Mix(h1);
  h2 = Mix(h2);
  h1 += h2;
  h2 += h1;
  return {h1, h2};
}

std::string ContentEventId(const v1::Event& event) {
  v1::Event content = event;
  content.clear_event_id();
  content.clear_recorded_at();
  // Identifiers are a set: hash them in one order whatever the sender's.
  auto* identifiers = content.mutable_identifiers();
  std::sort(identifiers->begin(), identifiers->end(),
            [](const v1::Identifier& a, const v1::Identifier& b) {
              return std::tie(a.namespace_(), a.value()) <
                     std::tie(b.namespace_(), b.value());
            });
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    content.SerializeToCodedStream(&coded);
  }
  Hash128 h = Murmur3x64_128(bytes, kEventIdSeed);
  return absl::StrFormat("h-%016x%016x", h.low, h.high);
}

}  // namespace motive::model
