#!/usr/bin/env bash
# Installs the build into a temporary prefix, then builds and runs a small
# application outside the tree against it twice: with find_package(motive)
# and with pkg-config, as vendors' builds do.
#
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

build_dir=${1:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
source_dir=${2:?usage: install_test.sh BUILD_DIR SOURCE_DIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build_dir" --prefix "$prefix" > "$work/install.log"
libdir=$(dirname "$(find "$prefix" -name 'libmotive.so.*' | head -n 1)")
for f in include/motive/motive.h include/motive/v1/event.proto \
         include/motive/v1/ruleset.proto; do
  [[ -f "$prefix/$f" ]] || { echo "not installed: $f" >&2; exit 1; }
done
[[ -f "$libdir/libmotive.a" && -f "$libdir/pkgconfig/motive.pc" &&
   -f "$libdir/cmake/motive/motiveConfigVersion.cmake" ]] ||
  { echo "libraries, motive.pc or the CMake package missing in $libdir" >&2; exit 1; }

# find_package
cmake -S "$source_dir/tests/packaging/consumer" -B "$work/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix" > "$work/configure.log"
cmake --build "$work/cmake-build" > "$work/build.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/consumer"

# A newer major version must not be found: the package is SameMajorVersion.
cat > "$work/major.cmake" <<CMAKE
set(CMAKE_PREFIX_PATH "$prefix")
find_package(motive 99 QUIET)
if(motive_FOUND)
  message(FATAL_ERROR "motive 99 was found in a 0.x package")
endif()
CMAKE
cmake -P "$work/major.cmake"

# pkg-config
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[[ $(pkg-config --modversion motive) == "$(sed -n 's/^Version: //p' "$libdir/pkgconfig/motive.pc")" ]]
cc -std=c99 -Wall -Werror "$source_dir/tests/packaging/consumer/consumer.c" \
  $(pkg-config --cflags --libs motive) -o "$work/consumer-pc"
LD_LIBRARY_PATH="$libdir" "$work/consumer-pc"
echo "install test: find_package and pkg-config consumers built and ran"
