package web

import (
	"net/http"
	"strconv"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/report"
)

// Query parameters are validated here, each with a message that names the bad value and the
// expected form: a bad request is a 400 that says what to fix, never a 500.

// dateParam returns the date in query parameter name, or def if it is absent.
func dateParam(r *http.Request, name, def string) (string, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := kaoqin.ParseDate(v)
	if err != nil {
		return "", kaoqin.Errorf(kaoqin.EINVALID, "bad %s %q: want YYYY-MM-DD, e.g. 2026-11-18", name, v)
	}
	return d, nil
}

// rangeParams returns the from and to parameters (defaulting to defFrom and defTo), checked
// as a range of at most maxRangeDays.
func rangeParams(r *http.Request, defFrom, defTo string) (string, string, error) {
	from, err := dateParam(r, "from", defFrom)
	if err != nil {
		return "", "", err
	}
	to, err := dateParam(r, "to", defTo)
	if err != nil {
		return "", "", err
	}
	return checkRange(from, to)
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
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad department id %q: want a positive whole number, e.g. 5", v)
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
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad page %q: want a whole number from 1", v)
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
		return 0, kaoqin.Errorf(kaoqin.EINVALID, "bad limit %q: want a whole number from 1 to %d", v, most)
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
	return "", kaoqin.Errorf(kaoqin.EINVALID, "bad format %q: want csv or xlsx", v)
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
		return "", kaoqin.Errorf(kaoqin.EINVALID, "bad lang %q: want zh or en", v)
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
