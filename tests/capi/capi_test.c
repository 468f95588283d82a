/* The C ABI exercised from plain C99, linked against libmotive.so: every
 * function, every documented error path, and the promise that a C caller
 * only ever sees status codes and mot_error_last() text. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "motive/motive.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                     \
  do {                                                                  \
    ++checks;                                                           \
    if (!(cond)) {                                                      \
      ++failures;                                                       \
      fprintf(stderr, "%s:%d: CHECK failed: %s (last error: %s)\n",     \
              __FILE__, __LINE__, #cond, mot_error_last());             \
    }                                                                   \
  } while (0)

/* Expects `call` to return `code` and leave a message containing `text`. */
#define CHECK_FAILS(call, code, text)                                   \
  do {                                                                  \
    int rc_ = (call);                                                   \
    ++checks;                                                           \
    if (rc_ != (code) || strstr(mot_error_last(), (text)) == NULL) {    \
      ++failures;                                                       \
      fprintf(stderr,                                                   \
              "%s:%d: %s returned %d (%s), expected %d (%s) with "      \
              "\"%s\" in: %s\n",                                        \
              __FILE__, __LINE__, #call, rc_, mot_strerror(rc_), code,  \
              mot_strerror(code), text, mot_error_last());              \
    }                                                                   \
  } while (0)

static char temp_dir[256];

static const char *temp_path(const char *name) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", temp_dir, name);
  return path;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
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

static mot_engine *open_memory(void) {
  mot_engine *engine = NULL;
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  CHECK(engine != NULL);
  return engine;
}

static void test_version_and_errors(void) {
  CHECK(strcmp(mot_version(), MOT_VERSION_STRING) == 0);
  CHECK(mot_version_number() == MOT_VERSION_NUMBER);
  CHECK(strcmp(mot_error_last(), "") == 0);
  {
    int codes[] = {MOT_OK,        MOT_EINVALID,  MOT_ENOTFOUND, MOT_EPARSE,
                   MOT_EIO,       MOT_ECORRUPT,  MOT_EBUSY,     MOT_ETOOSMALL,
                   MOT_EVERSION,  MOT_ENOMEM,    MOT_EINTERNAL, MOT_EREJECTED,
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
}

static void test_open_errors(void) {
  mot_engine *engine = (mot_engine *)&engine; /* must be reset to NULL */
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

  /* A smaller struct from an older caller: the rest takes defaults. */
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)offsetof(mot_engine_options, group_commit_ms);
  opts.durability = MOT_DURABILITY_GROUP;
  CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
  mot_engine_close(engine);

  mot_engine_close(NULL);
}

static void test_record(void) {
  mot_engine *engine = open_memory();
  int32_t stored = -1;
  /* customer_id "c1", type "contact", occurred_at {seconds: 1740823200},
   * channel CHAT: hand-encoded motive.v1.Event in protobuf binary. */
  static const unsigned char kEventProto[] = {
      0x12, 0x02, 'c', '1', 0x1a, 0x06, 0x08, 0xa0, 0xb5, 0x8b, 0xbe,
      0x06, 0x28, 0x02, 0x32, 0x07, 'c',  'o',  'n',  't',  'a',  'c', 't'};

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
  CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_PROTOBUF, "\xff\xff", 2),
              MOT_EPARSE, "protobuf");
  {
    const char *bad = "{\"customer_id\":\"c1\",\"type\":\"contact\","
                      "\"occurred_at\":\"2025-03-01T10:00:00Z\","
                      "\"sentiment\":1.5}";
    CHECK_FAILS(mot_event_record(NULL, engine, MOT_FORMAT_JSON, bad,
                                 strlen(bad)),
                MOT_EINVALID, "sentiment");
  }
  {
    const char *missing = "{\"type\":\"contact\","
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
  mot_engine *engine = open_memory();
  mot_buf buf = {NULL, 0};
  mot_timeline_options opts = MOT_TIMELINE_OPTIONS_INIT;
  const char *later = "{\"event_id\":\"e2\",\"customer_id\":\"c1\","
                      "\"type\":\"survey\",\"channel\":\"email\","
                      "\"occurred_at\":\"2025-03-02T10:00:00Z\",\"csat\":2}";

  /* Arrives first, happened later: read back in event-time order. */
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, later,
                         strlen(later)) == MOT_OK);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, kEventJson,
                         strlen(kEventJson)) == MOT_OK);

  CHECK_FAILS(mot_timeline_get(NULL, engine, "c1", NULL), MOT_EINVALID, "out");
  CHECK_FAILS(mot_timeline_get(&buf, NULL, "c1", NULL), MOT_EINVALID,
              "engine");
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
  CHECK(buf.data != NULL && buf.size == strlen((const char *)buf.data));
  {
    const char *json = (const char *)buf.data;
    const char *first = strstr(json, "\"e1\"");
    const char *second = strstr(json, "\"e2\"");
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
  CHECK(strstr((const char *)buf.data, "\"e2\"") != NULL);
  CHECK(strstr((const char *)buf.data, "\"e1\"") == NULL);
  mot_buf_dispose(&buf);

  /* since/until in microseconds: only 2025-03-01. */
  opts.limit = 0;
  opts.since_us = 1740787200LL * 1000000;
  opts.until_us = 1740873600LL * 1000000;
  CHECK(mot_timeline_get(&buf, engine, "c1", &opts) == MOT_OK);
  CHECK(strstr((const char *)buf.data, "\"e1\"") != NULL);
  CHECK(strstr((const char *)buf.data, "\"e2\"") == NULL);
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

static void on_reject(void *user_data, uint64_t record, const char *field,
                      const char *message) {
  struct rejects *r = (struct rejects *)user_data;
  CHECK(message != NULL && message[0] != '\0');
  if (r->count < 8) {
    r->records[r->count] = record;
    snprintf(r->fields[r->count], sizeof r->fields[0], "%s", field);
  }
  ++r->count;
}

static int progress_calls = 0;

static int stop_at_once(void *user_data, uint64_t done, uint64_t total) {
  (void)user_data;
  CHECK(done <= total);
  ++progress_calls;
  return 1;
}

static void test_ingest_buffer(void) {
  mot_engine *engine = open_memory();
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
  struct rejects rejects;
  const char *jsonl =
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
  const char *csv =
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
  CHECK_FAILS(mot_ingest_buffer(&report, engine, NULL, 3, &opts),
              MOT_EINVALID, "data is NULL");
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
    CHECK(strstr((const char *)buf.data, "billing, again") != NULL);
    CHECK(strstr((const char *)buf.data, "\"plan\":\"gold\"") != NULL);
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
    const char *three =
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
  mot_engine *engine = NULL;
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
    mot_engine *reader = NULL;
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
  mot_engine *engine = open_memory();
  mot_buf type = {NULL, 0};
  mot_buf out = {NULL, 0};
  const char *names[] = {"n", "tags"};
  const char *values[] = {"21", "['vip', 'new']"};

  CHECK_FAILS(mot_expr_check(&type, NULL, "true"), MOT_EINVALID, "engine");
  CHECK_FAILS(mot_expr_check(&type, engine, NULL), MOT_EINVALID, "expression");
  CHECK_FAILS(mot_expr_check(&type, engine, "event.channel == "), MOT_EPARSE,
              "column");
  CHECK_FAILS(mot_expr_check(NULL, engine, "customer.tier == 'gold'"),
              MOT_EINVALID, "customer");
  CHECK(type.data == NULL);
  CHECK(mot_expr_check(&type, engine,
                       "event.channel == 'voice' && now > "
                       "timestamp('2025-01-01T00:00:00Z')") == MOT_OK);
  CHECK(type.data != NULL && strcmp((const char *)type.data, "bool") == 0);
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
    const char *bad[] = {"'unterminated"};
    CHECK_FAILS(mot_expr_eval(&out, "n", names, bad, 1), MOT_EPARSE,
                "value of n");
  }
  CHECK(out.data == NULL);
  CHECK(mot_expr_eval(&out, "n * 2", names, values, 1) == MOT_OK);
  CHECK(out.data != NULL && strcmp((const char *)out.data, "42") == 0);
  mot_buf_dispose(&out);
  CHECK(mot_expr_eval(&out, "tags.exists(t, t == 'vip') && n > 20", names,
                      values, 2) == MOT_OK);
  CHECK(out.data != NULL && strcmp((const char *)out.data, "true") == 0);
  mot_buf_dispose(&out);
  mot_engine_close(engine);
}

static void *fail_in_thread(void *arg) {
  mot_engine *engine = NULL;
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
  const char *base = getenv("TMPDIR");
  snprintf(temp_dir, sizeof temp_dir, "%s/motive_capi_%d",
           base ? base : "/tmp", (int)getpid());
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
  test_errors_are_per_thread();

  {
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", temp_dir);
  }
  printf("capi_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
