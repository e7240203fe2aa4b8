package syncer_test

import (
	"context"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/dingtalk"
	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
	"github.com/kaoqin/kaoqin/syncer"
)

func TestRange(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 20, 0, 30, 0, 0, shanghai) // in UTC still the 19th
	for _, test := range []struct {
		name, from, to string
		wantFrom       string
		wantTo         string
		wantErr        string
	}{
		{"today by default", "", "", "2026-11-20", "2026-11-20", ""},
		{"from only runs to today", "2026-11-01", "", "2026-11-01", "2026-11-20", ""},
		{"to only is one day", "", "2026-11-03", "2026-11-03", "2026-11-03", ""},
		{"a range", "2026-10-26", "2026-11-19", "2026-10-26", "2026-11-19", ""},
		{"180 days back is served", "2026-05-24", "2026-05-30", "2026-05-24", "2026-05-30", ""},
		{"backwards", "2026-11-10", "2026-11-01", "", "", "runs backwards"},
		{"not a date", "2026-11-31", "2026-11-30", "", "", "bad date"},
		{"before 2017", "2016-12-31", "2017-01-05", "", "", "before 2017-01-01"},
		{"after today", "2026-11-19", "2026-11-21", "", "", "after today (2026-11-20)"},
		{"older than DingTalk serves", "2026-05-23", "2026-05-30", "", "", "more than 180 days ago"},
	} {
		t.Run(test.name, func(t *testing.T) {
			from, to, err := syncer.Range(test.from, test.to, now, shanghai)
			if test.wantErr != "" {
				if kaoqin.ErrorCode(err) != kaoqin.EINVALID || !strings.Contains(kaoqin.ErrorMessage(err), test.wantErr) {
					t.Errorf("err = %v, want EINVALID saying %q", err, test.wantErr)
				}
				return
			}
			if err != nil || from != test.wantFrom || to != test.wantTo {
				t.Errorf("Range(%q, %q) = %q, %q, %v; want %q, %q", test.from, test.to, from, to, err, test.wantFrom, test.wantTo)
			}
		})
	}
}

func TestCheckAccess(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(dingtalksim.New(dingtalksim.Config{Employees: 5}))
	defer srv.Close()
	const secret = "not-the-secret-3f9a"
	newClient := func(base, secret string) *dingtalk.Client {
		c, err := dingtalk.NewClient(dingtalksim.DefaultAppKey, secret, dingtalk.WithBaseURL(base),
			dingtalk.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
		must(t, err)
		return c
	}
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		must(t, syncer.CheckAccess(ctx, newClient(srv.URL, dingtalksim.DefaultAppSecret), srv.URL))
	})
	t.Run("ErrBadCredentials", func(t *testing.T) {
		err := syncer.CheckAccess(ctx, newClient(srv.URL, secret), srv.URL)
		want := "DingTalk refused the AppKey/AppSecret (errcode 40096): check KAOQIN_DINGTALK_APP_KEY and KAOQIN_DINGTALK_APP_SECRET"
		if kaoqin.ErrorCode(err) != kaoqin.EUNAUTHORIZED || kaoqin.ErrorMessage(err) != want {
			t.Errorf("err = %v\nwant %q", err, want)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		base := "http://" + ln.Addr().String()
		ln.Close() // nobody listens there any more
		err = syncer.CheckAccess(ctx, newClient(base, secret), base)
		msg := kaoqin.ErrorMessage(err)
		if kaoqin.ErrorCode(err) != kaoqin.EUNAVAILABLE || !strings.HasPrefix(msg, "cannot reach DingTalk at "+base+": ") ||
			!strings.HasSuffix(msg, "; check KAOQIN_DINGTALK_BASE_URL and the network") {
			t.Errorf("err = %v", err)
		}
		if strings.Contains(msg, secret) || strings.Contains(err.Error(), secret) {
			t.Errorf("the secret is in the error: %v", err)
		}
	})
	t.Run("ErrNotDingTalk", func(t *testing.T) {
		other := httptest.NewServer(nil) // answers 404 to everything
		defer other.Close()
		err := syncer.CheckAccess(ctx, newClient(other.URL, secret), other.URL)
		if kaoqin.ErrorCode(err) != kaoqin.EUNAVAILABLE || !strings.Contains(kaoqin.ErrorMessage(err), "check KAOQIN_DINGTALK_BASE_URL") {
			t.Errorf("err = %v", err)
		}
	})
}
