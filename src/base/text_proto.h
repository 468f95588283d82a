// Configuration files in protobuf text format (journey maps, context
// configurations): one parser, so that every file's errors read alike.

#ifndef MOTIVE_BASE_TEXT_PROTO_H_
#define MOTIVE_BASE_TEXT_PROTO_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace motive::base {

// Parses `text` into `out`. A syntax error is a ParseError on field `what`
// giving the line and column of the first complaint.
absl::Status ParseTextProto(absl::string_view text, absl::string_view what,
                            google::protobuf::Message* out);

}  // namespace motive::base

#endif  // MOTIVE_BASE_TEXT_PROTO_H_
