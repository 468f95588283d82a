// Amazon Connect Contact Lens post-contact analyses (conversational
// analytics output files), of calls (Version "VOICE-...") and chats
// ("CHAT-..."): one analysis, one enrichment of its contact.
//
// An analysis names no customer, so it enriches the contact's record
// (connect_ctr.h): the engine overlays its sentiment, duration and
// attributes on the contact's version, whichever arrives first. Its type is
// "contact", the type of what it enriches.
//
// Which contact: CustomerMetadata.ContactId (chat analyses), else a
// top-level ContactId, else the file name. Connect names every analysis
// after its contact, "Analysis/Voice/2024/05/01/<ContactId>_analysis_
// <time>.json" (redacted copies "..._analysis_redacted_<time>.json"), and
// the call analyses carry the contact id nowhere else, so the importer takes
// it from ImportOptions::source_name. An analysis with no way to its contact
// is rejected at CustomerMetadata.ContactId.
//
// When: the analysis time in the file name, else the first Transcript
// AbsoluteTime (chats). A call analysis has no time of its own, so without
// its file name it is rejected, at the record ("").
//
// Mapping:
//   the contact id                  interaction_id "connect:<ContactId>",
//                                   event_id "connect:<ContactId>:contact-lens"
//                                   (the raw and the redacted analyses of one
//                                   contact are one event), enrichment true
//   the time                        occurred_at, updated_at
//   JobStatus                       must be COMPLETED when present (a failed
//                                   analysis has no results)
//   (constant)                      type "contact", moment INTERIM
//   Channel                         channel, as in connect_ctr.h
//   ConversationCharacteristics.
//     Sentiment.OverallSentiment.CUSTOMER (voice) or
//     ...OverallSentiment.DetailsByParticipantRole.CUSTOMER (chat)
//                                   sentiment: the score, -5 to 5, over 5
//                                   (clamped to [-1, 1])
//     TotalConversationDurationMillis  duration_ms
//   issues, the first of them       topic (cut to 128 bytes)
// Attributes, set when present:
//   agent_sentiment                 the AGENT overall score over 5
//   categories                      Categories.MatchedCategories, joined
//                                   with ", "
//   category.<name>                 true for each matched category, so that
//                                   rules can test one
//   issues, outcomes, action_items  the detected texts joined with " | ":
//                                   voice Transcript[].IssuesDetected[]
//                                   (.Text, or the turn's Content between
//                                   the CharacterOffsets), chat
//                                   ConversationCharacteristics.ContactSummary
//                                   .SummaryItemsDetected[].IssuesDetected[]
//                                   .TranscriptItems[] (the Content of the
//                                   Transcript item with that Id between the
//                                   offsets); likewise OutcomesDetected and
//                                   ActionItemsDetected
//   interruptions                   Interruptions.TotalCount
//   talk_time_ms, non_talk_time_ms  TalkTime/NonTalkTime.TotalTimeMillis
//   language                        LanguageCode

#ifndef MOTIVE_INGEST_CONTACT_LENS_H_
#define MOTIVE_INGEST_CONTACT_LENS_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapContactLens(const JsonValue& record, const MapContext& context,
                            std::vector<v1::Event>* out);

// ConversationCharacteristics, and Version or JobStatus.
bool LooksLikeContactLens(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_CONTACT_LENS_H_
