// Next-best-action decisions (src/decide): how long one takes with a ruleset
// of a realistic size on the 1M-customer data set (2,000 with --short), what
// compiling a ruleset costs, and what a caller sees while one is reloaded.
//
// The ruleset is generated (RulesetText): 50 actions in six groups (one of
// service actions), 200 rules in 20 playbooks over the topics, channels and
// customer attributes of datagen's journeys, three metrics, arbitration
// weights, caps, cool-offs and quiet hours. Decisions are asked in six
// situations in turn (voice about billing, chat about a technical issue, an
// outbound call inside quiet hours, ...), on the day after the generator's
// year (after every customer's newest event: the live case, no replay).
//
// The decisions' state is folded apart from the context benchmarks' (another
// pass over the data set, about as long): it carries the ruleset's metrics,
// which would change the context figures, and feedback on earlier offers for
// a quarter of the customers, so that caps and cool-offs have something to
// count. The engine's (Decide/engine) is replayed from the disk log, which
// has no feedback.
//
//   Decide/compile        Ruleset::Compile of the generated text.
//   Decide/decision       Ruleset::Decide of uniformly random customers, each
//                         visited in the store (StateStore::Visit: what
//                         Engine::Decide does, minus its state lock), the
//                         dropped candidates in a Ruleset::Trace (what
//                         mot_decide pays before it serializes); the rules
//                         considered, dropped and ranked per decision.
//     /threads:2          the same on two threads: decisions/s on both
//                         cores (the sum of the threads' rates).
//   Decide/decision_formatted  the same with the trace formatted into the
//                         v1::Decision (Ruleset::Trace::AppendTo): what a
//                         caller that reads every dropped candidate pays.
//   Decide/decision_every_playbook  the worst case: every playbook matches
//                         every situation, so all 200 rules are considered;
//                         and .._formatted likewise.
//   Decide/engine         Engine::Decide, on an engine opened on the disk log
//                         with the ruleset (EngineOptions::ruleset_text).
//   Decide/reload_pause   the engine deciding on one thread: alone; while
//                         another thread compiles the ruleset in a loop (the
//                         control: the same competition for the cores); and
//                         while it calls LoadRuleset in a loop with
//                         rules-only changes (the same metrics: a swap, no
//                         rebuild). The latencies a caller sees in each
//                         phase, and the LoadRuleset calls' time.
//
// Latencies include a pair of clock reads (a few hundredths of a
// microsecond: Context/summary's clock_us). The ratio to a summary reads the
// figures of Context/summary at the same number of customers, when it ran
// before in the same process.

#include <time.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "decide/feedback.h"
#include "decide/ruleset.h"
#include "engine/engine.h"
#include "model/event_validation.h"
#include "tests/testing/event_source.h"
#include "model/journey_map.h"
#include "motive/v1/context.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "state/customer_state.h"
#include "state/interner.h"
#include "state/state_store.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

constexpr char kOrigin[] = "generated.textproto";
constexpr int kDecisionsPerIteration = 100;
constexpr double kBudgetP99Us = 20;

// --- the generated ruleset ---------------------------------------------------

struct Group {
  const char* name;
  int actions;
  bool service;
  int tier;  // Rule.priority of the rules proposing its actions
};
constexpr Group kGroups[] = {
    {"service_recovery", 8, true, 100},
    {"retention", 9, false, 10},
    {"upsell", 9, false, 0},
    {"cross_sell", 8, false, 0},
    {"education", 8, false, 0},
    {"loyalty", 8, false, 10},
};

struct ActionSpec {
  std::string id;
  std::string group;
  bool service;
  int tier;
};

// The 50 actions: "<group>_<n>".
std::vector<ActionSpec> Actions() {
  std::vector<ActionSpec> actions;
  for (const Group& g : kGroups) {
    for (int n = 1; n <= g.actions; ++n) {
      actions.push_back(
          {absl::StrCat(g.name, "_", n), g.name, g.service, g.tier});
    }
  }
  return actions;
}

struct PlaybookSpec {
  const char* name;
  const char* channels;    // a text-format list, "" for any
  const char* topics;      // likewise
  const char* directions;  // likewise
  const char* condition;
};
constexpr PlaybookSpec kPlaybooks[] = {
    {"second_bad_experience", "", "", "[INBOUND, OUTBOUND]",
     "customer.strikes >= 2"},
    {"repeat_unresolved", "[VOICE, CHAT]", "", "[INBOUND]",
     "has(last_contact.topic) && last_contact.topic == situation.topic && "
     "last_contact.outcome in ['unresolved', 'escalated', 'abandoned', "
     "'callback']"},
    {"billing_question", "", "['billing', 'refund']", "[INBOUND]", ""},
    {"technical_trouble", "[VOICE, CHAT, EMAIL]", "['technical_issue']",
     "[INBOUND]", ""},
    {"delivery_problem", "", "['delivery_delay']", "[INBOUND]", ""},
    {"upgrade_interest", "", "['upgrade']", "", ""},
    {"cancellation_request", "[VOICE, CHAT, STORE]", "['cancellation']",
     "[INBOUND]", ""},
    {"refund_request", "", "['refund']", "[INBOUND]", "customer.purchases > 0"},
    {"account_help", "", "['account']", "[INBOUND]", ""},
    {"high_churn_risk", "", "", "", "customer.churn_risk >= 0.5"},
    {"frequent_contacter", "", "", "[INBOUND]", "contacts.d30 >= 3"},
    {"unresolved_backlog", "", "", "", "metrics.unresolved_30d >= 1.0"},
    {"high_value", "", "", "",
     "has(metrics.spend_365d) && metrics.spend_365d >= 200.0"},
    {"basic_plan", "", "", "", "customer.attributes.plan == 'basic'"},
    {"annual_billing", "", "", "", "customer.attributes.billing == 'annual'"},
    {"europe", "", "", "", "customer.attributes.region in ['eu', 'uk']"},
    {"outbound_campaign", "", "", "[OUTBOUND]", ""},
    {"digital_channels", "[CHAT, WEB, MOBILE_APP]", "", "[INBOUND]", ""},
    {"detractor", "", "", "", "customer.nps_category == 'detractor'"},
    {"lapsed_buyer", "", "", "", "customer.days_since_purchase > 120"},
};
constexpr int kRulesPerPlaybook = 10;

// Rule conditions, drawn in turn; "" is true.
constexpr const char* kEligibility[] = {
    "customer.known",
    "",
    "customer.purchases > 0",
    "customer.attributes.plan in ['basic', 'plus']",
    "",
    "customer.attributes.plan != 'premium'",
    "customer.attributes.billing == 'monthly'",
    "customer.attributes.region != 'apac'",
    "customer.events >= 5",
};
constexpr const char* kApplicability[] = {
    "contacts.d30 >= 1",
    "",
    "last_contact.outcome == 'unresolved'",
    "has(last_contact.topic) && last_contact.topic == situation.topic",
    "customer.churn_risk >= 0.3",
    "metrics.unresolved_30d >= 1.0",
    "",
    "customer.days_since_purchase <= 90",
    "situation.channel in ['voice', 'chat']",
    "has(metrics.spend_365d) && metrics.spend_365d >= 100.0",
    "metrics.billing_contacts_90d >= 2.0",
};
constexpr const char* kSuitability[] = {
    "customer.strikes == 0",
    "",
    "customer.strikes < 2",
    "!customer.at_risk",
    "customer.sentiment_average > -0.2",
    "",
    "last_contact.outcome != 'abandoned'",
    "contacts.d7 < 3",
};
constexpr const char* kWeights[] = {
    "",
    "1.0 + customer.churn_risk",
    "",
    "2.0 - customer.churn_risk",
    "1.0 + double(contacts.d30) / 10.0",
};
// Agent scripts, two or three placeholders each.
constexpr const char* kScripts[] = {
    "{customer.first_name|Hello}, I see {contacts.d30} contacts in the last "
    "30 days about {situation.topic|your account}.",
    "As a {customer.plan|valued} customer billed {customer.billing|monthly}, "
    "you qualify for this ({metrics.spend_365d|no} spend this year).",
    "Churn risk {customer.churn_risk}: {customer.strikes} bad experiences; "
    "the last contact ended {last_contact.outcome|well}.",
    "{metrics.unresolved_30d} unresolved contacts in 30 days: open with an "
    "apology about {last_contact.topic|the last issue}.",
    "Customers in {customer.region|your region} on {customer.plan|the} plan "
    "save most with this; {metrics.billing_contacts_90d} billing questions "
    "this quarter.",
};
constexpr const char* kChannels[] = {
    "",
    "[VOICE, CHAT]",
    "[VOICE, CHAT, EMAIL]",
    "",
    "[CHAT, WEB, MOBILE_APP, EMAIL]",
    "[VOICE, CHAT, STORE, EMAIL, SMS]",
};

struct RulesetOptions {
  // No situation filter and no condition on any playbook: every decision
  // considers all 200 rules (the worst case).
  bool every_playbook_matches = false;
  // Changes the version and a lever: a rules-only change, for reloads.
  int revision = 0;
};

template <typename T, size_t N>
const T& Pick(const T (&pool)[N], size_t i) {
  return pool[i % N];
}

std::string RulesetText(const RulesetOptions& options) {
  std::string text =
      absl::StrCat("version: \"bench-", options.revision,
                   options.every_playbook_matches ? "-every" : "", "\"\n");
  absl::StrAppend(&text, R"pb(
    metrics {
      name: "unresolved_30d"
      aggregation: COUNT
      filter: "event.type == 'contact' && event.outcome == 'unresolved'"
      window: "30d"
    }
    metrics {
      name: "spend_365d"
      aggregation: SUM
      field: "value"
      filter: "event.type == 'purchase' || event.type == 'renewal'"
      window: "365d"
    }
    metrics {
      name: "billing_contacts_90d"
      aggregation: COUNT
      filter: "event.type == 'contact' && event.topic == 'billing'"
      window: "90d"
    }
  )pb");
  const std::vector<ActionSpec> actions = Actions();
  // A campaign that runs past the decisions' day, and one that ended.
  const int64_t as_of_s = kAsOfUs / 1000000;
  for (size_t i = 0; i < actions.size(); ++i) {
    const ActionSpec& a = actions[i];
    absl::StrAppendFormat(&text,
                          "actions {\n  id: \"%s\"\n  title: \"%s, option "
                          "%d\"\n  group: \"%s\"\n  value: %d\n",
                          a.id, a.group, i, a.group, 1 + (i * 7) % 5);
    if (a.service) absl::StrAppend(&text, "  service: true\n");
    if (const char* channels = Pick(kChannels, i); *channels != '\0') {
      absl::StrAppend(&text, "  channels: ", channels, "\n");
    }
    if (i % 10 == 4) {
      absl::StrAppendFormat(&text,
                            "  valid_from { seconds: %d }\n"
                            "  valid_until { seconds: %d }\n",
                            as_of_s - 30 * 86400,
                            as_of_s + (i % 20 == 4 ? 30 : -3) * 86400);
    }
    absl::StrAppend(&text, "  script: \"", Pick(kScripts, i), "\"\n}\n");
  }
  size_t rule = 0;
  for (size_t p = 0; p < std::size(kPlaybooks); ++p) {
    const PlaybookSpec& pb = kPlaybooks[p];
    absl::StrAppend(&text, "playbooks {\n  name: \"", pb.name, "\"\n");
    if (!options.every_playbook_matches) {
      if (*pb.channels)
        absl::StrAppend(&text, "  channels: ", pb.channels, "\n");
      if (*pb.topics) absl::StrAppend(&text, "  topics: ", pb.topics, "\n");
      if (*pb.directions) {
        absl::StrAppend(&text, "  directions: ", pb.directions, "\n");
      }
      if (*pb.condition) {
        absl::StrAppend(&text, "  condition: \"", pb.condition, "\"\n");
      }
    }
    for (int r = 0; r < kRulesPerPlaybook; ++r, ++rule) {
      // Strides prime to the pools' sizes, so that each playbook gets a
      // different mix.
      const ActionSpec& a = actions[(p * 17 + r * 11) % actions.size()];
      absl::StrAppendFormat(&text,
                            "  rules {\n    name: \"r%d_%s\"\n    action: "
                            "\"%s\"\n    priority: %d\n",
                            r, a.id, a.id, a.tier);
      const struct {
        const char* field;
        const char* source;
      } conditions[] = {
          {"eligibility", Pick(kEligibility, p + r)},
          {"applicability", Pick(kApplicability, p * 3 + r)},
          {"suitability", Pick(kSuitability, p + 2 * r)},
          {"weight", Pick(kWeights, rule)},
      };
      for (const auto& c : conditions) {
        if (*c.source) {
          absl::StrAppend(&text, "    ", c.field, ": \"", c.source, "\"\n");
        }
      }
      absl::StrAppend(&text,
                      "    reason: \"{customer.strikes} strikes, churn risk "
                      "{customer.churn_risk}, last contact about "
                      "{last_contact.topic|nothing}\"\n  }\n");
    }
    absl::StrAppend(&text, "}\n");
  }
  absl::StrAppendFormat(
      &text, R"pb(
        arbitration {
          prior_accepts: 1
          prior_rejects: 3
          weights { group: "retention" context_weight: 1.5 lever: 1.2 }
          weights { group: "upsell" lever: %.1f }
          weights { group: "cross_sell" lever: 0.9 }
          weights { group: "education" lever: 0.8 }
          weights { group: "loyalty" context_weight: 1.2 }
          weights { action: "upsell_1" lever: 1.5 }
          weights { action: "education_3" lever: 0 }
        }
        contact_policy {
          caps { group: "upsell" max: 1 window: "30d" }
          caps { group: "retention" max: 1 window: "30d" }
          caps { group: "cross_sell" max: 2 window: "30d" }
          caps { channel: EMAIL max: 2 window: "30d" }
          caps { action: "loyalty_1" max: 1 window: "90d" }
          caps { max: 3 window: "7d" }
          cool_offs { rejections: 2 within: "30d" suppress_for: "60d" }
          cool_offs {
            group: "cross_sell"
            rejections: 1
            within: "14d"
            suppress_for: "30d"
          }
          quiet_hours {
            start: "21:00"
            end: "08:00"
            time_zone_attribute: "time_zone"
            default_time_zone: "Europe/London"
          }
          max_results: 3
        }
      )pb",
      1.0 + 0.1 * options.revision);
  return text;
}

std::shared_ptr<const decide::Ruleset> CompileOrFail(const std::string& text,
                                                     state::Interner& strings) {
  auto rules = decide::Ruleset::Compile(text, kOrigin, strings);
  if (!rules.ok()) Fail(rules.status().ToString());
  return *std::move(rules);
}

// The situations decisions are asked in, in turn: at half past the hour on
// the day after the generator's year (London time is UTC in January).
const std::vector<v1::Situation>& Situations() {
  static const std::vector<v1::Situation>* const situations = [] {
    const struct {
      v1::Channel channel;
      const char* topic;
      v1::Direction direction;
      int hour;
    } kCases[] = {
        {v1::VOICE, "billing", v1::INBOUND, 14},
        {v1::CHAT, "technical_issue", v1::INBOUND, 15},
        {v1::VOICE, "cancellation", v1::INBOUND, 11},
        {v1::EMAIL, "delivery_delay", v1::INBOUND, 9},
        {v1::CHAT, "upgrade", v1::INBOUND, 19},
        // A dialer's call inside quiet hours: its marketing is held.
        {v1::VOICE, "upgrade", v1::OUTBOUND, 21},
    };
    auto* out = new std::vector<v1::Situation>;
    for (const auto& c : kCases) {
      v1::Situation& s = out->emplace_back();
      s.set_channel(c.channel);
      s.set_topic(c.topic);
      s.set_direction(c.direction);
      s.set_agent_id("A0042");
      *s.mutable_time() = model::FromUnixMicros(
          kAsOfUs - kDayUs + (c.hour * 60 + 30) * int64_t{60} * 1000000);
    }
    return out;
  }();
  return *situations;
}

// --- the decisions' state ----------------------------------------------------

struct DecideData {
  std::unique_ptr<Population> population;
  std::shared_ptr<const decide::Ruleset> rules;
  std::shared_ptr<const decide::Ruleset> every_playbook;
  uint64_t feedback = 0;  // events added to the data set's
};

// Adds feedback on earlier offers to about a quarter of the customers' events:
// one to four responses in the 45 days before the decisions' day.
class FeedbackMaker {
 public:
  void AddTo(std::vector<v1::Event>& events) {
    if (events.empty() || random_() % 4 != 0) return;
    const int n = 1 + static_cast<int>(random_() % 4);
    for (int i = 0; i < n; ++i) {
      const ActionSpec& action = actions_[random_() % actions_.size()];
      decide::Feedback f;
      f.customer_id = events.front().customer_id();
      f.decision_id = absl::StrCat("d-bench-", ++made_);
      f.action = action.id;
      constexpr v1::FeedbackOutcome kOutcomes[] = {
          v1::OFFERED, v1::REJECTED, v1::REJECTED, v1::ACCEPTED, v1::IGNORED};
      f.outcome = Pick(kOutcomes, random_());
      constexpr v1::Channel kChannels[] = {v1::VOICE, v1::CHAT, v1::EMAIL};
      f.channel = Pick(kChannels, random_());
      f.time_us = kAsOfUs - 2 * kDayUs -
                  static_cast<int64_t>(random_() % (45 * kDayUs));
      absl::StatusOr<v1::Event> event =
          decide::FeedbackEvent(f, action.group, kAsOfUs);
      if (!event.ok()) Fail(event.status().ToString());
      if (absl::Status s = model::PrepareEvent(
              &*event, model::JourneyMap::Default(), Clock());
          !s.ok()) {
        Fail(s.ToString());
      }
      events.push_back(*std::move(event));
    }
  }
  uint64_t made() const { return made_; }

 private:
  const std::vector<ActionSpec> actions_ = Actions();
  std::mt19937_64 random_{11};
  uint64_t made_ = 0;
};

const DecideData& Data() {
  static const DecideData* const data = [] {
    auto* d = new DecideData;
    const std::string text = RulesetText({});
    absl::StatusOr<v1::Ruleset> parsed = decide::Ruleset::Parse(text, kOrigin);
    if (!parsed.ok()) Fail(parsed.status().ToString());
    // As the engine merges them into its (here empty) context configuration.
    v1::ContextConfig config;
    *config.mutable_metrics() = parsed->metrics();
    absl::StatusOr<state::StateConfig> state_config =
        state::StateConfig::FromProto(config);
    if (!state_config.ok()) Fail(state_config.status().ToString());
    FeedbackMaker feedback;
    d->population = BuildPopulation(
        *std::move(state_config),
        [&](std::vector<v1::Event>& events) { feedback.AddTo(events); });
    d->feedback = feedback.made();
    state::Interner& strings = d->population->store->strings();
    d->rules = CompileOrFail(text, strings);
    d->every_playbook =
        CompileOrFail(RulesetText({.every_playbook_matches = true}), strings);
    return d;
  }();
  return *data;
}

// The engine on the disk log with the generated ruleset, opened once; its
// state is replayed (no snapshot: the context benchmarks' has no metrics).
struct OpenedEngine {
  std::unique_ptr<engine::Engine> engine;
  double open_seconds = 0;
};

const OpenedEngine& DecideEngine() {
  static const OpenedEngine* const opened = [] {
    const DiskLog& log = Log();
    auto* o = new OpenedEngine;
    engine::EngineOptions options = EngineOptionsFor(store::Durability::kGroup);
    options.ruleset_text = RulesetText({});
    options.ruleset_origin = kOrigin;
    options.snapshot_path = "-";
    Progress("opening the engine with the ruleset (a full replay)");
    const absl::Time start = absl::Now();
    auto engine = engine::Engine::Open(log.path, std::move(options));
    if (!engine.ok()) Fail(engine.status().ToString());
    o->open_seconds = absl::ToDoubleSeconds(absl::Now() - start);
    o->engine = *std::move(engine);
    Progress(absl::StrFormat("opened in %.1f s", o->open_seconds));
    return o;
  }();
  return *opened;
}

// --- measuring decisions -----------------------------------------------------

// Decisions for random customers in the situations in turn, each timed, and
// what they considered. One per thread.
class DecisionRun {
 public:
  // Threads start at different places in the same random ids.
  explicit DecisionRun(int thread)
      : ids_(RandomIds(Customers())), next_(thread * 7919) {
    latencies_.Reserve(1 << 20);
  }

  // Decides for the next customer with `decide(id, situation, &decision,
  // &trace)` (true when it answered; the trace holds the dropped candidates
  // when `decision` does not). False when it did not.
  template <typename DecideFn>
  bool Next(DecideFn&& decide) {
    const std::string& id = ids_[next_ % ids_.size()];
    const std::vector<v1::Situation>& situations = Situations();
    const v1::Situation& situation = situations[next_ % situations.size()];
    ++next_;
    const absl::Time start = absl::Now();
    const bool answered = decide(id, situation, &decision_, &trace_);
    const absl::Duration took = absl::Now() - start;
    if (!answered) return false;
    latencies_.Add(took);
    max_ = std::max(max_, took);
    ++decisions_;
    ranked_ += decision_.actions_size();
    dropped_ += decision_.dropped_size() + trace_.size();
    playbooks_ += decision_.playbooks_size();
    return true;
  }

  Latencies& latencies() { return latencies_; }
  int64_t decisions() const { return decisions_; }
  double max_us() const { return absl::ToDoubleMicroseconds(max_); }
  double PerDecision(int64_t n) const {
    return decisions_ ? static_cast<double>(n) / decisions_ : 0;
  }

  // p50/p99, and per decision: the rules considered (ranked or dropped), the
  // dropped, the ranked and the playbooks that matched (averaged over
  // threads).
  void Report(benchmark::State& state) {
    latencies_.Report(state);
    auto avg = [](double v) {
      return benchmark::Counter(v, benchmark::Counter::kAvgThreads);
    };
    state.counters["rules"] = avg(PerDecision(ranked_ + dropped_));
    state.counters["dropped"] = avg(PerDecision(dropped_));
    state.counters["ranked"] = avg(PerDecision(ranked_));
    state.counters["playbooks"] = avg(PerDecision(playbooks_));
  }

  std::string Describe() {
    return absl::StrFormat(
        "p50 %.2f us, p99 %.2f us (budget p99 <= %.0f); per decision %.1f "
        "rules considered in %.1f playbooks, %.1f dropped, %.1f ranked",
        latencies_.Percentile(0.5), latencies_.Percentile(0.99), kBudgetP99Us,
        PerDecision(ranked_ + dropped_), PerDecision(playbooks_),
        PerDecision(dropped_), PerDecision(ranked_));
  }

 private:
  const std::vector<std::string> ids_;
  size_t next_;
  v1::Decision decision_;
  decide::Ruleset::Trace trace_;
  Latencies latencies_;
  absl::Duration max_;
  int64_t decisions_ = 0;
  int64_t ranked_ = 0;
  int64_t dropped_ = 0;
  int64_t playbooks_ = 0;
};

double ThreadCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// The decision's latencies over the summary's, when Context/summary ran at
// the same number of customers in this process.
std::string RatioToSummary(benchmark::State& state, Latencies& latencies) {
  const double summary_p50 = Baseline("summary_p50_us");
  const double summary_p99 = Baseline("summary_p99_us");
  if (summary_p50 <= 0 || summary_p99 <= 0) return "";
  const double p50 = latencies.Percentile(0.5) / summary_p50;
  const double p99 = latencies.Percentile(0.99) / summary_p99;
  state.counters["x_summary_p50"] = p50;
  state.counters["x_summary_p99"] = p99;
  return absl::StrFormat(
      "; %.0fx a summary at p50 (%.2f us), %.0fx at p99 "
      "(%.2f us)",
      p50, summary_p50, p99, summary_p99);
}

// Decisions on the whole population; the whole state is the same for every
// thread. `decisions` sums the threads' decisions for the note.
void BM_Decision(benchmark::State& state, bool every_playbook,
                 bool formatted) {
  static std::atomic<int64_t> decisions{0};
  const DecideData& data = Data();
  const decide::Ruleset& rules =
      every_playbook ? *data.every_playbook : *data.rules;
  const state::StateStore& store = *data.population->store;
  if (state.thread_index() == 0) decisions = 0;
  DecisionRun run(state.thread_index());
  absl::Status decided;
  auto decide = [&](const std::string& id, const v1::Situation& situation,
                    v1::Decision* out, decide::Ruleset::Trace* trace) {
    const int64_t as_of = model::ToUnixMicros(situation.time());
    const auto found =
        store.Visit(id, as_of, [&](const state::CustomerState& customer) {
          decided = formatted ? rules.Decide(id, situation, customer, store, out)
                              : rules.Decide(id, situation, customer, store,
                                             out, trace);
        });
    return found == state::StateStore::Found::kAnswered && decided.ok();
  };
  const absl::Time start = absl::Now();
  const double cpu_start = ThreadCpuSeconds();
  for (auto _ : state) {
    for (int i = 0; i < kDecisionsPerIteration; ++i) {
      if (!run.Next(decide)) {
        state.SkipWithError(
            absl::StrCat("a decision was not made: ", decided.ToString())
                .c_str());
        return;
      }
    }
    decisions += kDecisionsPerIteration;
  }
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  // How much of a core this thread had: on a shared machine, what bounds
  // the threads' throughput.
  const double cpu_share = (ThreadCpuSeconds() - cpu_start) / seconds;
  state.SetItemsProcessed(run.decisions());
  // Each thread's rate; Google Benchmark sums them: both cores' throughput.
  state.counters["decisions/s"] = run.decisions() / seconds;
  state.counters["cpu_share"] =
      benchmark::Counter(cpu_share, benchmark::Counter::kAvgThreads);
  run.Report(state);
  if (state.thread_index() != 0) return;
  const int threads = state.threads();
  std::string line = absl::StrFormat(
      "decision%s%s, %d customers, %d thread%s: %s; %.0f decisions/s (the "
      "first thread had %.0f%% of a core)",
      every_playbook ? " (every playbook matches)" : "",
      formatted ? ", its trace formatted" : "", Customers(), threads,
      threads > 1 ? "s" : "", run.Describe(), decisions / seconds,
      100 * cpu_share);
  if (threads == 1)
    absl::StrAppend(&line, RatioToSummary(state, run.latencies()));
  Note("d1 data",
       absl::StrFormat("decisions' state: %d customers, %d events (%d of them "
                       "feedback), folded with the ruleset's 3 metrics in "
                       "%.1f s",
                       Customers(), data.population->events, data.feedback,
                       absl::ToDoubleSeconds(data.population->build)));
  Note(absl::StrCat("d2 decision ", every_playbook, " ", threads, " ",
                    formatted),
       line);
}

void BM_Compile(benchmark::State& state) {
  const std::string text = RulesetText({});
  Latencies latencies;
  size_t rules = 0;
  size_t actions = 0;
  for (auto _ : state) {
    state::Interner strings;
    const absl::Time start = absl::Now();
    std::shared_ptr<const decide::Ruleset> compiled =
        CompileOrFail(text, strings);
    latencies.Add(absl::Now() - start);
    rules = compiled->rule_count();
    actions = compiled->action_count();
  }
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["actions"] = static_cast<double>(actions);
  state.counters["text_KB"] = text.size() / 1024.0;
  const double p50_ms = latencies.Percentile(0.5) / 1000;
  Note("d0 compile",
       absl::StrFormat("ruleset compile (%d actions, %d rules, %.0f KB of "
                       "text): %.2f ms",
                       actions, rules, text.size() / 1024.0, p50_ms));
}

// Engine::Decide as a caller would call it.
auto EngineDecide(engine::Engine& engine, absl::Status* decided) {
  return [&engine, decided](const std::string& id,
                            const v1::Situation& situation, v1::Decision* out,
                            decide::Ruleset::Trace*) {
    *decided = engine.Decide(id, situation, out);
    return decided->ok();
  };
}

void BM_Engine(benchmark::State& state) {
  const OpenedEngine& opened = DecideEngine();
  DecisionRun run(0);
  absl::Status decided;
  auto decide = EngineDecide(*opened.engine, &decided);
  for (auto _ : state) {
    for (int i = 0; i < kDecisionsPerIteration; ++i) {
      if (!run.Next(decide)) {
        state.SkipWithError(decided.ToString().c_str());
        return;
      }
    }
  }
  state.SetItemsProcessed(run.decisions());
  run.Report(state);
  state.counters["open_s"] = opened.open_seconds;
  Note("d3 engine",
       absl::StrFormat("Engine::Decide, %d customers, engine opened on the "
                       "disk log with the ruleset in %.1f s: %s%s",
                       Customers(), opened.open_seconds, run.Describe(),
                       RatioToSummary(state, run.latencies())));
}

// What the second thread of Decide/reload_pause did: `work` in a loop
// until stopped, each call timed.
struct Background {
  Latencies calls;
  absl::Duration max;
  int64_t count = 0;
  absl::Status status;
};

// Decides on the engine for `phase` on this thread while another thread
// calls `work` (null: nothing) in a loop.
DecisionRun DecideWhile(engine::Engine& engine, absl::Duration phase,
                        benchmark::State& state,
                        std::function<absl::Status(int)> work,
                        Background* background) {
  std::atomic<bool> stop{false};
  std::thread other;
  if (work) {
    other = std::thread([&] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const absl::Time start = absl::Now();
        background->status = work(i);
        const absl::Duration took = absl::Now() - start;
        if (!background->status.ok()) return;
        background->calls.Add(took);
        background->max = std::max(background->max, took);
        ++background->count;
      }
    });
  }
  DecisionRun run(0);
  absl::Status decided;
  auto decide = EngineDecide(engine, &decided);
  const absl::Time end = absl::Now() + phase;
  while (absl::Now() < end) {
    for (int i = 0; i < kDecisionsPerIteration; ++i) {
      if (!run.Next(decide)) {
        state.SkipWithError(decided.ToString().c_str());
        break;
      }
    }
  }
  stop = true;
  if (other.joinable()) other.join();
  if (work && !background->status.ok()) {
    state.SkipWithError(background->status.ToString().c_str());
  }
  return run;
}

// Three phases of decisions on the engine: alone; while another thread
// compiles the ruleset in a loop without loading it (the same competition
// for the cores, no swap); while it calls LoadRuleset in a loop. The
// difference between the last two is what the swaps cost the decisions.
void BM_ReloadPause(benchmark::State& state) {
  engine::Engine& engine = *DecideEngine().engine;
  const absl::Duration phase = absl::Seconds(ShortMode() ? 0.2 : 3);
  // Rules-only changes: the same metrics, so every load is a swap.
  const std::string texts[2] = {RulesetText({.revision = 1}),
                                RulesetText({.revision = 2})};
  for (auto _ : state) {
    DecisionRun alone = DecideWhile(engine, phase, state, nullptr, nullptr);
    Background compiles;
    state::Interner strings;
    DecisionRun compiling = DecideWhile(
        engine, phase, state,
        [&](int i) {
          return decide::Ruleset::Compile(texts[i % 2], kOrigin, strings)
              .status();
        },
        &compiles);
    Background loads;
    DecisionRun reloading = DecideWhile(
        engine, phase, state,
        [&](int i) { return engine.LoadRuleset(texts[i % 2], kOrigin); },
        &loads);
    if (state.error_occurred()) return;

    auto figures = [](DecisionRun& run) {
      return absl::StrFormat("%.2f / %.2f / %.0f",
                             run.latencies().Percentile(0.5),
                             run.latencies().Percentile(0.99), run.max_us());
    };
    state.counters["p99_us_alone"] = alone.latencies().Percentile(0.99);
    state.counters["p99_us_compiling"] = compiling.latencies().Percentile(0.99);
    state.counters["p99_us_reloading"] = reloading.latencies().Percentile(0.99);
    state.counters["max_us_alone"] = alone.max_us();
    state.counters["max_us_compiling"] = compiling.max_us();
    state.counters["max_us_reloading"] = reloading.max_us();
    state.counters["loads"] = static_cast<double>(loads.count);
    state.counters["load_ms_p50"] = loads.calls.Percentile(0.5) / 1000;
    state.counters["load_ms_max"] = absl::ToDoubleMilliseconds(loads.max);
    Note(
        "d4 reload",
        absl::StrFormat(
            "hot reload (rules-only change: a swap), deciding on the engine, "
            "p50 / p99 / max in us: %s while another thread calls "
            "LoadRuleset in a loop (%d loads, each %.1f ms at p50, %.1f ms "
            "max, compile included, outside the lock); %s while it only "
            "compiles (the same competition for the cores, no swap); %s "
            "alone",
            figures(reloading), loads.count, loads.calls.Percentile(0.5) / 1000,
            absl::ToDoubleMilliseconds(loads.max), figures(compiling),
            figures(alone)));
  }
}

// Decide/whatif: Engine::WhatIf of the generated ruleset against a revision
// of it (a lever changed: a rules-only change) over the journeys of the first kWhatIfCustomers
// customers (an in-memory engine): contacts replayed per second, each
// decided with both rulesets, and decisions per second (two per contact),
// whose budget is 50k/s on one core. The baseline, in the same run: the
// same contacts' decisions asked one by one through Engine::Decide as of
// each contact's time, which replays the customer from the log each time
// (the first kWhatIfBaselineContacts contacts).
constexpr uint64_t kWhatIfCustomers = 20000;
constexpr size_t kWhatIfBaselineContacts = 2000;

void BM_WhatIf(benchmark::State& state) {
  const uint64_t customers = std::min(Customers(), kWhatIfCustomers);
  engine::EngineOptions options = EngineOptionsFor(store::Durability::kGroup);
  options.ruleset_text = RulesetText({});
  absl::StatusOr<std::unique_ptr<engine::Engine>> opened =
      engine::Engine::Open(":memory:", std::move(options));
  if (!opened.ok()) Fail(opened.status().ToString());
  engine::Engine& engine = **opened;
  std::vector<v1::Event> all;
  ForEachCustomer(customers, [&](std::vector<v1::Event>& events) {
    for (v1::Event& e : events) all.push_back(std::move(e));
  });
  std::vector<v1::Event> contacts;
  for (const v1::Event& e : all) {
    if (e.moment() == v1::INTERIM && contacts.size() < kWhatIfBaselineContacts) {
      contacts.push_back(e);
    }
  }
  motive::testing::EventSource source(std::move(all));
  engine::IngestCounts counts;
  if (absl::Status s = engine.Ingest(source, engine::IngestOptions(), &counts);
      !s.ok()) {
    Fail(s.ToString());
  }
  const std::string rules = RulesetText({});
  const std::string against = RulesetText({.revision = 1});
  uint64_t replayed = 0;
  absl::Duration timed;
  for (auto _ : state) {
    const absl::Time start = absl::Now();
    absl::StatusOr<v1::WhatIfReport> report =
        engine.WhatIf(rules, "bench", against, "revision", {});
    timed += absl::Now() - start;
    if (!report.ok()) {
      state.SkipWithError(report.status().ToString().c_str());
      return;
    }
    replayed += report->decisions();
  }
  const double contacts_per_s = replayed / absl::ToDoubleSeconds(timed);
  // The baseline: one decision per contact, as of its time.
  const absl::Time start = absl::Now();
  for (const v1::Event& contact : contacts) {
    v1::Situation situation;
    situation.set_channel(contact.channel());
    situation.set_topic(contact.topic());
    situation.set_direction(v1::INBOUND);
    *situation.mutable_time() = contact.occurred_at();
    v1::Decision decision;
    if (!engine.Decide(contact.customer_id(), situation, &decision).ok()) {
      state.SkipWithError("a baseline decision failed");
      return;
    }
  }
  const double baseline =
      contacts.size() / absl::ToDoubleSeconds(absl::Now() - start);
  state.counters["contacts/s"] = contacts_per_s;
  state.counters["decisions/s"] = 2 * contacts_per_s;
  state.counters["baseline_decisions/s"] = baseline;
  state.counters["x_baseline"] = 2 * contacts_per_s / baseline;
  Note("4 decide",
       absl::StrFormat("what-if replay, %d customers: %.0f contacts/s, %.0f "
                       "decisions/s (budget 50,000); %.1fx deciding each as "
                       "of its time through Engine::Decide",
                       customers, contacts_per_s, 2 * contacts_per_s,
                       2 * contacts_per_s / baseline));
}

BENCHMARK(BM_Compile)->Name("Decide/compile")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decision, typical, false, false)
    ->Name("Decide/decision");
BENCHMARK_CAPTURE(BM_Decision, typical, false, false)
    ->Name("Decide/decision")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Decision, formatted, false, true)
    ->Name("Decide/decision_formatted");
BENCHMARK_CAPTURE(BM_Decision, every_playbook, true, false)
    ->Name("Decide/decision_every_playbook");
BENCHMARK_CAPTURE(BM_Decision, every_playbook_formatted, true, true)
    ->Name("Decide/decision_every_playbook_formatted");
BENCHMARK(BM_Engine)->Name("Decide/engine");
BENCHMARK(BM_WhatIf)
    ->Name("Decide/whatif")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_ReloadPause)
    ->Name("Decide/reload_pause")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace motive::bench
