#include "identity/normalize.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace motive::identity {
namespace {

NormalizedValue Phone(const Normalizer& n, absl::string_view raw) {
  return n.Normalize(kPhone, raw);
}

TEST(NormalizeTest, PhoneNumbersOfOneCountryWrittenManyWaysAreOne) {
  auto us = Normalizer::Create("US");
  ASSERT_TRUE(us.ok()) << us.status();
  for (absl::string_view raw :
       {"+1 (415) 555-0100", "415.555.0100", "(415) 555 0100", "+14155550100",
        "1-415-555-0100", " 415-555-0100 ", "+1-415-555-0100"}) {
    const NormalizedValue v = Phone(*us, raw);
    EXPECT_TRUE(v.valid) << raw;
    EXPECT_EQ(v.value, "+14155550100") << raw;
  }
}

TEST(NormalizeTest, NumbersOfOtherCountries) {
  auto us = Normalizer::Create("US");
  ASSERT_TRUE(us.ok());
  EXPECT_EQ(Phone(*us, "+44 20 7946 0958").value, "+442079460958");
  EXPECT_EQ(Phone(*us, "+33 1 23 45 67 89").value, "+33123456789");
  EXPECT_EQ(Phone(*us, "+49 30 901820").value, "+4930901820");
  EXPECT_EQ(Phone(*us, "+55 11 91234-5678").value, "+5511912345678");
  EXPECT_EQ(Phone(*us, "+81 3-1234-5678").value, "+81312345678");
  // International dialling prefix from the default region.
  EXPECT_EQ(Phone(*us, "011 44 20 7946 0958").value, "+442079460958");
}

TEST(NormalizeTest, TheDefaultRegionIsForNationalNumbers) {
  auto gb = Normalizer::Create("gb");
  ASSERT_TRUE(gb.ok());
  EXPECT_EQ(gb->default_region(), "GB");
  EXPECT_EQ(Phone(*gb, "020 7946 0958").value, "+442079460958");
  EXPECT_EQ(Phone(*gb, "07700 900123").value, "+447700900123");
  // The same digits in the US are another number.
  auto us = Normalizer::Create("US");
  ASSERT_TRUE(us.ok());
  EXPECT_NE(Phone(*us, "020 7946 0958").value, "+442079460958");
}

// Numbers already in E.164 skip libphonenumber's parser: they must come out
// as the parser would have them.
TEST(NormalizeTest, E164NumbersAreCheckedAsTheParserWould) {
  auto none = Normalizer::Create("");
  ASSERT_TRUE(none.ok());
  for (absl::string_view e164 :
       {"+14155550100", "+442079460958", "+390612345678", "+5511912345678",
        "+81312345678", "+8613800138000", "+35312345678", "+97142345678"}) {
    const NormalizedValue v = Phone(*none, e164);
    EXPECT_TRUE(v.valid) << e164;
    EXPECT_EQ(v.value, e164);
    // The same digits written otherwise go through the parser.
    const NormalizedValue spaced =
        Phone(*none, absl::StrCat(e164.substr(0, 3), " ", e164.substr(3)));
    EXPECT_EQ(spaced.value, e164);
    EXPECT_TRUE(spaced.valid);
  }
  for (absl::string_view junk :
       {"+10000000", "+9991234567", "+4412", "+1415555010099999"}) {
    EXPECT_FALSE(Phone(*none, junk).valid) << junk;
  }
}

TEST(NormalizeTest, WithoutARegionNationalNumbersAreNotGuessed) {
  auto none = Normalizer::Create("");
  ASSERT_TRUE(none.ok());
  const NormalizedValue v = Phone(*none, "415-555-0100");
  EXPECT_FALSE(v.valid);
  EXPECT_EQ(v.value, "415-555-0100");
  EXPECT_TRUE(Phone(*none, "+1 415 555 0100").valid);
}

TEST(NormalizeTest, InvalidNumbersAreKeptAsWrittenAndFlagged) {
  auto us = Normalizer::Create("US");
  ASSERT_TRUE(us.ok());
  for (absl::string_view raw :
       {"anonymous", "Restricted", "12", "+1 415 555", "+999 123456", "",
        "++--", "+1 415 555 0100 0100 0100"}) {
    const NormalizedValue v = Phone(*us, raw);
    EXPECT_FALSE(v.valid) << raw;
    EXPECT_EQ(v.value, std::string(absl::StripAsciiWhitespace(raw)));
  }
}

TEST(NormalizeTest, AnUnknownRegionIsAnError) {
  auto bad = Normalizer::Create("XX");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("default_region"),
            absl::string_view::npos);
}

TEST(NormalizeTest, EmailIsTrimmedAndLowerCased) {
  auto n = Normalizer::Create("");
  ASSERT_TRUE(n.ok());
  NormalizedValue v = n->Normalize(kEmail, "  Ana.Silva@Example.COM\t");
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.value, "ana.silva@example.com");
  // Non-ASCII bytes are kept as they are.
  EXPECT_EQ(n->Normalize(kEmail, "Zoë@Example.com").value, "zoë@example.com");
  for (absl::string_view bad :
       {"no-at-sign", "@example.com", "ana@", "a@b@c"}) {
    v = n->Normalize(kEmail, bad);
    EXPECT_FALSE(v.valid) << bad;
    EXPECT_EQ(v.value, absl::AsciiStrToLower(bad));
  }
}

TEST(NormalizeTest, OtherNamespacesAreOnlyTrimmed) {
  auto n = Normalizer::Create("US");
  ASSERT_TRUE(n.ok());
  const NormalizedValue v = n->Normalize("crm_contact", " 003Ab00000XyZ ");
  EXPECT_TRUE(v.valid);
  EXPECT_EQ(v.value, "003Ab00000XyZ");
}

}  // namespace
}  // namespace motive::identity
