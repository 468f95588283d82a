#include "decide/policy.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "base/errors.h"
#include "state/event_value.h"
#include "state/metrics.h"

namespace motive::decide {

bool IsPolicyStage(absl::string_view stage) {
  return stage == "cap" || stage == "cool_off" || stage == "quiet_hours";
}

namespace {

// "21:30" to minutes after midnight.
absl::StatusOr<int> ParseClock(absl::string_view field,
                               absl::string_view text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  int hours = -1;
  int minutes = -1;
  if (parts.size() != 2 || parts[0].empty() || parts[0].size() > 2 ||
      parts[1].size() != 2 || !absl::SimpleAtoi(parts[0], &hours) ||
      !absl::SimpleAtoi(parts[1], &minutes) || hours < 0 || hours > 23 ||
      minutes < 0 || minutes > 59) {
    return base::FieldError(field,
                            absl::StrCat("\"", text,
                                         "\" is not a time of day such as "
                                         "\"21:00\" (00:00 to 23:59)"));
  }
  return hours * 60 + minutes;
}

absl::StatusOr<int64_t> Window(absl::string_view field,
                               absl::string_view text) {
  absl::StatusOr<int64_t> window = state::ParseWindow(text);
  if (!window.ok()) return base::FieldError(field, window.status().message());
  return window;
}

bool InScope(uint32_t action, uint32_t group, uint32_t scope_action,
             uint32_t scope_group) {
  if (scope_action != state::Interner::kEmpty) return action == scope_action;
  if (scope_group != state::Interner::kEmpty) return group == scope_group;
  return true;
}

std::string ScopeName(absl::string_view action, absl::string_view group,
                      v1::Channel channel, absl::string_view everything) {
  if (!action.empty()) return absl::StrCat("action ", action);
  if (!group.empty()) return absl::StrCat("group ", group);
  if (channel != v1::CHANNEL_UNSPECIFIED) {
    return absl::StrCat("channel ", state::ChannelName(channel));
  }
  return std::string(everything);
}

}  // namespace

absl::StatusOr<ContactPolicy> ContactPolicy::Compile(
    const v1::ContactPolicy& proto, state::Interner& strings) {
  ContactPolicy policy;
  for (int i = 0; i < proto.caps_size(); ++i) {
    absl::StatusOr<Cap> cap = CompileCap(proto.caps(i), i, strings);
    if (!cap.ok()) return cap.status();
    policy.caps_.push_back(*std::move(cap));
  }
  for (int i = 0; i < proto.cool_offs_size(); ++i) {
    absl::StatusOr<CoolOff> cool_off =
        CompileCoolOff(proto.cool_offs(i), i, strings);
    if (!cool_off.ok()) return cool_off.status();
    policy.cool_offs_.push_back(*std::move(cool_off));
  }
  if (proto.has_quiet_hours()) {
    if (absl::Status s = policy.CompileQuietHours(proto.quiet_hours());
        !s.ok()) {
      return s;
    }
  }
  if (proto.has_max_results()) {
    if (proto.max_results() < 1 || proto.max_results() > kMaxResults) {
      return base::FieldError("max_results",
                              absl::StrCat("must be 1 to ", kMaxResults));
    }
    policy.max_results_ = proto.max_results();
  }
  return policy;
}

absl::StatusOr<ContactPolicy::Cap> ContactPolicy::CompileCap(
    const v1::ContactCap& cap, int i, state::Interner& strings) {
  const std::string field = absl::StrCat("caps[", i, "]");
  if (!cap.action().empty() + !cap.group().empty() +
          (cap.channel() != v1::CHANNEL_UNSPECIFIED) >
      1) {
    return base::FieldError(field,
                            "names at most one of action, group and channel");
  }
  if (cap.max() == 0 || cap.max() > kMaxCap) {
    return base::FieldError(
        absl::StrCat(field, ".max"),
        absl::StrCat("must be 1 to ", kMaxCap,
                     " (to switch an action off, give it a lever of 0)"));
  }
  Cap compiled;
  compiled.action = strings.Intern(cap.action());
  compiled.group = strings.Intern(cap.group());
  compiled.channel = cap.channel();
  compiled.max = cap.max();
  absl::StatusOr<int64_t> window =
      Window(absl::StrCat(field, ".window"), cap.window());
  if (!window.ok()) return window.status();
  compiled.window_us = *window;
  compiled.description = absl::StrCat(
      "at most ", cap.max(), " offer", cap.max() == 1 ? "" : "s", " of ",
      ScopeName(cap.action(), cap.group(), cap.channel(), "marketing actions"),
      " in ", cap.window());
  return compiled;
}

absl::StatusOr<ContactPolicy::CoolOff> ContactPolicy::CompileCoolOff(
    const v1::CoolOff& cool_off, int i, state::Interner& strings) {
  const std::string field = absl::StrCat("cool_offs[", i, "]");
  if (!cool_off.action().empty() && !cool_off.group().empty()) {
    return base::FieldError(field, "names at most one of action and group");
  }
  if (cool_off.rejections() == 0) {
    return base::FieldError(absl::StrCat(field, ".rejections"),
                            "must be at least 1");
  }
  CoolOff compiled;
  compiled.action = strings.Intern(cool_off.action());
  compiled.group = strings.Intern(cool_off.group());
  compiled.rejections = cool_off.rejections();
  absl::StatusOr<int64_t> within =
      Window(absl::StrCat(field, ".within"), cool_off.within());
  if (!within.ok()) return within.status();
  absl::StatusOr<int64_t> suppress =
      Window(absl::StrCat(field, ".suppress_for"), cool_off.suppress_for());
  if (!suppress.ok()) return suppress.status();
  compiled.within_us = *within;
  compiled.suppress_us = *suppress;
  compiled.description =
      absl::StrCat(cool_off.rejections(), " rejection",
                   cool_off.rejections() == 1 ? "" : "s", " of ",
                   ScopeName(cool_off.action(), cool_off.group(),
                             v1::CHANNEL_UNSPECIFIED, "the action"),
                   " within ", cool_off.within(), " suppress it for ",
                   cool_off.suppress_for());
  return compiled;
}

absl::Status ContactPolicy::CompileQuietHours(const v1::QuietHours& quiet) {
  absl::StatusOr<int> start = ParseClock("quiet_hours.start", quiet.start());
  if (!start.ok()) return start.status();
  absl::StatusOr<int> end = ParseClock("quiet_hours.end", quiet.end());
  if (!end.ok()) return end.status();
  if (*start == *end) {
    return base::FieldError("quiet_hours", "start and end are the same time");
  }
  quiet_start_min_ = *start;
  quiet_end_min_ = *end;
  zone_attribute_ = quiet.time_zone_attribute();
  if (!quiet.default_time_zone().empty() &&
      !absl::LoadTimeZone(quiet.default_time_zone(), &default_zone_)) {
    return base::FieldError(
        "quiet_hours.default_time_zone",
        absl::StrCat("unknown time zone \"", quiet.default_time_zone(),
                     "\" (an IANA name such as \"Europe/Paris\")"));
  }
  return absl::OkStatus();
}

Verdict ContactPolicy::Check(const PolicyAction& action, v1::Channel channel,
                             absl::Span<const state::Response> responses,
                             absl::Span<const uint32_t> service_actions,
                             int64_t now_us) const {
  if (!action.service) {
    for (const Cap& cap : caps_) {
      if (cap.action != state::Interner::kEmpty &&
          cap.action != action.action) {
        continue;
      }
      if (cap.group != state::Interner::kEmpty && cap.group != action.group) {
        continue;
      }
      if (cap.channel != 0 && cap.channel != channel) continue;
      // Distinct (decision, action) pairs in the window: counting stops at
      // the cap, so a small linear set of kMaxCap is enough. Left
      // uninitialised: zeroing it (as std::pair would) was half the check's
      // time.
      struct Offer {
        uint64_t decision;
        uint32_t action;
        bool operator==(const Offer&) const = default;
      };
      Offer seen[kMaxCap];
      size_t seen_count = 0;
      uint32_t offers = 0;
      for (auto it = responses.rbegin(); it != responses.rend(); ++it) {
        const state::Response& r = *it;
        if (r.time_us > now_us) continue;
        if (r.time_us <= now_us - cap.window_us) break;
        if (!InScope(r.action, r.group, cap.action, cap.group)) continue;
        if (cap.channel != 0 && r.channel != cap.channel) continue;
        if (std::binary_search(service_actions.begin(), service_actions.end(),
                               r.action)) {
          continue;
        }
        const Offer offer{r.decision, r.action};
        if (std::find(seen, seen + seen_count, offer) != seen + seen_count) {
          continue;
        }
        seen[seen_count++] = offer;
        if (++offers >= cap.max) {
          return {"cap",
                  absl::StrCat(cap.description, ": ", offers, " already")};
        }
      }
    }
  }
  for (const CoolOff& cool_off : cool_offs_) {
    if (!InScope(action.action, action.group, cool_off.action,
                 cool_off.group)) {
      continue;
    }
    // The scope's rejections at or before now, latest first; only those
    // later than now - suppress_for can still suppress.
    int64_t latest[64];
    size_t n = 0;
    const uint32_t need = std::min<uint32_t>(cool_off.rejections, 64);
    for (auto it = responses.rbegin(); it != responses.rend(); ++it) {
      const state::Response& r = *it;
      if (r.time_us > now_us || r.outcome != v1::REJECTED) continue;
      const bool scoped =
          cool_off.action == state::Interner::kEmpty &&
                  cool_off.group == state::Interner::kEmpty
              ? r.action == action.action
              : InScope(r.action, r.group, cool_off.action, cool_off.group);
      if (!scoped) continue;
      if (n == 64) break;
      latest[n++] = r.time_us;
      // latest[n - need] is a rejection R with `need` rejections ending at
      // it: the oldest of them is latest[n - 1].
      if (n >= need) {
        const int64_t end = latest[n - need];
        if (end <= now_us - cool_off.suppress_us) break;
        if (latest[n - 1] > end - cool_off.within_us) {
          return {"cool_off",
                  absl::StrCat(cool_off.description, ": suppressed until ",
                               absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                                absl::FromUnixMicros(
                                                    end + cool_off.suppress_us),
                                                absl::UTCTimeZone()))};
        }
      }
    }
  }
  return {};
}

int64_t ContactPolicy::QuietUntil(int64_t now_us,
                                  const absl::TimeZone& zone) const {
  if (!has_quiet_hours()) return 0;
  const absl::Time now = absl::FromUnixMicros(now_us);
  const absl::CivilMinute local = absl::ToCivilMinute(now, zone);
  const int minute = local.hour() * 60 + local.minute();
  const bool quiet =
      quiet_start_min_ < quiet_end_min_
          ? minute >= quiet_start_min_ && minute < quiet_end_min_
          : minute >= quiet_start_min_ || minute < quiet_end_min_;
  if (!quiet) return 0;
  absl::CivilDay day = absl::CivilDay(local);
  if (minute >= quiet_end_min_) day += 1;
  const absl::CivilMinute end(day.year(), day.month(), day.day(),
                              quiet_end_min_ / 60, quiet_end_min_ % 60);
  return absl::ToUnixMicros(absl::FromCivil(end, zone));
}

absl::TimeZone ContactPolicy::ZoneFor(absl::string_view name) const {
  absl::TimeZone zone;
  if (!name.empty() && absl::LoadTimeZone(name, &zone)) return zone;
  return default_zone_;
}

}  // namespace motive::decide
