// A customer's context as the expression language sees it: the variables
// that rules are checked against when they load and evaluated with when a
// customer calls.
//
// Each is a map from string to a value; the keys below, with the values'
// types, which the checker knows (DeclareContextVariables).
// A value the customer does not have (no sentiment yet, no survey answer, no
// contact) is an absent key, not a zero: `has(customer.csat)` tells, and a
// rule that reads it anyway fails (counts as not matching) rather than
// matching on a made-up value. Definitions are in signals.h.
//
// customer
//   id                   string
//   known                bool: any event at or before the as-of time
//   events               int: events folded in, all time
//   first_seen, last_seen            timestamp (absent when not known)
//   stage                string: "discovery" ... "advocacy" (absent: none)
//   strikes              int: bad experiences in the signal window
//   at_risk              bool: strikes >= strikes_to_leave
//   open_issues          int: topics whose latest contact ended unresolved
//   sentiment            double: the latest sentiment
//   sentiment_average    double: the mean over the signal window
//   sentiment_trend      double: weighted mean minus window mean
//   purchases            int: purchases and renewals, all time
//   lifetime_value       double
//   last_purchase        timestamp
//   days_since_purchase  int
//   csat, nps            int: the latest survey answers
//   nps_category         string: "detractor", "passive" or "promoter"
//   churn_risk           double in [0, 1]
//   negative_zero_moment int: negative reviews and social mentions in the
//                        signal window
//   attributes           map: the latest value of each attribute (string,
//                        double or bool); empty when none were bound
// contacts (all present)
//   d7, d30, d90         int: contacts in the last 7, 30 and 90 days
//   by_channel_30d       map from channel name ("voice") to int; channels
//                        without a contact are absent
//   repeats, transfers, hold_ms      int: over contacts in the signal
//                        window (SignalConfig.window_days)
// last_contact (an empty map when the customer has had no contact)
//   time                 timestamp
//   channel, outcome     string: lower-case names, "" when unspecified
//   topic, agent_id      string, "" when the contact had none
//   transfers, hold_ms   int
//   sentiment            double (absent when the contact had none)
//   repeat               bool
// metrics
//   <metric name>        double for numbers (COUNT and DISTINCT_COUNT
//                        included), string for text; absent when the metric
//                        has nothing in its window (COUNT and DISTINCT_COUNT
//                        are 0 then)
//
// Thread-safety: the functions are; an Activation and an Arena belong to one
// thread.

#ifndef MOTIVE_STATE_CONTEXT_VARIABLES_H_
#define MOTIVE_STATE_CONTEXT_VARIABLES_H_

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "expr/environment.h"
#include "expr/program.h"
#include "expr/value.h"
#include "motive/v1/context.pb.h"
#include "state/interner.h"
#include "state/metrics.h"
#include "state/signals.h"

namespace motive::state {

// Declares `customer`, `contacts`, `last_contact` and `metrics` as records
// (expr/type.h) with the fields and types above, so that the checker refuses
// `customer.strikes >= 'two'` or `customer.strike` when a rule loads.
// `customer.attributes` is a map(string, dyn). `metrics` is open: the
// `metrics` given are typed (double, or dyn for LAST, whose kind follows its
// field), any other name is dyn. InvalidArgument when one is already
// declared.
absl::Status DeclareContextVariables(
    expr::Environment* env,
    absl::Span<const v1::MetricDefinition* const> metrics = {});

// The environment rules are checked against, in one place so that the
// engine's and the ruleset's cannot drift: `event` (state/event_value.h),
// `now` (a timestamp) and the four context variables above, with `metrics`
// typed. The ruleset declares `situation` on top of it.
std::unique_ptr<expr::Environment> NewRuleEnvironment(
    absl::Span<const v1::MetricDefinition* const> metrics = {});

// Whether `key` is one of the built-in keys of `customer` listed above
// (attributes included), whether or not a given customer has it.
bool IsCustomerKey(absl::string_view key);

// One user metric's value, by name.
struct NamedMetric {
  absl::string_view name;
  MetricResult result;
};

// Which fields of the four variables a binding fills in. A ruleset's rules
// read a few of the context's fields, and every decision binds the context
// anew: a caller that knows what its programs read (expr::Program::reads)
// binds only that. A field left out is absent from its map, which no
// program that does not read it can tell.
class ContextFields {
 public:
  // Every field of every variable: what a caller that cannot tell binds.
  static const ContextFields& All();

  // No field of any variable; Add what the programs read.
  ContextFields() = default;

  // Adds what `program` reads of the four variables. A variable read as a
  // whole (`size(customer)`, `customer['csat']`) is bound whole; `metrics`,
  // whose names are the configuration's, whole when read at all.
  void Add(const expr::Program& program);

  bool reads_metrics() const { return metrics_; }
  // customer.attributes, built from the state's attributes.
  bool reads_attributes() const;

 private:
  friend absl::Status BindContext(const Summary&, absl::string_view,
                                  const Interner&,
                                  absl::Span<const NamedMetric>,
                                  absl::Span<const expr::MapValue::Entry>,
                                  const ContextFields&, expr::Activation*,
                                  expr::Arena*);

  // Per record (customer, contacts, last_contact): bit i for the record's
  // field i in its declared order.
  uint64_t records_[3] = {};
  bool metrics_ = false;
};

// Binds the four variables from `summary` into `activation` (made for an
// environment that DeclareContextVariables declared them in), with
// `metrics` as the metrics map and `attributes` as customer.attributes.
// Maps are allocated in `arena`; text values view their sources, which must
// outlive the bound values: `customer_id`, the metric names, the attribute
// entries, the summary's strings and `strings` (which resolves text metric
// values). Only `fields` are bound. Errors: NotFound when a variable is not
// declared; InvalidArgument for a repeated metric name or attribute key.
absl::Status BindContext(const Summary& summary, absl::string_view customer_id,
                         const Interner& strings,
                         absl::Span<const NamedMetric> metrics,
                         absl::Span<const expr::MapValue::Entry> attributes,
                         const ContextFields& fields,
                         expr::Activation* activation, expr::Arena* arena);

// As above, with no metrics and no attributes (empty maps).
absl::Status BindContext(const Summary& summary, absl::string_view customer_id,
                         const Interner& strings, expr::Activation* activation,
                         expr::Arena* arena);

}  // namespace motive::state

#endif  // MOTIVE_STATE_CONTEXT_VARIABLES_H_
