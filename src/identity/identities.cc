#include "identity/identities.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/errors.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "model/event_id.h"
#include "model/event_validation.h"

namespace motive::identity {
namespace {

constexpr int kDefaultMaxProfiles = 3;
constexpr uint32_t kConfigSeed = 0x1d3e7a12;

void SetAttribute(v1::Event* event, absl::string_view key,
                  absl::string_view value) {
  (*event->mutable_attributes())[std::string(key)].set_string_value(
      std::string(value));
}

std::string Named(const Identifier& id) {
  return absl::StrCat(id.ns, " ", id.value);
}

}  // namespace

bool IsIdentityEvent(const v1::Event& event) {
  return absl::StartsWith(event.type(), "identity.");
}

absl::StatusOr<std::unique_ptr<Identities>> Identities::Create(
    const v1::IdentityConfig& config) {
  absl::StatusOr<Normalizer> normalizer =
      Normalizer::Create(config.default_region());
  if (!normalizer.ok()) {
    return base::FieldError("default_region", normalizer.status().message());
  }
  if (config.max_profiles() < 0) {
    return base::FieldError("max_profiles", "must be 0 (default) or more");
  }
  IdentityRules rules;
  rules.defaults.max_profiles =
      config.max_profiles() > 0 ? config.max_profiles() : kDefaultMaxProfiles;
  for (int i = 0; i < config.namespaces_size(); ++i) {
    const v1::NamespaceRule& ns = config.namespaces(i);
    const std::string field = absl::StrCat("namespaces[", i, "]");
    if (ns.name().empty()) {
      return base::FieldError(field + ".name", "is required");
    }
    if (ns.max_profiles() < 0) {
      return base::FieldError(field + ".max_profiles",
                               "must be 0 (default) or more");
    }
    NamespaceRule rule;
    rule.max_profiles =
        ns.max_profiles() > 0 ? ns.max_profiles() : rules.defaults.max_profiles;
    rule.merges = !ns.never_merges();
    if (!rules.namespaces.try_emplace(ns.name(), rule).second) {
      return base::FieldError(field + ".name",
                               absl::StrCat("\"", ns.name(), "\" twice"));
    }
  }
  uint64_t fingerprint = 0;
  if (config.ByteSizeLong() > 0) {
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream stream(&bytes);
      google::protobuf::io::CodedOutputStream coded(&stream);
      coded.SetSerializationDeterministic(true);
      config.SerializeToCodedStream(&coded);
    }
    fingerprint = model::Murmur3x64_128(bytes, kConfigSeed).low;
  }
  return std::unique_ptr<Identities>(
      new Identities(*std::move(normalizer), std::move(rules), fingerprint));
}

Identifier Identities::Normalized(absl::string_view ns,
                                  absl::string_view value) const {
  NormalizedValue normalized = normalizer_.Normalize(ns, value);
  return {std::string(ns), std::move(normalized.value), normalized.valid};
}

absl::Status Identities::Prepare(v1::Event* event) const {
  std::vector<Identifier> ids;
  for (v1::Identifier& id : *event->mutable_identifiers()) {
    Identifier normalized = Normalized(id.namespace_(), id.value());
    id.set_value(normalized.value);
    ids.push_back(std::move(normalized));
  }
  if (event->customer_id().empty()) {
    if (!ids.empty()) event->set_customer_id(IdentityGraph::DerivedAnchor(ids));
    return absl::OkStatus();
  }
  if (IdentityGraph::IsDerived(event->customer_id()) &&
      (ids.empty() ||
       event->customer_id() != IdentityGraph::DerivedAnchor(ids)) &&
      !Knows(event->customer_id())) {
    return base::FieldError(
        "customer_id",
        "ids starting with '~' are the ones motive derives from identifiers; "
        "choose another");
  }
  return absl::OkStatus();
}

bool Identities::Knows(absl::string_view anchor) const {
  base::ReaderLock lock(&mu_);
  return graph_->Knows(anchor);
}

std::vector<Identifier> Identities::IdentifiersOf(
    const v1::Event& event) const {
  std::vector<Identifier> ids;
  ids.reserve(event.identifiers_size());
  for (const v1::Identifier& id : event.identifiers()) {
    // Stored values are normalized already; only their validity is wanted,
    // which the graph remembers for values it has seen.
    Identifier known{id.namespace_(), id.value(), true};
    std::optional<bool> valid;
    {
      base::ReaderLock lock(&mu_);
      valid = graph_->IsValid(known);
    }
    if (valid.has_value()) {
      known.valid = *valid;
      ids.push_back(std::move(known));
    } else {
      ids.push_back(Normalized(id.namespace_(), id.value()));
    }
  }
  return ids;
}

Change Identities::Observe(const v1::Event& event) {
  if (event.identifiers().empty()) return {};
  const std::vector<Identifier> ids = IdentifiersOf(event);
  used_.store(true, std::memory_order_release);
  base::WriterLock lock(&mu_);
  if (event.type() == kUnlinkType) {
    Change change;
    for (const Identifier& id : ids) {
      Change one = graph_->Unlink(id);
      for (auto& split : one.splits) change.splits.push_back(std::move(split));
    }
    return change;
  }
  if (event.type() == kMergeType || event.type() == kSplitType) return {};
  Change change;
  if (event.type() == kLinkType) {
    for (const Identifier& id : ids) {
      Change one = graph_->Relink(id);
      for (auto& merge : one.merges) change.merges.push_back(std::move(merge));
    }
  }
  Change observed = graph_->Observe(
      event.customer_id(), model::ToUnixMicros(event.occurred_at()), ids);
  for (auto& merge : observed.merges) change.merges.push_back(std::move(merge));
  for (auto& split : observed.splits) change.splits.push_back(std::move(split));
  for (auto& id : observed.shared) change.shared.push_back(std::move(id));
  return change;
}

std::string Identities::Serialize() const {
  base::ReaderLock lock(&mu_);
  return graph_->Serialize();
}

absl::Status Identities::Restore(absl::string_view bytes) {
  absl::StatusOr<std::unique_ptr<IdentityGraph>> graph =
      IdentityGraph::Parse(bytes, rules_);
  if (!graph.ok()) return graph.status();
  base::WriterLock lock(&mu_);
  graph_ = *std::move(graph);
  used_.store(graph_->anchor_count() > 0, std::memory_order_release);
  return absl::OkStatus();
}

bool Identities::Redirect(absl::string_view anchor,
                          std::string* profile) const {
  if (empty()) return false;
  base::ReaderLock lock(&mu_);
  return graph_->Redirect(anchor, profile);
}

std::string Identities::ProfileOf(absl::string_view anchor) const {
  base::ReaderLock lock(&mu_);
  return graph_->ProfileOf(anchor);
}

absl::StatusOr<std::string> Identities::Resolve(absl::string_view ns,
                                                absl::string_view value) const {
  // A number already in E.164 is its own key: no need to know whether it
  // is a possible one (libphonenumber, microseconds).
  const Identifier id = ns == kPhone && LooksE164(value)
                            ? Identifier{std::string(ns), std::string(value)}
                            : Normalized(ns, value);
  base::ReaderLock lock(&mu_);
  return graph_->Resolve(id);
}

std::vector<std::string> Identities::Anchors(absl::string_view profile) const {
  base::ReaderLock lock(&mu_);
  return graph_->Anchors(profile);
}

v1::Profile Identities::Describe(absl::string_view profile) const {
  v1::Profile out;
  base::ReaderLock lock(&mu_);
  out.set_customer_id(graph_->ProfileOf(profile));
  for (std::string& anchor : graph_->Anchors(out.customer_id())) {
    out.add_anchors(std::move(anchor));
  }
  for (const IdentifierInfo& info : graph_->Identifiers(out.customer_id())) {
    v1::ProfileIdentifier* id = out.add_identifiers();
    id->mutable_identifier()->set_namespace_(info.id.ns);
    id->mutable_identifier()->set_value(info.id.value);
    id->set_invalid(!info.id.valid);
    id->set_shared(info.shared);
    id->set_unlinked(info.unlinked);
    id->set_never_merges(info.id.valid && !info.merges);
  }
  return out;
}

void Identities::Erase(absl::string_view profile) {
  base::WriterLock lock(&mu_);
  graph_->Erase(graph_->ProfileOf(profile));
}

std::vector<v1::Event> Identities::Explain(const Change& change,
                                           const v1::Event& cause,
                                           int64_t recorded_us) {
  std::vector<v1::Event> out;
  auto record = [&](absl::string_view type, absl::string_view customer,
                    absl::string_view from, absl::string_view into,
                    const Identifier& by, std::string reason) {
    v1::Event& e = out.emplace_back();
    e.set_event_id(
        absl::StrCat(type, ":", from, ">", into, "@", cause.event_id()));
    e.set_customer_id(std::string(customer));
    e.set_type(std::string(type));
    *e.mutable_occurred_at() = cause.occurred_at();
    *e.mutable_recorded_at() = model::FromUnixMicros(recorded_us);
    e.set_channel(cause.channel());
    if (!by.ns.empty()) {
      v1::Identifier* id = e.add_identifiers();
      id->set_namespace_(by.ns);
      id->set_value(by.value);
    }
    SetAttribute(&e, "from", from);
    SetAttribute(&e, "into", into);
    SetAttribute(&e, "cause", cause.event_id());
    SetAttribute(&e, "reason", reason);
  };
  const std::string on =
      absl::StrCat("event ", cause.event_id(), " (", cause.type(), ")");
  for (const Merge& m : change.merges) {
    record(kMergeType, m.into, m.from, m.into, m.by,
           m.by.ns.empty()
               ? absl::StrCat(on, " is older than ", m.from,
                              "'s first: the profile takes its id ", m.into)
               : absl::StrCat(Named(m.by), " of ", m.from, " seen on ", on,
                              " of ", m.into));
  }
  for (const Change::Split& s : change.splits) {
    for (const std::string& part : s.into) {
      record(kSplitType, part, s.from, part, s.by,
             absl::StrCat(Named(s.by), " no longer links (",
                          absl::c_linear_search(change.shared, s.by)
                              ? "shared by too many profiles"
                              : "unlinked",
                          "): ", s.from, " split into ",
                          absl::StrJoin(s.into, ", ")));
    }
  }
  return out;
}

v1::Event Identities::Instruction(absl::string_view type,
                                  absl::string_view customer_id,
                                  const std::vector<Identifier>& ids,
                                  int64_t now_us) {
  v1::Event e;
  e.set_type(std::string(type));
  e.set_customer_id(std::string(customer_id));
  *e.mutable_occurred_at() = model::FromUnixMicros(now_us);
  for (const Identifier& id : ids) {
    v1::Identifier* out = e.add_identifiers();
    out->set_namespace_(id.ns);
    out->set_value(id.value);
  }
  return e;
}

}  // namespace motive::identity
