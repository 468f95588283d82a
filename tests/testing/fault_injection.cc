#include "tests/testing/fault_injection.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace motive::testing {
namespace {

std::mutex mu;
Fault armed_fault = Fault::kNone;
int64_t armed_at = 0;
bool armed_sticky = false;
int64_t matching_calls = 0;
int64_t injected_faults = 0;

bool IsWrite(Fault fault) {
  return fault == Fault::kDiskFull || fault == Fault::kShortWrite ||
         fault == Fault::kWriteError;
}

// --- the VFS ---------------------------------------------------------------

sqlite3_vfs* real_vfs = nullptr;

struct FaultFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* Real(sqlite3_file* file) {
  return reinterpret_cast<FaultFile*>(file)->real;
}

int Close(sqlite3_file* file) {
  return Real(file)->pMethods->xClose(Real(file));
}

int Read(sqlite3_file* file, void* data, int size, sqlite3_int64 offset) {
  if (FaultInjector::Get().Hit(Fault::kReadError)) return SQLITE_IOERR_READ;
  return Real(file)->pMethods->xRead(Real(file), data, size, offset);
}

int Write(sqlite3_file* file, const void* data, int size,
          sqlite3_int64 offset) {
  FaultInjector& faults = FaultInjector::Get();
  if (faults.Hit(Fault::kDiskFull)) {
    switch (faults.armed()) {
      case Fault::kShortWrite:
        Real(file)->pMethods->xWrite(Real(file), data, size / 2, offset);
        return SQLITE_FULL;
      case Fault::kWriteError:
        return SQLITE_IOERR_WRITE;
      default:
        return SQLITE_FULL;
    }
  }
  return Real(file)->pMethods->xWrite(Real(file), data, size, offset);
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return Real(file)->pMethods->xTruncate(Real(file), size);
}

int Sync(sqlite3_file* file, int flags) {
  if (FaultInjector::Get().Hit(Fault::kSyncError)) return SQLITE_IOERR_FSYNC;
  return Real(file)->pMethods->xSync(Real(file), flags);
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return Real(file)->pMethods->xFileSize(Real(file), size);
}

int Lock(sqlite3_file* file, int level) {
  return Real(file)->pMethods->xLock(Real(file), level);
}

int Unlock(sqlite3_file* file, int level) {
  return Real(file)->pMethods->xUnlock(Real(file), level);
}

int CheckReservedLock(sqlite3_file* file, int* out) {
  return Real(file)->pMethods->xCheckReservedLock(Real(file), out);
}

int FileControl(sqlite3_file* file, int op, void* arg) {
  return Real(file)->pMethods->xFileControl(Real(file), op, arg);
}

int SectorSize(sqlite3_file* file) {
  return Real(file)->pMethods->xSectorSize(Real(file));
}

int DeviceCharacteristics(sqlite3_file* file) {
  return Real(file)->pMethods->xDeviceCharacteristics(Real(file));
}

int ShmMap(sqlite3_file* file, int region, int size, int extend,
           void volatile** out) {
  return Real(file)->pMethods->xShmMap(Real(file), region, size, extend, out);
}

int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Real(file)->pMethods->xShmLock(Real(file), offset, n, flags);
}

void ShmBarrier(sqlite3_file* file) {
  Real(file)->pMethods->xShmBarrier(Real(file));
}

int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Real(file)->pMethods->xShmUnmap(Real(file), delete_flag);
}

// No memory-mapped reads: every read goes through Read, where it can fail.
int Fetch(sqlite3_file*, sqlite3_int64, int, void** out) {
  *out = nullptr;
  return SQLITE_OK;
}

int Unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return Real(file)->pMethods->xUnfetch(Real(file), offset, p);
}

const sqlite3_io_methods kMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    ShmMap,
    ShmLock,
    ShmBarrier,
    ShmUnmap,
    Fetch,
    Unfetch,
};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags,
         int* out_flags) {
  auto* wrapper = reinterpret_cast<FaultFile*>(file);
  wrapper->real = reinterpret_cast<sqlite3_file*>(wrapper + 1);
  int rc = real_vfs->xOpen(real_vfs, name, wrapper->real, flags, out_flags);
  wrapper->base.pMethods = rc == SQLITE_OK ? &kMethods : nullptr;
  return rc;
}

int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) {
  return real_vfs->xDlOpen(real_vfs, name);
}
void DlError(sqlite3_vfs*, int size, char* out) {
  real_vfs->xDlError(real_vfs, size, out);
}
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return real_vfs->xDlSym(real_vfs, handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) {
  real_vfs->xDlClose(real_vfs, handle);
}
int Randomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}
int Sleep(sqlite3_vfs*, int us) { return real_vfs->xSleep(real_vfs, us); }
int CurrentTime(sqlite3_vfs*, double* out) {
  return real_vfs->xCurrentTime(real_vfs, out);
}
int GetLastError(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError(real_vfs, size, out);
}
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

void Register() {
  real_vfs = sqlite3_vfs_find(nullptr);
  static sqlite3_vfs vfs = {
      2,
      0,
      1024,
      nullptr,
      FaultInjector::kVfsName,
      nullptr,
      Open,
      Delete,
      Access,
      FullPathname,
      DlOpen,
      DlError,
      DlSym,
      DlClose,
      Randomness,
      Sleep,
      CurrentTime,
      GetLastError,
      CurrentTimeInt64,
  };
  vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
  vfs.mxPathname = real_vfs->mxPathname;
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
}

// --- the FileIo ------------------------------------------------------------

class FaultyFileIo : public base::FileIo {
 public:
  ssize_t Write(int fd, const void* data, size_t size) override {
    FaultInjector& faults = FaultInjector::Get();
    if (!faults.Hit(Fault::kDiskFull)) {
      return base::FileIo::Write(fd, data, size);
    }
    if (faults.armed() == Fault::kShortWrite && size > 1) {
      // A short write, as POSIX has them; the disk is full after it.
      return base::FileIo::Write(fd, data, size / 2);
    }
    errno = faults.armed() == Fault::kWriteError ? EIO : ENOSPC;
    return -1;
  }
  ssize_t Read(int fd, void* data, size_t size) override {
    if (FaultInjector::Get().Hit(Fault::kReadError)) {
      errno = EIO;
      return -1;
    }
    return base::FileIo::Read(fd, data, size);
  }
  int Fsync(int fd) override { return Sync(fd, false); }
  int Fdatasync(int fd) override { return Sync(fd, true); }

 private:
  int Sync(int fd, bool data_only) {
    if (FaultInjector::Get().Hit(Fault::kSyncError)) {
      errno = EIO;
      return -1;
    }
    return data_only ? base::FileIo::Fdatasync(fd) : base::FileIo::Fsync(fd);
  }
};

}  // namespace

const char* FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kDiskFull:
      return "disk full";
    case Fault::kShortWrite:
      return "short write";
    case Fault::kWriteError:
      return "write error";
    case Fault::kSyncError:
      return "sync error";
    case Fault::kReadError:
      return "read error";
  }
  return "?";
}

FaultInjector& FaultInjector::Get() {
  static FaultInjector* const injector = [] {
    Register();
    return new FaultInjector;
  }();
  return *injector;
}

base::FileIo* FaultInjector::file_io() {
  static FaultyFileIo* const io = new FaultyFileIo;
  return io;
}

void FaultInjector::Arm(Fault fault, int64_t at, bool sticky) {
  std::lock_guard<std::mutex> lock(mu);
  armed_fault = fault;
  armed_at = at;
  armed_sticky = sticky;
  matching_calls = 0;
  injected_faults = 0;
}

int64_t FaultInjector::calls() const {
  std::lock_guard<std::mutex> lock(mu);
  return matching_calls;
}

int64_t FaultInjector::injected() const {
  std::lock_guard<std::mutex> lock(mu);
  return injected_faults;
}

Fault FaultInjector::armed() const {
  std::lock_guard<std::mutex> lock(mu);
  return armed_fault;
}

bool FaultInjector::Hit(Fault kind) {
  std::lock_guard<std::mutex> lock(mu);
  const bool matches =
      IsWrite(kind) ? IsWrite(armed_fault) : armed_fault == kind;
  if (!matches) return false;
  ++matching_calls;
  const bool hit =
      armed_at > 0 && (matching_calls == armed_at ||
                       (armed_sticky && matching_calls > armed_at));
  if (hit) ++injected_faults;
  return hit;
}

}  // namespace motive::testing
