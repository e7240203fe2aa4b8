package dingtalk

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFlexInt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		`123`: 123, `"123"`: 123, `-1`: -1, `"-1"`: -1, `null`: 0, `""`: 0, `1e3`: 1000, `1463328000000`: 1463328000000,
	} {
		var n FlexInt
		if err := json.Unmarshal([]byte(in), &n); err != nil || int64(n) != want {
			t.Errorf("%s: got %d, %v; want %d", in, n, err, want)
		}
	}
	for _, in := range []string{`"abc"`, `1.5`, `true`, `{}`, `[]`, `"12x"`, `99999999999999999999`} {
		var n FlexInt
		if err := json.Unmarshal([]byte(in), &n); err == nil {
			t.Errorf("%s: decoded as %d, want an error", in, n)
		}
	}
}

func TestFlexString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`"abc"`: "abc", `116.486888`: "116.486888", `65`: "65", `null`: "", `true`: "true", `"40014"`: "40014",
	} {
		var s FlexString
		if err := json.Unmarshal([]byte(in), &s); err != nil || string(s) != want {
			t.Errorf("%s: got %q, %v; want %q", in, s, err, want)
		}
	}
	for _, in := range []string{`{}`, `[1]`} {
		var s FlexString
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("%s: decoded as %q, want an error", in, s)
		}
	}
}

func TestFlexStrings(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]FlexStrings{
		`["1","0",1]`: {"1", "0", "1"},
		`"1,2"`:       {"1,2"},
		`""`:          nil,
		`null`:        nil,
		`[]`:          {},
	} {
		var l FlexStrings
		if err := json.Unmarshal([]byte(in), &l); err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, l); diff != "" {
			t.Errorf("%s (-want +got):\n%s", in, diff)
		}
	}
	var l FlexStrings
	if err := json.Unmarshal([]byte(`[{}]`), &l); err == nil {
		t.Error("a list of objects decoded")
	}
}

func TestDateTime(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	for _, test := range []struct {
		in   string
		loc  *time.Location
		want int64
		text string
	}{
		{`1492568497000`, shanghai, 1492568497000, ""},
		{`"1492568497000"`, shanghai, 1492568497000, ""},
		{`"2017-04-11 11:11:11"`, shanghai, time.Date(2017, 4, 11, 11, 11, 11, 0, shanghai).UnixMilli(), "2017-04-11 11:11:11"},
		{`"2017-04-11 11:11:11"`, ny, time.Date(2017, 4, 11, 11, 11, 11, 0, ny).UnixMilli(), "2017-04-11 11:11:11"},
		{`"2017-04-11"`, shanghai, time.Date(2017, 4, 11, 0, 0, 0, 0, shanghai).UnixMilli(), "2017-04-11"},
		{`null`, shanghai, 0, ""},
	} {
		var d DateTime
		if err := json.Unmarshal([]byte(test.in), &d); err != nil {
			t.Errorf("%s: %v", test.in, err)
			continue
		}
		if err := d.resolve(test.loc); err != nil {
			t.Errorf("%s: resolve: %v", test.in, err)
		}
		if d.Millis != test.want || d.Text != test.text {
			t.Errorf("%s in %s: got %+v, want %d %q", test.in, test.loc, d, test.want, test.text)
		}
	}
	var d DateTime
	if err := json.Unmarshal([]byte(`"next tuesday"`), &d); err != nil {
		t.Fatal(err)
	}
	if err := d.resolve(shanghai); err == nil {
		t.Error("resolved a string that is no date")
	}
	b, _ := json.Marshal(DateTime{Millis: 5, Text: "x"})
	if string(b) != "5" {
		t.Errorf("MarshalJSON = %s", b)
	}
	if !(DateTime{}).Time(shanghai).IsZero() {
		t.Error("zero DateTime is not the zero time")
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	d := MustParseDate("2024-02-28")
	if got := d.AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("AddDays(1) = %s", got)
	}
	if got := d.AddDays(2).String(); got != "2024-03-01" {
		t.Errorf("AddDays(2) = %s", got)
	}
	if got := d.AddDays(-59).String(); got != "2023-12-31" {
		t.Errorf("AddDays(-59) = %s", got)
	}
	if n := d.DaysUntil(MustParseDate("2025-02-28")); n != 366 {
		t.Errorf("DaysUntil a year later = %d", n)
	}
	if !d.Before(d.AddDays(1)) || d.After(d) || d.Compare(d) != 0 {
		t.Error("comparisons are wrong")
	}
	for _, bad := range []string{"2024-02-30", "2024-2-1", "20240201", ""} {
		if _, err := ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) succeeded", bad)
		}
	}
	if got := MustParseDate("2026-11-18").Start(shanghai); !got.Equal(time.Date(2026, 11, 17, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("Start = %v", got)
	}
	// A DST day is 23 hours long in New York; the next day still starts at midnight.
	ny, _ := time.LoadLocation("America/New_York")
	spring := MustParseDate("2026-03-08")
	if h := spring.AddDays(1).Start(ny).Sub(spring.Start(ny)); h != 23*time.Hour {
		t.Errorf("DST day is %v long", h)
	}
	b, err := json.Marshal(struct{ D Date }{d})
	if err != nil || string(b) != `{"D":"2024-02-28"}` {
		t.Errorf("marshal: %s, %v", b, err)
	}
	var back struct{ D Date }
	if err := json.Unmarshal(b, &back); err != nil || back.D != d {
		t.Errorf("unmarshal: %+v, %v", back, err)
	}
	if DateOf(time.Date(2026, 11, 17, 16, 30, 0, 0, time.UTC).In(shanghai)) != MustParseDate("2026-11-18") {
		t.Error("DateOf ignores the location")
	}
}

func TestSplitDays(t *testing.T) {
	t.Parallel()
	d := MustParseDate
	for _, test := range []struct {
		name     string
		from, to Date
		n        int
		want     []DateRange
	}{
		{"OneDay", d("2026-11-18"), d("2026-11-18"), 7, []DateRange{{d("2026-11-18"), d("2026-11-18")}}},
		{"SevenDays", d("2026-11-16"), d("2026-11-22"), 7, []DateRange{{d("2026-11-16"), d("2026-11-22")}}},
		{"EightDays", d("2026-11-16"), d("2026-11-23"), 7, []DateRange{
			{d("2026-11-16"), d("2026-11-22")}, {d("2026-11-23"), d("2026-11-23")}}},
		{"PayrollMonth", d("2026-10-26"), d("2026-11-25"), 7, []DateRange{
			{d("2026-10-26"), d("2026-11-01")}, {d("2026-11-02"), d("2026-11-08")}, {d("2026-11-09"), d("2026-11-15")},
			{d("2026-11-16"), d("2026-11-22")}, {d("2026-11-23"), d("2026-11-25")}}},
		{"AcrossNewYear", d("2026-12-30"), d("2027-01-02"), 2, []DateRange{
			{d("2026-12-30"), d("2026-12-31")}, {d("2027-01-01"), d("2027-01-02")}}},
		{"Backwards", d("2026-11-18"), d("2026-11-17"), 7, nil},
		{"ZeroN", d("2026-11-18"), d("2026-11-18"), 0, nil},
	} {
		t.Run(test.name, func(t *testing.T) {
			got := SplitDays(test.from, test.to, test.n)
			if diff := cmp.Diff(test.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for _, r := range got {
				if r.Days() > test.n {
					t.Errorf("window %s has %d days", r, r.Days())
				}
			}
		})
	}
}

func TestSplitUsers(t *testing.T) {
	t.Parallel()
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = string(rune('a'+i%26)) + string(rune('0'+i/26))
	}
	got := SplitUsers(ids, 50)
	if len(got) != 3 || len(got[0]) != 50 || len(got[1]) != 50 || len(got[2]) != 1 || got[2][0] != ids[100] {
		t.Fatalf("got batches of %d", len(got))
	}
	// Appending to a batch must not clobber the next one.
	_ = append(got[0], "x")
	if got[1][0] != ids[50] {
		t.Error("batches share capacity")
	}
	if SplitUsers(nil, 50) != nil || SplitUsers(ids, 0) != nil {
		t.Error("want nil for no ids or n < 1")
	}
}

func TestPlanChunks(t *testing.T) {
	t.Parallel()
	ids := make([]string, 0, 53)
	for i := range 51 {
		ids = append(ids, "u"+string(rune('A'+i%26))+string(rune('0'+i/26)))
	}
	ids = append(ids, "", ids[0]) // an empty and a repeated id are dropped
	chunks := PlanChunks(ids, MustParseDate("2026-11-16"), MustParseDate("2026-11-23"), MaxResultUsers, MaxResultDays)
	if len(chunks) != 4 {
		t.Fatalf("%d chunks for 51 users × 8 days, want 2 × 2", len(chunks))
	}
	// Windows outer, users inner: the first window is done for everyone before the second.
	want := []struct {
		users    int
		from, to string
	}{{50, "2026-11-16", "2026-11-22"}, {1, "2026-11-16", "2026-11-22"}, {50, "2026-11-23", "2026-11-23"}, {1, "2026-11-23", "2026-11-23"}}
	for i, ch := range chunks {
		if len(ch.UserIDs) != want[i].users || ch.From.String() != want[i].from || ch.To.String() != want[i].to {
			t.Errorf("chunk %d: %d users %s, want %+v", i, len(ch.UserIDs), ch.DateRange, want[i])
		}
	}
	if PlanChunks(nil, MustParseDate("2026-11-16"), MustParseDate("2026-11-23"), 50, 7) != nil {
		t.Error("chunks for no users")
	}
}

func TestChunkOptions(t *testing.T) {
	t.Parallel()
	ch := Chunk{UserIDs: []string{"u1"}, DateRange: DateRange{MustParseDate("2026-11-16"), MustParseDate("2026-11-22")}}
	ro := ch.RecordOptions(shanghai)
	if ro.From.In(shanghai).Format(DateTimeLayout) != "2026-11-16 00:00:00" || ro.To.In(shanghai).Format(DateTimeLayout) != "2026-11-22 23:59:59" {
		t.Errorf("record bounds %v..%v", ro.From, ro.To)
	}
	if ro.To.Sub(ro.From) > 7*24*time.Hour {
		t.Error("record bounds span more than 7×24 h")
	}
	lo := ch.LeaveStatusOptions(shanghai)
	if lo.Start.UnixMilli() != time.Date(2026, 11, 16, 0, 0, 0, 0, shanghai).UnixMilli() ||
		lo.End.UnixMilli() != time.Date(2026, 11, 23, 0, 0, 0, 0, shanghai).UnixMilli()-1 {
		t.Errorf("leave bounds %v..%v", lo.Start, lo.End)
	}
	long := Chunk{UserIDs: []string{"u1"}, DateRange: DateRange{MustParseDate("2026-01-01"), MustParseDate("2026-01-01").AddDays(MaxLeaveDays - 1)}}
	if lo := long.LeaveStatusOptions(shanghai); lo.validate("/p") != nil {
		t.Errorf("a 180-day chunk fails the 180-day check: %v", lo.validate("/p"))
	}
	so := ch.ScheduleOptions("admin", shanghai)
	if so.OpUserID != "admin" || so.To.Sub(so.From) > 7*24*time.Hour {
		t.Errorf("schedule options %+v", so)
	}
}
