package web

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Query parameters are validated here, each with a message that names the bad value and the
// expected form: a bad request is a 400 that says what to fix, never a 500.

// paramWords name the date parameters in both languages, for their errors.
var paramWords = map[string]word{"date": {"日期", "date"}, "from": {"开始日期", "from"}, "to": {"结束日期", "to"}}

// dateParam returns the date in query parameter name, or def if it is absent. Dates are held
// to kaoqin.CheckDate (2017 to a year after the request's today) before any work is done.
func dateParam(r *http.Request, name, def string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	if _, err := kaoqin.ParseDate(v); err != nil {
		return "", errorf(kaoqin.EINVALID, "err_bad_date", paramWords[name], v)
	}
	if _, err := kaoqin.CheckDate(v, todayOf(r)); err != nil {
		return "", errorf(kaoqin.EINVALID, "err_date_out_of_range", paramWords[name], v, kaoqin.EarliestDate, kaoqin.LatestDate(todayOf(r)))
	}
	return v, nil
}

// rangeParams returns the from and to parameters (defaulting to defFrom and defTo), checked
// as a range of at most kaoqin.MaxRangeDays, from its two ends.
func rangeParams(r *http.Request, defFrom, defTo string) (string, string, error) {
	from, err := dateParam(r, "from", defFrom)
	if err != nil {
		return "", "", err
	}
	to, err := dateParam(r, "to", defTo)
	if err != nil {
		return "", "", err
	}
	if from > to {
		return "", "", errorf(kaoqin.EINVALID, "err_bad_range", from, to)
	}
	if _, _, err := kaoqin.CheckRange(from, to, todayOf(r), kaoqin.MaxRangeDays); err != nil {
		return "", "", errorf(kaoqin.EINVALID, "err_range_too_long", from, to, kaoqin.MaxRangeDays)
	}
	return from, to, nil
}

// withToday puts the server's today into a request's context, for dateParam: one request
// sees one today, even across midnight.
func (s *Server) withToday(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), todayKey, s.today())))
	})
}

// todayOf returns the request's today (see withToday); the real clock's in UTC for a request
// that did not go through the server's routes.
func todayOf(r *http.Request) string {
	if d, ok := r.Context().Value(todayKey).(string); ok {
		return d
	}
	return kaoqin.DateOf(time.Now(), time.UTC)
}

// deptParam returns the department id in query parameter "dept"; 0 if absent.
func deptParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("dept")
	if v == "" {
		return 0, nil
	}
	return parseDeptID(v)
}

func parseDeptID(v string) (int64, error) {
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errorf(kaoqin.EINVALID, "err_bad_dept", v)
	}
	return id, nil
}

// pageParam returns the page number (from 1) in query parameter "page".
func pageParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, errorf(kaoqin.EINVALID, "err_bad_page", v)
	}
	return n, nil
}

// limitParam returns the limit in query parameter "limit", between 1 and most.
func limitParam(r *http.Request, def, most int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		return 0, errorf(kaoqin.EINVALID, "err_bad_limit", v, most)
	}
	return n, nil
}

// exportFormat returns the file format of an export: csv or xlsx.
func exportFormat(r *http.Request) (report.Format, error) {
	v := r.URL.Query().Get("format")
	switch f := report.Format(v); f {
	case report.FormatCSV, report.FormatXLSX:
		return f, nil
	}
	return "", errorf(kaoqin.EINVALID, "err_bad_format", v)
}

// langParam returns the language of an export's headers: "lang" if given, else the
// dashboard's language.
func langParam(r *http.Request) (report.Lang, error) {
	v := r.URL.Query().Get("lang")
	if v == "" {
		return langOf(r), nil
	}
	l, err := report.ParseLang(v)
	if err != nil {
		return "", errorf(kaoqin.EINVALID, "err_bad_lang", v)
	}
	return l, nil
}

// paginate returns the slice bounds of page (from 1) of n items, size a page, and the number
// of pages (at least 1).
func paginate(n, page, size int) (lo, hi, pages int) {
	pages = max(1, (n+size-1)/size)
	page = min(page, pages)
	lo = min(n, (page-1)*size)
	hi = min(n, lo+size)
	return lo, hi, pages
}
