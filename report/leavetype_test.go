package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/kaoqin/kaoqin"
)

// leaveSource is the fixture company with leave by type.
type leaveSource struct {
	*fakeSource
	types []kaoqin.LeaveType
	times []kaoqin.LeaveTime
}

var _ LeaveTimeSource = (*leaveSource)(nil)

func (s *leaveSource) LeaveTypes(context.Context) ([]kaoqin.LeaveType, error) { return s.types, nil }

func (s *leaveSource) LeaveTimeNames(_ context.Context, from, to string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, t := range s.times {
		if t.WorkDate >= from && t.WorkDate <= to && !seen[t.Name] {
			seen[t.Name] = true
			out = append(out, t.Name)
		}
	}
	return out, nil
}

func (s *leaveSource) LeaveTimes(_ context.Context, f kaoqin.Filter) ([]kaoqin.LeaveTime, error) {
	var out []kaoqin.LeaveTime
	for _, t := range s.times {
		if t.WorkDate >= f.From && t.WorkDate <= f.To && of(f, t.UserID) {
			out = append(out, t)
		}
	}
	return out, nil
}

func newLeaveSource() *leaveSource {
	lt := func(u, day, name string, v float64) kaoqin.LeaveTime {
		return kaoqin.LeaveTime{UserID: u, WorkDate: day, Name: name, Value: v}
	}
	return &leaveSource{
		fakeSource: &fakeSource{in: company()},
		// 婚假 has no leave in the range: no column. 调休 is not among the types: last, no unit.
		types: []kaoqin.LeaveType{{Name: "年假", Unit: kaoqin.LeaveUnitDay}, {Name: "事假", Unit: kaoqin.LeaveUnitHour, Position: 1},
			{Name: "病假", Unit: kaoqin.LeaveUnitDay, Position: 2}, {Name: "婚假", Unit: kaoqin.LeaveUnitDay, Position: 3}},
		times: []kaoqin.LeaveTime{
			lt("u01", "2026-11-10", "年假", 1), lt("u01", "2026-11-11", "年假", 1),
			lt("u02", "2026-11-12", "事假", 3.5), // in 后端组 and 销售部 both
			lt("u06", "2026-11-16", "病假", 1),   // 前端组 until the 16th
			lt("u06", "2026-11-17", "病假", 0.5), // 销售部 from the 17th
			lt("u08", "2026-11-18", "调休", 2),   // no department
			lt("u01", "2026-11-30", "婚假", 1),   // after the range
		},
	}
}

func loadLeavePeriod(t *testing.T, src *leaveSource, depts ...int64) *Period {
	t.Helper()
	p, err := LoadPeriod(context.Background(), src, "2026-11-09", "2026-11-23", opts(afterRange, depts...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPeriod_LeaveByType gives a period report a column per leave type with leave in the
// range, in the order of DingTalk's report, and each line its leave of each type: a department
// the leave of the days its people belonged to it.
func TestPeriod_LeaveByType(t *testing.T) {
	p := loadLeavePeriod(t, newLeaveSource())
	wantCols := []LeaveTypeColumn{{"年假", "day"}, {"事假", "hour"}, {"病假", "day"}, {"调休", ""}}
	if d := gocmp.Diff(wantCols, p.LeaveTypes); d != "" {
		t.Fatalf("columns (-want +got):\n%s", d)
	}
	byType := func(m map[string]float64) string {
		var b strings.Builder
		for _, c := range wantCols {
			fmt.Fprintf(&b, "%s=%v ", c.Name, m[c.Name])
		}
		return b.String()
	}
	for _, c := range []struct{ userid, want string }{
		{"u01", "年假=2 事假=0 病假=0 调休=0 "},
		{"u02", "年假=0 事假=3.5 病假=0 调休=0 "},
		{"u06", "年假=0 事假=0 病假=1.5 调休=0 "},
		{"u08", "年假=0 事假=0 病假=0 调休=2 "},
		{"u04", "年假=0 事假=0 病假=0 调休=0 "},
	} {
		e, ok := p.Employee(c.userid)
		if !ok || byType(e.LeaveByType) != c.want {
			t.Errorf("%s: %v, want %s", c.userid, e.LeaveByType, c.want)
		}
	}
	if got := byType(p.Company.LeaveByType); got != "年假=2 事假=3.5 病假=1.5 调休=2 " {
		t.Errorf("company: %s", got)
	}
	dept := func(id int64) string {
		for _, d := range p.Departments {
			if d.ID == id {
				return byType(d.LeaveByType)
			}
		}
		return "missing"
	}
	for id, want := range map[int64]string{
		1: "年假=2 事假=3.5 病假=1.5 调休=0 ", // u08 belongs nowhere
		2: "年假=2 事假=3.5 病假=1 调休=0 ",
		3: "年假=2 事假=3.5 病假=0 调休=0 ",
		4: "年假=0 事假=0 病假=1 调休=0 ",
		5: "年假=0 事假=3.5 病假=0.5 调休=0 ",
	} {
		if got := dept(id); got != want {
			t.Errorf("department %d: %s, want %s", id, got, want)
		}
	}

	// A manager's scope keeps the company's columns.
	scoped := loadLeavePeriod(t, newLeaveSource(), 5)
	if d := gocmp.Diff(wantCols, scoped.LeaveTypes); d != "" || byType(scoped.Company.LeaveByType) != "年假=0 事假=3.5 病假=0.5 调休=0 " {
		t.Errorf("scope 5: columns %v, company %v", scoped.LeaveTypes, scoped.Company.LeaveByType)
	}

	// JSON: the columns and every line's leave by type.
	var b bytes.Buffer
	if err := WriteJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		LeaveTypes []LeaveTypeColumn `json:"leave_types"`
		Employees  []struct {
			UserID      string             `json:"userid"`
			LeaveByType map[string]float64 `json:"leave_by_type"`
		} `json:"employees"`
		Company struct {
			LeaveByType map[string]float64 `json:"leave_by_type"`
		} `json:"company"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.LeaveTypes) != 4 || doc.Employees[0].LeaveByType["年假"] != 2 || len(doc.Employees[0].LeaveByType) != 4 || doc.Company.LeaveByType["调休"] != 2 {
		t.Errorf("json: %s", b.String())
	}

	// CSV and XLSX: a column per type, numbers as numbers.
	for lang, header := range map[Lang]string{Chinese: "外勤次数,请假时长(天),请假时长(小时),年假(天),事假(小时),病假(天),调休,入职日期",
		English: "Leave (hours),年假 (days),事假 (hours),病假 (days),调休,Hired on"} {
		b.Reset()
		if err := WriteCSV(&b, p, lang); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), header) || !strings.Contains(b.String(), ",0,2,2,0,0,0,2024-03-01") {
			t.Errorf("csv %s:\n%s", lang, b.String())
		}
	}
	b.Reset()
	if err := Write(&b, p, FormatXLSX, Chinese); err != nil {
		t.Fatal(err)
	}
	if cells := xlsxCells(t, b.Bytes()); !strings.Contains(cells, "年假(天)") || !strings.Contains(cells, "3.5") {
		t.Errorf("xlsx:\n%s", cells)
	}

	// Without leave by type in the range, no column.
	src := newLeaveSource()
	src.times = src.times[len(src.times)-1:]
	if p := loadLeavePeriod(t, src); p.LeaveTypes != nil || p.Employees[0].LeaveByType != nil {
		t.Errorf("no leave by type: %v %v", p.LeaveTypes, p.Employees[0].LeaveByType)
	}
}

// TestPeriodStream_LeaveByType: computed a slice at a time, the report with leave by type is
// written exactly as the one computed whole.
func TestPeriodStream_LeaveByType(t *testing.T) {
	for _, scope := range [][]int64{nil, {5}} {
		want := writeAll(t, loadLeavePeriod(t, newLeaveSource(), scope...))
		for _, size := range []int{1, 3, 1000} {
			got := writeAll(t, openStream(t, newLeaveSource(), size, scope...))
			for k := range want {
				if strings.HasPrefix(k, "xlsx") {
					if a, b := xlsxCells(t, want[k]), xlsxCells(t, got[k]); a != b {
						t.Errorf("scope %v size %d %s differs:\n%s\nwant\n%s", scope, size, k, b, a)
					}
					continue
				}
				if !bytes.Equal(want[k], got[k]) {
					t.Errorf("scope %v size %d %s differs:\n%s\nwant\n%s", scope, size, k, got[k], want[k])
				}
			}
		}
	}
}
