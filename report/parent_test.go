package report

import (
	"encoding/json"
	"testing"
)

func TestParentJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		line any
		want string
	}{
		{"company root", DailyDepartment{ID: 1}, "0"},
		{"child", DailyDepartment{ID: 7, ParentID: 1}, "1"},
		{"top of a scope", DailyDepartment{ID: 7}, "null"},
		{"period root", PeriodDepartment{ID: 1}, "0"},
		{"period top of a scope", PeriodDepartment{ID: 9}, "null"},
		{"period child", PeriodDepartment{ID: 9, ParentID: 7}, "7"},
	} {
		b, err := json.Marshal(tc.line)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if got := string(m["parent_id"]); got != tc.want {
			t.Errorf("%s: parent_id = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// The MarshalJSON methods spell their fields out: a field added to the types must be added
// there too, or it would silently vanish from the JSON. With a parent to show, they must write
// exactly what the default encoding of the types writes.
func TestParentJSON_KeepsEveryField(t *testing.T) {
	type plainDaily DailyDepartment
	type plainPeriod PeriodDepartment
	daily := DailyDepartment{ID: 3, Name: "研发", ParentID: 1, Counts: Counts{Headcount: 4}, NotCheckedIn: []Person{{"u1", "张三"}}}
	period := PeriodDepartment{ID: 3, Name: "研发", ParentID: 1}
	period.Headcount = 4
	period.LeaveByType = map[string]float64{"年假": 1.5}
	for _, tc := range []struct{ custom, plain any }{{daily, plainDaily(daily)}, {period, plainPeriod(period)}} {
		got, err := json.Marshal(tc.custom)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(tc.plain)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("MarshalJSON of %T writes\n%s\nwant the default encoding\n%s", tc.custom, got, want)
		}
	}
}
