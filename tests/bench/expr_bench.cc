// The rule language: what a typical rule condition costs to evaluate, and
// what a 200-rule set costs to compile.
//
//   Expr/typical_rule      five comparisons over bound scalars, one `in`
//                          over ten strings, one exists() over twenty:
//                          every part evaluated (all true, the match last).
//   Expr/typical_rule_cpp  the same condition written in C++ over the same
//                          data: the floor, for the ratio.
//   Expr/compile_200       compiling 200 distinct rules of that shape.
//
// Latencies are per evaluation, as the mean of batches of 1000 (a clock
// read costs more than an evaluation), reported as p50 and p99 over batches.

#include <array>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "expr/program.h"
#include "tests/bench/bench_support.h"

namespace motive::bench {
namespace {

constexpr int kBatch = 1000;

struct RuleData {
  std::string tier = "gold";
  double spend = 250.0;
  int64_t contacts_30d = 4;
  double sentiment = -0.4;
  int64_t tenure_days = 200;
  std::string channel = "voice";
  std::vector<std::string> tags;

  RuleData() {
    for (int i = 0; i < 19; ++i) tags.push_back(absl::StrCat("tag", i));
    tags.push_back("vip");
  }
};

constexpr const char* kChannels =
    "['email', 'sms', 'web', 'mobile_app', 'social', 'review_site', 'store', "
    "'survey', 'chat', 'voice']";

std::string TypicalRule(int variant) {
  return absl::StrFormat(
      "tier == 'gold' && spend > %d.0 && contacts_30d >= %d && "
      "sentiment < -0.%d && tenure_days <= %d && channel in %s && "
      "tags.exists(t, t == 'vip')",
      100 + variant % 50, 3 - variant % 3, 2 + variant % 3, 365 + variant,
      kChannels);
}

void Declare(expr::Environment& env) {
  using expr::Type;
  for (auto [name, type] : std::initializer_list<std::pair<const char*, Type>>{
           {"tier", Type::String()},
           {"spend", Type::Double()},
           {"contacts_30d", Type::Int()},
           {"sentiment", Type::Double()},
           {"tenure_days", Type::Int()},
           {"channel", Type::String()},
           {"tags", Type::List(Type::String())}}) {
    if (!env.DeclareVariable(name, type).ok()) std::abort();
  }
}

void BM_TypicalRule(benchmark::State& state) {
  expr::Environment env;
  Declare(env);
  auto program = expr::Program::Compile(TypicalRule(0), env);
  if (!program.ok()) {
    state.SkipWithError(std::string(program.status().message()).c_str());
    return;
  }
  RuleData data;
  std::vector<expr::Value> tags;
  for (const std::string& tag : data.tags) tags.push_back(expr::Value::String(tag));
  expr::Activation activation(env);
  activation.Bind(0, expr::Value::String(data.tier));
  activation.Bind(1, expr::Value::Double(data.spend));
  activation.Bind(2, expr::Value::Int(data.contacts_30d));
  activation.Bind(3, expr::Value::Double(data.sentiment));
  activation.Bind(4, expr::Value::Int(data.tenure_days));
  activation.Bind(5, expr::Value::String(data.channel));
  activation.Bind(6, expr::Value::List(tags));
  expr::Arena arena;
  Latencies latencies;
  int64_t evaluations = 0;
  for (auto _ : state) {
    absl::Time start = absl::Now();
    for (int i = 0; i < kBatch; ++i) {
      expr::Value v = (*program)->Evaluate(activation, &arena);
      benchmark::DoNotOptimize(v);
      if (v.kind() != expr::ValueKind::kBool || !v.bool_value()) {
        state.SkipWithError("the rule did not hold");
        return;
      }
    }
    latencies.Add((absl::Now() - start) / kBatch);
    evaluations += kBatch;
  }
  state.SetItemsProcessed(evaluations);
  latencies.Report(state);
  state.counters["arena_bytes"] = static_cast<double>(arena.SpaceAllocated());
}

// The floor: the same condition as C++ reads it.
bool TypicalRuleInCpp(const RuleData& d) {
  static const std::array<std::string, 10> kChannelList = {
      "email", "sms", "web", "mobile_app", "social", "review_site", "store",
      "survey", "chat", "voice"};
  if (!(d.tier == "gold" && d.spend > 100.0 && d.contacts_30d >= 3 &&
        d.sentiment < -0.2 && d.tenure_days <= 365)) {
    return false;
  }
  bool channel = false;
  for (const std::string& c : kChannelList) channel = channel || c == d.channel;
  if (!channel) return false;
  for (const std::string& tag : d.tags) {
    if (tag == "vip") return true;
  }
  return false;
}

void BM_TypicalRuleCpp(benchmark::State& state) {
  RuleData data;
  Latencies latencies;
  int64_t evaluations = 0;
  for (auto _ : state) {
    absl::Time start = absl::Now();
    for (int i = 0; i < kBatch; ++i) {
      benchmark::DoNotOptimize(data);
      bool v = TypicalRuleInCpp(data);
      benchmark::DoNotOptimize(v);
    }
    latencies.Add((absl::Now() - start) / kBatch);
    evaluations += kBatch;
  }
  state.SetItemsProcessed(evaluations);
  latencies.Report(state);
}

void BM_Compile200(benchmark::State& state) {
  expr::Environment env;
  Declare(env);
  std::vector<std::string> rules;
  for (int i = 0; i < 200; ++i) rules.push_back(TypicalRule(i));
  Latencies latencies;
  for (auto _ : state) {
    for (const std::string& rule : rules) {
      absl::Time start = absl::Now();
      auto program = expr::Program::Compile(rule, env);
      latencies.Add(absl::Now() - start);
      if (!program.ok()) {
        state.SkipWithError(std::string(program.status().message()).c_str());
        return;
      }
      benchmark::DoNotOptimize(program);
    }
  }
  latencies.Report(state);
}

BENCHMARK(BM_TypicalRuleCpp)->Name("Expr/typical_rule_cpp");
BENCHMARK(BM_TypicalRule)->Name("Expr/typical_rule");
BENCHMARK(BM_Compile200)->Name("Expr/compile_200")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace motive::bench
