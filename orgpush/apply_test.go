package orgpush

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// isWrite reports whether a request changes DingTalk's contacts.
func isWrite(path string) bool {
	return (strings.HasPrefix(path, "/topapi/v2/department/") || strings.HasPrefix(path, "/topapi/v2/user/")) &&
		(strings.HasSuffix(path, "/create") || strings.HasSuffix(path, "/update") || strings.HasSuffix(path, "/delete"))
}

// interceptor stands between the client and the simulator and acts on write calls.
type interceptor struct {
	next   http.Handler
	writes atomic.Int64
	// after runs once the simulator has served the n-th write, whose path and body are in
	// call, before the answer goes back; it returns false to lose the answer (the client
	// gets an HTTP 502 instead).
	mu    sync.Mutex
	after func(n int64, call string) bool
}

func (i *interceptor) setAfter(f func(n int64, call string) bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.after = f
}

func (i *interceptor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	after := i.after
	i.mu.Unlock()
	if !isWrite(r.URL.Path) || after == nil {
		i.next.ServeHTTP(w, r)
		return
	}
	n := i.writes.Add(1)
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	i.next.ServeHTTP(rec, r)
	if !after(n, r.URL.Path+" "+string(body)) {
		http.Error(w, "<html>502 Bad Gateway</html>", http.StatusBadGateway)
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// newInterceptedSim is newEmptySim with an interceptor in front.
func newInterceptedSim(t *testing.T) (*testSim, *interceptor) {
	t.Helper()
	s := newEmptySim(t)
	ic := &interceptor{next: s.Server}
	srv := httptest.NewServer(ic)
	t.Cleanup(srv.Close)
	s.client = newClient(t, srv.URL)
	return s, ic
}

// TestApply_LostAnswers loses DingTalk's answer to every write the first time, after DingTalk
// has done it. The client retries; a create that finds its department or person already there
// takes it, a delete that finds nothing is done: no duplicate, no failure.
func TestApply_LostAnswers(t *testing.T) {
	s, ic := newInterceptedSim(t)
	var mu sync.Mutex
	seen := map[string]bool{}
	ic.setAfter(func(_ int64, call string) bool {
		mu.Lock()
		defer mu.Unlock()
		if seen[call] {
			return true
		}
		seen[call] = true
		return false
	})
	a := mustParse(t, "a.json", orgA)
	_, res := s.push(t, a, Options{})
	assertOrg(t, s, a)
	adopted := 0
	for _, o := range res.Outcomes {
		if o.Adopted {
			adopted++
		}
	}
	if adopted == 0 {
		t.Error("no create found its department or person already there")
	}
	b := mustParse(t, "b.json", orgB)
	s.push(t, b, Options{DeleteMissing: true, AllowRecreate: true})
	assertOrg(t, s, b)
	if again := s.plan(t, b, Options{DeleteMissing: true, AllowRecreate: true}); len(again.Steps) != 0 {
		t.Errorf("a second push plans something:\n%s", planText(again))
	}
}

// TestApply_InterruptedAndResumed stops pushes after the k-th write, at several points, the
// answer to that write lost with the context, and pushes again until done: the org ends equal
// to the file, and the journal tells the later push what the earlier ones did.
func TestApply_InterruptedAndResumed(t *testing.T) {
	for _, stops := range [][]int64{{1}, {3}, {9}, {14, 3}, {20}} {
		t.Run("", func(t *testing.T) {
			s, ic := newInterceptedSim(t)
			s.push(t, mustParse(t, "a.json", orgA), Options{})
			b := mustParse(t, "b.json", orgB)
			opts := Options{DeleteMissing: true, AllowRecreate: true}
			journal := filepath.Join(t.TempDir(), "b.json.journal.jsonl")
			for _, k := range stops {
				ctx, cancel := context.WithCancel(context.Background())
				ic.writes.Store(0)
				ic.setAfter(func(n int64, _ string) bool {
					if n == k {
						cancel()
						return false
					}
					return true
				})
				res, err := runWithJournal(t, ctx, s, b, opts, journal)
				if err == nil || !res.Interrupted {
					t.Fatalf("stop after write %d: err %v, interrupted %v", k, err, res.Interrupted)
				}
				cancel()
			}
			ic.setAfter(nil)
			attempts, err := ReadJournal(journal)
			if err != nil {
				t.Fatal(err)
			}
			earlier := Unfinished(attempts)
			if len(earlier) != len(stops) {
				t.Fatalf("%d unfinished pushes in the journal, want %d", len(earlier), len(stops))
			}
			var said bytes.Buffer
			if err := WriteAttempts(&said, earlier); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(said.String(), "was interrupted with") || !strings.Contains(said.String(), "was under way when it stopped") {
				t.Errorf("what the earlier pushes did:\n%s", said.String())
			}
			res, err := runWithJournal(t, context.Background(), s, b, opts, journal)
			if err != nil || len(res.Failed()) != 0 {
				t.Fatalf("the last push: %v, %d failed", err, len(res.Failed()))
			}
			assertOrg(t, s, b)
			attempts, _ = ReadJournal(journal)
			if last := attempts[len(attempts)-1]; last.Status != statusDone || len(Unfinished(attempts)) != 0 {
				t.Errorf("the last push is %q in the journal", last.Status)
			}
		})
	}
}

func runWithJournal(t *testing.T, ctx context.Context, s *testSim, f *File, opts Options, path string) (*Result, error) {
	t.Helper()
	p := s.plan(t, f, opts)
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	return (&Runner{Client: s.client, Journal: j}).Apply(ctx, p)
}

// TestApply_FailureSkipsWhatDependsOnIt makes a create fail (someone made the department by
// hand after the plan was made): the steps that need it are skipped, the others run, and the
// summary gives DingTalk's errcode and message.
func TestApply_FailureSkipsWhatDependsOnIt(t *testing.T) {
	s := newEmptySim(t)
	f := mustParse(t, "a.json", orgA)
	p := s.plan(t, f, Options{})
	if _, err := s.AddDepartment(1, "销售部"); err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	res, err := (&Runner{Client: s.client, Progress: &progress}).Apply(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var failed, skipped []string
	for _, o := range res.Outcomes {
		switch o.Status {
		case statusFailed:
			failed = append(failed, o.Step.Text)
			if o.Errcode != 60021 || o.Message == "" {
				t.Errorf("failure %+v", o)
			}
		case statusSkipped:
			skipped = append(skipped, o.Step.Text)
		}
	}
	if len(failed) != 1 || failed[0] != "create 销售部 [D2]" {
		t.Errorf("failed %q", failed)
	}
	// 华东, 华南 and the people in 销售部 and below (u2 also in 测试组, u3, u5) wait for it.
	if len(skipped) != 5 {
		t.Errorf("skipped %q", skipped)
	}
	if res.Counts["department created"] != 4 || res.Counts["person created"] != 3 {
		t.Errorf("counts %v", res.Counts)
	}
	var sum bytes.Buffer
	if err := WriteSummary(&sum, p, res, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Summary: 7 of 13 steps done, 1 failed, 5 skipped.", "create 销售部 [D2]: errcode 60021: ", "step 2, which it needs, failed"} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("the summary does not say %q:\n%s", want, sum.String())
		}
	}
	if !strings.Contains(progress.String(), "FAILED   create 销售部 [D2]: errcode 60021") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

func TestJournal_Lines(t *testing.T) {
	s := newEmptySim(t)
	f := mustParse(t, "a.json", orgA)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	if _, err := runWithJournal(t, context.Background(), s, f, Options{}, path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	// start, then started and ok for each of 13 steps, then end.
	if len(lines) != 2+2*13 || !strings.Contains(lines[0], `"event":"start"`) || !strings.Contains(lines[len(lines)-1], `"status":"done"`) {
		t.Errorf("journal:\n%s", data)
	}
	if !strings.Contains(string(data), `"op":"create_department","text":"create 研发中心 [D1]","status":"ok","dingtalk_id":`) {
		t.Errorf("a department create without its id:\n%s", data)
	}
	if strings.Contains(string(data), "13800000001") {
		t.Error("the journal holds a whole mobile number")
	}
	// A line cut short by a kill is skipped.
	os.WriteFile(path, append(data, []byte(`{"time":"2026-11-18T10:00:00Z","run":"x","event":"st`)...), 0o600)
	attempts, err := ReadJournal(path)
	if err != nil || len(attempts) != 1 || attempts[0].Counts["department created"] != 7 || attempts[0].Status != statusDone {
		t.Errorf("ReadJournal: %v, %+v", err, attempts)
	}
}

// TestApply_RecreateInterruptedBetweenDeleteAndCreate stops a push right after DingTalk deleted
// a person to create them again with a new mobile: the next push, even without
// --allow-recreate, creates them, since DingTalk no longer has them.
func TestApply_RecreateInterruptedBetweenDeleteAndCreate(t *testing.T) {
	s, ic := newInterceptedSim(t)
	s.push(t, mustParse(t, "a.json", orgA), Options{})
	f := edit(t, `"13800000006"`, `"13900000006"`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ic.setAfter(func(_ int64, call string) bool {
		if strings.HasPrefix(call, "/topapi/v2/user/delete ") && strings.Contains(call, `"u6"`) {
			cancel()
			return false
		}
		return true
	})
	p := s.plan(t, f, Options{AllowRecreate: true})
	if len(p.Steps) != 2 || !p.Steps[0].Recreate || !p.Steps[1].Recreate {
		t.Fatalf("plan:\n%s", planText(p))
	}
	res, err := (&Runner{Client: s.client}).Apply(ctx, p)
	if err == nil || !res.Interrupted {
		t.Fatalf("Apply: %v, interrupted %v", err, res.Interrupted)
	}
	if _, ok := s.Truth().User("u6"); !ok {
		t.Fatal("no trace of u6")
	}
	if u, _ := s.Truth().User("u6"); !u.Removed {
		t.Fatalf("u6 was not deleted: %+v", u)
	}
	ic.setAfter(nil)
	p, _ = s.push(t, f, Options{})
	if len(p.Steps) != 1 || p.Steps[0].Op != OpCreateUser || len(p.NotApplied) != 0 {
		t.Errorf("the resumed plan:\n%s", planText(p))
	}
	assertOrg(t, s, f)
}
