// Snapshots: the whole StateStore written to one file, so that opening an
// engine reads it and replays only the log written after it instead of the
// whole log.
//
// A snapshot is only a cache: everything in it can be rebuilt from the log.
// So a snapshot that does not match (another format version, another
// context configuration, another log, a log that no longer reaches the
// position it was taken at, a damaged file) is ignored with a reason, never
// trusted. The file is written beside the final one and renamed over it after
// an fsync, so a crash leaves the previous snapshot whole.
//
// File layout (little-endian; field by field at the top of snapshot.cc):
//   header   "MOTSNAP1", format version u32, config fingerprint u64,
//            log position: seq i64 and the event_id at that seq,
//   learned  the store's learning counters (StateStore::Learned), by action,
//   identities  the identity graph as the engine serialized it, so that
//            opening a log of identified customers does not read the whole
//            log to rebuild it,
//   shards   customers: id, then CustomerState::Save's bytes with their
//            length,
//   strings  the strings of the interner's table that the above name, with
//            their ids: only those, so that a string that only an erased
//            customer used is not written again,
//   trailer  the customer count, where the strings start, and a checksum of
//            everything before it (hashed in 1 MiB slices, so that neither
//            side holds the file twice).
//
// SnapshotWriter and SnapshotReader are the byte-level encoders that
// CustomerState::Save and Load use. Not thread-safe.

#ifndef MOTIVE_STATE_SNAPSHOT_H_
#define MOTIVE_STATE_SNAPSHOT_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/file_io.h"
#include "state/state_store.h"

namespace motive::state {

// Where in the log a snapshot was taken: every event with seq <= `seq` is in
// it. `event_id` is the event at `seq`, checked on load to tell whether the
// log is the same one ("" when seq is 0).
struct LogPosition {
  int64_t seq = 0;
  std::string event_id;
};

// A fingerprint of what shapes the state (the context configuration in its
// canonical form): a snapshot taken under another one is not used.
uint64_t ConfigFingerprint(const v1::ContextConfig& config);

// Writes `store` and `identity_graph` (opaque bytes, which ReadSnapshot
// gives back) to `path` atomically, through `io`. The caller keeps Apply
// calls away meanwhile (queries may go on), so that `position` is exact.
absl::Status WriteSnapshot(const StateStore& store, const LogPosition& position,
                           uint64_t config_fingerprint, const std::string& path,
                           base::FileIo& io = base::FileIo::Default(),
                           absl::string_view identity_graph = {});

// Reads the snapshot at `path` into `store` (which must be empty) and returns
// the position it was taken at. NotFound when there is no file; DataLoss
// (damaged), FailedPrecondition (format or fingerprint differs) with the
// reason otherwise; on error `store` may hold part of the snapshot and must
// be discarded. `*identity_graph`, when given, gets the bytes written with
// the snapshot.
absl::StatusOr<LogPosition> ReadSnapshot(
    const std::string& path, uint64_t config_fingerprint, StateStore* store,
    base::FileIo& io = base::FileIo::Default(),
    std::string* identity_graph = nullptr);

class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::string* out) : out_(out) {}
  // An Interner id, noted for the string table.
  void Id(uint32_t id) {
    Refer(id);
    U32(id);
  }
  // Notes an id written some other way (inside Raw bytes).
  void Refer(uint32_t id) {
    if (id >= referenced_.size()) referenced_.resize(id + 1);
    referenced_[id] = true;
  }
  // The ids noted so far: referenced()[id].
  const std::vector<bool>& referenced() const { return referenced_; }
  void U8(uint8_t v);
  void U32(uint32_t v);
  void U64(uint64_t v);
  void I64(int64_t v) { U64(static_cast<uint64_t>(v)); }
  void F64(double v);
  void Bytes(absl::string_view v);  // length, then the bytes
  // Raw bytes of trivially copyable data (HeldEvent arrays).
  void Raw(const void* data, size_t size);

 private:
  std::string* out_;
  std::vector<bool> referenced_;
};

// Every read fails soft: past the end it returns zeros and ok() turns false.
class SnapshotReader {
 public:
  // With `strings`, Id() checks each id against that table.
  explicit SnapshotReader(absl::string_view in,
                          const Interner* strings = nullptr)
      : in_(in), strings_(strings) {}
  // An Interner id; one the table does not hold fails the read.
  uint32_t Id();
  // Whether `id` (read with Raw) names a string of the table, or is kEmpty.
  bool Known(uint32_t id) const;
  uint8_t U8();
  uint32_t U32();
  uint64_t U64();
  int64_t I64() { return static_cast<int64_t>(U64()); }
  double F64();
  absl::string_view Bytes();
  bool Raw(void* data, size_t size);
  // Every byte not read yet, which are then read.
  absl::string_view Rest() {
    const absl::string_view rest = in_;
    in_ = {};
    return rest;
  }
  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size(); }

 private:
  absl::string_view in_;
  const Interner* strings_;
  bool ok_ = true;
};

}  // namespace motive::state

#endif  // MOTIVE_STATE_SNAPSHOT_H_
