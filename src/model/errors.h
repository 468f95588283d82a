// Errors about a record's content.
//
// A rejected record must say which field was wrong, both in the message a
// person reads ("sentiment: must be within [-1, 1], got 1.5") and as data the
// C ABI hands to reject callbacks. The field travels as a Status payload so
// that no caller ever parses messages. Input that cannot be parsed at all
// (broken JSON, a bad CSV quote) is marked as a parse error, which the C ABI
// reports as MOT_EPARSE rather than MOT_EINVALID.

#ifndef MOTIVE_MODEL_ERRORS_H_
#define MOTIVE_MODEL_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace motive::model {

// InvalidArgument "<field>: <message>", with `field` attached. An empty field
// means the record as a whole.
absl::Status FieldError(absl::string_view field, absl::string_view message);

// As FieldError, marked as a parse error.
absl::Status ParseError(absl::string_view field, absl::string_view message);

// The field attached by FieldError or ParseError, or "".
std::string ErrorField(const absl::Status& status);

// The message without the "<field>: " prefix that FieldError adds.
std::string ErrorReason(const absl::Status& status);

bool IsParseError(const absl::Status& status);

}  // namespace motive::model

#endif  // MOTIVE_MODEL_ERRORS_H_
