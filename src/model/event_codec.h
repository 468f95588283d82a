// Encoding and decoding of motive.v1 messages in the two wire formats of the
// C ABI: protobuf binary and protobuf's JSON mapping.
//
// JSON input is read strictly (an unknown field is an error naming it), except
// that enum names are accepted in any case ("voice" for VOICE), because people
// write JSON by hand. Events and event batches are decoded by motive's own
// JSON decoder (model/event_json.h), other messages by protobuf's parser. JSON output keeps the .proto field names (customer_id,
// not customerId) so that what motive prints can be fed back to it and read
// alongside the schema.

#ifndef MOTIVE_MODEL_EVENT_CODEC_H_
#define MOTIVE_MODEL_EVENT_CODEC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace motive::model {

enum class WireFormat { kProtobuf, kJson };

// Replaces `message` with what `data` holds. Failures are parse errors
// (base/errors.h) naming the field where the parser could tell.
absl::Status Decode(WireFormat format, absl::string_view data,
                    google::protobuf::Message* message);

// Appends the encoding of `message` to `out`. JSON is one line unless
// `pretty`.
absl::Status Encode(WireFormat format, const google::protobuf::Message& message,
                    std::string* out, bool pretty = false);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_EVENT_CODEC_H_
