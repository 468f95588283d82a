#include "model/errors.h"

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"

namespace motive::model {
namespace {

constexpr absl::string_view kFieldPayload = "motive.dev/field";
constexpr absl::string_view kParsePayload = "motive.dev/parse";

}  // namespace

absl::Status FieldError(absl::string_view field, absl::string_view message) {
  absl::Status status = absl::InvalidArgumentError(
      field.empty() ? std::string(message) : absl::StrCat(field, ": ", message));
  status.SetPayload(kFieldPayload, absl::Cord(field));
  return status;
}

absl::Status ParseError(absl::string_view field, absl::string_view message) {
  absl::Status status = FieldError(field, message);
  status.SetPayload(kParsePayload, absl::Cord());
  return status;
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

bool IsParseError(const absl::Status& status) {
  return status.GetPayload(kParsePayload).has_value();
}

}  // namespace motive::model
