// EventLog: the durable, append-only log of journey events in SQLite, the
// source of truth that every projection is rebuilt from.
//
// Layout (schema version 2, PRAGMA user_version; application_id "MOTV"):
//
//   events(seq INTEGER PRIMARY KEY,      append order
//          event_id TEXT UNIQUE,         the idempotency key
//          customer_id TEXT, occurred_us INTEGER, recorded_us INTEGER,
//          body BLOB)                    the motive.v1.Event, protobuf
//   index events_by_customer(customer_id, occurred_us, seq)
//   motive_meta(key TEXT PRIMARY KEY, value TEXT)   since version 2
//
// Opening checks before it writes anything: a file that is not SQLite, not
// motive's, damaged (quick or full integrity check) or from a newer schema is
// refused and left as it was. Older schemas are migrated in one transaction.
//
// Durability: kFull commits and syncs every Append before it returns. kGroup
// keeps one transaction open; a background thread commits it when it holds
// kGroupCommitEvents events or is `group_commit_delay` old, then syncs the
// WAL file (fdatasync) without holding the lock, so appends go on while the
// disk works and many appends share one sync. An append returns before its
// sync: a power loss can lose that window, a crash of the process cannot
// (the commit is in the OS's hands). Either way the database stays
// consistent: each Append is all or nothing (a savepoint inside the group).
//
// Thread-safe: one connection behind a mutex. Reads see every append made
// through this EventLog, committed or not.

#ifndef MOTIVE_STORE_EVENT_LOG_H_
#define MOTIVE_STORE_EVENT_LOG_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "motive/v1/event.pb.h"
#include "store/sqlite.h"

namespace motive::store {

enum class Durability { kFull, kGroup };
// How much of the file Open verifies. kQuick and kFull read the whole file
// (seconds for gigabytes); kAfterCrash runs the quick check only when the
// last writer did not close the log cleanly (a crash, a kill, a power loss),
// which is when damage is likely, so that a large log opens fast after a
// clean shutdown. Values match the C ABI's MOT_CHECK_*.
enum class IntegrityCheck { kQuick, kFull, kNone, kAfterCrash };

struct EventLogOptions {
  Durability durability = Durability::kFull;
  absl::Duration group_commit_delay = absl::Milliseconds(50);
  IntegrityCheck integrity_check = IntegrityCheck::kQuick;
  bool create_if_missing = true;
  // Opens an existing log without writing anything; Append fails.
  bool read_only = false;
};

// What Append did with each event, in order: true when it was appended,
// false when its event_id was already in the log (or earlier in the span).
struct AppendResult {
  std::vector<bool> appended;
  uint64_t appended_count = 0;
  uint64_t duplicate_count = 0;
};

// Bounds for reading a customer's events: since_us <= occurred_us < until_us
// (0 leaves an end open), at most `limit` of the most recent (0: all).
struct TimeRange {
  int64_t since_us = 0;
  int64_t until_us = 0;
  uint32_t limit = 0;
};

class EventLog {
 public:
  // The schema this code writes.
  static constexpr int kSchemaVersion = 2;
  // "MOTV", in PRAGMA application_id.
  static constexpr int32_t kApplicationId = 0x4d4f5456;
  // Group commit commits early once a transaction holds this many events.
  static constexpr uint64_t kGroupCommitEvents = 65536;

  // Opens or creates the log at `path` (":memory:" for a private in-memory
  // one). Errors: NotFound (missing, and create_if_missing false or
  // read_only), InvalidArgument (read_only and ":memory:"), DataLoss (not
  // a motive database, damaged), kVersion (newer schema), Unavailable
  // (locked), kIo.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(
      const std::string& path, const EventLogOptions& options);

  // Commits what group commit holds. A failure there can only be logged to
  // stderr; call Flush() first to see it.
  ~EventLog();

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends validated, complete events (event_id, customer_id, occurred_at
  // and recorded_at set) in one all-or-nothing step. InvalidArgument when the
  // log is read-only.
  absl::StatusOr<AppendResult> Append(absl::Span<const v1::Event> events);

  // Commits the open group now.
  absl::Status Flush();

  // A customer's events in event-time order, ties in append order.
  absl::StatusOr<std::vector<v1::Event>> ReadCustomer(
      absl::string_view customer_id, const TimeRange& range);

  // Calls `fn` for every event with seq > after_seq, in append order, until
  // it returns an error (which Scan returns). Appends wait meanwhile.
  absl::Status Scan(
      int64_t after_seq,
      const std::function<absl::Status(int64_t seq, const v1::Event&)>& fn);

  // Deletes every event of `customer_id` (erasure), and every copy SQLite
  // keeps of them: their cells are overwritten where they were
  // (PRAGMA secure_delete) and the write-ahead log, which still holds the
  // pages as they were, is checkpointed and truncated. Commits what group
  // commit holds first. On error nothing was deleted. InvalidArgument when
  // the log is read-only.
  struct Erased {
    uint64_t events = 0;  // 0 for an unknown customer
    // Not OK when the events are deleted but the write-ahead log was not
    // truncated, so that their former pages stay in that file until a later
    // checkpoint (an erasure of anyone, or the last connection's close):
    // Unavailable when another connection reading the database kept it,
    // else SQLite's error.
    absl::Status wal;
  };
  absl::StatusOr<Erased> EraseCustomer(absl::string_view customer_id);
  absl::StatusOr<int64_t> CountEvents();

  // The seq of the last event appended (0 for an empty log), and the
  // event_id at a seq (NotFound when there is none): how a snapshot finds
  // where it stands in the log.
  absl::StatusOr<int64_t> LastSeq();
  absl::StatusOr<std::string> EventIdAt(int64_t seq);

  int schema_version() const { return schema_version_; }

 private:
  EventLog(std::unique_ptr<Connection> db, const EventLogOptions& options);

  absl::Status PrepareStatements() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendLocked(absl::Span<const v1::Event> events,
                            const std::vector<std::string>& bodies,
                            AppendResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Ends the open transaction. Under group commit the commit is not synced
  // yet: unsynced_ says so until CommitAndSync syncs the WAL.
  absl::Status CommitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Commits, then (group commit) syncs the WAL without holding the lock.
  absl::Status CommitAndSync() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status OpenWalLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool GroupDueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FlushLoop() ABSL_LOCKS_EXCLUDED(mu_);

  const EventLogOptions options_;
  int schema_version_ = 0;
  // The database file; empty in memory, where there is nothing to sync.
  std::string db_path_;

  // std::mutex rather than absl::Mutex: Debian's Abseil is not built with
  // ThreadSanitizer's annotations, so TSan could not see absl's locking.
  std::mutex mu_;
  std::unique_ptr<Connection> db_ ABSL_GUARDED_BY(mu_);
  Statement insert_ ABSL_GUARDED_BY(mu_);
  Statement select_customer_ ABSL_GUARDED_BY(mu_);
  Statement select_customer_recent_ ABSL_GUARDED_BY(mu_);
  Statement scan_ ABSL_GUARDED_BY(mu_);
  Statement erase_ ABSL_GUARDED_BY(mu_);
  Statement begin_ ABSL_GUARDED_BY(mu_);
  Statement commit_ ABSL_GUARDED_BY(mu_);
  Statement rollback_ ABSL_GUARDED_BY(mu_);
  Statement savepoint_ ABSL_GUARDED_BY(mu_);
  Statement release_ ABSL_GUARDED_BY(mu_);
  Statement rollback_to_ ABSL_GUARDED_BY(mu_);
  // Group commit: the transaction left open, its size and age.
  bool in_transaction_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t pending_events_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time transaction_started_ ABSL_GUARDED_BY(mu_);
  bool unsynced_ ABSL_GUARDED_BY(mu_) = false;
  // The WAL file, opened on the first group sync; fdatasync needs no lock.
  int wal_fd_ ABSL_GUARDED_BY(mu_) = -1;
  // A commit by the background thread that failed, for the next caller.
  absl::Status deferred_error_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::condition_variable transaction_opened_;
  std::thread flusher_;
};

}  // namespace motive::store

#endif  // MOTIVE_STORE_EVENT_LOG_H_
