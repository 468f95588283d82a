// WriterLock: the one writer of a log, and how far that log is known to
// reach.
//
// Two processes appending to one SQLite file each keep their own state in
// memory and their own idea of the log, and each snapshot written from such
// a state describes only half of it. So a log has at most one writer: the
// writer holds an exclusive flock() on `<db>-lock` from open to close.
// Readers (read-only opens) take no lock. flock() rather than fcntl() locks,
// and a file of its own rather than the database: fcntl locks are released
// when the process closes *any* descriptor of the file, which would drop
// SQLite's own locks on the database; flock locks belong to the descriptor,
// and the kernel releases them when the holder dies, however it dies.
//
// The file also says who holds it (for the error a second writer gets) and
// the end of the log as last known durable ("the log reached seq N"). That
// end is recorded only after the WAL that holds it was synced, so it never
// runs ahead of what a crash or a power loss keeps; a log found shorter than
// it at the next open lost committed events (a deleted or damaged WAL, a
// file copied without its WAL) and is refused rather than served.
//
// Format (text, so that an operator can read it):
//   motive writer lock 1
//   holder pid <pid> since <RFC 3339 time>
//   durable_seq <n>
//
// Thread-safe: RecordEnd may be called from any thread.

#ifndef MOTIVE_STORE_WRITER_LOCK_H_
#define MOTIVE_STORE_WRITER_LOCK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"

namespace motive::store {

class WriterLock {
 public:
  // Takes the lock of the log at `db_path`, creating `<db_path>-lock` (mode
  // 0600) when missing. Unavailable, naming the holder, when another writer
  // (another process, or another open in this one) has it; kIo otherwise.
  static absl::StatusOr<std::unique_ptr<WriterLock>> Acquire(
      const std::string& db_path);
  ~WriterLock();  // releases the lock; the file stays, with the end

  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  // The durable end the previous writer recorded (0 when none did).
  int64_t recorded_end() const { return recorded_end_; }

  // Forgets the end: the log was created anew where an earlier one was.
  void ForgetEnd();

  // Records that every event up to `seq` is durable. Best effort: the end
  // is a safeguard, and a failure to write it must not fail the append
  // whose sync succeeded. Never lowers the end.
  void RecordEnd(int64_t seq);

 private:
  WriterLock(int fd, std::string path, std::string holder, int64_t end)
      : fd_(fd),
        path_(std::move(path)),
        holder_(std::move(holder)),
        recorded_end_(end),
        written_end_(end) {}

  const int fd_;
  const std::string path_;
  const std::string holder_;  // the "holder ..." line
  // Read and cleared (ForgetEnd) while the log opens, before any other
  // thread can see the lock.
  int64_t recorded_end_;
  base::Mutex mu_;
  int64_t written_end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace motive::store

#endif  // MOTIVE_STORE_WRITER_LOCK_H_
