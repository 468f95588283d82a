#include "desktop_server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "desktop_assets.h"
#include "fmt/format.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "motive/v1/event.pb.h"
#include "motive/v1/ruleset.pb.h"
#include "owned_buf.h"

namespace motive::desktop {
namespace {

using examples::OwnedBuf;
using httplib::Request;
using httplib::Response;

// The alerts an agent may still ask for: beyond this many the oldest go, as
// the engine's own queue drops its oldest.
constexpr size_t kAlertsKept = 1000;

// `text` as a JSON string, quotes included; protobuf's printer does the
// escaping so that no hand-written escaper can miss a case.
std::string JsonQuoted(std::string_view text) {
  google::protobuf::Value value;
  value.set_string_value(std::string(text));
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(value, &json).ok()) {
    return "\"\"";  // not valid UTF-8: say nothing rather than break JSON
  }
  return json;
}

void SendError(Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(fmt::format("{{\"error\":{}}}", JsonQuoted(message)),
                  "application/json");
}

// Answers with the engine's last error, `code` being what the failing call
// returned: what the caller got wrong is theirs (4xx), the rest the
// server's (5xx).
void SendEngineError(Response& res, int code, std::string_view what) {
  int status = 500;
  switch (code) {
    case MOT_EINVALID:
    case MOT_EPARSE:
      status = 400;
      break;
    case MOT_ENOTFOUND:
      status = 404;
      break;
    case MOT_EAMBIGUOUS:
      status = 409;
      break;
    case MOT_EBUSY:
    case MOT_EUNREACHABLE:
      status = 503;
      break;
  }
  SendError(res, status, fmt::format("{}: {}", what, mot_error_last()));
}

// Parses the request parameter `name`, one of the names of a protobuf enum
// written in lower case ("voice", "mobile_app"), into `*code`; absent is 0.
// Answers 400 and returns false for a name it does not know.
template <typename Enum>
bool EnumParam(const Request& req, Response& res, const char* name,
               bool (*parse)(const std::string&, Enum*), int32_t* code) {
  *code = 0;
  const std::string text = req.get_param_value(name);
  if (text.empty()) return true;
  Enum value;
  if (!parse(absl::AsciiStrToUpper(text), &value) || value == 0) {
    SendError(res, 400, fmt::format("{}: unknown value '{}'", name, text));
    return false;
  }
  *code = static_cast<int32_t>(value);
  return true;
}

// The alerts the engine delivered, numbered from 1 in order of arrival, so
// that a page polling with ?after=N gets each once.
class AlertFeed {
 public:
  void Add(std::string alert) {
    std::lock_guard<std::mutex> lock(mu_);
    alerts_.push_back(std::move(alert));
    if (alerts_.size() > kAlertsKept) {
      alerts_.pop_front();
      ++first_;
    }
  }

  // {"next": N, "alerts": [...]}: the alerts numbered above `after`, and
  // the number to ask after next time. An `after` beyond the last number
  // comes from a page that polled an earlier server: it gets them all.
  std::string After(uint64_t after) const {
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t next = first_ + alerts_.size() - 1;
    if (after > next) after = 0;
    std::string json = fmt::format("{{\"next\":{},\"alerts\":[", next);
    for (uint64_t n = std::max(after + 1, first_); n <= next; ++n) {
      if (json.back() != '[') json += ',';
      json += alerts_[n - first_];
    }
    json += "]}";
    return json;
  }

 private:
  mutable std::mutex mu_;
  std::deque<std::string> alerts_;  // numbered first_, first_ + 1, ...
  uint64_t first_ = 1;
};

// The engine's alert callback: user_data is a std::shared_ptr<AlertFeed>*,
// so the feed lives as long as the engine may still deliver to it.
void DeliverAlert(void* user_data, const uint8_t* alert, size_t size) {
  (*static_cast<std::shared_ptr<AlertFeed>*>(user_data))
      ->Add(std::string(reinterpret_cast<const char*>(alert), size));
}

void ReleaseFeed(void* user_data) {
  delete static_cast<std::shared_ptr<AlertFeed>*>(user_data);
}

bool IsAddress(const std::string& host) {
  in6_addr address;
  return inet_pton(AF_INET, host.c_str(), &address) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &address) == 1;
}

// Splits a Host header into its host, lower case and without brackets, and
// its port (80, http's, when it names none). False when it is malformed.
bool ParseHost(std::string_view header, std::string* host, int* port) {
  std::string_view port_text;
  if (!header.empty() && header.front() == '[') {
    const size_t close = header.find(']');
    if (close == std::string_view::npos) return false;
    *host = std::string(header.substr(1, close - 1));
    port_text = header.substr(close + 1);
    if (!port_text.empty() && port_text.front() != ':') return false;
  } else {
    const size_t colon = header.find(':');
    *host = std::string(header.substr(0, colon));
    if (colon != std::string_view::npos) port_text = header.substr(colon);
  }
  absl::AsciiStrToLower(host);
  *port = 80;
  return !host->empty() &&
         (port_text.empty() ||
          absl::SimpleAtoi(std::string(port_text.substr(1)), port));
}

}  // namespace

struct DesktopServer::Impl {
  mot_engine* engine;
  std::shared_ptr<AlertFeed> alerts = std::make_shared<AlertFeed>();
  httplib::Server server;
  // What Bind() bound, lower case; set before Serve() and read-only after.
  bool bound = false;
  std::string host;
  int port = 0;
  std::mutex mu;  // guards the two below, which Serve() and Stop() share
  bool stop_requested = false;  // once set, Serve() returns at once
  bool serving = false;         // Serve() is in httplib's loop, or entering

  explicit Impl(mot_engine* e) : engine(e) {}

  void Route();
  // The page's address: an IPv6 address in brackets.
  std::string Url() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return fmt::format("http://{}{}{}:{}/", ipv6 ? "[" : "", host,
                       ipv6 ? "]" : "", port);
  }
  // Whether a request's Host header names this server (see the header).
  bool HostAllowed(std::string_view header) const;
  bool FindCustomer(const Request& req, Response& res, std::string* id);
  void Customer(const Request& req, Response& res);
  void Journey(const Request& req, Response& res);
  void Decide(const Request& req, Response& res);
  void Feedback(const Request& req, Response& res);
  void RecordEvent(const Request& req, Response& res);
  void Alerts(const Request& req, Response& res);
};

bool DesktopServer::Impl::HostAllowed(std::string_view header) const {
  std::string name;
  int named_port;
  if (!ParseHost(header, &name, &named_port) || named_port != port) {
    return false;
  }
  const bool everywhere = host == "0.0.0.0" || host == "::";
  return name == host || name == "localhost" || name == "127.0.0.1" ||
         name == "::1" || (everywhere && IsAddress(name));
}

// The customer a request is about: ?id=, or the one the identifier
// ?ns=&value= belongs to. Answers the request and returns false when there
// is none.
bool DesktopServer::Impl::FindCustomer(const Request& req, Response& res,
                                       std::string* id) {
  *id = req.get_param_value("id");
  if (!id->empty()) return true;
  const std::string ns = req.get_param_value("ns");
  const std::string value = req.get_param_value("value");
  if (ns.empty() || value.empty()) {
    SendError(res, 400,
              "id: give a customer id, or an identifier as ns and value");
    return false;
  }
  char found[MOT_CUSTOMER_ID_MAX + 1];
  const int code = mot_identity_resolve(found, sizeof(found), nullptr, engine,
                                        ns.c_str(), value.c_str());
  if (code != MOT_OK) {
    SendEngineError(res, code, "identifier");
    return false;
  }
  *id = found;
  return true;
}

void DesktopServer::Impl::Customer(const Request& req, Response& res) {
  std::string id;
  if (!FindCustomer(req, res, &id)) return;
  mot_context_summary summary = MOT_CONTEXT_SUMMARY_INIT;
  int code = mot_context_summary_get(&summary, engine, id.c_str(), 0);
  if (code != MOT_OK) return SendEngineError(res, code, "context");
  if (!summary.known) {
    return SendError(res, 404, fmt::format("no customer {}", id));
  }
  OwnedBuf context, profile;
  code = mot_context_get(context.get(), engine, id.c_str(), 0, MOT_FORMAT_JSON);
  if (code != MOT_OK) return SendEngineError(res, code, "context");
  code =
      mot_identity_profile(profile.get(), engine, id.c_str(), MOT_FORMAT_JSON);
  if (code != MOT_OK) return SendEngineError(res, code, "profile");
  res.set_content(fmt::format("{{\"context\":{},\"profile\":{}}}",
                              context.view(), profile.view()),
                  "application/json");
}

void DesktopServer::Impl::Journey(const Request& req, Response& res) {
  std::string id;
  if (!FindCustomer(req, res, &id)) return;
  OwnedBuf svg;
  const int code = mot_journey_svg(svg.get(), engine, id.c_str(), 0, 0);
  if (code != MOT_OK) return SendEngineError(res, code, "journey");
  res.set_content(std::string(svg.view()), "image/svg+xml");
}

void DesktopServer::Impl::Decide(const Request& req, Response& res) {
  std::string id;
  if (!FindCustomer(req, res, &id)) return;
  mot_situation situation = MOT_SITUATION_INIT;
  int32_t direction = 0;
  if (!EnumParam(req, res, "channel", &v1::Channel_Parse, &situation.channel) ||
      !EnumParam(req, res, "direction", &v1::Direction_Parse, &direction)) {
    return;
  }
  if (direction != 0) situation.direction = direction;
  const std::string topic = req.get_param_value("topic");
  const std::string agent = req.get_param_value("agent");
  situation.topic = topic.c_str();
  situation.agent_id = agent.c_str();
  OwnedBuf decision;
  const int code = mot_decide(decision.get(), engine, id.c_str(), &situation,
                              MOT_FORMAT_JSON);
  if (code != MOT_OK) return SendEngineError(res, code, "decision");
  res.set_content(std::string(decision.view()), "application/json");
}

void DesktopServer::Impl::Feedback(const Request& req, Response& res) {
  google::protobuf::Struct body;
  if (!google::protobuf::util::JsonStringToMessage(req.body, &body).ok()) {
    return SendError(res, 400, "body: not a JSON object");
  }
  // Every field is a string, outcome and channel by their lower-case names;
  // all but the channel are required.
  std::string customer, decision, action, outcome_name, channel_name;
  const std::pair<const char*, std::string*> fields[] = {
      {"customer_id", &customer},
      {"decision_id", &decision},
      {"action_id", &action},
      {"outcome", &outcome_name},
      {"channel", &channel_name}};
  for (const auto& [name, value] : fields) {
    auto it = body.fields().find(name);
    if (it != body.fields().end()) {
      if (it->second.kind_case() != google::protobuf::Value::kStringValue) {
        return SendError(res, 400, fmt::format("{}: not a string", name));
      }
      *value = it->second.string_value();
    }
    if (value->empty() && value != &channel_name) {
      return SendError(res, 400, fmt::format("{}: required", name));
    }
  }
  v1::FeedbackOutcome outcome;
  if (!v1::FeedbackOutcome_Parse(absl::AsciiStrToUpper(outcome_name),
                                 &outcome) ||
      outcome == v1::FEEDBACK_UNSPECIFIED) {
    return SendError(res, 400,
                     fmt::format("outcome: unknown value '{}'", outcome_name));
  }
  v1::Channel channel = v1::CHANNEL_UNSPECIFIED;
  if (!channel_name.empty() &&
      !v1::Channel_Parse(absl::AsciiStrToUpper(channel_name), &channel)) {
    return SendError(res, 400,
                     fmt::format("channel: unknown value '{}'", channel_name));
  }
  const int code =
      mot_feedback(engine, customer.c_str(), decision.c_str(), action.c_str(),
                   outcome, channel, /*time_us=*/0);
  if (code != MOT_OK) return SendEngineError(res, code, "feedback");
  res.status = 204;
}

void DesktopServer::Impl::RecordEvent(const Request& req, Response& res) {
  int32_t stored = 0;
  const int code = mot_event_record(&stored, engine, MOT_FORMAT_JSON,
                                    req.body.data(), req.body.size());
  if (code != MOT_OK) return SendEngineError(res, code, "event");
  res.set_content(stored ? "{\"stored\":true}" : "{\"stored\":false}",
                  "application/json");
}

void DesktopServer::Impl::Alerts(const Request& req, Response& res) {
  uint64_t after = 0;
  const std::string text = req.get_param_value("after");
  if (!text.empty() && !absl::SimpleAtoi(text, &after)) {
    return SendError(res, 400, fmt::format("after: not a number: '{}'", text));
  }
  res.set_content(alerts->After(after), "application/json");
}

void DesktopServer::Impl::Route() {
  using Handler = void (Impl::*)(const Request&, Response&);
  struct ApiRoute {
    const char* pattern;  // a regular expression, as httplib takes them
    bool post;
    Handler handler;
  };
  constexpr ApiRoute kRoutes[] = {
      {"/api/customer", false, &Impl::Customer},
      {"/api/journey\\.svg", false, &Impl::Journey},
      {"/api/decide", false, &Impl::Decide},
      {"/api/feedback", true, &Impl::Feedback},
      {"/api/events", true, &Impl::RecordEvent},
      {"/api/alerts", false, &Impl::Alerts},
  };
  server.set_pre_routing_handler([this](const Request& req, Response& res) {
    const std::string given = req.get_header_value("Host");
    if (HostAllowed(given)) return httplib::Server::HandlerResponse::Unhandled;
    SendError(
        res, 421,
        fmt::format("Host: '{}' is not this server; open {}", given, Url()));
    return httplib::Server::HandlerResponse::Handled;
  });
  const httplib::Server::Handler wrong_method = [](const Request& req,
                                                   Response& res) {
    SendError(res, 405,
              fmt::format("{} is not allowed on {}", req.method, req.path));
  };
  for (const ApiRoute& route : kRoutes) {
    auto handler = [this, route](const Request& req, Response& res) {
      // A page of another site may post forms and text/plain to loopback
      // without asking; JSON it may only post after a preflight this server
      // never grants. So requiring JSON keeps other sites from writing.
      if (route.post &&
          req.get_header_value("Content-Type").rfind("application/json", 0) !=
              0) {
        return SendError(res, 415, "Content-Type: must be application/json");
      }
      (this->*route.handler)(req, res);
    };
    if (route.post) {
      server.Post(route.pattern, handler);
      server.Get(route.pattern, wrong_method);
    } else {
      server.Get(route.pattern, handler);
      server.Post(route.pattern, wrong_method);
    }
    server.Put(route.pattern, wrong_method);
    server.Delete(route.pattern, wrong_method);
    server.Patch(route.pattern, wrong_method);
  }
  for (size_t i = 0; i < kAssetCount; ++i) {
    const Asset& asset = kAssets[i];
    server.Get(std::string(asset.path),
               [&asset](const Request&, Response& res) {
                 res.set_content(asset.body.data(), asset.body.size(),
                                 std::string(asset.content_type).c_str());
               });
  }
  // Handlers answer their own errors; this one is for httplib's (an unknown
  // route, a body too large), which come without a body.
  server.set_error_handler([](const Request& req, Response& res) {
    if (!res.body.empty()) return;
    SendError(
        res, res.status,
        res.status == 404
            ? fmt::format("no such page: {}", req.path)
            : fmt::format("the request was refused (HTTP {})", res.status));
  });
  server.set_exception_handler(
      [](const Request&, Response& res, std::exception_ptr) {
        SendError(res, 500, "the server failed; see its log");
      });
  // The page builds its DOM without innerHTML and loads only its own
  // files: the policy makes that a rule the browser enforces, so that data
  // that slipped through as markup would still not run.
  server.set_default_headers(
      {{"Content-Security-Policy",
        "default-src 'self'; img-src 'self'; script-src 'self'; "
        "style-src 'self'; object-src 'none'; base-uri 'none'"},
       {"X-Content-Type-Options", "nosniff"},
       {"Cache-Control", "no-store"}});
}

DesktopServer::DesktopServer(mot_engine* engine)
    : impl_(std::make_unique<Impl>(engine)) {
  auto* feed = new std::shared_ptr<AlertFeed>(impl_->alerts);
  if (mot_alerts_set_callback(engine, &DeliverAlert, feed, &ReleaseFeed,
                              MOT_FORMAT_JSON) != MOT_OK) {
    delete feed;  // refused: the caller keeps user_data
  }
  impl_->Route();
}

DesktopServer::~DesktopServer() {
  Stop();
  mot_alerts_set_callback(impl_->engine, nullptr, nullptr, nullptr,
                          MOT_FORMAT_JSON);
}

int DesktopServer::Bind(const std::string& host, int port) {
  if (port == 0) {
    port = impl_->server.bind_to_any_port(host.c_str());
  } else if (!impl_->server.bind_to_port(host.c_str(), port)) {
    port = -1;
  }
  impl_->bound = port > 0;
  if (!impl_->bound) return -1;
  impl_->host = absl::AsciiStrToLower(host);
  impl_->port = port;
  return port;
}

std::string DesktopServer::url() const {
  return impl_->bound ? impl_->Url() : "";
}

bool DesktopServer::Serve() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    if (!impl_->bound || impl_->stop_requested) return impl_->bound;
    impl_->serving = true;
  }
  const bool served = impl_->server.listen_after_bind();
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->serving = false;
  return served;
}

void DesktopServer::Stop() {
  // httplib's stop() does nothing before its accept loop runs, so a Stop()
  // between Serve()'s start and the loop's would be lost: it waits for the
  // loop (which starts at once, or has ended when serving is false).
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->stop_requested = true;
      if (!impl_->serving) return;
      if (impl_->server.is_running()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->server.stop();
}

}  // namespace motive::desktop
