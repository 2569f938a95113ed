#!/usr/bin/env bash
# Scans the code for known vulnerabilities offline: the vulnerability database is built from the
# module golang.org/x/vulndb (fetched through the module proxy, like any module) into
# .devstack/vulndb, then govulncheck reads it from disk instead of vuln.go.dev.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto
VULNDB_VERSION=${VULNDB_VERSION:-latest}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
out=.devstack/vulndb
mkdir -p .devstack
dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
if [[ -z $dir ]]; then
	echo "vulncheck: could not download golang.org/x/vulndb@$VULNDB_VERSION" >&2
	exit 1
fi
echo "vulncheck: building the database from $dir"
rm -rf "$out"
(cd "$dir" && GOFLAGS=-mod=mod go run ./cmd/indexdb -vulns data/osv -out "$OLDPWD/$out")
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION" -db "file://$PWD/$out" ./...
