#include "ingest/json_splitter.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::ChunkSource;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Each record as "<number>:<text>" or "<number>!<error>", then the status.
std::vector<std::string> Split(const std::string& input, size_t chunk_size,
                               absl::Status end = absl::OkStatus()) {
  JsonSplitter splitter(ChunkSource(input, chunk_size, end));
  std::vector<std::string> out;
  JsonSplitter::Piece piece;
  while (splitter.Next(&piece)) {
    if (piece.error.ok()) {
      out.push_back(absl::StrCat(piece.number, ":", piece.text));
    } else {
      out.push_back(
          absl::StrCat(piece.number, "!", base::ErrorReason(piece.error)));
    }
  }
  EXPECT_FALSE(splitter.Next(&piece));
  if (!splitter.status().ok()) out.push_back(splitter.status().ToString());
  EXPECT_EQ(splitter.bytes_read(), input.size());
  return out;
}

// The same split whatever the chunk size.
std::vector<std::string> SplitAllWays(const std::string& input) {
  const std::vector<std::string> whole = Split(input, 0);
  for (size_t chunk : {1, 2, 7, 64}) {
    EXPECT_EQ(Split(input, chunk), whole) << "chunks of " << chunk;
  }
  return whole;
}

TEST(JsonSplitterTest, JsonLines) {
  EXPECT_THAT(SplitAllWays("{\"a\":1}\n{\"b\":\"}\"}\r\n\n{\"c\":[{}]}\n"),
              ElementsAre("1:{\"a\":1}", "2:{\"b\":\"}\"}", "3:{\"c\":[{}]}"));
}

TEST(JsonSplitterTest, ConcatenatedObjectsAsFirehoseWritesThem) {
  EXPECT_THAT(
      SplitAllWays(R"({"a":"{"}{"b":"\"}"}{"c":{"d":{}}})"),
      ElementsAre(R"(1:{"a":"{"})", R"(2:{"b":"\"}"})", R"(3:{"c":{"d":{}}})"));
}

TEST(JsonSplitterTest, PrettyPrintedObjectsOneAfterAnother) {
  EXPECT_THAT(
      SplitAllWays("{\n  \"a\": [\n    1\n  ]\n}\n{\n  \"b\": 2\n}"),
      ElementsAre("1:{\n  \"a\": [\n    1\n  ]\n}", "2:{\n  \"b\": 2\n}"));
}

TEST(JsonSplitterTest, ArrayOfRecords) {
  EXPECT_THAT(SplitAllWays(" [ {\"a\":1} ,\n {\"b\":[2]}, 3, \"x,y\" ]\n"),
              ElementsAre("1:{\"a\":1}", "2:{\"b\":[2]}", "3:3", "4:\"x,y\" "));
}

TEST(JsonSplitterTest, SingleObjectAndEmptyInput) {
  EXPECT_THAT(SplitAllWays("\xEF\xBB\xBF {\"a\": 1}  \n"),
              ElementsAre("1:{\"a\": 1}"));
  EXPECT_THAT(SplitAllWays(""), ElementsAre());
  EXPECT_THAT(SplitAllWays(" \n\t "), ElementsAre());
  EXPECT_THAT(SplitAllWays("[]"), ElementsAre());
}

TEST(JsonSplitterTest, UnterminatedStringEndsAtItsLine) {
  EXPECT_THAT(SplitAllWays("{\"a\":\"oops}\n{\"b\":1}\n"),
              ElementsAre("1:{\"a\":\"oops}", "2:{\"b\":1}"));
}

TEST(JsonSplitterTest, JunkIsARecordUpToTheLineEnd) {
  EXPECT_THAT(
      SplitAllWays("{\"a\":1}\nnot json {\"x\":1}\n{\"b\":2}"),
      ElementsAre("1:{\"a\":1}", "2:not json {\"x\":1}", "3:{\"b\":2}"));
}

TEST(JsonSplitterTest, TruncatedLastRecord) {
  EXPECT_THAT(SplitAllWays("{\"a\":1}\n{\"b\":[1,"),
              ElementsAre("1:{\"a\":1}",
                          "2!the input ends inside this record (truncated)"));
}

TEST(JsonSplitterTest, TooLongRecordIsReportedWithoutBeingKept) {
  const std::string big = absl::StrCat(
      "{\"a\":\"", std::string(JsonSplitter::kMaxRecordBytes, 'x'), "\"}");
  const std::vector<std::string> split =
      Split(absl::StrCat("{\"a\":1}\n", big, "\n{\"b\":2}\n"), 1 << 16);
  EXPECT_THAT(split, ElementsAre("1:{\"a\":1}",
                                 "2!the record is longer than the limit of "
                                 "16 MiB",
                                 "3:{\"b\":2}"));
}

TEST(JsonSplitterTest, InputErrorStopsTheSplitting) {
  EXPECT_THAT(Split("{\"a\":1}\n{\"b\"", 4, absl::DataLossError("disk")),
              ElementsAre("1:{\"a\":1}", HasSubstr("disk")));
}

TEST(JsonSplitterTest, TextIsPaddedForSimdjson) {
  // Whatever the chunk, kPadding bytes after the text are readable; under
  // ASan a short read would be caught here.
  for (size_t chunk : {0, 1, 9}) {
    JsonSplitter splitter(ChunkSource("{\"a\":1}{\"b\":2}", chunk));
    JsonSplitter::Piece piece;
    while (splitter.Next(&piece)) {
      ASSERT_TRUE(piece.error.ok());
      simdjson::dom::parser parser;
      simdjson::dom::element element;
      EXPECT_EQ(parser.parse(piece.text.data(), piece.text.size(), false)
                    .get(element),
                simdjson::SUCCESS);
    }
  }
}

}  // namespace
}  // namespace motive::ingest
