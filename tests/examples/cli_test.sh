#!/usr/bin/env bash
# The motive CLI as a newcomer uses it: exit codes, messages, and the
# generate -> ingest -> timeline flow. Usage: cli_test.sh path/to/motive
set -uo pipefail

motive=${1:?usage: cli_test.sh path/to/motive}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
checks=0

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND, keeps its output in
# $out, and checks its exit code.
expect() {
  local want=$1 what=$2
  shift 3
  out=$("$@" 2>&1)
  local got=$?
  checks=$((checks + 1))
  if [[ $got -ne $want ]]; then
    failures=$((failures + 1))
    printf 'FAIL: %s: exit %d, expected %d\n%s\n' "$what" "$got" "$want" "$out"
  fi
}

# contains TEXT DESCRIPTION: checks that the last output holds TEXT.
contains() {
  checks=$((checks + 1))
  if [[ $out != *"$1"* ]]; then
    failures=$((failures + 1))
    printf 'FAIL: %s: output lacks "%s":\n%s\n' "$2" "$1" "$out"
  fi
}

expect 0 "top-level help" -- "$motive" --help
contains "Quick start:" "help starts with a quick start"
contains "ingest" "help lists commands"
contains "whois" "help lists the identity commands"
contains "unlink" "help lists unlink"
expect 2 "unknown command" -- "$motive" frobnicate
contains "frobnicate" "unknown command is named"
expect 2 "unknown flag" -- "$motive" ingest --db "$work/x.db" --colour red a.jsonl
expect 2 "missing --db" -- "$motive" ingest a.jsonl
for command in generate ingest import timeline context snapshot erase expire expr next feedback whois link unlink whatif journey journeys desktop; do
  expect 0 "$command --help" -- "$motive" "$command" --help
  contains "Usage: motive $command" "$command help"
done

expect 0 "generate" -- "$motive" generate --customers 50 --seed 5 --out "$work/j.jsonl"
expect 0 "ingest generated journeys" -- "$motive" ingest --db "$work/m.db" "$work/j.jsonl"
contains "0 rejected" "clean ingest"
expect 0 "ingest --json" -- "$motive" ingest --db "$work/json.db" --json "$work/j.jsonl"
contains '"status":"ok"' "ingest JSON status"
contains '"events_stored":' "ingest JSON figures"
if ! printf '%s' "$out" | python3 -m json.tool > /dev/null; then
  failures=$((failures + 1)); echo "FAIL: ingest --json is not JSON:"; echo "$out"
fi
checks=$((checks + 1))
expect 0 "ingest again: all duplicates" -- "$motive" ingest --db "$work/m.db" "$work/j.jsonl"
contains " 0 accepted" "nothing new the second time"

cat > "$work/bad.jsonl" <<'JSONL'
{"customer_id":"C9","type":"contact","channel":"voice","occurred_at":"2025-03-01T10:00:00Z"}
{"customer_id":"C9", oops
{"customer_id":"C9","type":"contact","occurred_at":"2025-03-02T10:00:00Z","sentiment":3}
JSONL
expect 1 "ingest with rejections" -- "$motive" ingest --db "$work/m.db" "$work/bad.jsonl"
contains "bad.jsonl:2:" "malformed line reported with its number"
contains "bad.jsonl:3: sentiment" "bad field reported by name"
contains "1 accepted" "good line stored"

cat > "$work/contacts.csv" <<'CSV'
customer_id,type,channel,occurred_at,topic,outcome,attributes.plan
C9,contact,chat,2025-03-03T09:00:00Z,"billing, again",unresolved,gold
CSV
expect 0 "ingest CSV" -- "$motive" ingest --db "$work/m.db" "$work/contacts.csv"

expect 0 "timeline" -- "$motive" timeline --db "$work/m.db" C9
contains "customer C9: 2 events" "timeline header"
contains "billing, again" "CSV topic shown"
expect 0 "journey --svg --html" -- "$motive" journey --db "$work/m.db" C9 --svg "$work/c9.svg" --html "$work/c9.html"
grep -q '<g class="event' "$work/c9.svg" || { failures=$((failures + 1)); echo "FAIL: journey SVG has no event"; }
grep -q '<svg' "$work/c9.html" || { failures=$((failures + 1)); echo "FAIL: journey page has no picture"; }
checks=$((checks + 2))
expect 0 "journey to standard output" -- "$motive" journey --db "$work/m.db" C9
contains "Journey of C9" "journey SVG on standard output"
expect 0 "journeys" -- "$motive" journeys --db "$work/m.db" --svg "$work/map.svg"
contains "customers by stage" "journeys table"
contains "third strike" "journeys third strike"
grep -q 'Journey map:' "$work/map.svg" || { failures=$((failures + 1)); echo "FAIL: journeys SVG has no title"; }
checks=$((checks + 1))
expect 0 "journeys --json" -- "$motive" journeys --db "$work/m.db" --json
contains '"stage_customers"' "journeys JSON"
# A segment: C9's context alone enters the map, which names it.
expect 0 "journeys --segment" -- "$motive" journeys --db "$work/m.db" --segment "customer.id == 'C9'" --svg "$work/c9-map.svg"
contains "journey map (segment customer.id == 'C9'): 1 customers, 2 events" "journeys table of a segment"
grep -q "Journey map (segment customer.id == &#39;C9&#39;): 1 customers" "$work/c9-map.svg" || { failures=$((failures + 1)); echo "FAIL: the segment's SVG does not name it"; }
checks=$((checks + 1))
expect 0 "journeys --segment --json" -- "$motive" journeys --db "$work/m.db" --segment "customer.id == 'C9'" --json
contains '"customers":"1"' "journeys JSON of a segment"
contains '"segment":"customer.id == ' "journeys JSON names the segment"
expect 2 "journeys with an ill-typed segment" -- "$motive" journeys --db "$work/m.db" --segment "customer.strikes >= 'two'"
contains "motive journeys: --segment: line 1, column 18: found no matching overload" "ill-typed segment located"
expect 2 "journeys with a segment that does not parse" -- "$motive" journeys --db "$work/m.db" --segment "customer.strikes >="
contains "--segment: line 1" "bad segment located"
expect 2 "journeys with a segment that is not a bool" -- "$motive" journeys --db "$work/m.db" --segment "customer.strikes"
contains "--segment: must be a bool expression, not int" "a segment must be a bool"
# Refused before the database is opened: even a missing one.
expect 2 "journeys refuse a bad segment before any work" -- "$motive" journeys --db "$work/none.db" --segment "customer.nope" --svg "$work/never.svg"
contains "nope" "unknown field named"
[[ ! -e "$work/never.svg" ]] || { failures=$((failures + 1)); echo "FAIL: a bad segment drew a map"; }
checks=$((checks + 1))
expect 0 "journey --json" -- "$motive" journey --db "$work/m.db" C9 --svg "$work/c9.svg" --json
contains '"customer_id":"C9"' "journey JSON names the customer"
contains '"svg":"' "journey JSON names the file written"

expect 2 "desktop with a bad --listen" -- "$motive" desktop --db "$work/m.db" --listen 8080
contains "HOST:PORT" "desktop --listen named"
expect 3 "desktop over a missing database" -- "$motive" desktop --db "$work/none.db" --listen 127.0.0.1:0
expect 0 "timeline --json" -- "$motive" timeline --db "$work/m.db" --json C9
contains '"customer_id":"C9"' "JSON timeline"
expect 0 "unknown customer" -- "$motive" timeline --db "$work/m.db" NOBODY
contains "NOBODY" "unknown customer named"
expect 3 "timeline on a missing database" -- "$motive" timeline --db "$work/none.db" C9
contains "does not exist" "missing database explained"
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: timeline created a database"; }

# The context: on a generated customer, then on C9 as of a time.
expect 0 "context of a generated customer" -- "$motive" context --db "$work/m.db" C0000020
contains "customer C0000020 as of" "context header"
contains "churn risk" "context shows the churn risk"
expect 0 "context as of" -- "$motive" context --db "$work/m.db" --as-of 2025-03-04T00:00:00Z C9
contains "customer C9 as of 2025-03-04 00:00 UTC: 2 events" "context as of a time"
contains "7d 2 (voice 1, chat 1)" "contacts by channel"
contains "billing, again" "open issue named"
contains "plan  gold" "attributes shown"
expect 0 "context as of before the first event" -- "$motive" context --db "$work/m.db" --as-of 2025-03-01T09:00:00Z C9
contains "no events for customer C9" "nothing known yet"
expect 0 "context --json" -- "$motive" context --db "$work/m.db" --json --as-of 2025-03-04T00:00:00Z C9
contains '"customer_id":"C9"' "JSON context"
contains '"known":true' "JSON context known"
if ! printf '%s' "$out" | python3 -m json.tool > /dev/null; then
  failures=$((failures + 1)); echo "FAIL: context --json is not JSON:"; echo "$out"
fi
checks=$((checks + 1))
expect 0 "context of an unknown customer" -- "$motive" context --db "$work/m.db" NOBODY
contains "no events for customer NOBODY" "unknown customer in context"
expect 2 "context with a bad --as-of" -- "$motive" context --db "$work/m.db" --as-of yesterday C9
contains "RFC 3339" "bad time explained"
expect 2 "context without a customer" -- "$motive" context --db "$work/m.db"
expect 2 "context without --db" -- "$motive" context C9
expect 3 "context on a missing database" -- "$motive" context --db "$work/none.db" C9
contains "does not exist" "missing database explained"
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: context created a database"; }

cat > "$work/context.txtpb" <<'TXTPB'
# Calls in the last 30 days, and the money.
metrics { name: "calls_30d" aggregation: COUNT window: "30d" filter: "event.channel == 'voice'" }
metrics { name: "spend_1y" aggregation: SUM field: "value" window: "1y" }
TXTPB
expect 0 "context with a configuration" -- "$motive" context --db "$work/m.db" --config "$work/context.txtpb" --as-of 2025-03-04T00:00:00Z C9
contains "calls_30d  1" "user-defined metric shown"
examples=$(cd "$(dirname "$0")/../../examples" && pwd)
expect 0 "context with the README's configuration" -- "$motive" context --db "$work/m.db" --config "$examples/context.textproto" C9
contains "angry_calls" "README's metric shown"
printf 'metrics { name: "x" aggregation: COUNT window: "soon" }\n' > "$work/bad.txtpb"
expect 3 "context with a bad configuration" -- "$motive" context --db "$work/m.db" --config "$work/bad.txtpb" C9
contains "soon" "bad configuration explained"
expect 3 "context with a missing configuration" -- "$motive" context --db "$work/m.db" --config "$work/none.txtpb" C9
contains "none.txtpb" "missing configuration named"

# Snapshots: ingest leaves one; without it the next open replays the log and
# a new one is written, then used by the next open.
[[ -s "$work/m.db-snapshot" ]] || { failures=$((failures + 1)); echo "FAIL: ingest left no snapshot"; }
rm -f "$work/m.db-snapshot"
expect 0 "snapshot" -- "$motive" snapshot --db "$work/m.db"
contains "by replaying" "first snapshot replays the log"
contains "snapshot written in" "snapshot written"
[[ -s "$work/m.db-snapshot" ]] || { failures=$((failures + 1)); echo "FAIL: no snapshot file"; }
expect 0 "snapshot again" -- "$motive" snapshot --db "$work/m.db"
contains "from the previous snapshot and 0 newer events" "second open reads the snapshot"
contains "customers" "state statistics shown"
expect 0 "context after the snapshot" -- "$motive" context --db "$work/m.db" --as-of 2025-03-04T00:00:00Z C9
contains "7d 2 (voice 1, chat 1)" "same context from the snapshot"
expect 0 "snapshot for a configuration" -- "$motive" snapshot --db "$work/m.db" --config "$work/context.txtpb"
contains "previous snapshot not used" "configuration change noticed"
expect 3 "snapshot with a bad configuration" -- "$motive" snapshot --db "$work/m.db" --config "$work/bad.txtpb"
expect 3 "snapshot of a missing database" -- "$motive" snapshot --db "$work/none.db"
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: snapshot created a database"; }
expect 2 "snapshot with a stray argument" -- "$motive" snapshot --db "$work/m.db" extra

# Erasure: the customer is gone from the database and the snapshot.
cat > "$work/zebulon.jsonl" <<'JSONL'
{"customer_id":"zebulon-erase-me","type":"contact","channel":"voice","occurred_at":"2025-03-01T10:00:00Z","topic":"zebulon-topic"}
{"customer_id":"zebulon-erase-me","type":"purchase","occurred_at":"2025-03-02T10:00:00Z","value":5}
JSONL
expect 0 "ingest the one to erase" -- "$motive" ingest --db "$work/m.db" "$work/zebulon.jsonl"
grep -q zebulon "$work/m.db-snapshot" || { failures=$((failures + 1)); echo "FAIL: no zebulon in the snapshot before erase"; }
expect 0 "erase" -- "$motive" erase --db "$work/m.db" zebulon-erase-me
contains "erased 2 events of customer zebulon-erase-me" "erase counts the events"
expect 0 "timeline after erase" -- "$motive" timeline --db "$work/m.db" zebulon-erase-me
contains "no events" "erased customer has no events"
if grep -q zebulon "$work/m.db" "$work/m.db-snapshot"; then
  failures=$((failures + 1)); echo "FAIL: zebulon left in the database or snapshot"
fi
expect 0 "erase again --json" -- "$motive" erase --db "$work/m.db" zebulon-erase-me --json
contains '{"customer_id":"zebulon-erase-me","events_erased":0}' "erase JSON"
expect 0 "snapshot --json" -- "$motive" snapshot --db "$work/m.db" --json
contains '"from_snapshot":true' "snapshot JSON says the open used the last one"
expect 0 "erase again" -- "$motive" erase --db "$work/m.db" zebulon-erase-me
contains "erased 0 events" "nothing left to erase"
expect 2 "erase without a customer" -- "$motive" erase --db "$work/m.db"
expect 3 "erase in a missing database" -- "$motive" erase --db "$work/none.db" C9

# Retention: events older than N days leave; the rest, and the contexts
# they build, stay. (The events of 2025 are far older than a day.)
cat > "$work/recent.jsonl" <<JSONL
{"customer_id":"zebulon-recent","type":"contact","channel":"chat","occurred_at":"$(date -u -d '-2 days' +%Y-%m-%dT%H:%M:%SZ)"}
{"customer_id":"zebulon-recent","type":"contact","channel":"voice","occurred_at":"2025-01-05T10:00:00Z"}
JSONL
expect 0 "ingest recent and old" -- "$motive" ingest --db "$work/r.db" "$work/recent.jsonl"
expect 2 "expire without --days" -- "$motive" expire --db "$work/r.db"
expect 2 "expire with 0 days" -- "$motive" expire --db "$work/r.db" --days 0
expect 0 "expire" -- "$motive" expire --db "$work/r.db" --days 30
contains "1 event older than 30 days left the database" "expire counts what left"
expect 0 "timeline after expire" -- "$motive" timeline --db "$work/r.db" zebulon-recent
contains "chat" "the recent event stays"
[[ $out != *"voice"* ]] || { failures=$((failures + 1)); echo "FAIL: the old event is still there"; }
expect 0 "expire again" -- "$motive" expire --db "$work/r.db" --days 30
contains "0 events older than 30 days" "nothing left to expire"

expect 0 "expr" -- "$motive" expr --var n=21 --var "tags=['vip', 'new']" "tags.exists(t, t == 'vip') ? n * 2 : 0"
contains "42" "expr result"
expect 1 "expr that fails to evaluate" -- "$motive" expr "{'a': 1}['b']"
contains "no such key" "evaluation error explained"
expect 2 "expr with a syntax error" -- "$motive" expr "1 +"
contains "column" "syntax error located"
expect 2 "--var without =" -- "$motive" expr --var n "n"
expect 0 "expr --json" -- "$motive" expr --json --var n=21 "n * 2"
contains '{"expression":"n * 2","result":"42"}' "expr JSON"
expect 0 "generate --json with --out" -- "$motive" generate --customers 3 --seed 5 --out "$work/g.jsonl" --json
contains '"customers":3' "generate JSON counts customers"
contains '"out":"' "generate JSON names the file"
if ! printf '%s' "$out" | python3 -m json.tool > /dev/null; then
  failures=$((failures + 1)); echo "FAIL: generate --json is not JSON:"; echo "$out"
fi
checks=$((checks + 1))
# Without --out the events take standard output and the report standard error.
events=$("$motive" generate --customers 3 --seed 5 --json 2> "$work/g.err")
checks=$((checks + 2))
[[ $events == "$(cat "$work/g.jsonl")" ]] || { failures=$((failures + 1)); echo "FAIL: generate --json changed the events on standard output"; }
grep -q '"out":null' "$work/g.err" || { failures=$((failures + 1)); echo "FAIL: generate --json report not on standard error"; }

# Next-best action: a ruleset, alerts on ingest, decisions, feedback.
cat > "$work/rules.textproto" <<'TXTPB'
version: "cli-1"
actions { id: "apology" title: "Apologise" group: "service_recovery" service: true
          script: "Sorry, {customer.first_name|there}." }
actions { id: "upgrade" title: "Offer the gold plan" group: "upsell" value: 2 }
actions { id: "survey" title: "Invite to the survey" }
actions { id: "callback" title: "Call back" group: "retention" }
playbooks {
  name: "billing_call" directions: INBOUND topics: "billing"
  rules { action: "apology" priority: 10 eligibility: "customer.strikes >= 1"
          reason: "{customer.strikes} bad experience(s)" }
  rules { action: "upgrade" suitability: "customer.strikes == 0" }
  rules { action: "survey" }
}
playbooks {
  name: "detractor" proactive: true
  condition: "customer.nps_category == 'detractor'"
  rules { action: "callback" }
}
contact_policy { caps { action: "upgrade" max: 1 window: "30d" } }
TXTPB
cat > "$work/nba.jsonl" <<'JSONL'
{"event_id":"n1","customer_id":"N1","type":"contact","channel":"voice","occurred_at":"2025-03-01T10:00:00Z","topic":"billing","outcome":"unresolved","attributes":{"first_name":"Ada"}}
{"event_id":"n2","customer_id":"N2","type":"purchase","channel":"web","occurred_at":"2025-03-01T10:00:00Z","value":50}
{"event_id":"n3","customer_id":"N3","type":"survey","channel":"email","occurred_at":"2025-03-02T10:00:00Z","nps":2}
JSONL
rules=(--rules "$work/rules.textproto")
expect 0 "ingest with rules" -- "$motive" ingest --db "$work/r.db" "${rules[@]}" "$work/nba.jsonl"
contains "alerts: 1 raised" "proactive alert counted"
contains "N3  detractor/callback  callback" "proactive alert listed"
at=(--at 2025-03-05T00:00:00Z)
expect 0 "next" -- "$motive" next --db "$work/r.db" "${rules[@]}" --channel voice --topic billing "${at[@]}" N1
contains "ruleset cli-1" "ruleset version shown"
contains "1. apology  Apologise  (tier 10, service_recovery, service)" "first action ranked"
contains "score   0.5 x 1 x 1 x 1 = 0.5" "score terms shown"
contains "script  Sorry, Ada." "script filled"
contains "reason  1 bad experience(s)" "reason filled"
contains "2. survey" "second action ranked"
[[ $out != *dropped* ]] || { failures=$((failures + 1)); echo "FAIL: next without --why shows the trace"; }
checks=$((checks + 1))
# What-if: the calls, decided again with the rules against none (N1's is
# offered the upgrade: no strike before it).
expect 0 "whatif" -- "$motive" whatif --db "$work/r.db" --rules "$work/rules.textproto"
contains "what-if: cli-1 against no ruleset" "whatif names the rulesets"
contains "top action gained" "whatif lists the top actions gained"
contains "upgrade" "whatif names the top action gained"
expect 0 "whatif --json" -- "$motive" whatif --db "$work/r.db" --rules "$work/rules.textproto" --against "$work/rules.textproto" --json
contains '"against_version":"cli-1"' "whatif JSON names the ruleset compared with"
contains '"decisions":"' "whatif JSON counts decisions"
# Zero counts are left out of the JSON: nothing changed.
[[ $out != *'"changed"'* ]] || { failures=$((failures + 1)); echo "FAIL: a ruleset against itself changed decisions: $out"; }
checks=$((checks + 1))
expect 3 "whatif with a broken ruleset" -- "$motive" whatif --db "$work/r.db" --rules "$work/nba.jsonl"
contains "nba.jsonl" "the broken ruleset is named"
expect 2 "whatif without --rules" -- "$motive" whatif --db "$work/r.db"
expect 0 "next --why" -- "$motive" next --db "$work/r.db" "${rules[@]}" --topic billing "${at[@]}" --why N1
contains "playbooks matched: billing_call" "matched playbooks shown"
contains "upgrade  billing_call/upgrade  suitability" "dropped candidate traced"
expect 0 "next --json" -- "$motive" next --db "$work/r.db" "${rules[@]}" --topic billing "${at[@]}" --json N2
contains '"action":"upgrade"' "JSON decision names the action"
if ! printf '%s' "$out" | python3 -m json.tool > /dev/null; then
  failures=$((failures + 1)); echo "FAIL: next --json is not JSON:"; echo "$out"
fi
checks=$((checks + 1))
decision=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["decision_id"])')
expect 0 "feedback" -- "$motive" feedback --db "$work/r.db" "${rules[@]}" N2 --decision "$decision" --action upgrade --outcome offered --channel voice --at 2025-03-05T00:01:00Z
contains "recorded" "feedback acknowledged"
expect 0 "next after the offer" -- "$motive" next --db "$work/r.db" "${rules[@]}" --topic billing --at 2025-03-05T01:00:00Z --why N2
contains "upgrade  billing_call/upgrade  cap" "the cap now drops the upgrade"
contains "1. survey" "the survey moves up"
expect 0 "next for an unknown customer" -- "$motive" next --db "$work/r.db" "${rules[@]}" --topic billing NOBODY
contains "1. upgrade" "unknown customer decided for"
expect 2 "feedback with a bad outcome" -- "$motive" feedback --db "$work/r.db" N2 --decision d --action upgrade --outcome maybe
contains "offered, accepted" "outcomes listed"
expect 3 "feedback without a decision id" -- "$motive" feedback --db "$work/r.db" N2 --decision "" --action upgrade --outcome offered
contains "decision_id" "missing decision id named"
expect 3 "feedback on a missing database" -- "$motive" feedback --db "$work/none.db" N2 --decision d --action upgrade --outcome offered
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: feedback created a database"; }
expect 2 "next without --rules" -- "$motive" next --db "$work/r.db" N1
expect 2 "next with a bad --at" -- "$motive" next --db "$work/r.db" "${rules[@]}" --at soon N1
expect 2 "next with an unknown channel" -- "$motive" next --db "$work/r.db" "${rules[@]}" --channel pigeon N1
printf 'actions { id: "a" }\nplaybooks { name: "p"\n  rules { action: "nope" } }\n' > "$work/bad_rules.textproto"
expect 3 "next with a bad ruleset" -- "$motive" next --db "$work/r.db" --rules "$work/bad_rules.textproto" N1
contains "bad_rules.textproto:3:" "bad ruleset located by line"
contains "nope" "bad ruleset explained"
printf 'actions {\n  id: "a"\n' > "$work/broken_rules.textproto"
expect 3 "next with a ruleset that does not parse" -- "$motive" next --db "$work/r.db" --rules "$work/broken_rules.textproto" N1
contains "broken_rules.textproto:3:" "syntax error located by line"
expect 3 "ingest with a bad ruleset" -- "$motive" ingest --db "$work/r.db" --rules "$work/bad_rules.textproto" "$work/nba.jsonl"
contains "bad_rules.textproto:3:" "ingest names the bad ruleset"

# Identities: events known only by their identifiers join one customer;
# whois shows it, link and unlink change it, --identity names it anywhere a
# CUSTOMER goes.
cat > "$work/ids.jsonl" <<'JSONL'
{"event_id":"i1","type":"contact","channel":"voice","occurred_at":"2025-03-01T10:00:00Z","topic":"billing","outcome":"unresolved","identifiers":[{"namespace":"phone","value":"(415) 555-0100"}]}
{"event_id":"i2","type":"contact","channel":"chat","occurred_at":"2025-03-02T10:00:00Z","identifiers":[{"namespace":"email","value":"Ana@Example.com"},{"namespace":"phone","value":"+14155550100"}]}
{"event_id":"i3","customer_id":"crm-7","type":"purchase","channel":"web","occurred_at":"2025-03-03T10:00:00Z","value":20}
{"event_id":"s1","type":"contact","channel":"voice","occurred_at":"2025-03-01T11:00:00Z","identifiers":[{"namespace":"phone","value":"+14155550000"},{"namespace":"email","value":"u1@example.com"}]}
{"event_id":"s2","type":"contact","channel":"voice","occurred_at":"2025-03-01T12:00:00Z","identifiers":[{"namespace":"phone","value":"+14155550000"},{"namespace":"email","value":"u2@example.com"}]}
{"event_id":"s3","type":"contact","channel":"voice","occurred_at":"2025-03-01T13:00:00Z","identifiers":[{"namespace":"phone","value":"+14155550000"},{"namespace":"email","value":"u3@example.com"}]}
JSONL
printf 'default_region: "US"\nmax_profiles: 2\n' > "$work/identity.txtpb"
# The identity configuration goes with every command on the database, as
# the context configuration does.
idb=(--db "$work/i.db" --identity-config "$work/identity.txtpb")
expect 0 "ingest identified events" -- "$motive" ingest "${idb[@]}" "$work/ids.jsonl"
contains "0 rejected" "identified events accepted"
expect 0 "whois by a national number" -- "$motive" whois "${idb[@]}" "phone:(415) 555-0100"
contains "customer ~" "whois names the derived id"
contains "phone  +14155550100" "whois shows the normalized phone"
contains "email  ana@example.com" "whois shows the normalized email"
expect 0 "timeline --identity" -- "$motive" timeline "${idb[@]}" --identity "phone:+1 415-555-0100"
contains ": 2 events" "timeline of the identified customer"
expect 0 "context --identity" -- "$motive" context "${idb[@]}" --identity email:ANA@example.com --as-of 2025-03-04T00:00:00Z
contains "2 events" "context of the identified customer"
expect 0 "link to a CRM id" -- "$motive" link "${idb[@]}" crm-7 email:ana@example.com
contains "linked email:ana@example.com to customer crm-7; they belong to customer crm-7" "link acknowledged"
expect 0 "whois after the link" -- "$motive" whois "${idb[@]}" phone:+14155550100
contains "customer crm-7" "merged under the CRM id"
contains "merged ids: ~" "the derived id is merged in"
contains " merge   ~" "the merge is listed"
contains " link    email:ana@example.com to crm-7" "the link is listed"
contains "seen on event" "the merge's reason"
expect 0 "whois --customer --json" -- "$motive" whois "${idb[@]}" --customer crm-7 --json
contains '"customer_id":"crm-7"' "JSON profile"
if ! printf '%s' "$out" | python3 -m json.tool > /dev/null; then
  failures=$((failures + 1)); echo "FAIL: whois --json is not JSON:"; echo "$out"
fi
checks=$((checks + 1))
expect 0 "timeline --identity after the link" -- "$motive" timeline "${idb[@]}" --identity phone:+14155550100
contains "customer crm-7: 3 events" "one customer, three events"
expect 0 "next --identity" -- "$motive" next "${idb[@]}" "${rules[@]}" --topic billing "${at[@]}" --json --identity email:ana@example.com
contains '"customer_id":"crm-7"' "decided for the identified customer"
decision=$(printf '%s' "$out" | python3 -c 'import json, sys; print(json.load(sys.stdin)["decision_id"])')
expect 0 "feedback --identity" -- "$motive" feedback "${idb[@]}" "${rules[@]}" --identity phone:+14155550100 --decision "$decision" --action survey --outcome accepted --at 2025-03-05T00:01:00Z
contains "recorded: crm-7 accepted survey" "feedback for the identified customer"
expect 3 "whois of a shared number" -- "$motive" whois "${idb[@]}" phone:+14155550000
contains "shared by several profiles" "shared number explained"
expect 0 "whois of one of its customers" -- "$motive" whois "${idb[@]}" email:u1@example.com
contains "+14155550000  (shared)" "shared flag shown"
expect 3 "whois of an unknown number" -- "$motive" whois "${idb[@]}" phone:+19995550100
contains "belongs to no profile" "unknown number explained"
expect 0 "unlink" -- "$motive" unlink "${idb[@]}" email:ana@example.com
contains "unlinked email:ana@example.com" "unlink acknowledged"
expect 3 "whois of an unlinked email" -- "$motive" whois "${idb[@]}" email:ana@example.com
contains "unlinked" "unlinked email explained"
expect 0 "whois of the phone after unlink" -- "$motive" whois "${idb[@]}" phone:+14155550100
[[ $out != *"customer crm-7"* ]] || { failures=$((failures + 1)); echo "FAIL: the phone still belongs to crm-7"; }
checks=$((checks + 1))
expect 0 "link by --identity" -- "$motive" link "${idb[@]}" --identity phone:+14155550100 email:ana.silva@example.com
contains "linked phone:+14155550100, email:ana.silva@example.com; they belong to customer ~" "linked into the derived customer"
expect 0 "whois of the linked email" -- "$motive" whois "${idb[@]}" email:ana.silva@example.com
contains "phone  +14155550100" "the email joined the phone's customer"
expect 3 "link by an unknown --identity" -- "$motive" link "${idb[@]}" --identity phone:+19995550100 email:x@example.com
contains "belongs to no profile" "unknown identity explained"
expect 0 "erase --identity" -- "$motive" erase "${idb[@]}" --identity phone:+14155550100
contains "of customer ~" "erased by identity"
expect 3 "whois after erase" -- "$motive" whois "${idb[@]}" phone:+14155550100
contains "belongs to no profile" "erased identifiers are gone"
expect 2 "whois without an identifier" -- "$motive" whois "${idb[@]}"
expect 2 "whois with both" -- "$motive" whois "${idb[@]}" --customer crm-7 phone:+14155550100
expect 2 "whois of a bad identifier" -- "$motive" whois "${idb[@]}" crm-7
contains "NAMESPACE:VALUE" "identifier syntax explained"
expect 2 "timeline with both" -- "$motive" timeline "${idb[@]}" --identity phone:+14155550100 crm-7
contains "not both" "both explained"
expect 2 "timeline --identity without a namespace" -- "$motive" timeline "${idb[@]}" --identity 4155550100
contains "NAMESPACE:VALUE" "--identity syntax explained"
expect 3 "context --identity unknown" -- "$motive" context "${idb[@]}" --identity phone:+19995550100
contains "belongs to no profile" "unknown identity explained"
expect 2 "link without identifiers" -- "$motive" link "${idb[@]}" crm-7
expect 3 "link with a bad namespace" -- "$motive" link "${idb[@]}" crm-7 "Bad NS:x"
contains "namespace" "bad namespace explained"
expect 2 "unlink two" -- "$motive" unlink "${idb[@]}" email:a@b.c email:d@e.f
expect 3 "link in a missing database" -- "$motive" link --db "$work/none.db" crm-7 email:a@b.c
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: link created a database"; }
printf 'default_region: "XX"\n' > "$work/bad_identity.txtpb"
expect 3 "a bad identity configuration" -- "$motive" timeline --db "$work/i.db" --identity-config "$work/bad_identity.txtpb" crm-7
contains "bad_identity.txtpb" "bad identity configuration named"
contains "default_region" "bad identity configuration explained"

# Platform records: Amazon Connect contact records (a contact delivered
# twice, the second time updated), one broken twice over; a Contact Lens
# chat analysis that enriches a contact.
cat > "$work/ctr.jsonl" <<'JSONL'
{"ContactId":"c-1","Channel":"VOICE","InitiationTimestamp":"2026-01-01T10:00:00Z","LastUpdateTimestamp":"2026-01-01T10:20:00Z","DisconnectTimestamp":"2026-01-01T10:10:00Z","CustomerEndpoint":{"Address":"+14155550100","Type":"TELEPHONE_NUMBER"},"Agent":null}
{"ContactId":"c-1","Channel":"VOICE","InitiationTimestamp":"2026-01-01T10:00:00Z","LastUpdateTimestamp":"2026-01-01T11:00:00Z","DisconnectTimestamp":"2026-01-01T10:10:00Z","CustomerEndpoint":{"Address":"+14155550100","Type":"TELEPHONE_NUMBER"},"Agent":{"Username":"jdoe"}}
{"ContactId":"c-2","Channel":"CHAT","InitiationTimestamp":"2026-01-02T10:00:00Z","LastUpdateTimestamp":"2026-01-02T10:30:00Z","CustomerEndpoint":{"Address":"ana@example.com","Type":"EMAIL_ADDRESS"}}
{"ContactId":"c-3","Channel":"VOICE","InitiationTimestamp":"not a time","LastUpdateTimestamp":"2026-01-03T10:30:00Z","CustomerEndpoint":{"Address":"+14155550100","Type":"TELEPHONE_NUMBER"}}
{"ContactId":"c-4","Channel":"VOICE","InitiationTimestamp":"yesterday","LastUpdateTimestamp":"2026-01-04T10:30:00Z","CustomerEndpoint":{"Address":"+14155550100","Type":"TELEPHONE_NUMBER"}}
JSONL
cat > "$work/lens.json" <<'JSON'
{"Version": "CHAT-2022-11-30", "Channel": "CHAT", "JobStatus": "COMPLETED",
 "CustomerMetadata": {"ContactId": "c-2"},
 "ConversationCharacteristics": {"Sentiment": {"OverallSentiment": {
   "DetailsByParticipantRole": {"CUSTOMER": -2.5, "AGENT": 1}}}},
 "Transcript": [{"AbsoluteTime": "2026-01-02T10:05:00.000Z", "Id": "t1",
   "Content": "My bill is wrong.", "ParticipantRole": "CUSTOMER"}]}
JSON
pdb=(--db "$work/p.db")
expect 1 "import with rejections" -- "$motive" import "${pdb[@]}" --from connect-ctr "$work/ctr.jsonl"
contains "ctr.jsonl:4: InitiationTimestamp: " "rejected record located by number and field"
contains "ctr.jsonl:5: InitiationTimestamp: " "second rejected record"
contains "records     stored    updated  duplicates   rejected    skipped  new profiles  merged" "table header"
row=$(printf '%s\n' "$out" | grep "ctr.jsonl  ")
checks=$((checks + 1))
if [[ $(echo $row | awk '{print $2, $3, $4, $5, $6, $7, $8, $9}') != "5 3 1 0 2 0 2 0" ]]; then
  failures=$((failures + 1)); echo "FAIL: import figures: $row"
fi
contains "rejected, by field and reason:" "rejections grouped"
contains "        2  InitiationTimestamp: must be" "one group for both bad times"
expect 0 "import an analysis" -- "$motive" import "${pdb[@]}" --from contact-lens "$work/lens.json"
row=$(printf '%s\n' "$out" | grep "lens.json  ")
checks=$((checks + 1))
if [[ $(echo $row | awk '{print $2, $3, $4, $5, $6}') != "1 1 1 0 0" ]]; then
  failures=$((failures + 1)); echo "FAIL: an analysis is an update: $row"
fi
expect 0 "timeline of an imported phone" -- "$motive" timeline "${pdb[@]}" --identity phone:+14155550100
contains ": 1 event" "the contact once, as its latest version"
expect 0 "whois of an imported email" -- "$motive" whois "${pdb[@]}" email:ana@example.com
contains "email  ana@example.com" "identifier from CustomerEndpoint"
expect 0 "import again: duplicates only" -- "$motive" import "${pdb[@]}" --from auto --json "$work/lens.json" "$work/lens.json"
if ! printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
t = r["total"]
assert r["status"] == "ok" and r["from"] == "auto", r
assert len(r["files"]) == 2 and r["files"][0]["path"].endswith("lens.json"), r
assert (t["records"], t["events_stored"], t["duplicates"], t["rejected"]) == (2, 0, 2, 0), t
for key in ("updated", "profiles_created", "profiles_merged", "skipped",
            "seconds", "records_per_second", "rejected_by_reason"):
  assert key in t, key
'; then
  failures=$((failures + 1)); echo "FAIL: import --json:"; echo "$out"
fi
checks=$((checks + 1))
expect 1 "import --json with rejections" -- "$motive" import "${pdb[@]}" --from connect-ctr --json "$work/ctr.jsonl"
if ! printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
f = r["files"][0]
assert r["status"] == "rejected" and f["rejected"] == 2 and f["duplicates"] == 3, r
assert f["rejected_by_reason"][0]["field"] == "InitiationTimestamp", f
assert f["rejected_by_reason"][0]["count"] == 2, f
assert [x["record"] for x in f["first_rejections"]] == [4, 5], f
'; then
  failures=$((failures + 1)); echo "FAIL: import --json with rejections:"; echo "$out"
fi
checks=$((checks + 1))
[[ $out != *"ctr.jsonl:4:"* ]] || { failures=$((failures + 1)); echo "FAIL: --json printed the rejections"; }
checks=$((checks + 1))
expect 2 "import without --from" -- "$motive" import "${pdb[@]}" "$work/lens.json"
expect 2 "import from an unknown platform" -- "$motive" import --db "$work/none.db" --from five9 "$work/lens.json"
contains "connect-ctr" "known platforms listed"
expect 2 "import from motive's own format" -- "$motive" import --db "$work/none.db" --from jsonl "$work/lens.json"
contains "motive ingest" "ingest suggested"
expect 2 "import with a bad time zone" -- "$motive" import --db "$work/none.db" --from connect-ctr --timezone Not/AZone "$work/ctr.jsonl"
contains "timezone" "bad time zone explained"
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: a usage error created a database"; }
checks=$((checks + 1))
expect 0 "import with a time zone" -- "$motive" import "${pdb[@]}" --from contact-lens --timezone Europe/Lisbon "$work/lens.json"
expect 0 "import with rules" -- "$motive" import --db "$work/p2.db" "${rules[@]}" --from contact-lens "$work/lens.json"
contains "alerts: 0 raised" "alerts counted after the table"
expect 0 "import with rules, --json" -- "$motive" import --db "$work/p2.db" "${rules[@]}" --from contact-lens --json "$work/lens.json"
contains '"alerts_raised":0}' "alerts counted in the JSON"
expect 3 "import a missing file" -- "$motive" import "${pdb[@]}" --from connect-ctr "$work/missing.jsonl"
contains "missing.jsonl" "missing file named"
expect 0 "import --help" -- "$motive" import --help
contains "default UTC" "time zone default documented"

# Zendesk's ticket table, as a warehouse connector writes it: times without
# an offset, read in --timezone.
cat > "$work/tickets.csv" <<'CSV'
id,created_at,updated_at,status,subject,requester_id,via_channel,via_source_from_address
4711,2026-03-02 10:05:00,2026-03-02 10:40:00,open,Charged twice,38121,email,Maria@Example.com
CSV
zdb=(--db "$work/z.db")
expect 0 "import Zendesk tickets in a time zone" -- "$motive" import "${zdb[@]}" --from zendesk-ticket --timezone America/Los_Angeles "$work/tickets.csv"
expect 0 "timeline of the ticket's requester" -- "$motive" timeline "${zdb[@]}" --identity zendesk_user:38121
contains "2026-03-02 18:05" "the naive time read in the zone"
expect 0 "whois of the ticket's email" -- "$motive" whois "${zdb[@]}" email:maria@example.com
contains "zendesk_user  38121" "the ticket's identifiers, one customer"

# The Contact Lens sample from Amazon's documentation, when the shared data
# is beside the project: under its own name the analysis names no contact;
# under the name Connect gives it (<ContactId>_analysis_<time>.json), it
# imports.
shared="$(cd "$(dirname "$0")/../../.." && pwd)/shared/data"
sample="$shared/amazon_connect_contact_lens_voice_analysis_docs_FIXED.json"
if [[ -f $sample ]]; then
  expect 1 "import the Contact Lens sample as named" -- "$motive" import "${pdb[@]}" --from contact-lens "$sample"
  contains "docs_FIXED.json:1: " "the sample's analysis rejected"
  contains "_analysis_<time>.json" "the file name Connect gives is asked for"
  named="$work/11111111-1111-1111-1111-111111111111_analysis_2021-08-04T17:35:00Z.json"
  cp "$sample" "$named"
  expect 0 "import the Contact Lens sample" -- "$motive" import "${pdb[@]}" --from contact-lens --json "$named"
  contains '"records":1,"events_stored":1,' "the sample's analysis stored"
  expect 0 "import it again, found from its first record" -- "$motive" import "${pdb[@]}" --from auto "$named"
  contains "analysis_2021-08-04T17:35:00Z.json  " "file row"
else
  echo "cli_test: $shared is absent; the Contact Lens sample is not imported"
fi

echo "foo,bar" > "$work/notes.txt"
expect 3 "ingest into a file that is not a database" -- "$motive" ingest --db "$work/notes.txt" "$work/j.jsonl"
contains "not a motive database" "foreign file refused"

echo "cli_test: $((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
