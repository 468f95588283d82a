#include "identity/identity_graph.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/hash/hash.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errors.h"
#include "base/varint.h"
#include "model/event_id.h"

namespace motive::identity {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// Value::edges holds a single anchor inline, the common case, under this bit;
// so ids stay below it.
constexpr uint32_t kDirect = uint32_t{1} << 31;
constexpr uint32_t kMaxIds = kDirect - 1;
// Fixed forever: the log stores derived anchors, so replays must agree.
constexpr uint32_t kAnchorSeed = 0x1d3e7a11;

// Value flags.
constexpr uint8_t kValid = 1;
constexpr uint8_t kShared = 2;
constexpr uint8_t kUnlinked = 4;
// Whether its namespace merges: a copy of the rule, which is read on every
// link.
constexpr uint8_t kMerges = 8;
// The flags Serialize writes; kMerges comes from the rules.
constexpr uint8_t kStoredFlags = kValid | kShared | kUnlinked;

// Serialize's format: bump it when the layout changes, and keep reading the
// old one for as long as snapshots of it may exist.
constexpr char kFormat = 1;
constexpr uint32_t kChecksumSeed = 0x6a7b1e51;
constexpr size_t kChecksumBytes = 8;

uint64_t Checksum(absl::string_view bytes) {
  return model::Murmur3x64_128(bytes, kChecksumSeed).low;
}

uint64_t ZigZag(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
int64_t UnZigZag(uint64_t n) {
  return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
}

void PutBytes(absl::string_view bytes, std::string* out) {
  base::PutVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

bool GetBytes(absl::string_view* in, absl::string_view* bytes) {
  uint64_t size = 0;
  if (!base::GetVarint(in, &size) || size > in->size()) return false;
  *bytes = in->substr(0, size);
  in->remove_prefix(size);
  return true;
}

// A count of items that take at least one byte each: no more than are left,
// so that damaged counts cannot make a parse loop long.
bool GetCount(absl::string_view* in, uint64_t* count) {
  return base::GetVarint(in, count) && *count <= in->size();
}

absl::Status Damaged(absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("the stored identity graph is damaged: ", what));
}

std::string IdentifierKey(const Identifier& id) {
  return absl::StrCat(id.ns, absl::string_view("\0", 1), id.value);
}

[[noreturn]] void TooMany(const char* what) {
  std::fprintf(stderr, "motive: the identity graph holds 2^31 %s\n", what);
  std::abort();
}

}  // namespace

const NamespaceRule& IdentityRules::For(absl::string_view ns) const {
  auto it = namespaces.find(ns);
  return it == namespaces.end() ? defaults : it->second;
}

IdentityGraph::IdentityGraph(IdentityRules rules)
    : rules_(std::move(rules)),
      free_anchor_(kNone),
      free_value_(kNone),
      free_edge_(kNone),
      anchor_index_(0, AnchorHash{this}, AnchorEq{this}),
      value_index_(0, ValueHash{this}, ValueEq{this}) {}
IdentityGraph::~IdentityGraph() = default;

std::string IdentityGraph::DerivedAnchor(absl::Span<const Identifier> ids) {
  std::vector<Identifier> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string bytes;
  for (const Identifier& id : sorted) {
    absl::StrAppend(&bytes, IdentifierKey(id), "\n");
  }
  const model::Hash128 h = model::Murmur3x64_128(bytes, kAnchorSeed);
  return absl::StrFormat("~%016x", h.low);
}

// --- keys and indexes --------------------------------------------------------

size_t IdentityGraph::AnchorHash::operator()(AnchorId a) const {
  return (*this)(graph->AnchorKey(a));
}
size_t IdentityGraph::AnchorHash::operator()(absl::string_view key) const {
  return absl::HashOf(key);
}
bool IdentityGraph::AnchorEq::operator()(AnchorId a,
                                         absl::string_view key) const {
  return graph->AnchorKey(a) == key;
}
size_t IdentityGraph::ValueHash::operator()(ValueId v) const {
  return (*this)(graph->KeyOf(v));
}
size_t IdentityGraph::ValueHash::operator()(const ValueKey& key) const {
  return absl::HashOf(key.ns, key.value);
}
bool IdentityGraph::ValueEq::operator()(ValueId v, const ValueKey& key) const {
  const ValueKey mine = graph->KeyOf(v);
  return mine.ns == key.ns && mine.value == key.value;
}

absl::string_view IdentityGraph::AnchorKey(AnchorId a) const {
  return keys_.Get(anchors_[a].key);
}

IdentityGraph::ValueKey IdentityGraph::KeyOf(ValueId v) const {
  absl::string_view key = keys_.Get(values_[v].key);
  uint64_t ns = 0;
  base::GetVarint(&key, &ns);  // written by AddValue: it parses
  return {static_cast<uint32_t>(ns), key};
}

Identifier IdentityGraph::ToIdentifier(ValueId v) const {
  const ValueKey key = KeyOf(v);
  return {namespaces_[key.ns], std::string(key.value),
          (value_flags_[v] & kValid) != 0};
}

IdentityGraph::AnchorId IdentityGraph::FindAnchor(
    absl::string_view anchor) const {
  auto it = anchor_index_.find(anchor);
  return it == anchor_index_.end() ? kNone : *it;
}

IdentityGraph::ValueId IdentityGraph::FindValue(const Identifier& id) const {
  auto ns = namespace_ids_.find(id.ns);
  if (ns == namespace_ids_.end()) return kNone;
  auto it = value_index_.find(ValueKey{ns->second, id.value});
  return it == value_index_.end() ? kNone : *it;
}

uint32_t IdentityGraph::NamespaceId(absl::string_view ns) {
  auto [it, added] =
      namespace_ids_.try_emplace(ns, static_cast<uint32_t>(namespaces_.size()));
  if (added) {
    namespaces_.emplace_back(ns);
    namespace_rules_.push_back(rules_.For(ns));
  }
  return it->second;
}

// --- nodes and edges ---------------------------------------------------------

IdentityGraph::AnchorId IdentityGraph::AddAnchor(absl::string_view anchor,
                                                 int64_t first_us) {
  AnchorId a = free_anchor_;
  if (a == kNone) {
    if (anchors_.size() >= kMaxIds) TooMany("anchors");
    a = static_cast<AnchorId>(anchors_.size());
    anchors_.push_back({});
  } else {
    free_anchor_ = anchors_[a].next;
  }
  anchors_[a] = {first_us, keys_.Add(anchor), a, a, a, kNone, 0};
  anchor_index_.insert(a);
  return a;
}

IdentityGraph::ValueId IdentityGraph::AddValue(uint32_t ns,
                                               absl::string_view value,
                                               uint8_t flags) {
  ValueId v = free_value_;
  if (v == kNone) {
    if (values_.size() >= kMaxIds) TooMany("identifiers");
    v = static_cast<ValueId>(values_.size());
    values_.push_back({});
    value_flags_.push_back(0);
  } else {
    free_value_ = values_[v].edges;
  }
  std::string key;
  base::PutVarint(ns, &key);
  key.append(value.data(), value.size());
  values_[v] = {keys_.Add(key), kNone};
  if (namespace_rules_[ns].merges) flags |= kMerges;
  value_flags_[v] = flags;
  value_index_.insert(v);
  return v;
}

IdentityGraph::AnchorId IdentityGraph::AnchorNode(absl::string_view anchor,
                                                  int64_t occurred_us) {
  const AnchorId a = FindAnchor(anchor);
  if (a == kNone) return AddAnchor(anchor, occurred_us);
  anchors_[a].first_us = std::min(anchors_[a].first_us, occurred_us);
  return a;
}

IdentityGraph::ValueId IdentityGraph::ValueNode(const Identifier& id) {
  const uint32_t ns = NamespaceId(id.ns);
  auto it = value_index_.find(ValueKey{ns, id.value});
  if (it != value_index_.end()) return *it;
  return AddValue(ns, id.value, id.valid ? kValid : 0);
}

uint32_t IdentityGraph::NewHalfEdge(uint32_t node, uint32_t next) {
  uint32_t e = free_edge_;
  if (e == kNone) {
    if (edges_.size() >= kNone) TooMany("edges");
    e = static_cast<uint32_t>(edges_.size());
    edges_.push_back({});
  } else {
    free_edge_ = edges_[e].next;
  }
  edges_[e] = {node, next};
  return e;
}

void IdentityGraph::FreeHalfEdge(uint32_t e) {
  edges_[e].next = free_edge_;
  free_edge_ = e;
}

template <typename Fn>
void IdentityGraph::ForEachAnchorOf(ValueId v, Fn fn) const {
  const uint32_t edges = values_[v].edges;
  if (edges == kNone) return;
  if (edges & kDirect) {
    fn(edges & ~kDirect);
    return;
  }
  for (uint32_t e = edges; e != kNone; e = edges_[e].next) fn(edges_[e].node);
}

template <typename Fn>
void IdentityGraph::ForEachValueOf(AnchorId a, Fn fn) const {
  for (uint32_t e = anchors_[a].edges; e != kNone; e = edges_[e].next) {
    fn(edges_[e].node);
  }
}

IdentityGraph::AnchorId IdentityGraph::AnchorOf(ValueId v,
                                                AnchorId except) const {
  AnchorId found = kNone;
  ForEachAnchorOf(v, [&](AnchorId a) {
    if (found == kNone && a != except) found = a;
  });
  return found;
}

bool IdentityGraph::HasEdge(AnchorId a, ValueId v) const {
  // Looked up on the anchor's side, which is short: a shared value's side
  // grows with every profile it is seen on.
  for (uint32_t e = anchors_[a].edges; e != kNone; e = edges_[e].next) {
    if (edges_[e].node == v) return true;
  }
  return false;
}

void IdentityGraph::AddEdge(AnchorId a, ValueId v) {
  anchors_[a].edges = NewHalfEdge(v, anchors_[a].edges);
  const uint32_t edges = values_[v].edges;
  if (edges == kNone) {
    values_[v].edges = kDirect | a;
    return;
  }
  // A list, newest first: its second anchor makes it one.
  const uint32_t rest =
      edges & kDirect ? NewHalfEdge(edges & ~kDirect, kNone) : edges;
  values_[v].edges = NewHalfEdge(a, rest);
}

bool IdentityGraph::RemoveAnchorOf(ValueId v, AnchorId a) {
  uint32_t& edges = values_[v].edges;
  if (edges & kDirect) {
    edges = kNone;
    return false;
  }
  for (uint32_t* link = &edges; *link != kNone; link = &edges_[*link].next) {
    if (edges_[*link].node != a) continue;
    const uint32_t gone = *link;
    *link = edges_[gone].next;
    FreeHalfEdge(gone);
    break;
  }
  // Back to inline when one anchor is left.
  if (edges_[edges].next == kNone) {
    const uint32_t last = edges;
    edges = kDirect | edges_[last].node;
    FreeHalfEdge(last);
  }
  return true;
}

std::vector<IdentityGraph::AnchorId> IdentityGraph::Members(
    AnchorId root) const {
  std::vector<AnchorId> members;
  AnchorId a = root;
  do {
    members.push_back(a);
    a = anchors_[a].next;
  } while (a != root);
  return members;
}

// --- profiles ----------------------------------------------------------------

IdentityGraph::AnchorId IdentityGraph::Find(AnchorId a) const {
  // No path compression: lookups run under a shared lock, so they must not
  // write. Union by rank keeps every path within log2(anchors) steps.
  while (anchors_[a].parent != a) a = anchors_[a].parent;
  return a;
}

bool IdentityGraph::Precedes(AnchorId a, AnchorId b) const {
  const absl::string_view x = AnchorKey(a);
  const absl::string_view y = AnchorKey(b);
  const bool x_chosen = !IsDerived(x);
  const bool y_chosen = !IsDerived(y);
  if (x_chosen != y_chosen) return x_chosen;
  if (!x_chosen && anchors_[a].first_us != anchors_[b].first_us) {
    return anchors_[a].first_us < anchors_[b].first_us;
  }
  return x < y;
}

absl::string_view IdentityGraph::ProfileName(AnchorId root) const {
  return AnchorKey(anchors_[root].best);
}

bool IdentityGraph::Union(AnchorId a, AnchorId b, Merge* merge) {
  AnchorId ra = Find(a);
  AnchorId rb = Find(b);
  if (ra == rb) return false;
  if (anchors_[ra].rank < anchors_[rb].rank) std::swap(ra, rb);
  Anchor& big = anchors_[ra];
  Anchor& small = anchors_[rb];
  AnchorId loser = small.best;
  if (Precedes(small.best, big.best)) {
    loser = big.best;
    big.best = small.best;
  }
  // Splices the two circles of anchors into one.
  std::swap(big.next, small.next);
  small.parent = ra;
  if (big.rank == small.rank) ++big.rank;
  merge->from = std::string(AnchorKey(loser));
  merge->into = std::string(AnchorKey(big.best));
  return true;
}

void IdentityGraph::JoinAnchorsOf(
    ValueId v, const absl::flat_hash_set<AnchorId>* within) {
  AnchorId first = kNone;
  Merge ignored;
  ForEachAnchorOf(v, [&](AnchorId a) {
    if (within != nullptr && !within->contains(a)) return;
    if (first == kNone) {
      first = a;
    } else {
      Union(first, a, &ignored);
    }
  });
}

bool IdentityGraph::Links(ValueId v) const {
  const uint8_t flags = value_flags_[v];
  return (flags & (kValid | kShared | kUnlinked | kMerges)) ==
         (kValid | kMerges);
}

bool IdentityGraph::TooManyCoValues(ValueId v) const {
  const size_t limit =
      static_cast<size_t>(namespace_rules_[KeyOf(v).ns].max_profiles);
  // Values seen with this one, by namespace id; integrator customer ids
  // under kNone, which no namespace has.
  absl::flat_hash_map<uint32_t, absl::flat_hash_set<uint32_t>> seen;
  auto add = [&](uint32_t ns, uint32_t value) {
    auto& values = seen[ns];
    values.insert(value);
    return values.size() > limit;
  };
  bool too_many = false;
  ForEachAnchorOf(v, [&](AnchorId a) {
    if (too_many) return;
    if (!IsDerived(AnchorKey(a))) {
      too_many = add(kNone, a);
      return;
    }
    // A derived anchor's identifiers are exactly those of its events.
    ForEachValueOf(a, [&](ValueId other) {
      const uint8_t flags = value_flags_[other];
      if (too_many || other == v || !(flags & kValid) || !(flags & kMerges)) {
        return;
      }
      too_many = add(KeyOf(other).ns, other);
    });
  });
  return too_many;
}

Change IdentityGraph::Observe(absl::string_view anchor, int64_t occurred_us,
                              absl::Span<const Identifier> ids) {
  Change change;
  const AnchorId existing = FindAnchor(anchor);
  const bool known = existing != kNone;
  const std::string before =
      known ? std::string(ProfileName(Find(existing))) : std::string();
  const AnchorId a = AnchorNode(anchor, occurred_us);
  // An older event may have made this anchor the one that names its profile.
  const AnchorId root = Find(a);
  if (known && anchors_[root].best != a && Precedes(a, anchors_[root].best)) {
    anchors_[root].best = a;
    change.merges.push_back({before, std::string(anchor), {}});
  }
  // Every edge first: whether an identifier is shared depends on all the
  // values of the event. Shared values keep their edges, since others'
  // counts of co-values include them.
  absl::InlinedVector<ValueId, 16> added;
  for (const Identifier& id : ids) {
    const ValueId v = ValueNode(id);
    if (HasEdge(a, v)) continue;
    AddEdge(a, v);
    added.push_back(v);
  }
  for (ValueId v : added) {
    if (!Links(v)) continue;
    // It linked before this event, so its other anchors are one profile.
    const AnchorId other = AnchorOf(v, a);
    if (TooManyCoValues(v)) {
      value_flags_[v] |= kShared;
      change.shared.push_back(ToIdentifier(v));
      change.shared.back().valid = true;
      if (other != kNone) {
        Recompute(Find(other), change.shared.back(), &change);
      }
      continue;
    }
    Merge merge;
    // A new derived anchor joining a profile is no merge: it had no events
    // (one new to the graph but chosen by the integrator may have had some
    // without identifiers).
    if (other != kNone && Union(other, a, &merge) &&
        (known || !IsDerived(anchor) || merge.from != anchor)) {
      merge.by = ToIdentifier(v);
      merge.by.valid = true;
      change.merges.push_back(std::move(merge));
    }
  }
  return change;
}

void IdentityGraph::Recompute(AnchorId root, const Identifier& by,
                              Change* change) {
  const std::string old_name(ProfileName(root));
  const std::vector<AnchorId> anchors = Members(root);
  std::vector<ValueId> values;
  for (AnchorId a : anchors) {
    ForEachValueOf(a, [&](ValueId v) { values.push_back(v); });
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  for (AnchorId a : anchors) {
    Anchor& node = anchors_[a];
    node.parent = a;
    node.next = a;
    node.best = a;
    node.rank = 0;
  }
  // Within the profile only: during Observe, an identifier of it may have
  // an edge to the observed anchor that is not joined yet; Observe joins it
  // after this, and reports that merge.
  const absl::flat_hash_set<AnchorId> within(anchors.begin(), anchors.end());
  for (ValueId v : values) {
    if (Links(v)) JoinAnchorsOf(v, &within);
  }
  std::vector<std::string> parts;
  for (AnchorId a : anchors) {
    if (Find(a) == a) parts.emplace_back(ProfileName(a));
  }
  std::sort(parts.begin(), parts.end());
  if (parts.size() > 1 || (parts.size() == 1 && parts[0] != old_name)) {
    change->splits.push_back({old_name, std::move(parts), by});
  }
}

Change IdentityGraph::Unlink(const Identifier& id) {
  Change change;
  const ValueId v = FindValue(id);
  if (v == kNone || (value_flags_[v] & kUnlinked)) return change;
  const bool was_linking = Links(v);
  value_flags_[v] |= kUnlinked;
  if (was_linking) Recompute(Find(AnchorOf(v, kNone)), id, &change);
  return change;
}

Change IdentityGraph::Relink(const Identifier& id) {
  Change change;
  const ValueId v = FindValue(id);
  if (v == kNone || !(value_flags_[v] & kUnlinked)) return change;
  value_flags_[v] &= ~kUnlinked;
  if (!Links(v)) return change;
  // In the order the anchors were seen (the list has the newest first), so
  // that the merges come in that order.
  std::vector<AnchorId> anchors;
  ForEachAnchorOf(v, [&](AnchorId a) { anchors.push_back(a); });
  std::reverse(anchors.begin(), anchors.end());
  for (AnchorId a : anchors) {
    Merge merge;
    if (Union(anchors[0], a, &merge)) {
      merge.by = ToIdentifier(v);
      merge.by.valid = true;
      change.merges.push_back(std::move(merge));
    }
  }
  return change;
}

// --- queries -----------------------------------------------------------------

std::string IdentityGraph::ProfileOf(absl::string_view anchor) const {
  const AnchorId a = FindAnchor(anchor);
  if (a == kNone) return std::string(anchor);
  return std::string(ProfileName(Find(a)));
}

bool IdentityGraph::Redirect(absl::string_view anchor,
                             std::string* profile) const {
  const AnchorId a = FindAnchor(anchor);
  if (a == kNone) return false;
  const AnchorId best = anchors_[Find(a)].best;
  if (best == a) return false;
  *profile = std::string(AnchorKey(best));
  return true;
}

absl::StatusOr<std::string> IdentityGraph::Resolve(const Identifier& id) const {
  const ValueId v = FindValue(id);
  if (v == kNone) {
    return absl::NotFoundError(
        absl::StrCat(id.ns, " ", id.value, " belongs to no profile"));
  }
  const uint8_t flags = value_flags_[v];
  if (flags & kShared) {
    return base::AmbiguousError(absl::StrCat(
        id.ns, " ", id.value,
        " is shared by several profiles; ask by customer id or by another "
        "identifier"));
  }
  if (Links(v)) return std::string(ProfileName(Find(AnchorOf(v, kNone))));
  absl::InlinedVector<AnchorId, 4> roots;
  ForEachAnchorOf(v, [&](AnchorId a) {
    const AnchorId root = Find(a);
    if (std::find(roots.begin(), roots.end(), root) == roots.end()) {
      roots.push_back(root);
    }
  });
  if (roots.size() == 1) return std::string(ProfileName(roots[0]));
  if (roots.empty()) {
    return absl::NotFoundError(
        absl::StrCat(id.ns, " ", id.value, " belongs to no profile"));
  }
  return base::AmbiguousError(
      absl::StrCat(id.ns, " ", id.value, " is on ", roots.size(),
                   " profiles and links none of them (",
                   flags & kUnlinked ? "unlinked" : "it never merges",
                   "); ask by customer id or by another identifier"));
}

std::optional<bool> IdentityGraph::IsValid(const Identifier& id) const {
  const ValueId v = FindValue(id);
  if (v == kNone) return std::nullopt;
  return (value_flags_[v] & kValid) != 0;
}

std::vector<std::string> IdentityGraph::Anchors(
    absl::string_view profile) const {
  const AnchorId a = FindAnchor(profile);
  if (a == kNone) return {std::string(profile)};
  std::vector<std::string> anchors;
  for (AnchorId member : Members(Find(a))) {
    anchors.emplace_back(AnchorKey(member));
  }
  std::sort(anchors.begin(), anchors.end());
  auto self = std::find(anchors.begin(), anchors.end(), profile);
  std::rotate(anchors.begin(), self, self + 1);
  return anchors;
}

std::vector<IdentifierInfo> IdentityGraph::Identifiers(
    absl::string_view profile) const {
  const AnchorId a = FindAnchor(profile);
  if (a == kNone) return {};
  absl::flat_hash_set<ValueId> seen;
  std::vector<IdentifierInfo> out;
  for (AnchorId member : Members(Find(a))) {
    ForEachValueOf(member, [&](ValueId v) {
      if (!seen.insert(v).second) return;
      const uint8_t flags = value_flags_[v];
      out.push_back({ToIdentifier(v), (flags & kShared) != 0,
                     (flags & kUnlinked) != 0,
                     (flags & (kValid | kMerges)) == (kValid | kMerges)});
    });
  }
  std::sort(out.begin(), out.end(),
            [](const IdentifierInfo& x, const IdentifierInfo& y) {
              return x.id < y.id;
            });
  return out;
}

void IdentityGraph::Erase(absl::string_view profile) {
  const AnchorId found = FindAnchor(profile);
  if (found == kNone) return;
  // The slots go back to the free lists; the keys' bytes stay in keys_ (see
  // key_arena.h).
  for (AnchorId a : Members(Find(found))) {
    for (uint32_t e = anchors_[a].edges; e != kNone;) {
      const ValueId v = edges_[e].node;
      if (!RemoveAnchorOf(v, a)) {
        value_index_.erase(v);
        values_[v] = {kNone, free_value_};
        value_flags_[v] = 0;
        free_value_ = v;
      }
      const uint32_t next = edges_[e].next;
      FreeHalfEdge(e);
      e = next;
    }
    anchor_index_.erase(a);
    anchors_[a] = {0, kNone, kNone, free_anchor_, kNone, kNone, 0};
    free_anchor_ = a;
  }
}

// --- serialization -----------------------------------------------------------
//
// Format 1, after the format byte, all numbers varints:
//   namespaces: count, then each name (length, bytes), in id order;
//   anchors: count, then each key (length, bytes) and ZigZag(first_us);
//   identifiers: count, then each namespace id, value (length, bytes), a
//     flags byte (kStoredFlags) and its anchors: count (at least 1) and their
//     indexes among the anchors above, oldest edge first;
// then 8 bytes, little-endian: the Checksum of everything before them.
// Profiles are not stored: they follow from the edges that link.

std::string IdentityGraph::Serialize() const {
  std::string out(1, kFormat);
  base::PutVarint(namespaces_.size(), &out);
  for (const std::string& ns : namespaces_) PutBytes(ns, &out);
  // Live slots, numbered anew.
  std::vector<uint32_t> index(anchors_.size(), kNone);
  base::PutVarint(anchor_index_.size(), &out);
  uint32_t next = 0;
  for (AnchorId a = 0; a < anchors_.size(); ++a) {
    if (anchors_[a].key == kNone) continue;
    index[a] = next++;
    PutBytes(AnchorKey(a), &out);
    base::PutVarint(ZigZag(anchors_[a].first_us), &out);
  }
  base::PutVarint(value_index_.size(), &out);
  std::vector<uint32_t> anchors;
  for (ValueId v = 0; v < values_.size(); ++v) {
    if (values_[v].key == kNone) continue;
    const ValueKey key = KeyOf(v);
    base::PutVarint(key.ns, &out);
    PutBytes(key.value, &out);
    out.push_back(static_cast<char>(value_flags_[v] & kStoredFlags));
    anchors.clear();
    ForEachAnchorOf(v, [&](AnchorId a) { anchors.push_back(index[a]); });
    base::PutVarint(anchors.size(), &out);
    for (auto it = anchors.rbegin(); it != anchors.rend(); ++it) {
      base::PutVarint(*it, &out);
    }
  }
  const uint64_t checksum = Checksum(out);
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    out.push_back(static_cast<char>(checksum >> (8 * i)));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<IdentityGraph>> IdentityGraph::Parse(
    absl::string_view bytes, IdentityRules rules) {
  if (bytes.size() < 1 + kChecksumBytes) return Damaged("too short");
  absl::string_view body = bytes.substr(0, bytes.size() - kChecksumBytes);
  uint64_t checksum = 0;
  for (size_t i = 0; i < kChecksumBytes; ++i) {
    checksum |= uint64_t{static_cast<unsigned char>(bytes[body.size() + i])}
                << (8 * i);
  }
  if (checksum != Checksum(body)) return Damaged("checksum mismatch");
  if (body[0] != kFormat) {
    return Damaged(absl::StrCat("unknown format ", static_cast<int>(body[0])));
  }
  body.remove_prefix(1);
  auto graph = std::make_unique<IdentityGraph>(std::move(rules));
  if (absl::Status s = graph->ParseNodes(&body); !s.ok()) return s;
  if (!body.empty()) return Damaged("bytes after the identifiers");
  graph->Relate();
  return graph;
}

absl::Status IdentityGraph::ParseNodes(absl::string_view* in) {
  uint64_t count = 0;
  if (!GetCount(in, &count)) return Damaged("namespace count");
  for (uint64_t i = 0; i < count; ++i) {
    absl::string_view ns;
    if (!GetBytes(in, &ns)) return Damaged("namespace");
    if (namespace_ids_.contains(ns)) return Damaged("repeated namespace");
    NamespaceId(ns);
  }
  uint64_t anchors = 0;
  if (!GetCount(in, &anchors) || anchors > kMaxIds) {
    return Damaged("anchor count");
  }
  for (uint64_t i = 0; i < anchors; ++i) {
    absl::string_view key;
    uint64_t first_us = 0;
    if (!GetBytes(in, &key) || !base::GetVarint(in, &first_us)) {
      return Damaged("anchor");
    }
    if (anchor_index_.contains(key)) return Damaged("repeated anchor");
    AddAnchor(key, UnZigZag(first_us));
  }
  if (!GetCount(in, &count) || count > kMaxIds) {
    return Damaged("identifier count");
  }
  std::vector<uint64_t> edges;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t ns = 0;
    absl::string_view value;
    uint64_t degree = 0;
    if (!base::GetVarint(in, &ns) || ns >= namespaces_.size() ||
        !GetBytes(in, &value) || in->empty() ||
        ((*in)[0] & ~kStoredFlags) != 0) {
      return Damaged("identifier");
    }
    const uint8_t flags = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    if (value_index_.contains(ValueKey{static_cast<uint32_t>(ns), value})) {
      return Damaged("repeated identifier");
    }
    if (!GetCount(in, &degree) || degree == 0) {
      return Damaged("identifier without anchors");
    }
    edges.resize(degree);
    for (uint64_t& a : edges) {
      if (!base::GetVarint(in, &a) || a >= anchors) {
        return Damaged("edge to no anchor");
      }
    }
    std::vector<uint64_t> sorted = edges;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      return Damaged("repeated edge");
    }
    const ValueId v = AddValue(static_cast<uint32_t>(ns), value, flags);
    for (uint64_t a : edges) AddEdge(static_cast<AnchorId>(a), v);
  }
  return absl::OkStatus();
}

void IdentityGraph::Relate() {
  for (ValueId v = 0; v < values_.size(); ++v) {
    if (Links(v)) JoinAnchorsOf(v, nullptr);
  }
}

}  // namespace motive::identity
