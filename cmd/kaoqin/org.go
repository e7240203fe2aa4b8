package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/orgpush"
)

// orgCmd groups the commands about the org chart.
type orgCmd struct {
	Push orgPushCmd `cmd:"" help:"Make DingTalk follow the HR system's org chart (a CSV or JSON file): plan, print the plan, apply it."`
}

// orgPushCmd pushes an HR org file into DingTalk. The input format is in orgpush's package
// documentation and the README.
type orgPushCmd struct {
	File          string   `required:"" type:"existingfile" placeholder:"FILE" help:"The HR org chart: CSV (UTF-8, or GB18030 as Chinese Excel saves it; a kind column tells departments from people), an .xlsx workbook (its first sheet, the same columns) or JSON ({\"departments\":[...],\"people\":[...]})."`
	Clear         []string `placeholder:"FIELD" help:"Let an empty cell of this column clear DingTalk's value instead of leaving it (repeat or separate with commas): email, job_number, title, telephone, work_place, remark, org_email, extattr, manager."`
	DryRun        bool     `name:"dry-run" help:"Print the plan and stop: nothing is sent to DingTalk."`
	DeleteMissing bool     `name:"delete-missing" help:"Remove the people and departments DingTalk has and the file does not (never the root, never DingTalk's administrators)."`
	AllowRecreate bool     `name:"allow-recreate" help:"Delete and create again the people whose mobile changed (DingTalk cannot change a mobile): they lose their DingTalk history."`
	ListKept      bool     `name:"list-kept" help:"List everything DingTalk has and the file does not; without it the plan shows the first 30."`
	Journal       string   `placeholder:"FILE" help:"Journal of the push, one JSON line per step (default: FILE.journal.jsonl next to the input)."`
}

// Help is the detailed help of kaoqin org push --help.
func (c *orgPushCmd) Help() string {
	return "Reads the file and checks it whole (nothing is sent if any line is wrong), reads DingTalk's org chart, " +
		"and prints the plan, each changed field old -> new: departments created parent first, moved, renamed and updated, " +
		"people removed, moved and updated, created, managers set once the people they name exist, departments removed leaf first. " +
		"Then it applies the plan under DingTalk's rate limits, one line per step, and prints a summary. " +
		"An empty cell leaves DingTalk's value as it is, unless --clear names its column. " +
		"Departments are matched by their HR id (kept in DingTalk's source_identifier), then by their path of names; " +
		"people by userid, then by mobile and name. An interrupted push is resumed by running the same command again. " +
		"Exit status 1 if a step failed or a change cannot be applied; changes left out for want of --allow-recreate or " +
		"--delete-missing are listed but do not fail the push."
}

func (c *orgPushCmd) Run(ctx context.Context, g *Globals) error {
	if err := orgpush.CheckClear(c.Clear); err != nil {
		return usageError{err}
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}
	opts := orgpush.Options{DeleteMissing: c.DeleteMissing, AllowRecreate: c.AllowRecreate, Clear: c.Clear, Location: loc}
	f, err := orgpush.Load(c.File)
	if e, ok := orgpush.IsInvalidFile(err); ok {
		return c.problems(g, e)
	}
	if err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "%v", err)
	}
	client, err := g.dingtalkClient(nil)
	if err != nil {
		return err
	}
	journal := c.Journal
	if journal == "" {
		journal = c.File + ".journal.jsonl"
	}
	attempts, err := orgpush.ReadJournal(journal)
	if err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "%v (choose another journal with --journal)", err)
	}
	earlier := orgpush.Unfinished(attempts)

	start := time.Now()
	org, err := orgpush.ReadFor(ctx, client, f, opts)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("%w; nothing was changed", err)
	}
	fmt.Fprintf(g.stdout, "Read DingTalk's org chart in %s.\n", time.Since(start).Round(time.Millisecond))
	plan, err := orgpush.NewPlan(f, org, opts)
	if e, ok := orgpush.IsInvalidFile(err); ok {
		return c.problems(g, e) // the file's managers against DingTalk's people
	}
	if err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "%v", err)
	}
	if err := orgpush.WriteAttempts(g.stdout, earlier); err != nil {
		return err
	}
	if !c.ListKept {
		plan.KeptShown = 30
	}
	if err := plan.Write(g.stdout); err != nil {
		return err
	}
	if c.DryRun {
		fmt.Fprintln(g.stdout, "\nDry run: nothing was sent to DingTalk.")
		return nil
	}

	j, err := orgpush.OpenJournal(journal)
	if err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "%v", err)
	}
	defer j.Close()
	if len(plan.Steps) > 0 {
		fmt.Fprintf(g.stdout, "\nApplying %d %s (journal %s):\n", len(plan.Steps), orgNoun(len(plan.Steps), "step", "steps"), journal)
	}
	res, err := (&orgpush.Runner{Client: client, Journal: j, Progress: g.stdout}).Apply(ctx, plan)
	if werr := orgpush.WriteSummary(g.stdout, plan, res, earlier); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	failed, blocked := len(res.Failed()), plan.Blocked()
	if failed > 0 || blocked > 0 {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "org push: %d %s failed or skipped, %d %s cannot be applied; see the summary, fix the cause and run the same command again",
			failed, orgNoun(failed, "step", "steps"), blocked, orgNoun(blocked, "change", "changes"))
	}
	return nil
}

// problems lists the file's problems on stderr, one a line, and returns the command's error.
func (c *orgPushCmd) problems(g *Globals, e *orgpush.InvalidFileError) error {
	for _, p := range e.Problems {
		fmt.Fprintf(g.stderr, "%s: %s\n", c.File, e.Describe(p))
	}
	return kaoqin.Errorf(kaoqin.EINVALID, "%s: %d %s; nothing was sent to DingTalk", c.File, len(e.Problems), orgNoun(len(e.Problems), "problem", "problems"))
}

func orgNoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
