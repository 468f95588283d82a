/* The C ABI exercised from plain C99, linked against libmotive.so: every
 * function, every documented error path, and the promise that a C caller
 * only ever sees status codes and mot_error_last() text. */

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "motive/motive.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                           \
  do {                                                                        \
    ++checks;                                                                 \
    if (!(cond)) {                                                            \
      ++failures;                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n", __FILE__, \
              __LINE__, #cond, mot_error_last());                             \
    }                                                                         \
  } while (0)

/* Expects `call` to return `code` and leave a message containing `text`. */
#define CHECK_FAILS(call, code, text)                                  \
  do {                                                                 \
    int rc_ = (call);                                                  \
    ++checks;                                                          \
    if (rc_ != (code) || strstr(mot_error_last(), (text)) == NULL) {   \
      ++failures;                                                      \
      fprintf(stderr,                                                  \
              "%s:%d: %s returned %d (%s), expected %d (%s) with "     \
              "\"%s\" in: %s\n",                                       \
              __FILE__, __LINE__, #call, rc_, mot_strerror(rc_), code, \
              mot_strerror(code), text, mot_error_last());             \
    }                                                                  \
  } while (0)

static char temp_dir[256];

static const char* temp_path(const char* name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", temp_dir, name);
  return path;
}

static void write_file(const char* path, const char* text) {
  FILE* f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static const char kEventJson[] =
    "{\"event_id\":\"e1\",\"customer_id\":\"c1\",\"type\":\"contact\","
    "\"channel\":\"voice\",\"occurred_at\":\"2025-03-01T10:00:00Z\","
    "\"outcome\":\"unresolved\",\"sentiment\":-0.6}";

static mot_engine* open_memory(void) {
  mot_engine* engine = NULL;
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  CHECK(engine != NULL);
  return engine;
}

static void test_version_and_errors(void) {
  CHECK(strcmp(mot_version(), MOT_VERSION_STRING) == 0);
  CHECK(mot_version_number() == MOT_VERSION_NUMBER);
  CHECK(strcmp(mot_error_last(), "") == 0);
  {
    int codes[] = {MOT_OK,        MOT_EINVALID,    MOT_ENOTFOUND, MOT_EPARSE,
                   MOT_EIO,       MOT_ECORRUPT,    MOT_EBUSY,     MOT_ETOOSMALL,
                   MOT_EVERSION,  MOT_ENOMEM,      MOT_EINTERNAL, MOT_EREJECTED,
                   MOT_ECANCELED, MOT_EUNSUPPORTED};
    size_t i, j;
    for (i = 0; i < sizeof codes / sizeof codes[0]; ++i) {
      CHECK(strcmp(mot_strerror(codes[i]), "unknown status code") != 0);
      for (j = 0; j < i; ++j) {
        CHECK(strcmp(mot_strerror(codes[i]), mot_strerror(codes[j])) != 0);
      }
    }
    CHECK(strcmp(mot_strerror(12345), "unknown status code") == 0);
  }
}

static void test_options_init(void) {
  mot_engine_options eo;
  mot_ingest_options io;
  mot_timeline_options to;
  mot_engine_options expected = MOT_ENGINE_OPTIONS_INIT;

  CHECK_FAILS(mot_engine_options_init(NULL, sizeof eo), MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_engine_options_init(&eo, 4), MOT_EINVALID, "struct_size");
  CHECK_FAILS(mot_engine_options_init(&eo, sizeof eo + 8), MOT_EVERSION,
              "struct_size");
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(&eo, sizeof eo) == MOT_OK);
  CHECK(eo.struct_size == sizeof eo);
  CHECK(eo.durability == expected.durability);
  CHECK(eo.group_commit_ms == expected.group_commit_ms);
  CHECK(eo.integrity_check == MOT_CHECK_QUICK);
  CHECK(eo.create_if_missing == 1);
  CHECK(eo.journey_map == NULL);
  CHECK(eo.read_only == 0);
  CHECK(eo.context_config == NULL && eo.snapshot_path == NULL);
  /* A caller built before the context settings: its prefix, nothing more. */
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(
            &eo, (uint32_t)offsetof(mot_engine_options, context_config)) ==
        MOT_OK);
  CHECK(eo.struct_size == offsetof(mot_engine_options, context_config));
  CHECK(eo.read_only == 0);
  CHECK(((const unsigned char*)&eo)[sizeof eo - 1] == 0xab);
  CHECK_FAILS(mot_engine_options_init(&eo, sizeof eo - 1), MOT_EINVALID,
              "struct_size");

  CHECK_FAILS(mot_ingest_options_init(NULL, sizeof io), MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_ingest_options_init(&io, 0), MOT_EINVALID, "struct_size");
  CHECK(mot_ingest_options_init(&io, sizeof io) == MOT_OK);
  CHECK(io.format == MOT_FORMAT_AUTO && io.batch_size == 4096);
  CHECK(io.on_reject == NULL && io.on_progress == NULL);

  CHECK_FAILS(mot_timeline_options_init(NULL, sizeof to), MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_timeline_options_init(&to, 1000), MOT_EVERSION,
              "struct_size");
  CHECK(mot_timeline_options_init(&to, sizeof to) == MOT_OK);
  CHECK(to.format == MOT_FORMAT_PROTOBUF && to.limit == 0);

  {
    mot_context_summary cs;
    mot_engine_stats st;
    CHECK_FAILS(mot_context_summary_init(NULL, sizeof cs), MOT_EINVALID,
                "NULL");
    CHECK_FAILS(mot_context_summary_init(&cs, 8), MOT_EINVALID, "struct_size");
    CHECK_FAILS(mot_context_summary_init(&cs, sizeof cs + 8), MOT_EVERSION,
                "struct_size");
    memset(&cs, 0xab, sizeof cs);
    CHECK(mot_context_summary_init(&cs, sizeof cs) == MOT_OK);
    CHECK(cs.struct_size == sizeof cs && cs.known == 0 && cs.events == 0);
    CHECK(cs.last_contact_topic == NULL && cs.churn_factors[5] == 0);
    CHECK_FAILS(mot_engine_stats_init(NULL, sizeof st), MOT_EINVALID, "NULL");
    CHECK_FAILS(mot_engine_stats_init(&st, 2), MOT_EINVALID, "struct_size");
    memset(&st, 0xab, sizeof st);
    CHECK(mot_engine_stats_init(&st, sizeof st) == MOT_OK);
    CHECK(st.struct_size == sizeof st && st.customers == 0);
    CHECK(st.snapshot_note == NULL);
  }
}

static void test_open_errors(void) {
  mot_engine* engine = (mot_engine*)&engine; /* must be reset to NULL */
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;

  CHECK_FAILS(mot_engine_open(NULL, ":memory:", NULL), MOT_EINVALID, "out");
  CHECK_FAILS(mot_engine_open(&engine, NULL, NULL), MOT_EINVALID, "path");
  CHECK(engine == NULL);

  opts.durability = 7;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "durability");
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.integrity_check = -3;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "integrity_check");
  opts.integrity_check = MOT_CHECK_AFTER_CRASH;
  CHECK(mot_engine_open(&engine, temp_path("after_crash.db"), &opts) == MOT_OK);
  mot_engine_close(engine);
  engine = NULL;
  CHECK(mot_engine_open(&engine, temp_path("after_crash.db"), &opts) == MOT_OK);
  mot_engine_close(engine);
  engine = NULL;
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.struct_size = 0;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "struct_size");
  opts.struct_size = sizeof opts + 16;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EVERSION,
              "older than the header");

  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.create_if_missing = 0;
  CHECK_FAILS(mot_engine_open(&engine, temp_path("missing.db"), &opts),
              MOT_ENOTFOUND, "does not exist");
  CHECK(access(temp_path("missing.db"), F_OK) != 0);

  write_file(temp_path("notes.txt"), "not a database, just some notes...\n");
  CHECK_FAILS(mot_engine_open(&engine, temp_path("notes.txt"), NULL),
              MOT_ECORRUPT, "not a motive database");

  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.journey_map = "rules { type: \"contact\" moment: NOWHERE }";
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EPARSE,
              "line 1");
  CHECK(engine == NULL);

  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.context_config = "signals { window_days: 30";
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EPARSE,
              "line 1");
  opts.context_config = "signals { window_days: 0 }";
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "window_days");
  CHECK(engine == NULL);

  /* A smaller struct from an older caller: the rest takes defaults. */
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)offsetof(mot_engine_options, group_commit_ms);
  opts.durability = MOT_DURABILITY_GROUP;
  CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
  mot_engine_close(engine);
  /* One from before the context settings: what lies beyond is not read. */
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)offsetof(mot_engine_options, context_config);
  opts.context_config = "not a configuration";
  CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
  mot_engine_close(engine);

  mot_engine_close(NULL);
}

static void test_record(void) {
  mot_engine* engine = open_memory();
  int32_t stored = -1;
  /* customer_id "c1", type "contact", occurred_at {seconds: 1740823200},
   * channel CHAT: hand-encoded motive.v1.Event in protobuf binary. */
  static const unsigned char kEventProto[] = {
      0x12, 0x02, 'c',  '1',  0x1a, 0x06, 0x08, 0xa0, 0xb5, 0x8b, 0xbe, 0x06,
      0x28, 0x02, 0x32, 0x07, 'c',  'o',  'n',  't',  'a',  'c',  't'};

  CHECK_FAILS(mot_event_record(&stored, NULL, MOT_FORMAT_JSON, kEventJson,
                               strlen(kEventJson)),
              MOT_EINVALID, "engine");
  CHECK(stored == 0);
  CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_JSON, NULL, 10),
              MOT_EINVALID, "data is NULL");
  CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_CSV, kEventJson,
                               strlen(kEventJson)),
              MOT_EINVALID, "format");
  CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_JSON, "{oops", 5),
              MOT_EPARSE, "JSON");
  CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_JSON, NULL, 0),
              MOT_EPARSE, "JSON");
  CHECK_FAILS(
      mot_event_record(NULL, engine, MOT_FORMAT_PROTOBUF, "\xff\xff", 2),
      MOT_EPARSE, "protobuf");
  {
    const char* bad =
        "{\"customer_id\":\"c1\",\"type\":\"contact\","
        "\"occurred_at\":\"2025-03-01T10:00:00Z\","
        "\"sentiment\":1.5}";
    CHECK_FAILS(
        mot_event_record(NULL, engine, MOT_FORMAT_JSON, bad, strlen(bad)),
        MOT_EINVALID, "sentiment");
  }
  {
    const char* missing =
        "{\"type\":\"contact\","
        "\"occurred_at\":\"2025-03-01T10:00:00Z\"}";
    CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_JSON, missing,
                                 strlen(missing)),
                MOT_EINVALID, "customer_id");
  }

  CHECK(mot_event_record(&stored, engine, MOT_FORMAT_JSON, kEventJson,
                         strlen(kEventJson)) == MOT_OK);
  CHECK(stored == 1);
  CHECK(mot_event_record(&stored, engine, MOT_FORMAT_JSON, kEventJson,
                         strlen(kEventJson)) == MOT_OK);
  CHECK(stored == 0); /* duplicate */

  CHECK(mot_event_record(&stored, engine, MOT_FORMAT_PROTOBUF, kEventProto,
                         sizeof kEventProto) == MOT_OK);
  CHECK(stored == 1);
  /* No event_id: the content id makes the second send a duplicate. */
  CHECK(mot_event_record(&stored, engine, MOT_FORMAT_PROTOBUF, kEventProto,
                         sizeof kEventProto) == MOT_OK);
  CHECK(stored == 0);

  CHECK_FAILS(mot_engine_flush(NULL), MOT_EINVALID, "engine");
  CHECK(mot_engine_flush(engine) == MOT_OK);
  mot_engine_close(engine);
}

static void test_timeline(void) {
  mot_engine* engine = open_memory();
  mot_buf buf = {NULL, 0};
  mot_timeline_options opts = MOT_TIMELINE_OPTIONS_INIT;
  const char* later =
      "{\"event_id\":\"e2\",\"customer_id\":\"c1\","
      "\"type\":\"survey\",\"channel\":\"email\","
      "\"occurred_at\":\"2025-03-02T10:00:00Z\",\"csat\":2}";

  /* Arrives first, happened later: read back in event-time order. */
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, later, strlen(later)) ==
        MOT_OK);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, kEventJson,
                         strlen(kEventJson)) == MOT_OK);

  CHECK_FAILS(mot_timeline_get(NULL, engine, "c1", NULL), MOT_EINVALID, "out");
  CHECK_FAILS(mot_timeline_get(&buf, NULL, "c1", NULL), MOT_EINVALID, "engine");
  CHECK_FAILS(mot_timeline_get(&buf, engine, NULL, NULL), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_timeline_get(&buf, engine, "", NULL), MOT_EINVALID,
              "customer_id");
  opts.format = MOT_FORMAT_CSV;
  CHECK_FAILS(mot_timeline_get(&buf, engine, "c1", &opts), MOT_EINVALID,
              "format");
  CHECK(buf.data == NULL && buf.size == 0);

  opts.format = MOT_FORMAT_JSON;
  CHECK(mot_timeline_get(&buf, engine, "c1", &opts) == MOT_OK);
  CHECK(buf.data != NULL && buf.size == strlen((const char*)buf.data));
  {
    const char* json = (const char*)buf.data;
    const char* first = strstr(json, "\"e1\"");
    const char* second = strstr(json, "\"e2\"");
    CHECK(first != NULL && second != NULL && first < second);
    CHECK(strstr(json, "\"moment\":\"INTERIM\"") != NULL); /* inferred */
    CHECK(strstr(json, "\"recorded_at\"") != NULL);        /* filled */
  }
  mot_buf_dispose(&buf);
  CHECK(buf.data == NULL && buf.size == 0);
  mot_buf_dispose(&buf); /* twice is fine */
  mot_buf_dispose(NULL);

  opts.limit = 1;
  CHECK(mot_timeline_get(&buf, engine, "c1", &opts) == MOT_OK);
  CHECK(strstr((const char*)buf.data, "\"e2\"") != NULL);
  CHECK(strstr((const char*)buf.data, "\"e1\"") == NULL);
  mot_buf_dispose(&buf);

  /* since/until in microseconds: only 2025-03-01. */
  opts.limit = 0;
  opts.since_us = 1740787200LL * 1000000;
  opts.until_us = 1740873600LL * 1000000;
  CHECK(mot_timeline_get(&buf, engine, "c1", &opts) == MOT_OK);
  CHECK(strstr((const char*)buf.data, "\"e1\"") != NULL);
  CHECK(strstr((const char*)buf.data, "\"e2\"") == NULL);
  mot_buf_dispose(&buf);

  /* Unknown customer: an empty timeline, not an error. */
  CHECK(mot_timeline_get(&buf, engine, "nobody", NULL) == MOT_OK);
  CHECK(buf.data != NULL); /* protobuf: just the customer id */
  mot_buf_dispose(&buf);

  /* Protobuf by default. */
  CHECK(mot_timeline_get(&buf, engine, "c1", NULL) == MOT_OK);
  CHECK(buf.size > 20 && buf.data[0] == 0x0a); /* field 1, customer_id */
  mot_buf_dispose(&buf);
  mot_engine_close(engine);
}

struct rejects {
  int count;
  uint64_t records[8];
  char fields[8][32];
};

static void on_reject(void* user_data, uint64_t record, const char* field,
                      const char* message) {
  struct rejects* r = (struct rejects*)user_data;
  CHECK(message != NULL && message[0] != '\0');
  if (r->count < 8) {
    r->records[r->count] = record;
    snprintf(r->fields[r->count], sizeof r->fields[0], "%s", field);
  }
  ++r->count;
}

static int progress_calls = 0;

static int stop_at_once(void* user_data, uint64_t done, uint64_t total) {
  (void)user_data;
  CHECK(done <= total);
  ++progress_calls;
  return 1;
}

static void test_ingest_buffer(void) {
  mot_engine* engine = open_memory();
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
  struct rejects rejects;
  const char* jsonl =
      "{\"customer_id\":\"c1\",\"type\":\"purchase\","
      "\"occurred_at\":\"2025-01-01T00:00:00Z\",\"value\":20,"
      "\"currency\":\"EUR\"}\n"
      "{broken\n"
      "\n"
      "{\"customer_id\":\"c1\",\"type\":\"survey\","
      "\"occurred_at\":\"2025-01-02T00:00:00Z\",\"nps\":11}\n"
      "{\"customer_id\":\"c1\",\"type\":\"purchase\","
      "\"occurred_at\":\"2025-01-01T00:00:00Z\",\"value\":20,"
      "\"currency\":\"EUR\"}\n";
  const char* csv =
      "customer_id,type,channel,occurred_at,topic,attributes.plan\n"
      "c2,contact,chat,2025-02-01T09:00:00Z,\"billing, again\",gold\n"
      "c2,contact,chat,2025-02-02T09:00:00Z,billing,gold\n";

  memset(&rejects, 0, sizeof rejects);
  CHECK_FAILS(mot_ingest_buffer(&report, NULL, jsonl, strlen(jsonl), &opts),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_ingest_buffer(&report, engine, jsonl, strlen(jsonl), NULL),
              MOT_EINVALID, "format");
  CHECK_FAILS(mot_ingest_buffer(&report, engine, jsonl, strlen(jsonl), &opts),
              MOT_EINVALID, "MOT_FORMAT_AUTO");
  opts.format = 99;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, jsonl, strlen(jsonl), &opts),
              MOT_EINVALID, "format");
  opts.format = MOT_FORMAT_JSONL;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, NULL, 3, &opts), MOT_EINVALID,
              "data is NULL");
  report.struct_size = 3;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, jsonl, strlen(jsonl), &opts),
              MOT_EINVALID, "MOT_INGEST_REPORT_INIT");
  report.struct_size = sizeof report;

  opts.on_reject = on_reject;
  opts.reject_user_data = &rejects;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, jsonl, strlen(jsonl), &opts),
              MOT_EREJECTED, "2 records were rejected");
  CHECK(report.accepted == 1);
  CHECK(report.duplicates == 1);
  CHECK(report.rejected == 2);
  CHECK(rejects.count == 2);
  CHECK(rejects.records[0] == 2 && rejects.records[1] == 4);
  CHECK(strcmp(rejects.fields[1], "nps") == 0);

  /* Without a report or callback it still works. */
  opts.on_reject = NULL;
  CHECK(mot_ingest_buffer(NULL, engine, "", 0, &opts) == MOT_OK);

  opts.format = MOT_FORMAT_CSV;
  CHECK(mot_ingest_buffer(&report, engine, csv, strlen(csv), &opts) == MOT_OK);
  CHECK(report.accepted == 2 && report.rejected == 0);
  {
    mot_buf buf = {NULL, 0};
    mot_timeline_options t = MOT_TIMELINE_OPTIONS_INIT;
    t.format = MOT_FORMAT_JSON;
    CHECK(mot_timeline_get(&buf, engine, "c2", &t) == MOT_OK);
    CHECK(strstr((const char*)buf.data, "billing, again") != NULL);
    CHECK(strstr((const char*)buf.data, "\"plan\":\"gold\"") != NULL);
    mot_buf_dispose(&buf);
  }

  /* An unusable header stores nothing. */
  CHECK_FAILS(mot_ingest_buffer(&report, engine, "customer_id,colour\nc3,red\n",
                                26, &opts),
              MOT_EPARSE, "colour");
  CHECK(report.accepted == 0);

  /* A progress callback can stop it between batches. */
  opts.format = MOT_FORMAT_JSONL;
  opts.batch_size = 1;
  opts.on_progress = stop_at_once;
  {
    const char* three =
        "{\"customer_id\":\"c4\",\"type\":\"web_visit\","
        "\"occurred_at\":\"2025-01-01T00:00:00Z\"}\n"
        "{\"customer_id\":\"c4\",\"type\":\"web_visit\","
        "\"occurred_at\":\"2025-01-02T00:00:00Z\"}\n"
        "{\"customer_id\":\"c4\",\"type\":\"web_visit\","
        "\"occurred_at\":\"2025-01-03T00:00:00Z\"}\n";
    CHECK_FAILS(mot_ingest_buffer(&report, engine, three, strlen(three), &opts),
                MOT_ECANCELED, "stopped");
    CHECK(report.accepted == 1); /* the first batch stays */
    CHECK(progress_calls == 1);
  }
  mot_engine_close(engine);
}

static void test_ingest_file_and_reopen(void) {
  mot_engine* engine = NULL;
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
  mot_buf buf = {NULL, 0};
  char db[512];
  char path[512];

  snprintf(db, sizeof db, "%s", temp_path("journeys.db"));
  snprintf(path, sizeof path, "%s", temp_path("events.jsonl"));
  write_file(path, kEventJson);
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  CHECK_FAILS(mot_ingest_file(&report, engine, NULL, &opts), MOT_EINVALID,
              "path");
  CHECK_FAILS(mot_ingest_file(&report, NULL, path, &opts), MOT_EINVALID,
              "engine");
  CHECK_FAILS(mot_ingest_file(&report, engine, temp_path("nope.jsonl"), &opts),
              MOT_ENOTFOUND, "nope.jsonl");
  CHECK_FAILS(mot_ingest_file(&report, engine, temp_path("events.xml"), &opts),
              MOT_EINVALID, ".xml");
  CHECK(mot_ingest_file(&report, engine, path, NULL) == MOT_OK);
  CHECK(report.accepted == 1);
  mot_engine_close(engine);

  /* Reopen: everything is still there, and dedupe remembers. */
  engine = NULL;
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  CHECK(mot_ingest_file(&report, engine, path, &opts) == MOT_OK);
  CHECK(report.accepted == 0 && report.duplicates == 1);
  CHECK(mot_timeline_get(&buf, engine, "c1", NULL) == MOT_OK);
  CHECK(buf.size > 0);
  mot_buf_dispose(&buf);

  /* A read-only engine beside the writer reads, and refuses to record. */
  {
    mot_engine* reader = NULL;
    mot_engine_options ro = MOT_ENGINE_OPTIONS_INIT;
    ro.read_only = 1;
    CHECK(mot_engine_open(&reader, db, &ro) == MOT_OK);
    CHECK(mot_timeline_get(&buf, reader, "c1", NULL) == MOT_OK);
    CHECK(buf.size > 0);
    mot_buf_dispose(&buf);
    CHECK_FAILS(mot_event_record(NULL, reader, MOT_FORMAT_JSON, kEventJson,
                                 strlen(kEventJson)),
                MOT_EINVALID, "read-only");
    mot_engine_close(reader);
    CHECK_FAILS(mot_engine_open(&reader, temp_path("absent.db"), &ro),
                MOT_ENOTFOUND, "does not exist");
  }
  mot_engine_close(engine);
}

static void test_expr(void) {
  mot_engine* engine = open_memory();
  mot_buf type = {NULL, 0};
  mot_buf out = {NULL, 0};
  const char* names[] = {"n", "tags"};
  const char* values[] = {"21", "['vip', 'new']"};

  CHECK_FAILS(mot_expr_check(&type, NULL, "true"), MOT_EINVALID, "engine");
  CHECK_FAILS(mot_expr_check(&type, engine, NULL), MOT_EINVALID, "expression");
  CHECK_FAILS(mot_expr_check(&type, engine, "event.channel == "), MOT_EPARSE,
              "column");
  CHECK_FAILS(mot_expr_check(NULL, engine, "shopper.tier == 'gold'"),
              MOT_EINVALID, "shopper");
  /* The customer's context is declared too. */
  CHECK(mot_expr_check(NULL, engine,
                       "customer.churn_risk > 0.5 && contacts.d30 >= 3 && "
                       "last_contact.channel == 'voice' && "
                       "metrics.calls_30d > 2.0") == MOT_OK);
  CHECK(type.data == NULL);
  CHECK(mot_expr_check(&type, engine,
                       "event.channel == 'voice' && now > "
                       "timestamp('2025-01-01T00:00:00Z')") == MOT_OK);
  CHECK(type.data != NULL && strcmp((const char*)type.data, "bool") == 0);
  mot_buf_dispose(&type);
  CHECK(mot_expr_check(NULL, engine, "[1, 2].map(x, x * 2)") == MOT_OK);

  CHECK_FAILS(mot_expr_eval(NULL, "1", NULL, NULL, 0), MOT_EINVALID, "out");
  CHECK_FAILS(mot_expr_eval(&out, NULL, NULL, NULL, 0), MOT_EINVALID,
              "expression");
  CHECK_FAILS(mot_expr_eval(&out, "n", NULL, values, 1), MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_expr_eval(&out, "n +", names, values, 1), MOT_EPARSE,
              "column");
  CHECK_FAILS(mot_expr_eval(&out, "m", names, values, 1), MOT_EINVALID, "m");
  CHECK_FAILS(mot_expr_eval(&out, "n / 0", names, values, 1), MOT_EINVALID,
              "division by zero");
  {
    const char* bad[] = {"'unterminated"};
    CHECK_FAILS(mot_expr_eval(&out, "n", names, bad, 1), MOT_EPARSE,
                "value of n");
  }
  CHECK(out.data == NULL);
  CHECK(mot_expr_eval(&out, "n * 2", names, values, 1) == MOT_OK);
  CHECK(out.data != NULL && strcmp((const char*)out.data, "42") == 0);
  mot_buf_dispose(&out);
  CHECK(mot_expr_eval(&out, "tags.exists(t, t == 'vip') && n > 20", names,
                      values, 2) == MOT_OK);
  CHECK(out.data != NULL && strcmp((const char*)out.data, "true") == 0);
  mot_buf_dispose(&out);
  mot_engine_close(engine);
}

/* 2025-03-05T00:00:00Z and days, in microseconds. */
#define MARCH_5_US (1741132800LL * 1000000)
#define DAY_US (86400LL * 1000000)

/* One customer's journey: a purchase, an unresolved call about billing, a
 * chat about billing two days later (a repeat contact), a detractor survey. */
static void record_journey(mot_engine* engine, const char* customer) {
  static const char* const kFormats[] = {
      "{\"event_id\":\"%s-p\",\"customer_id\":\"%s\",\"type\":\"purchase\","
      "\"channel\":\"web\",\"occurred_at\":\"2025-01-10T12:00:00Z\","
      "\"value\":100,\"currency\":\"EUR\",\"attributes\":{\"plan\":\"gold\"}}",
      "{\"event_id\":\"%s-c1\",\"customer_id\":\"%s\",\"type\":\"contact\","
      "\"channel\":\"voice\",\"occurred_at\":\"2025-03-01T10:00:00Z\","
      "\"topic\":\"billing\",\"outcome\":\"unresolved\",\"sentiment\":-0.6,"
      "\"agent_id\":\"a7\",\"transfers\":2,\"hold_ms\":30000}",
      "{\"event_id\":\"%s-c2\",\"customer_id\":\"%s\",\"type\":\"contact\","
      "\"channel\":\"chat\",\"occurred_at\":\"2025-03-03T09:00:00Z\","
      "\"topic\":\"billing\",\"outcome\":\"resolved\",\"sentiment\":0.2,"
      "\"agent_id\":\"a9\"}",
      "{\"event_id\":\"%s-s\",\"customer_id\":\"%s\",\"type\":\"survey\","
      "\"channel\":\"survey\",\"occurred_at\":\"2025-03-04T08:00:00Z\","
      "\"nps\":3}"};
  size_t i;
  for (i = 0; i < sizeof kFormats / sizeof kFormats[0]; ++i) {
    char event[512];
    snprintf(event, sizeof event, kFormats[i], customer, customer);
    CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, event,
                           strlen(event)) == MOT_OK);
  }
}

static int near(double a, double b) { return fabs(a - b) < 1e-9; }

static void test_context_summary(void) {
  mot_engine* engine = open_memory();
  mot_context_summary s = MOT_CONTEXT_SUMMARY_INIT;
  record_journey(engine, "c1");

  CHECK_FAILS(mot_context_summary_get(NULL, engine, "c1", 0), MOT_EINVALID,
              "NULL");
  CHECK_FAILS(mot_context_summary_get(&s, engine, NULL, 0), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_context_summary_get(&s, engine, "", 0), MOT_EINVALID,
              "customer_id");
  s.known = 7;
  CHECK_FAILS(mot_context_summary_get(&s, NULL, "c1", 0), MOT_EINVALID,
              "engine");
  CHECK(s.known == 0 && s.struct_size == sizeof s); /* zeroed on failure */
  s.struct_size = 0;
  CHECK_FAILS(mot_context_summary_get(&s, engine, "c1", 0), MOT_EINVALID,
              "mot_context_summary_init");
  s.struct_size = sizeof s + 8;
  CHECK_FAILS(mot_context_summary_get(&s, engine, "c1", 0), MOT_EVERSION,
              "older than the header");
  s.struct_size = sizeof s;

  /* Unknown: not an error, and every absent value says so. */
  CHECK(mot_context_summary_get(&s, engine, "nobody", MARCH_5_US) == MOT_OK);
  CHECK(s.known == 0 && s.events == 0 && s.as_of_us == MARCH_5_US);
  CHECK(s.contacts_90d == 0 && s.last_contact_us == 0);
  CHECK(s.last_contact_topic != NULL && s.last_contact_topic[0] == '\0');
  CHECK(s.last_contact_agent_id != NULL);
  CHECK(isnan(s.sentiment_last) && isnan(s.sentiment_average));
  CHECK(isnan(s.sentiment_trend) && isnan(s.last_contact_sentiment));
  CHECK(s.csat == -1 && s.nps == -1 && s.days_since_purchase == -1);
  CHECK(s.nps_category == MOT_NPS_NONE && s.churn_risk == 0);

  CHECK(mot_context_summary_get(&s, engine, "c1", MARCH_5_US) == MOT_OK);
  CHECK(s.struct_size == sizeof s);
  CHECK(s.known == 1 && s.events == 4 && s.as_of_us == MARCH_5_US);
  CHECK(s.first_seen_us == 1736510400LL * 1000000);
  CHECK(s.last_seen_us == 1741075200LL * 1000000);
  CHECK(s.contacts_7d == 2 && s.contacts_30d == 2 && s.contacts_90d == 2);
  CHECK(s.contacts_7d_by_channel[MOT_CHANNEL_VOICE] == 1);
  CHECK(s.contacts_7d_by_channel[MOT_CHANNEL_CHAT] == 1);
  CHECK(s.contacts_90d_by_channel[MOT_CHANNEL_WEB] == 0);
  CHECK(s.last_contact_channel == MOT_CHANNEL_CHAT);
  CHECK(s.last_contact_us == 1740992400LL * 1000000);
  CHECK(strcmp(s.last_contact_topic, "billing") == 0);
  CHECK(strcmp(s.last_contact_agent_id, "a9") == 0);
  CHECK(s.last_contact_outcome == MOT_OUTCOME_RESOLVED);
  CHECK(s.last_contact_repeat == 1 && s.last_contact_transfers == 0);
  CHECK(near(s.last_contact_sentiment, 0.2));
  CHECK(s.window_days == 90 && s.repeat_contacts == 1);
  CHECK(s.transfers == 2 && s.hold_ms == 30000);
  CHECK(s.open_issues == 0); /* billing's latest contact was resolved */
  CHECK(s.strikes == 2 && s.at_risk == 0); /* the call, the survey */
  CHECK(s.stage != MOT_STAGE_UNSPECIFIED);
  CHECK(s.moments[MOT_MOMENT_INTERIM] == 2);
  CHECK(near(s.sentiment_last, 0.2) && near(s.sentiment_average, -0.2));
  CHECK(!isnan(s.sentiment_trend));
  CHECK(s.purchases == 1 && near(s.lifetime_value, 100));
  CHECK(s.last_purchase_us == 1736510400LL * 1000000);
  CHECK(s.days_since_purchase == 53);
  CHECK(s.nps == 3 && s.nps_category == MOT_NPS_DETRACTOR && s.csat == -1);
  CHECK(near(s.churn_factors[MOT_CHURN_STRIKES], 0.35 * 2 / 3));
  CHECK(near(s.churn_factors[MOT_CHURN_REPEAT_CONTACTS], 0.05));
  CHECK(near(s.churn_factors[MOT_CHURN_DETRACTOR], 0.15));
  CHECK(near(s.churn_factors[MOT_CHURN_NEGATIVE_SENTIMENT], 0.03));
  CHECK(s.churn_factors[MOT_CHURN_OPEN_ISSUES] == 0);
  CHECK(s.churn_factors[MOT_CHURN_LAPSED_PURCHASE] == 0);
  CHECK(near(s.churn_risk, 0.35 * 2 / 3 + 0.05 + 0.15 + 0.03));

  /* As of a time in the past: the events after it do not exist yet. */
  CHECK(mot_context_summary_get(&s, engine, "c1", MARCH_5_US - 3 * DAY_US) ==
        MOT_OK);
  CHECK(s.known == 1 && s.events == 2 && s.contacts_90d == 1);
  CHECK(s.last_contact_channel == MOT_CHANNEL_VOICE);
  CHECK(s.last_contact_outcome == MOT_OUTCOME_UNRESOLVED);
  CHECK(strcmp(s.last_contact_agent_id, "a7") == 0);
  CHECK(s.open_issues == 1 && s.nps == -1 && s.strikes == 1);
  CHECK(mot_context_summary_get(&s, engine, "c1", MARCH_5_US - 60 * DAY_US) ==
        MOT_OK);
  CHECK(s.known == 0 && s.events == 0);

  /* 0 is now: long after March 2025, the contacts have left the windows. */
  CHECK(mot_context_summary_get(&s, engine, "c1", 0) == MOT_OK);
  CHECK(s.known == 1 && s.events == 4 && s.as_of_us > MARCH_5_US);

  /* A caller built against a smaller struct gets its prefix only. */
  {
    unsigned char raw[sizeof(mot_context_summary)];
    mot_context_summary* old = (mot_context_summary*)raw;
    const size_t size = offsetof(mot_context_summary, last_contact_channel);
    memset(raw, 0xab, sizeof raw);
    old->struct_size = (uint32_t)size;
    CHECK(mot_context_summary_get(old, engine, "c1", MARCH_5_US) == MOT_OK);
    CHECK(old->struct_size == size && old->known == 1);
    CHECK(old->contacts_90d_by_channel[MOT_CHANNEL_CHAT] == 1);
    CHECK(raw[size] == 0xab && raw[sizeof raw - 1] == 0xab);
  }
  mot_engine_close(engine);
}

static void test_context_get(void) {
  mot_engine* engine = open_memory();
  mot_buf buf = {NULL, 0};
  record_journey(engine, "c1");

  CHECK_FAILS(mot_context_get(NULL, engine, "c1", 0, MOT_FORMAT_JSON),
              MOT_EINVALID, "out");
  CHECK_FAILS(mot_context_get(&buf, NULL, "c1", 0, MOT_FORMAT_JSON),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_context_get(&buf, engine, NULL, 0, MOT_FORMAT_JSON),
              MOT_EINVALID, "customer_id");
  CHECK_FAILS(mot_context_get(&buf, engine, "", 0, MOT_FORMAT_JSON),
              MOT_EINVALID, "customer_id");
  CHECK_FAILS(mot_context_get(&buf, engine, "c1", 0, MOT_FORMAT_CSV),
              MOT_EINVALID, "format");
  CHECK(buf.data == NULL && buf.size == 0);

  CHECK(mot_context_get(&buf, engine, "c1", MARCH_5_US, MOT_FORMAT_JSON) ==
        MOT_OK);
  CHECK(buf.data != NULL && buf.size == strlen((const char*)buf.data));
  {
    const char* json = (const char*)buf.data;
    CHECK(json[0] == '{');
    CHECK(strstr(json, "\"customer_id\":\"c1\"") != NULL);
    CHECK(strstr(json, "\"known\":true") != NULL);
    CHECK(strstr(json, "\"as_of\":\"2025-03-05T00:00:00Z\"") != NULL);
    CHECK(strstr(json, "\"topic\":\"billing\"") != NULL);
    CHECK(strstr(json, "\"nps_category\":\"detractor\"") != NULL);
    CHECK(strstr(json, "\"plan\":\"gold\"") != NULL);     /* attributes */
    CHECK(strstr(json, "\"event_id\":\"c1-s\"") != NULL); /* recent */
  }
  mot_buf_dispose(&buf);

  /* As of the past, in protobuf: field 1 (customer_id) comes first. */
  CHECK(mot_context_get(&buf, engine, "c1", MARCH_5_US - 3 * DAY_US,
                        MOT_FORMAT_PROTOBUF) == MOT_OK);
  CHECK(buf.size > 20 && buf.data[0] == 0x0a && buf.data[1] == 2);
  CHECK(memcmp(buf.data + 2, "c1", 2) == 0);
  mot_buf_dispose(&buf);

  /* Unknown: a context that says so, not an error. */
  CHECK(mot_context_get(&buf, engine, "nobody", MARCH_5_US, MOT_FORMAT_JSON) ==
        MOT_OK);
  CHECK(strstr((const char*)buf.data, "\"customer_id\":\"nobody\"") != NULL);
  CHECK(strstr((const char*)buf.data, "\"known\":true") == NULL);
  mot_buf_dispose(&buf);
  mot_engine_close(engine);
}

static void test_context_config(void) {
  mot_engine* engine = open_memory();
  mot_buf buf = {NULL, 0};
  mot_context_summary s = MOT_CONTEXT_SUMMARY_INIT;
  const char* config =
      "signals { window_days: 1 }\n"
      "metrics {\n"
      "  name: \"voice_calls_30d\" aggregation: COUNT window: \"30d\"\n"
      "  filter: \"event.channel == 'voice'\"\n"
      "}\n"
      "recent_events: 1\n";
  const char* bad_text = "signals {\n  window_days: 7\n  colour: 3\n}\n";
  const char* bad_metric =
      "metrics { name: \"spend\" aggregation: SUM window: \"3 fortnights\" "
      "field: \"value\" }";
  record_journey(engine, "c1");

  CHECK_FAILS(mot_context_config_load(NULL, config, strlen(config)),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_context_config_load(engine, NULL, 5), MOT_EINVALID,
              "data is NULL");
  CHECK(mot_context_config_load(engine, config, strlen(config)) == MOT_OK);
  CHECK(mot_context_summary_get(&s, engine, "c1", MARCH_5_US) == MOT_OK);
  /* The chat, the repeat, happened 1 day and 15 hours before. */
  CHECK(s.window_days == 1 && s.repeat_contacts == 0);
  CHECK(mot_context_get(&buf, engine, "c1", MARCH_5_US, MOT_FORMAT_JSON) ==
        MOT_OK);
  CHECK(strstr((const char*)buf.data, "\"voice_calls_30d\":1") != NULL);
  CHECK(strstr((const char*)buf.data, "\"event_id\":\"c1-s\"") != NULL);
  CHECK(strstr((const char*)buf.data, "\"event_id\":\"c1-c2\"") == NULL);
  mot_buf_dispose(&buf);

  /* Bad configurations change nothing. */
  CHECK_FAILS(mot_context_config_load(engine, bad_text, strlen(bad_text)),
              MOT_EPARSE, "line 3");
  CHECK_FAILS(mot_context_config_load(engine, bad_metric, strlen(bad_metric)),
              MOT_EINVALID, "spend");
  CHECK_FAILS(mot_context_config_load(engine, config, strlen(config) - 3),
              MOT_EPARSE, "line");
  CHECK(mot_context_get(&buf, engine, "c1", MARCH_5_US, MOT_FORMAT_JSON) ==
        MOT_OK);
  CHECK(strstr((const char*)buf.data, "\"voice_calls_30d\":1") != NULL);
  mot_buf_dispose(&buf);

  /* An empty configuration is the defaults. */
  CHECK(mot_context_config_load(engine, NULL, 0) == MOT_OK);
  CHECK(mot_context_summary_get(&s, engine, "c1", MARCH_5_US) == MOT_OK);
  CHECK(s.window_days == 90 && s.repeat_contacts == 1);
  mot_engine_close(engine);
}

static void test_snapshot_and_stats(void) {
  mot_engine* engine = NULL;
  mot_engine_stats st = MOT_ENGINE_STATS_INIT;
  mot_context_summary before = MOT_CONTEXT_SUMMARY_INIT;
  mot_context_summary after = MOT_CONTEXT_SUMMARY_INIT;
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  char db[512];
  snprintf(db, sizeof db, "%s", temp_path("state.db"));

  CHECK_FAILS(mot_engine_snapshot(NULL), MOT_EINVALID, "engine");
  CHECK_FAILS(mot_engine_stats_get(NULL, NULL), MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_engine_stats_get(&st, NULL), MOT_EINVALID, "engine");
  engine = open_memory();
  CHECK_FAILS(mot_engine_snapshot(engine), MOT_EINVALID, "snapshot");
  st.struct_size = sizeof st + 4;
  CHECK_FAILS(mot_engine_stats_get(&st, engine), MOT_EVERSION, "struct_size");
  st.struct_size = sizeof st;
  mot_engine_close(engine);

  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  record_journey(engine, "c1");
  record_journey(engine, "c2");
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.from_snapshot == 0 && st.events_replayed == 0);
  CHECK(st.customers == 2 && st.held_events > 0 && st.state_bytes > 0);
  CHECK(st.snapshot_note != NULL);
  CHECK(mot_context_summary_get(&before, engine, "c2", MARCH_5_US) == MOT_OK);
  CHECK(mot_engine_snapshot(engine) == MOT_OK);
  mot_engine_close(engine);
  CHECK(access(temp_path("state.db-snapshot"), F_OK) == 0);

  /* Reopened from the snapshot: nothing replayed, the same answers. */
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.from_snapshot == 1 && st.events_replayed == 0);
  CHECK(st.customers == 2 && strcmp(st.snapshot_note, "") == 0);
  CHECK(mot_context_summary_get(&after, engine, "c2", MARCH_5_US) == MOT_OK);
  CHECK(after.events == before.events && after.strikes == before.strikes);
  CHECK(strcmp(after.last_contact_topic, "billing") == 0);
  CHECK(near(after.churn_risk, before.churn_risk));
  mot_engine_close(engine);

  /* Another configuration: the snapshot is not used, and says why. */
  opts.context_config = "signals { window_days: 30 }";
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.from_snapshot == 0 && st.events_replayed == 8);
  CHECK(strlen(st.snapshot_note) > 0);
  mot_engine_close(engine);

  /* No snapshot at all. */
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.snapshot_path = "-";
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.from_snapshot == 0 && st.events_replayed == 8);
  CHECK_FAILS(mot_engine_snapshot(engine), MOT_EINVALID, "snapshot");
  mot_engine_close(engine);

  /* Elsewhere, and an older caller's smaller stats struct. */
  opts.snapshot_path = temp_path("elsewhere.snap");
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK(mot_engine_snapshot(engine) == MOT_OK);
  CHECK(access(temp_path("elsewhere.snap"), F_OK) == 0);
  {
    unsigned char raw[sizeof(mot_engine_stats)];
    mot_engine_stats* old = (mot_engine_stats*)raw;
    const size_t size = offsetof(mot_engine_stats, customers);
    memset(raw, 0xab, sizeof raw);
    old->struct_size = (uint32_t)size;
    CHECK(mot_engine_stats_get(old, engine) == MOT_OK);
    CHECK(old->from_snapshot == 0 && old->events_replayed == 8);
    CHECK(raw[size] == 0xab);
  }
  mot_engine_close(engine);
}

static void* fail_in_thread(void* arg) {
  mot_engine* engine = NULL;
  (void)arg;
  CHECK(mot_engine_open(&engine, NULL, NULL) == MOT_EINVALID);
  CHECK(strstr(mot_error_last(), "path") != NULL);
  return NULL;
}

static void test_errors_are_per_thread(void) {
  pthread_t thread;
  mot_engine_flush(NULL); /* this thread's last error: "engine is NULL" */
  CHECK(pthread_create(&thread, NULL, fail_in_thread, NULL) == 0);
  pthread_join(thread, NULL);
  CHECK(strcmp(mot_error_last(), "engine is NULL") == 0);
}

int main(void) {
  const char* base = getenv("TMPDIR");
  snprintf(temp_dir, sizeof temp_dir, "%s/motive_capi_%d", base ? base : "/tmp",
           (int)getpid());
  {
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s' && mkdir -p '%s'", temp_dir,
             temp_dir);
    if (system(command) != 0) return 2;
  }

  test_version_and_errors();
  test_options_init();
  test_open_errors();
  test_record();
  test_timeline();
  test_ingest_buffer();
  test_ingest_file_and_reopen();
  test_expr();
  test_context_summary();
  test_context_get();
  test_context_config();
  test_snapshot_and_stats();
  test_errors_are_per_thread();

  {
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0)
      fprintf(stderr, "could not remove %s\n", temp_dir);
  }
  printf("capi_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
