/*
 * motive.h: the C interface of libmotive, the embeddable agent-assist engine.
 *
 * This header is the contract and its documentation. Everything here is stable
 * for a whole major version: functions are only added, never changed (a new
 * behaviour gets a new _v2 function), and public structs only grow at the end.
 *
 * Conventions
 *
 *  - Every fallible function returns an int: MOT_OK (0) on success, a negative
 *    MOT_E* code on failure. The values never change. mot_error_last() gives a
 *    message for the last failure on the calling thread; read it right after
 *    the failing call.
 *  - Output parameters come first. Handles are opaque; constructors fill an
 *    out-parameter, destructors return void and accept NULL.
 *  - Strings (paths, ids) are NUL-terminated UTF-8. Payloads (events, batches)
 *    are a pointer plus a length and need not be NUL-terminated. The library
 *    copies what it needs from its inputs before returning.
 *  - What the library allocates, the library frees: mot_buf_dispose().
 *  - Structs that may grow start with `uint32_t struct_size`; initialise them
 *    with their _INIT macro or, from other languages, their _init function.
 *  - No C++ exception ever crosses this interface.
 *
 * Threading: a mot_engine may be shared by any number of threads; every
 * function on it is thread-safe unless its comment says otherwise.
 * Callbacks run on the calling thread, before the call that takes them
 * returns, and must not call back into the same engine.
 */
#ifndef MOTIVE_MOTIVE_H_
#define MOTIVE_MOTIVE_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(MOTIVE_SHARED_BUILD)
#define MOT_API __declspec(dllexport)
#elif defined(_WIN32) && defined(MOTIVE_SHARED)
#define MOT_API __declspec(dllimport)
#elif defined(__GNUC__)
#define MOT_API __attribute__((visibility("default")))
#else
#define MOT_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define MOT_VERSION_MAJOR 0
#define MOT_VERSION_MINOR 1
#define MOT_VERSION_PATCH 0
#define MOT_VERSION_STRING "0.1.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH, for comparisons. */
#define MOT_VERSION_NUMBER                                     \
  (MOT_VERSION_MAJOR * 1000000 + MOT_VERSION_MINOR * 1000 + \
   MOT_VERSION_PATCH)

/* The version of the library linked at run time, as "MAJOR.MINOR.PATCH".
 * Compare with MOT_VERSION_STRING to detect a header/library mismatch. */
MOT_API const char *mot_version(void);

/* The same as a number: MOT_VERSION_NUMBER of the library at run time. */
MOT_API int mot_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes and errors                                                  */
/* ------------------------------------------------------------------------ */

/* Fixed values: never renumbered, only added. */
#define MOT_OK 0
#define MOT_EINVALID -1    /* an argument or a record is invalid */
#define MOT_ENOTFOUND -2   /* the thing asked for does not exist */
#define MOT_EPARSE -3      /* input could not be parsed (JSON, CSV, protobuf) */
#define MOT_EIO -4         /* the file system or the database failed */
#define MOT_ECORRUPT -5    /* a file is damaged or is not a motive database */
#define MOT_EBUSY -6       /* the database is locked by another process */
#define MOT_ETOOSMALL -7   /* a caller's buffer is too small */
#define MOT_EVERSION -8    /* made by a newer motive, or a struct too new */
#define MOT_ENOMEM -9      /* out of memory */
#define MOT_EINTERNAL -10  /* a bug in motive; please report it */
#define MOT_EREJECTED -11  /* some records were rejected; the others stored */
#define MOT_ECANCELED -12  /* a callback asked to stop */
#define MOT_EUNSUPPORTED -13 /* a format or feature this build lacks */

/* The message of the last failure on the calling thread, never NULL ("" when
 * nothing has failed yet). Valid until the next call into motive on this
 * thread. Successful calls do not clear it. */
MOT_API const char *mot_error_last(void);

/* A short, static name for a status code ("invalid argument"), never NULL. */
MOT_API const char *mot_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Buffers                                                                  */
/* ------------------------------------------------------------------------ */

/* Bytes the library allocated for the caller. `data` is followed by a NUL
 * byte (not counted in `size`), so JSON can be used as a C string. Dispose
 * of it with mot_buf_dispose(). A zero-initialised mot_buf is empty and may
 * be disposed. This struct's layout is frozen. */
typedef struct mot_buf {
  uint8_t *data;
  size_t size;
} mot_buf;

/* Frees the buffer's bytes and empties it. Accepts NULL and empty buffers. */
MOT_API void mot_buf_dispose(mot_buf *buf);

/* ------------------------------------------------------------------------ */
/* Formats                                                                  */
/* ------------------------------------------------------------------------ */

/* How a payload is encoded. The schema is motive.v1 (motive/v1/event.proto,
 * installed with this header); JSON is protobuf's JSON mapping, where enum
 * names are also accepted in lower case ("voice"). */
#define MOT_FORMAT_AUTO 0     /* ingest only: from the file name's extension */
#define MOT_FORMAT_PROTOBUF 1 /* binary: one Event, an EventBatch, a Timeline */
#define MOT_FORMAT_JSON 2     /* one JSON object: Event, EventBatch, Timeline */
#define MOT_FORMAT_JSONL 3    /* ingest only: one Event object per line */
#define MOT_FORMAT_CSV 4      /* ingest only: header row naming Event fields */

/* ------------------------------------------------------------------------ */
/* Engine                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct mot_engine mot_engine;

/* When a recorded event is safe from a crash of the machine. */
#define MOT_DURABILITY_FULL 0  /* synced to disk before the call returns */
#define MOT_DURABILITY_GROUP 1 /* synced with others within group_commit_ms;
                                  a power loss may lose that much */

/* How much of the database to verify when it is opened. */
#define MOT_CHECK_QUICK 0 /* PRAGMA quick_check: structure, O(size) */
#define MOT_CHECK_FULL 1  /* PRAGMA integrity_check: also indexes */
#define MOT_CHECK_NONE 2  /* header and schema only: fastest open */

typedef struct mot_engine_options {
  uint32_t struct_size;     /* sizeof(mot_engine_options) */
  int32_t durability;       /* MOT_DURABILITY_*; default FULL */
  uint32_t group_commit_ms; /* GROUP only: longest delay; default 50 */
  int32_t integrity_check;  /* MOT_CHECK_*; default QUICK */
  int32_t create_if_missing; /* 1 (default): create a new database file */
  /* The journey map in protobuf text format (motive.v1.JourneyMap), or NULL
   * for the built-in one. Copied during mot_engine_open(). */
  const char *journey_map;
  /* 1: open an existing database for reading only, beside a process that
   * writes to it. Nothing is created or migrated, and recording fails with
   * MOT_EINVALID. Default 0. */
  int32_t read_only;
} mot_engine_options;

#define MOT_ENGINE_OPTIONS_INIT                                          \
  {                                                                      \
    sizeof(mot_engine_options), MOT_DURABILITY_FULL, 50, MOT_CHECK_QUICK, \
        1, NULL, 0                                                       \
  }

/* Fills `opts` with the defaults. `struct_size` is sizeof(*opts) as the
 * caller knows it, so that older callers keep working. Returns MOT_EINVALID
 * for NULL and MOT_EVERSION for a size this library does not know. */
MOT_API int mot_engine_options_init(mot_engine_options *opts,
                                    uint32_t struct_size);

/* Opens the motive database at `path`, creating it when missing (unless
 * opts->create_if_missing is 0), or an empty in-memory one for ":memory:".
 * `opts` may be NULL for the defaults. An existing file is checked first: a
 * file that is not a motive database, or is damaged, is refused with
 * MOT_ECORRUPT and left untouched; one made by a newer motive gets
 * MOT_EVERSION; an older one is migrated. On failure *out is NULL.
 * Returns MOT_OK, MOT_EINVALID, MOT_ECORRUPT, MOT_EVERSION, MOT_EBUSY,
 * MOT_EIO or MOT_ENOTFOUND (missing, and create_if_missing is 0 or
 * read_only is 1). A read-only open of a database that needs migrating gets
 * MOT_EVERSION. */
MOT_API int mot_engine_open(mot_engine **out, const char *path,
                            const mot_engine_options *opts);

/* Commits what group commit holds, and closes. Accepts NULL. The handle must
 * not be in use by another thread. */
MOT_API void mot_engine_close(mot_engine *engine);

/* Makes every event recorded so far durable now (group commit's pending
 * events). Returns MOT_OK, MOT_EINVALID or MOT_EIO. */
MOT_API int mot_engine_flush(mot_engine *engine);

/* ------------------------------------------------------------------------ */
/* Recording events                                                         */
/* ------------------------------------------------------------------------ */

/* Records one event, given as a motive.v1.Event in MOT_FORMAT_PROTOBUF or
 * MOT_FORMAT_JSON. The event is validated, its moment and stage inferred when
 * missing, and appended to the log unless its event_id is already there.
 * `stored` (may be NULL) receives 1 when the event was appended and 0 when it
 * was a duplicate. An invalid event is rejected whole, with a message naming
 * the field; nothing is written.
 * Returns MOT_OK, MOT_EINVALID (also for a read-only engine), MOT_EPARSE or
 * MOT_EIO. */
MOT_API int mot_event_record(int32_t *stored, mot_engine *engine,
                             int32_t format, const void *data, size_t size);

/* Counts of an ingest. */
typedef struct mot_ingest_report {
  uint32_t struct_size; /* sizeof(mot_ingest_report) */
  uint32_t reserved;
  uint64_t accepted;   /* newly appended to the log */
  uint64_t duplicates; /* already in the log (or earlier in the input) */
  uint64_t rejected;   /* invalid or unparsable, not stored */
} mot_ingest_report;

#define MOT_INGEST_REPORT_INIT { sizeof(mot_ingest_report), 0, 0, 0, 0 }

/* Called for each rejected record: `record` is the 1-based line number for
 * JSONL and CSV (of the line where the record starts) and the 1-based index
 * in the batch for JSON and protobuf. `field` names the offending field, or
 * is "" when the record as a whole is broken. */
typedef void (*mot_reject_fn)(void *user_data, uint64_t record,
                              const char *field, const char *message);

/* Called now and then during a long ingest; return non-zero to stop it
 * (what was committed before stays, the call returns MOT_ECANCELED). */
typedef int (*mot_progress_fn)(void *user_data, uint64_t bytes_done,
                               uint64_t bytes_total);

typedef struct mot_ingest_options {
  uint32_t struct_size; /* sizeof(mot_ingest_options) */
  /* MOT_FORMAT_JSONL, _CSV, _JSON (an EventBatch object), _PROTOBUF (an
   * EventBatch), or _AUTO: files by extension (.jsonl .ndjson .csv .json
   * .pb .binpb); buffers must name one. Default AUTO. */
  int32_t format;
  mot_reject_fn on_reject; /* may be NULL */
  void *reject_user_data;
  mot_progress_fn on_progress; /* may be NULL */
  void *progress_user_data;
  /* Records read per transaction, rejected ones included; default 4096.
   * on_progress is called after each. Each committed transaction is durable
   * as the engine's durability says. */
  uint32_t batch_size;
} mot_ingest_options;

#define MOT_INGEST_OPTIONS_INIT \
  { sizeof(mot_ingest_options), MOT_FORMAT_AUTO, NULL, NULL, NULL, NULL, 4096 }

/* Fills `opts` with the defaults; see mot_engine_options_init(). */
MOT_API int mot_ingest_options_init(mot_ingest_options *opts,
                                    uint32_t struct_size);

/* Ingests many records from memory. Valid records are stored, duplicates are
 * counted and skipped, and each invalid record is reported to on_reject and
 * skipped; a rejected record never leaves a partial write. `report` (may be
 * NULL) receives the counts, also on failure. `opts` is required: a buffer
 * has no file name, so opts->format must name its format.
 * Returns MOT_OK when every record was stored or a duplicate, MOT_EREJECTED
 * when some were rejected (the others stored), MOT_ECANCELED, or
 * MOT_EINVALID, MOT_EPARSE (a CSV header or an EventBatch that cannot be
 * read: nothing stored) or MOT_EIO (the open transaction was rolled back;
 * earlier ones stay). */
MOT_API int mot_ingest_buffer(mot_ingest_report *report, mot_engine *engine,
                              const void *data, size_t size,
                              const mot_ingest_options *opts);

/* Ingests a file, as mot_ingest_buffer() but streaming: files of any size.
 * Also returns MOT_ENOTFOUND when the file does not exist. */
MOT_API int mot_ingest_file(mot_ingest_report *report, mot_engine *engine,
                            const char *path, const mot_ingest_options *opts);

/* ------------------------------------------------------------------------ */
/* Reading a customer's journey                                             */
/* ------------------------------------------------------------------------ */

typedef struct mot_timeline_options {
  uint32_t struct_size; /* sizeof(mot_timeline_options) */
  int32_t format;       /* MOT_FORMAT_PROTOBUF (default) or MOT_FORMAT_JSON */
  /* Only events with since_us <= occurred_at < until_us, in microseconds
   * since the Unix epoch; 0 leaves that end open. */
  int64_t since_us;
  int64_t until_us;
  /* At most the `limit` most recent of those events; 0 for all. */
  uint32_t limit;
} mot_timeline_options;

#define MOT_TIMELINE_OPTIONS_INIT \
  { sizeof(mot_timeline_options), MOT_FORMAT_PROTOBUF, 0, 0, 0 }

/* Fills `opts` with the defaults; see mot_engine_options_init(). */
MOT_API int mot_timeline_options_init(mot_timeline_options *opts,
                                      uint32_t struct_size);

/* Reads a customer's events in event-time order (ties in append order) into
 * `out` as a motive.v1.Timeline. A customer with no events gets an empty
 * timeline, not an error. `opts` may be NULL for the defaults. On failure
 * `out` is left empty.
 * Returns MOT_OK, MOT_EINVALID or MOT_EIO. */
MOT_API int mot_timeline_get(mot_buf *out, mot_engine *engine,
                             const char *customer_id,
                             const mot_timeline_options *opts);

/* ------------------------------------------------------------------------ */
/* Rule expressions                                                         */
/* ------------------------------------------------------------------------ */

/* Rules, metric filters and playbooks are written in a subset of Google's
 * Common Expression Language (CEL): `event.channel == 'voice' &&
 * event.sentiment < -0.3`, `tags.exists(t, t == 'vip')`. */

/* Compiles `expression` against the variables the engine declares (its
 * context schema: `event`, a map of the event's fields, and `now`, a
 * timestamp) without running it, so that an integrator can validate a rule
 * as it is typed. `result_type` (may be NULL) receives the type of the
 * result as CEL writes it ("bool", "list(string)", "dyn").
 * Returns MOT_OK, MOT_EPARSE (a syntax error) or MOT_EINVALID (an unknown
 * name or function, wrong types, a limit), with the line, the column and
 * what is wrong in mot_error_last(). */
MOT_API int mot_expr_check(mot_buf *result_type, mot_engine *engine,
                           const char *expression);

/* Evaluates `expression` once, for trying rules out. `count` variables are
 * declared (as dyn), named `names[i]`, each valued by a CEL expression
 * `values[i]` evaluated first: a literal such as 3, 2.5, 'gold',
 * ['a', 'b'], {'plan': 'pro'} or timestamp('2025-01-01T00:00:00Z'). `out`
 * receives the result written as a CEL literal ("true", "[1, 2]").
 * Needs no engine. Returns MOT_OK, MOT_EPARSE, or MOT_EINVALID for a compile
 * error or an evaluation error ("division by zero", "no such key"), whose
 * message mot_error_last() gives. */
MOT_API int mot_expr_eval(mot_buf *out, const char *expression,
                          const char *const *names, const char *const *values,
                          size_t count);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MOTIVE_MOTIVE_H_ */
