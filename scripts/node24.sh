#!/usr/bin/env bash
# Prints the path of a Node.js 24 binary, installing it first if this machine has none yet.
#
# The binary comes from the npm registry: the `node` package's preinstall runs
# `npm install node-<platform>-<arch>@<version>`, whose package carries the official binary, so
# nothing but the registry (or its mirror) is needed. It is kept in a per-machine cache,
# $STATECRAFT_NODE24_CACHE or ~/.cache/statecraft/node-24, and reused while it still answers v24.
#
#   scripts/node24.sh             # prints the binary's path
#   scripts/node24.sh pnpm test   # runs a command with Node 24 first on PATH: the suite on Node 24
set -euo pipefail

cache="${STATECRAFT_NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/statecraft/node-24}"
bin="$cache/node_modules/node/bin/node"

is24() { [[ "$("$bin" --version 2>/dev/null)" == v24.* ]]; }

if ! is24; then
  mkdir -p "$cache"
  # One install at a time on a machine (two CI runs may start together); the second finds it done.
  exec 9>"$cache/.lock"
  flock 9
  if ! is24; then
    echo "scripts/node24.sh: installing node@24 from the npm registry into $cache" >&2
    rm -rf "$cache/node_modules"
    # A package.json of its own, so that npm installs here and not into a project further up.
    echo '{ "name": "statecraft-node-24", "private": true }' >"$cache/package.json"
    npm install --prefix "$cache" --no-save --no-fund --no-audit --no-package-lock --loglevel=error \
      'node@24' >&2
    if ! is24; then
      echo "scripts/node24.sh: no Node 24 binary at $bin after npm install node@24" >&2
      exit 1
    fi
  fi
  exec 9>&-
fi

if [[ $# -eq 0 ]]; then
  echo "$bin"
else
  # pnpm, vitest and every `node` they start (worker threads, child processes through
  # process.execPath or by name) then run on Node 24.
  PATH="$(dirname "$bin"):$PATH" exec "$@"
fi
