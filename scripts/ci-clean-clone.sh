#!/usr/bin/env bash
# Runs CI as it runs on a submission: on a fresh clone of the committed tree, from nothing.
set -euo pipefail
repo="$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
git clone --quiet "$repo" "$dir/statecraft"
cd "$dir/statecraft"
time bash .ci/run
