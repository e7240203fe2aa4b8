package dingtalk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testCaller() *caller {
	return &caller{
		now: func() time.Time { return time.Date(2026, 11, 18, 9, 0, 0, 0, shanghai) },
		log: slog.New(slog.DiscardHandler),
		loc: shanghai,
		red: newRedactor(testAppSecret, testToken),
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        *APIError // nil: success
		requestID   string
	}{
		{"OK", 200, "application/json", `{"errcode":0,"errmsg":"ok"}`, nil, ""},
		{"OKTopapiCharset", 200, "application/json;charset=UTF-8", `{"errcode":0,"errmsg":"ok","result":[],"request_id":"r9"}`, nil, "r9"},
		{"OKErrcodeAsString", 200, "application/json", `{"errcode":"0","errmsg":"ok"}`, nil, ""},
		{"OKWithBOMAndSpace", 200, "application/json", "\xef\xbb\xbf \n{\"errcode\":0}", nil, ""},
		// fastwego's bug: errors with a charset in the Content-Type passed as success.
		{"TopapiErrorWithCharset", 200, "application/json;charset=UTF-8",
			`{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error[subcode=40014,submsg=不合法的access_token]","request_id":"abc"}`,
			&APIError{HTTPStatus: 200, Code: 88, SubCode: "40014", Message: "不合法的access_token", RequestID: "abc"}, "abc"},
		{"LegacyError", 200, "application/json", `{"errcode":40014,"errmsg":"不合法的access_token"}`,
			&APIError{HTTPStatus: 200, Code: 40014, Message: "不合法的access_token"}, ""},
		{"ErrcodeAsString", 200, "", `{"errcode":"90018","errmsg":"qps"}`,
			&APIError{HTTPStatus: 200, Code: 90018, Message: "qps"}, ""},
		{"SubCodeAsNumber", 200, "", `{"errcode":88,"sub_code":90018,"sub_msg":"qps","errmsg":"x"}`,
			&APIError{HTTPStatus: 200, Code: 88, SubCode: "90018", Message: "qps"}, ""},
		{"SubCodeOnlyInErrmsg", 200, "", `{"errcode":88,"errmsg":"ding talk error[subcode=90018, submsg=触发了qps流控]"}`,
			&APIError{HTTPStatus: 200, Code: 88, SubCode: "90018", Message: "ding talk error[subcode=90018, submsg=触发了qps流控]"}, ""},
		{"UnknownPath", 200, "", `{"errcode":22,"errmsg":"Invalid method[submsg=不合法ApiName]"}`,
			&APIError{HTTPStatus: 200, Code: 22, Message: "Invalid method[submsg=不合法ApiName]"}, ""},
		{"IPBanJSON", 200, "application/json", `{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"u"}`,
			&APIError{HTTPStatus: 200, IPBlocked: true, RetryAfter: 5 * time.Minute}, ""},
		{"IPBanStatusAsString", 200, "application/json", `{"status":"1111","wait":"3","punish":"deny"}`,
			&APIError{HTTPStatus: 200, IPBlocked: true, RetryAfter: 3 * time.Minute}, ""},
		{"IPBanHTML", 200, "text/html", `<html><body>您的访问被拒绝</body></html>`,
			&APIError{HTTPStatus: 200, IPBlocked: true, RetryAfter: 5 * time.Minute}, ""},
		{"IPBanHTMLNoContentType", 403, "", `<!DOCTYPE html><html></html>`,
			&APIError{HTTPStatus: 403, IPBlocked: true, RetryAfter: 5 * time.Minute}, ""},
		{"GatewayHTML", 502, "text/html", `<html><title>502 Bad Gateway</title></html>`,
			&APIError{HTTPStatus: 502, Message: `an HTML page instead of JSON: "<html><title>502 Bad Gateway</title></html>" (43 bytes)`}, ""},
		{"NotFoundHTML", 404, "text/html", `<html>404</html>`,
			&APIError{HTTPStatus: 404, Message: "an HTML page instead of JSON: is the base URL right?"}, ""},
		{"Empty", 200, "", ``, &APIError{HTTPStatus: 200, Message: "the answer is empty"}, ""},
		{"NotJSON", 200, "text/plain", `hello`,
			&APIError{HTTPStatus: 200, Message: `the answer is not the expected JSON (not a JSON object): "hello" (5 bytes)`}, ""},
		{"Array", 200, "", `[]`,
			&APIError{HTTPStatus: 200, Message: `the answer is not the expected JSON (not a JSON object): "[]" (2 bytes)`}, ""},
		{"NoErrcode", 200, "", `{"result":{}}`,
			&APIError{HTTPStatus: 200, Message: `the answer is not the expected JSON (no "errcode"): "{\"result\":{}}" (13 bytes)`}, ""},
		{"Truncated", 200, "", `{"errcode":0,"errmsg":"o`,
			&APIError{HTTPStatus: 200, Message: `the answer is not the expected JSON (unexpected end of JSON input): "{\"errcode\":0,\"errmsg\":\"o" (24 bytes)`}, ""},
		{"HTTP500NoErrcode", 500, "", `{"message":"internal"}`,
			&APIError{HTTPStatus: 500, Message: `"{\"message\":\"internal\"}" (22 bytes)`}, ""},
		{"ErrcodeZeroButHTTPError", 503, "", `{"errcode":0}`,
			&APIError{HTTPStatus: 503, Message: "errcode 0 with an HTTP error status"}, ""},
		{"TOPErrorResponse", 200, "", `{"error_response":{"msg":"Remote service error","code":50,"sub_msg":"非法参数","sub_code":"isv.invalid-parameter"}}`,
			&APIError{HTTPStatus: 200, Code: 50, SubCode: "isv.invalid-parameter", Message: "非法参数"}, ""},
		{"NewAPIError", 400, "application/json", `{"code":"InvalidAuthentication","message":"不合法的access_token","requestid":"R1"}`,
			&APIError{HTTPStatus: 400, SubCode: "InvalidAuthentication", Message: "不合法的access_token", RequestID: "R1"}, "R1"},
	} {
		t.Run(test.name, func(t *testing.T) {
			resp := &Response{}
			err := testCaller().decode("/p", test.status, test.contentType, []byte(test.body), resp, nil)
			if test.want == nil {
				if err != nil {
					t.Fatalf("error %v, want success", err)
				}
			} else {
				var got *APIError
				if !errors.As(err, &got) {
					t.Fatalf("error %v (%T), want an *APIError", err, err)
				}
				test.want.Path = "/p"
				if diff := cmp.Diff(test.want, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				if strings.ContainsAny(got.Error(), "\n\r") {
					t.Errorf("Error() spans lines: %q", got.Error())
				}
			}
			if resp.RequestID != test.requestID {
				t.Errorf("request id %q, want %q", resp.RequestID, test.requestID)
			}
		})
	}
}

func TestDecode_IntoValue(t *testing.T) {
	t.Parallel()
	var out struct {
		Result struct {
			ID FlexInt `json:"dept_id"`
		} `json:"result"`
	}
	err := testCaller().decode("/p", 200, "", []byte(`{"errcode":0,"result":{"dept_id":"42"}}`), &Response{}, &out)
	if err != nil || out.Result.ID != 42 {
		t.Fatalf("got %+v, %v", out, err)
	}
	err = testCaller().decode("/p", 200, "", []byte(`{"errcode":0,"result":{"dept_id":{"x":1}}}`), &Response{}, &out)
	if err == nil || !strings.Contains(err.Error(), "dingtalk: /p: HTTP 200: the answer is not the expected JSON") {
		t.Fatalf("error %v, want a malformed-answer error naming the path", err)
	}
}

func TestAPIError_Predicates(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		err                                            *APIError
		throttled, auth, quota, transient, invalid, rf bool
	}{
		{err: &APIError{Code: 90018}, throttled: true},
		{err: &APIError{Code: 90002}, throttled: true},
		{err: &APIError{Code: 90005}, throttled: true},
		{err: &APIError{Code: 90006}, throttled: true},
		{err: &APIError{Code: 88, SubCode: "90018"}, throttled: true},
		{err: &APIError{Code: 88, SubCode: "90011"}, throttled: true},
		{err: &APIError{IPBlocked: true}, throttled: true},
		{err: &APIError{Code: 130101}, throttled: true},
		{err: &APIError{Code: 40014}, auth: true, rf: true},
		{err: &APIError{Code: 42001}, auth: true, rf: true},
		{err: &APIError{Code: 40001}, auth: true, rf: true},
		{err: &APIError{Code: 41001}, auth: true, rf: true},
		{err: &APIError{Code: 88, SubCode: "40014"}, auth: true, rf: true},
		{err: &APIError{Code: 88, SubCode: "42001"}, auth: true, rf: true},
		{err: &APIError{Code: 88, SubCode: "40001"}, auth: true, rf: true},
		{err: &APIError{Code: 88, SubCode: "40000"}, auth: true},
		{err: &APIError{Code: 40096}, auth: true},
		{err: &APIError{Code: 90020}, quota: true},
		{err: &APIError{Code: 88, SubCode: "90020"}, quota: true},
		{err: &APIError{Code: -1}, transient: true},
		{err: &APIError{HTTPStatus: 502}, transient: true},
		{err: &APIError{Code: 40035}, invalid: true},
		{err: &APIError{Code: 400002}, invalid: true},
		{err: &APIError{Code: 41041}, invalid: true},
		{err: &APIError{Code: 50, SubCode: "isv.invalid-parameter"}, invalid: true},
		{err: &APIError{Code: 60011}},
		{err: &APIError{Code: 88, SubCode: "isv.unknown"}},
	} {
		var err error = test.err
		wrapped := errors.Join(errors.New("context"), err)
		for _, e := range []error{err, wrapped} {
			if IsThrottled(e) != test.throttled || IsAuth(e) != test.auth || IsQuotaExhausted(e) != test.quota ||
				IsTransient(e) != test.transient || IsInvalidParam(e) != test.invalid || test.err.tokenRejected() != test.rf {
				t.Errorf("%+v: throttled %v auth %v quota %v transient %v invalid %v refetch %v", test.err,
					IsThrottled(e), IsAuth(e), IsQuotaExhausted(e), IsTransient(e), IsInvalidParam(e), test.err.tokenRejected())
			}
		}
	}
	if IsThrottled(nil) || IsAuth(nil) || IsTransient(nil) || IsQuotaExhausted(nil) || IsInvalidParam(nil) {
		t.Error("a predicate is true for nil")
	}
	if !IsInvalidParam(invalidf("/p", "bad")) {
		t.Error("IsInvalidParam is false for the client's own argument check")
	}
}

func TestAPIError_Error(t *testing.T) {
	t.Parallel()
	for _, test := range []struct {
		err  *APIError
		want string
	}{
		{&APIError{Path: "/attendance/list", Code: 90018, Message: "触发了qps流控", HTTPStatus: 200},
			"dingtalk: /attendance/list: errcode 90018: 触发了qps流控 (DingTalk throttled the call: too many calls to this API)"},
		{&APIError{Path: "/topapi/x", Code: 88, SubCode: "60011", Message: "no\npermission", RequestID: "r"},
			"dingtalk: /topapi/x: errcode 88 (sub_code 60011): no permission (the app lacks the permission for this API: grant it in the DingTalk developer console) [request_id r]"},
		{&APIError{Path: "/topapi/x", Code: -1, HTTPStatus: 503, Message: "busy"},
			"dingtalk: /topapi/x: errcode -1, HTTP 503: busy"},
		{&APIError{Path: "/p", HTTPStatus: 400, SubCode: "InvalidAuthentication", Message: "bad token"},
			"dingtalk: /p: HTTP 400 InvalidAuthentication: bad token"},
		{&APIError{Path: "/p", IPBlocked: true},
			"dingtalk: /p: DingTalk blocks this IP for about 5m0s (more than 10,000 requests in 20 s came from it); wait, then retry"},
	} {
		if got := test.err.Error(); got != test.want {
			t.Errorf("Error() =\n%q, want\n%q", got, test.want)
		}
	}
}

// FuzzDecodeResponse feeds any answer to the decoder and to every shape of result the
// endpoints decode into: it must never panic, every failure must be an *APIError on one line,
// and no success may come from a body without errcode 0.
func FuzzDecodeResponse(f *testing.F) {
	seeds := []string{
		`{"errcode":0,"errmsg":"ok","hasMore":false,"recordresult":[{"id":1,"userId":"u","workDate":1463328000000,"recordId":"30068312"}]}`,
		`{"errcode":0,"result":{"has_more":true,"next_cursor":100,"list":[{"userid":"u1","name":"张三"}]},"request_id":"x"}`,
		`{"errcode":0,"result":{"schedules":[{"plan_check_time":"2017-04-11 11:11:11","plan_id":1}],"has_more":false}}`,
		`{"errcode":88,"sub_code":"40014","sub_msg":"不合法的access_token","errmsg":"ding talk error[subcode=40014]","request_id":"r"}`,
		`{"status":1111,"wait":5,"source":"x5","punish":"deny","uuid":"u"}`,
		`<html>blocked</html>`,
		`{"error_response":{"code":50,"sub_code":"isv.invalid-parameter"}}`,
		`{"errcode":"0","result":{"userid_list":["a",1]}}`,
		`{"errcode":90002,"errmsg":"处罚将在 2026-11-18 09:00:12 结束."}`,
		`{"errcode":0,"result":[{"id":1,"work_date":"2026-11-18","plan_check_time":1}]}`,
		``, `null`, `{`, `{"errcode":1e400}`, `{"errcode":0.5}`,
	}
	for _, s := range seeds {
		f.Add(200, s)
		f.Add(502, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		k := testCaller()
		targets := []func() any{
			func() any {
				return new(struct {
					RecordResult []Result `json:"recordresult"`
				})
			},
			func() any {
				return new(struct {
					RecordResult []Record `json:"recordresult"`
				})
			},
			func() any { return new(userPage[User]) },
			func() any {
				return new(struct {
					Result *[]Department `json:"result"`
				})
			},
			func() any {
				return new(struct {
					Result *[]UserSchedule `json:"result"`
				})
			},
			func() any {
				return new(struct {
					Result *UpdateData `json:"result"`
				})
			},
			func() any {
				return new(struct {
					Result *struct{ Groups []Group } `json:"result"`
				})
			},
			func() any { return new(tokenAnswer) },
		}
		for _, target := range targets {
			v := target()
			err := k.decode("/fuzz", status, "", []byte(body), &Response{}, v)
			if err != nil {
				var e *APIError
				if !errors.As(err, &e) {
					t.Fatalf("error %v (%T) is not an *APIError", err, err)
				}
				if msg := e.Error(); strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, testAppSecret) || strings.Contains(msg, testToken) {
					t.Fatalf("bad error text %q", msg)
				}
				continue
			}
			var env struct {
				Errcode *FlexInt `json:"errcode"`
			}
			if json.Unmarshal([]byte(strings.TrimPrefix(strings.TrimSpace(body), "\xef\xbb\xbf")), &env) != nil || env.Errcode == nil || *env.Errcode != 0 {
				t.Fatalf("success for a body without errcode 0: %q", body)
			}
			if status/100 != 2 {
				t.Fatalf("success with HTTP %d", status)
			}
			// Resolving DateTimes must not panic either.
			if u, ok := v.(*struct {
				Result *[]UserSchedule `json:"result"`
			}); ok && u.Result != nil {
				for i := range *u.Result {
					_ = resolveAll(shanghai, &(*u.Result)[i].WorkDate, &(*u.Result)[i].PlanCheckTime)
				}
			}
		}
	})
}

func TestDecode_AnswerTooLarge(t *testing.T) {
	t.Parallel()
	env := setup(t)
	env.handle("/topapi/user/listid", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"errcode":0,"result":{"userid_list":["%s"]}}`, strings.Repeat("x", maxBodySize))
	})
	_, _, err := env.client.Users.ListIDs(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), "the answer is larger than 4 MiB") {
		t.Fatalf("error %v", err)
	}
}
