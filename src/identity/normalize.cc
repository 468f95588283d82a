#include "identity/normalize.h"

#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "phonenumbers/logger.h"
#include "phonenumbers/phonenumberutil.h"

namespace motive::identity {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// libphonenumber logs parse failures to stderr by default; a library must
// not write there, and a failure is already the caller's answer.
const PhoneNumberUtil& Phones() {
  static const PhoneNumberUtil* const util = [] {
    PhoneNumberUtil* instance = PhoneNumberUtil::GetInstance();
    instance->SetLogger(new i18n::phonenumbers::NullLogger());
    return instance;
  }();
  return *util;
}

NormalizedValue Email(absl::string_view value) {
  std::string email = absl::AsciiStrToLower(value);
  const size_t at = email.find('@');
  const bool valid = at != std::string::npos && at > 0 &&
                     at + 1 < email.size() &&
                     email.find('@', at + 1) == std::string::npos;
  return {std::move(email), valid};
}

}  // namespace

absl::StatusOr<Normalizer> Normalizer::Create(
    absl::string_view default_region) {
  std::string region = absl::AsciiStrToUpper(default_region);
  std::set<std::string> regions;
  Phones().GetSupportedRegions(&regions);
  if (!region.empty() && regions.count(region) == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "default_region: \"", default_region,
        "\" is not a region phone numbers know (ISO 3166-1, such as US)"));
  }
  return Normalizer(std::move(region));
}

NormalizedValue Normalizer::Normalize(absl::string_view ns,
                                      absl::string_view value) const {
  value = absl::StripAsciiWhitespace(value);
  if (ns == kPhone) return Phone(value);
  if (ns == kEmail) return Email(value);
  return {std::string(value), true};
}

NormalizedValue Normalizer::Phone(absl::string_view value) const {
  const PhoneNumberUtil& phones = Phones();
  PhoneNumber number;
  // Without a region libphonenumber wants "ZZ" ("unknown"), which accepts
  // only numbers that carry their country code.
  const std::string region = default_region_.empty() ? "ZZ" : default_region_;
  if (phones.Parse(std::string(value), region, &number) !=
          PhoneNumberUtil::NO_PARSING_ERROR ||
      !phones.IsPossibleNumber(number)) {
    return {std::string(value), false};
  }
  std::string e164;
  phones.Format(number, PhoneNumberUtil::E164, &e164);
  return {std::move(e164), true};
}

}  // namespace motive::identity
