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
// Memory: each key is stored once in a KeyArena (namespaces interned to small
// ids), anchors and identifiers are entries of flat arrays found through one
// hash index each, a profile's anchors form a circular list through the
// anchors, and each anchor-identifier edge costs 8 bytes (nothing on the
// identifier's side while it is seen on one anchor only). The arrays grow by
// chunks (base/chunked_array.h), never by copying. 57 bytes per identifier
// for profiles of one customer id and three identifiers (benchmark
// Identity/graph_memory), where one string-keyed node each took 367.
//
// Serialize and Parse store the graph, so that opening needs no replay of the
// log; Parse checks everything and rejects damaged bytes.
//
// Not thread-safe for changes; const methods write nothing, so any number
// of them may run together (Identities holds a shared lock for them).

#ifndef MOTIVE_IDENTITY_IDENTITY_GRAPH_H_
#define MOTIVE_IDENTITY_IDENTITY_GRAPH_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "base/chunked_array.h"
#include "identity/key_arena.h"

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
    return anchor_index_.contains(anchor);
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

  size_t anchor_count() const { return anchor_index_.size(); }
  size_t identifier_count() const { return value_index_.size(); }

  // The graph as bytes: its anchors, identifiers (with their flags) and
  // edges, versioned and checksummed. Erased nodes leave no trace.
  std::string Serialize() const;
  // The graph that Serialize wrote, under `rules`. Pass the rules it was
  // built with: with others the graph is not what a replay would build
  // (identifiers shared under the old limits stay shared), so a caller keeps
  // the rules' fingerprint beside the bytes (Identities::fingerprint) and
  // replays the log when it differs. DataLoss for bytes Serialize did not
  // write: damaged, truncated, of an unknown format version, or
  // inconsistent.
  static absl::StatusOr<std::unique_ptr<IdentityGraph>> Parse(
      absl::string_view bytes, IdentityRules rules);

 private:
  // Anchors and identifiers ("values" here, to keep the two apart) are
  // numbered apart, each from 0, by slots that Erase frees for reuse.
  using AnchorId = uint32_t;
  using ValueId = uint32_t;

  // Union-find over anchors only: identifiers that link are in the
  // component of the anchors they are seen on, so they need no node of their
  // own. Invariants: the anchors of a component are connected through
  // identifiers that Links(); `best` of a root is the component's anchor
  // that Precedes all others; `next` runs through all anchors of the
  // component in a circle. A free slot has key kNone and `next` the next
  // free slot.
  struct Anchor {
    int64_t first_us;  // the earliest event seen; names derived profiles
    uint32_t key;      // in keys_
    AnchorId parent;
    AnchorId next;
    AnchorId best;   // valid at roots
    uint32_t edges;  // the identifiers, a list in edges_
    uint8_t rank;    // union by rank: paths stay within log2(anchors)
  };
  // An identifier: its key in keys_ is its namespace id (varint) followed by
  // its value. A free slot has key kNone and `edges` the next free slot.
  struct Value {
    uint32_t key;
    // kDirect | the one anchor it is seen on, or its anchors, a list in
    // edges_; kNone while it has none.
    uint32_t edges;
  };
  // One direction of an edge, in a singly linked list of one node's edges.
  struct HalfEdge {
    uint32_t node;  // the anchor or identifier at the other end
    uint32_t next;
  };
  // An identifier's key as callers ask for it.
  struct ValueKey {
    uint32_t ns;
    absl::string_view value;
  };

  // The indexes hold ids and find keys in keys_, so that no key is stored
  // twice; they need the graph, which therefore never moves.
  struct AnchorHash {
    using is_transparent = void;
    const IdentityGraph* graph;
    size_t operator()(AnchorId a) const;
    size_t operator()(absl::string_view key) const;
  };
  struct AnchorEq {
    using is_transparent = void;
    const IdentityGraph* graph;
    bool operator()(AnchorId a, AnchorId b) const { return a == b; }
    bool operator()(AnchorId a, absl::string_view key) const;
    bool operator()(absl::string_view key, AnchorId a) const {
      return (*this)(a, key);
    }
  };
  struct ValueHash {
    using is_transparent = void;
    const IdentityGraph* graph;
    size_t operator()(ValueId v) const;
    size_t operator()(const ValueKey& key) const;
  };
  struct ValueEq {
    using is_transparent = void;
    const IdentityGraph* graph;
    bool operator()(ValueId a, ValueId b) const { return a == b; }
    bool operator()(ValueId v, const ValueKey& key) const;
    bool operator()(const ValueKey& key, ValueId v) const {
      return (*this)(v, key);
    }
  };

  absl::string_view AnchorKey(AnchorId a) const;
  ValueKey KeyOf(ValueId v) const;
  Identifier ToIdentifier(ValueId v) const;
  // kNone when unknown.
  AnchorId FindAnchor(absl::string_view anchor) const;
  ValueId FindValue(const Identifier& id) const;

  uint32_t NamespaceId(absl::string_view ns);
  AnchorId AddAnchor(absl::string_view anchor, int64_t first_us);
  ValueId AddValue(uint32_t ns, absl::string_view value, uint8_t flags);
  AnchorId AnchorNode(absl::string_view anchor, int64_t occurred_us);
  ValueId ValueNode(const Identifier& id);

  bool HasEdge(AnchorId a, ValueId v) const;
  void AddEdge(AnchorId a, ValueId v);
  // Removes a from v's anchors; false when v has none left.
  bool RemoveAnchorOf(ValueId v, AnchorId a);
  uint32_t NewHalfEdge(uint32_t node, uint32_t next);
  void FreeHalfEdge(uint32_t e);
  template <typename Fn>
  void ForEachAnchorOf(ValueId v, Fn fn) const;
  template <typename Fn>
  void ForEachValueOf(AnchorId a, Fn fn) const;
  // One anchor of v other than `except` (which may be kNone); kNone if none.
  AnchorId AnchorOf(ValueId v, AnchorId except) const;
  std::vector<AnchorId> Members(AnchorId root) const;

  AnchorId Find(AnchorId a) const;
  // Joins the profiles of anchors a and b; true, with the merge, when they
  // were two.
  bool Union(AnchorId a, AnchorId b, Merge* merge);
  // Joins the anchors of v (which Links()) in one profile; only those
  // `within` unless it is null.
  void JoinAnchorsOf(ValueId v, const absl::flat_hash_set<AnchorId>* within);
  bool Links(ValueId v) const;
  // Whether identifier v is seen with too many values of one namespace.
  bool TooManyCoValues(ValueId v) const;
  // Recomputes the links inside the profile of `root` (after one of its
  // identifiers stopped linking) and reports the split.
  void Recompute(AnchorId root, const Identifier& by, Change* change);
  // The profile id of a component's root.
  absl::string_view ProfileName(AnchorId root) const;
  // Whether anchor a names a profile before anchor b.
  bool Precedes(AnchorId a, AnchorId b) const;

  // Parse's steps.
  absl::Status ParseNodes(absl::string_view* in);
  void Relate();

  IdentityRules rules_;
  // Namespaces, interned: ids index both vectors.
  std::vector<std::string> namespaces_;
  std::vector<NamespaceRule> namespace_rules_;
  absl::flat_hash_map<std::string, uint32_t> namespace_ids_;

  KeyArena keys_;
  base::ChunkedArray<Anchor> anchors_;
  base::ChunkedArray<Value> values_;
  base::ChunkedArray<uint8_t> value_flags_;  // by ValueId: k* bits in the .cc
  base::ChunkedArray<HalfEdge> edges_;
  AnchorId free_anchor_;
  ValueId free_value_;
  uint32_t free_edge_;
  absl::flat_hash_set<AnchorId, AnchorHash, AnchorEq> anchor_index_;
  absl::flat_hash_set<ValueId, ValueHash, ValueEq> value_index_;
};

}  // namespace motive::identity

#endif  // MOTIVE_IDENTITY_IDENTITY_GRAPH_H_
