// IdentityGraph: which events belong to one person.
//
// Every event has an anchor: its customer_id when the integrator chose one,
// else a key derived from its normalized identifiers ("~" and 16 hex
// digits, see DerivedAnchor), which the log stores in the event's customer
// column. The graph links anchors through the identifiers their events
// carried; a profile is a connected set of anchors, and a profile's events
// are its anchors' events. Everything here is a function of the set of
// observations (anchor, identifiers), not of their order, except the
// explicit instructions Unlink and Link, which apply in log order:
//
//   - Linking. An identifier links the anchors it was seen on unless it is
//     invalid (a phone number that did not parse), of a namespace that never
//     merges (a device id), unlinked by hand, or shared.
//   - Shared values. An identifier is shared once it has been seen with more
//     than `max_profiles` distinct values of one other namespace: other
//     identifiers on the same anonymous event, or integrator customer ids
//     (which count as a namespace of their own). A switchboard number that
//     has called in for forty customers is one; a person's phone seen with
//     their two email addresses is not. A shared identifier links nothing,
//     so the profile it had joined splits again, and it resolves to no one.
//   - Profile ids. A profile is known by the least (in byte order)
//     integrator customer id among its anchors; a profile without one by the
//     derived anchor whose first event occurred earliest (ties: the least
//     key). So when identifiers tie two integrator-chosen customer ids
//     together, the two merge under the lesser id, and the other keeps
//     resolving to the profile; unlinking the identifier splits them again.
//   - Merges. When an observation joins two profiles (not when a new
//     derived anchor joins one: it has no history yet), Observe reports the
//     merge (the profile that ends, the one that survives, the identifier
//     that tied them) so that the engine logs it with its reason and folds
//     both histories into one state.
//
// Anchors that never carried an identifier are not in the graph: such an
// anchor is its own profile, so integrators who send customer ids only pay
// nothing.
//
// Not thread-safe for changes; const methods write nothing, so any number
// of them may run together (Identities holds a shared lock for them).

#ifndef MOTIVE_IDENTITY_IDENTITY_GRAPH_H_
#define MOTIVE_IDENTITY_IDENTITY_GRAPH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace motive::identity {

// An identifier after normalization (identity/normalize.h).
struct Identifier {
  std::string ns;
  std::string value;
  bool valid = true;

  friend bool operator==(const Identifier& a, const Identifier& b) {
    return a.ns == b.ns && a.value == b.value;
  }
  friend bool operator<(const Identifier& a, const Identifier& b) {
    return a.ns != b.ns ? a.ns < b.ns : a.value < b.value;
  }
};

struct NamespaceRule {
  // Distinct values of one other namespace an identifier may be seen with
  // before it counts as shared.
  int max_profiles = 3;
  // False for namespaces whose values attach to a profile but never join two
  // (device ids, cookies).
  bool merges = true;
};

struct IdentityRules {
  NamespaceRule defaults;
  absl::flat_hash_map<std::string, NamespaceRule> namespaces;

  const NamespaceRule& For(absl::string_view ns) const;
};

// Two profiles became one.
struct Merge {
  std::string from;  // the profile id that ends
  std::string into;  // the profile id that survives
  // What tied them; empty when the profile only changed its id (an older
  // anonymous part arrived).
  Identifier by;
};

// What an observation or an instruction changed.
struct Change {
  std::vector<Merge> merges;
  // Profiles that split (an identifier became shared or was unlinked): the
  // old id and the ids of the parts. Their states must be rebuilt.
  struct Split {
    std::string from;
    std::vector<std::string> into;
    Identifier by;
  };
  std::vector<Split> splits;
  // Identifiers that became shared.
  std::vector<Identifier> shared;
};

// What the graph knows of one identifier, for whois.
struct IdentifierInfo {
  Identifier id;
  bool shared = false;
  bool unlinked = false;
  bool merges = true;  // false for invalid values and never-merging namespaces
};

class IdentityGraph {
 public:
  explicit IdentityGraph(IdentityRules rules);
  ~IdentityGraph();

  IdentityGraph(const IdentityGraph&) = delete;
  IdentityGraph& operator=(const IdentityGraph&) = delete;

  // The anchor of an event without a customer id: a hash of its sorted
  // identifiers. `ids` must not be empty.
  static std::string DerivedAnchor(absl::Span<const Identifier> ids);
  static bool IsDerived(absl::string_view anchor) {
    return !anchor.empty() && anchor[0] == '~';
  }

  // Records that an event of `anchor` (an integrator customer id unless
  // IsDerived), which occurred at `occurred_us`, carried `ids` (normalized).
  Change Observe(absl::string_view anchor, int64_t occurred_us,
                 absl::Span<const Identifier> ids);

  // Makes `id` link nothing from now on, until Relink; its profile splits
  // where it was the only tie. Nothing happens for an unknown identifier.
  Change Unlink(const Identifier& id);
  // Lets an unlinked identifier link again (a later Observe of it joins
  // what it is seen on).
  Change Relink(const Identifier& id);

  bool Knows(absl::string_view anchor) const {
    return anchors_.contains(anchor);
  }

  // The profile id of an anchor; the anchor itself when the graph does not
  // know it.
  std::string ProfileOf(absl::string_view anchor) const;
  // The same without a copy, for the queries' path: true, with `*profile`
  // set, only when the anchor's profile has another id.
  bool Redirect(absl::string_view anchor, std::string* profile) const;

  // The profile an identifier belongs to. NotFound when unseen;
  // FailedPrecondition when it is shared, or was unlinked and sits on
  // several profiles (the message says so).
  absl::StatusOr<std::string> Resolve(const Identifier& id) const;

  // Whether a known identifier's value was valid when first seen; nullopt
  // for one the graph does not know.
  std::optional<bool> IsValid(const Identifier& id) const;

  // The anchors of a profile, `profile` first; {profile} when unknown.
  std::vector<std::string> Anchors(absl::string_view profile) const;
  // The identifiers seen on a profile's anchors, sorted.
  std::vector<IdentifierInfo> Identifiers(absl::string_view profile) const;

  // Forgets a profile: its anchors, the identifiers seen only on them, and
  // every link. Identifiers also seen elsewhere stay, without these links.
  void Erase(absl::string_view profile);

  size_t anchor_count() const { return anchors_.size(); }
  size_t identifier_count() const { return identifiers_.size(); }

 private:
  using NodeId = uint32_t;
  struct Node;

  NodeId AnchorNode(absl::string_view anchor, int64_t occurred_us);
  NodeId IdentifierNode(const Identifier& id);
  NodeId Find(NodeId node) const;
  // Joins the components of a and b; returns the merge when two profiles
  // (components with anchors) became one.
  bool Union(NodeId a, NodeId b, Merge* merge);
  bool Links(const Node& identifier) const;
  // Whether identifier `node` is seen with too many values of one namespace.
  bool TooManyCoValues(NodeId node) const;
  // Recomputes the links inside the component of `root` (after one of its
  // identifiers stopped linking) and reports the split.
  void Recompute(NodeId root, const Identifier& by, Change* change);
  // The profile id of a component's root.
  std::string ProfileName(NodeId root) const;
  // Whether anchor a names a profile before anchor b.
  bool Precedes(NodeId a, NodeId b) const;

  IdentityRules rules_;
  std::vector<Node> nodes_;
  std::vector<NodeId> free_;  // erased nodes, for reuse
  absl::flat_hash_map<std::string, NodeId> anchors_;
  // Keyed by namespace, '\0' and value.
  absl::flat_hash_map<std::string, NodeId> identifiers_;
};

}  // namespace motive::identity

#endif  // MOTIVE_IDENTITY_IDENTITY_GRAPH_H_
