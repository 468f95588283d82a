// The snapshot file, field by field (snapshot.h gives the outline; Bytes is
// a u32 length then the bytes):
//   "MOTSNAP1", version u32, config fingerprint u64, seq i64, event_id Bytes,
//   learned count u32, then per action in increasing id order: action id u32,
//     offered, accepted, rejected, ignored, converted u64 (ActionStats),
//   identity graph Bytes,
//   per customer: customer id Bytes, CustomerState::Save's output as Bytes
//     (the length lets the reader check that Load took exactly its share),
//   string count u32, then per string in increasing id order: id u32, Bytes
//     (only the ids written above: SnapshotWriter::Id and Refer note them),
//   customer count u64, the strings' offset in the file u64, checksum u64
//     (see Checksum) of everything before it.
// Customers come in no particular order. The strings come last because the
// writer learns which ones it needs only as it writes the states; the
// reader, which holds the whole file, finds them by their offset and loads
// them first.

#include "state/snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/errors.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "model/event_id.h"

namespace motive::state {
namespace {

// Numbers and HeldEvent arrays are copied with memcpy, which is the file's
// little-endian layout only on a little-endian host.
static_assert(std::endian::native == std::endian::little,
              "snapshots assume a little-endian host");

constexpr char kMagic[8] = {'M', 'O', 'T', 'S', 'N', 'A', 'P', '1'};
// Bumped whenever anything written changes, CustomerState::Save's layout
// included.
constexpr uint32_t kFormatVersion = 6;
constexpr uint32_t kFingerprintSeed = 0x63667067;  // "cfpg"
constexpr uint32_t kChecksumSeed = 0x736e6170;     // "snap"

// The checksum covers the file in chunks of this size so that the writer can
// compute it while streaming (see Checksum).
constexpr size_t kChecksumChunk = size_t{1} << 20;
// The writer hands its buffer to the file once it holds this much.
constexpr size_t kDrainBytes = 8 * kChecksumChunk;
// The trailer: customer count u64 and strings offset u64 (covered by the
// checksum), checksum u64.
constexpr size_t kTrailerBytes = 24;
// The smallest file: magic, version, fingerprint, seq, event_id length,
// learned count, string count, trailer.
constexpr size_t kMinimumBytes = 8 + 4 + 8 + 8 + 4 + 4 + 4 + kTrailerBytes;
// One string: id and length, then at least one byte.
constexpr size_t kStringBytes = 4 + 4 + 1;
// One action's learning counters: id and five counts.
constexpr size_t kLearnedBytes = 4 + 5 * 8;

// The checksum of a file's bytes before the checksum itself: MurmurHash3
// x64-128 (model/event_id.h; its low 64 bits, seed kChecksumSeed) of the
// concatenated little-endian low 64 bits of each consecutive kChecksumChunk
// slice's MurmurHash3, the last slice possibly shorter. A plain hash of the
// whole would need the whole file in memory when writing.
class Checksum {
 public:
  // `chunk` is kChecksumChunk bytes long, except for the last one.
  void Add(absl::string_view chunk) {
    const uint64_t h = model::Murmur3x64_128(chunk, kChecksumSeed).low;
    char bytes[sizeof(h)];
    std::memcpy(bytes, &h, sizeof(h));
    chunk_hashes_.append(bytes, sizeof(bytes));
  }
  uint64_t Finish() const {
    return model::Murmur3x64_128(chunk_hashes_, kChecksumSeed).low;
  }

 private:
  std::string chunk_hashes_;
};

uint64_t ChecksumOf(absl::string_view data) {
  Checksum checksum;
  for (size_t at = 0; at < data.size(); at += kChecksumChunk) {
    checksum.Add(data.substr(at, kChecksumChunk));
  }
  return checksum.Finish();
}

absl::Status ErrnoError(absl::string_view what, const std::string& path) {
  return base::IoError(
      absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status WriteAll(base::FileIo& io, int fd, absl::string_view data,
                      const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = io.Write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("writing", path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

// The temporary file a snapshot is streamed to, removed unless committed.
class TempFile {
 public:
  TempFile(std::string path, base::FileIo& io)
      : path_(std::move(path)), io_(io) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  // Created anew, so that it is private (0600: a snapshot holds personal
  // data) whatever mode one left by a crash had.
  absl::Status Open() {
    if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError("removing", path_);
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) return ErrnoError("creating", path_);
    return absl::OkStatus();
  }

  // Writes the whole checksum chunks at the front of `buffer` (all of it
  // when `last`) and removes them from it.
  absl::Status Drain(std::string& buffer, bool last) {
    const size_t n =
        last ? buffer.size() : buffer.size() / kChecksumChunk * kChecksumChunk;
    const absl::string_view out(buffer.data(), n);
    for (size_t at = 0; at < n; at += kChecksumChunk) {
      checksum_.Add(out.substr(at, kChecksumChunk));
    }
    absl::Status status = WriteAll(io_, fd_, out, path_);
    drained_ += n;
    buffer.erase(0, n);
    return status;
  }

  // The bytes drained so far: the file offset of the buffer's first byte.
  uint64_t drained() const { return drained_; }

  // Ends the file with the checksum of everything drained into it.
  absl::Status WriteChecksum() {
    const uint64_t checksum = checksum_.Finish();
    return WriteAll(io_, fd_,
                    absl::string_view(reinterpret_cast<const char*>(&checksum),
                                      sizeof(checksum)),
                    path_);
  }

  // Makes the file durable and renames it over `final_path`, then makes the
  // rename durable.
  absl::Status Commit(const std::string& final_path) {
    if (io_.Fsync(fd_) != 0) return ErrnoError("syncing", path_);
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) return ErrnoError("closing", path_);
    if (io_.Rename(path_.c_str(), final_path.c_str()) != 0) {
      return ErrnoError(absl::StrCat("renaming ", path_, " to"), final_path);
    }
    committed_ = true;
    const std::string dir =
        std::filesystem::path(final_path).parent_path().string();
    const int dir_fd =
        ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_CLOEXEC);
    if (dir_fd < 0) return ErrnoError("opening", dir);
    const int synced = io_.Fsync(dir_fd);
    ::close(dir_fd);
    if (synced != 0) return ErrnoError("syncing", dir);
    return absl::OkStatus();
  }

 private:
  const std::string path_;
  base::FileIo& io_;
  int fd_ = -1;
  bool committed_ = false;
  uint64_t drained_ = 0;
  Checksum checksum_;
};

// Memory for a whole file, mapped for it and unmapped on destruction. The
// kernel is asked for huge pages: a snapshot is about 1 KB per customer, and
// in 4 KiB pages, faulted in one by one as read() filled them, a million
// customers' snapshot took a quarter of a million page faults, as long as
// decoding it.
class FileBytes {
 public:
  // Empty (data() null) when the memory could not be mapped.
  explicit FileBytes(size_t size) : size_(size) {
    if (size == 0) return;
    void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    // Only advice: without transparent huge pages the mapping still works.
    ::madvise(p, size, MADV_HUGEPAGE);
    data_ = static_cast<char*>(p);
  }
  ~FileBytes() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;

  char* data() const { return data_; }
  size_t size() const { return size_; }
  absl::string_view view() const { return {data_, size_}; }

 private:
  char* data_ = nullptr;
  size_t size_;
};

// The whole file at `path`, read at once (a snapshot is read whole anyway,
// and one read is the fastest way there).
absl::StatusOr<std::unique_ptr<FileBytes>> ReadWholeFile(
    const std::string& path, base::FileIo& io) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("no snapshot at ", path));
    }
    return ErrnoError("opening", path);
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    absl::Status status = ErrnoError("reading", path);
    ::close(fd);
    return status;
  }
  auto data = std::make_unique<FileBytes>(static_cast<size_t>(st.st_size));
  if (data->size() > 0 && data->data() == nullptr) {
    absl::Status status = ErrnoError("allocating memory to read", path);
    ::close(fd);
    return status;
  }
  size_t done = 0;
  while (done < data->size()) {
    const ssize_t n = io.Read(fd, data->data() + done, data->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status status =
          n < 0 ? ErrnoError("reading", path)
                : absl::DataLossError(absl::StrCat("snapshot ", path,
                                                   " shrank while being read"));
      ::close(fd);
      return status;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return data;
}

}  // namespace

// --- SnapshotWriter ---------------------------------------------------------

void SnapshotWriter::U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }

void SnapshotWriter::U32(uint32_t v) { Raw(&v, sizeof(v)); }

void SnapshotWriter::U64(uint64_t v) { Raw(&v, sizeof(v)); }

void SnapshotWriter::F64(double v) { Raw(&v, sizeof(v)); }

void SnapshotWriter::Bytes(absl::string_view v) {
  U32(static_cast<uint32_t>(v.size()));
  out_->append(v.data(), v.size());
}

void SnapshotWriter::Raw(const void* data, size_t size) {
  if (size == 0) return;  // `data` may be null then.
  out_->append(static_cast<const char*>(data), size);
}

// --- SnapshotReader ---------------------------------------------------------

bool SnapshotReader::Raw(void* data, size_t size) {
  // An empty array may have no storage at all: memcpy must not see its null.
  if (size == 0) return ok_;
  if (size > in_.size()) {
    // Everything after a failed read fails too, so that a caller may check
    // ok() once at the end.
    in_ = {};
    ok_ = false;
    std::memset(data, 0, size);
    return false;
  }
  std::memcpy(data, in_.data(), size);
  in_.remove_prefix(size);
  return true;
}

uint8_t SnapshotReader::U8() {
  uint8_t v;
  Raw(&v, sizeof(v));
  return v;
}

uint32_t SnapshotReader::U32() {
  uint32_t v;
  Raw(&v, sizeof(v));
  return v;
}

uint64_t SnapshotReader::U64() {
  uint64_t v;
  Raw(&v, sizeof(v));
  return v;
}

double SnapshotReader::F64() {
  double v;
  Raw(&v, sizeof(v));
  return v;
}

uint32_t SnapshotReader::Id() {
  const uint32_t id = U32();
  if (!Known(id)) {
    in_ = {};
    ok_ = false;
    return Interner::kEmpty;
  }
  return id;
}

bool SnapshotReader::Known(uint32_t id) const {
  return strings_ == nullptr || id == Interner::kEmpty ||
         !strings_->View(id).empty();
}

absl::string_view SnapshotReader::Bytes() {
  const uint32_t size = U32();
  if (size > in_.size()) {
    in_ = {};
    ok_ = false;
    return {};
  }
  absl::string_view v = in_.substr(0, size);
  in_.remove_prefix(size);
  return v;
}

// --- files ------------------------------------------------------------------

uint64_t ConfigFingerprint(const v1::ContextConfig& config) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    config.SerializeToCodedStream(&coded);
  }
  return model::Murmur3x64_128(bytes, kFingerprintSeed).low;
}

absl::Status WriteSnapshot(const StateStore& store, const LogPosition& position,
                           uint64_t config_fingerprint, const std::string& path,
                           base::FileIo& io, absl::string_view identity_graph) {
  TempFile file(path + ".tmp", io);
  if (absl::Status s = file.Open(); !s.ok()) return s;

  std::string buffer;
  buffer.reserve(kDrainBytes + kChecksumChunk);
  SnapshotWriter out(&buffer);
  out.Raw(kMagic, sizeof(kMagic));
  out.U32(kFormatVersion);
  out.U64(config_fingerprint);
  out.I64(position.seq);
  out.Bytes(position.event_id);

  const std::vector<std::pair<uint32_t, ActionStats>> learned =
      store.AllLearned();
  out.U32(static_cast<uint32_t>(learned.size()));
  for (const auto& [action, stats] : learned) {
    out.Id(action);
    out.U64(stats.offered);
    out.U64(stats.accepted);
    out.U64(stats.rejected);
    out.U64(stats.ignored);
    out.U64(stats.converted);
  }
  if (identity_graph.size() > UINT32_MAX) {
    return absl::InternalError("the identity graph is too large to snapshot");
  }
  out.Bytes(identity_graph);

  absl::Status status;
  uint64_t customers = 0;
  store.ForEach(
      [&](const std::string& customer_id, const CustomerState& state) {
        if (!status.ok()) return;
        out.Bytes(customer_id);
        // The state's bytes, length first: written in place and the length
        // patched after, rather than built apart and copied.
        const size_t length_at = buffer.size();
        out.U32(0);
        state.Save(out);
        const size_t length = buffer.size() - length_at - sizeof(uint32_t);
        if (length > UINT32_MAX) {
          status = absl::InternalError(absl::StrCat(
              "customer ", customer_id, "'s state is too large to snapshot"));
          return;
        }
        const uint32_t length32 = static_cast<uint32_t>(length);
        std::memcpy(buffer.data() + length_at, &length32, sizeof(length32));
        ++customers;
        if (buffer.size() >= kDrainBytes) status = file.Drain(buffer, false);
      });
  if (!status.ok()) return status;

  const uint64_t strings_at = file.drained() + buffer.size();
  const Interner& strings = store.strings();
  const std::vector<bool>& referenced = out.referenced();
  uint32_t string_count = 0;
  for (uint32_t id = 1; id < referenced.size(); ++id) {
    string_count += referenced[id] ? 1 : 0;
  }
  out.U32(string_count);
  for (uint32_t id = 1; id < referenced.size(); ++id) {
    if (!referenced[id]) continue;
    out.U32(id);
    out.Bytes(strings.View(id));
    if (buffer.size() >= kDrainBytes) {
      if (absl::Status s = file.Drain(buffer, false); !s.ok()) return s;
    }
  }

  out.U64(customers);
  out.U64(strings_at);
  if (absl::Status s = file.Drain(buffer, true); !s.ok()) return s;
  if (absl::Status s = file.WriteChecksum(); !s.ok()) return s;
  return file.Commit(path);
}

namespace {

// A snapshot that cannot be trusted.
absl::Status Damaged(const std::string& path, absl::string_view why) {
  return absl::DataLossError(absl::StrCat("snapshot ", path, ": ", why));
}

// A sound snapshot that this build or configuration cannot use.
absl::Status Unusable(const std::string& path, absl::string_view why) {
  return absl::FailedPreconditionError(
      absl::StrCat("snapshot ", path, ": ", why));
}

// What the header and the trailer say, checked, with where the sections
// between them lie (offsets in the file).
struct Frame {
  LogPosition position;
  uint64_t customer_count;
  size_t body_from;   // the learning counters, then the customers
  size_t strings_at;  // the string table, up to body_end
  size_t body_end;    // the trailer
};

absl::StatusOr<Frame> ReadFrame(absl::string_view data, const std::string& path,
                                uint64_t config_fingerprint) {
  if (data.size() >= sizeof(kMagic) &&
      data.substr(0, sizeof(kMagic)) !=
          absl::string_view(kMagic, sizeof(kMagic))) {
    return Unusable(path, "not a motive snapshot (its magic differs)");
  }
  if (data.size() < kMinimumBytes) return Damaged(path, "truncated");
  // Everything between the magic and the trailer.
  SnapshotReader in(data.substr(sizeof(kMagic),
                                data.size() - sizeof(kMagic) - kTrailerBytes));
  const uint32_t version = in.U32();
  if (version != kFormatVersion) {
    return Unusable(
        path, absl::StrFormat("format version %d, this build reads version %d",
                              version, kFormatVersion));
  }
  // The checksum before anything else is trusted: a damaged fingerprint
  // should read as damage, not as another configuration.
  const absl::string_view checked = data.substr(0, data.size() - 8);
  uint64_t checksum;
  std::memcpy(&checksum, data.data() + checked.size(), sizeof(checksum));
  if (ChecksumOf(checked) != checksum) {
    return Damaged(path, "checksum mismatch (truncated or corrupted)");
  }
  const uint64_t fingerprint = in.U64();
  if (fingerprint != config_fingerprint) {
    return Unusable(path,
                    absl::StrFormat("taken under another context or identity "
                                    "configuration (fingerprint %016x, "
                                    "now %016x)",
                                    fingerprint, config_fingerprint));
  }

  Frame frame;
  frame.position.seq = in.I64();
  frame.position.event_id = std::string(in.Bytes());
  if (!in.ok()) return Damaged(path, "header truncated");

  uint64_t strings_at;
  std::memcpy(&frame.customer_count, data.data() + data.size() - kTrailerBytes,
              sizeof(frame.customer_count));
  std::memcpy(&strings_at, data.data() + data.size() - kTrailerBytes + 8,
              sizeof(strings_at));
  frame.body_end = data.size() - kTrailerBytes;
  frame.body_from = frame.body_end - in.remaining();
  if (strings_at < frame.body_from || strings_at > frame.body_end) {
    return Damaged(path, "the string table's offset is outside the file");
  }
  frame.strings_at = strings_at;
  return frame;
}

absl::Status ReadStrings(absl::string_view table, const std::string& path,
                         Interner& strings) {
  SnapshotReader in(table);
  const uint32_t string_count = in.U32();
  if (!in.ok() || string_count > in.remaining() / kStringBytes) {
    return Damaged(path, "string table larger than the file");
  }
  for (uint32_t i = 1; i <= string_count; ++i) {
    const uint32_t id = in.U32();
    const absl::string_view text = in.Bytes();
    if (!in.ok() || !strings.Restore(id, text)) {
      return Damaged(path,
                     absl::StrCat("string table entry ", i, " is invalid"));
    }
  }
  if (in.remaining() != 0) {
    return Damaged(path, "bytes left after the string table");
  }
  return absl::OkStatus();
}

absl::Status ReadLearned(SnapshotReader& in, const std::string& path,
                         StateStore* store) {
  const uint32_t learned_count = in.U32();
  if (!in.ok() || learned_count > in.remaining() / kLearnedBytes) {
    return Damaged(path, "learning counters larger than the file");
  }
  uint32_t previous_action = Interner::kEmpty;
  for (uint32_t i = 0; i < learned_count; ++i) {
    const uint32_t action = in.Id();
    ActionStats stats;
    stats.offered = in.U64();
    stats.accepted = in.U64();
    stats.rejected = in.U64();
    stats.ignored = in.U64();
    stats.converted = in.U64();
    // Ids name strings of the table, written in increasing order.
    if (!in.ok() || action <= previous_action) {
      return Damaged(path, absl::StrCat("learning counters entry ", i + 1,
                                        " names no action"));
    }
    previous_action = action;
    store->RestoreLearned(action, stats);
  }
  return absl::OkStatus();
}

// Splits `section`, the customers' records, into at most `parts` runs of
// whole records of about equal size, checking that every record's lengths
// stay inside it: only the lengths are read, so this is quick next to
// decoding the states.
absl::StatusOr<std::vector<absl::string_view>> SplitCustomers(
    absl::string_view section, size_t parts, const std::string& path) {
  std::vector<absl::string_view> runs;
  const size_t target = section.size() / parts + 1;
  size_t run_from = 0;
  uint64_t record = 0;
  for (size_t at = 0; at < section.size(); ++record) {
    // Two fields, the id and the state, each a u32 length then the bytes.
    for (int field = 0; field < 2; ++field) {
      uint32_t length;
      if (section.size() - at < sizeof(length)) {
        return Damaged(path, absl::StrCat("customer record ", record + 1,
                                          " runs past the end"));
      }
      std::memcpy(&length, section.data() + at, sizeof(length));
      at += sizeof(length);
      if (section.size() - at < length) {
        return Damaged(path, absl::StrCat("customer record ", record + 1,
                                          " runs past the end"));
      }
      at += length;
    }
    if (at - run_from >= target || at == section.size()) {
      runs.push_back(section.substr(run_from, at - run_from));
      run_from = at;
    }
  }
  return runs;
}

// Loads the whole records of `run` into `store`; returns how many.
absl::StatusOr<uint64_t> LoadCustomers(absl::string_view run,
                                       const std::string& path,
                                       StateStore* store) {
  const StateConfig& config = store->config();
  SnapshotReader in(run);
  uint64_t customers = 0;
  while (in.remaining() > 0) {
    const absl::string_view customer_id = in.Bytes();
    SnapshotReader state_in(in.Bytes(), &store->strings());
    CustomerState state;
    if (!state.Load(state_in, config) || !state_in.ok() ||
        state_in.remaining() != 0) {
      return Damaged(path, absl::StrCat("the state of customer ", customer_id,
                                        " is inconsistent"));
    }
    store->Insert(std::string(customer_id), std::move(state));
    ++customers;
  }
  return customers;
}

// A run of customers is worth a thread of its own from this size on.
constexpr size_t kRunBytes = size_t{64} << 10;
constexpr size_t kMaxLoadThreads = 8;

// The customers, up to the end of `in`; `customer_count` is what the
// trailer says. Decoding the states and allocating them is most of the time
// an open from a snapshot takes, so runs of them load on several threads
// (the store's shards have their own locks; the strings are only read).
absl::Status ReadCustomers(SnapshotReader& in, const std::string& path,
                           uint64_t customer_count, StateStore* store) {
  const absl::string_view section = in.Rest();
  const size_t threads = std::clamp<size_t>(
      std::min<size_t>(std::thread::hardware_concurrency(), kMaxLoadThreads), 1,
      section.size() / kRunBytes + 1);
  absl::StatusOr<std::vector<absl::string_view>> runs =
      SplitCustomers(section, threads, path);
  if (!runs.ok()) return runs.status();
  std::vector<absl::StatusOr<uint64_t>> loaded(runs->size());
  {
    std::vector<std::jthread> helpers;
    for (size_t i = 1; i < runs->size(); ++i) {
      helpers.emplace_back([&, i] {
        loaded[i] = LoadCustomers((*runs)[i], path, store);
      });
    }
    if (!runs->empty()) loaded[0] = LoadCustomers((*runs)[0], path, store);
  }
  uint64_t customers = 0;
  for (const absl::StatusOr<uint64_t>& count : loaded) {
    if (!count.ok()) return count.status();
    customers += *count;
  }
  if (customer_count != customers) {
    return Damaged(
        path, absl::StrCat("holds ", customers, " customers, its trailer says ",
                           customer_count));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LogPosition> ReadSnapshot(const std::string& path,
                                         uint64_t config_fingerprint,
                                         StateStore* store, base::FileIo& io,
                                         std::string* identity_graph) {
  // Strings must get back the ids the customers' states name.
  if (store->strings().size() != 1 || store->Stats().customers != 0) {
    return absl::FailedPreconditionError(
        "ReadSnapshot needs an empty state store");
  }
  auto file = ReadWholeFile(path, io);
  if (!file.ok()) return file.status();
  const absl::string_view data = (*file)->view();
  absl::StatusOr<Frame> frame = ReadFrame(data, path, config_fingerprint);
  if (!frame.ok()) return frame.status();
  // The strings first: every id read after them is checked against them.
  Interner& strings = store->strings();
  if (absl::Status s = ReadStrings(
          data.substr(frame->strings_at, frame->body_end - frame->strings_at),
          path, strings);
      !s.ok()) {
    return s;
  }
  // The learning counters and the customers, up to the strings.
  SnapshotReader in(
      data.substr(frame->body_from, frame->strings_at - frame->body_from),
      &strings);
  if (absl::Status s = ReadLearned(in, path, store); !s.ok()) return s;
  const absl::string_view graph = in.Bytes();
  if (!in.ok()) return Damaged(path, "the identity graph runs past the end");
  if (identity_graph != nullptr) identity_graph->assign(graph.data(), graph.size());
  if (absl::Status s = ReadCustomers(in, path, frame->customer_count, store);
      !s.ok()) {
    return s;
  }
  return frame->position;
}

}  // namespace motive::state
