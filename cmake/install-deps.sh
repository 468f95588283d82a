#!/usr/bin/env bash
# Installs the Debian packages that building and testing motive needs, and only
# those that are missing. Safe to run any number of times; runs `apt-get update`
# at most once, and only when something has to be installed.
#
#   install-deps.sh        what the ordinary builds need
#   install-deps.sh fuzz   that, and clang's libFuzzer runtime (`make fuzz`)
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang
  libabsl-dev libprotobuf-dev protobuf-compiler
  libsqlite3-dev zlib1g-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
  libre2-dev libsimdjson-dev libphonenumber-dev
  libnats-dev nats-server
  abigail-tools
  mono-mcs mono-runtime
  libcpp-httplib-dev chromium
  python3
)
fuzz_packages=(libclang-rt-14-dev)

case "${1:-}" in
  "") ;;
  fuzz) packages+=("${fuzz_packages[@]}") ;;
  *) echo "usage: $0 [fuzz]" >&2; exit 2 ;;
esac

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
  else
    echo "install-deps: missing ${missing[*]}, and not root and no sudo to install them" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
