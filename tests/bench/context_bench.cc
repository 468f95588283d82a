// Customer context (src/state): how fast the state answers, what it costs to
// build, hold and reopen, and the same summary from tuned SQLite queries over
// the same events, in the same process, for the ratio.
//
// The data set is datagen's journeys: 1M customers (2,000 with --short), about
// 20 events each (20.05M in all), skewed, decoded and completed
// (model::PrepareEvent) as Engine::Ingest would, streamed customer by customer
// and folded once per process. Queries ask as of one day after the
// generator's year: the live case, no replay.
//
//   Context/memory             the state of every customer: StoreStats, and
//                              the process's RSS growth while it was built.
//   Context/sql_summary        the baseline: the summary's signals from
//                              prepared SQLite queries (see SqlBaseline);
//                              `mismatches` counts the customers of 5,000
//                              where its answer differs from the state's.
//   Context/memory_latency     one dependent miss to memory: a chase through
//                              a random cycle over 1 GiB, about the state's
//                              size (the floor of a cold summary).
//   Context/summary            StateStore::Summarize of uniformly random
//     /customers:N             customers, in states of 10k, 100k and 1M
//                              customers (the first N of the data set; a
//                              500th of that with --short).
//   Context/summary_many       StateStore::SummarizeMany of N uniformly random
//     /batch:N                 customers of the whole set at once (a routing
//                              server scoring a queue), alternated with the
//                              same customers asked one Summarize each: the
//                              time per customer of both, and their ratio.
//   Context/describe_protobuf  the full context: StateStore::Describe and
//                              SerializeToString.
//   Context/summary_history    one customer with N events spread over a year,
//     /events:N                asked just after the last: hot in cache, so
//                              what it shows is the cost of the history's
//                              length alone (the cache misses are what the
//                              customers:N series shows).
//   Context/apply              StateStore::Apply of the prepared events of
//     /ahead:0|1               the first 50,000 customers, in time order;
//                              with ahead:1, the next customers' memory
//                              prefetched as the engine's fold does.
//   Context/engine_ingest_memory  the same events as one protobuf batch
//                              through Engine::Ingest into a ":memory:" log.
//   Context/open/replay        Engine::Open of the whole log from disk,
//                              without a snapshot (the log is written once,
//                              with group commit; warm in the page cache).
//   Context/open/snapshot      the same after Engine::WriteSnapshot, with the
//     (_no_check)              default quick integrity check, and without;
//                              fresh_process_s is the same open again in a
//                              process of its own, as a service starts.
//                              `differences` counts the customers of 1,000
//                              whose context differs from the in-memory
//                              state's: replay and snapshot must both be 0.
//
// Latencies are of single queries, the clock reads around each included
// (clock_us says what a pair of them costs). The figures that matter are
// also noted, with their budgets, in the summary printed at the end.

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/engine.h"
#include "google/protobuf/util/message_differencer.h"
#include "model/event_validation.h"
#include "model/journey_map.h"
#include "model/record_reader.h"
#include "state/customer_state.h"
#include "state/signals.h"
#include "state/state_store.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

constexpr int kQueriesPerIteration = 1000;
// Customers whose events the ingest benchmarks replay (about 1M events).
constexpr uint64_t kLiveCustomers = 50000;

state::StateConfig DefaultConfig() {
  absl::StatusOr<state::StateConfig> config = state::StateConfig::FromText("");
  if (!config.ok()) Fail(config.status().ToString());
  return *std::move(config);
}

// What a pair of clock reads adds to each latency sample.
double ClockPairMicros() {
  Latencies pairs;
  for (int i = 0; i < 10000; ++i) {
    absl::Time start = absl::Now();
    pairs.Add(absl::Now() - start);
  }
  return pairs.Percentile(0.5);
}

// --- the state of every customer ---------------------------------------------

// Built first and alone, so that the RSS growth is the state's.
const Population& All() {
  static const Population* const all =
      BuildPopulation(DefaultConfig()).release();
  return *all;
}

// --- the SQL baseline --------------------------------------------------------

// What the baseline answers: the fields of a state::Summary it fills (the
// contact counts, the last contact, the window's repeats, strikes, transfers,
// hold and sentiment average, purchases, lifetime value, last purchase, last
// CSAT and NPS), and the strings the last contact's pointers show.
struct SqlAnswer {
  state::Summary summary;
  std::string topic;
  std::string agent_id;
};

// The plain alternative, tuned as one would tune it for this query (each
// choice below was measured on the full data set; together they take the
// summary from about 20 us to about 10 us at p50):
// - one table WITHOUT ROWID clustered by (customer_id, occurred_us, seq), so
//   that a customer's events are adjacent rows in time order;
// - partial covering indexes, so that each query reads only the rows it
//   needs: contacts (the window's counts by channel, and the latest contact,
//   however old), events with a sentiment or a strike (the window's other
//   sums), purchases and returns, survey answers;
// - per-row flags (contact, repeat, strike, purchase, signed value) computed
//   in SQL at insert from the definitions of state/signals.h, with the same
//   SignalOptions: the repeat flag from the previous contact on the topic,
//   which the clustered order makes a short backward range;
// - prepared statements, one connection without a mutex and holding its
//   lock (locking_mode EXCLUSIVE: otherwise every statement pays for taking
//   the file lock and checking for a hot journal, about 1.5 us), 1 GiB page
//   cache, the file memory-mapped (it is under SQLite's 2 GiB limit) and read
//   once before timing, ANALYZE run.
// Five statements per summary; merging them (joins of subqueries) was
// slower, and so was one range scan of the window grouped by channel (its
// sort made p99 three times longer).
// Not thread-safe.
class SqlBaseline {
 public:
  SqlBaseline(const std::string& path, const state::SignalOptions& signals)
      : signals_(signals) {
    // The window's queries read one range for both the 90-day contacts and
    // the signal window: they coincide by default.
    if (signals.window_days != state::kContactWindowDays[2]) {
      Fail("the SQL baseline assumes window_days == 90");
    }
    Check(sqlite3_open_v2(
              path.c_str(), &db_,
              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
              nullptr),
          "open");
    Exec(
        // A throwaway file: loading needs no journal and no sync.
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        "PRAGMA cache_size = -1048576; PRAGMA mmap_size = 2147418112;"
        "PRAGMA temp_store = MEMORY; PRAGMA locking_mode = EXCLUSIVE;"
        "CREATE TABLE events ("
        " customer_id TEXT NOT NULL,"
        " occurred_us INTEGER NOT NULL,"
        " seq INTEGER NOT NULL,"  // log order: breaks ties as the state does
        " channel INTEGER NOT NULL,"
        " contact INTEGER NOT NULL,"                    // moment INTERIM
        " topic TEXT, outcome INTEGER, agent_id TEXT,"  // contacts only
        " transfers INTEGER NOT NULL, hold_ms INTEGER NOT NULL,"  // contacts
        " sentiment REAL,"
        " repeat INTEGER NOT NULL, strike INTEGER NOT NULL,"
        " purchase INTEGER NOT NULL,"  // purchase or renewal
        " value_delta REAL,"           // +value of purchases, -value of returns
        " csat INTEGER, nps INTEGER,"
        " PRIMARY KEY (customer_id, occurred_us, seq)) WITHOUT ROWID");
    insert_ = Prepare(R"sql(
      INSERT INTO events VALUES (
        :customer, :t, :seq, :channel, :moment = 5,
        CASE WHEN :moment = 5 THEN :topic END,
        CASE WHEN :moment = 5 THEN :outcome END,
        CASE WHEN :moment = 5 THEN :agent END,
        CASE WHEN :moment = 5 THEN max(coalesce(:transfers, 0), 0) ELSE 0 END,
        CASE WHEN :moment = 5 THEN max(coalesce(:hold_ms, 0), 0) ELSE 0 END,
        :sentiment,
        -- A repeat: the previous contact on the same topic within the
        -- horizon was at most repeat_window_days before, or unresolved.
        CASE WHEN :moment = 5 AND :topic != '' THEN coalesce((
          SELECT :t - occurred_us <= :repeat_us OR outcome IN (2, 3, 5, 6)
          FROM events
          WHERE customer_id = :customer AND contact = 1 AND topic = :topic
            AND occurred_us > :t - :horizon_us AND occurred_us <= :t
          ORDER BY occurred_us DESC, seq DESC LIMIT 1), 0)
        ELSE 0 END,
        -- A strike: any of the bad experiences of signals.h.
        coalesce(:sentiment < :strike_sentiment, 0)
          OR (:moment = 5 AND :outcome IN (2, 5))
          OR coalesce(:transfers >= :strike_transfers, 0)
          OR coalesce(:hold_ms >= :strike_hold_ms, 0)
          OR coalesce(:nps <= 6, 0) OR coalesce(:csat <= 2, 0)
          OR (:type IN ('review', 'social_mention')
              AND coalesce(:sentiment < :negative_review, 0)),
        :type IN ('purchase', 'renewal'),
        CASE WHEN :type IN ('purchase', 'renewal') THEN coalesce(:value, 0)
             WHEN :type = 'return' THEN -coalesce(:value, 0) END,
        :csat, :nps))sql");
    Exec("BEGIN");
  }

  ~SqlBaseline() {
    for (sqlite3_stmt* s : {insert_, contacts_, signals_query_, last_contact_,
                            commerce_, surveys_}) {
      sqlite3_finalize(s);
    }
    sqlite3_close(db_);
  }

  // Appends one prepared event; a customer's events come in time order.
  void Insert(const v1::Event& e) {
    sqlite3_stmt* s = insert_;
    auto text = [&](const char* name, const std::string& v) {
      sqlite3_bind_text(s, Param(name), v.data(), static_cast<int>(v.size()),
                        SQLITE_STATIC);
    };
    auto integer = [&](const char* name, int64_t v) {
      sqlite3_bind_int64(s, Param(name), v);
    };
    auto real = [&](const char* name, double v) {
      sqlite3_bind_double(s, Param(name), v);
    };
    text(":customer", e.customer_id());
    integer(":t", model::ToUnixMicros(e.occurred_at()));
    integer(":seq", ++seq_);
    integer(":channel", e.channel());
    integer(":moment", e.moment());
    text(":topic", e.topic());
    integer(":outcome", e.outcome());
    text(":agent", e.agent_id());
    text(":type", e.type());
    if (e.has_transfers()) integer(":transfers", e.transfers());
    if (e.has_hold_ms()) integer(":hold_ms", e.hold_ms());
    if (e.has_sentiment()) real(":sentiment", e.sentiment());
    if (e.has_value()) real(":value", e.value());
    if (e.has_csat()) integer(":csat", e.csat());
    if (e.has_nps()) integer(":nps", e.nps());
    integer(":repeat_us", int64_t{signals_.repeat_window_days} * kDayUs);
    integer(":horizon_us", int64_t{state::kContactWindowDays[2]} * kDayUs);
    real(":strike_sentiment", signals_.strike_sentiment_below);
    integer(":strike_transfers", signals_.strike_transfers);
    integer(":strike_hold_ms", int64_t{signals_.strike_hold_seconds} * 1000);
    real(":negative_review", signals_.negative_review_below);
    if (sqlite3_step(s) != SQLITE_DONE) Check(SQLITE_ERROR, "insert");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (seq_ % 100000 == 0) Exec("COMMIT; BEGIN");
  }

  // Commits, indexes, analyses, prepares the queries and reads the file
  // once, so that timing starts with it mapped and cached.
  void Finish() {
    Exec("COMMIT");
    Exec(
        "CREATE INDEX contacts ON events (customer_id, occurred_us, seq,"
        " channel, outcome, topic, agent_id, transfers, hold_ms, sentiment,"
        " repeat, contact) WHERE contact = 1;"
        "CREATE INDEX signals ON events (customer_id, occurred_us, strike,"
        " sentiment) WHERE sentiment IS NOT NULL OR strike = 1;"
        "CREATE INDEX commerce ON events (customer_id, occurred_us, purchase,"
        " value_delta) WHERE value_delta IS NOT NULL;"
        "CREATE INDEX csat ON events (customer_id, occurred_us, seq, csat)"
        " WHERE csat IS NOT NULL;"
        "CREATE INDEX nps ON events (customer_id, occurred_us, seq, nps)"
        " WHERE nps IS NOT NULL;"
        "PRAGMA analysis_limit = 1000; ANALYZE;");
    // Contacts in 7, 30 and 90 days by channel, and the window's repeats,
    // transfers and hold; the caller adds up the rows of the channels.
    contacts_ = Prepare(R"sql(
      SELECT channel, sum(occurred_us > ?3), sum(occurred_us > ?4), count(*),
             sum(repeat), sum(transfers), sum(hold_ms)
      FROM events
      WHERE customer_id = ?1 AND contact = 1
        AND occurred_us > ?5 AND occurred_us <= ?2
      GROUP BY channel)sql");
    signals_query_ = Prepare(R"sql(
      SELECT sum(strike), total(sentiment), count(sentiment)
      FROM events
      WHERE customer_id = ?1 AND (sentiment IS NOT NULL OR strike = 1)
        AND occurred_us > ?3 AND occurred_us <= ?2)sql");
    last_contact_ = Prepare(R"sql(
      SELECT occurred_us, channel, outcome, topic, agent_id, transfers,
             hold_ms, sentiment, repeat
      FROM events
      WHERE customer_id = ?1 AND contact = 1 AND occurred_us <= ?2
      ORDER BY occurred_us DESC, seq DESC LIMIT 1)sql");
    commerce_ = Prepare(R"sql(
      SELECT sum(purchase), total(value_delta),
             max(CASE WHEN purchase THEN occurred_us END)
      FROM events
      WHERE customer_id = ?1 AND value_delta IS NOT NULL
        AND occurred_us <= ?2)sql");
    surveys_ = Prepare(R"sql(
      SELECT (SELECT csat FROM events
              WHERE customer_id = ?1 AND csat IS NOT NULL AND occurred_us <= ?2
              ORDER BY occurred_us DESC, seq DESC LIMIT 1),
             (SELECT nps FROM events
              WHERE customer_id = ?1 AND nps IS NOT NULL AND occurred_us <= ?2
              ORDER BY occurred_us DESC, seq DESC LIMIT 1))sql");
    Exec(
        "SELECT count(*), total(sentiment) FROM events;"
        "SELECT count(*) FROM events INDEXED BY contacts WHERE contact = 1;"
        "SELECT count(*) FROM events INDEXED BY signals"
        " WHERE sentiment IS NOT NULL OR strike = 1;"
        "SELECT count(*) FROM events INDEXED BY commerce"
        " WHERE value_delta IS NOT NULL;"
        "SELECT count(*) FROM events INDEXED BY csat WHERE csat IS NOT NULL;"
        "SELECT count(*) FROM events INDEXED BY nps WHERE nps IS NOT NULL;");
  }

  void Summarize(const std::string& customer, int64_t as_of_us,
                 SqlAnswer* answer) {
    state::Summary& out = answer->summary;
    out = state::Summary{};
    out.as_of_us = as_of_us;
    out.sentiment_average = std::numeric_limits<double>::quiet_NaN();
    out.last_contact.sentiment = std::numeric_limits<double>::quiet_NaN();
    out.days_since_purchase = -1;
    out.csat = -1;
    out.nps = -1;
    answer->topic.clear();
    answer->agent_id.clear();

    sqlite3_stmt* s = contacts_;
    const int64_t since = as_of_us - state::kContactWindowDays[2] * kDayUs;
    BindCustomer(s, customer, as_of_us);
    sqlite3_bind_int64(s, 3, as_of_us - state::kContactWindowDays[0] * kDayUs);
    sqlite3_bind_int64(s, 4, as_of_us - state::kContactWindowDays[1] * kDayUs);
    sqlite3_bind_int64(s, 5, since);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const int channel = sqlite3_column_int(s, 0);
      for (int w = 0; w < 3; ++w) {
        const uint32_t n = sqlite3_column_int(s, 1 + w);
        out.contacts[w].total += n;
        if (channel >= 0 && channel < state::kChannelCount) {
          out.contacts[w].by_channel[channel] += n;
        }
      }
      out.repeat_contacts += sqlite3_column_int(s, 4);
      out.transfers += sqlite3_column_int(s, 5);
      out.hold_ms += sqlite3_column_int64(s, 6);
    }
    sqlite3_reset(s);

    s = signals_query_;
    BindCustomer(s, customer, as_of_us);
    sqlite3_bind_int64(s, 3, since);
    if (sqlite3_step(s) == SQLITE_ROW) {
      out.strikes = sqlite3_column_int(s, 0);
      const int64_t sentiments = sqlite3_column_int64(s, 2);
      if (sentiments > 0) {
        out.sentiment_average = sqlite3_column_double(s, 1) / sentiments;
      }
    }
    sqlite3_reset(s);
    out.at_risk = out.strikes >= signals_.strikes_to_leave;

    s = last_contact_;
    BindCustomer(s, customer, as_of_us);
    if (sqlite3_step(s) == SQLITE_ROW) {
      state::LastContact& c = out.last_contact;
      c.time_us = sqlite3_column_int64(s, 0);
      c.channel = sqlite3_column_int(s, 1);
      c.outcome = sqlite3_column_int(s, 2);
      Text(s, 3, &answer->topic);
      Text(s, 4, &answer->agent_id);
      c.transfers = sqlite3_column_int(s, 5);
      c.hold_ms = sqlite3_column_int64(s, 6);
      if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
        c.sentiment = sqlite3_column_double(s, 7);
      }
      c.repeat = sqlite3_column_int(s, 8);
    }
    sqlite3_reset(s);

    s = commerce_;
    BindCustomer(s, customer, as_of_us);
    if (sqlite3_step(s) == SQLITE_ROW) {
      out.purchases = sqlite3_column_int(s, 0);
      out.lifetime_value = sqlite3_column_double(s, 1);
      out.last_purchase_us = sqlite3_column_int64(s, 2);
      if (out.purchases > 0) {
        out.days_since_purchase =
            static_cast<int32_t>((as_of_us - out.last_purchase_us) / kDayUs);
      }
    }
    sqlite3_reset(s);

    s = surveys_;
    BindCustomer(s, customer, as_of_us);
    if (sqlite3_step(s) == SQLITE_ROW) {
      if (sqlite3_column_type(s, 0) != SQLITE_NULL) {
        out.csat = sqlite3_column_int(s, 0);
      }
      if (sqlite3_column_type(s, 1) != SQLITE_NULL) {
        out.nps = sqlite3_column_int(s, 1);
      }
    }
    sqlite3_reset(s);
  }

  int64_t FileBytes() {
    sqlite3_stmt* s = Prepare(
        "SELECT page_count * page_size FROM pragma_page_count(),"
        " pragma_page_size()");
    int64_t bytes =
        sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return bytes;
  }

 private:
  void Check(int rc, const char* what) {
    if (rc != SQLITE_OK) {
      Fail(absl::StrCat("sqlite ", what, ": ", sqlite3_errmsg(db_)));
    }
  }
  void Exec(const char* sql) {
    Check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), sql);
  }
  sqlite3_stmt* Prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    Check(sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
                             nullptr),
          sql);
    return s;
  }
  int Param(const char* name) {
    return sqlite3_bind_parameter_index(insert_, name);
  }
  static void BindCustomer(sqlite3_stmt* s, const std::string& customer,
                           int64_t as_of_us) {
    sqlite3_bind_text(s, 1, customer.data(), static_cast<int>(customer.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, as_of_us);
  }
  static void Text(sqlite3_stmt* s, int column, std::string* out) {
    const auto* text =
        reinterpret_cast<const char*>(sqlite3_column_text(s, column));
    if (text) out->assign(text, sqlite3_column_bytes(s, column));
  }

  const state::SignalOptions signals_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* contacts_ = nullptr;
  sqlite3_stmt* signals_query_ = nullptr;
  sqlite3_stmt* last_contact_ = nullptr;
  sqlite3_stmt* commerce_ = nullptr;
  sqlite3_stmt* surveys_ = nullptr;
  int64_t seq_ = 0;
};

// What the second pass over the data set builds: the SQL baseline, smaller
// states of the first customers, and events to ingest again.
struct Extras {
  std::unique_ptr<SqlBaseline> sql;
  int64_t sql_bytes = 0;
  // States of the first Customers() / 100 and / 10 customers.
  std::vector<std::unique_ptr<state::StateStore>> prefixes;
  std::vector<uint64_t> prefix_customers;
  // The events of the first kLiveCustomers customers, in time order (as
  // live traffic interleaves customers).
  std::vector<v1::Event> live;
};

const Extras& More() {
  static const Extras* const extras = [] {
    auto* x = new Extras;
    const state::StateConfig config = DefaultConfig();
    x->sql = std::make_unique<SqlBaseline>(DataDir() + "/baseline.db",
                                           config.signals);
    for (uint64_t divisor : {100, 10}) {
      x->prefix_customers.push_back(Customers() / divisor);
      x->prefixes.push_back(std::make_unique<state::StateStore>(config));
    }
    Progress("loading the SQL baseline and the smaller states");
    const absl::Time start = absl::Now();
    uint64_t customer = 0;
    ForEachCustomer(Customers(), [&](std::vector<v1::Event>& events) {
      ++customer;
      for (const v1::Event& event : events) x->sql->Insert(event);
      for (size_t i = 0; i < x->prefixes.size(); ++i) {
        if (customer > x->prefix_customers[i]) continue;
        for (const v1::Event& event : events) x->prefixes[i]->Apply(event);
      }
      if (customer <= kLiveCustomers) {
        for (v1::Event& event : events) x->live.push_back(std::move(event));
      }
    });
    std::stable_sort(x->live.begin(), x->live.end(),
                     [](const v1::Event& a, const v1::Event& b) {
                       return model::ToUnixMicros(a.occurred_at()) <
                              model::ToUnixMicros(b.occurred_at());
                     });
    x->sql->Finish();
    x->sql_bytes = x->sql->FileBytes();
    Progress(absl::StrFormat("loaded in %.1f s, SQLite file %d MB",
                             absl::ToDoubleSeconds(absl::Now() - start),
                             x->sql_bytes >> 20));
    return x;
  }();
  return *extras;
}

const state::StateStore& StoreOf(uint64_t customers) {
  if (customers == Customers()) return *All().store;
  const Extras& x = More();
  for (size_t i = 0; i < x.prefixes.size(); ++i) {
    if (x.prefix_customers[i] == customers) return *x.prefixes[i];
  }
  Fail(absl::StrCat("no state of ", customers, " customers"));
}

// --- the answers agree -------------------------------------------------------

bool Near(double a, double b, double tolerance) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= tolerance * std::max(1.0, std::fabs(a));
}

// The first field where the baseline's answer differs from the state's, or
// "" when they agree. The state keeps sentiments in thousandths, hence the
// tolerance on their average.
std::string Difference(const state::Summary& s, const SqlAnswer& answer) {
  const state::Summary& q = answer.summary;
  for (int w = 0; w < 3; ++w) {
    if (s.contacts[w].total != q.contacts[w].total) {
      return absl::StrCat("contacts[", w, "] ", s.contacts[w].total, " vs ",
                          q.contacts[w].total);
    }
    for (int c = 0; c < state::kChannelCount; ++c) {
      if (s.contacts[w].by_channel[c] != q.contacts[w].by_channel[c]) {
        return absl::StrCat("contacts[", w, "] channel ", c);
      }
    }
  }
  const state::LastContact& a = s.last_contact;
  const state::LastContact& b = q.last_contact;
  if (a.time_us != b.time_us || a.channel != b.channel ||
      a.outcome != b.outcome || a.topic != answer.topic ||
      a.agent_id != answer.agent_id || a.transfers != b.transfers ||
      a.hold_ms != b.hold_ms || a.repeat != b.repeat ||
      !Near(a.sentiment, b.sentiment, 1e-9)) {
    return absl::StrCat("last contact at ", a.time_us, " vs ", b.time_us,
                        " (repeat ", a.repeat, " vs ", b.repeat, ")");
  }
  if (s.repeat_contacts != q.repeat_contacts) {
    return absl::StrCat("repeat_contacts ", s.repeat_contacts, " vs ",
                        q.repeat_contacts);
  }
  if (s.strikes != q.strikes) {
    return absl::StrCat("strikes ", s.strikes, " vs ", q.strikes);
  }
  if (s.transfers != q.transfers || s.hold_ms != q.hold_ms) {
    return "transfers or hold_ms";
  }
  if (!Near(s.sentiment_average, q.sentiment_average, 1e-3)) {
    return absl::StrCat("sentiment_average ", s.sentiment_average, " vs ",
                        q.sentiment_average);
  }
  if (s.purchases != q.purchases || s.last_purchase_us != q.last_purchase_us ||
      !Near(s.lifetime_value, q.lifetime_value, 1e-9)) {
    return absl::StrCat("purchases ", s.purchases, " vs ", q.purchases,
                        ", value ", s.lifetime_value, " vs ", q.lifetime_value);
  }
  if (s.csat != q.csat || s.nps != q.nps) return "csat or nps";
  return "";
}

// --- benchmarks --------------------------------------------------------------

void BM_Memory(benchmark::State& state) {
  const Population& all = All();
  for (auto _ : state) {
  }
  const state::StoreStats stats = all.store->Stats();
  const double customers = static_cast<double>(stats.customers);
  state.counters["customers"] = customers;
  state.counters["events"] = static_cast<double>(all.events);
  state.counters["rejected"] = static_cast<double>(all.rejected);
  state.counters["held_events"] = static_cast<double>(stats.held_events);
  state.counters["strings"] = static_cast<double>(stats.strings);
  state.counters["state_B/customer"] = stats.state_bytes / customers;
  // A customer's node: its id and its state.
  state.counters["node_B"] =
      sizeof(std::pair<const std::string, state::CustomerState>);
  state.counters["recent_B/customer"] = stats.recent_event_bytes / customers;
  state.counters["rss_B/customer"] = all.rss_bytes / customers;
  state.counters["rss_B/event"] =
      all.rss_bytes / static_cast<double>(all.events);
  state.counters["build_apply_events/s"] =
      all.events / absl::ToDoubleSeconds(all.apply);
  Note("1 data",
       absl::StrFormat("data set: %d customers, %d events (%d rejected); "
                       "folded at %.2f M events/s in Apply, customer by "
                       "customer",
                       stats.customers, all.events, all.rejected,
                       all.events / absl::ToDoubleSeconds(all.apply) / 1e6));
  Note("1 memory",
       absl::StrFormat(
           "memory: %.0f B/customer (StoreStats; a node is %d B, the latest "
           "events kept for the full context %.0f B), RSS +%.0f B/customer "
           "(budget <= 1 KiB); %d events held in windows, %d B each (budget "
           "<= 64); RSS per event of the data set %.1f B",
           stats.state_bytes / customers,
           sizeof(std::pair<const std::string, state::CustomerState>),
           stats.recent_event_bytes / customers, all.rss_bytes / customers,
           stats.held_events, sizeof(state::HeldEvent),
           all.rss_bytes / static_cast<double>(all.events)));
}

double sql_p50_us = 0;
double sql_p99_us = 0;

void BM_SqlSummary(benchmark::State& state) {
  const Population& all = All();
  const Extras& more = More();
  SqlBaseline& sql = *more.sql;
  const std::vector<std::string> ids = RandomIds(Customers());
  // Both answer the same: checked on a sample before timing.
  int mismatches = 0;
  SqlAnswer answer;
  state::Summary expected;
  for (size_t i = 0; i < std::min<size_t>(ids.size(), 5000); ++i) {
    all.store->Summarize(ids[i], kAsOfUs, &expected);
    sql.Summarize(ids[i], kAsOfUs, &answer);
    const std::string difference = Difference(expected, answer);
    if (!difference.empty() && ++mismatches <= 3) {
      Progress(
          absl::StrCat("SQL and state differ for ", ids[i], ": ", difference));
    }
  }
  Latencies latencies;
  size_t next = 0;
  int64_t queries = 0;
  for (auto _ : state) {
    for (int i = 0; i < kQueriesPerIteration / 10; ++i) {
      const std::string& id = ids[next++ % ids.size()];
      const absl::Time start = absl::Now();
      sql.Summarize(id, kAsOfUs, &answer);
      latencies.Add(absl::Now() - start);
      benchmark::DoNotOptimize(answer);
    }
    queries += kQueriesPerIteration / 10;
  }
  state.SetItemsProcessed(queries);
  latencies.Report(state);
  sql_p50_us = latencies.Percentile(0.5);
  sql_p99_us = latencies.Percentile(0.99);
  state.counters["mismatches"] = mismatches;
  state.counters["sqlite_MB"] = static_cast<double>(more.sql_bytes >> 20);
  Note("2 sql", absl::StrFormat("SQL baseline summary: p50 %.2f us, p99 %.2f "
                                "us (%d of 5000 answers differ from the state)",
                                sql_p50_us, sql_p99_us, mismatches));
}

void BM_Summary(benchmark::State& state) {
  const uint64_t customers = ShortMode()
                                 ? static_cast<uint64_t>(state.range(0)) / 500
                                 : static_cast<uint64_t>(state.range(0));
  const state::StateStore& store = StoreOf(customers);
  const std::vector<std::string> ids = RandomIds(customers);
  Latencies latencies;
  latencies.Reserve(1 << 22);
  state::Summary summary;
  size_t next = 0;
  int64_t queries = 0;
  for (auto _ : state) {
    for (int i = 0; i < kQueriesPerIteration; ++i) {
      const std::string& id = ids[next++ % ids.size()];
      const absl::Time start = absl::Now();
      const auto found = store.Summarize(id, kAsOfUs, &summary);
      latencies.Add(absl::Now() - start);
      benchmark::DoNotOptimize(summary);
      if (found != state::StateStore::Found::kAnswered) {
        state.SkipWithError("a customer was not answered");
        return;
      }
    }
    queries += kQueriesPerIteration;
  }
  state.SetItemsProcessed(queries);
  latencies.Report(state);
  state.counters["customers"] = static_cast<double>(customers);
  state.counters["clock_us"] = ClockPairMicros();
  const double p50 = latencies.Percentile(0.5);
  const double p99 = latencies.Percentile(0.99);
  std::string line = absl::StrFormat(
      "summary, %7d customers: p50 %.3f us, p99 %.3f us (budget 0.5 / 2)",
      customers, p50, p99);
  if (customers == Customers()) {
    // For the decisions' ratio to a summary (decide_bench.cc).
    SetBaseline("summary_p50_us", p50);
    SetBaseline("summary_p99_us", p99);
  }
  if (const double miss_us = Baseline("miss_us");
      customers == Customers() && miss_us > 0) {
    absl::StrAppendFormat(&line, "; %.1f misses at p50, %.1f at p99",
                          p50 / miss_us, p99 / miss_us);
  }
  if (customers == Customers() && sql_p50_us > 0) {
    state.counters["x_sql_p50"] = sql_p50_us / p50;
    state.counters["x_sql_p99"] = sql_p99_us / p99;
    absl::StrAppendFormat(&line, "; SQL / state: %.0fx at p50, %.0fx at p99",
                          sql_p50_us / p50, sql_p99_us / p99);
  }
  Note(absl::StrCat("3 summary ", customers), line);
}

// What one dependent miss to memory costs on this machine, the unit a cold
// summary is made of: a chase through a random cycle over the cache lines of
// a buffer as large as the 1M-customer state (so that the TLB misses are
// alike too). On the virtual machines these figures come from, a miss costs
// several times the 0.1 us of bare metal.
void BM_MemoryLatency(benchmark::State& state) {
  const size_t bytes = size_t{1} << 30;
  constexpr size_t kLine = 64 / sizeof(uint64_t);
  const size_t lines = bytes / 64;
  std::vector<uint64_t> memory(lines * kLine);
  // Sattolo's shuffle: one cycle through every line.
  std::vector<uint64_t> next(lines);
  for (size_t i = 0; i < lines; ++i) next[i] = i;
  std::mt19937_64 random(7);
  for (size_t i = lines - 1; i > 0; --i) {
    std::swap(next[i], next[random() % i]);
  }
  for (size_t i = 0; i < lines; ++i) memory[i * kLine] = next[i] * kLine;
  next = {};
  uint64_t at = 0;
  int64_t misses = 0;
  absl::Duration timed;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    for (int i = 0; i < 100000; ++i) at = memory[at];
    timed += absl::Now() - start;
    misses += 100000;
  }
  benchmark::DoNotOptimize(at);
  const double miss_us = absl::ToDoubleMicroseconds(timed) / misses;
  state.counters["miss_ns"] = miss_us * 1000;
  SetBaseline("miss_us", miss_us);
  Note("3 miss", absl::StrFormat("one dependent miss over 1 GiB: %.3f us (a "
                                 "cold summary is at least one, plus the "
                                 "table's slot when not cached)",
                                 miss_us));
}

void BM_SummaryMany(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  const state::StateStore& store = StoreOf(Customers());
  const std::vector<std::string> ids = RandomIds(Customers());
  std::vector<absl::string_view> asked(batch);
  std::vector<state::Summary> summaries(batch);
  std::vector<state::StateStore::Found> found(batch);
  state::Summary one;
  absl::Duration many_time, single_time;
  size_t next = 0;
  int64_t customers = 0;
  for (auto _ : state) {
    // Fresh customers for each half: both start from memory, not cache.
    for (size_t i = 0; i < batch; ++i) asked[i] = ids[next++ % ids.size()];
    absl::Time start = absl::Now();
    store.SummarizeMany(asked, kAsOfUs, summaries.data(), found.data());
    many_time += absl::Now() - start;
    benchmark::DoNotOptimize(summaries.data());
    for (size_t i = 0; i < batch; ++i) asked[i] = ids[next++ % ids.size()];
    start = absl::Now();
    for (size_t i = 0; i < batch; ++i) {
      store.Summarize(asked[i], kAsOfUs, &one);
      benchmark::DoNotOptimize(one);
    }
    single_time += absl::Now() - start;
    customers += static_cast<int64_t>(batch);
  }
  const double many_us = absl::ToDoubleMicroseconds(many_time) / customers;
  const double single_us = absl::ToDoubleMicroseconds(single_time) / customers;
  state.SetItemsProcessed(customers);
  state.counters["many_us"] = many_us;
  state.counters["single_us"] = single_us;
  state.counters["x_single"] = single_us / many_us;
  Note(absl::StrCat("3 summary many ", batch),
       absl::StrFormat("summary of %d customers at once, of %d: %.3f us per "
                       "customer (budget 0.15), %.3f us one by one: %.2fx",
                       batch, Customers(), many_us, single_us,
                       single_us / many_us));
}

void BM_DescribeProtobuf(benchmark::State& state) {
  const state::StateStore& store = *All().store;
  const std::vector<std::string> ids = RandomIds(Customers());
  Latencies latencies;
  latencies.Reserve(1 << 21);
  v1::Context context;
  std::string bytes;
  size_t next = 0;
  int64_t queries = 0;
  int64_t total_bytes = 0;
  for (auto _ : state) {
    for (int i = 0; i < kQueriesPerIteration; ++i) {
      const std::string& id = ids[next++ % ids.size()];
      const absl::Time start = absl::Now();
      store.Describe(id, kAsOfUs, &context);
      context.SerializeToString(&bytes);
      latencies.Add(absl::Now() - start);
      total_bytes += static_cast<int64_t>(bytes.size());
    }
    queries += kQueriesPerIteration;
  }
  state.SetItemsProcessed(queries);
  latencies.Report(state);
  state.counters["bytes"] = queries ? total_bytes / queries : 0;
  Note("4 describe",
       absl::StrFormat("full context as protobuf: p50 %.2f us, p99 %.2f us "
                       "(budget p99 <= 10), %d bytes on average",
                       latencies.Percentile(0.5), latencies.Percentile(0.99),
                       queries ? total_bytes / queries : 0));
}

// `n` events of one customer, every 365/n days up to a minute before
// kAsOfUs: contacts on four topics with varied outcomes, web and app
// visits, surveys, purchases and reviews.
std::vector<v1::Event> History(const std::string& customer, int n) {
  static constexpr const char* kTopics[] = {"billing", "delivery",
                                            "technical_issue", "upgrade"};
  std::vector<v1::Event> events(n);
  for (int i = 0; i < n; ++i) {
    v1::Event& e = events[i];
    e.set_event_id(absl::StrCat(customer, "-", i));
    e.set_customer_id(customer);
    const int64_t t =
        kAsOfUs - 60 * int64_t{1000000} - (n - 1 - i) * (365 * kDayUs / n);
    *e.mutable_occurred_at() = model::FromUnixMicros(t);
    switch (i % 8) {
      case 0:
      case 1:
        e.set_type("contact");
        e.set_channel(i % 8 == 0 ? v1::VOICE : v1::CHAT);
        e.set_topic(kTopics[(i / 8) % 4]);
        e.set_outcome(i % 3 == 0 ? v1::UNRESOLVED : v1::RESOLVED);
        e.set_sentiment(((i * 37) % 200 - 100) / 100.0);
        e.set_hold_ms((i * 7919) % 900000);
        e.set_transfers(i % 3);
        e.set_agent_id(absl::StrFormat("A%04d", i % 200));
        break;
      case 2:
        e.set_type("web_visit");
        e.set_channel(v1::WEB);
        break;
      case 3:
        e.set_type("product_usage");
        e.set_channel(v1::MOBILE_APP);
        break;
      case 4:
        e.set_type("survey");
        e.set_channel(v1::SURVEY);
        e.set_csat(1 + i % 5);
        e.set_nps(i % 11);
        break;
      case 5:
        e.set_type("purchase");
        e.set_channel(v1::WEB);
        e.set_value(19.99);
        e.set_currency("USD");
        break;
      case 6:
        e.set_type("review");
        e.set_channel(v1::REVIEW_SITE);
        e.set_sentiment(((i * 53) % 200 - 100) / 100.0);
        break;
      default:
        e.set_type("help_search");
        e.set_channel(v1::WEB);
        break;
    }
    if (absl::Status s =
            model::PrepareEvent(&e, model::JourneyMap::Default(), Clock());
        !s.ok()) {
      Fail(s.ToString());
    }
  }
  return events;
}

void BM_SummaryHistory(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string customer = absl::StrCat("H", n);
  state::StateStore store(DefaultConfig());
  for (const v1::Event& event : History(customer, n)) store.Apply(event);
  Latencies latencies;
  latencies.Reserve(1 << 22);
  state::Summary summary;
  int64_t queries = 0;
  for (auto _ : state) {
    for (int i = 0; i < kQueriesPerIteration; ++i) {
      const absl::Time start = absl::Now();
      store.Summarize(customer, kAsOfUs, &summary);
      latencies.Add(absl::Now() - start);
      benchmark::DoNotOptimize(summary);
    }
    queries += kQueriesPerIteration;
  }
  state.SetItemsProcessed(queries);
  latencies.Report(state);
  state.counters["held_events"] =
      static_cast<double>(store.Stats().held_events);
  Note(absl::StrCat("5 history ", n),
       absl::StrFormat("summary, one customer of %5d events (hot): p50 %.3f "
                       "us, p99 %.3f us",
                       n, latencies.Percentile(0.5),
                       latencies.Percentile(0.99)));
}

void BM_Apply(benchmark::State& state) {
  const bool ahead = state.range(0) != 0;
  const std::vector<v1::Event>& events = More().live;
  const state::StateConfig config = DefaultConfig();
  absl::Duration timed;
  int64_t applied = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<state::StateStore>(config);
    state.ResumeTiming();
    const absl::Time start = absl::Now();
    for (size_t i = 0; i < events.size(); ++i) {
      if (ahead) store->PrefetchAhead(events, i);
      store->Apply(events[i]);
    }
    timed += absl::Now() - start;
    applied += static_cast<int64_t>(events.size());
    state.PauseTiming();
    store.reset();
    state.ResumeTiming();
  }
  const double rate = applied / absl::ToDoubleSeconds(timed);
  state.counters["events/s"] = rate;
  Note(absl::StrCat("6 apply ", ahead),
       absl::StrFormat("in-memory ingest, StateStore::Apply%s: %.2f M "
                       "events/s (budget >= 1.5M)",
                       ahead ? ", prefetched ahead" : "", rate / 1e6));
}

void BM_EngineIngestMemory(benchmark::State& state) {
  const std::vector<v1::Event>& events = More().live;
  std::string batch_bytes;
  {
    v1::EventBatch batch;
    *batch.mutable_events() = {events.begin(), events.end()};
    batch_bytes = batch.SerializeAsString();
  }
  absl::Duration timed;
  uint64_t accepted = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = engine::Engine::Open(
        ":memory:", EngineOptionsFor(store::Durability::kFull));
    if (!engine.ok()) {
      state.SkipWithError(engine.status().ToString().c_str());
      return;
    }
    model::RecordReader reader(model::InputFormat::kProtobufBatch,
                               model::WholeBuffer(batch_bytes));
    engine::IngestOptions options;
    options.batch_size = 1 << 16;
    engine::IngestCounts counts;
    state.ResumeTiming();
    const absl::Time start = absl::Now();
    const absl::Status status = (*engine)->Ingest(reader, options, &counts);
    timed += absl::Now() - start;
    accepted += counts.accepted;
    if (!status.ok() || counts.accepted != events.size()) {
      state.SkipWithError(absl::StrCat("ingest: ", status.ToString(),
                                       ", accepted ", counts.accepted, " of ",
                                       events.size())
                              .c_str());
      return;
    }
    state.PauseTiming();
    engine->reset();
    state.ResumeTiming();
  }
  const double rate = accepted / absl::ToDoubleSeconds(timed);
  state.counters["events/s"] = rate;
  Note("7 engine ingest",
       absl::StrFormat("Engine::Ingest, protobuf batch into a :memory: log: "
                       "%.2f M events/s (decode, validate, append, fold)",
                       rate / 1e6));
}

// Describe of a sample of customers from `engine` that differ from the
// in-memory state's: snapshot and replay must both equal it.
int DifferencesFromState(engine::Engine& engine) {
  const state::StateStore& store = *All().store;
  const std::vector<std::string> ids = RandomIds(Customers());
  int differences = 0;
  v1::Context expected;
  v1::Context actual;
  for (size_t i = 0; i < 1000; ++i) {
    store.Describe(ids[i], kAsOfUs, &expected);
    if (!engine.Describe(ids[i], kAsOfUs, &actual).ok() ||
        !google::protobuf::util::MessageDifferencer::Equals(expected, actual)) {
      ++differences;
    }
  }
  return differences;
}

// Opens the disk log as the iteration's timed work (in `*seconds`) and
// reports how its state was built and whether it equals the in-memory one.
// Null, with the benchmark skipped, when the open fails.
std::unique_ptr<engine::Engine> TimedOpen(benchmark::State& state,
                                          engine::EngineOptions options,
                                          double* seconds) {
  const absl::Time start = absl::Now();
  auto engine = engine::Engine::Open(Log().path, std::move(options));
  *seconds = absl::ToDoubleSeconds(absl::Now() - start);
  state.SetIterationTime(*seconds);
  if (!engine.ok()) {
    state.SkipWithError(engine.status().ToString().c_str());
    return nullptr;
  }
  const engine::Engine::OpenReport& report = (*engine)->open_report();
  state.counters["events_replayed"] =
      static_cast<double>(report.events_replayed);
  state.counters["from_snapshot"] = report.from_snapshot;
  state.counters["differences"] = DifferencesFromState(**engine);
  return *std::move(engine);
}

void BM_OpenReplay(benchmark::State& state) {
  const DiskLog& log = Log();
  for (auto _ : state) {
    std::filesystem::remove(log.path + "-snapshot");
    double seconds = 0;
    std::unique_ptr<engine::Engine> engine =
        TimedOpen(state, EngineOptionsFor(store::Durability::kGroup), &seconds);
    if (engine == nullptr) return;
    const engine::Engine::OpenReport& report = engine->open_report();
    // The snapshot the next benchmark opens from.
    const absl::Time write_start = absl::Now();
    const absl::Status written = engine->WriteSnapshot();
    const double write_seconds =
        absl::ToDoubleSeconds(absl::Now() - write_start);
    if (!written.ok()) {
      state.SkipWithError(written.ToString().c_str());
      return;
    }
    state.counters["snapshot_write_s"] = write_seconds;
    const double log_mb = std::filesystem::file_size(log.path) / 1048576.0;
    const double snapshot_mb =
        std::filesystem::file_size(log.path + "-snapshot") / 1048576.0;
    state.counters["log_MB"] = log_mb;
    state.counters["snapshot_MB"] = snapshot_mb;
    Note("8 open replay",
         absl::StrFormat(
             "open, %d events from disk without snapshot: %.1f s (%d "
             "replayed); snapshot written in %.1f s; log %.0f MB (written "
             "in %.0f s), snapshot %.0f MB",
             log.events, seconds, report.events_replayed, write_seconds, log_mb,
             log.write_seconds, snapshot_mb));
  }
}

void BM_OpenSnapshot(benchmark::State& state, store::IntegrityCheck check) {
  const DiskLog& log = Log();
  if (!std::filesystem::exists(log.path + "-snapshot")) {
    auto engine = engine::Engine::Open(
        log.path, EngineOptionsFor(store::Durability::kGroup));
    if (!engine.ok() || !(*engine)->WriteSnapshot().ok()) {
      state.SkipWithError("could not write the snapshot");
      return;
    }
  }
  for (auto _ : state) {
    engine::EngineOptions options = EngineOptionsFor(store::Durability::kGroup);
    options.log.integrity_check = check;
    double seconds = 0;
    std::unique_ptr<engine::Engine> engine =
        TimedOpen(state, std::move(options), &seconds);
    if (engine == nullptr) return;
    const engine::Engine::OpenReport& report = engine->open_report();
    if (!report.from_snapshot) {
      state.SkipWithError(
          absl::StrCat("the snapshot was not used: ", report.snapshot_note)
              .c_str());
      return;
    }
    // The same open again, in a process of its own.
    engine.reset();
    absl::StatusOr<double> fresh = TimeOpenInFreshProcess(log.path, check);
    if (!fresh.ok()) {
      state.SkipWithError(fresh.status().ToString().c_str());
      return;
    }
    state.counters["fresh_process_s"] = *fresh;
    const char* what =
        check == store::IntegrityCheck::kQuick ? "quick integrity check"
        : check == store::IntegrityCheck::kAfterCrash
            ? "integrity check after a crash only; this log was closed cleanly"
            : "no check";
    Note(absl::StrCat("9 open snapshot ", static_cast<int>(check)),
         absl::StrFormat("open, %d events from disk with snapshot (%s): %.2f "
                         "s, %.2f s in a fresh process (budget <= 10)",
                         log.events, what, seconds, *fresh));
  }
}

BENCHMARK(BM_Memory)->Name("Context/memory")->Iterations(1);
BENCHMARK(BM_SqlSummary)->Name("Context/sql_summary");
BENCHMARK(BM_MemoryLatency)->Name("Context/memory_latency");
BENCHMARK(BM_Summary)
    ->Name("Context/summary")
    ->ArgName("customers")
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000);
BENCHMARK(BM_SummaryMany)
    ->Name("Context/summary_many")
    ->ArgName("batch")
    ->Arg(16)
    ->Arg(64);
BENCHMARK(BM_DescribeProtobuf)->Name("Context/describe_protobuf");
BENCHMARK(BM_SummaryHistory)
    ->Name("Context/summary_history")
    ->ArgName("events")
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Arg(10000);
BENCHMARK(BM_Apply)
    ->Name("Context/apply")
    ->ArgName("ahead")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EngineIngestMemory)
    ->Name("Context/engine_ingest_memory")
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OpenReplay)
    ->Name("Context/open/replay")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OpenSnapshot, snapshot, store::IntegrityCheck::kQuick)
    ->Name("Context/open/snapshot")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OpenSnapshot, after_crash,
                  store::IntegrityCheck::kAfterCrash)
    ->Name("Context/open/snapshot_after_crash_check")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_OpenSnapshot, no_check, store::IntegrityCheck::kNone)
    ->Name("Context/open/snapshot_no_check")
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace motive::bench
