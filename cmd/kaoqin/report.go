package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/store"
)

// reportCmd writes the reports of spec/reports.md from the database; it never calls DingTalk.
type reportCmd struct {
	Daily   reportDailyCmd   `cmd:"" help:"The daily report: per department, who is scheduled, checked in, late, absent, on leave."`
	Period  reportPeriodCmd  `cmd:"" help:"The period report: per employee and department over any range, e.g. the 26th to the 25th."`
	Review  reportReviewCmd  `cmd:"" help:"Punches and patterns worth a human look (spec/punches.md): invalid punches, shared phones, results not made by the person, far punches, the same minute day after day."`
	Methods reportMethodsCmd `cmd:"" help:"Punches by method per department and day: machines, phones on GPS and Wi-Fi, approvals..., outside share, invalid punches."`
}

// reportOutput are the flags both reports share.
type reportOutput struct {
	Format string  `default:"table" enum:"table,json,csv,xlsx" help:"Output format (${enum}): table for a terminal, json for scripts, csv and xlsx for Excel."`
	Output string  `short:"o" placeholder:"FILE" help:"Write to FILE instead of standard output; the file appears only once complete."`
	Dept   []int64 `placeholder:"ID" help:"Only these departments and their subtrees (repeatable)."`
	Lang   string  `default:"zh" enum:"zh,en" help:"Language of headers and labels (${enum})."`
}

type reportDailyCmd struct {
	Date         string `placeholder:"DATE" help:"The day, YYYY-MM-DD in the configured time zone (default: today)."`
	reportOutput `embed:""`
}

type reportPeriodCmd struct {
	From         string `required:"" placeholder:"DATE" help:"First day of the range, YYYY-MM-DD."`
	To           string `required:"" placeholder:"DATE" help:"Last day of the range, inclusive."`
	reportOutput `embed:""`
}

func (c *reportDailyCmd) Run(ctx context.Context, g *Globals) error {
	loc, err := g.Location()
	if err != nil {
		return err
	}
	today := kaoqin.DateOf(time.Now(), loc)
	day := c.Date
	if day == "" {
		day = today
	} else if day, err = kaoqin.CheckDate(day, today); err != nil {
		return err
	}
	return c.write(ctx, g, loc, func(src report.SliceSource, opts report.Options) (report.Report, error) {
		return report.LoadDaily(ctx, src, day, opts)
	})
}

func (c *reportPeriodCmd) Run(ctx context.Context, g *Globals) error {
	loc, from, to, err := g.Range(c.From, c.To)
	if err != nil {
		return err
	}
	// Computed as it is written, a slice of the company at a time: a month of 100,000 people
	// takes about the memory of 10,000.
	return c.write(ctx, g, loc, func(src report.SliceSource, opts report.Options) (report.Report, error) {
		return report.OpenPeriod(ctx, src, from, to, opts)
	})
}

// write loads a report with load and writes it where the flags say.
func (o *reportOutput) write(ctx context.Context, g *Globals, loc *time.Location, load func(report.SliceSource, report.Options) (report.Report, error)) error {
	return o.writeFrom(ctx, g, loc, func(db *store.DB, opts report.Options) (report.Report, error) { return load(db, opts) })
}

// writeFrom is write for a report that reads more of the store than a SliceSource.
func (o *reportOutput) writeFrom(ctx context.Context, g *Globals, loc *time.Location, load func(*store.DB, report.Options) (report.Report, error)) error {
	format, err := report.ParseFormat(o.Format)
	if err != nil {
		return err
	}
	lang, err := report.ParseLang(o.Lang)
	if err != nil {
		return err
	}
	if format == report.FormatXLSX && o.Output == "" && isTerminal(g.stdout) {
		return kaoqin.Errorf(kaoqin.EINVALID, "xlsx is a binary file: give --output FILE or redirect standard output")
	}
	db, err := g.openStore(ctx, store.MustExist())
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := load(db, report.Options{Location: loc, Now: time.Now(), DeptIDs: o.Dept})
	if err != nil {
		return err
	}
	if o.Output == "" {
		w := bufio.NewWriter(g.stdout)
		if err := report.Write(w, r, format, lang); err != nil {
			return err
		}
		return w.Flush()
	}
	return writeFileAtomic(o.Output, func(w io.Writer) error { return report.Write(w, r, format, lang) })
}

// writeFileAtomic writes a file through a temporary file in the same folder and renames it
// into place, so that a failed or interrupted export never leaves half a file where payroll
// expects a whole one.
func writeFileAtomic(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
