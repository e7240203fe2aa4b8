package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/syncer"
)

// batch is how many people are read from DingTalk, and from the store, at a time: a
// reconciliation's memory is a batch's days, whatever the number of people.
const batch = 100

// Run reconciles as Plan plans it: it refuses what the month's budget cannot pay before any
// call, records the reconciliation, reads DingTalk's report person by person, compares it
// day by day with kaoqin's counts, asks DingTalk what changed on the days that differ (when
// the budget still allows), and records what it found. A run cut short by an error is
// recorded as failed, with what it learnt until then.
func (r *Reconciler) Run(ctx context.Context, req Request) (*Result, error) {
	p, err := r.Plan(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := p.Affordable(); err != nil {
		return nil, err
	}
	rec, err := r.start(ctx, req, p)
	if err != nil {
		return nil, err
	}
	return r.run(ctx, p, rec)
}

// Start records a reconciliation and runs it in the background, beyond ctx (a request's) but
// within the Reconciler's base context (Config.Base: the server's life). It refuses at once
// what Run would refuse before its first call, and a second reconciliation while one runs in
// this process (ECONFLICT).
func (r *Reconciler) Start(ctx context.Context, req Request) (*kaoqin.Reconciliation, error) {
	if !r.running.CompareAndSwap(false, true) {
		return nil, kaoqin.Errorf(kaoqin.ECONFLICT, "A reconciliation is already running: wait for it to finish.")
	}
	p, err := r.Plan(ctx, req)
	if err == nil {
		err = p.Affordable()
	}
	var rec *kaoqin.Reconciliation
	if err == nil {
		rec, err = r.start(ctx, req, p)
	}
	if err != nil {
		r.running.Store(false)
		return nil, err
	}
	go func() {
		defer r.running.Store(false)
		if _, err := r.run(r.base, p, rec); err != nil {
			r.log.Warn("reconciliation failed", "id", rec.ID, "err", err)
		}
	}()
	return rec, nil
}

// Running reports whether a reconciliation Start began is running in this process.
func (r *Reconciler) Running() bool { return r.running.Load() }

func (r *Reconciler) start(ctx context.Context, req Request, p *Plan) (*kaoqin.Reconciliation, error) {
	rec := &kaoqin.Reconciliation{By: req.By, From: p.From, To: p.To, DeptIDs: p.Scope, Sample: p.Sample,
		Status: kaoqin.ReconcileRunning, CreatedAt: r.now().UnixMilli()}
	if err := r.st.CreateReconciliation(ctx, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

func (r *Reconciler) run(ctx context.Context, p *Plan, rec *kaoqin.Reconciliation) (*Result, error) {
	res := &Result{Kind: "reconciliation", ID: rec.ID, From: p.From, To: p.To, Timezone: r.loc.String(),
		GeneratedAt: r.now().In(r.loc).Format(time.RFC3339), Scope: p.Scope, Sample: p.Sample, People: p.People,
		Left: nonNil(p.Left), Differences: []Difference{}, Causes: map[string]int{}, NotCompared: []NotCompared{},
		Calls: Calls{Planned: p.Calls, ByPath: map[string]int64{}}}
	before := r.s.Books().Figures()
	err := r.compare(ctx, p, res)
	f := r.s.Books().Figures().Sub(before)
	res.Calls.Made, res.Calls.Metered, res.Calls.ByPath = f.Calls, f.Metered, f.CallsBy

	rec.FinishedAt = r.now().UnixMilli()
	rec.People, rec.Differences, rec.Calls, rec.Metered = res.People, len(res.Differences), f.Calls, f.Metered
	rec.Status = kaoqin.ReconcileOK
	if err != nil {
		rec.Status, rec.Error = kaoqin.ReconcileFailed, kaoqin.ErrorMessage(err)
		if errors.Is(err, context.Canceled) {
			rec.Error = "interrupted"
		}
	}
	if b, merr := json.Marshal(res); merr == nil {
		rec.Result = b
	}
	if uerr := r.st.UpdateReconciliation(context.WithoutCancel(ctx), rec); uerr != nil && err == nil {
		err = uerr
	}
	if err != nil {
		return res, err
	}
	return res, nil
}

// person is one person's comparison: DingTalk's days and the differing days found.
type person struct {
	Person
	theirs  syncer.DayValues
	found   bool // DingTalk had anything for them
	days    *report.EmployeeDays
	differs map[string][]DayDifference // by field
}

func (r *Reconciler) compare(ctx context.Context, p *Plan, res *Result) error {
	reader, err := r.s.ReportReader(ctx)
	if err != nil {
		return err
	}
	res.Fields = Fields
	res.NotCompared = append(res.NotCompared, notCompared...)
	for _, l := range p.Left {
		res.Notes = append(res.Notes, fmt.Sprintf("%s (%s) left on %s: DingTalk's report serves nothing for people who left (its admin console does)", l.Name, l.UserID, l.LeftOn))
	}
	if p.People == 0 && len(p.Left) == 0 {
		return nil
	}
	var ids map[string]int64
	var leaveNames []string
	if p.People > 0 {
		cols, err := reader.Columns(ctx)
		if err != nil {
			return err
		}
		var missing []Field
		ids, leaveNames, missing = matchColumns(cols)
		for _, f := range missing {
			res.NotCompared = append(res.NotCompared, NotCompared{Field: f.Name, Reason: ReasonNoColumn, Why: "DingTalk's report has no column " + f.Column})
			res.Fields = slices.DeleteFunc(slices.Clone(res.Fields), func(x Field) bool { return x.Name == f.Name })
		}
	}
	if p.ShouldFrom > p.To {
		res.NotCompared = append(res.NotCompared, NotCompared{Field: "scheduled_days", Reason: ReasonRecentOnly, Why: "DingTalk gives 应出勤天数 for the last 15 days only"})
		res.Fields = slices.DeleteFunc(slices.Clone(res.Fields), func(x Field) bool { return x.Name == "scheduled_days" })
	} else if p.ShouldFrom > p.From {
		res.NotCompared = append(res.NotCompared, NotCompared{Field: "scheduled_days", Reason: ReasonRecentOnly, Why: "DingTalk gives 应出勤天数 for the last 15 days only", From: p.ShouldFrom})
	}

	// The people who left: kaoqin's numbers, which DingTalk's report cannot confirm.
	opts := report.Options{Location: r.loc, Now: r.now()}
	var leftIDs []string
	for _, l := range p.Left {
		leftIDs = append(leftIDs, l.UserID)
	}
	if len(leftIDs) > 0 {
		err := report.LoadEmployeeDays(ctx, r.st, leftIDs, p.From, p.To, opts, func(e *report.EmployeeDays) error {
			sum := e.Sum()
			for _, f := range res.Fields {
				if v := fieldValue(&sum, f); v != 0 {
					res.Differences = append(res.Differences, Difference{UserID: e.UserID, Name: e.Name, Field: f.Name,
						Column: f.Column, Kaoqin: v, Days: []DayDifference{}, Cause: CauseLeft})
					res.Causes[CauseLeft]++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}

	// Everyone else, a batch at a time: DingTalk's days, kaoqin's days, the days that differ.
	var differing []*person
	for people := range slices.Chunk(p.people, batch) {
		ps, err := r.readDingTalk(ctx, reader, people, ids, leaveNames, p.From, p.To)
		if err != nil {
			return err
		}
		users := make([]string, len(ps))
		byID := make(map[string]*person, len(ps))
		for i, x := range ps {
			users[i], byID[x.UserID] = x.UserID, x
		}
		err = report.LoadEmployeeDays(ctx, r.st, users, p.From, p.To, opts, func(e *report.EmployeeDays) error {
			if x := byID[e.UserID]; x != nil {
				x.days = e
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, x := range ps {
			if x.days == nil {
				x.days = &report.EmployeeDays{UserID: x.UserID, Name: x.Name}
			}
			x.differs = diffDays(x, res.Fields, ids, p.ShouldFrom)
			if len(x.differs) > 0 {
				differing = append(differing, x)
			} else {
				res.Agreeing++
			}
		}
		r.log.Info("reconcile: compared", "people", len(ps), "differing", len(differing))
	}

	// Ask DingTalk what changed on the days that differ, within the budget.
	if err := r.explain(ctx, reader, p, differing, res); err != nil {
		return err
	}
	for _, x := range differing {
		res.Differences = append(res.Differences, differences(x, res.Fields, ids, p.ShouldFrom)...)
	}
	slices.SortStableFunc(res.Differences, func(a, b Difference) int {
		if a.UserID != b.UserID {
			if a.UserID < b.UserID {
				return -1
			}
			return 1
		}
		return fieldIndex(a.Field) - fieldIndex(b.Field)
	})
	for _, d := range res.Differences {
		for _, day := range d.Days {
			res.Causes[day.Cause]++
		}
	}
	return nil
}

// readDingTalk reads the people's days of DingTalk's report, several people at once.
func (r *Reconciler) readDingTalk(ctx context.Context, reader *syncer.ReportReader, people []Person, ids map[string]int64, leaveNames []string, from, to string) ([]*person, error) {
	idList := make([]int64, 0, len(ids))
	for _, f := range Fields {
		if id, ok := ids[f.Name]; ok {
			idList = append(idList, id)
		}
	}
	out := make([]*person, len(people))
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan int)
	for range min(r.conc, len(people)) {
		wg.Go(func() {
			for i := range work {
				x := &person{Person: people[i], theirs: syncer.DayValues{}}
				found, err := reader.Values(ctx, x.UserID, idList, from, to, x.theirs)
				if err == nil {
					var got bool
					got, err = reader.Leave(ctx, x.UserID, leaveNames, from, to, x.theirs)
					found = found || got
				}
				x.found = found
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				out[i] = x
				mu.Unlock()
			}
		})
	}
	for i := range people {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop || ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, firstErr
}

// fieldValue is a field's value of period counts.
func fieldValue(c *report.PeriodCounts, f Field) float64 {
	v, _ := report.PeriodValue(c, f.Name)
	return v
}

// theirValue is DingTalk's value of a field on a day.
func theirValue(x *person, f Field, ids map[string]int64, day string) float64 {
	if f.Leave {
		for key, days := range x.theirs {
			if len(key) > 0 && key[0] != '#' && days[day] > 0 {
				return 1
			}
		}
		return 0
	}
	return x.theirs[syncer.ColumnKey(ids[f.Name])][day]
}

// diffDays compares a person's days field by field: the days on which kaoqin and DingTalk
// differ, by field. A person DingTalk has nothing for (they left since the last org sync)
// differs on every field kaoqin counts, the whole range at once.
func diffDays(x *person, fields []Field, ids map[string]int64, shouldFrom string) map[string][]DayDifference {
	out := map[string][]DayDifference{}
	if !x.found {
		sum := x.days.Sum()
		for _, f := range fields {
			if v := fieldValue(&sum, f); v != 0 {
				out[f.Name] = []DayDifference{}
			}
		}
		return out
	}
	dates := map[string]bool{}
	for _, d := range x.days.Days {
		dates[d.Date] = true
	}
	for _, days := range x.theirs {
		for d := range days {
			dates[d] = true
		}
	}
	for _, date := range sortedKeys(dates) {
		var ours report.PeriodCounts
		if d, ok := x.days.Day(date); ok {
			ours = d.Counts
		}
		for _, f := range fields {
			if f.Recent && date < shouldFrom {
				continue
			}
			k, d := fieldValue(&ours, f), theirValue(x, f, ids, date)
			if math.Abs(k-d) > 0.001 {
				out[f.Name] = append(out[f.Name], DayDifference{Date: date, Kaoqin: k, DingTalk: d})
			}
		}
	}
	return out
}

// differences turns a person's differing days into their Differences, field by field: the
// totals are over the days compared (应出勤天数 from shouldFrom on).
func differences(x *person, fields []Field, ids map[string]int64, shouldFrom string) []Difference {
	var out []Difference
	for _, f := range fields {
		days, ok := x.differs[f.Name]
		if !ok {
			continue
		}
		first := ""
		if f.Recent {
			first = shouldFrom
		}
		d := Difference{UserID: x.UserID, Name: x.Name, Field: f.Name, Column: f.Column, Days: days, Cause: CauseLeft}
		for _, day := range x.days.Days {
			if day.Date >= first {
				d.Kaoqin += fieldValue(&day.Counts, f)
			}
		}
		if x.found {
			for date := range dateSet(x, f, ids) {
				if date >= first {
					d.DingTalk += theirValue(x, f, ids, date)
				}
			}
			d.Cause = shared(days)
		}
		d.Kaoqin, d.DingTalk = math.Round(d.Kaoqin*100)/100, math.Round(d.DingTalk*100)/100
		out = append(out, d)
	}
	return out
}

// shared returns the days' cause if they all have one, else "mixed".
func shared(days []DayDifference) string {
	c := ""
	for _, d := range days {
		switch {
		case c == "":
			c = d.Cause
		case c != d.Cause:
			return "mixed"
		}
	}
	return c
}

func fieldIndex(name string) int {
	return slices.IndexFunc(Fields, func(f Field) bool { return f.Name == name })
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// dateSet is every date DingTalk gave a value of field f for.
func dateSet(x *person, f Field, ids map[string]int64) map[string]bool {
	out := map[string]bool{}
	for key, days := range x.theirs {
		if (f.Leave && key[0] != '#') || (!f.Leave && key == syncer.ColumnKey(ids[f.Name])) {
			for d := range days {
				out[d] = true
			}
		}
	}
	return out
}
