// A record source over events held in memory, one record each, for tests
// and benchmarks that ingest without a file.

#ifndef MOTIVE_TESTS_TESTING_EVENT_SOURCE_H_
#define MOTIVE_TESTS_TESTING_EVENT_SOURCE_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "model/record_reader.h"
#include "motive/v1/event.pb.h"

namespace motive::testing {

class EventSource : public model::RecordSource {
 public:
  explicit EventSource(std::vector<v1::Event> events)
      : events_(std::move(events)) {}
  bool Next(model::InputRecord* record) override {
    if (next_ == events_.size()) return false;
    record->number = next_ + 1;
    record->event = events_[next_++];
    return true;
  }
  absl::Status status() const override { return absl::OkStatus(); }
  uint64_t bytes_read() const override { return next_; }

 private:
  std::vector<v1::Event> events_;
  size_t next_ = 0;
};

}  // namespace motive::testing

#endif  // MOTIVE_TESTS_TESTING_EVENT_SOURCE_H_
