#include "model/record_reader.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "model/event_codec.h"

namespace motive::model {

using base::ErrorField;
using base::IsParseError;

namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Hands out `data` in chunks of `chunk_size` bytes (0: all at once), then
// `end`: an empty view when OK, else that error. Every chunk is copied into
// one buffer that is scribbled over on the next call, so a reader that kept
// a view past it would read garbage. Counts calls in `*calls` when given.
RecordReader::Source ChunkSource(std::string data, size_t chunk_size,
                                 absl::Status end = absl::OkStatus(),
                                 int* calls = nullptr) {
  struct State {
    std::string data;
    size_t chunk_size = 0;
    absl::Status end;
    int* calls = nullptr;
    size_t pos = 0;
    std::string buffer;
  };
  auto state = std::make_shared<State>();
  state->data = std::move(data);
  state->chunk_size = chunk_size == 0 ? ~size_t{0} : chunk_size;
  state->end = std::move(end);
  state->calls = calls;
  return [state]() -> absl::StatusOr<absl::string_view> {
    if (state->calls != nullptr) ++*state->calls;
    std::fill(state->buffer.begin(), state->buffer.end(), '#');
    if (state->pos == state->data.size()) {
      if (!state->end.ok()) return state->end;
      return absl::string_view();
    }
    size_t n = std::min(state->chunk_size, state->data.size() - state->pos);
    state->buffer.assign(state->data, state->pos, n);
    state->pos += n;
    return absl::string_view(state->buffer);
  };
}

struct ReadResult {
  std::vector<InputRecord> records;
  absl::Status status;
  uint64_t bytes_read = 0;
};

ReadResult ReadAll(InputFormat format, std::string data, size_t chunk_size,
                   absl::Status end = absl::OkStatus()) {
  RecordReader reader(format,
                      ChunkSource(std::move(data), chunk_size, std::move(end)));
  ReadResult result;
  InputRecord record;
  while (reader.Next(&record)) result.records.push_back(std::move(record));
  EXPECT_FALSE(reader.Next(&record)) << "Next must stay false at the end";
  result.status = reader.status();
  result.bytes_read = reader.bytes_read();
  return result;
}

v1::Event EventFromJson(absl::string_view json) {
  v1::Event event;
  absl::Status status = Decode(WireFormat::kJson, json, &event);
  EXPECT_TRUE(status.ok()) << status;
  return event;
}

void ExpectEvent(const InputRecord& record, uint64_t number,
                 absl::string_view json) {
  EXPECT_EQ(record.number, number);
  ASSERT_TRUE(record.event.ok()) << record.event.status();
  v1::Event expected = EventFromJson(json);
  EXPECT_TRUE(MessageDifferencer::Equals(*record.event, expected))
      << "got " << record.event->ShortDebugString() << "\nwant "
      << expected.ShortDebugString();
}

void ExpectRejected(const InputRecord& record, uint64_t number,
                    absl::string_view field, absl::string_view message) {
  EXPECT_EQ(record.number, number);
  ASSERT_FALSE(record.event.ok());
  EXPECT_EQ(record.event.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorField(record.event.status()), field) << record.event.status();
  EXPECT_THAT(record.event.status().message(), HasSubstr(message));
}

constexpr absl::string_view kEvent1 =
    R"({"customer_id":"c1","type":"contact",)"
    R"("occurred_at":"2024-05-01T10:00:00Z"})";
constexpr absl::string_view kEvent2 =
    R"({"customer_id":"c2","type":"purchase","value":12.5,"currency":"EUR"})";

// --- InputFormatFromPath -----------------------------------------------------

TEST(WholeBufferTest, HandsOutTheInputOnceThenTheEnd) {
  RecordReader::Source source = WholeBuffer("a\nb\n");
  absl::StatusOr<absl::string_view> chunk = source();
  ASSERT_TRUE(chunk.ok());
  EXPECT_EQ(*chunk, "a\nb\n");
  chunk = source();
  ASSERT_TRUE(chunk.ok());
  EXPECT_TRUE(chunk->empty());
}

TEST(WholeBufferTest, ReadsEveryRecord) {
  const std::string jsonl =
      R"({"customer_id":"c1","type":"contact","occurred_at":"2025-01-01T00:00:00Z"})"
      "\n"
      R"({"customer_id":"c2","type":"contact","occurred_at":"2025-01-02T00:00:00Z"})"
      "\n";
  RecordReader reader(InputFormat::kJsonl, WholeBuffer(jsonl));
  InputRecord record;
  int records = 0;
  while (reader.Next(&record)) {
    ASSERT_TRUE(record.event.ok()) << record.event.status();
    ++records;
  }
  EXPECT_TRUE(reader.status().ok());
  EXPECT_EQ(records, 2);
}

TEST(InputFormatFromPathTest, KnownExtensions) {
  EXPECT_EQ(*InputFormatFromPath("a.jsonl"), InputFormat::kJsonl);
  EXPECT_EQ(*InputFormatFromPath("a.ndjson"), InputFormat::kJsonl);
  EXPECT_EQ(*InputFormatFromPath("a.csv"), InputFormat::kCsv);
  EXPECT_EQ(*InputFormatFromPath("a.json"), InputFormat::kJsonBatch);
  EXPECT_EQ(*InputFormatFromPath("a.pb"), InputFormat::kProtobufBatch);
  EXPECT_EQ(*InputFormatFromPath("a.binpb"), InputFormat::kProtobufBatch);
}

TEST(InputFormatFromPathTest, CaseAndDirectories) {
  EXPECT_EQ(*InputFormatFromPath("/data/2024.05/Events.CSV"),
            InputFormat::kCsv);
  EXPECT_EQ(*InputFormatFromPath("x.tar/y.NdJson"), InputFormat::kJsonl);
  EXPECT_EQ(*InputFormatFromPath("C:\\exports\\a.Json"),
            InputFormat::kJsonBatch);
}

TEST(InputFormatFromPathTest, UnknownExtensionNamesItAndTheAccepted) {
  auto format = InputFormatFromPath("events.jsonl.gz");
  ASSERT_FALSE(format.ok());
  EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(format.status().message(), HasSubstr("\".gz\""));
  for (const char* accepted :
       {".jsonl", ".ndjson", ".csv", ".json", ".pb", ".binpb"}) {
    EXPECT_THAT(format.status().message(), HasSubstr(accepted));
  }
}

TEST(InputFormatFromPathTest, NoExtension) {
  for (const char* path : {"events", "dir.csv/events", ""}) {
    SCOPED_TRACE(path);
    auto format = InputFormatFromPath(path);
    ASSERT_FALSE(format.ok());
    EXPECT_EQ(format.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(format.status().message(), HasSubstr("no file extension"));
    EXPECT_THAT(format.status().message(), HasSubstr(".jsonl"));
  }
}

// Each reader test runs with the input whole, one byte per chunk, and in
// chunks of 5 bytes.
class RecordReaderTest : public ::testing::TestWithParam<size_t> {
 protected:
  ReadResult Read(InputFormat format, std::string data,
                  absl::Status end = absl::OkStatus()) {
    return ReadAll(format, std::move(data), GetParam(), std::move(end));
  }
};

INSTANTIATE_TEST_SUITE_P(Chunks, RecordReaderTest, ::testing::Values(0, 1, 5),
                         [](const auto& info) {
                           return info.param == 0
                                      ? std::string("Whole")
                                      : "Chunk" + std::to_string(info.param);
                         });

// --- JSONL -------------------------------------------------------------------

TEST_P(RecordReaderTest, JsonlEmptyInput) {
  auto result = Read(InputFormat::kJsonl, "");
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(result.records, IsEmpty());
}

TEST_P(RecordReaderTest, JsonlOnlyBlankLines) {
  auto result = Read(InputFormat::kJsonl, "\n  \r\n\t\n \n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(result.records, IsEmpty());
}

TEST_P(RecordReaderTest, JsonlOneRecordWithoutLineEnd) {
  auto result = Read(InputFormat::kJsonl, std::string(kEvent1));
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 1, kEvent1);
  EXPECT_EQ(result.bytes_read, kEvent1.size());
}

TEST_P(RecordReaderTest, JsonlBlankLinesCrlfAndByteOrderMark) {
  std::string input = absl::StrCat("\xEF\xBB\xBF", kEvent1, "\r\n", "\r\n",
                                   "   \n", kEvent2, "\r\n\n");
  auto result = Read(InputFormat::kJsonl, input);
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 2u);
  ExpectEvent(result.records[0], 1, kEvent1);
  ExpectEvent(result.records[1], 4, kEvent2);
  EXPECT_EQ(result.bytes_read, input.size());
}

TEST_P(RecordReaderTest, JsonlMalformedLinesAreRejectedOneByOne) {
  std::string input = absl::StrCat(kEvent1, "\n", "{\"customer_id\": \n",
                                   R"({"customer_id":"c3","bogus":1})", "\n",
                                   R"({"csat":"high"})", "\n", "\n", kEvent2);
  auto result = Read(InputFormat::kJsonl, input);
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 5u);
  ExpectEvent(result.records[0], 1, kEvent1);
  EXPECT_EQ(result.records[1].number, 2u);
  ASSERT_FALSE(result.records[1].event.ok());
  EXPECT_TRUE(IsParseError(result.records[1].event.status()));
  EXPECT_EQ(result.records[2].number, 3u);
  ASSERT_FALSE(result.records[2].event.ok());
  EXPECT_TRUE(IsParseError(result.records[2].event.status()));
  EXPECT_EQ(ErrorField(result.records[2].event.status()), "bogus");
  EXPECT_EQ(result.records[3].number, 4u);
  ASSERT_FALSE(result.records[3].event.ok());
  EXPECT_THAT(result.records[3].event.status().message(), HasSubstr("csat"));
  ExpectEvent(result.records[4], 6, kEvent2);
}

TEST_P(RecordReaderTest, JsonlDoesNotValidate) {
  // Out of range, and no customer: ValidateEvent's business, not the
  // reader's.
  auto result = Read(InputFormat::kJsonl, R"({"csat":99,"sentiment":7})");
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 1, R"({"csat":99,"sentiment":7})");
}

TEST(RecordReaderJsonlLimitTest, LongLineIsRejectedAndReadingContinues) {
  for (size_t chunk_size : {size_t{0}, size_t{1}, size_t{65536}}) {
    SCOPED_TRACE(chunk_size);
    std::string input = absl::StrCat(kEvent1, "\n", R"({"customer_id":")",
                                     std::string(2 * kMaxJsonlLineBytes, 'x'),
                                     "\"}\n", kEvent2, "\n");
    auto result = ReadAll(InputFormat::kJsonl, input, chunk_size);
    EXPECT_TRUE(result.status.ok()) << result.status;
    ASSERT_EQ(result.records.size(), 3u);
    ExpectEvent(result.records[0], 1, kEvent1);
    ExpectRejected(result.records[1], 2, "", "line is longer than 1 MiB");
    EXPECT_TRUE(IsParseError(result.records[1].event.status()));
    ExpectEvent(result.records[2], 3, kEvent2);
    EXPECT_EQ(result.bytes_read, input.size());
  }
}

TEST(RecordReaderJsonlLimitTest, LineOfExactlyOneMebibyteIsRead) {
  // Padding with spaces keeps the JSON valid at any length.
  std::string line(kEvent1);
  line.resize(kMaxJsonlLineBytes, ' ');
  for (size_t chunk_size : {size_t{0}, size_t{4093}}) {
    SCOPED_TRACE(chunk_size);
    auto result =
        ReadAll(InputFormat::kJsonl,
                absl::StrCat(line, "\r\n", line, " \n", line), chunk_size);
    ASSERT_EQ(result.records.size(), 3u);
    ExpectEvent(result.records[0], 1, kEvent1);
    ExpectRejected(result.records[1], 2, "", "line is longer than 1 MiB");
    ExpectEvent(result.records[2], 3, kEvent1);
  }
}

TEST(RecordReaderJsonlLimitTest, LongLastLineWithoutLineEnd) {
  auto result = ReadAll(InputFormat::kJsonl,
                        std::string(kMaxJsonlLineBytes + 10, ' '), 1000);
  ASSERT_EQ(result.records.size(), 1u);
  ExpectRejected(result.records[0], 1, "", "line is longer than 1 MiB");
}

TEST_P(RecordReaderTest, JsonlSourceErrorStopsReading) {
  // The half line before the error is dropped, not reported as malformed.
  auto result = Read(InputFormat::kJsonl,
                     absl::StrCat(kEvent1, "\n", R"({"customer_id")"),
                     absl::DataLossError("disk on fire"));
  EXPECT_EQ(result.status, absl::DataLossError("disk on fire"));
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 1, kEvent1);
}

TEST(RecordReaderSourceTest, SourceIsNotCalledAfterTheEnd) {
  int calls = 0;
  RecordReader reader(
      InputFormat::kJsonl,
      ChunkSource(std::string(kEvent1), 0, absl::OkStatus(), &calls));
  InputRecord record;
  EXPECT_TRUE(reader.Next(&record));
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_EQ(calls, 2);
  EXPECT_TRUE(reader.status().ok());
}

TEST(RecordReaderSourceTest, SourceIsNotCalledAfterAnError) {
  int calls = 0;
  RecordReader reader(
      InputFormat::kCsv,
      ChunkSource("", 0, absl::UnavailableError("gone"), &calls));
  InputRecord record;
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(reader.status(), absl::UnavailableError("gone"));
}

TEST(RecordReaderSourceTest, NullSource) {
  RecordReader reader(InputFormat::kJsonl, nullptr);
  InputRecord record;
  EXPECT_FALSE(reader.Next(&record));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
}

// --- CSV ---------------------------------------------------------------------

constexpr absl::string_view kAllColumns =
    "event_id,customer_id,occurred_at,recorded_at,channel,type,moment,stage,"
    "topic,outcome,sentiment,duration_ms,hold_ms,transfers,agent_id,queue,"
    "value,currency,csat,nps,attributes.tier,interaction_id,updated_at,"
    "enrichment,identifiers.email,identifiers.phone";

TEST_P(RecordReaderTest, CsvEmptyInput) {
  auto result = Read(InputFormat::kCsv, "");
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(result.records, IsEmpty());
}

TEST_P(RecordReaderTest, CsvHeaderOnly) {
  for (const char* input : {"customer_id,type", "customer_id,type\r\n\r\n"}) {
    auto result = Read(InputFormat::kCsv, input);
    EXPECT_TRUE(result.status.ok()) << result.status;
    EXPECT_THAT(result.records, IsEmpty());
  }
}

TEST_P(RecordReaderTest, CsvEveryField) {
  std::string input = absl::StrCat(
      kAllColumns, "\n",
      "e1,c1,2024-05-01T12:00:00.25+02:00,2024-05-01T10:00:01Z,voice,contact,"
      "interim,Experience,billing,RESOLVED,-0.5,60000,5000,2,a7,billing-q,"
      "19.99,EUR,4,9,gold,connect:c-1,2024-05-01T10:05:00Z,yes,a@example.com,"
      "+14155550100\n");
  auto result = Read(InputFormat::kCsv, input);
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2, R"({
    "event_id": "e1", "customer_id": "c1",
    "occurred_at": "2024-05-01T10:00:00.250Z",
    "recorded_at": "2024-05-01T10:00:01Z",
    "channel": "VOICE", "type": "contact", "moment": "INTERIM",
    "stage": "EXPERIENCE", "topic": "billing", "outcome": "RESOLVED",
    "sentiment": -0.5, "duration_ms": 60000, "hold_ms": 5000,
    "transfers": 2, "agent_id": "a7", "queue": "billing-q",
    "value": 19.99, "currency": "EUR", "csat": 4, "nps": 9,
    "attributes": {"tier": "gold"}, "interaction_id": "connect:c-1",
    "updated_at": "2024-05-01T10:05:00Z", "enrichment": true,
    "identifiers": [{"namespace": "email", "value": "a@example.com"},
                    {"namespace": "phone", "value": "+14155550100"}]})");
  EXPECT_EQ(result.bytes_read, input.size());
}

TEST_P(RecordReaderTest, CsvEmptyCellsLeaveFieldsAbsent) {
  auto result =
      Read(InputFormat::kCsv, absl::StrCat(kAllColumns, "\n", ",c1,,,,contact",
                                           std::string(20, ','), "\n"));
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2, R"({"customer_id":"c1","type":"contact"})");
  EXPECT_FALSE(result.records[0].event->has_sentiment());
  EXPECT_FALSE(result.records[0].event->has_occurred_at());
  EXPECT_FALSE(result.records[0].event->has_updated_at());
  EXPECT_EQ(result.records[0].event->identifiers_size(), 0);
}

TEST_P(RecordReaderTest, CsvIdentifierColumns) {
  auto result =
      Read(InputFormat::kCsv,
           "customer_id,occurred_at,type,identifiers.email,identifiers.phone,"
           "Identifiers.crm_contact\n"
           "c1,2024-05-01T10:00:00Z,contact,a@example.com,+14155550100,0042\n"
           ",2024-05-01T10:00:00Z,contact,,+14155550100,\n"
           "c3,2024-05-01T10:00:00Z,contact,,,\n"
           ",2024-05-01T10:00:00Z,contact, B@Example.com ,\"+1 415\",\"\"\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 4u);
  const auto& r = result.records;
  // In the order of their columns; values are strings, kept verbatim.
  ExpectEvent(r[0], 2, R"({"customer_id":"c1",
      "occurred_at":"2024-05-01T10:00:00Z","type":"contact",
      "identifiers":[{"namespace":"email","value":"a@example.com"},
                     {"namespace":"phone","value":"+14155550100"},
                     {"namespace":"crm_contact","value":"0042"}]})");
  // An empty cell adds no identifier.
  ExpectEvent(r[1], 3, R"({"occurred_at":"2024-05-01T10:00:00Z",
      "type":"contact",
      "identifiers":[{"namespace":"phone","value":"+14155550100"}]})");
  ExpectEvent(r[2], 4, R"({"customer_id":"c3",
      "occurred_at":"2024-05-01T10:00:00Z","type":"contact"})");
  ExpectEvent(r[3], 5, R"({"occurred_at":"2024-05-01T10:00:00Z",
      "type":"contact",
      "identifiers":[{"namespace":"email","value":" B@Example.com "},
                     {"namespace":"phone","value":"+1 415"}]})");
}

TEST_P(RecordReaderTest, CsvNamespacesKeepTheirCase) {
  // A namespace is data, as an attribute key is: validation, not the
  // reader, rejects one that is not lower case.
  auto result =
      Read(InputFormat::kCsv, "IDENTIFIERS.Email,identifiers.email\nA,b\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2,
              R"({"identifiers":[{"namespace":"Email","value":"A"},
                                 {"namespace":"email","value":"b"}]})");
}

TEST_P(RecordReaderTest, CsvInteractionColumns) {
  auto result = Read(InputFormat::kCsv,
                     "interaction_id,updated_at,enrichment\n"
                     " connect:1 , 2024-05-01T10:05:00Z ,TRUE\n"
                     "i2,,0\n"
                     "i3,,n\n"
                     ",,\n"
                     "i4,,on\n"
                     "i5,soon,true\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 6u);
  const auto& r = result.records;
  ExpectEvent(r[0], 2, R"({"interaction_id":" connect:1 ",
      "updated_at":"2024-05-01T10:05:00Z","enrichment":true})");
  ExpectEvent(r[1], 3, R"({"interaction_id":"i2"})");
  ExpectEvent(r[2], 4, R"({"interaction_id":"i3"})");
  ExpectEvent(r[3], 5, "{}");
  ExpectRejected(r[4], 6, "enrichment", "must be true or false, got \"on\"");
  ExpectRejected(r[5], 7, "updated_at", "must be an RFC 3339 timestamp");
}

TEST_P(RecordReaderTest, CsvHeaderIsTrimmedAndCaseInsensitive) {
  auto result = Read(InputFormat::kCsv,
                     "\xEF\xBB\xBF Customer_ID ,TYPE,\tChannel\t, "
                     "Attributes.Plan \r\nc1,contact,Chat,Pro\r\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  // The attribute key keeps its case: it is data, not a schema name.
  ExpectEvent(result.records[0], 2,
              R"({"customer_id":"c1","type":"contact","channel":"CHAT",
                  "attributes":{"Plan":"Pro"}})");
}

TEST_P(RecordReaderTest, CsvQuotedCells) {
  auto result = Read(InputFormat::kCsv,
                     "customer_id,topic,attributes.note\n"
                     "\"c,1\",\"refund \"\"now\"\"\",\"line 1\r\nline 2\"\n"
                     "c2,,\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 2u);
  ExpectEvent(result.records[0], 2,
              R"({"customer_id":"c,1","topic":"refund \"now\"",
                  "attributes":{"note":"line 1\r\nline 2"}})");
  ExpectEvent(result.records[1], 4, R"({"customer_id":"c2"})");
}

TEST_P(RecordReaderTest, CsvStringsAreVerbatimTypedCellsTrimmed) {
  auto result = Read(InputFormat::kCsv,
                     "customer_id,csat,channel,occurred_at\n"
                     " c1 , 4 , voice ,  2024-05-01T10:00:00Z \n");
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2,
              R"({"customer_id":" c1 ","csat":4,"channel":"VOICE",
                  "occurred_at":"2024-05-01T10:00:00Z"})");
}

TEST_P(RecordReaderTest, CsvAttributeTyping) {
  auto result = Read(InputFormat::kCsv,
                     "attributes.a,attributes.b,attributes.c,attributes.d,"
                     "attributes.e,attributes.f,attributes.g,attributes.h,"
                     "attributes.i,attributes.j\n"
                     "true,FALSE,42,-1.5e3, 7 ,abc,nan,12abc,,True \n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2, R"({"attributes":{
      "a": true, "b": false, "c": 42, "d": -1500, "e": 7, "f": "abc",
      "g": "nan", "h": "12abc", "j": true}})");
  const auto& attributes = result.records[0].event->attributes();
  EXPECT_FALSE(attributes.contains("i"));  // empty cell: absent
  EXPECT_TRUE(attributes.at("c").has_number_value());
  EXPECT_TRUE(attributes.at("f").has_string_value());
}

TEST_P(RecordReaderTest, CsvIdentifiersThatLookNumericStayStrings) {
  auto result = Read(InputFormat::kCsv,
                     "attributes.zip,attributes.phone,attributes.zero,"
                     "attributes.fraction\n"
                     "02134,+441234567890,0,0.25\n");
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2, R"({"attributes":{
      "zip": "02134", "phone": "+441234567890", "zero": 0,
      "fraction": 0.25}})");
}

TEST_P(RecordReaderTest, CsvDoesNotValidateRanges) {
  auto result = Read(InputFormat::kCsv,
                     "csat,nps,sentiment,transfers,duration_ms\n"
                     "99,-3,5,1000,-1\n");
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2,
              R"({"csat":99,"nps":-3,"sentiment":5,"transfers":1000,
                  "duration_ms":-1})");
}

TEST_P(RecordReaderTest, CsvBadCellsNameTheField) {
  auto result = Read(InputFormat::kCsv,
                     "customer_id,duration_ms,csat,sentiment,occurred_at,"
                     "channel,outcome\n"
                     "c1,12x,,,,,\n"
                     "c2,,3.5,,,,\n"
                     "c3,,,abc,,,\n"
                     "c4,,,,2024-13-01T00:00:00Z,,\n"
                     "c5,,,,2024-05-01T10:00:00,,\n"
                     "c6,,,,yesterday,,\n"
                     "c7,,,,,fax,\n"
                     "c8,,99999999999,,,,\n"
                     "c9,,,,,,won\n"
                     "c10,,,,infinite-future,,\n"
                     "c11,1,2,0.5,2024-05-01T10:00:00Z,sms,abandoned\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 11u);
  const auto& r = result.records;
  ExpectRejected(r[0], 2, "duration_ms", "must be a whole number, got \"12x\"");
  ExpectRejected(r[1], 3, "csat", "must be a whole number");
  ExpectRejected(r[2], 4, "sentiment", "must be a number, got \"abc\"");
  ExpectRejected(r[3], 5, "occurred_at", "must be an RFC 3339 timestamp");
  ExpectRejected(r[4], 6, "occurred_at", "got \"2024-05-01T10:00:00\"");
  ExpectRejected(r[5], 7, "occurred_at", "got \"yesterday\"");
  ExpectRejected(r[6], 8, "channel", "unknown value \"fax\"; expected one of");
  EXPECT_THAT(r[6].event.status().message(), HasSubstr("voice, chat, email"));
  ExpectRejected(r[7], 9, "csat", "got \"99999999999\"");
  ExpectRejected(r[8], 10, "outcome", "unknown value \"won\"");
  ExpectRejected(r[9], 11, "occurred_at", "RFC 3339");
  for (int i = 0; i < 10; ++i) {
    EXPECT_FALSE(IsParseError(r[i].event.status())) << r[i].event.status();
  }
  ExpectEvent(r[10], 12,
              R"({"customer_id":"c11","duration_ms":1,"csat":2,
                  "sentiment":0.5,"occurred_at":"2024-05-01T10:00:00Z",
                  "channel":"SMS","outcome":"ABANDONED"})");
}

TEST_P(RecordReaderTest, CsvWrongCellCount) {
  auto result = Read(InputFormat::kCsv,
                     "customer_id,type\nc1\nc2,contact,extra\nc3,contact\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  ExpectRejected(result.records[0], 2, "",
                 "row has 1 cell, the header has 2 cells");
  ExpectRejected(result.records[1], 3, "",
                 "row has 3 cells, the header has 2 cells");
  ExpectEvent(result.records[2], 4, R"({"customer_id":"c3","type":"contact"})");
}

TEST_P(RecordReaderTest, CsvMalformedRowsThenGoodRows) {
  auto result = Read(InputFormat::kCsv,
                     "customer_id,topic\n"
                     "c1,\"multi\nline\"\n"
                     "c2,bro\"ken\n"
                     "\"c3\"x,y\n"
                     "c4,\"ok\"\n"
                     "c5,\"never closed\nc6,lost\n");
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 5u);
  const auto& r = result.records;
  ExpectEvent(r[0], 2, R"({"customer_id":"c1","topic":"multi\nline"})");
  ExpectRejected(r[1], 4, "", "quote inside unquoted field 2");
  EXPECT_TRUE(IsParseError(r[1].event.status()));
  ExpectRejected(r[2], 5, "", "text after the closing quote of field 1");
  ExpectEvent(r[3], 6, R"({"customer_id":"c4","topic":"ok"})");
  ExpectRejected(r[4], 7, "", "unterminated quote");
}

TEST_P(RecordReaderTest, CsvUnknownColumnIsFatal) {
  auto result = Read(InputFormat::kCsv, "customer_id, Colour \nc1,red\n");
  EXPECT_THAT(result.records, IsEmpty());
  ASSERT_FALSE(result.status.ok());
  EXPECT_TRUE(IsParseError(result.status));
  EXPECT_EQ(ErrorField(result.status), "Colour");
  EXPECT_THAT(result.status.message(),
              HasSubstr("unknown CSV header column 2"));
  EXPECT_THAT(result.status.message(),
              HasSubstr("event_id, customer_id, occurred_at"));
  EXPECT_THAT(result.status.message(),
              HasSubstr("nps, interaction_id, updated_at, enrichment, "
                        "attributes.KEY, identifiers.NAMESPACE"));
}

TEST_P(RecordReaderTest, CsvMapFieldIsNotAColumn) {
  auto result = Read(InputFormat::kCsv, "attributes\n{}\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "attributes");
  EXPECT_THAT(result.status.message(), HasSubstr("unknown CSV header column"));
  result = Read(InputFormat::kCsv, "identifiers\n[]\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "identifiers");
  EXPECT_THAT(result.status.message(), HasSubstr("unknown CSV header column"));
}

TEST_P(RecordReaderTest, CsvDuplicateColumnIsFatal) {
  auto result = Read(InputFormat::kCsv, "customer_id,type,Customer_Id\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_TRUE(IsParseError(result.status));
  EXPECT_EQ(ErrorField(result.status), "Customer_Id");
  EXPECT_THAT(result.status.message(),
              HasSubstr("duplicate CSV header column: columns 1 and 3"));

  result = Read(InputFormat::kCsv, "attributes.x,ATTRIBUTES.x,attributes.X\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "ATTRIBUTES.x");
  EXPECT_THAT(result.status.message(), HasSubstr("columns 1 and 2"));

  result = Read(InputFormat::kCsv,
                "identifiers.email,attributes.email,Identifiers.email\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "Identifiers.email");
  EXPECT_THAT(result.status.message(), HasSubstr("columns 1 and 3"));
}

TEST_P(RecordReaderTest, CsvNamelessColumnsAreFatal) {
  auto result = Read(InputFormat::kCsv, "customer_id,\nc1,x\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_THAT(result.status.message(),
              HasSubstr("CSV header column 2 has no name"));

  result = Read(InputFormat::kCsv, "customer_id,attributes.\n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "attributes.");
  EXPECT_THAT(result.status.message(), HasSubstr("needs a key"));

  result = Read(InputFormat::kCsv, "customer_id, identifiers. \n");
  ASSERT_FALSE(result.status.ok());
  EXPECT_EQ(ErrorField(result.status), "identifiers.");
  EXPECT_THAT(result.status.message(),
              HasSubstr("CSV header column 2 needs a namespace after "
                        "\"identifiers.\""));
}

TEST_P(RecordReaderTest, CsvMalformedHeaderIsFatal) {
  auto result = Read(InputFormat::kCsv, "\n\ncustomer_id,\"type\nc1,x\n");
  EXPECT_THAT(result.records, IsEmpty());
  ASSERT_FALSE(result.status.ok());
  EXPECT_TRUE(IsParseError(result.status));
  EXPECT_THAT(result.status.message(),
              HasSubstr("the CSV header on line 3 is malformed"));
}

TEST_P(RecordReaderTest, CsvSourceErrorStopsReading) {
  auto result = Read(InputFormat::kCsv, "customer_id\nc1\nc2,\"open",
                     absl::UnavailableError("connection reset"));
  EXPECT_EQ(result.status, absl::UnavailableError("connection reset"));
  ASSERT_EQ(result.records.size(), 1u);
  ExpectEvent(result.records[0], 2, R"({"customer_id":"c1"})");
}

// --- Batches -----------------------------------------------------------------

TEST_P(RecordReaderTest, JsonBatch) {
  std::string input = absl::StrCat("\xEF\xBB\xBF {\"events\": [\n", kEvent1,
                                   ",\n{},\n", kEvent2, "]}\n");
  auto result = Read(InputFormat::kJsonBatch, input);
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  ExpectEvent(result.records[0], 1, kEvent1);
  ExpectEvent(result.records[1], 2, "{}");
  ExpectEvent(result.records[2], 3, kEvent2);
  EXPECT_EQ(result.bytes_read, input.size());
}

TEST_P(RecordReaderTest, EmptyJsonBatches) {
  for (const char* input : {"", " \n", "{}", "{\"events\": []}"}) {
    SCOPED_TRACE(input);
    auto result = Read(InputFormat::kJsonBatch, input);
    EXPECT_TRUE(result.status.ok()) << result.status;
    EXPECT_THAT(result.records, IsEmpty());
  }
}

TEST_P(RecordReaderTest, UnparsableJsonBatchIsFatal) {
  for (const char* input :
       {"{\"events\": [{\"customer_id\": \"c1\"},", "[{}]",
        "{\"events\": [{\"customer_id\": \"c1\", \"bogus\": 1}]}"}) {
    SCOPED_TRACE(input);
    auto result = Read(InputFormat::kJsonBatch, input);
    EXPECT_THAT(result.records, IsEmpty());
    ASSERT_FALSE(result.status.ok());
    EXPECT_TRUE(IsParseError(result.status)) << result.status;
  }
}

TEST_P(RecordReaderTest, ProtobufBatch) {
  v1::EventBatch batch;
  *batch.add_events() = EventFromJson(kEvent1);
  batch.add_events();
  *batch.add_events() = EventFromJson(kEvent2);
  std::string input;
  ASSERT_TRUE(Encode(WireFormat::kProtobuf, batch, &input).ok());
  auto result = Read(InputFormat::kProtobufBatch, input);
  EXPECT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  ExpectEvent(result.records[0], 1, kEvent1);
  ExpectEvent(result.records[1], 2, "{}");
  ExpectEvent(result.records[2], 3, kEvent2);
  EXPECT_EQ(result.bytes_read, input.size());
}

TEST_P(RecordReaderTest, EmptyProtobufBatch) {
  auto result = Read(InputFormat::kProtobufBatch, "");
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_THAT(result.records, IsEmpty());
}

TEST_P(RecordReaderTest, UnparsableProtobufBatchIsFatal) {
  auto result = Read(InputFormat::kProtobufBatch, "\x0a\x7f not protobuf");
  EXPECT_THAT(result.records, IsEmpty());
  ASSERT_FALSE(result.status.ok());
  EXPECT_TRUE(IsParseError(result.status));
  EXPECT_THAT(result.status.message(), HasSubstr("motive.v1.EventBatch"));
}

TEST_P(RecordReaderTest, BatchSourceErrorIsFatal) {
  auto result = Read(InputFormat::kJsonBatch, "{\"events\": [",
                     absl::DataLossError("truncated"));
  EXPECT_THAT(result.records, IsEmpty());
  EXPECT_EQ(result.status, absl::DataLossError("truncated"));
}

}  // namespace
}  // namespace motive::model
