package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

// The HR files of the tests: a small company, and the same company a year later, different in
// every way (departments renamed, moved across levels, a parent and its child swapped, two
// names swapped, departments removed and added; people moved, removed, added, one mobile
// changed).
const (
	orgFileA = `{
  "departments": [
    {"id": "D1", "name": "研发中心", "order": 10},
    {"id": "D11", "name": "平台组", "parent_id": "D1"},
    {"id": "D12", "name": "测试组", "parent_id": "D1"},
    {"id": "D2", "name": "销售部", "order": 20},
    {"id": "D21", "name": "华东", "parent_id": "D2"},
    {"id": "D22", "name": "华南", "parent_id": "D2"},
    {"id": "D3", "name": "行政部"}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": ["D11"]},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": ["D12", "D21"]},
    {"userid": "u3", "name": "王五", "mobile": "13800000003", "dept_ids": ["D2"]},
    {"userid": "u4", "name": "赵六", "mobile": "13800000004", "dept_ids": ["D3"]},
    {"userid": "u5", "name": "孙七", "mobile": "13800000005", "dept_ids": ["D22"]},
    {"userid": "u6", "name": "周八", "mobile": "13800000006", "dept_ids": []}
  ]
}`
	orgFileB = `{
  "departments": [
    {"id": "D11", "name": "平台组"},
    {"id": "D1", "name": "研发中心", "parent_id": "D11", "order": 5},
    {"id": "D12", "name": "质量组", "parent_id": "D1"},
    {"id": "D2", "name": "行政部"},
    {"id": "D3", "name": "销售部"},
    {"id": "D21", "name": "华东销售", "parent_id": "D3"},
    {"id": "D4", "name": "市场部"},
    {"id": "D41", "name": "品牌组", "parent_id": "D4"},
    {"id": "D42", "name": "设计", "parent_id": "D41"}
  ],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": ["D41"], "email": "zhangsan@example.com"},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": ["D12"]},
    {"userid": "u4", "name": "赵六六", "mobile": "13800000004", "dept_ids": ["D3", "D2"], "title": "主管"},
    {"userid": "u5", "name": "孙七", "mobile": "13800000005", "dept_ids": ["D4"]},
    {"userid": "u6", "name": "周八", "mobile": "13900000006", "dept_ids": ["D1"]},
    {"userid": "u7", "name": "吴九", "mobile": "13800000007", "dept_ids": ["D42"]},
    {"userid": "u8", "name": "郑十", "mobile": "13800000003", "dept_ids": ["D21"]}
  ]
}`
)

// orgPushSim is a simulator of an empty org (only the root department) behind an HTTP server
// that can kill a process on a chosen write.
type orgPushSim struct {
	*dingtalksim.Server
	url string

	writes  atomic.Int64
	killAt  atomic.Int64 // kill the process after this write has been served (0: never)
	process atomic.Pointer[os.Process]
	before  func(n int64) // runs before the n-th write is served
}

func newOrgPushSim(t *testing.T) *orgPushSim {
	t.Helper()
	sim := dingtalksim.New(dingtalksim.Config{Seed: 3, Employees: 1, QPS: 100, Now: time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC)})
	for _, id := range sim.Truth().UserIDs() {
		if err := sim.RemoveUser(id); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range sim.Truth().Departments() {
		if d.ParentID == 1 {
			if err := sim.RemoveDepartment(d.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	s := &orgPushSim{Server: sim}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func isContactsWrite(path string) bool {
	return (strings.HasPrefix(path, "/topapi/v2/department/") || strings.HasPrefix(path, "/topapi/v2/user/")) &&
		(strings.HasSuffix(path, "/create") || strings.HasSuffix(path, "/update") || strings.HasSuffix(path, "/delete"))
}

func (s *orgPushSim) serve(w http.ResponseWriter, r *http.Request) {
	if !isContactsWrite(r.URL.Path) {
		s.Server.ServeHTTP(w, r)
		return
	}
	n := s.writes.Add(1)
	if s.before != nil {
		s.before(n)
	}
	rec := httptest.NewRecorder()
	s.Server.ServeHTTP(rec, r)
	if k := s.killAt.Load(); k != 0 && n == k {
		// DingTalk has done the write; its answer never reaches the process.
		if p := s.process.Load(); p != nil {
			p.Kill()
		}
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (s *orgPushSim) args(extra ...string) []string {
	return append([]string{"--base-url", s.url, "--app-key", dingtalksim.DefaultAppKey, "--app-secret", dingtalksim.DefaultAppSecret,
		"--qps", "100", "org", "push"}, extra...)
}

// orgLines describes the simulator's org in the file's terms, one sorted line per department
// ("D11 平台组/研发中心") and per person ("u1 张三 13800000001 [D41]").
func (s *orgPushSim) orgLines() []string {
	tr := s.Truth()
	sid := map[int64]string{1: "ROOT"}
	for _, d := range tr.Departments() {
		if d.ID != 1 {
			sid[d.ID] = d.SourceIdentifier
		}
	}
	var out []string
	for _, d := range tr.Departments() {
		if d.ID == 1 {
			continue
		}
		path := []string{d.Name}
		for p := d.ParentID; p != 1; {
			pd, _ := tr.Department(p)
			path = append([]string{pd.Name}, path...)
			p = pd.ParentID
		}
		out = append(out, sid[d.ID]+" "+strings.Join(path, "/"))
	}
	for _, u := range tr.Users() {
		var ds []string
		for _, id := range u.DeptIDs {
			ds = append(ds, sid[id])
		}
		slices.Sort(ds)
		out = append(out, fmt.Sprintf("%s %s %s [%s]", u.UserID, u.Name, u.Mobile, strings.Join(ds, ",")))
	}
	slices.Sort(out)
	return out
}

// orgFileBLines is orgFileB as orgLines writes it.
var orgFileBLines = []string{
	"D1 平台组/研发中心", "D11 平台组", "D12 平台组/研发中心/质量组", "D2 行政部", "D21 销售部/华东销售", "D3 销售部", "D4 市场部",
	"D41 市场部/品牌组", "D42 市场部/品牌组/设计",
	"u1 张三 13800000001 [D41]", "u2 李四 13800000002 [D12]", "u4 赵六六 13800000004 [D2,D3]", "u5 孙七 13800000005 [D4]",
	"u6 周八 13900000006 [D1]", "u7 吴九 13800000007 [D42]", "u8 郑十 13800000003 [D21]",
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runOrgPush(t *testing.T, args []string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

func TestOrgPush_Flags(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "org.csv", "kind,id,name\n")
	c := parseOnly(t, []string{"org", "push", "--file", f, "--dry-run", "--delete-missing", "--allow-recreate", "--journal", "j.jsonl"}).Org.Push
	if c.File != f || !c.DryRun || !c.DeleteMissing || !c.AllowRecreate || c.Journal != "j.jsonl" {
		t.Errorf("parsed %+v", c)
	}
	var out bytes.Buffer
	if status := run(context.Background(), []string{"org", "push"}, &out, &out); status != 2 {
		t.Errorf("without --file: exit %d, want 2 (%s)", status, out.String())
	}
}

func TestOrgPush_DryRunSendsNothing(t *testing.T) {
	s := newOrgPushSim(t)
	dir := t.TempDir()
	a := writeFile(t, dir, "a.json", orgFileA)
	status, out, errs := runOrgPush(t, s.args("--file", a, "--dry-run"))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, errs)
	}
	for _, want := range []string{"departments: 7 to create", "people: 6 to create", "1. create 研发中心 [D1]", "Dry run: nothing was sent to DingTalk."} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	if n := s.writes.Load(); n != 0 {
		t.Errorf("a dry run made %d writes", n)
	}
	if _, err := os.Stat(a + ".journal.jsonl"); err == nil {
		t.Error("a dry run wrote a journal")
	}
	if strings.Contains(out+errs, dingtalksim.DefaultAppSecret) {
		t.Error("the output shows the app secret")
	}
}

func TestOrgPush_InvalidFile(t *testing.T) {
	s := newOrgPushSim(t)
	bad := writeFile(t, t.TempDir(), "bad.csv", "kind,id,name,parent_id,userid,mobile,dept_ids\n"+
		"department,D1,研发-中心,,,,\n"+
		"department,D1,销售部,D9,,,\n"+
		"person,,张三,,u1,1380000,D1\n")
	status, out, errs := runOrgPush(t, s.args("--file", bad))
	if status != 1 {
		t.Fatalf("exit %d, want 1", status)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	want := []string{
		bad + `: line 2: department name "研发-中心" contains "-" or a comma, which DingTalk refuses`,
		bad + `: line 3: department id "D1" is also on line 2`,
		bad + `: line 3: parent_id "D9" of department "D1" is not a department of the file`,
		bad + `: line 4: mobile **** of "u1" is malformed: want 11 digits (13800000000) or +CC-NUMBER for numbers outside mainland China`,
		"kaoqin: " + bad + ": 4 problems; nothing was sent to DingTalk",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("stderr:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if out != "" || s.Counters().Total().Calls != 0 {
		t.Errorf("stdout %q; %d calls to DingTalk", out, s.Counters().Total().Calls)
	}
}

func TestOrgPush_PushesAndSummarises(t *testing.T) {
	s := newOrgPushSim(t)
	dir := t.TempDir()
	a, b := writeFile(t, dir, "a.json", orgFileA), writeFile(t, dir, "b.json", orgFileB)
	if status, _, errs := runOrgPush(t, s.args("--file", a)); status != 0 {
		t.Fatalf("push a: exit %d: %s", status, errs)
	}

	// Without the options: the mobile change and the removals are listed, not made; that
	// is not a failure.
	status, out, errs := runOrgPush(t, s.args("--file", b))
	if status != 0 {
		t.Fatalf("push b: exit %d: %s\n%s", status, errs, out)
	}
	for _, want := range []string{
		"u6 周八: mobile changed from 138****0006 to 139****0006 (needs --allow-recreate, loses DingTalk history)",
		"u3 王五 (in 销售部) is not in the file (use --delete-missing)",
		"not applied: 1 change needs --allow-recreate",
		"kept: 2 in DingTalk and not in the file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "13900000006") {
		t.Errorf("the output shows a whole mobile:\n%s", out)
	}

	status, out, errs = runOrgPush(t, s.args("--file", b, "--delete-missing", "--allow-recreate"))
	if status != 0 {
		t.Fatalf("push b with the options: exit %d: %s\n%s", status, errs, out)
	}
	if got := s.orgLines(); !slices.Equal(got, orgFileBLines) {
		t.Errorf("DingTalk's org:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(orgFileBLines, "\n"))
	}
	for _, want := range []string{"Applying ", "] done     delete u6 周八", "Summary: ", "1 person re-created", "1 person removed"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output does not say %q:\n%s", want, out)
		}
	}
	status, out, _ = runOrgPush(t, s.args("--file", b, "--delete-missing", "--allow-recreate"))
	if status != 0 || !strings.Contains(out, "Nothing to change: DingTalk follows the file.") {
		t.Errorf("a second push: exit %d\n%s", status, out)
	}
}

func TestOrgPush_FailedStepExits1(t *testing.T) {
	s := newOrgPushSim(t)
	a := writeFile(t, t.TempDir(), "a.json", orgFileA)
	// Someone takes u6's number in DingTalk while the push runs: DingTalk refuses u6.
	s.before = func(n int64) {
		if n == 1 {
			if _, err := s.AddUser(dingtalksim.NewUser{UserID: "x1", Name: "路人", Mobile: "13800000006", DeptIDs: []int64{1}}); err != nil {
				t.Error(err)
			}
		}
	}
	status, out, errs := runOrgPush(t, s.args("--file", a))
	if status != 1 {
		t.Fatalf("exit %d, want 1\n%s", status, out)
	}
	if !strings.Contains(out, "create u6 周八 (138****0006) in (root): errcode 60104") {
		t.Errorf("the summary does not give the errcode:\n%s", out)
	}
	if !strings.HasPrefix(strings.TrimSpace(errs), "kaoqin: org push: 1 step failed or skipped") {
		t.Errorf("stderr %q", errs)
	}
}

// TestOrgPushHelperProcess is the kaoqin command run as a child process by
// TestOrgPush_KilledAndResumed; on its own it does nothing.
func TestOrgPushHelperProcess(t *testing.T) {
	args := os.Getenv("KAOQIN_TEST_ORG_PUSH_ARGS")
	if args == "" {
		t.Skip("the kaoqin command of TestOrgPush_KilledAndResumed")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// TestOrgPush_KilledAndResumed runs kaoqin org push as a process, kills it with SIGKILL right
// after DingTalk has done its k-th write (the answer lost), at several points, and runs it
// again until it ends: DingTalk's org must then be the file's, with nothing twice, and the
// push that finishes must tell what the killed ones did.
func TestOrgPush_KilledAndResumed(t *testing.T) {
	for _, kills := range [][]int64{{1}, {4}, {9}, {13}, {17}, {2, 6}} {
		t.Run(fmt.Sprint(kills), func(t *testing.T) {
			s := newOrgPushSim(t)
			dir := t.TempDir()
			a, b := writeFile(t, dir, "a.json", orgFileA), writeFile(t, dir, "b.json", orgFileB)
			if status, _, errs := runOrgPush(t, s.args("--file", a)); status != 0 {
				t.Fatalf("push a: exit %d: %s", status, errs)
			}
			args := s.args("--file", b, "--delete-missing", "--allow-recreate")
			for _, k := range kills {
				s.writes.Store(0)
				s.killAt.Store(k)
				cmd := exec.Command(os.Args[0], "-test.run=^TestOrgPushHelperProcess$")
				cmd.Env = append(os.Environ(), "KAOQIN_TEST_ORG_PUSH_ARGS="+strings.Join(args, "\n"))
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				s.process.Store(cmd.Process)
				err := cmd.Wait()
				s.process.Store(nil)
				ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("the push was not killed at write %d (%v):\n%s", k, err, out.String())
				}
			}
			s.killAt.Store(0)
			journal, err := os.ReadFile(b + ".journal.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if lines := strings.Split(strings.TrimSpace(string(journal)), "\n"); !strings.Contains(lines[len(lines)-1], `"status":"started"`) {
				t.Errorf("the journal does not end with the step under way: %s", lines[len(lines)-1])
			}

			status, out, errs := runOrgPush(t, args)
			if status != 0 {
				t.Fatalf("resume: exit %d: %s\n%s", status, errs, out)
			}
			if os.Getenv("PEEK") != "" {
				t.Log(out)
			}
			if got := s.orgLines(); !slices.Equal(got, orgFileBLines) {
				t.Errorf("DingTalk's org after the resume:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(orgFileBLines, "\n"))
			}
			if n := strings.Count(out, "An earlier push"); n != len(kills) {
				t.Errorf("the resumed push tells of %d earlier pushes, want %d:\n%s", n, len(kills), out)
			}
			if !strings.Contains(out, "was under way when it stopped") || !strings.Contains(out, "earlier, interrupted push") {
				t.Errorf("the resumed push does not tell what the killed one did:\n%s", out)
			}
			status, out, _ = runOrgPush(t, args)
			if status != 0 || !strings.Contains(out, "Nothing to change") || strings.Contains(out, "An earlier push") {
				t.Errorf("a push after the resume: exit %d\n%s", status, out)
			}
		})
	}
}

// orgFileManagers is a company pushed into an empty org whose people all have managers in the
// file: each create comes first, then, once everyone exists, the managers, top of the chart
// first (u2 under u3, then u1 under u2).
const orgFileManagers = `{
  "departments": [{"id": "D1", "name": "研发中心", "hide_dept": true}],
  "people": [
    {"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": ["D1"], "manager": "u2", "telephone": "8801", "extattr": {"工位": "A-301"}},
    {"userid": "u2", "name": "李四", "mobile": "13800000002", "dept_ids": ["D1"], "manager": "u3", "hired_date": "2020-05-06"},
    {"userid": "u3", "name": "王总", "mobile": "13800000003", "dept_ids": [], "senior_mode": true}
  ]
}`

// TestOrgPush_KilledBetweenCreateAndManager kills kaoqin org push with SIGKILL after DingTalk
// has created people (the answer lost) and before their managers are set, or between two
// managers, and runs it again: the managers must end as the file says, nothing twice.
func TestOrgPush_KilledBetweenCreateAndManager(t *testing.T) {
	// Writes: 1 the department, 2-4 the people, 5 u2's manager, 6 u1's.
	for _, kills := range [][]int64{{4}, {5}, {3, 2}} {
		t.Run(fmt.Sprint(kills), func(t *testing.T) {
			s := newOrgPushSim(t)
			m := writeFile(t, t.TempDir(), "m.json", orgFileManagers)
			args := s.args("--file", m)
			for _, k := range kills {
				s.writes.Store(0)
				s.killAt.Store(k)
				cmd := exec.Command(os.Args[0], "-test.run=^TestOrgPushHelperProcess$")
				cmd.Env = append(os.Environ(), "KAOQIN_TEST_ORG_PUSH_ARGS="+strings.Join(args, "\n"))
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				s.process.Store(cmd.Process)
				err := cmd.Wait()
				s.process.Store(nil)
				ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
				if err == nil || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
					t.Fatalf("the push was not killed at write %d (%v):\n%s", k, err, out.String())
				}
			}
			s.killAt.Store(0)
			status, out, errs := runOrgPush(t, args)
			if status != 0 {
				t.Fatalf("resume: exit %d: %s\n%s", status, errs, out)
			}
			if os.Getenv("PEEK") != "" {
				t.Log(out)
			}
			if !strings.Contains(out, "was under way when it stopped") || !strings.Contains(out, "set the manager of") {
				t.Errorf("the resumed push does not set the managers or tell what the killed one did:\n%s", out)
			}
			managers := map[string]string{}
			for _, u := range s.Truth().Users() {
				managers[u.UserID] = u.Manager
			}
			if want := map[string]string{"u1": "u2", "u2": "u3", "u3": ""}; !maps.Equal(managers, want) {
				t.Errorf("managers %v, want %v", managers, want)
			}
			if u, _ := s.Truth().User("u1"); u.Telephone != "8801" || u.Extension != `{"工位":"A-301"}` {
				t.Errorf("u1 %+v", u)
			}
			if u, _ := s.Truth().User("u3"); !u.Senior {
				t.Errorf("u3 %+v", u)
			}
			status, out, _ = runOrgPush(t, args)
			if status != 0 || !strings.Contains(out, "Nothing to change") {
				t.Errorf("a push after the resume: exit %d\n%s", status, out)
			}
		})
	}
}

// TestOrgPush_ChineseExcelFiles: the CSV Excel saves on Chinese Windows (GB18030) and an
// .xlsx export are read, and the plan says how.
func TestOrgPush_ChineseExcelFiles(t *testing.T) {
	s := newOrgPushSim(t)
	dir := t.TempDir()
	csv := "kind,id,name,parent_id,userid,mobile,dept_ids,work_place\n部门,D1,研发中心,,,,,\n人员,,张三,,u1,13800000001,D1,未来park\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(csv)
	if err != nil {
		t.Fatal(err)
	}
	status, out, errs := runOrgPush(t, s.args("--file", writeFile(t, dir, "org.csv", gb)))
	if status != 0 || !strings.Contains(out, "read as GB18030") {
		t.Fatalf("GB18030: exit %d: %s\n%s", status, errs, out)
	}
	if u, _ := s.Truth().User("u1"); u.Name != "张三" || u.WorkPlace != "未来park" {
		t.Errorf("u1 %+v", u)
	}

	x := excelize.NewFile()
	defer x.Close()
	for i, line := range strings.Split(strings.TrimSpace(strings.Replace(csv, "未来park", "未来park B座", 1)), "\n") {
		row := []any{}
		for _, cell := range strings.Split(line, ",") {
			row = append(row, cell)
		}
		x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &row)
	}
	path := filepath.Join(dir, "org.xlsx")
	if err := x.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	status, out, errs = runOrgPush(t, s.args("--file", path))
	if status != 0 || !strings.Contains(out, `Read the first sheet of the workbook, "Sheet1".`) ||
		!strings.Contains(out, `update u1 张三: work place "未来park" → "未来park B座"`) {
		t.Fatalf("xlsx: exit %d: %s\n%s", status, errs, out)
	}
}

func TestOrgPush_Clear(t *testing.T) {
	s := newOrgPushSim(t)
	dir := t.TempDir()
	full := writeFile(t, dir, "a.json", `{"people": [{"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": [], "remark": "备注", "title": "工程师"}]}`)
	if status, _, errs := runOrgPush(t, s.args("--file", full)); status != 0 {
		t.Fatal(errs)
	}
	bare := writeFile(t, dir, "b.json", `{"people": [{"userid": "u1", "name": "张三", "mobile": "13800000001", "dept_ids": []}]}`)
	status, out, errs := runOrgPush(t, s.args("--file", bare, "--clear", "remark,title"))
	if status != 0 || !strings.Contains(out, `update u1 张三: title "工程师" → (cleared); remark (2 characters) → (cleared)`) {
		t.Fatalf("exit %d: %s\n%s", status, errs, out)
	}
	if u, _ := s.Truth().User("u1"); u.Remark != "" || u.Title != "" {
		t.Errorf("u1 %+v", u)
	}
	status, _, errs = runOrgPush(t, s.args("--file", bare, "--clear", "mobile"))
	if status != 2 || !strings.Contains(errs, "--clear mobile: the fields an empty cell can clear are email, job_number") {
		t.Errorf("--clear mobile: exit %d: %s", status, errs)
	}
}
