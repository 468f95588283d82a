// ReadAhead: the reading half of a bulk ingest, on a thread of its own.
//
// Ingesting a platform export is two jobs of about equal weight: reading
// (framing, parsing, mapping, normalizing and validating each record) and
// storing (the log's transaction, identities, the fold). ReadAhead reads the
// next batch while the caller stores the one before, so each job keeps a
// core. The first batch is read on the caller's thread, and the thread
// starts only when there is a second: an input of one batch, the common
// case of a small buffer, costs no thread.
//
// Batches come out in input order, each with the records that were rejected
// while reading it, so the caller reports them in order, on its own thread.

#ifndef MOTIVE_ENGINE_READ_AHEAD_H_
#define MOTIVE_ENGINE_READ_AHEAD_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "base/mutex.h"
#include "model/record_reader.h"
#include "motive/v1/event.pb.h"

namespace motive::engine {

struct ReadBatch {
  struct Reject {
    uint64_t record;
    absl::Status status;
  };
  // The prepared events of the batch's records, in input order, and each
  // one serialized, which the log would otherwise do on the storing thread.
  std::vector<v1::Event> events;
  std::vector<std::string> bodies;
  std::vector<Reject> rejects;
  // Source records begun in this batch (the events of one record share its
  // number, and may straddle two batches), and those of them skipped (not
  // about a customer: model::InputRecord::skipped).
  uint64_t records = 0;
  uint64_t skipped = 0;
  // The reader's position at the batch's end, for progress reports.
  uint64_t bytes_read = 0;
  // The input ended with this batch (it may be empty).
  bool last = false;
};

class ReadAhead {
 public:
  // Readies each valid event with `prepare`, which must be thread-safe; an
  // error rejects its record. A batch ends after `batch_size` (> 0) records,
  // rejected ones included, so that input full of rejects still makes
  // progress. `reader` must outlive this object and not be used elsewhere
  // until it is destroyed.
  using Prepare = std::function<absl::Status(v1::Event*)>;
  ReadAhead(model::RecordSource& reader, uint32_t batch_size, Prepare prepare);
  // Stops the reading (after the record in hand) and waits for the thread.
  ~ReadAhead();

  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next batch; false once the batch marked `last` has been handed out.
  // What `*batch` held before goes to the reading thread to be freed, which
  // takes about a tenth of a bulk ingest's time off the storing thread.
  bool Next(ReadBatch* batch);

  // The reader's fatal error, if any; valid once Next returned false.
  absl::Status status() const { return reader_.status(); }

 private:
  void Fill(ReadBatch* batch);
  void ReadLoop();

  model::RecordSource& reader_;
  const uint32_t batch_size_;
  const Prepare prepare_;
  // Fill's memory of the record before, on the reading thread only.
  uint64_t last_number_ = 0;
  bool first_record_ = true;
  bool ended_ = false;  // the caller's: the last batch was handed out

  base::Mutex mu_;
  base::CondVar changed_;
  // Batches read and not yet taken (at most kMaxReady).
  std::deque<ReadBatch> ready_ ABSL_GUARDED_BY(mu_);
  std::vector<ReadBatch> spent_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace motive::engine

#endif  // MOTIVE_ENGINE_READ_AHEAD_H_
