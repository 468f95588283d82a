#include "ingest/salesforce_case.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest/ingest_testing.h"

namespace motive::ingest {
namespace {

using ::motive::ingest::testing::Number;
using ::motive::ingest::testing::OneLine;
using ::motive::ingest::testing::Text;

using ::motive::ingest::testing::Import;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A Web-to-Case case as the REST API returns it (GET
// /services/data/vXX.X/sobjects/Case/<Id>), with the fields of the Case
// object reference: closed by its owner, with a custom field.
constexpr absl::string_view kCase = R"({
  "attributes": {"type": "Case",
                 "url": "/services/data/v60.0/sobjects/Case/500Hs00001XyZAbIAN"},
  "Id": "500Hs00001XyZAbIAN",
  "IsDeleted": false,
  "MasterRecordId": null,
  "CaseNumber": "00001026",
  "ContactId": "003Hs00002AbCdEIAV",
  "AccountId": "001Hs00003FgHiJIAV",
  "AssetId": null,
  "ParentId": null,
  "SuppliedName": "Ann Smith",
  "SuppliedEmail": "Ann.Smith@Example.com",
  "SuppliedPhone": "(415) 555-0100",
  "SuppliedCompany": "Example Inc",
  "Type": "Electrical",
  "Status": "Closed",
  "Reason": "Equipment Complexity",
  "Origin": "Web",
  "Subject": "Generator will not start",
  "Priority": "High",
  "Description": "Since the storm the generator will not start.",
  "IsClosed": true,
  "ClosedDate": "2024-05-03T16:30:00.000+0000",
  "IsEscalated": false,
  "OwnerId": "005Hs00000AgEnTIAV",
  "CreatedDate": "2024-05-01T10:00:00.000+0000",
  "CreatedById": "005Hs00000AgEnTIAV",
  "LastModifiedDate": "2024-05-03T16:30:05.000+0000",
  "LastModifiedById": "005Hs00000AgEnTIAV",
  "SystemModstamp": "2024-05-03T16:30:05.000+0000",
  "ContactPhone": "+1 415 555 0100",
  "ContactMobile": null,
  "ContactEmail": "ann.smith@example.com",
  "ContactFax": null,
  "Comments": null,
  "LastViewedDate": null,
  "LastReferencedDate": null,
  "EngineeringReqNumber__c": "765676",
  "SLAViolation__c": "No",
  "PotentialLiability__c": "Yes",
  "Product__c": "GC5060"
})";

std::string Case(absl::string_view from = "", absl::string_view to = "") {
  std::string text(kCase);
  const size_t at = from.empty() ? absl::string_view::npos
                                 : absl::string_view(text).find(from);
  EXPECT_TRUE(from.empty() || at != absl::string_view::npos) << from;
  if (at != absl::string_view::npos) {
    text.replace(at, from.size(), to.data(), to.size());
  }
  return text;
}

v1::Event MapOne(const std::string& json) {
  return testing::MapOne(Platform::kSalesforceCase, json);
}
absl::Status Rejection(const std::string& json) {
  return testing::Rejection(Platform::kSalesforceCase, json);
}

TEST(SalesforceCaseTest, MapsEveryField) {
  const v1::Event event = MapOne(Case());
  EXPECT_EQ(event.event_id(),
            "salesforce:case:500Hs00001XyZAbIAN@2024-05-03T16:30:05.000+0000");
  EXPECT_EQ(event.interaction_id(), "salesforce:case:500Hs00001XyZAbIAN");
  EXPECT_TRUE(event.customer_id().empty());
  EXPECT_FALSE(event.enrichment());
  EXPECT_EQ(event.occurred_at().seconds(), 1714557600);  // 05-01 10:00Z
  EXPECT_EQ(event.updated_at().seconds(), 1714557600 + 2 * 86400 + 23405);
  EXPECT_EQ(event.type(), "contact");
  EXPECT_EQ(event.moment(), v1::INTERIM);
  EXPECT_EQ(event.channel(), v1::WEB);
  ASSERT_EQ(event.identifiers_size(), 5);
  EXPECT_EQ(event.identifiers(0).namespace_(), "salesforce_contact");
  EXPECT_EQ(event.identifiers(0).value(), "003Hs00002AbCdEIAV");
  EXPECT_EQ(event.identifiers(1).namespace_(), "email");
  EXPECT_EQ(event.identifiers(1).value(), "Ann.Smith@Example.com");
  EXPECT_EQ(event.identifiers(2).namespace_(), "email");
  EXPECT_EQ(event.identifiers(2).value(), "ann.smith@example.com");
  EXPECT_EQ(event.identifiers(3).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(3).value(), "(415) 555-0100");
  EXPECT_EQ(event.identifiers(4).namespace_(), "phone");
  EXPECT_EQ(event.identifiers(4).value(), "+1 415 555 0100");
  EXPECT_EQ(event.topic(), "Equipment Complexity");
  EXPECT_EQ(event.agent_id(), "005Hs00000AgEnTIAV");
  EXPECT_TRUE(event.queue().empty());
  EXPECT_EQ(event.outcome(), v1::RESOLVED);
  EXPECT_FALSE(event.has_duration_ms());

  EXPECT_EQ(Text(event, "case_number"), "00001026");
  EXPECT_EQ(Text(event, "status"), "Closed");
  EXPECT_EQ(Text(event, "priority"), "High");
  EXPECT_EQ(Text(event, "origin"), "Web");
  EXPECT_EQ(Text(event, "case_type"), "Electrical");
  EXPECT_EQ(Text(event, "reason"), "Equipment Complexity");
  EXPECT_EQ(Text(event, "subject"), "Generator will not start");
  EXPECT_EQ(Text(event, "account_id"), "001Hs00003FgHiJIAV");
  EXPECT_EQ(Text(event, "owner_id"), "005Hs00000AgEnTIAV");
  EXPECT_EQ(Text(event, "supplied_name"), "Ann Smith");
  EXPECT_EQ(Text(event, "supplied_company"), "Example Inc");
  EXPECT_FALSE(event.attributes().at("is_escalated").bool_value());
  EXPECT_EQ(Text(event, "closed_at"), "2024-05-03T16:30:00.000+0000");
  EXPECT_EQ(Number(event, "resolution_ms"), (2 * 86400 + 23400) * 1000.0);
  EXPECT_EQ(Text(event, "salesforce.EngineeringReqNumber__c"), "765676");
  EXPECT_EQ(Text(event, "salesforce.Product__c"), "GC5060");
  EXPECT_EQ(Text(event, "parent_id"), "<absent>");  // null
  EXPECT_EQ(event.attributes_size(), 18);
}

TEST(SalesforceCaseTest, OriginsMapToChannels) {
  const std::pair<absl::string_view, v1::Channel> cases[] = {
      {"Phone", v1::VOICE},
      {"Email", v1::EMAIL},
      {"Chat", v1::CHAT},
      {"SMS", v1::SMS},
      {"Facebook", v1::SOCIAL},
      {"Mobile App", v1::MOBILE_APP},
      {"Partner Portal", v1::OTHER},
  };
  for (const auto& [origin, channel] : cases) {
    EXPECT_EQ(MapOne(Case(R"("Origin": "Web")",
                          absl::StrCat(R"("Origin": ")", origin, "\"")))
                  .channel(),
              channel)
        << origin;
  }
  EXPECT_EQ(MapOne(Case(R"("Origin": "Web")", R"("Origin": null)")).channel(),
            v1::CHANNEL_UNSPECIFIED);
}

TEST(SalesforceCaseTest, StatusDecidesTheOutcome) {
  auto outcome = [](absl::string_view status, absl::string_view closed) {
    std::string text = Case(R"("Status": "Closed")",
                            absl::StrCat(R"("Status": ")", status, "\""));
    text = absl::StrReplaceAll(
        text,
        {{R"("IsClosed": true)", absl::StrCat(R"("IsClosed": )", closed)}});
    return MapOne(text).outcome();
  };
  EXPECT_EQ(outcome("Closed - Resolved", "true"), v1::RESOLVED);
  EXPECT_EQ(outcome("Solved", "true"), v1::RESOLVED);
  EXPECT_EQ(outcome("Closed - Unresolved", "true"), v1::UNRESOLVED);
  EXPECT_EQ(outcome("Closed - Duplicate", "true"), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(outcome("Closed - No Response", "true"), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(outcome("Working", "false"), v1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(outcome("Escalated", "false"), v1::ESCALATED);
  // Without IsClosed in the query, the status alone says it.
  EXPECT_EQ(outcome("Closed", "null"), v1::RESOLVED);
  EXPECT_EQ(outcome("New", "null"), v1::OUTCOME_UNSPECIFIED);
  // Exports that write booleans as text.
  EXPECT_EQ(outcome("Closed", "\"true\""), v1::RESOLVED);
  // IsClosed false wins over a status named like a closed one.
  EXPECT_EQ(outcome("Closed", "false"), v1::OUTCOME_UNSPECIFIED);
  std::string open = Case(R"("IsClosed": true)", R"("IsClosed": false)");
  absl::StrReplaceAll({{R"("IsEscalated": false)", R"("IsEscalated": true)"}},
                      &open);
  EXPECT_EQ(MapOne(open).outcome(), v1::ESCALATED);
}

TEST(SalesforceCaseTest, QueueOwnerAndSubjectTopic) {
  std::string text = Case(R"("OwnerId": "005Hs00000AgEnTIAV")",
                          R"("OwnerId": "00GHs000001QuEuE")");
  absl::StrReplaceAll(
      {{R"("Reason": "Equipment Complexity")", R"("Reason": null)"}}, &text);
  const v1::Event event = MapOne(text);
  EXPECT_TRUE(event.agent_id().empty());
  EXPECT_EQ(event.queue(), "00GHs000001QuEuE");
  EXPECT_EQ(event.topic(), "Generator will not start");
}

TEST(SalesforceCaseTest, MinimalQueryFieldsAndNoIdentity) {
  const v1::Event event = MapOne(
      R"({"Id": "500A", "CaseNumber": "1", "CreatedDate": "2024-05-01T10:00:00Z"})");
  EXPECT_EQ(event.event_id(), "salesforce:case:500A@2024-05-01T10:00:00Z");
  EXPECT_EQ(event.updated_at().seconds(), 1714557600);
  EXPECT_THAT(event.identifiers(), IsEmpty());
  EXPECT_EQ(event.outcome(), v1::OUTCOME_UNSPECIFIED);
}

TEST(SalesforceCaseTest, LaterModificationIsANewVersion) {
  const v1::Event first = MapOne(Case());
  const v1::Event later =
      MapOne(Case(R"("LastModifiedDate": "2024-05-03T16:30:05.000+0000")",
                  R"("LastModifiedDate": "2024-05-04T08:00:00.000+0000")"));
  EXPECT_EQ(later.interaction_id(), first.interaction_id());
  EXPECT_NE(later.event_id(), first.event_id());
  EXPECT_GT(later.updated_at().seconds(), first.updated_at().seconds());
  EXPECT_EQ(MapOne(Case()).event_id(), first.event_id());
}

TEST(SalesforceCaseTest, QueryResultPagesAndSfdxOutput) {
  const std::string other =
      Case(R"("Id": "500Hs00001XyZAbIAN")", R"("Id": "500Hs00001OtHeRIAN")");
  const std::string page =
      absl::StrCat(R"({"totalSize": 2, "done": true, "records": [)", Case(),
                   ",", other, "]}");
  auto result = Import(Platform::kAuto, page);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.Events().size(), 2u);
  EXPECT_EQ(result.records[1].number, 1u);  // one input record
  EXPECT_EQ(result.Events()[1].interaction_id(),
            "salesforce:case:500Hs00001OtHeRIAN");

  const std::string sfdx = absl::StrCat(
      R"({"status": 0, "result": {"totalSize": 1, "done": true, "records": [)",
      Case(), "]}}");
  result = Import(Platform::kAuto, sfdx);
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.Events().size(), 1u);

  // A bad case rejects its page, naming it.
  const std::string bad_page =
      absl::StrCat(R"({"records": [)", Case(), ",",
                   Case(R"("CreatedDate": "2024-05-01T10:00:00.000+0000")",
                        R"("CreatedDate": "May 1st")"),
                   "]}");
  const absl::Status status = Rejection(bad_page);
  EXPECT_EQ(base::ErrorField(status), "records[1].CreatedDate");
}

struct BadCase {
  absl::string_view from, to, field, reason;
};

TEST(SalesforceCaseTest, BadRecordsNameTheFieldAndTheReason) {
  const BadCase cases[] = {
      {R"("Id": "500Hs00001XyZAbIAN",)", "", "Id", "required, but missing"},
      {R"("CreatedDate": "2024-05-01T10:00:00.000+0000")",
       R"("CreatedDate": null)", "CreatedDate", "required, but missing"},
      {R"("LastModifiedDate": "2024-05-03T16:30:05.000+0000")",
       R"("LastModifiedDate": "today")", "LastModifiedDate",
       "must be a timestamp like 2024-05-01T10:00:00Z, got \"today\""},
      {R"("ClosedDate": "2024-05-03T16:30:00.000+0000")",
       R"("ClosedDate": "2024-04-03T16:30:00.000+0000")", "ClosedDate",
       "must not be before CreatedDate"},
      {R"("type": "Case")", R"("type": "Contact")", "attributes.type",
       "must be \"Case\", got \"Contact\""},
      {R"("IsClosed": true)", R"("IsClosed": "yes")", "IsClosed",
       "must be true or false"},
      {R"("SuppliedEmail": "Ann.Smith@Example.com")", R"("SuppliedEmail": 7)",
       "SuppliedEmail", "must be a string, got a number"},
      {R"("Product__c": "GC5060")", R"("Product__c": ["GC5060"])", "", ""},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.to);
    if (c.field.empty()) {
      // A custom field no attribute can hold is left out, not an error.
      EXPECT_EQ(Number(MapOne(Case(c.from, c.to)), "attributes_dropped"), 1);
      continue;
    }
    const absl::Status status = Rejection(Case(c.from, c.to));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(base::ErrorField(status), c.field);
    EXPECT_THAT(base::ErrorReason(status), HasSubstr(c.reason));
  }
}

TEST(SalesforceCaseTest, BadRecordIsRejectedAndTheRestImported) {
  const std::string bad =
      Case(R"("CreatedDate": "2024-05-01T10:00:00.000+0000")",
           R"("CreatedDate": 12.5)");
  const auto result = Import(
      Platform::kAuto,
      absl::StrCat(OneLine(Case()), "\n", OneLine(bad), "\n", OneLine(Case())));
  ASSERT_TRUE(result.status.ok()) << result.status;
  ASSERT_EQ(result.records.size(), 3u);
  EXPECT_TRUE(result.records[0].event.ok());
  EXPECT_FALSE(result.records[1].event.ok());
  EXPECT_EQ(result.records[1].number, 2u);
  EXPECT_EQ(base::ErrorField(result.records[1].event.status()), "CreatedDate");
  EXPECT_TRUE(result.records[2].event.ok());
}

TEST(SalesforceCaseTest, LooksLike) {
  simdjson::dom::parser parser;
  auto looks = [&](const std::string& json) {
    simdjson::dom::element element;
    EXPECT_EQ(parser.parse(json).get(element), simdjson::SUCCESS);
    return LooksLikeSalesforceCase(JsonValue::Root(element));
  };
  EXPECT_TRUE(looks(Case()));
  EXPECT_TRUE(looks(R"({"attributes": {"type": "Case"}, "Id": "500A"})"));
  EXPECT_TRUE(looks(absl::StrCat(R"({"records": [)", Case(), "]}")));
  EXPECT_TRUE(
      looks(absl::StrCat(R"({"result": {"records": [)", Case(), "]}}")));
  EXPECT_FALSE(looks(R"({"records": [{"attributes": {"type": "Contact"}}]})"));
  EXPECT_FALSE(looks(R"({"records": []})"));
  EXPECT_FALSE(looks(R"({"Id": "500A", "Subject": "x"})"));
}

}  // namespace
}  // namespace motive::ingest
