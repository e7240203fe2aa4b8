package syncer

import "testing"

// plansByUsers takes the cheaper path, and listbyusers for a company whose listschedule would
// page past what the client reads (found at 100,000 people: "still more rows after 1000 pages").
func TestPlansByUsers(t *testing.T) {
	for _, test := range []struct {
		op                    string
		byUsers, days, perDay int64
		want                  bool
	}{
		{"admin", 3, 1, 2, false},      // a day of 120 people: 2 pages against 3 calls
		{"admin", 3, 7, 2, true},       // a week: 3 calls against 14 pages
		{"", 3, 7, 2, false},           // nobody to ask on behalf of
		{"admin", 2000, 1, 1000, true}, // a day of 100,000 people: 1,000 pages, past the client's cap
		{"admin", 1000, 1, 501, true},  // half the cap estimated
		{"admin", 1000, 1, 500, false},
	} {
		if got := plansByUsers(test.op, test.byUsers, test.days, test.perDay); got != test.want {
			t.Errorf("%+v: listbyusers %v, want %v", test, got, test.want)
		}
	}
}
