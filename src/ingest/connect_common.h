// What the Amazon Connect mappers (connect_ctr.h, connect_contact_event.h,
// contact_lens.h) share: every Connect record names its contact, and all of
// them describe that one interaction.

#ifndef MOTIVE_INGEST_CONNECT_COMMON_H_
#define MOTIVE_INGEST_CONNECT_COMMON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"

namespace motive::ingest {

// "connect:<ContactId>": the interaction_id of everything about a contact,
// and the start of its events' ids.
std::string ConnectInteractionId(absl::string_view contact_id);

// Connect's channel names (VOICE, CHAT, TASK, EMAIL, in any case): TASK and
// anything newer become OTHER; "" stays unspecified.
v1::Channel ConnectChannel(absl::string_view channel);

// Connect's UPPER_SNAKE names ("CONNECTED_TO_AGENT") as motive writes types
// and attribute keys ("connected_to_agent").
std::string ConnectLowerName(absl::string_view name);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_CONNECT_COMMON_H_
