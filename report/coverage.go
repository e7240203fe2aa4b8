package report

import (
	"fmt"
	"strings"

	"github.com/kaoqin/kaoqin"
)

// maxRangesShown caps the list of missing days in an error message; the sync command it
// suggests covers them all anyway.
const maxRangesShown = 8

// coverage checks that every day of [from, to] has been synced. It returns the coverage of
// the days, in order, or an ENOTSYNCED error that lists the missing days and says what to run:
// a report never prints zeros for days kaoqin knows nothing about.
func coverage(cov []kaoqin.DayCoverage, from, to string) ([]kaoqin.DayCoverage, error) {
	byDay := make(map[string]kaoqin.DayCoverage, len(cov))
	for _, c := range cov {
		byDay[c.Day] = c
	}
	var got []kaoqin.DayCoverage
	var missing []string
	for _, d := range kaoqin.Days(from, to) {
		if c, ok := byDay[d]; ok {
			got = append(got, c)
		} else {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return nil, notSynced(missing)
	}
	return got, nil
}

func notSynced(missing []string) error {
	return kaoqin.Errorf(kaoqin.ENOTSYNCED,
		"attendance of %s has not been synced: run kaoqin sync --from %s --to %s",
		compactDays(missing), missing[0], missing[len(missing)-1])
}

// compactDays writes sorted days as ranges: "2026-11-03..2026-11-05, 2026-11-09".
func compactDays(days []string) string {
	var ranges []string
	for lo := 0; lo < len(days); {
		hi := lo
		for hi+1 < len(days) && days[hi+1] == kaoqin.AddDays(days[hi], 1) {
			hi++
		}
		if hi == lo {
			ranges = append(ranges, days[lo])
		} else {
			ranges = append(ranges, days[lo]+".."+days[hi])
		}
		lo = hi + 1
	}
	if len(ranges) > maxRangesShown {
		n := len(ranges) - maxRangesShown
		ranges = append(ranges[:maxRangesShown], fmt.Sprintf("and %d more range(s)", n))
	}
	return strings.Join(ranges, ", ")
}

// final reports whether every day was synced after it had ended.
func final(cov []kaoqin.DayCoverage) bool {
	for _, c := range cov {
		if !c.Closed {
			return false
		}
	}
	return true
}
