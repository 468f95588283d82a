// Thin RAII wrappers over the SQLite C API: a connection and a prepared
// statement, with SQLite's result codes turned into absl::Status in one place.
//
// Neither class is thread-safe: the owner serialises access (EventLog holds a
// mutex around its connection).

#ifndef MOTIVE_STORE_SQLITE_H_
#define MOTIVE_STORE_SQLITE_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace motive::store {

// Turns a SQLite result code into a Status: busy and locked become
// Unavailable (MOT_EBUSY), corrupt and not-a-database DataLoss, out of memory
// ResourceExhausted, and the rest I/O errors (base::IoError). `what` says
// what motive was doing; SQLite's own message follows it.
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view what);

// A prepared statement. Bind indexes are 1-based, column indexes 0-based, as
// in SQLite.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  static absl::StatusOr<Statement> Prepare(sqlite3* db, absl::string_view sql);

  // Binding copies nothing: the bound bytes must outlive the next Step().
  void BindInt64(int index, int64_t value);
  void BindText(int index, absl::string_view text);
  void BindBlob(int index, absl::string_view bytes);

  // True when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step();
  // Clears bindings and makes the statement ready to run again.
  void Reset();

  int64_t ColumnInt64(int column) const;
  absl::string_view ColumnText(int column) const;
  absl::string_view ColumnBlob(int column) const;

 private:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open connection, closed on destruction.
class Connection {
 public:
  // `flags` as for sqlite3_open_v2(); `vfs` names a registered VFS, "" for
  // the default.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const std::string& path, int flags, const std::string& vfs = "");
  ~Connection();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows worth reading.
  absl::Status Exec(absl::string_view sql);

  // Runs a statement returning one integer (a PRAGMA, a COUNT).
  absl::StatusOr<int64_t> QueryInt64(absl::string_view sql);

  absl::StatusOr<Statement> Prepare(absl::string_view sql) {
    return Statement::Prepare(db_, sql);
  }

  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const { return sqlite3_changes(db_); }

  sqlite3* get() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
};

}  // namespace motive::store

#endif  // MOTIVE_STORE_SQLITE_H_
