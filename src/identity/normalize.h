// Normalization of identifiers, so that one person written two ways is one
// identifier: "+1 (415) 555-0100" and "415.555.0100" (region US) are both
// phone +14155550100, and " Ana.Silva@Example.com" is ana.silva@example.com.
//
//   phone  E.164 through libphonenumber. A number without a country code
//          takes the default region; one that does not parse, or cannot be
//          a number of its country (too short, too long), is kept as written
//          (trimmed) and marked invalid: it is never guessed, and never
//          merges profiles.
//   email  trimmed and lower-cased (ASCII letters only: the rest of UTF-8
//          is kept as is). A value that is not local@domain is kept so and
//          marked invalid.
//   other  any other namespace is free text, trimmed and compared exactly.
//
// Thread-safe: a Normalizer is immutable, and libphonenumber's parser may be
// called from any thread.

#ifndef MOTIVE_IDENTITY_NORMALIZE_H_
#define MOTIVE_IDENTITY_NORMALIZE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace motive::identity {

inline constexpr absl::string_view kPhone = "phone";
inline constexpr absl::string_view kEmail = "email";

struct NormalizedValue {
  std::string value;
  // False when the value could not be normalized (see above).
  bool valid = true;
};

// Whether `value` has the shape of an E.164 number ("+", then 7 to 15
// digits, the first not 0). Such a value is its own normalized form, valid
// or not, so a lookup may use it as it is.
bool LooksE164(absl::string_view value);

class Normalizer {
 public:
  // `default_region` is the ISO 3166-1 code ("US", "GB") that national phone
  // numbers belong to; "" for none, when every number must carry its
  // country code. InvalidArgument for a region libphonenumber does not know.
  static absl::StatusOr<Normalizer> Create(absl::string_view default_region);

  NormalizedValue Normalize(absl::string_view ns,
                            absl::string_view value) const;

  const std::string& default_region() const { return default_region_; }

 private:
  explicit Normalizer(std::string default_region)
      : default_region_(std::move(default_region)) {}

  NormalizedValue Phone(absl::string_view value) const;

  std::string default_region_;
};

}  // namespace motive::identity

#endif  // MOTIVE_IDENTITY_NORMALIZE_H_
