#!/usr/bin/env bash
# Scans the code for known vulnerabilities offline: the vulnerability database is built from the
# module golang.org/x/vulndb (fetched through the module proxy, like any module) into
# .devstack/vulndb, then govulncheck reads it from disk instead of vuln.go.dev. The database is
# rebuilt only when a newer vulndb is served, and govulncheck is installed once into
# .devstack/bin: `make test` runs this on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto
VULNDB_VERSION=${VULNDB_VERSION:-latest}
GOVULNCHECK_VERSION=${GOVULNCHECK_VERSION:-v1.9.0}
out=.devstack/vulndb
bin=.devstack/bin
mkdir -p .devstack "$bin"
info=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "golang.org/x/vulndb@$VULNDB_VERSION")
dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$info")
version=$(sed -n 's/^\t"Version": "\(.*\)",$/\1/p' <<<"$info")
if [[ -z $dir || -z $version ]]; then
	echo "vulncheck: could not download golang.org/x/vulndb@$VULNDB_VERSION" >&2
	exit 1
fi
if [[ "$(cat "$out/.version" 2>/dev/null)" != "$version" ]]; then
	echo "vulncheck: building the database from golang.org/x/vulndb $version"
	rm -rf "$out"
	(cd "$dir" && GOFLAGS=-mod=mod go run ./cmd/indexdb -vulns data/osv -out "$OLDPWD/$out")
	echo "$version" >"$out/.version"
fi
if [[ "$("$bin/govulncheck" -version 2>/dev/null | sed -n 's/^Scanner: govulncheck@//p')" != "$GOVULNCHECK_VERSION" ]]; then
	GOBIN="$PWD/$bin" go install "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK_VERSION"
fi
echo "vulncheck: govulncheck $GOVULNCHECK_VERSION, database golang.org/x/vulndb $version"
"$bin/govulncheck" -db "file://$PWD/$out" ./...
