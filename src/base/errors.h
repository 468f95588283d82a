// The errors motive's layers return, and the facts the C ABI needs from them.
//
// Inside the library errors are absl::Status values with canonical codes. Two
// facts do not fit a canonical code, so they travel as payloads and no caller
// ever parses a message:
//  - the field a rejected record got wrong, shown to people in the message
//    ("sentiment: must be within [-1, 1], got 1.5") and handed to reject
//    callbacks as data;
//  - the kind of failure where the C ABI distinguishes more than the canonical
//    codes do: unparsable input (MOT_EPARSE, a kind of InvalidArgument), the
//    file system or database failing (MOT_EIO, a kind of Internal) and a
//    database made by a newer motive (MOT_EVERSION, a kind of
//    FailedPrecondition).

#ifndef MOTIVE_BASE_ERRORS_H_
#define MOTIVE_BASE_ERRORS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace motive::base {

enum class ErrorKind { kOther, kParse, kIo, kVersion, kAmbiguous, kUnreachable };

// InvalidArgument "<field>: <message>", with `field` attached. An empty field
// means the record as a whole.
absl::Status FieldError(absl::string_view field, absl::string_view message);

// As FieldError, of kind kParse.
absl::Status ParseError(absl::string_view field, absl::string_view message);

// Internal, of kind kIo.
absl::Status IoError(absl::string_view message);

// FailedPrecondition, of kind kVersion.
absl::Status VersionError(absl::string_view message);

// FailedPrecondition, of kind kAmbiguous: a name that stands for several
// things (an identifier shared by several profiles).
absl::Status AmbiguousError(absl::string_view message);

// Of kind kUnreachable: a cluster that could not be reached, or did not
// answer in time; `status` keeps its code (Unavailable, DeadlineExceeded)
// and message.
absl::Status Unreachable(const absl::Status& status);

ErrorKind KindOf(const absl::Status& status);

// The same error, code and payloads kept, with `context` put before its
// message: "context: message".
absl::Status Annotate(const absl::Status& status, absl::string_view context);

// The field attached by FieldError or ParseError, or "".
std::string ErrorField(const absl::Status& status);

// The message without the "<field>: " prefix that FieldError adds.
std::string ErrorReason(const absl::Status& status);

inline bool IsParseError(const absl::Status& status) {
  return KindOf(status) == ErrorKind::kParse;
}

}  // namespace motive::base

#endif  // MOTIVE_BASE_ERRORS_H_
