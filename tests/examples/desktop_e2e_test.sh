#!/usr/bin/env bash
# The agent desktop as a person sees it: a real server over a small
# generated database, the page driven by headless Chromium, and what the DOM
# shows once the page's scripts ran; then, with the page open, an alert that
# arrives live and a click on a feedback button (desktop_live.py). Keeps a
# screenshot as OUT_DIR/desktop.png. Exits 77 (skipped) where Chromium is
# absent, or where Python 3 is absent and the rest passed.
#
# Usage: desktop_e2e_test.sh path/to/motive RULES OUT_DIR
set -uo pipefail

motive=${1:?usage: desktop_e2e_test.sh path/to/motive RULES OUT_DIR}
rules=${2:?usage: desktop_e2e_test.sh path/to/motive RULES OUT_DIR}
out_dir=${3:?usage: desktop_e2e_test.sh path/to/motive RULES OUT_DIR}

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
  echo "SKIP: chromium is not installed; cmake/install-deps.sh installs it"
  exit 77
fi

work=$(mktemp -d)
server=
cleanup() {
  if [[ -n $server ]]; then
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
checks=0

fail() {
  failures=$((failures + 1))
  printf 'FAIL: %s\n' "$1"
}

# contains TEXT DESCRIPTION: checks that $dom holds TEXT.
contains() {
  checks=$((checks + 1))
  [[ $dom == *"$1"* ]] || fail "$2: the page lacks '$1'"
}

lacks() {
  checks=$((checks + 1))
  [[ $dom != *"$1"* ]] || fail "$2: the page holds '$1'"
}

# The generated journeys end about now, so that the windows of the context
# card (30 and 90 days) hold contacts.
days=$(( ($(date +%s) - $(date -d 2025-01-01 +%s)) / 86400 ))
"$motive" generate --customers 30 --seed 11 --days "$days" \
  --out "$work/events.jsonl" >/dev/null 2>&1 ||
  { echo "generate failed"; exit 1; }
# Ana, whose last weeks went badly (two billing contacts that failed, a
# poor survey: next-best actions to show), and a customer whose id and name
# are markup, which the page must show as text. Both happen up to now.
at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
cat > "$work/story.jsonl" <<JSON
{"event_id":"ana1","customer_id":"C-ANA","type":"purchase","channel":"web","occurred_at":"$(at '40 days ago')","value":480,"attributes":{"name":"Ana Costa","first_name":"Ana","plan":"premium"},"identifiers":[{"namespace":"phone","value":"+14155550100"},{"namespace":"email","value":"ana@example.com"}]}
{"event_id":"ana2","customer_id":"C-ANA","type":"contact","channel":"voice","occurred_at":"$(at '6 days ago')","topic":"billing","outcome":"unresolved","sentiment":-0.6,"transfers":2,"hold_ms":400000}
{"event_id":"ana3","customer_id":"C-ANA","type":"contact","channel":"chat","occurred_at":"$(at '3 days ago')","topic":"billing","outcome":"escalated","sentiment":-0.7}
{"event_id":"ana4","customer_id":"C-ANA","type":"survey","channel":"survey","occurred_at":"$(at '2 days ago')","nps":3,"csat":2}
{"event_id":"x1","customer_id":"<script>alert(1)</script>","type":"contact","channel":"voice","occurred_at":"$(at '1 hour ago')","topic":"billing","outcome":"unresolved","sentiment":-0.8,"transfers":2,"attributes":{"name":"<script>alert(1)</script>"}}
JSON
"$motive" ingest --db "$work/desk.db" "$work/events.jsonl" "$work/story.jsonl" \
  >/dev/null 2>&1 || { echo "ingest failed"; exit 1; }

"$motive" desktop --db "$work/desk.db" --rules "$rules" \
  --listen 127.0.0.1:0 >"$work/server.log" 2>&1 &
server=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/server.log")
  [[ -n $url ]] && break
  sleep 0.1
done
if [[ -z $url ]]; then
  echo "FAIL: the desktop did not start:"
  cat "$work/server.log"
  exit 1
fi

# page QUERY [FLAGS...]: the DOM of the page at QUERY after its scripts ran.
page() {
  local query=$1
  shift
  "$chromium" --headless=new --disable-gpu --no-sandbox \
    --user-data-dir="$work/profile" --virtual-time-budget=5000 \
    --window-size=1280,900 "$@" "${url}${query}" 2>"$work/chromium.log"
}

# A survey that makes Ben a detractor, recorded through the desktop: the
# proactive alert it raises must reach the page. His time zone puts him at
# noon, outside the ruleset's quiet hours, whatever the hour the test runs.
offset=$(( 12 - 10#$(date -u +%H) ))
if (( offset > 12 )); then offset=$((offset - 24)); fi
if (( offset > 0 )); then zone="Etc/GMT-$offset"
elif (( offset < 0 )); then zone="Etc/GMT+$((-offset))"
else zone="Etc/GMT"; fi
checks=$((checks + 1))
curl -s -X POST -H 'Content-Type: application/json' "${url}api/events" -d \
  '{"event_id":"ben1","customer_id":"C-BEN","type":"survey","channel":"survey","occurred_at":"'"$(at '1 minute ago')"'","nps":1,"attributes":{"time_zone":"'"$zone"'"}}' |
  grep -q '"stored":true' || fail "the survey was not recorded"

# Found by her phone, as a telephony system would open the page.
ana='?ns=phone&value=%2B14155550100&channel=voice&topic=billing'
customer=C-ANA
dom=$(page "$ana" --dump-dom)
contains "<title>motive desktop</title>" "the page loaded"
contains "id=\"customer-id\" class=\"muted\">$customer<" "the card names the customer"
contains "<dd>Ana Costa</dd>" "the card names her"
contains "phone: +14155550100" "the card lists her identifiers"
contains "2 (chat 1, voice 1)" "the card counts contacts by channel"
contains "chat, billing, escalated" "the card shows the last contact"
contains "<li>billing</li>" "the card shows the open issue"
contains "3, about to leave" "the card counts the strikes"
contains "voice, billing: sentiment -0.60, below -0.5; ended unresolved; 2 transfers, 2 or more (event ana2)</li>" \
  "the card says what caused each strike"
contains "NPS 3, a detractor (6 or less); CSAT 2, 2 or less (event ana4)</li>" \
  "the card lists the survey's strike"
contains "3 (detractor)" "the card shows the NPS"
contains "strikes 35%" "the card shows the churn factors"
contains "Journey stage" "the card shows the stage"
contains "Churn risk" "the card shows the churn risk"
contains "src=\"/api/journey.svg?id=$customer\"" "the journey picture"
contains "href=\"/api/journey.svg?id=$customer\"" "the picture opens alone"
contains "Service recovery: apologise and credit the bill" "the best action"
contains "class=\"script\">Before anything else" "the action's script"
contains "3 bad experiences in 90 days" "the action's reasons"
contains "data-outcome=\"accepted\"" "the feedback buttons"
contains "Playbooks matched" "why: the trace"
contains "class=\"alert\"><strong>Care call after a poor survey</strong>" "the alert arrived"
contains " for C-BEN, " "the alert names its customer"
lacks "class=\"error\"" "no error shown"
checks=$((checks + 1))
svg_type=$(curl -s -o "$work/journey.svg" -w '%{content_type}' \
  "${url}api/journey.svg?id=$customer")
[[ $svg_type == image/svg+xml* ]] && grep -q "<svg" "$work/journey.svg" ||
  fail "the journey picture is not SVG: $svg_type"

script_id='%3Cscript%3Ealert%281%29%3C%2Fscript%3E'
dom=$(page "?id=$script_id" --dump-dom)
contains "&lt;script&gt;alert(1)&lt;/script&gt;</span>" "the id shown as text"
contains "<dd>&lt;script&gt;alert(1)&lt;/script&gt;</dd>" "the name shown as text"
lacks "<script>alert(1)" "no markup from the data"
contains "<title>motive desktop</title>" "the title unchanged"

page "$ana" --screenshot="$out_dir/desktop.png" >/dev/null
checks=$((checks + 1))
[[ -s $out_dir/desktop.png ]] || fail "no screenshot at $out_dir/desktop.png"

# What a person sees next, with the page open: a detractor's survey
# recorded now raises an alert that arrives without a reload, and a click on
# "accepted" reaches the engine. desktop_live.py drives Chromium through the
# DevTools protocol, which --dump-dom cannot: it needs Python 3.
live_skipped=
python=$(command -v python3 || true)
if [[ -n $python ]]; then
  checks=$((checks + 3))
  live=$("$python" "$(dirname "$0")/desktop_live.py" "$chromium" "$url" \
    "$work/live-profile" \
    '{"event_id":"cara1","customer_id":"C-CARA","type":"survey","channel":"survey","occurred_at":"'"$(at '1 minute ago')"'","nps":2,"attributes":{"time_zone":"'"$zone"'"}}')
  status=$?
  [[ -n $live ]] && printf '%s\n' "$live"
  if (( status != 0 )); then
    failed=$(grep -c '^FAIL' <<<"$live")
    failures=$((failures + (failed > 0 ? failed : 1)))
  fi
else
  live_skipped="; the live checks skipped: python3 is not installed"
fi

if [[ $failures -gt 0 ]]; then
  echo "$failures of $checks checks failed; chromium said:"
  tail -5 "$work/chromium.log"
  exit 1
fi
echo "desktop_e2e_test: $checks checks passed; screenshot $out_dir/desktop.png$live_skipped"
if [[ -n $live_skipped ]]; then
  exit 77
fi
