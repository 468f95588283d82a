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
 *  - Each function's comment lists the statuses it returns, leaving out two
 *    that any of them may return: MOT_ENOMEM (out of memory, in motive or
 *    in SQLite) and MOT_EINTERNAL (a bug, such as an exception caught at
 *    this interface).
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
 * function on it is thread-safe unless its comment says otherwise, as
 * mot_engine_close()'s does.
 * Callbacks run on the calling thread, before the call that takes them
 * returns (the alert callback, which outlives the call that registers it,
 * says where it runs), and must not call back into the same engine.
 *
 * Limits
 *
 * Input past a limit is refused with a message that names the field or the
 * limit and the value seen: a record with MOT_EINVALID (MOT_EPARSE when it
 * does not parse) and nothing of it stored; a rule when it is loaded. The
 * same table is in README.md.
 *
 *  Events
 *   event_id, customer_id,     at most 128 bytes each, UTF-8 without control
 *   topic, agent_id, queue,    characters
 *   interaction_id
 *   type                       1 to 64 bytes of a-z 0-9 _ . -
 *   identifiers                at most 16; namespace 1 to 32 bytes of
 *                              a-z 0-9 _ . -; value 1 to 256 bytes, UTF-8
 *                              without control characters, not only
 *                              whitespace
 *   attributes                 at most 64; keys 1 to 64 bytes; string values
 *                              at most 1024 bytes; numbers finite, within
 *                              [-1e15, 1e15]
 *   value                      finite, within [-1e12, 1e12], so that sums
 *                              (lifetime value, metrics) stay finite
 *   sentiment                  [-1, 1]
 *   duration_ms, hold_ms       0 to 30 days (2592000000); hold <= duration
 *   transfers, csat, nps       0 to 100, 1 to 5, 0 to 10
 *   occurred_at, updated_at    1990-01-01 to a day past recorded_at
 *   the whole event            16 KiB as protobuf
 *  Input
 *   JSON nesting               64 levels of objects and arrays
 *   JSON numbers               within a double's range, and an integer
 *                              field's
 *   a JSON Lines line, a CSV   1 MiB
 *   row
 *  Expressions (rules, metric filters, mot_expr_eval)
 *   source                     64 KiB                  refused at load
 *   nesting                    100 levels (brackets,   refused at load
 *                              calls, chained
 *                              operators)
 *   comprehension iterations   100000 per evaluation   cut at run time
 *   one string, bytes or list  1 MiB                   cut at run time (at
 *                                                      load when constant)
 *   all that one evaluation    4 MiB                   cut at run time (at
 *   builds                                             load when constant)
 *   a regular expression       RE2 (linear time), at   refused at first use
 *                              most 1 MiB compiled
 *  A rule cut at run time is an error value: the rule does not hold and the
 *  decision's trace says why ("evaluation exceeds its memory limit
 *  (max_evaluation_bytes: 4194304): ..."); a metric filter's error leaves
 *  the event out of the metric.
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
#define MOT_VERSION_MINOR 7
#define MOT_VERSION_PATCH 0
#define MOT_VERSION_STRING "0.7.0"
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
#define MOT_EAMBIGUOUS -14 /* an identifier stands for several customers */
/* The cluster could not be reached, or did not answer in time. Since 0.7. */
#define MOT_EUNREACHABLE -15

/* MOT_EBUSY comes once SQLite's busy timeout, 5 s, has run out: a call that
 * writes waited that long for another connection's write (another process,
 * or another engine on the same file). Reads wait for no writer (the log is
 * in WAL mode) and meet it only in rare cases, such as another process
 * recovering the database after a crash. MOT_ECORRUPT comes from
 * mot_engine_open() and from any later call that reads the damage. */

/* The message of the last failure on the calling thread, never NULL ("" when
 * nothing has failed yet). Owned by the library and valid until the next
 * call into motive on this thread: copy it to keep it. Successful calls do
 * not clear it. */
MOT_API const char *mot_error_last(void);

/* A short, static name for a status code ("invalid argument"), never NULL. */
MOT_API const char *mot_strerror(int code);

/* ------------------------------------------------------------------------ */
/* Buffers                                                                  */
/* ------------------------------------------------------------------------ */

/* Bytes the library allocated for the caller. `data` is followed by a NUL
 * byte (not counted in `size`), so JSON can be used as a C string. Dispose
 * of it with mot_buf_dispose(). A function that fills one overwrites it
 * first, without freeing what it held: dispose of it before reusing it. A
 * zero-initialised mot_buf is empty and may be disposed. This struct's
 * layout is frozen. */
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
 * motive/v1/context.proto and motive/v1/ruleset.proto, installed with this
 * header); JSON is protobuf's JSON mapping, where enum names are also
 * accepted in lower case ("voice"). */
#define MOT_FORMAT_AUTO 0     /* ingest only: from the file name's extension */
#define MOT_FORMAT_PROTOBUF 1 /* binary: one Event, an EventBatch, a Timeline,
                                 a Context, a Decision, an Alert(List) */
#define MOT_FORMAT_JSON 2     /* one JSON object: the same messages */
#define MOT_FORMAT_JSONL 3    /* ingest only: one Event object per line */
#define MOT_FORMAT_CSV 4      /* ingest only: header row naming Event fields */
#define MOT_FORMAT_SVG 5      /* journey maps only: a picture (since 0.7) */

/* Ingest only: the records of the platforms contact centers run on, read
 * as they are exported, each mapped to events and identifiers by a
 * documented table (src/ingest/<platform>.h; README "Importers"). JSON
 * records may come as JSON Lines, concatenated objects (Kinesis Firehose),
 * an array or one object; the Zendesk tables as the warehouse connectors'
 * CSV. A record that cannot be mapped is rejected with its number, the
 * source field's path (participants[0].sessions[0].segments[1].segmentEnd)
 * and the reason, and the rest is imported; event ids come from the
 * source's ids, so importing a file again stores nothing twice. Since 0.6.
 * mot_format_from_name() takes their names. */
#define MOT_FORMAT_PLATFORM_AUTO 16 /* "auto": found from the first record */
#define MOT_FORMAT_CONNECT_CTR 17   /* Amazon Connect contact records */
#define MOT_FORMAT_CONNECT_CONTACT_EVENT 18 /* Connect contact events */
#define MOT_FORMAT_CONTACT_LENS 19          /* Contact Lens analyses */
#define MOT_FORMAT_GENESYS_CONVERSATION 20  /* Genesys Cloud conversations */
#define MOT_FORMAT_ZENDESK_TICKET 21
#define MOT_FORMAT_ZENDESK_COMMENT 22
#define MOT_FORMAT_ZENDESK_FIELD_HISTORY 23
#define MOT_FORMAT_ZENDESK_CHAT_EVENT 24
#define MOT_FORMAT_INTERCOM_CONVERSATION 25
#define MOT_FORMAT_SALESFORCE_CASE 26
#define MOT_FORMAT_TWILIO_TASKROUTER 27

/* The format named `name` ("connect-ctr", "contact-lens", "zendesk-ticket",
 * ... "auto" for MOT_FORMAT_PLATFORM_AUTO; also "jsonl", "csv", "json",
 * "protobuf"), in any case, into `*format`. Returns MOT_OK, or MOT_EINVALID
 * for NULL or a name it does not know (the message lists the names).
 * Since 0.6. */
MOT_API int mot_format_from_name(int32_t *format, const char *name);

/* ------------------------------------------------------------------------ */
/* Engine                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct mot_engine mot_engine;

/* When a recorded event is safe. In both modes an event is committed to the
 * database before the call that records it returns MOT_OK, so a crash of
 * the process (a kill, an abort) never loses an acknowledged event; a call
 * that fails stored none of its events. The modes differ on a crash of the
 * machine (a power loss, a kernel panic): */
#define MOT_DURABILITY_FULL 0  /* synced to disk before the call returns */
#define MOT_DURABILITY_GROUP 1 /* synced with others within group_commit_ms;
                                  a power loss may lose that much */
/* Under GROUP, when a sync in the background fails (an I/O error), events
 * already acknowledged may not survive a power loss: from then on every
 * call that records, erases or flushes returns MOT_EIO, saying so, until
 * the engine is reopened. Reads go on. */

/* How much of the database to verify when it is opened. */
#define MOT_CHECK_QUICK 0 /* PRAGMA quick_check: structure, O(size) */
#define MOT_CHECK_FULL 1  /* PRAGMA integrity_check: also indexes */
#define MOT_CHECK_NONE 2  /* header and schema only: fastest open */
/* QUICK only when the last writer did not close the database cleanly (a
 * crash, a kill, a power loss): large logs open fast after a clean shutdown,
 * and are checked when damage is likely. Since 0.2. */
#define MOT_CHECK_AFTER_CRASH 3

/* Called now and then during a long call (opening, an ingest, a what-if
 * replay, a journey map) with what is done of the total (bytes, events or
 * customers, as the call says); return non-zero to stop it (the call
 * returns MOT_ECANCELED; what an ingest committed before stays). */
typedef int (*mot_progress_fn)(void *user_data, uint64_t bytes_done,
                               uint64_t bytes_total);

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
   * writes to it. Nothing is created or migrated; recording, erasing and
   * snapshots fail with MOT_EINVALID. Default 0. */
  int32_t read_only;
  /* The context configuration in protobuf text format
   * (motive.v1.ContextConfig: the built-in signals' settings and the
   * user-defined metrics), or NULL for the defaults. Copied during
   * mot_engine_open(); see mot_context_config_load(). */
  const char *context_config;
  /* The file of the state snapshot (see mot_engine_snapshot()): NULL or ""
   * for beside the database (its path + "-snapshot"; none for ":memory:"),
   * "-" for no snapshot at all. */
  const char *snapshot_path;
  /* The next-best-action ruleset (motive.v1.Ruleset; see
   * mot_ruleset_load()) in protobuf text format or JSON, or NULL for none.
   * Loaded at open, its metrics are part of the state that the snapshot
   * holds, so that a snapshot taken with it fits the next open with it.
   * Copied during mot_engine_open(). Since 0.3. */
  const char *ruleset;
  /* Names the ruleset in its error messages (a file name); NULL for
   * "ruleset". Since 0.3. */
  const char *ruleset_origin;
  /* How many days events are kept, counted from when they occurred, for
   * mot_retention_apply(); 0 (default) keeps them forever. Since 0.5. */
  uint32_t retention_days;
  /* How identifiers resolve to customers (motive.v1.IdentityConfig,
   * motive/v1/identity.proto, in protobuf text format), or NULL for the
   * defaults. It sets the region that national phone numbers belong to
   * (such as default_region: "US"; none by default, so that only numbers
   * with their country code are understood and the rest never merge), how
   * many customers a value may be seen with before it counts as shared
   * (max_profiles, default 3), and namespaces that never merge. A snapshot
   * taken under other identity settings is not used. Copied during
   * mot_engine_open(); a bad one gets MOT_EPARSE or MOT_EINVALID. See
   * "Identities" below. Since 0.6. */
  const char *identity_config;
  /* A cluster to share the history with, through NATS JetStream (see
   * "Clusters" below): its servers, comma-separated
   * ("nats://10.0.0.1:4222,nats://10.0.0.2:4222"), or NULL for none (the
   * engine keeps its history to itself). Since 0.7, as the rest. */
  const char *cluster_servers;
  /* Names the shared history: letters, digits, '-' and '_'; NULL for
   * "default". Every node of a tenant must use the same partitions and
   * streams (0 for 256 and 4). */
  const char *cluster_tenant;
  uint32_t cluster_partitions;
  uint32_t cluster_streams;
  /* Copies of each stream, when this node creates them; 0 for 3. */
  uint32_t cluster_replicas;
  /* How long a write waits for the cluster (0: 5000 ms), and opening for
   * the cluster and for this node to catch up (0: 120000 ms). */
  uint32_t cluster_write_timeout_ms;
  uint32_t cluster_open_timeout_ms;
  /* NATS credentials (a .creds file) and TLS files; NULL for none. */
  const char *cluster_credentials;
  const char *cluster_tls_ca;
  const char *cluster_tls_cert;
  const char *cluster_tls_key;
  /* The partitions this node holds, as "0-63,128,130-135", or NULL for all
   * of them. A node holding some applies only their events and refuses
   * queries about other customers with MOT_EINVALID, naming the partition:
   * see mot_cluster_partition(). */
  const char *cluster_held_partitions;
  /* Called while opening replays the log into the state (all of it, or
   * what follows the snapshot), every 65536 events and at the end, with
   * (events replayed, events to replay: the log's sequence numbers after
   * the snapshot, erased events included, so it may end short of it);
   * non-zero stops the open (MOT_ECANCELED). May be NULL. Since 0.7, after
   * the cluster settings. */
  mot_progress_fn on_progress;
  void *progress_user_data;
} mot_engine_options;

#define MOT_ENGINE_OPTIONS_INIT                                          \
  {                                                                      \
    sizeof(mot_engine_options), MOT_DURABILITY_FULL, 50, MOT_CHECK_QUICK, \
        1, NULL, 0, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, 0, 0, 0, \
        0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL                   \
  }

/* Fills `opts` with the defaults. `struct_size` is sizeof(*opts) as the
 * caller knows it, so that older callers keep working: a size the struct had
 * in an earlier release gets that release's fields. Returns MOT_EINVALID for
 * NULL or a size the struct never had, and MOT_EVERSION for a size larger
 * than this library's (a header newer than the library). */
MOT_API int mot_engine_options_init(mot_engine_options *opts,
                                    uint32_t struct_size);

/* Opens the motive database at `path`, creating it when missing (unless
 * opts->create_if_missing is 0), or an empty in-memory one for ":memory:".
 * `opts` may be NULL for the defaults. A new database, its write-ahead log
 * and its snapshot are created private to the user (mode 0600): they hold
 * personal data. An existing file is checked first: a
 * file that is not a motive database, or is damaged, is refused with
 * MOT_ECORRUPT and left untouched; one made by a newer motive gets
 * MOT_EVERSION; an older one is migrated. On failure *out is NULL.
 *
 * A database has one writer at a time: a writer holds `path`-lock (a file
 * beside it, which stays) from open to close, and a second writer, in this
 * process or another, gets MOT_EBUSY naming the holder's process. Any number
 * of read_only engines may open it beside the writer. The lock file also
 * records how far the log is known to be durable: a database found shorter
 * than that (its write-ahead log `path`-wal deleted or damaged, the file
 * copied without it, or replaced by an empty one), or shorter than its
 * snapshot, lost committed events and is refused with MOT_ECORRUPT, whose
 * message says how to accept the loss. Stored events that fail their
 * checksum are never served: see damaged_events in mot_engine_stats.
 * Loading a snapshot runs on up to 8 threads of the library's own (as many
 * as the machine has cores), all ended when the call returns.
 * Returns MOT_OK, MOT_EINVALID (NULL out or path, an empty path, a bad
 * durability or integrity_check, opts->struct_size unset, read_only with
 * ":memory:"), MOT_ECORRUPT, MOT_EVERSION (also for opts->struct_size
 * larger than this library's), MOT_EBUSY, MOT_EIO or MOT_ENOTFOUND
 * (missing, and create_if_missing is 0 or read_only is 1; or read_only and
 * the file holds no motive log yet). A read-only open of a database that
 * needs migrating gets MOT_EVERSION. A journey map, context configuration
 * or ruleset that does not load gets MOT_EPARSE or MOT_EINVALID, as
 * mot_context_config_load() and mot_ruleset_load() say. A progress
 * callback that asks to stop gets MOT_ECANCELED. */
MOT_API int mot_engine_open(mot_engine **out, const char *path,
                            const mot_engine_options *opts);

/* Syncs what group commit has not synced yet, and closes. Accepts NULL. Not
 * thread-safe: no other call on the engine may be under way on any thread
 * (an alert delivery included), nor start once this has begun. Calls the
 * alert callback's user_data_free, if any; the alerts still queued are
 * lost, and every pointer the engine handed out (summary strings,
 * snapshot_note) dies with it. A failed sync here cannot be returned (the
 * library never writes to stderr): call mot_engine_flush() first to see it.
 */
MOT_API void mot_engine_close(mot_engine *engine);

/* Makes every event recorded so far durable now: syncs the write-ahead log
 * that group commit has not synced yet (under MOT_DURABILITY_FULL every
 * event already is; every event is committed in both modes). Returns MOT_OK,
 * MOT_EINVALID (NULL), or MOT_EIO (this sync or an earlier one in the
 * background failed: see MOT_DURABILITY_GROUP). */
MOT_API int mot_engine_flush(mot_engine *engine);

/* ------------------------------------------------------------------------ */
/* Recording events                                                         */
/* ------------------------------------------------------------------------ */

/* Records one event, given as a motive.v1.Event in MOT_FORMAT_PROTOBUF or
 * MOT_FORMAT_JSON. The event is validated, its moment and stage inferred when
 * missing, and appended to the log unless its event_id is already there.
 * `stored` (may be NULL) receives 1 when the event was appended and 0 when it
 * was a duplicate or on failure. An invalid event is rejected whole, with a
 * message naming the field; nothing is written.
 * Returns MOT_OK, MOT_EINVALID (NULL engine, data NULL with a size, a
 * format not PROTOBUF or JSON, an invalid event, a read-only engine),
 * MOT_EPARSE, MOT_EBUSY, MOT_ECORRUPT or MOT_EIO. */
MOT_API int mot_event_record(int32_t *stored, mot_engine *engine,
                             int32_t format, const void *data, size_t size);

/* Counts of an ingest. */
typedef struct mot_ingest_report {
  uint32_t struct_size; /* sizeof(mot_ingest_report) */
  uint32_t reserved;
  uint64_t accepted;   /* newly appended to the log */
  uint64_t duplicates; /* already in the log (or earlier in the input) */
  uint64_t rejected;   /* invalid or unparsable, not stored */
  /* Since 0.6 (a report of 0.5's size gets the three above only): */
  uint64_t records; /* source records read (a platform record may give
                       several events, or none) */
  uint64_t updated; /* accepted events that are a later version or an
                       enrichment of an interaction already stored */
  uint64_t profiles_created; /* customers first known by these events'
                                identifiers */
  uint64_t profiles_merged;  /* merges of two customers into one */
  /* Since 0.6, after the four above (a report of the size before it gets
   * those): */
  uint64_t skipped; /* source records that hold nothing to import (a
                       platform's record about an agent, not a customer,
                       such as a TaskRouter worker's event): counted in
                       `records`, neither stored nor rejected */
} mot_ingest_report;

#define MOT_INGEST_REPORT_INIT \
  { sizeof(mot_ingest_report), 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/* Called for each rejected record: `record` is the 1-based line number for
 * JSONL and CSV (of the line where the record starts) and the 1-based index
 * in the batch for JSON and protobuf. `field` names the offending field, or
 * is "" when the record as a whole is broken. Both strings are the
 * library's, valid only during the call. */
typedef void (*mot_reject_fn)(void *user_data, uint64_t record,
                              const char *field, const char *message);

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
  /* Records read per transaction, rejected ones included; default 16384
   * (since 0.6; 4096 before). on_progress is called after each. Each
   * committed transaction is durable as the engine's durability says.
   * While one batch is stored the next is read, on a thread of the
   * ingest's own: up to about three batches are in memory at once. Larger
   * batches write each index page fewer times. */
  uint32_t batch_size;
  /* Platform formats: the IANA time zone ("Europe/Lisbon") of timestamps
   * written without an offset (warehouse CSVs); NULL for UTC. Since 0.6. */
  const char *timezone;
  /* Platform formats: the name of the file or object the records came from
   * (Contact Lens names its analyses after the contact); NULL for the
   * file's name under mot_ingest_file(). Since 0.6. */
  const char *source_name;
} mot_ingest_options;

#define MOT_INGEST_OPTIONS_INIT                                           \
  {                                                                       \
    sizeof(mot_ingest_options), MOT_FORMAT_AUTO, NULL, NULL, NULL, NULL, \
        16384, NULL, NULL                                                 \
  }

/* Fills `opts` with the defaults; see mot_engine_options_init(). */
MOT_API int mot_ingest_options_init(mot_ingest_options *opts,
                                    uint32_t struct_size);

/* Ingests many records from memory. Valid records are stored, duplicates are
 * counted and skipped, and each invalid record is reported to on_reject and
 * skipped; a rejected record never leaves a partial write. `report` (may be
 * NULL; else its struct_size is sizeof(mot_ingest_report)) receives the
 * counts, also on failure. `opts` is required: a buffer has no file name,
 * so opts->format must name its format.
 * Returns MOT_OK when every record was stored or a duplicate, MOT_EREJECTED
 * when some were rejected (the others stored), MOT_ECANCELED, or
 * MOT_EINVALID (NULL engine or opts, data NULL with a size, a format that
 * is AUTO or unknown, a struct_size unset, a read-only engine),
 * MOT_EVERSION (report or opts larger than this library's), MOT_EPARSE (a
 * CSV header or an EventBatch that cannot be read: nothing stored), or
 * MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (the open transaction was rolled
 * back; earlier ones stay). */
MOT_API int mot_ingest_buffer(mot_ingest_report *report, mot_engine *engine,
                              const void *data, size_t size,
                              const mot_ingest_options *opts);

/* Ingests a file, as mot_ingest_buffer() but streaming: files of any size.
 * `opts` may be NULL for the defaults (MOT_FORMAT_AUTO). Also returns
 * MOT_EINVALID for a NULL path or, under AUTO, an extension it does not
 * know, MOT_ENOTFOUND when the file does not exist, and MOT_EIO when it
 * cannot be opened or read. */
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
 * Returns MOT_OK, MOT_EINVALID (NULL out, engine or id, an empty id, a
 * format not PROTOBUF or JSON, opts->struct_size unset), MOT_EVERSION
 * (opts->struct_size larger than this library's), MOT_EBUSY, MOT_ECORRUPT
 * or MOT_EIO. A stored event that fails its checksum is left out, never
 * served changed (see damaged_events in mot_engine_stats). */
MOT_API int mot_timeline_get(mot_buf *out, mot_engine *engine,
                             const char *customer_id,
                             const mot_timeline_options *opts);

/* Erases one customer, for a request to be forgotten: every event of theirs
 * is deleted from the database, together with the copies SQLite keeps (the
 * deleted records are overwritten in the file, and the write-ahead log is
 * checkpointed and truncated); their context, their share of what feedback
 * taught the ranking, and their queued alerts are dropped; the snapshot file
 * is rewritten without them. Afterwards the engine answers as if their
 * events had never been recorded, and so does the database when opened
 * again; an event recorded for them later starts a new history. Strings
 * they shared with other customers through the engine's string table (a
 * topic, an agent id, an attribute value) stay in memory, unreferenced,
 * until mot_engine_close(), since pointers to them may have been handed
 * out, but are written to no file again. Recording waits meanwhile, queries
 * do not; a large snapshot makes this take seconds.
 * `*erased` (may be NULL) receives the number of events deleted, 0 for an
 * unknown customer, which is not an error; on failure it is 0, whatever
 * was deleted.
 * Returns MOT_OK, MOT_EINVALID (NULL engine or id, an empty id, a read-only
 * engine), MOT_EBUSY (another connection stood in the way, most often one
 * reading the database, which keeps the write-ahead log, and the erased
 * events in it, from being truncated: call again once it is closed), or
 * MOT_ECORRUPT or MOT_EIO (the database or the snapshot file failed, maybe
 * after the events were deleted: call again). */
MOT_API int mot_customer_erase(uint64_t *erased, mot_engine *engine,
                               const char *customer_id);

/* Retention: every event that occurred more than opts->retention_days
 * before now (the engine's clock) leaves, as mot_customer_erase() takes a
 * customer's: from the database with the copies SQLite keeps, from the
 * customers' contexts (rebuilt from the events they keep; what the leaving
 * feedback taught the ranking is taken back) and from the snapshot, which
 * is rewritten. An event exactly retention_days old stays. The engine does
 * not run this by itself: call it on a schedule (daily, say) and after
 * opening. Recording waits meanwhile; queries wait only while the rebuilt
 * contexts are swapped in. `*removed` (may be NULL) receives the number of
 * events that left; 0 on failure.
 * Returns MOT_OK, MOT_EINVALID (NULL engine, a read-only engine),
 * MOT_EINVALID also when retention_days is 0, MOT_EBUSY (as
 * mot_customer_erase(): call again), MOT_ECORRUPT or MOT_EIO. Since 0.5. */
MOT_API int mot_retention_apply(uint64_t *removed, mot_engine *engine);

/* ------------------------------------------------------------------------ */
/* Clusters                                                                 */
/* ------------------------------------------------------------------------ */

/* With cluster_servers set (mot_engine_options), the engine is one node of
 * many that share one history through a NATS JetStream cluster, each with
 * its own database file. Opening connects, creates the tenant's streams
 * when missing (MOTIVE_<tenant>_<k>, subjects motive.<tenant>.ev.<p>, p =
 * FNV-1a 64 of the customer id modulo the partitions) and applies what the
 * streams hold beyond what the database applied before, then returns.
 *
 * Writes (mot_event_record, mot_ingest_*, mot_feedback_record,
 * mot_identity_link, mot_identity_unlink) are validated here, published,
 * and return once a majority of the stream's replicas hold them and this
 * node applied them: the caller reads its own writes. Every node applies
 * every event through its database, then its in-memory state, so queries
 * never leave the process. What one node writes reaches the others'
 * answers within the freshness delay (milliseconds on one site): two nodes
 * deciding for one customer within it may each allow the last offer a
 * contact-policy cap leaves. Proactive alerts are raised on every node
 * that applies the event.
 *
 * Without the cluster, writes fail with MOT_EUNREACHABLE and nothing is
 * recorded anywhere (a write that timed out may have been stored: writing
 * it again is safe, it is stored once). A node's database syncs as
 * MOT_DURABILITY_GROUP whatever `durability` says: the streams are the
 * durable copy, and a database that lost its last commits to a power loss
 * lost its place in the streams with them, so it applies them again; queries keep answering from what
 * was applied, and mot_engine_stats says how stale that is.
 *
 * mot_customer_erase on a node erases the customer on every node (each
 * applies the instruction, this one before the call returns), then erases
 * the streams' copies of their events, so that a node that joins later
 * never sees them; if that last step fails (MOT_EUNREACHABLE), erase again
 * to finish. mot_retention_apply runs on each node over its own database;
 * the streams keep messages for their own maximum age, which should be at
 * least the retention period. A read-only engine cannot be a node. */

/* The partition of the cluster's history that `customer_id`'s events go to
 * (FNV-1a 64 of its bytes, modulo `partitions`; 0 for 256): how a router
 * finds a node that holds the customer when nodes hold some partitions
 * each (cluster_held_partitions). Fixed for ever. Returns MOT_OK, or
 * MOT_EINVALID (NULL argument). Since 0.7. */
MOT_API int mot_cluster_partition(uint32_t *partition, const char *customer_id,
                                  uint32_t partitions);

/* ------------------------------------------------------------------------ */
/* Identities                                                               */
/* ------------------------------------------------------------------------ */

/* An event may carry identifiers instead of, or beside, a customer_id:
 * (namespace, value) pairs such as phone +14155550100 or email
 * ana@example.com. phone is normalized to E.164 (national numbers take
 * default_region), email trimmed and lower-cased, any other namespace
 * compared exactly. The engine links the identifiers an event carries into
 * one profile, the customer:
 *   - An event without a customer_id joins the customer its identifiers
 *     belong to, or starts a new one whose id motive derives from them ("~"
 *     and 16 hex digits; the same events always give the same ids). Customer
 *     ids starting with '~' are motive's.
 *   - An event whose identifiers belong to two customers merges them; the
 *     merged customer's context is exactly that of one customer who had all
 *     their events. The merge is written to the log with its reason
 *     (mot_identity_profile() lists them). The id that survives does not
 *     depend on the order events arrive in: the least customer id chosen
 *     by the integrator (in byte order), or when there is none the derived
 *     id of the oldest part. So when identifiers tie two customer ids the
 *     integrator chose, the two merge under the lesser; the other keeps
 *     answering for the merged customer in every call that takes a
 *     customer id. If that is wrong, unlink the identifier.
 *   - A value seen with more than max_profiles distinct values of another
 *     namespace (customer ids count as one), such as a switchboard number,
 *     is shared: it merges nothing, what it merged splits again, and it
 *     resolves to no one (MOT_EAMBIGUOUS). Phone numbers that do not parse
 *     are kept as written and never merge; nor do namespaces configured
 *     never_merges.
 * Every call that takes a customer id answers for the whole customer,
 * whichever of its merged ids it is given; mot_identity_resolve() turns an
 * identifier into that id first (without allocating), and
 * mot_customer_erase() of any of them erases the whole customer, its
 * identifiers and links. */

/* The longest customer id, in bytes, without the terminating NUL. */
#define MOT_CUSTOMER_ID_MAX 128

/* Writes the id of the customer that identifier `ns`:`value` belongs to into
 * `out` (`size` bytes, NUL-terminated; MOT_CUSTOMER_ID_MAX + 1 always
 * suffice), and its length to `*length` (may be NULL). `value` is
 * normalized first; one already in E.164 skips libphonenumber.
 * Returns MOT_OK, MOT_EINVALID (NULL arguments), MOT_ENOTFOUND (no event
 * carried it), MOT_EAMBIGUOUS (shared by several customers, or unlinked
 * and on several), MOT_ETOOSMALL (`size` too small; `*length` says how
 * much is needed). Since 0.6. */
MOT_API int mot_identity_resolve(char *out, size_t size, size_t *length,
                                 mot_engine *engine, const char *ns,
                                 const char *value);

/* What motive knows of the customer `customer_id` (any of its merged ids)
 * into `out` as a motive.v1.Profile in MOT_FORMAT_PROTOBUF or
 * MOT_FORMAT_JSON: its id, every id merged into it, its normalized
 * identifiers (flagged invalid, shared, unlinked or never merging), and the
 * merges and splits that made it, each an identity event with its reason.
 * An unknown customer gets a profile of itself alone.
 * Returns MOT_OK, MOT_EINVALID (NULL, an empty id, a bad format), or the
 * log's MOT_EBUSY, MOT_ECORRUPT, MOT_EIO. Since 0.6. */
MOT_API int mot_identity_profile(mot_buf *out, mot_engine *engine,
                                 const char *customer_id, int32_t format);

/* Links `count` identifiers (namespaces[i]:values[i]) to `customer_id`, or
 * to each other when it is NULL or "": an identity.link event in the log,
 * merging as any event would; identifiers unlinked before link again.
 * Returns MOT_OK, MOT_EINVALID (NULL arguments, count 0 or over 16, an
 * invalid namespace or value, a read-only engine), or the log's errors.
 * Since 0.6. */
MOT_API int mot_identity_link(mot_engine *engine, const char *customer_id,
                              const char *const *namespaces,
                              const char *const *values, size_t count);

/* Unlinks identifier `ns`:`value`: an identity.unlink event in the log.
 * From then on it links nothing (until linked again): the customers it
 * tied split, each rebuilt from the log. Returns as mot_identity_link().
 * Since 0.6. */
MOT_API int mot_identity_unlink(mot_engine *engine, const char *ns,
                                const char *value);

/* ------------------------------------------------------------------------ */
/* A customer's context                                                     */
/* ------------------------------------------------------------------------ */

/* The engine keeps every customer's context in memory, folded from the log
 * on every event recorded and rebuilt when the engine opens (from the log, or
 * faster from a snapshot). A query's cost does not grow with the length of
 * the customer's history, and the summary is answered without allocating.
 *
 * Every query takes an "as of" time in microseconds since the Unix epoch, 0
 * for now. Signals are computed over the customer's events whose occurred_at
 * is at or before it. A window of D days holds the events with
 * as_of - D days < occurred_at <= as_of: an event exactly D days old has left
 * it. An as-of time before the customer's newest event is answered by
 * replaying the customer's events from the log: exact, but slower, and it
 * allocates. */

/* Channels (motive.v1.Channel): the indexes of the by-channel arrays. */
#define MOT_CHANNEL_UNSPECIFIED 0
#define MOT_CHANNEL_VOICE 1
#define MOT_CHANNEL_CHAT 2
#define MOT_CHANNEL_EMAIL 3
#define MOT_CHANNEL_SMS 4
#define MOT_CHANNEL_WEB 5
#define MOT_CHANNEL_MOBILE_APP 6
#define MOT_CHANNEL_SOCIAL 7
#define MOT_CHANNEL_REVIEW_SITE 8
#define MOT_CHANNEL_STORE 9
#define MOT_CHANNEL_SURVEY 10
#define MOT_CHANNEL_OTHER 11
#define MOT_CHANNEL_COUNT 12

/* How a contact ended (motive.v1.Outcome). UNRESOLVED, ESCALATED, ABANDONED
 * and CALLBACK are *unresolved* outcomes. */
#define MOT_OUTCOME_UNSPECIFIED 0
#define MOT_OUTCOME_RESOLVED 1
#define MOT_OUTCOME_UNRESOLVED 2
#define MOT_OUTCOME_ESCALATED 3
#define MOT_OUTCOME_TRANSFERRED 4
#define MOT_OUTCOME_ABANDONED 5
#define MOT_OUTCOME_CALLBACK 6

/* Stages of the journey (motive.v1.Stage). */
#define MOT_STAGE_UNSPECIFIED 0
#define MOT_STAGE_DISCOVERY 1
#define MOT_STAGE_CONSIDERATION 2
#define MOT_STAGE_PURCHASE 3
#define MOT_STAGE_EXPERIENCE 4
#define MOT_STAGE_LOYALTY 5
#define MOT_STAGE_ADVOCACY 6

/* Moments of truth (motive.v1.Moment): the indexes of `moments`. */
#define MOT_MOMENT_UNSPECIFIED 0
#define MOT_MOMENT_LESS_THAN_ZERO 1 /* word of mouth, warnings */
#define MOT_MOMENT_ZERO 2           /* research: reviews, social, help pages */
#define MOT_MOMENT_FIRST 3          /* the purchase */
#define MOT_MOMENT_SECOND 4         /* use: delivery, activation */
#define MOT_MOMENT_INTERIM 5        /* contacts: call, chat, email, SMS */
#define MOT_MOMENT_THIRD 6          /* feedback, loyalty, renewal */
#define MOT_MOMENT_COUNT 7

/* NPS categories. */
#define MOT_NPS_NONE 0      /* no NPS answer */
#define MOT_NPS_DETRACTOR 1 /* 0 to 6 */
#define MOT_NPS_PASSIVE 2   /* 7 or 8 */
#define MOT_NPS_PROMOTER 3  /* 9 or 10 */

/* The factors of the churn risk: the indexes of `churn_factors`. */
#define MOT_CHURN_STRIKES 0
#define MOT_CHURN_REPEAT_CONTACTS 1
#define MOT_CHURN_DETRACTOR 2
#define MOT_CHURN_NEGATIVE_SENTIMENT 3
#define MOT_CHURN_OPEN_ISSUES 4
#define MOT_CHURN_LAPSED_PURCHASE 5
#define MOT_CHURN_FACTOR_COUNT 6

/* The built-in signals of a customer as of a time: what an agent's desktop
 * shows when the customer calls. Plain data: times are microseconds since
 * the Unix epoch (0 when there is none), absent numbers are NaN (doubles) or
 * -1 (integers), booleans are 0 or 1, and the numbers in brackets are the
 * defaults of the motive.v1.SignalConfig settings that tune them. */
typedef struct mot_context_summary {
  uint32_t struct_size; /* sizeof(mot_context_summary) */
  int32_t known;        /* 0: the customer has no event at or before as_of */
  int64_t as_of_us;     /* the time the signals are computed at */
  uint64_t events;      /* the customer's events at or before as_of */
  int64_t first_seen_us;
  int64_t last_seen_us;

  /* A *contact* is an event whose moment is MOT_MOMENT_INTERIM (calls,
   * chats, emails, SMS). Contacts in the last 7, 30 and 90 days, in all and
   * by channel (indexed by MOT_CHANNEL_*). */
  uint32_t contacts_7d;
  uint32_t contacts_30d;
  uint32_t contacts_90d;
  uint32_t contacts_7d_by_channel[MOT_CHANNEL_COUNT];
  uint32_t contacts_30d_by_channel[MOT_CHANNEL_COUNT];
  uint32_t contacts_90d_by_channel[MOT_CHANNEL_COUNT];

  /* The last contact: the one with the latest occurred_at (ties: the one
   * recorded last). last_contact_us is 0 when there has been none. */
  int32_t last_contact_channel; /* MOT_CHANNEL_* */
  int64_t last_contact_us;
  /* Never NULL ("" when none). Owned by the engine: valid until
   * mot_engine_close(), so they may be kept. */
  const char *last_contact_topic;
  const char *last_contact_agent_id;
  int32_t last_contact_outcome; /* MOT_OUTCOME_* */
  uint32_t last_contact_transfers;
  int64_t last_contact_hold_ms;
  double last_contact_sentiment; /* in [-1, 1]; NaN when it had none */
  int32_t last_contact_repeat;   /* 1 when it was a repeat contact */

  /* Friction and bad experiences, over the signal window: contacts in the
   * last window_days [90] days.
   * - A contact is a *repeat* when the customer's previous contact on the
   *   same non-empty topic (within the last 90 days, or window_days if
   *   longer, of the customer's newest event) was at most
   *   repeat_window_days [7] before it, or ended unresolved: the failure of
   *   first-contact resolution.
   * - A *bad experience* (a strike) is an event that meets any of:
   *   sentiment < strike_sentiment_below [-0.5]; a contact that ended
   *   UNRESOLVED or ABANDONED; transfers >= strike_transfers [2]; hold >=
   *   strike_hold_seconds [600]; a survey answer of NPS 0-6 or CSAT 1-2; a
   *   review or social mention with sentiment < negative_review_below
   *   [-0.2]. The third bad experience is the one that makes a customer
   *   leave: at_risk is strikes >= strikes_to_leave [3]. */
  uint32_t window_days;
  uint32_t repeat_contacts;
  uint32_t transfers; /* summed over the window's contacts */
  int64_t hold_ms;    /* summed over the window's contacts */
  /* Topics whose latest contact ended unresolved (the 32 most recently
   * contacted topics are tracked). */
  uint32_t open_issues;
  uint32_t strikes;
  int32_t at_risk;

  /* The journey. */
  int32_t stage; /* MOT_STAGE_*, of the latest event that has one */
  uint32_t moments[MOT_MOMENT_COUNT]; /* events per moment, all time */
  /* Reviews and social mentions in the window with sentiment <
   * negative_review_below [-0.2]: the zero moment turning against us. */
  uint32_t negative_zero_moment;

  /* Sentiment, in [-1, 1], NaN when there is none: of the latest event that
   * has one; the mean over the window; and the trend, the exponentially
   * weighted mean over all events (half-life sentiment_half_life_days [14],
   * by event time) minus the window's mean: above 0 improving, below 0
   * worsening. */
  double sentiment_last;
  double sentiment_average;
  double sentiment_trend;

  /* Commerce, all time: events of type `purchase` or `renewal`; their value
   * less the value of `return` events, in the events' own currency (motive
   * converts nothing); whole days from the last purchase to as_of (-1 when
   * none). */
  uint32_t purchases;
  int32_t days_since_purchase;
  double lifetime_value;
  int64_t last_purchase_us;

  /* The voice of the customer: the latest survey answers (-1 when none). */
  int32_t csat;         /* 1 to 5 */
  int32_t nps;          /* 0 to 10 */
  int32_t nps_category; /* MOT_NPS_* */
  uint32_t reserved;    /* 0 */

  /* The churn risk in [0, 1]: the sum of six factors, a weight times a level
   * in [0, 1] each, capped at 1 (churn_factors holds each contribution,
   * indexed by MOT_CHURN_*):
   *   strikes            0.35 * min(strikes / strikes_to_leave, 1)
   *   repeat_contacts    0.15 * min(repeat_contacts / 3, 1)
   *   detractor          0.15 * (an NPS detractor, or CSAT <= 2)
   *   negative_sentiment 0.15 * clamp(-sentiment_average, 0, 1)
   *   open_issues        0.10 * min(open_issues / 2, 1)
   *   lapsed_purchase    0.10 * (the last purchase over 180 days ago) */
  double churn_risk;
  double churn_factors[MOT_CHURN_FACTOR_COUNT];
} mot_context_summary;

#define MOT_CONTEXT_SUMMARY_INIT                                \
  {                                                             \
    sizeof(mot_context_summary), 0, 0, 0, 0, 0,                 \
        /* contacts */ 0, 0, 0, {0}, {0}, {0},                  \
        /* last contact */ 0, 0, NULL, NULL, 0, 0, 0, 0, 0,     \
        /* window */ 0, 0, 0, 0, 0, 0, 0,                       \
        /* journey */ 0, {0}, 0,                                \
        /* sentiment */ 0, 0, 0,                                \
        /* commerce */ 0, 0, 0, 0,                              \
        /* voice of the customer */ 0, 0, 0, 0,                 \
        /* churn */ 0, {0}                                      \
  }

/* Sets struct_size and zeroes the rest; see mot_engine_options_init(). */
MOT_API int mot_context_summary_init(mot_context_summary *summary,
                                     uint32_t struct_size);

/* Fills `out` with the summary of `customer_id` as of `as_of_us` (0: now).
 * (mot_context_summary names the struct, so the query is _get.) An unknown
 * customer is not an error: it gets MOT_OK and known = 0, with the absent
 * values above. Allocates nothing unless as_of_us is before the customer's
 * newest event.
 * out->struct_size must be set (MOT_CONTEXT_SUMMARY_INIT): a caller built
 * against an older, smaller struct gets the fields it knows and nothing is
 * written past them; a struct larger than this library's is refused with
 * MOT_EVERSION. An `out` refused (NULL, struct_size unset or too large) is
 * not written; on any other failure the fields after struct_size are zero
 * (the strings NULL).
 * Returns MOT_OK, MOT_EINVALID (NULL, an empty id, struct_size unset),
 * MOT_EVERSION, or MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (a replay from the
 * log failed). */
MOT_API int mot_context_summary_get(mot_context_summary *out,
                                    mot_engine *engine,
                                    const char *customer_id, int64_t as_of_us);

/* Fills out[i] with the summary of customer_ids[i], for i < count, as of
 * `as_of_us` (0: now): what `count` calls of mot_context_summary_get() give,
 * in less time (a routing server scoring a queue of callers): the
 * customers' states are fetched together, so that their memory misses
 * overlap. `out` is an array of `count` structs of out[0].struct_size bytes
 * each, every one's struct_size set to that value. count 0 is MOT_OK. On
 * failure every element is left as mot_context_summary_get() leaves its
 * `out` on failure, and mot_error_last() names the customer by its index.
 * Returns what mot_context_summary_get() returns, and MOT_EINVALID for a
 * NULL customer_ids with a count, or elements of different struct_size. */
MOT_API int mot_context_summary_get_many(mot_context_summary *out,
                                         mot_engine *engine,
                                         const char *const *customer_ids,
                                         size_t count, int64_t as_of_us);

/* The full context of `customer_id` as of `as_of_us` (0: now) into `out`, as
 * a motive.v1.Context (motive/v1/context.proto) in MOT_FORMAT_PROTOBUF or
 * MOT_FORMAT_JSON: the summary's signals, the strikes of the window each
 * with what caused it (strike_events, since 0.7), the user-defined metrics by
 * name, the customer's attributes (the latest value of each) and the latest
 * events (ContextConfig.recent_events). An unknown customer gets a context with
 * known false, not an error. On failure `out` is left empty.
 * Returns MOT_OK, MOT_EINVALID (NULL out, engine or id, an empty id, a
 * format not PROTOBUF or JSON), or MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (a
 * replay from the log failed). */
MOT_API int mot_context_get(mot_buf *out, mot_engine *engine,
                            const char *customer_id, int64_t as_of_us,
                            int32_t format);

/* Replaces the context configuration: `text` (`size` bytes) is a
 * motive.v1.ContextConfig in protobuf text format, which tunes the built-in
 * signals and declares user-defined metrics, for example
 *
 *   signals { window_days: 60 strikes_to_leave: 3 }
 *   metrics {
 *     name: "angry_calls_30d" aggregation: COUNT window: "30d"
 *     filter: "event.channel == 'voice' && event.sentiment < -0.3"
 *   }
 *   recent_events: 10
 *
 * Every customer's state is rebuilt from the log under it before the call
 * returns; queries meanwhile see the previous configuration, and recording,
 * feedback and erasure wait (seconds per million events in the log). A state
 * snapshot taken under another configuration is not used by later opens.
 * A configuration that does not load changes nothing.
 * Returns MOT_OK, MOT_EPARSE (not valid text format, the message naming the
 * line; or a filter with a syntax error), MOT_EINVALID (NULL engine, text
 * NULL with a size, a bad value or metric, a filter that does not
 * type-check, a metric the loaded ruleset also declares; the message names
 * the metric or the setting), or MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (the
 * rebuild read the log and failed). */
MOT_API int mot_context_config_load(mot_engine *engine, const char *text,
                                    size_t size);

/* Writes every customer's state to the snapshot file (atomically: a crash
 * leaves the previous snapshot whole), so that the next mot_engine_open()
 * reads it and replays only the events recorded after it, instead of the
 * whole log. A snapshot is only a cache: one that does not match the log or
 * the configuration is ignored at open. Recording waits while it is written;
 * queries do not.
 * Returns MOT_OK, MOT_EINVALID (NULL, a read-only engine, or one without a
 * snapshot file: ":memory:" or snapshot_path "-"), or MOT_EBUSY,
 * MOT_ECORRUPT or MOT_EIO (the database, or the file: the previous
 * snapshot stays). */
MOT_API int mot_engine_snapshot(mot_engine *engine);

/* How the engine's in-memory state was built, and how big it is. */
typedef struct mot_engine_stats {
  uint32_t struct_size;  /* sizeof(mot_engine_stats) */
  int32_t from_snapshot; /* 1: read from the snapshot when opened */
  /* Log events replayed when opened: those after the snapshot, or all. */
  uint64_t events_replayed;
  uint64_t customers;
  uint64_t held_events;    /* event digests kept for the windows */
  uint64_t metric_samples; /* events held by the user-defined metrics */
  uint64_t state_bytes;    /* the customers' states, strings apart */
  uint64_t strings;        /* distinct topics, agents, attribute values */
  /* Why an existing snapshot was not used at open, or "". Owned by the
   * engine: valid until mot_engine_close(). */
  const char *snapshot_note;
  /* Proactive alerts (see mot_alerts_poll()) since the engine opened:
   * raised; dropped because the queue was full (the oldest go first); and
   * queued now, waiting to be polled or for quiet hours to end. Since 0.3. */
  uint64_t alerts_raised;
  uint64_t alerts_dropped;
  uint64_t alerts_queued;
  /* Stored events found damaged (their checksum, or their body against
   * their indexed columns) by the reads so far: left out of every answer
   * (timelines, replays), the rest served. MOT_CHECK_FULL checks every event
   * at open. The first damaged seq, or 0. Since 0.5. */
  uint64_t damaged_events;
  int64_t first_damaged_seq;
  /* A cluster node's link (all 0 without a cluster). Since 0.7.
   * connected: 1 while connected to the cluster. last_contact_us: when it
   * was last known connected (now while connected; microseconds since the
   * epoch), so now - last_contact_us bounds how stale the answers are.
   * applied: messages of the streams applied since open. lag: messages the
   * streams hold that this node has not applied yet. */
  int32_t cluster_connected;
  int64_t cluster_last_contact_us;
  uint64_t cluster_applied;
  uint64_t cluster_lag;
} mot_engine_stats;

#define MOT_ENGINE_STATS_INIT                                             \
  {                                                                       \
    sizeof(mot_engine_stats), 0, 0, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, \
        0, 0, 0                                                           \
  }

/* Sets struct_size and zeroes the rest; see mot_engine_options_init(). */
MOT_API int mot_engine_stats_init(mot_engine_stats *stats,
                                  uint32_t struct_size);

/* Fills `out` (struct_size set, as for mot_context_summary_get(); for a
 * NULL engine the fields after struct_size are zeroed).
 * Returns MOT_OK, MOT_EINVALID (NULL out or engine, struct_size unset) or
 * MOT_EVERSION (struct_size larger than this library's). */
MOT_API int mot_engine_stats_get(mot_engine_stats *out, mot_engine *engine);

/* ------------------------------------------------------------------------ */
/* Rule expressions                                                         */
/* ------------------------------------------------------------------------ */

/* Rules, metric filters and playbooks are written in a subset of Google's
 * Common Expression Language (CEL): `event.channel == 'voice' &&
 * event.sentiment < -0.3`, `tags.exists(t, t == 'vip')`. Beyond the
 * standard language and its string and math extensions, rules may use
 * optional values (`customer.attributes.?plan.orValue('basic')`,
 * optional.of, hasValue), cel.bind, and the two-variable macros
 * (`l.exists(i, v, ...)`, all, existsOne, transformList, transformMap,
 * transformMapEntry: a list's index and element, a map's key and value). */

/* Compiles `expression` against the variables the engine declares (its
 * context schema: `event`, a map of the event's fields; `now`, a timestamp;
 * and the customer's context: `customer` (the summary's signals and
 * `attributes`), `contacts` (d7, d30, d90, by_channel_30d, repeats,
 * transfers, hold_ms), `last_contact` and `metrics`, by name) without
 * running it, so that an integrator can validate a rule as it is typed.
 * The context's fields have their types: a field it does not have
 * (`customer.strike`) or a value of the wrong type (`customer.strikes >=
 * 'two'`) is refused here and when a ruleset loads, not when it runs;
 * metrics have the types of their definitions (those of the context
 * configuration and of the loaded ruleset); attributes, and metrics
 * declared nowhere, are dyn.
 * `result_type` (may be NULL) receives the type of the result as CEL writes
 * it ("bool", "list(string)", "dyn"); on failure it is left empty.
 * Returns MOT_OK, MOT_EPARSE (a syntax error) or MOT_EINVALID (NULL engine
 * or expression, an unknown name or function, wrong types, a limit), with
 * the line, the column and what is wrong in mot_error_last(). */
MOT_API int mot_expr_check(mot_buf *result_type, mot_engine *engine,
                           const char *expression);

/* Evaluates `expression` once, for trying rules out. `count` variables are
 * declared (as dyn), named `names[i]`, each valued by a CEL expression
 * `values[i]` evaluated first: a literal such as 3, 2.5, 'gold',
 * ['a', 'b'], {'plan': 'pro'} or timestamp('2025-01-01T00:00:00Z'). `out`
 * receives the result written as a CEL literal ("true", "[1, 2]").
 * Needs no engine. On failure `out` is left empty.
 * Returns MOT_OK, MOT_EPARSE (a syntax error in `expression` or in a value,
 * which the message names), or MOT_EINVALID (NULL out or expression, names
 * or values NULL with a count, a NULL, empty or repeated name; a compile
 * error or an evaluation error, "division by zero", "no such key", a limit
 * of the Limits section, or a result longer than 1 MiB once written), whose
 * message mot_error_last() gives. */
MOT_API int mot_expr_eval(mot_buf *out, const char *expression,
                          const char *const *names, const char *const *values,
                          size_t count);

/* ------------------------------------------------------------------------ */
/* Next-best action                                                         */
/* ------------------------------------------------------------------------ */

/* A ruleset (motive.v1.Ruleset, motive/v1/ruleset.proto, where every field
 * is documented) plans each moment of truth: the actions the brand may take,
 * the playbooks and rules that propose them for a situation (conditions in
 * the rule language over the customer's context), how candidates are ranked
 * (priority = propensity x context weight x value x lever) and how often a
 * customer may be approached (caps over rolling windows, cool-offs after
 * rejections, quiet hours in the customer's time zone). For example
 *
 *   actions { id: "apology_credit" title: "Apologise, credit 10 EUR"
 *             group: "service_recovery" service: true
 *             script: "I am sorry, {customer.first_name|there}." }
 *   playbooks {
 *     name: "second_strike" directions: INBOUND
 *     rules { action: "apology_credit" priority: 10
 *             eligibility: "customer.strikes >= 2"
 *             reason: "{customer.strikes} bad experiences in 90 days" }
 *   }
 *   contact_policy { caps { group: "retention" max: 1 window: "30d" } }
 *
 * A placeholder `{expr|text}` in a script or reason writes `text` when the
 * value is absent or an empty string. */

/* Loads a ruleset, `text` (`size` bytes) in protobuf text format or JSON
 * (when it starts with '{'), and swaps it in while decisions run: each
 * decision sees the old ruleset or the new one, whole. Everything is
 * compiled and checked first, and a ruleset that does not load changes
 * nothing: the old one stays. When the ruleset's metrics differ from the
 * loaded ones, every customer's state is rebuilt under them before the call
 * returns (queries meanwhile see the previous state, and recording, feedback
 * and erasure wait: seconds per million events in the log); otherwise the
 * swap is all the pause there is. `origin` (may be NULL: "ruleset") names the text
 * in messages, as a file name.
 * Returns MOT_OK, MOT_EPARSE (not valid text format or JSON; the message
 * is "origin:line:column: what"), MOT_EINVALID (NULL engine, text NULL with
 * a size, a reference to an unknown action, a duplicate name, a bad window,
 * an expression that does not compile, a metric the context configuration
 * also declares...; the message gives the origin, line and column, the
 * field's path, such as playbooks[1].rules[0].eligibility, and what is
 * wrong), or MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (a rebuild read the log
 * and failed). */
MOT_API int mot_ruleset_load(mot_engine *engine, const char *text,
                             size_t size, const char *origin);

/* Checks a ruleset as mot_ruleset_load() would, without loading it: for an
 * editor or a deployment pipeline to validate rules against this engine's
 * context (its metrics included) before they go live. Nothing changes; no
 * state is rebuilt.
 * Returns MOT_OK, MOT_EPARSE or MOT_EINVALID, with the messages of
 * mot_ruleset_load(). */
MOT_API int mot_ruleset_check(mot_engine *engine, const char *text,
                              size_t size, const char *origin);

/* Who starts the contact (motive.v1.Direction). */
#define MOT_DIRECTION_UNSPECIFIED 0 /* in mot_situation: inbound */
#define MOT_DIRECTION_INBOUND 1     /* the customer: a call, a chat */
#define MOT_DIRECTION_OUTBOUND 2    /* the brand */
#define MOT_DIRECTION_PROACTIVE 3   /* the brand, on an alert */

/* What came of an action presented to a customer
 * (motive.v1.FeedbackOutcome). */
#define MOT_FEEDBACK_OFFERED 1   /* presented; the outcome is to come */
#define MOT_FEEDBACK_ACCEPTED 2
#define MOT_FEEDBACK_REJECTED 3
#define MOT_FEEDBACK_IGNORED 4   /* presented, neither accepted nor rejected */
#define MOT_FEEDBACK_CONVERTED 5 /* led to its aim: a sale, a saved customer */

/* The moment a decision is asked about (motive.v1.Situation). */
typedef struct mot_situation {
  uint32_t struct_size; /* sizeof(mot_situation) */
  int32_t channel;      /* MOT_CHANNEL_*; default UNSPECIFIED: none */
  /* The topic or intent of the contact, and the agent; NULL or "" for
   * none. */
  const char *topic;
  const char *agent_id;
  int32_t direction; /* MOT_DIRECTION_*; default INBOUND */
  /* The decision's time, in microseconds since the Unix epoch, and the
   * as-of time of the context it reads; 0 (default) for now. */
  int64_t time_us;
  /* The most actions to return; 0 (default) for the ruleset's
   * contact_policy.max_results (3 unless set), at most 50. */
  uint32_t max_results;
} mot_situation;

#define MOT_SITUATION_INIT \
  { sizeof(mot_situation), MOT_CHANNEL_UNSPECIFIED, NULL, NULL, \
    MOT_DIRECTION_INBOUND, 0, 0 }

/* Fills `situation` with the defaults; see mot_engine_options_init(). */
MOT_API int mot_situation_init(mot_situation *situation,
                               uint32_t struct_size);

/* The next-best actions for `customer_id` in `situation` (NULL: an inbound
 * contact, now, on no channel) into `out`, as a motive.v1.Decision in
 * MOT_FORMAT_PROTOBUF or MOT_FORMAT_JSON: a decision id (for
 * mot_feedback()), the ruleset's version, the ranked actions (each with its
 * tier, its score terms, its script and reasons filled from the context),
 * the playbooks that matched, and the trace of every candidate dropped with
 * the stage and the rule or cap that dropped it. An unknown customer is not
 * an error: it is decided for with an empty context. Deterministic: the same
 * log, ruleset and situation (time included) give the same decision, id
 * included. A time before the customer's newest event replays the
 * customer's events from the log. On failure `out` is left empty.
 * Returns MOT_OK, MOT_EINVALID (NULL out, engine or id, an empty id,
 * situation->struct_size unset, a bad channel, direction or format, no
 * ruleset loaded), MOT_EVERSION (situation->struct_size larger than this
 * library's), or MOT_EBUSY, MOT_ECORRUPT or MOT_EIO (a replay from the log
 * failed). */
MOT_API int mot_decide(mot_buf *out, mot_engine *engine,
                       const char *customer_id,
                       const mot_situation *situation, int32_t format);

/* Records what came of an action of a decision: `outcome` (MOT_FEEDBACK_*)
 * of `action_id` in `decision_id` for `customer_id`, presented on `channel`
 * (MOT_CHANNEL_*, for the channel caps), at `time_us` (microseconds since
 * the Unix epoch; 0 for now). It is stored as an event in the log (durable,
 * replayed like the others; its group is taken from the loaded ruleset),
 * counts toward the customer's contact caps and cool-offs, and moves the
 * action's learned propensity (a Beta posterior over every customer's
 * feedback): the next decision sees it. The same feedback twice is stored
 * once. Proactive rules are evaluated as for any recorded event.
 * Returns MOT_OK (also for a duplicate), MOT_EINVALID (NULL, an empty id, an
 * action id not 1 to 64 of [a-z0-9_.-], an unknown outcome or channel, a
 * time before 1990 or over a day ahead, a read-only engine; the message
 * names the field), MOT_EBUSY, MOT_ECORRUPT or MOT_EIO. */
MOT_API int mot_feedback(mot_engine *engine, const char *customer_id,
                         const char *decision_id, const char *action_id,
                         int32_t outcome, int32_t channel, int64_t time_us);

/* What-if replay: what `ruleset` (text format or JSON) would have decided
 * over the contacts of the log, against another ruleset. Every contact (an
 * event of moment INTERIM, decision feedback aside) that occurred in
 * [from_us, to_us) is decided again at its own time, as an inbound contact
 * on its channel and topic, on the customer's
 * context as it was then (their earlier events: contact policy counts the
 * offers and feedback recorded before it), with both rulesets. The report
 * (motive.v1.WhatIfReport, in `format`) counts the decisions whose top
 * action changed, the top actions gained and lost, the offers the new
 * contact policy suppresses (by cap), the service-recovery actions that
 * would have fired, the expected value of each, and names a few customers
 * of each kind. Learned propensities are today's, the same for both.
 * Deterministic: the same log and rulesets give the same report. Reads the
 * log and the state and changes nothing; recording goes on meanwhile.
 * Since 0.7. */
typedef struct mot_whatif_options {
  uint32_t struct_size; /* sizeof(mot_whatif_options) */
  int32_t format;       /* of the report: MOT_FORMAT_JSON (default) or _PROTOBUF */
  /* The ruleset to compare with, or NULL for none (which decides nothing,
   * so that every top action counts as gained). */
  const char *against;
  /* Name the rulesets in error messages (file names); NULL for "ruleset". */
  const char *origin;
  const char *against_origin;
  /* The contacts replayed: from_us <= occurred < to_us, microseconds since
   * the Unix epoch; 0 leaves an end open. */
  int64_t from_us;
  int64_t to_us;
  /* Called every thousand customers with (customers done, customers);
   * non-zero stops the replay (MOT_ECANCELED). May be NULL. */
  mot_progress_fn on_progress;
  void *progress_user_data;
} mot_whatif_options;

#define MOT_WHATIF_OPTIONS_INIT                                          \
  { sizeof(mot_whatif_options), MOT_FORMAT_JSON, NULL, NULL, NULL, 0, 0, \
    NULL, NULL }

/* Sets the defaults; see mot_engine_options_init(). Since 0.7. */
MOT_API int mot_whatif_options_init(mot_whatif_options *opts,
                                    uint32_t struct_size);

/* Runs the what-if replay of `ruleset` into `report`; `opts` may be NULL
 * for the defaults. Returns MOT_OK, MOT_EINVALID (NULL engine, ruleset or
 * report, a bad format, a ruleset that does not compile: the message
 * names its origin, line and column), MOT_EPARSE (ruleset syntax),
 * MOT_ECANCELED, MOT_EIO or MOT_ECORRUPT (the log). Since 0.7. */
MOT_API int mot_whatif_run(mot_buf *report, mot_engine *engine,
                           const char *ruleset,
                           const mot_whatif_options *opts);

/* Journey maps. The picture of a customer's journey, as SVG: their events
 * with since_us <= occurred < until_us (0 leaves an end open) on a time
 * axis, a lane per stage, each moment of truth in its colour, bad
 * experiences (strikes) ringed in red, each event's details in its tooltip.
 * Strings from the data are escaped. Returns MOT_OK, MOT_EINVALID (NULL, an
 * empty id, a customer of a partition this cluster node does not hold),
 * MOT_ECORRUPT or MOT_EIO. Since 0.7. */
MOT_API int mot_journey_svg(mot_buf *out, mot_engine *engine,
                            const char *customer_id, int64_t since_us,
                            int64_t until_us);

/* The journey map of every customer over their events in [from_us, to_us)
 * (0: open), as a motive.v1.JourneyFigures (MOT_FORMAT_JSON or _PROTOBUF):
 * customers per stage, events per moment of truth, the moves between
 * stages, where bad experiences happen (channel and topic), how many
 * customers reached the third strike and whether they came back or left,
 * the repeat-contact and transfer hot spots. MOT_FORMAT_SVG draws it.
 * mot_journeys_get_v2() also takes a segment and a progress callback.
 * Returns MOT_OK, MOT_EINVALID (NULL, a bad format), MOT_ECORRUPT or
 * MOT_EIO. Since 0.7. */
MOT_API int mot_journeys_get(mot_buf *out, mot_engine *engine, int64_t from_us,
                             int64_t to_us, int32_t format);

/* The journey map of a segment of the customers, as mot_journeys_get()
 * draws every customer's. Since 0.7. */
typedef struct mot_journeys_options {
  uint32_t struct_size; /* sizeof(mot_journeys_options) */
  /* MOT_FORMAT_JSON (default), _PROTOBUF or _SVG. */
  int32_t format;
  /* The events counted: from_us <= occurred < to_us, microseconds since the
   * Unix epoch; 0 leaves an end open. */
  int64_t from_us;
  int64_t to_us;
  /* The customers counted: a bool expression (CEL) over the customer's
   * context, with the variables of mot_expr_check() (`customer`,
   * `contacts`, `last_contact`, `metrics`, `now`; not `event`), such as
   * "customer.strikes >= 2 && contacts.d30 > 1". It is evaluated on each
   * customer's context as of the end of the range (now when open), and a
   * customer is in when it is true; an evaluation error (reading an absent
   * key, as `customer.csat` of a customer without a survey) leaves them
   * out, as it fails a rule. The figures name it (JourneyFigures.segment).
   * NULL or "" for every customer. */
  const char *segment;
  /* Called every thousand customers with (customers done, customers);
   * non-zero stops the map (MOT_ECANCELED). May be NULL. */
  mot_progress_fn on_progress;
  void *progress_user_data;
} mot_journeys_options;

#define MOT_JOURNEYS_OPTIONS_INIT \
  { sizeof(mot_journeys_options), MOT_FORMAT_JSON, 0, 0, NULL, NULL, NULL }

/* Sets the defaults; see mot_engine_options_init(). Since 0.7. */
MOT_API int mot_journeys_options_init(mot_journeys_options *opts,
                                      uint32_t struct_size);

/* The journey map as `opts` says (NULL: every customer, as JSON). A
 * segment that does not compile is refused before any work, with its line
 * and column as mot_expr_check() gives them. Returns MOT_OK, MOT_EINVALID
 * (NULL out or engine, a bad format, opts->struct_size unset, a segment
 * that is not a bool or names what the context has not: the message says
 * what, where), MOT_EPARSE (segment syntax), MOT_EVERSION
 * (opts->struct_size larger than this library's), MOT_ECANCELED,
 * MOT_ECORRUPT or MOT_EIO. Since 0.7. */
MOT_API int mot_journeys_get_v2(mot_buf *out, mot_engine *engine,
                                const mot_journeys_options *opts);

/* Proactive alerts. Rules of proactive playbooks are evaluated for a
 * customer whenever events of theirs are recorded (mot_event_record(),
 * mot_ingest_*(), mot_feedback()): a rule raises an alert when its
 * conditions turn true (an edge: not again while they stay true), unless
 * contact policy forbids it. An alert's raised_at is the time of the event
 * that turned it (the later of its occurred_at and the customer's latest
 * event), not the time it was ingested; an alert raised inside the
 * customer's quiet hours, judged at raised_at, waits until they end
 * (deliver_after). Alerts are held in memory,
 * not in the log: at most 10000 wait (the oldest are dropped, and counted
 * in mot_engine_stats), and those not taken are lost at close. */

/* Takes up to `max` alerts that are due (0: every one), oldest first, into
 * `out` as a motive.v1.AlertList in MOT_FORMAT_PROTOBUF or MOT_FORMAT_JSON;
 * possibly empty. Each alert is returned once. On failure `out` is left
 * empty (an argument error takes no alert; MOT_ENOMEM may lose those
 * taken).
 * Returns MOT_OK or MOT_EINVALID (NULL, a bad format). */
MOT_API int mot_alerts_poll(mot_buf *out, mot_engine *engine, size_t max,
                            int32_t format);

/* Receives one alert: `alert` (`size` bytes) is a motive.v1.Alert in the
 * format given at registration, owned by the library and valid only during
 * the call (JSON is NUL-terminated). */
typedef void (*mot_alert_fn)(void *user_data, const uint8_t *alert,
                             size_t size);

/* Releases the user_data of a callback once the library no longer uses it. */
typedef void (*mot_free_fn)(void *user_data);

/* Registers `fn` to receive alerts as they come due instead of queueing
 * them for mot_alerts_poll(); `fn` NULL unregisters (alerts queue again).
 * Alerts already due are delivered at once, on the calling thread, before
 * this returns. Later ones are delivered on the thread of the call that
 * raised them (mot_event_record(), mot_ingest_*(), mot_feedback()) after
 * the engine has released its locks, before that call returns; alerts
 * waiting for the end of quiet hours go out with a later such call. `fn`
 * may run on several threads at once, must not call back into the same
 * engine, and must return (it cannot refuse an alert). A callback replaced
 * or unregistered may still be running on another thread when this
 * returns.
 * `user_data_free` (may be NULL) is called with `user_data` exactly once,
 * when the engine is done with it: after this callback is replaced or
 * unregistered and any delivery still under way on another thread has
 * returned, or at mot_engine_close(); on the thread that finishes last.
 * With `fn` NULL, `format` is ignored and user_data_free, if given, is
 * called with this call's user_data before it returns. When this call
 * fails it is not called: the caller keeps user_data.
 * Returns MOT_OK or MOT_EINVALID (NULL engine, a bad format). */
MOT_API int mot_alerts_set_callback(mot_engine *engine, mot_alert_fn fn,
                                    void *user_data,
                                    mot_free_fn user_data_free,
                                    int32_t format);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* MOTIVE_MOTIVE_H_ */
