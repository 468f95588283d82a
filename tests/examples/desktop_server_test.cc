// The agent desktop's API against a real server on a free loopback port:
// the JSON it answers, its errors, and that data written as markup comes
// back as text.

#include "desktop_server.h"

#include <httplib.h>

#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "fmt/chrono.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "motive/motive.h"

namespace motive::desktop {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kScript[] = "<script>alert(1)</script>";

// A service apology on billing calls after a bad experience, and a
// proactive call back to detractors, without quiet hours so that the alert
// is due at once whatever the hour the test runs.
constexpr char kRuleset[] = R"pb(
  version: "desk1"
  actions {
    id: "apology"
    title: "Apologise"
    group: "service_recovery"
    service: true
    script: "Sorry about the last call, {customer.first_name|there}."
  }
  actions { id: "callback" title: "Call back" group: "retention" }
  playbooks {
    name: "billing_call"
    directions: INBOUND
    topics: "billing"
    rules {
      action: "apology"
      eligibility: "customer.strikes >= 1"
      reason: "{customer.strikes} bad experiences"
    }
  }
  playbooks {
    name: "detractor"
    proactive: true
    condition: "customer.nps_category == 'detractor'"
    rules { action: "callback" reason: "NPS {customer.nps}" }
  }
)pb";

// The events happen an hour ago ("WHEN"), inside every window of the
// context.
constexpr const char* kEvents[] = {
    R"({"event_id":"a1","customer_id":"C1","type":"contact",
        "channel":"voice","occurred_at":"WHEN",
        "topic":"billing","outcome":"unresolved","sentiment":-0.7,
        "transfers":2,"identifiers":[{"namespace":"phone",
        "value":"+14155550100"}]})",
    R"({"event_id":"x1","customer_id":"<script>alert(1)</script>",
        "type":"contact","channel":"chat",
        "occurred_at":"WHEN","topic":"billing",
        "attributes":{"name":"<script>alert(1)</script>"}})",
};

// `event` with "WHEN" replaced by the time an hour ago.
std::string Recent(std::string event) {
  const std::time_t hour_ago = std::time(nullptr) - 3600;
  const std::string when =
      fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(hour_ago));
  for (size_t at; (at = event.find("WHEN")) != std::string::npos;) {
    event.replace(at, 4, when);
  }
  return event;
}

std::string Encoded(const std::string& text) {
  return httplib::detail::encode_query_param(text);
}

// The "error" of a JSON error answer; fails the test when there is none.
std::string ErrorOf(const httplib::Result& result) {
  EXPECT_TRUE(result);
  if (!result) return "";
  EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
  google::protobuf::Struct body;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(result->body, &body).ok())
      << result->body;
  auto it = body.fields().find("error");
  EXPECT_NE(it, body.fields().end()) << result->body;
  return it == body.fields().end() ? "" : it->second.string_value();
}

class DesktopServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
    options.ruleset = kRuleset;
    ASSERT_EQ(mot_engine_open(&engine_, ":memory:", &options), MOT_OK)
        << mot_error_last();
    for (const char* event : kEvents) {
      const std::string recent = Recent(event);
      ASSERT_EQ(mot_event_record(nullptr, engine_, MOT_FORMAT_JSON,
                                 recent.data(), recent.size()),
                MOT_OK)
          << mot_error_last();
    }
    server_ = std::make_unique<DesktopServer>(engine_);
    port_ = server_->Bind("127.0.0.1", 0);
    ASSERT_GT(port_, 0);
    serving_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (serving_.joinable()) serving_.join();
    server_.reset();
    mot_engine_close(engine_);
  }

  mot_engine* engine_ = nullptr;
  std::unique_ptr<DesktopServer> server_;
  int port_ = 0;
  std::thread serving_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DesktopServerTest, ServesThePage) {
  auto page = client_->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(page->body, HasSubstr("<title>motive desktop</title>"));
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'"));
  auto script = client_->Get("/desktop.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->status, 200);
  EXPECT_THAT(script->body, HasSubstr("textContent"));
}

TEST_F(DesktopServerTest, FindsACustomerByIdOrIdentifier) {
  auto by_id = client_->Get("/api/customer?id=C1");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->status, 200);
  EXPECT_THAT(by_id->body, HasSubstr(R"("customer_id":"C1")"));
  EXPECT_THAT(by_id->body, HasSubstr(R"("strikes":1)"));
  // The strike, and what made it one, for the card.
  EXPECT_THAT(by_id->body, HasSubstr(R"("strike_events":[{"event_id":"a1")"));
  EXPECT_THAT(by_id->body,
              HasSubstr(R"("causes":["STRIKE_NEGATIVE_SENTIMENT",)"
                        R"("STRIKE_UNRESOLVED","STRIKE_TRANSFERS"])"));
  EXPECT_THAT(by_id->body,
              HasSubstr(R"("reasons":["sentiment -0.70, below -0.5",)"
                        R"("ended unresolved","2 transfers, 2 or more"])"));
  EXPECT_THAT(by_id->body, HasSubstr(R"("profile":{)"));
  auto by_phone = client_->Get("/api/customer?ns=phone&value=" +
                               Encoded("+1 415 555 0100"));
  ASSERT_TRUE(by_phone);
  EXPECT_EQ(by_phone->status, 200);
  EXPECT_THAT(by_phone->body, HasSubstr(R"("customer_id":"C1")"));
}

TEST_F(DesktopServerTest, AnswersBadRequestsWithJsonErrors) {
  auto none = client_->Get("/api/customer");
  EXPECT_EQ(none->status, 400);
  EXPECT_THAT(ErrorOf(none), HasSubstr("id"));
  auto unknown = client_->Get("/api/customer?id=nobody");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_THAT(ErrorOf(unknown), HasSubstr("nobody"));
  auto no_one = client_->Get("/api/customer?ns=email&value=x@example.com");
  EXPECT_EQ(no_one->status, 404);
  EXPECT_THAT(ErrorOf(no_one), HasSubstr("identifier"));
  auto channel = client_->Get("/api/decide?id=C1&channel=pigeon");
  EXPECT_EQ(channel->status, 400);
  EXPECT_THAT(ErrorOf(channel), HasSubstr("channel"));
  auto after = client_->Get("/api/alerts?after=soon");
  EXPECT_EQ(after->status, 400);
  EXPECT_THAT(ErrorOf(after), HasSubstr("after"));
  auto route = client_->Get("/api/nothing");
  EXPECT_EQ(route->status, 404);
  EXPECT_THAT(ErrorOf(route), HasSubstr("/api/nothing"));
  auto post = client_->Post("/api/customer?id=C1", "", "application/json");
  EXPECT_EQ(post->status, 405);
  EXPECT_THAT(ErrorOf(post), HasSubstr("POST"));
  auto get = client_->Get("/api/feedback");
  EXPECT_EQ(get->status, 405);
  EXPECT_THAT(ErrorOf(get), HasSubstr("GET"));
  auto form = client_->Post("/api/events", "{}", "text/plain");
  EXPECT_EQ(form->status, 415);
  EXPECT_THAT(ErrorOf(form), HasSubstr("application/json"));
  auto event =
      client_->Post("/api/events", "{\"type\": 7}", "application/json");
  EXPECT_EQ(event->status, 400);
  EXPECT_THAT(ErrorOf(event), HasSubstr("event"));
}

TEST_F(DesktopServerTest, DecidesAndTakesFeedback) {
  auto decision = client_->Get("/api/decide?id=C1&channel=voice&topic=billing");
  ASSERT_TRUE(decision);
  ASSERT_EQ(decision->status, 200) << decision->body;
  google::protobuf::Struct d;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(decision->body, &d).ok());
  const google::protobuf::Value& actions = d.fields().at("actions");
  ASSERT_EQ(actions.list_value().values_size(), 1) << decision->body;
  const auto& apology = actions.list_value().values(0).struct_value();
  EXPECT_EQ(apology.fields().at("action").string_value(), "apology");
  EXPECT_EQ(apology.fields().at("script").string_value(),
            "Sorry about the last call, there.");
  const std::string decision_id = d.fields().at("decision_id").string_value();

  auto accepted = client_->Post(
      "/api/feedback",
      absl::StrCat(R"({"customer_id":"C1","decision_id":")", decision_id,
                   R"(","action_id":"apology","outcome":"accepted",)",
                   R"("channel":"voice"})"),
      "application/json");
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 204) << accepted->body;

  auto missing = client_->Post("/api/feedback",
                               R"({"customer_id":"C1","action_id":"apology",
                          "outcome":"accepted"})",
                               "application/json");
  EXPECT_EQ(missing->status, 400);
  EXPECT_THAT(ErrorOf(missing), HasSubstr("decision_id"));
  auto outcome = client_->Post(
      "/api/feedback",
      absl::StrCat(R"({"customer_id":"C1","decision_id":")", decision_id,
                   R"(","action_id":"apology","outcome":"delighted"})"),
      "application/json");
  EXPECT_EQ(outcome->status, 400);
  EXPECT_THAT(ErrorOf(outcome), HasSubstr("outcome"));
  auto garbage = client_->Post("/api/feedback", "{", "application/json");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_THAT(ErrorOf(garbage), HasSubstr("JSON"));
}

TEST_F(DesktopServerTest, AlertsArriveAfterTheOnesSeen) {
  auto before = client_->Get("/api/alerts");
  ASSERT_TRUE(before);
  EXPECT_EQ(before->body, R"({"next":0,"alerts":[]})");
  auto survey = client_->Post(
      "/api/events",
      Recent(R"({"event_id":"s1","customer_id":"C1","type":"survey",
          "channel":"survey","occurred_at":"WHEN","nps":2})"),
      "application/json");
  ASSERT_TRUE(survey);
  ASSERT_EQ(survey->status, 200) << survey->body;
  EXPECT_EQ(survey->body, R"({"stored":true})");
  auto after = client_->Get("/api/alerts?after=0");
  ASSERT_TRUE(after);
  EXPECT_THAT(after->body, HasSubstr(R"("next":1)"));
  EXPECT_THAT(after->body, HasSubstr(R"("customer_id":"C1")"));
  EXPECT_THAT(after->body, HasSubstr("NPS 2"));
  auto seen = client_->Get("/api/alerts?after=1");
  EXPECT_EQ(seen->body, R"({"next":1,"alerts":[]})");
  // A page that polled a server before this one still gets them.
  auto restarted = client_->Get("/api/alerts?after=7");
  EXPECT_THAT(restarted->body, HasSubstr("NPS 2"));
}

TEST_F(DesktopServerTest, MarkupInTheDataStaysText) {
  auto customer = client_->Get("/api/customer?id=" + Encoded(kScript));
  ASSERT_TRUE(customer);
  ASSERT_EQ(customer->status, 200) << customer->body;
  EXPECT_THAT(customer->body, Not(HasSubstr("<script")));
  google::protobuf::Struct body;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(customer->body, &body).ok());
  const auto& context = body.fields().at("context").struct_value();
  EXPECT_EQ(context.fields().at("customer_id").string_value(), kScript);
  EXPECT_EQ(context.fields()
                .at("attributes")
                .struct_value()
                .fields()
                .at("name")
                .string_value(),
            kScript);

  auto svg = client_->Get("/api/journey.svg?id=" + Encoded(kScript));
  ASSERT_TRUE(svg);
  ASSERT_EQ(svg->status, 200);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_THAT(svg->body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(svg->body, Not(HasSubstr("<script")));

  auto error = client_->Get("/api/customer?ns=email&value=" + Encoded(kScript));
  EXPECT_THAT(error->body, Not(HasSubstr("<script")));
  EXPECT_FALSE(ErrorOf(error).empty());
}

// A page of another site that reaches the server under a name of its own
// (DNS rebinding) is refused, the page's files included; the names of the
// address it listens on are not.
TEST_F(DesktopServerTest, RefusesHostsThatAreNotItsOwn) {
  const std::string port = absl::StrCat(":", port_);
  const std::vector<std::string> refused_hosts = {
      "attacker.example" + port,
      "127.0.0.1.attacker.example" + port,
      "127.0.0.1:1",
      "127.0.0.1",
      "attacker.example",
      "[::1",
      ""};
  for (const std::string& host : refused_hosts) {
    for (const char* path : {"/api/customer?id=C1", "/"}) {
      auto refused = client_->Get(path, {{"Host", host}});
      ASSERT_TRUE(refused) << host;
      EXPECT_EQ(refused->status, 421) << host << path;
      EXPECT_THAT(ErrorOf(refused), HasSubstr("Host")) << host;
      EXPECT_THAT(refused->body, Not(HasSubstr("C1"))) << host;
    }
  }
  auto explained = client_->Get("/", {{"Host", "attacker.example" + port}});
  EXPECT_THAT(ErrorOf(explained),
              HasSubstr(absl::StrCat("open http://127.0.0.1:", port_, "/")));
  const std::vector<std::string> own_hosts = {
      "127.0.0.1" + port, "localhost" + port, "LocalHost" + port,
      "[::1]" + port};
  for (const std::string& host : own_hosts) {
    auto answered = client_->Get("/api/customer?id=C1", {{"Host", host}});
    ASSERT_TRUE(answered) << host;
    EXPECT_EQ(answered->status, 200) << host;
  }
  EXPECT_EQ(server_->url(), absl::StrCat("http://127.0.0.1:", port_, "/"));
}

// An operator who listens on every address on purpose reaches it by any of
// them, still not by a name.
TEST(DesktopServerHostTest, ListeningEverywhereTakesAnyAddress) {
  mot_engine* engine = nullptr;
  ASSERT_EQ(mot_engine_open(&engine, ":memory:", nullptr), MOT_OK);
  {
    DesktopServer server(engine);
    const int port = server.Bind("0.0.0.0", 0);
    ASSERT_GT(port, 0);
    std::thread serving([&] { server.Serve(); });
    httplib::Client client("127.0.0.1", port);
    const std::string suffix = absl::StrCat(":", port);
    const std::vector<std::string> hosts = {
        "192.0.2.7" + suffix, "[2001:db8::7]" + suffix, "localhost" + suffix};
    for (const std::string& host : hosts) {
      auto answered = client.Get("/", {{"Host", host}});
      ASSERT_TRUE(answered) << host;
      EXPECT_EQ(answered->status, 200) << host;
    }
    auto named = client.Get("/", {{"Host", "attacker.example" + suffix}});
    ASSERT_TRUE(named);
    EXPECT_EQ(named->status, 421);
    server.Stop();
    serving.join();
  }
  mot_engine_close(engine);
}

// Ctrl-C may come while the serving thread is only starting: a Stop()
// then must not be lost (before the fix this hung in join()).
TEST(DesktopServerStopTest, StopRightAfterServeStartsEndsIt) {
  mot_engine* engine = nullptr;
  ASSERT_EQ(mot_engine_open(&engine, ":memory:", nullptr), MOT_OK);
  for (int i = 0; i < 20; ++i) {
    DesktopServer server(engine);
    ASSERT_GT(server.Bind("127.0.0.1", 0), 0);
    std::thread serving([&] { EXPECT_TRUE(server.Serve()); });
    server.Stop();
    serving.join();
  }
  {
    DesktopServer stopped(engine);
    ASSERT_GT(stopped.Bind("127.0.0.1", 0), 0);
    stopped.Stop();
    EXPECT_TRUE(stopped.Serve());  // returns at once
  }
  mot_engine_close(engine);
}

}  // namespace
}  // namespace motive::desktop
