// Identities: the engine's identity resolution, over the identity graph
// (identity/identity_graph.h, which has the rules) and the normalizer.
//
// Events on their way in are prepared here: their identifiers normalized in
// place (phone numbers to E.164, emails lower-cased) and, when they carry no
// customer_id, their derived anchor ("~" and 16 hex digits) put in its
// place, which is what the log stores. Identity events in the log:
//   identity.link    an instruction: its identifiers belong to its customer
//                    (or, without one, to each other); an unlinked one links
//                    again. mot_identity_link writes it.
//   identity.unlink  an instruction: its identifiers link nothing any more.
//   identity.merge   an explanation of a merge, written by the engine: which
//   identity.split   profile ended in which and why (attributes from, into,
//                    reason). Replays recompute merges; these are for whois.
// None of them is a customer interaction: the state, the timeline and the
// decisions leave them out.
//
// Thread-safe: changes take a writer lock, lookups a reader lock.

#ifndef MOTIVE_IDENTITY_IDENTITIES_H_
#define MOTIVE_IDENTITY_IDENTITIES_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/mutex.h"
#include "identity/identity_graph.h"
#include "identity/normalize.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/identity.pb.h"

namespace motive::identity {

inline constexpr absl::string_view kLinkType = "identity.link";
inline constexpr absl::string_view kUnlinkType = "identity.unlink";
inline constexpr absl::string_view kMergeType = "identity.merge";
inline constexpr absl::string_view kSplitType = "identity.split";

// Whether `event` is one of the identity events above.
bool IsIdentityEvent(const v1::Event& event);

class Identities {
 public:
  // InvalidArgument naming the field for a bad configuration.
  static absl::StatusOr<std::unique_ptr<Identities>> Create(
      const v1::IdentityConfig& config);

  // Normalizes the event's identifiers in place and gives it its anchor
  // when it has no customer_id. InvalidArgument (customer_id) for a
  // customer id that starts with '~' but is neither the event's derived
  // anchor nor one motive derived before (a profile's id given back): that
  // prefix is motive's.
  absl::Status Prepare(v1::Event* event) const;

  // Takes an appended event into account: an identity instruction, or an
  // event's identifiers. Events without identifiers change nothing.
  Change Observe(const v1::Event& event);

  // Whether an anchor carried identifiers before (a derived id given back
  // by a caller is one).
  bool Knows(absl::string_view anchor) const;

  // The profile an anchor (a customer id, or a derived id) belongs to.
  std::string ProfileOf(absl::string_view anchor) const;
  // IdentityGraph::Redirect: no copy, and no lock while no event carried
  // identifiers.
  bool Redirect(absl::string_view anchor, std::string* profile) const;
  // Normalizes `value` and resolves it (IdentityGraph::Resolve's errors).
  absl::StatusOr<std::string> Resolve(absl::string_view ns,
                                      absl::string_view value) const;
  std::vector<std::string> Anchors(absl::string_view profile) const;
  // The profile's id, anchors and identifiers (not its merges: those are in
  // the log).
  v1::Profile Describe(absl::string_view profile) const;
  void Erase(absl::string_view profile);

  // The events that explain `change`, caused by `cause` at `recorded_us`.
  static std::vector<v1::Event> Explain(const Change& change,
                                        const v1::Event& cause,
                                        int64_t recorded_us);

  // An identity instruction (kLinkType or kUnlinkType) for `ids`, of
  // `customer_id` ("" for none), at `now_us`.
  static v1::Event Instruction(absl::string_view type,
                               absl::string_view customer_id,
                               const std::vector<Identifier>& ids,
                               int64_t now_us);

  // The graph as bytes, for the engine's snapshot.
  std::string Serialize() const;
  // Replaces the graph with one that Serialize wrote (DataLoss, and nothing
  // changed, when the bytes are not such).
  absl::Status Restore(absl::string_view bytes);

  // No event has carried identifiers: every customer id is its own profile.
  bool empty() const { return !used_.load(std::memory_order_acquire); }

  // 0 for the default configuration, else a hash of it (snapshots).
  uint64_t fingerprint() const { return fingerprint_; }

 private:
  Identities(Normalizer normalizer, IdentityRules rules, uint64_t fingerprint)
      : normalizer_(std::move(normalizer)),
        rules_(rules),
        fingerprint_(fingerprint),
        graph_(std::make_unique<IdentityGraph>(std::move(rules))) {}

  Identifier Normalized(absl::string_view ns, absl::string_view value) const;
  std::vector<Identifier> IdentifiersOf(const v1::Event& event) const;

  const Normalizer normalizer_;
  const IdentityRules rules_;
  const uint64_t fingerprint_;
  std::atomic<bool> used_{false};
  mutable base::SharedMutex mu_;
  std::unique_ptr<IdentityGraph> graph_ ABSL_GUARDED_BY(mu_);
};

}  // namespace motive::identity

#endif  // MOTIVE_IDENTITY_IDENTITIES_H_
