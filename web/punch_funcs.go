package web

import (
	"html/template"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kaoqin/kaoqin/report"
)

// punchFuncs are the template functions of the punch pages.
func punchFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		// opt is an optional text, "" when absent.
		"opt": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
		// metres writes a distance or an accuracy: "1,234 米" / "1,234 m"; "" when absent.
		"metres": func(lang report.Lang, p *float64) (string, error) {
			if p == nil {
				return "", nil
			}
			return trf(lang, "metres", grouped(*p))
		},
		"accuracy": func(lang report.Lang, p *float64) (string, error) {
			if p == nil {
				return "", nil
			}
			return trf(lang, "accuracy", grouped(*p))
		},
		// hms is a time of day to the second.
		"hms": func(t report.Time) string {
			if t.IsZero() {
				return "—"
			}
			return t.In(loc).Format("15:04:05")
		},
		"hasStr": func(list []string, s string) bool { return slices.Contains(list, s) },
		"share": func(f float64) string {
			return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
		},
		"of": func(m map[string]int, k string) int { return m[k] },
	}
}

// grouped writes whole metres with thousands separators.
func grouped(f float64) string {
	s := strconv.FormatInt(int64(math.Round(f)), 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
