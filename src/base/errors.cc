#include "base/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace motive::base {
namespace {

constexpr absl::string_view kFieldPayload = "motive.dev/field";
constexpr absl::string_view kKindPayload = "motive.dev/kind";

absl::Status WithKind(absl::Status status, ErrorKind kind) {
  status.SetPayload(kKindPayload,
                    absl::Cord(std::string(
                        1, static_cast<char>('0' + static_cast<int>(kind)))));
  return status;
}

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(
      field.empty() ? std::string(message)
                    : absl::StrCat(field, ": ", message));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

absl::Status ParseError(absl::string_view field, absl::string_view message) {
  return WithKind(FieldError(field, message), ErrorKind::kParse);
}

absl::Status IoError(absl::string_view message) {
  return WithKind(absl::InternalError(message), ErrorKind::kIo);
}

absl::Status VersionError(absl::string_view message) {
  return WithKind(absl::FailedPreconditionError(message), ErrorKind::kVersion);
}

absl::Status AmbiguousError(absl::string_view message) {
  return WithKind(absl::FailedPreconditionError(message),
                  ErrorKind::kAmbiguous);
}

absl::Status Unreachable(const absl::Status& status) {
  return status.ok() ? status : WithKind(status, ErrorKind::kUnreachable);
}

ErrorKind KindOf(const absl::Status& status) {
  auto kind = status.GetPayload(kKindPayload);
  if (!kind || kind->size() != 1) return ErrorKind::kOther;
  int value = (*kind)[0] - '0';
  switch (value) {
    case static_cast<int>(ErrorKind::kParse):
      return ErrorKind::kParse;
    case static_cast<int>(ErrorKind::kIo):
      return ErrorKind::kIo;
    case static_cast<int>(ErrorKind::kVersion):
      return ErrorKind::kVersion;
    case static_cast<int>(ErrorKind::kAmbiguous):
      return ErrorKind::kAmbiguous;
    case static_cast<int>(ErrorKind::kUnreachable):
      return ErrorKind::kUnreachable;
    default:
      return ErrorKind::kOther;
  }
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(),
                         absl::StrCat(context, ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    annotated.SetPayload(url, payload);
  });
  return annotated;
}

std::string ErrorField(const absl::Status& status) {
  auto field = status.GetPayload(kFieldPayload);
  return field ? std::string(*field) : std::string();
}

std::string ErrorReason(const absl::Status& status) {
  std::string field = ErrorField(status);
  absl::string_view message = status.message();
  if (!field.empty()) absl::ConsumePrefix(&message, absl::StrCat(field, ": "));
  return std::string(message);
}

}  // namespace motive::base
