#!/usr/bin/env bash
# Vendors the dashboard's two JavaScript libraries from npm into web/static/vendor/: the
# latest htmx 2.x and ECharts 6.x the registry has. It writes web/static/vendor/SHA256SUMS
# with the versions, which a Go test (web/vendor_test.go) checks the files against. The files
# are committed, so that building kaoqin needs neither Node nor the network; run this script
# only to upgrade them, then commit what it wrote.
#
#   scripts/vendor-web.sh                 # htmx.org@2 and echarts@6
#   HTMX=htmx.org@2.0.8 scripts/vendor-web.sh   # pin another version
set -euo pipefail
cd "$(dirname "$0")/.."

htmx_spec="${HTMX:-htmx.org@2}"
echarts_spec="${ECHARTS:-echarts@6}"
dest=web/static/vendor

command -v npm >/dev/null 2>&1 || { echo "vendor-web: npm is needed (apt-get install npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# pack SPEC FILE-IN-PACKAGE OUTPUT: fetches the package tarball (npm pack checks the
# registry's integrity hash), extracts one file and prints the version packed.
pack() {
	local spec=$1 file=$2 out=$3
	local tgz
	tgz=$(cd "$tmp" && npm pack --silent "$spec" 2>/dev/null | tail -n 1)
	[ -f "$tmp/$tgz" ] || { echo "vendor-web: npm pack $spec failed" >&2; exit 1; }
	mkdir -p "$tmp/x-$tgz"
	tar -xzf "$tmp/$tgz" -C "$tmp/x-$tgz"
	[ -f "$tmp/x-$tgz/package/$file" ] || { echo "vendor-web: $spec has no $file" >&2; exit 1; }
	cp "$tmp/x-$tgz/package/$file" "$dest/$out"
	node -p "require('$tmp/x-$tgz/package/package.json').version"
}

mkdir -p "$dest"
htmx_version=$(pack "$htmx_spec" dist/htmx.min.js htmx.min.js)
echarts_version=$(pack "$echarts_spec" dist/echarts.min.js echarts.min.js)

{
	echo "# Vendored by scripts/vendor-web.sh from the npm registry; checked by web/vendor_test.go."
	echo "# htmx.org $htmx_version"
	echo "# echarts $echarts_version"
	(cd "$dest" && sha256sum htmx.min.js echarts.min.js)
} >"$dest/SHA256SUMS"

echo "vendored htmx.org $htmx_version and echarts $echarts_version into $dest" >&2
