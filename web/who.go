package web

import (
	"net/http"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// The people behind one count, in the API: what a count's link opens on the pages
// (/departments/{id|all}?who= for a day, /period?who= for a range), for scripts. A person's
// own number traces further with GET /api/v1/employees/{userid}?field=.

// whoAnswer is the people counted in one count of a department (0: all the caller may see).
type whoAnswer struct {
	Field  string      `json:"field"`
	DeptID int64       `json:"dept_id"`
	Date   string      `json:"date,omitempty"`
	From   string      `json:"from,omitempty"`
	To     string      `json:"to,omitempty"`
	People []whoPerson `json:"people"`
}

type whoPerson struct {
	UserID    string  `json:"userid"`
	Name      string  `json:"name"`
	JobNumber string  `json:"job_number,omitempty"`
	Value     float64 `json:"value,omitempty"` // a period count: the person's number
}

// apiDailyWho answers the people counted in one count of the daily report (report.Who).
func (s *Server) apiDailyWho(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	day, err := dateParam(r, "date", s.today())
	if err != nil {
		return err
	}
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	depts, err := s.scope(r.Context(), u, dept)
	if err != nil {
		return err
	}
	field := r.URL.Query().Get("field")
	d, err := s.daily(r.Context(), day, depts)
	if err != nil {
		return err
	}
	ids, err := d.Who(dept, field)
	if kaoqin.ErrorCode(err) == kaoqin.EINVALID {
		return errorf(kaoqin.EINVALID, "err_bad_field", field)
	} else if err != nil {
		return err
	}
	byID := make(map[string]*report.DailyEmployee, len(d.Employees))
	for i := range d.Employees {
		byID[d.Employees[i].UserID] = &d.Employees[i]
	}
	a := whoAnswer{Field: field, DeptID: dept, Date: day, People: make([]whoPerson, 0, len(ids))}
	for _, id := range ids {
		if e := byID[id]; e != nil {
			a.People = append(a.People, whoPerson{UserID: id, Name: e.Name, JobNumber: e.JobNumber})
		}
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiPeriodWho answers the people who add to one count of the period report, with their
// numbers: in a department's report (?dept=), a line counts the days spent in it.
func (s *Server) apiPeriodWho(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	defFrom, defTo := s.defaultPeriod()
	from, to, err := rangeParams(r, defFrom, defTo)
	if err != nil {
		return err
	}
	dept, err := deptParam(r)
	if err != nil {
		return err
	}
	field := r.URL.Query().Get("field")
	if _, ok := report.PeriodValue(&report.PeriodCounts{}, field); !ok {
		return errorf(kaoqin.EINVALID, "err_bad_field", field)
	}
	depts, err := s.scope(r.Context(), u, dept)
	if err != nil {
		return err
	}
	ps, err := s.period(r.Context(), from, to, depts)
	if err != nil {
		return err
	}
	a := whoAnswer{Field: field, DeptID: dept, From: from, To: to, People: []whoPerson{}}
	if _, err := ps.Walk(func(e *report.PeriodEmployee) error {
		if v, _ := report.PeriodValue(&e.PeriodCounts, field); v != 0 {
			a.People = append(a.People, whoPerson{UserID: e.UserID, Name: e.Name, JobNumber: e.JobNumber, Value: v})
		}
		return nil
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}
