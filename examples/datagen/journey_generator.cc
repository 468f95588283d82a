#include "datagen/journey_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <string_view>
#include <variant>

#include "fmt/compile.h"
#include "fmt/format.h"

namespace motive::datagen {
namespace {

constexpr int64_t kMinute = 60;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kMonth = 30 * kDay;

// ---------------------------------------------------------------------------
// Randomness

// Spreads a seed's bits, so that customers n and n + 1 get unrelated streams.
uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

// std::mt19937_64 with distributions written out here, so that the numbers
// are the same with every standard library (see the header).
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}

  // [0, 1), from 53 random bits.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // [0, n) for n > 0.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>(Uniform() * static_cast<double>(n));
  }
  // [lo, hi], for lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal, by Box-Muller.
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]: log(u1) is finite
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) *
           std::cos(2.0 * std::numbers::pi * u2);
  }
  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }
  double LogNormal(double median, double sigma) {
    return median * std::exp(sigma * Normal());
  }

  // An index into `weights`, each drawn in proportion to its weight.
  template <size_t N>
  size_t Weighted(const std::array<double, N>& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i + 1 < N; ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return N - 1;
  }

  template <typename T, size_t N>
  T Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  std::mt19937_64 engine_;
};

// ---------------------------------------------------------------------------
// The population

// What kind of customer someone is. It steers how they feel, how well their
// contacts go and what they do about it.
struct Persona {
  double share;      // of all customers
  double sentiment;  // mean sentiment of a contact, before its outcome
  double resolve;    // chance that a first contact is resolved
  double contact;    // weight of contacts among everyday events
  double cancel;     // weight of the cancellation topic among contacts
  double retry;      // chance of contacting again after a bad outcome
  double churn;      // chance of leaving at a bad experience, from the third
  double advocacy;   // weight of referrals and reviews
  double survey;     // chance of answering a survey after a contact
  double hold_s;     // mean time on hold in a voice queue
};

constexpr std::array<Persona, 5> kPersonas = {{
    // happy
    {0.40, 0.45, 0.88, 1.0, 0.02, 0.50, 0.03, 1.0, 0.25, 60},
    // neutral
    {0.25, 0.10, 0.75, 1.0, 0.04, 0.60, 0.10, 0.4, 0.20, 90},
    // frustrated
    {0.15, -0.35, 0.45, 2.5, 0.08, 0.80, 0.30, 0.2, 0.35, 240},
    // at risk
    {0.12, -0.15, 0.55, 1.8, 0.25, 0.50, 0.50, 0.1, 0.20, 150},
    // advocate
    {0.08, 0.70, 0.92, 0.6, 0.01, 0.40, 0.00, 3.0, 0.40, 45},
}};

struct Plan {
  std::string_view name;
  double monthly_price;  // in USD; an annual plan costs ten months
};
constexpr std::array<Plan, 3> kPlans = {
    {{"basic", 9.99}, {"plus", 19.99}, {"premium", 39.99}}};

struct Region {
  std::string_view name;
  std::string_view currency;
  double price_factor;  // local price for one USD of list price
};
constexpr std::array<Region, 4> kRegions = {{{"na", "USD", 1.0},
                                             {"eu", "EUR", 0.95},
                                             {"uk", "GBP", 0.8},
                                             {"apac", "AUD", 1.5}}};

// Contact topics, with the queue that handles each.
enum Topic : size_t {
  kBilling,
  kTechnicalIssue,
  kDeliveryDelay,
  kUpgrade,
  kCancellation,
  kRefund,
  kAccount,
  kTopicCount
};
constexpr std::array<std::string_view, kTopicCount> kTopicNames = {
    "billing",      "technical_issue", "delivery_delay", "upgrade",
    "cancellation", "refund",          "account"};
constexpr std::array<std::string_view, kTopicCount> kTopicQueues = {
    "billing",   "tech_support", "logistics", "sales",
    "retention", "billing",      "general"};

enum Outcome : size_t {
  kResolved,
  kUnresolved,
  kTransferred,
  kEscalated,
  kCallback,
  kAbandoned,
  kOutcomeCount
};
constexpr std::array<std::string_view, kOutcomeCount> kOutcomeNames = {
    "resolved",  "unresolved", "transferred",
    "escalated", "callback",   "abandoned"};
// How an outcome moves the customer's mood.
constexpr std::array<double, kOutcomeCount> kOutcomeSentiment = {
    0.25, -0.35, -0.15, -0.2, -0.05, -0.45};

constexpr std::array<std::string_view, 5> kPages = {"/", "/pricing", "/plans",
                                                    "/compare", "/reviews"};
constexpr std::array<std::string_view, 5> kSearches = {
    "reset password", "cancel subscription", "invoice", "setup guide",
    "app not syncing"};
constexpr std::array<std::string_view, 6> kFeatures = {
    "dashboard", "reports", "sync", "sharing", "settings", "export"};
constexpr std::array<std::string_view, 4> kAddons = {
    "extra_storage", "accessory", "extra_seat", "gift_card"};

// ---------------------------------------------------------------------------
// JSON output

// Every string the generator writes is one of this file's constants or made of
// letters and digits, so none needs JSON escaping.
struct Attribute {
  std::string_view key;
  std::variant<std::string_view, int64_t> value;
};

// One event to write; empty and absent fields are left out of the JSON.
struct Event {
  Event(std::string_view type, std::string_view channel)
      : type(type), channel(channel) {}

  void Add(std::string_view key, std::variant<std::string_view, int64_t> v) {
    attributes[attribute_count++] = {key, v};
  }

  std::string_view type;
  std::string_view channel;
  std::string_view topic;
  std::string_view outcome;
  std::optional<double> sentiment;
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> hold_ms;
  std::optional<int> transfers;
  int agent = 0;  // 0 for none
  std::string_view queue;
  std::optional<double> value;
  std::string_view currency;
  std::optional<int> csat;
  std::optional<int> nps;
  std::array<Attribute, 4> attributes;
  size_t attribute_count = 0;
};

// Where a journey's JSON is written before it is appended to the caller's
// string in one piece; most journeys fit in the inline storage.
using Buffer = fmt::basic_memory_buffer<char, 4096>;

// Writes "YYYY-MM-DDTHH:MM:SSZ" (Howard Hinnant's days-to-civil algorithm).
void AppendTimestamp(int64_t unix_s, Buffer* out) {
  int64_t days = unix_s / kDay;
  int64_t secs = unix_s % kDay;
  if (secs < 0) {
    secs += kDay;
    --days;
  }
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  fmt::format_to(std::back_inserter(*out),
                 FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"), year,
                 month, day, secs / kHour, secs % kHour / kMinute,
                 secs % kMinute);
}

void Append(std::string_view text, Buffer* out) {
  out->append(text.data(), text.data() + text.size());
}

void AppendEvent(uint64_t customer, uint64_t seq, int64_t unix_s,
                 const Event& e, Buffer* out) {
  auto it = std::back_inserter(*out);
  fmt::format_to(
      it,
      FMT_COMPILE(R"({{"event_id":"E{:07}-{}","customer_id":"C{:07}",)"
                  R"("occurred_at":")"),
      customer, seq, customer);
  AppendTimestamp(unix_s, out);
  fmt::format_to(it, FMT_COMPILE(R"(","channel":"{}","type":"{}")"), e.channel,
                 e.type);
  if (!e.topic.empty()) {
    fmt::format_to(it, FMT_COMPILE(R"(,"topic":"{}")"), e.topic);
  }
  if (!e.outcome.empty()) {
    fmt::format_to(it, FMT_COMPILE(R"(,"outcome":"{}")"), e.outcome);
  }
  if (e.sentiment) {
    fmt::format_to(it, FMT_COMPILE(R"(,"sentiment":{:.2f})"), *e.sentiment);
  }
  if (e.duration_ms) {
    fmt::format_to(it, FMT_COMPILE(R"(,"duration_ms":{})"), *e.duration_ms);
  }
  if (e.hold_ms) {
    fmt::format_to(it, FMT_COMPILE(R"(,"hold_ms":{})"), *e.hold_ms);
  }
  if (e.transfers) {
    fmt::format_to(it, FMT_COMPILE(R"(,"transfers":{})"), *e.transfers);
  }
  if (e.agent > 0) {
    fmt::format_to(it, FMT_COMPILE(R"(,"agent_id":"A{:04}")"), e.agent);
  }
  if (!e.queue.empty()) {
    fmt::format_to(it, FMT_COMPILE(R"(,"queue":"{}")"), e.queue);
  }
  if (e.value) {
    fmt::format_to(it, FMT_COMPILE(R"(,"value":{:.2f})"), *e.value);
  }
  if (!e.currency.empty()) {
    fmt::format_to(it, FMT_COMPILE(R"(,"currency":"{}")"), e.currency);
  }
  if (e.csat) fmt::format_to(it, FMT_COMPILE(R"(,"csat":{})"), *e.csat);
  if (e.nps) fmt::format_to(it, FMT_COMPILE(R"(,"nps":{})"), *e.nps);
  for (size_t i = 0; i < e.attribute_count; ++i) {
    const Attribute& a = e.attributes[i];
    Append(i == 0 ? R"(,"attributes":{)" : ",", out);
    fmt::format_to(it, FMT_COMPILE(R"("{}":)"), a.key);
    if (const auto* text = std::get_if<std::string_view>(&a.value)) {
      fmt::format_to(it, FMT_COMPILE(R"("{}")"), *text);
    } else {
      fmt::format_to(it, FMT_COMPILE("{}"), std::get<int64_t>(a.value));
    }
  }
  Append(e.attribute_count > 0 ? "}}\n" : "}\n", out);
}

// Two decimals, as people read sentiment and money; never "-0.00".
double Round2(double x) {
  const double r = std::round(x * 100) / 100;
  return r == 0 ? 0 : r;
}

// ---------------------------------------------------------------------------
// One customer's journey

// Generates customer `number`'s events. Time only moves forward, so the events
// come out in event-time order. Every event spends one unit of the customer's
// budget; the journey ends when the budget is spent, the window closes or the
// customer churns.
class Journey {
 public:
  Journey(const GeneratorOptions& options, uint64_t number)
      : rng_(SplitMix64(options.seed ^ SplitMix64(number))),
        number_(number),
        persona_(PickPersona()),
        end_(options.start_unix_s + options.days * kDay),
        budget_(PickBudget(options.events_per_customer)),
        region_(rng_.Pick(kRegions)),
        plan_(rng_.Weighted(std::array{0.5, 0.35, 0.15})) {
    const double window = static_cast<double>(end_ - options.start_unix_s);
    now_ = options.start_unix_s +
           static_cast<int64_t>(rng_.Uniform(0, 0.75 * window));
  }

  // Appends the journey to `*out` and returns the number of its events.
  uint64_t Run(std::string* out) {
    Research();
    FirstMoment();
    SecondMoment();
    Lifecycle();
    out->append(json_.data(), json_.size());
    return seq_;
  }

 private:
  const Persona& PickPersona() {
    std::array<double, kPersonas.size()> shares;
    for (size_t i = 0; i < kPersonas.size(); ++i)
      shares[i] = kPersonas[i].share;
    return kPersonas[rng_.Weighted(shares)];
  }

  // Log-normal with the requested mean: median = mean / e^(sigma^2 / 2).
  uint64_t PickBudget(double mean) {
    constexpr double kSigma = 1.4;
    const double median = mean * std::exp(-kSigma * kSigma / 2);
    const double x = std::round(rng_.LogNormal(median, kSigma));
    return static_cast<uint64_t>(
        std::clamp(x, 1.0, static_cast<double>(kMaxEventsPerCustomer)));
  }

  bool Open() const { return budget_ > 0 && !churned_ && now_ < end_; }

  // Writes `e` at the current time, after any renewal that falls due before
  // it. False when the journey is over.
  bool Emit(const Event& e) {
    RenewUntil(now_);
    if (!Open()) return false;
    Write(now_, e);
    return true;
  }

  void Write(int64_t when, const Event& e) {
    AppendEvent(number_, ++seq_, when, e, &json_);
    --budget_;
  }

  void Advance(int64_t seconds) { now_ += std::max<int64_t>(seconds, 1); }

  // Contacts happen while the contact center is open, 08:00 to 20:00 UTC.
  void ToBusinessHours() {
    const int64_t day = now_ - now_ % kDay;
    const int64_t hour = now_ % kDay / kHour;
    if (hour < 8) now_ = day + 8 * kHour + rng_.Between(0, 4 * kHour);
    if (hour >= 20) now_ = day + kDay + 8 * kHour + rng_.Between(0, 4 * kHour);
  }

  int64_t TenureMonths() const { return (now_ - customer_since_) / kMonth; }

  double Price(double usd) const { return Round2(usd * region_.price_factor); }

  double PlanPrice() const {
    return Price(kPlans[plan_].monthly_price * (monthly_ ? 1 : 10));
  }

  // tanh keeps strong feelings within [-1, 1] without piling them up at the
  // ends, as clamping would.
  double Sentiment(double mean) {
    return Round2(std::tanh(mean + 0.2 * rng_.Normal()));
  }

  // --- zero moment: research before buying

  void Research() {
    const uint64_t steps =
        std::min<uint64_t>(1 + rng_.Below(3), budget_ > 0 ? budget_ - 1 : 0);
    for (uint64_t i = 0; i < steps; ++i) {
      switch (rng_.Weighted(std::array{0.45, 0.2, 0.15, 0.2})) {
        case 0: {
          Event e("web_visit", "web");
          e.Add("page", rng_.Pick(kPages));
          Emit(e);
          break;
        }
        case 1:
          Emit(Event("review", "review_site"));
          break;
        case 2: {
          Event e("social_mention", "social");
          e.sentiment = Sentiment(0.2);
          Emit(e);
          break;
        }
        default:
          HelpSearch();
          break;
      }
      Advance(static_cast<int64_t>(rng_.Exponential(1.5 * kDay)));
    }
  }

  void HelpSearch() {
    Event e("help_search", "web");
    e.Add("query", rng_.Pick(kSearches));
    Emit(e);
  }

  // --- first moment: the purchase or the sign-up

  void FirstMoment() {
    customer_since_ = now_;
    // Monthly renewals would crowd out everything else in short journeys.
    monthly_ = budget_ >= 40 && rng_.Chance(0.7);
    ships_ = rng_.Chance(0.6);
    Event e(ships_ ? "purchase" : "signup",
            ships_ ? rng_.Pick(std::array<std::string_view, 3>{"web", "store",
                                                               "mobile_app"})
                   : rng_.Pick(
                         std::array<std::string_view, 2>{"web", "mobile_app"}));
    e.value = PlanPrice();
    e.currency = region_.currency;
    e.Add("plan", kPlans[plan_].name);
    e.Add("billing", monthly_ ? "monthly" : "annual");
    e.Add("region", region_.name);
    Emit(e);
    next_renewal_ = now_ + (monthly_ ? kMonth : 365 * kDay);
  }

  // --- second moment: delivery, activation

  void SecondMoment() {
    if (ships_) {
      const int64_t promised = now_ + rng_.Between(2, 5) * kDay;
      const int64_t days_late =
          rng_.Chance(0.1 + 0.1 * (persona_.sentiment < 0)) ? rng_.Between(2, 9)
                                                            : 0;
      if (days_late > 0) {
        now_ = promised + rng_.Between(6 * kHour, kDay);
        ContactEpisode(kDeliveryDelay);
      }
      // Parcels arrive in the daytime.
      const int64_t arrival_day = promised - promised % kDay + days_late * kDay;
      now_ = std::max(now_, arrival_day + rng_.Between(9 * kHour, 18 * kHour));
      Event e("delivery", "other");
      if (days_late > 0) e.Add("days_late", days_late);
      Emit(e);
    }
    Advance(rng_.Between(10 * kMinute, ships_ ? 2 * kDay : 2 * kHour));
    Emit(Event("activation", rng_.Chance(0.7) ? "mobile_app" : "web"));
  }

  // --- everyday life after the purchase

  void Lifecycle() {
    while (Open()) {
      const double mean_gap =
          static_cast<double>(end_ - now_) / static_cast<double>(budget_);
      Advance(static_cast<int64_t>(rng_.Exponential(mean_gap)) + kMinute);
      switch (rng_.Weighted(std::array{
          0.55,                             // usage
          0.10 * persona_.contact,          // contact
          0.08,                             // web visit
          0.04,                             // help search
          0.03,                             // add-on purchase
          0.01 + 0.01 * persona_.advocacy,  // review
          0.015,                            // social mention
          0.01,                             // feedback
          ships_ ? 0.005 : 0.0,             // return
          0.01 * persona_.advocacy,         // referral
      })) {
        case 0:
          Usage();
          break;
        case 1:
          ContactEpisode(PickTopic());
          break;
        case 2: {
          Event e("web_visit", "web");
          e.Add("page", rng_.Pick(kPages));
          Emit(e);
          break;
        }
        case 3:
          HelpSearch();
          break;
        case 4:
          AddOn();
          break;
        case 5:
          Review();
          break;
        case 6: {
          Event e("social_mention", "social");
          e.sentiment = Sentiment(Mood());
          Emit(e);
          break;
        }
        case 7: {
          Event e("feedback", rng_.Chance(0.5) ? "web" : "mobile_app");
          e.sentiment = Sentiment(Mood());
          Emit(e);
          break;
        }
        case 8: {
          Event e("return", rng_.Chance(0.5) ? "store" : "web");
          e.value = Price(rng_.Uniform(10, 80));
          e.currency = region_.currency;
          Emit(e);
          break;
        }
        default: {
          Event e("referral", "web");
          e.Add("tenure_months", TenureMonths());
          Emit(e);
          break;
        }
      }
    }
  }

  // How the customer feels lately: their persona, soured by bad experiences.
  double Mood() const { return persona_.sentiment - 0.15 * bad_experiences_; }

  void Usage() {
    Event e("product_usage", rng_.Chance(0.6) ? "mobile_app" : "web");
    e.Add("feature", rng_.Pick(kFeatures));
    e.Add("minutes", static_cast<int64_t>(rng_.LogNormal(8, 0.8)) + 1);
    Emit(e);
  }

  void AddOn() {
    Event e("purchase", rng_.Chance(0.7) ? "web" : "mobile_app");
    e.value = Price(rng_.Uniform(4.99, 99.99));
    e.currency = region_.currency;
    e.Add("item", rng_.Pick(kAddons));
    Emit(e);
  }

  void Review() {
    Event e("review", "review_site");
    const double sentiment = Sentiment(Mood());
    e.sentiment = sentiment;
    e.Add("rating", std::clamp<int64_t>(std::lround(3 + 2 * sentiment), 1, 5));
    Emit(e);
  }

  // Renewals fall due on a fixed schedule, whatever else happens.
  void RenewUntil(int64_t until) {
    while (next_renewal_ <= until && budget_ > 0 && !churned_ &&
           next_renewal_ < end_) {
      Event e("renewal", "other");
      e.value = PlanPrice();
      e.currency = region_.currency;
      e.Add("plan", kPlans[plan_].name);
      e.Add("tenure_months", (next_renewal_ - customer_since_) / kMonth);
      Write(next_renewal_, e);
      next_renewal_ += monthly_ ? kMonth : 365 * kDay;
    }
  }

  // --- interim moment: contacts

  Topic PickTopic() {
    return static_cast<Topic>(rng_.Weighted(std::array{
        0.25,                            // billing
        0.30,                            // technical issue
        ships_ ? 0.05 : 0.0,             // delivery delay
        0.10 * (1 + persona_.advocacy),  // upgrade
        persona_.cancel,                 // cancellation
        0.08,                            // refund
        0.10,                            // account
    }));
  }

  // A contact and what follows from it: repeat contacts on the same topic
  // while it stays unresolved, surveys, an upgrade, or churn.
  void ContactEpisode(Topic topic) {
    if (topic == kTechnicalIssue && rng_.Chance(0.5)) {
      HelpSearch();  // the help pages did not help
      Advance(rng_.Between(5 * kMinute, 40 * kMinute));
    }
    ToBusinessHours();
    std::string_view channel = PickContactChannel();
    for (int attempt = 0; attempt < 5 && Open(); ++attempt) {
      const Outcome outcome = Contact(topic, channel, attempt);
      if (outcome == kResolved) {
        if (topic == kUpgrade) Upgrade();
        return;
      }
      ++bad_experiences_;
      if (MaybeChurn(topic)) return;
      if (!rng_.Chance(persona_.retry)) return;
      Advance(outcome == kCallback
                  ? rng_.Between(2 * kHour, 26 * kHour)
                  : static_cast<int64_t>(rng_.Exponential(18 * kHour)) +
                        30 * kMinute);
      ToBusinessHours();
      // Customers whose written contacts fail tend to call.
      if (rng_.Chance(0.4)) channel = rng_.Chance(0.7) ? "voice" : "chat";
    }
  }

  std::string_view PickContactChannel() {
    constexpr std::array<std::string_view, 4> kChannels = {"voice", "chat",
                                                           "email", "sms"};
    return kChannels[rng_.Weighted(std::array{0.45, 0.30, 0.15, 0.10})];
  }

  // Writes one contact, and a survey after it when the customer answers one.
  // Leaves the time at the end of the contact or the survey.
  Outcome Contact(Topic topic, std::string_view channel, int attempt) {
    const bool live = channel == "voice" || channel == "chat";
    const double resolve =
        std::clamp(persona_.resolve + 0.12 * attempt, 0.05, 0.97);
    Outcome outcome = kResolved;
    if (!rng_.Chance(resolve)) {
      outcome = static_cast<Outcome>(
          1 + rng_.Weighted(std::array{0.35, 0.2, 0.15, 0.15, 0.15}));
      if (outcome == kAbandoned && !live) outcome = kUnresolved;
    }

    Event e("contact", channel);
    e.topic = kTopicNames[topic];
    e.outcome = kOutcomeNames[outcome];
    e.queue = kTopicQueues[topic];
    if (outcome != kAbandoned) e.agent = static_cast<int>(rng_.Between(1, 250));

    double mood = Mood() + kOutcomeSentiment[outcome] - 0.15 * attempt;
    int64_t duration_s = 0;
    if (live) {
      int transfers = 0;
      if (outcome == kTransferred) transfers = 1 + rng_.Chance(0.3);
      if (outcome == kEscalated) transfers = 1;
      if (outcome == kResolved && rng_.Chance(0.08)) transfers = 1;
      const double mean_hold =
          channel == "voice" ? persona_.hold_s : persona_.hold_s / 3;
      int64_t hold_s = static_cast<int64_t>(
          rng_.Exponential(outcome == kAbandoned ? 2 * mean_hold : mean_hold));
      for (int i = 0; i < transfers; ++i) {
        hold_s += static_cast<int64_t>(rng_.Exponential(60));
      }
      const int64_t talk_s = outcome == kAbandoned
                                 ? 0
                                 : static_cast<int64_t>(rng_.LogNormal(
                                       channel == "voice" ? 360 : 600, 0.6));
      duration_s = hold_s + talk_s + 1;
      if (hold_s > 5 * kMinute) mood -= 0.15;
      mood -= 0.1 * transfers;
      const int64_t hold_ms = hold_s * 1000 + rng_.Between(0, 999);
      e.hold_ms = hold_ms;
      e.duration_ms = hold_ms + talk_s * 1000 + rng_.Between(0, 999);
      e.transfers = transfers;
    }
    const double sentiment = Sentiment(mood);
    e.sentiment = sentiment;
    e.Add("tenure_months", TenureMonths());
    if (!Emit(e)) return outcome;
    Advance(duration_s);

    if (outcome != kAbandoned && rng_.Chance(persona_.survey)) {
      Advance(rng_.Between(5 * kMinute, 2 * kHour));
      Survey(topic, sentiment);
    }
    return outcome;
  }

  void Survey(Topic topic, double sentiment) {
    Event e("survey", "survey");
    e.topic = kTopicNames[topic];
    e.csat = static_cast<int>(std::clamp<long>(
        std::lround(3 + 2 * sentiment + 0.6 * rng_.Normal()), 1, 5));
    e.nps = static_cast<int>(std::clamp<long>(
        std::lround(6 + 4 * sentiment + 1.5 * rng_.Normal()), 0, 10));
    Emit(e);
  }

  void Upgrade() {
    if (plan_ + 1 >= kPlans.size()) return;
    ++plan_;
    Advance(rng_.Between(1 * kMinute, 30 * kMinute));
    Event e("purchase", "web");
    e.value = PlanPrice();
    e.currency = region_.currency;
    e.Add("plan", kPlans[plan_].name);
    e.Add("billing", monthly_ ? "monthly" : "annual");
    Emit(e);
  }

  // --- less-than-zero moment: leaving, and telling others

  // After about three bad experiences a customer leaves; an unresolved
  // cancellation request is itself a strong sign.
  bool MaybeChurn(Topic topic) {
    double p = bad_experiences_ >= 3 ? persona_.churn : 0.05 * persona_.churn;
    if (topic == kCancellation) p = std::max(p, 0.5);
    if (!rng_.Chance(p)) return false;
    Advance(rng_.Between(kHour, 3 * kDay));
    Event e("churn", "other");
    e.topic = kTopicNames[topic];
    e.Add("tenure_months", TenureMonths());
    Emit(e);
    if (rng_.Chance(0.5)) {
      Advance(rng_.Between(kHour, 5 * kDay));
      if (rng_.Chance(0.5)) {
        Review();
      } else {
        Event warn("word_of_mouth", "social");
        warn.sentiment = Sentiment(-0.7);
        Emit(warn);
      }
    }
    churned_ = true;
    return true;
  }

  Random rng_;
  const uint64_t number_;
  const Persona& persona_;
  const int64_t end_;
  uint64_t budget_;  // events this journey may still write
  const Region region_;
  size_t plan_;  // index into kPlans

  int64_t now_ = 0;
  uint64_t seq_ = 0;  // events written
  int64_t customer_since_ = 0;
  bool monthly_ = false;
  bool ships_ = false;  // bought a product that is delivered
  int64_t next_renewal_ = std::numeric_limits<int64_t>::max();
  int bad_experiences_ = 0;
  bool churned_ = false;
  Buffer json_;
};

}  // namespace

JourneyGenerator::JourneyGenerator(GeneratorOptions options)
    : options_(options) {
  options_.days = std::max(options_.days, 1);
  options_.events_per_customer =
      std::isfinite(options_.events_per_customer)
          ? std::clamp(options_.events_per_customer, 1.0,
                       static_cast<double>(kMaxEventsPerCustomer))
          : 20;
}

bool JourneyGenerator::NextCustomer(std::string* jsonl) {
  if (next_customer_ > options_.customers) return false;
  events_written_ += Journey(options_, next_customer_).Run(jsonl);
  ++next_customer_;
  return true;
}

std::string CustomerId(uint64_t number) {
  return fmt::format("C{:07}", number);
}

}  // namespace motive::datagen
