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
                   MOT_ECANCELED, MOT_EUNSUPPORTED, MOT_EAMBIGUOUS,
                   MOT_EUNREACHABLE};
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

/* The partition function is a contract with routers outside motive: its
 * values never change. */
static void test_cluster_partition(void) {
  uint32_t partition = 99;
  CHECK(mot_cluster_partition(&partition, "ana", 256) == MOT_OK);
  CHECK(partition == 5);
  CHECK(mot_cluster_partition(&partition, "ana", 0) == MOT_OK);
  CHECK(partition == 5);
  CHECK(mot_cluster_partition(&partition, "ana", 1000) == MOT_OK);
  CHECK(partition == 725);
  CHECK(mot_cluster_partition(&partition, "c1", 16) == MOT_OK);
  CHECK(partition == 9);
  CHECK_FAILS(mot_cluster_partition(&partition, NULL, 16), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_cluster_partition(NULL, "ana", 16), MOT_EINVALID,
              "partition");
}

/* A cluster that does not answer fails the open clearly, naming it; a
 * partition list that is not one is the caller's error. */
static void test_cluster_options(void) {
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  mot_engine *engine = NULL;
  mot_engine_stats stats = MOT_ENGINE_STATS_INIT;
  opts.cluster_servers = "nats://127.0.0.1:1";
  opts.cluster_open_timeout_ms = 500;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EUNREACHABLE,
              "nats://127.0.0.1:1");
  CHECK(engine == NULL);
  opts.cluster_held_partitions = "0-3,300";
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "300");
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  CHECK(mot_engine_stats_get(&stats, engine) == MOT_OK);
  CHECK(stats.cluster_connected == 0 && stats.cluster_last_contact_us == 0 &&
        stats.cluster_applied == 0 && stats.cluster_lag == 0);
  mot_engine_close(engine);
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
  CHECK(eo.ruleset == NULL && eo.ruleset_origin == NULL);
  CHECK(eo.retention_days == 0);
  CHECK(eo.identity_config == NULL);
  CHECK(eo.on_progress == NULL && eo.progress_user_data == NULL);
  /* A caller built before the progress callback (0.7 at first). */
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(
            &eo, (uint32_t)offsetof(mot_engine_options, on_progress)) ==
        MOT_OK);
  CHECK(eo.cluster_held_partitions == NULL);
  CHECK(((const unsigned char*)&eo)[sizeof eo - 1] == 0xab);
  /* A caller built before the identity configuration (0.5): its prefix. */
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(
            &eo, (uint32_t)offsetof(mot_engine_options, identity_config)) ==
        MOT_OK);
  CHECK(eo.retention_days == 0);
  CHECK(((const unsigned char*)&eo)[sizeof eo - 1] == 0xab);
  /* A caller built before the retention period (0.4): its prefix. */
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(
            &eo, (uint32_t)offsetof(mot_engine_options, retention_days)) ==
        MOT_OK);
  CHECK(eo.ruleset_origin == NULL);
  CHECK(((const unsigned char*)&eo)[sizeof eo - 1] == 0xab);
  /* A caller built before the ruleset (0.2): its prefix, nothing more. */
  memset(&eo, 0xab, sizeof eo);
  CHECK(mot_engine_options_init(
            &eo, (uint32_t)offsetof(mot_engine_options, ruleset)) == MOT_OK);
  CHECK(eo.struct_size == offsetof(mot_engine_options, ruleset));
  CHECK(eo.context_config == NULL && eo.snapshot_path == NULL);
  CHECK(((const unsigned char*)&eo)[sizeof eo - 1] == 0xab);
  /* A caller built before the context settings (0.1). */
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
  CHECK(io.format == MOT_FORMAT_AUTO && io.batch_size == 16384);
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
    CHECK(st.snapshot_note == NULL && st.alerts_raised == 0);
    CHECK(st.alerts_dropped == 0 && st.alerts_queued == 0);
    /* The 0.2 size, before the alert counts. */
    memset(&st, 0xab, sizeof st);
    CHECK(mot_engine_stats_init(
              &st, (uint32_t)offsetof(mot_engine_stats, alerts_raised)) ==
          MOT_OK);
    CHECK(st.snapshot_note == NULL);
    CHECK(((const unsigned char*)&st)[sizeof st - 1] == 0xab);
    CHECK_FAILS(mot_engine_stats_init(&st, sizeof st - 8), MOT_EINVALID,
                "struct_size");
  }
  {
    mot_situation si;
    CHECK_FAILS(mot_situation_init(NULL, sizeof si), MOT_EINVALID, "NULL");
    CHECK_FAILS(mot_situation_init(&si, 4), MOT_EINVALID, "struct_size");
    CHECK_FAILS(mot_situation_init(&si, sizeof si + 8), MOT_EVERSION,
                "struct_size");
    memset(&si, 0xab, sizeof si);
    CHECK(mot_situation_init(&si, sizeof si) == MOT_OK);
    CHECK(si.struct_size == sizeof si);
    CHECK(si.channel == MOT_CHANNEL_UNSPECIFIED);
    CHECK(si.topic == NULL && si.agent_id == NULL);
    CHECK(si.direction == MOT_DIRECTION_INBOUND);
    CHECK(si.time_us == 0 && si.max_results == 0);
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
    /* Two such purchases made the lifetime value Infinity. */
    const char* huge =
        "{\"customer_id\":\"c1\",\"type\":\"purchase\","
        "\"occurred_at\":\"2025-03-01T10:00:00Z\",\"value\":1.7e308}";
    CHECK_FAILS(
        mot_event_record(NULL, engine, MOT_FORMAT_JSON, huge, strlen(huge)),
        MOT_EINVALID, "value: must be within [-1e+12, 1e+12], got 1.7e+308");
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

  /* Messages quote the input; a NUL byte in it must not cut them short
   * (found by fuzzing: the message read as empty). */
  CHECK_FAILS(mot_ingest_buffer(&report, engine, "\0x,type\nc3,red\n", 15,
                                &opts),
              MOT_EPARSE, "\\0x: unknown CSV header column 1");
  opts.format = MOT_FORMAT_JSONL;
  opts.on_reject = on_reject;
  memset(&rejects, 0, sizeof rejects);
  CHECK_FAILS(mot_ingest_buffer(&report, engine, "{\"a\\u0000b\":1}\n",
                                strlen("{\"a\\u0000b\":1}\n"), &opts),
              MOT_EREJECTED, "1 records were rejected");
  CHECK(rejects.count == 1 && strcmp(rejects.fields[0], "a\\0b") == 0);
  opts.on_reject = NULL;

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
    /* Opening reports its replay, and a callback may stop it. */
    ro.snapshot_path = "-";
    ro.on_progress = stop_at_once;
    progress_calls = 0;
    CHECK_FAILS(mot_engine_open(&reader, db, &ro), MOT_ECANCELED, "stopped");
    CHECK(reader == NULL && progress_calls == 1);
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
  {
    /* A thousand strings of 6 KB: past what one evaluation may build. */
    static char text[3003];
    const char* limit_names[] = {"ten", "s"};
    const char* limit_values[] = {"[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]", text};
    memset(text, 'x', sizeof text - 1);
    text[0] = text[sizeof text - 2] = '\'';
    CHECK_FAILS(mot_expr_eval(&out, "ten.map(a, ten.map(b, ten.map(c, s + s)))",
                              limit_names, limit_values, 2),
                MOT_EINVALID, "max_evaluation_bytes");
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

/* The batch call answers what one call each would, including an unknown
 * customer and an as-of replay, and keeps to the caller's struct size. */
static void test_context_summary_many(void) {
  mot_engine* engine = open_memory();
  mot_context_summary many[4];
  mot_context_summary one = MOT_CONTEXT_SUMMARY_INIT;
  const char* ids[] = {"c1", "nobody", "c2", "c1"};
  const int64_t past = MARCH_5_US - 3 * DAY_US;
  size_t i;
  record_journey(engine, "c1");
  record_journey(engine, "c2");
  for (i = 0; i < 4; ++i) mot_context_summary_init(&many[i], sizeof many[i]);

  CHECK(mot_context_summary_get_many(NULL, engine, ids, 0, 0) == MOT_OK);
  CHECK_FAILS(mot_context_summary_get_many(NULL, engine, ids, 4, 0),
              MOT_EINVALID, "NULL");
  CHECK_FAILS(mot_context_summary_get_many(many, engine, NULL, 4, 0),
              MOT_EINVALID, "customer_ids");
  {
    const char* holes[] = {"c1", NULL};
    many[0].known = 7;
    CHECK_FAILS(mot_context_summary_get_many(many, engine, holes, 2, 0),
                MOT_EINVALID, "customer_ids[1]");
    CHECK(many[0].known == 0); /* zeroed on failure */
  }
  {
    const char* empty[] = {"c1", "c2", ""};
    CHECK_FAILS(mot_context_summary_get_many(many, engine, empty, 3, 0),
                MOT_EINVALID, "customer 2");
  }
  many[2].struct_size = 8;
  CHECK_FAILS(mot_context_summary_get_many(many, engine, ids, 4, 0),
              MOT_EINVALID, "out[2].struct_size");
  many[2].struct_size = sizeof many[2];

  CHECK(mot_context_summary_get_many(many, engine, ids, 4, MARCH_5_US) ==
        MOT_OK);
  for (i = 0; i < 4; ++i) {
    CHECK(mot_context_summary_get(&one, engine, ids[i], MARCH_5_US) == MOT_OK);
    CHECK(many[i].known == one.known && many[i].events == one.events);
    CHECK(many[i].strikes == one.strikes && many[i].as_of_us == one.as_of_us);
    CHECK(near(many[i].churn_risk, one.churn_risk));
  }
  CHECK(many[0].known == 1 && many[1].known == 0 && many[3].events == 4);
  /* As of the past: replayed from the log, as one call does. */
  CHECK(mot_context_summary_get_many(many, engine, ids, 4, past) == MOT_OK);
  CHECK(many[0].events == 2 && many[2].events == 2 && many[1].known == 0);

  /* Callers built against a smaller struct: the array steps by it (a
   * size that keeps the struct's alignment, as an older sizeof does). */
  {
    const size_t size = offsetof(mot_context_summary, last_contact_us);
    unsigned char raw[3 * sizeof(mot_context_summary)];
    memset(raw, 0xab, sizeof raw);
    for (i = 0; i < 3; ++i) {
      mot_context_summary* old = (mot_context_summary*)(raw + i * size);
      old->struct_size = (uint32_t)size;
    }
    CHECK(mot_context_summary_get_many((mot_context_summary*)raw, engine, ids,
                                       3, MARCH_5_US) == MOT_OK);
    for (i = 0; i < 3; ++i) {
      const mot_context_summary* old =
          (const mot_context_summary*)(raw + i * size);
      CHECK(old->struct_size == size && old->known == (i != 1));
    }
    CHECK(raw[3 * size] == 0xab && raw[sizeof raw - 1] == 0xab);
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
  /* Rules are checked against the metrics with their types: a COUNT is a
   * number; a metric declared nowhere is dyn. */
  CHECK(mot_expr_check(&buf, engine, "metrics.voice_calls_30d") == MOT_OK);
  CHECK(strcmp((const char*)buf.data, "double") == 0);
  mot_buf_dispose(&buf);
  CHECK_FAILS(mot_expr_check(NULL, engine, "metrics.voice_calls_30d >= 'two'"),
              MOT_EINVALID, "column");
  CHECK(mot_expr_check(&buf, engine, "metrics.elsewhere") == MOT_OK);
  CHECK(strcmp((const char*)buf.data, "dyn") == 0);
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

/* The next-best-action tests' ruleset: a service apology for customers with
 * a bad experience, a survey for everyone, an upgrade only for those without
 * one (capped at one offer in 30 days), and a proactive call back to
 * detractors. */
static const char kRuleset[] =
    "version: \"t1\"\n"
    "actions { id: \"apology\" title: \"Apologise\" group: "
    "\"service_recovery\"\n"
    "  service: true script: \"Sorry, {customer.first_name|there}.\" }\n"
    "actions { id: \"survey\" title: \"Invite to the survey\" }\n"
    "actions { id: \"upgrade\" title: \"Offer the gold plan\" group: "
    "\"upsell\"\n"
    "  value: 2 }\n"
    "actions { id: \"callback\" title: \"Call back\" group: \"retention\" }\n"
    "playbooks {\n"
    "  name: \"billing_call\" directions: INBOUND topics: \"billing\"\n"
    "  rules { action: \"apology\" priority: 10\n"
    "          eligibility: \"customer.strikes >= 1\"\n"
    "          reason: \"{customer.strikes} bad experiences\" }\n"
    "  rules { action: \"survey\" }\n"
    "  rules { action: \"upgrade\" suitability: \"customer.strikes == 0\" }\n"
    "}\n"
    "playbooks {\n"
    "  name: \"detractor\" proactive: true\n"
    "  condition: \"customer.nps_category == 'detractor'\"\n"
    "  rules { action: \"callback\" reason: \"NPS {customer.nps}\" }\n"
    "}\n"
    "contact_policy { caps { action: \"upgrade\" max: 1 window: \"30d\" } }\n";

static mot_engine* open_with_rules(void) {
  mot_engine* engine = NULL;
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  opts.ruleset = kRuleset;
  opts.ruleset_origin = "t1.textproto";
  CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
  CHECK(engine != NULL);
  return engine;
}

/* A decision for `customer` about a billing call at `time_us`, as JSON;
 * dispose of it. */
static mot_buf decide_json(mot_engine* engine, const char* customer,
                           int64_t time_us) {
  mot_buf buf = {NULL, 0};
  mot_situation s = MOT_SITUATION_INIT;
  s.channel = MOT_CHANNEL_VOICE;
  s.topic = "billing";
  s.time_us = time_us;
  CHECK(mot_decide(&buf, engine, customer, &s, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(buf.data != NULL);
  return buf;
}

static int json_has(const mot_buf* buf, const char* text) {
  return buf->data != NULL && strstr((const char*)buf->data, text) != NULL;
}

/* The whole file, NUL-terminated (NULL when missing); free() it. */
static char* read_file(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  char* data;
  long n;
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  data = malloc((size_t)n + 1);
  *size = fread(data, 1, (size_t)n, f);
  data[*size] = 0;
  fclose(f);
  return data;
}

/* Whether the file holds `text` anywhere, NUL bytes and all. */
static int file_has(const char* path, const char* text) {
  size_t size = 0, i, n = strlen(text);
  char* data = read_file(path, &size);
  int found = 0;
  for (i = 0; data != NULL && i + n <= size && !found; ++i) {
    found = memcmp(data + i, text, n) == 0;
  }
  free(data);
  return found;
}

static void test_customer_erase(void) {
  mot_engine* engine = NULL;
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  mot_timeline_options json = MOT_TIMELINE_OPTIONS_INIT;
  mot_buf timeline = {0};
  uint64_t erased = 99;
  char db[512], wal[530], snapshot[530];
  snprintf(db, sizeof db, "%s", temp_path("erase.db"));
  snprintf(wal, sizeof wal, "%s-wal", db);
  snprintf(snapshot, sizeof snapshot, "%s-snapshot", db);

  CHECK_FAILS(mot_customer_erase(&erased, NULL, "c1"), MOT_EINVALID, "engine");
  CHECK(erased == 0);
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  record_journey(engine, "zebulon");
  record_journey(engine, "c2");
  CHECK(mot_engine_snapshot(engine) == MOT_OK);
  CHECK(file_has(snapshot, "zebulon"));
  CHECK(file_has(db, "zebulon") || file_has(wal, "zebulon"));
  CHECK_FAILS(mot_customer_erase(&erased, engine, NULL), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_customer_erase(&erased, engine, ""), MOT_EINVALID,
              "customer_id");

  CHECK(mot_customer_erase(&erased, engine, "zebulon") == MOT_OK);
  CHECK(erased == 4);
  CHECK(mot_context_summary_get(&summary, engine, "zebulon", 0) == MOT_OK);
  CHECK(summary.known == 0);
  json.format = MOT_FORMAT_JSON;
  CHECK(mot_timeline_get(&timeline, engine, "zebulon", &json) == MOT_OK);
  CHECK(json_has(&timeline, "zebulon") && !json_has(&timeline, "events"));
  mot_buf_dispose(&timeline);
  CHECK(mot_context_summary_get(&summary, engine, "c2", 0) == MOT_OK);
  CHECK(summary.known == 1 && summary.events == 4);
  CHECK(!file_has(db, "zebulon") && !file_has(wal, "zebulon"));
  CHECK(!file_has(snapshot, "zebulon") && file_has(snapshot, "c2"));
  /* Again, or someone unknown: nothing to erase, no error. */
  CHECK(mot_customer_erase(&erased, engine, "zebulon") == MOT_OK);
  CHECK(erased == 0);
  CHECK(mot_customer_erase(NULL, engine, "nobody") == MOT_OK);
  mot_engine_close(engine);

  opts.read_only = 1;
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK_FAILS(mot_customer_erase(&erased, engine, "c2"), MOT_EINVALID,
              "read-only");
  CHECK(mot_context_summary_get(&summary, engine, "c2", 0) == MOT_OK);
  CHECK(summary.events == 4);
  mot_engine_close(engine);
}

/* Retention: what occurred more than retention_days ago leaves; the events
 * here are of 2025, long before the engine's clock. */
static void test_retention(void) {
  mot_engine* engine = NULL;
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  uint64_t removed = 99;
  char db[512], snapshot[530];
  snprintf(db, sizeof db, "%s", temp_path("retention.db"));
  snprintf(snapshot, sizeof snapshot, "%s-snapshot", db);

  CHECK_FAILS(mot_retention_apply(&removed, NULL), MOT_EINVALID, "engine");
  CHECK(removed == 0);
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  record_journey(engine, "zebulon");
  CHECK_FAILS(mot_retention_apply(&removed, engine), MOT_EINVALID,
              "retention_days");
  mot_engine_close(engine);

  opts.retention_days = 100000; /* nothing that old */
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK(mot_retention_apply(&removed, engine) == MOT_OK);
  CHECK(removed == 0);
  CHECK(mot_engine_snapshot(engine) == MOT_OK);
  mot_engine_close(engine);

  opts.retention_days = 30;
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK(mot_retention_apply(&removed, engine) == MOT_OK);
  CHECK(removed == 4);
  CHECK(mot_context_summary_get(&summary, engine, "zebulon", 0) == MOT_OK);
  CHECK(summary.known == 0);
  CHECK(!file_has(snapshot, "zebulon"));
  CHECK(mot_retention_apply(NULL, engine) == MOT_OK);
  mot_engine_close(engine);

  opts.read_only = 1;
  CHECK(mot_engine_open(&engine, db, &opts) == MOT_OK);
  CHECK_FAILS(mot_retention_apply(&removed, engine), MOT_EINVALID,
              "read-only");
  mot_engine_close(engine);
}

/* Copies the decision id out of a Decision in JSON. */
static void decision_id(const mot_buf* buf, char* id, size_t size) {
  const char* key = "\"decision_id\":\"";
  const char* start = strstr((const char*)buf->data, key);
  size_t n = 0;
  id[0] = '\0';
  CHECK(start != NULL);
  if (start == NULL) return;
  start += strlen(key);
  while (start[n] != '"' && start[n] != '\0' && n + 1 < size) ++n;
  memcpy(id, start, n);
  id[n] = '\0';
}

static void test_ruleset_load(void) {
  mot_engine* engine = open_memory();
  mot_buf buf = {NULL, 0};
  const char* syntax = "actions {\n  id: \"a\"\n  title: \n}\n";
  const char* unknown_action =
      "actions { id: \"a\" }\n"
      "playbooks { name: \"p\"\n"
      "  rules { action: \"nope\" } }\n";
  const char* bad_condition =
      "actions { id: \"a\" }\n"
      "playbooks { name: \"p\"\n"
      "  rules { action: \"a\" eligibility: \"shopper.tier == 'gold'\" } }\n";
  const char* json = "{\"version\": \"j1\", \"actions\": [{\"id\": \"a\"}]}";

  /* No ruleset yet: deciding is refused, and says why. */
  CHECK_FAILS(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "no ruleset");
  CHECK(buf.data == NULL);

  CHECK_FAILS(mot_ruleset_load(NULL, kRuleset, strlen(kRuleset), NULL),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_ruleset_load(engine, NULL, 4, NULL), MOT_EINVALID,
              "data is NULL");
  CHECK_FAILS(mot_ruleset_load(engine, syntax, strlen(syntax), "r.textproto"),
              MOT_EPARSE, "r.textproto:4:1:");
  CHECK_FAILS(mot_ruleset_load(engine, syntax, strlen(syntax), NULL),
              MOT_EPARSE, "ruleset:4:1:");
  CHECK_FAILS(mot_ruleset_load(engine, unknown_action, strlen(unknown_action),
                               "r.textproto"),
              MOT_EINVALID, "playbooks[0].rules[0].action");
  CHECK(strstr(mot_error_last(), "r.textproto:3:") != NULL);
  CHECK(strstr(mot_error_last(), "nope") != NULL);
  CHECK_FAILS(mot_ruleset_load(engine, bad_condition, strlen(bad_condition),
                               "r.textproto"),
              MOT_EINVALID, "playbooks[0].rules[0].eligibility");
  CHECK(strstr(mot_error_last(), "r.textproto:3:") != NULL);
  /* None of them loaded. */
  CHECK_FAILS(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "no ruleset");

  CHECK(mot_ruleset_load(engine, kRuleset, strlen(kRuleset), "t1.textproto") ==
        MOT_OK);
  CHECK(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"ruleset_version\":\"t1\""));
  mot_buf_dispose(&buf);

  /* A failed load keeps the old ruleset. */
  CHECK_FAILS(mot_ruleset_load(engine, unknown_action, strlen(unknown_action),
                               "r.textproto"),
              MOT_EINVALID, "nope");
  CHECK(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"ruleset_version\":\"t1\""));
  mot_buf_dispose(&buf);

  /* Checking says what loading would, and loads nothing. */
  CHECK_FAILS(mot_ruleset_check(NULL, json, strlen(json), NULL), MOT_EINVALID,
              "engine");
  CHECK_FAILS(mot_ruleset_check(engine, NULL, 4, NULL), MOT_EINVALID,
              "data is NULL");
  CHECK_FAILS(mot_ruleset_check(engine, syntax, strlen(syntax), "c.textproto"),
              MOT_EPARSE, "c.textproto:4:1:");
  CHECK_FAILS(mot_ruleset_check(engine, bad_condition, strlen(bad_condition),
                                NULL),
              MOT_EINVALID, "ruleset:3:");
  CHECK(mot_ruleset_check(engine, json, strlen(json), "r.json") == MOT_OK);
  CHECK(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"ruleset_version\":\"t1\""));
  mot_buf_dispose(&buf);

  /* JSON, and a replacement: the next decision uses it. */
  CHECK(mot_ruleset_load(engine, json, strlen(json), "r.json") == MOT_OK);
  CHECK(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"ruleset_version\":\"j1\""));
  mot_buf_dispose(&buf);
  CHECK_FAILS(mot_ruleset_load(engine, "{\"actions\": 3}", 14, "r.json"),
              MOT_EPARSE, "r.json");
  mot_engine_close(engine);
}

static void test_ruleset_at_open(void) {
  mot_engine* engine = (mot_engine*)&engine;
  mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
  mot_buf buf = {NULL, 0};

  opts.ruleset = "actions { id: \"a\" }\nplaybooks { rules { action: 3 } }";
  opts.ruleset_origin = "open.textproto";
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EPARSE,
              "open.textproto:2:");
  CHECK(engine == NULL);
  opts.ruleset = "playbooks { name: \"p\" rules { action: \"nope\" } }";
  opts.ruleset_origin = NULL;
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &opts), MOT_EINVALID,
              "ruleset:1:");
  CHECK(engine == NULL);

  engine = open_with_rules();
  CHECK(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"ruleset_version\":\"t1\""));
  mot_buf_dispose(&buf);
  mot_engine_close(engine);

  /* A caller built against 0.2 has no ruleset fields: what lies beyond its
   * struct is not read. */
  opts = (mot_engine_options)MOT_ENGINE_OPTIONS_INIT;
  opts.struct_size = (uint32_t)offsetof(mot_engine_options, ruleset);
  opts.ruleset = "not a ruleset";
  CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
  CHECK_FAILS(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "no ruleset");
  mot_engine_close(engine);
}

/* Journey maps: a customer's picture, and the figures of all. */
static void test_journeys(void) {
  mot_engine* engine = NULL;
  mot_buf buf = {NULL, 0};
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  record_journey(engine, "c1");
  CHECK_FAILS(mot_journey_svg(NULL, engine, "c1", 0, 0), MOT_EINVALID, "out");
  CHECK_FAILS(mot_journey_svg(&buf, engine, NULL, 0, 0), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_journey_svg(&buf, engine, "", 0, 0), MOT_EINVALID,
              "customer_id");
  CHECK(mot_journey_svg(&buf, engine, "c1", 0, 0) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "Journey of c1: 4 events") != NULL);
  mot_buf_dispose(&buf);
  CHECK(mot_journeys_get(&buf, engine, 0, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "\"customers\":\"1\"") != NULL);
  mot_buf_dispose(&buf);
  CHECK(mot_journeys_get(&buf, engine, 0, 0, MOT_FORMAT_SVG) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "Journey map: 1 customers") != NULL);
  mot_buf_dispose(&buf);
  CHECK_FAILS(mot_journeys_get(&buf, engine, 0, 0, MOT_FORMAT_CSV),
              MOT_EINVALID, "_SVG");
  CHECK_FAILS(mot_journeys_get(&buf, NULL, 0, 0, MOT_FORMAT_JSON),
              MOT_EINVALID, "engine");
  mot_engine_close(engine);
}

/* The journey map of a segment: the customers whose context the expression
 * holds for. */
static void test_journeys_segment(void) {
  mot_engine* engine = NULL;
  mot_buf buf = {NULL, 0};
  mot_journeys_options opts = MOT_JOURNEYS_OPTIONS_INIT;
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  record_journey(engine, "c1");
  record_journey(engine, "c2");
  opts.segment = "customer.id == 'c2' && customer.nps < 5";
  CHECK(mot_journeys_get_v2(&buf, engine, &opts) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "\"customers\":\"1\"") != NULL);
  CHECK(strstr((const char*)buf.data, "\"segment\":\"customer.id ==") !=
        NULL);
  mot_buf_dispose(&buf);
  opts.format = MOT_FORMAT_SVG;
  CHECK(mot_journeys_get_v2(&buf, engine, &opts) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "(segment customer.id ==") != NULL);
  mot_buf_dispose(&buf);
  /* Refused before any work, where the checker finds the fault. */
  opts.segment = "customer.strikes >= 'two'";
  CHECK_FAILS(mot_journeys_get_v2(&buf, engine, &opts), MOT_EINVALID,
              "segment: line 1, column");
  opts.segment = "customer.strikes >=";
  CHECK_FAILS(mot_journeys_get_v2(&buf, engine, &opts), MOT_EPARSE,
              "segment");
  opts.segment = "customer.strikes";
  CHECK_FAILS(mot_journeys_get_v2(&buf, engine, &opts), MOT_EINVALID,
              "must be a bool");
  opts.segment = NULL;
  opts.on_progress = stop_at_once;
  CHECK_FAILS(mot_journeys_get_v2(&buf, engine, &opts), MOT_ECANCELED,
              "stopped");
  /* NULL options: every customer, as JSON. */
  CHECK(mot_journeys_get_v2(&buf, engine, NULL) == MOT_OK);
  CHECK(buf.data != NULL &&
        strstr((const char*)buf.data, "\"customers\":\"2\"") != NULL);
  mot_buf_dispose(&buf);
  opts.struct_size = 0;
  CHECK_FAILS(mot_journeys_get_v2(&buf, engine, &opts), MOT_EINVALID,
              "struct_size");
  CHECK(mot_journeys_options_init(&opts, sizeof opts) == MOT_OK);
  CHECK(opts.format == MOT_FORMAT_JSON && opts.segment == NULL);
  mot_engine_close(engine);
}

/* The what-if replay of the test ruleset against none, over one journey. */
static void test_whatif(void) {
  mot_engine* engine = NULL;
  mot_buf report = {NULL, 0};
  mot_whatif_options opts = MOT_WHATIF_OPTIONS_INIT;
  CHECK(mot_engine_open(&engine, ":memory:", NULL) == MOT_OK);
  record_journey(engine, "c1");
  CHECK_FAILS(mot_whatif_run(NULL, engine, kRuleset, NULL), MOT_EINVALID,
              "report");
  CHECK_FAILS(mot_whatif_run(&report, NULL, kRuleset, NULL), MOT_EINVALID,
              "engine");
  CHECK_FAILS(mot_whatif_run(&report, engine, NULL, NULL), MOT_EINVALID,
              "ruleset");
  opts.origin = "new.textproto";
  CHECK_FAILS(mot_whatif_run(&report, engine, "playbooks {", &opts),
              MOT_EPARSE, "new.textproto");
  opts.format = MOT_FORMAT_CSV;
  CHECK_FAILS(mot_whatif_run(&report, engine, kRuleset, &opts), MOT_EINVALID,
              "format");
  opts.format = MOT_FORMAT_JSON;
  CHECK(mot_whatif_run(&report, engine, kRuleset, &opts) == MOT_OK);
  CHECK(report.data != NULL &&
        strstr((const char*)report.data, "\"decisions\"") != NULL);
  CHECK(strstr((const char*)report.data, "\"top_gained\"") != NULL);
  mot_buf_dispose(&report);
  opts.on_progress = stop_at_once;
  CHECK_FAILS(mot_whatif_run(&report, engine, kRuleset, &opts), MOT_ECANCELED,
              "stopped");
  CHECK(mot_whatif_options_init(&opts, sizeof opts) == MOT_OK);
  CHECK(opts.format == MOT_FORMAT_JSON && opts.against == NULL);
  mot_engine_close(engine);
}

static void test_decide(void) {
  mot_engine* engine = open_with_rules();
  mot_buf buf = {NULL, 0};
  mot_buf again = {NULL, 0};
  mot_situation s = MOT_SITUATION_INIT;
  record_journey(engine, "c1"); /* 2 strikes by March 5 */

  CHECK_FAILS(mot_decide(NULL, engine, "c1", NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "out");
  CHECK_FAILS(mot_decide(&buf, NULL, "c1", NULL, MOT_FORMAT_JSON), MOT_EINVALID,
              "engine");
  CHECK_FAILS(mot_decide(&buf, engine, NULL, NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "customer_id");
  CHECK_FAILS(mot_decide(&buf, engine, "", NULL, MOT_FORMAT_JSON), MOT_EINVALID,
              "customer_id");
  CHECK_FAILS(mot_decide(&buf, engine, "c1", NULL, MOT_FORMAT_CSV),
              MOT_EINVALID, "format");
  s.channel = 99;
  CHECK_FAILS(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON), MOT_EINVALID,
              "channel");
  s.channel = MOT_CHANNEL_VOICE;
  s.direction = 7;
  CHECK_FAILS(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON), MOT_EINVALID,
              "direction");
  s.direction = MOT_DIRECTION_INBOUND;
  s.struct_size = 0;
  CHECK_FAILS(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON), MOT_EINVALID,
              "struct_size");
  s.struct_size = sizeof s + 8;
  CHECK_FAILS(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON), MOT_EVERSION,
              "struct_size");
  s.struct_size = sizeof s;
  CHECK(buf.data == NULL && buf.size == 0);

  /* A billing call: the apology first (tier 10), then the survey; the
   * upgrade is unsuitable after bad experiences, and the trace says so. */
  buf = decide_json(engine, "c1", MARCH_5_US);
  CHECK(buf.size == strlen((const char*)buf.data));
  CHECK(json_has(&buf, "\"customer_id\":\"c1\""));
  CHECK(json_has(&buf, "\"ruleset_version\":\"t1\""));
  CHECK(json_has(&buf, "\"time\":\"2025-03-05T00:00:00Z\""));
  CHECK(json_has(&buf, "\"action\":\"apology\""));
  CHECK(json_has(&buf, "\"script\":\"Sorry, there.\""));
  CHECK(json_has(&buf, "2 bad experiences"));
  CHECK(json_has(&buf, "\"action\":\"survey\""));
  CHECK(strstr((const char*)buf.data, "\"action\":\"apology\"") <
        strstr((const char*)buf.data, "\"action\":\"survey\""));
  CHECK(json_has(&buf, "\"stage\":\"suitability\""));
  CHECK(json_has(&buf, "\"playbooks\":[\"billing_call\"]"));
  /* Deterministic: the same situation, the same decision, id included. */
  again = decide_json(engine, "c1", MARCH_5_US);
  CHECK(again.size == buf.size && memcmp(again.data, buf.data, buf.size) == 0);
  mot_buf_dispose(&again);
  mot_buf_dispose(&buf);

  /* Another topic: no playbook matches, nothing to do. */
  s.topic = "delivery";
  s.time_us = MARCH_5_US;
  CHECK(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(!json_has(&buf, "\"actions\""));
  CHECK(!json_has(&buf, "billing_call"));
  mot_buf_dispose(&buf);
  /* Outbound: the playbook plans inbound calls only. */
  s.topic = "billing";
  s.direction = MOT_DIRECTION_OUTBOUND;
  CHECK(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(!json_has(&buf, "billing_call"));
  mot_buf_dispose(&buf);
  /* Direction 0 is inbound, as a NULL situation is. */
  s.direction = MOT_DIRECTION_UNSPECIFIED;
  s.max_results = 1;
  CHECK(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"action\":\"apology\""));
  CHECK(json_has(&buf, "\"stage\":\"max_results\""));
  mot_buf_dispose(&buf);
  /* As of before the bad experiences: the apology is not eligible. */
  s.max_results = 0;
  s.time_us = MARCH_5_US - 60 * DAY_US;
  CHECK(mot_decide(&buf, engine, "c1", &s, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(json_has(&buf, "\"stage\":\"eligibility\""));
  CHECK(json_has(&buf, "\"action\":\"upgrade\""));
  mot_buf_dispose(&buf);

  /* Protobuf: field 1, the decision id, comes first. An unknown customer
   * is decided for, with an empty context. */
  CHECK(mot_decide(&buf, engine, "nobody", NULL, MOT_FORMAT_PROTOBUF) ==
        MOT_OK);
  CHECK(buf.size > 10 && buf.data[0] == 0x0a);
  mot_buf_dispose(&buf);
  mot_engine_close(engine);
}

static void test_feedback(void) {
  mot_engine* engine = open_with_rules();
  mot_buf buf = {NULL, 0};
  char id[128];

  /* A customer without bad experiences is offered the upgrade. */
  buf = decide_json(engine, "c5", MARCH_5_US);
  CHECK(json_has(&buf, "\"action\":\"upgrade\""));
  decision_id(&buf, id, sizeof id);
  CHECK(strlen(id) > 0);
  mot_buf_dispose(&buf);

  CHECK_FAILS(mot_feedback(NULL, "c5", id, "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_feedback(engine, NULL, id, "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "customer_id");
  CHECK_FAILS(mot_feedback(engine, "", id, "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "customer_id");
  CHECK_FAILS(mot_feedback(engine, "c5", "", "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "decision_id");
  CHECK_FAILS(mot_feedback(engine, "c5", NULL, "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "decision_id");
  CHECK_FAILS(mot_feedback(engine, "c5", id, NULL, MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "action_id");
  CHECK_FAILS(mot_feedback(engine, "c5", id, "", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "action");
  CHECK_FAILS(mot_feedback(engine, "c5", id, "upgrade", 9, MOT_CHANNEL_VOICE,
                           MARCH_5_US),
              MOT_EINVALID, "outcome");
  CHECK_FAILS(mot_feedback(engine, "c5", id, "upgrade", 0, MOT_CHANNEL_VOICE,
                           MARCH_5_US),
              MOT_EINVALID, "outcome");
  CHECK_FAILS(mot_feedback(engine, "c5", id, "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_COUNT, MARCH_5_US),
              MOT_EINVALID, "channel");

  /* Offered, then accepted: one offer, which the cap of one in 30 days
   * counts, so the next billing call does not offer it again. */
  CHECK(mot_feedback(engine, "c5", id, "upgrade", MOT_FEEDBACK_OFFERED,
                     MOT_CHANNEL_VOICE, MARCH_5_US + 60000000LL) == MOT_OK);
  CHECK(mot_feedback(engine, "c5", id, "upgrade", MOT_FEEDBACK_OFFERED,
                     MOT_CHANNEL_VOICE,
                     MARCH_5_US + 60000000LL) == MOT_OK); /* a duplicate */
  CHECK(mot_feedback(engine, "c5", id, "upgrade", MOT_FEEDBACK_ACCEPTED,
                     MOT_CHANNEL_VOICE, MARCH_5_US + 120000000LL) == MOT_OK);
  buf = decide_json(engine, "c5", MARCH_5_US + DAY_US);
  CHECK(json_has(&buf, "\"stage\":\"cap\""));
  CHECK(json_has(&buf, "\"action\":\"survey\""));
  mot_buf_dispose(&buf);
  /* After the window, it is offered again. */
  buf = decide_json(engine, "c5", MARCH_5_US + 31 * DAY_US);
  CHECK(!json_has(&buf, "\"stage\":\"cap\""));
  mot_buf_dispose(&buf);

  /* The feedback is an event of the customer's, in the log. */
  {
    mot_timeline_options t = MOT_TIMELINE_OPTIONS_INIT;
    t.format = MOT_FORMAT_JSON;
    CHECK(mot_timeline_get(&buf, engine, "c5", &t) == MOT_OK);
    CHECK(json_has(&buf, "accepted"));
    mot_buf_dispose(&buf);
  }
  mot_engine_close(engine);
}

static const char* const kSurvey =
    "{\"event_id\":\"%s\",\"customer_id\":\"%s\",\"type\":\"survey\","
    "\"channel\":\"email\",\"occurred_at\":\"2025-03-04T08:%02d:00Z\","
    "\"nps\":%d}";

/* Records a survey answer, each a minute after the one before. */
static void record_survey(mot_engine* engine, const char* event_id,
                          const char* customer, int nps) {
  static int minute = 0;
  char event[512];
  snprintf(event, sizeof event, kSurvey, event_id, customer, minute++ % 60,
           nps);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, event, strlen(event)) ==
        MOT_OK);
}

/* Counts alerts in an AlertList in JSON. */
static int count_alerts(const mot_buf* buf) {
  int n = 0;
  const char* p = (const char*)buf->data;
  while (p != NULL && (p = strstr(p, "\"raised_at\"")) != NULL) {
    ++n;
    ++p;
  }
  return n;
}

struct received {
  int count;
  int freed;
  char last[1024];
};

static void free_received(void* user_data) {
  ++((struct received*)user_data)->freed;
}

static void on_alert(void* user_data, const uint8_t* alert, size_t size) {
  struct received* r = (struct received*)user_data;
  CHECK(alert != NULL && size > 0 && strlen((const char*)alert) == size);
  ++r->count;
  snprintf(r->last, sizeof r->last, "%s", (const char*)alert);
}

static void test_alerts(void) {
  mot_engine* engine = open_with_rules();
  mot_buf buf = {NULL, 0};
  mot_engine_stats st = MOT_ENGINE_STATS_INIT;
  struct received received;
  memset(&received, 0, sizeof received);

  CHECK_FAILS(mot_alerts_poll(NULL, engine, 0, MOT_FORMAT_JSON), MOT_EINVALID,
              "out");
  CHECK_FAILS(mot_alerts_poll(&buf, NULL, 0, MOT_FORMAT_JSON), MOT_EINVALID,
              "engine");
  CHECK_FAILS(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_CSV), MOT_EINVALID,
              "format");
  CHECK_FAILS(mot_alerts_set_callback(NULL, on_alert, NULL, NULL, MOT_FORMAT_JSON),
              MOT_EINVALID, "engine");
  CHECK_FAILS(mot_alerts_set_callback(engine, on_alert, NULL, NULL, 42), MOT_EINVALID,
              "format");

  /* Nothing yet: an empty list. */
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(buf.data != NULL && count_alerts(&buf) == 0);
  mot_buf_dispose(&buf);

  /* A detractor's survey turns the proactive rule on: one alert. */
  record_survey(engine, "s1", "c1", 3);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.alerts_raised == 1 && st.alerts_queued == 1);
  CHECK(st.alerts_dropped == 0);
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 1);
  CHECK(json_has(&buf, "\"customer_id\":\"c1\""));
  CHECK(json_has(&buf, "\"playbook\":\"detractor\""));
  CHECK(json_has(&buf, "\"action\":\"callback\""));
  CHECK(json_has(&buf, "NPS 3"));
  CHECK(json_has(&buf, "\"event_id\":\"s1\""));
  mot_buf_dispose(&buf);
  /* Taken once. */
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 0);
  mot_buf_dispose(&buf);
  /* Still a detractor: no new edge, no new alert. */
  record_survey(engine, "s2", "c1", 2);
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 0);
  mot_buf_dispose(&buf);
  /* A promoter turns it off; a detractor again turns it on again. */
  record_survey(engine, "s3", "c1", 9);
  record_survey(engine, "s4", "c1", 1);
  record_survey(engine, "s5", "c2", 0);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.alerts_raised == 3 && st.alerts_queued == 2);
  /* max: one at a time, oldest first; protobuf. */
  CHECK(mot_alerts_poll(&buf, engine, 1, MOT_FORMAT_PROTOBUF) == MOT_OK);
  CHECK(buf.size > 10 && buf.data[0] == 0x0a); /* field 1, alerts */
  CHECK(memchr(buf.data, 's', buf.size) != NULL);
  mot_buf_dispose(&buf);
  CHECK(mot_alerts_poll(&buf, engine, 1, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 1 && json_has(&buf, "\"customer_id\":\"c2\""));
  mot_buf_dispose(&buf);

  /* A callback receives them instead, each once; those already waiting go
   * to it when it is registered. */
  record_survey(engine, "s6", "c3", 4);
  CHECK(mot_alerts_set_callback(engine, on_alert, &received, free_received,
                                MOT_FORMAT_JSON) == MOT_OK);
  CHECK(received.count == 1 && strstr(received.last, "\"c3\"") != NULL);
  record_survey(engine, "s7", "c4", 5);
  CHECK(received.count == 2 && strstr(received.last, "\"c4\"") != NULL);
  CHECK(strstr(received.last, "\"playbook\":\"detractor\"") != NULL);
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 0);
  mot_buf_dispose(&buf);
  /* Feedback is an event too: it evaluates the rules (no edge here). */
  CHECK(mot_feedback(engine, "c4", "d1", "callback", MOT_FEEDBACK_ACCEPTED,
                     MOT_CHANNEL_VOICE, 0) == MOT_OK);
  CHECK(received.count == 2);

  /* Unregistered: they queue again, and the user data is released once. */
  CHECK(received.freed == 0);
  CHECK(mot_alerts_set_callback(engine, NULL, NULL, NULL, 0) == MOT_OK);
  CHECK(received.freed == 1);
  record_survey(engine, "s8", "c6", 6);
  CHECK(received.count == 2);
  CHECK(mot_alerts_poll(&buf, engine, 0, MOT_FORMAT_JSON) == MOT_OK);
  CHECK(count_alerts(&buf) == 1 && json_has(&buf, "\"customer_id\":\"c6\""));
  mot_buf_dispose(&buf);
  CHECK(mot_engine_stats_get(&st, engine) == MOT_OK);
  CHECK(st.alerts_raised == 6 && st.alerts_queued == 0);
  CHECK(st.alerts_dropped == 0);
  /* A callback still registered at close has its user data released then;
   * a registration that fails keeps it with the caller. */
  CHECK(mot_alerts_set_callback(engine, on_alert, &received, free_received,
                                42) == MOT_EINVALID);
  CHECK(received.freed == 1);
  CHECK(mot_alerts_set_callback(engine, on_alert, &received, free_received,
                                MOT_FORMAT_JSON) == MOT_OK);
  mot_engine_close(engine);
  CHECK(received.freed == 2);
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

/* Overwrites a 4-byte field of a closed database's header, big-endian as
 * SQLite stores them: offset 60 is user_version (the schema), 68
 * application_id. */
static void patch_header(const char* path, long offset, uint32_t value) {
  unsigned char bytes[4];
  FILE* f = fopen(path, "r+b");
  CHECK(f != NULL);
  if (f == NULL) return;
  bytes[0] = (unsigned char)(value >> 24);
  bytes[1] = (unsigned char)(value >> 16);
  bytes[2] = (unsigned char)(value >> 8);
  bytes[3] = (unsigned char)value;
  CHECK(fseek(f, offset, SEEK_SET) == 0);
  CHECK(fwrite(bytes, 1, 4, f) == 4);
  fclose(f);
}

/* The error paths the header documents that the tests above leave out. */
static void test_documented_errors(void) {
  mot_engine* engine = (mot_engine*)&engine;
  mot_engine* reader = NULL;
  mot_engine_options ro = MOT_ENGINE_OPTIONS_INIT;
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  mot_ingest_options io = MOT_INGEST_OPTIONS_INIT;
  mot_timeline_options to = MOT_TIMELINE_OPTIONS_INIT;
  mot_engine_stats st = MOT_ENGINE_STATS_INIT;
  mot_buf buf = {NULL, 0};
  char db[512], path[512];
  ro.read_only = 1;

  /* _init: every size a struct never had. */
  CHECK_FAILS(mot_ingest_options_init(&io, sizeof io + 8), MOT_EVERSION,
              "struct_size");
  CHECK_FAILS(mot_timeline_options_init(&to, 2), MOT_EINVALID, "struct_size");
  CHECK_FAILS(mot_engine_stats_init(&st, sizeof st + 8), MOT_EVERSION,
              "struct_size");

  /* Opening: an empty path, a read-only database in memory, a read-only
   * open of an empty file, a newer schema, an older one read-only, and an
   * SQLite database of another application. */
  CHECK_FAILS(mot_engine_open(&engine, "", NULL), MOT_EINVALID, "empty");
  CHECK(engine == NULL);
  CHECK_FAILS(mot_engine_open(&engine, ":memory:", &ro), MOT_EINVALID,
              ":memory:");
  write_file(temp_path("empty.db"), "");
  CHECK_FAILS(mot_engine_open(&engine, temp_path("empty.db"), &ro),
              MOT_ENOTFOUND, "no motive log");
  snprintf(db, sizeof db, "%s", temp_path("newer.db"));
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  mot_engine_close(engine);
  patch_header(db, 60, 99);
  CHECK_FAILS(mot_engine_open(&engine, db, NULL), MOT_EVERSION, "newer");
  CHECK(engine == NULL);
  patch_header(db, 60, 1);
  CHECK_FAILS(mot_engine_open(&engine, db, &ro), MOT_EVERSION, "migrating");
  patch_header(db, 68, 0x12345678);
  CHECK_FAILS(mot_engine_open(&engine, db, NULL), MOT_ECORRUPT,
              "another application");
  CHECK(engine == NULL);

  /* A read-only engine refuses every write, ingest included. */
  snprintf(db, sizeof db, "%s", temp_path("errors.db"));
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  record_journey(engine, "c1");
  mot_engine_close(engine);
  CHECK(mot_engine_open(&reader, db, &ro) == MOT_OK);
  io.format = MOT_FORMAT_JSONL;
  CHECK_FAILS(mot_ingest_buffer(&report, reader, kEventJson,
                                strlen(kEventJson), &io),
              MOT_EINVALID, "read-only");
  CHECK(report.accepted == 0);
  CHECK_FAILS(mot_feedback(reader, "c1", "d1", "survey", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "read-only");
  CHECK_FAILS(mot_engine_snapshot(reader), MOT_EINVALID, "read-only");
  mot_engine_close(reader);

  engine = open_memory();
  /* Ingest: the options' and the report's struct_size. */
  snprintf(path, sizeof path, "%s", temp_path("one.jsonl"));
  write_file(path, kEventJson);
  io.struct_size = 0;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, kEventJson,
                                strlen(kEventJson), &io),
              MOT_EINVALID, "struct_size");
  io.struct_size = sizeof io + 8;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, kEventJson,
                                strlen(kEventJson), &io),
              MOT_EVERSION, "older than the header");
  CHECK_FAILS(mot_ingest_file(&report, engine, path, &io), MOT_EVERSION,
              "older than the header");
  io.struct_size = sizeof io;
  report.struct_size = sizeof report + 8;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, kEventJson,
                                strlen(kEventJson), &io),
              MOT_EVERSION, "MOT_INGEST_REPORT_INIT");
  report.struct_size = sizeof report;
  /* A file that opens but cannot be read: a directory. */
  CHECK_FAILS(mot_ingest_file(&report, engine, temp_dir, &io), MOT_EIO,
              "reading");
  CHECK(report.accepted == 0);

  /* The timeline options' struct_size. */
  to.struct_size = 0;
  CHECK_FAILS(mot_timeline_get(&buf, engine, "c1", &to), MOT_EINVALID,
              "struct_size");
  to.struct_size = sizeof to + 8;
  CHECK_FAILS(mot_timeline_get(&buf, engine, "c1", &to), MOT_EVERSION,
              "older than the header");
  CHECK(buf.data == NULL);

  /* Stats: struct_size unset; a NULL engine zeroes the rest. */
  st.struct_size = 0;
  CHECK_FAILS(mot_engine_stats_get(&st, engine), MOT_EINVALID, "struct_size");
  st.struct_size = sizeof st;
  st.customers = 7;
  st.snapshot_note = "stale";
  CHECK_FAILS(mot_engine_stats_get(&st, NULL), MOT_EINVALID, "engine");
  CHECK(st.struct_size == sizeof st && st.customers == 0);
  CHECK(st.snapshot_note == NULL);

  /* A metric's filter: a syntax error is a parse error, a type error is
   * not. */
  {
    const char* syntax =
        "metrics { name: \"m\" aggregation: COUNT window: \"30d\"\n"
        "  filter: \"event.channel ==\" }";
    const char* types =
        "metrics { name: \"m\" aggregation: COUNT window: \"30d\"\n"
        "  filter: \"shopper.tier == 'gold'\" }";
    CHECK_FAILS(mot_context_config_load(engine, syntax, strlen(syntax)),
                MOT_EPARSE, "metric m: filter");
    CHECK_FAILS(mot_context_config_load(engine, types, strlen(types)),
                MOT_EINVALID, "metric m: filter");
  }

  /* Expressions: the variables' arrays, names; and an output left empty,
   * overwritten without being freed. */
  {
    static uint8_t junk[1];
    const char* one[] = {"1"};
    const char* null_name[] = {NULL};
    const char* empty_name[] = {""};
    const char* twice[] = {"n", "n"};
    const char* two[] = {"1", "2"};
    mot_buf type = {junk, 1};
    CHECK_FAILS(mot_expr_check(&type, engine, "shopper.tier"), MOT_EINVALID,
                "shopper");
    CHECK(type.data == NULL && type.size == 0);
    CHECK_FAILS(mot_expr_eval(&buf, "1", NULL, one, 1), MOT_EINVALID,
                "names or values");
    CHECK_FAILS(mot_expr_eval(&buf, "1", null_name, one, 1), MOT_EINVALID,
                "variable 0 is NULL");
    CHECK_FAILS(mot_expr_eval(&buf, "1", empty_name, one, 1), MOT_EINVALID,
                "name");
    CHECK_FAILS(mot_expr_eval(&buf, "n", twice, two, 2), MOT_EINVALID,
                "twice");
    CHECK(buf.data == NULL);
  }

  /* Feedback: an action id that is not one, a time before any journey. */
  CHECK_FAILS(mot_feedback(engine, "c5", "d1", "Upgrade!", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, MARCH_5_US),
              MOT_EINVALID, "action");
  CHECK_FAILS(mot_feedback(engine, "c5", "d1", "upgrade", MOT_FEEDBACK_OFFERED,
                           MOT_CHANNEL_VOICE, 1),
              MOT_EINVALID, "1990");

  /* Unregistering with a user_data_free releases that user data at once,
   * whatever the format. */
  {
    struct received r;
    memset(&r, 0, sizeof r);
    CHECK(mot_alerts_set_callback(engine, NULL, &r, free_received, 42) ==
          MOT_OK);
    CHECK(r.freed == 1);
  }
  mot_engine_close(engine);

  /* A metric in both the ruleset and the context configuration, whichever
   * comes second. */
  {
    mot_engine_options opts = MOT_ENGINE_OPTIONS_INIT;
    const char* rules =
        "actions { id: \"a\" }\n"
        "metrics { name: \"calls\" aggregation: COUNT window: \"30d\" }\n";
    const char* config =
        "metrics { name: \"calls\" aggregation: COUNT window: \"7d\" }\n";
    opts.ruleset = rules;
    CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
    CHECK_FAILS(mot_context_config_load(engine, config, strlen(config)),
                MOT_EINVALID, "calls");
    mot_engine_close(engine);
    opts.ruleset = NULL;
    opts.context_config = config;
    CHECK(mot_engine_open(&engine, ":memory:", &opts) == MOT_OK);
    CHECK_FAILS(mot_ruleset_load(engine, rules, strlen(rules), "r.textproto"),
                MOT_EINVALID, "calls");
    mot_engine_close(engine);
  }
}

/* A database has one writer: a second gets MOT_EBUSY at open, naming the
 * holder; readers open beside it. */
static void test_busy(void) {
  mot_engine* holder = NULL;
  mot_engine* engine = NULL;
  mot_engine_options reader = MOT_ENGINE_OPTIONS_INIT;
  mot_ingest_options io = MOT_INGEST_OPTIONS_INIT;
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  int32_t stored = -1;
  char db[512];
  const char* other =
      "{\"event_id\":\"e9\",\"customer_id\":\"c9\",\"type\":\"contact\","
      "\"occurred_at\":\"2025-03-01T10:00:00Z\"}";

  snprintf(db, sizeof db, "%s", temp_path("busy.db"));
  CHECK(mot_engine_open(&holder, db, NULL) == MOT_OK);
  CHECK(mot_event_record(NULL, holder, MOT_FORMAT_JSON, kEventJson,
                         strlen(kEventJson)) == MOT_OK);
  /* One writer at a time: a second is refused, naming the holder. */
  CHECK_FAILS(mot_engine_open(&engine, db, NULL), MOT_EBUSY,
              "open for writing by another engine (holder pid");
  CHECK(engine == NULL);
  /* Readers are welcome beside it. */
  reader.read_only = 1;
  CHECK(mot_engine_open(&engine, db, &reader) == MOT_OK);
  io.format = MOT_FORMAT_JSONL;
  CHECK_FAILS(mot_ingest_buffer(&report, engine, other, strlen(other), &io),
              MOT_EINVALID, "read-only");
  CHECK(report.accepted == 0);
  mot_engine_close(engine);
  engine = NULL;

  /* Once the holder closes, the next writer opens. */
  mot_engine_close(holder);
  CHECK(mot_engine_open(&engine, db, NULL) == MOT_OK);
  CHECK(mot_event_record(&stored, engine, MOT_FORMAT_JSON, other,
                         strlen(other)) == MOT_OK);
  CHECK(stored == 1);
  mot_engine_close(engine);
}

/* Amazon Connect contact records: two versions of one contact, a record
 * that cannot be mapped, and the same file again. */
static void test_platform_import(void) {
  static const char kCtrs[] =
      "{\"ContactId\": \"c-1\", \"Channel\": \"VOICE\", "
      "\"InitiationTimestamp\": \"2026-01-01T10:00:00Z\", "
      "\"LastUpdateTimestamp\": \"2026-01-01T10:20:00Z\", "
      "\"DisconnectTimestamp\": \"2026-01-01T10:10:00Z\", "
      "\"CustomerEndpoint\": {\"Address\": \"+14155550100\", "
      "\"Type\": \"TELEPHONE_NUMBER\"}, \"Agent\": null}\n"
      "{\"ContactId\": \"c-1\", \"Channel\": \"VOICE\", "
      "\"InitiationTimestamp\": \"2026-01-01T10:00:00Z\", "
      "\"LastUpdateTimestamp\": \"2026-01-01T11:00:00Z\", "
      "\"DisconnectTimestamp\": \"2026-01-01T10:10:00Z\", "
      "\"CustomerEndpoint\": {\"Address\": \"+14155550100\", "
      "\"Type\": \"TELEPHONE_NUMBER\"}, \"Agent\": {\"Username\": "
      "\"jdoe\"}}\n"
      "{\"ContactId\": \"c-2\", \"Channel\": \"VOICE\", "
      "\"InitiationTimestamp\": \"not a time\", "
      "\"CustomerEndpoint\": {\"Address\": \"+14155550100\"}}\n";
  mot_engine* engine = open_memory();
  mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
  mot_ingest_report report = MOT_INGEST_REPORT_INIT;
  mot_ingest_report old_report = MOT_INGEST_REPORT_INIT;
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  char id[MOT_CUSTOMER_ID_MAX + 1];
  int32_t format = 0;

  CHECK(mot_format_from_name(&format, "Connect-CTR") == MOT_OK);
  CHECK(format == MOT_FORMAT_CONNECT_CTR);
  CHECK(mot_format_from_name(&format, "auto") == MOT_OK);
  CHECK(format == MOT_FORMAT_PLATFORM_AUTO);
  CHECK(mot_format_from_name(&format, "jsonl") == MOT_OK);
  CHECK(format == MOT_FORMAT_JSONL);
  CHECK(mot_format_from_name(&format, "five9") == MOT_EINVALID);
  CHECK(strstr(mot_error_last(), "connect-ctr") != NULL);

  opts.format = MOT_FORMAT_CONNECT_CTR;
  CHECK(mot_ingest_buffer(&report, engine, kCtrs, sizeof kCtrs - 1, &opts) ==
        MOT_EREJECTED);
  CHECK(report.records == 3 && report.accepted == 2 && report.rejected == 1);
  CHECK(report.updated == 1 && report.profiles_created == 1);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, "phone",
                             "+14155550100") == MOT_OK);
  CHECK(mot_context_summary_get(&summary, engine, id, 0) == MOT_OK);
  CHECK(summary.events == 1); /* the contact once, as its latest version */

  /* Again: every event a duplicate. A caller of 0.5 gets its three counts. */
  old_report.struct_size = (uint32_t)offsetof(mot_ingest_report, records);
  opts.format = MOT_FORMAT_PLATFORM_AUTO;
  CHECK(mot_ingest_buffer(&old_report, engine, kCtrs, sizeof kCtrs - 1,
                          &opts) == MOT_EREJECTED);
  CHECK(old_report.accepted == 0 && old_report.duplicates == 2);
  CHECK(old_report.rejected == 1);
  CHECK(mot_context_summary_get(&summary, engine, id, 0) == MOT_OK);
  CHECK(summary.events == 1);

  /* A TaskRouter worker's event is about an agent: skipped, not rejected.
   * A report of 0.6's first size gets every count but that one. */
  {
    static const char kWorker[] =
        "{\"EventType\": \"worker.activity.update\", \"WorkspaceSid\": "
        "\"WS1\", \"Timestamp\": \"1714557600\", \"WorkerSid\": "
        "\"WK1\"}\n";
    mot_ingest_report before_skipped = MOT_INGEST_REPORT_INIT;
    opts.format = MOT_FORMAT_TWILIO_TASKROUTER;
    CHECK(mot_ingest_buffer(&report, engine, kWorker, sizeof kWorker - 1,
                            &opts) == MOT_OK);
    CHECK(report.records == 1 && report.skipped == 1 && report.rejected == 0);
    before_skipped.struct_size =
        (uint32_t)offsetof(mot_ingest_report, skipped);
    before_skipped.skipped = 7;
    CHECK(mot_ingest_buffer(&before_skipped, engine, kWorker,
                            sizeof kWorker - 1, &opts) == MOT_OK);
    CHECK(before_skipped.records == 1 && before_skipped.skipped == 7);
  }

  opts.timezone = "Not/AZone";
  CHECK(mot_ingest_buffer(&report, engine, kCtrs, sizeof kCtrs - 1, &opts) ==
        MOT_EINVALID);
  CHECK(strstr(mot_error_last(), "timezone") != NULL);
  mot_engine_close(engine);
}

/* One person by phone, by email and by a CRM id; a switchboard number. */
static void test_identities(void) {
  mot_engine_options eo = MOT_ENGINE_OPTIONS_INIT;
  mot_engine* engine = NULL;
  char id[MOT_CUSTOMER_ID_MAX + 1];
  char small[4];
  size_t length = 99;
  mot_buf profile = {0};
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  const char* namespaces[] = {"email"};
  const char* values[] = {"ana@example.com"};
  static const char kCall[] =
      "{\"type\": \"contact\", \"channel\": \"voice\", "
      "\"occurred_at\": \"2026-01-01T10:00:00Z\", \"identifiers\": "
      "[{\"namespace\": \"phone\", \"value\": \"(415) 555-0100\"}]}";
  static const char kChat[] =
      "{\"type\": \"contact\", \"channel\": \"chat\", "
      "\"occurred_at\": \"2026-01-02T10:00:00Z\", \"identifiers\": "
      "[{\"namespace\": \"email\", \"value\": \"Ana@Example.com\"}, "
      "{\"namespace\": \"phone\", \"value\": \"+14155550100\"}]}";
  static const char kCase[] =
      "{\"customer_id\": \"crm-7\", \"type\": \"contact\", "
      "\"channel\": \"email\", \"occurred_at\": "
      "\"2026-01-03T10:00:00Z\"}";
  eo.identity_config = "default_region: \"US\"";
  CHECK(mot_engine_open(&engine, ":memory:", &eo) == MOT_OK);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, kCall,
                         sizeof kCall - 1) == MOT_OK);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, kChat,
                         sizeof kChat - 1) == MOT_OK);
  CHECK(mot_event_record(NULL, engine, MOT_FORMAT_JSON, kCase,
                         sizeof kCase - 1) == MOT_OK);

  CHECK(mot_identity_resolve(id, sizeof id, &length, engine, "phone",
                             "415-555-0100") == MOT_OK);
  CHECK(id[0] == '~' && length == strlen(id));
  CHECK(mot_identity_resolve(small, sizeof small, &length, engine, "phone",
                             "+14155550100") == MOT_ETOOSMALL);
  CHECK(length == 17);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, "phone",
                             "+19995550100") == MOT_ENOTFOUND);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, NULL, "x") ==
        MOT_EINVALID);

  /* The CRM id joins by hand; the summary answers for all three. */
  CHECK(mot_identity_link(engine, "crm-7", namespaces, values, 1) == MOT_OK);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, "email",
                             " ANA@example.com") == MOT_OK);
  CHECK(strcmp(id, "crm-7") == 0);
  CHECK(mot_context_summary_get(&summary, engine, "crm-7", 0) == MOT_OK);
  CHECK(summary.events == 3);
  CHECK(mot_identity_link(engine, "crm-7", namespaces, values, 0) ==
        MOT_EINVALID);

  CHECK(mot_identity_profile(&profile, engine, "crm-7", MOT_FORMAT_JSON) ==
        MOT_OK);
  CHECK(profile.data != NULL &&
        strstr((const char*)profile.data, "+14155550100") != NULL);
  CHECK(strstr((const char*)profile.data, "identity.merge") != NULL);
  mot_buf_dispose(&profile);

  /* Unlinked, the email no longer ties the phone to crm-7. */
  CHECK(mot_identity_unlink(engine, "email", "ana@example.com") == MOT_OK);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, "phone",
                             "+14155550100") == MOT_OK);
  CHECK(strcmp(id, "crm-7") != 0);
  CHECK(mot_identity_resolve(id, sizeof id, NULL, engine, "email",
                             "ana@example.com") == MOT_EAMBIGUOUS);
  CHECK(strstr(mot_error_last(), "unlinked") != NULL);
  mot_engine_close(engine);

  eo.identity_config = "default_region: \"XX\"";
  CHECK(mot_engine_open(&engine, ":memory:", &eo) != MOT_OK);
  CHECK(strstr(mot_error_last(), "default_region") != NULL);
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
  test_context_summary_many();
  test_context_get();
  test_context_config();
  test_snapshot_and_stats();
  test_customer_erase();
  test_retention();
  test_identities();
  test_platform_import();
  test_ruleset_load();
  test_ruleset_at_open();
  test_decide();
  test_feedback();
  test_alerts();
  test_errors_are_per_thread();
  test_documented_errors();
  test_busy();
  test_cluster_partition();
  test_whatif();
  test_journeys();
  test_journeys_segment();
  test_cluster_options();

  {
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", temp_dir);
    if (system(command) != 0)
      fprintf(stderr, "could not remove %s\n", temp_dir);
  }
  printf("capi_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
