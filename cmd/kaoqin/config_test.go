package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "kaoqin.conf")
	os.WriteFile(file, []byte("# comment\nKAOQIN_DB=from-file.db\nKAOQIN_TIMEZONE=\"Europe/Berlin\"\nKAOQIN_DINGTALK_QPS=7\n"), 0o600)

	parse := func(args ...string) Globals {
		t.Helper()
		return parseOnly(t, append(args, "version")).Globals
	}

	t.Setenv("KAOQIN_DB", "")
	os.Unsetenv("KAOQIN_DB")
	g := parse("--config", file)
	if g.DB != "from-file.db" || g.Timezone != "Europe/Berlin" || g.QPS != 7 {
		t.Errorf("file: got DB=%q TZ=%q QPS=%v", g.DB, g.Timezone, g.QPS)
	}
	t.Setenv("KAOQIN_DB", "from-env.db")
	if g := parse("--config", file); g.DB != "from-env.db" || g.Timezone != "Europe/Berlin" {
		t.Errorf("env over file: got DB=%q TZ=%q", g.DB, g.Timezone)
	}
	if g := parse("--config", file, "--db", "from-flag.db"); g.DB != "from-flag.db" {
		t.Errorf("flag over env: got DB=%q", g.DB)
	}
	os.Unsetenv("KAOQIN_DB")
	if g := parse(); g.DB != "kaoqin.db" || g.Timezone != "Asia/Shanghai" || g.QPS != 20 || g.MonthlyQuota != 5000 {
		t.Errorf("defaults: got %+v", g)
	}
}

func TestConfigFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("KAOQIN_DB=x\nthis is not a setting\n"), 0o600)
	var out bytes.Buffer
	if status := run(context.Background(), []string{"--config", bad, "version"}, &out, &out); status == 0 {
		t.Fatal("a malformed config file was accepted")
	}
	if !strings.Contains(out.String(), "line 2") {
		t.Errorf("error does not name the line: %q", out.String())
	}
	out.Reset()
	if status := run(context.Background(), []string{"--config", filepath.Join(dir, "missing.conf"), "version"}, &out, &out); status == 0 {
		t.Fatal("a missing config file was accepted")
	}
}

func TestUsageErrorExits2(t *testing.T) {
	var out bytes.Buffer
	if status := run(context.Background(), []string{"no-such-command"}, &out, &out); status != 2 {
		t.Fatalf("status = %d, want 2", status)
	}
}

// TestQuota is issue 15's item 7: a quota of 0 or less silently turned the budget guard off.
// It is refused with one line; no limit is the explicit word off.
func TestQuota(t *testing.T) {
	for _, bad := range []string{"0", "-5", "five", "5000.5", ""} {
		var out bytes.Buffer
		t.Setenv("KAOQIN_DINGTALK_MONTHLY_QUOTA", bad)
		status := run(context.Background(), []string{"version"}, &out, &out)
		if status != 2 || strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), "KAOQIN_DINGTALK_MONTHLY_QUOTA") ||
			!strings.Contains(out.String(), "off") {
			t.Errorf("quota %q: status %d, %q; want 2 and one line naming the setting and off", bad, status, out.String())
		}
		out.Reset()
		status = run(context.Background(), []string{"--monthly-quota", bad, "version"}, &out, &out)
		if status != 2 || strings.Count(out.String(), "\n") != 1 {
			t.Errorf("--monthly-quota %q: status %d, %q", bad, status, out.String())
		}
	}
	t.Setenv("KAOQIN_DINGTALK_MONTHLY_QUOTA", "off")
	if g := parseOnly(t, []string{"version"}).Globals; g.MonthlyQuota.limit() != 0 || g.MonthlyQuota.String() != "off" {
		t.Errorf("off: %v", g.MonthlyQuota)
	}
	t.Setenv("KAOQIN_DINGTALK_MONTHLY_QUOTA", "12000")
	if g := parseOnly(t, []string{"version"}).Globals; g.MonthlyQuota.limit() != 12000 {
		t.Errorf("12000: %v", g.MonthlyQuota)
	}
}

// TestConfig_finality: the late window and the last pull's age, with their defaults, off,
// and one line for a bad value.
func TestConfig_finality(t *testing.T) {
	if late, age := parseOnly(t, []string{"version"}).Globals.finality(); late != 4*time.Hour || age != 3 {
		t.Errorf("defaults: late window %v, last pull %d; want 4h, 3", late, age)
	}
	t.Setenv("KAOQIN_SYNC_LAST_PULL", "off")
	t.Setenv("KAOQIN_SYNC_LATE_WINDOW", "6h")
	if late, age := parseOnly(t, []string{"version"}).Globals.finality(); late != 6*time.Hour || age != -1 {
		t.Errorf("6h and off: late window %v, last pull %d", late, age)
	}
	for _, bad := range []string{"0", "-2", "three", "61"} {
		var out bytes.Buffer
		t.Setenv("KAOQIN_SYNC_LAST_PULL", bad)
		status := run(context.Background(), []string{"version"}, &out, &out)
		if status != 2 || strings.Count(out.String(), "\n") != 1 || !strings.Contains(out.String(), "KAOQIN_SYNC_LAST_PULL") {
			t.Errorf("last pull %q: status %d, %q; want 2 and one line naming the setting", bad, status, out.String())
		}
	}
}
