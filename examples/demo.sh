#!/usr/bin/env bash
# The demo behind `make demo`: synthetic journeys -> a motive database -> one
# customer's journey through the moments of truth, its context, and what the
# agent should do next; then one person's Amazon Connect call, Zendesk ticket
# and Salesforce case becoming one customer; all with the motive CLI.
#
# Usage: examples/demo.sh BUILD_DIR   (a build folder where motive_cli is built)
set -euo pipefail

build_dir=${1:?usage: examples/demo.sh BUILD_DIR}
motive="$build_dir/examples/cli/motive"
demo_dir="$build_dir/demo"
db="$demo_dir/motive.db"
rules="$(cd "$(dirname "$0")" && pwd)/rules/telecom.textproto"

# Customer 332 of seed 42 has a rich journey: research, a purchase whose
# delivery is late (an abandoned call, then a callback), refund chats that go
# nowhere, an upgrade, poor surveys, then churn and a warning to others. The
# generator is deterministic, so this stays true on every machine.
seed=42
customer=C0000332

step() { printf '\n==> %s\n' "$*"; }

if [[ ! -x "$motive" ]]; then
  echo "demo: $motive is missing; build the motive_cli target first" >&2
  exit 1
fi
mkdir -p "$demo_dir"

step "Generating the journeys of 2,000 synthetic customers (seed $seed)"
"$motive" generate --customers 2000 --seed "$seed" --out "$demo_dir/journeys.jsonl"

step "Ingesting them into a new database, $db"
rm -f "$db" "$db-wal" "$db-shm" "$db-journal" "$db-snapshot"
"$motive" ingest --db "$db" "$demo_dir/journeys.jsonl"

step "The journey of customer $customer, moment by moment"
"$motive" timeline --db "$db" "$customer"

# The evening before this customer churned: had anyone asked, the context
# said so (strikes, open issues, a detractor, sentiment worsening). A time
# before the customer's last event is answered by replaying the log.
step "What an agent would have seen on 2025-08-23, the day before $customer left"
"$motive" context --db "$db" --as-of 2025-08-23T21:00:00Z "$customer"

# The same customer calls back about the refund that a chat left unresolved
# an hour before. The telecom ruleset tells the agent what to do, ranked, with
# the script filled from the context and why each action is there.
step "What the agent is told when $customer calls back about the refund, 2025-08-07"
"$motive" next --db "$db" --rules "$rules" --channel chat --topic refund \
  --at 2025-08-07T11:49:00Z --why "$customer"

# One person in three systems, each knowing her by another identifier. Maria
# calls about a bill charged twice: Amazon Connect knows her phone. She writes
# to the helpdesk: Zendesk knows its user id and her email. She fills in the
# web form: Salesforce knows its contact id and the phone she typed, written
# nationally. Each file is as the platform exports it: Connect's contact
# records (the call's twice: again after the agent's wrap-up), the Zendesk
# ticket table as a warehouse connector writes it (times without an offset,
# in the warehouse's zone), a Salesforce Case from the REST API.
people_db="$demo_dir/people.db"
phone=+14155550123
rm -f "$people_db" "$people_db-wal" "$people_db-shm" "$people_db-journal" \
  "$people_db-snapshot"
printf 'default_region: "US"\n' > "$demo_dir/identity.textproto"
people=(--db "$people_db" --identity-config "$demo_dir/identity.textproto")
cat > "$demo_dir/connect-ctr.jsonl" <<'JSONL'
{"ContactId":"5f1c7a2e-0b3d-4c8e-9a61-2d7e4b9c0a11","Channel":"VOICE","InitiationMethod":"INBOUND","InitiationTimestamp":"2026-03-02T17:14:00Z","DisconnectTimestamp":"2026-03-02T17:29:00Z","LastUpdateTimestamp":"2026-03-02T17:29:30Z","CustomerEndpoint":{"Address":"+14155550123","Type":"TELEPHONE_NUMBER"},"Queue":{"Name":"Billing","Duration":210},"Agent":{"Username":"jdoe","CustomerHoldDuration":95}}
{"ContactId":"5f1c7a2e-0b3d-4c8e-9a61-2d7e4b9c0a11","Channel":"VOICE","InitiationMethod":"INBOUND","InitiationTimestamp":"2026-03-02T17:14:00Z","DisconnectTimestamp":"2026-03-02T17:29:00Z","LastUpdateTimestamp":"2026-03-02T17:34:10Z","CustomerEndpoint":{"Address":"+14155550123","Type":"TELEPHONE_NUMBER"},"Queue":{"Name":"Billing","Duration":210},"Agent":{"Username":"jdoe","CustomerHoldDuration":95,"AfterContactWorkDuration":310},"Attributes":{"reason":"charged twice"}}
JSONL
cat > "$demo_dir/zendesk-tickets.csv" <<'CSV'
id,created_at,updated_at,status,subject,requester_id,via_channel,via_source_from_address,priority
4711,2026-03-02 10:05:00,2026-03-02 10:40:00,open,Charged twice in March,38121,email,Maria.Costa@example.com,high
CSV
cat > "$demo_dir/salesforce-case.json" <<'JSON'
{"attributes": {"type": "Case"}, "Id": "5003x00002AbC1QAAV",
 "CaseNumber": "00001042", "ContactId": "0035e00000XyZ9AAAV",
 "SuppliedPhone": "(415) 555-0123", "Origin": "Web", "Status": "Escalated",
 "IsClosed": false, "IsEscalated": true, "Reason": "Billing",
 "Subject": "Refund the double charge", "Priority": "High",
 "CreatedDate": "2026-03-03T16:40:00.000+0000",
 "LastModifiedDate": "2026-03-03T16:52:00.000+0000"}
JSON

step "One person in three systems: her Amazon Connect call"
"$motive" import "${people[@]}" --from connect-ctr "$demo_dir/connect-ctr.jsonl"

step "Her Zendesk ticket (zendesk_user, email; times in the warehouse's zone)"
"$motive" import "${people[@]}" --from zendesk-ticket \
  --timezone America/Los_Angeles "$demo_dir/zendesk-tickets.csv"

step "Her Salesforce case (salesforce_contact, and the call's phone)"
"$motive" import "${people[@]}" --from salesforce-case "$demo_dir/salesforce-case.json"

# The case's phone, written nationally, is the call's: they joined. The
# ticket knows only her email, which the agent on the call confirmed.
step "The agent confirms her email on the call: one person"
"$motive" link "${people[@]}" --identity "phone:$phone" email:maria.costa@example.com

step "Who is $phone?"
"$motive" whois "${people[@]}" "phone:$phone"

step "Her timeline, whichever system you ask from"
"$motive" timeline "${people[@]}" --identity "phone:$phone"

step "Her context the next morning, by her Zendesk user"
"$motive" context "${people[@]}" --as-of 2026-03-04T17:00:00Z \
  --identity zendesk_user:38121

step "Next: 'make desktop' serves the agent desktop, a web page over generated customers"
