// Package dingtalk is a typed client for DingTalk's (钉钉) legacy Open API at
// https://oapi.dingtalk.com, for an enterprise-internal app: contacts (departments and users),
// attendance (results, punches, schedules, groups, leave), work notifications, and custom group
// robots. It depends on the standard library and golang.org/x only, and stands alone.
//
// # Usage
//
//	c, err := dingtalk.NewClient(appKey, appSecret,
//		dingtalk.WithLogger(logger),           // Debug per call, Warn per retry
//		dingtalk.WithCallHook(func(ci dingtalk.CallInfo) {
//			if ci.Metered && !ci.Throttled {
//				metered.Add(1) // the monthly quota's books
//			}
//		}))
//	if err != nil {
//		return err
//	}
//
//	// Every department under the root, breadth first.
//	for d, err := range c.Departments.Walk(ctx, dingtalk.RootDepartmentID, "") {
//		if err != nil {
//			return err
//		}
//		for u, err := range c.Users.All(ctx, int64(d.ID), nil) {
//			if err != nil {
//				return err
//			}
//			fmt.Println(d.Name, u.UserID, u.Name)
//		}
//	}
//
//	// A month of punch results for any number of users: the iterator splits the work into
//	// calls of at most 50 users × 7 days and pages each to the end.
//	from, to := dingtalk.MustParseDate("2026-10-26"), dingtalk.MustParseDate("2026-11-25")
//	for r, err := range c.Attendance.Results(ctx, userIDs, from, to) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(r.UserID, r.CheckType, r.TimeResult)
//	}
//
// # Chunks
//
// A sync engine that commits its work one call-sized piece at a time plans the same pieces
// as the iterators with PlanChunks, and fetches each with the chunk-level calls, which return
// all pages of one chunk or an error:
//
//	for _, ch := range dingtalk.PlanChunks(userIDs, from, to, dingtalk.MaxResultUsers, dingtalk.MaxResultDays) {
//		rows, err := c.Attendance.ListAll(ctx, ch.ResultOptions())
//		...
//	}
//
// LeaveStatusAll does the same for leave (PlanChunks with MaxLeaveUsers and MaxLeaveDays).
//
// # DingTalk's own report
//
// The smart report (智能报表) is daily and one person a call: ReportColumns lists its columns
// (leave columns have no id), ColumnValues gives one person's daily values of up to 20 of
// them over at most 31 days, to be summed by the caller, and LeaveTimes one person's daily
// leave by leave type (the only API that has the type). IsSmartReportOpen says whether the org
// has the report; VacationTypes lists the leave types with their units. A month of N people
// costs N calls per 20 columns: price them before calling.
//
// # Dates and time zones
//
// Work dates are Date values (a calendar day, no zone). The client turns them into
// DingTalk's "yyyy-MM-dd HH:mm:ss" strings and millisecond bounds in the org's time zone,
// WithLocation, Asia/Shanghai by default. Windows of days are [d, d+6]: DingTalk's "at most
// 7 days" is read as 7 calendar days, both ends included.
//
// # Errors
//
// A call that DingTalk refuses returns an *APIError (path, errcode, sub_code, message,
// request id, HTTP status). Test it with the predicates, which look through wrapping:
// IsThrottled, IsAuth, IsQuotaExhausted (90020: the month's metered calls are spent),
// IsTransient and IsInvalidParam. No error text and no log line holds the app secret or a
// token: URLs in network errors are redacted too.
//
// # Rate limits, retries and tokens
//
// DingTalk allows 20 calls a second per app and API path (WithQPS to change it), counted in
// 1-second windows as calls arrive. The client keeps one token bucket per path, burst 1, that
// spaces calls evenly and 5% under the limit (52.5 ms apart at 20), so that network jitter
// below 50 ms cannot push a 21st call into a window. 90018 then comes only from jitter beyond
// that or from another process calling with the same app.
// Throttled calls (90018, 90002, 90005, 90006, their errcode-88 forms) and transient ones
// (-1, HTTP 5xx, timeouts, reset connections) are retried with exponential backoff and jitter,
// bounded by WithRetry, with the same request body. 90020 is never retried. An IP ban (HTML,
// or "status":1111) is not retried either: its error says to wait about 5 minutes.
//
// The access token is fetched once per app, shared by all goroutines (single flight), and
// replaced ahead of its expiry. When DingTalk rejects it (40014, 42001, 40001, 41001, or 88
// with one of those as sub_code) the client drops it, fetches a new one and retries at once.
// A new token rejected on its first attempt fails the call; one that expires after a
// throttled or failed attempt, while the call waits to retry, is replaced again.
//
// # Testing against a fake
//
// Point the client at any http.Handler:
//
//	srv := httptest.NewServer(handler)
//	c, _ := dingtalk.NewClient("key", "secret", dingtalk.WithBaseURL(srv.URL))
//
// WithClock and WithSleep make expiry, backoff and limiter waits instant and exact in tests.
package dingtalk
