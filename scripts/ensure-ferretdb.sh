#!/usr/bin/env bash
# Builds FerretDB v1.24.2 once with Go and caches it outside the clone; prints the binary's path.
# Used when mongodb-memory-server cannot download a mongod (offline machines, CI here).
set -euo pipefail

version="v1.24.2"
cache="${FERRETDB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/account-security-quickstart}"
bin="$cache/ferretdb-$version"

if [ -n "${FERRETDB_BIN:-}" ] && [ -x "$FERRETDB_BIN" ]; then echo "$FERRETDB_BIN"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-ferretdb: Go is not installed; install Go or set FERRETDB_BIN or MONGODB_URI" >&2
  exit 1
fi

mkdir -p "$cache"
work="$(mktemp -d)"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# A plain `go install` panics at start: the module lacks build/version/version.txt.
src="$(go mod download -json "github.com/FerretDB/FerretDB@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
cp -r "$src" "$work/src"
chmod -R u+w "$work/src"
echo "$version" > "$work/src/build/version/version.txt"

cd "$work/src"
if ! CGO_ENABLED=0 go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb >&2; then
  echo "ensure-ferretdb: retrying with the Go toolchain FerretDB was released with" >&2
  GOTOOLCHAIN=go1.24.3 CGO_ENABLED=0 go build -trimpath -o "$work/ferretdb" ./cmd/ferretdb >&2
fi
mv "$work/ferretdb" "$bin"
echo "$bin"
