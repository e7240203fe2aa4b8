package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/syncer"
)

// syncCmd pulls the org chart and the attendance of a date range from DingTalk into the
// database (spec/cli.md: kaoqin sync [--from DATE --to DATE]).
type syncCmd struct {
	From        string `placeholder:"DATE" help:"First work date, YYYY-MM-DD in KAOQIN_TIMEZONE (default: today; with --to only, that day)."`
	To          string `placeholder:"DATE" help:"Last work date, YYYY-MM-DD (default: today)."`
	DryRun      bool   `name:"dry-run" help:"Print the plan (calls per API path, metered total, the month's budget) without calling DingTalk."`
	Refetch     bool   `help:"Fetch again the days earlier syncs finished (DingTalk data can change after the fact: approvals, admin edits)."`
	OrgOnly     bool   `name:"org-only" help:"Sync the org chart only (contacts calls, which are free)."`
	NoOrg       bool   `name:"no-org" help:"Sync attendance only, for the org chart already in the database."`
	JSON        bool   `name:"json" help:"Print the summary (or the plan) as JSON."`
	LeaveTypes  bool   `name:"leave-types" help:"Then pull leave by type (年假, 事假...) from DingTalk's report for the people on leave in the range: one metered call a person a month."`
	Concurrency int    `default:"8" help:"Chunks of attendance fetched at once; the per-path QPS limit holds whatever the number."`
}

// Help is the detailed help of kaoqin sync --help.
func (c *syncCmd) Help() string {
	return "Brings the company's departments and people (free contacts calls) and the check results, leave, punch records " +
		"and plans of every employee of the range (metered calls, 50 people × 7 days a chunk) into the database; " +
		"--no-punches and --no-plans (KAOQIN_SYNC_PUNCHES, KAOQIN_SYNC_PLANS) leave those out. " +
		"Finished days are not fetched again; today always is. Safe to interrupt and to run again: it continues " +
		"where it stopped. It refuses to start when its plan would take the month past KAOQIN_DINGTALK_MONTHLY_QUOTA, " +
		"and --dry-run shows that plan without calling DingTalk."
}

func (c *syncCmd) Run(ctx context.Context, g *Globals) error {
	if c.OrgOnly && c.NoOrg {
		return usageError{errors.New("--org-only and --no-org exclude each other")}
	}
	if c.OrgOnly && c.LeaveTypes {
		return usageError{errors.New("--org-only and --leave-types exclude each other: leave by type needs the attendance of the range")}
	}
	if c.Concurrency < 1 {
		return usageError{fmt.Errorf("--concurrency %d: want 1 or more", c.Concurrency)}
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}
	from, to, err := syncer.Range(c.From, c.To, time.Now(), loc)
	if err != nil {
		return err
	}
	req := syncer.Request{From: from, To: to, Refetch: c.Refetch, OrgOnly: c.OrgOnly, NoOrg: c.NoOrg,
		NoPunches: !g.Punches, NoPlans: !g.Plans}
	if c.DryRun {
		return c.plan(ctx, g, req, loc)
	}

	log := g.logger()
	if isTerminal(g.stdout) && !log.Enabled(ctx, slog.LevelDebug) && log.Enabled(ctx, slog.LevelInfo) {
		// The progress line tells what the info lines would; warnings still show.
		log = slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	books := syncer.NewBooks(loc, log)
	client, err := g.dingtalkClient(books.Hook)
	if err != nil {
		return err
	}
	// DingTalk first: bad credentials or an unreachable host must leave no database behind.
	if err := syncer.CheckAccess(ctx, client, g.BaseURL); err != nil {
		return err
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	progress := newProgress(g.stdout, log)
	late, age := g.finality()
	s, err := syncer.New(syncer.Config{
		Client: client, Store: db, Books: books, Location: loc, Logger: log,
		MonthlyQuota: int64(g.MonthlyQuota.limit()), Concurrency: c.Concurrency, Progress: progress.show,
		OpUserID: g.OpUserID, LateWindow: late, LastPullAge: age,
	})
	if err != nil {
		return err
	}
	sum, err := s.Run(ctx, req)
	progress.close()
	var leaveSum *syncer.Summary
	if err == nil && c.LeaveTypes {
		before := books.Figures()
		leaveSum, err = s.RunLeaveTypes(ctx, syncer.LeaveTypesRequest{From: from, To: to, Refetch: c.Refetch})
		progress.close()
		if sum != nil {
			// The sync's summary counts the calls before the pull of leave by type.
			f := before
			sum.Run.Calls, sum.Run.Metered, sum.Run.Throttled, sum.Run.Retried, sum.Run.CallsBy = f.Calls, f.Metered, f.Throttled, f.Retried, f.CallsBy
		}
	} else if sum != nil {
		// The summary counts every call of the command, the token fetch of the access check
		// (made before the run began) included.
		f := books.Figures()
		sum.Run.Calls, sum.Run.Metered, sum.Run.Throttled, sum.Run.Retried, sum.Run.CallsBy = f.Calls, f.Metered, f.Throttled, f.Retried, f.CallsBy
	}
	if perr := c.printSummaries(g.stdout, sum, leaveSum); perr != nil && err == nil {
		err = perr
	}
	return err
}

// printSummaries prints the sync's summary and, after --leave-types, the pull's: as one JSON
// object {"sync": ..., "leave_types": ...} with --json.
func (c *syncCmd) printSummaries(w io.Writer, sum, leaveSum *syncer.Summary) error {
	if c.JSON && c.LeaveTypes {
		out := map[string]any{}
		if sum != nil {
			out["sync"] = c.summaryJSON(sum)
		}
		if leaveSum != nil {
			out["leave_types"] = c.summaryJSON(leaveSum)
		}
		return writeJSON(w, out)
	}
	for _, s := range []*syncer.Summary{sum, leaveSum} {
		if s != nil {
			if err := c.printSummary(w, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// plan prints what the sync would do, from the database alone.
func (c *syncCmd) plan(ctx context.Context, g *Globals, req syncer.Request, loc *time.Location) error {
	db, err := g.openStore(ctx, store.MustExist())
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		// Nothing to plan with, and nothing to create for a dry run.
		p := &syncer.Plan{From: req.From, To: req.To,
			Note: fmt.Sprintf("no database at %s yet: the plan needs the org chart: run kaoqin sync --org-only first (contacts calls are free)", g.DB)}
		return c.printPlan(g.stdout, p)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	late, age := g.finality()
	s, err := syncer.New(syncer.Config{Store: db, Location: loc, MonthlyQuota: int64(g.MonthlyQuota.limit()), OpUserID: g.OpUserID,
		LateWindow: late, LastPullAge: age})
	if err != nil {
		return err
	}
	p, err := s.Plan(ctx, req)
	if err != nil || !c.LeaveTypes {
		if err != nil {
			return err
		}
		return c.printPlan(g.stdout, p)
	}
	lp, err := s.PlanLeaveTypes(ctx, syncer.LeaveTypesRequest{From: req.From, To: req.To, Refetch: req.Refetch})
	if err != nil {
		return err
	}
	if c.JSON {
		return writeJSON(g.stdout, map[string]any{"sync": p, "leave_types": lp})
	}
	if err := c.printPlan(g.stdout, p); err != nil {
		return err
	}
	return c.printLeavePlan(g.stdout, lp)
}

// printLeavePlan prints what the pull of leave by type would do: it is planned from what the
// database holds now, before the sync above has run.
func (c *syncCmd) printLeavePlan(w io.Writer, p *syncer.LeaveTypesPlan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "then leave by type %s..%s (as the database stands now, before the sync above):\n", p.From, p.To)
	fmt.Fprintf(&b, "  %d employees on leave; %d calls of %s (one person, at most 31 days each), %d pulled already and final",
		p.Employees, p.Windows, syncer.PathLeaveTimes, p.Done)
	if p.Left > 0 {
		fmt.Fprintf(&b, "; %d left the company (DingTalk's report has nothing for them)", p.Left)
	}
	fmt.Fprintf(&b, "\n  metered calls: %d expected (with the report's columns)\n", p.Calls)
	if p.Quota > 0 {
		fmt.Fprintf(&b, "  this month (%s): %d of %d metered calls spent, %d left", p.Month, p.Used, p.Quota, max(0, p.Remaining))
		if p.Affordable() != nil {
			b.WriteString(": NOT enough for this pull")
		}
		b.WriteString("\n")
	}
	if p.Note != "" {
		fmt.Fprintf(&b, "  note: %s\n", p.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (c *syncCmd) printPlan(w io.Writer, p *syncer.Plan) error {
	if c.JSON {
		return writeJSON(w, p)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "plan of kaoqin sync %s..%s (no DingTalk call made)\n", p.From, p.To)
	if p.OrgKnown {
		fmt.Fprintf(&b, "employees: %d, of the %d departments stored\n", p.Employees, p.Departments)
	}
	if len(p.Paths) > 0 {
		w := pathWidth(p.Paths)
		fmt.Fprintf(&b, "  %-*s %8s %12s %9s %9s\n", w, "path", "chunks", "done before", "at least", "expected")
		for _, pp := range p.Paths {
			kind := "free"
			if pp.Metered {
				kind = "metered"
			}
			fmt.Fprintf(&b, "  %-*s %8d %12d %9d %9d  %s\n", w, pp.Path, pp.Chunks, pp.Skipped, pp.MinCalls, pp.Calls, kind)
		}
	}
	if p.OrgKnown && !c.OrgOnly {
		if p.DaysFinal > 0 {
			fmt.Fprintf(&b, "%d days of the range are final already (pulled after they ended and their last check's late window): not fetched again (--refetch does)\n", p.DaysFinal)
		}
		if p.DaysLastPull > 0 {
			fmt.Fprintf(&b, "%d final days are due their last pull (KAOQIN_SYNC_LAST_PULL days old): fetched once more, for the corrections made after them\n", p.DaysLastPull)
		}
		if p.DaysClosing > 0 {
			fmt.Fprintf(&b, "%d days were pulled while a night shift still worked and have closed since: their %d people still at work then are fetched again, and the days become final\n", p.DaysClosing, p.PeopleClosing)
		}
		fmt.Fprintf(&b, "metered calls: %d expected, at least %d (pages estimated from %s: %.2f checks per employee-day)\n",
			p.ExpectedMetered, p.MinMetered, p.EstimateFrom, p.ChecksPerDay)
		if !p.Punches {
			b.WriteString("punch records: not pulled (KAOQIN_SYNC_PUNCHES=false or --no-punches)\n")
		}
		switch {
		case !p.Plans:
			b.WriteString("plans: not pulled (KAOQIN_SYNC_PLANS=false or --no-plans)\n")
		case len(p.PlansWith) > 0:
			by := "listschedule: the whole company a day, 200 plans a call"
			if slices.Contains(p.PlansWith, syncer.PathByUsers) {
				by = "listbyusers on behalf of administrator " + p.OpUserID + ", 50 people x 7 days a call"
				if len(p.PlansWith) > 1 {
					by += ", and listschedule for single days, cheaper"
				}
			}
			fmt.Fprintf(&b, "plans: with %s (%.2f plans per employee-day)\n", by, p.PlansPerDay)
		}
	}
	switch {
	case p.Month == "":
	case p.Quota <= 0:
		fmt.Fprintf(&b, "this month (%s): %d metered calls spent; no monthly quota set\n", p.Month, p.Used)
	default:
		fmt.Fprintf(&b, "this month (%s): %d of %d metered calls spent, %d left", p.Month, p.Used, p.Quota, max(0, p.Remaining))
		if err := p.Affordable(); err != nil && p.OrgKnown && !c.OrgOnly {
			b.WriteString(": NOT enough for this sync\n")
		} else {
			b.WriteString("\n")
		}
	}
	if p.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", p.Note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// summaryJSON is the summary as --json prints it.
type summaryJSON struct {
	Status        string            `json:"status"`
	Error         string            `json:"error,omitempty"`
	From          string            `json:"from"`
	To            string            `json:"to"`
	WallSeconds   float64           `json:"wall_seconds"`
	Rows          int64             `json:"rows"`
	CheckRows     int64             `json:"check_rows"`
	LeaveRows     int64             `json:"leave_rows"`
	PunchRows     int64             `json:"punch_rows"`
	PlanRows      int64             `json:"plan_rows"`
	Calls         int64             `json:"calls"`
	Metered       int64             `json:"metered"`
	Throttled     int64             `json:"throttled"`
	Retried       int64             `json:"retried"`
	CallsBy       map[string]int64  `json:"calls_by"`
	ChunksTotal   int64             `json:"chunks_total"`
	ChunksDone    int64             `json:"chunks_done"`
	ChunksSkipped int64             `json:"chunks_skipped"`
	DaysFinal     int               `json:"days_final"`
	DaysLastPull  int               `json:"days_last_pull"`
	DaysClosing   int               `json:"days_closing"`
	DaysCovered   int               `json:"days_covered"`
	Employees     int               `json:"employees"`
	Departments   int               `json:"departments"`
	Org           *kaoqin.OrgChange `json:"org,omitempty"`
	Month         string            `json:"month"`
	MonthMetered  int64             `json:"month_metered"`
	Quota         int64             `json:"quota"`
	Run           int64             `json:"run_id"`
}

func (c *syncCmd) summaryJSON(s *syncer.Summary) summaryJSON {
	r := s.Run
	return summaryJSON{
		Status: r.Status, Error: r.Error, From: r.From, To: r.To, WallSeconds: s.Wall.Seconds(),
		Rows: r.Rows, CheckRows: s.CheckRows, LeaveRows: s.LeaveRows, PunchRows: s.PunchRows, PlanRows: s.PlanRows,
		Calls: r.Calls, Metered: r.Metered, Throttled: r.Throttled, Retried: r.Retried, CallsBy: r.CallsBy, ChunksTotal: s.ChunksTotal,
		ChunksDone: r.ChunksDone, ChunksSkipped: r.ChunksSkipped, DaysFinal: s.DaysFinal, DaysLastPull: s.DaysLast, DaysClosing: s.DaysClosing, DaysCovered: s.DaysCovered,
		Employees: s.Employees, Departments: s.Departments, Org: s.Org, Month: s.Month,
		MonthMetered: s.MonthUsed, Quota: s.Quota, Run: r.ID,
	}
}

func (c *syncCmd) printSummary(w io.Writer, s *syncer.Summary) error {
	r := s.Run
	if c.JSON {
		return writeJSON(w, c.summaryJSON(s))
	}
	var b strings.Builder
	what := r.From + ".." + r.To
	switch r.Kind {
	case syncer.KindOrg:
		what = "of the org chart"
	case syncer.KindLeaveTypes:
		what = "of leave by type " + what
	}
	fmt.Fprintf(&b, "kaoqin sync %s: %s in %s\n", what, r.Status, s.Wall.Round(time.Millisecond))
	if o := s.Org; o != nil {
		fmt.Fprintf(&b, "org: %d departments (+%d, %d changed, %d removed); employees +%d, %d changed, %d left; memberships +%d, %d closed\n",
			s.Departments, o.DepartmentsAdded, o.DepartmentsUpdated, o.DepartmentsRemoved,
			o.EmployeesAdded, o.EmployeesUpdated, o.EmployeesLeft, o.MembershipsOpened, o.MembershipsClosed)
	}
	if r.Kind == syncer.KindLeaveTypes {
		fmt.Fprintf(&b, "leave by type: %d employees on leave; %d of %d windows pulled, %d final already\n",
			s.Employees, r.ChunksDone, s.ChunksTotal, r.ChunksSkipped)
	} else if r.Kind != syncer.KindOrg {
		fmt.Fprintf(&b, "attendance: %d employees; %d days final already (not fetched again); %d of %d chunks fetched, %d done by an earlier sync; %d days covered\n",
			s.Employees, s.DaysFinal, r.ChunksDone, s.ChunksTotal, r.ChunksSkipped, s.DaysCovered)
		if s.DaysLast > 0 || s.DaysClosing > 0 {
			fmt.Fprintf(&b, "last pulls of final days: %d; days closed after their night shift (its people fetched again): %d\n", s.DaysLast, s.DaysClosing)
		}
	}
	fmt.Fprintf(&b, "rows written: %d (checks %d, leave %d, punches %d, plans %d)\n", r.Rows, s.CheckRows, s.LeaveRows, s.PunchRows, s.PlanRows)
	fmt.Fprintf(&b, "calls: %d (metered %d, throttled %d, retried %d)\n", r.Calls, r.Metered, r.Throttled, r.Retried)
	paths := slices.Sorted(maps.Keys(r.CallsBy))
	width := 0
	for _, p := range paths {
		width = max(width, len(p))
	}
	for _, p := range paths {
		fmt.Fprintf(&b, "  %-*s %7d\n", width, p, r.CallsBy[p])
	}
	if s.Quota > 0 {
		fmt.Fprintf(&b, "this month (%s): %d of %d metered calls spent, %d left\n", s.Month, s.MonthUsed, s.Quota, max(0, s.Quota-s.MonthUsed))
	} else {
		fmt.Fprintf(&b, "this month (%s): %d metered calls spent\n", s.Month, s.MonthUsed)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func pathWidth(ps []syncer.PathPlan) int {
	w := len("path")
	for _, p := range ps {
		w = max(w, len(p.Path))
	}
	return w
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// progress shows where a sync stands: on a terminal one line rewritten in place, otherwise a
// log line when the phase changes and every few seconds.
type progress struct {
	out  io.Writer
	log  *slog.Logger
	term bool

	mu      sync.Mutex
	last    time.Time
	phase   string
	written bool
}

// logEvery is how often a sync logs its progress when stdout is not a terminal.
const logEvery = 5 * time.Second

func newProgress(out io.Writer, log *slog.Logger) *progress {
	return &progress{out: out, log: log, term: isTerminal(out)}
}

func (p *progress) show(s syncer.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	changed := s.Phase != p.phase
	p.phase = s.Phase
	if s.Phase == "done" {
		return // the summary follows
	}
	if p.term {
		if !changed && now.Sub(p.last) < 100*time.Millisecond {
			return
		}
		p.last = now
		line := fmt.Sprintf("sync: %s", s.Phase)
		if s.Phase == "attendance" {
			line += fmt.Sprintf("  %s  chunks %d/%d", s.Window, s.ChunksDone+s.ChunksSkipped, s.ChunksTotal)
		}
		line += fmt.Sprintf("  calls %d  metered %d", s.Calls, s.Metered)
		if s.ETA > 0 {
			line += fmt.Sprintf("  ETA %s", s.ETA.Round(time.Second))
		}
		fmt.Fprintf(p.out, "\r%s\033[K", line)
		p.written = true
		return
	}
	if !changed && now.Sub(p.last) < logEvery {
		return
	}
	p.last = now
	if s.Phase == "org" {
		p.log.Info("sync: reading the org chart", "calls", s.Calls, "elapsed", s.Elapsed.Round(time.Second))
		return
	}
	p.log.Info("sync: progress", "phase", s.Phase, "window", s.Window, "chunks_done", s.ChunksDone,
		"chunks_skipped", s.ChunksSkipped, "chunks_total", s.ChunksTotal, "calls", s.Calls, "metered", s.Metered,
		"rows", s.Rows, "elapsed", s.Elapsed.Round(time.Second), "eta", s.ETA.Round(time.Second))
}

// close clears the progress line, so that the summary starts on a clean line.
func (p *progress) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.term && p.written {
		fmt.Fprint(p.out, "\r\033[K")
	}
}
