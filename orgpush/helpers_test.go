package orgpush

import (
	"context"
	"fmt"
	"math"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// wednesday is a plain workday on the company clock.
var wednesday = time.Date(2026, 11, 18, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

// testSim is a simulator behind an HTTP server and a client pointed at it.
type testSim struct {
	*dingtalksim.Server
	url    string
	client *dingtalk.Client
}

// newSim returns a simulator of a generated company of n people (its boss and an admin
// among them), with QPS limits off so that tests run at full speed.
func newSim(t *testing.T, n int) *testSim {
	t.Helper()
	sim := dingtalksim.New(dingtalksim.Config{Seed: 7, Employees: n, QPS: -1, IPLimit: -1, Now: wednesday})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &testSim{Server: sim, url: srv.URL, client: newClient(t, srv.URL)}
}

// newEmptySim returns a simulator whose org has the root department and nobody else.
func newEmptySim(t *testing.T) *testSim {
	t.Helper()
	s := newSim(t, 1)
	for _, id := range s.Truth().UserIDs() {
		if err := s.RemoveUser(id); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range s.Truth().Departments() {
		if d.ParentID == 1 {
			if err := s.RemoveDepartment(d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(s.Truth().Departments()); n != 1 {
		t.Fatalf("empty org has %d departments", n)
	}
	return s
}

func newClient(t *testing.T, url string) *dingtalk.Client {
	t.Helper()
	c, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, dingtalksim.DefaultAppSecret,
		dingtalk.WithBaseURL(url), dingtalk.WithQPS(math.Inf(1)),
		dingtalk.WithRetry(dingtalk.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustParse(t *testing.T, name, text string) *File {
	t.Helper()
	f, err := Parse(name, []byte(text))
	if err != nil {
		if e, ok := IsInvalidFile(err); ok {
			t.Fatalf("%s: %v", name, e.Problems)
		}
		t.Fatal(err)
	}
	return f
}

// plan reads DingTalk's org and plans the file against it.
func (s *testSim) plan(t *testing.T, f *File, opts Options) *Plan {
	t.Helper()
	org, err := ReadFor(context.Background(), s.client, f, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(f, org, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// push plans and applies the file, and fails the test if a step fails.
func (s *testSim) push(t *testing.T, f *File, opts Options) (*Plan, *Result) {
	t.Helper()
	p := s.plan(t, f, opts)
	res, err := (&Runner{Client: s.client}).Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Failed() {
		t.Errorf("step %d %s: %s", o.Step.N, o.Step.Text, failureText(o))
	}
	if t.Failed() {
		var b strings.Builder
		p.Write(&b)
		t.Logf("plan:\n%s", b.String())
	}
	return p, res
}

// orgLines describes DingTalk's org as the simulator has it, in the file's terms: one line per
// department ("D11 研发中心/平台组 order=-") and per person. Departments without a
// source_identifier show as "?"; a person's departments by their HR ids.
func orgLines(s *testSim, withOrder bool) []string {
	tr := s.Truth()
	var out []string
	sid := map[int64]string{1: "ROOT"}
	path := map[int64]string{}
	var walk func(id int64, prefix string)
	kids := map[int64][]dingtalksim.Department{}
	for _, d := range tr.Departments() {
		if d.ID != 1 {
			kids[d.ParentID] = append(kids[d.ParentID], d)
		}
	}
	walk = func(id int64, prefix string) {
		for _, d := range kids[id] {
			p := prefix + d.Name
			path[d.ID] = p
			sid[d.ID] = cmpOr(d.SourceIdentifier, "?")
			line := sid[d.ID] + " " + p
			if withOrder {
				line += fmt.Sprintf(" order=%d", d.Order)
			}
			out = append(out, line)
			walk(d.ID, p+"/")
		}
	}
	walk(1, "")
	for _, u := range tr.Users() {
		var ds []string
		for _, id := range u.DeptIDs {
			ds = append(ds, sid[id])
		}
		slices.Sort(ds)
		line := fmt.Sprintf("%s %s %s [%s]", u.UserID, u.Name, u.Mobile, strings.Join(ds, ","))
		if u.Email != "" {
			line += " " + u.Email
		}
		if u.Title != "" {
			line += " title=" + u.Title
		}
		if u.JobNumber != "" {
			line += " job=" + u.JobNumber
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// fileLines describes a file the way orgLines describes DingTalk, for a file whose every
// person has a job number (the simulator gives one to everybody).
func fileLines(f *File, withOrder bool) []string {
	var out []string
	byID := map[string]*Department{}
	for i := range f.Departments {
		byID[f.Departments[i].ID] = &f.Departments[i]
	}
	var path func(d *Department) string
	path = func(d *Department) string {
		if d.ParentID == "" {
			return d.Name
		}
		return path(byID[d.ParentID]) + "/" + d.Name
	}
	for _, d := range f.Departments {
		line := d.ID + " " + path(&d)
		if withOrder {
			line += fmt.Sprintf(" order=%d", *d.Order)
		}
		out = append(out, line)
	}
	for _, p := range f.People {
		ds := slices.Clone(p.DeptIDs)
		if len(ds) == 0 {
			ds = []string{"ROOT"}
		}
		slices.Sort(ds)
		line := fmt.Sprintf("%s %s %s [%s]", p.UserID, p.Name, p.Mobile, strings.Join(ds, ","))
		if p.Email != "" {
			line += " " + p.Email
		}
		if p.Title != "" {
			line += " title=" + p.Title
		}
		if p.JobNumber != "" {
			line += " job=" + p.JobNumber
		}
		out = append(out, line)
	}
	sort.Strings(out)
	return out
}

// assertOrg fails the test unless DingTalk's org is exactly the file: the same departments
// (each found by its HR id, once), the same people, nothing else.
func assertOrg(t *testing.T, s *testSim, f *File) {
	t.Helper()
	got, want := orgLines(s, false), fileLines(f, false)
	if !slices.Equal(got, want) {
		t.Errorf("DingTalk's org is not the file's:\n got: %s\nwant: %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

func planText(p *Plan) string {
	var b strings.Builder
	p.Write(&b)
	return b.String()
}

func dingtalksimUser(userid, name, mobile string, dept int64) dingtalksim.NewUser {
	return dingtalksim.NewUser{UserID: userid, Name: name, Mobile: mobile, JobNumber: "X" + userid, DeptIDs: []int64{dept}}
}

func dingtalksimUserEmail(userid, name, mobile, email string) dingtalksim.NewUser {
	return dingtalksim.NewUser{UserID: userid, Name: name, Mobile: mobile, JobNumber: "X" + userid, Email: email, DeptIDs: []int64{1}}
}

func departmentSID(id int64, sid string) *dingtalk.DepartmentUpdate {
	return &dingtalk.DepartmentUpdate{ID: id, SourceIdentifier: &sid}
}
