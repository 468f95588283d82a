// ProtobufLogCapture: keeps what protobuf logs away from the host's stderr.
//
// Protobuf reports some problems only by logging them ("String field ...
// contains invalid UTF-8 data" when a body is parsed), and its default
// handler writes to stderr. A library inside a vendor's process must never
// write there: what goes wrong reaches the caller through its error channel
// (mot_error_last) or not at all. So the first capture installs a handler in
// front of the process's (chained, never replacing it): a message logged on
// a thread while a capture is alive there goes to that capture; any other
// message goes on to the previous handler as before, so that the host's own
// use of protobuf is untouched.
//
// A capture belongs to its thread, and captures nest (the innermost gets the
// messages). Cheap to create: a pointer swap, once the handler is in place.

#ifndef MOTIVE_MODEL_PROTO_LOG_H_
#define MOTIVE_MODEL_PROTO_LOG_H_

#include <string>

#include "google/protobuf/stubs/logging.h"

namespace motive::model {

class ProtobufLogCapture {
 public:
  ProtobufLogCapture();
  ~ProtobufLogCapture();

  ProtobufLogCapture(const ProtobufLogCapture&) = delete;
  ProtobufLogCapture& operator=(const ProtobufLogCapture&) = delete;

  // What was logged while this capture was the innermost, messages joined
  // by "; ", or "".
  const std::string& text() const { return text_; }

 private:
  // The handler installed in front of the process's (see above).
  static void Handle(google::protobuf::LogLevel level, const char* filename,
                     int line, const std::string& message);

  ProtobufLogCapture* const outer_;
  std::string text_;
};

}  // namespace motive::model

#endif  // MOTIVE_MODEL_PROTO_LOG_H_
