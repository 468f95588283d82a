// FileIo: the few file-system calls whose failures motive must survive
// (writing and syncing snapshot files, syncing the write-ahead log), behind
// one seam, so that tests can make them fail on command (disk full, short
// writes, fsync errors, read errors) the way SQLite's tests do with a VFS.
//
// The methods mirror POSIX: they return what the system call would, with
// errno set on failure. Default() is the real thing.
//
// Thread-safe: implementations may be called from any thread.

#ifndef MOTIVE_BASE_FILE_IO_H_
#define MOTIVE_BASE_FILE_IO_H_

#include <sys/types.h>

#include <cstddef>

namespace motive::base {

class FileIo {
 public:
  virtual ~FileIo() = default;

  virtual ssize_t Write(int fd, const void* data, size_t size);
  virtual ssize_t Read(int fd, void* data, size_t size);
  virtual int Fsync(int fd);
  virtual int Fdatasync(int fd);
  virtual int Rename(const char* from, const char* to);

  // The real calls; never destroyed.
  static FileIo& Default();
};

}  // namespace motive::base

#endif  // MOTIVE_BASE_FILE_IO_H_
