// Engine::WhatIf: a ruleset's decisions over the log's contacts, against
// another's (engine.h).

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "decide/policy.h"
#include "engine/engine.h"
#include "identity/identities.h"
#include "model/event_validation.h"

namespace motive::engine {
namespace {

// The top action of a decision, "" for none.
std::string Top(const v1::Decision& decision) {
  return decision.actions().empty() ? "" : decision.actions(0).action();
}

double ExpectedValue(const v1::Decision& decision) {
  if (decision.actions().empty()) return 0;
  const v1::ScoreTerms& score = decision.actions(0).score();
  return score.value() * score.propensity();
}

// One side of the comparison: a compiled ruleset (or none) and the store
// that gives it its configuration, string table and learned propensities.
struct Side {
  std::shared_ptr<const decide::Ruleset> rules;
  std::unique_ptr<state::StateStore> store;
  uint64_t fingerprint = 0;  // of the context configuration
  state::CustomerState customer;
};

// Counts the differences between two decisions of one contact.
class Tally {
 public:
  explicit Tally(v1::WhatIfReport* report) : report_(*report) {}

  void Add(const std::string& customer, const v1::Event& contact,
           const v1::Decision& now, const v1::Decision& before) {
    report_.set_decisions(report_.decisions() + 1);
    report_.set_expected_value(report_.expected_value() + ExpectedValue(now));
    report_.set_expected_value_against(report_.expected_value_against() +
                                       ExpectedValue(before));
    const std::string top = Top(now), top_before = Top(before);
    if (top != top_before) {
      report_.set_changed(report_.changed() + 1);
      if (!top.empty()) ++(*report_.mutable_top_gained())[top];
      if (!top_before.empty()) ++(*report_.mutable_top_lost())[top_before];
      Example("changed", customer, contact, top, top_before, "");
    }
    std::vector<std::string> ranked_before;
    for (const v1::RankedAction& a : before.actions()) {
      ranked_before.push_back(a.action());
    }
    for (const v1::DroppedCandidate& dropped : now.dropped()) {
      if (!decide::IsPolicyStage(dropped.stage()) ||
          std::find(ranked_before.begin(), ranked_before.end(),
                    dropped.action()) == ranked_before.end()) {
        continue;
      }
      const std::string why =
          dropped.stage() == "cap" && !dropped.detail().empty()
              ? absl::StrCat("cap: ", dropped.detail())
              : dropped.stage();
      ++(*report_.mutable_newly_suppressed())[why];
      Example("suppressed", customer, contact, top, top_before,
              absl::StrCat(dropped.action(), " (", why, ")"));
    }
    for (const v1::RankedAction& a : now.actions()) {
      if (!a.service() || std::find(ranked_before.begin(), ranked_before.end(),
                                    a.action()) != ranked_before.end()) {
        continue;
      }
      ++(*report_.mutable_service_recovery())[a.action()];
      Example("service_recovery", customer, contact, top, top_before,
              a.action());
    }
  }

 private:
  void Example(const char* kind, const std::string& customer,
               const v1::Event& contact, const std::string& top,
               const std::string& top_before, const std::string& detail) {
    size_t& count = examples_[kind];
    if (count == Engine::kWhatIfExamples) return;
    ++count;
    v1::WhatIfExample* example = report_.add_examples();
    example->set_kind(kind);
    example->set_customer_id(customer);
    *example->mutable_time() = contact.occurred_at();
    example->set_top(top);
    example->set_top_against(top_before);
    example->set_detail(detail);
  }

  v1::WhatIfReport& report_;
  absl::flat_hash_map<std::string, size_t> examples_;
};

}  // namespace

absl::StatusOr<v1::WhatIfReport> Engine::WhatIf(
    absl::string_view rules, absl::string_view rules_origin,
    absl::string_view against, absl::string_view against_origin,
    const WhatIfOptions& options) {
  v1::ContextConfig config;
  {
    base::MutexLock ingest(&ingest_mu_);
    config = context_config_;
  }
  Side sides[2];
  const absl::string_view texts[2] = {rules, against};
  const absl::string_view origins[2] = {rules_origin, against_origin};
  for (int i = 0; i < 2; ++i) {
    if (i == 1 && texts[i].empty()) {
      absl::StatusOr<state::StateConfig> plain =
          state::StateConfig::FromProto(config);
      if (!plain.ok()) return plain.status();
      sides[i].store =
          std::make_unique<state::StateStore>(*std::move(plain), strings_);
      sides[i].fingerprint = Fingerprint(config);
      continue;
    }
    absl::StatusOr<std::shared_ptr<const decide::Ruleset>> compiled =
        decide::Ruleset::Compile(texts[i], origins[i], *strings_);
    if (!compiled.ok()) return compiled.status();
    absl::StatusOr<v1::ContextConfig> with_metrics =
        WithRulesetMetrics(config, compiled->get());
    if (!with_metrics.ok()) {
      return base::Annotate(with_metrics.status(),
                            decide::Ruleset::Origin(origins[i]));
    }
    absl::StatusOr<state::StateConfig> state_config =
        state::StateConfig::FromProto(*with_metrics);
    if (!state_config.ok()) return state_config.status();
    sides[i].rules = *std::move(compiled);
    sides[i].store = std::make_unique<state::StateStore>(
        *std::move(state_config), strings_);
    sides[i].fingerprint = Fingerprint(*with_metrics);
  }
  // Rulesets of the same metrics (a rules-only change, the common case)
  // read one state: each event is folded once. A side without a ruleset
  // decides nothing and folds nothing.
  const bool shared = sides[0].fingerprint == sides[1].fingerprint;
  Side& other = shared ? sides[0] : sides[1];
  const bool fold_other = !shared && sides[1].rules != nullptr;
  std::vector<std::string> customers;
  {
    base::ReaderLock state(&state_mu_);
    for (const auto& [action, stats] : state_->AllLearned()) {
      for (Side& side : sides) side.store->RestoreLearned(action, stats);
    }
    state_->ForEach([&](const std::string& id, const state::CustomerState&) {
      customers.push_back(id);
    });
  }
  std::sort(customers.begin(), customers.end());

  v1::WhatIfReport report;
  if (sides[0].rules) report.set_ruleset_version(sides[0].rules->version());
  if (sides[1].rules) report.set_against_version(sides[1].rules->version());
  if (options.from_us) {
    *report.mutable_from() = model::FromUnixMicros(options.from_us);
  }
  if (options.to_us) *report.mutable_to() = model::FromUnixMicros(options.to_us);
  Tally tally(&report);
  v1::Decision decisions[2];
  uint64_t done = 0;
  for (const std::string& customer : customers) {
    if (options.on_progress && done % 1000 == 0 &&
        !options.on_progress(done, customers.size())) {
      return absl::CancelledError("what-if stopped by the progress callback");
    }
    ++done;
    store::TimeRange range;
    range.until_us = options.to_us;
    absl::StatusOr<std::vector<v1::Event>> events =
        ProfileEvents(customer, range);
    if (!events.ok()) return events.status();
    for (Side& side : sides) side.customer = state::CustomerState();
    bool decided = false;
    for (const v1::Event& event : *events) {
      if (identity::IsIdentityEvent(event)) continue;
      const int64_t at = model::ToUnixMicros(event.occurred_at());
      // Contacts as the state counts them: feedback on a decision is
      // classified by its channel, but is no contact.
      if (event.moment() == v1::INTERIM &&
          event.type() != state::kFeedbackEventType && at >= options.from_us) {
        v1::Situation situation;
        situation.set_channel(event.channel());
        situation.set_topic(event.topic());
        situation.set_agent_id(event.agent_id());
        // The log does not say who called whom: most contacts come in.
        situation.set_direction(v1::INBOUND);
        *situation.mutable_time() = event.occurred_at();
        for (int i = 0; i < 2; ++i) {
          decisions[i].Clear();
          if (sides[i].rules == nullptr) continue;
          if (absl::Status s = sides[i].rules->Decide(
                  customer, situation, (i == 0 ? sides[0] : other).customer,
                  *sides[i].store, &decisions[i],
                  decide::Ruleset::Detail::kRanking);
              !s.ok()) {
            return s;
          }
        }
        tally.Add(customer, event, decisions[0], decisions[1]);
        decided = true;
      }
      sides[0].customer.Apply(event, sides[0].store->config(),
                              sides[0].store->strings());
      if (fold_other) {
        sides[1].customer.Apply(event, sides[1].store->config(),
                                sides[1].store->strings());
      }
    }
    if (decided) report.set_customers(report.customers() + 1);
  }
  if (options.on_progress) options.on_progress(done, customers.size());
  return report;
}

}  // namespace motive::engine
