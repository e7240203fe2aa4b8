package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
)

// The dashboard's settings, kept in the database so that every instance reads the same, and
// changed by admins on the admin page (audited). One for now: the day of the month a pay cycle
// starts on, for the period page's presets (many companies pay from the 26th to the 25th).

// settingPayrollDay is the key of the pay cycle's first day.
const settingPayrollDay = "payroll_start_day"

// defaultPayrollDay is the pay cycle's first day when none is set: the 26th, as most Chinese
// companies that do not pay by calendar month do.
const defaultPayrollDay = 26

// dashSettings are the settings in force.
type dashSettings struct {
	PayrollDay int // 1 to 28; 1 is the calendar month
}

func (s *Server) settings(ctx context.Context) (dashSettings, error) {
	st := dashSettings{PayrollDay: defaultPayrollDay}
	all, err := s.store.Settings(ctx)
	if err != nil {
		return st, err
	}
	if v, ok := all[settingPayrollDay]; ok {
		if d, err := parsePayrollDay(v); err == nil {
			st.PayrollDay = d
		} else {
			s.log.Warn("ignoring a bad stored setting", "key", settingPayrollDay, "value", v)
		}
	}
	return st, nil
}

func parsePayrollDay(v string) (int, error) {
	d, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || d < 1 || d > 28 {
		return 0, errorf(kaoqin.EINVALID, "err_bad_payroll_day", v)
	}
	return d, nil
}

// handleSettings saves the settings form of the admin page.
func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request, u *kaoqin.User) error {
	if !mayAdminister(u) {
		return errorf(kaoqin.EFORBIDDEN, "err_admins_only")
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	d, err := parsePayrollDay(r.PostFormValue(settingPayrollDay))
	if err != nil {
		return s.renderUsers(w, r, u, http.StatusBadRequest, "", "", err, userForm{Role: kaoqin.RoleHR})
	}
	v := strconv.Itoa(d)
	t := auditTarget{Kind: "settings", Fields: map[string]string{settingPayrollDay: v}}
	if err := s.audit(r, u, actionSettings, t.String()); err != nil {
		return err
	}
	if err := s.store.SaveSetting(r.Context(), settingPayrollDay, v); err != nil {
		return err
	}
	return s.afterChange(w, r, "settings_saved", "")
}

// payCycle returns the pay cycle that holds day, for cycles starting on startDay of a month:
// with 26, 2026-11-30 is in 2026-11-26..2026-12-25 and 2026-11-10 in 2026-10-26..2026-11-25;
// with 1, the calendar month.
func payCycle(day string, startDay int) (from, to string) {
	t, _ := time.Parse(kaoqin.DateLayout, day)
	start := time.Date(t.Year(), t.Month(), startDay, 0, 0, 0, 0, time.UTC)
	if t.Day() < startDay {
		start = start.AddDate(0, -1, 0)
	}
	return start.Format(kaoqin.DateLayout), start.AddDate(0, 1, -1).Format(kaoqin.DateLayout)
}
