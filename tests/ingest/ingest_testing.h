// What the importer tests share: chunked sources, reading a source whole,
// and the sample vendor files in ../shared/data.

#ifndef MOTIVE_TESTS_INGEST_INGEST_TESTING_H_
#define MOTIVE_TESTS_INGEST_INGEST_TESTING_H_

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "ingest/importer.h"
#include "model/record_reader.h"

namespace motive::ingest::testing {

// Hands out `data` in chunks of `chunk_size` bytes (0: all at once), then
// `end`. Each chunk is copied into one buffer scribbled over on the next
// call, so a reader that kept a view past it reads garbage.
inline model::InputSource ChunkSource(std::string data, size_t chunk_size,
                                      absl::Status end = absl::OkStatus()) {
  struct State {
    std::string data;
    size_t chunk_size = 0;
    absl::Status end;
    size_t pos = 0;
    std::string buffer;
  };
  auto state = std::make_shared<State>();
  state->data = std::move(data);
  state->chunk_size = chunk_size == 0 ? ~size_t{0} : chunk_size;
  state->end = std::move(end);
  return [state]() -> absl::StatusOr<absl::string_view> {
    std::fill(state->buffer.begin(), state->buffer.end(), '#');
    if (state->pos == state->data.size()) {
      if (!state->end.ok()) return state->end;
      return absl::string_view();
    }
    const size_t n =
        std::min(state->chunk_size, state->data.size() - state->pos);
    state->buffer.assign(state->data, state->pos, n);
    state->pos += n;
    return absl::string_view(state->buffer);
  };
}

struct ReadResult {
  std::vector<model::InputRecord> records;
  absl::Status status;

  // The events, in order; the test fails on a rejected record.
  std::vector<v1::Event> Events() const {
    std::vector<v1::Event> events;
    for (const auto& record : records) {
      if (record.event.ok()) events.push_back(*record.event);
    }
    return events;
  }
  std::vector<model::InputRecord> Rejected() const {
    std::vector<model::InputRecord> rejected;
    for (const auto& record : records) {
      if (!record.event.ok() && !record.skipped) rejected.push_back(record);
    }
    return rejected;
  }
  // The numbers of the skipped records.
  std::vector<uint64_t> Skipped() const {
    std::vector<uint64_t> skipped;
    for (const auto& record : records) {
      if (record.skipped) skipped.push_back(record.number);
    }
    return skipped;
  }
};

inline ReadResult ReadAll(model::RecordSource& source) {
  ReadResult result;
  model::InputRecord record;
  while (source.Next(&record)) result.records.push_back(record);
  result.status = source.status();
  return result;
}

inline ReadResult Import(Platform platform, std::string input,
                         size_t chunk_size = 0,
                         const ImportOptions& options = ImportOptions()) {
  auto source =
      NewImporter(platform, ChunkSource(std::move(input), chunk_size), options);
  return ReadAll(*source);
}

// The one event `json` maps to under `platform`; an empty event, and a
// failure, when it gives anything else.
inline v1::Event MapOne(Platform platform, const std::string& json) {
  auto result = Import(platform, json);
  EXPECT_TRUE(result.status.ok()) << result.status;
  if (result.records.size() != 1 || !result.records[0].event.ok()) {
    ADD_FAILURE() << (result.records.size() != 1
                          ? absl::StrCat(result.records.size(), " records")
                          : result.records[0].event.status().ToString());
    return v1::Event();
  }
  return *result.records[0].event;
}

// Why `json`, one record, is rejected under `platform`.
inline absl::Status Rejection(Platform platform, const std::string& json) {
  auto result = Import(platform, json);
  EXPECT_TRUE(result.status.ok()) << result.status;
  if (result.records.size() != 1) {
    ADD_FAILURE() << result.records.size() << " records";
    return absl::OkStatus();
  }
  EXPECT_FALSE(result.records[0].event.ok());
  return result.records[0].event.status();
}

// An attribute's value; -1 (and a failure) or "<absent>" when missing.
inline double Number(const v1::Event& event, const std::string& key) {
  auto it = event.attributes().find(key);
  EXPECT_NE(it, event.attributes().end()) << key;
  return it == event.attributes().end() ? -1 : it->second.number_value();
}

inline std::string Text(const v1::Event& event, const std::string& key) {
  auto it = event.attributes().find(key);
  return it == event.attributes().end() ? "<absent>"
                                        : it->second.string_value();
}

// A pretty-printed record on one line, for JSON Lines input.
inline std::string OneLine(std::string text) {
  absl::StrReplaceAll({{"\n", " "}}, &text);
  return text;
}

// A record's outcome as one line, for comparing readings.
inline std::string Describe(const model::InputRecord& record) {
  if (record.skipped) return absl::StrCat(record.number, " skipped");
  if (record.event.ok()) {
    return absl::StrCat(record.number, " ", record.event->ShortDebugString());
  }
  return absl::StrCat(record.number, " error [",
                      base::ErrorField(record.event.status()), "] ",
                      record.event.status().message());
}

inline std::vector<std::string> Describe(const ReadResult& result) {
  std::vector<std::string> lines;
  for (const auto& record : result.records) lines.push_back(Describe(record));
  // Not ToString(): absl prints a status's payloads in an order that varies
  // from one status to another (with their addresses), so two equal errors
  // could print differently.
  const absl::Status& s = result.status;
  lines.push_back(
      s.ok() ? "OK"
             : absl::StrCat(absl::StatusCodeToString(s.code()), ": ",
                            s.message(), " [field ", base::ErrorField(s),
                            "] [kind ", static_cast<int>(base::KindOf(s)),
                            "]"));
  return lines;
}

// A file of ../shared/data, or nullopt when it is absent (the caller skips).
inline std::optional<std::string> SharedFile(const std::string& name) {
  std::ifstream in(std::string(MOTIVE_SHARED_DIR) + "/data/" + name,
                   std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

#define MOTIVE_SHARED_FILE_OR_SKIP(var, name)                           \
  std::optional<std::string> var##_file =                               \
      ::motive::ingest::testing::SharedFile(name);                      \
  if (!var##_file) {                                                    \
    GTEST_SKIP() << "sample data ../shared/data/" << (name)             \
                 << " is absent (tests read the shared vendor samples " \
                    "relative to the project root)";                    \
  }                                                                     \
  const std::string& var = *var##_file

}  // namespace motive::ingest::testing

#endif  // MOTIVE_TESTS_INGEST_INGEST_TESTING_H_
