// Package syncer brings a company's DingTalk org chart and attendance into kaoqin's store,
// spending DingTalk's metered calls like money. It is the only package that knows both
// DingTalk's wire types (package dingtalk) and kaoqin's values (translate.go converts them).
//
// # Use
//
// The books come first: their Hook is the client's call hook, so that every attempt is in the
// metered-call ledger and the quota can be kept.
//
//	books := syncer.NewBooks(loc, logger)
//	client, err := dingtalk.NewClient(key, secret, dingtalk.WithCallHook(books.Hook), ...)
//	if err := syncer.CheckAccess(ctx, client, baseURL); err != nil {
//		return err // bad credentials or DingTalk unreachable: nothing written yet
//	}
//	db, err := store.Open(ctx, dsn)
//	s, err := syncer.New(syncer.Config{Client: client, Store: db, Books: books,
//		Location: loc, Logger: logger, MonthlyQuota: 5000})
//	plan, err := s.Plan(ctx, syncer.Request{From: "2026-11-01", To: "2026-11-30"}) // no DingTalk call
//	sum, err := s.Run(ctx, syncer.Request{From: "2026-11-01", To: "2026-11-30"})
//
// For the live board of kaoqin serve, SyncToday pulls today (everyone's checks, leave and
// plans first, then the punches of only who has not checked in: listRecord costs a call per
// 50 people where attendance/list costs a page per 50 checks), and Budget says how many such
// pulls the month affords, and when:
//
//	b, err := s.Budget(ctx)
//	for _, at := range b.NextPolls(time.Now()) { schedule(at, func() { s.SyncToday(ctx) }) }
//
// # How a sync goes
//
// Run takes the store's "sync" lock (one sync at a time, across processes; runs a killed
// process left "running" are marked interrupted), pulls the org chart (department tree with
// listsub, details with department/get, members with v2/user/list, the three paths side by
// side; all free) and saves it as one snapshot, so that departed people and removed
// departments are marked, not deleted, and memberships keep their dates. Then it plans the
// attendance of everyone who belonged to the company in the range: check results in chunks of
// 50 people × 7 days, leave in chunks of 100 people × 180 days, punch records (listRecord, 50
// × 7, no pages) and plans (listbyusers, 50 × 7, on behalf of an administrator of the org
// chart or Config.OpUserID; or listschedule, the whole company a day, 200 plans a page, when
// that costs less: a single day). Punches and plans can be turned off (Config.NoPunches,
// NoPlans, Request.NoPunches, NoPlans). Each chunk is fetched whole, page after page, and saved
// in one transaction with its checkpoint; several chunks are in flight at once under the
// client's per-path limiter, their kinds interleaved. A day is marked covered as soon as every
// chunk over it is in: the results (checks and leave) in Coverage, punches and plans each in
// KindCoverage, so a report of punches refuses days whose punches were not pulled.
//
// # Closed data is fetched once, and once more at an age
//
// A day covered by a pull that began after the day had closed is final: after it ended, and
// after its last check plus Config.LateWindow, since DingTalk files a night shift's check-out
// the next morning under the day the shift began (final.go). Later syncs leave it out (so the
// month-end sync of a payroll period costs nothing for the days the nightly syncs did), but
// for its last pull when it is Config.LastPullAge days old, which brings the corrections
// DingTalk took in after the day. A day pulled whole after it ended but before its night shift
// was over is open; once it has closed, a close-out pulls only the people whose day was still
// open then (their checks were pulled before their own last check's window passed), and the
// day is final. Within the days still to fetch, each chunk's checkpoint (kind, days, and a hash
// of its sorted userids) is recorded with the time it was fetched, and counts only if that was
// after the days needed nothing more; a window touching today is fetched every time. Killing
// the process anywhere and running again gives the rows of one clean run, and the chunks
// already saved are not fetched again. Request.Refetch ignores both (DingTalk data can change
// after the fact: approvals, admin edits). listRecord selects punches by their time, so punch
// chunks span 6 work dates and ask for the day after too, within its 7 x 24 hours: a night
// shift's check-out comes with its day.
//
// # Quota
//
// Every attempt is recorded (Books.Hook): metered when its path is metered and DingTalk did
// not throttle it; a call that got no answer or a fault counts as metered too, the safe side
// of a budget. Plan estimates the calls from the store alone (pages from the checks per
// employee-day already stored); Run refuses to start when the expected calls exceed what the
// month has left, checks the budget before every metered call while it runs, and stops at
// once, keeping the chunks saved, when DingTalk answers 90020 (the quota is the org's: other
// apps spend it too).
package syncer
