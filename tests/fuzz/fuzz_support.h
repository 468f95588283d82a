// What the fuzz targets share: reading structured values out of the fuzzer's
// bytes, and failing loudly when a property the library promises breaks.

#ifndef MOTIVE_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define MOTIVE_TESTS_FUZZ_FUZZ_SUPPORT_H_

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace motive::fuzz {

// A broken promise is a crash, so that libFuzzer keeps the input and the
// replay test fails on it.
#define MOTIVE_FUZZ_CHECK(condition, what)                             \
  do {                                                                 \
    if (!(condition)) {                                                \
      std::fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, (what)); \
      std::abort();                                                    \
    }                                                                  \
  } while (false)

// The ingest time targets validate against, fixed so that a run depends
// on its input only: 2026-01-01T00:00:00Z.
inline const absl::Time kNow = absl::FromUnixSeconds(1767225600);

inline absl::string_view AsText(const uint8_t* data, size_t size) {
  return absl::string_view(reinterpret_cast<const char*>(data), size);
}

// A file of this process's own for targets whose input is a file (a
// snapshot, a database), removed with the files SQLite puts beside it when
// the process ends.
class ScratchFile {
 public:
  explicit ScratchFile(absl::string_view name)
      : path_((std::filesystem::temp_directory_path() /
               (std::string("motive_fuzz_") + std::to_string(::getpid()) + "_" +
                std::string(name)))
                  .string()) {}
  ~ScratchFile() { Remove(); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::string& path() const { return path_; }

  // Replaces the file (and drops its -wal and -shm companions) with `bytes`.
  void Write(absl::string_view bytes) const {
    Remove();
    std::ofstream out(path_, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    MOTIVE_FUZZ_CHECK(out.good(), "cannot write the scratch file");
  }

 private:
  void Remove() const {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
      std::filesystem::remove(path_ + suffix, ignored);
    }
  }

  std::string path_;
};

// Takes values from the front of the fuzzer's bytes. Past the end every
// value is zero or empty, so that any input drives a whole run.
class FuzzInput {
 public:
  explicit FuzzInput(absl::string_view bytes) : rest_(bytes) {}

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  bool Bool() { return (Byte() & 1) != 0; }

  // An integer of sizeof(T) bytes, little-endian, zero-padded at the end.
  template <typename T>
  T Integral() {
    unsigned char bytes[sizeof(T)] = {};
    const size_t n = std::min(sizeof(T), rest_.size());
    std::memcpy(bytes, rest_.data(), n);
    rest_.remove_prefix(n);
    T value;
    std::memcpy(&value, bytes, sizeof(T));
    return value;
  }

  // The bytes up to the next `separator` (which is dropped), or all that
  // is left. Seeds stay readable: "expression\nvalue\nvalue".
  absl::string_view Until(char separator) {
    const size_t at = rest_.find(separator);
    const absl::string_view piece = rest_.substr(0, at);
    rest_.remove_prefix(at == absl::string_view::npos ? rest_.size() : at + 1);
    return piece;
  }

  absl::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  absl::string_view rest_;
};

}  // namespace motive::fuzz

#endif  // MOTIVE_TESTS_FUZZ_FUZZ_SUPPORT_H_
