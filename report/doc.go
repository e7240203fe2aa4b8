// Package report turns what DingTalk said about attendance into the reports of
// spec/reports.md: the daily report (per department subtree and for the company, live while
// the day is in progress), the period report (per employee and per department, over any
// range, e.g. the 26th to the 25th), and, for the dashboard, a per-day series of one scope and
// one employee's calendar.
//
// The report functions are pure: they take the rows (Input), the time zone and the moment
// "now" (Options), and return values. No database and no clock is read inside; the Load
// functions are the only code that does I/O, through a Source (the read side of the store).
// DingTalk judges every check; the package only counts, and every number can be traced back
// to the people (Daily.Who, Period.Who) and the checks (Period.Checks, Period.Days) behind it.
//
// The daily report of a day in progress is shift-aware and live (live.go): plans (排班) say who
// is due when before anyone punches, and punches seen before DingTalk's verdict count as
// provisional readings. A punch feeds it by being stored: SavePunches a kaoqin.Punch of its user
// and work date (from listRecord, or from a Stream or HTTP event, with a batch without a Scope),
// and the next report of that day reads it; a punch pull's SyncedAt tells that a person had no
// other punch until then. Each employee carries a Presence word (in, late, overdue, awaiting,
// not_due, on_leave, absent, rest) that tallies with the counts, and scheduled = checked_in +
// not_checked_in + awaiting + not_due_yet + on_leave_not_checked_in on every line.
//
// A report refuses to speak about days that have not been synced: it fails with
// kaoqin.ENOTSYNCED naming the days and the sync command to run, never with zeros.
//
// A period report of a large company is computed a slice of the company at a time as it is
// written (OpenPeriod, a PeriodStream): its memory does not grow with the company. LoadPeriod
// holds the whole range in memory, and can trace every number back to its checks.
//
// The writers put a Daily or a Period into every format HR uses: an aligned table for a
// terminal, the JSON contract, CSV (UTF-8 with a BOM, for Excel) and XLSX (numbers as
// numbers, dates as dates, streamed). Headers are Chinese by default, English on request.
//
// A command prints the period report of one department's subtree:
//
//	opts := report.Options{Location: loc, Now: time.Now(), DeptIDs: []int64{5}}
//	r, err := report.LoadPeriod(ctx, store, "2026-10-26", "2026-11-25", opts)
//	if err != nil {
//		return err // ENOTSYNCED: "attendance of 2026-11-24..2026-11-25 has not been synced: run kaoqin sync ..."
//	}
//	return report.Write(os.Stdout, r, report.FormatTable, report.Chinese)
//
// and the dashboard explains a number:
//
//	late, err := r.Who(5, "late_count")         // the userids behind 销售部's late count
//	checks, err := r.Checks("u02", "late_minutes") // the Late checks behind 李四's minutes
package report
