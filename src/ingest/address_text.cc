#include "ingest/address_text.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace motive::ingest {
namespace {

constexpr absl::string_view kSchemes[] = {
    "tel:", "mailto:", "sms:", "whatsapp:"};

// Schemes of ids that are neither phones nor emails (a Messenger
// page-scoped id is digits, yet no phone number).
constexpr absl::string_view kOtherSchemes[] = {
    "messenger:", "instagram:", "client:"};

bool IsPhone(absl::string_view text) {
  int digits = 0;
  for (const char c : text) {
    if (absl::ascii_isdigit(c)) {
      ++digits;
    } else if (c != '+' && c != '-' && c != '.' && c != ' ' && c != '(' &&
               c != ')') {
      return false;
    }
  }
  return digits >= 3;
}

bool IsEmail(absl::string_view text) {
  const size_t at = text.find('@');
  return at != absl::string_view::npos && at > 0 && at + 1 < text.size() &&
         text.find('@', at + 1) == absl::string_view::npos &&
         text.find(' ') == absl::string_view::npos;
}

}  // namespace

bool AddIdentifier(absl::string_view name, absl::string_view value,
                   v1::Event* event) {
  if (value.empty()) return false;
  for (const v1::Identifier& identifier : event->identifiers()) {
    if (identifier.namespace_() == name && identifier.value() == value) {
      return false;
    }
  }
  v1::Identifier* identifier = event->add_identifiers();
  identifier->set_namespace_(std::string(name));
  identifier->set_value(std::string(value));
  return true;
}

AddressKind ClassifyAddress(absl::string_view text, absl::string_view* value) {
  text = absl::StripAsciiWhitespace(text);
  for (const absl::string_view scheme : kOtherSchemes) {
    if (absl::StartsWithIgnoreCase(text, scheme)) return AddressKind::kNone;
  }
  for (const absl::string_view scheme : kSchemes) {
    if (absl::StartsWithIgnoreCase(text, scheme)) {
      text.remove_prefix(scheme.size());
      break;
    }
  }
  if (absl::StartsWithIgnoreCase(text, "sip:")) {
    text.remove_prefix(4);
    // A SIP URI names a phone when its user part is a number.
    const absl::string_view user = text.substr(0, text.find('@'));
    if (!IsPhone(user)) return AddressKind::kNone;
    text = user;
  }
  *value = text;
  if (IsEmail(text)) return AddressKind::kEmail;
  if (IsPhone(text)) return AddressKind::kPhone;
  return AddressKind::kNone;
}

bool AddAddress(absl::string_view text, v1::Event* event) {
  absl::string_view value;
  switch (ClassifyAddress(text, &value)) {
    case AddressKind::kPhone:
      return AddIdentifier("phone", value, event);
    case AddressKind::kEmail:
      return AddIdentifier("email", value, event);
    case AddressKind::kNone:
      break;
  }
  return false;
}

}  // namespace motive::ingest
