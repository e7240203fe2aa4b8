package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // so KAOQIN_TIMEZONE works on machines without a zoneinfo database

	"github.com/alecthomas/kong"

	"github.com/kaoqin/kaoqin"
)

// Globals are the settings every command shares. Each can come from a flag, an environment
// variable or the config file, in that order of precedence (spec/cli.md). The names of the
// environment variables are a contract; the config file uses the same names.
type Globals struct {
	Config string `name:"config" env:"KAOQIN_CONFIG" placeholder:"FILE" help:"Config file of KEY=VALUE lines using the KAOQIN_* names below (flags and environment win over it)."`

	AppKey         string        `name:"app-key" env:"KAOQIN_DINGTALK_APP_KEY" placeholder:"KEY" help:"The internal app's AppKey (ClientID)."`
	AppSecret      string        `name:"app-secret" env:"KAOQIN_DINGTALK_APP_SECRET" placeholder:"SECRET" help:"Its AppSecret; prefer the environment or the config file, flags show in ps. Never printed."`
	BaseURL        string        `name:"base-url" env:"KAOQIN_DINGTALK_BASE_URL" default:"https://oapi.dingtalk.com" help:"Base URL of DingTalk's legacy Open API."`
	QPS            float64       `name:"qps" env:"KAOQIN_DINGTALK_QPS" default:"20" help:"Calls per second per API path the client allows itself."`
	MonthlyQuota   quota         `name:"monthly-quota" env:"KAOQIN_DINGTALK_MONTHLY_QUOTA" default:"5000" placeholder:"N|off" help:"Metered-call budget per calendar month: a number of calls, or off for no limit."`
	OpUserID       string        `name:"op-user" env:"KAOQIN_DINGTALK_OP_USER_ID" placeholder:"USERID" help:"The DingTalk administrator on whose behalf plans are read (default: the first administrator of the org chart)."`
	Punches        bool          `name:"punches" env:"KAOQIN_SYNC_PUNCHES" default:"true" negatable:"" help:"Pull punch records (listRecord, metered): the evidence behind the results, and today's live polls."`
	Plans          bool          `name:"plans" env:"KAOQIN_SYNC_PLANS" default:"true" negatable:"" help:"Pull plans (排班, metered): who is due when, known before anyone punches."`
	FarFromBase    float64       `name:"far-from-base" env:"KAOQIN_REVIEW_FAR_FROM_BASE" default:"500" placeholder:"METRES" help:"The review looks at phone GPS punches farther than this from their base, beyond both accuracies."`
	SameMinuteDays int           `name:"same-minute-days" env:"KAOQIN_REVIEW_SAME_MINUTE_DAYS" default:"8" placeholder:"DAYS" help:"The review looks at check-ins in one minute of the day on this many consecutive work days."`
	LateWindow     time.Duration `name:"late-window" env:"KAOQIN_SYNC_LATE_WINDOW" default:"4h" help:"How long after a day's last check a punch may still change it: a day is final once pulled after that (a night shift's day, the next morning)."`
	LastPull       lastPull      `name:"last-pull" env:"KAOQIN_SYNC_LAST_PULL" default:"3" placeholder:"DAYS|off" help:"Age in days at which a final day is pulled once more, for the corrections DingTalk takes in after it (make-up punches, late approvals, edits); off for never."`
	AgentID        int64         `name:"agent-id" env:"KAOQIN_DINGTALK_AGENT_ID" placeholder:"ID" help:"The app's agent id, for work notifications (reminders); none: no reminders are sent."`
	APIURL         string        `name:"api-url" env:"KAOQIN_DINGTALK_API_URL" default:"https://api.dingtalk.com" help:"Base URL of DingTalk's new API host (the Stream gateway's connections/open)."`
	PushQuota      int           `name:"push-quota" env:"KAOQIN_DINGTALK_PUSH_QUOTA" default:"3000" help:"The org's Webhook & Stream pushes a calendar month (punch events and robot messages count; contacts events do not)."`
	DB             string        `name:"db" env:"KAOQIN_DB" default:"kaoqin.db" help:"Database: a file path or sqlite:PATH for SQLite, postgres://... for PostgreSQL."`
	Timezone       string        `name:"timezone" env:"KAOQIN_TIMEZONE" default:"Asia/Shanghai" help:"Time zone of work days and reports."`
	LogLevel       string        `name:"log-level" env:"KAOQIN_LOG_LEVEL" default:"info" enum:"debug,info,warn,error" help:"Least severe log level written (${enum})."`

	stdout, stderr io.Writer
}

// quota is a monthly budget of DingTalk calls or pushes: a whole number from 1, or "off" for
// no limit (the zero value). 0 and negative numbers are refused: they used to turn the budget
// guard off without a word.
type quota int

func (q *quota) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.EqualFold(s, "off") {
		*q = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("quota %q: want a number of calls a month from 1 (e.g. 5000), or off for no limit "+
			"(KAOQIN_DINGTALK_MONTHLY_QUOTA, --monthly-quota)", s)
	}
	*q = quota(n)
	return nil
}

func (q quota) String() string {
	if q <= 0 {
		return "off"
	}
	return strconv.Itoa(int(q))
}

// limit is the budget as the syncer and the dashboard take it: 0 for no limit.
func (q quota) limit() int { return max(0, int(q)) }

// lastPull is the age in days of a final day's last pull: a whole number from 1, or "off"
// (-1).
type lastPull int

func (l *lastPull) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if strings.EqualFold(s, "off") {
		*l = -1
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 60 {
		return fmt.Errorf("last pull %q: want an age in days from 1 to 60 (e.g. 3), or off (KAOQIN_SYNC_LAST_PULL, --last-pull)", s)
	}
	*l = lastPull(n)
	return nil
}

func (l lastPull) String() string {
	if l < 0 {
		return "off"
	}
	return strconv.Itoa(int(l))
}

// finality is when days become final and get their last pull, as syncer.Config takes it.
func (g Globals) finality() (lateWindow time.Duration, lastPullAge int) {
	return g.LateWindow, int(g.LastPull)
}

// Location returns the configured time zone.
func (g *Globals) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(g.Timezone)
	if err != nil {
		return nil, kaoqin.Errorf(kaoqin.EINVALID, "unknown time zone %q in KAOQIN_TIMEZONE: use an IANA name such as Asia/Shanghai", g.Timezone)
	}
	return loc, nil
}

// Range is the configured time zone and the range [from, to] checked against it (dates DingTalk
// can have, at most kaoqin.MaxRangeDays), before any report command opens the database.
func (g *Globals) Range(from, to string) (loc *time.Location, first, last string, err error) {
	if loc, err = g.Location(); err != nil {
		return nil, "", "", err
	}
	first, last, err = kaoqin.CheckRange(from, to, kaoqin.DateOf(time.Now(), loc), kaoqin.MaxRangeDays)
	return loc, first, last, err
}

// configFileResolver reads the config file named by --config or KAOQIN_CONFIG in args and
// the environment, and offers its values to kong for the flags whose environment variable is
// not set. Kong lets a resolver override the environment, so the resolver steps aside when
// the variable is set: a flag beats the environment, the environment beats the file.
func configFileResolver(args []string) kong.Resolver {
	path := os.Getenv("KAOQIN_CONFIG")
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			path = v
		} else if a == "--config" && i+1 < len(args) {
			path = args[i+1]
		}
	}
	var values map[string]string
	var loadErr error
	if path != "" {
		values, loadErr = readConfigFile(path)
	}
	return kong.ResolverFunc(func(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
		if loadErr != nil {
			return nil, loadErr
		}
		for _, env := range flag.Envs {
			if _, set := os.LookupEnv(env); set {
				return nil, nil
			}
			if v, ok := values[env]; ok {
				return v, nil
			}
		}
		return nil, nil
	})
}

// readConfigFile parses KEY=VALUE lines; blank lines and lines starting with # are skipped,
// and a value may be wrapped in double quotes.
func readConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config file: %w", err)
	}
	defer f.Close()
	values := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !ok || !strings.HasPrefix(key, "KAOQIN_") {
			return nil, fmt.Errorf("config file %s line %d: want KAOQIN_NAME=value", path, n)
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		values[key] = value
	}
	return values, sc.Err()
}
