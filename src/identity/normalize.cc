#include "identity/normalize.h"

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
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

// "+", then a country calling code and the national number, 7 to 15 digits
// in all: how normalized numbers look, so that each is checked without
// libphonenumber's parser (regular expressions, about 10 us a number).
// Nullopt when `value` does not look so.
std::optional<bool> PossibleE164(absl::string_view value) {
  if (!LooksE164(value)) return std::nullopt;
  static const std::set<int>* const codes = [] {
    auto* set = new std::set<int>;
    Phones().GetSupportedCallingCodes(set);
    return set;
  }();
  // Calling codes are prefix-free: the first one that matches is it.
  const absl::string_view digits = value.substr(1);
  for (size_t length = 1; length <= 3; ++length) {
    int code = 0;
    if (!absl::SimpleAtoi(digits.substr(0, length), &code) ||
        !codes->contains(code)) {
      continue;
    }
    const absl::string_view national = digits.substr(length);
    PhoneNumber number;
    number.set_country_code(code);
    uint64_t national_number = 0;
    if (national.empty() || !absl::SimpleAtoi(national, &national_number)) {
      return false;
    }
    number.set_national_number(national_number);
    const size_t zeros = national.find_first_not_of('0');
    if (zeros > 0) {
      number.set_italian_leading_zero(true);
      number.set_number_of_leading_zeros(static_cast<int>(zeros));
    }
    return Phones().IsPossibleNumber(number);
  }
  return false;
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

bool LooksE164(absl::string_view value) {
  if (value.size() < 8 || value.size() > 16 || value[0] != '+' ||
      value[1] == '0') {
    return false;
  }
  for (char c : value.substr(1)) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return true;
}

NormalizedValue Normalizer::Phone(absl::string_view value) const {
  if (std::optional<bool> possible = PossibleE164(value)) {
    return {std::string(value), *possible};
  }
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
