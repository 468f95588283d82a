#include "cluster/topology.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errors.h"

namespace motive::cluster {

absl::Status ValidateClusterOptions(const ClusterOptions& options) {
  if (options.tenant.empty()) return base::FieldError("tenant", "is empty");
  for (char c : options.tenant) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_') {
      return base::FieldError(
          "tenant", absl::StrCat("may hold letters, digits, '-' and '_' only, "
                                 "not '",
                                 std::string(1, c), "'"));
    }
  }
  if (options.partitions == 0) {
    return base::FieldError("partitions", "must be at least 1");
  }
  if (options.streams == 0 || options.streams > options.partitions) {
    return base::FieldError("streams",
                            "must be between 1 and the number of partitions");
  }
  if (options.replicas == 0 || options.replicas > 5) {
    return base::FieldError("replicas", "must be between 1 and 5");
  }
  for (uint32_t p : options.held_partitions) {
    if (p >= options.partitions) {
      return base::FieldError(
          "held_partitions",
          absl::StrCat("partition ", p, " is not below ", options.partitions));
    }
  }
  if (options.write_timeout <= absl::ZeroDuration()) {
    return base::FieldError("write_timeout", "must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<uint32_t>> ParsePartitionList(
    absl::string_view text, uint32_t partitions) {
  std::vector<uint32_t> list;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    uint32_t first = 0, last = 0;
    const size_t dash = part.find('-');
    const bool ok =
        dash == absl::string_view::npos
            ? absl::SimpleAtoi(part, &first) && (last = first, true)
            : absl::SimpleAtoi(part.substr(0, dash), &first) &&
                  absl::SimpleAtoi(part.substr(dash + 1), &last);
    if (!ok || first > last || last >= partitions) {
      return base::FieldError(
          "held_partitions",
          absl::StrCat("'", part, "' is not a partition or a range of "
                       "partitions (such as 0-63) below ", partitions));
    }
    for (uint32_t p = first; p <= last; ++p) list.push_back(p);
  }
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  return list;
}

uint32_t PartitionOf(absl::string_view key, uint32_t partitions) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<uint32_t>(hash % partitions);
}

Topology::Topology(const ClusterOptions& options)
    : tenant_(options.tenant), partitions_(options.partitions) {
  for (uint32_t k = 0; k < options.streams; ++k) {
    names_.push_back(absl::StrCat("MOTIVE_", options.tenant, "_", k));
  }
}

std::string Topology::Subject(uint32_t partition) const {
  return absl::StrCat("motive.", tenant_, ".ev.", partition);
}

std::vector<std::string> Topology::Subjects(uint32_t stream) const {
  std::vector<std::string> subjects;
  for (uint32_t p = stream; p < partitions_; p += streams()) {
    subjects.push_back(Subject(p));
  }
  return subjects;
}

}  // namespace motive::cluster
