package web_test

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVendor checks the vendored JavaScript against static/vendor/SHA256SUMS, which
// scripts/vendor-web.sh wrote when it fetched the files from npm: what is served is what was
// vendored, and the versions are on record.
func TestVendor(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("static", "vendor")
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sums := map[string]string{}
	var versions []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# "); ok {
			if strings.HasPrefix(v, "htmx.org ") || strings.HasPrefix(v, "echarts ") {
				versions = append(versions, v)
			}
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: bad line %q", line)
		}
		sums[name] = sum
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(versions) != 2 || !strings.HasPrefix(versions[0], "htmx.org 2.") || !strings.HasPrefix(versions[1], "echarts 6.") {
		t.Errorf("versions on record %v, want htmx.org 2.x and echarts 6.x", versions)
	}
	for _, name := range []string{"htmx.min.js", "echarts.min.js"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got := sha256.Sum256(data)
		if hex.EncodeToString(got[:]) != sums[name] {
			t.Errorf("%s does not match SHA256SUMS: run scripts/vendor-web.sh again rather than editing it", name)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := sums[e.Name()]; !ok && e.Name() != "SHA256SUMS" {
			t.Errorf("static/vendor/%s is not in SHA256SUMS", e.Name())
		}
	}
}
