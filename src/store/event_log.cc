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
#include "base/errors.h"
#include "model/event_validation.h"
#include "zlib.h"

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
    // 2 -> 3: a checksum on every event, filled in for those already there.
    R"sql(
      ALTER TABLE events ADD COLUMN crc INTEGER;
      UPDATE events SET crc = motive_event_crc(seq, event_id, customer_id,
                                               occurred_us, recorded_us, body);
    )sql",
    // 3 -> 4: versions and enrichments of one interaction, found by its id.
    // Events written before 4 cannot have one (the field is newer).
    R"sql(
      ALTER TABLE events ADD COLUMN interaction TEXT NOT NULL DEFAULT '';
      CREATE INDEX events_by_interaction ON events (interaction, seq)
        WHERE interaction != '';
    )sql",
    // 4 -> 5: how far a node of a cluster applied each stream (cluster/).
    R"sql(
      CREATE TABLE stream_positions (
        stream TEXT PRIMARY KEY,
        seq INTEGER NOT NULL) WITHOUT ROWID;
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

// The columns ReadRowLocked reads, in its order.
#define MOTIVE_EVENT_COLUMNS                                          \
  "seq, event_id, customer_id, occurred_us, recorded_us, crc, body, " \
  "interaction"

void SqlEventChecksum(sqlite3_context* context, int, sqlite3_value** argv) {
  // Text and blob pointers first, then their sizes, as SQLite asks.
  auto text = [&](int i) {
    const auto* data =
        reinterpret_cast<const char*>(sqlite3_value_text(argv[i]));
    return absl::string_view(data ? data : "",
                             static_cast<size_t>(sqlite3_value_bytes(argv[i])));
  };
  const auto* blob = static_cast<const char*>(sqlite3_value_blob(argv[5]));
  const absl::string_view body(
      blob ? blob : "", static_cast<size_t>(sqlite3_value_bytes(argv[5])));
  sqlite3_result_int64(
      context, EventChecksum(sqlite3_value_int64(argv[0]), text(1), text(2),
                             sqlite3_value_int64(argv[3]),
                             sqlite3_value_int64(argv[4]), body));
}

// Creates the database file, empty and private, unless it exists: true when
// this call created it.
absl::StatusOr<bool> CreateFile(const std::string& path) {
  const int fd =
      ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return true;
  }
  if (errno == EEXIST) return false;
  return base::IoError(
      absl::StrCat("creating ", path, ": ", std::strerror(errno)));
}

// What a database holds before motive writes to it.
struct Found {
  int64_t application_id = 0;
  int64_t version = 0;
  bool fresh = false;  // nothing at all: a new database
};

absl::StatusOr<Found> Inspect(Connection& db, const std::string& path) {
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
  Found found{*app_id, *version,
              *app_id == 0 && *version == 0 && *objects == 0};
  if (!found.fresh && found.application_id != EventLog::kApplicationId) {
    return absl::DataLossError(absl::StrFormat(
        "%s is not a motive database: it is an SQLite database of another "
        "application (application_id 0x%08x); motive leaves it untouched",
        path, static_cast<uint32_t>(found.application_id)));
  }
  // user_version is a signed field of the header: no motive writes a
  // negative one, and no migration starts from it.
  if (found.version < 0) {
    return absl::DataLossError(
        absl::StrCat(path, " is damaged: schema version ", found.version));
  }
  return found;
}

// Refuses what this open must not touch: a read-only open of what it cannot
// read, a newer schema, a damaged file.
absl::Status Admit(Connection& db, const Found& found, const std::string& path,
                   const EventLogOptions& options) {
  if (options.read_only && found.fresh) {
    return absl::NotFoundError(absl::StrCat(path, " holds no motive log yet"));
  }
  if (options.read_only && found.version < EventLog::kSchemaVersion) {
    return base::VersionError(absl::StrCat(
        path, " has schema version ", found.version, " and needs migrating to ",
        EventLog::kSchemaVersion, "; open it once for writing"));
  }
  if (found.version > EventLog::kSchemaVersion) {
    return base::VersionError(
        absl::StrCat(path, " has schema version ", found.version,
                     ", made by a newer motive; this one reads up to version ",
                     EventLog::kSchemaVersion));
  }
  if (found.fresh) return absl::OkStatus();
  absl::Status integrity = CheckIntegrity(db, options.integrity_check, path);
  if (integrity.ok() || absl::IsDataLoss(integrity) ||
      absl::IsUnavailable(integrity)) {
    return integrity;
  }
  return absl::DataLossError(
      absl::StrCat(path, " is damaged: ", integrity.message()));
}

absl::Status Configure(Connection& db, bool wal, Durability durability) {
  if (wal) {
    // journal_mode answers with a row, so it cannot go through Exec.
    absl::StatusOr<Statement> stmt = db.Prepare("PRAGMA journal_mode = WAL");
    if (!stmt.ok()) return stmt.status();
    if (absl::StatusOr<bool> row = stmt->Step(); !row.ok()) {
      return row.status();
    }
  }
  // Full durability: SQLite syncs the WAL on every commit. Group commit:
  // SQLite commits without syncing, and the log syncs the WAL itself, once
  // per group and outside its lock (Sync).
  return db.Exec(
      absl::StrCat("PRAGMA synchronous = ",
                   durability == Durability::kFull ? "FULL" : "NORMAL",
                   ";"
                   "PRAGMA cache_size = -65536;"
                   "PRAGMA temp_store = MEMORY;"
                   // Only erasure deletes: what it deletes must not stay
                   // readable in free pages.
                   "PRAGMA secure_delete = ON;"));
}

// The highest seq the log ever held: its last event's, or the one erasure
// noted before deleting the tail.
absl::StatusOr<int64_t> QueryHighWater(Connection& db) {
  return db.QueryInt64(
      "SELECT max(coalesce((SELECT max(seq) FROM events), 0), "
      "coalesce((SELECT CAST(value AS INTEGER) FROM motive_meta "
      "WHERE key = 'high_water_seq'), 0))");
}

// A log that ends at `end` although its last writer recorded `recorded` as
// durable.
absl::Status LostEventsError(const std::string& path, int64_t end,
                             int64_t recorded) {
  return absl::DataLossError(absl::StrCat(
      path, " has lost committed events: it ends at seq ", end,
      ", but its last writer recorded events up to seq ", recorded,
      " as durable in ", path, "-lock (was its write-ahead log ", path,
      "-wal deleted, or the database copied, truncated or replaced without "
      "it?). Restore the missing file, or remove the lock file to accept "
      "the loss"));
}

void PutFixed64(char* out, int64_t value) {
  auto bits = static_cast<uint64_t>(value);
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(bits >> (8 * i));
}

}  // namespace

uint32_t EventChecksum(int64_t seq, absl::string_view event_id,
                       absl::string_view customer_id, int64_t occurred_us,
                       int64_t recorded_us, absl::string_view body) {
  // Fixed-width fields and the two lengths first, so that no two rows that
  // differ in where one string ends and the next begins hash alike.
  char fixed[40];
  PutFixed64(fixed, seq);
  PutFixed64(fixed + 8, occurred_us);
  PutFixed64(fixed + 16, recorded_us);
  PutFixed64(fixed + 24, static_cast<int64_t>(event_id.size()));
  PutFixed64(fixed + 32, static_cast<int64_t>(customer_id.size()));
  auto update = [](uLong crc, absl::string_view bytes) {
    return crc32_z(crc, reinterpret_cast<const Bytef*>(bytes.data()),
                   bytes.size());
  };
  uLong crc = crc32_z(0, nullptr, 0);
  crc = update(crc, absl::string_view(fixed, sizeof(fixed)));
  crc = update(crc, event_id);
  crc = update(crc, customer_id);
  crc = update(crc, body);
  return static_cast<uint32_t>(crc);
}

EventLog::EventLog(std::unique_ptr<WriterLock> lock,
                   std::unique_ptr<Connection> db,
                   const EventLogOptions& options)
    : options_(options), writer_lock_(std::move(lock)), db_(std::move(db)) {}

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
  // The writer's lock comes first: it makes creating the file, migrating
  // it and every append after that one process's alone.
  const bool writer = !in_memory && !options.read_only;
  std::unique_ptr<WriterLock> lock;
  bool created = false;
  if (writer) {
    absl::StatusOr<std::unique_ptr<WriterLock>> acquired =
        WriterLock::Acquire(path);
    if (!acquired.ok()) return acquired.status();
    lock = *std::move(acquired);
    absl::StatusOr<bool> made = CreateFile(path);
    if (!made.ok()) return made.status();
    created = *made;
    // The lock file may be left from a database that was removed.
    if (created) lock->ForgetEnd();
  }
  const int flags =
      SQLITE_OPEN_NOMUTEX |
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
      (create ? SQLITE_OPEN_CREATE : 0);
  absl::StatusOr<std::unique_ptr<Connection>> opened =
      Connection::Open(path, flags, options.sqlite_vfs);
  if (!opened.ok()) return opened.status();
  Connection& db = **opened;
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  sqlite3_create_function(db.get(), "motive_event_crc", 6,
                          SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                          SqlEventChecksum, nullptr, nullptr);

  // Look before writing anything: the file may belong to someone else.
  absl::StatusOr<Found> found = Inspect(db, path);
  if (!found.ok()) return found.status();
  if (absl::Status s = Admit(db, *found, path, options); !s.ok()) return s;
  if (found->fresh && lock != nullptr && lock->recorded_end() > 0) {
    return LostEventsError(path, 0, lock->recorded_end());
  }
  if (absl::Status s = Configure(db, writer, options.durability); !s.ok()) {
    return s;
  }
  if (found->version < kSchemaVersion && !options.read_only) {
    if (absl::Status s =
            Migrate(db, static_cast<int>(found->version), found->fresh);
        !s.ok()) {
      return s;
    }
  }
  // Until this writer closes cleanly, the next open counts as after a crash.
  if (writer) {
    if (absl::Status s = MarkClosedCleanly(db, false); !s.ok()) return s;
  }

  std::unique_ptr<EventLog> log(
      new EventLog(std::move(lock), *std::move(opened), options));
  log->schema_version_ = kSchemaVersion;
  if (!in_memory) log->db_path_ = path;
  if (absl::Status s = log->Start(); !s.ok()) return s;
  return log;
}

absl::Status EventLog::Start() {
  {
    base::MutexLock lock(&mu_);
    if (absl::Status s = PrepareStatements(); !s.ok()) return s;
    absl::StatusOr<int64_t> high_water = QueryHighWater(*db_);
    if (!high_water.ok()) return high_water.status();
    next_seq_ = *high_water + 1;
    absl::StatusOr<int64_t> identified = db_->QueryInt64(
        "SELECT count(*) FROM motive_meta WHERE key = 'identified'");
    if (!identified.ok()) return identified.status();
    identified_ = *identified > 0;
    if (writer_lock_ != nullptr && writer_lock_->recorded_end() > *high_water) {
      return LostEventsError(db_path_, *high_water,
                             writer_lock_->recorded_end());
    }
  }
  if (options_.integrity_check == IntegrityCheck::kFull) {
    // Every event's own check, so that damage is known (damage()) at open.
    if (absl::Status s =
            Scan(0, [](int64_t, const v1::Event&) { return absl::OkStatus(); });
        !s.ok()) {
      return s;
    }
  }
  if (writer_lock_ != nullptr) {
    // Checkpoints leave the append path for the maintenance thread, on a
    // connection of its own: SQLite would run them inside every thousandth
    // commit, syncing the database file there (milliseconds).
    absl::StatusOr<std::unique_ptr<Connection>> checkpointer =
        Connection::Open(db_path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         options_.sqlite_vfs);
    if (!checkpointer.ok()) return checkpointer.status();
    {
      base::MutexLock checkpoint_lock(&checkpoint_mu_);
      checkpointer_ = *std::move(checkpointer);
      sqlite3_busy_timeout(checkpointer_->get(), kBusyTimeoutMs);
      if (absl::Status s =
              checkpointer_->Exec(options_.durability == Durability::kFull
                                      ? "PRAGMA synchronous = FULL"
                                      : "PRAGMA synchronous = NORMAL");
          !s.ok()) {
        return s;
      }
    }
    base::MutexLock lock(&mu_);
    if (absl::Status s = db_->Exec("PRAGMA wal_autocheckpoint = 0"); !s.ok()) {
      return s;
    }
    sqlite3_wal_hook(db_->get(), &EventLog::OnWalCommit, this);
    maintainer_ = std::thread([this] { MaintenanceLoop(); });
  }
  started_ = true;
  return absl::OkStatus();
}

EventLog::~EventLog() {
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    committed_.Signal();
  }
  if (maintainer_.joinable()) maintainer_.join();
  {
    // Closed first, so that the log's own connection is the last one and
    // checkpoints the WAL into the database as it closes.
    base::MutexLock lock(&checkpoint_mu_);
    checkpointer_.reset();
  }
  // A log refused while opening (Start failed) is left as it was found.
  if (writer_lock_ == nullptr || !started_) return;
  {
    base::MutexLock lock(&mu_);
    // Synced once more whatever the mode, so that the end it records also
    // covers commits an earlier writer left unsynced.
    unsynced_ = sync_error_.ok();
  }
  // A failure here has nobody to go to (a library never writes to the
  // host's stderr): the log is then not marked closed cleanly, and the next
  // open checks it as after a crash.
  const bool synced = Sync().ok();
  base::MutexLock lock(&mu_);
  if (synced) MarkClosedCleanly(*db_, true).IgnoreError();
  if (wal_fd_ >= 0) ::close(wal_fd_);
}

absl::Status EventLog::PrepareStatements() {
  struct {
    Statement* stmt;
    const char* sql;
  } const statements[] = {
      {&insert_,
       "INSERT INTO events (seq, event_id, customer_id, occurred_us, "
       "recorded_us, body, crc, interaction) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
       "ON CONFLICT (event_id) DO NOTHING"},
      {&select_interaction_,
       // The second term lets SQLite use the partial index: without it
       // every lookup scans the table.
       "SELECT seq, customer_id FROM events WHERE interaction = ?1 "
       "AND interaction != '' ORDER BY seq"},
      {&select_customer_,
       "SELECT " MOTIVE_EVENT_COLUMNS
       " FROM events WHERE customer_id = ?1 AND occurred_us >= ?2 "
       "AND occurred_us < ?3 ORDER BY occurred_us, seq"},
      {&select_customer_recent_,
       "SELECT " MOTIVE_EVENT_COLUMNS
       " FROM events WHERE customer_id = ?1 AND occurred_us >= ?2 "
       "AND occurred_us < ?3 ORDER BY occurred_us DESC, seq DESC LIMIT ?4"},
      {&scan_, "SELECT " MOTIVE_EVENT_COLUMNS
               " FROM events WHERE seq > ?1 AND occurred_us < ?2 ORDER BY seq"},
      {&set_position_,
       "INSERT INTO stream_positions VALUES (?1, ?2) "
       "ON CONFLICT (stream) DO UPDATE SET seq = excluded.seq"},
      {&erase_, "DELETE FROM events WHERE customer_id = ?1"},
      {&erase_before_, "DELETE FROM events WHERE occurred_us < ?1"},
      {&begin_, "BEGIN IMMEDIATE"},
      {&begin_read_, "BEGIN"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
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

absl::Status EventLog::WritableLocked(absl::string_view what) const {
  if (options_.read_only) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the event log was opened read-only; nothing can be ", what));
  }
  return sync_error_;
}

absl::StatusOr<AppendResult> EventLog::Append(
    absl::Span<const v1::Event> events, absl::Span<const std::string> bodies,
    const StreamPositions& positions) {
  // Serialise outside the lock: it is the one costly step that needs none.
  std::vector<std::string> serialized;
  if (bodies.empty()) {
    serialized.resize(events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      if (!events[i].SerializeToString(&serialized[i])) {
        return absl::InternalError("serialising an event failed");
      }
    }
    bodies = serialized;
  } else if (bodies.size() != events.size()) {
    return absl::InternalError("an append's bodies do not match its events");
  }
  AppendResult result;
  result.appended.reserve(events.size());
  base::MutexLock lock(&mu_);
  if (absl::Status s = WritableLocked("recorded"); !s.ok()) return s;
  if (absl::Status s = AppendLocked(events, bodies, positions, &result);
      !s.ok()) {
    return s;
  }
  if (result.appended_count > 0 || !positions.empty()) CommittedLocked();
  return result;
}

absl::StatusOr<StreamPositions> EventLog::ReadStreamPositions() {
  base::MutexLock lock(&mu_);
  absl::StatusOr<Statement> stmt =
      db_->Prepare("SELECT stream, seq FROM stream_positions");
  if (!stmt.ok()) return stmt.status();
  StreamPositions positions;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) return positions;
    positions[stmt->ColumnText(0)] =
        static_cast<uint64_t>(stmt->ColumnInt64(1));
  }
}

void EventLog::CommittedLocked() {
  if (writer_lock_ == nullptr) return;
  if (options_.durability == Durability::kFull) {
    // SQLite synced the commit: the end is durable now. Recording it costs
    // a small write, next to the sync's milliseconds.
    writer_lock_->RecordEnd(next_seq_ - 1);
  } else if (!unsynced_) {
    unsynced_ = true;
    unsynced_since_ = absl::Now();
    committed_.Signal();
  }
}

absl::Status EventLog::AppendLocked(absl::Span<const v1::Event> events,
                                    absl::Span<const std::string> bodies,
                                    const StreamPositions& positions,
                                    AppendResult* result) {
  if (events.empty() && positions.empty()) return absl::OkStatus();
  const int64_t first_seq = next_seq_;
  absl::Status status = Run(begin_);
  if (!status.ok()) return status;
  bool identified = identified_;
  for (size_t i = 0; status.ok() && i < events.size(); ++i) {
    status = InsertLocked(events[i], bodies[i], result);
    identified = identified || !events[i].identifiers().empty();
  }
  if (status.ok() && identified != identified_) {
    status = db_->Exec(
        "INSERT OR IGNORE INTO motive_meta VALUES ('identified', '1')");
  }
  for (const auto& [stream, seq] : positions) {
    if (!status.ok()) break;
    set_position_.BindText(1, stream);
    set_position_.BindInt64(2, static_cast<int64_t>(seq));
    status = Run(set_position_);
  }
  if (status.ok()) {
    status = Run(commit_);
    if (!status.ok()) {
      status = base::Annotate(
          status, absl::StrCat("committing ", events.size(),
                               " events failed; none of them is stored"));
    }
  }
  if (!status.ok()) {
    // COMMIT can fail and leave the transaction open (SQLITE_BUSY): end it,
    // so that the log is never left half in a transaction.
    Run(rollback_).IgnoreError();
    next_seq_ = first_seq;
    result->appended.clear();
    return status;
  }
  identified_ = identified;
  for (bool appended : result->appended) {
    ++(appended ? result->appended_count : result->duplicate_count);
  }
  return absl::OkStatus();
}

absl::Status EventLog::InsertLocked(const v1::Event& event,
                                    const std::string& body,
                                    AppendResult* result) {
  const int64_t occurred_us = model::ToUnixMicros(event.occurred_at());
  const int64_t recorded_us = model::ToUnixMicros(event.recorded_at());
  insert_.BindInt64(1, next_seq_);
  insert_.BindText(2, event.event_id());
  insert_.BindText(3, event.customer_id());
  insert_.BindInt64(4, occurred_us);
  insert_.BindInt64(5, recorded_us);
  insert_.BindBlob(6, body);
  insert_.BindInt64(
      7, EventChecksum(next_seq_, event.event_id(), event.customer_id(),
                       occurred_us, recorded_us, body));
  insert_.BindText(8, event.interaction_id());
  if (absl::Status s = Run(insert_); !s.ok()) return s;
  const bool appended = db_->Changes() == 1;
  result->appended.push_back(appended);
  if (appended) ++next_seq_;
  return absl::OkStatus();
}

absl::Status EventLog::OpenWalLocked() {
  if (wal_fd_ >= 0) return absl::OkStatus();
  std::string wal = db_path_ + "-wal";
  wal_fd_ = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
  if (wal_fd_ < 0) {
    return base::IoError(
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

absl::Status EventLog::Sync() {
  int wal_fd;
  int64_t seq;
  {
    base::MutexLock lock(&mu_);
    if (!sync_error_.ok()) return sync_error_;
    if (!unsynced_ || writer_lock_ == nullptr) return absl::OkStatus();
    if (absl::Status s = OpenWalLocked(); !s.ok()) return s;
    wal_fd = wal_fd_;
    seq = next_seq_ - 1;
    unsynced_ = false;
  }
  // Outside the lock: appends go on while the disk catches up. The sync
  // covers every commit before it.
  base::FileIo& io =
      options_.file_io != nullptr ? *options_.file_io : base::FileIo::Default();
  if (io.Fdatasync(wal_fd) != 0) {
    base::MutexLock lock(&mu_);
    sync_error_ = base::IoError(absl::StrCat(
        "syncing ", db_path_, "-wal failed (", std::strerror(errno),
        "): events acknowledged since the last sync may not survive a power "
        "loss, so the log refuses writes until it is reopened"));
    return sync_error_;
  }
  writer_lock_->RecordEnd(seq);
  return absl::OkStatus();
}

absl::StatusOr<EventLog::Erased> EventLog::EraseCustomer(
    absl::string_view customer_id) {
  base::MutexLock lock(&mu_);
  erase_.BindText(1, customer_id);
  return EraseLocked(erase_, absl::StrCat("events of customer ", customer_id));
}

absl::StatusOr<EventLog::Erased> EventLog::EraseBefore(int64_t cutoff_us) {
  base::MutexLock lock(&mu_);
  erase_before_.BindInt64(1, cutoff_us);
  return EraseLocked(erase_before_, "expired events");
}

absl::StatusOr<EventLog::Erased> EventLog::EraseLocked(Statement& erase,
                                                       absl::string_view what) {
  absl::Status status = WritableLocked("erased");
  if (status.ok()) status = Run(begin_);
  if (!status.ok()) {
    erase.Reset();
    return status;
  }
  // The seqs of the tail stay taken, and a log whose tail was erased is
  // told from one that lost it (HighWater).
  status = db_->Exec(absl::StrCat(
      "INSERT INTO motive_meta VALUES ('high_water_seq', '", next_seq_ - 1,
      "') ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  Erased erased;
  if (status.ok()) {
    status = Run(erase);
    erased.events = static_cast<uint64_t>(db_->Changes());
  } else {
    erase.Reset();
  }
  if (status.ok()) status = Run(commit_);
  if (!status.ok()) {
    Run(rollback_).IgnoreError();
    return status;
  }
  CommittedLocked();
  // SQLite runs one checkpoint at a time: this one waits for the
  // maintenance thread's rather than failing on it.
  base::MutexLock checkpoint_lock(&checkpoint_mu_);
  // A no-op returning SQLITE_OK for a database without a WAL (":memory:").
  const int rc = sqlite3_wal_checkpoint_v2(
      db_->get(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_BUSY) {
    erased.wal = absl::UnavailableError(absl::StrCat(
        "erased ", erased.events, " ", what,
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
    base::MutexLock lock(&mu_);
    if (!sync_error_.ok()) return sync_error_;
  }
  return Sync();
}

void EventLog::MaintenanceLoop() {
  while (true) {
    bool sync = false;
    bool checkpoint = false;
    {
      base::MutexLock lock(&mu_);
      while (!stopping_) {
        checkpoint = wal_pages_ >= kCheckpointPages;
        const bool group = options_.durability == Durability::kGroup;
        const absl::Time due = unsynced_since_ + options_.group_commit_delay;
        sync = group && unsynced_ && absl::Now() >= due;
        if (sync || checkpoint) break;
        if (group && unsynced_) {
          committed_.WaitUntil(&mu_, absl::ToChronoTime(due));
        } else {
          committed_.Wait(&mu_);
        }
      }
      if (stopping_) return;
      if (checkpoint) wal_pages_ = 0;
    }
    // A failure stays in sync_error_, for every writer after it.
    if (sync) Sync().IgnoreError();
    // PASSIVE: it copies what no reader still needs and waits for nobody; a
    // failure (a reader in the way, an I/O error) leaves the pages in the WAL
    // for the next one.
    if (checkpoint) {
      base::MutexLock lock(&checkpoint_mu_);
      sqlite3_wal_checkpoint_v2(checkpointer_->get(), nullptr,
                                SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
  }
}

int EventLog::OnWalCommit(void* self, sqlite3*, const char*, int pages) {
  auto* log = static_cast<EventLog*>(self);
  // SQLite calls this inside COMMIT, which runs under mu_.
  log->mu_.AssertHeld();
  log->wal_pages_ = pages;
  if (pages >= kCheckpointPages) log->committed_.Signal();
  return SQLITE_OK;
}

bool EventLog::ReadRowLocked(const Statement& stmt,
                             absl::string_view customer_id, v1::Event* event) {
  const int64_t seq = stmt.ColumnInt64(0);
  const absl::string_view event_id = stmt.ColumnText(1);
  const absl::string_view row_customer = stmt.ColumnText(2);
  const int64_t occurred_us = stmt.ColumnInt64(3);
  const int64_t crc = stmt.ColumnInt64(5);
  const absl::string_view body = stmt.ColumnBlob(6);
  // The checksum before the parse: a damaged body never reaches protobuf.
  const bool good =
      crc == EventChecksum(seq, event_id, row_customer, occurred_us,
                           stmt.ColumnInt64(4), body) &&
      event->ParseFromArray(body.data(), static_cast<int>(body.size())) &&
      event->event_id() == event_id && event->customer_id() == row_customer &&
      event->interaction_id() == stmt.ColumnText(7) &&
      model::ToUnixMicros(event->occurred_at()) == occurred_us &&
      (customer_id.empty() || row_customer == customer_id);
  if (!good) NoteDamageLocked(seq);
  return good;
}

void EventLog::NoteDamageLocked(int64_t seq) { damaged_.insert(seq); }

LogDamage EventLog::damage() const {
  base::MutexLock lock(&mu_);
  LogDamage damage;
  damage.events = damaged_.size();
  damage.seqs.assign(damaged_.begin(), damaged_.end());
  std::sort(damage.seqs.begin(), damage.seqs.end());
  if (damage.seqs.size() > LogDamage::kMaxListed) {
    damage.seqs.resize(LogDamage::kMaxListed);
  }
  return damage;
}

absl::StatusOr<std::vector<v1::Event>> EventLog::ReadCustomer(
    absl::string_view customer_id, const TimeRange& range) {
  const std::string id(customer_id);
  return ReadCustomers(absl::MakeConstSpan(&id, 1), range);
}

absl::StatusOr<std::vector<v1::Event>> EventLog::ReadCustomers(
    absl::Span<const std::string> customer_ids, const TimeRange& range) {
  // Parsed in place; (occurred_us, seq) of each: one customer's order, kept
  // across several.
  std::vector<v1::Event> events;
  std::vector<std::pair<int64_t, int64_t>> keys;
  base::MutexLock lock(&mu_);
  Statement& stmt = range.limit ? select_customer_recent_ : select_customer_;
  absl::Status status;
  for (const std::string& customer_id : customer_ids) {
    stmt.BindText(1, customer_id);
    stmt.BindInt64(2, range.since_us ? range.since_us
                                     : std::numeric_limits<int64_t>::min());
    stmt.BindInt64(3, range.until_us ? range.until_us
                                     : std::numeric_limits<int64_t>::max());
    if (range.limit) stmt.BindInt64(4, range.limit);
    while (true) {
      absl::StatusOr<bool> row = stmt.Step();
      if (!row.ok() || !*row) {
        status = row.status();
        break;
      }
      if (ReadRowLocked(stmt, customer_id, &events.emplace_back())) {
        keys.emplace_back(stmt.ColumnInt64(3), stmt.ColumnInt64(0));
      } else {
        events.pop_back();
      }
    }
    stmt.Reset();
    if (!status.ok()) return status;
  }
  // One customer's rows come in order (or in reverse, the most recent
  // first): the reordering is for several, and for the reverse.
  if (!std::is_sorted(keys.begin(), keys.end())) {
    std::vector<uint32_t> order(events.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return keys[a] < keys[b]; });
    std::vector<v1::Event> sorted;
    sorted.reserve(events.size());
    for (uint32_t i : order) sorted.push_back(std::move(events[i]));
    events.swap(sorted);
  }
  // The most recent `limit` of them all.
  if (range.limit && events.size() > range.limit) {
    events.erase(events.begin(), events.end() - range.limit);
  }
  return events;
}

absl::StatusOr<EventLog::InteractionMap> EventLog::InteractionEvents(
    absl::Span<const absl::string_view> interaction_ids) {
  InteractionMap found;
  base::MutexLock lock(&mu_);
  absl::Status status = Run(begin_read_);
  for (size_t i = 0; status.ok() && i < interaction_ids.size(); ++i) {
    if (found.contains(interaction_ids[i])) continue;  // asked twice
    select_interaction_.BindText(1, interaction_ids[i]);
    while (true) {
      absl::StatusOr<bool> row = select_interaction_.Step();
      if (!row.ok() || !*row) {
        status = row.status();
        break;
      }
      found[interaction_ids[i]].push_back(
          {select_interaction_.ColumnInt64(0),
           std::string(select_interaction_.ColumnText(1))});
    }
    select_interaction_.Reset();
  }
  if (status.ok()) {
    status = Run(commit_);
  } else {
    Run(rollback_).IgnoreError();
  }
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<absl::flat_hash_set<std::string>>
EventLog::RepeatedInteractions() {
  base::MutexLock lock(&mu_);
  absl::StatusOr<Statement> stmt = db_->Prepare(
      "SELECT interaction FROM events WHERE interaction != '' "
      "GROUP BY interaction HAVING count(*) > 1");
  if (!stmt.ok()) return stmt.status();
  absl::flat_hash_set<std::string> repeated;
  while (true) {
    absl::StatusOr<bool> row = stmt->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    repeated.insert(std::string(stmt->ColumnText(0)));
  }
  return repeated;
}

absl::Status EventLog::Scan(
    int64_t after_seq,
    const std::function<absl::Status(int64_t seq, const v1::Event&)>& fn,
    int64_t occurred_before_us) {
  base::MutexLock lock(&mu_);
  scan_.BindInt64(1, after_seq);
  scan_.BindInt64(2, occurred_before_us);
  absl::Status status;
  v1::Event event;
  while (status.ok()) {
    absl::StatusOr<bool> row = scan_.Step();
    if (!row.ok() || !*row) {
      status = row.status();
      break;
    }
    if (ReadRowLocked(scan_, "", &event)) {
      status = fn(scan_.ColumnInt64(0), event);
    }
  }
  scan_.Reset();
  return status;
}

absl::StatusOr<int64_t> EventLog::CountEvents() {
  base::MutexLock lock(&mu_);
  return db_->QueryInt64("SELECT count(*) FROM events");
}

absl::StatusOr<int64_t> EventLog::HighWater() {
  base::MutexLock lock(&mu_);
  return QueryHighWater(*db_);
}

absl::StatusOr<int64_t> EventLog::LastSeq() {
  base::MutexLock lock(&mu_);
  return db_->QueryInt64("SELECT coalesce(max(seq), 0) FROM events");
}

absl::StatusOr<std::string> EventLog::EventIdAt(int64_t seq) {
  base::MutexLock lock(&mu_);
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
