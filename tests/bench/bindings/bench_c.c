/*
 * libmotive_bench_c: the C side of the binding benchmarks (issue 6).
 *
 * The Python and C# benchmarks load this library beside their binding and
 * call it on the very engine handle their binding opened, so that the C
 * baseline runs in the same process, on the same state and at the same time
 * as the binding it is compared with: the machine is too noisy for figures
 * taken in separate runs to be compared.
 *
 * The timed loops are here, in C, and time each call as a C caller makes it:
 * the summary struct initialised per call, the decision's buffer disposed per
 * call. The data set is generated here too, so that both bindings measure the
 * same customers.
 *
 * Not part of the library: no ABI promise, and not installed.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "motive/motive.h"

#if defined(__GNUC__)
#define MOTBENCH_API __attribute__((visibility("default")))
#else
#define MOTBENCH_API
#endif

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The clock every caller may share: C# reads it too, since Mono's
 * Stopwatch ticks in 100 ns, too coarse for calls that take a few hundred. */
MOTBENCH_API int64_t motbench_now_ns(void) { return now_ns(); }

/* Takes what a summary call takes and does nothing: the bare cost of a
 * binding's crossing into C, without motive. */
MOTBENCH_API int motbench_nop(mot_engine* engine, const char* customer_id) {
  (void)engine;
  (void)customer_id;
  return 0;
}

/* The clock's own cost: `calls` pairs of reads with nothing between. */
MOTBENCH_API int motbench_clock(int64_t* out_ns, size_t calls) {
  if (out_ns == NULL) return MOT_EINVALID;
  for (size_t i = 0; i < calls; ++i) {
    int64_t t0 = now_ns();
    int64_t t1 = now_ns();
    out_ns[i] = t1 - t0;
  }
  return MOT_OK;
}

/* mot_context_summary_get() for ids[i % n_ids], i < calls, each timed into
 * out_ns[i]. Stops at the first failure and returns its code. */
MOTBENCH_API int motbench_summary(int64_t* out_ns, mot_engine* engine,
                                  const char* const* ids, size_t n_ids,
                                  size_t calls, int64_t as_of_us) {
  if (out_ns == NULL || ids == NULL || n_ids == 0) return MOT_EINVALID;
  for (size_t i = 0; i < calls; ++i) {
    int64_t t0 = now_ns();
    mot_context_summary s = MOT_CONTEXT_SUMMARY_INIT;
    int rc = mot_context_summary_get(&s, engine, ids[i % n_ids], as_of_us);
    int64_t t1 = now_ns();
    if (rc != MOT_OK) return rc;
    out_ns[i] = t1 - t0;
  }
  return MOT_OK;
}

/* mot_decide() for ids[i % n_ids] in `situation`, as motbench_summary(). The
 * decisions' total size goes to *out_bytes (may be NULL), to show what the
 * bindings have to copy and parse. */
MOTBENCH_API int motbench_decide(int64_t* out_ns, uint64_t* out_bytes,
                                 mot_engine* engine, const char* const* ids,
                                 size_t n_ids, size_t calls,
                                 const mot_situation* situation,
                                 int32_t format) {
  if (out_ns == NULL || ids == NULL || n_ids == 0) return MOT_EINVALID;
  uint64_t bytes = 0;
  for (size_t i = 0; i < calls; ++i) {
    int64_t t0 = now_ns();
    mot_buf buf = {NULL, 0};
    int rc = mot_decide(&buf, engine, ids[i % n_ids], situation, format);
    size_t size = buf.size;
    mot_buf_dispose(&buf);
    int64_t t1 = now_ns();
    if (rc != MOT_OK) return rc;
    out_ns[i] = t1 - t0;
    bytes += size;
  }
  if (out_bytes != NULL) *out_bytes = bytes;
  return MOT_OK;
}

/* How many distinct libmotive files this process has mapped, from
 * /proc/self/maps (-1 when it cannot tell). The comparison only holds when
 * it is 1: with two copies, the binding and this library would not share
 * the library's globals, even on one handle. */
MOTBENCH_API int motbench_motive_copies(void) {
  FILE* maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return -1;
  unsigned long inodes[16];
  int count = 0;
  char line[4096];
  while (fgets(line, sizeof line, maps) != NULL) {
    const char* path = strchr(line, '/');
    if (path == NULL) continue;
    const char* base = strrchr(path, '/') + 1;
    if (strncmp(base, "libmotive.so", 12) != 0) continue;
    unsigned long inode = 0;
    /* address perms offset dev inode path */
    if (sscanf(line, "%*s %*s %*s %*s %lu", &inode) != 1) continue;
    int seen = 0;
    for (int i = 0; i < count; ++i) seen |= inodes[i] == inode;
    if (!seen && count < 16) inodes[count++] = inode;
  }
  fclose(maps);
  return count;
}

/* --- the data set ------------------------------------------------------- */

/* splitmix64: small, and the same sequence on every platform. */
static uint64_t next_random(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15u);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static uint32_t below(uint64_t* state, uint32_t n) {
  return (uint32_t)(next_random(state) % n);
}

/* The id of the index-th customer (0-based) into `out`; returns its length,
 * or the length it needs when `size` is too small (as snprintf). */
MOTBENCH_API int motbench_customer_id(char* out, size_t size, size_t index) {
  return snprintf(out, size, "B%07zu", index + 1);
}

/* Growing text for the generator: data is never NULL, and once an append
 * fails the text is dropped as a whole (failed). */
typedef struct text {
  char* data;
  size_t size, capacity;
  int failed;
} text;

static void append(text* t, const char* format, ...) {
  if (t->failed) return;
  for (;;) {
    va_list args;
    va_start(args, format);
    int n = vsnprintf(t->data + t->size, t->capacity - t->size, format, args);
    va_end(args);
    if (n < 0) {
      t->failed = 1;
      return;
    }
    if ((size_t)n < t->capacity - t->size) {
      t->size += (size_t)n;
      return;
    }
    size_t capacity = t->capacity * 2 + (size_t)n + 1;
    char* data = realloc(t->data, capacity);
    if (data == NULL) {
      t->failed = 1;
      return;
    }
    t->data = data;
    t->capacity = capacity;
  }
}

/* RFC 3339, to the second, of microseconds since the epoch. */
static void rfc3339(char out[32], int64_t us) {
  time_t seconds = (time_t)(us / 1000000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char* const kTopics[] = {
    "billing",      "technical_issue", "delivery_delay", "upgrade",
    "cancellation", "refund",          "account"};
static const char* const kOutcomes[] = {
    "resolved",  "resolved",    "resolved", "unresolved",
    "escalated", "transferred", "abandoned"};
static const char* const kChannels[] = {"voice", "voice", "chat", "email",
                                        "mobile_app"};
static const char* const kPlans[] = {"basic", "plus", "premium"};
static const char* const kNames[] = {"Ana", "Ben",  "Chloe", "Dev",
                                     "Eva", "Femi", "Gus",   "Hana"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Ingests the journeys of `customers` customers (ids motbench_customer_id()
 * 0 to customers - 1) into `engine`, the same for the same `seed`: each has
 * a purchase with the attributes the telecom ruleset reads (plan,
 * first_name, and for a third a contract ending within 90 days), two to
 * seven contacts on the channels and topics of the ruleset (billing for
 * about a quarter, half of all ending badly; the newest in the last two
 * weeks), and for half a survey answer. All within the 125 days before
 * `as_of_us` (0: now), so that the 7-, 30- and 90-day windows hold some, and
 * no event is after it: decisions as of now need no replay.
 * Returns what mot_ingest_buffer() returns; *report (may be NULL) gets its
 * counts. */
MOTBENCH_API int motbench_ingest_journeys(mot_ingest_report* report,
                                          mot_engine* engine, size_t customers,
                                          uint64_t seed, int64_t as_of_us) {
  if (as_of_us == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    as_of_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
  }
  const int64_t day_us = (int64_t)86400 * 1000000;
  /* A minute before the as-of time: the newest event is never after it. */
  const int64_t end_us = as_of_us - 60 * (int64_t)1000000;
  uint64_t state = seed;
  /* A first guess at the size; append() grows it when short. */
  text t = {NULL, 0, customers * 1400 + 1, 0};
  t.data = malloc(t.capacity);
  if (t.data == NULL) return MOT_ENOMEM;
  char id[32], when[32], until[32];
  /* One draw per statement: the order in which a call's arguments are
   * evaluated is unspecified, and the data must not depend on the
   * compiler. */
  for (size_t c = 0; c < customers; ++c) {
    motbench_customer_id(id, sizeof id, c);
    /* The contacts' times, back from the newest (in the last two weeks)
     * by up to 100 days in all; the purchase up to 10 days before. */
    int64_t at[7];
    uint32_t contacts = 2 + below(&state, 6);
    at[contacts - 1] = end_us - (int64_t)below(&state, 14 * 86400) * 1000000;
    for (uint32_t k = contacts - 1; k > 0; --k) {
      uint32_t gap_s = 3600 + below(&state, 100 / contacts * 86400);
      at[k - 1] = at[k] - (int64_t)gap_s * 1000000;
    }
    rfc3339(when, at[0] - (int64_t)(1 + below(&state, 10)) * day_us);
    uint32_t value = 20 + below(&state, 80);
    const char* plan = kPlans[below(&state, COUNT(kPlans))];
    const char* name = kNames[below(&state, COUNT(kNames))];
    append(&t,
           "{\"event_id\":\"%s-p\",\"customer_id\":\"%s\",\"type\":"
           "\"purchase\",\"channel\":\"web\",\"occurred_at\":\"%s\","
           "\"value\":%u,\"currency\":\"EUR\",\"attributes\":{\"plan\":"
           "\"%s\",\"first_name\":\"%s\"",
           id, id, when, value, plan, name);
    if (below(&state, 3) == 0) {
      rfc3339(until, as_of_us + (int64_t)(1 + below(&state, 90)) * day_us);
      append(&t, ",\"contract_end\":\"%s\"", until);
    }
    append(&t, "}}\n");
    for (uint32_t k = 0; k < contacts; ++k) {
      rfc3339(when, at[k]);
      const char* channel = kChannels[below(&state, COUNT(kChannels))];
      const char* topic = below(&state, 5) == 0
                              ? "billing"
                              : kTopics[below(&state, COUNT(kTopics))];
      const char* outcome = kOutcomes[below(&state, COUNT(kOutcomes))];
      /* In hundredths, printed by hand: %f follows the host's locale (Mono
       * sets it from the environment) and may write "0,5", not JSON. */
      int sentiment = (int)below(&state, 201) - 100;
      uint32_t transfers = below(&state, 3);
      uint32_t hold_ms = below(&state, 300) * 1000;
      uint32_t agent = below(&state, 40);
      append(&t,
             "{\"event_id\":\"%s-c%u\",\"customer_id\":\"%s\",\"type\":"
             "\"contact\",\"channel\":\"%s\",\"occurred_at\":\"%s\","
             "\"topic\":\"%s\",\"outcome\":\"%s\",\"sentiment\":%s%d.%02d,"
             "\"transfers\":%u,\"hold_ms\":%u,\"agent_id\":\"a%u\"}\n",
             id, k, id, channel, when, topic, outcome, sentiment < 0 ? "-" : "",
             abs(sentiment) / 100, abs(sentiment) % 100, transfers, hold_ms,
             agent);
    }
    if (below(&state, 2) == 0) {
      rfc3339(when, end_us);
      append(&t,
             "{\"event_id\":\"%s-s\",\"customer_id\":\"%s\",\"type\":"
             "\"survey\",\"channel\":\"survey\",\"occurred_at\":\"%s\","
             "\"nps\":%u}\n",
             id, id, when, below(&state, 11));
    }
  }
  if (t.failed) {
    free(t.data);
    return MOT_ENOMEM;
  }
  mot_ingest_options opts = MOT_INGEST_OPTIONS_INIT;
  opts.format = MOT_FORMAT_JSONL;
  mot_ingest_report counts = MOT_INGEST_REPORT_INIT;
  int rc = mot_ingest_buffer(&counts, engine, t.data, t.size, &opts);
  free(t.data);
  if (report != NULL) *report = counts;
  return rc;
}
