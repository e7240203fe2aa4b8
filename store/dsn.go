package store

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/kaoqin/kaoqin"
)

// Engines, as (*DB).Engine reports them.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// target is a parsed KAOQIN_DB: which engine, and where.
type target struct {
	engine string
	path   string // SQLite: the file; "" with memory
	memory bool   // SQLite: a private in-memory database (tests)
	url    string // PostgreSQL: the URL as given
}

// schemeRE matches a leading "word://". A single letter is a Windows drive ("C://x" is odd but a
// path), so a scheme has at least two characters.
var schemeRE = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]+)://`)

// parseDSN reads KAOQIN_DB (spec/cli.md): a file path or sqlite:PATH for SQLite (":memory:" for
// a throwaway database), postgres://... or postgresql://... for PostgreSQL. Only a leading
// "word://" or "sqlite:" is a scheme: "C:\data\kaoqin.db" and "./a:b.db" are paths.
func parseDSN(s string) (target, error) {
	if strings.TrimSpace(s) == "" {
		return target{}, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_DB is empty: use a file path, sqlite:PATH or postgres://...")
	}
	if rest, ok := cutPrefixFold(s, "sqlite:"); ok {
		// sqlite:///abs/path and sqlite://rel/path are the URL spellings of sqlite:PATH.
		if strings.HasPrefix(rest, "//") {
			rest = rest[2:]
		}
		return sqliteTarget(rest)
	}
	if m := schemeRE.FindStringSubmatch(s); m != nil {
		switch strings.ToLower(m[1]) {
		case "postgres", "postgresql":
			return target{engine: EnginePostgres, url: s}, nil
		}
		return target{}, kaoqin.Errorf(kaoqin.EINVALID,
			"unknown database scheme %q in KAOQIN_DB: use a file path, sqlite:PATH or postgres://...", m[1])
	}
	return sqliteTarget(s)
}

func sqliteTarget(path string) (target, error) {
	if path == "" {
		return target{}, kaoqin.Errorf(kaoqin.EINVALID, "KAOQIN_DB sqlite: names no file: use sqlite:PATH, e.g. sqlite:kaoqin.db")
	}
	if path == ":memory:" {
		return target{engine: EngineSQLite, memory: true}, nil
	}
	return target{engine: EngineSQLite, path: path}, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// urlPassword returns the password in a PostgreSQL URL, if any, so that messages can be
// scrubbed of it whatever a driver put in them. A URL that does not parse is searched for the
// "user:password@" part by hand.
func urlPassword(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if m := userinfoRE.FindStringSubmatch(raw); m != nil {
			return m[1]
		}
		return ""
	}
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
	}
	return u.Query().Get("password")
}

var userinfoRE = regexp.MustCompile(`^[A-Za-z]+://[^:/@]*:(.*)@`)

// scrub removes secret from msg.
func scrub(msg, secret string) string {
	if secret == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, secret, "xxxxx")
	if esc := url.QueryEscape(secret); esc != secret {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	if esc := url.PathEscape(secret); esc != secret {
		msg = strings.ReplaceAll(msg, esc, "xxxxx")
	}
	return msg
}
