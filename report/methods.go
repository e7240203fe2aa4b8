package report

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"math"
	"slices"

	"github.com/kaoqin/kaoqin"
)

// MethodStats are the statistics of punches by method over a range (a day or a period): per
// department subtree (its members' punches on the days they were members), for the company
// or the scope, and per day. Every punch counts once per line, valid or not.
type MethodStats struct {
	Kind        string             `json:"kind"` // "methods"
	From        string             `json:"from"`
	To          string             `json:"to"`
	Timezone    string             `json:"timezone"`
	Scope       []int64            `json:"scope,omitempty"`
	Company     MethodCounts       `json:"company"`
	Departments []DepartmentMethod `json:"departments"` // by id
	Days        []DayMethod        `json:"days"`        // every day of the range, of the company line

	org *org
}

// MethodCounts count one line's punches.
type MethodCounts struct {
	Punches  int            `json:"punches"`
	ByMethod map[string]int `json:"by_method"` // every method of kaoqin.Methods, zeros too
	Unknown  int            `json:"unknown"`   // punches of a sourceType DingTalk does not document
	Outside  int            `json:"outside"`   // valid punches with locationResult Outside (外勤)
	// OutsideShare is Outside over the valid punches (0 when there are none).
	OutsideShare float64 `json:"outside_share"`
	Invalid      int     `json:"invalid"` // punches DingTalk refused
}

// DepartmentMethod is one department's line.
type DepartmentMethod struct {
	ID       int64        `json:"id"`
	Name     string       `json:"name"`
	ParentID int64        `json:"parent_id"`
	Counts   MethodCounts `json:"counts"`
}

// DayMethod is one day of the company line.
type DayMethod struct {
	Date   string       `json:"date"`
	Counts MethodCounts `json:"counts"`
}

func newMethodCounts() MethodCounts {
	c := MethodCounts{ByMethod: make(map[string]int, len(kaoqin.Methods))}
	for _, m := range kaoqin.Methods {
		c.ByMethod[m] = 0
	}
	return c
}

func (c *MethodCounts) add(x kaoqin.Punch) {
	c.Punches++
	if m := x.Method(); m != "" {
		c.ByMethod[m]++
	} else {
		c.Unknown++
	}
	if !x.Valid() {
		c.Invalid++
	} else if x.LocationResult == kaoqin.LocationOutside {
		c.Outside++
	}
}

func (c *MethodCounts) finish() {
	if valid := c.Punches - c.Invalid; valid > 0 {
		c.OutsideShare = math.Round(float64(c.Outside)/float64(valid)*10000) / 10000 // 0.0130: 1.30%
	}
}

// LoadMethodStats counts the punches of [from, to] of the employees in scope (membership on
// each punch's day). It fails as OpenPunches does.
func LoadMethodStats(ctx context.Context, src PunchSource, from, to string, opts Options) (*MethodStats, error) {
	p, err := OpenPunches(ctx, src, PunchRequest{From: from, To: to}, opts)
	if err != nil {
		return nil, err
	}
	o, scope, byUser, err := loadPunchOrg(ctx, src, p.From, p.To, opts.DeptIDs)
	if err != nil {
		return nil, err
	}
	s := &MethodStats{Kind: "methods", From: p.From, To: p.To, Timezone: p.Timezone, Scope: slices.Clone(opts.DeptIDs),
		Company: newMethodCounts(), org: o}
	lines := make([]MethodCounts, len(o.depts))
	for i := range lines {
		lines[i] = newMethodCounts()
	}
	days := kaoqin.Days(p.From, p.To)
	perDay := make(map[string]*MethodCounts, len(days))
	for _, d := range days {
		c := newMethodCounts()
		perDay[d] = &c
	}
	var lastUser, lastDay string
	var subs []int32
	err = p.Walk(func(x kaoqin.Punch) error {
		s.Company.add(x)
		if c := perDay[x.WorkDate]; c != nil {
			c.add(x)
		}
		if x.UserID != lastUser || x.WorkDate != lastDay {
			lastUser, lastDay = x.UserID, x.WorkDate
			var held []int64
			for _, m := range byUser[x.UserID] {
				if m.Holds(x.WorkDate) && !slices.Contains(held, m.DeptID) {
					held = append(held, m.DeptID)
				}
			}
			slices.Sort(held)
			subs = o.subtrees(held)
		}
		for _, i := range subs {
			lines[i].add(x)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Company.finish()
	start, _ := kaoqin.DayBounds(p.From, opts.Location)
	for i, d := range o.depts {
		if !o.included(scope, int32(i), start.UnixMilli()) {
			continue
		}
		lines[i].finish()
		s.Departments = append(s.Departments, DepartmentMethod{ID: d.ID, Name: d.Name, ParentID: d.ParentID, Counts: lines[i]})
	}
	if s.Departments == nil {
		s.Departments = []DepartmentMethod{}
	}
	for _, d := range days {
		c := perDay[d]
		c.finish()
		s.Days = append(s.Days, DayMethod{Date: d, Counts: *c})
	}
	return s, nil
}

// Department returns the line of department id, if the statistics have it.
func (s *MethodStats) Department(id int64) (*DepartmentMethod, bool) {
	i := slices.IndexFunc(s.Departments, func(d DepartmentMethod) bool { return d.ID == id })
	if i < 0 {
		return nil, false
	}
	return &s.Departments[i], true
}

var methodCountColumns = func() []column {
	cols := []column{{key: "punches", zh: "打卡次数", en: "Punches", kind: kInt}}
	for _, m := range kaoqin.Methods {
		cols = append(cols, column{key: m, zh: methodLabels[m].zh, en: methodLabels[m].en, kind: kInt})
	}
	return append(cols,
		column{key: "unknown", zh: "其他方式", en: "Other", kind: kInt, noTable: true},
		column{key: "outside", zh: "外勤", en: "Outside", kind: kInt},
		column{key: "outside_share", zh: "外勤占比", en: "Outside share", kind: kFloat},
		column{key: "invalid", zh: "无效打卡", en: "Invalid", kind: kInt})
}()

func methodCountValues(c *MethodCounts) []any {
	vs := []any{int64(c.Punches)}
	for _, m := range kaoqin.Methods {
		vs = append(vs, int64(c.ByMethod[m]))
	}
	return append(vs, int64(c.Unknown), int64(c.Outside), c.OutsideShare, int64(c.Invalid))
}

func (s *MethodStats) sheets() []sheet {
	return []sheet{
		{key: "departments", zh: "按部门", en: "Departments", cols: slices.Concat(deptColumns, methodCountColumns), rows: infallible(s.departmentRows)},
		{key: "days", zh: "按日期", en: "Days", cols: slices.Concat([]column{{key: "date", zh: "日期", en: "Date", kind: kDate}}, methodCountColumns), rows: infallible(s.dayRows)},
	}
}

func (s *MethodStats) departmentRows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		if !yield(append([]any{nil, companyName(lang, len(s.Scope) > 0), "", nil}, methodCountValues(&s.Company)...)) {
			return
		}
		ids := make([]int64, len(s.Departments))
		for i, d := range s.Departments {
			ids[i] = d.ID
		}
		order, depth := s.org.reportTree(ids)
		for k, i := range order {
			d, _ := s.Department(s.org.depts[i].ID)
			if !yield(append([]any{d.ID, indented{depth[k], d.Name}, s.org.path[i], d.ParentID}, methodCountValues(&d.Counts)...)) {
				return
			}
		}
	}
}

func (s *MethodStats) dayRows(lang Lang) iter.Seq[[]any] {
	return func(yield func([]any) bool) {
		for _, d := range s.Days {
			if !yield(append([]any{dateValue(d.Date)}, methodCountValues(&d.Counts)...)) {
				return
			}
		}
	}
}

func (s *MethodStats) writeTable(w io.Writer, lang Lang) error {
	if _, err := fmt.Fprintf(w, "%s %s..%s (%s)\n\n", lang.pick("打卡方式统计", "Punches by method"), s.From, s.To, s.Timezone); err != nil {
		return err
	}
	for i, sh := range s.sheets() {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := writeSheetTable(w, sh, lang); err != nil {
			return err
		}
	}
	return nil
}

func (s *MethodStats) writeJSON(w io.Writer, indent string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", indent)
	enc.SetEscapeHTML(false)
	return enc.Encode(s)
}
