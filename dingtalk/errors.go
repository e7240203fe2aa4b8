package dingtalk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrInvalidArgument is wrapped by the errors a method returns without calling DingTalk,
// because its arguments break one of DingTalk's documented limits (50 users, 7 days...).
// IsInvalidParam reports true for them.
var ErrInvalidArgument = errors.New("invalid argument")

// APIError is DingTalk's answer to a call that failed: a non-zero errcode, an HTTP error, an
// IP ban, or a body that is not the JSON the endpoint promises. Its text is one line and never
// holds the app secret or a token. Use the Is* predicates rather than comparing codes.
type APIError struct {
	Path       string // the API path, e.g. "/attendance/list"
	HTTPStatus int
	// Code is DingTalk's errcode (0 when the failure is not DingTalk's: an HTTP error page, a
	// malformed body). topapi paths report gateway failures as 88 with the real code in SubCode.
	Code      int
	SubCode   string
	Message   string // sub_msg when there is one, else errmsg; or what was wrong with the body
	RequestID string
	// IPBlocked is set when DingTalk answered with its IP-ban page (HTML, or JSON with
	// "status":1111): more than 10,000 requests in 20 s came from this IP.
	IPBlocked bool
	// RetryAfter is how long DingTalk said to wait, when it said so (an IP ban, "处罚将在 …
	// 结束" in a throttle message, a throttled robot); 0 otherwise.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("dingtalk: ")
	b.WriteString(e.Path)
	b.WriteString(": ")
	switch {
	case e.IPBlocked:
		fmt.Fprintf(&b, "DingTalk blocks this IP for about %s (more than 10,000 requests in 20 s came from it); wait, then retry", blockDuration(e.RetryAfter))
	case e.Code != 0:
		fmt.Fprintf(&b, "errcode %d", e.Code)
		if e.SubCode != "" {
			fmt.Fprintf(&b, " (sub_code %s)", e.SubCode)
		}
		if e.HTTPStatus != 0 && e.HTTPStatus/100 != 2 {
			fmt.Fprintf(&b, ", HTTP %d", e.HTTPStatus)
		}
		if e.Message != "" {
			b.WriteString(": ")
			b.WriteString(e.Message)
		}
	default:
		if e.HTTPStatus != 0 {
			fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		}
		if e.SubCode != "" {
			fmt.Fprintf(&b, " %s", e.SubCode)
		}
		if e.Message != "" {
			if e.HTTPStatus != 0 || e.SubCode != "" {
				b.WriteString(": ")
			}
			b.WriteString(e.Message)
		}
	}
	if h := e.hint(); h != "" {
		b.WriteString(" (")
		b.WriteString(h)
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString(" [request_id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return oneLine(b.String())
}

func blockDuration(d time.Duration) string {
	if d <= 0 {
		d = 5 * time.Minute
	}
	return d.Round(time.Second).String()
}

// code is the errcode that says what happened: the numeric sub_code of an errcode 88, else
// the errcode itself.
func (e *APIError) code() int {
	if e.Code == 88 && e.SubCode != "" {
		if n, err := strconv.Atoi(e.SubCode); err == nil {
			return n
		}
	}
	return e.Code
}

// hint tells the reader what to do about the codes people meet most.
func (e *APIError) hint() string {
	if e.IPBlocked {
		return ""
	}
	switch e.code() {
	case 90020:
		return "the org's monthly quota of metered API calls is spent; attendance and work-notification calls fail until next month or until more quota is bought"
	case 90018, 90002, 90005, 90006:
		return "DingTalk throttled the call: too many calls to this API"
	case 40014, 42001, 40001, 41001:
		return "the access token is invalid or expired"
	case 40096, 40089:
		return "check the AppKey and AppSecret"
	case 60011, 43007:
		return "the app lacks the permission for this API: grant it in the DingTalk developer console"
	case 60020:
		return "add this server's egress IP to the app's IP whitelist in the DingTalk developer console"
	case 50004:
		return "the department is outside the app's contact scope"
	case 41041:
		return "the date span is too large: at most 7 days"
	case 410100, 130101, 660026:
		return "the robot sent more than 20 messages in a minute and is throttled for 10 minutes"
	case 310000:
		return "the robot's security check failed: keyword, signature, timestamp or IP"
	case 300005, 400101:
		return "the robot's webhook token is wrong"
	}
	return ""
}

func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\t") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// Throttling codes: 90018 per app and API (20 QPS), 90002 per API for everyone, 90005 per org
// and API per minute, 90006 per app and API per minute. topapi wraps them in errcode 88.
func (e *APIError) throttled() bool {
	if e.IPBlocked {
		return true
	}
	switch c := e.code(); {
	case c == 90018 || c == 90002 || c == 90005 || c == 90006:
		return true
	case c >= 90010 && c <= 90019:
		return true
	case c == 410100 || c == 130101 || c == 660026: // group robot: 20 messages a minute
		return true
	}
	return false
}

func (e *APIError) auth() bool {
	switch e.code() {
	case 40014, 42001, 40001, 41001, 40000, 40096, 40089, 300005, 400101:
		return true
	}
	return false
}

// tokenRejected reports the codes after which a fresh token may help.
func (e *APIError) tokenRejected() bool {
	switch e.code() {
	case 40014, 42001, 40001, 41001:
		return true
	}
	return false
}

func (e *APIError) transient() bool {
	return e.code() == -1 || e.HTTPStatus >= 500
}

func (e *APIError) invalidParam() bool {
	switch e.code() {
	case 40035, 400002, 41041, 40068, 40069, 43009:
		return true
	}
	s := strings.ToLower(e.SubCode)
	return strings.Contains(s, "invalid-parameter") || strings.Contains(s, "missing-parameter")
}

// IsThrottled reports whether err says DingTalk refused the call for going too fast: 90018,
// 90002, 90005, 90006 (also as errcode 88 with that sub_code, and 88 with sub_code 9001x), an
// IP ban, or a throttled group robot. Throttled calls are not metered.
func IsThrottled(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.throttled()
}

// IsAuth reports whether err is about credentials: an invalid, expired or missing access
// token (40014, 42001, 40001, 41001, also as 88 + sub_code) or a wrong AppKey or AppSecret.
func IsAuth(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.auth()
}

// IsQuotaExhausted reports whether err is 90020: the org's monthly quota of metered calls is
// spent. Such calls are never retried.
func IsQuotaExhausted(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.code() == 90020
}

// IsTransient reports whether err may go away by itself: errcode -1 (system busy), an HTTP
// 5xx answer, a timeout, or a connection that was refused, reset or cut short.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var e *APIError
	if errors.As(err, &e) {
		return e.transient()
	}
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.EPIPE)
}

// IsInvalidParam reports whether err says the call's parameters were wrong: 40035, 400002,
// 41041 (span too large), 40068/40069 (bad offset or size), 43009 (not JSON), a TOP
// "isv.invalid-parameter" sub_code, or ErrInvalidArgument from the client's own checks.
func IsInvalidParam(err error) bool {
	if errors.Is(err, ErrInvalidArgument) {
		return true
	}
	var e *APIError
	return errors.As(err, &e) && e.invalidParam()
}

// invalidf returns an error wrapping ErrInvalidArgument for a call that was not made.
func invalidf(path, format string, args ...any) error {
	return fmt.Errorf("dingtalk: %s: %s: %w", path, fmt.Sprintf(format, args...), ErrInvalidArgument)
}
