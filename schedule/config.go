package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

// DefaultLockRetry is how often an instance that does not run the schedule tries to take it
// over, and the one that does checks that it still holds the lock: a dead holder's schedule
// resumes within it.
const DefaultLockRetry = 15 * time.Second

// Config says what the schedule does; Parse reads it from kaoqin serve's flags.
type Config struct {
	Enabled bool
	// Nightly is the time of day of the nightly sync; negative: none.
	Nightly time.Duration
	// LiveEvery is the interval of live pulls during Hours; 0: the budget planner decides;
	// negative: no live pulls.
	LiveEvery  time.Duration
	HoursStart time.Duration
	HoursEnd   time.Duration
	// Tick is how often (real time) the schedule looks at the clock; LockRetry how often an
	// instance that is not the scheduler tries to become it.
	Tick      time.Duration
	LockRetry time.Duration
	// RemindTick is how often (real time) the holder ticks the reminders; 0: DefaultRemindTick.
	RemindTick time.Duration
	// ReconcileDays is how far back the nightly sync looks for days not final.
	ReconcileDays int
	// LeaveTypes pulls leave by type after the nightly sync, as the month's budget allows.
	LeaveTypes bool
}

// Parse reads the schedule flags: nightly "HH:MM" or "off"; live "plan", "off" or a
// duration; hours "HH:MM-HH:MM".
func Parse(enabled bool, nightly, live, hours string) (Config, error) {
	cfg := Config{Enabled: enabled, Tick: time.Minute, LockRetry: DefaultLockRetry, ReconcileDays: 7}
	var err error
	if nightly == "off" {
		cfg.Nightly = -1
	} else if cfg.Nightly, err = ClockTime(nightly); err != nil {
		return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-nightly %q: want HH:MM such as 02:00, or off", nightly)
	}
	switch live {
	case "plan":
	case "off":
		cfg.LiveEvery = -1
	default:
		d, err := time.ParseDuration(live)
		if err != nil || d < time.Minute {
			return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-live %q: want plan, off, or an interval of a minute or more such as 10m", live)
		}
		cfg.LiveEvery = d
	}
	start, end, ok := strings.Cut(hours, "-")
	if ok {
		cfg.HoursStart, err = ClockTime(start)
		if err == nil && end == "24:00" {
			cfg.HoursEnd = 24 * time.Hour // to midnight: 00:00-24:00 is all day, for night shifts
		} else if err == nil {
			cfg.HoursEnd, err = ClockTime(end)
		}
	}
	if !ok || err != nil || cfg.HoursEnd <= cfg.HoursStart {
		return cfg, kaoqin.Errorf(kaoqin.EINVALID, "bad --sync-hours %q: want HH:MM-HH:MM such as 08:00-19:00 (00:00-24:00: all day)", hours)
	}
	return cfg, nil
}

// ClockTime reads "HH:MM" as a time of day.
func ClockTime(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Describe says in words what the schedule does, for the log and the sync page's API.
func (c Config) Describe() string {
	if !c.Enabled {
		return "schedule off (--no-schedule): syncs run only when asked"
	}
	var parts []string
	if c.Nightly >= 0 {
		parts = append(parts, fmt.Sprintf("nightly at %s: the org chart and the days of the last %d not final yet", hhmm(c.Nightly), c.ReconcileDays))
	}
	if c.Nightly >= 0 && c.LeaveTypes {
		parts = append(parts, "then leave by type for the people on leave, as the month's budget allows")
	}
	switch {
	case c.LiveEvery < 0:
		parts = append(parts, "no live pulls of today")
	case c.LiveEvery == 0:
		parts = append(parts, "today's live pulls when the month's quota budget allows them (after shift starts)")
	default:
		hours := "from " + hhmm(c.HoursStart) + " to " + hhmm(c.HoursEnd)
		if c.HoursStart == 0 && c.HoursEnd >= 24*time.Hour {
			hours = "all day"
		}
		parts = append(parts, fmt.Sprintf("today's live pulls every %s %s, within today's share of the month's budget", EveryWords(c.LiveEvery), hours))
	}
	return strings.Join(parts, "; ")
}

// Schedule is Describe as values, for the sync page to put in its reader's language.
func (c Config) Schedule() web.Schedule {
	s := web.Schedule{Enabled: c.Enabled, ReconcileDays: c.ReconcileDays, LiveOff: c.LiveEvery < 0}
	if c.Nightly >= 0 {
		s.Nightly = hhmm(c.Nightly)
	}
	if c.LiveEvery > 0 {
		s.LiveEvery = c.LiveEvery.String()
		s.Hours = hhmm(c.HoursStart) + "-" + hhmm(c.HoursEnd)
	}
	return s
}

// EveryWords says an interval as people do: "10 minutes", "1 hour", "90 seconds".
func EveryWords(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return plural(int(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	}
	return plural(int(d.Round(time.Second)/time.Second), "second")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

func timeOfDay(t time.Time, loc *time.Location) time.Duration {
	t = t.In(loc)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second
}
