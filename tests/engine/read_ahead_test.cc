#include "engine/read_ahead.h"

#include <atomic>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace motive::engine {
namespace {

using ::testing::ElementsAre;

// Records 1..n, two events each; record numbers divisible by `bad_every`
// come out as errors.
class CountingSource : public model::RecordSource {
 public:
  CountingSource(uint64_t records, uint64_t bad_every)
      : records_(records), bad_every_(bad_every) {}

  bool Next(model::InputRecord* record) override {
    if (emitted_ == 2 * records_) return false;
    record->number = emitted_ / 2 + 1;
    ++emitted_;
    if (bad_every_ != 0 && record->number % bad_every_ == 0) {
      record->event = base::FieldError("type", "bad");
    } else {
      v1::Event event;
      event.set_event_id(absl::StrCat("e", emitted_));
      record->event = std::move(event);
    }
    reads_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  absl::Status status() const override { return absl::OkStatus(); }
  uint64_t bytes_read() const override { return emitted_ * 10; }

  uint64_t reads() const { return reads_.load(); }

 private:
  const uint64_t records_;
  const uint64_t bad_every_;
  uint64_t emitted_ = 0;
  std::atomic<uint64_t> reads_{0};
};

absl::Status Accept(v1::Event*) { return absl::OkStatus(); }

TEST(ReadAheadTest, OneBatchIsReadOnTheCallersThread) {
  CountingSource source(3, 0);
  ReadAhead ahead(source, 100, Accept);
  ReadBatch batch;
  ASSERT_TRUE(ahead.Next(&batch));
  EXPECT_TRUE(batch.last);
  EXPECT_EQ(batch.events.size(), 6u);
  ASSERT_EQ(batch.bodies.size(), 6u);
  v1::Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(batch.bodies[5]));
  EXPECT_EQ(parsed.event_id(), "e6");
  EXPECT_EQ(batch.records, 3u);
  EXPECT_EQ(batch.bytes_read, 60u);
  EXPECT_FALSE(ahead.Next(&batch));
}

TEST(ReadAheadTest, EmptyInputGivesOneEmptyLastBatch) {
  CountingSource source(0, 0);
  ReadAhead ahead(source, 4, Accept);
  ReadBatch batch;
  ASSERT_TRUE(ahead.Next(&batch));
  EXPECT_TRUE(batch.last);
  EXPECT_TRUE(batch.events.empty());
  EXPECT_EQ(batch.records, 0u);
  EXPECT_FALSE(ahead.Next(&batch));
}

TEST(ReadAheadTest, BatchesComeInOrderWithTheirRejects) {
  // 1,000 records of two events, batches of 7 events: records straddle
  // batches, and every record counts once.
  CountingSource source(1000, 10);
  int prepared = 0;
  ReadAhead ahead(source, 7, [&](v1::Event* event) {
    ++prepared;  // on one thread at a time: the caller's, then the reader's
    return event->event_id() == "e5" ? base::FieldError("customer_id", "no")
                                     : absl::OkStatus();
  });
  ReadBatch batch;
  std::vector<std::string> ids;
  std::vector<uint64_t> rejected;
  uint64_t records = 0, batches = 0, last_bytes = 0;
  while (ahead.Next(&batch)) {
    ++batches;
    records += batch.records;
    EXPECT_GE(batch.bytes_read, last_bytes);
    last_bytes = batch.bytes_read;
    for (const v1::Event& e : batch.events) ids.push_back(e.event_id());
    for (const auto& reject : batch.rejects) rejected.push_back(reject.record);
    EXPECT_EQ(batch.events.size() + batch.rejects.size(),
              batch.last ? 2000u % 7 : 7u);
  }
  EXPECT_TRUE(ahead.status().ok());
  EXPECT_EQ(batches, 2000u / 7 + 1);
  EXPECT_EQ(records, 1000u);
  // 100 bad records of two events each, and e5 refused by prepare.
  ASSERT_EQ(rejected.size(), 201u);
  EXPECT_THAT(std::vector<uint64_t>(rejected.begin(), rejected.begin() + 4),
              ElementsAre(3, 10, 10, 20));
  ASSERT_EQ(ids.size(), 1799u);
  EXPECT_EQ(ids[0], "e1");
  EXPECT_EQ(ids[4], "e6");
  EXPECT_EQ(ids.back(), "e1998");
  EXPECT_EQ(prepared, 1800);
}

TEST(ReadAheadTest, StoppingEarlyReadsAtMostAFewBatchesMore) {
  CountingSource source(1000000, 0);
  {
    ReadAhead ahead(source, 100, Accept);
    ReadBatch batch;
    ASSERT_TRUE(ahead.Next(&batch));
    ASSERT_TRUE(ahead.Next(&batch));
  }
  // Two taken, at most one waiting and one being read when it stopped.
  EXPECT_LE(source.reads(), 400u);
}

}  // namespace
}  // namespace motive::engine
