// The event log (store/event_log.h) over damaged database files: opening
// refuses what it cannot trust; what it opens must read, append, erase and
// report errors, never crash.
//
// Input: one byte of options (bit 0: skip the integrity check, so that
// damage the check would refuse reaches the reads), then the file. The seeds
// are small logs written by motive (tests/fuzz/README.md).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/event_log.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/journey.h"

namespace motive::fuzz {
namespace {

// Enough customers to read back to reach every part of the file.
constexpr size_t kMaxCustomers = 8;

void Exercise(store::EventLog& log) {
  std::vector<std::string> customers;
  (void)log.Scan(0, [&](int64_t, const v1::Event& event) {
    if (customers.size() < kMaxCustomers) {
      customers.push_back(event.customer_id());
    }
    return absl::OkStatus();
  });
  for (const std::string& customer : customers) {
    (void)log.ReadCustomer(customer, store::TimeRange{});
    (void)log.ReadCustomer(
        customer, {.since_us = 1, .until_us = AfterJourneyUs(), .limit = 2});
  }
  (void)log.CountEvents();
  if (absl::StatusOr<int64_t> last = log.LastSeq(); last.ok()) {
    (void)log.EventIdAt(*last);
  }
  (void)log.Append(Journey());
  (void)log.Flush();
  if (!customers.empty()) (void)log.EraseCustomer(customers.front());
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace fuzz = motive::fuzz;
  namespace store = motive::store;
  static const fuzz::ScratchFile file("event_log.db");
  fuzz::FuzzInput in(fuzz::AsText(data, size));
  const uint8_t options = in.Byte();
  file.Write(in.rest());
  store::EventLogOptions open;
  open.create_if_missing = false;
  open.integrity_check = (options & 1) != 0 ? store::IntegrityCheck::kNone
                                            : store::IntegrityCheck::kQuick;
  absl::StatusOr<std::unique_ptr<store::EventLog>> log =
      store::EventLog::Open(file.path(), open);
  if (log.ok()) fuzz::Exercise(**log);
  return 0;
}
