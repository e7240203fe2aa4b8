package store

import (
	"slices"
	"strings"

	"github.com/kaoqin/kaoqin"
)

// filterWhere returns the WHERE clause of an attendance Filter over the work_date and user_id
// columns, and its arguments. An empty From or To leaves that end open; nil UserIDs means every
// employee, an empty non-nil list none.
func filterWhere(d dialect, f kaoqin.Filter) (string, []any, error) {
	var conds []string
	var args []any
	days := []struct{ v, cond string }{{f.From, "work_date >= ?"}, {f.To, "work_date <= ?"}}
	if f.From != "" && f.From == f.To {
		// One day: an equality lets the (work_date, user_id, ...) indexes serve the rows in order.
		days = days[:1]
		days[0].cond = "work_date = ?"
	}
	for _, day := range days {
		if day.v == "" {
			continue
		}
		if _, err := kaoqin.ParseDate(day.v); err != nil {
			return "", nil, err
		}
		conds = append(conds, day.cond)
		args = append(args, day.v)
	}
	if f.From != "" && f.To != "" && f.To < f.From {
		return "", nil, kaoqin.Errorf(kaoqin.EINVALID, "date range %s..%s runs backwards", f.From, f.To)
	}
	conds, args = userConds(d, f, conds, args)
	if len(conds) == 0 {
		return "", nil, nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args, nil
}

// userConds adds the conditions of f's employees (UserIDs, After, Through) over user_id.
func userConds(d dialect, f kaoqin.Filter, conds []string, args []any) ([]string, []any) {
	if f.UserIDs != nil {
		conds = append(conds, "user_id IN "+d.in(tText))
		args = append(args, d.list(f.UserIDs))
	}
	if f.After != "" {
		conds = append(conds, "user_id > ?")
		args = append(args, f.After)
	}
	if f.Through != "" {
		conds = append(conds, "user_id <= ?")
		args = append(args, f.Through)
	}
	return conds, args
}

// checkScope checks the dates of a scope that names employees. A scope without employees
// covers nothing: saving its batch deletes nothing, whatever its dates.
func checkScope(s kaoqin.Scope) error {
	if len(s.UserIDs) == 0 {
		return nil
	}
	if _, err := kaoqin.ParseDate(s.From); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad scope: first day %q: want YYYY-MM-DD", s.From)
	}
	if _, err := kaoqin.ParseDate(s.To); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad scope: last day %q: want YYYY-MM-DD", s.To)
	}
	if s.To < s.From {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad scope: %s..%s runs backwards", s.From, s.To)
	}
	return nil
}

// checkRow checks the fields every attendance row needs: an employee and a work date.
func checkRow(kind string, id int64, userID, workDate string) error {
	if userID == "" {
		return kaoqin.Errorf(kaoqin.EINVALID, "%s %d has no userid", kind, id)
	}
	if _, err := kaoqin.ParseDate(workDate); err != nil {
		return kaoqin.Errorf(kaoqin.EINVALID, "%s %d has a bad work date %q: want YYYY-MM-DD", kind, id, workDate)
	}
	return nil
}

// lastByKey keeps, of the items sharing a key, the last one, and sorts them by key: a batch
// that names a row twice means its later version, and a fixed order of keys keeps concurrent
// batches on PostgreSQL from locking rows in opposite orders.
func lastByKey[T any, K comparable](items []T, key func(T) K, less func(a, b K) int) []T {
	pos := make(map[K]int, len(items))
	out := make([]T, 0, len(items))
	for _, it := range items {
		k := key(it)
		if i, ok := pos[k]; ok {
			out[i] = it
			continue
		}
		pos[k] = len(out)
		out = append(out, it)
	}
	slices.SortFunc(out, func(a, b T) int { return less(key(a), key(b)) })
	return out
}

// checkRange checks an inclusive range of work dates.
func checkRange(from, to string) error {
	for _, d := range []string{from, to} {
		if _, err := kaoqin.ParseDate(d); err != nil {
			return err
		}
	}
	if to < from {
		return kaoqin.Errorf(kaoqin.EINVALID, "date range %s..%s runs backwards", from, to)
	}
	return nil
}
