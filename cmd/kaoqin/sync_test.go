package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/store"
)

// syncSim is a simulated DingTalk for the sync command's tests: a company of 100 people whose
// clock stands still at the real now (the command reads the real clock), no QPS limit, and a
// counter of attendance calls that can kill a process at the k-th one.
type syncSim struct {
	sim     *dingtalksim.Server
	srv     *httptest.Server
	calls   atomic.Int64 // attendance (metered) calls
	all     atomic.Int64
	killAt  atomic.Int64
	process atomic.Pointer[os.Process]
	cancel  atomic.Pointer[context.CancelFunc]
}

func newSyncSim(t *testing.T, cfg dingtalksim.Config) *syncSim {
	t.Helper()
	if cfg.Employees == 0 {
		cfg.Employees = 100
	}
	cfg.Seed = 11
	cfg.QPS, cfg.IPLimit = -1, -1
	if cfg.MonthlyQuota == 0 {
		cfg.MonthlyQuota = -1
	}
	s := &syncSim{sim: dingtalksim.New(cfg)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *syncSim) serve(w http.ResponseWriter, r *http.Request) {
	s.all.Add(1)
	if dingtalk.IsMetered(r.URL.Path) {
		n := s.calls.Add(1)
		if n == s.killAt.Load() {
			if p := s.process.Load(); p != nil {
				p.Kill() // SIGKILL: no deferred function, no last write
				// Hold the answer until the dead process's connection closes (the server
				// notices once the request body is read).
				io.Copy(io.Discard, r.Body)
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				return
			}
			if c := s.cancel.Load(); c != nil {
				(*c)() // Ctrl-C
			}
		}
	}
	s.sim.ServeHTTP(w, r)
}

// lastWeek is the range the tests sync: the ten days before today, in Shanghai.
func lastWeek() (string, string) {
	today := kaoqin.DateOf(time.Now(), shanghaiZone())
	return kaoqin.AddDays(today, -10), kaoqin.AddDays(today, -1)
}

func shanghaiZone() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}

// args returns the command line of kaoqin sync against the simulator and the database db.
func (s *syncSim) args(db string, extra ...string) []string {
	return append([]string{"--app-key", dingtalksim.DefaultAppKey, "--app-secret", dingtalksim.DefaultAppSecret,
		"--base-url", s.srv.URL, "--db", db, "--qps", "1000", "--log-level", "warn", "sync"}, extra...)
}

// runSync runs the command line in this process and returns its exit status, stdout and stderr.
func runSync(ctx context.Context, args []string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	status := run(ctx, args, &stdout, &stderr)
	return status, stdout.String(), stderr.String()
}

// TestSyncHelperProcess is the kaoqin command run as a child process by
// TestSync_KilledAndRerun; on its own it does nothing.
func TestSyncHelperProcess(t *testing.T) {
	args := os.Getenv("KAOQIN_TEST_SYNC_ARGS")
	if args == "" {
		t.Skip("the kaoqin command of TestSync_KilledAndRerun")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\n"), os.Stdout, os.Stderr))
}

// syncProcess runs kaoqin sync as a child process; killAt > 0 kills it with SIGKILL at that
// attendance call.
func (s *syncSim) syncProcess(t *testing.T, args []string, killAt int64) (killed bool, out string) {
	t.Helper()
	s.calls.Store(0)
	s.killAt.Store(killAt)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSyncHelperProcess$")
	cmd.Env = append(os.Environ(), "KAOQIN_TEST_SYNC_ARGS="+strings.Join(args, "\n"))
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.process.Store(cmd.Process)
	err := cmd.Wait()
	s.process.Store(nil)
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		return true, buf.String()
	}
	if err != nil {
		t.Fatalf("kaoqin sync: %v\n%s", err, buf.String())
	}
	return false, buf.String()
}

// dump returns everything a sync writes, as text, but the times of runs and pulls: what two
// syncs of the same company must agree on.
func dump(t *testing.T, path, from, to string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.MustExist())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	depts, err := db.Departments(ctx)
	must(t, err)
	for _, d := range depts {
		fmt.Fprintf(&b, "dept %d %d %s %d %q removed=%v\n", d.ID, d.ParentID, d.Name, d.Order, d.SourceIdentifier, d.RemovedAt != 0)
	}
	emps, err := db.Employees(ctx)
	must(t, err)
	for _, e := range emps {
		fmt.Fprintf(&b, "employee %s %s %s %s %d %v left=%v\n", e.UserID, e.Name, e.JobNumber, e.Title, e.HiredAt, e.DeptIDs, e.LeftAt != 0)
	}
	ms, err := db.Memberships(ctx, "2017-01-01", "2099-12-31")
	must(t, err)
	for _, m := range ms {
		fmt.Fprintf(&b, "membership %+v\n", m)
	}
	checks, err := db.Checks(ctx, kaoqin.Filter{From: from, To: to})
	must(t, err)
	for _, c := range checks {
		c.SyncedAt = 0 // when it was pulled differs from run to run
		fmt.Fprintf(&b, "check %+v\n", c)
	}
	start, _ := kaoqin.DayBounds(from, shanghaiZone())
	_, end := kaoqin.DayBounds(to, shanghaiZone())
	leaves, err := db.Leaves(ctx, start.UnixMilli(), end.UnixMilli())
	must(t, err)
	for _, l := range leaves {
		fmt.Fprintf(&b, "leave %+v\n", l)
	}
	punches, err := db.Punches(ctx, kaoqin.Filter{From: from, To: to})
	must(t, err)
	for _, p := range punches {
		fmt.Fprintf(&b, "punch %+v\n", p)
	}
	plans, err := db.Schedules(ctx, kaoqin.Filter{From: from, To: to})
	must(t, err)
	for _, p := range plans {
		fmt.Fprintf(&b, "plan %+v\n", p)
	}
	for _, kind := range []string{kaoqin.CoverPunches, kaoqin.CoverPlans} {
		cov, err := db.KindCoverage(ctx, kind, from, to)
		must(t, err)
		for _, c := range cov {
			fmt.Fprintf(&b, "covered %s %s closed=%v\n", kind, c.Day, c.Closed)
		}
	}
	cov, err := db.Coverage(ctx, from, to)
	must(t, err)
	for _, c := range cov {
		fmt.Fprintf(&b, "covered %s closed=%v\n", c.Day, c.Closed)
	}
	fmt.Fprintf(&b, "%d checks, %d leaves, %d days covered\n", len(checks), len(leaves), len(cov))
	return b.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSync_KilledAndRerun runs kaoqin sync as a process, kills it with SIGKILL at the k-th
// attendance call for ten values of k spread over the whole sync, runs it again to the end,
// and compares the database with that of a clean run: the same rows, none twice, none lost.
func TestSync_KilledAndRerun(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	clean := newSyncSim(t, dingtalksim.Config{})
	cleanDB := filepath.Join(t.TempDir(), "clean.db")
	if killed, out := clean.syncProcess(t, clean.args(cleanDB, "--from", from, "--to", to), 0); killed {
		t.Fatalf("the clean run was killed:\n%s", out)
	}
	want := dump(t, cleanDB, from, to)
	n := clean.calls.Load()
	if n < 20 || !strings.Contains(want, "check ") || !strings.Contains(want, "punch ") || !strings.Contains(want, "plan ") {
		t.Fatalf("the clean sync made %d attendance calls: too few to kill it at 10 points", n)
	}

	for i := range int64(10) {
		k := 1 + i*(n-2)/9 // from the first call to the one before last
		t.Run(fmt.Sprintf("k=%d", k), func(t *testing.T) {
			t.Parallel()
			s := newSyncSim(t, dingtalksim.Config{})
			db := filepath.Join(t.TempDir(), "kaoqin.db")
			args := s.args(db, "--from", from, "--to", to, "--json")
			if killed, out := s.syncProcess(t, args, k); !killed {
				t.Fatalf("the sync was not killed at attendance call %d:\n%s", k, out)
			}
			killedCalls := s.calls.Load()
			killed, out := s.syncProcess(t, args, 0)
			if killed {
				t.Fatal("the rerun was killed")
			}
			if got := dump(t, db, from, to); got != want {
				t.Errorf("after a kill at call %d and a rerun, the database differs from a clean run's:\n%s", k, firstDiff(got, want))
			}
			var sum summaryJSON
			if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &sum); err != nil {
				t.Fatalf("summary: %v\n%s", err, out)
			}
			// Finished chunks are not fetched again: the two runs together spend little more
			// than one clean run (at most the chunks that were in flight at the kill).
			if rerun := s.calls.Load(); rerun+killedCalls > n+2*28 || (k > n/2 && sum.ChunksSkipped+int64(sum.DaysFinal) == 0) {
				t.Errorf("killed run %d + rerun %d attendance calls (clean run %d); %d chunks and %d days done before",
					killedCalls, rerun, n, sum.ChunksSkipped, sum.DaysFinal)
			}
			runs := runStatuses(t, db)
			if len(runs) != 2 || runs[0] != kaoqin.RunOK || runs[1] != kaoqin.RunInterrupted {
				t.Errorf("runs, newest first: %v; want [ok interrupted]", runs)
			}
		})
	}
}

func runStatuses(t *testing.T, path string) []string {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.MustExist())
	must(t, err)
	defer db.Close()
	runs, err := db.Runs(context.Background(), 0)
	must(t, err)
	var out []string
	for _, r := range runs {
		out = append(out, r.Status)
	}
	return out
}

func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

func TestSync_Summary(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{Employees: 40})
	db := filepath.Join(t.TempDir(), "kaoqin.db")
	status, out, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--json"))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, errs)
	}
	var sum summaryJSON
	must(t, json.Unmarshal([]byte(out), &sum))
	c := s.sim.Counters()
	if sum.Status != kaoqin.RunOK || sum.From != from || sum.To != to || sum.Employees != 40 || sum.DaysCovered != 10 ||
		sum.Metered != c.Total().Metered || sum.CallsBy["/attendance/list"] != c["/attendance/list"].Calls ||
		sum.CheckRows == 0 || sum.Rows < sum.CheckRows+sum.LeaveRows || sum.Quota != 5000 || sum.MonthMetered < sum.Metered {
		t.Errorf("summary %+v\nsimulator %+v", sum, c)
	}

	// The same again, for people: nothing left to fetch.
	status, out, errs = runSync(context.Background(), s.args(db, "--from", from, "--to", to))
	if status != 0 {
		t.Fatalf("exit %d: %s", status, errs)
	}
	for _, want := range []string{"kaoqin sync " + from + ".." + to + ": ok", "10 days final already (not fetched again); 0 of 0 chunks fetched",
		"rows written: 0", "calls: ", "/topapi/v2/user/list", "metered calls spent"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary does not say %q:\n%s", want, out)
		}
	}
}

func TestSync_DryRun(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{})
	dir := t.TempDir()
	db := filepath.Join(dir, "kaoqin.db")

	// No database yet: the plan says what it needs, and creates nothing.
	status, out, errs := runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--dry-run"))
	if status != 0 || !strings.Contains(out, "kaoqin sync --org-only") {
		t.Errorf("dry run without a database: exit %d\n%s%s", status, out, errs)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a dry run created the database")
	}

	if status, _, errs := runSync(context.Background(), s.args(db, "--org-only")); status != 0 {
		t.Fatalf("org-only: exit %d: %s", status, errs)
	}
	before := s.all.Load()
	status, out, errs = runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--dry-run"))
	if status != 0 {
		t.Fatalf("dry run: exit %d: %s", status, errs)
	}
	if n := s.all.Load() - before; n != 0 {
		t.Errorf("the dry run made %d calls to DingTalk", n)
	}
	for _, want := range []string{"plan of kaoqin sync " + from + ".." + to, "employees: 100",
		"/attendance/list", "/topapi/attendance/getleavestatus", "/attendance/listRecord", "/topapi/attendance/schedule/listbyusers",
		"plans: with listbyusers on behalf of administrator", "metered calls: ", "expected", "of 5000 metered calls spent"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	// 100 people, 10 days: 2 × 2 chunks of checks, 1 of leave, 2 × 2 of punches and of plans.
	status, out, _ = runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--dry-run", "--json"))
	var p struct {
		MinMetered int64 `json:"min_metered"`
		Employees  int   `json:"employees"`
	}
	if status != 0 || json.Unmarshal([]byte(out), &p) != nil || p.MinMetered != 13 || p.Employees != 100 {
		t.Errorf("plan as JSON: exit %d, %+v\n%s", status, p, out)
	}
	// Without punches and plans: the checks and leave only.
	status, out, _ = runSync(context.Background(), s.args(db, "--from", from, "--to", to, "--dry-run", "--json", "--no-punches", "--no-plans"))
	if status != 0 || json.Unmarshal([]byte(out), &p) != nil || p.MinMetered != 5 {
		t.Errorf("plan without punches and plans: exit %d, %+v\n%s", status, p, out)
	}
}

func TestSync_Errors(t *testing.T) {
	t.Parallel()
	s := newSyncSim(t, dingtalksim.Config{Employees: 20})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	closed := "http://" + ln.Addr().String()
	ln.Close()
	today := kaoqin.DateOf(time.Now(), shanghaiZone())
	const badSecret = "wrong-secret-7c1e"

	for _, test := range []struct {
		name string
		args func(db string) []string
		want string
	}{
		{"bad credentials", func(db string) []string {
			a := s.args(db)
			a[3] = badSecret
			return a
		}, "kaoqin: DingTalk refused the AppKey/AppSecret (errcode 40096): check KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET"},
		{"unreachable", func(db string) []string {
			a := s.args(db)
			a[5] = closed
			return a
		}, "kaoqin: cannot reach DingTalk at " + closed + ": dial tcp "},
		{"backwards", func(db string) []string { return s.args(db, "--from", "2026-11-10", "--to", "2026-11-01") },
			"kaoqin: date range runs backwards: from 2026-11-10 is after to 2026-11-01"},
		{"before 2017", func(db string) []string { return s.args(db, "--from", "2016-12-30", "--to", "2017-01-02") },
			"kaoqin: the range starts 2016-12-30, before 2017-01-01: DingTalk has no attendance that old"},
		{"after today", func(db string) []string { return s.args(db, "--to", kaoqin.AddDays(today, 1)) },
			"kaoqin: the range ends " + kaoqin.AddDays(today, 1) + ", after today"},
		{"unknown database scheme", func(db string) []string {
			a := s.args(db)
			a[7] = "mysql://kaoqin@localhost/kaoqin"
			return a
		}, `kaoqin: unknown database scheme "mysql" in KAOQIN_DB`},
	} {
		t.Run(test.name, func(t *testing.T) {
			dir := t.TempDir()
			metered := s.sim.Counters().Total().Metered
			status, out, errs := runSync(context.Background(), test.args(filepath.Join(dir, "kaoqin.db")))
			if status != 1 {
				t.Errorf("exit %d, want 1", status)
			}
			if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], test.want) {
				t.Errorf("stderr:\n%s\nwant one line starting %q", errs, test.want)
			}
			if strings.Contains(out+errs, badSecret) || strings.Contains(out+errs, dingtalksim.DefaultAppSecret) {
				t.Errorf("the secret is in the output")
			}
			if files, _ := os.ReadDir(dir); len(files) != 0 {
				t.Errorf("left %d files behind: %v", len(files), files)
			}
			if n := s.sim.Counters().Total().Metered; n != metered {
				t.Errorf("%d metered calls made", n-metered)
			}
		})
	}
}

func TestSync_QuotaRefusedAndInterrupted(t *testing.T) {
	t.Parallel()
	from, to := lastWeek()
	s := newSyncSim(t, dingtalksim.Config{})
	db := filepath.Join(t.TempDir(), "kaoqin.db")

	args := s.args(db, "--from", from, "--to", to)
	quota := append([]string{"--monthly-quota", "4"}, args...)
	status, _, errs := runSync(context.Background(), quota)
	if status != 1 || !strings.Contains(lastLine(errs), "this sync needs about") || !strings.Contains(lastLine(errs), "only 4 of this month's 4 are left") {
		t.Errorf("over the quota: exit %d, stderr %q", status, errs)
	}
	if n := s.sim.Counters().Total().Metered; n != 0 {
		t.Errorf("%d metered calls before refusing", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.cancel.Store(&cancel)
	s.killAt.Store(8)
	status, _, errs = runSync(ctx, args)
	if status != 1 || lastLine(errs) != "kaoqin: interrupted; run the same command again to continue where it stopped" {
		t.Errorf("interrupted: exit %d, stderr %q", status, errs)
	}
	if runs := runStatuses(t, db); len(runs) == 0 || runs[0] != kaoqin.RunInterrupted {
		t.Errorf("runs %v, want the latest interrupted", runs)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
