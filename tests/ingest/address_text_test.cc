#include "ingest/address_text.h"

#include <string>

#include "gtest/gtest.h"

namespace motive::ingest {
namespace {

std::string Classify(absl::string_view text) {
  absl::string_view value;
  switch (ClassifyAddress(text, &value)) {
    case AddressKind::kPhone:
      return "phone " + std::string(value);
    case AddressKind::kEmail:
      return "email " + std::string(value);
    case AddressKind::kNone:
      break;
  }
  return "none";
}

TEST(AddressTextTest, SchemesComeOffAndTheRestIsClassified) {
  EXPECT_EQ(Classify("tel:+14155550100"), "phone +14155550100");
  EXPECT_EQ(Classify(" TEL:+1 (415) 555-0100 "), "phone +1 (415) 555-0100");
  EXPECT_EQ(Classify("whatsapp:+447700900123"), "phone +447700900123");
  EXPECT_EQ(Classify("sms:4155550100"), "phone 4155550100");
  EXPECT_EQ(Classify("mailto:Ann@Example.com"), "email Ann@Example.com");
  EXPECT_EQ(Classify("ann@example.com"), "email ann@example.com");
  EXPECT_EQ(Classify("sip:+14155550100@pbx.example.com"), "phone +14155550100");
}

TEST(AddressTextTest, NamesIdsAndOddTextAreNone) {
  EXPECT_EQ(Classify("John Doe"), "none");
  EXPECT_EQ(Classify("Anonymous"), "none");
  EXPECT_EQ(Classify("sip:alice@pbx.example.com"), "none");
  EXPECT_EQ(Classify("messenger:1234567890"), "none");
  EXPECT_EQ(Classify("client:alice"), "none");
  EXPECT_EQ(Classify("12"), "none");  // too few digits
  EXPECT_EQ(Classify("a@b@c"), "none");
  EXPECT_EQ(Classify("@example.com"), "none");
  EXPECT_EQ(Classify("ann smith@example.com"), "none");
  EXPECT_EQ(Classify(""), "none");
}

TEST(AddressTextTest, IdentifiersAreAddedOnce) {
  v1::Event event;
  EXPECT_TRUE(AddAddress("tel:+14155550100", &event));
  EXPECT_FALSE(AddAddress("+14155550100", &event));  // the same value
  EXPECT_FALSE(AddAddress("John Doe", &event));
  EXPECT_FALSE(AddIdentifier("crm", "", &event));
  EXPECT_TRUE(AddIdentifier("crm", "c-1", &event));
  ASSERT_EQ(event.identifiers_size(), 2);
  EXPECT_EQ(event.identifiers(0).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(1).namespace_(), "crm");
}

}  // namespace
}  // namespace motive::ingest
