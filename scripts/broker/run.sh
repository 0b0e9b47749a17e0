#!/usr/bin/env bash
# `pnpm broker --topic events:4 --topic alerts:1`: builds the development broker if it is not
# cached yet, then runs it in place of this script (so SIGTERM and Ctrl-C reach it directly).
set -euo pipefail
binary="$("$(dirname "${BASH_SOURCE[0]}")/build.sh")"
exec "$binary" "$@"
