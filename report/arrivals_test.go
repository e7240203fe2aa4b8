package report

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestArrivals: the curve counts each person once, at their first check-in, against the
// people due by each minute; the shift starts mark it.
func TestArrivals(t *testing.T) {
	now := when("2026-11-18", "09:10")
	d := mustDaily(t, asOf(company(), now), "2026-11-18", opts(now))
	a, err := d.Arrivals(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Minutes) == 0 || len(a.In) != len(a.Minutes) || len(a.Due) != len(a.Minutes) {
		t.Fatalf("curve of %d minutes, %d in, %d due", len(a.Minutes), len(a.In), len(a.Due))
	}
	if first := a.Minutes[0].Format("15:04"); first > "08:30" {
		t.Errorf("the curve starts at %s, after half an hour before the first shift", first)
	}
	if last := a.Minutes[len(a.Minutes)-1].Format("15:04"); last != "09:10" {
		t.Errorf("the curve ends at %s, want the report's 09:10", last)
	}
	// Everyone checked in by 09:10 is on the curve's last point.
	in, _ := d.Who(0, "checked_in")
	if got := a.In[len(a.In)-1]; got != len(in) {
		t.Errorf("checked in by 09:10: curve %d, report %d", got, len(in))
	}
	for i := 1; i < len(a.In); i++ {
		if a.In[i] < a.In[i-1] || a.Due[i] < a.Due[i-1] {
			t.Fatalf("the curve goes down at %s", a.Minutes[i].Format("15:04"))
		}
	}
	var starts []string
	for _, s := range a.Starts {
		starts = append(starts, s.At.Format("15:04"))
	}
	// 09:00 for most; 王五's split shift starts at 09:00 too; 钱十一 at 14:00.
	if diff := cmp.Diff([]string{"09:00", "14:00"}, starts); diff != "" {
		t.Errorf("shift starts (-want +got):\n%s", diff)
	}
}

// TestLateness buckets the late people by minutes late and kind.
func TestLateness(t *testing.T) {
	d := mustDaily(t, company(), "2026-11-18", opts(when("2026-11-19", "08:00")))
	l, err := d.Lateness(0)
	if err != nil {
		t.Fatal(err)
	}
	late, _ := d.Who(0, "late")
	serious, _ := d.Who(0, "serious_late")
	sum := func(xs []int) (n int) {
		for _, x := range xs {
			n += x
		}
		return n
	}
	if sum(l.Late) != len(late) || l.Total != sum(l.Late)+sum(l.Serious)+sum(l.Absenteeism) || len(l.Late) != len(l.Bounds)+1 {
		t.Errorf("lateness %+v; late people %v, serious %v", l, late, serious)
	}
}
