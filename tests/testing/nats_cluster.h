// A real NATS JetStream cluster on 127.0.0.1, for the tests of the cluster
// layer (issue 17: scale-out on NATS JetStream). Real nats-server processes,
// not a fake: what those tests check (quorum, deduplication, a server killed
// and rejoining with its data) is the server's behaviour, and a fake would
// only check our assumptions about it.
//
//   if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
//   auto cluster = NatsCluster::Start();  // three servers, JetStream ready
//   ASSERT_TRUE(cluster.ok()) << cluster.status();
//   ... connect to (*cluster)->urls() ...
//   (*cluster)->Kill(1);                  // kill -9
//   ASSERT_TRUE((*cluster)->Restart(1).ok());
//
// Each server has its own free loopback ports (client, route, monitoring),
// its own JetStream store and its log in a folder under ::testing::TempDir();
// the folders are removed when the cluster is destroyed. A server that fails
// to start or to become healthy is reported with the tail of its log.
//
// Ownership: the NatsCluster owns its server processes. They never outlive
// it: the destructor stops them, and each child asks the kernel to SIGKILL it
// when the thread that started it dies (PR_SET_PDEATHSIG), so a crashed or
// timed-out test leaves no server behind. That signal follows the *thread*
// that forked, so create, Restart and destroy the cluster on the test's main
// thread.
//
// Thread safety: none; one test thread uses a NatsCluster.

#ifndef MOTIVE_TESTS_TESTING_NATS_CLUSTER_H_
#define MOTIVE_TESTS_TESTING_NATS_CLUSTER_H_

#include <nats/nats.h>
#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace motive::testing {

class NatsCluster {
 public:
  // Why a cluster test skipped; pass it to GTEST_SKIP().
  static constexpr const char* kUnavailable =
      "nats-server is not installed (looked on PATH, in /usr/sbin and "
      "/usr/bin); cmake/install-deps.sh installs it";

  // The nats-server executable, or "" when there is none.
  static std::string ServerPath();
  static bool Available() { return !ServerPath().empty(); }

  // Starts `servers` servers (3 by default; 1 gives a standalone JetStream
  // server) and returns once every one reports healthy (/healthz: in contact
  // with an elected JetStream meta leader) and the JetStream API answers
  // through a client connection. About a second on a quiet machine; fails
  // after 20 s. Free ports are picked by the kernel; if another process takes
  // one before a server binds it, the whole cluster is started again on new
  // ports (up to three times).
  static absl::StatusOr<std::unique_ptr<NatsCluster>> Start(int servers = 3);

  // Stops every server and removes the folders.
  ~NatsCluster();
  NatsCluster(const NatsCluster&) = delete;
  NatsCluster& operator=(const NatsCluster&) = delete;

  int size() const { return static_cast<int>(servers_.size()); }

  // Every client URL, comma-separated, as cnats' natsConnection_ConnectTo
  // takes them: "nats://127.0.0.1:p0,nats://127.0.0.1:p1,...".
  std::string urls() const;
  // Server i's client URL, 0 <= i < size().
  std::string url(int i) const;
  // Server i's name ("n<i>"), as JetStream reports it, e.g. as a stream's
  // cluster leader.
  std::string name(int i) const;

  // kill -9 server i and wait until it has exited. No-op if it is not running.
  void Kill(int i);

  // Starts server i again on the same ports with the same store, so that it
  // rejoins the cluster with its data; a running server is stopped first
  // (SIGTERM). Returns once it reports healthy again: back in contact with
  // the meta leader and its streams caught up.
  absl::Status Restart(int i);

  // Stops every server: SIGTERM, then SIGKILL after 5 s. The folders stay
  // until destruction, so servers can be Restart()ed.
  void Stop();

 private:
  // One server. The ports and folder are fixed for the cluster's life, so a
  // restarted server comes back as the same cluster member.
  struct Server {
    int client_port = 0;
    int cluster_port = 0;
    int monitor_port = 0;       // HTTP, for /healthz
    std::filesystem::path dir;  // store/, server.log, stdout.log
    pid_t pid = -1;             // -1: not running (and reaped)
  };

  explicit NatsCluster(std::filesystem::path root);

  absl::Status StartAll(int servers);
  absl::Status Launch(int i);
  absl::Status WaitHealthy(int i, absl::Time deadline);
  // Until the JetStream API answers a client connected to `urls` only.
  absl::Status WaitJetStream(const std::string& urls, absl::Time deadline);
  // Waits for server i, already sent SIGTERM, to exit; SIGKILLs it at
  // `deadline`. Always reaps it.
  void AwaitExit(int i, absl::Time deadline);
  // Whether server i's process has exited (it is then reaped).
  bool Exited(int i);
  std::string LogTail(int i) const;

  const std::string server_path_;
  const std::filesystem::path root_;
  std::vector<Server> servers_;
};

// Owning pointers for cnats handles, for the fixture and its tests.
struct NatsDeleter {
  void operator()(natsConnection* nc) const { natsConnection_Destroy(nc); }
  void operator()(jsCtx* js) const { jsCtx_Destroy(js); }
  void operator()(jsStreamInfo* si) const { jsStreamInfo_Destroy(si); }
  void operator()(jsPubAck* ack) const { jsPubAck_Destroy(ack); }
};
using NatsConnectionPtr = std::unique_ptr<natsConnection, NatsDeleter>;
using JsCtxPtr = std::unique_ptr<jsCtx, NatsDeleter>;
using JsStreamInfoPtr = std::unique_ptr<jsStreamInfo, NatsDeleter>;
using JsPubAckPtr = std::unique_ptr<jsPubAck, NatsDeleter>;

// A cnats failure as a Status, with cnats' last error text and, for a
// JetStream API error, its code: "<what>: <status> (<detail>) [jetstream
// error <code>]".
absl::Status NatsFailure(const std::string& what, natsStatus status,
                         jsErrCode js_error = static_cast<jsErrCode>(0));

// A client connection to `urls` that reconnects every 100 ms without limit,
// so that a test sees failover, not the client's back-off. With
// `only_these`, the servers the cluster advertises are ignored: the client
// stays on the given URLs (to read through one particular server).
absl::StatusOr<NatsConnectionPtr> ConnectNats(const std::string& urls,
                                              bool only_these = false);

}  // namespace motive::testing

#endif  // MOTIVE_TESTS_TESTING_NATS_CLUSTER_H_
