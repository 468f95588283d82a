#include "tests/testing/nats_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace motive::testing {
namespace {

// Leader election takes about half a second on loopback; 20 s leaves room
// for a loaded machine without letting a broken server hang the test.
constexpr absl::Duration kReadyTimeout = absl::Seconds(20);
constexpr absl::Duration kPollInterval = absl::Milliseconds(50);
// A server that does not exit on SIGTERM within this is killed.
constexpr absl::Duration kStopGrace = absl::Seconds(5);
constexpr int kStartAttempts = 3;
constexpr int kLogTailLines = 30;

bool IsExecutable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0;
}

// Asks the kernel for `n` distinct free loopback ports: all `n` sockets are
// bound (to port 0) at once, so no two get the same port, then closed for
// the servers to bind. Another process may take one in between; Start()
// notices and retries.
absl::StatusOr<std::vector<int>> FreeLoopbackPorts(int n) {
  std::vector<int> fds;
  std::vector<int> ports;
  absl::Status status;
  for (int k = 0; k < n && status.ok(); ++k) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      status = absl::InternalError(absl::StrCat("socket: ", strerror(errno)));
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = absl::InternalError(
          absl::StrCat("binding a free loopback port: ", strerror(errno)));
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  if (!status.ok()) return status;
  return ports;
}

// What GET `path` on 127.0.0.1:`port` answered: the status (-1 when
// nothing answered) and the body.
struct HttpReply {
  int status = -1;
  std::string body;
};

// HTTP/1.0 over a bare socket: /healthz is all we need, and a client library
// is not worth a dependency for it.
HttpReply HttpGet(int port, const char* path) {
  HttpReply reply;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return reply;
  // A server that accepts but never answers must not hang the poll loop.
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string response;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string request =
        absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
        static_cast<ssize_t>(request.size())) {
      // HTTP/1.0: the server closes the connection after the body.
      char buffer[4096];
      for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
        response.append(buffer, static_cast<size_t>(n));
      }
    }
  }
  ::close(fd);
  // "HTTP/1.0 200 OK\r\n...\r\n\r\n{...}"
  int status = 0;
  if (std::sscanf(response.c_str(), "HTTP/%*d.%*d %d", &status) == 1) {
    reply.status = status;
    size_t body = response.find("\r\n\r\n");
    if (body != std::string::npos) reply.body = response.substr(body + 4);
  }
  return reply;
}

// The last `lines` lines of the file at `path`, "" when it is missing.
// Without the server's "Healthcheck failed" warnings: our polling of
// /healthz writes one every 50 ms, and they would hide everything else.
std::string Tail(const std::filesystem::path& path, int lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    if (absl::StrContains(line, "Healthcheck failed")) continue;
    last.push_back(std::move(line));
    if (static_cast<int>(last.size()) > lines) last.pop_front();
  }
  return absl::StrJoin(last, "\n");
}

// Blocks until `pid` has exited and reaps it.
void Reap(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

absl::Status NatsFailure(const std::string& what, natsStatus status,
                         jsErrCode js_error) {
  std::string message = absl::StrCat(what, ": ", natsStatus_GetText(status));
  natsStatus last = NATS_OK;
  const char* detail = nats_GetLastError(&last);
  if (detail != nullptr && *detail != '\0') {
    absl::StrAppend(&message, " (", detail, ")");
  }
  if (js_error != 0) {
    absl::StrAppend(&message, " [jetstream error ", js_error, "]");
  }
  return absl::UnavailableError(message);
}

absl::StatusOr<NatsConnectionPtr> ConnectNats(const std::string& urls,
                                              bool only_these) {
  natsOptions* raw_options = nullptr;
  natsStatus s = natsOptions_Create(&raw_options);
  if (s != NATS_OK) return NatsFailure("natsOptions_Create", s);
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> options(
      raw_options, natsOptions_Destroy);

  std::vector<std::string> list = absl::StrSplit(urls, ',');
  std::vector<const char*> servers;
  for (const std::string& u : list) servers.push_back(u.c_str());
  s = natsOptions_SetServers(options.get(), servers.data(),
                             static_cast<int>(servers.size()));
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(options.get(), 100);
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options.get(), -1);
  if (s == NATS_OK && only_these) {
    s = natsOptions_SetIgnoreDiscoveredServers(options.get(), true);
  }
  if (s != NATS_OK) return NatsFailure("setting the NATS options", s);

  natsConnection* nc = nullptr;
  s = natsConnection_Connect(&nc, options.get());
  if (s != NATS_OK) return NatsFailure(absl::StrCat("connecting to ", urls), s);
  return NatsConnectionPtr(nc);
}

std::string NatsCluster::ServerPath() {
  std::vector<std::string> candidates;
  if (const char* path = std::getenv("PATH")) {
    for (absl::string_view dir : absl::StrSplit(path, ':')) {
      if (!dir.empty()) candidates.push_back(absl::StrCat(dir, "/nats-server"));
    }
  }
  // Debian puts nats-server in /usr/sbin, which is not on every user's PATH.
  candidates.push_back("/usr/sbin/nats-server");
  candidates.push_back("/usr/bin/nats-server");
  for (const std::string& candidate : candidates) {
    if (IsExecutable(candidate)) return candidate;
  }
  return "";
}

NatsCluster::NatsCluster(std::filesystem::path root)
    : server_path_(ServerPath()), root_(std::move(root)) {}

NatsCluster::~NatsCluster() {
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

absl::StatusOr<std::unique_ptr<NatsCluster>> NatsCluster::Start(int servers) {
  if (servers < 1) {
    return absl::InvalidArgumentError("a cluster needs at least one server");
  }
  if (!Available()) return absl::FailedPreconditionError(kUnavailable);
  // Unique per process and per cluster, as tests may run in parallel.
  static std::atomic<int> clusters{0};
  absl::Status status;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::filesystem::path root =
        std::filesystem::path(::testing::TempDir()) /
        absl::StrCat("motive_nats_", ::getpid(), "_", clusters++);
    std::unique_ptr<NatsCluster> cluster(new NatsCluster(root));
    status = cluster->StartAll(servers);
    if (status.ok()) return cluster;
    // Only a lost race for a port is worth another try; anything else would
    // fail the same way again.
    if (!absl::StrContains(status.message(), "address already in use")) break;
  }
  return status;
}

absl::Status NatsCluster::StartAll(int servers) {
  std::error_code error;
  std::filesystem::remove_all(root_, error);
  absl::StatusOr<std::vector<int>> ports = FreeLoopbackPorts(3 * servers);
  if (!ports.ok()) return ports.status();
  servers_.resize(servers);
  for (int i = 0; i < servers; ++i) {
    Server& server = servers_[i];
    server.client_port = (*ports)[3 * i];
    server.cluster_port = (*ports)[3 * i + 1];
    server.monitor_port = (*ports)[3 * i + 2];
    server.dir = root_ / name(i);
    if (!std::filesystem::create_directories(server.dir, error)) {
      return absl::InternalError(absl::StrCat("creating ", server.dir.string(),
                                              ": ", error.message()));
    }
  }
  for (int i = 0; i < servers; ++i) {
    if (absl::Status status = Launch(i); !status.ok()) return status;
  }
  const absl::Time deadline = absl::Now() + kReadyTimeout;
  for (int i = 0; i < servers; ++i) {
    if (absl::Status status = WaitHealthy(i, deadline); !status.ok()) {
      return status;
    }
  }
  return WaitJetStream(urls(), deadline);
}

absl::Status NatsCluster::Launch(int i) {
  const Server& server = servers_[i];
  std::vector<std::string> args = {
      server_path_,
      "-a",
      "127.0.0.1",
      "-p",
      std::to_string(server.client_port),
      "-m",
      std::to_string(server.monitor_port),
      "--server_name",
      name(i),
      "-js",
      "--store_dir",
      (server.dir / "store").string(),
      "-l",
      (server.dir / "server.log").string(),
  };
  // JetStream clustering needs a cluster name and unique server names; one
  // server alone runs standalone JetStream instead.
  if (size() > 1) {
    std::vector<std::string> routes;
    for (int j = 0; j < size(); ++j) {
      if (j != i) {
        routes.push_back(
            absl::StrCat("nats://127.0.0.1:", servers_[j].cluster_port));
      }
    }
    args.insert(args.end(),
                {"--cluster_name", "motive-test", "--cluster",
                 absl::StrCat("nats://127.0.0.1:", server.cluster_port),
                 "--routes", absl::StrJoin(routes, ",")});
  }
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // What the server says before its log file is open (a bad flag, say).
  const std::string stdout_path = (server.dir / "stdout.log").string();
  int out = ::open(stdout_path.c_str(),
                   O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) {
    return absl::InternalError(
        absl::StrCat("opening ", stdout_path, ": ", strerror(errno)));
  }
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // The child of a threaded process (cnats runs threads): only
    // async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The parent may have died before prctl took effect.
    if (::getppid() != parent) ::_exit(1);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out);
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  }
  servers_[i].pid = pid;
  return absl::OkStatus();
}

absl::Status NatsCluster::WaitHealthy(int i, absl::Time deadline) {
  // /healthz answers 200 once the server's JetStream is in contact with an
  // elected meta leader and its streams have caught up; until then, 503 and
  // why.
  HttpReply health;
  while (true) {
    if (Exited(i)) {
      return absl::InternalError(
          absl::StrCat("nats-server ", name(i),
                       " exited while starting; its log ends:\n", LogTail(i)));
    }
    health = HttpGet(servers_[i].monitor_port, "/healthz");
    if (health.status == 200) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "nats-server ", name(i), " not healthy after ",
          absl::FormatDuration(kReadyTimeout), " (/healthz: ", health.status,
          " ", health.body, "); its log ends:\n", LogTail(i)));
    }
    absl::SleepFor(kPollInterval);
  }
}

absl::Status NatsCluster::WaitJetStream(const std::string& urls,
                                        absl::Time deadline) {
  // Healthy servers can still refuse API calls for a moment while the leader
  // settles; what tests need is a client that gets answers.
  absl::StatusOr<NatsConnectionPtr> nc = ConnectNats(urls, /*only_these=*/true);
  if (!nc.ok()) return nc.status();
  jsCtx* raw_js = nullptr;
  natsStatus s = natsConnection_JetStream(&raw_js, nc->get(), nullptr);
  if (s != NATS_OK) return NatsFailure("natsConnection_JetStream", s);
  JsCtxPtr js(raw_js);
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = 1000;  // ms; a lost request is retried, not waited out
  while (true) {
    jsAccountInfo* info = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    s = js_GetAccountInfo(&info, js.get(), &options, &js_error);
    if (s == NATS_OK) {
      jsAccountInfo_Destroy(info);
      return absl::OkStatus();
    }
    if (absl::Now() > deadline) {
      return NatsFailure(
          absl::StrCat("JetStream not answering at ", urls, " after ",
                       absl::FormatDuration(kReadyTimeout)),
          s, js_error);
    }
    absl::SleepFor(kPollInterval);
  }
}

std::string NatsCluster::urls() const {
  std::vector<std::string> all;
  for (int i = 0; i < size(); ++i) all.push_back(url(i));
  return absl::StrJoin(all, ",");
}

std::string NatsCluster::url(int i) const {
  return absl::StrCat("nats://127.0.0.1:", servers_.at(i).client_port);
}

std::string NatsCluster::name(int i) const { return absl::StrCat("n", i); }

void NatsCluster::Kill(int i) {
  Server& server = servers_.at(i);
  if (server.pid < 0) return;
  ::kill(server.pid, SIGKILL);
  Reap(server.pid);
  server.pid = -1;
}

absl::Status NatsCluster::Restart(int i) {
  if (servers_.at(i).pid >= 0) {
    ::kill(servers_[i].pid, SIGTERM);
    AwaitExit(i, absl::Now() + kStopGrace);
  }
  if (absl::Status status = Launch(i); !status.ok()) return status;
  const absl::Time deadline = absl::Now() + kReadyTimeout;
  if (absl::Status status = WaitHealthy(i, deadline); !status.ok()) {
    return status;
  }
  return WaitJetStream(url(i), deadline);
}

void NatsCluster::Stop() {
  // SIGTERM to all first, so that they shut down in parallel.
  for (const Server& server : servers_) {
    if (server.pid >= 0) ::kill(server.pid, SIGTERM);
  }
  const absl::Time deadline = absl::Now() + kStopGrace;
  for (int i = 0; i < size(); ++i) AwaitExit(i, deadline);
}

void NatsCluster::AwaitExit(int i, absl::Time deadline) {
  while (!Exited(i)) {
    if (absl::Now() > deadline) {
      Kill(i);
      return;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

bool NatsCluster::Exited(int i) {
  Server& server = servers_[i];
  if (server.pid < 0) return true;
  if (::waitpid(server.pid, nullptr, WNOHANG) == 0) return false;
  server.pid = -1;
  return true;
}

std::string NatsCluster::LogTail(int i) const {
  const Server& server = servers_[i];
  return absl::StrCat(Tail(server.dir / "stdout.log", kLogTailLines), "\n",
                      Tail(server.dir / "server.log", kLogTailLines));
}

}  // namespace motive::testing
