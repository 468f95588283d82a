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
contains "ingest" "help lists commands"
expect 2 "unknown command" -- "$motive" frobnicate
contains "frobnicate" "unknown command is named"
expect 2 "unknown flag" -- "$motive" ingest --db "$work/x.db" --colour red a.jsonl
expect 2 "missing --db" -- "$motive" ingest a.jsonl
for command in generate ingest timeline expr; do
  expect 0 "$command --help" -- "$motive" "$command" --help
  contains "Usage: motive $command" "$command help"
done

expect 0 "generate" -- "$motive" generate --customers 50 --seed 5 --out "$work/j.jsonl"
expect 0 "ingest generated journeys" -- "$motive" ingest --db "$work/m.db" "$work/j.jsonl"
contains "0 rejected" "clean ingest"
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
expect 0 "timeline --json" -- "$motive" timeline --db "$work/m.db" --json C9
contains '"customer_id":"C9"' "JSON timeline"
expect 0 "unknown customer" -- "$motive" timeline --db "$work/m.db" NOBODY
contains "NOBODY" "unknown customer named"
expect 3 "timeline on a missing database" -- "$motive" timeline --db "$work/none.db" C9
contains "does not exist" "missing database explained"
[[ ! -e "$work/none.db" ]] || { failures=$((failures + 1)); echo "FAIL: timeline created a database"; }

expect 0 "expr" -- "$motive" expr --var n=21 --var "tags=['vip', 'new']" "tags.exists(t, t == 'vip') ? n * 2 : 0"
contains "42" "expr result"
expect 1 "expr that fails to evaluate" -- "$motive" expr "{'a': 1}['b']"
contains "no such key" "evaluation error explained"
expect 2 "expr with a syntax error" -- "$motive" expr "1 +"
contains "column" "syntax error located"
expect 2 "--var without =" -- "$motive" expr --var n "n"

echo "foo,bar" > "$work/notes.txt"
expect 3 "ingest into a file that is not a database" -- "$motive" ingest --db "$work/notes.txt" "$work/j.jsonl"
contains "not a motive database" "foreign file refused"

echo "cli_test: $((checks - failures)) passed, $failures failed"
[[ $failures -eq 0 ]]
