// The C ABI (include/motive/motive.h) with arguments from the input: sizes,
// NULL pointers, struct_size values of older, newer and nonsense structs,
// unknown enum values, and texts of any bytes. Every call must return a code
// (and for a failure, a message), never crash; a struct is written only
// within the struct_size it declares.
//
// Input: a byte (0: a NULL engine, which every call must refuse), then a
// series of calls on one ":memory:" engine; each is a byte choosing the call
// (Call), then its arguments in the order the call reads them (always into
// variables first: C++ evaluates function arguments in no fixed order, and
// the replay and the fuzzer are built by different compilers). A text or a
// buffer is a byte (0: NULL) then the bytes up to the next newline; a
// struct_size is chosen by a byte (Caller::StructSize); enums are a byte,
// times eight.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "motive/motive.h"
#include "tests/fuzz/fuzz_support.h"

namespace motive::fuzz {
namespace {

constexpr int kMaxCalls = 32;

// A struct as a caller built against another version of the header passes
// it: exactly `struct_size` bytes long, so that a read or write past it is
// an ASan report, with the fields it has set to `fields`'s.
template <typename T>
class CallerStruct {
 public:
  CallerStruct(uint32_t struct_size, const T& fields)
      : bytes_(std::max<size_t>(std::min<size_t>(struct_size, kLargest),
                                sizeof(uint32_t))) {
    std::memcpy(bytes_.data(), &fields, std::min(sizeof(T), bytes_.size()));
    std::memcpy(bytes_.data(), &struct_size, sizeof(struct_size));
  }
  T* get() { return reinterpret_cast<T*>(bytes_.data()); }

 private:
  // A claim past this is refused without being read (MOT_EVERSION), so the
  // buffer need not be as large.
  static constexpr size_t kLargest = 4096;
  std::vector<uint8_t> bytes_;
};

class Caller {
 public:
  explicit Caller(FuzzInput& in) : in_(in) {}

  // NULL, or a NUL-terminated text of the input's bytes.
  const char* Text() {
    if (in_.Byte() == 0) return nullptr;
    return texts_.emplace_back(in_.Until('\n')).c_str();
  }

  // A buffer of exactly its size; sometimes NULL with a size.
  std::pair<const void*, size_t> Buffer() {
    if (in_.Byte() == 0) return {nullptr, in_.Byte()};
    const absl::string_view piece = in_.Until('\n');
    auto& bytes = buffers_.emplace_back(piece.begin(), piece.end());
    return {bytes.data(), bytes.size()};
  }

  // Mostly the right size; sometimes an older one, 0 (unset), a newer one
  // or anything larger. An older struct ends at a field boundary: the size
  // of an older header's struct is a multiple of its alignment. (A size
  // ending inside a pointer field would make the library read a torn
  // pointer; that is a caller's garbage, like a wild pointer.)
  template <typename T>
  uint32_t StructSize() {
    switch (in_.Byte() % 5) {
      case 0:
      case 1:
        return sizeof(T);
      case 2:
        return in_.Byte() % (sizeof(T) / alignof(T)) * alignof(T);
      case 3:
        return sizeof(T) + 8;
      default:
        return std::max<uint32_t>(in_.Integral<uint32_t>(), sizeof(T) + 1);
    }
  }

  int32_t Enum() { return static_cast<int8_t>(in_.Byte()); }
  int64_t Time() { return in_.Integral<int64_t>(); }
  uint8_t Byte() { return in_.Byte(); }

 private:
  FuzzInput& in_;
  // What the pointers handed out point to, alive for the whole run.
  std::deque<std::string> texts_;
  std::deque<std::vector<uint8_t>> buffers_;
};

void OnReject(void*, uint64_t, const char* field, const char* message) {
  MOTIVE_FUZZ_CHECK(field != nullptr && message != nullptr,
                    "a rejection without a field or a message");
}
int OnProgress(void* stop, uint64_t, uint64_t) {
  return *static_cast<uint8_t*>(stop) & 1;
}
void OnAlert(void*, const uint8_t* alert, size_t size) {
  MOTIVE_FUZZ_CHECK(alert != nullptr || size == 0, "an alert without bytes");
}

// Opens and closes an engine of its own with options from the input.
int Open(Caller& c) {
  mot_engine_options fields = MOT_ENGINE_OPTIONS_INIT;
  fields.durability = c.Enum();
  fields.group_commit_ms = c.Byte();
  fields.integrity_check = c.Enum();
  fields.create_if_missing = c.Enum();
  fields.journey_map = c.Text();
  fields.read_only = c.Enum();
  fields.context_config = c.Text();
  fields.snapshot_path = c.Byte() & 1 ? "-" : nullptr;
  fields.ruleset = c.Text();
  fields.ruleset_origin = c.Text();
  CallerStruct<mot_engine_options> opts(c.StructSize<mot_engine_options>(),
                                        fields);
  mot_engine* engine = nullptr;
  const int rc = mot_engine_open(&engine, ":memory:", opts.get());
  MOTIVE_FUZZ_CHECK((rc == MOT_OK) == (engine != nullptr),
                    "an engine without MOT_OK, or MOT_OK without one");
  mot_engine_close(engine);
  return rc;
}

// One call chosen by the input; returns its code.
int Call(Caller& c, mot_engine* engine) {
  mot_buf buf = {nullptr, 0};
  int rc = MOT_OK;
  switch (c.Byte() % 17) {
    case 0: {
      const auto [data, size] = c.Buffer();
      const int32_t format = c.Enum();
      int32_t stored;
      rc = mot_event_record(&stored, engine, format, data, size);
      break;
    }
    case 1: {
      mot_ingest_options fields = MOT_INGEST_OPTIONS_INIT;
      uint8_t stop = c.Byte();
      fields.format = c.Enum();
      fields.on_reject = (stop & 2) != 0 ? OnReject : nullptr;
      fields.on_progress = (stop & 4) != 0 ? OnProgress : nullptr;
      fields.progress_user_data = &stop;
      fields.batch_size = c.Byte();
      CallerStruct<mot_ingest_options> opts(c.StructSize<mot_ingest_options>(),
                                            fields);
      CallerStruct<mot_ingest_report> report(c.StructSize<mot_ingest_report>(),
                                             MOT_INGEST_REPORT_INIT);
      const auto [data, size] = c.Buffer();
      rc = mot_ingest_buffer(report.get(), engine, data, size, opts.get());
      break;
    }
    case 2: {
      mot_timeline_options fields = MOT_TIMELINE_OPTIONS_INIT;
      fields.format = c.Enum();
      fields.since_us = c.Time();
      fields.until_us = c.Time();
      fields.limit = c.Byte();
      CallerStruct<mot_timeline_options> opts(
          c.StructSize<mot_timeline_options>(), fields);
      const char* customer = c.Text();
      rc = mot_timeline_get(&buf, engine, customer, opts.get());
      break;
    }
    case 3: {
      mot_context_summary fields;
      mot_context_summary_init(&fields, sizeof(fields));
      CallerStruct<mot_context_summary> out(c.StructSize<mot_context_summary>(),
                                            fields);
      const char* customer = c.Text();
      const int64_t as_of = c.Time();
      rc = mot_context_summary_get(out.get(), engine, customer, as_of);
      break;
    }
    case 4: {
      const char* customer = c.Text();
      const int64_t as_of = c.Time();
      const int32_t format = c.Enum();
      rc = mot_context_get(&buf, engine, customer, as_of, format);
      break;
    }
    case 5: {
      const auto [text, size] = c.Buffer();
      rc =
          mot_context_config_load(engine, static_cast<const char*>(text), size);
      break;
    }
    case 6: {
      const auto [text, size] = c.Buffer();
      const char* origin = c.Text();
      if (c.Byte() & 1) {
        rc = mot_ruleset_load(engine, static_cast<const char*>(text), size,
                              origin);
      } else {
        rc = mot_ruleset_check(engine, static_cast<const char*>(text), size,
                               origin);
      }
      break;
    }
    case 7: {
      mot_situation fields = MOT_SITUATION_INIT;
      fields.channel = c.Enum();
      fields.topic = c.Text();
      fields.agent_id = c.Text();
      fields.direction = c.Enum();
      fields.time_us = c.Time();
      fields.max_results = c.Byte();
      CallerStruct<mot_situation> situation(c.StructSize<mot_situation>(),
                                            fields);
      const char* customer = c.Text();
      const mot_situation* given = c.Byte() != 0 ? situation.get() : nullptr;
      const int32_t format = c.Enum();
      rc = mot_decide(&buf, engine, customer, given, format);
      break;
    }
    case 8: {
      const char* customer = c.Text();
      const char* decision = c.Text();
      const char* action = c.Text();
      const int32_t outcome = c.Enum();
      const int32_t channel = c.Enum();
      const int64_t time = c.Time();
      rc = mot_feedback(engine, customer, decision, action, outcome, channel,
                        time);
      break;
    }
    case 9: {
      const size_t max = c.Byte();
      const int32_t format = c.Enum();
      rc = mot_alerts_poll(&buf, engine, max, format);
      break;
    }
    case 10: {
      const mot_alert_fn fn = (c.Byte() & 1) != 0 ? OnAlert : nullptr;
      const int32_t format = c.Enum();
      rc = mot_alerts_set_callback(engine, fn, nullptr, nullptr, format);
      break;
    }
    case 11: {
      mot_buf* type = (c.Byte() & 1) != 0 ? &buf : nullptr;
      const char* expression = c.Text();
      rc = mot_expr_check(type, engine, expression);
      break;
    }
    case 12: {
      const char* expression = c.Text();
      const size_t count = c.Byte() % 4;
      std::vector<const char*> names, values;
      for (size_t i = 0; i < count; ++i) {
        names.push_back(c.Text());
        values.push_back(c.Text());
      }
      const char* const* given = c.Byte() != 0 ? names.data() : nullptr;
      rc = mot_expr_eval(&buf, expression, given, values.data(), count);
      break;
    }
    case 13: {
      mot_engine_stats fields;
      mot_engine_stats_init(&fields, sizeof(fields));
      CallerStruct<mot_engine_stats> out(c.StructSize<mot_engine_stats>(),
                                         fields);
      rc = mot_engine_stats_get(out.get(), engine);
      break;
    }
    case 14: {
      const char* customer = c.Text();
      uint64_t erased;
      rc = mot_customer_erase(&erased, engine, customer);
      break;
    }
    case 15:
      rc = Open(c);
      break;
    default:
      rc = mot_engine_flush(engine);
      break;
  }
  mot_buf_dispose(&buf);
  return rc;
}

}  // namespace
}  // namespace motive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  motive::fuzz::FuzzInput in(motive::fuzz::AsText(data, size));
  motive::fuzz::Caller caller(in);
  mot_engine* engine = nullptr;
  // A NULL engine now and then: every call must refuse it.
  if (in.Byte() != 0 &&
      mot_engine_open(&engine, ":memory:", nullptr) != MOT_OK) {
    MOTIVE_FUZZ_CHECK(false, "a default in-memory engine does not open");
  }
  for (int i = 0; i < motive::fuzz::kMaxCalls && !in.empty(); ++i) {
    const int rc = motive::fuzz::Call(caller, engine);
    const char* message = mot_error_last();
    if (rc < 0 && (message == nullptr || *message == '\0')) {
      std::fprintf(stderr, "call %d returned %s without a message\n", i + 1,
                   mot_strerror(rc));
      MOTIVE_FUZZ_CHECK(false, "a failure without a message");
    }
    MOTIVE_FUZZ_CHECK(mot_strerror(rc) != nullptr, "a code without a name");
  }
  mot_engine_close(engine);
  return 0;
}
