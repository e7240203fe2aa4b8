package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"time"
)

// demoLatency measures, against a running kaoqin demo, the time from a punch made on its
// simulator to the board's JSON showing it.
func demoLatency(base, sim, pass string, n int) error {
	if sim == "" || pass == "" {
		return fmt.Errorf("-demo needs -sim (the simulator's URL from the demo's banner) and -pass")
	}
	base, sim = strings.TrimRight(base, "/"), strings.TrimRight(sim, "/")
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	login, _ := json.Marshal(map[string]string{"name": "demo", "password": pass})
	resp, err := c.Post(base+"/login", "application/json", bytes.NewReader(login))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("log in to %s as demo: %s", base, resp.Status)
	}
	type employee struct {
		UserID     string     `json:"userid"`
		Presence   string     `json:"presence"`
		ShiftStart *time.Time `json:"shift_start"`
		Checks     []struct {
			UserCheckTime *time.Time `json:"user_check_time"`
		} `json:"checks"`
	}
	board := func() ([]employee, error) {
		var b struct {
			Employees []employee `json:"employees"`
		}
		resp, err := c.Get(base + "/api/v1/daily")
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET /api/v1/daily: %s", resp.Status)
		}
		err = json.NewDecoder(resp.Body).Decode(&b)
		return b.Employees, err
	}
	simNow := func() (time.Time, error) {
		var clock struct {
			Now time.Time `json:"now"`
		}
		resp, err := c.Get(sim + "/_sim/clock")
		if err != nil {
			return time.Time{}, err
		}
		defer resp.Body.Close()
		err = json.NewDecoder(resp.Body).Decode(&clock)
		return clock.Now, err
	}

	// Each punch is made for someone not in yet on the board as it is then: someone overdue
	// (nobody else will punch for them), else the person whose shift starts soonest within the
	// hour (a punch hours before a shift is not its check-in).
	rank := map[string]int{"overdue": 1, "awaiting": 2, "absent": 3, "not_due": 4}
	used := map[string]bool{}
	next := func() (employee, time.Time, int, error) {
		emps, err := board()
		if err != nil {
			return employee{}, time.Time{}, 0, err
		}
		now, err := simNow()
		if err != nil {
			return employee{}, time.Time{}, 0, err
		}
		var who []employee
		for _, e := range emps {
			if rank[e.Presence] > 0 && !used[e.UserID] && e.ShiftStart != nil && e.ShiftStart.Before(now.Add(time.Hour)) {
				who = append(who, e)
			}
		}
		if len(who) == 0 {
			return employee{}, now, len(emps), fmt.Errorf("nobody is due within the hour and not in yet: run it earlier in the demo's morning (it starts at 08:45), or with a smaller -n")
		}
		slices.SortStableFunc(who, func(a, b employee) int {
			if rank[a.Presence] != rank[b.Presence] {
				return rank[a.Presence] - rank[b.Presence]
			}
			return a.ShiftStart.Compare(*b.ShiftStart)
		})
		used[who[0].UserID] = true
		return who[0], now, len(emps), nil
	}
	var lat []time.Duration
	for i := range n {
		e, now, people, err := next()
		if err != nil {
			return err
		}
		if i == 0 {
			fmt.Printf("Punch to board in the demo at %s (%d people on the board), %d punches:\n", base, people, n)
		}
		at := now.Truncate(time.Second)
		ev, _ := json.Marshal(map[string]any{"type": "attendance_check_record", "data": map[string]any{"dataList": []map[string]any{{
			"userId": e.UserID, "checkTime": at.UnixMilli(), "checkByUser": true, "locationResult": "Normal", "locationMethod": "WIFI",
			"bizId": fmt.Sprintf("demo-%s-%d", e.UserID, at.Unix())}}}})
		made := time.Now()
		resp, err := c.Post(sim+"/_sim/events", "application/json", bytes.NewReader(ev))
		if err != nil {
			return err
		}
		resp.Body.Close()
		shown := false
		for !shown && time.Since(made) < 10*time.Second {
			time.Sleep(50 * time.Millisecond)
			emps, err := board()
			if err != nil {
				return err
			}
			for _, b := range emps {
				if b.UserID != e.UserID {
					continue
				}
				for _, ch := range b.Checks {
					if ch.UserCheckTime != nil && ch.UserCheckTime.Equal(at) {
						shown = true
					}
				}
			}
		}
		if !shown {
			fmt.Printf("  %s (%s): not shown in 10 s\n", e.UserID, e.Presence)
			continue
		}
		d := time.Since(made)
		lat = append(lat, d)
		fmt.Printf("  %s (%s, punched at %s): on the board after %s\n", e.UserID, e.Presence, at.Format("15:04:05"), d.Round(time.Millisecond))
	}
	if len(lat) == 0 {
		return fmt.Errorf("no punch reached the board")
	}
	slices.Sort(lat)
	fmt.Printf("  punch to the board's JSON: min %s, median %s, max %s (%d of %d shown); the page asks every 2 s, so add up to 2 s on screen\n",
		lat[0].Round(time.Millisecond), lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond), len(lat), n)
	return nil
}
