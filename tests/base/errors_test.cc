#include "base/errors.h"

#include "gtest/gtest.h"

namespace motive::base {
namespace {

TEST(ErrorsTest, FieldErrorCarriesFieldAndReason) {
  absl::Status s = FieldError("sentiment", "must be within [-1, 1]");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "sentiment: must be within [-1, 1]");
  EXPECT_EQ(ErrorField(s), "sentiment");
  EXPECT_EQ(ErrorReason(s), "must be within [-1, 1]");
  EXPECT_EQ(KindOf(s), ErrorKind::kOther);
}

TEST(ErrorsTest, WholeRecordErrorHasEmptyField) {
  absl::Status s = FieldError("", "event is too large");
  EXPECT_EQ(s.message(), "event is too large");
  EXPECT_EQ(ErrorField(s), "");
  EXPECT_EQ(ErrorReason(s), "event is too large");
}

TEST(ErrorsTest, KindsAreDistinguished) {
  EXPECT_TRUE(IsParseError(ParseError("channel", "bad")));
  EXPECT_EQ(ErrorField(ParseError("channel", "bad")), "channel");
  EXPECT_EQ(KindOf(IoError("disk full")), ErrorKind::kIo);
  EXPECT_TRUE(absl::IsInternal(IoError("disk full")));
  EXPECT_EQ(KindOf(VersionError("newer")), ErrorKind::kVersion);
  EXPECT_EQ(KindOf(absl::InternalError("bug")), ErrorKind::kOther);
}

TEST(ErrorsTest, AnnotateKeepsCodeAndPayloads) {
  absl::Status s = Annotate(ParseError("type", "bad"), "line 3");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "line 3: type: bad");
  EXPECT_TRUE(IsParseError(s));
  EXPECT_EQ(ErrorField(s), "type");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "x").ok());
}

}  // namespace
}  // namespace motive::base
