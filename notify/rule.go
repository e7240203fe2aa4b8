package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kaoqin/kaoqin"
)

// Limits of a rule's fields.
const (
	MaxOffset  = 24 * 60 // minutes: an offset from a shift start of at most a day either way
	MaxCap     = 10      // messages of one rule to one recipient a day
	MinEvery   = 5       // minutes between repeats, at least
	MaxNoteLen = 200     // characters of a rule's note
)

// Org is what validation needs to know of the org chart.
type Org struct {
	Departments []kaoqin.Department
	Employees   []kaoqin.Employee
}

// Validator checks rules whole before anything is saved. RobotHosts are the hosts a robot's
// webhook may have besides oapi.dingtalk.com (the host of KAOQIN_DINGTALK_BASE_URL, so that
// rules work against the simulator), where plain http is allowed too.
type Validator struct {
	Org        Org
	RobotHosts []string
	// Rules are the rules saved already: a name is one rule's only, since it starts every
	// message and keeps the texts of two rules apart (DingTalk drops a second identical text).
	Rules []kaoqin.ReminderRule
}

// Validate checks r and tidies it (trims names, sorts the audience, sets the default cap).
// The first problem found is returned as one line saying what to fix (EINVALID); r is then
// not to be saved.
func (v Validator) Validate(r *kaoqin.ReminderRule) error {
	bad := func(format string, args ...any) error { return kaoqin.Errorf(kaoqin.EINVALID, format, args...) }
	r.Name = strings.TrimSpace(r.Name)
	r.Note = strings.TrimSpace(r.Note)
	r.At, r.QuietFrom, r.QuietTo = strings.TrimSpace(r.At), strings.TrimSpace(r.QuietFrom), strings.TrimSpace(r.QuietTo)
	if r.Cap == 0 {
		r.Cap = 1
	}
	switch {
	case r.Name == "":
		return bad("Give the rule a name (it starts every message, so that people know which rule spoke).")
	case utf8.RuneCountInString(r.Name) > 40:
		return bad("The rule's name %q is too long: at most 40 characters.", r.Name)
	case utf8.RuneCountInString(r.Note) > MaxNoteLen:
		return bad("The note is too long: at most %d characters.", MaxNoteLen)
	case slices.ContainsFunc(v.Rules, func(o kaoqin.ReminderRule) bool { return o.ID != r.ID && strings.EqualFold(o.Name, r.Name) }):
		return bad("Another rule is called %q: give this one a name of its own (it starts every message).", r.Name)
	}
	switch r.Channel {
	case kaoqin.ChannelPerson, kaoqin.ChannelDigest, kaoqin.ChannelRobot:
	default:
		return bad("Unknown channel %q: want person (a work notification to each person), digest (to each department's managers) or robot (a group robot).", r.Channel)
	}
	if r.At != "" {
		if _, err := clock(r.At); err != nil {
			return bad("The time %q does not parse: want HH:MM such as 09:30.", r.At)
		}
		if r.After != 0 {
			return bad("Give a time (HH:MM) or an offset from the shift start, not both.")
		}
	} else if r.Channel != kaoqin.ChannelPerson {
		return bad("A %s rule needs a time (HH:MM such as 09:30): it speaks of everyone at one moment, not of each person's shift.", r.Channel)
	}
	switch {
	case r.After < -MaxOffset || r.After > MaxOffset:
		return bad("The offset of %d minutes is over a day: want %d to %d minutes from the shift start.", r.After, -MaxOffset, MaxOffset)
	case r.Cap < 1 || r.Cap > MaxCap:
		return bad("The cap of %d messages a day is out of range: want 1 to %d.", r.Cap, MaxCap)
	case r.Every < 0 || r.Every > 0 && r.Every < MinEvery || r.Every > MaxOffset:
		return bad("Repeat every %d minutes is out of range: want 0 (no repeat) or %d to %d.", r.Every, MinEvery, MaxOffset)
	case r.Cap > 1 && r.Every == 0:
		return bad("A cap of %d messages a day needs a repeat interval (every N minutes).", r.Cap)
	case r.Cap == 1 && r.Every != 0:
		return bad("A repeat every %d minutes needs a cap above 1 (how many messages at most).", r.Every)
	}
	first := r.After
	if r.At != "" {
		at, _ := clock(r.At)
		first = int(at / time.Minute)
	}
	if last := first + (r.Cap-1)*r.Every; r.At != "" && last >= 24*60 || r.At == "" && last > MaxOffset {
		return bad("The last repeat (%d x %d minutes after the first) falls more than a day out: fewer repeats, or a shorter interval.", r.Cap-1, r.Every)
	}
	if (r.QuietFrom == "") != (r.QuietTo == "") {
		return bad("Quiet hours need both ends (from and to, HH:MM), or neither.")
	}
	for _, s := range []string{r.QuietFrom, r.QuietTo} {
		if _, err := clock(s); s != "" && err != nil {
			return bad("The quiet hour %q does not parse: want HH:MM such as 22:00.", s)
		}
	}
	if r.QuietFrom != "" && r.QuietFrom == r.QuietTo {
		return bad("Quiet hours from %s to %s are empty: give two different times.", r.QuietFrom, r.QuietTo)
	}
	if err := v.checkRobot(r); err != nil {
		return err
	}
	return v.checkAudience(r)
}

func (v Validator) checkRobot(r *kaoqin.ReminderRule) error {
	bad := func(format string, args ...any) error { return kaoqin.Errorf(kaoqin.EINVALID, format, args...) }
	r.RobotURL, r.RobotSecret = strings.TrimSpace(r.RobotURL), strings.TrimSpace(r.RobotSecret)
	if r.Channel != kaoqin.ChannelRobot {
		if r.RobotURL != "" || r.RobotSecret != "" {
			return bad("Only robot rules have a robot webhook and secret.")
		}
		return nil
	}
	if r.RobotURL == "" {
		return bad("A robot rule needs the robot's webhook URL (https://oapi.dingtalk.com/robot/send?access_token=..., from the group's robot settings).")
	}
	u, err := url.Parse(r.RobotURL)
	ok := err == nil && u.Path == "/robot/send" && u.Query().Get("access_token") != "" && u.User == nil && u.Fragment == ""
	if ok {
		switch {
		case u.Scheme == "https" && u.Host == "oapi.dingtalk.com":
		case (u.Scheme == "https" || u.Scheme == "http") && slices.Contains(v.RobotHosts, u.Host):
		default:
			ok = false
		}
	}
	if !ok {
		return bad("The robot URL %s is not DingTalk's webhook: want https://oapi.dingtalk.com/robot/send?access_token=..., copied from the group robot's settings.", MaskURL(r.RobotURL))
	}
	if r.RobotSecret != "" && !strings.HasPrefix(r.RobotSecret, "SEC") {
		return bad("The robot's signing secret starts with SEC (加签 in the robot's security settings); leave it empty for a robot secured by keywords or IP.")
	}
	return nil
}

func (v Validator) checkAudience(r *kaoqin.ReminderRule) error {
	depts := make(map[int64]kaoqin.Department, len(v.Org.Departments))
	for _, d := range v.Org.Departments {
		depts[d.ID] = d
	}
	emps := make(map[string]kaoqin.Employee, len(v.Org.Employees))
	for _, e := range v.Org.Employees {
		emps[e.UserID] = e
	}
	slices.Sort(r.DeptIDs)
	r.DeptIDs = slices.Compact(r.DeptIDs)
	for _, id := range r.DeptIDs {
		if d, ok := depts[id]; !ok || d.RemovedAt != 0 {
			return kaoqin.Errorf(kaoqin.EINVALID, "Department %d is not in the org chart: check the id (the department page's address shows it), or run kaoqin sync --org-only if it is new.", id)
		}
	}
	for i, u := range r.UserIDs {
		r.UserIDs[i] = strings.TrimSpace(u)
	}
	r.UserIDs = slices.DeleteFunc(r.UserIDs, func(s string) bool { return s == "" })
	slices.Sort(r.UserIDs)
	r.UserIDs = slices.Compact(r.UserIDs)
	for _, u := range r.UserIDs {
		if e, ok := emps[u]; !ok || e.LeftAt != 0 {
			return kaoqin.Errorf(kaoqin.EINVALID, "No one with userid %q works here: check the userid (the employee page's address shows it), or run kaoqin sync --org-only if they are new.", u)
		}
	}
	if r.Channel == kaoqin.ChannelRobot && len(r.UserIDs) > 0 {
		return kaoqin.Errorf(kaoqin.EINVALID, "A robot rule posts a summary of departments (or the company), not of single people: give departments, or none.")
	}
	return nil
}

// clock reads "HH:MM" as a time of day.
func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("bad time of day %q", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// MaskURL shows a robot webhook without its access token (the first and last four
// characters of it), for pages, listings and errors.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(a URL that does not parse)"
	}
	q := u.Query()
	if tok := q.Get("access_token"); tok != "" {
		masked := "…"
		if len(tok) > 12 {
			masked = tok[:4] + "…" + tok[len(tok)-4:]
		}
		q.Set("access_token", masked)
	}
	for _, k := range []string{"sign", "timestamp"} {
		q.Del(k)
	}
	u.RawQuery = q.Encode()
	u.User = nil
	s, _ := url.QueryUnescape(u.String())
	return s
}

// robotKey names a robot by a digest of its access token: the recipient of its messages, and
// the key of its limit of 20 a minute, whatever the rule.
func robotKey(webhook string) string {
	tok := webhook
	if u, err := url.Parse(webhook); err == nil {
		tok = u.Query().Get("access_token")
	}
	sum := sha256.Sum256([]byte(tok))
	return "robot:" + hex.EncodeToString(sum[:6])
}
