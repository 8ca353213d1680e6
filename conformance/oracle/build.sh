#!/usr/bin/env bash
# Build the go-yaml oracle (gopkg.in/yaml.v3 and v2, the parsers of the DataOS platform and CLI) from
# Debian's packages, offline: no module download. Usage: build.sh OUTPUT_BINARY
set -euo pipefail
out=${1:?usage: build.sh OUTPUT_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v3 ] || [ ! -d /usr/share/gocode/src/gopkg.in/yaml.v2 ]; then
  echo "installing golang-go golang-gopkg-yaml.v3-dev golang-gopkg-yaml.v2-dev with apt-get" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go golang-gopkg-yaml.v3-dev golang-gopkg-yaml.v2-dev >/dev/null
fi
cd "$here"
GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/go-yaml-oracle-cache} \
  go build -o "$out" main.go
