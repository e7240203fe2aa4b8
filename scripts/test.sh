#!/usr/bin/env bash
# Runs every check and test of kaoqin on a fresh Debian machine, installing what they need:
# PostgreSQL (for the store suite on a real server), Chromium (for the browser tests) and a
# CJK font (without which the browser tests' screenshots show boxes for Chinese).
# Extra arguments go to "go test", e.g. scripts/test.sh -run TestSync ./syncer/
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
# KAOQIN_TEST_POSTGRES_DSN names a PostgreSQL server to test against instead of a throwaway one
# (the store tests give each test a schema of its own, so several runs can share one server).
if [ -z "${KAOQIN_TEST_POSTGRES_DSN:-}" ]; then
	command -v pg_virtualenv >/dev/null 2>&1 || need+=(postgresql postgresql-common)
fi
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if ! fc-list ':lang=zh-cn' 2>/dev/null | grep -q .; then
	need+=(fonts-noto-cjk)
fi
if [ ${#need[@]} -gt 0 ]; then
	sudo=""
	[ "$(id -u)" = 0 ] || sudo="sudo"
	echo "installing ${need[*]} (Debian packages)" >&2
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi

echo "gofmt, go vet" >&2
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "gofmt would change: $unformatted" >&2
	exit 1
fi
go vet ./...

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(./...)

# The browser tests drive this Chromium, and fail (not skip) when it cannot start.
export KAOQIN_TEST_CHROMIUM="${KAOQIN_TEST_CHROMIUM:-$(command -v chromium)}"

if [ -n "${KAOQIN_TEST_POSTGRES_DSN:-}" ]; then
	exec go test -count=1 -timeout 20m "${args[@]}"
fi

# pg_virtualenv starts a throwaway PostgreSQL cluster, runs the command with PGHOST, PGPORT,
# PGUSER and PGPASSWORD set, and drops the cluster afterwards.
exec pg_virtualenv -- bash -c '
	export KAOQIN_TEST_POSTGRES_DSN="postgres://$PGUSER:$PGPASSWORD@$PGHOST:${PGPORT:-5432}/${PGDATABASE:-postgres}?sslmode=disable"
	exec go test -count=1 -timeout 20m "$@"
' go-test "${args[@]}"
