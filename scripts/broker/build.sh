#!/usr/bin/env bash
# Builds statecraft-broker (launcher.c on librdkafka's mock cluster, with patches/*.patch applied)
# and prints the binary's path on stdout. Both the patched library and the binary are cached, keyed
# on the librdkafka version, the configure flags, the patches (and, for the binary, the launcher
# and this script), so only the first build on a machine pays (one to two minutes on 2 cores);
# later calls print the cached path at once.
#
# librdkafka comes from the npm tarball of node-rdkafka (no install scripts run): the registry is
# the one source every machine that can install the project can reach.
# Cache: $STATECRAFT_BROKER_CACHE, else <repo>/node_modules/.cache/statecraft-broker.
set -euo pipefail

LIBRDKAFKA_VERSION=2.12.0
LIBRDKAFKA_HEX=0x020c00ff
NODE_RDKAFKA_PACKAGE=node-rdkafka@3.6.1
CONFIGURE_FLAGS=(--disable-ssl --disable-gssapi --disable-sasl --disable-zstd --disable-curl --disable-lz4-ext)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${STATECRAFT_BROKER_CACHE:-$root/node_modules/.cache/statecraft-broker}"

log() { echo "statecraft-broker build: $*" >&2; }
fail() {
  log "$*"
  exit 1
}

# Two levels: the patched static library (keyed on the version and the patches: a minute to
# build) and the launcher linked against it (keyed on that and on the launcher: a second).
lib_key="$(
  {
    echo "librdkafka $LIBRDKAFKA_VERSION from $NODE_RDKAFKA_PACKAGE, configure ${CONFIGURE_FLAGS[*]}"
    cat "$here"/patches/*.patch
  } | sha256sum | cut -c1-16
)"
bin_key="$(cat <(echo "$lib_key") "$here/launcher.c" "$here/build.sh" | sha256sum | cut -c1-16)"
lib="$cache/librdkafka-$LIBRDKAFKA_VERSION-$lib_key"
binary="$cache/broker-$bin_key/statecraft-broker"

if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

for tool in cc make npm patch tar sha256sum flock; do
  command -v "$tool" >/dev/null || fail "$tool is missing (Debian: apt-get install build-essential zlib1g-dev)"
done
echo '#include <zlib.h>' | cc -E - >/dev/null 2>&1 ||
  fail "zlib headers are missing (Debian: apt-get install zlib1g-dev)"

mkdir -p "$cache"
# Several test projects may ask for the broker at once: one builds, the others wait for it.
exec 9>"$cache/.lock"
flock 9
if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/statecraft-broker-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Moves a directory built in $work into the cache in one rename, so no reader sees it half made.
publish() {
  local built="$1" target="$2" staged="$cache/.staged-$$"
  rm -rf "$staged" "$target"
  mv "$built" "$staged"
  mv "$staged" "$target"
}

if [[ ! -f "$lib/librdkafka.a" ]]; then
  log "fetching librdkafka $LIBRDKAFKA_VERSION source ($NODE_RDKAFKA_PACKAGE from the npm registry)"
  tarball="$(cd "$work" && npm pack "$NODE_RDKAFKA_PACKAGE" --silent 2>/dev/null | tail -1)"
  [[ -f "$work/$tarball" ]] || fail "npm pack $NODE_RDKAFKA_PACKAGE did not produce a tarball"
  tar -xzf "$work/$tarball" -C "$work" package/deps/librdkafka
  src="$work/package/deps/librdkafka"
  grep -q "define RD_KAFKA_VERSION $LIBRDKAFKA_HEX" "$src/src/rdkafka.h" ||
    fail "$NODE_RDKAFKA_PACKAGE does not carry librdkafka $LIBRDKAFKA_VERSION"

  for fix in "$here"/patches/*.patch; do
    log "applying $(basename "$fix")"
    patch --batch --forward --quiet -p1 -d "$src" <"$fix" >&2 || fail "cannot apply $(basename "$fix")"
  done

  log "building the static library (about a minute on 2 cores)"
  (
    cd "$src"
    ./configure "${CONFIGURE_FLAGS[@]}" >"$work/configure.log" 2>&1 || {
      tail -20 "$work/configure.log" >&2
      exit 1
    }
    make -C src -j"$(nproc)" librdkafka.a >"$work/make.log" 2>&1 || {
      tail -30 "$work/make.log" >&2
      exit 1
    }
  ) || fail "building librdkafka failed"
  mkdir -p "$work/lib"
  cp "$src/src/librdkafka.a" "$src/src/rdkafka.h" "$src/src/rdkafka_mock.h" "$work/lib/"
  publish "$work/lib" "$lib"
fi

# -I at the patched library's own headers, never /usr/include: an installed librdkafka-dev is older.
mkdir -p "$work/bin"
cc -O2 -Wall -Werror -I "$lib" -o "$work/bin/statecraft-broker" "$here/launcher.c" \
  "$lib/librdkafka.a" -lm -lz -ldl -lpthread -lrt >&2 || fail "building the launcher failed"
"$work/bin/statecraft-broker" --help >/dev/null || fail "the built launcher does not run"
publish "$work/bin" "$(dirname "$binary")"
# Builds of other versions or patches are not needed any more.
for old in "$cache"/broker-* "$cache"/librdkafka-*; do
  [[ "$old" == "$(dirname "$binary")" || "$old" == "$lib" ]] || rm -rf "$old"
done
log "cached $binary"
echo "$binary"
