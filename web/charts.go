package web

import (
	"fmt"

	"github.com/kaoqin/kaoqin/report"
)

// The board's two charts: the morning's arrivals against the shift starts, and how late the
// late people were. The numbers come from the report (Daily.Arrivals, Daily.Lateness); here
// they are put in the reader's words for static/app.js, with a table beside each for readers
// without script.

// arrivalsChart is the arrivals curve for static/app.js.
type arrivalsChart struct {
	Minutes []string        `json:"minutes"` // "08:31"
	In      []int           `json:"in"`
	Due     []int           `json:"due"`
	Starts  []arrivalsStart `json:"starts"`
	Labels  struct {
		In  string `json:"in"`
		Due string `json:"due"`
	} `json:"labels"`
}

type arrivalsStart struct {
	At    string `json:"at"`
	Label string `json:"label"`
}

func (s *Server) arrivalsJSON(lang report.Lang, d *report.Daily, dept int64) (string, error) {
	a, err := d.Arrivals(dept)
	if err != nil {
		return "", err
	}
	if len(a.Minutes) == 0 {
		return "", nil
	}
	c := arrivalsChart{In: a.In, Due: a.Due}
	c.Labels.In, c.Labels.Due = tr0(lang, "arrivals_series"), tr0(lang, "arrivals_due")
	for _, m := range a.Minutes {
		c.Minutes = append(c.Minutes, m.Format("15:04"))
	}
	for _, st := range a.Starts {
		at := st.At.Format("15:04")
		c.Starts = append(c.Starts, arrivalsStart{At: at, Label: at + " · " + sayPeople(lang, st.People)})
	}
	return chartJSON(c)
}

// latenessView is the late distribution: the chart's data and its table.
type latenessView struct {
	Total   int
	Buckets []string // "1–5 分钟", ..., "60 分钟以上"
	Kinds   []string // 迟到, 严重迟到, 旷工迟到
	Counts  [][]int  // per kind, per bucket
	JSON    string
}

func newLatenessView(lang report.Lang, d *report.Daily, dept int64) (*latenessView, error) {
	l, err := d.Lateness(dept)
	if err != nil {
		return nil, err
	}
	v := &latenessView{Total: l.Total,
		Kinds:  []string{tr0(lang, "c_late"), tr0(lang, "c_serious_late"), tr0(lang, "c_absenteeism_late")},
		Counts: [][]int{l.Late, l.Serious, l.Absenteeism}}
	lo := 1
	for _, up := range l.Bounds {
		v.Buckets = append(v.Buckets, fmt.Sprintf(tr0(lang, "late_bucket"), lo, up))
		lo = up + 1
	}
	v.Buckets = append(v.Buckets, fmt.Sprintf(tr0(lang, "late_bucket_over"), lo-1))
	// The chart's axis says the buckets short ("1–5", ">60"), its name the unit.
	var short []string
	lo = 1
	for _, up := range l.Bounds {
		short = append(short, fmt.Sprintf("%d–%d", lo, up))
		lo = up + 1
	}
	short = append(short, fmt.Sprintf(">%d", lo-1))
	v.JSON, err = chartJSON(map[string]any{"buckets": short, "kinds": v.Kinds, "counts": v.Counts,
		"people": tr0(lang, "late_dist_people"), "unit": tr0(lang, "late_dist_unit")})
	return v, err
}

// sayPeople says a number of people: "12 人", "1 person", "12 people".
func sayPeople(lang report.Lang, n int) string {
	if n == 1 {
		return fmt.Sprintf(tr0(lang, "n_person"), n)
	}
	return fmt.Sprintf(tr0(lang, "n_people"), n)
}
