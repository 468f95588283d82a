// EventLog: the durable, append-only log of journey events in SQLite, the
// source of truth that every projection is rebuilt from.
//
// Layout (schema version 5, PRAGMA user_version; application_id "MOTV"):
//
//   events(seq INTEGER PRIMARY KEY,      append order, never reused
//          event_id TEXT UNIQUE,         the idempotency key
//          customer_id TEXT, occurred_us INTEGER, recorded_us INTEGER,
//          body BLOB,                    the motive.v1.Event, protobuf
//          crc INTEGER,                  since 3: EventChecksum of the row
//          interaction TEXT)             since 4: the event's interaction_id
//   index events_by_customer(customer_id, occurred_us, seq)
//   index events_by_interaction(interaction, seq), of events that have one
//   motive_meta(key TEXT PRIMARY KEY, value TEXT)   since version 2; keys:
//     created_by, migrated_by, closed_cleanly, high_water_seq, and
//     identified (an event with identifiers was appended)
//   stream_positions(stream TEXT PRIMARY KEY, seq INTEGER)   since 5: how
//     far a node of a cluster applied each stream (cluster/replicator.h)
//
// Opening checks before it writes anything: a file that is not SQLite, not
// motive's, damaged (quick or full integrity check) or from a newer schema is
// refused and left as it was. Older schemas are migrated in one transaction.
// A log has one writer at a time (WriterLock, `<path>-lock`); a second one
// is refused with Unavailable naming the holder. A log shorter than the end
// its last writer recorded as durable lost committed events (its WAL was
// deleted or damaged) and is refused with DataLoss.
//
// Every event is checked on every read: its row's checksum covers the seq,
// the indexed columns and the body, and the body must agree with the
// columns. An event that fails is damaged: it is skipped (never served
// changed, never under another customer), counted and listed by seq in
// damage(), and the rest is served.
//
// Durability. Every Append commits before it returns, so an acknowledged
// event survives a crash of the process (a kill, an abort) in both modes.
// kFull syncs the commit to disk before returning, so it also survives a
// power loss. kGroup returns before the sync: the maintenance thread syncs the
// WAL (fdatasync, outside the lock, so that appends go on and many commits
// share one sync) at most `group_commit_delay` after the first commit it
// has not synced; a power loss can lose that window, nothing else can. A
// sync that fails leaves acknowledged events that may not be durable: the
// log then refuses every write (kIo, naming the error) until it is
// reopened, since the page cache that held them cannot be trusted.
//
// Checkpoints (copying the WAL into the database file, with a sync) run on
// the maintenance thread and a connection of its own, so that no append
// waits for one.
//
// Thread-safe: one connection behind a mutex for appends and reads.

#ifndef MOTIVE_STORE_EVENT_LOG_H_
#define MOTIVE_STORE_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/file_io.h"
#include "base/mutex.h"
#include "motive/v1/event.pb.h"
#include "store/sqlite.h"
#include "store/writer_lock.h"

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
  // For tests of I/O faults: the file calls motive makes itself (the WAL's
  // sync, snapshot files) go through `file_io` (null: the real ones), and
  // SQLite's through the registered VFS named `sqlite_vfs` ("": SQLite's
  // default). Neither is owned; both must outlive the log.
  base::FileIo* file_io = nullptr;
  std::string sqlite_vfs;
};

// What Append did with each event, in order: true when it was appended,
// false when its event_id was already in the log (or earlier in the span).
struct AppendResult {
  std::vector<bool> appended;
  uint64_t appended_count = 0;
  uint64_t duplicate_count = 0;
};

// A node of a cluster's place in the shared history: by stream name, the
// sequence of the last message it applied.
using StreamPositions = absl::flat_hash_map<std::string, uint64_t>;

// Bounds for reading a customer's events: since_us <= occurred_us < until_us
// (0 leaves an end open), at most `limit` of the most recent (0: all).
struct TimeRange {
  int64_t since_us = 0;
  int64_t until_us = 0;
  uint32_t limit = 0;
};

// The checksum stored with each event: CRC-32 over the seq, the indexed
// columns and the body, so that a bit flipped in any of them, or a row
// moved to another seq or customer, is told from a good event.
uint32_t EventChecksum(int64_t seq, absl::string_view event_id,
                       absl::string_view customer_id, int64_t occurred_us,
                       int64_t recorded_us, absl::string_view body);

// Damaged events found by reads so far (see the file comment).
struct LogDamage {
  static constexpr size_t kMaxListed = 100;
  uint64_t events = 0;        // distinct damaged events found
  std::vector<int64_t> seqs;  // the first kMaxListed of them, ascending
};

class EventLog {
 public:
  // The schema this code writes.
  static constexpr int kSchemaVersion = 5;
  // The WAL is checkpointed (in the background) once it holds this many
  // pages, as SQLite's own default would (inside a commit).
  static constexpr int kCheckpointPages = 1000;
  // "MOTV", in PRAGMA application_id.
  static constexpr int32_t kApplicationId = 0x4d4f5456;

  // Opens or creates the log at `path` (":memory:" for a private in-memory
  // one). A new file is created with mode 0600 (so are its WAL and lock
  // files): it holds personal data. Errors: NotFound (missing, and
  // create_if_missing false or read_only), InvalidArgument (read_only and
  // ":memory:"), DataLoss (not a motive database, damaged, shorter than
  // its recorded end), kVersion (newer schema), Unavailable (another
  // writer, or locked), kIo.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(
      const std::string& path, const EventLogOptions& options);

  // Syncs what group commit has not synced yet. A failure there cannot be
  // returned; call Flush() first to see it.
  ~EventLog();

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends validated, complete events (event_id, customer_id, occurred_at
  // and recorded_at set) in one all-or-nothing transaction, committed
  // before it returns (see Durability above). InvalidArgument when the log
  // is read-only; FailedPrecondition after a failed sync. `bodies`, when
  // not empty, are the events serialized (one each), so that a caller that
  // serialized them on another thread saves the log the work. `positions`
  // are written in the same transaction (a cluster node's place in the
  // streams the events came from), so that the log and its place never
  // disagree after a crash.
  absl::StatusOr<AppendResult> Append(absl::Span<const v1::Event> events,
                                      absl::Span<const std::string> bodies = {},
                                      const StreamPositions& positions = {});
  // What Append last wrote as `positions`, by stream (empty for a log that
  // was never a cluster node's).
  absl::StatusOr<StreamPositions> ReadStreamPositions();

  // Makes every append so far durable now (syncs the WAL under kGroup).
  absl::Status Flush();

  // A customer's events in event-time order, ties in append order; damaged
  // ones are left out (see damage()).
  absl::StatusOr<std::vector<v1::Event>> ReadCustomer(
      absl::string_view customer_id, const TimeRange& range);
  // The events of several customer ids (a profile's anchors) as one
  // customer's: by occurred time, then seq; `range.limit` counts them all.
  absl::StatusOr<std::vector<v1::Event>> ReadCustomers(
      absl::Span<const std::string> customer_ids, const TimeRange& range);

  // The events that share each of `interaction_ids` (versions and
  // enrichments of one contact): their seqs and customer ids, in append
  // order, by interaction; interactions no event has are left out. One read
  // transaction serves them all, since a batch of contacts asks thousands.
  struct InteractionEvent {
    int64_t seq;
    std::string customer_id;
  };
  using InteractionMap =
      absl::flat_hash_map<std::string, std::vector<InteractionEvent>>;
  absl::StatusOr<InteractionMap> InteractionEvents(
      absl::Span<const absl::string_view> interaction_ids);
  // The interactions that more than one event describes.
  absl::StatusOr<absl::flat_hash_set<std::string>> RepeatedInteractions();

  // Whether an event with identifiers was ever appended (motive_meta
  // 'identified'), so that opening a log of customer ids only reads no
  // identities.
  bool identified() const {
    base::MutexLock lock(&mu_);
    return identified_;
  }

  // Calls `fn` for every undamaged event with seq > after_seq (and that
  // occurred before `occurred_before_us`), in append order, until it
  // returns an error (which Scan returns). Appends wait meanwhile.
  absl::Status Scan(
      int64_t after_seq,
      const std::function<absl::Status(int64_t seq, const v1::Event&)>& fn,
      int64_t occurred_before_us = std::numeric_limits<int64_t>::max());

  // Deletes every event of `customer_id` (erasure), and every copy SQLite
  // keeps of them: their cells are overwritten where they were
  // (PRAGMA secure_delete) and the write-ahead log, which still holds the
  // pages as they were, is checkpointed and truncated. On error nothing was
  // deleted. InvalidArgument when the log is read-only.
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
  // Deletes every event that occurred before `cutoff_us` (retention), as
  // EraseCustomer deletes a customer's.
  absl::StatusOr<Erased> EraseBefore(int64_t cutoff_us);
  absl::StatusOr<int64_t> CountEvents();

  // The highest seq the log ever held (0 for a log that never held one):
  // the last event's, or one erased after it. How a snapshot or the lock
  // file's end tells a log that lost its tail from one that erased it.
  absl::StatusOr<int64_t> HighWater();
  // The seq of the last event held (0 for an empty log), and the event_id
  // at a seq (NotFound when there is none): how a snapshot finds where it
  // stands in the log.
  absl::StatusOr<int64_t> LastSeq();
  absl::StatusOr<std::string> EventIdAt(int64_t seq);

  LogDamage damage() const;

  int schema_version() const { return schema_version_; }

 private:
  EventLog(std::unique_ptr<WriterLock> lock, std::unique_ptr<Connection> db,
           const EventLogOptions& options);

  // After the connection is ready: statements, the next seq, the lock
  // file's end checked, the full check's scan, the sync thread.
  absl::Status Start();
  absl::Status PrepareStatements() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AppendLocked(absl::Span<const v1::Event> events,
                            absl::Span<const std::string> bodies,
                            const StreamPositions& positions,
                            AppendResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Runs `erase` (bound, a DELETE) in a transaction, then truncates the
  // WAL; `what` names the events in messages.
  absl::StatusOr<Erased> EraseLocked(Statement& erase, absl::string_view what)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status InsertLocked(const v1::Event& event, const std::string& body,
                            AppendResult* result)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Reads the row `stmt` stands on (the columns of kEventColumns) into
  // `event`; false, with the damage noted, when it fails its checks.
  // `customer_id` is the customer asked for ("" for any).
  bool ReadRowLocked(const Statement& stmt, absl::string_view customer_id,
                     v1::Event* event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NoteDamageLocked(int64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Why writes are refused (read-only, a failed sync), or OK.
  absl::Status WritableLocked(absl::string_view what) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After a commit: records the durable end (full durability), or has the
  // sync thread sync it within the delay (group commit).
  void CommittedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Syncs the WAL when commits wait for it (group commit), without holding
  // the lock meanwhile, and records the end it made durable.
  absl::Status Sync() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status OpenWalLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The writer's maintenance thread: syncs the WAL under group commit
  // within the delay, and checkpoints it once it holds kCheckpointPages.
  void MaintenanceLoop() ABSL_LOCKS_EXCLUDED(mu_);
  // SQLite's WAL hook, after each commit: how many pages the WAL holds.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);

  const EventLogOptions options_;
  int schema_version_ = 0;
  bool started_ = false;  // Start succeeded: the log is open
  // The database file; empty in memory, where there is nothing to sync.
  std::string db_path_;
  // Declared before db_, so that the lock outlives the connection.
  const std::unique_ptr<WriterLock> writer_lock_;  // null: read-only, memory

  // One connection, one lock: SQLite connections are not to be shared
  // between threads unlocked (the log opens them SQLITE_OPEN_NOMUTEX).
  mutable base::Mutex mu_;
  std::unique_ptr<Connection> db_ ABSL_GUARDED_BY(mu_);
  Statement insert_ ABSL_GUARDED_BY(mu_);
  Statement select_customer_ ABSL_GUARDED_BY(mu_);
  Statement select_customer_recent_ ABSL_GUARDED_BY(mu_);
  Statement select_interaction_ ABSL_GUARDED_BY(mu_);
  Statement scan_ ABSL_GUARDED_BY(mu_);
  Statement set_position_ ABSL_GUARDED_BY(mu_);
  Statement erase_ ABSL_GUARDED_BY(mu_);
  Statement erase_before_ ABSL_GUARDED_BY(mu_);
  Statement begin_ ABSL_GUARDED_BY(mu_);
  Statement begin_read_ ABSL_GUARDED_BY(mu_);
  Statement commit_ ABSL_GUARDED_BY(mu_);
  Statement rollback_ ABSL_GUARDED_BY(mu_);
  // The seq the next appended event gets: above every seq the log ever
  // held, so that a seq names one event for the log's whole life.
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;
  bool identified_ ABSL_GUARDED_BY(mu_) = false;
  // Group commit: commits not synced yet, since when.
  bool unsynced_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time unsynced_since_ ABSL_GUARDED_BY(mu_);
  // The WAL file, opened on the first group sync; fdatasync needs no lock.
  int wal_fd_ ABSL_GUARDED_BY(mu_) = -1;
  // A sync that failed: writes are refused from then on.
  absl::Status sync_error_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<int64_t> damaged_ ABSL_GUARDED_BY(mu_);
  // Pages in the WAL after the last commit, for the checkpoints.
  int wal_pages_ ABSL_GUARDED_BY(mu_) = 0;
  base::CondVar committed_;  // a commit wakes the maintenance thread
  // Held for a checkpoint: SQLite runs one at a time, and an erasure's must
  // not fail on the maintenance thread's. Taken after mu_ when both are.
  base::Mutex checkpoint_mu_ ABSL_ACQUIRED_AFTER(mu_);
  // The maintenance thread's own connection.
  std::unique_ptr<Connection> checkpointer_ ABSL_GUARDED_BY(checkpoint_mu_);
  std::thread maintainer_;
};

}  // namespace motive::store

#endif  // MOTIVE_STORE_EVENT_LOG_H_
