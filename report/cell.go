package report

import (
	"strconv"
	"time"
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
