#include "base/file_io.h"

#include <unistd.h>

#include <cstdio>

namespace motive::base {

ssize_t FileIo::Write(int fd, const void* data, size_t size) {
  return ::write(fd, data, size);
}

ssize_t FileIo::Read(int fd, void* data, size_t size) {
  return ::read(fd, data, size);
}

int FileIo::Fsync(int fd) { return ::fsync(fd); }

int FileIo::Fdatasync(int fd) { return ::fdatasync(fd); }

int FileIo::Rename(const char* from, const char* to) {
  return std::rename(from, to);
}

FileIo& FileIo::Default() {
  static FileIo* const io = new FileIo;
  return *io;
}

}  // namespace motive::base
