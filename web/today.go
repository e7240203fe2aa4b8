package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The today page: HR's 9:10 view. The company line (or a manager's subtrees) on top, a tile
// per department under the board's root, the department tree to drill into, and the people
// not checked in with their departments. The board refreshes itself every minute (htmx) while
// it shows today.

// boardView is what the board shows.
type boardView struct {
	Date    string
	IsToday bool
	Dept    int64 // the department drilled into; 0 for the user's whole scope
	Name    string
	// ScopeName names the departments of a manager's whole board; "" for the company.
	ScopeName string
	Report    *report.Daily
	Company   report.Counts
	Tiles     []deptTile
	Tree      []*treeNode
	// Absentees are the people not checked in, by department, with their shift and managers.
	Absentees *report.Absentees
	Arrivals  string // the arrivals curve's data, for static/app.js
	Lateness  *latenessView
	// LastPull is when a live pull of the day last finished, if later than the day's full
	// pull (Report.SyncedAt); zero otherwise.
	LastPull time.Time
	// Overnight is the night shift of the day before (OvernightDay) still at work
	// (overnight.go).
	Overnight    []overnightRow
	OvernightDay string
	// Events and Sched say which source carries today's board (the source line), at Now.
	Events *EventsStatus
	Sched  Schedule
	Now    time.Time
	Tag    string // boardTag of this rendering
	// CanRemind offers "remind the selected" (reminders.go): today, when an instance sends.
	CanRemind bool
}

// deptTile is one department's tile.
type deptTile struct {
	ID       int64
	Name     string
	Counts   report.Counts
	HasChild bool
}

// treeNode is a department in the drill-down tree.
type treeNode struct {
	ID       int64
	Name     string
	Counts   report.Counts
	Children []*treeNode
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request, _ *kaoqin.User) error {
	http.Redirect(w, r, "/today", http.StatusSeeOther)
	return nil
}

func (s *Server) handleToday(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	b, err := s.renderedBoard(r, u)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "today", "nav_today", b)
}

// handleBoard answers the board's own refresh: the board alone.
func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	b, err := s.renderedBoard(r, u)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if r.URL.Query().Get("v") == b.Tag {
		// The board the page shows is still the board: nothing to swap (htmx leaves the page
		// alone on 204), so a refresh every 2 s costs a few queries, and a reader's search and
		// ticks stay.
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		// Compressed once for everyone who sees this board: a big company's list of people not
		// in is hundreds of KB, refreshed by every open board each minute.
		h.Set("Content-Encoding", "gzip")
		_, _ = w.Write(b.gzipped())
		return nil
	}
	_, _ = io.WriteString(w, string(b.HTML))
	return nil
}

// boardTag names one rendering of a board: the data it was made of, and the minute (checks
// due since then turn from pending to missing as the clock moves).
func boardTag(key, version string, now time.Time) string {
	sum := sha256.Sum256([]byte(key + "\x00" + version + "\x00" + now.Truncate(time.Minute).String()))
	return hex.EncodeToString(sum[:8])
}

// renderedBoard is the board rendered once for everyone who sees the same scope, day and
// language, while the data is unchanged: every open board refreshes itself each minute, and
// rendering a big company's board costs more than serving it.
type renderedBoard struct {
	Tag     string // boardTag: the board refresh asks with it, and gets 204 while it holds
	HTML    template.HTML
	Date    string
	IsToday bool
	Dept    int64
	Name    string

	gzOnce sync.Once
	gz     []byte
}

// gzipped is HTML compressed, once.
func (b *renderedBoard) gzipped() []byte {
	b.gzOnce.Do(func() { b.gz = gzipBytes([]byte(b.HTML)) })
	return b.gz
}

func (s *Server) renderedBoard(r *http.Request, u *kaoqin.User) (*renderedBoard, error) {
	ctx := r.Context()
	today := s.today()
	day, err := dateParam(r, "date", today)
	if err != nil {
		return nil, err
	}
	dept, err := deptParam(r)
	if err != nil {
		return nil, err
	}
	depts, err := s.scope(ctx, u, dept)
	if err != nil {
		return nil, err
	}
	version, _, err := s.dataVersion(ctx, day, day)
	if err != nil {
		return nil, err
	}
	lang := langOf(r)
	key := cacheKey("board:"+string(lang)+":"+strconv.FormatInt(dept, 10)+":"+today, day, day, depts)
	v, err := s.cache.getOrStale(key, version, func() (any, error) {
		bv, err := s.board(context.WithoutCancel(ctx), lang, day, today, dept, depts)
		if err != nil {
			return nil, err
		}
		bv.Tag = boardTag(key, version, s.now())
		var buf bytes.Buffer
		if err := s.pages["today"].ExecuteTemplate(&buf, "board", &page{Lang: lang, Data: bv}); err != nil {
			return nil, fmt.Errorf("render the board: %w", err)
		}
		return &renderedBoard{HTML: template.HTML(buf.String()), Date: day, IsToday: bv.IsToday, Dept: dept, Name: bv.Name, Tag: bv.Tag}, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*renderedBoard), nil
}

// board computes what the board of day shows for the scope depts, drilled into dept.
func (s *Server) board(ctx context.Context, lang report.Lang, day, today string, dept int64, depts []int64) (*boardView, error) {
	d, err := s.daily(ctx, day, depts)
	if err != nil {
		return nil, err
	}
	v := &boardView{Date: day, IsToday: day == today, Dept: dept, Report: d, Company: d.Company,
		CanRemind: day == today && s.remindersSend}
	byID := map[int64]*report.DailyDepartment{}
	for i := range d.Departments {
		byID[d.Departments[i].ID] = &d.Departments[i]
	}
	if dd, ok := byID[dept]; ok {
		v.Name, v.Company = dd.Name, dd.Counts
	} else if dept == 0 && len(depts) > 0 {
		// A manager's line is their departments', not the company's.
		var names []string
		for _, id := range depts {
			if dd, ok := byID[id]; ok {
				names = append(names, dd.Name)
			}
		}
		v.ScopeName = strings.Join(names, listSep(lang))
	}
	v.Tree = deptTree(d.Departments)
	v.Tiles = tiles(dept, v.Tree)
	if v.Absentees, err = d.Absentees(dept, nil); err != nil {
		return nil, err
	}
	if v.Arrivals, err = s.arrivalsJSON(lang, d, dept); err != nil {
		return nil, err
	}
	if v.Lateness, err = newLatenessView(lang, d, dept); err != nil {
		return nil, err
	}
	if v.Overnight, err = overnightRows(d, dept); err != nil {
		return nil, err
	}
	v.OvernightDay = kaoqin.AddDays(day, -1)
	if v.LastPull, err = s.lastPull(ctx, day); err != nil {
		return nil, err
	}
	if !v.LastPull.After(d.SyncedAt.Time) {
		v.LastPull = time.Time{}
	}
	if v.IsToday && s.syncer != nil {
		st := s.syncer.Status(ctx)
		v.Events, v.Sched = st.Events, st.Schedule // Now stays zero: the board says no age
	}
	return v, nil
}

// lastPull returns when the latest successful sync of day finished; zero if none of the
// latest runs did.
func (s *Server) lastPull(ctx context.Context, day string) (time.Time, error) {
	runs, err := s.store.Runs(ctx, 20)
	if err != nil {
		return time.Time{}, err
	}
	for _, r := range runs {
		if r.Status == kaoqin.RunOK && r.FinishedAt != 0 && r.From <= day && day <= r.To {
			return time.UnixMilli(r.FinishedAt), nil
		}
	}
	return time.Time{}, nil
}

// deptTree returns the departments of a report as a forest: roots are the departments whose
// parent is not in the report (the company's root, or a manager's departments). Departments
// nobody belongs to (removed ones among them) are left out.
func deptTree(depts []report.DailyDepartment) []*treeNode {
	nodes := make(map[int64]*treeNode, len(depts))
	for _, d := range depts {
		if d.Counts.Headcount > 0 {
			nodes[d.ID] = &treeNode{ID: d.ID, Name: d.Name, Counts: d.Counts}
		}
	}
	var roots []*treeNode
	for _, d := range depts { // by ID: children come out sorted
		n, ok := nodes[d.ID]
		if !ok {
			continue
		}
		if p, ok := nodes[d.ParentID]; ok && d.ParentID != d.ID {
			p.Children = append(p.Children, n)
		} else {
			roots = append(roots, n)
		}
	}
	return roots
}

// tiles returns the board's tiles: the children of the department drilled into, or of the
// company's root; a manager's several departments are their tiles.
func tiles(dept int64, tree []*treeNode) []deptTile {
	top := tree
	if dept != 0 {
		top = nil
		if n := findNode(tree, dept); n != nil {
			top = []*treeNode{n}
		}
	}
	if len(top) == 1 && len(top[0].Children) > 0 {
		top = top[0].Children
	}
	out := make([]deptTile, 0, len(top))
	for _, n := range top {
		out = append(out, deptTile{ID: n.ID, Name: n.Name, Counts: n.Counts, HasChild: len(n.Children) > 0})
	}
	return out
}

func findNode(nodes []*treeNode, id int64) *treeNode {
	for _, n := range nodes {
		if n.ID == id {
			return n
		}
		if f := findNode(n.Children, id); f != nil {
			return f
		}
	}
	return nil
}

// apiDaily answers the daily report of spec/reports.md for the user's scope.
func (s *Server) apiDaily(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	day, err := dateParam(r, "date", s.today())
	if err != nil {
		return err
	}
	depts, err := s.requestScope(r, u)
	if err != nil {
		return err
	}
	blob, err := s.dailyJSON(r.Context(), day, depts)
	if err != nil {
		return err
	}
	writeBlob(w, r, blob)
	return nil
}
