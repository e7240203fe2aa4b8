package dingtalk

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the package standing alone: the standard library and a few golang.org/x
// packages, never kaoqin's own packages.
func TestImports(t *testing.T) {
	t.Parallel()
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"golang.org/x/time/rate":         true,
		"golang.org/x/sync/singleflight": true,
		"github.com/cenkalti/backoff/v5": true,
	}
	for _, imp := range pkg.Imports {
		first, _, _ := strings.Cut(imp, "/")
		if !strings.Contains(first, ".") { // the standard library
			continue
		}
		if !allowed[imp] {
			t.Errorf("dingtalk imports %s; it may import only the standard library and %v", imp, allowed)
		}
	}
}
