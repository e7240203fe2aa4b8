package report

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kaoqin/kaoqin"
)

// fakeSource is an in-memory Source that answers like the store (filters, order) and
// records the calls.
type fakeSource struct {
	in         Input
	mu         sync.Mutex // the loader reads side by side
	calls      []string
	checkUser  [][]string  // the UserIDs of each Checks call
	checkDays  [][2]string // the From and To of each Checks call
	checkSlice [][2]string // the After and Through of each Checks call
	fail       string      // the method that fails
}

var _ SliceSource = (*fakeSource)(nil)

func (f *fakeSource) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
	if f.fail == name {
		return errors.New("disk on fire")
	}
	return nil
}

func (f *fakeSource) Departments(ctx context.Context) ([]kaoqin.Department, error) {
	return slices.Clone(f.in.Departments), f.call("Departments")
}

func (f *fakeSource) Employees(ctx context.Context) ([]kaoqin.Employee, error) {
	return slices.Clone(f.in.Employees), f.call("Employees")
}

// BriefEmployees leaves out what the store's does, so that a report reading more fails here.
func (f *fakeSource) BriefEmployees(ctx context.Context) ([]kaoqin.Employee, error) {
	var out []kaoqin.Employee
	for _, e := range f.in.Employees {
		out = append(out, kaoqin.Employee{UserID: e.UserID, Name: e.Name, JobNumber: e.JobNumber, HiredAt: e.HiredAt, LeftAt: e.LeftAt})
	}
	return out, f.call("Employees")
}

func (f *fakeSource) Memberships(ctx context.Context, from, to string) ([]kaoqin.Membership, error) {
	var out []kaoqin.Membership
	for _, m := range f.in.Memberships {
		if m.Overlaps(from, to) {
			out = append(out, m)
		}
	}
	return out, f.call("Memberships")
}

// checksOf returns the UserIDs of the first Checks call of from..to: the report's own read,
// which the loader makes beside the read of the night before (another day), in either order.
func (f *fakeSource) checksOf(t *testing.T, from, to string) []string {
	t.Helper()
	for i, d := range f.checkDays {
		if d == [2]string{from, to} {
			return f.checkUser[i]
		}
	}
	t.Fatalf("no checks read for %s..%s: %v", from, to, f.checkDays)
	return nil
}

// of reports whether userid is one of flt's employees.
func of(flt kaoqin.Filter, userid string) bool {
	return (flt.UserIDs == nil || slices.Contains(flt.UserIDs, userid)) &&
		userid > flt.After && (flt.Through == "" || userid <= flt.Through)
}

func (f *fakeSource) Checks(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Check, error) {
	f.mu.Lock()
	f.checkUser = append(f.checkUser, flt.UserIDs)
	f.checkDays = append(f.checkDays, [2]string{flt.From, flt.To})
	f.checkSlice = append(f.checkSlice, [2]string{flt.After, flt.Through})
	f.mu.Unlock()
	var out []kaoqin.Check
	for _, c := range f.in.Checks {
		if c.WorkDate >= flt.From && c.WorkDate <= flt.To && of(flt, c.UserID) {
			out = append(out, c)
		}
	}
	return out, f.call("Checks")
}

// BriefChecks leaves out what the store's does, so that a report reading more fails here.
func (f *fakeSource) BriefChecks(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Check, error) {
	checks, err := f.Checks(ctx, flt)
	for i := range checks {
		checks[i].RecordID, checks[i].GroupID, checks[i].SourceType = 0, 0, ""
	}
	return checks, err
}

func (f *fakeSource) Leaves(ctx context.Context, start, end int64) ([]kaoqin.Leave, error) {
	return f.leavesOf(kaoqin.Filter{}, start, end, "Leaves")
}

func (f *fakeSource) LeavesOf(ctx context.Context, flt kaoqin.Filter, start, end int64) ([]kaoqin.Leave, error) {
	return f.leavesOf(flt, start, end, "LeavesOf")
}

func (f *fakeSource) leavesOf(flt kaoqin.Filter, start, end int64, call string) ([]kaoqin.Leave, error) {
	var out []kaoqin.Leave
	for _, l := range f.in.Leaves {
		if l.Overlaps(start, end) && of(flt, l.UserID) {
			out = append(out, l)
		}
	}
	return out, f.call(call)
}

func (f *fakeSource) EmployeesAfter(ctx context.Context, after string, limit int) ([]kaoqin.Employee, error) {
	var out []kaoqin.Employee
	emps := slices.SortedFunc(slices.Values(f.in.Employees), func(a, b kaoqin.Employee) int { return strings.Compare(a.UserID, b.UserID) })
	for _, e := range emps {
		if e.UserID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, f.call("EmployeesAfter")
}

func (f *fakeSource) MembershipsOf(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Membership, error) {
	var out []kaoqin.Membership
	for _, m := range f.in.Memberships {
		if m.Overlaps(flt.From, flt.To) && of(flt, m.UserID) {
			out = append(out, m)
		}
	}
	return out, f.call("MembershipsOf")
}

// rowsOf picks the rows of a Filter, as the store does.
func rowsOf[T any](rows []T, flt kaoqin.Filter, user, day func(T) string) []T {
	var out []T
	for _, r := range rows {
		if day(r) >= flt.From && day(r) <= flt.To && (flt.UserIDs == nil || slices.Contains(flt.UserIDs, user(r))) {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeSource) Schedules(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Schedule, error) {
	return rowsOf(f.in.Schedules, flt, func(s kaoqin.Schedule) string { return s.UserID },
		func(s kaoqin.Schedule) string { return s.WorkDate }), f.call("Schedules")
}

// BriefPunches leaves out what the store's does, so that a report reading more fails here.
func (f *fakeSource) BriefPunches(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Punch, error) {
	var out []kaoqin.Punch
	for _, p := range rowsOf(f.in.Punches, flt, func(p kaoqin.Punch) string { return p.UserID },
		func(p kaoqin.Punch) string { return p.WorkDate }) {
		out = append(out, kaoqin.Punch{ID: p.ID, UserID: p.UserID, WorkDate: p.WorkDate, CheckType: p.CheckType,
			LocationResult: p.LocationResult, SourceType: p.SourceType, UserCheckTime: p.UserCheckTime,
			PlanID: p.PlanID, InvalidRecordType: p.InvalidRecordType})
	}
	return out, f.call("BriefPunches")
}

// Punches are the punches whole, as the employee's day reads them.
func (f *fakeSource) Punches(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.Punch, error) {
	return rowsOf(f.in.Punches, flt, func(p kaoqin.Punch) string { return p.UserID },
		func(p kaoqin.Punch) string { return p.WorkDate }), f.call("Punches")
}

func (f *fakeSource) PunchPulls(ctx context.Context, flt kaoqin.Filter) ([]kaoqin.PunchPull, error) {
	return rowsOf(f.in.PunchPulls, flt, func(p kaoqin.PunchPull) string { return p.UserID },
		func(p kaoqin.PunchPull) string { return p.WorkDate }), f.call("PunchPulls")
}

func (f *fakeSource) Coverage(ctx context.Context, from, to string) ([]kaoqin.DayCoverage, error) {
	var out []kaoqin.DayCoverage
	for _, c := range f.in.Coverage {
		if c.Day >= from && c.Day <= to {
			out = append(out, c)
		}
	}
	return out, f.call("Coverage")
}

func jsonOf(t *testing.T, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestLoadDaily(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{in: company()}
	got, err := LoadDaily(ctx, src, "2026-11-18", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	want := mustDaily(t, company(), "2026-11-18", opts(afterRange))
	if jsonOf(t, got) != jsonOf(t, want) {
		t.Error("LoadDaily differs from ComputeDaily on the same data")
	}
	if users := src.checksOf(t, "2026-11-18", "2026-11-18"); users != nil {
		t.Errorf("the company's report read the checks of %v, want everyone's", users)
	}
}

// TestLoadDaily_Live: a day in progress reads its plans, punches and punch pulls, of the
// scope's members; a final day reads its plans only.
func TestLoadDaily_Live(t *testing.T) {
	ctx := context.Background()
	b := liveCompany()
	b.firstPull("u1", "08:00")
	b.punch("u1", "08:55")
	b.firstPull("u2", "08:00")
	b.pulled("u2", "09:05")
	b.plan("u1", kaoqin.OnDuty, "09:00", false)
	sortInput(&b.in)
	now := when(liveDayDate, "09:10")
	src := &fakeSource{in: b.in}
	got, err := LoadDaily(ctx, src, liveDayDate, opts(now))
	if err != nil {
		t.Fatal(err)
	}
	if jsonOf(t, got) != jsonOf(t, mustDaily(t, b.in, liveDayDate, opts(now))) {
		t.Error("LoadDaily differs from ComputeDaily on the same data")
	}
	if got.Company.CheckedIn != 1 || got.Company.NotCheckedIn != 1 {
		t.Errorf("company line %+v: want u1 in (punch) and u2 not (pulled)", got.Company)
	}
	b.in.Coverage[0].Closed = true
	src = &fakeSource{in: b.in}
	if _, err := LoadDaily(ctx, src, liveDayDate, opts(now)); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(src.calls, "Schedules") || slices.Contains(src.calls, "BriefPunches") || slices.Contains(src.calls, "PunchPulls") {
		t.Errorf("a final day's report called %v: want its plans read, not its punches", src.calls)
	}
}

func TestLoadPeriod_Scope(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{in: company()}
	got, err := LoadPeriod(ctx, src, "2026-11-09", "2026-11-23", opts(afterRange, 5))
	if err != nil {
		t.Fatal(err)
	}
	want := mustPeriod(t, company(), "2026-11-09", "2026-11-23", opts(afterRange, 5))
	if jsonOf(t, got) != jsonOf(t, want) {
		t.Error("LoadPeriod differs from ComputePeriod on the same data")
	}
	// A manager's report reads the checks of the scope's members only.
	if users := src.checksOf(t, "2026-11-09", "2026-11-23"); !slices.Equal(users, []string{"u02", "u04", "u06", "u07"}) {
		t.Errorf("checks read for %v, want 销售部's members", users)
	}
}

func TestLoadSeriesAndCalendar(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{in: company()}
	s, err := LoadSeries(ctx, src, "2026-11-16", "2026-11-20", opts(afterRange, 4))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := ComputeSeries(company(), "2026-11-16", "2026-11-20", opts(afterRange, 4))
	if !slices.Equal(s.Days, want.Days) {
		t.Errorf("LoadSeries %+v, want %+v", s.Days, want.Days)
	}
	src = &fakeSource{in: company()}
	c, err := LoadCalendar(ctx, src, "u07", "2026-11-16", "2026-11-20", opts(afterRange))
	if err != nil {
		t.Fatal(err)
	}
	if c.Days[2].Status != StatusAbsent {
		t.Errorf("u07 on 11-18: %s, want absent", c.Days[2].Status)
	}
	if users := src.checksOf(t, "2026-11-16", "2026-11-20"); !slices.Equal(users, []string{"u07"}) {
		t.Errorf("calendar read the checks of %v, want u07's only", users)
	}
}

func TestLoad_Errors(t *testing.T) {
	ctx := context.Background()
	// Not synced: says so before reading anything else.
	in := company()
	in.Coverage = in.Coverage[:3] // 11-09..11-11
	src := &fakeSource{in: in}
	_, err := LoadPeriod(ctx, src, "2026-11-09", "2026-11-23", opts(afterRange))
	if kaoqin.ErrorCode(err) != kaoqin.ENOTSYNCED || !strings.Contains(err.Error(), "kaoqin sync --from 2026-11-12 --to 2026-11-23") {
		t.Errorf("error %v, want ENOTSYNCED saying what to run", err)
	}
	if !slices.Equal(src.calls, []string{"Coverage"}) {
		t.Errorf("calls %v, want only Coverage", src.calls)
	}
	// A failing store: an internal error naming the operation.
	for _, method := range []string{"Coverage", "Departments", "Memberships", "Checks", "Leaves", "Employees", "Schedules"} {
		src := &fakeSource{in: company(), fail: method}
		_, err := LoadDaily(ctx, src, "2026-11-18", opts(afterRange))
		if kaoqin.ErrorCode(err) != kaoqin.EINTERNAL || !strings.Contains(err.Error(), "load "+strings.ToLower(method)) ||
			!strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("%s failing: %v", method, err)
		}
	}
	// Bad input, before any call.
	src = &fakeSource{in: company()}
	if _, err := LoadDaily(ctx, src, "18/11/2026", opts(afterRange)); kaoqin.ErrorCode(err) != kaoqin.EINVALID {
		t.Errorf("bad date: %v", err)
	}
	if _, err := LoadDaily(ctx, src, "2026-11-18", opts(afterRange, 404)); kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		t.Errorf("unknown department: %v", err)
	}
	if slices.Contains(src.calls, "Checks") {
		t.Error("checks read for a report that cannot be made")
	}
}

// TestMerged merges the checks of another day into a day's as one list in the store's order,
// which then needs no sort.
func TestMerged(t *testing.T) {
	c := func(user, day string, at int64) kaoqin.Check {
		return kaoqin.Check{UserID: user, WorkDate: day, BaseCheckTime: at}
	}
	day := []kaoqin.Check{c("a", "2026-11-20", 1), c("a", "2026-11-20", 2), c("c", "2026-11-20", 1), c("d", "2026-11-20", 1)}
	before := []kaoqin.Check{c("a", "2026-11-19", 5), c("b", "2026-11-19", 1), c("d", "2026-11-19", 9), c("e", "2026-11-19", 1)}
	got := merged(day, before, cmpChecks)
	want := slices.SortedFunc(slices.Values(slices.Concat(day, before)), func(a, b kaoqin.Check) int { return cmpChecks(&a, &b) })
	if !slices.Equal(got, want) {
		t.Errorf("merged:\n got %v\nwant %v", got, want)
	}
	if got := merged(day, nil, cmpChecks); &got[0] != &day[0] {
		t.Error("merged with nothing to add copied the day's checks")
	}
}
