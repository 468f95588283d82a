#include "store/writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/errors.h"

namespace motive::store {
namespace {

constexpr char kFirstLine[] = "motive writer lock 1";

absl::Status Errno(absl::string_view what, const std::string& path) {
  return base::IoError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

// The whole file, read from its start (at most a page: it is three lines).
std::string ReadAll(int fd) {
  char buffer[4096];
  ssize_t n = ::pread(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// The "holder" line and the durable end, from what a writer wrote; "" and 0
// for what no writer wrote (a new file, or garbage: the end is only a
// safeguard, so a damaged lock file loses the check, not the log).
void Parse(absl::string_view text, std::string* holder, int64_t* end) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  if (lines.empty() || lines[0] != kFirstLine) return;
  for (absl::string_view line : lines) {
    if (absl::StartsWith(line, "holder ")) *holder = std::string(line);
    if (absl::ConsumePrefix(&line, "durable_seq ")) {
      int64_t seq = 0;
      if (absl::SimpleAtoi(line, &seq) && seq > 0) *end = seq;
    }
  }
}

absl::Status Write(int fd, const std::string& holder, int64_t end) {
  const std::string text =
      absl::StrCat(kFirstLine, "\n", holder, "\ndurable_seq ", end, "\n");
  // Written in place and then cut: the file never shrinks below the new
  // text, so a reader sees the old lines or the new ones.
  if (::pwrite(fd, text.data(), text.size(), 0) !=
          static_cast<ssize_t>(text.size()) ||
      ::ftruncate(fd, static_cast<off_t>(text.size())) != 0) {
    return base::IoError(
        absl::StrCat("writing the log's lock file: ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<WriterLock>> WriterLock::Acquire(
    const std::string& db_path) {
  const std::string path = db_path + "-lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("opening the lock file", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    std::string holder;
    int64_t end = 0;
    Parse(ReadAll(fd), &holder, &end);
    ::close(fd);
    if (error != EWOULDBLOCK) {
      errno = error;
      return Errno("locking", path);
    }
    return absl::UnavailableError(absl::StrCat(
        db_path, " is open for writing by another engine (",
        holder.empty() ? "holder unknown" : holder,
        "); a log has one writer at a time: close that one, or open this "
        "one read-only"));
  }
  std::string previous_holder;
  int64_t end = 0;
  Parse(ReadAll(fd), &previous_holder, &end);
  std::string holder = absl::StrCat(
      "holder pid ", ::getpid(), " since ",
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  if (absl::Status s = Write(fd, holder, end); !s.ok()) {
    ::close(fd);
    return s;
  }
  return std::unique_ptr<WriterLock>(
      new WriterLock(fd, path, std::move(holder), end));
}

WriterLock::~WriterLock() { ::close(fd_); }

void WriterLock::ForgetEnd() {
  recorded_end_ = 0;
  base::MutexLock lock(&mu_);
  if (Write(fd_, holder_, 0).ok()) written_end_ = 0;
}

void WriterLock::RecordEnd(int64_t seq) {
  base::MutexLock lock(&mu_);
  if (seq <= written_end_) return;
  if (Write(fd_, holder_, seq).ok()) written_end_ = seq;
}

}  // namespace motive::store
