// Salesforce Case records as the REST API returns them: one Case object
// ({"attributes": {"type": "Case", ...}, "Id", "CaseNumber", ...}), a SOQL
// query result page ({"totalSize", "done", "records": [...]}) or the sfdx
// CLI's JSON ({"status": 0, "result": {"records": [...]}}). Each case is one
// event of type "contact".
//
// A case changes as it is worked (status, owner, closing): each export of it
// is a version of the interaction "salesforce:case:<Id>", and the one with
// the latest LastModifiedDate wins, so importing yesterday's and today's
// exports counts each case once, as it is today.
//
// A query page is one input record: a bad case in it rejects the page,
// naming the case ("records[3].CreatedDate"). Export one case per line
// (JSON Lines) to have bad cases rejected alone.
//
// Mapping (Salesforce's documented Case fields):
//   attributes.type                 must be "Case" when present
//   Id (required)                   interaction_id "salesforce:case:<Id>"
//   Id, LastModifiedDate            event_id "salesforce:case:<Id>@<Last
//                                   ModifiedDate as written>"
//   LastModifiedDate, else          updated_at
//     SystemModstamp, else
//     CreatedDate
//   CreatedDate (required)          occurred_at
//   (constant)                      type "contact", moment INTERIM
//   Origin                          channel: Phone VOICE, Email EMAIL, Web
//                                   WEB, Chat CHAT, SMS and Text SMS,
//                                   Social, Facebook, Twitter SOCIAL, Mobile
//                                   and App MOBILE_APP (any case, first word);
//                                   other origins OTHER
//   ContactId                       identifier "salesforce_contact"
//   SuppliedEmail, ContactEmail     identifier "email" (as written)
//   SuppliedPhone, ContactPhone,    identifier "phone" (as written)
//     ContactMobile
//   Reason, else Subject            topic (cut to 128 bytes)
//   OwnerId                         agent_id when a user ("005..."), queue
//                                   when a queue ("00G..."): Salesforce
//                                   tells them apart by the id's prefix
//   outcome, from Status and        closed cases (IsClosed true, or Status
//     IsClosed                      "Closed..." when IsClosed is absent):
//                                   UNRESOLVED when Status says
//                                   "unresolved" or "not resolved";
//                                   unspecified when it says "duplicate",
//                                   "spam", "cancel", "invalid", "no
//                                   response" (closed, but not solved);
//                                   otherwise RESOLVED ("Closed", "Closed -
//                                   Resolved", "Solved"): closing a case is
//                                   resolving it unless its status says
//                                   otherwise. Open cases: ESCALATED when
//                                   IsEscalated or Status says "escalated",
//                                   else unspecified
// Attributes, set when present:
//   case_number, status, priority,  CaseNumber, Status, Priority, Origin,
//     origin, case_type, reason,    Type, Reason, Subject
//     subject
//   account_id, parent_id, owner_id AccountId, ParentId, OwnerId
//   supplied_name, supplied_company SuppliedName, SuppliedCompany (a name is
//                                   no identity)
//   is_escalated                    IsEscalated
//   closed_at                       ClosedDate as written
//   resolution_ms                   ClosedDate - CreatedDate (not
//                                   duration_ms: a case open for weeks is not
//                                   a contact that long)
//   salesforce.<Field__c>           custom fields (names ending "__c"):
//                                   strings, numbers and bools
//   attributes_dropped              as in connect_ctr.h
// customer_id stays empty: the identifiers attach the case to a profile.

#ifndef MOTIVE_INGEST_SALESFORCE_CASE_H_
#define MOTIVE_INGEST_SALESFORCE_CASE_H_

#include <vector>

#include "absl/status/status.h"
#include "ingest/platforms.h"

namespace motive::ingest {

absl::Status MapSalesforceCase(const JsonValue& record,
                               const MapContext& context,
                               std::vector<v1::Event>* out);

// CaseNumber, or attributes.type "Case", or a query page (records, or
// result.records) whose first record is one of those.
bool LooksLikeSalesforceCase(const JsonValue& record);

}  // namespace motive::ingest

#endif  // MOTIVE_INGEST_SALESFORCE_CASE_H_
