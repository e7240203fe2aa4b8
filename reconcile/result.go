package reconcile

// Causes of a difference.
const (
	// CauseApproval: a leave approved (or revoked) after kaoqin pulled the day.
	CauseApproval = "approval_after_pull"
	// CauseEdited: a check result changed after kaoqin pulled the day (an administrator, an
	// approval, DingTalk itself: Source says).
	CauseEdited = "edited_after_pull"
	// CauseLeft: the person has left; DingTalk's report serves nothing for people who left.
	CauseLeft = "left"
	// CauseRule: DingTalk's results are what kaoqin holds, yet its report counts otherwise.
	CauseRule = "rule"
	// CauseUnverified: the month's budget did not allow asking DingTalk what changed.
	CauseUnverified = "unverified"
)

// Rules DingTalk applies that kaoqin does not, as far as kaoqin recognises them.
const (
	// RuleAbsenteeismLate: DingTalk counts a day with a 旷工迟到 (Absenteeism) check-in as a
	// day of 旷工; kaoqin's absent_days counts days with every check NotSigned.
	RuleAbsenteeismLate = "absenteeism_late_is_absent"
	// RuleLeaveOnRestDay: DingTalk counts leave on a day without checks (a leave type counted
	// in natural days); kaoqin's leave_days counts scheduled days.
	RuleLeaveOnRestDay = "leave_on_rest_day"
)

// Result is what a reconciliation found: the contract of `kaoqin reconcile --format json` and
// of the API.
type Result struct {
	Kind        string  `json:"kind"` // "reconciliation"
	ID          int64   `json:"id,omitempty"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	Timezone    string  `json:"timezone"`
	GeneratedAt string  `json:"generated_at"`
	Scope       []int64 `json:"scope,omitempty"`
	Sample      int     `json:"sample,omitempty"`
	// People are the people compared; Agreeing those without a difference.
	People   int `json:"people"`
	Agreeing int `json:"agreeing"`
	// Left are the people chosen who have left: DingTalk's report has nothing for them, so
	// they are not asked about (their kaoqin numbers are in Differences, cause "left").
	Left []Person `json:"left"`
	// Fields are the period fields compared; NotCompared the others, with why.
	Fields      []Field          `json:"fields"`
	NotCompared []NotCompared    `json:"not_compared"`
	Differences []Difference     `json:"differences"` // by userid, then field order
	Causes      map[string]int   `json:"causes"`      // differing days (or fields of people who left) by cause
	Calls       Calls            `json:"calls"`
	Notes       []string         `json:"notes,omitempty"`
	index       map[string][]int // userid -> differences
}

// Person is someone chosen for a reconciliation.
type Person struct {
	UserID string `json:"userid"`
	Name   string `json:"name"`
	LeftOn string `json:"left_on,omitempty"`
}

// NotCompared is a period field the reconciliation could not compare, and why.
type NotCompared struct {
	Field string `json:"field"`
	// Reason is why, as a code: "no_column" (DingTalk's report has no such column),
	// "leave_units" (leave is compared as days on leave), "recent_only" (应出勤天数 has values
	// for the last 15 days only). Why says it in English.
	Reason string `json:"reason"`
	Why    string `json:"why"`
	// From, if set, is the first day it was compared on (应出勤天数 has values for the last 15
	// days only): the days before were not.
	From string `json:"from,omitempty"`
}

// Difference is one period field of one person on which kaoqin and DingTalk differ.
type Difference struct {
	UserID   string  `json:"userid"`
	Name     string  `json:"name"`
	Field    string  `json:"field"`
	Column   string  `json:"column"`
	Kaoqin   float64 `json:"kaoqin"`
	DingTalk float64 `json:"dingtalk"`
	// Days are the days that differ, with each day's cause; none for a person who left.
	Days  []DayDifference `json:"days"`
	Cause string          `json:"cause"` // the days' cause when they share one, else "mixed"
}

// DayDifference is one day on which a field differs.
type DayDifference struct {
	Date     string  `json:"date"`
	Kaoqin   float64 `json:"kaoqin"`
	DingTalk float64 `json:"dingtalk"`
	Cause    string  `json:"cause"`
	// What changed, when a result changed after the pull: the check, its result in kaoqin and
	// in DingTalk now, and who changed it (DingTalk's sourceType: BOSS an administrator,
	// APPROVE an approval).
	CheckType string `json:"check_type,omitempty"`
	Was       string `json:"was,omitempty"`
	Now       string `json:"now,omitempty"`
	Source    string `json:"source,omitempty"`
	// Rule names the rule DingTalk applies, when kaoqin recognises it.
	Rule string `json:"rule,omitempty"`
	// PulledAt is when kaoqin pulled the day (RFC 3339), for changes after the pull.
	PulledAt string `json:"pulled_at,omitempty"`
	// Fix is the command that brings DingTalk's day into kaoqin, when one does.
	Fix string `json:"fix,omitempty"`
}

// Calls are what the reconciliation spent of the month's metered calls.
type Calls struct {
	Planned  int64            `json:"planned"`  // priced before it began
	Verify   int64            `json:"verify"`   // priced for explaining the differences
	Made     int64            `json:"made"`     // every call, retries included
	Metered  int64            `json:"metered"`  // of which metered
	ByPath   map[string]int64 `json:"by_path"`  // calls per API path
	Verified bool             `json:"verified"` // the differences were checked against DingTalk's results
}

// DifferencesOf returns the differences of one person.
func (r *Result) DifferencesOf(userid string) []Difference {
	if r.index == nil {
		r.index = map[string][]int{}
		for i, d := range r.Differences {
			r.index[d.UserID] = append(r.index[d.UserID], i)
		}
	}
	var out []Difference
	for _, i := range r.index[userid] {
		out = append(out, r.Differences[i])
	}
	return out
}
