// The agent desktop's server: a small web application over one engine, for
// the agent on a call. It serves the page (embedded at build time, see
// embed_assets.cmake) and a JSON API, and reaches the engine only through the
// C ABI (motive/motive.h), as any integrator would:
//
//   GET  /api/customer?id=ID | ?ns=NS&value=V   the context and the profile
//   GET  /api/journey.svg?id=ID                 the journey as a picture
//   GET  /api/decide?id=ID[&channel=&topic=&direction=]   next-best actions
//   POST /api/feedback    {"customer_id","decision_id","action_id",
//                          "outcome","channel"}           what came of one
//   POST /api/events      one motive.v1.Event as JSON: records it
//   GET  /api/alerts?after=N   proactive alerts raised since the N-th
//
// Every error is a JSON object {"error": "..."} with a 4xx status naming
// what was wrong (400 a parameter, 404 an unknown route or customer, 405 a
// wrong method, 409 an identifier shared by several customers, 415 a POST
// whose body is not declared JSON, 421 a Host that is not this server's),
// or 5xx when the engine failed.
//
// DNS rebinding: a page of another site can reach a loopback server under a
// name of its own (attacker.example made to resolve to 127.0.0.1), and the
// browser then treats the answers as that site's. So every request, the
// page's files included, must name this server in its Host header: the
// address it listens on with its port, or localhost, 127.0.0.1 or [::1]
// with its port. An operator who listens on every address (0.0.0.0, ::) on
// purpose gets any address with the port too (a rebinding needs a name: a
// page whose Host is an address came from that address); machine names
// other than localhost are refused whatever the address.
//
// Thread safety: Serve() blocks and answers requests on a pool of threads
// (the engine is shared between threads, as motive.h allows); Stop() may be
// called from any thread, a signal handler excepted.

#ifndef MOTIVE_EXAMPLES_DESKTOP_DESKTOP_SERVER_H_
#define MOTIVE_EXAMPLES_DESKTOP_DESKTOP_SERVER_H_

#include <memory>
#include <string>

#include "motive/motive.h"

namespace motive::desktop {

class DesktopServer {
 public:
  // `engine` is not owned and must outlive the server; it must be opened
  // writable for feedback and events. The server takes the engine's alerts
  // (mot_alerts_set_callback) from construction to destruction.
  explicit DesktopServer(mot_engine* engine);
  ~DesktopServer();
  DesktopServer(const DesktopServer&) = delete;
  DesktopServer& operator=(const DesktopServer&) = delete;

  // Binds `host`:`port` (an address, or localhost), or a free port when
  // `port` is 0. Returns the port bound, or -1 (the address is in use or not
  // the machine's). The Host headers accepted follow from it (see above).
  int Bind(const std::string& host, int port);

  // The page's address once bound ("http://127.0.0.1:8080/",
  // "http://[::1]:8080/"); "" before.
  std::string url() const;

  // Answers requests until Stop(); false when not bound, or when the
  // server failed. Returns at once after a Stop().
  bool Serve();

  // Ends Serve(), also one that has only just been called on another
  // thread, and any that comes later.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace motive::desktop

#endif  // MOTIVE_EXAMPLES_DESKTOP_DESKTOP_SERVER_H_
