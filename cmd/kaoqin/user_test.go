package main

import (
	"context"
	"strings"
	"testing"

	"github.com/kaoqin/kaoqin/store"
	"github.com/kaoqin/kaoqin/web"
)

// The user tests replace stdin, so they do not run in parallel with each other.

func runWithStdin(t *testing.T, input string, args ...string) (int, string, string) {
	t.Helper()
	old, oldTerm := stdin, stdinIsTerminal
	stdin, stdinIsTerminal = strings.NewReader(input), func() bool { return false }
	defer func() { stdin, stdinIsTerminal = old, oldTerm }()
	return runKaoqin(t, args...)
}

func TestUser_AddListPasswd(t *testing.T) {
	db := reportFixture(t) // departments 1 示例公司, 2 研发部, 3 销售部
	const pw = "correct horse battery"
	status, out, errOut := runWithStdin(t, pw+"\n", "user", "add", "alice", "--role", "admin", "--db", db, "--password-stdin")
	if status != 0 || !strings.Contains(out, "created admin account alice") {
		t.Fatalf("add admin: %d %q %q", status, out, errOut)
	}
	status, out, errOut = runWithStdin(t, pw, "user", "add", "bob", "--role", "manager", "--dept", "2", "--dept", "3", "--db", db, "--password-stdin")
	if status != 0 {
		t.Fatalf("add manager: %d %q %q", status, out, errOut)
	}
	for _, s := range []string{out, errOut} {
		if strings.Contains(s, pw) {
			t.Error("the command printed the password")
		}
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.UserByName(context.Background(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != "manager" || len(u.DeptIDs) != 2 || u.DeptIDs[0] != 2 || u.DeptIDs[1] != 3 {
		t.Errorf("bob = %+v", u)
	}
	if ok, err := web.VerifyPassword(u.PasswordHash, pw); !ok || err != nil {
		t.Errorf("bob's password does not verify: %v %v", ok, err)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id with the default parameters", u.PasswordHash)
	}
	st.Close()

	status, out, _ = runKaoqin(t, "user", "list", "--db", db)
	if status != 0 {
		t.Fatalf("list: %d", status)
	}
	for _, want := range []string{"alice", "admin", "all", "bob", "manager", "2 研发部, 3 销售部"} {
		if !strings.Contains(out, want) {
			t.Errorf("user list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "argon2") {
		t.Error("user list shows hashes")
	}

	status, out, errOut = runWithStdin(t, "another long password\n", "user", "passwd", "bob", "--db", db, "--password-stdin")
	if status != 0 || !strings.Contains(out, "password of bob changed") {
		t.Fatalf("passwd: %d %q %q", status, out, errOut)
	}
	st, _ = store.Open(context.Background(), db)
	defer st.Close()
	u, _ = st.UserByName(context.Background(), "bob")
	if ok, _ := web.VerifyPassword(u.PasswordHash, "another long password"); !ok {
		t.Error("the new password does not verify")
	}
	if u.Role != "manager" || len(u.DeptIDs) != 2 {
		t.Errorf("passwd changed more than the password: %+v", u)
	}
	if u.SessionsAfter == 0 {
		t.Error("passwd left the account's sessions alive")
	}
}

func TestUser_Errors(t *testing.T) {
	db := reportFixture(t)
	const pw = "correct horse battery"
	if s, _, e := runWithStdin(t, pw, "user", "add", "alice", "--role", "admin", "--db", db, "--password-stdin"); s != 0 {
		t.Fatalf("add: %d %s", s, e)
	}
	for _, tc := range []struct {
		input  string
		args   []string
		status int
		want   string
	}{
		{pw, []string{"user", "add", "carol", "--role", "manager"}, 2, "a manager needs at least one --dept"},
		{pw, []string{"user", "add", "carol", "--role", "hr", "--dept", "2"}, 2, "--dept is for managers"},
		{pw, []string{"user", "add", "carol", "--role", "manager", "--dept", "99"}, 1, "department 99 is not known"},
		{pw, []string{"user", "add", "carol", "--role", "boss"}, 2, "--role"},
		{pw, []string{"user", "add", "alice", "--role", "hr"}, 1, `an account called "alice" exists already`},
		{"short\n", []string{"user", "add", "carol", "--role", "hr"}, 1, "too short"},
		{"", []string{"user", "add", "carol", "--role", "hr"}, 1, "no password on standard input"},
		{pw, []string{"user", "passwd", "nobody"}, 1, `no account called "nobody"`},
	} {
		args := append(append([]string{}, tc.args...), "--db", db, "--password-stdin")
		status, out, errOut := runWithStdin(t, tc.input, args...)
		if status != tc.status || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q, want %d and %q", tc.args, status, errOut, tc.status, tc.want)
		}
		if strings.Contains(out+errOut, pw) {
			t.Errorf("%v: printed the password", tc.args)
		}
	}
	// Without --password-stdin the password is asked on a terminal; tests have none.
	status, _, errOut := runWithStdin(t, pw, "user", "add", "dave", "--role", "hr", "--db", db)
	if status != 2 || !strings.Contains(errOut, "--password-stdin") {
		t.Errorf("no terminal: exit %d %q", status, errOut)
	}
}
