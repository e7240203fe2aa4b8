package report

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// The review (spec/punches.md, kaoqin report review): punches and patterns worth a human look.
// It accuses nobody: each flag names the facts behind it and the punches that show them.

// Review flag kinds, in the order the review lists them.
const (
	FlagFarFromBase  = "far_from_base"
	FlagInvalidPunch = "invalid_punch"
	FlagNotByPerson  = "not_by_person"
	FlagSameMinute   = "same_minute"
	FlagSharedDevice = "shared_device"
)

// ReviewOptions are the review's thresholds.
type ReviewOptions struct {
	// FarFromBase is how far (metres) a phone GPS punch may be from its base, beyond both
	// accuracies, before it is worth a look; 0 means 500.
	FarFromBase float64
	// SameMinuteDays is how many consecutive work days of check-ins in one minute of the day
	// are worth a look; 0 means 8.
	SameMinuteDays int
}

func (o ReviewOptions) far() float64 {
	if o.FarFromBase <= 0 {
		return 500
	}
	return o.FarFromBase
}

func (o ReviewOptions) days() int {
	if o.SameMinuteDays <= 0 {
		return 8
	}
	return o.SameMinuteDays
}

// Review is the review of a range: its flags, sorted by kind, work date and first userid.
type Review struct {
	Kind     string `json:"kind"` // "review"
	From     string `json:"from"`
	To       string `json:"to"`
	Timezone string `json:"timezone"`
	Flags    []Flag `json:"flags"`
}

// Flag is one thing worth a look. Detail says it in English (the JSON's); Say in either
// language.
type Flag struct {
	Kind     string   `json:"kind"`
	WorkDate string   `json:"work_date"` // the day, or the first of a run of days
	UserIDs  []string `json:"userids"`
	Names    []string `json:"names"` // extra: the names of UserIDs, in the same order
	// DepartmentIDs (extra) are the departments the people belonged to on WorkDate, those in
	// the report's scope, sorted.
	DepartmentIDs []int64 `json:"department_ids"`
	PunchIDs      []int64 `json:"punch_ids"`
	Detail        string  `json:"detail"`

	facts flagFacts
}

// flagFacts are what a flag's words are made of.
type flagFacts struct {
	device       string
	distance     float64
	accuracy     float64
	allowed      float64
	invalidType  string
	message      string
	methods      []string // not_by_person: how each check was made, in punch order
	checks       []string // and the check types
	minute       string   // same_minute: "08:58"
	days         int
	lastDay      string
	outsideMark  string
	outsideCheck bool
}

// Say returns the flag's detail in lang: the facts, in words for a reviewer.
func (f Flag) Say(lang Lang) string {
	x := f.facts
	switch f.Kind {
	case FlagInvalidPunch:
		why := invalidTypeLabels[x.invalidType]
		return lang.pick(fmt.Sprintf("钉钉判定此次打卡无效（%s）：%s", cmp.Or(why.zh, x.invalidType), cmp.Or(x.message, "无说明")),
			fmt.Sprintf("DingTalk marked the punch invalid (%s): %s", cmp.Or(why.en, x.invalidType), cmp.Or(x.message, "no reason given")))
	case FlagSharedDevice:
		return lang.pick(fmt.Sprintf("同一手机设备（%s）当天有 %d 人打卡", short(x.device), len(f.UserIDs)),
			fmt.Sprintf("device_id %s used by %d people on this day", short(x.device), len(f.UserIDs)))
	case FlagNotByPerson:
		var zh, en []string
		for i, m := range x.methods {
			zh = append(zh, lang.say(checkTypeLabels, x.checks[i])+"："+methodLabels[m].zh)
			en = append(en, checkTypeLabels[x.checks[i]].en+": "+methodLabels[m].en)
		}
		return lang.pick("打卡结果不是本人打卡产生（"+strings.Join(zh, "；")+"）",
			"a result not made by the person's own punch ("+strings.Join(en, "; ")+")")
	case FlagFarFromBase:
		zh := fmt.Sprintf("手机定位打卡距打卡地点 %s 米，超出允许范围 %s 米（含双方定位精度）", metres(x.distance), metres(x.allowed))
		en := fmt.Sprintf("phone GPS punch %s m from its base, beyond the %s m allowed (accuracies included)", metres(x.distance), metres(x.allowed))
		if x.outsideCheck {
			zh += "；已记为外勤：" + cmp.Or(x.outsideMark, "无备注")
			en += "; recorded as outside work: " + cmp.Or(x.outsideMark, "no remark")
		}
		return lang.pick(zh, en)
	case FlagSameMinute:
		return lang.pick(fmt.Sprintf("连续 %d 个工作日（至 %s）上班打卡都在 %s 这一分钟", x.days, x.lastDay, x.minute),
			fmt.Sprintf("check-ins in the same minute, %s, on %d consecutive work days (to %s)", x.minute, x.days, x.lastDay))
	}
	return ""
}

// invalidTypeLabels name DingTalk's invalidRecordType.
var invalidTypeLabels = map[string]label{
	"Security": {"安全检查", "security check"},
	"Other":    {"其他原因", "other"},
}

func short(device string) string {
	if len(device) > 12 {
		return device[:8] + "…"
	}
	return device
}

// metres writes whole metres with thousands separators: 26,140.
func metres(f float64) string {
	s := strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// LoadReview computes the review of the punches of the range: those of the employees in scope
// (membership on each punch's day, as kaoqin punches). It fails as OpenPunches does.
func LoadReview(ctx context.Context, src PunchSource, from, to string, opts Options, ro ReviewOptions) (*Review, error) {
	p, err := OpenPunches(ctx, src, PunchRequest{From: from, To: to}, opts)
	if err != nil {
		return nil, err
	}
	r := &Review{Kind: "review", From: p.From, To: p.To, Timezone: p.Timezone, Flags: []Flag{}}
	type dayDevice struct{ day, device string }
	devices := map[dayDevice][]kaoqin.Punch{}
	var mine []kaoqin.Punch // the current employee's punches
	flush := func() {
		if len(mine) > 0 {
			r.Flags = append(r.Flags, personFlags(mine, ro, p.loc)...)
		}
		mine = mine[:0]
	}
	err = p.Walk(func(x kaoqin.Punch) error {
		if len(mine) > 0 && mine[0].UserID != x.UserID {
			flush()
		}
		mine = append(mine, x)
		switch x.Method() {
		case kaoqin.MethodPhoneGPS, kaoqin.MethodPhoneWiFi, kaoqin.MethodPhone:
			if x.DeviceID != "" {
				k := dayDevice{x.WorkDate, x.DeviceID}
				devices[k] = append(devices[k], x)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	for k, ps := range devices {
		var users []string
		var ids []int64
		for _, x := range ps {
			users = append(users, x.UserID)
			ids = append(ids, x.ID)
		}
		slices.Sort(users)
		if users = slices.Compact(users); len(users) < 2 {
			continue
		}
		slices.Sort(ids)
		r.Flags = append(r.Flags, Flag{Kind: FlagSharedDevice, WorkDate: k.day, UserIDs: users, PunchIDs: ids,
			facts: flagFacts{device: k.device}})
	}
	o, scope, byUser, err := loadPunchOrg(ctx, src, p.From, p.To, opts.DeptIDs)
	if err != nil {
		return nil, err
	}
	for i := range r.Flags {
		f := &r.Flags[i]
		var held []int64
		for _, u := range f.UserIDs {
			f.Names = append(f.Names, p.name(u))
			for _, m := range byUser[u] {
				if m.Holds(f.WorkDate) {
					held = append(held, m.DeptID)
				}
			}
		}
		slices.Sort(held)
		f.DepartmentIDs = nonNil(o.visible(scope, slices.Compact(held)))
		f.Detail = f.Say(English)
	}
	slices.SortFunc(r.Flags, func(a, b Flag) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.WorkDate, b.WorkDate), cmp.Compare(a.UserIDs[0], b.UserIDs[0]),
			cmp.Compare(a.PunchIDs[0], b.PunchIDs[0]))
	})
	return r, nil
}

// personFlags are the flags of one employee's punches (in time order): invalid, far from the
// base, not made by the person (one per day), and runs of check-ins in one minute.
func personFlags(ps []kaoqin.Punch, ro ReviewOptions, loc *time.Location) []Flag {
	var out []Flag
	user := ps[0].UserID
	one := func(kind string, x kaoqin.Punch, f flagFacts) {
		out = append(out, Flag{Kind: kind, WorkDate: x.WorkDate, UserIDs: []string{user}, PunchIDs: []int64{x.ID}, facts: f})
	}
	byDay := map[string]int{} // not_by_person flags, by day: their index in out
	for _, x := range ps {
		if !x.Valid() {
			one(FlagInvalidPunch, x, flagFacts{invalidType: x.InvalidRecordType, message: x.InvalidRecordMsg})
			continue
		}
		m := x.Method()
		if m == kaoqin.MethodPhoneGPS {
			if d, ok := distance(x); ok {
				if allowed := ro.far() + x.Accuracy + x.BaseAccuracy; d > allowed {
					one(FlagFarFromBase, x, flagFacts{distance: d, accuracy: x.Accuracy, allowed: allowed,
						outsideCheck: x.LocationResult == kaoqin.LocationOutside, outsideMark: x.OutsideRemark})
				}
			}
		}
		switch m {
		case kaoqin.MethodAdmin, kaoqin.MethodApproval, kaoqin.MethodSystem, kaoqin.MethodAuto:
			i, ok := byDay[x.WorkDate]
			if !ok {
				i = len(out)
				byDay[x.WorkDate] = i
				out = append(out, Flag{Kind: FlagNotByPerson, WorkDate: x.WorkDate, UserIDs: []string{user}})
			}
			f := &out[i]
			f.PunchIDs = append(f.PunchIDs, x.ID)
			f.facts.methods = append(f.facts.methods, m)
			f.facts.checks = append(f.facts.checks, x.CheckType)
		}
	}
	return append(out, sameMinute(ps, ro.days(), loc)...)
}

// sameMinute finds the runs of at least n consecutive work days (days with a check-in) whose
// first check-in by the person themself falls in one minute of the day (in loc).
func sameMinute(ps []kaoqin.Punch, n int, loc *time.Location) []Flag {
	type day struct {
		date, minute string
		id           int64
	}
	var days []day
	for _, x := range ps {
		if !x.Valid() || x.CheckType != kaoqin.OnDuty {
			continue
		}
		switch x.Method() {
		case kaoqin.MethodAdmin, kaoqin.MethodApproval, kaoqin.MethodSystem, kaoqin.MethodAuto, "":
			continue
		}
		if slices.ContainsFunc(days, func(d day) bool { return d.date == x.WorkDate }) {
			continue // the day's first check-in only
		}
		days = append(days, day{x.WorkDate, time.UnixMilli(x.UserCheckTime).In(loc).Format("15:04"), x.ID})
	}
	slices.SortStableFunc(days, func(a, b day) int { return cmp.Compare(a.date, b.date) })
	var out []Flag
	for lo := 0; lo < len(days); {
		hi := lo + 1
		for hi < len(days) && days[hi].minute == days[lo].minute {
			hi++
		}
		if hi-lo >= n {
			f := Flag{Kind: FlagSameMinute, WorkDate: days[lo].date, UserIDs: []string{ps[0].UserID},
				facts: flagFacts{minute: days[lo].minute, days: hi - lo, lastDay: days[hi-1].date}}
			for _, d := range days[lo:hi] {
				f.PunchIDs = append(f.PunchIDs, d.id)
			}
			out = append(out, f)
		}
		lo = hi
	}
	return out
}

func (r *Review) sheets() []sheet {
	return []sheet{{key: "flags", zh: "待复核", en: "Review", cols: reviewColumns, rows: infallible(r.rows)}}
}

var reviewColumns = []column{
	{key: "kind", zh: "类型", en: "Kind"},
	{key: "work_date", zh: "日期", en: "Date", kind: kDate},
	{key: "names", zh: "姓名", en: "Names"},
	{key: "userids", zh: "UserId", en: "UserIDs"},
	{key: "detail", zh: "说明", en: "Detail"},
	{key: "punch_ids", zh: "打卡记录ID", en: "Punch IDs", noTable: true},
}

var flagLabels = map[string]label{
	FlagFarFromBase:  {"远离打卡地点", "far from the base"},
	FlagInvalidPunch: {"无效打卡", "invalid punch"},
	FlagNotByPerson:  {"非本人打卡结果", "result not by the person"},
	FlagSameMinute:   {"每天同一分钟", "same minute every day"},
	FlagSharedDevice: {"多人共用设备", "one device, several people"},
}

// FlagLabel names a flag kind in lang.
func FlagLabel(kind string, lang Lang) string { return lang.say(flagLabels, kind) }

func (r *Review) rows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, f := range r.Flags {
			ids := make([]string, len(f.PunchIDs))
			for i, id := range f.PunchIDs {
				ids[i] = strconv.FormatInt(id, 10)
			}
			row := []any{lang.say(flagLabels, f.Kind), dateValue(f.WorkDate), strings.Join(f.Names, lang.listSep()),
				strings.Join(f.UserIDs, ","), f.Say(lang), strings.Join(ids, ",")}
			if !yield(row) {
				return
			}
		}
	}
}

func (r *Review) writeTable(w io.Writer, lang Lang) error {
	if _, err := fmt.Fprintf(w, "%s %s..%s (%s): %d\n\n", lang.pick("待复核的打卡", "Punches worth a look"), r.From, r.To, r.Timezone, len(r.Flags)); err != nil {
		return err
	}
	return writeSheetTable(w, r.sheets()[0], lang)
}

func (r *Review) writeJSON(w io.Writer, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
