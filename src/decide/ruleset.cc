#include "decide/ruleset.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/errors.h"
#include "base/varint.h"
#include "expr/scratch.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/text_format.h"
#include "model/event_codec.h"
#include "model/event_id.h"
#include "model/event_validation.h"
#include "state/context_variables.h"
#include "state/event_value.h"

namespace motive::decide {

namespace {

constexpr size_t kMaxProactiveRules = 64;

absl::string_view DirectionName(int32_t direction) {
  switch (direction) {
    case v1::INBOUND:
      return "inbound";
    case v1::OUTBOUND:
      return "outbound";
    case v1::PROACTIVE:
      return "proactive";
    default:
      return "";
  }
}

// Finds where a field of the ruleset was written, from the text parser's
// record, by its path ("playbooks[1].rules[0].eligibility"): the innermost
// field of the path that the record has.
class Locator {
 public:
  Locator(std::string origin, bool has_tree)
      : origin_(std::move(origin)), has_tree_(has_tree) {}

  google::protobuf::TextFormat::ParseInfoTree* tree() { return &tree_; }

  // "origin:line:column: path: message" (no position for JSON input).
  absl::Status Error(absl::string_view path, absl::string_view message) const {
    std::string where = origin_;
    if (has_tree_) {
      const auto [line, column] = Find(path);
      if (line >= 0) absl::StrAppend(&where, ":", line + 1, ":", column + 1);
    }
    return base::Annotate(base::FieldError(path, message), where);
  }

 private:
  std::pair<int, int> Find(absl::string_view path) const {
    const google::protobuf::Descriptor* type = v1::Ruleset::descriptor();
    const google::protobuf::TextFormat::ParseInfoTree* tree = &tree_;
    std::pair<int, int> found{-1, -1};
    for (absl::string_view segment : absl::StrSplit(path, '.')) {
      int index = -1;
      if (const size_t bracket = segment.find('[');
          bracket != absl::string_view::npos) {
        if (!absl::SimpleAtoi(
                segment.substr(bracket + 1, segment.size() - bracket - 2),
                &index)) {
          break;
        }
        segment = segment.substr(0, bracket);
      }
      if (type == nullptr || tree == nullptr) break;
      const google::protobuf::FieldDescriptor* field =
          type->FindFieldByName(std::string(segment));
      if (field == nullptr) break;
      if (!field->is_repeated()) index = -1;
      const google::protobuf::TextFormat::ParseLocation location =
          tree->GetLocation(field, index);
      if (location.line < 0) break;
      found = {location.line, location.column};
      tree = field->message_type() ? tree->GetTreeForNested(field, index)
                                   : nullptr;
      type = field->message_type();
    }
    return found;
  }

  std::string origin_;
  bool has_tree_;
  google::protobuf::TextFormat::ParseInfoTree tree_;
};

// Collects the text parser's first complaint, with its position.
class FirstError : public google::protobuf::io::ErrorCollector {
 public:
  explicit FirstError(absl::string_view origin) : origin_(origin) {}
  void AddError(int line, int column, const std::string& message) override {
    if (first_.empty()) {
      first_ =
          absl::StrCat(origin_, ":", line + 1, ":", column + 1, ": ", message);
    }
  }
  const std::string& first() const { return first_; }

 private:
  std::string origin_;
  std::string first_;
};

bool IsJson(absl::string_view text) {
  return absl::StartsWith(absl::StripLeadingAsciiWhitespace(text), "{");
}

// Text format (recording where each field was written), or JSON.
absl::Status ParseRuleset(absl::string_view text, const std::string& where,
                          v1::Ruleset* out, Locator* locate) {
  if (IsJson(text)) {
    absl::Status s = model::Decode(model::WireFormat::kJson, text, out);
    return s.ok() ? s : base::Annotate(s, where);
  }
  google::protobuf::TextFormat::Parser parser;
  FirstError errors(where);
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(locate->tree());
  if (!parser.ParseFromString(std::string(text), out)) {
    return base::ParseError("", errors.first());
  }
  return absl::OkStatus();
}

std::string Digest(absl::string_view text) {
  const model::Hash128 hash = model::Murmur3x64_128(text, 0x6d6f7469);
  return absl::StrFormat("sha-%016x", hash.low);
}

}  // namespace

// Rules and actions keep what every decision reads of them first and
// together, so that a rule costs one line rather than two: a decision reads
// them for each of its rules, and they do not stay in L1 between decisions.
struct Ruleset::Action {
  int64_t valid_from_us = 0;  // 0: open
  int64_t valid_until_us = 0;
  // Bit c set when the action may be offered on channel c; all set when the
  // action names no channel.
  uint32_t channels = ~uint32_t{0};
  static_assert(v1::Channel_MAX < 32);
  PolicyAction ids;
  double value = 1;
  double default_weight = 1;
  double lever = 1;
  const v1::Action* proto;
  Template script;
};

// A bool expression of the ruleset. Rules share them by source text
// (rulesets repeat "!customer.at_risk" across many rules), so that a
// decision evaluates each at most once.
struct Ruleset::Condition {
  std::string source;
  std::unique_ptr<expr::Program> program;
  std::string false_detail;  // "<source> is false", made once
};

struct Ruleset::Rule {
  uint32_t action;
  // Eligibility, applicability, suitability: indexes in conditions_, or
  // kNoCondition when empty.
  int32_t conditions[3];
  int32_t tier;  // the proto's priority
  // Index of the rule in the file, over all playbooks: the last tie-break.
  uint32_t order;
  std::unique_ptr<expr::Program> weight;
  const v1::Rule* proto;
  std::string name;
  Template reason;
  // What matched, after the filled reason: "playbook <name>[: <condition>]"
  // and "<stage>: <condition>" for each condition the rule has.
  std::vector<std::string> matched;
};

struct Ruleset::Playbook {
  const v1::Playbook* proto;
  int32_t condition;  // kNoCondition when empty
  std::vector<Rule> rules;
};

struct Ruleset::Candidate {
  uint32_t playbook;
  uint32_t rule;
  uint32_t action;
  int32_t tier;
  uint32_t order;  // the rule's
  // The terms of v1::ScoreTerms, as plain numbers until the answer is made.
  double propensity;
  double context_weight;
  double value;
  double lever;
  double priority;
};

// A DroppedCandidate's stage; kStageNames spells them.
enum class Ruleset::Trace::Stage : uint8_t {
  kValidity,
  kChannel,
  kEligibility,
  kApplicability,
  kSuitability,
  kWeight,
  kLever,
  kCap,
  kCoolOff,
  kQuietHours,
  kDuplicate,
  kMaxResults,
};

// How an entry's detail is made.
enum class Ruleset::Trace::Why : uint8_t {
  kText,              // the entry's text
  kConditionFalse,    // conditions_[arg] is false
  kConditionError,    // conditions_[arg] failed with the entry's text
  kConditionNotBool,  // conditions_[arg] gave another kind of value
  kValidity,
  kChannel,  // arg: the channel
  kLever,
  kDuplicate,
  kMaxResults,  // arg: max_results
};

namespace {

using Stage = Ruleset::Trace::Stage;

constexpr absl::string_view kStageNames[] = {
    "validity",    "channel",     "eligibility", "applicability",
    "suitability", "weight",      "lever",       "cap",
    "cool_off",    "quiet_hours", "duplicate",   "max_results"};

constexpr Stage kConditionStages[3] = {
    Stage::kEligibility, Stage::kApplicability, Stage::kSuitability};

absl::string_view StageName(Stage stage) {
  return kStageNames[static_cast<int>(stage)];
}

bool IsPolicy(Stage stage) {
  return stage == Stage::kCap || stage == Stage::kCoolOff ||
         stage == Stage::kQuietHours;
}

}  // namespace

// One evaluation of the ruleset for one customer: the context bound on this
// thread's scratch, and what every step shares.
class Ruleset::Evaluation {
 public:
  // Drops are written to `trace` (null: not traced).
  Evaluation(const Ruleset& rules, absl::string_view customer_id,
             const state::CustomerState& customer,
             const state::StateStore& store, Trace* trace = nullptr,
             Detail detail = Detail::kFull)
      : rules_(rules),
        customer_(customer),
        store_(store),
        trace_(trace),
        full_(detail == Detail::kFull) {
    thread_local expr::Scratch scratch;
    arena_ = &scratch.FreshArena();
    activation_ = &scratch.ActivationFor(rules.scratch_owner_, *rules.env_);
    customer_id_ = customer_id;
    thread_local std::vector<expr::Value> memo;
    thread_local std::vector<uint8_t> memo_done;
    memo.resize(rules.conditions_.size());
    memo_done.assign(rules.conditions_.size(), 0);
    memo_ = memo.data();
    memo_done_ = memo_done.data();
    thread_local std::vector<PolicyMemo> verdicts;
    verdicts.resize(rules.actions_.size());
    for (PolicyMemo& v : verdicts) v.channel = kNotChecked;
    verdicts_ = verdicts.data();
  }

  // Binds the context as of `now_us`, the situation and `event` (null:
  // unbound, so that rules reading it do not match).
  absl::Status Bind(const v1::Situation& situation, int64_t now_us,
                    const v1::Event* event) {
    now_us_ = now_us;
    customer_.PrefetchBind(now_us, store_.config(), rules_.context_fields_);
    if (absl::Status s = customer_.Bind(customer_id_, now_us, store_.config(),
                                        store_.strings(), activation_, arena_,
                                        rules_.context_fields_);
        !s.ok()) {
      return s;
    }
    const expr::Value now =
        expr::Value::Timestamp(absl::FromUnixMicros(now_us));
    auto* entries = expr::NewArray<expr::MapValue::Entry>(arena_, 5);
    entries[0] = {expr::Value::String("channel"),
                  expr::Value::String(state::ChannelName(situation.channel()))};
    entries[1] = {expr::Value::String("topic"),
                  expr::Value::String(situation.topic())};
    entries[2] = {expr::Value::String("agent_id"),
                  expr::Value::String(situation.agent_id())};
    entries[3] = {expr::Value::String("direction"),
                  expr::Value::String(DirectionName(situation.direction()))};
    entries[4] = {expr::Value::String("time"), now};
    activation_->Bind(rules_.now_slot_, now);
    activation_->Bind(rules_.situation_slot_,
                      expr::MapValue::Make(arena_, {entries, 5}));
    activation_->Bind(rules_.event_slot_,
                      event ? state::EventToValue(*event, arena_)
                            : expr::Value::Error("no event in a decision"));
    situation_ = &situation;
    return absl::OkStatus();
  }

  // Whether condition `index` (kNoCondition: true) holds.
  bool Holds(int32_t index) {
    if (index == kNoCondition) return true;
    // Each condition once per evaluation; its value lives in the arena.
    if (!memo_done_[index]) {
      memo_[index] =
          rules_.conditions_[index].program->Evaluate(*activation_, arena_);
      memo_done_[index] = 1;
    }
    const expr::Value& v = memo_[index];
    return v.kind() == expr::ValueKind::kBool && v.bool_value();
  }

  bool PlaybookMatches(const Playbook& playbook) {
    const v1::Playbook& p = *playbook.proto;
    if (!p.channels().empty() &&
        std::find(p.channels().begin(), p.channels().end(),
                  situation_->channel()) == p.channels().end()) {
      return false;
    }
    if (!p.topics().empty() &&
        std::find(p.topics().begin(), p.topics().end(), situation_->topic()) ==
            p.topics().end()) {
      return false;
    }
    if (!p.directions().empty() &&
        std::find(p.directions().begin(), p.directions().end(),
                  situation_->direction()) == p.directions().end()) {
      return false;
    }
    return Holds(playbook.condition);
  }

  // Checks one rule's candidate offered on `channel`: true and `out`
  // filled when it survives (but for its score: see Score), else false and
  // why in the trace.
  bool Consider(uint32_t playbook_index, uint32_t rule_index,
                v1::Channel channel, bool quiet_hours_drop, Candidate* out) {
    const Playbook& playbook = rules_.playbooks_[playbook_index];
    const Rule& rule = playbook.rules[rule_index];
    const Action& action = rules_.actions_[rule.action];
    auto drop = [&](Stage stage, Trace::Why why, int32_t arg = 0,
                    absl::string_view text = {}) {
      if (trace_ != nullptr) {
        trace_->Add(playbook_index, rule_index, stage, why, arg, text);
      }
      return false;
    };
    if ((action.valid_from_us != 0 && now_us_ < action.valid_from_us) ||
        (action.valid_until_us != 0 && now_us_ >= action.valid_until_us)) {
      return drop(Stage::kValidity, Trace::Why::kValidity);
    }
    if ((action.channels >> (channel & 31) & 1) == 0) {
      return drop(Stage::kChannel, Trace::Why::kChannel, channel);
    }
    for (int c = 0; c < 3; ++c) {
      const int32_t condition = rule.conditions[c];
      if (Holds(condition)) continue;
      const expr::Value& v = memo_[condition];
      if (v.kind() == expr::ValueKind::kBool) {
        return drop(kConditionStages[c], Trace::Why::kConditionFalse,
                    condition);
      }
      if (v.is_error()) {
        return drop(kConditionStages[c], Trace::Why::kConditionError, condition,
                    v.text());
      }
      return drop(kConditionStages[c], Trace::Why::kConditionNotBool,
                  condition);
    }
    double weight = action.default_weight;
    if (rule.weight != nullptr) {
      const expr::Value v = rule.weight->Evaluate(*activation_, arena_);
      if (v.kind() == expr::ValueKind::kDouble) {
        weight = v.double_value();
      } else if (v.kind() == expr::ValueKind::kInt) {
        weight = static_cast<double>(v.int_value());
      } else if (v.kind() == expr::ValueKind::kUint) {
        weight = static_cast<double>(v.uint_value());
      } else {
        return drop(
            Stage::kWeight, Trace::Why::kText, 0,
            trace_ == nullptr
                ? std::string()
                : absl::StrCat(rule.proto->weight(), ": ",
                               v.is_error() ? v.text() : "not a number"));
      }
      if (!std::isfinite(weight) || weight < 0) {
        return drop(Stage::kWeight, Trace::Why::kText, 0,
                    trace_ == nullptr
                        ? std::string()
                        : absl::StrCat(rule.proto->weight(), " is ", weight,
                                       ", not a number >= 0"));
      }
    }
    if (action.lever == 0) return drop(Stage::kLever, Trace::Why::kLever);
    const Verdict& verdict = PolicyVerdict(rule.action, channel);
    if (!verdict.allowed()) {
      return drop(verdict.stage == "cap" ? Stage::kCap : Stage::kCoolOff,
                  Trace::Why::kText, 0, verdict.detail);
    }
    if (quiet_hours_drop) {
      if (const int64_t until = QuietUntil(); until != 0) {
        // The same for every candidate of the decision: formatted once.
        if (quiet_detail_.empty()) {
          quiet_detail_ = absl::StrCat(
              "quiet hours in ", zone_.name(), " until ",
              absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMicros(until),
                               zone_));
        }
        return drop(Stage::kQuietHours, Trace::Why::kText, 0, quiet_detail_);
      }
    }
    out->playbook = playbook_index;
    out->rule = rule_index;
    out->action = rule.action;
    out->tier = rule.tier;
    out->order = rule.order;
    out->context_weight = weight;
    out->value = action.value;
    out->lever = action.lever;
    return true;
  }

  // Sets the propensity and priority of candidates that Consider let
  // through, from what the store learned of their actions: one look under
  // the store's lock for them all, rather than one for each.
  void Score(absl::Span<Candidate> candidates) {
    absl::InlinedVector<uint32_t, 16> actions;
    for (const Candidate& c : candidates) {
      actions.push_back(rules_.actions_[c.action].ids.action);
    }
    absl::InlinedVector<state::ActionStats, 16> learned(actions.size());
    store_.Learned(actions, learned.data());
    for (size_t i = 0; i < candidates.size(); ++i) {
      Candidate& c = candidates[i];
      c.propensity =
          Propensity(learned[i], rules_.prior_accepts_, rules_.prior_rejects_);
      c.priority = c.propensity * c.context_weight * c.value * c.lever;
    }
  }

  // Contact policy's verdict on offering action `action_index` on
  // `channel`, checked once per evaluation: the rules that offer one action
  // share it, and each check reads the customer's responses.
  const Verdict& PolicyVerdict(uint32_t action_index, v1::Channel channel) {
    PolicyMemo& memo = verdicts_[action_index];
    if (memo.channel != channel) {
      memo.verdict = rules_.policy_.Check(rules_.actions_[action_index].ids,
                                          channel, customer_.responses(),
                                          rules_.service_actions_, now_us_);
      memo.channel = channel;
    }
    return memo.verdict;
  }

  // The end of the customer's quiet hours when now is inside them, else 0.
  int64_t QuietUntil() {
    if (!rules_.policy_.has_quiet_hours()) return 0;
    if (!zone_loaded_) {
      absl::string_view name;
      if (rules_.time_zone_ != nullptr) {
        const expr::Value v = rules_.time_zone_->Evaluate(*activation_, arena_);
        if (v.kind() == expr::ValueKind::kString) name = v.text();
      }
      zone_ = rules_.policy_.ZoneFor(name);
      zone_loaded_ = true;
    }
    return rules_.policy_.QuietUntil(now_us_, zone_);
  }

  void Fill(const Candidate& candidate, v1::RankedAction* out) {
    const Playbook& playbook = rules_.playbooks_[candidate.playbook];
    const Rule& rule = playbook.rules[candidate.rule];
    const Action& action = rules_.actions_[candidate.action];
    out->set_action(action.proto->id());
    out->set_group(action.proto->group());
    out->set_service(action.proto->service());
    out->set_playbook(playbook.proto->name());
    out->set_rule(rule.name);
    out->set_tier(candidate.tier);
    v1::ScoreTerms* score = out->mutable_score();
    score->set_propensity(candidate.propensity);
    score->set_context_weight(candidate.context_weight);
    score->set_value(candidate.value);
    score->set_lever(candidate.lever);
    score->set_priority(candidate.priority);
    if (!full_) return;
    out->set_title(action.proto->title());
    action.script.Fill(*activation_, arena_, out->mutable_script());
    if (!rule.reason.empty()) {
      rule.reason.Fill(*activation_, arena_, out->add_reasons());
    }
    for (const std::string& reason : rule.matched) out->add_reasons(reason);
  }

 private:
  const Ruleset& rules_;
  const state::CustomerState& customer_;
  const state::StateStore& store_;
  Trace* const trace_;
  const bool full_;  // Detail::kFull
  absl::string_view customer_id_;
  expr::Arena* arena_;
  expr::Activation* activation_;
  const v1::Situation* situation_ = nullptr;
  int64_t now_us_ = 0;
  // The value of each condition evaluated so far (this thread's scratch).
  expr::Value* memo_;
  uint8_t* memo_done_;
  // Contact policy's verdict per action, for the channel checked.
  static constexpr int kNotChecked = -1;
  struct PolicyMemo {
    int channel;  // kNotChecked: none yet
    Verdict verdict;
  };
  PolicyMemo* verdicts_;
  bool zone_loaded_ = false;
  absl::TimeZone zone_;
  std::string quiet_detail_;
};

Ruleset::Ruleset() : scratch_owner_(expr::NewScratchOwner()) {}
Ruleset::~Ruleset() = default;

std::string Ruleset::Origin(absl::string_view origin) {
  return origin.empty() ? "ruleset" : std::string(origin);
}

absl::StatusOr<v1::Ruleset> Ruleset::Parse(absl::string_view text,
                                           absl::string_view origin) {
  const std::string where = Origin(origin);
  Locator locate(where, !IsJson(text));
  v1::Ruleset proto;
  if (absl::Status s = ParseRuleset(text, where, &proto, &locate); !s.ok()) {
    return s;
  }
  return proto;
}

size_t Ruleset::action_count() const { return actions_.size(); }

absl::string_view Ruleset::GroupOf(absl::string_view action) const {
  for (const Action& a : actions_) {
    if (a.proto->id() == action) return a.proto->group();
  }
  return absl::string_view();
}

bool Ruleset::HasAction(absl::string_view action) const {
  return std::any_of(actions_.begin(), actions_.end(),
                     [&](const Action& a) { return a.proto->id() == action; });
}

// Compile's sections, in the order Compile runs them, with what they share:
// the ruleset being built, where its fields were written, and the indexes
// of actions by id and of conditions by source.
class Ruleset::Compiler {
 public:
  Compiler(Ruleset& rules, const Locator& locate, state::Interner& strings)
      : rules_(rules), locate_(locate), strings_(strings) {}

  absl::Status CompileActions();
  // Arbitration: weights, levers and the propensity prior.
  absl::Status CompileArbitration();
  absl::Status CompilePlaybooks();
  // The contact policy, and the time-zone expression of its quiet hours.
  absl::Status CompileContactPolicy();

 private:
  absl::StatusOr<Action> CompileAction(int i);
  absl::Status CompilePlaybook(int p);
  // `names`: the names of the playbook's rules before this one, to which
  // this one's is added.
  absl::StatusOr<Rule> CompileRule(const v1::Playbook& pb,
                                   const std::string& path, int r,
                                   absl::flat_hash_set<std::string>& names);

  // Null for an empty source. `want_bool`: refuses a result that cannot be
  // a bool.
  absl::StatusOr<std::unique_ptr<expr::Program>> CompileExpression(
      const std::string& path, const std::string& source, bool want_bool);
  // The index of the condition with this source, compiled the first time.
  absl::StatusOr<int32_t> ConditionOf(const std::string& path,
                                      const std::string& source);
  absl::StatusOr<Template> TemplateOf(const std::string& path,
                                      const std::string& source);
  // Ids and names: 1 to 64 of [a-z0-9_.-].
  absl::Status CheckName(const std::string& path, const std::string& name,
                         absl::string_view what) const;

  Ruleset& rules_;
  const Locator& locate_;
  state::Interner& strings_;
  absl::flat_hash_map<std::string, uint32_t> action_index_;
  absl::flat_hash_map<std::string, int32_t> condition_index_;
  uint32_t rule_order_ = 0;  // Rule::order of the next rule
};

absl::StatusOr<std::unique_ptr<expr::Program>>
Ruleset::Compiler::CompileExpression(const std::string& path,
                                     const std::string& source,
                                     bool want_bool) {
  if (source.empty()) return std::unique_ptr<expr::Program>();
  absl::StatusOr<std::unique_ptr<expr::Program>> program =
      expr::Program::Compile(source, *rules_.env_);
  if (!program.ok()) return locate_.Error(path, program.status().message());
  rules_.context_fields_.Add(**program);
  const expr::Type& type = (*program)->result_type();
  if (want_bool && type.kind() != expr::Type::Kind::kBool && !type.is_dyn()) {
    return locate_.Error(path, absl::StrCat("must be a bool expression, not ",
                                            type.DebugString()));
  }
  return program;
}

absl::StatusOr<int32_t> Ruleset::Compiler::ConditionOf(
    const std::string& path, const std::string& source) {
  if (source.empty()) return kNoCondition;
  if (auto it = condition_index_.find(source); it != condition_index_.end()) {
    return it->second;
  }
  absl::StatusOr<std::unique_ptr<expr::Program>> program =
      CompileExpression(path, source, true);
  if (!program.ok()) return program.status();
  const int32_t index = static_cast<int32_t>(rules_.conditions_.size());
  rules_.conditions_.push_back(
      {source, *std::move(program), absl::StrCat(source, " is false")});
  condition_index_.emplace(source, index);
  return index;
}

absl::StatusOr<Template> Ruleset::Compiler::TemplateOf(
    const std::string& path, const std::string& source) {
  absl::StatusOr<Template> compiled = Template::Compile(source, *rules_.env_);
  if (!compiled.ok()) return locate_.Error(path, compiled.status().message());
  compiled->ForEachProgram([this](const expr::Program& program) {
    rules_.context_fields_.Add(program);
  });
  return compiled;
}

absl::Status Ruleset::Compiler::CheckName(const std::string& path,
                                          const std::string& name,
                                          absl::string_view what) const {
  if (IsValidId(name)) return absl::OkStatus();
  return locate_.Error(path, absl::StrCat("\"", name, "\" is not ", what,
                                          ": 1 to 64 of [a-z0-9_.-]"));
}

absl::Status Ruleset::Compiler::CompileActions() {
  for (int i = 0; i < rules_.proto_.actions_size(); ++i) {
    absl::StatusOr<Action> action = CompileAction(i);
    if (!action.ok()) return action.status();
    if (action->ids.service) {
      rules_.service_actions_.push_back(action->ids.action);
    }
    rules_.actions_.push_back(*std::move(action));
  }
  std::sort(rules_.service_actions_.begin(), rules_.service_actions_.end());
  return absl::OkStatus();
}

absl::StatusOr<Ruleset::Action> Ruleset::Compiler::CompileAction(int i) {
  const v1::Action& a = rules_.proto_.actions(i);
  const std::string path = absl::StrCat("actions[", i, "]");
  if (absl::Status s = CheckName(absl::StrCat(path, ".id"), a.id(), "an id");
      !s.ok()) {
    return s;
  }
  if (!action_index_.emplace(a.id(), i).second) {
    return locate_.Error(
        absl::StrCat(path, ".id"),
        absl::StrCat("action \"", a.id(), "\" is declared twice"));
  }
  if (!a.group().empty()) {
    if (absl::Status s =
            CheckName(absl::StrCat(path, ".group"), a.group(), "a group name");
        !s.ok()) {
      return s;
    }
  }
  Action action;
  action.proto = &a;
  action.ids.action = strings_.Intern(a.id());
  action.ids.group = strings_.Intern(a.group());
  action.ids.service = a.service();
  if (a.has_value()) {
    if (!std::isfinite(a.value()) || a.value() <= 0) {
      return locate_.Error(absl::StrCat(path, ".value"), "must be > 0");
    }
    action.value = a.value();
  }
  if (a.has_valid_from()) {
    action.valid_from_us = model::ToUnixMicros(a.valid_from());
  }
  if (a.has_valid_until()) {
    action.valid_until_us = model::ToUnixMicros(a.valid_until());
    if (action.valid_until_us <= action.valid_from_us) {
      return locate_.Error(absl::StrCat(path, ".valid_until"),
                           "must be after valid_from");
    }
  }
  absl::StatusOr<Template> script =
      TemplateOf(absl::StrCat(path, ".script"), a.script());
  if (!script.ok()) return script.status();
  action.script = *std::move(script);
  if (!a.channels().empty()) {
    action.channels = 0;
    for (int channel : a.channels()) action.channels |= uint32_t{1} << channel;
  }
  return action;
}

absl::Status Ruleset::Compiler::CompileArbitration() {
  // Group weights first, so that an action's own override them whatever the
  // order they are written in.
  const v1::Arbitration& arbitration = rules_.proto_.arbitration();
  for (bool for_actions : {false, true}) {
    for (int i = 0; i < arbitration.weights_size(); ++i) {
      const v1::ArbitrationWeight& w = arbitration.weights(i);
      const std::string path = absl::StrCat("arbitration.weights[", i, "]");
      if (w.action().empty() == w.group().empty()) {
        return locate_.Error(path, "names one action or one group");
      }
      if (w.has_context_weight() &&
          !(std::isfinite(w.context_weight()) && w.context_weight() >= 0)) {
        return locate_.Error(absl::StrCat(path, ".context_weight"),
                             "must be >= 0");
      }
      if (w.has_lever() && !(std::isfinite(w.lever()) && w.lever() >= 0)) {
        return locate_.Error(absl::StrCat(path, ".lever"), "must be >= 0");
      }
      if (!w.action().empty() && !action_index_.contains(w.action())) {
        return locate_.Error(absl::StrCat(path, ".action"),
                             absl::StrCat("no action \"", w.action(), "\""));
      }
      if (w.action().empty() == for_actions) continue;
      for (Action& action : rules_.actions_) {
        const bool applies = for_actions ? action.proto->id() == w.action()
                                         : action.proto->group() == w.group();
        if (!applies) continue;
        if (w.has_context_weight()) action.default_weight = w.context_weight();
        if (w.has_lever()) action.lever = w.lever();
      }
    }
  }
  if (arbitration.has_prior_accepts()) {
    if (!(arbitration.prior_accepts() > 0)) {
      return locate_.Error("arbitration.prior_accepts", "must be > 0");
    }
    rules_.prior_accepts_ = arbitration.prior_accepts();
  }
  if (arbitration.has_prior_rejects()) {
    if (!(arbitration.prior_rejects() > 0)) {
      return locate_.Error("arbitration.prior_rejects", "must be > 0");
    }
    rules_.prior_rejects_ = arbitration.prior_rejects();
  }
  return absl::OkStatus();
}

absl::Status Ruleset::Compiler::CompilePlaybooks() {
  absl::flat_hash_set<std::string> playbook_names;
  for (int p = 0; p < rules_.proto_.playbooks_size(); ++p) {
    const v1::Playbook& pb = rules_.proto_.playbooks(p);
    const std::string path = absl::StrCat("playbooks[", p, "]");
    if (absl::Status s =
            CheckName(absl::StrCat(path, ".name"), pb.name(), "a name");
        !s.ok()) {
      return s;
    }
    if (!playbook_names.insert(pb.name()).second) {
      return locate_.Error(
          absl::StrCat(path, ".name"),
          absl::StrCat("playbook \"", pb.name(), "\" is declared twice"));
    }
    if (absl::Status s = CompilePlaybook(p); !s.ok()) return s;
  }
  if (rules_.proactive_.size() > kMaxProactiveRules) {
    return locate_.Error(
        "playbooks",
        absl::StrCat("has ", rules_.proactive_.size(),
                     " proactive rules; at most ", kMaxProactiveRules));
  }
  return absl::OkStatus();
}

absl::Status Ruleset::Compiler::CompilePlaybook(int p) {
  const v1::Playbook& pb = rules_.proto_.playbooks(p);
  const std::string path = absl::StrCat("playbooks[", p, "]");
  Playbook playbook;
  playbook.proto = &pb;
  absl::StatusOr<int32_t> condition =
      ConditionOf(absl::StrCat(path, ".condition"), pb.condition());
  if (!condition.ok()) return condition.status();
  playbook.condition = *condition;
  if (pb.rules().empty()) {
    return locate_.Error(path, "has no rules");
  }
  absl::flat_hash_set<std::string> rule_names;
  for (int r = 0; r < pb.rules_size(); ++r) {
    absl::StatusOr<Rule> rule = CompileRule(pb, path, r, rule_names);
    if (!rule.ok()) return rule.status();
    if (pb.proactive()) rules_.proactive_.emplace_back(p, r);
    playbook.rules.push_back(*std::move(rule));
  }
  rules_.rule_count_ += playbook.rules.size();
  rules_.playbooks_.push_back(std::move(playbook));
  return absl::OkStatus();
}

absl::StatusOr<Ruleset::Rule> Ruleset::Compiler::CompileRule(
    const v1::Playbook& pb, const std::string& path, int r,
    absl::flat_hash_set<std::string>& names) {
  const v1::Rule& rp = pb.rules(r);
  const std::string rule_path = absl::StrCat(path, ".rules[", r, "]");
  auto found = action_index_.find(rp.action());
  if (found == action_index_.end()) {
    return locate_.Error(absl::StrCat(rule_path, ".action"),
                         rp.action().empty()
                             ? std::string("names no action")
                             : absl::StrCat("no action \"", rp.action(), "\""));
  }
  Rule rule;
  rule.proto = &rp;
  rule.action = found->second;
  rule.name = rp.name().empty() ? rp.action() : rp.name();
  rule.order = rule_order_++;
  rule.tier = rp.priority();
  if (absl::Status s =
          CheckName(absl::StrCat(rule_path, ".name"), rule.name, "a name");
      !s.ok()) {
    return s;
  }
  if (!names.insert(rule.name).second) {
    return locate_.Error(rule_path, absl::StrCat("rule \"", rule.name,
                                                 "\" is declared twice in the "
                                                 "playbook (name the rules)"));
  }
  const std::string* sources[3] = {&rp.eligibility(), &rp.applicability(),
                                   &rp.suitability()};
  for (int c = 0; c < 3; ++c) {
    absl::StatusOr<int32_t> condition = ConditionOf(
        absl::StrCat(rule_path, ".", StageName(kConditionStages[c])),
        *sources[c]);
    if (!condition.ok()) return condition.status();
    rule.conditions[c] = *condition;
  }
  absl::StatusOr<std::unique_ptr<expr::Program>> weight =
      CompileExpression(absl::StrCat(rule_path, ".weight"), rp.weight(), false);
  if (!weight.ok()) return weight.status();
  if (*weight != nullptr) {
    const expr::Type& type = (*weight)->result_type();
    if (type.kind() != expr::Type::Kind::kDouble &&
        type.kind() != expr::Type::Kind::kInt &&
        type.kind() != expr::Type::Kind::kUint && !type.is_dyn()) {
      return locate_.Error(
          absl::StrCat(rule_path, ".weight"),
          absl::StrCat("must be a number, not ", type.DebugString()));
    }
  }
  rule.weight = *std::move(weight);
  rule.matched.push_back(absl::StrCat(
      "playbook ", pb.name(),
      pb.condition().empty() ? "" : absl::StrCat(": ", pb.condition())));
  for (int c = 0; c < 3; ++c) {
    if (sources[c]->empty()) continue;
    rule.matched.push_back(
        absl::StrCat(StageName(kConditionStages[c]), ": ", *sources[c]));
  }
  absl::StatusOr<Template> reason =
      TemplateOf(absl::StrCat(rule_path, ".reason"), rp.reason());
  if (!reason.ok()) return reason.status();
  rule.reason = *std::move(reason);
  return rule;
}

absl::Status Ruleset::Compiler::CompileContactPolicy() {
  absl::StatusOr<ContactPolicy> policy =
      ContactPolicy::Compile(rules_.proto_.contact_policy(), strings_);
  if (!policy.ok()) {
    const std::string field = base::ErrorField(policy.status());
    return locate_.Error(absl::StrCat("contact_policy.", field),
                         base::ErrorReason(policy.status()));
  }
  rules_.policy_ = *std::move(policy);
  const std::string& zone_attribute = rules_.policy_.time_zone_attribute();
  if (!rules_.policy_.has_quiet_hours() || zone_attribute.empty()) {
    return absl::OkStatus();
  }
  if (!std::all_of(zone_attribute.begin(), zone_attribute.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.';
      })) {
    return locate_.Error("contact_policy.quiet_hours.time_zone_attribute",
                         "must be an attribute key of [A-Za-z0-9_.-]");
  }
  absl::StatusOr<std::unique_ptr<expr::Program>> zone = CompileExpression(
      "contact_policy.quiet_hours.time_zone_attribute",
      absl::StrCat("customer.attributes['", zone_attribute, "']"), false);
  if (!zone.ok()) return zone.status();
  rules_.time_zone_ = *std::move(zone);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const Ruleset>> Ruleset::Compile(
    absl::string_view text, absl::string_view origin,
    state::Interner& strings) {
  auto rules = std::shared_ptr<Ruleset>(new Ruleset());
  const std::string where = Origin(origin);
  Locator locate(where, !IsJson(text));
  if (absl::Status s = ParseRuleset(text, where, &rules->proto_, &locate);
      !s.ok()) {
    return s;
  }
  const v1::Ruleset& proto = rules->proto_;
  rules->version_ = proto.version().empty() ? Digest(text) : proto.version();

  // The environment: the engine's rule variables, with this ruleset's
  // metrics typed, and the situation (the keys Evaluation::Bind binds).
  std::vector<const v1::MetricDefinition*> metrics;
  for (const v1::MetricDefinition& metric : proto.metrics()) {
    metrics.push_back(&metric);
  }
  rules->env_ = state::NewRuleEnvironment(metrics);
  expr::Environment& env = *rules->env_;
  // NewRuleEnvironment does not declare it, so this cannot clash.
  const expr::Type situation =
      expr::Type::Record("situation", {{"channel", expr::Type::String()},
                                       {"topic", expr::Type::String()},
                                       {"agent_id", expr::Type::String()},
                                       {"direction", expr::Type::String()},
                                       {"time", expr::Type::Timestamp()}});
  env.DeclareVariable("situation", situation).IgnoreError();
  rules->event_slot_ = env.FindVariable("event")->slot;
  rules->now_slot_ = env.FindVariable("now")->slot;
  rules->situation_slot_ = env.FindVariable("situation")->slot;

  // Metrics are compiled with the context configuration (the engine merges
  // them); here only their names matter, for clashes the engine reports.
  Compiler compiler(*rules, locate, strings);
  if (absl::Status s = compiler.CompileActions(); !s.ok()) return s;
  if (absl::Status s = compiler.CompileArbitration(); !s.ok()) return s;
  if (absl::Status s = compiler.CompilePlaybooks(); !s.ok()) return s;
  if (absl::Status s = compiler.CompileContactPolicy(); !s.ok()) return s;
  return std::shared_ptr<const Ruleset>(std::move(rules));
}

namespace {

// Writes the decision's id, "d-" and 32 hex digits, to `id`. Deterministic:
// the same customer, situation and ruleset name the same decision.
void WriteDecisionId(absl::string_view customer_id,
                     const v1::Situation& situation, int64_t time_us,
                     absl::string_view version, std::string* id) {
  // This thread's buffer keeps its memory: no allocation once warm.
  thread_local std::string key;
  key.clear();
  absl::StrAppend(&key, customer_id, "\x1f", time_us, "\x1f",
                  situation.channel(), "\x1f", situation.topic(), "\x1f",
                  situation.direction(), "\x1f", situation.agent_id(), "\x1f",
                  version);
  const model::Hash128 hash = model::Murmur3x64_128(key, 0x64656369);
  constexpr char kHex[] = "0123456789abcdef";
  char text[34] = {'d', '-'};
  for (int i = 0; i < 16; ++i) {
    const int shift = 60 - 4 * i;
    text[2 + i] = kHex[hash.high >> shift & 15];
    text[18 + i] = kHex[hash.low >> shift & 15];
  }
  id->assign(text, sizeof(text));
}

}  // namespace

absl::Status Ruleset::Decide(absl::string_view customer_id,
                             const v1::Situation& situation,
                             const state::CustomerState& customer,
                             const state::StateStore& store, v1::Decision* out,
                             Detail detail) const {
  // This thread's: once warm, a decision allocates little.
  thread_local Trace trace;
  absl::Status decided =
      Decide(customer_id, situation, customer, store, out, &trace, detail);
  if (decided.ok()) {
    trace.AppendDropped(out->mutable_dropped(),
                        /*policy_only=*/detail != Detail::kFull);
  }
  // Lets go of this ruleset (an engine may be waiting to free it).
  trace.Clear();
  return decided;
}

absl::Status Ruleset::Decide(absl::string_view customer_id,
                             const v1::Situation& situation,
                             const state::CustomerState& customer,
                             const state::StateStore& store, v1::Decision* out,
                             Trace* trace, Detail detail) const {
  const int64_t now_us = model::ToUnixMicros(situation.time());
  // Clear keeps the messages and strings for the next decision to reuse.
  out->Clear();
  trace->Reset(*this);
  WriteDecisionId(customer_id, situation, now_us, version_,
                  out->mutable_decision_id());
  out->mutable_customer_id()->assign(customer_id.data(), customer_id.size());
  out->set_ruleset_version(version_);
  *out->mutable_time() = situation.time();

  Evaluation evaluation(*this, customer_id, customer, store, trace, detail);
  if (absl::Status s = evaluation.Bind(situation, now_us, nullptr); !s.ok()) {
    return s;
  }
  const bool hold_quiet = situation.direction() == v1::OUTBOUND ||
                          situation.direction() == v1::PROACTIVE;
  absl::InlinedVector<Candidate, 16> candidates;
  for (uint32_t p = 0; p < playbooks_.size(); ++p) {
    const Playbook& playbook = playbooks_[p];
    if (playbook.proto->proactive() || !evaluation.PlaybookMatches(playbook)) {
      continue;
    }
    out->add_playbooks(playbook.proto->name());
    for (uint32_t r = 0; r < playbook.rules.size(); ++r) {
      // The next rule's action, whose line the rule's index alone does not
      // let the hardware guess.
      if (r + 1 < playbook.rules.size()) {
        __builtin_prefetch(&actions_[playbook.rules[r + 1].action]);
      }
      Candidate candidate;
      if (evaluation.Consider(p, r, situation.channel(), hold_quiet,
                              &candidate)) {
        candidates.push_back(candidate);
      }
    }
  }

  evaluation.Score(absl::MakeSpan(candidates));
  // Best first: tier, score, then the order of the rules in the file.
  auto before = [&](const Candidate& a, const Candidate& b) {
    if (a.tier != b.tier) return a.tier > b.tier;
    if (a.priority != b.priority) {
      return a.priority > b.priority;
    }
    return a.order < b.order;
  };
  std::sort(candidates.begin(), candidates.end(), before);
  const uint32_t max_results =
      situation.max_results() != 0
          ? std::min(situation.max_results(), ContactPolicy::kMaxResults)
          : policy_.max_results();
  absl::InlinedVector<bool, 64> taken(actions_.size(), false);
  for (const Candidate& candidate : candidates) {
    const bool duplicate = taken[candidate.action];
    if (!duplicate &&
        static_cast<uint32_t>(out->actions_size()) < max_results) {
      taken[candidate.action] = true;
      evaluation.Fill(candidate, out->add_actions());
    } else if (duplicate) {
      trace->Add(candidate.playbook, candidate.rule, Trace::Stage::kDuplicate,
                 Trace::Why::kDuplicate);
    } else {
      trace->Add(candidate.playbook, candidate.rule, Trace::Stage::kMaxResults,
                 Trace::Why::kMaxResults, static_cast<int32_t>(max_results));
    }
  }
  return absl::OkStatus();
}

// --- Trace -------------------------------------------------------------------

void Ruleset::Trace::Reset(const Ruleset& rules) {
  if (rules_.get() != &rules) rules_ = rules.shared_from_this();
  entries_.clear();
  text_.clear();
}

void Ruleset::Trace::Clear() {
  rules_.reset();
  entries_.clear();
  text_.clear();
}

void Ruleset::Trace::Add(uint32_t playbook, uint32_t rule, Stage stage, Why why,
                         int32_t arg, absl::string_view text) {
  entries_.push_back({playbook, rule, stage, why, arg,
                      static_cast<uint32_t>(text_.size()),
                      static_cast<uint32_t>(text.size())});
  text_.append(text.data(), text.size());
}

void Ruleset::Trace::AppendDetail(const Entry& entry, std::string* out) const {
  const absl::string_view text(text_.data() + entry.text_begin,
                               entry.text_size);
  switch (entry.why) {
    case Why::kText:
      out->append(text.data(), text.size());
      return;
    case Why::kConditionFalse:
      out->append(rules_->conditions_[entry.arg].false_detail);
      return;
    case Why::kConditionError:
      absl::StrAppend(out, rules_->conditions_[entry.arg].source, ": ", text);
      return;
    case Why::kConditionNotBool:
      absl::StrAppend(out, rules_->conditions_[entry.arg].source,
                      " is not a bool");
      return;
    case Why::kValidity:
      out->append("outside the action's validity dates");
      return;
    case Why::kChannel: {
      const absl::string_view name =
          state::ChannelName(static_cast<v1::Channel>(entry.arg));
      absl::StrAppend(out, "not offered on ",
                      name.empty() ? "an unspecified channel" : name);
      return;
    }
    case Why::kLever:
      out->append("the action's lever is 0");
      return;
    case Why::kDuplicate:
      out->append("another rule proposes the action with a higher rank");
      return;
    case Why::kMaxResults:
      absl::StrAppend(out, "ranked below the first ", entry.arg);
      return;
  }
}

void Ruleset::Trace::AppendTo(
    google::protobuf::RepeatedPtrField<v1::DroppedCandidate>* out) const {
  AppendDropped(out, /*policy_only=*/false);
}

void Ruleset::Trace::AppendDropped(
    google::protobuf::RepeatedPtrField<v1::DroppedCandidate>* out,
    bool policy_only) const {
  for (const Entry& entry : entries_) {
    if (policy_only && !IsPolicy(entry.stage)) continue;
    const Playbook& playbook = rules_->playbooks_[entry.playbook];
    const Rule& rule = playbook.rules[entry.rule];
    v1::DroppedCandidate* drop = out->Add();
    drop->set_action(rules_->actions_[rule.action].proto->id());
    drop->set_playbook(playbook.proto->name());
    drop->set_rule(rule.name);
    const absl::string_view stage = StageName(entry.stage);
    drop->mutable_stage()->assign(stage.data(), stage.size());
    AppendDetail(entry, drop->mutable_detail());
  }
}

namespace {

// Protobuf's wire format, for the fields Trace::Serialize writes: a string
// (or message) field is its tag, its length and its bytes; proto3 leaves an
// empty string out.
constexpr int kDecisionDroppedField = 6;
constexpr int kDecisionPlaybooksField = 7;

size_t StringFieldSize(absl::string_view value) {
  return value.empty() ? 0 : 1 + base::VarintSize(value.size()) + value.size();
}

void PutLengthDelimited(int field, size_t size, std::string* out) {
  out->push_back(static_cast<char>(field << 3 | 2));
  base::PutVarint(size, out);
}

void PutStringField(int field, absl::string_view value, std::string* out) {
  if (value.empty()) return;
  PutLengthDelimited(field, value.size(), out);
  out->append(value.data(), value.size());
}

}  // namespace

absl::Status Ruleset::Trace::Serialize(const v1::Decision& decision,
                                       std::string* out) const {
  // Fields go out in number order, so `dropped` (6) goes between the
  // fields before it and `playbooks` (7), which ends the message.
  static_assert(v1::Decision::kDroppedFieldNumber == kDecisionDroppedField);
  static_assert(v1::Decision::kPlaybooksFieldNumber == kDecisionPlaybooksField);
  if (!decision.dropped().empty()) {
    return absl::FailedPreconditionError(
        "the decision's dropped candidates are in it already: serialize it "
        "whole");
  }
  // As every message the library hands out: deterministic bytes.
  out->clear();
  if (absl::Status s =
          model::Encode(model::WireFormat::kProtobuf, decision, out);
      !s.ok()) {
    return s;
  }
  size_t playbooks_size = 0;
  for (const std::string& name : decision.playbooks()) {
    // A repeated string keeps its empty elements.
    playbooks_size += 1 + base::VarintSize(name.size()) + name.size();
  }
  // This thread's: they keep their memory.
  thread_local std::string playbooks;
  thread_local std::string detail;
  playbooks.assign(*out, out->size() - playbooks_size, playbooks_size);
  out->resize(out->size() - playbooks_size);
  for (const Entry& entry : entries_) {
    const Playbook& playbook = rules_->playbooks_[entry.playbook];
    const Rule& rule = playbook.rules[entry.rule];
    const absl::string_view action = rules_->actions_[rule.action].proto->id();
    const absl::string_view stage = StageName(entry.stage);
    detail.clear();
    AppendDetail(entry, &detail);
    PutLengthDelimited(kDecisionDroppedField,
                       StringFieldSize(action) +
                           StringFieldSize(playbook.proto->name()) +
                           StringFieldSize(rule.name) + StringFieldSize(stage) +
                           StringFieldSize(detail),
                       out);
    PutStringField(v1::DroppedCandidate::kActionFieldNumber, action, out);
    PutStringField(v1::DroppedCandidate::kPlaybookFieldNumber,
                   playbook.proto->name(), out);
    PutStringField(v1::DroppedCandidate::kRuleFieldNumber, rule.name, out);
    PutStringField(v1::DroppedCandidate::kStageFieldNumber, stage, out);
    PutStringField(v1::DroppedCandidate::kDetailFieldNumber, detail, out);
  }
  out->append(playbooks);
  return absl::OkStatus();
}

namespace {

v1::Situation ProactiveSituation(const v1::Event& event, int64_t now_us) {
  v1::Situation situation;
  situation.set_channel(event.channel());
  situation.set_topic(event.topic());
  situation.set_direction(v1::PROACTIVE);
  *situation.mutable_time() = model::FromUnixMicros(now_us);
  return situation;
}

}  // namespace

uint64_t Ruleset::Proactive(absl::string_view customer_id,
                            const v1::Event& event, const v1::Event* seen,
                            int64_t now_us,
                            const state::CustomerState& customer,
                            const state::StateStore& store) const {
  if (proactive_.empty()) return 0;
  const v1::Situation situation = ProactiveSituation(event, now_us);
  Evaluation evaluation(*this, customer_id, customer, store);
  if (!evaluation.Bind(situation, now_us, seen).ok()) return 0;
  uint64_t on = 0;
  int32_t matched_playbook = -1;
  bool matched = false;
  for (size_t i = 0; i < proactive_.size(); ++i) {
    const auto [p, r] = proactive_[i];
    if (static_cast<int32_t>(p) != matched_playbook) {
      matched_playbook = p;
      matched = evaluation.PlaybookMatches(playbooks_[p]);
    }
    if (!matched) continue;
    const Rule& rule = playbooks_[p].rules[r];
    bool holds = true;
    for (int c = 0; c < 3 && holds; ++c) {
      holds = evaluation.Holds(rule.conditions[c]);
    }
    if (holds) on |= uint64_t{1} << i;
  }
  return on;
}

void Ruleset::Alerts(absl::string_view customer_id, const v1::Event& event,
                     int64_t now_us, uint64_t turned_on,
                     const state::CustomerState& customer,
                     const state::StateStore& store,
                     std::vector<v1::Alert>* out) const {
  if (turned_on == 0) return;
  const v1::Situation situation = ProactiveSituation(event, now_us);
  Evaluation evaluation(*this, customer_id, customer, store);
  if (!evaluation.Bind(situation, now_us, &event).ok()) return;
  for (size_t i = 0; i < proactive_.size(); ++i) {
    if ((turned_on >> i & 1) == 0) continue;
    const auto [p, r] = proactive_[i];
    const Action& action = actions_[playbooks_[p].rules[r].action];
    // An alert goes out on the action's first channel, else on the event's.
    const v1::Channel channel =
        action.proto->channels().empty()
            ? event.channel()
            : static_cast<v1::Channel>(action.proto->channels(0));
    Candidate candidate;
    if (!evaluation.Consider(p, r, channel, /*quiet_hours_drop=*/false,
                             &candidate)) {
      continue;
    }
    evaluation.Score({&candidate, 1});
    v1::Alert& alert = out->emplace_back();
    alert.set_customer_id(std::string(customer_id));
    alert.set_playbook(playbooks_[p].proto->name());
    alert.set_rule(playbooks_[p].rules[r].name);
    evaluation.Fill(candidate, alert.mutable_action());
    *alert.mutable_raised_at() = situation.time();
    const int64_t until = evaluation.QuietUntil();
    *alert.mutable_deliver_after() =
        until != 0 ? model::FromUnixMicros(until) : situation.time();
    alert.set_event_id(event.event_id());
  }
}

void Ruleset::Fold(const v1::Event& event, state::StateStore& store,
                   std::vector<v1::Alert>* out, absl::string_view body) const {
  if (proactive_.empty()) {
    store.Apply(event, body);
    return;
  }
  const absl::string_view customer_id = event.customer_id();
  const int64_t event_us = model::ToUnixMicros(event.occurred_at());
  auto rules_on = [&](const v1::Event* seen) {
    uint64_t on = 0;
    store.Visit(customer_id, std::numeric_limits<int64_t>::max(),
                [&](const state::CustomerState& customer) {
                  on = Proactive(customer_id, event, seen,
                                 std::max(event_us, customer.newest_us()),
                                 customer, store);
                });
    return on;
  };
  const uint64_t before = rules_on(nullptr);
  store.Apply(event, body);
  const uint64_t turned_on = rules_on(&event) & ~before;
  if (turned_on == 0) return;
  store.Visit(customer_id, std::numeric_limits<int64_t>::max(),
              [&](const state::CustomerState& customer) {
                Alerts(customer_id, event,
                       std::max(event_us, customer.newest_us()), turned_on,
                       customer, store, out);
              });
}

}  // namespace motive::decide
