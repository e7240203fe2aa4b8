package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/kaoqin/kaoqin"
	"github.com/kaoqin/kaoqin/web"
)

// userCmd manages the dashboard's local accounts. Accounts are made here, on the server, and
// nowhere on the web: no form can mint an admin.
type userCmd struct {
	Add    userAddCmd    `cmd:"" help:"Create a dashboard account (the password is asked for, never printed)."`
	List   userListCmd   `cmd:"" help:"List the dashboard accounts."`
	Passwd userPasswdCmd `cmd:"" help:"Set an account's password."`
}

// stdin is where --password-stdin reads, and stdinIsTerminal says whether a password can
// be asked for; tests replace them.
var (
	stdin           io.Reader = os.Stdin
	stdinIsTerminal           = func() bool { return term.IsTerminal(int(os.Stdin.Fd())) }
)

// passwordInput reads a password: from a terminal without echo, or from the first line of
// standard input with --password-stdin.
func passwordInput(g *Globals, name string, fromStdin bool) (string, error) {
	if fromStdin {
		return readPasswordLine(stdin)
	}
	fd := int(os.Stdin.Fd())
	if !stdinIsTerminal() {
		return "", usageError{errors.New("no terminal to ask the password on: give it on standard input with --password-stdin")}
	}
	fmt.Fprintf(g.stderr, "Password for %s: ", name)
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(g.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	fmt.Fprintf(g.stderr, "Again: ")
	again, err := term.ReadPassword(fd)
	fmt.Fprintln(g.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password: %w", err)
	}
	if string(first) != string(again) {
		return "", kaoqin.Errorf(kaoqin.EINVALID, "the two passwords differ; nothing was changed")
	}
	return string(first), nil
}

// readPasswordLine reads the first line of r, without its line ending.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", kaoqin.Errorf(kaoqin.EINVALID, "no password on standard input: give it as the first line")
	}
	return line, nil
}

type userAddCmd struct {
	Name          string  `arg:"" help:"The account's name, used to log in."`
	Role          string  `required:"" enum:"admin,hr,manager" help:"admin (everything, including accounts and the audit log), hr (every department) or manager (the subtrees of --dept only)."`
	Dept          []int64 `placeholder:"ID" help:"A manager's department (repeatable): they see its subtree. Ids as DingTalk has them; kaoqin report daily lists them."`
	PasswordStdin bool    `name:"password-stdin" help:"Read the password from the first line of standard input (for scripts) instead of asking."`
}

func (c *userAddCmd) Run(ctx context.Context, g *Globals) error {
	name := strings.TrimSpace(c.Name)
	if err := checkUserName(name); err != nil {
		return err
	}
	switch {
	case c.Role == kaoqin.RoleManager && len(c.Dept) == 0:
		return usageError{errors.New("a manager needs at least one --dept: the departments whose subtrees they may see")}
	case c.Role != kaoqin.RoleManager && len(c.Dept) > 0:
		return usageError{fmt.Errorf("--dept is for managers: %s accounts see every department", c.Role)}
	}
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(c.Dept) > 0 {
		if err := checkDepts(ctx, db, c.Dept); err != nil {
			return err
		}
	}
	if _, err := db.UserByName(ctx, name); err == nil {
		return kaoqin.Errorf(kaoqin.ECONFLICT, "an account called %q exists already; kaoqin user passwd %s sets its password", name, name)
	} else if kaoqin.ErrorCode(err) != kaoqin.ENOTFOUND {
		return err
	}
	password, err := passwordInput(g, name, c.PasswordStdin)
	if err != nil {
		return err
	}
	hash, err := web.HashPassword(password)
	if err != nil {
		return err
	}
	depts := slices.Clone(c.Dept)
	slices.Sort(depts)
	u := &kaoqin.User{Name: name, Role: c.Role, DeptIDs: slices.Compact(depts), PasswordHash: hash}
	if err := db.CreateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "created %s account %s (id %d)\n", u.Role, u.Name, u.ID)
	return nil
}

func checkUserName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return kaoqin.Errorf(kaoqin.EINVALID, "bad account name %q: want 1 to 64 printable characters", name)
	}
	return nil
}

// checkDepts refuses department ids the store does not know, or knows as removed.
func checkDepts(ctx context.Context, db interface {
	Departments(context.Context) ([]kaoqin.Department, error)
}, ids []int64) error {
	all, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		i := slices.IndexFunc(all, func(d kaoqin.Department) bool { return d.ID == id })
		switch {
		case len(all) == 0:
			return kaoqin.Errorf(kaoqin.ENOTFOUND, "department %d is not known: no org chart synced yet; run kaoqin sync --org-only first (contacts calls are free)", id)
		case i < 0:
			return kaoqin.Errorf(kaoqin.ENOTFOUND, "department %d is not known: no department with that id has been synced from DingTalk", id)
		case all[i].RemovedAt != 0:
			return kaoqin.Errorf(kaoqin.EINVALID, "department %d (%s) was removed from DingTalk", id, all[i].Name)
		}
	}
	return nil
}

type userListCmd struct{}

func (c *userListCmd) Run(ctx context.Context, g *Globals) error {
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(g.stdout, "no accounts yet: create one with kaoqin user add NAME --role admin")
		return nil
	}
	depts, err := db.Departments(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, d := range depts {
		names[d.ID] = d.Name
	}
	loc, err := g.Location()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tDEPARTMENTS\tCREATED")
	for _, u := range users {
		var ds []string
		for _, id := range u.DeptIDs {
			d := strconv.FormatInt(id, 10)
			if n := names[id]; n != "" {
				d += " " + n
			}
			ds = append(ds, d)
		}
		all := strings.Join(ds, ", ")
		if u.Role != kaoqin.RoleManager {
			all = "all"
		}
		role := u.Role
		if u.Disabled {
			role += " (disabled)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Name, role, all, time.UnixMilli(u.CreatedAt).In(loc).Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

type userPasswdCmd struct {
	Name          string `arg:"" help:"The account."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the new password from the first line of standard input instead of asking."`
}

func (c *userPasswdCmd) Run(ctx context.Context, g *Globals) error {
	db, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByName(ctx, strings.TrimSpace(c.Name))
	if kaoqin.ErrorCode(err) == kaoqin.ENOTFOUND {
		return kaoqin.Errorf(kaoqin.ENOTFOUND, "no account called %q: kaoqin user list shows them", c.Name)
	} else if err != nil {
		return err
	}
	password, err := passwordInput(g, u.Name, c.PasswordStdin)
	if err != nil {
		return err
	}
	if u.PasswordHash, err = web.HashPassword(password); err != nil {
		return err
	}
	u.SessionsAfter = time.Now().UnixMilli() // whoever is logged in with the old password is logged out
	if err := db.UpdateUser(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "password of %s changed; its sessions are ended\n", u.Name)
	return nil
}
