package store

import (
	"errors"
	"net/url"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

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

// maskedURL returns a PostgreSQL URL fit for a message: its password field and the password
// settings of its query masked as xxxxx, the rest as given; "" for a URL that does not parse,
// whose parts cannot be told apart (it is not shown at all).
func maskedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return ""
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		for _, k := range []string{"password", "sslpassword"} {
			if q.Has(k) {
				q.Set(k, "xxxxx")
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// parseReason is why pgx could not parse a connection string, without the string it quotes
// (its own masking is best effort): "invalid port (strconv.ParseUint: ...)".
func parseReason(err error) string {
	msg := err.Error()
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		msg = pe.Error()
		if i := strings.LastIndex(msg, "`: "); i >= 0 {
			msg = msg[i+3:]
		} else {
			msg = "it does not parse"
		}
	}
	return msg
}
