// motive desktop: serves the agent desktop (examples/desktop) over a
// database until Ctrl-C.

#include <pthread.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <thread>

#include "absl/strings/numbers.h"
#include "command_line.h"
#include "commands.h"
#include "desktop_server.h"
#include "engine_util.h"
#include "fmt/format.h"
#include "motive/motive.h"

namespace motive::cli {
namespace {

constexpr char kCommand[] = "desktop";

// Splits HOST:PORT at its last ':' (so that "[::1]:8080" keeps its host).
bool ParseListen(std::string_view text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  uint32_t number = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(std::string(text.substr(colon + 1)), &number) ||
      number > 65535) {
    return false;
  }
  *host = std::string(text.substr(0, colon));
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  *port = static_cast<int>(number);
  return true;
}

bool IsLoopback(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// Serves on another thread until one of `stop_signals` (blocked in every
// thread) arrives; false when the server stopped on an error.
bool ServeUntilSignalled(desktop::DesktopServer& server,
                         const sigset_t& stop_signals) {
  bool served = true;
  std::thread serving([&] { served = server.Serve(); });
  int signal = 0;
  sigwait(&stop_signals, &signal);
  server.Stop();
  serving.join();
  return served;
}

}  // namespace

int RunDesktop(int argc, char** argv) {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  EngineFiles files;
  CommandLine cl(
      kCommand, "--db FILE [--listen HOST:PORT] [--rules FILE] [options]",
      "Serves the agent desktop, a web page for the agent on a call: find a "
      "customer\nby id or by any identifier (phone, email, ...), their context "
      "card, their\njourney as a picture, the next-best actions with their "
      "scripts and why, buttons\nthat record feedback, and proactive alerts as "
      "they are raised. Port 0 takes a\nfree port; the URL is printed. The "
      "desktop has no login: keep it on loopback\nunless a proxy in front "
      "of it checks who comes in. Ctrl-C stops it.\n\n"
      "Exit status: 0 when stopped, 2 for a usage error, 3 for any other "
      "failure.");
  AddExistingDatabaseFlag(cl, &db);
  cl.Add({.name = "listen",
          .value_name = "HOST:PORT",
          .help = "where to serve the desktop"},
         &listen);
  cl.Add({.name = "rules",
          .value_name = "FILE",
          .help = "the ruleset for next-best actions and alerts "
                  "(motive.v1.Ruleset, protobuf text format or JSON)"},
         &files.rules);
  AddContextConfigFlag(cl, &files.context_config);
  AddIdentityConfigFlag(cl, &files.identity_config);
  if (auto exit_code = cl.Parse(argc, argv)) return *exit_code;
  std::string host;
  int port = 0;
  if (!ParseListen(listen, &host, &port)) {
    return cl.UsageError(
        fmt::format("--listen: '{}' is not HOST:PORT", listen));
  }

  // Ctrl-C is waited for on this thread rather than handled: stopping the
  // server is not safe inside a signal handler. The engine's and the
  // server's threads, made after this, inherit the blocked signals.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  mot_engine_options options = MOT_ENGINE_OPTIONS_INIT;
  // Feedback and events are written: the database must be there to take
  // them, a mistyped path is an error rather than an empty desktop.
  options.create_if_missing = 0;
  EnginePtr engine = OpenEngine(kCommand, db, options, files);
  if (engine == nullptr) return kExitFailure;

  desktop::DesktopServer server(engine.get());
  const int bound = server.Bind(host, port);
  if (bound < 0) {
    fmt::print(stderr, "motive {}: cannot listen on {}\n", kCommand, listen);
    return kExitFailure;
  }
  fmt::print("motive desktop: serving {} on {} (Ctrl-C stops)\n", db,
             server.url());
  if (!IsLoopback(host)) {
    fmt::print(
        "motive desktop: {} is not loopback, and the desktop has no "
        "login\n",
        host);
  }
  std::fflush(stdout);
  if (!ServeUntilSignalled(server, stop_signals)) {
    fmt::print(stderr, "motive {}: the server stopped on an error\n", kCommand);
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace motive::cli
