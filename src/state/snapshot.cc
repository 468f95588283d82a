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
// reader reads them first, at their offset, and then the rest of the file
// front to back in pieces.

#include "state/snapshot.h"

#include <fcntl.h>
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

// Reads `size` bytes of `fd` into `data`, through `io`.
absl::Status ReadFully(int fd, char* data, size_t size, base::FileIo& io,
                       const std::string& path) {
  while (size > 0) {
    const ssize_t n = io.Read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("reading", path);
    if (n == 0) {
      return absl::DataLossError(
          absl::StrCat("snapshot ", path, " shrank while being read"));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// A snapshot file read front to back in pieces, its bytes hashed as they
// come in as Checksum needs them, so that opening holds one piece of the
// file in memory rather than all of it (887 MB for a million customers,
// whose fresh pages took as long to fault in as the states to decode).
class PieceReader {
 public:
  // A piece: reads are whole checksum chunks, which Checksum hashes one by
  // one.
  static constexpr size_t kPieceBytes = 8 * kChecksumChunk;

  // Reads `fd` from its current offset, 0, up to `end` (the checksum's
  // offset, where hashing stops), through `io`.
  PieceReader(int fd, uint64_t end, base::FileIo& io, const std::string& path)
      : fd_(fd), end_(end), io_(io), path_(path) {}

  // Reads on until at least `n` bytes are unread, or the end is reached.
  absl::Status Want(size_t n) {
    const size_t unread = filled_ - at_;
    if (unread >= n || read_ == end_) return absl::OkStatus();
    // Room for `n` and a whole chunk more, so that reads stay whole chunks.
    const size_t capacity =
        (std::max(n, kPieceBytes) / kChecksumChunk + 2) * kChecksumChunk;
    if (capacity > capacity_) {
      auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
      // Not memcpy from a null buffer_, even of nothing: UBSan reports it.
      if (unread > 0) std::memcpy(bigger.get(), buffer_.get() + at_, unread);
      buffer_ = std::move(bigger);
      capacity_ = capacity;
    } else if (unread > 0) {
      std::memmove(buffer_.get(), buffer_.get() + at_, unread);
    }
    at_ = 0;
    filled_ = unread;
    while (filled_ - at_ < n && read_ < end_) {
      size_t size = std::min<uint64_t>(capacity_ - filled_, end_ - read_);
      if (read_ + size < end_) size -= size % kChecksumChunk;
      if (absl::Status s =
              ReadFully(fd_, buffer_.get() + filled_, size, io_, path_);
          !s.ok()) {
        return s;
      }
      for (size_t at = 0; at < size; at += kChecksumChunk) {
        checksum_.Add({buffer_.get() + filled_ + at,
                       std::min(kChecksumChunk, size - at)});
      }
      filled_ += size;
      read_ += size;
    }
    return absl::OkStatus();
  }

  // The bytes read and not consumed yet: valid until the next Want.
  absl::string_view unread() const {
    return {buffer_.get() + at_, filled_ - at_};
  }
  void Consume(size_t n) { at_ += n; }
  // The offset in the file of unread()'s first byte.
  uint64_t offset() const { return read_ - (filled_ - at_); }

  // Reads and hashes the rest; the checksum of the whole.
  absl::StatusOr<uint64_t> Finish() {
    while (read_ < end_) {
      Consume(filled_ - at_);
      if (absl::Status s = Want(kPieceBytes); !s.ok()) return s;
    }
    return checksum_.Finish();
  }

 private:
  const int fd_;
  const uint64_t end_;
  base::FileIo& io_;
  const std::string& path_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t at_ = 0;      // unread() is [at_, filled_) of buffer_
  size_t filled_ = 0;
  uint64_t read_ = 0;  // the file's offset read up to
  Checksum checksum_;
};

// `size` bytes of `fd` from `offset` (the trailer, the string table), read
// through `io`; the reading offset is left where it was.
absl::StatusOr<std::string> ReadAt(int fd, uint64_t offset, size_t size,
                                   base::FileIo& io, const std::string& path) {
  const off_t was = ::lseek(fd, 0, SEEK_CUR);
  if (was < 0 || ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return ErrnoError("seeking in", path);
  }
  std::string bytes(size, '\0');
  if (absl::Status s = ReadFully(fd, bytes.data(), size, io, path); !s.ok()) {
    return s;
  }
  if (::lseek(fd, was, SEEK_SET) < 0) return ErrnoError("seeking in", path);
  return bytes;
}

// Closes a file descriptor on the way out.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  const int fd_;
};

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

// What the trailer says: read first, since the string table it points to is
// needed before the customers, and its checksum to tell damage from the
// rest.
struct Trailer {
  uint64_t customer_count;
  uint64_t strings_at;  // the string table's offset, up to the trailer
  uint64_t checksum;
};

absl::StatusOr<Trailer> ReadTrailer(int fd, uint64_t size, base::FileIo& io,
                                    const std::string& path) {
  absl::StatusOr<std::string> bytes =
      ReadAt(fd, size - kTrailerBytes, kTrailerBytes, io, path);
  if (!bytes.ok()) return bytes.status();
  Trailer trailer;
  std::memcpy(&trailer.customer_count, bytes->data(), 8);
  std::memcpy(&trailer.strings_at, bytes->data() + 8, 8);
  std::memcpy(&trailer.checksum, bytes->data() + 16, 8);
  return trailer;
}

// The header after the magic and version: the configuration's fingerprint
// and the log position. Consumed from `reader`; false when it runs past
// `body_end`.
bool ReadHeader(PieceReader& reader, uint64_t body_end, uint64_t* fingerprint,
                LogPosition* position) {
  // Magic, version, fingerprint, seq, then the event id's length and bytes.
  constexpr size_t kFixed = sizeof(kMagic) + 4 + 8 + 8 + 4;
  uint32_t id_size;
  std::memcpy(&id_size, reader.unread().data() + kFixed - 4, sizeof(id_size));
  if (id_size > body_end - kFixed) return false;
  if (!reader.Want(kFixed + id_size).ok()) return false;
  SnapshotReader in(reader.unread().substr(sizeof(kMagic) + 4));
  *fingerprint = in.U64();
  position->seq = in.I64();
  position->event_id = std::string(in.Bytes());
  if (!in.ok()) return false;
  reader.Consume(kFixed + id_size);
  return true;
}

// The learning counters and the identity graph, which come first in the
// body, from `reader` (consumed); the body ends at `strings_at`.
absl::Status ReadLearnedAndGraph(PieceReader& reader, uint64_t strings_at,
                                 const std::string& path, StateStore* store,
                                 std::string* identity_graph) {
  const uint64_t body_left = strings_at - reader.offset();
  if (absl::Status s = reader.Want(sizeof(uint32_t)); !s.ok()) return s;
  uint32_t learned_count;
  std::memcpy(&learned_count, reader.unread().data(), sizeof(learned_count));
  const uint64_t learned_bytes =
      sizeof(uint32_t) + uint64_t{learned_count} * kLearnedBytes;
  if (learned_bytes + sizeof(uint32_t) > body_left) {
    return Damaged(path, "learning counters larger than the file");
  }
  if (absl::Status s = reader.Want(learned_bytes + sizeof(uint32_t));
      !s.ok()) {
    return s;
  }
  SnapshotReader learned(reader.unread().substr(0, learned_bytes),
                         &store->strings());
  if (absl::Status s = ReadLearned(learned, path, store); !s.ok()) return s;
  reader.Consume(learned_bytes);
  uint32_t graph_size;
  std::memcpy(&graph_size, reader.unread().data(), sizeof(graph_size));
  if (sizeof(uint32_t) + uint64_t{graph_size} > body_left - learned_bytes) {
    return Damaged(path, "the identity graph runs past the end");
  }
  if (absl::Status s = reader.Want(sizeof(uint32_t) + graph_size); !s.ok()) {
    return s;
  }
  if (identity_graph != nullptr) {
    identity_graph->assign(reader.unread().data() + sizeof(uint32_t),
                           graph_size);
  }
  reader.Consume(sizeof(uint32_t) + graph_size);
  return absl::OkStatus();
}

// Where the customers' records in a window of the file end, as far as whole
// records go: `runs` of whole records, of about equal size, cover its first
// `bytes`.
struct Split {
  std::vector<absl::string_view> runs;
  size_t bytes = 0;
};

// Splits `window`, the customers' records read so far, into at most `parts`
// runs of whole records, reading only the lengths. A record cut off at the
// end of the window is left for the next one, unless the window is `final`
// (reaches the end of the section): then it runs past the end. `*records`
// counts the whole records, for messages.
absl::StatusOr<Split> SplitCustomers(absl::string_view window, bool final,
                                     size_t parts, const std::string& path,
                                     uint64_t* records) {
  Split split;
  const size_t target = window.size() / parts + 1;
  size_t run_from = 0;
  while (split.bytes < window.size()) {
    // Two fields, the id and the state, each a u32 length then the bytes.
    size_t next = split.bytes;
    bool whole = true;
    for (int field = 0; field < 2 && whole; ++field) {
      uint32_t length;
      whole = window.size() - next >= sizeof(length);
      if (!whole) break;
      std::memcpy(&length, window.data() + next, sizeof(length));
      next += sizeof(length);
      whole = window.size() - next >= length;
      next += length;
    }
    if (!whole) {
      if (!final) break;
      return Damaged(path, absl::StrCat("customer record ", *records + 1,
                                        " runs past the end"));
    }
    split.bytes = next;
    ++*records;
    if (split.bytes - run_from >= target) {
      split.runs.push_back(window.substr(run_from, split.bytes - run_from));
      run_from = split.bytes;
    }
  }
  if (split.bytes > run_from) {
    split.runs.push_back(window.substr(run_from, split.bytes - run_from));
  }
  return split;
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

// Loads `runs` at once, one thread each (the caller's for the first): the
// store's shards have their own locks, and the strings are only read.
absl::StatusOr<uint64_t> LoadRuns(absl::Span<const absl::string_view> runs,
                                  const std::string& path, StateStore* store) {
  std::vector<absl::StatusOr<uint64_t>> loaded(runs.size());
  {
    std::vector<std::jthread> helpers;
    for (size_t i = 1; i < runs.size(); ++i) {
      helpers.emplace_back(
          [&, i] { loaded[i] = LoadCustomers(runs[i], path, store); });
    }
    if (!runs.empty()) loaded[0] = LoadCustomers(runs[0], path, store);
  }
  uint64_t customers = 0;
  for (const absl::StatusOr<uint64_t>& count : loaded) {
    if (!count.ok()) return count.status();
    customers += *count;
  }
  return customers;
}

// A run of customers is worth a thread of its own from this size on.
constexpr size_t kRunBytes = size_t{64} << 10;
constexpr size_t kMaxLoadThreads = 8;

// The customers, from `reader` up to `strings_at`, piece by piece; each
// piece's runs load on several threads, since decoding and allocating the
// states is most of the time an open from a snapshot takes.
absl::Status ReadCustomers(PieceReader& reader, uint64_t strings_at,
                           uint64_t customer_count, const std::string& path,
                           StateStore* store) {
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(),
                                            1, kMaxLoadThreads);
  uint64_t records = 0;
  uint64_t customers = 0;
  while (reader.offset() < strings_at) {
    const uint64_t left = strings_at - reader.offset();
    size_t want = std::min<uint64_t>(left, PieceReader::kPieceBytes);
    absl::StatusOr<Split> split;
    // Grows past a piece only for a record larger than one.
    for (;; want *= 2) {
      if (absl::Status s = reader.Want(want); !s.ok()) return s;
      const absl::string_view window = reader.unread().substr(0, left);
      split = SplitCustomers(window, window.size() == left,
                             std::min(threads, window.size() / kRunBytes + 1),
                             path, &records);
      if (!split.ok()) return split.status();
      if (split->bytes > 0) break;
    }
    absl::StatusOr<uint64_t> loaded = LoadRuns(split->runs, path, store);
    if (!loaded.ok()) return loaded.status();
    customers += *loaded;
    reader.Consume(split->bytes);
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
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat("no snapshot at ", path));
    }
    return ErrnoError("opening", path);
  }
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoError("reading", path);
  const uint64_t size = static_cast<uint64_t>(st.st_size);

  // A file too small to be a snapshot is read whole, for its magic.
  PieceReader reader(fd, size < kMinimumBytes ? size : size - 8, io, path);
  if (absl::Status s = reader.Want(kMinimumBytes); !s.ok()) return s;
  const absl::string_view head = reader.unread();
  if (head.size() >= sizeof(kMagic) &&
      head.substr(0, sizeof(kMagic)) !=
          absl::string_view(kMagic, sizeof(kMagic))) {
    return Unusable(path, "not a motive snapshot (its magic differs)");
  }
  if (size < kMinimumBytes) return Damaged(path, "truncated");
  uint32_t version;
  std::memcpy(&version, head.data() + sizeof(kMagic), sizeof(version));
  if (version != kFormatVersion) {
    return Unusable(
        path, absl::StrFormat("format version %d, this build reads version %d",
                              version, kFormatVersion));
  }
  absl::StatusOr<Trailer> trailer = ReadTrailer(fd, size, io, path);
  if (!trailer.ok()) return trailer.status();
  // The checksum is known only once the whole file has been read. Damage
  // found before then reads as a checksum mismatch when that is what it
  // is, and a damaged fingerprint as damage, not as another configuration.
  auto verify = [&]() -> absl::Status {
    absl::StatusOr<uint64_t> checksum = reader.Finish();
    if (!checksum.ok()) return checksum.status();
    if (*checksum != trailer->checksum) {
      return Damaged(path, "checksum mismatch (truncated or corrupted)");
    }
    return absl::OkStatus();
  };
  // `status` once the checksum is known: reads the rest of the file, so
  // that it serves for an error or for the end of the customers, never in
  // between.
  auto checked = [&](absl::Status status) -> absl::Status {
    if (!status.ok() && !absl::IsDataLoss(status) &&
        !absl::IsFailedPrecondition(status)) {
      return status;  // I/O
    }
    if (absl::Status s = verify(); !s.ok()) return s;
    return status;
  };
  const uint64_t body_end = size - kTrailerBytes;
  uint64_t fingerprint;
  LogPosition position;
  if (!ReadHeader(reader, body_end, &fingerprint, &position)) {
    return checked(Damaged(path, "header truncated"));
  }
  if (fingerprint != config_fingerprint) {
    return checked(Unusable(
        path, absl::StrFormat("taken under another context or identity "
                              "configuration (fingerprint %016x, now %016x)",
                              fingerprint, config_fingerprint)));
  }
  if (trailer->strings_at < reader.offset() || trailer->strings_at > body_end) {
    return checked(
        Damaged(path, "the string table's offset is outside the file"));
  }
  // The strings first: every id read after them is checked against them.
  absl::StatusOr<std::string> table = ReadAt(
      fd, trailer->strings_at, body_end - trailer->strings_at, io, path);
  if (!table.ok()) return table.status();
  if (absl::Status s = ReadStrings(*table, path, store->strings()); !s.ok()) {
    return checked(s);
  }
  // The learning counters and the identity graph, then the customers, up to
  // the strings.
  if (absl::Status s = ReadLearnedAndGraph(reader, trailer->strings_at, path,
                                           store, identity_graph);
      !s.ok()) {
    return checked(s);
  }
  if (absl::Status s = checked(ReadCustomers(reader, trailer->strings_at,
                                             trailer->customer_count, path,
                                             store));
      !s.ok()) {
    return s;
  }
  return position;
}

}  // namespace motive::state
