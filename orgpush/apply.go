package orgpush

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"

	"github.com/kaoqin/kaoqin/dingtalk"
)

// The kinds of change a summary counts, in the order it lists them.
var kindOrder = []string{
	"department created", "department moved", "department renamed", "department updated", "department removed",
	"person created", "person re-created", "person moved", "person updated", "person removed", "manager set",
}

// Kinds returns what a step counts as in a summary: a department move that also renames
// counts as both. A temporary rename and the delete half of a re-creation count as nothing
// (the create half counts as "person re-created").
func (s *Step) Kinds() []string {
	switch s.Op {
	case OpCreateDept:
		return []string{"department created"}
	case OpDeleteDept:
		return []string{"department removed"}
	case OpUpdateDept:
		if s.Temporary {
			return nil
		}
		var k []string
		if s.Moved {
			k = append(k, "department moved")
		}
		if s.Renamed {
			k = append(k, "department renamed")
		}
		if len(k) == 0 {
			k = append(k, "department updated")
		}
		return k
	case OpCreateUser:
		if s.Recreate {
			return []string{"person re-created"}
		}
		return []string{"person created"}
	case OpDeleteUser:
		if s.Recreate {
			return nil
		}
		return []string{"person removed"}
	case OpUpdateUser:
		if s.Manager {
			return []string{"manager set"}
		}
		if s.Moved {
			return []string{"person moved"}
		}
		return []string{"person updated"}
	}
	return nil
}

// Runner applies plans.
type Runner struct {
	Client   *dingtalk.Client
	Journal  *Journal  // nil: no journal
	Progress io.Writer // a line per step; nil: none
	// Workers is how many people steps of one wave run side by side (default 4): each API
	// path has its own limit of calls a second, and one call at a time would not reach it.
	// Department steps always run one at a time, in order.
	Workers int
}

// Outcome is what became of one step.
type Outcome struct {
	Step    *Step
	Status  string // ok, failed, skipped, interrupted
	Errcode int    // DingTalk's errcode when DingTalk refused the step
	Message string // why it failed or was skipped
	Adopted bool   // a create found its department or person already there (an earlier answer was lost)
}

// Result is what a push did.
type Result struct {
	Outcomes    []*Outcome // in step order; steps never reached have none
	Counts      map[string]int
	Interrupted bool
}

// Failed returns the steps that failed or were skipped because a step they need failed.
func (r *Result) Failed() []*Outcome {
	var out []*Outcome
	for _, o := range r.Outcomes {
		if o.Status == statusFailed || o.Status == statusSkipped {
			out = append(out, o)
		}
	}
	return out
}

// run is the state of one Apply.
type run struct {
	r      *Runner
	plan   *Plan
	mu     sync.Mutex
	hr     map[string]int64 // HR id -> DingTalk id, growing as departments are created
	status map[int]string
	res    *Result
}

// Apply runs the plan's steps in order, journaling each, and returns what happened. Steps of
// one wave run side by side; a step whose prerequisite failed is skipped. It returns ctx's
// error, with the result so far, when ctx ends before the last step.
func (r *Runner) Apply(ctx context.Context, plan *Plan) (*Result, error) {
	st := &run{r: r, plan: plan, hr: maps.Clone(plan.hr), status: map[int]string{}, res: &Result{Counts: map[string]int{}}}
	if r.Journal != nil {
		if err := r.Journal.start(plan); err != nil {
			return st.res, err
		}
	}
	workers := r.Workers
	if workers < 1 {
		workers = 4
	}
	outcomes := make([]*Outcome, len(plan.Steps))
	var journalErr error
	for i := 0; i < len(plan.Steps); {
		j := i
		for j < len(plan.Steps) && plan.Steps[j].wave == plan.Steps[i].wave {
			j++
		}
		if ctx.Err() != nil {
			break
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, workers)
		for k := i; k < j; k++ {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				if ctx.Err() != nil {
					return // not started: the next push plans it again
				}
				o, err := st.step(ctx, plan.Steps[k])
				outcomes[k] = o
				if err != nil {
					st.mu.Lock()
					journalErr = cmpErr(journalErr, err)
					st.mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if journalErr != nil {
			break
		}
		i = j
	}
	for _, o := range outcomes {
		if o == nil {
			continue
		}
		st.res.Outcomes = append(st.res.Outcomes, o)
		if o.Status == statusOK {
			for _, k := range o.Step.Kinds() {
				st.res.Counts[k]++
			}
		}
		if o.Status == statusInterrupted {
			st.res.Interrupted = true
		}
	}
	if len(st.res.Outcomes) < len(plan.Steps) && ctx.Err() != nil {
		st.res.Interrupted = true
	}
	if r.Journal != nil && journalErr == nil {
		status := statusDone
		switch {
		case st.res.Interrupted:
			status = statusInterrupted
		case len(st.res.Failed()) > 0:
			status = statusFailed
		}
		journalErr = r.Journal.write(Entry{Event: "end", Status: status, Counts: st.res.Counts})
	}
	if journalErr != nil {
		return st.res, journalErr
	}
	if st.res.Interrupted {
		return st.res, ctx.Err()
	}
	return st.res, nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// step runs one step and records it; the error is the journal's (the push stops when it
// cannot record what it does).
func (st *run) step(ctx context.Context, s *Step) (*Outcome, error) {
	o := &Outcome{Step: s}
	st.mu.Lock()
	for _, n := range s.After {
		if st.status[n] != statusOK {
			o.Status, o.Message = statusSkipped, fmt.Sprintf("step %d, which it needs, %s", n, cmpStr(st.status[n], "did not run"))
		}
	}
	st.mu.Unlock()
	j := st.r.Journal
	if o.Status == "" {
		if j != nil {
			if err := j.write(Entry{Event: "step", N: s.N, Op: s.Op, Text: s.Text, Status: statusStarted}); err != nil {
				return o, err
			}
		}
		st.do(ctx, s, o)
	}
	st.mu.Lock()
	st.status[s.N] = o.Status
	st.mu.Unlock()
	st.progress(o)
	if j != nil {
		e := Entry{Event: "step", N: s.N, Op: s.Op, Text: s.Text, Status: o.Status, Errcode: o.Errcode, Message: o.Message, Adopted: o.Adopted}
		if o.Status == statusOK {
			e.Kinds = s.Kinds()
			if s.Op == OpCreateDept {
				e.DingTalkID = st.lookup(s.Dept.HRID)
			}
		}
		return o, j.write(e)
	}
	return o, nil
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (st *run) lookup(hr string) int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.hr[hr]
}

// do calls DingTalk for the step and fills the outcome.
func (st *run) do(ctx context.Context, s *Step, o *Outcome) {
	err := st.call(ctx, s, o)
	switch {
	case err == nil:
		o.Status = statusOK
	case ctx.Err() != nil:
		o.Status, o.Message = statusInterrupted, "interrupted"
	default:
		o.Status, o.Message = statusFailed, err.Error()
		var ae *dingtalk.APIError
		if errors.As(err, &ae) {
			o.Errcode, o.Message = ae.Code, ae.Message
			if sub := ae.SubCode; sub != "" {
				o.Message = fmt.Sprintf("%s (sub_code %s)", ae.Message, sub)
			}
			if ae.Code == 0 {
				o.Message = ae.Error()
			}
		}
	}
}

// progress writes one line about a step that ended.
func (st *run) progress(o *Outcome) {
	w := st.r.Progress
	if w == nil {
		return
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	n, total := o.Step.N, len(st.plan.Steps)
	width := len(fmt.Sprint(total))
	switch o.Status {
	case statusOK:
		extra := ""
		if o.Adopted {
			extra = " (found already there: an earlier answer was lost)"
		}
		fmt.Fprintf(w, "  [%*d/%d] done     %s%s\n", width, n, total, o.Step.Text, extra)
	case statusFailed:
		fmt.Fprintf(w, "  [%*d/%d] FAILED   %s: %s\n", width, n, total, o.Step.Text, failureText(o))
	case statusSkipped:
		fmt.Fprintf(w, "  [%*d/%d] skipped  %s: %s\n", width, n, total, o.Step.Text, o.Message)
	case statusInterrupted:
		fmt.Fprintf(w, "  [%*d/%d] stopped  %s: interrupted\n", width, n, total, o.Step.Text)
	}
}

func failureText(o *Outcome) string {
	if o.Errcode != 0 {
		return fmt.Sprintf("errcode %d: %s", o.Errcode, o.Message)
	}
	return o.Message
}
