// Replicator: one node's link to a tenant's shared history in NATS
// JetStream (topology.h has the layout).
//
// Writes. Publish sends each event (its body: the serialized motive.v1.Event)
// to its partition's subject with Nats-Msg-Id = event_id, so that a stream
// stores a retry once within its duplicate window (two minutes by default;
// the node's log, whose event ids are unique, stores a later retry once
// too), and returns when the stream acknowledged every event: a majority of
// its replicas hold it. Nothing is written locally here.
//
// Reads. An ordered consumer per stream (per held partition, on a node that
// holds some) delivers every message after the position the node's log
// recorded for it; one apply thread takes them in batches
// and hands them to the `apply` callback, which appends them to the local
// log with the new positions in one transaction and folds them. So every
// event, a node's own included, enters its log by one path, and each
// stream's events in the stream's order on every node; events of different
// streams (different customers) may interleave differently from node to
// node.
//
// A failing `apply` (a full disk) is retried every 100 ms with the same
// batch, and reported in stats() meanwhile; a message whose body is not an
// event is skipped and counted.
//
// Supervision. cnats recreates an ordered consumer whose server went away,
// but only while its own attempts succeed in time; on a loaded cluster they
// can keep failing for a minute. So a supervising thread asks the server,
// every few seconds, about each feed that went quiet while nothing waits to
// be applied: one whose consumer is gone, or holds messages it does not
// deliver, is subscribed again from the last sequence delivered. A message
// delivered twice (by the old consumer and the new) is dropped by its
// sequence.
//
// Thread-safe.

#ifndef MOTIVE_CLUSTER_REPLICATOR_H_
#define MOTIVE_CLUSTER_REPLICATOR_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "base/mutex.h"
#include "cluster/topology.h"
#include "motive/v1/event.pb.h"
#include "store/event_log.h"

// cnats' handles, kept out of the includers' way.
typedef struct __natsConnection natsConnection;
typedef struct __jsCtx jsCtx;
typedef struct __natsSubscription natsSubscription;
typedef struct __natsMsg natsMsg;

namespace motive::cluster {

class Replicator {
 public:
  // Appends `events` (and their `bodies`) to the node's log with
  // `positions` in one transaction, and folds them. Called on the apply
  // thread only.
  using Apply = std::function<absl::Status(
      std::vector<v1::Event>& events, std::vector<std::string>& bodies,
      const store::StreamPositions& positions)>;

  // Connects, creates the streams that are missing and subscribes from
  // `from` (the log's positions). Errors: InvalidArgument (the options),
  // Unavailable (no server answered within the open timeout; the text says
  // which and why), FailedPrecondition (a stream of this tenant exists with
  // other subjects: other partition counts), the server's refusals.
  static absl::StatusOr<std::unique_ptr<Replicator>> Start(
      const ClusterOptions& options, const store::StreamPositions& from,
      Apply apply);
  // Stops the consumers and the apply thread, then closes the connection.
  ~Replicator();

  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  const ClusterOptions& options() const { return options_; }
  const Topology& topology() const { return topology_; }
  // Whether this node applies the partition's events.
  bool Holds(uint32_t partition) const { return feed_of_[partition] >= 0; }
  // The partition an event goes to: its customer's, or its interaction's
  // when it has no customer yet.
  uint32_t PartitionOfEvent(const v1::Event& event) const;

  struct Ack {
    uint32_t partition = 0;
    uint32_t stream = 0;
    uint64_t seq = 0;
    bool duplicate = false;  // the stream had it already (its Msg-Id)
  };
  // Publishes `events` (serialized in `bodies`) and waits for every
  // acknowledgement, one per event in order. Errors: Unavailable (not
  // connected, or an event was refused: nothing after it was sent),
  // DeadlineExceeded (no acknowledgement within the write timeout: the
  // events may or may not be stored; publishing them again is safe).
  absl::StatusOr<std::vector<Ack>> Publish(
      absl::Span<const v1::Event> events,
      absl::Span<const std::string> bodies);

  // Erases from the streams every message that is one of `events` (by
  // event id): the server overwrites them. A message is looked for in the
  // partitions of the events' customer ids and interaction ids (an
  // enrichment was published under its interaction before it had a
  // customer). Errors: Unavailable, and the server's.
  absl::Status EraseMessages(absl::Span<const v1::Event> events);

  // Waits until this node applied every acknowledged event of `acks` (of
  // the partitions it holds).
  // DeadlineExceeded after `deadline`.
  absl::Status WaitApplied(absl::Span<const Ack> acks, absl::Time deadline);
  // Waits until this node applied what every stream held when it was
  // called. Unavailable when the streams cannot be asked.
  absl::Status CatchUp(absl::Time deadline);

  struct Stats {
    bool connected = false;
    // When the connection was last known up: now while connected.
    absl::Time last_contact;
    uint64_t applied = 0;  // messages applied since start
    // Messages known to the streams and not applied yet here.
    uint64_t lag = 0;
    uint64_t undecodable = 0;  // skipped: their body is not an event
    // Why the last apply failed, while it keeps failing; else OK.
    absl::Status apply_error;
    // By feed (a stream's name, or a held partition's subject), the last
    // stream sequence applied.
    store::StreamPositions positions;
    // Consumers found stalled and replaced since start.
    uint64_t resubscribed = 0;
  };
  Stats stats() const;

 private:
  // What one ordered consumer reads: a whole stream, or one partition of
  // it. `key` names its position in the log.
  struct Feed {
    uint32_t stream;
    int64_t partition;  // -1: every partition of the stream
    std::string key;
  };
  struct Delivery {
    uint32_t feed;
    uint64_t seq;
    uint64_t pending;  // the stream's messages after this one
    natsMsg* msg;      // owned
  };
  struct Subscription {
    Replicator* self;
    uint32_t feed;
    natsSubscription* sub = nullptr;
    bool complete = false;  // its handler will not run again (mu_)
    bool retired = false;   // replaced: what it delivers is dropped (mu_)
  };
  // One Publish call's acknowledgements.
  struct Batch {
    std::vector<Ack> acks;
    size_t waiting = 0;
    absl::Status error;
  };

  Replicator(const ClusterOptions& options, Apply apply);
  absl::Status Connect();
  absl::Status EnsureStreams();
  // Waits until `stream`'s replicas have a leader (open timeout).
  absl::Status AwaitLeader(const std::string& stream);
  // A consumer of `feed` from the stream sequence after `after`.
  absl::StatusOr<std::unique_ptr<Subscription>> Subscribe(uint32_t feed,
                                                          uint64_t after);
  void ApplyLoop();
  void SuperviseLoop();
  // Whether `sub`'s consumer exists and has delivered everything after
  // `have`, as its server says.
  bool Delivering(natsSubscription* sub, uint64_t have);
  // Stream sequences to reach, by feed: the last ones now.
  absl::StatusOr<std::vector<uint64_t>> LastSequences();

  // cnats' callbacks, on its threads (replicator.cc).
  friend struct Callbacks;

  const ClusterOptions options_;
  const Topology topology_;
  const Apply apply_;
  std::vector<Feed> feeds_;
  // By partition, the feed that reads it; -1 for one not held.
  std::vector<int> feed_of_;
  natsConnection* connection_ = nullptr;
  jsCtx* js_ = nullptr;
  // Every subscription not destroyed yet, and the current one of each
  // feed. Changed by the supervising thread only, once started.
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  std::vector<Subscription*> current_;
  std::thread applier_;
  std::thread supervisor_;

  mutable base::Mutex mu_;
  base::CondVar changed_;  // deliveries queued or taken, applied, stopping
  std::deque<Delivery> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // By feed: the last sequence applied and delivered, and the pending
  // count of the last delivered.
  std::vector<uint64_t> applied_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> delivered_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> pending_ ABSL_GUARDED_BY(mu_);
  // By feed: when it last delivered, or was subscribed again.
  std::vector<absl::Time> heard_ ABSL_GUARDED_BY(mu_);
  uint64_t resubscribed_ ABSL_GUARDED_BY(mu_) = 0;
  base::CondVar stopped_;  // stopping_ became true
  // Feeds whose last delivery (applied) said nothing was after it.
  std::vector<bool> drained_ ABSL_GUARDED_BY(mu_);
  uint64_t applied_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t undecodable_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status apply_error_ ABSL_GUARDED_BY(mu_);
  bool connected_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;  // the last callback ran
  absl::Time disconnected_at_ ABSL_GUARDED_BY(mu_);

  // Publishes in flight, by message, and their batches.
  base::Mutex publish_mu_ ABSL_ACQUIRED_AFTER(mu_);
  base::CondVar acked_;
  struct InFlight {
    Batch* batch;
    size_t index;
  };
  absl::flat_hash_map<natsMsg*, InFlight> in_flight_
      ABSL_GUARDED_BY(publish_mu_);
};

}  // namespace motive::cluster

#endif  // MOTIVE_CLUSTER_REPLICATOR_H_
