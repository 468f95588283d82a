#!/usr/bin/env bash
# The ABI promise: libmotive as built now must be compatible with the
# baseline committed in src/capi/libmotive.abi. Adding functions, or fields
# at the end of versioned structs, is compatible; removing or changing
# anything a caller could depend on is not. After a compatible addition,
# refresh the baseline with `make abi-baseline`.
#
# Usage: abi_test.sh LIBRARY HEADERS_DIR BASELINE
set -euo pipefail

library=${1:?usage: abi_test.sh LIBRARY HEADERS_DIR BASELINE}
headers=${2:?}
baseline=${3:?}
if ! command -v abidw > /dev/null || ! command -v abidiff > /dev/null; then
  echo "abi_test: skipped: abidw/abidiff (Debian's abigail-tools) not installed"
  exit 77
fi
current=$(mktemp)
report=$(mktemp)
trap 'rm -f "$current" "$report"' EXIT
abidw --exported-interfaces-only --headers-dir "$headers" --drop-private-types \
  --no-corpus-path --no-show-locs --type-id-style hash "$library" > "$current"
status=0
abidiff --no-show-locs "$baseline" "$current" > "$report" || status=$?
# abidiff's status is a bit set: 1 error, 2 usage error, 4 a change,
# 8 an incompatible change.
if (( status & 11 )); then
  cat "$report"
  echo "abi_test: libmotive's ABI is not compatible with $baseline (status $status)" >&2
  exit 1
fi
if (( status & 4 )); then
  echo "abi_test: compatible additions since the baseline (refresh it with 'make abi-baseline'):"
  cat "$report"
fi
echo "abi_test: compatible with the baseline"
