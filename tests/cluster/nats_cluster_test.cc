// The NatsCluster fixture gives the cluster tests what they rely on: a
// replicated (R3) JetStream stream that acknowledges publishes, deduplicates
// by Nats-Msg-Id, keeps acknowledging with one server killed, and has that
// server catch up when it comes back.

#include "tests/testing/nats_cluster.h"

#include <nats/nats.h>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace motive::testing {
namespace {

constexpr const char* kStream = "MOTIVE_TEST_EVENTS";
constexpr const char* kSubjects = "motive.test.ev.*";

class NatsClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NatsCluster::Available()) GTEST_SKIP() << NatsCluster::kUnavailable;
    absl::StatusOr<std::unique_ptr<NatsCluster>> cluster = NatsCluster::Start();
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    absl::StatusOr<JsCtxPtr> js = JetStream(cluster_->urls());
    ASSERT_TRUE(js.ok()) << js.status();
    js_ = std::move(*js);
    absl::Status added = AddStream();
    ASSERT_TRUE(added.ok()) << added;
  }

  // A JetStream context on a connection to `urls` only (see ConnectNats);
  // the connection lives as long as the test.
  absl::StatusOr<JsCtxPtr> JetStream(const std::string& urls) {
    absl::StatusOr<NatsConnectionPtr> nc = ConnectNats(urls, true);
    if (!nc.ok()) return nc.status();
    jsCtx* js = nullptr;
    natsStatus s = natsConnection_JetStream(&js, nc->get(), nullptr);
    if (s != NATS_OK) return NatsFailure("natsConnection_JetStream", s);
    connections_.push_back(std::move(*nc));
    return JsCtxPtr(js);
  }

  // The file-backed stream, on three servers, that the cluster layer will
  // write events to.
  absl::Status AddStream() {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = kStream;
    const char* subjects[] = {kSubjects};
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Replicas = 3;
    jsStreamInfo* info = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&info, js_.get(), &config, nullptr, &js_error);
    JsStreamInfoPtr owned(info);
    if (s != NATS_OK) return NatsFailure("js_AddStream", s, js_error);
    EXPECT_EQ(owned->Config->Replicas, 3);
    EXPECT_NE(owned->Cluster, nullptr);
    return absl::OkStatus();
  }

  // Publishes `data` on `subject` and returns the acknowledgement; with a
  // `msg_id`, JetStream deduplicates on it.
  static absl::StatusOr<JsPubAckPtr> Publish(jsCtx* js,
                                             const std::string& subject,
                                             const std::string& data,
                                             const char* msg_id = nullptr) {
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MsgId = msg_id;
    jsPubAck* ack = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus s =
        js_Publish(&ack, js, subject.c_str(), data.data(),
                   static_cast<int>(data.size()), &options, &js_error);
    if (s != NATS_OK) return NatsFailure("js_Publish " + subject, s, js_error);
    return JsPubAckPtr(ack);
  }

  static absl::StatusOr<JsStreamInfoPtr> StreamInfo(jsCtx* js) {
    jsStreamInfo* info = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus s = js_GetStreamInfo(&info, js, kStream, nullptr, &js_error);
    if (s != NATS_OK) return NatsFailure("js_GetStreamInfo", s, js_error);
    return JsStreamInfoPtr(info);
  }

  // The index of the server named `name` ("n1"), -1 for none.
  int ServerIndex(const char* name) const {
    for (int i = 0; i < cluster_->size(); ++i) {
      if (name != nullptr && cluster_->name(i) == name) return i;
    }
    return -1;
  }

  // Member order matters: the connections close before the servers stop.
  std::unique_ptr<NatsCluster> cluster_;
  std::vector<NatsConnectionPtr> connections_;
  JsCtxPtr js_;
};

TEST_F(NatsClusterTest, ReplicatedStreamAcknowledgesAPublish) {
  absl::StatusOr<JsStreamInfoPtr> info = StreamInfo(js_.get());
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_NE((*info)->Cluster, nullptr);
  EXPECT_NE(ServerIndex((*info)->Cluster->Leader), -1);
  EXPECT_EQ((*info)->Cluster->ReplicasLen, 2);  // the followers

  absl::StatusOr<JsPubAckPtr> ack = Publish(js_.get(), "motive.test.ev.a", "1");
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_STREQ((*ack)->Stream, kStream);
  EXPECT_EQ((*ack)->Sequence, 1u);
  EXPECT_FALSE((*ack)->Duplicate);

  // A subject outside the stream is not acknowledged by JetStream.
  EXPECT_FALSE(Publish(js_.get(), "motive.test.other.a", "1").ok());
}

TEST_F(NatsClusterTest, SameMsgIdIsStoredOnce) {
  absl::StatusOr<JsPubAckPtr> first =
      Publish(js_.get(), "motive.test.ev.a", "event", "event-1");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE((*first)->Duplicate);

  absl::StatusOr<JsPubAckPtr> again =
      Publish(js_.get(), "motive.test.ev.a", "event", "event-1");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->Duplicate);
  EXPECT_EQ((*again)->Sequence, (*first)->Sequence);

  absl::StatusOr<JsPubAckPtr> other =
      Publish(js_.get(), "motive.test.ev.a", "event", "event-2");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_FALSE((*other)->Duplicate);

  absl::StatusOr<JsStreamInfoPtr> info = StreamInfo(js_.get());
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ((*info)->State.Msgs, 2u);
}

// A follower killed with -9 costs nothing: the leader and the other follower
// are a quorum. Restarted, the follower catches up on what it missed.
TEST_F(NatsClusterTest, QuorumSurvivesAKilledServerThatThenCatchesUp) {
  for (int k = 0; k < 5; ++k) {
    ASSERT_TRUE(Publish(js_.get(), "motive.test.ev.a", "before").ok());
  }
  absl::StatusOr<JsStreamInfoPtr> info = StreamInfo(js_.get());
  ASSERT_TRUE(info.ok()) << info.status();
  const int leader = ServerIndex((*info)->Cluster->Leader);
  ASSERT_NE(leader, -1);
  const int victim = (leader + 1) % cluster_->size();

  cluster_->Kill(victim);
  for (int k = 0; k < 5; ++k) {
    // The client may have been connected to the victim: it reconnects to
    // another server meanwhile, and a publish that timed out is sent again
    // under its message id, as a writer would, so it is stored once.
    const std::string id = absl::StrCat("during-", k);
    absl::StatusOr<JsPubAckPtr> ack;
    const absl::Time give_up = absl::Now() + absl::Seconds(20);
    do {
      ack = Publish(js_.get(), "motive.test.ev.b", "during", id.c_str());
    } while (!ack.ok() && absl::Now() < give_up);
    ASSERT_TRUE(ack.ok()) << ack.status();
    EXPECT_EQ((*ack)->Sequence, 6u + k);
  }

  const absl::Time restarted = absl::Now();
  absl::Status status = cluster_->Restart(victim);
  ASSERT_TRUE(status.ok()) << status;
  std::cerr << "restarted " << cluster_->name(victim) << " in "
            << absl::FormatDuration(absl::Now() - restarted) << "\n";

  // Read through the restarted server; the stream reports its replica as
  // current, with nothing left to catch up.
  absl::StatusOr<JsCtxPtr> js = JetStream(cluster_->url(victim));
  ASSERT_TRUE(js.ok()) << js.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  bool caught_up = false;
  while (!caught_up && absl::Now() < deadline) {
    info = StreamInfo(js->get());
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ((*info)->State.Msgs, 10u);
    const jsClusterInfo* cluster = (*info)->Cluster;
    for (int r = 0; r < cluster->ReplicasLen; ++r) {
      const jsPeerInfo* peer = cluster->Replicas[r];
      if (cluster_->name(victim) == peer->Name) {
        caught_up = peer->Current && !peer->Offline && peer->Lag == 0;
      }
    }
    if (cluster_->name(victim) == cluster->Leader) caught_up = true;
    if (!caught_up) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(caught_up) << cluster_->name(victim) << " never caught up";
}

}  // namespace
}  // namespace motive::testing
