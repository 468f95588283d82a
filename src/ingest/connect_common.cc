#include "ingest/connect_common.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ingest/event_fields.h"

namespace motive::ingest {

std::string ConnectInteractionId(absl::string_view contact_id) {
  return BoundedId(absl::StrCat("connect:", contact_id));
}

v1::Channel ConnectChannel(absl::string_view channel) {
  if (channel.empty()) return v1::CHANNEL_UNSPECIFIED;
  if (absl::EqualsIgnoreCase(channel, "VOICE")) return v1::VOICE;
  if (absl::EqualsIgnoreCase(channel, "CHAT")) return v1::CHAT;
  if (absl::EqualsIgnoreCase(channel, "EMAIL")) return v1::EMAIL;
  return v1::OTHER;
}

std::string ConnectLowerName(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  for (char& c : lower) {
    if (!absl::ascii_isalnum(c)) c = '_';
  }
  return lower;
}

}  // namespace motive::ingest
