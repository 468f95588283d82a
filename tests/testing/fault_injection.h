// Failing I/O on command, for tests: a SQLite VFS ("motive-faults") over the
// default one, and a base::FileIo, both armed through one FaultInjector, as
// SQLite's own test VFS does for its I/O-error tests.
//
// Arm(fault, at) makes the at-th matching call fail (writes for the write
// faults, syncs for kSyncError, reads for kReadError), and with `sticky`
// every matching call after it too, as a full disk or a dead device would.
// calls() counts the matching calls since Arm, so that a test can first
// count a workload's positions with nothing armed (at = 0) and then fail
// each one in turn.
//
// Thread-safe; process-wide (SQLite's VFS registry is).

#ifndef MOTIVE_TESTS_TESTING_FAULT_INJECTION_H_
#define MOTIVE_TESTS_TESTING_FAULT_INJECTION_H_

#include <cstdint>

#include "base/file_io.h"

namespace motive::testing {

enum class Fault {
  kNone,
  kDiskFull,    // writes fail with SQLITE_FULL / ENOSPC
  kShortWrite,  // the write stores half its bytes, then the disk is full
  kWriteError,  // writes fail with an I/O error (EIO)
  kSyncError,   // fsync and fdatasync fail (EIO)
  kReadError,   // reads fail (EIO)
};

const char* FaultName(Fault fault);

class FaultInjector {
 public:
  // The one injector; registers the VFS on first use.
  static FaultInjector& Get();

  static constexpr const char* kVfsName = "motive-faults";
  base::FileIo* file_io();

  // at = 0: count calls, fail none.
  void Arm(Fault fault, int64_t at, bool sticky);
  void Disarm() { Arm(Fault::kNone, 0, false); }
  int64_t calls() const;
  int64_t injected() const;

  // Called by the VFS and the FileIo for each call of `kind`: whether this
  // one fails. `kind` is the fault a call of that sort can suffer: kDiskFull
  // for writes, kSyncError, kReadError.
  bool Hit(Fault kind);
  Fault armed() const;
};

}  // namespace motive::testing

#endif  // MOTIVE_TESTS_TESTING_FAULT_INJECTION_H_
