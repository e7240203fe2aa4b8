package report

import (
	"iter"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Text layouts of date and time cells in CSV and the table: what Excel and people read as
// dates.
const (
	dateText = "2006-01-02"
	timeText = "2006-01-02 15:04:05"
)

// cellText writes a sheet value as text, as CSV and the table show it.
func cellText(v any, k kind) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case indented:
		return x.name
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if k == kDate {
			return x.Format(dateText)
		}
		return x.Format(timeText)
	}
	return ""
}

// cells yields the rows of s as every file format writes them: text cleaned of what must not
// reach a file (see cleanText). The one place the formats get their rows from.
func (s sheet) cells(lang Lang) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) {
		for row, err := range s.rows(lang) {
			if err == nil {
				row = cleanRow(row)
			}
			if !yield(row, err) {
				return
			}
		}
	}
}

// cleanRow returns row with its text cleaned; row itself when nothing needs it (rows may share
// their cells).
func cleanRow(row []any) []any {
	out := row
	for i, v := range row {
		var c any
		switch x := v.(type) {
		case string:
			if t := cleanText(x); t != x {
				c = t
			}
		case indented:
			if t := cleanText(x.name); t != x.name {
				c = indented{x.depth, t}
			}
		}
		if c != nil {
			if &out[0] == &row[0] {
				out = append([]any(nil), row...)
			}
			out[i] = c
		}
	}
	return out
}

// cleanText removes from text what DingTalk lets into a name and a file must not carry: NUL
// and the other control characters (a tab or a line break becomes a space), the bidi controls
// that reorder what a reader sees ("张三\u202egnp.exe" reads "张三exe.png"), and other invisible
// format characters but the zero-width joiner of emoji. Bytes that are not UTF-8 become U+FFFD.
func cleanText(s string) string {
	clean := true
	for _, r := range s {
		if dirty(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029' || r == '\u0085':
			b.WriteByte(' ')
		case dirty(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dirty reports whether r is cleaned out of text (see cleanText).
func dirty(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
		return true // control characters
	case r == utf8.RuneError:
		return false // kept: it shows where bytes were not UTF-8
	case r == 0x200d:
		return false // the zero-width joiner inside emoji
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidi controls
	case r == 0x2028 || r == 0x2029:
		return true // line and paragraph separators
	case r == 0xfeff || r == 0x200b || r == 0x200c || r == 0x2060:
		return true // BOM, zero-width space and non-joiner, word joiner
	}
	return false
}
