package store

import (
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin"
)

func TestParseDSN(t *testing.T) {
	for _, test := range []struct {
		dsn  string
		want target
		code string // of the error; "" for none
	}{
		{dsn: "kaoqin.db", want: target{engine: EngineSQLite, path: "kaoqin.db"}},
		{dsn: "/var/lib/kaoqin/kaoqin.db", want: target{engine: EngineSQLite, path: "/var/lib/kaoqin/kaoqin.db"}},
		{dsn: "./data:2026/kaoqin.db", want: target{engine: EngineSQLite, path: "./data:2026/kaoqin.db"}},
		{dsn: `C:\kaoqin\kaoqin.db`, want: target{engine: EngineSQLite, path: `C:\kaoqin\kaoqin.db`}},
		{dsn: "C:/kaoqin/kaoqin.db", want: target{engine: EngineSQLite, path: "C:/kaoqin/kaoqin.db"}},
		{dsn: "c://kaoqin.db", want: target{engine: EngineSQLite, path: "c://kaoqin.db"}},
		{dsn: "file:kaoqin.db", want: target{engine: EngineSQLite, path: "file:kaoqin.db"}},
		{dsn: "sqlite:kaoqin.db", want: target{engine: EngineSQLite, path: "kaoqin.db"}},
		{dsn: "SQLite:/tmp/k.db", want: target{engine: EngineSQLite, path: "/tmp/k.db"}},
		{dsn: "sqlite:///tmp/k.db", want: target{engine: EngineSQLite, path: "/tmp/k.db"}},
		{dsn: "sqlite:C:/k.db", want: target{engine: EngineSQLite, path: "C:/k.db"}},
		{dsn: ":memory:", want: target{engine: EngineSQLite, memory: true}},
		{dsn: "sqlite::memory:", want: target{engine: EngineSQLite, memory: true}},
		{dsn: "postgres://u:p@db:5432/kaoqin", want: target{engine: EnginePostgres, url: "postgres://u:p@db:5432/kaoqin"}},
		{dsn: "postgresql://db/kaoqin?sslmode=require", want: target{engine: EnginePostgres, url: "postgresql://db/kaoqin?sslmode=require"}},
		{dsn: "POSTGRES://db/kaoqin", want: target{engine: EnginePostgres, url: "POSTGRES://db/kaoqin"}},
		{dsn: "mysql://u:p@db/kaoqin", code: kaoqin.EINVALID},
		{dsn: "file:///tmp/kaoqin.db", code: kaoqin.EINVALID},
		{dsn: "", code: kaoqin.EINVALID},
		{dsn: "sqlite:", code: kaoqin.EINVALID},
	} {
		t.Run(test.dsn, func(t *testing.T) {
			got, err := parseDSN(test.dsn)
			if code := kaoqin.ErrorCode(err); code != test.code {
				t.Fatalf("error %v (code %q), want code %q", err, code, test.code)
			}
			if got != test.want {
				t.Errorf("got %+v, want %+v", got, test.want)
			}
		})
	}
}

func TestParseDSN_UnknownScheme(t *testing.T) {
	_, err := parseDSN("mysql://root:hunter2@db/kaoqin")
	msg := kaoqin.ErrorMessage(err)
	for _, want := range []string{`"mysql"`, "KAOQIN_DB", "sqlite:PATH", "postgres://"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not mention %s", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") || strings.Contains(msg, "\n") {
		t.Errorf("message %q is not one line without the password", msg)
	}
}

func TestMaskedURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:s3cr%40t@db/k":                      "postgres://u:xxxxx@db/k",
		"postgres://u:a@db/kaoqin?sslmode=disable":        "postgres://u:xxxxx@db/kaoqin?sslmode=disable",
		"postgres://u@db/k?password=pw&sslpassword=x":     "postgres://u@db/k?password=xxxxx&sslpassword=xxxxx",
		"postgres://u:bad pass@db:x/k":                    "",
		"postgres://u:p%zz@db/k":                          "",
		"postgres://db/k":                                 "postgres://db/k",
		"postgresql://kaoqin@db:notaport/kaoqin?x=1#frag": "",
	} {
		if got := maskedURL(in); got != want {
			t.Errorf("maskedURL(%q) = %q, want %q", in, got, want)
		}
	}
}
