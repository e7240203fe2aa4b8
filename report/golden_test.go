package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenCases are the fixture reports whose output is kept in testdata: each one shows a rule
// of spec/reports.md at work (see fixture_test.go for the company).
var goldenCases = []struct {
	name    string
	compute func() (Report, error)
}{
	// After the day: split shifts, two departments, half-day leave, absent, missing, outside,
	// someone with checks but no department, a removed department left out.
	{"daily", func() (Report, error) {
		return ComputeDaily(company(), "2026-11-18", opts(when("2026-11-19", "08:00")))
	}},
	// The same day at 09:10: checks still to come count nowhere.
	{"daily_in_progress", func() (Report, error) {
		now := when("2026-11-18", "09:10")
		return ComputeDaily(asOf(company(), now), "2026-11-18", opts(now))
	}},
	// A manager of 研发部: its subtree only, and a company line over it.
	{"daily_dept", func() (Report, error) {
		return ComputeDaily(company(), "2026-11-18", opts(when("2026-11-19", "08:00"), 2))
	}},
	// Two weeks with a make-up Saturday, someone who left, a transfer, leave across a weekend.
	{"period", func() (Report, error) {
		return ComputePeriod(company(), "2026-11-09", "2026-11-23", opts(when("2026-11-24", "08:00")))
	}},
	// 销售部 only: 周八 counts from his transfer on.
	{"period_dept", func() (Report, error) {
		return ComputePeriod(company(), "2026-11-09", "2026-11-23", opts(when("2026-11-24", "08:00"), 5))
	}},
}

func TestGoldenJSON(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.compute()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteJSON(&buf, r); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".json.golden", buf.Bytes())
		})
	}
}

func TestGoldenTable(t *testing.T) {
	for _, tc := range goldenCases {
		for _, lang := range []Lang{Chinese, English} {
			t.Run(tc.name+"_"+string(lang), func(t *testing.T) {
				r, err := tc.compute()
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := WriteTable(&buf, r, lang); err != nil {
					t.Fatal(err)
				}
				golden(t, tc.name+"."+string(lang)+".table.golden", buf.Bytes())
			})
		}
	}
}

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; diff with go test -update and git diff:\n%s", path, firstDiff(string(want), string(got)))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n  want: " + string(w) + "\n  got:  " + string(g)
		}
	}
	return ""
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}
