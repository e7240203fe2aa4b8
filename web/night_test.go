package web_test

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kaoqin/kaoqin/report"
	"github.com/kaoqin/kaoqin/web"
)

// nightFixture is a company with night shifts, synced at 02:30 on Wednesday 2026-11-18: its
// Tuesday night shift is at work.
var nightFixture = &fixtureDB{employees: 120, night: true, now: time.Date(2026, 11, 18, 2, 30, 0, 0, shanghai)}

// TestBoard_nightShift: the board of 02:30 lists the night shift of the day before, still at
// work, apart from the day's counts, in both languages; the daily API carries it.
func TestBoard_nightShift(t *testing.T) {
	t.Parallel()
	e := newEnvOf(t, nightFixture)
	c := e.as("hr")
	d, err := report.LoadDaily(context.Background(), e.db, "2026-11-18", report.Options{Location: shanghai, Now: nightFixture.now})
	if err != nil {
		t.Fatal(err)
	}
	var night, onDuty []string
	for _, emp := range d.Employees {
		if emp.Overnight != nil {
			night = append(night, emp.UserID)
			if emp.Overnight.OnDuty {
				onDuty = append(onDuty, emp.UserID)
			}
		}
	}
	if len(night) < 5 || len(onDuty) == 0 || d.Company.OvernightOnDuty != len(onDuty) {
		t.Fatalf("the report of 02:30: %d overnight, %d on duty, count %d", len(night), len(onDuty), d.Company.OvernightOnDuty)
	}
	for lang, words := range map[string][]string{
		"zh": {"昨夜班次仍在岗", "计入 2026-11-17 的考勤", "次日 06:00", "夜班在岗"},
		"en": {"Last night&#39;s shift, still at work", "count on 2026-11-17", "06:00 next day", "Night shift on duty"},
	} {
		page := c.get("/today?lang=" + lang).text()
		for _, w := range words {
			if !strings.Contains(page, w) {
				t.Errorf("the board in %s lacks %q", lang, w)
			}
		}
		rows := regexp.MustCompile(`<tr data-userid="(\d+)" data-state="(\w+)">`).FindAllStringSubmatch(page, -1)
		var listed, listedOnDuty []string
		for _, r := range rows {
			listed = append(listed, r[1])
			if r[2] == "on_duty" {
				listedOnDuty = append(listedOnDuty, r[1])
			}
		}
		slices.Sort(listed)
		slices.Sort(listedOnDuty)
		if !slices.Equal(listed, night) || !slices.Equal(listedOnDuty, onDuty) {
			t.Errorf("the board in %s lists %d overnight (%d on duty), the report %d (%d)", lang, len(listed), len(listedOnDuty), len(night), len(onDuty))
		}
	}
	// A name opens the person's night, the day it counts on, not today's rest.
	if page := c.get("/today").text(); !strings.Contains(page, `<a href="/employees/`+onDuty[0]+`?month=2026-11#d-2026-11-17">`) {
		t.Errorf("the board's overnight row of %s does not open the night of the 17th", onDuty[0])
	}
	// There, the check-out the next morning says so, and a day shift's does not.
	first, _ := d.Employee(onDuty[0])
	end := first.Overnight.ShiftEnd.In(shanghai).Format("15:04")
	for lang, want := range map[string]string{"zh": "<time>次日 " + end + "</time>", "en": "<time>" + end + " next day</time>"} {
		if page := c.get("/employees/" + onDuty[0] + "?month=2026-11&lang=" + lang).text(); !strings.Contains(page, want) {
			t.Errorf("the employee page of %s in %s lacks %q", onDuty[0], lang, want)
		} else if strings.Count(page, "次日")+strings.Count(page, "next day") > strings.Count(page, "<article") {
			t.Errorf("the employee page of %s in %s says next day more often than once a day", onDuty[0], lang)
		}
	}
	var api report.Daily
	c.getJSON("/api/v1/daily", 200, &api)
	if api.Company.OvernightOnDuty != len(onDuty) {
		t.Errorf("the daily API says %d on duty overnight, want %d", api.Company.OvernightOnDuty, len(onDuty))
	}
	if emp, _ := api.Employee(onDuty[0]); emp == nil || emp.Overnight == nil || emp.Overnight.WorkDate != "2026-11-17" {
		t.Errorf("the daily API's %s: %+v", onDuty[0], emp)
	}

	// At 09:10 the night shift is over: nothing listed.
	e.clock.Advance(6*time.Hour + 40*time.Minute)
	if page := c.get("/today").text(); strings.Contains(page, `id="overnight"`) {
		t.Error("the board of 09:10 still lists last night's shift")
	}
}

// TestSync_days: the sync page says which recent days are final and which still wait, for
// everyone who may see it, and the API gives the same.
func TestSync_days(t *testing.T) {
	t.Parallel()
	e := newEnvOf(t, nightFixture)
	var info web.SyncInfo
	e.as("admin").getJSON("/api/v1/sync", 200, &info)
	states := map[string]web.DayState{}
	for _, d := range info.Freshness.Days {
		states[d.Day] = d
	}
	today, night, before := states["2026-11-18"], states["2026-11-17"], states["2026-11-13"]
	if len(info.Freshness.Days) != 8 || today.State != "today" || night.State != "open" || !night.NightShift ||
		!night.ClosesAt.Equal(time.Date(2026, 11, 18, 12, 0, 0, 0, shanghai)) || before.State != "settled" {
		t.Fatalf("days: %+v", info.Freshness.Days)
	}
	for lang, words := range map[string][]string{
		"zh": {"最近各日", "未定稿", "2026-11-18 12:00 之后拉取即定稿", "夜班", "已定稿 · 已终核"},
		"en": {"Recent days", "open", "final with a pull after 2026-11-18 12:00", "night shift", "final, last pull done"},
	} {
		for _, who := range []string{"admin", "boss"} {
			page := e.as(who).get("/sync?lang=" + lang).text()
			for _, w := range words {
				if !strings.Contains(page, w) {
					t.Errorf("the sync page in %s, as %s, lacks %q", lang, who, w)
				}
			}
		}
	}
}
