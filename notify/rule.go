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
	bad := func(key string, args ...any) error { return errorf(kaoqin.EINVALID, key, args...) }
	r.Name = strings.TrimSpace(r.Name)
	r.Note = strings.TrimSpace(r.Note)
	r.At, r.QuietFrom, r.QuietTo = strings.TrimSpace(r.At), strings.TrimSpace(r.QuietFrom), strings.TrimSpace(r.QuietTo)
	if r.Cap == 0 {
		r.Cap = 1
	}
	switch {
	case r.Name == "":
		return bad("rule_no_name")
	case utf8.RuneCountInString(r.Name) > 40:
		return bad("rule_name_long", r.Name)
	case utf8.RuneCountInString(r.Note) > MaxNoteLen:
		return bad("rule_note_long", MaxNoteLen)
	case slices.ContainsFunc(v.Rules, func(o kaoqin.ReminderRule) bool { return o.ID != r.ID && strings.EqualFold(o.Name, r.Name) }):
		return bad("rule_name_taken", r.Name)
	}
	switch r.Channel {
	case kaoqin.ChannelPerson, kaoqin.ChannelDigest, kaoqin.ChannelRobot:
	default:
		return bad("rule_channel", r.Channel)
	}
	if r.At != "" {
		if _, err := clock(r.At); err != nil {
			return bad("rule_time", r.At)
		}
		if r.After != 0 {
			return bad("rule_time_and_offset")
		}
	} else if r.Channel != kaoqin.ChannelPerson {
		return bad("rule_needs_time")
	}
	switch {
	case r.After < -MaxOffset || r.After > MaxOffset:
		return bad("rule_offset", r.After, -MaxOffset, MaxOffset)
	case r.Cap < 1 || r.Cap > MaxCap:
		return bad("rule_cap", r.Cap, MaxCap)
	case r.Every < 0 || r.Every > 0 && r.Every < MinEvery || r.Every > MaxOffset:
		return bad("rule_every", r.Every, MinEvery, MaxOffset)
	case r.Cap > 1 && r.Every == 0:
		return bad("rule_cap_needs_every", r.Cap)
	case r.Cap == 1 && r.Every != 0:
		return bad("rule_every_needs_cap", r.Every)
	}
	first := r.After
	if r.At != "" {
		at, _ := clock(r.At)
		first = int(at / time.Minute)
	}
	if last := first + (r.Cap-1)*r.Every; r.At != "" && last >= 24*60 || r.At == "" && last > MaxOffset {
		return bad("rule_repeats_too_far", r.Cap-1, r.Every)
	}
	if (r.QuietFrom == "") != (r.QuietTo == "") {
		return bad("rule_quiet_ends")
	}
	for _, s := range []string{r.QuietFrom, r.QuietTo} {
		if _, err := clock(s); s != "" && err != nil {
			return bad("rule_quiet_time", s)
		}
	}
	if r.QuietFrom != "" && r.QuietFrom == r.QuietTo {
		return bad("rule_quiet_empty", r.QuietFrom, r.QuietTo)
	}
	if err := v.checkRobot(r); err != nil {
		return err
	}
	return v.checkAudience(r)
}

func (v Validator) checkRobot(r *kaoqin.ReminderRule) error {
	bad := func(key string, args ...any) error { return errorf(kaoqin.EINVALID, key, args...) }
	r.RobotURL, r.RobotSecret = strings.TrimSpace(r.RobotURL), strings.TrimSpace(r.RobotSecret)
	if r.Channel != kaoqin.ChannelRobot {
		if r.RobotURL != "" || r.RobotSecret != "" {
			return bad("rule_robot_only")
		}
		return nil
	}
	if r.RobotURL == "" {
		return bad("rule_robot_url")
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
		return bad("rule_robot_form")
	}
	if r.RobotSecret != "" && !strings.HasPrefix(r.RobotSecret, "SEC") {
		return bad("rule_robot_secret")
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
			return errorf(kaoqin.EINVALID, "rule_dept", id)
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
			return errorf(kaoqin.EINVALID, "rule_user", u)
		}
	}
	if r.Channel == kaoqin.ChannelRobot && len(r.UserIDs) > 0 {
		return errorf(kaoqin.EINVALID, "rule_robot_people")
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
