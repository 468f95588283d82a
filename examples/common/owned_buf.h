// What the C++ examples (the CLI, the desktop) share around the C ABI's
// buffers. Header only: the examples link no library of their own for it.

#ifndef MOTIVE_EXAMPLES_COMMON_OWNED_BUF_H_
#define MOTIVE_EXAMPLES_COMMON_OWNED_BUF_H_

#include <string_view>

#include "motive/motive.h"

namespace motive::examples {

// A mot_buf that disposes of itself.
class OwnedBuf {
 public:
  OwnedBuf() = default;
  OwnedBuf(const OwnedBuf&) = delete;
  OwnedBuf& operator=(const OwnedBuf&) = delete;
  ~OwnedBuf() { mot_buf_dispose(&buf_); }

  mot_buf* get() { return &buf_; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(buf_.data), buf_.size};
  }

 private:
  mot_buf buf_{};
};

}  // namespace motive::examples

#endif  // MOTIVE_EXAMPLES_COMMON_OWNED_BUF_H_
