#include "identity/identity_graph.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "model/errors.h"
#include "model/event_id.h"

namespace motive::identity {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// Fixed forever: the log stores derived anchors, so replays must agree.
constexpr uint32_t kAnchorSeed = 0x1d3e7a11;

std::string IdentifierKey(const Identifier& id) {
  return absl::StrCat(id.ns, absl::string_view("\0", 1), id.value);
}

// IdentifierKey without an allocation for the lookups on the queries' path
// (keys of the validated sizes fit; longer ones are built on the heap).
class KeyView {
 public:
  explicit KeyView(const Identifier& id) {
    const size_t size = id.ns.size() + 1 + id.value.size();
    if (size > sizeof(buffer_)) {
      heap_ = IdentifierKey(id);
      view_ = heap_;
      return;
    }
    std::memcpy(buffer_, id.ns.data(), id.ns.size());
    buffer_[id.ns.size()] = '\0';
    std::memcpy(buffer_ + id.ns.size() + 1, id.value.data(), id.value.size());
    view_ = absl::string_view(buffer_, size);
  }
  KeyView(const KeyView&) = delete;
  KeyView& operator=(const KeyView&) = delete;

  absl::string_view view() const { return view_; }

 private:
  char buffer_[320];
  std::string heap_;
  absl::string_view view_;
};

Identifier FromKey(absl::string_view key, bool valid) {
  const size_t zero = key.find('\0');
  return {std::string(key.substr(0, zero)), std::string(key.substr(zero + 1)),
          valid};
}

absl::string_view NamespaceOfKey(absl::string_view key) {
  return key.substr(0, key.find('\0'));
}

void RemoveFrom(std::vector<uint32_t>& list, uint32_t value) {
  list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

}  // namespace

// Anchors and identifiers share one table and one union-find. Invariants:
// - adjacency runs between anchors and identifiers only, both ways;
// - an identifier that Links() is in the component of every anchor it is
//   adjacent to; one that does not is its own component;
// - a root's `members` lists the anchors of its component and `best` the
//   one naming it (kNone when it has no anchor).
struct IdentityGraph::Node {
  std::string key;  // the anchor, or the identifier's namespace '\0' value
  bool alive = true;
  bool anchor = false;
  bool valid = true;  // identifiers
  bool shared = false;
  bool unlinked = false;
  int64_t first_us = std::numeric_limits<int64_t>::max();  // anchors
  NodeId parent = kNone;
  NodeId best = kNone;
  std::vector<NodeId> members;
  std::vector<NodeId> adjacent;
};

const NamespaceRule& IdentityRules::For(absl::string_view ns) const {
  auto it = namespaces.find(ns);
  return it == namespaces.end() ? defaults : it->second;
}

IdentityGraph::IdentityGraph(IdentityRules rules) : rules_(std::move(rules)) {}
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

IdentityGraph::NodeId IdentityGraph::AnchorNode(absl::string_view anchor,
                                                int64_t occurred_us) {
  auto [it, added] = anchors_.try_emplace(anchor, kNone);
  if (added) {
    NodeId id;
    if (free_.empty()) {
      id = static_cast<NodeId>(nodes_.size());
      nodes_.emplace_back();
    } else {
      id = free_.back();
      free_.pop_back();
      nodes_[id] = Node();
    }
    Node& node = nodes_[id];
    node.key = std::string(anchor);
    node.anchor = true;
    node.parent = id;
    node.best = id;
    node.members = {id};
    it->second = id;
  }
  nodes_[it->second].first_us =
      std::min(nodes_[it->second].first_us, occurred_us);
  return it->second;
}

IdentityGraph::NodeId IdentityGraph::IdentifierNode(const Identifier& id) {
  auto [it, added] = identifiers_.try_emplace(IdentifierKey(id), kNone);
  if (added) {
    NodeId node_id;
    if (free_.empty()) {
      node_id = static_cast<NodeId>(nodes_.size());
      nodes_.emplace_back();
    } else {
      node_id = free_.back();
      free_.pop_back();
      nodes_[node_id] = Node();
    }
    Node& node = nodes_[node_id];
    node.key = it->first;
    node.valid = id.valid;
    node.parent = node_id;
    it->second = node_id;
  }
  return it->second;
}

IdentityGraph::NodeId IdentityGraph::Find(NodeId node) const {
  // No path compression: lookups run under a shared lock, so they must not
  // write. Union by size keeps every path within log2(nodes) steps.
  while (nodes_[node].parent != node) node = nodes_[node].parent;
  return node;
}

bool IdentityGraph::Precedes(NodeId a, NodeId b) const {
  const Node& x = nodes_[a];
  const Node& y = nodes_[b];
  const bool x_chosen = !IsDerived(x.key);
  const bool y_chosen = !IsDerived(y.key);
  if (x_chosen != y_chosen) return x_chosen;
  if (!x_chosen && x.first_us != y.first_us) return x.first_us < y.first_us;
  return x.key < y.key;
}

std::string IdentityGraph::ProfileName(NodeId root) const {
  const NodeId best = nodes_[root].best;
  return best == kNone ? std::string() : nodes_[best].key;
}

bool IdentityGraph::Union(NodeId a, NodeId b, Merge* merge) {
  NodeId ra = Find(a);
  NodeId rb = Find(b);
  if (ra == rb) return false;
  if (nodes_[ra].members.size() < nodes_[rb].members.size()) std::swap(ra, rb);
  Node& big = nodes_[ra];
  Node& small = nodes_[rb];
  const bool both_profiles = big.best != kNone && small.best != kNone;
  NodeId loser = kNone;
  if (small.best != kNone &&
      (big.best == kNone || Precedes(small.best, big.best))) {
    loser = big.best;
    big.best = small.best;
  } else {
    loser = small.best;
  }
  big.members.insert(big.members.end(), small.members.begin(),
                     small.members.end());
  small.members.clear();
  small.members.shrink_to_fit();
  small.best = kNone;
  small.parent = ra;
  if (!both_profiles) return false;
  merge->from = nodes_[loser].key;
  merge->into = nodes_[big.best].key;
  return true;
}

bool IdentityGraph::Links(const Node& identifier) const {
  return identifier.valid && !identifier.shared && !identifier.unlinked &&
         rules_.For(NamespaceOfKey(identifier.key)).merges;
}

bool IdentityGraph::TooManyCoValues(NodeId node) const {
  const Node& identifier = nodes_[node];
  const int limit = rules_.For(NamespaceOfKey(identifier.key)).max_profiles;
  // Values seen with this one, by namespace; integrator customer ids under
  // the empty name, which no identifier namespace can have.
  absl::flat_hash_map<absl::string_view, absl::flat_hash_set<NodeId>> seen;
  auto add = [&](absl::string_view ns, NodeId value) {
    auto& values = seen[ns];
    values.insert(value);
    return values.size() > static_cast<size_t>(limit);
  };
  for (NodeId anchor : identifier.adjacent) {
    const Node& a = nodes_[anchor];
    if (!IsDerived(a.key)) {
      if (add("", anchor)) return true;
      continue;
    }
    // A derived anchor's identifiers are exactly those of its events.
    for (NodeId other : a.adjacent) {
      const Node& o = nodes_[other];
      if (other == node || !o.valid ||
          !rules_.For(NamespaceOfKey(o.key)).merges) {
        continue;
      }
      if (add(NamespaceOfKey(o.key), other)) return true;
    }
  }
  return false;
}

Change IdentityGraph::Observe(absl::string_view anchor, int64_t occurred_us,
                              absl::Span<const Identifier> ids) {
  Change change;
  const bool known = anchors_.contains(anchor);
  const std::string before = known ? ProfileOf(anchor) : std::string();
  const NodeId a = AnchorNode(anchor, occurred_us);
  // An older event may have made this anchor the one that names its profile.
  const NodeId root = Find(a);
  if (known && nodes_[root].best != a && Precedes(a, nodes_[root].best)) {
    nodes_[root].best = a;
    change.merges.push_back({before, nodes_[a].key, {}});
  }
  // Every edge first: whether an identifier is shared depends on all the
  // values of the event.
  std::vector<NodeId> added;
  for (const Identifier& id : ids) {
    const NodeId v = IdentifierNode(id);
    // Looked up on the anchor's side, which is short: a shared value's side
    // grows with every profile it is seen on. Shared values keep their
    // edges, since others' counts of co-values include them.
    std::vector<NodeId>& anchor_side = nodes_[a].adjacent;
    if (std::find(anchor_side.begin(), anchor_side.end(), v) !=
        anchor_side.end()) {
      continue;
    }
    anchor_side.push_back(v);
    nodes_[v].adjacent.push_back(a);
    added.push_back(v);
  }
  for (NodeId v : added) {
    if (!Links(nodes_[v])) continue;
    if (TooManyCoValues(v)) {
      nodes_[v].shared = true;
      change.shared.push_back(FromKey(nodes_[v].key, true));
      Recompute(Find(v), change.shared.back(), &change);
      continue;
    }
    Merge merge;
    // A new derived anchor joining a profile is no merge: it had no events
    // (one new to the graph but chosen by the integrator may have had some
    // without identifiers).
    if (Union(v, a, &merge) &&
        (known || !IsDerived(anchor) || merge.from != anchor)) {
      merge.by = FromKey(nodes_[v].key, true);
      change.merges.push_back(std::move(merge));
    }
  }
  return change;
}

void IdentityGraph::Recompute(NodeId root, const Identifier& by,
                              Change* change) {
  const std::string old_name = ProfileName(root);
  const std::vector<NodeId> anchors = nodes_[root].members;
  std::vector<NodeId> identifiers;
  for (NodeId a : anchors) {
    for (NodeId v : nodes_[a].adjacent) identifiers.push_back(v);
  }
  std::sort(identifiers.begin(), identifiers.end());
  identifiers.erase(std::unique(identifiers.begin(), identifiers.end()),
                    identifiers.end());
  for (NodeId a : anchors) {
    Node& node = nodes_[a];
    node.parent = a;
    node.best = a;
    node.members = {a};
  }
  for (NodeId v : identifiers) {
    Node& node = nodes_[v];
    node.parent = v;
    node.best = kNone;
    node.members.clear();
  }
  Merge ignored;
  for (NodeId v : identifiers) {
    if (!Links(nodes_[v])) continue;
    for (NodeId a : nodes_[v].adjacent) Union(v, a, &ignored);
  }
  std::vector<std::string> parts;
  for (NodeId a : anchors) {
    if (Find(a) == a) parts.push_back(ProfileName(a));
  }
  std::sort(parts.begin(), parts.end());
  if (parts.size() > 1 || (parts.size() == 1 && parts[0] != old_name)) {
    change->splits.push_back({old_name, std::move(parts), by});
  }
}

Change IdentityGraph::Unlink(const Identifier& id) {
  Change change;
  auto it = identifiers_.find(IdentifierKey(id));
  if (it == identifiers_.end() || nodes_[it->second].unlinked) return change;
  const NodeId v = it->second;
  const bool was_linking = Links(nodes_[v]);
  nodes_[v].unlinked = true;
  if (was_linking) Recompute(Find(v), id, &change);
  return change;
}

Change IdentityGraph::Relink(const Identifier& id) {
  Change change;
  auto it = identifiers_.find(IdentifierKey(id));
  if (it == identifiers_.end() || !nodes_[it->second].unlinked) return change;
  const NodeId v = it->second;
  nodes_[v].unlinked = false;
  if (!Links(nodes_[v])) return change;
  const std::vector<NodeId> anchors = nodes_[v].adjacent;
  for (NodeId a : anchors) {
    Merge merge;
    if (Union(v, a, &merge)) {
      merge.by = FromKey(nodes_[v].key, true);
      change.merges.push_back(std::move(merge));
    }
  }
  return change;
}

std::string IdentityGraph::ProfileOf(absl::string_view anchor) const {
  auto it = anchors_.find(anchor);
  if (it == anchors_.end()) return std::string(anchor);
  return ProfileName(Find(it->second));
}

bool IdentityGraph::Redirect(absl::string_view anchor,
                             std::string* profile) const {
  auto it = anchors_.find(anchor);
  if (it == anchors_.end()) return false;
  const NodeId best = nodes_[Find(it->second)].best;
  if (best == it->second) return false;
  *profile = nodes_[best].key;
  return true;
}

absl::StatusOr<std::string> IdentityGraph::Resolve(const Identifier& id) const {
  auto it = identifiers_.find(KeyView(id).view());
  if (it == identifiers_.end()) {
    return absl::NotFoundError(
        absl::StrCat(id.ns, " ", id.value, " belongs to no profile"));
  }
  const Node& node = nodes_[it->second];
  if (node.shared) {
    return model::AmbiguousError(absl::StrCat(
        id.ns, " ", id.value,
        " is shared by several profiles; ask by customer id or by another "
        "identifier"));
  }
  if (Links(node)) return ProfileName(Find(it->second));
  absl::flat_hash_set<NodeId> roots;
  for (NodeId a : node.adjacent) roots.insert(Find(a));
  if (roots.size() == 1) return ProfileName(*roots.begin());
  if (roots.empty()) {
    return absl::NotFoundError(
        absl::StrCat(id.ns, " ", id.value, " belongs to no profile"));
  }
  return model::AmbiguousError(
      absl::StrCat(id.ns, " ", id.value, " is on ", roots.size(),
                   " profiles and links none of them (",
                   node.unlinked ? "unlinked" : "it never merges",
                   "); ask by customer id or by another identifier"));
}

std::optional<bool> IdentityGraph::IsValid(const Identifier& id) const {
  auto it = identifiers_.find(KeyView(id).view());
  if (it == identifiers_.end()) return std::nullopt;
  return nodes_[it->second].valid;
}

std::vector<std::string> IdentityGraph::Anchors(
    absl::string_view profile) const {
  auto it = anchors_.find(profile);
  if (it == anchors_.end()) return {std::string(profile)};
  std::vector<std::string> anchors;
  for (NodeId a : nodes_[Find(it->second)].members) {
    anchors.push_back(nodes_[a].key);
  }
  std::sort(anchors.begin(), anchors.end());
  auto self = std::find(anchors.begin(), anchors.end(), profile);
  std::rotate(anchors.begin(), self, self + 1);
  return anchors;
}

std::vector<IdentifierInfo> IdentityGraph::Identifiers(
    absl::string_view profile) const {
  auto it = anchors_.find(profile);
  if (it == anchors_.end()) return {};
  absl::flat_hash_set<NodeId> seen;
  std::vector<IdentifierInfo> out;
  for (NodeId a : nodes_[Find(it->second)].members) {
    for (NodeId v : nodes_[a].adjacent) {
      if (!seen.insert(v).second) continue;
      const Node& node = nodes_[v];
      out.push_back(
          {FromKey(node.key, node.valid), node.shared, node.unlinked,
           node.valid && rules_.For(NamespaceOfKey(node.key)).merges});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const IdentifierInfo& x, const IdentifierInfo& y) {
              return x.id < y.id;
            });
  return out;
}

void IdentityGraph::Erase(absl::string_view profile) {
  auto it = anchors_.find(profile);
  if (it == anchors_.end()) return;
  const std::vector<NodeId> anchors = nodes_[Find(it->second)].members;
  auto release = [&](NodeId id) {
    nodes_[id] = Node();
    nodes_[id].alive = false;
    free_.push_back(id);
  };
  for (NodeId a : anchors) {
    for (NodeId v : nodes_[a].adjacent) {
      Node& node = nodes_[v];
      RemoveFrom(node.adjacent, a);
      if (!node.adjacent.empty()) continue;
      identifiers_.erase(node.key);
      release(v);
    }
    anchors_.erase(nodes_[a].key);
    release(a);
  }
}

}  // namespace motive::identity
