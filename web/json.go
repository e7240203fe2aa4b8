package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/kaoqin/kaoqin"
)

// statusOf maps the application's error codes to HTTP statuses: the one place they meet.
var statusOf = map[string]int{
	kaoqin.EINVALID:      http.StatusBadRequest,
	kaoqin.EUNAUTHORIZED: http.StatusUnauthorized,
	kaoqin.EFORBIDDEN:    http.StatusForbidden,
	kaoqin.ENOTFOUND:     http.StatusNotFound,
	kaoqin.ECONFLICT:     http.StatusConflict,
	kaoqin.ENOTSYNCED:    http.StatusConflict,
	kaoqin.EQUOTA:        http.StatusTooManyRequests,
	kaoqin.EUNAVAILABLE:  http.StatusServiceUnavailable,
	kaoqin.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status of err: that of its kaoqin.Error code, 500 for any
// other error.
func ErrorStatus(err error) int {
	var lo *lockedOut
	if asLockedOut(err, &lo) {
		return http.StatusTooManyRequests
	}
	if st, ok := statusOf[kaoqin.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every API error.
type ErrorBody struct {
	Code    string `json:"code"`    // a kaoqin error code, e.g. "not_synced"
	Message string `json:"message"` // for people, in the request's language (?lang=, the cookie, else Chinese)
	// MissingDays are the days not synced yet, with code "not_synced".
	MissingDays []string `json:"missing_days,omitempty"`
	// RetryAfter is how many seconds to wait, with a refused login.
	RetryAfter int `json:"retry_after,omitempty"`
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // the status is out; a client that went away is nobody's error
}

// jsonBlob is a JSON answer encoded once and served many times, gzipped (once, on first
// demand) to clients that take it.
type jsonBlob struct {
	raw    []byte
	gzOnce sync.Once
	gz     []byte
}

func newJSONBlob(v any) (*jsonBlob, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return &jsonBlob{raw: b.Bytes()}, nil
}

func (j *jsonBlob) gzipped() []byte {
	j.gzOnce.Do(func() { j.gz = gzipBytes(j.raw) })
	return j.gz
}

// gzipBytes compresses p, fast.
func gzipBytes(p []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	zw.Write(p)
	zw.Close()
	return b.Bytes()
}

// writeBlob writes j with status 200.
func writeBlob(w http.ResponseWriter, r *http.Request, j *jsonBlob) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Encoding")
	body := j.raw
	if acceptsGzip(r) {
		body = j.gzipped()
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// logError logs err if it is internal: users only ever see "Internal error.", so the log is
// where the cause goes.
func (s *Server) logError(r *http.Request, err error) {
	if kaoqin.ErrorCode(err) == kaoqin.EINTERNAL {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "code", kaoqin.ErrorCode(err), "msg", kaoqin.ErrorMessage(err))
	}
}

// writeError writes err as an ErrorBody with its status.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	s.logError(r, err)
	body := ErrorBody{Code: kaoqin.ErrorCode(err), Message: errorMessage(langOf(r), err)}
	var ns *notSyncedError
	if asNotSynced(err, &ns) {
		body.MissingDays = ns.missing
	}
	var lo *lockedOut
	if asLockedOut(err, &lo) {
		body.RetryAfter = lo.seconds()
		w.Header().Set("Retry-After", itoa(body.RetryAfter))
	}
	writeJSON(w, ErrorStatus(err), body)
}
