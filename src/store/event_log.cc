#include "store/event_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/errors.h"
#include "model/event_validation.h"

namespace motive::store {
namespace {

// kMigrations[v] turns schema v into v + 1. Never edit a published step:
// databases in the field went through it as written. Add a step instead.
constexpr const char* kMigrations[] = {
    // 0 -> 1: the log.
    R"sql(
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL UNIQUE,
        customer_id TEXT NOT NULL,
        occurred_us INTEGER NOT NULL,
        recorded_us INTEGER NOT NULL,
        body BLOB NOT NULL);
      CREATE INDEX events_by_customer ON events (customer_id, occurred_us, seq);
    )sql",
    // 1 -> 2: facts for support: which motive created and last migrated it.
    R"sql(
      CREATE TABLE motive_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL) WITHOUT ROWID;
    )sql",
};
static_assert(std::size(kMigrations) == EventLog::kSchemaVersion);

constexpr int kBusyTimeoutMs = 5000;

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Whether the last writer closed the log cleanly: it says so in motive_meta
// when it closes and takes it back when it opens.
bool ClosedCleanly(Connection& db) {
  absl::StatusOr<int64_t> clean = db.QueryInt64(
      "SELECT count(*) FROM sqlite_schema WHERE name = 'motive_meta'");
  if (!clean.ok() || *clean == 0) return false;
  clean = db.QueryInt64(
      "SELECT count(*) FROM motive_meta WHERE key = 'closed_cleanly' AND "
      "value = '1'");
  return clean.ok() && *clean == 1;
}

absl::Status MarkClosedCleanly(Connection& db, bool clean) {
  return db.Exec(absl::StrCat(
      "INSERT INTO motive_meta VALUES ('closed_cleanly', '", clean ? 1 : 0,
      "') ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
}

// Runs the integrity check and turns its first complaint into DataLoss.
absl::Status CheckIntegrity(Connection& db, IntegrityCheck check,
                            const std::string& path) {
  if (check == IntegrityCheck::kNone) return absl::OkStatus();
  if (check == IntegrityCheck::kAfterCrash && ClosedCleanly(db)) {
    return absl::OkStatus();
  }
  absl::StatusOr<Statement> stmt =
      db.Prepare(check == IntegrityCheck::kFull ? "PRAGMA integrity_check(1)"
                                                : "PRAGMA quick_check(1)");
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (*row && stmt->ColumnText(0) != "ok") {
    return absl::DataLossError(
        absl::StrCat(path, " is damaged: ", stmt->ColumnText(0)));
  }
  return absl::OkStatus();
}

absl::Status Migrate(Connection& db, int from, bool fresh) {
  if (absl::Status s = db.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  absl::Status status;
  for (int v = from; v < EventLog::kSchemaVersion && status.ok(); ++v) {
    status = db.Exec(kMigrations[v]);
  }
  if (status.ok()) {
    status = db.Exec(
        absl::StrCat("PRAGMA user_version = ", EventLog::kSchemaVersion));
  }
  if (status.ok() && fresh) {
    status = db.Exec(
        absl::StrCat("PRAGMA application_id = ", EventLog::kApplicationId));
  }
  if (status.ok()) {
    std::string version = MOTIVE_VERSION_STRING;
    status = db.Exec(absl::StrCat(
        "INSERT INTO motive_meta VALUES ('migrated_by', '", version,
        "') "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
        fresh ? absl::StrCat("INSERT OR IGNORE INTO motive_meta VALUES "
                             "('created_by', '",
                             version, "');")
              : ""));
  }
  if (!status.ok()) {
    db.Exec("ROLLBACK").IgnoreError();
    return status;
  }
  return db.Exec("COMMIT");
}

}  // namespace

EventLog::EventLog(std::unique_ptr<Connection> db,
                   const EventLogOptions& options)
    : options_(options), db_(std::move(db)) {}

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(
    const std::string& path, const EventLogOptions& options) {
  const bool in_memory = path == ":memory:";
  if (path.empty()) return absl::InvalidArgumentError("path is empty");
  if (in_memory && options.read_only) {
    return absl::InvalidArgumentError("a read-only log cannot be :memory:");
  }
  const bool create = options.create_if_missing && !options.read_only;
  if (!in_memory && !create && !FileExists(path)) {
    return absl::NotFoundError(absl::StrCat(path, " does not exist"));
  }
  int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
      (create ? SQLITE_OPEN_CREATE : 0);
  absl::StatusOr<std::unique_ptr<Connection>> opened =
      Connection::Open(path, flags);
  if (!opened.ok()) return opened.status();
  Connection& db = **opened;
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);

  // Look before writing anything: the file may belong to someone else.
  absl::StatusOr<int64_t> app_id = db.QueryInt64("PRAGMA application_id");
  if (!app_id.ok()) {
    if (absl::IsDataLoss(app_id.status())) {
      return absl::DataLossError(absl::StrCat(
          path, " is not a motive database (", app_id.status().message(), ")"));
    }
    return app_id.status();
  }
  absl::StatusOr<int64_t> version = db.QueryInt64("PRAGMA user_version");
  if (!version.ok()) return version.status();
  absl::StatusOr<int64_t> objects =
      db.QueryInt64("SELECT count(*) FROM sqlite_schema");
  if (!objects.ok()) return objects.status();

  const bool fresh = *app_id == 0 && *version == 0 && *objects == 0;
  if (!fresh && *app_id != kApplicationId) {
    return absl::DataLossError(absl::StrFormat(
        "%s is not a motive database: it is an SQLite database of another "
        "application (application_id 0x%08x); motive leaves it untouched",
        path, static_cast<uint32_t>(*app_id)));
  }
  // user_version is a signed field of the header: no motive writes a
  // negative one, and no migration starts from it.
  if (*version < 0) {
    return absl::DataLossError(
        absl::StrCat(path, " is damaged: schema version ", *version));
  }
  if (options.read_only && fresh) {
    return absl::NotFoundError(absl::StrCat(path, " holds no motive log yet"));
  }
  if (options.read_only && *version < kSchemaVersion) {
    return model::VersionError(absl::StrCat(
        path, " has schema version ", *version, " and needs migrating to ",
        kSchemaVersion, "; open it once for writing"));
  }
  if (*version > kSchemaVersion) {
    return model::VersionError(
        absl::StrCat(path, " has schema version ", *version,
                     ", made by a newer motive; this one reads up to version ",
                     kSchemaVersion));
  }
  if (!fresh) {
    absl::Status integrity = CheckIntegrity(db, options.integrity_check, path);
    if (!integrity.ok()) {
      if (absl::IsDataLoss(integrity) || absl::IsUnavailable(integrity)) {
        return integrity;
      }
      return absl::DataLossError(
          absl::StrCat(path, " is damaged: ", integrity.message()));
    }
  }

  if (!in_memory && !options.read_only) {
    // journal_mode answers with a row, so it cannot go through Exec.
    absl::StatusOr<Statement> wal = db.Prepare("PRAGMA journal_mode = WAL");
    if (!wal.ok()) return wal.status();
    if (absl::StatusOr<bool> row = wal->Step(); !row.ok()) return row.status();
  }
  // Full durability: SQLite syncs the WAL on every commit. Group commit:
  // SQLite commits without syncing, and the log syncs the WAL itself, once
  // per group and outside its lock (CommitAndSync).
  if (absl::Status s = db.Exec(absl::StrCat(
          "PRAGMA synchronous = ",
          options.durability == Durability::kFull ? "FULL" : "NORMAL",
          ";"
          "PRAGMA cache_size = -65536;"
          "PRAGMA temp_store = MEMORY;"
          // Only erasure deletes: what it deletes must not stay readable in
          // free pages.
          "PRAGMA secure_delete = ON;"));
      !s.ok()) {
    return s;
  }
  if (*version < kSchemaVersion) {
    if (absl::Status s = Migrate(db, static_cast<int>(*version), fresh);
        !s.ok()) {
      return s;
    }
  }

  // Until this writer closes cleanly, the next open counts as after a crash.
  if (!in_memory && !options.read_only) {
    if (absl::Status s = MarkClosedCleanly(db, false); !s.ok()) return s;
  }

  std::unique_ptr<EventLog> log(new EventLog(*std::move(opened), options));
  log->schema_version_ = kSchemaVersion;
  if (!in_memory) log->db_path_ = path;
  {
    std::unique_lock lock(log->mu_);
    if (absl::Status s = log->PrepareStatements(); !s.ok()) return s;
  }
  if (options.durability == Durability::kGroup && !options.read_only) {
    log->flusher_ = std::thread([raw = log.get()] { raw->FlushLoop(); });
  }
  return log;
}

EventLog::~EventLog() {
  {
    std::unique_lock lock(mu_);
    stopping_ = true;
    transaction_opened_.notify_one();
  }
  if (flusher_.joinable()) flusher_.join();
  absl::Status status = CommitAndSync();
  if (status.ok() && !db_path_.empty() && !options_.read_only) {
    std::unique_lock lock(mu_);
    status = MarkClosedCleanly(*db_, true);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "motive: closing the event log: %s\n",
                 std::string(status.message()).c_str());
  }
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

absl::Status EventLog::PrepareStatements() {
  struct {
    Statement* stmt;
    const char* sql;
  } const statements[] = {
      {&insert_,
       "INSERT INTO events (event_id, customer_id, occurred_us, recorded_us, "
       "body) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (event_id) DO NOTHING"},
      {&select_customer_,
       "SELECT body FROM events WHERE customer_id = ?1 AND occurred_us >= ?2 "
       "AND occurred_us < ?3 ORDER BY occurred_us, seq"},
      {&select_customer_recent_,
       "SELECT body FROM events WHERE customer_id = ?1 AND occurred_us >= ?2 "
       "AND occurred_us < ?3 ORDER BY occurred_us DESC, seq DESC LIMIT ?4"},
      {&scan_, "SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq"},
      {&erase_, "DELETE FROM events WHERE customer_id = ?1"},
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&savepoint_, "SAVEPOINT append"},
      {&release_, "RELEASE append"},
      {&rollback_to_, "ROLLBACK TO append"},
  };
  for (const auto& [stmt, sql] : statements) {
    absl::StatusOr<Statement> prepared = db_->Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    *stmt = *std::move(prepared);
  }
  return absl::OkStatus();
}

namespace {

// Runs a statement that returns no rows, ready to run again afterwards.
absl::Status Run(Statement& stmt) {
  absl::StatusOr<bool> row = stmt.Step();
  stmt.Reset();
  return row.status();
}

}  // namespace

absl::StatusOr<AppendResult> EventLog::Append(
    absl::Span<const v1::Event> events) {
  if (options_.read_only) {
    return absl::InvalidArgumentError(
        "the event log was opened read-only; nothing can be recorded");
  }
  // Serialise outside the lock: it is the one costly step that needs none.
  std::vector<std::string> bodies(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (!events[i].SerializeToString(&bodies[i])) {
      return absl::InternalError("serialising an event failed");
    }
  }
  AppendResult result;
  result.appended.reserve(events.size());
  std::unique_lock lock(mu_);
  if (!deferred_error_.ok()) return std::exchange(deferred_error_, {});
  if (absl::Status s = AppendLocked(events, bodies, &result); !s.ok()) {
    return s;
  }
  return result;
}

absl::Status EventLog::AppendLocked(absl::Span<const v1::Event> events,
                                    const std::vector<std::string>& bodies,
                                    AppendResult* result) {
  if (events.empty()) return absl::OkStatus();
  if (!in_transaction_) {
    if (absl::Status s = Run(begin_); !s.ok()) return s;
    in_transaction_ = true;
    transaction_started_ = absl::Now();
    transaction_opened_.notify_one();
  }
  // A single INSERT is atomic by itself; several need a savepoint so that a
  // failure takes back this call's events and no others in the group.
  const bool savepoint = events.size() > 1;
  absl::Status status = savepoint ? Run(savepoint_) : absl::OkStatus();
  for (size_t i = 0; status.ok() && i < events.size(); ++i) {
    const v1::Event& event = events[i];
    insert_.BindText(1, event.event_id());
    insert_.BindText(2, event.customer_id());
    insert_.BindInt64(3, model::ToUnixMicros(event.occurred_at()));
    insert_.BindInt64(4, model::ToUnixMicros(event.recorded_at()));
    insert_.BindBlob(5, bodies[i]);
    status = Run(insert_);
    if (status.ok()) result->appended.push_back(db_->Changes() == 1);
  }
  if (!status.ok()) {
    if (savepoint) {
      Run(rollback_to_).IgnoreError();
      Run(release_).IgnoreError();
    }
    if (pending_events_ == 0) {
      Run(rollback_).IgnoreError();
      in_transaction_ = false;
    }
    result->appended.clear();
    return status;
  }
  if (savepoint) {
    if (absl::Status s = Run(release_); !s.ok()) return s;
  }
  for (bool appended : result->appended) {
    ++(appended ? result->appended_count : result->duplicate_count);
  }
  pending_events_ += result->appended_count;
  if (options_.durability == Durability::kFull) return CommitLocked();
  if (pending_events_ >= kGroupCommitEvents) transaction_opened_.notify_one();
  return absl::OkStatus();
}

absl::Status EventLog::CommitLocked() {
  if (!in_transaction_) return absl::OkStatus();
  absl::Status status = Run(commit_);
  if (!status.ok()) {
    // COMMIT can fail and leave the transaction open (SQLITE_BUSY); end it so
    // that the log is never left half in a transaction.
    Run(rollback_).IgnoreError();
    status = model::Annotate(
        status, absl::StrCat("committing ", pending_events_,
                             " events failed, they are not stored"));
  }
  in_transaction_ = false;
  unsynced_ = status.ok() && options_.durability == Durability::kGroup;
  pending_events_ = 0;
  return status;
}

absl::Status EventLog::OpenWalLocked() {
  if (wal_fd_ >= 0) return absl::OkStatus();
  std::string wal = db_path_ + "-wal";
  wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (wal_fd_ < 0) {
    return model::IoError(
        absl::StrCat("opening ", wal, " to sync it: ", std::strerror(errno)));
  }
  // The WAL's directory entry must be durable too, once.
  std::string dir = std::filesystem::path(db_path_).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status EventLog::CommitAndSync() {
  int wal_fd;
  {
    std::unique_lock lock(mu_);
    if (!in_transaction_ && !unsynced_) return absl::OkStatus();
    if (absl::Status s = CommitLocked(); !s.ok()) return s;
    if (options_.durability == Durability::kFull || db_path_.empty()) {
      return absl::OkStatus();
    }
    if (absl::Status s = OpenWalLocked(); !s.ok()) return s;
    wal_fd = wal_fd_;
    unsynced_ = false;
  }
  // Outside the lock: appends go on while the disk catches up. The sync
  // covers every commit before it, this group's included.
  if (::fdatasync(wal_fd) != 0) {
    std::unique_lock lock(mu_);
    unsynced_ = true;
    return model::IoError(
        absl::StrCat("syncing ", db_path_, "-wal: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<EventLog::Erased> EventLog::EraseCustomer(
    absl::string_view customer_id) {
  if (options_.read_only) {
    return absl::InvalidArgumentError(
        "the event log was opened read-only; nothing can be erased");
  }
  if (absl::Status s = Flush(); !s.ok()) return s;
  std::unique_lock lock(mu_);
  // An append may have opened a group since: the deletion commits alone.
  if (in_transaction_) {
    if (absl::Status s = CommitLocked(); !s.ok()) return s;
  }
  erase_.BindText(1, customer_id);
  if (absl::Status s = Run(erase_); !s.ok()) return s;
  Erased erased;
  erased.events = static_cast<uint64_t>(db_->Changes());
  // A no-op returning SQLITE_OK for a database without a WAL (":memory:").
  const int rc = sqlite3_wal_checkpoint_v2(
      db_->get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_BUSY) {
    erased.wal = absl::UnavailableError(absl::StrCat(
        "erased ", erased.events, " events of customer ", customer_id,
        ", but another connection reading the database keeps their former "
        "pages in its write-ahead log; erase again once it is closed"));
  } else if (rc != SQLITE_OK) {
    erased.wal =
        SqliteError(db_->get(), rc, "checkpointing the write-ahead log");
  }
  return erased;
}

absl::Status EventLog::Flush() {
  {
    std::unique_lock lock(mu_);
    if (!deferred_error_.ok()) return std::exchange(deferred_error_, {});
  }
  return CommitAndSync();
}

bool EventLog::GroupDueLocked() const {
  return in_transaction_ &&
         (pending_events_ >= kGroupCommitEvents ||
          absl::Now() >= transaction_started_ + options_.group_commit_delay);
}

void EventLog::FlushLoop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      while (!stopping_ && !GroupDueLocked()) {
        if (in_transaction_) {
          transaction_opened_.wait_until(
              lock, absl::ToChronoTime(transaction_started_ +
                                       options_.group_commit_delay));
        } else {
          transaction_opened_.wait(lock);
        }
      }
      if (stopping_) return;
    }
    absl::Status status = CommitAndSync();
    if (!status.ok()) {
      std::unique_lock lock(mu_);
      if (deferred_error_.ok()) deferred_error_ = status;
    }
  }
}

absl::StatusOr<std::vector<v1::Event>> EventLog::ReadCustomer(
    absl::string_view customer_id, const TimeRange& range) {
  std::vector<v1::Event> events;
  std::unique_lock lock(mu_);
  Statement& stmt = range.limit ? select_customer_recent_ : select_customer_;
  stmt.BindText(1, customer_id);
  stmt.BindInt64(
      2, range.since_us ? range.since_us : std::numeric_limits<int64_t>::min());
  stmt.BindInt64(
      3, range.until_us ? range.until_us : std::numeric_limits<int64_t>::max());
  if (range.limit) stmt.BindInt64(4, range.limit);
  absl::Status status;
  while (true) {
    absl::StatusOr<bool> row = stmt.Step();
    if (!row.ok() || !*row) {
      status = row.status();
      break;
    }
    absl::string_view body = stmt.ColumnBlob(0);
    if (!events.emplace_back().ParseFromArray(body.data(),
                                              static_cast<int>(body.size()))) {
      status = absl::DataLossError(
          absl::StrCat("an event of customer ", customer_id, " is damaged"));
      break;
    }
  }
  stmt.Reset();
  if (!status.ok()) return status;
  if (range.limit) std::reverse(events.begin(), events.end());
  return events;
}

absl::Status EventLog::Scan(
    int64_t after_seq,
    const std::function<absl::Status(int64_t seq, const v1::Event&)>& fn) {
  std::unique_lock lock(mu_);
  scan_.BindInt64(1, after_seq);
  absl::Status status;
  v1::Event event;
  while (status.ok()) {
    absl::StatusOr<bool> row = scan_.Step();
    if (!row.ok() || !*row) {
      status = row.status();
      break;
    }
    int64_t seq = scan_.ColumnInt64(0);
    absl::string_view body = scan_.ColumnBlob(1);
    if (!event.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      status =
          absl::DataLossError(absl::StrCat("event seq ", seq, " is damaged"));
      break;
    }
    status = fn(seq, event);
  }
  scan_.Reset();
  return status;
}

absl::StatusOr<int64_t> EventLog::CountEvents() {
  std::unique_lock lock(mu_);
  return db_->QueryInt64("SELECT count(*) FROM events");
}

absl::StatusOr<int64_t> EventLog::LastSeq() {
  std::unique_lock lock(mu_);
  return db_->QueryInt64("SELECT coalesce(max(seq), 0) FROM events");
}

absl::StatusOr<std::string> EventLog::EventIdAt(int64_t seq) {
  std::unique_lock lock(mu_);
  absl::StatusOr<Statement> stmt =
      db_->Prepare("SELECT event_id FROM events WHERE seq = ?1");
  if (!stmt.ok()) return stmt.status();
  stmt->BindInt64(1, seq);
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("no event at seq ", seq));
  return std::string(stmt->ColumnText(0));
}

}  // namespace motive::store
