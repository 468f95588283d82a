#include "event_table.h"

#include <algorithm>
#include <array>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "fmt/format.h"

namespace motive::cli {
namespace {

constexpr size_t kColumns = 6;
using Row = std::array<std::string, kColumns>;
constexpr Row kHeader = {"time (UTC)", "moment", "stage",
                         "channel",    "type",   "details"};

Row EventRow(const v1::Event& e) {
  return {MinuteText(e.occurred_at()),
          EnumText(e.moment(), v1::Moment_Name(e.moment())),
          EnumText(e.stage(), v1::Stage_Name(e.stage())),
          EnumText(e.channel(), v1::Channel_Name(e.channel())),
          e.type(),
          DetailsText(e)};
}

}  // namespace

std::string EnumText(int value, const std::string& name) {
  return value == 0 ? "-" : absl::AsciiStrToLower(name);
}

std::string MinuteText(const google::protobuf::Timestamp& ts) {
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(ts.seconds()),
                          absl::UTCTimeZone());
}

std::string DurationText(int64_t ms) {
  const int64_t s = (ms + 500) / 1000;
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, s % 3600 / 60);
}

std::string DetailsText(const v1::Event& e) {
  std::vector<std::string> parts;
  if (!e.topic().empty()) parts.push_back(e.topic());
  if (e.outcome() != v1::OUTCOME_UNSPECIFIED) {
    parts.push_back(EnumText(e.outcome(), v1::Outcome_Name(e.outcome())));
  }
  if (e.has_sentiment()) {
    parts.push_back(fmt::format("sentiment {:+.2f}", e.sentiment()));
  }
  if (e.has_value()) {
    parts.push_back(e.currency().empty()
                        ? fmt::format("{:.2f}", e.value())
                        : fmt::format("{:.2f} {}", e.value(), e.currency()));
  }
  if (e.has_csat()) parts.push_back(fmt::format("csat {}", e.csat()));
  if (e.has_nps()) parts.push_back(fmt::format("nps {}", e.nps()));
  if (e.transfers() > 0) {
    parts.push_back(fmt::format("{} transfer{}", e.transfers(),
                                e.transfers() == 1 ? "" : "s"));
  }
  if (e.hold_ms() > 0) {
    parts.push_back(fmt::format("hold {}", DurationText(e.hold_ms())));
  }
  return absl::StrJoin(parts, ", ");
}

void PrintEventTable(
    const google::protobuf::RepeatedPtrField<v1::Event>& events) {
  std::vector<Row> rows = {kHeader};
  rows.reserve(static_cast<size_t>(events.size()) + 1);
  for (const v1::Event& e : events) rows.push_back(EventRow(e));
  std::array<size_t, kColumns> widths{};
  for (const Row& row : rows) {
    for (size_t i = 0; i < kColumns; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const Row& row : rows) {
    std::string line;
    for (size_t i = 0; i + 1 < kColumns; ++i) {
      line += fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    line += row[kColumns - 1];
    line.erase(line.find_last_not_of(' ') + 1);
    fmt::print("{}\n", line);
  }
}

}  // namespace motive::cli
