package orgpush

import (
	"fmt"
	"io"
	"strings"

	"github.com/kaoqin/kaoqin/tabfile"
)

// sections group the steps of a plan for people to read; steps run in the order of their
// numbers, which the sections keep.
var sections = []struct {
	in    func(*Step) bool
	title string
}{
	{func(s *Step) bool { return s.Op == OpCreateDept }, "Departments to create, parents first"},
	{func(s *Step) bool { return s.Op == OpUpdateDept }, "Departments to move, rename or update"},
	{func(s *Step) bool { return s.Op == OpDeleteUser }, "People to remove"},
	{func(s *Step) bool { return s.Op == OpUpdateUser && !s.Manager }, "People to move or update"},
	{func(s *Step) bool { return s.Op == OpCreateUser }, "People to create"},
	{func(s *Step) bool { return s.Manager }, "Managers to set, once the people they name exist, top of the chart first"},
	{func(s *Step) bool { return s.Op == OpDeleteDept }, "Departments to remove, leaf first"},
}

// verbs turn the kinds of the summary into what a plan will do.
var verbs = map[string]string{
	"created": "to create", "moved": "to move", "renamed": "to rename", "updated": "to update",
	"removed": "to remove", "re-created": "to re-create", "set": "to set",
}

// Write prints the plan: its counts, its steps grouped by kind in the order they run, and
// what it does not do.
func (p *Plan) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Plan for %s: DingTalk has %s and %s now.\n", p.File,
		plural(p.DingTalkDepts, "department", "departments"), plural(p.DingTalkPeople, "person", "people"))
	switch {
	case p.Sheet != "":
		ew.printf("  Read the first sheet of the workbook, %q.\n", p.Sheet)
	case p.Encoding == tabfile.GB18030:
		ew.printf("  The file is not UTF-8 but GB18030 (GBK), as Excel on Chinese Windows saves \"CSV\": read as GB18030.\n")
	}
	if len(p.Options.Clear) > 0 {
		ew.printf("  --clear: an empty %s cell clears DingTalk's value (other empty cells leave it as it is).\n", strings.Join(p.Options.Clear, ", "))
	}
	switch {
	case len(p.Steps) == 0 && len(p.NotApplied) == 0:
		ew.printf("Nothing to change: DingTalk follows the file.\n")
	case len(p.Steps) == 0:
		ew.printf("Nothing to change but what cannot be applied (below).\n")
	default:
		counts := map[string]int{}
		for _, s := range p.Steps {
			for _, k := range s.Kinds() {
				counts[k]++
			}
		}
		for _, noun := range []string{"department", "person", "manager"} {
			var parts []string
			for _, k := range kindOrder {
				n, verb, _ := strings.Cut(k, " ")
				if n == noun && counts[k] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", counts[k], verbs[verb]))
				}
			}
			if len(parts) > 0 {
				ew.printf("  %s: %s\n", nouns[noun], strings.Join(parts, ", "))
			}
		}
		ew.printf("  %d steps, run in the order of their numbers.\n", len(p.Steps))
		width := len(fmt.Sprint(len(p.Steps)))
		for _, sec := range sections {
			var in []*Step
			for _, s := range p.Steps {
				if sec.in(s) {
					in = append(in, s)
				}
			}
			if len(in) == 0 {
				continue
			}
			ew.printf("\n%s (%d):\n", sec.title, len(in))
			for _, s := range in {
				ew.printf("  %*d. %s\n", width, s.N, s.Text)
			}
		}
	}
	writeNotes(ew, "Not applied", p.NotApplied, true, 0)
	writeNotes(ew, "Kept", p.Kept, true, p.KeptShown)
	writeNotes(ew, "Notes", p.Notes, false, 0)
	return ew.err
}

// writeNotes lists notes under title, at most limit of them (0: all): a file that covers one
// division of a large company would otherwise list every other person in the company.
func writeNotes(ew *errWriter, title string, notes []Note, flags bool, limit int) {
	if len(notes) == 0 {
		return
	}
	ew.printf("\n%s (%d):\n", title, len(notes))
	shown := notes
	if limit > 0 && len(notes) > limit {
		shown = notes[:limit]
		defer ew.printf("  ... and %d more (--list-kept lists them all)\n", len(notes)-limit)
	}
	for _, n := range shown {
		if flags && n.Flag != "" && !strings.Contains(n.Text, n.Flag) {
			ew.printf("  - %s (use %s)\n", n.Text, n.Flag)
		} else {
			ew.printf("  - %s\n", n.Text)
		}
	}
}

// WriteAttempts tells what the interrupted pushes before this one did.
func WriteAttempts(w io.Writer, attempts []*Attempt) error {
	ew := &errWriter{w: w}
	for _, a := range attempts {
		ew.printf("An earlier push (run %s, %s) was interrupted with %d of its %d steps done: %s",
			a.Run, a.Started.Local().Format("2006-01-02 15:04:05"), a.Done, a.Planned, countsText(a.Counts))
		if len(a.Failed) > 0 {
			ew.printf("; %d failed", len(a.Failed))
		}
		ew.printf(".\n")
		for _, e := range a.InFlight {
			ew.printf("  Step %d was under way when it stopped: %s. DingTalk may have done it; this push planned from what DingTalk has now, so nothing is done twice.\n", e.N, e.Text)
		}
	}
	return ew.err
}

// WriteSummary prints what a push did: counts of what changed, every failure with DingTalk's
// errcode and message, and what the plan left out.
func WriteSummary(w io.Writer, p *Plan, r *Result, earlier []*Attempt) error {
	ew := &errWriter{w: w}
	failed, skipped, done := 0, 0, 0
	for _, o := range r.Outcomes {
		switch o.Status {
		case statusOK:
			done++
		case statusFailed:
			failed++
		case statusSkipped:
			skipped++
		}
	}
	ew.printf("\nSummary: %d of %d steps done", done, len(p.Steps))
	if failed > 0 {
		ew.printf(", %d failed", failed)
	}
	if skipped > 0 {
		ew.printf(", %d skipped", skipped)
	}
	if r.Interrupted {
		ew.printf(", interrupted after step %d", lastStep(r))
	}
	ew.printf(".\n  changed: %s\n", countsText(r.Counts))
	for _, status := range []string{statusFailed, statusSkipped} {
		var list []*Outcome
		for _, o := range r.Outcomes {
			if o.Status == status {
				list = append(list, o)
			}
		}
		if len(list) == 0 {
			continue
		}
		ew.printf("  %s:\n", status)
		for _, o := range list {
			ew.printf("    %d. %s: %s\n", o.Step.N, o.Step.Text, failureText(o))
		}
	}
	flags := map[string]int{}
	for _, n := range p.NotApplied {
		flags[n.Flag]++
	}
	for _, f := range []string{"--allow-recreate", "--delete-missing", ""} {
		n := flags[f]
		if n == 0 {
			continue
		}
		what := "changes need " + f
		if n == 1 {
			what = "change needs " + f
		}
		if f == "" {
			what = "changes that no option allows"
			if n == 1 {
				what = "change that no option allows"
			}
		}
		ew.printf("  not applied: %d %s (see the plan above)\n", n, what)
	}
	if len(p.Kept) > 0 {
		ew.printf("  kept: %d in DingTalk and not in the file (see the plan above)\n", len(p.Kept))
	}
	for _, a := range earlier {
		ew.printf("  earlier, interrupted push %s: %s\n", a.Run, countsText(a.Counts))
	}
	return ew.err
}

func lastStep(r *Result) int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Status != statusInterrupted {
			n = max(n, o.Step.N)
		}
	}
	return n
}

// errWriter keeps the first write error, so that printing code stays readable.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
