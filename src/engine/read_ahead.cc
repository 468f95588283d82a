#include "engine/read_ahead.h"

#include <utility>

namespace motive::engine {
namespace {

// Batches read ahead and waiting: one keeps the reader busy while the caller
// stores, and bounds the memory at about three batches (one stored, one
// waiting, one being read).
constexpr size_t kMaxReady = 1;

}  // namespace

ReadAhead::ReadAhead(model::RecordSource& reader, uint32_t batch_size,
                     Prepare prepare)
    : reader_(reader),
      batch_size_(batch_size),
      prepare_(std::move(prepare)) {}

ReadAhead::~ReadAhead() {
  {
    base::MutexLock lock(&mu_);
    stop_ = true;
  }
  changed_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void ReadAhead::Fill(ReadBatch* batch) {
  *batch = ReadBatch();
  batch->events.reserve(batch_size_);
  batch->bodies.reserve(batch_size_);
  model::InputRecord record;
  for (uint32_t read = 0; read < batch_size_; ++read) {
    if (!reader_.Next(&record)) {
      batch->last = true;
      break;
    }
    if (record.number != last_number_ || first_record_) ++batch->records;
    first_record_ = false;
    last_number_ = record.number;
    if (record.skipped) {
      ++batch->skipped;
      continue;
    }
    absl::Status status = record.event.status();
    if (status.ok()) status = prepare_(&*record.event);
    if (status.ok()) {
      record.event->SerializeToString(&batch->bodies.emplace_back());
      batch->events.push_back(*std::move(record.event));
    } else {
      batch->rejects.push_back({record.number, std::move(status)});
    }
  }
  batch->bytes_read = reader_.bytes_read();
}

void ReadAhead::ReadLoop() {
  while (true) {
    std::vector<ReadBatch> spent;
    {
      base::MutexLock lock(&mu_);
      spent.swap(spent_);
    }
    spent.clear();
    ReadBatch batch;
    Fill(&batch);
    const bool last = batch.last;
    base::MutexLock lock(&mu_);
    while (!stop_ && ready_.size() >= kMaxReady) changed_.Wait(&mu_);
    if (stop_) return;
    ready_.push_back(std::move(batch));
    changed_.SignalAll();
    if (last) return;
  }
}

bool ReadAhead::Next(ReadBatch* batch) {
  if (ended_) return false;
  if (!thread_.joinable()) {
    Fill(batch);
    if (!batch->last) thread_ = std::thread([this] { ReadLoop(); });
  } else {
    base::MutexLock lock(&mu_);
    while (ready_.empty()) changed_.Wait(&mu_);
    spent_.push_back(std::move(*batch));
    *batch = std::move(ready_.front());
    ready_.pop_front();
    changed_.SignalAll();
  }
  ended_ = batch->last;
  return true;
}

}  // namespace motive::engine
