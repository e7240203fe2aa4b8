package dingtalksim

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const maxBody = 1 << 20

// params is a JSON request body, read field by field. The first problem found is kept in
// err, so a handler reads all its fields and then checks once.
type params struct {
	m   map[string]json.RawMessage
	err *apiError
}

// readParams reads a POST body. DingTalk wants JSON: a form body is refused with 43009, and
// so is anything that is not a JSON object.
func readParams(r *http.Request) (*params, *apiError) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
		return nil, errFormBody
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(data) > maxBody {
		return nil, errFormBody
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil || m == nil {
		return nil, errFormBody
	}
	return &params{m: m}, nil
}

func (p *params) fail(e *apiError) {
	if p.err == nil {
		p.err = e
	}
}

// raw returns the field, treating null as absent.
func (p *params) raw(name string) (json.RawMessage, bool) {
	v, ok := p.m[name]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

func (p *params) has(name string) bool { _, ok := p.raw(name); return ok }

func (p *params) missing(name string, required bool) {
	if required {
		p.fail(errMissing(name))
	}
}

// str reads a string field.
func (p *params) str(name string, required bool) string {
	v, ok := p.raw(name)
	if !ok {
		p.missing(name, required)
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		p.fail(errInvalid(name))
		return ""
	}
	if required && s == "" {
		p.fail(errMissing(name))
	}
	return s
}

// int reads an integer field; a string where a number belongs is refused.
func (p *params) int(name string, required bool) (int64, bool) {
	v, ok := p.raw(name)
	if !ok {
		p.missing(name, required)
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil {
		p.fail(errInvalid(name))
		return 0, false
	}
	return n, true
}

// boolean reads a boolean field; "true"/"false" strings are accepted as DingTalk's own
// samples send isI18n that way.
func (p *params) boolean(name string) (bool, bool) {
	v, ok := p.raw(name)
	if !ok {
		return false, false
	}
	switch string(v) {
	case "true", `"true"`:
		return true, true
	case "false", `"false"`:
		return false, true
	}
	p.fail(errInvalid(name))
	return false, false
}

// strings reads a JSON array of strings.
func (p *params) strings(name string, required bool) []string {
	v, ok := p.raw(name)
	if !ok {
		p.missing(name, required)
		return nil
	}
	var list []string
	if json.Unmarshal(v, &list) != nil {
		p.fail(errInvalid(name))
		return nil
	}
	if required && len(list) == 0 {
		p.fail(errMissing(name))
	}
	return list
}

// commaList reads a comma-separated string field ("u1,u2").
func (p *params) commaList(name string, required bool) []string {
	s := p.str(name, required)
	if s == "" {
		return nil
	}
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	if required && len(out) == 0 {
		p.fail(errMissing(name))
	}
	return out
}

// commaInts reads a comma-separated string of integers ("2,3").
func (p *params) commaInts(name string, required bool) []int64 {
	var out []int64
	for _, part := range p.commaList(name, required) {
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			p.fail(errInvalid(name))
			return nil
		}
		out = append(out, n)
	}
	return out
}

const wireTime = "2006-01-02 15:04:05"

// timeStr reads a "yyyy-MM-dd HH:mm:ss" field in the company's time zone.
func (p *params) timeStr(name string, required bool, loc *time.Location) (time.Time, bool) {
	s := p.str(name, required)
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(wireTime, s, loc)
	if err != nil {
		p.fail(errInvalid(name))
		return time.Time{}, false
	}
	return t, true
}

// millis reads an epoch-milliseconds field.
func (p *params) millis(name string, required bool, loc *time.Location) (time.Time, bool) {
	n, ok := p.int(name, required)
	if !ok {
		return time.Time{}, false
	}
	return time.UnixMilli(n).In(loc), true
}
