package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/dingtalk/dingtalksim"
)

func TestSimCommandFlags(t *testing.T) {
	cli := parseOnly(t, []string{"dingtalk-sim", "--addr", "127.0.0.1:0", "--seed", "3", "--employees", "1000",
		"--speed", "60", "--token-ttl", "10m", "--qps", "5", "--monthly-quota", "100", "--fault-rate", "0.1",
		"--latency", "50ms", "--negative-dept", "--now", "2026-11-18T08:30:00+08:00"})
	c := cli.DingtalkSim
	if c.Addr != "127.0.0.1:0" || c.Seed != 3 || c.Employees != 1000 || c.Speed != 60 || c.TokenTTL != 10*time.Minute ||
		c.FaultRate != 0.1 || c.Latency != 50*time.Millisecond || !c.NegativeDept || c.Now != "2026-11-18T08:30:00+08:00" ||
		cli.QPS != 5 || cli.MonthlyQuota != 100 {
		t.Errorf("parsed %+v, globals qps %v quota %d", c, cli.QPS, cli.MonthlyQuota)
	}
	d := parseOnly(t, []string{"dingtalk-sim"}).DingtalkSim
	if d.Addr != "127.0.0.1:9000" || d.Seed != 1 || d.Employees != 300 || d.Speed != 1 || d.TokenTTL != 2*time.Hour {
		t.Errorf("defaults %+v", d)
	}
}

func TestSimCommandBadUsage(t *testing.T) {
	for _, args := range [][]string{
		{"dingtalk-sim", "--addr", "127.0.0.1:0", "--now", "yesterday"},
		{"dingtalk-sim", "--addr", "127.0.0.1:0", "--fault-rate", "2"},
		{"dingtalk-sim", "--addr", "127.0.0.1:0", "--employees", "0"},
	} {
		var out bytes.Buffer
		if status := run(context.Background(), args, &out, &out); status != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, status, out.String())
		}
		if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); !strings.HasPrefix(lines[len(lines)-1], "kaoqin: --") {
			t.Errorf("%v: last line %q does not name the flag", args, lines[len(lines)-1])
		}
	}
}

func TestSimCommandServes(t *testing.T) {
	const secret = "s3cret-given-on-the-command-line"
	var out bytes.Buffer
	g := &Globals{AppSecret: secret, QPS: 20, MonthlyQuota: 5000, Timezone: "Asia/Shanghai", stdout: &out, stderr: &out}
	addrc := make(chan string, 1)
	cmd := &simCmd{Addr: "127.0.0.1:0", Seed: 1, Employees: 40, Speed: 0, TokenTTL: time.Hour,
		Now: "2026-11-18T10:00:00+08:00", listening: func(a string) { addrc <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.Run(ctx, g) }()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("the command ended before listening: %v", err)
	}

	get := func(u string) string {
		resp, err := http.Get(base + u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if body := get("/gettoken?appkey=" + dingtalksim.DefaultAppKey + "&appsecret=" + url.QueryEscape(dingtalksim.DefaultAppSecret)); !strings.Contains(body, `"errcode":40096`) {
		t.Errorf("the default secret works although --app-secret was given: %s", body)
	}
	body := get("/gettoken?appkey=" + dingtalksim.DefaultAppKey + "&appsecret=" + url.QueryEscape(secret))
	if !strings.Contains(body, `"access_token"`) {
		t.Fatalf("gettoken with --app-secret: %s", body)
	}
	tok := strings.Split(strings.Split(body, `"access_token":"`)[1], `"`)[0]
	resp, err := http.Post(base+"/attendance/listRecord?access_token="+tok, "application/json",
		strings.NewReader(`{"userIds":["x"],"checkDateFrom":"2026-11-18 00:00:00","checkDateTo":"2026-11-18 10:00:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if body := get("/_sim/counters"); !strings.Contains(body, `"/attendance/listRecord":{"calls":1,"metered":1`) {
		t.Errorf("/_sim/counters: %s", body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after Ctrl-C: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop")
	}
	text := out.String()
	first := strings.SplitN(text, "\n", 2)[0]
	if !strings.Contains(first, "listening on "+base) || !strings.Contains(first, "AppKey "+dingtalksim.DefaultAppKey) ||
		!strings.Contains(first, "the one given by --app-secret") {
		t.Errorf("first line: %q", first)
	}
	for _, want := range []string{"/attendance/listRecord", "/gettoken", "total", "metered calls this month: 1 of 5000"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(text, secret) || strings.Contains(text, tok) {
		t.Error("the output shows the app secret or a token")
	}
}

func TestSimCommandConfig(t *testing.T) {
	base := simCmd{Seed: 1, Employees: 10, Speed: 1, TokenTTL: time.Hour}
	for _, c := range []struct {
		qps       float64
		quota     quota // 0: off
		wantQPS   int
		wantQuota int
	}{
		{20, 5000, 20, 5000},
		{0.5, 100, 1, 100},
		{0, 0, -1, -1},
		{-1, 10, -1, 10},
	} {
		cfg, err := base.config(&Globals{QPS: c.qps, MonthlyQuota: c.quota, Timezone: "Asia/Shanghai"})
		if err != nil || cfg.QPS != c.wantQPS || cfg.MonthlyQuota != c.wantQuota || cfg.Location.String() != "Asia/Shanghai" {
			t.Errorf("qps %v quota %d: got %d %d %v (%v)", c.qps, c.quota, cfg.QPS, cfg.MonthlyQuota, cfg.Location, err)
		}
	}
	if _, err := base.config(&Globals{Timezone: "Mars/Olympus"}); err == nil {
		t.Error("an unknown time zone was accepted")
	}
}
