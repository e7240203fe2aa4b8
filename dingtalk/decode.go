package dingtalk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// envelope holds every top-level field by which DingTalk says how a call went, in all the
// shapes seen in the wild.
type envelope struct {
	// Legacy oapi: {"errcode":0,"errmsg":"ok"}; topapi adds request_id, and wraps gateway
	// failures as errcode 88 with sub_code and sub_msg.
	Errcode   *FlexInt   `json:"errcode"`
	Errmsg    FlexString `json:"errmsg"`
	SubCode   FlexString `json:"sub_code"`
	SubMsg    FlexString `json:"sub_msg"`
	RequestID FlexString `json:"request_id"`

	// The IP ban: {"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"..."}. These
	// and the fields below are read leniently: a success answer may use the names otherwise.
	Status json.RawMessage `json:"status"`
	Wait   json.RawMessage `json:"wait"` // minutes
	Punish json.RawMessage `json:"punish"`

	// The TOP gateway's shape, seen in SDK docs: {"error_response":{"code":50,"msg":"...",
	// "sub_code":"isv.invalid-parameter","sub_msg":"..."}}.
	ErrorResponse *struct {
		Code      FlexInt    `json:"code"`
		Msg       FlexString `json:"msg"`
		SubCode   FlexString `json:"sub_code"`
		SubMsg    FlexString `json:"sub_msg"`
		RequestID FlexString `json:"request_id"`
	} `json:"error_response"`

	// api.dingtalk.com's shape, in case a gateway answers that way:
	// {"code":"InvalidAuthentication","message":"...","requestid":"..."}.
	Code       json.RawMessage `json:"code"`
	Message    json.RawMessage `json:"message"`
	RequestID2 json.RawMessage `json:"requestid"`
}

// rawText returns a raw JSON string or number as text, and "" for anything else.
func rawText(raw json.RawMessage) string {
	var s FlexString
	if len(raw) == 0 || raw[0] == 't' || raw[0] == 'f' || s.UnmarshalJSON(raw) != nil {
		return ""
	}
	return string(s)
}

var (
	// "ding talk error[subcode=90018, submsg=...]" when sub_code itself is missing.
	subcodeInMsg = regexp.MustCompile(`(?i)subcode\s*=\s*(-?[A-Za-z0-9_.\-]+)`)
	// "处罚将在 2019-03-01 10:00:00 结束" / "限制将在 ... 结束": when a penalty ends.
	penaltyEnd = regexp.MustCompile(`将在\s*(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2})\s*结束`)
)

// decode classifies an answer and, when it is a success, decodes it into v. It never trusts
// the Content-Type: topapi answers "application/json;charset=UTF-8", error pages say anything.
func (k *caller) decode(path string, status int, contentType string, body []byte, resp *Response, v any) error {
	b := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if looksLikeHTML(b, contentType) {
		switch {
		case status/100 == 2 || status == 403 || status == 429:
			return &APIError{Path: path, HTTPStatus: status, IPBlocked: true, RetryAfter: 5 * time.Minute}
		case status == 404:
			return &APIError{Path: path, HTTPStatus: status, Message: "an HTML page instead of JSON: is the base URL right?"}
		default:
			return &APIError{Path: path, HTTPStatus: status, Message: "an HTML page instead of JSON: " + k.snippet(b)}
		}
	}
	if len(b) == 0 {
		return &APIError{Path: path, HTTPStatus: status, Message: "the answer is empty"}
	}
	var env envelope
	if b[0] != '{' {
		return k.malformed(path, status, b, "not a JSON object")
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return k.malformed(path, status, b, err.Error())
	}
	resp.RequestID = string(env.RequestID)
	if resp.RequestID == "" {
		resp.RequestID = rawText(env.RequestID2)
	}

	if rawText(env.Status) == "1111" || rawText(env.Punish) != "" {
		var minutes FlexInt
		_ = minutes.UnmarshalJSON(env.Wait) // absent or odd: the documented 5 minutes
		wait := time.Duration(minutes) * time.Minute
		if wait <= 0 || wait > time.Hour {
			wait = 5 * time.Minute
		}
		return &APIError{Path: path, HTTPStatus: status, IPBlocked: true, RetryAfter: wait}
	}
	if er := env.ErrorResponse; er != nil {
		e := &APIError{Path: path, HTTPStatus: status, Code: int(er.Code), SubCode: string(er.SubCode),
			Message: k.red.redact(firstNonEmpty(string(er.SubMsg), string(er.Msg))), RequestID: string(er.RequestID)}
		if e.Code == 0 && e.SubCode == "" {
			e.Message = "error_response without a code: " + k.snippet(b)
		}
		return e
	}
	if env.Errcode == nil {
		switch {
		case rawText(env.Code) != "":
			return &APIError{Path: path, HTTPStatus: status, SubCode: rawText(env.Code),
				Message: k.red.redact(rawText(env.Message)), RequestID: resp.RequestID}
		case status/100 != 2:
			return &APIError{Path: path, HTTPStatus: status, Message: k.snippet(b)}
		}
		return k.malformed(path, status, b, `no "errcode"`)
	}
	if code := int(*env.Errcode); code != 0 {
		e := &APIError{Path: path, HTTPStatus: status, Code: code, SubCode: string(env.SubCode),
			Message: k.red.redact(firstNonEmpty(string(env.SubMsg), string(env.Errmsg))), RequestID: resp.RequestID}
		if e.SubCode == "" && code == 88 {
			if m := subcodeInMsg.FindStringSubmatch(string(env.Errmsg)); m != nil {
				e.SubCode = m[1]
			}
		}
		e.RetryAfter = k.retryAfter(e, string(env.Errmsg))
		return e
	}
	if status/100 != 2 {
		return &APIError{Path: path, HTTPStatus: status, Message: "errcode 0 with an HTTP error status"}
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			return k.malformed(path, status, b, err.Error())
		}
	}
	return nil
}

// retryAfter reads how long DingTalk asked the caller to wait.
func (k *caller) retryAfter(e *APIError, errmsg string) time.Duration {
	switch e.code() {
	case 410100, 130101, 660026:
		return 10 * time.Minute // a group robot over 20 messages a minute
	}
	if !e.throttled() {
		return 0
	}
	m := penaltyEnd.FindStringSubmatch(errmsg)
	if m == nil {
		return 0
	}
	end, err := time.ParseInLocation(DateTimeLayout, strings.Replace(m[1], "T", " ", 1), k.loc)
	if err != nil {
		return 0
	}
	if d := end.Sub(k.now()); d > 0 {
		return d
	}
	return 0
}

func looksLikeHTML(b []byte, contentType string) bool {
	if strings.Contains(strings.ToLower(contentType), "text/html") {
		return true
	}
	return len(b) > 0 && b[0] == '<'
}

// malformed reports an answer that is not the JSON the endpoint promises, quoting its start.
func (k *caller) malformed(path string, status int, body []byte, why string) *APIError {
	return &APIError{Path: path, HTTPStatus: status,
		Message: fmt.Sprintf("the answer is not the expected JSON (%s): %s", truncate(k.red.redact(why), 200), k.snippet(body))}
}

// snippet quotes the start of an answer for an error message: short, because answers hold
// personal data, and redacted.
func (k *caller) snippet(b []byte) string {
	return fmt.Sprintf("%q (%d bytes)", truncate(k.red.redact(string(b)), 120), len(b))
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
