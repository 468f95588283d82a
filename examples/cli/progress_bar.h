// A one-line progress bar on stderr, redrawn in place, for the long
// commands (ingest, import, snapshot, whatif, journeys).

#ifndef MOTIVE_EXAMPLES_CLI_PROGRESS_BAR_H_
#define MOTIVE_EXAMPLES_CLI_PROGRESS_BAR_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "fmt/format.h"

namespace motive::cli {

// Does nothing when disabled (not a terminal). Not thread-safe.
class ProgressBar {
 public:
  // What the counts are: bytes (shown in MiB) or things named `unit`.
  enum class Counting { kBytes, kItems };
  ProgressBar(std::string_view label, bool enabled,
              Counting counting = Counting::kBytes, std::string_view unit = "")
      : label_(label), enabled_(enabled), counting_(counting), unit_(unit) {}
  ~ProgressBar() { Clear(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, uint64_t total) {
    if (!enabled_ || total == 0) return;
    const int permille = static_cast<int>(std::min(done, total) * 1000 / total);
    if (permille == permille_) return;
    permille_ = permille;
    constexpr int kWidth = 30;
    const int filled = permille * kWidth / 1000;
    constexpr double kMiB = 1024.0 * 1024.0;
    const std::string amount =
        counting_ == Counting::kBytes
            ? fmt::format("{:.1f}/{:.1f} MiB", static_cast<double>(done) / kMiB,
                          static_cast<double>(total) / kMiB)
            : fmt::format("{}/{} {}", done, total, unit_);
    fmt::print(stderr, "\r{} [{:#<{}}{:-<{}}] {:5.1f}%  {}\x1b[K", label_, "",
               filled, "", kWidth - filled, permille / 10.0, amount);
    visible_ = true;
  }

  // A mot_progress_fn over the ProgressBar `bar`: updates it and lets the
  // call go on.
  static int Report(void* bar, uint64_t done, uint64_t total) {
    static_cast<ProgressBar*>(bar)->Update(done, total);
    return 0;
  }

  // Erases the bar, so that a message can take its line.
  void Clear() {
    if (!visible_) return;
    fmt::print(stderr, "\r\x1b[K");
    visible_ = false;
    permille_ = -1;
  }

 private:
  const std::string label_;
  const bool enabled_;
  const Counting counting_;
  const std::string unit_;
  bool visible_ = false;
  int permille_ = -1;  // what the bar shows, in tenths of a percent
};

}  // namespace motive::cli

#endif  // MOTIVE_EXAMPLES_CLI_PROGRESS_BAR_H_
