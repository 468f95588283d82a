#include "cluster/replicator.h"

#include <nats/nats.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "base/errors.h"

namespace motive::cluster {
namespace {

// Deliveries queued and not applied: the consumers' threads wait beyond it,
// so that a node that applies slower than the streams deliver (a catch-up)
// holds a bounded amount. cnats and the server's flow control take it from
// there.
constexpr size_t kMaxQueued = 65536;
// Messages applied in one transaction of the node's log.
constexpr size_t kApplyBatch = 4096;
constexpr absl::Duration kApplyRetry = absl::Milliseconds(100);
constexpr absl::Duration kHeartbeat = absl::Seconds(1);
// A feed quiet this long, while nothing waits to be applied, has its
// consumer checked with the server; so is one subscribed again after that
// long. Longer than cnats' own recovery (two missed heartbeats), so that
// supervision steps in only where cnats' recovery failed.
constexpr absl::Duration kQuiet = absl::Seconds(5);
constexpr absl::Duration kSuperviseEvery = absl::Seconds(1);
// For the supervisor's questions to the server: shorter than kQuiet.
constexpr absl::Duration kAskTimeout = absl::Seconds(2);

// cnats' last error for `status`, as text.
std::string NatsError(natsStatus status) {
  const char* detail = nats_GetLastError(nullptr);
  return detail != nullptr && *detail != '\0'
             ? std::string(detail)
             : std::string(natsStatus_GetText(status));
}

absl::Status Unavailable(absl::string_view what, natsStatus status) {
  return base::Unreachable(
      absl::UnavailableError(absl::StrCat(what, ": ", NatsError(status))));
}

int64_t Milliseconds(absl::Duration d) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(d));
}

}  // namespace

struct Callbacks {
  static void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg,
                        void* closure) {
    auto* sub = static_cast<Replicator::Subscription*>(closure);
    Replicator& self = *sub->self;
    jsMsgMetaData* meta = nullptr;
    // Heartbeats and flow control never get here; anything without
    // metadata is not a stream message.
    if (natsMsg_GetMetaData(&meta, msg) != NATS_OK) {
      natsMsg_Destroy(msg);
      return;
    }
    Replicator::Delivery delivery{sub->feed, meta->Sequence.Stream,
                                  meta->NumPending, msg};
    jsMsgMetaData_Destroy(meta);
    base::MutexLock lock(&self.mu_);
    while (!self.stopping_ && self.queue_.size() >= kMaxQueued) {
      self.changed_.Wait(&self.mu_);
    }
    // A replaced consumer's last deliveries, and the start of its
    // replacement's, may overlap.
    if (self.stopping_ || sub->retired ||
        delivery.seq <= self.delivered_[delivery.feed]) {
      natsMsg_Destroy(msg);
      return;
    }
    self.heard_[delivery.feed] = absl::Now();
    self.delivered_[delivery.feed] = delivery.seq;
    self.pending_[delivery.feed] = delivery.pending;
    self.queue_.push_back(delivery);
    self.changed_.SignalAll();
  }

  static void OnSubscriptionComplete(void* closure) {
    auto* sub = static_cast<Replicator::Subscription*>(closure);
    base::MutexLock lock(&sub->self->mu_);
    sub->complete = true;
    sub->self->changed_.SignalAll();
  }

  static void OnAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error,
                    void* closure) {
    // With an ack handler, the message is ours to destroy (cnats' js.c);
    // after it left in_flight_, so that its address keys nothing there.
    struct Destroy {
      ~Destroy() { natsMsg_Destroy(msg); }
      natsMsg* msg;
    } destroy{msg};
    auto& self = *static_cast<Replicator*>(closure);
    base::MutexLock lock(&self.publish_mu_);
    auto it = self.in_flight_.find(msg);
    if (it == self.in_flight_.end()) return;  // its caller gave up
    Replicator::Batch& batch = *it->second.batch;
    const size_t index = it->second.index;
    self.in_flight_.erase(it);
    if (error != nullptr || ack == nullptr) {
      if (batch.error.ok()) {
        const std::string text =
            error != nullptr && error->ErrText != nullptr
                ? error->ErrText
                : natsStatus_GetText(error != nullptr ? error->Err
                                                      : NATS_ERR);
        // A timeout, or no stream answering (its leader being elected):
        // the cluster could not take it now, and writing again is safe.
        const bool transient =
            error != nullptr &&
            (error->Err == NATS_TIMEOUT || error->Err == NATS_NO_RESPONDERS);
        batch.error =
            transient
                ? base::Unreachable(absl::DeadlineExceededError(absl::StrCat(
                      "the cluster did not acknowledge event ", index,
                      " of the write: ", text,
                      "; writing it again is safe")))
                : absl::UnavailableError(absl::StrCat(
                      "the cluster refused event ", index, ": ", text));
      }
    } else {
      Replicator::Ack& out = batch.acks[index];
      out.seq = ack->Sequence;
      out.duplicate = ack->Duplicate;
    }
    --batch.waiting;
    self.acked_.SignalAll();
  }

  static void OnDisconnected(natsConnection*, void* closure) {
    auto& self = *static_cast<Replicator*>(closure);
    base::MutexLock lock(&self.mu_);
    if (self.connected_) self.disconnected_at_ = absl::Now();
    self.connected_ = false;
  }

  static void OnReconnected(natsConnection*, void* closure) {
    auto& self = *static_cast<Replicator*>(closure);
    base::MutexLock lock(&self.mu_);
    self.connected_ = true;
  }

  // cnats runs the connection's callbacks in order on a thread of its
  // own: once this one ran, none of the others will.
  static void OnClosed(natsConnection*, void* closure) {
    auto& self = *static_cast<Replicator*>(closure);
    base::MutexLock lock(&self.mu_);
    self.connected_ = false;
    self.closed_ = true;
    self.changed_.SignalAll();
  }
};

Replicator::Replicator(const ClusterOptions& options, Apply apply)
    : options_(options), topology_(options), apply_(std::move(apply)) {
  feed_of_.assign(topology_.partitions(), -1);
  if (options.held_partitions.empty()) {
    for (uint32_t k = 0; k < topology_.streams(); ++k) {
      feeds_.push_back({k, -1, topology_.stream_name(k)});
    }
    for (uint32_t p = 0; p < topology_.partitions(); ++p) {
      feed_of_[p] = static_cast<int>(topology_.StreamOf(p));
    }
  } else {
    for (uint32_t p : options.held_partitions) {
      feed_of_[p] = static_cast<int>(feeds_.size());
      feeds_.push_back({topology_.StreamOf(p), p, topology_.Subject(p)});
    }
  }
  applied_.assign(feeds_.size(), 0);
  delivered_.assign(feeds_.size(), 0);
  pending_.assign(feeds_.size(), 0);
  drained_.assign(feeds_.size(), false);
  heard_.assign(feeds_.size(), absl::Now());
}

absl::StatusOr<std::unique_ptr<Replicator>> Replicator::Start(
    const ClusterOptions& options, const store::StreamPositions& from,
    Apply apply) {
  if (absl::Status s = ValidateClusterOptions(options); !s.ok()) return s;
  if (options.servers.empty()) {
    return absl::InvalidArgumentError("servers: is empty");
  }
  auto replicator =
      std::unique_ptr<Replicator>(new Replicator(options, std::move(apply)));
  if (absl::Status s = replicator->Connect(); !s.ok()) return s;
  if (absl::Status s = replicator->EnsureStreams(); !s.ok()) return s;
  for (size_t f = 0; f < replicator->feeds_.size(); ++f) {
    auto it = from.find(replicator->feeds_[f].key);
    base::MutexLock lock(&replicator->mu_);
    replicator->applied_[f] = it == from.end() ? 0 : it->second;
  }
  Replicator* self = replicator.get();
  replicator->applier_ = std::thread([self] { self->ApplyLoop(); });
  for (uint32_t f = 0; f < replicator->feeds_.size(); ++f) {
    auto it = from.find(replicator->feeds_[f].key);
    absl::StatusOr<std::unique_ptr<Subscription>> sub =
        replicator->Subscribe(f, it == from.end() ? 0 : it->second);
    if (!sub.ok()) return sub.status();
    replicator->current_.push_back(sub->get());
    replicator->subscriptions_.push_back(*std::move(sub));
  }
  replicator->supervisor_ = std::thread([self] { self->SuperviseLoop(); });
  return replicator;
}

absl::Status Replicator::Connect() {
  natsOptions* opts = nullptr;
  if (natsStatus s = natsOptions_Create(&opts); s != NATS_OK) {
    return Unavailable("creating the connection's options", s);
  }
  std::vector<std::string> urls =
      absl::StrSplit(options_.servers, ',', absl::SkipWhitespace());
  std::vector<const char*> servers;
  for (std::string& url : urls) {
    url = std::string(absl::StripAsciiWhitespace(url));
    servers.push_back(url.c_str());
  }
  natsStatus s = natsOptions_SetServers(opts, servers.data(),
                                        static_cast<int>(servers.size()));
  if (s == NATS_OK) {
    s = natsOptions_SetTimeout(
        opts, Milliseconds(std::min(options_.open_timeout, absl::Seconds(5))));
  }
  if (s == NATS_OK) s = natsOptions_SetName(opts, "motive");
  // A node holding many partitions has a consumer for each: they share a
  // few delivery threads rather than have one each.
  if (s == NATS_OK && !options_.held_partitions.empty()) {
    s = natsOptions_UseGlobalMessageDelivery(opts, true);
  }
  // A node keeps trying for ever: while it cannot reach the cluster it
  // serves what it has, and says how stale that is.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) {
    s = natsOptions_SetDisconnectedCB(opts, &Callbacks::OnDisconnected, this);
  }
  if (s == NATS_OK) {
    s = natsOptions_SetReconnectedCB(opts, &Callbacks::OnReconnected, this);
  }
  if (s == NATS_OK) {
    s = natsOptions_SetClosedCB(opts, &Callbacks::OnClosed, this);
  }
  if (s == NATS_OK && !options_.credentials_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(
        opts, options_.credentials_file.c_str(), nullptr);
  }
  const bool tls = !options_.tls_ca_file.empty() ||
                   !options_.tls_cert_file.empty();
  if (s == NATS_OK && tls) s = natsOptions_SetSecure(opts, true);
  if (s == NATS_OK && !options_.tls_ca_file.empty()) {
    s = natsOptions_LoadCATrustedCertificates(opts,
                                              options_.tls_ca_file.c_str());
  }
  if (s == NATS_OK && !options_.tls_cert_file.empty()) {
    s = natsOptions_LoadCertificatesChain(opts, options_.tls_cert_file.c_str(),
                                          options_.tls_key_file.c_str());
  }
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return absl::InvalidArgumentError(
        absl::StrCat("cluster settings: ", NatsError(s)));
  }
  s = natsConnection_Connect(&connection_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    return Unavailable(absl::StrCat("connecting to ", options_.servers), s);
  }
  {
    base::MutexLock lock(&mu_);
    connected_ = true;
  }
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = Milliseconds(options_.write_timeout);
  js_options.PublishAsync.AckHandler = &Callbacks::OnAck;
  js_options.PublishAsync.AckHandlerClosure = this;
  js_options.PublishAsync.MaxPending = 65536;
  js_options.PublishAsync.StallWait = Milliseconds(options_.write_timeout);
  s = natsConnection_JetStream(&js_, connection_, &js_options);
  if (s != NATS_OK) return Unavailable("opening JetStream", s);
  return absl::OkStatus();
}

absl::Status Replicator::EnsureStreams() {
  for (uint32_t k = 0; k < topology_.streams(); ++k) {
    const std::string& name = topology_.stream_name(k);
    const std::vector<std::string> subjects = topology_.Subjects(k);
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js_, name.c_str(), nullptr, &code);
    if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) {
      std::vector<const char*> list;
      for (const std::string& subject : subjects) list.push_back(subject.c_str());
      jsStreamConfig config;
      jsStreamConfig_Init(&config);
      config.Name = name.c_str();
      config.Subjects = list.data();
      config.SubjectsLen = static_cast<int>(list.size());
      config.Storage = js_FileStorage;
      config.Replicas = options_.replicas;
      // Another node creating it at the same time with the same settings
      // is no error; with others it is, below.
      s = js_AddStream(&info, js_, &config, nullptr, &code);
    }
    if (s != NATS_OK) {
      return Unavailable(absl::StrCat("opening stream ", name), s);
    }
    std::vector<std::string> held;
    for (int i = 0; i < info->Config->SubjectsLen; ++i) {
      held.push_back(info->Config->Subjects[i]);
    }
    jsStreamInfo_Destroy(info);
    std::sort(held.begin(), held.end());
    std::vector<std::string> wanted = subjects;
    std::sort(wanted.begin(), wanted.end());
    if (held != wanted) {
      return absl::FailedPreconditionError(absl::StrCat(
          "stream ", name, " holds ", held.size(), " subjects (",
          held.empty() ? "" : held.front(), "...), not the ", wanted.size(),
          " of ", options_.partitions, " partitions over ", options_.streams,
          " streams: every node of tenant '", options_.tenant,
          "' must use the same partitions and streams"));
    }
    if (absl::Status led = AwaitLeader(name); !led.ok()) return led;
  }
  return absl::OkStatus();
}

absl::Status Replicator::AwaitLeader(const std::string& stream) {
  // A stream just created (here, or by a node that died meanwhile) answers
  // its info before its replicas have elected a leader, and refuses
  // publishes until they have ("no responders").
  const absl::Time deadline = absl::Now() + options_.open_timeout;
  while (true) {
    jsStreamInfo* info = nullptr;
    natsStatus s =
        js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr);
    const bool led = s == NATS_OK && info->Cluster != nullptr &&
                     info->Cluster->Leader != nullptr &&
                     *info->Cluster->Leader != '\0';
    // A server without clustering runs its streams alone: no leader to wait
    // for.
    const bool alone = s == NATS_OK && info->Cluster == nullptr;
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (led || alone) return absl::OkStatus();
    if (absl::Now() >= deadline) {
      return base::Unreachable(absl::DeadlineExceededError(absl::StrCat(
          "stream ", stream, " has no leader after ",
          absl::FormatDuration(options_.open_timeout))));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

absl::StatusOr<std::unique_ptr<Replicator::Subscription>>
Replicator::Subscribe(uint32_t f, uint64_t after) {
  const Feed& feed = feeds_[f];
  const std::string& name = topology_.stream_name(feed.stream);
  auto sub = std::make_unique<Subscription>();
  sub->self = this;
  sub->feed = f;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = name.c_str();
  options.Ordered = true;
  // The server's heartbeats tell a consumer that its server went away:
  // cnats recreates the ordered consumer on another after a few missed
  // ones. Five seconds (the default) would hold a node ten seconds or
  // more behind after a server's loss.
  options.Config.Heartbeat = absl::ToInt64Nanoseconds(kHeartbeat);
  if (after > 0) {
    options.Config.DeliverPolicy = js_DeliverByStartSequence;
    options.Config.OptStartSeq = after + 1;
  } else {
    options.Config.DeliverPolicy = js_DeliverAll;
  }
  jsErrCode code = static_cast<jsErrCode>(0);
  const std::string filter =
      feed.partition < 0 ? absl::StrCat("motive.", options_.tenant, ".ev.>")
                         : feed.key;
  natsStatus s =
      js_Subscribe(&sub->sub, js_, filter.c_str(), &Callbacks::OnMessage,
                   sub.get(), nullptr, &options, &code);
  if (s == NATS_OK) {
    s = natsSubscription_SetOnCompleteCB(
        sub->sub, &Callbacks::OnSubscriptionComplete, sub.get());
  }
  if (s != NATS_OK) {
    if (sub->sub != nullptr) natsSubscription_Destroy(sub->sub);
    return Unavailable(absl::StrCat("subscribing to ", feed.key), s);
  }
  return sub;
}

Replicator::~Replicator() {
  {
    base::MutexLock lock(&mu_);
    stopping_ = true;
    changed_.SignalAll();
    stopped_.SignalAll();
  }
  if (supervisor_.joinable()) supervisor_.join();
  for (const auto& sub : subscriptions_) {
    // Deletes the ephemeral consumer now rather than after the server's
    // inactivity threshold.
    natsSubscription_Unsubscribe(sub->sub);
  }
  {
    // The handlers use this object: wait until none will run again.
    base::MutexLock lock(&mu_);
    const auto deadline =
        absl::ToChronoTime(absl::Now() + absl::Seconds(10));
    while (std::any_of(subscriptions_.begin(), subscriptions_.end(),
                       [](const auto& sub) { return !sub->complete; }) &&
           std::chrono::system_clock::now() < deadline) {
      changed_.WaitUntil(&mu_, deadline);
    }
  }
  if (applier_.joinable()) applier_.join();
  for (const auto& sub : subscriptions_) natsSubscription_Destroy(sub->sub);
  {
    base::MutexLock lock(&mu_);
    for (Delivery& d : queue_) natsMsg_Destroy(d.msg);
    queue_.clear();
  }
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    // The callbacks use this object: wait for the last of them.
    {
      base::MutexLock lock(&mu_);
      const auto deadline =
          absl::ToChronoTime(absl::Now() + absl::Seconds(10));
      while (!closed_ && std::chrono::system_clock::now() < deadline) {
        changed_.WaitUntil(&mu_, deadline);
      }
    }
    natsConnection_Destroy(connection_);
  }
}

void Replicator::ApplyLoop() {
  std::vector<Delivery> batch;
  std::vector<v1::Event> events;
  std::vector<std::string> bodies;
  while (true) {
    {
      base::MutexLock lock(&mu_);
      while (!stopping_ && queue_.empty()) changed_.Wait(&mu_);
      if (stopping_) return;
      const size_t n = std::min(queue_.size(), kApplyBatch);
      batch.assign(queue_.begin(), queue_.begin() + n);
      queue_.erase(queue_.begin(), queue_.begin() + n);
      changed_.SignalAll();  // room for the consumers
    }
    events.clear();
    bodies.clear();
    store::StreamPositions positions;
    uint64_t undecodable = 0;
    for (const Delivery& d : batch) {
      positions[feeds_[d.feed].key] = d.seq;
      std::string body(natsMsg_GetData(d.msg), natsMsg_GetDataLength(d.msg));
      v1::Event event;
      if (!event.ParseFromString(body) || event.event_id().empty()) {
        ++undecodable;
        continue;
      }
      events.push_back(std::move(event));
      bodies.push_back(std::move(body));
    }
    absl::Status status = apply_(events, bodies, positions);
    while (!status.ok()) {
      {
        base::MutexLock lock(&mu_);
        apply_error_ = status;
        changed_.WaitUntil(&mu_, absl::ToChronoTime(absl::Now() + kApplyRetry));
        if (stopping_) break;
      }
      status = apply_(events, bodies, positions);
    }
    base::MutexLock lock(&mu_);
    for (const Delivery& d : batch) {
      applied_[d.feed] = std::max(applied_[d.feed], d.seq);
      drained_[d.feed] = d.pending == 0;
      natsMsg_Destroy(d.msg);
    }
    if (status.ok()) {
      apply_error_ = absl::OkStatus();
      applied_count_ += batch.size();
      undecodable_ += undecodable;
    }
    changed_.SignalAll();
    if (stopping_) return;
  }
}

void Replicator::SuperviseLoop() {
  while (true) {
    std::vector<std::pair<uint32_t, uint64_t>> quiet;  // feed, delivered
    {
      base::MutexLock lock(&mu_);
      stopped_.WaitUntil(&mu_,
                         absl::ToChronoTime(absl::Now() + kSuperviseEvery));
      if (stopping_) break;
      // A full queue holds the consumers back; a disconnected node has
      // nothing to ask. Neither is a stall.
      if (!connected_ || !queue_.empty()) continue;
      const absl::Time now = absl::Now();
      for (uint32_t f = 0; f < feeds_.size(); ++f) {
        if (now - heard_[f] < kQuiet) continue;
        heard_[f] = now;  // asked at most every kQuiet
        quiet.emplace_back(f, std::max(delivered_[f], applied_[f]));
      }
    }
    for (const auto& [f, have] : quiet) {
      if (Delivering(current_[f]->sub, have)) continue;
      absl::StatusOr<std::unique_ptr<Subscription>> fresh = Subscribe(f, have);
      // The next round tries again.
      if (!fresh.ok()) continue;
      Subscription* old = current_[f];
      {
        base::MutexLock lock(&mu_);
        old->retired = true;
        ++resubscribed_;
      }
      natsSubscription_Unsubscribe(old->sub);
      current_[f] = fresh->get();
      subscriptions_.push_back(*std::move(fresh));
    }
    // Replaced subscriptions go once their handlers are done.
    std::vector<std::unique_ptr<Subscription>> done;
    {
      base::MutexLock lock(&mu_);
      auto gone = std::stable_partition(
          subscriptions_.begin(), subscriptions_.end(),
          [](const auto& sub) { return !sub->retired || !sub->complete; });
      done.assign(std::make_move_iterator(gone),
                  std::make_move_iterator(subscriptions_.end()));
      subscriptions_.erase(gone, subscriptions_.end());
    }
    for (const auto& sub : done) natsSubscription_Destroy(sub->sub);
  }
}

bool Replicator::Delivering(natsSubscription* sub, uint64_t have) {
  jsOptions options;
  jsOptions_Init(&options);
  options.Wait = Milliseconds(kAskTimeout);
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (natsSubscription_GetConsumerInfo(&info, sub, &options, &code) !=
      NATS_OK) {
    return false;
  }
  const bool delivering =
      info->NumPending == 0 && info->Delivered.Stream <= have;
  jsConsumerInfo_Destroy(info);
  return delivering;
}

uint32_t Replicator::PartitionOfEvent(const v1::Event& event) const {
  return PartitionOf(event.customer_id().empty() ? event.interaction_id()
                                                 : event.customer_id(),
                     topology_.partitions());
}

absl::StatusOr<std::vector<Replicator::Ack>> Replicator::Publish(
    absl::Span<const v1::Event> events, absl::Span<const std::string> bodies) {
  {
    base::MutexLock lock(&mu_);
    if (!connected_) {
      return base::Unreachable(absl::UnavailableError(absl::StrCat(
          "not connected to the cluster (", options_.servers, ") since ",
          absl::FormatTime(disconnected_at_), ": nothing was recorded")));
    }
  }
  Batch batch;
  batch.acks.resize(events.size());
  jsPubOptions publish;
  jsPubOptions_Init(&publish);
  publish.MaxWait = Milliseconds(options_.write_timeout);
  size_t sent = 0;
  absl::Status status;
  for (; sent < events.size(); ++sent) {
    const uint32_t partition = PartitionOfEvent(events[sent]);
    batch.acks[sent].partition = partition;
    batch.acks[sent].stream = topology_.StreamOf(partition);
    natsMsg* msg = nullptr;
    const std::string subject = topology_.Subject(partition);
    natsStatus s =
        natsMsg_Create(&msg, subject.c_str(), nullptr, bodies[sent].data(),
                       static_cast<int>(bodies[sent].size()));
    if (s == NATS_OK) {
      s = natsMsgHeader_Set(msg, "Nats-Msg-Id",
                            events[sent].event_id().c_str());
    }
    if (s == NATS_OK) {
      base::MutexLock lock(&publish_mu_);
      in_flight_[msg] = {&batch, sent};
      ++batch.waiting;
    }
    natsMsg* const sending = msg;
    if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, &publish);
    if (s != NATS_OK) {
      base::MutexLock lock(&publish_mu_);
      if (in_flight_.erase(sending) > 0) --batch.waiting;
      natsMsg_Destroy(msg);  // no-op when the library took it
      status = Unavailable(
          absl::StrCat("publishing event ", events[sent].event_id()), s);
      break;
    }
  }
  // Every message sent is waited for (or given up on) before `batch` goes.
  const auto deadline = absl::ToChronoTime(
      absl::Now() + options_.write_timeout + absl::Seconds(1));
  base::MutexLock lock(&publish_mu_);
  while (batch.waiting > 0 && std::chrono::system_clock::now() < deadline) {
    acked_.WaitUntil(&publish_mu_, deadline);
  }
  if (batch.waiting > 0) {
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      if (it->second.batch == &batch) {
        in_flight_.erase(it++);
      } else {
        ++it;
      }
    }
    if (status.ok()) {
      status = base::Unreachable(absl::DeadlineExceededError(absl::StrCat(
          "the cluster did not acknowledge ", batch.waiting, " of ",
          events.size(), " events within ",
          absl::FormatDuration(options_.write_timeout),
          "; they may be stored or not: writing them again is safe")));
    }
  }
  if (status.ok()) status = batch.error;
  if (!status.ok()) return status;
  return std::move(batch.acks);
}

absl::Status Replicator::EraseMessages(absl::Span<const v1::Event> events) {
  absl::flat_hash_set<std::string> ids;
  std::set<uint32_t> partitions;
  for (const v1::Event& event : events) {
    ids.insert(event.event_id());
    partitions.insert(PartitionOf(event.customer_id(), topology_.partitions()));
    if (!event.interaction_id().empty()) {
      partitions.insert(
          PartitionOf(event.interaction_id(), topology_.partitions()));
    }
  }
  for (uint32_t partition : partitions) {
    const std::string& stream =
        topology_.stream_name(topology_.StreamOf(partition));
    const std::string subject = topology_.Subject(partition);
    // A partition's messages, read once through a consumer of its own.
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream.c_str();
    options.Ordered = true;
    options.Config.DeliverPolicy = js_DeliverAll;
    natsSubscription* sub = nullptr;
    natsStatus s =
        js_SubscribeSync(&sub, js_, subject.c_str(), nullptr, &options, nullptr);
    if (s != NATS_OK) {
      return Unavailable(absl::StrCat("reading partition ", partition), s);
    }
    std::vector<uint64_t> doomed;
    while (true) {
      natsMsg* msg = nullptr;
      // An empty partition delivers nothing: the wait ends it.
      s = natsSubscription_NextMsg(&msg, sub, 2000);
      if (s == NATS_TIMEOUT) break;
      if (s != NATS_OK) {
        natsSubscription_Unsubscribe(sub);
        natsSubscription_Destroy(sub);
        return Unavailable(absl::StrCat("reading partition ", partition), s);
      }
      jsMsgMetaData* meta = nullptr;
      bool done = true;
      if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
        v1::Event event;
        if (event.ParseFromArray(natsMsg_GetData(msg),
                                 natsMsg_GetDataLength(msg)) &&
            ids.contains(event.event_id())) {
          doomed.push_back(meta->Sequence.Stream);
        }
        done = meta->NumPending == 0;
        jsMsgMetaData_Destroy(meta);
      }
      natsMsg_Destroy(msg);
      if (done) break;
    }
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    for (uint64_t seq : doomed) {
      jsErrCode code = static_cast<jsErrCode>(0);
      s = js_EraseMsg(js_, stream.c_str(), seq, nullptr, &code);
      if (s != NATS_OK) {
        return Unavailable(
            absl::StrCat("erasing message ", seq, " of ", stream), s);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Replicator::WaitApplied(absl::Span<const Ack> acks,
                                     absl::Time deadline) {
  std::vector<uint64_t> needed(feeds_.size(), 0);
  for (const Ack& ack : acks) {
    const int feed = feed_of_[ack.partition];
    // A duplicate's ack gives the sequence of the message stored first: a
    // retry whose first acknowledgement was lost (a server killed) must
    // wait for that one, or it returns before this node has the event.
    if (feed >= 0) needed[feed] = std::max(needed[feed], ack.seq);
  }
  const auto until = absl::ToChronoTime(deadline);
  base::MutexLock lock(&mu_);
  while (true) {
    bool done = true;
    for (uint32_t k = 0; k < needed.size(); ++k) done &= applied_[k] >= needed[k];
    if (done) return absl::OkStatus();
    if (stopping_ || std::chrono::system_clock::now() >= until) break;
    changed_.WaitUntil(&mu_, until);
  }
  return base::Unreachable(absl::DeadlineExceededError(
      "the cluster acknowledged the write, but this node has not applied it "
      "yet: it is stored, and queries here will see it shortly"));
}

absl::StatusOr<std::vector<uint64_t>> Replicator::LastSequences() {
  std::vector<uint64_t> last;
  for (const Feed& feed : feeds_) {
    const std::string& stream = topology_.stream_name(feed.stream);
    natsStatus s;
    if (feed.partition < 0) {
      jsStreamInfo* info = nullptr;
      s = js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr);
      if (s == NATS_OK) {
        last.push_back(info->State.LastSeq);
        jsStreamInfo_Destroy(info);
      }
    } else {
      natsMsg* msg = nullptr;
      s = js_GetLastMsg(&msg, js_, stream.c_str(), feed.key.c_str(), nullptr,
                        nullptr);
      if (s == NATS_OK) {
        last.push_back(natsMsg_GetSequence(msg));
        natsMsg_Destroy(msg);
      } else if (s == NATS_NOT_FOUND) {
        last.push_back(0);  // nothing in the partition yet
        s = NATS_OK;
      }
    }
    if (s != NATS_OK) {
      return Unavailable(absl::StrCat("reading ", feed.key), s);
    }
  }
  return last;
}

absl::Status Replicator::CatchUp(absl::Time deadline) {
  absl::StatusOr<std::vector<uint64_t>> last = LastSequences();
  if (!last.ok()) return last.status();
  const auto until = absl::ToChronoTime(deadline);
  base::MutexLock lock(&mu_);
  while (true) {
    // A stream whose last messages were deleted (erasure) never delivers
    // its last sequence: the consumer saying nothing is left does.
    bool done = true;
    for (uint32_t k = 0; k < last->size(); ++k) {
      done &= applied_[k] >= (*last)[k] ||
              (drained_[k] && delivered_[k] == applied_[k]);
    }
    if (done) return absl::OkStatus();
    if (stopping_ || std::chrono::system_clock::now() >= until) break;
    changed_.WaitUntil(&mu_, until);
  }
  uint64_t behind = 0;
  for (uint32_t k = 0; k < last->size(); ++k) {
    if ((*last)[k] > applied_[k]) behind += (*last)[k] - applied_[k];
  }
  return base::Unreachable(absl::DeadlineExceededError(absl::StrCat(
      "catching up with the cluster: ", behind,
      " messages still to apply after ",
      absl::FormatDuration(options_.open_timeout))));
}

Replicator::Stats Replicator::stats() const {
  Stats stats;
  base::MutexLock lock(&mu_);
  stats.connected = connected_;
  stats.last_contact = connected_ ? absl::Now() : disconnected_at_;
  stats.applied = applied_count_;
  stats.lag = queue_.size();
  for (size_t f = 0; f < feeds_.size(); ++f) {
    stats.lag += pending_[f];
    stats.positions[feeds_[f].key] = applied_[f];
  }
  stats.undecodable = undecodable_;
  stats.apply_error = apply_error_;
  stats.resubscribed = resubscribed_;
  return stats;
}

}  // namespace motive::cluster
