#!/usr/bin/env bash
# The demo behind `make demo`: synthetic journeys -> a motive database -> one
# customer's journey through the moments of truth, its context, and what the
# agent should do next, all with the motive CLI.
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
