// Customer addresses as contact-center platforms write them ("tel:+1415...",
// "whatsapp:+1415...", "mailto:ann@example.com", "+1 (415) 555-0100"),
// turned into event identifiers. Shared by the mappers whose sources give
// an address without saying what kind it is (Genesys ani/addressFrom,
// Twilio task attributes, ...).
//
// Values stay as the source wrote them, scheme prefix aside: the engine
// normalizes phone numbers and emails (Identifier in event.proto).
// Thread-safe; no state.

#ifndef MOTIVE_INGEST_ADDRESS_TEXT_H_
#define MOTIVE_INGEST_ADDRESS_TEXT_H_

#include "absl/strings/string_view.h"
#include "motive/v1/event.pb.h"

namespace motive::ingest {

// Adds the identifier (namespace, value) unless `value` is empty or the
// event already has it; false when nothing was added.
bool AddIdentifier(absl::string_view name, absl::string_view value,
                   v1::Event* event);

// What an address is once its scheme is taken off.
enum class AddressKind { kNone, kPhone, kEmail };

// `text` without a leading "tel:", "mailto:", "sms:" or "whatsapp:" (any
// case), and what is left: kEmail when it has one '@' with text on both
// sides and no space, kPhone when it holds only digits, spaces, '+', '-',
// '.', '(' and ')', with at least 3 digits; otherwise kNone (a web chat's
// display name, "Anonymous"). A "sip:" address is a phone when its user part
// is ("sip:+1415...@host"), else kNone; "messenger:", "instagram:" and
// "client:" ids are kNone (digits, but no phone number).
AddressKind ClassifyAddress(absl::string_view text, absl::string_view* value);

// Adds `text` as a "phone" or "email" identifier by ClassifyAddress; false
// when it is neither.
bool AddAddress(absl::string_view text, v1::Event* event);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_ADDRESS_TEXT_H_
