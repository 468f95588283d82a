// Synthetic customer journeys, for demos, tests and benchmarks.
//
// The generator writes motive.v1.Event records as JSON Lines (protobuf's JSON
// mapping, field names as in event.proto, enums in lower case), one customer
// at a time and in event-time order within a customer. It writes the JSON
// text itself, so it links neither protobuf nor motive and can be used by any
// tool that needs data.
//
// A journey walks through the moments of truth: research before the purchase
// (web visits, reviews, social mentions, help searches: the zero moment), the
// purchase or sign-up (first), delivery, activation and usage (second),
// contacts with the company on voice, chat, email or SMS (interim), and
// surveys, renewals and referrals after it (third). Bad experiences have
// consequences: an unresolved contact is often followed by another on the
// same topic, and after about three bad experiences a customer may churn and
// warn others (less-than-zero). Each customer has a persona (happy, neutral,
// frustrated, at risk, advocate) that steers sentiment, outcomes and how
// often they call.
//
// Every value is within motive's limits (src/model/event_validation.h) as long
// as the window lies between 1990 and today: the default is the year 2025.
//
// Determinism: the output depends only on the options. Customer n's journey
// depends only on the seed, the time window, the mean and n, not on how many
// customers are generated, so a customer chosen from a small run looks the
// same in a large one. Randomness comes from std::mt19937_64, whose output the
// C++ standard fixes, turned into numbers by this file's own code rather than
// by std:: distributions (whose output differs between standard libraries).
// The continuous values use std::log, std::exp, std::cos, std::sqrt and
// std::tanh; a math library that rounds those differently in the last bit
// could, rarely, give a different value.

#ifndef MOTIVE_EXAMPLES_DATAGEN_JOURNEY_GENERATOR_H_
#define MOTIVE_EXAMPLES_DATAGEN_JOURNEY_GENERATOR_H_

#include <cstdint>
#include <string>

namespace motive::datagen {

// 2025-01-01T00:00:00Z.
inline constexpr int64_t kDefaultStartUnixSeconds = 1735689600;

// No customer gets more events than this.
inline constexpr uint64_t kMaxEventsPerCustomer = 10000;

struct GeneratorOptions {
  // Customers are numbered 1 to `customers`.
  uint64_t customers = 1000;
  uint64_t seed = 1;
  // Journeys happen within [start, start + days).
  int64_t start_unix_s = kDefaultStartUnixSeconds;
  // At least 1.
  int days = 365;
  // The mean number of events a customer is meant to have, from 1 to
  // kMaxEventsPerCustomer. The counts are skewed (log-normal): most customers
  // have a few events and a few have thousands. Journeys that end early (the
  // window closes, the customer churns) have fewer, so the mean of the output
  // is somewhat lower.
  double events_per_customer = 20;
};

// Not thread-safe; generators with the same options write the same bytes, so
// threads can each run one over a share of the customers.
class JourneyGenerator {
 public:
  // Out-of-range options are clamped to the nearest valid value.
  explicit JourneyGenerator(GeneratorOptions options);

  // Appends the next customer's events to `*jsonl`, one JSON object per line,
  // each ending in '\n'. Returns false, appending nothing, once every customer
  // has been written.
  bool NextCustomer(std::string* jsonl);

  uint64_t customers_written() const { return next_customer_ - 1; }
  uint64_t events_written() const { return events_written_; }

 private:
  GeneratorOptions options_;
  uint64_t next_customer_ = 1;
  uint64_t events_written_ = 0;
};

// The id of customer `number`: "C" and at least seven digits ("C0000042").
std::string CustomerId(uint64_t number);

}  // namespace motive::datagen

#endif  // MOTIVE_EXAMPLES_DATAGEN_JOURNEY_GENERATOR_H_
