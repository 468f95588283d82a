#include "model/proto_log.h"

#include <mutex>

namespace motive::model {
namespace {

thread_local ProtobufLogCapture* innermost = nullptr;
google::protobuf::LogHandler* previous_handler = nullptr;

}  // namespace

void ProtobufLogCapture::Handle(google::protobuf::LogLevel level,
                                const char* filename, int line,
                                const std::string& message) {
  // A fatal message ends the process whatever the handler does: the host's
  // handler should see it.
  if (innermost != nullptr && level != google::protobuf::LOGLEVEL_FATAL) {
    std::string& text = innermost->text_;
    if (!text.empty()) text += "; ";
    text += message;
    return;
  }
  if (previous_handler != nullptr) {
    previous_handler(level, filename, line, message);
  }
}

ProtobufLogCapture::ProtobufLogCapture() : outer_(innermost) {
  static std::once_flag installed;
  std::call_once(installed, [] {
    previous_handler = google::protobuf::SetLogHandler(&Handle);
  });
  innermost = this;
}

ProtobufLogCapture::~ProtobufLogCapture() { innermost = outer_; }

}  // namespace motive::model
