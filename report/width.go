package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// displayWidth is how many terminal cells s takes: East Asian wide and fullwidth characters
// (Chinese, Japanese, Korean, fullwidth punctuation) take two, combining marks none, the
// rest one. Ambiguous characters count one, as most terminals show them.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x300: // ASCII and Latin: the common case, without a table lookup
			if r >= 0x20 {
				n++
			}
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

// pad fills s with spaces to w cells, on the left when right-aligning.
func pad(s string, w int, right bool) string {
	gap := w - displayWidth(s)
	if gap <= 0 {
		return s
	}
	if right {
		return strings.Repeat(" ", gap) + s
	}
	return s + strings.Repeat(" ", gap)
}
