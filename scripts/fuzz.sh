#!/usr/bin/env bash
# fuzz.sh DURATION — runs every Fuzz target of the module for DURATION each.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-3s}
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
  dir=$(dirname "$file")
  for name in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | cut -d' ' -f2); do
    echo "fuzz $dir $name ($time)"
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "$time" "$dir" >/tmp/haochaping-fuzz.log 2>&1 || { cat /tmp/haochaping-fuzz.log; exit 1; }
  done
done
