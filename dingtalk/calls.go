package dingtalk

import (
	"strings"
	"time"
)

// CallInfo is what the call hook (WithCallHook) sees of one HTTP attempt, so that a caller can
// keep the books of DingTalk calls: one CallInfo per attempt, retries and token fetches
// included.
type CallInfo struct {
	Path    string // the API path, e.g. "/attendance/list"
	Metered bool   // the path counts against the org's monthly quota (IsMetered)
	Attempt int    // 1 for the first try of a call, 2 for its first retry...
	// Errcode and SubCode are DingTalk's answer; 0 and "" on success and when no answer came.
	Errcode    int
	SubCode    string
	HTTPStatus int  // 0 when no answer came
	Throttled  bool // DingTalk said "too fast"; DingTalk does not meter such calls
	At         time.Time
	Duration   time.Duration
	Err        error // nil on success; never holds a token or the secret
}

// IsMetered reports whether calls to path count against the org's monthly quota of metered
// calls (5,000 a month on the standard edition): the attendance APIs (/attendance/... and
// /topapi/attendance/...) and work notifications (/topapi/message/corpconversation/...).
// Token, contacts and robot calls are free. DingTalk does not count calls it throttled, so a
// ledger should count attempts that are Metered and not Throttled.
func IsMetered(path string) bool {
	for _, p := range []string{"/attendance/", "/topapi/attendance/", "/topapi/message/corpconversation/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}
