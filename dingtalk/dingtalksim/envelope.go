package dingtalksim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// style is the envelope family of a path.
type style int

const (
	// legacy paths (/gettoken, /attendance/*, /robot/send) put data and errcode at the top level.
	legacy style = iota
	// topapi paths put data in "result", add "request_id", and wrap gateway failures
	// (auth, throttling) as errcode 88 + sub_code.
	topapi
	// topapiFlat paths are topapi paths whose data sits at the top level (task_id, send_result).
	topapiFlat
)

func (st style) contentType() string {
	if st == legacy {
		return "application/json"
	}
	return "application/json;charset=UTF-8"
}

// apiError is a DingTalk failure: errcode and errmsg. Gateway errors have a second form on
// topapi paths: errcode 88 with sub_code/sub_msg.
type apiError struct {
	code      int
	msg       string
	gateway   bool
	subCode   string // topapi sub_code; "" means strconv.Itoa(code)
	subMsg    string // topapi sub_msg; "" means msg
	topCode   int    // legacy errcode for gateway errors whose legacy code differs (41001); 0: code
	throttled bool   // counted as Throttled
}

func errf(code int, format string, args ...any) *apiError {
	return &apiError{code: code, msg: fmt.Sprintf(format, args...)}
}

func errMissing(name string) *apiError { return errf(40035, "缺少参数 %s", name) }
func errInvalid(name string) *apiError { return errf(40035, "不合法的参数 %s", name) }

// errParam is an out-of-range value on a topapi path (UNVERIFIED codes, see doc.go).
func errParam(format string, args ...any) *apiError {
	return errf(400002, "无效的参数: "+format, args...)
}

var (
	errUnknownPath = errf(22, "Invalid method[submsg=不合法ApiName]")
	errFormBody    = errf(43009, "post参数需要json类型")
	errBusy        = errf(-1, "系统繁忙")
	errNeedGET     = errf(43001, "需要GET请求")
	errNeedPOST    = errf(43002, "需要POST请求")
)

// marshal encodes v as DingTalk does: no HTML escaping, no trailing newline.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("dingtalksim: cannot encode %T: %v", v, err)) // our own types: a bug
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// writeOK writes a successful answer around payload.
func (s *Server) writeOK(w http.ResponseWriter, st style, payload any) {
	body, ok := payload.(rawObject)
	if !ok {
		body = marshal(payload)
	}
	head := `{"errcode":0,"errmsg":"ok"`
	switch {
	case st == topapi:
		head += `,"result":`
	case len(bytes.TrimSpace(body[1:len(body)-1])) == 0: // legacy or flat with nothing to add
		body = nil
	default: // legacy and topapiFlat: the payload's fields join the envelope
		head += ","
		body = body[1 : len(body)-1]
	}
	tail := "}"
	if st != legacy {
		tail = `,"request_id":` + string(marshal(s.requestID())) + "}"
	}
	// Written in three pieces: a month of punch records is megabytes not worth copying.
	h := w.Header()
	h.Set("Content-Type", st.contentType())
	h.Set("Content-Length", strconv.Itoa(len(head)+len(body)+len(tail)))
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, head)
	w.Write(body)
	io.WriteString(w, tail)
}

// writeErr writes a failure in the path's style.
func (s *Server) writeErr(w http.ResponseWriter, st style, e *apiError) {
	var b bytes.Buffer
	switch {
	case st != legacy && e.gateway:
		sub, subMsg := e.subCode, e.subMsg
		if sub == "" {
			sub = strconv.Itoa(e.code)
		}
		if subMsg == "" {
			subMsg = e.msg
		}
		b.WriteString(`{"errcode":88,"errmsg":`)
		b.Write(marshal(fmt.Sprintf("ding talk error[subcode=%s,submsg=%s]", sub, subMsg)))
		b.WriteString(`,"sub_code":`)
		b.Write(marshal(sub))
		b.WriteString(`,"sub_msg":`)
		b.Write(marshal(subMsg))
	default:
		code := e.code
		if st == legacy && e.topCode != 0 {
			code = e.topCode
		}
		fmt.Fprintf(&b, `{"errcode":%d,"errmsg":`, code)
		b.Write(marshal(e.msg))
	}
	if st != legacy {
		b.WriteString(`,"request_id":`)
		b.Write(marshal(s.requestID()))
	}
	b.WriteByte('}')
	writeBody(w, http.StatusOK, st.contentType(), b.Bytes())
}

func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
