package syncer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
)

// FirstDay is the earliest work date kaoqin asks DingTalk about.
const FirstDay = kaoqin.EarliestDate

// ServedDays is how far back DingTalk serves attendance: results older than 180 days before
// today come back empty, and an empty pull would become silent zeros in reports.
const ServedDays = 180

// Range checks the work dates of a sync and fills in the defaults: both empty is today; only
// from runs to today; only to is that one day. It refuses a range that runs backwards, starts
// before 2017, ends after today, or starts more than 180 days ago.
func Range(from, to string, now time.Time, loc *time.Location) (string, string, error) {
	today := kaoqin.DateOf(now, loc)
	switch {
	case from == "" && to == "":
		from, to = today, today
	case to == "":
		to = today
	case from == "":
		from = to
	}
	from, to, err := kaoqin.ParseRange(from, to)
	if err != nil {
		return "", "", err
	}
	oldest := kaoqin.AddDays(today, -ServedDays)
	switch {
	case from < FirstDay:
		return "", "", kaoqin.Errorf(kaoqin.EINVALID, "the range starts %s, before %s: DingTalk has no attendance that old", from, FirstDay)
	case to > today:
		return "", "", kaoqin.Errorf(kaoqin.EINVALID, "the range ends %s, after today (%s): there is no attendance of days to come", to, today)
	case from < oldest:
		return "", "", kaoqin.Errorf(kaoqin.EINVALID,
			"the range starts %s, more than %d days ago: DingTalk serves attendance from %s on only, and an empty pull would show as zeros in reports",
			from, ServedDays, oldest)
	}
	return from, to, nil
}

// CheckAccess learns, before anything is written, whether DingTalk is there and takes the
// credentials: it opens a connection to baseURL's host (or to the proxy the environment names
// for it), which fails at once where the client would retry a refused connection for half a
// minute, then fetches the app's access token (a free call). The error is one line that says
// what to check.
func CheckAccess(ctx context.Context, c *dingtalk.Client, baseURL string) error {
	if err := dial(ctx, baseURL); err != nil {
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot reach DingTalk at %s: %s; check KAOQIN_DINGTALK_BASE_URL and the network",
			printableURL(baseURL), netReason(err))
	}
	if _, err := c.AccessToken(ctx); err != nil {
		return accessError(err, baseURL)
	}
	return nil
}

// dialTimeout bounds the connection test of CheckAccess.
const dialTimeout = 10 * time.Second

// dial opens and closes a TCP connection to where a request to baseURL would go.
func dial(ctx context.Context, baseURL string) error {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("bad base URL %q", baseURL)
	}
	if p, err := http.ProxyFromEnvironment(&http.Request{URL: u}); err == nil && p != nil {
		u = p
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return err
	}
	return conn.Close()
}

func accessError(err error, baseURL string) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	where := printableURL(baseURL)
	var e *dingtalk.APIError
	switch {
	case dingtalk.IsAuth(err) && errors.As(err, &e):
		code := fmt.Sprint(e.Code)
		if e.SubCode != "" {
			code += " " + e.SubCode
		}
		return kaoqin.Errorf(kaoqin.EUNAUTHORIZED,
			"DingTalk refused the AppKey/AppSecret (errcode %s): check KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET", code)
	case errors.As(err, &e) && e.IPBlocked:
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "%v", err)
	case errors.As(err, &e):
		return kaoqin.Errorf(kaoqin.EUNAVAILABLE,
			"DingTalk at %s did not answer as DingTalk does (%v): check KAOQIN_DINGTALK_BASE_URL", where, err)
	}
	return kaoqin.Errorf(kaoqin.EUNAVAILABLE, "cannot reach DingTalk at %s: %s; check KAOQIN_DINGTALK_BASE_URL and the network",
		where, netReason(err))
}

// netReason is the network part of a failed call: "dial tcp 127.0.0.1:1: connect: connection
// refused" rather than the whole request, whose URL is of no use to the reader.
func netReason(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.Error()
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Error()
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// printableURL drops what a URL should not show: a user's password, a query.
func printableURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q", raw)
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
