#include "base/csv.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::base {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Feeds `input` in chunks of `chunk_size` bytes (0: all at once), reusing one
// CsvRow the way a reader does, and collects every row.
std::vector<CsvRow> Tokenize(absl::string_view input, size_t chunk_size) {
  CsvTokenizer tokenizer;
  CsvRow row;
  std::vector<CsvRow> rows;
  if (chunk_size == 0) chunk_size = std::max<size_t>(input.size(), 1);
  while (!input.empty()) {
    // A copy that dies after the call proves the tokenizer keeps no view.
    std::string chunk(input.substr(0, chunk_size));
    input.remove_prefix(chunk.size());
    absl::string_view rest = chunk;
    while (tokenizer.Consume(&rest, &row)) rows.push_back(row);
    EXPECT_THAT(rest, IsEmpty());
  }
  if (tokenizer.Finish(&row)) rows.push_back(row);
  EXPECT_FALSE(tokenizer.Finish(&row)) << "Finish must report a row once";
  return rows;
}

// Every test runs whole, one byte at a time, and in odd chunk sizes, so that
// every state of the tokenizer meets a chunk boundary.
class CsvTokenizerTest : public ::testing::TestWithParam<size_t> {
 protected:
  std::vector<CsvRow> Rows(absl::string_view input) {
    return Tokenize(input, GetParam());
  }
};

INSTANTIATE_TEST_SUITE_P(Chunks, CsvTokenizerTest,
                         ::testing::Values(0, 1, 2, 3, 7),
                         [](const auto& info) {
                           return info.param == 0
                                      ? std::string("Whole")
                                      : "Chunk" + std::to_string(info.param);
                         });

void ExpectRow(const CsvRow& row, uint64_t line,
               const std::vector<std::string>& cells) {
  EXPECT_EQ(row.line, line);
  EXPECT_TRUE(row.status.ok()) << row.status;
  EXPECT_EQ(row.cells, cells);
}

void ExpectError(const CsvRow& row, uint64_t line, absl::string_view message) {
  EXPECT_EQ(row.line, line);
  EXPECT_FALSE(row.status.ok());
  EXPECT_TRUE(IsParseError(row.status)) << row.status;
  EXPECT_THAT(row.status.message(), HasSubstr(message));
  EXPECT_THAT(row.cells, IsEmpty());
}

TEST_P(CsvTokenizerTest, EmptyInputHasNoRows) {
  EXPECT_THAT(Rows(""), IsEmpty());
}

TEST_P(CsvTokenizerTest, EmptyLinesHaveNoRows) {
  EXPECT_THAT(Rows("\n\r\n\n\r"), IsEmpty());
}

TEST_P(CsvTokenizerTest, SimpleRows) {
  auto rows = Rows("a,b,c\n1,2,3\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 1, {"a", "b", "c"});
  ExpectRow(rows[1], 2, {"1", "2", "3"});
}

TEST_P(CsvTokenizerTest, LastRowWithoutLineEnd) {
  auto rows = Rows("a,b\n1,2");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[1], 2, {"1", "2"});
}

TEST_P(CsvTokenizerTest, EmptyFields) {
  auto rows = Rows(",a,,\n\"\"\nx,\n\"\",\"\"");
  ASSERT_EQ(rows.size(), 4u);
  ExpectRow(rows[0], 1, {"", "a", "", ""});
  ExpectRow(rows[1], 2, {""});
  ExpectRow(rows[2], 3, {"x", ""});
  ExpectRow(rows[3], 4, {"", ""});
}

TEST_P(CsvTokenizerTest, WhitespaceIsData) {
  auto rows = Rows(" a , b \n");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {" a ", " b "});
}

TEST_P(CsvTokenizerTest, QuotedFieldsWithCommasNewlinesAndQuotes) {
  auto rows = Rows(
      "\"a,b\",\"line 1\nline 2\",\"say \"\"hi\"\"\",\"\"\"\"\n"
      "next,row\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 1, {"a,b", "line 1\nline 2", "say \"hi\"", "\""});
  // The quoted newline moved the next row to line 3.
  ExpectRow(rows[1], 3, {"next", "row"});
}

TEST_P(CsvTokenizerTest, QuotedFieldAtEndOfInput) {
  auto rows = Rows("a,\"b\"\"\"");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {"a", "b\""});
}

TEST_P(CsvTokenizerTest, Crlf) {
  auto rows = Rows("a,b\r\n\"x\r\ny\",z\r\nlast,\"q\"\r\n");
  ASSERT_EQ(rows.size(), 3u);
  ExpectRow(rows[0], 1, {"a", "b"});
  // CRLF inside quotes is data, and one line end.
  ExpectRow(rows[1], 2, {"x\r\ny", "z"});
  ExpectRow(rows[2], 4, {"last", "q"});
}

TEST_P(CsvTokenizerTest, LoneCrEndsALine) {
  auto rows = Rows("a\rb\r\rc");
  ASSERT_EQ(rows.size(), 3u);
  ExpectRow(rows[0], 1, {"a"});
  ExpectRow(rows[1], 2, {"b"});
  ExpectRow(rows[2], 4, {"c"});
}

TEST_P(CsvTokenizerTest, BlankLinesKeepLineNumbers) {
  auto rows = Rows("\na\n\n\r\nb\n\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 2, {"a"});
  ExpectRow(rows[1], 5, {"b"});
}

TEST_P(CsvTokenizerTest, ByteOrderMarkIsIgnored) {
  auto rows = Rows("\xEF\xBB\xBFid,name\n1,\xEF\xBB\xBF\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 1, {"id", "name"});
  // Only at the start of the input is it a mark.
  ExpectRow(rows[1], 2, {"1", "\xEF\xBB\xBF"});
}

TEST_P(CsvTokenizerTest, ByteOrderMarkBeforeQuote) {
  auto rows = Rows("\xEF\xBB\xBF\"a\"\n");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {"a"});
}

TEST_P(CsvTokenizerTest, PartialByteOrderMarkIsData) {
  auto rows = Rows("\xEF\xBBx,y\n");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {"\xEF\xBBx", "y"});

  rows = Rows("\xEF\xBB\n");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {"\xEF\xBB"});

  rows = Rows("\xEF");
  ASSERT_EQ(rows.size(), 1u);
  ExpectRow(rows[0], 1, {"\xEF"});
}

TEST_P(CsvTokenizerTest, OnlyAByteOrderMark) {
  EXPECT_THAT(Rows("\xEF\xBB\xBF"), IsEmpty());
}

TEST_P(CsvTokenizerTest, QuoteInsideUnquotedField) {
  auto rows = Rows("a,b\"c,d\nx,y\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectError(rows[0], 1, "quote inside unquoted field 2");
  ExpectRow(rows[1], 2, {"x", "y"});
}

TEST_P(CsvTokenizerTest, TextAfterClosingQuote) {
  auto rows = Rows("\"ab\"c,d\n\"ok\"\n");
  ASSERT_EQ(rows.size(), 2u);
  ExpectError(rows[0], 1, "text after the closing quote of field 1");
  ExpectRow(rows[1], 2, {"ok"});
}

TEST_P(CsvTokenizerTest, ErrorInMultiLineRowResynchronisesAtNextLineEnd) {
  auto rows = Rows("h\n\"a\nb\"x,\"y\nz\r\nw\n");
  ASSERT_EQ(rows.size(), 4u);
  ExpectRow(rows[0], 1, {"h"});
  // The row starts on line 2; the error is on line 3, whose rest is skipped,
  // so its quote opens no field that would swallow "z" and "w".
  ExpectError(rows[1], 2, "text after the closing quote");
  ExpectRow(rows[2], 4, {"z"});
  ExpectRow(rows[3], 5, {"w"});
}

TEST_P(CsvTokenizerTest, RowsAfterErrorsStillParse) {
  auto rows = Rows("1\"\n\"2\"x\n3\n\"4\n4\"\n5");
  ASSERT_EQ(rows.size(), 5u);
  ExpectError(rows[0], 1, "quote inside unquoted field 1");
  ExpectError(rows[1], 2, "text after the closing quote");
  ExpectRow(rows[2], 3, {"3"});
  ExpectRow(rows[3], 4, {"4\n4"});
  ExpectRow(rows[4], 6, {"5"});
}

TEST_P(CsvTokenizerTest, ResynchronisesAtLoneCrAndCrlf) {
  auto rows = Rows("a\"b\rc\r\"d\"e\r\nf");
  ASSERT_EQ(rows.size(), 4u);
  ExpectError(rows[0], 1, "quote inside unquoted field 1");
  ExpectRow(rows[1], 2, {"c"});
  ExpectError(rows[2], 3, "text after the closing quote of field 1");
  ExpectRow(rows[3], 4, {"f"});
}

TEST_P(CsvTokenizerTest, UnterminatedQuoteAtEndOfInput) {
  auto rows = Rows("a\nb,\"open\nmore");
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[0], 1, {"a"});
  ExpectError(rows[1], 2, "unterminated quote: quoted field 2");
}

TEST(CsvTokenizerLimitTest, RowAtTheLimitIsRead) {
  std::string input(kMaxCsvRowBytes, 'x');
  input += "\r\ny\n";
  auto rows = Tokenize(input, 0);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].status.ok()) << rows[0].status;
  ASSERT_EQ(rows[0].cells.size(), 1u);
  EXPECT_EQ(rows[0].cells[0].size(), kMaxCsvRowBytes);
  ExpectRow(rows[1], 2, {"y"});
}

TEST(CsvTokenizerLimitTest, LongRowIsRejectedAndSkipped) {
  for (size_t chunk_size : {size_t{0}, size_t{1}, size_t{4096}}) {
    SCOPED_TRACE(chunk_size);
    std::string input = "a\n" + std::string(kMaxCsvRowBytes, 'x') + ",x\nb\n";
    auto rows = Tokenize(input, chunk_size);
    ASSERT_EQ(rows.size(), 3u);
    ExpectRow(rows[0], 1, {"a"});
    ExpectError(rows[1], 2, "row is longer than 1 MiB");
    ExpectRow(rows[2], 3, {"b"});
  }
}

TEST(CsvTokenizerLimitTest, RunawayQuoteIsCutAtTheLimit) {
  // A stray quote would otherwise swallow the rest of the input.
  std::string input = "\"";
  for (int i = 0; input.size() <= kMaxCsvRowBytes; ++i) {
    input += "row " + std::to_string(i) + "\n";
  }
  input += "\"\n";
  auto rows = Tokenize(input, 0);
  ASSERT_GE(rows.size(), 1u);
  ExpectError(rows[0], 1, "row is longer than 1 MiB");
}

TEST(CsvTokenizerApiTest, ConsumeStopsAfterEachRow) {
  CsvTokenizer tokenizer;
  CsvRow row;
  absl::string_view input = "a,b\nc\n";
  ASSERT_TRUE(tokenizer.Consume(&input, &row));
  ExpectRow(row, 1, {"a", "b"});
  EXPECT_EQ(input, "c\n");
  ASSERT_TRUE(tokenizer.Consume(&input, &row));
  ExpectRow(row, 2, {"c"});
  EXPECT_THAT(input, IsEmpty());
  EXPECT_FALSE(tokenizer.Consume(&input, &row));
  EXPECT_FALSE(tokenizer.Finish(&row));
}

TEST(CsvTokenizerApiTest, ReusedRowIsOverwritten) {
  CsvTokenizer tokenizer;
  CsvRow row;
  absl::string_view input = "a,b,c\n\"bad\"x\nd\n";
  ASSERT_TRUE(tokenizer.Consume(&input, &row));
  EXPECT_THAT(row.cells, ElementsAre("a", "b", "c"));
  ASSERT_TRUE(tokenizer.Consume(&input, &row));
  EXPECT_FALSE(row.status.ok());
  EXPECT_THAT(row.cells, IsEmpty());
  ASSERT_TRUE(tokenizer.Consume(&input, &row));
  EXPECT_TRUE(row.status.ok());
  EXPECT_THAT(row.cells, ElementsAre("d"));
}

}  // namespace
}  // namespace motive::base
