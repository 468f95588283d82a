// Topology: where a tenant's shared history lives in NATS JetStream, and the
// settings a node needs to reach it.
//
// The history of a tenant is split into `partitions` subjects,
//
//   motive.<tenant>.ev.<p>      p = PartitionOf(key, partitions)
//
// where the key is the event's customer_id (its interaction_id when it has
// none: an enrichment waiting for its contact). One subject per customer
// would make the server keep state per customer; a fixed number keeps that
// bounded. The partitions are spread over `streams` streams
//
//   MOTIVE_<tenant>_<k>         partitions p with p % streams == k
//
// so that the streams' Raft leaders spread over the servers. Both numbers
// are part of a tenant's data: nodes of one tenant must agree on them, and
// a node finding streams laid out otherwise refuses to join (see
// Replicator::Start).
//
// PartitionOf is FNV-1a (64 bits) of the key's bytes, modulo the number of
// partitions: fixed for ever, since other programs (a desktop's router
// looking for the node that holds a customer) compute it too.

#ifndef MOTIVE_CLUSTER_TOPOLOGY_H_
#define MOTIVE_CLUSTER_TOPOLOGY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace motive::cluster {

struct ClusterOptions {
  // The servers, comma-separated: "nats://10.0.0.1:4222,nats://10.0.0.2:4222".
  // Empty: no cluster (the single-node engine).
  std::string servers;
  // Names the shared history: letters, digits, '-' and '_'.
  std::string tenant = "default";
  uint32_t partitions = 256;
  uint32_t streams = 4;
  // Copies of each stream the cluster keeps (Raft: a write is acknowledged
  // by a majority of them). Used when the streams are created.
  uint32_t replicas = 3;
  // Authentication and TLS; empty for none. A credentials file is NATS's
  // user JWT and NKey seed (.creds).
  std::string credentials_file;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  // How long a write waits for the cluster's acknowledgement, and then for
  // this node to have applied it (read-your-writes).
  absl::Duration write_timeout = absl::Seconds(5);
  // How long opening waits to connect, and then to apply the streams up to
  // where they stood when it connected.
  absl::Duration open_timeout = absl::Seconds(120);
  // The partitions this node holds; empty for all of them. A node holding
  // some applies only their events and answers only for their customers
  // (Engine refuses the others, naming the partition): with 100M
  // customers, each node holds a share. Identifiers link customers only
  // within the partitions a node holds.
  std::vector<uint32_t> held_partitions;
};

// "0-63,128,130-135" as partition numbers; InvalidArgument naming the part
// that is not a number or a range within [0, partitions).
absl::StatusOr<std::vector<uint32_t>> ParsePartitionList(
    absl::string_view text, uint32_t partitions);

// InvalidArgument naming the field when the options cannot describe a
// cluster (an empty tenant, a character NATS subjects refuse, zero
// partitions, more streams than partitions).
absl::Status ValidateClusterOptions(const ClusterOptions& options);

uint32_t PartitionOf(absl::string_view key, uint32_t partitions);

// The names above, for one tenant's layout.
class Topology {
 public:
  explicit Topology(const ClusterOptions& options);

  uint32_t partitions() const { return partitions_; }
  uint32_t streams() const { return static_cast<uint32_t>(names_.size()); }
  const std::string& stream_name(uint32_t stream) const {
    return names_[stream];
  }
  uint32_t StreamOf(uint32_t partition) const { return partition % streams(); }
  std::string Subject(uint32_t partition) const;
  // The subjects of a stream's partitions, in partition order.
  std::vector<std::string> Subjects(uint32_t stream) const;

 private:
  std::string tenant_;
  uint32_t partitions_;
  std::vector<std::string> names_;
};

}  // namespace motive::cluster

#endif  // MOTIVE_CLUSTER_TOPOLOGY_H_
